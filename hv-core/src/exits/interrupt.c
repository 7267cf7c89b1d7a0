/* Events that are not instructions: exception or NMI (0), external interrupt (1), triple fault (2), and the
 * VMX-preemption timer (52). None of them retires a guest instruction, so none moves RIP. */
#include "exits.h"

#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

#define VEC_MC 18u
/* VM-exit interruption information bit 12: "NMI unblocking due to IRET" (SDM Vol. 3 §28.2.2). */
#define EXIT_INTR_NMI_UNBLOCKING (1u << 12)

/* External interrupt: the host's interrupt, not the guest's (SDM Vol. 3 §26.2, "external-interrupt
 * exiting"). With "acknowledge interrupt on exit" the vector is in the VM-exit interruption information
 * (SDM Vol. 3 §28.2.2); otherwise it stays pending and the host takes it when it enables interrupts.
 * Either way the core counts it and resumes the guest. */
enum hv_exit_action hv_exit_external_interrupt(struct hv_vm *vm, const struct hv_exit *e)
{
    (void)e;
    vm->stats.external_interrupts++;
    return HV_EXIT_RESUME;
}

/* Exception or NMI (SDM Vol. 3 §26.2: an exception whose bit is set in the exception bitmap, or an NMI with
 * "NMI exiting"). The VM-exit interruption information says which (SDM Vol. 3 §28.2.2):
 *   - NMI (type 2): the host's NMI; resume.
 *   - #MC (vector 18): a machine check is the host's problem, not the guest's: the VM is killed.
 *   - any other hardware exception (type 3) or software exception (types 5, 6): reflected into the guest —
 *     re-injected with the same vector, type and error code (SDM Vol. 3 §27.6; software exceptions with the
 *     VM-exit instruction length, §28.2.5). #PF first puts the faulting address (the exit qualification,
 *     §28.2.1) in CR2, which the intercepted #PF did not write (§28.1). If the exception happened while
 *     delivering another event (IDT-vectoring information valid, §28.2.4), that event is re-injected first
 *     and inject.c combines the two as the processor would (#DF, or triple fault -> kill).
 *   - NMI unblocking due to IRET (bit 12) without IDT vectoring: the IRET had already unblocked NMIs, which
 *     the exit re-blocked; set "blocking by NMI" again (SDM Vol. 3 §28.2.3). */
enum hv_exit_action hv_exit_exception_nmi(struct hv_vm *vm, const struct hv_exit *e)
{
    uint32_t info = (uint32_t)hv_vmread(vm, VMCS_VM_EXIT_INTERRUPTION_INFO);
    if (vm->dead)
        return HV_EXIT_KILL;
    if (!(info & INTR_INFO_VALID))
        return hv_vm_kill(vm, "exception or NMI exit without valid VM-exit interruption information (0x%x, "
                              "SDM Vol. 3 §28.2.2)", info);
    uint32_t type = INTR_INFO_TYPE(info), vector = INTR_INFO_VECTOR(info);
    if (type == INTR_TYPE_NMI)
        return HV_EXIT_RESUME;
    if (type != INTR_TYPE_HW_EXCEPTION && type != INTR_TYPE_SW_EXCEPTION && type != INTR_TYPE_PRIV_SW_EXCEPTION)
        return hv_vm_kill(vm, "exception or NMI exit with interruption type %u (SDM Vol. 3 §28.2.2: 2, 3, 5 or 6)",
                          type);
    if (vector > 31)
        return hv_vm_kill(vm, "exception or NMI exit with vector %u (exceptions are 0-31)", vector);
    if (vector == VEC_MC)
        return hv_vm_kill(vm, "machine check (#MC) while the guest ran");
    if (type != INTR_TYPE_HW_EXCEPTION && (e->instr_len < 1 || e->instr_len > 15))
        return hv_vm_kill(vm, "software exception %u with VM-exit instruction length %u (must be 1..15, "
                              "SDM Vol. 3 §28.2.5)", vector, e->instr_len);

    uint32_t idt = (uint32_t)hv_vmread(vm, VMCS_IDT_VECTORING_INFO);
    if ((info & EXIT_INTR_NMI_UNBLOCKING) && !(idt & INTR_INFO_VALID) && vector != 8) {
        uint32_t intr = (uint32_t)hv_vmread(vm, VMCS_GUEST_INTERRUPTIBILITY_STATE);
        hv_vmwrite(vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, intr | INTERRUPTIBILITY_NMI);
    }
    if (idt & INTR_INFO_VALID) {
        uint32_t idt_err = (idt & INTR_INFO_DELIVER_ERROR_CODE) ? (uint32_t)hv_vmread(vm, VMCS_IDT_VECTORING_ERROR_CODE) : 0;
        uint32_t idt_type = INTR_INFO_TYPE(idt);
        /* A software event is re-executed by restarting its instruction rather than re-injected; only
         * hardware exceptions, NMIs and external interrupts are carried over (SDM Vol. 3 §28.2.4). */
        if (idt_type == INTR_TYPE_HW_EXCEPTION || idt_type == INTR_TYPE_NMI || idt_type == INTR_TYPE_EXTERNAL)
            hv_inject_event(vm, idt & ~INTR_INFO_RESERVED, idt_err, 0);
    }
    if (vm->dead)
        return HV_EXIT_KILL;

    uint32_t err = (info & INTR_INFO_DELIVER_ERROR_CODE) ? (uint32_t)hv_vmread(vm, VMCS_VM_EXIT_INTERRUPTION_ERROR_CODE) : 0;
    if (vector == VEC_PF)
        vm->gprs.cr2 = e->qualification;
    if (type == INTR_TYPE_HW_EXCEPTION) {
        hv_inject_exception(vm, (uint8_t)vector, true, err);
    } else {
        /* #BP (INT3) and #OF (INTO) are software exceptions, INT1 a privileged software exception: no error
         * code, and the return address is RIP + instruction length (SDM Vol. 3 §27.6.1.1). */
        hv_inject_event(vm, INTR_INFO_VALID | (type << 8) | vector, 0, e->instr_len);
    }
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}

/* Triple fault (SDM Vol. 3 §26.2: the guest's shutdown condition). The guest cannot continue. */
enum hv_exit_action hv_exit_triple_fault(struct hv_vm *vm, const struct hv_exit *e)
{
    (void)e;
    return hv_vm_kill(vm, "triple fault (exit reason 2): the guest hit a shutdown condition");
}

/* VMX-preemption timer expired (SDM Vol. 3 §26.5.1): a time slice for the host; the guest resumes. */
enum hv_exit_action hv_exit_preemption_timer(struct hv_vm *vm, const struct hv_exit *e)
{
    (void)vm;
    (void)e;
    return HV_EXIT_RESUME;
}
