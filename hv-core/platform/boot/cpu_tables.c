/* Per-CPU descriptor tables: a GDT (null, 64-bit code, data, a 16-byte TSS descriptor) and a TSS whose IST
 * entries give #DF, NMI and #MC their own stacks, so a kernel stack overflow still reaches the crash
 * handler. One IDT serves every CPU (exceptions.c). The GS base points at the CPU's struct hv_arch_cpu:
 * platform_this_cpu reads it back. */
#include "boot.h"

/* 64-bit TSS (SDM Vol. 3 §8.7, Figure 8-11). */
struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes (SDM Vol. 3 §8.7)");

#define IST_STACKS 3 /* 1 #DF, 2 NMI, 3 #MC (exceptions.c uses these numbers) */

struct cpu_tables {
    uint64_t gdt[5]; /* null, code64, data, TSS (two slots) */
    struct tss64 tss;
} __attribute__((aligned(16)));

static struct hv_arch_cpu cpus[PLATFORM_MAX_CPUS];
static struct cpu_tables tables[PLATFORM_MAX_CPUS];
uint8_t boot_stacks[PLATFORM_MAX_CPUS][BOOT_STACK_SIZE] __attribute__((aligned(4096)));
static uint8_t ist_stacks[PLATFORM_MAX_CPUS][IST_STACKS][BOOT_IST_STACK_SIZE] __attribute__((aligned(4096)));

struct hv_arch_cpu *cpu_slot(unsigned index) { return index < PLATFORM_MAX_CPUS ? &cpus[index] : NULL; }
uint64_t cpu_stack_top(unsigned index) { return (uint64_t)(uintptr_t)&boot_stacks[index][BOOT_STACK_SIZE]; }

/* A 16-byte system-segment descriptor for the available 64-bit TSS (SDM Vol. 3 §8.2.3, type 9). */
static void set_tss_descriptor(uint64_t *slot, uint64_t base, uint32_t limit) {
    slot[0] = (limit & 0xFFFFull) | ((base & 0xFFFFFFull) << 16) | (0x89ull << 40) |
              ((uint64_t)(limit >> 16 & 0xF) << 48) | ((base >> 24 & 0xFF) << 56);
    slot[1] = base >> 32;
}

void cpu_tables_load(struct hv_arch_cpu *cpu) {
    struct cpu_tables *t = &tables[cpu->index];
    t->gdt[0] = 0;
    t->gdt[1] = 0x00AF9A000000FFFFull; /* code: present, DPL 0, L = 1, D = 0 (SDM Vol. 3 §3.4.5) */
    t->gdt[2] = 0x00CF92000000FFFFull; /* data: present, writable */
    for (unsigned i = 0; i < IST_STACKS; i++)
        t->tss.ist[i] = (uint64_t)(uintptr_t)&ist_stacks[cpu->index][i][BOOT_IST_STACK_SIZE];
    t->tss.rsp[0] = cpu->stack_top;
    t->tss.iomap_base = sizeof(struct tss64); /* no I/O permission bitmap */
    set_tss_descriptor(&t->gdt[3], (uint64_t)(uintptr_t)&t->tss, sizeof(struct tss64) - 1);

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = {sizeof t->gdt - 1, (uint64_t)(uintptr_t)t->gdt},
                              idtr = {idt_table_limit(), idt_table_base()};
    __asm__ volatile("lgdt %0" ::"m"(gdtr));
    /* Reload CS with a far return, then the data segments; FS and GS get the null selector (their bases
     * come from MSRs in 64-bit mode). */
    __asm__ volatile("pushq %[cs]\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov %[ds], %%eax\n\t"
                     "mov %%eax, %%ds\n\t"
                     "mov %%eax, %%es\n\t"
                     "mov %%eax, %%ss\n\t"
                     "xor %%eax, %%eax\n\t"
                     "mov %%eax, %%fs\n\t"
                     "mov %%eax, %%gs\n\t"
                     :
                     : [cs] "i"(BOOT_SEL_CODE64), [ds] "i"(BOOT_SEL_DATA)
                     : "rax", "memory");
    __asm__ volatile("ltr %w0" ::"r"((uint16_t)BOOT_SEL_TSS));
    __asm__ volatile("lidt %0" ::"m"(idtr));
    wrmsr(MSR_IA32_GS_BASE, (uint64_t)(uintptr_t)cpu);

    cpu->tr_selector = BOOT_SEL_TSS;
    cpu->gdt_base = gdtr.base;
    cpu->gdt_limit = gdtr.limit;
    cpu->idt_base = idtr.base;
    cpu->idt_limit = idtr.limit;
    cpu->tss_base = (uint64_t)(uintptr_t)&t->tss;
}

struct hv_arch_cpu *platform_this_cpu(void) {
    /* Before cpu_tables_load the GS base is 0: NULL, which callers read as "the boot CPU, early". */
    return (struct hv_arch_cpu *)(uintptr_t)rdmsr(MSR_IA32_GS_BASE);
}
