/* What the PIC, PIT and i8042 files and the interrupt plumbing (irq.c, exits/window.c, exits/hlt.c,
 * vcpu.c) share inside the core. The public side is hv/dev.h. */
#ifndef HV_DEVICES_H
#define HV_DEVICES_H

#include "../core.h"

/* ---- pic8259.c ------------------------------------------------------------------------------------------ */
/* Whether the master's INT output is asserted: an unmasked request of higher priority than every level in
 * service (on the slave too, through IR2). The CPU's INTR input. */
bool hv_pic_int_asserted(const struct hv_vm *vm);
/* The interrupt-acknowledge cycle (two INTA pulses, 8259A datasheet): the vector of the highest request,
 * which moves from IRR to ISR (not with auto-EOI). A request that went away since INT was asserted gives the
 * spurious vector of IR7 (master) or IR15 (slave) with no ISR bit set. Call only when INT was asserted. */
uint8_t hv_pic_ack(struct hv_vm *vm);
/* Whether IRQ irq (0..15) is unmasked all the way to the CPU (and the chips are initialized). */
bool hv_pic_irq_unmasked(const struct hv_vm *vm, unsigned irq);

/* ---- pit8254.c ------------------------------------------------------------------------------------------ */
/* Bring counter 0 up to time now: raise IRQ 0's edges for expiries since the last tick, coalesced. */
void hv_pit_tick(struct hv_vm *vm, uint64_t now);
/* Clock time of counter 0's next expiry that raises IRQ 0, or ~0. */
uint64_t hv_pit_next_deadline(const struct hv_vm *vm);

/* ---- i8042.c -------------------------------------------------------------------------------------------- */
/* Whether the keyboard has bytes waiting for the guest with IRQ 1 enabled in the command byte. */
bool hv_i8042_irq_wanted(const struct hv_vm *vm);

/* ---- irq.c ---------------------------------------------------------------------------------------------- */
/* Bring every timed device up to hv_arch_time_ns (vcpu.c: after every exit, and before every entry). */
void hv_devices_tick(struct hv_vm *vm);
/* Right before VM entry: inject a pending NMI / PIC interrupt the guest can take, else arm the window exit. */
void hv_irq_before_entry(struct hv_vm *vm);
/* Whether something can wake a halted vCPU with RFLAGS.IF = 1: a PIC request already asserted, a pending
 * NMI, counter 0 of the PIT running with IRQ 0 unmasked, or keyboard bytes waiting with IRQ 1 unmasked. */
bool hv_devices_wake_source(const struct hv_vm *vm);

/* ---- exits/window.c ------------------------------------------------------------------------------------- */
enum hv_exit_action hv_exit_interrupt_window(struct hv_vm *vm, const struct hv_exit *e);
enum hv_exit_action hv_exit_nmi_window(struct hv_vm *vm, const struct hv_exit *e);

/* ---- port access helpers shared by the device files ----------------------------------------------------- */
/* A 2- or 4-byte access to 8-bit device registers is that many byte accesses to consecutive ports, as the
 * ISA bus splits it (low byte at the lowest port). */
typedef uint8_t (*hv_byte_in_fn)(struct hv_vm *vm, uint16_t port);
typedef void (*hv_byte_out_fn)(struct hv_vm *vm, uint16_t port, uint8_t value);
static inline uint32_t hv_dev_in_bytes(struct hv_vm *vm, uint16_t port, unsigned size, hv_byte_in_fn in)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size && i < 4; i++)
        v |= (uint32_t)in(vm, (uint16_t)(port + i)) << (8 * i);
    return v;
}
static inline void hv_dev_out_bytes(struct hv_vm *vm, uint16_t port, unsigned size, uint32_t value, hv_byte_out_fn out)
{
    for (unsigned i = 0; i < size && i < 4; i++)
        out(vm, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}

#endif
