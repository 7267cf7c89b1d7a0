/* Two of the bootable build's own tests as conformance cases, their logic unchanged (smoke.c, hostile_msr.c):
 * each prints its own HVKIT-RESULT line first, then the case's line with the same verdict.
 *   conf-smoke-guest        CPUID, OUT, a lazily backed EPT page, a write into an MMIO hole, VMCALL, HLT
 *   conf-host-msr-isolation a guest WRMSR/RDMSR of a host MSR (IA32_MTRR_DEF_TYPE) #GPs and never reaches
 *                           the host's register (SDM Vol. 3 §25.6.9, hv-core/src/msr_virt.c) */
#include "main.h"

static enum test_outcome smoke_guest(const struct test_options *opt)
{
    enum test_outcome out = test_smoke(opt);
    test_result("conf-smoke-guest", test_outcome_word(out), "smoke test: %s (its line above)", test_outcome_word(out));
    return out;
}
HVKIT_TEST("conf-smoke-guest", smoke_guest);

static enum test_outcome host_msr_isolation(const struct test_options *opt)
{
    enum test_outcome out = test_hostile_msr(opt);
    test_result("conf-host-msr-isolation", test_outcome_word(out), "hostile-msr test: %s (its line above)",
                test_outcome_word(out));
    return out;
}
HVKIT_TEST("conf-host-msr-isolation", host_msr_isolation);
