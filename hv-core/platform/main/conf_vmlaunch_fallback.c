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
    };
    static const struct conf1_case again = {
        .name = "conf-vmlaunch-fallback",
        .code = hvkit_guest_conf_vmlaunch_fallback_start,
        .code_end = hvkit_guest_conf_vmlaunch_fallback_end,
        .vm_index_offset = 1,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .results = expected,
        .nresults = 1,
        .end = HV_STEP_HALTED,
    };
    enum test_outcome out;
    struct hvkit_cpu *c = test_need_vmx(cs.name, &out);
    if (!c)
        return out;
    const struct conf1_case *cases[2] = {&cs, &again};
    for (unsigned k = 0; k < 2; k++) {
        struct conf1_run *r = &runs[k];
        out = conf1_start(r, cases[k], c, opt);
        if (out != TEST_PASS) {
            test_result(cs.name, test_outcome_word(out), "VM %u: %s", k + 1, r->t.why);
            return out;
        }
        bool ok = true;
        if (r->t.vm.launched_once)
            ok = test_vm_fail(&r->t, "launched_once is true before the first entry");
        while (r->steps < CONF1_MAX_STEPS && conf1_step(r) == HV_STEP_CONTINUE)
            ;
        ok = ok && conf1_check(r) && conf1_check_one_fallback(r);
        ok = conf1_finish(r) && ok;
        if (!ok) {
            test_result(cs.name, "FAIL", "VM %u: %s", k + 1, r->t.why);
            return TEST_FAIL;
        }
    }
    test_result(cs.name, "PASS", "fallbacks=%u,%u (each before exit 1) exits=%u,%u", runs[0].fallbacks,
                runs[1].fallbacks, runs[0].t.log.n, runs[1].t.log.n);
    return TEST_PASS;
}
HVKIT_TEST("conf-vmlaunch-fallback", run);
