/* conf-pic-mask: a request on a masked IRQ is latched in IRR but not delivered; unmasking delivers it
 * (8259A data sheet, OCW1). IF = 1 throughout; all IRQs masked; the 16550 requests IRQ 4 (vector 0x24).
 * Reports: 0x01 (exits with the request pending and masked: no handler), IRR 0x10, IMR 0xff; the unmasking
 * OUT exits and the next entry delivers: 0x24, the return RIP (the instruction after the OUT), IIR 0x02;
 * then 0xbb. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_pic_mask, "a"
    .code64
    .globl hvkit_guest_conf_pic_mask_start
    .globl hvkit_guest_conf_pic_mask_end
    .globl hvkit_guest_conf_pic_mask_after_unmask
hvkit_guest_conf_pic_mask_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 0x24, mask_isr
    PIC_INIT 0xff, 0xff     /* everything masked */
    sti
    OUTB 0x3fc, 0x08
    OUTB 0x3f9, 0x02        /* IRQ 4 requested, masked */
    mov $0x01, %eax
    REPORT_AL
    OUTB 0x20, 0x0a
    INB_REPORT 0x20         /* IRR 0x10: latched */
    INB_REPORT 0x21         /* IMR 0xff */
    OUTB 0x21, 0xef         /* unmask IRQ 4 */
hvkit_guest_conf_pic_mask_after_unmask:
    END_RESUMED

mask_isr:
    ISR_ENTER
    ISR_REPORT_VECTOR_RIP 0x24
    INB_REPORT 0x3fa
    PIC_EOI
    ISR_RETURN
hvkit_guest_conf_pic_mask_end:

    .section .note.GNU-stack, "", @progbits
