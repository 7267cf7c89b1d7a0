/* conf-nmi-blocking (conformance/cases/nmi-blocking.case): an NMI raised while the guest runs its NMI
 * handler is held until the handler's IRET (SDM Vol. 3 §6.7.1; §25.4.2 Table 25-3 blocking by NMI; with
 * "virtual NMIs", virtual-NMI blocking and NMI-window exiting, §26.7.6, §27.6.1.2) and then delivered: the
 * handlers never nest and both run. The vCPU's NMI is raised by the host (hv_vm_nmi) at two guest reports.
 * With virtual NMIs the core must take the NMI-window exit (reason 8) to deliver the second one right after
 * the IRET. Guest: guests/conf_nmi_blocking.S.
 *   HVKIT-RESULT conf-nmi-blocking PASS nmis=2 nmi_window_exits=<n> exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

#include <hv/exit_reasons.h>
#include <hv/vmx_controls.h>

extern const uint8_t hvkit_guest_conf_nmi_blocking_start[], hvkit_guest_conf_nmi_blocking_end[];

static struct conf_dev nmi_case;

static const struct conf_expect expected[] = {
    {CONF_MARK_READY, "ready (the host raises NMI 1)"},
    {1, "handler 1 depth"},
    {1, "handler 1 count"},
    {0xcc, "in handler 1 (the host raises NMI 2)"},
    {0xdd, "still in handler 1: NMI 2 held"},
    {1, "handler 2 depth: no nesting"},
    {2, "handler 2 count"},
    {CONF_MARK_RESUMED, "after both"},
};

/* NMI 1 at the ready report, NMI 2 at the 0xcc report inside handler 1. */
static void raise_nmis(struct conf_dev *c, void *arg)
{
    unsigned *raised = arg;
    if (*raised == 0 && c->nreports == 1 && c->report[0] == CONF_MARK_READY) {
        hv_vm_nmi(&c->t.vm);
        *raised = 1;
    } else if (*raised == 1 && c->nreports == 4 && c->report[3] == 0xcc) {
        hv_vm_nmi(&c->t.vm);
        *raised = 2;
    }
}

static enum test_outcome conf_nmi_blocking(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .code = hvkit_guest_conf_nmi_blocking_start,
        .code_end = hvkit_guest_conf_nmi_blocking_end,
    };
    struct conf_dev *c = &nmi_case;
    enum test_outcome out = conf_dev_start(c, "conf-nmi-blocking", &cfg, VM_INDEX_CONF_BASE + 15u, opt);
    if (out != TEST_PASS)
        return out;
    unsigned raised = 0;
    enum hv_step_result r = conf_dev_run(c, 200, raise_nmis, &raised);
    bool ok = test_check_halted(&c->t, r) &&
              conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0]));
    uint64_t nmis = c->t.vm.dev.pic.nmis_injected;
    if (ok && nmis != 2)
        ok = test_vm_fail(&c->t, "%llu NMIs injected, expected 2", (unsigned long long)nmis);
    unsigned windows = conf_dev_count_exits(c, HV_EXIT_NMI_WINDOW);
    if (ok && (c->t.vm.pin & PIN_VIRTUAL_NMIS) && windows != 1)
        ok = test_vm_fail(&c->t, "virtual NMIs on, %u NMI-window exits (reason 8), expected 1", windows);
    return conf_dev_finish(c, ok, "nmis=%llu virtual_nmis=%u nmi_window_exits=%u", (unsigned long long)nmis,
                           (c->t.vm.pin & PIN_VIRTUAL_NMIS) ? 1u : 0u, windows);
}

HVKIT_TEST("conf-nmi-blocking", conf_nmi_blocking);
