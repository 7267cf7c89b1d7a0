/* Guest linear -> guest-physical translation through the GUEST's own paging structures (SDM Vol. 3 Chapter 4),
 * for the instruction emulator of the MMIO path: fetching the faulting instruction (insn_fetch.c) and the
 * memory operands it touches besides the MMIO one (a MOVS source, a STOS destination in RAM).
 *
 * The paging mode is the guest's (SDM Vol. 3 §4.1.1, Table 4-1): none (CR0.PG = 0), 32-bit (CR4.PAE = 0),
 * PAE (IA32_EFER.LMA = 0), 4-level or 5-level (CR4.LA57). The paging structures are guest-physical memory,
 * read through the VM's EPT with hv_gpa_read: a structure that is not RAM or ROM of the VM (MMIO, unmapped)
 * cannot be walked and the translation reports HV_WALK_BAD_TABLE (the caller kills the VM: the processor
 * would have taken an EPT exit for the walk itself, which the core does not emulate). Every value read is the
 * guest's and hostile: the walk is at most 5 reads, every address is masked to MAXPHYADDR, and a reserved bit
 * is a page fault with RSVD set, never a trust decision. */
#ifndef HV_GUEST_WALK_H
#define HV_GUEST_WALK_H

#include "core.h"

/* The access being translated (decides the permission checks and the #PF error code). */
enum hv_walk_access {
    HV_WALK_READ = 0,
    HV_WALK_WRITE = 1,
    HV_WALK_FETCH = 2,
};

enum hv_walk_result {
    HV_WALK_OK = 0,
    HV_WALK_PF,        /* a page fault: error code and CR2 (the linear address) in the fault */
    HV_WALK_GP,        /* a non-canonical linear address in IA-32e mode: #GP(0) (SDM Vol. 3 §3.3.7.1) */
    HV_WALK_BAD_TABLE, /* a paging structure lies outside the VM's RAM/ROM: the walk cannot be done */
};

/* #PF error code bits (SDM Vol. 3 §4.7, Figure 4-12). */
#define PF_ERR_P (1u << 0)    /* 0: not-present page; 1: protection violation */
#define PF_ERR_W (1u << 1)    /* the access was a write */
#define PF_ERR_U (1u << 2)    /* the access was a user-mode access (CPL = 3) */
#define PF_ERR_RSVD (1u << 3) /* a reserved bit was set in a paging-structure entry */
#define PF_ERR_ID (1u << 4)   /* instruction fetch (only with CR4.SMEP, or PAE/4-level paging with EFER.NXE) */

struct hv_walk {
    uint64_t gpa;          /* HV_WALK_OK: the guest-physical address of the linear address */
    uint64_t page_end_la;  /* HV_WALK_OK: first linear address past the page (4 KiB, 2/4 MiB, 1 GiB) */
    uint32_t error_code;   /* HV_WALK_PF: the #PF error code */
    uint64_t table_gpa;    /* HV_WALK_BAD_TABLE: the entry that could not be read */
};

/* Translate linear address la for access at privilege level cpl (0-3; 3 = user-mode access, SDM Vol. 3
 * §4.6). Sets accessed flags (and the dirty flag of the leaf for a write) in the guest's entries when the
 * translation succeeds, as the processor does (§4.8). */
enum hv_walk_result hv_guest_translate(struct hv_vm *vm, uint64_t la, enum hv_walk_access access, unsigned cpl,
                                       struct hv_walk *out);

/* Inject #PF with error code err and CR2 = la (SDM Vol. 3 §6.15 "Interrupt 14": CR2 holds the faulting linear
 * address). CR2 is not part of the VMCS: it goes into vm->gprs.cr2, which the enter routine loads. */
void hv_guest_inject_pf(struct hv_vm *vm, uint64_t la, uint32_t err);

/* The guest's linear-address view: whether it runs 64-bit code, and the base of a segment as the processor
 * uses it (in 64-bit mode the bases of ES, CS, SS and DS are treated as 0, SDM Vol. 3 §3.4.4). seg is enum
 * hv_seg of hv/decode.h (0 ES .. 5 GS). */
uint64_t hv_guest_seg_base(struct hv_vm *vm, unsigned seg);


/* ---- instruction fetch (insn_fetch.c) ------------------------------------------------------------------
 * The bytes of the instruction at guest CS:RIP, for the decoder (hv/decode.h). Up to HV_INSN_MAX_LEN bytes
 * are read; an instruction may cross into a second page, which is walked separately. Fetching stops at the
 * first byte that cannot be read; why is kept in `stop` and NOT raised here: the second page's fault is the
 * guest's business only when the instruction really extends into it, which only the decoder can say (it
 * answers "truncated"). */
struct hv_fetch {
    uint8_t bytes[15];         /* HV_INSN_MAX_LEN (SDM Vol. 2 §2.3.11) */
    unsigned n;                /* bytes fetched (0..15) */
    unsigned mode;             /* enum hv_cpu_mode: 64, 32 or 16 (CS.L, CS.D; SDM Vol. 3 §5.2.1) */
    uint64_t rip, la;          /* guest RIP and the linear address of the first byte (CS base + RIP) */
    enum hv_walk_result stop;  /* why fetching stopped before 15 bytes: OK (15 bytes, or the bytes are not
                                * RAM/ROM of the VM), PF/GP (a fault at stop_la), BAD_TABLE */
    uint64_t stop_la;          /* the linear address fetching stopped at */
    uint32_t stop_error;       /* stop == HV_WALK_PF: the error code */
};
/* Fill f. Returns the outcome for the FIRST byte: HV_WALK_OK (n >= 0 bytes), or the fault/failure of the first
 * byte's page (n = 0; the caller raises it). */
enum hv_walk_result hv_insn_fetch(struct hv_vm *vm, struct hv_fetch *f);
/* Raise the fault recorded in f->stop (#PF with CR2, or #GP(0)). false when stop is not a fault. */
bool hv_fetch_raise(struct hv_vm *vm, const struct hv_fetch *f);

#endif
