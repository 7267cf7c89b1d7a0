/* The environment of the entry-check cases: a template VMCS for a profile, sparse physical memory, and the
 * machinery that turns a table of {rule, profile, pass, trip} into two ctest tests per rule:
 *   ec.pass.<rule>  the pass mutation puts the state at the rule's boundary on the passing side: the whole
 *                   check run must pass AND the rule must be evaluated to true;
 *   ec.trip.<rule>  the trip mutation crosses the boundary: the check run must fail on exactly this rule
 *                   with the hardware's outcome for its class (VMfailValid 7/8, exit 33 + the rule's
 *                   qualification, exit 34 + entry number).
 * A mutation changes as little as it can, so that no earlier rule trips first. */
#ifndef EC_TESTENV_H
#define EC_TESTENV_H

#include "entry_check.h"
#include "vmcs_template.h"

#include <hv/vmx_controls.h>
#include <stddef.h>
#include <stdint.h>

#define EC_ENV_MAX_PAGES 16

struct ec_env {
    const struct sim_profile *prof;
    uint64_t f[HV_VMCS_FIELD_COUNT];
    bool host_ia32e;
    size_t npages;
    uint64_t page_pa[EC_ENV_MAX_PAGES];
    uint8_t page[EC_ENV_MAX_PAGES][4096];
    /* For trip cases of MSR-load rules: the entry number the outcome must carry (0 = not checked). */
    uint64_t expect_qualification;
};

/* The page of env memory at pa (4-KiB aligned), created zeroed on first use. */
uint8_t *ec_env_page(struct ec_env *env, uint64_t pa);
/* Write len bytes at physical address pa (creating pages as needed). */
void ec_env_write(struct ec_env *env, uint64_t pa, const void *src, size_t len);
void ec_env_write64(struct ec_env *env, uint64_t pa, uint64_t v);
void ec_env_write32(struct ec_env *env, uint64_t pa, uint32_t v);

/* Field access by name. */
#define ENV_F(env, NAME) ((env)->f[HV_VMCS_ORD_##NAME])

/* A capability value of the env's profile, the TRUE one where the profile has TRUE controls. */
uint64_t ec_env_cap(const struct ec_env *env, uint32_t msr, uint32_t true_msr);

typedef void (*ec_mutation)(struct ec_env *env);

struct ec_case {
    const char *rule;    /* ec_rule name */
    const char *profile; /* profile to start from ("bochs-haswell", "max", ...) */
    ec_mutation pass;    /* NULL: the unmodified template is the passing side (only for rules the template
                            exercises at its boundary; say why in a comment) */
    ec_mutation trip;
};

/* Each ec_cases_*.c file provides one table and registers it: EC_CASES(table). */
void ec_register_cases(const struct ec_case *cases, size_t n);
/* Every registered case, in registration order (the entry differential's exporter walks them too). */
size_t ec_case_count(void);
const struct ec_case *ec_case_at(size_t i);
/* The entry checks on env's VMCS and memory; c receives the context they ran in (for a rule's ok()). */
struct ec_outcome ec_env_run(struct ec_env *env, struct ec_ctx *c);
#define EC_CASES(table)                                                                                      \
    __attribute__((constructor)) static void ec_register_##table(void)                                       \
    {                                                                                                        \
        ec_register_cases(table, sizeof table / sizeof table[0]);                                            \
    }

#endif
