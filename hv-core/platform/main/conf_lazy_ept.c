/* conf-lazy-ept: touching N unbacked RAM pages gives exactly N EPT violations (SDM Vol. 3 §29.3.3.2: the
 * entries are not present), each answered by backing the page and restarting the instruction (RIP unchanged);
 * touching them again gives none. Qualification (§28.2.1 Table 28-7): bit 0 read / bit 1 write, bits 5:3 = 0
 * (not present). The VM counts 9 pages faulted; fresh pages read 0. Guest: guests/conf_lazy_ept.S. */
#include "conf1.h"

extern const uint8_t hvkit_guest_conf_lazy_ept_start[], hvkit_guest_conf_lazy_ept_end[];
extern const uint8_t conf_lazy_at_store[], conf_lazy_at_load[];

#define W {HV_EXIT_EPT_VIOLATION, HV_EXIT_RESUME, 0, conf_lazy_at_store, 0x2, 0x3fu}
static const struct conf1_exit exits[] = {
    W, W, W, W, W, W, W, W,
    {HV_EXIT_EPT_VIOLATION, HV_EXIT_RESUME, 0, conf_lazy_at_load, 0x1, 0x3fu},
    {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, 0},
};

static const uint64_t expected[9] = {0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x1005, 0x1006, 0x1007, 0};

static bool check(struct conf1_run *r)
{
    if (r->t.vm.stats.pages_faulted != 9)
        return test_vm_fail(&r->t, "%llu pages faulted in, expected 9",
                            (unsigned long long)r->t.vm.stats.pages_faulted);
    return true;
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_case cs = {
        .name = "conf-lazy-ept",
        .code = hvkit_guest_conf_lazy_ept_start,
        .code_end = hvkit_guest_conf_lazy_ept_end,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .results = expected,
        .nresults = 9,
        .end = HV_STEP_HALTED,
        .check = check,
    };
    return conf1_run_case(&cs, opt, (void *)0);
}
HVKIT_TEST("conf-lazy-ept", run);
