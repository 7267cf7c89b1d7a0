/* The sim's MSR model (sim_msr.h): which MSRs exist, which WRMSR values fault. */
#include "sim_msr.h"

#include <testlib.h>

static const struct sim_profile *prof(const char *name)
{
    const struct sim_profile *p = sim_profile_find(name);
    CHECK(p != NULL);
    return p;
}

/* A copy of a profile with one more CPUID leaf. */
static struct sim_profile with_leaf(const struct sim_profile *base, struct sim_cpuid_leaf leaf)
{
    struct sim_profile p = *base;
    for (uint32_t i = 0; i < p.cpuid_count; i++)
        if (p.cpuid[i].leaf == leaf.leaf && p.cpuid[i].subleaf == leaf.subleaf) {
            p.cpuid[i] = leaf;
            return p;
        }
    if (p.cpuid_count < SIM_PROFILE_MAX_CPUID)
        p.cpuid[p.cpuid_count++] = leaf;
    return p;
}

TEST_CASE(canonical_48_and_57)
{
    const struct sim_profile *hw = prof("bochs-haswell"), *mx = prof("max");
    if (!hw || !mx)
        return;
    CHECK(sim_canonical(hw, 0));
    CHECK(sim_canonical(hw, 0x00007fffffffffffull));
    CHECK(!sim_canonical(hw, 0x0000800000000000ull));
    CHECK(!sim_canonical(hw, 0xffff7fffffffffffull));
    CHECK(sim_canonical(hw, 0xffff800000000000ull));
    CHECK(sim_canonical(hw, ~0ull));
    /* 57-bit linear addresses */
    CHECK(sim_canonical(mx, 0x0000800000000000ull));
    CHECK(sim_canonical(mx, 0x00ffffffffffffffull));
    CHECK(!sim_canonical(mx, 0x0100000000000000ull));
    CHECK(sim_canonical(mx, 0xff00000000000000ull));
    CHECK(!sim_canonical(mx, 0xfeffffffffffffffull));
    /* an unset width is taken as 48 */
    struct sim_profile z = *hw;
    z.linear_width = 0;
    CHECK(!sim_canonical(&z, 0x0000800000000000ull));
}

TEST_CASE(pat_memory_types)
{
    CHECK(sim_msr_pat_valid(0x0007040600070406ull)); /* the reset value */
    CHECK(sim_msr_pat_valid(0x0706050401000706ull));
    for (unsigned byte = 0; byte < 8; byte++)
        for (unsigned t = 0; t < 256; t++) {
            bool valid = t == 0 || t == 1 || t == 4 || t == 5 || t == 6 || t == 7;
            uint64_t pat = (uint64_t)t << (8 * byte);
            if (sim_msr_pat_valid(pat) != valid)
                CHECK(sim_msr_pat_valid(pat) == valid);
        }
    CHECK(sim_msr_write_allowed(prof("bochs-haswell"), MSR_IA32_PAT, 0x0007040600070406ull));
    CHECK(!sim_msr_write_allowed(prof("bochs-haswell"), MSR_IA32_PAT, 0x0007040600070402ull));
}

TEST_CASE(efer_valid_bits_follow_cpuid)
{
    const struct sim_profile *hw = prof("bochs-haswell");
    if (!hw)
        return;
    CHECK_EQ_U64(sim_msr_efer_valid_bits(hw), EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
    CHECK(sim_msr_write_allowed(hw, MSR_IA32_EFER, 0xd01));
    CHECK(!sim_msr_write_allowed(hw, MSR_IA32_EFER, 0xd01 | (1ull << 12))); /* SVME: AMD only */
    CHECK(!sim_msr_write_allowed(hw, MSR_IA32_EFER, 1ull << 63));
    /* A processor without NX. */
    struct sim_profile nonx = with_leaf(hw, (struct sim_cpuid_leaf){0x80000001u, 0, 0, 0, 0, 0x20000800u});
    CHECK_EQ_U64(sim_msr_efer_valid_bits(&nonx), EFER_SCE | EFER_LME | EFER_LMA);
    CHECK(!sim_msr_write_allowed(&nonx, MSR_IA32_EFER, EFER_NXE));
}

TEST_CASE(efer_lme_cannot_change_with_paging)
{
    const struct sim_profile *hw = prof("bochs-haswell");
    if (!hw)
        return;
    uint64_t pg = 1ull << 31, lme = EFER_LME, lma = EFER_LMA;
    CHECK(sim_msr_efer_write_allowed_in(hw, pg, lme | lma, lme));       /* LMA in the value is ignored */
    CHECK(sim_msr_efer_write_allowed_in(hw, pg, lme | lma, lme | 0x801)); /* SCE, NXE change freely */
    CHECK(!sim_msr_efer_write_allowed_in(hw, pg, lme | lma, 0));
    CHECK(!sim_msr_efer_write_allowed_in(hw, pg, 0, lme));
    CHECK(sim_msr_efer_write_allowed_in(hw, 0, 0, lme));
    CHECK(sim_msr_efer_write_allowed_in(hw, 0, lme, 0));
    CHECK(!sim_msr_efer_write_allowed_in(hw, 0, 0, 1ull << 2)); /* reserved bits still fault */
}

TEST_CASE(address_msrs_need_canonical_values)
{
    const struct sim_profile *hw = prof("bochs-haswell");
    if (!hw)
        return;
    static const uint32_t addr_msrs[] = {MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
                                         MSR_IA32_LSTAR,        MSR_IA32_FS_BASE,
                                         MSR_IA32_GS_BASE,      MSR_IA32_KERNEL_GS_BASE};
    for (unsigned i = 0; i < sizeof addr_msrs / sizeof addr_msrs[0]; i++) {
        CHECK(sim_msr_write_allowed(hw, addr_msrs[i], 0x00007fffffffffffull));
        CHECK(sim_msr_write_allowed(hw, addr_msrs[i], 0xffff800000000000ull));
        CHECK(!sim_msr_write_allowed(hw, addr_msrs[i], 0x0000800000000000ull));
    }
    /* IA32_CSTAR is not in the SDM's WRMSR list of canonical-checked MSRs (Bochs 2.7 checks it). */
    CHECK(sim_msr_write_allowed(hw, MSR_IA32_CSTAR, 0x0000800000000000ull));
}

TEST_CASE(any_value_msrs)
{
    const struct sim_profile *hw = prof("bochs-haswell");
    if (!hw)
        return;
    static const uint32_t any[] = {MSR_IA32_TIME_STAMP_COUNTER, MSR_IA32_SYSENTER_CS, MSR_IA32_STAR,
                                   MSR_IA32_CSTAR, MSR_IA32_FMASK};
    for (unsigned i = 0; i < sizeof any / sizeof any[0]; i++) {
        CHECK(sim_msr_implemented(hw, any[i]));
        CHECK(sim_msr_write_allowed(hw, any[i], 0));
        CHECK(sim_msr_write_allowed(hw, any[i], ~0ull));
    }
}

TEST_CASE(tsc_aux_needs_rdtscp_or_rdpid)
{
    const struct sim_profile *hw = prof("bochs-haswell"), *pn = prof("bochs-penryn");
    if (!hw || !pn)
        return;
    CHECK(sim_msr_implemented(hw, MSR_IA32_TSC_AUX)); /* Haswell: RDTSCP */
    CHECK(sim_msr_write_allowed(hw, MSR_IA32_TSC_AUX, 0xffffffffull));
    CHECK(!sim_msr_write_allowed(hw, MSR_IA32_TSC_AUX, 1ull << 32));
    CHECK(!sim_msr_implemented(pn, MSR_IA32_TSC_AUX)); /* Penryn: no RDTSCP */
    CHECK(!sim_msr_write_allowed(pn, MSR_IA32_TSC_AUX, 0));
}

TEST_CASE(perf_global_ctrl_follows_leaf_0a)
{
    const struct sim_profile *hw = prof("bochs-haswell");
    if (!hw)
        return;
    /* The Bochs models have no architectural performance monitoring. */
    CHECK_EQ_U64(sim_msr_perf_global_ctrl_valid_bits(hw), 0);
    CHECK(!sim_msr_implemented(hw, MSR_IA32_PERF_GLOBAL_CTRL));
    /* Version 4, 8 general-purpose counters, 3 fixed. */
    struct sim_profile pm = with_leaf(hw, (struct sim_cpuid_leaf){0xa, 0, 0x07300804u, 0, 0, 0x00000603u});
    CHECK_EQ_U64(sim_msr_perf_global_ctrl_valid_bits(&pm), 0x00000007000000ffull);
    CHECK(sim_msr_write_allowed(&pm, MSR_IA32_PERF_GLOBAL_CTRL, 0x00000007000000ffull));
    CHECK(!sim_msr_write_allowed(&pm, MSR_IA32_PERF_GLOBAL_CTRL, 1ull << 8));
    CHECK(!sim_msr_write_allowed(&pm, MSR_IA32_PERF_GLOBAL_CTRL, 1ull << 35));
    /* Version 1 has no fixed counters. */
    struct sim_profile v1 = with_leaf(hw, (struct sim_cpuid_leaf){0xa, 0, 0x07300201u, 0, 0, 0x00000603u});
    CHECK_EQ_U64(sim_msr_perf_global_ctrl_valid_bits(&v1), 0x3);
}

TEST_CASE(pkrs_and_spec_ctrl_follow_cpuid)
{
    const struct sim_profile *hw = prof("bochs-haswell"), *mx = prof("max");
    if (!hw || !mx)
        return;
    CHECK(!sim_msr_implemented(hw, MSR_IA32_PKRS));
    CHECK(sim_msr_implemented(mx, MSR_IA32_PKRS));
    CHECK(sim_msr_write_allowed(mx, MSR_IA32_PKRS, 0xffffffffull));
    CHECK(!sim_msr_write_allowed(mx, MSR_IA32_PKRS, 1ull << 32));
    CHECK(!sim_msr_implemented(hw, MSR_IA32_SPEC_CTRL));
    CHECK(!sim_msr_implemented(hw, MSR_IA32_PRED_CMD));
    /* IBRS/IBPB and SSBD, no STIBP */
    struct sim_profile sc = with_leaf(hw, (struct sim_cpuid_leaf){0x7, 0, 0, 0x000027abu, 0, 0x84000000u});
    CHECK(sim_msr_write_allowed(&sc, MSR_IA32_SPEC_CTRL, 0x5));
    CHECK(!sim_msr_write_allowed(&sc, MSR_IA32_SPEC_CTRL, 0x2));
    CHECK(sim_msr_write_allowed(&sc, MSR_IA32_PRED_CMD, 1));
    CHECK(!sim_msr_write_allowed(&sc, MSR_IA32_PRED_CMD, 2));
    CHECK(!sim_msr_implemented(&sc, MSR_IA32_FLUSH_CMD));
}

TEST_CASE(unimplemented_msrs_fault)
{
    const struct sim_profile *mx = prof("max");
    if (!mx)
        return;
    static const uint32_t none[] = {0x0,
                                    MSR_IA32_BIOS_UPDT_TRIG,
                                    MSR_IA32_BIOS_SIGN_ID,
                                    MSR_IA32_SMM_MONITOR_CTL,
                                    MSR_IA32_FEATURE_CONTROL,
                                    MSR_IA32_VMX_BASIC,
                                    MSR_IA32_VMX_EXIT_CTLS2,
                                    MSR_IA32_X2APIC_FIRST,
                                    0x808, /* x2APIC TPR */
                                    MSR_IA32_X2APIC_LAST,
                                    MSR_IA32_TSC_AUX + 1,
                                    0xffffffffu};
    for (unsigned i = 0; i < sizeof none / sizeof none[0]; i++) {
        CHECK(!sim_msr_implemented(mx, none[i]));
        CHECK(!sim_msr_write_allowed(mx, none[i], 0));
    }
}
