/* conf-lazy-ept guest: RAM the host never wrote is backed on the guest's first touch (exits/ept.c).
 * 8 pages from CONF1_LAZY_GPA are written (one EPT violation each, qualification "data write", RIP stays on
 * the store, which then re-executes), 1 more page is read (one EPT violation, "data read"). Then all 9 are
 * touched again, read and written: no exit. Slots 0-7: what each written page reads back (its index
 * + 0x1000), slot 8: the read page (0: fresh RAM is zeroed, never another VM's or the host's data). */
#include "conf1_layout.h"

    .section .rodata.hvkit_guest_conf_lazy_ept, "a"
    .code64
    .globl hvkit_guest_conf_lazy_ept_start
    .globl hvkit_guest_conf_lazy_ept_end
hvkit_guest_conf_lazy_ept_start:
    RESULTS_INIT
    mov $CONF1_LAZY_GPA, %esi
    xor %ecx, %ecx
1:  lea 0x1000(%rcx), %rax
AT(conf_lazy_at_store)
    mov %rax, (%rsi)
    add $0x1000, %rsi
    inc %ecx
    cmp $8, %ecx
    jb 1b
AT(conf_lazy_at_load)
    mov (%rsi), %rbx                    /* page 8: read first */
    mov $CONF1_LAZY_GPA, %esi           /* second pass: no exits */
    xor %ecx, %ecx
2:  mov (%rsi), %rax
    RESULT(%rax)
    mov %rax, (%rsi)
    add $0x1000, %rsi
    inc %ecx
    cmp $9, %ecx
    jb 2b
    hlt
3:  jmp 3b
hvkit_guest_conf_lazy_ept_end:

    .section .note.GNU-stack, "", @progbits
