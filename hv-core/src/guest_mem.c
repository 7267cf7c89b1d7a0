/* Guest memory: the RAM of a VM, lazily backed through the EPT (ept.c), copies to/from guest-physical
 * addresses, and the PROGRAM64 guest's system structures.
 *
 * RAM is GPA 0 .. memory_size minus whatever regions lie over it (mmio.c). It is reserved, not backed: its
 * EPT entries start not present, and the guest's first access to a page is an EPT violation
 * (SDM Vol. 3 §29.3.3.2) on which exits/ept.c calls hv_guest_ram_back: a zeroed page, counted against the
 * VM's quota (vm->ram_quota; stats.ram_pages_backed never exceeds it), mapped RWX WB. So RAM the guest never
 * touches costs no host memory, and a guest touching everything is stopped by its quota, not by the host
 * running dry.
 *
 * hv_gpa_read/hv_gpa_write resolve each page through the map and the EPT, so what the core reads is exactly
 * what the guest would see: RAM and ROM only (the host fills a ROM with hv_gpa_write; the EPT forbids only
 * the guest to write it). A write to an unbacked RAM page backs it (the host loading a program); a read of
 * one reads zeros (what the guest would read) without backing it. */
#include "guest_mem.h"

enum hv_ram_back hv_guest_ram_back(struct hv_vm *vm, uint64_t gpa, hv_paddr_t *frame)
{
    *frame = 0;
    if (hv_gpa_classify(vm, gpa, NULL) != HV_GPA_RAM)
        return HV_RAM_NOT_RAM;
    hv_paddr_t pa = hv_ept_lookup(vm, gpa);
    if (pa) {
        *frame = pa;
        return HV_RAM_BACKED;
    }
    if (vm->stats.ram_pages_backed >= vm->ram_quota)
        return HV_RAM_QUOTA;
    pa = hv_ept_map_new_page(vm, gpa & ~(uint64_t)(HV_PAGE_SIZE - 1), EPTE_LEAF_RAM);
    if (!pa)
        return HV_RAM_NO_MEMORY;
    /* Not present -> present needs no invalidation on hardware (translations that fault are not cached,
     * SDM Vol. 3 §29.4.2), but a promotion to a 2-MiB leaf (ept.c) changes present entries: INVEPT always. */
    hv_ept_invalidate(vm);
    *frame = pa;
    return HV_RAM_BACKED;
}

enum hv_err hv_guest_mem_create(struct hv_vm *vm)
{
    return hv_ept_create(vm); /* RAM: all entries not present until touched */
}

void hv_guest_mem_destroy(struct hv_vm *vm)
{
    hv_ept_destroy(vm);
}

bool hv_gpa_is_ram(struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
    if (!vm || !vm->created || len == 0 || gpa >= vm->cfg.memory_size || len > vm->cfg.memory_size - gpa)
        return false; /* also rejects gpa + len wrapping around */
    /* RAM minus regions: a region is checked against the range directly (at most HV_REGIONS_MAX), so the
     * cost does not grow with len. */
    for (unsigned i = 0; i < vm->nregions && i < HV_REGIONS_MAX; i++) {
        const struct hv_region *r = &vm->regions[i];
        if (gpa < r->gpa + r->size && r->gpa < gpa + len)
            return false;
    }
    return true;
}

/* Copy len bytes between buf and guest-physical memory. Nothing is copied when any byte is neither RAM nor
 * ROM, or (write) when backing the unbacked RAM pages would exceed the quota: the range is checked
 * completely before the first byte moves. */
static bool gpa_copy(struct hv_vm *vm, uint64_t gpa, void *buf, size_t len, bool write)
{
    if (len == 0)
        return true;
    if (!vm->ept_root || gpa + len < gpa)
        return false;
    uint64_t need = 0;
    for (uint64_t g = gpa & ~(uint64_t)(HV_PAGE_SIZE - 1); g < gpa + len; g += HV_PAGE_SIZE) {
        enum hv_gpa_kind k = hv_gpa_classify(vm, g, NULL);
        if (k != HV_GPA_RAM && k != HV_GPA_ROM)
            return false;
        if (!hv_ept_lookup(vm, g)) {
            if (k == HV_GPA_ROM)
                return false; /* a ROM is backed at creation; an unbacked one is a core bug: refuse */
            need++;
        }
    }
    if (write && need > vm->ram_quota - (vm->stats.ram_pages_backed < vm->ram_quota ? vm->stats.ram_pages_backed
                                                                                      : vm->ram_quota))
        return false;
    uint8_t *b = buf;
    while (len) {
        size_t off = (size_t)(gpa & (HV_PAGE_SIZE - 1));
        size_t n = HV_PAGE_SIZE - off;
        if (n > len)
            n = len;
        hv_paddr_t pa = hv_ept_lookup(vm, gpa);
        if (!pa && write && hv_guest_ram_back(vm, gpa, &pa) != HV_RAM_BACKED)
            return false; /* only when the allocator itself ran dry: the quota was checked above */
        uint8_t *p = hv_vm_page_ptr(vm, pa);
        if (write)
            hv_memcpy(p + off, b, n);
        else if (p)
            hv_memcpy(b, p + off, n);
        else
            hv_memset(b, 0, n); /* unbacked RAM reads as zeros */
        gpa += n;
        b += n;
        len -= n;
    }
    return true;
}

bool hv_gpa_read(struct hv_vm *vm, uint64_t gpa, void *buf, size_t len)
{
    return gpa_copy(vm, gpa, buf, len, false);
}

bool hv_gpa_write(struct hv_vm *vm, uint64_t gpa, const void *buf, size_t len)
{
    return gpa_copy(vm, gpa, (void *)buf, len, true);
}

/* ---- the PROGRAM64 guest's own system structures ------------------------------------------------------- */

/* 64-bit paging entry bits (SDM Vol. 3 §4.5, Tables 4-15..4-19). */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7) /* PDE: maps a 2-MiB page */

static bool put64(struct hv_vm *vm, uint64_t gpa, uint64_t v)
{
    return hv_gpa_write(vm, gpa, &v, sizeof v);
}

bool hv_guest_build_program64(struct hv_vm *vm)
{
    uint64_t size = vm->cfg.memory_size, window = HV_GUEST_WINDOW(size);
    bool ok = true;
    /* Identity map [0, window rounded up to 2 MiB) with 2-MiB pages, supervisor, writable. The tail of the
     * last 2-MiB page beyond RAM is not in the EPT: a guest access there is an EPT violation, as it should
     * be. One PD covers the 1-GiB window. */
    ok &= put64(vm, HV_GUEST_PML4(size), HV_GUEST_PDPT(size) | PTE_P | PTE_RW);
    ok &= put64(vm, HV_GUEST_PDPT(size), HV_GUEST_PD(size) | PTE_P | PTE_RW);
    /* Written 64 entries at a time: one guest-memory write per chunk instead of one per entry (bring-up is
     * on every fuzz input's path). */
    uint64_t pde[64];
    for (uint64_t i = 0; i < 512 && (i << 21) < window; i += 64) {
        unsigned n = 0;
        for (; n < 64 && ((i + n) << 21) < window; n++)
            pde[n] = ((i + n) << 21) | PTE_P | PTE_RW | PTE_PS;
        ok &= hv_gpa_write(vm, HV_GUEST_PD(size) + 8 * i, pde, 8u * n);
    }

    /* GDT (SDM Vol. 3 §3.4.5, §5.2.1; TSS descriptor §8.2.3 / Figure 8-4). */
    uint64_t gdt = HV_GUEST_GDT(size), tss = HV_GUEST_TSS(size);
    ok &= put64(vm, gdt + HV_GUEST_SEL_CODE, 0x00af9b000000ffffull); /* P DPL0 S code XRA, L=1 G=1 */
    ok &= put64(vm, gdt + HV_GUEST_SEL_DATA, 0x00cf93000000ffffull); /* P DPL0 S data RWA, D/B=1 G=1 */
    uint64_t tss_lo = HV_GUEST_TSS_LIMIT | ((tss & 0xffffffull) << 16) | (0xbull << 40) /* busy 64-bit TSS */
                      | (1ull << 47) /* P */ | (((tss >> 24) & 0xffull) << 56);
    ok &= put64(vm, gdt + HV_GUEST_SEL_TSS, tss_lo);
    ok &= put64(vm, gdt + HV_GUEST_SEL_TSS + 8, tss >> 32);
    /* TSS: I/O map base (offset 0x66) at the limit + 1: no I/O permission bitmap (§19.5.2). The IDT page is
     * the GDT's page (+0x800), already backed. */
    uint16_t iomap = HV_GUEST_TSS_LIMIT + 1;
    ok &= hv_gpa_write(vm, tss + 0x66, &iomap, sizeof iomap);
    return ok;
}
