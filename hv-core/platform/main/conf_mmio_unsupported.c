/* conf-mmio-unsupported: an MMIO access by an instruction the decoder refuses (hv/decode.h "unsupported":
 * INC FF /0, XADD 0F C1, CMPXCHG 0F B1, REPNE STOS) is not emulated: with hv_vm_config.mmio_unsupported_kills
 * false (the default) the core injects #UD with RIP left on the instruction (SDM Vol. 3 §6.15 "Interrupt 6":
 * a fault, no error code; §27.6.1 event injection), the device sees no transfer, and the guest's handler sees
 * vector 6, error 0 and the faulting RIP; with it true the VM is killed at the first one, the bytes named in
 * the reason, every page back. Guest: guests/conf_mmio_unsupported.S (the same program in both VMs). */
#include "conf1.h"

#include "boot.h"

extern const uint8_t hvkit_guest_conf_mmio_unsupported_start[], hvkit_guest_conf_mmio_unsupported_end[];
extern const uint8_t conf_mun_1[], conf_mun_2[], conf_mun_3[], conf_mun_4[], conf_mun_5[];

#define START hvkit_guest_conf_mmio_unsupported_start
#define GPA_OF(p) (CONF1_CODE_GPA + (uint64_t)((p) - START))
/* RIP stays on the instruction: the #UD is injected at the next entry and delivered by the guest's IDT. */
#define UD_AT(rip) {HV_EXIT_EPT_MISCONFIG, HV_EXIT_RESUME, 0, rip, 0, 0}
static const struct conf1_exit ud_exits[] = {
    UD_AT(conf_mun_1), UD_AT(conf_mun_2), UD_AT(conf_mun_3), UD_AT(conf_mun_4),
    {HV_EXIT_EPT_MISCONFIG, HV_EXIT_RESUME, 0, conf_mun_5, 0, 0}, /* the final MOV load, emulated */
    {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, 0},
};
static const struct conf1_exit kill_exits[] = {{HV_EXIT_EPT_MISCONFIG, HV_EXIT_KILL, 0, 0, 0, 0}};

static uint64_t expected[13] = {6, 0, 0, 6, 0, 0, 6, 0, 0, 6, 0, 0, 0x12345678};

static struct conf1_mmio_dev dev;
static const struct hv_mmio_access final_read = {CONF1_MMIO_GPA, HV_ACCESS_READ, 4, 0x12345678};

static bool setup(struct conf1_run *r)
{
    static const uint32_t v = 0x12345678;
    memset(dev.regs, 0, sizeof dev.regs);
    memcpy(dev.regs, &v, sizeof v);
    return conf1_mmio_attach(r, &dev);
}

static bool check_ud(struct conf1_run *r)
{
    if (r->t.vm.stats.injected_exceptions < 4)
        return test_vm_fail(&r->t, "the VM counted %llu injected exceptions, expected 4 #UD",
                            (unsigned long long)r->t.vm.stats.injected_exceptions);
    return conf1_mmio_check_log(r, &dev, &final_read, 1);
}

static bool check_kill(struct conf1_run *r)
{
    return conf1_mmio_check_log(r, &dev, (const struct hv_mmio_access *)0, 0);
}

static struct conf1_run runs[2];

static enum test_outcome run(const struct test_options *opt)
{
    expected[2] = GPA_OF(conf_mun_1);
    expected[5] = GPA_OF(conf_mun_2);
    expected[8] = GPA_OF(conf_mun_3);
    expected[11] = GPA_OF(conf_mun_4);
    static const struct conf1_case ud = {
        .name = "conf-mmio-unsupported",
        .code = START,
        .code_end = hvkit_guest_conf_mmio_unsupported_end,
        .exits = ud_exits,
        .nexits = sizeof ud_exits / sizeof ud_exits[0],
        .results = expected,
        .nresults = sizeof expected / sizeof expected[0],
        .end = HV_STEP_HALTED,
        .setup = setup,
        .check = check_ud,
    };
    static const struct conf1_case kill = {
        .name = "conf-mmio-unsupported",
        .code = START,
        .code_end = hvkit_guest_conf_mmio_unsupported_end,
        .mmio_unsupported_kills = true,
        .vm_index_offset = 1,
        .exits = kill_exits,
        .nexits = 1,
        .end = HV_STEP_KILLED,
        .kill_text = "unsupported instruction at RIP",
        .setup = setup,
        .check = check_kill,
    };
    enum test_outcome out;
    struct hvkit_cpu *c = test_need_vmx(ud.name, &out);
    if (!c)
        return out;
    const struct conf1_case *cases[2] = {&ud, &kill};
    for (unsigned k = 0; k < 2; k++) {
        struct conf1_run *r = &runs[k];
        out = conf1_start(r, cases[k], c, opt);
        if (out != TEST_PASS) {
            test_result(ud.name, test_outcome_word(out), "VM %u: %s", k + 1, r->t.why);
            return out;
        }
        while (r->steps < CONF1_MAX_STEPS && conf1_step(r) == HV_STEP_CONTINUE)
            ;
        bool ok = conf1_check(r);
        if (ok && k == 1 && !conf1_contains(r->t.vm.message, "bytes [ff 06"))
            ok = test_vm_fail(&r->t, "the kill reason \"%s\" does not start the bytes with [ff 06", r->t.vm.message);
        ok = conf1_finish(r) && ok;
        if (!ok) {
            test_result(ud.name, "FAIL", "VM %u (%s): %s", k + 1, k ? "kills" : "#UD", r->t.why);
            return TEST_FAIL;
        }
    }
    test_result(ud.name, "PASS", "ud_exits=%u killed=\"%s\"", runs[0].t.log.n, runs[1].t.vm.message);
    return TEST_PASS;
}
HVKIT_TEST("conf-mmio-unsupported", run);
