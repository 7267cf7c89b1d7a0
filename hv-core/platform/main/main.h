/* What the files of hv-core/platform/main/ share: the per-CPU VMX state, the test table, the exit printer, and
 * the VM set-up, run, teardown and checks of the guest-running tests (test_vm.c). */
#ifndef HVKIT_MAIN_H
#define HVKIT_MAIN_H

#include <hv/record.h>
#include <hv/vm.h>
#include <platform/platform.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- vmx_bringup.c: hv_cpu_init on every online CPU (BSP first, then the APs through
 * platform_run_on_aps), each with its own struct hv_cpu and VMXON region. ---- */
enum cpu_vmx_state {
    CPU_VMX_ON = 0,   /* in VMX operation */
    CPU_VMX_REFUSED,  /* VMX is there but bring-up failed (message says why) */
    CPU_VMX_ABSENT,   /* not Intel, or CPUID.1:ECX.VMX = 0 */
};
struct hvkit_cpu {
    struct hv_cpu hv;
    enum cpu_vmx_state state;
};
/* Brings VMX up everywhere and prints one HVKIT-CPU line per CPU in index order. */
void vmx_bringup_all(void);
/* VMXOFF everywhere VMX is on (APs first, then the BSP). */
void vmx_teardown_all(void);
struct hvkit_cpu *hvkit_cpu(unsigned index); /* NULL beyond the online count */
/* CPUID.1:ECX.VMX[5] of this processor (SDM Vol. 3 §24.6). */
bool cpu_has_vmx(void);

/* ---- tests: one function per `hvkit.test=` name. Each prints its own HVKIT-RESULT line. ---- */
enum test_outcome {
    TEST_PASS = 0,
    TEST_FAIL,
    TEST_REFUSED, /* the core refused this processor cleanly (e.g. no EPT): the run ends REFUSED */
    TEST_NOVMX,   /* no VMX at all: the run ends NO_VMX */
};
struct test_options {
    bool record;             /* hvkit.record=1 */
    const char *profile;     /* hvkit.profile (default "bochs-haswell") */
};
struct test_entry {
    const char *name;
    enum test_outcome (*run)(const struct test_options *opt);
};
/* Register a test under a `hvkit.test=` name from its own file, with no central table to edit: the entry goes
 * into the linker section hvkit_tests (boot/linker.ld keeps it and brackets it with the two symbols below);
 * hvkit_main.c finds tests there as well as in its own table. */
#define HVKIT_TEST(name_, fn_)                                                                                \
    static const struct test_entry hvkit_test_entry_##fn_                                                     \
        __attribute__((used, section("hvkit_tests"), aligned(8))) = {name_, fn_}
extern const struct test_entry __start_hvkit_tests[], __stop_hvkit_tests[];

enum test_outcome test_selftest(const struct test_options *opt);
enum test_outcome test_vmx(const struct test_options *opt);
enum test_outcome test_smoke(const struct test_options *opt);
enum test_outcome test_hostile_msr(const struct test_options *opt);
enum test_outcome test_smoke_smp(const struct test_options *opt);
enum test_outcome test_hostile_fault(const struct test_options *opt);
enum test_outcome test_realmode(const struct test_options *opt); /* realmode.c */

/* The VM index of each guest-running test (the vm= of its HVKIT-EXIT lines): smoke-smp uses the AP's index. */
#define VM_INDEX_SMOKE 0u
#define VM_INDEX_HOSTILE_MSR PLATFORM_MAX_CPUS
#define VM_INDEX_HOSTILE_FAULT (PLATFORM_MAX_CPUS + 1u)
#define VM_INDEX_REALMODE (PLATFORM_MAX_CPUS + 2u)

/* Shared refusal handling of tests that need VMX on the BSP: NOVMX / REFUSED lines, or NULL when usable. */
struct hvkit_cpu *test_need_vmx(const char *test, enum test_outcome *out);
/* "REFUSED" for the errors that describe the processor (no EPT, fixed bits, feature control); FAIL for the
 * rest, which are bugs (a VMX instruction failing, no memory, a bad configuration). */
enum test_outcome test_outcome_for(enum hv_err err);
/* "PASS", "FAIL", "REFUSED" or "NOVMX": the word of an HVKIT-RESULT line. */
const char *test_outcome_word(enum test_outcome o);
/* Prints "HVKIT-RESULT <test> <word> <detail>" (detail from fmt). */
void test_result(const char *test, const char *word, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- exit_trace.c: the trace callback that prints one HVKIT-EXIT line per exit and keeps the sequence ---- */
#define EXIT_LOG_MAX 64u
struct exit_record {
    uint32_t basic;
    bool entry_failure;
    uint64_t qualification;
    uint32_t instr_len;
    enum hv_exit_action action;
};
struct exit_log {
    unsigned vm_index;
    unsigned n;        /* exits seen (also beyond EXIT_LOG_MAX) */
    unsigned kills;    /* HV_TRACE_KILL events */
    struct exit_record rec[EXIT_LOG_MAX];
};
void exit_trace(void *opaque, const struct hv_trace_event *ev); /* opaque: struct exit_log * */
const char *exit_action_name(enum hv_exit_action a);

/* ---- test_vm.c: what every guest-running test does around its checks ----
 * test_vm_start: create the VM (exits traced into log, recorded when opt->record), claim the test port and
 * MMIO region with handlers that note every access in dev, copy the guest program to its entry point; on
 * failure the VM is destroyed again and why says what went wrong. test_vm_run: run it, timed.
 * test_vm_finish: destroy it and check that every page came back. test_vm_fail keeps the first failure in why. */
struct test_guest {
    struct hv_vm_config cfg;            /* memory, mode, entry, stack (trace and record are filled in) */
    const uint8_t *code, *code_end;     /* the guest program, copied to cfg.entry */
    uint16_t port;                      /* nonzero: claim port .. port + 3 */
    uint32_t port_in_value;             /* what an IN from the port reads */
    uint64_t mmio_gpa, mmio_size;       /* mmio_size nonzero: an HV_REGION_MMIO there */
    const char *mmio_name;
};
struct test_devices {                   /* what the guest did to the test port and MMIO region */
    unsigned port_outs, port_ins;
    uint16_t out_port, in_port;         /* of the first OUT / IN */
    unsigned out_size, in_size;
    uint32_t out_value, in_value;
    unsigned mmio_calls;
    struct hv_mmio_access mmio;         /* the first MMIO access */
};
struct test_vm {                        /* large (regions, devices, stats): static, not on a kernel stack */
    struct hv_vm vm;
    struct exit_log log;
    struct test_devices dev;
    struct hv_record recorder;
    size_t free_before;                 /* free pages before hv_vm_create */
    uint64_t us;                        /* the guest run time of test_vm_run */
    uint64_t pages_faulted;             /* the VM's stats, kept by test_vm_finish */
    char why[200];                      /* the first failure, for the HVKIT-RESULT line */
};
/* One expected exit: basic reason, action, the instruction length where the SDM defines it (§28.2.5; 0 = not
 * checked: EPT exits leave it undefined), and for I/O exits the direction (1 = IN) and size. */
struct test_expect {
    uint32_t reason;
    enum hv_exit_action action;
    uint32_t len;
    unsigned io_in, io_size;
};
/* The exits the smoke and real-mode guests both end with: the first write to an unbacked RAM page, a write
 * into the MMIO region, VMCALL HV_HC_VERSION (0F 01 C1), HLT (F4). Needs <hv/exit_reasons.h>. */
#define TEST_EXPECT_WRITES_VMCALL_HLT                                                                         \
    {HV_EXIT_EPT_VIOLATION, HV_EXIT_RESUME, 0, 0, 0},                                                         \
    {HV_EXIT_EPT_MISCONFIG, HV_EXIT_RESUME, 0, 0, 0},                                                         \
    {HV_EXIT_VMCALL, HV_EXIT_RESUME, 3, 0, 0},                                                                \
    {HV_EXIT_HLT, HV_EXIT_HALT, 1, 0, 0}
/* The guest of the hostile tests: a few bytes of 64-bit code at 0x1000 in 2 MiB of RAM, RSP 0x8000. */
#define TEST_SMALL_PROGRAM64(start, end)                                                                      \
    {                                                                                                         \
        .cfg = {.memory_size = 0x200000u, .mode = HV_GUEST_PROGRAM64, .entry = 0x1000u, .stack = 0x8000u},   \
        .code = (start), .code_end = (end),                                                                   \
    }
/* opt NULL: no recording. test non-NULL: a failure also prints "HVKIT-RESULT <test> <REFUSED|FAIL> <why>". */
enum test_outcome test_vm_start(struct test_vm *t, const char *test, struct hvkit_cpu *c, const struct test_guest *g,
                                unsigned vm_index, const struct test_options *opt);
enum hv_step_result test_vm_run(struct test_vm *t, unsigned max_exits);
bool test_vm_finish(struct test_vm *t); /* false (and why set) when pages did not come back */
bool test_vm_fail(struct test_vm *t, const char *fmt, ...) __attribute__((format(printf, 2, 3))); /* false */
/* The checks smoke and realmode share: the exits in order (I/O exits to port), the run ended halted, the one
 * OUT of the CPUID signature (and ins INs), the one MMIO write, the hypercall version in RAX. False (why set)
 * otherwise. */
bool test_check_exits(struct test_vm *t, const struct test_expect *expected, unsigned n, uint16_t port);
bool test_check_halted(struct test_vm *t, enum hv_step_result r);
bool test_check_port(struct test_vm *t, uint16_t port, unsigned out_size, unsigned ins);
bool test_check_mmio_write(struct test_vm *t, uint64_t gpa, unsigned size, uint64_t value);
bool test_check_version_call(struct test_vm *t);
const char *test_step_name(enum hv_step_result r); /* "halted", "killed", "still running" */

#endif
