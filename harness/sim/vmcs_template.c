/* The entry-check template (vmcs_template.h). Every value is chosen to pass a named rule; the comment says
 * which, so that a failing template points at the rule it was meant to satisfy. */
#include "vmcs_template.h"

#include <hv/vmx_controls.h>
#include <string.h>

uint64_t sim_ctl_capability(const struct sim_profile *p, uint32_t msr, uint32_t true_msr)
{
    uint64_t v = 0;
    /* a missing MSR reads as 0: nothing may be 1 */
    sim_profile_rdmsr(p, sim_ctl_capability_msr(p, msr, true_msr), &v);
    return v;
}

/* Bits we would like, cut to what the profile allows, plus what it requires. */
static uint32_t fit(uint64_t cap, uint32_t wanted)
{
    return (wanted & sim_ctl_may_be_1(cap)) | sim_ctl_must_be_1(cap);
}

#define SET(name, value) (f[HV_VMCS_ORD_##name] = (uint64_t)(value))

/* Physical addresses of the structures the controls name: 4-KiB aligned and below 4 GiB, so inside every
 * physical-address width (SDM Vol. 3 §27.2.1.1 "address ... must not set any bits beyond the processor's
 * physical-address width"). */
#define TPL_IO_BITMAP_A 0x10000u
#define TPL_IO_BITMAP_B 0x11000u
#define TPL_MSR_BITMAP 0x12000u
#define TPL_EPT_PML4 0x13000u
#define TPL_HOST_CR3 0x14000u
#define TPL_GUEST_CR3 0x15000u

void sim_vmcs_template(const struct sim_profile *p, uint64_t f[HV_VMCS_FIELD_COUNT])
{
    memset(f, 0, sizeof(uint64_t) * HV_VMCS_FIELD_COUNT);

    uint64_t pin_cap = sim_ctl_capability(p, MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS);
    uint64_t proc_cap = sim_ctl_capability(p, MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
    uint64_t exit_cap = sim_ctl_capability(p, MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS);
    uint64_t entry_cap = sim_ctl_capability(p, MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS);
    uint64_t proc2_cap = sim_ctl_capability(p, MSR_IA32_VMX_PROCBASED_CTLS2, 0);
    uint64_t ept_cap = sim_profile_vmx_msr(p, MSR_IA32_VMX_EPT_VPID_CAP);

    /* Controls: what a 64-bit guest under a real hypervisor needs, within the capability MSRs
     * (rules controls.*.allowed0 / allowed1). */
    uint32_t pin = fit(pin_cap, PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING);
    uint32_t proc = fit(proc_cap, PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
                                      PROC_ACTIVATE_SECONDARY_CONTROLS);
    uint32_t proc2 = 0;
    if (proc & PROC_ACTIVATE_SECONDARY_CONTROLS)
        proc2 = fit(proc2_cap, PROC2_ENABLE_EPT | PROC2_ENABLE_VPID);
    uint32_t exit_ctls = fit(exit_cap, EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT |
                                           EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER);
    uint32_t entry_ctls = fit(entry_cap, ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_IA32_EFER);

    SET(PIN_BASED_VM_EXEC_CONTROL, pin);
    SET(PRIMARY_PROC_BASED_VM_EXEC_CONTROL, proc);
    SET(SECONDARY_PROC_BASED_VM_EXEC_CONTROL, proc2);
    SET(PRIMARY_VM_EXIT_CONTROLS, exit_ctls);
    SET(VM_ENTRY_CONTROLS, entry_ctls);
    SET(IO_BITMAP_A, TPL_IO_BITMAP_A);
    SET(IO_BITMAP_B, TPL_IO_BITMAP_B);
    SET(MSR_BITMAP, TPL_MSR_BITMAP);
    if (proc2 & PROC2_ENABLE_EPT) {
        /* EPTP (SDM Vol. 3 §25.6.11): memory type WB where supported else UC, page-walk length 4 (encoded 3),
         * no accessed/dirty flags (rule controls.eptp.*). */
        uint64_t type = (ept_cap & EPT_CAP_MEMTYPE_WB) ? 6 : 0;
        SET(EPT_POINTER, TPL_EPT_PML4 | type | (3u << 3));
    }
    if (proc2 & PROC2_ENABLE_VPID)
        SET(VIRTUAL_PROCESSOR_ID, 1); /* VPID 0 is the VMM's own (rule controls.vpid.nonzero) */

    /* Host state (SDM Vol. 3 §27.2.2-27.2.4): a 64-bit host in its own address space. */
    uint64_t cr0_fixed0 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR0_FIXED0);
    uint64_t cr0_fixed1 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR0_FIXED1);
    uint64_t cr4_fixed0 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR4_FIXED0);
    uint64_t cr4_fixed1 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR4_FIXED1);
    /* CR0: PE, MP, ET, NE, WP, PG; CR4: PAE (required with a 64-bit host) and VMXE. */
    uint64_t host_cr0 = (0x80050033ull | cr0_fixed0) & cr0_fixed1;
    uint64_t host_cr4 = (0x2020ull | cr4_fixed0) & cr4_fixed1;
    SET(HOST_CR0, host_cr0);
    SET(HOST_CR3, TPL_HOST_CR3);
    SET(HOST_CR4, host_cr4);
    SET(HOST_CS_SELECTOR, 0x08); /* RPL 0, TI 0, nonzero */
    SET(HOST_SS_SELECTOR, 0x10);
    SET(HOST_DS_SELECTOR, 0x10);
    SET(HOST_ES_SELECTOR, 0x10);
    SET(HOST_FS_SELECTOR, 0x10);
    SET(HOST_GS_SELECTOR, 0x10);
    SET(HOST_TR_SELECTOR, 0x18); /* TR must not be 0 */
    SET(HOST_FS_BASE, 0);
    SET(HOST_GS_BASE, 0);
    SET(HOST_TR_BASE, 0xffff800000003000ull); /* canonical */
    SET(HOST_GDTR_BASE, 0xffff800000002000ull);
    SET(HOST_IDTR_BASE, 0xffff800000004000ull);
    SET(HOST_IA32_SYSENTER_ESP, 0);
    SET(HOST_IA32_SYSENTER_EIP, 0);
    SET(HOST_RSP, 0xffff800000200000ull);
    SET(HOST_RIP, 0xffff800000100000ull);
    if (exit_ctls & EXIT_LOAD_IA32_EFER)
        SET(HOST_IA32_EFER, 0xd01); /* SCE, LME, LMA, NXE: LMA and LME equal host address-space size */

    /* Guest state (SDM Vol. 3 §27.3): 64-bit long mode with 4-level paging. */
    SET(GUEST_CR0, (0x80010031ull | cr0_fixed0) & cr0_fixed1); /* PE, ET, NE, WP, PG */
    SET(GUEST_CR3, TPL_GUEST_CR3);
    SET(GUEST_CR4, (0x2020ull | cr4_fixed0) & cr4_fixed1); /* PAE (IA-32e mode guest needs it), VMXE */
    SET(GUEST_DR7, 0x400);
    SET(GUEST_RSP, 0x8000);
    SET(GUEST_RIP, 0x1000);
    SET(GUEST_RFLAGS, 0x2); /* bit 1 is reserved-1 */
    /* CS: 64-bit code segment (L=1, D=0), execute/read, accessed, present, DPL 0, G=1. */
    SET(GUEST_CS_SELECTOR, 0x08);
    SET(GUEST_CS_BASE, 0);
    SET(GUEST_CS_LIMIT, 0xffffffffu);
    SET(GUEST_CS_AR_BYTES, 0xa09b);
    /* Data segments: read/write, accessed, present, DPL 0, D/B=1, G=1. */
    static const int data_sel[] = {HV_VMCS_ORD_GUEST_SS_SELECTOR, HV_VMCS_ORD_GUEST_DS_SELECTOR,
                                   HV_VMCS_ORD_GUEST_ES_SELECTOR, HV_VMCS_ORD_GUEST_FS_SELECTOR,
                                   HV_VMCS_ORD_GUEST_GS_SELECTOR};
    static const int data_limit[] = {HV_VMCS_ORD_GUEST_SS_LIMIT, HV_VMCS_ORD_GUEST_DS_LIMIT,
                                     HV_VMCS_ORD_GUEST_ES_LIMIT, HV_VMCS_ORD_GUEST_FS_LIMIT,
                                     HV_VMCS_ORD_GUEST_GS_LIMIT};
    static const int data_ar[] = {HV_VMCS_ORD_GUEST_SS_AR_BYTES, HV_VMCS_ORD_GUEST_DS_AR_BYTES,
                                  HV_VMCS_ORD_GUEST_ES_AR_BYTES, HV_VMCS_ORD_GUEST_FS_AR_BYTES,
                                  HV_VMCS_ORD_GUEST_GS_AR_BYTES};
    for (int i = 0; i < 5; i++) {
        f[data_sel[i]] = 0x10;
        f[data_limit[i]] = 0xffffffffu;
        f[data_ar[i]] = 0xc093;
    }
    /* LDTR unusable (AR bit 16); TR: busy 64-bit TSS, present, byte granularity. */
    SET(GUEST_LDTR_AR_BYTES, 0x10000);
    SET(GUEST_TR_SELECTOR, 0x18);
    SET(GUEST_TR_BASE, 0x3000);
    SET(GUEST_TR_LIMIT, 0x67);
    SET(GUEST_TR_AR_BYTES, 0x8b);
    SET(GUEST_GDTR_BASE, 0x2000);
    SET(GUEST_GDTR_LIMIT, 0x27);
    SET(GUEST_IDTR_BASE, 0x4000);
    SET(GUEST_IDTR_LIMIT, 0xfff);
    if (entry_ctls & ENTRY_LOAD_IA32_EFER)
        SET(GUEST_IA32_EFER, 0x500); /* LME and LMA, equal to "IA-32e mode guest" */
    SET(VMCS_LINK_POINTER, ~0ull); /* no shadow VMCS (rule guest.link_pointer.*) */
    SET(GUEST_ACTIVITY_STATE, 0);
    SET(GUEST_INTERRUPTIBILITY_STATE, 0);
}
