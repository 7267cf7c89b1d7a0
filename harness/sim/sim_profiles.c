/* The named CPU profiles.
 *
 * The four `bochs-*` profiles are what Bochs 2.7 (Debian 12's bochs 2.7+dfsg-4+deb12u1) reports for its CPU
 * models. The capability MSR pairs are the ones measured and listed in notes/bochs.md ("allowed-1 :
 * allowed-0" there; the MSR value is allowed1 << 32 | allowed0). Where bochs.md is silent (MISC, CR4_FIXED1
 * and the CPUID leaves of the non-Haswell models) the values follow from the facts of Bochs 2.7's model
 * files (bochs/cpu/cpudb/intel/<model>.cc: the ISA extensions each model enables, its CPUID leaf 1 signature
 * and feature words) and of the rules Bochs applies to them, restated here:
 *  - IA32_VMX_BASIC is the same for every model: revision 0x2b, 4096-byte region, WB, INS/OUTS information,
 *    TRUE controls (bit 55).
 *  - IA32_VMX_MISC = 0x000401e0 (LMA stored into "IA-32e mode guest", HLT/shutdown/wait-for-SIPI activity
 *    states, 4 CR3-target values), plus bit 29 (VMWRITE to any field) when the model has VMCS shadowing and
 *    bit 30 (zero-length software-event injection) when the model has that extension (Skylake-X).
 *  - IA32_VMX_CR4_FIXED1 is the set of CR4 bits the model supports (VME/PVI .. OSXMMEXCPT, VMXE, plus SMXE,
 *    FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP as the model has SMX, FSGSBASE, PCID, XSAVE, SMEP, SMAP).
 *  - IA32_VMX_VMCS_ENUM = 0x34 for every model (highest index 0x1a).
 *  - CPUID.80000008H:EAX = 0x3028: physical-address width 40 (Bochs built with long physical addresses at
 *    CPU level 6), linear 48 - whatever the model's real silicon had.
 *  - IA32_FEATURE_CONTROL = 0x5 at reset (bochs.md: locked, VMXON outside SMX enabled).
 * CPUID values that depend on run-time state are given as at reset in 64-bit mode: CPUID.1:EBX = 0x00010800
 * (CLFLUSH line 64 bytes, 1 logical processor, APIC ID 0), CPUID.1:ECX.OSXSAVE = 0 (CR4.OSXSAVE = 0),
 * CPUID.1:EDX.APIC = 1, CPUID.80000001H:EDX.SYSCALL = 1 (Intel reports it in 64-bit mode only), XSAVE
 * leaf 0DH EBX = 576 (XCR0 = x87 only). Leaves a profile does not list read as zero (sim_profile.h), e.g. the
 * cache and topology leaves, which no VMX rule reads.
 *
 * `minimal` and `max` are synthetic: the least and the most a processor may report, for testing how the core
 * adapts. */
#include "sim_profile.h"
#include "sim_profile_bits.h"

#include <string.h>

#define M(msr) [(msr)-SIM_VMX_MSR_FIRST]
#define CTL(allowed1, allowed0) (((uint64_t)(allowed1) << 32) | (uint32_t)(allowed0))

/* "GenuineIntel" in EBX, EDX, ECX (CPUID leaf 0). */
#define GENU 0x756e6547u
#define INEI 0x49656e69u
#define NTEL 0x6c65746eu
#define VENDOR_LEAF(max) {0x0u, 0u, (max), GENU, NTEL, INEI}

/* CPUID.1:EDX of the four Bochs models: FPU VME DE PSE TSC MSR PAE MCE CX8 APIC SEP MTRR PGE MCA CMOV PAT
 * PSE36 CLFSH DS ACPI MMX FXSR SSE SSE2 SS HTT TM PBE. */
#define BOCHS_LEAF1_EDX 0xbfebfbffu
#define BOCHS_LEAF1_EBX 0x00010800u
#define BOCHS_LEAF_80000008 {0x80000008u, 0u, 0x00003028u, 0u, 0u, 0u}
#define EXT_MAX_LEAF {0x80000000u, 0u, 0x80000008u, 0u, 0u, 0u}

/* The Bochs models share their pin/primary/exit/entry capabilities from Sandy Bridge on (bochs.md table). */
#define BOCHS_CORE_I7_CTLS                                                                                   \
    M(MSR_IA32_VMX_BASIC) = 0x00d810000000002bull,                                                           \
    M(MSR_IA32_VMX_PINBASED_CTLS) = CTL(0x0000007f, 0x00000016),                                             \
    M(MSR_IA32_VMX_PROCBASED_CTLS) = CTL(0xf7f9fffe, 0x0401e172),                                            \
    M(MSR_IA32_VMX_EXIT_CTLS) = CTL(0x007fffff, 0x00036dff),                                                 \
    M(MSR_IA32_VMX_ENTRY_CTLS) = CTL(0x0000ffff, 0x000011ff),                                                \
    M(MSR_IA32_VMX_CR0_FIXED0) = 0x80000021ull,                                                              \
    M(MSR_IA32_VMX_CR0_FIXED1) = 0xffffffffull,                                                              \
    M(MSR_IA32_VMX_CR4_FIXED0) = 0x00002000ull,                                                              \
    M(MSR_IA32_VMX_VMCS_ENUM) = 0x34ull,                                                                     \
    M(MSR_IA32_VMX_TRUE_PINBASED_CTLS) = CTL(0x0000007f, 0x00000016),                                        \
    M(MSR_IA32_VMX_TRUE_PROCBASED_CTLS) = CTL(0xf7f9fffe, 0x04006172),                                       \
    M(MSR_IA32_VMX_TRUE_EXIT_CTLS) = CTL(0x007fffff, 0x00036dfb),                                            \
    M(MSR_IA32_VMX_TRUE_ENTRY_CTLS) = CTL(0x0000ffff, 0x000011fb)

static const struct sim_profile profiles[] = {
    {
        .name = "bochs-haswell",
        .description = "Bochs 2.7 corei7_haswell_4770: EPT with A/D and 1 GiB pages, VPID, unrestricted "
                       "guest, VMFUNC (EPTP switching), VMCS shadowing, #VE; no PML",
        .vmx_msr =
            {
                BOCHS_CORE_I7_CTLS,
                M(MSR_IA32_VMX_MISC) = 0x200401e0ull,
                M(MSR_IA32_VMX_CR4_FIXED1) = 0x001727ffull,
                M(MSR_IA32_VMX_PROCBASED_CTLS2) = CTL(0x00047fff, 0),
                /* 0x06114141 + 1 GiB pages (bit 17) + A/D flags (bit 21); INVVPID with all four types. */
                M(MSR_IA32_VMX_EPT_VPID_CAP) = 0x00000f0106334141ull,
                M(MSR_IA32_VMX_VMFUNC) = 0x1ull, /* EPTP switching */
            },
        .feature_control = 0x5,
        .maxphyaddr = 40,
        .linear_width = 48,
        .cpuid_count = 8,
        .cpuid =
            {
                VENDOR_LEAF(0xd),
                /* family 6 model 0x3c stepping 3; ECX: SSE3 PCLMULQDQ DTES64 MONITOR DS-CPL VMX EST TM2 SSSE3
                 * FMA CX16 xTPR PDCM PCID SSE4.1 SSE4.2 x2APIC MOVBE POPCNT TSC-deadline AES XSAVE AVX F16C
                 * RDRAND */
                {0x1u, 0u, 0x000306c3u, BOCHS_LEAF1_EBX, 0x77faf3bfu, BOCHS_LEAF1_EDX},
                /* EBX: FSGSBASE TSC_ADJUST BMI1 AVX2 SMEP BMI2 ERMS INVPCID FCS/FDS deprecation */
                {0x7u, 0u, 0u, 0x000027abu, 0u, 0u},
                {0xdu, 0u, 0x7u, 0x240u, 0x340u, 0u}, /* x87 SSE AVX; 832 bytes for all */
                {0xdu, 1u, 0x1u, 0u, 0u, 0u},         /* XSAVEOPT */
                EXT_MAX_LEAF,
                {0x80000001u, 0u, 0u, 0u, 0x00000021u, 0x2c100800u}, /* LAHF LZCNT; SYSCALL NX 1G RDTSCP LM */
                BOCHS_LEAF_80000008,
            },
    },
    {
        .name = "bochs-skylake-x",
        .description = "Bochs 2.7 corei7_skylake_x: Haswell's VMX plus PML, XSAVES, TSC scaling, zero-length "
                       "injection",
        .vmx_msr =
            {
                BOCHS_CORE_I7_CTLS,
                M(MSR_IA32_VMX_MISC) = 0x600401e0ull,
                M(MSR_IA32_VMX_CR4_FIXED1) = 0x003727ffull, /* Haswell's + SMAP */
                M(MSR_IA32_VMX_PROCBASED_CTLS2) = CTL(0x02177fff, 0),
                M(MSR_IA32_VMX_EPT_VPID_CAP) = 0x00000f0106334141ull,
                M(MSR_IA32_VMX_VMFUNC) = 0x1ull,
            },
        .feature_control = 0x5,
        .maxphyaddr = 40,
        .linear_width = 48,
        .cpuid_count = 8,
        .cpuid =
            {
                VENDOR_LEAF(0x16),
                /* family 6 model 0x55 stepping 4; ECX as Haswell */
                {0x1u, 0u, 0x00050654u, BOCHS_LEAF1_EBX, 0x77faf3bfu, BOCHS_LEAF1_EDX},
                /* EBX: Haswell's + FDP deprecation AVX512F/DQ/CD/BW/VL RDSEED ADX SMAP CLFLUSHOPT CLWB */
                {0x7u, 0u, 0u, 0xd19f27ebu, 0u, 0u},
                /* x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM (Bochs built with EVEX); 2688 bytes for all */
                {0xdu, 0u, 0xe7u, 0x240u, 0xa80u, 0u},
                {0xdu, 1u, 0xfu, 0x240u, 0u, 0u}, /* XSAVEOPT XSAVEC XGETBV1 XSAVES */
                EXT_MAX_LEAF,
                {0x80000001u, 0u, 0u, 0u, 0x00000121u, 0x2c100800u}, /* + PREFETCHW */
                BOCHS_LEAF_80000008,
            },
    },
    {
        .name = "bochs-sandybridge",
        .description = "Bochs 2.7 corei7_sandy_bridge_2600k: EPT without A/D flags or 1 GiB pages, VPID, "
                       "unrestricted guest; no VMFUNC",
        .vmx_msr =
            {
                BOCHS_CORE_I7_CTLS,
                M(MSR_IA32_VMX_MISC) = 0x000401e0ull,
                M(MSR_IA32_VMX_CR4_FIXED1) = 0x000627ffull, /* no FSGSBASE, SMEP; PCIDE, OSXSAVE */
                M(MSR_IA32_VMX_PROCBASED_CTLS2) = CTL(0x000000ff, 0),
                /* execute-only, 4-level walk, UC/WB, 2 MiB pages, INVEPT single/all context; bits 17 (1 GiB)
                 * and 21 (A/D) clear */
                M(MSR_IA32_VMX_EPT_VPID_CAP) = 0x00000f0106114141ull,
            },
        .feature_control = 0x5,
        .maxphyaddr = 40,
        .linear_width = 48,
        .cpuid_count = 8,
        .cpuid =
            {
                VENDOR_LEAF(0xd),
                /* family 6 model 0x2a stepping 7; no FMA, MOVBE, x2APIC, F16C, RDRAND */
                {0x1u, 0u, 0x000206a7u, BOCHS_LEAF1_EBX, 0x179ae3bfu, BOCHS_LEAF1_EDX},
                {0x7u, 0u, 0u, 0u, 0u, 0u}, /* Bochs answers leaf 7 as reserved for this model */
                {0xdu, 0u, 0x7u, 0x240u, 0x340u, 0u},
                {0xdu, 1u, 0x1u, 0u, 0u, 0u},
                EXT_MAX_LEAF,
                {0x80000001u, 0u, 0u, 0u, 0x00000001u, 0x28100800u}, /* LAHF; SYSCALL NX RDTSCP LM */
                BOCHS_LEAF_80000008,
            },
    },
    {
        .name = "bochs-penryn",
        .description = "Bochs 2.7 core2_penryn_t9600: VMX without EPT or VPID (no IA32_VMX_EPT_VPID_CAP), no "
                       "PAT/EFER controls, no preemption timer",
        .vmx_msr =
            {
                M(MSR_IA32_VMX_BASIC) = 0x00d810000000002bull,
                M(MSR_IA32_VMX_PINBASED_CTLS) = CTL(0x0000003f, 0x00000016),
                M(MSR_IA32_VMX_PROCBASED_CTLS) = CTL(0xf7f9fffe, 0x0401e172),
                M(MSR_IA32_VMX_EXIT_CTLS) = CTL(0x0003ffff, 0x00036dff),
                M(MSR_IA32_VMX_ENTRY_CTLS) = CTL(0x00003fff, 0x000011ff),
                M(MSR_IA32_VMX_MISC) = 0x000401e0ull,
                M(MSR_IA32_VMX_CR0_FIXED0) = 0x80000021ull,
                M(MSR_IA32_VMX_CR0_FIXED1) = 0xffffffffull,
                M(MSR_IA32_VMX_CR4_FIXED0) = 0x00002000ull,
                M(MSR_IA32_VMX_CR4_FIXED1) = 0x000467ffull, /* SMXE, OSXSAVE; no PCIDE */
                M(MSR_IA32_VMX_VMCS_ENUM) = 0x34ull,
                /* virtualize APIC accesses, WBINVD exiting */
                M(MSR_IA32_VMX_PROCBASED_CTLS2) = CTL(0x00000041, 0),
                M(MSR_IA32_VMX_TRUE_PINBASED_CTLS) = CTL(0x0000003f, 0x00000016),
                M(MSR_IA32_VMX_TRUE_PROCBASED_CTLS) = CTL(0xf7f9fffe, 0x04006172),
                M(MSR_IA32_VMX_TRUE_EXIT_CTLS) = CTL(0x0003ffff, 0x00036dfb),
                M(MSR_IA32_VMX_TRUE_ENTRY_CTLS) = CTL(0x00003fff, 0x000011fb),
            },
        .feature_control = 0x5,
        .maxphyaddr = 40, /* Bochs' width, not the T9600's 36 */
        .linear_width = 48,
        .cpuid_count = 8,
        .cpuid =
            {
                VENDOR_LEAF(0xd),
                /* family 6 model 0x17 stepping 0xa; ECX: SSE3 DTES64 MONITOR DS-CPL VMX SMX EST TM2 SSSE3
                 * CX16 xTPR PDCM SSE4.1 XSAVE */
                {0x1u, 0u, 0x0001067au, BOCHS_LEAF1_EBX, 0x0408e3fdu, BOCHS_LEAF1_EDX},
                {0x7u, 0u, 0u, 0u, 0u, 0u},
                {0xdu, 0u, 0x3u, 0x240u, 0x240u, 0u}, /* x87 SSE */
                {0xdu, 1u, 0u, 0u, 0u, 0u},
                EXT_MAX_LEAF,
                {0x80000001u, 0u, 0u, 0u, 0x00000001u, 0x20100800u}, /* LAHF; SYSCALL NX LM; no RDTSCP */
                BOCHS_LEAF_80000008,
            },
    },
    {
        .name = "minimal",
        .description = "only what VMX must offer: every control at its must-be-1 setting, no secondary "
                       "controls, no TRUE MSRs, plus 64-bit host and guest",
        /* Only the must-be-1 (default1) bits are allowed, with two exceptions: VM-exit "host address-space
         * size" (bit 9) and VM-entry "IA-32e mode guest" (bit 9) may be 1. Without them no 64-bit VMM could
         * enter a guest at all (SDM Vol. 3 §27.2.4: with the VMM in IA-32e mode (IA32_EFER.LMA = 1) the
         * "host address-space size" control must be 1), and every processor supporting Intel 64 has them
         * (Table 25-13, Table 25-15). IA32_VMX_BASIC bit 55 = 0, so the default1 controls are fixed to 1
         * (Appendix A.2). MISC = 0: no activity state but active, no CR3-target values, no LMA store. */
        .vmx_msr =
            {
                /* revision 1, 4096 bytes, WB (Appendix A.1) */
                M(MSR_IA32_VMX_BASIC) = 0x0018100000000001ull,
                M(MSR_IA32_VMX_PINBASED_CTLS) = CTL(VMX_DEFAULT1_PIN, VMX_DEFAULT1_PIN),
                M(MSR_IA32_VMX_PROCBASED_CTLS) = CTL(VMX_DEFAULT1_PROC, VMX_DEFAULT1_PROC),
                M(MSR_IA32_VMX_EXIT_CTLS) = CTL(VMX_DEFAULT1_EXIT | EXIT_HOST_ADDRESS_SPACE_SIZE, VMX_DEFAULT1_EXIT),
                M(MSR_IA32_VMX_ENTRY_CTLS) = CTL(VMX_DEFAULT1_ENTRY | ENTRY_IA32E_MODE_GUEST, VMX_DEFAULT1_ENTRY),
                M(MSR_IA32_VMX_MISC) = 0,
                M(MSR_IA32_VMX_CR0_FIXED0) = 0x80000021ull,
                M(MSR_IA32_VMX_CR0_FIXED1) = 0xffffffffull,
                M(MSR_IA32_VMX_CR4_FIXED0) = 0x00002000ull,
                M(MSR_IA32_VMX_CR4_FIXED1) = 0x000027ffull, /* VME .. OSXMMEXCPT, VMXE */
                /* highest index of a field every VMX processor has: Guest IA32_SYSENTER_CS (0x482a, 0x15) */
                M(MSR_IA32_VMX_VMCS_ENUM) = 0x2aull,
            },
        .feature_control = 0, /* unlocked: the core must lock it */
        .maxphyaddr = 36,
        .linear_width = 48,
        .cpuid_count = 8,
        .cpuid =
            {
                VENDOR_LEAF(0xd),
                /* synthetic: family 6 model 0xf (the first Intel 64 processors with VMX); ECX: VMX only;
                 * EDX: FPU VME DE PSE TSC MSR PAE MCE CX8 APIC SEP MTRR PGE MCA CMOV PAT PSE36 CLFSH MMX FXSR
                 * SSE SSE2 */
                {0x1u, 0u, 0x000006fbu, 0x00010800u, 0x00000020u, 0x078bfbffu},
                {0x7u, 0u, 0u, 0u, 0u, 0u},
                {0xdu, 0u, 0u, 0u, 0u, 0u}, /* no XSAVE */
                {0xdu, 1u, 0u, 0u, 0u, 0u},
                EXT_MAX_LEAF,
                {0x80000001u, 0u, 0u, 0u, 0x00000001u, 0x20100800u}, /* LAHF; SYSCALL NX LM */
                {0x80000008u, 0u, 0x00003024u, 0u, 0u, 0u},           /* 36-bit physical, 48-bit linear */
            },
    },
    {
        .name = "max",
        .description = "every control and capability the SDM defines, where consistent: all secondary and "
                       "tertiary controls, secondary exit controls, EPT with A/D, 1 GiB pages and 5-level "
                       "walks, all INVEPT/INVVPID types, EPTP switching, VMWRITE to any field, LA57",
        .vmx_msr =
            {
                /* revision 0x7fffffff (all 31 bits), 4096 bytes, dual-monitor SMM (bit 49), WB, INS/OUTS
                 * information (54), TRUE controls (55), hardware exceptions without error code (56) */
                M(MSR_IA32_VMX_BASIC) = 0x01da10007fffffffull,
                M(MSR_IA32_VMX_PINBASED_CTLS) = CTL(SIM_DEFINED_PIN, VMX_DEFAULT1_PIN),
                M(MSR_IA32_VMX_PROCBASED_CTLS) = CTL(SIM_DEFINED_PROC, VMX_DEFAULT1_PROC),
                M(MSR_IA32_VMX_EXIT_CTLS) = CTL(SIM_DEFINED_EXIT, VMX_DEFAULT1_EXIT),
                M(MSR_IA32_VMX_ENTRY_CTLS) = CTL(SIM_DEFINED_ENTRY, VMX_DEFAULT1_ENTRY),
                /* timer rate 5, LMA store, HLT/shutdown/wait-for-SIPI, PT in VMX, SMBASE RDMSR in SMM, 4
                 * CR3 targets, 512 MSRs per list, SMM_MONITOR_CTL bit 2, VMWRITE any field, zero-length
                 * injection (Appendix A.6) */
                M(MSR_IA32_VMX_MISC) = 0x7004c1e5ull,
                M(MSR_IA32_VMX_CR0_FIXED0) = 0x80000021ull,
                M(MSR_IA32_VMX_CR0_FIXED1) = 0xffffffffull,
                M(MSR_IA32_VMX_CR4_FIXED0) = 0x00002000ull,
                /* VME .. UMIP, LA57, VMXE, SMXE, FSGSBASE, PCIDE, OSXSAVE, KL, SMEP, SMAP, PKE, CET, PKS,
                 * UINTR (CR4.FRED and LAM are left out with the FRED controls) */
                M(MSR_IA32_VMX_CR4_FIXED1) = 0x03ff7fffull,
                /* highest index in hv's field table: IA32_SPEC_CTRL shadow (0x204c, index 0x26) */
                M(MSR_IA32_VMX_VMCS_ENUM) = 0x4cull,
                M(MSR_IA32_VMX_PROCBASED_CTLS2) = CTL(SIM_DEFINED_PROC2, 0),
                M(MSR_IA32_VMX_EPT_VPID_CAP) = SIM_EPT_CAP_BITS | SIM_VPID_CAP_BITS,
                M(MSR_IA32_VMX_TRUE_PINBASED_CTLS) = CTL(SIM_DEFINED_PIN, VMX_DEFAULT1_PIN),
                M(MSR_IA32_VMX_TRUE_PROCBASED_CTLS) = CTL(SIM_DEFINED_PROC, VMX_DEFAULT1_PROC & ~SIM_FLEX1_PROC),
                M(MSR_IA32_VMX_TRUE_EXIT_CTLS) = CTL(SIM_DEFINED_EXIT, VMX_DEFAULT1_EXIT & ~SIM_FLEX1_EXIT),
                M(MSR_IA32_VMX_TRUE_ENTRY_CTLS) = CTL(SIM_DEFINED_ENTRY, VMX_DEFAULT1_ENTRY & ~SIM_FLEX1_ENTRY),
                M(MSR_IA32_VMX_VMFUNC) = 0x1ull, /* EPTP switching, the only VM function defined */
                M(MSR_IA32_VMX_PROCBASED_CTLS3) = SIM_DEFINED_PROC3,
                M(MSR_IA32_VMX_EXIT_CTLS2) = SIM_DEFINED_EXIT2,
            },
        .feature_control = 0,
        .maxphyaddr = 52,
        .linear_width = 57,
        .cpuid_count = 8,
        .cpuid =
            {
                VENDOR_LEAF(0xd),
                /* synthetic: family 6 model 0x8f; ECX: every defined feature but OSXSAVE (run-time) and the
                 * hypervisor bit; EDX as the Bochs models */
                {0x1u, 0u, 0x000806f8u, 0x00010800u, 0x77feffffu, BOCHS_LEAF1_EDX},
                /* EBX: FSGSBASE TSC_ADJUST BMI1 AVX2 FDP SMEP BMI2 ERMS INVPCID FCS/FDS AVX512F/DQ RDSEED ADX
                 * SMAP CLFLUSHOPT CLWB PT AVX512CD SHA AVX512BW/VL; ECX: UMIP PKU WAITPKG CET_SS LA57 RDPID
                 * KL ENQCMD PKS; EDX: UINTR PCONFIG CET_IBT */
                {0x7u, 0u, 0u, 0xf39f27ebu, 0xa0c100acu, 0x00140020u},
                {0xdu, 0u, 0x2e7u, 0x240u, 0xa88u, 0u}, /* x87 SSE AVX AVX-512 PKRU */
                {0xdu, 1u, 0xfu, 0x240u, 0u, 0u},
                EXT_MAX_LEAF,
                {0x80000001u, 0u, 0u, 0u, 0x00000121u, 0x2c100800u},
                {0x80000008u, 0u, 0x00003934u, 0u, 0u, 0u}, /* 52-bit physical, 57-bit linear */
            },
    },
};

size_t sim_profile_count(void)
{
    return sizeof profiles / sizeof profiles[0];
}

const struct sim_profile *sim_profile_at(size_t i)
{
    return i < sim_profile_count() ? &profiles[i] : NULL;
}

const struct sim_profile *sim_profile_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sim_profile_count(); i++)
        if (strcmp(profiles[i].name, name) == 0)
            return &profiles[i];
    return NULL;
}
