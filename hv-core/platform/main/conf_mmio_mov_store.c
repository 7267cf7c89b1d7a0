/* conf-mmio-mov-store: MOV stores into MMIO of 1, 2, 4 and 8 bytes from registers (AL..RAX, R8B, AH) and
 * immediates (C6/C7, REX.W C7 with its imm32 sign-extended), and the moffs form A3 (SDM Vol. 2 MOV): one
 * EPT-misconfiguration exit each (§29.3.3.1), one write of the right size, GPA and value, the source
 * registers unchanged, RIP past the decoded instruction (the exit's length is undefined, §28.2.5).
 * Guest: guests/conf_mmio_mov_store.S. */
#include "conf1.h"

#include "boot.h"

extern const uint8_t hvkit_guest_conf_mmio_mov_store_start[], hvkit_guest_conf_mmio_mov_store_end[];
extern const uint8_t conf_mms_1[], conf_mms_2[], conf_mms_3[], conf_mms_4[], conf_mms_5[], conf_mms_6[],
    conf_mms_7[], conf_mms_8[], conf_mms_9[], conf_mms_10[], conf_mms_11[];

#define MMIO(rip) {HV_EXIT_EPT_MISCONFIG, HV_EXIT_RESUME, 0, rip, 0, 0}
static const struct conf1_exit exits[] = {
    MMIO(conf_mms_1), MMIO(conf_mms_2), MMIO(conf_mms_3), MMIO(conf_mms_4),  MMIO(conf_mms_5), MMIO(conf_mms_6),
    MMIO(conf_mms_7), MMIO(conf_mms_8), MMIO(conf_mms_9), MMIO(conf_mms_10), MMIO(conf_mms_11),
    {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, 0},
};

#define RAX 0x8877665544332211ull
#define R8 0x0123456789abcdefull
static const uint64_t expected[] = {RAX, R8};
#define G CONF1_MMIO_GPA
#define W HV_ACCESS_WRITE
static const struct hv_mmio_access transfers[] = {
    {G, W, 1, 0x11},           {G + 2, W, 2, 0x2211},        {G + 4, W, 4, 0x44332211}, {G + 8, W, 8, RAX},
    {G + 0x10, W, 1, 0xef},    {G + 0x11, W, 1, 0x22},       {G + 0x18, W, 1, 0x5a},    {G + 0x1a, W, 2, 0x1234},
    {G + 0x1c, W, 4, 0x89abcdef}, {G + 0x20, W, 8, 0xfffffffffffffffeull}, {G + 0x28, W, 4, 0x44332211},
};

static struct conf1_mmio_dev dev;

static bool setup(struct conf1_run *r)
{
    memset(dev.regs, 0, sizeof dev.regs);
    return conf1_mmio_attach(r, &dev);
}

static bool check(struct conf1_run *r)
{
    return conf1_mmio_check_log(r, &dev, transfers, sizeof transfers / sizeof transfers[0]);
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_case cs = {
        .name = "conf-mmio-mov-store",
        .code = hvkit_guest_conf_mmio_mov_store_start,
        .code_end = hvkit_guest_conf_mmio_mov_store_end,
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
HVKIT_TEST("conf-mmio-mov-store", run);
