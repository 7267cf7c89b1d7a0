/* VMCS region layout and field storage (sim_vmcs.h). */
#include "sim_vmcs.h"

struct sim_vmcs_region *sim_vmcs_region(struct sim_machine *m, hv_paddr_t vmcs)
{
    if (vmcs & (SIM_PAGE_SIZE - 1))
        return NULL;
    return sim_phys_ptr(m, vmcs, SIM_PAGE_SIZE);
}

uint64_t *sim_vmcs_fields(struct sim_machine *m, hv_paddr_t vmcs)
{
    struct sim_vmcs_region *r = sim_vmcs_region(m, vmcs);
    return r ? r->fields : NULL;
}

uint32_t sim_vmcs_launch_state(struct sim_machine *m, hv_paddr_t vmcs)
{
    struct sim_vmcs_region *r = sim_vmcs_region(m, vmcs);
    return r ? r->launch_state : SIM_VMCS_CLEAR;
}

void sim_vmcs_set_launch_state(struct sim_machine *m, hv_paddr_t vmcs, enum sim_launch_state s)
{
    struct sim_vmcs_region *r = sim_vmcs_region(m, vmcs);
    if (r)
        r->launch_state = s;
}

static uint64_t width_mask(int ordinal)
{
    unsigned bits = hv_vmcs_width_bits(hv_vmcs_field_table[ordinal].width);
    return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

uint64_t sim_vmcs_get(const uint64_t *fields, int ordinal, int high)
{
    /* The stored value is masked again: the region is ordinary memory that software can scribble on. */
    uint64_t v = fields[ordinal] & width_mask(ordinal);
    return high ? v >> 32 : v;
}

void sim_vmcs_put(uint64_t *fields, int ordinal, int high, uint64_t value)
{
    if (high)
        fields[ordinal] = (fields[ordinal] & 0xffffffffull) | ((value & 0xffffffffull) << 32);
    else
        fields[ordinal] = value & width_mask(ordinal);
}
