/* conf-keyboard-injection: a host key event reaches the guest as IRQ 1 and the scancode on port 0x60. The
 * guest unmasks only IRQ 1 (vector 0x21), sets IF and reports 0xaa; at that exit the host presses 'a'
 * (hv_vm_key_event, set-1 make code 0x1e), so the next entry injects vector 0x21. The handler reports the
 * status port (0x15: output buffer full, system flag, not inhibited) and the data port (0x1e), then EOI. The
 * guest waits for the handler with an exiting OUT to port 0x80 in its loop (no exit-free spin), reports 0xbb
 * and halts with IF = 0. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_keyboard_injection, "a"
    .code64
    .globl hvkit_guest_conf_keyboard_injection_start
    .globl hvkit_guest_conf_keyboard_injection_end
hvkit_guest_conf_keyboard_injection_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 0x21, kbd_isr
    PIC_INIT 0xfd, 0xff
    xor %r9d, %r9d
    sti
    READY_WAIT_R9D
    END_RESUMED

kbd_isr:
    ISR_ENTER
    INB_REPORT 0x64
    INB_REPORT 0x60
    inc %r9d
    PIC_EOI
    ISR_RETURN
hvkit_guest_conf_keyboard_injection_end:

    .section .note.GNU-stack, "", @progbits
