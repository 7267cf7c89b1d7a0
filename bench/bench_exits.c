/* Simulated exits per second (issue 3, item 10): the core on the sim, replaying scenarios of N exits, with the
 * oracles (the full VM-entry checks before every entry among them) on and off. Prints the median of several
 * runs; build with the release preset (no sanitizers) for numbers worth quoting.
 *
 *   bench_exits [--exits N] [--runs R] [--profile NAME]
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "bench_replay.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CPUID loop: every record is one exit. */
static void fill_cpuid(struct hvs_record *r, size_t i)
{
    r->type = HVS_CPUID;
    r->a = (uint32_t)(i % 4); /* leaves 0-3 */
}

/* Mixed: CPUID, OUT to COM1, RDMSR of a virtualized MSR, VMCALL (ABI version), MOV to CR4 with the
 * owned-bit unchanged, RDMSR... — the exits a small guest makes, in a fixed rotation. */
static void fill_mixed(struct hvs_record *r, size_t i)
{
    switch (i % 5) {
    case 0:
        r->type = HVS_CPUID;
        r->a = 1;
        break;
    case 1:
        r->type = HVS_PORT_OUT;
        r->a = 0x3f8;
        r->b = 1;
        r->c = 'x';
        break;
    case 2:
        r->type = HVS_RDMSR;
        r->a = 0x1b; /* IA32_APIC_BASE: virtualized */
        break;
    case 3:
        r->type = HVS_VMCALL;
        r->a = 0; /* ABI version */
        break;
    default:
        r->type = HVS_PORT_IN;
        r->a = 0x3fd;
        r->b = 1;
        break;
    }
}

struct workload {
    const char *name;
    void (*fill)(struct hvs_record *r, size_t i);
};

int main(int argc, char **argv)
{
    size_t n = 1000000;
    int runs = 5;
    const char *profile = "bochs-haswell";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--exits") && i + 1 < argc)
            n = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
            profile = argv[++i];
        else {
            fprintf(stderr, "usage: bench_exits [--exits N] [--runs R] [--profile NAME]\n");
            return 3;
        }
    }
    if (n == 0 || n > HVS_MAX_RECORDS * 64ull || runs < 1 || runs > 99) {
        fprintf(stderr, "bench_exits: --exits 1..%llu, --runs 1..99\n", HVS_MAX_RECORDS * 64ull);
        return 3;
    }
    static const struct workload loads[] = {{"cpuid-loop", fill_cpuid}, {"mixed", fill_mixed}};
    printf("%-11s %-7s %10s %12s %10s   (profile %s, %zu exits per run, median of %d runs)\n", "workload",
           "oracles", "exits", "exits/s", "ns/exit", profile, n, runs);
    for (size_t w = 0; w < sizeof loads / sizeof loads[0]; w++) {
        struct hvs_scenario s = {0};
        snprintf(s.header.profile, sizeof s.header.profile, "%s", profile);
        s.header.version = HVS_VERSION;
        s.header.memory_pages = 256; /* 1 MiB */
        s.header.entry = 0x1000;
        s.header.stack = 0x8000;
        s.nrecords = n;
        s.records = calloc(n, sizeof *s.records);
        if (!s.records)
            return 4;
        for (size_t i = 0; i < n; i++)
            loads[w].fill(&s.records[i], i);
        for (int oracles = 1; oracles >= 0; oracles--) {
            /* "off": no oracles and no VM-entry checks (the oracle they feed), so the row measures the core
             * and the sim alone. */
            struct hvs_replay_options o = {.no_oracles = !oracles, .no_entry_checks = !oracles};
            uint64_t exits = 0;
            double med = bench_replay_median("bench_exits", &s, &o, (size_t)runs, 0, &exits);
            printf("%-11s %-7s %10llu %12.0f %10.1f\n", loads[w].name, oracles ? "on" : "off",
                   (unsigned long long)exits, (double)exits / med, med * 1e9 / (double)exits);
        }
        free(s.records);
    }
    return 0;
}
