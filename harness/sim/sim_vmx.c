/* VMXON, VMXOFF, VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE: SDM Vol. 3 §31.3, checks in the order of each
 * instruction's "Operation" pseudocode; error numbers from §31.4 (Table 31-1). */
#include "sim_vmcs.h"
#include "sim_vmx.h"

#include <hv/vmx_controls.h>
#include <hv/vmx_errors.h>
#include <hv/x86.h>

/* ---- conventions shared by every instruction (§31.2) ---- */

struct hv_vmx_result sim_vmx_succeed(void) { return (struct hv_vmx_result){.status = HV_VMSUCCEED}; }
struct hv_vmx_result sim_vmx_fail_invalid(void) { return (struct hv_vmx_result){.status = HV_VMFAIL_INVALID}; }

struct hv_vmx_result sim_vmx_fail(struct hv_arch_cpu *cpu, uint32_t error)
{
    /* §31.2 VMfail(ErrorNumber): "IF VMCS pointer is valid THEN VMfailValid(ErrorNumber) ELSE VMfailInvalid".
     * VMfailValid stores the number in the current VMCS's VM-instruction error field. */
    uint64_t *f = cpu->current_vmcs == SIM_NO_VMCS ? NULL : sim_vmcs_fields(cpu->m, cpu->current_vmcs);
    if (!f)
        return sim_vmx_fail_invalid();
    sim_vmcs_put(f, HV_VMCS_ORD_VM_INSTRUCTION_ERROR, 0, error);
    return (struct hv_vmx_result){.status = HV_VMFAIL_VALID, .error = error};
}

struct hv_vmx_result sim_vmx_fault(struct hv_arch_cpu *cpu, enum sim_insn insn, uint8_t vector,
                                   const char *reason)
{
    sim_cpu_raise(cpu, insn, vector, reason);
    return sim_vmx_fail_invalid();
}

bool sim_vmx_begin(struct hv_arch_cpu *cpu, enum sim_insn insn, struct hv_vmx_result *injected)
{
    cpu->fault.raised = false;
    cpu->vmx_instructions++;
    if (!sim_take_vmx_injection(cpu->m, insn, injected))
        return false;
    /* An injected VMfailValid still lands in the error field, as the core would read it from there. */
    if (injected->status == HV_VMFAIL_VALID && cpu->current_vmcs != SIM_NO_VMCS) {
        uint64_t *f = sim_vmcs_fields(cpu->m, cpu->current_vmcs);
        if (f)
            sim_vmcs_put(f, HV_VMCS_ORD_VM_INSTRUCTION_ERROR, 0, injected->error);
    }
    return true;
}

bool sim_vmx_ud_check(struct hv_arch_cpu *cpu, enum sim_insn insn, struct hv_vmx_result *r)
{
    /* §31.3 (every instruction but VMXON): "IF (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or
     * (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD". The sim's host runs in 64-bit mode (CS.L = 1) and never in
     * virtual-8086 mode, so the last two never hold. */
    if (!cpu->in_vmx_operation) {
        *r = sim_vmx_fault(cpu, insn, VEC_UD, "not in VMX operation -> #UD (SDM Vol. 3 §31.3)");
        return true;
    }
    if (!(cpu->cr0 & CR0_PE)) {
        *r = sim_vmx_fault(cpu, insn, VEC_UD, "CR0.PE = 0 -> #UD (SDM Vol. 3 §31.3)");
        return true;
    }
    return false;
}

bool sim_cr0_ok_for_vmx(const struct sim_profile *p, uint64_t cr0)
{
    /* §24.8 "Restrictions on VMX Operation", §A.7: bits set in FIXED0 must be 1, bits clear in FIXED1 must
     * be 0. */
    uint64_t fixed0 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR0_FIXED0);
    uint64_t fixed1 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR0_FIXED1);
    return (cr0 & fixed0) == fixed0 && (cr0 & ~fixed1) == 0;
}

bool sim_cr4_ok_for_vmx(const struct sim_profile *p, uint64_t cr4)
{
    /* §24.8, §A.8 */
    uint64_t fixed0 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR4_FIXED0);
    uint64_t fixed1 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR4_FIXED1);
    return (cr4 & fixed0) == fixed0 && (cr4 & ~fixed1) == 0;
}

/* "addr is not 4KB-aligned or addr sets any bits beyond the physical-address width" (§31.3 VMXON, VMCLEAR,
 * VMPTRLD; the width is 32 when IA32_VMX_BASIC[48] = 1, §A.1). */
static bool bad_vmx_pointer(const struct hv_arch_cpu *cpu, hv_paddr_t addr)
{
    unsigned w = sim_machine_vmx_addr_width(cpu->m);
    return (addr & 0xfffu) != 0 || (w < 64 && (addr >> w) != 0);
}

/* The first 32 bits of a region. Memory the machine does not have reads as all ones, as an unbacked bus
 * read does; that value never matches a revision identifier (bit 31 is set and bits 30:0 are not a valid
 * revision on any profile). */
static uint32_t region_revision(struct hv_arch_cpu *cpu, hv_paddr_t addr)
{
    uint32_t rev;
    if (!sim_phys_read(cpu->m, addr, &rev, sizeof rev))
        rev = 0xffffffffu;
    return rev;
}

static uint32_t vmcs_revision_id(const struct hv_arch_cpu *cpu)
{
    return (uint32_t)(sim_profile_vmx_msr(sim_machine_profile(cpu->m), MSR_IA32_VMX_BASIC) &
                      VMX_BASIC_REVISION_MASK);
}

/* ---- VMXON ---- */

struct hv_vmx_result sim_vmx_vmxon(struct hv_arch_cpu *cpu, hv_paddr_t addr)
{
    struct hv_vmx_result r;
    const struct sim_profile *p = sim_machine_profile(cpu->m);
    if (sim_vmx_begin(cpu, SIM_INSN_VMXON, &r))
        return r;
    /* §31.3 VMXON: "IF (register operand) or (CR0.PE = 0) or (CR4.VMXE = 0) or ... THEN #UD" */
    if (!(cpu->cr0 & CR0_PE))
        return sim_vmx_fault(cpu, SIM_INSN_VMXON, VEC_UD, "VMXON: CR0.PE = 0 -> #UD (SDM Vol. 3 §31.3)");
    if (!(cpu->cr4 & CR4_VMXE))
        return sim_vmx_fault(cpu, SIM_INSN_VMXON, VEC_UD, "VMXON: CR4.VMXE = 0 -> #UD (SDM Vol. 3 §31.3)");
    if (cpu->in_vmx_operation) {
        /* §31.3 VMXON: in VMX root operation at CPL 0 -> "VMfail(VMXON executed in VMX root operation)":
         * VMfailValid(15) with a current VMCS, VMfailInvalid without. */
        return sim_vmx_fail(cpu, HV_VMXERR_VMXON_IN_ROOT);
    }
    /* §31.3 VMXON, outside VMX operation: "(the values of CR0 and CR4 are not supported in VMX operation;
     * see Section 24.8) ... THEN #GP(0)" */
    if (!sim_cr0_ok_for_vmx(p, cpu->cr0))
        return sim_vmx_fault(cpu, SIM_INSN_VMXON, VEC_GP,
                             "VMXON: CR0 not allowed by IA32_VMX_CR0_FIXED0/1 -> #GP(0) (SDM Vol. 3 §31.3, §24.8)");
    if (!sim_cr4_ok_for_vmx(p, cpu->cr4))
        return sim_vmx_fault(cpu, SIM_INSN_VMXON, VEC_GP,
                             "VMXON: CR4 not allowed by IA32_VMX_CR4_FIXED0/1 -> #GP(0) (SDM Vol. 3 §31.3, §24.8)");
    /* §31.3 VMXON: "(bit 0 (lock bit) of IA32_FEATURE_CONTROL MSR is clear) ... THEN #GP(0)" */
    if (!(cpu->feature_control & FEATURE_CONTROL_LOCK))
        return sim_vmx_fault(cpu, SIM_INSN_VMXON, VEC_GP,
                             "VMXON: IA32_FEATURE_CONTROL lock bit clear -> #GP(0) (SDM Vol. 3 §31.3)");
    /* §31.3 VMXON: "(outside SMX operation and bit 2 of IA32_FEATURE_CONTROL MSR is clear) THEN #GP(0)";
     * the sim is never in SMX operation (no GETSEC[SENTER]). */
    if (!(cpu->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
        return sim_vmx_fault(cpu, SIM_INSN_VMXON, VEC_GP,
                             "VMXON: IA32_FEATURE_CONTROL bit 2 (VMX outside SMX) clear -> #GP(0) (SDM Vol. 3 §31.3)");
    /* §31.3 VMXON: "IF addr is not 4KB-aligned or addr sets any bits beyond the physical-address width THEN
     * VMfailInvalid" */
    if (bad_vmx_pointer(cpu, addr))
        return sim_vmx_fail_invalid();
    /* §31.3 VMXON: "IF rev[30:0] != VMCS revision identifier supported by processor OR rev[31] = 1 THEN
     * VMfailInvalid" */
    uint32_t rev = region_revision(cpu, addr);
    if ((rev & VMX_BASIC_REVISION_MASK) != vmcs_revision_id(cpu) || (rev & VMCS_SHADOW_INDICATOR))
        return sim_vmx_fail_invalid();
    /* §31.3 VMXON: "current-VMCS pointer := FFFFFFFF_FFFFFFFFH; enter VMX operation; ... VMsucceed" */
    cpu->current_vmcs = SIM_NO_VMCS;
    cpu->vmxon_ptr = addr;
    cpu->in_vmx_operation = true;
    cpu->vmx_session = sim_machine_next_vmx_session(cpu->m);
    return sim_vmx_succeed();
}

/* ---- VMXOFF ---- */

struct hv_vmx_result sim_vmx_vmxoff(struct hv_arch_cpu *cpu)
{
    struct hv_vmx_result r;
    if (sim_vmx_begin(cpu, SIM_INSN_VMXOFF, &r))
        return r;
    /* §31.3 VMXOFF: "IF (not in VMX operation) or (CR0.PE = 0) or ... THEN #UD" */
    if (sim_vmx_ud_check(cpu, SIM_INSN_VMXOFF, &r))
        return r;
    /* §31.3 VMXOFF: "ELSIF dual-monitor treatment of SMIs and SMM is active THEN VMfail(23)". The sim has no
     * SMM monitor (IA32_SMM_MONITOR_CTL is not modelled), so error 23 cannot arise. */
    /* §31.3 VMXOFF: "leave VMX operation; ... VMsucceed". The current-VMCS pointer has no meaning outside VMX
     * operation and VMXON sets it to FFFFFFFF_FFFFFFFFH again. A VMCS that was not VMCLEARed first stays
     * "launched" in its region, from a session that is now over: §25.11.1 warns that such a VMCS may be
     * corrupted, and VMRESUME of it later fails with error 6 (sim_vmx_entry.c). */
    cpu->in_vmx_operation = false;
    cpu->current_vmcs = SIM_NO_VMCS;
    cpu->vmxon_ptr = SIM_NO_VMCS;
    cpu->vmx_session = 0;
    return sim_vmx_succeed();
}

/* ---- VMCLEAR ---- */

struct hv_vmx_result sim_vmx_vmclear(struct hv_arch_cpu *cpu, hv_paddr_t addr)
{
    struct hv_vmx_result r;
    if (sim_vmx_begin(cpu, SIM_INSN_VMCLEAR, &r))
        return r;
    /* §31.3 VMCLEAR: "IF (register operand) or (not in VMX operation) or (CR0.PE = 0) or ... THEN #UD" */
    if (sim_vmx_ud_check(cpu, SIM_INSN_VMCLEAR, &r))
        return r;
    /* §31.3 VMCLEAR: "IF addr is not 4KB-aligned OR addr sets any bits beyond the physical-address width
     * THEN VMfail(VMCLEAR with invalid physical address)" */
    if (bad_vmx_pointer(cpu, addr))
        return sim_vmx_fail(cpu, HV_VMXERR_VMCLEAR_INVALID_ADDR);
    /* §31.3 VMCLEAR: "ELSIF addr = VMXON pointer THEN VMfail(VMCLEAR with VMXON pointer)" */
    if (addr == cpu->vmxon_ptr)
        return sim_vmx_fail(cpu, HV_VMXERR_VMCLEAR_VMXON_PTR);
    /* §31.3 VMCLEAR: "ensure that data for VMCS referenced by the operand is in memory; initialize
     * implementation-specific data in VMCS region; launch state of VMCS referenced by the operand :=
     * 'clear'". No revision check: VMCLEAR prepares any region. An address outside the machine's memory is
     * written nowhere, as a write to unbacked physical memory. */
    struct sim_vmcs_region *reg = sim_vmcs_region(cpu->m, addr);
    if (reg) {
        reg->launch_state = SIM_VMCS_CLEAR;
        reg->session = 0;
    }
    /* "IF operand addr = current-VMCS pointer THEN current-VMCS pointer := FFFFFFFF_FFFFFFFFH" */
    if (addr == cpu->current_vmcs)
        cpu->current_vmcs = SIM_NO_VMCS;
    return sim_vmx_succeed();
}

/* ---- VMPTRLD ---- */

static bool supports_vmcs_shadowing(const struct sim_profile *p)
{
    /* "processor does not support 1-setting of 'VMCS shadowing'" (§31.3 VMPTRLD): secondary controls exist
     * only when primary bit 31 may be 1 (§A.3.2), and bit 14 must be allowed-1 in IA32_VMX_PROCBASED_CTLS2
     * (§A.3.3: allowed-1 settings are bits 63:32). */
    uint64_t proc = sim_profile_vmx_msr(p, MSR_IA32_VMX_PROCBASED_CTLS);
    uint64_t proc2 = sim_profile_vmx_msr(p, MSR_IA32_VMX_PROCBASED_CTLS2);
    return ((proc >> 32) & PROC_ACTIVATE_SECONDARY_CONTROLS) && ((proc2 >> 32) & PROC2_VMCS_SHADOWING);
}

struct hv_vmx_result sim_vmx_vmptrld(struct hv_arch_cpu *cpu, hv_paddr_t addr)
{
    struct hv_vmx_result r;
    if (sim_vmx_begin(cpu, SIM_INSN_VMPTRLD, &r))
        return r;
    /* §31.3 VMPTRLD: "IF (register operand) or (not in VMX operation) or (CR0.PE = 0) or ... THEN #UD" */
    if (sim_vmx_ud_check(cpu, SIM_INSN_VMPTRLD, &r))
        return r;
    /* §31.3 VMPTRLD: "IF addr is not 4KB-aligned OR addr sets any bits beyond the physical-address width
     * THEN VMfail(VMPTRLD with invalid physical address)" */
    if (bad_vmx_pointer(cpu, addr))
        return sim_vmx_fail(cpu, HV_VMXERR_VMPTRLD_INVALID_ADDR);
    /* "ELSIF addr = VMXON pointer THEN VMfail(VMPTRLD with VMXON pointer)" */
    if (addr == cpu->vmxon_ptr)
        return sim_vmx_fail(cpu, HV_VMXERR_VMPTRLD_VMXON_PTR);
    /* "rev := 32 bits located at physical address addr; IF rev[30:0] != VMCS revision identifier supported
     * by processor OR rev[31] = 1 AND processor does not support 1-setting of 'VMCS shadowing' THEN
     * VMfail(VMPTRLD with incorrect VMCS revision identifier)" */
    uint32_t rev = region_revision(cpu, addr);
    if ((rev & VMX_BASIC_REVISION_MASK) != vmcs_revision_id(cpu) ||
        ((rev & VMCS_SHADOW_INDICATOR) && !supports_vmcs_shadowing(sim_machine_profile(cpu->m))))
        return sim_vmx_fail(cpu, HV_VMXERR_VMPTRLD_BAD_REVISION);
    /* "current-VMCS pointer := addr; VMsucceed". The revision matched, so the region is in memory. */
    cpu->current_vmcs = addr;
    return sim_vmx_succeed();
}

/* ---- VMPTRST ---- */

struct hv_vmx_result sim_vmx_vmptrst(struct hv_arch_cpu *cpu, hv_paddr_t *out)
{
    struct hv_vmx_result r;
    if (sim_vmx_begin(cpu, SIM_INSN_VMPTRST, &r))
        return r;
    /* §31.3 VMPTRST: "IF (register operand) or (not in VMX operation) or ... THEN #UD" */
    if (sim_vmx_ud_check(cpu, SIM_INSN_VMPTRST, &r))
        return r;
    /* "64-bit in-memory destination operand := current-VMCS pointer; VMsucceed" (FFFFFFFF_FFFFFFFFH when
     * there is none: VMPTRST never fails for want of a current VMCS) */
    if (out)
        *out = cpu->current_vmcs;
    return sim_vmx_succeed();
}

/* ---- VMREAD / VMWRITE ---- */

/* "source operand does not correspond to any VMCS field" (§31.3 VMREAD/VMWRITE): in 64-bit mode the encoding
 * is a 64-bit register and any of bits 63:32 set names no field; otherwise the encoding must be one of
 * Appendix B, and the processor must have the field (the profile decides, §31.4 error 12). */
static int field_of(const struct hv_arch_cpu *cpu, uint64_t encoding, int *high)
{
    if (encoding >> 32)
        return -1;
    int ord = hv_vmcs_field_lookup((uint32_t)encoding, high);
    if (ord < 0 || !sim_machine_has_vmcs_field(cpu->m, ord))
        return -1;
    return ord;
}

struct hv_vmx_result sim_vmx_vmread(struct hv_arch_cpu *cpu, uint64_t encoding, uint64_t *value)
{
    struct hv_vmx_result r;
    if (sim_vmx_begin(cpu, SIM_INSN_VMREAD, &r))
        return r;
    /* §31.3 VMREAD: "IF (not in VMX operation) or (CR0.PE = 0) or ... THEN #UD" */
    if (sim_vmx_ud_check(cpu, SIM_INSN_VMREAD, &r))
        return r;
    /* "ELSIF (in VMX root operation AND current-VMCS pointer is not valid) ... THEN VMfailInvalid" */
    uint64_t *f = cpu->current_vmcs == SIM_NO_VMCS ? NULL : sim_vmcs_fields(cpu->m, cpu->current_vmcs);
    if (!f)
        return sim_vmx_fail_invalid();
    /* "ELSIF source operand does not correspond to any VMCS field THEN VMfailValid(VMREAD/VMWRITE from/to
     * unsupported VMCS component)" */
    int high = 0;
    int ord = field_of(cpu, encoding, &high);
    if (ord < 0)
        return sim_vmx_fail(cpu, HV_VMXERR_UNSUPPORTED_COMPONENT);
    /* "destination operand := contents of field indexed by source operand in current VMCS": zero-extended
     * from the field's width; a high access yields bits 63:32 (§25.11.2). */
    if (value)
        *value = sim_vmcs_get(f, ord, high);
    return sim_vmx_succeed();
}

struct hv_vmx_result sim_vmx_vmwrite(struct hv_arch_cpu *cpu, uint64_t encoding, uint64_t value)
{
    struct hv_vmx_result r;
    if (sim_vmx_begin(cpu, SIM_INSN_VMWRITE, &r))
        return r;
    /* §31.3 VMWRITE: "IF (not in VMX operation) or (CR0.PE = 0) or ... THEN #UD" */
    if (sim_vmx_ud_check(cpu, SIM_INSN_VMWRITE, &r))
        return r;
    /* "ELSIF (in VMX root operation AND current-VMCS pointer is not valid) ... THEN VMfailInvalid" */
    uint64_t *f = cpu->current_vmcs == SIM_NO_VMCS ? NULL : sim_vmcs_fields(cpu->m, cpu->current_vmcs);
    if (!f)
        return sim_vmx_fail_invalid();
    /* "ELSIF source operand does not correspond to any VMCS field THEN VMfailValid(12)" */
    int high = 0;
    int ord = field_of(cpu, encoding, &high);
    if (ord < 0)
        return sim_vmx_fail(cpu, HV_VMXERR_UNSUPPORTED_COMPONENT);
    /* "ELSIF VMCS field indexed by source operand is in the VM-exit information field area and the processor
     * does not support writing to such fields THEN VMfailValid(VMWRITE to read-only VMCS component)";
     * IA32_VMX_MISC bit 29 says whether it does (§A.6). */
    if (hv_vmcs_field_table[ord].type == HV_VMCS_TRO &&
        !(sim_profile_vmx_msr(sim_machine_profile(cpu->m), MSR_IA32_VMX_MISC) & VMX_MISC_VMWRITE_ANY_FIELD))
        return sim_vmx_fail(cpu, HV_VMXERR_VMWRITE_READ_ONLY);
    /* "field indexed by destination operand in current VMCS := source operand": bits beyond the field's width
     * are ignored; a high access writes bits 63:32 from bits 31:0 of the operand (§25.11.2). */
    sim_vmcs_put(f, ord, high, value);
    return sim_vmx_succeed();
}
