/* conf-hlt-wakeup (conformance/cases/hlt-wakeup.case): HLT with IF = 1 exits (HLT exiting, SDM Vol. 3
 * §26.1.3); the core retires it and resumes the guest in the HLT activity state (§25.4.2) because the PIT can
 * wake it; the timer interrupt is injected by the next entry (§27.6, which makes the vCPU active again); the
 * handler's return RIP is the instruction after HLT, where execution resumes (SDM Vol. 2 HLT). Guest:
 * guests/conf_hlt_wakeup.S. The host timer of conf_dev.c brings the VM back at the PIT's deadline.
 *   HVKIT-RESULT conf-hlt-wakeup PASS wake_us=<HLT exit to handler> exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

#include <hv/exit_reasons.h>

extern const uint8_t hvkit_guest_conf_hlt_wakeup_start[], hvkit_guest_conf_hlt_wakeup_end[],
    hvkit_guest_conf_hlt_wakeup_after_hlt[];

static struct conf_dev hlt_case;

/* The HLT exit must say "resume" (the guest waits in the HLT state), not "halt" (the run would end). */
static bool check_hlt_exit(struct conf_dev *c)
{
    const struct exit_log *log = &c->t.log;
    for (unsigned i = 0; i < log->n && i < EXIT_LOG_MAX; i++)
        if (log->rec[i].basic == HV_EXIT_HLT)
            return log->rec[i].action == HV_EXIT_RESUME
                       ? true
                       : test_vm_fail(&c->t, "the first HLT (IF = 1, PIT running) ended the run (action %s)",
                                      exit_action_name(log->rec[i].action));
    return test_vm_fail(&c->t, "no HLT exit");
}

static enum test_outcome conf_hlt_wakeup(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIC | HV_DEV_PIT,
        .code = hvkit_guest_conf_hlt_wakeup_start,
        .code_end = hvkit_guest_conf_hlt_wakeup_end,
    };
    struct conf_dev *c = &hlt_case;
    enum test_outcome out = conf_dev_start(c, "conf-hlt-wakeup", &cfg, VM_INDEX_CONF_BASE + 7u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 200, (conf_dev_hook)0, (void *)0);
    const struct conf_expect expected[] = {
        {0x20, "the timer handler ran"},
        {conf_dev_guest_addr(&cfg, hvkit_guest_conf_hlt_wakeup_after_hlt), "the handler's return RIP: after HLT"},
        {CONF_MARK_RESUMED, "execution resumed after HLT"},
        {1, "handler runs"},
    };
    bool ok = test_check_halted(&c->t, r) && check_hlt_exit(c) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0])) &&
              conf_dev_expect_delivered(c, 1);
    return conf_dev_finish(c, ok, "host_timer_arms=%u", c->timer_arms);
}

HVKIT_TEST("conf-hlt-wakeup", conf_hlt_wakeup);
