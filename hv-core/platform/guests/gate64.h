/* One assembler macro shared by the conformance guests' IDT helpers (conf1_layout.h IDT_GATE,
 * conf_dev_guest.h SET_GATE): the parts of a 64-bit interrupt gate that do not depend on the layout. */
#ifndef HVKIT_GATE64_H
#define HVKIT_GATE64_H

/* The 16-byte gate at RBX for the handler address in RAX (SDM Vol. 3 §6.14.1, Figure 6-8): offset 15:0,
 * IST 0 and type 0xE (64-bit interrupt gate) with P = 1 and DPL = 0, offset 31:16, offset 63:32, the
 * reserved dword 0. The caller writes the code selector at 2(%rbx). Clobbers RAX. */
.macro GATE64_AT_RBX
    mov %ax, (%rbx)
    movw $0x8e00, 4(%rbx)
    shr $16, %rax
    mov %ax, 6(%rbx)
    shr $16, %rax
    mov %eax, 8(%rbx)
    movl $0, 12(%rbx)
.endm

#endif
