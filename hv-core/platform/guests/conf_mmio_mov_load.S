/* conf-mmio-mov-load guest: MOV loads from the MMIO region (EPT misconfiguration, SDM Vol. 3 §29.3.3.1),
 * emulated by the core (mmio.c) with the destination-register rules of SDM Vol. 1 §3.4.1.1: an 8- or 16-bit
 * load merges into the register, a 32-bit load zero-extends to 64, a 64-bit load replaces it. Each load
 * starts with all ones in the destination; slots 0-6 hold the register after each load.
 *   8A 06        mov (%rsi), %al          1 byte  from +0
 *   66 8B 06     mov (%rsi), %ax          2 bytes from +0
 *   8B 06        mov (%rsi), %eax         4 bytes from +0
 *   48 8B 06     mov (%rsi), %rax         8 bytes from +0
 *   4C 8B 4E 08  mov 8(%rsi), %r9         8 bytes from +8 (REX.R, disp8)
 *   8A 66 01     mov 1(%rsi), %ah         1 byte  from +1 (legacy high-byte register)
 *   A1 moffs64   movabs 0x300010, %eax    4 bytes from +0x10 (moffs form) */
#include "conf1_layout.h"

    .macro LOAD label, insn:vararg
    mov $-1, %rax
    mov %rax, %r9
    \insn
AT(\label)
    .endm

    .section .rodata.hvkit_guest_conf_mmio_mov_load, "a"
    .code64
    .globl hvkit_guest_conf_mmio_mov_load_start
    .globl hvkit_guest_conf_mmio_mov_load_end
hvkit_guest_conf_mmio_mov_load_start:
    RESULTS_INIT
    mov $CONF1_MMIO_GPA, %esi
    LOAD conf_mml_1, mov (%rsi), %al
    RESULT(%rax)
    LOAD conf_mml_2, mov (%rsi), %ax
    RESULT(%rax)
    LOAD conf_mml_3, mov (%rsi), %eax
    RESULT(%rax)
    LOAD conf_mml_4, mov (%rsi), %rax
    RESULT(%rax)
    LOAD conf_mml_5, mov 8(%rsi), %r9
    RESULT(%r9)
    LOAD conf_mml_6, mov 1(%rsi), %ah
    RESULT(%rax)
    LOAD conf_mml_7, movabs CONF1_MMIO_GPA + 0x10, %eax
    RESULT(%rax)
    hlt
1:  jmp 1b
hvkit_guest_conf_mmio_mov_load_end:

    .section .note.GNU-stack, "", @progbits
