/* Model-specific register numbers hv-core and the sim share (SDM Vol. 4 Table 2-2, "IA-32 Architectural
 * MSRs"; the VMX capability MSRs also SDM Vol. 3 Appendix A). Names are the SDM's. Bit layouts of the non-VMX
 * MSRs are in <hv/x86.h>, of the VMX capability MSRs in <hv/vmx_controls.h>. Freestanding. */
#ifndef HV_MSR_H
#define HV_MSR_H

#define MSR_IA32_TIME_STAMP_COUNTER 0x010u /* Vol. 4 Table 2-2 */
#define MSR_IA32_FEATURE_CONTROL 0x03au    /* Vol. 4 Table 2-2; Vol. 3 §24.7 */
#define MSR_IA32_SPEC_CTRL 0x048u          /* Vol. 4 Table 2-2 */
#define MSR_IA32_PRED_CMD 0x049u           /* Vol. 4 Table 2-2 */
#define MSR_IA32_BIOS_UPDT_TRIG 0x079u     /* Vol. 4 Table 2-2; Vol. 3 §10.11 */
#define MSR_IA32_BIOS_SIGN_ID 0x08bu       /* Vol. 4 Table 2-2; Vol. 3 §10.11 */
#define MSR_IA32_SMM_MONITOR_CTL 0x09bu    /* Vol. 4 Table 2-2; Vol. 3 §33.15.5 */
#define MSR_IA32_FLUSH_CMD 0x10bu          /* Vol. 4 Table 2-2 */
#define MSR_IA32_SYSENTER_CS 0x174u        /* Vol. 4 Table 2-2; Vol. 3 §5.8.7 */
#define MSR_IA32_SYSENTER_ESP 0x175u       /* Vol. 4 Table 2-2 */
#define MSR_IA32_SYSENTER_EIP 0x176u       /* Vol. 4 Table 2-2 */
#define MSR_IA32_PAT 0x277u                /* Vol. 4 Table 2-2; Vol. 3 §13.12.2 */
#define MSR_IA32_PERF_GLOBAL_CTRL 0x38fu   /* Vol. 4 Table 2-2; Vol. 3 §21.2.2 */

/* VMX capability MSRs (SDM Vol. 3 Appendix A; Vol. 4 Table 2-2). */
#define MSR_IA32_VMX_BASIC 0x480u               /* §A.1 */
#define MSR_IA32_VMX_PINBASED_CTLS 0x481u       /* §A.3.1 */
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482u      /* §A.3.2 */
#define MSR_IA32_VMX_EXIT_CTLS 0x483u           /* §A.4.1 */
#define MSR_IA32_VMX_ENTRY_CTLS 0x484u          /* §A.5 */
#define MSR_IA32_VMX_MISC 0x485u                /* §A.6 */
#define MSR_IA32_VMX_CR0_FIXED0 0x486u          /* §A.7 */
#define MSR_IA32_VMX_CR0_FIXED1 0x487u          /* §A.7 */
#define MSR_IA32_VMX_CR4_FIXED0 0x488u          /* §A.8 */
#define MSR_IA32_VMX_CR4_FIXED1 0x489u          /* §A.8 */
#define MSR_IA32_VMX_VMCS_ENUM 0x48au           /* §A.9 */
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48bu     /* §A.3.3 */
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48cu        /* §A.10 */
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48du  /* §A.3.1 */
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48eu /* §A.3.2 */
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48fu      /* §A.4.1 */
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490u     /* §A.5 */
#define MSR_IA32_VMX_VMFUNC 0x491u              /* §A.11 */
#define MSR_IA32_VMX_PROCBASED_CTLS3 0x492u     /* §A.3.4 */
#define MSR_IA32_VMX_EXIT_CTLS2 0x493u          /* §A.4.2 */

#define MSR_IA32_PKRS 0x6e1u /* Vol. 4 Table 2-2; Vol. 3 §5.6.2 */

/* x2APIC registers: MSRs 800H-8FFH (SDM Vol. 3 §11.12.1.2). */
#define MSR_IA32_X2APIC_FIRST 0x800u
#define MSR_IA32_X2APIC_LAST 0x8ffu

#define MSR_IA32_EFER 0xc0000080u           /* Vol. 4 Table 2-2; Vol. 3 §2.2.1 */
#define MSR_IA32_STAR 0xc0000081u           /* Vol. 4 Table 2-2; Vol. 3 §5.8.8 */
#define MSR_IA32_LSTAR 0xc0000082u          /* Vol. 4 Table 2-2 */
#define MSR_IA32_CSTAR 0xc0000083u          /* Vol. 4 Table 2-2 */
#define MSR_IA32_FMASK 0xc0000084u          /* Vol. 4 Table 2-2 */
#define MSR_IA32_FS_BASE 0xc0000100u        /* Vol. 4 Table 2-2; Vol. 3 §3.4.4 */
#define MSR_IA32_GS_BASE 0xc0000101u        /* Vol. 4 Table 2-2 */
#define MSR_IA32_KERNEL_GS_BASE 0xc0000102u /* Vol. 4 Table 2-2 */
#define MSR_IA32_TSC_AUX 0xc0000103u        /* Vol. 4 Table 2-2 */

#endif
