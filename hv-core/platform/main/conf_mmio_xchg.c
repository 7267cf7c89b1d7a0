/* conf-mmio-xchg: XCHG with an MMIO operand in every size, REX.R and a legacy high-byte register (SDM Vol. 2
 * XCHG: a read, then a write of the register; the register gets the old value with Vol. 1 §3.4.1.1's rules),
 * and the addressing forms hv/decode.h supports that the other mmio-* cases do not use (SIB with scale 4 and
 * 8, RIP-relative, 32-bit address size, an FS override, [disp32]) as loads: one EPT-misconfiguration exit
 * each (§29.3.3.1), the transfer at the exit's GPA (§28.2.1), RIP past the decoded instruction.
 * Guest: guests/conf_mmio_xchg.S. */
#include "conf1.h"

#include "boot.h"

extern const uint8_t hvkit_guest_conf_mmio_xchg_start[], hvkit_guest_conf_mmio_xchg_end[];
extern const uint8_t conf_mxc_1[], conf_mxc_2[], conf_mxc_3[], conf_mxc_4[], conf_mxc_5[], conf_mxc_6[],
    conf_mxc_7[], conf_mxc_8[], conf_mxc_9[], conf_mxc_10[], conf_mxc_11[];

#define MMIO(rip) CONF1_MMIO_EXIT(rip)
static const struct conf1_exit exits[] = {
    MMIO(conf_mxc_1), MMIO(conf_mxc_2), MMIO(conf_mxc_3), MMIO(conf_mxc_4),  MMIO(conf_mxc_5), MMIO(conf_mxc_6),
    MMIO(conf_mxc_7), MMIO(conf_mxc_8), MMIO(conf_mxc_9), MMIO(conf_mxc_10), MMIO(conf_mxc_11),
    CONF1_HLT_EXIT,
};

static const uint64_t expected[] = {
    0x11111111111111a5ull, 0x222222222222beefull, 0xdeadbeefull, 0x0123456789abcdefull, 0x5555555555557755ull,
    0x40404040, 0x48484848, 0x50505050, 0x58585858, 0x6060606060606060ull, 0x68686868,
};
#define G CONF1_MMIO_GPA
#define R HV_ACCESS_READ
#define W HV_ACCESS_WRITE
static const struct hv_mmio_access transfers[] = {
    {G, R, 1, 0xa5},                   {G, W, 1, 0x11},
    {G + 8, R, 2, 0xbeef},             {G + 8, W, 2, 0x2222},
    {G + 0x10, R, 4, 0xdeadbeef},      {G + 0x10, W, 4, 0x33333333},
    {G + 0x18, R, 8, 0x0123456789abcdefull}, {G + 0x18, W, 8, 0x4444444444444444ull},
    {G + 0x20, R, 1, 0x77},            {G + 0x20, W, 1, 0x55},
    {G + 0x40, R, 4, 0x40404040},      {G + 0x48, R, 4, 0x48484848}, {G + 0x50, R, 4, 0x50505050},
    {G + 0x58, R, 4, 0x58585858},      {G + 0x60, R, 8, 0x6060606060606060ull}, {G + 0x68, R, 4, 0x68686868},
};

static bool preset(struct conf1_run *r, uint8_t *regs)
{
    (void)r;
    regs[0] = 0xa5;
    const uint64_t w = 0xbeef, d = 0xdeadbeef, q = 0x0123456789abcdefull;
    memcpy(regs + 8, &w, 2);
    memcpy(regs + 0x10, &d, 4);
    memcpy(regs + 0x18, &q, 8);
    regs[0x20] = 0x77;
    for (unsigned off = 0x40; off < 0x70; off++)
        regs[off] = (uint8_t)(off & 0xf8u); /* each 8 bytes their offset: 0x40.., 0x48.., ... */
    return true;
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_mmio_case mc =
        CONF1_MMIO_CASE("conf-mmio-xchg", conf_mmio_xchg, exits, expected, transfers, preset);
    return conf1_run_mmio_case(&mc, opt);
}
HVKIT_TEST("conf-mmio-xchg", run);
