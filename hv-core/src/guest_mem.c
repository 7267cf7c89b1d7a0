/* Guest memory: RAM pages, the EPT that maps them, and copies to/from guest-physical addresses.
 *
 * Layout ("identity EPT of the VM's memory"): GPA 0 .. memory_size is RAM, every 4-KiB page of it a page the
 * VM owns from hv_vm_page_alloc, mapped by 4-level EPT with 4-KiB leaves, memory type WB, read/write/execute.
 * Nothing else is mapped: an access outside RAM is an EPT violation (SDM Vol. 3 §30.3.3), which the exit
 * handlers turn into MMIO emulation or a kill. The core never maps a host page it did not allocate for this
 * VM, so the guest cannot reach host memory.
 *
 * hv_gpa_read/hv_gpa_write translate through the same EPT, so what the core reads is exactly what the guest
 * would see; a GPA the EPT does not map (or that maps outside the VM's pages) fails the copy. */
#include "guest_mem.h"

#include <hv/vmx_controls.h>

/* EPT paging-structure entry bits (SDM Vol. 3 §30.3.2, Tables 30-1..30-6). */
#define EPTE_READ (1ull << 0)
#define EPTE_WRITE (1ull << 1)
#define EPTE_EXEC (1ull << 2)          /* supervisor-mode execute when mode-based control is enabled */
#define EPTE_RWX (EPTE_READ | EPTE_WRITE | EPTE_EXEC)
#define EPTE_MEMTYPE_SHIFT 3           /* leaf bits 5:3: EPT memory type (§30.3.7) */
#define EPTE_LARGE (1ull << 7)         /* bit 7 in a PDPTE/PDE: maps a 1-GiB / 2-MiB page (§30.3.2) */
#define EPTE_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12: physical address (bits above MAXPHYADDR are 0) */

/* 4-level walk: PML4 (GPA 47:39), PDPT (38:30), PD (29:21), PT (20:12) (SDM Vol. 3 §30.3.2). */
static unsigned ept_index(uint64_t gpa, unsigned level)
{
    return (unsigned)((gpa >> (12 + 9 * level)) & 511u);
}

/* The host page backing guest page gpa, or 0. Walks the VM's own EPT, trusting nothing in it but the
 * pages the VM owns (hv_vm_page_ptr returns NULL for an address the allocator did not hand out). */
hv_paddr_t hv_ept_lookup(struct hv_vm *vm, uint64_t gpa)
{
    if (!vm->ept_root || gpa >= vm->cfg.memory_size || (gpa >> 48))
        return 0;
    hv_paddr_t table = vm->ept_root;
    for (unsigned level = 3;; level--) {
        const uint64_t *t = hv_vm_page_ptr(vm, table);
        if (!t)
            return 0;
        uint64_t e = t[ept_index(gpa, level)];
        if (!(e & EPTE_READ))
            return 0; /* not present: bits 2:0 all 0 (§30.3.2); the core maps RAM readable */
        if (level == 0)
            return e & EPTE_ADDR_MASK;
        if (e & EPTE_LARGE)
            return 0; /* the core never builds large pages; refuse rather than guess */
        table = e & EPTE_ADDR_MASK;
    }
}

/* Map guest page gpa to host page pa, allocating missing EPT tables. false on allocation failure. */
static bool ept_map(struct hv_vm *vm, uint64_t gpa, hv_paddr_t pa)
{
    hv_paddr_t table = vm->ept_root;
    for (unsigned level = 3; level > 0; level--) {
        uint64_t *t = hv_vm_page_ptr(vm, table);
        if (!t)
            return false;
        uint64_t *e = &t[ept_index(gpa, level)];
        if (!(*e & EPTE_RWX)) {
            hv_paddr_t next = hv_vm_page_alloc(vm);
            if (!next)
                return false;
            /* Non-leaf: RWX so the leaf alone decides access (§30.3.3 combines rights of all levels). */
            *e = next | EPTE_RWX;
        }
        table = *e & EPTE_ADDR_MASK;
    }
    uint64_t *pt = hv_vm_page_ptr(vm, table);
    if (!pt)
        return false;
    /* Leaf: RWX, memory type WB (6), "ignore PAT" clear so guest PAT still combines (§30.3.7.2). */
    pt[ept_index(gpa, 0)] = pa | EPTE_RWX | ((uint64_t)EPT_MEMTYPE_WB << EPTE_MEMTYPE_SHIFT);
    return true;
}

/* Free the tables under one EPT entry level and, at the leaves, the guest RAM pages they map. */
static void ept_free_level(struct hv_vm *vm, hv_paddr_t table, unsigned level)
{
    uint64_t *t = hv_vm_page_ptr(vm, table);
    if (!t)
        return;
    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = t[i];
        if (!(e & EPTE_RWX))
            continue;
        hv_paddr_t pa = e & EPTE_ADDR_MASK;
        if (level > 0 && !(e & EPTE_LARGE))
            ept_free_level(vm, pa, level - 1); /* recursion depth is at most 4 */
        hv_vm_page_free(vm, pa);
        t[i] = 0;
    }
}

enum hv_err hv_guest_mem_create(struct hv_vm *vm)
{
    vm->ept_root = hv_vm_page_alloc(vm);
    if (!vm->ept_root)
        return HV_ERR_NO_MEMORY;
    for (uint64_t gpa = 0; gpa < vm->cfg.memory_size; gpa += HV_PAGE_SIZE) {
        hv_paddr_t pa = hv_vm_page_alloc(vm);
        if (!pa)
            return HV_ERR_NO_MEMORY; /* hv_guest_mem_destroy frees what is mapped so far */
        if (!ept_map(vm, gpa, pa)) {
            hv_vm_page_free(vm, pa);
            return HV_ERR_NO_MEMORY;
        }
    }
    return HV_OK;
}

void hv_guest_mem_destroy(struct hv_vm *vm)
{
    if (!vm->ept_root)
        return;
    ept_free_level(vm, vm->ept_root, 3);
    hv_vm_page_free(vm, vm->ept_root);
    vm->ept_root = 0;
    vm->eptp = 0;
}

uint64_t hv_ept_pointer(hv_paddr_t root, uint64_t ept_vpid_cap)
{
    (void)ept_vpid_cap; /* callers have checked WB and the 4-level walk (caps.c) */
    /* EPTP (SDM Vol. 3 §25.6.11, Table 25-9): bits 2:0 memory type of the paging structures (WB = 6),
     * bits 5:3 walk length - 1 (3 for 4 levels), bit 6 A/D flags off, bits 11:7 0, bits 51:12 the PML4. */
    return (root & EPTE_ADDR_MASK) | EPT_MEMTYPE_WB | (3ull << 3);
}

/* Copy len bytes between buf and guest-physical memory, page by page through the EPT. Nothing is copied
 * when any byte is not RAM of the VM: the range is checked completely before the first byte moves. */
static bool gpa_copy(struct hv_vm *vm, uint64_t gpa, void *buf, size_t len, bool write)
{
    if (len == 0)
        return true;
    if (gpa >= vm->cfg.memory_size || len > vm->cfg.memory_size - gpa)
        return false; /* also rejects gpa + len wrapping around */
    for (uint64_t g = gpa & ~(uint64_t)(HV_PAGE_SIZE - 1); g < gpa + len; g += HV_PAGE_SIZE)
        if (!hv_vm_page_ptr(vm, hv_ept_lookup(vm, g)))
            return false;
    uint8_t *b = buf;
    while (len) {
        size_t off = (size_t)(gpa & (HV_PAGE_SIZE - 1));
        size_t n = HV_PAGE_SIZE - off;
        if (n > len)
            n = len;
        uint8_t *p = hv_vm_page_ptr(vm, hv_ept_lookup(vm, gpa));
        if (write)
            hv_memcpy(p + off, b, n);
        else
            hv_memcpy(b, p + off, n);
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
    uint64_t size = vm->cfg.memory_size;
    bool ok = true;
    /* Identity map [0, size rounded up to 2 MiB) with 2-MiB pages, supervisor, writable. The tail of the
     * last 2-MiB page beyond RAM is not in the EPT: a guest access there is an EPT violation, as it should
     * be. One PD covers 1 GiB >= HV_VM_MAX_MEMORY. */
    ok &= put64(vm, HV_GUEST_PML4(size), HV_GUEST_PDPT(size) | PTE_P | PTE_RW);
    ok &= put64(vm, HV_GUEST_PDPT(size), HV_GUEST_PD(size) | PTE_P | PTE_RW);
    for (uint64_t gpa = 0, i = 0; gpa < size && i < 512; gpa += 2ull << 20, i++)
        ok &= put64(vm, HV_GUEST_PD(size) + 8 * i, gpa | PTE_P | PTE_RW | PTE_PS);

    /* GDT (SDM Vol. 3 §3.4.5, §5.2.1; TSS descriptor §8.2.3 / Figure 8-4). */
    uint64_t gdt = HV_GUEST_GDT(size), tss = HV_GUEST_TSS(size);
    ok &= put64(vm, gdt + HV_GUEST_SEL_CODE, 0x00af9b000000ffffull); /* P DPL0 S code XRA, L=1 G=1 */
    ok &= put64(vm, gdt + HV_GUEST_SEL_DATA, 0x00cf93000000ffffull); /* P DPL0 S data RWA, D/B=1 G=1 */
    uint64_t tss_lo = HV_GUEST_TSS_LIMIT | ((tss & 0xffffffull) << 16) | (0xbull << 40) /* busy 64-bit TSS */
                      | (1ull << 47) /* P */ | (((tss >> 24) & 0xffull) << 56);
    ok &= put64(vm, gdt + HV_GUEST_SEL_TSS, tss_lo);
    ok &= put64(vm, gdt + HV_GUEST_SEL_TSS + 8, tss >> 32);
    /* TSS: I/O map base (offset 0x66) at the limit + 1: no I/O permission bitmap (§19.5.2). */
    uint16_t iomap = HV_GUEST_TSS_LIMIT + 1;
    ok &= hv_gpa_write(vm, tss + 0x66, &iomap, sizeof iomap);
    return ok;
}
