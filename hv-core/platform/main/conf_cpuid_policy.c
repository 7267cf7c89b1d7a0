/* conf-cpuid-policy: the CPUID leaves the core virtualizes, as the guest sees them (exits/cpuid.c,
 * hv/hypercall.h). The processor's own answers (leaves 0 and 1) are read here on the same CPU, then edited as
 * the policy says: CPUID.1:ECX VMX[5] and x2APIC[21] clear (no nested VMX, SDM Vol. 3 §24.6; x2APIC hidden),
 * OSXSAVE[27] mirrors the guest's CR4.OSXSAVE (0), bit 31 "hypervisor present" set. Every result is
 * zero-extended to 64 bits (SDM Vol. 1 §3.4.1.1). 5 CPUID exits of length 2 retiring the instruction
 * (RIP + 2), then HLT. */
#include "conf1.h"

#include <hv/hypercall.h>

extern const uint8_t hvkit_guest_conf_cpuid_policy_start[], hvkit_guest_conf_cpuid_policy_end[];

#define CPUID1_ECX_VMX (1u << 5)       /* SDM Vol. 2 CPUID, Table 3-10 */
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_HYPERVISOR (1u << 31)

extern const uint8_t conf_cpuid_after0[], conf_cpuid_after1[], conf_cpuid_after2[], conf_cpuid_after3[],
    conf_cpuid_after4[]; /* RIP after each CPUID: retired */

#define CPUID_EXIT(after) {HV_EXIT_CPUID, HV_EXIT_RESUME, 2, after, 0, ~0ull} /* qualification 0 (§28.2.1) */
static const struct conf1_exit exits[] = {
    CPUID_EXIT(conf_cpuid_after0), CPUID_EXIT(conf_cpuid_after1), CPUID_EXIT(conf_cpuid_after2),
    CPUID_EXIT(conf_cpuid_after3), CPUID_EXIT(conf_cpuid_after4),
    {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, 0},
};

static uint64_t expected[20];

static enum test_outcome run(const struct test_options *opt)
{
    struct hvkit_cpu *c = hvkit_cpu(0);
    if (c && c->state == CPU_VMX_ON) {
        struct hv_cpuid_regs r0 = {0}, r1 = {0};
        hv_arch_cpuid(c->hv.arch, 0, 0, &r0);
        hv_arch_cpuid(c->hv.arch, 1, 0, &r1);
        uint32_t ecx1 = (r1.ecx & ~(CPUID1_ECX_VMX | CPUID1_ECX_X2APIC | CPUID1_ECX_OSXSAVE)) | CPUID1_ECX_HYPERVISOR;
        const uint64_t e[20] = {
            r0.eax, r0.ebx, r0.ecx, r0.edx,
            r1.eax, r1.ebx, ecx1, r1.edx,
            HV_CPUID_LEAF_MAX, HV_CPUID_SIGNATURE_EBX, HV_CPUID_SIGNATURE_ECX, HV_CPUID_SIGNATURE_EDX,
            HV_HC_ABI_VERSION, HV_HC_COUNT, 0, 0,
            0, 0, 0, 0,
        };
        for (unsigned i = 0; i < 20; i++)
            expected[i] = e[i];
    }
    static const struct conf1_case cs = {
        .name = "conf-cpuid-policy",
        .code = hvkit_guest_conf_cpuid_policy_start,
        .code_end = hvkit_guest_conf_cpuid_policy_end,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .results = expected,
        .nresults = 20,
        .end = HV_STEP_HALTED,
    };
    return conf1_run_case(&cs, opt, (void *)0);
}
HVKIT_TEST("conf-cpuid-policy", run);
