/* The console: COM1 (16550 at 0x3F8, 115200 8N1) and the Bochs/QEMU debug port 0xE9. Every byte goes to
 * both; COM1 also gets a CR before each LF so a terminal shows lines (the runners strip it). One
 * con_printf/con_write call holds the console lock, so lines of different CPUs never interleave. */
#include "boot.h"

#define COM1 0x3F8
#define UART_THR 0 /* transmit holding register (DLAB = 0) */
#define UART_DLL 0 /* divisor latch low/high (DLAB = 1) */
#define UART_DLH 1
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_THRE 0x20 /* transmit holding register empty */
#define UART_LSR_TEMT 0x40 /* transmitter empty: the last byte has left the shift register */
#define DEBUG_PORT 0xE9

static struct spinlock con_lock;

void con_init(void) {
    outb(COM1 + UART_IER, 0x00); /* no UART interrupts: we poll */
    outb(COM1 + UART_LCR, 0x80); /* DLAB = 1 to set the divisor */
    outb(COM1 + UART_DLL, 0x01); /* 115200 = 1.8432 MHz / 16 / 1 */
    outb(COM1 + UART_DLH, 0x00);
    outb(COM1 + UART_LCR, 0x03); /* 8 data bits, no parity, 1 stop bit, DLAB = 0 */
    outb(COM1 + UART_FCR, 0xC7); /* FIFOs on and cleared */
    outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static void com1_putc(char c) {
    /* Bounded wait: with no UART at all LSR reads 0xFF (THRE set), and a wedged one must not hang us. */
    for (unsigned spins = 0; spins < 100000 && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); spins++)
        cpu_relax();
    outb(COM1 + UART_THR, (uint8_t)c);
}

static void hw_putc(char c) {
    if (c == '\n')
        com1_putc('\r');
    com1_putc(c);
    outb(DEBUG_PORT, (uint8_t)c);
}

static void hw_out(char c, void *ctx) {
    (void)ctx;
    hw_putc(c);
}

void con_write(const char *s, size_t n) {
    spin_lock(&con_lock);
    for (size_t i = 0; i < n; i++)
        hw_putc(s[i]);
    spin_unlock(&con_lock);
}

void con_puts(const char *s) {
    spin_lock(&con_lock);
    while (*s)
        hw_putc(*s++);
    hw_putc('\n');
    spin_unlock(&con_lock);
}

void con_vprintf(const char *fmt, va_list ap) {
    spin_lock(&con_lock);
    kformat(hw_out, NULL, fmt, ap);
    spin_unlock(&con_lock);
}

void con_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    con_vprintf(fmt, ap);
    va_end(ap);
}

void con_flush(void) {
    /* Emulators stop the machine at once on exit: without this the last bytes of the final line, still in
     * the UART, never reach the log (measured in Bochs: "HVKIT-END status=0" lost its CR LF). */
    for (unsigned spins = 0; spins < 1000000 && !(inb(COM1 + UART_LSR) & UART_LSR_TEMT); spins++)
        cpu_relax();
}

void con_break_lock_for_crash(void) {
    struct hv_arch_cpu *self = platform_this_cpu();
    uint32_t tag = self ? self->index + 1 : 1;
    if (__atomic_load_n(&con_lock.owner, __ATOMIC_RELAXED) == tag) {
        /* This CPU faulted while printing: finish on a fresh line rather than deadlock on itself. */
        spin_unlock(&con_lock);
        con_write("\n", 1);
        return;
    }
    /* Another CPU holds it: give it a bounded time (it may have crashed too), then take the console. */
    for (unsigned spins = 0; spins < 10000000; spins++) {
        if (__atomic_load_n(&con_lock.owner, __ATOMIC_RELAXED) == 0)
            return;
        cpu_relax();
    }
    spin_unlock(&con_lock);
}
