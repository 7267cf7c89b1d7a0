/* The tests that need no guest: selftest (nothing VMX) and vmx (bring-up on every CPU), and the refusal
 * policy every VMX test shares. */
#include "main.h"

enum test_outcome test_outcome_for(enum hv_err err)
{
    switch (err) {
    case HV_OK:
        return TEST_PASS;
    case HV_ERR_NOT_INTEL:
    case HV_ERR_NO_VMX:
    case HV_ERR_FEATURE_CONTROL:
    case HV_ERR_CR_FIXED:
    case HV_ERR_CONTROL_UNSUPPORTED:
        return TEST_REFUSED; /* facts about the processor or its firmware setup */
    default:
        return TEST_FAIL; /* a VMX instruction failing, no memory, bad configuration, wrong state: bugs */
    }
}

struct hvkit_cpu *test_need_vmx(const char *test, enum test_outcome *out)
{
    struct hv_arch_cpu *arch = platform_this_cpu();
    struct hvkit_cpu *c = arch ? hvkit_cpu(arch->index) : (struct hvkit_cpu *)0;
    if (!c) {
        con_printf("HVKIT-RESULT %s FAIL no per-CPU state for this processor\n", test);
        *out = TEST_FAIL;
        return (struct hvkit_cpu *)0;
    }
    switch (c->state) {
    case CPU_VMX_ON:
        *out = TEST_PASS;
        return c;
    case CPU_VMX_ABSENT:
        con_printf("HVKIT-RESULT vmx NOVMX CPUID.1:ECX.VMX=0\n");
        *out = TEST_NOVMX;
        return (struct hvkit_cpu *)0;
    case CPU_VMX_REFUSED:
        break;
    }
    *out = test_outcome_for(c->hv.err);
    test_result(test, test_outcome_word(*out), "%s", c->hv.message);
    return (struct hvkit_cpu *)0;
}

enum test_outcome test_selftest(const struct test_options *opt)
{
    (void)opt;
    /* boot/ runs its own self-tests (pmm, time, SMP) for hvkit.test=selftest before hvkit_main; this entry
     * only confirms hvkit_main is reached with the platform services alive. */
    uint64_t t0 = platform_time_ns();
    hv_paddr_t pa = pmm_alloc_page();
    bool page_ok = pa != 0 && (pa & (PLATFORM_PAGE_SIZE - 1)) == 0 && platform_phys_to_virt(pa) != (void *)0;
    if (pa)
        pmm_free_page(pa);
    uint64_t t1 = platform_time_ns();
    if (!page_ok || t1 < t0) {
        con_printf("HVKIT-RESULT selftest FAIL page_ok=%d time_monotonic=%d\n", page_ok ? 1 : 0, t1 >= t0 ? 1 : 0);
        return TEST_FAIL;
    }
    con_printf("HVKIT-RESULT selftest PASS cpus=%u free_pages=%lu\n", platform_cpu_count(),
               (unsigned long)pmm_free_pages());
    return TEST_PASS;
}

enum test_outcome test_vmx(const struct test_options *opt)
{
    (void)opt;
    enum test_outcome out;
    struct hvkit_cpu *bsp = test_need_vmx("vmx", &out);
    if (!bsp)
        return out;
    unsigned n = platform_cpu_count();
    for (unsigned i = 0; i < n; i++) {
        struct hvkit_cpu *c = hvkit_cpu(i);
        if (!c || c->state != CPU_VMX_ON) {
            con_printf("HVKIT-RESULT vmx FAIL cpu %u: %s\n", i, c ? c->hv.message : "no state");
            return TEST_FAIL;
        }
    }
    con_printf("HVKIT-RESULT vmx PASS cpus=%u revision=0x%x\n", n, bsp->hv.vmcs_revision);
    return TEST_PASS;
}
