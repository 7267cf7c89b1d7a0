/* The physical page allocator: one bit per 4-KiB page (1 = free) from 0 to the highest usable address.
 * A page is free only when the memory map says "available" and nothing else claims it: the first MiB (BIOS,
 * the AP trampoline), the kernel image, the multiboot2 information, modules, every non-available range
 * (reserved, ACPI, NVS, bad; these win over an overlapping "available" entry) and the bitmap itself, which
 * lives in the first free stretch that is big enough. Pages are zeroed when handed out. */
#include "boot.h"

#define PAGE PLATFORM_PAGE_SIZE
#define LOW_RESERVED (1ull << 20)

static uint64_t *bitmap;      /* bit i set: page i is free */
static uint64_t bitmap_pages; /* pages the bitmap describes */
static size_t free_pages, total_pages;
static uint64_t next_word; /* where the next search starts */
static struct spinlock pmm_lock;

static uint64_t align_up(uint64_t v) { return (v + PAGE - 1) & ~(uint64_t)(PAGE - 1); }
static uint64_t align_down(uint64_t v) { return v & ~(uint64_t)(PAGE - 1); }

static bool page_is_free(uint64_t pfn) { return (bitmap[pfn / 64] >> (pfn % 64)) & 1; }

static void mark_range(uint64_t start, uint64_t end, bool free) {
    if (end > bitmap_pages * PAGE)
        end = bitmap_pages * PAGE;
    for (uint64_t pfn = start / PAGE; pfn < end / PAGE; pfn++) {
        if (free && !page_is_free(pfn)) {
            bitmap[pfn / 64] |= 1ull << (pfn % 64);
            free_pages++;
        } else if (!free && page_is_free(pfn)) {
            bitmap[pfn / 64] &= ~(1ull << (pfn % 64));
            free_pages--;
        }
    }
}

/* The ranges that are never free, besides non-available memory-map entries. n is at most 3 + modules. */
static unsigned claimed_ranges(uint64_t (*r)[2]) {
    unsigned n = 0;
    r[n][0] = 0, r[n++][1] = LOW_RESERVED;
    r[n][0] = align_down((uintptr_t)_kernel_start), r[n++][1] = align_up((uintptr_t)_kernel_end);
    r[n][0] = align_down(mb2_info_start()), r[n++][1] = align_up(mb2_info_end());
    for (unsigned i = 0; i < boot_module_count(); i++) {
        const struct boot_module *m = boot_module(i);
        r[n][0] = align_down(m->start), r[n++][1] = align_up(m->end);
    }
    return n;
}

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1) { return a0 < b1 && b0 < a1; }

/* The first page-aligned stretch of len bytes inside an available entry that overlaps nothing claimed and no
 * non-available entry: where the bitmap goes. 0 when there is none. */
static uint64_t find_stretch(uint64_t len, uint64_t limit) {
    uint64_t claimed[3 + MB2_MODULES_MAX][2];
    unsigned nc = claimed_ranges(claimed);
    for (unsigned i = 0; i < mb2_mmap_count(); i++) {
        const struct mb2_mmap_entry *e = mb2_mmap(i);
        if (e->type != MB2_MEM_AVAILABLE)
            continue;
        uint64_t lo = align_up(e->base), hi = align_down(e->base + e->length);
        if (hi > limit)
            hi = limit;
        uint64_t cand = lo;
        /* Each step moves cand past one obstacle, so this ends within (ranges + entries) steps. */
        for (unsigned guard = 0; guard < 4 * (MB2_MMAP_MAX + nc) && cand + len <= hi; guard++) {
            uint64_t bump = 0;
            for (unsigned c = 0; c < nc; c++)
                if (overlaps(cand, cand + len, claimed[c][0], claimed[c][1]) && claimed[c][1] > bump)
                    bump = claimed[c][1];
            for (unsigned j = 0; j < mb2_mmap_count(); j++) {
                const struct mb2_mmap_entry *o = mb2_mmap(j);
                if (o->type != MB2_MEM_AVAILABLE && overlaps(cand, cand + len, o->base, o->base + o->length) &&
                    align_up(o->base + o->length) > bump)
                    bump = align_up(o->base + o->length);
            }
            if (!bump)
                return cand;
            cand = bump;
        }
    }
    return 0;
}

bool pmm_init(void) {
    uint64_t limit = paging_identity_limit(), highest = 0;
    for (unsigned i = 0; i < mb2_mmap_count(); i++) {
        const struct mb2_mmap_entry *e = mb2_mmap(i);
        uint64_t end = e->base + e->length;
        if (e->type == MB2_MEM_AVAILABLE && end > e->base && end > highest)
            highest = end;
    }
    if (highest > limit)
        highest = limit;
    bitmap_pages = align_down(highest) / PAGE;
    uint64_t bytes = align_up((bitmap_pages + 63) / 64 * 8);
    uint64_t at = find_stretch(bytes, limit);
    if (!at) {
        con_printf("hvkit: pmm: no room for a %lu-byte page bitmap\n", bytes);
        return false;
    }
    bitmap = (uint64_t *)(uintptr_t)at;
    memset(bitmap, 0, bytes);
    free_pages = 0;
    for (unsigned i = 0; i < mb2_mmap_count(); i++) {
        const struct mb2_mmap_entry *e = mb2_mmap(i);
        if (e->type == MB2_MEM_AVAILABLE && e->base + e->length > e->base)
            mark_range(align_up(e->base), align_down(e->base + e->length), true);
    }
    for (unsigned i = 0; i < mb2_mmap_count(); i++) {
        const struct mb2_mmap_entry *e = mb2_mmap(i);
        if (e->type != MB2_MEM_AVAILABLE) {
            uint64_t end = e->base + e->length < e->base ? ~0ull : e->base + e->length;
            mark_range(align_down(e->base), align_up(end), false);
        }
    }
    uint64_t claimed[3 + MB2_MODULES_MAX][2];
    unsigned nc = claimed_ranges(claimed);
    for (unsigned c = 0; c < nc; c++)
        mark_range(claimed[c][0], claimed[c][1], false);
    mark_range(at, at + bytes, false);
    total_pages = free_pages;
    return true;
}

hv_paddr_t pmm_alloc_page(void) {
    uint64_t words = (bitmap_pages + 63) / 64;
    hv_paddr_t pa = 0;
    spin_lock(&pmm_lock);
    for (uint64_t n = 0; n < words && free_pages; n++) {
        uint64_t w = (next_word + n) % words;
        if (bitmap[w]) {
            unsigned bit = (unsigned)__builtin_ctzll(bitmap[w]);
            bitmap[w] &= ~(1ull << bit);
            free_pages--;
            next_word = w;
            pa = (w * 64 + bit) * PAGE;
            break;
        }
    }
    spin_unlock(&pmm_lock);
    if (pa)
        memset((void *)(uintptr_t)pa, 0, PAGE);
    return pa;
}

void pmm_free_page(hv_paddr_t pa) {
    if (pa == 0 || (pa & (PAGE - 1)) || pa / PAGE >= bitmap_pages || pa < LOW_RESERVED) {
        con_printf("hvkit: pmm: ignoring free of 0x%lx (not a page this allocator hands out)\n", pa);
        return;
    }
    uint64_t pfn = pa / PAGE;
    spin_lock(&pmm_lock);
    bool was_free = page_is_free(pfn);
    if (!was_free) {
        bitmap[pfn / 64] |= 1ull << (pfn % 64);
        free_pages++;
    }
    spin_unlock(&pmm_lock);
    if (was_free)
        con_printf("hvkit: pmm: ignoring double free of 0x%lx\n", pa);
}

size_t pmm_free_pages(void) { return free_pages; }
size_t pmm_total_pages(void) { return total_pages; }

void *platform_phys_to_virt(hv_paddr_t pa) {
    if (pa == 0 || pa >= paging_identity_limit())
        return NULL;
    return (void *)(uintptr_t)pa;
}
