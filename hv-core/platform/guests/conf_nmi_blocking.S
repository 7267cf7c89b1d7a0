/* conf-nmi-blocking: an NMI is not delivered while the guest handles one (SDM Vol. 3 §6.7.1: NMIs are
 * blocked from delivery until IRET; §25.4.2 Table 25-3 blocking by NMI / virtual-NMI blocking; with "virtual
 * NMIs" the core asks for the NMI window, §26.7.6). The guest reports 0xaa; at that exit the host raises
 * the vCPU's NMI (hv_vm_nmi), the next entry injects it (vector 2). The handler reports its nesting depth (1)
 * and count; in the first one it reports 0xcc, at which exit the host raises a second NMI, then 0xdd (still
 * in the first handler: the second NMI was held), then IRET; the second NMI runs the handler again (depth
 * 1, count 2). The main loop waits for two handlers with an exiting OUT to port 0x80, reports 0xbb and halts
 * with IF = 0. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_nmi_blocking, "a"
    .code64
    .globl hvkit_guest_conf_nmi_blocking_start
    .globl hvkit_guest_conf_nmi_blocking_end
hvkit_guest_conf_nmi_blocking_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 2, nmi_handler
    xor %r10d, %r10d                /* handlers run */
    xor %r11d, %r11d                /* nesting depth */
    REPORT_MARK CONF_MARK_READY
1:  cmp $2, %r10d
    jae 2f
    out %al, $0x80
    jmp 1b
2:  mov $CONF_MARK_RESUMED, %eax
    REPORT_AL
    hlt

nmi_handler:
    ISR_ENTER
    inc %r11d
    inc %r10d
    mov %r11d, %eax
    REPORT_AL                       /* depth: 1 */
    mov %r10d, %eax
    REPORT_AL                       /* count */
    cmp $1, %r10d
    jne 3f
    mov $0xcc, %eax
    REPORT_AL                       /* the host raises the second NMI here */
    mov $0xdd, %eax
    REPORT_AL                       /* still in the first handler */
3:  dec %r11d
    ISR_RETURN
hvkit_guest_conf_nmi_blocking_end:

    .section .note.GNU-stack, "", @progbits
