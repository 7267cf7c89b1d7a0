/* conf-cr-access: guest/host masks and read shadows (SDM Vol. 3 §25.6.6), which CR accesses exit (§26.1.3),
 * the CR-access exit qualification (§28.2.1 Table 28-3: bits 3:0 CR, 5:4 type, 11:8 GPR) and the core's
 * handling (exits/cr.c): an owned bit's write lands in the read shadow, CR4.VMXE is refused with #GP(0) (VMX
 * hidden), CR8 is virtual; CLTS and LMSW on guest-owned bits never exit. Guest: guests/conf_cr_access.S. */
#include "conf1.h"

extern const uint8_t hvkit_guest_conf_cr_access_start[], hvkit_guest_conf_cr_access_end[];
extern const uint8_t conf_cr_at_cr4[], conf_cr_after_ne_clear[], conf_cr_after_ne_set[], conf_cr_after_cr8_wr[],
    conf_cr_after_cr8_rd[];

#define START hvkit_guest_conf_cr_access_start
#define CR(q, rip) {HV_EXIT_CR_ACCESS, HV_EXIT_RESUME, 3, rip, q, 0xfffu}
static const struct conf1_exit exits[] = {
    CR(0x004, conf_cr_at_cr4),         /* MOV to CR4 from RAX: #GP, RIP stays */
    CR(0x000, conf_cr_after_ne_clear), /* MOV to CR0 from RAX */
    CR(0x000, conf_cr_after_ne_set),
    {HV_EXIT_CR_ACCESS, HV_EXIT_RESUME, 4, conf_cr_after_cr8_wr, 0x008, 0xfffu}, /* REX 44 0F 22 C0: 4 bytes */
    {HV_EXIT_CR_ACCESS, HV_EXIT_RESUME, 4, conf_cr_after_cr8_rd, 0x318, 0xfffu}, /* MOV from CR8 to RBX */
    {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0, 0},
};

static uint64_t expected[12] = {
    0x80010031, 0x20, 13, 0, 0, 0x20, 0x80010011, 0x80010039, 0x80010031, 5,
};

static enum test_outcome run(const struct test_options *opt)
{
    expected[4] = CONF1_CODE_GPA + (uint64_t)(conf_cr_at_cr4 - START);
    static const struct conf1_case cs = {
        .name = "conf-cr-access",
        .code = START,
        .code_end = hvkit_guest_conf_cr_access_end,
        .exits = exits,
        .nexits = sizeof exits / sizeof exits[0],
        .results = expected,
        .nresults = 10,
        .end = HV_STEP_HALTED,
    };
    return conf1_run_case(&cs, opt, (void *)0);
}
HVKIT_TEST("conf-cr-access", run);
