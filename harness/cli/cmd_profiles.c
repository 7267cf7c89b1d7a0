/* hvkit profiles [--json]: the simulated CPU profiles and what they offer. */
#include "cli.h"
#include "json.h"
#include "sim_profile.h"
#include "vmcs_template.h"

#include <hv/vmx_controls.h>
#include <stdio.h>
#include <string.h>

struct profile_summary {
    unsigned revision;
    int true_ctls, secondary, ept, ept_ad, ept_1g, vpid, unrestricted;
};

static struct profile_summary summarize(const struct sim_profile *p)
{
    struct profile_summary s = {0};
    uint64_t basic = sim_profile_vmx_msr(p, MSR_IA32_VMX_BASIC);
    uint64_t proc = 0, proc2 = 0, cap = 0;
    sim_profile_rdmsr(p, MSR_IA32_VMX_PROCBASED_CTLS, &proc);
    sim_profile_rdmsr(p, MSR_IA32_VMX_PROCBASED_CTLS2, &proc2);
    sim_profile_rdmsr(p, MSR_IA32_VMX_EPT_VPID_CAP, &cap);
    /* allowed-1 settings are the high 32 bits (SDM Vol. 3 §A.3) */
    uint32_t proc2_may = sim_ctl_may_be_1(proc2);
    s.revision = (unsigned)(basic & VMX_BASIC_REVISION_MASK);
    s.true_ctls = !!(basic & VMX_BASIC_TRUE_CTLS);
    s.secondary = !!(sim_ctl_may_be_1(proc) & PROC_ACTIVATE_SECONDARY_CONTROLS);
    s.ept = s.secondary && (proc2_may & PROC2_ENABLE_EPT);
    s.ept_ad = s.ept && (cap & EPT_CAP_ACCESSED_DIRTY);
    s.ept_1g = s.ept && (cap & EPT_CAP_PDPTE_1GB);
    s.vpid = s.secondary && (proc2_may & PROC2_ENABLE_VPID);
    s.unrestricted = s.secondary && (proc2_may & PROC2_UNRESTRICTED_GUEST);
    return s;
}

static void print_json(void)
{
    printf("[");
    for (size_t i = 0; i < sim_profile_count(); i++) {
        const struct sim_profile *p = sim_profile_at(i);
        struct profile_summary s = summarize(p);
        printf("%s\n {\"name\":", i ? "," : "");
        json_print_string(stdout, p->name);
        printf(",\"description\":");
        json_print_string(stdout, p->description);
        printf(",\"revision\":%u,\"maxphyaddr\":%u,\"linear_width\":%u,\"feature_control\":\"0x%llx\"", s.revision,
               p->maxphyaddr, p->linear_width, (unsigned long long)p->feature_control);
        printf(",\"features\":{\"true_controls\":%s,\"secondary_controls\":%s,\"ept\":%s,\"ept_accessed_dirty\":%s,"
               "\"ept_1g_pages\":%s,\"vpid\":%s,\"unrestricted_guest\":%s}",
               s.true_ctls ? "true" : "false", s.secondary ? "true" : "false", s.ept ? "true" : "false",
               s.ept_ad ? "true" : "false", s.ept_1g ? "true" : "false", s.vpid ? "true" : "false",
               s.unrestricted ? "true" : "false");
        printf(",\"msrs\":{");
        int first = 1;
        for (uint32_t msr = SIM_VMX_MSR_FIRST; msr < SIM_VMX_MSR_FIRST + SIM_VMX_MSR_COUNT; msr++) {
            uint64_t v;
            if (!sim_profile_rdmsr(p, msr, &v))
                continue; /* the processor does not have it */
            printf("%s\"0x%x\":\"0x%016llx\"", first ? "" : ",", msr, (unsigned long long)v);
            first = 0;
        }
        printf("}}");
    }
    printf("\n]\n");
}

static void print_table(void)
{
    printf("%-20s %-8s %-4s %-4s %-6s %-6s %-4s %-12s %s\n", "profile", "revision", "true", "ept", "ept-ad", "ept-1g",
           "vpid", "unrestricted", "description");
    for (size_t i = 0; i < sim_profile_count(); i++) {
        const struct sim_profile *p = sim_profile_at(i);
        struct profile_summary s = summarize(p);
        printf("%-20s 0x%-6x %-4s %-4s %-6s %-6s %-4s %-12s %s\n", p->name, s.revision, s.true_ctls ? "yes" : "no",
               s.ept ? "yes" : "no", s.ept_ad ? "yes" : "no", s.ept_1g ? "yes" : "no", s.vpid ? "yes" : "no",
               s.unrestricted ? "yes" : "no", p->description);
    }
}

int cmd_profiles(int argc, char **argv)
{
    if (argc == 0) {
        print_table();
        return HVKIT_EXIT_OK;
    }
    if (argc == 1 && strcmp(argv[0], "--json") == 0) {
        print_json();
        return HVKIT_EXIT_OK;
    }
    cli_bad_input("profiles", "unexpected argument '%s' (usage: hvkit profiles [--json])", argv[0]);
}
