/* conf-serial-output (conformance/cases/serial-output.case): every byte the guest writes to COM1's THR
 * reaches the host's serial sink (hv_vm_config.serial_sink), unchanged and in order -- text, CR LF, NUL,
 * DEL, 0x80, 0xff -- and the transmitter is always ready (LSR.THRE, hv/dev_uart.h: infinitely fast). Guest:
 * guests/conf_serial_output.S.
 *   HVKIT-RESULT conf-serial-output PASS bytes=<n> exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

extern const uint8_t hvkit_guest_conf_serial_output_start[], hvkit_guest_conf_serial_output_end[],
    hvkit_guest_conf_serial_output_msg[], hvkit_guest_conf_serial_output_msg_end[];

static struct conf_dev serial_case;

static enum test_outcome conf_serial_output(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_UART,
        .code = hvkit_guest_conf_serial_output_start,
        .code_end = hvkit_guest_conf_serial_output_end,
    };
    struct conf_dev *c = &serial_case;
    enum test_outcome out = conf_dev_start(c, "conf-serial-output", &cfg, VM_INDEX_CONF_BASE + 13u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 400, (conf_dev_hook)0, (void *)0);
    const uint8_t *msg = hvkit_guest_conf_serial_output_msg;
    unsigned len = (unsigned)(hvkit_guest_conf_serial_output_msg_end - msg);
    bool ok = test_check_halted(&c->t, r);
    if (ok && c->nserial != len)
        ok = test_vm_fail(&c->t, "the sink got %u bytes, expected %u", c->nserial, len);
    for (unsigned i = 0; ok && i < len; i++)
        if (c->serial[i] != msg[i])
            ok = test_vm_fail(&c->t, "byte %u is 0x%02x, expected 0x%02x", i, c->serial[i], msg[i]);
    if (ok && c->t.vm.dev.uart.tx_bytes != len)
        ok = test_vm_fail(&c->t, "the UART counted %llu bytes sent, expected %u",
                          (unsigned long long)c->t.vm.dev.uart.tx_bytes, len);
    return conf_dev_finish(c, ok, "bytes=%u", len);
}

HVKIT_TEST("conf-serial-output", conf_serial_output);
