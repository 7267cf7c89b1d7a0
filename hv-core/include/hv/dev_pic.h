/* The 8259A programmable interrupt controller pair of the PC/AT (Intel 8259A datasheet; IBM PC/AT Technical
 * Reference): master at ports 0x20/0x21 (IRQ 0-7), slave at 0xA0/0xA1 (IRQ 8-15) cascaded on the master's
 * IR2. State per VM (vm->dev.pic); pic8259.c. */
#ifndef HV_DEV_PIC_H
#define HV_DEV_PIC_H

#include <stdbool.h>
#include <stdint.h>

/* Where a chip is in the initialization sequence (8259A datasheet, "Initialization Command Words"): ICW1
 * starts it; ICW2 always follows; ICW3 only in cascade mode (ICW1.SNGL = 0); ICW4 only when ICW1.IC4 = 1. */
enum hv_pic_init_step {
    HV_PIC_READY = 0,     /* operational: port A accepts OCW1, port 0 OCW2/OCW3 */
    HV_PIC_WANT_ICW2 = 1,
    HV_PIC_WANT_ICW3 = 2,
    HV_PIC_WANT_ICW4 = 3,
};

/* One 8259A. */
struct hv_pic_chip {
    uint8_t irr;          /* interrupt request register: requests latched from the IR inputs */
    uint8_t isr;          /* in-service register: requests acknowledged and not yet EOI'd */
    uint8_t imr;          /* interrupt mask register (OCW1): 1 = masked */
    uint8_t lines;        /* current level of the IR inputs (edge detection) */
    uint8_t vector_base;  /* ICW2 bits 7:3 (8086 mode: vector = base | IR number) */
    uint8_t icw3;         /* master: which IR inputs have a slave; slave: its cascade identity (bits 2:0) */
    uint8_t lowest;       /* IR of lowest priority (0..7); fixed priority = 7 (IR0 highest); rotation moves it */
    uint8_t init_step;    /* enum hv_pic_init_step */
    bool initialized;     /* an initialization sequence has completed since reset: the chip can interrupt */
    bool icw4_expected;   /* ICW1.IC4 */
    bool single;          /* ICW1.SNGL: no cascade */
    bool level;           /* ICW1.LTIM: level-triggered inputs (else edge) */
    bool auto_eoi;        /* ICW4.AEOI */
    bool rotate_on_aeoi;  /* OCW2 "set rotate in automatic EOI mode" */
    bool read_isr;        /* OCW3 RR/RIS: a read of port 0 returns ISR (else IRR) */
    bool poll;            /* OCW3 P: the next read of port 0 is a poll (acknowledges the highest request) */
    bool special_mask;    /* OCW3 ESMM/SMM: special mask mode */
    bool sfnm;            /* ICW4.SFNM, recorded only (special fully nested mode is not modelled) */
};

struct hv_pic {
    struct hv_pic_chip chip[2]; /* [0] master, [1] slave */
    bool attached;              /* hv_pic_attach claimed the ports */
    bool nmi_pending;           /* the vCPU's NMI input (hv_vm_nmi); injected by irq.c */
    bool window_for_irq;        /* irq.c armed interrupt-window exiting for a PIC request */
    /* statistics */
    uint64_t delivered;         /* interrupts acknowledged (injected or polled) */
    uint64_t spurious;          /* acknowledges with no request left: IRQ 7 / IRQ 15 vector (datasheet) */
    uint64_t nmis_injected;
    uint64_t refused;           /* writes of features not modelled (8080 mode, ...) */
};

#endif
