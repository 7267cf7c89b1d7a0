/* Guest memory internals shared by guest_mem.c, vm.c and vmcs_setup.c (see guest_mem.c for the layout). */
#ifndef HV_GUEST_MEM_H
#define HV_GUEST_MEM_H

#include "core.h"

/* PROGRAM64 guests: the core builds the guest's system structures in the last pages of guest RAM, so the
 * guest program owns everything below HV_GUEST_SYS_BASE(size). From the top of RAM down:
 *   -1 page  PML4   (CR3 points here)
 *   -2       PDPT
 *   -3       PD     (2-MiB identity pages over RAM; covers up to 1 GiB, more than HV_VM_MAX_MEMORY)
 *   -4       GDT (null, 64-bit code 0x08, data 0x10, 64-bit TSS descriptor 0x18) and, at +0x800, the IDT
 *   -5       TSS (64-bit, 0x68 bytes, I/O map base beyond the limit = no I/O permission bitmap)
 * A guest that overwrites these is only hurting itself: they are its own memory, and the EPT decides what
 * memory it can reach. */
#define HV_GUEST_SYS_PAGES 5u
#define HV_GUEST_PML4(size) ((size)-1 * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_PDPT(size) ((size)-2 * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_PD(size) ((size)-3 * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_GDT(size) ((size)-4 * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_IDT(size) (HV_GUEST_GDT(size) + 0x800u)
#define HV_GUEST_TSS(size) ((size)-5 * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_SYS_BASE(size) ((size)-HV_GUEST_SYS_PAGES * (uint64_t)HV_PAGE_SIZE)
#define HV_GUEST_GDT_LIMIT 0x27u /* 5 descriptors of 8 bytes (the TSS descriptor takes two) */
#define HV_GUEST_IDT_LIMIT 0x7ffu /* 128 16-byte gates, all not present until the guest installs its own */
#define HV_GUEST_TSS_LIMIT 0x67u
#define HV_GUEST_SEL_CODE 0x08u
#define HV_GUEST_SEL_DATA 0x10u
#define HV_GUEST_SEL_TSS 0x18u

/* Allocate guest RAM (memory_size bytes from GPA 0) and the EPT mapping it. On failure returns
 * HV_ERR_NO_MEMORY leaving what it took for hv_guest_mem_destroy. */
enum hv_err hv_guest_mem_create(struct hv_vm *vm);
/* Free every RAM page and EPT table. Safe after a partial hv_guest_mem_create. */
void hv_guest_mem_destroy(struct hv_vm *vm);
/* The host page backing the guest page containing gpa, or 0 when the EPT does not map it. */
hv_paddr_t hv_ept_lookup(struct hv_vm *vm, uint64_t gpa);
/* EPTP for a 4-level, WB EPT rooted at root (SDM Vol. 3 §25.6.11). */
uint64_t hv_ept_pointer(hv_paddr_t root, uint64_t ept_vpid_cap);
/* PROGRAM64: write the identity page tables, GDT, IDT and TSS (layout above) into guest RAM. */
bool hv_guest_build_program64(struct hv_vm *vm);

#endif
