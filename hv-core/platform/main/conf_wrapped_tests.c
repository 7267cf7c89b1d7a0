/* Three of the bootable build's own tests as conformance cases, their logic unchanged (smoke.c, realmode.c,
 * hostile_msr.c): each prints its own HVKIT-RESULT line first, then the case's line with the same verdict.
 *   conf-smoke-guest        CPUID, OUT, a lazily backed EPT page, a write into an MMIO hole, VMCALL, HLT
 *   conf-realmode-boot      the real-mode "booted machine" (HV_GUEST_REAL_MODE with unrestricted guest, SDM
 *                           Vol. 3 §25.6.2, §27.3.1.1)
 *   conf-host-msr-isolation a guest WRMSR/RDMSR of a host MSR (IA32_MTRR_DEF_TYPE) #GPs and never reaches
 *                           the host's register (SDM Vol. 3 §25.6.9, hv-core/src/msr_virt.c) */
#include "main.h"

/* A case that runs an existing test and repeats its verdict under the case's name. */
#define CONF_WRAPPER(case_name, fn, test, label)                                                              \
    static enum test_outcome fn(const struct test_options *opt)                                               \
    {                                                                                                         \
        enum test_outcome out = test(opt);                                                                    \
        test_result(case_name, test_outcome_word(out), label " test: %s (its line above)",                    \
                    test_outcome_word(out));                                                                  \
        return out;                                                                                           \
    }                                                                                                         \
    HVKIT_TEST(case_name, fn)

CONF_WRAPPER("conf-smoke-guest", smoke_guest, test_smoke, "smoke");
CONF_WRAPPER("conf-realmode-boot", realmode_boot, test_realmode, "realmode");
CONF_WRAPPER("conf-host-msr-isolation", host_msr_isolation, test_hostile_msr, "hostile-msr");
