/* EPT lazy allocation (issue 4, item 8): pages faulted in per second, and the host memory a VM with 1 GiB of
 * configured RAM uses after touching 4 MiB. The guest touches N distinct pages (a one-byte write each): each
 * first touch is an EPT violation the core answers by backing and mapping a page, after which the
 * instruction restarts and reaches memory without an exit. Prints the median of R runs, with the oracles on
 * (the ept oracle walks the whole EPT after every EPT exit, so that run is quadratic in N) and off; then
 * the pages the sim's pool has handed out, itemized, and checks that host pages used <= touched pages +
 * EPT table pages + the fixed structures (exit status 1 when not).
 *
 *   bench_ept [--pages N] [--runs R] [--profile NAME]
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "oracle.h"
#include "bench_replay.h"
#include "scenario.h"
#include "sim_ept.h"
#include "sim_machine.h"
#include "sim_vmcs.h"

#include <hv/vm.h>
#include <hv/vmcs_fields.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIGURED_PAGES 262144u /* 1 GiB */
#define FIRST_GPA 0x200000ull    /* the touched range starts at 2 MiB, clear of the guest's entry page */

/* config-quota (room for the touched pages and the guest's system pages), then N one-byte writes. */
static struct hvs_scenario *build(const char *profile, size_t n)
{
    struct hvs_scenario *s = calloc(1, sizeof *s);
    s->records = calloc(n + 1, sizeof *s->records);
    if (!s || !s->records)
        return NULL;
    s->header.version = HVS_VERSION;
    snprintf(s->header.profile, sizeof s->header.profile, "%s", profile);
    s->header.memory_pages = CONFIGURED_PAGES;
    s->header.guest_mode = HVS_MODE_PROGRAM64;
    s->header.entry = 0x1000;
    s->header.stack = 0x8000;
    s->records[0] = (struct hvs_record){.type = HVS_CONFIG_QUOTA, .a = n + 64};
    for (size_t i = 0; i < n; i++)
        s->records[i + 1] = (struct hvs_record){
            .type = HVS_MEM_ACCESS, .a = FIRST_GPA + 4096ull * i, .b = SIM_EPT_WRITE, .c = 1, .d = 1, .e = 2};
    s->nrecords = n + 1;
    return s;
}

/* ---- host memory, measured at the last step (the VM still exists) ----------------------------------------- */

struct usage {
    size_t last_record;
    bool seen;
    size_t pool_in_use;
    uint64_t ram_leaf_pages, tables, leaves_large;
    uint64_t structures; /* VMCS, I/O bitmaps A/B, MSR bitmap, MSR areas */
    uint64_t core_ram_backed, core_tables;
};

static bool census(void *opaque, const struct sim_ept_node *n)
{
    struct usage *u = opaque;
    if (n->kind == SIM_EPT_NODE_TABLE)
        u->tables++;
    else if (n->kind == SIM_EPT_NODE_LEAF) {
        u->ram_leaf_pages += n->size / 4096;
        u->leaves_large += n->size > 4096;
    }
    return true;
}

static void measure(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    struct usage *u = opaque;
    if (record != u->last_record)
        return;
    u->seen = true;
    u->pool_in_use = sim_pages_in_use(m);
    u->ram_leaf_pages = u->tables = u->leaves_large = 0;
    struct sim_ept_caps caps = sim_ept_caps_of(m);
    sim_ept_for_each(m, &caps, sim_vmcs_fields(m, vm->vmcs)[HV_VMCS_ORD_EPT_POINTER], census, u);
    const hv_paddr_t st[] = {vm->vmcs, vm->io_bitmap_a, vm->io_bitmap_b, vm->msr_bitmap, vm->msr_area_guest,
                             vm->msr_area_host};
    u->structures = 0;
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        u->structures += st[i] != 0;
    u->core_ram_backed = vm->stats.ram_pages_backed;
    u->core_tables = vm->stats.ept_table_pages;
}

int main(int argc, char **argv)
{
    size_t pages = 1024, runs = 5;
    const char *profile = "bochs-haswell";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pages") && i + 1 < argc)
            pages = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
            profile = argv[++i];
        else {
            fprintf(stderr, "usage: bench_ept [--pages N] [--runs R] [--profile NAME]\n");
            return 3;
        }
    }
    if (pages < 1 || pages > 60000 || runs < 1 || runs > 1000) {
        fprintf(stderr, "bench_ept: --pages 1..60000, --runs 1..1000\n");
        return 3;
    }
    struct hvs_scenario *s = build(profile, pages);
    if (!s) {
        fprintf(stderr, "bench_ept: out of memory\n");
        return 3;
    }
    printf("bench_ept: profile %s, 1 GiB configured, %zu pages touched (%zu KiB), median of %zu runs\n", profile,
           pages, pages * 4, runs);
    for (int oracles = 1; oracles >= 0; oracles--) {
        struct hvs_replay_options o = {.no_oracles = !oracles};
        uint64_t exits;
        double med = bench_replay_median("bench_ept", s, &o, runs, pages, &exits);
        printf("  oracles %-3s  %10.0f pages faulted in/s  %8.0f ns/page (violation exit + map + restarted access)\n",
               oracles ? "on" : "off", (double)pages / med, med * 1e9 / (double)pages);
    }

    struct usage u = {.last_record = pages}; /* the last record's step: all pages touched */
    struct hvs_replay_hooks h = {.after_step = measure, .opaque = &u};
    struct hvs_replay_options o = {0};
    struct hvs_replay_result res;
    hvs_replay_hooked(s, &o, &h, &res);
    if (res.status != HVS_OK || !u.seen) {
        fprintf(stderr, "bench_ept: measuring run ended with status %d: %s\n", res.status, res.message);
        return 1;
    }
    uint64_t vmxon = 1; /* the processor's VMXON region (hv_cpu_init) */
    uint64_t system = u.ram_leaf_pages > pages ? u.ram_leaf_pages - pages : 0;
    uint64_t bound = pages + system + u.tables + u.structures + vmxon;
    printf("host pages in use (sim pool): %zu = %zu KiB, for 1 GiB configured\n", u.pool_in_use, u.pool_in_use * 4);
    printf("  RAM pages backed (EPT leaves)  %6llu = %zu touched + %llu guest system pages (page tables, GDT/TSS, entry)"
           "%s\n",
           (unsigned long long)u.ram_leaf_pages, pages, (unsigned long long)system,
           u.leaves_large ? " [large leaves present]" : "");
    printf("  EPT table pages                %6llu (root included)\n", (unsigned long long)u.tables);
    printf("  VM structures                  %6llu (VMCS, I/O bitmaps A and B, MSR bitmap, MSR areas)\n",
           (unsigned long long)u.structures);
    printf("  VMXON region                   %6llu\n", (unsigned long long)vmxon);
    printf("  core's own count: %llu RAM pages backed, %llu EPT table pages\n", (unsigned long long)u.core_ram_backed,
           (unsigned long long)u.core_tables);
    bool ok = u.pool_in_use <= bound;
    printf("target: host pages used %zu <= touched %zu + page-table pages %llu + fixed %llu (system %llu, structures "
           "%llu, VMXON 1) = %llu: %s\n",
           u.pool_in_use, pages, (unsigned long long)u.tables,
           (unsigned long long)(system + u.structures + vmxon), (unsigned long long)system,
           (unsigned long long)u.structures, (unsigned long long)bound, ok ? "met" : "NOT MET");
    free(s->records);
    free(s);
    return ok ? 0 : 1;
}
