/* The runner of the part-1 conformance cases (conf1.h): start, step with RIPs, check, finish, one result
 * line. Cases run one at a time on the BSP; each destroys its VMs before it returns. */
#include "conf1.h"

#include "boot.h"

#include <hv/vmcs_fields.h>

/* One VM's run state for conf1_run_case (cases with two VMs keep their own). */
static struct conf1_run the_run;

bool conf1_contains(const char *s, const char *needle)
{
    if (!s || !needle)
        return false;
    size_t n = kstrlen(needle);
    for (; *s; s++)
        if (memcmp(s, needle, n) == 0)
            return true;
    return n == 0;
}

uint64_t conf1_guest_rip(struct conf1_run *r)
{
    uint64_t rip = 0;
    /* The VMCS must be this processor's current one (SDM Vol. 3 §25.1): a step leaves its VM's current. */
    if (r->cpu->hv.current_vmcs != r->t.vm.vmcs)
        return ~0ull;
    if (hv_arch_vmread(r->cpu->hv.arch, VMCS_GUEST_RIP, &rip).status != HV_VMSUCCEED)
        return ~0ull;
    return rip;
}

/* Every conf1 VM's trace callback: exits and kills to exit_trace (the HVKIT-EXIT lines and the exit log),
 * entry fallbacks counted here with the number of exits before each (exit_trace ignores them). */
static void conf1_trace(void *opaque, const struct hv_trace_event *ev)
{
    struct conf1_run *r = opaque;
    if (ev->kind == HV_TRACE_ENTRY_FALLBACK) {
        unsigned n = sizeof r->fallback_after_exits / sizeof r->fallback_after_exits[0];
        if (r->fallbacks < n)
            r->fallback_after_exits[r->fallbacks] = r->t.log.n;
        r->fallbacks++;
        return;
    }
    exit_trace(&r->t.log, ev);
}

bool conf1_check_one_fallback(struct conf1_run *r)
{
    if (r->fallbacks != 1)
        return test_vm_fail(&r->t, "%u VMRESUME->VMLAUNCH fallbacks traced, expected exactly 1", r->fallbacks);
    if (r->fallback_after_exits[0] != 0)
        return test_vm_fail(&r->t, "the VMLAUNCH fallback came after %u exits, expected before the first",
                            r->fallback_after_exits[0]);
    if (!r->t.vm.launched_once)
        return test_vm_fail(&r->t, "the VM ran but launched_once is false");
    return true;
}

enum test_outcome conf1_start(struct conf1_run *r, const struct conf1_case *cs, struct hvkit_cpu *c,
                              const struct test_options *opt)
{
    void *priv = r->priv;
    *r = (struct conf1_run){.cs = cs, .cpu = c, .priv = priv};
    const struct test_guest g = {
        .cfg = {.memory_size = cs->memory_size ? cs->memory_size : CONF1_MEMORY,
                .memory_quota_pages = cs->quota_pages,
                .mode = HV_GUEST_PROGRAM64,
                .entry = CONF1_CODE_GPA,
                .stack = CONF1_STACK_TOP,
                .mmio_unsupported_kills = cs->mmio_unsupported_kills,
                .devices = cs->devices,
                .notify = cs->notify,
                .notify_opaque = cs->notify_opaque},
        .code = cs->code,
        .code_end = cs->code_end,
    };
    enum test_outcome out = test_vm_start(&r->t, (const char *)0, c, &g, VM_INDEX_CONF_BASE + cs->vm_index_offset,
                                          opt);
    if (out != TEST_PASS)
        return out;
    r->t.vm.cfg.trace = conf1_trace; /* the core reads the callback at each event: wrap exit_trace */
    r->t.vm.cfg.trace_opaque = r;
    /* The result, scratch, IDT and (unless the case wants it lazy) stack pages, backed (zeroed) before the first entry so the guest's stores never exit. */
    static const uint8_t zero[4096];
    if (!hv_gpa_write(&r->t.vm, CONF1_RESULT_GPA, zero, sizeof zero) ||
        !hv_gpa_write(&r->t.vm, CONF1_SCRATCH_GPA, zero, sizeof zero) ||
        !hv_gpa_write(&r->t.vm, CONF1_IDT_GPA, zero, sizeof zero) ||
        (!cs->lazy_stack && !hv_gpa_write(&r->t.vm, CONF1_STACK_TOP - sizeof zero, zero, sizeof zero))) {
        test_vm_fail(&r->t, "setting up the VM: the result/scratch pages do not fit (%s)", r->t.vm.message);
        hv_vm_destroy(&r->t.vm);
        return TEST_FAIL;
    }
    if (cs->setup && !cs->setup(r)) {
        hv_vm_destroy(&r->t.vm);
        return TEST_FAIL;
    }
    r->end = HV_STEP_CONTINUE;
    return TEST_PASS;
}

enum hv_step_result conf1_step(struct conf1_run *r)
{
    enum hv_step_result s = hv_vcpu_step(&r->t.vm);
    if (r->steps < CONF1_MAX_STEPS) {
        r->rip_after[r->steps] = s == HV_STEP_KILLED ? ~0ull : conf1_guest_rip(r);
    }
    r->steps++;
    r->end = s;
    return s;
}

static bool check_exits(struct conf1_run *r)
{
    const struct conf1_case *cs = r->cs;
    const struct exit_log *log = &r->t.log;
    if (log->n > EXIT_LOG_MAX || log->n > CONF1_MAX_STEPS)
        return test_vm_fail(&r->t, "%u exits, more than the %u this case keeps", log->n, EXIT_LOG_MAX);
    unsigned k = 0;
    for (unsigned i = 0; i < log->n; i++) {
        const struct exit_record *x = &log->rec[i];
        /* A host interrupt may arrive while the guest runs: printed, not part of the sequence. */
        if (x->basic == HV_EXIT_EXTERNAL_INTERRUPT && x->action == HV_EXIT_RESUME && !x->entry_failure)
            continue;
        if (k >= cs->nexits)
            return test_vm_fail(&r->t, "exit n=%u reason=%u after the %u expected", i + 1, x->basic, cs->nexits);
        const struct conf1_exit *e = &cs->exits[k++];
        if (x->entry_failure || x->basic != e->reason || x->action != e->action)
            return test_vm_fail(&r->t, "exit n=%u: reason=%u%s action=%s, expected reason=%u action=%s", i + 1,
                                x->basic, x->entry_failure ? " (VM-entry failure)" : "",
                                exit_action_name(x->action), e->reason, exit_action_name(e->action));
        if (e->len && x->instr_len != e->len)
            return test_vm_fail(&r->t, "exit n=%u reason=%u: instruction length %u, expected %u", i + 1, x->basic,
                                x->instr_len, e->len);
        if ((x->qualification & e->qual_mask) != e->qual)
            return test_vm_fail(&r->t, "exit n=%u reason=%u: qualification 0x%llx, expected 0x%llx under mask 0x%llx",
                                i + 1, x->basic, (unsigned long long)x->qualification,
                                (unsigned long long)e->qual, (unsigned long long)e->qual_mask);
        if (e->rip && x->action == HV_EXIT_RESUME && i < CONF1_MAX_STEPS) {
            uint64_t want = CONF1_CODE_GPA + (uint64_t)(e->rip - cs->code);
            if (r->rip_after[i] != want)
                return test_vm_fail(&r->t, "exit n=%u reason=%u: RIP 0x%llx after it, expected 0x%llx", i + 1,
                                    x->basic, (unsigned long long)r->rip_after[i], (unsigned long long)want);
        }
    }
    if (k != cs->nexits)
        return test_vm_fail(&r->t, "only %u of the %u expected exits", k, cs->nexits);
    return true;
}

static bool check_results(struct conf1_run *r)
{
    const struct conf1_case *cs = r->cs;
    if (!hv_gpa_read(&r->t.vm, CONF1_RESULT_GPA, r->got, sizeof r->got))
        return test_vm_fail(&r->t, "the result page cannot be read back");
    for (unsigned i = 0; i < cs->nresults && i < CONF1_RESULT_SLOTS; i++)
        if (r->got[i] != cs->results[i] && !(cs->skip_slots & (1ull << i)))
            return test_vm_fail(&r->t, "result slot %u = 0x%llx, expected 0x%llx", i, (unsigned long long)r->got[i],
                                (unsigned long long)cs->results[i]);
    return true;
}

bool conf1_check(struct conf1_run *r)
{
    const struct conf1_case *cs = r->cs;
    if (r->end != cs->end)
        return test_vm_fail(&r->t, "the run ended %s after %u exits, expected %s%s%s", test_step_name(r->end),
                            r->t.log.n, test_step_name(cs->end), r->t.vm.dead ? ": " : "",
                            r->t.vm.dead ? r->t.vm.message : "");
    if (cs->end == HV_STEP_KILLED && cs->kill_text && !conf1_contains(r->t.vm.message, cs->kill_text))
        return test_vm_fail(&r->t, "killed with \"%s\", expected a reason containing \"%s\"", r->t.vm.message,
                            cs->kill_text);
    if (cs->end == HV_STEP_KILLED && r->t.log.kills != 1)
        return test_vm_fail(&r->t, "%u kill events traced, expected 1", r->t.log.kills);
    return check_exits(r) && check_results(r) && (!cs->check || cs->check(r));
}

bool conf1_finish(struct conf1_run *r)
{
    bool ok = test_vm_finish(&r->t);
    return ok && (!r->cs->check_after || r->cs->check_after(r));
}

/* Steps a started VM to its end (or CONF1_MAX_STEPS), checks it and destroys it: false, r->t.why says why. */
static bool run_to_end(struct conf1_run *r)
{
    while (r->steps < CONF1_MAX_STEPS && conf1_step(r) == HV_STEP_CONTINUE)
        ;
    bool ok = conf1_check(r);
    return conf1_finish(r) && ok;
}

enum test_outcome conf1_run_in_turn(struct conf1_run *runs, const struct conf1_case *const *cases, unsigned n,
                                    const struct test_options *opt)
{
    enum test_outcome out;
    struct hvkit_cpu *c = test_need_vmx(cases[0]->name, &out);
    if (!c)
        return out;
    for (unsigned k = 0; k < n; k++) {
        struct conf1_run *r = &runs[k];
        out = conf1_start(r, cases[k], c, opt);
        if (out != TEST_PASS) {
            test_result(cases[0]->name, test_outcome_word(out), "VM %c: %s", 'A' + k, r->t.why);
            return out;
        }
        if (!run_to_end(r)) {
            test_result(cases[0]->name, "FAIL", "VM %c: %s", 'A' + k, r->t.why);
            return TEST_FAIL;
        }
    }
    return TEST_PASS;
}

enum test_outcome conf1_run_case(const struct conf1_case *cs, const struct test_options *opt, void *priv)
{
    enum test_outcome out;
    struct hvkit_cpu *c = test_need_vmx(cs->name, &out);
    if (!c)
        return out;
    struct conf1_run *r = &the_run;
    r->priv = priv;
    out = conf1_start(r, cs, c, opt);
    if (out != TEST_PASS) {
        test_result(cs->name, test_outcome_word(out), "%s", r->t.why);
        return out;
    }
    if (!run_to_end(r)) {
        test_result(cs->name, "FAIL", "%s", r->t.why);
        return TEST_FAIL;
    }
    test_result(cs->name, "PASS", "exits=%u end=%s results=%u pages_faulted=%llu", r->t.log.n,
                test_step_name(r->end), cs->nresults, (unsigned long long)r->t.pages_faulted);
    return TEST_PASS;
}

/* ---- the MMIO device of the mmio-* cases: a 4-KiB register file (reads give what was written or preset),
 * every transfer logged. ---- */
static bool mmio_dev_access(void *opaque, struct hv_vm *v, struct hv_mmio_access *a)
{
    struct conf1_mmio_dev *d = opaque;
    (void)v;
    uint64_t off = a->gpa - CONF1_MMIO_GPA;
    if (off >= CONF1_MMIO_SIZE || a->size > 8 || off + a->size > CONF1_MMIO_SIZE)
        return false;
    if (d->n < CONF1_MMIO_LOG)
        d->log[d->n] = *a;
    d->n++;
    if (a->access == HV_ACCESS_READ) {
        uint64_t v64 = 0;
        memcpy(&v64, d->regs + off, a->size);
        a->value = v64;
        if (d->n <= CONF1_MMIO_LOG)
            d->log[d->n - 1].value = v64; /* the log keeps what the read returned */
    } else {
        memcpy(d->regs + off, &a->value, a->size);
    }
    return true;
}

bool conf1_mmio_attach(struct conf1_run *r, struct conf1_mmio_dev *d)
{
    d->n = 0;
    const struct hv_region reg = {.gpa = CONF1_MMIO_GPA, .size = CONF1_MMIO_SIZE, .type = HV_REGION_MMIO,
                                  .mmio = mmio_dev_access, .opaque = d, .name = "conf-mmio"};
    if (hv_vm_add_region(&r->t.vm, &reg) != HV_OK)
        return test_vm_fail(&r->t, "adding the MMIO region: %s", r->t.vm.message);
    return true;
}

bool conf1_mmio_check_log(struct conf1_run *r, const struct conf1_mmio_dev *d, const struct hv_mmio_access *want,
                          unsigned n)
{
    if (d->n != n)
        return test_vm_fail(&r->t, "the MMIO device saw %u transfers, expected %u", d->n, n);
    for (unsigned i = 0; i < n && i < CONF1_MMIO_LOG; i++) {
        const struct hv_mmio_access *g = &d->log[i];
        if (g->gpa != want[i].gpa || g->access != want[i].access || g->size != want[i].size ||
            g->value != want[i].value)
            return test_vm_fail(&r->t, "MMIO transfer %u: gpa=0x%llx %s size=%u value=0x%llx, expected gpa=0x%llx "
                                "%s size=%u value=0x%llx", i, (unsigned long long)g->gpa,
                                g->access == HV_ACCESS_READ ? "read" : "write", g->size,
                                (unsigned long long)g->value, (unsigned long long)want[i].gpa,
                                want[i].access == HV_ACCESS_READ ? "read" : "write", want[i].size,
                                (unsigned long long)want[i].value);
    }
    return true;
}

/* ---- the mmio-* cases: one device, preset by the case, checked against the case's transfers ---- */
static struct conf1_mmio_dev mmio_case_dev;
static const struct conf1_mmio_case *mmio_case; /* the case running (one at a time, on the BSP) */

static bool mmio_case_setup(struct conf1_run *r)
{
    memset(mmio_case_dev.regs, 0, sizeof mmio_case_dev.regs);
    if (mmio_case->preset && !mmio_case->preset(r, mmio_case_dev.regs))
        return false;
    return conf1_mmio_attach(r, &mmio_case_dev);
}

static bool mmio_case_check(struct conf1_run *r)
{
    return conf1_mmio_check_log(r, &mmio_case_dev, mmio_case->transfers, mmio_case->ntransfers);
}

enum test_outcome conf1_run_mmio_case(const struct conf1_mmio_case *mc, const struct test_options *opt)
{
    const struct conf1_case cs = {
        .name = mc->name,
        .code = mc->code,
        .code_end = mc->code_end,
        .exits = mc->exits,
        .nexits = mc->nexits,
        .results = mc->results,
        .nresults = mc->nresults,
        .end = HV_STEP_HALTED,
        .setup = mmio_case_setup,
        .check = mmio_case_check,
    };
    mmio_case = mc;
    return conf1_run_case(&cs, opt, (void *)0);
}
