/* Control-register accesses (exit reason 28; which MOVs exit: SDM Vol. 3 §26.1.3 — MOV to CR0/CR4 when a
 * bit set in the guest/host mask would differ from the read shadow, MOV to/from CR3 with CR3-load/store
 * exiting, MOV to/from CR8 with CR8-load/store exiting, CLTS when CR0.TS is host-owned and shadowed 1, LMSW
 * when a host-owned bit 3:0 would change).
 *
 * Exit qualification (SDM Vol. 3 §28.2.1, Table 28-3):
 *   bits 3:0 control register; bits 5:4 access type (0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW);
 *   bit 6 LMSW operand type; bits 11:8 general-purpose register (MOV CR); bits 31:16 LMSW source data.
 *
 * Guest/host masks (SDM Vol. 3 §25.6.6): bits set in the mask are host-owned; the guest reads them from the
 * read shadow. A guest write therefore stores the guest's value in the read shadow (what it will read back)
 * and the value the processor really runs with in the guest CR field: the guest's value with the bits VMX
 * operation requires forced (IA32_VMX_CR0/CR4_FIXED0 = 1, FIXED1 = 0; SDM Vol. 3 §A.7, §A.8; with
 * "unrestricted guest" CR0.PE and CR0.PG are the guest's own, §27.3.1.1). Values the processor would
 * reject get #GP(0) and change nothing (SDM Vol. 2 MOV—Move to/from Control Registers, Protected Mode and
 * 64-Bit Mode Exceptions). */
#include "exits.h"

#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

#define CRQ_CR(q) ((unsigned)(q)&0xfu)
#define CRQ_TYPE(q) ((unsigned)((q) >> 4) & 3u)
#define CRQ_GPR(q) ((unsigned)((q) >> 8) & 0xfu)
#define CRQ_LMSW_DATA(q) ((uint16_t)((q) >> 16))
#define CRQ_MOV_TO 0u
#define CRQ_MOV_FROM 1u
#define CRQ_CLTS 2u
#define CRQ_LMSW 3u

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
/* CR0 bits with a meaning (SDM Vol. 3 §2.5): PE MP EM TS ET NE (5:0), WP (16), AM (18), NW CD PG (31:29).
 * The other bits of 31:0 are reserved and written as 0; bits 63:32 must be 0 (#GP). */
#define CR0_DEFINED 0xe005003full
#define CR4_PSE (1ull << 4)
#define CR4_PGE (1ull << 7)
#define CR4_SMEP (1ull << 20)
#define CR3_PCID_NOFLUSH (1ull << 63)

uint64_t hv_guest_cr0_view(struct hv_vm *vm)
{
    uint64_t mask = hv_vmread(vm, VMCS_CR0_GUEST_HOST_MASK);
    return (hv_vmread(vm, VMCS_GUEST_CR0) & ~mask) | (hv_vmread(vm, VMCS_CR0_READ_SHADOW) & mask);
}

uint64_t hv_guest_cr4_view(struct hv_vm *vm)
{
    uint64_t mask = hv_vmread(vm, VMCS_CR4_GUEST_HOST_MASK);
    return (hv_vmread(vm, VMCS_GUEST_CR4) & ~mask) | (hv_vmread(vm, VMCS_CR4_READ_SHADOW) & mask);
}

bool hv_guest_in_64bit_mode(struct hv_vm *vm)
{
    return (vm->entry_ctls & ENTRY_IA32E_MODE_GUEST) &&
           (hv_vmread(vm, VMCS_GUEST_CS_AR_BYTES) & AR_L);
}

unsigned hv_guest_cpl(struct hv_vm *vm)
{
    return AR_DPL(hv_vmread(vm, VMCS_GUEST_SS_AR_BYTES));
}

static uint64_t cap_msr(struct hv_vm *vm, uint32_t msr)
{
    uint64_t v = 0;
    hv_arch_rdmsr(vm->cpu->arch, msr, &v);
    return v;
}

static bool unrestricted(const struct hv_vm *vm)
{
    return (vm->proc & PROC_ACTIVATE_SECONDARY_CONTROLS) && (vm->proc2 & PROC2_UNRESTRICTED_GUEST);
}

static bool ept_on(const struct hv_vm *vm)
{
    return (vm->proc & PROC_ACTIVATE_SECONDARY_CONTROLS) && (vm->proc2 & PROC2_ENABLE_EPT);
}

static uint64_t guest_efer(struct hv_vm *vm)
{
    uint64_t efer = 0;
    hv_msr_read(vm, MSR_IA32_EFER, &efer);
    return efer;
}

/* PAE paging with EPT: VM entry takes the PDPTEs from the VMCS (SDM Vol. 3 §27.3.2.4), so a write that
 * (re)loads them — MOV to CR3, or CR0/CR4 changes entering PAE paging (SDM Vol. 3 §4.4.1) — loads them from
 * guest memory here. A PDPTE with P = 1 and a reserved bit set (bits 2:1, 8:5, 63:MAXPHYADDR) makes the MOV
 * #GP, as does a CR3 that is not guest RAM (the processor would read all ones). */
static bool load_pdptes(struct hv_vm *vm, uint64_t cr3)
{
    if (!ept_on(vm))
        return true;
    uint64_t pdpte[4];
    if (!hv_gpa_read(vm, cr3 & 0xffffffe0ull, pdpte, sizeof pdpte))
        return false;
    uint64_t reserved = 0x1e6ull | (~0ull << hv_cpu_addr_width(vm, false));
    for (unsigned i = 0; i < 4; i++)
        if ((pdpte[i] & 1) && (pdpte[i] & reserved))
            return false;
    hv_vmwrite(vm, VMCS_GUEST_PDPTE0, pdpte[0]);
    hv_vmwrite(vm, VMCS_GUEST_PDPTE1, pdpte[1]);
    hv_vmwrite(vm, VMCS_GUEST_PDPTE2, pdpte[2]);
    hv_vmwrite(vm, VMCS_GUEST_PDPTE3, pdpte[3]);
    return true;
}

static bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LME);
}

/* MOV to CR0 (also the end of CLTS and LMSW). false: #GP(0). */
static bool write_cr0(struct hv_vm *vm, uint64_t v)
{
    if (v >> 32)
        return false; /* bits 63:32 reserved */
    v &= CR0_DEFINED;
    v |= CR0_ET; /* hardwired to 1 (SDM Vol. 3 §2.5) */
    if ((v & CR0_PG) && !(v & CR0_PE))
        return false;
    if ((v & CR0_NW) && !(v & CR0_CD))
        return false;
    uint64_t cur = hv_guest_cr0_view(vm), cr4 = hv_guest_cr4_view(vm), efer = guest_efer(vm);
    bool pg_on = (v & CR0_PG) && !(cur & CR0_PG), pg_off = !(v & CR0_PG) && (cur & CR0_PG);
    if (pg_on && (efer & EFER_LME)) {
        /* Activating IA-32e mode needs CR4.PAE = 1 (SDM Vol. 3 §10.8.5) and CS.L = 0. */
        if (!(cr4 & CR4_PAE) || (hv_vmread(vm, VMCS_GUEST_CS_AR_BYTES) & AR_L))
            return false;
    }
    if (pg_off && (hv_guest_in_64bit_mode(vm) || (cr4 & CR4_PCIDE)))
        return false;
    if (pae_paging(v, cr4, efer) && (pg_on || ((v ^ cur) & (CR0_CD | CR0_NW))) &&
        !load_pdptes(vm, hv_vmread(vm, VMCS_GUEST_CR3)))
        return false;

    uint64_t fixed0 = cap_msr(vm, MSR_IA32_VMX_CR0_FIXED0), fixed1 = cap_msr(vm, MSR_IA32_VMX_CR0_FIXED1);
    if (unrestricted(vm))
        fixed0 &= ~(CR0_PE | CR0_PG);
    hv_vmwrite(vm, VMCS_GUEST_CR0, (v | fixed0) & fixed1);
    hv_vmwrite(vm, VMCS_CR0_READ_SHADOW, v);

    /* EFER.LMA follows CR0.PG when EFER.LME = 1 (SDM Vol. 3 §10.8.5), and VM entry requires "IA-32e mode
     * guest" to equal it (SDM Vol. 3 §27.3.1.1). */
    if ((pg_on || pg_off) && (efer & EFER_LME)) {
        bool lma = pg_on;
        hv_guest_efer_store(vm, lma ? (efer | EFER_LMA) : (efer & ~EFER_LMA));
        vm->entry_ctls = lma ? (vm->entry_ctls | ENTRY_IA32E_MODE_GUEST) : (vm->entry_ctls & ~ENTRY_IA32E_MODE_GUEST);
        hv_vmwrite(vm, VMCS_VM_ENTRY_CONTROLS, vm->entry_ctls);
    }
    return true;
}

static bool write_cr4(struct hv_vm *vm, uint64_t v)
{
    uint64_t fixed0 = cap_msr(vm, MSR_IA32_VMX_CR4_FIXED0), fixed1 = cap_msr(vm, MSR_IA32_VMX_CR4_FIXED1);
    /* Reserved bits, bits the processor does not support (0 in FIXED1), and VMXE: VMX is hidden from the
     * guest (CPUID.1:ECX.VMX = 0), so CR4.VMXE is reserved for it. */
    if ((v & ~CR4_KNOWN_BITS) || (v & ~fixed1) || (v & CR4_VMXE))
        return false;
    uint64_t cur = hv_guest_cr4_view(vm), cr0 = hv_guest_cr0_view(vm), efer = guest_efer(vm);
    if (efer & EFER_LMA) {
        if (!(v & CR4_PAE) || ((v ^ cur) & CR4_LA57))
            return false; /* IA-32e mode needs PAE; LA57 cannot change while it is active */
    }
    if ((v & CR4_PCIDE) && !(cur & CR4_PCIDE) &&
        (!(efer & EFER_LMA) || (hv_vmread(vm, VMCS_GUEST_CR3) & 0xfffu)))
        return false; /* PCIDE 0 -> 1 needs IA-32e mode and CR3[11:0] = 0 */
    if (pae_paging(cr0, v, efer) && ((v ^ cur) & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) &&
        !load_pdptes(vm, hv_vmread(vm, VMCS_GUEST_CR3)))
        return false;
    hv_vmwrite(vm, VMCS_GUEST_CR4, (v | fixed0) & fixed1);
    hv_vmwrite(vm, VMCS_CR4_READ_SHADOW, v);
    return true;
}

static bool write_cr3(struct hv_vm *vm, uint64_t v)
{
    if (hv_guest_in_64bit_mode(vm) && (hv_guest_cr4_view(vm) & CR4_PCIDE))
        v &= ~CR3_PCID_NOFLUSH; /* bit 63: "do not flush" (SDM Vol. 3 §4.10.4.1), not part of CR3 */
    if (v & (~0ull << hv_cpu_addr_width(vm, false)))
        return false; /* bits above MAXPHYADDR are reserved (SDM Vol. 3 §4.5) */
    if (pae_paging(hv_guest_cr0_view(vm), hv_guest_cr4_view(vm), guest_efer(vm)) && !load_pdptes(vm, v))
        return false;
    hv_vmwrite(vm, VMCS_GUEST_CR3, v);
    return true;
}

/* CR8 is the TPR's bits 7:4 (SDM Vol. 3 §11.8.6.1). With "use TPR shadow" it lives in the virtual-APIC
 * page's VTPR (SDM Vol. 3 §30.1.1); without, in vm->vtpr. */
static uint8_t *vtpr_slot(struct hv_vm *vm)
{
    if (!(vm->proc & PROC_USE_TPR_SHADOW))
        return &vm->vtpr;
    uint8_t *page = hv_vm_page_ptr(vm, hv_vmread(vm, VMCS_VIRTUAL_APIC_PAGE_ADDR));
    return page ? page + VAPIC_VTPR_OFFSET : NULL;
}

static enum hv_exit_action fault_gp(struct hv_vm *vm)
{
    if (!vm->dead)
        hv_inject_gp0(vm);
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}

static enum hv_exit_action done(struct hv_vm *vm, const struct hv_exit *e)
{
    if (vm->dead)
        return HV_EXIT_KILL;
    hv_guest_advance_rip(vm, e);
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}

enum hv_exit_action hv_exit_cr_access(struct hv_vm *vm, const struct hv_exit *e)
{
    uint64_t q = e->qualification;
    unsigned cr = CRQ_CR(q), type = CRQ_TYPE(q), gpr = CRQ_GPR(q);
    bool ok = true;

    switch (type) {
    case CRQ_MOV_TO: {
        uint64_t v = hv_guest_gpr_get(vm, gpr);
        if (!hv_guest_in_64bit_mode(vm))
            v &= 0xffffffffull; /* outside 64-bit mode the operand is 32 bits */
        switch (cr) {
        case 0: ok = write_cr0(vm, v); break;
        case 3: ok = write_cr3(vm, v); break;
        case 4: ok = write_cr4(vm, v); break;
        case 8: {
            if (v >> 4)
                return fault_gp(vm); /* CR8 bits 63:4 reserved (SDM Vol. 3 §2.5) */
            uint8_t *slot = vtpr_slot(vm);
            if (!slot)
                return hv_vm_kill(vm, "MOV to CR8: virtual-APIC page 0x%llx is not the VM's",
                                  (unsigned long long)hv_vmread(vm, VMCS_VIRTUAL_APIC_PAGE_ADDR));
            *slot = (uint8_t)(v << 4);
            break;
        }
        default:
            return hv_vm_kill(vm, "MOV to CR%u exit (qualification 0x%llx): no such control register "
                                  "(SDM Vol. 3 §28.2.1 Table 28-3)", cr, (unsigned long long)q);
        }
        return ok ? done(vm, e) : fault_gp(vm);
    }
    case CRQ_MOV_FROM: {
        uint64_t v;
        switch (cr) {
        case 0: v = hv_guest_cr0_view(vm); break;
        case 3: v = hv_vmread(vm, VMCS_GUEST_CR3); break;
        case 4: v = hv_guest_cr4_view(vm); break;
        case 8: {
            uint8_t *slot = vtpr_slot(vm);
            if (!slot)
                return hv_vm_kill(vm, "MOV from CR8: virtual-APIC page 0x%llx is not the VM's",
                                  (unsigned long long)hv_vmread(vm, VMCS_VIRTUAL_APIC_PAGE_ADDR));
            v = *slot >> 4;
            break;
        }
        default:
            return hv_vm_kill(vm, "MOV from CR%u exit (qualification 0x%llx): no such control register "
                                  "(SDM Vol. 3 §28.2.1 Table 28-3)", cr, (unsigned long long)q);
        }
        if (!hv_guest_in_64bit_mode(vm))
            v &= 0xffffffffull;
        hv_guest_gpr_set(vm, gpr, v);
        return done(vm, e);
    }
    case CRQ_CLTS:
        /* CLTS clears CR0.TS (SDM Vol. 2 CLTS). */
        ok = write_cr0(vm, hv_guest_cr0_view(vm) & ~CR0_TS);
        return ok ? done(vm, e) : fault_gp(vm);
    default: { /* LMSW: loads CR0[3:0] from the source's bits 3:0, but cannot clear PE (SDM Vol. 2 LMSW) */
        uint64_t cur = hv_guest_cr0_view(vm), src = CRQ_LMSW_DATA(q);
        uint64_t v = (cur & ~(CR0_MP | CR0_EM | CR0_TS)) | (src & (CR0_PE | CR0_MP | CR0_EM | CR0_TS));
        ok = write_cr0(vm, v);
        return ok ? done(vm, e) : fault_gp(vm);
    }
    }
}
