/* VM-execution, VM-exit and VM-entry control bits (SDM Vol. 3 §25.6-§25.8; table numbers as in the 2023+
 * SDMs, Chapter 24 in older ones). Names are the SDM's. */
#ifndef HV_VMX_CONTROLS_H
#define HV_VMX_CONTROLS_H

#include <stdint.h>

/* Pin-based VM-execution controls (SDM Vol. 3 §25.6.1, Table 25-5). */
#define PIN_EXTERNAL_INTERRUPT_EXITING (1u << 0)
#define PIN_NMI_EXITING (1u << 3)
#define PIN_VIRTUAL_NMIS (1u << 5)
#define PIN_ACTIVATE_PREEMPTION_TIMER (1u << 6)
#define PIN_PROCESS_POSTED_INTERRUPTS (1u << 7)

/* Primary processor-based VM-execution controls (SDM Vol. 3 §25.6.2, Table 25-6). */
#define PROC_INTERRUPT_WINDOW_EXITING (1u << 2)
#define PROC_USE_TSC_OFFSETTING (1u << 3)
#define PROC_HLT_EXITING (1u << 7)
#define PROC_INVLPG_EXITING (1u << 9)
#define PROC_MWAIT_EXITING (1u << 10)
#define PROC_RDPMC_EXITING (1u << 11)
#define PROC_RDTSC_EXITING (1u << 12)
#define PROC_CR3_LOAD_EXITING (1u << 15)
#define PROC_CR3_STORE_EXITING (1u << 16)
#define PROC_ACTIVATE_TERTIARY_CONTROLS (1u << 17)
#define PROC_CR8_LOAD_EXITING (1u << 19)
#define PROC_CR8_STORE_EXITING (1u << 20)
#define PROC_USE_TPR_SHADOW (1u << 21)
#define PROC_NMI_WINDOW_EXITING (1u << 22)
#define PROC_MOV_DR_EXITING (1u << 23)
#define PROC_UNCONDITIONAL_IO_EXITING (1u << 24)
#define PROC_USE_IO_BITMAPS (1u << 25)
#define PROC_MONITOR_TRAP_FLAG (1u << 27)
#define PROC_USE_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR_EXITING (1u << 29)
#define PROC_PAUSE_EXITING (1u << 30)
#define PROC_ACTIVATE_SECONDARY_CONTROLS (1u << 31)

/* Secondary processor-based VM-execution controls (SDM Vol. 3 §25.6.2, Table 25-7). */
#define PROC2_VIRTUALIZE_APIC_ACCESSES (1u << 0)
#define PROC2_ENABLE_EPT (1u << 1)
#define PROC2_DESCRIPTOR_TABLE_EXITING (1u << 2)
#define PROC2_ENABLE_RDTSCP (1u << 3)
#define PROC2_VIRTUALIZE_X2APIC_MODE (1u << 4)
#define PROC2_ENABLE_VPID (1u << 5)
#define PROC2_WBINVD_EXITING (1u << 6)
#define PROC2_UNRESTRICTED_GUEST (1u << 7)
#define PROC2_APIC_REGISTER_VIRTUALIZATION (1u << 8)
#define PROC2_VIRTUAL_INTERRUPT_DELIVERY (1u << 9)
#define PROC2_PAUSE_LOOP_EXITING (1u << 10)
#define PROC2_RDRAND_EXITING (1u << 11)
#define PROC2_ENABLE_INVPCID (1u << 12)
#define PROC2_ENABLE_VM_FUNCTIONS (1u << 13)
#define PROC2_VMCS_SHADOWING (1u << 14)
#define PROC2_ENABLE_ENCLS_EXITING (1u << 15)
#define PROC2_RDSEED_EXITING (1u << 16)
#define PROC2_ENABLE_PML (1u << 17)
#define PROC2_EPT_VIOLATION_VE (1u << 18)
#define PROC2_CONCEAL_VMX_FROM_PT (1u << 19)
#define PROC2_ENABLE_XSAVES_XRSTORS (1u << 20)
#define PROC2_PASID_TRANSLATION (1u << 21)
#define PROC2_MODE_BASED_EXECUTE_CONTROL (1u << 22)
#define PROC2_SUB_PAGE_WRITE_PERMISSIONS (1u << 23)
#define PROC2_PT_USES_GUEST_PHYSICAL (1u << 24)
#define PROC2_USE_TSC_SCALING (1u << 25)
#define PROC2_ENABLE_USER_WAIT_PAUSE (1u << 26)
#define PROC2_ENABLE_PCONFIG (1u << 27)
#define PROC2_ENABLE_ENCLV_EXITING (1u << 28)
#define PROC2_VMM_BUS_LOCK_DETECTION (1u << 30)
#define PROC2_INSTRUCTION_TIMEOUT (1u << 31)

/* Tertiary processor-based VM-execution controls (SDM Vol. 3 §25.6.2, Table 25-8). */
#define PROC3_LOADIWKEY_EXITING (1ull << 0)
#define PROC3_ENABLE_HLAT (1ull << 1)
#define PROC3_EPT_PAGING_WRITE_CONTROL (1ull << 2)
#define PROC3_GUEST_PAGING_VERIFICATION (1ull << 3)
#define PROC3_IPI_VIRTUALIZATION (1ull << 4)
#define PROC3_VIRTUALIZE_IA32_SPEC_CTRL (1ull << 7)

/* Primary VM-exit controls (SDM Vol. 3 §25.7.1, Table 25-13). */
#define EXIT_SAVE_DEBUG_CONTROLS (1u << 2)
#define EXIT_HOST_ADDRESS_SPACE_SIZE (1u << 9)
#define EXIT_LOAD_IA32_PERF_GLOBAL_CTRL (1u << 12)
#define EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT (1u << 15)
#define EXIT_SAVE_IA32_PAT (1u << 18)
#define EXIT_LOAD_IA32_PAT (1u << 19)
#define EXIT_SAVE_IA32_EFER (1u << 20)
#define EXIT_LOAD_IA32_EFER (1u << 21)
#define EXIT_SAVE_PREEMPTION_TIMER (1u << 22)
#define EXIT_CLEAR_IA32_BNDCFGS (1u << 23)
#define EXIT_CONCEAL_VMX_FROM_PT (1u << 24)
#define EXIT_CLEAR_IA32_RTIT_CTL (1u << 25)
#define EXIT_CLEAR_IA32_LBR_CTL (1u << 26)
#define EXIT_CLEAR_UINV (1u << 27)
#define EXIT_LOAD_CET_STATE (1u << 28)
#define EXIT_LOAD_PKRS (1u << 29)
#define EXIT_SAVE_IA32_PERF_GLOBAL_CTL (1u << 30)
#define EXIT_ACTIVATE_SECONDARY_CONTROLS (1u << 31)

/* VM-entry controls (SDM Vol. 3 §25.8.1, Table 25-15). */
#define ENTRY_LOAD_DEBUG_CONTROLS (1u << 2)
#define ENTRY_IA32E_MODE_GUEST (1u << 9)
#define ENTRY_ENTRY_TO_SMM (1u << 10)
#define ENTRY_DEACTIVATE_DUAL_MONITOR (1u << 11)
#define ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL (1u << 13)
#define ENTRY_LOAD_IA32_PAT (1u << 14)
#define ENTRY_LOAD_IA32_EFER (1u << 15)
#define ENTRY_LOAD_IA32_BNDCFGS (1u << 16)
#define ENTRY_CONCEAL_VMX_FROM_PT (1u << 17)
#define ENTRY_LOAD_IA32_RTIT_CTL (1u << 18)
#define ENTRY_LOAD_UINV (1u << 19)
#define ENTRY_LOAD_CET_STATE (1u << 20)
#define ENTRY_LOAD_GUEST_IA32_LBR_CTL (1u << 21)
#define ENTRY_LOAD_PKRS (1u << 22)

/* IA32_VMX_BASIC (SDM Vol. 3 §A.1). */
#define VMX_BASIC_REVISION_MASK 0x7fffffffull
#define VMX_BASIC_DUAL_MONITOR (1ull << 49)
#define VMX_BASIC_INS_OUTS_INFO (1ull << 54)
#define VMX_BASIC_TRUE_CTLS (1ull << 55)
#define VMX_BASIC_NO_ERRCODE_REQ (1ull << 56) /* VM entry may deliver hardware exceptions without error code */
#define VMX_BASIC_SIZE_SHIFT 32                /* §A.1: bits 44:32, VMXON/VMCS region size in bytes */
#define VMX_BASIC_SIZE_MASK (0x1fffull << 32)  /* §A.1: bits 44:32 */
#define VMX_BASIC_PHYS32 (1ull << 48)          /* §A.1: addresses limited to 32 bits (0 on Intel 64) */
#define VMX_BASIC_MEMTYPE_SHIFT 50             /* §A.1: bits 53:50, VMCS memory type (0 UC, 6 WB) */
#define VMX_BASIC_RESERVED ((1ull << 31) | (7ull << 45) | (0x7full << 57)) /* §A.1: bits 31, 47:45, 63:57 */

/* Default1 classes (SDM Vol. 3 Appendix A.2): controls that are, or once were, reserved with default 1. The
 * non-TRUE capability MSRs always report them as allowed-0 = 1 (A.3.1 pin 1, 2, 4; A.3.2 primary 1, 4-6, 8,
 * 13-16, 26; A.4.1 exit 0-8, 10, 11, 13, 14, 16, 17; A.5 entry 0-8, 12). */
#define VMX_DEFAULT1_PIN 0x00000016u   /* §A.3.1 */
#define VMX_DEFAULT1_PROC 0x0401e172u  /* §A.3.2 */
#define VMX_DEFAULT1_EXIT 0x00036dffu  /* §A.4.1 */
#define VMX_DEFAULT1_ENTRY 0x000011ffu /* §A.5 */

/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3 §A.10). */
#define EPT_CAP_EXECUTE_ONLY (1ull << 0)
#define EPT_CAP_WALK_LENGTH_4 (1ull << 6)
#define EPT_CAP_WALK_LENGTH_5 (1ull << 7)
#define EPT_CAP_MEMTYPE_UC (1ull << 8)
#define EPT_CAP_MEMTYPE_WB (1ull << 14)
#define EPT_CAP_PDE_2MB (1ull << 16)
#define EPT_CAP_PDPTE_1GB (1ull << 17)
#define EPT_CAP_INVEPT (1ull << 20)
#define EPT_CAP_ACCESSED_DIRTY (1ull << 21)
#define EPT_CAP_ADVANCED_EXIT_INFO (1ull << 22)
#define EPT_CAP_SUPERVISOR_SHADOW_STACK (1ull << 23)
#define EPT_CAP_INVEPT_SINGLE_CONTEXT (1ull << 25)
#define EPT_CAP_INVEPT_ALL_CONTEXT (1ull << 26)
#define VPID_CAP_INVVPID (1ull << 32)
#define VPID_CAP_INDIVIDUAL_ADDRESS (1ull << 40)
#define VPID_CAP_SINGLE_CONTEXT (1ull << 41)
#define VPID_CAP_ALL_CONTEXT (1ull << 42)
#define VPID_CAP_SINGLE_CONTEXT_RETAINING_GLOBALS (1ull << 43)

/* IA32_VMX_MISC (SDM Vol. 3 §A.6). */
#define VMX_MISC_STORE_LMA (1ull << 5) /* §A.6: VM exits store EFER.LMA into "IA-32e mode guest" */
#define VMX_MISC_ACTIVITY_SHIFT 5 /* §A.6 bits 8:6: bit 6 = HLT (state 1), 7 = shutdown (2), 8 = wait-for-SIPI (3) */
#define VMX_MISC_CR3_TARGETS_SHIFT 16 /* §A.6: bits 24:16, number of CR3-target values */
#define VMX_MISC_CR3_TARGET_COUNT(misc) (((misc) >> VMX_MISC_CR3_TARGETS_SHIFT) & 0x1ffu) /* §A.6: bits 24:16 */
#define VMX_MISC_VMWRITE_ANY_FIELD (1ull << 29)
#define VMX_MISC_INJECT_ZERO_LENGTH (1ull << 30) /* VM entry allows instruction length 0 for soft events */

/* Extended-page-table pointer (SDM Vol. 3 §25.6.11, Table 25-9). */
#define EPTP_MEMTYPE(eptp) ((eptp)&7u)               /* bits 2:0: EPT paging-structure memory type */
#define EPTP_WALK_MINUS_1(eptp) (((eptp) >> 3) & 7u) /* bits 5:3: page-walk length minus 1 */
#define EPTP_AD_ENABLE (1ull << 6)                   /* bit 6: accessed and dirty flags enabled */
#define EPTP_SSS_ENABLE (1ull << 7)                  /* bit 7: supervisor shadow-stack access rights */
#define EPTP_RESERVED_11_8 0xf00ull                  /* bits 11:8: reserved */

/* EPT memory types (SDM Vol. 3 §30.3.7; Table 25-9). */
#define EPT_MEMTYPE_UC 0u
#define EPT_MEMTYPE_WB 6u

/* VM-function controls (SDM Vol. 3 §25.6.14, Table 25-10). */
#define VMFUNC_EPTP_SWITCHING (1ull << 0)

/* Virtual-APIC page: VTPR is at byte offset 80H (SDM Vol. 3 §30.1.1). */
#define VAPIC_VTPR_OFFSET 0x80u

/* VM-entry interruption-information field (SDM Vol. 3 §25.8.3, Table 25-17). */
#define INTR_INFO_VECTOR(i) ((uint32_t)(i)&0xffu)      /* bits 7:0: vector */
#define INTR_INFO_TYPE(i) (((uint32_t)(i) >> 8) & 7u) /* bits 10:8: interruption type */
#define INTR_INFO_DELIVER_ERROR_CODE (1u << 11)        /* bit 11: deliver error code */
#define INTR_INFO_RESERVED 0x7ffff000u                 /* bits 30:12: reserved */
#define INTR_INFO_VALID (1u << 31)                     /* bit 31: valid */

/* Interruption types (SDM Vol. 3 §25.8.3, Table 25-17, bits 10:8). */
#define INTR_TYPE_EXTERNAL 0u
#define INTR_TYPE_RESERVED 1u
#define INTR_TYPE_NMI 2u
#define INTR_TYPE_HW_EXCEPTION 3u
#define INTR_TYPE_SW_INTERRUPT 4u
#define INTR_TYPE_PRIV_SW_EXCEPTION 5u
#define INTR_TYPE_SW_EXCEPTION 6u
#define INTR_TYPE_OTHER_EVENT 7u

/* Guest interruptibility state (SDM Vol. 3 §25.4.2, Table 25-3). */
#define INTERRUPTIBILITY_STI (1u << 0)
#define INTERRUPTIBILITY_MOV_SS (1u << 1)
#define INTERRUPTIBILITY_SMI (1u << 2)
#define INTERRUPTIBILITY_NMI (1u << 3)
#define INTERRUPTIBILITY_ENCLAVE (1u << 4)
#define INTERRUPTIBILITY_RESERVED 0xffffffe0u /* bits 31:5 */

/* Guest activity states (SDM Vol. 3 §25.4.2). */
#define ACTIVITY_ACTIVE 0u
#define ACTIVITY_HLT 1u
#define ACTIVITY_SHUTDOWN 2u
#define ACTIVITY_WAIT_SIPI 3u

/* Guest pending debug exceptions (SDM Vol. 3 §25.4.2, Table 25-4). */
#define PENDING_DBG_ENABLED_BP (1ull << 12)
#define PENDING_DBG_BS (1ull << 14)
#define PENDING_DBG_RTM (1ull << 16)
#define PENDING_DBG_RESERVED 0xfffffffffffeaff0ull /* bits 11:4, 13, 15, 63:17 */

/* Shadow-VMCS indicator: bit 31 of the first 4 bytes of a VMCS region (SDM Vol. 3 §25.2). */
#define VMCS_SHADOW_INDICATOR 0x80000000u

#endif
