/* conf-triple-fault: a guest triple fault (exit reason 2, SDM Vol. 3 §26.2) kills that VM only, with the
 * logged reason and every page back; a VM created after it on the same CPU (conf-cpuid-policy's guest) then
 * runs to HLT normally. Guest: guests/conf_triple_fault.S. */
#include "conf1.h"

extern const uint8_t hvkit_guest_conf_triple_fault_start[], hvkit_guest_conf_triple_fault_end[];
extern const uint8_t hvkit_guest_conf_cpuid_policy_start[], hvkit_guest_conf_cpuid_policy_end[];

static const struct conf1_exit tf_exits[] = {{HV_EXIT_TRIPLE_FAULT, HV_EXIT_KILL, 0, 0, 0, ~0ull}};
#define CPUID_EXIT {HV_EXIT_CPUID, HV_EXIT_RESUME, 2, 0, 0, ~0ull}
static const struct conf1_exit ok_exits[] = {
    CPUID_EXIT, CPUID_EXIT, CPUID_EXIT, CPUID_EXIT, CPUID_EXIT, {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, 0},
};
static const uint64_t sig[] = {0x40000001u, 0x696b7668u, 0x6b766874u, 0x76687469u}; /* leaf 40000000H */

/* The second VM ran conf-cpuid-policy's guest: slots 8..11 hold what CPUID 40000000H returned. */
static bool check_signature(struct conf1_run *r)
{
    for (unsigned i = 0; i < 4; i++)
        if (r->got[8 + i] != sig[i])
            return test_vm_fail(&r->t, "second VM: CPUID 40000000H register %u = 0x%llx", i,
                                (unsigned long long)r->got[8 + i]);
    return true;
}

static struct conf1_run runs[2];

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_case tf = {
        .name = "conf-triple-fault",
        .code = hvkit_guest_conf_triple_fault_start,
        .code_end = hvkit_guest_conf_triple_fault_end,
        .exits = tf_exits,
        .nexits = 1,
        .end = HV_STEP_KILLED,
        .kill_text = "triple fault",
    };
    static const struct conf1_case ok = {
        .name = "conf-triple-fault",
        .code = hvkit_guest_conf_cpuid_policy_start,
        .code_end = hvkit_guest_conf_cpuid_policy_end,
        .vm_index_offset = 1,
        .exits = ok_exits,
        .nexits = sizeof ok_exits / sizeof ok_exits[0],
        .end = HV_STEP_HALTED,
        .check = check_signature,
    };
    const struct conf1_case *cases[2] = {&tf, &ok};
    enum test_outcome out = conf1_run_in_turn(runs, cases, 2, opt);
    if (out != TEST_PASS)
        return out;
    test_result(tf.name, "PASS", "killed=\"%s\" second_vm_exits=%u end=halted", runs[0].t.vm.message,
                runs[1].t.log.n);
    return TEST_PASS;
}
HVKIT_TEST("conf-triple-fault", run);
