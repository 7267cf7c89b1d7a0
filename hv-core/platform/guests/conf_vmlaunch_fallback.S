/* conf-vmlaunch-fallback guest: three exits after the first entry (CPUID, VMCALL HV_HC_VERSION, HLT); the
 * subject is the host side's first entry (VMRESUME -> VMfailValid(5) -> VMLAUNCH) and that later entries
 * are plain VMRESUMEs. Slot 0: RAX after the VMCALL (HV_HC_ABI_VERSION). */
#include "conf1_layout.h"

    .section .rodata.hvkit_guest_conf_vmlaunch_fallback, "a"
    .code64
    .globl hvkit_guest_conf_vmlaunch_fallback_start
    .globl hvkit_guest_conf_vmlaunch_fallback_end
hvkit_guest_conf_vmlaunch_fallback_start:
    RESULTS_INIT
    xor %eax, %eax
    xor %ecx, %ecx
    cpuid
AT(conf_vlf_1)
    xor %eax, %eax                         /* HV_HC_VERSION */
    vmcall
AT(conf_vlf_2)
    RESULT(%rax)
    hlt
1:  jmp 1b
hvkit_guest_conf_vmlaunch_fallback_end:

    .section .note.GNU-stack, "", @progbits
