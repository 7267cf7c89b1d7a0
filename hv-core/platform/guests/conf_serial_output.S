/* conf-serial-output: the guest's COM1 output reaches the host's serial sink byte for byte: a text line and
 * the bytes 0x00 0x7f 0x80 0xff, each sent as a driver does (poll LSR until THRE, then write THR). */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_serial_output, "a"
    .code64
    .globl hvkit_guest_conf_serial_output_start
    .globl hvkit_guest_conf_serial_output_end
    .globl hvkit_guest_conf_serial_output_msg
    .globl hvkit_guest_conf_serial_output_msg_end
hvkit_guest_conf_serial_output_start:
    lea hvkit_guest_conf_serial_output_msg(%rip), %rsi
    mov $(hvkit_guest_conf_serial_output_msg_end - hvkit_guest_conf_serial_output_msg), %ecx
1:  mov $0x3fd, %dx
2:  in %dx, %al             /* LSR */
    test $0x20, %al         /* THRE */
    jz 2b
    lodsb
    mov $0x3f8, %dx
    out %al, %dx            /* THR */
    dec %ecx
    jnz 1b
    hlt
hvkit_guest_conf_serial_output_msg:
    .ascii "conf-serial: 16550 says hi\r\n"
    .byte 0x00, 0x7f, 0x80, 0xff
hvkit_guest_conf_serial_output_msg_end:
hvkit_guest_conf_serial_output_end:

    .section .note.GNU-stack, "", @progbits
