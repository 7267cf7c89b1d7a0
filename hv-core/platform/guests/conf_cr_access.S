/* conf-cr-access guest: CR0/CR4 through the core's guest/host masks and read shadows (SDM Vol. 3 §25.6.6),
 * CR8 with CR8-load/store exiting (§25.6.2), CLTS and LMSW on guest-owned bits (§26.1.3). Slots:
 *   0  MOV from CR0 (no exit): the shadow for owned bits: PE ET NE WP PG = 0x80010031
 *   1  MOV from CR4 (no exit): VMXE (bit 13, owned, shadow 0) reads 0: PAE only = 0x20
 *   2-4 MOV to CR4 with VMXE set: exit 28 (qualification CR4, MOV to, RAX), #GP(0) (VMX is hidden), RIP on it
 *   5  CR4 read again: unchanged, 0x20
 *   6  MOV to CR0 clearing NE (owned, differs from the shadow): exit 28, qualification 0; CR0 then reads
 *      0x80010011 (the shadow holds the guest's value; the real CR0 keeps NE, FIXED0)
 *   7  NE set again (exit), LMSW with TS (bit 3, guest-owned: no exit): CR0 reads 0x80010039
 *   8  CLTS (TS guest-owned: no exit): 0x80010031
 *   9  MOV to CR8 of 5 (exit, qualification 8), MOV from CR8 into RBX (exit, qualification 0x318): 5 */
#include "conf1_layout.h"

/* VM entry does not load CR0.CD and CR0.NW from the guest field (SDM Vol. 3 §27.3.2.1): they are whatever
 * the host runs with, so every CR0 read is stored with them cleared. */
#define CR0_KEEP 0xffffffff9fffffff

    .section .rodata.hvkit_guest_conf_cr_access, "a"
    .code64
    .globl hvkit_guest_conf_cr_access_start
    .globl hvkit_guest_conf_cr_access_end
hvkit_guest_conf_cr_access_start:
    RESULTS_INIT
    IDT_INIT
    mov $CR0_KEEP, %rdx
    mov %cr0, %rax
    and %rdx, %rax
    RESULT(%rax)
    mov %cr4, %rax
    RESULT(%rax)
    or $0x2000, %rax
    mov $3, %r14                        /* MOV to CR4 is 3 bytes (0F 22 E0) */
AT(conf_cr_at_cr4)
    mov %rax, %cr4
    mov %cr4, %rax
    RESULT(%rax)
    mov %cr0, %rax
    and $~0x20, %rax
    mov %rax, %cr0
AT(conf_cr_after_ne_clear)
    mov %cr0, %rbx
    and %rdx, %rbx
    RESULT(%rbx)
    or $0x20, %rax
    mov %rax, %cr0
AT(conf_cr_after_ne_set)
    mov $9, %eax
    lmsw %ax
    mov %cr0, %rax
    and %rdx, %rax
    RESULT(%rax)
    clts
    mov %cr0, %rax
    and %rdx, %rax
    RESULT(%rax)
    mov $5, %eax
    mov %rax, %cr8
AT(conf_cr_after_cr8_wr)
    mov %cr8, %rbx
AT(conf_cr_after_cr8_rd)
    RESULT(%rbx)
    hlt
1:  jmp 1b
    FAULT_STUBS
hvkit_guest_conf_cr_access_end:

    .section .note.GNU-stack, "", @progbits
