/* A VMCS state as hvkit's JSON describes it: a profile, field values, and sparse physical memory that the
 * VM-entry checks may read (the VMCS the link pointer names, MSR-load areas, PDPTEs, the virtual-APIC page).
 *   {"profile":"bochs-haswell","fields":{"0x4000":"0x16",...},"memory":{"0x13000":"2b000000",...}}
 * Field keys are encodings (hex strings; a 64-bit field's "high" encoding sets bits 63:32), values hex
 * strings no wider than the field. Memory keys are physical addresses, values the bytes stored from there on,
 * as hex digits. */
#ifndef HVKIT_VMCS_STATE_H
#define HVKIT_VMCS_STATE_H

#include "entry_check.h"
#include "sim_profile.h"

#include <hv/vmcs_fields.h>
#include <stdint.h>

#define VMCS_STATE_MAX_PAGES 64

struct vmcs_state {
    const struct sim_profile *prof;
    uint64_t f[HV_VMCS_FIELD_COUNT];
    size_t npages;
    uint64_t page_pa[VMCS_STATE_MAX_PAGES];
    uint8_t (*page)[4096];
};

/* Parse the JSON text; any problem is bad input (exit 3) with a message naming `where` and the place. */
void vmcs_state_parse(struct vmcs_state *st, const char *where, const char *text, size_t len);
void vmcs_state_free(struct vmcs_state *st);
/* The memory of st as the checks read it. */
struct ec_memory vmcs_state_memory(struct vmcs_state *st);
/* Write the state (fields the profile supports and software can write) as JSON. */
void vmcs_state_print(const struct sim_profile *p, const uint64_t f[HV_VMCS_FIELD_COUNT]);

#endif
