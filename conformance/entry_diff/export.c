/* The VM-entry differential's case generator (docs/entry-differential.md).
 *
 *   entry-diff-export BASE_LOG PROFILE OUTDIR
 *
 * BASE_LOG is a console log of `hvkit.test=entry-diff` on a Bochs model: its HVKIT-VMCS / HVKIT-VMCS-MEM lines
 * are the VMCS the executor (hv-core/platform/main/entry_diff.c) builds from the core's own VMCS. PROFILE is the
 * sim profile of that model. Every entry-check case of harness/sim/tests/ec_cases_*.c (a pass and a trip
 * mutation per rule, compiled in unchanged) is applied to that base with PROFILE's capabilities, and written as
 *   OUTDIR/cases.txt        the executor's module: `case <i> <run|unsafe>`, `w <enc> <val>`, `p <pa>`,
 *                           `m <pa> <bytes>`, `end` (the fields and bytes that differ from the base)
 *   OUTDIR/json/<i>.json    the same final state for `hvkit entry-check` (base fields + deltas, memory)
 *   OUTDIR/index.tsv        i, rule, pass|trip, the case's own profile, status, this generator's ec_run
 *                           verdict (a cross-check of hvkit entry-check), the changed fields
 * A case is `unsafe` when it moves HOST_CR3 or HOST_RIP, or clears "host address-space size", and the sim does
 * not predict a VMfail: the VM exit would load a host state the kernel cannot come back from. It is listed with
 * status `skip` when it changes a field the model lacks or cannot write (VMWRITE would fail), or needs memory
 * outside the executor's window. */
#include "ec_testenv.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- ec_testenv.c (the cases' environment, linked in) registers every case as a testlib test and has its
 * own TEST_CASEs; this generator has no test runner: registrations and checks go nowhere ---- */

unsigned long testlib_checks;
void testlib_register(const char *name, void (*fn)(void))
{
    (void)name, (void)fn; /* ec_testenv.c's and the msr_load file's TEST_CASEs: not cases of the differential */
}
void testlib_register_param(const char *name, void (*fn)(const void *arg), const void *arg)
{
    (void)name, (void)fn, (void)arg;
}
void testlib_fail(const char *file, int line, const char *fmt, ...)
{
    (void)file, (void)line, (void)fmt;
}

/* ---- the base ---- */

static struct ec_env base;
static bool have[HV_VMCS_FIELD_COUNT], writable[HV_VMCS_FIELD_COUNT];

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "entry-diff-export: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static void read_base(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot read the base log %s", path);
    char line[8192];
    unsigned nfields = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned enc;
        unsigned long long v, pa;
        char flag;
        char hex[4096];
        if (sscanf(line, "HVKIT-VMCS 0x%x 0x%llx %c", &enc, &v, &flag) == 3) {
            int high = 0;
            int ord = hv_vmcs_field_lookup(enc, &high);
            if (ord < 0 || high)
                die("%s: unknown field encoding 0x%x", path, enc);
            base.f[ord] = v;
            have[ord] = true;
            writable[ord] = flag == 'w';
            nfields++;
        } else if (sscanf(line, "HVKIT-VMCS-MEM 0x%llx %4095s", &pa, hex) == 2) {
            for (size_t b = 0; hex[2 * b] && hex[2 * b + 1]; b++) {
                unsigned byte;
                sscanf(hex + 2 * b, "%2x", &byte);
                ec_env_page(&base, pa + b)[(pa + b) & 0xfff] = (uint8_t)byte;
            }
        }
    }
    fclose(f);
    if (nfields == 0)
        die("%s has no HVKIT-VMCS lines (run hvkit.test=entry-diff first)", path);
}

static const uint8_t *base_page(uint64_t pa)
{
    for (size_t i = 0; i < base.npages; i++)
        if (base.page_pa[i] == pa)
            return base.page[i];
    return NULL;
}

/* The executor's window for case memory (entry_diff.c: ED_LOW, ED_HIGH) and the base's own pages. */
static bool page_allowed(uint64_t pa)
{
    return (pa >= 0x10000 && pa + 4096 <= 0x9f000) || base_page(pa);
}

/* ---- output ---- */

/* The sim's verdict on env as the executor will run it: its host is always in IA-32e mode, whatever host a
 * case's mutation assumes (env->host_ia32e is for the sim's own tests). */
static bool predicts_vmfail(struct ec_env *env, struct ec_outcome *o)
{
    bool assumed = env->host_ia32e;
    env->host_ia32e = true;
    struct ec_ctx c;
    *o = ec_env_run(env, &c);
    env->host_ia32e = assumed;
    return o->kind == EC_VMFAIL;
}

static void write_json(const char *dir, unsigned idx, const struct ec_env *env)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/json/%u.json", dir, idx);
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write %s", path);
    fprintf(f, "{\"profile\":\"%s\",\"fields\":{", env->prof->name);
    bool first = true;
    for (unsigned i = 0; i < HV_VMCS_FIELD_COUNT; i++) {
        if (!have[i] || !sim_profile_has_vmcs_field(env->prof, i))
            continue; /* the model has it and the sim profile not: field_existence.txt lists them */
        fprintf(f, "%s\"0x%x\":\"0x%" PRIx64 "\"", first ? "" : ",", hv_vmcs_field_table[i].encoding, env->f[i]);
        first = false;
    }
    fprintf(f, "},\"memory\":{");
    for (size_t p = 0; p < env->npages; p++) {
        fprintf(f, "%s\"0x%" PRIx64 "\":\"", p ? "," : "", env->page_pa[p]);
        for (unsigned b = 0; b < 4096; b++)
            fprintf(f, "%02x", env->page[p][b]);
        fprintf(f, "\"");
    }
    fprintf(f, "}}\n");
    fclose(f);
}

/* Runs of bytes of page `now` that differ from `was` (a base page) or are nonzero (a new, zeroed page). */
static void write_page_delta(FILE *m, uint64_t pa, const uint8_t *now, const uint8_t *was)
{
    if (!was)
        fprintf(m, "p %" PRIx64 "\n", pa);
    for (unsigned b = 0; b < 4096;) {
        bool differs = was ? now[b] != was[b] : now[b] != 0;
        if (!differs) {
            b++;
            continue;
        }
        unsigned e = b;
        while (e < 4096 && e - b < 256 && (was ? now[e] != was[e] : now[e] != 0))
            e++;
        fprintf(m, "m %" PRIx64 " ", pa + b);
        for (unsigned k = b; k < e; k++)
            fprintf(m, "%02x", now[k]);
        fprintf(m, "\n");
        b = e;
    }
}

static const char *outcome_text(const struct ec_outcome *o, char *buf, size_t n)
{
    if (o->kind == EC_OK)
        snprintf(buf, n, "ok");
    else if (o->kind == EC_VMFAIL)
        snprintf(buf, n, "vmfail/%u/%s", o->error, o->rule->name);
    else
        snprintf(buf, n, "entry-failure/%u/%" PRIu64 "/%s", o->reason, o->qualification, o->rule->name);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        die("usage: entry-diff-export BASE_LOG PROFILE OUTDIR");
    const struct sim_profile *prof = sim_profile_find(argv[2]);
    if (!prof)
        die("unknown sim profile %s", argv[2]);
    base.prof = prof;
    base.host_ia32e = true;
    read_base(argv[1]);
    const char *dir = argv[3];
    char path[4096];
    mkdir(dir, 0755);
    /* Where the model's VMCS and the sim profile disagree on which fields exist (VMREAD succeeding on the
     * model vs sim_profile_has_vmcs_field): a finding of its own, listed for the report. */
    snprintf(path, sizeof path, "%s/field_existence.txt", dir);
    FILE *fe = fopen(path, "w");
    if (!fe)
        die("cannot write %s", path);
    for (unsigned i = 0; i < HV_VMCS_FIELD_COUNT; i++)
        if (have[i] != sim_profile_has_vmcs_field(prof, i))
            fprintf(fe, "0x%x %s %s\n", hv_vmcs_field_table[i].encoding, hv_vmcs_field_table[i].name,
                    have[i] ? "model-only" : "profile-only");
    fclose(fe);
    snprintf(path, sizeof path, "%s/json", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    FILE *mod = fopen(path, "w");
    snprintf(path, sizeof path, "%s/index.tsv", dir);
    FILE *idx = fopen(path, "w");
    if (!mod || !idx)
        die("cannot write into %s", dir);
    static struct ec_env env;
    unsigned n = 0;
    for (size_t k = 0; k < ec_case_count(); k++)
        for (int trip = 0; trip < 2; trip++, n++) {
            const struct ec_case *c = ec_case_at(k);
            memcpy(&env, &base, sizeof env);
            ec_mutation mut = trip ? c->trip : c->pass;
            if (mut)
                mut(&env);
            /* What changed, and whether the executor can express it. */
            char changed[2048] = "";
            size_t cl = 0;
            const char *skip = NULL;
            bool host_unsafe = false;
            for (unsigned i = 0; i < HV_VMCS_FIELD_COUNT; i++) {
                if (env.f[i] == base.f[i])
                    continue;
                const struct hv_vmcs_field *fd = &hv_vmcs_field_table[i];
                cl += (size_t)snprintf(changed + cl, cl < sizeof changed ? sizeof changed - cl : 0, "%s%s",
                                       cl ? "," : "", fd->name);
                if (cl >= sizeof changed)
                    cl = sizeof changed - 1;
                if (!have[i])
                    skip = "field-not-on-model";
                else if (!writable[i] && !skip)
                    skip = "field-read-only-on-model";
                if (i == HV_VMCS_ORD_HOST_CR3 || i == HV_VMCS_ORD_HOST_RIP)
                    host_unsafe = true;
            }
            if ((base.f[HV_VMCS_ORD_PRIMARY_VM_EXIT_CONTROLS] & EXIT_HOST_ADDRESS_SPACE_SIZE) &&
                !(env.f[HV_VMCS_ORD_PRIMARY_VM_EXIT_CONTROLS] & EXIT_HOST_ADDRESS_SPACE_SIZE))
                host_unsafe = true;
            for (size_t p = 0; p < env.npages && !skip; p++) {
                const uint8_t *was = base_page(env.page_pa[p]);
                if ((!was || memcmp(was, env.page[p], 4096)) && !page_allowed(env.page_pa[p]))
                    skip = "memory-outside-window";
            }
            struct ec_outcome o;
            bool vmfail = predicts_vmfail(&env, &o);
            char verdict[200];
            outcome_text(&o, verdict, sizeof verdict);
            const char *status = skip ? skip : host_unsafe && !vmfail ? "unsafe" : "run";
            fprintf(idx, "%u\t%s\t%s\t%s\t%s\t%s\t%s\n", n, c->rule, trip ? "trip" : "pass", c->profile, status,
                    verdict, cl ? changed : "-");
            write_json(dir, n, &env);
            if (skip)
                continue;
            fprintf(mod, "case %u %s\n", n, strcmp(status, "unsafe") == 0 ? "unsafe" : "run");
            for (unsigned i = 0; i < HV_VMCS_FIELD_COUNT; i++)
                if (env.f[i] != base.f[i])
                    fprintf(mod, "w %x %" PRIx64 "\n", hv_vmcs_field_table[i].encoding, env.f[i]);
            for (size_t p = 0; p < env.npages; p++) {
                const uint8_t *was = base_page(env.page_pa[p]);
                if (!was || memcmp(was, env.page[p], 4096))
                    write_page_delta(mod, env.page_pa[p], env.page[p], was);
            }
            fprintf(mod, "end\n");
        }
    fclose(mod);
    fclose(idx);
    printf("entry-diff-export: %u cases for %s from %zu rules' pass/trip mutations\n", n, prof->name, ec_case_count());
    return 0;
}
