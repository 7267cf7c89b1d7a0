/* The VM's EPT (ept.c): paging structures, leaves, large pages and their splitting, holes, invalidation and
 * teardown. What a GPA *should* be (RAM, ROM, MMIO, unmapped) is decided by guest_mem.c and mmio.c; this
 * file only builds the entries they ask for, from pages it allocates itself. */
#ifndef HV_EPT_H
#define HV_EPT_H

#include "core.h"

/* EPT paging-structure entry bits (SDM Vol. 3 §29.3.2, Tables 29-1..29-7 in current SDMs). */
#define EPTE_READ (1ull << 0)
#define EPTE_WRITE (1ull << 1)
#define EPTE_EXEC (1ull << 2) /* supervisor-mode execute when "mode-based execute control" is on */
#define EPTE_RWX (EPTE_READ | EPTE_WRITE | EPTE_EXEC)
#define EPTE_MEMTYPE_SHIFT 3  /* leaf bits 5:3: EPT memory type (§29.3.7) */
#define EPTE_LARGE (1ull << 7) /* PDPTE / PDE bit 7: maps a 1-GiB / 2-MiB page (§29.3.2) */
#define EPTE_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12 (bits above MAXPHYADDR must be 0) */
/* The MMIO hole: bits 2:0 = 010 (write without read) make any present entry misconfigured, so every access
 * through it exits with reason 49 (SDM Vol. 3 §29.3.3.1). No frame, nothing else set. */
#define EPTE_HOLE EPTE_WRITE
/* Leaves the core builds: RAM read/write/execute, ROM read/execute; memory type WB (6), "ignore PAT" clear
 * so the guest's PAT still combines (§29.3.7.2). */
#define EPTE_LEAF_RAM (EPTE_RWX | ((uint64_t)6u << EPTE_MEMTYPE_SHIFT))
#define EPTE_LEAF_ROM (EPTE_READ | EPTE_EXEC | ((uint64_t)6u << EPTE_MEMTYPE_SHIFT))

/* Bytes one entry at a level covers: level 0 = PTE (4 KiB), 1 = PDE (2 MiB), 2 = PDPTE (1 GiB),
 * 3 = PML4E (512 GiB), 4 = PML5E (256 TiB) (§29.3.2). */
#define EPT_LEVEL_SHIFT(level) (12u + 9u * (level))
#define EPT_LEVEL_SIZE(level) (1ull << EPT_LEVEL_SHIFT(level))

/* GPAs a 4-level EPT translates: bits 47:0; a 5-level one bits 56:0 (§29.3.2). */
#define EPT_4LEVEL_LIMIT (1ull << 48)

/* Root table, 4-level walk. The capability word is IA32_VMX_EPT_VPID_CAP (kept in vm->ept_vpid_cap). */
enum hv_err hv_ept_create(struct hv_vm *vm);
/* Every table and every frame a leaf maps back to the allocator; counters to 0. Safe when partial. */
void hv_ept_destroy(struct hv_vm *vm);
/* EPTP (SDM Vol. 3 §25.6.11, Table 25-9) for the VM's root and walk length. */
uint64_t hv_ept_pointer(const struct hv_vm *vm);
/* Walk length to cover GPAs below `limit`: 4, or 5 when limit > 2^48 and the processor supports 5-level
 * walks (IA32_VMX_EPT_VPID_CAP bit 7). 0 when no supported length covers it. */
unsigned hv_ept_levels_needed(const struct hv_vm *vm, uint64_t limit);
/* Grow a 4-level EPT to 5 levels: a new root whose entry 0 is the old root (the old tables keep translating
 * GPAs below 2^48 unchanged). Updates vm->eptp and, on a created VM, the VMCS EPTP and INVEPT. */
bool hv_ept_grow_to_5(struct hv_vm *vm);

/* The host frame that backs the 4-KiB guest page containing gpa (RAM or ROM leaves; large leaves included),
 * or 0 when the EPT maps no frame there (not present, hole, beyond the walk). */
hv_paddr_t hv_ept_lookup(struct hv_vm *vm, uint64_t gpa);
/* The entries of the walk for gpa from the root down, stopping at the first that is not a table pointer.
 * Returns how many were read (1..5; 0 without an EPT). */
unsigned hv_ept_walk(struct hv_vm *vm, uint64_t gpa, uint64_t entries[5]);

/* Take a zeroed page from the allocator and map it at the 4-KiB guest page gpa with the leaf bits `leaf`
 * (EPTE_LEAF_RAM or EPTE_LEAF_ROM), splitting a large leaf and replacing (freeing) what was there. The frame
 * is never chosen by the caller: the EPT can reference only pages this VM took (the guard). Returns the
 * frame, 0 when out of pages (nothing changed then, except tables that may stay allocated). */
hv_paddr_t hv_ept_map_new_page(struct hv_vm *vm, uint64_t gpa, uint64_t leaf);
/* Back [gpa, gpa + size) (4-KiB aligned) with zeroed frames mapped by `leaf`, in large leaves where the
 * processor supports them, the range is aligned and the allocator yields a contiguous aligned run
 * (ept.c says how); 4-KiB leaves otherwise. false when out of pages (what was mapped stays, for destroy). */
bool hv_ept_back_range(struct hv_vm *vm, uint64_t gpa, uint64_t size, uint64_t leaf);
/* Set [gpa, gpa + size) (4-KiB aligned) to `entry` (0: not present, or EPTE_HOLE), freeing frames and tables
 * that were there and splitting large leaves that straddle the edges; whole aligned 2-MiB / 1-GiB spans
 * become one entry. false when a split ran out of pages. */
bool hv_ept_set_range(struct hv_vm *vm, uint64_t gpa, uint64_t size, uint64_t entry);
/* INVEPT after a change (SDM Vol. 3 §29.4.3.1, §31.3 INVEPT): single-context when IA32_VMX_EPT_VPID_CAP
 * bit 25, else all-context when bit 26; nothing before the VM is created. A failure kills the VM. */
void hv_ept_invalidate(struct hv_vm *vm);

#endif
