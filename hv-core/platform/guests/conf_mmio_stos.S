/* conf-mmio-stos guest: STOS and REP STOS into the MMIO region (EPT misconfiguration, SDM Vol. 3 §29.3.3.1),
 * emulated by the core (mmio.c, SDM Vol. 2 STOS, REP): each element a write of AL/AX/EAX/RAX at ES:RDI, RDI
 * stepped by the size (down with RFLAGS.DF = 1), RCX counting down to 0 under REP, RIP past the instruction
 * once RCX is 0. RAX = 0x8877665544332211 throughout. Results (slots):
 *   0      stosb at +0x40                          RDI after
 *   1      stosw at +0x48                          RDI after
 *   2      stosl at +0x50                          RDI after
 *   3      stosq at +0x58                          RDI after
 *   4, 5   rep stosl, RCX = 3, at +0x80            RDI, RCX after
 *   6, 7   std; rep stosb, RCX = 2, at +0xa1 (down)   RDI, RCX after
 *   8, 9   rep stosq, RCX = 0: no access at all, no exit   RDI, RCX after
 *   10, 11 rep stosb, RCX = 70 at +0x100: the core does 64 elements per exit (HV_MMIO_REP_MAX), RIP stays
 *          with RCX = 6, the instruction re-executes and exits again for the rest   RDI, RCX after
 *   12, 13 rep stosb, RCX = 4 at +0xffe: two elements into MMIO, two into the RAM page after the region
 *          (the core writes those through the EPT)   RDI, RCX after
 *   14     the 4 bytes of RAM at 0x301000 read back (0x1111 in the low two)
 *   15     RFLAGS.DF after the CLD (0) */
#include "conf1_layout.h"

#define M CONF1_MMIO_GPA

    .section .rodata.hvkit_guest_conf_mmio_stos, "a"
    .code64
    .globl hvkit_guest_conf_mmio_stos_start
    .globl hvkit_guest_conf_mmio_stos_end
hvkit_guest_conf_mmio_stos_start:
    RESULTS_INIT
    cld
    movabs $0x8877665544332211, %rax
    mov $(M + 0x40), %edi
    stosb
AT(conf_mst_1)
    RESULT(%rdi)
    mov $(M + 0x48), %edi
    stosw
AT(conf_mst_2)
    RESULT(%rdi)
    mov $(M + 0x50), %edi
    stosl
AT(conf_mst_3)
    RESULT(%rdi)
    mov $(M + 0x58), %edi
    stosq
AT(conf_mst_4)
    RESULT(%rdi)
    mov $(M + 0x80), %edi
    mov $3, %ecx
    rep stosl
AT(conf_mst_5)
    RESULT(%rdi)
    RESULT(%rcx)
    std
    mov $(M + 0xa1), %edi
    mov $2, %ecx
    rep stosb
AT(conf_mst_6)
    cld
    RESULT(%rdi)
    RESULT(%rcx)
    mov $(M + 0xc0), %edi
    xor %ecx, %ecx
    rep stosq
    RESULT(%rdi)
    RESULT(%rcx)
    mov $(M + 0x100), %edi
    mov $70, %ecx
AT(conf_mst_7)
    rep stosb
AT(conf_mst_8)
    RESULT(%rdi)
    RESULT(%rcx)
    mov $(M + 0xffe), %edi
    mov $4, %ecx
    rep stosb
AT(conf_mst_9)
    RESULT(%rdi)
    RESULT(%rcx)
    mov (M + 0x1000), %edx
    RESULT(%rdx)
    pushfq
    pop %rdx
    and $0x400, %edx
    RESULT(%rdx)
    hlt
1:  jmp 1b
hvkit_guest_conf_mmio_stos_end:

    .section .note.GNU-stack, "", @progbits
