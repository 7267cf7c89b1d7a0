/* The VM-entry check runner: the rule tables in SDM order and their outcomes (entry_check.h). */
#include "entry_check.h"
#include "vmcs_template.h"

#include <hv/vmx_controls.h>
#include <string.h>

/* ---- the profile's answers, resolved once --------------------------------------------------------------- */

/* The CPUID leaves (subleaf 0) the rules read: 7 (RTM, SGX, bus-lock detection), 0AH (performance
 * monitoring: IA32_PERF_GLOBAL_CTRL) and 80000001H (the IA32_EFER bits). Another leaf still works, asked of
 * the profile. */
static const uint32_t caps_cpuid_leaves[EC_CAPS_CPUID_LEAVES] = {7, 0xa, 0x80000001u};

void ec_caps_init(struct ec_caps *k, const struct sim_profile *p)
{
    memset(k, 0, sizeof *k);
    k->prof = p;
    for (uint32_t i = 0; i < SIM_VMX_MSR_COUNT; i++)
        sim_profile_rdmsr(p, SIM_VMX_MSR_FIRST + i, &k->vmx_msr[i]); /* 0 when the MSR does not exist */
    for (int i = 0; i < EC_CAPS_CPUID_LEAVES; i++) {
        uint32_t out[4];
        sim_profile_cpuid(p, caps_cpuid_leaves[i], 0, out);
        k->cpuid[i] = (struct sim_cpuid_leaf){caps_cpuid_leaves[i], 0, out[0], out[1], out[2], out[3]};
    }
}

/* c->caps when it describes c's processor. */
static const struct ec_caps *caps_of(const struct ec_ctx *c)
{
    return c->caps && c->caps->prof == c->prof ? c->caps : NULL;
}

uint64_t ec_cap_msr(const struct ec_ctx *c, uint32_t msr)
{
    const struct ec_caps *k = caps_of(c);
    if (k && msr >= SIM_VMX_MSR_FIRST && msr < SIM_VMX_MSR_FIRST + SIM_VMX_MSR_COUNT)
        return k->vmx_msr[msr - SIM_VMX_MSR_FIRST];
    uint64_t v = 0;
    sim_profile_rdmsr(c->prof, msr, &v); /* 0 on #GP */
    return v;
}

uint64_t ec_ctl_cap(const struct ec_ctx *c, uint32_t msr, uint32_t true_msr)
{
    return ec_cap_msr(c, sim_ctl_capability_msr(c->prof, msr, true_msr));
}

uint32_t ec_cpuid(const struct ec_ctx *c, uint32_t leaf, uint32_t subleaf, int r)
{
    const struct ec_caps *k = caps_of(c);
    for (int i = 0; k && i < EC_CAPS_CPUID_LEAVES; i++)
        if (k->cpuid[i].leaf == leaf && k->cpuid[i].subleaf == subleaf) {
            const struct sim_cpuid_leaf *l = &k->cpuid[i];
            return r == 0 ? l->eax : r == 1 ? l->ebx : r == 2 ? l->ecx : l->edx;
        }
    uint32_t out[4] = {0, 0, 0, 0};
    sim_profile_cpuid(c->prof, leaf, subleaf, out);
    return out[r];
}

/* ---- the runner ------------------------------------------------------------------------------------------ */

/* When an activating control (primary processor-based "activate secondary controls" / "activate tertiary
 * controls", primary VM-exit "activate secondary controls"; SDM Vol. 3 §25.6.2, §25.7.1) is 0 the processor
 * treats the controls it activates as 0. */

void ec_ctx_load_controls(struct ec_ctx *c)
{
    c->pin = (uint32_t)EC_F(c, PIN_BASED_VM_EXEC_CONTROL);
    c->proc = (uint32_t)EC_F(c, PRIMARY_PROC_BASED_VM_EXEC_CONTROL);
    c->proc2 =
        (c->proc & PROC_ACTIVATE_SECONDARY_CONTROLS) ? (uint32_t)EC_F(c, SECONDARY_PROC_BASED_VM_EXEC_CONTROL) : 0;
    c->proc3 = (c->proc & PROC_ACTIVATE_TERTIARY_CONTROLS) ? EC_F(c, TERTIARY_PROC_BASED_VM_EXEC_CONTROL) : 0;
    c->exit_ctls = (uint32_t)EC_F(c, PRIMARY_VM_EXIT_CONTROLS);
    c->exit_ctls2 = (c->exit_ctls & EXIT_ACTIVATE_SECONDARY_CONTROLS) ? EC_F(c, SECONDARY_VM_EXIT_CONTROLS) : 0;
    c->entry_ctls = (uint32_t)EC_F(c, VM_ENTRY_CONTROLS);
}

struct ec_table {
    const struct ec_rule *rules;
    const size_t *count;
};

/* SDM order: §27.2 (controls, then host state), §27.3 (guest state), §27.4 (MSR loading). Within §27.2 the
 * SDM lets checks run in any order; controls first is what Bochs does. */
static const struct ec_table tables[] = {
    {ec_rules_controls, &ec_rules_controls_count},
    {ec_rules_host, &ec_rules_host_count},
    {ec_rules_guest, &ec_rules_guest_count},
    {ec_rules_msr_load, &ec_rules_msr_load_count},
};

static struct ec_outcome outcome_of(const struct ec_rule *r, uint64_t detail)
{
    struct ec_outcome o = {.rule = r};
    switch (r->cls) {
    case EC_CLASS_CONTROLS: /* SDM Vol. 3 §27.2: VMfailValid, error 7 */
        o.kind = EC_VMFAIL;
        o.error = 7;
        break;
    case EC_CLASS_HOST: /* SDM Vol. 3 §27.2: VMfailValid, error 8 */
        o.kind = EC_VMFAIL;
        o.error = 8;
        break;
    case EC_CLASS_GUEST: /* SDM Vol. 3 §27.8: exit reason 33, qualification per Table "Exit Qualification for
                            VM-Entry Failure" */
        o.kind = EC_ENTRY_FAILURE;
        o.reason = 33;
        o.qualification = r->qualification;
        break;
    default: /* SDM Vol. 3 §27.4: exit reason 34, qualification = the failing entry's number (from 1) */
        o.kind = EC_ENTRY_FAILURE;
        o.reason = 34;
        o.qualification = detail;
        break;
    }
    return o;
}

struct ec_outcome ec_run(const struct ec_ctx *c)
{
    return ec_run_from(c, EC_CLASS_CONTROLS);
}

struct ec_outcome ec_run_from(const struct ec_ctx *c, enum ec_class first)
{
    /* A fresh memo for this run, so that what it caches never outlives the state it was computed from. */
    struct ec_memo memo = {0};
    struct ec_ctx run = *c;
    run.memo = &memo;
    /* tables[] is indexed by class (controls, host, guest, MSR loading). */
    for (size_t t = (size_t)first; t < sizeof tables / sizeof tables[0]; t++)
        for (size_t i = 0; i < *tables[t].count; i++) {
            const struct ec_rule *r = &tables[t].rules[i];
            uint64_t detail = 0;
            if (!r->ok(&run, &detail))
                return outcome_of(r, detail);
        }
    return (struct ec_outcome){.kind = EC_OK};
}

size_t ec_rule_count(void)
{
    size_t n = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        n += *tables[t].count;
    return n;
}

const struct ec_rule *ec_rule_at(size_t i)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        if (i < *tables[t].count)
            return &tables[t].rules[i];
        i -= *tables[t].count;
    }
    return NULL;
}

const struct ec_rule *ec_rule_find(const char *name)
{
    for (size_t i = 0, n = ec_rule_count(); i < n; i++)
        if (strcmp(ec_rule_at(i)->name, name) == 0)
            return ec_rule_at(i);
    return NULL;
}
