/* conf-vmlaunch-fallback: the core enters a VM with VMRESUME and, when the VMCS was never launched, gets
 * VMfailValid with VM-instruction error 5 "VMRESUME with non-launched VMCS" (SDM Vol. 3 §31.4 Table 31-1;
 * §31.3 VMLAUNCH/VMRESUME: the launch state must be "clear" for VMLAUNCH, "launched" for VMRESUME) and
 * issues VMLAUNCH (vcpu.c). Checked: launched_once is false before the first step; exactly one
 * HV_TRACE_ENTRY_FALLBACK, before the first exit; launched_once true after it; every later entry a VMRESUME
 * that succeeds (no further fallback across the CPUID, VMCALL and HLT exits); a second VM created after the
 * first was destroyed (a new VMCS, launch state clear after VMCLEAR, §25.1) falls back once again.
 * Guest: guests/conf_vmlaunch_fallback.S. */
#include "conf1.h"

#include <hv/hypercall.h>

extern const uint8_t hvkit_guest_conf_vmlaunch_fallback_start[], hvkit_guest_conf_vmlaunch_fallback_end[];
extern const uint8_t conf_vlf_1[], conf_vlf_2[];

static const struct conf1_exit exits[] = {
    {HV_EXIT_CPUID, HV_EXIT_RESUME, 2, conf_vlf_1, 0, ~0ull},
    {HV_EXIT_VMCALL, HV_EXIT_RESUME, 3, conf_vlf_2, 0, ~0ull},
    {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, ~0ull},
};
static const uint64_t expected[] = {HV_HC_ABI_VERSION};

static struct conf1_run runs[2];

/* Before the first entry the VM has never been launched (the core sets launched_once at its first VMLAUNCH, vcpu.c). */
static bool check_not_launched(struct conf1_run *r)
{
    if (r->t.vm.launched_once)
        return test_vm_fail(&r->t, "launched_once is true before the first entry");
    return true;
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_case cs = {
        .name = "conf-vmlaunch-fallback",
        .code = hvkit_guest_conf_vmlaunch_fallback_start,
        .code_end = hvkit_guest_conf_vmlaunch_fallback_end,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .results = expected,
        .nresults = 1,
        .end = HV_STEP_HALTED,
        .setup = check_not_launched,
        .check = conf1_check_one_fallback,
    };
    static struct conf1_case again; /* the same program in a second VM, created after the first is gone */
    again = cs;
    again.vm_index_offset = 1;
    const struct conf1_case *cases[2] = {&cs, &again};
    enum test_outcome out = conf1_run_in_turn(runs, cases, 2, opt);
    if (out != TEST_PASS)
        return out;
    test_result(cs.name, "PASS", "fallbacks=%u,%u (each before exit 1) exits=%u,%u", runs[0].fallbacks,
                runs[1].fallbacks, runs[0].t.log.n, runs[1].t.log.n);
    return TEST_PASS;
}
HVKIT_TEST("conf-vmlaunch-fallback", run);
