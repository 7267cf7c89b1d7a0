/* hvkit entry-check FILE | --template PROFILE: the sim's VM-entry checks applied to a VMCS state. */
#include "cli.h"
#include "entry_check.h"
#include "json.h"
#include "vmcs_state.h"
#include "vmcs_template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY_CHECK_MAX_INPUT (16u << 20)

static void print_rule(const struct ec_rule *r)
{
    printf(",\"rule\":");
    json_print_string(stdout, r->name);
    printf(",\"sdm\":");
    json_print_string(stdout, r->sdm);
}

static int print_template(const char *name)
{
    const struct sim_profile *p = sim_profile_find(name);
    if (!p)
        cli_bad_input("entry-check --template", "unknown profile \"%s\" (see hvkit profiles)", name);
    static uint64_t f[HV_VMCS_FIELD_COUNT];
    sim_vmcs_template(p, f);
    vmcs_state_print(p, f);
    return HVKIT_EXIT_OK;
}

/* One line per rule, in the order they run: class, name, SDM bullet. */
static int list_rules(void)
{
    static const char *const class_name[] = {"controls", "host-state", "guest-state", "msr-load"};
    for (size_t i = 0, n = ec_rule_count(); i < n; i++) {
        const struct ec_rule *r = ec_rule_at(i);
        printf("%-11s %-48s %s\n", class_name[r->cls & 3], r->name, r->sdm);
    }
    return HVKIT_EXIT_OK;
}

int cmd_entry_check(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[0], "--template") == 0)
        return print_template(argv[1]);
    if (argc == 1 && strcmp(argv[0], "--list-rules") == 0)
        return list_rules();
    if (argc != 1 || (argv[0][0] == '-' && argv[0][1] != 0))
        cli_bad_input("entry-check", "usage: hvkit entry-check FILE | --template PROFILE | --list-rules");
    const char *path = argv[0];
    size_t len;
    char *text = cli_read_file(path, ENTRY_CHECK_MAX_INPUT, &len);
    static struct vmcs_state st;
    vmcs_state_parse(&st, path, text, len);
    free(text);

    struct ec_ctx c = {.f = st.f, .prof = st.prof, .mem = vmcs_state_memory(&st), .host_ia32e = true};
    ec_ctx_load_controls(&c);
    struct ec_outcome o = ec_run(&c);
    switch (o.kind) {
    case EC_OK:
        printf("{\"result\":\"ok\"}\n");
        break;
    case EC_VMFAIL:
        printf("{\"result\":\"vmfail\",\"error\":%u", o.error);
        print_rule(o.rule);
        printf("}\n");
        break;
    case EC_ENTRY_FAILURE:
        printf("{\"result\":\"entry-failure\",\"reason\":%u,\"qualification\":%llu", o.reason,
               (unsigned long long)o.qualification);
        print_rule(o.rule);
        printf("}\n");
        break;
    }
    vmcs_state_free(&st);
    return o.kind == EC_OK ? HVKIT_EXIT_OK : HVKIT_EXIT_FAILED;
}
