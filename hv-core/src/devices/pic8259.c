/* The 8259A pair of the PC/AT (Intel 8259A datasheet, "Programmable Interrupt Controller"; IBM PC/AT
 * Technical Reference for the wiring): master at 0x20/0x21, slave at 0xA0/0xA1 whose INT output drives the
 * master's IR2. Devices call hv_irq_raise/hv_irq_lower; irq.c asks hv_pic_int_asserted and runs the
 * acknowledge cycle (hv_pic_ack) when it injects.
 *
 * Modelled: the ICW1-ICW4 sequence (edge/level, single/cascade, ICW4 presence, vector base, auto-EOI),
 * OCW1 (IMR), every OCW2 command (non-specific / specific EOI, rotate on EOI, rotate in auto-EOI, set
 * priority, no-op), OCW3 (read IRR/ISR, poll, special mask mode), fully nested priorities with rotation,
 * spurious IR7 when a request is gone at acknowledge time. Refused (counted in stats.refused, chip left
 * uninitialized so it never interrupts): MCS-80/85 mode (ICW1.IC4 = 0 or ICW4.uPM = 0), which has no x86
 * vector. Recorded only: ICW4 special fully nested mode and buffered mode (no effect on a PC); ICW3 (the PC
 * wiring is fixed: the slave is on IR2 whenever the master is in cascade mode).
 *
 * Edge-triggered inputs latch IRR on a rising edge, and the request must still be there (line high) at
 * acknowledge time, else the datasheet's "default IR7" (spurious) vector is given: a guest that reads the
 * keyboard by polling with IF = 0, then enables interrupts, sees the spurious IRQ 7 a real PC gives. */
#include "devices.h"

#define PIC_MASTER 0
#define PIC_SLAVE 1
#define CASCADE_IR 2u
#define SPURIOUS_IR 7u

/* ICW1 (port 0, D4 = 1) */
#define ICW1_IC4 0x01u  /* ICW4 needed */
#define ICW1_SNGL 0x02u /* single (no ICW3) */
#define ICW1_LTIM 0x08u /* level-triggered */
#define ICW1_SEL 0x10u
/* ICW4 */
#define ICW4_UPM 0x01u  /* 8086/8088 mode */
#define ICW4_AEOI 0x02u
#define ICW4_SFNM 0x10u
/* OCW3 (port 0, D4 = 0, D3 = 1) */
#define OCW3_SEL 0x08u
#define OCW3_RIS 0x01u
#define OCW3_RR 0x02u
#define OCW3_P 0x04u
#define OCW3_SMM 0x20u
#define OCW3_ESMM 0x40u

static bool is_ready(const struct hv_pic_chip *c)
{
    return c->initialized && c->init_step == HV_PIC_READY;
}

/* Priority rank of IR ir: 0 highest. Fixed priority has lowest = 7 (IR0 highest, datasheet); rotation
 * makes the last serviced IR the lowest. */
static unsigned rank(const struct hv_pic_chip *c, unsigned ir)
{
    return (ir - c->lowest - 1u) & 7u;
}

/* The highest-priority IR set in mask, or -1. */
static int highest(const struct hv_pic_chip *c, uint8_t mask)
{
    for (unsigned i = 1; i <= 8; i++) {
        unsigned ir = (c->lowest + i) & 7u;
        if (mask & (1u << ir))
            return (int)ir;
    }
    return -1;
}

/* The IR the chip would interrupt for, from the requests in reqs: unmasked, and of higher priority than
 * every level in service (fully nested mode). In special mask mode a level in service inhibits only itself
 * (datasheet: "enables interrupts from all other levels ... that are not masked"). */
static int resolve(const struct hv_pic_chip *c, uint8_t reqs)
{
    if (!is_ready(c))
        return -1;
    uint8_t req = reqs & (uint8_t)~c->imr;
    if (c->special_mask)
        return highest(c, req & (uint8_t)~c->isr);
    int r = highest(c, req);
    if (r < 0)
        return -1;
    int s = highest(c, c->isr);
    if (s >= 0 && rank(c, (unsigned)s) <= rank(c, (unsigned)r))
        return -1;
    return r;
}

/* A chip's INT output: driven by the latched requests. */
static int int_output(const struct hv_pic_chip *c)
{
    return resolve(c, c->irr);
}

/* Set an IR input's level. Edge mode: a rising edge latches IRR. Level mode: IRR follows the input. */
static void set_line(struct hv_pic_chip *c, unsigned ir, bool high)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (high) {
        if (!(c->lines & bit) || c->level)
            c->irr |= bit;
        c->lines |= bit;
    } else {
        c->lines &= (uint8_t)~bit;
        if (c->level)
            c->irr &= (uint8_t)~bit;
    }
}

/* The slave's INT output is the master's IR2 input (PC/AT wiring), unless the master is in single mode. */
static void update_cascade(struct hv_pic *p)
{
    bool high = !p->chip[PIC_MASTER].single && int_output(&p->chip[PIC_SLAVE]) >= 0;
    set_line(&p->chip[PIC_MASTER], CASCADE_IR, high);
}

void hv_irq_raise(struct hv_vm *vm, unsigned irq)
{
    if (!vm || irq > 15)
        return;
    /* On the AT bus the old IRQ 2 pin is routed to the slave's IR1 (IRQ 9): the master's IR2 is the cascade. */
    if (irq == CASCADE_IR)
        irq = 9;
    struct hv_pic *p = &vm->dev.pic;
    set_line(&p->chip[irq >> 3], irq & 7u, true);
    update_cascade(p);
}

void hv_irq_lower(struct hv_vm *vm, unsigned irq)
{
    if (!vm || irq > 15)
        return;
    if (irq == CASCADE_IR)
        irq = 9;
    struct hv_pic *p = &vm->dev.pic;
    set_line(&p->chip[irq >> 3], irq & 7u, false);
    update_cascade(p);
}

bool hv_pic_int_asserted(const struct hv_vm *vm)
{
    const struct hv_pic *p = &vm->dev.pic;
    return p->attached && int_output(&p->chip[PIC_MASTER]) >= 0;
}

bool hv_pic_irq_unmasked(const struct hv_vm *vm, unsigned irq)
{
    const struct hv_pic *p = &vm->dev.pic;
    if (!p->attached || irq > 15)
        return false;
    const struct hv_pic_chip *m = &p->chip[PIC_MASTER], *s = &p->chip[PIC_SLAVE];
    if (irq == CASCADE_IR)
        irq = 9;
    if (!is_ready(m))
        return false;
    if (irq < 8)
        return !(m->imr & (1u << irq));
    return !m->single && !(m->imr & (1u << CASCADE_IR)) && is_ready(s) && !(s->imr & (1u << (irq - 8)));
}

/* One chip's acknowledge: the IR whose request is still present (latched and input high), moved from IRR to
 * ISR (auto-EOI: not set, and "rotate in automatic EOI mode" makes it the lowest priority). None: the
 * requests that went away are dropped and the spurious IR7 is returned, with no ISR bit (datasheet). */
static unsigned chip_ack(struct hv_pic *p, struct hv_pic_chip *c, bool *spurious)
{
    int ir = resolve(c, c->irr & c->lines);
    if (ir < 0) {
        c->irr &= c->lines; /* edge latches whose input fell: the request is gone */
        p->spurious++;
        *spurious = true;
        return SPURIOUS_IR;
    }
    uint8_t bit = (uint8_t)(1u << ir);
    c->irr &= (uint8_t)~bit;
    if (c->level && (c->lines & bit))
        c->irr |= bit; /* level mode: a request held high is requested again */
    if (c->auto_eoi) {
        if (c->rotate_on_aeoi)
            c->lowest = (uint8_t)ir;
    } else {
        c->isr |= bit;
    }
    *spurious = false;
    return (unsigned)ir;
}

uint8_t hv_pic_ack(struct hv_vm *vm)
{
    struct hv_pic *p = &vm->dev.pic;
    struct hv_pic_chip *m = &p->chip[PIC_MASTER], *s = &p->chip[PIC_SLAVE];
    bool spurious;
    unsigned ir = chip_ack(p, m, &spurious);
    uint8_t vector;
    if (!spurious && ir == CASCADE_IR && !m->single) {
        /* The master names the slave on the cascade lines; the slave puts its vector on the bus. A slave whose
         * request vanished gives its own IR7: the spurious IRQ 15, with master IR2 in service. */
        unsigned sir = chip_ack(p, s, &spurious);
        vector = (uint8_t)(s->vector_base | sir);
    } else {
        vector = (uint8_t)(m->vector_base | ir);
    }
    if (!spurious)
        p->delivered++;
    update_cascade(p);
    return vector;
}

/* ---- guest-visible registers -------------------------------------------------------------------------- */

static void icw1(struct hv_pic *p, struct hv_pic_chip *c, uint8_t v)
{
    /* Datasheet, ICW1: "the edge sense circuit is reset ... the interrupt mask register is cleared, IR7 is
     * assigned priority 7, the slave mode address is set to 7, special mask mode is cleared and status read
     * is set to IRR; if IC4 = 0 all ICW4 functions are set to zero". ISR is cleared too (a chip being
     * re-initialized has nothing in service). The input levels stay: a line already high needs a new rising
     * edge, as the reset edge sense circuit does. */
    c->irr = 0;
    c->isr = 0;
    c->imr = 0;
    c->lowest = 7;
    c->icw3 = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->rotate_on_aeoi = false;
    c->icw4_expected = (v & ICW1_IC4) != 0;
    c->single = (v & ICW1_SNGL) != 0;
    c->level = (v & ICW1_LTIM) != 0;
    if (!c->icw4_expected) {
        c->auto_eoi = false;
        c->sfnm = false;
    }
    c->initialized = false;
    c->init_step = HV_PIC_WANT_ICW2;
    (void)p;
}

/* The sequence ends: the chip works only in 8086 mode (ICW4.uPM = 1, which needs ICW4 at all). */
static void init_done(struct hv_pic *p, struct hv_pic_chip *c, bool mode_8086)
{
    c->init_step = HV_PIC_READY;
    c->initialized = mode_8086;
    if (!mode_8086)
        p->refused++; /* MCS-80/85 mode: its CALL-instruction vectors mean nothing to an x86 guest */
}

static void ocw2(struct hv_pic_chip *c, uint8_t v)
{
    unsigned level = v & 7u;
    int top = highest(c, c->isr);
    switch (v >> 5) { /* R, SL, EOI (datasheet, OCW2) */
    case 0: /* 000: rotate in automatic EOI mode (clear) */
        c->rotate_on_aeoi = false;
        break;
    case 1: /* 001: non-specific EOI: the highest-priority level in service */
        if (top >= 0)
            c->isr &= (uint8_t)~(1u << top);
        break;
    case 2: /* 010: no operation */
        break;
    case 3: /* 011: specific EOI of L2-L0 */
        c->isr &= (uint8_t)~(1u << level);
        break;
    case 4: /* 100: rotate in automatic EOI mode (set) */
        c->rotate_on_aeoi = true;
        break;
    case 5: /* 101: rotate on non-specific EOI: the level EOI'd becomes the lowest priority */
        if (top >= 0) {
            c->isr &= (uint8_t)~(1u << top);
            c->lowest = (uint8_t)top;
        }
        break;
    case 6: /* 110: set priority: L2-L0 becomes the lowest */
        c->lowest = (uint8_t)level;
        break;
    default: /* 111: rotate on specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        c->lowest = (uint8_t)level;
        break;
    }
}

static void ocw3(struct hv_pic_chip *c, uint8_t v)
{
    if (v & OCW3_ESMM)
        c->special_mask = (v & OCW3_SMM) != 0;
    if (v & OCW3_P)
        c->poll = true; /* the next read of port 0 is the poll word */
    if (v & OCW3_RR)
        c->read_isr = (v & OCW3_RIS) != 0;
}

static void pic_out(struct hv_vm *vm, uint16_t port, uint8_t v)
{
    struct hv_pic *p = &vm->dev.pic;
    struct hv_pic_chip *c = &p->chip[(port & 0x80u) ? PIC_SLAVE : PIC_MASTER];
    if (!(port & 1u)) { /* A0 = 0 */
        if (v & ICW1_SEL)
            icw1(p, c, v);
        else if (v & OCW3_SEL)
            ocw3(c, v);
        else
            ocw2(c, v);
    } else { /* A0 = 1 */
        switch (c->init_step) {
        case HV_PIC_WANT_ICW2:
            c->vector_base = v & 0xf8u; /* 8086 mode: T7-T3; the IR number fills bits 2:0 */
            if (!c->single)
                c->init_step = HV_PIC_WANT_ICW3;
            else if (c->icw4_expected)
                c->init_step = HV_PIC_WANT_ICW4;
            else
                init_done(p, c, false);
            break;
        case HV_PIC_WANT_ICW3:
            c->icw3 = v;
            if (c->icw4_expected)
                c->init_step = HV_PIC_WANT_ICW4;
            else
                init_done(p, c, false);
            break;
        case HV_PIC_WANT_ICW4:
            c->auto_eoi = (v & ICW4_AEOI) != 0;
            c->sfnm = (v & ICW4_SFNM) != 0;
            init_done(p, c, (v & ICW4_UPM) != 0);
            break;
        default:
            c->imr = v; /* OCW1 */
            break;
        }
    }
    update_cascade(p);
}

/* Poll word (datasheet, "Poll command"): I = bit 7 (a request), W2-W0 the highest IR; the read acts as an
 * interrupt acknowledge for that IR. */
static uint8_t poll_read(struct hv_pic *p, struct hv_pic_chip *c)
{
    c->poll = false;
    int ir = resolve(c, c->irr & c->lines);
    if (ir < 0)
        return 0;
    bool spurious;
    chip_ack(p, c, &spurious);
    if (!spurious)
        p->delivered++;
    return (uint8_t)(0x80u | (unsigned)ir);
}

static uint8_t pic_in(struct hv_vm *vm, uint16_t port)
{
    struct hv_pic *p = &vm->dev.pic;
    struct hv_pic_chip *c = &p->chip[(port & 0x80u) ? PIC_SLAVE : PIC_MASTER];
    uint8_t v;
    if (port & 1u)
        v = c->imr;
    else if (c->poll)
        v = poll_read(p, c);
    else
        v = c->read_isr ? c->isr : c->irr;
    update_cascade(p);
    return v;
}

static uint32_t port_in(void *opaque, uint16_t port, unsigned size)
{
    return hv_dev_in_bytes(opaque, port, size, pic_in);
}

static void port_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    hv_dev_out_bytes(opaque, port, size, value, pic_out);
}

bool hv_pic_attach(struct hv_vm *vm)
{
    struct hv_pic *p = &vm->dev.pic;
    hv_memset(p, 0, sizeof *p);
    /* Power-on: uninitialized (no interrupts until the guest, or its firmware, runs ICW1-ICW4), all masked. */
    for (unsigned i = 0; i < 2; i++) {
        p->chip[i].imr = 0xff;
        p->chip[i].lowest = 7;
    }
    struct hv_port_range master = {.first = 0x20, .last = 0x21, .in = port_in, .out = port_out, .opaque = vm};
    struct hv_port_range slave = {.first = 0xa0, .last = 0xa1, .in = port_in, .out = port_out, .opaque = vm};
    if (hv_vm_add_ports(vm, &master) != HV_OK || hv_vm_add_ports(vm, &slave) != HV_OK)
        return false;
    p->attached = true;
    return true;
}

void hv_vm_nmi(struct hv_vm *vm)
{
    if (vm)
        vm->dev.pic.nmi_pending = true;
}

const char *hv_pic_invariant(const struct hv_vm *vm)
{
    const struct hv_pic *p = &vm->dev.pic;
    for (unsigned i = 0; i < 2; i++) {
        const struct hv_pic_chip *c = &p->chip[i];
        if (c->init_step > HV_PIC_WANT_ICW4)
            return "pic.init_step.range";
        if (c->init_step == HV_PIC_WANT_ICW3 && c->single)
            return "pic.init_step.icw3_in_single_mode";
        if (c->init_step == HV_PIC_WANT_ICW4 && !c->icw4_expected)
            return "pic.init_step.icw4_not_announced";
        if (c->lowest > 7)
            return "pic.priority.range";
        if (c->vector_base & 7u)
            return "pic.vector_base.low_bits";
        if (!c->initialized && c->isr)
            return "pic.isr.uninitialized_chip_in_service"; /* only an acknowledge sets ISR */
        if (c->auto_eoi && c->isr)
            return "pic.isr.auto_eoi_in_service";          /* auto-EOI never sets ISR */
        if (c->level && (c->irr & (uint8_t)~c->lines))
            return "pic.irr.level_request_without_input";
    }
    return NULL;
}
