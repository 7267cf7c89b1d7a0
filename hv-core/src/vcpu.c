/* The vCPU run loop (DESIGN §2; seed 000 "Lifecycle of a VM"): enter with VMRESUME, fall back to VMLAUNCH
 * when the VMCS was never launched (VM-instruction error 5), kill the VM on any other failure naming the
 * SDM error, then dispatch the exit through the table. */
#include "core.h"
#include "devices/devices.h"

#include <hv/exit_reasons.h>
#include <hv/record.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_errors.h>

enum hv_exit_action hv_vm_kill(struct hv_vm *vm, const char *fmt, ...)
{
    if (vm->dead)
        return HV_EXIT_KILL; /* the first reason is the one that matters */
    va_list ap;
    va_start(ap, fmt);
    hv_vsnprintf(vm->message, sizeof vm->message, fmt, ap);
    va_end(ap);
    vm->dead = true;
    if (vm->cpu)
        hv_arch_log(vm->cpu->arch, vm->message);
    if (vm->cfg.trace) {
        struct hv_trace_event ev = {.kind = HV_TRACE_KILL, .action = HV_EXIT_KILL, .message = vm->message};
        vm->cfg.trace(vm->cfg.trace_opaque, &ev);
    }
    return HV_EXIT_KILL;
}

/* Exit qualification of a VM-entry failure due to invalid guest state (SDM Vol. 3 §27.8, Table 28-? "Exit
 * Qualification for VM-Entry Failure"). */
static const char *guest_state_failure_detail(uint64_t qualification)
{
    switch (qualification) {
    case 2:
        return "a problem loading the PDPTEs";
    case 3:
        return "an attempt to inject an NMI into a guest blocking events by STI";
    case 4:
        return "an invalid VMCS link pointer";
    default:
        return "guest-state check (qualification not used)";
    }
}

static enum hv_exit_action entry_failure(struct hv_vm *vm, const struct hv_exit *e)
{
    switch (e->basic) {
    case HV_EXIT_ENTRY_FAIL_GUEST_STATE: /* SDM Vol. 3 §27.3, §27.8 */
        return hv_vm_kill(vm, "VM-entry failure due to invalid guest state (exit reason 33, qualification %llu: %s)",
                          (unsigned long long)e->qualification, guest_state_failure_detail(e->qualification));
    case HV_EXIT_ENTRY_FAIL_MSR_LOADING: /* SDM Vol. 3 §27.4: qualification = failing entry, from 1 */
        return hv_vm_kill(vm, "VM-entry failure due to MSR loading (exit reason 34, MSR-load entry %llu)",
                          (unsigned long long)e->qualification);
    case HV_EXIT_ENTRY_FAIL_MACHINE_CHECK: /* SDM Vol. 3 §27.9 */
        return hv_vm_kill(vm, "VM-entry failure due to machine-check event (exit reason 41)");
    default:
        return hv_vm_kill(vm, "VM-entry failure with unexpected exit reason %u", e->basic);
    }
}

static void trace_exit(struct hv_vm *vm, const struct hv_exit *e, enum hv_exit_action action)
{
    if (!vm->cfg.trace)
        return;
    struct hv_trace_event ev = {
        .kind = HV_TRACE_EXIT,
        .exit_reason = e->reason_field,
        .qualification = e->qualification,
        .instr_len = e->instr_len,
        .action = action,
        .message = action == HV_EXIT_KILL ? vm->message : "",
    };
    vm->cfg.trace(vm->cfg.trace_opaque, &ev);
}

/* Make the VM's VMCS the processor's current VMCS: several VMs share a logical processor (§25.1). */
static bool make_current(struct hv_vm *vm)
{
    if (vm->cpu->current_vmcs == vm->vmcs)
        return true;
    struct hv_vmx_result r = hv_arch_vmptrld(vm->cpu->arch, vm->vmcs);
    if (r.status != HV_VMSUCCEED) {
        char what[HV_MESSAGE_MAX];
        hv_describe_vmx_result(what, sizeof what, "VMPTRLD", r);
        hv_vm_kill(vm, "%s", what);
        return false;
    }
    vm->cpu->current_vmcs = vm->vmcs;
    return true;
}

/* VMRESUME, or VMLAUNCH when the VMCS has not been launched. */
static bool enter(struct hv_vm *vm)
{
    struct hv_arch_cpu *arch = vm->cpu->arch;
    if (!make_current(vm))
        return false;
    hv_record_before_entry(vm); /* record mode (hv/record.h): the header, a handler's pending injection */
    hv_irq_before_entry(vm); /* irq.c: inject what the devices have pending, or arm the window exit */
    if (vm->dead)
        return false;
    struct hv_vmx_result r = hv_arch_vmenter(arch, false, &vm->gprs);
    const char *insn = "VMRESUME";
    if (r.status == HV_VMFAIL_VALID && r.error == HV_VMXERR_VMRESUME_NONLAUNCHED_VMCS) {
        if (vm->cfg.trace) {
            struct hv_trace_event ev = {.kind = HV_TRACE_ENTRY_FALLBACK,
                                        .message = "VMRESUME: VMfailValid(5): VMRESUME with non-launched VMCS; "
                                                   "VMLAUNCH follows"};
            vm->cfg.trace(vm->cfg.trace_opaque, &ev);
        }
        r = hv_arch_vmenter(arch, true, &vm->gprs);
        insn = "VMLAUNCH";
    }
    if (r.status != HV_VMSUCCEED) {
        char what[HV_MESSAGE_MAX];
        hv_describe_vmx_result(what, sizeof what, insn, r);
        hv_vm_kill(vm, "VM entry failed: %s", what);
        return false;
    }
    vm->launched_once = true;
    return true;
}

enum hv_step_result hv_vcpu_step(struct hv_vm *vm)
{
    if (!vm->created || vm->dead)
        return HV_STEP_KILLED;
    if (vm->halted)
        return HV_STEP_HALTED;
    if (!enter(vm))
        return HV_STEP_KILLED;

    struct hv_exit e;
    e.reason_field = (uint32_t)hv_vmread(vm, VMCS_EXIT_REASON);
    e.basic = HV_EXIT_REASON_BASIC(e.reason_field);
    e.qualification = hv_vmread(vm, VMCS_EXIT_QUALIFICATION);
    e.instr_len = (uint32_t)hv_vmread(vm, VMCS_VM_EXIT_INSTRUCTION_LENGTH);
    if (vm->dead)
        return HV_STEP_KILLED;
    vm->stats.exits++;
    if (e.basic < sizeof vm->stats.exits_by_reason / sizeof vm->stats.exits_by_reason[0])
        vm->stats.exits_by_reason[e.basic]++;

    hv_record_exit(vm, &e); /* record mode (hv/record.h): the exit's records, before its handler */
    hv_devices_tick(vm); /* timed devices catch up with the clock before the handler looks at them */
    enum hv_exit_action action = (e.reason_field & HV_EXIT_REASON_ENTRY_FAILURE) ? entry_failure(vm, &e)
                                                                                : hv_exit_dispatch(vm, &e);
    if (vm->dead)
        action = HV_EXIT_KILL; /* a handler's VMREAD/VMWRITE failure kills even if it returned RESUME */
    trace_exit(vm, &e, action);
    switch (action) {
    case HV_EXIT_RESUME:
        return HV_STEP_CONTINUE;
    case HV_EXIT_HALT:
        vm->halted = true;
        return HV_STEP_HALTED;
    default:
        return HV_STEP_KILLED;
    }
}

enum hv_step_result hv_vcpu_run(struct hv_vm *vm, uint64_t max_exits)
{
    enum hv_step_result r = HV_STEP_CONTINUE;
    for (uint64_t n = 0; r == HV_STEP_CONTINUE && (max_exits == 0 || n < max_exits); n++)
        r = hv_vcpu_step(vm);
    return r;
}
