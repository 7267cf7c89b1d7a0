/* VMLAUNCH / VMRESUME up to guest execution, and the VM exit back (SDM Vol. 3 §31.3 VMLAUNCH/VMRESUME,
 * Chapter 27 "VM Entries", Chapter 28 "VM Exits"). The guest itself is not modelled here: sim_arch.c asks
 * the CPU's guest model (or the one-shot "next exit") what exit ends the run. */
#include "sim_msr.h"
#include "sim_vmcs.h"
#include "sim_vmx.h"

#include <hv/exit_reasons.h>
#include <hv/vmx_controls.h>
#include <hv/vmx_errors.h>

struct sim_entry sim_vmx_vmentry(struct hv_arch_cpu *cpu, bool launch)
{
    enum sim_insn insn = launch ? SIM_INSN_VMLAUNCH : SIM_INSN_VMRESUME;
    struct sim_entry e = {.kind = SIM_ENTRY_NOT_ENTERED};
    cpu->last_entry = (struct ec_outcome){.kind = EC_OK};
    if (sim_vmx_begin(cpu, insn, &e.result))
        return e;
    /* §31.3 VMLAUNCH/VMRESUME: "IF (not in VMX operation) or (CR0.PE = 0) or ... THEN #UD" */
    if (sim_vmx_ud_check(cpu, insn, &e.result))
        return e;
    /* "ELSIF current-VMCS pointer is not valid THEN VMfailInvalid" */
    struct sim_vmcs_region *reg =
        cpu->current_vmcs == SIM_NO_VMCS ? NULL : sim_vmcs_region(cpu->m, cpu->current_vmcs);
    if (!reg) {
        e.result = sim_vmx_fail_invalid();
        return e;
    }
    /* "ELSIF events are being blocked by MOV SS THEN VMfailValid(VM entry with events blocked by MOV SS)".
     * The SDM checks this before the launch state. */
    if (cpu->blocking_mov_ss) {
        e.result = sim_vmx_fail(cpu, HV_VMXERR_ENTRY_MOV_SS_BLOCKING);
        return e;
    }
    /* "ELSIF (VMLAUNCH and launch state of current VMCS is not 'clear') THEN VMfailValid(VMLAUNCH with
     * non-clear VMCS)" */
    if (launch && reg->launch_state != SIM_VMCS_CLEAR) {
        e.result = sim_vmx_fail(cpu, HV_VMXERR_VMLAUNCH_NONCLEAR_VMCS);
        return e;
    }
    /* "ELSIF (VMRESUME and launch state of current VMCS is not 'launched') THEN VMfailValid(VMRESUME with
     * non-launched VMCS)" */
    if (!launch && reg->launch_state != SIM_VMCS_LAUNCHED) {
        e.result = sim_vmx_fail(cpu, HV_VMXERR_VMRESUME_NONLAUNCHED_VMCS);
        return e;
    }
    /* Error 6, "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)" (§31.4, Table 31-1).
     * The pseudocode has no line for it; the table describes the case: the VMCS was launched in an earlier
     * VMX session (or on another processor) and never VMCLEARed, so its processor-held data was lost at VMXOFF
     * (§25.11.1). The model records the session of the VMLAUNCH in the region and reports 6 here, where the
     * launch state is examined. */
    if (!launch && reg->session != cpu->vmx_session) {
        e.result = sim_vmx_fail(cpu, HV_VMXERR_VMRESUME_AFTER_VMXOFF);
        return e;
    }
    /* "Check settings of VMX controls and host-state area; IF invalid settings THEN VMfailValid(...)";
     * then guest state (§27.3) and MSR loading (§27.4), which fail as VM exits (§27.8). With the checks
     * switched off (benchmarks only, sim_machine_set_entry_checks) every VMCS passes: not the SDM. */
    struct ec_outcome o = {.kind = EC_OK};
    if (sim_machine_entry_checks(cpu->m)) {
        struct ec_ctx c = {
            .f = reg->fields,
            .prof = sim_machine_profile(cpu->m),
            .caps = sim_machine_ec_caps(cpu->m),
            .mem = sim_machine_ec_memory(cpu->m),
            .host_ia32e = (cpu->efer & EFER_LMA) != 0,
        };
        ec_ctx_load_controls(&c);
        /* §27.2's inputs unchanged since they last passed: the same rules would pass again. */
        bool same = sim_entry_memo_hit(&cpu->entry_memo, reg->fields, c.host_ia32e);
        o = ec_run_from(&c, same ? EC_CLASS_GUEST : EC_CLASS_CONTROLS);
        if (!same && (o.kind == EC_OK || o.rule->cls >= EC_CLASS_GUEST))
            sim_entry_memo_store(&cpu->entry_memo, reg->fields, c.host_ia32e);
    }
    cpu->last_entry = o;
    switch (o.kind) {
    case EC_VMFAIL:
        e.result = sim_vmx_fail(cpu, o.error);
        return e;
    case EC_ENTRY_FAILURE: {
        /* §27.8 "VM-Entry Failures During or After Loading Guest State": the exit reason (basic reason with
         * bit 31 set) and exit qualification are recorded, then host state is loaded as on a VM exit
         * (§28.5); the launch state is not changed. The instruction "succeeds": a VM exit happened. */
        struct sim_exit x = {.reason = o.reason | HV_EXIT_REASON_ENTRY_FAILURE, .qualification = o.qualification};
        uint64_t *f = reg->fields;
        sim_vmcs_put(f, HV_VMCS_ORD_EXIT_REASON, 0, x.reason);
        sim_vmcs_put(f, HV_VMCS_ORD_EXIT_QUALIFICATION, 0, x.qualification);
        sim_vmx_vmexit_load_host(cpu, f);
        e.result = sim_vmx_succeed();
        e.kind = SIM_ENTRY_FAILED;
        return e;
    }
    default:
        break;
    }
    /* "IF VMLAUNCH THEN launch state of VMCS := 'launched'" */
    if (launch) {
        reg->launch_state = SIM_VMCS_LAUNCHED;
        reg->session = cpu->vmx_session;
    }
    cpu->vm_entries++;
    e.result = sim_vmx_succeed();
    e.kind = SIM_ENTRY_ENTERED;
    return e;
}

void sim_vmx_vmexit_load_host(struct hv_arch_cpu *cpu, const uint64_t *f)
{
    /* §28.5.1 "Loading Host Control Registers, Debug Registers, MSRs". CR0: "The following bits are not
     * modified: ... CD, NW, ET; bits 63:32, 28:19, 17, and 15:6; and any bits that are fixed in VMX
     * operation". CR4: "any bits that are fixed in VMX operation". CR3 is loaded whole. */
    const struct sim_profile *p = sim_machine_profile(cpu->m);
    uint64_t cr0_fixed = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR0_FIXED0) | ~sim_profile_vmx_msr(p, MSR_IA32_VMX_CR0_FIXED1);
    uint64_t cr4_fixed = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR4_FIXED0) | ~sim_profile_vmx_msr(p, MSR_IA32_VMX_CR4_FIXED1);
    uint64_t cr0_keep = 0xffffffff00000000ull | (1ull << 30) | (1ull << 29) | 0x1ff80000ull | (1ull << 17) |
                        0xffc0ull | (1ull << 4) | cr0_fixed;
    cpu->cr0 = (f[HV_VMCS_ORD_HOST_CR0] & ~cr0_keep) | (cpu->cr0 & cr0_keep);
    cpu->cr4 = (f[HV_VMCS_ORD_HOST_CR4] & ~cr4_fixed) | (cpu->cr4 & cr4_fixed);
    cpu->cr3 = f[HV_VMCS_ORD_HOST_CR3];
    /* IA32_EFER: from the host field when "load IA32_EFER" is 1; LMA and LME follow "host address-space
     * size" either way (§28.5.1; the host-state checks of §27.2.4 keep the two consistent). */
    uint64_t exit_ctls = f[HV_VMCS_ORD_PRIMARY_VM_EXIT_CONTROLS];
    if (exit_ctls & EXIT_LOAD_IA32_EFER)
        cpu->efer = f[HV_VMCS_ORD_HOST_IA32_EFER];
    if (exit_ctls & EXIT_HOST_ADDRESS_SPACE_SIZE)
        cpu->efer |= EFER_LMA | EFER_LME;
    else
        cpu->efer &= ~(EFER_LMA | EFER_LME);
    /* §28.5: the host resumes with no blocking by MOV SS. */
    cpu->blocking_mov_ss = false;
    cpu->vm_exits++;
}

void sim_vmx_vmexit(struct hv_arch_cpu *cpu, const struct sim_exit *x)
{
    uint64_t *f = cpu->current_vmcs == SIM_NO_VMCS ? NULL : sim_vmcs_fields(cpu->m, cpu->current_vmcs);
    if (!f)
        return;
    /* §28.2 "Recording VM-Exit Information": exit reason, qualification, guest-linear and guest-physical
     * address, interruption information and error code, IDT-vectoring information (invalid: the sim delivers
     * no event through the IDT during a guest run), instruction length and information. The guest-physical
     * address field exists only on processors with EPT. */
    sim_vmcs_put(f, HV_VMCS_ORD_EXIT_REASON, 0, x->reason);
    sim_vmcs_put(f, HV_VMCS_ORD_EXIT_QUALIFICATION, 0, x->qualification);
    sim_vmcs_put(f, HV_VMCS_ORD_GUEST_LINEAR_ADDRESS, 0, x->guest_linear);
    if (sim_machine_has_vmcs_field(cpu->m, HV_VMCS_ORD_GUEST_PHYSICAL_ADDRESS))
        sim_vmcs_put(f, HV_VMCS_ORD_GUEST_PHYSICAL_ADDRESS, 0, x->guest_phys);
    sim_vmcs_put(f, HV_VMCS_ORD_VM_EXIT_INTERRUPTION_INFO, 0, x->intr_info);
    sim_vmcs_put(f, HV_VMCS_ORD_VM_EXIT_INTERRUPTION_ERROR_CODE, 0, x->intr_error);
    sim_vmcs_put(f, HV_VMCS_ORD_IDT_VECTORING_INFO, 0, 0);
    sim_vmcs_put(f, HV_VMCS_ORD_VM_EXIT_INSTRUCTION_LENGTH, 0, x->instr_len);
    sim_vmcs_put(f, HV_VMCS_ORD_VM_EXIT_INSTRUCTION_INFO, 0, x->instr_info);
    /* §28.2 (and §25.8.3): "VM exits clear the valid bit (bit 31) in the VM-entry interruption-information
     * field", so an injected event is delivered once, not on every later entry. */
    f[HV_VMCS_ORD_VM_ENTRY_INTERRUPTION_INFO] &= ~(uint64_t)INTR_INFO_VALID;
    sim_vmx_vmexit_load_host(cpu, f);
}
