/* hvkit_main: the bootable hypervisor's program (overrides boot/'s weak default). Called by boot/ on the BSP
 * once the console, allocator, time and APs work; HVKIT-BOOT is boot/'s line.
 *
 *   1. VMX on every CPU (vmx_bringup.c), one HVKIT-CPU line each;
 *   2. the tests `hvkit.test=` names (comma list, default "smoke"), each announced by "HVKIT-TEST-BEGIN <name>"
 *      (so a console log splits per test) and ending with its own HVKIT-RESULT line; the name `conf-all` stands
 *      for every registered `conf-*` test (the conformance cases), in name order;
 *   3. VMXOFF everywhere, then platform_exit with the run's status:
 *        every test PASS -> PASS; a test FAIL -> FAIL (the other tests still run);
 *        no VMX -> "HVKIT-RESULT vmx NOVMX CPUID.1:ECX.VMX=0", NO_VMX at once;
 *        the core refusing the processor -> "HVKIT-RESULT <test> REFUSED <why>", REFUSED at once — except for
 *        conformance (conf-*) tests: many run in one boot, so a refusal is their result and the others still
 *        run (the run then ends REFUSED unless something FAILed).
 * Command-line keys: hvkit.test, hvkit.record=1 (the core's record mode), hvkit.profile (the sim profile that
 * matches this machine, written into recordings; default bochs-haswell). */
#include "main.h"

/* As long as boot/ keeps the command line (boot/mb2.c CMDLINE_MAX): a conformance boot names many tests. Static:
 * kernel stacks are small. */
#define TEST_LIST_MAX 1024u
#define PROFILE_MAX 64u
#define CONF_PREFIX "conf-"
#define CONF_ALL "conf-all"

static const struct test_entry tests[] = {
    {"selftest", test_selftest},
    {"vmx", test_vmx},
    {"smoke", test_smoke},
    {"smoke-smp", test_smoke_smp},
    {"hostile-msr", test_hostile_msr},
    {"hostile-fault", test_hostile_fault},
    {"realmode", test_realmode},
};

static char test_list[TEST_LIST_MAX];

static bool str_eq_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i] || !a[i])
            return false;
    return b[n] == '\0';
}

static bool str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* <0, 0, >0 as a sorts before, with, after b (bytes, unsigned). */
static int str_cmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

static bool is_conf_name(const char *name)
{
    for (const char *p = CONF_PREFIX; *p; p++, name++)
        if (*name != *p)
            return false;
    return true;
}

static const struct test_entry *find_test(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (str_eq_n(name, tests[i].name, len))
            return &tests[i];
    for (const struct test_entry *t = __start_hvkit_tests; t < __stop_hvkit_tests; t++)
        if (str_eq_n(name, t->name, len))
            return t;
    return (const struct test_entry *)0;
}

static __attribute__((noreturn)) void finish(enum platform_status status)
{
    vmx_teardown_all();
    platform_exit(status);
}

/* What the run has seen so far; a refusal of a conformance test is kept until the end. */
struct run_state {
    const struct test_options *opt;
    bool failed, refused;
};

static void run_one(struct run_state *rs, const struct test_entry *t)
{
    con_printf("HVKIT-TEST-BEGIN %s\n", t->name);
    switch (t->run(rs->opt)) {
    case TEST_PASS:
        break;
    case TEST_FAIL:
        rs->failed = true;
        break;
    case TEST_REFUSED:
        if (!is_conf_name(t->name))
            finish(PLATFORM_REFUSED);
        rs->refused = true;
        break;
    case TEST_NOVMX:
        finish(PLATFORM_NO_VMX);
    }
}

/* conf-all: every registered conf-* test once, in name order (selection by "the smallest name after the
 * previous one": no allocation, and the section holds a few dozen entries). A name registered twice is a
 * FAIL of its own: which of the two a `hvkit.test=` name finds would be an accident of the link order. */
static void run_conf_all(struct run_state *rs)
{
    const char *prev = (const char *)0;
    for (;;) {
        const struct test_entry *next = (const struct test_entry *)0;
        unsigned copies = 0;
        for (const struct test_entry *t = __start_hvkit_tests; t < __stop_hvkit_tests; t++) {
            if (!is_conf_name(t->name) || str_eq(t->name, CONF_ALL) || (prev && str_cmp(t->name, prev) <= 0))
                continue;
            int c = next ? str_cmp(t->name, next->name) : -1;
            if (c < 0) {
                next = t;
                copies = 1;
            } else if (c == 0) {
                copies++;
            }
        }
        if (!next)
            return;
        if (copies > 1) {
            con_printf("HVKIT-TEST-BEGIN %s\n", next->name);
            con_printf("HVKIT-RESULT %s FAIL registered %u times (HVKIT_TEST names must be unique)\n", next->name,
                       copies);
            rs->failed = true;
        } else {
            run_one(rs, next);
        }
        prev = next->name;
    }
}

static void unknown_test(struct run_state *rs, const char *p, size_t len)
{
    char name[PROFILE_MAX];
    size_t i = 0;
    for (; i < len && i + 1 < sizeof name; i++)
        name[i] = p[i];
    name[i] = '\0';
    con_printf("HVKIT-TEST-BEGIN %s\n", name);
    con_printf("HVKIT-RESULT %s FAIL unknown test (known: selftest vmx smoke smoke-smp hostile-msr hostile-fault "
               "realmode " CONF_ALL ", and every registered conf-* test)\n", name);
    rs->failed = true;
}

void hvkit_main(void)
{
    char record[8], profile[PROFILE_MAX];
    const char *names = boot_cmdline_get("hvkit.test", test_list, sizeof test_list);
    if (!names || !names[0])
        names = "smoke";
    struct test_options opt = {
        .record = boot_cmdline_get("hvkit.record", record, sizeof record) && record[0] == '1' && !record[1],
        .profile = boot_cmdline_get("hvkit.profile", profile, sizeof profile) && profile[0] ? profile
                                                                                           : "bochs-haswell",
    };
    struct run_state rs = {.opt = &opt};

    vmx_bringup_all();

    for (const char *p = names; *p;) {
        const char *end = p;
        while (*end && *end != ',')
            end++;
        size_t len = (size_t)(end - p);
        if (len == sizeof CONF_ALL - 1 && str_eq_n(p, CONF_ALL, len)) {
            run_conf_all(&rs);
        } else if (len) {
            const struct test_entry *t = find_test(p, len);
            if (t)
                run_one(&rs, t);
            else
                unknown_test(&rs, p, len);
        }
        p = *end ? end + 1 : end;
    }
    finish(rs.failed ? PLATFORM_FAIL : rs.refused ? PLATFORM_REFUSED : PLATFORM_PASS);
}
