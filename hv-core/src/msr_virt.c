/* The MSR policy: which guest RDMSR/WRMSR exit (the MSR bitmap), and what an exiting access does.
 *
 * The MSR bitmap (SDM Vol. 3 §25.6.9) covers MSRs 0-1FFFH and C0000000H-C0001FFFH; an access to any other
 * MSR always exits (§26.1.3). Every access exits except to the MSRs whose guest value the processor itself
 * switches, where the processor register *is* the guest's while the guest runs, so passing them through
 * exposes and changes nothing of the host's:
 *   - SYSENTER_CS/ESP/EIP, FS_BASE, GS_BASE: VM entry loads them from the VMCS guest-state area and VM exit
 *     saves them back (SDM Vol. 3 §27.3.2.1, §28.3.1-§28.3.3), and VM exit loads the host's (§28.5.1);
 *   - the MSRs of the VM's MSR-switch areas (the SYSCALL MSRs, KERNEL_GS_BASE, TSC_AUX, those the processor
 *     has: vmcs_setup.c): the VM-entry MSR-load / VM-exit MSR-store / VM-exit MSR-load areas (§25.7.2,
 *     §25.8.2, §28.4) switch them;
 *   - reads of IA32_TIME_STAMP_COUNTER, which "use TSC offsetting" offsets (§26.3).
 * Every other MSR — MTRRs, performance counters, thermal and power controls, anything a guest could use to
 * change the host's processor or read its state — exits (found on Bochs by the bootable build's
 * hostile-msr test: a guest WRMSR to IA32_MTRR_DEF_TYPE changed the host's value when the bitmap still
 * passed unlisted MSRs through). The core then emulates:
 *
 *   MSR                         read                         write
 *   IA32_TIME_STAMP_COUNTER     pass through (TSC offset)    exit: sets the VMCS TSC offset (never the host TSC)
 *   IA32_APIC_BASE              exit: virtual value          exit: virtual value, reserved bits -> #GP
 *   IA32_FEATURE_CONTROL        exit: "locked, VMX off"      exit: #GP (locked)
 *   IA32_SMM_MONITOR_CTL        exit: 0                      exit: #GP (no dual-monitor for guests)
 *   IA32_BIOS_UPDT_TRIG         exit: #GP                    exit: dropped (no microcode loads from a guest)
 *   IA32_MISC_ENABLE            exit: virtual value          exit: only the writable bits may change
 *   IA32_DEBUGCTL               exit: VMCS guest field       exit: VMCS guest field, LBR/BTF only
 *   IA32_PAT                    exit: VMCS guest field       exit: VMCS guest field, memory types checked
 *   IA32_EFER                   exit: VMCS guest field       exit: LME/LMA/CR0.PG consistency, VMCS field
 *   IA32_VMX_* (480H-493H)      exit: #GP                    exit: #GP (VMX is hidden from the guest)
 *   x2APIC (800H-8FFH)          exit: #GP                    exit: #GP (x2APIC is hidden from the guest)
 *   any other                   exit: #GP                    exit: #GP
 *
 * When an exit for a passed-through MSR arrives anyway (the sim can force any exit), the handler still does
 * the right thing: the VMCS guest field or the switch area's slot. The core never reads a host MSR for the
 * guest, nor writes one on its behalf. */
#include "exits/exits.h"

#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

#define MSR_IA32_APIC_BASE 0x01bu  /* SDM Vol. 4 Table 2-2; Vol. 3 §11.4.4 */
#define MSR_IA32_MISC_ENABLE 0x1a0u /* SDM Vol. 4 Table 2-2 */
#define MSR_IA32_DEBUGCTL 0x1d9u    /* SDM Vol. 4 Table 2-2; Vol. 3 §19.4.1 */

/* IA32_APIC_BASE (SDM Vol. 3 §11.4.4 Figure 11-5): bit 8 BSP, bit 10 x2APIC enable (EXTD), bit 11 global
 * enable, bits MAXPHYADDR-1:12 base; bits 7:0 and 9 reserved. x2APIC is hidden, so EXTD is reserved too. */
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
/* IA32_FEATURE_CONTROL as the guest sees it: locked, VMX disabled in and outside SMX (SDM Vol. 3 §24.7). */
#define GUEST_FEATURE_CONTROL FEATURE_CONTROL_LOCK
/* IA32_MISC_ENABLE bits a guest may change (SDM Vol. 4 Table 2-2): 0 fast strings, 3 automatic thermal
 * control, 7 performance monitoring available is RO, 16 enhanced SpeedStep, 18 MONITOR FSM, 22 limit CPUID
 * maxval, 23 xTPR message disable, 34 XD bit disable. Every other bit must be written back unchanged. */
#define MISC_ENABLE_WRITABLE ((1ull << 0) | (1ull << 3) | (1ull << 16) | (1ull << 18) | (1ull << 22) | \
                              (1ull << 23) | (1ull << 34))
/* IA32_DEBUGCTL (SDM Vol. 3 §19.4.1 Figure 19-3): the core lets the guest use LBR (bit 0) and BTF (bit 1);
 * tracing to memory (TR, BTS, ...) would need host buffers and is refused with #GP. */
#define DEBUGCTL_LBR (1ull << 0)
#define GUEST_DEBUGCTL_ALLOWED (DEBUGCTL_LBR | DEBUGCTL_BTF)

/* ---- the bitmap ------------------------------------------------------------------------------------------ */

/* MSR bitmap layout (SDM Vol. 3 §25.6.9): read-low (0-1FFFH) at byte 0, read-high (C0000000H-C0001FFFH) at
 * 1024, write-low at 2048, write-high at 3072; bit n of a 1-KiB quarter is MSR base+n. */
static void pass_through(uint8_t *bitmap, uint32_t msr, bool read, bool write)
{
    unsigned base;
    if (msr <= 0x1fffu)
        base = 0;
    else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
        base = 1024, msr -= 0xc0000000u;
    else
        return; /* outside the ranges every access exits (§26.1.3) */
    if (read)
        bitmap[base + msr / 8] &= (uint8_t)~(1u << (msr % 8));
    if (write)
        bitmap[2048 + base + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

void hv_msr_bitmap_fill(struct hv_vm *vm, uint8_t *bitmap)
{
    (void)vm; /* the policy is the same for every VM today; vm is here for per-VM policies */
    hv_memset(bitmap, 0xff, HV_PAGE_SIZE); /* every access exits ... */
    static const uint32_t vmcs_switched[] = {MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
                                             MSR_IA32_FS_BASE, MSR_IA32_GS_BASE};
    for (unsigned i = 0; i < sizeof vmcs_switched / sizeof vmcs_switched[0]; i++)
        pass_through(bitmap, vmcs_switched[i], true, true); /* ... but what VM entry and exit switch */
    pass_through(bitmap, MSR_IA32_TIME_STAMP_COUNTER, true, false);
}

void hv_msr_bitmap_pass_switched(struct hv_vm *vm)
{
    uint8_t *bitmap = vm->msr_bitmap ? hv_vm_page_ptr(vm, vm->msr_bitmap) : NULL;
    uint8_t *area = vm->msr_area_guest ? hv_vm_page_ptr(vm, vm->msr_area_guest) : NULL;
    if (!bitmap || !area)
        return;
    uint32_t n = vm->msr_area_count;
    if (n > HV_PAGE_SIZE / 16)
        n = HV_PAGE_SIZE / 16;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx;
        hv_memcpy(&idx, area + 16 * i, sizeof idx); /* entry bits 31:0: the MSR index (§25.7.2) */
        pass_through(bitmap, idx, true, true);
    }
}

/* ---- helpers --------------------------------------------------------------------------------------------- */

/* CPUID.80000008H:EAX: bits 7:0 physical-address width, bits 15:8 linear-address width (SDM Vol. 2 CPUID). */
unsigned hv_cpu_addr_width(struct hv_vm *vm, bool linear)
{
    struct hv_cpuid_regs r = {0};
    hv_arch_cpuid(vm->cpu->arch, 0x80000008u, 0, &r);
    unsigned w = linear ? (r.eax >> 8) & 0xffu : r.eax & 0xffu;
    if (w < 32 || w > 63)
        w = linear ? 48 : 36; /* the SDM's defaults when the leaf is absent */
    return w;
}

bool hv_guest_canonical(struct hv_vm *vm, uint64_t addr)
{
    unsigned w = hv_cpu_addr_width(vm, true);
    if (w >= 64)
        return true;
    int64_t s = (int64_t)(addr << (64 - w)) >> (64 - w);
    return (uint64_t)s == addr;
}

/* The guest value of an MSR the VM-entry MSR-load / VM-exit MSR-store area switches (SDM Vol. 3 §25.7.2,
 * §25.8.2: 16-byte entries, bits 31:0 the index, 127:64 the value). NULL when the area does not hold it. */
uint64_t *hv_msr_area_slot(struct hv_vm *vm, uint32_t msr)
{
    if (!vm->msr_area_guest || vm->msr_area_count == 0)
        return NULL;
    uint8_t *area = hv_vm_page_ptr(vm, vm->msr_area_guest);
    if (!area)
        return NULL;
    uint32_t n = vm->msr_area_count;
    if (n > HV_PAGE_SIZE / 16)
        n = HV_PAGE_SIZE / 16; /* one page: never read past it whatever the count says */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx;
        hv_memcpy(&idx, area + 16 * i, sizeof idx);
        if (idx == msr)
            return (uint64_t *)(void *)(area + 16 * i + 8);
    }
    return NULL;
}

/* CPUID bit the guest sees (through the profile: the core never exposes a feature the processor lacks). */
static bool cpu_has(struct hv_vm *vm, uint32_t leaf, int reg, uint32_t bit)
{
    struct hv_cpuid_regs r = {0};
    hv_arch_cpuid(vm->cpu->arch, leaf & 0x80000000u, 0, &r);
    if (r.eax < leaf)
        return false;
    hv_arch_cpuid(vm->cpu->arch, leaf, 0, &r);
    uint32_t v = reg == 0 ? r.eax : reg == 1 ? r.ebx : reg == 2 ? r.ecx : r.edx;
    return (v & bit) != 0;
}

/* PAT entries: UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7 (SDM Vol. 3 §13.12.2; others -> WRMSR #GP). */
static bool pat_valid(uint64_t pat)
{
    for (unsigned i = 0; i < 8; i++) {
        uint8_t t = (uint8_t)(pat >> (8 * i));
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

/* ---- RDMSR ----------------------------------------------------------------------------------------------- */

bool hv_msr_read(struct hv_vm *vm, uint32_t msr, uint64_t *value)
{
    *value = 0;
    if (msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_EXIT_CTLS2)
        return false; /* VMX is hidden (CPUID.1:ECX.VMX = 0), so its capability MSRs do not exist */
    if (msr >= MSR_IA32_X2APIC_FIRST && msr <= MSR_IA32_X2APIC_LAST)
        return false; /* x2APIC hidden: x2APIC MSRs #GP unless IA32_APIC_BASE.EXTD (SDM Vol. 3 §11.12.1.3) */
    switch (msr) {
    case MSR_IA32_FEATURE_CONTROL:
        *value = GUEST_FEATURE_CONTROL;
        return true;
    case MSR_IA32_SMM_MONITOR_CTL:
        *value = 0;
        return true;
    case MSR_IA32_APIC_BASE:
        *value = vm->guest_apic_base;
        return true;
    case MSR_IA32_MISC_ENABLE:
        *value = vm->guest_misc_enable;
        return true;
    case MSR_IA32_TIME_STAMP_COUNTER:
        *value = hv_guest_tsc(vm);
        return true;
    case MSR_IA32_DEBUGCTL:
        *value = hv_vmread(vm, VMCS_GUEST_IA32_DEBUGCTL);
        return true;
    case MSR_IA32_SYSENTER_CS:
        *value = hv_vmread(vm, VMCS_GUEST_IA32_SYSENTER_CS);
        return true;
    case MSR_IA32_SYSENTER_ESP:
        *value = hv_vmread(vm, VMCS_GUEST_IA32_SYSENTER_ESP);
        return true;
    case MSR_IA32_SYSENTER_EIP:
        *value = hv_vmread(vm, VMCS_GUEST_IA32_SYSENTER_EIP);
        return true;
    case MSR_IA32_FS_BASE:
        *value = hv_vmread(vm, VMCS_GUEST_FS_BASE);
        return true;
    case MSR_IA32_GS_BASE:
        *value = hv_vmread(vm, VMCS_GUEST_GS_BASE);
        return true;
    case MSR_IA32_EFER:
        if (vm->entry_ctls & ENTRY_LOAD_IA32_EFER) {
            *value = hv_vmread(vm, VMCS_GUEST_IA32_EFER);
            return true;
        }
        break;
    case MSR_IA32_TSC_AUX: {
        uint64_t *slot = hv_msr_area_slot(vm, msr);
        *value = slot ? *slot : vm->tsc_aux;
        return true;
    }
    case MSR_IA32_PAT:
        if (vm->entry_ctls & ENTRY_LOAD_IA32_PAT) {
            *value = hv_vmread(vm, VMCS_GUEST_IA32_PAT);
            return true;
        }
        break;
    default:
        break;
    }
    uint64_t *slot = hv_msr_area_slot(vm, msr);
    if (slot) {
        *value = *slot;
        return true;
    }
    return false; /* an MSR the core does not virtualize: #GP, never the host's value */
}

/* ---- WRMSR ----------------------------------------------------------------------------------------------- */

static bool write_apic_base(struct hv_vm *vm, uint64_t v)
{
    uint64_t phys_mask = ~0ull << hv_cpu_addr_width(vm, false);
    uint64_t reserved = 0xffull | (1ull << 9) | APIC_BASE_EXTD | phys_mask;
    if (v & reserved)
        return false;
    vm->guest_apic_base = v;
    return true;
}

/* WRMSR IA32_EFER (SDM Vol. 2 WRMSR; Vol. 3 §10.8.5): reserved bits #GP (SCE needs SYSCALL, NXE needs NX,
 * LME needs long mode); changing LME while CR0.PG = 1 #GPs; LMA is read-only (the written bit is ignored). */
static bool write_efer(struct hv_vm *vm, uint64_t v)
{
    uint64_t valid = EFER_LMA;
    if (cpu_has(vm, 0x80000001u, 3, CPUID80000001_EDX_SYSCALL))
        valid |= EFER_SCE;
    if (cpu_has(vm, 0x80000001u, 3, CPUID80000001_EDX_NX))
        valid |= EFER_NXE;
    if (cpu_has(vm, 0x80000001u, 3, 1u << 29)) /* CPUID.80000001H:EDX[29] Intel 64 */
        valid |= EFER_LME;
    if (v & ~valid)
        return false;
    uint64_t *slot = NULL;
    uint64_t cur;
    if (vm->entry_ctls & ENTRY_LOAD_IA32_EFER) {
        cur = hv_vmread(vm, VMCS_GUEST_IA32_EFER);
    } else {
        slot = hv_msr_area_slot(vm, MSR_IA32_EFER);
        if (!slot)
            return false; /* no place to keep a guest EFER: refuse rather than write the host's */
        cur = *slot;
    }
    if ((hv_vmread(vm, VMCS_GUEST_CR0) & CR0_PG) && ((cur ^ v) & EFER_LME))
        return false;
    uint64_t nv = (v & ~EFER_LMA) | (cur & EFER_LMA);
    if (slot)
        *slot = nv;
    else
        hv_vmwrite(vm, VMCS_GUEST_IA32_EFER, nv);
    return true;
}

void hv_guest_efer_store(struct hv_vm *vm, uint64_t efer)
{
    uint64_t *slot;
    if (vm->entry_ctls & ENTRY_LOAD_IA32_EFER)
        hv_vmwrite(vm, VMCS_GUEST_IA32_EFER, efer);
    else if ((slot = hv_msr_area_slot(vm, MSR_IA32_EFER)) != NULL)
        *slot = efer;
}

bool hv_msr_write(struct hv_vm *vm, uint32_t msr, uint64_t v)
{
    if (msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_EXIT_CTLS2)
        return false; /* read-only capability MSRs, and hidden besides (SDM Vol. 3 Appendix A) */
    if (msr >= MSR_IA32_X2APIC_FIRST && msr <= MSR_IA32_X2APIC_LAST)
        return false;
    switch (msr) {
    case MSR_IA32_FEATURE_CONTROL:
        return false; /* locked: WRMSR #GPs (SDM Vol. 3 §24.7) */
    case MSR_IA32_SMM_MONITOR_CTL:
        return false;
    case MSR_IA32_BIOS_UPDT_TRIG:
        return true; /* dropped: a guest does not load microcode into the host's processor */
    case MSR_IA32_APIC_BASE:
        return write_apic_base(vm, v);
    case MSR_IA32_MISC_ENABLE:
        if ((v ^ vm->guest_misc_enable) & ~MISC_ENABLE_WRITABLE)
            return false;
        vm->guest_misc_enable = v;
        return true;
    case MSR_IA32_TIME_STAMP_COUNTER: {
        /* Writing the TSC sets the guest's view only: offset = value - host TSC (SDM Vol. 3 §26.3, RDTSC
         * with "use TSC offsetting"). Without offsetting the write is dropped: the host TSC is not the
         * guest's to set. */
        if (vm->proc & PROC_USE_TSC_OFFSETTING) {
            uint64_t host = 0;
            hv_arch_rdmsr(vm->cpu->arch, MSR_IA32_TIME_STAMP_COUNTER, &host);
            hv_vmwrite(vm, VMCS_TSC_OFFSET, v - host);
        }
        return true;
    }
    case MSR_IA32_DEBUGCTL:
        if (v & ~GUEST_DEBUGCTL_ALLOWED)
            return false;
        hv_vmwrite(vm, VMCS_GUEST_IA32_DEBUGCTL, v);
        return true;
    case MSR_IA32_SYSENTER_CS:
        hv_vmwrite(vm, VMCS_GUEST_IA32_SYSENTER_CS, v & 0xffffffffull);
        return true;
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
    case MSR_IA32_FS_BASE:
    case MSR_IA32_GS_BASE: {
        if (!hv_guest_canonical(vm, v))
            return false; /* WRMSR #GPs on a non-canonical address (SDM Vol. 2 WRMSR) */
        uint32_t field = msr == MSR_IA32_SYSENTER_ESP ? VMCS_GUEST_IA32_SYSENTER_ESP
                         : msr == MSR_IA32_SYSENTER_EIP ? VMCS_GUEST_IA32_SYSENTER_EIP
                         : msr == MSR_IA32_FS_BASE      ? VMCS_GUEST_FS_BASE
                                                        : VMCS_GUEST_GS_BASE;
        hv_vmwrite(vm, field, v);
        return true;
    }
    case MSR_IA32_EFER:
        return write_efer(vm, v);
    case MSR_IA32_TSC_AUX: {
        if (v >> 32)
            return false; /* bits 63:32 reserved (SDM Vol. 4 Table 2-2) */
        uint64_t *slot = hv_msr_area_slot(vm, msr);
        if (slot)
            *slot = v;
        else
            vm->tsc_aux = v;
        return true;
    }
    case MSR_IA32_PAT:
        if (!pat_valid(v))
            return false;
        if (vm->entry_ctls & ENTRY_LOAD_IA32_PAT) {
            hv_vmwrite(vm, VMCS_GUEST_IA32_PAT, v);
            return true;
        }
        break;
    default:
        break;
    }
    uint64_t *slot = hv_msr_area_slot(vm, msr);
    if (slot) {
        /* KERNEL_GS_BASE, LSTAR, ... hold addresses; the processor would #GP a non-canonical one. */
        if ((msr == MSR_IA32_KERNEL_GS_BASE || msr == MSR_IA32_LSTAR || msr == MSR_IA32_CSTAR) &&
            !hv_guest_canonical(vm, v))
            return false;
        *slot = v;
        return true;
    }
    /* An exit the bitmap did not ask for (inside the ranges the bitmap passes it through, so only a forced
     * or hostile report gets here) or an MSR outside the ranges the core does not know: #GP. The core never
     * writes a host MSR on a guest's behalf. */
    return false;
}
