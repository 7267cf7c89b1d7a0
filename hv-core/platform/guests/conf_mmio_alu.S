/* conf-mmio-alu guest: the ALU forms with an MMIO operand (EPT misconfiguration, SDM Vol. 3 §29.3.3.1),
 * emulated by the core (mmio.c): memory destination = a read, then a write of the result (ADD OR AND XOR
 * SUB); register destination or no destination = one read (ADD r,m; CMP; TEST; BT). Before each the guest
 * sets RFLAGS to the complement of the expected status flags (POPFQ), after it stores RFLAGS & mask: 0x8d5
 * (OF SF ZF AF PF CF) for the arithmetic forms, 0x8c5 for the logic ones (AF undefined, SDM Vol. 2 AND/OR/
 * XOR/TEST), 0x41 (ZF CF) for BT (only CF defined, ZF unaffected). Each form has its own 8 device bytes.
 *  slot  instruction                              memory before -> after   flags
 *  0     01 06           add %eax,(%rsi)  eax=1   0x7fffffff -> 0x80000000 OF SF AF PF
 *  1     48 83 46 08 01  addq $1,8(%rsi)          ~0 -> 0                  CF ZF AF PF
 *  2     80 4e 10 80     orb $0x80,0x10(%rsi)     0x01 -> 0x81             SF PF
 *  3     21 46 18        and %eax,0x18(%rsi)      0xf0f0f0f0 -> 0 (eax 0x0f0f0f0f)    ZF PF
 *  4     31 46 20        xor %eax,0x20(%rsi)      0xff00ff00 -> 0xf0f0f0f0 (eax 0x0ff00ff0)  SF PF
 *  5     29 46 28        sub %eax,0x28(%rsi)      0 -> 0xffffffff (eax 1)  CF SF AF PF
 *  6, 7  03 46 30        add 0x30(%rsi),%eax      0x10 (eax 0x20 -> 0x30)  PF;  slot 7 RAX
 *  8     39 46 38        cmp %eax,0x38(%rsi)      5 (eax 5)                ZF PF
 *  9     f7 46 40 imm32  testl $0x80000000,0x40(%rsi)  0x80000001          SF PF
 *  10    84 46 48        test %al,0x48(%rsi)      0x0f (al 0xf0)           ZF PF
 *  11    66 83 6e 50 01  subw $1,0x50(%rsi)       0x8000 -> 0x7fff         OF AF PF
 *  12    f0 01 4e 58     lock add %ecx,0x58(%rsi) 1 -> 3 (ecx 2)           PF
 *  13    0f a3 46 60     bt %eax,0x60(%rsi)       4 (eax 2: bit 2 set)     CF (ZF preset 1 stays)
 *  14    83 66 68 f0     andl $-16,0x68(%rsi)     0x12345678 -> 0x12345670 (imm8 sign-extended)  none
 *  15    RAX after all (0x2: the BT offset), 16 RCX (2) */
#include "conf1_layout.h"

    .macro ALU label, flags_in, mask, insn:vararg
    push $\flags_in
    popfq
    \insn
AT(\label)
    pushfq
    pop %rdx
    and $\mask, %edx
    RESULT(%rdx)
    .endm

#define ARITH 0x8d5
#define LOGIC 0x8c5

    .section .rodata.hvkit_guest_conf_mmio_alu, "a"
    .code64
    .globl hvkit_guest_conf_mmio_alu_start
    .globl hvkit_guest_conf_mmio_alu_end
hvkit_guest_conf_mmio_alu_start:
    RESULTS_INIT
    mov $CONF1_MMIO_GPA, %esi
    mov $1, %eax
    ALU conf_mal_1, 0x43, ARITH, add %eax, (%rsi)
    ALU conf_mal_2, 0x882, ARITH, addq $1, 8(%rsi)
    ALU conf_mal_3, 0x843, LOGIC, orb $0x80, 0x10(%rsi)
    mov $0x0f0f0f0f, %eax
    ALU conf_mal_4, 0x883, LOGIC, and %eax, 0x18(%rsi)
    mov $0x0ff00ff0, %eax
    ALU conf_mal_5, 0x843, LOGIC, xor %eax, 0x20(%rsi)
    mov $1, %eax
    ALU conf_mal_6, 0x842, ARITH, sub %eax, 0x28(%rsi)
    mov $0x20, %eax
    ALU conf_mal_7, 0x8d3, ARITH, add 0x30(%rsi), %eax
    RESULT(%rax)
    mov $5, %eax
    ALU conf_mal_8, 0x893, ARITH, cmp %eax, 0x38(%rsi)
    ALU conf_mal_9, 0x843, LOGIC, testl $0x80000000, 0x40(%rsi)
    mov $0xf0, %eax
    ALU conf_mal_10, 0x883, LOGIC, test %al, 0x48(%rsi)
    ALU conf_mal_11, 0xc3, ARITH, subw $1, 0x50(%rsi)
    mov $2, %ecx
    ALU conf_mal_12, 0x8d3, ARITH, lock add %ecx, 0x58(%rsi)
    mov $2, %eax
    ALU conf_mal_13, 0x42, 0x41, bt %eax, 0x60(%rsi)
    ALU conf_mal_14, 0x8c7, LOGIC, andl $-16, 0x68(%rsi)
    RESULT(%rax)
    RESULT(%rcx)
    hlt
1:  jmp 1b
hvkit_guest_conf_mmio_alu_end:

    .section .note.GNU-stack, "", @progbits
