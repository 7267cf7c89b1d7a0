/* conf-realmode-boot: the real-mode "booted machine" (HV_GUEST_REAL_MODE with unrestricted guest, SDM Vol. 3
 * §25.6.2, §27.3.1.1) as a conformance case: main/realmode.c's test, unchanged, then this case's own line.
 * The realmode test prints its "HVKIT-RESULT realmode ..." line first; the case's verdict is the same. */
#include "main.h"

static enum test_outcome run(const struct test_options *opt)
{
    enum test_outcome out = test_realmode(opt);
    test_result("conf-realmode-boot", test_outcome_word(out), "realmode test: %s (its line above)",
                test_outcome_word(out));
    return out;
}
HVKIT_TEST("conf-realmode-boot", run);
