/* VMX bring-up and teardown on one logical processor (SDM Vol. 3 §24.6-§24.8, §24.11).
 *
 * All state lives in the caller's struct hv_cpu: any number of CPUs can be brought up side by side. */
#include "caps.h"

#include <hv/msr.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

static enum hv_err fail(struct hv_cpu *cpu, enum hv_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum hv_err fail(struct hv_cpu *cpu, enum hv_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hv_vsnprintf(cpu->message, sizeof cpu->message, fmt, ap);
    va_end(ap);
    cpu->err = err;
    if (cpu->arch)
        hv_arch_log(cpu->arch, cpu->message);
    return err;
}

/* CPUID.0 vendor "GenuineIntel" in EBX, EDX, ECX (SDM Vol. 2A CPUID). VMX is Intel's; another vendor's
 * VMX-alike (AMD SVM) is a different architecture. */
static bool genuine_intel(const struct hv_cpuid_regs *r)
{
    return r->ebx == 0x756e6547u /* "Genu" */ && r->edx == 0x49656e69u /* "ineI" */ &&
           r->ecx == 0x6c65746eu /* "ntel" */;
}

/* IA32_FEATURE_CONTROL (SDM Vol. 3 §24.7): VMXON outside SMX needs bit 2 with the lock bit 0 set; VMXON
 * #GPs otherwise. Unlocked (firmware left it to us): set bit 2 and lock. Locked without bit 2: only a reset
 * can change it. */
static enum hv_err feature_control(struct hv_cpu *cpu)
{
    uint64_t fc = 0;
    if (!hv_arch_rdmsr(cpu->arch, MSR_IA32_FEATURE_CONTROL, &fc))
        return fail(cpu, HV_ERR_FEATURE_CONTROL, "RDMSR IA32_FEATURE_CONTROL failed (SDM Vol. 3 §24.7)");
    if (fc & FEATURE_CONTROL_LOCK) {
        if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
            return fail(cpu, HV_ERR_FEATURE_CONTROL,
                        "IA32_FEATURE_CONTROL is locked (0x%llx) without 'enable VMX outside SMX' (bit 2): "
                        "VMXON would #GP (SDM Vol. 3 §24.7); enable VMX in the firmware setup",
                        (unsigned long long)fc);
        return HV_OK;
    }
    uint64_t want = fc | FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCK;
    uint64_t back = 0;
    if (!hv_arch_wrmsr(cpu->arch, MSR_IA32_FEATURE_CONTROL, want) ||
        !hv_arch_rdmsr(cpu->arch, MSR_IA32_FEATURE_CONTROL, &back) || back != want)
        return fail(cpu, HV_ERR_FEATURE_CONTROL,
                    "could not lock IA32_FEATURE_CONTROL with 'enable VMX outside SMX' (wrote 0x%llx) "
                    "(SDM Vol. 3 §24.7)",
                    (unsigned long long)want);
    return HV_OK;
}

/* CR0/CR4 in VMX operation (SDM Vol. 3 §24.8, §A.7, §A.8): a bit set in FIXED0 must be 1, a bit clear in
 * FIXED1 must be 0. `needed` are bits the host cannot do without (CR0.PE/PG of the running 64-bit host,
 * CR4.VMXE and CR4.PAE): FIXED1 forbidding one of them, or FIXED0 requiring a bit FIXED1 forbids, cannot be
 * satisfied. Returns false with *bad naming the offending bits. */
static bool fit_cr(uint64_t cur, uint64_t needed, uint64_t fixed0, uint64_t fixed1, uint64_t *out, uint64_t *bad)
{
    *bad = (fixed0 & ~fixed1) | (needed & ~fixed1);
    *out = (cur | fixed0 | needed) & fixed1;
    return *bad == 0;
}

enum hv_err hv_cpu_init(struct hv_cpu *cpu, struct hv_arch_cpu *arch)
{
    if (cpu->vmx_on && cpu->arch == arch) {
        /* Already up: starting afresh would lose the VMXON region (and VMXON would fail with error 15). */
        hv_snprintf(cpu->message, sizeof cpu->message, "hv_cpu_init: the CPU is already in VMX operation");
        cpu->err = HV_ERR_STATE;
        return HV_ERR_STATE;
    }
    /* Keep what the platform put there (host RIP/RSP of its exit stub); everything else starts afresh. */
    uint64_t host_rip = cpu->host_rip, host_rsp = cpu->host_rsp;
    hv_memset(cpu, 0, sizeof *cpu);
    cpu->arch = arch;
    cpu->host_rip = host_rip;
    cpu->host_rsp = host_rsp;
    if (!arch)
        return fail(cpu, HV_ERR_STATE, "hv_cpu_init: no processor");

    struct hv_cpuid_regs r;
    hv_arch_cpuid(arch, 0, 0, &r);
    if (!genuine_intel(&r))
        return fail(cpu, HV_ERR_NOT_INTEL, "CPUID.0 vendor is not GenuineIntel: VMX is Intel's (SDM Vol. 3 §24.6)");
    if (r.eax < 1)
        return fail(cpu, HV_ERR_NO_VMX, "CPUID leaf 1 not available: cannot check VMX support (SDM Vol. 3 §24.6)");
    hv_arch_cpuid(arch, 1, 0, &r);
    if (!(r.ecx & (1u << 5))) /* CPUID.1:ECX.VMX[bit 5] (SDM Vol. 3 §24.6) */
        return fail(cpu, HV_ERR_NO_VMX, "CPUID.1:ECX.VMX[bit 5] = 0: the processor has no VMX (SDM Vol. 3 §24.6)");

    enum hv_err err = feature_control(cpu);
    if (err)
        return err;

    struct hv_caps caps;
    if (!hv_caps_read(arch, &caps, cpu->message, sizeof cpu->message))
        return fail(cpu, HV_ERR_NO_VMX, "%s", cpu->message);
    /* IA32_VMX_BASIC (SDM Vol. 3 §A.1): bits 30:0 revision identifier; bits 44:32 region size (at most 4096);
     * bit 48 = 1 limits VMXON/VMCS addresses to 32 bits. */
    cpu->vmcs_revision = (uint32_t)(caps.basic & VMX_BASIC_REVISION_MASK);
    uint64_t region_size = (caps.basic & VMX_BASIC_SIZE_MASK) >> VMX_BASIC_SIZE_SHIFT;
    if (region_size == 0 || region_size > HV_PAGE_SIZE)
        return fail(cpu, HV_ERR_NO_VMX, "IA32_VMX_BASIC region size %llu is not in 1..4096 (SDM Vol. 3 §A.1)",
                    (unsigned long long)region_size);

    uint64_t cr0 = hv_arch_read_cr0(arch), cr4 = hv_arch_read_cr4(arch);
    uint64_t cr0_new, cr4_new, bad;
    if (!fit_cr(cr0, cr0 & (CR0_PE | CR0_PG), caps.cr0_fixed0, caps.cr0_fixed1, &cr0_new, &bad))
        return fail(cpu, HV_ERR_CR_FIXED,
                    "CR0 cannot satisfy IA32_VMX_CR0_FIXED0 0x%llx / FIXED1 0x%llx: bits 0x%llx (SDM Vol. 3 §24.8, §A.7)",
                    (unsigned long long)caps.cr0_fixed0, (unsigned long long)caps.cr0_fixed1,
                    (unsigned long long)bad);
    if (!fit_cr(cr4, CR4_VMXE | (cr4 & CR4_PAE), caps.cr4_fixed0, caps.cr4_fixed1, &cr4_new, &bad))
        return fail(cpu, HV_ERR_CR_FIXED,
                    "CR4 cannot satisfy IA32_VMX_CR4_FIXED0 0x%llx / FIXED1 0x%llx (CR4.VMXE is needed): bits 0x%llx "
                    "(SDM Vol. 3 §24.8, §A.8)",
                    (unsigned long long)caps.cr4_fixed0, (unsigned long long)caps.cr4_fixed1,
                    (unsigned long long)bad);
    cpu->cr0_saved = cr0;
    cpu->cr4_saved = cr4;
    /* CR4.VMXE before VMXON (§24.7); CR0 first so the processor is in the final shape when VMXE turns on. */
    hv_arch_write_cr0(arch, cr0_new);
    hv_arch_write_cr4(arch, cr4_new);
    if (hv_arch_read_cr0(arch) != cr0_new || hv_arch_read_cr4(arch) != cr4_new) {
        hv_arch_write_cr4(arch, cr4);
        hv_arch_write_cr0(arch, cr0);
        return fail(cpu, HV_ERR_CR_FIXED,
                    "the processor did not accept CR0 0x%llx / CR4 0x%llx (SDM Vol. 3 §24.8)",
                    (unsigned long long)cr0_new, (unsigned long long)cr4_new);
    }

    /* VMXON region: one page, revision identifier in bits 30:0 of the first dword, bit 31 clear (§25.11.5). */
    hv_paddr_t region = hv_arch_page_alloc(arch);
    uint32_t *p = region ? hv_arch_phys_to_virt(arch, region) : NULL;
    if (!p) {
        if (region)
            hv_arch_page_free(arch, region);
        hv_arch_write_cr4(arch, cr4);
        hv_arch_write_cr0(arch, cr0);
        return fail(cpu, HV_ERR_NO_MEMORY, "no page for the VMXON region");
    }
    hv_memset(p, 0, HV_PAGE_SIZE);
    p[0] = cpu->vmcs_revision;

    struct hv_vmx_result vr = hv_arch_vmxon(arch, region);
    if (vr.status != HV_VMSUCCEED) {
        char what[HV_MESSAGE_MAX];
        hv_describe_vmx_result(what, sizeof what, "VMXON", vr);
        hv_arch_page_free(arch, region);
        hv_arch_write_cr4(arch, cr4);
        hv_arch_write_cr0(arch, cr0);
        return fail(cpu, HV_ERR_VMX_INSTRUCTION, "%s", what);
    }
    cpu->vmxon_region = region;
    cpu->vmx_on = true;
    cpu->err = HV_OK;
    return HV_OK;
}

void hv_cpu_fini(struct hv_cpu *cpu)
{
    if (!cpu || !cpu->arch || !cpu->vmx_on)
        return;
    struct hv_vmx_result vr = hv_arch_vmxoff(cpu->arch); /* §31.3 VMXOFF: leaves VMX operation */
    if (vr.status != HV_VMSUCCEED) {
        /* Still in VMX operation: freeing the region or clearing CR4.VMXE (#GP in VMX operation, §24.8)
         * would be wrong. Report and keep the state. */
        char what[HV_MESSAGE_MAX];
        hv_describe_vmx_result(what, sizeof what, "VMXOFF", vr);
        fail(cpu, HV_ERR_VMX_INSTRUCTION, "%s", what);
        return;
    }
    cpu->vmx_on = false;
    hv_arch_page_free(cpu->arch, cpu->vmxon_region);
    cpu->vmxon_region = 0;
    hv_arch_write_cr4(cpu->arch, cpu->cr4_saved);
    hv_arch_write_cr0(cpu->arch, cpu->cr0_saved);
}
