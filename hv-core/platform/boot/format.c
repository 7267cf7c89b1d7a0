/* The printf subset of platform.h (%d %i %u %x %X %p %s %c %%; length l, ll, z; flags 0 and -; width),
 * written once as kformat over an output callback: the console streams through it under its lock, and
 * kvsnprintf fills a buffer. */
#include "boot.h"

struct fmt_spec {
    bool zero_pad, left;
    unsigned width;
};

static int emit_padded(void (*out)(char, void *), void *ctx, const char *s, size_t len, struct fmt_spec sp,
                       bool numeric_sign) {
    int n = 0;
    size_t pad = sp.width > len ? sp.width - len : 0;
    if (!sp.left && sp.zero_pad && numeric_sign && len > 0) { /* sign before the zeros: -0042 */
        out(*s++, ctx);
        len--;
        n++;
    }
    if (!sp.left)
        for (; pad; pad--, n++)
            out(sp.zero_pad ? '0' : ' ', ctx);
    for (size_t i = 0; i < len; i++, n++)
        out(s[i], ctx);
    for (; pad; pad--, n++)
        out(' ', ctx);
    return n;
}

static size_t utoa(char *buf, uint64_t v, unsigned base, bool upper) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

int kformat(void (*out)(char c, void *ctx), void *ctx, const char *fmt, va_list ap) {
    int n = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out(*fmt, ctx);
            n++;
            continue;
        }
        struct fmt_spec sp = {0};
        fmt++;
        for (;; fmt++) {
            if (*fmt == '0')
                sp.zero_pad = true;
            else if (*fmt == '-')
                sp.left = true;
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            sp.width = sp.width * 10 + (unsigned)(*fmt++ - '0');
        unsigned longs = 0;
        bool size_t_len = false;
        for (;; fmt++) {
            if (*fmt == 'l')
                longs++;
            else if (*fmt == 'z')
                size_t_len = true;
            else
                break;
        }
        bool wide = longs > 0 || size_t_len;
        char buf[24];
        size_t len;
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = wide ? va_arg(ap, int64_t) : va_arg(ap, int);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            len = 0;
            if (v < 0)
                buf[len++] = '-';
            len += utoa(buf + len, mag, 10, false);
            n += emit_padded(out, ctx, buf, len, sp, v < 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = wide ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            len = utoa(buf, v, *fmt == 'u' ? 10 : 16, *fmt == 'X');
            n += emit_padded(out, ctx, buf, len, sp, false);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            buf[0] = '0';
            buf[1] = 'x';
            len = 2 + utoa(buf + 2, v, 16, false);
            n += emit_padded(out, ctx, buf, len, sp, false);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            n += emit_padded(out, ctx, s, kstrlen(s), sp, false);
            break;
        }
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            n += emit_padded(out, ctx, buf, 1, sp, false);
            break;
        case '%':
            out('%', ctx);
            n++;
            break;
        case '\0': /* a lone % at the end: print it and stop */
            out('%', ctx);
            return n + 1;
        default: /* unknown conversion: print it as written so the mistake is visible */
            out('%', ctx);
            out(*fmt, ctx);
            n += 2;
            break;
        }
    }
    return n;
}

struct buf_ctx {
    char *buf;
    size_t size, pos;
};

static void buf_out(char c, void *ctx) {
    struct buf_ctx *b = ctx;
    if (b->size && b->pos < b->size - 1)
        b->buf[b->pos] = c;
    b->pos++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
    struct buf_ctx b = {buf, size, 0};
    int n = kformat(buf_out, &b, fmt, ap);
    if (size)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
