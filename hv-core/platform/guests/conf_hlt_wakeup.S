/* conf-hlt-wakeup: HLT with RFLAGS.IF = 1 is woken by a timer interrupt; the handler runs with the address
 * of the instruction after HLT as its return address, and execution resumes there (SDM Vol. 2 HLT: "an
 * enabled interrupt ... resumes execution" after HLT; SDM Vol. 3 §25.4.2 activity state HLT, §27.3.1.5: the
 * entry that injects the interrupt leaves the HLT state). PIT counter 0 in mode 2 at 1193 (1 ms), only IRQ 0
 * unmasked, vector 0x20. The handler masks IRQ 0 again (so exactly one interrupt arrives) and reports:
 *   0x20, its return RIP (8 bytes), then after HLT: 0xbb and the handler count 1. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_hlt_wakeup, "a"
    .code64
    .globl hvkit_guest_conf_hlt_wakeup_start
    .globl hvkit_guest_conf_hlt_wakeup_end
    .globl hvkit_guest_conf_hlt_wakeup_after_hlt
hvkit_guest_conf_hlt_wakeup_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 0x20, timer_isr
    PIC_INIT 0xfe, 0xff     /* only IRQ 0 */
    OUTB 0x43, 0x34         /* counter 0: LSB/MSB, mode 2 */
    OUTB 0x40, 0xa9
    OUTB 0x40, 0x04         /* 0x04a9 = 1193: 1000.15 Hz */
    xor %r8d, %r8d
    sti
    hlt                     /* exits; the core resumes the guest in the HLT activity state */
hvkit_guest_conf_hlt_wakeup_after_hlt:
    REPORT_MARK CONF_MARK_RESUMED
    mov %r8, %rax
    REPORT_AL               /* the handler ran once */
    cli
    hlt                     /* IF = 0: the run ends */

timer_isr:
    ISR_ENTER
    inc %r8
    ISR_REPORT_VECTOR_RIP 0x20
    OUTB 0x21, 0xff         /* mask IRQ 0: one interrupt only */
    PIC_EOI
    ISR_RETURN
hvkit_guest_conf_hlt_wakeup_end:

    .section .note.GNU-stack, "", @progbits
