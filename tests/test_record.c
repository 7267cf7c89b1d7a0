/* Record mode (hv-core/src/record.c; hv/record.h; docs/scenario-format.md, "Recording") driven directly: a VM on
 * the sim with cfg.record set, exits forced with sim_cpu_set_next_exit_full, and the HVREC lines the core
 * writes through hv_arch_log checked against the documented text form: the header at the first entry, then per
 * exit the comment, RIP/RFLAGS and the record — semantic exactly when its fields reproduce the recorded exit
 * qualification (SDM Vol. 3 §28.2.1), force-exit with every GPR otherwise, and an "unrecordable" comment where
 * no record can carry the exit. */
#include "core.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "testlib.h"

#include <hv/exit_reasons.h>
#include <hv/record.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <string.h>

#define MAXLINES 512

struct env {
    struct sim_machine *m;
    struct hv_arch_cpu *a;
    struct hv_cpu cpu;
    struct hv_vm vm;
    struct hv_record rec;
    char log[MAXLINES][HV_RECORD_LINE_MAX + 8];
    unsigned nlog, mark;
};

static void log_cb(void *opaque, unsigned cpu, const char *line)
{
    (void)cpu;
    struct env *e = opaque;
    CHECK(strlen(line) <= HV_RECORD_LINE_MAX || strncmp(line, HV_RECORD_PREFIX, 6) != 0); /* bounded lines */
    if (e->nlog < MAXLINES && strncmp(line, HV_RECORD_PREFIX, sizeof HV_RECORD_PREFIX - 1) == 0)
        snprintf(e->log[e->nlog++], sizeof e->log[0], "%s", line + sizeof HV_RECORD_PREFIX - 1);
}

static struct env *up_cfg(const char *profile, struct hv_vm_config *cfg, const char *rec_profile)
{
    static struct env e; /* one per test process: each case is its own process under ctest */
    memset(&e, 0, sizeof e);
    e.m = sim_machine_create(sim_profile_find(profile), 2048, 1);
    CHECK(e.m != NULL);
    e.a = sim_machine_cpu(e.m, 0);
    sim_machine_set_log(e.m, log_cb, &e);
    CHECK_EQ_U64(hv_cpu_init(&e.cpu, e.a), HV_OK);
    e.rec.profile = rec_profile;
    cfg->record = &e.rec;
    CHECK_EQ_U64(hv_vm_create(&e.vm, &e.cpu, cfg), HV_OK);
    return &e;
}

static struct env *up(void)
{
    struct hv_vm_config cfg = {.memory_size = 1ull << 20, .mode = HV_GUEST_PROGRAM64, .entry = 0x1000, .stack = 0x8000};
    return up_cfg("bochs-haswell", &cfg, "bochs-haswell");
}

static void down(struct env *e)
{
    hv_vm_destroy(&e->vm);
    hv_cpu_fini(&e->cpu);
    CHECK_EQ_U64(sim_pages_in_use(e->m), 0);
    sim_machine_destroy(e->m);
}

/* One exit; afterwards e->mark is the index of its first HVREC line ("# exit N: ..."), after the header that
 * the first entry writes. */
static enum hv_step_result step_full(struct env *e, const struct sim_exit *x)
{
    unsigned before = e->nlog;
    sim_cpu_set_next_exit_full(e->a, x);
    enum hv_step_result r = hv_vcpu_step(&e->vm);
    e->mark = before;
    while (e->mark < e->nlog && strncmp(e->log[e->mark], "# exit ", 7) != 0)
        e->mark++;
    return r;
}

static enum hv_step_result step(struct env *e, uint32_t reason, uint64_t qual, uint32_t len)
{
    struct sim_exit x = {.reason = reason, .qualification = qual, .instr_len = len};
    return step_full(e, &x);
}

/* The line of the exit's record: after the comment and set-gpr rip/rflags (and, when forced, 16 set-gprs). */
static const char *last(struct env *e)
{
    CHECK(e->nlog > e->mark);
    return e->log[e->nlog - 1];
}

static bool has_line(struct env *e, unsigned from, const char *prefix)
{
    for (unsigned i = from; i < e->nlog; i++)
        if (strncmp(e->log[i], prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

/* A semantic record: comment, RIP, RFLAGS, the record: 4 lines, no set-gpr of the other registers. */
static void check_semantic(struct env *e, const char *want)
{
    CHECK_STREQ(last(e), want);
    CHECK_EQ_U64(e->nlog - e->mark, 4);
    CHECK(strncmp(e->log[e->mark], "# exit ", 7) == 0);
    CHECK(strncmp(e->log[e->mark + 1], "set-gpr reg=rip ", 16) == 0);
    CHECK(strncmp(e->log[e->mark + 2], "set-gpr reg=rflags ", 19) == 0);
}

/* A forced exit: every GPR set (a forced exit loads no operands), then force-exit as recorded. */
static void check_forced(struct env *e, uint32_t reason, uint64_t qual, unsigned len)
{
    char want[HV_RECORD_LINE_MAX];
    snprintf(want, sizeof want, "force-exit reason=0x%x qualification=0x%llx instr_len=%u instr_info=0x0", reason,
             (unsigned long long)qual, len);
    CHECK_STREQ(last(e), want);
    CHECK(has_line(e, e->mark, "set-gpr reg=r15 "));
    CHECK(has_line(e, e->mark, "set-gpr reg=rax "));
}

TEST_CASE(header_at_first_entry_then_one_comment_per_exit)
{
    struct env *e = up();
    CHECK_EQ_U64(e->nlog, 0); /* nothing before the first VM entry */
    e->vm.gprs.rax = 1;
    e->vm.gprs.rcx = 0;
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    CHECK(strncmp(e->log[0], "# begin recording", 17) == 0);
    CHECK_STREQ(e->log[1], "profile bochs-haswell");
    CHECK_STREQ(e->log[2], "memory-pages 256");
    CHECK_STREQ(e->log[3], "mode program64");
    CHECK_STREQ(e->log[4], "entry 0x1000");
    CHECK_STREQ(e->log[5], "stack 0x8000");
    CHECK_STREQ(e->log[6], "# exit 1: reason 10 qualification 0x0 length 2");
    CHECK_STREQ(e->log[7], "set-gpr reg=rip value=0x1000");
    CHECK(strncmp(e->log[8], "set-gpr reg=rflags value=0x", 27) == 0);
    CHECK_STREQ(e->log[9], "cpuid eax=0x1 ecx=0x0");
    CHECK_EQ_U64(e->nlog, 10);
    CHECK_EQ_U64(e->rec.lines, 10);
    CHECK(e->rec.started);
    /* the second exit: no second header, the exit number counts on */
    e->vm.gprs.rax = 0x80000008u;
    e->vm.gprs.rcx = 0;
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    CHECK_STREQ(e->log[e->mark], "# exit 2: reason 10 qualification 0x0 length 2");
    CHECK_STREQ(e->log[e->mark + 1], "set-gpr reg=rip value=0x1002");
    check_semantic(e, "cpuid eax=0x80000008 ecx=0x0");
    CHECK_EQ_U64(e->rec.unrecordable, 0);
    down(e);
}

static bool nop_mmio(void *opaque, struct hv_vm *vm, struct hv_mmio_access *a)
{
    (void)opaque, (void)vm, (void)a;
    return true;
}

TEST_CASE(header_of_a_configured_vm_and_unusable_profile_names)
{
    /* Quota, devices, MMIO regions become records; a ROM region has none (unrecordable); a profile name with
     * '#', a space, or over 32 characters is not written (the text form's default profile applies). */
    static const char *const bad[] = {NULL, "", "bochs#haswell", "bochs haswell",
                                      "a-profile-name-of-thirty-three-ch"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hv_vm_config cfg = {.memory_size = 2ull << 20, .memory_quota_pages = 300, .mode = HV_GUEST_REAL_MODE,
                                   .entry = 0x7c00, .stack = 0x7000, .devices = HV_DEV_UART | HV_DEV_PIC};
        struct env *e = up_cfg("bochs-haswell", &cfg, bad[i]);
        struct hv_region mmio = {.gpa = 0xfec00000ull, .size = 0x1000, .type = HV_REGION_MMIO, .mmio = nop_mmio,
                                 .name = "ioapic"};
        struct hv_region np = {.gpa = 0xfed00000ull, .size = 0x2000, .type = HV_REGION_MMIO_NP, .mmio = nop_mmio,
                               .name = "hpet"};
        struct hv_region rom = {.gpa = 0xffff0000ull, .size = 0x10000, .type = HV_REGION_ROM, .name = "bios"};
        CHECK_EQ_U64(hv_vm_add_region(&e->vm, &mmio), HV_OK);
        CHECK_EQ_U64(hv_vm_add_region(&e->vm, &np), HV_OK);
        CHECK_EQ_U64(hv_vm_add_region(&e->vm, &rom), HV_OK);
        CHECK_EQ_U64(step(e, HV_EXIT_HLT, 0, 1), HV_STEP_HALTED);
        CHECK_STREQ(e->log[1], "# no usable profile name given: the default profile applies");
        CHECK_STREQ(e->log[2], "memory-pages 512");
        CHECK_STREQ(e->log[3], "mode real");
        CHECK_STREQ(e->log[4], "entry 0x7c00");
        CHECK_STREQ(e->log[5], "stack 0x7000");
        CHECK_STREQ(e->log[6], "config-quota pages=300");
        CHECK_STREQ(e->log[7], "config-devices devices=0x3 fb_gpa=0x0 fb_width=0 fb_height=0");
        CHECK_STREQ(e->log[8], "mmio-region gpa=0xfec00000 size=0x1000 kind=2");
        CHECK_STREQ(e->log[9], "mmio-region gpa=0xfed00000 size=0x2000 kind=3");
        CHECK_STREQ(e->log[10], "# unrecordable region: ROM at 0xffff0000, 0x10000 bytes (no record adds ROM)");
        CHECK_EQ_U64(e->rec.unrecordable, 1);
        check_semantic(e, "hlt");
        down(e);
    }
}

TEST_CASE(simple_exits_are_their_records)
{
    /* The records whose exits have qualification 0 (SDM Vol. 3 §28.2.1 defines none for them). */
    static const struct {
        uint32_t reason;
        const char *line;
    } cases[] = {
        {HV_EXIT_INVD, "invd"},          {HV_EXIT_WBINVD, "wbinvd"},
        {HV_EXIT_RDTSC, "rdtsc"},        {HV_EXIT_RDTSCP, "rdtscp"},
        {HV_EXIT_PREEMPTION_TIMER, "preemption-timer"},
        {HV_EXIT_VMCLEAR, "vmx-insn exit=19"}, {HV_EXIT_VMXON, "vmx-insn exit=27"},
        {HV_EXIT_INVEPT, "vmx-insn exit=50"},  {HV_EXIT_INVVPID, "vmx-insn exit=53"},
        {HV_EXIT_VMFUNC, "vmx-insn exit=59"},
    };
    struct env *e = up();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK(step(e, cases[i].reason, 0, 3) != HV_STEP_KILLED);
        check_semantic(e, cases[i].line);
    }
    down(e);
}

TEST_CASE(register_operand_records_carry_the_values)
{
    struct env *e = up();
    e->vm.gprs.rcx = 0xffffffff0000003aull; /* RDMSR/WRMSR use ECX only (SDM Vol. 2 RDMSR) */
    CHECK_EQ_U64(step(e, HV_EXIT_RDMSR, 0, 2), HV_STEP_CONTINUE);
    check_semantic(e, "rdmsr msr=0x3a");
    e->vm.gprs.rcx = 0xc0000082u;
    e->vm.gprs.rdx = 0xffffffffu;
    e->vm.gprs.rax = 0xdeadbeef80001000ull; /* WRMSR writes EDX:EAX: RAX's high half is not part of it */
    CHECK_EQ_U64(step(e, HV_EXIT_WRMSR, 0, 2), HV_STEP_CONTINUE);
    check_semantic(e, "wrmsr msr=0xc0000082 value=0xffffffff80001000");
    e->vm.gprs.rcx = 0;
    e->vm.gprs.rdx = 0;
    e->vm.gprs.rax = 3;
    CHECK(step(e, HV_EXIT_XSETBV, 0, 3) != HV_STEP_KILLED);
    check_semantic(e, "xsetbv ecx=0x0 value=0x3");
    e->vm.gprs.rax = 0x40000000u;
    e->vm.gprs.rbx = 1, e->vm.gprs.rcx = 2, e->vm.gprs.rdx = 3, e->vm.gprs.rsi = 4;
    CHECK_EQ_U64(step(e, HV_EXIT_VMCALL, 0, 3), HV_STEP_CONTINUE);
    check_semantic(e, "vmcall rax=0x40000000 rbx=0x1 rcx=0x2 rdx=0x3 rsi=0x4");
    down(e);
}

#define IOQ(port, sizeenc, in, imm) (((uint64_t)(port) << 16) | (sizeenc) | ((in) ? 8u : 0u) | ((imm) ? 0x40u : 0u))

TEST_CASE(io_records_follow_the_qualification_encoding)
{
    /* SDM Vol. 3 §28.2.1 Table 28-5: OUT DX to port 3F8H and IN EAX, DX are port-out/port-in; OUT imm8 (bit 6)
     * to port 80H is port-out too, and IN AL, 60H port-in; an OUT DX or IN EAX, DX to a port below 100H, or bit 6 with a port above FFH, is no shape the
     * record makes, so it is forced; so is string I/O (bit 4). */
    struct env *e = up();
    e->vm.gprs.rax = 0x1122334455667741ull;
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 0, 0, 0), 1), HV_STEP_CONTINUE);
    check_semantic(e, "port-out port=0x3f8 size=1 value=0x41");
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 1, 0, 0), 1), HV_STEP_CONTINUE);
    check_semantic(e, "port-out port=0x3f8 size=2 value=0x7741");
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0xcfc, 3, 0, 0), 1), HV_STEP_CONTINUE);
    check_semantic(e, "port-out port=0xcfc size=4 value=0x55667741");
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x80, 0, 0, 1), 2), HV_STEP_CONTINUE);
    check_semantic(e, "port-out port=0x80 size=1 value=0x41");
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x60, 0, 1, 1), 2), HV_STEP_CONTINUE);
    check_semantic(e, "port-in port=0x60 size=1");
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x1f0, 3, 1, 0), 1), HV_STEP_CONTINUE);
    check_semantic(e, "port-in port=0x1f0 size=4");
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x60, 3, 1, 0), 1), HV_STEP_CONTINUE); /* IN EAX, DX */
    check_forced(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x60, 3, 1, 0), 1);
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x80, 0, 0, 0), 1), HV_STEP_CONTINUE);
    check_forced(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x80, 0, 0, 0), 1);
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 0, 0, 1), 2), HV_STEP_CONTINUE);
    check_forced(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 0, 0, 1), 2);
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 0, 0, 0) | 0x10, 1), HV_STEP_KILLED); /* OUTSB */
    check_forced(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 0, 0, 0) | 0x10, 1);
    down(e);
}

#define CRQ(cr, type, gpr) ((uint64_t)(cr) | ((uint64_t)(type) << 4) | ((uint64_t)(gpr) << 8))

TEST_CASE(cr_records_for_the_exits_a_processor_takes)
{
    /* §26.1.3: MOV to CR0/3/4/8, MOV from CR3/8, CLTS, LMSW from a register can exit; their records are
     * semantic. MOV from CR0/CR4 never exits on a processor (read shadows), LMSW from memory (bit 6) and a
     * CR5 are not what a record expresses: forced. */
    struct env *e = up();
    e->vm.gprs.rbx = hv_vmread(&e->vm, VMCS_GUEST_CR3);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(3, 0, 3), 3), HV_STEP_CONTINUE);
    char want[HV_RECORD_LINE_MAX];
    snprintf(want, sizeof want, "mov-to-cr cr=3 gpr=3 value=0x%llx", (unsigned long long)e->vm.gprs.rbx);
    check_semantic(e, want);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(8, 1, 9), 3), HV_STEP_CONTINUE);
    check_semantic(e, "mov-from-cr cr=8 gpr=9");
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 2, 0), 2), HV_STEP_CONTINUE);
    check_semantic(e, "clts");
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 3, 0) | (0x3ull << 16), 3), HV_STEP_CONTINUE);
    check_semantic(e, "lmsw value=0x3");
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 1, 2), 3), HV_STEP_CONTINUE);
    check_forced(e, HV_EXIT_CR_ACCESS, CRQ(0, 1, 2), 3);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 3, 0) | 0x40 | (0x1ull << 16), 4), HV_STEP_CONTINUE);
    check_forced(e, HV_EXIT_CR_ACCESS, CRQ(0, 3, 0) | 0x40 | (0x1ull << 16), 4);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 2, 0) | 0x100, 2), HV_STEP_CONTINUE); /* CLTS with a GPR */
    check_forced(e, HV_EXIT_CR_ACCESS, CRQ(0, 2, 0) | 0x100, 2);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(5, 0, 0), 3), HV_STEP_KILLED);
    check_forced(e, HV_EXIT_CR_ACCESS, CRQ(5, 0, 0), 3);
    CHECK_EQ_U64(e->rec.unrecordable, 0);
    down(e);
}

TEST_CASE(exception_and_interrupt_records)
{
    /* SDM Vol. 3 §28.2.2: the interruption information says NMI or exception; the exception record holds
     * vector and error code, not the qualification (#PF's linear address), nor software exceptions besides
     * INT3/INTO, nor other interruption types: those are marked unrecordable. */
    struct env *e = up();
    struct sim_exit nmi = {.reason = HV_EXIT_EXCEPTION_NMI, .intr_info = INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | 2};
    CHECK_EQ_U64(step_full(e, &nmi), HV_STEP_CONTINUE);
    check_semantic(e, "nmi");
    struct sim_exit bp = {.reason = HV_EXIT_EXCEPTION_NMI, .instr_len = 1,
                          .intr_info = INTR_INFO_VALID | (INTR_TYPE_SW_EXCEPTION << 8) | 3};
    CHECK_EQ_U64(step_full(e, &bp), HV_STEP_CONTINUE);
    check_semantic(e, "exception vector=3 has_error=0 error=0x0");
    struct sim_exit gp = {.reason = HV_EXIT_EXCEPTION_NMI, .intr_error = 0x18,
                          .intr_info = INTR_INFO_VALID | INTR_INFO_DELIVER_ERROR_CODE | (INTR_TYPE_HW_EXCEPTION << 8) | 13};
    CHECK_EQ_U64(step_full(e, &gp), HV_STEP_CONTINUE);
    check_semantic(e, "exception vector=13 has_error=1 error=0x18");
    CHECK_EQ_U64(e->rec.unrecordable, 0);

    struct sim_exit pf = {.reason = HV_EXIT_EXCEPTION_NMI, .qualification = 0xdead000, .intr_error = 6,
                          .intr_info = INTR_INFO_VALID | INTR_INFO_DELIVER_ERROR_CODE | (INTR_TYPE_HW_EXCEPTION << 8) | 14};
    CHECK_EQ_U64(step_full(e, &pf), HV_STEP_CONTINUE);
    CHECK_STREQ(last(e), "exception vector=14 has_error=1 error=0x6");
    CHECK(has_line(e, e->mark, "# unrecordable exit 4 (reason 0): the exception record carries no exit qualification"));
    CHECK_EQ_U64(e->rec.unrecordable, 1);
    down(e);

    e = up();
    struct sim_exit ud2 = {.reason = HV_EXIT_EXCEPTION_NMI, .instr_len = 2,
                           .intr_info = INTR_INFO_VALID | (INTR_TYPE_SW_EXCEPTION << 8) | 6};
    step_full(e, &ud2);
    CHECK(has_line(e, e->mark, "# unrecordable exit 1 (reason 0): a software exception other than #BP/#OF"));
    struct sim_exit sw_int = {.reason = HV_EXIT_EXCEPTION_NMI, .instr_len = 2,
                              .intr_info = INTR_INFO_VALID | (INTR_TYPE_SW_INTERRUPT << 8) | 0x80};
    step_full(e, &sw_int);
    CHECK(has_line(e, e->mark, "# unrecordable exit 2 (reason 0): an interruption type or vector"));
    CHECK_EQ_U64(e->rec.unrecordable, 2);
    down(e);

    e = up();
    struct sim_exit none = {.reason = HV_EXIT_EXCEPTION_NMI}; /* no valid interruption information */
    CHECK_EQ_U64(step_full(e, &none), HV_STEP_KILLED);
    check_forced(e, HV_EXIT_EXCEPTION_NMI, 0, 0);
    down(e);

    e = up();
    struct sim_exit ext = {.reason = HV_EXIT_EXTERNAL_INTERRUPT, .intr_info = INTR_INFO_VALID | 0x30};
    CHECK_EQ_U64(step_full(e, &ext), HV_STEP_CONTINUE);
    check_semantic(e, "ext-interrupt vector=0x30");
    struct sim_exit ext_q = {.reason = HV_EXIT_EXTERNAL_INTERRUPT, .qualification = 1,
                             .intr_info = INTR_INFO_VALID | 0x31};
    CHECK_EQ_U64(step_full(e, &ext_q), HV_STEP_CONTINUE);
    check_forced(e, HV_EXIT_EXTERNAL_INTERRUPT, 1, 0);
    CHECK_EQ_U64(step(e, HV_EXIT_TRIPLE_FAULT, 0, 0), HV_STEP_KILLED);
    check_semantic(e, "triple-fault");
    down(e);
}

TEST_CASE(unusual_exits_are_forced)
{
    /* An exit with no record (the interrupt window), a record's exit with a qualification its record cannot
     * carry (a VMX instruction's displacement), and a VM-entry failure (SDM Vol. 3 §27.8: exit reason bit 31)
     * are all force-exit with the reason field exactly as recorded. */
    struct env *e = up();
    CHECK(step(e, HV_EXIT_INTERRUPT_WINDOW, 0, 0) != HV_STEP_KILLED);
    check_forced(e, HV_EXIT_INTERRUPT_WINDOW, 0, 0);
    CHECK_EQ_U64(step(e, HV_EXIT_VMREAD, 0x10, 3), HV_STEP_CONTINUE);
    check_forced(e, HV_EXIT_VMREAD, 0x10, 3);
    CHECK_EQ_U64(step(e, HV_EXIT_HLT, 1, 1), HV_STEP_HALTED);
    check_forced(e, HV_EXIT_HLT, 1, 1);
    down(e);

    e = up();
    uint32_t fail = HV_EXIT_REASON_ENTRY_FAILURE | HV_EXIT_ENTRY_FAIL_GUEST_STATE;
    CHECK_EQ_U64(step(e, fail, 0, 0), HV_STEP_KILLED);
    CHECK_STREQ(e->log[e->mark], "# exit 1: reason 33 (VM-entry failure) qualification 0x0 length 0");
    check_forced(e, fail, 0, 0);
    down(e);
}
