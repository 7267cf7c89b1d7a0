/* conf-intr-window-if0 (conformance/cases/intr-window-if0.case): an external interrupt requested while
 * RFLAGS.IF = 0 is not injected (VM entry may inject one only with IF = 1, SDM Vol. 3 §27.2.1.3 /
 * §27.3.1.4); the core arms interrupt-window exiting (§25.6.2 Table 25-6), the processor exits with reason 7
 * at the first instruction boundary with IF = 1 and no blocking by STI (§26.7.5) -- after STI and the
 * instruction it blocks (§25.4.2 Table 25-3) -- and the next entry injects. The handler's return RIP is the
 * instruction after that NOP. Guest: guests/conf_intr_window_if0.S.
 *   HVKIT-RESULT conf-intr-window-if0 PASS window_exits=1 exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

#include <hv/exit_reasons.h>

extern const uint8_t hvkit_guest_conf_intr_window_if0_start[], hvkit_guest_conf_intr_window_if0_end[],
    hvkit_guest_conf_intr_window_if0_after_nop[];

static struct conf_dev if0_case;

static enum test_outcome conf_intr_window_if0(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIC | HV_DEV_UART,
        .code = hvkit_guest_conf_intr_window_if0_start,
        .code_end = hvkit_guest_conf_intr_window_if0_end,
    };
    struct conf_dev *c = &if0_case;
    enum test_outcome out = conf_dev_start(c, "conf-intr-window-if0", &cfg, VM_INDEX_CONF_BASE + 10u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 200, (conf_dev_hook)0, (void *)0);
    const struct conf_expect expected[] = {
        {0x01, "the request is held while IF = 0 (no handler yet)"},
        {0x10, "IRR bit 4: requested, not delivered"},
        {0x24, "the handler ran"},
        {conf_dev_guest_addr(&cfg, hvkit_guest_conf_intr_window_if0_after_nop),
         "return RIP: after STI and the NOP it blocks"},
        {0x02, "IIR in the handler: THR empty"},
        {CONF_MARK_RESUMED, "after the handler"},
    };
    bool ok = test_check_halted(&c->t, r) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0]));
    unsigned windows = conf_dev_count_exits(c, HV_EXIT_INTERRUPT_WINDOW);
    if (ok && windows != 1)
        ok = test_vm_fail(&c->t, "%u interrupt-window exits (reason 7), expected 1", windows);
    return conf_dev_finish(c, ok, "window_exits=%u", windows);
}

HVKIT_TEST("conf-intr-window-if0", conf_intr_window_if0);
