/* conf-keyboard-injection (conformance/cases/keyboard-injection.case): a host key event (hv_vm_key_event,
 * set-1 make code 0x1e for 'a') is queued in the i8042 and raises IRQ 1; the core injects vector 0x21 (PIC
 * base 0x20 + 1) at the next entry (IF = 1, SDM Vol. 3 §27.6); the guest's handler reads status 0x15 (OBF,
 * system flag, not inhibited) and scancode 0x1e from port 0x60 (translation on: set 1 as sent). Guest:
 * guests/conf_keyboard_injection.S.
 *   HVKIT-RESULT conf-keyboard-injection PASS scancode=0x1e exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

extern const uint8_t hvkit_guest_conf_keyboard_injection_start[], hvkit_guest_conf_keyboard_injection_end[];

static struct conf_dev key_case;

static const struct conf_expect expected[] = {
    {CONF_MARK_READY, "ready"},
    {0x15, "i8042 status in the handler: OBF | SYS | INH"},
    {0x1e, "the scancode: 'a' make"},
    {CONF_MARK_RESUMED, "after the handler"},
};

/* The key goes in at the guest's "ready" report. */
static void press_at_ready(struct conf_dev *c, void *arg)
{
    bool *pressed = arg;
    if (!*pressed && c->nreports == 1 && c->report[0] == CONF_MARK_READY) {
        hv_vm_key_event(&c->t.vm, 0x1e);
        *pressed = true;
    }
}

static enum test_outcome conf_keyboard_injection(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIC | HV_DEV_KBD,
        .code = hvkit_guest_conf_keyboard_injection_start,
        .code_end = hvkit_guest_conf_keyboard_injection_end,
    };
    struct conf_dev *c = &key_case;
    enum test_outcome out = conf_dev_start(c, "conf-keyboard-injection", &cfg, VM_INDEX_CONF_BASE + 9u, opt);
    if (out != TEST_PASS)
        return out;
    bool pressed = false;
    enum hv_step_result r = conf_dev_run(c, 200, press_at_ready, &pressed);
    bool ok = test_check_halted(&c->t, r) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0])) &&
              conf_dev_expect_delivered(c, 1);
    return conf_dev_finish(c, ok, "scancode=0x1e");
}

HVKIT_TEST("conf-keyboard-injection", conf_keyboard_injection);
