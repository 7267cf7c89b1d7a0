/* The VMX instructions of hv/arch.h with the real opcodes (SDM Vol. 3 Chapter 31), each checked: the
 * outcome is read from CF and ZF right after the instruction (flag-output asm operands), never guessed.
 *
 * A VMX instruction that faults instead (#UD outside VMX operation, #GP for a bad operand) goes to the boot
 * IDT's handler and ends the run with HVKIT-CRASH: the core never issues one in a state where the SDM says
 * it faults, so a fault here is a platform or core bug, not a guest's doing. */
#include "vmx_internal.h"

/* SDM Vol. 3 §31.3 VMREAD: Intel "VMREAD r/m64, r64" (destination, encoding); AT&T reverses the operands.
 * The flags go to the caller, who decides what they mean. */
static uint64_t vmread_flags(uint64_t encoding, bool *cf, bool *zf)
{
    uint64_t v = 0;
    __asm__ __volatile__("vmread %[enc], %[val]"
                         : [val] "=r"(v), "=@ccc"(*cf), "=@ccz"(*zf)
                         : [enc] "r"(encoding)
                         : "cc");
    return v;
}

struct hv_vmx_result vmx_outcome(struct hv_arch_cpu *cpu, bool cf, bool zf)
{
    (void)cpu;
    if (cf) /* SDM Vol. 3 §31.2 VMfailInvalid: CF = 1 */
        return (struct hv_vmx_result){.status = HV_VMFAIL_INVALID, .error = 0};
    if (!zf) /* VMsucceed: CF = ZF = 0 */
        return (struct hv_vmx_result){.status = HV_VMSUCCEED, .error = 0};
    /* VMfailValid: ZF = 1 and the error number is in the current VMCS's VM-instruction error field (SDM
     * Vol. 3 §31.2, §31.4). That VMREAD cannot fail in this state (there is a current VMCS, or there would
     * have been no VMfailValid); if it does anyway, report error 0 rather than stale data. */
    bool rcf, rzf;
    uint64_t err = vmread_flags(VMX_FIELD_VM_INSTRUCTION_ERROR, &rcf, &rzf);
    if (rcf || rzf)
        err = 0;
    return (struct hv_vmx_result){.status = HV_VMFAIL_VALID, .error = (uint32_t)err};
}

/* A VMX instruction whose only outputs are CF and ZF, and its outcome from them (vmx_outcome, SDM Vol. 3
 * §31.2). insn is the asm template, the rest its input operands. "memory": the instructions read or change
 * memory and VMX state the compiler cannot see. */
#define VMX_CHECKED(cpu, insn, ...)                                                                          \
    __extension__({                                                                                          \
        bool cf_, zf_;                                                                                       \
        __asm__ __volatile__(insn : "=@ccc"(cf_), "=@ccz"(zf_) : __VA_ARGS__ : "memory", "cc");             \
        vmx_outcome((cpu), cf_, zf_);                                                                        \
    })

/* SDM Vol. 3 §31.3 VMXON: operand is a 64-bit memory location holding the VMXON region's physical address. */
struct hv_vmx_result hv_arch_vmxon(struct hv_arch_cpu *cpu, hv_paddr_t vmxon_region)
{
    struct hv_vmx_result r = VMX_CHECKED(cpu, "vmxon %[pa]", [pa] "m"(vmxon_region));
    if (r.status == HV_VMSUCCEED && cpu) {
        cpu->vmx_on = true;
        cpu->current_vmcs = 0; /* VMXON leaves the current-VMCS pointer invalid (§31.3 VMXON) */
    }
    return r;
}

/* SDM Vol. 3 §31.3 VMXOFF. */
struct hv_vmx_result hv_arch_vmxoff(struct hv_arch_cpu *cpu)
{
    struct hv_vmx_result r = VMX_CHECKED(cpu, "vmxoff", );
    if (r.status == HV_VMSUCCEED && cpu) {
        cpu->vmx_on = false;
        cpu->current_vmcs = 0;
    }
    return r;
}

/* SDM Vol. 3 §31.3 VMCLEAR: clearing the current VMCS makes the current-VMCS pointer invalid. */
struct hv_vmx_result hv_arch_vmclear(struct hv_arch_cpu *cpu, hv_paddr_t vmcs)
{
    struct hv_vmx_result r = VMX_CHECKED(cpu, "vmclear %[pa]", [pa] "m"(vmcs));
    if (r.status == HV_VMSUCCEED && cpu && cpu->current_vmcs == vmcs)
        cpu->current_vmcs = 0;
    return r;
}

/* SDM Vol. 3 §31.3 VMPTRLD. */
struct hv_vmx_result hv_arch_vmptrld(struct hv_arch_cpu *cpu, hv_paddr_t vmcs)
{
    struct hv_vmx_result r = VMX_CHECKED(cpu, "vmptrld %[pa]", [pa] "m"(vmcs));
    if (r.status == HV_VMSUCCEED && cpu)
        cpu->current_vmcs = vmcs;
    return r;
}

/* SDM Vol. 3 §31.3 VMPTRST: stores the current-VMCS pointer (FFFFFFFF_FFFFFFFFH when none). */
struct hv_vmx_result hv_arch_vmptrst(struct hv_arch_cpu *cpu, hv_paddr_t *vmcs)
{
    bool cf, zf;
    hv_paddr_t v = 0;
    __asm__ __volatile__("vmptrst %[pa]" : [pa] "=m"(v), "=@ccc"(cf), "=@ccz"(zf) : : "memory", "cc");
    struct hv_vmx_result r = vmx_outcome(cpu, cf, zf);
    if (r.status == HV_VMSUCCEED && vmcs)
        *vmcs = v;
    return r;
}

/* SDM Vol. 3 §31.3 VMREAD (vmread_flags). */
struct hv_vmx_result hv_arch_vmread(struct hv_arch_cpu *cpu, uint64_t encoding, uint64_t *value)
{
    bool cf, zf;
    uint64_t v = vmread_flags(encoding, &cf, &zf);
    struct hv_vmx_result r = vmx_outcome(cpu, cf, zf);
    if (value)
        *value = r.status == HV_VMSUCCEED ? v : 0; /* a failed VMREAD leaves its destination unmodified */
    return r;
}

/* SDM Vol. 3 §31.3 VMWRITE: Intel "VMWRITE r64, r/m64" (encoding, value). */
struct hv_vmx_result hv_arch_vmwrite(struct hv_arch_cpu *cpu, uint64_t encoding, uint64_t value)
{
    return VMX_CHECKED(cpu, "vmwrite %[val], %[enc]", [enc] "r"(encoding), [val] "r"(value));
}

/* SDM Vol. 3 §31.3 INVEPT: Intel "INVEPT r64, m128" (type, descriptor). The type is checked by the processor
 * against IA32_VMX_EPT_VPID_CAP (an unsupported type is VMfailValid 28); the core picks only offered types. */
struct hv_vmx_result hv_arch_invept(struct hv_arch_cpu *cpu, uint64_t type, const struct hv_invept_desc *desc)
{
    return VMX_CHECKED(cpu, "invept %[d], %[t]", [t] "r"(type), [d] "m"(*desc));
}

/* SDM Vol. 3 §31.3 INVVPID: Intel "INVVPID r64, m128" (type, descriptor). */
struct hv_vmx_result hv_arch_invvpid(struct hv_arch_cpu *cpu, uint64_t type, const struct hv_invvpid_desc *desc)
{
    return VMX_CHECKED(cpu, "invvpid %[d], %[t]", [t] "r"(type), [d] "m"(*desc));
}
