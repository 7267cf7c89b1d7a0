/* conf-timer-rate (conformance/cases/timer-rate.case): PIT counter 0 in mode 2 with count 0 (65536)
 * interrupts at 1193182 / 65536 Hz: a period of 54,925,401 ns (Intel 8254 data sheet, mode 2 rate generator,
 * count 0 = 2^16; hv/dev_pit.h HV_PIT_HZ). The guest's handler reports its count 1..11; the host timestamps
 * each report (platform_time_ns) and compares the time from the first to the 11th, 10 periods
 * (549,254,012 ns), with the clock. Tolerance: one period (10 % of 10). Why: the core raises IRQ 0 at each
 * expiry it observes and must coalesce none here (missed_ticks must stay 0), so the count is exact and only
 * the two endpoints move; each is delivered at the first entry after its expiry, which the host timer
 * (conf_dev.c, armed at the deadline) makes less than one period late; the report is the handler's first
 * exit after delivery. (A short period does not work on Bochs: every exit prints console lines over an
 * emulated 115200-baud UART, milliseconds of guest time per exit.)
 *   HVKIT-RESULT conf-timer-rate PASS ns=<measured> expected=549254012 error_ppm=<n> exits=<n> | FAIL <why> */
#include "conf_dev.h"

extern const uint8_t hvkit_guest_conf_timer_rate_start[], hvkit_guest_conf_timer_rate_end[];

#define RATE_TICKS 11u
#define RATE_PERIOD_NS_X10 549254012ull /* 65536 / 1193182 Hz in tenths of ns */

static struct conf_dev rate_case;

static enum test_outcome conf_timer_rate(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_PIC | HV_DEV_PIT,
        .code = hvkit_guest_conf_timer_rate_start,
        .code_end = hvkit_guest_conf_timer_rate_end,
    };
    struct conf_dev *c = &rate_case;
    /* Not recorded even with hvkit.record=1: the recording's console lines cost more guest time per exit
     * than a PIT period on Bochs, and the sim replays time on its own clock anyway (timer-rate.case). */
    (void)opt;
    enum test_outcome out =
        conf_dev_start(c, "conf-timer-rate", &cfg, VM_INDEX_CONF_BASE + 8u, (const struct test_options *)0);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 2000, (conf_dev_hook)0, (void *)0);
    struct conf_expect expected[RATE_TICKS + 1];
    for (unsigned i = 0; i < RATE_TICKS; i++)
        expected[i] = (struct conf_expect){i + 1u, "the handler's count"};
    expected[RATE_TICKS] = (struct conf_expect){CONF_MARK_RESUMED, "done"};
    bool ok = test_check_halted(&c->t, r) && conf_dev_expect_reports(c, expected, RATE_TICKS + 1u);
    uint64_t ns = ok ? c->report_ns[RATE_TICKS - 1] - c->report_ns[0] : 0;
    uint64_t want = (RATE_TICKS - 1u) * RATE_PERIOD_NS_X10 / 10u, tol = RATE_PERIOD_NS_X10 / 10u;
    uint64_t err = ns > want ? ns - want : want - ns;
    if (ok && err > tol)
        ok = test_vm_fail(&c->t, "%u ticks took %llu ns, expected %llu +- %llu (1193182 Hz / 1193)", RATE_TICKS - 1u,
                          (unsigned long long)ns, (unsigned long long)want, (unsigned long long)tol);
    if (ok && c->t.vm.dev.pit.missed_ticks != 0)
        ok = test_vm_fail(&c->t, "%llu PIT expiries coalesced", (unsigned long long)c->t.vm.dev.pit.missed_ticks);
    return conf_dev_finish(c, ok, "ns=%llu expected=%llu error_ppm=%llu", (unsigned long long)ns,
                           (unsigned long long)want, (unsigned long long)(want ? err * 1000000u / want : 0));
}

HVKIT_TEST("conf-timer-rate", conf_timer_rate);
