/* conf-ipc-ring (conformance/cases/ipc-ring.case): the IPC hypercalls and rings of hv/hypercall.h: QUERY
 * reports the device, REGISTER refuses a ring outside RAM (EINVAL) and a second pair (EBUSY) and writes the
 * ring headers (magic, size); a host message (hv_vm_send_message) is written as one entry (8-byte header,
 * data padded to 8) and announced on the guest's vector 0x40; the guest's transmit-ring entry reaches
 * hv_vm_receive_message; HV_HC_IPC_NOTIFY reaches the host's notify callback. Guest: guests/conf_ipc_ring.S.
 *   HVKIT-RESULT conf-ipc-ring PASS received="abc" notify=1 exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

#include <hv/hypercall.h>

extern const uint8_t hvkit_guest_conf_ipc_ring_start[], hvkit_guest_conf_ipc_ring_end[];

static struct conf_dev ipc_case;

static const struct conf_expect expected[] = {
    {1, "HV_HC_QUERY(HV_HC_QUERY_IPC): the device is there"},
    {HV_HC_EINVAL, "HV_HC_IPC_REGISTER with the receive ring outside RAM"},
    {0, "HV_HC_IPC_REGISTER"},
    {HV_HC_EBUSY, "HV_HC_IPC_REGISTER a second time"},
    {HV_IPC_RING_MAGIC, "transmit ring magic"},
    {4096u - HV_IPC_RING_HEADER, "transmit ring size"},
    {CONF_MARK_READY, "ready"},
    {16, "receive ring tail: one entry of 8 + 8 bytes"},
    {5, "the entry's length"},
    {0x6f6c6c6568ull, "the message: \"hello\", zero-padded"},
    {0, "HV_HC_IPC_NOTIFY"},
    {CONF_MARK_RESUMED, "done"},
};

struct ipc_host {
    bool sent;
    enum hv_err send_err;
};

static void send_at_ready(struct conf_dev *c, void *arg)
{
    struct ipc_host *h = arg;
    if (!h->sent && c->nreports == 7 && c->report[6] == CONF_MARK_READY) {
        h->send_err = hv_vm_send_message(&c->t.vm, "hello", 5);
        h->sent = true;
    }
}

static enum test_outcome conf_ipc_ring(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_IPC,
        .code = hvkit_guest_conf_ipc_ring_start,
        .code_end = hvkit_guest_conf_ipc_ring_end,
    };
    struct conf_dev *c = &ipc_case;
    enum test_outcome out = conf_dev_start(c, "conf-ipc-ring", &cfg, VM_INDEX_CONF_BASE + 6u, opt);
    if (out != TEST_PASS)
        return out;
    struct ipc_host h = {false, HV_OK};
    enum hv_step_result r = conf_dev_run(c, 200, send_at_ready, &h);
    bool ok = test_check_halted(&c->t, r);
    if (ok && (!h.sent || h.send_err != HV_OK))
        ok = test_vm_fail(&c->t, "hv_vm_send_message: %s", h.sent ? c->t.vm.message : "never reached");
    ok = ok && conf_dev_expect_reports(c, expected, (unsigned)(sizeof expected / sizeof expected[0]));
    char buf[16] = {0};
    long n = ok ? hv_vm_receive_message(&c->t.vm, buf, sizeof buf) : 0;
    if (ok && (n != 3 || buf[0] != 'a' || buf[1] != 'b' || buf[2] != 'c'))
        ok = test_vm_fail(&c->t, "hv_vm_receive_message returned %ld, expected 3 bytes \"abc\"", n);
    if (ok && (c->nnotify != 1 || c->notify[0] != 1))
        ok = test_vm_fail(&c->t, "%u notifications (first 0x%llx), expected one of 1", c->nnotify,
                          (unsigned long long)(c->nnotify ? c->notify[0] : 0));
    return conf_dev_finish(c, ok, "received=\"abc\" notify=1");
}

HVKIT_TEST("conf-ipc-ring", conf_ipc_ring);
