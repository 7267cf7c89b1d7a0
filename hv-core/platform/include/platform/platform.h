/* The bootable platform's internal seam (hv-core/platform/ only; hv-core/src never includes this).
 *
 * boot/ (multiboot2 entry, long mode, descriptor tables, console, page allocator, time, SMP start) provides
 * the services below; vmx/ implements hv/arch.h on top of them with the real VMX instructions; main/ is the
 * hypervisor's main program (hvkit_main) that brings VMX up on every CPU and runs the guest programs the boot
 * command line selects.
 *
 * Memory model: the boot page tables identity-map all physical memory the allocator can hand out, so a
 * physical address the allocator returned is also a valid pointer (platform_phys_to_virt is the identity on
 * those pages and NULL elsewhere).
 */
#ifndef HVKIT_PLATFORM_H
#define HVKIT_PLATFORM_H

#include <hv/arch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLATFORM_MAX_CPUS 16u
#define PLATFORM_PAGE_SIZE 4096u

/* One logical processor as the platform knows it. The core sees it only as the opaque struct hv_arch_cpu. */
struct hv_arch_cpu {
    unsigned index;     /* 0 = the bootstrap processor, then APs in MADT order */
    uint32_t apic_id;   /* local APIC ID (CPUID.1:EBX[31:24], or the MADT's) */
    uint64_t stack_top; /* this CPU's kernel stack (also the VM-exit stack: HOST_RSP) */
    bool online;        /* it reached 64-bit C code */
    /* descriptor tables of this CPU (boot/cpu_tables.c) */
    uint16_t tr_selector;
    uint64_t gdt_base, idt_base, tss_base;
    uint16_t gdt_limit, idt_limit;
    /* vmx/ state */
    bool vmx_on;
    hv_paddr_t current_vmcs; /* what this CPU last VMPTRLDed (0: none) */
};

/* ---- boot/: console (COM1 at 115200 8N1 and Bochs/QEMU port 0xE9, every byte to both) ---- */
void con_write(const char *s, size_t n);
void con_puts(const char *s); /* s then "\n" */
/* printf subset: %d %i %u %x %lx %llx %lu %llu %ld %lld %s %c %p %%, with 0-padding and width. One call
 * is atomic with respect to other CPUs' calls (a spinlock). */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void con_vprintf(const char *fmt, va_list ap);
/* snprintf into a buffer with the same subset; returns the length it would have written. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- boot/: ending a run ----
 * Prints "HVKIT-END status=<status>", then ends the machine: QEMU's isa-debug-exit (port 0xf4, so QEMU exits
 * with (status << 1) | 1), then Bochs' magic breakpoint (xchg %bx,%bx: the debugger's rc file quits), then
 * cli; hlt forever. Status 0 = pass; the runners decide on the status AND the final result line. */
enum platform_status {
    PLATFORM_PASS = 0,
    PLATFORM_FAIL = 1,     /* a test or the hypervisor failed */
    PLATFORM_NO_VMX = 2,   /* the processor has no VMX (QEMU TCG) */
    PLATFORM_REFUSED = 3,  /* VMX is there but the core refused it (e.g. no EPT), cleanly */
    PLATFORM_CRASH = 4,    /* an exception in the hypervisor (the handler printed vector, error code, RIP) */
};
__attribute__((noreturn)) void platform_exit(enum platform_status status);

/* ---- boot/: the multiboot2 information ---- */
const char *boot_cmdline(void); /* the kernel command line GRUB passed ("" when none) */
/* Value of "key=value" on the command line (the value runs to the next space); NULL when absent. Copies
 * into buf (NUL-terminated, truncated to size). */
const char *boot_cmdline_get(const char *key, char *buf, size_t size);

/* ---- boot/: physical pages (4 KiB) from the multiboot2 memory map: never the first MiB, the kernel image,
 * the multiboot2 information, modules, or reserved/ACPI/bad ranges. Zeroed on allocation. Safe on any CPU. */
hv_paddr_t pmm_alloc_page(void); /* 0 when none is left */
void pmm_free_page(hv_paddr_t pa);
size_t pmm_free_pages(void);
void *platform_phys_to_virt(hv_paddr_t pa); /* identity on allocated pages, NULL for 0 */

/* ---- boot/: time ---- */
uint64_t platform_time_ns(void); /* monotonic, from the TSC calibrated against the PIT at boot */

/* ---- boot/: processors ---- */
unsigned platform_cpu_count(void);               /* CPUs online (1 + APs that started) */
struct hv_arch_cpu *platform_cpu(unsigned index); /* NULL when index >= count */
struct hv_arch_cpu *platform_this_cpu(void);     /* the CPU this code runs on (from its GS base) */
/* Run fn on every AP (each on its own stack, with its own GDT/TSS/IDT) and wait until all returned. */
void platform_run_on_aps(void (*fn)(struct hv_arch_cpu *cpu, void *arg), void *arg);

/* ---- main/: the hypervisor's program, called by boot/ on the BSP once everything above works. Never
 * returns (ends with platform_exit). A weak default in boot/ prints the banner, runs the platform self-tests
 * and exits PASS, so boot/ can be tested alone. */
void hvkit_main(void);

#endif
