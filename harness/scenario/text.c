/* Assembler and disassembler of the scenario text form. Both walk the record table (records.c); the
 * assembler applies the same value checks as the binary parser, so any text it accepts writes a file the
 * parser accepts, and disassembly reads back to the same scenario. */
#include "text.h"

#include "records.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct asm_state {
    const char *text;
    size_t len;
    size_t line;       /* 1-based */
    size_t line_start; /* offset of the line's first character */
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int fail(const struct asm_state *a, size_t at, const char *fmt, ...)
{
    if (a->err && a->errlen) {
        int n = snprintf(a->err, a->errlen, "%zu:%zu: ", a->line, at - a->line_start + 1);
        if (n >= 0 && (size_t)n < a->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(a->err + n, a->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

struct token {
    size_t at, len; /* offset in the text */
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Split the line [start, end) into tokens separated by blanks, stopping at a '#' that starts a token (a
 * comment) — a '#' inside a character literal ('#') belongs to the literal. */
static size_t tokenize(const char *t, size_t start, size_t end, struct token *tok, size_t max)
{
    size_t n = 0, p = start;
    while (p < end && n < max) {
        while (p < end && is_space(t[p]))
            p++;
        if (p >= end || t[p] == '#')
            break;
        size_t q = p;
        while (q < end && !is_space(t[q])) {
            if (t[q] == '\'' && q + 2 < end && t[q + 2] == '\'')
                q += 3;
            else
                q++;
        }
        tok[n].at = p;
        tok[n].len = q - p;
        n++;
        p = q;
    }
    /* A token past max is reported by the caller as "too many fields". */
    while (p < end && is_space(t[p]))
        p++;
    if (n == max && p < end && t[p] != '#')
        tok[max - 1].len = 0; /* marks overflow */
    return n;
}

static bool tok_is(const char *t, struct token k, const char *word)
{
    return strlen(word) == k.len && memcmp(t + k.at, word, k.len) == 0;
}

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

/* A number: decimal, 0x hex, or a character literal 'c'. Returns false with a reason. */
static bool parse_number(const char *s, size_t n, uint64_t *v, const char **why)
{
    *why = "not a number";
    if (n == 3 && s[0] == '\'' && s[2] == '\'') {
        *v = (uint8_t)s[1];
        return true;
    }
    if (n == 0)
        return false;
    uint64_t x = 0;
    unsigned base = 10;
    size_t i = 0;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    for (; i < n; i++) {
        int d = hex_digit(s[i]);
        if (s[i] == '_' && i > 0)
            continue; /* 0x1_0000 */
        if (d < 0 || (unsigned)d >= base)
            return false;
        if (x > (UINT64_MAX - (uint64_t)d) / base) {
            *why = "number does not fit in 64 bits";
            return false;
        }
        x = x * base + (uint64_t)d;
    }
    *v = x;
    return true;
}

static int header_line(struct asm_state *a, struct hvs_header *h, const struct token *tok, size_t n,
                       unsigned *seen, unsigned bit)
{
    const char *t = a->text;
    char why[160];
    const char *nwhy;
    uint64_t v = 0;
    if (*seen & bit)
        return fail(a, tok[0].at, "header line '%.*s' given twice", (int)tok[0].len, t + tok[0].at);
    *seen |= bit;
    if (n != 2 || tok[1].len == 0)
        return fail(a, tok[n > 2 ? 2 : 0].at, "'%.*s' takes one value", (int)tok[0].len, t + tok[0].at);
    struct token val = tok[1];
    const char *s = t + val.at;
    if (tok_is(t, tok[0], "profile")) {
        if (!hvs_profile_name_ok(s, val.len, why, sizeof why))
            return fail(a, val.at, "%s", why);
        memcpy(h->profile, s, val.len);
        h->profile[val.len] = 0;
    } else if (tok_is(t, tok[0], "mode")) {
        if (tok_is(t, val, "program64"))
            h->guest_mode = HVS_MODE_PROGRAM64;
        else if (tok_is(t, val, "real"))
            h->guest_mode = HVS_MODE_REAL;
        else
            return fail(a, val.at, "guest mode '%.*s' unknown (program64 or real)", (int)val.len, s);
    } else if (tok_is(t, tok[0], "memory")) {
        /* a size in bytes with an optional K, M or G suffix, a whole number of 4-KiB pages */
        size_t dl = val.len;
        unsigned shift = 0;
        char last = dl ? s[dl - 1] : 0;
        if (last == 'K' || last == 'k' || last == 'M' || last == 'm' || last == 'G' || last == 'g') {
            shift = (last == 'K' || last == 'k') ? 10 : (last == 'M' || last == 'm') ? 20 : 30;
            dl--;
        }
        if (!parse_number(s, dl, &v, &nwhy))
            return fail(a, val.at, "memory size '%.*s': %s", (int)val.len, s, nwhy);
        if (v > (UINT64_MAX >> shift))
            return fail(a, val.at, "memory size '%.*s' too large", (int)val.len, s);
        v <<= shift;
        if (v % 4096)
            return fail(a, val.at, "memory size %llu is not a whole number of 4-KiB pages", (unsigned long long)v);
        if (!hvs_memory_pages_ok(v / 4096, why, sizeof why))
            return fail(a, val.at, "%s", why);
        h->memory_pages = (uint32_t)(v / 4096);
    } else { /* memory-pages, entry, stack */
        if (!parse_number(s, val.len, &v, &nwhy))
            return fail(a, val.at, "'%.*s': %s", (int)val.len, s, nwhy);
        if (tok_is(t, tok[0], "memory-pages")) {
            if (!hvs_memory_pages_ok(v, why, sizeof why))
                return fail(a, val.at, "%s", why);
            h->memory_pages = (uint32_t)v;
        } else if (tok_is(t, tok[0], "entry")) {
            h->entry = v;
        } else {
            h->stack = v;
        }
    }
    return 0;
}

static int parse_bytes(struct asm_state *a, struct hvs_record *r, const char *s, size_t n, size_t at)
{
    if (n % 2)
        return fail(a, at, "bytes: odd number of hex digits (%zu)", n);
    if (n / 2 > HVS_MAX_MEM_BYTES)
        return fail(a, at, "set-mem of %zu bytes is longer than %d (HVS_MAX_MEM_BYTES)", n / 2, HVS_MAX_MEM_BYTES);
    r->nbytes = n / 2;
    if (!r->nbytes)
        return 0;
    r->bytes = malloc(r->nbytes);
    if (!r->bytes)
        return fail(a, at, "out of memory");
    for (size_t i = 0; i < r->nbytes; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return fail(a, at + 2 * i + (hi < 0 ? 0 : 1), "bytes: '%c' is not a hex digit",
                        s[2 * i + (hi < 0 ? 0 : 1)]);
        r->bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int record_line(struct asm_state *a, struct hvs_record *r, const struct hvs_record_desc *d,
                       const struct token *tok, size_t n)
{
    const char *t = a->text;
    char why[160];
    unsigned given = 0;
    bool bytes_given = false;
    memset(r, 0, sizeof *r);
    r->type = d->type;
    for (size_t k = 1; k < n; k++) {
        const char *s = t + tok[k].at;
        const char *eq = memchr(s, '=', tok[k].len);
        if (!eq)
            return fail(a, tok[k].at, "expected NAME=VALUE, got '%.*s'", (int)tok[k].len, s);
        size_t nl = (size_t)(eq - s), vl = tok[k].len - nl - 1;
        const char *vs = eq + 1;
        size_t vat = tok[k].at + nl + 1;
        if (d->has_bytes && nl == 5 && memcmp(s, "bytes", 5) == 0) {
            if (bytes_given)
                return fail(a, tok[k].at, "field 'bytes' given twice");
            bytes_given = true;
            if (parse_bytes(a, r, vs, vl, vat) < 0)
                return -1;
            continue;
        }
        unsigned i = 0;
        while (i < d->nfields && !(strlen(d->fields[i].name) == nl && memcmp(d->fields[i].name, s, nl) == 0))
            i++;
        if (i == d->nfields) {
            int w = snprintf(why, sizeof why, "%s has no field '%.*s' (fields:", d->name, (int)nl, s);
            for (unsigned j = 0; j < d->nfields && w > 0 && (size_t)w < sizeof why; j++)
                w += snprintf(why + w, sizeof why - (size_t)w, " %s", d->fields[j].name);
            if (d->has_bytes && w > 0 && (size_t)w < sizeof why)
                w += snprintf(why + w, sizeof why - (size_t)w, " bytes");
            if (w > 0 && (size_t)w < sizeof why)
                snprintf(why + w, sizeof why - (size_t)w, "%s)", d->nfields || d->has_bytes ? "" : " none");
            return fail(a, tok[k].at, "%s", why);
        }
        if (given & (1u << i))
            return fail(a, tok[k].at, "field '%s' given twice", d->fields[i].name);
        given |= 1u << i;
        const struct hvs_field *f = &d->fields[i];
        uint64_t v;
        const char *nwhy;
        if (!hvs_field_parse_symbol(f, vs, vl, &v) && !parse_number(vs, vl, &v, &nwhy))
            return fail(a, vat, "%s: '%.*s': %s", f->name, (int)vl, vs, nwhy);
        if (!hvs_field_check(f, v, why, sizeof why))
            return fail(a, vat, "%s", why);
        *hvs_record_field(r, i) = v;
    }
    /* Omitted fields are 0; a field for which 0 is not legal must be given. */
    for (unsigned i = 0; i < d->nfields; i++)
        if (!(given & (1u << i)) && !hvs_field_check(&d->fields[i], 0, why, sizeof why))
            return fail(a, tok[0].at, "%s needs field '%s' (%s)", d->name, d->fields[i].name, why);
    return 0;
}

#define MAX_TOKENS 16

int hvs_asm(struct hvs_scenario *s, const char *text, size_t len, char *err, size_t errlen)
{
    struct asm_state a = {text, text ? len : 0, 0, 0, err, errlen};
    struct hvs_header *h = &s->header;
    size_t cap = 0;
    unsigned seen = 0;
    static const char *const header_words[] = {"profile", "memory", "memory-pages", "mode", "entry", "stack"};
    memset(s, 0, sizeof *s);
    if (err && errlen)
        err[0] = 0;
    h->version = HVS_VERSION;
    memcpy(h->profile, HVS_TEXT_DEFAULT_PROFILE, sizeof HVS_TEXT_DEFAULT_PROFILE);
    h->memory_pages = HVS_TEXT_DEFAULT_PAGES;
    h->guest_mode = HVS_MODE_PROGRAM64;
    h->entry = HVS_TEXT_DEFAULT_ENTRY;
    h->stack = HVS_TEXT_DEFAULT_STACK;

    for (size_t p = 0; p < a.len;) {
        size_t end = p;
        while (end < a.len && text[end] != '\n')
            end++;
        a.line++;
        a.line_start = p;
        struct token tok[MAX_TOKENS];
        size_t n = tokenize(text, p, end, tok, MAX_TOKENS);
        p = end + 1;
        if (n == 0)
            continue;
        if (tok[n - 1].len == 0) {
            fail(&a, tok[n - 1].at, "more than %d words on a line", MAX_TOKENS - 1);
            goto bad;
        }
        unsigned w = 0;
        while (w < sizeof header_words / sizeof header_words[0] && !tok_is(text, tok[0], header_words[w]))
            w++;
        if (w < sizeof header_words / sizeof header_words[0]) {
            if (s->nrecords) {
                fail(&a, tok[0].at, "header line '%s' after the first record", header_words[w]);
                goto bad;
            }
            /* memory and memory-pages set the same thing: one bit for both */
            if (header_line(&a, h, tok, n, &seen, 1u << (w == 2 ? 1 : w)) < 0)
                goto bad;
            continue;
        }
        const struct hvs_record_desc *d = hvs_record_desc_by_name(text + tok[0].at, tok[0].len);
        if (!d) {
            fail(&a, tok[0].at, "unknown record or header line '%.*s'", (int)tok[0].len, text + tok[0].at);
            goto bad;
        }
        if (s->nrecords == HVS_MAX_RECORDS) {
            fail(&a, tok[0].at, "more than %d records", HVS_MAX_RECORDS);
            goto bad;
        }
        if (s->nrecords == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            if (ncap > HVS_MAX_RECORDS)
                ncap = HVS_MAX_RECORDS;
            struct hvs_record *nr = realloc(s->records, ncap * sizeof *nr);
            if (!nr) {
                fail(&a, tok[0].at, "out of memory");
                goto bad;
            }
            s->records = nr;
            cap = ncap;
        }
        struct hvs_record *r = &s->records[s->nrecords];
        int rc = record_line(&a, r, d, tok, n);
        s->nrecords++; /* counted even on failure so hvs_free releases its bytes */
        if (rc < 0)
            goto bad;
    }
    /* Offsets as hvs_write will lay the records out, for messages that point into the binary file. */
    size_t off = hvs_header_size(h);
    for (size_t k = 0; k < s->nrecords; k++) {
        s->records[k].offset = off;
        off += hvs_record_size(&s->records[k]);
    }
    char why[200];
    if (hvs_validate(s, why, sizeof why) < 0) { /* cannot happen: every value was checked above */
        a.line = 0;
        a.line_start = 0;
        fail(&a, 0, "%s", why);
        goto bad;
    }
    return 0;
bad:
    hvs_free(s);
    memset(s, 0, sizeof *s);
    return -1;
}

static void print_field(const struct hvs_field *f, uint64_t v, FILE *out)
{
    const char *sym = hvs_field_symbol(f, v);
    if (sym)
        fprintf(out, " %s=%s", f->name, sym);
    else if (f->kind != HVS_FK_NUM)
        fprintf(out, " %s=%llu", f->name, (unsigned long long)v);
    else
        fprintf(out, " %s=0x%llx", f->name, (unsigned long long)v);
}

void hvs_disasm_record(const struct hvs_record *r, FILE *out)
{
    const struct hvs_record_desc *d = hvs_record_desc(r->type);
    if (!d) {
        fprintf(out, "# unknown record type 0x%02x", r->type);
        return;
    }
    fputs(d->name, out);
    for (unsigned i = 0; i < d->nfields; i++)
        print_field(&d->fields[i], hvs_record_field_get(r, i), out);
    if (d->has_bytes) {
        fputs(" bytes=", out);
        for (size_t i = 0; i < r->nbytes && r->bytes; i++)
            fprintf(out, "%02x", r->bytes[i]);
    }
}

void hvs_disasm_ex(const struct hvs_scenario *s, FILE *out, bool offsets)
{
    const struct hvs_header *h = &s->header;
    const char *mode = hvs_guest_mode_name(h->guest_mode);
    if (offsets)
        fprintf(out, "# byte 0: header (version %u, %zu bytes)\n", h->version, hvs_header_size(h));
    fprintf(out, "profile %.*s\n", (int)hvs_profile_len(h), h->profile);
    fprintf(out, "memory-pages %u\n", h->memory_pages);
    if (mode)
        fprintf(out, "mode %s\n", mode);
    else
        fprintf(out, "# mode %u is unknown\n", h->guest_mode);
    fprintf(out, "entry 0x%llx\n", (unsigned long long)h->entry);
    fprintf(out, "stack 0x%llx\n", (unsigned long long)h->stack);
    size_t off = hvs_header_size(h);
    for (size_t k = 0; k < s->nrecords; k++) {
        const struct hvs_record *r = &s->records[k];
        hvs_disasm_record(r, out);
        if (offsets)
            fprintf(out, "  # byte %zu, record %zu", off, k);
        fputc('\n', out);
        off += hvs_record_size(r);
    }
}

void hvs_disasm(const struct hvs_scenario *s, FILE *out)
{
    hvs_disasm_ex(s, out, false);
}
