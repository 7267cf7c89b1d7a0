/* conf-intr-window-sti: blocking by STI (SDM Vol. 3 §25.4.2 Table 25-3) survives a VM exit that does not
 * retire the instruction in the STI shadow. IRQ 4 (the 16550's THR-empty interrupt, vector 0x24) is
 * requested with IF = 0; then STI and, in its shadow, a store to a lazily backed page: an EPT violation the
 * core answers by backing the page without moving RIP. The interruptibility state still says "blocking by
 * STI", so the core must not inject at that entry (VM entry rejects an external interrupt under STI
 * blocking, §27.3.1.5) but wait for the window; the handler's return RIP is the instruction after the store.
 * Then the same with an instruction the core retires (OUT to port 0x80 in the shadow): retiring it ends the
 * shadow, the return RIP is after the OUT. Reports per handler: 0x24, return RIP, IIR 0x02; finally 0xbb. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_intr_window_sti, "a"
    .code64
    .globl hvkit_guest_conf_intr_window_sti_start
    .globl hvkit_guest_conf_intr_window_sti_end
    .globl hvkit_guest_conf_intr_window_sti_after_store
    .globl hvkit_guest_conf_intr_window_sti_after_out
hvkit_guest_conf_intr_window_sti_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 0x24, sti_isr
    PIC_INIT 0xef, 0xff
    mov $CONF_LAZY_GPA, %esi
    OUTB 0x3fc, 0x08        /* MCR.OUT2 */
    OUTB 0x3f9, 0x02        /* IER.ETBEI: IRQ 4 requested, IF = 0 */
    sti
    movl $1, (%rsi)         /* in the STI shadow: EPT violation, restarted after the core backs the page */
hvkit_guest_conf_intr_window_sti_after_store:
    cli
    OUTB 0x3f9, 0x00
    OUTB 0x3f9, 0x02        /* THR empty again: IRQ 4 requested, IF = 0 */
    sti
    out %al, $0x80          /* in the STI shadow: an I/O exit the core retires */
hvkit_guest_conf_intr_window_sti_after_out:
    END_RESUMED

sti_isr:
    ISR_ENTER
    ISR_REPORT_VECTOR_RIP 0x24
    INB_REPORT 0x3fa        /* IIR 0x02, clears the THRE interrupt */
    PIC_EOI
    ISR_RETURN
hvkit_guest_conf_intr_window_sti_end:

    .section .note.GNU-stack, "", @progbits
