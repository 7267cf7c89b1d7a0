/* hostile-msr: a guest WRMSR to a host MSR nothing switches (IA32_MTRR_DEF_TYPE, 2FFH) must not reach the
 * host. The guest (guests/hostile_msr_guest.S) writes 0 (MTRRs off, all memory UC, SDM Vol. 3 §13.11.2.1);
 * PASS when the host's IA32_MTRR_DEF_TYPE is unchanged after the run, however the VM ended. A changed value
 * is put back at once (then FAIL naming both values), so the rest of the run is unaffected.
 *   HVKIT-RESULT hostile-msr PASS exits=<n> end=<halted|killed>
 *   HVKIT-RESULT hostile-msr FAIL guest WRMSR 0x2ff reached the host: 0x<before> -> 0x<after> ...
 *   HVKIT-RESULT hostile-msr SKIP no MTRRs (CPUID.1:EDX.MTRR = 0) */
#include "main.h"

extern const uint8_t hvkit_guest_hostile_msr_start[], hvkit_guest_hostile_msr_end[];

#define MSR_IA32_MTRR_DEF_TYPE 0x2ffu /* SDM Vol. 4 Table 2-2 */
#define HOSTILE_MAX_EXITS 16u

static struct test_vm hostile_vm;

static const struct test_guest hostile_guest =
    TEST_SMALL_PROGRAM64(hvkit_guest_hostile_msr_start, hvkit_guest_hostile_msr_end);

enum test_outcome test_hostile_msr(const struct test_options *opt)
{
    enum test_outcome out;
    struct hvkit_cpu *c = test_need_vmx("hostile-msr", &out);
    if (!c)
        return out;
    uint64_t before = 0, after = 0;
    if (!hv_arch_rdmsr(c->hv.arch, MSR_IA32_MTRR_DEF_TYPE, &before)) {
        test_result("hostile-msr", "SKIP", "no MTRRs (CPUID.1:EDX.MTRR = 0)");
        return TEST_PASS;
    }
    out = test_vm_start(&hostile_vm, "hostile-msr", c, &hostile_guest, VM_INDEX_HOSTILE_MSR, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = test_vm_run(&hostile_vm, HOSTILE_MAX_EXITS);
    bool pages_back = test_vm_finish(&hostile_vm); /* a VM killed over a hostile MSR returns every page too */
    hv_arch_rdmsr(c->hv.arch, MSR_IA32_MTRR_DEF_TYPE, &after);
    if (after != before) {
        /* Put the host back first: the value is known-good (it is what the host ran with). */
        __asm__ __volatile__("wrmsr" : : "c"(MSR_IA32_MTRR_DEF_TYPE), "a"((uint32_t)before),
                             "d"((uint32_t)(before >> 32)) : "memory");
        test_result("hostile-msr", "FAIL", "guest WRMSR 0x2ff reached the host: 0x%llx -> 0x%llx "
                    "(its MSR-bitmap write bit is clear, SDM Vol. 3 §25.6.9; restored)",
                    (unsigned long long)before, (unsigned long long)after);
        return TEST_FAIL;
    }
    if (r == HV_STEP_CONTINUE) {
        test_result("hostile-msr", "FAIL", "the guest was still running after %u exits", hostile_vm.log.n);
        return TEST_FAIL;
    }
    if (!pages_back) {
        test_result("hostile-msr", "FAIL", "%s", hostile_vm.why);
        return TEST_FAIL;
    }
    test_result("hostile-msr", "PASS", "exits=%u end=%s", hostile_vm.log.n, test_step_name(r));
    return TEST_PASS;
}
