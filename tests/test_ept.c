/* The EPT (hv-core/src/ept.c, guest_mem.c, mmio.c, exits/ept.c) on the sim: lazy RAM, the quota, ROM, MMIO
 * holes and not-present MMIO, unmapped GPAs, misconfigurations, large pages and their splitting, 5-level
 * walks, hv_gpa_is_ram, INVEPT, and the pool balance after destroy. Exits are forced with
 * sim_cpu_set_next_exit_full (the GPA in guest_phys); the EPT the core built is checked with the sim's own
 * walker (sim_ept_translate), i.e. as the processor would translate. */
#include "core.h"
#include "guest_mem.h"
#include "sim_ept.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "sim_vmcs.h"
#include "testlib.h"

#include <hv/exit_reasons.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <stdio.h>
#include <string.h>

#define ENTRY 0x1000ull
#define MIB (1ull << 20)
#define Q_READ 1u
#define Q_WRITE 2u
#define Q_FETCH 4u

struct env {
    struct sim_machine *m;
    struct hv_arch_cpu *a;
    struct hv_cpu cpu;
    struct hv_vm vm;
    size_t base; /* pool pages in use before the VM */
    char log[16][256];
    unsigned nlog;
};

static void log_cb(void *opaque, unsigned cpu, const char *line)
{
    (void)cpu;
    struct env *e = opaque;
    if (e->nlog < 16)
        snprintf(e->log[e->nlog++], sizeof e->log[0], "%s", line);
}

static struct env *up_cfg(const char *profile, size_t pages, uint64_t mem, uint64_t quota)
{
    static struct env e; /* one per test process: each case is its own process under ctest */
    memset(&e, 0, sizeof e);
    e.m = sim_machine_create(sim_profile_find(profile), pages, 1);
    CHECK(e.m != NULL);
    e.a = sim_machine_cpu(e.m, 0);
    sim_machine_set_log(e.m, log_cb, &e);
    CHECK_EQ_U64(hv_cpu_init(&e.cpu, e.a), HV_OK);
    e.base = sim_pages_in_use(e.m);
    struct hv_vm_config cfg = {.memory_size = mem, .memory_quota_pages = quota, .mode = HV_GUEST_PROGRAM64,
                               .entry = ENTRY, .stack = 0x8000};
    enum hv_err err = hv_vm_create(&e.vm, &e.cpu, &cfg);
    if (err)
        fprintf(stderr, "hv_vm_create: %s\n", e.vm.message);
    CHECK_EQ_U64(err, HV_OK);
    return &e;
}

static struct env *up(const char *profile)
{
    return up_cfg(profile, 2048, MIB, 0);
}

static void down(struct env *e)
{
    hv_vm_destroy(&e->vm);
    CHECK_EQ_U64(e->vm.pages_owned, 0);
    CHECK_EQ_U64(sim_pages_in_use(e->m), e->base); /* every page back: RAM, ROM, tables, structures */
    hv_cpu_fini(&e->cpu);
    CHECK_EQ_U64(sim_pages_in_use(e->m), 0);
    CHECK_EQ_U64(sim_bad_frees(e->m), 0);
    CHECK_EQ_U64(sim_cpu_fault_count(e->a), 0); /* INVEPT and every VMX instruction succeeded */
    sim_machine_destroy(e->m);
}

static enum hv_step_result step_gpa(struct env *e, uint32_t reason, uint64_t qual, uint64_t gpa)
{
    struct sim_exit x = {.reason = reason, .qualification = qual, .instr_len = 3, .guest_phys = gpa};
    sim_cpu_set_next_exit_full(e->a, &x);
    enum hv_step_result r = hv_vcpu_step(&e->vm);
    if (e->a->last_entry.rule)
        fprintf(stderr, "entry check failed: %s\n", e->a->last_entry.rule->name);
    CHECK(e->a->last_entry.rule == NULL);
    return r;
}

static uint64_t field(struct env *e, int ord)
{
    uint64_t *f = sim_vmcs_fields(e->m, e->vm.vmcs);
    CHECK(f != NULL);
    return f ? f[ord] : 0;
}

/* The sim's walker over the core's tables, from the EPTP in the VMCS. */
static struct sim_ept_walk translate(struct env *e, uint64_t gpa, unsigned access)
{
    struct sim_ept_caps caps = sim_ept_caps_of(e->m);
    struct sim_ept_walk w;
    sim_ept_translate(e->m, &caps, field(e, HV_VMCS_ORD_EPT_POINTER), gpa, access, false, &w);
    return w;
}

/* ---- MMIO region handler used by the tests ---- */
struct mmio_log {
    unsigned calls;
    uint64_t gpa;
    enum hv_access access;
    bool complete;
};

static bool mmio_cb(void *opaque, struct hv_vm *vm, struct hv_mmio_access *a)
{
    (void)vm;
    struct mmio_log *l = opaque;
    l->calls++;
    l->gpa = a->gpa;
    l->access = a->access;
    return l->complete;
}

TEST_CASE(lazy_ram_fault_maps_once_and_rip_stays)
{
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(e->vm.stats.ram_pages_backed, HV_GUEST_SYS_PAGES); /* only what the core wrote */
    CHECK_EQ_U64(hv_ept_lookup(&e->vm, 0x8000), 0);
    CHECK_EQ_U64(translate(e, 0x8000, SIM_EPT_READ).outcome, SIM_EPT_VIOLATION);
    uint64_t rip = field(e, HV_VMCS_ORD_GUEST_RIP), inv = e->vm.stats.invepts;

    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_WRITE, 0x8010), HV_STEP_CONTINUE);
    CHECK_EQ_U64(field(e, HV_VMCS_ORD_GUEST_RIP), rip); /* the instruction re-executes */
    hv_paddr_t pa = hv_ept_lookup(&e->vm, 0x8000);
    CHECK(pa != 0);
    CHECK(sim_page_owner(e->m, pa) != SIM_OWNER_FREE);
    CHECK_EQ_U64(e->vm.stats.pages_faulted, 1);
    CHECK_EQ_U64(e->vm.stats.ept_violations, 1);
    CHECK_EQ_U64(e->vm.stats.ram_pages_backed, HV_GUEST_SYS_PAGES + 1);
    CHECK(e->vm.stats.invepts > inv); /* INVEPT after mapping */
    /* now a direct access for every access type, to the page just mapped */
    struct sim_ept_walk w = translate(e, 0x8010, SIM_EPT_WRITE);
    CHECK_EQ_U64(w.outcome, SIM_EPT_OK);
    CHECK_EQ_U64(w.hpa, pa + 0x10);
    CHECK_EQ_U64(translate(e, 0x8fff, SIM_EPT_READ).outcome, SIM_EPT_OK);
    CHECK_EQ_U64(translate(e, 0x8000, SIM_EPT_FETCH).outcome, SIM_EPT_OK);
    CHECK_EQ_U64(translate(e, 0x9000, SIM_EPT_READ).outcome, SIM_EPT_VIOLATION); /* the neighbour: still lazy */
    /* a second (stale) violation on the mapped page takes no page */
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_READ, 0x8020), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.stats.pages_faulted, 1);
    CHECK_EQ_U64(hv_ept_lookup(&e->vm, 0x8000), pa);
    down(e);
}

TEST_CASE(host_write_backs_ram_and_read_does_not)
{
    struct env *e = up("bochs-skylake-x");
    uint64_t v = 0;
    CHECK(hv_gpa_read(&e->vm, 0x20000, &v, 8));
    CHECK_EQ_U64(v, 0);
    CHECK_EQ_U64(hv_ept_lookup(&e->vm, 0x20000), 0);
    v = 0xfeedull;
    CHECK(hv_gpa_write(&e->vm, 0x20000, &v, 8));
    CHECK(hv_ept_lookup(&e->vm, 0x20000) != 0);
    CHECK_EQ_U64(e->vm.stats.ram_pages_backed, HV_GUEST_SYS_PAGES + 1);
    CHECK_EQ_U64(e->vm.stats.pages_faulted, 0); /* backed by the host, not faulted */
    down(e);
}

TEST_CASE(quota_exceeded_kills_with_message)
{
    struct env *e = up_cfg("bochs-haswell", 2048, 64 * MIB, HV_GUEST_SYS_PAGES + 2);
    CHECK_EQ_U64(e->vm.ram_quota, HV_GUEST_SYS_PAGES + 2);
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_READ, 0x10000), HV_STEP_CONTINUE);
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_WRITE, 0x11000), HV_STEP_CONTINUE);
    /* the host cannot exceed it either, and copies nothing then */
    uint64_t v = 1;
    CHECK(!hv_gpa_write(&e->vm, 0x30000, &v, 8));
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_FETCH, 0x12345), HV_STEP_KILLED);
    CHECK(e->vm.dead);
    CHECK(strncmp(e->vm.message, "memory quota exceeded: ", 23) == 0);
    CHECK(strstr(e->vm.message, "0x12345") != NULL);
    CHECK(strstr(e->vm.message, "(7 pages)") != NULL);
    CHECK_EQ_U64(e->vm.stats.ram_pages_backed, 7);
    down(e);
}

TEST_CASE(pool_balance_after_destroy_with_faulted_pages)
{
    struct env *e = up_cfg("bochs-haswell", 4096, 1ull << 30, 0); /* 1 GiB of RAM configured */
    CHECK(e->vm.pages_owned < 32); /* creation costs structures and tables, not RAM */
    for (uint64_t g = 0; g < 200; g++)
        CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_WRITE, 0x100000 + g * 0x3000), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.stats.pages_faulted, 200);
    struct mmio_log l = {0};
    struct hv_region rom = {.gpa = 0xfff00000, .size = 0x10000, .type = HV_REGION_ROM, .name = "bios"};
    struct hv_region mmio = {.gpa = 0xfee00000, .size = 0x1000, .type = HV_REGION_MMIO, .mmio = mmio_cb,
                             .opaque = &l, .name = "apic"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &rom), HV_OK);
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &mmio), HV_OK);
    /* host pages used <= touched pages + structures + EPT tables */
    CHECK(e->vm.pages_owned <= 6 + e->vm.stats.ram_pages_backed + e->vm.stats.rom_pages_backed +
                                   e->vm.stats.ept_table_pages);
    down(e); /* back to the start */
}

TEST_CASE(rom_reads_and_host_writes_but_guest_write_kills)
{
    struct env *e = up("bochs-haswell");
    struct hv_region rom = {.gpa = 0xfffc0000, .size = 0x4000, .type = HV_REGION_ROM, .name = "bios"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &rom), HV_OK);
    CHECK_EQ_U64(e->vm.stats.rom_pages_backed, 4);
    const char img[] = "\xea\x5b\xe0\x00\xf0 reset vector";
    CHECK(hv_gpa_write(&e->vm, 0xfffc3ff0 - 8, img, sizeof img));
    char back[sizeof img] = {0};
    CHECK(hv_gpa_read(&e->vm, 0xfffc3ff0 - 8, back, sizeof back));
    CHECK(memcmp(back, img, sizeof img) == 0);
    CHECK_EQ_U64(translate(e, 0xfffc0000, SIM_EPT_READ).outcome, SIM_EPT_OK);
    CHECK_EQ_U64(translate(e, 0xfffc0000, SIM_EPT_FETCH).outcome, SIM_EPT_OK);
    struct sim_ept_walk w = translate(e, 0xfffc1000, SIM_EPT_WRITE);
    CHECK_EQ_U64(w.outcome, SIM_EPT_VIOLATION);
    CHECK_EQ_U64(w.qualification & 7, Q_WRITE);
    CHECK(!hv_gpa_is_ram(&e->vm, 0xfffc0000, 1));
    /* a (stale) read violation on ROM resumes; a write kills */
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_READ | 0x28 /* R-X */, 0xfffc0010), HV_STEP_CONTINUE);
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_WRITE | 0x28, 0xfffc1010), HV_STEP_KILLED);
    CHECK(strstr(e->vm.message, "write to ROM at GPA 0xfffc1010") != NULL);
    down(e);
}

TEST_CASE(mmio_hole_misconfig_routed_to_region)
{
    struct env *e = up("bochs-haswell");
    struct mmio_log l = {.complete = true};
    struct hv_region r = {.gpa = 0xfe000000, .size = 0x2000, .type = HV_REGION_MMIO, .mmio = mmio_cb, .opaque = &l,
                          .name = "uart"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_OK);
    struct sim_ept_walk w = translate(e, 0xfe001008, SIM_EPT_WRITE);
    CHECK_EQ_U64(w.outcome, SIM_EPT_MISCONFIG); /* the hole: bits 2:0 = 010 */
    CHECK_EQ_U64(w.entry & 7, 2);
    /* The guest's instructions at RIP (the core decodes them: exit 49 reports no access type):
     * 89 07 = mov [rdi], eax, twice. */
    static const uint8_t two_stores[] = {0x89, 0x07, 0x89, 0x07};
    CHECK(hv_gpa_write(&e->vm, hv_vmread(&e->vm, VMCS_GUEST_RIP), two_stores, sizeof two_stores));
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_MISCONFIG, 0, 0xfe001008), HV_STEP_CONTINUE);
    CHECK_EQ_U64(l.calls, 1);
    CHECK_EQ_U64(l.gpa, 0xfe001008);
    CHECK_EQ_U64(l.access, HV_ACCESS_WRITE); /* from the decoded MOV store */
    CHECK_EQ_U64(e->vm.stats.ept_misconfigs, 1);
    CHECK_EQ_U64(e->vm.stats.mmio_accesses, 1);
    /* a handler that cannot complete the access: killed, naming the region and the GPA */
    l.complete = false;
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_MISCONFIG, 0, 0xfe000004), HV_STEP_KILLED);
    CHECK(strstr(e->vm.message, "MMIO write of 4 bytes at GPA 0xfe000004: region uart's handler failed") != NULL);
    down(e);
}

TEST_CASE(mmio_np_violation_routed_to_region)
{
    struct env *e = up("bochs-sandybridge");
    struct mmio_log l = {.complete = true};
    struct hv_region r = {.gpa = 0x40000, .size = 0x1000, .type = HV_REGION_MMIO_NP, .mmio = mmio_cb, .opaque = &l,
                          .name = "dev"}; /* a hole punched into RAM */
    CHECK(hv_gpa_write(&e->vm, 0x40000, "x", 1)); /* backed first: the region must give the page back */
    uint64_t backed = e->vm.stats.ram_pages_backed;
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_OK);
    CHECK_EQ_U64(e->vm.stats.ram_pages_backed, backed - 1);
    CHECK_EQ_U64(hv_ept_lookup(&e->vm, 0x40000), 0);
    CHECK(!hv_gpa_write(&e->vm, 0x40000, "x", 1)); /* not RAM any more */
    CHECK_EQ_U64(translate(e, 0x40000, SIM_EPT_WRITE).outcome, SIM_EPT_VIOLATION);
    static const uint8_t store[] = {0x89, 0x07}; /* mov [rdi], eax: the instruction at RIP */
    CHECK(hv_gpa_write(&e->vm, hv_vmread(&e->vm, VMCS_GUEST_RIP), store, sizeof store));
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_WRITE, 0x40010), HV_STEP_CONTINUE);
    CHECK_EQ_U64(l.calls, 1);
    CHECK_EQ_U64(l.gpa, 0x40010);
    CHECK_EQ_U64(l.access, HV_ACCESS_WRITE);
    CHECK_EQ_U64(e->vm.stats.pages_faulted, 0); /* never backed */
    CHECK_EQ_U64(hv_ept_lookup(&e->vm, 0x40000), 0);
    down(e);
}

TEST_CASE(unmapped_gpa_kill_names_gpa_and_access)
{
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_FETCH, 0x40000000), HV_STEP_KILLED);
    CHECK(strstr(e->vm.message, "EPT violation: instruction fetch to unmapped GPA 0x40000000") != NULL);
    down(e);
}

TEST_CASE(hostile_gpa_beyond_every_walk_is_unmapped)
{
    struct env *e = up("max");
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_WRITE, ~0ull), HV_STEP_KILLED);
    CHECK(strstr(e->vm.message, "write to unmapped GPA 0xffffffffffffffff") != NULL);
    CHECK_EQ_U64(hv_ept_lookup(&e->vm, ~0ull), 0);
    CHECK_EQ_U64(hv_ept_lookup(&e->vm, (1ull << 48) + 0x8000), 0); /* no aliasing of 0x8000 */
    down(e);
}

TEST_CASE(misconfig_outside_mmio_kills_and_logs_entries)
{
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_MISCONFIG, 0, 0xff000), HV_STEP_KILLED); /* a system page: backed */
    CHECK(strstr(e->vm.message, "EPT misconfiguration at GPA 0xff000 not in an MMIO region (core bug)") != NULL);
    bool logged = false;
    for (unsigned i = 0; i < e->nlog; i++)
        logged |= strstr(e->log[i], "EPT misconfiguration at GPA 0xff000") != NULL &&
                  strstr(e->log[i], "4-level walk") != NULL;
    CHECK(logged);
    /* the leaf's value is in the message */
    char leaf[32];
    snprintf(leaf, sizeof leaf, "%llx", (unsigned long long)(hv_ept_lookup(&e->vm, 0xff000) | EPTE_LEAF_RAM));
    CHECK(strstr(e->vm.message, leaf) != NULL);
    down(e);
}

TEST_CASE(nmi_unblocking_bit_restores_nmi_blocking)
{
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_READ | (1u << 12), 0x7000), HV_STEP_CONTINUE);
    CHECK(field(e, HV_VMCS_ORD_GUEST_INTERRUPTIBILITY_STATE) & INTERRUPTIBILITY_NMI);
    down(e);
}

TEST_CASE(rom_2m_large_page_then_split_by_mmio)
{
    struct env *e = up_cfg("bochs-haswell", 4096, MIB, 0);
    struct hv_region rom = {.gpa = 0x100000000ull, .size = 2 * MIB, .type = HV_REGION_ROM, .name = "flash"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &rom), HV_OK);
    CHECK_EQ_U64(e->vm.stats.ept_large_pages, 1);
    CHECK_EQ_U64(e->vm.stats.rom_pages_backed, 512);
    struct sim_ept_walk w = translate(e, 0x100002345ull, SIM_EPT_READ);
    CHECK_EQ_U64(w.outcome, SIM_EPT_OK);
    CHECK_EQ_U64(w.page_size, 2 * MIB);
    CHECK(hv_gpa_write(&e->vm, 0x100002000ull, "keep", 5));
    hv_paddr_t before = hv_ept_lookup(&e->vm, 0x100002000ull);

    struct mmio_log l = {.complete = true};
    struct hv_region mmio = {.gpa = 0x100001000ull, .size = 0x1000, .type = HV_REGION_MMIO, .mmio = mmio_cb,
                             .opaque = &l, .name = "ctl"};
    uint64_t inv = e->vm.stats.invepts;
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &mmio), HV_OK);
    CHECK(e->vm.stats.invepts > inv);
    CHECK_EQ_U64(e->vm.stats.ept_splits, 1);
    CHECK_EQ_U64(e->vm.stats.ept_large_pages, 0);
    CHECK_EQ_U64(e->vm.stats.rom_pages_backed, 511);
    CHECK_EQ_U64(translate(e, 0x100001000ull, SIM_EPT_READ).outcome, SIM_EPT_MISCONFIG);
    w = translate(e, 0x100002000ull, SIM_EPT_READ);
    CHECK_EQ_U64(w.outcome, SIM_EPT_OK);
    CHECK_EQ_U64(w.page_size, 4096);
    CHECK_EQ_U64(w.hpa, before); /* the same frame, contents kept */
    char back[5] = {0};
    CHECK(hv_gpa_read(&e->vm, 0x100002000ull, back, 5));
    CHECK_STREQ(back, "keep");
    down(e);
}

TEST_CASE(mmio_1g_hole_is_one_entry)
{
    struct env *e = up("bochs-haswell");
    uint64_t tables = e->vm.stats.ept_table_pages;
    struct mmio_log l = {.complete = true};
    struct hv_region r = {.gpa = 1ull << 32, .size = 1ull << 30, .type = HV_REGION_MMIO, .mmio = mmio_cb,
                          .opaque = &l, .name = "bar"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_OK);
    CHECK(e->vm.stats.ept_table_pages <= tables + 1); /* at most a PDPT: the hole is a PDPTE */
    CHECK_EQ_U64(translate(e, (1ull << 32) + 0x3ffff000, SIM_EPT_READ).outcome, SIM_EPT_MISCONFIG);
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_MISCONFIG, 0, (1ull << 32) + 0x1234), HV_STEP_CONTINUE);
    CHECK_EQ_U64(l.gpa, (1ull << 32) + 0x1234);
    down(e);
}

/* hv_ept_set_range over a range that starts and ends inside 2-MiB spans and crosses a 1-GiB boundary: 4-KiB
 * holes up to the first 2-MiB boundary, 2-MiB holes inside, 4-KiB holes after the last; the pages just
 * outside keep what they were. Then a not-present region over the same range takes every hole back out. */
TEST_CASE(unaligned_hole_range_uses_the_largest_aligned_entries)
{
    struct env *e = up("bochs-haswell");
    uint64_t start = (1ull << 30) - 2 * MIB - 0x3000, end = (1ull << 30) + 4 * MIB + 0x5000;
    struct mmio_log l = {.complete = true};
    struct hv_region r = {.gpa = start, .size = end - start, .type = HV_REGION_MMIO, .mmio = mmio_cb,
                          .opaque = &l, .name = "bar"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_OK);
    const uint64_t misconfig[][2] = {
        {start, 1},                     /* 4-KiB holes (level 1 = PTE) */
        {(1ull << 30) - 2 * MIB - 0x1000, 1},
        {(1ull << 30) - 2 * MIB, 2},      /* a 2-MiB hole (PDE) */
        {(1ull << 30) - 0x1000, 2},
        {1ull << 30, 2},                /* the next PD: still 2-MiB holes */
        {(1ull << 30) + 4 * MIB - 0x1000, 2},
        {(1ull << 30) + 4 * MIB, 1},    /* 4-KiB holes to the end */
        {end - 0x1000, 1},
    };
    for (size_t i = 0; i < sizeof misconfig / sizeof misconfig[0]; i++) {
        struct sim_ept_walk w = translate(e, misconfig[i][0], SIM_EPT_READ);
        if (w.outcome != SIM_EPT_MISCONFIG || w.level != misconfig[i][1])
            fprintf(stderr, "GPA 0x%llx: outcome %d at level %u\n", (unsigned long long)misconfig[i][0],
                    w.outcome, w.level);
        CHECK_EQ_U64(w.outcome, SIM_EPT_MISCONFIG);
        CHECK_EQ_U64(w.level, misconfig[i][1]);
    }
    CHECK_EQ_U64(translate(e, start - 0x1000, SIM_EPT_READ).outcome, SIM_EPT_VIOLATION);
    CHECK_EQ_U64(translate(e, end, SIM_EPT_READ).outcome, SIM_EPT_VIOLATION);

    struct hv_region np = {.gpa = start, .size = end - start, .type = HV_REGION_MMIO_NP, .mmio = mmio_cb,
                           .opaque = &l, .name = "np"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &np), HV_OK);
    for (size_t i = 0; i < sizeof misconfig / sizeof misconfig[0]; i++)
        CHECK_EQ_U64(translate(e, misconfig[i][0], SIM_EPT_READ).outcome, SIM_EPT_VIOLATION);
    down(e);
}

/* Making a range not present where nothing is mapped skips whole absent spans: 64 GiB from an unaligned start
 * allocates no table (and finishes at once rather than entry by entry); an access there still reaches the
 * region. */
TEST_CASE(not_present_range_over_nothing_allocates_nothing)
{
    struct env *e = up("bochs-haswell");
    uint64_t tables = e->vm.stats.ept_table_pages;
    size_t in_use = sim_pages_in_use(e->m);
    uint64_t start = (8ull << 30) + 0x1000;
    struct mmio_log l = {.complete = true};
    struct hv_region np = {.gpa = start, .size = 64ull << 30, .type = HV_REGION_MMIO_NP, .mmio = mmio_cb,
                           .opaque = &l, .name = "np"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &np), HV_OK);
    CHECK_EQ_U64(e->vm.stats.ept_table_pages, tables);
    CHECK_EQ_U64(sim_pages_in_use(e->m), in_use);
    CHECK_EQ_U64(translate(e, start, SIM_EPT_READ).outcome, SIM_EPT_VIOLATION);
    static const uint8_t store[] = {0x89, 0x07}; /* mov [rdi], eax: the instruction at RIP */
    CHECK(hv_gpa_write(&e->vm, hv_vmread(&e->vm, VMCS_GUEST_RIP), store, sizeof store));
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_WRITE, start + 0x10), HV_STEP_CONTINUE);
    CHECK_EQ_U64(l.calls, 1);
    CHECK_EQ_U64(l.gpa, start + 0x10);
    down(e);
}

/* The skip over an absent span stops at its end: the range starts inside a 1-GiB span with nothing mapped
 * (one skip to the next GiB), and a hole mapped just after that boundary goes too. */
TEST_CASE(not_present_range_skips_an_absent_span_but_not_what_follows)
{
    struct env *e = up("bochs-haswell");
    uint64_t start = (8ull << 30) + 0x1000, next_gib = 9ull << 30;
    struct mmio_log l = {.complete = true};
    struct hv_region hole = {.gpa = next_gib + 0x3000, .size = 0x1000, .type = HV_REGION_MMIO, .mmio = mmio_cb,
                             .opaque = &l, .name = "hole"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &hole), HV_OK);
    CHECK_EQ_U64(translate(e, next_gib + 0x3000, SIM_EPT_READ).outcome, SIM_EPT_MISCONFIG);
    CHECK_EQ_U64(translate(e, start, SIM_EPT_READ).outcome, SIM_EPT_VIOLATION);
    struct hv_region np = {.gpa = start, .size = 4ull << 30, .type = HV_REGION_MMIO_NP, .mmio = mmio_cb,
                           .opaque = &l, .name = "np"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &np), HV_OK);
    CHECK_EQ_U64(translate(e, next_gib + 0x3000, SIM_EPT_READ).outcome, SIM_EPT_VIOLATION);
    down(e);
}

TEST_CASE(five_level_ept_only_when_needed_and_supported)
{
    struct env *e = up("max");
    CHECK_EQ_U64(e->vm.ept_levels, 4);
    CHECK_EQ_U64(EPTP_WALK_MINUS_1(field(e, HV_VMCS_ORD_EPT_POINTER)), 3);
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_VIOLATION, Q_WRITE, 0x8000), HV_STEP_CONTINUE);
    hv_paddr_t pa = hv_ept_lookup(&e->vm, 0x8000);
    struct mmio_log l = {.complete = true};
    struct hv_region below = {.gpa = (1ull << 48) - 0x1000, .size = 0x1000, .type = HV_REGION_MMIO,
                              .mmio = mmio_cb, .opaque = &l, .name = "top48"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &below), HV_OK);
    CHECK_EQ_U64(e->vm.ept_levels, 4); /* still fits 48 bits */
    struct hv_region high = {.gpa = 1ull << 48, .size = 0x1000, .type = HV_REGION_MMIO, .mmio = mmio_cb,
                             .opaque = &l, .name = "high"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &high), HV_OK);
    CHECK_EQ_U64(e->vm.ept_levels, 5);
    CHECK_EQ_U64(EPTP_WALK_MINUS_1(field(e, HV_VMCS_ORD_EPT_POINTER)), 4);
    CHECK_EQ_U64(field(e, HV_VMCS_ORD_EPT_POINTER), e->vm.eptp);
    /* old mappings unchanged under the new root, the new region reachable */
    struct sim_ept_walk w = translate(e, 0x8000, SIM_EPT_READ);
    CHECK_EQ_U64(w.outcome, SIM_EPT_OK);
    CHECK_EQ_U64(w.hpa, pa);
    CHECK_EQ_U64(translate(e, 1ull << 48, SIM_EPT_WRITE).outcome, SIM_EPT_MISCONFIG);
    CHECK_EQ_U64(step_gpa(e, HV_EXIT_EPT_MISCONFIG, 0, (1ull << 48) + 8), HV_STEP_CONTINUE); /* entry checks pass */
    CHECK_EQ_U64(l.gpa, (1ull << 48) + 8);
    down(e);
}

TEST_CASE(region_above_48_bits_refused_without_5_level)
{
    struct env *e = up("bochs-haswell"); /* MAXPHYADDR 40, no 5-level walk */
    struct mmio_log l = {0};
    struct hv_region high = {.gpa = 1ull << 48, .size = 0x1000, .type = HV_REGION_MMIO, .mmio = mmio_cb,
                             .opaque = &l, .name = "high"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &high), HV_ERR_BAD_CONFIG);
    CHECK_EQ_U64(e->vm.ept_levels, 4);
    CHECK_EQ_U64(e->vm.nregions, 0);
    CHECK(!e->vm.dead);
    down(e);
}

TEST_CASE(add_region_rejects_bad_input)
{
    struct env *e = up("bochs-haswell");
    struct hv_region r = {.gpa = 0x100001, .size = 0x1000, .type = HV_REGION_ROM, .name = "x"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_ERR_BAD_CONFIG);
    r.gpa = 0x100000;
    r.size = 0;
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_ERR_BAD_CONFIG);
    r.size = 0x1000;
    r.type = HV_REGION_MMIO; /* no handler */
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_ERR_BAD_CONFIG);
    r.type = (enum hv_region_type)9;
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_ERR_BAD_CONFIG);
    r.type = HV_REGION_ROM;
    r.gpa = ~0ull & ~0xfffull;
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_ERR_BAD_CONFIG); /* wraps */
    CHECK_EQ_U64(e->vm.nregions, 0);
    down(e);
}

TEST_CASE(gpa_is_ram_follows_the_map)
{
    struct env *e = up("bochs-haswell");
    CHECK(hv_gpa_is_ram(&e->vm, 0x1000, 10));
    CHECK(hv_gpa_is_ram(&e->vm, 0, MIB));
    CHECK(!hv_gpa_is_ram(&e->vm, 0x1000, 0));
    CHECK(!hv_gpa_is_ram(&e->vm, MIB - 4, 8));
    CHECK(!hv_gpa_is_ram(&e->vm, MIB, 1));
    CHECK(!hv_gpa_is_ram(&e->vm, ~0ull - 3, 8));
    CHECK(!hv_gpa_is_ram(&e->vm, 0x10, ~0ull));
    struct mmio_log l = {0};
    struct hv_region r = {.gpa = 0x9000, .size = 0x1000, .type = HV_REGION_MMIO, .mmio = mmio_cb, .opaque = &l,
                          .name = "hole"};
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_OK);
    CHECK(hv_gpa_is_ram(&e->vm, 0x8000, 0x1000));
    CHECK(!hv_gpa_is_ram(&e->vm, 0x8000, 0x1001));
    CHECK(!hv_gpa_is_ram(&e->vm, 0x9fff, 1));
    CHECK(hv_gpa_is_ram(&e->vm, 0xa000, 1));
    down(e);
}
