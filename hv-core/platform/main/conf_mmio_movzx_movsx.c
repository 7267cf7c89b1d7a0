/* conf-mmio-movzx-movsx: MOVZX (0F B6/B7), MOVSX (0F BE/BF) and MOVSXD (REX.W 63) loads from MMIO into 16-,
 * 32- and 64-bit destinations (SDM Vol. 2 MOVZX, MOVSX/MOVSXD; Vol. 1 §3.4.1.1): one EPT-misconfiguration
 * exit each (§29.3.3.1), one read of the source size at the operand's GPA, the destination zero- or
 * sign-extended (a 16-bit destination keeps bits 63:16, a 32-bit one clears them), RIP past the decoded
 * instruction. Guest: guests/conf_mmio_movzx_movsx.S. */
#include "conf1.h"

#include "boot.h"

extern const uint8_t hvkit_guest_conf_mmio_movzx_movsx_start[], hvkit_guest_conf_mmio_movzx_movsx_end[];
extern const uint8_t conf_mmx_1[], conf_mmx_2[], conf_mmx_3[], conf_mmx_4[], conf_mmx_5[], conf_mmx_6[],
    conf_mmx_7[], conf_mmx_8[], conf_mmx_9[], conf_mmx_10[], conf_mmx_11[], conf_mmx_12[];

#define MMIO(rip) CONF1_MMIO_EXIT(rip)
static const struct conf1_exit exits[] = {
    MMIO(conf_mmx_1), MMIO(conf_mmx_2), MMIO(conf_mmx_3),  MMIO(conf_mmx_4),  MMIO(conf_mmx_5),  MMIO(conf_mmx_6),
    MMIO(conf_mmx_7), MMIO(conf_mmx_8), MMIO(conf_mmx_9), MMIO(conf_mmx_10), MMIO(conf_mmx_11), MMIO(conf_mmx_12),
    CONF1_HLT_EXIT,
};

static const uint64_t expected[] = {
    0x85ull,                /* movzbl: zero-extended to 32, bits 63:32 cleared */
    0x1111111111110085ull,  /* movzbw: 16-bit destination, bits 63:16 kept */
    0x9abcull,              /* movzwl */
    0x85ull,                /* movzbq */
    0xffffff85ull,          /* movsbl: sign-extended to 32, then zero-extended to 64 */
    0x111111111111ff85ull,  /* movsbw */
    0xffffffffffffff85ull,  /* movsbq */
    0x7full,                /* movsbl of a positive byte */
    0xffff9abcull,          /* movswl */
    0xffffffffffff9abcull,  /* movswq */
    0xffffffff87654321ull,  /* movslq */
    0x12345678ull,          /* movslq %r9, positive */
};
#define G CONF1_MMIO_GPA
#define R HV_ACCESS_READ
static const struct hv_mmio_access transfers[] = {
    {G, R, 1, 0x85},       {G, R, 1, 0x85},       {G + 2, R, 2, 0x9abc},     {G, R, 1, 0x85},
    {G, R, 1, 0x85},       {G, R, 1, 0x85},       {G, R, 1, 0x85},           {G + 1, R, 1, 0x7f},
    {G + 2, R, 2, 0x9abc}, {G + 2, R, 2, 0x9abc}, {G + 4, R, 4, 0x87654321}, {G + 8, R, 4, 0x12345678},
};

static bool preset(struct conf1_run *r, uint8_t *regs)
{
    (void)r;
    static const uint8_t init[12] = {0x85, 0x7f, 0xbc, 0x9a, 0x21, 0x43, 0x65, 0x87, 0x78, 0x56, 0x34, 0x12};
    memcpy(regs, init, sizeof init);
    return true;
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_mmio_case mc =
        CONF1_MMIO_CASE("conf-mmio-movzx-movsx", conf_mmio_movzx_movsx, exits, expected, transfers, preset);
    return conf1_run_mmio_case(&mc, opt);
}
HVKIT_TEST("conf-mmio-movzx-movsx", run);
