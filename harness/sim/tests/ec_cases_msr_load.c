/* Pass and trip cases of the VM-entry MSR-loading rules (entry_checks_msr_load.c, SDM Vol. 3 §27.4), plus a
 * few cases on what the table rows alone do not show: the first failing entry wins, unreadable memory, the
 * EFER rule with paging off, a larger IA32_VMX_MISC list limit. The MSR-load area is at MSR_AREA (16-byte
 * aligned, below every profile's physical-address width). */
#include "ec_testenv.h"
#include "sim_msr.h"

#include <stdlib.h>
#include <string.h>
#include <testlib.h>

#define MSR_AREA 0x20000ull
#define PW "bochs-haswell"

#define MUT(name) static void name(struct ec_env *env)

/* Entry i (from 0): index and reserved half, then data. */
static void entry(struct ec_env *env, uint32_t i, uint32_t index, uint32_t reserved, uint64_t data)
{
    uint64_t pa = MSR_AREA + 16ull * i;
    ec_env_write32(env, pa, index);
    ec_env_write32(env, pa + 4, reserved);
    ec_env_write64(env, pa + 8, data);
}

static void area(struct ec_env *env, uint32_t count)
{
    ENV_F(env, VM_ENTRY_MSR_LOAD_ADDR) = MSR_AREA;
    ENV_F(env, VM_ENTRY_MSR_LOAD_COUNT) = count;
}

static void trip_at(struct ec_env *env, uint32_t count, uint32_t failing)
{
    area(env, count);
    env->expect_qualification = failing;
}

/* 512 * (IA32_VMX_MISC[27:25] + 1) (SDM Vol. 3 §A.6). */
static uint32_t list_limit(const struct ec_env *env)
{
    uint64_t misc = sim_profile_vmx_msr(env->prof, MSR_IA32_VMX_MISC);
    return 512u * (uint32_t)(((misc >> 25) & 7) + 1);
}

MUT(count_pass)
{
    uint32_t n = list_limit(env);
    for (uint32_t i = 0; i < n; i++)
        entry(env, i, MSR_IA32_STAR, 0, i);
    area(env, n);
}
MUT(count_trip)
{
    uint32_t n = list_limit(env) + 1;
    for (uint32_t i = 0; i < n; i++)
        entry(env, i, MSR_IA32_STAR, 0, i);
    trip_at(env, n, n);
}

MUT(fs_gs_pass)
{
    entry(env, 0, MSR_IA32_STAR, 0, 0);
    entry(env, 1, MSR_IA32_KERNEL_GS_BASE, 0, 0); /* next to IA32_GS_BASE, and loadable */
    area(env, 2);
}
MUT(fs_gs_trip)
{
    entry(env, 0, MSR_IA32_STAR, 0, 0);
    entry(env, 1, MSR_IA32_GS_BASE, 0, 0);
    trip_at(env, 2, 2);
}

MUT(x2apic_pass)
{
    entry(env, 0, MSR_IA32_PAT, 0, 0x0007040600070406ull);
    area(env, 1);
}
MUT(x2apic_trip)
{
    entry(env, 0, MSR_IA32_STAR, 0, 0);
    entry(env, 1, MSR_IA32_STAR, 0, 0);
    entry(env, 2, MSR_IA32_X2APIC_LAST, 0, 0);
    trip_at(env, 3, 3);
}

MUT(smm_pass)
{
    entry(env, 0, MSR_IA32_SYSENTER_CS, 0, 0x10);
    area(env, 1);
}
MUT(smm_trip)
{
    entry(env, 0, MSR_IA32_SMM_MONITOR_CTL, 0, 0);
    trip_at(env, 1, 1);
}

MUT(model_pass)
{
    entry(env, 0, MSR_IA32_TIME_STAMP_COUNTER, 0, ~0ull);
    area(env, 1);
}
MUT(model_trip)
{
    entry(env, 0, MSR_IA32_STAR, 0, 0);
    entry(env, 1, MSR_IA32_BIOS_UPDT_TRIG, 0, 0);
    trip_at(env, 2, 2);
}

MUT(reserved_pass)
{
    entry(env, 0, MSR_IA32_TIME_STAMP_COUNTER, 0, 0);
    entry(env, 1, MSR_IA32_STAR, 0, ~0ull);
    area(env, 2);
}
MUT(reserved_trip)
{
    entry(env, 0, MSR_IA32_TIME_STAMP_COUNTER, 0, 0);
    entry(env, 1, MSR_IA32_STAR, 1, 0); /* bit 32 */
    trip_at(env, 2, 2);
}

MUT(unknown_pass)
{
    entry(env, 0, MSR_IA32_TSC_AUX, 0, 0xffffffffull); /* the highest index in that range it has */
    area(env, 1);
}
MUT(unknown_trip)
{
    entry(env, 0, MSR_IA32_TSC_AUX + 1, 0, 0);
    trip_at(env, 1, 1);
}

/* A canonical-address MSR at the edge of the linear-address width. */
static uint64_t first_noncanonical(const struct ec_env *env)
{
    unsigned w = env->prof->linear_width ? env->prof->linear_width : 48;
    return 1ull << (w - 1);
}
MUT(value_pass)
{
    entry(env, 0, MSR_IA32_LSTAR, 0, first_noncanonical(env) - 1);
    area(env, 1);
}
MUT(value_trip)
{
    entry(env, 0, MSR_IA32_STAR, 0, 0);
    entry(env, 1, MSR_IA32_PAT, 0, 0x0007040600070406ull);
    entry(env, 2, MSR_IA32_LSTAR, 0, first_noncanonical(env));
    trip_at(env, 3, 3);
}

/* The template's guest has CR0.PG = 1 and EFER.LME = 1 (64-bit guest, "load IA32_EFER"). */
MUT(efer_pass)
{
    entry(env, 0, MSR_IA32_EFER, 0, EFER_SCE | EFER_LME); /* LMA 0 in the value: ignored */
    area(env, 1);
}
MUT(efer_trip)
{
    entry(env, 0, MSR_IA32_EFER, 0, EFER_SCE | EFER_LME | EFER_LMA);
    entry(env, 1, MSR_IA32_EFER, 0, EFER_SCE | EFER_LMA);
    trip_at(env, 2, 2);
}

static const struct ec_case msr_load_cases[] = {
    {"msr_load.count.max", PW, count_pass, count_trip},
    {"msr_load.fs_gs_base", PW, fs_gs_pass, fs_gs_trip},
    {"msr_load.x2apic", PW, x2apic_pass, x2apic_trip},
    {"msr_load.smm_only", PW, smm_pass, smm_trip},
    {"msr_load.model_specific", PW, model_pass, model_trip},
    {"msr_load.reserved", PW, reserved_pass, reserved_trip},
    {"msr_load.unknown_msr", PW, unknown_pass, unknown_trip},
    {"msr_load.value", "max", value_pass, value_trip},
    {"msr_load.efer.lme_paging", PW, efer_pass, efer_trip},
};
EC_CASES(msr_load_cases)

/* ---- Behaviour across rules: run the whole check list on a hand-made context. ---- */

struct flat_mem {
    uint64_t base;
    size_t len;
    uint8_t *bytes;
};

static bool flat_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
    struct flat_mem *m = opaque;
    if (pa < m->base || pa - m->base > m->len || len > m->len - (pa - m->base))
        return false;
    memcpy(buf, m->bytes + (pa - m->base), len);
    return true;
}

#define RUN_ENTRIES 1100

struct run {
    uint64_t f[HV_VMCS_FIELD_COUNT];
    struct flat_mem mem;
    struct sim_profile prof;
};

static struct run *run_new(const char *profile, uint32_t readable_entries)
{
    struct run *r = calloc(1, sizeof *r);
    r->prof = *sim_profile_find(profile);
    sim_vmcs_template(&r->prof, r->f);
    r->mem.base = MSR_AREA;
    r->mem.len = 16u * readable_entries;
    r->mem.bytes = calloc(RUN_ENTRIES, 16);
    r->f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_ADDR] = MSR_AREA;
    return r;
}

static void run_free(struct run *r)
{
    free(r->mem.bytes);
    free(r);
}

static void run_entry(struct run *r, uint32_t i, uint32_t index, uint32_t reserved, uint64_t data)
{
    memcpy(r->mem.bytes + 16 * i, &index, 4);
    memcpy(r->mem.bytes + 16 * i + 4, &reserved, 4);
    memcpy(r->mem.bytes + 16 * i + 8, &data, 8);
}

static struct ec_ctx run_ctx(struct run *r)
{
    struct ec_ctx c;
    memset(&c, 0, sizeof c);
    c.f = r->f;
    c.prof = &r->prof;
    c.mem.read = flat_read;
    c.mem.opaque = &r->mem;
    c.host_ia32e = true;
    ec_ctx_load_controls(&c);
    return c;
}

static struct ec_outcome run_checks(struct run *r)
{
    struct ec_ctx c = run_ctx(r);
    return ec_run(&c);
}

static void check_failure(struct ec_outcome o, const char *rule, uint64_t entry)
{
    CHECK(o.kind == EC_ENTRY_FAILURE);
    CHECK_EQ_U64(o.reason, 34);
    CHECK_EQ_U64(o.qualification, entry);
    CHECK(o.rule != NULL);
    if (o.rule)
        CHECK_STREQ(o.rule->name, rule);
}

/* The hardware reports the first failing entry, whatever rule a later entry breaks: an unknown MSR in entry 1
 * beats IA32_FS_BASE in entry 2, although the FS/GS rule comes first in the table. */
TEST_CASE(msr_load_first_failing_entry_wins)
{
    struct run *r = run_new(PW, 8);
    run_entry(r, 0, 0x1234, 0, 0);
    run_entry(r, 1, MSR_IA32_FS_BASE, 0, 0);
    r->f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_COUNT] = 2;
    check_failure(run_checks(r), "msr_load.unknown_msr", 1);
    /* And IA32_FS_BASE (C0000100H) fails like IA32_GS_BASE. */
    run_entry(r, 0, MSR_IA32_STAR, 0, 0);
    check_failure(run_checks(r), "msr_load.fs_gs_base", 2);
    run_free(r);
}

/* Entries beyond the sim's memory read as all ones: index FFFFFFFFH with bits 63:32 set. */
TEST_CASE(msr_load_unreadable_entry_fails_as_all_ones)
{
    struct run *r = run_new(PW, 8);
    for (uint32_t i = 0; i < 8; i++)
        run_entry(r, i, MSR_IA32_STAR, 0, i);
    r->f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_COUNT] = 8;
    CHECK(run_checks(r).kind == EC_OK);
    r->f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_COUNT] = 9; /* memory holds 8 */
    check_failure(run_checks(r), "msr_load.reserved", 9);
    run_free(r);
}

/* With guest CR0.PG = 0 the MSR-load list may change EFER.LME (an unrestricted guest setting up long mode);
 * with PG = 1 the same entry fails. */
TEST_CASE(msr_load_efer_lme_free_without_paging)
{
    struct run *r = run_new("max", 8);
    const struct ec_rule *rule = ec_rule_find("msr_load.efer.lme_paging");
    CHECK(rule != NULL);
    if (!rule) {
        run_free(r);
        return;
    }
    run_entry(r, 0, MSR_IA32_EFER, 0, 0);
    r->f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_COUNT] = 1;
    r->f[HV_VMCS_ORD_GUEST_CR0] &= ~(1ull << 31);
    struct ec_ctx c = run_ctx(r);
    uint64_t detail = 0;
    CHECK(rule->ok(&c, &detail));
    r->f[HV_VMCS_ORD_GUEST_CR0] |= 1ull << 31;
    c = run_ctx(r);
    CHECK(!rule->ok(&c, &detail));
    CHECK_EQ_U64(detail, 1);
    /* Without "load IA32_EFER", the guest's LME comes from "IA-32e mode guest" (SDM Vol. 3 §27.3.2.1). */
    r->f[HV_VMCS_ORD_VM_ENTRY_CONTROLS] &= ~(uint64_t)ENTRY_LOAD_IA32_EFER;
    run_entry(r, 0, MSR_IA32_EFER, 0, EFER_LME);
    c = run_ctx(r);
    CHECK(rule->ok(&c, &detail));
    run_free(r);
}

/* IA32_VMX_MISC[27:25] = N sets the limit to 512 * (N + 1). */
TEST_CASE(msr_load_limit_follows_vmx_misc)
{
    struct run *r = run_new(PW, RUN_ENTRIES);
    for (uint32_t i = 0; i < RUN_ENTRIES; i++)
        run_entry(r, i, MSR_IA32_STAR, 0, i);
    r->f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_COUNT] = 513;
    check_failure(run_checks(r), "msr_load.count.max", 513);
    r->prof.vmx_msr[MSR_IA32_VMX_MISC - SIM_VMX_MSR_FIRST] |= 1ull << 25; /* N = 1: 1024 */
    CHECK(run_checks(r).kind == EC_OK);
    r->f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_COUNT] = 1024;
    CHECK(run_checks(r).kind == EC_OK);
    r->f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_COUNT] = 1025;
    check_failure(run_checks(r), "msr_load.count.max", 1025);
    run_free(r);
}
