/* What the files of hv-core/platform/vmx/ share: the outcome of a VMX instruction read from RFLAGS, the
 * enter-guest routine in vmx_enter.S, and small helpers for instructions with no C equivalent. Not for the
 * core (it sees only hv/arch.h) and not for main/ except the exit label (hvkit_vmx_exit). */
#ifndef HVKIT_VMX_INTERNAL_H
#define HVKIT_VMX_INTERNAL_H

#include <hv/arch.h>
#include <platform/platform.h>
#include <stdbool.h>
#include <stdint.h>

/* VMCS encodings the platform uses itself (SDM Vol. 3 Appendix B). */
#define VMX_FIELD_VM_INSTRUCTION_ERROR 0x4400u /* B.3.2 32-bit read-only data field */

/* The SDM outcome of a VMX instruction from CF and ZF (SDM Vol. 3 §31.2): CF = 1 VMfailInvalid; ZF = 1
 * VMfailValid, whose error number is in the current VMCS (VMREAD of field 0x4400, §31.4). */
struct hv_vmx_result vmx_outcome(struct hv_arch_cpu *cpu, bool cf, bool zf);

/* vmx_enter.S. Loads the guest GPRs and CR2 from gprs, sets HOST_RSP/HOST_RIP, then VMLAUNCH (launch != 0)
 * or VMRESUME. Returns 0 after a VM exit (guest GPRs and CR2 saved back into gprs), 1 on VMfailInvalid,
 * 2 on VMfailValid, 3 if the instruction fell through with neither flag (the SDM allows no such outcome). */
int hvkit_vmx_enter(struct hv_guest_gprs *gprs, int launch);
/* The VM-exit landing point inside vmx_enter.S (what HOST_RIP holds). */
void hvkit_vmx_exit(void);

/* Descriptor-table registers as SGDT/SIDT store them in 64-bit mode (SDM Vol. 2B SGDT: 2-byte limit, 8-byte
 * base). */
struct __attribute__((packed)) vmx_dtr {
    uint16_t limit;
    uint64_t base;
};
static inline void vmx_sgdt(struct vmx_dtr *d)
{
    __asm__ __volatile__("sgdt %0" : "=m"(*d));
}
static inline void vmx_sidt(struct vmx_dtr *d)
{
    __asm__ __volatile__("sidt %0" : "=m"(*d));
}

/* CPUID without the allow-list logic of msr_access.c (cpu_ops.c). */
void vmx_cpuid_raw(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* Whether RDMSR of msr exists on this processor by the SDM's enumeration (msr_access.c). */
bool vmx_msr_exists(uint32_t msr);

#endif
