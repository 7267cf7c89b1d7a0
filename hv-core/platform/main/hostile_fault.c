/* hostile-fault: a guest that faults with no usable IDT (guests/hostile_fault_guest.S, UD2) must end in a
 * triple-fault exit (SDM Vol. 3 §26.2, exit reason 2) and a killed VM with a logged reason, and the host must
 * carry on: the VM's pages all come back and the next VM still runs (run `hostile-fault,smoke`).
 *   HVKIT-RESULT hostile-fault PASS exits=<n> reason=2 action=kill
 *   HVKIT-RESULT hostile-fault FAIL <what differed> */
#include "main.h"

#include <hv/exit_reasons.h>

extern const uint8_t hvkit_guest_hostile_fault_start[], hvkit_guest_hostile_fault_end[];

#define FAULT_MAX_EXITS 16u

static struct test_vm fault_vm;

static const struct test_guest fault_guest =
    TEST_SMALL_PROGRAM64(hvkit_guest_hostile_fault_start, hvkit_guest_hostile_fault_end);

enum test_outcome test_hostile_fault(const struct test_options *opt)
{
    (void)opt;
    enum test_outcome out;
    struct hvkit_cpu *c = test_need_vmx("hostile-fault", &out);
    if (!c)
        return out;
    /* no opt: hvkit.record=1 does not record the hostile VMs */
    out = test_vm_start(&fault_vm, "hostile-fault", c, &fault_guest, VM_INDEX_HOSTILE_FAULT,
                        (const struct test_options *)0);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = test_vm_run(&fault_vm, FAULT_MAX_EXITS);
    const struct exit_log *log = &fault_vm.log;
    const struct exit_record *last = log->n && log->n <= EXIT_LOG_MAX ? &log->rec[log->n - 1]
                                                                      : (const struct exit_record *)0;
    bool ok = r == HV_STEP_KILLED && last && last->basic == HV_EXIT_TRIPLE_FAULT && last->action == HV_EXIT_KILL;
    if (!ok)
        test_vm_fail(&fault_vm, "run ended %s after %u exits, last reason %u, expected a triple fault (2) that "
                                "kills the VM", test_step_name(r), log->n, last ? last->basic : 0u);
    ok = test_vm_finish(&fault_vm) && ok;
    if (!ok) {
        test_result("hostile-fault", "FAIL", "%s", fault_vm.why);
        return TEST_FAIL;
    }
    test_result("hostile-fault", "PASS", "exits=%u reason=2 action=kill", log->n);
    return TEST_PASS;
}
