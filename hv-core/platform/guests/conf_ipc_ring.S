/* conf-ipc-ring: the IPC device over VMCALL (hv/hypercall.h, hv/dev_ipc.h). Reports, in order:
 *   HV_HC_QUERY(IPC) = 1; HV_HC_IPC_REGISTER with the receive ring on the report region (not RAM) =
 *   HV_HC_EINVAL; a valid registration (transmit ring 0x10000, receive ring 0x20000, one page each, vector
 *   0x40) = 0; a second one = HV_HC_EBUSY; the transmit ring header the core wrote: magic 0x52435049, size
 *   4096 - 64 = 0xfc0; 0xaa (ready: the host sends "hello"); the handler on vector 0x40: receive ring tail
 *   16 (8-byte entry header + 5 bytes padded to 8), entry length 5, the message's first 8 bytes; then the
 *   guest writes "abc" into its transmit ring, HV_HC_IPC_NOTIFY(1) = 0, 0xbb. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

/* HV_HC_IPC_REGISTER (4): transmit ring CONF_IPC_TX_GPA, receive ring at rx, one page each, vector 0x40;
 * the result reported. */
.macro IPC_REGISTER rx
    mov $4, %eax
    mov $CONF_IPC_TX_GPA, %ebx
    mov $\rx, %ecx
    mov $1, %edx
    mov $0x40, %esi
    vmcall
    REPORT_RAX
.endm

    .section .rodata.hvkit_guest_conf_ipc_ring, "a"
    .code64
    .globl hvkit_guest_conf_ipc_ring_start
    .globl hvkit_guest_conf_ipc_ring_end
hvkit_guest_conf_ipc_ring_start:
    mov $CONF_REPORT_GPA, %edi
    SET_GATE 0x40, ipc_isr
    xor %r9d, %r9d
    mov $3, %eax                    /* HV_HC_QUERY */
    mov $2, %ebx                    /* HV_HC_QUERY_IPC */
    vmcall
    REPORT_RAX
    IPC_REGISTER CONF_REPORT_GPA    /* receive ring outside RAM */
    IPC_REGISTER CONF_IPC_RX_GPA
    IPC_REGISTER CONF_IPC_RX_GPA    /* again: busy */
    mov CONF_IPC_TX_GPA + 12, %eax  /* magic */
    REPORT_EAX
    mov CONF_IPC_TX_GPA + 8, %eax   /* size */
    REPORT_EAX
    sti
    READY_WAIT_R9D
    movl $3, CONF_IPC_TX_GPA + 64   /* entry header: length 3 */
    movl $0, CONF_IPC_TX_GPA + 68
    movl $0x00636261, CONF_IPC_TX_GPA + 72 /* "abc" */
    movl $16, CONF_IPC_TX_GPA + 4   /* tail: after the entry */
    mov $5, %eax                    /* HV_HC_IPC_NOTIFY */
    mov $1, %ebx
    vmcall
    REPORT_RAX
    END_RESUMED

ipc_isr:
    ISR_ENTER
    mov CONF_IPC_RX_GPA + 4, %eax   /* tail */
    REPORT_EAX
    mov CONF_IPC_RX_GPA + 64, %eax  /* the entry's length */
    REPORT_EAX
    mov CONF_IPC_RX_GPA + 72, %rax  /* the message */
    REPORT_RAX
    mov CONF_IPC_RX_GPA + 4, %eax
    mov %eax, CONF_IPC_RX_GPA       /* head = tail: consumed */
    inc %r9d
    ISR_RETURN
hvkit_guest_conf_ipc_ring_end:

    .section .note.GNU-stack, "", @progbits
