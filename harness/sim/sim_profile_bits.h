/* Private to sim_profile.c / sim_profiles.c: the bit classes of the VMX capability MSRs that the named
 * profiles, the byte-driven constructor and the invariant checker share. Control bit names are in
 * <hv/vmx_controls.h>. */
#ifndef SIM_PROFILE_BITS_H
#define SIM_PROFILE_BITS_H

#include <hv/vmx_controls.h>
#include <stdint.h>

/* Default1 classes (SDM Vol. 3 Appendix A.2): controls that are, or once were, reserved with default 1. The
 * non-TRUE capability MSRs always report them as allowed-0 = 1 (A.3.1 pin 1, 2, 4; A.3.2 primary 1, 4-6, 8,
 * 13-16, 26; A.4.1 exit 0-8, 10, 11, 13, 14, 16, 17; A.5 entry 0-8, 12). */
#define SIM_DEF1_PIN 0x00000016u
#define SIM_DEF1_PROC 0x0401e172u
#define SIM_DEF1_EXIT 0x00036dffu
#define SIM_DEF1_ENTRY 0x000011ffu

/* Default1 controls that the SDM has since given a meaning, so that a TRUE MSR may report them as allowed
 * to be 0: CR3-load/CR3-store exiting (Table 25-6, primary bits 15, 16), "save debug controls" (Table 25-13,
 * exit bit 2), "load debug controls" (Table 25-15, entry bit 2). The other default1 bits are still
 * reserved. */
#define SIM_FLEX1_PROC (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING)
#define SIM_FLEX1_EXIT EXIT_SAVE_DEBUG_CONTROLS
#define SIM_FLEX1_ENTRY ENTRY_LOAD_DEBUG_CONTROLS

/* Every bit the SDM defines (or reserves with default 1) in each control vector; used as allowed-1 by the
 * `max` profile and as the range the byte constructor draws from. Left out on purpose:
 *  - primary bit 0 and 18 (reserved, default0; Table 25-6), secondary bit 29 (reserved; Table 25-7);
 *  - tertiary bits 5, 6 (reserved in Table 25-8 as this table follows it);
 *  - controls whose state lives in VMCS fields hv's field table (Appendix B) does not have: VM-entry
 *    "load guest FRED state" (bit 23) and later entry bits, secondary VM-exit "save/load FRED" (bits 0, 1)
 *    and "load host IA32_SPEC_CTRL" (bit 2). A profile that allowed them would promise fields VMREAD cannot
 *    reach. */
#define SIM_DEFINED_PIN 0x000000ffu
#define SIM_DEFINED_PROC 0xfffbfffeu
#define SIM_DEFINED_PROC2 0xdfffffffu
#define SIM_DEFINED_PROC3                                                                                    \
    (PROC3_LOADIWKEY_EXITING | PROC3_ENABLE_HLAT | PROC3_EPT_PAGING_WRITE_CONTROL |                          \
     PROC3_GUEST_PAGING_VERIFICATION | PROC3_IPI_VIRTUALIZATION | PROC3_VIRTUALIZE_IA32_SPEC_CTRL)
#define SIM_DEFINED_EXIT 0xffffffffu
#define SIM_DEFINED_EXIT2 (1ull << 3) /* "prematurely busy shadow stack" */
#define SIM_DEFINED_ENTRY 0x007fffffu

/* IA32_VMX_EPT_VPID_CAP bits that describe EPT / INVEPT, and VPID / INVVPID (SDM Vol. 3 Appendix A.10). */
#define SIM_EPT_CAP_BITS                                                                                     \
    (EPT_CAP_EXECUTE_ONLY | EPT_CAP_WALK_LENGTH_4 | EPT_CAP_WALK_LENGTH_5 | EPT_CAP_MEMTYPE_UC |             \
     EPT_CAP_MEMTYPE_WB | EPT_CAP_PDE_2MB | EPT_CAP_PDPTE_1GB | EPT_CAP_INVEPT | EPT_CAP_ACCESSED_DIRTY |    \
     EPT_CAP_ADVANCED_EXIT_INFO | EPT_CAP_SUPERVISOR_SHADOW_STACK | EPT_CAP_INVEPT_SINGLE_CONTEXT |          \
     EPT_CAP_INVEPT_ALL_CONTEXT)
#define SIM_VPID_CAP_BITS                                                                                    \
    (VPID_CAP_INVVPID | VPID_CAP_INDIVIDUAL_ADDRESS | VPID_CAP_SINGLE_CONTEXT | VPID_CAP_ALL_CONTEXT |       \
     VPID_CAP_SINGLE_CONTEXT_RETAINING_GLOBALS)

/* IA32_VMX_BASIC fields (SDM Vol. 3 Appendix A.1). */
#define SIM_BASIC_SIZE_SHIFT 32
#define SIM_BASIC_SIZE_MASK (0x1fffull << 32) /* bits 44:32 */
#define SIM_BASIC_PHYS32 (1ull << 48)         /* addresses limited to 32 bits: 0 on Intel 64 */
#define SIM_BASIC_MEMTYPE_SHIFT 50            /* bits 53:50: 0 UC, 6 WB */
#define SIM_BASIC_RESERVED ((1ull << 31) | (7ull << 45) | (0x7full << 57))

/* IA32_VMX_MISC fields (SDM Vol. 3 Appendix A.6). */
#define SIM_MISC_STORE_LMA (1ull << 5)
#define SIM_MISC_CR3_TARGETS_SHIFT 16 /* bits 24:16 */

/* CR0 / CR4 bits (SDM Vol. 3 §2.5). */
#define SIM_CR0_PE (1ull << 0)
#define SIM_CR0_ET (1ull << 4)
#define SIM_CR0_NE (1ull << 5)
#define SIM_CR0_NW (1ull << 29)
#define SIM_CR0_CD (1ull << 30)
#define SIM_CR0_PG (1ull << 31)
#define SIM_CR4_VMXE (1ull << 13)
#define SIM_CR4_LA57 (1ull << 12)

#endif
