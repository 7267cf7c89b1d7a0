/* The sim's EPT walker (sim_ept.c) on hand-built tables: each EPT-misconfiguration rule of SDM Vol. 3
 * §29.3.3.1 tripped, the permission checks and violation qualifications (§28.2.1 Table 28-7), accessed and
 * dirty flags (§29.3.5), 2-MiB and 1-GiB pages, 5-level walks, hostile table addresses, and the iterator. */
#include "sim_ept.h"
#include "sim_machine.h"
#include "testlib.h"

#include <hv/vmx_controls.h>
#include <stdlib.h>

#define WB (6ull << 3) /* leaf memory type WB in bits 5:3 */
#define RWX 7ull

/* A machine with a 4-level (or 5-level) table tree: root, then one table per level for GPA 0..2 MiB. */
struct env {
    struct sim_machine *m;
    struct sim_ept_caps caps;
    unsigned levels;
    uint64_t table[6]; /* table[L]: the table whose entries are of level L (5 PML5 ... 1 PT) */
    uint64_t eptp;
    uint64_t page;     /* a data page */
};

static uint64_t *entry(struct env *e, unsigned level, unsigned index)
{
    uint64_t *t = sim_phys_ptr(e->m, e->table[level] + 8ull * index, 8);
    if (!t)
        abort();
    return t;
}

/* Tables linking GPA 0 down to a PT whose entry 8 (GPA 0x8000) maps e->page RWX WB. */
static void env_init(struct env *e, unsigned levels)
{
    e->m = sim_machine_create(sim_profile_find("max"), 64, 1);
    if (!e->m)
        abort();
    e->caps = sim_ept_caps_of(e->m);
    e->caps.maxphyaddr = 40; /* so that bits 51:40 are reserved */
    e->levels = levels;
    for (unsigned l = 1; l <= levels; l++)
        e->table[l] = sim_page_alloc(e->m);
    for (unsigned l = levels; l >= 2; l--)
        *entry(e, l, 0) = e->table[l - 1] | RWX;
    e->page = sim_page_alloc(e->m);
    *entry(e, 1, 8) = e->page | RWX | WB;
    e->eptp = e->table[levels] | EPT_MEMTYPE_WB | ((uint64_t)(levels - 1) << 3);
}

static void env_fini(struct env *e) { sim_machine_destroy(e->m); }

static struct sim_ept_walk tr(struct env *e, uint64_t gpa, unsigned access)
{
    struct sim_ept_walk w;
    sim_ept_translate(e->m, &e->caps, e->eptp, gpa, access, false, &w);
    return w;
}

TEST_CASE(ept_mapped_page_translates_for_every_access)
{
    struct env e;
    env_init(&e, 4);
    for (unsigned a = 1; a <= 4; a <<= 1) {
        struct sim_ept_walk w = tr(&e, 0x8123, a);
        CHECK_EQ_U64(w.outcome, SIM_EPT_OK);
        CHECK_EQ_U64(w.hpa, e.page + 0x123);
        CHECK_EQ_U64(w.page_size, 4096);
        CHECK_EQ_U64(w.level, 1);
    }
    env_fini(&e);
}

TEST_CASE(ept_not_present_leaf_is_a_violation_with_no_rights)
{
    struct env e;
    env_init(&e, 4);
    struct sim_ept_walk w = tr(&e, 0x9000, SIM_EPT_WRITE);
    CHECK_EQ_U64(w.outcome, SIM_EPT_VIOLATION);
    CHECK_EQ_U64(w.qualification, SIM_EPTQ_WRITE); /* bits 5:3 = 0: an entry used was not present */
    CHECK_EQ_U64(w.level, 1);
    /* not present higher up: PDPTE 1 (GPA 1 GiB) */
    w = tr(&e, 1ull << 30, SIM_EPT_FETCH);
    CHECK_EQ_U64(w.outcome, SIM_EPT_VIOLATION);
    CHECK_EQ_U64(w.qualification, SIM_EPTQ_FETCH);
    CHECK_EQ_U64(w.level, 3);
    env_fini(&e);
}

TEST_CASE(ept_permissions_and_qualification_bits)
{
    struct env e;
    env_init(&e, 4);
    *entry(&e, 1, 8) = e.page | 1 | WB; /* read-only */
    CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_READ).outcome, SIM_EPT_OK);
    struct sim_ept_walk w = tr(&e, 0x8000, SIM_EPT_WRITE);
    CHECK_EQ_U64(w.outcome, SIM_EPT_VIOLATION);
    CHECK_EQ_U64(w.qualification, SIM_EPTQ_WRITE | SIM_EPTQ_READABLE); /* 0x0a */
    w = tr(&e, 0x8000, SIM_EPT_FETCH);
    CHECK_EQ_U64(w.qualification, SIM_EPTQ_FETCH | SIM_EPTQ_READABLE); /* 0x0c */
    /* read + execute leaf under a read + write PDE: the AND of the levels is read only */
    *entry(&e, 1, 8) = e.page | 5 | WB;
    *entry(&e, 2, 0) = e.table[1] | 3;
    w = tr(&e, 0x8000, SIM_EPT_FETCH);
    CHECK_EQ_U64(w.outcome, SIM_EPT_VIOLATION);
    CHECK_EQ_U64(w.qualification, SIM_EPTQ_FETCH | SIM_EPTQ_READABLE);
    w = tr(&e, 0x8000, SIM_EPT_WRITE);
    CHECK_EQ_U64(w.qualification, SIM_EPTQ_WRITE | SIM_EPTQ_READABLE);
    CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_READ).outcome, SIM_EPT_OK);
    /* a fetch from a read/write page reports both rights it has */
    *entry(&e, 2, 0) = e.table[1] | RWX;
    *entry(&e, 1, 8) = e.page | 3 | WB; /* RW, no execute */
    w = tr(&e, 0x8000, SIM_EPT_FETCH);
    CHECK_EQ_U64(w.qualification, SIM_EPTQ_FETCH | SIM_EPTQ_READABLE | SIM_EPTQ_WRITABLE); /* 0x1c */
    env_fini(&e);
}

TEST_CASE(ept_execute_only_needs_support)
{
    struct env e;
    env_init(&e, 4);
    *entry(&e, 1, 8) = e.page | 4 | WB;
    e.caps.execute_only = true;
    CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_FETCH).outcome, SIM_EPT_OK);
    struct sim_ept_walk w = tr(&e, 0x8000, SIM_EPT_READ);
    CHECK_EQ_U64(w.outcome, SIM_EPT_VIOLATION);
    CHECK_EQ_U64(w.qualification, SIM_EPTQ_READ | SIM_EPTQ_EXECUTABLE); /* 0x21 */
    e.caps.execute_only = false;
    w = tr(&e, 0x8000, SIM_EPT_FETCH);
    CHECK_EQ_U64(w.outcome, SIM_EPT_MISCONFIG);
    CHECK(strstr(w.rule, "100b") != NULL);
    env_fini(&e);
}

/* One misconfiguration: the entry at (level, index) becomes value; an access to gpa is a misconfiguration
 * naming rule (a substring), for every access type. */
static void expect_misconfig(struct env *e, unsigned level, unsigned index, uint64_t value, uint64_t gpa,
                             const char *rule)
{
    uint64_t saved = *entry(e, level, index);
    *entry(e, level, index) = value;
    for (unsigned a = 1; a <= 4; a <<= 1) {
        struct sim_ept_walk w = tr(e, gpa, a);
        CHECK_EQ_U64(w.outcome, SIM_EPT_MISCONFIG);
        CHECK_EQ_U64(w.level, level);
        if (w.rule && !strstr(w.rule, rule))
            testlib_fail(__FILE__, __LINE__, "rule \"%s\" does not name \"%s\"", w.rule, rule);
    }
    *entry(e, level, index) = saved;
    CHECK_EQ_U64(tr(e, 0x8000, SIM_EPT_READ).outcome, SIM_EPT_OK);
}

TEST_CASE(ept_misconfig_write_only_and_write_execute)
{
    struct env e;
    env_init(&e, 4);
    expect_misconfig(&e, 1, 8, e.page | 2 | WB, 0x8000, "010b");
    expect_misconfig(&e, 1, 8, e.page | 6 | WB, 0x8000, "110b");
    /* at a non-leaf level too: bits 2:0 of any entry used */
    expect_misconfig(&e, 4, 0, e.table[3] | 2, 0x8000, "010b");
    expect_misconfig(&e, 2, 0, e.table[1] | 6, 0x8000, "110b");
    /* 010b is a misconfiguration even for an entry with no address: the MMIO-hole idiom */
    expect_misconfig(&e, 1, 9, 2, 0x9000, "010b");
    env_fini(&e);
}

TEST_CASE(ept_misconfig_address_beyond_maxphyaddr)
{
    struct env e;
    env_init(&e, 4);
    expect_misconfig(&e, 1, 8, e.page | (1ull << 40) | RWX | WB, 0x8000, "51:MAXPHYADDR");
    expect_misconfig(&e, 1, 8, e.page | (1ull << 51) | RWX | WB, 0x8000, "51:MAXPHYADDR");
    expect_misconfig(&e, 3, 0, e.table[2] | (1ull << 45) | RWX, 0x8000, "51:MAXPHYADDR");
    /* bits 63:52 are ignored: not a misconfiguration */
    *entry(&e, 1, 8) = e.page | (1ull << 52) | (1ull << 62) | RWX | WB;
    CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_READ).outcome, SIM_EPT_OK);
    env_fini(&e);
}

TEST_CASE(ept_misconfig_reserved_bits_per_level)
{
    struct env e;
    env_init(&e, 4);
    for (unsigned b = 3; b <= 7; b++)
        expect_misconfig(&e, 4, 0, e.table[3] | RWX | (1ull << b), 0x8000, "PML4E bits 7:3");
    for (unsigned b = 3; b <= 6; b++) {
        expect_misconfig(&e, 3, 0, e.table[2] | RWX | (1ull << b), 0x8000, "PDPTE bits 6:3");
        expect_misconfig(&e, 2, 0, e.table[1] | RWX | (1ull << b), 0x8000, "PDE bits 6:3");
    }
    /* a PTE's bit 7 is ignored, bits 8-11 too */
    *entry(&e, 1, 8) = e.page | RWX | WB | (1ull << 7) | (1ull << 11);
    CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_READ).outcome, SIM_EPT_OK);
    env_fini(&e);
}

TEST_CASE(ept_misconfig_large_page_reserved_bits)
{
    struct env e;
    env_init(&e, 4);
    /* 1-GiB page at PDPTE 1 (GPA 1 GiB .. 2 GiB): bits 29:12 reserved */
    expect_misconfig(&e, 3, 1, (1ull << 30) | (1ull << 12) | SIM_EPTE_LARGE | RWX | WB, 1ull << 30, "29:12");
    expect_misconfig(&e, 3, 1, (1ull << 30) | (1ull << 29) | SIM_EPTE_LARGE | RWX | WB, 1ull << 30, "29:12");
    /* 2-MiB page at PDE 1 (GPA 2 MiB): bits 20:12 reserved */
    expect_misconfig(&e, 2, 1, (2ull << 20) | (1ull << 20) | SIM_EPTE_LARGE | RWX | WB, 2ull << 20, "20:12");
    env_fini(&e);
}

TEST_CASE(ept_misconfig_large_page_bit_without_support)
{
    struct env e;
    env_init(&e, 4);
    e.caps.pdpte_1gb = false;
    expect_misconfig(&e, 3, 1, (1ull << 30) | SIM_EPTE_LARGE | RWX | WB, 1ull << 30, "1-GiB page support");
    e.caps.pde_2mb = false;
    expect_misconfig(&e, 2, 1, (2ull << 20) | SIM_EPTE_LARGE | RWX | WB, 2ull << 20, "2-MiB page support");
    env_fini(&e);
}

TEST_CASE(ept_misconfig_reserved_memory_types)
{
    struct env e;
    env_init(&e, 4);
    expect_misconfig(&e, 1, 8, e.page | RWX | (2ull << 3), 0x8000, "memory type 2");
    expect_misconfig(&e, 1, 8, e.page | RWX | (3ull << 3), 0x8000, "memory type 3");
    expect_misconfig(&e, 1, 8, e.page | RWX | (7ull << 3), 0x8000, "memory type 7");
    expect_misconfig(&e, 2, 1, (2ull << 20) | SIM_EPTE_LARGE | RWX | (7ull << 3), 2ull << 20, "memory type 7");
    expect_misconfig(&e, 3, 1, (1ull << 30) | SIM_EPTE_LARGE | RWX | (3ull << 3), 1ull << 30, "memory type 3");
    /* the other types are fine: UC 0, WC 1, WT 4, WP 5, WB 6 */
    static const unsigned ok[] = {0, 1, 4, 5, 6};
    for (unsigned i = 0; i < 5; i++) {
        *entry(&e, 1, 8) = e.page | RWX | ((uint64_t)ok[i] << 3);
        CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_READ).outcome, SIM_EPT_OK);
    }
    env_fini(&e);
}

TEST_CASE(ept_misconfig_wins_over_violation)
{
    struct env e;
    env_init(&e, 4);
    *entry(&e, 4, 0) = e.table[3] | 1; /* read-only PML4E: a write would be a violation... */
    *entry(&e, 1, 8) = e.page | RWX | (7ull << 3); /* ...but the leaf is misconfigured */
    CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_WRITE).outcome, SIM_EPT_MISCONFIG);
    env_fini(&e);
}

TEST_CASE(ept_large_pages_map_2m_and_1g)
{
    struct env e;
    env_init(&e, 4);
    *entry(&e, 2, 1) = (0x40000000ull) | SIM_EPTE_LARGE | RWX | WB; /* GPA 2 MiB -> HPA 1 GiB, 2 MiB page */
    struct sim_ept_walk w = tr(&e, (2ull << 20) + 0x12345, SIM_EPT_WRITE);
    CHECK_EQ_U64(w.outcome, SIM_EPT_OK);
    CHECK_EQ_U64(w.hpa, 0x40000000ull + 0x12345);
    CHECK_EQ_U64(w.page_size, 2ull << 20);
    CHECK_EQ_U64(w.level, 2);
    *entry(&e, 3, 2) = (0x80000000ull) | SIM_EPTE_LARGE | RWX | WB; /* GPA 2 GiB -> HPA 2 GiB, 1 GiB page */
    w = tr(&e, (2ull << 30) + 0x3456789, SIM_EPT_READ);
    CHECK_EQ_U64(w.outcome, SIM_EPT_OK);
    CHECK_EQ_U64(w.hpa, 0x80000000ull + 0x3456789);
    CHECK_EQ_U64(w.page_size, 1ull << 30);
    env_fini(&e);
}

TEST_CASE(ept_five_level_walk)
{
    struct env e;
    env_init(&e, 5);
    CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_READ).outcome, SIM_EPT_OK);
    CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_READ).levels, 5);
    /* a GPA above 2^48 goes through PML5E 1 */
    uint64_t gpa = (1ull << 48) + 0x8000;
    CHECK_EQ_U64(tr(&e, gpa, SIM_EPT_READ).outcome, SIM_EPT_VIOLATION);
    *entry(&e, 5, 1) = e.table[4] | RWX; /* share the lower tables */
    struct sim_ept_walk w = tr(&e, gpa, SIM_EPT_READ);
    CHECK_EQ_U64(w.outcome, SIM_EPT_OK);
    CHECK_EQ_U64(w.hpa, e.page);
    for (unsigned b = 3; b <= 7; b++)
        expect_misconfig(&e, 5, 0, e.table[4] | RWX | (1ull << b), 0x8000, "PML5E bits 7:3");
    /* a 5-level EPTP on a processor that only walks 4 levels */
    e.caps.walk5 = false;
    CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_READ).outcome, SIM_EPT_BAD_EPTP);
    env_fini(&e);
}

TEST_CASE(ept_four_level_walk_bounds_gpa_at_48_bits)
{
    struct env e;
    env_init(&e, 4);
    struct sim_ept_walk w = tr(&e, (1ull << 48) + 0x8000, SIM_EPT_READ);
    CHECK_EQ_U64(w.outcome, SIM_EPT_VIOLATION);
    CHECK_EQ_U64(w.qualification, SIM_EPTQ_READ);
    /* walk lengths other than 4 and 5 are not EPTPs the processor accepts */
    e.eptp = (e.eptp & ~(7ull << 3)) | (2ull << 3);
    CHECK_EQ_U64(tr(&e, 0x8000, SIM_EPT_READ).outcome, SIM_EPT_BAD_EPTP);
    env_fini(&e);
}

TEST_CASE(ept_accessed_and_dirty_flags)
{
    struct env e;
    env_init(&e, 4);
    struct sim_ept_walk w;
    /* A/D off in the EPTP: nothing is set */
    sim_ept_translate(e.m, &e.caps, e.eptp, 0x8000, SIM_EPT_WRITE, true, &w);
    CHECK_EQ_U64(*entry(&e, 1, 8) & (SIM_EPTE_ACCESSED | SIM_EPTE_DIRTY), 0);
    e.eptp |= EPTP_AD_ENABLE;
    /* set_ad false (a resolution that only decides): nothing is set */
    sim_ept_translate(e.m, &e.caps, e.eptp, 0x8000, SIM_EPT_WRITE, false, &w);
    CHECK_EQ_U64(*entry(&e, 1, 8) & (SIM_EPTE_ACCESSED | SIM_EPTE_DIRTY), 0);
    /* a read: accessed at every level, no dirty */
    sim_ept_translate(e.m, &e.caps, e.eptp, 0x8000, SIM_EPT_READ, true, &w);
    CHECK_EQ_U64(w.outcome, SIM_EPT_OK);
    for (unsigned l = 4; l >= 2; l--)
        CHECK(*entry(&e, l, 0) & SIM_EPTE_ACCESSED);
    CHECK(*entry(&e, 1, 8) & SIM_EPTE_ACCESSED);
    CHECK_EQ_U64(*entry(&e, 1, 8) & SIM_EPTE_DIRTY, 0);
    CHECK_EQ_U64(*entry(&e, 2, 0) & SIM_EPTE_DIRTY, 0);
    /* a write: dirty on the leaf only */
    sim_ept_translate(e.m, &e.caps, e.eptp, 0x8000, SIM_EPT_WRITE, true, &w);
    CHECK(*entry(&e, 1, 8) & SIM_EPTE_DIRTY);
    CHECK_EQ_U64(*entry(&e, 2, 0) & SIM_EPTE_DIRTY, 0);
    /* a violation sets nothing */
    *entry(&e, 1, 9) = e.page | 1 | WB;
    sim_ept_translate(e.m, &e.caps, e.eptp, 0x9000, SIM_EPT_WRITE, true, &w);
    CHECK_EQ_U64(w.outcome, SIM_EPT_VIOLATION);
    CHECK_EQ_U64(*entry(&e, 1, 9) & (SIM_EPTE_ACCESSED | SIM_EPTE_DIRTY), 0);
    /* a 2-MiB leaf gets its dirty flag */
    *entry(&e, 2, 1) = (0x40000000ull) | SIM_EPTE_LARGE | RWX | WB;
    sim_ept_translate(e.m, &e.caps, e.eptp, 2ull << 20, SIM_EPT_WRITE, true, &w);
    CHECK(*entry(&e, 2, 1) & SIM_EPTE_DIRTY);
    env_fini(&e);
}

TEST_CASE(ept_table_address_outside_memory_is_a_misconfiguration)
{
    struct env e;
    env_init(&e, 4);
    *entry(&e, 3, 0) = 0x7000000000ull | RWX; /* a PD "at" 448 GiB: no memory there, reads as all ones */
    struct sim_ept_walk w = tr(&e, 0x8000, SIM_EPT_READ);
    CHECK_EQ_U64(w.outcome, SIM_EPT_MISCONFIG);
    CHECK_EQ_U64(w.level, 2);
    env_fini(&e);
}

struct census {
    unsigned tables, leaves, misconfigs, shared;
    uint64_t leaf_gpa[8];
};

static bool count_node(void *opaque, const struct sim_ept_node *n)
{
    struct census *c = opaque;
    if (n->kind == SIM_EPT_NODE_TABLE) {
        c->tables++;
        c->shared += n->shared;
    } else if (n->kind == SIM_EPT_NODE_LEAF) {
        if (c->leaves < 8)
            c->leaf_gpa[c->leaves] = n->gpa;
        c->leaves++;
    } else {
        c->misconfigs++;
    }
    return true;
}

TEST_CASE(ept_iterator_visits_tables_leaves_and_misconfigurations)
{
    struct env e;
    env_init(&e, 4);
    *entry(&e, 1, 9) = 2;                                       /* an MMIO hole: 010b */
    *entry(&e, 2, 1) = (0x40000000ull) | SIM_EPTE_LARGE | RWX | WB; /* a 2-MiB leaf at GPA 2 MiB */
    *entry(&e, 4, 1) = e.table[3] | RWX;                        /* PML4E 1 shares the PDPT: walked once */
    struct census c = {0};
    CHECK(sim_ept_for_each(e.m, &e.caps, e.eptp, count_node, &c));
    CHECK_EQ_U64(c.tables, 5); /* root, PDPT (twice: once shared), PD, PT */
    CHECK_EQ_U64(c.shared, 1);
    CHECK_EQ_U64(c.leaves, 2);
    CHECK_EQ_U64(c.leaf_gpa[0], 0x8000);     /* depth first: PDE 0's table is walked before PDE 1 */
    CHECK_EQ_U64(c.leaf_gpa[1], 2ull << 20);
    CHECK_EQ_U64(c.misconfigs, 1);
    env_fini(&e);
}
