/* The non-VMX processor operations of hv/arch.h: CPUID, control registers, and the host state the VMCS
 * host-state area repeats (SDM Vol. 3 §25.5). They act on the CPU this code runs on; `cpu` names it. */
#include "vmx_internal.h"

/* SDM Vol. 2A CPUID: EAX = leaf, ECX = subleaf. */
void vmx_cpuid_raw(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    uint32_t a, b, c, d;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(subleaf));
    out[0] = a;
    out[1] = b;
    out[2] = c;
    out[3] = d;
}

void hv_arch_cpuid(struct hv_arch_cpu *cpu, uint32_t leaf, uint32_t subleaf, struct hv_cpuid_regs *out)
{
    (void)cpu;
    uint32_t r[4];
    vmx_cpuid_raw(leaf, subleaf, r);
    out->eax = r[0];
    out->ebx = r[1];
    out->ecx = r[2];
    out->edx = r[3];
}

/* SDM Vol. 2B MOV to/from control registers. */
uint64_t hv_arch_read_cr0(struct hv_arch_cpu *cpu)
{
    (void)cpu;
    uint64_t v;
    __asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
    return v;
}

uint64_t hv_arch_read_cr3(struct hv_arch_cpu *cpu)
{
    (void)cpu;
    uint64_t v;
    __asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
    return v;
}

uint64_t hv_arch_read_cr4(struct hv_arch_cpu *cpu)
{
    (void)cpu;
    uint64_t v;
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
    return v;
}

/* The core writes CR0/CR4 only to satisfy IA32_VMX_CR0/CR4_FIXED0/1 (SDM Vol. 3 §24.8) or to restore what
 * it saved; a reserved bit set would #GP (Vol. 3 §2.5) and end the run through the boot IDT. */
void hv_arch_write_cr0(struct hv_arch_cpu *cpu, uint64_t value)
{
    (void)cpu;
    __asm__ __volatile__("mov %0, %%cr0" : : "r"(value) : "memory");
}

void hv_arch_write_cr4(struct hv_arch_cpu *cpu, uint64_t value)
{
    (void)cpu;
    __asm__ __volatile__("mov %0, %%cr4" : : "r"(value) : "memory");
}

static uint64_t rdmsr_raw(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

/* The base of the TSS the selector names, from its 16-byte system descriptor in the GDT (SDM Vol. 3 §8.2.3,
 * Figure 8-4: base 15:0 in bits 31:16, 23:16 in bits 39:32, 31:24 in bits 63:56, 63:32 in the second
 * quadword). A selector the GDT limit does not cover gives fallback (the platform's own record). */
static uint64_t tss_base_from_gdt(const struct vmx_dtr *gdtr, uint16_t sel, uint64_t fallback)
{
    uint32_t off = sel & ~7u;
    if (sel == 0 || (sel & 4u) || off + 15u > gdtr->limit)
        return fallback;
    const volatile uint64_t *d = (const volatile uint64_t *)(uintptr_t)(gdtr->base + off);
    uint64_t lo = d[0], hi = d[1];
    return ((lo >> 16) & 0xffffffull) | (((lo >> 56) & 0xffull) << 24) | ((hi & 0xffffffffull) << 32);
}

void hv_arch_read_host_state(struct hv_arch_cpu *cpu, struct hv_host_state *out)
{
    uint16_t cs, ss, ds, es, fs, gs, tr;
    __asm__ __volatile__("mov %%cs, %0" : "=r"(cs));
    __asm__ __volatile__("mov %%ss, %0" : "=r"(ss));
    __asm__ __volatile__("mov %%ds, %0" : "=r"(ds));
    __asm__ __volatile__("mov %%es, %0" : "=r"(es));
    __asm__ __volatile__("mov %%fs, %0" : "=r"(fs));
    __asm__ __volatile__("mov %%gs, %0" : "=r"(gs));
    __asm__ __volatile__("str %0" : "=r"(tr)); /* SDM Vol. 2B STR */
    struct vmx_dtr gdtr, idtr;
    vmx_sgdt(&gdtr);
    vmx_sidt(&idtr);
    out->cs = cs;
    out->ss = ss;
    out->ds = ds;
    out->es = es;
    out->fs = fs;
    out->gs = gs;
    out->tr = tr;
    /* In 64-bit mode the FS/GS bases live in IA32_FS_BASE/IA32_GS_BASE (SDM Vol. 3 §3.4.4; MSRs C0000100H and
     * C0000101H exist on every processor that runs 64-bit code, CPUID.80000001H:EDX[29]). GS base is how the
     * platform finds its struct hv_arch_cpu, so the VM exit must restore exactly this. */
    out->fs_base = rdmsr_raw(0xc0000100u);
    out->gs_base = rdmsr_raw(0xc0000101u);
    out->tr_base = tss_base_from_gdt(&gdtr, tr, cpu ? cpu->tss_base : 0);
    out->gdtr_base = gdtr.base;
    out->idtr_base = idtr.base;
}
