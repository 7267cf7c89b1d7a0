/* The sim's VMX instructions against SDM Vol. 3 §31.3 (pseudocode) and §31.4 (error numbers): one case per
 * VM-instruction error and per fault each instruction can produce, named for it, each asserting the exact
 * outcome (status, error number, and the VM-instruction error field read back with VMREAD 0x4400). */
#include "sim_machine.h"
#include "sim_vmcs.h"
#include "sim_vmx.h"
#include "testlib.h"
#include "vmcs_template.h"

#include <hv/exit_reasons.h>
#include <hv/vmx_controls.h>
#include <hv/vmx_errors.h>
#include <hv/x86.h>

#define MSR_SLOT(msr) ((msr)-SIM_VMX_MSR_FIRST)

struct env {
    struct sim_profile prof; /* a copy, so that a case can take a capability away */
    struct sim_machine *m;
    struct hv_arch_cpu *cpu;
    hv_paddr_t vmxon; /* the VMXON region (allocated, revision written) */
    hv_paddr_t vmcs;  /* a VMCS region (allocated, revision written) */
};

static uint32_t revision(const struct env *e)
{
    return (uint32_t)(sim_profile_vmx_msr(&e->prof, MSR_IA32_VMX_BASIC) & VMX_BASIC_REVISION_MASK);
}

static hv_paddr_t new_region(struct env *e, uint32_t rev)
{
    hv_paddr_t pa = sim_page_alloc(e->m);
    CHECK(pa != 0);
    CHECK(sim_phys_write(e->m, pa, &rev, sizeof rev));
    return pa;
}

/* A machine on bochs-haswell (optionally changed by tweak) with one CPU, CR4.VMXE not yet set. */
static bool env_init_with(struct env *e, void (*tweak)(struct sim_profile *))
{
    const struct sim_profile *p = sim_profile_find("bochs-haswell");
    CHECK(p != NULL);
    if (!p)
        return false;
    e->prof = *p;
    if (tweak)
        tweak(&e->prof);
    e->m = sim_machine_create(&e->prof, 64, 2);
    CHECK(e->m != NULL);
    if (!e->m)
        return false;
    e->cpu = sim_machine_cpu(e->m, 0);
    e->vmxon = new_region(e, revision(e));
    e->vmcs = new_region(e, revision(e));
    return true;
}

static bool env_init(struct env *e) { return env_init_with(e, NULL); }

static void env_fini(struct env *e) { sim_machine_destroy(e->m); }

#define CHECK_RESULT(r, st, err)                                                                             \
    do {                                                                                                     \
        struct hv_vmx_result r_ = (r);                                                                       \
        CHECK_EQ_U64(r_.status, (st));                                                                       \
        CHECK_EQ_U64(r_.error, (err));                                                                       \
    } while (0)
#define CHECK_SUCCEED(r) CHECK_RESULT((r), HV_VMSUCCEED, 0)
#define CHECK_FAIL_INVALID(r) CHECK_RESULT((r), HV_VMFAIL_INVALID, 0)
#define CHECK_FAIL_VALID(r, err) CHECK_RESULT((r), HV_VMFAIL_VALID, (err))

/* A fault: VMfailInvalid with error 0, and the CPU's record names the vector. */
#define CHECK_FAULT(e, r, vec)                                                                               \
    do {                                                                                                     \
        CHECK_FAIL_INVALID(r);                                                                               \
        CHECK((e)->cpu->fault.raised);                                                                       \
        CHECK_EQ_U64((e)->cpu->fault.vector, (vec));                                                         \
    } while (0)
#define CHECK_NO_FAULT(e) CHECK(!sim_cpu_last_fault((e)->cpu)->raised)

static void enable_vmxe(struct env *e)
{
    hv_arch_write_cr4(e->cpu, hv_arch_read_cr4(e->cpu) | CR4_VMXE);
    CHECK(hv_arch_read_cr4(e->cpu) & CR4_VMXE);
}

/* In VMX root operation, no current VMCS. */
static void env_vmxon(struct env *e)
{
    enable_vmxe(e);
    CHECK_SUCCEED(hv_arch_vmxon(e->cpu, e->vmxon));
}

/* In VMX root operation with e->vmcs clear and current. */
static void env_current(struct env *e)
{
    env_vmxon(e);
    CHECK_SUCCEED(hv_arch_vmclear(e->cpu, e->vmcs));
    CHECK_SUCCEED(hv_arch_vmptrld(e->cpu, e->vmcs));
}

static uint64_t vmread(struct env *e, uint64_t enc)
{
    uint64_t v = 0xdeadbeefdeadbeefull;
    CHECK_SUCCEED(hv_arch_vmread(e->cpu, enc, &v));
    return v;
}

static uint64_t error_field(struct env *e) { return vmread(e, VMCS_VM_INSTRUCTION_ERROR); }

/* An address 4-KiB aligned with bits beyond the profile's physical-address width. */
static hv_paddr_t beyond_width(const struct env *e) { return 1ull << e->prof.maxphyaddr; }

/* ================= VMXON ================= */

TEST_CASE(vmxon_ud_cr4_vmxe_clear)
{
    struct env e;
    if (!env_init(&e))
        return;
    CHECK_FAULT(&e, hv_arch_vmxon(e.cpu, e.vmxon), VEC_UD);
    CHECK_EQ_U64(e.cpu->fault.insn, SIM_INSN_VMXON);
    CHECK(!e.cpu->in_vmx_operation);
    CHECK_EQ_U64(sim_cpu_fault_count(e.cpu), 1);
    env_fini(&e);
}

TEST_CASE(vmxon_ud_cr0_pe_clear)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    e.cpu->cr0 &= ~1ull; /* real mode: the model's registers may be set directly by tests */
    CHECK_FAULT(&e, hv_arch_vmxon(e.cpu, e.vmxon), VEC_UD);
    env_fini(&e);
}

TEST_CASE(vmxon_gp_cr0_fixed0)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    hv_arch_write_cr0(e.cpu, hv_arch_read_cr0(e.cpu) & ~0x20ull); /* CR0.NE is fixed to 1 in VMX operation */
    CHECK_NO_FAULT(&e);
    CHECK_FAULT(&e, hv_arch_vmxon(e.cpu, e.vmxon), VEC_GP);
    CHECK(!e.cpu->in_vmx_operation);
    env_fini(&e);
}

TEST_CASE(vmxon_gp_cr4_fixed1)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    e.cpu->cr4 |= 1ull << 11; /* not in Haswell's IA32_VMX_CR4_FIXED1 (0x1727ff) */
    CHECK_FAULT(&e, hv_arch_vmxon(e.cpu, e.vmxon), VEC_GP);
    env_fini(&e);
}

TEST_CASE(vmxon_gp_feature_control_unlocked)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    e.cpu->feature_control = 0x4; /* VMX outside SMX, but not locked */
    CHECK_FAULT(&e, hv_arch_vmxon(e.cpu, e.vmxon), VEC_GP);
    env_fini(&e);
}

TEST_CASE(vmxon_gp_feature_control_vmx_outside_smx_clear)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    e.cpu->feature_control = 0x1; /* locked, VMX disabled outside SMX */
    CHECK_FAULT(&e, hv_arch_vmxon(e.cpu, e.vmxon), VEC_GP);
    env_fini(&e);
}

TEST_CASE(vmxon_after_software_locks_feature_control)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    e.cpu->feature_control = 0; /* firmware left it unlocked: the core's job */
    CHECK(hv_arch_wrmsr(e.cpu, MSR_IA32_FEATURE_CONTROL, 0x5));
    CHECK(!hv_arch_wrmsr(e.cpu, MSR_IA32_FEATURE_CONTROL, 0x0)); /* locked now: #GP */
    CHECK_EQ_U64(e.cpu->fault.vector, VEC_GP);
    CHECK_SUCCEED(hv_arch_vmxon(e.cpu, e.vmxon));
    env_fini(&e);
}

TEST_CASE(vmxon_failinvalid_unaligned)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    CHECK_FAIL_INVALID(hv_arch_vmxon(e.cpu, e.vmxon + 8));
    CHECK_NO_FAULT(&e);
    CHECK(!e.cpu->in_vmx_operation);
    env_fini(&e);
}

TEST_CASE(vmxon_failinvalid_beyond_width)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    CHECK_FAIL_INVALID(hv_arch_vmxon(e.cpu, beyond_width(&e)));
    CHECK_FAIL_INVALID(hv_arch_vmxon(e.cpu, 0xfffffffffffff000ull));
    CHECK(!e.cpu->in_vmx_operation);
    env_fini(&e);
}

TEST_CASE(vmxon_failinvalid_bad_revision)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    CHECK_FAIL_INVALID(hv_arch_vmxon(e.cpu, new_region(&e, revision(&e) + 1)));
    CHECK_FAIL_INVALID(hv_arch_vmxon(e.cpu, new_region(&e, 0)));
    CHECK(!e.cpu->in_vmx_operation);
    env_fini(&e);
}

TEST_CASE(vmxon_failinvalid_shadow_bit)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    /* rev[31] = 1 fails VMXON even where VMCS shadowing exists (Haswell has it) */
    CHECK_FAIL_INVALID(hv_arch_vmxon(e.cpu, new_region(&e, revision(&e) | VMCS_SHADOW_INDICATOR)));
    env_fini(&e);
}

TEST_CASE(vmxon_failinvalid_not_memory)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    /* Aligned and inside the width, but no memory there: reads as all ones, never a revision */
    CHECK_FAIL_INVALID(hv_arch_vmxon(e.cpu, 0x1000));
    CHECK_FAIL_INVALID(hv_arch_vmxon(e.cpu, SIM_PHYS_BASE + 64 * SIM_PAGE_SIZE));
    env_fini(&e);
}

TEST_CASE(vmxon_error15_in_root_with_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmxon(e.cpu, e.vmxon), HV_VMXERR_VMXON_IN_ROOT);
    CHECK_EQ_U64(error_field(&e), 15);
    env_fini(&e);
}

TEST_CASE(vmxon_failinvalid_in_root_without_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    CHECK_FAIL_INVALID(hv_arch_vmxon(e.cpu, e.vmxon));
    CHECK_NO_FAULT(&e);
    CHECK(e.cpu->in_vmx_operation);
    env_fini(&e);
}

TEST_CASE(vmxon_success_no_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    CHECK(e.cpu->in_vmx_operation);
    hv_paddr_t cur = 0;
    CHECK_SUCCEED(hv_arch_vmptrst(e.cpu, &cur));
    CHECK_EQ_U64(cur, SIM_NO_VMCS);
    CHECK_EQ_U64(sim_cpu_fault_count(e.cpu), 0);
    env_fini(&e);
}

/* IA32_VMX_BASIC[48] = 1 limits VMX pointers to 32 bits (SDM Vol. 3 §A.1). */
static void basic_32bit(struct sim_profile *p) { p->vmx_msr[MSR_SLOT(MSR_IA32_VMX_BASIC)] |= 1ull << 48; }

TEST_CASE(vmxon_failinvalid_above_4g_with_basic_bit48)
{
    struct env e;
    if (!env_init_with(&e, basic_32bit))
        return;
    enable_vmxe(&e);
    CHECK_FAIL_INVALID(hv_arch_vmxon(e.cpu, 1ull << 32));
    CHECK_SUCCEED(hv_arch_vmxon(e.cpu, e.vmxon));
    env_fini(&e);
}

/* ================= VMXOFF ================= */

TEST_CASE(vmxoff_ud_outside_vmx)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    CHECK_FAULT(&e, hv_arch_vmxoff(e.cpu), VEC_UD);
    CHECK_EQ_U64(e.cpu->fault.insn, SIM_INSN_VMXOFF);
    env_fini(&e);
}

TEST_CASE(vmxoff_success_leaves_vmx_operation)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_SUCCEED(hv_arch_vmxoff(e.cpu));
    CHECK(!e.cpu->in_vmx_operation);
    /* Outside VMX operation every VMX instruction but VMXON is #UD */
    uint64_t v;
    CHECK_FAULT(&e, hv_arch_vmread(e.cpu, VMCS_VM_INSTRUCTION_ERROR, &v), VEC_UD);
    /* and CR4.VMXE may be cleared again */
    hv_arch_write_cr4(e.cpu, hv_arch_read_cr4(e.cpu) & ~CR4_VMXE);
    CHECK_EQ_U64(hv_arch_read_cr4(e.cpu) & CR4_VMXE, 0);
    env_fini(&e);
}

/* ================= VMCLEAR ================= */

TEST_CASE(vmclear_ud_outside_vmx)
{
    struct env e;
    if (!env_init(&e))
        return;
    enable_vmxe(&e);
    CHECK_FAULT(&e, hv_arch_vmclear(e.cpu, e.vmcs), VEC_UD);
    env_fini(&e);
}

TEST_CASE(vmclear_error2_unaligned)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmclear(e.cpu, e.vmcs + 0x10), HV_VMXERR_VMCLEAR_INVALID_ADDR);
    CHECK_EQ_U64(error_field(&e), 2);
    CHECK_EQ_U64(e.cpu->current_vmcs, e.vmcs);
    env_fini(&e);
}

TEST_CASE(vmclear_error2_beyond_width)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmclear(e.cpu, beyond_width(&e)), 2);
    CHECK_EQ_U64(error_field(&e), 2);
    env_fini(&e);
}

TEST_CASE(vmclear_failinvalid_unaligned_without_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    /* VMfail(2) with no current VMCS is VMfailInvalid (SDM Vol. 3 §31.2) */
    CHECK_FAIL_INVALID(hv_arch_vmclear(e.cpu, e.vmcs + 1));
    CHECK_NO_FAULT(&e);
    env_fini(&e);
}

TEST_CASE(vmclear_error3_vmxon_pointer)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmclear(e.cpu, e.vmxon), HV_VMXERR_VMCLEAR_VMXON_PTR);
    CHECK_EQ_U64(error_field(&e), 3);
    env_fini(&e);
}

TEST_CASE(vmclear_current_vmcs_clears_pointer_and_launch_state)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    sim_vmcs_set_launch_state(e.m, e.vmcs, SIM_VMCS_LAUNCHED);
    CHECK_SUCCEED(hv_arch_vmclear(e.cpu, e.vmcs));
    CHECK_EQ_U64(sim_vmcs_launch_state(e.m, e.vmcs), SIM_VMCS_CLEAR);
    hv_paddr_t cur = 0;
    CHECK_SUCCEED(hv_arch_vmptrst(e.cpu, &cur));
    CHECK_EQ_U64(cur, SIM_NO_VMCS);
    /* VMCLEAR of another VMCS leaves the current one alone */
    CHECK_SUCCEED(hv_arch_vmptrld(e.cpu, e.vmcs));
    CHECK_SUCCEED(hv_arch_vmclear(e.cpu, new_region(&e, revision(&e))));
    CHECK_EQ_U64(e.cpu->current_vmcs, e.vmcs);
    /* and an address with no memory behind it is accepted and written nowhere */
    CHECK_SUCCEED(hv_arch_vmclear(e.cpu, 0x1000));
    env_fini(&e);
}

/* ================= VMPTRLD ================= */

TEST_CASE(vmptrld_ud_outside_vmx)
{
    struct env e;
    if (!env_init(&e))
        return;
    CHECK_FAULT(&e, hv_arch_vmptrld(e.cpu, e.vmcs), VEC_UD);
    env_fini(&e);
}

TEST_CASE(vmptrld_error9_unaligned)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmptrld(e.cpu, e.vmcs + 0x800), HV_VMXERR_VMPTRLD_INVALID_ADDR);
    CHECK_EQ_U64(error_field(&e), 9);
    env_fini(&e);
}

TEST_CASE(vmptrld_error9_beyond_width)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmptrld(e.cpu, beyond_width(&e)), 9);
    CHECK_EQ_U64(error_field(&e), 9);
    CHECK_EQ_U64(e.cpu->current_vmcs, e.vmcs);
    env_fini(&e);
}

TEST_CASE(vmptrld_failinvalid_unaligned_without_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    CHECK_FAIL_INVALID(hv_arch_vmptrld(e.cpu, e.vmcs | 4));
    env_fini(&e);
}

TEST_CASE(vmptrld_error10_vmxon_pointer)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmptrld(e.cpu, e.vmxon), HV_VMXERR_VMPTRLD_VMXON_PTR);
    CHECK_EQ_U64(error_field(&e), 10);
    env_fini(&e);
}

TEST_CASE(vmptrld_error11_bad_revision)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmptrld(e.cpu, new_region(&e, revision(&e) ^ 1)), HV_VMXERR_VMPTRLD_BAD_REVISION);
    CHECK_EQ_U64(error_field(&e), 11);
    CHECK_EQ_U64(e.cpu->current_vmcs, e.vmcs);
    env_fini(&e);
}

TEST_CASE(vmptrld_error11_not_memory)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmptrld(e.cpu, 0x2000), 11);
    CHECK_EQ_U64(error_field(&e), 11);
    env_fini(&e);
}

static void no_vmcs_shadowing(struct sim_profile *p)
{
    p->vmx_msr[MSR_SLOT(MSR_IA32_VMX_PROCBASED_CTLS2)] &= ~((uint64_t)PROC2_VMCS_SHADOWING << 32);
}

TEST_CASE(vmptrld_error11_shadow_bit_without_vmcs_shadowing)
{
    struct env e;
    if (!env_init_with(&e, no_vmcs_shadowing))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmptrld(e.cpu, new_region(&e, revision(&e) | VMCS_SHADOW_INDICATOR)), 11);
    CHECK_EQ_U64(error_field(&e), 11);
    env_fini(&e);
}

TEST_CASE(vmptrld_shadow_vmcs_with_vmcs_shadowing)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    /* Haswell allows "VMCS shadowing" (IA32_VMX_PROCBASED_CTLS2 bit 46): a shadow VMCS may be current */
    hv_paddr_t shadow = new_region(&e, revision(&e) | VMCS_SHADOW_INDICATOR);
    CHECK_SUCCEED(hv_arch_vmptrld(e.cpu, shadow));
    CHECK_EQ_U64(e.cpu->current_vmcs, shadow);
    env_fini(&e);
}

/* ================= VMPTRST ================= */

TEST_CASE(vmptrst_ud_outside_vmx)
{
    struct env e;
    if (!env_init(&e))
        return;
    hv_paddr_t cur = 0;
    CHECK_FAULT(&e, hv_arch_vmptrst(e.cpu, &cur), VEC_UD);
    CHECK_EQ_U64(cur, 0);
    env_fini(&e);
}

TEST_CASE(vmptrst_stores_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    hv_paddr_t cur = 0;
    CHECK_SUCCEED(hv_arch_vmptrst(e.cpu, &cur));
    CHECK_EQ_U64(cur, e.vmcs);
    env_fini(&e);
}

/* ================= VMREAD / VMWRITE ================= */

TEST_CASE(vmread_ud_outside_vmx)
{
    struct env e;
    if (!env_init(&e))
        return;
    uint64_t v;
    CHECK_FAULT(&e, hv_arch_vmread(e.cpu, VMCS_GUEST_RIP, &v), VEC_UD);
    CHECK_FAULT(&e, hv_arch_vmwrite(e.cpu, VMCS_GUEST_RIP, 0), VEC_UD);
    CHECK_EQ_U64(e.cpu->fault.insn, SIM_INSN_VMWRITE);
    env_fini(&e);
}

TEST_CASE(vmread_failinvalid_no_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    uint64_t v = 7;
    CHECK_FAIL_INVALID(hv_arch_vmread(e.cpu, VMCS_GUEST_RIP, &v));
    CHECK_EQ_U64(v, 7);
    /* also for an encoding that names no field: no VMCS to hold error 12 */
    CHECK_FAIL_INVALID(hv_arch_vmread(e.cpu, 0x7fff, &v));
    env_fini(&e);
}

TEST_CASE(vmwrite_failinvalid_no_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    CHECK_FAIL_INVALID(hv_arch_vmwrite(e.cpu, VMCS_GUEST_RIP, 1));
    env_fini(&e);
}

TEST_CASE(vmread_error12_unsupported_encoding)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    uint64_t v = 5;
    CHECK_FAIL_VALID(hv_arch_vmread(e.cpu, 0x6fff, &v), HV_VMXERR_UNSUPPORTED_COMPONENT);
    CHECK_EQ_U64(v, 5);
    CHECK_EQ_U64(error_field(&e), 12);
    /* reserved encoding bits (12, 31:15) */
    CHECK_FAIL_VALID(hv_arch_vmread(e.cpu, VMCS_GUEST_RIP | 0x1000, &v), 12);
    CHECK_FAIL_VALID(hv_arch_vmread(e.cpu, VMCS_GUEST_RIP | 0x80000000u, &v), 12);
    env_fini(&e);
}

TEST_CASE(vmread_error12_encoding_bits_63_32)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    uint64_t v;
    CHECK_FAIL_VALID(hv_arch_vmread(e.cpu, (1ull << 32) | VMCS_GUEST_RIP, &v), 12);
    CHECK_FAIL_VALID(hv_arch_vmwrite(e.cpu, (1ull << 63) | VMCS_GUEST_RIP, 0), 12);
    CHECK_EQ_U64(error_field(&e), 12);
    env_fini(&e);
}

TEST_CASE(vmread_error12_high_access_of_32bit_field)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    uint64_t v;
    /* only 64-bit fields have a "high" access (SDM Vol. 3 §25.11.2) */
    CHECK_FAIL_VALID(hv_arch_vmread(e.cpu, VMCS_PIN_BASED_VM_EXEC_CONTROL | 1, &v), 12);
    CHECK_FAIL_VALID(hv_arch_vmread(e.cpu, VMCS_GUEST_RIP | 1, &v), 12);
    env_fini(&e);
}

TEST_CASE(vmread_error12_field_the_processor_lacks)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    uint64_t v;
    /* HLATP belongs to tertiary controls, which Haswell does not have */
    CHECK(!sim_profile_has_vmcs_field(&e.prof, HV_VMCS_ORD_HLATP));
    CHECK_FAIL_VALID(hv_arch_vmread(e.cpu, VMCS_HLATP, &v), 12);
    CHECK_FAIL_VALID(hv_arch_vmwrite(e.cpu, VMCS_HLATP, 0x1000), 12);
    CHECK_EQ_U64(error_field(&e), 12);
    env_fini(&e);
}

TEST_CASE(vmwrite_error12_unsupported_encoding)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmwrite(e.cpu, 0x0c0e, 1), HV_VMXERR_UNSUPPORTED_COMPONENT);
    CHECK_EQ_U64(error_field(&e), 12);
    env_fini(&e);
}

static void no_vmwrite_any(struct sim_profile *p)
{
    p->vmx_msr[MSR_SLOT(MSR_IA32_VMX_MISC)] &= ~VMX_MISC_VMWRITE_ANY_FIELD;
}

TEST_CASE(vmwrite_error13_read_only_field)
{
    struct env e;
    if (!env_init_with(&e, no_vmwrite_any))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmwrite(e.cpu, VMCS_EXIT_REASON, 12), HV_VMXERR_VMWRITE_READ_ONLY);
    CHECK_EQ_U64(error_field(&e), 13);
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_REASON), 0);
    CHECK_FAIL_VALID(hv_arch_vmwrite(e.cpu, VMCS_EXIT_QUALIFICATION, 1), 13);
    CHECK_FAIL_VALID(hv_arch_vmwrite(e.cpu, VMCS_GUEST_PHYSICAL_ADDRESS | 1, 1), 13);
    /* VMREAD of them is fine */
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_QUALIFICATION), 0);
    env_fini(&e);
}

TEST_CASE(vmwrite_read_only_field_with_misc_bit29)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    /* Haswell's IA32_VMX_MISC (0x200401e0) has bit 29: VMWRITE may write exit-information fields */
    CHECK_SUCCEED(hv_arch_vmwrite(e.cpu, VMCS_EXIT_QUALIFICATION, 0x1234));
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_QUALIFICATION), 0x1234);
    env_fini(&e);
}

TEST_CASE(vmwrite_truncates_to_field_width)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_SUCCEED(hv_arch_vmwrite(e.cpu, VMCS_GUEST_CS_SELECTOR, 0xffffffff12345678ull));
    CHECK_EQ_U64(vmread(&e, VMCS_GUEST_CS_SELECTOR), 0x5678);
    CHECK_SUCCEED(hv_arch_vmwrite(e.cpu, VMCS_GUEST_CS_LIMIT, 0xabcdef0112345678ull));
    CHECK_EQ_U64(vmread(&e, VMCS_GUEST_CS_LIMIT), 0x12345678);
    CHECK_SUCCEED(hv_arch_vmwrite(e.cpu, VMCS_GUEST_RIP, 0xfedcba9876543210ull));
    CHECK_EQ_U64(vmread(&e, VMCS_GUEST_RIP), 0xfedcba9876543210ull);
    CHECK_SUCCEED(hv_arch_vmwrite(e.cpu, VMCS_VMCS_LINK_POINTER, 0xfedcba9876543210ull));
    CHECK_EQ_U64(vmread(&e, VMCS_VMCS_LINK_POINTER), 0xfedcba9876543210ull);
    env_fini(&e);
}

TEST_CASE(vmwrite_high_access_64bit_field)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_SUCCEED(hv_arch_vmwrite(e.cpu, VMCS_TSC_OFFSET, 0x1111111122222222ull));
    /* a high write replaces bits 63:32 with bits 31:0 of the operand and keeps bits 31:0 */
    CHECK_SUCCEED(hv_arch_vmwrite(e.cpu, VMCS_TSC_OFFSET | 1, 0xffffffffaaaaaaaaull));
    CHECK_EQ_U64(vmread(&e, VMCS_TSC_OFFSET), 0xaaaaaaaa22222222ull);
    /* a high read gives bits 63:32 in bits 31:0 */
    CHECK_EQ_U64(vmread(&e, VMCS_TSC_OFFSET | 1), 0xaaaaaaaa);
    env_fini(&e);
}

TEST_CASE(vmread_masks_scribbled_region)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    /* The region is ordinary memory: garbage stored beyond a field's width never leaks through VMREAD */
    sim_vmcs_fields(e.m, e.vmcs)[HV_VMCS_ORD_GUEST_ES_SELECTOR] = ~0ull;
    CHECK_EQ_U64(vmread(&e, VMCS_GUEST_ES_SELECTOR), 0xffff);
    env_fini(&e);
}

TEST_CASE(vmcs_fields_live_in_the_region)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_SUCCEED(hv_arch_vmwrite(e.cpu, VMCS_GUEST_RSP, 0x8000));
    const struct sim_vmcs_region *r = sim_phys_ptr(e.m, e.vmcs, SIM_PAGE_SIZE);
    CHECK(r != NULL);
    CHECK_EQ_U64(r->fields[HV_VMCS_ORD_GUEST_RSP], 0x8000);
    CHECK_EQ_U64(r->revision, revision(&e));
    CHECK(sim_vmcs_fields(e.m, e.vmcs + 8) == NULL);
    CHECK(sim_vmcs_fields(e.m, 0) == NULL);
    env_fini(&e);
}

/* ================= VMLAUNCH / VMRESUME ================= */

TEST_CASE(vmlaunch_ud_outside_vmx)
{
    struct env e;
    if (!env_init(&e))
        return;
    CHECK_FAULT(&e, hv_arch_vmenter(e.cpu, true, NULL), VEC_UD);
    CHECK_EQ_U64(e.cpu->fault.insn, SIM_INSN_VMLAUNCH);
    CHECK_FAULT(&e, hv_arch_vmenter(e.cpu, false, NULL), VEC_UD);
    CHECK_EQ_U64(e.cpu->fault.insn, SIM_INSN_VMRESUME);
    env_fini(&e);
}

TEST_CASE(vmlaunch_failinvalid_no_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    CHECK_FAIL_INVALID(hv_arch_vmenter(e.cpu, true, NULL));
    CHECK_NO_FAULT(&e);
    env_fini(&e);
}

TEST_CASE(vmresume_failinvalid_no_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    CHECK_FAIL_INVALID(hv_arch_vmenter(e.cpu, false, NULL));
    env_fini(&e);
}

TEST_CASE(vmlaunch_error4_launched_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    sim_vmcs_set_launch_state(e.m, e.vmcs, SIM_VMCS_LAUNCHED);
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, true, NULL), HV_VMXERR_VMLAUNCH_NONCLEAR_VMCS);
    CHECK_EQ_U64(error_field(&e), 4);
    env_fini(&e);
}

TEST_CASE(vmlaunch_error4_garbage_launch_state)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    /* never VMCLEARed, launch state neither clear nor launched: both instructions refuse it */
    hv_paddr_t v = new_region(&e, revision(&e));
    sim_vmcs_region(e.m, v)->launch_state = 0x5a5a5a5a;
    CHECK_SUCCEED(hv_arch_vmptrld(e.cpu, v));
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, true, NULL), 4);
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, false, NULL), 5);
    env_fini(&e);
}

TEST_CASE(vmresume_error5_clear_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, false, NULL), HV_VMXERR_VMRESUME_NONLAUNCHED_VMCS);
    CHECK_EQ_U64(error_field(&e), 5);
    env_fini(&e);
}

TEST_CASE(vmlaunch_error26_mov_ss_blocking)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    sim_cpu_set_mov_ss_blocking(e.cpu, true);
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, true, NULL), HV_VMXERR_ENTRY_MOV_SS_BLOCKING);
    CHECK_EQ_U64(error_field(&e), 26);
    CHECK_EQ_U64(sim_vmcs_launch_state(e.m, e.vmcs), SIM_VMCS_CLEAR);
    env_fini(&e);
}

TEST_CASE(vmresume_error26_mov_ss_checked_before_launch_state)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    /* The VMCS is clear, so VMRESUME would fail with 5, but the SDM checks MOV-SS blocking first */
    sim_cpu_set_mov_ss_blocking(e.cpu, true);
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, false, NULL), 26);
    CHECK_EQ_U64(error_field(&e), 26);
    env_fini(&e);
}

/* Fill the current VMCS with the entry-check template (a state every check passes), clear and current again. */
static void load_template(struct env *e)
{
    CHECK_SUCCEED(hv_arch_vmclear(e->cpu, e->vmcs));
    CHECK_SUCCEED(hv_arch_vmptrld(e->cpu, e->vmcs));
    sim_vmcs_template(&e->prof, sim_vmcs_fields(e->m, e->vmcs));
}

TEST_CASE(vmlaunch_success_runs_guest_to_the_given_exit)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    load_template(&e);
    sim_cpu_set_next_exit(e.cpu, HV_EXIT_CPUID, 0, 2);
    struct hv_guest_gprs g = {.rax = 1};
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, true, &g));
    CHECK(sim_cpu_last_entry_check(e.cpu)->rule == NULL);
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_REASON), HV_EXIT_CPUID);
    CHECK_EQ_U64(vmread(&e, VMCS_VM_EXIT_INSTRUCTION_LENGTH), 2);
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_QUALIFICATION), 0);
    CHECK_EQ_U64(sim_vmcs_launch_state(e.m, e.vmcs), SIM_VMCS_LAUNCHED);
    CHECK_EQ_U64(e.cpu->vm_entries, 1);
    CHECK_EQ_U64(e.cpu->vm_exits, 1);
    /* the VM exit loaded host CR3 (SDM Vol. 3 §28.5.1) */
    CHECK_EQ_U64(hv_arch_read_cr3(e.cpu), vmread(&e, VMCS_HOST_CR3));
    /* launched: VMRESUME now enters; with no exit programmed and no guest model the guest triple-faults */
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, false, &g));
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_REASON), HV_EXIT_TRIPLE_FAULT);
    /* and VMLAUNCH of the launched VMCS is error 4 */
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, true, &g), 4);
    env_fini(&e);
}

static void hlt_guest(struct hv_arch_cpu *cpu, struct hv_guest_gprs *g, struct sim_exit *x, void *opaque)
{
    (void)cpu;
    ++*(int *)opaque;
    g->rbx = 0x42;
    x->reason = HV_EXIT_HLT;
    x->instr_len = 1;
}

TEST_CASE(vmresume_runs_guest_model)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    load_template(&e);
    int runs = 0;
    sim_cpu_set_guest(e.cpu, hlt_guest, &runs);
    struct hv_guest_gprs g = {0};
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, true, &g));
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, false, &g));
    CHECK_EQ_U64(runs, 2);
    CHECK_EQ_U64(g.rbx, 0x42);
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_REASON), HV_EXIT_HLT);
    CHECK_EQ_U64(vmread(&e, VMCS_VM_EXIT_INSTRUCTION_LENGTH), 1);
    /* a one-shot exit takes precedence over the model, once */
    sim_cpu_set_next_exit(e.cpu, HV_EXIT_VMCALL, 0, 3);
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, false, &g));
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_REASON), HV_EXIT_VMCALL);
    CHECK_EQ_U64(runs, 2);
    env_fini(&e);
}

TEST_CASE(vmentry_vm_exit_clears_mov_ss_blocking)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    load_template(&e);
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, true, NULL));
    sim_cpu_set_mov_ss_blocking(e.cpu, true);
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, false, NULL), 26);
    sim_cpu_set_mov_ss_blocking(e.cpu, false);
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, false, NULL));
    CHECK(!e.cpu->blocking_mov_ss);
    env_fini(&e);
}

TEST_CASE(vmresume_error6_after_vmxoff_and_vmxon)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    load_template(&e);
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, true, NULL));
    /* VMXOFF and VMXON between VMLAUNCH and VMRESUME, without VMCLEAR (SDM Vol. 3 §31.4, error 6) */
    CHECK_SUCCEED(hv_arch_vmxoff(e.cpu));
    CHECK_SUCCEED(hv_arch_vmxon(e.cpu, e.vmxon));
    CHECK_SUCCEED(hv_arch_vmptrld(e.cpu, e.vmcs));
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, false, NULL), HV_VMXERR_VMRESUME_AFTER_VMXOFF);
    CHECK_EQ_U64(error_field(&e), 6);
    /* VMCLEAR repairs it: VMLAUNCH works again, then VMRESUME */
    CHECK_SUCCEED(hv_arch_vmclear(e.cpu, e.vmcs));
    CHECK_SUCCEED(hv_arch_vmptrld(e.cpu, e.vmcs));
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, true, NULL));
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, false, NULL));
    env_fini(&e);
}

TEST_CASE(vmresume_error6_launched_on_another_cpu)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    load_template(&e);
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, true, NULL));
    /* CPU 1 makes the VMCS current without the VMCLEAR on CPU 0 that migration requires (§25.11.1) */
    struct hv_arch_cpu *c1 = sim_machine_cpu(e.m, 1);
    hv_arch_write_cr4(c1, hv_arch_read_cr4(c1) | CR4_VMXE);
    CHECK_SUCCEED(hv_arch_vmxon(c1, new_region(&e, revision(&e))));
    CHECK_SUCCEED(hv_arch_vmptrld(c1, e.vmcs));
    CHECK_FAIL_VALID(hv_arch_vmenter(c1, false, NULL), 6);
    env_fini(&e);
}

/* The entry-check outcomes travel through VMLAUNCH: VMfailValid 7/8 and the VM-entry-failure exit (SDM Vol. 3
 * §27.8), as Bochs answers the same states (../shared/notes/bochs.md). */
TEST_CASE(vmlaunch_entry_check_outcomes)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    uint64_t *f = sim_vmcs_fields(e.m, e.vmcs);

    load_template(&e);
    f[HV_VMCS_ORD_PIN_BASED_VM_EXEC_CONTROL] = 0;
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, true, NULL), HV_VMXERR_ENTRY_INVALID_CONTROL);
    CHECK_EQ_U64(error_field(&e), 7);
    CHECK(sim_cpu_last_entry_check(e.cpu)->rule != NULL);

    load_template(&e);
    f[HV_VMCS_ORD_HOST_TR_SELECTOR] = 0;
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, true, NULL), HV_VMXERR_ENTRY_INVALID_HOST_STATE);
    CHECK_EQ_U64(error_field(&e), 8);

    load_template(&e);
    f[HV_VMCS_ORD_GUEST_RFLAGS] = 0;
    e.cpu->cr3 = 0x1234000;
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, true, NULL)); /* a VM exit happened */
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_REASON), HV_EXIT_ENTRY_FAIL_GUEST_STATE | HV_EXIT_REASON_ENTRY_FAILURE);
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_QUALIFICATION), 0);
    CHECK_EQ_U64(hv_arch_read_cr3(e.cpu), vmread(&e, VMCS_HOST_CR3)); /* host state loaded */
    /* a failed VMLAUNCH leaves the VMCS clear: VMRESUME is error 5 */
    CHECK_EQ_U64(sim_vmcs_launch_state(e.m, e.vmcs), SIM_VMCS_CLEAR);
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, false, NULL), 5);
    env_fini(&e);
}

/* The §27.2 memo (sim_entry_memo.h) never changes an outcome: after an entry that passed, a control,
 * host-state or guest-CR0 change made behind VMWRITE's back is still seen by the next entry. */
TEST_CASE(entry_memo_sees_changes_made_without_vmwrite)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    uint64_t *f = sim_vmcs_fields(e.m, e.vmcs);
    load_template(&e);
    sim_cpu_set_next_exit(e.cpu, HV_EXIT_CPUID, 0, 2);
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, true, NULL));
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_REASON), HV_EXIT_CPUID);
    CHECK(e.cpu->entry_memo.valid);
    /* unchanged: the resume passes (from the memo) */
    sim_cpu_set_next_exit(e.cpu, HV_EXIT_CPUID, 0, 2);
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, false, NULL));
    CHECK_EQ_U64(vmread(&e, VMCS_EXIT_REASON), HV_EXIT_CPUID);
    /* a control written straight into the region */
    uint64_t pin = f[HV_VMCS_ORD_PIN_BASED_VM_EXEC_CONTROL];
    f[HV_VMCS_ORD_PIN_BASED_VM_EXEC_CONTROL] = 0;
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, false, NULL), HV_VMXERR_ENTRY_INVALID_CONTROL);
    f[HV_VMCS_ORD_PIN_BASED_VM_EXEC_CONTROL] = pin;
    /* a host-state field */
    f[HV_VMCS_ORD_HOST_TR_SELECTOR] = 0;
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, false, NULL), HV_VMXERR_ENTRY_INVALID_HOST_STATE);
    f[HV_VMCS_ORD_HOST_TR_SELECTOR] = 0x18;
    /* an event injected behind VMWRITE's back: #GP without the error code protected mode requires
     * (§27.2.1.3) */
    sim_cpu_set_next_exit(e.cpu, HV_EXIT_CPUID, 0, 2);
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, false, NULL));
    f[HV_VMCS_ORD_VM_ENTRY_INTERRUPTION_INFO] = INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << 8) | 13;
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, false, NULL), HV_VMXERR_ENTRY_INVALID_CONTROL);
    f[HV_VMCS_ORD_VM_ENTRY_INTERRUPTION_INFO] = 0;
    /* the processor leaving IA-32e mode changes a §27.2.4 input */
    sim_cpu_set_next_exit(e.cpu, HV_EXIT_CPUID, 0, 2);
    CHECK_SUCCEED(hv_arch_vmenter(e.cpu, false, NULL));
    e.cpu->efer &= ~EFER_LMA;
    CHECK_FAIL_VALID(hv_arch_vmenter(e.cpu, false, NULL), HV_VMXERR_ENTRY_INVALID_HOST_STATE);
    env_fini(&e);
}

/* ================= INVEPT ================= */

static struct hv_invept_desc good_eptp(void)
{
    /* WB, 4-level walk, PML4 at some page */
    return (struct hv_invept_desc){.eptp = 0x200000 | 6 | (3u << 3)};
}

TEST_CASE(invept_ud_outside_vmx)
{
    struct env e;
    if (!env_init(&e))
        return;
    struct hv_invept_desc d = good_eptp();
    CHECK_FAULT(&e, hv_arch_invept(e.cpu, 2, &d), VEC_UD);
    env_fini(&e);
}

static void no_ept(struct sim_profile *p)
{
    p->vmx_msr[MSR_SLOT(MSR_IA32_VMX_PROCBASED_CTLS2)] &= ~((uint64_t)PROC2_ENABLE_EPT << 32);
}

TEST_CASE(invept_ud_without_ept)
{
    struct env e;
    if (!env_init_with(&e, no_ept))
        return;
    env_current(&e);
    struct hv_invept_desc d = good_eptp();
    CHECK_FAULT(&e, hv_arch_invept(e.cpu, 2, &d), VEC_UD);
    env_fini(&e);
}

static void no_invept(struct sim_profile *p) { p->vmx_msr[MSR_SLOT(MSR_IA32_VMX_EPT_VPID_CAP)] &= ~EPT_CAP_INVEPT; }

TEST_CASE(invept_ud_without_invept_capability)
{
    struct env e;
    if (!env_init_with(&e, no_invept))
        return;
    env_current(&e);
    struct hv_invept_desc d = good_eptp();
    CHECK_FAULT(&e, hv_arch_invept(e.cpu, 1, &d), VEC_UD);
    env_fini(&e);
}

TEST_CASE(invept_error28_unsupported_type)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    struct hv_invept_desc d = good_eptp();
    CHECK_FAIL_VALID(hv_arch_invept(e.cpu, 0, &d), HV_VMXERR_INVALID_INVEPT_INVVPID_OPERAND);
    CHECK_EQ_U64(error_field(&e), 28);
    CHECK_FAIL_VALID(hv_arch_invept(e.cpu, 3, &d), 28);
    CHECK_FAIL_VALID(hv_arch_invept(e.cpu, (1ull << 32) | 1, &d), 28);
    env_fini(&e);
}

static void no_invept_single(struct sim_profile *p)
{
    p->vmx_msr[MSR_SLOT(MSR_IA32_VMX_EPT_VPID_CAP)] &= ~EPT_CAP_INVEPT_SINGLE_CONTEXT;
}

TEST_CASE(invept_error28_type_not_in_capability)
{
    struct env e;
    if (!env_init_with(&e, no_invept_single))
        return;
    env_current(&e);
    struct hv_invept_desc d = good_eptp();
    CHECK_FAIL_VALID(hv_arch_invept(e.cpu, 1, &d), 28);
    CHECK_SUCCEED(hv_arch_invept(e.cpu, 2, &d));
    env_fini(&e);
}

TEST_CASE(invept_error28_single_context_invalid_eptp)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    struct hv_invept_desc d = good_eptp();
    CHECK_SUCCEED(hv_arch_invept(e.cpu, 1, &d));
    d.eptp = 0x200000 | 2 | (3u << 3); /* memory type 2 is reserved */
    CHECK_FAIL_VALID(hv_arch_invept(e.cpu, 1, &d), 28);
    CHECK_EQ_U64(error_field(&e), 28);
    d.eptp = 0x200000 | 6 | (1u << 3); /* 2-level walk (Bochs: "invalid EPTPTR value") */
    CHECK_FAIL_VALID(hv_arch_invept(e.cpu, 1, &d), 28);
    d.eptp = 0x200000 | 6 | (3u << 3) | 0x100; /* reserved bit 8 */
    CHECK_FAIL_VALID(hv_arch_invept(e.cpu, 1, &d), 28);
    d.eptp = (1ull << e.prof.maxphyaddr) | 6 | (3u << 3); /* beyond the physical-address width */
    CHECK_FAIL_VALID(hv_arch_invept(e.cpu, 1, &d), 28);
    /* all-context invalidation does not look at the EPTP */
    CHECK_SUCCEED(hv_arch_invept(e.cpu, 2, &d));
    /* the verdict is the VM-entry rule's, named */
    CHECK(sim_eptp_invalid(e.m, good_eptp().eptp) == NULL);
    CHECK_STREQ(sim_eptp_invalid(e.m, 0x200000 | 2 | (3u << 3)), "controls.eptp.memtype");
    env_fini(&e);
}

TEST_CASE(invept_failinvalid_without_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    struct hv_invept_desc d = good_eptp();
    CHECK_FAIL_INVALID(hv_arch_invept(e.cpu, 0, &d));
    CHECK_SUCCEED(hv_arch_invept(e.cpu, 2, &d));
    CHECK_NO_FAULT(&e);
    env_fini(&e);
}

/* ================= INVVPID ================= */

TEST_CASE(invvpid_ud_outside_vmx)
{
    struct env e;
    if (!env_init(&e))
        return;
    struct hv_invvpid_desc d = {.vpid = 1};
    CHECK_FAULT(&e, hv_arch_invvpid(e.cpu, 1, &d), VEC_UD);
    env_fini(&e);
}

static void no_vpid(struct sim_profile *p)
{
    p->vmx_msr[MSR_SLOT(MSR_IA32_VMX_PROCBASED_CTLS2)] &= ~((uint64_t)PROC2_ENABLE_VPID << 32);
}

TEST_CASE(invvpid_ud_without_vpid)
{
    struct env e;
    if (!env_init_with(&e, no_vpid))
        return;
    env_current(&e);
    struct hv_invvpid_desc d = {.vpid = 1};
    CHECK_FAULT(&e, hv_arch_invvpid(e.cpu, 1, &d), VEC_UD);
    env_fini(&e);
}

static void no_invvpid(struct sim_profile *p) { p->vmx_msr[MSR_SLOT(MSR_IA32_VMX_EPT_VPID_CAP)] &= ~VPID_CAP_INVVPID; }

TEST_CASE(invvpid_ud_without_invvpid_capability)
{
    struct env e;
    if (!env_init_with(&e, no_invvpid))
        return;
    env_current(&e);
    struct hv_invvpid_desc d = {.vpid = 1};
    CHECK_FAULT(&e, hv_arch_invvpid(e.cpu, 2, &d), VEC_UD);
    env_fini(&e);
}

TEST_CASE(invvpid_error28_unsupported_type)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    struct hv_invvpid_desc d = {.vpid = 1};
    CHECK_FAIL_VALID(hv_arch_invvpid(e.cpu, 4, &d), 28);
    CHECK_EQ_U64(error_field(&e), 28);
    CHECK_FAIL_VALID(hv_arch_invvpid(e.cpu, ~0ull, &d), 28);
    env_fini(&e);
}

static void no_invvpid_addr(struct sim_profile *p)
{
    p->vmx_msr[MSR_SLOT(MSR_IA32_VMX_EPT_VPID_CAP)] &= ~VPID_CAP_INDIVIDUAL_ADDRESS;
}

TEST_CASE(invvpid_error28_type_not_in_capability)
{
    struct env e;
    if (!env_init_with(&e, no_invvpid_addr))
        return;
    env_current(&e);
    struct hv_invvpid_desc d = {.vpid = 1, .linear_address = 0x1000};
    CHECK_FAIL_VALID(hv_arch_invvpid(e.cpu, 0, &d), 28);
    CHECK_SUCCEED(hv_arch_invvpid(e.cpu, 1, &d));
    env_fini(&e);
}

TEST_CASE(invvpid_error28_reserved_descriptor_bits)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    struct hv_invvpid_desc d = {.vpid = 1 | (1ull << 16)};
    CHECK_FAIL_VALID(hv_arch_invvpid(e.cpu, 2, &d), 28);
    CHECK_EQ_U64(error_field(&e), 28);
    d.vpid = 1ull << 63;
    CHECK_FAIL_VALID(hv_arch_invvpid(e.cpu, 1, &d), 28);
    env_fini(&e);
}

TEST_CASE(invvpid_error28_vpid_zero)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    struct hv_invvpid_desc d = {.vpid = 0, .linear_address = 0x1000};
    CHECK_FAIL_VALID(hv_arch_invvpid(e.cpu, 0, &d), 28);
    CHECK_FAIL_VALID(hv_arch_invvpid(e.cpu, 1, &d), 28);
    CHECK_FAIL_VALID(hv_arch_invvpid(e.cpu, 3, &d), 28);
    CHECK_EQ_U64(error_field(&e), 28);
    /* all-context invalidation takes any VPID, 0 included */
    CHECK_SUCCEED(hv_arch_invvpid(e.cpu, 2, &d));
    env_fini(&e);
}

TEST_CASE(invvpid_error28_noncanonical_address)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_current(&e);
    struct hv_invvpid_desc d = {.vpid = 1, .linear_address = 0x0000800000000000ull};
    CHECK_FAIL_VALID(hv_arch_invvpid(e.cpu, 0, &d), 28);
    CHECK_EQ_U64(error_field(&e), 28);
    d.linear_address = 0xffff800000000000ull;
    CHECK_SUCCEED(hv_arch_invvpid(e.cpu, 0, &d));
    d.linear_address = 0x00007ffffffff000ull;
    CHECK_SUCCEED(hv_arch_invvpid(e.cpu, 0, &d));
    /* single-context ignores the address */
    d.linear_address = 0x0000800000000000ull;
    CHECK_SUCCEED(hv_arch_invvpid(e.cpu, 1, &d));
    CHECK_SUCCEED(hv_arch_invvpid(e.cpu, 3, &d));
    env_fini(&e);
}

TEST_CASE(invvpid_failinvalid_without_current_vmcs)
{
    struct env e;
    if (!env_init(&e))
        return;
    env_vmxon(&e);
    struct hv_invvpid_desc d = {.vpid = 0};
    CHECK_FAIL_INVALID(hv_arch_invvpid(e.cpu, 1, &d));
    CHECK_NO_FAULT(&e);
    env_fini(&e);
}
