/* conf-intr-window-sti (conformance/cases/intr-window-sti.case): blocking by STI (SDM Vol. 3 §25.4.2 Table
 * 25-3) with an interrupt pending. (1) The instruction in the STI shadow is a store to a lazily backed page:
 * an EPT violation the core answers without retiring it, so the interruptibility state keeps "blocking by
 * STI"; injecting then would fail VM entry (§27.3.1.5) or deliver before the store -- the core must wait for
 * the interrupt window (§26.7.5), and the handler's return RIP is the instruction after the store. (2) The
 * instruction in the shadow is an OUT the core emulates and retires (which ends the shadow): the return RIP
 * is the instruction after the OUT. Guest: guests/conf_intr_window_sti.S.
 *   HVKIT-RESULT conf-intr-window-sti PASS window_exits=<n> exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

#include <hv/exit_reasons.h>

extern const uint8_t hvkit_guest_conf_intr_window_sti_start[], hvkit_guest_conf_intr_window_sti_end[],
    hvkit_guest_conf_intr_window_sti_after_store[], hvkit_guest_conf_intr_window_sti_after_out[];

static struct conf_dev sti_case;

static enum test_outcome conf_intr_window_sti(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIC | HV_DEV_UART,
        .code = hvkit_guest_conf_intr_window_sti_start,
        .code_end = hvkit_guest_conf_intr_window_sti_end,
    };
    struct conf_dev *c = &sti_case;
    enum test_outcome out = conf_dev_start(c, "conf-intr-window-sti", &cfg, VM_INDEX_CONF_BASE + 11u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 200, (conf_dev_hook)0, (void *)0);
    const struct conf_expect expected[] = {
        {0x24, "handler 1 ran"},
        {conf_dev_guest_addr(&cfg, hvkit_guest_conf_intr_window_sti_after_store),
         "handler 1 return RIP: after the store in the STI shadow (EPT violation, not retired)"},
        {0x02, "IIR in handler 1"},
        {0x24, "handler 2 ran"},
        {conf_dev_guest_addr(&cfg, hvkit_guest_conf_intr_window_sti_after_out),
         "handler 2 return RIP: after the OUT in the STI shadow (retired by the core)"},
        {0x02, "IIR in handler 2"},
        {CONF_MARK_RESUMED, "after the handlers"},
    };
    bool ok = test_check_halted(&c->t, r) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0]));
    if (ok && conf_dev_count_exits(c, HV_EXIT_EPT_VIOLATION) != 1)
        ok = test_vm_fail(&c->t, "%u EPT violations, expected 1 (the store in the STI shadow)",
                          conf_dev_count_exits(c, HV_EXIT_EPT_VIOLATION));
    unsigned windows = conf_dev_count_exits(c, HV_EXIT_INTERRUPT_WINDOW);
    return conf_dev_finish(c, ok, "window_exits=%u", windows);
}

HVKIT_TEST("conf-intr-window-sti", conf_intr_window_sti);
