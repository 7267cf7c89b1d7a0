/* conf-mmio-mov-store: MOV stores into MMIO of 1, 2, 4 and 8 bytes from registers (AL..RAX, R8B, AH) and
 * immediates (C6/C7, REX.W C7 with its imm32 sign-extended), and the moffs form A3 (SDM Vol. 2 MOV): one
 * EPT-misconfiguration exit each (§29.3.3.1), one write of the right size, GPA and value, the source
 * registers unchanged, RIP past the decoded instruction (the exit's length is undefined, §28.2.5).
 * Guest: guests/conf_mmio_mov_store.S. */
#include "conf1.h"

extern const uint8_t hvkit_guest_conf_mmio_mov_store_start[], hvkit_guest_conf_mmio_mov_store_end[];
extern const uint8_t conf_mms_1[], conf_mms_2[], conf_mms_3[], conf_mms_4[], conf_mms_5[], conf_mms_6[],
    conf_mms_7[], conf_mms_8[], conf_mms_9[], conf_mms_10[], conf_mms_11[];

#define MMIO(rip) CONF1_MMIO_EXIT(rip)
static const struct conf1_exit exits[] = {
    MMIO(conf_mms_1), MMIO(conf_mms_2), MMIO(conf_mms_3), MMIO(conf_mms_4),  MMIO(conf_mms_5), MMIO(conf_mms_6),
    MMIO(conf_mms_7), MMIO(conf_mms_8), MMIO(conf_mms_9), MMIO(conf_mms_10), MMIO(conf_mms_11),
    CONF1_HLT_EXIT,
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

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_mmio_case mc =
        CONF1_MMIO_CASE("conf-mmio-mov-store", conf_mmio_mov_store, exits, expected, transfers, (conf1_mmio_preset)0);
    return conf1_run_mmio_case(&mc, opt);
}
HVKIT_TEST("conf-mmio-mov-store", run);
