/* The VM-entry check runner: the rule tables in SDM order and their outcomes (entry_check.h). */
#include "entry_check.h"

#include <hv/vmx_controls.h>
#include <string.h>

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
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (size_t i = 0; i < *tables[t].count; i++) {
            const struct ec_rule *r = &tables[t].rules[i];
            uint64_t detail = 0;
            if (!r->ok(c, &detail))
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
