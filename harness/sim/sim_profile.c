/* What a profile's processor answers: RDMSR of the capability MSRs with the existence rules of SDM Vol. 3
 * Appendix A, CPUID, which VMCS fields exist; a constructor from fuzz bytes and the invariant checker that
 * every profile, named or built, must pass. */
#include "sim_profile.h"
#include "sim_profile_bits.h"

#include <string.h>

#define IDX(msr) ((msr)-SIM_VMX_MSR_FIRST)

static uint32_t allowed1(uint64_t ctl) { return (uint32_t)(ctl >> 32); }
static uint32_t allowed0(uint64_t ctl) { return (uint32_t)ctl; }

/* ---------------------------------------------------------------------------------------------------- */
/* CPUID                                                                                                 */

/* Leaves whose output depends on ECX (SDM Vol. 2A, CPUID, Table 3-8): for the others the subleaf is
 * ignored. */
static bool leaf_has_subleaves(uint32_t leaf)
{
    switch (leaf) {
    case 0x04: case 0x07: case 0x0b: case 0x0d: case 0x0f: case 0x10: case 0x12: case 0x14:
    case 0x17: case 0x18: case 0x1d: case 0x1e: case 0x1f: case 0x20: case 0x23: case 0x24:
        return true;
    default:
        return false;
    }
}

static const struct sim_cpuid_leaf *cpuid_find(const struct sim_profile *p, uint32_t leaf, uint32_t subleaf)
{
    if (!leaf_has_subleaves(leaf))
        subleaf = 0;
    uint32_t n = p->cpuid_count < SIM_PROFILE_MAX_CPUID ? p->cpuid_count : SIM_PROFILE_MAX_CPUID;
    for (uint32_t i = 0; i < n; i++)
        if (p->cpuid[i].leaf == leaf && p->cpuid[i].subleaf == subleaf)
            return &p->cpuid[i];
    return NULL;
}

void sim_profile_cpuid(const struct sim_profile *p, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    const struct sim_cpuid_leaf *l = cpuid_find(p, leaf, subleaf);
    out[0] = l ? l->eax : 0;
    out[1] = l ? l->ebx : 0;
    out[2] = l ? l->ecx : 0;
    out[3] = l ? l->edx : 0;
}

enum { EAX, EBX, ECX, EDX };

static bool cpuid_bit(const struct sim_profile *p, uint32_t leaf, int reg, unsigned bit)
{
    uint32_t r[4];
    sim_profile_cpuid(p, leaf, 0, r);
    return (r[reg] >> bit) & 1u;
}

/* CPUID.1:ECX.VMX[bit 5]: the processor supports VMX (SDM Vol. 3 §24.6 "Discovering Support for VMX"). */
static bool has_vmx(const struct sim_profile *p) { return cpuid_bit(p, 1, ECX, 5); }
/* CPUID.1:ECX.SMX[bit 6] (SDM Vol. 2D, GETSEC). */
static bool has_smx(const struct sim_profile *p) { return cpuid_bit(p, 1, ECX, 6); }

/* ---------------------------------------------------------------------------------------------------- */
/* RDMSR                                                                                                 */

static uint64_t stored(const struct sim_profile *p, uint32_t msr) { return p->vmx_msr[IDX(msr)]; }

static bool vmx_msr_exists(const struct sim_profile *p, uint32_t msr)
{
    if (msr < SIM_VMX_MSR_FIRST || msr >= SIM_VMX_MSR_FIRST + SIM_VMX_MSR_COUNT || !has_vmx(p))
        return false;
    uint32_t proc1 = allowed1(stored(p, MSR_IA32_VMX_PROCBASED_CTLS));
    bool secondary = proc1 & PROC_ACTIVATE_SECONDARY_CONTROLS;
    uint32_t sec1 = secondary ? allowed1(stored(p, MSR_IA32_VMX_PROCBASED_CTLS2)) : 0;
    switch (msr) {
    case MSR_IA32_VMX_PROCBASED_CTLS2:
        /* A.3.3: only if the 1-setting of "activate secondary controls" is supported (bit 63 of
         * IA32_VMX_PROCBASED_CTLS). */
        return secondary;
    case MSR_IA32_VMX_EPT_VPID_CAP:
        /* A.10: only with "activate secondary controls" and either "enable EPT" or "enable VPID". */
        return (sec1 & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID)) != 0;
    case MSR_IA32_VMX_TRUE_PINBASED_CTLS:
    case MSR_IA32_VMX_TRUE_PROCBASED_CTLS:
    case MSR_IA32_VMX_TRUE_EXIT_CTLS:
    case MSR_IA32_VMX_TRUE_ENTRY_CTLS:
        /* A.1 (bit 55), A.3.1, A.3.2, A.4.1, A.5: only if IA32_VMX_BASIC bit 55 is 1. */
        return (stored(p, MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS) != 0;
    case MSR_IA32_VMX_VMFUNC:
        /* A.11: only with "activate secondary controls" and "enable VM functions". */
        return (sec1 & PROC2_ENABLE_VM_FUNCTIONS) != 0;
    case MSR_IA32_VMX_PROCBASED_CTLS3:
        /* A.3.4: only if the 1-setting of "activate tertiary controls" is supported (bit 49 of
         * IA32_VMX_PROCBASED_CTLS). */
        return (proc1 & PROC_ACTIVATE_TERTIARY_CONTROLS) != 0;
    case MSR_IA32_VMX_EXIT_CTLS2:
        /* A.4.2: only if the 1-setting of the VM-exit control "activate secondary controls" is supported
         * (bit 63 of IA32_VMX_EXIT_CTLS). */
        return (allowed1(stored(p, MSR_IA32_VMX_EXIT_CTLS)) & EXIT_ACTIVATE_SECONDARY_CONTROLS) != 0;
    default:
        /* 480H-48AH: A.1-A.9, on every processor that supports VMX. */
        return msr <= MSR_IA32_VMX_VMCS_ENUM;
    }
}

bool sim_profile_rdmsr(const struct sim_profile *p, uint32_t msr, uint64_t *value)
{
    uint64_t v = 0;
    bool ok;
    if (msr == MSR_IA32_FEATURE_CONTROL) {
        /* SDM Vol. 4 Table 2-2: IA32_FEATURE_CONTROL exists if CPUID.1:ECX.VMX or .SMX is 1. */
        ok = has_vmx(p) || has_smx(p);
        v = p->feature_control;
    } else {
        ok = vmx_msr_exists(p, msr);
        if (ok)
            v = stored(p, msr);
    }
    if (value)
        *value = ok ? v : 0; /* on #GP the caller sees 0, so that a missing MSR allows nothing */
    return ok;
}

/* The value software would read, 0 for an MSR the processor does not have. */
static uint64_t cap(const struct sim_profile *p, uint32_t msr)
{
    uint64_t v;
    sim_profile_rdmsr(p, msr, &v);
    return v;
}

/* ---------------------------------------------------------------------------------------------------- */
/* VMCS fields                                                                                           */

/* Whether the processor has the feature that makes a VMCS field exist: the capability bit that introduces
 * it. SDM Vol. 3 §25.4-§25.8 describe each optional field as existing "only on processors that support the
 * 1-setting of" a control (Appendix B lists the fields); the controls are those of Table 25-5 (pin), 25-6
 * (primary), 25-7 (secondary), 25-8 (tertiary), 25-13 (exit) and 25-15 (entry). */
static bool feature_supported(const struct sim_profile *p, unsigned feature)
{
    uint32_t pin1 = allowed1(cap(p, MSR_IA32_VMX_PINBASED_CTLS));
    uint32_t proc1 = allowed1(cap(p, MSR_IA32_VMX_PROCBASED_CTLS));
    uint32_t sec1 = allowed1(cap(p, MSR_IA32_VMX_PROCBASED_CTLS2));
    uint64_t tert1 = cap(p, MSR_IA32_VMX_PROCBASED_CTLS3);
    uint32_t exit1 = allowed1(cap(p, MSR_IA32_VMX_EXIT_CTLS));
    uint32_t entry1 = allowed1(cap(p, MSR_IA32_VMX_ENTRY_CTLS));
    uint64_t vmfunc = cap(p, MSR_IA32_VMX_VMFUNC);

    switch ((enum hv_vmcs_feature)feature) {
    case HV_VMCS_FEAT_BASE:
    case HV_VMCS_FEAT_VMX_SMBASE: /* guest SMBASE: every processor (Appendix B.3.3) */
        return true;
    case HV_VMCS_FEAT_VPID:
        return sec1 & PROC2_ENABLE_VPID;
    case HV_VMCS_FEAT_POSTED_INTR:
        return pin1 & PIN_PROCESS_POSTED_INTERRUPTS;
    case HV_VMCS_FEAT_EPTP_SWITCHING: /* EPTP-list address: VM function 0, EPTP switching (A.11) */
        return (sec1 & PROC2_ENABLE_VM_FUNCTIONS) && (vmfunc & 1u);
    case HV_VMCS_FEAT_HLAT:
        return tert1 & PROC3_ENABLE_HLAT;
    case HV_VMCS_FEAT_IPI_VIRT:
        return tert1 & PROC3_IPI_VIRTUALIZATION;
    case HV_VMCS_FEAT_VIRT_INTR_DELIVERY: /* EOI-exit bitmaps, guest interrupt status */
        return sec1 & PROC2_VIRTUAL_INTERRUPT_DELIVERY;
    case HV_VMCS_FEAT_PML: /* PML address, PML index */
        return sec1 & PROC2_ENABLE_PML;
    case HV_VMCS_FEAT_UINTR: /* guest UINV: VM-entry "load UINV" / VM-exit "clear UINV" */
        return (entry1 & ENTRY_LOAD_UINV) || (exit1 & EXIT_CLEAR_UINV);
    case HV_VMCS_FEAT_EXEC_VMCS_PTR: /* dual-monitor treatment of SMM, IA32_VMX_BASIC bit 49 (A.1) */
        return cap(p, MSR_IA32_VMX_BASIC) & VMX_BASIC_DUAL_MONITOR;
    case HV_VMCS_FEAT_TPR_SHADOW: /* virtual-APIC address, TPR threshold */
        return proc1 & PROC_USE_TPR_SHADOW;
    case HV_VMCS_FEAT_APIC_ACCESS:
        return sec1 & PROC2_VIRTUALIZE_APIC_ACCESSES;
    case HV_VMCS_FEAT_VMFUNC:
        return sec1 & PROC2_ENABLE_VM_FUNCTIONS;
    case HV_VMCS_FEAT_EPT:
    case HV_VMCS_FEAT_PDPTE: /* guest PDPTEs: "enable EPT" */
        return sec1 & PROC2_ENABLE_EPT;
    case HV_VMCS_FEAT_VMCS_SHADOWING:
        return sec1 & PROC2_VMCS_SHADOWING;
    case HV_VMCS_FEAT_EPT_VE:
        return sec1 & PROC2_EPT_VIOLATION_VE;
    case HV_VMCS_FEAT_XSAVES:
        return sec1 & PROC2_ENABLE_XSAVES_XRSTORS;
    case HV_VMCS_FEAT_ENCLS:
        return sec1 & PROC2_ENABLE_ENCLS_EXITING;
    case HV_VMCS_FEAT_SPP:
        return sec1 & PROC2_SUB_PAGE_WRITE_PERMISSIONS;
    case HV_VMCS_FEAT_TSC_SCALING:
        return sec1 & PROC2_USE_TSC_SCALING;
    case HV_VMCS_FEAT_TERTIARY:
        return proc1 & PROC_ACTIVATE_TERTIARY_CONTROLS;
    case HV_VMCS_FEAT_ENCLV:
        return sec1 & PROC2_ENABLE_ENCLV_EXITING;
    case HV_VMCS_FEAT_PASID: /* secondary "PASID translation", bit 21 (Table 25-7) */
        return sec1 & PROC2_PASID_TRANSLATION;
    case HV_VMCS_FEAT_PCONFIG:
        return sec1 & PROC2_ENABLE_PCONFIG;
    case HV_VMCS_FEAT_EXIT_CTLS2:
        return exit1 & EXIT_ACTIVATE_SECONDARY_CONTROLS;
    case HV_VMCS_FEAT_SPEC_CTRL: /* IA32_SPEC_CTRL mask/shadow: tertiary "virtualize IA32_SPEC_CTRL" */
        return tert1 & PROC3_VIRTUALIZE_IA32_SPEC_CTRL;
    case HV_VMCS_FEAT_PAT:
        return (entry1 & ENTRY_LOAD_IA32_PAT) || (exit1 & (EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT));
    case HV_VMCS_FEAT_EFER:
        return (entry1 & ENTRY_LOAD_IA32_EFER) || (exit1 & (EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER));
    case HV_VMCS_FEAT_PERF_GLOBAL:
        return (entry1 & ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL) ||
               (exit1 & (EXIT_LOAD_IA32_PERF_GLOBAL_CTRL | EXIT_SAVE_IA32_PERF_GLOBAL_CTL));
    case HV_VMCS_FEAT_BNDCFGS:
        return (entry1 & ENTRY_LOAD_IA32_BNDCFGS) || (exit1 & EXIT_CLEAR_IA32_BNDCFGS);
    case HV_VMCS_FEAT_RTIT:
        return (entry1 & ENTRY_LOAD_IA32_RTIT_CTL) || (exit1 & EXIT_CLEAR_IA32_RTIT_CTL);
    case HV_VMCS_FEAT_LBR_CTL:
        return (entry1 & ENTRY_LOAD_GUEST_IA32_LBR_CTL) || (exit1 & EXIT_CLEAR_IA32_LBR_CTL);
    case HV_VMCS_FEAT_PKRS:
        return (entry1 & ENTRY_LOAD_PKRS) || (exit1 & EXIT_LOAD_PKRS);
    case HV_VMCS_FEAT_CET:
        return (entry1 & ENTRY_LOAD_CET_STATE) || (exit1 & EXIT_LOAD_CET_STATE);
    case HV_VMCS_FEAT_PREEMPTION_TIMER:
        return pin1 & PIN_ACTIVATE_PREEMPTION_TIMER;
    case HV_VMCS_FEAT_PLE: /* PLE_Gap, PLE_Window */
        return sec1 & PROC2_PAUSE_LOOP_EXITING;
    case HV_VMCS_FEAT_INSTR_TIMEOUT:
        return sec1 & PROC2_INSTRUCTION_TIMEOUT;
    case HV_VMCS_FEAT_COUNT:
        break;
    }
    return false;
}

/* IA32_VMX_VMCS_ENUM bits 9:1: the highest index value used for any VMCS encoding (SDM Vol. 3 §A.9). An
 * encoding whose index (bits 9:1, §25.11.2) is above it names no field on this processor. */
static uint32_t vmcs_enum_max_index(const struct sim_profile *p)
{
    return HV_VMCS_ENC_INDEX(cap(p, MSR_IA32_VMX_VMCS_ENUM));
}

bool sim_profile_has_vmcs_field(const struct sim_profile *p, int field_ordinal)
{
    if (field_ordinal < 0 || field_ordinal >= HV_VMCS_FIELD_COUNT)
        return false;
    const struct hv_vmcs_field *f = &hv_vmcs_field_table[field_ordinal];
    return HV_VMCS_ENC_INDEX(f->encoding) <= vmcs_enum_max_index(p) && feature_supported(p, f->feature);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Invariants                                                                                            */

/* CR4 bits with the CPUID flag that enumerates them (SDM Vol. 3 §2.5, Vol. 2A CPUID). */
static const struct {
    uint8_t cr4_bit;
    uint32_t leaf;
    uint8_t reg, bit;
} cr4_cpuid[] = {
    {0, 1, EDX, 1},   /* VME: VME */
    {1, 1, EDX, 1},   /* PVI: VME */
    {2, 1, EDX, 4},   /* TSD: TSC */
    {3, 1, EDX, 2},   /* DE */
    {4, 1, EDX, 3},   /* PSE */
    {5, 1, EDX, 6},   /* PAE */
    {6, 1, EDX, 7},   /* MCE */
    {7, 1, EDX, 13},  /* PGE */
    {9, 1, EDX, 24},  /* OSFXSR: FXSR */
    {10, 1, EDX, 25}, /* OSXMMEXCPT: SSE */
    {11, 7, ECX, 2},  /* UMIP */
    {12, 7, ECX, 16}, /* LA57 */
    {13, 1, ECX, 5},  /* VMXE: VMX */
    {14, 1, ECX, 6},  /* SMXE: SMX */
    {16, 7, EBX, 0},  /* FSGSBASE */
    {17, 1, ECX, 17}, /* PCIDE: PCID */
    {18, 1, ECX, 26}, /* OSXSAVE: XSAVE */
    {19, 7, ECX, 23}, /* KL */
    {20, 7, EBX, 7},  /* SMEP */
    {21, 7, EBX, 20}, /* SMAP */
    {22, 7, ECX, 3},  /* PKE: PKU */
    {23, 7, ECX, 7},  /* CET: CET_SS */
    {24, 7, ECX, 31}, /* PKS */
    {25, 7, EDX, 5},  /* UINTR */
};
/* The CR4 bits above plus PCE (bit 8, every processor) make up CR4_KNOWN_BITS (<hv/x86.h>); the others are
 * reserved. */

/* Fields whose feature in hv's table is broader than what brings them: the Shared-EPTP field (0x203c,
 * index 0x1e) belongs to processors with TDX (SEAM) but is listed under "enable EPT", which every EPT
 * processor before it also has - e.g. Bochs' Haswell, whose VMCS_ENUM 0x34 (index 0x1a) rightly hides it.
 * For such a field VMCS_ENUM decides alone, and the coverage invariant does not apply. */
static bool enum_may_hide(int ordinal) { return ordinal == HV_VMCS_ORD_SHARED_EPTP; }

/* A control pair: allowed-0 within allowed-1 (Appendix A.3-A.5: a bit set in allowed-0 is a control that
 * must be 1, so it must be allowed to be 1). */
static bool ctl_consistent(uint64_t ctl) { return (allowed0(ctl) & ~allowed1(ctl)) == 0; }

const char *sim_profile_invariant_violation(const struct sim_profile *p)
{
    if (!p)
        return "no profile";
    if (p->cpuid_count > SIM_PROFILE_MAX_CPUID)
        return "cpuid_count above SIM_PROFILE_MAX_CPUID";
    if (!has_vmx(p))
        return "CPUID.1:ECX.VMX is 0 (SDM Vol. 3 §24.6)";
    if (!cpuid_bit(p, 0x80000001u, EDX, 29))
        return "CPUID.80000001H:EDX.LM is 0: hv needs an Intel 64 processor";

    /* IA32_VMX_BASIC (A.1). */
    uint64_t basic = cap(p, MSR_IA32_VMX_BASIC);
    uint64_t size = (basic & VMX_BASIC_SIZE_MASK) >> VMX_BASIC_SIZE_SHIFT;
    unsigned memtype = (unsigned)(basic >> VMX_BASIC_MEMTYPE_SHIFT) & 0xfu;
    if ((basic & VMX_BASIC_REVISION_MASK) == 0)
        return "IA32_VMX_BASIC: VMCS revision identifier 0 (A.1)";
    if (basic & VMX_BASIC_RESERVED)
        return "IA32_VMX_BASIC: bit 31 or a reserved bit (47:45, 63:57) set (A.1)";
    if (size == 0 || size > 4096)
        return "IA32_VMX_BASIC: VMXON/VMCS region size not in 1..4096 (A.1, bits 44:32)";
    if (basic & VMX_BASIC_PHYS32)
        return "IA32_VMX_BASIC: bit 48 set on an Intel 64 processor (A.1)";
    if (memtype != 0 && memtype != 6)
        return "IA32_VMX_BASIC: VMCS memory type neither UC (0) nor WB (6) (A.1, bits 53:50)";

    /* The control MSRs (A.3-A.5). */
    uint64_t pin = cap(p, MSR_IA32_VMX_PINBASED_CTLS), proc = cap(p, MSR_IA32_VMX_PROCBASED_CTLS);
    uint64_t exit = cap(p, MSR_IA32_VMX_EXIT_CTLS), entry = cap(p, MSR_IA32_VMX_ENTRY_CTLS);
    uint64_t proc2 = cap(p, MSR_IA32_VMX_PROCBASED_CTLS2);
    if (!ctl_consistent(pin))
        return "IA32_VMX_PINBASED_CTLS: allowed-0 bit outside allowed-1 (A.3.1)";
    if (!ctl_consistent(proc))
        return "IA32_VMX_PROCBASED_CTLS: allowed-0 bit outside allowed-1 (A.3.2)";
    if (!ctl_consistent(exit))
        return "IA32_VMX_EXIT_CTLS: allowed-0 bit outside allowed-1 (A.4.1)";
    if (!ctl_consistent(entry))
        return "IA32_VMX_ENTRY_CTLS: allowed-0 bit outside allowed-1 (A.5)";
    if (!ctl_consistent(proc2))
        return "IA32_VMX_PROCBASED_CTLS2: allowed-0 bit outside allowed-1 (A.3.3)";
    if ((allowed0(pin) & VMX_DEFAULT1_PIN) != VMX_DEFAULT1_PIN)
        return "IA32_VMX_PINBASED_CTLS: default1 bit (1, 2, 4) not must-be-1 (A.3.1)";
    if ((allowed0(proc) & VMX_DEFAULT1_PROC) != VMX_DEFAULT1_PROC)
        return "IA32_VMX_PROCBASED_CTLS: default1 bit (1, 4-6, 8, 13-16, 26) not must-be-1 (A.3.2)";
    if ((allowed0(exit) & VMX_DEFAULT1_EXIT) != VMX_DEFAULT1_EXIT)
        return "IA32_VMX_EXIT_CTLS: default1 bit (0-8, 10, 11, 13, 14, 16, 17) not must-be-1 (A.4.1)";
    if ((allowed0(entry) & VMX_DEFAULT1_ENTRY) != VMX_DEFAULT1_ENTRY)
        return "IA32_VMX_ENTRY_CTLS: default1 bit (0-8, 12) not must-be-1 (A.5)";

    /* TRUE MSRs (A.3.1, A.3.2, A.4.1, A.5): they report on all the controls, the plain MSRs on all but the
     * default1 class, and software needs to consult only one of them - so the two agree on allowed-1 and on
     * allowed-0 outside the default1 class. */
    if (basic & VMX_BASIC_TRUE_CTLS) {
        static const struct {
            uint32_t msr, true_msr, def1;
            const char *name;
        } t[] = {
            {MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS, VMX_DEFAULT1_PIN,
             "IA32_VMX_TRUE_PINBASED_CTLS disagrees with IA32_VMX_PINBASED_CTLS (A.3.1)"},
            {MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS, VMX_DEFAULT1_PROC,
             "IA32_VMX_TRUE_PROCBASED_CTLS disagrees with IA32_VMX_PROCBASED_CTLS (A.3.2)"},
            {MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS, VMX_DEFAULT1_EXIT,
             "IA32_VMX_TRUE_EXIT_CTLS disagrees with IA32_VMX_EXIT_CTLS (A.4.1)"},
            {MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS, VMX_DEFAULT1_ENTRY,
             "IA32_VMX_TRUE_ENTRY_CTLS disagrees with IA32_VMX_ENTRY_CTLS (A.5)"},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
            uint64_t plain = cap(p, t[i].msr), tru = cap(p, t[i].true_msr);
            if (allowed1(tru) != allowed1(plain) || ((allowed0(tru) ^ allowed0(plain)) & ~t[i].def1) ||
                (allowed0(tru) & ~allowed0(plain)))
                return t[i].name;
        }
    }

    uint32_t pin1 = allowed1(pin), proc1 = allowed1(proc), exit1 = allowed1(exit), entry1 = allowed1(entry);
    uint32_t sec1 = allowed1(proc2);
    /* A processor supporting Intel 64 lets a 64-bit VMM exist (Tables 25-13, 25-15; §27.2.4). */
    if (!(exit1 & EXIT_HOST_ADDRESS_SPACE_SIZE))
        return "VM-exit \"host address-space size\" cannot be 1 on an Intel 64 processor (Table 25-13)";
    if (!(entry1 & ENTRY_IA32E_MODE_GUEST))
        return "VM-entry \"IA-32e mode guest\" cannot be 1 on an Intel 64 processor (Table 25-15)";

    /* No control may be allowed whose partner the VM-entry checks require is never allowed (§27.2.1.1,
     * §27.2.1.2): such a control could never be used. */
    if ((pin1 & PIN_VIRTUAL_NMIS) && !(pin1 & PIN_NMI_EXITING))
        return "\"virtual NMIs\" allowed without \"NMI exiting\" (§27.2.1.1)";
    if ((proc1 & PROC_NMI_WINDOW_EXITING) && !(pin1 & PIN_VIRTUAL_NMIS))
        return "\"NMI-window exiting\" allowed without \"virtual NMIs\" (§27.2.1.1)";
    if ((sec1 & (PROC2_VIRTUALIZE_X2APIC_MODE | PROC2_APIC_REGISTER_VIRTUALIZATION |
                 PROC2_VIRTUAL_INTERRUPT_DELIVERY)) &&
        !(proc1 & PROC_USE_TPR_SHADOW))
        return "x2APIC / APIC-register virtualization or virtual-interrupt delivery allowed without "
               "\"use TPR shadow\" (§27.2.1.1)";
    if ((pin1 & PIN_PROCESS_POSTED_INTERRUPTS) &&
        (!(sec1 & PROC2_VIRTUAL_INTERRUPT_DELIVERY) || !(exit1 & EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT)))
        return "\"process posted interrupts\" allowed without virtual-interrupt delivery and \"acknowledge "
               "interrupt on exit\" (§27.2.1.1)";
    if ((sec1 & (PROC2_UNRESTRICTED_GUEST | PROC2_ENABLE_PML | PROC2_MODE_BASED_EXECUTE_CONTROL |
                 PROC2_SUB_PAGE_WRITE_PERMISSIONS | PROC2_PT_USES_GUEST_PHYSICAL)) &&
        !(sec1 & PROC2_ENABLE_EPT))
        return "unrestricted guest / PML / mode-based execute / sub-page permissions / PT-uses-GPA allowed "
               "without \"enable EPT\" (§27.2.1.1)";
    if ((sec1 & PROC2_PT_USES_GUEST_PHYSICAL) &&
        (!(entry1 & ENTRY_LOAD_IA32_RTIT_CTL) || !(exit1 & EXIT_CLEAR_IA32_RTIT_CTL)))
        return "\"Intel PT uses guest physical addresses\" allowed without load/clear IA32_RTIT_CTL "
               "(§27.2.1.1)";
    if ((cap(p, MSR_IA32_VMX_VMFUNC) & 1u) && !(sec1 & PROC2_ENABLE_EPT))
        return "EPTP switching allowed without \"enable EPT\" (§27.2.1.1)";
    if ((exit1 & EXIT_SAVE_PREEMPTION_TIMER) && !(pin1 & PIN_ACTIVATE_PREEMPTION_TIMER))
        return "\"save VMX-preemption timer value\" allowed without the timer (§27.2.1.2)";

    /* IA32_VMX_EPT_VPID_CAP (A.10): with EPT allowed, some EPTP must be valid (§27.2.1.1: page-walk length
     * and memory type the MSR reports). */
    uint64_t ept = cap(p, MSR_IA32_VMX_EPT_VPID_CAP);
    if (sec1 & PROC2_ENABLE_EPT) {
        if (!(ept & (EPT_CAP_WALK_LENGTH_4 | EPT_CAP_WALK_LENGTH_5)))
            return "EPT allowed but no EPT page-walk length supported (A.10 bits 6, 7)";
        if (!(ept & (EPT_CAP_MEMTYPE_UC | EPT_CAP_MEMTYPE_WB)))
            return "EPT allowed but no EPT paging-structure memory type supported (A.10 bits 8, 14)";
    }

    /* IA32_VMX_MISC (A.6). */
    uint64_t misc = cap(p, MSR_IA32_VMX_MISC);
    uint32_t cr3_targets = (uint32_t)(misc >> VMX_MISC_CR3_TARGETS_SHIFT) & 0x1ffu;
    if ((sec1 & PROC2_UNRESTRICTED_GUEST) && !(misc & VMX_MISC_STORE_LMA))
        return "IA32_VMX_MISC bit 5 clear although \"unrestricted guest\" may be 1 (A.6)";
    if (cr3_targets > 256 || ((cr3_targets & 0x100) && (cr3_targets & 0xff)))
        return "IA32_VMX_MISC: CR3-target count above 256 (A.6, bits 24:16)";

    /* CR0/CR4 fixed bits (A.7, A.8) and the bits VMX operation requires (§24.8: CR0.PE, NE, PG and
     * CR4.VMXE fixed to 1 on every processor so far). */
    uint64_t cr0f0 = cap(p, MSR_IA32_VMX_CR0_FIXED0), cr0f1 = cap(p, MSR_IA32_VMX_CR0_FIXED1);
    uint64_t cr4f0 = cap(p, MSR_IA32_VMX_CR4_FIXED0), cr4f1 = cap(p, MSR_IA32_VMX_CR4_FIXED1);
    if (cr0f0 & ~cr0f1)
        return "IA32_VMX_CR0_FIXED0 not within IA32_VMX_CR0_FIXED1 (A.7)";
    if ((cr0f0 & (CR0_PE | CR0_NE | CR0_PG)) != (CR0_PE | CR0_NE | CR0_PG))
        return "IA32_VMX_CR0_FIXED0 lacks PE, NE or PG (A.7, §24.8)";
    if (cr0f1 >> 32)
        return "IA32_VMX_CR0_FIXED1 allows a reserved CR0 bit 63:32 (A.7)";
    if (cr4f0 & ~cr4f1)
        return "IA32_VMX_CR4_FIXED0 not within IA32_VMX_CR4_FIXED1 (A.8)";
    if (!(cr4f0 & CR4_VMXE))
        return "IA32_VMX_CR4_FIXED0 lacks VMXE (A.8, §24.8)";
    if (cr4f1 & ~CR4_KNOWN_BITS)
        return "IA32_VMX_CR4_FIXED1 allows a reserved CR4 bit (A.8)";
    for (size_t i = 0; i < sizeof cr4_cpuid / sizeof cr4_cpuid[0]; i++)
        if (((cr4f1 >> cr4_cpuid[i].cr4_bit) & 1) &&
            !cpuid_bit(p, cr4_cpuid[i].leaf, cr4_cpuid[i].reg, cr4_cpuid[i].bit))
            return "IA32_VMX_CR4_FIXED1 allows a CR4 bit whose feature CPUID does not report (A.8)";

    /* IA32_VMX_VMCS_ENUM (A.9): bits 0 and 63:10 reserved; the highest index covers every field the
     * processor's features bring. */
    uint64_t vmcs_enum = cap(p, MSR_IA32_VMX_VMCS_ENUM);
    if (vmcs_enum & ~0x3feull)
        return "IA32_VMX_VMCS_ENUM: reserved bit set (A.9)";
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++)
        if (!enum_may_hide(i) && feature_supported(p, hv_vmcs_field_table[i].feature) &&
            HV_VMCS_ENC_INDEX(hv_vmcs_field_table[i].encoding) > vmcs_enum_max_index(p))
            return "IA32_VMX_VMCS_ENUM below the index of a field the processor supports (A.9)";

    /* Address widths (SDM Vol. 3 §4.1.4: MAXPHYADDR is at most 52; linear 48, or 57 with LA57). */
    if (p->maxphyaddr < 32 || p->maxphyaddr > 52)
        return "maxphyaddr outside 32..52";
    if (p->linear_width != 48 && p->linear_width != 57)
        return "linear_width neither 48 nor 57";
    if ((cr4f1 & CR4_LA57) && p->linear_width != 57)
        return "CR4.LA57 allowed with 48-bit linear addresses";
    if (cpuid_find(p, 0x80000008u, 0)) {
        uint32_t r[4];
        sim_profile_cpuid(p, 0x80000008u, 0, r);
        if ((r[EAX] & 0xffu) != p->maxphyaddr || ((r[EAX] >> 8) & 0xffu) != p->linear_width)
            return "CPUID.80000008H:EAX disagrees with maxphyaddr / linear_width";
    }

    /* IA32_FEATURE_CONTROL (SDM Vol. 3 §24.7): locked with VMXON outside SMX disabled would make VMX
     * unusable. */
    if ((p->feature_control & 1u) && !(p->feature_control & 4u))
        return "IA32_FEATURE_CONTROL locked with VMXON outside SMX disabled";
    return NULL;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Profiles from bytes                                                                                   */

struct reader {
    const uint8_t *data;
    size_t len, pos;
};

/* Past the end the input reads as zeros; pos still advances so that consumption is the same for every
 * input. */
static uint64_t take(struct reader *r, unsigned nbytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < nbytes; i++, r->pos++)
        if (r->pos < r->len)
            v |= (uint64_t)r->data[r->pos] << (8 * i);
    return v;
}

static void set_leaf(struct sim_profile *p, uint32_t leaf, uint32_t subleaf, uint32_t a, uint32_t b,
                     uint32_t c, uint32_t d)
{
    if (p->cpuid_count < SIM_PROFILE_MAX_CPUID)
        p->cpuid[p->cpuid_count++] = (struct sim_cpuid_leaf){leaf, subleaf, a, b, c, d};
}

#define BIT(n) (1u << (n))
#define IF(cond, bits) ((cond) ? (uint32_t)(bits) : 0u)

/* Controls that may come out as must-be-1 beyond the default1 class when the input asks for it. Each is one
 * a VMM can always honour (no §27.2.1 rule forbids it alone), so the profile stays usable. */
#define MUST1_PIN (PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING)
#define MUST1_PROC                                                                                           \
    (PROC_HLT_EXITING | PROC_INVLPG_EXITING | PROC_RDTSC_EXITING | PROC_MOV_DR_EXITING |                     \
     PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY_CONTROLS)
#define MUST1_PROC2                                                                                          \
    (PROC2_DESCRIPTOR_TABLE_EXITING | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_VPID | PROC2_WBINVD_EXITING |       \
     PROC2_ENABLE_INVPCID)
#define MUST1_EXIT                                                                                           \
    (EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT | EXIT_SAVE_IA32_EFER |    \
     EXIT_LOAD_IA32_EFER)
#define MUST1_ENTRY (ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER)
/* CR4 bits a processor may or may not support (the rest of VME..OSXMMEXCPT every Intel 64 processor has). */
#define PROFILE_CR4_BASE 0x27ffull
#define PROFILE_CR4_OPTIONAL (CR4_KNOWN_BITS & ~PROFILE_CR4_BASE)

size_t sim_profile_from_bytes(struct sim_profile *out, const uint8_t *data, size_t len)
{
    struct reader r = {data, data ? len : 0, 0};
    memset(out, 0, sizeof *out);
    out->name = "any";
    out->description = "built from fuzz input (sim_profile_from_bytes)";

    /* Everything is read up front, in a fixed order and amount. */
    uint32_t flags = (uint32_t)take(&r, 2);
    uint32_t revision = (uint32_t)take(&r, 4) & (uint32_t)VMX_BASIC_REVISION_MASK;
    uint32_t size_raw = (uint32_t)take(&r, 2);
    uint32_t pin_raw = (uint32_t)take(&r, 4), proc_raw = (uint32_t)take(&r, 4);
    uint32_t exit_raw = (uint32_t)take(&r, 4), entry_raw = (uint32_t)take(&r, 4);
    uint32_t sec_raw = (uint32_t)take(&r, 4);
    uint64_t tert_raw = take(&r, 1), exit2_raw = take(&r, 1);
    uint32_t must1_raw[5];
    for (int i = 0; i < 5; i++)
        must1_raw[i] = (uint32_t)take(&r, 4);
    uint32_t true_flex_raw = (uint32_t)take(&r, 1);
    uint64_t ept_raw = take(&r, 8);
    uint64_t vmfunc_raw = take(&r, 1);
    uint64_t misc_raw = take(&r, 4);
    uint32_t cr3_targets_raw = (uint32_t)take(&r, 2);
    uint64_t mseg_raw = take(&r, 4);
    uint32_t cr_raw = (uint32_t)take(&r, 1);
    uint64_t cr4_raw = take(&r, 4);
    uint32_t width_raw = (uint32_t)take(&r, 1);

    /* IA32_VMX_BASIC (A.1): revision 1..2^31-1; region size 4096 or any of 1..4096; UC or WB. */
    if (revision == 0)
        revision = 1;
    uint64_t size = (flags & BIT(0)) ? 4096 : 1 + size_raw % 4096;
    uint64_t basic = revision | (size << VMX_BASIC_SIZE_SHIFT) |
                     ((uint64_t)((flags & BIT(1)) ? 0 : 6) << VMX_BASIC_MEMTYPE_SHIFT);
    if (flags & BIT(2))
        basic |= VMX_BASIC_DUAL_MONITOR;
    if (flags & BIT(3))
        basic |= VMX_BASIC_INS_OUTS_INFO;
    if (flags & BIT(4))
        basic |= VMX_BASIC_TRUE_CTLS;
    if (flags & BIT(5))
        basic |= VMX_BASIC_NO_ERRCODE_REQ;
    bool extra_must1 = (flags & (BIT(6) | BIT(7))) == (BIT(6) | BIT(7)); /* one input in four */

    /* Allowed-1: default1 plus any defined control; 64-bit host and guest always (Tables 25-13, 25-15). */
    uint32_t pin1 = VMX_DEFAULT1_PIN | (pin_raw & SIM_DEFINED_PIN);
    uint32_t proc1 = VMX_DEFAULT1_PROC | (proc_raw & SIM_DEFINED_PROC);
    uint32_t exit1 = VMX_DEFAULT1_EXIT | EXIT_HOST_ADDRESS_SPACE_SIZE | (exit_raw & SIM_DEFINED_EXIT);
    uint32_t entry1 = VMX_DEFAULT1_ENTRY | ENTRY_IA32E_MODE_GUEST | (entry_raw & SIM_DEFINED_ENTRY);
    uint32_t sec1 = IF(proc1 & PROC_ACTIVATE_SECONDARY_CONTROLS, sec_raw & SIM_DEFINED_PROC2);
    uint64_t tert1 = (proc1 & PROC_ACTIVATE_TERTIARY_CONTROLS) ? tert_raw & SIM_DEFINED_PROC3 : 0;
    uint64_t exit2 = (exit1 & EXIT_ACTIVATE_SECONDARY_CONTROLS) ? exit2_raw & SIM_DEFINED_EXIT2 : 0;

    /* Drop controls whose required partner is not allowed (the §27.2.1 pairs the checker lists), in
     * dependency order. */
    if (!(pin1 & PIN_NMI_EXITING))
        pin1 &= ~PIN_VIRTUAL_NMIS;
    if (!(pin1 & PIN_VIRTUAL_NMIS))
        proc1 &= ~PROC_NMI_WINDOW_EXITING;
    if (!(proc1 & PROC_USE_TPR_SHADOW))
        sec1 &= ~(PROC2_VIRTUALIZE_X2APIC_MODE | PROC2_APIC_REGISTER_VIRTUALIZATION |
                  PROC2_VIRTUAL_INTERRUPT_DELIVERY);
    if (!(sec1 & PROC2_ENABLE_EPT)) {
        sec1 &= ~(PROC2_UNRESTRICTED_GUEST | PROC2_ENABLE_PML | PROC2_MODE_BASED_EXECUTE_CONTROL |
                  PROC2_SUB_PAGE_WRITE_PERMISSIONS | PROC2_PT_USES_GUEST_PHYSICAL);
        /* Not an SDM rule, realism: HLAT and its companions only make sense with EPT, keep them with it. */
        tert1 &= ~(PROC3_ENABLE_HLAT | PROC3_EPT_PAGING_WRITE_CONTROL | PROC3_GUEST_PAGING_VERIFICATION);
    }
    if (!(entry1 & ENTRY_LOAD_IA32_RTIT_CTL) || !(exit1 & EXIT_CLEAR_IA32_RTIT_CTL))
        sec1 &= ~PROC2_PT_USES_GUEST_PHYSICAL;
    if (!(sec1 & PROC2_VIRTUAL_INTERRUPT_DELIVERY) || !(exit1 & EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT))
        pin1 &= ~PIN_PROCESS_POSTED_INTERRUPTS;
    if (!(pin1 & PIN_ACTIVATE_PREEMPTION_TIMER))
        exit1 &= ~EXIT_SAVE_PREEMPTION_TIMER;

    /* Allowed-0: the default1 class (A.3.1, A.3.2, A.4.1, A.5), sometimes a few more must-be-1 controls.
     * Secondary controls have no default1 class (A.3.3). */
    uint32_t pin0 = VMX_DEFAULT1_PIN, proc0 = VMX_DEFAULT1_PROC, exit0 = VMX_DEFAULT1_EXIT, entry0 = VMX_DEFAULT1_ENTRY;
    uint32_t sec0 = 0;
    if (extra_must1) {
        pin0 |= must1_raw[0] & MUST1_PIN & pin1;
        proc0 |= must1_raw[1] & MUST1_PROC & proc1;
        exit0 |= must1_raw[2] & MUST1_EXIT & exit1;
        entry0 |= must1_raw[3] & MUST1_ENTRY & entry1;
        sec0 |= must1_raw[4] & MUST1_PROC2 & sec1;
    }
    uint64_t *m = out->vmx_msr;
    m[IDX(MSR_IA32_VMX_BASIC)] = basic;
    m[IDX(MSR_IA32_VMX_PINBASED_CTLS)] = ((uint64_t)pin1 << 32) | pin0;
    m[IDX(MSR_IA32_VMX_PROCBASED_CTLS)] = ((uint64_t)proc1 << 32) | proc0;
    m[IDX(MSR_IA32_VMX_EXIT_CTLS)] = ((uint64_t)exit1 << 32) | exit0;
    m[IDX(MSR_IA32_VMX_ENTRY_CTLS)] = ((uint64_t)entry1 << 32) | entry0;
    if (basic & VMX_BASIC_TRUE_CTLS) {
        /* TRUE MSRs: the same, except that some of the default1 controls the SDM has given a meaning may be
         * 0 (A.2). */
        m[IDX(MSR_IA32_VMX_TRUE_PINBASED_CTLS)] = ((uint64_t)pin1 << 32) | pin0;
        m[IDX(MSR_IA32_VMX_TRUE_PROCBASED_CTLS)] =
            ((uint64_t)proc1 << 32) | (proc0 & ~(true_flex_raw << 15 & SIM_FLEX1_PROC));
        m[IDX(MSR_IA32_VMX_TRUE_EXIT_CTLS)] =
            ((uint64_t)exit1 << 32) | (exit0 & ~(true_flex_raw & SIM_FLEX1_EXIT));
        m[IDX(MSR_IA32_VMX_TRUE_ENTRY_CTLS)] =
            ((uint64_t)entry1 << 32) | (entry0 & ~(true_flex_raw >> 1 & SIM_FLEX1_ENTRY));
    }
    if (proc1 & PROC_ACTIVATE_SECONDARY_CONTROLS)
        m[IDX(MSR_IA32_VMX_PROCBASED_CTLS2)] = ((uint64_t)sec1 << 32) | sec0;
    if (proc1 & PROC_ACTIVATE_TERTIARY_CONTROLS)
        m[IDX(MSR_IA32_VMX_PROCBASED_CTLS3)] = tert1; /* allowed-1 only (A.3.4) */
    if (exit1 & EXIT_ACTIVATE_SECONDARY_CONTROLS)
        m[IDX(MSR_IA32_VMX_EXIT_CTLS2)] = exit2; /* allowed-1 only (A.4.2) */

    /* IA32_VMX_EPT_VPID_CAP (A.10). With EPT: a 4-level walk (every EPT processor has it), a memory type,
     * INVEPT with a type; with VPID: INVVPID with a type. */
    uint64_t ept = 0;
    if (sec1 & PROC2_ENABLE_EPT) {
        ept |= (ept_raw & SIM_EPT_CAP_BITS) | EPT_CAP_WALK_LENGTH_4 | EPT_CAP_INVEPT;
        if (!(ept & (EPT_CAP_MEMTYPE_UC | EPT_CAP_MEMTYPE_WB)))
            ept |= EPT_CAP_MEMTYPE_WB;
        if (!(ept & (EPT_CAP_INVEPT_SINGLE_CONTEXT | EPT_CAP_INVEPT_ALL_CONTEXT)))
            ept |= EPT_CAP_INVEPT_ALL_CONTEXT;
    }
    if (sec1 & PROC2_ENABLE_VPID) {
        ept |= (ept_raw & SIM_VPID_CAP_BITS) | VPID_CAP_INVVPID;
        if (!(ept & (VPID_CAP_INDIVIDUAL_ADDRESS | VPID_CAP_SINGLE_CONTEXT | VPID_CAP_ALL_CONTEXT |
                     VPID_CAP_SINGLE_CONTEXT_RETAINING_GLOBALS)))
            ept |= VPID_CAP_ALL_CONTEXT;
    }
    m[IDX(MSR_IA32_VMX_EPT_VPID_CAP)] = ept;
    /* IA32_VMX_VMFUNC (A.11): EPTP switching, only with EPT. */
    if ((sec1 & PROC2_ENABLE_VM_FUNCTIONS) && (sec1 & PROC2_ENABLE_EPT))
        m[IDX(MSR_IA32_VMX_VMFUNC)] = vmfunc_raw & 1u;

    /* IA32_VMX_MISC (A.6): timer rate 4:0, LMA store 5 (forced with unrestricted guest), activity states
     * 8:6, PT 14, SMBASE 15, CR3 targets 24:16 (0..256), MSR-list size 27:25, 28-30; MSEG revision 63:32
     * with dual-monitor treatment. */
    uint64_t misc = misc_raw & 0x7e00c1ffull;
    uint32_t cr3_targets = cr3_targets_raw % 257;
    misc |= (uint64_t)cr3_targets << VMX_MISC_CR3_TARGETS_SHIFT;
    if (sec1 & PROC2_UNRESTRICTED_GUEST)
        misc |= VMX_MISC_STORE_LMA;
    if (basic & VMX_BASIC_DUAL_MONITOR)
        misc |= mseg_raw << 32;
    m[IDX(MSR_IA32_VMX_MISC)] = misc;

    /* CR0 (A.7): PE, NE, PG fixed to 1 (§24.8), sometimes ET too; FIXED1 sometimes forbids CD/NW. */
    m[IDX(MSR_IA32_VMX_CR0_FIXED0)] = CR0_PE | CR0_NE | CR0_PG | ((cr_raw & 1) ? CR0_ET : 0);
    m[IDX(MSR_IA32_VMX_CR0_FIXED1)] = 0xffffffffull & ~((cr_raw & 2) ? CR0_CD | CR0_NW : 0);
    /* CR4 (A.8): VMXE fixed to 1; FIXED1 the CR4 bits this processor supports. XSAVES needs XSAVE. */
    uint64_t cr4f1 = PROFILE_CR4_BASE | (cr4_raw & PROFILE_CR4_OPTIONAL);
    if (sec1 & PROC2_ENABLE_XSAVES_XRSTORS)
        cr4f1 |= 1ull << 18; /* OSXSAVE */
    m[IDX(MSR_IA32_VMX_CR4_FIXED0)] = CR4_VMXE;
    m[IDX(MSR_IA32_VMX_CR4_FIXED1)] = cr4f1;

    out->maxphyaddr = (uint8_t)(32 + width_raw % 21);
    out->linear_width = (cr4f1 & CR4_LA57) ? 57 : 48;
    out->feature_control = (flags & BIT(8)) ? 0x5 : 0; /* locked with VMXON outside SMX, or unlocked */

    /* CPUID, consistent with CR4_FIXED1 and with the controls that name an instruction. */
#define CR4(n) ((cr4f1 >> (n)) & 1)
    bool xsave = CR4(18);
    bool xsaves = sec1 & PROC2_ENABLE_XSAVES_XRSTORS;
    set_leaf(out, 0, 0, 0xd, 0x756e6547u, 0x6c65746eu, 0x49656e69u); /* GenuineIntel */
    /* synthetic family 6 model 0x9e; ECX: SSE3 SSSE3 CX16 SSE4.1 SSE4.2 POPCNT VMX + what CR4 implies;
     * EDX: FPU VME DE PSE TSC MSR PAE MCE CX8 APIC SEP MTRR PGE MCA CMOV PAT PSE36 CLFSH MMX FXSR SSE SSE2 */
    set_leaf(out, 1, 0, 0x000906eau, 0x00010800u,
             0x00982221u | IF(CR4(14), BIT(6)) | IF(CR4(17), BIT(17)) | IF(xsave, BIT(26)) |
                 IF(sec1 & PROC2_RDRAND_EXITING, BIT(30)),
             0x078bfbffu);
    set_leaf(out, 7, 0, 0,
             IF(CR4(16), BIT(0)) | IF(CR4(20), BIT(7)) | IF(sec1 & PROC2_ENABLE_INVPCID, BIT(10)) |
                 IF(sec1 & PROC2_RDSEED_EXITING, BIT(18)) | IF(CR4(21), BIT(20)),
             IF(CR4(11), BIT(2)) | IF(CR4(22), BIT(3)) | IF(sec1 & PROC2_ENABLE_USER_WAIT_PAUSE, BIT(5)) |
                 IF(CR4(23), BIT(7)) | IF(CR4(12), BIT(16)) | IF(CR4(19), BIT(23)) | IF(CR4(24), BIT(31)),
             IF(CR4(25), BIT(5)) | IF(sec1 & PROC2_ENABLE_PCONFIG, BIT(18)) | IF(CR4(23), BIT(20)));
    set_leaf(out, 0xd, 0, IF(xsave, 3), IF(xsave, 0x240), IF(xsave, 0x240), 0);
    set_leaf(out, 0xd, 1, IF(xsave, 1) | IF(xsaves, 0xe), IF(xsaves, 0x240), 0, 0);
    set_leaf(out, 0x80000000u, 0, 0x80000008u, 0, 0, 0);
    /* EDX: SYSCALL NX LM, RDTSCP with "enable RDTSCP" (or at random without secondary controls), 1 GiB
     * pages at random */
    bool rdtscp = (proc1 & PROC_ACTIVATE_SECONDARY_CONTROLS) ? (sec1 & PROC2_ENABLE_RDTSCP) != 0
                                                              : (flags & BIT(9)) != 0;
    set_leaf(out, 0x80000001u, 0, 0, 0, 0x1u,
             0x20100800u | IF(rdtscp, BIT(27)) | IF(flags & BIT(10), BIT(26)));
    set_leaf(out, 0x80000008u, 0, (uint32_t)out->maxphyaddr | ((uint32_t)out->linear_width << 8), 0, 0, 0);
#undef CR4

    /* IA32_VMX_VMCS_ENUM (A.9): the highest index any field of this processor uses. */
    m[IDX(MSR_IA32_VMX_VMCS_ENUM)] = 0x3feull;
    uint32_t max_index = 0;
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++) {
        uint32_t index = HV_VMCS_ENC_INDEX(hv_vmcs_field_table[i].encoding);
        /* a field VMCS_ENUM alone may hide is there when the input says so */
        bool wanted = !enum_may_hide(i) || (flags & BIT(11));
        if (index > max_index && wanted && feature_supported(out, hv_vmcs_field_table[i].feature))
            max_index = index;
    }
    m[IDX(MSR_IA32_VMX_VMCS_ENUM)] = (uint64_t)max_index << 1;

    return r.pos < r.len ? r.pos : r.len;
}
