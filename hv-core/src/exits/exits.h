/* The exit handlers, one file per exit class (hv-core/src/exits/), and what they share. Only exit.c's table
 * and the handlers' own files use this header. */
#ifndef HV_EXITS_H
#define HV_EXITS_H

#include "../core.h"

typedef enum hv_exit_action (*hv_exit_handler)(struct hv_vm *vm, const struct hv_exit *e);

/* cpuid.c */
enum hv_exit_action hv_exit_cpuid(struct hv_vm *vm, const struct hv_exit *e);
/* hlt.c */
enum hv_exit_action hv_exit_hlt(struct hv_vm *vm, const struct hv_exit *e);
/* io.c */
enum hv_exit_action hv_exit_io(struct hv_vm *vm, const struct hv_exit *e);
/* msr.c */
enum hv_exit_action hv_exit_rdmsr(struct hv_vm *vm, const struct hv_exit *e);
enum hv_exit_action hv_exit_wrmsr(struct hv_vm *vm, const struct hv_exit *e);
/* cr.c */
enum hv_exit_action hv_exit_cr_access(struct hv_vm *vm, const struct hv_exit *e);
/* The guest's view of CR0/CR4: host-owned bits (set in the guest/host mask) read from the read shadow,
 * the rest from the guest field (SDM Vol. 3 §25.6.6). */
uint64_t hv_guest_cr0_view(struct hv_vm *vm);
uint64_t hv_guest_cr4_view(struct hv_vm *vm);
/* CR4.OSXSAVE (SDM Vol. 3 §2.5) */
#define CR4_OSXSAVE (1ull << 18)
/* Whether the guest is in 64-bit mode: IA-32e mode guest and CS.L = 1 (SDM Vol. 3 §2.2). */
bool hv_guest_in_64bit_mode(struct hv_vm *vm);
/* The guest's current privilege level: SS.DPL (SDM Vol. 3 §5.5; the VMCS keeps SS's access rights). */
unsigned hv_guest_cpl(struct hv_vm *vm);

/* vmx_insn.c: VMCALL is the hypercall; every other VMX instruction the guest executes gets #UD. */
enum hv_exit_action hv_exit_vmcall(struct hv_vm *vm, const struct hv_exit *e);
enum hv_exit_action hv_exit_vmx_insn(struct hv_vm *vm, const struct hv_exit *e);
/* interrupt.c */
enum hv_exit_action hv_exit_exception_nmi(struct hv_vm *vm, const struct hv_exit *e);
enum hv_exit_action hv_exit_external_interrupt(struct hv_vm *vm, const struct hv_exit *e);
enum hv_exit_action hv_exit_triple_fault(struct hv_vm *vm, const struct hv_exit *e);
enum hv_exit_action hv_exit_preemption_timer(struct hv_vm *vm, const struct hv_exit *e);
/* ept.c: EPT violation (48) and EPT misconfiguration (49), SDM Vol. 3 §29.3.3 */
enum hv_exit_action hv_exit_ept_violation(struct hv_vm *vm, const struct hv_exit *e);
enum hv_exit_action hv_exit_ept_misconfig(struct hv_vm *vm, const struct hv_exit *e);
/* xsetbv.c */
enum hv_exit_action hv_exit_xsetbv(struct hv_vm *vm, const struct hv_exit *e);
/* cache.c */
enum hv_exit_action hv_exit_invd(struct hv_vm *vm, const struct hv_exit *e);
enum hv_exit_action hv_exit_wbinvd(struct hv_vm *vm, const struct hv_exit *e);
/* tsc.c */
enum hv_exit_action hv_exit_rdtsc(struct hv_vm *vm, const struct hv_exit *e);
enum hv_exit_action hv_exit_rdtscp(struct hv_vm *vm, const struct hv_exit *e);
/* The guest's virtual TSC: the host TSC (IA32_TIME_STAMP_COUNTER through arch.h) plus the VMCS TSC offset
 * when "use TSC offsetting" is on (SDM Vol. 3 §26.3 "Changes to Instruction Behavior in VMX Non-Root
 * Operation", RDTSC). */
uint64_t hv_guest_tsc(struct hv_vm *vm);

/* hypercall.c: the hypercall ABI behind VMCALL (hv/hypercall.h). Sets RAX; returns what the run does. */
enum hv_exit_action hv_hypercall(struct hv_vm *vm);

/* port_bus.c: the VM's I/O ports. Returns the handler's value, or all ones of the access size for an
 * unclaimed port (counted in vm->stats.unclaimed_port_in). */
uint32_t hv_port_in(struct hv_vm *vm, uint16_t port, unsigned size);
/* Delivers to the claiming range; an unclaimed OUT is dropped and counted (vm->stats.unclaimed_port_out). */
void hv_port_out(struct hv_vm *vm, uint16_t port, unsigned size, uint32_t value);

/* msr_virt.c: the RDMSR/WRMSR policy. Return false when the access must raise #GP(0). */
bool hv_msr_read(struct hv_vm *vm, uint32_t msr, uint64_t *value);
bool hv_msr_write(struct hv_vm *vm, uint32_t msr, uint64_t value);

/* The guest-physical / linear address width of the processor (CPUID.80000008H:EAX[7:0] / [15:8]). */
unsigned hv_cpu_addr_width(struct hv_vm *vm, bool linear);
bool hv_guest_canonical(struct hv_vm *vm, uint64_t addr);
/* The guest value slot of msr in the VM's MSR-switch area (SDM Vol. 3 §25.7.2), or NULL. */
uint64_t *hv_msr_area_slot(struct hv_vm *vm, uint32_t msr);
/* Store the guest's IA32_EFER where VM entry loads it from (VMCS field or MSR area); no checks. */
void hv_guest_efer_store(struct hv_vm *vm, uint64_t efer);

/* inject.c: any event through the VM-entry interruption-information field (SDM Vol. 3 §25.8.3): info is
 * the field's format (vector, type, deliver-error-code, valid); instr_len is written to the VM-entry
 * instruction-length field for software interrupts and software/privileged-software exceptions (types 4, 5,
 * 6; SDM Vol. 3 §25.8.3, §27.6.1.1), ignored otherwise. */
void hv_inject_event(struct hv_vm *vm, uint32_t info, uint32_t error_code, uint32_t instr_len);
/* Whether a hardware exception with this vector pushes an error code (SDM Vol. 3 §6.3.1 Table 6-1 and
 * §27.2.1.3: vectors 8, 10-14, 17, 21). */
bool hv_exception_has_error_code(uint8_t vector);

/* Guest general-purpose register by the SDM's 4-bit register number (0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP,
 * 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15; SDM Vol. 3 §28.2.1 Table 28-3). RSP lives in the VMCS. */
uint64_t hv_guest_gpr_get(struct hv_vm *vm, unsigned reg);
void hv_guest_gpr_set(struct hv_vm *vm, unsigned reg, uint64_t value);

#endif
