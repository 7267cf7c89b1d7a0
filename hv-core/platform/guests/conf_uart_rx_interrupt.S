/* conf-uart-rx-interrupt: a byte from the host on COM1's receive line (hv_vm_serial_input) raises the
 * 16550's received-data interrupt (IER.ERBFI, gated to IRQ 4 by MCR.OUT2): IIR 0x04, LSR.DR, the byte in
 * RBR, and IIR back to 0x01 once it is read (PC16550D data sheet, Table II / interrupt identification). The
 * guest unmasks IRQ 4 (vector 0x24), sets IF, reports 0xaa (the host then sends 'Z'), waits for its handler
 * (exiting OUT to port 0x80 in the loop), reports 0xbb and halts with IF = 0. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_uart_rx_interrupt, "a"
    .code64
    .globl hvkit_guest_conf_uart_rx_interrupt_start
    .globl hvkit_guest_conf_uart_rx_interrupt_end
hvkit_guest_conf_uart_rx_interrupt_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 0x24, rx_isr
    PIC_INIT 0xef, 0xff
    OUTB 0x3fc, 0x08        /* MCR.OUT2 */
    OUTB 0x3f9, 0x01        /* IER.ERBFI */
    xor %r9d, %r9d
    sti
    READY_WAIT_R9D
    END_RESUMED

rx_isr:
    ISR_ENTER
    INB_REPORT 0x3fa        /* IIR: received data available 0x04 */
    INB_REPORT 0x3fd        /* LSR: DR | THRE | TEMT = 0x61 */
    INB_REPORT 0x3f8        /* RBR: 'Z' */
    INB_REPORT 0x3fa        /* IIR: none 0x01 */
    inc %r9d
    PIC_EOI
    ISR_RETURN
hvkit_guest_conf_uart_rx_interrupt_end:

    .section .note.GNU-stack, "", @progbits
