/* HLT (exit reason 12; exits when "HLT exiting" is 1, SDM Vol. 3 §26.1.3).
 *
 * HLT retires (RIP moves past it, SDM Vol. 2 HLT: execution resumes at the next instruction after the
 * wake-up event) and the vCPU idles until an event can wake it. This issue gives the VM no wake sources
 * (no devices, no timers, no interrupt injection queue): nothing can ever wake it, so the run ends
 * (HV_EXIT_HALT). When wake sources land, wake_source_pending() answers for them and, with RFLAGS.IF = 1
 * (or an NMI pending), the handler resumes the guest in the HLT activity state (SDM Vol. 3 §25.4.2,
 * activity state 1) so the processor itself waits for the event. */
#include "exits.h"

#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

/* Whether anything could deliver an interrupt to this vCPU later. None exists yet. */
static bool wake_source_pending(const struct hv_vm *vm)
{
    (void)vm;
    return false;
}

enum hv_exit_action hv_exit_hlt(struct hv_vm *vm, const struct hv_exit *e)
{
    hv_guest_advance_rip(vm, e);
    if (vm->dead)
        return HV_EXIT_KILL;
    bool interrupts_on = (hv_vmread(vm, VMCS_GUEST_RFLAGS) & RFLAGS_IF) != 0;
    if (interrupts_on && wake_source_pending(vm)) {
        hv_vmwrite(vm, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
        return HV_EXIT_RESUME;
    }
    return HV_EXIT_HALT;
}
