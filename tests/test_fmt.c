/* The core's freestanding printf subset (hv-core/src/fmt.c; contract in core.h): %s %c %d %u %x with l/ll,
 * 0-padding widths, "%%"; always NUL-terminated, truncating, returning the length it would have written.
 * Kill reasons and HVREC lines are made with it, so its edges decide what a log says. */
#include "core.h"
#include "testlib.h"

#include <limits.h>
#include <string.h>

TEST_CASE(signed_decimal_all_widths)
{
    char b[64];
    CHECK_EQ_U64(hv_snprintf(b, sizeof b, "%d|%d|%d", 0, -7, INT_MIN), strlen("0|-7|-2147483648"));
    CHECK_STREQ(b, "0|-7|-2147483648");
    hv_snprintf(b, sizeof b, "%ld %lld", -1234567890123l, LLONG_MIN);
    CHECK_STREQ(b, "-1234567890123 -9223372036854775808");
    hv_snprintf(b, sizeof b, "[%5d][%05u][%08x][%2d]", -42, 42u, 0xbeefu, 12345);
    CHECK_STREQ(b, "[  -42][00042][0000beef][12345]"); /* a width never cuts digits */
}

TEST_CASE(unsigned_hex_and_longs)
{
    char b[80];
    hv_snprintf(b, sizeof b, "%u %x %lu %lx %llu %llx", 4294967295u, 0xabcdefu, 18446744073709551615ul,
                0x1234ul, 0ull, 0xffffffffffffffffull);
    CHECK_STREQ(b, "4294967295 abcdef 18446744073709551615 1234 0 ffffffffffffffff");
}

TEST_CASE(strings_chars_and_percent)
{
    char b[64];
    /* volatile: a NULL the compiler can see is a -Wformat-overflow error at -O3 (release preset); the core's
     * printf must still print it safely when one comes at run time */
    const char *volatile none = NULL;
    hv_snprintf(b, sizeof b, "%s/%s/%c/100%%", "vm", none, 'x');
    CHECK_STREQ(b, "vm/(null)/x/100%");
}

static int vfmt(char *b, size_t n, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = hv_vsnprintf(b, n, f, ap);
    va_end(ap);
    return r;
}

TEST_CASE(unknown_conversions_are_printed_and_a_lone_percent_ends)
{
    /* Not in the subset: written as they stand, consuming no argument; a '%' ending the format is dropped. */
    char b[32];
    CHECK_EQ_U64(vfmt(b, sizeof b, "a%qb%"), 4);
    CHECK_STREQ(b, "a%qb");
}

TEST_CASE(truncation_terminates_and_returns_the_full_length)
{
    char b[8];
    memset(b, 'Z', sizeof b);
    CHECK_EQ_U64(hv_snprintf(b, sizeof b, "exit %u: %s", 48u, "EPT violation"), strlen("exit 48: EPT violation"));
    CHECK_STREQ(b, "exit 48");
    memset(b, 'Z', sizeof b);
    CHECK_EQ_U64(hv_snprintf(b, 0, "%d", 12345), 5); /* size 0: nothing written at all */
    CHECK_EQ_U64((unsigned char)b[0], 'Z');
    CHECK_EQ_U64(hv_snprintf(b, 1, "%x", 0xffu), 2);
    CHECK_STREQ(b, "");
}

TEST_CASE(strlen_memset_memcpy)
{
    CHECK_EQ_U64(hv_strlen(""), 0);
    CHECK_EQ_U64(hv_strlen("HVREC "), 6);
    char a[8] = "abcdefg", c[8];
    hv_memset(c, 0x5a, sizeof c);
    CHECK_EQ_U64((unsigned char)c[7], 0x5a);
    hv_memcpy(c, a, sizeof a);
    CHECK_STREQ(c, "abcdefg");
}
