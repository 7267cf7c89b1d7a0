/* The VMX instructions of the simulated processor (SDM Vol. 3 Chapter 31, "VMX Instruction Reference").
 *
 * Each function follows the instruction's "Operation" pseudocode in order. The model's processor always
 * executes them at CPL 0 in 64-bit mode, outside SMX, not in virtual-8086 mode and in VMX root operation when
 * in VMX operation (the sim has no VMX non-root execution of its own yet), so the pseudocode branches on
 * those conditions are fixed; the rest are evaluated. Faults are reported as sim_machine.h describes.
 *
 * The hv_arch_* functions of arch.h (sim_arch.c) delegate here one to one.
 */
#ifndef SIM_VMX_H
#define SIM_VMX_H

#include "sim_machine.h"

struct hv_vmx_result sim_vmx_vmxon(struct hv_arch_cpu *cpu, hv_paddr_t vmxon_region);
struct hv_vmx_result sim_vmx_vmxoff(struct hv_arch_cpu *cpu);
struct hv_vmx_result sim_vmx_vmclear(struct hv_arch_cpu *cpu, hv_paddr_t vmcs);
struct hv_vmx_result sim_vmx_vmptrld(struct hv_arch_cpu *cpu, hv_paddr_t vmcs);
struct hv_vmx_result sim_vmx_vmptrst(struct hv_arch_cpu *cpu, hv_paddr_t *vmcs);
struct hv_vmx_result sim_vmx_vmread(struct hv_arch_cpu *cpu, uint64_t encoding, uint64_t *value);
struct hv_vmx_result sim_vmx_vmwrite(struct hv_arch_cpu *cpu, uint64_t encoding, uint64_t value);
struct hv_vmx_result sim_vmx_invept(struct hv_arch_cpu *cpu, uint64_t type, const struct hv_invept_desc *desc);
struct hv_vmx_result sim_vmx_invvpid(struct hv_arch_cpu *cpu, uint64_t type, const struct hv_invvpid_desc *desc);

/* VMLAUNCH / VMRESUME up to the point where the guest would run (SDM Vol. 3 §31.3 and §27.1-27.4). */
enum sim_entry_kind {
    SIM_ENTRY_NOT_ENTERED, /* fault or VMfail: nothing happened but the flags (and the error field) */
    SIM_ENTRY_FAILED,      /* VM-entry failure (§27.8): the exit is already written, host state loaded */
    SIM_ENTRY_ENTERED,     /* the guest runs now: call sim_vmx_vmexit() when it exits */
};
struct sim_entry {
    struct hv_vmx_result result; /* VMsucceed for SIM_ENTRY_FAILED and SIM_ENTRY_ENTERED */
    enum sim_entry_kind kind;
};
struct sim_entry sim_vmx_vmentry(struct hv_arch_cpu *cpu, bool launch);

/* A VM exit from the current VMCS's guest (SDM Vol. 3 §28.2 exit information, §28.5 host state). */
void sim_vmx_vmexit(struct hv_arch_cpu *cpu, const struct sim_exit *exit);
/* The host-state part of a VM exit (§28.5), shared with VM-entry failures (§27.8). */
void sim_vmx_vmexit_load_host(struct hv_arch_cpu *cpu, const uint64_t *fields);

/* INVEPT single-context: "VM entry with the 'enable EPT' VM-execution control set to 1 would fail due to the
 * EPTP value" (SDM Vol. 3 §31.3 INVEPT, §27.2.1.1). NULL when eptp is valid, else the name of the VM-entry
 * rule it breaks. */
const char *sim_eptp_invalid(struct sim_machine *m, uint64_t eptp);

/* For sim_vmx*.c: the common prologue and the SDM's result conventions (§31.2). */
bool sim_vmx_begin(struct hv_arch_cpu *cpu, enum sim_insn insn, struct hv_vmx_result *injected);
struct hv_vmx_result sim_vmx_succeed(void);
struct hv_vmx_result sim_vmx_fail_invalid(void);
/* VMfail(ErrorNumber): VMfailValid(ErrorNumber) with the error stored in the current VMCS when there is one,
 * else VMfailInvalid (§31.2). */
struct hv_vmx_result sim_vmx_fail(struct hv_arch_cpu *cpu, uint32_t error);
/* Raise #UD / #GP(0): record the fault and return the fault result (VMfailInvalid, error 0). */
struct hv_vmx_result sim_vmx_fault(struct hv_arch_cpu *cpu, enum sim_insn insn, uint8_t vector,
                                   const char *reason);
/* The #UD conditions every VMX instruction but VMXON starts with: "not in VMX operation or CR0.PE = 0 or
 * RFLAGS.VM = 1 or (IA32_EFER.LMA = 1 and CS.L = 0)". Returns true (fault raised) when one holds. */
bool sim_vmx_ud_check(struct hv_arch_cpu *cpu, enum sim_insn insn, struct hv_vmx_result *r);
/* Whether CR0/CR4 hold values supported in VMX operation (§24.8, IA32_VMX_CR0/CR4_FIXED0/1, §A.7, §A.8). */
bool sim_cr0_ok_for_vmx(const struct sim_profile *p, uint64_t cr0);
bool sim_cr4_ok_for_vmx(const struct sim_profile *p, uint64_t cr4);

#endif
