/* conf-uart-registers (conformance/cases/uart-registers.case): the 16550A register behaviour the data sheet
 * defines, as seen by a guest (guests/conf_uart_registers.S lists the accesses and the expected values).
 *   HVKIT-RESULT conf-uart-registers PASS reports=12 serial="U" exits=<n> | FAIL <the first difference> */
#include "conf_dev.h"

#include <hv/exit_reasons.h>

extern const uint8_t hvkit_guest_conf_uart_registers_start[], hvkit_guest_conf_uart_registers_end[];

static struct conf_dev uart_case;

/* PC16550D data sheet, Table II and Table IV (reset configuration). */
static const struct conf_expect expected[] = {
    {0x01, "DLL with DLAB = 1"},
    {0x12, "DLM with DLAB = 1"},
    {0x83, "LCR read back"},
    {0x00, "IER after reset (offset 1 with DLAB = 0)"},
    {0x0f, "IER after writing 0xff (bits 7:4 always 0)"},
    {0xa5, "SCR"},
    {0x60, "LSR: THRE | TEMT, no data"},
    {0x01, "IIR: no interrupt pending, FIFOs off"},
    {0x60, "LSR after a write to it (read-only)"},
    {0x61, "LSR in loopback after THR 'L': DR set"},
    {0x4c, "RBR in loopback: 'L'"},
    {0x60, "LSR after reading RBR: DR clear"},
};
#define NEXPECTED ((unsigned)(sizeof expected / sizeof expected[0]))

static enum test_outcome conf_uart_registers(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_UART,
        .code = hvkit_guest_conf_uart_registers_start,
        .code_end = hvkit_guest_conf_uart_registers_end,
    };
    struct conf_dev *c = &uart_case;
    enum test_outcome out = conf_dev_start(c, "conf-uart-registers", &cfg, VM_INDEX_CONF_BASE + 1u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 200, (conf_dev_hook)0, (void *)0);
    bool ok = test_check_halted(&c->t, r) && conf_dev_expect_reports(c, expected, NEXPECTED);
    /* Only 'U' reaches the sink: in loopback the transmitter is disconnected from the line (data sheet, MCR
     * bit 4). */
    if (ok && (c->nserial != 1 || c->serial[0] != 'U'))
        ok = test_vm_fail(&c->t, "serial sink got %u bytes (first 0x%x), expected exactly \"U\"", c->nserial,
                          c->nserial ? c->serial[0] : 0u);
    if (ok && c->t.vm.dev.uart.ignored_writes != 1)
        ok = test_vm_fail(&c->t, "%llu ignored writes counted, expected 1 (the LSR write)",
                          (unsigned long long)c->t.vm.dev.uart.ignored_writes);
    return conf_dev_finish(c, ok, "reports=%u serial=\"U\"", c->nreports);
}

HVKIT_TEST("conf-uart-registers", conf_uart_registers);
