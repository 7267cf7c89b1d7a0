/* Record mode (hv/record.h): each exit written as scenario records in the text form, before its handler runs.
 *
 * The rule for choosing a record: a semantic record (cpuid, port-out, mem-insn, ...) when the SDM encoding of
 * its fields is exactly the recorded exit qualification — the sim then resolves it against the core's own
 * controls, as the processor did, so a recording also tests that the sim agrees with the machine; otherwise
 * force-exit with the recorded reason, qualification, length and instruction information, and every GPR set
 * first (a forced exit loads no operands). What no record carries (an exception's qualification, an
 * instruction at RIP the core cannot read) is marked unrecordable, with the best record after the comment.
 * An event a handler injected needs nothing: the replay delivers it on the entry that ends in the next
 * record's exit, as the machine did (replay.c, run_record).
 * Guest values reach the log only as numbers and at most 15 instruction bytes in hex, so a line is bounded. */
#include "core.h"
#include "exits/exits.h"
#include "guest_mem.h"
#include "guest_walk.h"

#include <hv/decode.h>
#include <hv/exit_reasons.h>
#include <hv/record.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>

/* The scenario format's bounds (docs/scenario-format.md): header memory and quota 1..4 Mi pages. */
#define REC_MAX_PAGES (1ull << 22)
#define REC_PROFILE_MAX 32u

static void emit(struct hv_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct hv_vm *vm, const char *fmt, ...)
{
    char line[HV_RECORD_LINE_MAX + 1];
    size_t p = sizeof HV_RECORD_PREFIX - 1;
    hv_memcpy(line, HV_RECORD_PREFIX, p);
    va_list ap;
    va_start(ap, fmt);
    hv_vsnprintf(line + p, sizeof line - p, fmt, ap); /* truncates, never overruns */
    va_end(ap);
    hv_arch_log(vm->cpu->arch, line);
    vm->cfg.record->lines++;
}

/* ---- header ------------------------------------------------------------------------------------------- */

/* The text form's profile names: 1-32 printable ASCII characters 0x21-0x7e but '#'. */
static bool profile_ok(const char *p)
{
    if (!p)
        return false;
    size_t n = 0;
    for (; p[n]; n++)
        if (n >= REC_PROFILE_MAX || p[n] < 0x21 || p[n] > 0x7e || p[n] == '#')
            return false;
    return n > 0;
}

static uint64_t clamp_pages(struct hv_vm *vm, const char *what, uint64_t pages)
{
    if (pages <= REC_MAX_PAGES)
        return pages;
    emit(vm, "# unrecordable configuration: %s of %llu pages, the scenario format holds at most %llu", what,
         (unsigned long long)pages, (unsigned long long)REC_MAX_PAGES);
    vm->cfg.record->unrecordable++;
    return REC_MAX_PAGES;
}

static void header(struct hv_vm *vm, const struct hv_record *rec)
{
    const struct hv_vm_config *c = &vm->cfg;
    emit(vm, "# begin recording (hvkit record mode: docs/scenario-format.md, Recording)");
    if (profile_ok(rec->profile))
        emit(vm, "profile %s", rec->profile);
    else
        emit(vm, "# no usable profile name given: the default profile applies");
    emit(vm, "memory-pages %llu", (unsigned long long)clamp_pages(vm, "memory", c->memory_size / HV_PAGE_SIZE));
    emit(vm, "mode %s", c->mode == HV_GUEST_REAL_MODE ? "real" : "program64");
    emit(vm, "entry 0x%llx", (unsigned long long)c->entry);
    emit(vm, "stack 0x%llx", (unsigned long long)c->stack);
    if (c->memory_quota_pages)
        emit(vm, "config-quota pages=%llu",
             (unsigned long long)clamp_pages(vm, "the quota", c->memory_quota_pages));
    if (c->devices)
        emit(vm, "config-devices devices=0x%x fb_gpa=0x%llx fb_width=%u fb_height=%u", c->devices & HV_DEV_ALL,
             (unsigned long long)c->fb_gpa, c->fb_width, c->fb_height);
    for (unsigned i = 0; i < vm->nregions && i < HV_REGIONS_MAX; i++) {
        const struct hv_region *r = &vm->regions[i];
        if ((c->devices & HV_DEV_FB) && r->gpa == c->fb_gpa)
            continue; /* the framebuffer's region: config-devices makes the core add it again */
        if (r->type == HV_REGION_MMIO || r->type == HV_REGION_MMIO_NP) {
            emit(vm, "mmio-region gpa=0x%llx size=0x%llx kind=%u", (unsigned long long)r->gpa,
                 (unsigned long long)r->size, r->type == HV_REGION_MMIO ? 2u : 3u);
        } else {
            emit(vm, "# unrecordable region: ROM at 0x%llx, 0x%llx bytes (no record adds ROM)",
                 (unsigned long long)r->gpa, (unsigned long long)r->size);
            vm->cfg.record->unrecordable++;
        }
    }
}

void hv_record_before_entry(struct hv_vm *vm)
{
    struct hv_record *rec = vm->cfg.record;
    if (!rec)
        return;
    if (!rec->started) {
        rec->started = true;
        header(vm, rec);
    }
    /* An event about to be delivered (an injected #UD for an unsupported MMIO instruction, say) means the
     * guest does not re-execute the instruction: its next exit is no restart. */
    if (rec->ept_restart_due && ((hv_vmread(vm, VMCS_VM_ENTRY_INTERRUPTION_INFO) & INTR_INFO_VALID) ||
                                 hv_vmread(vm, VMCS_GUEST_RIP) != rec->ept_rip))
        rec->ept_restart_due = false; /* ... nor when the handler retired the instruction */
}

/* ---- registers ---------------------------------------------------------------------------------------- */

/* The SDM's register numbering (Vol. 3 §28.2.1, Table 28-3), as the text form names them. */
static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

static void set_gpr(struct hv_vm *vm, unsigned n)
{
    emit(vm, "set-gpr reg=%s value=0x%llx", gpr_names[n & 15u], (unsigned long long)hv_guest_gpr_get(vm, n));
}

static void set_all_gprs(struct hv_vm *vm)
{
    for (unsigned n = 0; n < 16; n++)
        set_gpr(vm, n);
}

/* ---- exits -------------------------------------------------------------------------------------------- */

/* How an exit is written. */
enum rec_kind {
    REC_SEMANTIC, /* line holds the record; its operands come from the record itself */
    REC_FORCE,    /* force-exit, all GPRs first */
    REC_MEMORY,   /* line holds a mem-insn; all GPRs first (the instruction may use any) */
};

struct rec_exit {
    char line[HV_RECORD_LINE_MAX];
    const char *unrecordable; /* why no record reproduces this exit faithfully (NULL: one does) */
};

#define PUT(x, ...) hv_snprintf((x)->line, sizeof (x)->line, __VA_ARGS__)

/* SDM Vol. 3 §28.2.1 Table 28-5 (I/O): bits 2:0 size - 1, 3 direction (1 = IN), 4 string, 5 REP, 6 operand
 * encoding (1 = immediate), 31:16 port, the rest 0. port-out/port-in stand for the non-string forms, the
 * immediate form exactly for ports 0-0xff, so only a qualification of that shape is theirs. */
static enum rec_kind io_record(struct hv_vm *vm, uint64_t q, struct rec_exit *x)
{
    unsigned size = (unsigned)(q & 7u) + 1, port = (unsigned)(q >> 16) & 0xffffu;
    bool in = (q >> 3) & 1u, imm = (q >> 6) & 1u;
    if ((q & ~0xffff004full) || (size != 1 && size != 2 && size != 4) || imm != (port <= 0xff))
        return REC_FORCE;
    if (in) {
        PUT(x, "port-in port=0x%x size=%u", port, size);
    } else {
        uint64_t mask = size == 4 ? 0xffffffffull : size == 2 ? 0xffffull : 0xffull;
        PUT(x, "port-out port=0x%x size=%u value=0x%llx", port, size, (unsigned long long)(vm->gprs.rax & mask));
    }
    return REC_SEMANTIC;
}

/* SDM Vol. 3 §28.2.1 Table 28-3 (control-register accesses): bits 3:0 CR, 5:4 type (0 MOV to CR, 1 MOV
 * from CR, 2 CLTS, 3 LMSW), 6 LMSW operand (1 memory), 11:8 GPR (MOV CR only), 31:16 LMSW source data. */
static enum rec_kind cr_record(struct hv_vm *vm, uint64_t q, struct rec_exit *x)
{
    unsigned cr = (unsigned)(q & 15u), type = (unsigned)(q >> 4) & 3u, reg = (unsigned)(q >> 8) & 15u;
    switch (type) {
    case 0: /* the records' CRs are those MOV to CR can exit on: 0, 3, 4, 8 (§26.1.3) */
        if ((q & ~0xf0full) || !(cr == 0 || cr == 3 || cr == 4 || cr == 8))
            return REC_FORCE;
        PUT(x, "mov-to-cr cr=%u gpr=%u value=0x%llx", cr, reg, (unsigned long long)hv_guest_gpr_get(vm, reg));
        return REC_SEMANTIC;
    case 1:
        if ((q & ~0xf1full) || !(cr == 3 || cr == 8))
            return REC_FORCE;
        PUT(x, "mov-from-cr cr=%u gpr=%u", cr, reg);
        return REC_SEMANTIC;
    case 2:
        if (q != 0x20u)
            return REC_FORCE;
        PUT(x, "clts");
        return REC_SEMANTIC;
    default:
        if (q & ~0xffff0030ull) /* a memory operand (bit 6), or bits the register form keeps 0 */
            return REC_FORCE;
        PUT(x, "lmsw value=0x%x", (unsigned)(q >> 16) & 0xffffu);
        return REC_SEMANTIC;
    }
}

/* Exception or NMI (SDM Vol. 3 §28.2.2): the VM-exit interruption information says which. */
static enum rec_kind exception_record(struct hv_vm *vm, const struct hv_exit *e, struct rec_exit *x)
{
    uint32_t info = (uint32_t)hv_vmread(vm, VMCS_VM_EXIT_INTERRUPTION_INFO);
    if (!(info & INTR_INFO_VALID))
        return REC_FORCE; /* a forced exit has no interruption information either */
    unsigned type = INTR_INFO_TYPE(info), vector = INTR_INFO_VECTOR(info);
    if (type == INTR_TYPE_NMI) {
        PUT(x, "nmi");
        return REC_SEMANTIC;
    }
    if (vector > 31 || (type != INTR_TYPE_HW_EXCEPTION && type != INTR_TYPE_SW_EXCEPTION)) {
        x->unrecordable = "an interruption type or vector the exception record cannot express";
    } else if (type == INTR_TYPE_SW_EXCEPTION && vector != 3 && vector != 4) {
        x->unrecordable = "a software exception other than #BP/#OF";
    } else if (e->qualification) {
        x->unrecordable = "the exception record carries no exit qualification (#PF address, #DB bits)";
    }
    bool has_error = (info & INTR_INFO_DELIVER_ERROR_CODE) != 0;
    uint32_t err = has_error ? (uint32_t)hv_vmread(vm, VMCS_VM_EXIT_INTERRUPTION_ERROR_CODE) : 0;
    PUT(x, "exception vector=%u has_error=%u error=0x%x", vector & 31u, has_error ? 1u : 0u, err);
    return REC_SEMANTIC;
}

/* EPT violation (48) / misconfiguration (49): the GPA (§28.2.4), the access (violation qualification bits
 * 2:0, §28.2.1 Table 28-7; a misconfiguration is one whatever the access) and the instruction, read at CS:RIP
 * through the guest's paging exactly as the MMIO path fetches it. Only an access to MMIO makes the core
 * decode that instruction: it is written as mem-insn with the bytes, which the replay places at RIP. Any
 * other (a lazily backed RAM page, ROM, an unmapped GPA) is mem-access, which places nothing: writing the
 * bytes would back RIP's page in the replay, which the machine had backed already (it ran the code), and a
 * tight quota would then run out one page early. */
static enum rec_kind ept_record(struct hv_vm *vm, const struct hv_exit *e, struct rec_exit *x)
{
    uint64_t gpa = hv_vmread(vm, VMCS_GUEST_PHYSICAL_ADDRESS);
    unsigned access = 1; /* read */
    if (e->basic == HV_EXIT_EPT_VIOLATION)
        access = (e->qualification & 2u) ? 2u : (e->qualification & 4u) ? 4u : 1u;
    struct hv_fetch f;
    (void)hv_insn_fetch(vm, &f); /* reads only: a fault is recorded in f, never raised */
    unsigned n = f.n <= sizeof f.bytes ? f.n : (unsigned)sizeof f.bytes;
    struct hv_insn in;
    bool decoded = n && hv_decode(f.bytes, n, (enum hv_cpu_mode)f.mode, &in) == HV_DECODE_OK && in.len <= n;
    if (decoded)
        n = in.len; /* the instruction only */
    const struct hv_region *region = NULL;
    enum hv_gpa_kind kind = hv_gpa_classify(vm, gpa, &region);
    if (kind != HV_GPA_MMIO && kind != HV_GPA_MMIO_NP) {
        unsigned size = decoded && (in.size == 1 || in.size == 2 || in.size == 4 || in.size == 8) ? in.size : 1u;
        unsigned len = decoded ? in.len : (e->instr_len >= 1 && e->instr_len <= 15) ? e->instr_len : 1u;
        uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
        /* mem-access is a MOV between RAX and memory: a write loads RAX with value, so value is RAX */
        PUT(x, "mem-access gpa=0x%llx access=%u size=%u value=0x%llx instr_len=%u", (unsigned long long)gpa, access,
            size, (unsigned long long)(access == 2u ? vm->gprs.rax & mask : 0), len);
        return REC_MEMORY;
    }
    char hex[2 * sizeof f.bytes + 1];
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        hex[2 * i] = digits[f.bytes[i] >> 4];
        hex[2 * i + 1] = digits[f.bytes[i] & 15u];
    }
    hex[2 * n] = 0;
    if (!n) {
        x->unrecordable = "the instruction at RIP cannot be read";
        PUT(x, "mem-insn gpa=0x%llx access=%u value=0", (unsigned long long)gpa, access);
    } else {
        PUT(x, "mem-insn gpa=0x%llx access=%u value=0 bytes=%s", (unsigned long long)gpa, access, hex);
    }
    return REC_MEMORY;
}

static uint64_t edx_eax(const struct hv_guest_gprs *g)
{
    return (g->rdx << 32) | (g->rax & 0xffffffffull);
}

static bool is_vmx_insn_exit(uint32_t basic)
{
    /* SDM Vol. 3 Appendix C: VMCLEAR .. VMXON (19-27, VMCALL 18 apart), INVEPT 50, INVVPID 53, VMFUNC 59. */
    return (basic >= HV_EXIT_VMCLEAR && basic <= HV_EXIT_VMXON) || basic == HV_EXIT_INVEPT ||
           basic == HV_EXIT_INVVPID || basic == HV_EXIT_VMFUNC;
}

static enum rec_kind choose(struct hv_vm *vm, const struct hv_exit *e, struct rec_exit *x)
{
    const struct hv_guest_gprs *g = &vm->gprs;
    uint64_t q = e->qualification;
    if (e->reason_field & HV_EXIT_REASON_ENTRY_FAILURE)
        return REC_FORCE; /* a VM-entry failure (§27.8): exactly what force-exit reproduces */
    switch (e->basic) {
    case HV_EXIT_EXCEPTION_NMI:
        return exception_record(vm, e, x);
    case HV_EXIT_EPT_VIOLATION:
    case HV_EXIT_EPT_MISCONFIG:
        return ept_record(vm, e, x);
    case HV_EXIT_EXTERNAL_INTERRUPT: {
        uint32_t info = (uint32_t)hv_vmread(vm, VMCS_VM_EXIT_INTERRUPTION_INFO);
        PUT(x, "ext-interrupt vector=0x%x", (info & INTR_INFO_VALID) ? INTR_INFO_VECTOR(info) : 0u);
        return q ? REC_FORCE : REC_SEMANTIC;
    }
    case HV_EXIT_TRIPLE_FAULT: PUT(x, "triple-fault"); break;
    case HV_EXIT_CPUID: PUT(x, "cpuid eax=0x%x ecx=0x%x", (uint32_t)g->rax, (uint32_t)g->rcx); break;
    case HV_EXIT_HLT: PUT(x, "hlt"); break;
    case HV_EXIT_INVD: PUT(x, "invd"); break;
    case HV_EXIT_WBINVD: PUT(x, "wbinvd"); break;
    case HV_EXIT_RDTSC: PUT(x, "rdtsc"); break;
    case HV_EXIT_RDTSCP: PUT(x, "rdtscp"); break;
    case HV_EXIT_PREEMPTION_TIMER: PUT(x, "preemption-timer"); break;
    case HV_EXIT_VMCALL: /* the hypercall ABI's registers (hv/hypercall.h) */
        PUT(x, "vmcall rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx", (unsigned long long)g->rax,
            (unsigned long long)g->rbx, (unsigned long long)g->rcx, (unsigned long long)g->rdx,
            (unsigned long long)g->rsi);
        break;
    case HV_EXIT_RDMSR: PUT(x, "rdmsr msr=0x%x", (uint32_t)g->rcx); break;
    case HV_EXIT_WRMSR: /* WRMSR and XSETBV write EDX:EAX (SDM Vol. 2 WRMSR, XSETBV) */
        PUT(x, "wrmsr msr=0x%x value=0x%llx", (uint32_t)g->rcx, (unsigned long long)edx_eax(g));
        break;
    case HV_EXIT_XSETBV:
        PUT(x, "xsetbv ecx=0x%x value=0x%llx", (uint32_t)g->rcx, (unsigned long long)edx_eax(g));
        break;
    case HV_EXIT_IO_INSTRUCTION:
        return io_record(vm, q, x);
    case HV_EXIT_CR_ACCESS:
        return cr_record(vm, q, x);
    default:
        if (!is_vmx_insn_exit(e->basic))
            return REC_FORCE; /* window exits and whatever has no record of its own */
        PUT(x, "vmx-insn exit=%u", e->basic);
        break;
    }
    /* These records' exits have qualification 0 (§28.2.1 defines none for them; a VMX instruction's is its
     * memory operand's displacement, which vmx-insn does not carry): anything else is forced. */
    return q ? REC_FORCE : REC_SEMANTIC;
}

void hv_record_exit(struct hv_vm *vm, const struct hv_exit *e)
{
    struct hv_record *rec = vm->cfg.record;
    if (!rec)
        return;
    unsigned long long n = (unsigned long long)vm->stats.exits;
    /* Only an EPT misconfiguration repeats on a restart: after an EPT violation the core has mapped the page,
     * so the same access does not exit again (a second violation at the same RIP is another access of the
     * instruction — a MOVS's destination after its source — and is recorded). */
    bool ept = e->basic == HV_EXIT_EPT_MISCONFIG;
    uint64_t rip = hv_vmread(vm, VMCS_GUEST_RIP);
    if (ept && rec->ept_restart_due && rip == rec->ept_rip) {
        /* The replay's restart of the previous record produces this exit (hv/record.h): once. */
        rec->ept_restart_due = false;
        emit(vm, "# exit %llu: reason %u qualification 0x%llx: the instruction at 0x%llx again (a replay restarts "
             "it)", n, e->basic, (unsigned long long)e->qualification, (unsigned long long)rip);
        return;
    }
    rec->ept_restart_due = ept; /* cleared before the next entry if the handler moved RIP or injects */
    rec->ept_rip = rip;
    emit(vm, "# exit %llu: reason %u%s qualification 0x%llx length %u", n, e->basic,
         (e->reason_field & HV_EXIT_REASON_ENTRY_FAILURE) ? " (VM-entry failure)" : "",
         (unsigned long long)e->qualification, e->instr_len);
    /* RIP and RFLAGS first: the guest moved them since the last exit, and the handler reads them (RIP
     * discipline, RFLAGS.IF for HLT and interrupt delivery). */
    emit(vm, "set-gpr reg=rip value=0x%llx", (unsigned long long)rip);
    emit(vm, "set-gpr reg=rflags value=0x%llx", (unsigned long long)hv_vmread(vm, VMCS_GUEST_RFLAGS));
    struct rec_exit x;
    x.line[0] = '\0'; /* no aggregate initializer: clang turns a large one into a libc memset call */
    x.unrecordable = NULL;
    enum rec_kind kind = choose(vm, e, &x);
    if (x.unrecordable) {
        emit(vm, "# unrecordable exit %llu (reason %u): %s", n, e->basic, x.unrecordable);
        rec->unrecordable++;
    }
    if (kind != REC_SEMANTIC)
        set_all_gprs(vm);
    if (kind == REC_FORCE)
        emit(vm, "force-exit reason=0x%x qualification=0x%llx instr_len=%u instr_info=0x%x", e->reason_field,
             (unsigned long long)e->qualification, e->instr_len,
             (uint32_t)hv_vmread(vm, VMCS_VM_EXIT_INSTRUCTION_INFO));
    else
        emit(vm, "%s", x.line);
}
