/* The BSP's way from GRUB to C: GRUB enters _start in 32-bit protected mode, paging off, EAX = the
 * multiboot2 magic, EBX = the physical address of the boot information (Multiboot2 spec §3.3). We build an
 * identity map of the first 4 GiB with 2-MiB pages, enable PAE, EFER.LME and NXE, then paging, which
 * activates IA-32e mode (SDM Vol. 3 §10.8.5 "Initializing IA-32e Mode"), and far-jump into a 64-bit code
 * segment. */
#include "boot_layout.h"

#define CR0_PE (1 << 0)
#define CR0_NE (1 << 5)          /* native FPU errors; VMX requires CR0.NE = 1 (SDM Vol. 3 §24.8) */
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define EFER_MSR 0xC0000080      /* SDM Vol. 3 §2.2.1 */
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define PTE_P_RW 0x3
#define PDE_2M_P_RW 0x83         /* present, writable, PS = 2-MiB page (SDM Vol. 3 §4.5.4) */

    .section .text.boot, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    mov %eax, %ebp              /* magic and info survive the bss clear below in EBP/ESI */
    mov %ebx, %esi

    /* Zero .bss ourselves: the page tables, stacks and every C global start at zero whatever the loader did. */
    mov $_bss_start, %edi
    mov $_bss_end, %ecx
    sub %edi, %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl

    mov $(boot_stacks + BOOT_STACK_SIZE), %esp

    /* Long mode needs CPUID.80000001H:EDX.LM[bit 29] (SDM Vol. 2A, CPUID). Without it: say so and stop. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode

    /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories; each PD entry maps 2 MiB. */
    mov $boot_pdpt, %eax
    or $PTE_P_RW, %eax
    mov %eax, boot_pml4
    mov $boot_pd, %eax
    or $PTE_P_RW, %eax
    xor %ecx, %ecx
1:  mov %eax, boot_pdpt(, %ecx, 8)
    add $0x1000, %eax
    inc %ecx
    cmp $BOOT_IDENTITY_BOOT_GIB, %ecx
    jb 1b
    mov $PDE_2M_P_RW, %eax      /* entry i maps i * 2 MiB; the high dword stays 0 below 4 GiB */
    xor %ecx, %ecx
2:  mov %eax, boot_pd(, %ecx, 8)
    add $0x200000, %eax
    inc %ecx
    cmp $(BOOT_IDENTITY_BOOT_GIB * 512), %ecx
    jb 2b

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $EFER_MSR, %ecx
    rdmsr
    or $(EFER_LME | EFER_NXE), %eax
    wrmsr
    mov %cr0, %eax
    /* Caches on: CD (bit 30) and NW (bit 29) are 1 after reset (SDM Vol. 3 §9.1.1 Table 9-1) and GRUB may
     * leave them so. VM entry does not load CR0.CD/NW from the guest (SDM Vol. 3 §27.3.2.1), so a guest would
     * run uncached too (found by the conformance suite's cr-access case reading CR0). */
    and $~((1 << 30) | (1 << 29)), %eax
    or $(CR0_PE | CR0_NE | CR0_PG), %eax
    mov %eax, %cr0              /* IA-32e mode is active now, in compatibility mode until the far jump */

    lgdt boot_gdt_ptr
    ljmp $BOOT_SEL_CODE64, $long_mode_entry

no_long_mode:
    mov $no_lm_msg, %esi
3:  lodsb
    test %al, %al
    jz 4f
    outb %al, $0xe9
    jmp 3b
4:  hlt
    jmp 4b

    .code64
long_mode_entry:
    mov $BOOT_SEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    mov $(boot_stacks + BOOT_STACK_SIZE), %rsp
    mov %ebp, %edi              /* kmain(magic, info): zero-extended */
    mov %esi, %esi
    call kmain
5:  cli
    hlt
    jmp 5b

    .section .rodata
no_lm_msg:
    .asciz "hvkit: this CPU has no long mode (CPUID.80000001H:EDX.LM = 0)\n"

    /* The boot GDT: only until cpu_tables.c loads the per-CPU one. 64-bit code (L = 1), flat data. */
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF    /* 0x08: code, DPL 0, L = 1 (SDM Vol. 3 §3.4.5) */
    .quad 0x00CF92000000FFFF    /* 0x10: data, writable, 4 GiB */
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .bss
    .balign 4096
    .globl boot_pml4, boot_pdpt
boot_pml4:
    .skip 4096
boot_pdpt:
    .skip 4096
boot_pd:
    .skip 4096 * BOOT_IDENTITY_BOOT_GIB
