/* The 8254 programmable interval timer of the PC (Intel 8254 datasheet): counters 0-2 at 0x40-0x42, the
 * control word register at 0x43 (write only), a 1.193182 MHz input clock on every counter. Counter 0's OUT
 * is IRQ 0 (PC wiring); counters 1 and 2 are modelled as counters only.
 *
 * Time comes from hv_arch_time_ns: a counter remembers when its count was loaded and derives its value and
 * OUT from the elapsed input-clock ticks, so nothing runs per tick. hv_pit_tick (every exit and entry)
 * turns counter 0's expiries since the last tick into IRQ 0 edges: at most one edge per call however many
 * periods passed (an edge latched in the PIC is one pending interrupt anyway); the expiries folded into it,
 * and edges that found IRQ 0 still pending in the PIC, are counted in stats missed_ticks. A guest that
 * counts interrupts sees the programmed rate exactly as long as every period gets an exit (the sim: time is
 * advanced by at most one period between entries).
 *
 * Modes (control word bits 3:1; 6 and 7 are modes 2 and 3, datasheet "X10"/"X11"):
 *   0 interrupt on terminal count, 4 software-triggered strobe: one IRQ 0 edge, N ticks after the load;
 *   2 rate generator, 3 square wave: an edge every N ticks (N = 1 is illegal in both, datasheet: counted
 *     as 2); mode 3's count as read is an approximation for odd N (it steps by 2 through each half period);
 *   1 and 5 (hardware-triggered): need a rising gate edge; the PC's gates of counters 0 and 1 are tied high
 *     and counter 2's gate (port 0x61 bit 0) is not modelled, so these never start: the count reads as
 *     written and OUT stays high. Documented, not an error.
 * BCD counting (control word bit 0) is modelled: count 0 means 10^4, reads are BCD. Access modes LSB, MSB,
 * LSB-then-MSB with the read and write flip-flops; counter latch command; read-back command (count and/or
 * status of any counters). A new count takes effect at once (the datasheet's "at the end of the current
 * period" for modes 2/3 is not modelled). Reads of 0x43 return 0xFF (no read operation, datasheet). */
#include "devices.h"

#define NS_PER_S 1000000000ull
#define CW_PORT 0x43u

/* floor(ns * HZ / 1e9) without a 128-bit product: ns = q*1e9 + r, r*HZ < 2^51. */
static uint64_t ns_to_ticks(uint64_t ns)
{
    return ns / NS_PER_S * HV_PIT_HZ + (ns % NS_PER_S) * HV_PIT_HZ / NS_PER_S;
}

/* ceil(ticks * 1e9 / HZ), saturating: the first clock time at which ns_to_ticks reaches ticks. */
static uint64_t ticks_to_ns_ceil(uint64_t ticks)
{
    uint64_t q = ticks / HV_PIT_HZ, r = ticks % HV_PIT_HZ;
    if (q > (UINT64_MAX - NS_PER_S) / NS_PER_S)
        return UINT64_MAX;
    return q * NS_PER_S + (r * NS_PER_S + HV_PIT_HZ - 1) / HV_PIT_HZ;
}

static uint32_t bcd_to_bin(uint16_t v)
{
    /* A non-BCD nibble (A-F) is taken at face value: bounded (at most 16665) and harmless. */
    return (v >> 12 & 15u) * 1000u + (v >> 8 & 15u) * 100u + (v >> 4 & 15u) * 10u + (v & 15u);
}

static uint16_t bin_to_bcd(uint32_t v)
{
    v %= 10000u;
    return (uint16_t)((v / 1000u) << 12 | (v / 100u % 10u) << 8 | (v / 10u % 10u) << 4 | (v % 10u));
}

/* The counter's modulus: 2^16 binary, 10^4 BCD. */
static uint32_t modulus(const struct hv_pit_channel *c)
{
    return c->bcd ? 10000u : 65536u;
}

/* N: the loaded count as a number of ticks (0 means the full modulus). */
static uint32_t period(const struct hv_pit_channel *c)
{
    uint32_t n = c->bcd ? bcd_to_bin(c->count_reg) : c->count_reg;
    if (n == 0)
        n = modulus(c);
    if ((c->mode == 2 || c->mode == 3) && n < 2)
        n = 2; /* N = 1 is illegal in modes 2 and 3 (datasheet) */
    return n;
}

static bool started(const struct hv_pit_channel *c)
{
    return c->counting && c->mode != 1 && c->mode != 5;
}

static uint64_t elapsed_ticks(const struct hv_pit_channel *c, uint64_t now)
{
    return now > c->load_ns ? ns_to_ticks(now - c->load_ns) : 0;
}

static uint64_t now_ns(struct hv_vm *vm)
{
    return vm->cpu ? hv_arch_time_ns(vm->cpu->arch) : 0;
}

/* The counting element as the guest reads it (binary value, converted to BCD by the caller). */
static uint32_t current_count(const struct hv_pit_channel *c, uint64_t now)
{
    if (!started(c))
        return c->bcd ? bcd_to_bin(c->count_reg) % 10000u : c->count_reg;
    uint64_t e = elapsed_ticks(c, now);
    uint32_t n = period(c), m = modulus(c);
    switch (c->mode) {
    case 2: /* N, N-1, ..., 1, reload */
        return n - (uint32_t)(e % n);
    case 3: { /* steps of 2 through each half period */
        uint32_t half = (n + 1u) / 2u;
        return n - 2u * (uint32_t)((e % n) % half);
    }
    default: /* 0, 4: count down and wrap through the modulus after terminal count */
        return (uint32_t)((n + m - e % m) % m);
    }
}

/* The OUT pin (status bit 7). */
static bool out_level(const struct hv_pit_channel *c, uint64_t now)
{
    if (!c->counting)
        return c->mode != 0; /* after the control word: low in mode 0, high in the others */
    if (!started(c))
        return true;
    uint64_t e = elapsed_ticks(c, now);
    uint32_t n = period(c);
    switch (c->mode) {
    case 0: return e >= n;
    case 2: return e % n != n - 1u;
    case 3: return e % n < (n + 1u) / 2u;
    default: return e != n; /* 4: one low tick at terminal count */
    }
}

static uint16_t guest_count(const struct hv_pit_channel *c, uint64_t now)
{
    uint32_t v = current_count(c, now);
    return c->bcd ? bin_to_bcd(v) : (uint16_t)v;
}

static uint8_t status_byte(const struct hv_pit_channel *c, uint64_t now)
{
    /* Read-back status (datasheet): OUT, NULL COUNT, RW1 RW0, M2 M1 M0, BCD — the mode "exactly as written in
     * the last Mode Control Word", so 6 and 7 stay 6 and 7 (found by the conformance case pit-registers). */
    return (uint8_t)((out_level(c, now) ? 0x80u : 0) | (c->null_count ? 0x40u : 0) | (unsigned)c->access << 4 |
                     (unsigned)(c->mode_bits & 7u) << 1 | (c->bcd ? 1u : 0));
}

static void latch_count(struct hv_pit_channel *c, uint64_t now)
{
    if (c->count_latched)
        return; /* "subsequent latch commands are ignored until the count is read" */
    c->latch = guest_count(c, now);
    c->count_latched = true;
    c->latch_bytes = c->access == HV_PIT_ACCESS_LOHI ? 2 : 1;
}

static void load(struct hv_vm *vm, unsigned i, uint16_t count)
{
    struct hv_pit_channel *c = &vm->dev.pit.ch[i];
    c->count_reg = count;
    c->counting = true;
    c->null_count = false;
    c->load_ns = now_ns(vm);
    c->periods_done = 0;
    c->fired = false;
    if (i == 0 && c->mode == 0)
        hv_irq_lower(vm, 0); /* mode 0: OUT is low while counting */
}

static void counter_write(struct hv_vm *vm, unsigned i, uint8_t v)
{
    struct hv_pit_channel *c = &vm->dev.pit.ch[i];
    switch (c->access) {
    case HV_PIT_ACCESS_LO:
        load(vm, i, v); /* the MSB becomes 0 */
        break;
    case HV_PIT_ACCESS_HI:
        load(vm, i, (uint16_t)(v << 8));
        break;
    default:
        if (!c->write_lsb_done) {
            c->write_lsb = v;
            c->write_lsb_done = true;
            if (c->mode == 0)
                c->counting = false; /* mode 0: "writing the first byte disables counting" */
        } else {
            c->write_lsb_done = false;
            load(vm, i, (uint16_t)(c->write_lsb | v << 8));
        }
        break;
    }
}

static uint8_t counter_read(struct hv_vm *vm, unsigned i)
{
    struct hv_pit_channel *c = &vm->dev.pit.ch[i];
    uint64_t now = now_ns(vm);
    if (c->status_latched) { /* read-back: status first, then a latched count */
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        uint8_t b;
        if (c->access == HV_PIT_ACCESS_HI)
            b = (uint8_t)(c->latch >> 8);
        else if (c->access == HV_PIT_ACCESS_LOHI && c->latch_bytes == 1)
            b = (uint8_t)(c->latch >> 8);
        else
            b = (uint8_t)c->latch;
        if (--c->latch_bytes == 0)
            c->count_latched = false;
        return b;
    }
    uint16_t v = guest_count(c, now);
    switch (c->access) {
    case HV_PIT_ACCESS_LO:
        return (uint8_t)v;
    case HV_PIT_ACCESS_HI:
        return (uint8_t)(v >> 8);
    default:
        c->read_msb_next = !c->read_msb_next;
        return c->read_msb_next ? (uint8_t)v : (uint8_t)(v >> 8);
    }
}

static void control_word(struct hv_vm *vm, uint8_t v)
{
    struct hv_pit *p = &vm->dev.pit;
    uint64_t now = now_ns(vm);
    unsigned sc = v >> 6, rw = (v >> 4) & 3u, mode = (v >> 1) & 7u;
    if (sc == 3) {
        /* Read-back (datasheet): D5 = 0 latch count, D4 = 0 latch status, D3-D1 select counters 2-0, D0
         * must be 0. A status already latched and unread is kept, like a latched count. */
        if (v & 1u) {
            p->refused++;
            return;
        }
        for (unsigned i = 0; i < 3; i++) {
            if (!(v & (2u << i)))
                continue;
            struct hv_pit_channel *c = &p->ch[i];
            if (!(v & 0x10u) && !c->status_latched) {
                c->status = status_byte(c, now);
                c->status_latched = true;
            }
            if (!(v & 0x20u))
                latch_count(c, now);
        }
        return;
    }
    struct hv_pit_channel *c = &p->ch[sc];
    if (rw == 0) { /* counter latch command */
        latch_count(c, now);
        return;
    }
    c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);
    c->mode_bits = (uint8_t)mode;
    c->access = (uint8_t)rw;
    c->bcd = (v & 1u) != 0;
    c->write_lsb_done = false;
    c->read_msb_next = false;
    c->count_latched = false;
    c->latch_bytes = 0;
    c->status_latched = false;
    c->counting = false; /* a new control word stops the counter until a count is written */
    c->null_count = true;
    c->fired = false;
    if (sc == 0)
        hv_irq_lower(vm, 0); /* OUT goes low in mode 0; other modes go high, but no edge is owed yet */
}

static void pit_out(struct hv_vm *vm, uint16_t port, uint8_t v)
{
    hv_pit_tick(vm, now_ns(vm)); /* expiries before the write belong to the old programming */
    unsigned i = port - 0x40u;
    if (i == 3)
        control_word(vm, v);
    else if (i < 3)
        counter_write(vm, i, v);
}

static uint8_t pit_in(struct hv_vm *vm, uint16_t port)
{
    unsigned i = port - 0x40u;
    return i < 3 ? counter_read(vm, i) : 0xff;
}

static uint32_t port_in(void *opaque, uint16_t port, unsigned size)
{
    return hv_dev_in_bytes(opaque, port, size, pit_in);
}

static void port_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    hv_dev_out_bytes(opaque, port, size, value, pit_out);
}

/* Counter 0's OUT made a rising edge: the PIC latches IRQ 0 (edge-triggered; the line then stays high like
 * OUT does for most of a period, so the request is still there at acknowledge time). */
static void irq0_edge(struct hv_vm *vm, uint64_t expiries)
{
    struct hv_pit *p = &vm->dev.pit;
    if (vm->dev.pic.chip[0].irr & 1u)
        p->missed_ticks++; /* the previous edge is still pending: this one adds nothing */
    p->missed_ticks += expiries - 1;
    hv_irq_lower(vm, 0);
    hv_irq_raise(vm, 0);
    p->irq_edges++;
}

void hv_pit_tick(struct hv_vm *vm, uint64_t now)
{
    struct hv_pit *p = &vm->dev.pit;
    struct hv_pit_channel *c = &p->ch[0];
    if (!p->attached || !started(c))
        return;
    uint64_t e = elapsed_ticks(c, now);
    uint32_t n = period(c);
    if (c->mode == 2 || c->mode == 3) {
        uint64_t periods = e / n;
        if (periods > c->periods_done) {
            uint64_t k = periods - c->periods_done;
            c->periods_done = periods;
            irq0_edge(vm, k);
        }
    } else if (!c->fired && e >= n) { /* modes 0 and 4: once */
        c->fired = true;
        irq0_edge(vm, 1);
    }
}

uint64_t hv_pit_next_deadline(const struct hv_vm *vm)
{
    const struct hv_pit *p = &vm->dev.pit;
    const struct hv_pit_channel *c = &p->ch[0];
    if (!p->attached || !started(c))
        return UINT64_MAX;
    uint64_t ticks;
    if (c->mode == 2 || c->mode == 3)
        ticks = (c->periods_done + 1) * (uint64_t)period(c);
    else if (!c->fired)
        ticks = period(c);
    else
        return UINT64_MAX;
    uint64_t d = ticks_to_ns_ceil(ticks);
    return d > UINT64_MAX - c->load_ns ? UINT64_MAX : c->load_ns + d;
}

uint64_t hv_vm_next_deadline_ns(struct hv_vm *vm)
{
    return vm ? hv_pit_next_deadline(vm) : UINT64_MAX;
}

bool hv_pit_attach(struct hv_vm *vm)
{
    struct hv_pit *p = &vm->dev.pit;
    hv_memset(p, 0, sizeof *p);
    /* Power-on state is undefined (datasheet); start every counter stopped, mode 0, LSB-then-MSB. */
    for (unsigned i = 0; i < 3; i++)
        p->ch[i].access = HV_PIT_ACCESS_LOHI;
    struct hv_port_range r = {.first = 0x40, .last = CW_PORT, .in = port_in, .out = port_out, .opaque = vm};
    if (hv_vm_add_ports(vm, &r) != HV_OK)
        return false;
    p->attached = true;
    return true;
}

const char *hv_pit_invariant(const struct hv_vm *vm)
{
    const struct hv_pit *p = &vm->dev.pit;
    for (unsigned i = 0; i < 3; i++) {
        const struct hv_pit_channel *c = &p->ch[i];
        if (c->mode > 5)
            return "pit.mode.range";
        if (c->access < HV_PIT_ACCESS_LO || c->access > HV_PIT_ACCESS_LOHI)
            return "pit.access.range";
        if (c->write_lsb_done && c->access != HV_PIT_ACCESS_LOHI)
            return "pit.write_flipflop.not_lohi";
        if (c->read_msb_next && c->access != HV_PIT_ACCESS_LOHI)
            return "pit.read_flipflop.not_lohi";
        if (c->latch_bytes > 2 || c->count_latched != (c->latch_bytes != 0))
            return "pit.latch.bytes";
        if (c->latch_bytes == 2 && c->access != HV_PIT_ACCESS_LOHI)
            return "pit.latch.two_bytes_not_lohi";
        if (c->count_latched && c->bcd &&
            ((c->latch & 0xfu) > 9u || (c->latch >> 4 & 0xfu) > 9u || (c->latch >> 8 & 0xfu) > 9u ||
             (c->latch >> 12) > 9u))
            return "pit.latch.bcd_digits"; /* latched BCD counts are made by bin_to_bcd: digits 0-9 */
        if (c->counting && c->null_count)
            return "pit.null_count.while_counting";
    }
    return NULL;
}
