/* conf-hypercall-abi guests: every hypercall of hv/hypercall.h with valid and hostile arguments. HC loads
 * RAX (number) and RBX, RCX, RDX, RSI (arguments 1-4), executes VMCALL (exit 18, SDM Vol. 3 §26.1.2) and
 * stores RAX, the result, into the next slot. Both programs end with HV_HC_SHUTDOWN.
 * Program A (a VM without devices), slots 0-15 the results below, 16-19 RBX RCX RDX RSI after the last call.
 * Program B (a VM with the IPC device and an MMIO region at 0x300000), slots 0-17 the results below, then
 * 18-21 the size and magic fields of the receive and transmit ring headers the valid registration wrote
 * (hv/hypercall.h: offset 8 size, 12 magic), read back from guest RAM after UNREGISTER (it keeps the memory). */
#include "conf1_layout.h"

    .macro HC label, nr, b, c, d, s
    mov $\nr, %rax
    mov $\b, %rbx
    mov $\c, %rcx
    mov $\d, %rdx
    mov $\s, %rsi
    vmcall
AT(\label)
    RESULT(%rax)
    .endm

    .section .rodata.hvkit_guest_conf_hypercall_abi, "a"
    .code64
    .globl hvkit_guest_conf_hypercall_abi_a_start
    .globl hvkit_guest_conf_hypercall_abi_a_end
hvkit_guest_conf_hypercall_abi_a_start:
    RESULTS_INIT
    HC conf_hca_1, 0, 0, 0, 0, 0   /* VERSION */
    HC conf_hca_2, 1, 0x41, 0, 0, 0   /* PUTCHAR 'A' */
    HC conf_hca_3, 1, 0x107, 0, 0, 0   /* PUTCHAR 0x07 (bits above 7:0 ignored; logged by number) */
    HC conf_hca_4, 3, 0, 0, 0, 0   /* QUERY ABI_VERSION */
    HC conf_hca_5, 3, 1, 0, 0, 0   /* QUERY COUNT */
    HC conf_hca_6, 3, 2, 0, 0, 0   /* QUERY IPC: no IPC device */
    HC conf_hca_7, 3, 3, 0, 0, 0   /* QUERY IPC_PAGES */
    HC conf_hca_8, 3, 4, 0, 0, 0   /* QUERY IPC_MSG_MAX */
    HC conf_hca_9, 3, 5, 0, 0, 0   /* QUERY unknown selector */
    HC conf_hca_10, 3, -1, 0, 0, 0   /* QUERY selector ~0 */
    HC conf_hca_11, 4, 0x200000, 0x210000, 1, 0x40   /* IPC_REGISTER without the device */
    HC conf_hca_12, 5, 1, 0, 0, 0   /* IPC_NOTIFY without the device */
    HC conf_hca_13, 6, 0, 0, 0, 0   /* IPC_UNREGISTER without the device */
    HC conf_hca_14, 7, 0, 0, 0, 0   /* number HV_HC_COUNT: unknown */
    HC conf_hca_15, 0x100000000, 0, 0, 0, 0   /* 2^32: all 64 bits compared (not VERSION) */
    HC conf_hca_16, -1, 0x1111, 0x2222, 0x3333, 0x4444   /* ~0; then RBX RCX RDX RSI unchanged */
    RESULT(%rbx)
    RESULT(%rcx)
    RESULT(%rdx)
    RESULT(%rsi)
    mov $2, %eax                           /* HV_HC_SHUTDOWN */
    vmcall
1:  jmp 1b
hvkit_guest_conf_hypercall_abi_a_end:

    .globl hvkit_guest_conf_hypercall_abi_b_start
    .globl hvkit_guest_conf_hypercall_abi_b_end
hvkit_guest_conf_hypercall_abi_b_start:
    RESULTS_INIT
    HC conf_hcb_1, 3, 2, 0, 0, 0   /* QUERY IPC: the device is there */
    HC conf_hcb_2, 5, 0, 0, 0, 0   /* IPC_NOTIFY before a registration */
    HC conf_hcb_3, 6, 0, 0, 0, 0   /* IPC_UNREGISTER before a registration */
    HC conf_hcb_4, 4, 0x200000, 0x210000, 0, 0x40   /* pages 0 */
    HC conf_hcb_5, 4, 0x200000, 0x210000, 17, 0x40   /* pages 17 > HV_IPC_MAX_PAGES */
    HC conf_hcb_6, 4, 0x200000, 0x210000, 1, 31   /* vector 31 (an exception vector) */
    HC conf_hcb_7, 4, 0x200000, 0x210000, 1, 256   /* vector 256 */
    HC conf_hcb_8, 4, 0x200800, 0x210000, 1, 0x40   /* transmit ring not page-aligned */
    HC conf_hcb_9, 4, 0x400000, 0x210000, 1, 0x40   /* transmit ring past RAM (memory_size 4 MiB) */
    HC conf_hcb_10, 4, 0x200000, 0x300000, 1, 0x40   /* receive ring over the MMIO region */
    HC conf_hcb_11, 4, 0x200000, 0x201000, 2, 0x40   /* rings overlap */
    HC conf_hcb_12, 4, -4096, 0x210000, 16, 0x40   /* transmit ring wraps the address space */
    HC conf_hcb_13, 4, 0x200000, 0x210000, 2, 0x40   /* valid: 2 pages each, vector 0x40 */
    HC conf_hcb_14, 4, 0x220000, 0x230000, 1, 0x41   /* a pair is registered already */
    HC conf_hcb_15, 5, 0xfeedface, 0, 0, 0   /* IPC_NOTIFY: the host sees 0xfeedface */
    HC conf_hcb_16, 6, 0, 0, 0, 0   /* IPC_UNREGISTER */
    HC conf_hcb_17, 6, 0, 0, 0, 0   /* IPC_UNREGISTER again */
    HC conf_hcb_18, 5, 0, 0, 0, 0   /* IPC_NOTIFY after it */
    movl 0x210008, %eax
    RESULT(%rax)
    movl 0x21000c, %eax
    RESULT(%rax)
    movl 0x200008, %eax
    RESULT(%rax)
    movl 0x20000c, %eax
    RESULT(%rax)
    mov $2, %eax                           /* HV_HC_SHUTDOWN */
    vmcall
1:  jmp 1b
hvkit_guest_conf_hypercall_abi_b_end:

    .section .note.GNU-stack, "", @progbits
