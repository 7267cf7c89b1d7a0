/* conf-intr-window-movss (conformance/cases/intr-window-movss.case): blocking by MOV SS (SDM Vol. 3 §25.4.2
 * Table 25-3; Vol. 2 MOV: a load of SS inhibits interrupts until the next instruction completes). The
 * instruction after MOV SS stores to a lazily backed page (EPT violation, not retired); at that exit the host
 * presses a key, so IRQ 1 is requested while the interruptibility state says "blocking by MOV SS": the core
 * must not inject (§27.3.1.5) but wait for the window (§26.7.5); the handler's return RIP is the instruction
 * after the store. Guest: guests/conf_intr_window_movss.S.
 *   HVKIT-RESULT conf-intr-window-movss PASS window_exits=<n> exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

#include <hv/exit_reasons.h>

extern const uint8_t hvkit_guest_conf_intr_window_movss_start[], hvkit_guest_conf_intr_window_movss_end[],
    hvkit_guest_conf_intr_window_movss_after_store[];

static struct conf_dev movss_case;

/* The key goes in at the EPT violation of the store in the MOV SS shadow. */
static void press_at_violation(struct conf_dev *c, void *arg)
{
    bool *pressed = arg;
    const struct exit_log *log = &c->t.log;
    if (!*pressed && log->n && log->n <= EXIT_LOG_MAX && log->rec[log->n - 1].basic == HV_EXIT_EPT_VIOLATION) {
        hv_vm_key_event(&c->t.vm, 0x1e);
        *pressed = true;
    }
}

static enum test_outcome conf_intr_window_movss(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIC | HV_DEV_KBD,
        .code = hvkit_guest_conf_intr_window_movss_start,
        .code_end = hvkit_guest_conf_intr_window_movss_end,
    };
    struct conf_dev *c = &movss_case;
    enum test_outcome out = conf_dev_start(c, "conf-intr-window-movss", &cfg, VM_INDEX_CONF_BASE + 16u, opt);
    if (out != TEST_PASS)
        return out;
    bool pressed = false;
    enum hv_step_result r = conf_dev_run(c, 200, press_at_violation, &pressed);
    const struct conf_expect expected[] = {
        {0x21, "the keyboard handler ran"},
        {conf_dev_guest_addr(&cfg, hvkit_guest_conf_intr_window_movss_after_store),
         "return RIP: after the store in the MOV SS shadow"},
        {0x1e, "the scancode"},
        {CONF_MARK_RESUMED, "after the handler"},
    };
    bool ok = test_check_halted(&c->t, r) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0]));
    if (ok && !pressed)
        ok = test_vm_fail(&c->t, "no EPT violation: the key was never pressed");
    unsigned windows = conf_dev_count_exits(c, HV_EXIT_INTERRUPT_WINDOW);
    return conf_dev_finish(c, ok, "window_exits=%u", windows);
}

HVKIT_TEST("conf-intr-window-movss", conf_intr_window_movss);
