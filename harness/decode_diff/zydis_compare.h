/* The decoder against Zydis, one input at a time: shared by decode_diff (generated encodings) and the
 * fuzz_decode target (fuzzed bytes). The rules are decode_diff.c's header comment. */
#ifndef HV_ZYDIS_COMPARE_H
#define HV_ZYDIS_COMPARE_H

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum zc_category {
    CAT_SUPPORTED_AGREE,   /* in class: decoded identically */
    CAT_UNSUPPORTED_AGREE, /* Zydis decodes, outside the class: UNSUPPORTED */
    CAT_REJECT_AGREE,      /* Zydis rejects, we reject */
    CAT_REJECT_OUTSIDE,    /* Zydis rejects, opcode outside our set: UNSUPPORTED */
    CAT_COUNT
};
extern const char *const zc_category_names[CAT_COUNT];

/* The legacy prefix bytes (generators use them too). */
extern const uint8_t zc_legacy_prefixes[11];

/* The supported opcodes (the decoder's set; decode.c's switch). */
bool zc_our_opcode(int mode, bool two_byte, uint8_t op);

/* A Zydis decoder for 16-, 32- or 64-bit code. */
void zc_decoder_init(ZydisDecoder *dec, int mode);

/* Compare one input; returns its category, or -1 after printing a disagreement (both decodes) on stdout. */
int zc_check_one(const ZydisDecoder *dec, int mode, const uint8_t *b, size_t len);

/* Zydis answers corrected to the SDM so far (zydis#592; see compare()). */
unsigned long zc_zydis_erratum_592(void);

#endif
