/* CPU profiles: the named profiles' values (notes/bochs.md for the Bochs models), the capability-MSR
 * existence rules of SDM Vol. 3 Appendix A, VMCS field existence (Appendix A.9 and the feature controls),
 * CPUID, the invariant checker, and profiles built from bytes. */
#include "sim_profile.h"

#include <hv/vmx_controls.h>
#include <stdlib.h>
#include <testlib.h>

static const char *const named[] = {"bochs-haswell", "bochs-skylake-x", "bochs-sandybridge",
                                    "bochs-penryn",  "minimal",         "max"};
#define NNAMED (sizeof named / sizeof named[0])

static const struct sim_profile *get(const char *name)
{
    const struct sim_profile *p = sim_profile_find(name);
    CHECK(p != NULL);
    if (!p)
        abort();
    return p;
}

static uint64_t msr(const struct sim_profile *p, uint32_t index)
{
    uint64_t v = 0xdeadbeefull;
    CHECK(sim_profile_rdmsr(p, index, &v));
    return v;
}

static int gp(const struct sim_profile *p, uint32_t index)
{
    uint64_t v = 0xdeadbeefull;
    bool ok = sim_profile_rdmsr(p, index, &v);
    CHECK_EQ_U64(v, ok ? v : 0); /* a #GP reads as 0 for callers that ignore the result */
    return !ok;
}

static int has(const struct sim_profile *p, int ordinal) { return sim_profile_has_vmcs_field(p, ordinal); }

/* ---- named profiles ---------------------------------------------------------------------------------- */

TEST_CASE(named_profiles_found_by_name_and_index)
{
    CHECK(sim_profile_count() >= NNAMED);
    for (size_t i = 0; i < NNAMED; i++) {
        const struct sim_profile *p = sim_profile_find(named[i]);
        CHECK(p != NULL);
        if (p) {
            CHECK_STREQ(p->name, named[i]);
            CHECK(p->description && p->description[0]);
        }
    }
    for (size_t i = 0; i < sim_profile_count(); i++) {
        const struct sim_profile *p = sim_profile_at(i);
        CHECK(p != NULL);
        CHECK(sim_profile_find(p->name) == p);
    }
    CHECK(sim_profile_at(sim_profile_count()) == NULL);
    CHECK(sim_profile_find("no-such-cpu") == NULL);
    CHECK(sim_profile_find(NULL) == NULL);
}

TEST_CASE(every_named_profile_passes_the_invariants)
{
    for (size_t i = 0; i < sim_profile_count(); i++) {
        const char *why = sim_profile_invariant_violation(sim_profile_at(i));
        if (why)
            fprintf(stderr, "%s: %s\n", sim_profile_at(i)->name, why);
        CHECK(why == NULL);
    }
}

/* notes/bochs.md, corei7_haswell_4770 row and the Haswell line above the table. */
TEST_CASE(haswell_matches_bochs)
{
    const struct sim_profile *p = get("bochs-haswell");
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_BASIC), 0x00d810000000002bull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PINBASED_CTLS), 0x0000007f00000016ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PROCBASED_CTLS), 0xf7f9fffe0401e172ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_EXIT_CTLS), 0x007fffff00036dffull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_ENTRY_CTLS), 0x0000ffff000011ffull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_MISC), 0x200401e0ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_CR0_FIXED0), 0x80000021ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_CR0_FIXED1), 0xffffffffull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_CR4_FIXED0), 0x2000ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_CR4_FIXED1), 0x1727ffull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_VMCS_ENUM), 0x34ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PROCBASED_CTLS2), 0x00047fff00000000ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_EPT_VPID_CAP), 0x00000f0106334141ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_TRUE_PINBASED_CTLS), 0x0000007f00000016ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_TRUE_PROCBASED_CTLS), 0xf7f9fffe04006172ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_TRUE_EXIT_CTLS), 0x007fffff00036dfbull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_TRUE_ENTRY_CTLS), 0x0000ffff000011fbull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_VMFUNC), 0x1ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_FEATURE_CONTROL), 0x5ull);
    CHECK_EQ_U64(p->maxphyaddr, 40);
    CHECK_EQ_U64(p->linear_width, 48);
}

/* notes/bochs.md, core2_penryn_t9600 row: no EPT, no VPID, no EPT_VPID_CAP, no VMFUNC. */
TEST_CASE(penryn_matches_bochs)
{
    const struct sim_profile *p = get("bochs-penryn");
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_BASIC), 0x00d810000000002bull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PINBASED_CTLS), 0x0000003f00000016ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PROCBASED_CTLS), 0xf7f9fffe0401e172ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_EXIT_CTLS), 0x0003ffff00036dffull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_ENTRY_CTLS), 0x00003fff000011ffull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PROCBASED_CTLS2), 0x0000004100000000ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_TRUE_PINBASED_CTLS), 0x0000003f00000016ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_TRUE_PROCBASED_CTLS), 0xf7f9fffe04006172ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_TRUE_EXIT_CTLS), 0x0003ffff00036dfbull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_TRUE_ENTRY_CTLS), 0x00003fff000011fbull);
    CHECK_EQ_U64(msr(p, MSR_IA32_FEATURE_CONTROL), 0x5ull);
    /* "no EPT": the secondary controls allow neither EPT nor VPID */
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PROCBASED_CTLS2) >> 32 & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID), 0);
    /* SMX model: CR4.SMXE may be 1 */
    CHECK(msr(p, MSR_IA32_VMX_CR4_FIXED1) & (1u << 14));
}

TEST_CASE(skylake_x_matches_bochs)
{
    const struct sim_profile *p = get("bochs-skylake-x");
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PROCBASED_CTLS2), 0x02177fff00000000ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_EPT_VPID_CAP), 0x00000f0106334141ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_VMFUNC), 0x1ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_EXIT_CTLS), 0x007fffff00036dffull);
    /* VMCS shadowing and zero-length injection in MISC; SMAP in CR4_FIXED1 */
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_MISC), 0x600401e0ull);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_CR4_FIXED1), 0x3727ffull);
}

/* Sandy Bridge: EPT_VPID_CAP 0x00000f0106114141 - no 1 GiB pages (bit 17), no A/D flags (bit 21). */
TEST_CASE(sandybridge_has_ept_without_ad_or_1g_pages)
{
    const struct sim_profile *p = get("bochs-sandybridge");
    uint64_t cap = msr(p, MSR_IA32_VMX_EPT_VPID_CAP);
    CHECK_EQ_U64(cap, 0x00000f0106114141ull);
    CHECK_EQ_U64(cap & EPT_CAP_PDPTE_1GB, 0);
    CHECK_EQ_U64(cap & EPT_CAP_ACCESSED_DIRTY, 0);
    CHECK(cap & EPT_CAP_WALK_LENGTH_4);
    CHECK(cap & EPT_CAP_PDE_2MB);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PROCBASED_CTLS2), 0x000000ff00000000ull);
    CHECK(gp(p, MSR_IA32_VMX_VMFUNC));
    CHECK(msr(p, MSR_IA32_VMX_EPT_VPID_CAP) != msr(get("bochs-haswell"), MSR_IA32_VMX_EPT_VPID_CAP));
}

/* minimal: only must-be-1 settings, no secondary controls, no TRUE MSRs; but 64-bit host and guest. */
TEST_CASE(minimal_allows_only_must_be_1_plus_64_bit)
{
    const struct sim_profile *p = get("minimal");
    uint64_t pin = msr(p, MSR_IA32_VMX_PINBASED_CTLS), proc = msr(p, MSR_IA32_VMX_PROCBASED_CTLS);
    uint64_t exit = msr(p, MSR_IA32_VMX_EXIT_CTLS), entry = msr(p, MSR_IA32_VMX_ENTRY_CTLS);
    CHECK_EQ_U64(pin >> 32, (uint32_t)pin);
    CHECK_EQ_U64(proc >> 32, (uint32_t)proc);
    CHECK_EQ_U64(exit >> 32, (uint32_t)exit | EXIT_HOST_ADDRESS_SPACE_SIZE);
    CHECK_EQ_U64(entry >> 32, (uint32_t)entry | ENTRY_IA32E_MODE_GUEST);
    CHECK_EQ_U64((uint32_t)pin, 0x16);
    CHECK_EQ_U64((uint32_t)proc, 0x0401e172);
    CHECK_EQ_U64((uint32_t)exit, 0x00036dff);
    CHECK_EQ_U64((uint32_t)entry, 0x000011ff);
    CHECK_EQ_U64(proc >> 32 & PROC_ACTIVATE_SECONDARY_CONTROLS, 0);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS, 0);
    CHECK_EQ_U64(msr(p, MSR_IA32_FEATURE_CONTROL), 0); /* unlocked: the core's lock path runs */
}

TEST_CASE(max_allows_everything_defined)
{
    const struct sim_profile *p = get("max");
    uint64_t basic = msr(p, MSR_IA32_VMX_BASIC);
    CHECK(basic & VMX_BASIC_TRUE_CTLS);
    CHECK(basic & VMX_BASIC_DUAL_MONITOR);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PROCBASED_CTLS2) >> 32, 0xdfffffffu); /* all but reserved bit 29 */
    uint64_t cap = msr(p, MSR_IA32_VMX_EPT_VPID_CAP);
    uint64_t want = EPT_CAP_EXECUTE_ONLY | EPT_CAP_WALK_LENGTH_4 | EPT_CAP_WALK_LENGTH_5 |
                    EPT_CAP_MEMTYPE_WB | EPT_CAP_PDE_2MB | EPT_CAP_PDPTE_1GB | EPT_CAP_ACCESSED_DIRTY |
                    EPT_CAP_INVEPT | EPT_CAP_INVEPT_SINGLE_CONTEXT | EPT_CAP_INVEPT_ALL_CONTEXT |
                    VPID_CAP_INVVPID | VPID_CAP_INDIVIDUAL_ADDRESS | VPID_CAP_SINGLE_CONTEXT |
                    VPID_CAP_ALL_CONTEXT | VPID_CAP_SINGLE_CONTEXT_RETAINING_GLOBALS;
    CHECK_EQ_U64(cap & want, want);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_VMFUNC), 1);
    CHECK(msr(p, MSR_IA32_VMX_MISC) & VMX_MISC_VMWRITE_ANY_FIELD);
    CHECK(msr(p, MSR_IA32_VMX_PROCBASED_CTLS3) & PROC3_IPI_VIRTUALIZATION);
    CHECK(msr(p, MSR_IA32_VMX_EXIT_CTLS2) != 0);
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_PINBASED_CTLS) >> 32, 0xff);
    CHECK_EQ_U64(msr(p, MSR_IA32_FEATURE_CONTROL), 0);
    CHECK_EQ_U64(p->linear_width, 57);
    CHECK(msr(p, MSR_IA32_VMX_CR4_FIXED1) & (1u << 12)); /* LA57 */
    /* TRUE MSRs let CR3-load/store exiting and debug-control save/load be 0 */
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_TRUE_PROCBASED_CTLS) & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING),
                 0);
}

/* ---- RDMSR existence rules (Appendix A) ---------------------------------------------------------------- */

TEST_CASE(rdmsr_basic_range_exists_on_every_vmx_profile)
{
    for (size_t i = 0; i < sim_profile_count(); i++) {
        const struct sim_profile *p = sim_profile_at(i);
        for (uint32_t m = MSR_IA32_VMX_BASIC; m <= MSR_IA32_VMX_VMCS_ENUM; m++)
            CHECK(!gp(p, m));
        CHECK(!gp(p, MSR_IA32_FEATURE_CONTROL));
        CHECK(gp(p, MSR_IA32_VMX_BASIC - 1));
        CHECK(gp(p, MSR_IA32_VMX_EXIT_CTLS2 + 1));
    }
}

TEST_CASE(rdmsr_penryn_has_no_ept_vpid_cap)
{
    const struct sim_profile *p = get("bochs-penryn");
    CHECK(!gp(p, MSR_IA32_VMX_PROCBASED_CTLS2)); /* secondary controls exist ... */
    CHECK(gp(p, MSR_IA32_VMX_EPT_VPID_CAP));     /* ... but without EPT or VPID: #GP */
    CHECK(gp(p, MSR_IA32_VMX_VMFUNC));
    CHECK(gp(p, MSR_IA32_VMX_PROCBASED_CTLS3));
    CHECK(gp(p, MSR_IA32_VMX_EXIT_CTLS2));
    for (uint32_t m = MSR_IA32_VMX_TRUE_PINBASED_CTLS; m <= MSR_IA32_VMX_TRUE_ENTRY_CTLS; m++)
        CHECK(!gp(p, m)); /* BASIC bit 55 */
}

TEST_CASE(rdmsr_haswell_has_vmfunc_but_no_tertiary)
{
    const struct sim_profile *p = get("bochs-haswell");
    CHECK_EQ_U64(msr(p, MSR_IA32_VMX_VMFUNC), 1);
    CHECK(!gp(p, MSR_IA32_VMX_EPT_VPID_CAP));
    CHECK(gp(p, MSR_IA32_VMX_PROCBASED_CTLS3)); /* primary allowed-1 bit 17 is 0 */
    CHECK(gp(p, MSR_IA32_VMX_EXIT_CTLS2));      /* exit allowed-1 bit 31 is 0 */
}

TEST_CASE(rdmsr_minimal_has_no_secondary_or_true)
{
    const struct sim_profile *p = get("minimal");
    CHECK(gp(p, MSR_IA32_VMX_PROCBASED_CTLS2));
    CHECK(gp(p, MSR_IA32_VMX_EPT_VPID_CAP));
    for (uint32_t m = MSR_IA32_VMX_TRUE_PINBASED_CTLS; m <= MSR_IA32_VMX_EXIT_CTLS2; m++)
        CHECK(gp(p, m));
}

TEST_CASE(rdmsr_max_has_every_capability_msr)
{
    const struct sim_profile *p = get("max");
    for (uint32_t m = MSR_IA32_VMX_BASIC; m <= MSR_IA32_VMX_EXIT_CTLS2; m++)
        CHECK(!gp(p, m));
}

/* The rules read the gating bits, not what happens to be stored. */
TEST_CASE(rdmsr_existence_follows_the_gating_bits)
{
    struct sim_profile p = *get("bochs-haswell");
    uint64_t *m = p.vmx_msr;
    /* VPID without EPT still has EPT_VPID_CAP (A.10) */
    m[MSR_IA32_VMX_PROCBASED_CTLS2 - SIM_VMX_MSR_FIRST] = (uint64_t)PROC2_ENABLE_VPID << 32;
    CHECK(!gp(&p, MSR_IA32_VMX_EPT_VPID_CAP));
    CHECK(gp(&p, MSR_IA32_VMX_VMFUNC)); /* no "enable VM functions" (A.11) */
    /* no "activate secondary controls": PROCBASED_CTLS2, EPT_VPID_CAP, VMFUNC all #GP whatever is stored */
    p = *get("bochs-haswell");
    m[MSR_IA32_VMX_PROCBASED_CTLS - SIM_VMX_MSR_FIRST] &= ~((uint64_t)PROC_ACTIVATE_SECONDARY_CONTROLS << 32);
    CHECK(gp(&p, MSR_IA32_VMX_PROCBASED_CTLS2));
    CHECK(gp(&p, MSR_IA32_VMX_EPT_VPID_CAP));
    CHECK(gp(&p, MSR_IA32_VMX_VMFUNC));
    /* BASIC bit 55 clear: no TRUE MSRs */
    p = *get("bochs-haswell");
    m[0] &= ~VMX_BASIC_TRUE_CTLS;
    for (uint32_t i = MSR_IA32_VMX_TRUE_PINBASED_CTLS; i <= MSR_IA32_VMX_TRUE_ENTRY_CTLS; i++)
        CHECK(gp(&p, i));
    /* tertiary and secondary-exit controls appear with their "activate" bits (A.3.4, A.4.2) */
    p = *get("bochs-haswell");
    m[MSR_IA32_VMX_PROCBASED_CTLS - SIM_VMX_MSR_FIRST] |= (uint64_t)PROC_ACTIVATE_TERTIARY_CONTROLS << 32;
    m[MSR_IA32_VMX_EXIT_CTLS - SIM_VMX_MSR_FIRST] |= (uint64_t)EXIT_ACTIVATE_SECONDARY_CONTROLS << 32;
    CHECK(!gp(&p, MSR_IA32_VMX_PROCBASED_CTLS3));
    CHECK(!gp(&p, MSR_IA32_VMX_EXIT_CTLS2));
}

TEST_CASE(rdmsr_without_cpuid_vmx_has_no_vmx_msrs)
{
    struct sim_profile p = *get("bochs-haswell");
    for (uint32_t i = 0; i < p.cpuid_count; i++)
        if (p.cpuid[i].leaf == 1)
            p.cpuid[i].ecx &= ~(1u << 5);
    CHECK(gp(&p, MSR_IA32_VMX_BASIC));
    CHECK(gp(&p, MSR_IA32_FEATURE_CONTROL)); /* Haswell has no SMX either */
    CHECK(sim_profile_invariant_violation(&p) != NULL);
}

/* ---- VMCS fields ------------------------------------------------------------------------------------- */

TEST_CASE(vmcs_fields_follow_ept_and_vpid)
{
    const struct sim_profile *penryn = get("bochs-penryn"), *haswell = get("bochs-haswell");
    CHECK(!has(penryn, HV_VMCS_ORD_EPT_POINTER));
    CHECK(has(haswell, HV_VMCS_ORD_EPT_POINTER));
    CHECK(!has(penryn, HV_VMCS_ORD_VIRTUAL_PROCESSOR_ID));
    CHECK(has(haswell, HV_VMCS_ORD_VIRTUAL_PROCESSOR_ID));
    CHECK(!has(penryn, HV_VMCS_ORD_GUEST_PDPTE0));
    CHECK(has(haswell, HV_VMCS_ORD_GUEST_PDPTE0));
    CHECK(!has(penryn, HV_VMCS_ORD_GUEST_PHYSICAL_ADDRESS));
    /* Penryn has no PAT/EFER controls and no preemption timer; it has the APIC-access page and TPR shadow */
    CHECK(!has(penryn, HV_VMCS_ORD_GUEST_IA32_PAT));
    CHECK(!has(penryn, HV_VMCS_ORD_HOST_IA32_EFER));
    CHECK(!has(penryn, HV_VMCS_ORD_VMX_PREEMPTION_TIMER_VALUE));
    CHECK(has(penryn, HV_VMCS_ORD_APIC_ACCESS_ADDR));
    CHECK(has(penryn, HV_VMCS_ORD_TPR_THRESHOLD));
    CHECK(has(penryn, HV_VMCS_ORD_GUEST_IA32_PERF_GLOBAL_CTRL)); /* entry bit 13 allowed */
}

/* PML is secondary bit 17: Haswell's 0x00047fff lacks it, Skylake-X's 0x02177fff and max have it. */
TEST_CASE(vmcs_pml_fields_on_skylake_and_max_only)
{
    CHECK(!has(get("bochs-haswell"), HV_VMCS_ORD_PML_ADDRESS));
    CHECK(!has(get("bochs-haswell"), HV_VMCS_ORD_GUEST_PML_INDEX));
    CHECK(has(get("bochs-skylake-x"), HV_VMCS_ORD_PML_ADDRESS));
    CHECK(has(get("max"), HV_VMCS_ORD_PML_ADDRESS));
    CHECK(has(get("max"), HV_VMCS_ORD_GUEST_PML_INDEX));
}

/* Every field Haswell's controls imply is there, although VMCS_ENUM 0x34 (index 0x1a) is the limit; and
 * nothing it lacks is. */
TEST_CASE(vmcs_haswell_field_set)
{
    const struct sim_profile *p = get("bochs-haswell");
    static const int present[] = {
        HV_VMCS_ORD_VIRTUAL_PROCESSOR_ID,
        HV_VMCS_ORD_EPTP_INDEX,
        HV_VMCS_ORD_GUEST_INTERRUPT_STATUS,
        HV_VMCS_ORD_VIRTUAL_APIC_PAGE_ADDR,
        HV_VMCS_ORD_APIC_ACCESS_ADDR,
        HV_VMCS_ORD_VM_FUNCTION_CONTROLS,
        HV_VMCS_ORD_EPT_POINTER,
        HV_VMCS_ORD_EOI_EXIT_BITMAP_3,
        HV_VMCS_ORD_EPTP_LIST_ADDR,
        HV_VMCS_ORD_VMREAD_BITMAP,
        HV_VMCS_ORD_VMWRITE_BITMAP,
        HV_VMCS_ORD_VIRT_EXCEPTION_INFO_ADDR,
        HV_VMCS_ORD_GUEST_IA32_PAT,
        HV_VMCS_ORD_GUEST_IA32_EFER,
        HV_VMCS_ORD_GUEST_IA32_PERF_GLOBAL_CTRL,
        HV_VMCS_ORD_GUEST_PDPTE3,
        HV_VMCS_ORD_HOST_IA32_PAT,
        HV_VMCS_ORD_HOST_IA32_PERF_GLOBAL_CTRL,
        HV_VMCS_ORD_TPR_THRESHOLD,
        HV_VMCS_ORD_PLE_GAP,
        HV_VMCS_ORD_PLE_WINDOW,
        HV_VMCS_ORD_VMX_PREEMPTION_TIMER_VALUE,
        HV_VMCS_ORD_GUEST_SMBASE,
        HV_VMCS_ORD_GUEST_IA32_SYSENTER_CS,
        HV_VMCS_ORD_HOST_RIP,
        HV_VMCS_ORD_GUEST_PHYSICAL_ADDRESS,
    };
    static const int absent[] = {
        HV_VMCS_ORD_POSTED_INTR_NOTIFICATION_VECTOR,
        HV_VMCS_ORD_POSTED_INTR_DESC_ADDR,
        HV_VMCS_ORD_HLAT_PREFIX_SIZE,
        HV_VMCS_ORD_GUEST_UINV,
        HV_VMCS_ORD_EXECUTIVE_VMCS_POINTER,
        HV_VMCS_ORD_XSS_EXITING_BITMAP,
        HV_VMCS_ORD_ENCLS_EXITING_BITMAP,
        HV_VMCS_ORD_SPP_TABLE_POINTER,
        HV_VMCS_ORD_TSC_MULTIPLIER,
        HV_VMCS_ORD_TERTIARY_PROC_BASED_VM_EXEC_CONTROL,
        HV_VMCS_ORD_SECONDARY_VM_EXIT_CONTROLS,
        HV_VMCS_ORD_GUEST_IA32_BNDCFGS,
        HV_VMCS_ORD_GUEST_IA32_RTIT_CTL,
        HV_VMCS_ORD_GUEST_IA32_PKRS,
        HV_VMCS_ORD_GUEST_SSP,
        HV_VMCS_ORD_INSTRUCTION_TIMEOUT_CONTROL,
        HV_VMCS_ORD_LOW_PASID_DIRECTORY_ADDR,
        HV_VMCS_ORD_IA32_SPEC_CTRL_MASK,
        HV_VMCS_ORD_ENCLV_EXITING_BITMAP,
        /* EPT is there, but the Shared-EPTP field (index 0x1e, a TDX-era field) is above VMCS_ENUM's 0x1a */
        HV_VMCS_ORD_SHARED_EPTP,
    };
    for (size_t i = 0; i < sizeof present / sizeof present[0]; i++) {
        if (!has(p, present[i]))
            fprintf(stderr, "missing %s\n", hv_vmcs_field_table[present[i]].name);
        CHECK(has(p, present[i]));
    }
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        if (has(p, absent[i]))
            fprintf(stderr, "unexpected %s\n", hv_vmcs_field_table[absent[i]].name);
        CHECK(!has(p, absent[i]));
    }
}

TEST_CASE(vmcs_skylake_adds_xsaves_and_tsc_scaling)
{
    const struct sim_profile *p = get("bochs-skylake-x");
    CHECK(has(p, HV_VMCS_ORD_XSS_EXITING_BITMAP));
    CHECK(has(p, HV_VMCS_ORD_TSC_MULTIPLIER)); /* index 0x19, under Bochs' limit 0x1a */
    CHECK(!has(p, HV_VMCS_ORD_POSTED_INTR_DESC_ADDR));
}

TEST_CASE(vmcs_max_has_every_field_minimal_only_the_base)
{
    const struct sim_profile *max = get("max"), *min = get("minimal");
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++) {
        CHECK(has(max, i));
        unsigned feat = hv_vmcs_field_table[i].feature;
        int base = feat == HV_VMCS_FEAT_BASE || feat == HV_VMCS_FEAT_VMX_SMBASE;
        if (has(min, i) != base)
            fprintf(stderr, "minimal: %s\n", hv_vmcs_field_table[i].name);
        CHECK(has(min, i) == base);
    }
    CHECK(!has(max, -1));
    CHECK(!has(max, HV_VMCS_FIELD_COUNT));
}

/* IA32_VMX_VMCS_ENUM bits 9:1 bound the index (A.9), for every width and type alike. */
TEST_CASE(vmcs_enum_limits_the_index)
{
    struct sim_profile p = *get("bochs-haswell");
    uint64_t *e = &p.vmx_msr[MSR_IA32_VMX_VMCS_ENUM - SIM_VMX_MSR_FIRST];
    *e = 0x17 << 1; /* the preemption-timer value is index 0x17 */
    CHECK(has(&p, HV_VMCS_ORD_VMX_PREEMPTION_TIMER_VALUE));
    CHECK(sim_profile_invariant_violation(&p) == NULL);
    *e = 0x16 << 1;
    CHECK(!has(&p, HV_VMCS_ORD_VMX_PREEMPTION_TIMER_VALUE));
    CHECK(has(&p, HV_VMCS_ORD_GUEST_IA32_SYSENTER_CS));   /* index 0x15 */
    CHECK(has(&p, HV_VMCS_ORD_VIRT_EXCEPTION_INFO_ADDR)); /* index 0x15 */
    CHECK(sim_profile_invariant_violation(&p) != NULL);   /* it hides a field Haswell has */
    *e = 0;
    CHECK(has(&p, HV_VMCS_ORD_GUEST_ES_SELECTOR)); /* index 0 */
    CHECK(!has(&p, HV_VMCS_ORD_GUEST_CS_SELECTOR));
}

/* ---- CPUID ------------------------------------------------------------------------------------------- */

TEST_CASE(cpuid_vendor_vmx_and_widths)
{
    for (size_t i = 0; i < sim_profile_count(); i++) {
        const struct sim_profile *p = sim_profile_at(i);
        uint32_t r[4];
        char vendor[13];
        sim_profile_cpuid(p, 0, 0, r);
        memcpy(vendor, &r[1], 4);
        memcpy(vendor + 4, &r[3], 4);
        memcpy(vendor + 8, &r[2], 4);
        vendor[12] = 0;
        CHECK_STREQ(vendor, "GenuineIntel");
        CHECK(r[0] >= 0xd);
        sim_profile_cpuid(p, 1, 0, r);
        CHECK(r[2] & (1u << 5)); /* VMX */
        sim_profile_cpuid(p, 0x80000000u, 0, r);
        CHECK_EQ_U64(r[0], 0x80000008u);
        sim_profile_cpuid(p, 0x80000001u, 0, r);
        CHECK(r[3] & (1u << 29)); /* LM */
        CHECK(r[3] & (1u << 20)); /* NX */
        sim_profile_cpuid(p, 0x80000008u, 0, r);
        CHECK_EQ_U64(r[0] & 0xff, p->maxphyaddr);
        CHECK_EQ_U64(r[0] >> 8 & 0xff, p->linear_width);
    }
}

TEST_CASE(cpuid_model_values_and_lookup_rules)
{
    uint32_t r[4], s[4];
    const struct sim_profile *hsw = get("bochs-haswell"), *pnr = get("bochs-penryn");
    sim_profile_cpuid(hsw, 1, 0, r);
    CHECK_EQ_U64(r[0], 0x000306c3u);
    sim_profile_cpuid(pnr, 1, 0, r);
    CHECK_EQ_U64(r[0], 0x0001067au);
    CHECK(r[2] & (1u << 6));         /* SMX */
    sim_profile_cpuid(hsw, 1, 7, s); /* leaf 1 ignores the subleaf */
    sim_profile_cpuid(hsw, 1, 0, r);
    CHECK(memcmp(r, s, sizeof r) == 0);
    sim_profile_cpuid(hsw, 7, 0, r);
    CHECK(r[1] & (1u << 7));         /* SMEP */
    sim_profile_cpuid(hsw, 7, 1, r); /* leaf 7 subleaf 1 is not listed: zeros */
    CHECK_EQ_U64(r[0] | r[1] | r[2] | r[3], 0);
    sim_profile_cpuid(hsw, 0x0d, 1, r);
    CHECK_EQ_U64(r[0], 1);                     /* XSAVEOPT */
    sim_profile_cpuid(hsw, 0x40000000u, 0, r); /* unlisted leaf */
    CHECK_EQ_U64(r[0] | r[1] | r[2] | r[3], 0);
    sim_profile_cpuid(hsw, 0x80000001u, 0, r);
    CHECK(r[3] & (1u << 27)); /* RDTSCP */
    sim_profile_cpuid(pnr, 0x80000001u, 0, r);
    CHECK_EQ_U64(r[3] & (1u << 27), 0);
}

/* ---- invariant checker ------------------------------------------------------------------------------- */

#define MSRREF(p, m) ((p).vmx_msr[(m)-SIM_VMX_MSR_FIRST])

/* Each broken profile is caught, by the rule meant (the message names it). */
TEST_CASE(invariants_catch_broken_profiles)
{
    const struct sim_profile *hsw = get("bochs-haswell");
    struct sim_profile p;
    const char *why;

#define BOTH(ctl, true_ctl, op) (MSRREF(p, ctl) op, MSRREF(p, true_ctl) op)
#define BROKEN(stmt, expect)                                                                                 \
    do {                                                                                                     \
        p = *hsw;                                                                                            \
        stmt;                                                                                                \
        why = sim_profile_invariant_violation(&p);                                                           \
        if (!why || !strstr(why, expect))                                                                    \
            fprintf(stderr, "%s: got \"%s\", want \"%s\"\n", #stmt, why ? why : "(none)", expect);           \
        CHECK(why != NULL && strstr(why, expect) != NULL);                                                   \
    } while (0)

    /* allowed-0 bit 0 not allowed to be 1 */
    BROKEN(BOTH(MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS, = 0x0000001600000017ull),
           "PINBASED_CTLS: allowed-0 bit outside allowed-1");
    BROKEN(MSRREF(p, MSR_IA32_VMX_ENTRY_CTLS) &= ~0x1000ull, "default1 bit (0-8, 12)");
    BROKEN(MSRREF(p, MSR_IA32_VMX_PROCBASED_CTLS) &= ~(1ull << 26), "default1 bit (1, 4-6, 8, 13-16, 26)");
    BROKEN(MSRREF(p, MSR_IA32_VMX_TRUE_EXIT_CTLS) ^= 1ull << 40, "TRUE_EXIT_CTLS disagrees");
    BROKEN(MSRREF(p, MSR_IA32_VMX_TRUE_ENTRY_CTLS) |= 1ull << 13, "TRUE_ENTRY_CTLS disagrees");
    /* plain MSR demands HLT exiting, TRUE does not: they differ outside the default1 class */
    BROKEN(MSRREF(p, MSR_IA32_VMX_PROCBASED_CTLS) |= 1ull << 7, "TRUE_PROCBASED_CTLS disagrees");
    BROKEN(MSRREF(p, MSR_IA32_VMX_CR0_FIXED0) &= ~(1ull << 31), "lacks PE, NE or PG");
    BROKEN(MSRREF(p, MSR_IA32_VMX_CR0_FIXED1) &= ~1ull, "CR0_FIXED0 not within");
    BROKEN(MSRREF(p, MSR_IA32_VMX_CR0_FIXED1) |= 1ull << 40, "reserved CR0 bit");
    BROKEN(MSRREF(p, MSR_IA32_VMX_CR4_FIXED0) = 0, "lacks VMXE");
    BROKEN(MSRREF(p, MSR_IA32_VMX_CR4_FIXED1) &= ~(1ull << 13), "CR4_FIXED0 not within");
    BROKEN(MSRREF(p, MSR_IA32_VMX_CR4_FIXED1) |= 1ull << 22, "CPUID does not report");
    BROKEN(MSRREF(p, MSR_IA32_VMX_CR4_FIXED1) |= 1ull << 15, "reserved CR4 bit");
    BROKEN(p.maxphyaddr = 31, "maxphyaddr");
    BROKEN(p.maxphyaddr = 53, "maxphyaddr");
    BROKEN(p.linear_width = 57, "CPUID.80000008H");
    BROKEN(MSRREF(p, MSR_IA32_VMX_BASIC) &= ~0x7fffffffull, "revision identifier 0");
    BROKEN(MSRREF(p, MSR_IA32_VMX_BASIC) |= 1ull << 31, "bit 31");
    BROKEN(MSRREF(p, MSR_IA32_VMX_BASIC) |= 1ull << 32, "region size"); /* 4097 bytes */
    BROKEN(MSRREF(p, MSR_IA32_VMX_BASIC) &= ~(0x1fffull << 32), "region size");
    BROKEN(MSRREF(p, MSR_IA32_VMX_BASIC) ^= 1ull << 50, "memory type"); /* 7 */
    BROKEN(MSRREF(p, MSR_IA32_VMX_BASIC) |= 1ull << 48, "bit 48");
    BROKEN(MSRREF(p, MSR_IA32_VMX_MISC) &= ~(1ull << 5), "bit 5 clear although");
    BROKEN(MSRREF(p, MSR_IA32_VMX_MISC) |= 0x1ffull << 16, "CR3-target count");
    BROKEN(MSRREF(p, MSR_IA32_VMX_EPT_VPID_CAP) &= ~(1ull << 6), "page-walk length");
    BROKEN(MSRREF(p, MSR_IA32_VMX_EPT_VPID_CAP) &= ~((1ull << 8) | (1ull << 14)), "memory type supported");
    BROKEN(BOTH(MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS, &= ~(1ull << 41)), "host address-space");
    BROKEN(BOTH(MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS, &= ~(1ull << 41)),
           "IA-32e mode guest");
    BROKEN(BOTH(MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS, &= ~(1ull << 35)),
           "without \"NMI exiting\"");
    BROKEN(BOTH(MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS, &= ~(1ull << 37)),
           "without \"virtual NMIs\"");
    BROKEN(BOTH(MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS, &= ~(1ull << 38)),
           "without the timer");
    BROKEN(BOTH(MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS, &= ~(1ull << 53)),
           "without \"use TPR shadow\"");
    /* posted interrupts need "acknowledge interrupt on exit" */
    BROKEN((BOTH(MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS, |= 1ull << 39),
            BOTH(MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS, &= ~(1ull << 47))),
           "process posted interrupts");
    BROKEN(MSRREF(p, MSR_IA32_VMX_PROCBASED_CTLS2) &= ~(1ull << 33), "without \"enable EPT\"");
    BROKEN(MSRREF(p, MSR_IA32_VMX_PROCBASED_CTLS2) |= 1ull << 24 << 32, "PT uses guest physical");
    BROKEN(MSRREF(p, MSR_IA32_VMX_PROCBASED_CTLS2) |= 1ull << 17, "PROCBASED_CTLS2: allowed-0 bit outside");
    BROKEN(MSRREF(p, MSR_IA32_VMX_VMCS_ENUM) = 0x34 | 1, "VMCS_ENUM: reserved");
    BROKEN(MSRREF(p, MSR_IA32_VMX_VMCS_ENUM) = 0x2c, "below the index");
    BROKEN(p.feature_control = 0x1, "FEATURE_CONTROL locked");
#undef BROKEN
#undef BOTH
    CHECK(sim_profile_invariant_violation(NULL) != NULL);
    p = *hsw;
    CHECK(sim_profile_invariant_violation(&p) == NULL);
}

/* ---- profiles from bytes ----------------------------------------------------------------------------- */

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

TEST_CASE(from_bytes_short_and_empty_inputs_are_usable)
{
    struct sim_profile p;
    CHECK_EQ_U64(sim_profile_from_bytes(&p, NULL, 0), 0);
    CHECK(sim_profile_invariant_violation(&p) == NULL);
    CHECK((msr(&p, MSR_IA32_VMX_BASIC) & 0x7fffffff) != 0);
    CHECK_STREQ(p.name, "any");
    uint8_t one = 0xff;
    CHECK_EQ_U64(sim_profile_from_bytes(&p, &one, 1), 1);
    CHECK(sim_profile_invariant_violation(&p) == NULL);
    uint8_t ff[256];
    memset(ff, 0xff, sizeof ff);
    size_t used = sim_profile_from_bytes(&p, ff, sizeof ff);
    CHECK(used > 0 && used < sizeof ff);
    CHECK(sim_profile_invariant_violation(&p) == NULL);
}

/* 10000 pseudo-random inputs of 0..255 bytes, each in a buffer of exactly its length (ASan catches a read
 * past it): every profile passes the checker, twice the same bytes give the same profile, and the space is
 * covered (each capability shows up both ways). */
TEST_CASE(from_bytes_random_inputs_keep_the_invariants)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned ept = 0, no_ept = 0, true_ctls = 0, no_true = 0, no_secondary = 0, tertiary = 0, exit2 = 0;
    unsigned locked = 0, la57 = 0, extra_must1 = 0, not_4k = 0, uc = 0, vpid_only = 0;
    unsigned shared_eptp = 0, ept_without_shared_eptp = 0;
    size_t consumed_long = 0;
    for (int n = 0; n < 10000; n++) {
        size_t len = (size_t)(xorshift64(&seed) % 256);
        uint8_t *buf = malloc(len ? len : 1);
        CHECK(buf != NULL);
        if (!buf)
            return;
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)xorshift64(&seed);
        struct sim_profile a, b;
        size_t used = sim_profile_from_bytes(&a, buf, len);
        CHECK(used <= len);
        const char *why = sim_profile_invariant_violation(&a);
        if (why)
            fprintf(stderr, "input %d: %s\n", n, why);
        CHECK(why == NULL);
        CHECK_EQ_U64(sim_profile_from_bytes(&b, buf, len), used);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        if (used < len) {
            if (!consumed_long)
                consumed_long = used;
            CHECK_EQ_U64(used, consumed_long); /* a fixed amount, whatever the bytes say */
        }
        free(buf);

        uint64_t v;
        uint64_t basic = msr(&a, MSR_IA32_VMX_BASIC);
        uint32_t sec1 = sim_profile_rdmsr(&a, MSR_IA32_VMX_PROCBASED_CTLS2, &v) ? (uint32_t)(v >> 32) : 0;
        (sec1 & PROC2_ENABLE_EPT) ? ept++ : no_ept++;
        CHECK(!!has(&a, HV_VMCS_ORD_EPT_POINTER) == !!(sec1 & PROC2_ENABLE_EPT));
        if (sec1 & PROC2_ENABLE_EPT)
            has(&a, HV_VMCS_ORD_SHARED_EPTP) ? shared_eptp++ : ept_without_shared_eptp++;
        (basic & VMX_BASIC_TRUE_CTLS) ? true_ctls++ : no_true++;
        if (sim_profile_rdmsr(&a, MSR_IA32_VMX_PROCBASED_CTLS2, &v) == false)
            no_secondary++;
        if ((sec1 & PROC2_ENABLE_VPID) && !(sec1 & PROC2_ENABLE_EPT)) {
            vpid_only++;
            CHECK(sim_profile_rdmsr(&a, MSR_IA32_VMX_EPT_VPID_CAP, &v));
        }
        tertiary += sim_profile_rdmsr(&a, MSR_IA32_VMX_PROCBASED_CTLS3, &v);
        exit2 += sim_profile_rdmsr(&a, MSR_IA32_VMX_EXIT_CTLS2, &v);
        locked += a.feature_control == 0x5;
        la57 += a.linear_width == 57;
        uint64_t proc = msr(&a, MSR_IA32_VMX_PROCBASED_CTLS);
        extra_must1 += (uint32_t)proc != 0x0401e172u;
        not_4k += ((basic >> 32) & 0x1fff) != 4096;
        uc += ((basic >> 50) & 0xf) == 0;
    }
    CHECK(ept > 100 && no_ept > 100);
    CHECK(true_ctls > 100 && no_true > 100);
    CHECK(no_secondary > 100 && vpid_only > 10);
    CHECK(tertiary > 100 && exit2 > 100);
    CHECK(locked > 100 && locked < 9900);
    CHECK(la57 > 100);
    CHECK(extra_must1 > 100);
    CHECK(not_4k > 100 && uc > 100);
    CHECK(shared_eptp > 100 && ept_without_shared_eptp > 100);
    CHECK(consumed_long > 0);
}
