/* The sim's EPT: guest-physical address translation through the extended page tables the core built in the
 * sim's physical memory, as the processor does it (SDM Vol. 3 §29.3, "EPT" in current SDMs).
 *
 * sim_ept_translate walks the tables an EPTP (VMCS field 0x201a) names — 4 or 5 levels per EPTP bits 5:3 —
 * and decides the outcome of one access the way §29.3.3 orders it:
 *   misconfiguration (§29.3.3.1), checked on every entry the walk uses, wins over a violation: bits 2:0 =
 *     010b or 110b; 100b without execute-only support (IA32_VMX_EPT_VPID_CAP bit 0); a reserved bit in a
 *     present entry (address bits 51:maxphyaddr; bits 7:3 of a PML5E/PML4E; bits 6:3 of a PDPTE/PDE that
 *     references a table; bits 29:12 / 20:12 of a 1-GiB / 2-MiB leaf; bit 7 of a PDPTE/PDE when the
 *     processor has no 1-GiB / 2-MiB pages, IA32_VMX_EPT_VPID_CAP bits 17/16); a leaf with memory type 2, 3
 *     or 7;
 *   violation (§29.3.3.2): a not-present entry (bits 2:0 = 000b) stops the walk; or the access type is not
 *     allowed by the AND of the R/W/X bits of every entry used;
 *   otherwise the access reaches host-physical memory.
 * The violation's exit qualification (§28.2.1, Table 28-7) is built here: bits 2:0 the access, bits 5:3 the
 * AND of the R/W/X bits of the entries used (0 when one was not present). Bits 7/8 (guest linear address
 * valid, access to the translation of it) describe the instruction, not the tables: the caller adds them.
 *
 * Accessed/dirty flags (§29.3.5) are set when the caller asks (an access that really happens) and the
 * EPTP enables them (bit 6): bit 8 of every entry used, bit 9 of the leaf on a write. The sim sets them only
 * for an access that translates successfully (the SDM lets a processor set accessed flags of an access that
 * faults; the sim chooses not to, so a resolution that exits changes no memory).
 *
 * Nothing in the tables is trusted: a table address outside the sim's memory reads as all ones (no memory
 * answers), which has reserved bits set and is therefore a misconfiguration, never a crash. Mode-based
 * execute control (bit 10, user execute), sub-page permissions, #VE and supervisor shadow stacks are not
 * modelled: those bits are treated as ignored. */
#ifndef SIM_EPT_H
#define SIM_EPT_H

#include "sim_machine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Access types (the bits of Table 28-7 bits 2:0). */
#define SIM_EPT_READ 1u
#define SIM_EPT_WRITE 2u
#define SIM_EPT_FETCH 4u

/* EPT entry bits (SDM Vol. 3 §29.3.2, Tables 29-1..29-7). */
#define SIM_EPTE_R (1ull << 0)
#define SIM_EPTE_W (1ull << 1)
#define SIM_EPTE_X (1ull << 2)
#define SIM_EPTE_MEMTYPE(e) (((e) >> 3) & 7u) /* leaf bits 5:3 */
#define SIM_EPTE_LARGE (1ull << 7)            /* PDPTE/PDE bit 7: maps a 1-GiB / 2-MiB page */
#define SIM_EPTE_ACCESSED (1ull << 8)         /* §29.3.5 */
#define SIM_EPTE_DIRTY (1ull << 9)            /* §29.3.5, leaves only */

/* EPT violation exit qualification bits (SDM Vol. 3 §28.2.1, Table 28-7). */
#define SIM_EPTQ_READ (1ull << 0)
#define SIM_EPTQ_WRITE (1ull << 1)
#define SIM_EPTQ_FETCH (1ull << 2)
#define SIM_EPTQ_READABLE (1ull << 3)
#define SIM_EPTQ_WRITABLE (1ull << 4)
#define SIM_EPTQ_EXECUTABLE (1ull << 5)
#define SIM_EPTQ_GLA_VALID (1ull << 7)
#define SIM_EPTQ_GLA_TRANSLATED (1ull << 8)
#define SIM_EPTQ_NMI_UNBLOCKING (1ull << 12)

/* What the processor supports, from IA32_VMX_EPT_VPID_CAP (SDM Vol. 3 §A.10) and CPUID.80000008H. */
struct sim_ept_caps {
    bool execute_only; /* bit 0: bits 2:0 = 100b allowed */
    bool walk4, walk5; /* bits 6, 7: page-walk lengths */
    bool pde_2mb;      /* bit 16 */
    bool pdpte_1gb;    /* bit 17 */
    bool ad;           /* bit 21 */
    unsigned maxphyaddr;
};
struct sim_ept_caps sim_ept_caps_of(const struct sim_machine *m);

enum sim_ept_outcome {
    SIM_EPT_OK = 0,
    SIM_EPT_VIOLATION,  /* exit 48 */
    SIM_EPT_MISCONFIG,  /* exit 49 */
    SIM_EPT_BAD_EPTP,   /* walk length or address the processor would not accept (VM entry refuses it) */
};

struct sim_ept_walk {
    enum sim_ept_outcome outcome;
    uint64_t hpa;           /* OK: the host-physical address of the access */
    uint64_t page_size;     /* OK: 4 KiB, 2 MiB or 1 GiB */
    uint64_t qualification; /* VIOLATION: Table 28-7 bits 5:0 */
    unsigned levels;        /* 4 or 5 */
    unsigned level;         /* the last entry looked at: 5 PML5E, 4 PML4E, 3 PDPTE, 2 PDE, 1 PTE */
    uint64_t entry;         /* its value */
    uint64_t entry_pa;      /* its host-physical address */
    const char *rule;       /* MISCONFIG / BAD_EPTP: which rule, e.g. "bits 2:0 = 010b (write-only)" */
};

/* Translate gpa for access (SIM_EPT_READ/WRITE/FETCH). set_ad: set accessed/dirty flags when the EPTP
 * enables them and the access succeeds. */
void sim_ept_translate(struct sim_machine *m, const struct sim_ept_caps *caps, uint64_t eptp, uint64_t gpa,
                       unsigned access, bool set_ad, struct sim_ept_walk *out);

/* Walk every present entry of the tables (for oracles and benchmarks). Each entry whose bits 2:0 are not
 * 000b is visited once, top-down: a reference to a table (visited before its entries), a leaf, or an entry
 * that is misconfigured (not descended). The root table is visited first as a table of level levels+1. A
 * table reached a second time (two entries naming the same frame) is reported with `shared` and not walked
 * again, so the work is bounded by the machine's pages whatever the tables contain. */
enum sim_ept_node_kind { SIM_EPT_NODE_TABLE, SIM_EPT_NODE_LEAF, SIM_EPT_NODE_MISCONFIG };
struct sim_ept_node {
    enum sim_ept_node_kind kind;
    unsigned level;     /* of the entry (root table: levels + 1) */
    uint64_t gpa, size; /* the guest-physical range the entry covers */
    uint64_t entry, entry_pa;
    uint64_t frame;     /* TABLE: the table's address; LEAF: the page's; MISCONFIG: bits 51:12 as written */
    unsigned rwx;       /* AND of bits 2:0 of this entry and the ones above it */
    bool shared;        /* TABLE: reached before through another entry */
    const char *rule;   /* MISCONFIG: the rule */
};
/* fn returns false to stop. Returns false when stopped or the EPTP itself is bad. */
typedef bool (*sim_ept_visit_fn)(void *opaque, const struct sim_ept_node *n);
bool sim_ept_for_each(struct sim_machine *m, const struct sim_ept_caps *caps, uint64_t eptp, sim_ept_visit_fn fn,
                      void *opaque);

#endif
