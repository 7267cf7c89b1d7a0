/* Interrupt-window (exit reason 7) and NMI-window (8) exits (SDM Vol. 3 §26.7.5, §26.7.6): the guest can
 * now take what irq.c was holding. The handler only clears the window control, so the guest is not
 * interrupted again at every instruction; the next entry (hv_irq_before_entry) injects, and re-arms the
 * window if it still cannot. Neither exit retires an instruction: RIP stays. A window exit the core never
 * asked for (a hostile report) is harmless: the control is cleared and the guest resumes. */
#include "../devices/devices.h"

#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>

static void clear_control(struct hv_vm *vm, uint32_t bit)
{
    uint32_t proc = (uint32_t)hv_vmread(vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL);
    if (proc & bit)
        hv_vmwrite(vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL, proc & ~bit);
    vm->proc = proc & ~bit;
}

enum hv_exit_action hv_exit_interrupt_window(struct hv_vm *vm, const struct hv_exit *e)
{
    (void)e;
    clear_control(vm, PROC_INTERRUPT_WINDOW_EXITING); /* primary processor-based bit 2, §25.6.2 */
    vm->dev.pic.window_for_irq = false;
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}

enum hv_exit_action hv_exit_nmi_window(struct hv_vm *vm, const struct hv_exit *e)
{
    (void)e;
    clear_control(vm, PROC_NMI_WINDOW_EXITING); /* primary processor-based bit 22, §25.6.2 */
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}
