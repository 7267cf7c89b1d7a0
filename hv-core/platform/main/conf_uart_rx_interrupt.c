/* conf-uart-rx-interrupt (conformance/cases/uart-rx-interrupt.case): a byte from the host
 * (hv_vm_serial_input) on COM1 with IER.ERBFI and MCR.OUT2 raises IRQ 4 (vector 0x24); in the handler IIR
 * reads 0x04 (received data available), LSR 0x61 (DR | THRE | TEMT), RBR the byte, then IIR 0x01 (PC16550D
 * data sheet, Table II, interrupt identification and priorities; hv/dev_uart.h). Guest:
 * guests/conf_uart_rx_interrupt.S.
 *   HVKIT-RESULT conf-uart-rx-interrupt PASS byte=0x5a exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

extern const uint8_t hvkit_guest_conf_uart_rx_interrupt_start[], hvkit_guest_conf_uart_rx_interrupt_end[];

static struct conf_dev rx_case;

static const struct conf_expect expected[] = {
    {CONF_MARK_READY, "ready"},
    {0x04, "IIR: received data available"},
    {0x61, "LSR: DR | THRE | TEMT"},
    {0x5a, "RBR: the host's byte 'Z'"},
    {0x01, "IIR after reading RBR: no interrupt"},
    {CONF_MARK_RESUMED, "after the handler"},
};

static void send_at_ready(struct conf_dev *c, void *arg)
{
    bool *sent = arg;
    if (!*sent && c->nreports == 1 && c->report[0] == CONF_MARK_READY) {
        hv_vm_serial_input(&c->t.vm, 'Z');
        *sent = true;
    }
}

static enum test_outcome conf_uart_rx_interrupt(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIC | HV_DEV_UART,
        .code = hvkit_guest_conf_uart_rx_interrupt_start,
        .code_end = hvkit_guest_conf_uart_rx_interrupt_end,
    };
    struct conf_dev *c = &rx_case;
    enum test_outcome out = conf_dev_start(c, "conf-uart-rx-interrupt", &cfg, VM_INDEX_CONF_BASE + 17u, opt);
    if (out != TEST_PASS)
        return out;
    bool sent = false;
    enum hv_step_result r = conf_dev_run(c, 200, send_at_ready, &sent);
    bool ok = test_check_halted(&c->t, r) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0]));
    return conf_dev_finish(c, ok, "byte=0x5a");
}

HVKIT_TEST("conf-uart-rx-interrupt", conf_uart_rx_interrupt);
