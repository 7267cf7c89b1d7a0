/* VM-entry checks on the host-state area (SDM Vol. 3 §27.2.2 "Checks on Host Control Registers, MSRs, and
 * SSP", §27.2.3 "Checks on Host Segment and Descriptor-Table Registers", §27.2.4 "Checks Related to
 * Address-Space Size"). Every failure is VMfailValid with VM-instruction error 8 ("VM entry with invalid
 * host-state field(s)").
 *
 * The simulated processors all support Intel 64 architecture, so the bullets the SDM limits to "processors
 * that support Intel 64 architecture" always apply. "Canonical" is relative to the processor's maximum
 * linear-address width (sim_canonical(): 48, or 57 with 5-level paging), whatever CR4.LA57 is.
 * Bochs 2.7 (bochs/cpu/vmx.cc, VMenterLoadCheckHostState) checks the address-space-size bullets first; the SDM
 * leaves the order of these checks open, so only the name of the reported rule can differ, never the outcome. */
#include "entry_check.h"
#include "sim_msr.h"

#include <hv/vmx_controls.h>
#include <hv/x86.h>

#define SDM_CR "Vol. 3 §27.2.2: "
#define SDM_SEG "Vol. 3 §27.2.3: "
#define SDM_SIZE "Vol. 3 §27.2.4: "

/* The "host address-space size" VM-exit control (bit 9). */
static bool host_size(const struct ec_ctx *c)
{
    return (c->exit_ctls & EXIT_HOST_ADDRESS_SPACE_SIZE) != 0;
}

static bool load_cet(const struct ec_ctx *c)
{
    return (c->exit_ctls & EXIT_LOAD_CET_STATE) != 0;
}

/* Physical-address width, kept to the architectural range so that a fuzzed profile cannot make a shift
 * undefined. */
static unsigned phys_width(const struct ec_ctx *c)
{
    unsigned w = c->prof->maxphyaddr;
    return w < 32 ? 32 : w > 52 ? 52 : w;
}

/* ---- §27.2.2 Checks on host control registers, MSRs and SSP ---- */

/* The CR0 field must not set any bit to a value not supported in VMX operation (§24.8): every bit that is 1 in
 * IA32_VMX_CR0_FIXED0 must be 1. */
static bool cr0_fixed0(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint64_t fixed0 = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_CR0_FIXED0);
    return (~EC_F(c, HOST_CR0) & fixed0) == 0;
}

/* The CR0 field must not set any bit to a value not supported in VMX operation: every bit that is 0 in
 * IA32_VMX_CR0_FIXED1 (bits 63:32 included) must be 0. */
static bool cr0_fixed1(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint64_t fixed1 = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_CR0_FIXED1);
    return (EC_F(c, HOST_CR0) & ~fixed1) == 0;
}

/* The CR4 field must not set any bit to a value not supported in VMX operation: bits 1 in
 * IA32_VMX_CR4_FIXED0 (VMXE) must be 1. */
static bool cr4_fixed0(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint64_t fixed0 = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_CR4_FIXED0);
    return (~EC_F(c, HOST_CR4) & fixed0) == 0;
}

/* The CR4 field must not set any bit to a value not supported in VMX operation: bits 0 in
 * IA32_VMX_CR4_FIXED1 must be 0. */
static bool cr4_fixed1(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint64_t fixed1 = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_CR4_FIXED1);
    return (EC_F(c, HOST_CR4) & ~fixed1) == 0;
}

/* If bit 23 in the CR4 field (CET) is 1, bit 16 in the CR0 field (WP) must also be 1.
 * Bochs 2.7: checks this for the host only when "load CET state" is 1. */
static bool cr4_cet_wp(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!(EC_F(c, HOST_CR4) & CR4_CET))
        return true;
    return (EC_F(c, HOST_CR0) & CR0_WP) != 0;
}

/* The CR3 field must be such that bits 63:52 and bits in the range 51:32 beyond the processor's
 * physical-address width are 0. (LAM's CR3 bits 62:61 are not modelled: no profile enumerates LAM.) */
static bool cr3_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (EC_F(c, HOST_CR3) >> phys_width(c)) == 0;
}

/* The IA32_SYSENTER_ESP field must contain a canonical address. */
static bool sysenter_esp_canonical(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return sim_canonical(c->prof, EC_F(c, HOST_IA32_SYSENTER_ESP));
}

/* The IA32_SYSENTER_EIP field must contain a canonical address. */
static bool sysenter_eip_canonical(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return sim_canonical(c->prof, EC_F(c, HOST_IA32_SYSENTER_EIP));
}

/* If the "load IA32_PERF_GLOBAL_CTRL" VM-exit control is 1, bits reserved in the IA32_PERF_GLOBAL_CTRL MSR
 * must be 0 in the field for that register. Reserved = the enables of counters the processor does not have
 * (CPUID.0AH, sim_msr_perf_global_ctrl_valid_bits; all bits without architectural performance monitoring).
 * Bochs 2.7: does not check this field. */
static bool perf_global_ctrl_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!(c->exit_ctls & EXIT_LOAD_IA32_PERF_GLOBAL_CTRL))
        return true;
    return (EC_F(c, HOST_IA32_PERF_GLOBAL_CTRL) & ~sim_msr_perf_global_ctrl_valid_bits(c->prof)) == 0;
}

/* If the "load IA32_PAT" VM-exit control is 1, the value of the field for the IA32_PAT MSR must be one that
 * could be written by WRMSR without fault at CPL 0: each of its 8 bytes 0 (UC), 1 (WC), 4 (WT), 5 (WP),
 * 6 (WB) or 7 (UC-). */
static bool pat_type(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!(c->exit_ctls & EXIT_LOAD_IA32_PAT))
        return true;
    return sim_msr_pat_valid(EC_F(c, HOST_IA32_PAT));
}

/* If the "load IA32_EFER" VM-exit control is 1, bits reserved in the IA32_EFER MSR must be 0 in the field for
 * that register. */
static bool efer_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!(c->exit_ctls & EXIT_LOAD_IA32_EFER))
        return true;
    return (EC_F(c, HOST_IA32_EFER) & ~sim_msr_efer_valid_bits(c->prof)) == 0;
}

/* If the "load IA32_EFER" VM-exit control is 1, the LMA bit (10) of the field must equal the "host
 * address-space size" VM-exit control. Bochs 2.7: one combined check (LMA == LME == host address-space size),
 * same outcome. */
static bool efer_lma(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!(c->exit_ctls & EXIT_LOAD_IA32_EFER))
        return true;
    return ((EC_F(c, HOST_IA32_EFER) & EFER_LMA) != 0) == host_size(c);
}

/* If the "load IA32_EFER" VM-exit control is 1, the LME bit (8) of the field must equal the "host
 * address-space size" VM-exit control. */
static bool efer_lme(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!(c->exit_ctls & EXIT_LOAD_IA32_EFER))
        return true;
    return ((EC_F(c, HOST_IA32_EFER) & EFER_LME) != 0) == host_size(c);
}

/* If the "load CET state" VM-exit control is 1, the IA32_S_CET field must not set bits reserved in the
 * IA32_S_CET MSR (bits 9:6). */
static bool s_cet_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!load_cet(c))
        return true;
    return (EC_F(c, HOST_IA32_S_CET) & CET_RESERVED_9_6) == 0;
}

/* If the "load CET state" VM-exit control is 1, the IA32_S_CET field must be a value WRMSR accepts: bit 10
 * (SUPPRESS) and bit 11 (TRACKER) not both 1. (Bochs 2.7 and KVM both check this.) */
static bool s_cet_suppress_tracker(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!load_cet(c))
        return true;
    uint64_t both = CET_SUPPRESS | CET_TRACKER;
    return (EC_F(c, HOST_IA32_S_CET) & both) != both;
}

/* If the "load CET state" VM-exit control is 1, bits 1:0 of the SSP field must be 0 (a shadow-stack pointer
 * is 4-byte aligned; Bochs 2.7 and KVM check it). */
static bool ssp_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!load_cet(c))
        return true;
    return (EC_F(c, HOST_SSP) & 3) == 0;
}

/* If the "load CET state" VM-exit control is 1, the IA32_INTERRUPT_SSP_TABLE_ADDR field must contain a
 * canonical address. */
static bool interrupt_ssp_table_canonical(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!load_cet(c))
        return true;
    return sim_canonical(c->prof, EC_F(c, HOST_IA32_INTERRUPT_SSP_TABLE_ADDR));
}

/* If the "load PKRS" VM-exit control is 1, bits 63:32 of the IA32_PKRS field must be 0. */
static bool pkrs_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!(c->exit_ctls & EXIT_LOAD_PKRS))
        return true;
    return (EC_F(c, HOST_IA32_PKRS) >> 32) == 0;
}

/* ---- §27.2.3 Checks on host segment and descriptor-table registers ---- */

/* In the selector field for each of CS, SS, DS, ES, FS, GS and TR, the RPL (bits 1:0) and the TI flag (bit 2)
 * must be 0. One rule per register. */
#define SELECTOR_RPL_TI(reg)                                                                                 \
    static bool reg##_rpl_ti(const struct ec_ctx *c, uint64_t *d)                                            \
    {                                                                                                        \
        (void)d;                                                                                             \
        return (EC_F(c, HOST_##reg##_SELECTOR) & 7) == 0;                                                    \
    }
SELECTOR_RPL_TI(ES)
SELECTOR_RPL_TI(CS)
SELECTOR_RPL_TI(SS)
SELECTOR_RPL_TI(DS)
SELECTOR_RPL_TI(FS)
SELECTOR_RPL_TI(GS)
SELECTOR_RPL_TI(TR)

/* The selector field for CS cannot be 0000H. */
static bool cs_nonzero(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (uint16_t)EC_F(c, HOST_CS_SELECTOR) != 0;
}

/* The selector field for TR cannot be 0000H. */
static bool tr_nonzero(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (uint16_t)EC_F(c, HOST_TR_SELECTOR) != 0;
}

/* The selector field for SS cannot be 0000H if the "host address-space size" VM-exit control is 0. */
static bool ss_nonzero(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (host_size(c))
        return true;
    return (uint16_t)EC_F(c, HOST_SS_SELECTOR) != 0;
}

/* On processors that support Intel 64 architecture, the base-address fields for FS, GS, GDTR, IDTR and TR
 * must contain canonical addresses. One rule per register. */
#define BASE_CANONICAL(fn, field)                                                                            \
    static bool fn(const struct ec_ctx *c, uint64_t *d)                                                      \
    {                                                                                                        \
        (void)d;                                                                                             \
        return sim_canonical(c->prof, EC_F(c, field));                                                       \
    }
BASE_CANONICAL(fs_base_canonical, HOST_FS_BASE)
BASE_CANONICAL(gs_base_canonical, HOST_GS_BASE)
BASE_CANONICAL(gdtr_base_canonical, HOST_GDTR_BASE)
BASE_CANONICAL(idtr_base_canonical, HOST_IDTR_BASE)
BASE_CANONICAL(tr_base_canonical, HOST_TR_BASE)

/* ---- §27.2.4 Checks related to address-space size ---- */

/* If the logical processor is outside IA-32e mode (IA32_EFER.LMA = 0) at the time of VM entry, the "host
 * address-space size" VM-exit control must be 0. */
static bool outside_ia32e_host_size(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return c->host_ia32e || !host_size(c);
}

/* If the logical processor is outside IA-32e mode at the time of VM entry, the "IA-32e mode guest" VM-entry
 * control must be 0. */
static bool outside_ia32e_guest(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return c->host_ia32e || !(c->entry_ctls & ENTRY_IA32E_MODE_GUEST);
}

/* If the logical processor is in IA-32e mode (IA32_EFER.LMA = 1) at the time of VM entry, the "host
 * address-space size" VM-exit control must be 1. */
static bool inside_ia32e_host_size(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !c->host_ia32e || host_size(c);
}

/* If the "host address-space size" VM-exit control is 0: bit 17 of the CR4 field (CR4.PCIDE) is 0. */
static bool size0_pcide(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return host_size(c) || !(EC_F(c, HOST_CR4) & CR4_PCIDE);
}

/* If the "host address-space size" VM-exit control is 0: bits 63:32 in the RIP field are 0. */
static bool size0_rip(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return host_size(c) || (EC_F(c, HOST_RIP) >> 32) == 0;
}

/* If the "host address-space size" VM-exit control is 0 and "load CET state" is 1: bits 63:32 in the
 * IA32_S_CET field are 0 (as KVM and Bochs 2.7 check it). */
static bool size0_s_cet(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return host_size(c) || !load_cet(c) || (EC_F(c, HOST_IA32_S_CET) >> 32) == 0;
}

/* If the "host address-space size" VM-exit control is 0 and "load CET state" is 1: bits 63:32 in the SSP
 * field are 0. */
static bool size0_ssp(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return host_size(c) || !load_cet(c) || (EC_F(c, HOST_SSP) >> 32) == 0;
}

/* If the "host address-space size" VM-exit control is 1: bit 5 of the CR4 field (CR4.PAE) is 1. */
static bool size1_pae(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !host_size(c) || (EC_F(c, HOST_CR4) & CR4_PAE) != 0;
}

/* If the "host address-space size" VM-exit control is 1: the RIP field contains a canonical address. */
static bool size1_rip(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !host_size(c) || sim_canonical(c->prof, EC_F(c, HOST_RIP));
}

/* If the "host address-space size" VM-exit control is 1 and "load CET state" is 1: the IA32_S_CET field
 * contains a canonical address (its bits 63:12 are the legacy code-page bitmap base).
 * Bochs 2.7: checks canonicality whatever the host address-space size (the same outcome: with size 0, bits
 * 63:32 must be 0, which is canonical). */
static bool size1_s_cet(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !host_size(c) || !load_cet(c) || sim_canonical(c->prof, EC_F(c, HOST_IA32_S_CET));
}

/* If the "host address-space size" VM-exit control is 1 and "load CET state" is 1: the SSP field contains a
 * canonical address. */
static bool size1_ssp(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !host_size(c) || !load_cet(c) || sim_canonical(c->prof, EC_F(c, HOST_SSP));
}

#define HOST(name, sdm, fn) {"host." name, sdm, EC_CLASS_HOST, 0, fn}

const struct ec_rule ec_rules_host[] = {
    /* §27.2.2 */
    HOST("cr0.fixed0", SDM_CR "CR0 field bits set in IA32_VMX_CR0_FIXED0 must be 1", cr0_fixed0),
    HOST("cr0.fixed1", SDM_CR "CR0 field bits clear in IA32_VMX_CR0_FIXED1 must be 0", cr0_fixed1),
    HOST("cr4.fixed0", SDM_CR "CR4 field bits set in IA32_VMX_CR4_FIXED0 must be 1", cr4_fixed0),
    HOST("cr4.fixed1", SDM_CR "CR4 field bits clear in IA32_VMX_CR4_FIXED1 must be 0", cr4_fixed1),
    HOST("cr4.cet_wp", SDM_CR "if CR4 field bit 23 (CET) is 1, CR0 field bit 16 (WP) must be 1", cr4_cet_wp),
    HOST("cr3.width", SDM_CR "CR3 field bits beyond the physical-address width must be 0", cr3_width),
    HOST("sysenter_esp.canonical", SDM_CR "IA32_SYSENTER_ESP field must be canonical", sysenter_esp_canonical),
    HOST("sysenter_eip.canonical", SDM_CR "IA32_SYSENTER_EIP field must be canonical", sysenter_eip_canonical),
    HOST("perf_global_ctrl.reserved",
         SDM_CR "load IA32_PERF_GLOBAL_CTRL: reserved bits of the IA32_PERF_GLOBAL_CTRL field must be 0",
         perf_global_ctrl_reserved),
    HOST("pat.type", SDM_CR "load IA32_PAT: each byte of the IA32_PAT field must be 0, 1, 4, 5, 6 or 7", pat_type),
    HOST("efer.reserved", SDM_CR "load IA32_EFER: reserved bits of the IA32_EFER field must be 0", efer_reserved),
    HOST("efer.lma", SDM_CR "load IA32_EFER: IA32_EFER.LMA must equal \"host address-space size\"", efer_lma),
    HOST("efer.lme", SDM_CR "load IA32_EFER: IA32_EFER.LME must equal \"host address-space size\"", efer_lme),
    HOST("s_cet.reserved", SDM_CR "load CET state: IA32_S_CET field reserved bits (9:6) must be 0", s_cet_reserved),
    HOST("s_cet.suppress_tracker", SDM_CR "load CET state: IA32_S_CET bits 10 and 11 must not both be 1",
         s_cet_suppress_tracker),
    HOST("ssp.aligned", SDM_CR "load CET state: SSP field bits 1:0 must be 0", ssp_aligned),
    HOST("interrupt_ssp_table.canonical",
         SDM_CR "load CET state: IA32_INTERRUPT_SSP_TABLE_ADDR field must be canonical",
         interrupt_ssp_table_canonical),
    HOST("pkrs.reserved", SDM_CR "load PKRS: bits 63:32 of the IA32_PKRS field must be 0", pkrs_reserved),
    /* §27.2.3 */
    HOST("es.rpl_ti", SDM_SEG "ES selector field RPL (bits 1:0) and TI (bit 2) must be 0", ES_rpl_ti),
    HOST("cs.rpl_ti", SDM_SEG "CS selector field RPL (bits 1:0) and TI (bit 2) must be 0", CS_rpl_ti),
    HOST("ss.rpl_ti", SDM_SEG "SS selector field RPL (bits 1:0) and TI (bit 2) must be 0", SS_rpl_ti),
    HOST("ds.rpl_ti", SDM_SEG "DS selector field RPL (bits 1:0) and TI (bit 2) must be 0", DS_rpl_ti),
    HOST("fs.rpl_ti", SDM_SEG "FS selector field RPL (bits 1:0) and TI (bit 2) must be 0", FS_rpl_ti),
    HOST("gs.rpl_ti", SDM_SEG "GS selector field RPL (bits 1:0) and TI (bit 2) must be 0", GS_rpl_ti),
    HOST("tr.rpl_ti", SDM_SEG "TR selector field RPL (bits 1:0) and TI (bit 2) must be 0", TR_rpl_ti),
    HOST("cs.nonzero", SDM_SEG "the CS selector field cannot be 0000H", cs_nonzero),
    HOST("tr.nonzero", SDM_SEG "the TR selector field cannot be 0000H", tr_nonzero),
    HOST("ss.nonzero", SDM_SEG "the SS selector field cannot be 0000H if \"host address-space size\" is 0",
         ss_nonzero),
    HOST("fs.base_canonical", SDM_SEG "the FS base-address field must be canonical", fs_base_canonical),
    HOST("gs.base_canonical", SDM_SEG "the GS base-address field must be canonical", gs_base_canonical),
    HOST("gdtr.base_canonical", SDM_SEG "the GDTR base-address field must be canonical", gdtr_base_canonical),
    HOST("idtr.base_canonical", SDM_SEG "the IDTR base-address field must be canonical", idtr_base_canonical),
    HOST("tr.base_canonical", SDM_SEG "the TR base-address field must be canonical", tr_base_canonical),
    /* §27.2.4 */
    HOST("ia32e.outside_host_size",
         SDM_SIZE "outside IA-32e mode, the \"host address-space size\" VM-exit control must be 0",
         outside_ia32e_host_size),
    HOST("ia32e.outside_guest", SDM_SIZE "outside IA-32e mode, the \"IA-32e mode guest\" VM-entry control must be 0",
         outside_ia32e_guest),
    HOST("ia32e.inside_host_size",
         SDM_SIZE "in IA-32e mode, the \"host address-space size\" VM-exit control must be 1", inside_ia32e_host_size),
    HOST("size0.pcide", SDM_SIZE "host address-space size 0: CR4 field bit 17 (PCIDE) must be 0", size0_pcide),
    HOST("size0.rip", SDM_SIZE "host address-space size 0: RIP field bits 63:32 must be 0", size0_rip),
    HOST("size0.s_cet", SDM_SIZE "host address-space size 0, load CET state: IA32_S_CET field bits 63:32 must be 0",
         size0_s_cet),
    HOST("size0.ssp", SDM_SIZE "host address-space size 0, load CET state: SSP field bits 63:32 must be 0",
         size0_ssp),
    HOST("size1.pae", SDM_SIZE "host address-space size 1: CR4 field bit 5 (PAE) must be 1", size1_pae),
    HOST("size1.rip", SDM_SIZE "host address-space size 1: RIP field must be canonical", size1_rip),
    HOST("size1.s_cet", SDM_SIZE "host address-space size 1, load CET state: IA32_S_CET field must be canonical",
         size1_s_cet),
    HOST("size1.ssp", SDM_SIZE "host address-space size 1, load CET state: SSP field must be canonical", size1_ssp),
};
const size_t ec_rules_host_count = sizeof ec_rules_host / sizeof ec_rules_host[0];
