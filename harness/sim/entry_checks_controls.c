/* VM-entry checks on VMX controls: SDM Vol. 3 §27.2.1 (§26.2.1 in SDMs before 2023).
 *   §27.2.1.1 VM-execution control fields
 *   §27.2.1.2 VM-exit control fields
 *   §27.2.1.3 VM-entry control fields
 * Every failure is VMfailValid with VM-instruction error 7 ("VM entry with invalid control field(s)").
 *
 * One row per SDM condition, in the SDM's order. A rule whose control is off returns true. Where Bochs 2.7
 * (bochs/cpu/vmx.cc, VMenterLoadCheckVmControls) answers differently from the SDM, the rule follows the SDM
 * and says "Bochs 2.7: ..." so that a differential run against Bochs can account for it. */
#include "entry_check.h"
#include "vmcs_template.h"

#include <hv/vmx_controls.h>
#include <hv/x86.h>

/* ---- helpers ---------------------------------------------------------------------------------------- */

static uint64_t ctl_cap(const struct ec_ctx *c, uint32_t msr, uint32_t true_msr)
{
    return ec_ctl_cap(c, msr, true_msr);
}

/* A capability MSR as RDMSR returns it; an MSR the processor does not have reads as 0 here, which makes
 * every bit it would allow "not allowed" (the controls it governs cannot be activated on such a processor
 * in the first place: the activating bit fails its own allowed-1 check). */
static uint64_t cap_msr(const struct ec_ctx *c, uint32_t msr)
{
    return ec_cap_msr(c, msr);
}

/* "The address should not set any bits beyond the processor's physical-address width." */
static bool beyond_width(const struct ec_ctx *c, uint64_t pa)
{
    unsigned w = c->prof->maxphyaddr;
    return w < 64 && (pa >> w) != 0;
}

/* The last byte of an MSR area of count 16-byte entries at addr: beyond the width also when the sum
 * wraps past 2^64 (an address that large is beyond every width). */
static bool area_end_beyond_width(const struct ec_ctx *c, uint64_t addr, uint32_t count)
{
    uint64_t len = (uint64_t)count * 16u;
    if (addr > UINT64_MAX - (len - 1))
        return true;
    return beyond_width(c, addr + len - 1);
}

static bool ctl_allowed0(uint32_t value, uint64_t cap)
{
    return (~value & sim_ctl_must_be_1(cap)) == 0;
}

static bool ctl_allowed1(uint32_t value, uint64_t cap)
{
    return (value & ~sim_ctl_may_be_1(cap)) == 0;
}

#define PIN(c, bit) (((c)->pin & (bit)) != 0)
#define PROC(c, bit) (((c)->proc & (bit)) != 0)
#define PROC2(c, bit) (((c)->proc2 & (bit)) != 0)
#define EXITC(c, bit) (((c)->exit_ctls & (bit)) != 0)
#define ENTRYC(c, bit) (((c)->entry_ctls & (bit)) != 0)

/* ==== §27.2.1.1 Checks on VM-execution control fields ================================================ */

/* "Reserved bits in the pin-based VM-execution controls must be set properly" (IA32_VMX_PINBASED_CTLS, or
 * IA32_VMX_TRUE_PINBASED_CTLS when IA32_VMX_BASIC[55]; §A.3.1): a bit whose allowed-0 setting is 1 is 0. */
static bool pin_allowed0(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return ctl_allowed0(c->pin, ctl_cap(c, MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS));
}

/* Same bullet: a bit whose allowed-1 setting is 0 is 1. */
static bool pin_allowed1(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return ctl_allowed1(c->pin, ctl_cap(c, MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS));
}

/* "Reserved bits in the primary processor-based VM-execution controls must be set properly" (§A.3.2):
 * must-be-1 bits. */
static bool proc_allowed0(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return ctl_allowed0(c->proc, ctl_cap(c, MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS));
}

/* Same bullet: bits that may not be 1. */
static bool proc_allowed1(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return ctl_allowed1(c->proc, ctl_cap(c, MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS));
}

/* "If the 'activate secondary controls' primary processor-based VM-execution control is 1, reserved bits
 * in the secondary processor-based VM-execution controls must be cleared" (IA32_VMX_PROCBASED_CTLS2
 * bits 63:32, §A.3.3). c->proc2 is 0 when the activating bit is 0: no check then.
 * (IA32_VMX_PROCBASED_CTLS2 bits 31:0 are 0 on every processor and every named profile, so a must-be-1
 * check on the secondary controls could never fail there and is not a rule of its own.) */
static bool proc2_allowed1(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return ctl_allowed1(c->proc2, ctl_cap(c, MSR_IA32_VMX_PROCBASED_CTLS2, 0));
}

/* "If the 'activate tertiary controls' primary processor-based VM-execution control is 1, reserved bits
 * in the tertiary processor-based VM-execution controls must be cleared" (IA32_VMX_PROCBASED_CTLS3 is a
 * 64-bit allowed-1 vector with no allowed-0 half, §A.3.4). */
static bool proc3_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (c->proc3 & ~cap_msr(c, MSR_IA32_VMX_PROCBASED_CTLS3)) == 0;
}

/* "The CR3-target count must not be greater than 4. Future processors may support a different number of
 * CR3-target values. Software should read the VMX capability MSR IA32_VMX_MISC to determine the number of
 * values supported": the limit is IA32_VMX_MISC[24:16], which is 4 on every processor so far.
 * Bochs 2.7: compares with the constant 4 whatever IA32_VMX_MISC says. */
static bool cr3_target_count(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t n = VMX_MISC_CR3_TARGET_COUNT(sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_MISC));
    return (uint32_t)EC_F(c, CR3_TARGET_COUNT) <= n;
}

/* "If the 'use I/O bitmaps' VM-execution control is 1, bits 11:0 of each I/O-bitmap address must be 0":
 * bitmap A. */
static bool io_bitmap_a_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC(c, PROC_USE_IO_BITMAPS) || (EC_F(c, IO_BITMAP_A) & 0xfff) == 0;
}

/* Same bullet: "Neither address should set any bits beyond the processor's physical-address width": A. */
static bool io_bitmap_a_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC(c, PROC_USE_IO_BITMAPS) || !beyond_width(c, EC_F(c, IO_BITMAP_A));
}

/* Same bullet, bitmap B: bits 11:0 must be 0. */
static bool io_bitmap_b_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC(c, PROC_USE_IO_BITMAPS) || (EC_F(c, IO_BITMAP_B) & 0xfff) == 0;
}

/* Same bullet, bitmap B: within the physical-address width. */
static bool io_bitmap_b_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC(c, PROC_USE_IO_BITMAPS) || !beyond_width(c, EC_F(c, IO_BITMAP_B));
}

/* "If the 'use MSR bitmaps' VM-execution control is 1, bits 11:0 of the MSR-bitmap address must be 0." */
static bool msr_bitmap_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC(c, PROC_USE_MSR_BITMAPS) || (EC_F(c, MSR_BITMAP) & 0xfff) == 0;
}

/* Same bullet: "The address should not set any bits beyond the processor's physical-address width." */
static bool msr_bitmap_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC(c, PROC_USE_MSR_BITMAPS) || !beyond_width(c, EC_F(c, MSR_BITMAP));
}

/* "If the 'use TPR shadow' VM-execution control is 1, the virtual-APIC address must satisfy: bits 11:0 of
 * the address must be 0." */
static bool virtual_apic_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC(c, PROC_USE_TPR_SHADOW) || (EC_F(c, VIRTUAL_APIC_PAGE_ADDR) & 0xfff) == 0;
}

/* Same bullet: "The address should not set any bits beyond the processor's physical-address width." */
static bool virtual_apic_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC(c, PROC_USE_TPR_SHADOW) || !beyond_width(c, EC_F(c, VIRTUAL_APIC_PAGE_ADDR));
}

/* "If the 'use TPR shadow' VM-execution control is 1 and the 'virtual-interrupt delivery' VM-execution
 * control is 0, bits 31:4 of the TPR threshold VM-execution control field must be 0." */
static bool tpr_threshold_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!PROC(c, PROC_USE_TPR_SHADOW) || PROC2(c, PROC2_VIRTUAL_INTERRUPT_DELIVERY))
        return true;
    return (EC_F(c, TPR_THRESHOLD) & 0xfffffff0u) == 0;
}

/* "The following check is performed if the 'use TPR shadow' VM-execution control is 1 and the 'virtualize
 * APIC accesses' and 'virtual-interrupt delivery' VM-execution controls are both 0: the value of bits 3:0
 * of the TPR threshold VM-execution control field should not be greater than the value of bits 7:4 of
 * VTPR" (byte 80H of the virtual-APIC page). The VTPR is read from physical memory; where there is no
 * memory the read returns all ones, as a read of non-existent memory does on the platform, so VTPR[7:4] is
 * 15 and the check passes. */
static bool tpr_threshold_vtpr(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!PROC(c, PROC_USE_TPR_SHADOW) || PROC2(c, PROC2_VIRTUALIZE_APIC_ACCESSES) ||
        PROC2(c, PROC2_VIRTUAL_INTERRUPT_DELIVERY))
        return true;
    uint8_t vtpr = 0xff;
    if (!c->mem.read || !c->mem.read(c->mem.opaque, EC_F(c, VIRTUAL_APIC_PAGE_ADDR) + VAPIC_VTPR_OFFSET, &vtpr, 1))
        vtpr = 0xff;
    return (EC_F(c, TPR_THRESHOLD) & 0xf) <= (uint64_t)(vtpr >> 4);
}

/* "If the 'use TPR shadow' VM-execution control is 0, the following VM-execution controls must also be 0:
 * 'virtualize x2APIC mode', 'APIC-register virtualization', and 'virtual-interrupt delivery'":
 * virtualize x2APIC mode. */
static bool x2apic_tpr_shadow(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return PROC(c, PROC_USE_TPR_SHADOW) || !PROC2(c, PROC2_VIRTUALIZE_X2APIC_MODE);
}

/* Same bullet: APIC-register virtualization. */
static bool apic_register_virt_tpr_shadow(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return PROC(c, PROC_USE_TPR_SHADOW) || !PROC2(c, PROC2_APIC_REGISTER_VIRTUALIZATION);
}

/* Same bullet: virtual-interrupt delivery. */
static bool vid_tpr_shadow(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return PROC(c, PROC_USE_TPR_SHADOW) || !PROC2(c, PROC2_VIRTUAL_INTERRUPT_DELIVERY);
}

/* "If the 'NMI exiting' VM-execution control is 0, the 'virtual NMIs' VM-execution control must be 0." */
static bool nmi_virtual_nmis(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return PIN(c, PIN_NMI_EXITING) || !PIN(c, PIN_VIRTUAL_NMIS);
}

/* "If the 'virtual NMIs' VM-execution control is 0, the 'NMI-window exiting' VM-execution control must
 * be 0." */
static bool nmi_window(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return PIN(c, PIN_VIRTUAL_NMIS) || !PROC(c, PROC_NMI_WINDOW_EXITING);
}

/* "If the 'virtualize APIC-accesses' VM-execution control is 1, the APIC-access address must satisfy:
 * bits 11:0 of the address must be 0." */
static bool apic_access_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_VIRTUALIZE_APIC_ACCESSES) || (EC_F(c, APIC_ACCESS_ADDR) & 0xfff) == 0;
}

/* Same bullet: "The address should not set any bits beyond the processor's physical-address width." */
static bool apic_access_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_VIRTUALIZE_APIC_ACCESSES) || !beyond_width(c, EC_F(c, APIC_ACCESS_ADDR));
}

/* "If the 'virtualize x2APIC mode' VM-execution control is 1, the 'virtualize APIC accesses' VM-execution
 * control must be 0." */
static bool x2apic_apic_access(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_VIRTUALIZE_X2APIC_MODE) || !PROC2(c, PROC2_VIRTUALIZE_APIC_ACCESSES);
}

/* "If the 'virtual-interrupt delivery' VM-execution control is 1, the 'external-interrupt exiting'
 * VM-execution control must be 1." */
static bool vid_external_interrupt(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_VIRTUAL_INTERRUPT_DELIVERY) || PIN(c, PIN_EXTERNAL_INTERRUPT_EXITING);
}

/* "If the 'process posted interrupts' VM-execution control is 1: the 'virtual-interrupt delivery'
 * VM-execution control is 1." Bochs 2.7 has no posted interrupts (none of its models allows the control). */
static bool posted_vid(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PIN(c, PIN_PROCESS_POSTED_INTERRUPTS) || PROC2(c, PROC2_VIRTUAL_INTERRUPT_DELIVERY);
}

/* Same bullet: "the 'acknowledge interrupt on exit' VM-exit control is 1." */
static bool posted_ack_on_exit(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PIN(c, PIN_PROCESS_POSTED_INTERRUPTS) || EXITC(c, EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT);
}

/* Same bullet: "the posted-interrupt notification vector has a value in the range 0-255 (bits 15:8 are
 * all 0)." */
static bool posted_vector(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PIN(c, PIN_PROCESS_POSTED_INTERRUPTS) || (EC_F(c, POSTED_INTR_NOTIFICATION_VECTOR) & 0xff00) == 0;
}

/* Same bullet: "bits 5:0 of the posted-interrupt descriptor address are all 0." */
static bool posted_desc_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PIN(c, PIN_PROCESS_POSTED_INTERRUPTS) || (EC_F(c, POSTED_INTR_DESC_ADDR) & 0x3f) == 0;
}

/* Same bullet: "the posted-interrupt descriptor address does not set any bits beyond the processor's
 * physical-address width." */
static bool posted_desc_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PIN(c, PIN_PROCESS_POSTED_INTERRUPTS) || !beyond_width(c, EC_F(c, POSTED_INTR_DESC_ADDR));
}

/* "If the 'enable VPID' VM-execution control is 1, the value of the VPID VM-execution control field must
 * not be 0000H." */
static bool vpid_nonzero(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_ENABLE_VPID) || (EC_F(c, VIRTUAL_PROCESSOR_ID) & 0xffff) != 0;
}

/* "If the 'enable EPT' VM-execution control is 1, the EPTP VM-execution control field must satisfy: the
 * EPT memory type (bits 2:0) must be a value supported by the processor as indicated in the
 * IA32_VMX_EPT_VPID_CAP MSR": UC (0) when bit 8, WB (6) when bit 14; no other value. */
static bool eptp_memtype(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!PROC2(c, PROC2_ENABLE_EPT))
        return true;
    uint64_t cap = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_EPT_VPID_CAP);
    switch (EPTP_MEMTYPE(EC_F(c, EPT_POINTER))) {
    case EPT_MEMTYPE_UC:
        return (cap & EPT_CAP_MEMTYPE_UC) != 0;
    case EPT_MEMTYPE_WB:
        return (cap & EPT_CAP_MEMTYPE_WB) != 0;
    default:
        return false;
    }
}

/* Same bullet: "Bits 5:3 (1 less than the EPT page-walk length) must indicate a supported EPT page-walk
 * length": 3 (4-level) when IA32_VMX_EPT_VPID_CAP[6], 4 (5-level) when IA32_VMX_EPT_VPID_CAP[7].
 * Bochs 2.7: accepts only 3 (it has no 5-level EPT). */
static bool eptp_walk_length(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!PROC2(c, PROC2_ENABLE_EPT))
        return true;
    uint64_t cap = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_EPT_VPID_CAP);
    switch (EPTP_WALK_MINUS_1(EC_F(c, EPT_POINTER))) {
    case 3:
        return (cap & EPT_CAP_WALK_LENGTH_4) != 0;
    case 4:
        return (cap & EPT_CAP_WALK_LENGTH_5) != 0;
    default:
        return false;
    }
}

/* Same bullet: "Bit 6 (enable bit for accessed and dirty flags for EPT) must be 0 if bit 21 of the
 * IA32_VMX_EPT_VPID_CAP MSR is read as 0, indicating that the processor does not support accessed and
 * dirty flags for EPT." */
static bool eptp_ad(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!PROC2(c, PROC2_ENABLE_EPT) || !(EC_F(c, EPT_POINTER) & EPTP_AD_ENABLE))
        return true;
    return (sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_EPT_VPID_CAP) & EPT_CAP_ACCESSED_DIRTY) != 0;
}

/* Same bullet: "Bit 7 (enable bit for supervisor shadow-stack control) must be 0 if bit 23 of the
 * IA32_VMX_EPT_VPID_CAP MSR is read as 0." Bochs 2.7: ties bit 7 to CPUID CET support, not to the
 * capability MSR bit. */
static bool eptp_sss(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!PROC2(c, PROC2_ENABLE_EPT) || !(EC_F(c, EPT_POINTER) & EPTP_SSS_ENABLE))
        return true;
    return (sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_EPT_VPID_CAP) & EPT_CAP_SUPERVISOR_SHADOW_STACK) != 0;
}

/* Same bullet: "Reserved bits 11:8 ... must be 0." (Bits 7:6 are defined since the A/D and CET additions;
 * Bochs versions before CET treated bits 11:7 or 11:6 as reserved.) */
static bool eptp_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_ENABLE_EPT) || (EC_F(c, EPT_POINTER) & EPTP_RESERVED_11_8) == 0;
}

/* Same bullet: "... and 63:N must be 0, where N is the processor's physical-address width." */
static bool eptp_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_ENABLE_EPT) || !beyond_width(c, EC_F(c, EPT_POINTER));
}

/* "If the 'enable PML' VM-execution control is 1, the 'enable EPT' VM-execution control must also be 1." */
static bool pml_ept(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_ENABLE_PML) || PROC2(c, PROC2_ENABLE_EPT);
}

/* Same bullet: "In addition, the PML address must satisfy: bits 11:0 of the address must be 0." */
static bool pml_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_ENABLE_PML) || (EC_F(c, PML_ADDRESS) & 0xfff) == 0;
}

/* Same bullet: "The address should not set any bits beyond the processor's physical-address width." */
static bool pml_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_ENABLE_PML) || !beyond_width(c, EC_F(c, PML_ADDRESS));
}

/* "If the 'unrestricted guest' VM-execution control is 1, the 'enable EPT' VM-execution control must also
 * be 1." */
static bool unrestricted_guest_ept(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_UNRESTRICTED_GUEST) || PROC2(c, PROC2_ENABLE_EPT);
}

/* "If the 'mode-based execute control for EPT' VM-execution control is 1, the 'enable EPT' VM-execution
 * control must also be 1." */
static bool mbec_ept(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_MODE_BASED_EXECUTE_CONTROL) || PROC2(c, PROC2_ENABLE_EPT);
}

/* "If the 'sub-page write permissions for EPT' VM-execution control is 1, the 'enable EPT' VM-execution
 * control must also be 1." */
static bool spp_ept(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_SUB_PAGE_WRITE_PERMISSIONS) || PROC2(c, PROC2_ENABLE_EPT);
}

/* Same bullet: "In addition, the SPPTP VM-execution control field must satisfy: bits 11:0 of the SPPTP
 * must be 0." */
static bool spptp_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_SUB_PAGE_WRITE_PERMISSIONS) || (EC_F(c, SPP_TABLE_POINTER) & 0xfff) == 0;
}

/* Same bullet: "The SPPTP should not set any bits beyond the processor's physical-address width." */
static bool spptp_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_SUB_PAGE_WRITE_PERMISSIONS) || !beyond_width(c, EC_F(c, SPP_TABLE_POINTER));
}

/* "If the 'enable VM functions' processor-based VM-execution control is 1, reserved bits in the
 * VM-function controls must be clear" (a bit is reserved when it is 0 in IA32_VMX_VMFUNC, §A.11). */
static bool vmfunc_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!PROC2(c, PROC2_ENABLE_VM_FUNCTIONS))
        return true;
    return (EC_F(c, VM_FUNCTION_CONTROLS) & ~cap_msr(c, MSR_IA32_VMX_VMFUNC)) == 0;
}

/* "If the 'enable VM functions' VM-execution control and the 'EPTP switching' VM-function control (bit 0)
 * are both 1, the 'enable EPT' VM-execution control must also be 1." */
static bool vmfunc_eptp_switching_ept(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!PROC2(c, PROC2_ENABLE_VM_FUNCTIONS) || !(EC_F(c, VM_FUNCTION_CONTROLS) & VMFUNC_EPTP_SWITCHING))
        return true;
    return PROC2(c, PROC2_ENABLE_EPT);
}

/* Same bullet: "In addition, the EPTP-list address must satisfy: bits 11:0 of the address must be 0." */
static bool eptp_list_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!PROC2(c, PROC2_ENABLE_VM_FUNCTIONS) || !(EC_F(c, VM_FUNCTION_CONTROLS) & VMFUNC_EPTP_SWITCHING))
        return true;
    return (EC_F(c, EPTP_LIST_ADDR) & 0xfff) == 0;
}

/* Same bullet: "The address must not set any bits beyond the processor's physical-address width." */
static bool eptp_list_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    if (!PROC2(c, PROC2_ENABLE_VM_FUNCTIONS) || !(EC_F(c, VM_FUNCTION_CONTROLS) & VMFUNC_EPTP_SWITCHING))
        return true;
    return !beyond_width(c, EC_F(c, EPTP_LIST_ADDR));
}

/* "If the 'VMCS shadowing' VM-execution control is 1, the VMREAD-bitmap and VMWRITE-bitmap addresses must
 * each satisfy: bits 11:0 of the address must be 0": VMREAD bitmap. */
static bool vmread_bitmap_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_VMCS_SHADOWING) || (EC_F(c, VMREAD_BITMAP) & 0xfff) == 0;
}

/* Same bullet: "The address must not set any bits beyond the processor's physical-address width":
 * VMREAD bitmap. */
static bool vmread_bitmap_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_VMCS_SHADOWING) || !beyond_width(c, EC_F(c, VMREAD_BITMAP));
}

/* Same bullet, VMWRITE bitmap: bits 11:0 must be 0. */
static bool vmwrite_bitmap_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_VMCS_SHADOWING) || (EC_F(c, VMWRITE_BITMAP) & 0xfff) == 0;
}

/* Same bullet, VMWRITE bitmap: within the physical-address width. */
static bool vmwrite_bitmap_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_VMCS_SHADOWING) || !beyond_width(c, EC_F(c, VMWRITE_BITMAP));
}

/* "If the 'EPT-violation #VE' VM-execution control is 1, the virtualization-exception information address
 * must satisfy: bits 11:0 of the address must be 0." */
static bool ve_info_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_EPT_VIOLATION_VE) || (EC_F(c, VIRT_EXCEPTION_INFO_ADDR) & 0xfff) == 0;
}

/* Same bullet: "The address must not set any bits beyond the processor's physical-address width." */
static bool ve_info_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_EPT_VIOLATION_VE) || !beyond_width(c, EC_F(c, VIRT_EXCEPTION_INFO_ADDR));
}

/* "If the 'Intel PT uses guest physical addresses' VM-execution control is 1, the following controls must
 * also be 1: the 'enable EPT' VM-execution control; the 'load IA32_RTIT_CTL' VM-entry control; and the
 * 'clear IA32_RTIT_CTL' VM-exit control": enable EPT. */
static bool pt_guest_physical_ept(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_PT_USES_GUEST_PHYSICAL) || PROC2(c, PROC2_ENABLE_EPT);
}

/* Same bullet: "load IA32_RTIT_CTL" VM-entry control. */
static bool pt_guest_physical_load_rtit(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_PT_USES_GUEST_PHYSICAL) || ENTRYC(c, ENTRY_LOAD_IA32_RTIT_CTL);
}

/* Same bullet: "clear IA32_RTIT_CTL" VM-exit control. */
static bool pt_guest_physical_clear_rtit(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !PROC2(c, PROC2_PT_USES_GUEST_PHYSICAL) || EXITC(c, EXIT_CLEAR_IA32_RTIT_CTL);
}

/* ==== §27.2.1.2 Checks on VM-exit control fields ===================================================== */

/* "Reserved bits in the primary VM-exit controls must be set properly" (IA32_VMX_EXIT_CTLS or
 * IA32_VMX_TRUE_EXIT_CTLS, §A.4.1): must-be-1 bits. */
static bool exit_allowed0(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return ctl_allowed0(c->exit_ctls, ctl_cap(c, MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS));
}

/* Same bullet: bits that may not be 1. */
static bool exit_allowed1(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return ctl_allowed1(c->exit_ctls, ctl_cap(c, MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS));
}

/* "If the 'activate secondary controls' primary VM-exit control is 1, reserved bits in the secondary
 * VM-exit controls must be cleared" (IA32_VMX_EXIT_CTLS2, a 64-bit allowed-1 vector, §A.4.2). */
static bool exit2_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (c->exit_ctls2 & ~cap_msr(c, MSR_IA32_VMX_EXIT_CTLS2)) == 0;
}

/* "If the 'activate VMX-preemption timer' VM-execution control is 0, the 'save VMX-preemption timer
 * value' VM-exit control must also be 0." */
static bool preemption_timer_save(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return PIN(c, PIN_ACTIVATE_PREEMPTION_TIMER) || !EXITC(c, EXIT_SAVE_PREEMPTION_TIMER);
}

/* "The following checks are performed for the VM-exit MSR-store address if the VM-exit MSR-store count
 * field is non-zero: the lower 4 bits of the VM-exit MSR-store address must be 0." */
static bool exit_msr_store_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (uint32_t)EC_F(c, VM_EXIT_MSR_STORE_COUNT) == 0 || (EC_F(c, VM_EXIT_MSR_STORE_ADDR) & 0xf) == 0;
}

/* Same bullet: "The address should not set any bits beyond the processor's physical-address width." */
static bool exit_msr_store_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (uint32_t)EC_F(c, VM_EXIT_MSR_STORE_COUNT) == 0 || !beyond_width(c, EC_F(c, VM_EXIT_MSR_STORE_ADDR));
}

/* Same bullet: "The address of the last byte in the VM-exit MSR-store area should not set any bits beyond
 * the processor's physical-address width. The address of this last byte is VM-exit MSR-store address +
 * (MSR count * 16) - 1." */
static bool exit_msr_store_last_byte(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t n = (uint32_t)EC_F(c, VM_EXIT_MSR_STORE_COUNT);
    return n == 0 || !area_end_beyond_width(c, EC_F(c, VM_EXIT_MSR_STORE_ADDR), n);
}

/* "The following checks are performed for the VM-exit MSR-load address if the VM-exit MSR-load count field
 * is non-zero: the lower 4 bits of the VM-exit MSR-load address must be 0." */
static bool exit_msr_load_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (uint32_t)EC_F(c, VM_EXIT_MSR_LOAD_COUNT) == 0 || (EC_F(c, VM_EXIT_MSR_LOAD_ADDR) & 0xf) == 0;
}

/* Same bullet: "The address should not set any bits beyond the processor's physical-address width." */
static bool exit_msr_load_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (uint32_t)EC_F(c, VM_EXIT_MSR_LOAD_COUNT) == 0 || !beyond_width(c, EC_F(c, VM_EXIT_MSR_LOAD_ADDR));
}

/* Same bullet: "The address of the last byte in the VM-exit MSR-load area should not set any bits beyond
 * the processor's physical-address width" (address + count * 16 - 1). */
static bool exit_msr_load_last_byte(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t n = (uint32_t)EC_F(c, VM_EXIT_MSR_LOAD_COUNT);
    return n == 0 || !area_end_beyond_width(c, EC_F(c, VM_EXIT_MSR_LOAD_ADDR), n);
}

/* ==== §27.2.1.3 Checks on VM-entry control fields ==================================================== */

/* "Reserved bits in the VM-entry controls must be set properly" (IA32_VMX_ENTRY_CTLS or
 * IA32_VMX_TRUE_ENTRY_CTLS, §A.5): must-be-1 bits. */
static bool entry_allowed0(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return ctl_allowed0(c->entry_ctls, ctl_cap(c, MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS));
}

/* Same bullet: bits that may not be 1. */
static bool entry_allowed1(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return ctl_allowed1(c->entry_ctls, ctl_cap(c, MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS));
}

/* The VM-entry interruption-information field when its valid bit (31) is 1 (event injection). */
static bool injecting(const struct ec_ctx *c, uint32_t *info)
{
    *info = (uint32_t)EC_F(c, VM_ENTRY_INTERRUPTION_INFO);
    return (*info & INTR_INFO_VALID) != 0;
}

/* Whether the processor supports the 1-setting of "monitor trap flag" (allowed-1 of the primary
 * processor-based controls). */
static bool has_mtf(const struct ec_ctx *c)
{
    uint64_t cap = ctl_cap(c, MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
    return (sim_ctl_may_be_1(cap) & PROC_MONITOR_TRAP_FLAG) != 0;
}

/* "If the valid bit (bit 31) in the VM-entry interruption-information field is 1: the field's interruption
 * type (bits 10:8) is not set to a reserved value. Value 1 is reserved on all logical processors". */
static bool intr_type_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    return !injecting(c, &info) || INTR_INFO_TYPE(info) != INTR_TYPE_RESERVED;
}

/* Same bullet: "value 7 (other event) is reserved on logical processors that do not support the 1-setting
 * of the 'monitor trap flag' VM-execution control." Bochs 2.7: accepts type 7 with any vector on a model
 * without MTF. */
static bool intr_type_other_event(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    return !injecting(c, &info) || INTR_INFO_TYPE(info) != INTR_TYPE_OTHER_EVENT || has_mtf(c);
}

/* "The field's vector (bits 7:0) is consistent with the interruption type: if the interruption type is
 * non-maskable interrupt (NMI), the vector is 2". */
static bool intr_nmi_vector(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    return !injecting(c, &info) || INTR_INFO_TYPE(info) != INTR_TYPE_NMI || INTR_INFO_VECTOR(info) == 2;
}

/* Same bullet: "if the interruption type is hardware exception, the vector is at most 31". */
static bool intr_exception_vector(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    return !injecting(c, &info) || INTR_INFO_TYPE(info) != INTR_TYPE_HW_EXCEPTION || INTR_INFO_VECTOR(info) <= 31;
}

/* Same bullet: "if the interruption type is other event, the vector is 0 (pending MTF VM exit)". */
static bool intr_other_event_vector(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    return !injecting(c, &info) || INTR_INFO_TYPE(info) != INTR_TYPE_OTHER_EVENT || INTR_INFO_VECTOR(info) == 0;
}

/* The guest is in protected mode for the error-code rules: "either (a) the 'unrestricted guest'
 * VM-execution control is 0; or (b) bit 0 (corresponding to CR0.PE) is set in the CR0 field in the
 * guest-state area" (with "unrestricted guest" 0, CR0.PE must be 1 anyway, §27.3.1.1). */
static bool guest_protected_mode(const struct ec_ctx *c)
{
    return !PROC2(c, PROC2_UNRESTRICTED_GUEST) || (EC_F(c, GUEST_CR0) & CR0_PE) != 0;
}

/* Exceptions that deliver an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17, #CP 21.
 * Bochs 2.7: #CP (21) counts only on a model with CET; on such a model it skips the whole deliver-error-
 * code consistency check (treating CET as IA32_VMX_BASIC[56]). */
static bool vector_has_error_code(uint32_t vector)
{
    return vector < 32 && ((1u << vector) & ((1u << 8) | (0x1fu << 10) | (1u << 17) | (1u << 21))) != 0;
}

/* "The field's deliver-error-code bit (bit 11) is 0 if ... the interruption type is not hardware
 * exception" (the bit is 1 only if, among others, the interruption type is hardware exception). */
static bool intr_error_code_type(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    if (!injecting(c, &info) || !(info & INTR_INFO_DELIVER_ERROR_CODE))
        return true;
    return INTR_INFO_TYPE(info) == INTR_TYPE_HW_EXCEPTION;
}

/* Same bullet: the deliver-error-code bit is 0 if "'unrestricted guest' is 1 and bit 0 (CR0.PE) is clear
 * in the CR0 field in the guest-state area" (no error code is pushed in real-address mode). This holds
 * whatever IA32_VMX_BASIC[56] says. */
static bool intr_error_code_real_mode(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    if (!injecting(c, &info) || !(info & INTR_INFO_DELIVER_ERROR_CODE))
        return true;
    return guest_protected_mode(c);
}

/* Same bullet: "The field's deliver-error-code bit (bit 11) is 1 if each of the following holds: the
 * interruption type is hardware exception; the guest is in protected mode (above); IA32_VMX_BASIC[56] is
 * read as 0; and the vector indicates an exception that would normally deliver an error code": an
 * error-code exception injected without its error code. */
static bool intr_error_code_missing(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    if (!injecting(c, &info) || INTR_INFO_TYPE(info) != INTR_TYPE_HW_EXCEPTION || !guest_protected_mode(c))
        return true;
    if (sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_BASIC) & VMX_BASIC_NO_ERRCODE_REQ)
        return true;
    return !vector_has_error_code(INTR_INFO_VECTOR(info)) || (info & INTR_INFO_DELIVER_ERROR_CODE);
}

/* Same bullet: the deliver-error-code bit is 0 if "IA32_VMX_BASIC[56] is read as 0 and the vector
 * indicates an exception that does not deliver an error code": an error code on any other exception. */
static bool intr_error_code_unexpected(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    if (!injecting(c, &info) || INTR_INFO_TYPE(info) != INTR_TYPE_HW_EXCEPTION || !guest_protected_mode(c))
        return true;
    if (sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_BASIC) & VMX_BASIC_NO_ERRCODE_REQ)
        return true;
    return vector_has_error_code(INTR_INFO_VECTOR(info)) || !(info & INTR_INFO_DELIVER_ERROR_CODE);
}

/* "Reserved bits in the field (30:12) are 0." Bochs 2.7: checks this before the type and vector. */
static bool intr_reserved(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    return !injecting(c, &info) || (info & INTR_INFO_RESERVED) == 0;
}

/* "If the deliver-error-code bit (bit 11) is 1, bits 31:16 of the VM-entry exception error-code field are
 * 0." (SDMs up to 2019 said 31:15, a typo: the error code is 16 bits. Processors enforce 31:16; KVM's
 * nested checks and Bochs 2.7 do too.) */
static bool intr_error_code_high(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    if (!injecting(c, &info) || !(info & INTR_INFO_DELIVER_ERROR_CODE))
        return true;
    return (EC_F(c, VM_ENTRY_EXCEPTION_ERROR_CODE) & 0xffff0000u) == 0;
}

static bool soft_event(uint32_t info)
{
    uint32_t t = INTR_INFO_TYPE(info);
    return t == INTR_TYPE_SW_INTERRUPT || t == INTR_TYPE_PRIV_SW_EXCEPTION || t == INTR_TYPE_SW_EXCEPTION;
}

/* "If the interruption type is software interrupt, software exception, or privileged software exception,
 * the VM-entry instruction-length field is in the range 0-15. A VM-entry instruction length of 0 is
 * allowed only if IA32_VMX_MISC[30] is read as 1": the zero length. */
static bool intr_instr_len_zero(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    if (!injecting(c, &info) || !soft_event(info) || (uint32_t)EC_F(c, VM_ENTRY_INSTRUCTION_LENGTH) != 0)
        return true;
    return (sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_MISC) & VMX_MISC_INJECT_ZERO_LENGTH) != 0;
}

/* Same bullet: at most 15. */
static bool intr_instr_len_max(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t info;
    return !injecting(c, &info) || !soft_event(info) || (uint32_t)EC_F(c, VM_ENTRY_INSTRUCTION_LENGTH) <= 15;
}

/* "The following checks are performed for the VM-entry MSR-load address if the VM-entry MSR-load count
 * field is non-zero: the lower 4 bits of the VM-entry MSR-load address must be 0." */
static bool entry_msr_load_aligned(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (uint32_t)EC_F(c, VM_ENTRY_MSR_LOAD_COUNT) == 0 || (EC_F(c, VM_ENTRY_MSR_LOAD_ADDR) & 0xf) == 0;
}

/* Same bullet: "The address should not set any bits beyond the processor's physical-address width." */
static bool entry_msr_load_width(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return (uint32_t)EC_F(c, VM_ENTRY_MSR_LOAD_COUNT) == 0 || !beyond_width(c, EC_F(c, VM_ENTRY_MSR_LOAD_ADDR));
}

/* Same bullet: "The address of the last byte in the VM-entry MSR-load area should not set any bits beyond
 * the processor's physical-address width" (address + count * 16 - 1). */
static bool entry_msr_load_last_byte(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    uint32_t n = (uint32_t)EC_F(c, VM_ENTRY_MSR_LOAD_COUNT);
    return n == 0 || !area_end_beyond_width(c, EC_F(c, VM_ENTRY_MSR_LOAD_ADDR), n);
}

/* "If the processor is not in SMM, the 'entry to SMM' and 'deactivate dual-monitor treatment' VM-entry
 * controls must be 0": entry to SMM. The sim's processor is never in SMM. (The further bullet "'entry to
 * SMM' and 'deactivate dual-monitor treatment' cannot both be 1" is then unreachable: this rule fails
 * first.) Bochs 2.7: checks only "deactivate dual-monitor treatment" here. */
static bool entry_smm(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !ENTRYC(c, ENTRY_ENTRY_TO_SMM);
}

/* Same bullet: deactivate dual-monitor treatment. */
static bool entry_dual_monitor(const struct ec_ctx *c, uint64_t *d)
{
    (void)d;
    return !ENTRYC(c, ENTRY_DEACTIVATE_DUAL_MONITOR);
}

/* ==== the table ====================================================================================== */

#define S1 "Vol. 3 §27.2.1.1: "
#define S2 "Vol. 3 §27.2.1.2: "
#define S3 "Vol. 3 §27.2.1.3: "
#define ROW(name, sdm, fn) {name, sdm, EC_CLASS_CONTROLS, EC_QUAL_DEFAULT, fn}

const struct ec_rule ec_rules_controls[] = {
    /* §27.2.1.1 VM-execution control fields */
    ROW("controls.pin.allowed0", S1 "reserved pin-based controls set properly (allowed-0: must-be-1 bit is 0)",
        pin_allowed0),
    ROW("controls.pin.allowed1", S1 "reserved pin-based controls set properly (allowed-1: bit may not be 1)",
        pin_allowed1),
    ROW("controls.proc.allowed0",
        S1 "reserved primary processor-based controls set properly (allowed-0: must-be-1 bit is 0)", proc_allowed0),
    ROW("controls.proc.allowed1",
        S1 "reserved primary processor-based controls set properly (allowed-1: bit may not be 1)", proc_allowed1),
    ROW("controls.proc2.allowed1", S1 "activate secondary controls=1: reserved secondary controls cleared",
        proc2_allowed1),
    ROW("controls.proc3.reserved", S1 "activate tertiary controls=1: reserved tertiary controls cleared",
        proc3_reserved),
    ROW("controls.cr3_target.count", S1 "CR3-target count not greater than 4 (IA32_VMX_MISC[24:16])",
        cr3_target_count),
    ROW("controls.io_bitmap_a.aligned", S1 "use I/O bitmaps=1: bits 11:0 of I/O-bitmap address A are 0",
        io_bitmap_a_aligned),
    ROW("controls.io_bitmap_a.width", S1 "use I/O bitmaps=1: I/O-bitmap address A within physical-address width",
        io_bitmap_a_width),
    ROW("controls.io_bitmap_b.aligned", S1 "use I/O bitmaps=1: bits 11:0 of I/O-bitmap address B are 0",
        io_bitmap_b_aligned),
    ROW("controls.io_bitmap_b.width", S1 "use I/O bitmaps=1: I/O-bitmap address B within physical-address width",
        io_bitmap_b_width),
    ROW("controls.msr_bitmap.aligned", S1 "use MSR bitmaps=1: bits 11:0 of the MSR-bitmap address are 0",
        msr_bitmap_aligned),
    ROW("controls.msr_bitmap.width", S1 "use MSR bitmaps=1: MSR-bitmap address within physical-address width",
        msr_bitmap_width),
    ROW("controls.virtual_apic.aligned", S1 "use TPR shadow=1: bits 11:0 of the virtual-APIC address are 0",
        virtual_apic_aligned),
    ROW("controls.virtual_apic.width", S1 "use TPR shadow=1: virtual-APIC address within physical-address width",
        virtual_apic_width),
    ROW("controls.tpr_threshold.reserved",
        S1 "use TPR shadow=1, virtual-interrupt delivery=0: bits 31:4 of the TPR threshold are 0",
        tpr_threshold_reserved),
    ROW("controls.tpr_threshold.vtpr",
        S1 "use TPR shadow=1, virtualize APIC accesses=0, virtual-interrupt delivery=0: TPR threshold[3:0] not "
           "greater than VTPR[7:4]",
        tpr_threshold_vtpr),
    ROW("controls.x2apic.tpr_shadow", S1 "use TPR shadow=0: virtualize x2APIC mode must be 0", x2apic_tpr_shadow),
    ROW("controls.apic_register_virt.tpr_shadow", S1 "use TPR shadow=0: APIC-register virtualization must be 0",
        apic_register_virt_tpr_shadow),
    ROW("controls.vid.tpr_shadow", S1 "use TPR shadow=0: virtual-interrupt delivery must be 0", vid_tpr_shadow),
    ROW("controls.nmi.virtual_nmis", S1 "NMI exiting=0: virtual NMIs must be 0", nmi_virtual_nmis),
    ROW("controls.nmi.window", S1 "virtual NMIs=0: NMI-window exiting must be 0", nmi_window),
    ROW("controls.apic_access.aligned", S1 "virtualize APIC accesses=1: bits 11:0 of the APIC-access address are 0",
        apic_access_aligned),
    ROW("controls.apic_access.width",
        S1 "virtualize APIC accesses=1: APIC-access address within physical-address width", apic_access_width),
    ROW("controls.x2apic.apic_access", S1 "virtualize x2APIC mode=1: virtualize APIC accesses must be 0",
        x2apic_apic_access),
    ROW("controls.vid.external_interrupt", S1 "virtual-interrupt delivery=1: external-interrupt exiting must be 1",
        vid_external_interrupt),
    ROW("controls.posted_intr.vid", S1 "process posted interrupts=1: virtual-interrupt delivery is 1", posted_vid),
    ROW("controls.posted_intr.ack_on_exit", S1 "process posted interrupts=1: acknowledge interrupt on exit is 1",
        posted_ack_on_exit),
    ROW("controls.posted_intr.vector",
        S1 "process posted interrupts=1: bits 15:8 of the posted-interrupt notification vector are 0", posted_vector),
    ROW("controls.posted_intr.desc_aligned",
        S1 "process posted interrupts=1: bits 5:0 of the posted-interrupt descriptor address are 0",
        posted_desc_aligned),
    ROW("controls.posted_intr.desc_width",
        S1 "process posted interrupts=1: posted-interrupt descriptor address within physical-address width",
        posted_desc_width),
    ROW("controls.vpid.nonzero", S1 "enable VPID=1: VPID must not be 0000H", vpid_nonzero),
    ROW("controls.eptp.memtype",
        S1 "enable EPT=1: EPTP memory type (bits 2:0) supported per IA32_VMX_EPT_VPID_CAP (UC bit 8, WB bit 14)",
        eptp_memtype),
    ROW("controls.eptp.walk_length",
        S1 "enable EPT=1: EPTP bits 5:3 a supported page-walk length (4-level cap bit 6, 5-level cap bit 7)",
        eptp_walk_length),
    ROW("controls.eptp.ad", S1 "enable EPT=1: EPTP bit 6 (A/D enable) 0 unless IA32_VMX_EPT_VPID_CAP[21]", eptp_ad),
    ROW("controls.eptp.sss",
        S1 "enable EPT=1: EPTP bit 7 (supervisor shadow-stack control) 0 unless IA32_VMX_EPT_VPID_CAP[23]", eptp_sss),
    ROW("controls.eptp.reserved", S1 "enable EPT=1: EPTP reserved bits 11:8 are 0", eptp_reserved),
    ROW("controls.eptp.width", S1 "enable EPT=1: EPTP bits 63:N (N = physical-address width) are 0", eptp_width),
    ROW("controls.pml.ept", S1 "enable PML=1: enable EPT must be 1", pml_ept),
    ROW("controls.pml.aligned", S1 "enable PML=1: bits 11:0 of the PML address are 0", pml_aligned),
    ROW("controls.pml.width", S1 "enable PML=1: PML address within physical-address width", pml_width),
    ROW("controls.unrestricted_guest.ept", S1 "unrestricted guest=1: enable EPT must be 1", unrestricted_guest_ept),
    ROW("controls.mbec.ept", S1 "mode-based execute control for EPT=1: enable EPT must be 1", mbec_ept),
    ROW("controls.spp.ept", S1 "sub-page write permissions for EPT=1: enable EPT must be 1", spp_ept),
    ROW("controls.spptp.aligned", S1 "sub-page write permissions for EPT=1: bits 11:0 of the SPPTP are 0",
        spptp_aligned),
    ROW("controls.spptp.width", S1 "sub-page write permissions for EPT=1: SPPTP within physical-address width",
        spptp_width),
    ROW("controls.vmfunc.reserved",
        S1 "enable VM functions=1: reserved VM-function controls (0 in IA32_VMX_VMFUNC) are clear",
        vmfunc_reserved),
    ROW("controls.vmfunc.eptp_switching_ept", S1 "EPTP switching VM function enabled: enable EPT must be 1",
        vmfunc_eptp_switching_ept),
    ROW("controls.eptp_list.aligned", S1 "EPTP switching VM function enabled: bits 11:0 of the EPTP-list address are 0",
        eptp_list_aligned),
    ROW("controls.eptp_list.width",
        S1 "EPTP switching VM function enabled: EPTP-list address within physical-address width", eptp_list_width),
    ROW("controls.vmread_bitmap.aligned", S1 "VMCS shadowing=1: bits 11:0 of the VMREAD-bitmap address are 0",
        vmread_bitmap_aligned),
    ROW("controls.vmread_bitmap.width", S1 "VMCS shadowing=1: VMREAD-bitmap address within physical-address width",
        vmread_bitmap_width),
    ROW("controls.vmwrite_bitmap.aligned", S1 "VMCS shadowing=1: bits 11:0 of the VMWRITE-bitmap address are 0",
        vmwrite_bitmap_aligned),
    ROW("controls.vmwrite_bitmap.width", S1 "VMCS shadowing=1: VMWRITE-bitmap address within physical-address width",
        vmwrite_bitmap_width),
    ROW("controls.ve_info.aligned",
        S1 "EPT-violation #VE=1: bits 11:0 of the virtualization-exception information address are 0",
        ve_info_aligned),
    ROW("controls.ve_info.width",
        S1 "EPT-violation #VE=1: virtualization-exception information address within physical-address width",
        ve_info_width),
    ROW("controls.pt_guest_physical.ept", S1 "Intel PT uses guest physical addresses=1: enable EPT must be 1",
        pt_guest_physical_ept),
    ROW("controls.pt_guest_physical.load_rtit",
        S1 "Intel PT uses guest physical addresses=1: load IA32_RTIT_CTL VM-entry control must be 1",
        pt_guest_physical_load_rtit),
    ROW("controls.pt_guest_physical.clear_rtit",
        S1 "Intel PT uses guest physical addresses=1: clear IA32_RTIT_CTL VM-exit control must be 1",
        pt_guest_physical_clear_rtit),

    /* §27.2.1.2 VM-exit control fields */
    ROW("controls.exit.allowed0", S2 "reserved primary VM-exit controls set properly (allowed-0: must-be-1 bit is 0)",
        exit_allowed0),
    ROW("controls.exit.allowed1", S2 "reserved primary VM-exit controls set properly (allowed-1: bit may not be 1)",
        exit_allowed1),
    ROW("controls.exit2.reserved",
        S2 "activate secondary controls (VM-exit)=1: reserved secondary VM-exit controls cleared", exit2_reserved),
    ROW("controls.preemption_timer.save",
        S2 "activate VMX-preemption timer=0: save VMX-preemption timer value must be 0", preemption_timer_save),
    ROW("controls.exit_msr_store.aligned", S2 "VM-exit MSR-store count > 0: bits 3:0 of the MSR-store address are 0",
        exit_msr_store_aligned),
    ROW("controls.exit_msr_store.width",
        S2 "VM-exit MSR-store count > 0: MSR-store address within physical-address width", exit_msr_store_width),
    ROW("controls.exit_msr_store.last_byte",
        S2 "VM-exit MSR-store count > 0: last byte (address + count*16 - 1) within physical-address width",
        exit_msr_store_last_byte),
    ROW("controls.exit_msr_load.aligned", S2 "VM-exit MSR-load count > 0: bits 3:0 of the MSR-load address are 0",
        exit_msr_load_aligned),
    ROW("controls.exit_msr_load.width", S2 "VM-exit MSR-load count > 0: MSR-load address within physical-address width",
        exit_msr_load_width),
    ROW("controls.exit_msr_load.last_byte",
        S2 "VM-exit MSR-load count > 0: last byte (address + count*16 - 1) within physical-address width",
        exit_msr_load_last_byte),

    /* §27.2.1.3 VM-entry control fields */
    ROW("controls.entry.allowed0", S3 "reserved VM-entry controls set properly (allowed-0: must-be-1 bit is 0)",
        entry_allowed0),
    ROW("controls.entry.allowed1", S3 "reserved VM-entry controls set properly (allowed-1: bit may not be 1)",
        entry_allowed1),
    ROW("controls.entry_intr.type_reserved", S3 "event injection: interruption type is not 1 (reserved)",
        intr_type_reserved),
    ROW("controls.entry_intr.type_other_event",
        S3 "event injection: interruption type 7 (other event) reserved without monitor trap flag support",
        intr_type_other_event),
    ROW("controls.entry_intr.nmi_vector", S3 "event injection: NMI has vector 2", intr_nmi_vector),
    ROW("controls.entry_intr.exception_vector", S3 "event injection: hardware exception vector at most 31",
        intr_exception_vector),
    ROW("controls.entry_intr.other_event_vector", S3 "event injection: other event has vector 0 (pending MTF)",
        intr_other_event_vector),
    ROW("controls.entry_intr.error_code_type",
        S3 "event injection: deliver-error-code bit 0 if the interruption type is not hardware exception",
        intr_error_code_type),
    ROW("controls.entry_intr.error_code_real_mode",
        S3 "event injection: deliver-error-code bit 0 if unrestricted guest=1 and guest CR0.PE=0",
        intr_error_code_real_mode),
    ROW("controls.entry_intr.error_code_missing",
        S3 "event injection: deliver-error-code bit 1 for #DF,#TS,#NP,#SS,#GP,#PF,#AC,#CP in protected mode "
           "unless IA32_VMX_BASIC[56]",
        intr_error_code_missing),
    ROW("controls.entry_intr.error_code_unexpected",
        S3 "event injection: deliver-error-code bit 0 for other exception vectors unless IA32_VMX_BASIC[56]",
        intr_error_code_unexpected),
    ROW("controls.entry_intr.reserved", S3 "event injection: reserved bits 30:12 of the interruption information are 0",
        intr_reserved),
    ROW("controls.entry_intr.error_code_high",
        S3 "event injection: deliver-error-code=1: bits 31:16 of the VM-entry exception error code are 0",
        intr_error_code_high),
    ROW("controls.entry_intr.instr_len_zero",
        S3 "event injection: software interrupt/exception instruction length 0 only if IA32_VMX_MISC[30]",
        intr_instr_len_zero),
    ROW("controls.entry_intr.instr_len_max", S3 "event injection: software interrupt/exception instruction length <= 15",
        intr_instr_len_max),
    ROW("controls.entry_msr_load.aligned", S3 "VM-entry MSR-load count > 0: bits 3:0 of the MSR-load address are 0",
        entry_msr_load_aligned),
    ROW("controls.entry_msr_load.width",
        S3 "VM-entry MSR-load count > 0: MSR-load address within physical-address width", entry_msr_load_width),
    ROW("controls.entry_msr_load.last_byte",
        S3 "VM-entry MSR-load count > 0: last byte (address + count*16 - 1) within physical-address width",
        entry_msr_load_last_byte),
    ROW("controls.entry.smm", S3 "not in SMM: entry to SMM must be 0", entry_smm),
    ROW("controls.entry.dual_monitor", S3 "not in SMM: deactivate dual-monitor treatment must be 0",
        entry_dual_monitor),
};

const size_t ec_rules_controls_count = sizeof ec_rules_controls / sizeof ec_rules_controls[0];
