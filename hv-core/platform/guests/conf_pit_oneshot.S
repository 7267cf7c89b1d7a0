/* conf-pit-oneshot: PIT counter 0 in mode 0 (interrupt on terminal count) at 1193 (1 ms) fires once (Intel
 * 8254 data sheet, mode 0: OUT goes high at terminal count and stays high until a new count or control word;
 * the counter keeps counting without another interrupt). Counter 2 in mode 0 at 5965 (5 ms, five periods
 * of counter 0) is the guest's clock: it polls counter 2's OUT through read-back status with IF = 1 (every
 * poll exits, so the core could deliver any further IRQ 0). Then it reports the handler count (1) and
 * counter 0's status (OUT 1, NULL COUNT 0, RW 11, mode 000: 0xb0) and halts with IF = 1: with nothing
 * left that could wake it, the run must end there. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_pit_oneshot, "a"
    .code64
    .globl hvkit_guest_conf_pit_oneshot_start
    .globl hvkit_guest_conf_pit_oneshot_end
hvkit_guest_conf_pit_oneshot_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 0x20, oneshot_isr
    PIC_INIT 0xfe, 0xff
    xor %r8d, %r8d
    OUTB 0x43, 0x30         /* counter 0: LSB/MSB, mode 0 */
    OUTB 0x40, 0xa9
    OUTB 0x40, 0x04         /* 1193 */
    OUTB 0x43, 0xb0         /* counter 2: LSB/MSB, mode 0 */
    OUTB 0x42, 0x4d
    OUTB 0x42, 0x17         /* 0x174d = 5965 */
    sti
1:  OUTB 0x43, 0xe8         /* read-back status of counter 2 */
    INB 0x42
    test $0x80, %al         /* OUT high: 5 ms passed */
    jz 1b
    mov %r8, %rax
    REPORT_AL
    OUTB 0x43, 0xe2         /* read-back status of counter 0 */
    INB_REPORT 0x40
    hlt                     /* IF = 1, no wake source left: the run ends */
2:  jmp 2b

oneshot_isr:
    ISR_ENTER
    inc %r8
    mov $0x20, %eax
    REPORT_AL
    PIC_EOI
    ISR_RETURN
hvkit_guest_conf_pit_oneshot_end:

    .section .note.GNU-stack, "", @progbits
