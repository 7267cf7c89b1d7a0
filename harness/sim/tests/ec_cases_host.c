/* Pass and trip cases of the host-state rules (entry_checks_host.c, SDM Vol. 3 §27.2.2-27.2.4). Each pass
 * mutation puts the state at the rule's boundary on the passing side with the rule applicable; each trip
 * mutation crosses it and nothing else. Rules that need CET, PKRS or CR4.CET use "max" (the only profile that
 * allows them); the others use "bochs-haswell". */
#include "ec_testenv.h"

#include <hv/x86.h>

#define MUT(name) static void name(struct ec_env *env)

static uint64_t vmx_msr(const struct ec_env *env, uint32_t msr)
{
    return sim_profile_vmx_msr(env->prof, msr);
}

static uint64_t lowest_bit(uint64_t v)
{
    return v & (~v + 1);
}

/* The first non-canonical address above 0 and the highest canonical one below it. */
static uint64_t first_noncanonical(const struct ec_env *env)
{
    unsigned w = env->prof->linear_width ? env->prof->linear_width : 48;
    return 1ull << (w - 1);
}
static uint64_t top_canonical(const struct ec_env *env)
{
    return first_noncanonical(env) - 1;
}

/* A host outside IA-32e mode with host address-space size 0 and a 32-bit guest (no IA-32e mode guest, no PAE
 * paging so that no PDPTEs are read, a 32-bit code segment): the state the size-0 rules apply to. */
MUT(world32)
{
    env->host_ia32e = false;
    ENV_F(env, PRIMARY_VM_EXIT_CONTROLS) &= ~(uint64_t)EXIT_HOST_ADDRESS_SPACE_SIZE;
    ENV_F(env, HOST_IA32_EFER) &= ~(EFER_LME | EFER_LMA);
    ENV_F(env, HOST_RIP) = 0x00100000;
    ENV_F(env, VM_ENTRY_CONTROLS) &= ~(uint64_t)ENTRY_IA32E_MODE_GUEST;
    ENV_F(env, GUEST_IA32_EFER) &= ~(EFER_LME | EFER_LMA);
    ENV_F(env, GUEST_CR4) &= ~CR4_PAE;
    ENV_F(env, GUEST_CS_AR_BYTES) = 0xc09b; /* D=1, L=0, G=1, present, DPL 0, execute/read accessed */
}

/* "load CET state" on, with values that pass every CET rule. */
MUT(cet_on)
{
    ENV_F(env, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_LOAD_CET_STATE;
    ENV_F(env, HOST_IA32_S_CET) = 0;
    ENV_F(env, HOST_SSP) = 0;
    ENV_F(env, HOST_IA32_INTERRUPT_SSP_TABLE_ADDR) = 0;
}

/* ---- §27.2.2 ---- */

MUT(cr0_fixed0_pass) { ENV_F(env, HOST_CR0) = vmx_msr(env, MSR_IA32_VMX_CR0_FIXED0); }
MUT(cr0_fixed0_trip) { ENV_F(env, HOST_CR0) &= ~lowest_bit(vmx_msr(env, MSR_IA32_VMX_CR0_FIXED0)); }
MUT(cr0_fixed1_pass) { ENV_F(env, HOST_CR0) = vmx_msr(env, MSR_IA32_VMX_CR0_FIXED1); }
MUT(cr0_fixed1_trip) { ENV_F(env, HOST_CR0) |= lowest_bit(~vmx_msr(env, MSR_IA32_VMX_CR0_FIXED1)); }
MUT(cr4_fixed0_pass) { ENV_F(env, HOST_CR4) = vmx_msr(env, MSR_IA32_VMX_CR4_FIXED0) | CR4_PAE; }
MUT(cr4_fixed0_trip) { ENV_F(env, HOST_CR4) &= ~lowest_bit(vmx_msr(env, MSR_IA32_VMX_CR4_FIXED0)); }
MUT(cr4_fixed1_pass) { ENV_F(env, HOST_CR4) = vmx_msr(env, MSR_IA32_VMX_CR4_FIXED1); }
MUT(cr4_fixed1_trip) { ENV_F(env, HOST_CR4) |= lowest_bit(~vmx_msr(env, MSR_IA32_VMX_CR4_FIXED1)); }
MUT(cr4_cet_wp_pass)
{
    ENV_F(env, HOST_CR4) |= CR4_CET;
    ENV_F(env, HOST_CR0) |= CR0_WP;
}
MUT(cr4_cet_wp_trip)
{
    ENV_F(env, HOST_CR4) |= CR4_CET;
    ENV_F(env, HOST_CR0) &= ~CR0_WP;
}
MUT(cr3_width_pass) { ENV_F(env, HOST_CR3) |= 1ull << (env->prof->maxphyaddr - 1); }
MUT(cr3_width_trip) { ENV_F(env, HOST_CR3) |= 1ull << env->prof->maxphyaddr; }
MUT(sysenter_esp_pass) { ENV_F(env, HOST_IA32_SYSENTER_ESP) = top_canonical(env); }
MUT(sysenter_esp_trip) { ENV_F(env, HOST_IA32_SYSENTER_ESP) = first_noncanonical(env); }
MUT(sysenter_eip_pass) { ENV_F(env, HOST_IA32_SYSENTER_EIP) = ~top_canonical(env); } /* lowest negative */
MUT(sysenter_eip_trip) { ENV_F(env, HOST_IA32_SYSENTER_EIP) = ~first_noncanonical(env); }

/* The profiles list no CPUID leaf 0AH (no architectural performance monitoring): no enable bit is valid, so
 * 0 is the boundary and bit 0 is the first reserved bit. */
MUT(perf_global_pass)
{
    ENV_F(env, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_LOAD_IA32_PERF_GLOBAL_CTRL;
    ENV_F(env, HOST_IA32_PERF_GLOBAL_CTRL) = 0;
}
MUT(perf_global_trip)
{
    ENV_F(env, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_LOAD_IA32_PERF_GLOBAL_CTRL;
    ENV_F(env, HOST_IA32_PERF_GLOBAL_CTRL) = 1;
}
MUT(pat_pass)
{
    ENV_F(env, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_LOAD_IA32_PAT;
    ENV_F(env, HOST_IA32_PAT) = 0x0706050401000706ull; /* every valid type, 7 (UC-) the highest */
}
MUT(pat_trip)
{
    ENV_F(env, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_LOAD_IA32_PAT;
    ENV_F(env, HOST_IA32_PAT) = 0x0806050401000706ull; /* entry 7 = 8 */
}
MUT(efer_reserved_pass) { ENV_F(env, HOST_IA32_EFER) = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE; }
MUT(efer_reserved_trip) { ENV_F(env, HOST_IA32_EFER) = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | (1ull << 1); }
MUT(efer_lm_pass) { ENV_F(env, HOST_IA32_EFER) = EFER_LME | EFER_LMA; }
MUT(efer_lma_trip) { ENV_F(env, HOST_IA32_EFER) &= ~EFER_LMA; }
MUT(efer_lme_trip) { ENV_F(env, HOST_IA32_EFER) &= ~EFER_LME; }
MUT(s_cet_reserved_pass)
{
    cet_on(env);
    ENV_F(env, HOST_IA32_S_CET) = 0x3f | (1ull << 10); /* every bit around 9:6 */
}
MUT(s_cet_reserved_trip)
{
    cet_on(env);
    ENV_F(env, HOST_IA32_S_CET) = 1ull << 6;
}
MUT(s_cet_suppress_tracker_pass)
{
    cet_on(env);
    ENV_F(env, HOST_IA32_S_CET) = 1ull << 11;
}
MUT(s_cet_suppress_tracker_trip)
{
    cet_on(env);
    ENV_F(env, HOST_IA32_S_CET) = (1ull << 10) | (1ull << 11);
}
MUT(ssp_aligned_pass)
{
    cet_on(env);
    ENV_F(env, HOST_SSP) = 0x7ffc;
}
MUT(ssp_aligned_trip)
{
    cet_on(env);
    ENV_F(env, HOST_SSP) = 0x7ffe;
}
MUT(isst_pass)
{
    cet_on(env);
    ENV_F(env, HOST_IA32_INTERRUPT_SSP_TABLE_ADDR) = top_canonical(env);
}
MUT(isst_trip)
{
    cet_on(env);
    ENV_F(env, HOST_IA32_INTERRUPT_SSP_TABLE_ADDR) = first_noncanonical(env);
}
MUT(pkrs_pass)
{
    ENV_F(env, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_LOAD_PKRS;
    ENV_F(env, HOST_IA32_PKRS) = 0xffffffffull;
}
MUT(pkrs_trip)
{
    ENV_F(env, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_LOAD_PKRS;
    ENV_F(env, HOST_IA32_PKRS) = 1ull << 32;
}

/* ---- §27.2.3 ---- */

MUT(es_pass) { ENV_F(env, HOST_ES_SELECTOR) = 0xfff8; }
MUT(es_trip) { ENV_F(env, HOST_ES_SELECTOR) |= 1; } /* RPL 1 */
MUT(cs_pass) { ENV_F(env, HOST_CS_SELECTOR) = 0xfff8; }
MUT(cs_trip) { ENV_F(env, HOST_CS_SELECTOR) |= 4; } /* TI */
MUT(ss_pass) { ENV_F(env, HOST_SS_SELECTOR) = 0xfff8; }
MUT(ss_trip) { ENV_F(env, HOST_SS_SELECTOR) |= 3; } /* RPL 3 */
MUT(ds_pass) { ENV_F(env, HOST_DS_SELECTOR) = 0xfff8; }
MUT(ds_trip) { ENV_F(env, HOST_DS_SELECTOR) |= 4; }
MUT(fs_pass) { ENV_F(env, HOST_FS_SELECTOR) = 0xfff8; }
MUT(fs_trip) { ENV_F(env, HOST_FS_SELECTOR) |= 2; }
MUT(gs_pass) { ENV_F(env, HOST_GS_SELECTOR) = 0xfff8; }
MUT(gs_trip) { ENV_F(env, HOST_GS_SELECTOR) |= 4; }
MUT(tr_pass) { ENV_F(env, HOST_TR_SELECTOR) = 0xfff8; }
MUT(tr_trip) { ENV_F(env, HOST_TR_SELECTOR) |= 1; }
MUT(cs_nonzero_pass) { ENV_F(env, HOST_CS_SELECTOR) = 0x0008; }
MUT(cs_nonzero_trip) { ENV_F(env, HOST_CS_SELECTOR) = 0; }
MUT(tr_nonzero_pass) { ENV_F(env, HOST_TR_SELECTOR) = 0x0008; }
MUT(tr_nonzero_trip) { ENV_F(env, HOST_TR_SELECTOR) = 0; }
MUT(ss_nonzero_pass)
{
    world32(env);
    ENV_F(env, HOST_SS_SELECTOR) = 0x0008;
}
MUT(ss_nonzero_trip)
{
    world32(env);
    ENV_F(env, HOST_SS_SELECTOR) = 0;
}
MUT(fs_base_pass) { ENV_F(env, HOST_FS_BASE) = top_canonical(env); }
MUT(fs_base_trip) { ENV_F(env, HOST_FS_BASE) = first_noncanonical(env); }
MUT(gs_base_pass) { ENV_F(env, HOST_GS_BASE) = ~top_canonical(env); }
MUT(gs_base_trip) { ENV_F(env, HOST_GS_BASE) = ~first_noncanonical(env); }
MUT(gdtr_base_pass) { ENV_F(env, HOST_GDTR_BASE) = top_canonical(env); }
MUT(gdtr_base_trip) { ENV_F(env, HOST_GDTR_BASE) = first_noncanonical(env); }
MUT(idtr_base_pass) { ENV_F(env, HOST_IDTR_BASE) = ~top_canonical(env); }
MUT(idtr_base_trip) { ENV_F(env, HOST_IDTR_BASE) = ~first_noncanonical(env); }
MUT(tr_base_pass) { ENV_F(env, HOST_TR_BASE) = top_canonical(env); }
MUT(tr_base_trip) { ENV_F(env, HOST_TR_BASE) = first_noncanonical(env); }

/* ---- §27.2.4 ---- */

MUT(outside_host_size_trip) { env->host_ia32e = false; }
MUT(outside_guest_trip)
{
    world32(env);
    ENV_F(env, VM_ENTRY_CONTROLS) |= ENTRY_IA32E_MODE_GUEST;
}
MUT(inside_host_size_pass)
{
    env->host_ia32e = true;
    ENV_F(env, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_HOST_ADDRESS_SPACE_SIZE;
}
MUT(inside_host_size_trip)
{
    ENV_F(env, PRIMARY_VM_EXIT_CONTROLS) &= ~(uint64_t)EXIT_HOST_ADDRESS_SPACE_SIZE;
    ENV_F(env, HOST_IA32_EFER) &= ~(EFER_LME | EFER_LMA); /* keep host.efer.* passing */
}
MUT(size0_pcide_pass)
{
    world32(env);
    ENV_F(env, HOST_CR4) &= ~CR4_PCIDE;
}
MUT(size0_pcide_trip)
{
    world32(env);
    ENV_F(env, HOST_CR4) |= CR4_PCIDE;
}
MUT(size0_rip_pass)
{
    world32(env);
    ENV_F(env, HOST_RIP) = 0xffffffffull;
}
MUT(size0_rip_trip)
{
    world32(env);
    ENV_F(env, HOST_RIP) = 1ull << 32;
}
MUT(size0_s_cet_pass)
{
    world32(env);
    cet_on(env);
    ENV_F(env, HOST_IA32_S_CET) = 0xfffff000ull; /* legacy bitmap base bits 31:12 */
}
MUT(size0_s_cet_trip)
{
    world32(env);
    cet_on(env);
    ENV_F(env, HOST_IA32_S_CET) = 1ull << 32;
}
MUT(size0_ssp_pass)
{
    world32(env);
    cet_on(env);
    ENV_F(env, HOST_SSP) = 0xfffffffcull;
}
MUT(size0_ssp_trip)
{
    world32(env);
    cet_on(env);
    ENV_F(env, HOST_SSP) = 1ull << 32;
}
MUT(size1_pae_pass) { ENV_F(env, HOST_CR4) = vmx_msr(env, MSR_IA32_VMX_CR4_FIXED0) | CR4_PAE; }
MUT(size1_pae_trip) { ENV_F(env, HOST_CR4) &= ~CR4_PAE; }
MUT(size1_rip_pass) { ENV_F(env, HOST_RIP) = top_canonical(env); }
MUT(size1_rip_trip) { ENV_F(env, HOST_RIP) = first_noncanonical(env); }
MUT(size1_s_cet_pass)
{
    cet_on(env);
    ENV_F(env, HOST_IA32_S_CET) = top_canonical(env) & ~0xfffull;
}
MUT(size1_s_cet_trip)
{
    cet_on(env);
    ENV_F(env, HOST_IA32_S_CET) = first_noncanonical(env);
}
MUT(size1_ssp_pass)
{
    cet_on(env);
    ENV_F(env, HOST_SSP) = top_canonical(env) & ~3ull;
}
MUT(size1_ssp_trip)
{
    cet_on(env);
    ENV_F(env, HOST_SSP) = first_noncanonical(env);
}

#define HW "bochs-haswell"

static const struct ec_case host_cases[] = {
    {"host.cr0.fixed0", HW, cr0_fixed0_pass, cr0_fixed0_trip},
    {"host.cr0.fixed1", HW, cr0_fixed1_pass, cr0_fixed1_trip},
    {"host.cr4.fixed0", HW, cr4_fixed0_pass, cr4_fixed0_trip},
    {"host.cr4.fixed1", HW, cr4_fixed1_pass, cr4_fixed1_trip},
    {"host.cr4.cet_wp", "max", cr4_cet_wp_pass, cr4_cet_wp_trip},
    {"host.cr3.width", HW, cr3_width_pass, cr3_width_trip},
    {"host.sysenter_esp.canonical", HW, sysenter_esp_pass, sysenter_esp_trip},
    {"host.sysenter_eip.canonical", "max", sysenter_eip_pass, sysenter_eip_trip},
    {"host.perf_global_ctrl.reserved", HW, perf_global_pass, perf_global_trip},
    {"host.pat.type", HW, pat_pass, pat_trip},
    {"host.efer.reserved", HW, efer_reserved_pass, efer_reserved_trip},
    {"host.efer.lma", HW, efer_lm_pass, efer_lma_trip},
    {"host.efer.lme", HW, efer_lm_pass, efer_lme_trip},
    {"host.s_cet.reserved", "max", s_cet_reserved_pass, s_cet_reserved_trip},
    {"host.s_cet.suppress_tracker", "max", s_cet_suppress_tracker_pass, s_cet_suppress_tracker_trip},
    {"host.ssp.aligned", "max", ssp_aligned_pass, ssp_aligned_trip},
    {"host.interrupt_ssp_table.canonical", "max", isst_pass, isst_trip},
    {"host.pkrs.reserved", "max", pkrs_pass, pkrs_trip},
    {"host.es.rpl_ti", HW, es_pass, es_trip},
    {"host.cs.rpl_ti", HW, cs_pass, cs_trip},
    {"host.ss.rpl_ti", HW, ss_pass, ss_trip},
    {"host.ds.rpl_ti", HW, ds_pass, ds_trip},
    {"host.fs.rpl_ti", HW, fs_pass, fs_trip},
    {"host.gs.rpl_ti", HW, gs_pass, gs_trip},
    {"host.tr.rpl_ti", HW, tr_pass, tr_trip},
    {"host.cs.nonzero", HW, cs_nonzero_pass, cs_nonzero_trip},
    {"host.tr.nonzero", HW, tr_nonzero_pass, tr_nonzero_trip},
    {"host.ss.nonzero", HW, ss_nonzero_pass, ss_nonzero_trip},
    {"host.fs.base_canonical", HW, fs_base_pass, fs_base_trip},
    {"host.gs.base_canonical", HW, gs_base_pass, gs_base_trip},
    {"host.gdtr.base_canonical", "max", gdtr_base_pass, gdtr_base_trip},
    {"host.idtr.base_canonical", HW, idtr_base_pass, idtr_base_trip},
    {"host.tr.base_canonical", HW, tr_base_pass, tr_base_trip},
    {"host.ia32e.outside_host_size", HW, world32, outside_host_size_trip},
    {"host.ia32e.outside_guest", HW, world32, outside_guest_trip},
    {"host.ia32e.inside_host_size", HW, inside_host_size_pass, inside_host_size_trip},
    {"host.size0.pcide", HW, size0_pcide_pass, size0_pcide_trip},
    {"host.size0.rip", HW, size0_rip_pass, size0_rip_trip},
    {"host.size0.s_cet", "max", size0_s_cet_pass, size0_s_cet_trip},
    {"host.size0.ssp", "max", size0_ssp_pass, size0_ssp_trip},
    {"host.size1.pae", HW, size1_pae_pass, size1_pae_trip},
    {"host.size1.rip", "max", size1_rip_pass, size1_rip_trip},
    {"host.size1.s_cet", "max", size1_s_cet_pass, size1_s_cet_trip},
    {"host.size1.ssp", "max", size1_ssp_pass, size1_ssp_trip},
};
EC_CASES(host_cases)
