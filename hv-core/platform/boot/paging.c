/* The identity map. entry.S maps the first 4 GiB with 2-MiB pages; when the memory map has RAM above that,
 * more page directories (static, so no allocator is needed yet) extend it 1 GiB per PDPT entry, up to
 * BOOT_IDENTITY_MAX_GIB. RAM beyond the limit is left to no one: pmm clamps to paging_identity_limit(). */
#include "boot.h"

#define PTE_P_RW 0x3ull
#define PDE_2M 0x83ull /* present, writable, PS (SDM Vol. 3 §4.5.4, Table 4-17) */
#define GIB (1ull << 30)

static uint64_t extra_pd[BOOT_IDENTITY_MAX_GIB - BOOT_IDENTITY_BOOT_GIB][512] __attribute__((aligned(4096)));
static uint64_t identity_limit = (uint64_t)BOOT_IDENTITY_BOOT_GIB * GIB;

void paging_extend(uint64_t highest_usable) {
    uint64_t want_gib = (highest_usable + GIB - 1) / GIB;
    if (want_gib > BOOT_IDENTITY_MAX_GIB) {
        con_printf("hvkit: RAM above %u GiB is not mapped and will not be used\n", BOOT_IDENTITY_MAX_GIB);
        want_gib = BOOT_IDENTITY_MAX_GIB;
    }
    for (uint64_t g = BOOT_IDENTITY_BOOT_GIB; g < want_gib; g++) {
        uint64_t *pd = extra_pd[g - BOOT_IDENTITY_BOOT_GIB];
        for (unsigned i = 0; i < 512; i++)
            pd[i] = (g * GIB + (uint64_t)i * (2u << 20)) | PDE_2M;
        boot_pdpt[g] = (uint64_t)(uintptr_t)pd | PTE_P_RW;
    }
    if (want_gib > BOOT_IDENTITY_BOOT_GIB) {
        identity_limit = want_gib * GIB;
        /* New entries only (no live translation changed), but reload CR3 so no stale "not present" stays. */
        uint64_t cr3;
        __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3)::"memory");
    }
}

uint64_t paging_identity_limit(void) { return identity_limit; }
