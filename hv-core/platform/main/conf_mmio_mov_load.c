/* conf-mmio-mov-load: MOV loads from MMIO of 1, 2, 4 and 8 bytes, a REX.R destination, a legacy high-byte
 * destination and the moffs form (SDM Vol. 2 MOV 8A/8B/A1): one EPT-misconfiguration exit each (§29.3.3.1),
 * one read of the right size at the right GPA, the register completed by SDM Vol. 1 §3.4.1.1's rules, RIP
 * past the decoded instruction (the exit's length is undefined, §28.2.5). Guest: guests/conf_mmio_mov_load.S. */
#include "conf1.h"

#include "boot.h"

extern const uint8_t hvkit_guest_conf_mmio_mov_load_start[], hvkit_guest_conf_mmio_mov_load_end[];
extern const uint8_t conf_mml_1[], conf_mml_2[], conf_mml_3[], conf_mml_4[], conf_mml_5[], conf_mml_6[],
    conf_mml_7[];

#define MMIO(rip) {HV_EXIT_EPT_MISCONFIG, HV_EXIT_RESUME, 0, rip, 0, 0}
static const struct conf1_exit exits[] = {
    MMIO(conf_mml_1), MMIO(conf_mml_2), MMIO(conf_mml_3), MMIO(conf_mml_4), MMIO(conf_mml_5), MMIO(conf_mml_6),
    MMIO(conf_mml_7), {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, 0},
};

#define R0 0x8877665544332211ull
#define R8 0x0123456789abcdefull
#define R16 0xcafef00dull
static const uint64_t expected[] = {
    0xffffffffffffff11ull, 0xffffffffffff2211ull, 0x44332211ull, R0, R8, 0xffffffffffff22ffull, R16,
};
#define G CONF1_MMIO_GPA
static const struct hv_mmio_access transfers[] = {
    {G, HV_ACCESS_READ, 1, 0x11}, {G, HV_ACCESS_READ, 2, 0x2211}, {G, HV_ACCESS_READ, 4, 0x44332211},
    {G, HV_ACCESS_READ, 8, R0},   {G + 8, HV_ACCESS_READ, 8, R8},  {G + 1, HV_ACCESS_READ, 1, 0x22},
    {G + 0x10, HV_ACCESS_READ, 4, R16},
};

static struct conf1_mmio_dev dev;

static bool setup(struct conf1_run *r)
{
    const uint64_t regs[3] = {R0, R8, R16};
    memcpy(dev.regs, regs, sizeof regs);
    return conf1_mmio_attach(r, &dev);
}

static bool check(struct conf1_run *r)
{
    return conf1_mmio_check_log(r, &dev, transfers, sizeof transfers / sizeof transfers[0]);
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_case cs = {
        .name = "conf-mmio-mov-load",
        .code = hvkit_guest_conf_mmio_mov_load_start,
        .code_end = hvkit_guest_conf_mmio_mov_load_end,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .results = expected,
        .nresults = sizeof expected / sizeof expected[0],
        .end = HV_STEP_HALTED,
        .setup = setup,
        .check = check,
    };
    return conf1_run_case(&cs, opt, (void *)0);
}
HVKIT_TEST("conf-mmio-mov-load", run);
