/* CPU profiles: what a simulated processor reports. The VMX capability MSRs (SDM Vol. 3 Appendix A), the
 * CR0/CR4 fixed bits, CPUID leaves and the physical-address width: everything the core adapts to and every
 * check the sim applies reads from here. */
#ifndef SIM_PROFILE_H
#define SIM_PROFILE_H

#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The VMX capability MSRs (numbers in <hv/msr.h>) as the profile stores them. */
#define SIM_VMX_MSR_FIRST MSR_IA32_VMX_BASIC
#define SIM_VMX_MSR_COUNT (MSR_IA32_VMX_EXIT_CTLS2 - MSR_IA32_VMX_BASIC + 1)

#define SIM_PROFILE_MAX_CPUID 32

struct sim_cpuid_leaf {
    uint32_t leaf, subleaf;
    uint32_t eax, ebx, ecx, edx;
};

struct sim_profile {
    const char *name;
    const char *description;
    /* IA32_VMX_BASIC .. IA32_VMX_EXIT_CTLS2, indexed by (msr - SIM_VMX_MSR_FIRST). An MSR the processor does
     * not have (SDM Vol. 3 Appendix A says when each exists) reads as #GP whatever is stored here. */
    uint64_t vmx_msr[SIM_VMX_MSR_COUNT];
    uint64_t feature_control; /* IA32_FEATURE_CONTROL at reset (Bochs: 0x5, locked with VMXON outside SMX) */
    uint8_t maxphyaddr;       /* CPUID.80000008H:EAX[7:0] */
    uint8_t linear_width;     /* CPUID.80000008H:EAX[15:8]: 48, or 57 with 5-level paging */
    uint32_t cpuid_count;
    struct sim_cpuid_leaf cpuid[SIM_PROFILE_MAX_CPUID];
};

/* The VMX MSR value stored for msr, without the existence rule (0 for an MSR outside the VMX range). */
static inline uint64_t sim_profile_vmx_msr(const struct sim_profile *p, uint32_t msr)
{
    if (msr < SIM_VMX_MSR_FIRST || msr >= SIM_VMX_MSR_FIRST + SIM_VMX_MSR_COUNT)
        return 0;
    return p->vmx_msr[msr - SIM_VMX_MSR_FIRST];
}

/* Named profiles. */
size_t sim_profile_count(void);
const struct sim_profile *sim_profile_at(size_t i);
const struct sim_profile *sim_profile_find(const char *name); /* NULL when unknown */

/* RDMSR of a capability MSR as the profile's processor answers it: false (#GP) for an MSR it does not have. */
bool sim_profile_rdmsr(const struct sim_profile *p, uint32_t msr, uint64_t *value);

/* CPUID as the profile answers it (leaves it does not list read as zero, as on a processor past max leaf). */
void sim_profile_cpuid(const struct sim_profile *p, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* Whether the profile's processor has a VMCS field (error 12 otherwise, SDM Vol. 3 §31.4). */
bool sim_profile_has_vmcs_field(const struct sim_profile *p, int field_ordinal);

/* Build a profile from arbitrary bytes (fuzzing). Whatever the bytes, the result keeps the architectural
 * invariants: allowed-0 settings within allowed-1, the default-1 bits of Appendix A.3-A.5 set in allowed-0,
 * TRUE_* MSRs only when IA32_VMX_BASIC bit 55 is set, secondary/tertiary controls only when the primary
 * "activate" bit may be 1, CR0/CR4 FIXED0 within FIXED1 with the bits VMX requires, a sane physical-address
 * width. Returns the number of bytes consumed. */
size_t sim_profile_from_bytes(struct sim_profile *out, const uint8_t *data, size_t len);

/* The invariants above, checked; returns NULL when they hold, else the name of the first broken one. */
const char *sim_profile_invariant_violation(const struct sim_profile *p);

#endif
