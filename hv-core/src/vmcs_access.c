/* Checked VMREAD/VMWRITE of a VM's VMCS. On hardware an unchecked VMREAD after a failure returns garbage
 * (notes/bochs.md); here every failure kills the VM with the SDM's name for it. */
#include "core.h"

#include <hv/vmcs_fields.h>
#include <hv/vmx_errors.h>

void hv_describe_vmx_result(char *buf, size_t size, const char *insn, struct hv_vmx_result r)
{
    if (r.status == HV_VMFAIL_VALID)
        hv_snprintf(buf, size, "%s: VMfailValid(%u): %s (SDM Vol. 3 §31.4)", insn, r.error,
                    hv_vmx_error_text(r.error));
    else if (r.status == HV_VMFAIL_INVALID)
        hv_snprintf(buf, size, "%s: VMfailInvalid (no current VMCS, or the instruction faulted)", insn);
    else
        hv_snprintf(buf, size, "%s: VMsucceed", insn);
}

static const char *field_name(uint32_t encoding)
{
    int ord = hv_vmcs_field_lookup(encoding, 0);
    return ord < 0 ? "unknown field" : hv_vmcs_field_table[ord].name;
}

uint64_t hv_vmread(struct hv_vm *vm, uint32_t encoding)
{
    uint64_t v = 0;
    struct hv_vmx_result r = hv_arch_vmread(vm->cpu->arch, encoding, &v);
    if (r.status != HV_VMSUCCEED) {
        char what[HV_MESSAGE_MAX];
        hv_describe_vmx_result(what, sizeof what, "VMREAD", r);
        if (!vm->dead)
            hv_vm_kill(vm, "%s of 0x%x (%s)", what, encoding, field_name(encoding));
        return 0;
    }
    return v;
}

void hv_vmwrite(struct hv_vm *vm, uint32_t encoding, uint64_t value)
{
    struct hv_vmx_result r = hv_arch_vmwrite(vm->cpu->arch, encoding, value);
    if (r.status != HV_VMSUCCEED && !vm->dead) {
        char what[HV_MESSAGE_MAX];
        hv_describe_vmx_result(what, sizeof what, "VMWRITE", r);
        hv_vm_kill(vm, "%s of 0x%x (%s)", what, encoding, field_name(encoding));
    }
}
