/* conf-intr-window-if0: an interrupt requested while RFLAGS.IF = 0 is held (the core arms interrupt-window
 * exiting, SDM Vol. 3 §25.6.2, §26.7.5) and delivered right after STI and the one instruction STI blocks
 * (§25.4.2 Table 25-3, Vol. 2 STI). The request: the 16550's THR-empty interrupt on IRQ 4 (vector 0x24).
 * Reports: 0x01 (after the request, no handler yet), 0x10 (IRR bit 4: requested, not delivered), then the
 * handler: 0x24, its return RIP (the instruction after STI; NOP), IIR 0x02 (THRE, cleared by the read);
 * then 0xbb. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_intr_window_if0, "a"
    .code64
    .globl hvkit_guest_conf_intr_window_if0_start
    .globl hvkit_guest_conf_intr_window_if0_end
    .globl hvkit_guest_conf_intr_window_if0_after_nop
hvkit_guest_conf_intr_window_if0_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 0x24, if0_isr
    PIC_INIT 0xef, 0xff     /* only IRQ 4 */
    OUTB 0x3fc, 0x08        /* MCR.OUT2 */
    OUTB 0x3f9, 0x02        /* IER.ETBEI with THR empty: IRQ 4 requested now, IF = 0 */
    mov $0x01, %eax
    REPORT_AL
    OUTB 0x20, 0x0a
    INB_REPORT 0x20         /* IRR 0x10 */
    sti
    nop                     /* blocked by STI: the interrupt waits until after this instruction */
hvkit_guest_conf_intr_window_if0_after_nop:
    END_RESUMED

if0_isr:
    ISR_ENTER
    ISR_REPORT_VECTOR_RIP 0x24
    INB_REPORT 0x3fa        /* IIR 0x02: THRE; reading it clears the interrupt */
    PIC_EOI
    ISR_RETURN
hvkit_guest_conf_intr_window_if0_end:

    .section .note.GNU-stack, "", @progbits
