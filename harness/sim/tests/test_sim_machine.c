/* The simulated machine: creation limits, physical memory bounds, the page pool and its owner tags, fault
 * injection, and the non-VMX parts of arch.h (CR and MSR access). */
#include "sim_machine.h"
#include "sim_msr.h"
#include "sim_vmcs.h"
#include "testlib.h"

#include <hv/vmx_errors.h>
#include <hv/x86.h>

static const struct sim_profile *haswell(void)
{
    const struct sim_profile *p = sim_profile_find("bochs-haswell");
    CHECK(p != NULL);
    return p;
}

TEST_CASE(machine_create_rejects_bad_arguments)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    CHECK(sim_machine_create(NULL, 4, 1) == NULL);
    CHECK(sim_machine_create(p, 0, 1) == NULL);
    CHECK(sim_machine_create(p, SIM_MAX_PAGES + 1, 1) == NULL);
    CHECK(sim_machine_create(p, 4, 0) == NULL);
    CHECK(sim_machine_create(p, 4, SIM_MAX_CPUS + 1) == NULL);
    /* the arena must fit under the physical-address width */
    struct sim_profile narrow = *p;
    narrow.maxphyaddr = 20; /* 1 MiB: not even the arena base fits */
    CHECK(sim_machine_create(&narrow, 1, 1) == NULL);
    struct sim_machine *m = sim_machine_create(p, 4, SIM_MAX_CPUS);
    CHECK(m != NULL);
    CHECK(sim_machine_cpu(m, SIM_MAX_CPUS - 1) != NULL);
    CHECK(sim_machine_cpu(m, SIM_MAX_CPUS) == NULL);
    sim_machine_destroy(m);
    sim_machine_destroy(NULL);
}

TEST_CASE(machine_cpu_reset_state)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 4, 2);
    struct hv_arch_cpu *c = sim_machine_cpu(m, 1);
    CHECK_EQ_U64(c->id, 1);
    CHECK_EQ_U64(hv_arch_read_cr0(c), SIM_RESET_CR0);
    CHECK_EQ_U64(hv_arch_read_cr4(c), SIM_RESET_CR4);
    uint64_t v = 0;
    CHECK(hv_arch_rdmsr(c, MSR_IA32_EFER, &v));
    CHECK_EQ_U64(v, SIM_RESET_EFER);
    CHECK(hv_arch_rdmsr(c, MSR_IA32_FEATURE_CONTROL, &v));
    CHECK_EQ_U64(v, p->feature_control);
    CHECK(hv_arch_rdmsr(c, MSR_IA32_VMX_BASIC, &v));
    CHECK_EQ_U64(v, sim_profile_vmx_msr(p, MSR_IA32_VMX_BASIC));
    CHECK(!hv_arch_rdmsr(c, 0x12345678u, &v));
    CHECK(!c->in_vmx_operation);
    CHECK_EQ_U64(c->current_vmcs, SIM_NO_VMCS);
    sim_machine_destroy(m);
}

TEST_CASE(phys_ptr_bounds)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 2, 1);
    uint64_t end = SIM_PHYS_BASE + 2 * SIM_PAGE_SIZE;
    CHECK(sim_phys_ptr(m, 0, 1) == NULL);
    CHECK(sim_phys_ptr(m, SIM_PHYS_BASE - 1, 1) == NULL);
    CHECK(sim_phys_ptr(m, SIM_PHYS_BASE - 1, 2) == NULL);
    CHECK(sim_phys_ptr(m, SIM_PHYS_BASE, 2 * SIM_PAGE_SIZE) != NULL);
    CHECK(sim_phys_ptr(m, SIM_PHYS_BASE, 2 * SIM_PAGE_SIZE + 1) == NULL);
    CHECK(sim_phys_ptr(m, end - 8, 8) != NULL);
    CHECK(sim_phys_ptr(m, end - 8, 9) == NULL);
    CHECK(sim_phys_ptr(m, end, 0) == NULL);
    CHECK(sim_phys_ptr(m, ~0ull, 2) == NULL);
    CHECK(sim_phys_ptr(m, SIM_PHYS_BASE + 8, SIZE_MAX) == NULL);
    uint64_t x = 0x1122334455667788ull, y = 0;
    CHECK(sim_phys_write(m, end - 8, &x, 8));
    CHECK(sim_phys_read(m, end - 8, &y, 8));
    CHECK_EQ_U64(y, x);
    CHECK(!sim_phys_read(m, end - 4, &y, 8));
    struct ec_memory mem = sim_machine_ec_memory(m);
    y = 0;
    CHECK(mem.read(mem.opaque, end - 8, &y, 8));
    CHECK_EQ_U64(y, x);
    sim_machine_destroy(m);
}

TEST_CASE(page_pool_balance_and_owners)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 3, 1);
    struct hv_arch_cpu *c = sim_machine_cpu(m, 0);
    CHECK_EQ_U64(sim_pages_total(m), 3);
    hv_paddr_t a = hv_arch_page_alloc(c);
    CHECK_EQ_U64(a, SIM_PHYS_BASE);
    CHECK_EQ_U64(sim_page_owner(m, a + 100), SIM_OWNER_HOST);
    uint32_t old = sim_machine_set_alloc_owner(m, 7);
    CHECK_EQ_U64(old, SIM_OWNER_HOST);
    hv_paddr_t b = hv_arch_page_alloc(c);
    hv_paddr_t d = hv_arch_page_alloc(c);
    CHECK(b != 0 && d != 0);
    CHECK_EQ_U64(sim_page_owner(m, b), 7);
    CHECK_EQ_U64(hv_arch_page_alloc(c), 0); /* empty */
    CHECK_EQ_U64(sim_pages_in_use(m), 3);
    /* pages come zeroed, even when they were dirty before */
    unsigned char *pb = hv_arch_phys_to_virt(c, b);
    CHECK(pb != NULL);
    pb[5] = 0xaa;
    hv_arch_page_free(c, b);
    CHECK_EQ_U64(sim_page_owner(m, b), SIM_OWNER_FREE);
    CHECK(hv_arch_phys_to_virt(c, b) == NULL); /* not handed out any more */
    hv_paddr_t b2 = hv_arch_page_alloc(c);
    CHECK_EQ_U64(b2, b);
    CHECK_EQ_U64(((unsigned char *)hv_arch_phys_to_virt(c, b2))[5], 0);
    /* bad frees are counted, not obeyed */
    hv_arch_page_free(c, b2 + 8);
    hv_arch_page_free(c, 0);
    hv_arch_page_free(c, SIM_PHYS_BASE + 3 * SIM_PAGE_SIZE);
    CHECK_EQ_U64(sim_bad_frees(m), 3);
    hv_arch_page_free(c, a);
    hv_arch_page_free(c, a); /* double free */
    CHECK_EQ_U64(sim_bad_frees(m), 4);
    hv_arch_page_free(c, b2);
    hv_arch_page_free(c, d);
    CHECK_EQ_U64(sim_pages_in_use(m), 0);
    CHECK_EQ_U64(sim_page_owner(m, 0x1000), SIM_OWNER_NONE);
    sim_page_set_owner(m, a, 9); /* free pages are not tagged */
    CHECK_EQ_U64(sim_page_owner(m, a), SIM_OWNER_FREE);
    sim_machine_destroy(m);
}

TEST_CASE(inject_page_alloc_failure)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 8, 1);
    sim_inject_page_alloc_failure(m, 0);
    CHECK_EQ_U64(sim_page_alloc(m), 0);
    CHECK(sim_page_alloc(m) != 0); /* one shot */
    sim_inject_page_alloc_failure(m, 2);
    CHECK(sim_page_alloc(m) != 0);
    CHECK(sim_page_alloc(m) != 0);
    CHECK_EQ_U64(sim_page_alloc(m), 0);
    CHECK_EQ_U64(sim_pages_in_use(m), 3);
    sim_inject_page_alloc_failure(m, 0);
    sim_inject_clear(m);
    CHECK(sim_page_alloc(m) != 0);
    sim_machine_destroy(m);
}

/* VMXON on cpu with a fresh region; returns the VMCS made current. */
static hv_paddr_t vmx_up(struct sim_machine *m, struct hv_arch_cpu *c)
{
    uint32_t rev = (uint32_t)(sim_profile_vmx_msr(sim_machine_profile(m), MSR_IA32_VMX_BASIC) & 0x7fffffffu);
    hv_paddr_t on = sim_page_alloc(m), vmcs = sim_page_alloc(m);
    sim_phys_write(m, on, &rev, 4);
    sim_phys_write(m, vmcs, &rev, 4);
    hv_arch_write_cr4(c, hv_arch_read_cr4(c) | CR4_VMXE);
    CHECK_EQ_U64(hv_arch_vmxon(c, on).status, HV_VMSUCCEED);
    CHECK_EQ_U64(hv_arch_vmptrld(c, vmcs).status, HV_VMSUCCEED);
    return vmcs;
}

TEST_CASE(inject_vmx_failure_any_instruction)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 8, 1);
    struct hv_arch_cpu *c = sim_machine_cpu(m, 0);
    vmx_up(m, c);
    sim_inject_vmx_failure(m, SIM_INSN_ANY, HV_VMFAIL_VALID, 7);
    struct hv_vmx_result r = hv_arch_vmwrite(c, VMCS_GUEST_RIP, 0x1000);
    CHECK_EQ_U64(r.status, HV_VMFAIL_VALID);
    CHECK_EQ_U64(r.error, 7);
    uint64_t v = 1;
    CHECK_EQ_U64(hv_arch_vmread(c, VMCS_GUEST_RIP, &v).status, HV_VMSUCCEED);
    CHECK_EQ_U64(v, 0); /* the failed VMWRITE did nothing */
    CHECK_EQ_U64(hv_arch_vmread(c, 0x4400, &v).status, HV_VMSUCCEED);
    CHECK_EQ_U64(v, 7);
    sim_machine_destroy(m);
}

TEST_CASE(inject_vmx_failure_of_one_kind)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 8, 1);
    struct hv_arch_cpu *c = sim_machine_cpu(m, 0);
    vmx_up(m, c);
    sim_inject_vmx_failure(m, SIM_INSN_VMRESUME, HV_VMFAIL_INVALID, 0);
    uint64_t v;
    CHECK_EQ_U64(hv_arch_vmread(c, VMCS_GUEST_RIP, &v).status, HV_VMSUCCEED); /* not a VMRESUME */
    struct hv_vmx_result r = hv_arch_vmenter(c, false, NULL);
    CHECK_EQ_U64(r.status, HV_VMFAIL_INVALID); /* instead of error 5 */
    CHECK(!sim_cpu_last_fault(c)->raised);
    r = hv_arch_vmenter(c, false, NULL);
    CHECK_EQ_U64(r.status, HV_VMFAIL_VALID);
    CHECK_EQ_U64(r.error, HV_VMXERR_VMRESUME_NONLAUNCHED_VMCS);
    sim_machine_destroy(m);
}

TEST_CASE(cr_writes_in_vmx_operation)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 8, 1);
    struct hv_arch_cpu *c = sim_machine_cpu(m, 0);
    vmx_up(m, c);
    uint64_t cr4 = hv_arch_read_cr4(c);
    /* CR4.VMXE cannot be cleared in VMX operation (SDM Vol. 3 §24.8): #GP, nothing changes */
    hv_arch_write_cr4(c, cr4 & ~CR4_VMXE);
    CHECK(sim_cpu_last_fault(c)->raised);
    CHECK_EQ_U64(sim_cpu_last_fault(c)->vector, VEC_GP);
    CHECK_EQ_U64(hv_arch_read_cr4(c), cr4);
    uint64_t cr0 = hv_arch_read_cr0(c);
    hv_arch_write_cr0(c, cr0 & ~0x20ull); /* NE is fixed to 1 */
    CHECK_EQ_U64(hv_arch_read_cr0(c), cr0);
    CHECK_EQ_U64(sim_cpu_fault_count(c), 2);
    /* a VMX instruction clears the record of the earlier fault, the count stays */
    hv_paddr_t cur;
    hv_arch_vmptrst(c, &cur);
    CHECK(!sim_cpu_last_fault(c)->raised);
    CHECK_EQ_U64(sim_cpu_fault_count(c), 2);
    sim_machine_destroy(m);
}

TEST_CASE(msr_writes)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 8, 1);
    struct hv_arch_cpu *c = sim_machine_cpu(m, 0);
    uint64_t v = 0;
    CHECK(!hv_arch_wrmsr(c, MSR_IA32_VMX_BASIC, 0)); /* read-only */
    CHECK_EQ_U64(sim_cpu_last_fault(c)->vector, VEC_GP);
    CHECK(hv_arch_rdmsr(c, 0x277, &v)); /* IA32_PAT reset value */
    CHECK_EQ_U64(v, 0x0007040600070406ull);
    CHECK(hv_arch_wrmsr(c, 0x277, 0x0606060606060606ull));
    CHECK(hv_arch_rdmsr(c, 0x277, &v));
    CHECK_EQ_U64(v, 0x0606060606060606ull);
    CHECK(!hv_arch_wrmsr(c, 0x277, 0x0202020202020202ull)); /* memory type 2 is reserved */
    CHECK(!hv_arch_wrmsr(c, MSR_IA32_EFER, SIM_RESET_EFER & ~0x100ull)); /* LME with paging on */
    CHECK(hv_arch_rdmsr(c, MSR_IA32_EFER, &v));
    CHECK_EQ_U64(v, SIM_RESET_EFER);
    sim_machine_destroy(m);
}

static void collect(void *opaque, unsigned cpu, const char *line)
{
    (void)cpu;
    snprintf(opaque, 64, "%s", line);
}

TEST_CASE(log_goes_to_callback)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 1, 1);
    hv_arch_log(sim_machine_cpu(m, 0), "dropped"); /* no callback: discarded */
    char buf[64] = "";
    sim_machine_set_log(m, collect, buf);
    hv_arch_log(sim_machine_cpu(m, 0), "hello");
    CHECK_STREQ(buf, "hello");
    sim_machine_destroy(m);
}

/* ---- reuse: reset and snapshot (issue 7's cheap reset) ---- */

static bool page_is(struct sim_machine *m, hv_paddr_t pa, uint8_t byte)
{
    const uint8_t *p = sim_phys_ptr(m, pa, SIM_PAGE_SIZE);
    if (!p)
        return false;
    for (unsigned i = 0; i < SIM_PAGE_SIZE; i++)
        if (p[i] != byte)
            return false;
    return true;
}

TEST_CASE(machine_reset_is_a_fresh_machine)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 16, 2);
    hv_paddr_t a = sim_page_alloc(m), b = sim_page_alloc(m);
    CHECK(a == SIM_PHYS_BASE && b == SIM_PHYS_BASE + SIM_PAGE_SIZE); /* lowest first */
    memset(sim_phys_ptr(m, b, SIM_PAGE_SIZE), 0xab, SIM_PAGE_SIZE);
    uint8_t junk = 0x5a; /* a page never allocated, written through the physical-memory API */
    CHECK(sim_phys_write(m, SIM_PHYS_BASE + 9 * SIM_PAGE_SIZE + 17, &junk, 1));
    sim_page_free(m, a);
    sim_page_free(m, 0x1234); /* counted as a bad free */
    sim_inject_page_alloc_failure(m, 3);
    sim_machine_cpu(m, 1)->cr4 |= 1u << 13;

    CHECK(!sim_machine_reset(m, 0));
    CHECK(!sim_machine_reset(m, 17)); /* above the capacity */
    CHECK(sim_machine_reset(m, 8));
    CHECK(sim_pages_total(m) == 8 && sim_pages_in_use(m) == 0 && sim_bad_frees(m) == 0);
    CHECK(sim_page_owner(m, b) == SIM_OWNER_FREE);
    CHECK(sim_phys_ptr(m, SIM_PHYS_BASE + 8 * SIM_PAGE_SIZE, 1) == NULL); /* beyond the 8 pages now */
    CHECK(sim_machine_cpu(m, 1)->cr4 == SIM_RESET_CR4);
    CHECK(sim_machine_reset(m, 16));
    CHECK(page_is(m, b, 0) && page_is(m, SIM_PHYS_BASE + 9 * SIM_PAGE_SIZE, 0));
    /* the pool hands out the same addresses in the same order as on a new machine, with no injection armed */
    for (unsigned i = 0; i < 5; i++)
        CHECK(sim_page_alloc(m) == SIM_PHYS_BASE + (uint64_t)i * SIM_PAGE_SIZE);
    sim_machine_destroy(m);
}

TEST_CASE(machine_snapshot_restore_undoes_only_what_changed)
{
    const struct sim_profile *p = haswell();
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 64, 1);
    CHECK(!sim_machine_restore(m)); /* no snapshot yet */
    hv_paddr_t keep = sim_page_alloc(m), gone = sim_page_alloc(m);
    memset(sim_phys_ptr(m, keep, SIM_PAGE_SIZE), 0x11, SIM_PAGE_SIZE);
    sim_page_set_owner(m, keep, 7);
    sim_page_free(m, gone);
    uint32_t vmx_before = sim_machine_next_vmx_session(m);
    CHECK(sim_machine_snapshot(m));
    CHECK(sim_machine_has_snapshot(m));

    for (int round = 0; round < 3; round++) {
        /* dirty everything a run can: contents, pool, owners, bad frees, CPU state, injections */
        memset(sim_phys_ptr(m, keep, SIM_PAGE_SIZE), 0x22, SIM_PAGE_SIZE);
        hv_paddr_t again = sim_page_alloc(m); /* the freed page first */
        CHECK(again == gone);
        hv_paddr_t fresh = sim_page_alloc(m);
        memset(sim_phys_ptr(m, fresh, SIM_PAGE_SIZE), 0x33, SIM_PAGE_SIZE);
        sim_page_free(m, keep);
        sim_page_free(m, keep); /* bad */
        sim_machine_cpu(m, 0)->cr0 = 0;
        sim_inject_vmx_failure(m, SIM_INSN_VMREAD, HV_VMFAIL_INVALID, 0);
        (void)sim_machine_next_vmx_session(m);

        CHECK(sim_machine_restore(m));
        CHECK(page_is(m, keep, 0x11) && page_is(m, fresh, 0));
        CHECK(sim_page_owner(m, keep) == 7 && sim_page_owner(m, gone) == SIM_OWNER_FREE &&
              sim_page_owner(m, fresh) == SIM_OWNER_FREE);
        CHECK(sim_pages_in_use(m) == 1 && sim_bad_frees(m) == 0);
        CHECK(sim_machine_cpu(m, 0)->cr0 == SIM_RESET_CR0);
        CHECK(!sim_vmx_injection_armed(m));
        CHECK(sim_machine_next_vmx_session(m) == vmx_before + 1);
        CHECK(sim_machine_restore(m)); /* the snapshot stays: restoring twice is the same */
    }
    /* a reset drops the snapshot and zeroes what the snapshot held */
    CHECK(sim_machine_reset(m, 64));
    CHECK(!sim_machine_has_snapshot(m) && page_is(m, keep, 0));
    sim_machine_destroy(m);
}
