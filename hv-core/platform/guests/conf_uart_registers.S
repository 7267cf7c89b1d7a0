/* conf-uart-registers: the 16550A's registers at COM1 (PC16550D data sheet, Table II "Summary of
 * Registers"; hv/dev_uart.h). Every value read is reported (report region, conf_dev_layout.h); main/
 * conf_uart_registers.c checks them against the data sheet, and the sim form conformance/cases/
 * uart-registers.hvt does the same accesses. Ports >= 0x100 go through DX (EC / EE), as the sim encodes them.
 *   DLAB = 1: DLL/DLM hold the divisor (0x01 / 0x12), LCR reads back 0x83
 *   DLAB = 0: offset 1 is IER again (0 after reset), IER bits 7:4 read 0 (write 0xff -> 0x0f)
 *   SCR keeps 0xa5; LSR = 0x60 (THRE | TEMT, no data); IIR = 0x01 (no interrupt, FIFOs off)
 *   a write to LSR is ignored (still 0x60); THR 'U' goes to the host's serial sink
 *   loopback (MCR bit 4): THR 'L' arrives in RBR (LSR 0x61, RBR 0x4c, LSR 0x60) and not on the sink */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_uart_registers, "a"
    .code64
    .globl hvkit_guest_conf_uart_registers_start
    .globl hvkit_guest_conf_uart_registers_end
hvkit_guest_conf_uart_registers_start:
    mov $CONF_REPORT_GPA, %edi
    OUTB 0x3fb, 0x83        /* LCR: DLAB = 1, 8 data bits, 1 stop bit, no parity */
    OUTB 0x3f8, 0x01        /* DLL */
    OUTB 0x3f9, 0x12        /* DLM */
    INB_REPORT 0x3f8        /* DLL -> 0x01 */
    INB_REPORT 0x3f9        /* DLM -> 0x12 */
    INB_REPORT 0x3fb        /* LCR -> 0x83 */
    OUTB 0x3fb, 0x03        /* DLAB = 0 */
    INB_REPORT 0x3f9        /* IER (reset value) -> 0x00, not DLM */
    OUTB 0x3f9, 0xff
    INB_REPORT 0x3f9        /* IER bits 7:4 are always 0 -> 0x0f */
    OUTB 0x3f9, 0x00
    OUTB 0x3ff, 0xa5
    INB_REPORT 0x3ff        /* SCR -> 0xa5 */
    INB_REPORT 0x3fd        /* LSR -> 0x60 */
    INB_REPORT 0x3fa        /* IIR -> 0x01 */
    OUTB 0x3fd, 0x00        /* LSR is read-only: ignored */
    INB_REPORT 0x3fd        /* LSR -> 0x60 */
    OUTB 0x3f8, 0x55        /* THR 'U': to the host */
    OUTB 0x3fc, 0x10        /* MCR: loopback */
    OUTB 0x3f8, 0x4c        /* THR 'L': into the receiver */
    INB_REPORT 0x3fd        /* LSR -> 0x61 (DR) */
    INB_REPORT 0x3f8        /* RBR -> 0x4c */
    INB_REPORT 0x3fd        /* LSR -> 0x60 */
    OUTB 0x3fc, 0x00        /* loopback off */
    hlt                     /* IF = 0: the run ends */
hvkit_guest_conf_uart_registers_end:

    .section .note.GNU-stack, "", @progbits
