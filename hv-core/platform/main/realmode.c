/* The real-mode test (issue 9 item 4): a "booted machine" VM (HV_GUEST_REAL_MODE) running
 * guests/realmode_guest.S from 0000:7C00, every exit printed (HVKIT-EXIT), then checked like smoke.c: the
 * exits in order with their actions and instruction lengths, the I/O qualifications, what the port and MMIO
 * handlers saw, what the guest left in its RAM, the hypercall's answer, the run ending halted, every page back.
 *   HVKIT-RESULT realmode PASS exits=<n> us=<guest run time>
 *   HVKIT-RESULT realmode FAIL <the first thing that was wrong>
 *   HVKIT-RESULT realmode SKIP no unrestricted guest      (IA32_VMX_PROCBASED_CTLS2 allowed-1 bit 7 = 0)
 *   HVKIT-RESULT realmode REFUSED <the core's reason>
 * A real-mode guest needs "unrestricted guest": VM entry otherwise requires CR0.PE = PG = 1 (SDM Vol. 3
 * §27.3.1.1), and the core refuses the mode without it (hv-core/src/caps.c). The test asks the processor
 * first, so a CPU without it (Bochs' Penryn) is a SKIP, not a REFUSED that would end the whole run. */
#include "../guests/realmode_layout.h"
#include "main.h"

#include <hv/exit_reasons.h>
#include <hv/hypercall.h>
#include <hv/msr.h>
#include <hv/vmx_controls.h>

extern const uint8_t hvkit_guest_realmode_start[], hvkit_guest_realmode_end[]; /* guests/realmode_guest.S */

#define RM_MAX_EXITS 32u /* the guest needs 7; a runaway guest is cut off here */
_Static_assert(RM_MMIO_GPA == RM_MMIO_SEGMENT << 4, "real mode: base = selector << 4 (SDM Vol. 3 §20.1.1)");

/* Large (regions, devices, stats): static, not on the kernel stack. */
static struct test_vm rm;

/* The VM: RAM, the MMIO region over the VGA text buffer, the port, the code at 0000:7C00. */
static const struct test_guest realmode_guest = {
    .cfg = {
        .memory_size = RM_MEMORY,
        .memory_quota_pages = RM_QUOTA_PAGES,
        .mode = HV_GUEST_REAL_MODE,
        .entry = RM_CODE_GPA,
        .stack = RM_STACK_TOP,
    },
    .code = hvkit_guest_realmode_start,
    .code_end = hvkit_guest_realmode_end,
    .port = RM_PORT,
    .port_in_value = RM_IN_VALUE,
    .mmio_gpa = RM_MMIO_GPA,
    .mmio_size = RM_MMIO_SIZE,
    .mmio_name = "realmode-vga-text",
};

static const struct test_expect expected[] = {
    {HV_EXIT_CPUID, HV_EXIT_RESUME, 2, 0, 0},          /* 0F A2 */
    {HV_EXIT_IO_INSTRUCTION, HV_EXIT_RESUME, 2, 0, 4}, /* 66 EF: OUT DX, EAX */
    {HV_EXIT_IO_INSTRUCTION, HV_EXIT_RESUME, 1, 1, 2}, /* ED: IN AX, DX */
    TEST_EXPECT_WRITES_VMCALL_HLT,                     /* EPT violation, EPT misconfiguration, VMCALL, HLT */
};
#define EXPECTED_EXITS ((unsigned)(sizeof expected / sizeof expected[0]))

/* What the guest left behind: its port and MMIO accesses, page 0, the hypercall's answer in AX and in RAM. */
static bool check_effects(struct test_vm *t)
{
    struct hv_vm *v = &t->vm;
    if (!test_check_port(t, RM_PORT, 4, 1))
        return false;
    if (t->dev.in_port != RM_PORT || t->dev.in_size != 2)
        return test_vm_fail(t, "IN port=0x%x size=%u, expected port=0x%x size=2", t->dev.in_port, t->dev.in_size,
                            RM_PORT);
    if (!test_check_mmio_write(t, RM_MMIO_GPA, 2, RM_MMIO_VALUE))
        return false;
    uint16_t lazy = 0, result = 0;
    if (!hv_gpa_read(v, RM_LAZY_GPA, &lazy, sizeof lazy) || lazy != RM_IN_VALUE)
        return test_vm_fail(t, "GPA 0x%x holds 0x%x, expected 0x%x (the IN's value)", RM_LAZY_GPA, lazy, RM_IN_VALUE);
    if (v->stats.pages_faulted != 1)
        return test_vm_fail(t, "%llu RAM pages faulted in, expected 1 (page 0)",
                            (unsigned long long)v->stats.pages_faulted);
    if (!test_check_version_call(t))
        return false;
    if (!hv_gpa_read(v, RM_RESULT_GPA, &result, sizeof result) || result != HV_HC_ABI_VERSION)
        return test_vm_fail(t, "GPA 0x%x holds 0x%x, expected %u (AX after VMCALL)", RM_RESULT_GPA, result,
                            HV_HC_ABI_VERSION);
    return true;
}

/* "unrestricted guest" is secondary processor-based control bit 7 (SDM Vol. 3 §25.6.2, Table 25-7); it may be
 * 1 when bit 39 (bit 7 of the allowed-1 half) of IA32_VMX_PROCBASED_CTLS2 is set (§A.3.3). That MSR exists
 * only with "activate secondary controls" allowed (§A.3.2), which hv_arch_rdmsr checks (false otherwise). */
static bool has_unrestricted_guest(struct hvkit_cpu *c)
{
    uint64_t ctls2 = 0;
    if (!hv_arch_rdmsr(c->hv.arch, MSR_IA32_VMX_PROCBASED_CTLS2, &ctls2))
        return false;
    return ((ctls2 >> 32) & PROC2_UNRESTRICTED_GUEST) != 0;
}

enum test_outcome test_realmode(const struct test_options *opt)
{
    enum test_outcome out;
    struct hvkit_cpu *c = test_need_vmx("realmode", &out);
    if (!c)
        return out;
    if (!has_unrestricted_guest(c)) {
        test_result("realmode", "SKIP", "no unrestricted guest");
        return TEST_PASS;
    }
    /* hvkit.record=1 records it as smoke.c does (the profile names the matching sim profile). */
    out = test_vm_start(&rm, "realmode", c, &realmode_guest, VM_INDEX_REALMODE, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = test_vm_run(&rm, RM_MAX_EXITS);
    bool ok = test_check_halted(&rm, r) && test_check_exits(&rm, expected, EXPECTED_EXITS, RM_PORT) &&
              check_effects(&rm);
    ok = test_vm_finish(&rm) && ok;
    if (!ok) {
        test_result("realmode", "FAIL", "%s", rm.why);
        return TEST_FAIL;
    }
    test_result("realmode", "PASS", "exits=%u us=%llu", rm.log.n, (unsigned long long)rm.us);
    return TEST_PASS;
}
