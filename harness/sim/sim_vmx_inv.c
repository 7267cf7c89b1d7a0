/* INVEPT and INVVPID: SDM Vol. 3 §31.3, checks in the order of each instruction's "Operation" pseudocode. */
#include "sim_msr.h"
#include "sim_vmx.h"

#include <hv/vmx_controls.h>
#include <hv/vmx_errors.h>
#include <string.h>

/* Whether the processor may set a secondary control bit: secondary controls exist only when the primary
 * "activate secondary controls" may be 1 (§A.3.2); the allowed-1 settings are bits 63:32 (§A.3.3). */
static bool proc2_allowed(const struct sim_profile *p, uint64_t bit)
{
    return ((sim_profile_vmx_msr(p, MSR_IA32_VMX_PROCBASED_CTLS) >> 32) & PROC_ACTIVATE_SECONDARY_CONTROLS) &&
           ((sim_profile_vmx_msr(p, MSR_IA32_VMX_PROCBASED_CTLS2) >> 32) & bit);
}

static uint64_t ept_vpid_cap(const struct sim_profile *p)
{
    /* §A.10: the MSR exists only when EPT or VPID may be enabled. */
    if (!proc2_allowed(p, PROC2_ENABLE_EPT) && !proc2_allowed(p, PROC2_ENABLE_VPID))
        return 0;
    return sim_profile_vmx_msr(p, MSR_IA32_VMX_EPT_VPID_CAP);
}

const char *sim_eptp_invalid(struct sim_machine *m, uint64_t eptp)
{
    /* "VM entry with the 'enable EPT' VM-execution control set to 1 would fail due to the EPTP value": run
     * the VM-entry rules about the EPTP (SDM Vol. 3 §27.2.1.1, rows "controls.eptp.*" of the control-check
     * table) on a VMCS whose only content is that EPTP with "enable EPT" = 1. One definition of a valid EPTP
     * serves VM entry and INVEPT alike. */
    static const char prefix[] = "controls.eptp.";
    struct sim_eptp_memo *memo = sim_machine_eptp_memo(m);
    if (memo->valid && memo->eptp == eptp)
        return memo->rule;
    uint64_t f[HV_VMCS_FIELD_COUNT] = {0};
    f[HV_VMCS_ORD_PRIMARY_PROC_BASED_VM_EXEC_CONTROL] = PROC_ACTIVATE_SECONDARY_CONTROLS;
    f[HV_VMCS_ORD_SECONDARY_PROC_BASED_VM_EXEC_CONTROL] = PROC2_ENABLE_EPT;
    f[HV_VMCS_ORD_EPT_POINTER] = eptp;
    struct ec_ctx c = {.f = f, .prof = sim_machine_profile(m), .caps = sim_machine_ec_caps(m)};
    ec_ctx_load_controls(&c);
    for (size_t i = 0, n = ec_rule_count(); i < n; i++) {
        const struct ec_rule *r = ec_rule_at(i);
        uint64_t detail = 0;
        if (strncmp(r->name, prefix, sizeof prefix - 1) == 0 && !r->ok(&c, &detail)) {
            *memo = (struct sim_eptp_memo){.valid = true, .eptp = eptp, .rule = r->name};
            return r->name;
        }
    }
    *memo = (struct sim_eptp_memo){.valid = true, .eptp = eptp, .rule = NULL};
    return NULL;
}

struct hv_vmx_result sim_vmx_invept(struct hv_arch_cpu *cpu, uint64_t type, const struct hv_invept_desc *desc)
{
    struct hv_vmx_result r;
    const struct sim_profile *p = sim_machine_profile(cpu->m);
    if (sim_vmx_begin(cpu, SIM_INSN_INVEPT, &r))
        return r;
    /* §31.3 INVEPT, #UD: "If the logical processor does not support EPT (IA32_VMX_PROCBASED_CTLS2[33]=0).
     * If the logical processor supports EPT but does not support the INVEPT instruction
     * (IA32_VMX_EPT_VPID_CAP[20]=0)." An unsupported instruction is #UD whatever the VMX state. */
    if (!proc2_allowed(p, PROC2_ENABLE_EPT))
        return sim_vmx_fault(cpu, SIM_INSN_INVEPT, VEC_UD,
                             "INVEPT: processor does not support EPT -> #UD (SDM Vol. 3 §31.3)");
    if (!(ept_vpid_cap(p) & EPT_CAP_INVEPT))
        return sim_vmx_fault(cpu, SIM_INSN_INVEPT, VEC_UD,
                             "INVEPT: IA32_VMX_EPT_VPID_CAP[20] = 0 -> #UD (SDM Vol. 3 §31.3)");
    /* "IF (not in VMX operation) or (CR0.PE = 0) or ... THEN #UD" */
    if (sim_vmx_ud_check(cpu, SIM_INSN_INVEPT, &r))
        return r;
    /* "IF IA32_VMX_EPT_VPID_CAP MSR indicates that processor does not support INVEPT_TYPE THEN VMfail(Invalid
     * operand to INVEPT/INVVPID)". Only types 1 (bit 25) and 2 (bit 26) exist; in 64-bit mode the type
     * register is 64 bits wide, so any other value is unsupported. */
    uint64_t cap = ept_vpid_cap(p);
    bool supported = (type == 1 && (cap & EPT_CAP_INVEPT_SINGLE_CONTEXT)) || (type == 2 && (cap & EPT_CAP_INVEPT_ALL_CONTEXT));
    if (!supported)
        return sim_vmx_fail(cpu, HV_VMXERR_INVALID_INVEPT_INVVPID_OPERAND);
    /* "INVEPT_DESC := value of memory operand": an operand the host cannot address faults (#PF). */
    if (!desc)
        return sim_vmx_fault(cpu, SIM_INSN_INVEPT, VEC_PF, "INVEPT: descriptor not addressable -> #PF");
    /* "1: IF VM entry with the 'enable EPT' VM execution control set to 1 would fail due to the EPTP value
     * THEN VMfail(Invalid operand to INVEPT/INVVPID)". Bits 127:64 of the descriptor are reserved, but the
     * pseudocode does not check them, so neither does the model. */
    if (type == 1 && sim_eptp_invalid(cpu->m, desc->eptp))
        return sim_vmx_fail(cpu, HV_VMXERR_INVALID_INVEPT_INVVPID_OPERAND);
    /* "Invalidate mappings ...; VMsucceed": the sim caches no translations. */
    return sim_vmx_succeed();
}

struct hv_vmx_result sim_vmx_invvpid(struct hv_arch_cpu *cpu, uint64_t type, const struct hv_invvpid_desc *desc)
{
    struct hv_vmx_result r;
    const struct sim_profile *p = sim_machine_profile(cpu->m);
    if (sim_vmx_begin(cpu, SIM_INSN_INVVPID, &r))
        return r;
    /* §31.3 INVVPID, #UD: "If the logical processor does not support VPIDs (IA32_VMX_PROCBASED_CTLS2[37]=0).
     * If the logical processor supports VPIDs but does not support the INVVPID instruction
     * (IA32_VMX_EPT_VPID_CAP[32]=0)." */
    if (!proc2_allowed(p, PROC2_ENABLE_VPID))
        return sim_vmx_fault(cpu, SIM_INSN_INVVPID, VEC_UD,
                             "INVVPID: processor does not support VPIDs -> #UD (SDM Vol. 3 §31.3)");
    if (!(ept_vpid_cap(p) & VPID_CAP_INVVPID))
        return sim_vmx_fault(cpu, SIM_INSN_INVVPID, VEC_UD,
                             "INVVPID: IA32_VMX_EPT_VPID_CAP[32] = 0 -> #UD (SDM Vol. 3 §31.3)");
    /* "IF (not in VMX operation) or (CR0.PE = 0) or ... THEN #UD" */
    if (sim_vmx_ud_check(cpu, SIM_INSN_INVVPID, &r))
        return r;
    /* "IF IA32_VMX_EPT_VPID_CAP MSR indicates that processor does not support INVVPID_TYPE THEN VMfail(Invalid
     * operand to INVEPT/INVVPID)": types 0..3 are supported when bits 40..43 are set. */
    uint64_t cap = ept_vpid_cap(p);
    if (type > 3 || !(cap & (VPID_CAP_INDIVIDUAL_ADDRESS << type)))
        return sim_vmx_fail(cpu, HV_VMXERR_INVALID_INVEPT_INVVPID_OPERAND);
    if (!desc)
        return sim_vmx_fault(cpu, SIM_INSN_INVVPID, VEC_PF, "INVVPID: descriptor not addressable -> #PF");
    /* "IF INVVPID_DESC[63:16] != 0 THEN VMfail(Invalid operand to INVEPT/INVVPID)" */
    if (desc->vpid >> 16)
        return sim_vmx_fail(cpu, HV_VMXERR_INVALID_INVEPT_INVVPID_OPERAND);
    uint16_t vpid = (uint16_t)desc->vpid;
    switch (type) {
    case 0:
        /* "0: individual-address invalidation: IF VPID = 0 THEN VMfail(...); ELSE GL_ADDR :=
         * INVVPID_DESC[127:64]; IF (GL_ADDR is not in a canonical form) THEN VMfail(...)", canonical
         * relative to the processor's linear-address width (48, or 57 with 5-level paging) */
        if (vpid == 0 || !sim_canonical(p, desc->linear_address))
            return sim_vmx_fail(cpu, HV_VMXERR_INVALID_INVEPT_INVVPID_OPERAND);
        break;
    case 1: /* "1: single-context invalidation: IF VPID = 0 THEN VMfail(...)" */
    case 3: /* "3: single-context invalidation retaining globals: IF VPID = 0 THEN VMfail(...)" */
        if (vpid == 0)
            return sim_vmx_fail(cpu, HV_VMXERR_INVALID_INVEPT_INVVPID_OPERAND);
        break;
    default: /* "2: all-context invalidation" */
        break;
    }
    /* "Invalidate mappings ...; VMsucceed": the sim caches no translations. */
    return sim_vmx_succeed();
}
