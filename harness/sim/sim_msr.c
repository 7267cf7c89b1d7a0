/* The sim's MSRs (sim_msr.h).
 *
 * The simulated processor implements exactly these MSRs for WRMSR (SDM Vol. 4 Table 2-2 for the layouts);
 * every other index is #GP:
 *   IA32_TIME_STAMP_COUNTER 10H     any value
 *   IA32_SPEC_CTRL 48H              when CPUID.(7,0):EDX[26] IBRS, [27] STIBP or [31] SSBD; bit 0 IBRS,
 *                                   bit 1 STIBP, bit 2 SSBD, each only when enumerated; other bits reserved
 *   IA32_PRED_CMD 49H               when CPUID.(7,0):EDX[26]; bit 0 (IBPB) only
 *   IA32_FLUSH_CMD 10BH             when CPUID.(7,0):EDX[28]; bit 0 (L1D_FLUSH) only
 *   IA32_SYSENTER_CS 174H           any value (the processor keeps bits 31:0; Bochs 2.7 likewise)
 *   IA32_SYSENTER_ESP/EIP 175H/176H canonical (WRMSR #GP list)
 *   IA32_PAT 277H                   each entry UC/WC/WT/WP/WB/UC-
 *   IA32_PERF_GLOBAL_CTRL 38FH      when CPUID.0AH:EAX[7:0] > 0; only the enables of existing counters
 *   IA32_PKRS 6E1H                  when CPUID.(7,0):ECX[31] (PKS); bits 63:32 reserved
 *   IA32_EFER C0000080H             SCE/LME/LMA/NXE as CPUID.80000001H:EDX enumerates them; others reserved
 *   IA32_STAR C0000081H             any value
 *   IA32_LSTAR C0000082H            canonical
 *   IA32_CSTAR C0000083H            any value: the SDM's WRMSR list of MSRs that #GP on a non-canonical value
 *                                   does not include IA32_CSTAR (Intel processors never use it). Bochs 2.7
 *                                   (and KVM) #GP on a non-canonical CSTAR.
 *   IA32_FMASK C0000084H            any value: Vol. 4 marks bits 63:32 reserved, but no #GP is documented
 *                                   for them on WRMSR and Bochs 2.7 keeps bits 31:0 without faulting.
 *   IA32_FS_BASE/GS_BASE C0000100H/C0000101H, IA32_KERNEL_GS_BASE C0000102H   canonical
 *   IA32_TSC_AUX C0000103H          when CPUID.80000001H:EDX[27] (RDTSCP) or CPUID.(7,0):ECX[22] (RDPID);
 *                                   bits 63:32 reserved (#GP). Bochs 2.7 keeps bits 31:0 and does not fault.
 * Not implemented (so #GP), on purpose: the x2APIC range 800H-8FFH (the sim has no x2APIC mode), IA32_SMM_MONITOR_CTL
 * (writable only in SMM, which the sim never is in), IA32_FEATURE_CONTROL (locked on every profile: #GP),
 * the VMX capability MSRs 480H-493H (read-only), microcode-update MSRs, MTRRs, debug and CET MSRs. */
#include "sim_msr.h"

bool sim_canonical(const struct sim_profile *p, uint64_t addr)
{
    unsigned width = p->linear_width;
    if (width < 32 || width > 64)
        width = 48;
    if (width == 64)
        return true;
    /* bits 63:width-1 must all equal bit width-1 */
    uint64_t top = addr >> (width - 1);
    return top == 0 || top == (~0ull >> (width - 1));
}

static uint32_t cpuid_reg(const struct sim_profile *p, uint32_t leaf, uint32_t subleaf, int reg)
{
    uint32_t out[4] = {0, 0, 0, 0};
    sim_profile_cpuid(p, leaf, subleaf, out);
    return out[reg];
}
enum { EAX = 0, EBX = 1, ECX = 2, EDX = 3 };

uint64_t sim_msr_efer_valid_bits(const struct sim_profile *p)
{
    uint32_t edx = cpuid_reg(p, 0x80000001u, 0, EDX);
    uint64_t v = 0;
    if (edx & (1u << 11)) /* SYSCALL/SYSRET */
        v |= EFER_SCE;
    if (edx & (1u << 29)) /* Intel 64 architecture */
        v |= EFER_LME | EFER_LMA;
    if (edx & (1u << 20)) /* execute disable */
        v |= EFER_NXE;
    return v;
}

uint64_t sim_msr_perf_global_ctrl_valid_bits(const struct sim_profile *p)
{
    uint32_t eax = cpuid_reg(p, 0xa, 0, EAX);
    uint32_t edx = cpuid_reg(p, 0xa, 0, EDX);
    unsigned version = eax & 0xff;
    if (version == 0)
        return 0;
    unsigned gp = (eax >> 8) & 0xff;
    unsigned fixed = version > 1 ? (edx & 0x1f) : 0;
    if (gp > 32)
        gp = 32; /* bits 31:0 hold the general-purpose enables */
    if (fixed > 16)
        fixed = 16; /* bits 47:32 hold the fixed-counter enables */
    uint64_t v = gp == 32 ? 0xffffffffull : ((1ull << gp) - 1);
    v |= ((1ull << fixed) - 1) << 32;
    return v;
}

bool sim_msr_pat_valid(uint64_t pat)
{
    for (int i = 0; i < 8; i++) {
        unsigned type = (unsigned)(pat >> (8 * i)) & 0xff;
        if (type != 0 && type != 1 && type != 4 && type != 5 && type != 6 && type != 7)
            return false;
    }
    return true;
}

/* CPUID.(EAX=7,ECX=0) and CPUID.80000001H feature bits the MSR set depends on. */
static bool has_spec_ctrl_bit(const struct sim_profile *p, int bit)
{
    uint32_t edx = cpuid_reg(p, 7, 0, EDX);
    switch (bit) {
    case 0: /* IBRS */
        return (edx >> 26) & 1;
    case 1: /* STIBP */
        return (edx >> 27) & 1;
    case 2: /* SSBD */
        return (edx >> 31) & 1;
    default:
        return false;
    }
}

static uint64_t spec_ctrl_valid_bits(const struct sim_profile *p)
{
    uint64_t v = 0;
    for (int b = 0; b < 3; b++)
        if (has_spec_ctrl_bit(p, b))
            v |= 1ull << b;
    return v;
}

static bool has_tsc_aux(const struct sim_profile *p)
{
    return ((cpuid_reg(p, 0x80000001u, 0, EDX) >> 27) & 1) || ((cpuid_reg(p, 7, 0, ECX) >> 22) & 1);
}

bool sim_msr_implemented(const struct sim_profile *p, uint32_t msr)
{
    switch (msr) {
    case MSR_IA32_TIME_STAMP_COUNTER:
    case MSR_IA32_SYSENTER_CS:
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
    case MSR_IA32_PAT:
    case MSR_IA32_EFER:
    case MSR_IA32_STAR:
    case MSR_IA32_LSTAR:
    case MSR_IA32_CSTAR:
    case MSR_IA32_FMASK:
    case MSR_IA32_FS_BASE:
    case MSR_IA32_GS_BASE:
    case MSR_IA32_KERNEL_GS_BASE:
        return true;
    case MSR_IA32_SPEC_CTRL:
        return spec_ctrl_valid_bits(p) != 0;
    case MSR_IA32_PRED_CMD:
        return has_spec_ctrl_bit(p, 0);
    case MSR_IA32_FLUSH_CMD:
        return (cpuid_reg(p, 7, 0, EDX) >> 28) & 1;
    case MSR_IA32_PERF_GLOBAL_CTRL:
        return (cpuid_reg(p, 0xa, 0, EAX) & 0xff) != 0;
    case MSR_IA32_PKRS:
        return (cpuid_reg(p, 7, 0, ECX) >> 31) & 1;
    case MSR_IA32_TSC_AUX:
        return has_tsc_aux(p);
    default:
        return false;
    }
}

bool sim_msr_write_allowed(const struct sim_profile *p, uint32_t msr, uint64_t value)
{
    return sim_msr_implemented(p, msr) && sim_msr_value_allowed(p, msr, value);
}

bool sim_msr_value_allowed(const struct sim_profile *p, uint32_t msr, uint64_t value)
{
    switch (msr) {
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
    case MSR_IA32_LSTAR:
    case MSR_IA32_FS_BASE:
    case MSR_IA32_GS_BASE:
    case MSR_IA32_KERNEL_GS_BASE:
        return sim_canonical(p, value);
    case MSR_IA32_PAT:
        return sim_msr_pat_valid(value);
    case MSR_IA32_EFER:
        return (value & ~sim_msr_efer_valid_bits(p)) == 0;
    case MSR_IA32_SPEC_CTRL:
        return (value & ~spec_ctrl_valid_bits(p)) == 0;
    case MSR_IA32_PRED_CMD:
    case MSR_IA32_FLUSH_CMD:
        return (value & ~1ull) == 0;
    case MSR_IA32_PERF_GLOBAL_CTRL:
        return (value & ~sim_msr_perf_global_ctrl_valid_bits(p)) == 0;
    case MSR_IA32_PKRS:
    case MSR_IA32_TSC_AUX:
        return (value >> 32) == 0;
    default: /* TSC, SYSENTER_CS, STAR, CSTAR, FMASK: any value */
        return true;
    }
}

bool sim_msr_efer_write_allowed_in(const struct sim_profile *p, uint64_t cr0, uint64_t cur_efer, uint64_t value)
{
    return sim_msr_write_allowed(p, MSR_IA32_EFER, value) && sim_msr_efer_lme_change_allowed(cr0, cur_efer, value);
}

bool sim_msr_efer_lme_change_allowed(uint64_t cr0, uint64_t cur_efer, uint64_t value)
{
    /* EFER.LME cannot change while paging (CR0.PG, bit 31) is enabled */
    return !((cr0 & (1ull << 31)) && ((value ^ cur_efer) & EFER_LME));
}
