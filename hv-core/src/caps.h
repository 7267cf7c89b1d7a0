/* VMX capabilities of one logical processor and the controls fitted to them (SDM Vol. 3 Appendix A,
 * §25.6-§25.8). */
#ifndef HV_CAPS_H
#define HV_CAPS_H

#include "core.h"

struct hv_caps {
    uint64_t basic;                      /* IA32_VMX_BASIC (§A.1) */
    uint64_t pin, proc, exit, entry;     /* the TRUE_* MSRs when IA32_VMX_BASIC[55] = 1, else the plain ones */
    uint64_t proc2;                      /* IA32_VMX_PROCBASED_CTLS2, 0 when secondary controls are not allowed */
    uint64_t misc;                       /* IA32_VMX_MISC (§A.6) */
    uint64_t ept_vpid;                   /* IA32_VMX_EPT_VPID_CAP, 0 without EPT and VPID (§A.10) */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1; /* §A.7, §A.8 */
};

/* The controls a VM gets. */
struct hv_controls {
    uint32_t pin, proc, proc2, exit, entry;
};

/* Read the capability MSRs. false (with a message) when the processor does not answer one it must have. */
bool hv_caps_read(struct hv_arch_cpu *arch, struct hv_caps *caps, char *msg, size_t msg_size);

/* Adjust-or-fail for one control word (SDM Vol. 3 §A.3-§A.5): a capability MSR's bits 31:0 are the
 * allowed-0 settings (1 = must be 1), bits 63:32 the allowed-1 settings (0 = must be 0). The result is
 * required | (optional where allowed) | what must be 1. Returns the required bits that are not allowed (0 on
 * success). */
uint32_t hv_adjust_controls(uint64_t cap, uint32_t required, uint32_t optional, uint32_t *out);

/* All controls for a guest of the given mode. HV_ERR_CONTROL_UNSUPPORTED with a message naming the missing
 * control and its SDM section when a required one is not allowed. */
enum hv_err hv_caps_fit(const struct hv_caps *caps, enum hv_guest_mode mode, struct hv_controls *out, char *msg,
                        size_t msg_size);

/* vmcs_setup.c: VMCLEAR + VMPTRLD the VM's VMCS (vm->vmcs, revision written) and write every field: controls
 * ctl, host state from the running CPU, guest state for vm->cfg.mode, bitmaps, MSR-switch areas, EPTP, VPID.
 * The pages it points at must be allocated. HV_ERR_VMX_INSTRUCTION with vm->message on a VMX failure. */
enum hv_err hv_vmcs_setup(struct hv_vm *vm, const struct hv_caps *caps, const struct hv_controls *ctl);

#endif
