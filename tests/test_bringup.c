/* VMX bring-up and teardown (hv_cpu_init / hv_cpu_fini) on the sim's CPU profiles. */
#include "core.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "testlib.h"

#include <hv/msr.h>
#include <hv/vmx_errors.h>
#include <hv/x86.h>
#include <string.h>

static struct sim_machine *machine(const char *profile)
{
    const struct sim_profile *p = sim_profile_find(profile);
    CHECK(p != NULL);
    struct sim_machine *m = sim_machine_create(p, 512, 1);
    CHECK(m != NULL);
    return m;
}

static const char *const vmx_profiles[] = {"bochs-haswell", "bochs-skylake-x", "bochs-sandybridge",
                                           "bochs-penryn",  "minimal",         "max"};

TEST_CASE(bringup_on_every_vmx_profile)
{
    for (size_t i = 0; i < sizeof vmx_profiles / sizeof vmx_profiles[0]; i++) {
        struct sim_machine *m = machine(vmx_profiles[i]);
        struct hv_arch_cpu *a = sim_machine_cpu(m, 0);
        uint64_t cr0 = a->cr0, cr4 = a->cr4;
        struct hv_cpu cpu = {0};
        enum hv_err err = hv_cpu_init(&cpu, a);
        if (err != HV_OK)
            fprintf(stderr, "%s: %s\n", vmx_profiles[i], cpu.message);
        CHECK_EQ_U64(err, HV_OK);
        CHECK(cpu.vmx_on);
        CHECK(a->in_vmx_operation);
        CHECK(a->cr4 & CR4_VMXE);
        CHECK_EQ_U64(a->vmxon_ptr, cpu.vmxon_region);
        uint64_t basic = sim_profile_vmx_msr(sim_profile_find(vmx_profiles[i]), MSR_IA32_VMX_BASIC);
        CHECK_EQ_U64(cpu.vmcs_revision, basic & 0x7fffffffu);
        CHECK_EQ_U64(sim_pages_in_use(m), 1); /* the VMXON region */
        CHECK_EQ_U64(hv_cpu_init(&cpu, a), HV_ERR_STATE); /* twice: refused, nothing lost */
        CHECK(cpu.vmx_on);
        CHECK_EQ_U64(sim_pages_in_use(m), 1);
        hv_cpu_fini(&cpu);
        CHECK(!cpu.vmx_on);
        CHECK(!a->in_vmx_operation);
        CHECK_EQ_U64(a->cr4, cr4); /* CR4.VMXE back to 0 */
        CHECK_EQ_U64(a->cr0, cr0);
        CHECK_EQ_U64(sim_pages_in_use(m), 0);
        CHECK_EQ_U64(sim_cpu_fault_count(a), 0);
        sim_machine_destroy(m);
    }
}

TEST_CASE(feature_control_unlocked_gets_locked)
{
    const char *unlocked[] = {"minimal", "max"};
    for (size_t i = 0; i < 2; i++) {
        struct sim_machine *m = machine(unlocked[i]);
        struct hv_arch_cpu *a = sim_machine_cpu(m, 0);
        CHECK_EQ_U64(a->feature_control & FEATURE_CONTROL_LOCK, 0);
        struct hv_cpu cpu = {0};
        CHECK_EQ_U64(hv_cpu_init(&cpu, a), HV_OK);
        CHECK_EQ_U64(a->feature_control & (FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX),
                     FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
        hv_cpu_fini(&cpu);
        /* still locked after VMXOFF (only a reset unlocks it) and a second bring-up works */
        CHECK(a->feature_control & FEATURE_CONTROL_LOCK);
        CHECK_EQ_U64(hv_cpu_init(&cpu, a), HV_OK);
        hv_cpu_fini(&cpu);
        CHECK_EQ_U64(sim_cpu_fault_count(a), 0);
        sim_machine_destroy(m);
    }
}

TEST_CASE(feature_control_locked_without_vmx_outside_smx_refused)
{
    struct sim_machine *m = machine("bochs-haswell");
    struct hv_arch_cpu *a = sim_machine_cpu(m, 0);
    a->feature_control = FEATURE_CONTROL_LOCK; /* firmware locked it with VMX disabled */
    struct hv_cpu cpu = {0};
    CHECK_EQ_U64(hv_cpu_init(&cpu, a), HV_ERR_FEATURE_CONTROL);
    CHECK_EQ_U64(cpu.err, HV_ERR_FEATURE_CONTROL);
    CHECK(strstr(cpu.message, "locked") != NULL);
    CHECK(strstr(cpu.message, "VMX outside SMX") != NULL);
    CHECK(!cpu.vmx_on);
    CHECK(!(a->cr4 & CR4_VMXE));
    CHECK_EQ_U64(sim_pages_in_use(m), 0);
    CHECK_EQ_U64(sim_cpu_fault_count(a), 0); /* refused before any VMXON could #GP */
    sim_machine_destroy(m);
}

TEST_CASE(cr_fixed_bits_unsatisfiable_refused)
{
    /* CR4_FIXED1 without VMXE: CR4.VMXE cannot be set. */
    struct sim_profile p = *sim_profile_find("bochs-haswell");
    p.vmx_msr[MSR_IA32_VMX_CR4_FIXED1 - SIM_VMX_MSR_FIRST] &= ~CR4_VMXE;
    struct sim_machine *m = sim_machine_create(&p, 64, 1);
    CHECK(m != NULL);
    struct hv_cpu cpu = {0};
    CHECK_EQ_U64(hv_cpu_init(&cpu, sim_machine_cpu(m, 0)), HV_ERR_CR_FIXED);
    CHECK(strstr(cpu.message, "CR4") != NULL);
    CHECK(strstr(cpu.message, "0x2000") != NULL); /* names the bit: VMXE */
    CHECK_EQ_U64(sim_pages_in_use(m), 0);
    sim_machine_destroy(m);

    /* CR0_FIXED0 requires NE but FIXED1 forbids it. */
    p = *sim_profile_find("bochs-haswell");
    p.vmx_msr[MSR_IA32_VMX_CR0_FIXED1 - SIM_VMX_MSR_FIRST] &= ~CR0_NE;
    m = sim_machine_create(&p, 64, 1);
    CHECK(m != NULL);
    CHECK_EQ_U64(hv_cpu_init(&cpu, sim_machine_cpu(m, 0)), HV_ERR_CR_FIXED);
    CHECK(strstr(cpu.message, "CR0") != NULL);
    CHECK_EQ_U64(sim_machine_cpu(m, 0)->cr4 & CR4_VMXE, 0);
    sim_machine_destroy(m);
}

TEST_CASE(cr0_fixed0_bit_set_by_bringup)
{
    /* A host running with CR0.NE = 0: bring-up sets it (FIXED0) and fini restores it. */
    struct sim_machine *m = machine("bochs-haswell");
    struct hv_arch_cpu *a = sim_machine_cpu(m, 0);
    a->cr0 &= ~CR0_NE;
    struct hv_cpu cpu = {0};
    CHECK_EQ_U64(hv_cpu_init(&cpu, a), HV_OK);
    CHECK(a->cr0 & CR0_NE);
    hv_cpu_fini(&cpu);
    CHECK_EQ_U64(a->cr0 & CR0_NE, 0);
    CHECK_EQ_U64(sim_cpu_fault_count(a), 0);
    sim_machine_destroy(m);
}

TEST_CASE(vmxon_failure_named)
{
    struct sim_machine *m = machine("bochs-haswell");
    struct hv_arch_cpu *a = sim_machine_cpu(m, 0);
    struct hv_cpu cpu = {0};
    sim_inject_vmx_failure(m, SIM_INSN_VMXON, HV_VMFAIL_VALID, HV_VMXERR_VMXON_IN_ROOT);
    CHECK_EQ_U64(hv_cpu_init(&cpu, a), HV_ERR_VMX_INSTRUCTION);
    CHECK(strstr(cpu.message, "VMXON") != NULL);
    CHECK(strstr(cpu.message, "VMfailValid(15)") != NULL);
    CHECK(strstr(cpu.message, "VMXON executed in VMX root operation") != NULL);
    CHECK(!cpu.vmx_on);
    CHECK_EQ_U64(a->cr4 & CR4_VMXE, 0); /* undone */
    CHECK_EQ_U64(sim_pages_in_use(m), 0);

    sim_inject_vmx_failure(m, SIM_INSN_VMXON, HV_VMFAIL_INVALID, 0);
    CHECK_EQ_U64(hv_cpu_init(&cpu, a), HV_ERR_VMX_INSTRUCTION);
    CHECK(strstr(cpu.message, "VMXON: VMfailInvalid") != NULL);
    CHECK_EQ_U64(sim_pages_in_use(m), 0);

    /* and the processor is fine afterwards */
    CHECK_EQ_U64(hv_cpu_init(&cpu, a), HV_OK);
    hv_cpu_fini(&cpu);
    sim_machine_destroy(m);
}

TEST_CASE(two_cpus_independent)
{
    struct sim_machine *m = sim_machine_create(sim_profile_find("bochs-skylake-x"), 64, 2);
    CHECK(m != NULL);
    struct hv_cpu c0 = {0}, c1 = {0};
    CHECK_EQ_U64(hv_cpu_init(&c0, sim_machine_cpu(m, 0)), HV_OK);
    CHECK_EQ_U64(hv_cpu_init(&c1, sim_machine_cpu(m, 1)), HV_OK);
    CHECK(c0.vmxon_region != c1.vmxon_region);
    hv_cpu_fini(&c0);
    CHECK(sim_machine_cpu(m, 1)->in_vmx_operation);
    hv_cpu_fini(&c1);
    CHECK_EQ_U64(sim_pages_in_use(m), 0);
    sim_machine_destroy(m);
}

TEST_CASE(not_intel_or_no_vmx_refused)
{
    /* CPUID leaf 0 with another vendor, and leaf 1 without VMX. */
    struct sim_profile p = *sim_profile_find("bochs-haswell");
    for (uint32_t i = 0; i < p.cpuid_count; i++)
        if (p.cpuid[i].leaf == 0)
            p.cpuid[i].ebx = 0x68747541u; /* "Auth" */
    struct sim_machine *m = sim_machine_create(&p, 64, 1);
    struct hv_cpu cpu = {0};
    CHECK_EQ_U64(hv_cpu_init(&cpu, sim_machine_cpu(m, 0)), HV_ERR_NOT_INTEL);
    CHECK(strstr(cpu.message, "GenuineIntel") != NULL);
    sim_machine_destroy(m);

    p = *sim_profile_find("bochs-haswell");
    for (uint32_t i = 0; i < p.cpuid_count; i++)
        if (p.cpuid[i].leaf == 1)
            p.cpuid[i].ecx &= ~(1u << 5);
    m = sim_machine_create(&p, 64, 1);
    CHECK_EQ_U64(hv_cpu_init(&cpu, sim_machine_cpu(m, 0)), HV_ERR_NO_VMX);
    CHECK(strstr(cpu.message, "CPUID.1:ECX.VMX") != NULL);
    CHECK_EQ_U64(sim_pages_in_use(m), 0);
    sim_machine_destroy(m);
}
