/* Exit dispatch: one table indexed by basic exit reason (SDM Vol. 3 Appendix C, Table C-1). A reason the
 * table leaves empty, or a number beyond it, kills the VM with "unexpected exit <SDM name> (<number>)":
 * the core does not enable the controls that cause those exits, so one arriving means the "hardware" (or
 * a hostile sim scenario) reported something the core never asked for, and resuming would be guesswork. */
#include "devices/devices.h" /* exits/window.c handlers */
#include "exits/exits.h"

#include <hv/exit_reasons.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

static const hv_exit_handler table[HV_EXIT_REASON_LIMIT] = {
    [HV_EXIT_EXCEPTION_NMI] = hv_exit_exception_nmi,
    [HV_EXIT_EXTERNAL_INTERRUPT] = hv_exit_external_interrupt,
    [HV_EXIT_TRIPLE_FAULT] = hv_exit_triple_fault,
    [HV_EXIT_INTERRUPT_WINDOW] = hv_exit_interrupt_window,
    [HV_EXIT_NMI_WINDOW] = hv_exit_nmi_window,
    [HV_EXIT_CPUID] = hv_exit_cpuid,
    [HV_EXIT_HLT] = hv_exit_hlt,
    [HV_EXIT_INVD] = hv_exit_invd,
    [HV_EXIT_RDTSC] = hv_exit_rdtsc,
    [HV_EXIT_VMCALL] = hv_exit_vmcall,
    [HV_EXIT_VMCLEAR] = hv_exit_vmx_insn,
    [HV_EXIT_VMLAUNCH] = hv_exit_vmx_insn,
    [HV_EXIT_VMPTRLD] = hv_exit_vmx_insn,
    [HV_EXIT_VMPTRST] = hv_exit_vmx_insn,
    [HV_EXIT_VMREAD] = hv_exit_vmx_insn,
    [HV_EXIT_VMRESUME] = hv_exit_vmx_insn,
    [HV_EXIT_VMWRITE] = hv_exit_vmx_insn,
    [HV_EXIT_VMXOFF] = hv_exit_vmx_insn,
    [HV_EXIT_VMXON] = hv_exit_vmx_insn,
    [HV_EXIT_CR_ACCESS] = hv_exit_cr_access,
    [HV_EXIT_IO_INSTRUCTION] = hv_exit_io,
    [HV_EXIT_RDMSR] = hv_exit_rdmsr,
    [HV_EXIT_WRMSR] = hv_exit_wrmsr,
    [HV_EXIT_EPT_VIOLATION] = hv_exit_ept_violation,
    [HV_EXIT_EPT_MISCONFIG] = hv_exit_ept_misconfig,
    [HV_EXIT_INVEPT] = hv_exit_vmx_insn,
    [HV_EXIT_RDTSCP] = hv_exit_rdtscp,
    [HV_EXIT_PREEMPTION_TIMER] = hv_exit_preemption_timer,
    [HV_EXIT_INVVPID] = hv_exit_vmx_insn,
    [HV_EXIT_WBINVD] = hv_exit_wbinvd,
    [HV_EXIT_XSETBV] = hv_exit_xsetbv,
    [HV_EXIT_VMFUNC] = hv_exit_vmx_insn,
};

enum hv_exit_action hv_exit_dispatch(struct hv_vm *vm, const struct hv_exit *e)
{
    hv_exit_handler h = e->basic < HV_EXIT_REASON_LIMIT ? table[e->basic] : (hv_exit_handler)0;
    if (!h) {
        const char *name = hv_exit_reason_name(e->basic);
        return hv_vm_kill(vm, "unexpected exit %s (%u)", name ? name : "not defined by SDM Vol. 3 Appendix C",
                          e->basic);
    }
    /* No need to clear the VM-entry interruption-information field here: every VM exit clears its valid bit
     * (SDM Vol. 3 §28.2), so an event is injected only by the handler of this exit. */
    return h(vm, e);
}

/* The VM-exit instruction length is 1..15 for every exit the core emulates (SDM Vol. 3 §28.2.5; an x86
 * instruction is at most 15 bytes, Vol. 2 §2.3.11). Anything else is a hostile or broken report: moving RIP
 * by it would resume the guest mid-instruction, so the VM dies instead. */
void hv_guest_advance_rip(struct hv_vm *vm, const struct hv_exit *e)
{
    if (e->instr_len < 1 || e->instr_len > 15) {
        hv_vm_kill(vm, "exit %u reported VM-exit instruction length %u (must be 1..15, SDM Vol. 3 §28.2.5)",
                   e->basic, e->instr_len);
        return;
    }
    uint64_t rip = hv_vmread(vm, VMCS_GUEST_RIP) + e->instr_len;
    /* Outside 64-bit mode (CS.L = 0, or not an IA-32e guest) EIP wraps at 4 GiB (SDM Vol. 1 §3.5). */
    uint32_t cs_ar = (uint32_t)hv_vmread(vm, VMCS_GUEST_CS_AR_BYTES);
    if (!((vm->entry_ctls & ENTRY_IA32E_MODE_GUEST) && (cs_ar & AR_L)))
        rip &= 0xffffffffull;
    hv_vmwrite(vm, VMCS_GUEST_RIP, rip);

    /* Retiring an instruction ends blocking by STI and by MOV SS (SDM Vol. 3 §25.4.2 Table 25-3: blocking
     * lasts until the instruction after STI / MOV SS completes). */
    uint32_t intr = (uint32_t)hv_vmread(vm, VMCS_GUEST_INTERRUPTIBILITY_STATE);
    if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
        hv_vmwrite(vm, VMCS_GUEST_INTERRUPTIBILITY_STATE,
                   intr & ~(uint32_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));

    /* With RFLAGS.TF = 1 (and IA32_DEBUGCTL.BTF = 0: then only branches trap, and no emulated instruction
     * here is a branch) the emulated instruction must end in a single-step #DB, as executing it would have:
     * mark it as a pending debug exception (BS, SDM Vol. 3 §25.4.2 Table 25-4), delivered on VM entry. */
    if ((hv_vmread(vm, VMCS_GUEST_RFLAGS) & RFLAGS_TF) && !(hv_vmread(vm, VMCS_GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF)) {
        uint64_t pend = hv_vmread(vm, VMCS_GUEST_PENDING_DBG_EXCEPTIONS);
        hv_vmwrite(vm, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, pend | PENDING_DBG_BS);
    }
}

uint64_t hv_guest_gpr_get(struct hv_vm *vm, unsigned reg)
{
    struct hv_guest_gprs *g = &vm->gprs;
    switch (reg & 15u) {
    case 0: return g->rax;
    case 1: return g->rcx;
    case 2: return g->rdx;
    case 3: return g->rbx;
    case 4: return hv_vmread(vm, VMCS_GUEST_RSP); /* RSP is in the guest-state area (SDM Vol. 3 §25.4.1) */
    case 5: return g->rbp;
    case 6: return g->rsi;
    case 7: return g->rdi;
    case 8: return g->r8;
    case 9: return g->r9;
    case 10: return g->r10;
    case 11: return g->r11;
    case 12: return g->r12;
    case 13: return g->r13;
    case 14: return g->r14;
    default: return g->r15;
    }
}

void hv_guest_gpr_set(struct hv_vm *vm, unsigned reg, uint64_t value)
{
    struct hv_guest_gprs *g = &vm->gprs;
    switch (reg & 15u) {
    case 0: g->rax = value; break;
    case 1: g->rcx = value; break;
    case 2: g->rdx = value; break;
    case 3: g->rbx = value; break;
    case 4: hv_vmwrite(vm, VMCS_GUEST_RSP, value); break;
    case 5: g->rbp = value; break;
    case 6: g->rsi = value; break;
    case 7: g->rdi = value; break;
    case 8: g->r8 = value; break;
    case 9: g->r9 = value; break;
    case 10: g->r10 = value; break;
    case 11: g->r11 = value; break;
    case 12: g->r12 = value; break;
    case 13: g->r13 = value; break;
    case 14: g->r14 = value; break;
    default: g->r15 = value; break;
    }
}
