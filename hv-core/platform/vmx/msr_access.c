/* RDMSR/WRMSR for hv/arch.h without ever faulting.
 *
 * RDMSR/WRMSR of an MSR the processor does not implement, or WRMSR of a reserved bit, raises #GP (SDM Vol. 2B
 * RDMSR, WRMSR). The boot IDT treats every exception in the hypervisor as fatal and boot/ is not ours to give
 * an exception-fixup table, so instead of recovering from #GP we never cause one:
 *   - RDMSR only of MSRs that the SDM says exist given this processor's CPUID (and VMX capability) bits;
 *     hv_arch_rdmsr returns false for every other number.
 *   - WRMSR only of IA32_FEATURE_CONTROL while it is unlocked, with no bit beyond those it already has plus
 *     "lock" and "enable VMX outside SMX" (SDM Vol. 3 §24.7) — the one write the core makes. Everything
 *     else returns false: the core never writes a host MSR on a guest's behalf (msr_virt.c).
 * This matters because the MSR number can come from the guest: an exiting guest RDMSR of an MSR the core
 * does not virtualize reaches hv_arch_rdmsr with the guest's ECX (hv-core/src/msr_virt.c), and must give the
 * guest a #GP, not crash the host.
 * Enumeration conditions are those of SDM Vol. 4 Table 2-2 ("IA-32 Architectural MSRs") and, for the VMX
 * capability MSRs, SDM Vol. 3 Appendix A. */
#include "vmx_internal.h"

#define MSR_TSC 0x010u                 /* IA32_TIME_STAMP_COUNTER */
#define MSR_APIC_BASE 0x01bu           /* IA32_APIC_BASE */
#define MSR_FEATURE_CONTROL 0x03au     /* IA32_FEATURE_CONTROL */
#define MSR_SPEC_CTRL 0x048u           /* IA32_SPEC_CTRL */
#define MSR_MTRRCAP 0x0feu             /* IA32_MTRRCAP */
#define MSR_ARCH_CAPABILITIES 0x10au   /* IA32_ARCH_CAPABILITIES */
#define MSR_SYSENTER_CS 0x174u         /* IA32_SYSENTER_CS; ESP 175H, EIP 176H */
#define MSR_SYSENTER_EIP 0x176u
#define MSR_MTRR_PHYSBASE0 0x200u      /* IA32_MTRR_PHYSBASE0/PHYSMASK0 .. pairs per MTRRCAP.VCNT */
#define MSR_MTRR_FIX64K 0x250u         /* IA32_MTRR_FIX64K_00000 */
#define MSR_MTRR_FIX16K_80000 0x258u
#define MSR_MTRR_FIX16K_A0000 0x259u
#define MSR_MTRR_FIX4K_FIRST 0x268u    /* IA32_MTRR_FIX4K_C0000 .. F8000 (26FH) */
#define MSR_MTRR_FIX4K_LAST 0x26fu
#define MSR_PAT 0x277u                 /* IA32_PAT */
#define MSR_MTRR_DEF_TYPE 0x2ffu       /* IA32_MTRR_DEF_TYPE */
#define MSR_PERF_GLOBAL_CTRL 0x38fu    /* IA32_PERF_GLOBAL_CTRL */
#define MSR_VMX_BASIC 0x480u           /* IA32_VMX_BASIC .. IA32_VMX_VMCS_ENUM (48AH) */
#define MSR_VMX_PROCBASED_CTLS 0x482u
#define MSR_VMX_EXIT_CTLS 0x483u
#define MSR_VMX_VMCS_ENUM 0x48au
#define MSR_VMX_PROCBASED_CTLS2 0x48bu
#define MSR_VMX_EPT_VPID_CAP 0x48cu
#define MSR_VMX_TRUE_PINBASED 0x48du   /* .. IA32_VMX_TRUE_ENTRY_CTLS (490H) */
#define MSR_VMX_TRUE_ENTRY 0x490u
#define MSR_VMX_VMFUNC 0x491u
#define MSR_VMX_PROCBASED_CTLS3 0x492u
#define MSR_VMX_EXIT_CTLS2 0x493u
#define MSR_TSC_DEADLINE 0x6e0u        /* IA32_TSC_DEADLINE */
#define MSR_XSS 0xda0u                 /* IA32_XSS */
#define MSR_EFER 0xc0000080u           /* IA32_EFER */
#define MSR_STAR 0xc0000081u           /* IA32_STAR; LSTAR C0000082H */
#define MSR_LSTAR 0xc0000082u
#define MSR_FMASK 0xc0000084u          /* IA32_FMASK */
#define MSR_FS_BASE 0xc0000100u        /* IA32_FS_BASE, GS_BASE, KERNEL_GS_BASE (C0000102H) */
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX 0xc0000103u        /* IA32_TSC_AUX */

enum { EAX, EBX, ECX, EDX };

/* CPUID.(leaf, subleaf):reg[bit], false when the leaf is beyond the maximum of its range (SDM Vol. 2A CPUID:
 * a leaf above the maximum returns the data of the highest basic leaf, which must not be read as a bit). */
static bool cpuid_bit(uint32_t leaf, uint32_t subleaf, int reg, unsigned bit)
{
    uint32_t r[4];
    vmx_cpuid_raw(leaf & 0x80000000u, 0, r);
    if (r[EAX] < leaf)
        return false;
    vmx_cpuid_raw(leaf, subleaf, r);
    return (r[reg] >> bit) & 1u;
}

static uint64_t rdmsr_raw(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static void wrmsr_raw(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static bool has_vmx(void)
{
    return cpuid_bit(1, 0, ECX, 5); /* CPUID.01H:ECX.VMX[5] (SDM Vol. 3 §24.6) */
}

/* The allowed-1 half (bits 63:32) of a VMX capability MSR (SDM Vol. 3 §A.3). */
static bool vmx_may_be_1(uint32_t msr, unsigned bit)
{
    return (rdmsr_raw(msr) >> (32 + bit)) & 1u;
}

/* Whether "activate secondary controls" may be 1: IA32_VMX_PROCBASED_CTLS[63] (SDM Vol. 3 §A.3.2, §A.3.3). */
static bool vmx_has_ctls2(void)
{
    return has_vmx() && vmx_may_be_1(MSR_VMX_PROCBASED_CTLS, 31);
}

static bool vmx_cap_msr_exists(uint32_t msr)
{
    if (msr >= MSR_VMX_BASIC && msr <= MSR_VMX_VMCS_ENUM)
        return has_vmx(); /* Vol. 4 Table 2-2: "If CPUID.01H:ECX.[5] = 1" */
    switch (msr) {
    case MSR_VMX_PROCBASED_CTLS2: /* §A.3.3: IA32_VMX_PROCBASED_CTLS[63] */
        return vmx_has_ctls2();
    case MSR_VMX_EPT_VPID_CAP: /* §A.10: "enable EPT" (bit 1) or "enable VPID" (bit 5) may be 1 */
        return vmx_has_ctls2() &&
               (vmx_may_be_1(MSR_VMX_PROCBASED_CTLS2, 1) || vmx_may_be_1(MSR_VMX_PROCBASED_CTLS2, 5));
    case MSR_VMX_VMFUNC: /* §A.11: "enable VM functions" (secondary bit 13) may be 1 */
        return vmx_has_ctls2() && vmx_may_be_1(MSR_VMX_PROCBASED_CTLS2, 13);
    case MSR_VMX_PROCBASED_CTLS3: /* §A.3.4: "activate tertiary controls", IA32_VMX_PROCBASED_CTLS[49] */
        return has_vmx() && vmx_may_be_1(MSR_VMX_PROCBASED_CTLS, 17);
    case MSR_VMX_EXIT_CTLS2: /* §A.4.2: "activate secondary controls" of exit, IA32_VMX_EXIT_CTLS[63] */
        return has_vmx() && vmx_may_be_1(MSR_VMX_EXIT_CTLS, 31);
    default:
        break;
    }
    if (msr >= MSR_VMX_TRUE_PINBASED && msr <= MSR_VMX_TRUE_ENTRY) /* §A.1: IA32_VMX_BASIC[55] */
        return has_vmx() && ((rdmsr_raw(MSR_VMX_BASIC) >> 55) & 1u);
    return false;
}

/* The architectural performance-monitoring version, CPUID.0AH:EAX[7:0] (SDM Vol. 3 §20.2); 0 without leaf 0AH. */
static uint32_t pmu_version(void)
{
    uint32_t r[4];
    vmx_cpuid_raw(0, 0, r);
    if (r[EAX] < 0xau)
        return 0;
    vmx_cpuid_raw(0xau, 0, r);
    return r[EAX] & 0xffu;
}

static bool mtrr_msr_exists(uint32_t msr)
{
    if (!cpuid_bit(1, 0, EDX, 12)) /* CPUID.01H:EDX.MTRR[12] (SDM Vol. 3 §13.11.1) */
        return false;
    if (msr == MSR_MTRRCAP || msr == MSR_MTRR_DEF_TYPE)
        return true;
    uint64_t cap = rdmsr_raw(MSR_MTRRCAP);
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2u * (uint32_t)(cap & 0xffu))
        return true; /* IA32_MTRRCAP.VCNT[7:0] variable-range pairs (§13.11.2.1) */
    bool fixed = (cap >> 8) & 1u; /* IA32_MTRRCAP.FIX[8] */
    return fixed && (msr == MSR_MTRR_FIX64K || msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000 ||
                     (msr >= MSR_MTRR_FIX4K_FIRST && msr <= MSR_MTRR_FIX4K_LAST));
}

bool vmx_msr_exists(uint32_t msr)
{
    if (msr >= MSR_VMX_BASIC && msr <= MSR_VMX_EXIT_CTLS2)
        return vmx_cap_msr_exists(msr);
    if (msr == MSR_PAT)
        return cpuid_bit(1, 0, EDX, 16); /* CPUID.01H:EDX.PAT[16] */
    if ((msr >= MSR_MTRR_PHYSBASE0 && msr <= MSR_MTRR_DEF_TYPE) || msr == MSR_MTRRCAP)
        return mtrr_msr_exists(msr);
    switch (msr) {
    case MSR_TSC:
        return cpuid_bit(1, 0, EDX, 4); /* CPUID.01H:EDX.TSC[4] */
    case MSR_APIC_BASE:
        return cpuid_bit(1, 0, EDX, 9); /* CPUID.01H:EDX.APIC[9] */
    case MSR_FEATURE_CONTROL:
        return cpuid_bit(1, 0, ECX, 5) || cpuid_bit(1, 0, ECX, 6); /* VMX[5] or SMX[6] */
    case MSR_SPEC_CTRL: /* CPUID.(EAX=07H,ECX=0):EDX IBRS[26], STIBP[27] or SSBD[31] */
        return cpuid_bit(7, 0, EDX, 26) || cpuid_bit(7, 0, EDX, 27) || cpuid_bit(7, 0, EDX, 31);
    case MSR_ARCH_CAPABILITIES:
        return cpuid_bit(7, 0, EDX, 29); /* CPUID.(EAX=07H,ECX=0):EDX[29] */
    case MSR_SYSENTER_CS:
    case MSR_SYSENTER_CS + 1:
    case MSR_SYSENTER_EIP:
        return cpuid_bit(1, 0, EDX, 11); /* CPUID.01H:EDX.SEP[11] */
    case MSR_PERF_GLOBAL_CTRL:
        return pmu_version() > 1u; /* CPUID.0AH:EAX[7:0] > 1 */
    case MSR_TSC_DEADLINE:
        return cpuid_bit(1, 0, ECX, 24); /* CPUID.01H:ECX.TSC_Deadline[24] */
    case MSR_XSS:
        return cpuid_bit(0xdu, 1, EAX, 3); /* CPUID.(EAX=0DH,ECX=1):EAX[3] */
    case MSR_EFER: /* CPUID.80000001H:EDX SYSCALL[11], XD[20] or Intel 64[29] */
        return cpuid_bit(0x80000001u, 0, EDX, 11) || cpuid_bit(0x80000001u, 0, EDX, 20) ||
               cpuid_bit(0x80000001u, 0, EDX, 29);
    case MSR_STAR:
    case MSR_LSTAR:
    case MSR_FMASK:
    case MSR_FS_BASE:
    case MSR_FS_BASE + 1:
    case MSR_KERNEL_GS_BASE:
        return cpuid_bit(0x80000001u, 0, EDX, 29); /* CPUID.80000001H:EDX.Intel64[29] */
    case MSR_TSC_AUX: /* CPUID.80000001H:EDX.RDTSCP[27] or CPUID.(EAX=07H,ECX=0):ECX.RDPID[22] */
        return cpuid_bit(0x80000001u, 0, EDX, 27) || cpuid_bit(7, 0, ECX, 22);
    default:
        /* Not in the list: unknown to this platform, so treated as absent (IA32_CSTAR, C0000083H, among them:
         * Vol. 4 Table 2-2 does not list it for Intel 64). */
        return false;
    }
}

bool hv_arch_rdmsr(struct hv_arch_cpu *cpu, uint32_t msr, uint64_t *value)
{
    (void)cpu;
    if (!vmx_msr_exists(msr)) {
        if (value)
            *value = 0;
        return false;
    }
    uint64_t v = rdmsr_raw(msr);
    if (value)
        *value = v;
    return true;
}

bool hv_arch_wrmsr(struct hv_arch_cpu *cpu, uint32_t msr, uint64_t value)
{
    (void)cpu;
    if (msr != MSR_FEATURE_CONTROL || !vmx_msr_exists(msr))
        return false;
    /* IA32_FEATURE_CONTROL (SDM Vol. 3 §24.7): WRMSR #GPs once bit 0 (lock) is set; until then the bits
     * already set are valid, and lock (bit 0) and "enable VMX outside SMX" (bit 2) are defined wherever VMX is
     * (CPUID.01H:ECX.VMX[5]). No other bit may appear. */
    uint64_t cur = rdmsr_raw(MSR_FEATURE_CONTROL);
    if (cur & 1u)
        return false;
    uint64_t allowed = cur | 1u | (has_vmx() ? 4u : 0u);
    if (value & ~allowed)
        return false;
    wrmsr_raw(MSR_FEATURE_CONTROL, value);
    return true;
}
