/* conf-mmio-xchg guest: XCHG with an MMIO operand (EPT misconfiguration, SDM Vol. 3 §29.3.3.1; SDM Vol. 2
 * XCHG: memory gets the register, the register the old memory value; a read then a write), and the
 * addressing forms of hv/decode.h the other mmio-* cases do not use, as loads (the core takes the access's
 * GPA from the exit, §28.2.1, and the register and size from the decode). Slots:
 *   0  86 06                xchg %al, (%rsi)          rax 0x11..11 -> 0x11111111111111a5, memory 0x11
 *   1  66 87 46 08          xchg %ax, 8(%rsi)         rax 0x22..22 -> 0x222222222222beef, memory 0x2222
 *   2  87 46 10             xchg %eax, 0x10(%rsi)     rax 0x33..33 -> 0xdeadbeef (zero-extended)
 *   3  4c 87 4e 18          xchg %r9, 0x18(%rsi)      r9 0x44..44 -> 0x0123456789abcdef
 *   4  86 7e 20             xchg %bh, 0x20(%rsi)      rbx 0x55..55 -> 0x5555555555557755, memory 0x55
 *   5  8b 04 8e             mov (%rsi,%rcx,4), %eax   SIB, rcx 0x10: +0x40
 *   6  8b 05 disp32         mov disp(%rip), %eax      RIP-relative: +0x48
 *   7  67 8b 46 50          mov 0x50(%esi), %eax      32-bit address size
 *   8  64 8b 04 25 58 00 00 00  mov %fs:0x58, %eax    FS override, FS base = the region (WRMSR C0000100H,
 *                                                     passed through: no exit)
 *   9  48 8b 44 fe f8       mov -8(%rsi,%rdi,8), %rax SIB with scale 8 and a negative disp8, rdi 0xd: +0x60
 *   10 8b 04 25 disp32      mov 0x300068, %eax        [disp32], no base, no index: +0x68 */
#include "conf1_layout.h"

#define M CONF1_MMIO_GPA

    .section .rodata.hvkit_guest_conf_mmio_xchg, "a"
    .code64
    .globl hvkit_guest_conf_mmio_xchg_start
    .globl hvkit_guest_conf_mmio_xchg_end
hvkit_guest_conf_mmio_xchg_start:
    RESULTS_INIT
    mov $M, %esi
    movabs $0x1111111111111111, %rax
    xchg %al, (%rsi)
AT(conf_mxc_1)
    RESULT(%rax)
    movabs $0x2222222222222222, %rax
    xchg %ax, 8(%rsi)
AT(conf_mxc_2)
    RESULT(%rax)
    movabs $0x3333333333333333, %rax
    xchg %eax, 0x10(%rsi)
AT(conf_mxc_3)
    RESULT(%rax)
    movabs $0x4444444444444444, %r9
    xchg %r9, 0x18(%rsi)
AT(conf_mxc_4)
    RESULT(%r9)
    movabs $0x5555555555555555, %rbx
    xchg %bh, 0x20(%rsi)
AT(conf_mxc_5)
    RESULT(%rbx)
    mov $0x10, %ecx
    mov (%rsi,%rcx,4), %eax
AT(conf_mxc_6)
    RESULT(%rax)
    .byte 0x8b, 0x05                       /* mov disp32(%rip), %eax: disp from the guest RIP after it */
    .long (M + 0x48) - (CONF1_CODE_GPA + (1f - hvkit_guest_conf_mmio_xchg_start))
1:
AT(conf_mxc_7)
    RESULT(%rax)
    mov 0x50(%esi), %eax
AT(conf_mxc_8)
    RESULT(%rax)
    mov $0xc0000100, %ecx                  /* IA32_FS_BASE (SDM Vol. 4 Table 2-2) */
    mov $M, %eax
    xor %edx, %edx
    wrmsr
    mov %fs:0x58, %eax
AT(conf_mxc_9)
    RESULT(%rax)
    mov $0xd, %edi
    mov -8(%rsi,%rdi,8), %rax
AT(conf_mxc_10)
    RESULT(%rax)
    mov (M + 0x68), %eax
AT(conf_mxc_11)
    RESULT(%rax)
    hlt
1:  jmp 1b
hvkit_guest_conf_mmio_xchg_end:

    .section .note.GNU-stack, "", @progbits
