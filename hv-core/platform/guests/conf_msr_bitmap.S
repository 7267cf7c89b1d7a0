/* conf-msr-bitmap guest: the MSR policy of hv-core/src/msr_virt.c, seen from the guest.
 *   pass-through (no exit; VM entry/exit switch them, SDM Vol. 3 §27.3.2.1, §28.3, or the MSR areas §25.7.2):
 *     WRMSR then RDMSR of SYSENTER_CS/ESP/EIP (174H-176H), FS_BASE/GS_BASE (C0000100H/1H), LSTAR (C0000082H),
 *     KERNEL_GS_BASE (C0000102H): each read gives the value written (slots 0-6)
 *   virtualized (exit 32 WRMSR / 31 RDMSR, RIP + 2):
 *     IA32_APIC_BASE (1BH) write FEE00900H then read: FEE00900H (slot 7); a write with reserved bit 9 -> #GP(0)
 *     (slots 8-10: vector 13, error 0, RIP of the WRMSR) and the value stays (slot 11)
 *     IA32_MISC_ENABLE (1A0H) read (slot 12), written back unchanged (no fault)
 *     IA32_TIME_STAMP_COUNTER (10H) write 1 << 40 (exit: the TSC offset, never the host TSC), then RDMSR 10H
 *     without an exit (slot 13: the host checks it is >= 1 << 40 and < (1 << 40) + 2^36)
 *   unknown/host MSRs: IA32_MTRR_DEF_TYPE (2FFH) RDMSR and WRMSR -> #GP(0) each (slots 14-16, 17-19) */
#include "conf1_layout.h"

    .macro WRSET msr, value
    mov $\msr, %ecx
    mov $\value, %rax
    mov %rax, %rdx
    shr $32, %rdx
    .endm
    .macro WR msr, value
    WRSET \msr, \value
    wrmsr
    .endm
    .macro RD msr
    mov $\msr, %ecx
    rdmsr
    .endm
    .macro COMBINE
    shl $32, %rdx
    mov %eax, %eax
    or %rdx, %rax
    .endm
    .macro PASS msr, value
    WR \msr, \value
    RD \msr
    COMBINE
    RESULT(%rax)
    .endm

    .section .rodata.hvkit_guest_conf_msr_bitmap, "a"
    .code64
    .globl hvkit_guest_conf_msr_bitmap_start
    .globl hvkit_guest_conf_msr_bitmap_end
hvkit_guest_conf_msr_bitmap_start:
    RESULTS_INIT
    IDT_INIT
    mov $2, %r14                        /* WRMSR/RDMSR are 2 bytes: a #GP handler skips them */
    PASS 0x174, 0x10
    PASS 0x175, 0x7000
    PASS 0x176, 0x1234
    PASS 0xc0000100, 0x5000
    PASS 0xc0000101, 0x6000
    PASS 0xc0000082, 0x1800
    PASS 0xc0000102, 0x7ff0
    WR 0x1b, 0xfee00900
AT(conf_msr_after_apic_wr)
    RD 0x1b
AT(conf_msr_after_apic_rd)
    COMBINE
    RESULT(%rax)
    WRSET 0x1b, 0xfee00b00              /* bit 9 reserved (SDM Vol. 3 §11.4.4) */
AT(conf_msr_at_apic_bad)
    wrmsr
    RD 0x1b
AT(conf_msr_after_apic_rd2)
    COMBINE
    RESULT(%rax)
    RD 0x1a0
AT(conf_msr_after_misc_rd)
    mov %rax, %rbx                      /* EDX:EAX kept for the write-back */
    mov %rdx, %rsi
    COMBINE
    RESULT(%rax)
    mov %rbx, %rax
    mov %rsi, %rdx
    wrmsr                               /* ECX still 1A0H: the same value back */
AT(conf_msr_after_misc_wr)
    WR 0x10, 0x10000000000
AT(conf_msr_after_tsc_wr)
    RD 0x10
    COMBINE
    RESULT(%rax)
    mov $0x2ff, %ecx
AT(conf_msr_at_mtrr_rd)
    rdmsr
    WRSET 0x2ff, 0
AT(conf_msr_at_mtrr_wr)
    wrmsr
    hlt
1:  jmp 1b
    FAULT_STUBS
hvkit_guest_conf_msr_bitmap_end:

    .section .note.GNU-stack, "", @progbits
