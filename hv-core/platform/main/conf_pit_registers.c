/* conf-pit-registers (conformance/cases/pit-registers.case): the 8254's control word, counter latch and
 * read-back, as a guest sees them (guests/conf_pit_registers.S). Expected values from the Intel 8254 data
 * sheet: the read-back status byte is D7 OUTPUT, D6 NULL COUNT, D5-D0 "the Counter's programmed Mode exactly
 * as written in the last Mode Control Word"; after a control word OUT is low in mode 0 and high in modes 2
 * and 3, and NULL COUNT is 1 until a count is loaded; a latched count (counter latch command, or read-back
 * with D5 = 0) is read LSB then MSB and, with a latched status, after it. The latched counts depend on how
 * much time passed: they must lie in [1, 0x1000] (mode 2 counts N down to 1 and reloads N).
 *   HVKIT-RESULT conf-pit-registers PASS latch=0x<n> readback=0x<n> exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

extern const uint8_t hvkit_guest_conf_pit_registers_start[], hvkit_guest_conf_pit_registers_end[];

static struct conf_dev pit_case;

static bool check_counts(struct conf_dev *c, unsigned *latch, unsigned *readback)
{
    if (c->nreports < 6)
        return false; /* conf_dev_expect_reports names it */
    *latch = (unsigned)(c->report[1] | c->report[2] << 8);
    *readback = (unsigned)(c->report[4] | c->report[5] << 8);
    if (*latch == 0 || *latch > 0x1000u)
        return test_vm_fail(&c->t, "counter latch command read 0x%x, expected 1..0x1000 (mode 2: 0x1000 down to 1)",
                            *latch);
    if (*readback == 0 || *readback > 0x1000u)
        return test_vm_fail(&c->t, "read-back count 0x%x, expected 1..0x1000", *readback);
    return true;
}

static enum test_outcome conf_pit_registers(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIT,
        .code = hvkit_guest_conf_pit_registers_start,
        .code_end = hvkit_guest_conf_pit_registers_end,
    };
    struct conf_dev *c = &pit_case;
    enum test_outcome out = conf_dev_start(c, "conf-pit-registers", &cfg, VM_INDEX_CONF_BASE + 2u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 200, (conf_dev_hook)0, (void *)0);
    unsigned latch = 0, readback = 0;
    bool ok = test_check_halted(&c->t, r) && check_counts(c, &latch, &readback);
    /* The counts are time-dependent: compare what was read there, everything else exactly. */
    const struct conf_expect expected[] = {
        {0xb4, "counter 0 status after its count: OUT 1, NULL COUNT 0, RW 11, mode 010"},
        {c->report[1], "latched count LSB"},
        {c->report[2], "latched count MSB"},
        {0xb4, "read-back status before the count"},
        {c->report[4], "read-back count LSB"},
        {c->report[5], "read-back count MSB"},
        {0x70, "counter 2 status after a mode-0 control word: OUT 0, NULL COUNT 1"},
        {0x30, "counter 2 status after its count: OUT 0, NULL COUNT 0"},
        {0xf6, "counter 1 status after a mode-3 control word: OUT 1, NULL COUNT 1"},
        {0xfc, "counter 1 status after control word 0x7c: mode bits 110 as written"},
    };
    ok = ok && conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0]));
    return conf_dev_finish(c, ok, "latch=0x%x readback=0x%x", latch, readback);
}

HVKIT_TEST("conf-pit-registers", conf_pit_registers);
