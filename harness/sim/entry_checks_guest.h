/* VM-entry checks on the guest-state area (SDM Vol. 3 §27.3.1): the helpers the guest rules share, and the
 * list of rules (in table order) that entry_checks_guest.c turns into ec_rules_guest[]. The architectural bit
 * names they use are in <hv/x86.h> and <hv/vmx_controls.h>. The predicates live in entry_checks_guest_regs.c
 * (§27.3.1.1), entry_checks_guest_segments.c (§27.3.1.2-27.3.1.3) and entry_checks_guest_state.c
 * (§27.3.1.4-27.3.1.6). */
#ifndef SIM_ENTRY_CHECKS_GUEST_H
#define SIM_ENTRY_CHECKS_GUEST_H

#include "entry_check.h"

#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <stdbool.h>
#include <stdint.h>

/* --- helpers ------------------------------------------------------------------------------------------ */

static inline bool ec_guest_ia32e(const struct ec_ctx *c)
{
    return (c->entry_ctls & ENTRY_IA32E_MODE_GUEST) != 0;
}

static inline bool ec_guest_ug(const struct ec_ctx *c)
{
    return (c->proc2 & PROC2_UNRESTRICTED_GUEST) != 0;
}

/* "The guest will be virtual-8086 if the VM flag (bit 17) is 1 in the RFLAGS field" (§27.3.1.2). */
static inline bool ec_guest_v86(const struct ec_ctx *c)
{
    return (EC_F(c, GUEST_RFLAGS) & RFLAGS_VM) != 0;
}

/* Bits 63:n of v all equal (n < 64). */
static inline bool ec_guest_bits_identical_from(uint64_t v, unsigned n)
{
    uint64_t top = v >> n;
    return top == 0 || top == (~0ull >> n);
}

/* Canonical for the processor's linear-address width w: bits 63:w-1 identical (SDM Vol. 1 §3.3.7.1). */
static inline bool ec_guest_canonical(const struct ec_ctx *c, uint64_t v)
{
    unsigned w = c->prof->linear_width ? c->prof->linear_width : 48;
    return ec_guest_bits_identical_from(v, w - 1);
}

/* No bit at or beyond the physical-address width. */
static inline bool ec_guest_in_phys_width(const struct ec_ctx *c, uint64_t pa)
{
    unsigned m = c->prof->maxphyaddr;
    return m >= 64 || (pa >> m) == 0;
}

/* CPUID register r (0 EAX .. 3 EDX) of leaf/subleaf on the context's profile. */
static inline uint32_t ec_guest_cpuid(const struct ec_ctx *c, uint32_t leaf, uint32_t subleaf, int r)
{
    return ec_cpuid(c, leaf, subleaf, r);
}

/* The pending event of the VM-entry interruption-information field, if its valid bit is set. */
static inline bool ec_guest_injecting(const struct ec_ctx *c, uint32_t type)
{
    uint32_t info = (uint32_t)EC_F(c, VM_ENTRY_INTERRUPTION_INFO);
    return (info & INTR_INFO_VALID) && INTR_INFO_TYPE(info) == type;
}

/* Segment registers as the guest rules walk them. */
enum ec_guest_seg { EC_SEG_ES, EC_SEG_CS, EC_SEG_SS, EC_SEG_DS, EC_SEG_FS, EC_SEG_GS, EC_SEG_LDTR, EC_SEG_TR };

struct ec_guest_seg_fields {
    int sel, base, limit, ar; /* HV_VMCS_ORD_* */
    const char *name;
};

extern const struct ec_guest_seg_fields ec_guest_segs[8];

static inline uint64_t ec_guest_seg_sel(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return c->f[ec_guest_segs[s].sel];
}
static inline uint64_t ec_guest_seg_base(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return c->f[ec_guest_segs[s].base];
}
static inline uint64_t ec_guest_seg_limit(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return c->f[ec_guest_segs[s].limit];
}
static inline uint32_t ec_guest_seg_ar(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return (uint32_t)c->f[ec_guest_segs[s].ar];
}
static inline bool ec_guest_seg_usable(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return (ec_guest_seg_ar(c, s) & AR_UNUSABLE) == 0;
}

/* --- the rules, in table order ------------------------------------------------------------------------
 * X(function suffix, rule name, SDM reference, exit qualification). The table follows the SDM's order of
 * §27.3.1.1 .. §27.3.1.6 (the SDM lets the checks run in any order). */
#define EC_GUEST_RULES(X)                                                                                    \
    /* §27.3.1.1 control registers, debug registers and MSRs */                                              \
    X(cr0_fixed0, "guest.cr0.fixed0",                                                                        \
      "Vol. 3 §27.3.1.1: CR0 must set the bits IA32_VMX_CR0_FIXED0 requires (PE, PG exempt with unrestricted " \
      "guest; NW, CD never checked)", EC_QUAL_DEFAULT)                                                        \
    X(cr0_fixed1, "guest.cr0.fixed1",                                                                        \
      "Vol. 3 §27.3.1.1: CR0 must not set bits IA32_VMX_CR0_FIXED1 forbids (NW, CD never checked)",          \
      EC_QUAL_DEFAULT)                                                                                        \
    X(cr0_pg_pe, "guest.cr0.pg_requires_pe", "Vol. 3 §27.3.1.1: if CR0.PG is 1, CR0.PE must also be 1",      \
      EC_QUAL_DEFAULT)                                                                                        \
    X(cr4_fixed0, "guest.cr4.fixed0", "Vol. 3 §27.3.1.1: CR4 must set the bits IA32_VMX_CR4_FIXED0 requires", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(cr4_fixed1, "guest.cr4.fixed1", "Vol. 3 §27.3.1.1: CR4 must not set bits IA32_VMX_CR4_FIXED1 forbids",  \
      EC_QUAL_DEFAULT)                                                                                        \
    X(cr4_cet_wp, "guest.cr4.cet_requires_wp", "Vol. 3 §27.3.1.1: if CR4.CET (bit 23) is 1, CR0.WP must be 1", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(debugctl_reserved, "guest.debugctl.reserved",                                                          \
      "Vol. 3 §27.3.1.1: with \"load debug controls\", bits reserved in IA32_DEBUGCTL must be 0",            \
      EC_QUAL_DEFAULT)                                                                                        \
    X(cr0_pg_ia32e, "guest.cr0.pg_ia32e",                                                                    \
      "Vol. 3 §27.3.1.1: if \"IA-32e mode guest\" is 1, CR0.PG (bit 31) must be 1", EC_QUAL_DEFAULT)         \
    X(cr4_pae_ia32e, "guest.cr4.pae_ia32e",                                                                  \
      "Vol. 3 §27.3.1.1: if \"IA-32e mode guest\" is 1, CR4.PAE (bit 5) must be 1", EC_QUAL_DEFAULT)         \
    X(cr4_pcide, "guest.cr4.pcide_not_ia32e",                                                                \
      "Vol. 3 §27.3.1.1: if \"IA-32e mode guest\" is 0, CR4.PCIDE (bit 17) must be 0", EC_QUAL_DEFAULT)      \
    X(cr3_width, "guest.cr3.width",                                                                          \
      "Vol. 3 §27.3.1.1: CR3 bits 63:52 and bits 51:32 beyond the physical-address width must be 0",         \
      EC_QUAL_DEFAULT)                                                                                        \
    X(dr7_high, "guest.dr7.high", "Vol. 3 §27.3.1.1: with \"load debug controls\", DR7 bits 63:32 must be 0", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(sysenter_esp, "guest.sysenter_esp.canonical",                                                          \
      "Vol. 3 §27.3.1.1: the IA32_SYSENTER_ESP field must contain a canonical address", EC_QUAL_DEFAULT)     \
    X(sysenter_eip, "guest.sysenter_eip.canonical",                                                          \
      "Vol. 3 §27.3.1.1: the IA32_SYSENTER_EIP field must contain a canonical address", EC_QUAL_DEFAULT)     \
    X(s_cet_canonical, "guest.s_cet.canonical",                                                              \
      "Vol. 3 §27.3.1.1: with \"load CET state\", the IA32_S_CET field must contain a canonical address",    \
      EC_QUAL_DEFAULT)                                                                                        \
    X(ssp_table_canonical, "guest.interrupt_ssp_table.canonical",                                            \
      "Vol. 3 §27.3.1.1: with \"load CET state\", IA32_INTERRUPT_SSP_TABLE_ADDR must be canonical",          \
      EC_QUAL_DEFAULT)                                                                                        \
    X(perf_global_ctrl, "guest.perf_global_ctrl.reserved",                                                   \
      "Vol. 3 §27.3.1.1: with \"load IA32_PERF_GLOBAL_CTRL\", its reserved bits must be 0", EC_QUAL_DEFAULT) \
    X(pat_types, "guest.pat.types",                                                                          \
      "Vol. 3 §27.3.1.1: with \"load IA32_PAT\", each PAT byte must be 0, 1, 4, 5, 6 or 7", EC_QUAL_DEFAULT) \
    X(efer_reserved, "guest.efer.reserved",                                                                  \
      "Vol. 3 §27.3.1.1: with \"load IA32_EFER\", bits reserved in IA32_EFER must be 0", EC_QUAL_DEFAULT)    \
    X(efer_lma, "guest.efer.lma",                                                                            \
      "Vol. 3 §27.3.1.1: with \"load IA32_EFER\", EFER.LMA must equal \"IA-32e mode guest\"",                \
      EC_QUAL_DEFAULT)                                                                                        \
    X(efer_lme, "guest.efer.lme",                                                                            \
      "Vol. 3 §27.3.1.1: with \"load IA32_EFER\" and CR0.PG = 1, EFER.LME must equal EFER.LMA",              \
      EC_QUAL_DEFAULT)                                                                                        \
    X(bndcfgs_reserved, "guest.bndcfgs.reserved",                                                            \
      "Vol. 3 §27.3.1.1: with \"load IA32_BNDCFGS\", bits reserved in IA32_BNDCFGS (11:2) must be 0",        \
      EC_QUAL_DEFAULT)                                                                                        \
    X(bndcfgs_canonical, "guest.bndcfgs.canonical",                                                          \
      "Vol. 3 §27.3.1.1: with \"load IA32_BNDCFGS\", the linear address in bits 63:12 must be canonical",    \
      EC_QUAL_DEFAULT)                                                                                        \
    X(rtit_ctl_reserved, "guest.rtit_ctl.reserved",                                                          \
      "Vol. 3 §27.3.1.1: with \"load IA32_RTIT_CTL\", bits reserved in IA32_RTIT_CTL must be 0",             \
      EC_QUAL_DEFAULT)                                                                                        \
    X(s_cet_reserved, "guest.s_cet.reserved",                                                                \
      "Vol. 3 §27.3.1.1: with \"load CET state\", bits reserved in IA32_S_CET (9:6) must be 0",              \
      EC_QUAL_DEFAULT)                                                                                        \
    X(s_cet_suppress_tracker, "guest.s_cet.suppress_tracker",                                                \
      "Vol. 3 §27.3.1.1: with \"load CET state\", IA32_S_CET bits 10 (SUPPRESS) and 11 (TRACKER) not both 1", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(ssp_alignment, "guest.ssp.alignment", "Vol. 3 §27.3.1.1: with \"load CET state\", SSP bits 1:0 must be 0", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(ssp_width, "guest.ssp.width",                                                                          \
      "Vol. 3 §27.3.1.1: with \"load CET state\", SSP bits 63:N (N = linear-address width) must be identical", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(lbr_ctl_reserved, "guest.lbr_ctl.reserved",                                                            \
      "Vol. 3 §27.3.1.1: with \"load guest IA32_LBR_CTL\", bits reserved in IA32_LBR_CTL must be 0",         \
      EC_QUAL_DEFAULT)                                                                                        \
    X(pkrs_high, "guest.pkrs.reserved", "Vol. 3 §27.3.1.1: with \"load PKRS\", IA32_PKRS bits 63:32 must be 0", \
      EC_QUAL_DEFAULT)                                                                                        \
    /* §27.3.1.2 segment registers: selectors */                                                            \
    X(tr_ti, "guest.tr.selector.ti", "Vol. 3 §27.3.1.2: TR selector TI flag (bit 2) must be 0", EC_QUAL_DEFAULT) \
    X(ldtr_ti, "guest.ldtr.selector.ti", "Vol. 3 §27.3.1.2: if LDTR is usable, its selector TI flag must be 0", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(ss_rpl, "guest.ss.selector.rpl",                                                                       \
      "Vol. 3 §27.3.1.2: not virtual-8086 and no unrestricted guest: SS RPL must equal CS RPL",              \
      EC_QUAL_DEFAULT)                                                                                        \
    /* bases */                                                                                              \
    X(v86_base, "guest.v86.base",                                                                            \
      "Vol. 3 §27.3.1.2: virtual-8086 guest: CS/SS/DS/ES/FS/GS base must be the selector shifted left 4",     \
      EC_QUAL_DEFAULT)                                                                                        \
    X(tr_base, "guest.tr.base.canonical", "Vol. 3 §27.3.1.2: the TR base address must be canonical",         \
      EC_QUAL_DEFAULT)                                                                                        \
    X(fs_gs_base, "guest.data.base.canonical", "Vol. 3 §27.3.1.2: the FS and GS base addresses must be canonical", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(ldtr_base, "guest.ldtr.base.canonical", "Vol. 3 §27.3.1.2: if LDTR is usable, its base must be canonical", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(cs_base, "guest.cs.base.high", "Vol. 3 §27.3.1.2: CS base bits 63:32 must be 0", EC_QUAL_DEFAULT)     \
    X(ss_base, "guest.ss.base.high", "Vol. 3 §27.3.1.2: if SS is usable, its base bits 63:32 must be 0",     \
      EC_QUAL_DEFAULT)                                                                                        \
    X(ds_es_base, "guest.data.base.high",                                                                    \
      "Vol. 3 §27.3.1.2: if DS/ES is usable, its base bits 63:32 must be 0", EC_QUAL_DEFAULT)                \
    /* limits and access rights in virtual-8086 mode */                                                      \
    X(v86_limit, "guest.v86.limit",                                                                          \
      "Vol. 3 §27.3.1.2: virtual-8086 guest: CS/SS/DS/ES/FS/GS limit must be 0000FFFFH", EC_QUAL_DEFAULT)    \
    X(v86_ar, "guest.v86.ar",                                                                                \
      "Vol. 3 §27.3.1.2: virtual-8086 guest: CS/SS/DS/ES/FS/GS access rights must be 000000F3H",             \
      EC_QUAL_DEFAULT)                                                                                        \
    /* access rights outside virtual-8086 mode: CS */                                                        \
    X(cs_type, "guest.cs.type",                                                                              \
      "Vol. 3 §27.3.1.2: CS type must be 9, 11, 13 or 15 (or 3 with unrestricted guest)", EC_QUAL_DEFAULT)  \
    X(ss_type, "guest.ss.type", "Vol. 3 §27.3.1.2: if SS is usable, its type must be 3 or 7", EC_QUAL_DEFAULT) \
    X(data_accessed, "guest.data.type.accessed",                                                             \
      "Vol. 3 §27.3.1.2: usable DS/ES/FS/GS: type bit 0 (accessed) must be 1", EC_QUAL_DEFAULT)             \
    X(data_readable, "guest.data.type.readable",                                                             \
      "Vol. 3 §27.3.1.2: usable DS/ES/FS/GS code segment (type bit 3) must be readable (type bit 1)",        \
      EC_QUAL_DEFAULT)                                                                                        \
    X(cs_s, "guest.cs.s", "Vol. 3 §27.3.1.2: CS S bit (4) must be 1", EC_QUAL_DEFAULT)                       \
    X(ss_s, "guest.ss.s", "Vol. 3 §27.3.1.2: if SS is usable, its S bit must be 1", EC_QUAL_DEFAULT)         \
    X(data_s, "guest.data.s", "Vol. 3 §27.3.1.2: usable DS/ES/FS/GS: S bit must be 1", EC_QUAL_DEFAULT)      \
    X(cs_dpl_data, "guest.cs.dpl.data", "Vol. 3 §27.3.1.2: CS type 3 (unrestricted guest): CS DPL must be 0", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(cs_dpl_nonconforming, "guest.cs.dpl.nonconforming",                                                    \
      "Vol. 3 §27.3.1.2: CS type 9 or 11: CS DPL must equal SS DPL", EC_QUAL_DEFAULT)                        \
    X(cs_dpl_conforming, "guest.cs.dpl.conforming",                                                          \
      "Vol. 3 §27.3.1.2: CS type 13 or 15: CS DPL must not exceed SS DPL", EC_QUAL_DEFAULT)                  \
    X(ss_dpl_rpl, "guest.ss.dpl.rpl", "Vol. 3 §27.3.1.2: without unrestricted guest, SS DPL must equal SS RPL", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(ss_dpl_zero, "guest.ss.dpl.zero",                                                                      \
      "Vol. 3 §27.3.1.2: SS DPL must be 0 if CS type is 3 or CR0.PE is 0", EC_QUAL_DEFAULT)                  \
    X(data_dpl, "guest.data.dpl",                                                                            \
      "Vol. 3 §27.3.1.2: usable DS/ES/FS/GS of type 0-11 without unrestricted guest: DPL must be >= RPL",    \
      EC_QUAL_DEFAULT)                                                                                        \
    X(cs_p, "guest.cs.p", "Vol. 3 §27.3.1.2: CS P bit (7) must be 1", EC_QUAL_DEFAULT)                       \
    X(ss_p, "guest.ss.p", "Vol. 3 §27.3.1.2: if SS is usable, its P bit must be 1", EC_QUAL_DEFAULT)         \
    X(data_p, "guest.data.p", "Vol. 3 §27.3.1.2: usable DS/ES/FS/GS: P bit must be 1", EC_QUAL_DEFAULT)      \
    X(cs_rsvd_11_8, "guest.cs.ar.reserved_11_8", "Vol. 3 §27.3.1.2: CS access-rights bits 11:8 must be 0",   \
      EC_QUAL_DEFAULT)                                                                                        \
    X(ss_rsvd_11_8, "guest.ss.ar.reserved_11_8",                                                             \
      "Vol. 3 §27.3.1.2: if SS is usable, its access-rights bits 11:8 must be 0", EC_QUAL_DEFAULT)           \
    X(data_rsvd_11_8, "guest.data.ar.reserved_11_8",                                                         \
      "Vol. 3 §27.3.1.2: usable DS/ES/FS/GS: access-rights bits 11:8 must be 0", EC_QUAL_DEFAULT)            \
    X(cs_db, "guest.cs.db", "Vol. 3 §27.3.1.2: IA-32e mode guest with CS.L = 1: CS D/B must be 0",           \
      EC_QUAL_DEFAULT)                                                                                        \
    X(cs_g_low, "guest.cs.g.limit_low",                                                                      \
      "Vol. 3 §27.3.1.2: CS: if any of limit bits 11:0 is 0, G must be 0", EC_QUAL_DEFAULT)                  \
    X(cs_g_high, "guest.cs.g.limit_high",                                                                    \
      "Vol. 3 §27.3.1.2: CS: if any of limit bits 31:20 is 1, G must be 1", EC_QUAL_DEFAULT)                 \
    X(ss_g_low, "guest.ss.g.limit_low",                                                                      \
      "Vol. 3 §27.3.1.2: usable SS: if any of limit bits 11:0 is 0, G must be 0", EC_QUAL_DEFAULT)           \
    X(ss_g_high, "guest.ss.g.limit_high",                                                                    \
      "Vol. 3 §27.3.1.2: usable SS: if any of limit bits 31:20 is 1, G must be 1", EC_QUAL_DEFAULT)          \
    X(data_g_low, "guest.data.g.limit_low",                                                                  \
      "Vol. 3 §27.3.1.2: usable DS/ES/FS/GS: if any of limit bits 11:0 is 0, G must be 0", EC_QUAL_DEFAULT)  \
    X(data_g_high, "guest.data.g.limit_high",                                                                \
      "Vol. 3 §27.3.1.2: usable DS/ES/FS/GS: if any of limit bits 31:20 is 1, G must be 1", EC_QUAL_DEFAULT) \
    X(cs_rsvd_31_17, "guest.cs.ar.reserved_31_17", "Vol. 3 §27.3.1.2: CS access-rights bits 31:17 must be 0", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(ss_rsvd_31_17, "guest.ss.ar.reserved_31_17",                                                           \
      "Vol. 3 §27.3.1.2: if SS is usable, its access-rights bits 31:17 must be 0", EC_QUAL_DEFAULT)          \
    X(data_rsvd_31_17, "guest.data.ar.reserved_31_17",                                                       \
      "Vol. 3 §27.3.1.2: usable DS/ES/FS/GS: access-rights bits 31:17 must be 0", EC_QUAL_DEFAULT)           \
    /* TR and LDTR access rights */                                                                          \
    X(tr_type_legacy, "guest.tr.type.legacy",                                                                \
      "Vol. 3 §27.3.1.2: not IA-32e mode guest: TR type must be 3 or 11 (busy TSS)", EC_QUAL_DEFAULT)        \
    X(tr_type_ia32e, "guest.tr.type.ia32e",                                                                  \
      "Vol. 3 §27.3.1.2: IA-32e mode guest: TR type must be 11 (64-bit busy TSS)", EC_QUAL_DEFAULT)          \
    X(tr_s, "guest.tr.s", "Vol. 3 §27.3.1.2: TR S bit must be 0", EC_QUAL_DEFAULT)                           \
    X(tr_p, "guest.tr.p", "Vol. 3 §27.3.1.2: TR P bit must be 1", EC_QUAL_DEFAULT)                           \
    X(tr_rsvd_11_8, "guest.tr.ar.reserved_11_8", "Vol. 3 §27.3.1.2: TR access-rights bits 11:8 must be 0",   \
      EC_QUAL_DEFAULT)                                                                                        \
    X(tr_g_low, "guest.tr.g.limit_low", "Vol. 3 §27.3.1.2: TR: if any of limit bits 11:0 is 0, G must be 0", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(tr_g_high, "guest.tr.g.limit_high", "Vol. 3 §27.3.1.2: TR: if any of limit bits 31:20 is 1, G must be 1", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(tr_usable, "guest.tr.usable", "Vol. 3 §27.3.1.2: TR unusable bit (16) must be 0", EC_QUAL_DEFAULT)     \
    X(tr_rsvd_31_17, "guest.tr.ar.reserved_31_17", "Vol. 3 §27.3.1.2: TR access-rights bits 31:17 must be 0", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(ldtr_type, "guest.ldtr.type", "Vol. 3 §27.3.1.2: usable LDTR: type must be 2 (LDT)", EC_QUAL_DEFAULT) \
    X(ldtr_s, "guest.ldtr.s", "Vol. 3 §27.3.1.2: usable LDTR: S bit must be 0", EC_QUAL_DEFAULT)             \
    X(ldtr_p, "guest.ldtr.p", "Vol. 3 §27.3.1.2: usable LDTR: P bit must be 1", EC_QUAL_DEFAULT)             \
    X(ldtr_rsvd_11_8, "guest.ldtr.ar.reserved_11_8",                                                         \
      "Vol. 3 §27.3.1.2: usable LDTR: access-rights bits 11:8 must be 0", EC_QUAL_DEFAULT)                   \
    X(ldtr_g_low, "guest.ldtr.g.limit_low",                                                                  \
      "Vol. 3 §27.3.1.2: usable LDTR: if any of limit bits 11:0 is 0, G must be 0", EC_QUAL_DEFAULT)         \
    X(ldtr_g_high, "guest.ldtr.g.limit_high",                                                                \
      "Vol. 3 §27.3.1.2: usable LDTR: if any of limit bits 31:20 is 1, G must be 1", EC_QUAL_DEFAULT)        \
    X(ldtr_rsvd_31_17, "guest.ldtr.ar.reserved_31_17",                                                       \
      "Vol. 3 §27.3.1.2: usable LDTR: access-rights bits 31:17 must be 0", EC_QUAL_DEFAULT)                  \
    /* §27.3.1.3 descriptor-table registers */                                                               \
    X(gdtr_base, "guest.gdtr.base.canonical", "Vol. 3 §27.3.1.3: the GDTR base must be canonical",           \
      EC_QUAL_DEFAULT)                                                                                        \
    X(idtr_base, "guest.idtr.base.canonical", "Vol. 3 §27.3.1.3: the IDTR base must be canonical",           \
      EC_QUAL_DEFAULT)                                                                                        \
    X(gdtr_limit, "guest.gdtr.limit", "Vol. 3 §27.3.1.3: GDTR limit bits 31:16 must be 0", EC_QUAL_DEFAULT)  \
    X(idtr_limit, "guest.idtr.limit", "Vol. 3 §27.3.1.3: IDTR limit bits 31:16 must be 0", EC_QUAL_DEFAULT)  \
    /* §27.3.1.4 RIP and RFLAGS */                                                                           \
    X(rip_high, "guest.rip.high",                                                                            \
      "Vol. 3 §27.3.1.4: RIP bits 63:32 must be 0 if \"IA-32e mode guest\" is 0 or CS.L is 0",               \
      EC_QUAL_DEFAULT)                                                                                        \
    X(rip_width, "guest.rip.width",                                                                          \
      "Vol. 3 §27.3.1.4: IA-32e mode guest with CS.L = 1: RIP bits 63:N (N = linear-address width) identical", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(rflags_reserved, "guest.rflags.reserved", "Vol. 3 §27.3.1.4: RFLAGS bits 63:22, 15, 5 and 3 must be 0", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(rflags_bit1, "guest.rflags.bit1", "Vol. 3 §27.3.1.4: RFLAGS reserved bit 1 must be 1", EC_QUAL_DEFAULT) \
    X(rflags_vm_ia32e, "guest.rflags.vm.ia32e",                                                              \
      "Vol. 3 §27.3.1.4: RFLAGS.VM must be 0 if \"IA-32e mode guest\" is 1", EC_QUAL_DEFAULT)                \
    X(rflags_vm_pe, "guest.rflags.vm.real", "Vol. 3 §27.3.1.4: RFLAGS.VM must be 0 if CR0.PE is 0",          \
      EC_QUAL_DEFAULT)                                                                                        \
    X(rflags_if, "guest.rflags.if",                                                                          \
      "Vol. 3 §27.3.1.4: RFLAGS.IF must be 1 when injecting an external interrupt", EC_QUAL_DEFAULT)         \
    /* §27.3.1.5 non-register state: activity state */                                                       \
    X(activity_range, "guest.activity.range", "Vol. 3 §27.3.1.5: the activity state must be in the range 0-3", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(activity_supported, "guest.activity.supported",                                                        \
      "Vol. 3 §27.3.1.5: the activity state must be one IA32_VMX_MISC bits 8:6 report as supported",         \
      EC_QUAL_DEFAULT)                                                                                        \
    X(activity_hlt_dpl, "guest.activity.hlt_ss_dpl",                                                         \
      "Vol. 3 §27.3.1.5: the activity state must not be HLT if SS DPL is not 0", EC_QUAL_DEFAULT)            \
    X(activity_blocking, "guest.activity.blocking",                                                          \
      "Vol. 3 §27.3.1.5: the activity state must be active with blocking by STI or by MOV SS",               \
      EC_QUAL_DEFAULT)                                                                                        \
    X(activity_event_hlt, "guest.activity.event.hlt",                                                        \
      "Vol. 3 §27.3.1.5: HLT state: only external interrupt, NMI, #DB, #MC or pending MTF may be injected",   \
      EC_QUAL_DEFAULT)                                                                                        \
    X(activity_event_shutdown, "guest.activity.event.shutdown",                                              \
      "Vol. 3 §27.3.1.5: shutdown state: only NMI or #MC may be injected", EC_QUAL_DEFAULT)                  \
    X(activity_event_sipi, "guest.activity.event.wait_for_sipi",                                             \
      "Vol. 3 §27.3.1.5: wait-for-SIPI state: no event may be injected", EC_QUAL_DEFAULT)                    \
    /* interruptibility state */                                                                             \
    X(intr_reserved, "guest.interruptibility.reserved",                                                      \
      "Vol. 3 §27.3.1.5: interruptibility-state bits 31:5 must be 0", EC_QUAL_DEFAULT)                       \
    X(intr_sti_movss, "guest.interruptibility.sti_and_mov_ss",                                               \
      "Vol. 3 §27.3.1.5: blocking by STI and by MOV SS must not both be 1", EC_QUAL_DEFAULT)                 \
    X(intr_sti_if, "guest.interruptibility.sti_if",                                                          \
      "Vol. 3 §27.3.1.5: blocking by STI must be 0 if RFLAGS.IF is 0", EC_QUAL_DEFAULT)                      \
    X(intr_extint_sti, "guest.interruptibility.extint_sti",                                                  \
      "Vol. 3 §27.3.1.5: injecting an external interrupt: blocking by STI must be 0", EC_QUAL_DEFAULT)       \
    X(intr_extint_movss, "guest.interruptibility.extint_mov_ss",                                             \
      "Vol. 3 §27.3.1.5: injecting an external interrupt: blocking by MOV SS must be 0", EC_QUAL_DEFAULT)    \
    X(intr_nmi_movss, "guest.interruptibility.nmi_mov_ss",                                                   \
      "Vol. 3 §27.3.1.5: injecting an NMI: blocking by MOV SS must be 0", EC_QUAL_DEFAULT)                   \
    X(intr_smi, "guest.interruptibility.smi",                                                                \
      "Vol. 3 §27.3.1.5: blocking by SMI must be 0 outside SMM", EC_QUAL_DEFAULT)                            \
    X(intr_nmi_sti, "guest.interruptibility.nmi_sti",                                                        \
      "Vol. 3 §27.3.1.5: injecting an NMI: blocking by STI must be 0 (exit qualification 3)",                \
      EC_QUAL_NMI_INJECTION)                                                                                  \
    X(intr_vnmi, "guest.interruptibility.virtual_nmi",                                                       \
      "Vol. 3 §27.3.1.5: \"virtual NMIs\" and injecting an NMI: blocking by NMI must be 0", EC_QUAL_DEFAULT) \
    X(intr_enclave_sgx, "guest.interruptibility.enclave_sgx",                                                \
      "Vol. 3 §27.3.1.5: enclave interruption (bit 4) requires SGX (CPUID.(7,0):EBX[2])", EC_QUAL_DEFAULT)   \
    /* pending debug exceptions */                                                                           \
    X(pde_reserved, "guest.pending_dbg.reserved",                                                            \
      "Vol. 3 §27.3.1.5: pending debug exceptions bits 11:4, 13, 15 and 63:17 must be 0", EC_QUAL_DEFAULT)   \
    X(pde_bs_set, "guest.pending_dbg.bs_set",                                                                \
      "Vol. 3 §27.3.1.5: STI/MOV-SS blocking or HLT, RFLAGS.TF = 1, DEBUGCTL.BTF = 0: BS (bit 14) must be 1", \
      EC_QUAL_DEFAULT)                                                                                        \
    X(pde_bs_clear, "guest.pending_dbg.bs_clear",                                                            \
      "Vol. 3 §27.3.1.5: STI/MOV-SS blocking or HLT, RFLAGS.TF = 0 or DEBUGCTL.BTF = 1: BS must be 0",       \
      EC_QUAL_DEFAULT)                                                                                        \
    X(pde_rtm_supported, "guest.pending_dbg.rtm_supported",                                                  \
      "Vol. 3 §27.3.1.5: RTM (bit 16) set: the processor must support RTM (CPUID.(7,0):EBX[11])",            \
      EC_QUAL_DEFAULT)                                                                                        \
    /* VMCS link pointer (exit qualification 4) */                                                           \
    X(link_alignment, "guest.link_pointer.alignment",                                                        \
      "Vol. 3 §27.3.1.5: VMCS link pointer (if not all ones) bits 11:0 must be 0", EC_QUAL_LINK_POINTER)     \
    X(link_width, "guest.link_pointer.width",                                                                \
      "Vol. 3 §27.3.1.5: VMCS link pointer (if not all ones) must not set bits beyond the physical-address " \
      "width", EC_QUAL_LINK_POINTER)                                                                          \
    X(link_revision, "guest.link_pointer.revision",                                                          \
      "Vol. 3 §27.3.1.5: the VMCS the link pointer names must hold the VMCS revision identifier in bits 30:0", \
      EC_QUAL_LINK_POINTER)                                                                                   \
    X(link_shadow, "guest.link_pointer.shadow",                                                              \
      "Vol. 3 §27.3.1.5: bit 31 of that VMCS must equal the \"VMCS shadowing\" control", EC_QUAL_LINK_POINTER) \
    X(uinv, "guest.uinv.reserved", "Vol. 3 §27.3.1.5: with \"load UINV\", guest UINV bits 15:8 must be 0",   \
      EC_QUAL_DEFAULT)                                                                                        \
    /* §27.3.1.6 PDPTEs (exit qualification 2) */                                                            \
    X(pdpte_fields, "guest.pdpte.fields",                                                                    \
      "Vol. 3 §27.3.1.6: PAE paging with EPT: each present PDPTE field must have bits 2:1, 8:5 and 63:MAXPHYADDR 0", \
      EC_QUAL_PDPTE)                                                                                          \
    X(pdpte_memory, "guest.pdpte.memory",                                                                    \
      "Vol. 3 §27.3.1.6: PAE paging without EPT: each present PDPTE at CR3 must have bits 2:1, 8:5 and "     \
      "63:MAXPHYADDR 0", EC_QUAL_PDPTE)

#define EC_GUEST_DECLARE(fn, name, sdm, qual) bool ec_guest_##fn(const struct ec_ctx *c, uint64_t *detail);
EC_GUEST_RULES(EC_GUEST_DECLARE)
#undef EC_GUEST_DECLARE

/* Definition of a rule's predicate: EC_GUEST_RULE(cr0_fixed0) { ... return ok; } (no guest rule reports a
 * detail). */
#define EC_GUEST_RULE(fn) bool ec_guest_##fn(const struct ec_ctx *c, uint64_t *detail __attribute__((unused)))

#endif
