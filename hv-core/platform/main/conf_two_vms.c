/* conf-two-vms: two VMs created together on one CPU, stepped alternately (A, B, A, B ...). Each step makes its
 * VM's VMCS current first (VMPTRLD, SDM Vol. 3 §25.1, §31.3: VMRESUME/VMREAD act on the current VMCS): after
 * each step the CPU's current VMCS is the stepped VM's. Each VM has its own VMCS, EPT and memory: the same
 * program stores a per-VM token at GPA 0x200000 (its own lazily backed page) and reads its own back; each
 * has its own first-entry VMLAUNCH fallback (§31.4 error 5) and exits (EPT violation, CPUID, VMCALL, HLT);
 * both halt; after both are destroyed every page has come back. Guest: guests/conf_two_vms.S.
 * No trace differential: the two VMs' HVREC lines interleave in one log and carry no VM number. */
#include "conf1.h"

#include <hv/hypercall.h>

extern const uint8_t hvkit_guest_conf_two_vms_start[], hvkit_guest_conf_two_vms_end[];
extern const uint8_t conf_tv_1[], conf_tv_2[], conf_tv_3[];

/* EPT violation qualification (§28.2.1 Table 28-7): bit 1 data write, bits 5:3 the page's permissions (0). */
static const struct conf1_exit exits[] = {
    {HV_EXIT_EPT_VIOLATION, HV_EXIT_RESUME, 0, conf_tv_1, 0x2, 0x3f},
    {HV_EXIT_CPUID, HV_EXIT_RESUME, 2, conf_tv_2, 0, ~0ull},
    {HV_EXIT_VMCALL, HV_EXIT_RESUME, 3, conf_tv_3, 0, ~0ull},
    {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, ~0ull},
};
#define TOKEN_A 0xaaaa0000aaaa0001ull
#define TOKEN_B 0xbbbb0000bbbb0002ull
static const uint64_t expected_a[] = {TOKEN_A, HV_HC_ABI_VERSION};
static const uint64_t expected_b[] = {TOKEN_B, HV_HC_ABI_VERSION};

static bool put_token(struct conf1_run *r, uint64_t token)
{
    if (!hv_gpa_write(&r->t.vm, CONF1_SCRATCH_GPA, &token, sizeof token))
        return test_vm_fail(&r->t, "writing the token: %s", r->t.vm.message);
    return true;
}
static bool setup_a(struct conf1_run *r) { return put_token(r, TOKEN_A); }
static bool setup_b(struct conf1_run *r) { return put_token(r, TOKEN_B); }

/* Each VM's own page at 0x200000 holds its own token, read by the host through that VM's EPT. */
static bool check_own_memory(struct conf1_run *r, uint64_t token)
{
    uint64_t v = 0;
    if (!hv_gpa_read(&r->t.vm, CONF1_LAZY_GPA, &v, sizeof v) || v != token)
        return test_vm_fail(&r->t, "GPA 0x200000 holds 0x%llx, expected this VM's token 0x%llx",
                            (unsigned long long)v, (unsigned long long)token);
    if (r->t.vm.stats.pages_faulted != 1)
        return test_vm_fail(&r->t, "%llu pages faulted in, expected 1", (unsigned long long)r->t.vm.stats.pages_faulted);
    return conf1_check_one_fallback(r);
}
static bool check_a(struct conf1_run *r) { return check_own_memory(r, TOKEN_A); }
static bool check_b(struct conf1_run *r) { return check_own_memory(r, TOKEN_B); }

static struct conf1_run runs[2];

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_case a = {
        .name = "conf-two-vms",
        .code = hvkit_guest_conf_two_vms_start,
        .code_end = hvkit_guest_conf_two_vms_end,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .results = expected_a,
        .nresults = 2,
        .end = HV_STEP_HALTED,
        .setup = setup_a,
        .check = check_a,
    };
    static struct conf1_case b; /* A's program and exits in a second VM, with its own token */
    b = a;
    b.vm_index_offset = 1;
    b.results = expected_b;
    b.setup = setup_b;
    b.check = check_b;
    enum test_outcome out;
    struct hvkit_cpu *c = test_need_vmx(a.name, &out);
    if (!c)
        return out;
    size_t free_before = pmm_free_pages();
    const struct conf1_case *cases[2] = {&a, &b};
    for (unsigned k = 0; k < 2; k++) {
        out = conf1_start(&runs[k], cases[k], c, opt);
        if (out != TEST_PASS) {
            test_result(a.name, test_outcome_word(out), "VM %c: %s", 'A' + k, runs[k].t.why);
            if (k == 1)
                hv_vm_destroy(&runs[0].t.vm);
            return out;
        }
    }
    bool ok = true;
    unsigned switches = 0;
    if (runs[0].t.vm.vmcs == runs[1].t.vm.vmcs || runs[0].t.vm.ept_root == runs[1].t.vm.ept_root)
        ok = test_vm_fail(&runs[0].t, "the two VMs share a VMCS (0x%llx) or an EPT root (0x%llx)",
                          (unsigned long long)runs[0].t.vm.vmcs, (unsigned long long)runs[0].t.vm.ept_root);
    /* Alternate until both are done; after each step the stepped VM's VMCS must be the current one. */
    for (unsigned i = 0; ok && i < 2 * CONF1_MAX_STEPS; i++) {
        struct conf1_run *r = &runs[i & 1];
        if (r->end != HV_STEP_CONTINUE)
            continue;
        hv_paddr_t before = c->hv.current_vmcs;
        conf1_step(r);
        if (before != r->t.vm.vmcs)
            switches++;
        if (r->end != HV_STEP_KILLED && c->hv.current_vmcs != r->t.vm.vmcs)
            ok = test_vm_fail(&r->t, "after a step of VM %c the current VMCS is 0x%llx, not its 0x%llx", 'A' + (i & 1),
                              (unsigned long long)c->hv.current_vmcs, (unsigned long long)r->t.vm.vmcs);
        if (runs[0].end != HV_STEP_CONTINUE && runs[1].end != HV_STEP_CONTINUE)
            break;
    }
    /* Every step of one VM after a step of the other needs the VMPTRLD: 4 exits each, strictly alternating. */
    if (ok && switches < 7)
        ok = test_vm_fail(&runs[0].t, "%u VMCS switches, expected at least 7 for strictly alternating steps", switches);
    bool ok_a = ok && conf1_check(&runs[0]);
    bool ok_b = ok && conf1_check(&runs[1]);
    /* One balance for both: a VM's own count would see the other's lazily backed pages come and go. */
    hv_vm_destroy(&runs[1].t.vm);
    hv_vm_destroy(&runs[0].t.vm);
    bool fin_a = true, fin_b = true;
    if (pmm_free_pages() != free_before)
        ok = test_vm_fail(&runs[0].t, "%ld pages not returned after both VMs were destroyed",
                          (long)free_before - (long)pmm_free_pages());
    if (!(ok && ok_a && ok_b && fin_a && fin_b)) {
        const struct conf1_run *bad = (!ok || !ok_a || !fin_a) ? &runs[0] : &runs[1];
        test_result(a.name, "FAIL", "VM %c: %s", bad == &runs[0] ? 'A' : 'B', bad->t.why);
        return TEST_FAIL;
    }
    test_result(a.name, "PASS", "exits=%u,%u vmcs_switches=%u tokens=own pages=balanced", runs[0].t.log.n,
                runs[1].t.log.n, switches);
    return TEST_PASS;
}
HVKIT_TEST("conf-two-vms", run);
