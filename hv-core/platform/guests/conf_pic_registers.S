/* conf-pic-registers: the 8259A pair's ICW/OCW programming, IMR, and IRR/ISR through OCW3, with IF = 0 so
 * nothing is delivered (8259A data sheet; hv/dev_pic.h). The request is the 16550's THR-empty interrupt on
 * IRQ 4 (MCR.OUT2 gates it, IER.ETBEI with THR empty raises it). Each value read is reported; main/
 * conf_pic_registers.c checks them, conformance/cases/pic-registers.hvt is the same guest as records. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_pic_registers, "a"
    .code64
    .globl hvkit_guest_conf_pic_registers_start
    .globl hvkit_guest_conf_pic_registers_end
hvkit_guest_conf_pic_registers_start:
    mov $CONF_REPORT_GPA, %edi
    PIC_INIT 0xa5, 0x5a     /* OCW1: master IMR 0xa5 (IRQ 4 unmasked), slave IMR 0x5a */
    INB_REPORT 0x21         /* IMR -> 0xa5 */
    INB_REPORT 0xa1         /* -> 0x5a */
    OUTB 0x20, 0x0a         /* OCW3: read IRR */
    INB_REPORT 0x20         /* -> 0 */
    OUTB 0x20, 0x0b         /* OCW3: read ISR */
    INB_REPORT 0x20         /* -> 0 */
    OUTB 0x3fc, 0x08        /* UART MCR.OUT2: its interrupt reaches IRQ 4 */
    OUTB 0x3f9, 0x02        /* IER.ETBEI with THR empty: THRE interrupt, IRQ 4 rises */
    OUTB 0x20, 0x0a
    INB_REPORT 0x20         /* IRR -> 0x10 */
    INB_REPORT 0x20         /* RR stays selected -> 0x10 */
    OUTB 0x20, 0x0c         /* OCW3: poll */
    INB_REPORT 0x20         /* -> 0x84: a request, level 4 (acknowledged: IRR -> ISR) */
    OUTB 0x20, 0x0b
    INB_REPORT 0x20         /* ISR -> 0x10 */
    OUTB 0x20, 0x0a
    INB_REPORT 0x20         /* IRR -> 0 (edge-triggered: the line stayed high, no new edge) */
    PIC_EOI                 /* non-specific EOI */
    OUTB 0x20, 0x0b
    INB_REPORT 0x20         /* ISR -> 0 */
    OUTB 0xa0, 0x0a
    INB_REPORT 0xa0         /* slave IRR -> 0 */
    hlt                     /* IF = 0: the run ends */
hvkit_guest_conf_pic_registers_end:

    .section .note.GNU-stack, "", @progbits
