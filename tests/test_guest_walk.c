/* The guest page walker (hv-core/src/guest_walk.c) in every paging mode of SDM Vol. 3 Chapter 4, driven
 * directly: paging structures written into guest RAM, the guest's CR0/CR3/CR4/EFER (and PDPTEs) set in its
 * VMCS as a guest running in that mode would have them, then hv_guest_translate. Each case checks the
 * translation, the page size, the accessed/dirty flags (§4.8) or the #PF error code (§4.7) the processor
 * would produce. */
#include "core.h"
#include "exits/exits.h" /* hv_cpu_addr_width */
#include "guest_walk.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "testlib.h"

#include <hv/decode.h>
#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <string.h>

#define P (1ull << 0)
#define RW (1ull << 1)
#define US (1ull << 2)
#define A (1ull << 5)
#define D (1ull << 6)
#define PS (1ull << 7)
#define XD (1ull << 63)
#define CR4_PSE (1ull << 4)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define RFLAGS_AC (1ull << 18)

struct env {
    struct sim_machine *m;
    struct hv_cpu cpu;
    struct hv_vm vm;
};

static struct env *up(const char *profile)
{
    static struct env e;
    memset(&e, 0, sizeof e);
    e.m = sim_machine_create(sim_profile_find(profile), 2048, 1);
    CHECK(e.m != NULL);
    CHECK_EQ_U64(hv_cpu_init(&e.cpu, sim_machine_cpu(e.m, 0)), HV_OK);
    struct hv_vm_config cfg = {.memory_size = 4ull << 20, .mode = HV_GUEST_PROGRAM64, .entry = 0x1000, .stack = 0x8000};
    CHECK_EQ_U64(hv_vm_create(&e.vm, &e.cpu, &cfg), HV_OK);
    CHECK(e.vm.entry_ctls & ENTRY_LOAD_IA32_EFER); /* the walker reads the guest EFER from the VMCS */
    return &e;
}

static void down(struct env *e)
{
    hv_vm_destroy(&e->vm);
    hv_cpu_fini(&e->cpu);
    CHECK_EQ_U64(sim_pages_in_use(e->m), 0);
    sim_machine_destroy(e->m);
}

/* The guest's paging mode, as its control registers select it (§4.1.1 Table 4-1). */
static void mode(struct env *e, uint64_t cr0_extra, uint64_t cr4, uint64_t efer, uint64_t cr3)
{
    hv_vmwrite(&e->vm, VMCS_GUEST_CR0, CR0_PE | CR0_PG | CR0_ET | CR0_NE | cr0_extra);
    hv_vmwrite(&e->vm, VMCS_GUEST_CR4, cr4 | CR4_VMXE);
    hv_vmwrite(&e->vm, VMCS_GUEST_IA32_EFER, efer);
    hv_vmwrite(&e->vm, VMCS_GUEST_CR3, cr3);
}

static void put32(struct env *e, uint64_t gpa, uint32_t v)
{
    CHECK(hv_gpa_write(&e->vm, gpa, &v, 4));
}

static void put64(struct env *e, uint64_t gpa, uint64_t v)
{
    CHECK(hv_gpa_write(&e->vm, gpa, &v, 8));
}

static uint64_t get(struct env *e, uint64_t gpa, unsigned width)
{
    uint64_t v = 0;
    CHECK(hv_gpa_read(&e->vm, gpa, &v, width));
    return v;
}

static uint32_t pf_code(struct env *e, uint64_t la, enum hv_walk_access acc, unsigned cpl)
{
    struct hv_walk w;
    CHECK_EQ_U64(hv_guest_translate(&e->vm, la, acc, cpl, &w), HV_WALK_PF);
    return w.error_code;
}

static uint64_t gpa_of(struct env *e, uint64_t la, enum hv_walk_access acc, unsigned cpl, uint64_t *page_end)
{
    struct hv_walk w;
    CHECK_EQ_U64(hv_guest_translate(&e->vm, la, acc, cpl, &w), HV_WALK_OK);
    if (page_end)
        *page_end = w.page_end_la;
    return w.gpa;
}

/* ---- 32-bit paging (§4.3) ---------------------------------------------------------------------------------- */

TEST_CASE(paging32_4k_translation_sets_accessed_and_dirty)
{
    struct env *e = up("bochs-haswell");
    mode(e, CR0_WP, 0, 0, 0x100000);
    put32(e, 0x100000, 0x101000 | P | RW | US);     /* PDE 0 -> page table */
    put32(e, 0x101000 + 5 * 4, 0x155000 | P | RW | US); /* PTE 5 */
    uint64_t end;
    CHECK_EQ_U64(gpa_of(e, 0x5123, HV_WALK_READ, 0, &end), 0x155123);
    CHECK_EQ_U64(end, 0x6000);
    CHECK_EQ_U64(get(e, 0x100000, 4) & (A | D), A); /* §4.8: accessed on every entry used ... */
    CHECK_EQ_U64(get(e, 0x101014, 4) & (A | D), A);
    CHECK_EQ_U64(gpa_of(e, 0x5ffc, HV_WALK_WRITE, 3, NULL), 0x155ffc);
    CHECK_EQ_U64(get(e, 0x101014, 4) & (A | D), A | D); /* ... dirty on the leaf of a write */
    CHECK_EQ_U64(get(e, 0x100000, 4) & D, 0);
    /* linear addresses are 32 bits: bits 63:32 do not take part (§4.3) */
    CHECK_EQ_U64(gpa_of(e, 0xffffffff00005010ull, HV_WALK_READ, 0, NULL), 0x155010);
    down(e);
}

TEST_CASE(paging32_fault_error_codes)
{
    /* §4.7 Figure 4-12: P (protection vs not present), W/R, U/S; no I/D in 32-bit paging without SMEP. */
    struct env *e = up("bochs-haswell");
    mode(e, CR0_WP, 0, 0, 0x100000);
    put32(e, 0x100000, 0x101000 | P | RW | US);
    put32(e, 0x101000 + 1 * 4, 0x150000 | P);            /* supervisor, read-only */
    put32(e, 0x101000 + 2 * 4, 0x151000 | P | US);       /* user, read-only */
    CHECK_EQ_U64(pf_code(e, 0x3000, HV_WALK_READ, 0), 0);                         /* PTE 3 not present */
    CHECK_EQ_U64(pf_code(e, 0x3000, HV_WALK_WRITE, 3), PF_ERR_W | PF_ERR_U);
    CHECK_EQ_U64(pf_code(e, 0x400000, HV_WALK_READ, 0), 0);                       /* PDE 1 not present */
    CHECK_EQ_U64(pf_code(e, 0x1000, HV_WALK_READ, 3), PF_ERR_P | PF_ERR_U);      /* user to supervisor */
    CHECK_EQ_U64(pf_code(e, 0x1000, HV_WALK_WRITE, 0), PF_ERR_P | PF_ERR_W);     /* CR0.WP = 1 */
    CHECK_EQ_U64(pf_code(e, 0x2000, HV_WALK_WRITE, 3), PF_ERR_P | PF_ERR_W | PF_ERR_U);
    CHECK_EQ_U64(gpa_of(e, 0x2000, HV_WALK_FETCH, 0, NULL), 0x151000); /* no SMEP: a supervisor fetch may */
    CHECK_EQ_U64(pf_code(e, 0x3000, HV_WALK_FETCH, 0), 0); /* no I/D bit: 32-bit paging without SMEP (§4.7) */
    down(e);
}

TEST_CASE(paging32_supervisor_write_to_read_only_without_wp)
{
    /* CR0.WP = 0: supervisor writes ignore R/W (§4.6); user writes still fault. */
    struct env *e = up("bochs-haswell");
    mode(e, 0, 0, 0, 0x100000);
    put32(e, 0x100000, 0x101000 | P | US);
    put32(e, 0x101000 + 4, 0x150000 | P | US);
    CHECK_EQ_U64(gpa_of(e, 0x1008, HV_WALK_WRITE, 0, NULL), 0x150008);
    CHECK_EQ_U64(pf_code(e, 0x1008, HV_WALK_WRITE, 3), PF_ERR_P | PF_ERR_W | PF_ERR_U);
    down(e);
}

TEST_CASE(paging32_4m_pages_with_pse_and_pse36)
{
    /* §4.3 Table 4-4: with CR4.PSE a PDE with PS maps 4 MiB; bits 20:13 are PA[39:32] (PSE-36), bit 21 is
     * reserved, as are PA bits at or above MAXPHYADDR (a reserved bit: P and RSVD set). Without CR4.PSE the
     * PS bit is ignored and the PDE points to a page table. */
    struct env *e = up("bochs-haswell");
    unsigned maxphy = hv_cpu_addr_width(&e->vm, false);
    mode(e, CR0_WP, CR4_PSE, 0, 0x100000);
    put32(e, 0x100000 + 1 * 4, 0x00400000u | PS | P | RW);
    uint64_t end;
    CHECK_EQ_U64(gpa_of(e, 0x4abcde, HV_WALK_READ, 0, &end), 0x4abcde);
    CHECK_EQ_U64(end, 0x800000);
    CHECK_EQ_U64(get(e, 0x100004, 4) & A, A);
    put32(e, 0x100000 + 2 * 4, 0x00800000u | (1u << 13) | PS | P); /* PA[32] = 1: 4 GiB + 8 MiB */
    CHECK(maxphy > 32);
    CHECK_EQ_U64(gpa_of(e, 0x800010, HV_WALK_READ, 0, NULL), 0x100800010ull);
    put32(e, 0x100000 + 3 * 4, 0x00c00000u | (1u << 21) | PS | P); /* reserved bit 21 */
    CHECK_EQ_U64(pf_code(e, 0xc00000, HV_WALK_READ, 0), PF_ERR_P | PF_ERR_RSVD);
    if (maxphy < 40) { /* PA bits MAXPHYADDR..39 reserved */
        put32(e, 0x100000 + 4 * 4, 0x01000000u | (1u << (13 + maxphy - 32)) | PS | P);
        CHECK_EQ_U64(pf_code(e, 0x1000000, HV_WALK_WRITE, 0), PF_ERR_P | PF_ERR_W | PF_ERR_RSVD);
    }
    put32(e, 0x100000 + 5 * 4, 0x01400000u | PS | P | RW); /* supervisor 4-MiB page: a user read faults */
    CHECK_EQ_U64(pf_code(e, 0x1400000, HV_WALK_READ, 3), PF_ERR_P | PF_ERR_U);
    /* CR4.PSE = 0: the same PDE is a page-table pointer (PS ignored) */
    put32(e, 0x100000 + 6 * 4, 0x00180000u | PS | P);
    put32(e, 0x180000 + 0x10 * 4, 0x00177000u | P);
    if (maxphy >= 40) /* with PSE the same PDE maps 4 MiB at PA[39:32] = its bits 20:13 = C0H */
        CHECK_EQ_U64(gpa_of(e, 0x1810008, HV_WALK_READ, 0, NULL), 0xc000010008ull);
    else
        CHECK_EQ_U64(pf_code(e, 0x1810008, HV_WALK_READ, 0), PF_ERR_P | PF_ERR_RSVD);
    mode(e, CR0_WP, 0, 0, 0x100000);
    CHECK_EQ_U64(gpa_of(e, 0x1810008, HV_WALK_READ, 0, NULL), 0x177008);
    down(e);
}

TEST_CASE(paging32_table_outside_ram_is_bad_table)
{
    /* A paging structure that is not the VM's RAM cannot be walked: BAD_TABLE with the entry's address. */
    struct env *e = up("bochs-haswell");
    mode(e, 0, 0, 0, 0x100000);
    put32(e, 0x100000, 0x7ffff000u | P | RW);
    struct hv_walk w;
    CHECK_EQ_U64(hv_guest_translate(&e->vm, 0x3000, HV_WALK_READ, 0, &w), HV_WALK_BAD_TABLE);
    CHECK_EQ_U64(w.table_gpa, 0x7ffff000ull + 3 * 4);
    mode(e, 0, 0, 0, 0x7fff0000);
    CHECK_EQ_U64(hv_guest_translate(&e->vm, 0x3000, HV_WALK_READ, 0, &w), HV_WALK_BAD_TABLE);
    CHECK_EQ_U64(w.table_gpa, 0x7fff0000ull);
    down(e);
}

TEST_CASE(smep_and_smap)
{
    /* §4.6.1: with CR4.SMEP a supervisor fetch from a user page faults (P, I/D); with CR4.SMAP a supervisor
     * data access to a user page faults unless RFLAGS.AC = 1. User accesses are not affected. */
    struct env *e = up("bochs-skylake-x");
    mode(e, CR0_WP, CR4_SMEP | CR4_SMAP, 0, 0x100000);
    put32(e, 0x100000, 0x101000 | P | RW | US);
    put32(e, 0x101000 + 4, 0x150000 | P | RW | US);
    CHECK_EQ_U64(pf_code(e, 0x1000, HV_WALK_FETCH, 0), PF_ERR_P | PF_ERR_ID);
    CHECK_EQ_U64(gpa_of(e, 0x1000, HV_WALK_FETCH, 3, NULL), 0x150000);
    CHECK_EQ_U64(pf_code(e, 0x1004, HV_WALK_READ, 0), PF_ERR_P);
    CHECK_EQ_U64(pf_code(e, 0x1004, HV_WALK_WRITE, 0), PF_ERR_P | PF_ERR_W);
    CHECK_EQ_U64(pf_code(e, 0x5000, HV_WALK_FETCH, 3), PF_ERR_U | PF_ERR_ID); /* not present, fetch */
    uint64_t fl = hv_vmread(&e->vm, VMCS_GUEST_RFLAGS);
    hv_vmwrite(&e->vm, VMCS_GUEST_RFLAGS, fl | RFLAGS_AC);
    CHECK_EQ_U64(gpa_of(e, 0x1004, HV_WALK_READ, 0, NULL), 0x150004);
    CHECK_EQ_U64(gpa_of(e, 0x1004, HV_WALK_READ, 3, NULL), 0x150004);
    down(e);
}

/* ---- PAE paging (§4.4) ---------------------------------------------------------------------------------- */

static void pae(struct env *e, uint64_t efer, uint64_t p0, uint64_t p1, uint64_t p2, uint64_t p3)
{
    mode(e, CR0_WP, CR4_PAE, efer, 0x100000);
    hv_vmwrite(&e->vm, VMCS_GUEST_PDPTE0, p0);
    hv_vmwrite(&e->vm, VMCS_GUEST_PDPTE1, p1);
    hv_vmwrite(&e->vm, VMCS_GUEST_PDPTE2, p2);
    hv_vmwrite(&e->vm, VMCS_GUEST_PDPTE3, p3);
}

TEST_CASE(pae_4k_and_2m_pages_through_the_vmcs_pdptes)
{
    /* With EPT the processor holds the PDPTEs in the VMCS (§27.3.2.4, §28.3.4): PDPTE i maps la[31:30] = i. */
    struct env *e = up("bochs-haswell");
    pae(e, 0, 0x120000 | P, 0, 0x130000 | P, 0x121000 | P | RW); /* bit 1 reserved in a PDPTE */
    put64(e, 0x120000, 0x122000 | P | RW);               /* PDE 0 -> PT */
    put64(e, 0x122000 + 3 * 8, 0x133000 | P | RW);       /* PTE 3 */
    put64(e, 0x120000 + 1 * 8, 0x200000 | PS | P | RW);  /* PDE 1: 2-MiB page */
    put64(e, 0x120000 + 2 * 8, 0x400000 | (1ull << 13) | PS | P); /* 2-MiB page, reserved bit 13 */
    uint64_t end;
    CHECK_EQ_U64(gpa_of(e, 0x3abc, HV_WALK_WRITE, 0, &end), 0x133abc);
    CHECK_EQ_U64(end, 0x4000);
    CHECK_EQ_U64(get(e, 0x122018, 8) & (A | D), A | D);
    CHECK_EQ_U64(gpa_of(e, 0x2fedcb, HV_WALK_READ, 0, &end), 0x2fedcb);
    CHECK_EQ_U64(end, 0x400000);
    CHECK_EQ_U64(pf_code(e, 0x400000, HV_WALK_READ, 0), PF_ERR_P | PF_ERR_RSVD);
    CHECK_EQ_U64(pf_code(e, 0x40000000, HV_WALK_READ, 0), 0);                     /* PDPTE 1 not present */
    CHECK_EQ_U64(pf_code(e, 0xc0000000, HV_WALK_WRITE, 0), PF_ERR_P | PF_ERR_W | PF_ERR_RSVD); /* PDPTE 3 */
    CHECK_EQ_U64(pf_code(e, 0x80000000, HV_WALK_READ, 0), 0); /* PDPTE 2's PD: entry 0 not present */
    /* linear addresses are 32 bits (§4.4) */
    CHECK_EQ_U64(gpa_of(e, 0x1234500003abcull, HV_WALK_READ, 0, NULL), 0x133abc);
    down(e);
}

TEST_CASE(pae_execute_disable_needs_nxe)
{
    /* XD (bit 63) prevents fetches when IA32_EFER.NXE = 1 (§4.6: P and I/D in the error code, §4.7); with
     * NXE = 0 it is a reserved bit (§4.4.2 Table 4-11). */
    struct env *e = up("bochs-haswell");
    pae(e, EFER_NXE, 0x120000 | P, 0, 0, 0);
    put64(e, 0x120000, 0x122000 | P | RW);
    put64(e, 0x122000 + 8, 0x134000 | P | RW | XD);
    CHECK_EQ_U64(gpa_of(e, 0x1010, HV_WALK_READ, 0, NULL), 0x134010);
    CHECK_EQ_U64(pf_code(e, 0x1010, HV_WALK_FETCH, 0), PF_ERR_P | PF_ERR_ID);
    CHECK_EQ_U64(pf_code(e, 0x2000, HV_WALK_FETCH, 0), PF_ERR_ID); /* not present: I/D with NXE */
    pae(e, 0, 0x120000 | P, 0, 0, 0);
    CHECK_EQ_U64(pf_code(e, 0x1010, HV_WALK_READ, 0), PF_ERR_P | PF_ERR_RSVD);
    down(e);
}

/* ---- 4-level and 5-level paging (§4.5) ------------------------------------------------------------------ */

TEST_CASE(four_level_1g_pages_and_reserved_bits)
{
    /* A PDPTE with PS maps 1 GiB; its bits 29:13 are reserved (§4.5.4 Table 4-16); a PML4E's bit 7 is
     * reserved (Table 4-15). */
    struct env *e = up("bochs-haswell");
    mode(e, CR0_WP, CR4_PAE, EFER_LME | EFER_LMA | EFER_NXE, 0x100000);
    put64(e, 0x100000, 0x110000 | P | RW);                    /* PML4E 0 */
    put64(e, 0x110000 + 1 * 8, 0x40000000ull | PS | P | RW);  /* PDPTE 1: 1 GiB at 1 GiB */
    put64(e, 0x110000 + 2 * 8, 0x80000000ull | (1ull << 13) | PS | P);
    put64(e, 0x100000 + 1 * 8, 0x111000 | PS | P | RW);       /* PML4E 1 with PS */
    uint64_t end;
    CHECK_EQ_U64(gpa_of(e, 0x7654321f, HV_WALK_READ, 0, &end), 0x7654321f);
    CHECK_EQ_U64(end, 0x80000000ull);
    CHECK_EQ_U64(pf_code(e, 0x80000000ull, HV_WALK_READ, 0), PF_ERR_P | PF_ERR_RSVD);
    CHECK_EQ_U64(pf_code(e, 0x8000000000ull, HV_WALK_FETCH, 3), PF_ERR_P | PF_ERR_RSVD | PF_ERR_U | PF_ERR_ID);
    down(e);
}

TEST_CASE(five_level_paging_and_57_bit_canonical_addresses)
{
    /* With CR4.LA57 the walk starts at the PML5 table (§4.5.1), and linear addresses are canonical in 57 bits
     * (§4.5): an address that is canonical with 5 levels but not 4 translates; one that is not is #GP. */
    struct env *e = up("max");
    mode(e, CR0_WP, CR4_PAE | CR4_LA57, EFER_LME | EFER_LMA, 0x100000);
    uint64_t la = 0x0002000000000000ull | 0x5000; /* PML5 index 2 (bits 56:48) */
    put64(e, 0x100000 + 2 * 8, 0x110000 | P | RW);
    put64(e, 0x110000, 0x111000 | P | RW);
    put64(e, 0x111000, 0x112000 | P | RW);
    put64(e, 0x112000, 0x113000 | P | RW);
    put64(e, 0x113000 + 5 * 8, 0x166000 | P | RW);
    CHECK_EQ_U64(gpa_of(e, la | 0x42, HV_WALK_READ, 0, NULL), 0x166042);
    CHECK_EQ_U64(get(e, 0x100010, 8) & A, A); /* the PML5E is one of the entries used */
    struct hv_walk w;
    CHECK_EQ_U64(hv_guest_translate(&e->vm, 0x0100000000000000ull, HV_WALK_READ, 0, &w), HV_WALK_GP);
    put64(e, 0x100000 + 3 * 8, 0x110000 | PS | P); /* a PML5E's bit 7 is reserved (Table 4-14) */
    CHECK_EQ_U64(pf_code(e, 0x0003000000000000ull, HV_WALK_READ, 0), PF_ERR_P | PF_ERR_RSVD);
    down(e);
}

TEST_CASE(no_paging_is_identity)
{
    /* CR0.PG = 0: linear addresses are physical (§4.1.1), whatever CR3 holds. */
    struct env *e = up("bochs-haswell");
    hv_vmwrite(&e->vm, VMCS_GUEST_CR0, CR0_PE | CR0_ET | CR0_NE);
    uint64_t end;
    CHECK_EQ_U64(gpa_of(e, 0x12345, HV_WALK_WRITE, 3, &end), 0x12345);
    CHECK_EQ_U64(end, 0x13000);
    down(e);
}

TEST_CASE(segment_bases_outside_64bit_mode_are_32_bits)
{
    /* In 64-bit mode ES/CS/SS/DS bases are 0 and FS/GS bases are used (SDM Vol. 3 §3.4.4); outside it every
     * base is a 32-bit value. No segment beyond GS exists. */
    struct env *e = up("bochs-haswell");
    hv_vmwrite(&e->vm, VMCS_GUEST_DS_BASE, 0x123456789ull);
    hv_vmwrite(&e->vm, VMCS_GUEST_FS_BASE, 0x7f0000001000ull);
    CHECK_EQ_U64(hv_guest_seg_base(&e->vm, HV_SEG_DS), 0);
    CHECK_EQ_U64(hv_guest_seg_base(&e->vm, HV_SEG_FS), 0x7f0000001000ull);
    CHECK_EQ_U64(hv_guest_seg_base(&e->vm, HV_SEG_GS + 1), 0);
    uint64_t cs_ar = hv_vmread(&e->vm, VMCS_GUEST_CS_AR_BYTES);
    hv_vmwrite(&e->vm, VMCS_GUEST_CS_AR_BYTES, cs_ar & ~(uint64_t)AR_L); /* compatibility mode */
    CHECK_EQ_U64(hv_guest_seg_base(&e->vm, HV_SEG_DS), 0x23456789ull);
    CHECK_EQ_U64(hv_guest_seg_base(&e->vm, HV_SEG_FS), 0x1000ull);
    down(e);
}
