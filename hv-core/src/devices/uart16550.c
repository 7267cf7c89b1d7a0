/* The 16550A UART at COM1 (hv/dev_uart.h has the register map and the model's choices).
 *
 * Every register value comes from the guest, so every path is bounded: a port access touches one register
 * (a wider access is at most 4 byte accesses), the receive FIFO is a fixed 16-byte ring, and the interrupt
 * line is recomputed from the state after each access — never accumulated — so no sequence of writes can
 * leave IRQ 4 out of step with IIR. */
#include "../core.h"

/* The registers' bits are the PC16550D data sheet's (Table II); the IRQ routing is the IBM PC's. */

static bool fifo_on(const struct hv_uart *u)
{
    return (u->fcr & HV_UART_FCR_ENABLE) != 0;
}

/* Receive capacity: the 16-byte FIFO, or the single receiver buffer register in 16450 mode (FCR0 = 0). */
static unsigned rx_capacity(const struct hv_uart *u)
{
    return fifo_on(u) ? HV_UART_FIFO_SIZE : 1u;
}

/* FCR bits 7:6, the receiver FIFO trigger level (data sheet, FCR description): 1, 4, 8 or 14 bytes. */
static unsigned rx_trigger(const struct hv_uart *u)
{
    static const uint8_t levels[4] = {1, 4, 8, 14};
    return levels[(u->fcr >> 6) & 3u];
}

/* The modem-status inputs: the host side looks connected (CTS, DSR, DCD asserted, no ring); in loopback
 * the outputs drive them: RTS -> CTS, DTR -> DSR, OUT1 -> RI, OUT2 -> DCD (data sheet, MCR bit 4). */
static uint8_t modem_lines(const struct hv_uart *u)
{
    if (!(u->mcr & HV_UART_MCR_LOOP))
        return HV_UART_MSR_CTS | HV_UART_MSR_DSR | HV_UART_MSR_DCD;
    uint8_t l = 0;
    if (u->mcr & HV_UART_MCR_RTS)
        l |= HV_UART_MSR_CTS;
    if (u->mcr & HV_UART_MCR_DTR)
        l |= HV_UART_MSR_DSR;
    if (u->mcr & HV_UART_MCR_OUT1)
        l |= HV_UART_MSR_RI;
    if (u->mcr & HV_UART_MCR_OUT2)
        l |= HV_UART_MSR_DCD;
    return l;
}

/* Latch the delta bits for lines that changed: DCTS/DDSR/DDCD on any change, TERI only when RI goes from
 * 1 to 0 (the "trailing edge" of the ring indicator). */
static void update_modem_status(struct hv_uart *u)
{
    uint8_t now = modem_lines(u), was = u->msr_lines, changed = (uint8_t)(now ^ was);
    if (changed & HV_UART_MSR_CTS)
        u->msr_delta |= HV_UART_MSR_DCTS;
    if (changed & HV_UART_MSR_DSR)
        u->msr_delta |= HV_UART_MSR_DDSR;
    if ((was & HV_UART_MSR_RI) && !(now & HV_UART_MSR_RI))
        u->msr_delta |= HV_UART_MSR_TERI;
    if (changed & HV_UART_MSR_DCD)
        u->msr_delta |= HV_UART_MSR_DDCD;
    u->msr_lines = now;
}

/* The highest-priority enabled interrupt source, as IIR bits 3:0 (data sheet, "Interrupt Identification
 * Register": line status > received data / timeout > THR empty > modem status). */
static uint8_t pending_source(const struct hv_uart *u)
{
    if ((u->ier & HV_UART_IER_ELSI) && u->lsr_errors)
        return HV_UART_IIR_RLS;
    if ((u->ier & HV_UART_IER_ERBFI) && u->rx_count) {
        if (fifo_on(u) && u->rx_count < rx_trigger(u))
            return HV_UART_IIR_TIMEOUT; /* the timeout counts as elapsed at once (no baud clock) */
        return HV_UART_IIR_RDA;
    }
    if ((u->ier & HV_UART_IER_ETBEI) && u->thre_pending)
        return HV_UART_IIR_THRE;
    if ((u->ier & HV_UART_IER_EDSSI) && u->msr_delta)
        return HV_UART_IIR_MSR;
    return HV_UART_IIR_NONE;
}

/* What IRQ 4 should carry: an interrupt pending and OUT2 set (on the PC, OUT2 enables the IRQ driver). */
static bool line_level(const struct hv_uart *u)
{
    return pending_source(u) != HV_UART_IIR_NONE && (u->mcr & HV_UART_MCR_OUT2);
}

static void update_irq(struct hv_vm *vm)
{
    struct hv_uart *u = &vm->dev.uart;
    bool level = line_level(u);
    if (level == u->irq_line)
        return;
    u->irq_line = level;
    if (level)
        hv_irq_raise(vm, HV_UART_COM1_IRQ);
    else
        hv_irq_lower(vm, HV_UART_COM1_IRQ);
}

static void rx_clear(struct hv_uart *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
}

/* One received byte. FIFO full: the byte is lost and OE set (16550 mode keeps the FIFO's contents; in 16450
 * mode the new byte overwrites the unread one, data sheet LSR bit 1). */
static void rx_push(struct hv_uart *u, uint8_t byte)
{
    unsigned cap = rx_capacity(u);
    if (u->rx_count >= cap) {
        u->lsr_errors |= HV_UART_LSR_OE;
        u->overruns++;
        if (!fifo_on(u))
            u->rx[u->rx_head] = byte;
        return;
    }
    u->rx[(u->rx_head + u->rx_count) % HV_UART_FIFO_SIZE] = byte;
    u->rx_count++;
    u->rx_bytes++;
}

static uint8_t rx_pop(struct hv_uart *u)
{
    if (!u->rx_count)
        return 0; /* nothing received: reads 0 (the model keeps no stale byte) */
    uint8_t b = u->rx[u->rx_head];
    u->rx_head = (uint8_t)((u->rx_head + 1u) % HV_UART_FIFO_SIZE);
    u->rx_count--;
    return b;
}

void hv_uart_init(struct hv_uart *u)
{
    hv_memset(u, 0, sizeof *u);
    u->msr_lines = modem_lines(u); /* the reset state's lines are the baseline: no deltas at reset */
}

static void write_fcr(struct hv_uart *u, uint8_t v)
{
    bool was_on = fifo_on(u);
    if (!(v & HV_UART_FCR_ENABLE)) {
        /* "Resetting FCR0 will clear all bytes in both FIFOs"; the other bits are not programmed unless FCR0
         * is 1 in the same write (data sheet, FCR bit 0). */
        if (was_on)
            rx_clear(u);
        u->fcr = 0;
        return;
    }
    if (!was_on || (v & HV_UART_FCR_CLEAR_RX))
        rx_clear(u); /* changing FCR0 clears the FIFOs; bit 1 clears the receive FIFO */
    /* bit 2 clears the transmit FIFO, which the infinitely fast transmitter keeps empty anyway */
    u->fcr = (uint8_t)(v & (HV_UART_FCR_ENABLE | HV_UART_FCR_DMA | HV_UART_FCR_TRIGGER));
}

static void transmit(struct hv_vm *vm, uint8_t byte)
{
    struct hv_uart *u = &vm->dev.uart;
    if (u->mcr & HV_UART_MCR_LOOP) {
        rx_push(u, byte); /* loopback: the transmitter output is wired to the receiver input */
    } else {
        if (vm->cfg.serial_sink)
            vm->cfg.serial_sink(vm->cfg.serial_opaque, byte);
        u->tx_bytes++;
    }
    u->thre_pending = true; /* THR emptied again at once */
}

static uint8_t reg_read(struct hv_vm *vm, unsigned off)
{
    struct hv_uart *u = &vm->dev.uart;
    bool dlab = (u->lcr & HV_UART_LCR_DLAB) != 0;
    switch (off) {
    case HV_UART_RBR:
        return dlab ? u->dll : rx_pop(u);
    case HV_UART_IER:
        return dlab ? u->dlm : u->ier;
    case HV_UART_IIR: {
        uint8_t src = pending_source(u);
        if (src == HV_UART_IIR_THRE)
            u->thre_pending = false; /* reading IIR clears a THRE interrupt it reports */
        return (uint8_t)(src | (fifo_on(u) ? HV_UART_IIR_FIFO : 0));
    }
    case HV_UART_LCR:
        return u->lcr;
    case HV_UART_MCR:
        return u->mcr;
    case HV_UART_LSR: {
        uint8_t v = (uint8_t)(u->lsr_errors | HV_UART_LSR_THRE | HV_UART_LSR_TEMT);
        if (u->rx_count)
            v |= HV_UART_LSR_DR;
        u->lsr_errors = 0; /* OE, PE, FE, BI are reset by reading LSR */
        return v;
    }
    case HV_UART_MSR: {
        uint8_t v = (uint8_t)(u->msr_lines | u->msr_delta);
        u->msr_delta = 0; /* delta bits are reset by reading MSR */
        return v;
    }
    default:
        return u->scr;
    }
}

static void reg_write(struct hv_vm *vm, unsigned off, uint8_t v)
{
    struct hv_uart *u = &vm->dev.uart;
    bool dlab = (u->lcr & HV_UART_LCR_DLAB) != 0;
    switch (off) {
    case HV_UART_THR:
        if (dlab)
            u->dll = v;
        else
            transmit(vm, v);
        break;
    case HV_UART_IER:
        if (dlab) {
            u->dlm = v;
        } else {
            /* Enabling ETBEI while THR is empty raises the THRE interrupt (the 16550's behavior that drivers
             * use to start transmission). */
            if ((v & HV_UART_IER_ETBEI) && !(u->ier & HV_UART_IER_ETBEI))
                u->thre_pending = true;
            u->ier = (uint8_t)(v & HV_UART_IER_MASK);
        }
        break;
    case HV_UART_FCR:
        write_fcr(u, v);
        break;
    case HV_UART_LCR:
        u->lcr = v; /* every value is legal: word length, stop bits, parity, break, DLAB */
        break;
    case HV_UART_MCR:
        u->mcr = (uint8_t)(v & HV_UART_MCR_MASK);
        update_modem_status(u);
        break;
    case HV_UART_LSR:
    case HV_UART_MSR:
        u->ignored_writes++; /* read-only status registers (writes are for factory testing only) */
        break;
    default:
        u->scr = v;
        break;
    }
}

uint32_t hv_uart_port_in(void *opaque, uint16_t port, unsigned size)
{
    struct hv_vm *vm = opaque;
    uint32_t v = 0;
    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned off = (unsigned)(uint16_t)(port + i - HV_UART_COM1_BASE) & 7u;
        v |= (uint32_t)reg_read(vm, off) << (8 * i);
    }
    update_irq(vm);
    return v;
}

void hv_uart_port_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct hv_vm *vm = opaque;
    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned off = (unsigned)(uint16_t)(port + i - HV_UART_COM1_BASE) & 7u;
        reg_write(vm, off, (uint8_t)(value >> (8 * i)));
    }
    update_irq(vm);
}

void hv_uart_receive(struct hv_vm *vm, uint8_t byte)
{
    struct hv_uart *u = &vm->dev.uart;
    if (u->mcr & HV_UART_MCR_LOOP) {
        u->dropped_input++; /* loopback disconnects the serial input (data sheet, MCR bit 4) */
        return;
    }
    rx_push(u, byte);
    update_irq(vm);
}

void hv_vm_serial_input(struct hv_vm *vm, uint8_t byte)
{
    if (!vm || !vm->created || vm->dead || !vm->dev.uart.attached)
        return;
    hv_uart_receive(vm, byte);
}

const char *hv_uart_check(const struct hv_uart *u)
{
    if (u->rx_head >= HV_UART_FIFO_SIZE)
        return "uart: receive FIFO head out of range";
    if (u->rx_count > rx_capacity(u))
        return "uart: receive FIFO holds more than its capacity (16, or 1 with FIFOs disabled)";
    if (u->ier & ~HV_UART_IER_MASK)
        return "uart: IER bits 7:4 set";
    if (u->mcr & ~HV_UART_MCR_MASK)
        return "uart: MCR bits 7:5 set";
    if (u->fcr & ~(HV_UART_FCR_ENABLE | HV_UART_FCR_DMA | HV_UART_FCR_TRIGGER))
        return "uart: FCR keeps self-clearing bits";
    if (!(u->fcr & HV_UART_FCR_ENABLE) && u->fcr)
        return "uart: FCR bits programmed with FIFOs disabled";
    if (u->lsr_errors & ~HV_UART_LSR_OE)
        return "uart: LSR error bits other than OE (the model produces no PE/FE/BI)";
    if (u->msr_delta & 0xf0u)
        return "uart: MSR delta bits outside 3:0";
    if (u->msr_lines != modem_lines(u))
        return "uart: MSR lines differ from the modem inputs";
    if (u->irq_line != line_level(u))
        return "uart: IRQ 4 line disagrees with IIR and MCR.OUT2";
    return NULL;
}
