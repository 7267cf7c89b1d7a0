/* conf-quota-exhaustion: a VM whose RAM quota (hv_vm_config.memory_quota_pages) is 13 pages: 5 system pages,
 * code, result, scratch, IDT and stack pages are 10 at the first entry, so 3 lazy pages are backed (3 EPT
 * violations, RIP left on the store to restart it, SDM Vol. 3 §29.3.3.2) and the 4th write kills the VM
 * cleanly with "memory quota exceeded"; every page (tables, backed RAM) is back after hv_vm_destroy.
 * Guest: guests/conf_quota_exhaustion.S. */
#include "conf1.h"

extern const uint8_t hvkit_guest_conf_quota_exhaustion_start[], hvkit_guest_conf_quota_exhaustion_end[];
extern const uint8_t conf_quota_at_store[];

#define W {HV_EXIT_EPT_VIOLATION, HV_EXIT_RESUME, 0, conf_quota_at_store, 0x2, 0x3fu}
static const struct conf1_exit exits[] = {
    W, W, W, {HV_EXIT_EPT_VIOLATION, HV_EXIT_KILL, 0, 0, 0x2, 0x3fu},
};

static bool check(struct conf1_run *r)
{
    if (r->t.vm.stats.pages_faulted != 3 || r->t.vm.stats.ram_pages_backed != 13)
        return test_vm_fail(&r->t, "%llu pages faulted, %llu RAM pages backed; expected 3 and 13 (the quota)",
                            (unsigned long long)r->t.vm.stats.pages_faulted,
                            (unsigned long long)r->t.vm.stats.ram_pages_backed);
    return true;
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_case cs = {
        .name = "conf-quota-exhaustion",
        .code = hvkit_guest_conf_quota_exhaustion_start,
        .code_end = hvkit_guest_conf_quota_exhaustion_end,
        .quota_pages = 13,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .end = HV_STEP_KILLED,
        .kill_text = "memory quota exceeded",
        .check = check,
    };
    return conf1_run_case(&cs, opt, (void *)0);
}
HVKIT_TEST("conf-quota-exhaustion", run);
