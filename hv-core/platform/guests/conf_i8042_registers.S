/* conf-i8042-registers: the keyboard controller's status, command and data ports (hv/dev_i8042.h). Each
 * value read is reported; main/conf_i8042_registers.c checks them, conformance/cases/i8042-registers.hvt is
 * the same guest as records (the list of commands and answers is there). */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_i8042_registers, "a"
    .code64
    .globl hvkit_guest_conf_i8042_registers_start
    .globl hvkit_guest_conf_i8042_registers_end
hvkit_guest_conf_i8042_registers_start:
    mov $CONF_REPORT_GPA, %edi
    INB_REPORT 0x64         /* status: SYS | INH = 0x14 */
    OUTB 0x64, 0xaa         /* controller self-test */
    INB_REPORT 0x64         /* OBF | SYS | A2 | INH = 0x1d */
    INB_REPORT 0x60         /* 0x55: passed */
    INB_REPORT 0x64         /* OBF clear: 0x1c */
    OUTB 0x64, 0xab         /* keyboard interface test */
    INB_REPORT 0x60         /* 0x00: no error */
    OUTB 0x64, 0x20         /* read the command byte */
    INB_REPORT 0x60         /* 0x65: IRQ 1 on, system flag, aux disabled, translation */
    OUTB 0x64, 0x60         /* write the command byte ... */
    OUTB 0x60, 0x64         /* ... 0x64 (IRQ 1 off) */
    INB_REPORT 0x64         /* A2 clear after a data write: 0x14 */
    OUTB 0x64, 0x20
    INB_REPORT 0x60         /* 0x64 */
    OUTB 0x64, 0x60
    OUTB 0x60, 0x65         /* restore */
    OUTB 0x60, 0xee         /* keyboard: echo */
    INB_REPORT 0x60         /* 0xee */
    OUTB 0x60, 0xff         /* keyboard: reset */
    INB_REPORT 0x60         /* ACK 0xfa */
    INB_REPORT 0x60         /* BAT passed 0xaa */
    INB_REPORT 0x64         /* buffer empty: 0x14 */
    hlt
hvkit_guest_conf_i8042_registers_end:

    .section .note.GNU-stack, "", @progbits
