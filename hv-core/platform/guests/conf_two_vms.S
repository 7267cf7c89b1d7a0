/* conf-two-vms guest (both VMs run it): copies the 8-byte token the host put at the scratch page into lazily
 * backed RAM at 0x200000 (an EPT violation, SDM Vol. 3 §29.3.3.2: each VM backs its own page), reads it back
 * (slot 0), CPUID leaf 0 (exit 10), VMCALL HV_HC_VERSION (exit 18; slot 1 RAX), HLT. */
#include "conf1_layout.h"

    .section .rodata.hvkit_guest_conf_two_vms, "a"
    .code64
    .globl hvkit_guest_conf_two_vms_start
    .globl hvkit_guest_conf_two_vms_end
hvkit_guest_conf_two_vms_start:
    RESULTS_INIT
    mov (CONF1_SCRATCH_GPA), %rax
AT(conf_tv_1)
    mov %rax, (CONF1_LAZY_GPA)
    mov (CONF1_LAZY_GPA), %rdx
    RESULT(%rdx)
    xor %eax, %eax
    xor %ecx, %ecx
    cpuid
AT(conf_tv_2)
    xor %eax, %eax
    vmcall
AT(conf_tv_3)
    RESULT(%rax)
    hlt
1:  jmp 1b
hvkit_guest_conf_two_vms_end:

    .section .note.GNU-stack, "", @progbits
