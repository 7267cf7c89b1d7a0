/* conf-msr-bitmap: the MSR policy table at the top of hv-core/src/msr_virt.c, from the guest
 * (guests/conf_msr_bitmap.S): the MSRs VM entry/exit or the MSR areas switch pass through without an exit
 * (SDM Vol. 3 §25.6.9 bitmap bit clear); IA32_APIC_BASE, IA32_MISC_ENABLE and the TSC write exit and are
 * virtualized; an MSR the core does not know (IA32_MTRR_DEF_TYPE) exits and gets #GP(0) for RDMSR and WRMSR
 * (SDM Vol. 2 RDMSR/WRMSR: #GP(0) for a reserved or unimplemented MSR), delivered with RIP still on the
 * instruction (fault, SDM Vol. 3 §6.5). RDMSR/WRMSR exits are 2 bytes with qualification 0 (§28.2.1). */
#include "conf1.h"

extern const uint8_t hvkit_guest_conf_msr_bitmap_start[], hvkit_guest_conf_msr_bitmap_end[];
extern const uint8_t conf_msr_after_apic_wr[], conf_msr_after_apic_rd[], conf_msr_at_apic_bad[],
    conf_msr_after_apic_rd2[], conf_msr_after_misc_rd[], conf_msr_after_misc_wr[], conf_msr_after_tsc_wr[],
    conf_msr_at_mtrr_rd[], conf_msr_at_mtrr_wr[];

#define START hvkit_guest_conf_msr_bitmap_start
#define GPA_OF(p) (CONF1_CODE_GPA + (uint64_t)((p) - START))
#define RD(rip) {HV_EXIT_RDMSR, HV_EXIT_RESUME, 2, rip, 0, ~0ull}
#define WR(rip) {HV_EXIT_WRMSR, HV_EXIT_RESUME, 2, rip, 0, ~0ull}
static const struct conf1_exit exits[] = {
    WR(conf_msr_after_apic_wr),      RD(conf_msr_after_apic_rd),
    WR(conf_msr_at_apic_bad), /* #GP: RIP stays on the WRMSR */
    RD(conf_msr_after_apic_rd2),     RD(conf_msr_after_misc_rd),   WR(conf_msr_after_misc_wr),
    WR(conf_msr_after_tsc_wr),
    RD(conf_msr_at_mtrr_rd),  WR(conf_msr_at_mtrr_wr),
    {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, 0},
};

static uint64_t expected[20] = {
    0x10, 0x7000, 0x1234, 0x5000, 0x6000, 0x1800, 0x7ff0, /* pass-through round trips */
    0xfee00900,                                           /* APIC_BASE as written */
    13, 0, 0,                                             /* #GP(0) at the bad APIC_BASE write */
    0xfee00900,                                           /* unchanged by the refused write */
    0,                                                    /* MISC_ENABLE: the VM's virtual value */
    0,                                                    /* the guest TSC: checked by check_tsc */
    13, 0, 0, 13, 0, 0,                                   /* #GP(0) for RDMSR and WRMSR of 2FFH */
};

static bool setup(struct conf1_run *r)
{
    expected[12] = r->t.vm.guest_misc_enable;
    return true;
}


/* WRMSR IA32_TIME_STAMP_COUNTER sets the TSC the guest reads from then on (SDM Vol. 3 §18.17); the core's
 * policy keeps the host's TSC and makes the guest's view with the VMCS TSC offset (§26.3). */
static bool check_tsc(struct conf1_run *r)
{
    const uint64_t written = 1ull << 40, tsc = r->got[13];
    if (tsc < written || tsc - written >= (1ull << 36))
        return test_vm_fail(&r->t, "WRMSR 10H=0x%llx then RDMSR 10H=0x%llx: TSC write lost (SDM Vol.3 §18.17); "
                            "proc controls 0x%x %s 'use TSC offsetting' (§26.3)",
                            (unsigned long long)written, (unsigned long long)tsc, r->t.vm.proc,
                            (r->t.vm.proc & (1u << 3)) ? "have" : "lack");
    return true;
}

static enum test_outcome run(const struct test_options *opt)
{
    expected[10] = GPA_OF(conf_msr_at_apic_bad);
    expected[16] = GPA_OF(conf_msr_at_mtrr_rd);
    expected[19] = GPA_OF(conf_msr_at_mtrr_wr);
    static const struct conf1_case cs = {
        .name = "conf-msr-bitmap",
        .code = START,
        .code_end = hvkit_guest_conf_msr_bitmap_end,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .results = expected,
        .nresults = 20,
        .skip_slots = 1ull << 13,
        .end = HV_STEP_HALTED,
        .setup = setup,
        .check = check_tsc,
    };
    return conf1_run_case(&cs, opt, (void *)0);
}
HVKIT_TEST("conf-msr-bitmap", run);
