/* The VM's EPT (SDM Vol. 3 §29.3 in current SDMs, "The Extended Page Table Mechanism").
 *
 * Shape: a 4-level walk (PML4, PDPT, PD, PT), or 5 levels (a PML5 above) once a region lies at or above
 * 2^48 and the processor supports it (IA32_VMX_EPT_VPID_CAP bit 7, §A.10). Paging structures are WB (EPTP
 * bits 2:0 = 6), accessed/dirty flags are off (EPTP bit 6 = 0): nothing in the core consumes dirty
 * tracking yet, and with them off the processor never writes into the tables, so what the core built is
 * exactly what is there.
 *
 * Entries the core writes, and nothing else:
 *   table pointer   frame of a table page | RWX (rights of a path are the AND of all levels, §29.3.3, so the
 *                   leaf alone decides)
 *   RAM leaf        frame | RWX | WB         ROM leaf   frame | R-X | WB   (4 KiB, or 2 MiB / 1 GiB with bit 7)
 *   hole            bits 2:0 = 010, nothing else: misconfigured at any level (§29.3.3.1), so one entry can
 *                   make a whole 2-MiB / 1-GiB / 512-GiB span an MMIO hole without any table below it
 *   not present     0 (unbacked RAM, MMIO_NP, unmapped): an access is an EPT violation (§29.3.3.2)
 *
 * Large leaves (bit 7 in a PDE / PDPTE, allowed by IA32_VMX_EPT_VPID_CAP bits 16 / 17) need a contiguous,
 * aligned run of host frames, and the allocator hands out 4-KiB pages one by one. So a range is first mapped
 * with 4-KiB leaves and then *promoted* when its 512 leaves turn out to map one contiguous aligned run with
 * identical attributes (try_promote). ROM backing goes out of its way to make that likely (back_2m: it
 * skips, and later returns, pages until an aligned one comes up); a RAM page faulted in lazily triggers the
 * same cheap check for its 2-MiB span. A large leaf is split back into 512 smaller ones whenever a change
 * touches part of it (split), e.g. an MMIO region added inside a ROM range.
 *
 * Guard (issue 4, item 4): every frame a leaf references was taken from the allocator in this file, for
 * this VM (map_new_page, back_2m), and checked through hv_vm_page_ptr; no caller can pass a frame in. So the
 * EPT references only pages this VM owns. Walks are fixed-depth loops; release() recurses at most 4 deep.
 * A GPA outside the walk's reach (a hostile exit qualification) never aliases: slot() refuses it. */
#include "ept.h"

#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>

static unsigned idx(uint64_t gpa, unsigned level)
{
    return (unsigned)((gpa >> EPT_LEVEL_SHIFT(level)) & 511u);
}

/* A table pointer: above level 0, all of RWX (the core's table pointers), bit 7 clear. A hole (010) and a
 * ROM leaf (101) are never table pointers; a RAM large leaf has bit 7. */
static bool is_table(uint64_t e, unsigned level)
{
    return level > 0 && (e & EPTE_RWX) == EPTE_RWX && !(e & EPTE_LARGE);
}

/* A leaf mapping frames (RAM or ROM): readable. Holes (010) and not-present entries map none. */
static bool maps_frames(uint64_t e)
{
    return (e & EPTE_READ) != 0;
}

static bool large_supported(const struct hv_vm *vm, unsigned level)
{
    if (level == 1)
        return (vm->ept_vpid_cap & EPT_CAP_PDE_2MB) != 0;   /* §A.10 bit 16 */
    if (level == 2)
        return (vm->ept_vpid_cap & EPT_CAP_PDPTE_1GB) != 0; /* §A.10 bit 17 */
    return false;
}

static void count_frames(struct hv_vm *vm, uint64_t leaf, uint64_t n, bool add)
{
    uint64_t *c = (leaf & EPTE_WRITE) ? &vm->stats.ram_pages_backed : &vm->stats.rom_pages_backed;
    *c = add ? *c + n : (*c >= n ? *c - n : 0);
}

/* Return what one entry references: a table (and everything under it) or the frames of a leaf. */
static void release(struct hv_vm *vm, uint64_t e, unsigned level)
{
    if (is_table(e, level)) {
        hv_paddr_t pa = e & EPTE_ADDR_MASK;
        uint64_t *t = hv_vm_page_ptr(vm, pa);
        /* Only entries with R set reference anything (tables are RWX, frame leaves R or RX); not-present
         * entries and holes (010) do not. Most entries are one of those two, so eight are tested at once. */
        for (unsigned i = 0; t && i < 512; i += 8)
            if ((t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] | t[i + 7]) & EPTE_READ)
                for (unsigned j = i; j < i + 8; j++)
                    if (t[j] & EPTE_READ)
                        release(vm, t[j], level - 1); /* depth <= 4: level strictly decreases */
        hv_vm_page_free(vm, pa);
        if (vm->stats.ept_table_pages)
            vm->stats.ept_table_pages--;
        return;
    }
    if (!maps_frames(e))
        return;
    uint64_t n = EPT_LEVEL_SIZE(level) / HV_PAGE_SIZE;
    hv_paddr_t base = e & EPTE_ADDR_MASK & ~(EPT_LEVEL_SIZE(level) - 1);
    for (uint64_t i = 0; i < n; i++)
        hv_vm_page_free(vm, base + i * HV_PAGE_SIZE);
    count_frames(vm, e, n, false);
    if (level > 0 && vm->stats.ept_large_pages)
        vm->stats.ept_large_pages--;
}

static hv_paddr_t table_alloc(struct hv_vm *vm)
{
    hv_paddr_t pa = hv_vm_page_alloc(vm);
    if (pa)
        vm->stats.ept_table_pages++;
    return pa;
}

/* Replace a non-table entry at level > 0 (not present, hole or large leaf) by a table of 512 entries one
 * level down that translate exactly as it did. */
static bool split(struct hv_vm *vm, uint64_t *e, unsigned level)
{
    hv_paddr_t pa = table_alloc(vm);
    if (!pa)
        return false;
    uint64_t *t = hv_vm_page_ptr(vm, pa);
    uint64_t old = *e;
    if (maps_frames(old)) {
        /* Bits 11:0 (rights, memory type, ignore-PAT) carry over; bit 7 only when the children are large
         * too. In a large leaf, address bits below the page size are reserved (0), §29.3.2. */
        uint64_t attrs = old & ~EPTE_ADDR_MASK & ~EPTE_LARGE;
        hv_paddr_t base = old & EPTE_ADDR_MASK;
        uint64_t child = EPT_LEVEL_SIZE(level - 1);
        for (unsigned i = 0; i < 512; i++)
            t[i] = (base + i * child) | attrs | (level - 1 > 0 ? EPTE_LARGE : 0);
        if (vm->stats.ept_large_pages)
            vm->stats.ept_large_pages--;
        if (level - 1 > 0)
            vm->stats.ept_large_pages += 512;
        vm->stats.ept_splits++;
    } else if (old) {
        for (unsigned i = 0; i < 512; i++)
            t[i] = old; /* a hole stays a hole at every level below */
    }
    *e = pa | EPTE_RWX;
    return true;
}

/* The entry at `target` level for gpa. Missing tables are allocated when alloc_missing; a large leaf or hole
 * on the way is always split (the caller changes part of it). NULL with *failed = true when out of pages,
 * NULL with *failed = false when nothing is mapped there and alloc_missing is false, or gpa is beyond the
 * walk (bits above 47 / 56 would otherwise alias lower GPAs). walk_to also says where such a NULL came
 * from: *absent is the level of the not-present entry the walk stopped at (nothing is mapped in its whole
 * span), or vm->ept_levels when gpa is beyond the walk. */
static uint64_t *walk_to(struct hv_vm *vm, uint64_t gpa, unsigned target, bool alloc_missing, bool *failed,
                         unsigned *absent)
{
    *failed = false;
    *absent = vm->ept_levels;
    if (!vm->ept_root || vm->ept_levels < 4 || vm->ept_levels > 5 || (gpa >> EPT_LEVEL_SHIFT(vm->ept_levels)))
        return NULL;
    hv_paddr_t table = vm->ept_root;
    for (unsigned level = vm->ept_levels - 1;; level--) {
        uint64_t *t = hv_vm_page_ptr(vm, table);
        if (!t)
            return NULL;
        uint64_t *e = &t[idx(gpa, level)];
        if (level == target)
            return e;
        if (!is_table(*e, level)) {
            if (*e == 0 && !alloc_missing) {
                *absent = level;
                return NULL;
            }
            if (!split(vm, e, level)) {
                *failed = true;
                return NULL;
            }
        }
        table = *e & EPTE_ADDR_MASK;
    }
}

/* walk_to without the where. */
static uint64_t *slot(struct hv_vm *vm, uint64_t gpa, unsigned target, bool alloc_missing, bool *failed)
{
    unsigned absent;
    return walk_to(vm, gpa, target, alloc_missing, failed, &absent);
}

/* Large leaf at `level` for gpa's span when the table under it maps one contiguous, aligned run of frames
 * with identical attributes (and the processor allows large leaves there). The frames stay; the table goes. */
static void try_promote(struct hv_vm *vm, uint64_t gpa, unsigned level)
{
    if (!large_supported(vm, level))
        return;
    bool failed;
    uint64_t *e = slot(vm, gpa, level, false, &failed);
    if (!e || !is_table(*e, level))
        return;
    hv_paddr_t tpa = *e & EPTE_ADDR_MASK;
    const uint64_t *t = hv_vm_page_ptr(vm, tpa);
    if (!t || !maps_frames(t[0]) || ((t[0] & EPTE_LARGE) != 0) != (level - 1 > 0))
        return;
    hv_paddr_t base = t[0] & EPTE_ADDR_MASK;
    uint64_t attrs = t[0] & ~EPTE_ADDR_MASK;
    if (base & (EPT_LEVEL_SIZE(level) - 1))
        return;
    for (unsigned i = 1; i < 512; i++)
        if (t[i] != ((base + i * EPT_LEVEL_SIZE(level - 1)) | attrs))
            return;
    *e = base | (attrs & ~EPTE_LARGE) | EPTE_LARGE;
    hv_vm_page_free(vm, tpa);
    if (vm->stats.ept_table_pages)
        vm->stats.ept_table_pages--;
    if (level - 1 > 0)
        vm->stats.ept_large_pages -= vm->stats.ept_large_pages >= 512 ? 512 : vm->stats.ept_large_pages;
    vm->stats.ept_large_pages++;
}

/* Map frame pa (just taken from the allocator by this file) at the 4-KiB page gpa. */
static bool map_frame(struct hv_vm *vm, uint64_t gpa, hv_paddr_t pa, uint64_t leaf)
{
    bool failed;
    if (!hv_vm_page_ptr(vm, pa))
        return false; /* the guard: never a frame the allocator did not hand to us */
    uint64_t *e = slot(vm, gpa, 0, true, &failed);
    if (!e)
        return false;
    release(vm, *e, 0);
    *e = (pa & EPTE_ADDR_MASK) | (leaf & ~EPTE_ADDR_MASK & ~EPTE_LARGE);
    count_frames(vm, leaf, 1, true);
    return true;
}

enum hv_err hv_ept_create(struct hv_vm *vm)
{
    vm->ept_levels = 4;
    vm->ept_root = table_alloc(vm);
    return vm->ept_root ? HV_OK : HV_ERR_NO_MEMORY;
}

void hv_ept_destroy(struct hv_vm *vm)
{
    if (vm->ept_root && vm->ept_levels >= 4 && vm->ept_levels <= 5)
        release(vm, vm->ept_root | EPTE_RWX, vm->ept_levels); /* the root as if a table pointer above it */
    vm->ept_root = 0;
    vm->eptp = 0;
}

uint64_t hv_ept_pointer(const struct hv_vm *vm)
{
    /* EPTP (SDM Vol. 3 §25.6.11, Table 25-9): bits 2:0 paging-structure memory type (WB = 6, allowed by
     * §A.10 bit 14, checked in caps.c), bits 5:3 walk length - 1, bit 6 A/D enable = 0, bits 11:7 0,
     * bits 51:12 the root table. */
    return (vm->ept_root & EPTE_ADDR_MASK) | EPT_MEMTYPE_WB | ((uint64_t)(vm->ept_levels - 1u) << 3);
}

unsigned hv_ept_levels_needed(const struct hv_vm *vm, uint64_t limit)
{
    if (limit <= EPT_4LEVEL_LIMIT)
        return 4;
    if ((vm->ept_vpid_cap & EPT_CAP_WALK_LENGTH_5) && limit <= (1ull << 57)) /* §A.10 bit 7 */
        return 5;
    return 0;
}

bool hv_ept_grow_to_5(struct hv_vm *vm)
{
    if (vm->ept_levels == 5)
        return true;
    hv_paddr_t root = table_alloc(vm);
    if (!root)
        return false;
    uint64_t *t = hv_vm_page_ptr(vm, root);
    t[0] = vm->ept_root | EPTE_RWX; /* PML5E 0 covers GPAs below 2^48: the old PML4 (§29.3.2) */
    vm->ept_root = root;
    vm->ept_levels = 5;
    vm->eptp = hv_ept_pointer(vm);
    if (vm->created && !vm->dead) {
        /* The VMCS must be current for VMWRITE (§25.1); several VMs may share this processor. */
        if (vm->cpu->current_vmcs != vm->vmcs) {
            struct hv_vmx_result r = hv_arch_vmptrld(vm->cpu->arch, vm->vmcs);
            if (r.status != HV_VMSUCCEED) {
                char what[HV_MESSAGE_MAX];
                hv_describe_vmx_result(what, sizeof what, "VMPTRLD", r);
                hv_vm_kill(vm, "%s", what);
                return false;
            }
            vm->cpu->current_vmcs = vm->vmcs;
        }
        hv_vmwrite(vm, VMCS_EPT_POINTER, vm->eptp);
        hv_ept_invalidate(vm);
    }
    return !vm->dead;
}

hv_paddr_t hv_ept_lookup(struct hv_vm *vm, uint64_t gpa)
{
    uint64_t ent[5];
    unsigned n = hv_ept_walk(vm, gpa, ent);
    if (n == 0)
        return 0;
    unsigned level = vm->ept_levels - n;
    uint64_t e = ent[n - 1];
    if (!maps_frames(e) || (level > 0 && !(e & EPTE_LARGE)))
        return 0;
    hv_paddr_t base = e & EPTE_ADDR_MASK & ~(EPT_LEVEL_SIZE(level) - 1);
    hv_paddr_t pa = base + (gpa & (EPT_LEVEL_SIZE(level) - 1) & ~(uint64_t)(HV_PAGE_SIZE - 1));
    return hv_vm_page_ptr(vm, pa) ? pa : 0;
}

unsigned hv_ept_walk(struct hv_vm *vm, uint64_t gpa, uint64_t entries[5])
{
    if (!vm->ept_root || vm->ept_levels < 4 || vm->ept_levels > 5 || (gpa >> EPT_LEVEL_SHIFT(vm->ept_levels)))
        return 0;
    hv_paddr_t table = vm->ept_root;
    unsigned n = 0;
    for (unsigned level = vm->ept_levels - 1;; level--) {
        const uint64_t *t = hv_vm_page_ptr(vm, table);
        if (!t)
            return n;
        uint64_t e = t[idx(gpa, level)];
        entries[n++] = e;
        if (level == 0 || !is_table(e, level))
            return n;
        table = e & EPTE_ADDR_MASK;
    }
}

hv_paddr_t hv_ept_map_new_page(struct hv_vm *vm, uint64_t gpa, uint64_t leaf)
{
    hv_paddr_t pa = hv_vm_page_alloc(vm);
    if (!pa)
        return 0;
    if (!map_frame(vm, gpa, pa, leaf)) {
        hv_vm_page_free(vm, pa);
        return 0;
    }
    /* A RAM span whose 512 pages happen to be one aligned run becomes a 2-MiB leaf: one check, usually
     * ending at the first entry (cheap enough to do on every fault). */
    try_promote(vm, gpa & ~(EPT_LEVEL_SIZE(1) - 1), 1);
    return pa;
}

/* One 2-MiB span of backing. Pages are taken until one is 2-MiB aligned (at most 512 tries; the skipped
 * ones are chained through their own first word and given back at the end, so the next allocations are
 * likely to follow the aligned one); then the span is mapped page by page and promoted if contiguous. When
 * no aligned page comes up, the span is simply 4-KiB leaves. Bounded: at most 1024 allocations (+ tables). */
static bool back_2m(struct hv_vm *vm, uint64_t gpa, uint64_t leaf)
{
    hv_paddr_t skipped = 0, first = 0;
    bool failed;
    /* Tables first, so that none of them is allocated between the frames of the run. */
    if (!slot(vm, gpa, 0, true, &failed))
        return false;
    for (unsigned tries = 0; tries < 512; tries++) {
        hv_paddr_t p = hv_vm_page_alloc(vm);
        if (!p)
            break;
        if (!(p & (EPT_LEVEL_SIZE(1) - 1))) {
            first = p;
            break;
        }
        *(uint64_t *)hv_vm_page_ptr(vm, p) = skipped;
        skipped = p;
    }
    bool ok = true;
    for (unsigned i = 0; i < 512 && ok; i++) {
        hv_paddr_t p = i == 0 && first ? first : hv_vm_page_alloc(vm);
        ok = p && map_frame(vm, gpa + i * (uint64_t)HV_PAGE_SIZE, p, leaf);
        if (!ok && p)
            hv_vm_page_free(vm, p);
    }
    while (skipped) {
        uint64_t *w = hv_vm_page_ptr(vm, skipped);
        hv_paddr_t next = w ? *w : 0;
        hv_vm_page_free(vm, skipped);
        skipped = next;
    }
    if (ok)
        try_promote(vm, gpa, 1);
    return ok;
}

bool hv_ept_back_range(struct hv_vm *vm, uint64_t gpa, uint64_t size, uint64_t leaf)
{
    uint64_t end = gpa + size;
    for (uint64_t g = gpa; g < end;) {
        if (large_supported(vm, 1) && !(g & (EPT_LEVEL_SIZE(1) - 1)) && end - g >= EPT_LEVEL_SIZE(1)) {
            if (!back_2m(vm, g, leaf))
                return false;
            g += EPT_LEVEL_SIZE(1);
            continue;
        }
        hv_paddr_t p = hv_vm_page_alloc(vm);
        if (!p)
            return false;
        if (!map_frame(vm, g, p, leaf)) {
            hv_vm_page_free(vm, p);
            return false;
        }
        g += HV_PAGE_SIZE;
    }
    /* Whole aligned 1-GiB spans of 2-MiB leaves that form one run become 1-GiB leaves. */
    for (uint64_t g = (gpa + EPT_LEVEL_SIZE(2) - 1) & ~(EPT_LEVEL_SIZE(2) - 1);
         g < end && end - g >= EPT_LEVEL_SIZE(2); g += EPT_LEVEL_SIZE(2))
        try_promote(vm, g, 2);
    return true;
}

bool hv_ept_set_range(struct hv_vm *vm, uint64_t gpa, uint64_t size, uint64_t entry)
{
    uint64_t end = gpa + size;
    for (uint64_t g = gpa; g < end;) {
        /* The largest entry (below the root) whose span is aligned and inside the range. A hole or a
         * not-present entry needs no large-page support: neither maps a frame. */
        unsigned level = vm->ept_levels - 2;
        while (level > 0 && ((g & (EPT_LEVEL_SIZE(level) - 1)) || end - g < EPT_LEVEL_SIZE(level)))
            level--;
        bool failed;
        unsigned absent;
        uint64_t *e = walk_to(vm, g, level, entry != 0, &failed, &absent);
        if (!e) {
            if (failed || entry != 0)
                return false;
            if (absent >= vm->ept_levels)
                break; /* beyond the walk: nothing from here on is mapped */
            /* Setting "not present" where the walk found nothing: the absent entry's whole span already is. */
            uint64_t next = (g | (EPT_LEVEL_SIZE(absent) - 1)) + 1;
            if (next <= g)
                break;
            g = next;
            continue;
        }
        /* The entries after e in its table are the next spans of the same size, all aligned: set them without
         * a walk each while they lie inside the range. A larger entry can only start where the table ends. */
        uint64_t span = EPT_LEVEL_SIZE(level);
        for (unsigned i = idx(g, level);;) {
            if (*e & EPTE_READ) /* references a table or frames (see release) */
                release(vm, *e, level);
            *e = entry;
            g += span;
            e++;
            if (++i == 512 || g >= end || end - g < span)
                break;
        }
    }
    return true;
}

void hv_ept_invalidate(struct hv_vm *vm)
{
    if (!vm->created || vm->dead || !vm->cpu || !vm->cpu->vmx_on)
        return; /* before creation no translation of this EPTP can be cached */
    uint64_t cap = vm->ept_vpid_cap, type;
    if (!(cap & EPT_CAP_INVEPT))
        return; /* no INVEPT (§A.10 bit 20): nothing to invalidate with */
    if (cap & EPT_CAP_INVEPT_SINGLE_CONTEXT)
        type = 1; /* single-context: only this EPTP's mappings (§31.3 INVEPT, §A.10 bit 25) */
    else if (cap & EPT_CAP_INVEPT_ALL_CONTEXT)
        type = 2; /* all-context (§A.10 bit 26) */
    else
        return;
    struct hv_invept_desc d = {.eptp = vm->eptp, .reserved = 0};
    struct hv_vmx_result r = hv_arch_invept(vm->cpu->arch, type, &d);
    vm->stats.invepts++;
    if (r.status != HV_VMSUCCEED) {
        char what[HV_MESSAGE_MAX];
        hv_describe_vmx_result(what, sizeof what, "INVEPT", r);
        hv_vm_kill(vm, "%s", what);
    }
}
