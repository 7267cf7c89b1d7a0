/* Starting the application processors and giving them work.
 *
 * For each processor of the MADT other than ourselves, one at a time: fill the trampoline's data block (CR3,
 * the AP's stack, its struct hv_arch_cpu, the C entry), then INIT, 10 ms, STARTUP, 200 us, STARTUP, the
 * "universal start-up algorithm" of SDM Vol. 3 §9.4.4.1, and wait up to 200 ms for the AP to report online.
 * An AP then waits for platform_run_on_aps to publish a function (a generation counter), runs it and counts
 * itself done. Interrupts stay off on every CPU. */
#include "boot.h"

struct ap_trampoline_data { /* ap_trampoline.S, at ap_trampoline_data */
    uint64_t cr3, stack, cpu, entry;
};
extern const char ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_data[];

#define AP_START_TIMEOUT_US ((uint64_t)200000)
#define LOW_MEM_END 0xA0000ull /* conventional memory ends here: the EBDA and video memory follow */

static unsigned cpus_online = 1;
static uint64_t trampoline_pa;

static struct {
    void (*volatile fn)(struct hv_arch_cpu *, void *);
    void *volatile arg;
    volatile uint32_t generation, done;
} work;

unsigned platform_cpu_count(void) { return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE); }

struct hv_arch_cpu *platform_cpu(unsigned index) { return index < platform_cpu_count() ? cpu_slot(index) : NULL; }

static __attribute__((noreturn)) void ap_idle(struct hv_arch_cpu *cpu) {
    uint32_t seen = 0;
    for (;;) {
        uint32_t gen;
        while ((gen = __atomic_load_n(&work.generation, __ATOMIC_ACQUIRE)) == seen)
            cpu_relax();
        seen = gen;
        work.fn(cpu, work.arg);
        __atomic_fetch_add(&work.done, 1, __ATOMIC_RELEASE);
    }
}

/* The C entry of an AP, called by the trampoline in 64-bit mode on the AP's own stack. */
static __attribute__((noreturn, used)) void ap_entry(struct hv_arch_cpu *cpu) {
    cpu_tables_load(cpu);
    lapic_enable_this_cpu();
    __atomic_store_n(&cpu->online, true, __ATOMIC_RELEASE);
    ap_idle(cpu);
}

/* A free 4-KiB page below 640 KiB for the trampoline: available in the memory map and not holding the
 * multiboot2 information or a module (GRUB may put them low). The STARTUP vector is its page number. */
static uint64_t find_trampoline_page(void) {
    size_t len = (size_t)(ap_trampoline_end - ap_trampoline_start);
    for (uint64_t pa = 0x8000; pa < LOW_MEM_END; pa += PLATFORM_PAGE_SIZE) {
        bool ok = false;
        for (unsigned i = 0; i < mb2_mmap_count(); i++) {
            const struct mb2_mmap_entry *e = mb2_mmap(i);
            if (e->type == MB2_MEM_AVAILABLE && e->base <= pa && e->base + e->length >= pa + len)
                ok = true;
        }
        for (unsigned i = 0; i < mb2_mmap_count(); i++) {
            const struct mb2_mmap_entry *e = mb2_mmap(i);
            if (e->type != MB2_MEM_AVAILABLE && e->base < pa + PLATFORM_PAGE_SIZE && pa < e->base + e->length)
                ok = false;
        }
        if (mb2_info_start() < pa + PLATFORM_PAGE_SIZE && pa < mb2_info_end())
            ok = false;
        for (unsigned i = 0; i < boot_module_count(); i++)
            if (boot_module(i)->start < pa + PLATFORM_PAGE_SIZE && pa < boot_module(i)->end)
                ok = false;
        if (ok)
            return pa;
    }
    return 0;
}

static bool start_ap(struct hv_arch_cpu *cpu) {
    uint8_t *tramp = (uint8_t *)(uintptr_t)trampoline_pa;
    struct ap_trampoline_data *data =
        (struct ap_trampoline_data *)(tramp + (ap_trampoline_data - ap_trampoline_start));
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    memcpy(tramp, ap_trampoline_start, (size_t)(ap_trampoline_end - ap_trampoline_start));
    data->cr3 = cr3;
    data->stack = cpu->stack_top;
    data->cpu = (uint64_t)(uintptr_t)cpu;
    data->entry = (uint64_t)(uintptr_t)ap_entry;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    uint8_t vector = (uint8_t)(trampoline_pa >> 12);
    if (!lapic_send_init(cpu->apic_id))
        return false;
    time_delay_us(10000);
    for (int i = 0; i < 2; i++) {
        if (!lapic_send_sipi(cpu->apic_id, vector))
            return false;
        time_delay_us(200);
    }
    uint64_t deadline = platform_time_ns() + AP_START_TIMEOUT_US * 1000;
    while (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE)) {
        if (platform_time_ns() > deadline)
            return false;
        cpu_relax();
    }
    return true;
}

void smp_init(void) {
    struct acpi_cpus found;
    if (!acpi_find_cpus(&found)) {
        con_puts("hvkit: smp: no processor list from ACPI; running on the boot CPU only");
        return;
    }
    if (!lapic_init(found.lapic_base)) {
        con_puts("hvkit: smp: no usable local APIC; running on the boot CPU only");
        return;
    }
    uint32_t self = lapic_id();
    cpu_slot(0)->apic_id = self;
    if (found.count <= 1)
        return;
    trampoline_pa = find_trampoline_page();
    if (!trampoline_pa) {
        con_puts("hvkit: smp: no free page below 640 KiB for the AP trampoline; boot CPU only");
        return;
    }
    for (unsigned i = 0; i < found.count; i++) {
        if (found.apic_id[i] == self)
            continue;
        unsigned index = platform_cpu_count();
        if (index >= PLATFORM_MAX_CPUS)
            break;
        struct hv_arch_cpu *cpu = cpu_slot(index);
        cpu->index = index;
        cpu->apic_id = found.apic_id[i];
        cpu->stack_top = cpu_stack_top(index);
        if (start_ap(cpu)) {
            __atomic_store_n(&cpus_online, index + 1, __ATOMIC_RELEASE);
        } else {
            con_printf("hvkit: smp: APIC %u did not start (INIT-SIPI-SIPI, %lu ms); skipped\n", cpu->apic_id,
                       AP_START_TIMEOUT_US / 1000);
            /* INIT again puts it back into wait-for-SIPI (SDM Vol. 3 §9.4.2), so a late riser cannot run
             * on the struct the next AP gets. */
            lapic_send_init(cpu->apic_id);
            cpu->online = false;
        }
    }
}

void platform_run_on_aps(void (*fn)(struct hv_arch_cpu *cpu, void *arg), void *arg) {
    unsigned aps = platform_cpu_count() - 1;
    if (aps == 0)
        return;
    work.fn = fn;
    work.arg = arg;
    __atomic_store_n(&work.done, 0, __ATOMIC_RELAXED);
    __atomic_fetch_add(&work.generation, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&work.done, __ATOMIC_ACQUIRE) < aps)
        cpu_relax();
}
