/* The simulated machine: logical processors, host-physical memory and its page pool, fault injection.
 *
 * There is no global state: everything a simulated run owns hangs off one struct sim_machine, so any number
 * of machines (one per fuzz input, one per test) can exist side by side.
 *
 * Physical memory is one arena of N 4-KiB pages at host-physical addresses [SIM_PHYS_BASE, SIM_PHYS_BASE +
 * N * 4096). Address 0 is never memory, so a zero "address" from the core is always caught. Every page of the
 * arena is also in the page pool (hv_arch_page_alloc draws from it); each page carries an owner tag so that
 * later oracles can check which VM a frame belongs to (DESIGN §3, §5.4).
 *
 * Faults. A real VMX instruction can raise #UD or #GP(0) instead of completing; struct hv_vmx_result cannot
 * say so. The sim reports a fault as follows (see sim_cpu_last_fault):
 *   - the instruction returns HV_VMFAIL_INVALID with error 0 (so a core that ignores faults still sees a
 *     failure and never proceeds as if the instruction had worked), and has no other architectural effect;
 *   - the CPU's fault record holds the vector (VEC_UD / VEC_GP), the instruction and a reason naming
 *     the SDM condition; fault_count counts every fault since the machine was made.
 * Every VMX instruction clears the record when it starts, so after an instruction the record describes that
 * instruction only. On hardware such a fault in VMX root operation would crash the host: oracles treat a
 * nonzero fault_count as a core bug. MOV to CR0/CR4 and WRMSR faults are recorded the same way.
 */
#ifndef SIM_MACHINE_H
#define SIM_MACHINE_H

#include "entry_check.h"
#include "sim_entry_memo.h"
#include "sim_profile.h"

#include <hv/arch.h>
#include <hv/x86.h> /* VEC_UD, VEC_GP, VEC_PF: the exception vectors the VMX instructions can raise */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_CPUS 8u
#define SIM_PAGE_SIZE 4096u
#define SIM_PHYS_BASE 0x100000ull        /* first host-physical address of the arena */
#define SIM_MAX_PAGES (1u << 20)         /* 4 GiB of simulated memory at most */
#define SIM_NO_VMCS 0xffffffffffffffffull /* current-VMCS pointer "invalid" (SDM Vol. 3 §25.1) */

/* Page owner tags. Pages are tagged with the machine's allocation owner when allocated. */
#define SIM_OWNER_FREE 0u
#define SIM_OWNER_HOST 1u
#define SIM_OWNER_NONE 0xffffffffu /* sim_page_owner of an address that is not memory */

/* Initial processor state: a 64-bit host as after a typical OS boot (SDM Vol. 3 §2.5, §2.2.1). CR4.VMXE is 0
 * so that software must set it before VMXON, as on hardware. */
#define SIM_RESET_CR0 0x80050033ull /* PG AM WP NE ET MP PE */
#define SIM_RESET_CR4 0x20ull       /* PAE */
#define SIM_RESET_EFER 0xd01ull     /* NXE LMA LME SCE: IA-32e mode */

#define SIM_CPU_MSR_SLOTS 32u

struct sim_machine;

/* VMX instructions, for fault injection and fault records. */
enum sim_insn {
    SIM_INSN_ANY = 0, /* injection: whichever VMX instruction comes next */
    SIM_INSN_VMXON,
    SIM_INSN_VMXOFF,
    SIM_INSN_VMCLEAR,
    SIM_INSN_VMPTRLD,
    SIM_INSN_VMPTRST,
    SIM_INSN_VMREAD,
    SIM_INSN_VMWRITE,
    SIM_INSN_VMLAUNCH,
    SIM_INSN_VMRESUME,
    SIM_INSN_INVEPT,
    SIM_INSN_INVVPID,
    SIM_INSN_MOV_CR,  /* fault records only */
    SIM_INSN_WRMSR,   /* fault records only */
    SIM_INSN_COUNT
};
const char *sim_insn_name(enum sim_insn insn);

struct sim_fault {
    bool raised;
    uint8_t vector;     /* VEC_UD or VEC_GP */
    enum sim_insn insn;
    const char *reason; /* the SDM condition, e.g. "VMXON: CR4.VMXE = 0 (SDM Vol. 3 §31.3)" */
};

/* A VM exit as the (simulated) guest causes it; written to the VMCS exit-information fields (§28.2). */
struct sim_exit {
    uint32_t reason; /* exit-reason field (basic reason in bits 15:0) */
    uint64_t qualification;
    uint32_t instr_len;
    uint32_t instr_info;
    uint32_t intr_info; /* VM-exit interruption information (bit 31 valid) */
    uint32_t intr_error;
    uint64_t guest_linear;
    uint64_t guest_phys;
};

/* A guest model: called on each successful VM entry; runs the guest (it may change gprs and the VMCS guest
 * state) and fills *exit with the exit that ends the run. */
typedef void (*sim_guest_fn)(struct hv_arch_cpu *cpu, struct hv_guest_gprs *gprs, struct sim_exit *exit,
                             void *opaque);

/* One logical processor. Fields are the architectural state the VMX instructions read and write; code
 * outside harness/sim uses the functions below rather than poking them. */
struct hv_arch_cpu {
    struct sim_machine *m;
    unsigned id;
    uint64_t cr0, cr3, cr4;
    uint64_t efer;            /* IA32_EFER */
    uint64_t feature_control; /* IA32_FEATURE_CONTROL */
    /* VMX state (SDM Vol. 3 §24, §25.1) */
    bool in_vmx_operation;
    hv_paddr_t vmxon_ptr;
    hv_paddr_t current_vmcs; /* SIM_NO_VMCS when there is none */
    uint32_t vmx_session;    /* which VMXON this is (machine-wide counter); see error 6 in sim_vmx.c */
    bool in_smm;             /* not modelled beyond this flag: always false */
    bool blocking_mov_ss;    /* "blocking by MOV SS" (error 26); cleared by VM exit */
    /* fault record (see top of file) */
    struct sim_fault fault;
    uint64_t fault_count;
    /* what the guest does next (sim_cpu_set_next_exit / sim_cpu_set_guest) */
    bool next_exit_pending;
    struct sim_exit next_exit;
    sim_guest_fn guest;
    void *guest_opaque;
    /* other MSRs the core wrote (RDMSR of an implemented MSR never written returns its reset value) */
    unsigned nmsrs;
    struct {
        uint32_t index;
        uint64_t value;
    } msrs[SIM_CPU_MSR_SLOTS];
    /* the outcome of the last VM-entry check run (rule == NULL when it passed or none ran) */
    struct ec_outcome last_entry;
    struct sim_entry_memo entry_memo; /* inputs of the last passing §27.2 checks (sim_entry_memo.h) */
    uint64_t vm_entries; /* successful VM entries */
    uint64_t vmx_instructions; /* VMX instructions executed (the liveness oracle's measure of work) */
    uint64_t vm_exits;   /* VM exits, including VM-entry failures */
    uint64_t time_ns;    /* the virtual monotonic clock hv_arch_time_ns reads (sim_time.h) */
};

/* Machine lifetime. pages: arena size (1..SIM_MAX_PAGES, and the arena must fit below 2^maxphyaddr);
 * ncpus: 1..SIM_MAX_CPUS. NULL on bad arguments or out of memory. */
struct sim_machine *sim_machine_create(const struct sim_profile *prof, size_t pages, unsigned ncpus);
void sim_machine_destroy(struct sim_machine *m);

/* Reuse (fuzzing: issue 7's cheap reset). A machine remembers which pages of its memory may have changed
 * (every host pointer into memory comes from sim_phys_ptr, and every allocation zeroes its page), so going
 * back costs in proportion to what was dirtied, not to the memory's size.
 * sim_machine_reset: the machine becomes what sim_machine_create(profile, pages, ncpus) would give — memory
 *   all zero, every page free, CPUs at reset, no injection, no snapshot, no log callback — with pages <=
 *   sim_machine_capacity (the pages it was created with). false (nothing changed) when pages is 0, above the
 *   capacity or beyond the profile's physical-address width.
 * sim_machine_snapshot: remember the whole machine state now (memory, pool, owner tags, CPUs, injections);
 *   false on out of memory (then there is no snapshot).
 * sim_machine_restore: go back to the snapshot (which stays for the next restore); false when there is none. */
size_t sim_machine_capacity(const struct sim_machine *m);
bool sim_machine_reset(struct sim_machine *m, size_t pages);
bool sim_machine_snapshot(struct sim_machine *m);
bool sim_machine_restore(struct sim_machine *m);
bool sim_machine_has_snapshot(const struct sim_machine *m);
const struct sim_profile *sim_machine_profile(const struct sim_machine *m);
/* The profile's answers the VM-entry checks ask for, resolved at creation (entry_check.h, struct ec_caps). */
const struct ec_caps *sim_machine_ec_caps(const struct sim_machine *m);
/* sim_profile_has_vmcs_field of the machine's profile, from a table made at creation (VMREAD/VMWRITE ask on
 * every access). */
bool sim_machine_has_vmcs_field(const struct sim_machine *m, int field_ordinal);
/* The VM-entry checks of VMLAUNCH/VMRESUME (SDM Vol. 3 §27.2-§27.4), on by default. Off, VM entry treats every
 * VMCS as passing them: NOT faithful to the SDM (a VMCS hardware would refuse enters anyway, and the
 * entry-check oracle has nothing to look at). For benchmarks that measure the core and the sim without the
 * checks, nothing else. */
void sim_machine_set_entry_checks(struct sim_machine *m, bool on);
bool sim_machine_entry_checks(const struct sim_machine *m);
unsigned sim_machine_ncpus(const struct sim_machine *m);
struct hv_arch_cpu *sim_machine_cpu(struct sim_machine *m, unsigned i); /* NULL when i >= ncpus */

/* The last EPTP sim_eptp_invalid judged and its verdict: the core invalidates with its own EPTP again and
 * again, and judging one runs the VM-entry rules on it. The verdict depends only on the EPTP and the profile,
 * so the memo is not machine state (snapshots and resets keep it). */
struct sim_eptp_memo {
    bool valid;
    uint64_t eptp;
    const char *rule; /* NULL: valid */
};
struct sim_eptp_memo *sim_machine_eptp_memo(struct sim_machine *m);

/* Physical memory. sim_phys_ptr: host pointer to [pa, pa+len), or NULL when any of it is outside the arena
 * (len 0 counts as 1). read/write return false (and copy nothing) in that case. */
void *sim_phys_ptr(struct sim_machine *m, uint64_t pa, size_t len);
bool sim_phys_read(struct sim_machine *m, uint64_t pa, void *buf, size_t len);
bool sim_phys_write(struct sim_machine *m, uint64_t pa, const void *buf, size_t len);
/* sim_phys_read with the machine as opaque pointer: the struct ec_memory read callback. */
bool sim_phys_read_cb(void *machine, uint64_t pa, void *buf, size_t len);
struct ec_memory sim_machine_ec_memory(struct sim_machine *m);
/* Bits in a physical address the VMX instructions accept: maxphyaddr, or 32 when IA32_VMX_BASIC[48] = 1
 * (SDM Vol. 3 §A.1). */
unsigned sim_machine_vmx_addr_width(const struct sim_machine *m);
/* The processor's physical-address width (CPUID.80000008H:EAX[7:0], clamped to 1..52). */
unsigned sim_machine_phys_width(const struct sim_machine *m);

/* Page pool. alloc returns a zeroed page tagged with the current allocation owner, or 0 when the pool is
 * empty or a failure was injected. free of an address that is not an allocated page is ignored and counted
 * (sim_bad_frees): the core freeing what it does not own is a bug an oracle reports. */
hv_paddr_t sim_page_alloc(struct sim_machine *m);
void sim_page_free(struct sim_machine *m, hv_paddr_t pa);
size_t sim_pages_in_use(const struct sim_machine *m);
size_t sim_pages_total(const struct sim_machine *m);
uint64_t sim_bad_frees(const struct sim_machine *m);
uint32_t sim_page_owner(const struct sim_machine *m, hv_paddr_t pa); /* SIM_OWNER_NONE outside memory */
void sim_page_set_owner(struct sim_machine *m, hv_paddr_t pa, uint32_t owner); /* allocated pages only */
uint32_t sim_machine_set_alloc_owner(struct sim_machine *m, uint32_t owner);   /* returns the previous one */

/* Fault injection (DESIGN §4 raw events).
 * sim_inject_page_alloc_failure: the allocation after `after` more successful ones fails (0 = the next).
 * sim_inject_vmx_failure: the next VMX instruction of kind insn (SIM_INSN_ANY: any kind), on any CPU of the
 *   machine, does nothing and returns status/error as given: HV_VMFAIL_VALID with `error` (also written to
 *   the VM-instruction error field when there is a current VMCS) or HV_VMFAIL_INVALID. It is applied before
 *   the instruction's own checks, so it can produce outcomes hardware never would: that is its purpose.
 * sim_inject_clear: cancel both. */
void sim_inject_page_alloc_failure(struct sim_machine *m, unsigned after);
void sim_inject_vmx_failure(struct sim_machine *m, enum sim_insn insn, enum hv_vmx_status status,
                            uint32_t error);
void sim_inject_clear(struct sim_machine *m);
/* Whether a VMX-instruction failure is armed and has not fired yet. */
bool sim_vmx_injection_armed(const struct sim_machine *m);
/* For sim_vmx*.c: consume a pending VMX-instruction injection matching insn; true when one applied. */
bool sim_take_vmx_injection(struct sim_machine *m, enum sim_insn insn, struct hv_vmx_result *out);
/* For VMXON: a fresh, nonzero VMX session number (machine-wide). */
uint32_t sim_machine_next_vmx_session(struct sim_machine *m);

/* Per-CPU helpers. */
const struct sim_fault *sim_cpu_last_fault(const struct hv_arch_cpu *cpu);
uint64_t sim_cpu_fault_count(const struct hv_arch_cpu *cpu);
/* Record a fault (used by the instruction models). */
void sim_cpu_raise(struct hv_arch_cpu *cpu, enum sim_insn insn, uint8_t vector, const char *reason);
/* The next VM entry's guest causes this exit (one shot; takes precedence over the guest model). */
void sim_cpu_set_next_exit(struct hv_arch_cpu *cpu, uint32_t reason, uint64_t qualification, uint32_t instr_len);
void sim_cpu_set_next_exit_full(struct hv_arch_cpu *cpu, const struct sim_exit *exit);
void sim_cpu_set_guest(struct hv_arch_cpu *cpu, sim_guest_fn fn, void *opaque);
/* Events blocked by MOV SS (the instruction before VMLAUNCH/VMRESUME was MOV SS or POP SS). */
void sim_cpu_set_mov_ss_blocking(struct hv_arch_cpu *cpu, bool on);
const struct ec_outcome *sim_cpu_last_entry_check(const struct hv_arch_cpu *cpu);

/* Log lines from hv_arch_log go to this callback (default: discarded). */
typedef void (*sim_log_fn)(void *opaque, unsigned cpu, const char *line);
void sim_machine_set_log(struct sim_machine *m, sim_log_fn fn, void *opaque);
void sim_machine_log(struct sim_machine *m, unsigned cpu, const char *line);

#endif
