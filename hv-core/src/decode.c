/* The MMIO path's instruction decoder (hv/decode.h): prefixes, then the supported opcodes.
 *
 * Policy: an opcode outside the supported set is UNSUPPORTED as soon as it is recognised (the MMIO path
 * injects #UD or kills the VM either way, so its length does not matter). For the supported opcodes the
 * decode is exact: every byte is read (so a short buffer is TRUNCATED and a 16th byte INVALID), the #UD
 * cases (LOCK where not allowed, undefined ModRM.reg values) are INVALID, and forms that are valid but not a
 * memory access the path emulates (register-only ModRM, ADC/SBB, NOT/NEG/MUL/DIV, XABORT/XBEGIN) are
 * UNSUPPORTED. Nothing is guessed: a form whose semantics the SDM leaves open is UNSUPPORTED too. */
#include "core.h"
#include "decode_internal.h"

/* Operand size: Vol. 1 §3.6.1 Table 3-3 (16/32-bit code: D flag default, 66 toggles), Table 3-4 and Vol. 2
 * §2.2.1.2 (64-bit mode: default 32, 66 -> 16, REX.W -> 64 and REX.W beats 66). */
static unsigned operand_size(const struct hv_dec *d)
{
    if (d->mode == HV_MODE_64)
        return (d->rex & HV_REX_W) ? 8 : d->opsize_prefix ? 2 : 4;
    if (d->mode == HV_MODE_32)
        return d->opsize_prefix ? 2 : 4;
    return d->opsize_prefix ? 4 : 2;
}

/* Address size: Vol. 1 §3.6.1 Tables 3-3 and 3-4 (67 toggles 16/32; in 64-bit mode 64, 67 -> 32). */
static unsigned address_size(const struct hv_dec *d)
{
    if (d->mode == HV_MODE_64)
        return d->addrsize_prefix ? 4 : 8;
    if (d->mode == HV_MODE_32)
        return d->addrsize_prefix ? 2 : 4;
    return d->addrsize_prefix ? 4 : 2;
}

/* Legacy prefixes (Vol. 2 §2.1.1) and REX (§2.2.1). Leaves d->pos at the opcode and returns its first byte. A
 * REX counts only when it immediately precedes the opcode (§2.2.1: "other placements are ignored"); of
 * several REX the last counts. Of repeated segment overrides the last counts; in 64-bit mode ES/CS/SS/DS
 * overrides are ignored (Vol. 1 §3.7.4.1) and do not cancel an earlier FS/GS. */
static enum hv_decode_error scan_prefixes(struct hv_dec *d, uint8_t *opcode)
{
    for (;;) {
        uint8_t b;
        enum hv_decode_error e = hv_dec_byte(d, &b);
        if (e != HV_DECODE_OK)
            return e;
        if (d->mode == HV_MODE_64 && (b & 0xF0) == 0x40) {
            d->rex = b;
            continue;
        }
        switch (b) {
        case 0xF0: d->lock = true; break;
        case 0xF2: d->saw_f2 = true; d->last_rep = b; break;
        case 0xF3: d->saw_f3 = true; d->last_rep = b; break;
        case 0x66: d->opsize_prefix = true; break;
        case 0x67: d->addrsize_prefix = true; break;
        case 0x26: if (d->mode != HV_MODE_64) d->seg_override = HV_SEG_ES; break;
        case 0x2E: if (d->mode != HV_MODE_64) d->seg_override = HV_SEG_CS; break;
        case 0x36: if (d->mode != HV_MODE_64) d->seg_override = HV_SEG_SS; break;
        case 0x3E: if (d->mode != HV_MODE_64) d->seg_override = HV_SEG_DS; break;
        case 0x64: d->seg_override = HV_SEG_FS; break;
        case 0x65: d->seg_override = HV_SEG_GS; break;
        default:
            *opcode = b;
            return HV_DECODE_OK;
        }
        d->rex = 0; /* a legacy prefix after a REX: the REX is ignored */
    }
}

/* The ModRM.reg register operand (Vol. 2 §2.1.5 Table 2-2, §2.2.1.2): REX.R adds 8; with an 8-bit operand
 * and no REX, 4-7 are AH CH DH BH, with any REX they are SPL BPL SIL DIL (Vol. 1 §3.4.1.1, Vol. 2 §2.2.1.2). */
static int8_t reg_operand(const struct hv_dec *d, unsigned size)
{
    unsigned r = d->reg | ((d->rex & HV_REX_R) ? 8u : 0u);
    if (size == 1 && d->rex == 0 && r >= 4 && r <= 7)
        return (int8_t)(HV_REG_AH + (int)(r - 4));
    return (int8_t)r;
}

/* An immediate of n bytes, sign-extended to 64 bits (what the operand uses is its low `size` bytes:
 * imm8 of 83 /r and imm32 of REX.W forms are sign-extended by the instruction, Vol. 2 §3.1.1.1). */
static enum hv_decode_error read_imm(struct hv_dec *d, unsigned n, struct hv_insn *out)
{
    uint64_t v;
    enum hv_decode_error e = hv_dec_uint(d, n, &v);
    if (e != HV_DECODE_OK)
        return e;
    unsigned shift = 64 - 8 * n;
    out->imm = (int64_t)(v << shift) >> shift;
    out->has_imm = true;
    return HV_DECODE_OK;
}

/* ADD OR - - AND SUB XOR CMP in opcode-row order (Vol. 2 Appendix A Table A-2); ADC and SBB are not emulated. */
static const enum hv_insn_op alu_ops[8] = {HV_OP_ADD, HV_OP_OR, HV_OP_NONE, HV_OP_NONE,
                                           HV_OP_AND, HV_OP_SUB, HV_OP_XOR, HV_OP_CMP};

/* What one supported ModRM form needs: operation, operand sizes, immediate width, LOCK legality. */
struct form {
    enum hv_insn_op op;
    enum hv_insn_dir dir;
    unsigned size;     /* memory operand size */
    unsigned dst_size; /* register written (MOVZX/MOVSX/MOVSXD), else = size */
    unsigned imm;      /* immediate bytes, 0 for none */
    bool has_reg;      /* ModRM.reg is a register operand (not an opcode extension) */
    bool lockable;     /* LOCK allowed with a memory operand (Vol. 2 "LOCK" page: ADD ADC AND BTC BTR BTS
                          CMPXCHG CMPXCH8B CMPXCHG16B DEC INC NEG NOT OR SBB SUB XOR XADD XCHG) */
    bool mem_is_dst;
};

/* Decode the ModRM operands of form f, then apply the validity rules in the hardware's terms. */
static enum hv_decode_error modrm_form(struct hv_dec *d, const struct form *f, struct hv_insn *out)
{
    enum hv_decode_error e = hv_dec_modrm(d, &out->mem);
    if (e != HV_DECODE_OK)
        return e;
    if (f->imm && (e = read_imm(d, f->imm, out)) != HV_DECODE_OK)
        return e;
    /* LOCK on a non-lockable instruction or without a memory destination is #UD (Vol. 2 "LOCK") */
    if (d->lock && (!f->lockable || d->mod == 3))
        return HV_DECODE_INVALID;
    if (d->mod == 3 || f->op == HV_OP_NONE)
        return HV_DECODE_UNSUPPORTED; /* no memory operand, or an operation the MMIO path does not emulate */
    out->op = f->op;
    out->dir = f->dir;
    out->size = (uint8_t)f->size;
    out->dst_size = (uint8_t)(f->dst_size ? f->dst_size : f->size);
    out->reg = f->has_reg ? reg_operand(d, out->dst_size) : HV_REG_NONE;
    out->mem_is_dst = f->mem_is_dst;
    return HV_DECODE_OK;
}

/* ModRM.reg of the next byte (the opcode extension of groups 1, 3, 11), without consuming it. */
static enum hv_decode_error peek_reg(const struct hv_dec *d, unsigned *sub)
{
    if (d->pos >= HV_INSN_MAX_LEN)
        return HV_DECODE_INVALID;
    if (d->pos >= d->avail)
        return HV_DECODE_TRUNCATED;
    *sub = (d->bytes[d->pos] >> 3) & 7;
    return HV_DECODE_OK;
}

/* 00-3B: the ALU rows; opcode bit 1 = direction (reg is the destination), bit 0 = full size (Vol. 2 §B.1.4.3). */
static enum hv_decode_error alu_rm(struct hv_dec *d, uint8_t opc, struct hv_insn *out)
{
    enum hv_insn_op op = alu_ops[opc >> 3];
    bool to_reg = (opc & 2) != 0;
    bool cmp = op == HV_OP_CMP;
    struct form f = {op, (to_reg || cmp) ? HV_DIR_LOAD : HV_DIR_RMW, (opc & 1) ? operand_size(d) : 1, 0, 0,
                     true, !to_reg && !cmp, !to_reg};
    return modrm_form(d, &f, out);
}

/* 80 81 83 /digit: ALU r/m, imm (Vol. 2 Appendix A Table A-6 group 1). /7 CMP only reads. */
static enum hv_decode_error alu_imm(struct hv_dec *d, uint8_t opc, struct hv_insn *out)
{
    unsigned size = opc == 0x80 ? 1 : operand_size(d);
    /* 80/83 take imm8 (83's sign-extended); 81 imm16 or imm32, sign-extended for 64-bit operands */
    unsigned imm = opc == 0x81 ? (size == 2 ? 2 : 4) : 1;
    unsigned sub;
    enum hv_decode_error e = peek_reg(d, &sub);
    if (e != HV_DECODE_OK)
        return e;
    struct form f = {alu_ops[sub], sub == 7 ? HV_DIR_LOAD : HV_DIR_RMW, size, 0, imm, false, sub != 7, true};
    return modrm_form(d, &f, out);
}

/* F6/F7 group 3 (Table A-6): /0 TEST r/m, imm; /1 is an undocumented alias of /0 (Intel documents only /0)
 * -> UNSUPPORTED; /2 NOT and /3 NEG are lockable; /4-/7 MUL IMUL DIV IDIV. Only /0 and /1 take an immediate. */
static enum hv_decode_error group3(struct hv_dec *d, uint8_t opc, struct hv_insn *out)
{
    unsigned size = opc == 0xF6 ? 1 : operand_size(d);
    unsigned sub;
    enum hv_decode_error e = peek_reg(d, &sub);
    if (e != HV_DECODE_OK)
        return e;
    unsigned imm = sub <= 1 ? (size == 1 ? 1 : size == 2 ? 2 : 4) : 0;
    struct form f = {sub == 0 ? HV_OP_TEST : HV_OP_NONE, HV_DIR_LOAD, size, 0, imm, false, sub == 2 || sub == 3,
                     true};
    return modrm_form(d, &f, out);
}

/* C6/C7 group 11 (Table A-6): /0 MOV r/m, imm; /7 with ModRM F8 is XABORT (C6, imm8) / XBEGIN (C7, rel16/32);
 * every other reg value is #UD. */
static enum hv_decode_error mov_imm(struct hv_dec *d, uint8_t opc, struct hv_insn *out)
{
    unsigned size = opc == 0xC6 ? 1 : operand_size(d);
    unsigned sub;
    enum hv_decode_error e = peek_reg(d, &sub);
    if (e != HV_DECODE_OK)
        return e;
    if (sub != 0 && sub != 7)
        return HV_DECODE_INVALID;
    /* imm8 for C6; imm16/imm32 (sign-extended for 64-bit operands) for C7; XBEGIN's rel16/rel32 alike */
    unsigned imm = size == 1 ? 1 : size == 2 ? 2 : 4;
    struct form f = {sub == 0 ? HV_OP_MOV : HV_OP_NONE, HV_DIR_STORE, size, 0, imm, false, false, true};
    e = modrm_form(d, &f, out);
    if (sub == 7 && e == HV_DECODE_UNSUPPORTED && !(d->mod == 3 && d->rm == 0))
        return HV_DECODE_INVALID; /* /7 is defined only as ModRM F8 */
    return e;
}

/* A0-A3: MOV AL/rAX <-> moffs (Vol. 2 "MOV"): the offset has the address size (8 bytes in 64-bit mode, 4
 * with 67; Vol. 2 §2.2.1.4), no ModRM; segment DS unless overridden. mem.disp is the offset, zero-extended. */
static enum hv_decode_error moffs(struct hv_dec *d, uint8_t opc, struct hv_insn *out)
{
    uint64_t off;
    enum hv_decode_error e = hv_dec_uint(d, out->mem.addr_size, &off);
    if (e != HV_DECODE_OK)
        return e;
    if (d->lock)
        return HV_DECODE_INVALID;
    out->op = HV_OP_MOV;
    out->dir = (opc & 2) ? HV_DIR_STORE : HV_DIR_LOAD;
    out->size = out->dst_size = (uint8_t)((opc & 1) ? operand_size(d) : 1);
    out->reg = 0; /* AL / AX / EAX / RAX */
    out->mem.seg = d->seg_override >= 0 ? (uint8_t)d->seg_override : HV_SEG_DS;
    out->mem.disp = (int64_t)off;
    out->mem_is_dst = (opc & 2) != 0;
    return HV_DECODE_OK;
}

/* AA AB STOS (ES:rDI, no override: Vol. 2 "STOS"), A4 A5 MOVS (source seg:rSI with the override, destination
 * ES:rDI): mem describes STOS's destination and MOVS's source. rSI/rDI/rCX have the address size. F3 is REP
 * (Vol. 2 "REP"); F2 on MOVS/STOS is not defined by the SDM -> UNSUPPORTED rather than a guess. */
static enum hv_decode_error string_op(struct hv_dec *d, uint8_t opc, struct hv_insn *out)
{
    if (d->lock)
        return HV_DECODE_INVALID; /* LOCK on MOVS/STOS is #UD (Vol. 2 "LOCK") */
    if (d->saw_f2)
        return HV_DECODE_UNSUPPORTED;
    bool stos = opc >= 0xAA;
    out->op = stos ? HV_OP_STOS : HV_OP_MOVS;
    out->dir = stos ? HV_DIR_STORE : HV_DIR_LOAD;
    out->size = out->dst_size = (uint8_t)((opc & 1) ? operand_size(d) : 1);
    out->reg = stos ? 0 : HV_REG_NONE; /* STOS stores AL/AX/EAX/RAX */
    out->mem.base = stos ? 7 : 6;      /* rDI : rSI */
    out->mem.seg = stos ? HV_SEG_ES : d->seg_override >= 0 ? (uint8_t)d->seg_override : HV_SEG_DS;
    out->mem_is_dst = stos;
    out->rep = d->saw_f3;
    return HV_DECODE_OK;
}

/* One-byte opcodes that are #UD in 64-bit mode (Vol. 2 Appendix A Table A-2, "i64"): PUSH/POP ES CS SS DS,
 * DAA DAS AAA AAS, PUSHA POPA, 82 (alias of 80), far CALL/JMP, INTO, AAM AAD, and D6 (SALC, undefined). */
static bool invalid_in_64(uint8_t b)
{
    switch (b) {
    case 0x06: case 0x07: case 0x0E: case 0x16: case 0x17: case 0x1E: case 0x1F: case 0x27: case 0x2F:
    case 0x37: case 0x3F: case 0x60: case 0x61: case 0x82: case 0x9A: case 0xCE: case 0xD4: case 0xD5:
    case 0xD6: case 0xEA:
        return true;
    default:
        return false;
    }
}

/* 0F xx: MOVZX B6/B7, MOVSX BE/BF (source byte or word, destination the operand size), BT A3. */
static enum hv_decode_error two_byte(struct hv_dec *d, struct hv_insn *out)
{
    uint8_t b;
    enum hv_decode_error e = hv_dec_byte(d, &b);
    if (e != HV_DECODE_OK)
        return e;
    unsigned osz = operand_size(d);
    switch (b) {
    case 0xB6: case 0xB7: case 0xBE: case 0xBF: {
        struct form f = {b <= 0xB7 ? HV_OP_MOVZX : HV_OP_MOVSX, HV_DIR_LOAD, (b & 1) ? 2 : 1, osz, 0, true,
                         false, false};
        return modrm_form(d, &f, out);
    }
    case 0xA3: {
        /* BT only reads: not lockable (BTS/BTR/BTC are) */
        struct form f = {HV_OP_BT, HV_DIR_LOAD, osz, 0, 0, true, false, true};
        return modrm_form(d, &f, out);
    }
    default:
        return HV_DECODE_UNSUPPORTED;
    }
}

static enum hv_decode_error decode_opcode(struct hv_dec *d, uint8_t opc, struct hv_insn *out)
{
    if (d->mode == HV_MODE_64 && invalid_in_64(opc))
        return HV_DECODE_INVALID;
    if (opc < 0x40 && (opc & 7) < 4 && alu_ops[opc >> 3] != HV_OP_NONE)
        return alu_rm(d, opc, out);
    switch (opc) {
    case 0x0F:
        return two_byte(d, out);
    case 0x63: {
        /* MOVSXD (64-bit mode; ARPL elsewhere): REX.W sign-extends dword to qword, without REX.W it is a
         * 32-bit move (Vol. 2 "MOVSX/MOVSXD"); with 66 and no REX.W the SDM's r16 form and decoders disagree
         * on the source size -> UNSUPPORTED (after reading the whole instruction). */
        if (d->mode != HV_MODE_64)
            return HV_DECODE_UNSUPPORTED;
        unsigned dst = (d->rex & HV_REX_W) ? 8 : 4;
        struct form f = {HV_OP_MOVSXD, HV_DIR_LOAD, 4, dst, 0, true, false, false};
        enum hv_decode_error e = modrm_form(d, &f, out);
        if (e == HV_DECODE_OK && d->opsize_prefix && !(d->rex & HV_REX_W))
            return HV_DECODE_UNSUPPORTED;
        return e;
    }
    case 0x80: case 0x81: case 0x83:
        return alu_imm(d, opc, out);
    case 0x84: case 0x85: {
        struct form f = {HV_OP_TEST, HV_DIR_LOAD, (opc & 1) ? operand_size(d) : 1, 0, 0, true, false, true};
        return modrm_form(d, &f, out);
    }
    case 0x86: case 0x87: {
        struct form f = {HV_OP_XCHG, HV_DIR_RMW, (opc & 1) ? operand_size(d) : 1, 0, 0, true, true, true};
        return modrm_form(d, &f, out);
    }
    case 0x88: case 0x89: case 0x8A: case 0x8B: {
        bool load = (opc & 2) != 0;
        struct form f = {HV_OP_MOV, load ? HV_DIR_LOAD : HV_DIR_STORE, (opc & 1) ? operand_size(d) : 1, 0, 0,
                         true, false, !load};
        return modrm_form(d, &f, out);
    }
    case 0xA0: case 0xA1: case 0xA2: case 0xA3:
        return moffs(d, opc, out);
    case 0xA4: case 0xA5: case 0xAA: case 0xAB:
        return string_op(d, opc, out);
    case 0xC6: case 0xC7:
        return mov_imm(d, opc, out);
    case 0xF6: case 0xF7:
        return group3(d, opc, out);
    default:
        return HV_DECODE_UNSUPPORTED;
    }
}

enum hv_decode_error hv_decode(const uint8_t *bytes, size_t len, enum hv_cpu_mode mode, struct hv_insn *out)
{
    if (!out)
        return HV_DECODE_INVALID;
    hv_memset(out, 0, sizeof *out);
    out->reg = HV_REG_NONE;
    out->mem.base = HV_REG_NONE;
    out->mem.index = HV_REG_NONE;
    out->mem.scale = 1;
    if (mode != HV_MODE_16 && mode != HV_MODE_32 && mode != HV_MODE_64)
        return HV_DECODE_INVALID;
    struct hv_dec d;
    hv_memset(&d, 0, sizeof d);
    d.bytes = bytes;
    d.avail = bytes ? len : 0;
    d.mode = mode;
    d.seg_override = -1;

    uint8_t opc;
    enum hv_decode_error e = scan_prefixes(&d, &opc);
    if (e == HV_DECODE_OK) {
        out->mem.addr_size = (uint8_t)address_size(&d);
        out->lock = d.lock;
        e = decode_opcode(&d, opc, out);
    }
    if (e != HV_DECODE_OK) {
        /* a failed decode leaves nothing half-filled that a caller could act on */
        hv_memset(out, 0, sizeof *out);
        out->reg = HV_REG_NONE;
        out->mem.base = HV_REG_NONE;
        out->mem.index = HV_REG_NONE;
        out->mem.scale = 1;
        return e;
    }
    out->len = (uint8_t)d.pos;
    return HV_DECODE_OK;
}
