/* Cases for the guest-state VM-entry checks (SDM Vol. 3 §27.3.1; entry_checks_guest*.c): one {rule, profile,
 * pass, trip} per rule. The template is a 64-bit guest (IA-32e mode, CS.L = 1, paging, CPL 0); the helpers
 * below turn it into the other kinds of guest a rule needs (32-bit protected mode, PAE, virtual-8086,
 * real mode with unrestricted guest, CPL 3). Each pass mutation sits on the passing side of its rule's
 * boundary with the rule applicable; each trip mutation crosses only that boundary. */
#include "ec_testenv.h"
#include "entry_checks_guest.h"

#define MUT(name, ...)                                                                                       \
    static void name(struct ec_env *env)                                                                     \
    {                                                                                                        \
        __VA_ARGS__;                                                                                         \
    }

#define F(NAME) ENV_F(env, NAME)

/* --- helpers ------------------------------------------------------------------------------------------ */

static uint64_t msr(const struct ec_env *env, uint32_t m)
{
    return sim_profile_vmx_msr(env->prof, m);
}

/* The largest canonical address with bit 63 clear, and the smallest non-canonical one above it. */
static uint64_t canon_top(const struct ec_env *env)
{
    return (1ull << (env->prof->linear_width - 1)) - 1;
}
static uint64_t noncanon(const struct ec_env *env)
{
    return 1ull << (env->prof->linear_width - 1);
}

/* The highest page inside the physical-address width, and the first address beyond it. */
static uint64_t phys_top_page(const struct ec_env *env)
{
    return (1ull << env->prof->maxphyaddr) - 0x1000;
}
static uint64_t phys_beyond(const struct ec_env *env)
{
    return 1ull << env->prof->maxphyaddr;
}

static void ug(struct ec_env *env)
{
    F(SECONDARY_PROC_BASED_VM_EXEC_CONTROL) |= PROC2_UNRESTRICTED_GUEST;
}

/* A 32-bit protected-mode guest with 32-bit paging: not IA-32e mode, EFER.LME/LMA 0, CR4.PAE 0 (no PDPTEs),
 * CS a 32-bit code segment. */
static void to_32bit(struct ec_env *env)
{
    F(VM_ENTRY_CONTROLS) &= ~(uint64_t)ENTRY_IA32E_MODE_GUEST;
    if (F(VM_ENTRY_CONTROLS) & ENTRY_LOAD_IA32_EFER)
        F(GUEST_IA32_EFER) = 0;
    F(GUEST_CR4) &= ~CR4_PAE;
    F(GUEST_CS_AR_BYTES) = 0xc09b;
}

/* 32-bit guest with PAE paging (the PDPTE checks apply). */
static void to_pae(struct ec_env *env)
{
    to_32bit(env);
    F(GUEST_CR4) |= CR4_PAE;
}

/* Virtual-8086 segments (base = selector * 16, limit FFFFH, access rights F3H) and RFLAGS.VM. */
static void v86_segs(struct ec_env *env)
{
    static const int sel[] = {HV_VMCS_ORD_GUEST_CS_SELECTOR, HV_VMCS_ORD_GUEST_SS_SELECTOR,
                              HV_VMCS_ORD_GUEST_DS_SELECTOR, HV_VMCS_ORD_GUEST_ES_SELECTOR,
                              HV_VMCS_ORD_GUEST_FS_SELECTOR, HV_VMCS_ORD_GUEST_GS_SELECTOR};
    static const int base[] = {HV_VMCS_ORD_GUEST_CS_BASE, HV_VMCS_ORD_GUEST_SS_BASE, HV_VMCS_ORD_GUEST_DS_BASE,
                               HV_VMCS_ORD_GUEST_ES_BASE, HV_VMCS_ORD_GUEST_FS_BASE, HV_VMCS_ORD_GUEST_GS_BASE};
    static const int limit[] = {HV_VMCS_ORD_GUEST_CS_LIMIT, HV_VMCS_ORD_GUEST_SS_LIMIT,
                                HV_VMCS_ORD_GUEST_DS_LIMIT, HV_VMCS_ORD_GUEST_ES_LIMIT,
                                HV_VMCS_ORD_GUEST_FS_LIMIT, HV_VMCS_ORD_GUEST_GS_LIMIT};
    static const int ar[] = {HV_VMCS_ORD_GUEST_CS_AR_BYTES, HV_VMCS_ORD_GUEST_SS_AR_BYTES,
                             HV_VMCS_ORD_GUEST_DS_AR_BYTES, HV_VMCS_ORD_GUEST_ES_AR_BYTES,
                             HV_VMCS_ORD_GUEST_FS_AR_BYTES, HV_VMCS_ORD_GUEST_GS_AR_BYTES};
    for (int i = 0; i < 6; i++) {
        uint64_t s = 0x1000u + 0x100u * (unsigned)i;
        env->f[sel[i]] = s;
        env->f[base[i]] = s << 4;
        env->f[limit[i]] = 0xffff;
        env->f[ar[i]] = 0xf3;
    }
    F(GUEST_RFLAGS) |= RFLAGS_VM;
}

static void to_v86(struct ec_env *env)
{
    to_32bit(env);
    v86_segs(env);
}

/* Real mode (CR0.PE = PG = 0) under unrestricted guest. */
static void to_real_ug(struct ec_env *env)
{
    ug(env);
    to_32bit(env);
    F(GUEST_CR0) &= ~(CR0_PE | CR0_PG);
}

/* A 64-bit guest at CPL 3: CS and SS with DPL 3 and RPL 3. */
static void to_cpl3(struct ec_env *env)
{
    F(GUEST_CS_SELECTOR) = 0x0b;
    F(GUEST_CS_AR_BYTES) = 0xa0fb;
    F(GUEST_SS_SELECTOR) = 0x13;
    F(GUEST_SS_AR_BYTES) = 0xc0f3;
}

/* A usable LDT: selector 20H, byte-granular limit FFFFH, type 2, present. */
static void ldtr_usable(struct ec_env *env)
{
    F(GUEST_LDTR_SELECTOR) = 0x20;
    F(GUEST_LDTR_BASE) = 0x5000;
    F(GUEST_LDTR_LIMIT) = 0xffff;
    F(GUEST_LDTR_AR_BYTES) = 0x82;
}

static void inject(struct ec_env *env, uint32_t type, uint32_t vector)
{
    F(VM_ENTRY_INTERRUPTION_INFO) = INTR_INFO_VALID | (type << 8) | vector;
}

static uint32_t revision(const struct ec_env *env)
{
    return (uint32_t)(msr(env, MSR_IA32_VMX_BASIC) & VMX_BASIC_REVISION_MASK);
}

/* Point the VMCS link pointer at pa, whose first word is w. */
static void link_to(struct ec_env *env, uint64_t pa, uint32_t w)
{
    F(VMCS_LINK_POINTER) = pa;
    ec_env_write32(env, pa, w);
}

static uint64_t debugctl_valid(const struct ec_env *env)
{
    uint32_t out[4];
    sim_profile_cpuid(env->prof, 7, 0, out);
    uint64_t v = 0xffffull & ~0x3cull;
    if (out[2] & CPUID7_ECX_BUS_LOCK_DETECT)
        v |= 0x4;
    if (!(out[1] & CPUID7_EBX_RTM))
        v &= ~(1ull << 15);
    return v;
}

/* --- §27.3.1.1 control registers, debug registers and MSRs -------------------------------------------- */

/* Real mode under unrestricted guest with CR0 at FIXED0 minus the exempt PE and PG. */
MUT(p_cr0_fixed0, to_real_ug(env); F(GUEST_CR0) = msr(env, MSR_IA32_VMX_CR0_FIXED0) & ~(CR0_PE | CR0_PG))
MUT(t_cr0_fixed0, F(GUEST_CR0) &= ~CR0_NE)
MUT(p_cr0_fixed1, F(GUEST_CR0) = msr(env, MSR_IA32_VMX_CR0_FIXED1)) /* every bit FIXED1 allows, NW/CD too */
MUT(t_cr0_fixed1, F(GUEST_CR0) |= 1ull << 32)
MUT(p_cr0_pg_pe, ug(env); to_32bit(env)) /* PG = PE = 1 where PE is not forced by FIXED0 */
MUT(t_cr0_pg_pe, ug(env); to_32bit(env); F(GUEST_CR0) &= ~CR0_PE)
MUT(p_cr4_fixed0, F(GUEST_CR4) = msr(env, MSR_IA32_VMX_CR4_FIXED0) | CR4_PAE) /* exactly the required bits */
MUT(t_cr4_fixed0, F(GUEST_CR4) &= ~CR4_VMXE)
MUT(p_cr4_fixed1, F(GUEST_CR4) = msr(env, MSR_IA32_VMX_CR4_FIXED1)) /* every bit FIXED1 allows */
MUT(t_cr4_fixed1, F(GUEST_CR4) |= 1ull << 11) /* UMIP: not in Haswell's FIXED1 */
MUT(p_cr4_cet_wp, F(GUEST_CR4) |= CR4_CET)
MUT(t_cr4_cet_wp, F(GUEST_CR4) |= CR4_CET; F(GUEST_CR0) &= ~CR0_WP)
MUT(p_debugctl, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_DEBUG_CONTROLS; F(GUEST_IA32_DEBUGCTL) = debugctl_valid(env))
MUT(t_debugctl, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_DEBUG_CONTROLS; F(GUEST_IA32_DEBUGCTL) = 1ull << 16)
MUT(p_cr0_pg_ia32e, ug(env)) /* PG = 1 where FIXED0 no longer forces it */
MUT(t_cr0_pg_ia32e, ug(env); F(GUEST_CR0) &= ~CR0_PG)
MUT(p_cr4_pae_ia32e, F(GUEST_CR4) = msr(env, MSR_IA32_VMX_CR4_FIXED0) | CR4_PAE)
MUT(t_cr4_pae_ia32e, F(GUEST_CR4) &= ~CR4_PAE)
MUT(p_cr4_pcide, to_32bit(env))
MUT(t_cr4_pcide, to_32bit(env); F(GUEST_CR4) |= CR4_PCIDE)
MUT(p_cr3_width, F(GUEST_CR3) = phys_top_page(env))
MUT(t_cr3_width, F(GUEST_CR3) = phys_beyond(env))
MUT(p_dr7_high, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_DEBUG_CONTROLS; F(GUEST_DR7) = 0xffffffffull)
MUT(t_dr7_high, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_DEBUG_CONTROLS; F(GUEST_DR7) = (1ull << 32) | 0x400)
MUT(p_sysenter_esp, F(GUEST_IA32_SYSENTER_ESP) = canon_top(env))
MUT(t_sysenter_esp, F(GUEST_IA32_SYSENTER_ESP) = noncanon(env))
MUT(p_sysenter_eip, F(GUEST_IA32_SYSENTER_EIP) = ~canon_top(env))
MUT(t_sysenter_eip, F(GUEST_IA32_SYSENTER_EIP) = ~noncanon(env))
MUT(p_s_cet_canonical, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE; F(GUEST_IA32_S_CET) = canon_top(env) & ~0xfc0ull)
MUT(t_s_cet_canonical, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE; F(GUEST_IA32_S_CET) = noncanon(env))
MUT(p_ssp_table, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE;
    F(GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR) = ~canon_top(env))
MUT(t_ssp_table, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE;
    F(GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR) = ~noncanon(env))
/* No profile enumerates architectural performance monitoring (CPUID leaf 0AH): every bit is reserved. */
MUT(p_perf, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL; F(GUEST_IA32_PERF_GLOBAL_CTRL) = 0)
MUT(t_perf, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL; F(GUEST_IA32_PERF_GLOBAL_CTRL) = 1)
MUT(p_pat, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_PAT; F(GUEST_IA32_PAT) = 0x0007060504010007ull)
MUT(t_pat, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_PAT; F(GUEST_IA32_PAT) = 0x0007060504010003ull)
MUT(p_efer_reserved, F(GUEST_IA32_EFER) = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
MUT(t_efer_reserved, F(GUEST_IA32_EFER) |= 1ull << 1)
MUT(p_efer_lma, to_32bit(env)) /* LMA = 0 = "IA-32e mode guest" */
MUT(t_efer_lma, F(GUEST_IA32_EFER) = 0)
MUT(p_efer_lme, ug(env); to_32bit(env); F(GUEST_CR0) &= ~CR0_PG; F(GUEST_IA32_EFER) = EFER_LME)
MUT(t_efer_lme, to_32bit(env); F(GUEST_IA32_EFER) = EFER_LME)
MUT(p_bnd_reserved, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_BNDCFGS; F(GUEST_IA32_BNDCFGS) = 0x3)
MUT(t_bnd_reserved, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_BNDCFGS; F(GUEST_IA32_BNDCFGS) = 0x4)
MUT(p_bnd_canonical, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_BNDCFGS;
    F(GUEST_IA32_BNDCFGS) = (canon_top(env) & ~0xfffull) | 3)
MUT(t_bnd_canonical, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_BNDCFGS; F(GUEST_IA32_BNDCFGS) = noncanon(env) | 1)
MUT(p_rtit, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_RTIT_CTL;
    F(GUEST_IA32_RTIT_CTL) = ~((1ull << 18) | (1ull << 23) | (7ull << 28) | (0x7full << 48) | (0x7full << 57)))
MUT(t_rtit, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_RTIT_CTL; F(GUEST_IA32_RTIT_CTL) = 1ull << 18)
MUT(p_s_cet_reserved, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE; F(GUEST_IA32_S_CET) = 0x83f)
MUT(t_s_cet_reserved, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE; F(GUEST_IA32_S_CET) = 0x40)
MUT(p_s_cet_st, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE; F(GUEST_IA32_S_CET) = 0x400)
MUT(t_s_cet_st, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE; F(GUEST_IA32_S_CET) = 0xc00)
MUT(p_ssp_align, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE; F(GUEST_SSP) = 0x7ffc)
MUT(t_ssp_align, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE; F(GUEST_SSP) = 0x7ffe)
/* Bit N-1 set, bits 63:N clear: not canonical, yet bits 63:N are identical. */
MUT(p_ssp_width, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE; F(GUEST_SSP) = noncanon(env))
MUT(t_ssp_width, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_CET_STATE; F(GUEST_SSP) = noncanon(env) << 1)
MUT(p_lbr, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_GUEST_IA32_LBR_CTL; F(GUEST_IA32_LBR_CTL) = 0x7f000f)
MUT(t_lbr, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_GUEST_IA32_LBR_CTL; F(GUEST_IA32_LBR_CTL) = 0x10)
MUT(p_pkrs, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_PKRS; F(GUEST_IA32_PKRS) = 0xffffffffull)
MUT(t_pkrs, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_PKRS; F(GUEST_IA32_PKRS) = 1ull << 32)

/* --- §27.3.1.2 segment registers ---------------------------------------------------------------------- */

MUT(p_tr_ti, F(GUEST_TR_SELECTOR) = 0x1b) /* RPL is not checked */
MUT(t_tr_ti, F(GUEST_TR_SELECTOR) = 0x1c)
MUT(p_ldtr_ti, ldtr_usable(env))
MUT(t_ldtr_ti, ldtr_usable(env); F(GUEST_LDTR_SELECTOR) = 0x24)
MUT(p_ss_rpl, to_cpl3(env))
MUT(t_ss_rpl, F(GUEST_SS_SELECTOR) = 0x13)
MUT(p_v86_base, to_v86(env))
MUT(t_v86_base, to_v86(env); F(GUEST_DS_BASE) += 0x10)
MUT(p_tr_base, F(GUEST_TR_BASE) = ~canon_top(env))
MUT(t_tr_base, F(GUEST_TR_BASE) = noncanon(env))
MUT(p_fs_gs_base, F(GUEST_FS_BASE) = canon_top(env); F(GUEST_GS_BASE) = ~canon_top(env))
MUT(t_fs_gs_base, F(GUEST_GS_BASE) = noncanon(env))
MUT(p_ldtr_base, ldtr_usable(env); F(GUEST_LDTR_BASE) = canon_top(env) & ~0xfffull)
MUT(t_ldtr_base, ldtr_usable(env); F(GUEST_LDTR_BASE) = noncanon(env))
MUT(p_cs_base, F(GUEST_CS_BASE) = 0xffffffffull)
MUT(t_cs_base, F(GUEST_CS_BASE) = 1ull << 32)
MUT(p_ss_base, F(GUEST_SS_BASE) = 0xffffffffull)
MUT(t_ss_base, F(GUEST_SS_BASE) = 1ull << 32)
MUT(p_ds_es_base, F(GUEST_DS_BASE) = 0xffffffffull; F(GUEST_ES_BASE) = 0xffffffffull)
MUT(t_ds_es_base, F(GUEST_ES_BASE) = 1ull << 32)
MUT(p_v86_limit, to_v86(env))
MUT(t_v86_limit, to_v86(env); F(GUEST_ES_LIMIT) = 0xfffe)
MUT(p_v86_ar, to_v86(env))
MUT(t_v86_ar, to_v86(env); F(GUEST_GS_AR_BYTES) = 0x80f3)
/* Type: CS 3 with unrestricted guest; SS 7; DS read-only accessed; ES execute/read accessed code. */
MUT(p_cs_type, ug(env); F(GUEST_CS_AR_BYTES) = 0xa093)
MUT(t_cs_type, F(GUEST_CS_AR_BYTES) = 0xa098)
MUT(p_ss_type, F(GUEST_SS_AR_BYTES) = 0xc097)
MUT(t_ss_type, F(GUEST_SS_AR_BYTES) = 0xc091)
MUT(p_data_accessed, F(GUEST_DS_AR_BYTES) = 0xc091)
MUT(t_data_accessed, F(GUEST_DS_AR_BYTES) = 0xc092)
MUT(p_data_readable, F(GUEST_ES_AR_BYTES) = 0xc09b)
MUT(t_data_readable, F(GUEST_ES_AR_BYTES) = 0xc099)
/* S: CS is checked even when marked unusable. */
MUT(p_cs_s, F(GUEST_CS_AR_BYTES) = 0x1a09b)
MUT(t_cs_s, F(GUEST_CS_AR_BYTES) = 0xa08b)
MUT(p_ss_s, F(GUEST_SS_AR_BYTES) = 0x4093; F(GUEST_SS_LIMIT) = 0xfffff)
MUT(t_ss_s, F(GUEST_SS_AR_BYTES) = 0xc083)
MUT(p_data_s, F(GUEST_FS_AR_BYTES) = 0x4093; F(GUEST_FS_LIMIT) = 0xfffff)
MUT(t_data_s, F(GUEST_FS_AR_BYTES) = 0xc083)
/* DPL */
MUT(p_cs_dpl_data, ug(env); F(GUEST_CS_AR_BYTES) = 0xa093)
MUT(t_cs_dpl_data, ug(env); F(GUEST_CS_AR_BYTES) = 0xa0f3)
MUT(p_cs_dpl_nc, to_cpl3(env))
MUT(t_cs_dpl_nc, F(GUEST_CS_AR_BYTES) = 0xa0bb)
MUT(p_cs_dpl_c, F(GUEST_CS_AR_BYTES) = 0xa09f)
MUT(t_cs_dpl_c, F(GUEST_CS_AR_BYTES) = 0xa0bf)
MUT(p_ss_dpl_rpl, to_cpl3(env))
MUT(t_ss_dpl_rpl, F(GUEST_CS_AR_BYTES) = 0xa09f; F(GUEST_SS_AR_BYTES) = 0xc0b3)
MUT(p_ss_dpl_zero, ug(env); F(GUEST_CS_AR_BYTES) = 0xa093)
MUT(t_ss_dpl_zero, ug(env); F(GUEST_CS_AR_BYTES) = 0xa093; F(GUEST_SS_AR_BYTES) = 0xc0f3)
MUT(p_data_dpl, F(GUEST_DS_SELECTOR) = 0x13; F(GUEST_DS_AR_BYTES) = 0xc0f3)
MUT(t_data_dpl, F(GUEST_DS_SELECTOR) = 0x13)
/* P */
MUT(p_cs_p, F(GUEST_CS_AR_BYTES) = 0x1a09b)
MUT(t_cs_p, F(GUEST_CS_AR_BYTES) = 0xa01b)
MUT(p_ss_p, F(GUEST_SS_AR_BYTES) = 0x4093; F(GUEST_SS_LIMIT) = 0xfffff)
MUT(t_ss_p, F(GUEST_SS_AR_BYTES) = 0xc013)
MUT(p_data_p, F(GUEST_GS_AR_BYTES) = 0x4093; F(GUEST_GS_LIMIT) = 0xfffff)
MUT(t_data_p, F(GUEST_GS_AR_BYTES) = 0xc013)
/* Reserved 11:8 (AVL, bit 12, is not reserved) */
MUT(p_cs_r118, F(GUEST_CS_AR_BYTES) = 0xb09b)
MUT(t_cs_r118, F(GUEST_CS_AR_BYTES) = 0xa19b)
MUT(p_ss_r118, F(GUEST_SS_AR_BYTES) = 0xd093)
MUT(t_ss_r118, F(GUEST_SS_AR_BYTES) = 0xc893)
MUT(p_data_r118, F(GUEST_ES_AR_BYTES) = 0xd093)
MUT(t_data_r118, F(GUEST_ES_AR_BYTES) = 0xc193)
/* D/B: a compatibility-mode CS (L = 0) may have D = 1. */
MUT(p_cs_db, F(GUEST_CS_AR_BYTES) = 0xc09b)
MUT(t_cs_db, F(GUEST_CS_AR_BYTES) = 0xe09b)
/* G against the limit. */
MUT(p_cs_g_low, F(GUEST_CS_LIMIT) = 0xfff)
MUT(t_cs_g_low, F(GUEST_CS_LIMIT) = 0xfffffffe)
MUT(p_cs_g_high, F(GUEST_CS_AR_BYTES) = 0x209b; F(GUEST_CS_LIMIT) = 0xfffff)
MUT(t_cs_g_high, F(GUEST_CS_AR_BYTES) = 0x209b)
MUT(p_ss_g_low, F(GUEST_SS_LIMIT) = 0xfff)
MUT(t_ss_g_low, F(GUEST_SS_LIMIT) = 0xfffff000)
MUT(p_ss_g_high, F(GUEST_SS_AR_BYTES) = 0x4093; F(GUEST_SS_LIMIT) = 0xfffff)
MUT(t_ss_g_high, F(GUEST_SS_AR_BYTES) = 0x4093)
MUT(p_data_g_low, F(GUEST_FS_LIMIT) = 0xfff)
MUT(t_data_g_low, F(GUEST_FS_LIMIT) = 0x7ffffffe)
MUT(p_data_g_high, F(GUEST_DS_AR_BYTES) = 0x4093; F(GUEST_DS_LIMIT) = 0xfffff)
MUT(t_data_g_high, F(GUEST_DS_AR_BYTES) = 0x4093; F(GUEST_DS_LIMIT) = 0x100000)
/* Reserved 31:17 (bit 16 is "unusable") */
MUT(p_cs_r3117, F(GUEST_CS_AR_BYTES) = 0x1a09b)
MUT(t_cs_r3117, F(GUEST_CS_AR_BYTES) = 0x2a09b)
MUT(p_ss_r3117, F(GUEST_SS_AR_BYTES) = 0xd093) /* AVL (bit 12) is not reserved */
MUT(t_ss_r3117, F(GUEST_SS_AR_BYTES) = 0x8000c093)
MUT(p_data_r3117, F(GUEST_GS_AR_BYTES) = 0xd093)
MUT(t_data_r3117, F(GUEST_GS_AR_BYTES) = 0x2c093)
/* TR */
MUT(p_tr_type_legacy, to_32bit(env); F(GUEST_TR_AR_BYTES) = 0x83)
MUT(t_tr_type_legacy, to_32bit(env); F(GUEST_TR_AR_BYTES) = 0x89)
MUT(p_tr_type_ia32e, F(GUEST_TR_AR_BYTES) = 0x808b; F(GUEST_TR_LIMIT) = 0xfff) /* 64-bit busy TSS, G = 1 */
MUT(t_tr_type_ia32e, F(GUEST_TR_AR_BYTES) = 0x83)
MUT(p_tr_s, F(GUEST_TR_AR_BYTES) = 0x108b) /* AVL set, S clear */
MUT(t_tr_s, F(GUEST_TR_AR_BYTES) = 0x9b)
MUT(p_tr_p, F(GUEST_TR_AR_BYTES) = 0xeb) /* DPL 3, present */
MUT(t_tr_p, F(GUEST_TR_AR_BYTES) = 0x0b)
MUT(p_tr_r118, F(GUEST_TR_AR_BYTES) = 0x708b)
MUT(t_tr_r118, F(GUEST_TR_AR_BYTES) = 0x48b)
MUT(p_tr_g_low, F(GUEST_TR_AR_BYTES) = 0x808b; F(GUEST_TR_LIMIT) = 0xfff)
MUT(t_tr_g_low, F(GUEST_TR_AR_BYTES) = 0x808b)
MUT(p_tr_g_high, F(GUEST_TR_LIMIT) = 0xfffff)
MUT(t_tr_g_high, F(GUEST_TR_LIMIT) = 0x100067)
MUT(p_tr_usable, F(GUEST_TR_AR_BYTES) = 0x808b; F(GUEST_TR_LIMIT) = 0xffffffff)
MUT(t_tr_usable, F(GUEST_TR_AR_BYTES) = 0x1008b)
MUT(p_tr_r3117, F(GUEST_TR_AR_BYTES) = 0x708b)
MUT(t_tr_r3117, F(GUEST_TR_AR_BYTES) = 0x4008b)
/* LDTR (usable) */
MUT(p_ldtr_type, ldtr_usable(env))
MUT(t_ldtr_type, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0x83)
MUT(p_ldtr_s, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0xe2)
MUT(t_ldtr_s, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0x92)
MUT(p_ldtr_p, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0x1082)
MUT(t_ldtr_p, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0x02)
MUT(p_ldtr_r118, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0x7082)
MUT(t_ldtr_r118, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0x882)
MUT(p_ldtr_g_low, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0x8082)
MUT(t_ldtr_g_low, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0x8082; F(GUEST_LDTR_LIMIT) = 0xfffe)
MUT(p_ldtr_g_high, ldtr_usable(env); F(GUEST_LDTR_LIMIT) = 0xfffff)
MUT(t_ldtr_g_high, ldtr_usable(env); F(GUEST_LDTR_LIMIT) = 0x100000)
MUT(p_ldtr_r3117, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0xf082)
MUT(t_ldtr_r3117, ldtr_usable(env); F(GUEST_LDTR_AR_BYTES) = 0x80000082)

/* --- §27.3.1.3 descriptor-table registers ------------------------------------------------------------- */

MUT(p_gdtr_base, F(GUEST_GDTR_BASE) = ~canon_top(env))
MUT(t_gdtr_base, F(GUEST_GDTR_BASE) = ~noncanon(env))
MUT(p_idtr_base, F(GUEST_IDTR_BASE) = canon_top(env))
MUT(t_idtr_base, F(GUEST_IDTR_BASE) = noncanon(env))
MUT(p_gdtr_limit, F(GUEST_GDTR_LIMIT) = 0xffff)
MUT(t_gdtr_limit, F(GUEST_GDTR_LIMIT) = 0x10000)
MUT(p_idtr_limit, F(GUEST_IDTR_LIMIT) = 0xffff)
MUT(t_idtr_limit, F(GUEST_IDTR_LIMIT) = 0x1ffff)

/* --- §27.3.1.4 RIP and RFLAGS ------------------------------------------------------------------------- */

MUT(p_rip_high, F(GUEST_CS_AR_BYTES) = 0xc09b; F(GUEST_RIP) = 0xffffffffull) /* compatibility mode */
MUT(t_rip_high, F(GUEST_CS_AR_BYTES) = 0xc09b; F(GUEST_RIP) = 1ull << 32)
/* Bit N-1 set, bits 63:N clear: identical, though not canonical. */
MUT(p_rip_width, F(GUEST_RIP) = noncanon(env))
MUT(t_rip_width, F(GUEST_RIP) = noncanon(env) << 1)
MUT(p_rflags_reserved, F(GUEST_RFLAGS) = ~RFLAGS_RESERVED & ~RFLAGS_VM & ~RFLAGS_TF)
MUT(t_rflags_reserved, F(GUEST_RFLAGS) |= 1ull << 15)
MUT(p_rflags_bit1, F(GUEST_RFLAGS) = RFLAGS_FIXED1)
MUT(t_rflags_bit1, F(GUEST_RFLAGS) = 0)
MUT(p_rflags_vm_ia32e, to_v86(env))
MUT(t_rflags_vm_ia32e, v86_segs(env)) /* virtual-8086 segments, still IA-32e mode */
MUT(p_rflags_vm_pe, to_real_ug(env))
MUT(t_rflags_vm_pe, to_real_ug(env); v86_segs(env))
MUT(p_rflags_if, F(GUEST_RFLAGS) |= RFLAGS_IF; inject(env, INTR_TYPE_EXTERNAL, 0x20))
MUT(t_rflags_if, inject(env, INTR_TYPE_EXTERNAL, 0x20))

/* --- §27.3.1.5 activity state ------------------------------------------------------------------------- */

MUT(p_activity_range, F(GUEST_ACTIVITY_STATE) = ACTIVITY_WAIT_SIPI)
MUT(t_activity_range, F(GUEST_ACTIVITY_STATE) = 4)
MUT(p_activity_supported, F(GUEST_ACTIVITY_STATE) = ACTIVITY_ACTIVE) /* "minimal" supports no other state */
MUT(t_activity_supported, F(GUEST_ACTIVITY_STATE) = ACTIVITY_HLT)
MUT(p_activity_hlt_dpl, F(GUEST_ACTIVITY_STATE) = ACTIVITY_HLT)
MUT(t_activity_hlt_dpl, to_cpl3(env); F(GUEST_ACTIVITY_STATE) = ACTIVITY_HLT)
MUT(p_activity_blocking, F(GUEST_RFLAGS) |= RFLAGS_IF; F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_STI)
MUT(t_activity_blocking, F(GUEST_RFLAGS) |= RFLAGS_IF; F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_STI;
    F(GUEST_ACTIVITY_STATE) = ACTIVITY_HLT)
MUT(p_event_hlt, F(GUEST_ACTIVITY_STATE) = ACTIVITY_HLT; inject(env, INTR_TYPE_HW_EXCEPTION, 18))
MUT(t_event_hlt, F(GUEST_ACTIVITY_STATE) = ACTIVITY_HLT; inject(env, INTR_TYPE_HW_EXCEPTION, 6))
MUT(p_event_shutdown, F(GUEST_ACTIVITY_STATE) = ACTIVITY_SHUTDOWN; inject(env, INTR_TYPE_HW_EXCEPTION, 18))
MUT(t_event_shutdown, F(GUEST_ACTIVITY_STATE) = ACTIVITY_SHUTDOWN; inject(env, INTR_TYPE_HW_EXCEPTION, 1))
MUT(p_event_sipi, F(GUEST_ACTIVITY_STATE) = ACTIVITY_WAIT_SIPI)
MUT(t_event_sipi, F(GUEST_ACTIVITY_STATE) = ACTIVITY_WAIT_SIPI; inject(env, INTR_TYPE_NMI, 2))

/* --- interruptibility state --------------------------------------------------------------------------- */

MUT(p_intr_reserved, F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI)
MUT(t_intr_reserved, F(GUEST_INTERRUPTIBILITY_STATE) = 1u << 5)
MUT(p_intr_sti_movss, F(GUEST_RFLAGS) |= RFLAGS_IF; F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_STI)
MUT(t_intr_sti_movss, F(GUEST_RFLAGS) |= RFLAGS_IF;
    F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)
MUT(p_intr_sti_if, F(GUEST_RFLAGS) |= RFLAGS_IF; F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_STI)
MUT(t_intr_sti_if, F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_STI)
MUT(p_intr_extint, F(GUEST_RFLAGS) |= RFLAGS_IF; F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_NMI;
    inject(env, INTR_TYPE_EXTERNAL, 0x20))
MUT(t_intr_extint_sti, F(GUEST_RFLAGS) |= RFLAGS_IF; F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_STI;
    inject(env, INTR_TYPE_EXTERNAL, 0x20))
MUT(t_intr_extint_movss, F(GUEST_RFLAGS) |= RFLAGS_IF; F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_MOV_SS;
    inject(env, INTR_TYPE_EXTERNAL, 0x20))
MUT(p_intr_nmi, F(GUEST_RFLAGS) |= RFLAGS_IF; inject(env, INTR_TYPE_NMI, 2))
MUT(t_intr_nmi_movss, F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_MOV_SS; inject(env, INTR_TYPE_NMI, 2))
MUT(p_intr_smi, F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_NMI)
MUT(t_intr_smi, F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_SMI)
MUT(t_intr_nmi_sti, F(GUEST_RFLAGS) |= RFLAGS_IF; F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_STI;
    inject(env, INTR_TYPE_NMI, 2))
MUT(p_intr_vnmi, F(PIN_BASED_VM_EXEC_CONTROL) |= PIN_VIRTUAL_NMIS; inject(env, INTR_TYPE_NMI, 2))
MUT(t_intr_vnmi, F(PIN_BASED_VM_EXEC_CONTROL) |= PIN_VIRTUAL_NMIS;
    F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_NMI; inject(env, INTR_TYPE_NMI, 2))
/* no profile has SGX */
MUT(p_intr_enclave, F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI)
MUT(t_intr_enclave, F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_ENCLAVE)

/* --- pending debug exceptions ------------------------------------------------------------------------- */

MUT(p_pde_reserved, F(GUEST_PENDING_DBG_EXCEPTIONS) = 0xf | PENDING_DBG_ENABLED_BP | PENDING_DBG_BS)
MUT(t_pde_reserved, F(GUEST_PENDING_DBG_EXCEPTIONS) = 1u << 13)
MUT(p_pde_bs_set, F(GUEST_RFLAGS) |= RFLAGS_IF | RFLAGS_TF; F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_STI;
    F(GUEST_PENDING_DBG_EXCEPTIONS) = PENDING_DBG_BS)
MUT(t_pde_bs_set, F(GUEST_RFLAGS) |= RFLAGS_IF | RFLAGS_TF; F(GUEST_INTERRUPTIBILITY_STATE) = INTERRUPTIBILITY_STI)
/* TF = 1 but BTF = 1: no single-step trap is pending, BS must be 0. */
MUT(p_pde_bs_clear, F(GUEST_ACTIVITY_STATE) = ACTIVITY_HLT; F(GUEST_RFLAGS) |= RFLAGS_TF;
    F(GUEST_IA32_DEBUGCTL) = DEBUGCTL_BTF)
MUT(t_pde_bs_clear, F(GUEST_ACTIVITY_STATE) = ACTIVITY_HLT; F(GUEST_PENDING_DBG_EXCEPTIONS) = PENDING_DBG_BS)
MUT(p_pde_rtm, F(GUEST_PENDING_DBG_EXCEPTIONS) = PENDING_DBG_ENABLED_BP) /* no profile has RTM */
MUT(t_pde_rtm, F(GUEST_PENDING_DBG_EXCEPTIONS) = PENDING_DBG_RTM | PENDING_DBG_ENABLED_BP)

/* --- VMCS link pointer -------------------------------------------------------------------------------- */

MUT(p_link_alignment, link_to(env, 0x20000, revision(env)))
MUT(t_link_alignment, link_to(env, 0x20004, revision(env)))
MUT(p_link_width, link_to(env, phys_top_page(env), revision(env)))
MUT(t_link_width, F(VMCS_LINK_POINTER) = phys_beyond(env))
MUT(p_link_revision, link_to(env, 0x20000, revision(env)))
MUT(t_link_revision, link_to(env, 0x20000, revision(env) + 1))
MUT(p_link_shadow, F(SECONDARY_PROC_BASED_VM_EXEC_CONTROL) |= PROC2_VMCS_SHADOWING;
    link_to(env, 0x20000, revision(env) | VMCS_SHADOW_INDICATOR))
MUT(t_link_shadow, link_to(env, 0x20000, revision(env) | VMCS_SHADOW_INDICATOR))
MUT(p_uinv, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_UINV; F(GUEST_UINV) = 0xff)
MUT(t_uinv, F(VM_ENTRY_CONTROLS) |= ENTRY_LOAD_UINV; F(GUEST_UINV) = 0x100)

/* --- §27.3.1.6 PDPTEs --------------------------------------------------------------------------------- */

/* Present PDPTEs at the top of the physical-address width, with every non-reserved flag (PWT, PCD, bits 11:9)
 * set; not-present entries may hold anything. */
static uint64_t pdpte_ok(const struct ec_env *env)
{
    return phys_top_page(env) | 0xe19;
}

MUT(p_pdpte_fields, to_pae(env); F(GUEST_PDPTE0) = pdpte_ok(env); F(GUEST_PDPTE1) = 0x16001;
    F(GUEST_PDPTE2) = ~1ull; F(GUEST_PDPTE3) = pdpte_ok(env))
MUT(t_pdpte_fields, to_pae(env); F(GUEST_PDPTE0) = 0x16001; F(GUEST_PDPTE3) = 0x17003)
static void write_pdptes(struct ec_env *env, uint64_t e2)
{
    uint64_t t = F(GUEST_CR3) & 0xffffffe0u;
    ec_env_write64(env, t, pdpte_ok(env));
    ec_env_write64(env, t + 8, 0x16001);
    ec_env_write64(env, t + 16, e2);
    ec_env_write64(env, t + 24, ~1ull);
}
MUT(p_pdpte_memory, to_pae(env); write_pdptes(env, 0x17001))
MUT(t_pdpte_memory, to_pae(env); write_pdptes(env, 0x17021))

static const struct ec_case table[] = {
    /* §27.3.1.1 */
    {"guest.cr0.fixed0", "bochs-haswell", p_cr0_fixed0, t_cr0_fixed0},
    {"guest.cr0.fixed1", "bochs-haswell", p_cr0_fixed1, t_cr0_fixed1},
    {"guest.cr0.pg_requires_pe", "bochs-haswell", p_cr0_pg_pe, t_cr0_pg_pe},
    {"guest.cr4.fixed0", "bochs-haswell", p_cr4_fixed0, t_cr4_fixed0},
    {"guest.cr4.fixed1", "bochs-haswell", p_cr4_fixed1, t_cr4_fixed1},
    {"guest.cr4.cet_requires_wp", "max", p_cr4_cet_wp, t_cr4_cet_wp},
    {"guest.debugctl.reserved", "bochs-haswell", p_debugctl, t_debugctl},
    {"guest.cr0.pg_ia32e", "bochs-haswell", p_cr0_pg_ia32e, t_cr0_pg_ia32e},
    {"guest.cr4.pae_ia32e", "bochs-haswell", p_cr4_pae_ia32e, t_cr4_pae_ia32e},
    {"guest.cr4.pcide_not_ia32e", "bochs-haswell", p_cr4_pcide, t_cr4_pcide},
    {"guest.cr3.width", "bochs-haswell", p_cr3_width, t_cr3_width},
    {"guest.dr7.high", "bochs-haswell", p_dr7_high, t_dr7_high},
    {"guest.sysenter_esp.canonical", "bochs-haswell", p_sysenter_esp, t_sysenter_esp},
    {"guest.sysenter_eip.canonical", "max", p_sysenter_eip, t_sysenter_eip},
    {"guest.s_cet.canonical", "max", p_s_cet_canonical, t_s_cet_canonical},
    {"guest.interrupt_ssp_table.canonical", "max", p_ssp_table, t_ssp_table},
    {"guest.perf_global_ctrl.reserved", "bochs-haswell", p_perf, t_perf},
    {"guest.pat.types", "bochs-haswell", p_pat, t_pat},
    {"guest.efer.reserved", "bochs-haswell", p_efer_reserved, t_efer_reserved},
    {"guest.efer.lma", "bochs-haswell", p_efer_lma, t_efer_lma},
    {"guest.efer.lme", "bochs-haswell", p_efer_lme, t_efer_lme},
    {"guest.bndcfgs.reserved", "max", p_bnd_reserved, t_bnd_reserved},
    {"guest.bndcfgs.canonical", "max", p_bnd_canonical, t_bnd_canonical},
    {"guest.rtit_ctl.reserved", "max", p_rtit, t_rtit},
    {"guest.s_cet.reserved", "max", p_s_cet_reserved, t_s_cet_reserved},
    {"guest.s_cet.suppress_tracker", "max", p_s_cet_st, t_s_cet_st},
    {"guest.ssp.alignment", "max", p_ssp_align, t_ssp_align},
    {"guest.ssp.width", "max", p_ssp_width, t_ssp_width},
    {"guest.lbr_ctl.reserved", "max", p_lbr, t_lbr},
    {"guest.pkrs.reserved", "max", p_pkrs, t_pkrs},
    /* §27.3.1.2 */
    {"guest.tr.selector.ti", "bochs-haswell", p_tr_ti, t_tr_ti},
    {"guest.ldtr.selector.ti", "bochs-haswell", p_ldtr_ti, t_ldtr_ti},
    {"guest.ss.selector.rpl", "bochs-haswell", p_ss_rpl, t_ss_rpl},
    {"guest.v86.base", "bochs-haswell", p_v86_base, t_v86_base},
    {"guest.tr.base.canonical", "bochs-haswell", p_tr_base, t_tr_base},
    {"guest.data.base.canonical", "max", p_fs_gs_base, t_fs_gs_base},
    {"guest.ldtr.base.canonical", "bochs-haswell", p_ldtr_base, t_ldtr_base},
    {"guest.cs.base.high", "bochs-haswell", p_cs_base, t_cs_base},
    {"guest.ss.base.high", "bochs-haswell", p_ss_base, t_ss_base},
    {"guest.data.base.high", "bochs-haswell", p_ds_es_base, t_ds_es_base},
    {"guest.v86.limit", "bochs-penryn", p_v86_limit, t_v86_limit},
    {"guest.v86.ar", "bochs-haswell", p_v86_ar, t_v86_ar},
    {"guest.cs.type", "bochs-haswell", p_cs_type, t_cs_type},
    {"guest.ss.type", "bochs-haswell", p_ss_type, t_ss_type},
    {"guest.data.type.accessed", "bochs-haswell", p_data_accessed, t_data_accessed},
    {"guest.data.type.readable", "bochs-haswell", p_data_readable, t_data_readable},
    {"guest.cs.s", "bochs-haswell", p_cs_s, t_cs_s},
    {"guest.ss.s", "bochs-haswell", p_ss_s, t_ss_s},
    {"guest.data.s", "bochs-haswell", p_data_s, t_data_s},
    {"guest.cs.dpl.data", "bochs-haswell", p_cs_dpl_data, t_cs_dpl_data},
    {"guest.cs.dpl.nonconforming", "bochs-haswell", p_cs_dpl_nc, t_cs_dpl_nc},
    {"guest.cs.dpl.conforming", "bochs-haswell", p_cs_dpl_c, t_cs_dpl_c},
    {"guest.ss.dpl.rpl", "bochs-haswell", p_ss_dpl_rpl, t_ss_dpl_rpl},
    {"guest.ss.dpl.zero", "bochs-sandybridge", p_ss_dpl_zero, t_ss_dpl_zero},
    {"guest.data.dpl", "bochs-haswell", p_data_dpl, t_data_dpl},
    {"guest.cs.p", "bochs-haswell", p_cs_p, t_cs_p},
    {"guest.ss.p", "bochs-haswell", p_ss_p, t_ss_p},
    {"guest.data.p", "bochs-haswell", p_data_p, t_data_p},
    {"guest.cs.ar.reserved_11_8", "bochs-haswell", p_cs_r118, t_cs_r118},
    {"guest.ss.ar.reserved_11_8", "bochs-haswell", p_ss_r118, t_ss_r118},
    {"guest.data.ar.reserved_11_8", "bochs-haswell", p_data_r118, t_data_r118},
    {"guest.cs.db", "bochs-haswell", p_cs_db, t_cs_db},
    {"guest.cs.g.limit_low", "bochs-haswell", p_cs_g_low, t_cs_g_low},
    {"guest.cs.g.limit_high", "bochs-haswell", p_cs_g_high, t_cs_g_high},
    {"guest.ss.g.limit_low", "bochs-haswell", p_ss_g_low, t_ss_g_low},
    {"guest.ss.g.limit_high", "bochs-haswell", p_ss_g_high, t_ss_g_high},
    {"guest.data.g.limit_low", "bochs-haswell", p_data_g_low, t_data_g_low},
    {"guest.data.g.limit_high", "bochs-haswell", p_data_g_high, t_data_g_high},
    {"guest.cs.ar.reserved_31_17", "bochs-haswell", p_cs_r3117, t_cs_r3117},
    {"guest.ss.ar.reserved_31_17", "bochs-haswell", p_ss_r3117, t_ss_r3117},
    {"guest.data.ar.reserved_31_17", "bochs-haswell", p_data_r3117, t_data_r3117},
    {"guest.tr.type.legacy", "bochs-haswell", p_tr_type_legacy, t_tr_type_legacy},
    {"guest.tr.type.ia32e", "bochs-haswell", p_tr_type_ia32e, t_tr_type_ia32e},
    {"guest.tr.s", "bochs-haswell", p_tr_s, t_tr_s},
    {"guest.tr.p", "bochs-haswell", p_tr_p, t_tr_p},
    {"guest.tr.ar.reserved_11_8", "bochs-haswell", p_tr_r118, t_tr_r118},
    {"guest.tr.g.limit_low", "bochs-haswell", p_tr_g_low, t_tr_g_low},
    {"guest.tr.g.limit_high", "bochs-haswell", p_tr_g_high, t_tr_g_high},
    {"guest.tr.usable", "bochs-haswell", p_tr_usable, t_tr_usable},
    {"guest.tr.ar.reserved_31_17", "bochs-haswell", p_tr_r3117, t_tr_r3117},
    {"guest.ldtr.type", "bochs-haswell", p_ldtr_type, t_ldtr_type},
    {"guest.ldtr.s", "bochs-haswell", p_ldtr_s, t_ldtr_s},
    {"guest.ldtr.p", "bochs-haswell", p_ldtr_p, t_ldtr_p},
    {"guest.ldtr.ar.reserved_11_8", "bochs-haswell", p_ldtr_r118, t_ldtr_r118},
    {"guest.ldtr.g.limit_low", "bochs-haswell", p_ldtr_g_low, t_ldtr_g_low},
    {"guest.ldtr.g.limit_high", "bochs-haswell", p_ldtr_g_high, t_ldtr_g_high},
    {"guest.ldtr.ar.reserved_31_17", "bochs-haswell", p_ldtr_r3117, t_ldtr_r3117},
    /* §27.3.1.3 */
    {"guest.gdtr.base.canonical", "bochs-haswell", p_gdtr_base, t_gdtr_base},
    {"guest.idtr.base.canonical", "max", p_idtr_base, t_idtr_base},
    {"guest.gdtr.limit", "bochs-haswell", p_gdtr_limit, t_gdtr_limit},
    {"guest.idtr.limit", "bochs-haswell", p_idtr_limit, t_idtr_limit},
    /* §27.3.1.4 */
    {"guest.rip.high", "bochs-haswell", p_rip_high, t_rip_high},
    {"guest.rip.width", "bochs-haswell", p_rip_width, t_rip_width},
    {"guest.rflags.reserved", "bochs-haswell", p_rflags_reserved, t_rflags_reserved},
    {"guest.rflags.bit1", "bochs-haswell", p_rflags_bit1, t_rflags_bit1},
    {"guest.rflags.vm.ia32e", "bochs-haswell", p_rflags_vm_ia32e, t_rflags_vm_ia32e},
    {"guest.rflags.vm.real", "bochs-haswell", p_rflags_vm_pe, t_rflags_vm_pe},
    {"guest.rflags.if", "bochs-haswell", p_rflags_if, t_rflags_if},
    /* §27.3.1.5 */
    {"guest.activity.range", "bochs-haswell", p_activity_range, t_activity_range},
    {"guest.activity.supported", "minimal", p_activity_supported, t_activity_supported},
    {"guest.activity.hlt_ss_dpl", "bochs-haswell", p_activity_hlt_dpl, t_activity_hlt_dpl},
    {"guest.activity.blocking", "bochs-haswell", p_activity_blocking, t_activity_blocking},
    {"guest.activity.event.hlt", "bochs-haswell", p_event_hlt, t_event_hlt},
    {"guest.activity.event.shutdown", "bochs-haswell", p_event_shutdown, t_event_shutdown},
    {"guest.activity.event.wait_for_sipi", "bochs-haswell", p_event_sipi, t_event_sipi},
    {"guest.interruptibility.reserved", "bochs-haswell", p_intr_reserved, t_intr_reserved},
    {"guest.interruptibility.sti_and_mov_ss", "bochs-haswell", p_intr_sti_movss, t_intr_sti_movss},
    {"guest.interruptibility.sti_if", "bochs-haswell", p_intr_sti_if, t_intr_sti_if},
    {"guest.interruptibility.extint_sti", "bochs-haswell", p_intr_extint, t_intr_extint_sti},
    {"guest.interruptibility.extint_mov_ss", "bochs-haswell", p_intr_extint, t_intr_extint_movss},
    {"guest.interruptibility.nmi_mov_ss", "bochs-haswell", p_intr_nmi, t_intr_nmi_movss},
    {"guest.interruptibility.smi", "bochs-haswell", p_intr_smi, t_intr_smi},
    {"guest.interruptibility.nmi_sti", "bochs-haswell", p_intr_nmi, t_intr_nmi_sti},
    {"guest.interruptibility.virtual_nmi", "bochs-haswell", p_intr_vnmi, t_intr_vnmi},
    {"guest.interruptibility.enclave_sgx", "max", p_intr_enclave, t_intr_enclave},
    {"guest.pending_dbg.reserved", "bochs-haswell", p_pde_reserved, t_pde_reserved},
    {"guest.pending_dbg.bs_set", "bochs-haswell", p_pde_bs_set, t_pde_bs_set},
    {"guest.pending_dbg.bs_clear", "bochs-haswell", p_pde_bs_clear, t_pde_bs_clear},
    {"guest.pending_dbg.rtm_supported", "max", p_pde_rtm, t_pde_rtm},
    {"guest.link_pointer.alignment", "bochs-haswell", p_link_alignment, t_link_alignment},
    {"guest.link_pointer.width", "max", p_link_width, t_link_width},
    {"guest.link_pointer.revision", "bochs-haswell", p_link_revision, t_link_revision},
    {"guest.link_pointer.shadow", "bochs-haswell", p_link_shadow, t_link_shadow},
    {"guest.uinv.reserved", "max", p_uinv, t_uinv},
    /* §27.3.1.6 */
    {"guest.pdpte.fields", "bochs-haswell", p_pdpte_fields, t_pdpte_fields},
    {"guest.pdpte.memory", "bochs-penryn", p_pdpte_memory, t_pdpte_memory},
};
EC_CASES(table)
