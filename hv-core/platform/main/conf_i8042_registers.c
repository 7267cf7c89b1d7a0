/* conf-i8042-registers (conformance/cases/i8042-registers.case): the i8042's status register (bit 0 OBF,
 * bit 2 system flag, bit 3 A2 = last write was a command, bit 4 keyboard not inhibited), the controller
 * commands 0xAA (self-test -> 0x55), 0xAB (interface test -> 0x00), 0x20/0x60 (command byte), and the
 * keyboard's echo (0xEE) and reset (0xFA, 0xAA) on port 0x60 (IBM PC/AT Technical Reference, keyboard
 * controller and keyboard commands; hv/dev_i8042.h). Guest: guests/conf_i8042_registers.S.
 *   HVKIT-RESULT conf-i8042-registers PASS reports=12 exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

extern const uint8_t hvkit_guest_conf_i8042_registers_start[], hvkit_guest_conf_i8042_registers_end[];

static struct conf_dev kbc_case;

static const struct conf_expect expected[] = {
    {0x14, "status after reset: system flag, not inhibited"},
    {0x1d, "status after 0xAA: output buffer full, A2"},
    {0x55, "self-test result"},
    {0x1c, "status after reading the result: OBF clear"},
    {0x00, "keyboard interface test result"},
    {0x65, "command byte: IRQ 1, system flag, aux disabled, translation"},
    {0x14, "status after a data write: A2 clear"},
    {0x64, "command byte as written"},
    {0xee, "keyboard echo"},
    {0xfa, "keyboard reset: ACK"},
    {0xaa, "keyboard reset: BAT passed"},
    {0x14, "status with the buffer empty"},
};

static enum test_outcome conf_i8042_registers(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_KBD,
        .code = hvkit_guest_conf_i8042_registers_start,
        .code_end = hvkit_guest_conf_i8042_registers_end,
    };
    struct conf_dev *c = &kbc_case;
    enum test_outcome out = conf_dev_start(c, "conf-i8042-registers", &cfg, VM_INDEX_CONF_BASE + 4u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 200, (conf_dev_hook)0, (void *)0);
    bool ok = test_check_halted(&c->t, r) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0]));
    return conf_dev_finish(c, ok, "reports=%u", c->nreports);
}

HVKIT_TEST("conf-i8042-registers", conf_i8042_registers);
