/* HLT (exit reason 12; exits when "HLT exiting" is 1, SDM Vol. 3 §26.1.3).
 *
 * HLT retires (RIP moves past it, SDM Vol. 2 HLT: execution resumes at the next instruction after the
 * wake-up event) and the vCPU idles until an event can wake it. With RFLAGS.IF = 1 and a wake source
 * (devices/devices.h hv_devices_wake_source: a PIC request already asserted, an NMI pending, the PIT's
 * counter 0 running with IRQ 0 unmasked, keyboard bytes waiting with IRQ 1 unmasked) the guest resumes in
 * the HLT activity state (SDM Vol. 3 §25.4.2, activity state 1): the processor waits there, and the entry
 * that injects the interrupt makes it active again (irq.c). The host learns when to come back from
 * hv_vm_next_deadline_ns. With IF = 0, or nothing that could ever interrupt, the run ends (HV_EXIT_HALT).
 *
 * The HLT activity state needs IA32_VMX_MISC bit 6 (SDM Vol. 3 §A.6) and SS.DPL = 0 (VM-entry check,
 * §27.3.1.5; HLT at CPL > 0 faults before it could exit, so only a hostile report gets here with DPL != 0).
 * Without either, the guest resumes active after the HLT, as if woken at once: a guest halting in a loop
 * keeps running and takes the interrupt at the next entry that can deliver it. */
#include "../devices/devices.h"
#include "exits.h"

#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

static bool hlt_state_usable(struct hv_vm *vm)
{
    uint64_t misc = 0;
    if (!hv_arch_rdmsr(vm->cpu->arch, MSR_IA32_VMX_MISC, &misc))
        return false;
    return ((misc >> (VMX_MISC_ACTIVITY_SHIFT + ACTIVITY_HLT)) & 1u) && hv_guest_cpl(vm) == 0;
}

enum hv_exit_action hv_exit_hlt(struct hv_vm *vm, const struct hv_exit *e)
{
    hv_guest_advance_rip(vm, e);
    if (vm->dead)
        return HV_EXIT_KILL;
    bool interrupts_on = (hv_vmread(vm, VMCS_GUEST_RFLAGS) & RFLAGS_IF) != 0;
    if (interrupts_on && hv_devices_wake_source(vm)) {
        if (hlt_state_usable(vm))
            hv_vmwrite(vm, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
    }
    return HV_EXIT_HALT;
}
