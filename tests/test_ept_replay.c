/* EPT through scenarios (issue 4): guest accesses resolved by the sim's EPT walker against the core's lazily
 * built EPT, MMIO holes routed to a region, the quota kill, and the ept oracle (DESIGN §5.4) tripping on
 * each planted violation: a foreign frame, a backed hole, the quota exceeded, a control structure mapped
 * into the guest, a leaked page. */
#include "core.h"
#include "oracle.h"
#include "replay.h"
#include "scenario.h"
#include "sim_ept.h"
#include "sim_machine.h"
#include "sim_vmcs.h"
#include "testlib.h"

#include <hv/exit_reasons.h>
#include <hv/vm.h>
#include <hv/vmcs_fields.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIB_PAGES 262144u /* 1 GiB of configured RAM */
#define VALUE 0x1122334455667788ull

struct sc {
    struct hvs_scenario s;
    struct hvs_record rec[96];
};

static void sc_init(struct sc *c, uint32_t pages, uint64_t quota)
{
    memset(c, 0, sizeof *c);
    c->s.header.version = HVS_VERSION;
    snprintf(c->s.header.profile, sizeof c->s.header.profile, "bochs-haswell");
    c->s.header.memory_pages = pages;
    c->s.header.guest_mode = HVS_MODE_PROGRAM64;
    c->s.header.entry = 0x1000;
    c->s.header.stack = 0x8000;
    c->s.records = c->rec;
    if (quota) {
        c->rec[0] = (struct hvs_record){.type = HVS_CONFIG_QUOTA, .a = quota};
        c->s.nrecords = 1;
    }
}

static size_t add(struct sc *c, uint8_t type, uint64_t a, uint64_t b, uint64_t cc, uint64_t d, uint64_t e)
{
    if (c->s.nrecords >= 96)
        abort();
    size_t i = c->s.nrecords++;
    c->rec[i] = (struct hvs_record){.type = type, .offset = 100 + i, .a = a, .b = b, .c = cc, .d = d, .e = e};
    return i;
}

static size_t access(struct sc *c, uint64_t gpa, unsigned acc, unsigned size, uint64_t value, unsigned len)
{
    return add(c, HVS_MEM_ACCESS, gpa, acc, size, value, len);
}

static char *run(const struct sc *c, const struct hvs_replay_hooks *h, struct hvs_replay_result *r)
{
    FILE *f = tmpfile();
    if (!f)
        abort();
    struct hvs_replay_options o = {.trace = f};
    hvs_replay_hooked(&c->s, &o, h, r);
    long len = ftell(f);
    char *buf = calloc(1, (size_t)len + 1);
    rewind(f);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
        abort();
    fclose(f);
    return buf;
}

static unsigned count(const char *hay, const char *needle)
{
    unsigned n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* ---- hooks ---------------------------------------------------------------------------------------------- */

struct probe {
    size_t at;      /* the record after whose step the hook acts */
    void (*act)(struct probe *p, struct sim_machine *m, struct hv_vm *vm);
    bool done;
    uint64_t rax, rip, mem;
    bool mem_ok;
    bool planted;
};

static void after_step(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    struct probe *p = opaque;
    if (record != p->at || p->done)
        return;
    p->done = true;
    p->act(p, m, vm);
}

static void look(struct probe *p, struct sim_machine *m, struct hv_vm *vm)
{
    p->rax = vm->gprs.rax;
    p->rip = sim_vmcs_fields(m, vm->vmcs)[HV_VMCS_ORD_GUEST_RIP];
    p->mem_ok = hv_gpa_read(vm, 0x8000, &p->mem, sizeof p->mem);
}

static struct sim_ept_walk walk(struct sim_machine *m, struct hv_vm *vm, uint64_t gpa)
{
    struct sim_ept_caps caps = sim_ept_caps_of(m);
    struct sim_ept_walk w;
    sim_ept_translate(m, &caps, sim_vmcs_fields(m, vm->vmcs)[HV_VMCS_ORD_EPT_POINTER], gpa, SIM_EPT_READ, false,
                      &w);
    return w;
}

static uint64_t *entry_at(struct sim_machine *m, uint64_t pa) { return sim_phys_ptr(m, pa, 8); }

/* ---- the acceptance paths --------------------------------------------------------------------------------- */

TEST_CASE(touch_twice_one_violation_then_direct_access)
{
    struct sc c;
    sc_init(&c, GIB_PAGES, 64);
    access(&c, 0x8000, SIM_EPT_WRITE, 8, VALUE, 4);
    access(&c, 0x8000, SIM_EPT_READ, 8, 0, 4);
    struct probe p = {.act = look};
    p.at = add(&c, HVS_HLT, 0, 0, 0, 0, 0);
    struct hvs_replay_hooks h = {.after_step = after_step, .opaque = &p};
    struct hvs_replay_result r;
    char *t = run(&c, &h, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK_EQ_U64(count(t, "\"number\":48"), 1);              /* one EPT violation */
    CHECK_EQ_U64(count(t, "\"why\":\"EPT maps it\""), 2);     /* the restart, then the second access */
    CHECK_EQ_U64(count(t, "\"restart\":true"), 1);
    CHECK(strstr(t, "\"number\":48") < strstr(t, "\"restart\":true"));
    CHECK(p.done);
    CHECK(p.mem_ok);
    CHECK_EQ_U64(p.mem, VALUE); /* the write reached the host page */
    CHECK_EQ_U64(p.rax, VALUE); /* the read loaded it */
    CHECK_EQ_U64(p.rip, 0x1000 + 4 + 4 + 1); /* each access moved RIP once; HLT by 1 */
    free(t);
}

TEST_CASE(violation_qualification_names_access_and_gla)
{
    struct sc c;
    sc_init(&c, 1024, 0);
    access(&c, 0x3000, SIM_EPT_FETCH, 1, 0, 2);
    struct hvs_replay_result r;
    char *t = run(&c, NULL, &r);
    /* a fetch (bit 2) from a page with no rights yet, GLA valid (bit 7) and translated (bit 8) = 0x184 */
    CHECK(strstr(t, "\"number\":48,\"qualification\":\"0x184\"") != NULL);
    free(t);
}

TEST_CASE(mmio_write_is_a_misconfiguration_routed_to_the_region)
{
    struct sc c;
    sc_init(&c, 1024, 0);
    add(&c, HVS_MMIO_REGION, 0xfed00000, 0x1000, HV_REGION_MMIO, 0, 0);
    access(&c, 0xfed00010, SIM_EPT_WRITE, 4, 0x41, 3);
    struct probe p = {.act = look};
    p.at = access(&c, 0xfed00010, SIM_EPT_WRITE, 4, 0x42, 3);
    struct hvs_replay_hooks h = {.after_step = after_step, .opaque = &p};
    struct hvs_replay_result r;
    char *t = run(&c, &h, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK_EQ_U64(count(t, "\"number\":49"), 2); /* every access exits: the hole is never backed */
    CHECK(strstr(t, "{\"event\":\"mmio\",\"region\":\"mmio0\",\"gpa\":\"0xfed00010\",\"access\":\"write\"") != NULL);
    CHECK_EQ_U64(count(t, "\"restart\":true"), 0);
    CHECK_EQ_U64(p.rip, 0x1000 + 3 + 3); /* the device completed both instructions */
    free(t);
}

TEST_CASE(mmio_np_read_is_a_violation_and_loads_the_device_value)
{
    struct sc c;
    sc_init(&c, 1024, 0);
    add(&c, HVS_MMIO_REGION, 0xfee00000, 0x2000, HV_REGION_MMIO_NP, 0, 0);
    struct probe p = {.act = look};
    p.at = access(&c, 0xfee01ffc, SIM_EPT_READ, 4, 0xcafef00d, 3);
    struct hvs_replay_hooks h = {.after_step = after_step, .opaque = &p};
    struct hvs_replay_result r;
    char *t = run(&c, &h, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK_EQ_U64(count(t, "\"number\":48"), 1);
    CHECK(strstr(t, "\"region\":\"mmio0\",\"gpa\":\"0xfee01ffc\",\"access\":\"read\"") != NULL);
    CHECK_EQ_U64(p.rax, 0xcafef00d);
    CHECK_EQ_U64(p.rip, 0x1003);
    free(t);
}

TEST_CASE(touching_every_page_beyond_the_quota_is_a_clean_kill)
{
    struct sc c;
    sc_init(&c, GIB_PAGES, 24);
    for (unsigned i = 0; i < 40; i++)
        access(&c, 0x100000 + 4096ull * i, SIM_EPT_WRITE, 1, 1, 2);
    struct hvs_replay_result r;
    char *t = run(&c, NULL, &r);
    CHECK_EQ_U64(r.status, HVS_KILLED); /* not an oracle finding: every page came back */
    CHECK(strstr(r.message, "memory quota exceeded") != NULL);
    CHECK(strstr(t, "\"event\":\"kill\"") != NULL);
    free(t);
}

TEST_CASE(config_quota_bounds_the_arena_and_counts_only_when_leading)
{
    struct sc c;
    sc_init(&c, 1u << 22, 0); /* 16 GiB and no quota: the replay will not back that much */
    access(&c, 0x8000, SIM_EPT_READ, 1, 0, 2);
    struct hvs_replay_result r;
    char *t = run(&c, NULL, &r);
    CHECK_EQ_U64(r.status, HVS_BAD_INPUT);
    CHECK(strstr(r.message, "config-quota") != NULL);
    free(t);
    sc_init(&c, 1u << 22, 32); /* with a quota it runs */
    access(&c, 0x8000, SIM_EPT_READ, 1, 0, 2);
    add(&c, HVS_CONFIG_QUOTA, 5, 0, 0, 0, 0); /* too late: ignored */
    t = run(&c, NULL, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK(strstr(t, "config-quota counts only before") != NULL);
    free(t);
}

/* A misconfiguration the core did not make (a reserved memory type planted in a RAM leaf) is a core bug:
 * the VM dies with the entry logged, it is not emulated. */
static void plant_memtype(struct probe *p, struct sim_machine *m, struct hv_vm *vm)
{
    struct sim_ept_walk w = walk(m, vm, 0x8000);
    if (w.outcome == SIM_EPT_OK) {
        *entry_at(m, w.entry_pa) = (w.entry & ~(7ull << 3)) | (7ull << 3);
        p->planted = true;
    }
}

TEST_CASE(misconfiguration_outside_a_hole_kills_the_vm)
{
    struct sc c;
    sc_init(&c, 1024, 0);
    struct probe p = {.act = plant_memtype};
    p.at = access(&c, 0x8000, SIM_EPT_WRITE, 1, 1, 2);
    access(&c, 0x8000, SIM_EPT_READ, 1, 0, 2);
    struct hvs_replay_hooks h = {.after_step = after_step, .opaque = &p};
    struct hvs_replay_result r;
    char *t = run(&c, &h, &r);
    CHECK(p.planted);
    CHECK_EQ_U64(r.status, HVS_KILLED);
    CHECK(strstr(t, "\"number\":49") != NULL);
    free(t);
}

/* ---- oracle 4, each check tripped by a planted violation -------------------------------------------------- */

static void plant_host_frame(struct probe *p, struct sim_machine *m, struct hv_vm *vm)
{
    struct sim_ept_walk w = walk(m, vm, 0x8000);
    if (w.outcome == SIM_EPT_OK) {
        *entry_at(m, w.entry_pa) = (w.entry & ~0x000ffffffffff000ull) | vm->cpu->vmxon_region;
        p->planted = true;
    }
}

static void plant_vmcs_frame(struct probe *p, struct sim_machine *m, struct hv_vm *vm)
{
    struct sim_ept_walk w = walk(m, vm, 0x8000);
    if (w.outcome == SIM_EPT_OK) {
        *entry_at(m, w.entry_pa) = (w.entry & ~0x000ffffffffff000ull) | vm->vmcs;
        p->planted = true;
    }
}

/* A leaf that maps an EPT table: its own page table (walked before the leaf) or the table of the MMIO hole
 * at 0xfed00000 (walked after it: the oracle finds that one only once the walk has seen every table). */
static void plant_table_frame(struct probe *p, struct sim_machine *m, struct hv_vm *vm, bool later)
{
    struct sim_ept_walk ram = walk(m, vm, 0x8000);
    struct sim_ept_walk hole = walk(m, vm, 0xfed00000);
    if (ram.outcome == SIM_EPT_OK && hole.outcome != SIM_EPT_OK) {
        uint64_t table = (later ? hole.entry_pa : ram.entry_pa) & ~0xfffull;
        *entry_at(m, ram.entry_pa) = (ram.entry & ~0x000ffffffffff000ull) | table;
        p->planted = true;
    }
}

static void plant_earlier_table(struct probe *p, struct sim_machine *m, struct hv_vm *vm)
{
    plant_table_frame(p, m, vm, false);
}

static void plant_later_table(struct probe *p, struct sim_machine *m, struct hv_vm *vm)
{
    plant_table_frame(p, m, vm, true);
}

static void plant_backed_hole(struct probe *p, struct sim_machine *m, struct hv_vm *vm)
{
    struct sim_ept_walk ram = walk(m, vm, 0x8000);
    struct sim_ept_walk hole = walk(m, vm, 0xfed00000);
    if (ram.outcome == SIM_EPT_OK && hole.outcome != SIM_EPT_OK && hole.level == 1) {
        *entry_at(m, hole.entry_pa) = ram.entry; /* the hole now shows the RAM page */
        p->planted = true;
    }
}

static void plant_over_quota(struct probe *p, struct sim_machine *m, struct hv_vm *vm)
{
    /* Map enough extra VM-owned pages next to 0x8000 (same page table) to go one past the quota. */
    uint64_t quota = vm->cfg.memory_quota_pages;
    uint32_t prev = sim_machine_set_alloc_owner(m, HVS_VM_OWNER);
    unsigned planted = 0;
    for (uint64_t gpa = 0x9000; gpa < 0x200000 && planted <= quota; gpa += 0x1000) {
        struct sim_ept_walk w = walk(m, vm, gpa);
        if (w.outcome != SIM_EPT_VIOLATION || w.level != 1)
            continue;
        hv_paddr_t pa = sim_page_alloc(m);
        if (!pa)
            break;
        *entry_at(m, w.entry_pa) = pa | 7 | (6ull << 3);
        planted++;
    }
    sim_machine_set_alloc_owner(m, prev);
    p->planted = planted > 0;
}

static void plant_leak(struct probe *p, struct sim_machine *m, struct hv_vm *vm)
{
    (void)vm;
    uint32_t prev = sim_machine_set_alloc_owner(m, HVS_VM_OWNER);
    p->planted = sim_page_alloc(m) != 0; /* never mapped, never freed */
    sim_machine_set_alloc_owner(m, prev);
}

static void expect_oracle(void (*act)(struct probe *, struct sim_machine *, struct hv_vm *), bool hole,
                          uint64_t quota, const char *what)
{
    struct sc c;
    sc_init(&c, 1024, quota);
    if (hole)
        add(&c, HVS_MMIO_REGION, 0xfed00000, 0x1000, HV_REGION_MMIO, 0, 0);
    struct probe p = {.act = act};
    p.at = access(&c, 0x8000, SIM_EPT_WRITE, 1, 1, 2);
    access(&c, 0x8000, SIM_EPT_READ, 1, 0, 2);
    add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
    struct hvs_replay_hooks h = {.after_step = after_step, .opaque = &p};
    struct hvs_replay_result r;
    char *t = run(&c, &h, &r);
    CHECK(p.planted);
    CHECK_EQ_U64(r.status, HVS_ORACLE);
    if (!strstr(r.message, what))
        testlib_fail(__FILE__, __LINE__, "message \"%s\" does not name \"%s\"", r.message, what);
    free(t);
    /* the same scenario without the plant passes every oracle */
    sc_init(&c, 1024, quota);
    if (hole)
        add(&c, HVS_MMIO_REGION, 0xfed00000, 0x1000, HV_REGION_MMIO, 0, 0);
    access(&c, 0x8000, SIM_EPT_WRITE, 1, 1, 2);
    access(&c, 0x8000, SIM_EPT_READ, 1, 0, 2);
    add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
    t = run(&c, NULL, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    free(t);
}

TEST_CASE(oracle_ept_trips_on_a_frame_the_vm_does_not_own)
{
    expect_oracle(plant_host_frame, false, 0, "oracle ept: GPA 0x8000 maps frame");
}

TEST_CASE(oracle_ept_trips_on_a_control_structure_mapped_into_the_guest)
{
    expect_oracle(plant_vmcs_frame, false, 0, "control structures");
}

TEST_CASE(oracle_ept_trips_on_a_leaf_mapping_an_ept_table_walked_before_it)
{
    expect_oracle(plant_earlier_table, true, 0, "oracle ept: GPA 0x8000 maps frame");
}

TEST_CASE(oracle_ept_trips_on_a_leaf_mapping_an_ept_table_walked_after_it)
{
    expect_oracle(plant_later_table, true, 0, "oracle ept: GPA 0x8000 maps frame");
}

TEST_CASE(oracle_ept_trips_on_a_backed_mmio_hole)
{
    expect_oracle(plant_backed_hole, true, 0, "oracle ept: the MMIO hole at GPA 0xfed00000 is backed");
}

TEST_CASE(oracle_ept_trips_when_the_quota_is_exceeded)
{
    expect_oracle(plant_over_quota, false, 32, "over the quota of 32");
}

TEST_CASE(oracle_page_balance_trips_on_a_leaked_page)
{
    expect_oracle(plant_leak, false, 0, "oracle page-balance");
}
