/* conf-pic-registers (conformance/cases/pic-registers.case): 8259A initialization (ICW1-ICW4), OCW1 (IMR
 * read back on port 1), OCW3 (RR/RIS select IRR or ISR for port-0 reads and stay selected; P polls), the
 * poll acknowledging the highest request (IRR -> ISR, byte 0x80 | level), edge triggering (no new IRR bit
 * while the line stays high) and the non-specific EOI (8259A data sheet). Guest: guests/conf_pic_registers.S.
 *   HVKIT-RESULT conf-pic-registers PASS reports=11 delivered=1 exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

extern const uint8_t hvkit_guest_conf_pic_registers_start[], hvkit_guest_conf_pic_registers_end[];

static struct conf_dev pic_case;

static const struct conf_expect expected[] = {
    {0xa5, "master IMR (OCW1) read back"},
    {0x5a, "slave IMR read back"},
    {0x00, "master IRR before any request"},
    {0x00, "master ISR before any request"},
    {0x10, "master IRR with the UART on IRQ 4"},
    {0x10, "master IRR again (OCW3 RR stays selected)"},
    {0x84, "poll: request at level 4"},
    {0x10, "master ISR after the poll acknowledged IRQ 4"},
    {0x00, "master IRR after the acknowledge (edge-triggered, no new edge)"},
    {0x00, "master ISR after a non-specific EOI"},
    {0x00, "slave IRR"},
};

static enum test_outcome conf_pic_registers(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIC | HV_DEV_UART,
        .code = hvkit_guest_conf_pic_registers_start,
        .code_end = hvkit_guest_conf_pic_registers_end,
    };
    struct conf_dev *c = &pic_case;
    enum test_outcome out = conf_dev_start(c, "conf-pic-registers", &cfg, VM_INDEX_CONF_BASE + 3u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 200, (conf_dev_hook)0, (void *)0);
    bool ok = test_check_halted(&c->t, r) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0]));
    /* IF stayed 0: the poll is the only acknowledge, nothing was injected. */
    uint64_t delivered = c->t.vm.dev.pic.delivered;
    if (ok && (delivered != 1 || c->t.vm.stats.injected_exceptions != 0))
        ok = test_vm_fail(&c->t, "%llu acknowledges, expected 1 (the poll)", (unsigned long long)delivered);
    return conf_dev_finish(c, ok, "reports=%u delivered=%llu", c->nreports, (unsigned long long)delivered);
}

HVKIT_TEST("conf-pic-registers", conf_pic_registers);
