/* conf-pit-oneshot (conformance/cases/pit-oneshot.case): PIT counter 0 in mode 0 (interrupt on terminal
 * count) fires exactly once (Intel 8254 data sheet, mode 0: OUT rises at terminal count and stays high; no
 * reload). The guest waits five periods with IF = 1 and exits on every poll, so a second IRQ 0 would be
 * delivered; then its final HLT (IF = 1) must end the run, since nothing can wake it any more (hv-core/src/
 * exits/hlt.c). Guest: guests/conf_pit_oneshot.S.
 *   HVKIT-RESULT conf-pit-oneshot PASS irq_edges=1 exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

#include <hv/exit_reasons.h>

extern const uint8_t hvkit_guest_conf_pit_oneshot_start[], hvkit_guest_conf_pit_oneshot_end[];

static struct conf_dev oneshot_case;

static const struct conf_expect expected[] = {
    {0x20, "the handler ran"},
    {1, "handler runs after five periods"},
    {0xb0, "counter 0 status: OUT 1 (terminal count reached), NULL COUNT 0, RW 11, mode 000"},
};

static enum test_outcome conf_pit_oneshot(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIC | HV_DEV_PIT,
        .code = hvkit_guest_conf_pit_oneshot_start,
        .code_end = hvkit_guest_conf_pit_oneshot_end,
    };
    struct conf_dev *c = &oneshot_case;
    enum test_outcome out = conf_dev_start(c, "conf-pit-oneshot", &cfg, VM_INDEX_CONF_BASE + 14u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 20000, (conf_dev_hook)0, (void *)0);
    bool ok = test_check_halted(&c->t, r) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0]));
    uint64_t edges = c->t.vm.dev.pit.irq_edges;
    if (ok && edges != 1)
        ok = test_vm_fail(&c->t, "%llu IRQ 0 edges, expected 1", (unsigned long long)edges);
    return conf_dev_finish(c, ok, "irq_edges=%llu", (unsigned long long)edges);
}

HVKIT_TEST("conf-pit-oneshot", conf_pit_oneshot);
