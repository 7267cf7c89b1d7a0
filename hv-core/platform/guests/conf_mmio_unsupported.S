/* conf-mmio-unsupported guest: instructions hv/decode.h refuses ("unsupported": INC, XADD, CMPXCHG, REPNE
 * STOS), each touching the MMIO region (EPT misconfiguration, SDM Vol. 3 §29.3.3.1). The core cannot emulate
 * them: it logs the bytes and injects #UD with RIP on the instruction (hv_vm_config.mmio_unsupported_kills =
 * false; #UD is a fault, SDM Vol. 3 §6.15 "Interrupt 6"), or kills the VM when the host asked for that. The
 * guest's #UD handler (conf1_layout.h FAULT_STUBS) stores vector, error code (0) and the saved RIP, and
 * returns past the instruction (R14 = its length). Slots 0-11: three per instruction; slot 12: the device
 * register at +0, read with a MOV at the end: unchanged, nothing was written. */
#include "conf1_layout.h"

#define M CONF1_MMIO_GPA

    .section .rodata.hvkit_guest_conf_mmio_unsupported, "a"
    .code64
    .globl hvkit_guest_conf_mmio_unsupported_start
    .globl hvkit_guest_conf_mmio_unsupported_end
hvkit_guest_conf_mmio_unsupported_start:
    IDT_INIT
    RESULTS_INIT
    mov $M, %esi
    mov $M, %edi
    mov $1, %ecx
    mov $2, %r14d
AT(conf_mun_1)
    incl (%rsi)                            /* FF 06 */
    mov $3, %r14d
AT(conf_mun_2)
    xadd %eax, (%rsi)                      /* 0F C1 06 */
    mov $3, %r14d
AT(conf_mun_3)
    cmpxchg %ecx, (%rsi)                   /* 0F B1 0E */
    mov $2, %r14d
AT(conf_mun_4)
    .byte 0xf2, 0xaa                       /* repne stosb: F2 on STOS is not defined by the SDM */
    mov (%rsi), %eax
AT(conf_mun_5)
    RESULT(%rax)
    hlt
1:  jmp 1b
    FAULT_STUBS
hvkit_guest_conf_mmio_unsupported_end:

    .section .note.GNU-stack, "", @progbits
