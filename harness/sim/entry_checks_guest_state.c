/* VM-entry checks on guest RIP and RFLAGS (SDM Vol. 3 §27.3.1.4), non-register state (§27.3.1.5) and the PDPTEs
 * (§27.3.1.6). Failures are VM-entry failures with exit reason 33; the exit qualification is 3 for an NMI
 * injected under blocking by STI, 4 for the VMCS link pointer, 2 for the PDPTEs and 0 otherwise. */
#include "entry_checks_guest.h"

static uint32_t intr_state(const struct ec_ctx *c)
{
    return (uint32_t)EC_F(c, GUEST_INTERRUPTIBILITY_STATE);
}

static uint64_t activity(const struct ec_ctx *c)
{
    return EC_F(c, GUEST_ACTIVITY_STATE);
}

static bool cs_l(const struct ec_ctx *c)
{
    return (ec_guest_seg_ar(c, EC_SEG_CS) & AR_L) != 0;
}

/* --- §27.3.1.4 RIP and RFLAGS ------------------------------------------------------------------------- */

/* "Bits 63:32 must be 0 if the "IA-32e mode guest" VM-entry control is 0 or if the L bit (bit 13) in the
 * access-rights field for CS is 0." */
EC_GUEST_RULE(rip_high)
{
    return (ec_guest_ia32e(c) && cs_l(c)) || (EC_F(c, GUEST_RIP) >> 32) == 0;
}

/* "If the processor supports N < 64 linear-address bits, bits 63:N must be identical if the "IA-32e mode guest"
 * VM-entry control is 1 and the L bit in the access-rights field for CS is 1."
 * Bochs 2.7: performs no check on a 64-bit guest's RIP. */
EC_GUEST_RULE(rip_width)
{
    unsigned w = c->prof->linear_width ? c->prof->linear_width : 48;
    return !(ec_guest_ia32e(c) && cs_l(c)) || ec_guest_bits_identical_from(EC_F(c, GUEST_RIP), w);
}

/* "RFLAGS. Reserved bits 63:22 (bits 31:22 on processors that do not support Intel 64 architecture), bit 15,
 * bit 5 and bit 3 must be 0 in the field ..." */
EC_GUEST_RULE(rflags_reserved)
{
    return (EC_F(c, GUEST_RFLAGS) & RFLAGS_RESERVED) == 0;
}

/* "... and reserved bit 1 must be 1." */
EC_GUEST_RULE(rflags_bit1)
{
    return (EC_F(c, GUEST_RFLAGS) & RFLAGS_FIXED1) != 0;
}

/* "The VM flag (bit 17) must be 0 either if the "IA-32e mode guest" VM-entry control is 1 or if bit 0 in the CR0
 * field (corresponding to CR0.PE) is 0." This rule: IA-32e mode guest. */
EC_GUEST_RULE(rflags_vm_ia32e)
{
    return !ec_guest_ia32e(c) || !ec_guest_v86(c);
}

/* Same bullet: CR0.PE = 0 (reachable only with unrestricted guest).
 * Bochs 2.7: does not check RFLAGS.VM against CR0.PE. */
EC_GUEST_RULE(rflags_vm_pe)
{
    return (EC_F(c, GUEST_CR0) & CR0_PE) || !ec_guest_v86(c);
}

/* "The IF flag (RFLAGS[bit 9]) must be 1 if the valid bit (bit 31) in the VM-entry interruption-information
 * field is 1 and the interruption type (bits 10:8) is external interrupt." */
EC_GUEST_RULE(rflags_if)
{
    return !ec_guest_injecting(c, INTR_TYPE_EXTERNAL) || (EC_F(c, GUEST_RFLAGS) & RFLAGS_IF);
}

/* --- §27.3.1.5 activity state ------------------------------------------------------------------------- */

/* "The activity-state field must contain a value in the range 0 – 3 ..." */
EC_GUEST_RULE(activity_range)
{
    return activity(c) <= ACTIVITY_WAIT_SIPI;
}

/* "... indicating an activity state supported by the implementation ... Software should read the VMX capability
 * MSR IA32_VMX_MISC to determine what activity states are supported" (§A.6: bits 6, 7, 8 for HLT, shutdown,
 * wait-for-SIPI; the active state is always supported). Bochs 2.7: does not consult IA32_VMX_MISC (its models
 * report all three). */
EC_GUEST_RULE(activity_supported)
{
    uint64_t a = activity(c);
    if (a == ACTIVITY_ACTIVE || a > ACTIVITY_WAIT_SIPI)
        return true; /* out-of-range values are guest.activity.range */
    uint64_t misc = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_MISC);
    return (misc >> (VMX_MISC_ACTIVITY_SHIFT + a)) & 1;
}

/* "The activity-state field must not indicate the HLT state if the DPL (bits 6:5) in the access-rights field for
 * SS is not 0." */
EC_GUEST_RULE(activity_hlt_dpl)
{
    return activity(c) != ACTIVITY_HLT || AR_DPL(ec_guest_seg_ar(c, EC_SEG_SS)) == 0;
}

/* "The activity-state field must indicate the active state if the interruptibility-state field indicates
 * blocking by either MOV-SS or by STI (if either bit 0 or bit 1 in that field is 1)." */
EC_GUEST_RULE(activity_blocking)
{
    return !(intr_state(c) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) || activity(c) == ACTIVITY_ACTIVE;
}

/* "If the valid bit (bit 31) in the VM-entry interruption-information field is 1, the interruption to be
 * delivered ... must not be one that would normally be blocked while a logical processor is in the activity
 * state corresponding to the contents of the activity-state field ... HLT. The only events allowed are ...
 * external interrupt or non-maskable interrupt (NMI); ... hardware exception and vector 1 (debug exception) or
 * vector 18 (machine-check exception); ... other event and vector 0 (pending MTF VM exit)."
 * Bochs 2.7: does not restrict the events injected into the HLT state. */
EC_GUEST_RULE(activity_event_hlt)
{
    uint32_t info = (uint32_t)EC_F(c, VM_ENTRY_INTERRUPTION_INFO);
    if (activity(c) != ACTIVITY_HLT || !(info & INTR_INFO_VALID))
        return true;
    uint32_t type = INTR_INFO_TYPE(info), vec = INTR_INFO_VECTOR(info);
    return type == INTR_TYPE_EXTERNAL || type == INTR_TYPE_NMI ||
           (type == INTR_TYPE_HW_EXCEPTION && (vec == 1 || vec == 18)) || (type == INTR_TYPE_OTHER_EVENT && vec == 0);
}

/* "Shutdown. Only NMIs and machine-check exceptions are allowed."
 * Bochs 2.7: allows any interruption type whose vector is 18 (not only a hardware exception). */
EC_GUEST_RULE(activity_event_shutdown)
{
    uint32_t info = (uint32_t)EC_F(c, VM_ENTRY_INTERRUPTION_INFO);
    if (activity(c) != ACTIVITY_SHUTDOWN || !(info & INTR_INFO_VALID))
        return true;
    return INTR_INFO_TYPE(info) == INTR_TYPE_NMI ||
           (INTR_INFO_TYPE(info) == INTR_TYPE_HW_EXCEPTION && INTR_INFO_VECTOR(info) == 18);
}

/* "Wait-for-SIPI. No interruptions are allowed." */
EC_GUEST_RULE(activity_event_sipi)
{
    return activity(c) != ACTIVITY_WAIT_SIPI || !(EC_F(c, VM_ENTRY_INTERRUPTION_INFO) & INTR_INFO_VALID);
}

/* --- interruptibility state --------------------------------------------------------------------------- */

/* "The reserved bits (31:5) must be 0." (Bit 4 is "enclave interruption".)
 * Bochs 2.7: treats bit 4 as reserved as well (it has no SGX). */
EC_GUEST_RULE(intr_reserved)
{
    return (EC_F(c, GUEST_INTERRUPTIBILITY_STATE) & ~0x1full) == 0;
}

/* "The field cannot indicate blocking by both STI and MOV SS (bits 0 and 1 cannot both be 1)." */
EC_GUEST_RULE(intr_sti_movss)
{
    return (intr_state(c) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) !=
           (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
}

/* "Bit 0 (blocking by STI) must be 0 if the IF flag (bit 9) is 0 in the RFLAGS field." */
EC_GUEST_RULE(intr_sti_if)
{
    return !(intr_state(c) & INTERRUPTIBILITY_STI) || (EC_F(c, GUEST_RFLAGS) & RFLAGS_IF);
}

/* "Bit 0 (blocking by STI) and bit 1 (blocking by MOV-SS) must both be 0 if the valid bit (bit 31) in the
 * VM-entry interruption-information field is 1 and the interruption type (bits 10:8) in that field has value 0,
 * indicating external interrupt." This rule: blocking by STI. */
EC_GUEST_RULE(intr_extint_sti)
{
    return !ec_guest_injecting(c, INTR_TYPE_EXTERNAL) || !(intr_state(c) & INTERRUPTIBILITY_STI);
}

/* Same bullet: blocking by MOV SS. */
EC_GUEST_RULE(intr_extint_movss)
{
    return !ec_guest_injecting(c, INTR_TYPE_EXTERNAL) || !(intr_state(c) & INTERRUPTIBILITY_MOV_SS);
}

/* "Bit 1 (blocking by MOV-SS) must be 0 if the valid bit (bit 31) in the VM-entry interruption-information field
 * is 1 and the interruption type (bits 10:8) in that field has value 2, indicating non-maskable interrupt." */
EC_GUEST_RULE(intr_nmi_movss)
{
    return !ec_guest_injecting(c, INTR_TYPE_NMI) || !(intr_state(c) & INTERRUPTIBILITY_MOV_SS);
}

/* "Bit 2 (blocking by SMI) must be 0 if the processor is not in SMM." The sim's processor never executes VM entry
 * in SMM (ec_ctx has no SMM state), so the bit must always be 0; the companion rule "bit 2 must be 1 if the
 * "entry to SMM" VM-entry control is 1" is unreachable (that control must be 0 outside SMM, §27.2.1.3). */
EC_GUEST_RULE(intr_smi)
{
    return !(intr_state(c) & INTERRUPTIBILITY_SMI);
}

/* "Bit 0 (blocking by STI) must be 0 if the valid bit (bit 31) in the VM-entry interruption-information field is
 * 1 and the interruption type (bits 10:8) in that field has value 2, indicating NMI." A failure of this check has
 * its own exit qualification, 3: "an attempt to inject a non-maskable interrupt (NMI) into a guest that is
 * blocking events through the STI blocking bit in the interruptibility-state field".
 * Bochs 2.7: fails this with exit qualification 0. */
EC_GUEST_RULE(intr_nmi_sti)
{
    return !ec_guest_injecting(c, INTR_TYPE_NMI) || !(intr_state(c) & INTERRUPTIBILITY_STI);
}

/* "Bit 3 (blocking by NMI) must be 0 if the "virtual NMIs" VM-execution control is 1, the valid bit (bit 31) in
 * the VM-entry interruption-information field is 1, and the interruption type (bits 10:8) in that field has
 * value 2 (indicating NMI)." */
EC_GUEST_RULE(intr_vnmi)
{
    return !(c->pin & PIN_VIRTUAL_NMIS) || !ec_guest_injecting(c, INTR_TYPE_NMI) ||
           !(intr_state(c) & INTERRUPTIBILITY_NMI);
}

/* "If bit 4 (enclave interruption) is 1, bit 1 (blocking by MOV-SS) must be 0 and the processor must support for
 * SGX by enumerating CPUID.(EAX=07H,ECX=0):EBX.SGX[bit 2] as 1." This rule: SGX support. The MOV-SS half is left
 * out while no profile enumerates SGX (with bit 4 set this rule fails first on every profile). */
EC_GUEST_RULE(intr_enclave_sgx)
{
    return !(intr_state(c) & INTERRUPTIBILITY_ENCLAVE) || (ec_guest_cpuid(c, 7, 0, 1) & CPUID7_EBX_SGX);
}

/* --- pending debug exceptions ------------------------------------------------------------------------- */

/* "Bits 11:4, bit 13, bit 15, and bits 63:17 ... must be 0." (Bit 16 is RTM, bit 14 BS, bit 12 enabled
 * breakpoint, bits 3:0 B3-B0.) Bochs 2.7: treats bit 16 (RTM) as reserved too. */
EC_GUEST_RULE(pde_reserved)
{
    return (EC_F(c, GUEST_PENDING_DBG_EXCEPTIONS) & PENDING_DBG_RESERVED) == 0;
}

/* The BS checks apply "if any of the following holds: (1) the interruptibility-state field indicates blocking by
 * STI ...; (2) ... blocking by MOV SS ...; or (3) the activity-state field indicates HLT". */
static bool bs_checked(const struct ec_ctx *c)
{
    return (intr_state(c) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) || activity(c) == ACTIVITY_HLT;
}

static bool single_step_pending(const struct ec_ctx *c)
{
    return (EC_F(c, GUEST_RFLAGS) & RFLAGS_TF) && !(EC_F(c, GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF);
}

/* "Bit 14 (BS) must be 1 if the TF flag (bit 8) in the RFLAGS field is 1 and the BTF flag (bit 1) in the
 * IA32_DEBUGCTL field is 0." Bochs 2.7: does not check BS. */
EC_GUEST_RULE(pde_bs_set)
{
    return !bs_checked(c) || !single_step_pending(c) || (EC_F(c, GUEST_PENDING_DBG_EXCEPTIONS) & PENDING_DBG_BS);
}

/* "Bit 14 (BS) must be 0 if the TF flag (bit 8) in the RFLAGS field is 0 or the BTF flag (bit 1) in the
 * IA32_DEBUGCTL field is 1." */
EC_GUEST_RULE(pde_bs_clear)
{
    return !bs_checked(c) || single_step_pending(c) || !(EC_F(c, GUEST_PENDING_DBG_EXCEPTIONS) & PENDING_DBG_BS);
}

/* "The following checks are performed if bit 16 (RTM) in the pending-debug-exceptions field is 1: ... The
 * processor must support for RTM by enumerating CPUID.(EAX=07H,ECX=0):EBX[bit 11] as 1." The other checks of
 * that bullet (bits 11:0, 15:13, 63:17 zero and bit 12 one; no blocking by MOV SS) are left out while no profile
 * enumerates RTM: this rule fails first on every profile whenever bit 16 is 1.
 * Bochs 2.7: bit 16 fails as a reserved bit (guest.pending_dbg.reserved), with the same outcome. */
EC_GUEST_RULE(pde_rtm_supported)
{
    return !(EC_F(c, GUEST_PENDING_DBG_EXCEPTIONS) & PENDING_DBG_RTM) || (ec_guest_cpuid(c, 7, 0, 1) & CPUID7_EBX_RTM);
}

/* --- VMCS link pointer (exit qualification 4) --------------------------------------------------------- */

static bool link_used(const struct ec_ctx *c)
{
    return EC_F(c, VMCS_LINK_POINTER) != ~0ull;
}

/* "The following checks apply if the field contains a value other than FFFFFFFF_FFFFFFFFH: Bits 11:0 must be
 * 0." */
EC_GUEST_RULE(link_alignment)
{
    return !link_used(c) || (EC_F(c, VMCS_LINK_POINTER) & 0xfff) == 0;
}

/* "Bits beyond the processor's physical-address width must be 0." */
EC_GUEST_RULE(link_width)
{
    return !link_used(c) || ec_guest_in_phys_width(c, EC_F(c, VMCS_LINK_POINTER));
}

/* The first 4 bytes of the VMCS region the link pointer names. Memory that does not exist reads as all ones, as a
 * read of nonexistent physical memory does on the hardware (nothing drives the bus): bits 30:0 = 7FFFFFFFH
 * (which matches no real processor's revision identifier) and the shadow-VMCS indicator set. */
static uint32_t link_first_word(const struct ec_ctx *c)
{
    uint32_t w = 0xffffffffu;
    if (!c->mem.read || !c->mem.read(c->mem.opaque, EC_F(c, VMCS_LINK_POINTER), &w, sizeof w))
        w = 0xffffffffu;
    return w;
}

/* "The 4 bytes located in memory referenced by the value of the field (as a physical address) must satisfy the
 * following: Bits 30:0 must contain the processor's VMCS revision identifier." */
EC_GUEST_RULE(link_revision)
{
    if (!link_used(c))
        return true;
    uint32_t rev = (uint32_t)(sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_BASIC) & VMX_BASIC_REVISION_MASK);
    return (link_first_word(c) & ~VMCS_SHADOW_INDICATOR) == rev;
}

/* "Bit 31 must contain the setting of the "VMCS shadowing" VM-execution control."
 * (The further checks of this bullet, "the field must not contain the current VMCS pointer" and, in SMM, "must
 * differ from the executive-VMCS pointer", need state ec_ctx does not carry.) */
EC_GUEST_RULE(link_shadow)
{
    if (!link_used(c))
        return true;
    bool shadow = (link_first_word(c) & VMCS_SHADOW_INDICATOR) != 0;
    return shadow == ((c->proc2 & PROC2_VMCS_SHADOWING) != 0);
}

/* "If the "load UINV" VM-entry control is 1, bits 15:8 of the guest UINV field must be 0." (Bochs 2.7: the same,
 * as "UINV < 256".) */
EC_GUEST_RULE(uinv)
{
    return !(c->entry_ctls & ENTRY_LOAD_UINV) || (EC_F(c, GUEST_UINV) & 0xff00) == 0;
}

/* --- §27.3.1.6 PDPTEs (exit qualification 2) ---------------------------------------------------------- */

/* PAE paging: CR0.PG = 1, CR4.PAE = 1 and the "IA-32e mode guest" VM-entry control is 0. */
static bool pae_paging(const struct ec_ctx *c)
{
    return (EC_F(c, GUEST_CR0) & CR0_PG) && (EC_F(c, GUEST_CR4) & CR4_PAE) && !ec_guest_ia32e(c);
}

/* A PDPTE is valid when it is not present (bit 0 = 0) or sets none of its reserved bits: 2:1, 8:5 and
 * 63:MAXPHYADDR (SDM Vol. 3 §4.4.1, Table 4-8). */
static bool pdpte_valid(const struct ec_ctx *c, uint64_t e)
{
    return !(e & 1) || ((e & 0x1e6ull) == 0 && ec_guest_in_phys_width(c, e));
}

/* "If the "enable EPT" VM-execution control is 1, ... the PDPTEs are loaded from corresponding fields in the
 * guest-state area ... VM entry fails if any of the PDPTEs set a reserved bit (when its present bit is 1)". */
EC_GUEST_RULE(pdpte_fields)
{
    if (!pae_paging(c) || !(c->proc2 & PROC2_ENABLE_EPT))
        return true;
    static const int f[4] = {HV_VMCS_ORD_GUEST_PDPTE0, HV_VMCS_ORD_GUEST_PDPTE1, HV_VMCS_ORD_GUEST_PDPTE2,
                             HV_VMCS_ORD_GUEST_PDPTE3};
    for (int i = 0; i < 4; i++)
        if (!pdpte_valid(c, c->f[f[i]]))
            return false;
    return true;
}

/* "If the "enable EPT" VM-execution control is 0, the PDPTEs are loaded from the page-directory-pointer table
 * referenced by the physical address in the value of CR3 [bits 31:5] being loaded by the VM entry ... VM entry
 * fails if any of the PDPTEs set a reserved bit". A PDPTE in memory that does not exist reads as all ones
 * (present, every reserved bit set), as on the hardware, and fails. */
EC_GUEST_RULE(pdpte_memory)
{
    if (!pae_paging(c) || (c->proc2 & PROC2_ENABLE_EPT))
        return true;
    uint64_t table = EC_F(c, GUEST_CR3) & 0xffffffe0ull;
    for (int i = 0; i < 4; i++) {
        uint64_t e = ~0ull;
        if (!c->mem.read || !c->mem.read(c->mem.opaque, table + 8u * (unsigned)i, &e, sizeof e))
            e = ~0ull;
        if (!pdpte_valid(c, e))
            return false;
    }
    return true;
}
