/* A VMCS that passes every VM-entry check on a given profile: a 64-bit guest in long mode with paging, EPT on
 * where the profile has it, a 64-bit host. The starting point of `hvkit entry-check --template` and of every
 * entry-check test (each test moves one field across one rule's boundary). */
#ifndef SIM_VMCS_TEMPLATE_H
#define SIM_VMCS_TEMPLATE_H

#include "sim_profile.h"

#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <stdint.h>

/* Fill f (indexed by HV_VMCS_ORD_*) with the template; fields the template does not use are 0. */
void sim_vmcs_template(const struct sim_profile *p, uint64_t f[HV_VMCS_FIELD_COUNT]);

/* The capability MSR that bounds a control field on this profile: the TRUE_* MSR when IA32_VMX_BASIC bit 55
 * is 1, else the default one (SDM Vol. 3 §A.3.1, §A.3.2, §A.4, §A.5). true_msr is 0 for controls that have
 * no TRUE variant (secondary: IA32_VMX_PROCBASED_CTLS2 bounds it directly, §A.3.3). */
uint64_t sim_ctl_capability(const struct sim_profile *p, uint32_t msr, uint32_t true_msr);
/* Which of the two that is (the MSR sim_ctl_capability reads); inline because the VM-entry checks ask on every
 * entry. */
static inline uint32_t sim_ctl_capability_msr(const struct sim_profile *p, uint32_t msr, uint32_t true_msr)
{
    return true_msr && (sim_profile_vmx_msr(p, MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS) ? true_msr : msr;
}

/* allowed-0 (bits that must be 1) and allowed-1 (bits that may be 1) of a capability value. */
static inline uint32_t sim_ctl_must_be_1(uint64_t cap) { return (uint32_t)cap; }
static inline uint32_t sim_ctl_may_be_1(uint64_t cap) { return (uint32_t)(cap >> 32); }

#endif
