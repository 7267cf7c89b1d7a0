/* The smoke test: one PROGRAM64 VM running guests/smoke_guest.S, every exit printed (HVKIT-EXIT), then
 * checked: the exits in the expected order with the expected actions, the port and MMIO handlers saw exactly
 * the guest's accesses, the lazily mapped page holds what the guest wrote, the hypercall answered, the run
 * ended halted, and destroying the VM gave every page back.
 *   smoke       on the BSP (vm=0):
 *     HVKIT-RESULT smoke PASS exits=<n> us=<guest run time> pages_faulted=<n>
 *     HVKIT-RESULT smoke FAIL <the first thing that was wrong>
 *     HVKIT-RESULT smoke REFUSED <the core's reason>            (e.g. no EPT: Penryn)
 *   smoke-smp   the same VM on every AP in turn (vm=<CPU index>), each with its own struct hv_cpu, VMXON
 *               region and VMCS: proves the per-CPU host state (TR, GS base, stacks) on a second processor.
 *     HVKIT-RESULT smoke-smp PASS cpus=<APs> exits=<total>   | FAIL cpu=<i> <why> | SKIP one CPU */
#include "../guests/smoke_layout.h"
#include "main.h"

#include <hv/exit_reasons.h>

extern const uint8_t hvkit_guest_smoke_start[], hvkit_guest_smoke_end[]; /* guests/smoke_guest.S */

#define SMOKE_MAX_EXITS 64u /* the guest needs 6; a runaway guest is cut off here */

/* One smoke VM per CPU (smoke-smp runs one on each AP). */
static struct test_vm runs[PLATFORM_MAX_CPUS];

static const struct test_guest smoke_guest = {
    .cfg = {
        .memory_size = SMOKE_MEMORY,
        .memory_quota_pages = SMOKE_QUOTA_PAGES,
        .mode = HV_GUEST_PROGRAM64,
        .entry = SMOKE_CODE_GPA,
        .stack = SMOKE_STACK_TOP,
    },
    .code = hvkit_guest_smoke_start,
    .code_end = hvkit_guest_smoke_end,
    .port = SMOKE_PORT,
    .port_in_value = 0xffffffffu, /* as an unclaimed port reads; the guest never reads it */
    .mmio_gpa = SMOKE_MMIO_GPA,
    .mmio_size = SMOKE_MMIO_SIZE,
    .mmio_name = "smoke-mmio",
};

static const struct test_expect expected[] = {
    {HV_EXIT_CPUID, HV_EXIT_RESUME, 2, 0, 0},          /* 0F A2 */
    {HV_EXIT_IO_INSTRUCTION, HV_EXIT_RESUME, 1, 0, 4}, /* EF: OUT DX, EAX */
    TEST_EXPECT_WRITES_VMCALL_HLT,                     /* EPT violation, EPT misconfiguration, VMCALL, HLT */
};
#define EXPECTED_EXITS ((unsigned)(sizeof expected / sizeof expected[0]))

/* What the guest left behind: its port and MMIO accesses, the lazy page, the hypercall's answer. */
static bool check_effects(struct test_vm *t)
{
    struct hv_vm *v = &t->vm;
    if (!test_check_port(t, SMOKE_PORT, 4, 0) || !test_check_mmio_write(t, SMOKE_MMIO_GPA, 4, SMOKE_MMIO_VALUE))
        return false;
    uint32_t lazy = 0;
    if (!hv_gpa_read(v, SMOKE_LAZY_GPA, &lazy, sizeof lazy) || lazy != SMOKE_LAZY_VALUE)
        return test_vm_fail(t, "lazy page at GPA 0x%x holds 0x%x, expected 0x%x", SMOKE_LAZY_GPA, lazy,
                            SMOKE_LAZY_VALUE);
    if (v->stats.pages_faulted != 1)
        return test_vm_fail(t, "%llu RAM pages faulted in, expected 1 (the lazy page)",
                            (unsigned long long)v->stats.pages_faulted);
    return test_check_version_call(t);
}

/* One smoke VM on the CPU this runs on, as VM vm_index (hvkit.record=1 records it). */
static enum test_outcome smoke_on_this_cpu(struct hvkit_cpu *c, unsigned vm_index, const struct test_options *opt)
{
    struct test_vm *t = &runs[c->hv.arch->index];
    enum test_outcome out = test_vm_start(t, (const char *)0, c, &smoke_guest, vm_index, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = test_vm_run(t, SMOKE_MAX_EXITS);
    bool ok = test_check_halted(t, r) && test_check_exits(t, expected, EXPECTED_EXITS, SMOKE_PORT) &&
              check_effects(t);
    ok = test_vm_finish(t) && ok;
    return ok ? TEST_PASS : TEST_FAIL;
}

enum test_outcome test_smoke(const struct test_options *opt)
{
    enum test_outcome out;
    struct hvkit_cpu *c = test_need_vmx("smoke", &out);
    if (!c)
        return out;
    out = smoke_on_this_cpu(c, VM_INDEX_SMOKE, opt);
    const struct test_vm *t = &runs[c->hv.arch->index];
    if (out != TEST_PASS)
        test_result("smoke", test_outcome_word(out), "%s", t->why);
    else
        test_result("smoke", "PASS", "exits=%u us=%llu pages_faulted=%llu", t->log.n, (unsigned long long)t->us,
                    (unsigned long long)t->pages_faulted);
    return out;
}

/* smoke-smp: the APs take turns (turn = the index of the AP whose go it is), so exits print in a fixed
 * order and the page count of each run is its own. */
struct smp_job {
    const struct test_options *opt;
    volatile unsigned turn;
    enum test_outcome out[PLATFORM_MAX_CPUS];
};

static void smoke_on_ap(struct hv_arch_cpu *arch, void *arg)
{
    struct smp_job *job = arg;
    unsigned i = arch->index;
    if (i >= PLATFORM_MAX_CPUS)
        return;
    while (__atomic_load_n(&job->turn, __ATOMIC_ACQUIRE) != i)
        __asm__ __volatile__("pause" ::: "memory");
    struct hvkit_cpu *c = hvkit_cpu(i);
    if (!c || c->state != CPU_VMX_ON) {
        job->out[i] = TEST_FAIL;
        ksnprintf(runs[i].why, sizeof runs[i].why, "VMX is not on: %s", c ? c->hv.message : "no state");
    } else {
        job->out[i] = smoke_on_this_cpu(c, i, job->opt);
    }
    __atomic_store_n(&job->turn, i + 1, __ATOMIC_RELEASE);
}

enum test_outcome test_smoke_smp(const struct test_options *opt)
{
    enum test_outcome out;
    if (!test_need_vmx("smoke-smp", &out))
        return out;
    unsigned n = platform_cpu_count();
    if (n > PLATFORM_MAX_CPUS)
        n = PLATFORM_MAX_CPUS;
    if (n < 2) {
        test_result("smoke-smp", "SKIP", "one CPU");
        return TEST_PASS;
    }
    static struct smp_job job;
    job.opt = opt;
    job.turn = 1; /* AP 1 first */
    for (unsigned i = 0; i < PLATFORM_MAX_CPUS; i++)
        job.out[i] = TEST_FAIL;
    platform_run_on_aps(smoke_on_ap, &job);
    unsigned exits = 0;
    for (unsigned i = 1; i < n; i++) {
        if (job.out[i] != TEST_PASS) {
            test_result("smoke-smp", test_outcome_word(job.out[i]), "cpu=%u %s", i, runs[i].why);
            return job.out[i];
        }
        exits += runs[i].log.n;
    }
    test_result("smoke-smp", "PASS", "cpus=%u exits=%u", n - 1, exits);
    return TEST_PASS;
}
