/* The guest-physical layout every part-1 conformance guest (guests/conf_*.S) shares with its host side
 * (main/conf_*.c, main/conf1.h). Plain integer literals only (the assembler includes it too).
 *   0x001000  code (copied in by the host, so backed before the first entry)
 *   0x002000  the result page: the guest stores what it observed here, 8 bytes a slot, in order; the host
 *             backs it (zeroes) before the first entry, so a store never exits, and reads it after the run
 *   0x003000  scratch data (buffers) backed by the host the same way
 *   0x004000  the guest's own IDT (IDT_INIT, IDT_GATE, IDT_LOAD below), backed by the host
 *   0x008000  initial RSP (the stack page is backed lazily on the first push)
 *   0x200000  RAM the host never writes: lazily backed on the guest's first touch (exits/ept.c)
 *   0x300000  the MMIO region of the MMIO cases
 *   0x3fb000  the core's five system pages (PML4, PDPT, PD, GDT+IDT, TSS) at the top of 4 MiB */
#ifndef HVKIT_CONF1_LAYOUT_H
#define HVKIT_CONF1_LAYOUT_H

#define CONF1_MEMORY 0x400000
#define CONF1_CODE_GPA 0x1000
#define CONF1_RESULT_GPA 0x2000
#define CONF1_RESULT_SLOTS 64
#define CONF1_SCRATCH_GPA 0x3000
#define CONF1_IDT_GPA 0x4000
#define CONF1_STACK_TOP 0x8000
#define CONF1_LAZY_GPA 0x200000
#define CONF1_MMIO_GPA 0x300000
#define CONF1_MMIO_SIZE 0x1000

#ifdef __ASSEMBLER__
#include "gate64.h"

/* RESULT reg: store a 64-bit register into the next result slot (R15 points at it; set by RESULTS_INIT). */
#define RESULTS_INIT mov $CONF1_RESULT_GPA, %r15d
#define RESULT(reg) mov reg, (%r15); add $8, %r15
/* AT(name): a global label the host side names as "RIP after this exit" (main/conf1.h struct conf1_exit). */
#define AT(name) .globl name; name:

/* A guest exception handler for the cases that take faults: IDT_GATE vec, stub installs a 64-bit interrupt
 * gate (SDM Vol. 3 §6.14.1, Figure 6-8: offset 15:0, selector, IST 0, type 0xE present DPL 0, offset 31:16,
 * offset 63:32) pointing at a stub; the stubs push the vector (and a 0 for vectors without an error code) and
 * join FAULT_COMMON, which stores the vector and the error code as two result slots, then the RIP the
 * exception frame holds as a third, moves that saved RIP on by R14 (the guest sets R14 to the length of an
 * instruction that may fault, 0 to retry it) and returns with IRETQ. The stubs use RAX/RBX/RCX only. */
    .macro IDT_GATE vec, stub
    lea \stub(%rip), %rax
    mov $(CONF1_IDT_GPA + 16 * \vec), %ebx
    mov %cs, %cx
    mov %cx, 2(%rbx)
    GATE64_AT_RBX
    .endm
/* LIDT from a pseudo-descriptor at the end of the IDT page (limit 0xfff: 256 gates, base CONF1_IDT_GPA). */
    .macro IDT_LOAD
    mov $(CONF1_IDT_GPA + 0xff0), %ebx
    movw $0xfff, (%rbx)
    movq $CONF1_IDT_GPA, 2(%rbx)
    lidt (%rbx)
    .endm
    .macro FAULT_STUBS
conf1_stub_ud:
    push $0
    push $6
    jmp conf1_fault_common
conf1_stub_gp:
    push $13
    jmp conf1_fault_common
conf1_stub_pf:
    push $14
    jmp conf1_fault_common
conf1_fault_common:
    pop %rax
    RESULT(%rax)
    pop %rax
    RESULT(%rax)
    mov (%rsp), %rax
    RESULT(%rax)
    add %r14, (%rsp)
    iretq
    .endm
/* #UD, #GP and #PF to the stubs, then LIDT. */
    .macro IDT_INIT
    IDT_GATE 6, conf1_stub_ud
    IDT_GATE 13, conf1_stub_gp
    IDT_GATE 14, conf1_stub_pf
    IDT_LOAD
    .endm
#endif

#endif
