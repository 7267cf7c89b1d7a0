/* VM-entry checks (SDM Vol. 3 §27.2 controls and host state, §27.3 guest state, §27.4 MSR loading; §26 in
 * SDMs before 2023). Each rule is one row: a name, the SDM bullet it implements, and a predicate. The
 * outcome of a failed rule is the hardware's:
 *   controls   -> VMfailValid, VM-instruction error 7
 *   host state -> VMfailValid, VM-instruction error 8
 *   guest      -> VM exit, basic reason 33 with bit 31 set, the rule's exit qualification
 *   MSR load   -> VM exit, basic reason 34 with bit 31 set, qualification = failing entry number (from 1) */
#ifndef SIM_ENTRY_CHECK_H
#define SIM_ENTRY_CHECK_H

#include "sim_profile.h"

#include <hv/vmcs_fields.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ec_class {
    EC_CLASS_CONTROLS = 0,
    EC_CLASS_HOST = 1,
    EC_CLASS_GUEST = 2,
    EC_CLASS_MSR_LOAD = 3,
};

/* Exit qualifications of a VM-entry failure due to invalid guest state (SDM Vol. 3 §27.8, Table 28-?:
 * "Exit Qualification for VM-Entry Failure"): */
#define EC_QUAL_DEFAULT 0u      /* not used / no special meaning */
#define EC_QUAL_PDPTE 2u        /* failure was due to a problem loading the PDPTEs */
#define EC_QUAL_NMI_INJECTION 3u /* failure was due to an attempt to inject a non-maskable interrupt */
#define EC_QUAL_LINK_POINTER 4u /* failure was due to an invalid VMCS link pointer */

/* Physical memory as the checks see it (the VMCS link pointer's VMCS, MSR-load areas, PDPTEs, the
 * virtual-APIC page). read() returns false for memory that does not exist. */
struct ec_memory {
    bool (*read)(void *opaque, uint64_t pa, void *buf, size_t len);
    void *opaque;
};

/* The profile's answers the rules ask for on every run, resolved once (ec_caps_init): RDMSR of each VMX
 * capability MSR with the existence rules of SDM Vol. 3 Appendix A applied, and the few CPUID leaves the rules
 * read. A profile never changes, so a machine computes this at creation; the rules give the same answers with
 * or without it (ec_ctx.caps NULL: they ask the profile each time). */
#define EC_CAPS_CPUID_LEAVES 3 /* CPUID.(7,0), CPUID.0AH, CPUID.80000001H */

struct ec_caps {
    const struct sim_profile *prof; /* what these were computed from; ignored for any other profile */
    uint64_t vmx_msr[SIM_VMX_MSR_COUNT]; /* sim_profile_rdmsr's value: 0 for an MSR the processor lacks */
    struct sim_cpuid_leaf cpuid[EC_CAPS_CPUID_LEAVES];
};

void ec_caps_init(struct ec_caps *k, const struct sim_profile *p);

/* What one run of the checks (ec_run) computes once and several rules read: the in-order scan of the VM-entry
 * MSR-load area, whose result all nine msr_load.* rules need (entry_checks_msr_load.c). ec_run gives each run
 * a fresh memo; a rule called outside ec_run sees none and computes for itself. */
struct ec_memo {
    bool msr_load_scanned;
    uint8_t msr_load_failure; /* entry_checks_msr_load.c's enum msr_failure */
    uint64_t msr_load_entry;  /* the failing entry's number from 1, 0 when none fails */
};

struct ec_ctx {
    const uint64_t *f;              /* VMCS field values, by HV_VMCS_ORD_* */
    const struct sim_profile *prof; /* the processor */
    const struct ec_caps *caps;     /* prof's answers resolved once, or NULL (then asked of prof) */
    struct ec_memo *memo;           /* set by ec_run for the length of a run; NULL otherwise */
    struct ec_memory mem;
    bool host_ia32e;                /* the processor is in IA-32e mode when it executes VMLAUNCH/VMRESUME */
    /* Controls read once per run (0 where the control field does not exist or its activating bit is 0):
     * secondary controls count only when primary bit 31 is 1, tertiary only when primary bit 17 is 1
     * (SDM Vol. 3 §25.6.2), secondary exit controls only when primary exit bit 31 is 1 (§25.7.1). */
    uint32_t pin, proc, proc2, exit_ctls, entry_ctls;
    uint64_t proc3, exit_ctls2;
};

/* Field value by name: EC_F(c, GUEST_RFLAGS). */
#define EC_F(c, NAME) ((c)->f[HV_VMCS_ORD_##NAME])

/* The profile as the rules see it, from c->caps when it holds c->prof's answers:
 * ec_cap_msr  RDMSR of a VMX capability MSR; 0 for an MSR the processor does not have (Appendix A), which
 *             allows no bit of what it would govern;
 * ec_ctl_cap  the capability MSR that bounds a control field: the TRUE_* one when IA32_VMX_BASIC[55] = 1
 *             (SDM Vol. 3 §A.3-§A.5; sim_ctl_capability);
 * ec_cpuid    register r (0 EAX .. 3 EDX) of CPUID leaf/subleaf. */
uint64_t ec_cap_msr(const struct ec_ctx *c, uint32_t msr);
uint64_t ec_ctl_cap(const struct ec_ctx *c, uint32_t msr, uint32_t true_msr);
uint32_t ec_cpuid(const struct ec_ctx *c, uint32_t leaf, uint32_t subleaf, int r);

struct ec_rule {
    const char *name; /* "guest.rflags.reserved" */
    const char *sdm;  /* "Vol. 3 §27.3.1.4: RFLAGS bits 63:22, 15, 5 and 3 must be 0; bit 1 must be 1" */
    uint8_t cls;      /* enum ec_class */
    uint8_t qualification; /* EC_QUAL_* for guest-state rules */
    /* true when the state passes this rule. *detail may be set by a rule that reports more (the MSR-load
     * rules: the failing entry number, counted from 1); it starts at 0. */
    bool (*ok)(const struct ec_ctx *c, uint64_t *detail);
};

/* The rule tables, one per SDM section group. */
extern const struct ec_rule ec_rules_controls[];
extern const size_t ec_rules_controls_count;
extern const struct ec_rule ec_rules_host[];
extern const size_t ec_rules_host_count;
extern const struct ec_rule ec_rules_guest[];
extern const size_t ec_rules_guest_count;
extern const struct ec_rule ec_rules_msr_load[];
extern const size_t ec_rules_msr_load_count;

enum ec_outcome_kind {
    EC_OK = 0,
    EC_VMFAIL = 1,        /* VMfailValid with error */
    EC_ENTRY_FAILURE = 2, /* VM exit with reason | 0x80000000, qualification */
};

struct ec_outcome {
    enum ec_outcome_kind kind;
    uint32_t error;         /* EC_VMFAIL: VM-instruction error number (7 or 8) */
    uint32_t reason;        /* EC_ENTRY_FAILURE: basic exit reason (33 or 34) */
    uint64_t qualification; /* EC_ENTRY_FAILURE: exit qualification */
    const struct ec_rule *rule; /* the rule that failed; NULL when EC_OK */
};

/* Fill the cached controls of c from c->f and c->prof. */
void ec_ctx_load_controls(struct ec_ctx *c);

/* Run every check in SDM order (controls, host state, guest state, MSR loading) and return the first
 * failure, or EC_OK. ec_ctx_load_controls must have been called; c->memo is ignored (the run uses its own). */
struct ec_outcome ec_run(const struct ec_ctx *c);
/* The same, starting at the tables of class `first` (the sim skips §27.2 when it knows its inputs passed). */
struct ec_outcome ec_run_from(const struct ec_ctx *c, enum ec_class first);

/* All rules, for listing and tests: rule i of ec_rule_count(). */
size_t ec_rule_count(void);
const struct ec_rule *ec_rule_at(size_t i);
const struct ec_rule *ec_rule_find(const char *name);

#endif
