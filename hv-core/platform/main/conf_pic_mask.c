/* conf-pic-mask (conformance/cases/pic-mask.case): with IF = 1, a request on an IRQ masked in the IMR is
 * latched in IRR but never delivered; unmasking it (OCW1) delivers it at the next entry (8259A data sheet;
 * the core injects only what the PIC asserts, hv-core/src/irq.c). The handler's return RIP is the
 * instruction after the unmasking OUT. Guest: guests/conf_pic_mask.S.
 *   HVKIT-RESULT conf-pic-mask PASS delivered=1 exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

extern const uint8_t hvkit_guest_conf_pic_mask_start[], hvkit_guest_conf_pic_mask_end[],
    hvkit_guest_conf_pic_mask_after_unmask[];

static struct conf_dev mask_case;

static enum test_outcome conf_pic_mask(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIC | HV_DEV_UART,
        .code = hvkit_guest_conf_pic_mask_start,
        .code_end = hvkit_guest_conf_pic_mask_end,
    };
    struct conf_dev *c = &mask_case;
    enum test_outcome out = conf_dev_start(c, "conf-pic-mask", &cfg, VM_INDEX_CONF_BASE + 12u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 200, (conf_dev_hook)0, (void *)0);
    const struct conf_expect expected[] = {
        {0x01, "masked request pending, IF = 1: no handler"},
        {0x10, "IRR bit 4: latched while masked"},
        {0xff, "IMR"},
        {0x24, "the handler ran after the unmask"},
        {conf_dev_guest_addr(&cfg, hvkit_guest_conf_pic_mask_after_unmask), "return RIP: after the unmasking OUT"},
        {0x02, "IIR in the handler"},
        {CONF_MARK_RESUMED, "after the handler"},
    };
    bool ok = test_check_halted(&c->t, r) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0])) &&
              conf_dev_expect_delivered(c, 1);
    return conf_dev_finish(c, ok, "delivered=1");
}

HVKIT_TEST("conf-pic-mask", conf_pic_mask);
