/* conf-mmio-mov-store guest: MOV stores into the MMIO region (EPT misconfiguration, SDM Vol. 3 §29.3.3.1),
 * emulated by the core (mmio.c): one write of the operand size at the operand's GPA, the value the low bytes
 * of the source register or the immediate (sign-extended from imm32 for REX.W C7, SDM Vol. 2 MOV), the
 * registers unchanged, RIP past the decoded instruction. Slots 0-1: RAX and R8 after all stores.
 *   88 06               mov %al, (%rsi)            1 byte  at +0x00 (register source)
 *   66 89 46 02         mov %ax, 2(%rsi)           2 bytes at +0x02
 *   89 46 04            mov %eax, 4(%rsi)          4 bytes at +0x04
 *   48 89 46 08         mov %rax, 8(%rsi)          8 bytes at +0x08
 *   44 88 46 10         mov %r8b, 0x10(%rsi)       1 byte  at +0x10 (REX.R register)
 *   88 66 11            mov %ah, 0x11(%rsi)        1 byte  at +0x11 (legacy high byte)
 *   c6 46 18 5a         movb $0x5a, 0x18(%rsi)     1 byte  at +0x18 (immediate)
 *   66 c7 46 1a 34 12   movw $0x1234, 0x1a(%rsi)   2 bytes at +0x1a
 *   c7 46 1c ef cd ab 89  movl $0x89abcdef, ...    4 bytes at +0x1c
 *   48 c7 46 20 fe ff ff ff  movq $-2, 0x20(%rsi)  8 bytes at +0x20 (imm32 sign-extended to 64 bits)
 *   a3 moffs64          movabs %eax, 0x300028      4 bytes at +0x28 (moffs form) */
#include "conf1_layout.h"

    .section .rodata.hvkit_guest_conf_mmio_mov_store, "a"
    .code64
    .globl hvkit_guest_conf_mmio_mov_store_start
    .globl hvkit_guest_conf_mmio_mov_store_end
hvkit_guest_conf_mmio_mov_store_start:
    RESULTS_INIT
    mov $CONF1_MMIO_GPA, %esi
    movabs $0x8877665544332211, %rax
    movabs $0x0123456789abcdef, %r8
    mov %al, (%rsi)
AT(conf_mms_1)
    mov %ax, 2(%rsi)
AT(conf_mms_2)
    mov %eax, 4(%rsi)
AT(conf_mms_3)
    mov %rax, 8(%rsi)
AT(conf_mms_4)
    mov %r8b, 0x10(%rsi)
AT(conf_mms_5)
    mov %ah, 0x11(%rsi)
AT(conf_mms_6)
    movb $0x5a, 0x18(%rsi)
AT(conf_mms_7)
    movw $0x1234, 0x1a(%rsi)
AT(conf_mms_8)
    movl $0x89abcdef, 0x1c(%rsi)
AT(conf_mms_9)
    movq $-2, 0x20(%rsi)
AT(conf_mms_10)
    movabs %eax, CONF1_MMIO_GPA + 0x28
AT(conf_mms_11)
    RESULT(%rax)
    RESULT(%r8)
    hlt
1:  jmp 1b
hvkit_guest_conf_mmio_mov_store_end:

    .section .note.GNU-stack, "", @progbits
