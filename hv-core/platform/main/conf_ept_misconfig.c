/* conf-ept-misconfig: an EPT misconfiguration (exit 49, SDM Vol. 3 §29.3.3.1) inside an MMIO region is the
 * core's own hole: emulated (one write reaches the device, RIP moves on). One outside any region means an
 * EPT entry the core did not intend: a guest cannot make one (it never sees the EPT), so the host side plants
 * it — the scratch page's EPT leaf made write-only (bits 2:0 = 010b, "misconfigured" by §29.3.3.1) — and the
 * guest's load from it must kill the VM with the logged reason naming the GPA ("core bug", exits/ept.c),
 * never resume into an endless exit loop. The leaf is restored before hv_vm_destroy (the corruption is this
 * test's, not the core's), then every page must come back. Guest: guests/conf_ept_misconfig.S.
 * No trace differential: the planted entry is a host write the recorder cannot carry (docs/scenario-format.md
 * "Recording": host writes are not recorded), so the replay's EPT maps the page and takes no exit. */
#include "conf1.h"

#include "boot.h"

extern const uint8_t hvkit_guest_conf_ept_misconfig_start[], hvkit_guest_conf_ept_misconfig_end[];
extern const uint8_t conf_emc_1[];

static const struct conf1_exit exits[] = {
    {HV_EXIT_EPT_MISCONFIG, HV_EXIT_RESUME, 0, conf_emc_1, 0, 0},
    {HV_EXIT_EPT_MISCONFIG, HV_EXIT_KILL, 0, 0, 0, 0},
};
static const struct hv_mmio_access transfers[] = {{CONF1_MMIO_GPA, HV_ACCESS_WRITE, 4, 0x1234}};

static struct conf1_mmio_dev dev;
static uint64_t *planted;   /* the EPT leaf of the scratch page */
static uint64_t planted_was;

/* EPT paging-structure entries (SDM Vol. 3 §29.3.2, Tables 29-1..29-6): bits 2:0 R/W/X, bit 7 a large page
 * at the PDPTE/PDE level, bits 51:12 the next table or the frame. */
#define EPTE_RWX 7ull
#define EPTE_LARGE (1ull << 7)
#define EPTE_ADDR 0x000ffffffffff000ull

static uint64_t *ept_leaf(struct hv_vm *vm, uint64_t gpa)
{
    hv_paddr_t table = vm->ept_root;
    for (unsigned level = vm->ept_levels; level >= 1; level--) {
        uint64_t *t = platform_phys_to_virt(table);
        if (!t)
            return (uint64_t *)0;
        uint64_t *e = &t[(gpa >> (12 + 9 * (level - 1))) & 511u];
        if (!(*e & EPTE_RWX))
            return (uint64_t *)0;
        if (level == 1 || (*e & EPTE_LARGE))
            return e;
        table = *e & EPTE_ADDR;
    }
    return (uint64_t *)0;
}

static bool setup(struct conf1_run *r)
{
    memset(dev.regs, 0, sizeof dev.regs);
    if (!conf1_mmio_attach(r, &dev))
        return false;
    planted = ept_leaf(&r->t.vm, CONF1_SCRATCH_GPA);
    if (!planted || (*planted & EPTE_RWX) != EPTE_RWX || (*planted & EPTE_LARGE))
        return test_vm_fail(&r->t, "the scratch page's EPT leaf is not a present 4-KiB RWX entry (0x%llx)",
                            planted ? (unsigned long long)*planted : 0ull);
    planted_was = *planted;
    *planted = (planted_was & ~EPTE_RWX) | 2u; /* write-only: misconfigured (§29.3.3.1) */
    return true;
}

static bool check(struct conf1_run *r)
{
    if (planted)
        *planted = planted_was; /* our corruption, undone before the core frees the tables */
    planted = (uint64_t *)0;
    if (!conf1_contains(r->t.vm.message, "core bug"))
        return test_vm_fail(&r->t, "the kill reason \"%s\" does not call it a core bug", r->t.vm.message);
    return conf1_mmio_check_log(r, &dev, transfers, 1);
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_case cs = {
        .name = "conf-ept-misconfig",
        .code = hvkit_guest_conf_ept_misconfig_start,
        .code_end = hvkit_guest_conf_ept_misconfig_end,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .end = HV_STEP_KILLED,
        .kill_text = "EPT misconfiguration at GPA 0x3000 not in an MMIO region",
        .setup = setup,
        .check = check,
    };
    return conf1_run_case(&cs, opt, (void *)0);
}
HVKIT_TEST("conf-ept-misconfig", run);
