/* The local APIC in xAPIC mode, memory-mapped at the MADT's address (identity-mapped; the BIOS's MTRRs make
 * that range uncacheable). Only what starting APs needs: software enable and the interrupt command register
 * (SDM Vol. 3 §11.4, §11.6.1). */
#include "boot.h"

#define LAPIC_ID 0x20
#define LAPIC_SVR 0xF0     /* spurious-interrupt vector register, bit 8 = APIC software enable (§11.9) */
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310 /* destination APIC ID in bits 31:24 (§11.6.1) */
#define ICR_DELIVERY_INIT (5u << 8)
#define ICR_DELIVERY_STARTUP (6u << 8)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_SEND_PENDING (1u << 12) /* delivery status */
#define APIC_BASE_ENABLE (1ull << 11) /* IA32_APIC_BASE bit 11: APIC global enable (§11.4.4) */
#define APIC_BASE_X2APIC (1ull << 10)

static volatile uint32_t *lapic;

static uint32_t reg_read(unsigned off) { return lapic[off / 4]; }
static void reg_write(unsigned off, uint32_t v) { lapic[off / 4] = v; }

bool lapic_init(uint64_t base) {
    uint64_t msr = rdmsr(MSR_IA32_APIC_BASE);
    if (msr & APIC_BASE_X2APIC) {
        con_puts("hvkit: lapic: the firmware left x2APIC mode on; the xAPIC MMIO interface is off");
        return false;
    }
    if (base == 0)
        base = msr & 0xFFFFFF000ull;
    if (base & 0xFFF || base >= paging_identity_limit()) {
        con_printf("hvkit: lapic: base 0x%lx is not usable\n", base);
        return false;
    }
    if (!(msr & APIC_BASE_ENABLE))
        wrmsr(MSR_IA32_APIC_BASE, msr | APIC_BASE_ENABLE);
    lapic = (volatile uint32_t *)(uintptr_t)base;
    lapic_enable_this_cpu();
    return true;
}

void lapic_enable_this_cpu(void) {
    if (lapic)
        reg_write(LAPIC_SVR, reg_read(LAPIC_SVR) | 0x100 | 0xFF); /* enabled, spurious vector 0xFF */
}

uint32_t lapic_id(void) {
    if (lapic)
        return reg_read(LAPIC_ID) >> 24;
    uint32_t r[4];
    cpuid(1, 0, r);
    return r[1] >> 24; /* CPUID.01H:EBX[31:24], the initial APIC ID */
}

static bool send_ipi(uint32_t apic_id, uint32_t low) {
    reg_write(LAPIC_ICR_HI, apic_id << 24);
    reg_write(LAPIC_ICR_LO, low); /* writing the low half sends it */
    for (unsigned i = 0; i < 1000; i++) {
        if (!(reg_read(LAPIC_ICR_LO) & ICR_SEND_PENDING))
            return true;
        time_delay_us(10);
    }
    con_printf("hvkit: lapic: IPI 0x%x to APIC %u still pending after 10 ms\n", low, apic_id);
    return false;
}

bool lapic_send_init(uint32_t apic_id) { return send_ipi(apic_id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT); }

bool lapic_send_sipi(uint32_t apic_id, uint8_t vector) {
    return send_ipi(apic_id, ICR_DELIVERY_STARTUP | ICR_LEVEL_ASSERT | vector);
}
