/* Exit handlers (hv-core/src: exit.c, the exits directory, inject.c, hypercall.c, port_bus.c, msr_virt.c), each driven
 * directly: a VM on the sim, guest registers set, an exit forced with sim_cpu_set_next_exit_full, one
 * hv_vcpu_step, then registers, RIP, the injected event, stats and kill messages checked. Every handler has
 * a normal and a hostile case. */
#include "core.h"
#include "exits/exits.h"
#include "sim_machine.h"
#include "sim_profile.h"
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

TEST_CASE(msr_not_virtualized_is_gp_never_the_host_value)
{
    /* The hostile-msr finding on Bochs: a guest WRMSR to IA32_MTRR_DEF_TYPE reached the host's register.
     * Now it exits and #GPs, and a read #GPs rather than returning the host's value. */
    struct env *e = up("bochs-haswell");
    uint64_t r0 = rip(e);
    CHECK_EQ_U64(wrmsr(e, 0x2ffu, 0), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(rdmsr(e, 0x2ffu), HV_STEP_CONTINUE);
    check_fault(e, GP0, r0);
    CHECK_EQ_U64(e->vm.gprs.rax, 0xcccccccccccccccc); /* nothing loaded */
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
