/* Assembler helpers of the device/interrupt conformance guests (guests/conf_<name>.S): reporting a value,
 * installing an IDT gate, initializing the 8259A pair. Include after conf_dev_layout.h. */
#ifndef HVKIT_CONF_DEV_GUEST_H
#define HVKIT_CONF_DEV_GUEST_H

#include "gate64.h"

/* Report the low byte / dword / qword of RAX: one store into the report region (RDI = CONF_REPORT_GPA). */
#define REPORT_AL movb %al, (%rdi)
#define REPORT_EAX movl %eax, (%rdi)
#define REPORT_RAX movq %rax, (%rdi)

/* A 64-bit interrupt gate (SDM Vol. 3 §6.14.1, Figure 6-8; gate64.h) for vector vec in the core's IDT,
 * selector CONF_SEL_CODE, pointing at handler. Clobbers RAX, RBX. */
.macro SET_GATE vec, handler
    lea \handler(%rip), %rax
    mov $(CONF_IDT_GPA + \vec * 16), %ebx
    movw $CONF_SEL_CODE, 2(%rbx)
    GATE64_AT_RBX
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

/* Report a marker byte (CONF_MARK_READY, CONF_MARK_RESUMED, ...). Clobbers EAX. */
.macro REPORT_MARK mark
    mov $\mark, %eax
    REPORT_AL
.endm

/* The last steps of most guests: IF = 0, report CONF_MARK_RESUMED, HLT (nothing can wake it: the run ends). */
.macro END_RESUMED
    cli
    REPORT_MARK CONF_MARK_RESUMED
    hlt
.endm

/* Report CONF_MARK_READY (the host raises its event at that exit), then wait for the handler to count R9D
 * up from 0. The loop exits on every pass (OUT to port 0x80), so the host gets a step each time and the run
 * loop can deliver; an exit-free spin would only end on the host's timer. */
.macro READY_WAIT_R9D
    REPORT_MARK CONF_MARK_READY
.Lwait\@:
    test %r9d, %r9d
    jnz .Lwaited\@
    out %al, $0x80
    jmp .Lwait\@
.Lwaited\@:
.endm

/* An interrupt handler's entry and return: the interrupted code keeps RAX and RDX (the handlers' reports and
 * port accesses use them). After ISR_ENTER the return RIP the processor pushed (SDM Vol. 3 §6.14.2) is at
 * 16(%rsp), above RAX and RDX. */
.macro ISR_ENTER
    push %rax
    push %rdx
.endm
.macro ISR_RETURN
    pop %rdx
    pop %rax
    iretq
.endm
/* In a handler after ISR_ENTER: report its vector (a byte), then its return RIP (a qword). Clobbers RAX. */
.macro ISR_REPORT_VECTOR_RIP vec
    REPORT_MARK \vec
    mov 16(%rsp), %rax
    REPORT_RAX
.endm

#endif
