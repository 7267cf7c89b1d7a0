/* conf-mmio-movs: MOVS and REP MOVS with an MMIO operand (SDM Vol. 2 MOVS, REP): RAM -> MMIO (a write per
 * element, the data read from RAM), MMIO -> RAM (a read per element, the data written to RAM), MMIO -> MMIO
 * (a read then a write), with DF = 1 stepping down; RSI, RDI and RCX after, RIP past the instruction. One
 * EPT-misconfiguration exit each (§29.3.3.1). Guest: guests/conf_mmio_movs.S. */
#include "conf1.h"

#include "boot.h"

extern const uint8_t hvkit_guest_conf_mmio_movs_start[], hvkit_guest_conf_mmio_movs_end[];
extern const uint8_t conf_mmv_1[], conf_mmv_2[], conf_mmv_3[], conf_mmv_4[], conf_mmv_5[], conf_mmv_6[];

#define MMIO(rip) CONF1_MMIO_EXIT(rip)
static const struct conf1_exit exits[] = {
    MMIO(conf_mmv_1), MMIO(conf_mmv_2), MMIO(conf_mmv_3), MMIO(conf_mmv_4), MMIO(conf_mmv_5), MMIO(conf_mmv_6),
    CONF1_HLT_EXIT,
};

#define G CONF1_MMIO_GPA
#define S CONF1_SCRATCH_GPA
#define Q 0xa1a2a3a4a5a6a7a8ull
static const uint64_t expected[] = {
    S + 1,      G + 0x11,   /* movsb RAM -> MMIO */
    G + 0x28,   S + 0x108,  Q,                           /* movsq MMIO -> RAM */
    S + 0x20,   G + 0x90,   0,                           /* rep movsl RAM -> MMIO */
    G + 0x46,   S + 0x206,  0,          0x9abc56781234ull, /* rep movsw MMIO -> RAM */
    G + 0x84,   G + 0xc4,                                /* movsl MMIO -> MMIO */
    G + 0x3f,   S + 0x2ff,  0,          0x1234,          /* std; rep movsb MMIO -> RAM */
};
#define R HV_ACCESS_READ
#define W HV_ACCESS_WRITE
static const struct hv_mmio_access transfers[] = {
    {G + 0x10, W, 1, 0x01},
    {G + 0x20, R, 8, Q},
    {G + 0x80, W, 4, 0x11111111}, {G + 0x84, W, 4, 0x22222222}, {G + 0x88, W, 4, 0x33333333},
    {G + 0x8c, W, 4, 0x44444444},
    {G + 0x40, R, 2, 0x1234}, {G + 0x42, R, 2, 0x5678}, {G + 0x44, R, 2, 0x9abc},
    {G + 0x80, R, 4, 0x11111111}, {G + 0xc0, W, 4, 0x11111111},
    {G + 0x41, R, 1, 0x12}, {G + 0x40, R, 1, 0x34},
};

static bool preset(struct conf1_run *r, uint8_t *regs)
{
    static const uint8_t ram[] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
                                  0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
                                  0x33, 0x33, 0x33, 0x33, 0x44, 0x44, 0x44, 0x44};
    if (!hv_gpa_write(&r->t.vm, S, ram, sizeof ram))
        return test_vm_fail(&r->t, "writing the scratch data: %s", r->t.vm.message);
    static const uint8_t quad[] = {0xa8, 0xa7, 0xa6, 0xa5, 0xa4, 0xa3, 0xa2, 0xa1};
    static const uint8_t words[] = {0x34, 0x12, 0x78, 0x56, 0xbc, 0x9a};
    memcpy(regs + 0x20, quad, sizeof quad);
    memcpy(regs + 0x40, words, sizeof words);
    return true;
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_mmio_case mc =
        CONF1_MMIO_CASE("conf-mmio-movs", conf_mmio_movs, exits, expected, transfers, preset);
    return conf1_run_mmio_case(&mc, opt);
}
HVKIT_TEST("conf-mmio-movs", run);
