/* VM-entry checks on guest control registers, debug registers and MSRs (SDM Vol. 3 §27.3.1.1). Failures are
 * VM-entry failures with exit reason 33, exit qualification 0. */
#include "entry_checks_guest.h"

/* "The CR0 field must not set any bit to a value not supported in VMX operation ... Bit 0 (PE) and bit 31 (PG)
 * are not checked if the "unrestricted guest" VM-execution control is 1. Bit 29 (NW) and bit 30 (CD) are never
 * checked." This rule is the FIXED0 half (bits that must be 1). */
EC_GUEST_RULE(cr0_fixed0)
{
    uint64_t must = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_CR0_FIXED0) & ~(CR0_NW | CR0_CD);
    if (ec_guest_ug(c))
        must &= ~(CR0_PE | CR0_PG);
    return (EC_F(c, GUEST_CR0) & must) == must;
}

/* The FIXED1 half of the same bullet: bits that must be 0 (bits 63:32 included: FIXED1 has them 0). */
EC_GUEST_RULE(cr0_fixed1)
{
    uint64_t may = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_CR0_FIXED1) | CR0_NW | CR0_CD;
    return (EC_F(c, GUEST_CR0) & ~may) == 0;
}

/* "If bit 31 in the CR0 field (corresponding to PG) is 1, bit 0 in that field (PE) must also be 1."
 * Bochs 2.7: checks this only with unrestricted guest (otherwise FIXED0 already requires both). */
EC_GUEST_RULE(cr0_pg_pe)
{
    uint64_t cr0 = EC_F(c, GUEST_CR0);
    return !(cr0 & CR0_PG) || (cr0 & CR0_PE);
}

/* "The CR4 field must not set any bit to a value not supported in VMX operation": FIXED0 half. */
EC_GUEST_RULE(cr4_fixed0)
{
    uint64_t must = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_CR4_FIXED0);
    return (EC_F(c, GUEST_CR4) & must) == must;
}

/* Same bullet, FIXED1 half. */
EC_GUEST_RULE(cr4_fixed1)
{
    uint64_t may = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_CR4_FIXED1);
    return (EC_F(c, GUEST_CR4) & ~may) == 0;
}

/* "If bit 23 in the CR4 field (corresponding to CET) is 1, bit 16 in the CR0 field (WP) must also be 1." */
EC_GUEST_RULE(cr4_cet_wp)
{
    return !(EC_F(c, GUEST_CR4) & CR4_CET) || (EC_F(c, GUEST_CR0) & CR0_WP);
}

/* "If the "load debug controls" VM-entry control is 1, bits reserved in the IA32_DEBUGCTL MSR must be 0 in the
 * field for that register." Architectural IA32_DEBUGCTL bits: 0 LBR, 1 BTF, 2 BUS_LOCK_DETECT (only when
 * CPUID.(7,0):ECX[24]), 6-14 (TR, BTS, BTINT, BTS_OFF_OS/USR, FREEZE_LBRS/PERFMON_ON_PMI, ENABLE_UNCORE_PMI,
 * FREEZE_WHILE_SMM), 15 RTM_DEBUG (only with RTM); bits 5:3 (5:2) and 63:16 are reserved.
 * Bochs 2.7: does not check the guest IA32_DEBUGCTL field. */
EC_GUEST_RULE(debugctl_reserved)
{
    if (!(c->entry_ctls & ENTRY_LOAD_DEBUG_CONTROLS))
        return true;
    uint64_t reserved = ~0xffffull | 0x3cull;
    if (ec_guest_cpuid(c, 7, 0, 2) & CPUID7_ECX_BUS_LOCK_DETECT)
        reserved &= ~0x4ull;
    if (!(ec_guest_cpuid(c, 7, 0, 1) & CPUID7_EBX_RTM))
        reserved |= 1ull << 15;
    return (EC_F(c, GUEST_IA32_DEBUGCTL) & reserved) == 0;
}

/* "If the "IA-32e mode guest" VM-entry control is 1, bit 31 in the CR0 field (corresponding to CR0.PG) and bit 5
 * in the CR4 field (corresponding to CR4.PAE) must each be 1." This rule: CR0.PG.
 * Bochs 2.7: checks only CR4.PAE here (CR0.PG=0 passes with unrestricted guest). */
EC_GUEST_RULE(cr0_pg_ia32e)
{
    return !ec_guest_ia32e(c) || (EC_F(c, GUEST_CR0) & CR0_PG);
}

/* Same bullet: CR4.PAE. */
EC_GUEST_RULE(cr4_pae_ia32e)
{
    return !ec_guest_ia32e(c) || (EC_F(c, GUEST_CR4) & CR4_PAE);
}

/* "If the "IA-32e mode guest" VM-entry control is 0, bit 17 in the CR4 field (CR4.PCIDE) must be 0." */
EC_GUEST_RULE(cr4_pcide)
{
    return ec_guest_ia32e(c) || !(EC_F(c, GUEST_CR4) & CR4_PCIDE);
}

/* "The CR3 field must be such that bits 63:52 and bits in the range 51:32 beyond the processor's
 * physical-address width are 0." (Bits 31:MAXPHYADDR are never checked; MAXPHYADDR >= 36 on every profile.) */
EC_GUEST_RULE(cr3_width)
{
    return ec_guest_in_phys_width(c, EC_F(c, GUEST_CR3) & ~0xffffffffull);
}

/* "If the "load debug controls" VM-entry control is 1, bits 63:32 in the DR7 field must be 0." */
EC_GUEST_RULE(dr7_high)
{
    return !(c->entry_ctls & ENTRY_LOAD_DEBUG_CONTROLS) || (EC_F(c, GUEST_DR7) >> 32) == 0;
}

/* "The IA32_SYSENTER_ESP field and the IA32_SYSENTER_EIP field must each contain a canonical address." */
EC_GUEST_RULE(sysenter_esp)
{
    return ec_guest_canonical(c, EC_F(c, GUEST_IA32_SYSENTER_ESP));
}

/* Same bullet: IA32_SYSENTER_EIP. */
EC_GUEST_RULE(sysenter_eip)
{
    return ec_guest_canonical(c, EC_F(c, GUEST_IA32_SYSENTER_EIP));
}

/* "If the "load CET state" VM-entry control is 1, the IA32_S_CET field and the IA32_INTERRUPT_SSP_TABLE_ADDR
 * field must contain canonical addresses." This rule: IA32_S_CET. (KVM's nested checks read the newest SDM as
 * not requiring a canonical guest IA32_S_CET; Bochs 2.7 requires it, and bits 63:32 = 0 outside IA-32e mode.) */
EC_GUEST_RULE(s_cet_canonical)
{
    return !(c->entry_ctls & ENTRY_LOAD_CET_STATE) || ec_guest_canonical(c, EC_F(c, GUEST_IA32_S_CET));
}

/* Same bullet: IA32_INTERRUPT_SSP_TABLE_ADDR. */
EC_GUEST_RULE(ssp_table_canonical)
{
    return !(c->entry_ctls & ENTRY_LOAD_CET_STATE) ||
           ec_guest_canonical(c, EC_F(c, GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR));
}

/* "If the "load IA32_PERF_GLOBAL_CTRL" VM-entry control is 1, bits reserved in the IA32_PERF_GLOBAL_CTRL MSR must
 * be 0 in the field for that register." The defined bits are one enable per general-purpose counter (bits
 * N-1:0, N = CPUID.0AH:EAX[15:8]) and per fixed counter (bits 32+M-1:32, M = CPUID.0AH:EDX[4:0], version >= 2);
 * without architectural performance monitoring (version 0) every bit is reserved.
 * Bochs 2.7: does not check the guest IA32_PERF_GLOBAL_CTRL field. */
EC_GUEST_RULE(perf_global_ctrl)
{
    if (!(c->entry_ctls & ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL))
        return true;
    uint32_t eax = ec_guest_cpuid(c, 0xa, 0, 0), edx = ec_guest_cpuid(c, 0xa, 0, 3);
    unsigned version = eax & 0xff, ngp = (eax >> 8) & 0xff, nfixed = version >= 2 ? (edx & 0x1f) : 0;
    uint64_t valid = 0;
    if (version) {
        valid = ngp >= 32 ? 0xffffffffull : ((1ull << ngp) - 1);
        valid |= ((1ull << nfixed) - 1) << 32;
    }
    return (EC_F(c, GUEST_IA32_PERF_GLOBAL_CTRL) & ~valid) == 0;
}

/* "If the "load IA32_PAT" VM-entry control is 1, ... each of the 8 bytes in the field must have one of the values
 * 0 (UC), 1 (WC), 4 (WT), 5 (WP), 6 (WB), or 7 (UC-)." */
EC_GUEST_RULE(pat_types)
{
    if (!(c->entry_ctls & ENTRY_LOAD_IA32_PAT))
        return true;
    uint64_t pat = EC_F(c, GUEST_IA32_PAT);
    for (int i = 0; i < 8; i++) {
        unsigned t = (unsigned)(pat >> (8 * i)) & 0xff;
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

/* "If the "load IA32_EFER" VM-entry control is 1 ... Bits reserved in the IA32_EFER MSR must be 0." On Intel
 * processors IA32_EFER defines SCE (bit 0, with SYSCALL: CPUID.80000001H:EDX[11]), LME (8), LMA (10) and NXE
 * (11, with CPUID.80000001H:EDX[20]); the sim's processors all support Intel 64, so LME and LMA always exist. */
EC_GUEST_RULE(efer_reserved)
{
    if (!(c->entry_ctls & ENTRY_LOAD_IA32_EFER))
        return true;
    uint32_t edx = ec_guest_cpuid(c, 0x80000001u, 0, 3);
    uint64_t valid = EFER_LME | EFER_LMA;
    if (edx & CPUID80000001_EDX_SYSCALL)
        valid |= EFER_SCE;
    if (edx & CPUID80000001_EDX_NX)
        valid |= EFER_NXE;
    return (EC_F(c, GUEST_IA32_EFER) & ~valid) == 0;
}

/* "Bit 10 (corresponding to IA32_EFER.LMA) must equal the value of the "IA-32e mode guest" VM-entry control." */
EC_GUEST_RULE(efer_lma)
{
    if (!(c->entry_ctls & ENTRY_LOAD_IA32_EFER))
        return true;
    return ((EC_F(c, GUEST_IA32_EFER) & EFER_LMA) != 0) == ec_guest_ia32e(c);
}

/* "It must also be identical to bit 8 (LME) if bit 31 in the CR0 field (corresponding to CR0.PG) is 1." */
EC_GUEST_RULE(efer_lme)
{
    if (!(c->entry_ctls & ENTRY_LOAD_IA32_EFER) || !(EC_F(c, GUEST_CR0) & CR0_PG))
        return true;
    uint64_t efer = EC_F(c, GUEST_IA32_EFER);
    return ((efer & EFER_LMA) != 0) == ((efer & EFER_LME) != 0);
}

/* "If the "load IA32_BNDCFGS" VM-entry control is 1 ... Bits reserved in the IA32_BNDCFGS MSR must be 0."
 * IA32_BNDCFGS: bit 0 EN, bit 1 BNDPRESERVE, bits 11:2 reserved, bits 63:12 base.
 * Bochs 2.7: has no MPX and does not check this field. */
EC_GUEST_RULE(bndcfgs_reserved)
{
    return !(c->entry_ctls & ENTRY_LOAD_IA32_BNDCFGS) || (EC_F(c, GUEST_IA32_BNDCFGS) & 0xffcull) == 0;
}

/* "The linear address in bits 63:12 must be canonical." */
EC_GUEST_RULE(bndcfgs_canonical)
{
    return !(c->entry_ctls & ENTRY_LOAD_IA32_BNDCFGS) ||
           ec_guest_canonical(c, EC_F(c, GUEST_IA32_BNDCFGS) & ~0xfffull);
}

/* "If the "load IA32_RTIT_CTL" VM-entry control is 1, bits reserved in the IA32_RTIT_CTL MSR must be 0 in the
 * field for that register." The bits reserved on every processor (SDM Vol. 3 Table 33-6: 18, 23, 30:28, 54:48,
 * 63:57). Bits that exist only when CPUID leaf 14H enumerates their feature are not modelled as reserved.
 * Bochs 2.7: has no Intel PT and does not check this field. */
EC_GUEST_RULE(rtit_ctl_reserved)
{
    const uint64_t reserved = (1ull << 18) | (1ull << 23) | (7ull << 28) | (0x7full << 48) | (0x7full << 57);
    return !(c->entry_ctls & ENTRY_LOAD_IA32_RTIT_CTL) || (EC_F(c, GUEST_IA32_RTIT_CTL) & reserved) == 0;
}

/* "If the "load CET state" VM-entry control is 1 ... the IA32_S_CET field must not set any bits reserved in the
 * MSR": bits 9:6 (bits 63:12 are the legacy-bitmap base, 5:0 and 11:10 are enables). */
EC_GUEST_RULE(s_cet_reserved)
{
    return !(c->entry_ctls & ENTRY_LOAD_CET_STATE) || (EC_F(c, GUEST_IA32_S_CET) & 0x3c0ull) == 0;
}

/* "... bit 10 (SUPPRESS) and bit 11 (TRACKER) of the IA32_S_CET field cannot both be 1." */
EC_GUEST_RULE(s_cet_suppress_tracker)
{
    return !(c->entry_ctls & ENTRY_LOAD_CET_STATE) || (EC_F(c, GUEST_IA32_S_CET) & 0xc00ull) != 0xc00ull;
}

/* "... bits 1:0 of the SSP field must be 0." */
EC_GUEST_RULE(ssp_alignment)
{
    return !(c->entry_ctls & ENTRY_LOAD_CET_STATE) || (EC_F(c, GUEST_SSP) & 3) == 0;
}

/* "... bits 63:N of the SSP field must be identical, where N is the processor's linear-address width" (the guest
 * SSP need not be canonical: bit N-1 may differ). Bochs 2.7: requires SSP canonical, and bits 63:32 = 0 outside
 * IA-32e mode. */
EC_GUEST_RULE(ssp_width)
{
    unsigned w = c->prof->linear_width ? c->prof->linear_width : 48;
    return !(c->entry_ctls & ENTRY_LOAD_CET_STATE) || ec_guest_bits_identical_from(EC_F(c, GUEST_SSP), w);
}

/* "If the "load guest IA32_LBR_CTL" VM-entry control is 1, bits reserved in the IA32_LBR_CTL MSR must be 0 in the
 * field for that register." Defined: 0 LBREn, 1 OS, 2 USR, 3 CALL_STACK, 16-22 branch-type filters. */
EC_GUEST_RULE(lbr_ctl_reserved)
{
    return !(c->entry_ctls & ENTRY_LOAD_GUEST_IA32_LBR_CTL) || (EC_F(c, GUEST_IA32_LBR_CTL) & ~0x7f000full) == 0;
}

/* "If the "load PKRS" VM-entry control is 1, bits 63:32 of the IA32_PKRS field must be 0." */
EC_GUEST_RULE(pkrs_high)
{
    return !(c->entry_ctls & ENTRY_LOAD_PKRS) || (EC_F(c, GUEST_IA32_PKRS) >> 32) == 0;
}
