/* Exit handlers (hv-core/src: exit.c, the exits directory, inject.c, hypercall.c, port_bus.c, msr_virt.c), each driven
 * directly: a VM on the sim, guest registers set, an exit forced with sim_cpu_set_next_exit_full, one
 * hv_vcpu_step, then registers, RIP, the injected event, stats and kill messages checked. Every handler has
 * a normal and a hostile case. */
#include "core.h"
#include "exits/exits.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "sim_vmcs.h"
#include "testlib.h"

#include <hv/exit_reasons.h>
#include <hv/hypercall.h>
#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <string.h>

#define ENTRY 0x1000ull

struct env {
    struct sim_machine *m;
    struct hv_arch_cpu *a;
    struct hv_cpu cpu;
    struct hv_vm vm;
    char log[64][96];
    unsigned nlog;
};

static void log_cb(void *opaque, unsigned cpu, const char *line)
{
    (void)cpu;
    struct env *e = opaque;
    if (e->nlog < 64)
        snprintf(e->log[e->nlog++], sizeof e->log[0], "%s", line);
}

static struct env *up(const char *profile)
{
    static struct env e; /* one per test process: each case is its own process under ctest */
    memset(&e, 0, sizeof e);
    e.m = sim_machine_create(sim_profile_find(profile), 2048, 1);
    CHECK(e.m != NULL);
    e.a = sim_machine_cpu(e.m, 0);
    sim_machine_set_log(e.m, log_cb, &e);
    CHECK_EQ_U64(hv_cpu_init(&e.cpu, e.a), HV_OK);
    struct hv_vm_config cfg = {.memory_size = 1ull << 20, .mode = HV_GUEST_PROGRAM64, .entry = ENTRY, .stack = 0x8000};
    enum hv_err err = hv_vm_create(&e.vm, &e.cpu, &cfg);
    if (err)
        fprintf(stderr, "hv_vm_create: %s\n", e.vm.message);
    CHECK_EQ_U64(err, HV_OK);
    return &e;
}

static void down(struct env *e)
{
    hv_vm_destroy(&e->vm);
    hv_cpu_fini(&e->cpu);
    CHECK_EQ_U64(sim_pages_in_use(e->m), 0);
    CHECK_EQ_U64(sim_cpu_fault_count(e->a), 0); /* the core never made the host's VMX instructions fault */
    sim_machine_destroy(e->m);
}

static enum hv_step_result step_full(struct env *e, const struct sim_exit *x)
{
    sim_cpu_set_next_exit_full(e->a, x);
    enum hv_step_result r = hv_vcpu_step(&e->vm);
    if (e->a->last_entry.rule)
        fprintf(stderr, "entry check failed: %s\n", e->a->last_entry.rule->name);
    CHECK(e->a->last_entry.rule == NULL); /* every entry (incl. the injected events it carries) passes */
    return r;
}

static enum hv_step_result step(struct env *e, uint32_t reason, uint64_t qual, uint32_t len)
{
    struct sim_exit x = {.reason = reason, .qualification = qual, .instr_len = len};
    return step_full(e, &x);
}

static uint64_t rip(struct env *e)
{
    return hv_vmread(&e->vm, VMCS_GUEST_RIP);
}

static uint32_t injected(struct env *e)
{
    return (uint32_t)hv_vmread(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO);
}

#define HW_EXC(vec) (INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << 8) | (vec))
#define GP0 (HW_EXC(VEC_GP) | INTR_INFO_DELIVER_ERROR_CODE)
#define UD HW_EXC(VEC_UD)

/* A fault was injected and RIP did not move. */
static void check_fault(struct env *e, uint32_t info, uint64_t rip_before)
{
    CHECK_EQ_U64(injected(e), info);
    CHECK_EQ_U64(rip(e), rip_before);
    CHECK(!e->vm.dead);
}

static void check_killed(struct env *e, enum hv_step_result r, const char *needle)
{
    CHECK_EQ_U64(r, HV_STEP_KILLED);
    CHECK(e->vm.dead);
    if (!strstr(e->vm.message, needle))
        fprintf(stderr, "message: %s\n", e->vm.message);
    CHECK(strstr(e->vm.message, needle) != NULL);
}

/* ---- dispatch ------------------------------------------------------------------------------------------ */

TEST_CASE(dispatch_reason_35_undefined_kills)
{
    struct env *e = up("bochs-haswell");
    check_killed(e, step(e, 35, 0, 0), "unexpected exit");
    CHECK(strstr(e->vm.message, "(35)") != NULL);
    down(e);
}

TEST_CASE(dispatch_reason_200_kills)
{
    struct env *e = up("bochs-haswell");
    check_killed(e, step(e, 200, 0, 0), "unexpected exit");
    CHECK(strstr(e->vm.message, "(200)") != NULL);
    down(e);
}

TEST_CASE(dispatch_unhandled_reason_names_it)
{
    struct env *e = up("bochs-haswell");
    check_killed(e, step(e, HV_EXIT_TASK_SWITCH, 0, 0), "unexpected exit Task switch (9)");
    down(e);
}

TEST_CASE(dispatch_every_reason_handled_or_killed)
{
    /* Every basic reason 0..79: a handled one resumes, halts or kills with its own reason; an empty slot
     * kills with "unexpected exit". None crashes. */
    for (uint32_t r = 0; r < HV_EXIT_REASON_LIMIT; r++) {
        struct env *e = up("bochs-haswell");
        enum hv_step_result res = step(e, r, 0, 2);
        if (res == HV_STEP_KILLED)
            CHECK(e->vm.message[0] != 0);
        down(e);
    }
}

TEST_CASE(advance_rip_rejects_bad_instruction_length)
{
    struct env *e = up("bochs-haswell");
    e->vm.gprs.rax = 0;
    check_killed(e, step(e, HV_EXIT_CPUID, 0, 0), "instruction length 0");
    down(e);
}

/* ---- CPUID --------------------------------------------------------------------------------------------- */

TEST_CASE(cpuid_leaf1_hides_vmx_sets_hypervisor)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    e->vm.gprs.rax = 0xdead000000000001ull; /* upper half ignored: leaf 1 */
    e->vm.gprs.rbx = ~0ull;
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rcx & (1u << 5), 0);
    CHECK(e->vm.gprs.rcx & (1u << 31));
    CHECK_EQ_U64(e->vm.gprs.rbx >> 32, 0);
    CHECK_EQ_U64(rip(e), r0 + 2);
    down(e);
}

TEST_CASE(cpuid_hypervisor_leaf_signature)
{
    struct env *e = up("bochs-haswell");
    e->vm.gprs.rax = HV_CPUID_LEAF_SIGNATURE;
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    char sig[13] = {0};
    uint32_t regs[3] = {(uint32_t)e->vm.gprs.rbx, (uint32_t)e->vm.gprs.rcx, (uint32_t)e->vm.gprs.rdx};
    memcpy(sig, regs, 12);
    CHECK_STREQ(sig, "hvkithvkithv");
    CHECK_EQ_U64(e->vm.gprs.rax, HV_CPUID_LEAF_MAX);
    e->vm.gprs.rax = HV_CPUID_LEAF_ABI;
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, HV_HC_ABI_VERSION);
    e->vm.gprs.rax = 0x400000ff; /* unused hypervisor leaf: zeros */
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax | e->vm.gprs.rbx | e->vm.gprs.rcx | e->vm.gprs.rdx, 0);
    down(e);
}

TEST_CASE(cpuid_huge_leaf_is_the_profiles_answer)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    e->vm.gprs.rax = 0xffffffffu;
    e->vm.gprs.rcx = 0xffffffffffffffffull;
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    struct hv_cpuid_regs want;
    hv_arch_cpuid(e->a, 0xffffffffu, 0xffffffffu, &want);
    CHECK_EQ_U64(e->vm.gprs.rax, want.eax);
    CHECK_EQ_U64(e->vm.gprs.rdx, want.edx);
    CHECK_EQ_U64(rip(e), r0 + 2);
    down(e);
}

/* ---- HLT ----------------------------------------------------------------------------------------------- */

TEST_CASE(hlt_ends_run_after_retiring)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(step(e, HV_EXIT_HLT, 0, 1), HV_STEP_HALTED);
    CHECK_EQ_U64(rip(e), r0 + 1);
    CHECK(e->vm.halted);
    CHECK_EQ_U64(hv_vcpu_step(&e->vm), HV_STEP_HALTED); /* stays halted: no entry */
    down(e);
}

TEST_CASE(hlt_with_bad_length_kills)
{
    struct env *e = up("bochs-haswell");
    check_killed(e, step(e, HV_EXIT_HLT, 0, 16), "instruction length 16");
    down(e);
}

/* ---- I/O ----------------------------------------------------------------------------------------------- */

#define IOQ(port, sizeenc, in) (((uint64_t)(port) << 16) | (sizeenc) | ((in) ? 8u : 0u))

struct dev {
    uint32_t last_out, outs, ins;
    uint16_t last_port;
};
static uint32_t dev_in(void *o, uint16_t port, unsigned size)
{
    struct dev *d = o;
    d->ins++;
    d->last_port = port;
    return 0xa5a5a5a5u >> (32 - 8 * size);
}
static void dev_out(void *o, uint16_t port, unsigned size, uint32_t v)
{
    (void)size;
    struct dev *d = o;
    d->outs++;
    d->last_port = port;
    d->last_out = v;
}

TEST_CASE(io_claimed_port_in_and_out)
{
    struct env *e = up("bochs-haswell");
    struct dev d = {0};
    struct hv_port_range r = {.first = 0x3f8, .last = 0x3ff, .in = dev_in, .out = dev_out, .opaque = &d};
    CHECK_EQ_U64(hv_vm_add_ports(&e->vm, &r), HV_OK);
    uint64_t r0 = rip(e);
    e->vm.gprs.rax = 0x1122334455667741ull;
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 0, 0), 1), HV_STEP_CONTINUE);
    CHECK_EQ_U64(d.outs, 1);
    CHECK_EQ_U64(d.last_out, 0x41);
    CHECK_EQ_U64(rip(e), r0 + 1);
    e->vm.gprs.rax = 0xffffffffffffffffull;
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f9, 1, 1), 1), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, 0xffffffffffffa5a5ull); /* AX written, the rest kept */
    CHECK_EQ_U64(d.ins, 1);
    CHECK_EQ_U64(e->vm.stats.unclaimed_port_in + e->vm.stats.unclaimed_port_out, 0);
    down(e);
}

TEST_CASE(io_unclaimed_in_reads_ones_out_counted)
{
    struct env *e = up("bochs-haswell");
    e->vm.gprs.rax = 0x1234567800000000ull;
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x60, 3, 1), 1), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, 0xffffffffull); /* 32-bit IN zero-extends */
    e->vm.gprs.rax = 0x1234567800000000ull;
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x60, 0, 1), 1), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, 0x12345678000000ffull);
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x80, 0, 0), 2), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.stats.unclaimed_port_in, 2);
    CHECK_EQ_U64(e->vm.stats.unclaimed_port_out, 1);
    down(e);
}

TEST_CASE(io_size_encoding_2_kills)
{
    struct env *e = up("bochs-haswell");
    check_killed(e, step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 2, 0), 1), "invalid size encoding 2");
    down(e);
}

TEST_CASE(io_string_kills)
{
    struct env *e = up("bochs-haswell");
    check_killed(e, step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 0, 0) | 0x30, 2), "string I/O not supported");
    down(e);
}

TEST_CASE(io_undefined_qualification_bits_kill)
{
    struct env *e = up("bochs-haswell");
    check_killed(e, step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 0, 0) | (1ull << 40), 1), "undefined bits");
    down(e);
}

TEST_CASE(io_straddling_access_is_unclaimed)
{
    struct env *e = up("bochs-haswell");
    struct dev d = {0};
    struct hv_port_range r = {.first = 0x3f8, .last = 0x3ff, .in = dev_in, .out = dev_out, .opaque = &d};
    CHECK_EQ_U64(hv_vm_add_ports(&e->vm, &r), HV_OK);
    CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3fe, 3, 0), 1), HV_STEP_CONTINUE);
    CHECK_EQ_U64(d.outs, 0);
    CHECK_EQ_U64(e->vm.stats.unclaimed_port_out, 1);
    down(e);
}

TEST_CASE(port_bus_add_validates)
{
    struct env *e = up("bochs-haswell");
    struct dev d = {0};
    struct hv_port_range r = {.first = 0x10, .last = 0x1f, .in = dev_in, .opaque = &d};
    CHECK_EQ_U64(hv_vm_add_ports(&e->vm, &r), HV_OK);
    struct hv_port_range overlap = {.first = 0x1f, .last = 0x20, .in = dev_in};
    CHECK_EQ_U64(hv_vm_add_ports(&e->vm, &overlap), HV_ERR_BAD_CONFIG);
    struct hv_port_range backwards = {.first = 0x30, .last = 0x2f, .in = dev_in};
    CHECK_EQ_U64(hv_vm_add_ports(&e->vm, &backwards), HV_ERR_BAD_CONFIG);
    struct hv_port_range nohandler = {.first = 0x40, .last = 0x40};
    CHECK_EQ_U64(hv_vm_add_ports(&e->vm, &nohandler), HV_ERR_BAD_CONFIG);
    for (unsigned i = 1; i < HV_PORT_RANGES_MAX; i++) {
        struct hv_port_range more = {.first = (uint16_t)(0x100 * i), .last = (uint16_t)(0x100 * i), .in = dev_in};
        CHECK_EQ_U64(hv_vm_add_ports(&e->vm, &more), HV_OK);
    }
    struct hv_port_range one_too_many = {.first = 0xff00, .last = 0xffff, .in = dev_in};
    CHECK_EQ_U64(hv_vm_add_ports(&e->vm, &one_too_many), HV_ERR_BAD_CONFIG);
    CHECK_EQ_U64(e->vm.nports, HV_PORT_RANGES_MAX);
    down(e);
}

/* ---- MSRs ---------------------------------------------------------------------------------------------- */

static enum hv_step_result rdmsr(struct env *e, uint32_t msr)
{
    e->vm.gprs.rcx = msr;
    e->vm.gprs.rax = e->vm.gprs.rdx = 0xcccccccccccccccc;
    return step(e, HV_EXIT_RDMSR, 0, 2);
}

static enum hv_step_result wrmsr(struct env *e, uint32_t msr, uint64_t v)
{
    e->vm.gprs.rcx = msr;
    e->vm.gprs.rax = v & 0xffffffffu;
    e->vm.gprs.rdx = v >> 32;
    return step(e, HV_EXIT_WRMSR, 0, 2);
}

TEST_CASE(msr_bitmap_policy)
{
    struct env *e = up("bochs-haswell");
    const uint8_t *bm = hv_vm_page_ptr(&e->vm, e->vm.msr_bitmap);
#define RD_LO(m) ((bm[(m) / 8] >> ((m) % 8)) & 1)
#define WR_LO(m) ((bm[2048 + (m) / 8] >> ((m) % 8)) & 1)
#define WR_HI(m) ((bm[3072 + ((m)-0xc0000000u) / 8] >> (((m)-0xc0000000u) % 8)) & 1)
    CHECK(RD_LO(MSR_IA32_FEATURE_CONTROL) && WR_LO(MSR_IA32_FEATURE_CONTROL));
    CHECK(RD_LO(MSR_IA32_VMX_BASIC) && RD_LO(MSR_IA32_VMX_EXIT_CTLS2));
    CHECK(RD_LO(0x1bu) && WR_LO(0x1bu));
    CHECK(!RD_LO(MSR_IA32_TIME_STAMP_COUNTER) && WR_LO(MSR_IA32_TIME_STAMP_COUNTER));
    CHECK(!RD_LO(MSR_IA32_SYSENTER_CS) && !WR_LO(MSR_IA32_SYSENTER_CS)); /* pass through */
    CHECK(WR_HI(MSR_IA32_EFER));
    CHECK(!WR_HI(MSR_IA32_LSTAR)); /* in the MSR-switch area */
    /* everything the processor does not switch exits: MTRRs, performance counters, thermal control */
    CHECK(RD_LO(0x2ffu) && WR_LO(0x2ffu));   /* IA32_MTRR_DEF_TYPE */
    CHECK(RD_LO(0x186u) && WR_LO(0x186u));   /* IA32_PERFEVTSEL0 */
    CHECK(RD_LO(0x19au) && WR_LO(0x19au));   /* IA32_CLOCK_MODULATION */
    CHECK(RD_LO(0x1fffu) && WR_HI(0xc0001fffu));
    down(e);
}

TEST_CASE(rdmsr_feature_control_locked_and_vmx_hidden)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_FEATURE_CONTROL), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, FEATURE_CONTROL_LOCK);
    CHECK_EQ_U64(e->vm.gprs.rdx, 0);
    CHECK_EQ_U64(rip(e), r0 + 2);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_VMX_BASIC), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0 + 2);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE), 0);
    CHECK_EQ_U64(e->vm.stats.injected_exceptions, 1);
    down(e);
}

TEST_CASE(wrmsr_unknown_msr_gp)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, 0x12345678u, 1), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(rdmsr(e, 0x40000000u), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    /* The hostile-msr finding on Bochs: a guest WRMSR to IA32_MTRR_DEF_TYPE reached the host's register. Now
     * both accesses exit and #GP, and the read loads nothing rather than the host's value. */
    CHECK_EQ_U64(wrmsr(e, 0x2ffu, 0), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(rdmsr(e, 0x2ffu), HV_STEP_CONTINUE); /* rdmsr() fills RAX/RDX with 0xcc.. first */
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(e->vm.gprs.rax, 0xcccccccccccccccc);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_FEATURE_CONTROL, 5), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    down(e);
}

TEST_CASE(wrmsr_vmcs_held_msrs_go_to_guest_fields)
{
    struct env *e = up("bochs-haswell");
    uint64_t host_fs = hv_vmread(&e->vm, VMCS_HOST_FS_BASE);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_FS_BASE, 0x00007fff12345000ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_FS_BASE), 0x00007fff12345000ull);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_HOST_FS_BASE), host_fs);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_SYSENTER_EIP, 0xffffffff81000000ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_SYSENTER_EIP), 0xffffffff81000000ull);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_FS_BASE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, 0x12345000ull);
    CHECK_EQ_U64(e->vm.gprs.rdx, 0x7fffull);
    down(e);
}

TEST_CASE(wrmsr_tsc_sets_the_offset_and_apic_base_starts_at_reset_value)
{
    /* Found by the conformance suite on Bochs: "use TSC offsetting" was never requested, so a guest's TSC
     * write was dropped. And IA32_APIC_BASE read 0 instead of its power-up value (SDM Vol. 3 §11.4.4). */
    struct env *e = up("bochs-haswell");
    CHECK(e->vm.proc & PROC_USE_TSC_OFFSETTING);
    CHECK_EQ_U64(rdmsr(e, 0x1bu), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, 0xfee00900u); /* base FEE00000H, enable (bit 11), BSP (bit 8) */
    CHECK_EQ_U64(e->vm.gprs.rdx, 0);
    uint64_t host = 0;
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_TIME_STAMP_COUNTER, 0x10000000000ull), HV_STEP_CONTINUE);
    hv_arch_rdmsr(e->vm.cpu->arch, MSR_IA32_TIME_STAMP_COUNTER, &host);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_TSC_OFFSET) + host, 0x10000000000ull); /* the sim's TSC stands still */
    CHECK_EQ_U64(hv_guest_tsc(&e->vm), 0x10000000000ull);
    down(e);
}

TEST_CASE(wrmsr_reserved_bits_and_noncanonical_gp)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_FS_BASE, 0x0000800000000000ull), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    uint64_t efer = hv_vmread(&e->vm, VMCS_GUEST_IA32_EFER);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_EFER, efer | (1ull << 1)), HV_STEP_CONTINUE); /* reserved bit 1 */
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_EFER, efer & ~EFER_LME), HV_STEP_CONTINUE); /* LME change with PG=1 */
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_EFER), efer);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_PAT, 0x0007040600070402ull), HV_STEP_CONTINUE); /* type 2 invalid */
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(wrmsr(e, 0x1bu, 0xfee00400ull), HV_STEP_CONTINUE); /* APIC_BASE: x2APIC is hidden */
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(wrmsr(e, 0x1bu, 0xfed00900ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rdmsr(e, 0x1bu), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, 0xfed00900ull);
    down(e);
}

/* ---- control registers ---------------------------------------------------------------------------------- */

#define CRQ(cr, type, gpr) ((uint64_t)(cr) | ((uint64_t)(type) << 4) | ((uint64_t)(gpr) << 8))

TEST_CASE(mov_to_cr4_updates_shadow_and_forces_vmxe)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    uint64_t cr4 = hv_guest_cr4_view(&e->vm);
    e->vm.gprs.rbx = cr4 | CR4_OSXSAVE;
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(4, 0, 3), 3), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_guest_cr4_view(&e->vm), cr4 | CR4_OSXSAVE);
    CHECK(hv_vmread(&e->vm, VMCS_GUEST_CR4) & CR4_VMXE);
    CHECK(hv_vmread(&e->vm, VMCS_GUEST_CR4) & CR4_OSXSAVE);
    CHECK_EQ_U64(rip(e), r0 + 3);
    down(e);
}

TEST_CASE(mov_to_cr4_reserved_or_vmxe_gp)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e), cr4 = hv_guest_cr4_view(&e->vm);
    e->vm.gprs.rbx = cr4 | (1ull << 31);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(4, 0, 3), 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    e->vm.gprs.rbx = cr4 | CR4_VMXE;
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(4, 0, 3), 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    e->vm.gprs.rbx = cr4 & ~CR4_PAE; /* long mode needs PAE */
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(4, 0, 3), 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(hv_guest_cr4_view(&e->vm), cr4);
    down(e);
}

TEST_CASE(mov_to_cr0_invalid_gp)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e), cr0 = hv_guest_cr0_view(&e->vm);
    e->vm.gprs.rdx = (cr0 | CR0_PG) & ~CR0_PE; /* PG without PE */
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 0, 2), 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    e->vm.gprs.rdx = cr0 & ~CR0_PG; /* clearing PG in 64-bit mode */
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 0, 2), 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    e->vm.gprs.rdx = cr0 | (1ull << 32);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 0, 2), 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    e->vm.gprs.rdx = cr0 | CR0_CD; /* valid */
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 0, 2), 3), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_guest_cr0_view(&e->vm), cr0 | CR0_CD);
    CHECK_EQ_U64(rip(e), r0 + 3);
    down(e);
}

TEST_CASE(clts_and_lmsw)
{
    struct env *e = up("bochs-haswell");
    uint64_t cr0 = hv_guest_cr0_view(&e->vm);
    e->vm.gprs.rax = cr0 | (1ull << 3); /* TS */
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 0, 0), 3), HV_STEP_CONTINUE);
    CHECK(hv_guest_cr0_view(&e->vm) & (1ull << 3));
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 2, 0), 2), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_guest_cr0_view(&e->vm) & (1ull << 3), 0);
    /* LMSW with source 0: MP/EM/TS cleared, PE kept (LMSW cannot clear PE) */
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 3, 0) | (0ull << 16), 3), HV_STEP_CONTINUE);
    CHECK(hv_guest_cr0_view(&e->vm) & CR0_PE);
    CHECK_EQ_U64(hv_guest_cr0_view(&e->vm) & 0xe, 0);
    down(e);
}

TEST_CASE(cr3_and_cr8)
{
    struct env *e = up("bochs-haswell");
    uint64_t cr3 = hv_vmread(&e->vm, VMCS_GUEST_CR3);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(3, 1, 9), 3), HV_STEP_CONTINUE); /* MOV R9, CR3 */
    CHECK_EQ_U64(e->vm.gprs.r9, cr3);
    e->vm.gprs.r10 = 1ull << 60; /* above MAXPHYADDR */
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(3, 0, 10), 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    e->vm.gprs.rsi = 9;
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(8, 0, 6), 4), HV_STEP_CONTINUE);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(8, 1, 7), 4), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rdi, 9);
    e->vm.gprs.rsi = 16; /* CR8 bits 63:4 reserved */
    r0 = rip(e);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(8, 0, 6), 4), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    down(e);
}

TEST_CASE(cr_access_to_cr5_kills)
{
    struct env *e = up("bochs-haswell");
    check_killed(e, step(e, HV_EXIT_CR_ACCESS, CRQ(5, 0, 0), 3), "no such control register");
    down(e);
}

/* ---- VMCALL and guest VMX instructions ----------------------------------------------------------------- */

TEST_CASE(vmcall_version_and_putchar)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    e->vm.gprs.rax = HV_HC_VERSION;
    CHECK_EQ_U64(step(e, HV_EXIT_VMCALL, 0, 3), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, HV_HC_ABI_VERSION);
    CHECK_EQ_U64(rip(e), r0 + 3);
    e->vm.gprs.rax = HV_HC_PUTCHAR;
    e->vm.gprs.rbx = 'A';
    CHECK_EQ_U64(step(e, HV_EXIT_VMCALL, 0, 3), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, 0);
    int found = 0;
    for (unsigned i = 0; i < e->nlog; i++)
        found |= strstr(e->log[i], "guest console: 'A'") != NULL;
    CHECK(found);
    down(e);
}

TEST_CASE(vmcall_unknown_number_enosys)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    e->vm.gprs.rax = 0xffffffffffffffffull;
    CHECK_EQ_U64(step(e, HV_EXIT_VMCALL, 0, 3), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.gprs.rax, HV_HC_ENOSYS);
    CHECK_EQ_U64(rip(e), r0 + 3);
    CHECK(!e->vm.dead);
    down(e);
}

TEST_CASE(vmcall_from_cpl3_eperm)
{
    /* The hypercall layer directly: a VM entry with SS.DPL = 3 and CS.DPL = 0 would fail the entry checks. */
    struct env *e = up("bochs-haswell");
    uint64_t ss_ar = hv_vmread(&e->vm, VMCS_GUEST_SS_AR_BYTES);
    hv_vmwrite(&e->vm, VMCS_GUEST_SS_AR_BYTES, ss_ar | (3u << 5));
    e->vm.gprs.rax = HV_HC_SHUTDOWN;
    CHECK_EQ_U64(hv_hypercall(&e->vm), HV_EXIT_RESUME);
    CHECK_EQ_U64(e->vm.gprs.rax, HV_HC_EPERM);
    hv_vmwrite(&e->vm, VMCS_GUEST_SS_AR_BYTES, ss_ar);
    e->vm.gprs.rax = HV_HC_SHUTDOWN;
    CHECK_EQ_U64(hv_hypercall(&e->vm), HV_EXIT_HALT);
    down(e);
}

TEST_CASE(vmcall_shutdown_ends_run)
{
    struct env *e = up("bochs-haswell");
    e->vm.gprs.rax = HV_HC_SHUTDOWN;
    CHECK_EQ_U64(step(e, HV_EXIT_VMCALL, 0, 3), HV_STEP_HALTED);
    CHECK_EQ_U64(e->vm.gprs.rax, 0);
    CHECK(!e->vm.dead);
    down(e);
}

TEST_CASE(guest_vmx_instructions_get_ud)
{
    static const uint32_t reasons[] = {HV_EXIT_VMXON, HV_EXIT_VMCLEAR, HV_EXIT_VMLAUNCH, HV_EXIT_VMPTRLD,
                                       HV_EXIT_VMPTRST, HV_EXIT_VMREAD, HV_EXIT_VMRESUME, HV_EXIT_VMWRITE,
                                       HV_EXIT_VMXOFF, HV_EXIT_INVEPT, HV_EXIT_INVVPID, HV_EXIT_VMFUNC};
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        CHECK_EQ_U64(step(e, reasons[i], 0, 3), HV_STEP_CONTINUE);
        check_fault(e, UD, r0);
    }
    down(e);
}

/* ---- events -------------------------------------------------------------------------------------------- */

TEST_CASE(exception_pf_reflected_with_cr2)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    struct sim_exit x = {.reason = HV_EXIT_EXCEPTION_NMI, .qualification = 0xdeadb000,
                         .intr_info = INTR_INFO_VALID | INTR_INFO_DELIVER_ERROR_CODE | (3u << 8) | VEC_PF,
                         .intr_error = 6};
    CHECK_EQ_U64(step_full(e, &x), HV_STEP_CONTINUE);
    check_fault(e, HW_EXC(VEC_PF) | INTR_INFO_DELIVER_ERROR_CODE, r0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE), 6);
    CHECK_EQ_U64(e->vm.gprs.cr2, 0xdeadb000);
    down(e);
}

TEST_CASE(exception_bp_software_reinjected_with_length)
{
    struct env *e = up("bochs-haswell");
    struct sim_exit x = {.reason = HV_EXIT_EXCEPTION_NMI, .instr_len = 1,
                         .intr_info = INTR_INFO_VALID | (INTR_TYPE_SW_EXCEPTION << 8) | 3};
    CHECK_EQ_U64(step_full(e, &x), HV_STEP_CONTINUE);
    CHECK_EQ_U64(injected(e), INTR_INFO_VALID | (INTR_TYPE_SW_EXCEPTION << 8) | 3);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_INSTRUCTION_LENGTH), 1);
    down(e);
}

TEST_CASE(exception_mc_and_invalid_info_kill)
{
    struct env *e = up("bochs-haswell");
    struct sim_exit x = {.reason = HV_EXIT_EXCEPTION_NMI, .intr_info = INTR_INFO_VALID | (3u << 8) | 18};
    check_killed(e, step_full(e, &x), "machine check");
    down(e);
    e = up("bochs-haswell");
    struct sim_exit y = {.reason = HV_EXIT_EXCEPTION_NMI, .intr_info = 0};
    check_killed(e, step_full(e, &y), "without valid");
    down(e);
}

TEST_CASE(nmi_external_interrupt_timer_resume)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    struct sim_exit nmi = {.reason = HV_EXIT_EXCEPTION_NMI, .intr_info = INTR_INFO_VALID | (2u << 8) | 2};
    CHECK_EQ_U64(step_full(e, &nmi), HV_STEP_CONTINUE);
    struct sim_exit ext = {.reason = HV_EXIT_EXTERNAL_INTERRUPT, .intr_info = INTR_INFO_VALID | 0x30};
    CHECK_EQ_U64(step_full(e, &ext), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.stats.external_interrupts, 1);
    CHECK_EQ_U64(step(e, HV_EXIT_PREEMPTION_TIMER, 0, 0), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rip(e), r0);
    CHECK_EQ_U64(injected(e) & INTR_INFO_VALID, 0);
    down(e);
}

TEST_CASE(triple_fault_kills)
{
    struct env *e = up("bochs-haswell");
    check_killed(e, step(e, HV_EXIT_TRIPLE_FAULT, 0, 0), "triple fault");
    down(e);
}

TEST_CASE(inject_error_code_exactly_for_the_right_vectors)
{
    struct env *e = up("bochs-haswell");
    for (unsigned v = 0; v < 32; v++) {
        if (v == 2 || v == 18)
            continue;
        hv_vmwrite(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO, 0);
        hv_inject_exception(&e->vm, (uint8_t)v, true, 0);
        bool ec = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
        CHECK_EQ_U64((injected(e) & INTR_INFO_DELIVER_ERROR_CODE) != 0, ec);
        CHECK_EQ_U64(INTR_INFO_TYPE(injected(e)), INTR_TYPE_HW_EXCEPTION);
    }
    /* #GP pending, then #PF: contributory + page fault is benign-ordered? no: #GP then #PF -> #PF dropped
     * is wrong; SDM Table 6-5: first contributory, second page fault -> handle serially (first stands). */
    hv_vmwrite(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO, 0);
    hv_inject_gp0(&e->vm);
    hv_inject_exception(&e->vm, VEC_PF, true, 2);
    CHECK_EQ_U64(injected(e), GP0);
    /* #PF pending, then #GP: double fault */
    hv_vmwrite(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO, 0);
    hv_inject_exception(&e->vm, VEC_PF, true, 2);
    hv_inject_gp0(&e->vm);
    CHECK_EQ_U64(injected(e), HW_EXC(8) | INTR_INFO_DELIVER_ERROR_CODE);
    /* #DF pending, then #GP: triple fault */
    hv_inject_gp0(&e->vm);
    CHECK(e->vm.dead);
    CHECK(strstr(e->vm.message, "triple fault") != NULL);
    down(e);
}

/* ---- XSETBV, caches, TSC ------------------------------------------------------------------------------- */

static void enable_osxsave(struct env *e)
{
    e->vm.gprs.rbx = hv_guest_cr4_view(&e->vm) | CR4_OSXSAVE;
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(4, 0, 3), 3), HV_STEP_CONTINUE);
}

TEST_CASE(xsetbv_valid_and_invalid)
{
    struct env *e = up("bochs-haswell");
    enable_osxsave(e);
    uint64_t r0 = rip(e);
    e->vm.gprs.rcx = 0;
    e->vm.gprs.rax = 3; /* x87 | SSE */
    e->vm.gprs.rdx = 0;
    CHECK_EQ_U64(step(e, HV_EXIT_XSETBV, 0, 3), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.xcr0, 3);
    CHECK_EQ_U64(rip(e), r0 + 3);
    r0 = rip(e);
    e->vm.gprs.rcx = 1; /* no XCR1 */
    CHECK_EQ_U64(step(e, HV_EXIT_XSETBV, 0, 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    e->vm.gprs.rcx = 0;
    e->vm.gprs.rax = 2; /* no x87 */
    CHECK_EQ_U64(step(e, HV_EXIT_XSETBV, 0, 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    e->vm.gprs.rax = 5; /* AVX without SSE */
    CHECK_EQ_U64(step(e, HV_EXIT_XSETBV, 0, 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    e->vm.gprs.rax = 1;
    e->vm.gprs.rdx = 0x80000000u; /* unsupported bit 63 */
    CHECK_EQ_U64(step(e, HV_EXIT_XSETBV, 0, 3), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(e->vm.xcr0, 3);
    down(e);
}

TEST_CASE(xsetbv_without_osxsave_ud)
{
    struct env *e = up("bochs-haswell");
    if (hv_guest_cr4_view(&e->vm) & CR4_OSXSAVE) { /* start from OSXSAVE = 0 */
        e->vm.gprs.rbx = hv_guest_cr4_view(&e->vm) & ~CR4_OSXSAVE;
        CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(4, 0, 3), 3), HV_STEP_CONTINUE);
    }
    {
        uint64_t r0 = rip(e);
        e->vm.gprs.rax = 3;
        e->vm.gprs.rcx = 0;
        CHECK_EQ_U64(step(e, HV_EXIT_XSETBV, 0, 3), HV_STEP_CONTINUE);
        check_fault(e, UD, r0);
    }
    down(e);
}

TEST_CASE(invd_wbinvd_retire)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(step(e, HV_EXIT_INVD, 0, 2), HV_STEP_CONTINUE);
    CHECK_EQ_U64(step(e, HV_EXIT_WBINVD, 0, 2), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rip(e), r0 + 4);
    check_killed(e, step(e, HV_EXIT_WBINVD, 0, 99), "instruction length 99");
    down(e);
}

TEST_CASE(rdtsc_rdtscp_virtual_tsc)
{
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    e->vm.gprs.rax = e->vm.gprs.rdx = ~0ull;
    CHECK_EQ_U64(step(e, HV_EXIT_RDTSC, 0, 2), HV_STEP_CONTINUE);
    uint64_t want = hv_guest_tsc(&e->vm);
    CHECK_EQ_U64((e->vm.gprs.rdx << 32) | e->vm.gprs.rax, want);
    CHECK_EQ_U64(rip(e), r0 + 2);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_TSC_AUX, 7), HV_STEP_CONTINUE);
    r0 = rip(e);
    CHECK_EQ_U64(step(e, HV_EXIT_RDTSCP, 0, 3), HV_STEP_CONTINUE);
    if ((e->vm.proc & PROC_ACTIVATE_SECONDARY_CONTROLS) && (e->vm.proc2 & PROC2_ENABLE_RDTSCP)) {
        CHECK_EQ_U64(e->vm.gprs.rcx, 7);
        CHECK_EQ_U64(rip(e), r0 + 3);
    } else {
        check_fault(e, UD, r0);
    }
    down(e);
}

TEST_CASE(rdtscp_without_enable_rdtscp_ud)
{
    struct env *e = up("bochs-haswell");
    e->vm.proc2 &= ~PROC2_ENABLE_RDTSCP; /* as on a processor without "enable RDTSCP" */
    hv_vmwrite(&e->vm, VMCS_SECONDARY_PROC_BASED_VM_EXEC_CONTROL, e->vm.proc2);
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(step(e, HV_EXIT_RDTSCP, 0, 3), HV_STEP_CONTINUE);
    check_fault(e, UD, r0);
    down(e);
}

TEST_CASE(advance_rip_single_step_and_sti_blocking)
{
    struct env *e = up("bochs-haswell");
    uint64_t fl = hv_vmread(&e->vm, VMCS_GUEST_RFLAGS);
    hv_vmwrite(&e->vm, VMCS_GUEST_RFLAGS, fl | RFLAGS_TF);
    e->vm.gprs.rax = 0;
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    CHECK(hv_vmread(&e->vm, VMCS_GUEST_PENDING_DBG_EXCEPTIONS) & PENDING_DBG_BS);
    hv_vmwrite(&e->vm, VMCS_GUEST_RFLAGS, fl | RFLAGS_IF); /* STI blocking needs IF = 1 (SDM §27.3.1.5) */
    hv_vmwrite(&e->vm, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
    hv_vmwrite(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_STI);
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE) & INTERRUPTIBILITY_STI, 0);
    down(e);
}

TEST_CASE(handlers_on_every_ept_profile)
{
    static const char *const profiles[] = {"bochs-haswell", "bochs-skylake-x", "bochs-sandybridge", "max"};
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        struct env *e = up(profiles[i]);
        uint64_t r0 = rip(e);
        e->vm.gprs.rax = 1;
        CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
        CHECK(e->vm.gprs.rcx & (1u << 31));
        CHECK_EQ_U64(step(e, HV_EXIT_IO_INSTRUCTION, IOQ(0x3f8, 0, 0), 1), HV_STEP_CONTINUE);
        CHECK_EQ_U64(wrmsr(e, 0x12345678u, 0), HV_STEP_CONTINUE);
        check_fault(e, GP0, r0 + 3);
        e->vm.gprs.rax = HV_HC_VERSION;
        CHECK_EQ_U64(step(e, HV_EXIT_VMCALL, 0, 3), HV_STEP_CONTINUE);
        CHECK_EQ_U64(e->vm.gprs.rax, HV_HC_ABI_VERSION);
        CHECK_EQ_U64(step(e, HV_EXIT_HLT, 0, 1), HV_STEP_HALTED);
        CHECK_EQ_U64(rip(e), r0 + 7);
        down(e);
    }
}

/* ---- the MSR policy, MSR by MSR (msr_virt.c's table) ----------------------------------------------------- */

static uint64_t msr_value(struct env *e)
{
    return (e->vm.gprs.rdx << 32) | (e->vm.gprs.rax & 0xffffffffull);
}

TEST_CASE(msr_smm_monitor_ctl_reads_0_and_write_gp)
{
    /* No dual-monitor treatment for guests: IA32_SMM_MONITOR_CTL reads 0 (valid bit 0 clear, SDM Vol. 3
     * §33.15.5) and a write #GPs. */
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_SMM_MONITOR_CTL), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0);
    CHECK_EQ_U64(rip(e), r0 + 2);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_SMM_MONITOR_CTL, 1), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0 + 2);
    down(e);
}

TEST_CASE(msr_bios_updt_trig_write_dropped_read_gp)
{
    /* A guest's microcode update trigger (SDM Vol. 3 §10.11.6) is dropped: WRMSR retires, nothing reaches
     * the host; the MSR is write-only, so RDMSR #GPs (SDM Vol. 4 Table 2-2). */
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_BIOS_UPDT_TRIG, 0x100000ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rip(e), r0 + 2);
    CHECK_EQ_U64(injected(e) & INTR_INFO_VALID, 0);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_BIOS_UPDT_TRIG), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0 + 2);
    down(e);
}

TEST_CASE(msr_x2apic_range_gp_both_ways)
{
    /* x2APIC is hidden (CPUID.1:ECX[21] = 0, IA32_APIC_BASE.EXTD reserved): the x2APIC MSRs 800H-8FFH #GP on
     * RDMSR and WRMSR (SDM Vol. 3 §11.12.1.3). */
    static const uint32_t msrs[] = {MSR_IA32_X2APIC_FIRST, 0x802u /* APIC ID */, 0x808u /* TPR */,
                                    MSR_IA32_X2APIC_LAST};
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    for (size_t i = 0; i < sizeof msrs / sizeof msrs[0]; i++) {
        CHECK_EQ_U64(rdmsr(e, msrs[i]), HV_STEP_CONTINUE);
        check_fault(e, GP0, r0);
        CHECK_EQ_U64(e->vm.gprs.rax, 0xcccccccccccccccc);
        CHECK_EQ_U64(wrmsr(e, msrs[i], 0), HV_STEP_CONTINUE);
        check_fault(e, GP0, r0);
    }
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_VMX_BASIC, 0), HV_STEP_CONTINUE); /* read-only and hidden */
    check_fault(e, GP0, r0);
    down(e);
}

TEST_CASE(msr_misc_enable_only_writable_bits_change)
{
    /* IA32_MISC_ENABLE (SDM Vol. 4 Table 2-2): fast strings (bit 0) is writable; bit 7 "performance
     * monitoring available" is read-only, so flipping it #GPs and the value stays. */
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(rdmsr(e, 0x1a0u), HV_STEP_CONTINUE);
    uint64_t misc = msr_value(e);
    CHECK_EQ_U64(misc, e->vm.guest_misc_enable);
    CHECK_EQ_U64(wrmsr(e, 0x1a0u, misc ^ 1u), HV_STEP_CONTINUE);
    CHECK_EQ_U64(injected(e) & INTR_INFO_VALID, 0);
    CHECK_EQ_U64(rdmsr(e, 0x1a0u), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), misc ^ 1u);
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, 0x1a0u, misc ^ 1u ^ (1u << 7)), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(e->vm.guest_misc_enable, misc ^ 1u);
    down(e);
}

TEST_CASE(msr_debugctl_lbr_btf_only)
{
    /* IA32_DEBUGCTL (SDM Vol. 3 §19.4.1): LBR and BTF go to the VMCS guest field (VM entry loads it,
     * §27.3.2.1); TR (bit 6, branch trace messages to the host's buses) is refused with #GP. */
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(wrmsr(e, 0x1d9u, 3), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_DEBUGCTL), 3);
    CHECK_EQ_U64(rdmsr(e, 0x1d9u), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 3);
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, 0x1d9u, 1u << 6), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_DEBUGCTL), 3);
    down(e);
}

TEST_CASE(msr_sysenter_and_bases_round_trip_through_the_vmcs)
{
    /* Passed-through MSRs whose exit the sim forces anyway: the handler still uses the VMCS guest fields
     * (SDM Vol. 3 §27.3.2.1, §28.3.1), never the host's MSR. SYSENTER_CS is 32 bits in the VMCS. */
    struct env *e = up("bochs-haswell");
    uint64_t host_cs = hv_vmread(&e->vm, VMCS_HOST_IA32_SYSENTER_CS);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_SYSENTER_CS, 0x1234567800000010ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_SYSENTER_CS), 0x10);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_HOST_IA32_SYSENTER_CS), host_cs);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_SYSENTER_ESP, 0xffff800000001000ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_GS_BASE, 0x00007f0000002000ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_SYSENTER_CS), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0x10);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_SYSENTER_ESP), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0xffff800000001000ull);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_SYSENTER_EIP, 0xffffffff81000000ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_SYSENTER_EIP), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0xffffffff81000000ull);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_GS_BASE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0x00007f0000002000ull);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_GS_BASE), 0x00007f0000002000ull);
    /* non-canonical SYSENTER_ESP / GS_BASE: WRMSR #GP (SDM Vol. 2 WRMSR), the field keeps its value */
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_SYSENTER_ESP, 0x0000800000000000ull), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_GS_BASE, 0x8000000000000000ull), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_SYSENTER_ESP), 0xffff800000001000ull);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_GS_BASE), 0x00007f0000002000ull);
    down(e);
}

TEST_CASE(msr_tsc_read_is_the_offset_guest_tsc)
{
    /* RDMSR IA32_TIME_STAMP_COUNTER with "use TSC offsetting" returns host TSC + offset (SDM Vol. 3 §26.3),
     * like RDTSC: after a guest write of T it reads T on the sim, whose TSC stands still. */
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_TIME_STAMP_COUNTER, 0x123456789ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_TIME_STAMP_COUNTER), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0x123456789ull);
    CHECK_EQ_U64(msr_value(e), hv_guest_tsc(&e->vm));
    down(e);
}

TEST_CASE(msr_tsc_write_without_offsetting_leaves_the_host_tsc)
{
    /* Without "use TSC offsetting" the guest's TSC write is dropped: WRMSR retires, neither the TSC offset
     * nor the host's TSC changes (the host TSC is not the guest's to set). */
    struct env *e = up("bochs-haswell");
    e->vm.proc &= ~PROC_USE_TSC_OFFSETTING;
    hv_vmwrite(&e->vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL, e->vm.proc);
    uint64_t host0 = 0, host1 = 0, off0 = hv_vmread(&e->vm, VMCS_TSC_OFFSET);
    hv_arch_rdmsr(e->a, MSR_IA32_TIME_STAMP_COUNTER, &host0);
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_TIME_STAMP_COUNTER, 0xabcdef0000ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rip(e), r0 + 2);
    CHECK_EQ_U64(injected(e) & INTR_INFO_VALID, 0);
    hv_arch_rdmsr(e->a, MSR_IA32_TIME_STAMP_COUNTER, &host1);
    CHECK_EQ_U64(host1, host0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_TSC_OFFSET), off0);
    down(e);
}

TEST_CASE(msr_tsc_aux_bits_63_32_reserved)
{
    /* IA32_TSC_AUX: bits 63:32 reserved, WRMSR #GP (SDM Vol. 4 Table 2-2); the low half round-trips through
     * the VM-entry MSR-load area slot (or the core's copy without RDTSCP). */
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_TSC_AUX, 0xfffffffeull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_TSC_AUX), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0xfffffffeull);
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_TSC_AUX, 1ull << 32), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_TSC_AUX), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0xfffffffeull);
    down(e);
}

TEST_CASE(msr_tsc_aux_without_rdtscp_is_kept_by_the_core)
{
    /* On a processor without "enable RDTSCP" the MSR-switch areas have no TSC_AUX entry (vmcs_setup.c puts
     * it last, and only with RDTSCP): the guest's value is then kept by the core, never written to the
     * host's MSR, and read back. Here the areas are cut before that last entry, as such a VM has them. */
    struct env *e = up("bochs-haswell");
    CHECK(hv_msr_area_slot(&e->vm, MSR_IA32_TSC_AUX) != NULL);
    e->vm.msr_area_count--;
    hv_vmwrite(&e->vm, VMCS_VM_ENTRY_MSR_LOAD_COUNT, e->vm.msr_area_count);
    hv_vmwrite(&e->vm, VMCS_VM_EXIT_MSR_STORE_COUNT, e->vm.msr_area_count);
    hv_vmwrite(&e->vm, VMCS_VM_EXIT_MSR_LOAD_COUNT, e->vm.msr_area_count);
    CHECK(hv_msr_area_slot(&e->vm, MSR_IA32_TSC_AUX) == NULL);
    uint64_t host = 0;
    hv_arch_rdmsr(e->a, MSR_IA32_TSC_AUX, &host);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_TSC_AUX, 0x42), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.tsc_aux, 0x42);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_TSC_AUX), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0x42);
    uint64_t host1 = 0;
    hv_arch_rdmsr(e->a, MSR_IA32_TSC_AUX, &host1);
    CHECK_EQ_U64(host1, host);
    down(e);
}

TEST_CASE(msr_pat_valid_types_round_trip_invalid_gp)
{
    /* IA32_PAT (SDM Vol. 3 §13.12.2): each entry one of UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7; 2, 3 and 8-FFH
     * are reserved and WRMSR #GPs. A valid value goes to the VMCS guest field ("load IA32_PAT"). */
    struct env *e = up("bochs-haswell");
    CHECK(e->vm.entry_ctls & ENTRY_LOAD_IA32_PAT);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_PAT), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0x0007040600070406ull); /* the power-up value (§13.12.4) */
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_PAT, 0x0706050401000601ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_PAT), 0x0706050401000601ull);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_PAT), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0x0706050401000601ull);
    uint64_t r0 = rip(e);
    static const uint64_t bad[] = {0x0000000000000003ull, 0x0800000000000000ull, 0x00000000000000ffull};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ_U64(wrmsr(e, MSR_IA32_PAT, bad[i]), HV_STEP_CONTINUE);
        check_fault(e, GP0, r0);
    }
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_PAT), 0x0706050401000601ull);
    down(e);
}

TEST_CASE(msr_pat_and_efer_without_vmcs_fields_gp)
{
    /* On a processor without "load IA32_PAT" / "load IA32_EFER" (and no MSR-area slot for them) the core has
     * nowhere to keep the guest's value: RDMSR and WRMSR #GP rather than expose or change the host's. */
    struct env *e = up("bochs-haswell");
    e->vm.entry_ctls &= ~(ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER);
    uint64_t host_pat = hv_vmread(&e->vm, VMCS_HOST_IA32_PAT), r0 = rip(e);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_PAT), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_PAT, 0x0606060606060606ull), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_EFER), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_EFER, EFER_LME | EFER_LMA), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_HOST_IA32_PAT), host_pat);
    down(e);
}

TEST_CASE(msr_syscall_msrs_live_in_the_switch_area)
{
    /* STAR/LSTAR/CSTAR/FMASK/KERNEL_GS_BASE have no VMCS field: the VM-entry MSR-load area holds the guest's
     * value (SDM Vol. 3 §25.7.2, §27.4). LSTAR, CSTAR and KERNEL_GS_BASE hold addresses: a non-canonical one
     * #GPs (SDM Vol. 2 WRMSR); STAR and FMASK take any value. */
    static const uint32_t addr_msrs[] = {MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_KERNEL_GS_BASE};
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    for (size_t i = 0; i < sizeof addr_msrs / sizeof addr_msrs[0]; i++) {
        uint64_t *slot = hv_msr_area_slot(&e->vm, addr_msrs[i]);
        CHECK(slot != NULL);
        CHECK_EQ_U64(wrmsr(e, addr_msrs[i], 0xffffffff80001000ull + i), HV_STEP_CONTINUE);
        CHECK_EQ_U64(*slot, 0xffffffff80001000ull + i);
        CHECK_EQ_U64(rdmsr(e, addr_msrs[i]), HV_STEP_CONTINUE);
        CHECK_EQ_U64(msr_value(e), 0xffffffff80001000ull + i);
        r0 = rip(e);
        CHECK_EQ_U64(wrmsr(e, addr_msrs[i], 0x0001000000000000ull), HV_STEP_CONTINUE);
        check_fault(e, GP0, r0);
        CHECK_EQ_U64(*slot, 0xffffffff80001000ull + i);
    }
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_STAR, 0x0023001000000000ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(*hv_msr_area_slot(&e->vm, MSR_IA32_STAR), 0x0023001000000000ull);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_FMASK, 0x47700ull), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_FMASK), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), 0x47700ull);
    down(e);
}

TEST_CASE(msr_efer_write_keeps_lma_and_checks_features)
{
    /* WRMSR IA32_EFER (SDM Vol. 3 §10.8.5, Vol. 2 WRMSR): LMA is read-only (a written 0 is ignored); SCE and
     * NXE may change while paging is on; LME may not (#GP). */
    struct env *e = up("bochs-haswell");
    uint64_t efer = hv_vmread(&e->vm, VMCS_GUEST_IA32_EFER);
    CHECK(efer & EFER_LMA);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_EFER, (efer & ~EFER_LMA) ^ EFER_NXE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(injected(e) & INTR_INFO_VALID, 0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_EFER), efer ^ EFER_NXE);
    CHECK_EQ_U64(rdmsr(e, MSR_IA32_EFER), HV_STEP_CONTINUE);
    CHECK_EQ_U64(msr_value(e), efer ^ EFER_NXE);
    down(e);
}

TEST_CASE(msr_apic_base_beyond_maxphyaddr_gp)
{
    /* IA32_APIC_BASE bits MAXPHYADDR-1:12 are the base; bits above MAXPHYADDR are reserved (SDM Vol. 3
     * §11.4.4 Figure 11-5): WRMSR #GP, value kept. */
    struct env *e = up("bochs-haswell");
    unsigned w = hv_cpu_addr_width(&e->vm, false);
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, 0x1bu, (1ull << w) | 0x900u), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(wrmsr(e, 0x1bu, 0xfee00001ull), HV_STEP_CONTINUE); /* reserved bit 0 */
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(e->vm.guest_apic_base, 0xfee00900ull);
    down(e);
}

/* ---- control registers: mode transitions of a real-mode guest (unrestricted guest) ---------------------- */

static struct env *up_real(const char *profile)
{
    static struct env e;
    memset(&e, 0, sizeof e);
    e.m = sim_machine_create(sim_profile_find(profile), 2048, 1);
    CHECK(e.m != NULL);
    e.a = sim_machine_cpu(e.m, 0);
    sim_machine_set_log(e.m, log_cb, &e);
    CHECK_EQ_U64(hv_cpu_init(&e.cpu, e.a), HV_OK);
    struct hv_vm_config cfg = {.memory_size = 1ull << 20, .mode = HV_GUEST_REAL_MODE, .entry = 0x7c00, .stack = 0x7000};
    CHECK_EQ_U64(hv_vm_create(&e.vm, &e.cpu, &cfg), HV_OK);
    return &e;
}

/* MOV to CRn from RAX with the value v (qualification: SDM Vol. 3 §28.2.1 Table 28-3). */
static enum hv_step_result mov_to_cr(struct env *e, unsigned cr, uint64_t v)
{
    e->vm.gprs.rax = v;
    return step(e, HV_EXIT_CR_ACCESS, CRQ(cr, 0, 0), 3);
}

static void write_pdptes(struct env *e, uint64_t gpa, uint64_t p0, uint64_t p1, uint64_t p2, uint64_t p3)
{
    uint64_t t[4] = {p0, p1, p2, p3};
    CHECK(hv_gpa_write(&e->vm, gpa, t, sizeof t));
}

TEST_CASE(cr_real_mode_guest_sets_pe)
{
    /* With "unrestricted guest" CR0.PE and PG are the guest's own (SDM Vol. 3 §27.3.1.1): a real-mode guest
     * setting PE runs with PE = 1 and reads it back. */
    struct env *e = up_real("bochs-haswell");
    uint64_t cr0 = hv_guest_cr0_view(&e->vm), r0 = rip(e);
    CHECK_EQ_U64(cr0 & (CR0_PE | CR0_PG), 0);
    CHECK_EQ_U64(mov_to_cr(e, 0, cr0 | CR0_PE), HV_STEP_CONTINUE);
    CHECK(hv_vmread(&e->vm, VMCS_GUEST_CR0) & CR0_PE);
    CHECK(hv_guest_cr0_view(&e->vm) & CR0_PE);
    CHECK_EQ_U64(rip(e), r0 + 3);
    e->vm.gprs.rax = 0; /* the next entry runs with PE = 1: CPUID retires */
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    down(e);
}

TEST_CASE(cr_pae_paging_loads_the_pdptes)
{
    /* Enabling PAE paging loads the four PDPTEs from CR3 (SDM Vol. 3 §4.4.1); with EPT the VMCS holds them
     * for VM entry (§27.3.2.4), so the handler must put them there. A PDPTE with P = 1 and a reserved bit
     * (bits 2:1, 8:5, 63:MAXPHYADDR: Table 4-8) makes the MOV #GP, and so does a CR3 that is not memory. */
    struct env *e = up_real("bochs-haswell");
    uint64_t cr0 = hv_guest_cr0_view(&e->vm) | CR0_PE;
    CHECK_EQ_U64(mov_to_cr(e, 0, cr0), HV_STEP_CONTINUE);
    CHECK_EQ_U64(mov_to_cr(e, 4, hv_guest_cr4_view(&e->vm) | CR4_PAE), HV_STEP_CONTINUE);
    write_pdptes(e, 0x10000, 0x11001, 0, 0x13001, 0);
    write_pdptes(e, 0x10020, 0x11001, 0x12003, 0, 0); /* bit 1 (reserved in a PDPTE) with P = 1 */
    CHECK_EQ_U64(mov_to_cr(e, 3, 0x10000), HV_STEP_CONTINUE); /* paging off: nothing loaded yet */
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_CR3), 0x10000);
    CHECK_EQ_U64(mov_to_cr(e, 0, cr0 | CR0_PG), HV_STEP_CONTINUE);
    CHECK(hv_vmread(&e->vm, VMCS_GUEST_CR0) & CR0_PG);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_PDPTE0), 0x11001);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_PDPTE1), 0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_PDPTE2), 0x13001);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_PDPTE3), 0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST, 0);
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(mov_to_cr(e, 3, 0x10020), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_CR3), 0x10000);
    CHECK_EQ_U64(mov_to_cr(e, 3, 0x40000000), HV_STEP_CONTINUE); /* 1 GiB: beyond the VM's 1 MiB of RAM */
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_PDPTE2), 0x13001);
    /* MOV to CR3 reloads them (§4.4.1) */
    write_pdptes(e, 0x10040, 0x14001, 0x15001, 0x16001, 0x17001);
    CHECK_EQ_U64(mov_to_cr(e, 3, 0x10040), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_PDPTE3), 0x17001);
    /* so does a change of CR4.PGE/PSE/SMEP under PAE paging, and of CR0.CD/NW (§4.4.1) */
    write_pdptes(e, 0x10040, 0x18001, 0x15001, 0x16001, 0x17001);
    CHECK_EQ_U64(mov_to_cr(e, 4, hv_guest_cr4_view(&e->vm) | (1ull << 7)), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_PDPTE0), 0x18001);
    write_pdptes(e, 0x10040, 0x19001, 0x15001, 0x16001, 0x17001);
    CHECK_EQ_U64(mov_to_cr(e, 0, hv_guest_cr0_view(&e->vm) | CR0_CD), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_PDPTE0), 0x19001);
    write_pdptes(e, 0x10040, 0x19003, 0x15001, 0x16001, 0x17001); /* now reserved: CR4 change #GPs */
    r0 = rip(e);
    CHECK_EQ_U64(mov_to_cr(e, 4, hv_guest_cr4_view(&e->vm) & ~(1ull << 7)), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK(hv_guest_cr4_view(&e->vm) & (1ull << 7));
    CHECK_EQ_U64(mov_to_cr(e, 0, hv_guest_cr0_view(&e->vm) & ~CR0_CD), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK(hv_guest_cr0_view(&e->vm) & CR0_CD);
    down(e);
}

TEST_CASE(cr_long_mode_activation_and_deactivation)
{
    /* IA-32e mode: with EFER.LME = 1 and CR4.PAE = 1, setting CR0.PG sets EFER.LMA (SDM Vol. 3 §10.8.5), and
     * VM entry needs "IA-32e mode guest" = LMA (§27.3.1.1): the handler sets both; clearing PG (outside
     * 64-bit mode) clears both. Each following VM entry passes the checks. */
    struct env *e = up_real("bochs-haswell");
    CHECK(e->vm.entry_ctls & ENTRY_LOAD_IA32_EFER);
    uint64_t cr0 = hv_guest_cr0_view(&e->vm) | CR0_PE;
    CHECK_EQ_U64(mov_to_cr(e, 0, cr0), HV_STEP_CONTINUE);
    CHECK_EQ_U64(mov_to_cr(e, 4, hv_guest_cr4_view(&e->vm) | CR4_PAE), HV_STEP_CONTINUE);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_EFER, EFER_LME), HV_STEP_CONTINUE); /* allowed while PG = 0 */
    CHECK_EQ_U64(injected(e) & INTR_INFO_VALID, 0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_EFER), EFER_LME);
    CHECK_EQ_U64(mov_to_cr(e, 3, 0x20000), HV_STEP_CONTINUE); /* a PML4: LME = 1 is not PAE paging */
    CHECK_EQ_U64(mov_to_cr(e, 0, cr0 | CR0_PG), HV_STEP_CONTINUE);
    CHECK_EQ_U64(injected(e) & INTR_INFO_VALID, 0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_EFER), EFER_LME | EFER_LMA);
    CHECK(e->vm.entry_ctls & ENTRY_IA32E_MODE_GUEST);
    CHECK(hv_vmread(&e->vm, VMCS_VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST);
    CHECK(!hv_guest_in_64bit_mode(&e->vm)); /* CS.L = 0: compatibility mode */
    e->vm.gprs.rax = 0;
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE); /* entry as an IA-32e guest passes */
    /* EFER.LME cannot change while paging is on (§10.8.5) */
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_EFER, 0), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    /* CR4.PAE cannot be cleared while IA-32e mode is active (SDM Vol. 2 MOV CR) */
    CHECK_EQ_U64(mov_to_cr(e, 4, hv_guest_cr4_view(&e->vm) & ~CR4_PAE), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    /* leaving IA-32e mode from compatibility mode: PG = 0 clears LMA and the entry control */
    CHECK_EQ_U64(mov_to_cr(e, 0, cr0), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_EFER), EFER_LME);
    CHECK_EQ_U64(e->vm.entry_ctls & ENTRY_IA32E_MODE_GUEST, 0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST, 0);
    e->vm.gprs.rax = 0;
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    down(e);
}

TEST_CASE(cr_long_mode_activation_needs_pae)
{
    /* Setting CR0.PG with EFER.LME = 1 and CR4.PAE = 0 #GPs (SDM Vol. 3 §10.8.5; Vol. 2 MOV CR), and IA-32e
     * mode stays off. */
    struct env *e = up_real("bochs-haswell");
    uint64_t cr0 = hv_guest_cr0_view(&e->vm) | CR0_PE;
    CHECK_EQ_U64(mov_to_cr(e, 0, cr0), HV_STEP_CONTINUE);
    CHECK_EQ_U64(wrmsr(e, MSR_IA32_EFER, EFER_LME), HV_STEP_CONTINUE);
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(mov_to_cr(e, 0, cr0 | CR0_PG), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(hv_guest_cr0_view(&e->vm) & CR0_PG, 0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_IA32_EFER), EFER_LME);
    CHECK_EQ_U64(e->vm.entry_ctls & ENTRY_IA32E_MODE_GUEST, 0);
    down(e);
}

TEST_CASE(cr_pcide_needs_ia32e_mode_and_cr3_pcid_0)
{
    /* CR4.PCIDE 0 -> 1 #GPs outside IA-32e mode, and when CR3[11:0] != 0 (SDM Vol. 3 §4.10.1; Vol. 2 MOV
     * CR). With PCIDE = 1 in 64-bit mode, bit 63 of a MOV to CR3 source is "no flush", not part of CR3
     * (§4.10.4.1). */
    struct env *e = up_real("bochs-haswell");
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(mov_to_cr(e, 4, hv_guest_cr4_view(&e->vm) | CR4_PCIDE), HV_STEP_CONTINUE);
    check_fault(e, HW_EXC(VEC_GP), r0); /* real mode: no error code (SDM Vol. 3 §27.2.1.3, §20.1.4) */
    down(e);

    e = up("bochs-haswell");
    uint64_t cr3 = hv_vmread(&e->vm, VMCS_GUEST_CR3), cr4 = hv_guest_cr4_view(&e->vm);
    CHECK_EQ_U64(cr3 & 0xfff, 0);
    CHECK_EQ_U64(mov_to_cr(e, 3, cr3 | 0x18), HV_STEP_CONTINUE); /* PWT|PCD: CR3[11:0] != 0 */
    r0 = rip(e);
    CHECK_EQ_U64(mov_to_cr(e, 4, cr4 | CR4_PCIDE), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(mov_to_cr(e, 3, cr3), HV_STEP_CONTINUE);
    CHECK_EQ_U64(mov_to_cr(e, 4, cr4 | CR4_PCIDE), HV_STEP_CONTINUE);
    CHECK(hv_guest_cr4_view(&e->vm) & CR4_PCIDE);
    CHECK_EQ_U64(mov_to_cr(e, 3, cr3 | 5 | (1ull << 63)), HV_STEP_CONTINUE); /* PCID 5, no flush */
    CHECK_EQ_U64(injected(e) & INTR_INFO_VALID, 0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_CR3), cr3 | 5);
    e->vm.gprs.rax = 0;
    CHECK_EQ_U64(step(e, HV_EXIT_CPUID, 0, 2), HV_STEP_CONTINUE);
    down(e);
}

TEST_CASE(cr4_la57_cannot_change_in_ia32e_mode)
{
    /* CR4.LA57 cannot be changed while IA-32e mode is active (SDM Vol. 2 MOV CR: #GP). On the max profile
     * the processor has LA57 (IA32_VMX_CR4_FIXED1 bit 12), so only the mode rule refuses it. */
    struct env *e = up("max");
    uint64_t fixed1 = 0;
    CHECK(hv_arch_rdmsr(e->a, MSR_IA32_VMX_CR4_FIXED1, &fixed1));
    CHECK(fixed1 & CR4_LA57);
    uint64_t r0 = rip(e), cr4 = hv_guest_cr4_view(&e->vm);
    CHECK_EQ_U64(mov_to_cr(e, 4, cr4 | CR4_LA57), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(hv_guest_cr4_view(&e->vm), cr4);
    down(e);
}

TEST_CASE(cr0_nw_without_cd_gp_and_reads_return_the_shadows)
{
    /* MOV to CR0 with NW = 1 and CD = 0 #GPs (SDM Vol. 2 MOV CR). A MOV from CR0/CR4 (which a processor
     * serves from the read shadows without exiting, §25.6.6) returns the guest's view when forced; CR5 does
     * not exist and kills the VM. */
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e), cr0 = hv_guest_cr0_view(&e->vm);
    CHECK_EQ_U64(mov_to_cr(e, 0, (cr0 | CR0_NW) & ~CR0_CD), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(0, 1, 12), 3), HV_STEP_CONTINUE); /* MOV R12, CR0 */
    CHECK_EQ_U64(e->vm.gprs.r12, cr0);
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(4, 1, 13), 3), HV_STEP_CONTINUE); /* MOV R13, CR4 */
    CHECK_EQ_U64(e->vm.gprs.r13, hv_guest_cr4_view(&e->vm));
    CHECK_EQ_U64(e->vm.gprs.r13 & CR4_VMXE, 0); /* VMX is hidden */
    check_killed(e, step(e, HV_EXIT_CR_ACCESS, CRQ(5, 1, 0), 3), "MOV from CR5");
    down(e);
}

/* ---- events during event delivery (IDT-vectoring information, SDM Vol. 3 §28.2.4) ------------------------ */

/* The exit-information fields of an exception exit as the processor writes them (read-only to VMWRITE
 * without IA32_VMX_MISC bit 29, so put straight into the sim's VMCS), then the handler itself. */
static enum hv_exit_action exception_exit(struct env *e, uint32_t info, uint32_t err, uint32_t idt, uint32_t idt_err,
                                          uint32_t len)
{
    uint64_t *f = sim_vmcs_fields(e->m, e->vm.vmcs);
    CHECK(f != NULL);
    sim_vmcs_put(f, HV_VMCS_ORD_VM_EXIT_INTERRUPTION_INFO, 0, info);
    sim_vmcs_put(f, HV_VMCS_ORD_VM_EXIT_INTERRUPTION_ERROR_CODE, 0, err);
    sim_vmcs_put(f, HV_VMCS_ORD_IDT_VECTORING_INFO, 0, idt);
    sim_vmcs_put(f, HV_VMCS_ORD_IDT_VECTORING_ERROR_CODE, 0, idt_err);
    hv_vmwrite(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO, 0); /* as after any VM exit (§28.2) */
    struct hv_exit x = {.reason_field = HV_EXIT_EXCEPTION_NMI, .basic = HV_EXIT_EXCEPTION_NMI, .instr_len = len};
    return hv_exit_exception_nmi(&e->vm, &x);
}

#define PF_INFO (HW_EXC(VEC_PF) | INTR_INFO_DELIVER_ERROR_CODE)

TEST_CASE(exception_while_delivering_pf_becomes_double_fault)
{
    /* A #PF during delivery of a #PF: the vectored #PF is re-injected and the two combine into #DF with
     * error code 0 (SDM Vol. 3 §6.15 Table 6-5); the next VM entry delivers it. */
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(exception_exit(e, PF_INFO, 2, PF_INFO, 0, 0), HV_EXIT_RESUME);
    CHECK_EQ_U64(injected(e), HW_EXC(8u /* #DF */) | INTR_INFO_DELIVER_ERROR_CODE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE), 0);
    CHECK_EQ_U64(step(e, HV_EXIT_PREEMPTION_TIMER, 0, 0), HV_STEP_CONTINUE); /* the entry carrying #DF passes */
    down(e);
}

TEST_CASE(exception_while_delivering_double_fault_is_triple_fault)
{
    /* A contributory exception while delivering #DF is a triple fault: the guest shuts down (SDM Vol. 3
     * §6.15 "Interrupt 8"), the core kills the VM. */
    struct env *e = up("bochs-haswell");
    uint32_t df = HW_EXC(8u /* #DF */) | INTR_INFO_DELIVER_ERROR_CODE;
    CHECK_EQ_U64(exception_exit(e, GP0, 0, df, 0, 0), HV_EXIT_KILL);
    CHECK(e->vm.dead);
    CHECK(strstr(e->vm.message, "triple fault") != NULL);
    down(e);
}

TEST_CASE(software_interrupt_being_delivered_is_not_reinjected)
{
    /* A #GP while delivering INT n (IDT-vectoring type 4, software interrupt): the software event is not
     * re-injected — it would re-execute with its instruction, which the fault stopped (SDM Vol. 3 §28.2.4,
     * §27.6.1.1) — and the #GP is reflected alone. */
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(exception_exit(e, GP0, 0, INTR_INFO_VALID | (INTR_TYPE_SW_INTERRUPT << 8) | 0x80, 0, 2),
                 HV_EXIT_RESUME);
    CHECK_EQ_U64(injected(e), GP0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE), 0);
    down(e);
}

TEST_CASE(nmi_unblocking_due_to_iret_reblocks_nmis)
{
    /* A fault in an IRET that had unblocked NMIs: the exit sets "NMI unblocking due to IRET" (interruption
     * information bit 12) and the core sets blocking by NMI again before re-injecting the fault (SDM Vol. 3
     * §28.2.3, with "virtual NMIs" off §27.3.1.5 accepts it with the exception being injected). */
    struct env *e = up("bochs-haswell");
    uint32_t intr = (uint32_t)hv_vmread(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE);
    CHECK_EQ_U64(intr & INTERRUPTIBILITY_NMI, 0);
    CHECK_EQ_U64(exception_exit(e, GP0 | (1u << 12), 0, 0, 0, 0), HV_EXIT_RESUME);
    CHECK(hv_vmread(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE) & INTERRUPTIBILITY_NMI);
    CHECK_EQ_U64(injected(e), GP0);
    down(e);
}

TEST_CASE(impossible_exception_exits_kill)
{
    /* SDM Vol. 3 §28.2.2: an exception or NMI exit has type 2, 3, 5 or 6 and a vector 0-31; a software
     * exception has an instruction length 1-15 (§28.2.5). Anything else is a hostile report. */
    struct env *e = up("bochs-haswell");
    CHECK_EQ_U64(exception_exit(e, INTR_INFO_VALID | (INTR_TYPE_OTHER_EVENT << 8), 0, 0, 0, 0), HV_EXIT_KILL);
    CHECK(strstr(e->vm.message, "interruption type 7") != NULL);
    down(e);
    e = up("bochs-haswell");
    CHECK_EQ_U64(exception_exit(e, HW_EXC(0x40), 0, 0, 0, 0), HV_EXIT_KILL);
    CHECK(strstr(e->vm.message, "vector 64") != NULL);
    down(e);
    e = up("bochs-haswell");
    CHECK_EQ_U64(exception_exit(e, INTR_INFO_VALID | (INTR_TYPE_SW_EXCEPTION << 8) | 3, 0, 0, 0, 0), HV_EXIT_KILL);
    CHECK(strstr(e->vm.message, "instruction length 0") != NULL);
    down(e);
}

/* ---- RDTSC/RDTSCP with CR4.TSD (SDM Vol. 2 RDTSC, RDTSCP: #GP(0) if CR4.TSD = 1 and CPL > 0) -------------- */

TEST_CASE(rdtsc_rdtscp_with_tsd_at_cpl3_gp)
{
    struct env *e = up("bochs-haswell");
    e->vm.gprs.rbx = hv_guest_cr4_view(&e->vm) | (1ull << 2); /* CR4.TSD (SDM Vol. 3 §2.5) */
    CHECK_EQ_U64(step(e, HV_EXIT_CR_ACCESS, CRQ(4, 0, 3), 3), HV_STEP_CONTINUE);
    /* CPL 0 with TSD: allowed */
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(step(e, HV_EXIT_RDTSC, 0, 2), HV_STEP_CONTINUE);
    CHECK_EQ_U64(rip(e), r0 + 2);
    /* CPL 3 (SS.DPL, SDM Vol. 3 §27.3.1.2): the handlers directly, as such an entry needs user segments */
    uint64_t ss_ar = hv_vmread(&e->vm, VMCS_GUEST_SS_AR_BYTES);
    hv_vmwrite(&e->vm, VMCS_GUEST_SS_AR_BYTES, ss_ar | (3u << 5));
    r0 = rip(e);
    struct hv_exit x = {.reason_field = HV_EXIT_RDTSC, .basic = HV_EXIT_RDTSC, .instr_len = 2};
    hv_vmwrite(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO, 0);
    CHECK_EQ_U64(hv_exit_rdtsc(&e->vm, &x), HV_EXIT_RESUME);
    check_fault(e, GP0, r0);
    struct hv_exit y = {.reason_field = HV_EXIT_RDTSCP, .basic = HV_EXIT_RDTSCP, .instr_len = 3};
    hv_vmwrite(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO, 0);
    CHECK_EQ_U64(hv_exit_rdtscp(&e->vm, &y), HV_EXIT_RESUME);
    check_fault(e, GP0, r0);
    hv_vmwrite(&e->vm, VMCS_GUEST_SS_AR_BYTES, ss_ar);
    down(e);
}

/* ---- VM-entry failures and the run loop ----------------------------------------------------------------- */

TEST_CASE(entry_failures_kill_naming_the_sdm_reason)
{
    /* SDM Vol. 3 §27.8: exit reason bit 31 with basic reason 33 (invalid guest state; qualification 2 PDPTEs,
     * 3 NMI injection blocked by STI, 4 VMCS link pointer, Table 28-? of §28.2.1), 34 (MSR loading; the
     * qualification is the failing entry's index from 1, §27.4) or 41 (machine-check event, §27.9). */
    static const struct {
        uint32_t basic;
        uint64_t qual;
        const char *needle;
    } cases[] = {
        {33, 2, "qualification 2: a problem loading the PDPTEs"},
        {33, 3, "qualification 3: an attempt to inject an NMI into a guest blocking events by STI"},
        {33, 4, "qualification 4: an invalid VMCS link pointer"},
        {33, 0, "qualification 0: guest-state check"},
        {34, 3, "MSR loading (exit reason 34, MSR-load entry 3)"},
        {41, 0, "machine-check event (exit reason 41)"},
        {10, 0, "VM-entry failure with unexpected exit reason 10"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct env *e = up("bochs-haswell");
        check_killed(e, step(e, HV_EXIT_REASON_ENTRY_FAILURE | cases[i].basic, cases[i].qual, 0), cases[i].needle);
        CHECK_EQ_U64(hv_vcpu_step(&e->vm), HV_STEP_KILLED); /* a dead VM is never entered again */
        down(e);
    }
}

static void cpuid_then_hlt_guest(struct hv_arch_cpu *cpu, struct hv_guest_gprs *gprs, struct sim_exit *exit,
                                 void *opaque)
{
    (void)cpu;
    unsigned *n = opaque;
    gprs->rax = 0;
    gprs->rcx = 0;
    *exit = (struct sim_exit){.reason = ++*n <= 7 ? HV_EXIT_CPUID : HV_EXIT_HLT, .instr_len = (*n <= 7) ? 2 : 1};
}

TEST_CASE(vcpu_run_stops_after_max_exits_or_at_halt)
{
    /* hv_vcpu_run (hv/vm.h): steps until an exit ends the run (halt, kill) or max_exits exits were handled;
     * 0 means no limit. */
    struct env *e = up("bochs-haswell");
    unsigned n = 0;
    sim_cpu_set_guest(e->a, cpuid_then_hlt_guest, &n);
    CHECK_EQ_U64(hv_vcpu_run(&e->vm, 5), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->vm.stats.exits, 5);
    CHECK_EQ_U64(hv_vcpu_run(&e->vm, 0), HV_STEP_HALTED);
    CHECK_EQ_U64(e->vm.stats.exits, 8);
    CHECK_EQ_U64(e->vm.stats.exits_by_reason[HV_EXIT_CPUID], 7);
    CHECK(e->vm.halted);
    CHECK_EQ_U64(hv_vcpu_run(&e->vm, 0), HV_STEP_HALTED); /* halted: no more entries */
    CHECK_EQ_U64(e->vm.stats.exits, 8);
    down(e);
}
