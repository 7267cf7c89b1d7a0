/* The decoder's memory-operand half: ModRM, SIB and displacement in 16-, 32- and 64-bit addressing
 * (SDM Vol. 2 §2.1.3, §2.1.5 Tables 2-1, 2-2, 2-3; §2.2.1 for REX.X/B and RIP-relative addressing). */
#include "decode_internal.h"

enum hv_decode_error hv_dec_uint(struct hv_dec *d, unsigned n, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t b;
        enum hv_decode_error e = hv_dec_byte(d, &b);
        if (e != HV_DECODE_OK)
            return e;
        x |= (uint64_t)b << (8 * i); /* x86 immediates and displacements are little-endian (Vol. 1 §1.3.1) */
    }
    *v = x;
    return HV_DECODE_OK;
}

/* Sign-extend the low n bytes of v. */
static int64_t sext(uint64_t v, unsigned n)
{
    unsigned shift = 64 - 8 * n;
    return (int64_t)(v << shift) >> shift;
}

static enum hv_decode_error read_disp(struct hv_dec *d, unsigned n, struct hv_mem_operand *mem)
{
    uint64_t v;
    enum hv_decode_error e = hv_dec_uint(d, n, &v);
    if (e == HV_DECODE_OK)
        mem->disp = sext(v, n); /* disp8/disp16/disp32 are sign-extended (Vol. 2 §2.1.5 note to Table 2-2) */
    return e;
}

/* 16-bit addressing, Vol. 2 §2.1.5 Table 2-1: rm picks one of eight base/index pairs; mod 0 rm 6 is disp16
 * alone; BP-based forms default to SS (Vol. 1 §3.7.5). */
static enum hv_decode_error modrm16(struct hv_dec *d, struct hv_mem_operand *mem)
{
    static const int8_t base[8] = {3, 3, 5, 5, 6, 7, 5, 3};   /* BX BX BP BP SI DI BP BX */
    static const int8_t index[8] = {6, 7, 6, 7, -1, -1, -1, -1}; /* SI DI SI DI - - - - */
    if (d->mod == 0 && d->rm == 6) {
        mem->base = HV_REG_NONE;
        return read_disp(d, 2, mem);
    }
    mem->base = base[d->rm];
    mem->index = index[d->rm];
    if (mem->base == 5)
        mem->seg = HV_SEG_SS;
    if (d->mod == 1)
        return read_disp(d, 1, mem);
    if (d->mod == 2)
        return read_disp(d, 2, mem);
    return HV_DECODE_OK;
}

/* 32/64-bit addressing, Vol. 2 §2.1.5 Tables 2-2 and 2-3, with REX.X/REX.B extending index and base
 * (§2.2.1.2). RSP/RBP as base default to SS (Vol. 1 §3.7.5). */
static enum hv_decode_error modrm32(struct hv_dec *d, struct hv_mem_operand *mem)
{
    enum hv_decode_error e;
    unsigned rex_b = (d->rex & HV_REX_B) ? 8 : 0;
    if (d->rm == 4) {
        /* SIB follows (rm = 100b regardless of REX.B: §2.2.1.2 Table 2-5 "special cases") */
        uint8_t sib;
        if ((e = hv_dec_byte(d, &sib)) != HV_DECODE_OK)
            return e;
        unsigned ss = sib >> 6, idx = (sib >> 3) & 7, b = sib & 7;
        idx |= (d->rex & HV_REX_X) ? 8 : 0;
        /* index 100b without REX.X means "no index" (Table 2-3); with REX.X it is R12 */
        if (idx != 4) {
            mem->index = (int8_t)idx;
            mem->scale = (uint8_t)(1u << ss);
        }
        if (b == 5 && d->mod == 0) {
            /* base 101b with mod 00: no base, disp32 (Table 2-3 note 1), whatever REX.B says */
            mem->base = HV_REG_NONE;
            return read_disp(d, 4, mem);
        }
        mem->base = (int8_t)(b | rex_b);
    } else if (d->rm == 5 && d->mod == 0) {
        /* mod 00 rm 101b: RIP-relative in 64-bit mode (Vol. 2 §2.2.1.6), disp32 absolute otherwise */
        if (d->mode == HV_MODE_64) {
            mem->base = HV_REG_RIP;
            mem->riprel = true;
        } else {
            mem->base = HV_REG_NONE;
        }
        return read_disp(d, 4, mem);
    } else {
        mem->base = (int8_t)(d->rm | rex_b);
    }
    /* Only RSP and RBP themselves default to SS (Vol. 1 §3.7.5 Table 3-5); R12/R13 share their low three
     * bits but are ordinary bases (DS) */
    if (mem->base == 4 || mem->base == 5)
        mem->seg = HV_SEG_SS;
    if (d->mod == 1)
        return read_disp(d, 1, mem);
    if (d->mod == 2)
        return read_disp(d, 4, mem);
    return HV_DECODE_OK;
}

enum hv_decode_error hv_dec_modrm(struct hv_dec *d, struct hv_mem_operand *mem)
{
    uint8_t m;
    enum hv_decode_error e = hv_dec_byte(d, &m);
    if (e != HV_DECODE_OK)
        return e;
    d->mod = m >> 6;
    d->reg = (m >> 3) & 7;
    d->rm = m & 7;
    mem->base = HV_REG_NONE;
    mem->index = HV_REG_NONE;
    mem->scale = 1;
    mem->disp = 0;
    mem->riprel = false;
    mem->seg = HV_SEG_DS;
    if (d->mod == 3)
        return HV_DECODE_OK; /* register operand: no memory */
    if (mem->addr_size == 2)
        e = modrm16(d, mem);
    else
        e = modrm32(d, mem);
    /* An override replaces the default, SS included (Vol. 1 §3.7.4); in 64-bit mode only FS/GS count
     * (Vol. 1 §3.7.4.1), which the prefix scan already applied. */
    if (d->seg_override >= 0)
        mem->seg = (uint8_t)d->seg_override;
    return e;
}
