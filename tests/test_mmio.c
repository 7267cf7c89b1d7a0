/* The MMIO path of issue 5 on the sim: fetching the faulting instruction through the guest's paging
 * (guest_walk.c, insn_fetch.c) and emulating it against a region's handler (mmio.c). Exits are forced with
 * sim_cpu_set_next_exit_full (EPT misconfiguration in an MMIO hole, the GPA in guest_phys); the instruction
 * bytes are written into guest RAM at RIP; a recording handler sees every data transfer. */
#include "core.h"
#include "guest_mem.h"
#include "guest_walk.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "sim_vmcs.h"
#include "testlib.h"

#include <hv/exit_reasons.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <stdio.h>
#include <string.h>

#define MIB (1ull << 20)
#define HOLE 0xfe000000ull /* an MMIO hole beyond the guest's own page tables: only the exit GPA reaches it */
#define NEAR 0x80000ull    /* an MMIO hole inside the identity-mapped window: string forms reach it via RDI */
#define CF (1ull << 0)
#define PF (1ull << 2)
#define AF (1ull << 4)
#define ZF (1ull << 6)
#define SF (1ull << 7)
#define DF (1ull << 10)
#define OF (1ull << 11)

struct xfer {
    uint64_t gpa;
    unsigned access, size;
    uint64_t value;
};

struct env {
    struct sim_machine *m;
    struct hv_arch_cpu *a;
    struct hv_cpu cpu;
    struct hv_vm vm;
    struct xfer x[8192];
    unsigned nx;
    uint64_t answer; /* what a read returns */
    char log[8][256];
    unsigned nlog;
};

static void log_cb(void *opaque, unsigned cpu, const char *line)
{
    (void)cpu;
    struct env *e = opaque;
    if (e->nlog < 8)
        snprintf(e->log[e->nlog++], sizeof e->log[0], "%s", line);
}

static bool rec_cb(void *opaque, struct hv_vm *vm, struct hv_mmio_access *a)
{
    (void)vm;
    struct env *e = opaque;
    if (a->access == HV_ACCESS_READ)
        a->value = e->answer;
    if (e->nx < sizeof e->x / sizeof e->x[0])
        e->x[e->nx++] = (struct xfer){a->gpa, a->access, a->size, a->value};
    return true;
}

static struct env *up_kill(bool kills)
{
    static struct env e;
    memset(&e, 0, sizeof e);
    e.m = sim_machine_create(sim_profile_find("bochs-haswell"), 2048, 1);
    CHECK(e.m != NULL);
    e.a = sim_machine_cpu(e.m, 0);
    sim_machine_set_log(e.m, log_cb, &e);
    CHECK_EQ_U64(hv_cpu_init(&e.cpu, e.a), HV_OK);
    struct hv_vm_config cfg = {.memory_size = MIB, .mode = HV_GUEST_PROGRAM64, .entry = 0x1000, .stack = 0x8000,
                               .mmio_unsupported_kills = kills};
    CHECK_EQ_U64(hv_vm_create(&e.vm, &e.cpu, &cfg), HV_OK);
    struct hv_region r = {.gpa = HOLE, .size = 0x1000, .type = HV_REGION_MMIO, .mmio = rec_cb, .opaque = &e,
                          .name = "dev"};
    struct hv_region n = {.gpa = NEAR, .size = 0x1000, .type = HV_REGION_MMIO, .mmio = rec_cb, .opaque = &e,
                          .name = "near"};
    CHECK_EQ_U64(hv_vm_add_region(&e.vm, &r), HV_OK);
    CHECK_EQ_U64(hv_vm_add_region(&e.vm, &n), HV_OK);
    return &e;
}

static struct env *up(void) { return up_kill(false); }

static void down(struct env *e)
{
    hv_vm_destroy(&e->vm);
    hv_cpu_fini(&e->cpu);
    CHECK_EQ_U64(sim_pages_in_use(e->m), 0);
    CHECK_EQ_U64(sim_cpu_fault_count(e->a), 0);
    sim_machine_destroy(e->m);
}

static uint64_t *fld(struct env *e) { return sim_vmcs_fields(e->m, e->vm.vmcs); }

/* Put the instruction at RIP and take an MMIO exit at gpa. */
static enum hv_step_result run_at(struct env *e, uint64_t rip, const char *bytes, size_t n, uint64_t gpa)
{
    if (n)
        CHECK(hv_gpa_write(&e->vm, rip, bytes, n));
    fld(e)[HV_VMCS_ORD_GUEST_RIP] = rip;
    fld(e)[HV_VMCS_ORD_VM_ENTRY_INTERRUPTION_INFO] = 0;
    struct sim_exit x = {.reason = HV_EXIT_EPT_MISCONFIG, .instr_len = 13 /* undefined: must be ignored */,
                         .guest_phys = gpa};
    sim_cpu_set_next_exit_full(e->a, &x);
    enum hv_step_result r = hv_vcpu_step(&e->vm);
    CHECK(e->a->last_entry.rule == NULL);
    return r;
}

static enum hv_step_result run(struct env *e, const char *bytes, size_t n, uint64_t gpa)
{
    return run_at(e, 0x1000, bytes, n, gpa);
}

static uint64_t rip(struct env *e) { return fld(e)[HV_VMCS_ORD_GUEST_RIP]; }
static uint64_t rflags(struct env *e) { return fld(e)[HV_VMCS_ORD_GUEST_RFLAGS]; }
static uint32_t injected(struct env *e) { return (uint32_t)fld(e)[HV_VMCS_ORD_VM_ENTRY_INTERRUPTION_INFO]; }

/* ---- the acceptance instruction and the data path of each form ---- */

TEST_CASE(store_eax_sib_disp8_gets_gpa_size_value_and_decoded_length)
{
    struct env *e = up();
    e->vm.gprs.rax = 0x1122334455667788ull;
    e->vm.gprs.rbx = HOLE - 0x10 - 4 * 3;
    e->vm.gprs.rcx = 3;
    uint64_t gpa = e->vm.gprs.rbx + e->vm.gprs.rcx * 4 + 0x10;
    CHECK_EQ_U64(run(e, "\x89\x44\x8b\x10", 4, gpa), HV_STEP_CONTINUE); /* mov [rbx+rcx*4+0x10], eax */
    CHECK_EQ_U64(e->nx, 1);
    CHECK_EQ_U64(e->x[0].gpa, HOLE);
    CHECK_EQ_U64(e->x[0].access, HV_ACCESS_WRITE);
    CHECK_EQ_U64(e->x[0].size, 4);
    CHECK_EQ_U64(e->x[0].value, 0x55667788);
    CHECK_EQ_U64(rip(e), 0x1004); /* decoded length 4, not the exit's 13 */
    CHECK_EQ_U64(injected(e) & INTR_INFO_VALID, 0);
    down(e);
}

TEST_CASE(store_immediate_and_byte_register_forms)
{
    struct env *e = up();
    CHECK_EQ_U64(run(e, "\xc7\x03\x78\x56\x34\x12", 6, HOLE), HV_STEP_CONTINUE); /* mov dword [rbx], 0x12345678 */
    CHECK_EQ_U64(e->x[0].size, 4);
    CHECK_EQ_U64(e->x[0].value, 0x12345678);
    CHECK_EQ_U64(rip(e), 0x1006);
    e->vm.gprs.rax = 0xabcd;
    CHECK_EQ_U64(run(e, "\x88\x23", 2, HOLE + 1), HV_STEP_CONTINUE); /* mov [rbx], ah */
    CHECK_EQ_U64(e->x[1].size, 1);
    CHECK_EQ_U64(e->x[1].value, 0xab);
    CHECK_EQ_U64(e->x[1].gpa, HOLE + 1);
    CHECK_EQ_U64(run(e, "\x48\xc7\x03\xff\xff\xff\xff", 7, HOLE), HV_STEP_CONTINUE); /* mov qword [rbx], -1 */
    CHECK_EQ_U64(e->x[2].size, 8);
    CHECK_EQ_U64(e->x[2].value, ~0ull);
    down(e);
}

TEST_CASE(loads_follow_partial_register_rules)
{
    struct env *e = up();
    e->answer = 0x8899aabbccddeeffull;
    e->vm.gprs.rax = 0x1111111111111111ull;
    CHECK_EQ_U64(run(e, "\x8a\x23", 2, HOLE), HV_STEP_CONTINUE); /* mov ah, [rbx]: bits 15:8 only */
    CHECK_EQ_U64(e->vm.gprs.rax, 0x111111111111ff11ull);
    CHECK_EQ_U64(e->x[0].access, HV_ACCESS_READ);
    CHECK_EQ_U64(e->x[0].size, 1);
    e->vm.gprs.rdx = 0x2222222222222222ull;
    CHECK_EQ_U64(run(e, "\x66\x8b\x13", 3, HOLE), HV_STEP_CONTINUE); /* mov dx, [rbx]: 16-bit keeps 63:16 */
    CHECK_EQ_U64(e->vm.gprs.rdx, 0x222222222222eeffull);
    CHECK_EQ_U64(run(e, "\x8b\x13", 2, HOLE), HV_STEP_CONTINUE); /* mov edx, [rbx]: zero-extends */
    CHECK_EQ_U64(e->vm.gprs.rdx, 0xccddeeffull);
    CHECK_EQ_U64(run(e, "\x4c\x8b\x03", 3, HOLE), HV_STEP_CONTINUE); /* mov r8, [rbx] */
    CHECK_EQ_U64(e->vm.gprs.r8, 0x8899aabbccddeeffull);
    uint64_t rsp = fld(e)[HV_VMCS_ORD_GUEST_RSP];
    CHECK_EQ_U64(run(e, "\x40\x8a\x23", 3, HOLE), HV_STEP_CONTINUE); /* REX: mov spl, [rbx] (not AH) */
    CHECK_EQ_U64(fld(e)[HV_VMCS_ORD_GUEST_RSP], (rsp & ~0xffull) | 0xff);
    CHECK_EQ_U64(e->vm.gprs.rax, 0x111111111111ff11ull);
    CHECK_EQ_U64(run(e, "\xa1\x00\x00\x00\xfe\x00\x00\x00\x00", 9, HOLE), HV_STEP_CONTINUE); /* mov eax, [moffs64] */
    CHECK_EQ_U64(e->vm.gprs.rax, 0xccddeeffull);
    CHECK_EQ_U64(rip(e), 0x1009);
    down(e);
}

TEST_CASE(movzx_movsx_movsxd_extend)
{
    struct env *e = up();
    e->answer = 0x80;
    e->vm.gprs.rax = ~0ull;
    CHECK_EQ_U64(run(e, "\x0f\xb6\x03", 3, HOLE), HV_STEP_CONTINUE); /* movzx eax, byte [rbx] */
    CHECK_EQ_U64(e->vm.gprs.rax, 0x80);
    CHECK_EQ_U64(e->x[0].size, 1);
    CHECK_EQ_U64(run(e, "\x0f\xbe\x03", 3, HOLE), HV_STEP_CONTINUE); /* movsx eax, byte [rbx] */
    CHECK_EQ_U64(e->vm.gprs.rax, 0xffffff80ull);
    e->answer = 0x8000;
    CHECK_EQ_U64(run(e, "\x48\x0f\xbf\x03", 4, HOLE), HV_STEP_CONTINUE); /* movsx rax, word [rbx] */
    CHECK_EQ_U64(e->vm.gprs.rax, 0xffffffffffff8000ull);
    CHECK_EQ_U64(e->x[2].size, 2);
    e->vm.gprs.rcx = 0x1234567812345678ull;
    CHECK_EQ_U64(run(e, "\x66\x0f\xb6\x0b", 4, HOLE), HV_STEP_CONTINUE); /* movzx cx, byte [rbx] */
    CHECK_EQ_U64(e->vm.gprs.rcx, 0x1234567812340000ull);
    e->answer = 0x80000000ull;
    CHECK_EQ_U64(run(e, "\x48\x63\x03", 3, HOLE), HV_STEP_CONTINUE); /* movsxd rax, dword [rbx] */
    CHECK_EQ_U64(e->vm.gprs.rax, 0xffffffff80000000ull);
    CHECK_EQ_U64(rip(e), 0x1003);
    down(e);
}

TEST_CASE(alu_forms_write_back_and_set_flags)
{
    struct env *e = up();
    fld(e)[HV_VMCS_ORD_GUEST_RFLAGS] = 0x2;
    e->answer = 0xffffffff;
    e->vm.gprs.rax = 1;
    CHECK_EQ_U64(run(e, "\x01\x03", 2, HOLE), HV_STEP_CONTINUE); /* add [rbx], eax: 0xffffffff + 1 */
    CHECK_EQ_U64(e->nx, 2);
    CHECK_EQ_U64(e->x[0].access, HV_ACCESS_READ);
    CHECK_EQ_U64(e->x[1].access, HV_ACCESS_WRITE);
    CHECK_EQ_U64(e->x[1].value, 0);
    CHECK_EQ_U64(rflags(e) & (CF | PF | AF | ZF | SF | OF), CF | PF | AF | ZF);
    e->answer = 0;
    CHECK_EQ_U64(run(e, "\x83\x2b\x01", 3, HOLE), HV_STEP_CONTINUE); /* sub dword [rbx], 1: 0 - 1 */
    CHECK_EQ_U64(e->x[3].value, 0xffffffff);
    CHECK_EQ_U64(rflags(e) & (CF | PF | AF | ZF | SF | OF), CF | PF | AF | SF);
    e->answer = 0x7f;
    CHECK_EQ_U64(run(e, "\x80\x03\x01", 3, HOLE), HV_STEP_CONTINUE); /* add byte [rbx], 1: signed overflow */
    CHECK_EQ_U64(e->x[5].value, 0x80);
    CHECK_EQ_U64(rflags(e) & (CF | PF | AF | ZF | SF | OF), OF | SF | AF);
    /* CMP reg, mem and TEST: read only, flags only */
    e->answer = 5;
    e->vm.gprs.rax = 5;
    unsigned n = e->nx;
    CHECK_EQ_U64(run(e, "\x3b\x03", 2, HOLE), HV_STEP_CONTINUE); /* cmp eax, [rbx] */
    CHECK_EQ_U64(e->nx, n + 1);
    CHECK_EQ_U64(rflags(e) & (CF | ZF | SF | OF), ZF);
    CHECK_EQ_U64(e->vm.gprs.rax, 5);
    CHECK_EQ_U64(run(e, "\xf7\x03\x02\x00\x00\x00", 6, HOLE), HV_STEP_CONTINUE); /* test dword [rbx], 2 */
    CHECK_EQ_U64(e->nx, n + 2);
    CHECK_EQ_U64(rflags(e) & (CF | ZF | OF), ZF);
    /* OR reg, mem: the register is the destination */
    e->answer = 0xf0;
    e->vm.gprs.rdx = 0x0f;
    CHECK_EQ_U64(run(e, "\x0a\x13", 2, HOLE), HV_STEP_CONTINUE); /* or dl, [rbx] */
    CHECK_EQ_U64(e->vm.gprs.rdx, 0xff);
    CHECK_EQ_U64(rflags(e) & (CF | PF | ZF | SF | OF), PF | SF);
    /* XOR [rbx], ax: 16-bit */
    e->answer = 0xffff;
    e->vm.gprs.rax = 0xffff;
    CHECK_EQ_U64(run(e, "\x66\x31\x03", 3, HOLE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->x[e->nx - 1].value, 0);
    CHECK_EQ_U64(e->x[e->nx - 1].size, 2);
    CHECK_EQ_U64(rflags(e) & (ZF | PF | CF), ZF | PF);
    CHECK_EQ_U64(rip(e), 0x1003);
    down(e);
}

TEST_CASE(xchg_and_bt)
{
    struct env *e = up();
    e->answer = 0xaaaa;
    e->vm.gprs.rcx = 0x123456789abcdef0ull;
    CHECK_EQ_U64(run(e, "\x87\x0b", 2, HOLE), HV_STEP_CONTINUE); /* xchg [rbx], ecx */
    CHECK_EQ_U64(e->nx, 2);
    CHECK_EQ_U64(e->x[1].value, 0x9abcdef0);
    CHECK_EQ_U64(e->vm.gprs.rcx, 0xaaaa); /* 32-bit register write zero-extends */
    fld(e)[HV_VMCS_ORD_GUEST_RFLAGS] = 0x2;
    e->answer = 0x10;
    e->vm.gprs.rax = 4;
    CHECK_EQ_U64(run(e, "\x0f\xa3\x03", 3, HOLE), HV_STEP_CONTINUE); /* bt [rbx], eax */
    CHECK_EQ_U64(rflags(e) & CF, CF);
    CHECK_EQ_U64(e->nx, 3); /* read only */
    e->vm.gprs.rax = 3;
    CHECK_EQ_U64(run(e, "\x0f\xa3\x03", 3, HOLE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rflags(e) & CF, 0);
    down(e);
}

/* ---- string forms: each element's address from RDI/RSI through the guest's paging ---- */

TEST_CASE(rep_stos_df0_and_df1)
{
    struct env *e = up();
    e->vm.gprs.rax = 0xdeadbeef;
    e->vm.gprs.rcx = 3;
    e->vm.gprs.rdi = NEAR + 0x10;
    fld(e)[HV_VMCS_ORD_GUEST_RFLAGS] = 0x2;
    CHECK_EQ_U64(run(e, "\xf3\xab", 2, NEAR + 0x10), HV_STEP_CONTINUE); /* rep stosd */
    CHECK_EQ_U64(e->nx, 3);
    CHECK_EQ_U64(e->x[0].gpa, NEAR + 0x10);
    CHECK_EQ_U64(e->x[2].gpa, NEAR + 0x18);
    CHECK_EQ_U64(e->x[2].value, 0xdeadbeef);
    CHECK_EQ_U64(e->vm.gprs.rdi, NEAR + 0x1c);
    CHECK_EQ_U64(e->vm.gprs.rcx, 0);
    CHECK_EQ_U64(rip(e), 0x1002);
    e->vm.gprs.rcx = 3;
    fld(e)[HV_VMCS_ORD_GUEST_RFLAGS] = 0x2 | DF;
    CHECK_EQ_U64(run(e, "\xf3\x66\xab", 3, NEAR + 0x1c), HV_STEP_CONTINUE); /* rep stosw, DF = 1 */
    CHECK_EQ_U64(e->nx, 6);
    CHECK_EQ_U64(e->x[3].gpa, NEAR + 0x1c);
    CHECK_EQ_U64(e->x[4].gpa, NEAR + 0x1a);
    CHECK_EQ_U64(e->x[5].size, 2);
    CHECK_EQ_U64(e->x[5].value, 0xbeef);
    CHECK_EQ_U64(e->vm.gprs.rdi, NEAR + 0x16);
    CHECK_EQ_U64(rip(e), 0x1003);
    down(e);
}

TEST_CASE(rep_movs_from_ram_df0_and_df1)
{
    struct env *e = up();
    CHECK(hv_gpa_write(&e->vm, 0x60000, "abcdef", 6));
    e->vm.gprs.rsi = 0x60000;
    e->vm.gprs.rdi = NEAR;
    e->vm.gprs.rcx = 3;
    fld(e)[HV_VMCS_ORD_GUEST_RFLAGS] = 0x2;
    CHECK_EQ_U64(run(e, "\xf3\xa4", 2, NEAR), HV_STEP_CONTINUE); /* rep movsb */
    CHECK_EQ_U64(e->nx, 3);
    CHECK_EQ_U64(e->x[0].value, 'a');
    CHECK_EQ_U64(e->x[2].value, 'c');
    CHECK_EQ_U64(e->x[2].gpa, NEAR + 2);
    CHECK_EQ_U64(e->vm.gprs.rsi, 0x60003);
    CHECK_EQ_U64(e->vm.gprs.rdi, NEAR + 3);
    e->vm.gprs.rsi = 0x60005;
    e->vm.gprs.rcx = 2;
    fld(e)[HV_VMCS_ORD_GUEST_RFLAGS] = 0x2 | DF;
    CHECK_EQ_U64(run(e, "\xf3\xa4", 2, NEAR + 3), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->x[3].value, 'f');
    CHECK_EQ_U64(e->x[4].value, 'e');
    CHECK_EQ_U64(e->x[4].gpa, NEAR + 2);
    CHECK_EQ_U64(e->vm.gprs.rsi, 0x60003);
    /* MOVS from MMIO into RAM: the device's answer lands in guest memory */
    e->answer = 0x5a;
    e->vm.gprs.rsi = NEAR;
    e->vm.gprs.rdi = 0x61000;
    fld(e)[HV_VMCS_ORD_GUEST_RFLAGS] = 0x2;
    CHECK_EQ_U64(run(e, "\xa4", 1, NEAR), HV_STEP_CONTINUE); /* movsb, no REP */
    char c = 0;
    CHECK(hv_gpa_read(&e->vm, 0x61000, &c, 1));
    CHECK_EQ_U64((unsigned char)c, 0x5a);
    CHECK_EQ_U64(rip(e), 0x1001);
    down(e);
}

TEST_CASE(rep_is_bounded_per_exit_and_resumes_with_rcx)
{
    struct env *e = up();
    e->vm.gprs.rcx = 5000;
    e->vm.gprs.rdi = NEAR;
    fld(e)[HV_VMCS_ORD_GUEST_RFLAGS] = 0x2;
    /* at most 64 elements per exit (HV_MMIO_REP_MAX), well inside the hole */
    CHECK_EQ_U64(run(e, "\xf3\xaa", 2, NEAR), HV_STEP_CONTINUE); /* rep stosb */
    CHECK_EQ_U64(e->nx, 64);
    CHECK_EQ_U64(e->vm.gprs.rcx, 5000 - 64);
    CHECK_EQ_U64(e->vm.gprs.rdi, NEAR + 64);
    CHECK_EQ_U64(rip(e), 0x1000); /* re-executes with the remaining count */
    down(e);
}

/* ---- fetching ---- */

/* Give the first 2 MiB 4-KiB guest pages (a PT at 0x50000) with page `hole` not present. */
static void split_first_2m(struct env *e, uint64_t hole)
{
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t pte = i == hole ? 0 : (i << 12) | 3;
        CHECK(hv_gpa_write(&e->vm, 0x50000 + 8 * i, &pte, 8));
    }
    uint64_t pde = 0x50000 | 3;
    CHECK(hv_gpa_write(&e->vm, HV_GUEST_PD(MIB), &pde, 8));
}

TEST_CASE(fetch_across_a_page_boundary)
{
    struct env *e = up();
    split_first_2m(e, 99); /* all of 0x2000 and 0x3000 present */
    e->vm.gprs.rax = 0x77;
    CHECK_EQ_U64(run_at(e, 0x2ffe, "\x89\x44\x8b\x10", 4, HOLE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->nx, 1);
    CHECK_EQ_U64(e->x[0].value, 0x77);
    CHECK_EQ_U64(rip(e), 0x3002);
    down(e);
}

TEST_CASE(fetch_fault_on_second_page_only_when_the_instruction_reaches_it)
{
    struct env *e = up();
    CHECK(hv_gpa_write(&e->vm, 0x2ff4, "\x89\x44\x8b\x10", 4)); /* before the PT hides page 3 */
    CHECK(hv_gpa_write(&e->vm, 0x2ffe, "\x89\x44", 2));
    split_first_2m(e, 3);
    /* ends 8 bytes before the page end: the 15-byte window reaches page 3, the instruction does not */
    CHECK_EQ_U64(run_at(e, 0x2ff4, "", 0, HOLE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->nx, 1);
    CHECK_EQ_U64(rip(e), 0x2ff8);
    /* 89 44 | 8b 10: the instruction extends into the not-present page: #PF, CR2 = 0x3000, RIP stays */
    CHECK_EQ_U64(run_at(e, 0x2ffe, "", 0, HOLE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->nx, 1);
    CHECK_EQ_U64(injected(e) & 0xfff, (INTR_TYPE_HW_EXCEPTION << 8) | INTR_INFO_DELIVER_ERROR_CODE | VEC_PF);
    CHECK_EQ_U64(e->vm.gprs.cr2, 0x3000);
    uint32_t err = (uint32_t)fld(e)[HV_VMCS_ORD_VM_ENTRY_EXCEPTION_ERROR_CODE];
    /* not present (P = 0), read, supervisor, no RSVD; I/D set exactly when EFER.NXE (PAE-style paging) */
    CHECK_EQ_U64(err & (PF_ERR_P | PF_ERR_W | PF_ERR_U | PF_ERR_RSVD), 0);
    CHECK_EQ_U64(rip(e), 0x2ffe);
    down(e);
}

TEST_CASE(fetch_fault_on_rip_page_and_rsvd_bit_error_codes)
{
    struct env *e = up();
    split_first_2m(e, 4);
    CHECK_EQ_U64(run_at(e, 0x4010, "", 0, HOLE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->nx, 0);
    CHECK_EQ_U64(injected(e) & 0xff, VEC_PF);
    CHECK_EQ_U64(e->vm.gprs.cr2, 0x4010);
    CHECK_EQ_U64(fld(e)[HV_VMCS_ORD_VM_ENTRY_EXCEPTION_ERROR_CODE] & PF_ERR_P, 0);
    /* a reserved bit (51) in the PTE: P and RSVD */
    uint64_t pte = 0x4000 | 3 | (1ull << 51);
    CHECK(hv_gpa_write(&e->vm, 0x50000 + 8 * 4, &pte, 8));
    CHECK_EQ_U64(run_at(e, 0x4010, "", 0, HOLE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(fld(e)[HV_VMCS_ORD_VM_ENTRY_EXCEPTION_ERROR_CODE] & (PF_ERR_P | PF_ERR_RSVD), PF_ERR_P | PF_ERR_RSVD);
    /* a user-mode fetch (CPL 3) from a supervisor page: P and U/S */
    pte = 0x4000 | 3;
    CHECK(hv_gpa_write(&e->vm, 0x50000 + 8 * 4, &pte, 8));
    struct hv_walk w;
    CHECK_EQ_U64(hv_guest_translate(&e->vm, 0x4010, HV_WALK_FETCH, 3, &w), HV_WALK_PF);
    CHECK_EQ_U64(w.error_code & (PF_ERR_P | PF_ERR_U | PF_ERR_W), PF_ERR_P | PF_ERR_U);
    CHECK_EQ_U64(hv_guest_translate(&e->vm, 0x4010, HV_WALK_WRITE, 0, &w), HV_WALK_OK);
    CHECK_EQ_U64(w.gpa, 0x4010);
    CHECK_EQ_U64(hv_guest_translate(&e->vm, 0x0000800000000000ull, HV_WALK_READ, 0, &w), HV_WALK_GP);
    down(e);
}

/* ---- what cannot be emulated ---- */

TEST_CASE(unsupported_injects_ud_and_logs_bytes)
{
    struct env *e = up();
    CHECK_EQ_U64(run(e, "\x0f\xae\x3b", 3, HOLE), HV_STEP_CONTINUE); /* clflush [rbx] */
    CHECK_EQ_U64(e->nx, 0);
    CHECK_EQ_U64(injected(e) & 0x7ff, (INTR_TYPE_HW_EXCEPTION << 8) | VEC_UD);
    CHECK_EQ_U64(rip(e), 0x1000);
    CHECK(e->nlog >= 1);
    CHECK(strstr(e->log[e->nlog - 1], "bytes [0f ae 3b") != NULL);
    down(e);
}

TEST_CASE(unsupported_kills_when_configured)
{
    struct env *e = up_kill(true);
    CHECK_EQ_U64(run(e, "\x0f\xae\x3b", 3, HOLE), HV_STEP_KILLED);
    CHECK(strstr(e->vm.message, "bytes [0f ae 3b") != NULL);
    CHECK_EQ_U64(e->nx, 0);
    down(e);
}
