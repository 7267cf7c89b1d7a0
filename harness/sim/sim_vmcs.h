/* The VMCS region as the sim lays it out in (simulated) host-physical memory.
 *
 * SDM Vol. 3 §25.2 "Format of the VMCS Region": bytes 0-3 hold the VMCS revision identifier in bits 30:0 and
 * the shadow-VMCS indicator in bit 31; bytes 4-7 the VMX-abort indicator; the rest is "VMCS data" in an
 * implementation-specific format. The sim's format for that rest: the launch state (§25.11.3: "clear" or
 * "launched"; the SDM leaves its location to the implementation), the VMX session that launched it (to
 * produce error 6, see sim_vmx_entry.c), then one uint64_t per field of Appendix B, indexed by
 * HV_VMCS_ORD_*. Everything lives in the region itself, as on hardware without VMCS caching, so software that
 * corrupts the region (or never VMCLEARs it) sees the consequences.
 */
#ifndef SIM_VMCS_H
#define SIM_VMCS_H

#include "sim_machine.h"

#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <stdint.h>

enum sim_launch_state {
    SIM_VMCS_CLEAR = 0, /* a zeroed page reads as a clear VMCS */
    SIM_VMCS_LAUNCHED = 1,
    /* any other value: neither; VMLAUNCH fails with 4 and VMRESUME with 5 (§25.11.3 leaves the launch state
     * of a region never VMCLEARed undefined) */
};

struct sim_vmcs_region {
    uint32_t revision;     /* bits 30:0 VMCS revision identifier, bit 31 shadow-VMCS indicator */
    uint32_t abort;        /* VMX-abort indicator (§25.2, §28.7) */
    uint32_t launch_state; /* enum sim_launch_state */
    uint32_t session;      /* VMX session (struct hv_arch_cpu.vmx_session) of the VMLAUNCH; 0 when clear */
    uint64_t fields[HV_VMCS_FIELD_COUNT];
};

_Static_assert(sizeof(struct sim_vmcs_region) <= SIM_PAGE_SIZE, "the VMCS must fit its 4-KiB region");

/* The region at vmcs, or NULL when vmcs is not 4-KiB aligned or not in the machine's memory. */
struct sim_vmcs_region *sim_vmcs_region(struct sim_machine *m, hv_paddr_t vmcs);
/* Its field values (by HV_VMCS_ORD_*), or NULL as above. */
uint64_t *sim_vmcs_fields(struct sim_machine *m, hv_paddr_t vmcs);
/* Launch state; SIM_VMCS_CLEAR is returned for (and set ignores) a region that is not memory. */
uint32_t sim_vmcs_launch_state(struct sim_machine *m, hv_paddr_t vmcs);
void sim_vmcs_set_launch_state(struct sim_machine *m, hv_paddr_t vmcs, enum sim_launch_state s);

/* A field's value as VMREAD returns it for the given access (§31.3 VMREAD): the field's width, and for a
 * "high" access bits 63:32 of a 64-bit field in bits 31:0. */
uint64_t sim_vmcs_get(const uint64_t *fields, int ordinal, int high);
/* Store value as VMWRITE does: truncated to the field's width; a "high" access writes bits 63:32 only. */
void sim_vmcs_put(uint64_t *fields, int ordinal, int high, uint64_t value);

#endif
