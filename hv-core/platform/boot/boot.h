/* boot/'s internal declarations: what the boot files share with each other (and, where noted, with main/).
 * The platform's public seam is platform/platform.h; this header is for hv-core/platform/ only. */
#ifndef HVKIT_BOOT_H
#define HVKIT_BOOT_H

#include "boot_layout.h"
#include <platform/platform.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- entry: kmain is called by entry.S on the BSP in 64-bit mode with the GRUB hand-over registers ---- */
__attribute__((noreturn)) void kmain(uint32_t magic, uint64_t info);
extern uint64_t boot_pml4[512]; /* the page tables every CPU uses (entry.S) */
extern uint64_t boot_pdpt[512];
extern char _kernel_start[], _kernel_end[]; /* linker.ld */

/* ---- spinlock (spinlock.c). owner is the CPU index + 1 of the holder (0 free), so the crash handler can
 * tell whether the CPU that faulted holds the console lock. ---- */
struct spinlock {
    volatile uint32_t owner;
};
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);

/* ---- console (console.c, format.c) ---- */
void con_init(void);
/* The formatter behind con_vprintf and kvsnprintf: calls out(c, ctx) for each character. */
int kformat(void (*out)(char c, void *ctx), void *ctx, const char *fmt, va_list ap);
/* For the crash handler: take the console even if this CPU held it when it faulted. */
void con_break_lock_for_crash(void);
void con_flush(void); /* wait until COM1 has sent everything */

/* ---- multiboot2 information (mb2.c) ---- */
struct mb2_mmap_entry {
    uint64_t base, length;
    uint32_t type; /* 1 available, 3 ACPI reclaimable, 4 NVS, 5 bad (Multiboot2 spec §3.6.8) */
};
#define MB2_MEM_AVAILABLE 1u
#define MB2_MMAP_MAX 128u
#define MB2_MODULES_MAX 16u
struct boot_module { /* also for main/: guest programs loaded as multiboot2 modules */
    uint64_t start, end; /* physical, end exclusive */
    const char *string;  /* GRUB's module command line (points into the multiboot2 information) */
};
/* Parses and copies what boot/ needs; false (with a printed reason) when the information is malformed. */
bool mb2_parse(uint32_t magic, uint64_t info);
unsigned mb2_mmap_count(void);
const struct mb2_mmap_entry *mb2_mmap(unsigned i);
uint64_t mb2_info_start(void), mb2_info_end(void);
unsigned boot_module_count(void);
const struct boot_module *boot_module(unsigned i);
/* The RSDP copy from the ACPI tags (new preferred over old); NULL when GRUB gave none. len = bytes copied. */
const uint8_t *mb2_rsdp(size_t *len);
uint64_t mb2_usable_bytes(void);

/* ---- paging (paging.c): the identity map, extended past 4 GiB when RAM is there ---- */
void paging_extend(uint64_t highest_usable);
uint64_t paging_identity_limit(void); /* bytes identity-mapped from 0 */

/* ---- physical pages (pmm.c) ---- */
bool pmm_init(void);
size_t pmm_total_pages(void);

/* ---- descriptor tables and CPUs (cpu_tables.c, exceptions.c) ---- */
void idt_init(void);                           /* once, on the BSP */
void cpu_tables_load(struct hv_arch_cpu *cpu); /* this CPU's GDT/TSS, the IDT, GS base = cpu */
struct hv_arch_cpu *cpu_slot(unsigned index);  /* the storage, online or not */
uint64_t cpu_stack_top(unsigned index);
uint64_t idt_table_base(void);
uint16_t idt_table_limit(void);
extern uint8_t boot_stacks[PLATFORM_MAX_CPUS][BOOT_STACK_SIZE]; /* entry.S runs the BSP on boot_stacks[0] */

/* ---- time (time.c) ---- */
void time_init(void);
uint64_t time_tsc_hz(void);
void time_delay_us(uint64_t us);

/* ---- ACPI (acpi.c) and the local APIC (lapic.c) ---- */
struct acpi_cpus {
    uint64_t lapic_base;
    unsigned count;
    uint32_t apic_id[PLATFORM_MAX_CPUS]; /* enabled or online-capable processors, MADT order */
};
/* false with a printed reason when no valid MADT is reachable. */
bool acpi_find_cpus(struct acpi_cpus *out);
bool lapic_init(uint64_t base); /* on the BSP: map check, software enable */
void lapic_enable_this_cpu(void);
uint32_t lapic_id(void);
bool lapic_send_init(uint32_t apic_id);
bool lapic_send_sipi(uint32_t apic_id, uint8_t vector);

/* ---- SMP (smp.c) ---- */
void smp_init(void); /* starts every AP the MADT names; the count is platform_cpu_count() */

/* ---- self-tests (selftest.c), run by the default hvkit_main and by kmain for hvkit.test=selftest* ---- */
bool boot_cmdline_has_test(const char *name); /* name is one of hvkit.test's comma-separated items */
__attribute__((noreturn)) void boot_selftest_run(void);
__attribute__((noreturn)) void boot_selftest_crash(void);
__attribute__((noreturn)) void boot_selftest_crash_ap(void);

/* ---- port I/O, MSRs, CPUID, TSC ---- */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v) {
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

#define MSR_IA32_APIC_BASE 0x1Bu  /* SDM Vol. 3 §11.4.4 */
#define MSR_IA32_EFER 0xC0000080u /* SDM Vol. 3 §2.2.1 */
#define MSR_IA32_GS_BASE 0xC0000101u /* SDM Vol. 3 §3.4.4.1 */

/* freestanding memory helpers (libc_mem.c); gcc may emit calls to these for struct copies */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t kstrlen(const char *s);

#endif
