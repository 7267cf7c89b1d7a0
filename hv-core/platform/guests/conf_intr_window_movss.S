/* conf-intr-window-movss: blocking by MOV SS (SDM Vol. 3 §25.4.2 Table 25-3; Vol. 2 MOV: loading SS
 * inhibits interrupts until the next instruction completes). IF = 1, only IRQ 1 unmasked (vector 0x21). The
 * guest loads SS and, in the shadow, stores to a lazily backed page (EPT violation, not retired); at that exit
 * the host presses a key (hv_vm_key_event), so IRQ 1 is requested while the interruptibility state says
 * blocking by MOV SS: the core must wait for the window (no injection under MOV-SS blocking, §27.3.1.5) and
 * the handler's return RIP is the instruction after the store. Reports: 0x21, the return RIP, the scancode
 * 0x1e; then 0xbb. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_intr_window_movss, "a"
    .code64
    .globl hvkit_guest_conf_intr_window_movss_start
    .globl hvkit_guest_conf_intr_window_movss_end
    .globl hvkit_guest_conf_intr_window_movss_after_store
hvkit_guest_conf_intr_window_movss_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 0x21, movss_isr
    PIC_INIT 0xfd, 0xff
    mov $CONF_LAZY_GPA, %esi
    mov %ss, %eax
    sti
    nop
    mov %eax, %ss
    movl $1, (%rsi)         /* in the MOV SS shadow: EPT violation (the host's key arrives here) */
hvkit_guest_conf_intr_window_movss_after_store:
    END_RESUMED

movss_isr:
    ISR_ENTER
    ISR_REPORT_VECTOR_RIP 0x21
    INB_REPORT 0x60         /* the scancode */
    PIC_EOI
    ISR_RETURN
hvkit_guest_conf_intr_window_movss_end:

    .section .note.GNU-stack, "", @progbits
