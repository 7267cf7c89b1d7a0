/* The sim's model-specific registers: which MSRs the simulated processor implements, and which values a
 * WRMSR at CPL 0 accepts (SDM Vol. 2 WRMSR, Vol. 4 Chapter 2). Used by the VM-entry MSR-loading checks
 * (SDM Vol. 3 §27.4: an entry fails when "an attempt to write bits 127:64 to the MSR indexed by bits 31:0 of
 * the entry would cause a general-protection exception if executed via WRMSR with CPL = 0") and by the
 * host-state checks; the core's guest WRMSR emulation reuses it.
 *
 * The set of MSRs is deliberately small and documented in sim_msr.c: an MSR outside it does not exist on the
 * simulated processor, so WRMSR to it is #GP. Everything here is stateless (depends on the profile and the
 * value only) except sim_msr_efer_write_allowed_in(), which also needs the CR0/EFER state of the moment. */
#ifndef SIM_MSR_H
#define SIM_MSR_H

#include "sim_profile.h"

#include <hv/msr.h>
#include <hv/x86.h>
#include <stdbool.h>
#include <stdint.h>

/* Whether addr is canonical on the profile's processor: bits 63:N-1 all equal, N = its linear-address width
 * (CPUID.80000008H:EAX[15:8]; 48, or 57 with 5-level paging). Checks at VM entry and on WRMSR use the
 * processor's maximum width whatever CR4.LA57 is. A profile that leaves the width 0 is treated as 48. */
bool sim_canonical(const struct sim_profile *p, uint64_t addr);

/* IA32_EFER bits that may be 1 (the others are reserved: WRMSR #GP, VM-entry checks fail). */
uint64_t sim_msr_efer_valid_bits(const struct sim_profile *p);

/* IA32_PERF_GLOBAL_CTRL bits that may be 1: one enable per general-purpose counter (bits N-1:0, N =
 * CPUID.0AH:EAX[15:8]) and per fixed counter (bits 32+M-1:32, M = CPUID.0AH:EDX[4:0], architectural
 * performance monitoring version > 1). 0 when the processor has no architectural performance monitoring. */
uint64_t sim_msr_perf_global_ctrl_valid_bits(const struct sim_profile *p);

/* IA32_PAT: each of the 8 entries (bits 8i+7:8i) one of UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7 (SDM Vol. 3
 * §13.12.2; WRMSR #GP otherwise). */
bool sim_msr_pat_valid(uint64_t pat);

/* Whether the profile's processor implements msr at all (RDMSR/WRMSR of any value would not #GP for lack of
 * the register). */
bool sim_msr_implemented(const struct sim_profile *p, uint32_t msr);

/* Whether WRMSR(msr, value) at CPL 0 succeeds on the profile's processor, as far as the register and the value
 * decide it: false for an MSR the processor does not implement (or cannot write outside SMM), reserved bits set,
 * a non-canonical address in an address MSR, an invalid memory type. The one state-dependent fault, changing
 * EFER.LME while CR0.PG = 1, is sim_msr_efer_write_allowed_in(). */
bool sim_msr_write_allowed(const struct sim_profile *p, uint32_t msr, uint64_t value);
/* The value half of sim_msr_write_allowed, for an msr sim_msr_implemented() accepts (callers that have
 * asked that already need not ask again). */
bool sim_msr_value_allowed(const struct sim_profile *p, uint32_t msr, uint64_t value);
/* The state half of sim_msr_efer_write_allowed_in: false when value changes EFER.LME while CR0.PG = 1. */
bool sim_msr_efer_lme_change_allowed(uint64_t cr0, uint64_t cur_efer, uint64_t value);

/* WRMSR(IA32_EFER, value) with the processor's CR0 and current EFER: sim_msr_write_allowed() and, while
 * CR0.PG = 1, EFER.LME unchanged (SDM Vol. 3 §10.8.5 / Vol. 2 WRMSR: #GP). EFER.LMA is read-only: the value's
 * bit 10 is ignored (LMA keeps its current value). */
bool sim_msr_efer_write_allowed_in(const struct sim_profile *p, uint64_t cr0, uint64_t cur_efer, uint64_t value);

#endif
