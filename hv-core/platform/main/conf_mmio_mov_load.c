/* conf-mmio-mov-load: MOV loads from MMIO of 1, 2, 4 and 8 bytes, a REX.R destination, a legacy high-byte
 * destination and the moffs form (SDM Vol. 2 MOV 8A/8B/A1): one EPT-misconfiguration exit each (§29.3.3.1),
 * one read of the right size at the right GPA, the register completed by SDM Vol. 1 §3.4.1.1's rules, RIP
 * past the decoded instruction (the exit's length is undefined, §28.2.5). Guest: guests/conf_mmio_mov_load.S. */
#include "conf1.h"

#include "boot.h"

extern const uint8_t hvkit_guest_conf_mmio_mov_load_start[], hvkit_guest_conf_mmio_mov_load_end[];
extern const uint8_t conf_mml_1[], conf_mml_2[], conf_mml_3[], conf_mml_4[], conf_mml_5[], conf_mml_6[],
    conf_mml_7[];

#define MMIO(rip) CONF1_MMIO_EXIT(rip)
static const struct conf1_exit exits[] = {
    MMIO(conf_mml_1), MMIO(conf_mml_2), MMIO(conf_mml_3), MMIO(conf_mml_4), MMIO(conf_mml_5), MMIO(conf_mml_6),
    MMIO(conf_mml_7), CONF1_HLT_EXIT,
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

static bool preset(struct conf1_run *r, uint8_t *regs)
{
    (void)r;
    const uint64_t init[3] = {R0, R8, R16};
    memcpy(regs, init, sizeof init);
    return true;
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_mmio_case mc =
        CONF1_MMIO_CASE("conf-mmio-mov-load", conf_mmio_mov_load, exits, expected, transfers, preset);
    return conf1_run_mmio_case(&mc, opt);
}
HVKIT_TEST("conf-mmio-mov-load", run);
