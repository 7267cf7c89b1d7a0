/* decode_diff: the MMIO decoder (hv/decode.h) against Zydis 4 (Debian libzydis-dev), issue 5 item 5.
 *
 *   decode_diff [--count N] [--seed S] [--mode 16|32|64] [--verbose]
 *
 * Generates N encodings per mode (default 1,000,000 in each of 64-, 32- and 16-bit code; deterministic
 * seed), weighted towards the supported opcodes and their prefix combinations, and decodes each with both.
 * The rules:
 *   - Zydis decodes it and it is in the supported class: we decode it, and length, operation, operand
 *     sizes, register, memory operand (segment, base, index, scale, displacement, RIP-relative, address
 *     size), immediate, direction, REP and LOCK agree;
 *   - Zydis decodes it and it is outside the class: we say UNSUPPORTED (never a decode, never a rejection);
 *   - Zydis rejects it (no more data, invalid, too long): we say TRUNCATED or INVALID — except that an
 *     opcode outside our set may be UNSUPPORTED (the decoder stops at such an opcode without validating it;
 *     the MMIO path answers both with #UD). Those are counted on their own line.
 * Any disagreement prints the bytes, our decode and Zydis' and exits 1. The counts per category are printed
 * at the end. */
#include "zydis_compare.h"

#include <hv/decode.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xorshift64*: deterministic across hosts */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}
static unsigned rnd_below(unsigned n) { return (unsigned)((rnd() >> 32) % n); }

static const uint8_t one_byte_ours[] = {0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0A, 0x0B, 0x20, 0x21, 0x22, 0x23,
                                        0x28, 0x29, 0x2A, 0x2B, 0x30, 0x31, 0x32, 0x33, 0x38, 0x39, 0x3A, 0x3B,
                                        0x63, 0x80, 0x81, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B,
                                        0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xAA, 0xAB, 0xC6, 0xC7, 0xF6, 0xF7};
static const uint8_t two_byte_ours[] = {0xB6, 0xB7, 0xBE, 0xBF, 0xA3};

/* One generated input in buf; returns its length (the bytes both decoders are given). */
static size_t generate(int mode, uint8_t *buf)
{
    size_t n = 0;
    unsigned kind = rnd_below(100);
    if (kind < 8) {
        /* plain random bytes */
        size_t len = 1 + rnd_below(15);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rnd();
        return len;
    }
    /* prefixes: usually few, sometimes many (the 15-byte limit), random order and repeats */
    unsigned np = rnd_below(8) == 0 ? rnd_below(15) : rnd_below(4);
    for (unsigned i = 0; i < np; i++) {
        if (mode == 64 && rnd_below(4) == 0)
            buf[n++] = (uint8_t)(0x40 | rnd_below(16)); /* a REX among the legacy prefixes (ignored there) */
        else
            buf[n++] = zc_legacy_prefixes[rnd_below(sizeof zc_legacy_prefixes)];
    }
    if (mode == 64 && rnd_below(2) == 0)
        buf[n++] = (uint8_t)(0x40 | rnd_below(16)); /* a REX right before the opcode (counts) */
    /* the opcode */
    unsigned pick = rnd_below(100);
    if (pick < 75) {
        buf[n++] = one_byte_ours[rnd_below(sizeof one_byte_ours)];
    } else if (pick < 87) {
        buf[n++] = 0x0F;
        buf[n++] = two_byte_ours[rnd_below(sizeof two_byte_ours)];
    } else if (pick < 95) {
        buf[n++] = (uint8_t)rnd();
    } else {
        buf[n++] = 0x0F;
        buf[n++] = (uint8_t)rnd();
    }
    /* ModRM: weighted towards memory forms and the special rm/base values (SIB, disp32, RIP-relative) */
    uint8_t modrm = (uint8_t)rnd();
    unsigned m = rnd_below(8);
    if (m < 2)
        modrm = (uint8_t)((modrm & 0xF8) | 4); /* SIB */
    else if (m < 3)
        modrm = (uint8_t)((modrm & 0x38) | 5); /* mod 00 rm 101: RIP-relative / disp32 */
    if (rnd_below(4) != 0 && (modrm >> 6) == 3)
        modrm &= 0x3F | (uint8_t)(rnd_below(3) << 6);
    buf[n++] = modrm;
    uint8_t sib = (uint8_t)rnd();
    if (rnd_below(6) == 0)
        sib = (uint8_t)((sib & 0xF8) | 5); /* base 101: disp32 without base when mod 00 */
    if (rnd_below(6) == 0)
        sib = (uint8_t)((sib & 0xC7) | (4 << 3)); /* index 100: none (R12 with REX.X) */
    buf[n++] = sib;
    /* displacement, immediate, moffs: random bytes up to 16 in total */
    while (n < 16)
        buf[n++] = (uint8_t)rnd();
    /* usually the whole buffer (15 bytes: the limit is then reachable), sometimes cut anywhere */
    if (rnd_below(5) == 0)
        return 1 + rnd_below(15);
    return rnd_below(16) == 0 ? 16 : 15;
}

/* A few fixed encodings first: the acceptance store and the classic corner cases. */
static const struct {
    int mode;
    uint8_t len;
    uint8_t b[16];
} fixed[] = {
    {64, 4, {0x89, 0x44, 0x8B, 0x10}},                                     /* mov [rbx+rcx*4+0x10], eax */
    {64, 9, {0xA1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}},       /* moffs64 */
    {64, 6, {0x67, 0xA1, 0x00, 0x00, 0x00, 0x80}},                         /* 67: moffs32 */
    {64, 6, {0x89, 0x05, 0x00, 0x01, 0x00, 0x00}},                         /* RIP-relative */
    {32, 6, {0x89, 0x05, 0x00, 0x01, 0x00, 0x00}},                         /* disp32 absolute */
    {16, 2, {0x8B, 0x02}},                                                  /* mov ax, [bp+si] */
    {64, 3, {0x40, 0x88, 0x20}},                                            /* mov [rax], spl */
    {64, 2, {0x88, 0x20}},                                                  /* mov [rax], ah */
    {64, 3, {0xF3, 0x48, 0xAB}},                                            /* rep stosq */
    {64, 3, {0xF0, 0x01, 0x00}},                                            /* lock add [rax], eax */
    {64, 3, {0xF0, 0x89, 0x00}},                                            /* lock mov: #UD */
    {64, 16, {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x00}},
};

int main(int argc, char **argv)
{
    unsigned long count = 1000000;
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    int only_mode = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
            count = strtoul(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
            only_mode = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: decode_diff [--count N] [--seed S] [--mode 16|32|64]\n");
            return 3;
        }
    }
    static const int modes[] = {64, 32, 16};
    unsigned long total = 0, totals[CAT_COUNT] = {0};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        ZydisDecoder dec;
        ZydisDecoderInit(&dec, fixed[i].mode == 64 ? ZYDIS_MACHINE_MODE_LONG_64 :
                               fixed[i].mode == 32 ? ZYDIS_MACHINE_MODE_LEGACY_32 : ZYDIS_MACHINE_MODE_LEGACY_16,
                         fixed[i].mode == 64 ? ZYDIS_STACK_WIDTH_64 :
                         fixed[i].mode == 32 ? ZYDIS_STACK_WIDTH_32 : ZYDIS_STACK_WIDTH_16);
        int c = zc_check_one(&dec, fixed[i].mode, fixed[i].b, fixed[i].len);
        if (c < 0)
            return 1;
        totals[c]++;
        total++;
    }
    for (size_t mi = 0; mi < 3; mi++) {
        int mode = modes[mi];
        if (only_mode && mode != only_mode)
            continue;
        ZydisDecoder dec;
        ZydisDecoderInit(&dec, mode == 64 ? ZYDIS_MACHINE_MODE_LONG_64 :
                               mode == 32 ? ZYDIS_MACHINE_MODE_LEGACY_32 : ZYDIS_MACHINE_MODE_LEGACY_16,
                         mode == 64 ? ZYDIS_STACK_WIDTH_64 : mode == 32 ? ZYDIS_STACK_WIDTH_32 : ZYDIS_STACK_WIDTH_16);
        rng_state = seed ^ (uint64_t)mode; /* each mode its own deterministic stream */
        unsigned long cats[CAT_COUNT] = {0};
        for (unsigned long n = 0; n < count; n++) {
            uint8_t buf[32]; /* up to 14 prefixes + REX + 0F xx + ModRM + SIB, then filled to 16 */
            size_t len = generate(mode, buf);
            int c = zc_check_one(&dec, mode, buf, len);
            if (c < 0) {
                printf("after %lu agreeing encodings in %d-bit mode (seed 0x%" PRIx64 ")\n", n, mode, seed);
                return 1;
            }
            cats[c]++;
        }
        printf("%d-bit: %lu encodings, 0 disagreements\n", mode, count);
        for (int c = 0; c < CAT_COUNT; c++) {
            printf("  %-58s %lu\n", zc_category_names[c], cats[c]);
            totals[c] += cats[c];
        }
        total += count;
    }
    printf("Zydis 4.0 erratum zydis#592 (32-bit address, SIB base 101, mod 00, REX.B) corrected to the SDM: %lu\n",
           zc_zydis_erratum_592());
    printf("total: %lu encodings (seed 0x%" PRIx64 "), 0 disagreements\n", total, seed);
    for (int c = 0; c < CAT_COUNT; c++)
        printf("  %-58s %lu\n", zc_category_names[c], totals[c]);
    return 0;
}
