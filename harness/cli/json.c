/* The JSON reader (json.h). Depth and size are bounded so that hostile input costs bounded memory. */
#include "json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

struct parser {
    const char *s;
    size_t len, pos;
    char *err;
    size_t errlen;
    int failed;
};

static void fail(struct parser *p, size_t at, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    int n = snprintf(p->err, p->errlen, "byte %zu: ", at);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->errlen)
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static void skip_ws(struct parser *p)
{
    while (p->pos < p->len &&
           (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static struct json_value *new_value(enum json_type t, size_t offset)
{
    struct json_value *v = calloc(1, sizeof *v);
    if (!v) {
        fprintf(stderr, "hvkit: out of memory\n");
        exit(4);
    }
    v->type = t;
    v->offset = offset;
    return v;
}

static void *xrealloc(void *ptr, size_t n)
{
    void *r = realloc(ptr, n);
    if (!r) {
        fprintf(stderr, "hvkit: out of memory\n");
        exit(4);
    }
    return r;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Appends the UTF-8 encoding of cp. */
static size_t put_utf8(char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xc0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xe0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        d[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (char)(0xf0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    d[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int read_hex4(struct parser *p, uint32_t *out)
{
    if (p->pos + 4 > p->len) {
        fail(p, p->pos, "truncated \\u escape");
        return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p->s[p->pos + (size_t)i]);
        if (h < 0) {
            fail(p, p->pos + (size_t)i, "bad hex digit in \\u escape");
            return 0;
        }
        v = v << 4 | (uint32_t)h;
    }
    p->pos += 4;
    *out = v;
    return 1;
}

/* p->pos is at the opening quote. */
static char *parse_string_raw(struct parser *p, size_t *out_len)
{
    size_t start = p->pos++;
    /* Decoded text is never longer than the source (every escape shrinks or keeps length). */
    size_t cap = 0;
    while (start + 1 + cap < p->len && p->s[start + 1 + cap] != '"')
        cap += (p->s[start + 1 + cap] == '\\') ? 2 : 1;
    char *d = malloc(cap + 1);
    if (!d) {
        fprintf(stderr, "hvkit: out of memory\n");
        exit(4);
    }
    size_t n = 0;
    for (;;) {
        if (p->pos >= p->len) {
            fail(p, start, "unterminated string");
            free(d);
            return NULL;
        }
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20) {
            fail(p, p->pos, "control character in string");
            free(d);
            return NULL;
        }
        if (c != '\\') {
            d[n++] = (char)c;
            p->pos++;
            continue;
        }
        p->pos++;
        if (p->pos >= p->len) {
            fail(p, p->pos, "truncated escape");
            free(d);
            return NULL;
        }
        char e = p->s[p->pos++];
        switch (e) {
        case '"': d[n++] = '"'; break;
        case '\\': d[n++] = '\\'; break;
        case '/': d[n++] = '/'; break;
        case 'b': d[n++] = '\b'; break;
        case 'f': d[n++] = '\f'; break;
        case 'n': d[n++] = '\n'; break;
        case 'r': d[n++] = '\r'; break;
        case 't': d[n++] = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (!read_hex4(p, &cp)) {
                free(d);
                return NULL;
            }
            /* A \u escape is 6 source bytes and at most 4 decoded (a surrogate pair: 12 -> 4). */
            if (cp >= 0xd800 && cp <= 0xdbff && p->pos + 6 <= p->len && p->s[p->pos] == '\\' &&
                p->s[p->pos + 1] == 'u') {
                p->pos += 2;
                uint32_t lo;
                if (!read_hex4(p, &lo)) {
                    free(d);
                    return NULL;
                }
                if (lo >= 0xdc00 && lo <= 0xdfff)
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            n += put_utf8(d + n, cp);
            break;
        }
        default:
            fail(p, p->pos - 1, "unknown escape '\\%c'", e);
            free(d);
            return NULL;
        }
    }
    d[n] = 0;
    if (out_len)
        *out_len = n;
    return d;
}

static struct json_value *parse_value(struct parser *p, int depth);

static struct json_value *parse_container(struct parser *p, int depth, int is_object)
{
    struct json_value *v = new_value(is_object ? JSON_OBJECT : JSON_ARRAY, p->pos);
    char close = is_object ? '}' : ']';
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return v;
    }
    size_t cap = 0;
    for (;;) {
        skip_ws(p);
        char *key = NULL;
        size_t key_off = p->pos;
        if (is_object) {
            if (p->pos >= p->len || p->s[p->pos] != '"') {
                fail(p, p->pos, "expected a string as object key");
                json_free(v);
                return NULL;
            }
            key = parse_string_raw(p, NULL);
            if (!key) {
                json_free(v);
                return NULL;
            }
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                fail(p, p->pos, "expected ':' after object key");
                free(key);
                json_free(v);
                return NULL;
            }
            p->pos++;
        }
        struct json_value *item = parse_value(p, depth + 1);
        if (!item) {
            free(key);
            json_free(v);
            return NULL;
        }
        if (v->count == cap) {
            cap = cap ? cap * 2 : 8;
            v->items = xrealloc(v->items, cap * sizeof *v->items);
            if (is_object) {
                v->keys = xrealloc(v->keys, cap * sizeof *v->keys);
                v->key_offsets = xrealloc(v->key_offsets, cap * sizeof *v->key_offsets);
            }
        }
        if (is_object) {
            v->keys[v->count] = key;
            v->key_offsets[v->count] = key_off;
        }
        v->items[v->count++] = item;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            return v;
        }
        fail(p, p->pos, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
        json_free(v);
        return NULL;
    }
}

static struct json_value *parse_number(struct parser *p)
{
    size_t start = p->pos;
    if (p->s[p->pos] == '-')
        p->pos++;
    size_t digits = p->pos;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
        p->pos++;
    if (p->pos == digits) {
        fail(p, start, "bad number");
        return NULL;
    }
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
            p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
            p->pos++;
    }
    struct json_value *v = new_value(JSON_NUMBER, start);
    v->str_len = p->pos - start;
    v->str = malloc(v->str_len + 1);
    if (!v->str) {
        fprintf(stderr, "hvkit: out of memory\n");
        exit(4);
    }
    memcpy(v->str, p->s + start, v->str_len);
    v->str[v->str_len] = 0;
    return v;
}

static int match_word(struct parser *p, const char *w)
{
    size_t n = strlen(w);
    if (p->pos + n <= p->len && memcmp(p->s + p->pos, w, n) == 0) {
        p->pos += n;
        return 1;
    }
    return 0;
}

static struct json_value *parse_value(struct parser *p, int depth)
{
    if (depth > JSON_MAX_DEPTH) {
        fail(p, p->pos, "nested deeper than %d levels", JSON_MAX_DEPTH);
        return NULL;
    }
    skip_ws(p);
    if (p->pos >= p->len) {
        fail(p, p->pos, "unexpected end of input");
        return NULL;
    }
    size_t at = p->pos;
    char c = p->s[p->pos];
    if (c == '{' || c == '[')
        return parse_container(p, depth, c == '{');
    if (c == '"') {
        struct json_value *v = new_value(JSON_STRING, at);
        v->str = parse_string_raw(p, &v->str_len);
        if (!v->str) {
            free(v);
            return NULL;
        }
        return v;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(p);
    if (match_word(p, "true") || match_word(p, "false")) {
        struct json_value *v = new_value(JSON_BOOL, at);
        v->boolean = c == 't';
        return v;
    }
    if (match_word(p, "null"))
        return new_value(JSON_NULL, at);
    fail(p, at, "unexpected character '%c'", c);
    return NULL;
}

struct json_value *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    struct parser p = {.s = text, .len = len, .err = err, .errlen = errlen};
    struct json_value *v = parse_value(&p, 0);
    if (!v)
        return NULL;
    skip_ws(&p);
    if (p.pos != p.len) {
        fail(&p, p.pos, "trailing characters after the JSON value");
        json_free(v);
        return NULL;
    }
    return v;
}

void json_free(struct json_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->count; i++) {
        if (v->keys)
            free(v->keys[i]);
        json_free(v->items[i]);
    }
    free(v->keys);
    free(v->key_offsets);
    free(v->items);
    free(v->str);
    free(v);
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    return NULL;
}

void json_print_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}
