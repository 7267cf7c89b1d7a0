/* conf-mmio-stos: STOS and REP STOS into MMIO (SDM Vol. 2 STOS, REP): one write per element of the operand
 * size at ES:RDI with AL/AX/EAX/RAX, RDI stepped up (DF = 0) or down (DF = 1), RCX counted to 0, RIP past
 * the instruction when it completes. Also: REP with RCX = 0 touches nothing (no exit); a REP longer than the
 * core's per-exit bound (HV_MMIO_REP_MAX = 64, mmio.c) leaves RIP on the instruction with RCX/RDI updated and
 * re-executes, as an interrupted REP string instruction does; a REP that runs off the region into RAM writes
 * the RAM elements through the EPT. Guest: guests/conf_mmio_stos.S. */
#include "conf1.h"

extern const uint8_t hvkit_guest_conf_mmio_stos_start[], hvkit_guest_conf_mmio_stos_end[];
extern const uint8_t conf_mst_1[], conf_mst_2[], conf_mst_3[], conf_mst_4[], conf_mst_5[], conf_mst_6[],
    conf_mst_7[], conf_mst_8[], conf_mst_9[];

#define MMIO(rip) CONF1_MMIO_EXIT(rip)
static const struct conf1_exit exits[] = {
    MMIO(conf_mst_1), MMIO(conf_mst_2), MMIO(conf_mst_3), MMIO(conf_mst_4), MMIO(conf_mst_5), MMIO(conf_mst_6),
    MMIO(conf_mst_7), /* 64 of 70 elements: RIP stays on the REP STOSB */
    MMIO(conf_mst_8), MMIO(conf_mst_9), CONF1_HLT_EXIT,
};

#define G CONF1_MMIO_GPA
static const uint64_t expected[] = {
    G + 0x41, G + 0x4a, G + 0x54, G + 0x60, G + 0x8c, 0, G + 0x9f, 0, G + 0xc0, 0, G + 0x146, 0, G + 0x1002, 0,
    0x1111, 0,
};
#define W HV_ACCESS_WRITE
#define RAX 0x8877665544332211ull
#define TRANSFERS (4 + 3 + 2 + 70 + 2)
static struct hv_mmio_access transfers[TRANSFERS] = {
    {G + 0x40, W, 1, 0x11}, {G + 0x48, W, 2, 0x2211}, {G + 0x50, W, 4, 0x44332211}, {G + 0x58, W, 8, RAX},
    {G + 0x80, W, 4, 0x44332211}, {G + 0x84, W, 4, 0x44332211}, {G + 0x88, W, 4, 0x44332211},
    {G + 0xa1, W, 1, 0x11}, {G + 0xa0, W, 1, 0x11},
    /* [9, 79): the 70 bytes at +0x100, filled in by run(); then the two before the region's end */
};

static enum test_outcome run(const struct test_options *opt)
{
    for (unsigned i = 0; i < 70; i++)
        transfers[9 + i] = (struct hv_mmio_access){G + 0x100 + i, W, 1, 0x11};
    transfers[79] = (struct hv_mmio_access){G + 0xffe, W, 1, 0x11};
    transfers[80] = (struct hv_mmio_access){G + 0xfff, W, 1, 0x11};
    static const struct conf1_mmio_case mc =
        CONF1_MMIO_CASE("conf-mmio-stos", conf_mmio_stos, exits, expected, transfers, (conf1_mmio_preset)0);
    return conf1_run_mmio_case(&mc, opt);
}
HVKIT_TEST("conf-mmio-stos", run);
