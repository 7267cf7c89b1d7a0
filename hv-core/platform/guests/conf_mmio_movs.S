/* conf-mmio-movs guest: MOVS and REP MOVS between RAM and the MMIO region and within it (EPT
 * misconfiguration, SDM Vol. 3 §29.3.3.1), emulated by the core (mmio.c, SDM Vol. 2 MOVS, REP): each element
 * read at DS:RSI, written at ES:RDI, both stepped by the size (down with DF = 1), RCX counted down under REP.
 * The host puts 01 02 .. 08 at scratch +0 and the dwords 0x11111111 .. 0x44444444 at scratch +0x10; the
 * device holds 0xa1a2a3a4a5a6a7a8 at +0x20 and the words 0x1234 0x5678 0x9abc at +0x40. Results (slots):
 *   0, 1    movsb  RAM -> MMIO (+0x10)                       RSI, RDI after
 *   2, 3, 4 movsq  MMIO (+0x20) -> RAM (scratch +0x100)      RSI, RDI after, the qword in RAM
 *   5, 6, 7 rep movsl, RCX = 4, RAM -> MMIO (+0x80)          RSI, RDI, RCX after
 *   8, 9, 10, 11  rep movsw, RCX = 3, MMIO (+0x40) -> RAM (scratch +0x200)   RSI, RDI, RCX, the qword in RAM
 *   12, 13  movsl  MMIO (+0x80) -> MMIO (+0xc0)              RSI, RDI after
 *   14, 15, 16, 17  std; rep movsb, RCX = 2, MMIO (+0x41 down) -> RAM (scratch +0x301 down)   RSI, RDI, RCX,
 *           the word in RAM at scratch +0x300 */
#include "conf1_layout.h"

#define M CONF1_MMIO_GPA
#define S CONF1_SCRATCH_GPA

    .section .rodata.hvkit_guest_conf_mmio_movs, "a"
    .code64
    .globl hvkit_guest_conf_mmio_movs_start
    .globl hvkit_guest_conf_mmio_movs_end
hvkit_guest_conf_mmio_movs_start:
    RESULTS_INIT
    cld
    mov $S, %esi
    mov $(M + 0x10), %edi
    movsb
AT(conf_mmv_1)
    RESULT(%rsi)
    RESULT(%rdi)
    mov $(M + 0x20), %esi
    mov $(S + 0x100), %edi
    movsq
AT(conf_mmv_2)
    RESULT(%rsi)
    RESULT(%rdi)
    mov (S + 0x100), %rax
    RESULT(%rax)
    mov $(S + 0x10), %esi
    mov $(M + 0x80), %edi
    mov $4, %ecx
    rep movsl
AT(conf_mmv_3)
    RESULT(%rsi)
    RESULT(%rdi)
    RESULT(%rcx)
    mov $(M + 0x40), %esi
    mov $(S + 0x200), %edi
    mov $3, %ecx
    rep movsw
AT(conf_mmv_4)
    RESULT(%rsi)
    RESULT(%rdi)
    RESULT(%rcx)
    mov (S + 0x200), %rax
    RESULT(%rax)
    mov $(M + 0x80), %esi
    mov $(M + 0xc0), %edi
    movsl
AT(conf_mmv_5)
    RESULT(%rsi)
    RESULT(%rdi)
    std
    mov $(M + 0x41), %esi
    mov $(S + 0x301), %edi
    mov $2, %ecx
    rep movsb
AT(conf_mmv_6)
    cld
    RESULT(%rsi)
    RESULT(%rdi)
    RESULT(%rcx)
    movzwl (S + 0x300), %eax
    RESULT(%rax)
    hlt
1:  jmp 1b
hvkit_guest_conf_mmio_movs_end:

    .section .note.GNU-stack, "", @progbits
