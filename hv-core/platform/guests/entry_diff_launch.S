/* The VM-entry differential's launch routine (main/entry_diff.c). Host code, not a guest: it lives next to
 * the differential's guest because the differential owns both. Unlike vmx/vmx_enter.S it must survive a VM
 * exit that loads a *mutated* host state: a case may move host-state fields (CR0, CR4, selectors, GDTR/IDTR/
 * TR/FS/GS bases, SYSENTER, EFER, PAT) to other valid values, and a VM exit loads them (SDM Vol. 3 §28.5).
 * So the landing point puts back everything the kernel relies on from struct ed_host (saved by the C side
 * before the launch) before it touches memory through a segment or runs C code: CR0, CR4, GDTR, IDTR, RSP,
 * DS/ES/SS/FS/GS, CS (far return), TR (busy bit cleared, LTR) and the GS base (the per-CPU pointer). The C side
 * puts back the other MSRs. HOST_CR3 and HOST_RIP cannot be survived (the next fetch would use them): the
 * generator never runs a case that changes them unless the sim predicts a VMfail.
 *
 *   int ed_launch(void)   VMLAUNCH of the current VMCS: 0 a VM exit happened (read the exit reason), 1 VMfailInvalid
 *                         (CF = 1), 2 VMfailValid (ZF = 1), 3 neither (SDM Vol. 3 §31.3 VMLAUNCH, §31.2). */

/* struct ed_host offsets (main/entry_diff.c checks them with _Static_assert). */
#define H_RSP 0
#define H_CR0 8
#define H_CR4 16
#define H_GDTR 32      /* 2-byte limit, 8-byte base (SGDT/LGDT pseudo-descriptor, SDM Vol. 3 §2.4.1) */
#define H_IDTR 48
#define H_GS_BASE 64
#define H_CS 72
#define H_SS 80
#define H_DS 88
#define H_ES 96
#define H_FS 104
#define H_GS 112
#define H_TR 120

#define MSR_IA32_GS_BASE 0xc0000101 /* SDM Vol. 4 Table 2-2 */

    .text
    .globl ed_launch
    .type ed_launch, @function
ed_launch:
    pushfq
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    lea ed_host(%rip), %rax
    mov %rsp, H_RSP(%rax)
    vmlaunch                        /* SDM Vol. 3 §31.3 VMLAUNCH */
    mov $1, %eax                    /* still here: VMfail. CF = 1 VMfailInvalid */
    jc .Lout
    mov $2, %eax                    /* ZF = 1 VMfailValid */
    jz .Lout
    mov $3, %eax
.Lout:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    popfq
    ret
    .size ed_launch, . - ed_launch

    /* HOST_RIP of every case. RSP = HOST_RSP (maybe mutated): nothing is pushed before RSP is put back. */
    .globl ed_exit
    .type ed_exit, @function
ed_exit:
    lea ed_host(%rip), %rbx
    mov H_CR0(%rbx), %rax
    mov %rax, %cr0
    mov H_CR4(%rbx), %rax
    mov %rax, %cr4
    lgdt H_GDTR(%rbx)               /* a VM exit sets both limits to FFFFH (SDM Vol. 3 §28.5.2) */
    lidt H_IDTR(%rbx)
    mov H_RSP(%rbx), %rsp
    mov H_SS(%rbx), %rax
    mov %ax, %ss
    mov H_DS(%rbx), %rax
    mov %ax, %ds
    mov H_ES(%rbx), %rax
    mov %ax, %es
    mov H_FS(%rbx), %rax
    mov %ax, %fs
    mov H_GS(%rbx), %rax
    mov %ax, %gs
    /* CS: a far return to the next instruction with the saved selector. */
    pushq H_CS(%rbx)
    lea 1f(%rip), %rax
    push %rax
    lretq
1:
    /* TR: LTR faults on a busy TSS descriptor (SDM Vol. 2A LTR), and ours is busy since boot: clear the busy
     * bit (type 1011B -> 1001B, byte 5 bit 1) first. */
    mov H_TR(%rbx), %rcx
    and $0xfff8, %ecx
    mov H_GDTR+2(%rbx), %rdx
    andb $0xfd, 5(%rdx,%rcx)
    mov H_TR(%rbx), %rax
    ltr %ax
    /* The GS base last: loading GS above may have changed it; C code finds its CPU through it. */
    mov $MSR_IA32_GS_BASE, %ecx
    mov H_GS_BASE(%rbx), %rax
    mov H_GS_BASE+4(%rbx), %edx
    wrmsr
    xor %eax, %eax
    jmp .Lout
    .size ed_exit, . - ed_exit

    .section .note.GNU-stack, "", @progbits
