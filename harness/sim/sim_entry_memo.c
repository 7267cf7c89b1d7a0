/* The §27.2 memo (sim_entry_memo.h). */
#include "sim_entry_memo.h"

#include <hv/vmx_controls.h>

/* 1 for the fields the §27.2 rules read: every control and host-state field, and guest CR0. */
static const uint8_t is_input[HV_VMCS_FIELD_COUNT] = {
#define SIM_MEMO_ROW(name, enc, w, t, feat, sdm)                                                             \
    [HV_VMCS_ORD_##name] = (HV_VMCS_##t == HV_VMCS_TCTL || HV_VMCS_##t == HV_VMCS_THOST ||                   \
                            HV_VMCS_ORD_##name == HV_VMCS_ORD_GUEST_CR0),
    HV_VMCS_FIELDS(SIM_MEMO_ROW)
#undef SIM_MEMO_ROW
};

bool sim_entry_memo_hit(const struct sim_entry_memo *m, const uint64_t *fields, bool host_ia32e)
{
    if (!m->valid || m->host_ia32e != host_ia32e)
        return false;
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++)
        if (is_input[i] && m->inputs[i] != fields[i])
            return false;
    return true;
}

void sim_entry_memo_store(struct sim_entry_memo *m, const uint64_t *fields, bool host_ia32e)
{
    /* With "use TPR shadow" a §27.2.1.1 rule reads VTPR from the virtual-APIC page: memory the comparison
     * cannot see, so such a VMCS is always checked in full. */
    if (fields[HV_VMCS_ORD_PRIMARY_PROC_BASED_VM_EXEC_CONTROL] & PROC_USE_TPR_SHADOW) {
        m->valid = false;
        return;
    }
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++)
        if (is_input[i])
            m->inputs[i] = fields[i];
    m->host_ia32e = host_ia32e;
    m->valid = true;
}
