/* The runner behind testlib.h. */
#include "testlib.h"

#include <stdarg.h>
#include <stdlib.h>

#define TESTLIB_MAX_CASES 4096

struct registered {
    char name[160];
    void (*fn)(void);
    void (*pfn)(const void *);
    const void *arg;
};

static struct registered cases[TESTLIB_MAX_CASES];
static size_t ncases;
static int current_failed;
unsigned long testlib_checks;

static struct registered *add(const char *name)
{
    if (ncases == TESTLIB_MAX_CASES) {
        fprintf(stderr, "testlib: more than %d cases\n", TESTLIB_MAX_CASES);
        exit(2);
    }
    struct registered *r = &cases[ncases++];
    snprintf(r->name, sizeof r->name, "%s", name);
    return r;
}

void testlib_register(const char *name, void (*fn)(void))
{
    add(name)->fn = fn;
}

void testlib_register_param(const char *name, void (*fn)(const void *), const void *arg)
{
    struct registered *r = add(name);
    r->pfn = fn;
    r->arg = arg;
}

void testlib_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    current_failed = 1;
}

/* Optional hook a test binary can define to register generated cases before main dispatches. */
__attribute__((weak)) void testlib_generate_cases(void) {}

static int run_one(struct registered *r)
{
    current_failed = 0;
    testlib_checks = 0;
    if (r->fn)
        r->fn();
    else
        r->pfn(r->arg);
    if (!current_failed && testlib_checks == 0) {
        fprintf(stderr, "%s: the case checked nothing\n", r->name);
        current_failed = 1;
    }
    printf("%s: %s\n", current_failed ? "FAIL" : "PASS", r->name);
    return current_failed;
}

int main(int argc, char **argv)
{
    testlib_generate_cases();
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < ncases; i++)
            printf("%s\n", cases[i].name);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "--ctest-script") == 0) {
        /* argv[2]: a prefix for the ctest names; argv[3]: the binary's path as ctest should run it. */
        for (size_t i = 0; i < ncases; i++)
            printf("add_test(\"%s.%s\" \"%s\" --run \"%s\")\n", argv[2], cases[i].name, argv[3],
                   cases[i].name);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--run") == 0) {
        for (size_t i = 0; i < ncases; i++)
            if (strcmp(cases[i].name, argv[2]) == 0)
                return run_one(&cases[i]);
        fprintf(stderr, "no test case named '%s'\n", argv[2]);
        return 3;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--list | --ctest-script PREFIX PATH | --run NAME]\n", argv[0]);
        return 3;
    }
    size_t failed = 0;
    for (size_t i = 0; i < ncases; i++)
        failed += (size_t)run_one(&cases[i]);
    printf("%zu passed, %zu failed\n", ncases - failed, failed);
    return failed ? 1 : 0;
}
