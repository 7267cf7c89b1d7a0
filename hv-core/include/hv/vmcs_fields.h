/* The VMCS component encodings of Intel SDM Vol. 3 Appendix B ("Field Encoding in VMCS").
 *
 * One list, HV_VMCS_FIELDS, is the single source of truth: the encoding constants, the field table in
 * vmcs_fields.c and the sim's VMCS store are all generated from it. Each row names
 *   - the field (SDM wording, upper-cased),
 *   - its encoding,
 *   - the width and type the SDM lists it under (Appendix B.1-B.4 group it belongs to), stated here
 *     independently of the encoding bits so that a test can check one against the other,
 *   - the processor feature that makes the field exist (a VMREAD/VMWRITE of a field the processor does not
 *     support fails with VM-instruction error 12, SDM Vol. 3 §31.4),
 *   - the SDM's own name for it.
 *
 * Encoding layout (SDM Vol. 3 §25.11.2, Table 25-21 "Structure of VMCS Component Encoding"):
 *   bit 0      access type (0 = full, 1 = high; 1 only for 64-bit fields)
 *   bits 9:1   index
 *   bits 11:10 type (0 control, 1 VM-exit information / read-only data, 2 guest state, 3 host state)
 *   bit 12     reserved (0)
 *   bits 14:13 width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural-width)
 *   bits 31:15 reserved (0)
 */
#ifndef HV_VMCS_FIELDS_H
#define HV_VMCS_FIELDS_H

#include <stdint.h>

/* Width and type codes as they appear in encoding bits 14:13 and 11:10 (SDM Vol. 3 §25.11.2). */
#define HV_VMCS_W16 0u
#define HV_VMCS_W64 1u
#define HV_VMCS_W32 2u
#define HV_VMCS_WNAT 3u

#define HV_VMCS_TCTL 0u  /* control */
#define HV_VMCS_TRO 1u   /* VM-exit information ("read-only data") */
#define HV_VMCS_TGUEST 2u
#define HV_VMCS_THOST 3u

#define HV_VMCS_ENC_ACCESS_HIGH(enc) ((uint32_t)(enc)&1u)
#define HV_VMCS_ENC_INDEX(enc) (((uint32_t)(enc) >> 1) & 0x1ffu)
#define HV_VMCS_ENC_TYPE(enc) (((uint32_t)(enc) >> 10) & 3u)
#define HV_VMCS_ENC_WIDTH(enc) (((uint32_t)(enc) >> 13) & 3u)
/* Bits 12 and 31:15 are reserved in an encoding (Table 25-21). */
#define HV_VMCS_ENC_RESERVED_MASK 0xffff9000u

/* Features that make optional VMCS fields exist. A profile supports a field when it supports the feature
 * (SDM Vol. 3 Appendix B lists each field with the VM-execution control that introduces it). */
enum hv_vmcs_feature {
    HV_VMCS_FEAT_BASE = 0,            /* every VMX processor */
    HV_VMCS_FEAT_VPID,                /* secondary control "enable VPID" */
    HV_VMCS_FEAT_POSTED_INTR,         /* pin-based "process posted interrupts" */
    HV_VMCS_FEAT_EPTP_SWITCHING,      /* VM function 0 / "EPT-violation #VE" (EPTP index) */
    HV_VMCS_FEAT_HLAT,                /* tertiary "enable HLAT" */
    HV_VMCS_FEAT_IPI_VIRT,            /* tertiary "IPI virtualization" */
    HV_VMCS_FEAT_VIRT_INTR_DELIVERY,  /* secondary "virtual-interrupt delivery" */
    HV_VMCS_FEAT_PML,                 /* secondary "enable PML" */
    HV_VMCS_FEAT_UINTR,               /* user interrupts */
    HV_VMCS_FEAT_EXEC_VMCS_PTR,       /* dual-monitor treatment of SMM (IA32_VMX_BASIC bit 49) */
    HV_VMCS_FEAT_TPR_SHADOW,          /* primary "use TPR shadow" */
    HV_VMCS_FEAT_APIC_ACCESS,         /* secondary "virtualize APIC accesses" */
    HV_VMCS_FEAT_VMFUNC,              /* secondary "enable VM functions" */
    HV_VMCS_FEAT_EPT,                 /* secondary "enable EPT" */
    HV_VMCS_FEAT_VMCS_SHADOWING,      /* secondary "VMCS shadowing" */
    HV_VMCS_FEAT_EPT_VE,              /* secondary "EPT-violation #VE" */
    HV_VMCS_FEAT_XSAVES,              /* secondary "enable XSAVES/XRSTORS" */
    HV_VMCS_FEAT_ENCLS,               /* secondary "enable ENCLS exiting" */
    HV_VMCS_FEAT_SPP,                 /* secondary "sub-page write permissions for EPT" */
    HV_VMCS_FEAT_TSC_SCALING,         /* secondary "use TSC scaling" */
    HV_VMCS_FEAT_TERTIARY,            /* primary "activate tertiary controls" */
    HV_VMCS_FEAT_ENCLV,               /* secondary "enable ENCLV exiting" */
    HV_VMCS_FEAT_PASID,               /* secondary "PASID translation" (bit 21) */
    HV_VMCS_FEAT_PCONFIG,             /* secondary "enable PCONFIG" */
    HV_VMCS_FEAT_EXIT_CTLS2,          /* primary VM-exit "activate secondary controls" */
    HV_VMCS_FEAT_SPEC_CTRL,           /* secondary exit / tertiary "virtualize IA32_SPEC_CTRL" */
    HV_VMCS_FEAT_PAT,                 /* VM-entry "load IA32_PAT" / VM-exit "save/load IA32_PAT" */
    HV_VMCS_FEAT_EFER,                /* VM-entry "load IA32_EFER" / VM-exit "save/load IA32_EFER" */
    HV_VMCS_FEAT_PERF_GLOBAL,         /* "load IA32_PERF_GLOBAL_CTRL" */
    HV_VMCS_FEAT_PDPTE,               /* guest PDPTEs: processors that support EPT */
    HV_VMCS_FEAT_BNDCFGS,             /* "load/clear IA32_BNDCFGS" */
    HV_VMCS_FEAT_RTIT,                /* "load/clear IA32_RTIT_CTL" */
    HV_VMCS_FEAT_LBR_CTL,             /* "load/clear guest IA32_LBR_CTL" */
    HV_VMCS_FEAT_PKRS,                /* "load PKRS" */
    HV_VMCS_FEAT_CET,                 /* "load CET state" */
    HV_VMCS_FEAT_PREEMPTION_TIMER,    /* pin-based "activate VMX-preemption timer" */
    HV_VMCS_FEAT_PLE,                 /* secondary "PAUSE-loop exiting" */
    HV_VMCS_FEAT_INSTR_TIMEOUT,       /* secondary "instruction timeout" */
    HV_VMCS_FEAT_VMX_SMBASE,          /* guest SMBASE (every processor; kept for symmetry) */
    HV_VMCS_FEAT_COUNT
};

/* X(NAME, ENCODING, WIDTH, TYPE, FEATURE, "SDM name") */
#define HV_VMCS_FIELDS(X)                                                                                     \
    /* B.1.1 16-bit control fields */                                                                        \
    X(VIRTUAL_PROCESSOR_ID, 0x0000, W16, TCTL, VPID, "Virtual-processor identifier (VPID)")                  \
    X(POSTED_INTR_NOTIFICATION_VECTOR, 0x0002, W16, TCTL, POSTED_INTR, "Posted-interrupt notification vector") \
    X(EPTP_INDEX, 0x0004, W16, TCTL, EPT_VE, "EPTP index")                                                  \
    X(HLAT_PREFIX_SIZE, 0x0006, W16, TCTL, HLAT, "HLAT prefix size")                                        \
    X(LAST_PID_POINTER_INDEX, 0x0008, W16, TCTL, IPI_VIRT, "Last PID-pointer index")                        \
    /* B.1.2 16-bit guest-state fields */                                                                    \
    X(GUEST_ES_SELECTOR, 0x0800, W16, TGUEST, BASE, "Guest ES selector")                                    \
    X(GUEST_CS_SELECTOR, 0x0802, W16, TGUEST, BASE, "Guest CS selector")                                    \
    X(GUEST_SS_SELECTOR, 0x0804, W16, TGUEST, BASE, "Guest SS selector")                                    \
    X(GUEST_DS_SELECTOR, 0x0806, W16, TGUEST, BASE, "Guest DS selector")                                    \
    X(GUEST_FS_SELECTOR, 0x0808, W16, TGUEST, BASE, "Guest FS selector")                                    \
    X(GUEST_GS_SELECTOR, 0x080a, W16, TGUEST, BASE, "Guest GS selector")                                    \
    X(GUEST_LDTR_SELECTOR, 0x080c, W16, TGUEST, BASE, "Guest LDTR selector")                                \
    X(GUEST_TR_SELECTOR, 0x080e, W16, TGUEST, BASE, "Guest TR selector")                                    \
    X(GUEST_INTERRUPT_STATUS, 0x0810, W16, TGUEST, VIRT_INTR_DELIVERY, "Guest interrupt status")            \
    X(GUEST_PML_INDEX, 0x0812, W16, TGUEST, PML, "PML index")                                               \
    X(GUEST_UINV, 0x0814, W16, TGUEST, UINTR, "Guest UINV")                                                 \
    /* B.1.3 16-bit host-state fields */                                                                     \
    X(HOST_ES_SELECTOR, 0x0c00, W16, THOST, BASE, "Host ES selector")                                       \
    X(HOST_CS_SELECTOR, 0x0c02, W16, THOST, BASE, "Host CS selector")                                       \
    X(HOST_SS_SELECTOR, 0x0c04, W16, THOST, BASE, "Host SS selector")                                       \
    X(HOST_DS_SELECTOR, 0x0c06, W16, THOST, BASE, "Host DS selector")                                       \
    X(HOST_FS_SELECTOR, 0x0c08, W16, THOST, BASE, "Host FS selector")                                       \
    X(HOST_GS_SELECTOR, 0x0c0a, W16, THOST, BASE, "Host GS selector")                                       \
    X(HOST_TR_SELECTOR, 0x0c0c, W16, THOST, BASE, "Host TR selector")                                       \
    /* B.2.1 64-bit control fields */                                                                        \
    X(IO_BITMAP_A, 0x2000, W64, TCTL, BASE, "Address of I/O bitmap A")                                      \
    X(IO_BITMAP_B, 0x2002, W64, TCTL, BASE, "Address of I/O bitmap B")                                      \
    X(MSR_BITMAP, 0x2004, W64, TCTL, BASE, "Address of MSR bitmaps")                                        \
    X(VM_EXIT_MSR_STORE_ADDR, 0x2006, W64, TCTL, BASE, "VM-exit MSR-store address")                         \
    X(VM_EXIT_MSR_LOAD_ADDR, 0x2008, W64, TCTL, BASE, "VM-exit MSR-load address")                           \
    X(VM_ENTRY_MSR_LOAD_ADDR, 0x200a, W64, TCTL, BASE, "VM-entry MSR-load address")                         \
    X(EXECUTIVE_VMCS_POINTER, 0x200c, W64, TCTL, EXEC_VMCS_PTR, "Executive-VMCS pointer")                   \
    X(PML_ADDRESS, 0x200e, W64, TCTL, PML, "PML address")                                                   \
    X(TSC_OFFSET, 0x2010, W64, TCTL, BASE, "TSC offset")                                                    \
    X(VIRTUAL_APIC_PAGE_ADDR, 0x2012, W64, TCTL, TPR_SHADOW, "Virtual-APIC address")                        \
    X(APIC_ACCESS_ADDR, 0x2014, W64, TCTL, APIC_ACCESS, "APIC-access address")                              \
    X(POSTED_INTR_DESC_ADDR, 0x2016, W64, TCTL, POSTED_INTR, "Posted-interrupt descriptor address")         \
    X(VM_FUNCTION_CONTROLS, 0x2018, W64, TCTL, VMFUNC, "VM-function controls")                              \
    X(EPT_POINTER, 0x201a, W64, TCTL, EPT, "EPT pointer (EPTP)")                                            \
    X(EOI_EXIT_BITMAP_0, 0x201c, W64, TCTL, VIRT_INTR_DELIVERY, "EOI-exit bitmap 0 (EOI_EXIT0)")            \
    X(EOI_EXIT_BITMAP_1, 0x201e, W64, TCTL, VIRT_INTR_DELIVERY, "EOI-exit bitmap 1 (EOI_EXIT1)")            \
    X(EOI_EXIT_BITMAP_2, 0x2020, W64, TCTL, VIRT_INTR_DELIVERY, "EOI-exit bitmap 2 (EOI_EXIT2)")            \
    X(EOI_EXIT_BITMAP_3, 0x2022, W64, TCTL, VIRT_INTR_DELIVERY, "EOI-exit bitmap 3 (EOI_EXIT3)")            \
    X(EPTP_LIST_ADDR, 0x2024, W64, TCTL, EPTP_SWITCHING, "EPTP-list address")                               \
    X(VMREAD_BITMAP, 0x2026, W64, TCTL, VMCS_SHADOWING, "VMREAD-bitmap address")                            \
    X(VMWRITE_BITMAP, 0x2028, W64, TCTL, VMCS_SHADOWING, "VMWRITE-bitmap address")                          \
    X(VIRT_EXCEPTION_INFO_ADDR, 0x202a, W64, TCTL, EPT_VE, "Virtualization-exception information address")  \
    X(XSS_EXITING_BITMAP, 0x202c, W64, TCTL, XSAVES, "XSS-exiting bitmap")                                  \
    X(ENCLS_EXITING_BITMAP, 0x202e, W64, TCTL, ENCLS, "ENCLS-exiting bitmap")                               \
    X(SPP_TABLE_POINTER, 0x2030, W64, TCTL, SPP, "Sub-page-permission-table pointer (SPPTP)")               \
    X(TSC_MULTIPLIER, 0x2032, W64, TCTL, TSC_SCALING, "TSC multiplier")                                     \
    X(TERTIARY_PROC_BASED_VM_EXEC_CONTROL, 0x2034, W64, TCTL, TERTIARY,                                     \
      "Tertiary processor-based VM-execution controls")                                                     \
    X(ENCLV_EXITING_BITMAP, 0x2036, W64, TCTL, ENCLV, "ENCLV-exiting bitmap")                               \
    X(LOW_PASID_DIRECTORY_ADDR, 0x2038, W64, TCTL, PASID, "Low PASID directory address")                    \
    X(HIGH_PASID_DIRECTORY_ADDR, 0x203a, W64, TCTL, PASID, "High PASID directory address")                  \
    X(SHARED_EPTP, 0x203c, W64, TCTL, EPT, "Shared EPT pointer")                                            \
    X(PCONFIG_EXITING_BITMAP, 0x203e, W64, TCTL, PCONFIG, "PCONFIG-exiting bitmap")                         \
    X(HLATP, 0x2040, W64, TCTL, HLAT, "Hypervisor-managed linear-address translation pointer (HLATP)")      \
    X(PID_POINTER_TABLE_ADDR, 0x2042, W64, TCTL, IPI_VIRT, "PID-pointer table address")                     \
    X(SECONDARY_VM_EXIT_CONTROLS, 0x2044, W64, TCTL, EXIT_CTLS2, "Secondary VM-exit controls")              \
    X(IA32_SPEC_CTRL_MASK, 0x204a, W64, TCTL, SPEC_CTRL, "IA32_SPEC_CTRL mask")                             \
    X(IA32_SPEC_CTRL_SHADOW, 0x204c, W64, TCTL, SPEC_CTRL, "IA32_SPEC_CTRL shadow")                         \
    /* B.2.2 64-bit read-only data field */                                                                  \
    X(GUEST_PHYSICAL_ADDRESS, 0x2400, W64, TRO, EPT, "Guest-physical address")                              \
    /* B.2.3 64-bit guest-state fields */                                                                    \
    X(VMCS_LINK_POINTER, 0x2800, W64, TGUEST, BASE, "VMCS link pointer")                                    \
    X(GUEST_IA32_DEBUGCTL, 0x2802, W64, TGUEST, BASE, "Guest IA32_DEBUGCTL")                                \
    X(GUEST_IA32_PAT, 0x2804, W64, TGUEST, PAT, "Guest IA32_PAT")                                           \
    X(GUEST_IA32_EFER, 0x2806, W64, TGUEST, EFER, "Guest IA32_EFER")                                        \
    X(GUEST_IA32_PERF_GLOBAL_CTRL, 0x2808, W64, TGUEST, PERF_GLOBAL, "Guest IA32_PERF_GLOBAL_CTRL")         \
    X(GUEST_PDPTE0, 0x280a, W64, TGUEST, PDPTE, "Guest PDPTE0")                                             \
    X(GUEST_PDPTE1, 0x280c, W64, TGUEST, PDPTE, "Guest PDPTE1")                                             \
    X(GUEST_PDPTE2, 0x280e, W64, TGUEST, PDPTE, "Guest PDPTE2")                                             \
    X(GUEST_PDPTE3, 0x2810, W64, TGUEST, PDPTE, "Guest PDPTE3")                                             \
    X(GUEST_IA32_BNDCFGS, 0x2812, W64, TGUEST, BNDCFGS, "Guest IA32_BNDCFGS")                               \
    X(GUEST_IA32_RTIT_CTL, 0x2814, W64, TGUEST, RTIT, "Guest IA32_RTIT_CTL")                                \
    X(GUEST_IA32_LBR_CTL, 0x2816, W64, TGUEST, LBR_CTL, "Guest IA32_LBR_CTL")                               \
    X(GUEST_IA32_PKRS, 0x2818, W64, TGUEST, PKRS, "Guest IA32_PKRS")                                        \
    /* B.2.4 64-bit host-state fields */                                                                     \
    X(HOST_IA32_PAT, 0x2c00, W64, THOST, PAT, "Host IA32_PAT")                                              \
    X(HOST_IA32_EFER, 0x2c02, W64, THOST, EFER, "Host IA32_EFER")                                           \
    X(HOST_IA32_PERF_GLOBAL_CTRL, 0x2c04, W64, THOST, PERF_GLOBAL, "Host IA32_PERF_GLOBAL_CTRL")            \
    X(HOST_IA32_PKRS, 0x2c06, W64, THOST, PKRS, "Host IA32_PKRS")                                           \
    /* B.3.1 32-bit control fields */                                                                        \
    X(PIN_BASED_VM_EXEC_CONTROL, 0x4000, W32, TCTL, BASE, "Pin-based VM-execution controls")                \
    X(PRIMARY_PROC_BASED_VM_EXEC_CONTROL, 0x4002, W32, TCTL, BASE,                                          \
      "Primary processor-based VM-execution controls")                                                      \
    X(EXCEPTION_BITMAP, 0x4004, W32, TCTL, BASE, "Exception bitmap")                                        \
    X(PAGE_FAULT_ERROR_CODE_MASK, 0x4006, W32, TCTL, BASE, "Page-fault error-code mask")                    \
    X(PAGE_FAULT_ERROR_CODE_MATCH, 0x4008, W32, TCTL, BASE, "Page-fault error-code match")                  \
    X(CR3_TARGET_COUNT, 0x400a, W32, TCTL, BASE, "CR3-target count")                                        \
    X(PRIMARY_VM_EXIT_CONTROLS, 0x400c, W32, TCTL, BASE, "Primary VM-exit controls")                        \
    X(VM_EXIT_MSR_STORE_COUNT, 0x400e, W32, TCTL, BASE, "VM-exit MSR-store count")                          \
    X(VM_EXIT_MSR_LOAD_COUNT, 0x4010, W32, TCTL, BASE, "VM-exit MSR-load count")                            \
    X(VM_ENTRY_CONTROLS, 0x4012, W32, TCTL, BASE, "VM-entry controls")                                      \
    X(VM_ENTRY_MSR_LOAD_COUNT, 0x4014, W32, TCTL, BASE, "VM-entry MSR-load count")                          \
    X(VM_ENTRY_INTERRUPTION_INFO, 0x4016, W32, TCTL, BASE, "VM-entry interruption-information field")       \
    X(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x4018, W32, TCTL, BASE, "VM-entry exception error code")              \
    X(VM_ENTRY_INSTRUCTION_LENGTH, 0x401a, W32, TCTL, BASE, "VM-entry instruction length")                  \
    X(TPR_THRESHOLD, 0x401c, W32, TCTL, TPR_SHADOW, "TPR threshold")                                        \
    X(SECONDARY_PROC_BASED_VM_EXEC_CONTROL, 0x401e, W32, TCTL, BASE,                                        \
      "Secondary processor-based VM-execution controls")                                                    \
    X(PLE_GAP, 0x4020, W32, TCTL, PLE, "PLE_Gap")                                                           \
    X(PLE_WINDOW, 0x4022, W32, TCTL, PLE, "PLE_Window")                                                     \
    X(INSTRUCTION_TIMEOUT_CONTROL, 0x4024, W32, TCTL, INSTR_TIMEOUT, "Instruction-timeout control")        \
    /* B.3.2 32-bit read-only data fields */                                                                 \
    X(VM_INSTRUCTION_ERROR, 0x4400, W32, TRO, BASE, "VM-instruction error")                                 \
    X(EXIT_REASON, 0x4402, W32, TRO, BASE, "Exit reason")                                                   \
    X(VM_EXIT_INTERRUPTION_INFO, 0x4404, W32, TRO, BASE, "VM-exit interruption information")                \
    X(VM_EXIT_INTERRUPTION_ERROR_CODE, 0x4406, W32, TRO, BASE, "VM-exit interruption error code")           \
    X(IDT_VECTORING_INFO, 0x4408, W32, TRO, BASE, "IDT-vectoring information field")                        \
    X(IDT_VECTORING_ERROR_CODE, 0x440a, W32, TRO, BASE, "IDT-vectoring error code")                         \
    X(VM_EXIT_INSTRUCTION_LENGTH, 0x440c, W32, TRO, BASE, "VM-exit instruction length")                     \
    X(VM_EXIT_INSTRUCTION_INFO, 0x440e, W32, TRO, BASE, "VM-exit instruction information")                  \
    /* B.3.3 32-bit guest-state fields */                                                                    \
    X(GUEST_ES_LIMIT, 0x4800, W32, TGUEST, BASE, "Guest ES limit")                                          \
    X(GUEST_CS_LIMIT, 0x4802, W32, TGUEST, BASE, "Guest CS limit")                                          \
    X(GUEST_SS_LIMIT, 0x4804, W32, TGUEST, BASE, "Guest SS limit")                                          \
    X(GUEST_DS_LIMIT, 0x4806, W32, TGUEST, BASE, "Guest DS limit")                                          \
    X(GUEST_FS_LIMIT, 0x4808, W32, TGUEST, BASE, "Guest FS limit")                                          \
    X(GUEST_GS_LIMIT, 0x480a, W32, TGUEST, BASE, "Guest GS limit")                                          \
    X(GUEST_LDTR_LIMIT, 0x480c, W32, TGUEST, BASE, "Guest LDTR limit")                                      \
    X(GUEST_TR_LIMIT, 0x480e, W32, TGUEST, BASE, "Guest TR limit")                                          \
    X(GUEST_GDTR_LIMIT, 0x4810, W32, TGUEST, BASE, "Guest GDTR limit")                                      \
    X(GUEST_IDTR_LIMIT, 0x4812, W32, TGUEST, BASE, "Guest IDTR limit")                                      \
    X(GUEST_ES_AR_BYTES, 0x4814, W32, TGUEST, BASE, "Guest ES access rights")                               \
    X(GUEST_CS_AR_BYTES, 0x4816, W32, TGUEST, BASE, "Guest CS access rights")                               \
    X(GUEST_SS_AR_BYTES, 0x4818, W32, TGUEST, BASE, "Guest SS access rights")                               \
    X(GUEST_DS_AR_BYTES, 0x481a, W32, TGUEST, BASE, "Guest DS access rights")                               \
    X(GUEST_FS_AR_BYTES, 0x481c, W32, TGUEST, BASE, "Guest FS access rights")                               \
    X(GUEST_GS_AR_BYTES, 0x481e, W32, TGUEST, BASE, "Guest GS access rights")                               \
    X(GUEST_LDTR_AR_BYTES, 0x4820, W32, TGUEST, BASE, "Guest LDTR access rights")                           \
    X(GUEST_TR_AR_BYTES, 0x4822, W32, TGUEST, BASE, "Guest TR access rights")                               \
    X(GUEST_INTERRUPTIBILITY_STATE, 0x4824, W32, TGUEST, BASE, "Guest interruptibility state")              \
    X(GUEST_ACTIVITY_STATE, 0x4826, W32, TGUEST, BASE, "Guest activity state")                              \
    X(GUEST_SMBASE, 0x4828, W32, TGUEST, VMX_SMBASE, "Guest SMBASE")                                        \
    X(GUEST_IA32_SYSENTER_CS, 0x482a, W32, TGUEST, BASE, "Guest IA32_SYSENTER_CS")                          \
    X(VMX_PREEMPTION_TIMER_VALUE, 0x482e, W32, TGUEST, PREEMPTION_TIMER, "VMX-preemption timer value")      \
    /* B.3.4 32-bit host-state field */                                                                      \
    X(HOST_IA32_SYSENTER_CS, 0x4c00, W32, THOST, BASE, "Host IA32_SYSENTER_CS")                             \
    /* B.4.1 natural-width control fields */                                                                 \
    X(CR0_GUEST_HOST_MASK, 0x6000, WNAT, TCTL, BASE, "CR0 guest/host mask")                                 \
    X(CR4_GUEST_HOST_MASK, 0x6002, WNAT, TCTL, BASE, "CR4 guest/host mask")                                 \
    X(CR0_READ_SHADOW, 0x6004, WNAT, TCTL, BASE, "CR0 read shadow")                                         \
    X(CR4_READ_SHADOW, 0x6006, WNAT, TCTL, BASE, "CR4 read shadow")                                         \
    X(CR3_TARGET_VALUE0, 0x6008, WNAT, TCTL, BASE, "CR3-target value 0")                                    \
    X(CR3_TARGET_VALUE1, 0x600a, WNAT, TCTL, BASE, "CR3-target value 1")                                    \
    X(CR3_TARGET_VALUE2, 0x600c, WNAT, TCTL, BASE, "CR3-target value 2")                                    \
    X(CR3_TARGET_VALUE3, 0x600e, WNAT, TCTL, BASE, "CR3-target value 3")                                    \
    /* B.4.2 natural-width read-only data fields */                                                          \
    X(EXIT_QUALIFICATION, 0x6400, WNAT, TRO, BASE, "Exit qualification")                                    \
    X(IO_RCX, 0x6402, WNAT, TRO, BASE, "I/O RCX")                                                           \
    X(IO_RSI, 0x6404, WNAT, TRO, BASE, "I/O RSI")                                                           \
    X(IO_RDI, 0x6406, WNAT, TRO, BASE, "I/O RDI")                                                           \
    X(IO_RIP, 0x6408, WNAT, TRO, BASE, "I/O RIP")                                                           \
    X(GUEST_LINEAR_ADDRESS, 0x640a, WNAT, TRO, BASE, "Guest-linear address")                                \
    /* B.4.3 natural-width guest-state fields */                                                             \
    X(GUEST_CR0, 0x6800, WNAT, TGUEST, BASE, "Guest CR0")                                                   \
    X(GUEST_CR3, 0x6802, WNAT, TGUEST, BASE, "Guest CR3")                                                   \
    X(GUEST_CR4, 0x6804, WNAT, TGUEST, BASE, "Guest CR4")                                                   \
    X(GUEST_ES_BASE, 0x6806, WNAT, TGUEST, BASE, "Guest ES base")                                           \
    X(GUEST_CS_BASE, 0x6808, WNAT, TGUEST, BASE, "Guest CS base")                                           \
    X(GUEST_SS_BASE, 0x680a, WNAT, TGUEST, BASE, "Guest SS base")                                           \
    X(GUEST_DS_BASE, 0x680c, WNAT, TGUEST, BASE, "Guest DS base")                                           \
    X(GUEST_FS_BASE, 0x680e, WNAT, TGUEST, BASE, "Guest FS base")                                           \
    X(GUEST_GS_BASE, 0x6810, WNAT, TGUEST, BASE, "Guest GS base")                                           \
    X(GUEST_LDTR_BASE, 0x6812, WNAT, TGUEST, BASE, "Guest LDTR base")                                       \
    X(GUEST_TR_BASE, 0x6814, WNAT, TGUEST, BASE, "Guest TR base")                                           \
    X(GUEST_GDTR_BASE, 0x6816, WNAT, TGUEST, BASE, "Guest GDTR base")                                       \
    X(GUEST_IDTR_BASE, 0x6818, WNAT, TGUEST, BASE, "Guest IDTR base")                                       \
    X(GUEST_DR7, 0x681a, WNAT, TGUEST, BASE, "Guest DR7")                                                   \
    X(GUEST_RSP, 0x681c, WNAT, TGUEST, BASE, "Guest RSP")                                                   \
    X(GUEST_RIP, 0x681e, WNAT, TGUEST, BASE, "Guest RIP")                                                   \
    X(GUEST_RFLAGS, 0x6820, WNAT, TGUEST, BASE, "Guest RFLAGS")                                             \
    X(GUEST_PENDING_DBG_EXCEPTIONS, 0x6822, WNAT, TGUEST, BASE, "Guest pending debug exceptions")           \
    X(GUEST_IA32_SYSENTER_ESP, 0x6824, WNAT, TGUEST, BASE, "Guest IA32_SYSENTER_ESP")                       \
    X(GUEST_IA32_SYSENTER_EIP, 0x6826, WNAT, TGUEST, BASE, "Guest IA32_SYSENTER_EIP")                       \
    X(GUEST_IA32_S_CET, 0x6828, WNAT, TGUEST, CET, "Guest IA32_S_CET")                                      \
    X(GUEST_SSP, 0x682a, WNAT, TGUEST, CET, "Guest SSP")                                                    \
    X(GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR, 0x682c, WNAT, TGUEST, CET, "Guest IA32_INTERRUPT_SSP_TABLE_ADDR") \
    /* B.4.4 natural-width host-state fields */                                                              \
    X(HOST_CR0, 0x6c00, WNAT, THOST, BASE, "Host CR0")                                                      \
    X(HOST_CR3, 0x6c02, WNAT, THOST, BASE, "Host CR3")                                                      \
    X(HOST_CR4, 0x6c04, WNAT, THOST, BASE, "Host CR4")                                                      \
    X(HOST_FS_BASE, 0x6c06, WNAT, THOST, BASE, "Host FS base")                                              \
    X(HOST_GS_BASE, 0x6c08, WNAT, THOST, BASE, "Host GS base")                                              \
    X(HOST_TR_BASE, 0x6c0a, WNAT, THOST, BASE, "Host TR base")                                              \
    X(HOST_GDTR_BASE, 0x6c0c, WNAT, THOST, BASE, "Host GDTR base")                                          \
    X(HOST_IDTR_BASE, 0x6c0e, WNAT, THOST, BASE, "Host IDTR base")                                          \
    X(HOST_IA32_SYSENTER_ESP, 0x6c10, WNAT, THOST, BASE, "Host IA32_SYSENTER_ESP")                          \
    X(HOST_IA32_SYSENTER_EIP, 0x6c12, WNAT, THOST, BASE, "Host IA32_SYSENTER_EIP")                          \
    X(HOST_RSP, 0x6c14, WNAT, THOST, BASE, "Host RSP")                                                      \
    X(HOST_RIP, 0x6c16, WNAT, THOST, BASE, "Host RIP")                                                      \
    X(HOST_IA32_S_CET, 0x6c18, WNAT, THOST, CET, "Host IA32_S_CET")                                         \
    X(HOST_SSP, 0x6c1a, WNAT, THOST, CET, "Host SSP")                                                       \
    X(HOST_IA32_INTERRUPT_SSP_TABLE_ADDR, 0x6c1c, WNAT, THOST, CET, "Host IA32_INTERRUPT_SSP_TABLE_ADDR")

/* Encoding constants: VMCS_GUEST_RFLAGS == 0x6820, and so on. */
enum hv_vmcs_encoding {
#define HV_VMCS_ENC_CONST(name, enc, w, t, feat, sdm) VMCS_##name = (enc),
    HV_VMCS_FIELDS(HV_VMCS_ENC_CONST)
#undef HV_VMCS_ENC_CONST
};

/* Dense ordinals, one per field in list order: the index of a field in hv_vmcs_field_table and in the sim's
 * VMCS store. */
enum hv_vmcs_ordinal {
#define HV_VMCS_ORD_CONST(name, enc, w, t, feat, sdm) HV_VMCS_ORD_##name,
    HV_VMCS_FIELDS(HV_VMCS_ORD_CONST)
#undef HV_VMCS_ORD_CONST
        HV_VMCS_FIELD_COUNT
};

struct hv_vmcs_field {
    const char *name;     /* "GUEST_RFLAGS" */
    const char *sdm_name; /* "Guest RFLAGS" */
    uint16_t encoding;    /* full-access encoding */
    uint8_t width;        /* HV_VMCS_W16 .. HV_VMCS_WNAT, as listed in Appendix B */
    uint8_t type;         /* HV_VMCS_TCTL .. HV_VMCS_THOST, as listed in Appendix B */
    uint8_t feature;      /* enum hv_vmcs_feature */
};

extern const struct hv_vmcs_field hv_vmcs_field_table[HV_VMCS_FIELD_COUNT];

/* The field an encoding names, or -1. A 64-bit field's "high" encoding (bit 0 set) names the same field;
 * *high is set to 1 for it. Reserved encoding bits make the encoding name no field. */
int hv_vmcs_field_lookup(uint32_t encoding, int *high);

/* Number of bits a field holds: 16, 32 or 64 (natural width is 64 on processors that support Intel 64). */
unsigned hv_vmcs_width_bits(unsigned width);

#endif
