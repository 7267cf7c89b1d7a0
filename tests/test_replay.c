/* The replay engine (harness/scenario/replay.c), the resolution of semantic records (resolve.c) and the
 * oracles (oracle.c): scenarios built in memory and run through the real core on the sim. Each oracle is
 * shown to trip on a planted violation. */
#include "core.h"
#include "oracle.h"
#include "replay.h"
#include "resolve.h"
#include "scenario.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "sim_vmcs.h"
#include "testlib.h"

#include <hv/arch.h>
#include <hv/exit_reasons.h>
#include <hv/vm.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/vmx_errors.h>
#include <hv/x86.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building scenarios ------------------------------------------------------------------------------- */

struct sc {
    struct hvs_scenario s;
    struct hvs_record rec[64];
};

static void sc_init(struct sc *c, const char *profile)
{
    memset(c, 0, sizeof *c);
    c->s.header.version = HVS_VERSION;
    snprintf(c->s.header.profile, sizeof c->s.header.profile, "%s", profile);
    c->s.header.memory_pages = 1024; /* 4 MiB */
    c->s.header.guest_mode = HVS_MODE_PROGRAM64;
    c->s.header.entry = 0x1000;
    c->s.header.stack = 0x8000;
    c->s.records = c->rec;
}

static void add(struct sc *c, uint8_t type, uint64_t a, uint64_t b, uint64_t cc, uint64_t d, uint64_t e)
{
    if (c->s.nrecords >= 64)
        abort();
    size_t i = c->s.nrecords++;
    c->rec[i] = (struct hvs_record){.type = type, .offset = 100 + i, .a = a, .b = b, .c = cc, .d = d, .e = e};
}

static void acceptance(struct sc *c, const char *profile)
{
    sc_init(c, profile);
    add(c, HVS_CPUID, 0, 0, 0, 0, 0);
    add(c, HVS_PORT_OUT, 0x3f8, 1, 'A', 0, 0);
    add(c, HVS_VMCALL, 0, 0, 0, 0, 0);
    add(c, HVS_HLT, 0, 0, 0, 0, 0);
}

/* Run with the trace captured in a string (caller frees). */
static char *run(const struct sc *c, const struct hvs_replay_hooks *h, bool no_oracles, struct hvs_replay_result *r)
{
    FILE *f = tmpfile();
    if (!f)
        abort();
    struct hvs_replay_options o = {.trace = f, .no_oracles = no_oracles};
    hvs_replay_hooked(&c->s, &o, h, r);
    long len = ftell(f);
    char *buf = calloc(1, (size_t)len + 1);
    rewind(f);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
        abort();
    fclose(f);
    return buf;
}

static unsigned count(const char *hay, const char *needle)
{
    unsigned n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void dump_on_fail(const char *trace, const struct hvs_replay_result *r)
{
    fprintf(stderr, "status %d message: %s\ntrace:\n%s", r->status, r->message, trace ? trace : "");
}

/* ---- acceptance ----------------------------------------------------------------------------------------- */

TEST_CASE(acceptance_cpuid_out_vmcall_hlt)
{
    struct sc c;
    acceptance(&c, "bochs-haswell");
    struct hvs_replay_result r;
    char *t = run(&c, NULL, false, &r);
    if (r.status != HVS_OK)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK_EQ_U64(count(t, "{\"exit\":"), 4);
    CHECK(strstr(t, "{\"exit\":1,\"reason\":\"CPUID\",\"number\":10,\"qualification\":\"0x0\",\"instr_len\":2,"
                    "\"outcome\":\"resume\"}") != NULL);
    /* OUT DX, AL to 0x3f8: size 1 (bits 2:0 = 0), OUT (bit 3 = 0), DX form (bit 6 = 0), port in 31:16 */
    CHECK(strstr(t, "\"reason\":\"I/O instruction\",\"number\":30,\"qualification\":\"0x3f80000\",\"instr_len\":1")
          != NULL);
    CHECK(strstr(t, "\"reason\":\"VMCALL\",\"number\":18") != NULL);
    CHECK(strstr(t, "\"reason\":\"HLT\",\"number\":12,\"qualification\":\"0x0\",\"instr_len\":1,\"outcome\":\"halt\"")
          != NULL);
    CHECK_EQ_U64(r.exits, 4);
    CHECK_EQ_U64(r.records_run, 4);
    free(t);
}

TEST_CASE(acceptance_on_every_ept_profile)
{
    static const char *const profiles[] = {"bochs-haswell", "bochs-skylake-x", "bochs-sandybridge", "max"};
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        struct sc c;
        acceptance(&c, profiles[i]);
        struct hvs_replay_result r;
        char *t = run(&c, NULL, false, &r);
        if (r.status != HVS_OK)
            dump_on_fail(t, &r);
        CHECK_EQ_U64(r.status, HVS_OK);
        CHECK_EQ_U64(count(t, "{\"exit\":"), 4);
        free(t);
    }
}

TEST_CASE(records_after_halt_are_not_run)
{
    struct sc c;
    acceptance(&c, "bochs-haswell");
    add(&c, HVS_CPUID, 1, 0, 0, 0, 0);
    struct hvs_replay_result r;
    char *t = run(&c, NULL, false, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK_EQ_U64(r.records_run, 4);
    CHECK_EQ_U64(count(t, "{\"exit\":"), 4);
    free(t);
}

/* ---- semantic resolution against the core's current bitmaps -------------------------------------------- */

static uint64_t *fields(struct sim_machine *m, struct hv_vm *vm) { return sim_vmcs_fields(m, vm->vmcs); }

struct io_hook {
    uint16_t port;
    uint64_t rip_after_first;
};

/* A pass-through policy for one port: clear its bit in the I/O bitmap the VMCS names. */
static void clear_io_bit(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    struct io_hook *h = opaque;
    if (record != 0)
        return;
    uint64_t *f = fields(m, vm);
    uint16_t p = h->port;
    uint8_t *bm = sim_phys_ptr(m, p < 0x8000 ? f[HV_VMCS_ORD_IO_BITMAP_A] : f[HV_VMCS_ORD_IO_BITMAP_B], 4096);
    bm[(p & 0x7fff) >> 3] &= (uint8_t)~(1u << (p & 7));
    h->rip_after_first = f[HV_VMCS_ORD_GUEST_RIP];
}

TEST_CASE(out_to_port_not_in_bitmap_causes_no_exit)
{
    struct sc c;
    sc_init(&c, "bochs-haswell");
    add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
    add(&c, HVS_PORT_OUT, 0x3f8, 1, 'A', 0, 0);
    add(&c, HVS_PORT_OUT, 0x3f9, 1, 'B', 0, 0); /* still intercepted */
    add(&c, HVS_HLT, 0, 0, 0, 0, 0);
    struct io_hook h = {.port = 0x3f8};
    struct hvs_replay_hooks hooks = {.after_step = clear_io_bit, .opaque = &h};
    struct hvs_replay_result r;
    char *t = run(&c, &hooks, false, &r);
    if (r.status != HVS_OK)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK_EQ_U64(count(t, "{\"exit\":"), 3);
    CHECK(strstr(t, "{\"event\":\"no-exit\",\"record\":1,\"offset\":101,\"type\":\"port-out\"") != NULL);
    CHECK(strstr(t, "\"qualification\":\"0x3f90000\"") != NULL);
    CHECK(strstr(t, "\"qualification\":\"0x3f80000\"") == NULL);
    free(t);
}

/* The resolution rules on a hand-made VMCS (no core involved): every decision of resolve.c. */
struct rig {
    struct sim_machine *m;
    struct hv_vm vm;
    uint64_t f[HV_VMCS_FIELD_COUNT];
    struct hvs_resolve_ctx c;
    uint8_t *io_a, *io_b, *msr;
};

static void rig_init(struct rig *g)
{
    memset(g, 0, sizeof *g);
    g->m = sim_machine_create(sim_profile_find("bochs-haswell"), 8, 1);
    hv_paddr_t a = sim_page_alloc(g->m), b = sim_page_alloc(g->m), mb = sim_page_alloc(g->m);
    g->io_a = sim_phys_ptr(g->m, a, 4096);
    g->io_b = sim_phys_ptr(g->m, b, 4096);
    g->msr = sim_phys_ptr(g->m, mb, 4096);
    g->f[HV_VMCS_ORD_IO_BITMAP_A] = a;
    g->f[HV_VMCS_ORD_IO_BITMAP_B] = b;
    g->f[HV_VMCS_ORD_MSR_BITMAP] = mb;
    g->f[HV_VMCS_ORD_GUEST_RIP] = 0x1000;
    g->f[HV_VMCS_ORD_GUEST_CS_AR_BYTES] = AR_L;
    g->f[HV_VMCS_ORD_GUEST_CR0] = CR0_PE | CR0_PG | CR0_NE | CR0_ET;
    g->c = (struct hvs_resolve_ctx){.m = g->m, .cpu = sim_machine_cpu(g->m, 0), .vm = &g->vm, .f = g->f, .tsc = 5000};
}

static struct hvs_resolution rs(struct rig *g, uint8_t type, uint64_t a, uint64_t b, uint64_t c)
{
    struct hvs_record rec = {.type = type, .a = a, .b = b, .c = c};
    struct hvs_resolution o;
    hvs_load_operands(&g->c, &rec);
    hvs_resolve(&g->c, &rec, &o);
    hvs_apply_no_exit(&g->c, &rec, &o);
    return o;
}

#define PROC(g) ((g)->f[HV_VMCS_ORD_PRIMARY_PROC_BASED_VM_EXEC_CONTROL])

TEST_CASE(resolve_io_rules)
{
    struct rig g;
    rig_init(&g);
    /* neither unconditional I/O exiting nor bitmaps: no exit, IN reads all ones, RIP advances */
    g.vm.gprs.rax = 0x1234;
    struct hvs_resolution o = rs(&g, HVS_PORT_IN, 0x60, 1, 0);
    CHECK(!o.exits);
    CHECK_EQ_U64(g.vm.gprs.rax, 0x12ff);
    CHECK_EQ_U64(g.f[HV_VMCS_ORD_GUEST_RIP], 0x1002); /* IN AL, imm8: 2 bytes */
    PROC(&g) = PROC_UNCONDITIONAL_IO_EXITING;
    o = rs(&g, HVS_PORT_IN, 0x60, 1, 0);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.reason, HV_EXIT_IO_INSTRUCTION);
    CHECK_EQ_U64(o.exit.qualification, 0x600048); /* IN, immediate, port 0x60 */
    CHECK_EQ_U64(o.exit.instr_len, 2);
    /* bitmaps override unconditional exiting; any byte of the access decides */
    PROC(&g) = PROC_UNCONDITIONAL_IO_EXITING | PROC_USE_IO_BITMAPS;
    CHECK(!rs(&g, HVS_PORT_OUT, 0x3f8, 2, 0x4142).exits);
    g.io_a[0x3f9 >> 3] |= 1u << (0x3f9 & 7);
    o = rs(&g, HVS_PORT_OUT, 0x3f8, 2, 0x4142);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.qualification, 0x3f80001); /* size 2, OUT, DX form */
    CHECK_EQ_U64(g.vm.gprs.rdx & 0xffff, 0x3f8);
    CHECK_EQ_U64(g.vm.gprs.rax & 0xffff, 0x4142);
    g.io_b[(0x9000 & 0x7fff) >> 3] |= 1u;
    CHECK(rs(&g, HVS_PORT_IN, 0x9000, 4, 0).exits); /* bitmap B */
    CHECK(rs(&g, HVS_PORT_IN, 0xffff, 2, 0).exits); /* wraps past 0xffff */
    sim_machine_destroy(g.m);
}

TEST_CASE(resolve_msr_rules)
{
    struct rig g;
    rig_init(&g);
    CHECK(rs(&g, HVS_RDMSR, 0x10, 0, 0).exits); /* no MSR bitmaps: every access exits */
    PROC(&g) = PROC_USE_MSR_BITMAPS;
    g.msr[0x000 + (0x10 >> 3)] |= 1u << (0x10 & 7);          /* read low: TSC */
    g.msr[0x400 + (0x80 >> 3)] |= 1u << (0x80 & 7);          /* read high: EFER */
    g.msr[0xc00 + (0x102 >> 3)] |= 1u << (0x102 & 7);        /* write high: KERNEL_GS_BASE */
    struct hvs_resolution o = rs(&g, HVS_RDMSR, 0x10, 0, 0);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.reason, HV_EXIT_RDMSR);
    CHECK_EQ_U64(g.vm.gprs.rcx, 0x10);
    CHECK(rs(&g, HVS_RDMSR, 0xc0000080u, 0, 0).exits);
    o = rs(&g, HVS_WRMSR, 0xc0000102u, 0x1122334455667788ull, 0);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.reason, HV_EXIT_WRMSR);
    CHECK_EQ_U64(g.vm.gprs.rax, 0x55667788);
    CHECK_EQ_U64(g.vm.gprs.rdx, 0x11223344);
    CHECK(rs(&g, HVS_RDMSR, 0x40000000u, 0, 0).exits); /* outside both ranges */
    /* a pass-through read of an MSR the processor has: no exit, RIP + 2 */
    uint64_t rip = g.f[HV_VMCS_ORD_GUEST_RIP];
    o = rs(&g, HVS_RDMSR, 0x277 /* IA32_PAT */, 0, 0);
    CHECK(!o.exits && !o.faulted);
    CHECK_EQ_U64(g.vm.gprs.rax, 0x00070406);
    CHECK_EQ_U64(g.f[HV_VMCS_ORD_GUEST_RIP], rip + 2);
    /* a pass-through read of an MSR the processor does not have: #GP, which exits iff bitmap bit 13 */
    o = rs(&g, HVS_RDMSR, 0x1fff, 0, 0);
    CHECK(!o.exits && o.faulted);
    CHECK_EQ_U64(o.fault_vector, VEC_GP);
    g.f[HV_VMCS_ORD_EXCEPTION_BITMAP] = 1u << 13;
    o = rs(&g, HVS_RDMSR, 0x1fff, 0, 0);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.reason, HV_EXIT_EXCEPTION_NMI);
    CHECK_EQ_U64(o.exit.intr_info, 0x80000b0d); /* valid, error code, hardware exception, vector 13 */
    sim_machine_destroy(g.m);
}

TEST_CASE(resolve_cr_rules)
{
    struct rig g;
    rig_init(&g);
    uint64_t cr0 = g.f[HV_VMCS_ORD_GUEST_CR0];
    g.f[HV_VMCS_ORD_CR0_GUEST_HOST_MASK] = CR0_PG | CR0_CD | (1u << 3);
    g.f[HV_VMCS_ORD_CR0_READ_SHADOW] = CR0_PG;
    /* owned bits equal to the shadow: no exit; the rest changes guest CR0 */
    struct hvs_resolution o = rs(&g, HVS_MOV_TO_CR, 0, 3, cr0 | CR0_WP);
    CHECK(!o.exits && !o.faulted);
    CHECK_EQ_U64(g.f[HV_VMCS_ORD_GUEST_CR0], cr0 | CR0_WP);
    /* an owned bit differs: exit, CR 0, MOV to CR, GPR 3 */
    o = rs(&g, HVS_MOV_TO_CR, 0, 3, cr0 | CR0_CD);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.reason, HV_EXIT_CR_ACCESS);
    CHECK_EQ_U64(o.exit.qualification, 0x300);
    CHECK_EQ_U64(o.exit.instr_len, 3);
    CHECK_EQ_U64(g.vm.gprs.rbx, cr0 | CR0_CD);
    /* MOV from CR0: owned bits read from the shadow */
    rs(&g, HVS_MOV_FROM_CR, 0, 1, 0);
    CHECK_EQ_U64(g.vm.gprs.rcx & (CR0_PG | CR0_CD), CR0_PG);
    /* CR3: load exiting unless a CR3-target value matches */
    PROC(&g) = PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING;
    CHECK(rs(&g, HVS_MOV_TO_CR, 3, 0, 0x5000).exits);
    g.f[HV_VMCS_ORD_CR3_TARGET_COUNT] = 1;
    g.f[HV_VMCS_ORD_CR3_TARGET_VALUE0] = 0x5000;
    CHECK(!rs(&g, HVS_MOV_TO_CR, 3, 0, 0x5000).exits);
    CHECK_EQ_U64(g.f[HV_VMCS_ORD_GUEST_CR3], 0x5000);
    o = rs(&g, HVS_MOV_FROM_CR, 3, 4, 0);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.qualification, 0x413); /* CR3, MOV from CR, GPR 4 (RSP) */
    /* CLTS: exits iff TS owned and shadow TS = 1 */
    CHECK(!rs(&g, HVS_CLTS, 0, 0, 0).exits);
    g.f[HV_VMCS_ORD_CR0_READ_SHADOW] |= 1u << 3;
    o = rs(&g, HVS_CLTS, 0, 0, 0);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.qualification, 0x20);
    /* LMSW: PE special case (mask PE, source PE = 1, shadow PE = 0) */
    g.f[HV_VMCS_ORD_CR0_GUEST_HOST_MASK] = CR0_PE;
    g.f[HV_VMCS_ORD_CR0_READ_SHADOW] = 0;
    o = rs(&g, HVS_LMSW, 1, 0, 0);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.qualification, 0x10030); /* source 1 in 31:16, type 3 */
    CHECK(!rs(&g, HVS_LMSW, 0, 0, 0).exits);      /* clearing PE with shadow 0: no exit */
    /* MOV to CR0 the mask lets through with an illegal value (PG without PE): #GP instead */
    g.f[HV_VMCS_ORD_CR0_GUEST_HOST_MASK] = 0;
    o = rs(&g, HVS_MOV_TO_CR, 0, 0, CR0_PG);
    CHECK(o.faulted);
    CHECK_EQ_U64(o.fault_vector, VEC_GP);
    /* CR8 load exiting */
    CHECK(!rs(&g, HVS_MOV_TO_CR, 8, 0, 1).exits);
    PROC(&g) |= PROC_CR8_LOAD_EXITING;
    CHECK(rs(&g, HVS_MOV_TO_CR, 8, 0, 1).exits);
    sim_machine_destroy(g.m);
}

TEST_CASE(resolve_events_and_timers)
{
    struct rig g;
    rig_init(&g);
    /* RDTSC not exiting: RDX:RAX = TSC + offset */
    PROC(&g) = PROC_USE_TSC_OFFSETTING;
    g.f[HV_VMCS_ORD_TSC_OFFSET] = 0x100000000ull;
    CHECK(!rs(&g, HVS_RDTSC, 0, 0, 0).exits);
    CHECK_EQ_U64(g.vm.gprs.rax, 5000);
    CHECK_EQ_U64(g.vm.gprs.rdx, 1);
    PROC(&g) |= PROC_RDTSC_EXITING;
    CHECK_EQ_U64(rs(&g, HVS_RDTSC, 0, 0, 0).exit.reason, HV_EXIT_RDTSC);
    /* RDTSCP with "enable RDTSCP" 0: #UD; exits iff exception bitmap bit 6 */
    struct hvs_resolution o = rs(&g, HVS_RDTSCP, 0, 0, 0);
    CHECK(!o.exits && o.faulted);
    g.f[HV_VMCS_ORD_EXCEPTION_BITMAP] = 1u << 6;
    o = rs(&g, HVS_RDTSCP, 0, 0, 0);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.intr_info, 0x80000306);
    PROC(&g) |= PROC_ACTIVATE_SECONDARY_CONTROLS;
    g.f[HV_VMCS_ORD_SECONDARY_PROC_BASED_VM_EXEC_CONTROL] = PROC2_ENABLE_RDTSCP;
    o = rs(&g, HVS_RDTSCP, 0, 0, 0);
    CHECK_EQ_U64(o.exit.reason, HV_EXIT_RDTSCP);
    CHECK_EQ_U64(o.exit.instr_len, 3);
    /* external interrupt: exits iff pin bit 0; vector reported with "acknowledge interrupt on exit" */
    CHECK(!rs(&g, HVS_EXT_INTERRUPT, 0x30, 0, 0).exits);
    g.f[HV_VMCS_ORD_PIN_BASED_VM_EXEC_CONTROL] = PIN_EXTERNAL_INTERRUPT_EXITING;
    o = rs(&g, HVS_EXT_INTERRUPT, 0x30, 0, 0);
    CHECK(o.exits);
    CHECK_EQ_U64(o.exit.intr_info, 0);
    g.f[HV_VMCS_ORD_PRIMARY_VM_EXIT_CONTROLS] = EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT;
    CHECK_EQ_U64(rs(&g, HVS_EXT_INTERRUPT, 0x30, 0, 0).exit.intr_info, 0x80000030);
    /* NMI, preemption timer, triple fault */
    CHECK(!rs(&g, HVS_NMI, 0, 0, 0).exits);
    g.f[HV_VMCS_ORD_PIN_BASED_VM_EXEC_CONTROL] |= PIN_NMI_EXITING;
    CHECK_EQ_U64(rs(&g, HVS_NMI, 0, 0, 0).exit.intr_info, 0x80000202);
    CHECK(!rs(&g, HVS_PREEMPTION_TIMER, 0, 0, 0).exits);
    g.f[HV_VMCS_ORD_PIN_BASED_VM_EXEC_CONTROL] |= PIN_ACTIVATE_PREEMPTION_TIMER;
    CHECK_EQ_U64(rs(&g, HVS_PREEMPTION_TIMER, 0, 0, 0).exit.reason, HV_EXIT_PREEMPTION_TIMER);
    CHECK_EQ_U64(rs(&g, HVS_TRIPLE_FAULT, 0, 0, 0).exit.reason, HV_EXIT_TRIPLE_FAULT);
    /* #PF: bit 14 with error-code mask/match (match: exit iff bit 14; no match: exit iff not bit 14) */
    g.f[HV_VMCS_ORD_EXCEPTION_BITMAP] = 1u << 14;
    g.f[HV_VMCS_ORD_PAGE_FAULT_ERROR_CODE_MASK] = 1;
    g.f[HV_VMCS_ORD_PAGE_FAULT_ERROR_CODE_MATCH] = 1;
    CHECK(rs(&g, HVS_EXCEPTION, 14, 1, 1).exits);
    CHECK(!rs(&g, HVS_EXCEPTION, 14, 1, 0).exits);
    g.f[HV_VMCS_ORD_EXCEPTION_BITMAP] = 0;
    CHECK(rs(&g, HVS_EXCEPTION, 14, 1, 0).exits);
    /* unconditional: CPUID, VMCALL, XSETBV, INVD, VMX instructions */
    CHECK_EQ_U64(rs(&g, HVS_CPUID, 7, 0, 0).exit.reason, HV_EXIT_CPUID);
    CHECK_EQ_U64(g.vm.gprs.rax, 7);
    CHECK_EQ_U64(rs(&g, HVS_XSETBV, 0, 7, 0).exit.instr_len, 3);
    CHECK_EQ_U64(rs(&g, HVS_INVD, 0, 0, 0).exit.reason, HV_EXIT_INVD);
    CHECK_EQ_U64(rs(&g, HVS_VMX_INSN, HV_EXIT_VMPTRLD, 0, 0).exit.reason, HV_EXIT_VMPTRLD);
    CHECK(!rs(&g, HVS_VMX_INSN, HV_EXIT_CPUID, 0, 0).exits); /* not a VMX instruction: ignored */
    /* HLT and WBINVD are conditional */
    CHECK(!rs(&g, HVS_HLT, 0, 0, 0).exits);
    PROC(&g) |= PROC_HLT_EXITING;
    CHECK(rs(&g, HVS_HLT, 0, 0, 0).exits);
    CHECK(!rs(&g, HVS_WBINVD, 0, 0, 0).exits);
    g.f[HV_VMCS_ORD_SECONDARY_PROC_BASED_VM_EXEC_CONTROL] |= PROC2_WBINVD_EXITING;
    CHECK(rs(&g, HVS_WBINVD, 0, 0, 0).exits);
    sim_machine_destroy(g.m);
}

/* ---- fault injection --------------------------------------------------------------------------------- */

TEST_CASE(fail_vmx_error5_at_first_vmresume_falls_back_to_vmlaunch)
{
    struct sc c;
    sc_init(&c, "bochs-haswell");
    add(&c, HVS_FAIL_VMX, SIM_INSN_VMRESUME, HV_VMFAIL_VALID, HV_VMXERR_VMRESUME_NONLAUNCHED_VMCS, 0, 0);
    add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
    add(&c, HVS_HLT, 0, 0, 0, 0, 0);
    struct hvs_replay_result r;
    char *t = run(&c, NULL, false, &r);
    if (r.status != HVS_OK)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK(strstr(t, "{\"event\":\"vmlaunch-fallback\"") != NULL);
    CHECK(strstr(t, "{\"event\":\"vmlaunch-fallback\"") < strstr(t, "{\"exit\":1,"));
    CHECK_EQ_U64(count(t, "{\"exit\":"), 2);
    free(t);
}

TEST_CASE(fail_vmx_error5_after_launch_kills_with_vmlaunch_error)
{
    /* A spurious error 5 once the VMCS is launched: the fallback VMLAUNCH meets a launched VMCS (error 4,
     * SDM Vol. 3 §31.4) and the core kills the VM, naming it. */
    struct sc c;
    sc_init(&c, "bochs-haswell");
    add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
    add(&c, HVS_FAIL_VMX, SIM_INSN_VMRESUME, HV_VMFAIL_VALID, HV_VMXERR_VMRESUME_NONLAUNCHED_VMCS, 0, 0);
    add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
    add(&c, HVS_HLT, 0, 0, 0, 0, 0);
    struct hvs_replay_result r;
    char *t = run(&c, NULL, false, &r);
    if (r.status != HVS_KILLED)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_KILLED);
    CHECK_EQ_U64(count(t, "vmlaunch-fallback"), 2);
    CHECK(strstr(r.message, "VMLAUNCH") != NULL);
    CHECK(strstr(t, "{\"event\":\"kill\"") != NULL);
    CHECK_EQ_U64(r.records_run, 3);
    free(t);
}

TEST_CASE(fail_vmx_error7_kills_naming_invalid_control_fields)
{
    struct sc c;
    sc_init(&c, "bochs-haswell");
    add(&c, HVS_FAIL_VMX, SIM_INSN_VMRESUME, HV_VMFAIL_VALID, HV_VMXERR_ENTRY_INVALID_CONTROL, 0, 0);
    add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
    add(&c, HVS_HLT, 0, 0, 0, 0, 0);
    struct hvs_replay_result r;
    char *t = run(&c, NULL, false, &r);
    if (r.status != HVS_KILLED)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_KILLED);
    CHECK(strstr(r.message, "VM entry with invalid control field(s)") != NULL);
    CHECK(strstr(t, "{\"event\":\"kill\",\"message\":") != NULL);
    CHECK_EQ_U64(count(t, "{\"exit\":"), 0);
    free(t);
}

TEST_CASE(every_vmx_error_injected_at_vmresume_never_trips_an_oracle)
{
    /* Errors 1-28 at the second VMRESUME: the core kills (or falls back on 5) but never hands a bad VMCS,
     * never faults and returns every page. */
    for (uint32_t err = 1; err <= 28; err++) {
        struct sc c;
        sc_init(&c, "bochs-haswell");
        add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
        add(&c, HVS_FAIL_VMX, SIM_INSN_VMRESUME, HV_VMFAIL_VALID, err, 0, 0);
        add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
        struct hvs_replay_result r;
        char *t = run(&c, NULL, false, &r);
        if (r.status != HVS_KILLED)
            dump_on_fail(t, &r);
        CHECK_EQ_U64(r.status, HVS_KILLED);
        free(t);
    }
}

TEST_CASE(fail_alloc_at_every_point_of_bringup_and_creation)
{
    /* Leading FAIL_ALLOC records arm before VMX bring-up: every allocation point refuses cleanly (status 1)
     * and returns every page (no oracle), until N passes the last allocation and the scenario runs — on
     * every profile that can run the guest; the others refuse at every N. */
    for (size_t p = 0; p < sim_profile_count(); p++) {
        const char *profile = sim_profile_at(p)->name;
        bool ran = false;
        unsigned n;
        for (n = 0; n < 4096 && !ran; n++) {
            struct sc c;
            acceptance(&c, profile);
            c.s.header.memory_pages = 256; /* 1 MiB, the core's minimum: fewer allocation points to walk */
            memmove(&c.rec[1], &c.rec[0], c.s.nrecords * sizeof c.rec[0]);
            c.rec[0] = (struct hvs_record){.type = HVS_FAIL_ALLOC, .a = n};
            c.s.nrecords++;
            struct hvs_replay_result r;
            char *t = run(&c, NULL, false, &r);
            if (r.status != HVS_KILLED && r.status != HVS_OK)
                dump_on_fail(t, &r);
            CHECK(r.status == HVS_KILLED || r.status == HVS_OK);
            if (r.status == HVS_KILLED)
                CHECK(strstr(r.message, "refused") != NULL);
            ran = r.status == HVS_OK;
            free(t);
            if (!ran && n == 8 && strstr(r.message, "lacks 'enable EPT'"))
                break; /* refused for the profile, not for the allocation: nothing more to learn */
        }
        bool has_ept = strcmp(profile, "bochs-penryn") != 0 && strcmp(profile, "minimal") != 0;
        CHECK(ran == has_ept);
    }
}

TEST_CASE(bad_input_and_refusals)
{
    struct sc c;
    struct hvs_replay_result r;
    acceptance(&c, "no-such-cpu");
    CHECK_EQ_U64(hvs_replay(&c.s, NULL, &r), HVS_BAD_INPUT);
    CHECK(strstr(r.message, "no-such-cpu") != NULL);
    acceptance(&c, "bochs-haswell");
    c.s.header.memory_pages = 0; /* the core refuses the configuration: the scenario's fault */
    CHECK_EQ_U64(hvs_replay(&c.s, NULL, &r), HVS_BAD_INPUT);
    c.s.header.memory_pages = 1u << 30;
    CHECK_EQ_U64(hvs_replay(&c.s, NULL, &r), HVS_BAD_INPUT);
    /* a profile without EPT: the core refuses cleanly (status 1, its message), no oracle trips */
    acceptance(&c, "bochs-penryn");
    CHECK_EQ_U64(hvs_replay(&c.s, NULL, &r), HVS_KILLED);
    CHECK(strstr(r.message, "VM creation refused") != NULL);
    /* the options' profile overrides the header's */
    acceptance(&c, "no-such-cpu");
    struct hvs_replay_options o = {.profile = "bochs-haswell"};
    CHECK_EQ_U64(hvs_replay(&c.s, &o, &r), HVS_OK);
}

TEST_CASE(raw_records_set_registers_memory_and_force_exits)
{
    struct sc c;
    sc_init(&c, "bochs-haswell");
    add(&c, HVS_SET_GPR, HVS_REG_RIP, 0x2000, 0, 0, 0);
    add(&c, HVS_SET_GPR, HVS_REG_RFLAGS, ~0ull, 0, 0, 0); /* reserved bits cleared, not a bad VMCS */
    add(&c, HVS_SET_GPR, HVS_REG_RBX, 0x55, 0, 0, 0);
    add(&c, HVS_SET_MEM, 0x3000, 0, 0, 0, 0);
    static uint8_t bytes[4] = {0x90, 0x90, 0x90, 0x90};
    c.rec[3].bytes = bytes;
    c.rec[3].nbytes = sizeof bytes;
    add(&c, HVS_SET_MEM, 1ull << 40, 0, 0, 0, 0); /* not RAM: ignored with a note */
    c.rec[4].bytes = bytes;
    c.rec[4].nbytes = sizeof bytes;
    add(&c, HVS_FORCE_EXIT, HV_EXIT_CPUID, 0, 2, 0, 0);
    add(&c, HVS_HLT, 0, 0, 0, 0, 0);
    struct hvs_replay_result r;
    char *t = run(&c, NULL, false, &r);
    if (r.status != HVS_OK)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK_EQ_U64(count(t, "{\"event\":\"ignored\",\"record\":4"), 1);
    CHECK_EQ_U64(count(t, "{\"exit\":"), 2);
    free(t);
}

TEST_CASE(forced_exit_of_every_reason_never_trips_an_oracle)
{
    /* Robustness: whatever exit "hardware" reports, the core resumes, halts or kills — never a bad VMCS,
     * a wrong RIP, a VMX fault or a leaked page. */
    for (uint32_t reason = 0; reason < 80; reason++) {
        struct sc c;
        sc_init(&c, "bochs-haswell");
        add(&c, HVS_FORCE_EXIT, reason, 0, 3, 0, 0);
        add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
        struct hvs_replay_result r;
        char *t = run(&c, NULL, false, &r);
        if (r.status == HVS_ORACLE || r.status == HVS_BAD_INPUT)
            dump_on_fail(t, &r);
        CHECK(r.status != HVS_ORACLE && r.status != HVS_BAD_INPUT);
        free(t);
    }
}

/* ---- each oracle trips on a planted violation --------------------------------------------------------- */

static void corrupt_rip(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    (void)opaque;
    if (record == 0)
        fields(m, vm)[HV_VMCS_ORD_GUEST_RIP] += 1;
}

TEST_CASE(oracle_rip_trips_on_wrong_rip)
{
    struct sc c;
    acceptance(&c, "bochs-haswell");
    struct hvs_replay_hooks h = {.after_step = corrupt_rip};
    struct hvs_replay_result r;
    char *t = run(&c, &h, false, &r);
    if (r.status != HVS_ORACLE)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_ORACLE);
    CHECK(strncmp(r.message, "oracle rip: exit 10 (CPUID)", 27) == 0);
    free(t);
    /* with the oracles off the same run completes */
    t = run(&c, &h, true, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    free(t);
}

static void bad_rflags(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    (void)opaque;
    if (record == 0)
        fields(m, vm)[HV_VMCS_ORD_GUEST_RFLAGS] &= ~RFLAGS_FIXED1; /* bit 1 must be 1 (§27.3.1.4) */
}

TEST_CASE(oracle_entry_checks_trips_on_bad_vmcs)
{
    struct sc c;
    acceptance(&c, "bochs-haswell");
    struct hvs_replay_hooks h = {.after_step = bad_rflags};
    struct hvs_replay_result r;
    char *t = run(&c, &h, false, &r);
    if (r.status != HVS_ORACLE)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_ORACLE);
    CHECK(strncmp(r.message, "oracle entry-checks: the core handed a VMCS that fails guest.rflags", 67) == 0);
    CHECK(strstr(r.message, "§27.3") != NULL);
    free(t);
    t = run(&c, &h, true, &r); /* oracles off: the core kills the VM on the entry failure */
    CHECK_EQ_U64(r.status, HVS_KILLED);
    free(t);
}

static void extra_entries(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    (void)opaque;
    if (record != 0)
        return;
    /* a core that re-enters the guest twice more inside one step */
    for (int i = 0; i < 2; i++) {
        sim_cpu_set_next_exit(sim_machine_cpu(m, 0), HV_EXIT_CPUID, 0, 2);
        hv_vcpu_step(vm);
    }
}

TEST_CASE(oracle_liveness_trips_on_unbounded_step)
{
    struct sc c;
    acceptance(&c, "bochs-haswell");
    struct hvs_replay_hooks h = {.after_step = extra_entries};
    struct hvs_replay_result r;
    char *t = run(&c, &h, false, &r);
    if (r.status != HVS_ORACLE)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_ORACLE);
    CHECK(strncmp(r.message, "oracle liveness: one step did 6 VM entries + exits (limit 4)", 60) == 0);
    free(t);
    /* the limit is the hook's to set: one step is one entry and one exit */
    struct hvs_replay_hooks tight = {.work_limit = 1};
    t = run(&c, &tight, false, &r);
    CHECK_EQ_U64(r.status, HVS_ORACLE);
    CHECK(strstr(r.message, "oracle liveness") != NULL);
    free(t);
    struct hvs_replay_hooks exact = {.work_limit = 2};
    t = run(&c, &exact, false, &r);
    CHECK_EQ_U64(r.status, HVS_OK);
    free(t);
}

static void vmread_flood(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    (void)opaque;
    (void)m;
    if (record != 0)
        return;
    /* a handler stuck in a loop of VMREADs */
    for (int i = 0; i < 2000; i++)
        (void)hv_vmread(vm, VMCS_GUEST_RIP);
}

TEST_CASE(oracle_liveness_trips_on_vmx_instruction_flood)
{
    struct sc c;
    acceptance(&c, "bochs-haswell");
    struct hvs_replay_hooks h = {.after_step = vmread_flood};
    struct hvs_replay_result r;
    char *t = run(&c, &h, false, &r);
    if (r.status != HVS_ORACLE)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_ORACLE);
    CHECK(strstr(r.message, "oracle liveness: one step executed") != NULL);
    free(t);
}

static void raise_fault(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    (void)opaque;
    (void)vm;
    if (record != 1)
        return;
    /* clearing CR4.VMXE in VMX operation: #GP(0) on hardware (SDM Vol. 3 §24.8) */
    struct hv_arch_cpu *cpu = sim_machine_cpu(m, 0);
    hv_arch_write_cr4(cpu, hv_arch_read_cr4(cpu) & ~CR4_VMXE);
}

TEST_CASE(oracle_vmx_fault_trips_on_fault_in_root_operation)
{
    struct sc c;
    acceptance(&c, "bochs-haswell");
    struct hvs_replay_hooks h = {.after_step = raise_fault};
    struct hvs_replay_result r;
    char *t = run(&c, &h, false, &r);
    if (r.status != HVS_ORACLE)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_ORACLE);
    CHECK(strncmp(r.message, "oracle vmx-fault: MOV CR raised #GP(0)", 38) == 0);
    free(t);
}

struct leak {
    bool bad_free;
};

static void leak_page(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    struct leak *l = opaque;
    (void)vm;
    if (record != 0)
        return;
    if (l->bad_free)
        sim_page_free(m, SIM_PHYS_BASE + 3); /* not a page */
    else
        (void)sim_page_alloc(m); /* never freed */
}

TEST_CASE(oracle_page_balance_trips_on_leak_and_bad_free)
{
    struct sc c;
    acceptance(&c, "bochs-haswell");
    struct leak l = {.bad_free = false};
    struct hvs_replay_hooks h = {.after_step = leak_page, .opaque = &l};
    struct hvs_replay_result r;
    char *t = run(&c, &h, false, &r);
    if (r.status != HVS_ORACLE)
        dump_on_fail(t, &r);
    CHECK_EQ_U64(r.status, HVS_ORACLE);
    CHECK(strncmp(r.message, "oracle page-balance: 1 pages in use after destroy and VMXOFF, 0 before", 69) == 0);
    free(t);
    l.bad_free = true;
    t = run(&c, &h, false, &r);
    CHECK_EQ_U64(r.status, HVS_ORACLE);
    CHECK(strstr(r.message, "oracle page-balance: 1 frees of pages that were not allocated") != NULL);
    free(t);
}

TEST_CASE(acceptance_in_real_mode_where_unrestricted_guest)
{
    /* "booted machine": real mode through unrestricted guest; RIP is 32 bits wide there. */
    static const char *const profiles[] = {"bochs-haswell", "bochs-skylake-x", "max"};
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        struct sc c;
        acceptance(&c, profiles[i]);
        c.s.header.guest_mode = HVS_MODE_REAL;
        c.s.header.entry = 0x7c00;
        c.s.header.stack = 0x7000;
        struct hvs_replay_result r;
        char *t = run(&c, NULL, false, &r);
        if (r.status != HVS_OK)
            dump_on_fail(t, &r);
        CHECK_EQ_U64(r.status, HVS_OK);
        CHECK_EQ_U64(count(t, "{\"exit\":"), 4);
        free(t);
    }
}

TEST_CASE(trace_messages_keep_utf8)
{
    struct sc c;
    sc_init(&c, "bochs-haswell");
    add(&c, HVS_FAIL_VMX, SIM_INSN_VMRESUME, HV_VMFAIL_VALID, HV_VMXERR_ENTRY_INVALID_CONTROL, 0, 0);
    add(&c, HVS_CPUID, 0, 0, 0, 0, 0);
    struct hvs_replay_result r;
    char *t = run(&c, NULL, false, &r);
    CHECK_EQ_U64(r.status, HVS_KILLED);
    CHECK(strstr(t, "\\u00") == NULL); /* no byte-wise escapes of multi-byte characters */
    free(t);
}
