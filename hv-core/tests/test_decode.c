/* The MMIO decoder (hv/decode.h, hv-core/src/decode*.c): every supported opcode in each mode, prefixes,
 * registers, addressing forms, LOCK rules, the 15-byte limit, truncation, and no-crash sweeps. Every input
 * is decoded from a heap buffer of exactly its size, so ASan catches any read past the bytes given. */
#include "testlib.h"

#include <hv/decode.h>
#include <stdlib.h>

/* Decode the hex string (pairs, spaces allowed) in the given mode. */
static enum hv_decode_error dec(int mode, const char *hex, struct hv_insn *in)
{
    uint8_t tmp[64];
    size_t n = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned v;
        if (sscanf(p, "%2x", &v) != 1 || n == sizeof tmp)
            abort();
        tmp[n++] = (uint8_t)v;
        p += 2;
    }
    uint8_t *buf = malloc(n ? n : 1);
    memcpy(buf, tmp, n);
    enum hv_decode_error e = hv_decode(buf, n, (enum hv_cpu_mode)mode, in);
    free(buf);
    return e;
}

/* Expected decode of a supported form. */
struct want {
    int mode;
    const char *hex;
    unsigned len;
    enum hv_insn_op op;
    enum hv_insn_dir dir;
    unsigned size, dst_size;
    int reg;
    int base, index;
    unsigned scale;
    int64_t disp;
    bool has_imm;
    int64_t imm;
};

static void check_want(const struct want *w)
{
    struct hv_insn in;
    enum hv_decode_error e = dec(w->mode, w->hex, &in);
    if (e != HV_DECODE_OK)
        testlib_fail(__FILE__, __LINE__, "%d-bit %s: error %d", w->mode, w->hex, e);
    CHECK_EQ_U64(in.len, w->len);
    CHECK_EQ_U64(in.op, w->op);
    CHECK_EQ_U64(in.dir, w->dir);
    CHECK_EQ_U64(in.size, w->size);
    CHECK_EQ_U64(in.dst_size, w->dst_size);
    CHECK_EQ_U64(in.reg, w->reg);
    CHECK_EQ_U64(in.mem.base, w->base);
    CHECK_EQ_U64(in.mem.index, w->index);
    CHECK_EQ_U64(in.mem.scale, w->scale);
    CHECK_EQ_U64(in.mem.disp, w->disp);
    CHECK_EQ_U64(in.has_imm, w->has_imm);
    if (w->has_imm)
        CHECK_EQ_U64(in.imm, w->imm);
}

#define N HV_REG_NONE
#define L HV_DIR_LOAD
#define S HV_DIR_STORE
#define RMW HV_DIR_RMW

TEST_CASE(acceptance_store_eax_to_rbx_plus_rcx_times_4_plus_16)
{
    struct hv_insn in;
    CHECK_EQ_U64(dec(64, "89 44 8B 10", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.len, 4);
    CHECK_EQ_U64(in.op, HV_OP_MOV);
    CHECK_EQ_U64(in.dir, HV_DIR_STORE);
    CHECK_EQ_U64(in.size, 4);
    CHECK_EQ_U64(in.reg, 0); /* EAX */
    CHECK_EQ_U64(in.mem.base, 3);  /* RBX */
    CHECK_EQ_U64(in.mem.index, 1); /* RCX */
    CHECK_EQ_U64(in.mem.scale, 4);
    CHECK_EQ_U64(in.mem.disp, 0x10);
    CHECK_EQ_U64(in.mem.seg, HV_SEG_DS);
    CHECK_EQ_U64(in.mem.addr_size, 8);
    CHECK(!in.mem.riprel && !in.has_imm && !in.rep && !in.lock && in.mem_is_dst);
}

/* Every supported opcode, in each mode, with its exact length and operands. */
TEST_CASE(every_supported_opcode_in_each_mode)
{
    static const struct want w[] = {
        /* MOV 88 89 8A 8B */
        {64, "88 18", 2, HV_OP_MOV, S, 1, 1, 3, 0, N, 1, 0, false, 0},
        {64, "89 18", 2, HV_OP_MOV, S, 4, 4, 3, 0, N, 1, 0, false, 0},
        {64, "48 89 18", 3, HV_OP_MOV, S, 8, 8, 3, 0, N, 1, 0, false, 0},
        {64, "8A 58 7F", 3, HV_OP_MOV, L, 1, 1, 3, 0, N, 1, 0x7f, false, 0},
        {64, "8B 98 00 01 00 00", 6, HV_OP_MOV, L, 4, 4, 3, 0, N, 1, 0x100, false, 0},
        {32, "89 18", 2, HV_OP_MOV, S, 4, 4, 3, 0, N, 1, 0, false, 0},
        {32, "66 8B 18", 3, HV_OP_MOV, L, 2, 2, 3, 0, N, 1, 0, false, 0},
        {16, "89 18", 2, HV_OP_MOV, S, 2, 2, 3, 3, 6, 1, 0, false, 0},         /* [bx+si] */
        {16, "66 8B 18", 3, HV_OP_MOV, L, 4, 4, 3, 3, 6, 1, 0, false, 0},
        /* MOV C6/C7 /0 */
        {64, "C6 00 80", 3, HV_OP_MOV, S, 1, 1, N, 0, N, 1, 0, true, -128},
        {64, "C7 00 78 56 34 12", 6, HV_OP_MOV, S, 4, 4, N, 0, N, 1, 0, true, 0x12345678},
        {64, "48 C7 00 FF FF FF FF", 7, HV_OP_MOV, S, 8, 8, N, 0, N, 1, 0, true, -1},
        {64, "66 C7 00 34 12", 5, HV_OP_MOV, S, 2, 2, N, 0, N, 1, 0, true, 0x1234},
        {32, "C7 00 78 56 34 12", 6, HV_OP_MOV, S, 4, 4, N, 0, N, 1, 0, true, 0x12345678},
        {16, "C7 07 34 12", 4, HV_OP_MOV, S, 2, 2, N, 3, N, 1, 0, true, 0x1234}, /* [bx] */
        /* MOVZX / MOVSX / MOVSXD */
        {64, "0F B6 00", 3, HV_OP_MOVZX, L, 1, 4, 0, 0, N, 1, 0, false, 0},
        {64, "48 0F B7 00", 4, HV_OP_MOVZX, L, 2, 8, 0, 0, N, 1, 0, false, 0},
        {64, "66 0F BE 00", 4, HV_OP_MOVSX, L, 1, 2, 0, 0, N, 1, 0, false, 0},
        {64, "4C 0F BF 00", 4, HV_OP_MOVSX, L, 2, 8, 8, 0, N, 1, 0, false, 0},
        {32, "0F B7 00", 3, HV_OP_MOVZX, L, 2, 4, 0, 0, N, 1, 0, false, 0},
        {16, "0F BE 00", 3, HV_OP_MOVSX, L, 1, 2, 0, 3, 6, 1, 0, false, 0},
        {64, "48 63 00", 3, HV_OP_MOVSXD, L, 4, 8, 0, 0, N, 1, 0, false, 0},
        {64, "63 00", 2, HV_OP_MOVSXD, L, 4, 4, 0, 0, N, 1, 0, false, 0},
        {64, "66 48 63 00", 4, HV_OP_MOVSXD, L, 4, 8, 0, 0, N, 1, 0, false, 0},
        /* STOS / MOVS */
        {64, "AA", 1, HV_OP_STOS, S, 1, 1, 0, 7, N, 1, 0, false, 0},
        {64, "48 AB", 2, HV_OP_STOS, S, 8, 8, 0, 7, N, 1, 0, false, 0},
        {64, "A4", 1, HV_OP_MOVS, L, 1, 1, N, 6, N, 1, 0, false, 0},
        {32, "66 A5", 2, HV_OP_MOVS, L, 2, 2, N, 6, N, 1, 0, false, 0},
        {16, "AB", 1, HV_OP_STOS, S, 2, 2, 0, 7, N, 1, 0, false, 0},
        /* ALU r/m forms */
        {64, "00 08", 2, HV_OP_ADD, RMW, 1, 1, 1, 0, N, 1, 0, false, 0},
        {64, "09 08", 2, HV_OP_OR, RMW, 4, 4, 1, 0, N, 1, 0, false, 0},
        {64, "22 08", 2, HV_OP_AND, L, 1, 1, 1, 0, N, 1, 0, false, 0},
        {64, "2B 08", 2, HV_OP_SUB, L, 4, 4, 1, 0, N, 1, 0, false, 0},
        {64, "31 08", 2, HV_OP_XOR, RMW, 4, 4, 1, 0, N, 1, 0, false, 0},
        {64, "39 08", 2, HV_OP_CMP, L, 4, 4, 1, 0, N, 1, 0, false, 0},
        {64, "3A 08", 2, HV_OP_CMP, L, 1, 1, 1, 0, N, 1, 0, false, 0},
        {32, "01 08", 2, HV_OP_ADD, RMW, 4, 4, 1, 0, N, 1, 0, false, 0},
        {16, "29 08", 2, HV_OP_SUB, RMW, 2, 2, 1, 3, 6, 1, 0, false, 0},
        /* ALU r/m, imm */
        {64, "80 00 FF", 3, HV_OP_ADD, RMW, 1, 1, N, 0, N, 1, 0, true, -1},
        {64, "81 08 00 00 00 80", 6, HV_OP_OR, RMW, 4, 4, N, 0, N, 1, 0, true, -2147483648LL},
        {64, "66 81 20 FF 7F", 5, HV_OP_AND, RMW, 2, 2, N, 0, N, 1, 0, true, 0x7fff},
        {64, "48 83 28 FF", 4, HV_OP_SUB, RMW, 8, 8, N, 0, N, 1, 0, true, -1},
        {64, "83 30 01", 3, HV_OP_XOR, RMW, 4, 4, N, 0, N, 1, 0, true, 1},
        {64, "83 38 01", 3, HV_OP_CMP, L, 4, 4, N, 0, N, 1, 0, true, 1},
        {32, "81 00 01 00 00 00", 6, HV_OP_ADD, RMW, 4, 4, N, 0, N, 1, 0, true, 1},
        {16, "81 00 01 00", 4, HV_OP_ADD, RMW, 2, 2, N, 3, 6, 1, 0, true, 1},
        /* TEST, XCHG, BT */
        {64, "84 08", 2, HV_OP_TEST, L, 1, 1, 1, 0, N, 1, 0, false, 0},
        {64, "85 08", 2, HV_OP_TEST, L, 4, 4, 1, 0, N, 1, 0, false, 0},
        {64, "F6 00 AA", 3, HV_OP_TEST, L, 1, 1, N, 0, N, 1, 0, true, (int8_t)0xAA},
        {64, "48 F7 00 01 00 00 00", 7, HV_OP_TEST, L, 8, 8, N, 0, N, 1, 0, true, 1},
        {16, "F7 00 01 00", 4, HV_OP_TEST, L, 2, 2, N, 3, 6, 1, 0, true, 1},
        {64, "86 08", 2, HV_OP_XCHG, RMW, 1, 1, 1, 0, N, 1, 0, false, 0},
        {64, "87 08", 2, HV_OP_XCHG, RMW, 4, 4, 1, 0, N, 1, 0, false, 0},
        {64, "0F A3 08", 3, HV_OP_BT, L, 4, 4, 1, 0, N, 1, 0, false, 0},
        {32, "66 0F A3 08", 4, HV_OP_BT, L, 2, 2, 1, 0, N, 1, 0, false, 0},
        /* moffs */
        {64, "A0 88 77 66 55 44 33 22 11", 9, HV_OP_MOV, L, 1, 1, 0, N, N, 1, 0x1122334455667788LL, false, 0},
        {64, "48 A3 08 07 06 05 04 03 02 F1", 10, HV_OP_MOV, S, 8, 8, 0, N, N, 1, (int64_t)0xF102030405060708ULL,
         false, 0},
        {64, "67 A1 00 00 00 80", 6, HV_OP_MOV, L, 4, 4, 0, N, N, 1, 0x80000000LL, false, 0},
        {32, "A2 00 00 00 80", 5, HV_OP_MOV, S, 1, 1, 0, N, N, 1, 0x80000000LL, false, 0},
        {32, "67 A1 00 80", 4, HV_OP_MOV, L, 4, 4, 0, N, N, 1, 0x8000, false, 0},
        {16, "A1 00 80", 3, HV_OP_MOV, L, 2, 2, 0, N, N, 1, 0x8000, false, 0},
        {16, "67 A3 00 00 00 80", 6, HV_OP_MOV, S, 2, 2, 0, N, N, 1, 0x80000000LL, false, 0},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        check_want(&w[i]);
}

TEST_CASE(operand_size_from_mode_66_and_rex_w)
{
    struct hv_insn in;
    CHECK_EQ_U64(dec(64, "66 48 89 00", &in), HV_DECODE_OK); /* REX.W beats 66 */
    CHECK_EQ_U64(in.size, 8);
    CHECK_EQ_U64(dec(64, "48 66 89 00", &in), HV_DECODE_OK); /* REX not last: ignored, 66 counts */
    CHECK_EQ_U64(in.size, 2);
    CHECK_EQ_U64(dec(64, "48 40 89 00", &in), HV_DECODE_OK); /* of two REX the last counts */
    CHECK_EQ_U64(in.size, 4);
    CHECK_EQ_U64(dec(64, "41 89 00", &in), HV_DECODE_OK);    /* REX.B: base R8 */
    CHECK_EQ_U64(in.mem.base, 8);
    CHECK_EQ_U64(dec(64, "41 2E 89 00", &in), HV_DECODE_OK); /* ... unless a prefix follows it */
    CHECK_EQ_U64(in.mem.base, 0);
    CHECK_EQ_U64(dec(32, "66 66 89 00", &in), HV_DECODE_OK); /* a repeated 66 is still 16-bit */
    CHECK_EQ_U64(in.size, 2);
    CHECK_EQ_U64(dec(16, "66 A5", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.size, 4);
    CHECK_EQ_U64(dec(32, "48", &in), HV_DECODE_UNSUPPORTED); /* DEC EAX outside 64-bit mode, not a REX */
}

TEST_CASE(segment_defaults_and_overrides)
{
    struct hv_insn in;
    CHECK_EQ_U64(dec(64, "89 45 00", &in), HV_DECODE_OK); /* [rbp+0]: SS */
    CHECK_EQ_U64(in.mem.seg, HV_SEG_SS);
    CHECK_EQ_U64(dec(64, "89 04 24", &in), HV_DECODE_OK); /* [rsp]: SS */
    CHECK_EQ_U64(in.mem.seg, HV_SEG_SS);
    CHECK_EQ_U64(dec(64, "41 89 45 00", &in), HV_DECODE_OK); /* [r13+0]: DS */
    CHECK_EQ_U64(in.mem.seg, HV_SEG_DS);
    CHECK_EQ_U64(dec(64, "2E 89 45 00", &in), HV_DECODE_OK); /* CS override ignored in 64-bit mode */
    CHECK_EQ_U64(in.mem.seg, HV_SEG_SS);
    CHECK_EQ_U64(dec(64, "64 26 89 00", &in), HV_DECODE_OK); /* FS stays: ES is ignored */
    CHECK_EQ_U64(in.mem.seg, HV_SEG_FS);
    CHECK_EQ_U64(dec(64, "64 65 89 00", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.mem.seg, HV_SEG_GS);
    CHECK_EQ_U64(dec(32, "64 26 89 00", &in), HV_DECODE_OK); /* outside 64-bit mode the last one wins */
    CHECK_EQ_U64(in.mem.seg, HV_SEG_ES);
    CHECK_EQ_U64(dec(32, "2E 89 45 00", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.mem.seg, HV_SEG_CS);
    CHECK_EQ_U64(dec(16, "89 03", &in), HV_DECODE_OK); /* [bp+di]: SS */
    CHECK_EQ_U64(in.mem.seg, HV_SEG_SS);
    CHECK_EQ_U64(dec(64, "64 AA", &in), HV_DECODE_OK); /* STOS writes ES:rDI, no override */
    CHECK_EQ_U64(in.mem.seg, HV_SEG_ES);
    CHECK_EQ_U64(dec(64, "65 A4", &in), HV_DECODE_OK); /* MOVS's source takes it */
    CHECK_EQ_U64(in.mem.seg, HV_SEG_GS);
    CHECK_EQ_U64(dec(32, "26 A1 00 10 00 00", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.mem.seg, HV_SEG_ES);
}

TEST_CASE(high_byte_registers_and_rex_byte_registers)
{
    struct hv_insn in;
    CHECK_EQ_U64(dec(64, "88 20", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.reg, HV_REG_AH);
    CHECK_STREQ(hv_reg_name(in.reg, in.size), "ah");
    CHECK_EQ_U64(dec(64, "8A 38", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.reg, HV_REG_BH);
    CHECK_EQ_U64(dec(64, "40 88 20", &in), HV_DECODE_OK); /* any REX: SPL */
    CHECK_EQ_U64(in.reg, 4);
    CHECK_STREQ(hv_reg_name(in.reg, in.size), "spl");
    CHECK_EQ_U64(dec(64, "44 88 38", &in), HV_DECODE_OK); /* REX.R: R15B */
    CHECK_STREQ(hv_reg_name(in.reg, in.size), "r15b");
    CHECK_EQ_U64(dec(64, "40 66 88 20", &in), HV_DECODE_OK); /* REX not last: AH again */
    CHECK_EQ_U64(in.reg, HV_REG_AH);
    CHECK_EQ_U64(dec(32, "86 28", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.reg, HV_REG_CH);
    CHECK_EQ_U64(dec(16, "84 30", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.reg, HV_REG_DH);
    CHECK_EQ_U64(dec(64, "88 18", &in), HV_DECODE_OK); /* BL is not affected */
    CHECK_EQ_U64(in.reg, 3);
    CHECK_EQ_U64(dec(64, "0F B6 20", &in), HV_DECODE_OK); /* MOVZX ESP, byte: the 32-bit register */
    CHECK_EQ_U64(in.reg, 4);
}

TEST_CASE(rip_relative_and_absolute_disp32)
{
    struct hv_insn in;
    CHECK_EQ_U64(dec(64, "8B 05 F0 FF FF FF", &in), HV_DECODE_OK);
    CHECK(in.mem.riprel);
    CHECK_EQ_U64(in.mem.base, HV_REG_RIP);
    CHECK_EQ_U64(in.mem.disp, -16);
    CHECK_EQ_U64(in.len, 6);
    CHECK_EQ_U64(dec(64, "41 8B 05 10 00 00 00", &in), HV_DECODE_OK); /* REX.B does not make it R13 */
    CHECK(in.mem.riprel);
    CHECK_EQ_U64(dec(64, "67 8B 05 10 00 00 00", &in), HV_DECODE_OK); /* EIP-relative */
    CHECK(in.mem.riprel);
    CHECK_EQ_U64(in.mem.addr_size, 4);
    CHECK_STREQ(hv_reg_name(in.mem.base, in.mem.addr_size), "eip");
    CHECK_EQ_U64(dec(64, "C7 05 08 00 00 00 01 00 00 00", &in), HV_DECODE_OK); /* imm after the disp */
    CHECK(in.mem.riprel && in.has_imm && in.imm == 1 && in.len == 10);
    CHECK_EQ_U64(dec(32, "8B 05 00 10 00 00", &in), HV_DECODE_OK); /* 32-bit: absolute */
    CHECK(!in.mem.riprel);
    CHECK_EQ_U64(in.mem.base, HV_REG_NONE);
    CHECK_EQ_U64(in.mem.disp, 0x1000);
    CHECK_EQ_U64(dec(64, "8B 04 25 00 10 00 00", &in), HV_DECODE_OK); /* SIB: absolute in 64-bit mode */
    CHECK(!in.mem.riprel);
    CHECK_EQ_U64(in.mem.base, HV_REG_NONE);
    CHECK_EQ_U64(in.mem.index, HV_REG_NONE);
}

TEST_CASE(sib_forms)
{
    struct hv_insn in;
    CHECK_EQ_U64(dec(64, "8B 04 E0", &in), HV_DECODE_OK); /* index 100: none */
    CHECK_EQ_U64(in.mem.index, HV_REG_NONE);
    CHECK_EQ_U64(in.mem.base, 0);
    CHECK_EQ_U64(dec(64, "42 8B 04 E0", &in), HV_DECODE_OK); /* REX.X: R12 index, scale 8 */
    CHECK_EQ_U64(in.mem.index, 12);
    CHECK_EQ_U64(in.mem.scale, 8);
    CHECK_EQ_U64(dec(64, "8B 04 8D 78 56 34 12", &in), HV_DECODE_OK); /* base 101 mod 00: no base, disp32 */
    CHECK_EQ_U64(in.mem.base, HV_REG_NONE);
    CHECK_EQ_U64(in.mem.index, 1);
    CHECK_EQ_U64(in.mem.scale, 4);
    CHECK_EQ_U64(in.mem.disp, 0x12345678);
    CHECK_EQ_U64(dec(64, "41 8B 04 8D 78 56 34 12", &in), HV_DECODE_OK); /* ... whatever REX.B says */
    CHECK_EQ_U64(in.mem.base, HV_REG_NONE);
    CHECK_EQ_U64(in.len, 8);
    CHECK_EQ_U64(dec(64, "41 8B 44 8D 00", &in), HV_DECODE_OK); /* mod 01: R13 base */
    CHECK_EQ_U64(in.mem.base, 13);
    CHECK_EQ_U64(dec(64, "8B 84 8D 00 01 00 00", &in), HV_DECODE_OK); /* mod 10: RBP base, disp32, SS */
    CHECK_EQ_U64(in.mem.base, 5);
    CHECK_EQ_U64(in.mem.seg, HV_SEG_SS);
    CHECK_EQ_U64(in.mem.disp, 0x100);
    CHECK_EQ_U64(dec(64, "8B 44 24 F8", &in), HV_DECODE_OK); /* [rsp-8]: disp8 sign-extended */
    CHECK_EQ_U64(in.mem.disp, -8);
    CHECK_EQ_U64(dec(32, "67 8B 00", &in), HV_DECODE_OK); /* 67 in 32-bit mode: 16-bit addressing */
    CHECK_EQ_U64(in.mem.addr_size, 2);
    CHECK_EQ_U64(in.mem.base, 3);
    CHECK_EQ_U64(in.mem.index, 6);
}

TEST_CASE(addressing_16_bit_every_rm_and_mod)
{
    static const int8_t base[8] = {3, 3, 5, 5, 6, 7, 5, 3}, index[8] = {6, 7, 6, 7, -1, -1, -1, -1};
    for (unsigned mod = 0; mod < 3; mod++)
        for (unsigned rm = 0; rm < 8; rm++) {
            uint8_t b[4] = {0x8B, (uint8_t)(mod << 6 | rm), 0x80, 0xFF};
            struct hv_insn in;
            CHECK_EQ_U64(hv_decode(b, sizeof b, HV_MODE_16, &in), HV_DECODE_OK);
            CHECK_EQ_U64(in.mem.addr_size, 2);
            if (mod == 0 && rm == 6) {
                CHECK_EQ_U64(in.mem.base, HV_REG_NONE); /* [disp16] */
                CHECK_EQ_U64(in.len, 4);
                CHECK_EQ_U64(in.mem.disp, (int16_t)0xFF80);
                continue;
            }
            CHECK_EQ_U64(in.mem.base, base[rm]);
            CHECK_EQ_U64(in.mem.index, index[rm]);
            CHECK_EQ_U64(in.mem.seg, base[rm] == 5 ? HV_SEG_SS : HV_SEG_DS);
            CHECK_EQ_U64(in.len, 2u + (mod == 1 ? 1u : mod == 2 ? 2u : 0u));
            CHECK_EQ_U64(in.mem.disp, mod == 0 ? 0 : mod == 1 ? -128 : (int16_t)0xFF80);
        }
    struct hv_insn in;
    CHECK_EQ_U64(dec(16, "67 8B 04 88", &in), HV_DECODE_OK); /* 67 in 16-bit mode: 32-bit SIB */
    CHECK_EQ_U64(in.mem.addr_size, 4);
    CHECK_EQ_U64(in.mem.base, 0);
    CHECK_EQ_U64(in.mem.index, 1);
    CHECK_EQ_U64(in.mem.scale, 4);
}

TEST_CASE(lock_rules)
{
    struct hv_insn in;
    CHECK_EQ_U64(dec(64, "F0 01 00", &in), HV_DECODE_OK); /* lock add [rax], eax */
    CHECK(in.lock);
    CHECK_EQ_U64(dec(64, "F0 83 08 01", &in), HV_DECODE_OK);
    CHECK_EQ_U64(dec(64, "F0 87 00", &in), HV_DECODE_OK);
    CHECK_EQ_U64(dec(64, "F0 89 00", &in), HV_DECODE_INVALID);    /* MOV: not lockable */
    CHECK_EQ_U64(dec(64, "F0 C7 00 00 00 00 00", &in), HV_DECODE_INVALID);
    CHECK_EQ_U64(dec(64, "F0 03 00", &in), HV_DECODE_INVALID);    /* register destination */
    CHECK_EQ_U64(dec(64, "F0 39 00", &in), HV_DECODE_INVALID);    /* CMP */
    CHECK_EQ_U64(dec(64, "F0 83 38 01", &in), HV_DECODE_INVALID); /* CMP /7 */
    CHECK_EQ_U64(dec(64, "F0 85 00", &in), HV_DECODE_INVALID);    /* TEST */
    CHECK_EQ_U64(dec(64, "F0 0F A3 00", &in), HV_DECODE_INVALID); /* BT */
    CHECK_EQ_U64(dec(64, "F0 0F B6 00", &in), HV_DECODE_INVALID);
    CHECK_EQ_U64(dec(64, "F0 01 C0", &in), HV_DECODE_INVALID);    /* register operand */
    CHECK_EQ_U64(dec(64, "F0 87 C0", &in), HV_DECODE_INVALID);
    CHECK_EQ_U64(dec(64, "F0 AB", &in), HV_DECODE_INVALID);       /* string */
    CHECK_EQ_U64(dec(64, "F0 A1 00 00 00 00 00 00 00 00", &in), HV_DECODE_INVALID);
    CHECK_EQ_U64(dec(64, "F0 F6 10", &in), HV_DECODE_UNSUPPORTED); /* lock not: valid, not emulated */
    CHECK_EQ_U64(dec(64, "F0 F6 00 00", &in), HV_DECODE_INVALID);  /* lock test */
    CHECK_EQ_U64(dec(64, "F0 80 10 00", &in), HV_DECODE_UNSUPPORTED); /* lock adc */
    CHECK_EQ_U64(dec(64, "F3 F0 01 00", &in), HV_DECODE_OK);      /* XRELEASE: a hint */
}

TEST_CASE(rep_prefixes)
{
    struct hv_insn in;
    CHECK_EQ_U64(dec(64, "F3 A5", &in), HV_DECODE_OK);
    CHECK(in.rep && !in.repne);
    CHECK_EQ_U64(dec(64, "F3 48 AB", &in), HV_DECODE_OK);
    CHECK(in.rep && in.size == 8);
    CHECK_EQ_U64(dec(64, "67 F3 AA", &in), HV_DECODE_OK);
    CHECK(in.rep && in.mem.addr_size == 4);
    CHECK_EQ_U64(dec(64, "F2 A4", &in), HV_DECODE_UNSUPPORTED);    /* REPNE MOVS: not defined by the SDM */
    CHECK_EQ_U64(dec(64, "F2 F3 A4", &in), HV_DECODE_UNSUPPORTED);
    CHECK_EQ_U64(dec(64, "F3 89 00", &in), HV_DECODE_OK);          /* ignored on MOV (XRELEASE hint) */
    CHECK(!in.rep);
    CHECK_EQ_U64(dec(64, "F2 0F B6 00", &in), HV_DECODE_OK);
    CHECK(!in.rep && !in.repne);
}

TEST_CASE(unsupported_and_invalid_forms)
{
    struct hv_insn in;
    const char *unsupported64[] = {
        "89 C0", "0F B6 C0", "01 C0", "83 C0 01", "C6 C0 01", "87 C0", "F7 C0 00 00 00 00", /* mod 3 */
        "10 00", "80 10 01", "83 18 01",           /* ADC, SBB */
        "F6 08 01", "F6 10", "F7 30",             /* TEST alias /1, NOT, DIV */
        "C6 F8 01", "C7 F8 00 00 00 00",          /* XABORT, XBEGIN */
        "66 63 00",                               /* MOVSXD r16: decoders disagree */
        "04 01", "A8 01", "90", "0F 0B", "8C 00", "8E 00", "FF 00", "0F BA 20 01", "0F AB 00",
    };
    for (size_t i = 0; i < sizeof unsupported64 / sizeof *unsupported64; i++)
        if (dec(64, unsupported64[i], &in) != HV_DECODE_UNSUPPORTED)
            testlib_fail(__FILE__, __LINE__, "64-bit %s: not unsupported", unsupported64[i]);
    const char *invalid64[] = {"C6 08 00", "C7 38 00 00 00 00", "C6 F9 00", "82 00 00", "06", "D6", "60"};
    for (size_t i = 0; i < sizeof invalid64 / sizeof *invalid64; i++)
        if (dec(64, invalid64[i], &in) != HV_DECODE_INVALID)
            testlib_fail(__FILE__, __LINE__, "64-bit %s: not invalid", invalid64[i]);
    CHECK_EQ_U64(dec(32, "82 00 00", &in), HV_DECODE_UNSUPPORTED); /* valid alias of 80 outside 64-bit */
    CHECK_EQ_U64(dec(32, "63 00", &in), HV_DECODE_UNSUPPORTED);    /* ARPL */
    CHECK_EQ_U64(dec(16, "06", &in), HV_DECODE_UNSUPPORTED);       /* PUSH ES */
    /* a failed decode leaves no operands a caller could act on */
    CHECK_EQ_U64(in.len, 0);
    CHECK_EQ_U64(in.op, HV_OP_NONE);
    CHECK_EQ_U64(in.reg, HV_REG_NONE);
}

TEST_CASE(fifteen_byte_limit)
{
    struct hv_insn in;
    /* 13 prefixes + 89 00 = 15 bytes: fine */
    CHECK_EQ_U64(dec(64, "66 66 66 66 66 66 66 66 66 66 66 66 66 89 00", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.len, 15);
    /* 14 prefixes + 89 00 = 16: invalid, with or without the 16th byte at hand */
    CHECK_EQ_U64(dec(64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 00", &in), HV_DECODE_INVALID);
    CHECK_EQ_U64(dec(64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 89", &in), HV_DECODE_INVALID);
    CHECK_EQ_U64(dec(64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", &in), HV_DECODE_INVALID);
    /* but with fewer than 15 bytes given the verdict is "truncated" */
    CHECK_EQ_U64(dec(64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66", &in), HV_DECODE_TRUNCATED);
    /* the longest real form: 4 prefixes + REX + C7 ModRM SIB disp32 imm32 = 15 */
    CHECK_EQ_U64(dec(64, "64 67 F3 2E 48 C7 84 88 78 56 34 12 EF BE AD DE", &in), HV_DECODE_INVALID);
    CHECK_EQ_U64(dec(64, "64 67 F3 48 C7 84 88 78 56 34 12 EF BE AD DE", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.len, 15);
    CHECK_EQ_U64(in.mem.seg, HV_SEG_FS);
    CHECK_EQ_U64(in.mem.addr_size, 4);
    CHECK_EQ_U64(in.imm, (int64_t)(int32_t)0xDEADBEEF);
    /* extra bytes after an instruction are not read into it */
    CHECK_EQ_U64(dec(64, "89 00 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90", &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.len, 2);
}

/* Every proper prefix of a long instruction is TRUNCATED, the whole is OK. */
static void truncate_every_byte(int mode, const uint8_t *b, size_t len)
{
    for (size_t n = 0; n < len; n++) {
        uint8_t *buf = malloc(n ? n : 1);
        memcpy(buf, b, n);
        struct hv_insn in;
        enum hv_decode_error e = hv_decode(buf, n, (enum hv_cpu_mode)mode, &in);
        free(buf);
        if (e != HV_DECODE_TRUNCATED)
            testlib_fail(__FILE__, __LINE__, "%d-bit, first %zu of %zu bytes: error %d, not truncated", mode, n,
                         len, e);
        CHECK_EQ_U64(e, HV_DECODE_TRUNCATED);
    }
    struct hv_insn in;
    CHECK_EQ_U64(hv_decode(b, len, (enum hv_cpu_mode)mode, &in), HV_DECODE_OK);
    CHECK_EQ_U64(in.len, len);
}

TEST_CASE(truncation_at_every_byte)
{
    static const uint8_t mov_imm_sib[] = {0x64, 0x67, 0xF3, 0x48, 0xC7, 0x84, 0x88, 0x78,
                                          0x56, 0x34, 0x12, 0xEF, 0xBE, 0xAD, 0xDE};
    static const uint8_t moffs64[] = {0x65, 0x48, 0xA3, 1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t movzx[] = {0x66, 0x44, 0x0F, 0xB7, 0x44, 0x24, 0x08};
    static const uint8_t alu16[] = {0x26, 0x81, 0x86, 0x34, 0x12, 0x78, 0x56}; /* add word es:[bp+0x1234], 0x5678 */
    truncate_every_byte(64, mov_imm_sib, sizeof mov_imm_sib);
    truncate_every_byte(64, moffs64, sizeof moffs64);
    truncate_every_byte(64, movzx, sizeof movzx);
    truncate_every_byte(16, alu16, sizeof alu16);
    static const uint8_t alu32[] = {0x26, 0x81, 0x86, 0x78, 0x56, 0x34, 0x12, 1, 0, 0, 0}; /* es:[esi+disp32] */
    truncate_every_byte(32, alu32, sizeof alu32);
}

TEST_CASE(bad_arguments)
{
    struct hv_insn in;
    uint8_t b[2] = {0x89, 0x00};
    CHECK_EQ_U64(hv_decode(NULL, 0, HV_MODE_64, &in), HV_DECODE_TRUNCATED);
    CHECK_EQ_U64(hv_decode(NULL, 5, HV_MODE_64, &in), HV_DECODE_TRUNCATED); /* NULL bytes: nothing to read */
    CHECK_EQ_U64(hv_decode(b, 2, (enum hv_cpu_mode)8, &in), HV_DECODE_INVALID);
    CHECK_EQ_U64(hv_decode(b, 2, HV_MODE_64, NULL), HV_DECODE_INVALID);
}

TEST_CASE(names)
{
    CHECK_STREQ(hv_insn_op_name(HV_OP_MOVSXD), "movsxd");
    CHECK_STREQ(hv_insn_op_name(HV_OP_BT), "bt");
    CHECK_STREQ(hv_insn_op_name((enum hv_insn_op)99), "none");
    CHECK_STREQ(hv_reg_name(9, 4), "r9d");
    CHECK_STREQ(hv_reg_name(0, 2), "ax");
    CHECK_STREQ(hv_reg_name(15, 8), "r15");
    CHECK_STREQ(hv_reg_name(HV_REG_BH, 1), "bh");
    CHECK_STREQ(hv_reg_name(HV_REG_RIP, 8), "rip");
    CHECK(hv_reg_name(HV_REG_NONE, 8) == NULL);
    CHECK(hv_reg_name(3, 3) == NULL);
    CHECK_STREQ(hv_seg_name(HV_SEG_GS), "gs");
    CHECK(hv_seg_name((enum hv_seg)6) == NULL);
}

/* Sanity of any result: typed error, or a decode whose fields are in range and within the bytes given. */
static void check_sane(const uint8_t *b, size_t n, int mode)
{
    uint8_t *buf = malloc(n ? n : 1);
    memcpy(buf, b, n);
    struct hv_insn in, again;
    enum hv_decode_error e = hv_decode(buf, n, (enum hv_cpu_mode)mode, &in);
    enum hv_decode_error e2 = hv_decode(buf, n, (enum hv_cpu_mode)mode, &again);
    free(buf);
    testlib_checks++;
    if (e != e2 || memcmp(&in, &again, sizeof in) != 0)
        testlib_fail(__FILE__, __LINE__, "not deterministic");
    if (e > HV_DECODE_UNSUPPORTED)
        testlib_fail(__FILE__, __LINE__, "untyped error %d", e);
    if (e != HV_DECODE_OK)
        return;
    bool ok = in.len >= 1 && in.len <= n && in.len <= HV_INSN_MAX_LEN && in.op != HV_OP_NONE &&
              (in.size == 1 || in.size == 2 || in.size == 4 || in.size == 8) &&
              (in.mem.addr_size == 2 || in.mem.addr_size == 4 || in.mem.addr_size == 8) &&
              in.mem.seg <= HV_SEG_GS && in.reg >= HV_REG_NONE && in.reg <= HV_REG_BH &&
              (in.mem.scale == 1 || in.mem.scale == 2 || in.mem.scale == 4 || in.mem.scale == 8) &&
              in.dir >= HV_DIR_LOAD && in.dir <= HV_DIR_RMW;
    if (!ok)
        testlib_fail(__FILE__, __LINE__, "%d-bit: insane decode (len %u of %zu, size %u)", mode, in.len, n,
                     in.size);
}

TEST_CASE(exhaustive_one_and_two_byte_inputs_never_crash)
{
    static const int modes[] = {16, 32, 64};
    for (int m = 0; m < 3; m++) {
        for (unsigned a = 0; a < 256; a++) {
            uint8_t b[2] = {(uint8_t)a, 0};
            check_sane(b, 1, modes[m]);
            for (unsigned c = 0; c < 256; c++) {
                b[1] = (uint8_t)c;
                check_sane(b, 2, modes[m]);
            }
        }
    }
}

TEST_CASE(random_fifteen_byte_inputs_never_crash)
{
    uint64_t x = 0x2545F4914F6CDD1DULL; /* xorshift64, fixed seed */
    static const int modes[] = {16, 32, 64};
    for (int i = 0; i < 300000; i++) {
        uint8_t b[15];
        for (int k = 0; k < 15; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b[k] = (uint8_t)x;
        }
        check_sane(b, 15, modes[i % 3]);
        check_sane(b, 1 + (size_t)(x >> 60) % 15, modes[i % 3]);
    }
}
