/* conf-pit-registers: the 8254's control word, counter latch and read-back commands (Intel 8254 data
 * sheet; hv/dev_pit.h), no interrupts. Each value read is reported (conf_dev_layout.h); main/
 * conf_pit_registers.c checks them, conformance/cases/pit-registers.hvt is the same guest as records. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_pit_registers, "a"
    .code64
    .globl hvkit_guest_conf_pit_registers_start
    .globl hvkit_guest_conf_pit_registers_end
hvkit_guest_conf_pit_registers_start:
    mov $CONF_REPORT_GPA, %edi
    OUTB 0x43, 0x34         /* counter 0: LSB then MSB, mode 2, binary */
    OUTB 0x40, 0x00
    OUTB 0x40, 0x10         /* count 0x1000 */
    OUTB 0x43, 0xe2         /* read-back: status only (D5 = 1, D4 = 0), counter 0 */
    INB_REPORT 0x40         /* status: OUT 1, NULL COUNT 0, 11, 010, 0 = 0xb4 */
    OUTB 0x43, 0x00         /* counter latch command, counter 0 */
    INB_REPORT 0x40         /* latched LSB */
    INB_REPORT 0x40         /* latched MSB */
    OUTB 0x43, 0xc2         /* read-back: count and status, counter 0 */
    INB_REPORT 0x40         /* status first: 0xb4 */
    INB_REPORT 0x40         /* then the count, LSB */
    INB_REPORT 0x40         /* MSB */
    OUTB 0x43, 0xb0         /* counter 2: LSB then MSB, mode 0 */
    OUTB 0x43, 0xe8         /* read-back status, counter 2 */
    INB_REPORT 0x42         /* OUT 0 (mode 0), NULL COUNT 1: 0x70 */
    OUTB 0x42, 0xff
    OUTB 0x42, 0xff         /* count 0xffff: loaded, counting */
    OUTB 0x43, 0xe8
    INB_REPORT 0x42         /* OUT 0, NULL COUNT 0: 0x30 */
    OUTB 0x43, 0x76         /* counter 1: LSB then MSB, mode 3 */
    OUTB 0x43, 0xe4         /* read-back status, counter 1 */
    INB_REPORT 0x41         /* OUT 1 (mode 3), NULL COUNT 1: 0xf6 */
    OUTB 0x43, 0x7c         /* counter 1, mode bits 110 ("mode 6" = mode 2) */
    OUTB 0x43, 0xe4
    INB_REPORT 0x41         /* the mode exactly as written: 0x80 | 0x40 | 0x3c = 0xfc */
    hlt
hvkit_guest_conf_pit_registers_end:

    .section .note.GNU-stack, "", @progbits
