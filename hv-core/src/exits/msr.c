/* RDMSR / WRMSR (exit reasons 31, 32; SDM Vol. 3 §26.1.3: exits per the MSR bitmap, and always for an MSR
 * outside its ranges). ECX selects the MSR, EDX:EAX is the value (SDM Vol. 2 RDMSR/WRMSR). The policy —
 * what each MSR does, and when the access is #GP(0) — is msr_virt.c. A #GP is a fault: RIP stays. */
#include "exits.h"

enum hv_exit_action hv_exit_rdmsr(struct hv_vm *vm, const struct hv_exit *e)
{
    uint64_t v = 0;
    if (!hv_msr_read(vm, (uint32_t)vm->gprs.rcx, &v)) {
        if (!vm->dead)
            hv_inject_gp0(vm);
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
    }
    /* EAX and EDX are written as 32-bit registers: bits 63:32 of RAX and RDX are cleared (SDM Vol. 2
     * RDMSR, 64-bit mode). */
    vm->gprs.rax = v & 0xffffffffull;
    vm->gprs.rdx = v >> 32;
    hv_guest_advance_rip(vm, e);
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}

enum hv_exit_action hv_exit_wrmsr(struct hv_vm *vm, const struct hv_exit *e)
{
    uint64_t v = (vm->gprs.rdx << 32) | (vm->gprs.rax & 0xffffffffull);
    if (!hv_msr_write(vm, (uint32_t)vm->gprs.rcx, v)) {
        if (!vm->dead)
            hv_inject_gp0(vm);
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
    }
    hv_guest_advance_rip(vm, e);
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}
