/* hvkit_main: the bootable hypervisor's program (overrides boot/'s weak default). Called by boot/ on the BSP
 * once the console, allocator, time and APs work; HVKIT-BOOT is boot/'s line.
 *
 *   1. VMX on every CPU (vmx_bringup.c), one HVKIT-CPU line each;
 *   2. the tests `hvkit.test=` names (comma list, default "smoke"), one HVKIT-RESULT line each;
 *   3. VMXOFF everywhere, then platform_exit with the run's status:
 *        every test PASS -> PASS; a test FAIL -> FAIL (the other tests still run);
 *        no VMX -> "HVKIT-RESULT vmx NOVMX CPUID.1:ECX.VMX=0", NO_VMX at once;
 *        the core refusing the processor -> "HVKIT-RESULT <test> REFUSED <why>", REFUSED at once.
 * Command-line keys: hvkit.test, hvkit.record=1 (the core's record mode), hvkit.profile (the sim profile that
 * matches this machine, written into recordings; default bochs-haswell). */
#include "main.h"

#define TEST_LIST_MAX 256u
#define PROFILE_MAX 64u

static const struct test_entry tests[] = {
    {"selftest", test_selftest},
    {"vmx", test_vmx},
    {"smoke", test_smoke},
    {"smoke-smp", test_smoke_smp},
    {"hostile-msr", test_hostile_msr},
    {"hostile-fault", test_hostile_fault},
    {"realmode", test_realmode},
};

static bool str_eq_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i] || !a[i])
            return false;
    return b[n] == '\0';
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

void hvkit_main(void)
{
    char list[TEST_LIST_MAX], record[8], profile[PROFILE_MAX];
    const char *names = boot_cmdline_get("hvkit.test", list, sizeof list);
    if (!names || !names[0])
        names = "smoke";
    struct test_options opt = {
        .record = boot_cmdline_get("hvkit.record", record, sizeof record) && record[0] == '1' && !record[1],
        .profile = boot_cmdline_get("hvkit.profile", profile, sizeof profile) && profile[0] ? profile
                                                                                           : "bochs-haswell",
    };

    vmx_bringup_all();

    enum platform_status status = PLATFORM_PASS;
    for (const char *p = names; *p;) {
        const char *end = p;
        while (*end && *end != ',')
            end++;
        size_t len = (size_t)(end - p);
        if (len) {
            const struct test_entry *t = find_test(p, len);
            if (!t) {
                char name[TEST_LIST_MAX];
                size_t i = 0;
                for (; i < len && i + 1 < sizeof name; i++)
                    name[i] = p[i];
                name[i] = '\0';
                con_printf("HVKIT-RESULT %s FAIL unknown test (known: selftest vmx smoke smoke-smp hostile-msr "
                           "hostile-fault realmode)\n", name);
                status = PLATFORM_FAIL;
            } else {
                switch (t->run(&opt)) {
                case TEST_PASS:
                    break;
                case TEST_FAIL:
                    status = PLATFORM_FAIL;
                    break;
                case TEST_REFUSED:
                    finish(PLATFORM_REFUSED);
                case TEST_NOVMX:
                    finish(PLATFORM_NO_VMX);
                }
            }
        }
        p = *end ? end + 1 : end;
    }
    finish(status);
}
