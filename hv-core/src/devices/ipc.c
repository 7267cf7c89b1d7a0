/* Host<->guest data exchange (hv/dev_ipc.h; the ABI and ring layout in hv/hypercall.h).
 *
 * The rings live in guest RAM, so the guest can change any byte of them at any time, including while the
 * host reads. The core therefore: keeps its own copy of the rings' places and sizes and of the indexes it
 * produces (receive tail, transmit head); reads the guest's index afresh for each operation and checks it
 * (below the size, a multiple of 8) before using it; bounds every copy by HV_IPC_MSG_MAX; and touches guest
 * memory only through hv_gpa_read/hv_gpa_write, which refuse anything but the VM's RAM (a region added over a
 * ring later makes the copy fail, which disables the pair). */
#include "../exits/exits.h" /* hv_inject_event */

#include <hv/hypercall.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

#define RING_HEAD 0u
#define RING_TAIL 4u
#define RING_SIZE 8u
#define RING_MAGIC 12u

void hv_ipc_init(struct hv_ipc *ipc)
{
    hv_memset(ipc, 0, sizeof *ipc);
}

static uint32_t align8(uint32_t n)
{
    return (n + 7u) & ~7u;
}

/* ---- guest memory, wrapped around a ring's data area ------------------------------------------------------ */

static bool ring_u32(struct hv_vm *vm, uint64_t ring, unsigned off, uint32_t *v)
{
    uint8_t b[4];
    if (!hv_gpa_read(vm, ring + off, b, 4))
        return false;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

static bool ring_put_u32(struct hv_vm *vm, uint64_t ring, unsigned off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return hv_gpa_write(vm, ring + off, b, 4);
}

/* Copy n bytes to / from the data area at pos, wrapping at size (pos < size, n <= size). */
static bool data_write(struct hv_vm *vm, uint64_t ring, uint32_t size, uint32_t pos, const uint8_t *src, uint32_t n)
{
    uint64_t data = ring + HV_IPC_RING_HEADER;
    uint32_t first = n < size - pos ? n : size - pos;
    if (first && !hv_gpa_write(vm, data + pos, src, first))
        return false;
    return n == first || hv_gpa_write(vm, data, src + first, n - first);
}

static bool data_read(struct hv_vm *vm, uint64_t ring, uint32_t size, uint32_t pos, uint8_t *dst, uint32_t n)
{
    uint64_t data = ring + HV_IPC_RING_HEADER;
    uint32_t first = n < size - pos ? n : size - pos;
    if (first && !hv_gpa_read(vm, data + pos, dst, first))
        return false;
    return n == first || hv_gpa_read(vm, data, dst + first, n - first);
}

static bool index_ok(const struct hv_ipc *ipc, uint32_t i)
{
    return i < ipc->ring_bytes && (i & 7u) == 0;
}

/* The guest broke the pair: disable it (host calls fail until it registers again) and say why. */
static void ring_broken(struct hv_vm *vm, const char *why, uint32_t value)
{
    vm->dev.ipc.broken = true;
    hv_snprintf(vm->message, sizeof vm->message, "IPC: %s (0x%x); the ring pair is disabled until re-registered",
                why, value);
}

/* ---- injection ------------------------------------------------------------------------------------------ */

bool hv_ipc_pending(const struct hv_vm *vm)
{
    return vm->dev.ipc.vector_pending;
}

bool hv_ipc_inject_pending(struct hv_vm *vm)
{
    struct hv_ipc *ipc = &vm->dev.ipc;
    if (!ipc->vector_pending || vm->dead || !vm->created || !vm->cpu)
        return false;
    /* VMREAD/VMWRITE act on the current VMCS (SDM Vol. 3 §25.1): from the host side (hv_vm_send_message)
     * another VM's VMCS may be current; the interrupt then waits for this VM's next entry. */
    if (vm->cpu->current_vmcs != vm->vmcs)
        return false;
    /* One event per entry: the field is taken (an exception, a PIC interrupt) -> a later entry. */
    if ((uint32_t)hv_vmread(vm, VMCS_VM_ENTRY_INTERRUPTION_INFO) & INTR_INFO_VALID)
        return false;
    /* An external interrupt is injectable only with RFLAGS.IF = 1 and no STI / MOV-SS blocking (SDM Vol. 3
     * §27.2.1.3 / §27.3.1.5: VM entry fails otherwise). */
    if (!(hv_vmread(vm, VMCS_GUEST_RFLAGS) & RFLAGS_IF))
        return false;
    if ((uint32_t)hv_vmread(vm, VMCS_GUEST_INTERRUPTIBILITY_STATE) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
        return false;
    if (vm->dead)
        return false;
    /* Type 0 (external interrupt), no error code (SDM Vol. 3 §25.8.3 Table 25-17). The entry checks permit
     * it with activity state HLT (§27.3.1.5), and delivering it wakes the processor. */
    hv_inject_event(vm, INTR_INFO_VALID | (INTR_TYPE_EXTERNAL << 8) | ipc->vector, 0, 0);
    if (vm->dead)
        return false;
    /* Delivering the interrupt ends HLT: the guest resumes active (as irq.c does for PIC interrupts). */
    if (hv_vmread(vm, VMCS_GUEST_ACTIVITY_STATE) == ACTIVITY_HLT)
        hv_vmwrite(vm, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
    ipc->vector_pending = false;
    ipc->interrupts++;
    return true;
}

/* ---- hypercalls ------------------------------------------------------------------------------------------ */

static bool ring_init(struct hv_vm *vm, uint64_t ring, uint32_t size)
{
    uint8_t h[HV_IPC_RING_HEADER];
    hv_memset(h, 0, sizeof h);
    h[RING_SIZE] = (uint8_t)size;
    h[RING_SIZE + 1] = (uint8_t)(size >> 8);
    h[RING_SIZE + 2] = (uint8_t)(size >> 16);
    h[RING_MAGIC] = (uint8_t)HV_IPC_RING_MAGIC;
    h[RING_MAGIC + 1] = (uint8_t)(HV_IPC_RING_MAGIC >> 8);
    h[RING_MAGIC + 2] = (uint8_t)(HV_IPC_RING_MAGIC >> 16);
    h[RING_MAGIC + 3] = (uint8_t)(HV_IPC_RING_MAGIC >> 24);
    return hv_gpa_write(vm, ring, h, sizeof h);
}

static uint64_t ipc_register(struct hv_vm *vm)
{
    struct hv_ipc *ipc = &vm->dev.ipc;
    uint64_t tx = vm->gprs.rbx, rx = vm->gprs.rcx, pages = vm->gprs.rdx, vector = vm->gprs.rsi;
    if (ipc->registered)
        return HV_HC_EBUSY;
    if (pages < 1 || pages > HV_IPC_MAX_PAGES || vector < 32 || vector > 255)
        return HV_HC_EINVAL; /* vectors 0-31 are exceptions (SDM Vol. 3 §6.2) */
    uint64_t len = pages * HV_PAGE_SIZE;
    if ((tx | rx) & (HV_PAGE_SIZE - 1))
        return HV_HC_EINVAL;
    if (!hv_gpa_is_ram(vm, tx, len) || !hv_gpa_is_ram(vm, rx, len))
        return HV_HC_EINVAL; /* past RAM, wrapping, or over an MMIO/ROM region */
    if (tx < rx + len && rx < tx + len)
        return HV_HC_EINVAL; /* overlapping rings would corrupt each other */
    uint32_t size = (uint32_t)len - HV_IPC_RING_HEADER;
    if (!ring_init(vm, tx, size) || !ring_init(vm, rx, size))
        return HV_HC_EINVAL; /* backing the pages failed: the VM's memory quota is exhausted */
    ipc->tx_gpa = tx;
    ipc->rx_gpa = rx;
    ipc->ring_bytes = size;
    ipc->vector = (uint8_t)vector;
    ipc->rx_tail = 0;
    ipc->tx_head = 0;
    ipc->registered = true;
    ipc->broken = false;
    ipc->vector_pending = false;
    return 0;
}

uint64_t hv_ipc_hypercall(struct hv_vm *vm, uint64_t nr)
{
    struct hv_ipc *ipc = &vm->dev.ipc;
    uint64_t r;
    if (!ipc->attached) {
        r = HV_HC_ENODEV;
    } else if (nr == HV_HC_IPC_REGISTER) {
        r = ipc_register(vm);
    } else if (!ipc->registered) {
        r = HV_HC_ENOENT;
    } else if (nr == HV_HC_IPC_NOTIFY) {
        ipc->notifies++;
        if (vm->cfg.notify)
            vm->cfg.notify(vm->cfg.notify_opaque, vm->gprs.rbx);
        r = 0;
    } else if (nr == HV_HC_IPC_UNREGISTER) {
        bool attached = ipc->attached;
        uint64_t sent = ipc->sent, received = ipc->received, notifies = ipc->notifies, rej = ipc->rejected_calls,
                 irqs = ipc->interrupts;
        hv_ipc_init(ipc);
        ipc->attached = attached;
        ipc->sent = sent;
        ipc->received = received;
        ipc->notifies = notifies;
        ipc->rejected_calls = rej;
        ipc->interrupts = irqs;
        r = 0;
    } else {
        r = HV_HC_ENOSYS;
    }
    if ((int64_t)r < 0)
        ipc->rejected_calls++;
    hv_ipc_inject_pending(vm); /* a message that waited for IF = 1 goes with the next entry when it can */
    return r;
}

/* ---- host side ------------------------------------------------------------------------------------------- */

static enum hv_err host_fail(struct hv_vm *vm, enum hv_err err, const char *why)
{
    hv_snprintf(vm->message, sizeof vm->message, "IPC: %s", why);
    return err;
}

enum hv_err hv_vm_send_message(struct hv_vm *vm, const void *data, size_t len)
{
    if (!vm || !vm->created || vm->dead)
        return HV_ERR_STATE;
    struct hv_ipc *ipc = &vm->dev.ipc;
    if (!ipc->attached || !ipc->registered)
        return host_fail(vm, HV_ERR_STATE, "no ring pair registered");
    if (ipc->broken)
        return host_fail(vm, HV_ERR_STATE, "the ring pair is disabled (the guest corrupted it)");
    if (!data || len == 0 || len > HV_IPC_MSG_MAX)
        return host_fail(vm, HV_ERR_BAD_CONFIG, "message length must be 1..HV_IPC_MSG_MAX bytes");
    uint32_t size = ipc->ring_bytes, tail = ipc->rx_tail, head;
    if (!ring_u32(vm, ipc->rx_gpa, RING_HEAD, &head)) {
        ring_broken(vm, "receive ring no longer in RAM", 0);
        return HV_ERR_STATE;
    }
    if (!index_ok(ipc, head)) {
        ring_broken(vm, "receive ring head out of range", head);
        return HV_ERR_STATE;
    }
    uint32_t need = HV_IPC_ENTRY_HEADER + align8((uint32_t)len);
    uint32_t free_bytes = (head > tail ? head - tail : size - (tail - head)) - 8u;
    if (need > free_bytes)
        return host_fail(vm, HV_ERR_STATE, "receive ring full");
    uint8_t hdr[HV_IPC_ENTRY_HEADER] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
    static const uint8_t zeros[8];
    uint32_t pos = tail;
    bool ok = data_write(vm, ipc->rx_gpa, size, pos, hdr, sizeof hdr);
    pos = (pos + HV_IPC_ENTRY_HEADER) % size;
    ok = ok && data_write(vm, ipc->rx_gpa, size, pos, data, (uint32_t)len);
    pos = (uint32_t)((pos + len) % size);
    ok = ok && data_write(vm, ipc->rx_gpa, size, pos, zeros, align8((uint32_t)len) - (uint32_t)len);
    /* tail last: the guest sees the entry only when it is complete */
    uint32_t new_tail = (tail + need) % size;
    ok = ok && ring_put_u32(vm, ipc->rx_gpa, RING_TAIL, new_tail);
    if (!ok) {
        ring_broken(vm, "receive ring no longer in RAM", 0);
        return HV_ERR_STATE;
    }
    ipc->rx_tail = new_tail;
    ipc->sent++;
    ipc->vector_pending = true;
    hv_ipc_inject_pending(vm);
    return HV_OK;
}

long hv_vm_receive_message(struct hv_vm *vm, void *buf, size_t cap)
{
    if (!vm || !vm->created || vm->dead)
        return -1;
    struct hv_ipc *ipc = &vm->dev.ipc;
    if (!ipc->attached || !ipc->registered || ipc->broken) {
        host_fail(vm, HV_ERR_STATE, "no usable ring pair");
        return -1;
    }
    uint32_t size = ipc->ring_bytes, head = ipc->tx_head, tail, len;
    if (!ring_u32(vm, ipc->tx_gpa, RING_TAIL, &tail)) {
        ring_broken(vm, "transmit ring no longer in RAM", 0);
        return -1;
    }
    if (!index_ok(ipc, tail)) {
        ring_broken(vm, "transmit ring tail out of range", tail);
        return -1;
    }
    if (head == tail)
        return 0;
    uint32_t used = tail > head ? tail - head : size - (head - tail);
    uint8_t hdr[HV_IPC_ENTRY_HEADER];
    if (!data_read(vm, ipc->tx_gpa, size, head, hdr, sizeof hdr)) {
        ring_broken(vm, "transmit ring no longer in RAM", 0);
        return -1;
    }
    len = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
    if (len == 0 || len > HV_IPC_MSG_MAX || HV_IPC_ENTRY_HEADER + align8(len) > used) {
        ring_broken(vm, "transmit ring entry length out of range", len);
        return -1;
    }
    if (!buf || len > cap) {
        host_fail(vm, HV_ERR_BAD_CONFIG, "buffer too small for the next message");
        return -1;
    }
    if (!data_read(vm, ipc->tx_gpa, size, (head + HV_IPC_ENTRY_HEADER) % size, buf, len)) {
        ring_broken(vm, "transmit ring no longer in RAM", 0);
        return -1;
    }
    uint32_t new_head = (head + HV_IPC_ENTRY_HEADER + align8(len)) % size;
    if (!ring_put_u32(vm, ipc->tx_gpa, RING_HEAD, new_head)) {
        ring_broken(vm, "transmit ring no longer in RAM", 0);
        return -1;
    }
    ipc->tx_head = new_head;
    ipc->received++;
    return (long)len;
}

const char *hv_ipc_check(const struct hv_ipc *ipc)
{
    if (!ipc->attached)
        return ipc->registered ? "ipc: ring pair registered without the IPC device" : NULL;
    if (!ipc->registered)
        return ipc->vector_pending ? "ipc: message interrupt pending without a ring pair" : NULL;
    if (ipc->ring_bytes < HV_PAGE_SIZE - HV_IPC_RING_HEADER ||
        ipc->ring_bytes > HV_IPC_MAX_PAGES * HV_PAGE_SIZE - HV_IPC_RING_HEADER ||
        (ipc->ring_bytes + HV_IPC_RING_HEADER) % HV_PAGE_SIZE)
        return "ipc: ring size not 1..16 pages";
    if ((ipc->tx_gpa | ipc->rx_gpa) & (HV_PAGE_SIZE - 1))
        return "ipc: ring not page-aligned";
    if (ipc->vector < 32)
        return "ipc: message vector below 32";
    if (!index_ok(ipc, ipc->rx_tail) || !index_ok(ipc, ipc->tx_head))
        return "ipc: the core's ring index out of range";
    return NULL;
}
