/* Where an AP starts: a STARTUP IPI with vector V begins execution in real mode at CS = V << 8, IP = 0, that
 * is physical V * 4096 (SDM Vol. 3 §9.4.4). smp.c copies this code to a free page below 1 MiB and fills the
 * data block at its end. The code runs wherever it was copied: it finds its own base from CS, goes to
 * 32-bit protected mode with a small GDT of its own, enables PAE, loads the BSP's CR3, sets EFER.LME/NXE,
 * turns on paging (IA-32e mode, SDM Vol. 3 §10.8.5), far-jumps to 64-bit code and calls the C entry on the
 * stack the BSP chose. */
#include "boot_layout.h"

#define T(sym) ((sym) - ap_trampoline_start)

    .section .rodata.ap_trampoline, "a"
    .code16
    .globl ap_trampoline_start, ap_trampoline_end, ap_trampoline_data
ap_trampoline_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    movzwl %ax, %ebx
    shl $4, %ebx                        /* EBX = linear base of this copy, kept through every mode */
    leal T(tr_gdt)(%ebx), %eax
    movl %eax, T(tr_gdtr) + 2           /* the GDTR needs a linear address */
    leal T(tr_pm32)(%ebx), %eax
    movl %eax, T(tr_far32)
    leal T(tr_lm64)(%ebx), %eax
    movl %eax, T(tr_far64)
    lgdtl T(tr_gdtr)
    movl %cr0, %eax
    orl $1, %eax                        /* CR0.PE */
    movl %eax, %cr0
    ljmpl *T(tr_far32)

    .code32
tr_pm32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %cr4, %eax
    or $(1 << 5), %eax                  /* CR4.PAE */
    mov %eax, %cr4
    mov T(ap_trampoline_data)(%ebx), %eax /* data.cr3 (below 4 GiB: the kernel's boot_pml4) */
    mov %eax, %cr3
    mov $0xC0000080, %ecx               /* IA32_EFER: LME (bit 8), NXE (bit 11), SDM Vol. 3 §2.2.1 */
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    and $~((1 << 30) | (1 << 29)), %eax   /* caches on: CD and NW are 1 after INIT (SDM Vol. 3 §9.1.1) */
    or $((1 << 31) | (1 << 5) | 1), %eax  /* PG, NE, PE */
    mov %eax, %cr0
    ljmp *T(tr_far64)(%ebx)

    .code64
tr_lm64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ebx, %ebx                      /* zero-extend the base */
    mov T(ap_trampoline_data) + 8(%rbx), %rsp   /* data.stack */
    mov T(ap_trampoline_data) + 16(%rbx), %rdi  /* data.cpu */
    mov T(ap_trampoline_data) + 24(%rbx), %rax  /* data.entry */
    call *%rax
1:  cli
    hlt
    jmp 1b

    .balign 8
tr_gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF            /* 0x08: 32-bit code, 4 GiB */
    .quad 0x00CF92000000FFFF            /* 0x10: data, 4 GiB */
    .quad 0x00AF9A000000FFFF            /* 0x18: 64-bit code (L = 1) */
tr_gdt_end:
tr_gdtr:
    .short tr_gdt_end - tr_gdt - 1
    .long 0
tr_far32:
    .long 0
    .short 0x08
tr_far64:
    .long 0
    .short 0x18

    .balign 8
ap_trampoline_data:                     /* struct ap_trampoline_data in smp.c */
    .quad 0                             /* cr3 */
    .quad 0                             /* stack */
    .quad 0                             /* cpu */
    .quad 0                             /* entry */
ap_trampoline_end:
