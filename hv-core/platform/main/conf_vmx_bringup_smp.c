/* conf-vmx-bringup-smp: VMX operation on every logical processor (run with cpus: 2). vmx_bringup.c ran
 * hv_cpu_init on each CPU at boot; checked here, per CPU: its state is "on" and hv.vmx_on; its VMXON region is
 * its own (non-zero, 4-KiB aligned, distinct from every other CPU's: SDM Vol. 3 §24.11.5, one region per
 * logical processor) and begins with the VMCS revision identifier of IA32_VMX_BASIC[30:0] (§24.11.5, §A.1),
 * the same on every CPU; and, read ON that CPU (the APs through platform_run_on_aps): CR4.VMXE = 1 (§24.7),
 * IA32_FEATURE_CONTROL locked with "VMXON outside SMX" (bits 0 and 2, §24.7), and VMPTRST succeeds (it is
 * #UD outside VMX operation, Vol. 2 VMPTRST). With one CPU online the result is SKIP (the case needs two). */
#include "main.h"

#include "boot.h"


#define CR4_VMXE (1ull << 13)           /* SDM Vol. 3 §2.5 */
#define FEATURE_CONTROL_LOCK (1ull << 0) /* SDM Vol. 4 Table 2-2, IA32_FEATURE_CONTROL (3AH) */
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

struct cpu_probe {
    bool ran, cr4_vmxe, fc_ok, vmptrst_ok;
    uint64_t feature_control, basic;
};
static struct cpu_probe probes[PLATFORM_MAX_CPUS];

/* On the CPU itself: its control register, MSRs and VMX instruction. */
static void probe_this_cpu(struct hv_arch_cpu *arch, void *unused)
{
    (void)unused;
    if (!arch || arch->index >= PLATFORM_MAX_CPUS)
        return;
    struct cpu_probe *p = &probes[arch->index];
    struct hvkit_cpu *c = hvkit_cpu(arch->index);
    p->ran = true;
    p->cr4_vmxe = (hv_arch_read_cr4(arch) & CR4_VMXE) != 0;
    p->fc_ok = hv_arch_rdmsr(arch, 0x3a, &p->feature_control) &&
               (p->feature_control & (FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX)) ==
                   (FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
    hv_arch_rdmsr(arch, 0x480, &p->basic); /* IA32_VMX_BASIC (SDM Vol. 3 §A.1) */
    hv_paddr_t cur = 0;
    /* Only in VMX operation: elsewhere VMPTRST is #UD and would crash the host. */
    p->vmptrst_ok = c && c->state == CPU_VMX_ON && p->cr4_vmxe && hv_arch_vmptrst(arch, &cur).status == HV_VMSUCCEED;
}

static enum test_outcome run(const struct test_options *opt)
{
    (void)opt;
    const char *name = "conf-vmx-bringup-smp";
    unsigned n = platform_cpu_count();
    if (n < 2) {
        test_result(name, "SKIP", "%u CPU online: the case needs cpus: 2", n);
        return TEST_PASS;
    }
    if (n > PLATFORM_MAX_CPUS)
        n = PLATFORM_MAX_CPUS;
    memset(probes, 0, sizeof probes);
    probe_this_cpu(platform_this_cpu(), (void *)0);
    platform_run_on_aps(probe_this_cpu, (void *)0);
    char why[200] = "";
    for (unsigned i = 0; i < n && !why[0]; i++) {
        struct hvkit_cpu *c = hvkit_cpu(i);
        const struct cpu_probe *p = &probes[i];
        if (!c || c->state != CPU_VMX_ON || !c->hv.vmx_on) {
            ksnprintf(why, sizeof why, "CPU %u is not in VMX operation (%s)", i, c ? c->hv.message : "no state");
            break;
        }
        uint32_t want_rev = (uint32_t)(p->basic & 0x7fffffffu);
        const uint32_t *region = platform_phys_to_virt(c->hv.vmxon_region);
        if (!c->hv.vmxon_region || (c->hv.vmxon_region & 0xfffu) || !region)
            ksnprintf(why, sizeof why, "CPU %u: VMXON region 0x%llx is not a 4-KiB page", i,
                      (unsigned long long)c->hv.vmxon_region);
        else if ((region[0] & 0x7fffffffu) != want_rev || c->hv.vmcs_revision != want_rev)
            ksnprintf(why, sizeof why, "CPU %u: VMXON region revision 0x%x / core's 0x%x, IA32_VMX_BASIC says 0x%x", i,
                      region[0], c->hv.vmcs_revision, want_rev);
        else if (!p->ran)
            ksnprintf(why, sizeof why, "CPU %u did not run the probe", i);
        else if (!p->cr4_vmxe)
            ksnprintf(why, sizeof why, "CPU %u: CR4.VMXE is 0", i);
        else if (!p->fc_ok)
            ksnprintf(why, sizeof why, "CPU %u: IA32_FEATURE_CONTROL = 0x%llx, not locked with VMX outside SMX", i,
                      (unsigned long long)p->feature_control);
        else if (!p->vmptrst_ok)
            ksnprintf(why, sizeof why, "CPU %u: VMPTRST failed", i);
        else if (c->hv.vmcs_revision != hvkit_cpu(0)->hv.vmcs_revision)
            ksnprintf(why, sizeof why, "CPU %u: revision 0x%x differs from CPU 0's 0x%x", i, c->hv.vmcs_revision,
                      hvkit_cpu(0)->hv.vmcs_revision);
        for (unsigned j = 0; j < i && !why[0]; j++)
            if (hvkit_cpu(j)->hv.vmxon_region == c->hv.vmxon_region)
                ksnprintf(why, sizeof why, "CPUs %u and %u share the VMXON region 0x%llx", j, i,
                          (unsigned long long)c->hv.vmxon_region);
    }
    if (why[0]) {
        test_result(name, "FAIL", "%s", why);
        return TEST_FAIL;
    }
    test_result(name, "PASS", "cpus=%u vmx=on everywhere, own VMXON regions (CPU 0 0x%llx, CPU 1 0x%llx) revision=0x%x",
                n, (unsigned long long)hvkit_cpu(0)->hv.vmxon_region,
                (unsigned long long)hvkit_cpu(1)->hv.vmxon_region, hvkit_cpu(0)->hv.vmcs_revision);
    return TEST_PASS;
}
HVKIT_TEST("conf-vmx-bringup-smp", run);
