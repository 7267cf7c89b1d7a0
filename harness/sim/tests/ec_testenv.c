/* The entry-check case runner (ec_testenv.h). */
#include "ec_testenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <testlib.h>

uint8_t *ec_env_page(struct ec_env *env, uint64_t pa)
{
    pa &= ~0xfffull;
    for (size_t i = 0; i < env->npages; i++)
        if (env->page_pa[i] == pa)
            return env->page[i];
    if (env->npages == EC_ENV_MAX_PAGES) {
        fprintf(stderr, "ec_env: more than %d pages\n", EC_ENV_MAX_PAGES);
        abort();
    }
    env->page_pa[env->npages] = pa;
    memset(env->page[env->npages], 0, 4096);
    return env->page[env->npages++];
}

void ec_env_write(struct ec_env *env, uint64_t pa, const void *src, size_t len)
{
    const uint8_t *s = src;
    for (size_t i = 0; i < len; i++)
        ec_env_page(env, pa + i)[(pa + i) & 0xfff] = s[i];
}

void ec_env_write64(struct ec_env *env, uint64_t pa, uint64_t v)
{
    ec_env_write(env, pa, &v, 8);
}

void ec_env_write32(struct ec_env *env, uint64_t pa, uint32_t v)
{
    ec_env_write(env, pa, &v, 4);
}

uint64_t ec_env_cap(const struct ec_env *env, uint32_t msr, uint32_t true_msr)
{
    return sim_ctl_capability(env->prof, msr, true_msr);
}

static bool env_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
    struct ec_env *env = opaque;
    uint8_t *d = buf;
    for (size_t i = 0; i < len; i++) {
        uint64_t a = pa + i;
        size_t p = 0;
        while (p < env->npages && env->page_pa[p] != (a & ~0xfffull))
            p++;
        if (p == env->npages)
            return false;
        d[i] = env->page[p][a & 0xfff];
    }
    return true;
}

static struct ec_env *env_new(const char *profile)
{
    struct ec_env *env = calloc(1, sizeof *env);
    env->prof = sim_profile_find(profile);
    if (!env->prof) {
        fprintf(stderr, "no profile '%s'\n", profile);
        abort();
    }
    sim_vmcs_template(env->prof, env->f);
    env->host_ia32e = true;
    return env;
}

struct ec_outcome ec_env_run(struct ec_env *env, struct ec_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->f = env->f;
    c->prof = env->prof;
    c->mem.read = env_read;
    c->mem.opaque = env;
    c->host_ia32e = env->host_ia32e;
    ec_ctx_load_controls(c);
    return ec_run(c);
}

static void describe(const char *what, const struct ec_outcome *o)
{
    fprintf(stderr, "%s: kind %d error %u reason %u qualification %llu rule %s\n", what, (int)o->kind, o->error,
            o->reason, (unsigned long long)o->qualification, o->rule ? o->rule->name : "(none)");
}

static void run_pass(const void *arg)
{
    const struct ec_case *k = arg;
    const struct ec_rule *rule = ec_rule_find(k->rule);
    CHECK(rule != NULL);
    if (!rule)
        return;
    struct ec_env *env = env_new(k->profile);
    if (k->pass)
        k->pass(env);
    struct ec_ctx c;
    struct ec_outcome o = ec_env_run(env, &c);
    if (o.kind != EC_OK)
        describe("pass case did not pass", &o);
    CHECK(o.kind == EC_OK);
    uint64_t detail = 0;
    CHECK(rule->ok(&c, &detail));
    free(env);
}

static void run_trip(const void *arg)
{
    const struct ec_case *k = arg;
    const struct ec_rule *rule = ec_rule_find(k->rule);
    CHECK(rule != NULL);
    if (!rule)
        return;
    struct ec_env *env = env_new(k->profile);
    k->trip(env);
    struct ec_ctx c;
    struct ec_outcome o = ec_env_run(env, &c);
    if (o.rule != rule)
        describe("trip case failed elsewhere", &o);
    CHECK(o.rule == rule);
    switch (rule->cls) {
    case EC_CLASS_CONTROLS:
        CHECK(o.kind == EC_VMFAIL);
        CHECK_EQ_U64(o.error, 7);
        break;
    case EC_CLASS_HOST:
        CHECK(o.kind == EC_VMFAIL);
        CHECK_EQ_U64(o.error, 8);
        break;
    case EC_CLASS_GUEST:
        CHECK(o.kind == EC_ENTRY_FAILURE);
        CHECK_EQ_U64(o.reason, 33);
        CHECK_EQ_U64(o.qualification, rule->qualification);
        break;
    default:
        CHECK(o.kind == EC_ENTRY_FAILURE);
        CHECK_EQ_U64(o.reason, 34);
        CHECK(o.qualification >= 1);
        if (env->expect_qualification)
            CHECK_EQ_U64(o.qualification, env->expect_qualification);
        break;
    }
    free(env);
}

#define EC_MAX_CASES 512
static const struct ec_case *all_cases[EC_MAX_CASES];
static size_t n_all;

void ec_register_cases(const struct ec_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char name[160];
        if (n_all == EC_MAX_CASES)
            abort();
        all_cases[n_all++] = &cases[i];
        snprintf(name, sizeof name, "pass.%s", cases[i].rule);
        testlib_register_param(name, run_pass, &cases[i]);
        snprintf(name, sizeof name, "trip.%s", cases[i].rule);
        testlib_register_param(name, run_trip, &cases[i]);
    }
}

size_t ec_case_count(void)
{
    return n_all;
}

const struct ec_case *ec_case_at(size_t i)
{
    return i < n_all ? all_cases[i] : NULL;
}

/* Every rule has exactly one case, and every case names a rule. */
TEST_CASE(every_rule_has_a_pass_and_a_trip_case)
{
    size_t nrules = ec_rule_count();
    for (size_t i = 0; i < nrules; i++) {
        const char *name = ec_rule_at(i)->name;
        size_t found = 0;
        for (size_t k = 0; k < n_all; k++)
            found += strcmp(all_cases[k]->rule, name) == 0;
        if (found != 1)
            fprintf(stderr, "rule %s has %zu cases\n", name, found);
        CHECK_EQ_U64(found, 1);
    }
    for (size_t k = 0; k < n_all; k++) {
        if (!ec_rule_find(all_cases[k]->rule))
            fprintf(stderr, "case for unknown rule %s\n", all_cases[k]->rule);
        CHECK(ec_rule_find(all_cases[k]->rule) != NULL);
    }
    /* Rule names are unique. */
    for (size_t i = 0; i < nrules; i++)
        for (size_t j = i + 1; j < nrules; j++)
            CHECK(strcmp(ec_rule_at(i)->name, ec_rule_at(j)->name) != 0);
}

/* The template passes on every profile: the base every case starts from. */
TEST_CASE(template_passes_on_every_profile)
{
    for (size_t i = 0; i < sim_profile_count(); i++) {
        struct ec_env *env = env_new(sim_profile_at(i)->name);
        struct ec_ctx c;
        struct ec_outcome o = ec_env_run(env, &c);
        if (o.kind != EC_OK) {
            fprintf(stderr, "profile %s: ", sim_profile_at(i)->name);
            describe("template fails", &o);
        }
        CHECK(o.kind == EC_OK);
        free(env);
    }
}
