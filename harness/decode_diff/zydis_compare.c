/* The decoder against Zydis 4, one input at a time (zydis_compare.h); moved out of decode_diff.c so that the
 * fuzz_decode target applies exactly the same rules. */
#include "zydis_compare.h"

#include <hv/decode.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *const zc_category_names[CAT_COUNT] = {
    "supported, identical decode",
    "valid but outside the class, unsupported",
    "rejected by both (invalid/truncated)",
    "rejected by Zydis, opcode outside our set, unsupported",
};

/* Zydis answers corrected to the SDM's (see compare()); counted and printed by decode_diff */
static unsigned long erratum_592;
unsigned long zc_zydis_erratum_592(void) { return erratum_592; }

const uint8_t zc_legacy_prefixes[11] = {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};

/* The supported opcodes (the decoder's set; decode.c's switch). */
bool zc_our_opcode(int mode, bool two_byte, uint8_t op)
{
    if (two_byte)
        return op == 0xB6 || op == 0xB7 || op == 0xBE || op == 0xBF || op == 0xA3;
    if (op < 0x40 && (op & 7) < 4) {
        unsigned row = op >> 3;
        return row != 2 && row != 3; /* not ADC, SBB */
    }
    if (op == 0x63)
        return mode == 64;
    return op == 0x80 || op == 0x81 || op == 0x83 || (op >= 0x84 && op <= 0x8B) || (op >= 0xA0 && op <= 0xA5) ||
           op == 0xAA || op == 0xAB || op == 0xC6 || op == 0xC7 || op == 0xF6 || op == 0xF7;
}

void zc_decoder_init(ZydisDecoder *dec, int mode)
{
    ZydisDecoderInit(dec, mode == 64 ? ZYDIS_MACHINE_MODE_LONG_64 :
                          mode == 32 ? ZYDIS_MACHINE_MODE_LEGACY_32 : ZYDIS_MACHINE_MODE_LEGACY_16,
                     mode == 64 ? ZYDIS_STACK_WIDTH_64 : mode == 32 ? ZYDIS_STACK_WIDTH_32 : ZYDIS_STACK_WIDTH_16);
}

static bool in_class(const ZydisDecodedInstruction *z, const ZydisDecodedOperand *ops, int mode,
                     const uint8_t *bytes)
{
    bool two = z->opcode_map == ZYDIS_OPCODE_MAP_0F;
    if (z->encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY)
        return false;
    if (z->opcode_map != ZYDIS_OPCODE_MAP_DEFAULT && !two)
        return false;
    if (!zc_our_opcode(mode, two, z->opcode))
        return false;
    switch (z->mnemonic) {
    case ZYDIS_MNEMONIC_MOV: case ZYDIS_MNEMONIC_MOVZX: case ZYDIS_MNEMONIC_MOVSX: case ZYDIS_MNEMONIC_MOVSXD:
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: case ZYDIS_MNEMONIC_STOSQ:
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD: case ZYDIS_MNEMONIC_MOVSQ:
    case ZYDIS_MNEMONIC_ADD: case ZYDIS_MNEMONIC_OR: case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_SUB:
    case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_CMP: case ZYDIS_MNEMONIC_TEST: case ZYDIS_MNEMONIC_XCHG:
    case ZYDIS_MNEMONIC_BT:
        break;
    default:
        return false;
    }
    bool has_mem = false;
    for (unsigned i = 0; i < z->operand_count; i++)
        if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && ops[i].mem.type == ZYDIS_MEMOP_TYPE_MEM)
            has_mem = true;
    if (!has_mem)
        return false;
    /* the documented exclusions (decode.c says why): F6/F7 /1, F2 on MOVS/STOS, 66 63 without REX.W */
    if (!two && (z->opcode == 0xF6 || z->opcode == 0xF7) && z->raw.modrm.reg == 1)
        return false;
    bool string = !two && (z->opcode == 0xA4 || z->opcode == 0xA5 || z->opcode == 0xAA || z->opcode == 0xAB);
    if (string)
        for (unsigned i = 0; i < z->raw.prefix_count; i++)
            if (bytes[i] == 0xF2)
                return false;
    if (!two && z->opcode == 0x63 && z->operand_width == 16)
        return false;
    return true;
}

/* The opcode after the prefixes, as the decoder sees it; false if the bytes end first. */
static bool find_opcode(const uint8_t *b, size_t len, int mode, bool *two, uint8_t *op)
{
    size_t i = 0;
    for (; i < len && i < 15; i++) {
        if (memchr(zc_legacy_prefixes, b[i], sizeof zc_legacy_prefixes))
            continue;
        if (mode == 64 && (b[i] & 0xF0) == 0x40)
            continue;
        break;
    }
    if (i >= len || i >= 15)
        return false;
    *two = b[i] == 0x0F;
    if (*two) {
        if (i + 1 >= len || i + 1 >= 15)
            return false;
        *op = b[i + 1];
    } else {
        *op = b[i];
    }
    return true;
}

static const char *our_error(enum hv_decode_error e)
{
    static const char *const n[] = {"ok", "truncated", "invalid", "unsupported"};
    return (unsigned)e < 4 ? n[e] : "?";
}

static void print_ours(enum hv_decode_error e, const struct hv_insn *in)
{
    if (e != HV_DECODE_OK) {
        printf("  ours:  %s\n", our_error(e));
        return;
    }
    const char *reg = hv_reg_name(in->reg, in->dst_size), *base = hv_reg_name(in->mem.base, in->mem.addr_size),
               *index = hv_reg_name(in->mem.index, in->mem.addr_size);
    printf("  ours:  len=%u op=%s dir=%d size=%u dst_size=%u reg=%s seg=%s base=%s index=%s scale=%u "
           "disp=0x%" PRIx64 " asz=%u riprel=%d imm=%s0x%" PRIx64 " rep=%d lock=%d\n",
           in->len, hv_insn_op_name(in->op), in->dir, in->size, in->dst_size, reg ? reg : "-",
           hv_seg_name((enum hv_seg)in->mem.seg), base ? base : "-", index ? index : "-", in->mem.scale,
           (uint64_t)in->mem.disp, in->mem.addr_size, in->mem.riprel, in->has_imm ? "" : "(none)",
           (uint64_t)in->imm, in->rep, in->lock);
}

static void print_zydis(ZyanStatus s, const ZydisDecodedInstruction *z, const ZydisDecodedOperand *ops)
{
    if (!ZYAN_SUCCESS(s)) {
        printf("  zydis: status 0x%x (%s)\n", (unsigned)s,
               s == ZYDIS_STATUS_NO_MORE_DATA ? "no more data" :
               s == ZYDIS_STATUS_INSTRUCTION_TOO_LONG ? "too long" : "invalid");
        return;
    }
    ZydisFormatter f;
    char text[256];
    ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_INTEL);
    ZydisFormatterFormatInstruction(&f, z, ops, z->operand_count_visible, text, sizeof text, 0, NULL);
    printf("  zydis: %s (len=%u opw=%u asz=%u)\n", text, z->length, z->operand_width, z->address_width);
    for (unsigned i = 0; i < z->operand_count; i++) {
        const ZydisDecodedOperand *o = &ops[i];
        printf("    op%u type=%d vis=%d size=%u act=%d", i, o->type, o->visibility, o->size, o->actions);
        if (o->type == ZYDIS_OPERAND_TYPE_REGISTER)
            printf(" reg=%s", ZydisRegisterGetString(o->reg.value));
        if (o->type == ZYDIS_OPERAND_TYPE_MEMORY)
            printf(" seg=%s base=%s index=%s scale=%u disp=0x%" PRIx64, ZydisRegisterGetString(o->mem.segment),
                   ZydisRegisterGetString(o->mem.base), ZydisRegisterGetString(o->mem.index), o->mem.scale,
                   (uint64_t)o->mem.disp.value);
        if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
            printf(" imm=0x%" PRIx64, o->imm.value.u);
        printf("\n");
    }
}

static const char *zname(ZydisRegister r) { return r == ZYDIS_REGISTER_NONE ? NULL : ZydisRegisterGetString(r); }
static bool same_name(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }
static uint64_t mask(unsigned bytes) { return bytes >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * bytes)) - 1; }

static enum hv_insn_op op_of(ZydisMnemonic m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_MOV: return HV_OP_MOV;
    case ZYDIS_MNEMONIC_MOVZX: return HV_OP_MOVZX;
    case ZYDIS_MNEMONIC_MOVSX: return HV_OP_MOVSX;
    case ZYDIS_MNEMONIC_MOVSXD: return HV_OP_MOVSXD;
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: case ZYDIS_MNEMONIC_STOSQ:
        return HV_OP_STOS;
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD: case ZYDIS_MNEMONIC_MOVSQ:
        return HV_OP_MOVS;
    case ZYDIS_MNEMONIC_ADD: return HV_OP_ADD;
    case ZYDIS_MNEMONIC_OR: return HV_OP_OR;
    case ZYDIS_MNEMONIC_AND: return HV_OP_AND;
    case ZYDIS_MNEMONIC_SUB: return HV_OP_SUB;
    case ZYDIS_MNEMONIC_XOR: return HV_OP_XOR;
    case ZYDIS_MNEMONIC_CMP: return HV_OP_CMP;
    case ZYDIS_MNEMONIC_TEST: return HV_OP_TEST;
    case ZYDIS_MNEMONIC_XCHG: return HV_OP_XCHG;
    case ZYDIS_MNEMONIC_BT: return HV_OP_BT;
    default: return HV_OP_NONE;
    }
}

/* Field-by-field comparison of an in-class instruction; returns NULL or the first field that differs. */
static const char *compare(const struct hv_insn *in, const ZydisDecodedInstruction *z, const ZydisDecodedOperand *ops)
{
    if (in->len != z->length)
        return "length";
    if (in->op != op_of(z->mnemonic))
        return "operation";
    /* the memory operand: MOVS's source (ours describes it), otherwise the only one */
    const ZydisDecodedOperand *mem = NULL, *reg = NULL, *imm = NULL;
    for (unsigned i = 0; i < z->operand_count; i++) {
        const ZydisDecodedOperand *o = &ops[i];
        if (o->type == ZYDIS_OPERAND_TYPE_MEMORY && o->mem.type == ZYDIS_MEMOP_TYPE_MEM)
            mem = (in->op == HV_OP_MOVS && mem) ? o : mem ? mem : o;
        if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && !imm)
            imm = o;
        /* the register operand: explicit or implicit (moffs' AL/rAX); for STOS the hidden AL/rAX */
        if (o->type == ZYDIS_OPERAND_TYPE_REGISTER && !reg &&
            (o->visibility != ZYDIS_OPERAND_VISIBILITY_HIDDEN || (in->op == HV_OP_STOS && i == 1)))
            reg = o;
    }
    if (!mem)
        return "memory operand";
    /* Zydis 4.0 erratum (zyantific/zydis#592, fixed by PR #593 after 4.0): with a 32-bit address size, mod 00
     * and SIB base 101 under REX.B it reports base R13D and drops the disp32 it consumed. The SDM (Vol. 2
     * §2.2.1.2 Table 2-5) says: no base, disp32. Compare against the SDM's reading. */
    ZydisDecodedOperand fixed_mem;
    if (z->address_width == 32 && z->raw.modrm.mod == 0 && z->raw.modrm.rm == 4 && z->raw.sib.base == 5 &&
        mem->mem.base == ZYDIS_REGISTER_R13D) {
        fixed_mem = *mem;
        fixed_mem.mem.base = ZYDIS_REGISTER_NONE;
        fixed_mem.mem.disp.value = z->raw.disp.value;
        mem = &fixed_mem;
        erratum_592++;
    }
    if (in->size * 8u != mem->size)
        return "memory operand size";
    if (!same_name(hv_reg_name(in->reg, in->dst_size), reg ? zname(reg->reg.value) : NULL))
        return "register operand";
    if (in->mem.addr_size * 8u != z->address_width)
        return "address size";
    if (!same_name(hv_seg_name((enum hv_seg)in->mem.seg), zname(mem->mem.segment)))
        return "segment";
    if (!same_name(hv_reg_name(in->mem.base, in->mem.addr_size), zname(mem->mem.base)))
        return "base";
    if (!same_name(hv_reg_name(in->mem.index, in->mem.addr_size), zname(mem->mem.index)))
        return "index";
    if (in->mem.index != HV_REG_NONE && in->mem.scale != mem->mem.scale)
        return "scale";
    if (((uint64_t)in->mem.disp ^ (uint64_t)mem->mem.disp.value) & mask(in->mem.addr_size))
        return "displacement";
    bool zrip = mem->mem.base == ZYDIS_REGISTER_RIP || mem->mem.base == ZYDIS_REGISTER_EIP;
    if (in->mem.riprel != zrip)
        return "rip-relative";
    if (in->has_imm != (imm != NULL))
        return "immediate presence";
    if (imm && (((uint64_t)in->imm ^ imm->imm.value.u) & mask(in->size)))
        return "immediate";
    bool reads = mem->actions & (ZYDIS_OPERAND_ACTION_READ | ZYDIS_OPERAND_ACTION_CONDREAD);
    bool writes = mem->actions & (ZYDIS_OPERAND_ACTION_WRITE | ZYDIS_OPERAND_ACTION_CONDWRITE);
    enum hv_insn_dir dir = reads && writes ? HV_DIR_RMW : writes ? HV_DIR_STORE : HV_DIR_LOAD;
    if (in->dir != dir)
        return "direction";
    if ((in->op == HV_OP_STOS || in->op == HV_OP_MOVS) && in->rep != !!(z->attributes & ZYDIS_ATTRIB_HAS_REP))
        return "rep";
    if (in->lock != !!(z->attributes & ZYDIS_ATTRIB_HAS_LOCK))
        return "lock";
    return NULL;
}

static void disagree(int mode, const uint8_t *b, size_t len, const char *what, enum hv_decode_error e,
                     const struct hv_insn *in, ZyanStatus s, const ZydisDecodedInstruction *z,
                     const ZydisDecodedOperand *ops)
{
    printf("DISAGREEMENT (%s) in %d-bit mode on", what, mode);
    for (size_t i = 0; i < len; i++)
        printf(" %02x", b[i]);
    printf("\n");
    print_ours(e, in);
    print_zydis(s, z, ops);
}

/* Compare one input; returns its category, or -1 after printing a disagreement. */
int zc_check_one(const ZydisDecoder *dec, int mode, const uint8_t *b, size_t len)
{
    ZydisDecodedInstruction z;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    struct hv_insn in;
    ZyanStatus s = ZydisDecoderDecodeFull(dec, b, len, &z, ops);
    enum hv_decode_error e = hv_decode(b, len, (enum hv_cpu_mode)mode, &in);
    if (ZYAN_SUCCESS(s)) {
        if (in_class(&z, ops, mode, b)) {
            const char *diff = e == HV_DECODE_OK ? compare(&in, &z, ops) : "ours failed on a supported instruction";
            if (!diff)
                return CAT_SUPPORTED_AGREE;
            disagree(mode, b, len, diff, e, &in, s, &z, ops);
            return -1;
        }
        if (e == HV_DECODE_UNSUPPORTED)
            return CAT_UNSUPPORTED_AGREE;
        disagree(mode, b, len, "valid outside the class must be unsupported", e, &in, s, &z, ops);
        return -1;
    }
    if (e == HV_DECODE_INVALID || e == HV_DECODE_TRUNCATED)
        return CAT_REJECT_AGREE;
    bool two;
    uint8_t op;
    if (e == HV_DECODE_UNSUPPORTED && find_opcode(b, len, mode, &two, &op) && !zc_our_opcode(mode, two, op))
        return CAT_REJECT_OUTSIDE;
    disagree(mode, b, len, "Zydis rejects it", e, &in, s, &z, ops);
    return -1;
}
