/* conf-exception-injection: an exception with an error code injected by the core (#GP(0) for WRMSR to an
 * unimplemented MSR, SDM Vol. 2 WRMSR) and one without (#UD for VMXOFF: VMX is hidden), delivered through the
 * guest's IDT (SDM Vol. 3 §6.12: the error code pushed for #GP, none for #UD; the saved RIP is the faulting
 * instruction's, §6.5); the first delivery takes an EPT violation on the lazy stack page and is re-injected
 * from the IDT-vectoring information (§28.2.4). Guest: guests/conf_exception_injection.S. */
#include "conf1.h"

extern const uint8_t hvkit_guest_conf_exception_injection_start[], hvkit_guest_conf_exception_injection_end[];
extern const uint8_t conf_exc_at_wrmsr[], conf_exc_at_vmxoff[];

#define START hvkit_guest_conf_exception_injection_start
#define GPA_OF(p) (CONF1_CODE_GPA + (uint64_t)((p) - START))
/* EPT violation qualification (§28.2.1 Table 28-7): bit 1 data write, bits 5:3 the page's permissions (0:
 * not present); the write is the frame push during delivery. */
static const struct conf1_exit exits[] = {
    {HV_EXIT_WRMSR, HV_EXIT_RESUME, 2, conf_exc_at_wrmsr, 0, ~0ull},
    {HV_EXIT_EPT_VIOLATION, HV_EXIT_RESUME, 0, conf_exc_at_wrmsr, 0x2, 0x3fu},
    {HV_EXIT_VMXOFF, HV_EXIT_RESUME, 3, conf_exc_at_vmxoff, 0, ~0ull},
    {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, 0},
};

static uint64_t expected[7] = {13, 0, 0, 6, 0, 0, CONF1_STACK_TOP};

static bool check(struct conf1_run *r)
{
    if (r->t.vm.stats.injected_exceptions < 2)
        return test_vm_fail(&r->t, "the VM counted %llu injected exceptions, expected at least 2",
                            (unsigned long long)r->t.vm.stats.injected_exceptions);
    return true;
}

static enum test_outcome run(const struct test_options *opt)
{
    expected[2] = GPA_OF(conf_exc_at_wrmsr);
    expected[5] = GPA_OF(conf_exc_at_vmxoff);
    static const struct conf1_case cs = {
        .name = "conf-exception-injection",
        .code = START,
        .code_end = hvkit_guest_conf_exception_injection_end,
        .lazy_stack = true,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .results = expected,
        .nresults = 7,
        .end = HV_STEP_HALTED,
        .check = check,
    };
    return conf1_run_case(&cs, opt, (void *)0);
}
HVKIT_TEST("conf-exception-injection", run);
