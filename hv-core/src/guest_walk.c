/* Guest linear -> guest-physical through the guest's own paging structures (guest_walk.h).
 *
 * Modes (SDM Vol. 3 §4.1.1 Table 4-1), from the VMCS guest CR0/CR4 (what the processor uses, not the read
 * shadows) and the guest's IA32_EFER:
 *   CR0.PG = 0                      no paging: linear = physical (§4.1.1)
 *   CR4.PAE = 0                     32-bit paging, 4-byte entries, 4-MiB pages with CR4.PSE (§4.3)
 *   EFER.LMA = 0                    PAE paging: the 4 PDPTEs are the VMCS guest PDPTE fields, which VM entry
 *                                   loads and VM exit saves when EPT is on (§27.3.2.4, §28.3.4) (§4.4)
 *   CR4.LA57 = 0 / 1                4-level / 5-level paging (§4.5)
 * Permissions (§4.6): user-mode access (CPL = 3) needs U/S = 1 at every level; a user write needs R/W = 1 at
 * every level, a supervisor write too when CR0.WP = 1; a fetch from a page with XD = 1 at any level faults
 * when IA32_EFER.NXE = 1; with CR4.SMEP a supervisor fetch from a user page faults (§4.6.1); with CR4.SMAP a
 * supervisor data access to a user page faults unless RFLAGS.AC = 1 (§4.6.1). Protection keys (CR4.PKE) and
 * shadow stacks are not modelled: an emulated MMIO instruction never needs them to be reached. */
#include "guest_walk.h"

#include "exits/exits.h"

#include <hv/decode.h>
#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <hv/x86.h>

/* Paging-structure entry bits (SDM Vol. 3 §4.3 Tables 4-4..4-6, §4.5 Tables 4-14..4-20). */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_XD (1ull << 63) /* execute-disable, when IA32_EFER.NXE = 1 (reserved otherwise) */

/* CR4 bits the walk reads (SDM Vol. 3 §2.5). */
#define WALK_CR4_PSE (1ull << 4)
#define WALK_CR4_SMEP (1ull << 20)
#define WALK_CR4_SMAP (1ull << 21)
#define WALK_RFLAGS_AC (1ull << 18) /* SDM Vol. 1 §3.4.3.3 */

struct walk_ctx {
    struct hv_vm *vm;
    uint64_t la;
    enum hv_walk_access access;
    bool user;      /* CPL = 3 */
    bool id_bit;    /* whether a fetch fault reports I/D (§4.7) */
    uint64_t cr0, cr4;
    bool nxe;
    unsigned maxphy;
    /* the entries used, for the accessed/dirty flags */
    unsigned n;
    uint64_t ent_gpa[5], ent_val[5];
    uint8_t ent_width[5];
};

static enum hv_walk_result pf(const struct walk_ctx *c, bool present, bool rsvd, struct hv_walk *out)
{
    uint32_t e = 0;
    if (present)
        e |= PF_ERR_P;
    if (c->access == HV_WALK_WRITE)
        e |= PF_ERR_W;
    if (c->user)
        e |= PF_ERR_U;
    if (rsvd)
        e |= PF_ERR_RSVD | PF_ERR_P; /* a reserved-bit violation is reported with P = 1 (§4.7) */
    if (c->access == HV_WALK_FETCH && c->id_bit)
        e |= PF_ERR_ID;
    out->error_code = e;
    return HV_WALK_PF;
}

static bool read_entry(struct walk_ctx *c, uint64_t gpa, unsigned width, uint64_t *val, struct hv_walk *out)
{
    uint64_t v = 0;
    if (!hv_gpa_read(c->vm, gpa, &v, width)) {
        out->table_gpa = gpa;
        return false;
    }
    *val = v;
    if (c->n < 5) {
        c->ent_gpa[c->n] = gpa;
        c->ent_val[c->n] = v;
        c->ent_width[c->n] = (uint8_t)width;
        c->n++;
    }
    return true;
}

/* Permissions of the whole translation (rights = AND of R/W and U/S over the levels, xd = OR of XD). */
static enum hv_walk_result check_rights(const struct walk_ctx *c, bool rw, bool us, bool xd, struct hv_walk *out)
{
    if (c->user && !us)
        return pf(c, true, false, out);
    switch (c->access) {
    case HV_WALK_WRITE:
        if (!rw && (c->user || (c->cr0 & CR0_WP)))
            return pf(c, true, false, out);
        break;
    case HV_WALK_FETCH:
        if (xd && c->nxe)
            return pf(c, true, false, out);
        if (!c->user && us && (c->cr4 & WALK_CR4_SMEP)) /* §4.6.1: SMEP */
            return pf(c, true, false, out);
        return HV_WALK_OK;
    default:
        break;
    }
    /* §4.6.1: SMAP, supervisor data access to a user-mode address with RFLAGS.AC = 0. */
    if (!c->user && us && (c->cr4 & WALK_CR4_SMAP) && !(hv_vmread(c->vm, VMCS_GUEST_RFLAGS) & WALK_RFLAGS_AC))
        return pf(c, true, false, out);
    return HV_WALK_OK;
}

/* Set the accessed flags of every entry used and the dirty flag of the leaf on a write (§4.8). */
static void set_ad(struct walk_ctx *c)
{
    for (unsigned i = 0; i < c->n; i++) {
        uint64_t v = c->ent_val[i] | PTE_A;
        if (i == c->n - 1 && c->access == HV_WALK_WRITE)
            v |= PTE_D;
        if (v != c->ent_val[i])
            (void)hv_gpa_write(c->vm, c->ent_gpa[i], &v, c->ent_width[i]);
    }
}

static enum hv_walk_result walk32(struct walk_ctx *c, struct hv_walk *out)
{
    uint64_t la = c->la & 0xffffffffull;
    uint64_t cr3 = hv_vmread(c->vm, VMCS_GUEST_CR3);
    uint64_t pde, pte;
    /* §4.3: the PDE at CR3[31:12] | la[31:22] * 4. */
    if (!read_entry(c, (cr3 & 0xfffff000ull) | ((la >> 22) << 2), 4, &pde, out))
        return HV_WALK_BAD_TABLE;
    if (!(pde & PTE_P))
        return pf(c, false, false, out);
    if ((pde & PTE_PS) && (c->cr4 & WALK_CR4_PSE)) {
        /* 4-MiB page (Table 4-4): bits 31:22 give PA[31:22], bits 20:13 PA[39:32] (PSE-36); bit 21 is
         * reserved, and so are PA bits at or above MAXPHYADDR. */
        uint64_t high = (pde >> 13) & 0xffu;
        if ((pde & (1ull << 21)) || (c->maxphy < 40 && (high >> (c->maxphy - 32))))
            return pf(c, true, true, out);
        enum hv_walk_result r = check_rights(c, pde & PTE_RW, pde & PTE_US, false, out);
        if (r != HV_WALK_OK)
            return r;
        out->gpa = (pde & 0xffc00000ull) | (high << 32) | (la & 0x3fffffull);
        out->page_end_la = (la | 0x3fffffull) + 1;
        return HV_WALK_OK;
    }
    if (!read_entry(c, (pde & 0xfffff000ull) | (((la >> 12) & 0x3ffu) << 2), 4, &pte, out))
        return HV_WALK_BAD_TABLE;
    if (!(pte & PTE_P))
        return pf(c, false, false, out);
    enum hv_walk_result r = check_rights(c, pde & pte & PTE_RW, pde & pte & PTE_US, false, out);
    if (r != HV_WALK_OK)
        return r;
    out->gpa = (pte & 0xfffff000ull) | (la & 0xfffu);
    out->page_end_la = (la | 0xfffu) + 1;
    return HV_WALK_OK;
}

/* 8-byte entries from `level` down (PAE: from the PD, level 2; 4-/5-level: from the root). table is the
 * guest-physical address of the first table. */
static enum hv_walk_result walk64(struct walk_ctx *c, unsigned level, uint64_t table, bool pae, struct hv_walk *out)
{
    uint64_t addr_mask = ((1ull << c->maxphy) - 1) & ~0xfffull;
    /* Reserved: address bits at or above MAXPHYADDR (bits 51:M in 4-/5-level paging, 62:M in PAE paging),
     * and XD when EFER.NXE = 0 (§4.4.2, §4.5.4 Tables 4-11, 4-14..4-20). */
    uint64_t rsvd = (pae ? 0x7fffffffffffffffull : 0x000fffffffffffffull) & ~((1ull << c->maxphy) - 1);
    if (!c->nxe)
        rsvd |= PTE_XD;
    bool rw = true, us = true, xd = false;
    for (;; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        uint64_t e;
        if (!read_entry(c, (table & addr_mask) + (((c->la >> shift) & 0x1ffu) << 3), 8, &e, out))
            return HV_WALK_BAD_TABLE;
        if (!(e & PTE_P))
            return pf(c, false, false, out);
        uint64_t r = rsvd;
        if (level >= 4)
            r |= PTE_PS; /* PML5E/PML4E bit 7 is reserved (Tables 4-14, 4-15) */
        bool leaf = level == 1 || (level <= 3 && (e & PTE_PS));
        if (leaf && level == 3)
            r |= 0x3fffe000ull; /* 1-GiB page: bits 29:13 reserved (Table 4-16) */
        if (leaf && level == 2)
            r |= 0x1fe000ull;   /* 2-MiB page: bits 20:13 reserved (Tables 4-9, 4-18) */
        if (e & r)
            return pf(c, true, true, out);
        rw = rw && (e & PTE_RW);
        us = us && (e & PTE_US);
        xd = xd || (e & PTE_XD);
        if (leaf) {
            enum hv_walk_result res = check_rights(c, rw, us, xd, out);
            if (res != HV_WALK_OK)
                return res;
            uint64_t page = 1ull << shift;
            out->gpa = ((e & addr_mask) & ~(page - 1)) | (c->la & (page - 1));
            out->page_end_la = (c->la | (page - 1)) + 1;
            return HV_WALK_OK;
        }
        table = e;
    }
}

enum hv_walk_result hv_guest_translate(struct hv_vm *vm, uint64_t la, enum hv_walk_access access, unsigned cpl,
                                       struct hv_walk *out)
{
    hv_memset(out, 0, sizeof *out);
    struct walk_ctx c = {.vm = vm, .la = la, .access = access, .user = cpl == 3};
    c.cr0 = hv_vmread(vm, VMCS_GUEST_CR0);
    c.cr4 = hv_vmread(vm, VMCS_GUEST_CR4);
    uint64_t efer = 0;
    (void)hv_msr_read(vm, MSR_IA32_EFER, &efer);
    c.nxe = (efer & EFER_NXE) != 0;
    c.maxphy = hv_cpu_addr_width(vm, false);
    if (c.maxphy < 32 || c.maxphy > 52)
        c.maxphy = c.maxphy < 32 ? 32 : 52;

    if (!(c.cr0 & CR0_PG)) {
        out->gpa = la; /* §4.1.1: no paging, linear addresses are physical */
        out->page_end_la = (la | 0xfffu) + 1;
        return HV_WALK_OK;
    }
    /* §4.7: I/D is reported for a fetch with SMEP, or with NXE under PAE or 4-/5-level paging. */
    c.id_bit = (c.cr4 & WALK_CR4_SMEP) || ((c.cr4 & CR4_PAE) && c.nxe);

    enum hv_walk_result r;
    if (!(c.cr4 & CR4_PAE)) {
        c.nxe = false; /* 32-bit paging has no XD bit (§4.3) */
        r = walk32(&c, out);
    } else if (!(efer & EFER_LMA)) {
        /* §4.4.1: PDPTE i for la[31:30]; the processor holds them in the VMCS with EPT (§27.3.2.4). P = 0 is a
         * not-present fault; reserved bits (2:1, 8:5, 63:M) would have made loading them #GP, so a set one
         * (a VMCS the host edited) is treated as a reserved-bit fault. */
        c.la = la & 0xffffffffull;
        uint64_t pdpte = hv_vmread(vm, VMCS_GUEST_PDPTE0 + 2u * (uint32_t)(c.la >> 30));
        uint64_t rsvd = 0x1e6ull | (~0ull << c.maxphy);
        if (!(pdpte & PTE_P))
            r = pf(&c, false, false, out);
        else if (pdpte & rsvd)
            r = pf(&c, true, true, out);
        else
            r = walk64(&c, 2, pdpte, true, out);
    } else {
        bool la57 = (c.cr4 & CR4_LA57) != 0;
        /* §3.3.7.1 / §4.5: linear addresses must be canonical (sign-extended from bit 47, or 56 with LA57);
         * otherwise the access is #GP(0) (#SS(0) for stack references, which the emulator never makes). */
        unsigned top = la57 ? 56 : 47;
        if ((uint64_t)((int64_t)(la << (63 - top)) >> (63 - top)) != la)
            return HV_WALK_GP;
        r = walk64(&c, la57 ? 5 : 4, hv_vmread(vm, VMCS_GUEST_CR3), false, out);
    }
    if (r == HV_WALK_OK)
        set_ad(&c);
    return r;
}

void hv_guest_inject_pf(struct hv_vm *vm, uint64_t la, uint32_t err)
{
    vm->gprs.cr2 = la; /* §6.15 Interrupt 14: CR2 = the linear address that caused the fault */
    hv_inject_exception(vm, VEC_PF, true, err);
}

uint64_t hv_guest_seg_base(struct hv_vm *vm, unsigned seg)
{
    /* VMCS guest segment bases, ES .. GS at 0x6806 + 2 * n (SDM Vol. 3 Appendix B.4.4). */
    if (seg > HV_SEG_GS)
        return 0;
    if (hv_guest_in_64bit_mode(vm))
        return seg >= HV_SEG_FS ? hv_vmread(vm, VMCS_GUEST_ES_BASE + 2u * seg) : 0; /* §3.4.4 */
    return hv_vmread(vm, VMCS_GUEST_ES_BASE + 2u * seg) & 0xffffffffull;
}
