/* Time: the TSC, calibrated once at boot against PIT channel 2, which counts at 1.193182 MHz whatever the
 * CPU's speed (the speaker gate lets us run it and read its output without interrupts). Bochs and QEMU keep
 * the TSCs of all CPUs in step; platform_time_ns also never returns less than it returned before, on any
 * CPU, so callers can rely on "monotonic" even if a TSC lags a little. */
#include "boot.h"

#define PIT_HZ 1193182ull
#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_GATE_PORT 0x61     /* bit 0 gate of channel 2, bit 1 speaker, bit 5 channel 2 output */
#define CALIBRATE_MS 20ull
#define FALLBACK_TSC_HZ ((uint64_t)1000000000)

static uint64_t tsc_hz, tsc0;
static uint64_t ns_mult; /* ns = (tsc_delta * ns_mult) >> 32 */
static uint64_t last_ns;

void time_init(void) {
    uint64_t count = PIT_HZ * CALIBRATE_MS / 1000;
    outb(PIT_GATE_PORT, (uint8_t)((inb(PIT_GATE_PORT) & ~0x02) | 0x01)); /* gate on, speaker off */
    outb(PIT_COMMAND, 0xB0); /* channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count), binary */
    outb(PIT_CH2_DATA, (uint8_t)count);
    outb(PIT_CH2_DATA, (uint8_t)(count >> 8)); /* counting starts now; OUT2 goes high at zero */
    uint64_t start = rdtsc(), spins = 0;
    while (!(inb(PIT_GATE_PORT) & 0x20) && spins < 100000000ull)
        spins++;
    uint64_t delta = rdtsc() - start;
    if (!(inb(PIT_GATE_PORT) & 0x20) || delta == 0) {
        con_printf("hvkit: PIT channel 2 never fired; assuming a %lu Hz TSC\n", FALLBACK_TSC_HZ);
        tsc_hz = FALLBACK_TSC_HZ;
    } else {
        tsc_hz = delta * 1000 / CALIBRATE_MS;
    }
    ns_mult = (1000000000ull << 32) / tsc_hz;
    tsc0 = rdtsc();
}

uint64_t time_tsc_hz(void) { return tsc_hz; }

uint64_t platform_time_ns(void) {
    uint64_t now = (uint64_t)(((unsigned __int128)(rdtsc() - tsc0) * ns_mult) >> 32);
    uint64_t prev = __atomic_load_n(&last_ns, __ATOMIC_RELAXED);
    do {
        if (now <= prev)
            return prev;
    } while (!__atomic_compare_exchange_n(&last_ns, &prev, now, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return now;
}

void time_delay_us(uint64_t us) {
    uint64_t end = rdtsc() + us * tsc_hz / 1000000;
    while ((int64_t)(rdtsc() - end) < 0)
        cpu_relax();
}
