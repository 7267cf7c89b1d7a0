/* conf-hypercall-abi: every hypercall of hv/hypercall.h with valid and hostile arguments, from CPL 0: each
 * VMCALL exits (reason 18, length 3: SDM Vol. 3 §26.1.2, §28.2.5), RIP moves past it, RAX holds the ABI's
 * result (negative errors as 64-bit two's complement), RBX/RCX/RDX/RSI are unchanged, HV_HC_SHUTDOWN ends the
 * run halted with RAX = 0. VM A has no devices (VERSION, PUTCHAR, QUERY with every selector and unknown ones,
 * the IPC calls -> ENODEV, unknown numbers including 2^32 and ~0 -> ENOSYS); VM B has the IPC device (NOTIFY/
 * UNREGISTER before a registration -> ENOENT, REGISTER with every bad argument -> EINVAL, a valid one -> 0 and
 * both ring headers written, again -> EBUSY, NOTIFY -> the host's notify callback gets RBX). Not covered:
 * EPERM from CPL 1-3 (the PROGRAM64 guest has no user mode set up). Guest: guests/conf_hypercall_abi.S. */
#include "conf1.h"

#include "boot.h"

#include <hv/hypercall.h>

extern const uint8_t hvkit_guest_conf_hypercall_abi_a_start[], hvkit_guest_conf_hypercall_abi_a_end[];
extern const uint8_t hvkit_guest_conf_hypercall_abi_b_start[], hvkit_guest_conf_hypercall_abi_b_end[];
extern const uint8_t conf_hca_1[], conf_hca_2[], conf_hca_3[], conf_hca_4[], conf_hca_5[], conf_hca_6[], conf_hca_7[], conf_hca_8[], conf_hca_9[], conf_hca_10[], conf_hca_11[], conf_hca_12[], conf_hca_13[], conf_hca_14[], conf_hca_15[], conf_hca_16[];
extern const uint8_t conf_hcb_1[], conf_hcb_2[], conf_hcb_3[], conf_hcb_4[], conf_hcb_5[], conf_hcb_6[], conf_hcb_7[], conf_hcb_8[], conf_hcb_9[], conf_hcb_10[], conf_hcb_11[], conf_hcb_12[], conf_hcb_13[], conf_hcb_14[], conf_hcb_15[], conf_hcb_16[], conf_hcb_17[], conf_hcb_18[];

#define VMCALL_AT(rip) {HV_EXIT_VMCALL, HV_EXIT_RESUME, 3, rip, 0, ~0ull}
#define SHUTDOWN {HV_EXIT_VMCALL, HV_EXIT_HALT, 3, 0, 0, ~0ull}
static const struct conf1_exit a_exits[] = {
    VMCALL_AT(conf_hca_1),
    VMCALL_AT(conf_hca_2),
    VMCALL_AT(conf_hca_3),
    VMCALL_AT(conf_hca_4),
    VMCALL_AT(conf_hca_5),
    VMCALL_AT(conf_hca_6),
    VMCALL_AT(conf_hca_7),
    VMCALL_AT(conf_hca_8),
    VMCALL_AT(conf_hca_9),
    VMCALL_AT(conf_hca_10),
    VMCALL_AT(conf_hca_11),
    VMCALL_AT(conf_hca_12),
    VMCALL_AT(conf_hca_13),
    VMCALL_AT(conf_hca_14),
    VMCALL_AT(conf_hca_15),
    VMCALL_AT(conf_hca_16),
    SHUTDOWN,
};
static const struct conf1_exit b_exits[] = {
    VMCALL_AT(conf_hcb_1),
    VMCALL_AT(conf_hcb_2),
    VMCALL_AT(conf_hcb_3),
    VMCALL_AT(conf_hcb_4),
    VMCALL_AT(conf_hcb_5),
    VMCALL_AT(conf_hcb_6),
    VMCALL_AT(conf_hcb_7),
    VMCALL_AT(conf_hcb_8),
    VMCALL_AT(conf_hcb_9),
    VMCALL_AT(conf_hcb_10),
    VMCALL_AT(conf_hcb_11),
    VMCALL_AT(conf_hcb_12),
    VMCALL_AT(conf_hcb_13),
    VMCALL_AT(conf_hcb_14),
    VMCALL_AT(conf_hcb_15),
    VMCALL_AT(conf_hcb_16),
    VMCALL_AT(conf_hcb_17),
    VMCALL_AT(conf_hcb_18),
    SHUTDOWN,
};

static const uint64_t a_expected[] = {
    HV_HC_ABI_VERSION, /* VERSION */
    0, /* PUTCHAR 'A' */
    0, /* PUTCHAR 0x07 (bits above 7:0 ignored; logged by number) */
    HV_HC_ABI_VERSION, /* QUERY ABI_VERSION */
    HV_HC_COUNT, /* QUERY COUNT */
    0, /* QUERY IPC: no IPC device */
    HV_IPC_MAX_PAGES, /* QUERY IPC_PAGES */
    HV_IPC_MSG_MAX, /* QUERY IPC_MSG_MAX */
    HV_HC_EINVAL, /* QUERY unknown selector */
    HV_HC_EINVAL, /* QUERY selector ~0 */
    HV_HC_ENODEV, /* IPC_REGISTER without the device */
    HV_HC_ENODEV, /* IPC_NOTIFY without the device */
    HV_HC_ENODEV, /* IPC_UNREGISTER without the device */
    HV_HC_ENOSYS, /* number HV_HC_COUNT: unknown */
    HV_HC_ENOSYS, /* 2^32: all 64 bits compared (not VERSION) */
    HV_HC_ENOSYS, /* ~0; then RBX RCX RDX RSI unchanged */
    0x1111, 0x2222, 0x3333, 0x4444, /* RBX RCX RDX RSI after the last call */
};
#define RING_BYTES (2u * 4096u - HV_IPC_RING_HEADER)
static const uint64_t b_expected[] = {
    1, /* QUERY IPC: the device is there */
    HV_HC_ENOENT, /* IPC_NOTIFY before a registration */
    HV_HC_ENOENT, /* IPC_UNREGISTER before a registration */
    HV_HC_EINVAL, /* pages 0 */
    HV_HC_EINVAL, /* pages 17 > HV_IPC_MAX_PAGES */
    HV_HC_EINVAL, /* vector 31 (an exception vector) */
    HV_HC_EINVAL, /* vector 256 */
    HV_HC_EINVAL, /* transmit ring not page-aligned */
    HV_HC_EINVAL, /* transmit ring past RAM (memory_size 4 MiB) */
    HV_HC_EINVAL, /* receive ring over the MMIO region */
    HV_HC_EINVAL, /* rings overlap */
    HV_HC_EINVAL, /* transmit ring wraps the address space */
    0, /* valid: 2 pages each, vector 0x40 */
    HV_HC_EBUSY, /* a pair is registered already */
    0, /* IPC_NOTIFY: the host sees 0xfeedface */
    0, /* IPC_UNREGISTER */
    HV_HC_ENOENT, /* IPC_UNREGISTER again */
    HV_HC_ENOENT, /* IPC_NOTIFY after it */
    RING_BYTES, HV_IPC_RING_MAGIC, RING_BYTES, HV_IPC_RING_MAGIC, /* receive, transmit ring headers */
};

static struct conf1_mmio_dev dev;
static unsigned notifies;
static uint64_t notified;

static void notify(void *opaque, uint64_t value)
{
    (void)opaque;
    notifies++;
    notified = value;
}

static bool setup_b(struct conf1_run *r)
{
    memset(dev.regs, 0, sizeof dev.regs);
    return conf1_mmio_attach(r, &dev);
}

static bool check_shutdown(struct conf1_run *r)
{
    if (r->t.vm.gprs.rax != 0)
        return test_vm_fail(&r->t, "RAX after HV_HC_SHUTDOWN = 0x%llx, expected 0", (unsigned long long)r->t.vm.gprs.rax);
    return true;
}

static bool check_b(struct conf1_run *r)
{
    if (notifies != 1 || notified != 0xfeedface)
        return test_vm_fail(&r->t, "the host's notify callback ran %u times (last value 0x%llx), expected once with "
                            "0xfeedface", notifies, (unsigned long long)notified);
    return check_shutdown(r) && conf1_mmio_check_log(r, &dev, (const struct hv_mmio_access *)0, 0);
}

static struct conf1_run runs[2];

static enum test_outcome run(const struct test_options *opt)
{
    static const struct conf1_case a = {
        .name = "conf-hypercall-abi",
        .code = hvkit_guest_conf_hypercall_abi_a_start,
        .code_end = hvkit_guest_conf_hypercall_abi_a_end,
        .exits = a_exits,
        .nexits = sizeof a_exits / sizeof a_exits[0],
        .results = a_expected,
        .nresults = sizeof a_expected / sizeof a_expected[0],
        .end = HV_STEP_HALTED,
        .check = check_shutdown,
    };
    static const struct conf1_case b = {
        .name = "conf-hypercall-abi",
        .code = hvkit_guest_conf_hypercall_abi_b_start,
        .code_end = hvkit_guest_conf_hypercall_abi_b_end,
        .vm_index_offset = 1,
        .devices = HV_DEV_IPC,
        .notify = notify,
        .exits = b_exits,
        .nexits = sizeof b_exits / sizeof b_exits[0],
        .results = b_expected,
        .nresults = sizeof b_expected / sizeof b_expected[0],
        .end = HV_STEP_HALTED,
        .setup = setup_b,
        .check = check_b,
    };
    notifies = 0;
    notified = 0;
    const struct conf1_case *cases[2] = {&a, &b};
    enum test_outcome out = conf1_run_in_turn(runs, cases, 2, opt);
    if (out != TEST_PASS)
        return out;
    test_result(a.name, "PASS", "calls=%u+%u (every result as the ABI says) shutdown=halted", runs[0].t.log.n,
                runs[1].t.log.n);
    return TEST_PASS;
}
HVKIT_TEST("conf-hypercall-abi", run);
