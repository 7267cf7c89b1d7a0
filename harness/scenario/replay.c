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
 *   - EPT (issue 4). config-quota counts only among the leading records (with the fault records), since the
 *     quota is part of the VM's configuration; elsewhere it is traced as ignored. The sim's arena is sized by
 *     what the core may back — min(memory, quota) RAM pages, the EPT tables that many pages can need in the
 *     configured space, and the fixed structures — not by the configured RAM, so a 16-GiB guest with a
 *     small quota costs little (arena_pages()).
 *   - Owner tags: every page allocated while the VM exists (hv_vm_create, steps, host writes) is tagged
 *     HVS_VM_OWNER in the sim's pool, the rest (VMXON region) SIM_OWNER_HOST; the EPT oracle checks that
 *     every frame the EPT references carries the VM's tag.
 *   - mem-access that exits and leaves RIP where it was (the core mapped a lazy page, INVEPT, resumed
 *     without moving RIP) restarts: the same record is resolved once more right after the step, which the
 *     trace shows as a no-exit access "EPT maps it" with "restart":true. A second exit of the restarted
 *     access is stepped, and not restarted again.
 *   - mmio-region adds an MMIO region whose handler is the replay's own device: it records each data transfer
 *     in the trace ({"event":"mmio",...}: GPA, access, size and value as the core delivers them) and answers
 *     a read with the current record's value (mem-access: value; mem-insn: value). The core decodes and
 *     completes the instruction (issue 5); the device only moves data, and refuses (handler false) an access
 *     it cannot attribute to a record (a forced exit).
 *   - Instruction bytes. A mem-insn record's bytes are written at guest CS:RIP (through the guest's paging and
 *     the EPT) before it is resolved. A mem-access record that exits inside an MMIO region stands for a MOV
 *     between RAX and memory: its bytes (hvs_mem_access_insn, of the record's instr_len where such an
 *     encoding exists) are written at CS:RIP before the step, so old scenarios keep their meaning. The RIP
 *     oracle expects the core to advance RIP by the decoded length of those bytes (hv_decode; the decoder is
 *     compared with Zydis elsewhere), or not at all when it injected a fault, and for a REP MOVS/STOS that
 *     stopped with RCX not 0.
 *   - Devices (issue 6): the config-devices record, the host events (key, serial-in, wait, host-msg), the
 *     halted guest waiting for its timer and the trace of injected interrupts are replay_devices.c's (its
 *     top comment has the decisions). The framebuffer is the core's own MMIO device: a mem-insn/mem-access
 *     into it is completed by the core, so the RIP oracle expects the decoded length as for mmio-region.
 */
#include "replay.h"

#include "oracle.h"
#include "replay_devices.h"
#include "resolve.h"
#include "sim_msr.h"
#include "sim_vmcs.h"

#include <hv/exit_reasons.h>
#include <hv/record.h>
#include <hv/vm.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define TSC_START 1000000ull /* the simulated TSC at the first record */
#define TSC_PER_RECORD 1000ull
/* The most RAM pages a replay will back: what the core may back (the quota, or all RAM without one) must
 * fit, or the scenario needs a config-quota record. */
#define HVS_ARENA_MAX_BACKED 65536u

struct replay;
struct replay_region {
    struct replay *rp;
    char name[16];
};

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
    /* EPT: the quota (0: none given), the MMIO regions added, the mem-access record being stepped */
    uint64_t quota_pages;
    unsigned nregions;
    struct replay_region regions[HV_REGIONS_MAX];
    const struct hvs_record *cur_mem;
    unsigned cur_insn_len;  /* decoded length of the instruction at RIP for cur_mem (0: none decodes) */
    bool cur_rep_string;    /* ... and whether it is a REP MOVS/STOS */
    uint64_t cur_rip;       /* guest RIP before cur_mem's step */
    bool cur_core_mmio;     /* ... and whether its GPA is in an MMIO region (a core device's or the replay's):
                               then the core completes the instruction, device called or not */
    /* the virtual hardware's host side (replay_devices.c) */
    struct hvs_devrt dev;
    /* record mode (options.record): the recorder's storage (hv/record.h) */
    struct hv_record rec;
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
    hvs_dev_on_entry(&rp->dev, vmcs_fields(rp)); /* an injected interrupt is traced and taken */
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
    if (rp->cur_mem && rp->cur_core_mmio)
        rp->orc.device_rip_advance = rp->cur_insn_len; /* the core's own device completes the instruction */
    enum hv_step_result res = hv_vcpu_step(&rp->vm);
    rp->exit_ready = false; /* an entry that failed never ran the guest */
    note_fired_fault(rp);
    if (rp->hooks && rp->hooks->after_step)
        rp->hooks->after_step(rp->hooks->opaque, rp->m, &rp->vm, rp->record);
    char msg[sizeof rp->r->message];
    if (rp->cur_mem && rp->cur_rep_string) {
        /* a REP string instruction may stop with RCX not 0 and re-execute (mmio.c): RIP stays */
        uint64_t *fl = vmcs_fields(rp);
        if (fl && fl[HV_VMCS_ORD_GUEST_RIP] == rp->cur_rip)
            rp->orc.device_rip_advance = 0;
    }
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

/* step() as replay_devices.c calls it (host interrupts for host events and the halted guest). */
static bool step_cb(void *opaque, const struct sim_exit *x)
{
    return step(opaque, x);
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


/* ---- the replay's MMIO device ------------------------------------------------------------------------- */

static const char *access_name(unsigned a)
{
    return a == HV_ACCESS_WRITE ? "write" : a == HV_ACCESS_FETCH ? "fetch" : a == HV_ACCESS_READ ? "read" : "?";
}

static bool mmio_device(void *opaque, struct hv_vm *vm, struct hv_mmio_access *a)
{
    (void)vm;
    struct replay_region *rr = opaque;
    struct replay *rp = rr->rp;
    const struct hvs_record *rec = rp->cur_mem;
    FILE *f = rp->o ? rp->o->trace : NULL;
    unsigned size = a->size >= 1 && a->size <= 8 ? a->size : 8;
    uint64_t mask = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
    /* The scenario says what a read answers: mem-insn's value, mem-access's value, force-exit's instr_info. */
    if (rec && a->access == HV_ACCESS_READ)
        a->value = (rec->type == HVS_MEM_INSN ? rec->c : rec->d) & mask;
    if (f) {
        fprintf(f, "{\"event\":\"mmio\",\"region\":");
        json_str(f, rr->name);
        fprintf(f, ",\"gpa\":\"0x%llx\",\"access\":\"%s\",\"size\":%u,\"value\":\"0x%llx\"%s}\n",
                (unsigned long long)a->gpa, access_name((unsigned)a->access), a->size,
                (unsigned long long)(a->value & mask), rec ? "" : ",\"completed\":false");
    }
    if (!rec)
        return false;
    /* the core completes the instruction: RIP moves by its decoded length (see the top of the file) */
    rp->orc.device_rip_advance = rp->cur_insn_len;
    return true;
}

static void add_mmio_region(struct replay *rp, const struct hvs_record *rec)
{
    if (rp->nregions >= HV_REGIONS_MAX) {
        trace_record_note(rp, "ignored", rec, "more MMIO regions than the replay keeps (HV_REGIONS_MAX)");
        return;
    }
    struct replay_region *rr = &rp->regions[rp->nregions];
    rr->rp = rp;
    snprintf(rr->name, sizeof rr->name, "mmio%u", rp->nregions);
    struct hv_region r = {
        .gpa = rec->a,
        .size = rec->b,
        .type = rec->c == 3 ? HV_REGION_MMIO_NP : HV_REGION_MMIO,
        .mmio = mmio_device,
        .opaque = rr,
        .name = rr->name,
    };
    uint32_t prev = sim_machine_set_alloc_owner(rp->m, HVS_VM_OWNER);
    enum hv_err e = hv_vm_add_region(&rp->vm, &r);
    sim_machine_set_alloc_owner(rp->m, prev);
    if (e != HV_OK) {
        char why[HV_MESSAGE_MAX + 32];
        snprintf(why, sizeof why, "the core refused the region: %s", rp->vm.message);
        trace_record_note(rp, "ignored", rec, why);
        return;
    }
    rp->nregions++;
}

/* {"event":"no-exit",...,"restart":true}: a mem-access that exited and restarts after the core's handling. */
static void trace_restart(struct replay *rp, const struct hvs_record *rec, const char *why)
{
    FILE *f = rp->o ? rp->o->trace : NULL;
    if (!f)
        return;
    fprintf(f, "{\"event\":\"no-exit\",\"record\":%zu,\"offset\":%zu,\"type\":", rp->record, rec->offset);
    json_str(f, type_name(rec->type));
    fprintf(f, ",\"why\":");
    json_str(f, why);
    fprintf(f, ",\"restart\":true}\n");
}

/* A mem-access that exits: step, then restart the instruction once when RIP did not move (see the top). */
/* Whether gpa lies in one of the VM's MMIO regions (the core's map, hv/vm.h: the last region added wins). */
static bool gpa_is_mmio(const struct hv_vm *vm, uint64_t gpa)
{
    for (unsigned i = vm->nregions < HV_REGIONS_MAX ? vm->nregions : HV_REGIONS_MAX; i-- > 0;) {
        const struct hv_region *r = &vm->regions[i];
        if (gpa >= r->gpa && gpa - r->gpa < r->size)
            return r->type == HV_REGION_MMIO || r->type == HV_REGION_MMIO_NP;
    }
    return false;
}

/* The instruction the core will fetch at RIP for rec: mem-insn placed its bytes already; a mem-access into
 * MMIO gets its MOV written now. Sets cur_insn_len / cur_rep_string for the device and the RIP oracle. */
static void prepare_insn(struct replay *rp, const struct hvs_record *rec, const struct hvs_resolution *res)
{
    uint64_t *f = vmcs_fields(rp);
    rp->cur_insn_len = 0;
    rp->cur_rep_string = false;
    rp->cur_rip = f[HV_VMCS_ORD_GUEST_RIP];
    uint64_t gpa = rec->type == HVS_MEM_INSN ? rec->a : res->exit.guest_phys;
    const struct hv_fb *fb = &rp->vm.dev.fb;
    /* A REP string with RCX = 0 calls no device, yet the core retires it (found by fuzz_ept): the advance
     * is the instruction's whenever the access is MMIO, not only when a device answered. */
    rp->cur_core_mmio = (fb->attached && gpa >= fb->gpa && gpa - fb->gpa < ((fb->bytes + 4095) & ~4095ull)) ||
                        gpa_is_mmio(&rp->vm, gpa);
    if (rec->type == HVS_MEM_INSN) {
        /* Decode what the core will fetch: the record's bytes were placed at RIP, but the instruction may
         * go on into the bytes memory already holds after them (found by fuzz_exits: "00 06" is a 4-byte
         * ADD in 16-bit code). */
        uint8_t b[15];
        struct hvs_resolve_ctx c = {.m = rp->m, .cpu = rp->cpu, .vm = &rp->vm, .f = f, .tsc = rp->tsc};
        size_t n = hvs_read_insn(&c, b);
        rp->cur_insn_len = hvs_insn_len(f, b, n, &rp->cur_rep_string);
        return;
    }
    if (!gpa_is_mmio(&rp->vm, res->exit.guest_phys))
        return;
    uint8_t b[15];
    size_t n = hvs_mem_access_insn(f, rec, b);
    struct hvs_resolve_ctx c = {.m = rp->m, .cpu = rp->cpu, .vm = &rp->vm, .f = f, .tsc = rp->tsc};
    if (!hvs_place_insn(&c, b, n)) {
        /* The core still fetches and emulates whatever RIP holds (found by fuzz_ept: with the quota spent,
         * the zeros at RIP are "add [rax], al", 2 bytes, which the core retires): expect that instruction. */
        trace_record_note(rp, "note", rec, "the instruction bytes could not be written at RIP");
        n = hvs_read_insn(&c, b);
    }
    rp->cur_insn_len = hvs_insn_len(f, b, n, &rp->cur_rep_string);
}

static bool mem_access_exit(struct replay *rp, const struct hvs_record *rec, const struct hvs_resolution *res)
{
    prepare_insn(rp, rec, res);
    uint64_t *f = vmcs_fields(rp);
    uint64_t rip = f[HV_VMCS_ORD_GUEST_RIP];
    rp->cur_mem = rec;
    bool go = step(rp, &res->exit);
    rp->cur_mem = NULL;
    f = vmcs_fields(rp);
    /* No restart when the core retired the instruction (RIP moved) or injects an event instead (an
     * unsupported MMIO instruction's #UD: the guest's handler runs, not the instruction). */
    if (!go || !f || f[HV_VMCS_ORD_GUEST_RIP] != rip || (f[HV_VMCS_ORD_VM_ENTRY_INTERRUPTION_INFO] & INTR_INFO_VALID)) {
        rp->cur_core_mmio = false;
        return go;
    }
    struct hvs_resolve_ctx c = {.m = rp->m, .cpu = rp->cpu, .vm = &rp->vm, .f = f, .tsc = rp->tsc};
    struct hvs_resolution again;
    hvs_load_operands(&c, rec);
    hvs_resolve(&c, rec, &again);
    if (again.exits) {
        /* The restarted access may exit elsewhere (an access from RAM into MMIO: first the lazy backing, then
         * the hole; found by fuzz_ept): the instruction the core will decode is that exit's. */
        prepare_insn(rp, rec, &again);
        rp->cur_mem = rec;
        go = step(rp, &again.exit);
        rp->cur_mem = NULL;
        rp->cur_core_mmio = false;
        return go;
    }
    rp->cur_core_mmio = false;
    hvs_apply_no_exit(&c, rec, &again);
    trace_restart(rp, rec, again.note);
    return true;
}

/* One VM entry that delivers the injected event the VMCS holds, ended by the host's own interrupt (an
 * external-interrupt exit, vector in the exit interruption information with "acknowledge interrupt on
 * exit"). The exit clears the valid bit (§28.2), so a second call for the same record never happens. */
static bool deliver_pending_event(struct replay *rp)
{
    const uint64_t *f = vmcs_fields(rp);
    struct sim_exit x = {.reason = HV_EXIT_EXTERNAL_INTERRUPT};
    if (f && (f[HV_VMCS_ORD_PRIMARY_VM_EXIT_CONTROLS] & EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT))
        x.intr_info = INTR_INFO_VALID | (INTR_TYPE_EXTERNAL << 8) | HVS_HOST_IRQ_VECTOR;
    return step(rp, &x);
}

/* Run one record. Returns true while the run goes on. */
static bool run_record(struct replay *rp, const struct hvs_record *rec)
{
    uint64_t *f = vmcs_fields(rp);
    if (!f) {
        finish(rp, HVS_KILLED, "the VM has no VMCS the sim can find");
        return false;
    }
    rp->tsc += TSC_PER_RECORD;
    if (hvs_dev_is_host_event(rec->type))
        return hvs_dev_host_event(&rp->dev, rec, step_cb, rp);
    if (hvs_is_semantic(rec->type)) {
        struct hvs_resolve_ctx c = {.m = rp->m, .cpu = rp->cpu, .vm = &rp->vm, .f = f, .tsc = rp->tsc};
        struct hvs_resolution res;
        hvs_load_operands(&c, rec);
        hvs_resolve(&c, rec, &res);
        if (res.exits && (rec->type == HVS_MEM_ACCESS || rec->type == HVS_MEM_INSN))
            return mem_access_exit(rp, rec, &res);
        if (res.exits)
            return step(rp, &res.exit);
        /* An event the core injected is delivered by the next VM entry, before the guest executes anything
         * else (SDM Vol. 3 §27.6). A record that causes no exit would otherwise run first and could change
         * what the delivery is checked against (guest CR0.PE decides the error code, §27.2.1.3). So the
         * replay makes that entry now, ended by a host interrupt as any run may be, then resolves the record
         * on the state after delivery (found by fuzz_exits). */
        if (f[HV_VMCS_ORD_VM_ENTRY_INTERRUPTION_INFO] & INTR_INFO_VALID) {
            if (!deliver_pending_event(rp))
                return false;
            return run_record(rp, rec);
        }
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
    case HVS_SET_MEM: {
        /* A host write may back lazily allocated RAM: those pages are the VM's. */
        uint32_t prev = sim_machine_set_alloc_owner(rp->m, HVS_VM_OWNER);
        bool ok = rec->bytes && hv_gpa_write(&rp->vm, rec->a, rec->bytes, rec->nbytes);
        sim_machine_set_alloc_owner(rp->m, prev);
        if (!ok)
            trace_record_note(rp, "ignored", rec, "the range is not RAM of the VM (or the quota is exhausted)");
        return true;
    }
    case HVS_MMIO_REGION:
        add_mmio_region(rp, rec);
        return true;
    case HVS_CONFIG_QUOTA:
        trace_record_note(rp, "ignored", rec, "config-quota counts only before the first other record");
        return true;
    case HVS_CONFIG_DEVICES:
        trace_record_note(rp, "ignored", rec, "config-devices counts only before the first other record");
        return true;
    case HVS_FORCE_EXIT: {
        struct sim_exit x = {.reason = (uint32_t)rec->a,
                             .qualification = rec->b,
                             .instr_len = (uint32_t)rec->c,
                             .instr_info = (uint32_t)rec->d};
        uint32_t basic = HV_EXIT_REASON_BASIC(x.reason);
        bool ept_exit = basic == HV_EXIT_EPT_VIOLATION || basic == HV_EXIT_EPT_MISCONFIG;
        if (ept_exit && !(x.reason & HV_EXIT_REASON_ENTRY_FAILURE) && gpa_is_mmio(&rp->vm, x.guest_phys)) {
            /* A forced EPT exit into MMIO: the core emulates whatever instruction is at RIP, as for a real one
             * (found by fuzz_ept). The replay's device answers it (with the record's instr_info as data), and
             * the RIP oracle expects the decoded length of what the core fetches. */
            uint8_t b[15];
            struct hvs_resolve_ctx c = {.m = rp->m, .cpu = rp->cpu, .vm = &rp->vm, .f = f, .tsc = rp->tsc};
            size_t n = hvs_read_insn(&c, b);
            rp->cur_insn_len = hvs_insn_len(f, b, n, &rp->cur_rep_string);
            rp->cur_rip = f[HV_VMCS_ORD_GUEST_RIP];
            rp->cur_core_mmio = true;
            rp->cur_mem = rec;
            bool go = step(rp, &x);
            rp->cur_mem = NULL;
            rp->cur_core_mmio = false;
            return go;
        }
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

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* RAM pages the core may back: the quota, or all RAM without one. */
static uint64_t backed_pages(uint64_t memory_pages, uint64_t quota)
{
    return quota ? min_u64(quota, memory_pages) : memory_pages;
}

/* Arena pages for a VM that may back `backed` of its `memory_pages` RAM pages: those pages; the EPT tables
 * they can need wherever they lie (a PT per 2 MiB, a PD per 1 GiB, a PDPT per 512 GiB, never more than one
 * each per backed page) plus the root and a PML5; the guest's page tables (program64, inside RAM, so among
 * the backed pages); per MMIO region a few tables; and ~96 pages of structures: VMXON region, VMCS, I/O and
 * MSR bitmaps, MSR areas. Doubled margins where a core might reasonably use more (splits). */
static size_t arena_pages(uint64_t memory_pages, uint64_t backed)
{
    uint64_t pts = min_u64(backed, (memory_pages + 511) / 512);
    uint64_t pds = min_u64(backed, (memory_pages + (1u << 18) - 1) >> 18);
    uint64_t pdpts = min_u64(backed, (memory_pages + (1u << 27) - 1) >> 27);
    uint64_t tables = 2 * (pts + pds + pdpts) + 2 + HV_REGIONS_MAX * 4;
    return (size_t)(backed + backed / 128 + tables + 96);
}

/* The quota a scenario gives: the last config-quota among its leading records, 0 when none. */
static uint64_t scenario_quota(const struct hvs_scenario *s)
{
    uint64_t q = 0;
    for (size_t i = 0; i < s->nrecords && hvs_is_setup_record(s->records[i].type); i++)
        if (s->records[i].type == HVS_CONFIG_QUOTA)
            q = s->records[i].a;
    return q;
}

static enum hvs_status bring_up(struct replay *rp, size_t *next_record)
{
    const struct hvs_scenario *s = rp->s;
    /* Leading fault-injection records are armed before bring-up (see the top of the file). */
    size_t i = 0;
    while (i < s->nrecords && hvs_is_setup_record(s->records[i].type)) {
        rp->record = i;
        if (is_fault_record(s->records[i].type))
            arm_fault(rp, &s->records[i]);
        i++;
    }
    *next_record = i;
    rp->r->records_run = i;

    hvs_oracles_start(&rp->orc, !rp->o->no_oracles, rp->m, rp->cpu, rp->hooks ? rp->hooks->work_limit : 0);
    /* a test hook may change anything between steps: the ept oracle then looks after every step */
    rp->orc.ept_every_step = rp->hooks && rp->hooks->after_step;
    enum hv_err e = hv_cpu_init(&rp->hcpu, rp->cpu);
    note_fired_fault(rp);
    if (e != HV_OK) {
        trace_refusal(rp, "vmx-refused", rp->hcpu.message);
        return finish(rp, HVS_KILLED, "VMX bring-up refused: %s", rp->hcpu.message);
    }
    rp->cpu_up = true;
    struct hv_vm_config cfg = {
        .memory_size = (uint64_t)s->header.memory_pages * 4096u,
        .memory_quota_pages = rp->quota_pages,
        .mode = s->header.guest_mode == HVS_MODE_REAL ? HV_GUEST_REAL_MODE : HV_GUEST_PROGRAM64,
        .entry = s->header.entry,
        .stack = s->header.stack,
        .trace = trace_event,
        .trace_opaque = rp,
        .record = rp->o->record ? &rp->rec : NULL,
    };
    rp->rec = (struct hv_record){.profile = sim_machine_profile(rp->m)->name};
    sim_machine_set_log(rp->m, rp->o->log, rp->o->log_opaque); /* NULL: the core's log lines are dropped */
    rp->dev = (struct hvs_devrt){.o = rp->o, .trace = rp->o->trace, .m = rp->m, .cpu = rp->cpu, .vm = &rp->vm};
    hvs_dev_configure(&rp->dev, s, &cfg);
    rp->vm_made = true; /* hv_vm_destroy is safe on a VM whose creation failed */
    /* Every page allocated from here until the VM is destroyed is the VM's (see the top of the file). */
    sim_machine_set_alloc_owner(rp->m, HVS_VM_OWNER);
    hvs_oracles_set_vm(&rp->orc, &rp->vm, HVS_VM_OWNER);
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
    /* Oracle 4 once more on the final EPT, unless the run already ended on a finding. */
    char emsg[sizeof rp->r->message];
    if (rp->vm_made && rp->vm.created && rp->r->status != HVS_ORACLE &&
        !hvs_oracles_ept(&rp->orc, vmcs_fields(rp), emsg, sizeof emsg))
        finish(rp, HVS_ORACLE, "%s", emsg);
    /* Injections still armed are the scenario's, not the teardown's business: left armed they could make
     * VMXOFF or a VMCLEAR fail and blame the core for leaking (found by hvscapy gen: an unfired VMXOFF
     * failure kept the VMXON region). */
    sim_inject_clear(rp->m);
    if (rp->vm_made)
        hv_vm_destroy(&rp->vm);
    sim_machine_set_alloc_owner(rp->m, SIM_OWNER_HOST);
    if (rp->cpu_up)
        hv_cpu_fini(&rp->hcpu);
    char msg[sizeof rp->r->message];
    /* The first finding is the one reported: a bug found earlier often leaks pages as a consequence. */
    if (!hvs_oracles_finish(&rp->orc, msg, sizeof msg) && rp->r->status != HVS_ORACLE)
        finish(rp, HVS_ORACLE, "%s", msg);
}

/* ---- reuse between replays (fuzzing) ------------------------------------------------------------------- */

#define REPLAY_KEY_MAX_FAULTS 8u

/* What decides the state right after bring-up: two scenarios with equal keys reach the same state there, so
 * one snapshot serves both. The records after the leading ones are not part of it. */
struct replay_key {
    const struct sim_profile *prof;
    size_t arena;
    uint32_t memory_pages;
    uint8_t guest_mode;
    uint64_t entry, stack, quota;
    uint64_t devices[4]; /* the last leading config-devices record's fields (all 0: none) */
    /* the leading fault-injection records, in order: they are armed before bring-up and shape it */
    unsigned nfaults;
    struct {
        uint8_t type;
        uint64_t a, b, c;
    } faults[REPLAY_KEY_MAX_FAULTS];
    bool no_oracles, no_entry_checks;
    void (*serial)(void *, uint8_t);
    void (*fb_pixel)(void *, uint32_t, uint32_t, uint32_t);
    void *dev_opaque;
};

struct hvs_replay_cache {
    struct sim_machine *m; /* reset, never re-created, while the profile stays and the arena fits */
    bool have_snapshot;    /* m holds a snapshot taken right after the bring-up of `key` */
    struct replay_key key;
    /* The replay lives here, at a fixed address, because the core and the sim keep pointers into it (the VM's
     * CPU, the trace and guest-model callbacks' opaque pointers); saved is live as it was at the snapshot. */
    struct replay live, saved;
};

struct hvs_replay_cache *hvs_replay_cache_new(void) { return calloc(1, sizeof(struct hvs_replay_cache)); }

void hvs_replay_cache_free(struct hvs_replay_cache *c)
{
    if (!c)
        return;
    sim_machine_destroy(c->m);
    free(c);
}


static struct replay_key make_key(const struct hvs_scenario *s, const struct hvs_replay_options *o,
                                  const struct sim_profile *prof, size_t arena, uint64_t quota)
{
    struct replay_key k;
    memset(&k, 0, sizeof k); /* padding too: keys are compared with memcmp */
    k.prof = prof;
    k.arena = arena;
    k.memory_pages = s->header.memory_pages;
    k.guest_mode = s->header.guest_mode;
    k.entry = s->header.entry;
    k.stack = s->header.stack;
    k.quota = quota;
    for (size_t i = 0; i < s->nrecords && hvs_is_setup_record(s->records[i].type); i++) {
        const struct hvs_record *r = &s->records[i];
        if (r->type == HVS_CONFIG_DEVICES) {
            k.devices[0] = r->a, k.devices[1] = r->b, k.devices[2] = r->c, k.devices[3] = r->d;
        } else if (is_fault_record(r->type) && k.nfaults < REPLAY_KEY_MAX_FAULTS) {
            k.faults[k.nfaults].type = r->type;
            k.faults[k.nfaults].a = r->a, k.faults[k.nfaults].b = r->b, k.faults[k.nfaults].c = r->c;
            k.nfaults++;
        }
    }
    k.no_oracles = o->no_oracles;
    k.no_entry_checks = o->no_entry_checks;
    k.serial = o->serial;
    k.fb_pixel = o->fb_pixel;
    k.dev_opaque = o->dev_opaque;
    return k;
}

/* A snapshot would skip what only a fresh bring-up does: trace and log lines of the bring-up (a recording's
 * header among them) and test hooks. Leading fault injections are part of the key (up to
 * REPLAY_KEY_MAX_FAULTS of them; with more, no snapshot). */
static bool snapshot_allowed(const struct hvs_scenario *s, const struct hvs_replay_options *o,
                             const struct hvs_replay_hooks *hooks)
{
    if (hooks || o->trace || o->record || o->log)
        return false;
    unsigned faults = 0;
    for (size_t i = 0; i < s->nrecords && hvs_is_setup_record(s->records[i].type); i++)
        if (is_fault_record(s->records[i].type) && ++faults > REPLAY_KEY_MAX_FAULTS)
            return false;
    return true;
}

/* The cache's machine, reset to a fresh machine of `arena` pages; NULL on out of memory. */
static struct sim_machine *cache_machine(struct hvs_replay_cache *c, const struct sim_profile *prof, size_t arena)
{
    c->have_snapshot = false;
    if (c->m && sim_machine_profile(c->m) == prof && arena <= sim_machine_capacity(c->m) &&
        sim_machine_reset(c->m, arena))
        return c->m;
    sim_machine_destroy(c->m);
    /* Room to grow: most scenarios fit in 8192 pages, so a fuzzer rarely re-creates the machine. */
    c->m = arena < 8192 ? sim_machine_create(prof, 8192, 1) : NULL;
    if (c->m && !sim_machine_reset(c->m, arena)) {
        sim_machine_destroy(c->m);
        c->m = NULL;
    }
    if (!c->m)
        c->m = sim_machine_create(prof, arena, 1);
    return c->m;
}

/* The leading (setup) records a bring-up consumes. */
static size_t leading_records(const struct hvs_scenario *s)
{
    size_t i = 0;
    while (i < s->nrecords && hvs_is_setup_record(s->records[i].type))
        i++;
    return i;
}

enum hvs_status hvs_replay_hooked(const struct hvs_scenario *s, const struct hvs_replay_options *o,
                                  const struct hvs_replay_hooks *hooks, struct hvs_replay_result *r)
{
    static const struct hvs_replay_options defaults;
    memset(r, 0, sizeof *r);
    if (!o)
        o = &defaults;
    /* On the stack without a cache; with one, copied into it before bring-up (the core keeps pointers). */
    struct replay fresh = {.s = s, .o = o, .hooks = hooks, .r = r, .tsc = TSC_START};
    struct replay *rp = &fresh;
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
    uint64_t quota = scenario_quota(s);
    uint64_t backed = backed_pages(pages, quota);
    if (backed > HVS_ARENA_MAX_BACKED)
        return finish(rp, HVS_BAD_INPUT,
                      "the core may back %llu RAM pages, more than a replay backs (%u): give a config-quota record",
                      (unsigned long long)backed, HVS_ARENA_MAX_BACKED);
    size_t arena = arena_pages(pages, backed);

    struct hvs_replay_cache *c = o->cache;
    bool snap_ok = c && snapshot_allowed(s, o, hooks);
    struct replay_key key;
    if (snap_ok)
        key = make_key(s, o, prof, arena, quota);
    size_t i = 0;
    bool up;
    if (snap_ok && c->have_snapshot && !memcmp(&key, &c->key, sizeof key) && sim_machine_restore(c->m)) {
        /* The state right after this scenario's bring-up, without doing it: the snapshot's replay, pointed at
         * this call's scenario, options and result. */
        c->live = c->saved;
        rp = &c->live;
        rp->s = s;
        rp->o = o;
        rp->r = r;
        rp->dev.o = o;
        rp->dev.trace = o->trace;
        /* an injection armed before bring-up and not yet fired names its record in this scenario (the keys
         * are equal, so the leading records are too) */
        if (rp->armed_vmx)
            rp->armed_vmx = &s->records[rp->armed_vmx_record];
        i = leading_records(s);
        r->records_run = i;
        up = true;
    } else {
        struct sim_machine *m;
        if (c) {
            m = cache_machine(c, prof, arena);
            c->live = *rp;
            rp = &c->live;
        } else {
            m = sim_machine_create(prof, arena, 1);
        }
        if (!m)
            return finish(rp, HVS_BAD_INPUT, "cannot build a simulated machine of %zu pages for profile %s",
                          arena, prof->name);
        rp->m = m;
        rp->quota_pages = quota;
        rp->cpu = sim_machine_cpu(rp->m, 0);
        sim_machine_set_entry_checks(rp->m, !o->no_entry_checks);
        up = bring_up(rp, &i) == HVS_OK;
        if (up && snap_ok && sim_machine_snapshot(rp->m)) {
            c->saved = *rp;
            c->key = key;
            c->have_snapshot = true;
        }
    }

    if (up) {
        finish(rp, HVS_OK, "end of scenario");
        for (; i < s->nrecords; i++) {
            rp->record = i;
            rp->dev.record = i;
            r->records_run = i + 1;
            if (!run_record(rp, &s->records[i]))
                break;
            /* a guest the core left halted waits for its next device deadline (replay_devices.c) */
            if (!hvs_dev_after_step(&rp->dev, vmcs_fields(rp), step_cb, rp))
                break;
        }
    }
    tear_down(rp);
    if (!c)
        sim_machine_destroy(rp->m);
    return r->status;
}

enum hvs_status hvs_replay(const struct hvs_scenario *s, const struct hvs_replay_options *o,
                           struct hvs_replay_result *r)
{
    return hvs_replay_hooked(s, o, NULL, r);
}
