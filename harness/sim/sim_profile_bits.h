/* Private to sim_profile.c / sim_profiles.c: the bit classes of the VMX capability MSRs that the named
 * profiles, the byte-driven constructor and the invariant checker share. Control bit names, the default1
 * classes and the IA32_VMX_BASIC/MISC fields are in <hv/vmx_controls.h>, CR0/CR4 bits in <hv/x86.h>. */
#ifndef SIM_PROFILE_BITS_H
#define SIM_PROFILE_BITS_H

#include <hv/msr.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <stdint.h>

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

#endif
