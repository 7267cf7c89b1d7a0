/* hvkit decode HEX [--mode 16|32|64]: decode one instruction as the MMIO path does (hv/decode.h) and print
 * one JSON line (format documented in the README, stable):
 *   {"ok":true,"len":N,"op":"mov","dir":"load"|"store"|"rmw","size":BYTES,"reg":"eax"|null,
 *    "mem":{"seg":"ds","base":"rbx"|null,"index":"rcx"|null,"scale":4,"disp":16,"riprel":false},
 *    "imm":VALUE|null,"rep":false}
 *   {"ok":false,"error":"truncated"|"invalid"|"unsupported"}
 * HEX is pairs of hex digits, optionally separated by spaces; bytes past the first instruction are ignored
 * (the decoder never reads more than 15). Exit 0 decoded, 1 a decode error, 3 bad input. */
#include "cli.h"

#include <hv/decode.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define DECODE_MAX_INPUT 4096 /* bytes of HEX accepted; more is bad input, not silently cut */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parse HEX into buf; bad input (exit 3) names the character offset. */
static size_t parse_hex(const char *hex, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; hex[i];) {
        if (hex[i] == ' ') {
            i++;
            continue;
        }
        int hi = hex_digit(hex[i]);
        if (hi < 0)
            cli_bad_input("decode", "HEX: character %zu ('%c') is not a hex digit", i, hex[i]);
        if (!hex[i + 1] || hex[i + 1] == ' ')
            cli_bad_input("decode", "HEX: character %zu: odd number of hex digits (a byte is two digits)", i);
        int lo = hex_digit(hex[i + 1]);
        if (lo < 0)
            cli_bad_input("decode", "HEX: character %zu ('%c') is not a hex digit", i + 1, hex[i + 1]);
        if (n == cap)
            cli_bad_input("decode", "HEX: more than %zu bytes", cap);
        buf[n++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    if (n == 0)
        cli_bad_input("decode", "HEX: no bytes given");
    return n;
}

static const char *error_name(enum hv_decode_error e)
{
    switch (e) {
    case HV_DECODE_TRUNCATED: return "truncated";
    case HV_DECODE_INVALID: return "invalid";
    default: return "unsupported";
    }
}

static const char *dir_name(enum hv_insn_dir d)
{
    return d == HV_DIR_LOAD ? "load" : d == HV_DIR_STORE ? "store" : "rmw";
}

static void print_reg_or_null(int reg, unsigned size)
{
    const char *name = hv_reg_name(reg, size);
    if (name)
        printf("\"%s\"", name);
    else
        printf("null");
}

static void print_insn(const struct hv_insn *in)
{
    printf("{\"ok\":true,\"len\":%u,\"op\":\"%s\",\"dir\":\"%s\",\"size\":%u,\"reg\":", in->len,
           hv_insn_op_name(in->op), dir_name(in->dir), in->size);
    print_reg_or_null(in->reg, in->dst_size);
    printf(",\"mem\":{\"seg\":\"%s\",\"base\":", hv_seg_name((enum hv_seg)in->mem.seg));
    print_reg_or_null(in->mem.base, in->mem.addr_size);
    printf(",\"index\":");
    print_reg_or_null(in->mem.index, in->mem.addr_size);
    /* disp: signed; with no base and no index (moffs, [disp32], [disp16]) it is the absolute offset, printed
     * unsigned and wrapped to the address size, which is what the processor adds to the segment base */
    printf(",\"scale\":%u,\"disp\":", in->mem.scale);
    if (in->mem.base == HV_REG_NONE && in->mem.index == HV_REG_NONE) {
        uint64_t off = (uint64_t)in->mem.disp;
        if (in->mem.addr_size < 8)
            off &= (UINT64_C(1) << (8 * in->mem.addr_size)) - 1;
        printf("%" PRIu64, off);
    } else {
        printf("%" PRId64, in->mem.disp);
    }
    printf(",\"riprel\":%s},\"imm\":", in->mem.riprel ? "true" : "false");
    if (in->has_imm) {
        /* the immediate as the operand uses it: its low `size` bytes, unsigned */
        uint64_t v = (uint64_t)in->imm;
        if (in->size < 8)
            v &= (UINT64_C(1) << (8 * in->size)) - 1;
        printf("%" PRIu64, v);
    } else {
        printf("null");
    }
    printf(",\"rep\":%s}\n", in->rep ? "true" : "false");
}

int cmd_decode(int argc, char **argv)
{
    const char *hex = NULL;
    enum hv_cpu_mode mode = HV_MODE_64;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--mode") == 0) {
            if (i + 1 >= argc)
                cli_bad_input("decode", "--mode needs 16, 32 or 64");
            const char *m = argv[++i];
            if (strcmp(m, "16") == 0)
                mode = HV_MODE_16;
            else if (strcmp(m, "32") == 0)
                mode = HV_MODE_32;
            else if (strcmp(m, "64") == 0)
                mode = HV_MODE_64;
            else
                cli_bad_input("decode", "--mode %s: expected 16, 32 or 64", m);
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            cli_bad_input("decode", "unknown option %s (usage: hvkit decode HEX [--mode 16|32|64])", argv[i]);
        } else if (hex) {
            cli_bad_input("decode", "more than one HEX argument (usage: hvkit decode HEX [--mode 16|32|64])");
        } else {
            hex = argv[i];
        }
    }
    if (!hex)
        cli_bad_input("decode", "missing HEX (usage: hvkit decode HEX [--mode 16|32|64])");
    static uint8_t buf[DECODE_MAX_INPUT];
    size_t n = parse_hex(hex, buf, sizeof buf);
    struct hv_insn in;
    enum hv_decode_error e = hv_decode(buf, n, mode, &in);
    if (e != HV_DECODE_OK) {
        printf("{\"ok\":false,\"error\":\"%s\"}\n", error_name(e));
        return HVKIT_EXIT_FAILED;
    }
    print_insn(&in);
    return HVKIT_EXIT_OK;
}
