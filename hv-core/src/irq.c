/* Interrupt injection policy (the devices issue, item 6): at every VM entry, deliver what the virtual
 * devices have pending through the VM-entry interruption-information field (SDM Vol. 3 §25.8.3, §27.6) when
 * the guest can take it, and otherwise ask the processor to exit as soon as it can (interrupt-window /
 * NMI-window exiting, SDM Vol. 3 §25.6.2 Table 25-6, §26.7.5, §26.7.6).
 *
 * External interrupts (the PIC's INT): injected as type 0 with the PIC's vector (the acknowledge cycle runs
 * then, so IRR -> ISR at the moment of delivery) when RFLAGS.IF = 1 and the interruptibility state shows no
 * blocking by STI or MOV SS (SDM Vol. 3 §25.4.2 Table 25-3; VM entry itself requires IF = 1 for an injected
 * external interrupt, §27.2.1.3 / §27.3.1.4). Otherwise "interrupt-window exiting" (primary processor-based
 * control bit 2) is set: the processor exits (reason 7) at the first instruction boundary where IF = 1 and
 * no STI/MOV-SS blocking (§26.7.5), and the next entry injects.
 *
 * NMIs (hv_vm_nmi): injected as type 2, vector 2 when there is no blocking by NMI, STI or MOV SS (§25.4.2;
 * some processors fail VM entry injecting an NMI under STI blocking, §27.3.1.5 and exit qualification 3).
 * While blocked: with "virtual NMIs" (pin-based bit 5) on and "NMI-window exiting" (primary bit 22)
 * allowed, that window is armed (exit 8 when no virtual-NMI blocking, §26.7.6; the control requires virtual
 * NMIs, §27.2.1.1); without virtual NMIs (the core's controls today) nothing exits when NMI blocking ends
 * (at IRET), so the NMI stays pending and is retried at every later entry. An NMI goes first: the external
 * interrupt then waits for the window.
 *
 * The slot is never taken twice: when a handler already put an event in the interruption-information field
 * (an exception, a re-injected event), that event goes first and the interrupt stays pending behind an armed
 * window (a window exit happens right after the injected event's delivery, §26.7.5).
 *
 * Injecting wakes a vCPU in the HLT activity state: the activity state becomes active (an external
 * interrupt or NMI is what ends HLT; SDM Vol. 3 §27.3.1.5 allows both in the HLT state). */
#include "devices/devices.h"
#include "exits/exits.h" /* hv_inject_event */

#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

#define NMI_VECTOR 2u
#define IA32_VMX_BASIC_TRUE_CTLS (1ull << 55) /* SDM Vol. 3 §A.1: the TRUE_* capability MSRs exist */

void hv_devices_tick(struct hv_vm *vm)
{
    if (vm->cpu)
        hv_pit_tick(vm, hv_arch_time_ns(vm->cpu->arch));
}

/* Whether the processor allows a primary processor-based control to be 1 (allowed-1 settings, bits 63:32 of
 * IA32_VMX_(TRUE_)PROCBASED_CTLS, SDM Vol. 3 §A.3.2). */
static bool proc_control_allowed(struct hv_vm *vm, uint32_t bit)
{
    uint64_t basic = 0, cap = 0;
    struct hv_arch_cpu *arch = vm->cpu->arch;
    if (!hv_arch_rdmsr(arch, MSR_IA32_VMX_BASIC, &basic))
        return false;
    uint32_t msr = (basic & IA32_VMX_BASIC_TRUE_CTLS) ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS;
    if (!hv_arch_rdmsr(arch, msr, &cap))
        return false;
    return ((cap >> 32) & bit) != 0;
}

/* Set or clear a primary processor-based control in the VMCS (SDM Vol. 3 §25.6.2) and vm->proc. */
static void set_proc_control(struct hv_vm *vm, uint32_t bit, bool on)
{
    uint32_t proc = (uint32_t)hv_vmread(vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL);
    uint32_t want = on ? proc | bit : proc & ~bit;
    if (want != proc)
        hv_vmwrite(vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL, want);
    vm->proc = want;
}

static void wake(struct hv_vm *vm)
{
    if (hv_vmread(vm, VMCS_GUEST_ACTIVITY_STATE) == ACTIVITY_HLT)
        hv_vmwrite(vm, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
}

/* Returns whether the slot is now taken. */
static bool deliver_nmi(struct hv_vm *vm, uint32_t intr)
{
    struct hv_pic *p = &vm->dev.pic;
    if (!(intr & (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))) {
        hv_inject_event(vm, INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | NMI_VECTOR, 0, 0);
        p->nmi_pending = false;
        p->nmis_injected++;
        wake(vm);
        set_proc_control(vm, PROC_NMI_WINDOW_EXITING, false);
        return true;
    }
    if ((vm->pin & PIN_VIRTUAL_NMIS) && proc_control_allowed(vm, PROC_NMI_WINDOW_EXITING))
        set_proc_control(vm, PROC_NMI_WINDOW_EXITING, true);
    return false;
}

static void pic_before_entry(struct hv_vm *vm)
{
    struct hv_pic *p = &vm->dev.pic;
    if (!p->attached && !p->nmi_pending)
        return;
    hv_devices_tick(vm);
    bool irq = hv_pic_int_asserted(vm);
    if (!irq && !p->nmi_pending) {
        if (p->window_for_irq) { /* the request went away (masked, EOI order, level dropped): stop asking */
            set_proc_control(vm, PROC_INTERRUPT_WINDOW_EXITING, false);
            p->window_for_irq = false;
        }
        return;
    }
    bool slot_taken = (hv_vmread(vm, VMCS_VM_ENTRY_INTERRUPTION_INFO) & INTR_INFO_VALID) != 0;
    uint32_t intr = (uint32_t)hv_vmread(vm, VMCS_GUEST_INTERRUPTIBILITY_STATE);
    if (p->nmi_pending && !slot_taken)
        slot_taken = deliver_nmi(vm, intr);
    if (!irq)
        return;
    bool if_set = (hv_vmread(vm, VMCS_GUEST_RFLAGS) & RFLAGS_IF) != 0;
    if (!slot_taken && if_set && !(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))) {
        uint8_t vector = hv_pic_ack(vm);
        hv_inject_event(vm, INTR_INFO_VALID | (INTR_TYPE_EXTERNAL << 8) | vector, 0, 0);
        wake(vm);
        set_proc_control(vm, PROC_INTERRUPT_WINDOW_EXITING, false);
        p->window_for_irq = false;
        return;
    }
    if (!p->window_for_irq || !(vm->proc & PROC_INTERRUPT_WINDOW_EXITING)) {
        if (!proc_control_allowed(vm, PROC_INTERRUPT_WINDOW_EXITING)) {
            /* Every VMX processor allows it in practice; without it, delivery waits for the next exit. */
            return;
        }
        set_proc_control(vm, PROC_INTERRUPT_WINDOW_EXITING, true);
        p->window_for_irq = true;
    }
}

void hv_irq_before_entry(struct hv_vm *vm)
{
    pic_before_entry(vm);
    /* Host->guest IPC messages arrive on the guest's chosen vector, with the same can-take-it rules
     * (hv_ipc_inject_pending checks the slot, RFLAGS.IF and STI/MOV-SS blocking); one the guest cannot take
     * now asks for the interrupt window like a PIC request. The IPC device works without a PIC. */
    if (!hv_ipc_pending(vm))
        return;
    hv_ipc_inject_pending(vm);
    if (hv_ipc_pending(vm) && !(vm->proc & PROC_INTERRUPT_WINDOW_EXITING) &&
        proc_control_allowed(vm, PROC_INTERRUPT_WINDOW_EXITING)) {
        set_proc_control(vm, PROC_INTERRUPT_WINDOW_EXITING, true);
        vm->dev.pic.window_for_irq = true;
    }
}

bool hv_devices_wake_source(const struct hv_vm *vm)
{
    if (hv_ipc_pending(vm))
        return true; /* a host message waits for the guest */
    if (vm->dev.pic.nmi_pending || hv_pic_int_asserted(vm))
        return true;
    if (hv_pit_next_deadline(vm) != UINT64_MAX && hv_pic_irq_unmasked(vm, 0))
        return true;
    return hv_i8042_irq_wanted(vm) && hv_pic_irq_unmasked(vm, 1);
}
