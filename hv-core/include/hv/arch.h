/* The seam: the few operations hv-core needs from the processor (DESIGN §2).
 *
 * hv-core/src is built twice from the same sources and linked against one of two implementations of this
 * header: hv-core/platform (the real VMX instructions, bootable build) or harness/sim (a software model of
 * them). Nothing else in hv-core touches the CPU, so everything else is testable on the sim.
 *
 * Every operation takes the logical processor it runs on. On hardware that is the current CPU; the sim
 * models any number of them, so there is no hidden "current CPU" state anywhere.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One logical processor, as the backend knows it. Opaque to the core. */
struct hv_arch_cpu;

typedef uint64_t hv_paddr_t;

/* The outcome of a VMX instruction (SDM Vol. 3 §31.2 "Conventions"):
 *   VMsucceed      CF = ZF = 0
 *   VMfailInvalid  CF = 1 (no current VMCS to hold an error number)
 *   VMfailValid    ZF = 1, the VM-instruction error field holds the error number (§31.4) */
enum hv_vmx_status {
    HV_VMSUCCEED = 0,
    HV_VMFAIL_INVALID = 1,
    HV_VMFAIL_VALID = 2,
};

struct hv_vmx_result {
    enum hv_vmx_status status;
    uint32_t error; /* VM-instruction error number when status == HV_VMFAIL_VALID, else 0 */
};

/* Guest general-purpose registers: those the VMCS does not hold (RSP and RIP live in the VMCS guest-state
 * area, SDM Vol. 3 §25.4.1), saved on VM exit and loaded on VM entry by the enter-guest routine. */
struct hv_guest_gprs {
    uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t cr2; /* not switched by VMX: the enter routine loads and saves it (SDM Vol. 3 §28.3) */
};

/* VMX instructions (SDM Vol. 3 Chapter 31). */
struct hv_vmx_result hv_arch_vmxon(struct hv_arch_cpu *cpu, hv_paddr_t vmxon_region);
struct hv_vmx_result hv_arch_vmxoff(struct hv_arch_cpu *cpu);
struct hv_vmx_result hv_arch_vmclear(struct hv_arch_cpu *cpu, hv_paddr_t vmcs);
struct hv_vmx_result hv_arch_vmptrld(struct hv_arch_cpu *cpu, hv_paddr_t vmcs);
struct hv_vmx_result hv_arch_vmptrst(struct hv_arch_cpu *cpu, hv_paddr_t *vmcs);
struct hv_vmx_result hv_arch_vmread(struct hv_arch_cpu *cpu, uint64_t encoding, uint64_t *value);
struct hv_vmx_result hv_arch_vmwrite(struct hv_arch_cpu *cpu, uint64_t encoding, uint64_t value);

/* INVEPT / INVVPID descriptors (SDM Vol. 3 §31.3, Figures 31-1 and 31-2). */
struct hv_invept_desc {
    uint64_t eptp;
    uint64_t reserved; /* must be 0 */
};
struct hv_invvpid_desc {
    uint64_t vpid; /* bits 15:0 VPID, bits 63:16 reserved (0) */
    uint64_t linear_address;
};
struct hv_vmx_result hv_arch_invept(struct hv_arch_cpu *cpu, uint64_t type, const struct hv_invept_desc *desc);
struct hv_vmx_result hv_arch_invvpid(struct hv_arch_cpu *cpu, uint64_t type, const struct hv_invvpid_desc *desc);

/* VMLAUNCH (launch = true) or VMRESUME of the current VMCS with the given guest GPRs. On VMsucceed a VM exit
 * has happened (possibly a VM-entry failure exit, SDM Vol. 3 §27.8): gprs holds the guest's registers and
 * the exit is read from the VMCS. On VMfail nothing ran. */
struct hv_vmx_result hv_arch_vmenter(struct hv_arch_cpu *cpu, bool launch, struct hv_guest_gprs *gprs);

/* Non-VMX processor state. */
struct hv_cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};
void hv_arch_cpuid(struct hv_arch_cpu *cpu, uint32_t leaf, uint32_t subleaf, struct hv_cpuid_regs *out);
/* false when the access would raise #GP (unknown MSR, reserved bits). */
bool hv_arch_rdmsr(struct hv_arch_cpu *cpu, uint32_t msr, uint64_t *value);
bool hv_arch_wrmsr(struct hv_arch_cpu *cpu, uint32_t msr, uint64_t value);
uint64_t hv_arch_read_cr0(struct hv_arch_cpu *cpu);
uint64_t hv_arch_read_cr3(struct hv_arch_cpu *cpu);
uint64_t hv_arch_read_cr4(struct hv_arch_cpu *cpu);
void hv_arch_write_cr0(struct hv_arch_cpu *cpu, uint64_t value);
void hv_arch_write_cr4(struct hv_arch_cpu *cpu, uint64_t value);

/* The host's segment and descriptor-table state, which the VMCS host-state area must repeat so that a VM
 * exit returns to the same host (SDM Vol. 3 §25.5, §28.5.2). Selectors as loaded (RPL and TI 0 for VM entry,
 * §27.2.3); bases as the host uses them (FS/GS bases from IA32_FS_BASE/IA32_GS_BASE in 64-bit mode). The
 * SYSENTER MSRs, IA32_EFER and IA32_PAT are read with hv_arch_rdmsr. */
struct hv_host_state {
    uint16_t cs, ss, ds, es, fs, gs, tr;
    uint64_t fs_base, gs_base, tr_base, gdtr_base, idtr_base;
};
void hv_arch_read_host_state(struct hv_arch_cpu *cpu, struct hv_host_state *out);

/* Host physical pages (4 KiB). hv_arch_page_alloc returns a zeroed page, or 0 when none is left. */
hv_paddr_t hv_arch_page_alloc(struct hv_arch_cpu *cpu);
void hv_arch_page_free(struct hv_arch_cpu *cpu, hv_paddr_t page);
/* The host's mapping of a physical address it handed out; NULL for one it did not. */
void *hv_arch_phys_to_virt(struct hv_arch_cpu *cpu, hv_paddr_t pa);

/* A monotonic clock in nanoseconds (never goes back; its zero is arbitrary). The devices' time base: the PIT
 * derives its counts and IRQ 0 from it. On hardware a calibrated TSC or similar; in the sim a virtual clock
 * that moves only when the harness advances it (harness/sim/sim_time.h), so runs are deterministic. */
uint64_t hv_arch_time_ns(struct hv_arch_cpu *cpu);

/* One line of log text (no newline) to the backend's console or log. */
void hv_arch_log(struct hv_arch_cpu *cpu, const char *line);

#endif
