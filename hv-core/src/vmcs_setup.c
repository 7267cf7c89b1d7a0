/* Filling a VM's VMCS: controls, host state, guest state, and the structures the controls point at
 * (SDM Vol. 3 §25.3-§25.8). The result must pass every VM-entry check of §27.2-§27.4 on any processor whose
 * capabilities hv_caps_fit accepted; the sim runs those checks on every entry and the tests enter once on
 * every profile. */
#include "caps.h"
#include "guest_mem.h"

#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

/* Exceptions that exit (SDM Vol. 3 §25.6.3): only #MC (vector 18). A machine check is the host's business:
 * it reports a hardware error the guest cannot judge. Every other exception goes to the guest's own IDT. */
#define HV_EXCEPTION_BITMAP (1u << 18)

/* Guest IA32_PAT at reset (SDM Vol. 3 §13.12.4: 0007040600070406H). */
#define PAT_RESET 0x0007040600070406ull

/* MSRs switched between host and guest through the MSR areas (SDM Vol. 3 §25.7.2, §25.8.2): the SYSCALL
 * MSRs and KERNEL_GS_BASE have no VMCS field, and a guest that sets them would otherwise run the host's
 * SYSCALL entry point after the next exit. IA32_TSC_AUX joins them when RDTSCP is enabled for the guest. */
static const uint32_t switched_msrs[] = {MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FMASK,
                                         MSR_IA32_KERNEL_GS_BASE, MSR_IA32_TSC_AUX};

/* An MSR-area entry (SDM Vol. 3 §25.7.2, Table 25-15): bits 31:0 index, 63:32 reserved (0), 127:64 data. */
struct msr_entry {
    uint32_t index;
    uint32_t reserved;
    uint64_t value;
};

/* Fill both areas; returns the entry count. Guest values start at 0 (the guest's reset state, §10.1.1
 * Table 10-1 for the SYSCALL MSRs); host values are the running host's. An MSR the host cannot read is left
 * out of both areas (nothing to switch). */
static uint32_t fill_msr_areas(struct hv_vm *vm, const struct hv_controls *ctl)
{
    struct msr_entry *guest = hv_vm_page_ptr(vm, vm->msr_area_guest);
    struct msr_entry *host = hv_vm_page_ptr(vm, vm->msr_area_host);
    if (!guest || !host)
        return 0;
    uint32_t n = 0;
    for (size_t i = 0; i < sizeof switched_msrs / sizeof switched_msrs[0]; i++) {
        uint32_t msr = switched_msrs[i];
        if (msr == MSR_IA32_TSC_AUX && !(ctl->proc2 & PROC2_ENABLE_RDTSCP))
            continue;
        uint64_t hv = 0;
        if (!hv_arch_rdmsr(vm->cpu->arch, msr, &hv))
            continue;
        guest[n] = (struct msr_entry){.index = msr, .value = 0};
        host[n] = (struct msr_entry){.index = msr, .value = hv};
        n++;
    }
    return n;
}

static uint64_t rdmsr_or0(struct hv_vm *vm, uint32_t msr)
{
    uint64_t v = 0;
    if (!hv_arch_rdmsr(vm->cpu->arch, msr, &v))
        v = 0;
    return v;
}

/* A host data selector must have RPL = TI = 0 (SDM Vol. 3 §27.2.3); a host that runs with another (e.g. a
 * user-mode DS left loaded in the kernel) gets the null selector, which VM exit may load into DS/ES/FS/GS
 * (§28.5.2). */
static uint16_t host_data_sel(uint16_t s)
{
    return (s & 7u) ? 0 : s;
}

static void write_host_state(struct hv_vm *vm, const struct hv_controls *ctl)
{
    struct hv_arch_cpu *arch = vm->cpu->arch;
    struct hv_host_state hs;
    hv_memset(&hs, 0, sizeof hs);
    hv_arch_read_host_state(arch, &hs);
    /* §25.5: host CR0/CR3/CR4 as the host runs; VM exit loads them (§28.5.1). CR4.VMXE is set (VMXON). */
    hv_vmwrite(vm, VMCS_HOST_CR0, hv_arch_read_cr0(arch));
    hv_vmwrite(vm, VMCS_HOST_CR3, hv_arch_read_cr3(arch));
    hv_vmwrite(vm, VMCS_HOST_CR4, hv_arch_read_cr4(arch));
    hv_vmwrite(vm, VMCS_HOST_CS_SELECTOR, hs.cs);
    hv_vmwrite(vm, VMCS_HOST_SS_SELECTOR, host_data_sel(hs.ss));
    hv_vmwrite(vm, VMCS_HOST_DS_SELECTOR, host_data_sel(hs.ds));
    hv_vmwrite(vm, VMCS_HOST_ES_SELECTOR, host_data_sel(hs.es));
    hv_vmwrite(vm, VMCS_HOST_FS_SELECTOR, host_data_sel(hs.fs));
    hv_vmwrite(vm, VMCS_HOST_GS_SELECTOR, host_data_sel(hs.gs));
    hv_vmwrite(vm, VMCS_HOST_TR_SELECTOR, hs.tr);
    hv_vmwrite(vm, VMCS_HOST_FS_BASE, hs.fs_base);
    hv_vmwrite(vm, VMCS_HOST_GS_BASE, hs.gs_base);
    hv_vmwrite(vm, VMCS_HOST_TR_BASE, hs.tr_base);
    hv_vmwrite(vm, VMCS_HOST_GDTR_BASE, hs.gdtr_base);
    hv_vmwrite(vm, VMCS_HOST_IDTR_BASE, hs.idtr_base);
    hv_vmwrite(vm, VMCS_HOST_IA32_SYSENTER_CS, rdmsr_or0(vm, MSR_IA32_SYSENTER_CS));
    hv_vmwrite(vm, VMCS_HOST_IA32_SYSENTER_ESP, rdmsr_or0(vm, MSR_IA32_SYSENTER_ESP));
    hv_vmwrite(vm, VMCS_HOST_IA32_SYSENTER_EIP, rdmsr_or0(vm, MSR_IA32_SYSENTER_EIP));
    if (ctl->exit & EXIT_LOAD_IA32_EFER) /* §25.5.2: loaded on exit when "load IA32_EFER" */
        hv_vmwrite(vm, VMCS_HOST_IA32_EFER, rdmsr_or0(vm, MSR_IA32_EFER));
    if (ctl->exit & EXIT_LOAD_IA32_PAT) {
        uint64_t pat = PAT_RESET;
        hv_arch_rdmsr(arch, MSR_IA32_PAT, &pat);
        hv_vmwrite(vm, VMCS_HOST_IA32_PAT, pat);
    }
    /* Where the exit lands: the platform's stub (struct hv_cpu, vm.h). */
    hv_vmwrite(vm, VMCS_HOST_RIP, vm->cpu->host_rip);
    hv_vmwrite(vm, VMCS_HOST_RSP, vm->cpu->host_rsp);
}

struct seg {
    uint32_t sel_enc, base_enc, limit_enc, ar_enc;
};
static const struct seg segs[] = {
    {VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR_BYTES},
    {VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR_BYTES},
    {VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR_BYTES},
    {VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR_BYTES},
    {VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR_BYTES},
    {VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR_BYTES},
};

static void write_seg(struct hv_vm *vm, const struct seg *s, uint16_t sel, uint64_t base, uint32_t limit,
                      uint32_t ar)
{
    hv_vmwrite(vm, s->sel_enc, sel);
    hv_vmwrite(vm, s->base_enc, base);
    hv_vmwrite(vm, s->limit_enc, limit);
    hv_vmwrite(vm, s->ar_enc, ar);
}

/* Access rights in the VMCS format (SDM Vol. 3 §25.4.1, Table 25-2). */
#define AR_CODE64 0xa09bu /* type 11 execute/read accessed, S, P, L = 1, G = 1 */
#define AR_DATA32 0xc093u /* type 3 read/write accessed, S, P, D/B = 1, G = 1 */
#define AR_CODE16 0x009bu /* real mode: type 11, S, P, 16-bit, byte granularity */
#define AR_DATA16 0x0093u /* real mode: type 3, S, P */
#define AR_TSS_BUSY 0x008bu /* type 11 busy TSS (64-bit in IA-32e mode, 32-bit otherwise), P (§27.3.1.2) */

/* Guest control registers: the wanted value made to fit the fixed bits (§27.3.1.1 checks CR0/CR4 against
 * IA32_VMX_CR0/CR4_FIXED0/1; with unrestricted guest CR0.PE and PG are exempt). */
static void write_guest_state(struct hv_vm *vm, const struct hv_caps *caps, const struct hv_controls *ctl)
{
    uint64_t size = vm->cfg.memory_size;
    bool real = vm->cfg.mode == HV_GUEST_REAL_MODE;
    uint64_t cr0_free = real ? (CR0_PE | CR0_PG) : 0; /* exempt under unrestricted guest (§27.3.1.1) */
    uint64_t cr0_want = real ? (CR0_ET | CR0_NE) : (CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG);
    uint64_t cr0 = ((cr0_want | (caps->cr0_fixed0 & ~cr0_free)) & caps->cr0_fixed1) & 0xffffffffull;
    uint64_t cr4_want = real ? CR4_VMXE : (CR4_PAE | CR4_VMXE);
    uint64_t cr4 = (cr4_want | caps->cr4_fixed0) & caps->cr4_fixed1;
    hv_vmwrite(vm, VMCS_GUEST_CR0, cr0);
    hv_vmwrite(vm, VMCS_GUEST_CR3, real ? 0 : HV_GUEST_PML4(size));
    hv_vmwrite(vm, VMCS_GUEST_CR4, cr4);

    /* Guest/host masks and read shadows (§25.6.6): the core owns every bit the fixed MSRs pin (the guest
     * may not change them) and CR4.VMXE, which the guest reads as 0 (it has no VMX). A guest write that
     * would change an owned bit against its shadow exits (CR-access handler). */
    uint64_t cr0_mask = (caps->cr0_fixed0 & ~cr0_free) | ~caps->cr0_fixed1;
    uint64_t cr4_mask = caps->cr4_fixed0 | ~caps->cr4_fixed1 | CR4_VMXE;
    uint64_t cr0_shadow = real ? CR0_ET : cr0; /* real mode: the guest believes it is at reset (NE = 0) */
    hv_vmwrite(vm, VMCS_CR0_GUEST_HOST_MASK, cr0_mask);
    hv_vmwrite(vm, VMCS_CR0_READ_SHADOW, cr0_shadow & cr0_mask);
    hv_vmwrite(vm, VMCS_CR4_GUEST_HOST_MASK, cr4_mask);
    hv_vmwrite(vm, VMCS_CR4_READ_SHADOW, cr4 & cr4_mask & ~CR4_VMXE);

    hv_vmwrite(vm, VMCS_GUEST_DR7, 0x400); /* DR7 at reset (§18.2.4); bits 63:32 must be 0 (§27.3.1.1) */
    hv_vmwrite(vm, VMCS_GUEST_RSP, vm->cfg.stack);
    hv_vmwrite(vm, VMCS_GUEST_RIP, vm->cfg.entry);
    hv_vmwrite(vm, VMCS_GUEST_RFLAGS, RFLAGS_FIXED1); /* IF = 0: the guest enables interrupts itself */

    if (real) {
        /* Real mode (unrestricted guest): selector 0, base 0, 64-KiB limits; CS base 0 so IP = entry. */
        write_seg(vm, &segs[0], 0, 0, 0xffff, AR_CODE16);
        for (int i = 1; i < 6; i++)
            write_seg(vm, &segs[i], 0, 0, 0xffff, AR_DATA16);
        hv_vmwrite(vm, VMCS_GUEST_TR_SELECTOR, 0);
        hv_vmwrite(vm, VMCS_GUEST_TR_BASE, 0);
        hv_vmwrite(vm, VMCS_GUEST_TR_LIMIT, 0xffff);
        hv_vmwrite(vm, VMCS_GUEST_TR_AR_BYTES, AR_TSS_BUSY);
        hv_vmwrite(vm, VMCS_GUEST_GDTR_BASE, 0);
        hv_vmwrite(vm, VMCS_GUEST_GDTR_LIMIT, 0xffff);
        hv_vmwrite(vm, VMCS_GUEST_IDTR_BASE, 0); /* the real-mode interrupt vector table */
        hv_vmwrite(vm, VMCS_GUEST_IDTR_LIMIT, 0x3ff);
    } else {
        /* 64-bit: the GDT the core built (guest_mem.h) and matching cached segment state. */
        write_seg(vm, &segs[0], HV_GUEST_SEL_CODE, 0, 0xffffffffu, AR_CODE64);
        for (int i = 1; i < 6; i++)
            write_seg(vm, &segs[i], HV_GUEST_SEL_DATA, 0, 0xffffffffu, AR_DATA32);
        hv_vmwrite(vm, VMCS_GUEST_TR_SELECTOR, HV_GUEST_SEL_TSS);
        hv_vmwrite(vm, VMCS_GUEST_TR_BASE, HV_GUEST_TSS(size));
        hv_vmwrite(vm, VMCS_GUEST_TR_LIMIT, HV_GUEST_TSS_LIMIT);
        hv_vmwrite(vm, VMCS_GUEST_TR_AR_BYTES, AR_TSS_BUSY);
        hv_vmwrite(vm, VMCS_GUEST_GDTR_BASE, HV_GUEST_GDT(size));
        hv_vmwrite(vm, VMCS_GUEST_GDTR_LIMIT, HV_GUEST_GDT_LIMIT);
        hv_vmwrite(vm, VMCS_GUEST_IDTR_BASE, HV_GUEST_IDT(size));
        hv_vmwrite(vm, VMCS_GUEST_IDTR_LIMIT, HV_GUEST_IDT_LIMIT);
    }
    /* LDTR unusable (AR bit 16, §25.4.1): no LDT. */
    hv_vmwrite(vm, VMCS_GUEST_LDTR_SELECTOR, 0);
    hv_vmwrite(vm, VMCS_GUEST_LDTR_BASE, 0);
    hv_vmwrite(vm, VMCS_GUEST_LDTR_LIMIT, 0);
    hv_vmwrite(vm, VMCS_GUEST_LDTR_AR_BYTES, AR_UNUSABLE);

    if (ctl->entry & ENTRY_LOAD_IA32_EFER) /* LMA = LME = "IA-32e mode guest" (§27.3.1.1) */
        hv_vmwrite(vm, VMCS_GUEST_IA32_EFER, real ? 0 : (EFER_LME | EFER_LMA));
    if (ctl->entry & ENTRY_LOAD_IA32_PAT)
        hv_vmwrite(vm, VMCS_GUEST_IA32_PAT, PAT_RESET);
    hv_vmwrite(vm, VMCS_GUEST_IA32_DEBUGCTL, 0);
    hv_vmwrite(vm, VMCS_GUEST_IA32_SYSENTER_CS, 0);
    hv_vmwrite(vm, VMCS_GUEST_IA32_SYSENTER_ESP, 0);
    hv_vmwrite(vm, VMCS_GUEST_IA32_SYSENTER_EIP, 0);
    hv_vmwrite(vm, VMCS_VMCS_LINK_POINTER, ~0ull); /* no shadow VMCS (§25.4.2, §27.3.1.5) */
    hv_vmwrite(vm, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
    hv_vmwrite(vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, 0);
    hv_vmwrite(vm, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

static void write_controls(struct hv_vm *vm, const struct hv_controls *ctl)
{
    hv_vmwrite(vm, VMCS_PIN_BASED_VM_EXEC_CONTROL, ctl->pin);
    hv_vmwrite(vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL, ctl->proc);
    if (ctl->proc & PROC_ACTIVATE_SECONDARY_CONTROLS) /* the field exists only then on some CPUs (§25.6.2) */
        hv_vmwrite(vm, VMCS_SECONDARY_PROC_BASED_VM_EXEC_CONTROL, ctl->proc2);
    hv_vmwrite(vm, VMCS_PRIMARY_VM_EXIT_CONTROLS, ctl->exit);
    hv_vmwrite(vm, VMCS_VM_ENTRY_CONTROLS, ctl->entry);
    hv_vmwrite(vm, VMCS_EXCEPTION_BITMAP, HV_EXCEPTION_BITMAP);
    hv_vmwrite(vm, VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0);
    hv_vmwrite(vm, VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0);
    hv_vmwrite(vm, VMCS_CR3_TARGET_COUNT, 0);
    hv_vmwrite(vm, VMCS_TSC_OFFSET, 0);
    hv_vmwrite(vm, VMCS_VM_ENTRY_INTERRUPTION_INFO, 0);
    hv_vmwrite(vm, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
    hv_vmwrite(vm, VMCS_VM_ENTRY_INSTRUCTION_LENGTH, 0);
    /* I/O bitmaps A (ports 0-7FFFH) and B (8000H-FFFFH), §25.6.4: all ones, every port exits, so unclaimed
     * ports are emulated (IN reads all ones, OUT dropped) and never reach host hardware. Pass-through set:
     * none. */
    hv_vmwrite(vm, VMCS_IO_BITMAP_A, vm->io_bitmap_a);
    hv_vmwrite(vm, VMCS_IO_BITMAP_B, vm->io_bitmap_b);
    hv_vmwrite(vm, VMCS_MSR_BITMAP, vm->msr_bitmap); /* §25.6.9; filled by hv_msr_bitmap_fill */
    /* MSR switching (§25.7.2, §25.8.2): VM entry loads the guest values, VM exit stores the guest values to the
     * same area and loads the host's. 16-byte aligned (page aligned here), §27.2.1.2. */
    hv_vmwrite(vm, VMCS_VM_ENTRY_MSR_LOAD_ADDR, vm->msr_area_guest);
    hv_vmwrite(vm, VMCS_VM_ENTRY_MSR_LOAD_COUNT, vm->msr_area_count);
    hv_vmwrite(vm, VMCS_VM_EXIT_MSR_STORE_ADDR, vm->msr_area_guest);
    hv_vmwrite(vm, VMCS_VM_EXIT_MSR_STORE_COUNT, vm->msr_area_count);
    hv_vmwrite(vm, VMCS_VM_EXIT_MSR_LOAD_ADDR, vm->msr_area_host);
    hv_vmwrite(vm, VMCS_VM_EXIT_MSR_LOAD_COUNT, vm->msr_area_count);
    /* EPTP (§25.6.11): WB paging structures, the walk length of vm->ept_levels, A/D off (ept.c). */
    if (ctl->proc2 & PROC2_ENABLE_EPT)
        hv_vmwrite(vm, VMCS_EPT_POINTER, vm->eptp);
    if (ctl->proc2 & PROC2_ENABLE_VPID)
        hv_vmwrite(vm, VMCS_VIRTUAL_PROCESSOR_ID, vm->vpid);
    if (ctl->proc2 & PROC2_ENABLE_XSAVES_XRSTORS)
        hv_vmwrite(vm, VMCS_XSS_EXITING_BITMAP, 0); /* §25.6.20: XSAVES/XRSTORS never exit for IA32_XSS bits */
}

enum hv_err hv_vmcs_setup(struct hv_vm *vm, const struct hv_caps *caps, const struct hv_controls *ctl)
{
    struct hv_arch_cpu *arch = vm->cpu->arch;
    /* VMCLEAR initializes the region and its launch state "clear" (§25.11.3); VMPTRLD makes it current. */
    const char *insn = "VMCLEAR";
    struct hv_vmx_result r = hv_arch_vmclear(arch, vm->vmcs);
    if (r.status == HV_VMSUCCEED) {
        insn = "VMPTRLD";
        r = hv_arch_vmptrld(arch, vm->vmcs);
    }
    if (r.status != HV_VMSUCCEED) {
        hv_describe_vmx_result(vm->message, sizeof vm->message, insn, r);
        return HV_ERR_VMX_INSTRUCTION;
    }
    vm->cpu->current_vmcs = vm->vmcs;
    vm->msr_area_count = fill_msr_areas(vm, ctl);
    hv_msr_bitmap_pass_switched(vm);
    write_controls(vm, ctl);
    write_host_state(vm, ctl);
    write_guest_state(vm, caps, ctl);
    return vm->dead ? HV_ERR_VMX_INSTRUCTION : HV_OK; /* hv_vmwrite named the field in vm->message */
}
