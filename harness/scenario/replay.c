/* The replay engine (replay.h): a scenario run through the real core on the sim, under the oracles.
 *
 * Decisions this file makes (and docs/scenario-format.md refers to):
 *   - Status of a VM the core will not create. A VM configuration the core calls invalid (HV_ERR_BAD_CONFIG:
 *     memory size, entry point, mode) is the scenario's fault: HVS_BAD_INPUT (3). Any other refusal —
 *     no EPT or unrestricted guest on this profile, a required control missing, VMXON refused, a page
 *     allocation or VMX instruction that failed (injected or not) — is the core cleanly declining on this
 *     CPU: HVS_KILLED (1) with the core's message, as for a VM killed later. Either way every page must
 *     come back (the page-balance oracle still runs).
 *   - Fault-injection records (FAIL_ALLOC, FAIL_VMX) that precede every other record are armed before VMX
 *     bring-up, so a scenario can fail VMXON or the N-th allocation of hv_vm_create; anywhere else they arm
 *     where they stand.
 *   - The guest is the sim's guest model (sim_cpu_set_guest) run by this file: it reports the exit the
 *     current record resolved to. A step with no exit prepared (cannot happen from a record) ends in a
 *     triple fault, as a guest with nothing to run would.
 *   - Raw SET_GPR of RIP/RFLAGS stores what a guest can architecturally hold: RFLAGS reserved bits cleared,
 *     bit 1 set, VM cleared (virtual-8086 mode is not modelled); RIP canonical in 64-bit mode (sign-extended
 *     from bit 47 when it is not) and 32-bit outside it. A raw record therefore cannot by itself make the
 *     VMCS fail the entry checks, so a failing check is always the core's.
 *   - After HV_STEP_HALTED (status 0) or HV_STEP_KILLED (status 1) the run ends; the rest is not run.
 */
#include "replay.h"

#include "oracle.h"
#include "resolve.h"
#include "sim_msr.h"
#include "sim_vmcs.h"

#include <hv/exit_reasons.h>
#include <hv/vm.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TSC_START 1000000ull /* the simulated TSC at the first record */
#define TSC_PER_RECORD 1000ull

struct replay {
    const struct hvs_scenario *s;
    const struct hvs_replay_options *o;
    const struct hvs_replay_hooks *hooks;
    struct hvs_replay_result *r;
    struct sim_machine *m;
    struct hv_arch_cpu *cpu;
    struct hv_cpu hcpu;
    struct hv_vm vm;
    struct hvs_oracles orc;
    bool cpu_up, vm_made;
    /* the exit the guest model reports at the next VM entry */
    bool exit_ready;
    struct sim_exit next_exit;
    uint64_t tsc;
    uint64_t exit_no;
    size_t record;
    /* the FAIL_VMX record whose failure is armed, until the trace has said that it fired */
    const struct hvs_record *armed_vmx;
    size_t armed_vmx_record;
};

/* ---- trace -------------------------------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f) /* bytes >= 0x80 are UTF-8 ("§"): JSON carries them as they are */
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static const char *action_name(enum hv_exit_action a)
{
    return a == HV_EXIT_RESUME ? "resume" : a == HV_EXIT_HALT ? "halt" : "kill";
}

static void note_fired_fault(struct replay *rp);

static void trace_event(void *opaque, const struct hv_trace_event *ev)
{
    struct replay *rp = opaque;
    note_fired_fault(rp); /* an injected failure that caused this event is reported before it */
    FILE *f = rp->o ? rp->o->trace : NULL;
    if (ev->kind == HV_TRACE_EXIT)
        rp->exit_no++;
    if (!f)
        return;
    switch (ev->kind) {
    case HV_TRACE_EXIT: {
        uint32_t basic = HV_EXIT_REASON_BASIC(ev->exit_reason);
        const char *name = hv_exit_reason_name(basic);
        fprintf(f, "{\"exit\":%llu,\"reason\":", (unsigned long long)rp->exit_no);
        json_str(f, name ? name : "unknown");
        fprintf(f, ",\"number\":%u,", basic);
        if (ev->exit_reason & HV_EXIT_REASON_ENTRY_FAILURE)
            fprintf(f, "\"entry_failure\":true,");
        fprintf(f, "\"qualification\":\"0x%llx\",\"instr_len\":%u,\"outcome\":\"%s\"",
                (unsigned long long)ev->qualification, ev->instr_len, action_name(ev->action));
        if (ev->message && *ev->message) {
            fprintf(f, ",\"message\":");
            json_str(f, ev->message);
        }
        fprintf(f, "}\n");
        break;
    }
    case HV_TRACE_ENTRY_FALLBACK:
        fprintf(f, "{\"event\":\"vmlaunch-fallback\",\"message\":");
        json_str(f, ev->message);
        fprintf(f, "}\n");
        break;
    case HV_TRACE_KILL:
        fprintf(f, "{\"event\":\"kill\",\"message\":");
        json_str(f, ev->message);
        fprintf(f, "}\n");
        break;
    }
}

static const char *type_name(uint8_t type)
{
    const char *n = hvs_record_name(type);
    return n ? n : "unknown";
}

/* {"event":"no-exit",...} and {"event":"ignored",...}: the records that did not reach the core. */
static void trace_record_note(struct replay *rp, const char *event, const struct hvs_record *rec, const char *why)
{
    FILE *f = rp->o ? rp->o->trace : NULL;
    if (!f)
        return;
    fprintf(f, "{\"event\":\"%s\",\"record\":%zu,\"offset\":%zu,\"type\":", event, rp->record, rec->offset);
    json_str(f, type_name(rec->type));
    if (why && *why) {
        fprintf(f, ",\"why\":");
        json_str(f, why);
    }
    fprintf(f, "}\n");
}

static void trace_refusal(struct replay *rp, const char *what, const char *message)
{
    FILE *f = rp->o ? rp->o->trace : NULL;
    if (!f)
        return;
    fprintf(f, "{\"event\":\"%s\",\"message\":", what);
    json_str(f, message);
    fprintf(f, "}\n");
}

static enum hvs_status finish(struct replay *rp, enum hvs_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum hvs_status finish(struct replay *rp, enum hvs_status st, const char *fmt, ...)
{
    rp->r->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rp->r->message, sizeof rp->r->message, fmt, ap);
    va_end(ap);
    return st;
}

/* ---- the guest ---------------------------------------------------------------------------------------- */

static uint64_t *vmcs_fields(struct replay *rp)
{
    hv_paddr_t v = rp->cpu->current_vmcs != SIM_NO_VMCS ? rp->cpu->current_vmcs : rp->vm.vmcs;
    return v ? sim_vmcs_fields(rp->m, v) : NULL;
}

static void guest_model(struct hv_arch_cpu *cpu, struct hv_guest_gprs *gprs, struct sim_exit *exit, void *opaque)
{
    (void)gprs;
    (void)cpu;
    struct replay *rp = opaque;
    if (rp->exit_ready) {
        *exit = rp->next_exit;
        rp->exit_ready = false;
    }
}

/* One VM entry of the core with x as the exit the guest causes. Returns true while the run goes on. */
static bool step(struct replay *rp, const struct sim_exit *x)
{
    rp->next_exit = *x;
    rp->exit_ready = true;
    hvs_oracles_before_step(&rp->orc, vmcs_fields(rp));
    enum hv_step_result res = hv_vcpu_step(&rp->vm);
    rp->exit_ready = false; /* an entry that failed never ran the guest */
    note_fired_fault(rp);
    if (rp->hooks && rp->hooks->after_step)
        rp->hooks->after_step(rp->hooks->opaque, rp->m, &rp->vm, rp->record);
    char msg[sizeof rp->r->message];
    if (!hvs_oracles_after_step(&rp->orc, vmcs_fields(rp), res, msg, sizeof msg)) {
        finish(rp, HVS_ORACLE, "%s", msg);
        return false;
    }
    if (res == HV_STEP_KILLED) {
        finish(rp, HVS_KILLED, "VM killed: %s", rp->vm.message);
        return false;
    }
    if (res == HV_STEP_HALTED) {
        finish(rp, HVS_OK, "the guest halted and nothing can wake it");
        return false;
    }
    return true;
}

/* ---- records ------------------------------------------------------------------------------------------ */

static uint64_t sane_rflags(const uint64_t *f, uint64_t v)
{
    /* SDM Vol. 1 §3.4.3: reserved bits 63:22, 15, 5, 3 are 0 and bit 1 is 1 in any value a guest can hold. */
    v = (v & ~RFLAGS_RESERVED) | RFLAGS_FIXED1;
    v &= ~RFLAGS_VM; /* virtual-8086 mode is not modelled */
    (void)f;
    return v;
}

static uint64_t sane_rip(struct replay *rp, const uint64_t *f, uint64_t v)
{
    if (!(f[HV_VMCS_ORD_GUEST_CS_AR_BYTES] & AR_L))
        return v & 0xffffffffull; /* outside 64-bit mode EIP is 32 bits (§27.3.1.4 wants 63:32 = 0) */
    if (!sim_canonical(sim_machine_profile(rp->m), v))
        v = (uint64_t)((int64_t)(v << 16) >> 16); /* canonical as a 48-bit address */
    return v;
}

static void set_gpr_record(struct replay *rp, uint64_t *f, const struct hvs_record *rec)
{
    unsigned reg = (unsigned)rec->a;
    if (reg < 16) {
        hvs_set_gpr(&rp->vm, f, reg, rec->b);
    } else if (reg == HVS_REG_RIP) {
        f[HV_VMCS_ORD_GUEST_RIP] = sane_rip(rp, f, rec->b);
    } else if (reg == HVS_REG_RFLAGS) {
        uint64_t v = sane_rflags(f, rec->b);
        f[HV_VMCS_ORD_GUEST_RFLAGS] = v;
        /* Blocking by STI needs IF = 1 (§27.3.1.5): clearing IF ends the STI shadow, as CLI would. */
        if (!(v & RFLAGS_IF))
            f[HV_VMCS_ORD_GUEST_INTERRUPTIBILITY_STATE] &= ~(uint64_t)INTERRUPTIBILITY_STI;
    } else {
        trace_record_note(rp, "ignored", rec, "register number out of range");
    }
}

static void arm_fault(struct replay *rp, const struct hvs_record *rec)
{
    if (rec->type == HVS_FAIL_ALLOC) {
        sim_inject_page_alloc_failure(rp->m, rec->a > 0xffffffffull ? 0xffffffffu : (unsigned)rec->a);
        return;
    }
    if (rec->a >= SIM_INSN_COUNT || rec->a == SIM_INSN_MOV_CR || rec->a == SIM_INSN_WRMSR) {
        trace_record_note(rp, "ignored", rec, "not a VMX instruction");
        return;
    }
    enum hv_vmx_status st = rec->b == HV_VMFAIL_VALID ? HV_VMFAIL_VALID : HV_VMFAIL_INVALID;
    sim_inject_vmx_failure(rp->m, (enum sim_insn)rec->a, st, (uint32_t)rec->c);
    rp->armed_vmx = rec;
    rp->armed_vmx_record = rp->record;
}

/* When an armed VMX-instruction failure has been consumed, say so in the trace: otherwise an injected
 * failure that happens to match what the processor would have answered anyway (error 5 at the first
 * VMRESUME) could not be told from none. */
static void note_fired_fault(struct replay *rp)
{
    FILE *f = rp->o ? rp->o->trace : NULL;
    if (!rp->armed_vmx || sim_vmx_injection_armed(rp->m))
        return;
    const struct hvs_record *rec = rp->armed_vmx;
    rp->armed_vmx = NULL;
    if (!f)
        return;
    fprintf(f, "{\"event\":\"fault-fired\",\"record\":%zu,\"insn\":", rp->armed_vmx_record);
    json_str(f, sim_insn_name((enum sim_insn)rec->a));
    if (rec->b == HV_VMFAIL_VALID)
        fprintf(f, ",\"result\":\"VMfailValid\",\"error\":%llu}\n", (unsigned long long)rec->c);
    else
        fprintf(f, ",\"result\":\"VMfailInvalid\"}\n");
}

static bool is_fault_record(uint8_t type) { return type == HVS_FAIL_ALLOC || type == HVS_FAIL_VMX; }

/* Run one record. Returns true while the run goes on. */
static bool run_record(struct replay *rp, const struct hvs_record *rec)
{
    uint64_t *f = vmcs_fields(rp);
    if (!f) {
        finish(rp, HVS_KILLED, "the VM has no VMCS the sim can find");
        return false;
    }
    rp->tsc += TSC_PER_RECORD;
    if (hvs_is_semantic(rec->type)) {
        struct hvs_resolve_ctx c = {.m = rp->m, .cpu = rp->cpu, .vm = &rp->vm, .f = f, .tsc = rp->tsc};
        struct hvs_resolution res;
        hvs_load_operands(&c, rec);
        hvs_resolve(&c, rec, &res);
        if (res.exits)
            return step(rp, &res.exit);
        hvs_apply_no_exit(&c, rec, &res);
        trace_record_note(rp, "no-exit", rec,
                          res.faulted ? (res.fault_vector == VEC_UD ? "#UD, exception bitmap bit clear"
                                                                    : "#GP, exception bitmap bit clear")
                                      : res.note);
        return true;
    }
    switch (rec->type) {
    case HVS_SET_GPR:
        set_gpr_record(rp, f, rec);
        return true;
    case HVS_SET_MEM:
        if (!rec->bytes || !hv_gpa_write(&rp->vm, rec->a, rec->bytes, rec->nbytes))
            trace_record_note(rp, "ignored", rec, "the range is not RAM of the VM");
        return true;
    case HVS_FORCE_EXIT: {
        struct sim_exit x = {.reason = (uint32_t)rec->a,
                             .qualification = rec->b,
                             .instr_len = (uint32_t)rec->c,
                             .instr_info = (uint32_t)rec->d};
        return step(rp, &x);
    }
    case HVS_FAIL_ALLOC:
    case HVS_FAIL_VMX:
        arm_fault(rp, rec);
        return true;
    default:
        trace_record_note(rp, "ignored", rec, "unknown record type");
        return true;
    }
}

/* ---- the run ------------------------------------------------------------------------------------------ */

static size_t arena_pages(uint64_t guest_pages)
{
    /* Guest RAM, its EPT and guest page tables (one table page per 512 pages each, generously doubled),
     * and ~96 pages of structures: VMXON region, VMCS, I/O and MSR bitmaps, MSR areas, upper table levels. */
    return (size_t)(guest_pages + guest_pages / 128 + 96);
}

static enum hvs_status bring_up(struct replay *rp, size_t *next_record)
{
    const struct hvs_scenario *s = rp->s;
    /* Leading fault-injection records are armed before bring-up (see the top of the file). */
    size_t i = 0;
    while (i < s->nrecords && is_fault_record(s->records[i].type)) {
        rp->record = i;
        arm_fault(rp, &s->records[i]);
        i++;
    }
    *next_record = i;
    rp->r->records_run = i;

    hvs_oracles_start(&rp->orc, !rp->o->no_oracles, rp->m, rp->cpu, rp->hooks ? rp->hooks->work_limit : 0);
    enum hv_err e = hv_cpu_init(&rp->hcpu, rp->cpu);
    note_fired_fault(rp);
    if (e != HV_OK) {
        trace_refusal(rp, "vmx-refused", rp->hcpu.message);
        return finish(rp, HVS_KILLED, "VMX bring-up refused: %s", rp->hcpu.message);
    }
    rp->cpu_up = true;
    struct hv_vm_config cfg = {
        .memory_size = (uint64_t)s->header.memory_pages * 4096u,
        .mode = s->header.guest_mode == HVS_MODE_REAL ? HV_GUEST_REAL_MODE : HV_GUEST_PROGRAM64,
        .entry = s->header.entry,
        .stack = s->header.stack,
        .trace = trace_event,
        .trace_opaque = rp,
    };
    rp->vm_made = true; /* hv_vm_destroy is safe on a VM whose creation failed */
    e = hv_vm_create(&rp->vm, &rp->hcpu, &cfg);
    note_fired_fault(rp);
    if (e != HV_OK) {
        trace_refusal(rp, "vm-refused", rp->vm.message);
        return finish(rp, e == HV_ERR_BAD_CONFIG ? HVS_BAD_INPUT : HVS_KILLED, "VM creation refused: %s",
                      rp->vm.message);
    }
    sim_cpu_set_guest(rp->cpu, guest_model, rp);
    return HVS_OK;
}

static void tear_down(struct replay *rp)
{
    rp->r->exits = rp->vm.stats.exits;
    if (rp->vm_made)
        hv_vm_destroy(&rp->vm);
    if (rp->cpu_up)
        hv_cpu_fini(&rp->hcpu);
    /* Injections still armed are the scenario's, not the teardown's business; they could make VMXOFF or a
     * VMCLEAR fail and blame the core for leaking. */
    char msg[sizeof rp->r->message];
    if (!hvs_oracles_finish(&rp->orc, msg, sizeof msg))
        finish(rp, HVS_ORACLE, "%s", msg);
}

enum hvs_status hvs_replay_hooked(const struct hvs_scenario *s, const struct hvs_replay_options *o,
                                  const struct hvs_replay_hooks *hooks, struct hvs_replay_result *r)
{
    static const struct hvs_replay_options defaults;
    memset(r, 0, sizeof *r);
    if (!o)
        o = &defaults;
    struct replay *rp = &(struct replay){.s = s, .o = o, .hooks = hooks, .r = r, .tsc = TSC_START};
    if (!s)
        return finish(rp, HVS_BAD_INPUT, "no scenario");
    const char *pname = o->profile ? o->profile : s->header.profile;
    const struct sim_profile *prof = sim_profile_find(pname);
    if (!prof)
        return finish(rp, HVS_BAD_INPUT, "unknown profile \"%s\" (hvkit profiles lists them)", pname);
    uint64_t pages = s->header.memory_pages;
    if (pages > HV_VM_MAX_MEMORY / 4096u)
        return finish(rp, HVS_BAD_INPUT, "memory of %llu pages exceeds the core's maximum of %llu",
                      (unsigned long long)pages, (unsigned long long)(HV_VM_MAX_MEMORY / 4096u));
    rp->m = sim_machine_create(prof, arena_pages(pages), 1);
    if (!rp->m)
        return finish(rp, HVS_BAD_INPUT, "cannot build a simulated machine of %zu pages for profile %s",
                      arena_pages(pages), prof->name);
    rp->cpu = sim_machine_cpu(rp->m, 0);
    sim_machine_set_entry_checks(rp->m, !o->no_entry_checks);

    size_t i = 0;
    if (bring_up(rp, &i) == HVS_OK) {
        finish(rp, HVS_OK, "end of scenario");
        for (; i < s->nrecords; i++) {
            rp->record = i;
            r->records_run = i + 1;
            if (!run_record(rp, &s->records[i]))
                break;
        }
    }
    tear_down(rp);
    sim_machine_destroy(rp->m);
    return r->status;
}

enum hvs_status hvs_replay(const struct hvs_scenario *s, const struct hvs_replay_options *o,
                           struct hvs_replay_result *r)
{
    return hvs_replay_hooked(s, o, NULL, r);
}
