/* VMX on every logical processor: each CPU gets its own struct hv_cpu and its own VMXON region (seed 000:
 * "VMXON structure initialized for every cpu core"; SDM Vol. 3 §24.11.5: one VMXON region per logical
 * processor). The BSP goes first, then the APs in parallel through platform_run_on_aps; the BSP prints the
 * HVKIT-CPU lines afterwards in index order, so the log does not depend on which AP finished first. */
#include "main.h"

void hvkit_vmx_exit(void); /* vmx/vmx_enter.S: the VM-exit landing point (HOST_RIP) */

static struct hvkit_cpu cpus[PLATFORM_MAX_CPUS];

struct hvkit_cpu *hvkit_cpu(unsigned index)
{
    return index < platform_cpu_count() && index < PLATFORM_MAX_CPUS ? &cpus[index] : (struct hvkit_cpu *)0;
}

bool cpu_has_vmx(void)
{
    uint32_t a, b, c, d;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1u), "c"(0u));
    (void)a;
    (void)b;
    (void)d;
    return (c >> 5) & 1u; /* CPUID.01H:ECX.VMX[5] (SDM Vol. 3 §24.6) */
}

/* Runs on the CPU it brings up. */
static void bring_up_this_cpu(struct hv_arch_cpu *arch, void *unused)
{
    (void)unused;
    if (!arch || arch->index >= PLATFORM_MAX_CPUS)
        return;
    struct hvkit_cpu *c = &cpus[arch->index];
    /* HOST_RIP/HOST_RSP for hv_vm_create's first VMCS fill; vmx_enter.S rewrites both before every entry
     * with the real stack pointer of that entry. */
    c->hv.host_rip = (uint64_t)(uintptr_t)hvkit_vmx_exit;
    c->hv.host_rsp = arch->stack_top;
    if (!cpu_has_vmx()) {
        c->state = CPU_VMX_ABSENT;
        c->hv.arch = arch;
        ksnprintf(c->hv.message, sizeof c->hv.message, "CPUID.1:ECX.VMX=0");
        return;
    }
    enum hv_err err = hv_cpu_init(&c->hv, arch);
    c->state = err == HV_OK ? CPU_VMX_ON : err == HV_ERR_NOT_INTEL ? CPU_VMX_ABSENT : CPU_VMX_REFUSED;
}

static const char *state_name(enum cpu_vmx_state s)
{
    return s == CPU_VMX_ON ? "on" : s == CPU_VMX_REFUSED ? "refused" : "absent";
}

/* The reason goes between double quotes: any '"' in the core's message becomes '\''. */
static void quoted(char *out, size_t size, const char *in)
{
    size_t i = 0;
    for (; in[i] && i + 1 < size; i++)
        out[i] = in[i] == '"' ? '\'' : in[i];
    out[i] = '\0';
}

void vmx_bringup_all(void)
{
    unsigned n = platform_cpu_count();
    if (n > PLATFORM_MAX_CPUS)
        n = PLATFORM_MAX_CPUS;
    bring_up_this_cpu(platform_this_cpu(), (void *)0); /* the BSP: hvkit_main runs there */
    if (n > 1)
        platform_run_on_aps(bring_up_this_cpu, (void *)0);
    for (unsigned i = 0; i < n; i++) {
        struct hv_arch_cpu *arch = platform_cpu(i);
        char why[HV_MESSAGE_MAX];
        quoted(why, sizeof why, cpus[i].state == CPU_VMX_ON ? "" : cpus[i].hv.message);
        con_printf("HVKIT-CPU index=%u apic=%u vmx=%s reason=\"%s\"\n", i, arch ? arch->apic_id : 0u,
                   state_name(cpus[i].state), why);
    }
}

static void tear_down_this_cpu(struct hv_arch_cpu *arch, void *unused)
{
    (void)unused;
    if (!arch || arch->index >= PLATFORM_MAX_CPUS)
        return;
    struct hvkit_cpu *c = &cpus[arch->index];
    if (c->state == CPU_VMX_ON && c->hv.vmx_on)
        hv_cpu_fini(&c->hv); /* VMXOFF, region freed, CR0/CR4 as they were */
}

void vmx_teardown_all(void)
{
    if (platform_cpu_count() > 1)
        platform_run_on_aps(tear_down_this_cpu, (void *)0);
    tear_down_this_cpu(platform_this_cpu(), (void *)0);
}
