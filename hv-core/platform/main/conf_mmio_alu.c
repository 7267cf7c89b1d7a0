/* conf-mmio-alu: the read-modify-write and read-only ALU forms with an MMIO operand (SDM Vol. 2 ADD, OR, AND,
 * XOR, SUB, CMP, TEST, BT; 80/83 with imm8, 81/F7 imm32, LOCK, 16-bit): a memory destination is a read then a
 * write of the result, CMP/TEST/BT and a register destination only a read; the status flags as each
 * instruction's "Flags Affected" defines them (Vol. 1 §3.4.3.1), the undefined ones masked out; the
 * register destination written; RIP past the decoded instruction. Guest: guests/conf_mmio_alu.S. */
#include "conf1.h"

#include "boot.h"

extern const uint8_t hvkit_guest_conf_mmio_alu_start[], hvkit_guest_conf_mmio_alu_end[];
extern const uint8_t conf_mal_1[], conf_mal_2[], conf_mal_3[], conf_mal_4[], conf_mal_5[], conf_mal_6[],
    conf_mal_7[], conf_mal_8[], conf_mal_9[], conf_mal_10[], conf_mal_11[], conf_mal_12[], conf_mal_13[],
    conf_mal_14[];

#define MMIO(rip) CONF1_MMIO_EXIT(rip)
static const struct conf1_exit exits[] = {
    MMIO(conf_mal_1),  MMIO(conf_mal_2),  MMIO(conf_mal_3),  MMIO(conf_mal_4),  MMIO(conf_mal_5),
    MMIO(conf_mal_6),  MMIO(conf_mal_7),  MMIO(conf_mal_8),  MMIO(conf_mal_9),  MMIO(conf_mal_10),
    MMIO(conf_mal_11), MMIO(conf_mal_12), MMIO(conf_mal_13), MMIO(conf_mal_14),
    CONF1_HLT_EXIT,
};

/* RFLAGS bits (SDM Vol. 1 §3.4.3.1): CF 0x1, PF 0x4, AF 0x10, ZF 0x40, SF 0x80, OF 0x800. */
static const uint64_t expected[] = {
    0x894, /* add: OF SF AF PF */
    0x055, /* addq $1: CF ZF AF PF */
    0x084, /* orb: SF PF */
    0x044, /* and: ZF PF */
    0x084, /* xor: SF PF */
    0x095, /* sub: CF SF AF PF */
    0x004, 0x30, /* add r,m: PF; RAX */
    0x044, /* cmp: ZF PF */
    0x084, /* testl imm: SF PF */
    0x044, /* test %al: ZF PF */
    0x814, /* subw $1: OF AF PF */
    0x004, /* lock add: PF */
    0x041, /* bt: CF = 1, ZF unaffected (preset 1) */
    0x000, /* andl $-16 */
    2, 2,  /* RAX, RCX */
};
#define G CONF1_MMIO_GPA
#define R HV_ACCESS_READ
#define W HV_ACCESS_WRITE
static const struct hv_mmio_access transfers[] = {
    {G, R, 4, 0x7fffffff},           {G, W, 4, 0x80000000},
    {G + 8, R, 8, ~0ull},            {G + 8, W, 8, 0},
    {G + 0x10, R, 1, 0x01},          {G + 0x10, W, 1, 0x81},
    {G + 0x18, R, 4, 0xf0f0f0f0},    {G + 0x18, W, 4, 0},
    {G + 0x20, R, 4, 0xff00ff00},    {G + 0x20, W, 4, 0xf0f0f0f0},
    {G + 0x28, R, 4, 0},             {G + 0x28, W, 4, 0xffffffff},
    {G + 0x30, R, 4, 0x10},
    {G + 0x38, R, 4, 5},
    {G + 0x40, R, 4, 0x80000001},
    {G + 0x48, R, 1, 0x0f},
    {G + 0x50, R, 2, 0x8000},        {G + 0x50, W, 2, 0x7fff},
    {G + 0x58, R, 4, 1},             {G + 0x58, W, 4, 3},
    {G + 0x60, R, 4, 4},
    {G + 0x68, R, 4, 0x12345678},    {G + 0x68, W, 4, 0x12345670},
};

static void put(uint8_t *regs, unsigned off, uint64_t v, unsigned size)
{
    memcpy(regs + off, &v, size);
}

static bool preset(struct conf1_run *r, uint8_t *regs)
{
    (void)r;
    put(regs, 0x00, 0x7fffffff, 4);
    put(regs, 0x08, ~0ull, 8);
    put(regs, 0x10, 0x01, 1);
    put(regs, 0x18, 0xf0f0f0f0, 4);
    put(regs, 0x20, 0xff00ff00, 4);
    put(regs, 0x30, 0x10, 4);
    put(regs, 0x38, 5, 4);
    put(regs, 0x40, 0x80000001, 4);
    put(regs, 0x48, 0x0f, 1);
    put(regs, 0x50, 0x8000, 2);
    put(regs, 0x58, 1, 4);
    put(regs, 0x60, 4, 4);
    put(regs, 0x68, 0x12345678, 4);
    return true;
}

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_mmio_case mc =
        CONF1_MMIO_CASE("conf-mmio-alu", conf_mmio_alu, exits, expected, transfers, preset);
    return conf1_run_mmio_case(&mc, opt);
}
HVKIT_TEST("conf-mmio-alu", run);
