/* The MMIO path of issue 5 (item 6): instruction decodes per second (hv_decode over a fixed mix of the forms
 * a device access uses, in 64-bit mode), and MMIO round trips per second on the sim: a scenario of N stores
 * into an MMIO hole (mem-insn records, 89 44 8B 10 = mov [rbx+rcx*4+0x10], eax) replayed through the core —
 * each one an EPT misconfiguration exit, the instruction fetched through the guest's page tables, decoded,
 * delivered to the region's handler and retired by its decoded length. Prints the median of R runs; the MMIO
 * run with the oracles on and off. Quote the release preset.
 *
 *   bench_decode [--decodes N] [--mmio N] [--runs R] [--profile NAME]     (N = 0 skips that measurement)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "bench_replay.h"
#include "scenario.h"
#include "sim_ept.h"

#include <hv/decode.h>
#include <hv/vm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mix: loads and stores of every size, SIB and RIP-relative, immediates, MOVZX/MOVSX, ALU, string. */
static const struct {
    const char *b;
    size_t n;
} mix[] = {
    {"\x89\x44\x8b\x10", 4},                     /* mov [rbx+rcx*4+0x10], eax */
    {"\x8b\x05\x00\x10\x00\x00", 6},             /* mov eax, [rip+0x1000] */
    {"\x48\x89\x03", 3},                         /* mov [rbx], rax */
    {"\x66\x89\x43\x02", 4},                     /* mov [rbx+2], ax */
    {"\x88\x23", 2},                             /* mov [rbx], ah */
    {"\xc7\x83\x00\x01\x00\x00\x01\x00\x00\x00", 10}, /* mov dword [rbx+0x100], 1 */
    {"\x0f\xb6\x03", 3},                         /* movzx eax, byte [rbx] */
    {"\x48\x0f\xbf\x43\x04", 5},                 /* movsx rax, word [rbx+4] */
    {"\x48\xa1\x00\x00\xd0\xfe\x00\x00\x00\x00", 10}, /* mov rax, [moffs64] */
    {"\x81\x0b\x00\x00\x00\x80", 6},             /* or dword [rbx], 0x80000000 */
    {"\x3b\x43\x08", 3},                         /* cmp eax, [rbx+8] */
    {"\xf3\x48\xab", 3},                         /* rep stosq */
    {"\x41\x87\x04\x24", 4},                     /* xchg [r12], eax */
    {"\x0f\xae\x3b", 3},                         /* clflush [rbx]: unsupported */
};
#define NMIX (sizeof mix / sizeof mix[0])

static struct hvs_scenario *build_mmio(const char *profile, size_t n)
{
    static uint8_t store[] = {0x89, 0x44, 0x8b, 0x10};
    struct hvs_scenario *s = calloc(1, sizeof *s);
    if (!s || !(s->records = calloc(n + 4, sizeof *s->records)))
        return NULL;
    s->header.version = HVS_VERSION;
    snprintf(s->header.profile, sizeof s->header.profile, "%s", profile);
    s->header.memory_pages = 4096; /* 16 MiB: the stores' code, 4 bytes each, runs up from 0x1000 */
    s->header.guest_mode = HVS_MODE_PROGRAM64;
    s->header.entry = 0x1000;
    s->header.stack = 0x8000;
    size_t k = 0;
    s->records[k++] = (struct hvs_record){.type = HVS_MMIO_REGION, .a = 0xfed00000, .b = 0x1000, .c = HV_REGION_MMIO};
    s->records[k++] = (struct hvs_record){.type = HVS_SET_GPR, .a = HVS_REG_RBX, .b = 0xfecffff4};
    s->records[k++] = (struct hvs_record){.type = HVS_SET_GPR, .a = HVS_REG_RCX, .b = 3};
    for (size_t i = 0; i < n; i++)
        s->records[k++] = (struct hvs_record){.type = HVS_MEM_INSN, .a = 0xfed00010, .b = SIM_EPT_WRITE,
                                              .bytes = store, .nbytes = sizeof store};
    s->nrecords = k;
    return s;
}

int main(int argc, char **argv)
{
    size_t decodes = 10000000, mmio = 100000, runs = 5;
    const char *profile = "bochs-haswell";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--decodes") && i + 1 < argc)
            decodes = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--mmio") && i + 1 < argc)
            mmio = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
            profile = argv[++i];
        else {
            fprintf(stderr, "usage: bench_decode [--decodes N] [--mmio N] [--runs R] [--profile NAME]\n");
            return 3;
        }
    }
    if (mmio > 1000000 || runs < 1 || runs > 1000) {
        fprintf(stderr, "bench_decode: --mmio 0..1000000, --runs 1..1000\n");
        return 3;
    }
    double *t = calloc(runs, sizeof *t);
    if (!t)
        return 3;
    if (decodes) {
        size_t ok = 0, lens = 0;
        for (size_t r = 0; r < runs; r++) {
            ok = lens = 0;
            double t0 = bench_now_seconds();
            for (size_t i = 0; i < decodes; i++) {
                struct hv_insn in;
                const unsigned j = (unsigned)(i % NMIX);
                if (hv_decode((const uint8_t *)mix[j].b, mix[j].n, HV_MODE_64, &in) == HV_DECODE_OK) {
                    ok++;
                    lens += in.len;
                }
            }
            t[r] = bench_now_seconds() - t0;
        }
        size_t want_ok = decodes - decodes / NMIX; /* every encoding decodes but the last (clflush) */
        if (ok != want_ok) {
            fprintf(stderr, "bench_decode: %zu of %zu decodes succeeded, expected %zu (the mix changed meaning)\n", ok,
                    decodes, want_ok);
            return 1;
        }
        double med = bench_median(t, runs);
        printf("bench_decode: %zu decodes over a mix of %zu encodings (64-bit), median of %zu runs\n", decodes,
               (size_t)NMIX, runs);
        printf("  %12.0f decodes/s  %8.1f ns/decode  (%zu bytes decoded per run)\n", (double)decodes / med,
               med * 1e9 / (double)decodes, lens);
    }
    if (mmio) {
        struct hvs_scenario *s = build_mmio(profile, mmio);
        if (!s)
            return 3;
        printf("bench_decode: %zu MMIO stores (mov [rbx+rcx*4+0x10], eax into a hole), profile %s, median of %zu runs\n",
               mmio, profile, runs);
        for (int oracles = 1; oracles >= 0; oracles--) {
            struct hvs_replay_options o = {.no_oracles = !oracles};
            uint64_t exits;
            double med = bench_replay_median("bench_decode", s, &o, runs, mmio, &exits);
            printf("  oracles %-3s  %10.0f MMIO round trips/s  %8.0f ns/round trip (exit + fetch + decode + handler + "
                   "retire)\n", oracles ? "on" : "off", (double)mmio / med, med * 1e9 / (double)mmio);
        }
        free(s->records);
        free(s);
    }
    free(t);
    return 0;
}
