/* The sim's EPT walker (sim_ept.h). */
#include "sim_ept.h"

#include <hv/msr.h>
#include <hv/vmx_controls.h>
#include <stdlib.h>

#define PAGE_4K 4096ull
#define ADDR_BITS_51_12 0x000ffffffffff000ull

struct sim_ept_caps sim_ept_caps_of(const struct sim_machine *m)
{
    /* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3 §A.10); a processor without the MSR has no EPT at all. */
    uint64_t cap = sim_profile_vmx_msr(sim_machine_profile(m), MSR_IA32_VMX_EPT_VPID_CAP);
    return (struct sim_ept_caps){
        .execute_only = cap & EPT_CAP_EXECUTE_ONLY,
        .walk4 = cap & EPT_CAP_WALK_LENGTH_4,
        .walk5 = cap & EPT_CAP_WALK_LENGTH_5,
        .pde_2mb = cap & EPT_CAP_PDE_2MB,
        .pdpte_1gb = cap & EPT_CAP_PDPTE_1GB,
        .ad = cap & EPT_CAP_ACCESSED_DIRTY,
        .maxphyaddr = sim_machine_phys_width(m),
    };
}

static uint64_t bits(unsigned hi, unsigned lo)
{
    return ((hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1)) & ~((1ull << lo) - 1);
}

/* Bits 51:N of an address field: reserved beyond the physical-address width (§29.3.2, every table). */
static uint64_t above_maxphy(const struct sim_ept_caps *c)
{
    return c->maxphyaddr >= 52 ? 0 : bits(51, c->maxphyaddr);
}

/* Range of GPA one entry of `level` covers: 4 KiB << 9 * (level - 1). */
static uint64_t level_size(unsigned level)
{
    return PAGE_4K << (9 * (level - 1));
}

static unsigned level_index(uint64_t gpa, unsigned level)
{
    return (unsigned)((gpa >> (12 + 9 * (level - 1))) & 511u);
}

/* Whether a present entry of `level` maps a page (a leaf): every PTE; a PDE/PDPTE with bit 7 when the
 * processor supports that page size (without support, bit 7 is reserved: see check_entry). */
static bool is_leaf(const struct sim_ept_caps *c, uint64_t e, unsigned level)
{
    if (level == 1)
        return true;
    if (level == 2)
        return (e & SIM_EPTE_LARGE) && c->pde_2mb;
    if (level == 3)
        return (e & SIM_EPTE_LARGE) && c->pdpte_1gb;
    return false;
}

/* The EPT-misconfiguration rule an entry breaks (SDM Vol. 3 §29.3.3.1), or NULL. e is not "not present". */
static const char *check_entry(const struct sim_ept_caps *c, uint64_t e, unsigned level)
{
    unsigned rwx = (unsigned)(e & 7u);
    if (rwx == 2)
        return "bits 2:0 = 010b (write-only)";
    if (rwx == 6)
        return "bits 2:0 = 110b (write/execute)";
    if (rwx == 4 && !c->execute_only)
        return "bits 2:0 = 100b (execute-only) without execute-only support (IA32_VMX_EPT_VPID_CAP bit 0)";
    if (e & above_maxphy(c))
        return "reserved bit: address bits 51:MAXPHYADDR set";
    switch (level) {
    case 5:
    case 4: /* Tables 29-1, 29-2: PML5E/PML4E bits 7:3 reserved */
        if (e & bits(7, 3))
            return level == 5 ? "reserved bit: PML5E bits 7:3" : "reserved bit: PML4E bits 7:3";
        return NULL;
    case 3:
        if (e & SIM_EPTE_LARGE) {
            if (!c->pdpte_1gb) /* §29.3.2: bit 7 of a PDPTE may be 1 only with 1-GiB page support */
                return "reserved bit: PDPTE bit 7 without 1-GiB page support (IA32_VMX_EPT_VPID_CAP bit 17)";
            if (e & bits(29, 12)) /* Table 29-3 */
                return "reserved bit: 1-GiB PDPTE bits 29:12";
            break;
        }
        if (e & bits(6, 3)) /* Table 29-4 */
            return "reserved bit: PDPTE bits 6:3";
        return NULL;
    case 2:
        if (e & SIM_EPTE_LARGE) {
            if (!c->pde_2mb) /* §29.3.2: bit 7 of a PDE may be 1 only with 2-MiB page support */
                return "reserved bit: PDE bit 7 without 2-MiB page support (IA32_VMX_EPT_VPID_CAP bit 16)";
            if (e & bits(20, 12)) /* Table 29-5 */
                return "reserved bit: 2-MiB PDE bits 20:12";
            break;
        }
        if (e & bits(6, 3)) /* Table 29-6 */
            return "reserved bit: PDE bits 6:3";
        return NULL;
    default: /* Table 29-7: a PTE has no reserved bits below 12 (bit 7 is ignored) */
        break;
    }
    /* A leaf: EPT memory types 2, 3 and 7 are reserved (§29.3.3.1, §29.3.7). */
    unsigned mt = SIM_EPTE_MEMTYPE(e);
    if (mt == 2 || mt == 3 || mt == 7)
        return mt == 2 ? "leaf memory type 2 (reserved)" : mt == 3 ? "leaf memory type 3 (reserved)"
                                                                    : "leaf memory type 7 (reserved)";
    return NULL;
}

/* The walk length of an EPTP (§25.6.11, Table 25-9: bits 5:3 = length - 1), 0 when the processor would not
 * accept it. */
static unsigned eptp_levels(const struct sim_ept_caps *c, uint64_t eptp, const char **why)
{
    unsigned n = (unsigned)((eptp >> 3) & 7u) + 1;
    if (!((n == 4 && c->walk4) || (n == 5 && c->walk5))) {
        *why = "EPTP bits 5:3: a page-walk length the processor does not support";
        return 0;
    }
    if (eptp & above_maxphy(c)) {
        *why = "EPTP bits 51:MAXPHYADDR set";
        return 0;
    }
    return n;
}

/* Read one entry; a table address that is not memory reads as all ones (see sim_ept.h). */
static uint64_t read_entry(struct sim_machine *m, uint64_t pa, uint64_t **where)
{
    uint64_t *p = sim_phys_ptr(m, pa, 8);
    *where = p;
    return p ? *p : ~0ull;
}

void sim_ept_translate(struct sim_machine *m, const struct sim_ept_caps *caps, uint64_t eptp, uint64_t gpa,
                       unsigned access, bool set_ad, struct sim_ept_walk *out)
{
    *out = (struct sim_ept_walk){.outcome = SIM_EPT_OK};
    access &= 7u;
    const char *why = NULL;
    unsigned levels = eptp_levels(caps, eptp, &why);
    out->levels = levels;
    if (!levels) {
        out->outcome = SIM_EPT_BAD_EPTP;
        out->rule = why;
        return;
    }
    /* A GPA wider than the walk translates (48 bits with 4 levels, 57 with 5) has no entry to use: the sim
     * reports an EPT violation with no permissions, as for a not-present entry. */
    if (gpa >> (12 + 9 * levels)) {
        out->outcome = SIM_EPT_VIOLATION;
        out->qualification = access;
        return;
    }
    uint64_t *used[5] = {0};
    unsigned nused = 0;
    unsigned rwx = 7;
    uint64_t table = eptp & ADDR_BITS_51_12;
    const char *misconfig = NULL;
    bool not_present = false;
    for (unsigned level = levels; level >= 1; level--) {
        uint64_t pa = table + 8ull * level_index(gpa, level);
        uint64_t *p;
        uint64_t e = read_entry(m, pa, &p);
        out->level = level;
        out->entry = e;
        out->entry_pa = pa;
        if (!(e & 7u)) { /* §29.3.2: bits 2:0 = 000b: not present; the walk stops */
            not_present = true;
            rwx = 0;
            break;
        }
        misconfig = check_entry(caps, e, level);
        if (misconfig)
            break;
        rwx &= (unsigned)(e & 7u);
        used[nused++] = p;
        if (is_leaf(caps, e, level)) {
            uint64_t size = level_size(level);
            out->page_size = size;
            out->hpa = (e & ADDR_BITS_51_12 & ~(size - 1)) | (gpa & (size - 1));
            break;
        }
        table = e & ADDR_BITS_51_12;
    }
    if (misconfig) {
        out->outcome = SIM_EPT_MISCONFIG;
        out->rule = misconfig;
        return;
    }
    /* §29.3.3.2: a violation when an entry was not present or the access is not allowed by every entry. */
    if (not_present || (access & ~rwx)) {
        out->outcome = SIM_EPT_VIOLATION;
        out->qualification = access | ((uint64_t)rwx << 3);
        out->hpa = 0;
        return;
    }
    /* §29.3.5: accessed flags in every entry used, the dirty flag in the leaf on a write. */
    if (set_ad && (eptp & EPTP_AD_ENABLE)) {
        for (unsigned i = 0; i < nused; i++)
            if (used[i])
                *used[i] |= SIM_EPTE_ACCESSED;
        if ((access & SIM_EPT_WRITE) && nused && used[nused - 1])
            *used[nused - 1] |= SIM_EPTE_DIRTY;
    }
}

/* ---- iteration ------------------------------------------------------------------------------------------ */

struct iter {
    struct sim_machine *m;
    const struct sim_ept_caps *caps;
    sim_ept_visit_fn fn;
    void *opaque;
    uint8_t *seen; /* one bit per arena page: tables already walked */
    size_t npages;
};

/* Mark the table at pa seen; true when it was seen before. A frame outside the arena is never "seen"
 * (it has no entries to walk: they read as all ones). */
static bool seen_before(struct iter *it, uint64_t pa)
{
    if (pa < SIM_PHYS_BASE)
        return false;
    uint64_t i = (pa - SIM_PHYS_BASE) / PAGE_4K;
    if (i >= it->npages)
        return false;
    bool was = (it->seen[i >> 3] >> (i & 7)) & 1u;
    it->seen[i >> 3] |= (uint8_t)(1u << (i & 7));
    return was;
}

/* The first present entry (bits 2:0 nonzero) at or after i, or 512. Most entries of a table are not present,
 * and the oracles walk whole tables after every EPT change, so this loop is most of a fuzz input's time: it
 * runs over the table's host mapping, and without coverage instrumentation (a fuzzer learns nothing from
 * it, and each instrumented compare costs a call). */
#if defined(__clang__)
__attribute__((no_sanitize("coverage")))
#elif defined(__GNUC__) && __GNUC__ >= 12
__attribute__((no_sanitize_coverage))
#endif
static unsigned next_present(const uint64_t *t, unsigned i)
{
    while (i < 512 && (i & 7u) && !(t[i] & 7u))
        i++;
    /* eight entries at a time where aligned: one OR of a cache line's entries */
    while (i < 512 && !((t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] | t[i + 7]) & 7u))
        i += 8;
    while (i < 512 && !(t[i] & 7u))
        i++;
    return i;
}

static bool walk_table(struct iter *it, uint64_t table, unsigned level, uint64_t gpa_base, unsigned rwx_above)
{
    const uint64_t *t = sim_phys_ptr(it->m, table, SIM_PAGE_SIZE); /* NULL: read entry by entry */
    for (unsigned i = 0; i < 512; i++) {
        if (t && (i = next_present(t, i)) == 512)
            break;
        uint64_t pa = table + 8ull * i;
        uint64_t *p;
        uint64_t e = t ? t[i] : read_entry(it->m, pa, &p);
        if (!(e & 7u))
            continue;
        struct sim_ept_node n = {
            .level = level,
            .gpa = gpa_base + (uint64_t)i * level_size(level),
            .size = level_size(level),
            .entry = e,
            .entry_pa = pa,
            .rwx = rwx_above & (unsigned)(e & 7u),
        };
        n.rule = check_entry(it->caps, e, level);
        if (n.rule) {
            n.kind = SIM_EPT_NODE_MISCONFIG;
            n.frame = e & ADDR_BITS_51_12;
            if (!it->fn(it->opaque, &n))
                return false;
            continue;
        }
        if (is_leaf(it->caps, e, level)) {
            n.kind = SIM_EPT_NODE_LEAF;
            n.frame = e & ADDR_BITS_51_12 & ~(n.size - 1);
            if (!it->fn(it->opaque, &n))
                return false;
            continue;
        }
        n.kind = SIM_EPT_NODE_TABLE;
        n.frame = e & ADDR_BITS_51_12;
        n.shared = seen_before(it, n.frame);
        if (!it->fn(it->opaque, &n))
            return false;
        /* level >= 2 here (a PTE is always a leaf); the recursion is at most 5 deep. */
        if (!n.shared && !walk_table(it, n.frame, level - 1, n.gpa, n.rwx))
            return false;
    }
    return true;
}

bool sim_ept_for_each(struct sim_machine *m, const struct sim_ept_caps *caps, uint64_t eptp, sim_ept_visit_fn fn,
                      void *opaque)
{
    const char *why = NULL;
    unsigned levels = eptp_levels(caps, eptp, &why);
    if (!levels)
        return false;
    struct iter it = {.m = m, .caps = caps, .fn = fn, .opaque = opaque, .npages = sim_pages_total(m)};
    it.seen = calloc(it.npages / 8 + 1, 1);
    if (!it.seen)
        return false;
    uint64_t root = eptp & ADDR_BITS_51_12;
    (void)seen_before(&it, root);
    struct sim_ept_node top = {.kind = SIM_EPT_NODE_TABLE,
                               .level = levels + 1,
                               .gpa = 0,
                               .size = level_size(levels) * 512,
                               .frame = root,
                               .rwx = 7};
    bool ok = fn(opaque, &top) && walk_table(&it, root, levels, 0, 7);
    free(it.seen);
    return ok;
}
