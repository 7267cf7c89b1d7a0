/* fuzz_vmcs_setup: the core's capability handling and VMCS setup (caps.c, vmx_cpu.c, vmcs_setup.c, vm.c)
 * against arbitrary processors: bytes -> sim_profile_from_bytes (a profile that keeps the architectural
 * invariants of the VMX capability MSRs, otherwise arbitrary) -> hv_cpu_init + hv_vm_create -> one step.
 * The only acceptable outcomes are
 *   - a clean named refusal: an HV_ERR_* with a message, and every page back in the pool; or
 *   - a VMCS that passes every VM-entry check: the sim runs them all on the first VMLAUNCH (SDM Vol. 3
 *     §27.2-§27.4), so one step with a one-shot HLT exit must enter, and no VMX instruction may fault.
 * Anything else (an entry-check failure, a VMX instruction fault, a leaked page, a refusal without a
 * message) aborts. The remaining input bytes choose the VM configuration (guest mode, devices, memory). */
#include "fuzz_common.h"

#include "entry_check.h"
#include "sim_machine.h"
#include "sim_profile.h"

#include <hv/exit_reasons.h>
#include <hv/vm.h>

#define FZ_ARENA_PAGES 768u

static const char *err_name(enum hv_err e)
{
    static const char *const n[] = {"OK", "NOT_INTEL", "NO_VMX", "FEATURE_CONTROL", "CR_FIXED", "NO_MEMORY",
                                    "VMX_INSTRUCTION", "CONTROL_UNSUPPORTED", "BAD_CONFIG", "STATE"};
    return (unsigned)e < sizeof n / sizeof n[0] ? n[e] : "?";
}

static void check_faults(struct hv_arch_cpu *cpu, const char *when)
{
    if (sim_cpu_fault_count(cpu)) {
        const struct sim_fault *sf = sim_cpu_last_fault(cpu);
        (void)sf;
        fz_oracle("vmx-fault", "a VMX instruction faulted %s (%llu faults)", when,
                  (unsigned long long)sim_cpu_fault_count(cpu));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sim_profile prof;
    static struct hv_cpu hcpu;
    static struct hv_vm vm;
    memset(&prof, 0, sizeof prof);
    size_t used = sim_profile_from_bytes(&prof, data, size);
    const char *bad = sim_profile_invariant_violation(&prof);
    if (bad)
        fz_oracle("profile-invariant", "sim_profile_from_bytes broke the invariant %s", bad);
    struct fz f = {data + (used < size ? used : size), used < size ? size - used : 0};
    uint8_t k = fz_u8(&f);

    struct sim_machine *m = sim_machine_create(&prof, FZ_ARENA_PAGES, 1);
    if (!m)
        return 0;
    struct hv_arch_cpu *cpu = sim_machine_cpu(m, 0);
    size_t at_start = sim_pages_in_use(m); /* the machine's own pages, if any */
    sim_machine_set_entry_checks(m, true);
    memset(&hcpu, 0, sizeof hcpu);
    memset(&vm, 0, sizeof vm);
    enum hv_err e = hv_cpu_init(&hcpu, cpu);
    check_faults(cpu, "during hv_cpu_init");
    if (e != HV_OK) {
        if (!hcpu.message[0])
            fz_oracle("refusal", "hv_cpu_init refused (HV_ERR_%s) without a message", err_name(e));
    } else {
        struct hv_vm_config cfg = {
            .memory_size = (uint64_t)(1 + (k & 3)) << 20,
            .memory_quota_pages = 64,
            .mode = (k & 4) ? HV_GUEST_REAL_MODE : HV_GUEST_PROGRAM64,
            .entry = 0x1000,
            .stack = 0x8000,
            .devices = (k & 8) ? HV_DEV_ALL & ~HV_DEV_FB : 0,
        };
        e = hv_vm_create(&vm, &hcpu, &cfg);
        check_faults(cpu, "during hv_vm_create");
        if (e != HV_OK) {
            if (!vm.message[0])
                fz_oracle("refusal", "hv_vm_create refused (HV_ERR_%s) without a message", err_name(e));
        } else {
            /* One entry: the sim runs every VM-entry check on it; the exit is a plain HLT (reason 12). */
            sim_cpu_set_next_exit(cpu, HV_EXIT_HLT, 0, 1);
            enum hv_step_result r = hv_vcpu_step(&vm);
            check_faults(cpu, "on the first entry");
            const struct ec_outcome *oc = sim_cpu_last_entry_check(cpu);
            if (!oc)
                fz_oracle("entry-check", "no VM entry was attempted (step result %d: %s)", (int)r, vm.message);
            if (oc->kind != EC_OK)
                fz_oracle("entry-check", "the VMCS the core built for profile fails %s (%s)",
                          oc->rule ? oc->rule->name : "?", oc->rule ? oc->rule->sdm : "");
            if (r == HV_STEP_KILLED)
                fz_oracle("first-step", "the VM died on its first HLT: %s", vm.message);
        }
        hv_vm_destroy(&vm);
        hv_cpu_fini(&hcpu);
        check_faults(cpu, "during teardown");
    }
    size_t left = sim_pages_in_use(m) - at_start;
    uint64_t bad_frees = sim_bad_frees(m);
    sim_machine_destroy(m);
    if (left || bad_frees)
        fz_oracle("page-balance", "%zu pages still in use and %llu bad frees after teardown", left,
                  (unsigned long long)bad_frees);
    return 0;
}
