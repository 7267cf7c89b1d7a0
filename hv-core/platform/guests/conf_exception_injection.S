/* conf-exception-injection guest: faults the core injects, delivered through the guest's own IDT.
 *   WRMSR to an MSR nobody implements (12345678H): exit 32, the core injects #GP(0) with RIP on the WRMSR.
 *   The stack page is not backed yet, so delivering the #GP (pushing the frame) is an EPT violation during
 *   event delivery: the core backs the page and re-injects the #GP from the IDT-vectoring information (SDM
 *   Vol. 3 §28.2.4, §27.6); the handler stores vector 13, error 0 and the saved RIP (slots 0-2), skips it.
 *   VMXOFF in VMX non-root operation exits (reason 26, §26.1.2); VMX is hidden, so the core injects #UD (no
 *   error code, slots 3-5). Slot 6: RSP back at its start value after both IRETQs. */
#include "conf1_layout.h"

    .section .rodata.hvkit_guest_conf_exception_injection, "a"
    .code64
    .globl hvkit_guest_conf_exception_injection_start
    .globl hvkit_guest_conf_exception_injection_end
hvkit_guest_conf_exception_injection_start:
    RESULTS_INIT
    IDT_INIT
    mov $0x12345678, %ecx
    xor %eax, %eax
    xor %edx, %edx
    mov $2, %r14
AT(conf_exc_at_wrmsr)
    wrmsr
    mov $3, %r14
AT(conf_exc_at_vmxoff)
    vmxoff
    RESULT(%rsp)
    hlt
1:  jmp 1b
    FAULT_STUBS
hvkit_guest_conf_exception_injection_end:

    .section .note.GNU-stack, "", @progbits
