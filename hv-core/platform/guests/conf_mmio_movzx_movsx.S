/* conf-mmio-movzx-movsx guest: MOVZX, MOVSX and MOVSXD loads from the MMIO region (EPT misconfiguration, SDM
 * Vol. 3 §29.3.3.1), emulated by the core (mmio.c): one read of the SOURCE size, zero- or sign-extended to
 * the destination size (SDM Vol. 2 MOVZX, MOVSX/MOVSXD), written with SDM Vol. 1 §3.4.1.1's rules (a 16-bit
 * destination keeps bits 63:16, a 32-bit one zero-extends to 64). The device holds 0x85 at +0, 0x7f at +1,
 * 0x9abc at +2, 0x87654321 at +4 and 0x12345678 at +8. Every load starts with 0x1111111111111111 in the
 * destination; slots 0-11 hold it after each load.
 *   0f b6 06        movzbl (%rsi), %eax        66 0f b6 06   movzbw (%rsi), %ax
 *   0f b7 46 02     movzwl 2(%rsi), %eax       48 0f b6 06   movzbq (%rsi), %rax
 *   0f be 06        movsbl (%rsi), %eax        66 0f be 06   movsbw (%rsi), %ax
 *   48 0f be 06     movsbq (%rsi), %rax        0f be 46 01   movsbl 1(%rsi), %eax (positive)
 *   0f bf 46 02     movswl 2(%rsi), %eax       48 0f bf 46 02 movswq 2(%rsi), %rax
 *   48 63 46 04     movslq 4(%rsi), %rax       4c 63 4e 08   movslq 8(%rsi), %r9 (REX.R, positive) */
#include "conf1_layout.h"

    .macro LOAD label, dst, insn:vararg
    movabs $0x1111111111111111, \dst
    \insn
AT(\label)
    RESULT(\dst)
    .endm

    .section .rodata.hvkit_guest_conf_mmio_movzx_movsx, "a"
    .code64
    .globl hvkit_guest_conf_mmio_movzx_movsx_start
    .globl hvkit_guest_conf_mmio_movzx_movsx_end
hvkit_guest_conf_mmio_movzx_movsx_start:
    RESULTS_INIT
    mov $CONF1_MMIO_GPA, %esi
    LOAD conf_mmx_1, %rax, movzbl (%rsi), %eax
    LOAD conf_mmx_2, %rax, movzbw (%rsi), %ax
    LOAD conf_mmx_3, %rax, movzwl 2(%rsi), %eax
    LOAD conf_mmx_4, %rax, movzbq (%rsi), %rax
    LOAD conf_mmx_5, %rax, movsbl (%rsi), %eax
    LOAD conf_mmx_6, %rax, movsbw (%rsi), %ax
    LOAD conf_mmx_7, %rax, movsbq (%rsi), %rax
    LOAD conf_mmx_8, %rax, movsbl 1(%rsi), %eax
    LOAD conf_mmx_9, %rax, movswl 2(%rsi), %eax
    LOAD conf_mmx_10, %rax, movswq 2(%rsi), %rax
    LOAD conf_mmx_11, %rax, movslq 4(%rsi), %rax
    LOAD conf_mmx_12, %r9, movslq 8(%rsi), %r9
    hlt
1:  jmp 1b
hvkit_guest_conf_mmio_movzx_movsx_end:

    .section .note.GNU-stack, "", @progbits
