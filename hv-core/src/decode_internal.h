/* What the decoder's files share (decode.c, decode_modrm.c): the cursor over the instruction bytes and the
 * prefix state. Internal to the decoder; the API is hv/decode.h. */
#ifndef HV_DECODE_INTERNAL_H
#define HV_DECODE_INTERNAL_H

#include <hv/decode.h>

struct hv_dec {
    const uint8_t *bytes;
    size_t avail;          /* bytes the caller gave; never read at or past this */
    size_t pos;            /* next byte to read */
    enum hv_cpu_mode mode;
    /* prefixes (SDM Vol. 2 §2.1.1, §2.2.1) */
    uint8_t rex;           /* the effective REX byte (0x40-0x4F), 0 if none or not immediately before the opcode */
    bool opsize_prefix;    /* 66 */
    bool addrsize_prefix;  /* 67 */
    bool lock;             /* F0 */
    uint8_t last_rep;      /* the last of F2/F3, 0 if none */
    bool saw_f2, saw_f3;
    int seg_override;      /* enum hv_seg of the effective override, or -1 */
    /* ModRM (SDM Vol. 2 §2.1.3) */
    uint8_t mod, reg, rm;
};

#define HV_REX_W 0x08u /* SDM Vol. 2 §2.2.1.2 Table 2-4 */
#define HV_REX_R 0x04u
#define HV_REX_X 0x02u
#define HV_REX_B 0x01u

/* Read the next byte. An instruction that needs a 16th byte is INVALID (SDM Vol. 2 §2.3.11: at most 15
 * bytes; a longer one raises #GP(0)); the caller's bytes ending first is TRUNCATED. The 15-byte check comes
 * first, so the verdict does not depend on how many bytes past 15 the caller had. */
static inline enum hv_decode_error hv_dec_byte(struct hv_dec *d, uint8_t *v)
{
    if (d->pos >= HV_INSN_MAX_LEN)
        return HV_DECODE_INVALID;
    if (d->pos >= d->avail)
        return HV_DECODE_TRUNCATED;
    *v = d->bytes[d->pos++];
    return HV_DECODE_OK;
}

/* Read an n-byte little-endian value (n = 1, 2, 4, 8), zero-extended. */
enum hv_decode_error hv_dec_uint(struct hv_dec *d, unsigned n, uint64_t *v);

/* decode_modrm.c: read ModRM (into d->mod/reg/rm) and, when mod != 3, the SIB byte and displacement into
 * *mem with the address size and the default or overriding segment. */
enum hv_decode_error hv_dec_modrm(struct hv_dec *d, struct hv_mem_operand *mem);

#endif
