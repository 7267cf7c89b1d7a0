/* conf-timer-rate: PIT counter 0 in mode 2 with count 0 (= 65536: 1193182 Hz / 65536 = 18.2065 Hz, a period
 * of 54,925,401 ns, the PC's classic 18.2 Hz tick), only IRQ 0 unmasked. The period is the longest the 8254
 * has so that the time an exit costs on the bootable lane (its console lines go out over an emulated
 * 115200-baud UART: milliseconds per exit, more with hvkit.record=1) stays well below it. The guest halts
 * (IF = 1) until its handler has run 11 times; the handler reports its count (1..11), which the host
 * timestamps: 10 periods between the first and the last. Then IRQ 0 is masked, 0xbb reported, and the guest
 * halts with IF = 0. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_timer_rate, "a"
    .code64
    .globl hvkit_guest_conf_timer_rate_start
    .globl hvkit_guest_conf_timer_rate_end
hvkit_guest_conf_timer_rate_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 0x20, rate_isr
    PIC_INIT 0xfe, 0xff
    xor %r8d, %r8d
    OUTB 0x43, 0x34         /* counter 0: LSB/MSB, mode 2 (rate generator) */
    OUTB 0x40, 0x00
    OUTB 0x40, 0x00         /* 0 = 65536 */
    sti
1:  hlt
    cmp $11, %r8
    jb 1b
    cli
    OUTB 0x21, 0xff
    REPORT_MARK CONF_MARK_RESUMED
    hlt

rate_isr:
    ISR_ENTER
    inc %r8
    mov %r8, %rax
    REPORT_AL
    PIC_EOI
    ISR_RETURN
hvkit_guest_conf_timer_rate_end:

    .section .note.GNU-stack, "", @progbits
