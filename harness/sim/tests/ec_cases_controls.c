/* Pass and trip cases for the checks on VMX controls (entry_checks_controls.c, SDM Vol. 3 §27.2.1).
 * Each pass mutation puts the state at the rule's boundary on the passing side with the rule applicable
 * (its control on, valid values); each trip mutation crosses that one boundary and nothing else. */
#include "ec_testenv.h"

#include <hv/vmx_controls.h>

/* A valid VM-entry interruption-information value (SDM Vol. 3 §25.8.3, Table 25-17): type in bits 10:8. */
#define INTR(type, vector) (INTR_INFO_VALID | ((uint32_t)(type) << 8) | (uint32_t)(vector))

/* Physical addresses the cases give to structures (below 4 GiB, distinct from the template's). */
#define PA_VIRTUAL_APIC 0x20000ull
#define PA_APIC_ACCESS 0x21000ull
#define PA_POSTED_DESC 0x22040ull /* 64-byte aligned */
#define PA_EPTP_LIST 0x23000ull
#define PA_VMREAD_BITMAP 0x24000ull
#define PA_VMWRITE_BITMAP 0x25000ull
#define PA_VE_INFO 0x26000ull
#define PA_PML 0x27000ull
#define PA_SPPT 0x28000ull
#define PA_MSR_AREA 0x29000ull

/* ---- helpers ---------------------------------------------------------------------------------------- */

static uint64_t cap_pin(const struct ec_env *e)
{
    return ec_env_cap(e, MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS);
}
static uint64_t cap_proc(const struct ec_env *e)
{
    return ec_env_cap(e, MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
}
static uint64_t cap_proc2(const struct ec_env *e)
{
    return ec_env_cap(e, MSR_IA32_VMX_PROCBASED_CTLS2, 0);
}
static uint64_t cap_exit(const struct ec_env *e)
{
    return ec_env_cap(e, MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS);
}
static uint64_t cap_entry(const struct ec_env *e)
{
    return ec_env_cap(e, MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS);
}

static uint32_t lowest_bit(uint32_t m)
{
    return m & (~m + 1u);
}

/* The first address past the physical-address width, and the highest 4-KiB page inside it. */
static uint64_t beyond(const struct ec_env *e)
{
    return 1ull << e->prof->maxphyaddr;
}
static uint64_t top_page(const struct ec_env *e)
{
    return beyond(e) - 0x1000;
}

static void proc2_on(struct ec_env *e, uint32_t bits)
{
    ENV_F(e, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) |= PROC_ACTIVATE_SECONDARY_CONTROLS;
    ENV_F(e, SECONDARY_PROC_BASED_VM_EXEC_CONTROL) |= bits;
}
static void proc2_off(struct ec_env *e, uint32_t bits)
{
    ENV_F(e, SECONDARY_PROC_BASED_VM_EXEC_CONTROL) &= ~(uint64_t)bits;
}

/* "use TPR shadow" with a valid virtual-APIC page whose VTPR is vtpr, and TPR threshold threshold. */
static void tpr_shadow_on(struct ec_env *e, uint8_t vtpr, uint32_t threshold)
{
    ENV_F(e, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) |= PROC_USE_TPR_SHADOW;
    ENV_F(e, VIRTUAL_APIC_PAGE_ADDR) = PA_VIRTUAL_APIC;
    ENV_F(e, TPR_THRESHOLD) = threshold;
    ec_env_write(e, PA_VIRTUAL_APIC + 0x80, &vtpr, 1);
}

/* Virtual-interrupt delivery with what it needs: TPR shadow and external-interrupt exiting. */
static void vid_on(struct ec_env *e)
{
    tpr_shadow_on(e, 0, 0);
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) |= PIN_EXTERNAL_INTERRUPT_EXITING;
    proc2_on(e, PROC2_VIRTUAL_INTERRUPT_DELIVERY);
}

/* Posted interrupts with what they need (profile "max"). */
static void posted_on(struct ec_env *e)
{
    vid_on(e);
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) |= PIN_PROCESS_POSTED_INTERRUPTS;
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT;
    ENV_F(e, POSTED_INTR_NOTIFICATION_VECTOR) = 0xf2;
    ENV_F(e, POSTED_INTR_DESC_ADDR) = PA_POSTED_DESC;
}

static void set_eptp_pml4(struct ec_env *e, uint64_t pml4)
{
    ENV_F(e, EPT_POINTER) = (ENV_F(e, EPT_POINTER) & 0xfffull) | pml4;
}

static void vmfunc_eptp_switching_on(struct ec_env *e)
{
    proc2_on(e, PROC2_ENABLE_VM_FUNCTIONS);
    ENV_F(e, VM_FUNCTION_CONTROLS) = 1; /* EPTP switching */
    ENV_F(e, EPTP_LIST_ADDR) = PA_EPTP_LIST;
}

static void inject(struct ec_env *e, uint32_t info, uint32_t error_code, uint32_t len)
{
    ENV_F(e, VM_ENTRY_INTERRUPTION_INFO) = info;
    ENV_F(e, VM_ENTRY_EXCEPTION_ERROR_CODE) = error_code;
    ENV_F(e, VM_ENTRY_INSTRUCTION_LENGTH) = len;
}

/* A guest in real-address mode run with "unrestricted guest": CR0.PE = CR0.PG = 0, no IA-32e mode, a
 * 32-bit code segment (what an unrestricted guest may have with CR0.PE = 0, SDM §27.3.1.2). */
static void unrestricted_real_mode_guest(struct ec_env *e)
{
    proc2_on(e, PROC2_UNRESTRICTED_GUEST);
    ENV_F(e, GUEST_CR0) &= ~0x80000001ull;
    ENV_F(e, VM_ENTRY_CONTROLS) &= ~(uint64_t)ENTRY_IA32E_MODE_GUEST;
    ENV_F(e, GUEST_IA32_EFER) = 0;
    ENV_F(e, GUEST_CS_AR_BYTES) = 0xc09b;
}

/* A valid one-entry MSR-load list at pa: IA32_SYSENTER_CS (174H) <- 0. */
static void msr_entry_at(struct ec_env *e, uint64_t pa)
{
    ec_env_write32(e, pa, 0x174);
    ec_env_write32(e, pa + 4, 0);
    ec_env_write64(e, pa + 8, 0);
}

/* ==== §27.2.1.1 ====================================================================================== */

/* Pin-based controls exactly at their must-be-1 setting / one must-be-1 bit clear. */
static void pass_pin_allowed0(struct ec_env *e)
{
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) = sim_ctl_must_be_1(cap_pin(e));
}
static void trip_pin_allowed0(struct ec_env *e)
{
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) &= ~(uint64_t)lowest_bit(sim_ctl_must_be_1(cap_pin(e)));
}
/* Every allowed pin-based control that needs nothing else (virtual NMIs needs NMI exiting: on). */
static void pass_pin_allowed1(struct ec_env *e)
{
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) |=
        sim_ctl_may_be_1(cap_pin(e)) & (PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS |
                                        PIN_ACTIVATE_PREEMPTION_TIMER);
}
static void trip_pin_allowed1(struct ec_env *e)
{
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) |= lowest_bit(~sim_ctl_may_be_1(cap_pin(e)));
}

static void pass_proc_allowed0(struct ec_env *e)
{
    ENV_F(e, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) = sim_ctl_must_be_1(cap_proc(e));
}
static void trip_proc_allowed0(struct ec_env *e)
{
    ENV_F(e, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) &= ~(uint64_t)lowest_bit(sim_ctl_must_be_1(cap_proc(e)));
}
/* Every allowed exiting control that needs no other state. */
#define PROC_PLAIN_EXITING                                                                                   \
    (PROC_INTERRUPT_WINDOW_EXITING | PROC_USE_TSC_OFFSETTING | PROC_HLT_EXITING | PROC_INVLPG_EXITING |      \
     PROC_MWAIT_EXITING | PROC_RDPMC_EXITING | PROC_RDTSC_EXITING | PROC_CR3_LOAD_EXITING |                 \
     PROC_CR3_STORE_EXITING | PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | PROC_MOV_DR_EXITING |        \
     PROC_UNCONDITIONAL_IO_EXITING | PROC_MONITOR_EXITING | PROC_PAUSE_EXITING)
static void pass_proc_allowed1(struct ec_env *e)
{
    ENV_F(e, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) |= sim_ctl_may_be_1(cap_proc(e)) & PROC_PLAIN_EXITING;
}
static void trip_proc_allowed1(struct ec_env *e)
{
    ENV_F(e, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) |= lowest_bit(~sim_ctl_may_be_1(cap_proc(e)));
}

#define PROC2_PLAIN                                                                                          \
    (PROC2_DESCRIPTOR_TABLE_EXITING | PROC2_ENABLE_RDTSCP | PROC2_WBINVD_EXITING | PROC2_RDRAND_EXITING |   \
     PROC2_ENABLE_INVPCID | PROC2_RDSEED_EXITING | PROC2_PAUSE_LOOP_EXITING)
static void pass_proc2_allowed1(struct ec_env *e)
{
    proc2_on(e, sim_ctl_may_be_1(cap_proc2(e)) & PROC2_PLAIN);
}
static void trip_proc2_allowed1(struct ec_env *e) /* bochs-haswell: bit 15 (ENCLS exiting) not allowed */
{
    proc2_on(e, lowest_bit(~sim_ctl_may_be_1(cap_proc2(e))));
}

/* max: tertiary controls active with LOADIWKEY exiting / with bit 5 (reserved). */
static void pass_proc3_reserved(struct ec_env *e)
{
    ENV_F(e, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) |= PROC_ACTIVATE_TERTIARY_CONTROLS;
    ENV_F(e, TERTIARY_PROC_BASED_VM_EXEC_CONTROL) = PROC3_LOADIWKEY_EXITING;
}
static void trip_proc3_reserved(struct ec_env *e)
{
    uint64_t cap = sim_profile_vmx_msr(e->prof, MSR_IA32_VMX_PROCBASED_CTLS3);
    ENV_F(e, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) |= PROC_ACTIVATE_TERTIARY_CONTROLS;
    ENV_F(e, TERTIARY_PROC_BASED_VM_EXEC_CONTROL) = ~cap & (~cap + 1); /* lowest reserved bit */
}

/* bochs-haswell reports 4 CR3-target values. */
static void pass_cr3_target_count(struct ec_env *e)
{
    ENV_F(e, CR3_TARGET_COUNT) = 4;
}
static void trip_cr3_target_count(struct ec_env *e)
{
    ENV_F(e, CR3_TARGET_COUNT) = 5;
}

/* The template has "use I/O bitmaps" and "use MSR bitmaps" on. Aligned: any 4-KiB-aligned address (here
 * the highest page, which is also the width boundary); trip: bit 0. Width: the highest page / bit N. */
static void pass_io_a_aligned(struct ec_env *e)
{
    ENV_F(e, IO_BITMAP_A) = 0x1000;
}
static void trip_io_a_aligned(struct ec_env *e)
{
    ENV_F(e, IO_BITMAP_A) |= 0x800;
}
static void pass_io_a_width(struct ec_env *e)
{
    ENV_F(e, IO_BITMAP_A) = top_page(e);
}
static void trip_io_a_width(struct ec_env *e)
{
    ENV_F(e, IO_BITMAP_A) = beyond(e);
}
static void pass_io_b_aligned(struct ec_env *e)
{
    ENV_F(e, IO_BITMAP_B) = 0x2000;
}
static void trip_io_b_aligned(struct ec_env *e)
{
    ENV_F(e, IO_BITMAP_B) |= 1;
}
static void pass_io_b_width(struct ec_env *e)
{
    ENV_F(e, IO_BITMAP_B) = top_page(e);
}
static void trip_io_b_width(struct ec_env *e)
{
    ENV_F(e, IO_BITMAP_B) |= 1ull << 63;
}
static void pass_msr_bitmap_aligned(struct ec_env *e)
{
    ENV_F(e, MSR_BITMAP) = 0x3000;
}
static void trip_msr_bitmap_aligned(struct ec_env *e)
{
    ENV_F(e, MSR_BITMAP) |= 0x10;
}
static void pass_msr_bitmap_width(struct ec_env *e)
{
    ENV_F(e, MSR_BITMAP) = top_page(e);
}
static void trip_msr_bitmap_width(struct ec_env *e)
{
    ENV_F(e, MSR_BITMAP) = beyond(e);
}

/* TPR shadow on; virtual-APIC page at an aligned address / at the top page; trips one bit each. */
static void pass_vapic_aligned(struct ec_env *e)
{
    tpr_shadow_on(e, 0, 0);
}
static void trip_vapic_aligned(struct ec_env *e)
{
    tpr_shadow_on(e, 0, 0);
    ENV_F(e, VIRTUAL_APIC_PAGE_ADDR) |= 0x80;
}
static void pass_vapic_width(struct ec_env *e)
{
    tpr_shadow_on(e, 0, 0);
    ENV_F(e, VIRTUAL_APIC_PAGE_ADDR) = top_page(e);
}
static void trip_vapic_width(struct ec_env *e)
{
    tpr_shadow_on(e, 0, 0);
    ENV_F(e, VIRTUAL_APIC_PAGE_ADDR) = beyond(e);
}

/* TPR threshold 15 (bits 31:4 clear) with VTPR F0H / 10H. */
static void pass_tpr_threshold_reserved(struct ec_env *e)
{
    tpr_shadow_on(e, 0xf0, 0xf);
}
static void trip_tpr_threshold_reserved(struct ec_env *e)
{
    tpr_shadow_on(e, 0xf0, 0x10);
}
/* TPR threshold 5 against VTPR 50H (equal: passes) / threshold 6. */
static void pass_tpr_threshold_vtpr(struct ec_env *e)
{
    tpr_shadow_on(e, 0x50, 5);
}
static void trip_tpr_threshold_vtpr(struct ec_env *e)
{
    tpr_shadow_on(e, 0x50, 6);
}

/* Each APIC-virtualization control with / without TPR shadow (bochs-haswell has all three). */
static void pass_x2apic_tpr_shadow(struct ec_env *e)
{
    tpr_shadow_on(e, 0, 0);
    proc2_on(e, PROC2_VIRTUALIZE_X2APIC_MODE);
}
static void trip_x2apic_tpr_shadow(struct ec_env *e)
{
    proc2_on(e, PROC2_VIRTUALIZE_X2APIC_MODE);
}
static void pass_apicreg_tpr_shadow(struct ec_env *e)
{
    tpr_shadow_on(e, 0, 0);
    proc2_on(e, PROC2_APIC_REGISTER_VIRTUALIZATION);
}
static void trip_apicreg_tpr_shadow(struct ec_env *e)
{
    proc2_on(e, PROC2_APIC_REGISTER_VIRTUALIZATION);
}
static void pass_vid_tpr_shadow(struct ec_env *e)
{
    vid_on(e);
}
static void trip_vid_tpr_shadow(struct ec_env *e)
{
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) |= PIN_EXTERNAL_INTERRUPT_EXITING;
    proc2_on(e, PROC2_VIRTUAL_INTERRUPT_DELIVERY);
}

/* Virtual NMIs with NMI exiting / without. */
static void pass_nmi_virtual_nmis(struct ec_env *e)
{
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) |= PIN_NMI_EXITING | PIN_VIRTUAL_NMIS;
}
static void trip_nmi_virtual_nmis(struct ec_env *e)
{
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) &= ~(uint64_t)PIN_NMI_EXITING;
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) |= PIN_VIRTUAL_NMIS;
}
/* NMI-window exiting with virtual NMIs / without. */
static void pass_nmi_window(struct ec_env *e)
{
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) |= PIN_NMI_EXITING | PIN_VIRTUAL_NMIS;
    ENV_F(e, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) |= PROC_NMI_WINDOW_EXITING;
}
static void trip_nmi_window(struct ec_env *e)
{
    ENV_F(e, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) |= PROC_NMI_WINDOW_EXITING;
}

static void pass_apic_access_aligned(struct ec_env *e)
{
    proc2_on(e, PROC2_VIRTUALIZE_APIC_ACCESSES);
    ENV_F(e, APIC_ACCESS_ADDR) = PA_APIC_ACCESS;
}
static void trip_apic_access_aligned(struct ec_env *e)
{
    proc2_on(e, PROC2_VIRTUALIZE_APIC_ACCESSES);
    ENV_F(e, APIC_ACCESS_ADDR) = PA_APIC_ACCESS | 0x400;
}
static void pass_apic_access_width(struct ec_env *e)
{
    proc2_on(e, PROC2_VIRTUALIZE_APIC_ACCESSES);
    ENV_F(e, APIC_ACCESS_ADDR) = top_page(e);
}
static void trip_apic_access_width(struct ec_env *e)
{
    proc2_on(e, PROC2_VIRTUALIZE_APIC_ACCESSES);
    ENV_F(e, APIC_ACCESS_ADDR) = beyond(e);
}

/* Virtualize x2APIC mode with TPR shadow, and APIC accesses not virtualized / virtualized too. */
static void pass_x2apic_apic_access(struct ec_env *e)
{
    tpr_shadow_on(e, 0, 0);
    proc2_on(e, PROC2_VIRTUALIZE_X2APIC_MODE);
}
static void trip_x2apic_apic_access(struct ec_env *e)
{
    pass_x2apic_apic_access(e);
    pass_apic_access_aligned(e);
}

static void pass_vid_external_interrupt(struct ec_env *e)
{
    vid_on(e);
}
static void trip_vid_external_interrupt(struct ec_env *e)
{
    vid_on(e);
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) &= ~(uint64_t)PIN_EXTERNAL_INTERRUPT_EXITING;
}

/* max: posted interrupts. */
static void pass_posted_vid(struct ec_env *e)
{
    posted_on(e);
}
static void trip_posted_vid(struct ec_env *e)
{
    posted_on(e);
    proc2_off(e, PROC2_VIRTUAL_INTERRUPT_DELIVERY);
}
static void pass_posted_ack(struct ec_env *e)
{
    posted_on(e);
}
static void trip_posted_ack(struct ec_env *e)
{
    posted_on(e);
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) &= ~(uint64_t)EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT;
}
static void pass_posted_vector(struct ec_env *e)
{
    posted_on(e);
    ENV_F(e, POSTED_INTR_NOTIFICATION_VECTOR) = 0xff;
}
static void trip_posted_vector(struct ec_env *e)
{
    posted_on(e);
    ENV_F(e, POSTED_INTR_NOTIFICATION_VECTOR) = 0x100;
}
static void pass_posted_desc_aligned(struct ec_env *e)
{
    posted_on(e);
}
static void trip_posted_desc_aligned(struct ec_env *e)
{
    posted_on(e);
    ENV_F(e, POSTED_INTR_DESC_ADDR) |= 0x20;
}
static void pass_posted_desc_width(struct ec_env *e)
{
    posted_on(e);
    ENV_F(e, POSTED_INTR_DESC_ADDR) = beyond(e) - 64;
}
static void trip_posted_desc_width(struct ec_env *e)
{
    posted_on(e);
    ENV_F(e, POSTED_INTR_DESC_ADDR) = beyond(e);
}

/* The template has VPID on with VPID 1 (the boundary); pass sets the other extreme. */
static void pass_vpid_nonzero(struct ec_env *e)
{
    ENV_F(e, VIRTUAL_PROCESSOR_ID) = 0xffff;
}
static void trip_vpid_nonzero(struct ec_env *e)
{
    ENV_F(e, VIRTUAL_PROCESSOR_ID) = 0;
}

/* EPTP: the template has WB, 4-level walk. UC is the other supported type; 1 (WC) is not. */
static void pass_eptp_memtype(struct ec_env *e)
{
    ENV_F(e, EPT_POINTER) &= ~7ull; /* UC */
}
static void trip_eptp_memtype(struct ec_env *e)
{
    ENV_F(e, EPT_POINTER) = (ENV_F(e, EPT_POINTER) & ~7ull) | 1;
}
/* max has 4- and 5-level walks: 5-level (encoded 4, the highest supported) passes; encoded 5 (a 6-level
 * walk, which no processor has) trips. */
static void pass_eptp_walk_length(struct ec_env *e)
{
    ENV_F(e, EPT_POINTER) = (ENV_F(e, EPT_POINTER) & ~0x38ull) | (4u << 3);
}
static void trip_eptp_walk_length(struct ec_env *e)
{
    ENV_F(e, EPT_POINTER) = (ENV_F(e, EPT_POINTER) & ~0x38ull) | (5u << 3);
}
/* A/D enable on bochs-sandybridge, which lacks EPT A/D flags (IA32_VMX_EPT_VPID_CAP[21] = 0). */
static void trip_eptp_ad(struct ec_env *e)
{
    ENV_F(e, EPT_POINTER) |= EPTP_AD_ENABLE;
}
/* Supervisor shadow-stack control on bochs-haswell, which lacks it (IA32_VMX_EPT_VPID_CAP[23] = 0). */
static void trip_eptp_sss(struct ec_env *e)
{
    ENV_F(e, EPT_POINTER) |= EPTP_SSS_ENABLE;
}
/* max: bits 7:6 defined and set (the highest non-reserved bits) / bit 8. */
static void pass_eptp_reserved(struct ec_env *e)
{
    ENV_F(e, EPT_POINTER) |= EPTP_AD_ENABLE | EPTP_SSS_ENABLE;
}
static void trip_eptp_reserved(struct ec_env *e)
{
    ENV_F(e, EPT_POINTER) |= 1ull << 8;
}
static void pass_eptp_width(struct ec_env *e)
{
    set_eptp_pml4(e, top_page(e));
}
static void trip_eptp_width(struct ec_env *e)
{
    set_eptp_pml4(e, beyond(e));
}

/* bochs-skylake-x: PML. */
static void pass_pml_ept(struct ec_env *e)
{
    proc2_on(e, PROC2_ENABLE_PML);
    ENV_F(e, PML_ADDRESS) = PA_PML;
}
static void trip_pml_ept(struct ec_env *e)
{
    pass_pml_ept(e);
    proc2_off(e, PROC2_ENABLE_EPT);
}
static void trip_pml_aligned(struct ec_env *e)
{
    pass_pml_ept(e);
    ENV_F(e, PML_ADDRESS) |= 0x8;
}
static void pass_pml_width(struct ec_env *e)
{
    pass_pml_ept(e);
    ENV_F(e, PML_ADDRESS) = top_page(e);
}
static void trip_pml_width(struct ec_env *e)
{
    pass_pml_ept(e);
    ENV_F(e, PML_ADDRESS) = beyond(e);
}

static void pass_ug_ept(struct ec_env *e)
{
    proc2_on(e, PROC2_UNRESTRICTED_GUEST);
}
static void trip_ug_ept(struct ec_env *e)
{
    proc2_on(e, PROC2_UNRESTRICTED_GUEST);
    proc2_off(e, PROC2_ENABLE_EPT);
}

/* max: mode-based execute control, sub-page write permissions. */
static void pass_mbec_ept(struct ec_env *e)
{
    proc2_on(e, PROC2_MODE_BASED_EXECUTE_CONTROL);
}
static void trip_mbec_ept(struct ec_env *e)
{
    proc2_on(e, PROC2_MODE_BASED_EXECUTE_CONTROL);
    proc2_off(e, PROC2_ENABLE_EPT);
}
static void pass_spp_ept(struct ec_env *e)
{
    proc2_on(e, PROC2_SUB_PAGE_WRITE_PERMISSIONS);
    ENV_F(e, SPP_TABLE_POINTER) = PA_SPPT;
}
static void trip_spp_ept(struct ec_env *e)
{
    pass_spp_ept(e);
    proc2_off(e, PROC2_ENABLE_EPT);
}
static void trip_spptp_aligned(struct ec_env *e)
{
    pass_spp_ept(e);
    ENV_F(e, SPP_TABLE_POINTER) |= 0x1;
}
static void pass_spptp_width(struct ec_env *e)
{
    pass_spp_ept(e);
    ENV_F(e, SPP_TABLE_POINTER) = top_page(e);
}
static void trip_spptp_width(struct ec_env *e)
{
    pass_spp_ept(e);
    ENV_F(e, SPP_TABLE_POINTER) = beyond(e);
}

/* bochs-haswell: IA32_VMX_VMFUNC = 1 (EPTP switching only). */
static void pass_vmfunc_reserved(struct ec_env *e)
{
    vmfunc_eptp_switching_on(e); /* every supported VM function */
}
static void trip_vmfunc_reserved(struct ec_env *e)
{
    proc2_on(e, PROC2_ENABLE_VM_FUNCTIONS);
    ENV_F(e, VM_FUNCTION_CONTROLS) = 2;
}
static void trip_vmfunc_eptp_switching_ept(struct ec_env *e)
{
    vmfunc_eptp_switching_on(e);
    proc2_off(e, PROC2_ENABLE_EPT);
}
static void trip_eptp_list_aligned(struct ec_env *e)
{
    vmfunc_eptp_switching_on(e);
    ENV_F(e, EPTP_LIST_ADDR) |= 0x100;
}
static void pass_eptp_list_width(struct ec_env *e)
{
    vmfunc_eptp_switching_on(e);
    ENV_F(e, EPTP_LIST_ADDR) = top_page(e);
}
static void trip_eptp_list_width(struct ec_env *e)
{
    vmfunc_eptp_switching_on(e);
    ENV_F(e, EPTP_LIST_ADDR) = beyond(e);
}

/* bochs-haswell: VMCS shadowing (the link pointer stays FFFFFFFF_FFFFFFFFH: no shadow VMCS is needed). */
static void shadowing_on(struct ec_env *e)
{
    proc2_on(e, PROC2_VMCS_SHADOWING);
    ENV_F(e, VMREAD_BITMAP) = PA_VMREAD_BITMAP;
    ENV_F(e, VMWRITE_BITMAP) = PA_VMWRITE_BITMAP;
}
static void trip_vmread_aligned(struct ec_env *e)
{
    shadowing_on(e);
    ENV_F(e, VMREAD_BITMAP) |= 0x4;
}
static void pass_vmread_width(struct ec_env *e)
{
    shadowing_on(e);
    ENV_F(e, VMREAD_BITMAP) = top_page(e);
}
static void trip_vmread_width(struct ec_env *e)
{
    shadowing_on(e);
    ENV_F(e, VMREAD_BITMAP) = beyond(e);
}
static void trip_vmwrite_aligned(struct ec_env *e)
{
    shadowing_on(e);
    ENV_F(e, VMWRITE_BITMAP) |= 0x40;
}
static void pass_vmwrite_width(struct ec_env *e)
{
    shadowing_on(e);
    ENV_F(e, VMWRITE_BITMAP) = top_page(e);
}
static void trip_vmwrite_width(struct ec_env *e)
{
    shadowing_on(e);
    ENV_F(e, VMWRITE_BITMAP) = beyond(e);
}

/* bochs-haswell: EPT-violation #VE. */
static void ve_on(struct ec_env *e)
{
    proc2_on(e, PROC2_EPT_VIOLATION_VE);
    ENV_F(e, VIRT_EXCEPTION_INFO_ADDR) = PA_VE_INFO;
}
static void trip_ve_aligned(struct ec_env *e)
{
    ve_on(e);
    ENV_F(e, VIRT_EXCEPTION_INFO_ADDR) |= 0x200;
}
static void pass_ve_width(struct ec_env *e)
{
    ve_on(e);
    ENV_F(e, VIRT_EXCEPTION_INFO_ADDR) = top_page(e);
}
static void trip_ve_width(struct ec_env *e)
{
    ve_on(e);
    ENV_F(e, VIRT_EXCEPTION_INFO_ADDR) = beyond(e);
}

/* max: Intel PT uses guest physical addresses, with EPT, "load IA32_RTIT_CTL" and "clear IA32_RTIT_CTL". */
static void pt_gpa_on(struct ec_env *e)
{
    proc2_on(e, PROC2_PT_USES_GUEST_PHYSICAL);
    ENV_F(e, VM_ENTRY_CONTROLS) |= ENTRY_LOAD_IA32_RTIT_CTL;
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_CLEAR_IA32_RTIT_CTL;
}
static void trip_pt_gpa_ept(struct ec_env *e)
{
    pt_gpa_on(e);
    proc2_off(e, PROC2_ENABLE_EPT);
}
static void trip_pt_gpa_load_rtit(struct ec_env *e)
{
    pt_gpa_on(e);
    ENV_F(e, VM_ENTRY_CONTROLS) &= ~(uint64_t)ENTRY_LOAD_IA32_RTIT_CTL;
}
static void trip_pt_gpa_clear_rtit(struct ec_env *e)
{
    pt_gpa_on(e);
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) &= ~(uint64_t)EXIT_CLEAR_IA32_RTIT_CTL;
}

/* ==== §27.2.1.2 ====================================================================================== */

/* Exit controls at must-be-1 plus "host address-space size" (the 64-bit host needs it, §27.2.4). */
static void pass_exit_allowed0(struct ec_env *e)
{
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) = sim_ctl_must_be_1(cap_exit(e)) | EXIT_HOST_ADDRESS_SPACE_SIZE;
}
static void trip_exit_allowed0(struct ec_env *e)
{
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) &= ~(uint64_t)lowest_bit(sim_ctl_must_be_1(cap_exit(e)));
}
#define EXIT_PLAIN                                                                                           \
    (EXIT_SAVE_DEBUG_CONTROLS | EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT | EXIT_SAVE_IA32_PAT | EXIT_SAVE_IA32_EFER | \
     EXIT_CONCEAL_VMX_FROM_PT)
static void pass_exit_allowed1(struct ec_env *e)
{
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) |= sim_ctl_may_be_1(cap_exit(e)) & EXIT_PLAIN;
}
static void trip_exit_allowed1(struct ec_env *e) /* bochs-haswell: bit 23 */
{
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) |= lowest_bit(~sim_ctl_may_be_1(cap_exit(e)));
}

/* max: secondary VM-exit controls active with nothing in them / with bit 0 (not allowed on max). */
static void pass_exit2_reserved(struct ec_env *e)
{
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_ACTIVATE_SECONDARY_CONTROLS;
    ENV_F(e, SECONDARY_VM_EXIT_CONTROLS) = 0;
}
static void trip_exit2_reserved(struct ec_env *e)
{
    uint64_t cap = sim_profile_vmx_msr(e->prof, MSR_IA32_VMX_EXIT_CTLS2);
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_ACTIVATE_SECONDARY_CONTROLS;
    ENV_F(e, SECONDARY_VM_EXIT_CONTROLS) = ~cap & (~cap + 1);
}

static void pass_preemption_save(struct ec_env *e)
{
    ENV_F(e, PIN_BASED_VM_EXEC_CONTROL) |= PIN_ACTIVATE_PREEMPTION_TIMER;
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_SAVE_PREEMPTION_TIMER;
}
static void trip_preemption_save(struct ec_env *e)
{
    ENV_F(e, PRIMARY_VM_EXIT_CONTROLS) |= EXIT_SAVE_PREEMPTION_TIMER;
}

/* MSR areas: one entry at a 16-byte (not 4-KiB) aligned address / off by 8; width: the area's first byte
 * just beyond the width; last byte: two entries whose last byte is the last byte inside the width (pass)
 * or one past it (trip, the first entry still inside). */
#define MSR_AREA_RULES(lc, UC)                                                                               \
    static void pass_##lc##_aligned(struct ec_env *e)                                                        \
    {                                                                                                        \
        ENV_F(e, UC##_COUNT) = 1;                                                                            \
        ENV_F(e, UC##_ADDR) = PA_MSR_AREA + 0x10;                                                            \
        msr_entry_at(e, PA_MSR_AREA + 0x10);                                                                 \
    }                                                                                                        \
    static void trip_##lc##_aligned(struct ec_env *e)                                                        \
    {                                                                                                        \
        ENV_F(e, UC##_COUNT) = 1;                                                                            \
        ENV_F(e, UC##_ADDR) = PA_MSR_AREA + 0x8;                                                             \
    }                                                                                                        \
    static void pass_##lc##_width(struct ec_env *e)                                                          \
    {                                                                                                        \
        ENV_F(e, UC##_COUNT) = 1;                                                                            \
        ENV_F(e, UC##_ADDR) = beyond(e) - 16;                                                                \
        msr_entry_at(e, beyond(e) - 16);                                                                     \
    }                                                                                                        \
    static void trip_##lc##_width(struct ec_env *e)                                                          \
    {                                                                                                        \
        ENV_F(e, UC##_COUNT) = 1;                                                                            \
        ENV_F(e, UC##_ADDR) = beyond(e);                                                                     \
    }                                                                                                        \
    static void pass_##lc##_last_byte(struct ec_env *e)                                                      \
    {                                                                                                        \
        ENV_F(e, UC##_COUNT) = 2;                                                                            \
        ENV_F(e, UC##_ADDR) = beyond(e) - 32;                                                                \
        msr_entry_at(e, beyond(e) - 32);                                                                     \
        msr_entry_at(e, beyond(e) - 16);                                                                     \
    }                                                                                                        \
    static void trip_##lc##_last_byte(struct ec_env *e)                                                      \
    {                                                                                                        \
        ENV_F(e, UC##_COUNT) = 2;                                                                            \
        ENV_F(e, UC##_ADDR) = beyond(e) - 16;                                                                \
    }
MSR_AREA_RULES(exit_store, VM_EXIT_MSR_STORE)
MSR_AREA_RULES(exit_load, VM_EXIT_MSR_LOAD)
MSR_AREA_RULES(entry_load, VM_ENTRY_MSR_LOAD)

/* ==== §27.2.1.3 ====================================================================================== */

/* Entry controls at must-be-1 plus "IA-32e mode guest" (the 64-bit guest needs it, §27.3.1.1). */
static void pass_entry_allowed0(struct ec_env *e)
{
    ENV_F(e, VM_ENTRY_CONTROLS) = sim_ctl_must_be_1(cap_entry(e)) | ENTRY_IA32E_MODE_GUEST;
}
static void trip_entry_allowed0(struct ec_env *e)
{
    ENV_F(e, VM_ENTRY_CONTROLS) &= ~(uint64_t)lowest_bit(sim_ctl_must_be_1(cap_entry(e)));
}
static void pass_entry_allowed1(struct ec_env *e)
{
    ENV_F(e, VM_ENTRY_CONTROLS) |= sim_ctl_may_be_1(cap_entry(e)) & (ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_CONCEAL_VMX_FROM_PT);
}
static void trip_entry_allowed1(struct ec_env *e) /* bochs-haswell: bit 16 */
{
    ENV_F(e, VM_ENTRY_CONTROLS) |= lowest_bit(~sim_ctl_may_be_1(cap_entry(e)));
}

/* Event injection. NMI (type 2, next to the reserved type 1) / type 1. */
static void pass_intr_type_reserved(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_NMI, 2), 0, 0);
}
static void trip_intr_type_reserved(struct ec_env *e)
{
    inject(e, INTR(1, 0), 0, 0);
}
/* Other event (pending MTF VM exit) on bochs-haswell, which has no monitor trap flag: type 7 trips; the
 * passing side is any other type, here the highest one below it (software exception, #BP). */
static void pass_intr_type_other_event(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_SW_EXCEPTION, 3), 0, 1);
}
static void inject_mtf(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_OTHER_EVENT, 0), 0, 0);
}
static void trip_intr_nmi_vector(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_NMI, 3), 0, 0);
}
static void pass_intr_exception_vector(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 31), 0, 0);
}
static void trip_intr_exception_vector(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 32), 0, 0);
}
static void trip_intr_other_event_vector(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_OTHER_EVENT, 1), 0, 0);
}
/* #BP as a software exception without error code / with one. */
static void pass_intr_error_code_type(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_SW_EXCEPTION, 3), 0, 1);
}
static void trip_intr_error_code_type(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_SW_EXCEPTION, 3) | INTR_INFO_DELIVER_ERROR_CODE, 0, 1);
}
/* bochs-haswell, unrestricted guest in real-address mode: #GP without error code / with one. */
static void pass_intr_error_code_real_mode(struct ec_env *e)
{
    unrestricted_real_mode_guest(e);
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 13), 0, 0);
}
static void trip_intr_error_code_real_mode(struct ec_env *e)
{
    proc2_on(e, PROC2_UNRESTRICTED_GUEST);
    ENV_F(e, GUEST_CR0) &= ~1ull; /* the guest state is invalid too, but the controls are checked first */
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 13) | INTR_INFO_DELIVER_ERROR_CODE, 0, 0);
}
/* bochs-haswell (IA32_VMX_BASIC[56] = 0): #GP with / without error code. */
static void pass_intr_error_code_missing(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 13) | INTR_INFO_DELIVER_ERROR_CODE, 0, 0);
}
static void trip_intr_error_code_missing(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 13), 0, 0);
}
/* bochs-haswell: #UD without / with error code. */
static void pass_intr_error_code_unexpected(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 6), 0, 0);
}
static void trip_intr_error_code_unexpected(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 6) | INTR_INFO_DELIVER_ERROR_CODE, 0, 0);
}
static void pass_intr_reserved(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 6), 0, 0);
}
static void trip_intr_reserved(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 6) | (1u << 12), 0, 0);
}
/* #PF with error code FFFFH / 10000H. */
static void pass_intr_error_code_high(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 14) | INTR_INFO_DELIVER_ERROR_CODE, 0xffff, 0);
}
static void trip_intr_error_code_high(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_HW_EXCEPTION, 14) | INTR_INFO_DELIVER_ERROR_CODE, 0x10000, 0);
}
/* INT 80H with instruction length 1 / 0 on bochs-haswell (IA32_VMX_MISC[30] = 0); 15 / 16. */
static void pass_intr_instr_len_zero(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_SW_INTERRUPT, 0x80), 0, 1);
}
static void trip_intr_instr_len_zero(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_SW_INTERRUPT, 0x80), 0, 0);
}
static void pass_intr_instr_len_max(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_SW_INTERRUPT, 0x80), 0, 15);
}
static void trip_intr_instr_len_max(struct ec_env *e)
{
    inject(e, INTR(INTR_TYPE_SW_INTERRUPT, 0x80), 0, 16);
}

/* bochs-haswell allows both SMM controls (allowed-1 0xffff), so only this rule stops them. */
static void trip_entry_smm(struct ec_env *e)
{
    ENV_F(e, VM_ENTRY_CONTROLS) |= ENTRY_ENTRY_TO_SMM;
}
static void trip_entry_dual_monitor(struct ec_env *e)
{
    ENV_F(e, VM_ENTRY_CONTROLS) |= ENTRY_DEACTIVATE_DUAL_MONITOR;
}

#define HSW "bochs-haswell"
#define SKX "bochs-skylake-x"
#define SNB "bochs-sandybridge"
#define MAX "max"

static const struct ec_case controls_cases[] = {
    {"controls.pin.allowed0", HSW, pass_pin_allowed0, trip_pin_allowed0},
    {"controls.pin.allowed1", HSW, pass_pin_allowed1, trip_pin_allowed1},
    {"controls.proc.allowed0", HSW, pass_proc_allowed0, trip_proc_allowed0},
    {"controls.proc.allowed1", HSW, pass_proc_allowed1, trip_proc_allowed1},
    {"controls.proc2.allowed1", HSW, pass_proc2_allowed1, trip_proc2_allowed1},
    {"controls.proc3.reserved", MAX, pass_proc3_reserved, trip_proc3_reserved},
    {"controls.cr3_target.count", HSW, pass_cr3_target_count, trip_cr3_target_count},
    {"controls.io_bitmap_a.aligned", HSW, pass_io_a_aligned, trip_io_a_aligned},
    {"controls.io_bitmap_a.width", HSW, pass_io_a_width, trip_io_a_width},
    {"controls.io_bitmap_b.aligned", HSW, pass_io_b_aligned, trip_io_b_aligned},
    {"controls.io_bitmap_b.width", HSW, pass_io_b_width, trip_io_b_width},
    {"controls.msr_bitmap.aligned", HSW, pass_msr_bitmap_aligned, trip_msr_bitmap_aligned},
    {"controls.msr_bitmap.width", HSW, pass_msr_bitmap_width, trip_msr_bitmap_width},
    {"controls.virtual_apic.aligned", HSW, pass_vapic_aligned, trip_vapic_aligned},
    {"controls.virtual_apic.width", HSW, pass_vapic_width, trip_vapic_width},
    {"controls.tpr_threshold.reserved", HSW, pass_tpr_threshold_reserved, trip_tpr_threshold_reserved},
    {"controls.tpr_threshold.vtpr", HSW, pass_tpr_threshold_vtpr, trip_tpr_threshold_vtpr},
    {"controls.x2apic.tpr_shadow", HSW, pass_x2apic_tpr_shadow, trip_x2apic_tpr_shadow},
    {"controls.apic_register_virt.tpr_shadow", HSW, pass_apicreg_tpr_shadow, trip_apicreg_tpr_shadow},
    {"controls.vid.tpr_shadow", HSW, pass_vid_tpr_shadow, trip_vid_tpr_shadow},
    {"controls.nmi.virtual_nmis", HSW, pass_nmi_virtual_nmis, trip_nmi_virtual_nmis},
    {"controls.nmi.window", HSW, pass_nmi_window, trip_nmi_window},
    {"controls.apic_access.aligned", HSW, pass_apic_access_aligned, trip_apic_access_aligned},
    {"controls.apic_access.width", HSW, pass_apic_access_width, trip_apic_access_width},
    {"controls.x2apic.apic_access", HSW, pass_x2apic_apic_access, trip_x2apic_apic_access},
    {"controls.vid.external_interrupt", HSW, pass_vid_external_interrupt, trip_vid_external_interrupt},
    {"controls.posted_intr.vid", MAX, pass_posted_vid, trip_posted_vid},
    {"controls.posted_intr.ack_on_exit", MAX, pass_posted_ack, trip_posted_ack},
    {"controls.posted_intr.vector", MAX, pass_posted_vector, trip_posted_vector},
    {"controls.posted_intr.desc_aligned", MAX, pass_posted_desc_aligned, trip_posted_desc_aligned},
    {"controls.posted_intr.desc_width", MAX, pass_posted_desc_width, trip_posted_desc_width},
    {"controls.vpid.nonzero", HSW, pass_vpid_nonzero, trip_vpid_nonzero},
    {"controls.eptp.memtype", HSW, pass_eptp_memtype, trip_eptp_memtype},
    {"controls.eptp.walk_length", MAX, pass_eptp_walk_length, trip_eptp_walk_length},
    /* The two EPTP feature bits trip only on a profile without the feature, where 0 is the only passing
     * value and the template has it: the unmodified template is the passing side. */
    {"controls.eptp.ad", SNB, NULL, trip_eptp_ad},
    {"controls.eptp.sss", HSW, NULL, trip_eptp_sss},
    {"controls.eptp.reserved", MAX, pass_eptp_reserved, trip_eptp_reserved},
    {"controls.eptp.width", HSW, pass_eptp_width, trip_eptp_width},
    {"controls.pml.ept", SKX, pass_pml_ept, trip_pml_ept},
    {"controls.pml.aligned", SKX, pass_pml_ept, trip_pml_aligned},
    {"controls.pml.width", SKX, pass_pml_width, trip_pml_width},
    {"controls.unrestricted_guest.ept", HSW, pass_ug_ept, trip_ug_ept},
    {"controls.mbec.ept", MAX, pass_mbec_ept, trip_mbec_ept},
    {"controls.spp.ept", MAX, pass_spp_ept, trip_spp_ept},
    {"controls.spptp.aligned", MAX, pass_spp_ept, trip_spptp_aligned},
    {"controls.spptp.width", MAX, pass_spptp_width, trip_spptp_width},
    {"controls.vmfunc.reserved", HSW, pass_vmfunc_reserved, trip_vmfunc_reserved},
    {"controls.vmfunc.eptp_switching_ept", HSW, vmfunc_eptp_switching_on, trip_vmfunc_eptp_switching_ept},
    {"controls.eptp_list.aligned", HSW, vmfunc_eptp_switching_on, trip_eptp_list_aligned},
    {"controls.eptp_list.width", HSW, pass_eptp_list_width, trip_eptp_list_width},
    {"controls.vmread_bitmap.aligned", HSW, shadowing_on, trip_vmread_aligned},
    {"controls.vmread_bitmap.width", HSW, pass_vmread_width, trip_vmread_width},
    {"controls.vmwrite_bitmap.aligned", HSW, shadowing_on, trip_vmwrite_aligned},
    {"controls.vmwrite_bitmap.width", HSW, pass_vmwrite_width, trip_vmwrite_width},
    {"controls.ve_info.aligned", HSW, ve_on, trip_ve_aligned},
    {"controls.ve_info.width", HSW, pass_ve_width, trip_ve_width},
    {"controls.pt_guest_physical.ept", MAX, pt_gpa_on, trip_pt_gpa_ept},
    {"controls.pt_guest_physical.load_rtit", MAX, pt_gpa_on, trip_pt_gpa_load_rtit},
    {"controls.pt_guest_physical.clear_rtit", MAX, pt_gpa_on, trip_pt_gpa_clear_rtit},
    {"controls.exit.allowed0", HSW, pass_exit_allowed0, trip_exit_allowed0},
    {"controls.exit.allowed1", HSW, pass_exit_allowed1, trip_exit_allowed1},
    {"controls.exit2.reserved", MAX, pass_exit2_reserved, trip_exit2_reserved},
    {"controls.preemption_timer.save", HSW, pass_preemption_save, trip_preemption_save},
    {"controls.exit_msr_store.aligned", HSW, pass_exit_store_aligned, trip_exit_store_aligned},
    {"controls.exit_msr_store.width", HSW, pass_exit_store_width, trip_exit_store_width},
    {"controls.exit_msr_store.last_byte", HSW, pass_exit_store_last_byte, trip_exit_store_last_byte},
    {"controls.exit_msr_load.aligned", HSW, pass_exit_load_aligned, trip_exit_load_aligned},
    {"controls.exit_msr_load.width", HSW, pass_exit_load_width, trip_exit_load_width},
    {"controls.exit_msr_load.last_byte", HSW, pass_exit_load_last_byte, trip_exit_load_last_byte},
    {"controls.entry.allowed0", HSW, pass_entry_allowed0, trip_entry_allowed0},
    {"controls.entry.allowed1", HSW, pass_entry_allowed1, trip_entry_allowed1},
    {"controls.entry_intr.type_reserved", HSW, pass_intr_type_reserved, trip_intr_type_reserved},
    {"controls.entry_intr.type_other_event", HSW, pass_intr_type_other_event, inject_mtf},
    {"controls.entry_intr.nmi_vector", HSW, pass_intr_type_reserved, trip_intr_nmi_vector},
    {"controls.entry_intr.exception_vector", HSW, pass_intr_exception_vector, trip_intr_exception_vector},
    {"controls.entry_intr.other_event_vector", MAX, inject_mtf, trip_intr_other_event_vector},
    {"controls.entry_intr.error_code_type", HSW, pass_intr_error_code_type, trip_intr_error_code_type},
    {"controls.entry_intr.error_code_real_mode", HSW, pass_intr_error_code_real_mode,
     trip_intr_error_code_real_mode},
    {"controls.entry_intr.error_code_missing", HSW, pass_intr_error_code_missing, trip_intr_error_code_missing},
    {"controls.entry_intr.error_code_unexpected", HSW, pass_intr_error_code_unexpected,
     trip_intr_error_code_unexpected},
    {"controls.entry_intr.reserved", HSW, pass_intr_reserved, trip_intr_reserved},
    {"controls.entry_intr.error_code_high", HSW, pass_intr_error_code_high, trip_intr_error_code_high},
    {"controls.entry_intr.instr_len_zero", HSW, pass_intr_instr_len_zero, trip_intr_instr_len_zero},
    {"controls.entry_intr.instr_len_max", HSW, pass_intr_instr_len_max, trip_intr_instr_len_max},
    {"controls.entry_msr_load.aligned", HSW, pass_entry_load_aligned, trip_entry_load_aligned},
    {"controls.entry_msr_load.width", HSW, pass_entry_load_width, trip_entry_load_width},
    {"controls.entry_msr_load.last_byte", HSW, pass_entry_load_last_byte, trip_entry_load_last_byte},
    /* The sim's processor is never in SMM, so 0 is the only passing value of these two controls and the
     * template has it: the unmodified template is the passing side. */
    {"controls.entry.smm", HSW, NULL, trip_entry_smm},
    {"controls.entry.dual_monitor", HSW, NULL, trip_entry_dual_monitor},
};
EC_CASES(controls_cases)
