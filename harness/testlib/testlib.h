/* A small test runner shared by every test binary.
 *
 * A test binary defines its cases with TEST_CASE(name) { ... } and links testlib_main.c. Then:
 *   prog --list            one case name per line
 *   prog --ctest-script PREFIX PATH   add_test() lines for ctest (every case its own ctest test)
 *   prog --run NAME        run one case
 *   prog                   run every case, print "N passed, N failed"
 * A case fails at the first CHECK that does not hold; the message names file, line and both values. */
#ifndef HV_TESTLIB_H
#define HV_TESTLIB_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

void testlib_register(const char *name, void (*fn)(void));
void testlib_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Number of CHECKs evaluated in the current case: a case that checks nothing fails. */
extern unsigned long testlib_checks;

/* Register cases at load time so that a case needs no list to be kept in step by hand. */
#define TEST_CASE(name)                                                                                      \
    static void test_##name(void);                                                                           \
    __attribute__((constructor)) static void test_register_##name(void)                                      \
    {                                                                                                        \
        testlib_register(#name, test_##name);                                                                \
    }                                                                                                        \
    static void test_##name(void)

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        testlib_checks++;                                                                                    \
        if (!(cond))                                                                                         \
            testlib_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);                                     \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                                                   \
    do {                                                                                                     \
        uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);                                         \
        testlib_checks++;                                                                                    \
        if (check_a_ != check_b_)                                                                            \
            testlib_fail(__FILE__, __LINE__, "%s == %s: 0x%" PRIx64 " != 0x%" PRIx64, #a, #b, check_a_,      \
                         check_b_);                                                                          \
    } while (0)

#define CHECK_STREQ(a, b)                                                                                    \
    do {                                                                                                     \
        const char *check_a_ = (a), *check_b_ = (b);                                                         \
        testlib_checks++;                                                                                    \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0)                                       \
            testlib_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,                           \
                         check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");                    \
    } while (0)

/* For tests that generate cases at run time (one per rule of a table): register name -> fn(arg). */
void testlib_register_param(const char *name, void (*fn)(const void *arg), const void *arg);

#endif
