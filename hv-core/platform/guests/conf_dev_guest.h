/* Assembler helpers of the device/interrupt conformance guests (guests/conf_<name>.S): reporting a value,
 * installing an IDT gate, initializing the 8259A pair. Include after conf_dev_layout.h. */
#ifndef HVKIT_CONF_DEV_GUEST_H
#define HVKIT_CONF_DEV_GUEST_H

/* Report the low byte / dword / qword of RAX: one store into the report region (RDI = CONF_REPORT_GPA). */
#define REPORT_AL movb %al, (%rdi)
#define REPORT_EAX movl %eax, (%rdi)
#define REPORT_RAX movq %rax, (%rdi)

/* A 64-bit interrupt gate (SDM Vol. 3 §6.14.1, Figure 6-8: offset 15:0, selector, IST 0, type 0xE with
 * P = 1 and DPL = 0, offset 31:16, offset 63:32) for vector vec, pointing at handler. Clobbers RAX, RBX. */
.macro SET_GATE vec, handler
    lea \handler(%rip), %rax
    mov $(CONF_IDT_GPA + \vec * 16), %ebx
    mov %ax, (%rbx)
    movw $CONF_SEL_CODE, 2(%rbx)
    movw $0x8e00, 4(%rbx)
    shr $16, %rax
    mov %ax, 6(%rbx)
    shr $16, %rax
    mov %eax, 8(%rbx)
    movl $0, 12(%rbx)
.endm

/* The PC's 8259A initialization (8259A datasheet, "Initialization Command Words"): ICW1 0x11 (edge,
 * cascade, ICW4 follows), ICW2 vector base 0x20 (master) / 0x28 (slave), ICW3 slave on IR2 / cascade
 * identity 2, ICW4 0x01 (8086 mode); then OCW1, the masks. Clobbers AL. */
.macro PIC_INIT master_mask, slave_mask
    mov $0x11, %al
    out %al, $0x20
    mov $0x20, %al
    out %al, $0x21
    mov $0x04, %al
    out %al, $0x21
    mov $0x01, %al
    out %al, $0x21
    mov $0x11, %al
    out %al, $0xa0
    mov $0x28, %al
    out %al, $0xa1
    mov $0x02, %al
    out %al, $0xa1
    mov $0x01, %al
    out %al, $0xa1
    mov $\master_mask, %al
    out %al, $0x21
    mov $\slave_mask, %al
    out %al, $0xa1
.endm

/* OUT of a byte / IN of a byte then its report. Ports below 0x100 use the immediate forms (E6 / E4), the
 * others DX (EE / EC), as the sim encodes its port records, so the I/O exit qualifications agree (operand
 * encoding bit 6, SDM Vol. 3 §28.2.1 Table 28-5). Clobber AL (and DX). */
.macro OUTB port, value
    mov $\value, %al
.if \port < 0x100
    out %al, $\port
.else
    mov $\port, %dx
    out %al, %dx
.endif
.endm
.macro INB port
.if \port < 0x100
    in $\port, %al
.else
    mov $\port, %dx
    in %dx, %al
.endif
.endm
.macro INB_REPORT port
    INB \port
    REPORT_AL
.endm

/* Non-specific EOI to the master (OCW2 0x20). Clobbers AL. */
.macro PIC_EOI
    mov $0x20, %al
    out %al, $0x20
.endm

#endif
