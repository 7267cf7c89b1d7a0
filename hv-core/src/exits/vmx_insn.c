/* VMX instructions executed by the guest (exit reasons 18-27, 50, 53, 59; each causes a VM exit
 * unconditionally in VMX non-root operation, SDM Vol. 3 §26.1.2, VMFUNC when the function is not enabled,
 * §26.5.6).
 *
 * VMCALL is the hvkit hypercall (hypercall.c): it retires, so RIP advances. Every other one gets #UD: VMX is
 * hidden from the guest (CPUID.1:ECX.VMX = 0, CR4.VMXE reserved), and on a processor without VMX these
 * opcodes are invalid (SDM Vol. 2, each instruction's "Invalid Opcode" exception). A fault: RIP stays. */
#include "exits.h"

enum hv_exit_action hv_exit_vmcall(struct hv_vm *vm, const struct hv_exit *e)
{
    enum hv_exit_action a = hv_hypercall(vm);
    if (vm->dead)
        return HV_EXIT_KILL;
    hv_guest_advance_rip(vm, e);
    return vm->dead ? HV_EXIT_KILL : a;
}

enum hv_exit_action hv_exit_vmx_insn(struct hv_vm *vm, const struct hv_exit *e)
{
    (void)e;
    hv_inject_ud(vm);
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}
