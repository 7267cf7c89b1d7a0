/* The scenario parser (docs/scenario-format.md). The input is hostile (fuzzers and crash files): every read
 * is bounds-checked against len, memory is bounded by HVS_MAX_RECORDS records of at most HVS_MAX_MEM_BYTES
 * bytes each, and every rejection names the byte offset of what is wrong and why. */
#include "records.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
    const uint8_t *data;
    size_t len;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int fail(const struct cursor *c, size_t at, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        int n = snprintf(c->err, c->errlen, "byte %zu: ", at);
        if (n >= 0 && (size_t)n < c->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static uint64_t le(const uint8_t *p, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = width; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static int parse_header(const struct cursor *c, struct hvs_header *h, size_t *end)
{
    char why[160];
    if (c->len < 1)
        return fail(c, 0, "truncated header: empty file (a scenario starts with its version byte)");
    if (c->data[0] != HVS_VERSION)
        return fail(c, 0, "version %u not supported (this hvkit reads version %d)", c->data[0], HVS_VERSION);
    h->version = c->data[0];
    for (size_t i = 1; i < 4; i++) {
        if (i >= c->len)
            return fail(c, i, "truncated header: magic \"HVS\" ends early");
        if (c->data[i] != (uint8_t)"HVS"[i - 1])
            return fail(c, i, "bad magic: 0x%02x, expected '%c' (the magic is \"HVS\")", c->data[i], "HVS"[i - 1]);
    }
    if (c->len < HVS_HEADER_PREFIX)
        return fail(c, 4, "truncated header: no profile name length");
    size_t plen = c->data[4];
    if (c->len < HVS_HEADER_PREFIX + plen)
        return fail(c, HVS_HEADER_PREFIX, "truncated header: profile name of %zu bytes, %zu left", plen,
                    c->len - HVS_HEADER_PREFIX);
    if (!hvs_profile_name_ok((const char *)c->data + HVS_HEADER_PREFIX, plen, why, sizeof why))
        return fail(c, plen > HVS_PROFILE_MAX ? 4 : HVS_HEADER_PREFIX, "%s", why);
    memcpy(h->profile, c->data + HVS_HEADER_PREFIX, plen);
    h->profile[plen] = 0;
    size_t p = HVS_HEADER_PREFIX + plen;
    if (c->len - p < HVS_HEADER_SUFFIX)
        return fail(c, p, "truncated header: %u bytes of VM configuration expected, %zu left", HVS_HEADER_SUFFIX,
                    c->len - p);
    uint64_t pages = le(c->data + p, 4);
    if (!hvs_memory_pages_ok(pages, why, sizeof why))
        return fail(c, p, "%s", why);
    h->memory_pages = (uint32_t)pages;
    if (!hvs_guest_mode_ok(c->data[p + 4], why, sizeof why))
        return fail(c, p + 4, "%s", why);
    h->guest_mode = c->data[p + 4];
    h->entry = le(c->data + p + 5, 8);
    h->stack = le(c->data + p + 13, 8);
    *end = p + HVS_HEADER_SUFFIX;
    return 0;
}

/* One record at *pos; on success *pos moves past it. */
static int parse_record(const struct cursor *c, size_t *pos, struct hvs_record *r)
{
    char why[160];
    size_t at = *pos;
    if (c->len - at < HVS_RECORD_PREFIX)
        return fail(c, at, "truncated record: %zu byte%s left, a record starts with type and length (3 bytes)",
                    c->len - at, c->len - at == 1 ? "" : "s");
    uint8_t type = c->data[at];
    size_t plen = (size_t)le(c->data + at + 1, 2);
    const struct hvs_record_desc *d = hvs_record_desc(type);
    if (!d)
        return fail(c, at, "unknown record type 0x%02x", type);
    size_t fixed = hvs_record_fixed_len(d);
    if (d->has_bytes) {
        if (plen < fixed)
            return fail(c, at + 1, "%s payload length %zu, expected at least %zu", d->name, plen, fixed);
        if (plen - fixed > HVS_MAX_MEM_BYTES)
            return fail(c, at + 1, "%s of %zu bytes is longer than %d (HVS_MAX_MEM_BYTES)", d->name, plen - fixed,
                        HVS_MAX_MEM_BYTES);
    } else if (plen != fixed) {
        return fail(c, at + 1, "%s payload length %zu, expected %zu", d->name, plen, fixed);
    }
    size_t p = at + HVS_RECORD_PREFIX;
    if (c->len - p < plen)
        return fail(c, at, "truncated record: %s payload of %zu bytes, %zu left", d->name, plen, c->len - p);
    memset(r, 0, sizeof *r);
    r->type = type;
    r->offset = at;
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct hvs_field *f = &d->fields[i];
        uint64_t v = le(c->data + p, f->width);
        if (!hvs_field_check(f, v, why, sizeof why))
            return fail(c, p, "%s: %s", d->name, why);
        *hvs_record_field(r, i) = v;
        p += f->width;
    }
    if (d->has_bytes) {
        r->nbytes = plen - fixed;
        if (r->nbytes) {
            r->bytes = malloc(r->nbytes);
            if (!r->bytes)
                return fail(c, p, "out of memory");
            memcpy(r->bytes, c->data + p, r->nbytes);
        }
    }
    *pos = at + HVS_RECORD_PREFIX + plen;
    return 0;
}

int hvs_parse(struct hvs_scenario *s, const uint8_t *data, size_t len, char *err, size_t errlen)
{
    struct cursor c = {data, data ? len : 0, err, errlen};
    memset(s, 0, sizeof *s);
    if (err && errlen)
        err[0] = 0;
    size_t pos = 0;
    if (parse_header(&c, &s->header, &pos) < 0) {
        memset(&s->header, 0, sizeof s->header);
        return -1;
    }
    size_t cap = 0;
    while (pos < c.len) {
        if (s->nrecords == HVS_MAX_RECORDS) {
            fail(&c, pos, "more than %d records", HVS_MAX_RECORDS);
            goto bad;
        }
        if (s->nrecords == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            if (ncap > HVS_MAX_RECORDS)
                ncap = HVS_MAX_RECORDS;
            struct hvs_record *nr = realloc(s->records, ncap * sizeof *nr);
            if (!nr) {
                fail(&c, pos, "out of memory");
                goto bad;
            }
            s->records = nr;
            cap = ncap;
        }
        if (parse_record(&c, &pos, &s->records[s->nrecords]) < 0)
            goto bad;
        s->nrecords++;
    }
    return 0;
bad:
    hvs_free(s);
    memset(s, 0, sizeof *s);
    return -1;
}

void hvs_free(struct hvs_scenario *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nrecords; i++)
        free(s->records[i].bytes);
    free(s->records);
    s->records = NULL;
    s->nrecords = 0;
}
