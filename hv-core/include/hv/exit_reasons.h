/* Basic exit reasons (SDM Vol. 3 Appendix C "VMX Basic Exit Reasons", Table C-1) and the exit-reason
 * field's flag bits (SDM Vol. 3 §25.9.1, Table 25-18). */
#ifndef HV_EXIT_REASONS_H
#define HV_EXIT_REASONS_H

#include <stdint.h>

/* Exit-reason field bit 31: "VM-entry failure" (SDM Vol. 3 §25.9.1). */
#define HV_EXIT_REASON_ENTRY_FAILURE (1u << 31)
/* Bits 15:0 hold the basic exit reason. */
#define HV_EXIT_REASON_BASIC(r) ((uint32_t)(r)&0xffffu)

/* X(NAME, NUMBER, "SDM name") */
#define HV_EXIT_REASONS(X)                                                                                   \
    X(EXCEPTION_NMI, 0, "Exception or non-maskable interrupt (NMI)")                                         \
    X(EXTERNAL_INTERRUPT, 1, "External interrupt")                                                           \
    X(TRIPLE_FAULT, 2, "Triple fault")                                                                       \
    X(INIT_SIGNAL, 3, "INIT signal")                                                                         \
    X(SIPI, 4, "Start-up IPI (SIPI)")                                                                        \
    X(IO_SMI, 5, "I/O system-management interrupt (SMI)")                                                    \
    X(OTHER_SMI, 6, "Other SMI")                                                                             \
    X(INTERRUPT_WINDOW, 7, "Interrupt window")                                                               \
    X(NMI_WINDOW, 8, "NMI window")                                                                           \
    X(TASK_SWITCH, 9, "Task switch")                                                                         \
    X(CPUID, 10, "CPUID")                                                                                    \
    X(GETSEC, 11, "GETSEC")                                                                                  \
    X(HLT, 12, "HLT")                                                                                        \
    X(INVD, 13, "INVD")                                                                                      \
    X(INVLPG, 14, "INVLPG")                                                                                  \
    X(RDPMC, 15, "RDPMC")                                                                                    \
    X(RDTSC, 16, "RDTSC")                                                                                    \
    X(RSM, 17, "RSM")                                                                                        \
    X(VMCALL, 18, "VMCALL")                                                                                  \
    X(VMCLEAR, 19, "VMCLEAR")                                                                                \
    X(VMLAUNCH, 20, "VMLAUNCH")                                                                              \
    X(VMPTRLD, 21, "VMPTRLD")                                                                                \
    X(VMPTRST, 22, "VMPTRST")                                                                                \
    X(VMREAD, 23, "VMREAD")                                                                                  \
    X(VMRESUME, 24, "VMRESUME")                                                                              \
    X(VMWRITE, 25, "VMWRITE")                                                                                \
    X(VMXOFF, 26, "VMXOFF")                                                                                  \
    X(VMXON, 27, "VMXON")                                                                                    \
    X(CR_ACCESS, 28, "Control-register accesses")                                                            \
    X(MOV_DR, 29, "MOV DR")                                                                                  \
    X(IO_INSTRUCTION, 30, "I/O instruction")                                                                 \
    X(RDMSR, 31, "RDMSR")                                                                                    \
    X(WRMSR, 32, "WRMSR")                                                                                    \
    X(ENTRY_FAIL_GUEST_STATE, 33, "VM-entry failure due to invalid guest state")                             \
    X(ENTRY_FAIL_MSR_LOADING, 34, "VM-entry failure due to MSR loading")                                     \
    X(MWAIT, 36, "MWAIT")                                                                                    \
    X(MONITOR_TRAP_FLAG, 37, "Monitor trap flag")                                                            \
    X(MONITOR, 39, "MONITOR")                                                                                \
    X(PAUSE, 40, "PAUSE")                                                                                    \
    X(ENTRY_FAIL_MACHINE_CHECK, 41, "VM-entry failure due to machine-check event")                           \
    X(TPR_BELOW_THRESHOLD, 43, "TPR below threshold")                                                        \
    X(APIC_ACCESS, 44, "APIC access")                                                                        \
    X(VIRTUALIZED_EOI, 45, "Virtualized EOI")                                                                \
    X(GDTR_IDTR_ACCESS, 46, "Access to GDTR or IDTR")                                                        \
    X(LDTR_TR_ACCESS, 47, "Access to LDTR or TR")                                                            \
    X(EPT_VIOLATION, 48, "EPT violation")                                                                    \
    X(EPT_MISCONFIG, 49, "EPT misconfiguration")                                                             \
    X(INVEPT, 50, "INVEPT")                                                                                  \
    X(RDTSCP, 51, "RDTSCP")                                                                                  \
    X(PREEMPTION_TIMER, 52, "VMX-preemption timer expired")                                                  \
    X(INVVPID, 53, "INVVPID")                                                                                \
    X(WBINVD, 54, "WBINVD or WBNOINVD")                                                                      \
    X(XSETBV, 55, "XSETBV")                                                                                  \
    X(APIC_WRITE, 56, "APIC write")                                                                          \
    X(RDRAND, 57, "RDRAND")                                                                                  \
    X(INVPCID, 58, "INVPCID")                                                                                \
    X(VMFUNC, 59, "VMFUNC")                                                                                  \
    X(ENCLS, 60, "ENCLS")                                                                                    \
    X(RDSEED, 61, "RDSEED")                                                                                  \
    X(PML_FULL, 62, "Page-modification log full")                                                            \
    X(XSAVES, 63, "XSAVES")                                                                                  \
    X(XRSTORS, 64, "XRSTORS")                                                                                \
    X(PCONFIG, 65, "PCONFIG")                                                                                \
    X(SPP_EVENT, 66, "SPP-related event")                                                                    \
    X(UMWAIT, 67, "UMWAIT")                                                                                  \
    X(TPAUSE, 68, "TPAUSE")                                                                                  \
    X(LOADIWKEY, 69, "LOADIWKEY")                                                                            \
    X(ENCLV, 70, "ENCLV")                                                                                    \
    X(ENQCMD_PASID_FAIL, 72, "ENQCMD PASID translation failure")                                             \
    X(ENQCMDS_PASID_FAIL, 73, "ENQCMDS PASID translation failure")                                           \
    X(BUS_LOCK, 74, "Bus lock")                                                                              \
    X(INSTRUCTION_TIMEOUT, 75, "Instruction timeout")                                                        \
    X(SEAMCALL, 76, "SEAMCALL")                                                                              \
    X(TDCALL, 77, "TDCALL")                                                                                  \
    X(RDMSRLIST, 78, "RDMSRLIST")                                                                            \
    X(WRMSRLIST, 79, "WRMSRLIST")

enum hv_exit_reason {
#define HV_EXIT_REASON_CONST(name, num, text) HV_EXIT_##name = (num),
    HV_EXIT_REASONS(HV_EXIT_REASON_CONST)
#undef HV_EXIT_REASON_CONST
        HV_EXIT_REASON_LIMIT = 80 /* one past the highest basic exit reason Appendix C defines */
};

/* The SDM's name of a basic exit reason, or NULL for a number Appendix C does not define. */
const char *hv_exit_reason_name(unsigned basic_reason);

#endif
