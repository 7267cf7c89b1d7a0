/* The IDT (vectors 0-31) and what an exception does in the hypervisor: print one HVKIT-CRASH line with the
 * CPU, vector, error code, RIP and CR2 and end the run with PLATFORM_CRASH. The hypervisor never expects an
 * exception, so there is nothing to resume. */
#include "boot.h"

struct exception_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rdi, rsi, rbp, rbx, rdx, rcx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU (SDM Vol. 3 §7.14.2, 64-bit mode) */
};

/* 64-bit interrupt gate (SDM Vol. 3 §7.14.1, Figure 7-8). */
struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type_attr; /* type_attr 0x8E: present, DPL 0, 64-bit interrupt gate (IF cleared) */
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
} __attribute__((packed));

static struct idt_gate idt[32] __attribute__((aligned(16)));
extern const uint64_t isr_stub_table[32];

static const char *const vector_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "-",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "-",   "-",   "-",   "-",   "-",   "-",   "#HV", "#VC", "#SX", "-"};

void idt_init(void) {
    for (unsigned v = 0; v < 32; v++) {
        uint64_t a = isr_stub_table[v];
        /* Own stacks (TSS IST, cpu_tables.c) for the exceptions that may come with a broken kernel stack. */
        uint8_t ist = v == 8 ? 1 : v == 2 ? 2 : v == 18 ? 3 : 0;
        idt[v] = (struct idt_gate){(uint16_t)a, BOOT_SEL_CODE64, ist, 0x8E, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0};
    }
}

uint64_t idt_table_base(void) { return (uint64_t)(uintptr_t)idt; }
uint16_t idt_table_limit(void) { return sizeof idt - 1; }

__attribute__((noreturn)) void exception_dispatch(struct exception_frame *f);
__attribute__((noreturn)) void exception_dispatch(struct exception_frame *f) {
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    struct hv_arch_cpu *self = platform_this_cpu();
    /* Only the first exception is reported. Another CPU faulting meanwhile halts quietly so the report
     * completes; a fault inside this handler on the reporting CPU ends the machine without printing again. */
    static uint32_t crashing; /* 0, or the reporting CPU's index + 1 */
    uint32_t me = self ? self->index + 1 : 1, expected = 0;
    if (!__atomic_compare_exchange_n(&crashing, &expected, me, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        if (expected == me) {
            outb(0xF4, PLATFORM_CRASH); /* QEMU isa-debug-exit, as platform_exit */
            __asm__ volatile("xchg %%bx, %%bx" ::: "memory"); /* Bochs magic breakpoint */
        }
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    con_break_lock_for_crash();
    con_printf("HVKIT-CRASH cpu=%u vector=%lu error=0x%lx rip=0x%lx cr2=0x%lx\n", self ? self->index : 0,
               f->vector, f->error, f->rip, cr2);
    con_printf("hvkit: %s at rip=0x%lx rsp=0x%lx rflags=0x%lx cs=0x%lx rax=0x%lx rbx=0x%lx rcx=0x%lx rdx=0x%lx\n",
               vector_names[f->vector & 31], f->rip, f->rsp, f->rflags, f->cs, f->rax, f->rbx, f->rcx, f->rdx);
    platform_exit(PLATFORM_CRASH);
}
