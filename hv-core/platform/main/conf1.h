/* What the conformance cases of part 1 (CPU, exits, EPT, MMIO, VM lifecycle: main/conf_*.c) share: one
 * PROGRAM64 guest per case, stepped exit by exit so every exit's RIP advance is measured, then checked
 * against the case's expectations:
 *   - the exits in order: basic reason, the handler's action, the instruction length where the SDM defines it
 *     (§28.2.5), the qualification under a mask (§28.2.1), and RIP after the exit minus RIP before it (the
 *     instruction's length when the core retired it, 0 when it restarts or a fault was injected: §27.6.1.1);
 *   - the 64-bit values the guest stored into its result page (guests/conf1_layout.h) — what it observed;
 *   - how the run ended (halted, killed with a message containing a given text), every page back after
 *     hv_vm_destroy (the VM's quota and tables), and the case's own checks (a hook).
 * One line: "HVKIT-RESULT conf-<name> PASS|FAIL|SKIP|REFUSED <detail>". */
#ifndef HVKIT_CONF1_H
#define HVKIT_CONF1_H

#include "../guests/conf1_layout.h"
#include "main.h"

#include <hv/exit_reasons.h>

#define CONF1_MAX_STEPS 256u /* a runaway guest is cut off here */

struct conf1_exit {
    uint32_t reason;
    enum hv_exit_action action;
    uint32_t len;                 /* 0: not checked (EPT exits: undefined, §28.2.5) */
    const uint8_t *rip;           /* where RIP must be after the exit's handling: a label in the guest program
                                   * (its GPA = CONF1_CODE_GPA + offset in the blob); NULL: not checked */
    uint64_t qual, qual_mask;     /* (qualification & qual_mask) == qual */
};

struct conf1_run;
typedef bool (*conf1_hook)(struct conf1_run *r); /* false: test_vm_fail was called (r->t.why says why) */

struct conf1_case {
    const char *name;             /* "conf-<case>": the hvkit.test name and the HVKIT-RESULT's test */
    const uint8_t *code, *code_end;
    uint64_t memory_size;         /* 0: CONF1_MEMORY */
    uint64_t quota_pages;         /* 0: all of RAM */
    bool mmio_unsupported_kills;
    bool lazy_stack;              /* leave the stack page unbacked (the first push is an EPT violation) */
    uint32_t devices;             /* hv_vm_config.devices (HV_DEV_*): 0, none */
    hv_notify_fn notify;          /* hv_vm_config.notify (HV_DEV_IPC) and its opaque */
    void *notify_opaque;
    unsigned vm_index_offset;     /* VM index = VM_INDEX_CONF_BASE + this */
    const struct conf1_exit *exits;
    unsigned nexits;
    const uint64_t *results;      /* expected result slots 0..nresults-1 */
    unsigned nresults;
    uint64_t skip_slots;          /* bit i: slot i is the check hook's (a value known only after the run) */
    enum hv_step_result end;      /* HV_STEP_HALTED or HV_STEP_KILLED */
    const char *kill_text;        /* killed: vm->message must contain it */
    conf1_hook setup;             /* after the VM is created and the program loaded (regions, data) */
    conf1_hook check;             /* after the run, before hv_vm_destroy */
    conf1_hook check_after;       /* after hv_vm_destroy and the page balance */
};

struct conf1_run {
    const struct conf1_case *cs;
    struct hvkit_cpu *cpu;
    struct test_vm t;
    enum hv_step_result end;
    unsigned steps;
    uint64_t rip_after[CONF1_MAX_STEPS];  /* guest RIP after each step (~0: unreadable) */
    uint64_t got[CONF1_RESULT_SLOTS];  /* the result page after the run */
    /* HV_TRACE_ENTRY_FALLBACK events (VMRESUME failed with error 5, VMLAUNCH followed: SDM Vol. 3 §31.4),
     * seen by conf1's trace wrapper around exit_trace: how many, and how many exits preceded each. */
    unsigned fallbacks;
    unsigned fallback_after_exits[4];
    void *priv;                        /* the case's own state */
};

/* The VM indices of part 1: VM_INDEX_CONF_BASE (main.h) when the lead has it, else past the existing tests. */
#ifndef VM_INDEX_CONF_BASE
#define VM_INDEX_CONF_BASE (PLATFORM_MAX_CPUS + 16u)
#endif

/* Run one case on the BSP and print its HVKIT-RESULT line. */
enum test_outcome conf1_run_case(const struct conf1_case *cs, const struct test_options *opt, void *priv);

/* The pieces, for cases that run more than one VM (two-vms, triple-fault): */
enum test_outcome conf1_start(struct conf1_run *r, const struct conf1_case *cs, struct hvkit_cpu *c,
                              const struct test_options *opt);
enum hv_step_result conf1_step(struct conf1_run *r);          /* one step, RIPs recorded */
bool conf1_check(struct conf1_run *r);                         /* exits, results, end, hook check */
bool conf1_finish(struct conf1_run *r);                        /* destroy, page balance, check_after */
/* Cases with a VM after another (hypercall-abi, triple-fault, vmlaunch-fallback): VM k of cases[0..n) is
 * started into runs[k], run to its end, checked and destroyed before VM k+1 starts. The first VM that does not
 * pass prints the test's HVKIT-RESULT line ("VM <A+k>: why"); on TEST_PASS the caller prints PASS. */
enum test_outcome conf1_run_in_turn(struct conf1_run *runs, const struct conf1_case *const *cases, unsigned n,
                                    const struct test_options *opt);
bool conf1_contains(const char *s, const char *needle);
uint64_t conf1_guest_rip(struct conf1_run *r);                 /* VMREAD of the current VMCS */
/* The first entry of a VM is a VMRESUME of a never-launched VMCS: VMfailValid(5), then VMLAUNCH (SDM Vol. 3
 * §31.4, vcpu.c): exactly one HV_TRACE_ENTRY_FALLBACK, before the VM's first exit. False (why set) otherwise. */
bool conf1_check_one_fallback(struct conf1_run *r);


/* The MMIO device of the mmio-* cases at CONF1_MMIO_GPA: regs is what reads return (preset by the case,
 * updated by writes); log holds every transfer as the core delivered it (reads: the value returned). */
#define CONF1_MMIO_LOG 160u
struct conf1_mmio_dev {
    uint8_t regs[CONF1_MMIO_SIZE];
    unsigned n;
    struct hv_mmio_access log[CONF1_MMIO_LOG];
};
bool conf1_mmio_attach(struct conf1_run *r, struct conf1_mmio_dev *d);
bool conf1_mmio_check_log(struct conf1_run *r, const struct conf1_mmio_dev *d, const struct hv_mmio_access *want,
                          unsigned n);

/* An mmio-* case: one guest program whose MMIO accesses each exit (EPT misconfiguration, §29.3.3.1) and are
 * resumed, ending in HLT; the device at CONF1_MMIO_GPA starts zeroed, then preset by the case; after the run
 * the device must have seen exactly the transfers listed, in order. */
typedef bool (*conf1_mmio_preset)(struct conf1_run *r, uint8_t *regs); /* false: test_vm_fail was called */
struct conf1_mmio_case {
    const char *name;                         /* "conf-<case>" */
    const uint8_t *code, *code_end;
    const struct conf1_exit *exits;
    unsigned nexits;
    const uint64_t *results;                  /* expected result slots 0..nresults-1 */
    unsigned nresults;
    const struct hv_mmio_access *transfers;   /* what the device must see */
    unsigned ntransfers;
    conf1_mmio_preset preset;                 /* NULL: every register reads 0 */
};
/* Runs it with conf1_run_case (halted at the end, every page back) and prints its HVKIT-RESULT line. */
enum test_outcome conf1_run_mmio_case(const struct conf1_mmio_case *mc, const struct test_options *opt);
/* Its exits: an EPT misconfiguration per MMIO access, resumed with RIP at the label rip (the length of the
 * instruction is undefined for this exit, §28.2.5), then the final HLT (length 1). */
#define CONF1_MMIO_EXIT(rip) {HV_EXIT_EPT_MISCONFIG, HV_EXIT_RESUME, 0, rip, 0, 0}
#define CONF1_HLT_EXIT {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, 0}
/* An initializer: the guest program hvkit_guest_<blob>_start.._end, and the case's arrays with their lengths. */
#define CONF1_COUNT(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))
#define CONF1_MMIO_CASE(test, blob, exits_, results_, transfers_, preset_)                                     \
    {                                                                                                          \
        .name = (test), .code = hvkit_guest_##blob##_start, .code_end = hvkit_guest_##blob##_end,              \
        .exits = (exits_), .nexits = CONF1_COUNT(exits_), .results = (results_),                               \
        .nresults = CONF1_COUNT(results_), .transfers = (transfers_), .ntransfers = CONF1_COUNT(transfers_),   \
        .preset = (preset_),                                                                                   \
    }

#endif
