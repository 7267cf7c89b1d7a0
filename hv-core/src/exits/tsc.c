/* RDTSC (exit reason 16) and RDTSCP (exit reason 51); they exit only with "RDTSC exiting" (SDM Vol. 3
 * §26.1.3), RDTSCP also needing "enable RDTSCP" (otherwise it is #UD without an exit, §26.3).
 *
 * The virtual TSC is what the guest would have read without the exit: the processor's TSC
 * (IA32_TIME_STAMP_COUNTER) plus the VMCS TSC offset when "use TSC offsetting" is 1 (SDM Vol. 3 §26.3;
 * TSC scaling is never enabled by the core). RDTSCP also returns IA32_TSC_AUX in ECX: the guest's value
 * from the MSR-switch area, else vm->tsc_aux. Results: EDX:EAX, upper halves of RAX/RDX/RCX cleared. */
#include "exits.h"

#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

#define CR4_TSD (1ull << 2) /* RDTSC/RDTSCP at CPL > 0 #GP (SDM Vol. 3 §2.5) */

uint64_t hv_guest_tsc(struct hv_vm *vm)
{
    uint64_t tsc = 0;
    hv_arch_rdmsr(vm->cpu->arch, MSR_IA32_TIME_STAMP_COUNTER, &tsc);
    if (vm->proc & PROC_USE_TSC_OFFSETTING)
        tsc += hv_vmread(vm, VMCS_TSC_OFFSET);
    return tsc;
}

/* The faults that take priority over the exit (SDM Vol. 3 §26.1.1), checked in case a report ignores them. */
static bool tsd_fault(struct hv_vm *vm)
{
    return (hv_guest_cr4_view(vm) & CR4_TSD) && hv_guest_cpl(vm) != 0;
}

enum hv_exit_action hv_exit_rdtsc(struct hv_vm *vm, const struct hv_exit *e)
{
    if (tsd_fault(vm)) {
        hv_inject_gp0(vm);
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
    }
    uint64_t tsc = hv_guest_tsc(vm);
    vm->gprs.rax = tsc & 0xffffffffull;
    vm->gprs.rdx = tsc >> 32;
    hv_guest_advance_rip(vm, e);
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}

enum hv_exit_action hv_exit_rdtscp(struct hv_vm *vm, const struct hv_exit *e)
{
    if (!((vm->proc & PROC_ACTIVATE_SECONDARY_CONTROLS) && (vm->proc2 & PROC2_ENABLE_RDTSCP))) {
        hv_inject_ud(vm);
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
    }
    if (tsd_fault(vm)) {
        hv_inject_gp0(vm);
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
    }
    uint64_t tsc = hv_guest_tsc(vm), aux = 0;
    hv_msr_read(vm, MSR_IA32_TSC_AUX, &aux);
    vm->gprs.rax = tsc & 0xffffffffull;
    vm->gprs.rdx = tsc >> 32;
    vm->gprs.rcx = aux & 0xffffffffull;
    hv_guest_advance_rip(vm, e);
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}
