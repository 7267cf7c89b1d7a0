/* Guest memory internals shared by guest_mem.c, mmio.c, vm.c, vmcs_setup.c and exits/ept.c: the VM's
 * guest-physical map (RAM, regions, unmapped), lazy RAM backing, and the PROGRAM64 system structures. */
#ifndef HV_GUEST_MEM_H
#define HV_GUEST_MEM_H

#include "ept.h"

/* PROGRAM64 guests: the core builds the guest's system structures in the last pages of the guest's
 * identity-mapped window, the first min(memory_size, 1 GiB) of RAM (one PD of 2-MiB pages; RAM above 1 GiB
 * exists in the EPT but the guest's own page tables do not reach it until the guest maps it). The guest
 * program owns everything below HV_GUEST_SYS_BASE(size). From the top of the window down:
 *   -1 page  PML4   (CR3 points here)
 *   -2       PDPT
 *   -3       PD     (2-MiB identity pages over the window)
 *   -4       GDT (null, 64-bit code 0x08, data 0x10, 64-bit TSS descriptor 0x18) and, at +0x800, the IDT
 *   -5       TSS (64-bit, 0x68 bytes, I/O map base beyond the limit = no I/O permission bitmap)
 * These pages are backed at creation and count against the RAM quota. A guest that overwrites them is only
 * hurting itself: they are its own memory, and the EPT decides what memory it can reach. */
#define HV_GUEST_WINDOW_MAX (1ull << 30)
#define HV_GUEST_WINDOW(size) ((size) < HV_GUEST_WINDOW_MAX ? (uint64_t)(size) : HV_GUEST_WINDOW_MAX)
#define HV_GUEST_SYS_PAGES 5u
#define HV_GUEST_PML4(size) (HV_GUEST_WINDOW(size) - 1 * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_PDPT(size) (HV_GUEST_WINDOW(size) - 2 * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_PD(size) (HV_GUEST_WINDOW(size) - 3 * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_GDT(size) (HV_GUEST_WINDOW(size) - 4 * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_IDT(size) (HV_GUEST_GDT(size) + 0x800u)
#define HV_GUEST_TSS(size) (HV_GUEST_WINDOW(size) - 5 * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_SYS_BASE(size) (HV_GUEST_WINDOW(size) - HV_GUEST_SYS_PAGES * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_GDT_LIMIT 0x27u /* 5 descriptors of 8 bytes (the TSS descriptor takes two) */
#define HV_GUEST_IDT_LIMIT 0x7ffu /* 128 16-byte gates, all not present until the guest installs its own */
#define HV_GUEST_TSS_LIMIT 0x67u
#define HV_GUEST_SEL_CODE 0x08u
#define HV_GUEST_SEL_DATA 0x10u
#define HV_GUEST_SEL_TSS 0x18u

/* What a guest-physical address is. */
enum hv_gpa_kind {
    HV_GPA_UNMAPPED = 0, /* neither RAM nor a region: an access kills the VM */
    HV_GPA_RAM,          /* [0, memory_size) outside every region: lazily backed */
    HV_GPA_ROM,
    HV_GPA_MMIO,         /* hole (misconfiguration) */
    HV_GPA_MMIO_NP,      /* not present */
};

/* mmio.c: what gpa is; *region (when not NULL) gets the deciding region or NULL. The last-added region
 * containing gpa wins; then RAM; then unmapped. */
enum hv_gpa_kind hv_gpa_classify(struct hv_vm *vm, uint64_t gpa, const struct hv_region **region);
/* mmio.c: the MMIO path. One access of the guest to region r at gpa; access is what the exit reported
 * (HV_ACCESS_UNKNOWN for a misconfiguration, which reports none). The region's handler completes it (then
 * RESUME; the handler owns guest state such as RIP) or the VM is killed (no instruction decoder yet). */
enum hv_exit_action hv_mmio_dispatch(struct hv_vm *vm, const struct hv_region *r, uint64_t gpa,
                                     enum hv_access access);

/* guest_mem.c: back the RAM page containing gpa (lazy allocation): a zeroed page from the VM's quota,
 * mapped RWX WB, then INVEPT. Already backed: that frame, nothing taken. */
enum hv_ram_back {
    HV_RAM_BACKED = 0,
    HV_RAM_NOT_RAM,   /* gpa is not RAM of the VM */
    HV_RAM_QUOTA,     /* ram_pages_backed reached ram_quota */
    HV_RAM_NO_MEMORY, /* the allocator is empty */
};
enum hv_ram_back hv_guest_ram_back(struct hv_vm *vm, uint64_t gpa, hv_paddr_t *frame);

/* The EPT (all RAM reserved, nothing backed). HV_ERR_NO_MEMORY leaves what it took for hv_guest_mem_destroy. */
enum hv_err hv_guest_mem_create(struct hv_vm *vm);
/* Free every RAM/ROM frame and EPT table. Safe after a partial hv_guest_mem_create. */
void hv_guest_mem_destroy(struct hv_vm *vm);
/* PROGRAM64: write the identity page tables, GDT, IDT and TSS (layout above) into guest RAM. */
bool hv_guest_build_program64(struct hv_vm *vm);

#endif
