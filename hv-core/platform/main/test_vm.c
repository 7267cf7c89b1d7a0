/* What every guest-running test (smoke, realmode, hostile-*) does around its own checks: create the VM with
 * the exit trace (and the recorder when hvkit.record=1), attach the test's port and MMIO region, load the
 * guest program, run it timed, destroy it and check that every page came back; the checks smoke and realmode
 * share; and the HVKIT-RESULT line. */
#include "main.h"

#include <hv/exit_reasons.h>
#include <hv/hypercall.h>

/* I/O exit qualification (SDM Vol. 3 §28.2.1, Table 28-5): bits 2:0 size - 1, bit 3 direction (1 = IN),
 * bit 4 string, bit 6 operand encoding (0 = DX, 1 = immediate), bits 31:16 port. */
#define IOQ_SIZE(q) ((unsigned)((q)&7u) + 1u)
#define IOQ_IN(q) ((unsigned)(((q) >> 3) & 1u))
#define IOQ_PORT(q) ((unsigned)(((q) >> 16) & 0xffffu))
/* EPT-violation exit qualification bit 1: the access was a data write (SDM Vol. 3 §28.2.1, Table 28-7). */
#define EPTQ_WRITE_BIT (1ull << 1)

const char *test_outcome_word(enum test_outcome o)
{
    return o == TEST_PASS ? "PASS" : o == TEST_REFUSED ? "REFUSED" : o == TEST_NOVMX ? "NOVMX" : "FAIL";
}

void test_result(const char *test, const char *word, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    con_printf("HVKIT-RESULT %s %s %s\n", test, word, detail); /* one call: one line, even with other CPUs */
}

const char *test_step_name(enum hv_step_result r)
{
    return r == HV_STEP_KILLED ? "killed" : r == HV_STEP_HALTED ? "halted" : "still running";
}

bool test_vm_fail(struct test_vm *t, const char *fmt, ...)
{
    if (t->why[0])
        return false; /* the first failure is the one reported */
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(t->why, sizeof t->why, fmt, ap);
    va_end(ap);
    return false;
}

/* The test port's handlers: count every access, keep the first of each direction. */
static uint32_t port_in(void *opaque, uint16_t port, unsigned size)
{
    struct test_devices *d = opaque;
    if (d->port_ins++ == 0) {
        d->in_port = port;
        d->in_size = size;
    }
    return d->in_value;
}

static void port_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct test_devices *d = opaque;
    if (d->port_outs++ == 0) {
        d->out_port = port;
        d->out_size = size;
        d->out_value = value;
    }
}

/* The test MMIO region's handler: count, keep the first access, reads give 0. */
static bool mmio_access(void *opaque, struct hv_vm *v, struct hv_mmio_access *a)
{
    struct test_devices *d = opaque;
    (void)v;
    if (d->mmio_calls++ == 0)
        d->mmio = *a;
    if (a->access == HV_ACCESS_READ)
        a->value = 0;
    return true;
}

/* Port, MMIO region, program; false (why set) at the first that fails. */
static bool attach(struct test_vm *t, const struct test_guest *g)
{
    if (g->mmio_size) {
        const struct hv_region mmio = {
            .gpa = g->mmio_gpa,
            .size = g->mmio_size,
            .type = HV_REGION_MMIO,
            .mmio = mmio_access,
            .opaque = &t->dev,
            .name = g->mmio_name,
        };
        if (hv_vm_add_region(&t->vm, &mmio) != HV_OK)
            return test_vm_fail(t, "setting up the VM: %s", t->vm.message);
    }
    /* A port access belongs to a range only when all its bytes do (hv-core/src/port_bus.c): the guests' OUTs
     * are 4 bytes wide, so claim port .. port + 3. */
    const struct hv_port_range ports = {.first = g->port, .last = (uint16_t)(g->port + 3u), .in = port_in,
                                        .out = port_out, .opaque = &t->dev};
    if (g->port && hv_vm_add_ports(&t->vm, &ports) != HV_OK)
        return test_vm_fail(t, "setting up the VM: port range 0x%x refused", g->port);
    size_t len = (size_t)(g->code_end - g->code);
    if (!hv_gpa_write(&t->vm, g->cfg.entry, g->code, len))
        return test_vm_fail(t, "setting up the VM: %lu bytes of guest program do not fit at GPA 0x%llx",
                            (unsigned long)len, (unsigned long long)g->cfg.entry);
    return true;
}

static enum test_outcome start(struct test_vm *t, struct hvkit_cpu *c, const struct test_guest *g, unsigned vm_index,
                               const struct test_options *opt)
{
    t->log = (struct exit_log){.vm_index = vm_index};
    t->dev = (struct test_devices){.in_value = g->port_in_value};
    t->why[0] = '\0';
    t->us = 0;
    t->pages_faulted = 0;
    struct hv_vm_config cfg = g->cfg;
    cfg.trace = exit_trace;
    cfg.trace_opaque = &t->log;
    /* hvkit.record=1: the core's record mode (hv/record.h) writes the VM's exits as HVREC lines through
     * hv_arch_log, which vmx/services.c passes to the console unprefixed. The profile names the sim CPU
     * profile that matches this machine (hvkit.profile), so `hvkit import-record` replays on the right one. */
    if (opt && opt->record) {
        t->recorder = (struct hv_record){.profile = opt->profile};
        cfg.record = &t->recorder;
    }
    t->free_before = pmm_free_pages();
    enum hv_err err = hv_vm_create(&t->vm, &c->hv, &cfg);
    if (err != HV_OK) {
        test_vm_fail(t, "%s", t->vm.message);
        hv_vm_destroy(&t->vm);
        return test_outcome_for(err);
    }
    if (!attach(t, g)) {
        hv_vm_destroy(&t->vm);
        return TEST_FAIL;
    }
    return TEST_PASS;
}

enum test_outcome test_vm_start(struct test_vm *t, const char *test, struct hvkit_cpu *c, const struct test_guest *g,
                                unsigned vm_index, const struct test_options *opt)
{
    enum test_outcome out = start(t, c, g, vm_index, opt);
    if (out != TEST_PASS && test)
        test_result(test, test_outcome_word(out), "%s", t->why);
    return out;
}

enum hv_step_result test_vm_run(struct test_vm *t, unsigned max_exits)
{
    uint64_t t0 = platform_time_ns();
    enum hv_step_result r = hv_vcpu_run(&t->vm, max_exits);
    t->us = (platform_time_ns() - t0) / 1000u;
    return r;
}

/* Pages are counted before hv_vm_create and after hv_vm_destroy, so only one test VM may exist at a time
 * (smoke-smp takes turns). */
bool test_vm_finish(struct test_vm *t)
{
    t->pages_faulted = t->vm.stats.pages_faulted;
    hv_vm_destroy(&t->vm);
    size_t free_after = pmm_free_pages();
    if (free_after != t->free_before)
        return test_vm_fail(t, "%ld pages not returned after hv_vm_destroy", (long)t->free_before - (long)free_after);
    return true;
}

/* The exits in order. External-interrupt exits (reason 1) may come in between if a host interrupt arrives
 * while the guest runs; they are printed but not part of the sequence. */
bool test_check_exits(struct test_vm *t, const struct test_expect *expected, unsigned n, uint16_t port)
{
    const struct exit_log *log = &t->log;
    if (log->n > EXIT_LOG_MAX)
        return test_vm_fail(t, "%u exits, more than the %u this test keeps", log->n, EXIT_LOG_MAX);
    unsigned k = 0;
    for (unsigned i = 0; i < log->n; i++) {
        const struct exit_record *r = &log->rec[i];
        if (r->basic == HV_EXIT_EXTERNAL_INTERRUPT && r->action == HV_EXIT_RESUME && !r->entry_failure)
            continue;
        if (k >= n)
            return test_vm_fail(t, "exit n=%u reason=%u after the expected %u", i + 1, r->basic, n);
        const struct test_expect *e = &expected[k++];
        if (r->entry_failure || r->basic != e->reason || r->action != e->action)
            return test_vm_fail(t, "exit n=%u: reason=%u%s action=%s, expected reason=%u action=%s", i + 1,
                                r->basic, r->entry_failure ? " (VM-entry failure)" : "",
                                exit_action_name(r->action), e->reason, exit_action_name(e->action));
        if (e->len && r->instr_len != e->len)
            return test_vm_fail(t, "exit n=%u reason=%u: instruction length %u, expected %u", i + 1, r->basic,
                                r->instr_len, e->len);
        if (e->reason == HV_EXIT_IO_INSTRUCTION &&
            (IOQ_PORT(r->qualification) != port || IOQ_SIZE(r->qualification) != e->io_size ||
             IOQ_IN(r->qualification) != e->io_in))
            return test_vm_fail(t, "exit n=%u: I/O qualification 0x%llx is not %s of %u bytes at port 0x%x", i + 1,
                                (unsigned long long)r->qualification, e->io_in ? "IN" : "OUT", e->io_size, port);
        if (e->reason == HV_EXIT_EPT_VIOLATION && !(r->qualification & EPTQ_WRITE_BIT))
            return test_vm_fail(t, "EPT violation qualification 0x%llx does not report a write",
                                (unsigned long long)r->qualification);
    }
    if (k != n)
        return test_vm_fail(t, "only %u of the %u expected exits", k, n);
    return true;
}

bool test_check_halted(struct test_vm *t, enum hv_step_result r)
{
    if (r == HV_STEP_HALTED)
        return true;
    return test_vm_fail(t, "the run ended %s after %u exits, expected halted%s%s", test_step_name(r), t->log.n,
                        t->vm.dead ? ": " : "", t->vm.dead ? t->vm.message : "");
}

/* Both guests OUT the EBX of CPUID 40000000H (the hypervisor's signature, hv/hypercall.h) to the test port,
 * once, and IN from it ins times. */
bool test_check_port(struct test_vm *t, uint16_t port, unsigned size, unsigned ins)
{
    const struct test_devices *d = &t->dev;
    if (d->port_outs != 1 || d->port_ins != ins)
        return test_vm_fail(t, "port 0x%x: %u OUTs and %u INs, expected 1 and %u", port, d->port_outs, d->port_ins,
                            ins);
    if (d->out_port != port || d->out_size != size || d->out_value != HV_CPUID_SIGNATURE_EBX)
        return test_vm_fail(t, "OUT port=0x%x size=%u value=0x%x, expected port=0x%x size=%u value=0x%x (CPUID "
                               "40000000H EBX)",
                            d->out_port, d->out_size, d->out_value, port, size, HV_CPUID_SIGNATURE_EBX);
    return true;
}

bool test_check_mmio_write(struct test_vm *t, uint64_t gpa, unsigned size, uint64_t value)
{
    const struct test_devices *d = &t->dev;
    if (d->mmio_calls != 1)
        return test_vm_fail(t, "MMIO handler called %u times, expected once", d->mmio_calls);
    if (d->mmio.gpa != gpa || d->mmio.access != HV_ACCESS_WRITE || d->mmio.size != size || d->mmio.value != value)
        return test_vm_fail(t, "MMIO gpa=0x%llx access=%u size=%u value=0x%llx, expected gpa=0x%llx write size=%u "
                               "value=0x%llx",
                            (unsigned long long)d->mmio.gpa, (unsigned)d->mmio.access, d->mmio.size,
                            (unsigned long long)d->mmio.value, (unsigned long long)gpa, size,
                            (unsigned long long)value);
    return true;
}

/* Both guests end with VMCALL HV_HC_VERSION: RAX must hold the ABI version after it. */
bool test_check_version_call(struct test_vm *t)
{
    if (t->vm.gprs.rax != HV_HC_ABI_VERSION)
        return test_vm_fail(t, "VMCALL HV_HC_VERSION left RAX=0x%llx, expected %u", (unsigned long long)t->vm.gprs.rax,
                            HV_HC_ABI_VERSION);
    return true;
}
