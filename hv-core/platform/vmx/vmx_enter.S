/* The enter-guest routine: VMLAUNCH/VMRESUME with the guest's GPRs, and the VM-exit landing point.
 *
 *   int hvkit_vmx_enter(struct hv_guest_gprs *gprs, int launch)    (System V: %rdi, %esi; result in %eax)
 *
 * VMX switches RIP, RSP, RFLAGS, control and segment registers but not the general-purpose registers or CR2
 * (SDM Vol. 3 §28.3, §28.5), so this routine does: save what the C caller expects kept (RFLAGS and the
 * callee-saved RBX, RBP, R12-R15), keep the gprs pointer on the stack, VMWRITE HOST_RSP = that stack pointer
 * and HOST_RIP = hvkit_vmx_exit, load the guest GPRs and CR2, VMLAUNCH or VMRESUME.
 *   - VMfail (the instruction falls through, SDM Vol. 3 §31.3 VMLAUNCH/VMRESUME): return 1 for CF = 1
 *     (VMfailInvalid) or 2 for ZF = 1 (VMfailValid); the C side reads the error number.
 *   - VM exit: the processor loads RSP = HOST_RSP and RIP = HOST_RIP (SDM Vol. 3 §28.5.3) and clears RFLAGS
 *     except bit 1, so hvkit_vmx_exit finds the gprs pointer at (%rsp), stores the guest GPRs and CR2, pops
 *     the host's registers and RFLAGS (IF as the caller had it) and returns 0.
 * struct hv_guest_gprs offsets (hv/arch.h; checked by _Static_assert in vmx_enter.c). */
#define G_RAX 0
#define G_RCX 8
#define G_RDX 16
#define G_RBX 24
#define G_RBP 32
#define G_RSI 40
#define G_RDI 48
#define G_R8 56
#define G_R9 64
#define G_R10 72
#define G_R11 80
#define G_R12 88
#define G_R13 96
#define G_R14 104
#define G_R15 112
#define G_CR2 120

/* Host-state field encodings (SDM Vol. 3 Appendix B.4.4: natural-width host-state fields). */
#define VMCS_HOST_RSP 0x6c14
#define VMCS_HOST_RIP 0x6c16

/* The host state hvkit_vmx_enter keeps on its stack while the guest runs: RFLAGS and the System V
 * callee-saved registers, then the gprs pointer at 0(%rsp). HOST_RESTORE drops the pointer and pops the rest;
 * both ways out (VMfail, VM exit) end with it. */
.macro HOST_SAVE
    pushfq
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi
.endm
.macro HOST_RESTORE
    add $8, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    popfq
.endm

    .text
    .globl hvkit_vmx_enter
    .type hvkit_vmx_enter, @function
hvkit_vmx_enter:
    HOST_SAVE                       /* the gprs pointer last: 0(%rsp) is where the exit path finds it */

    /* VMWRITE (AT&T: value, encoding). It fails only without a current VMCS, and then VMLAUNCH/VMRESUME
     * would fail the same way: report that failure (CF/ZF as set by VMWRITE, SDM Vol. 3 §31.3). */
    mov $VMCS_HOST_RSP, %eax
    vmwrite %rsp, %rax
    jbe .Lvmfail
    lea hvkit_vmx_exit(%rip), %rdx
    mov $VMCS_HOST_RIP, %eax
    vmwrite %rdx, %rax
    jbe .Lvmfail

    /* CR2 first: MOV to CR leaves the arithmetic flags undefined (SDM Vol. 2B MOV to/from control
     * registers), so the launch test comes after it, and the MOVs below keep its flags. */
    mov G_CR2(%rdi), %rax
    mov %rax, %cr2
    test %esi, %esi
    mov G_RAX(%rdi), %rax
    mov G_RCX(%rdi), %rcx
    mov G_RDX(%rdi), %rdx
    mov G_RBX(%rdi), %rbx
    mov G_RBP(%rdi), %rbp
    mov G_RSI(%rdi), %rsi
    mov G_R8(%rdi), %r8
    mov G_R9(%rdi), %r9
    mov G_R10(%rdi), %r10
    mov G_R11(%rdi), %r11
    mov G_R12(%rdi), %r12
    mov G_R13(%rdi), %r13
    mov G_R14(%rdi), %r14
    mov G_R15(%rdi), %r15
    mov G_RDI(%rdi), %rdi           /* last: it held the pointer */
    jnz .Llaunch
    vmresume                        /* SDM Vol. 3 §31.3 VMRESUME */
    jmp .Lvmfail
.Llaunch:
    vmlaunch                        /* SDM Vol. 3 §31.3 VMLAUNCH */

.Lvmfail:
    /* Still in the host, on the same stack. MOV does not touch the flags, so test them in turn. */
    mov $1, %eax                    /* CF = 1: VMfailInvalid */
    jc 1f
    mov $2, %eax                    /* ZF = 1: VMfailValid */
    jz 1f
    mov $3, %eax                    /* neither: not an SDM outcome */
1:
    HOST_RESTORE
    ret
    .size hvkit_vmx_enter, . - hvkit_vmx_enter

    .globl hvkit_vmx_exit
    .type hvkit_vmx_exit, @function
hvkit_vmx_exit:
    /* RSP = HOST_RSP: 0(%rsp) is the gprs pointer. Every register but RSP/RIP/RFLAGS is the guest's. */
    push %rdi
    mov 8(%rsp), %rdi
    mov %rax, G_RAX(%rdi)
    mov %rcx, G_RCX(%rdi)
    mov %rdx, G_RDX(%rdi)
    mov %rbx, G_RBX(%rdi)
    mov %rbp, G_RBP(%rdi)
    mov %rsi, G_RSI(%rdi)
    mov %r8, G_R8(%rdi)
    mov %r9, G_R9(%rdi)
    mov %r10, G_R10(%rdi)
    mov %r11, G_R11(%rdi)
    mov %r12, G_R12(%rdi)
    mov %r13, G_R13(%rdi)
    mov %r14, G_R14(%rdi)
    mov %r15, G_R15(%rdi)
    pop %rax
    mov %rax, G_RDI(%rdi)
    mov %cr2, %rax                  /* a guest #PF may have changed it; VM exit does not save it (§28.3) */
    mov %rax, G_CR2(%rdi)
    HOST_RESTORE                    /* the caller's RFLAGS last (VM exit cleared IF, §28.5.3) */
    xor %eax, %eax
    ret
    .size hvkit_vmx_exit, . - hvkit_vmx_exit

    .section .note.GNU-stack, "", @progbits
