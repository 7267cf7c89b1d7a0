/* Host<->guest data exchange (TurnstoneOS: "the hypervisor will provide data exchange between host and
 * guest"): a pair of rings in the guest's RAM that the guest registers with HV_HC_IPC_REGISTER (the ABI and
 * the ring layout are in hv/hypercall.h), guest->host notifications (HV_HC_IPC_NOTIFY -> the host's
 * hv_notify_fn), and host->guest messages (hv_vm_send_message) announced by an interrupt on the vector the
 * guest chose. State per VM (vm->dev.ipc); ipc.c.
 *
 * The core never trusts the rings' contents: it keeps its own copy of where they are and how big, reads the
 * guest-written index (head of the receive ring, tail of the transmit ring) on every use and disables the
 * ring pair when one is out of range, and copies with hv_gpa_read/hv_gpa_write, which refuse anything that
 * is not the VM's RAM. */
#ifndef HV_DEV_IPC_H
#define HV_DEV_IPC_H

#include <stdbool.h>
#include <stdint.h>

struct hv_ipc {
    bool attached;      /* HV_DEV_IPC configured */
    bool registered;    /* a ring pair is registered */
    bool broken;        /* the guest corrupted a ring index: the pair is disabled until re-registered */
    uint64_t tx_gpa;    /* guest->host ring */
    uint64_t rx_gpa;    /* host->guest ring */
    uint32_t ring_bytes;/* bytes of each ring's data area (pages * 4096 - HV_IPC_RING_HEADER) */
    uint32_t rx_tail;   /* the core's own producer index of the receive ring (the copy in guest memory is
                         * informative: the guest could overwrite it) */
    uint32_t tx_head;   /* the core's own consumer index of the transmit ring */
    uint8_t vector;     /* interrupt vector for host->guest messages (32..255) */
    bool vector_pending;/* a message was sent and its interrupt not yet injected */
    /* Counters. */
    uint64_t sent, received, notifies, rejected_calls, interrupts;
};

struct hv_vm;
void hv_ipc_init(struct hv_ipc *ipc);
/* Whether a message interrupt waits for injection (a wake source for a halted vCPU). */
bool hv_ipc_pending(const struct hv_vm *vm);
/* Inject the pending message interrupt as an external interrupt (VM-entry interruption information, SDM
 * Vol. 3 §25.8.3) if the guest can take it now: RFLAGS.IF = 1, no STI / MOV-SS blocking (§25.4.2 Table
 * 25-3), no event already in the field. Returns true when injected. irq.c's delivery calls it after the PIC
 * (whose IRQs have priority); the IPC hypercalls and hv_vm_send_message also try it. */
bool hv_ipc_inject_pending(struct hv_vm *vm);
/* The IPC hypercalls (hypercall.c routes HV_HC_IPC_REGISTER/NOTIFY/UNREGISTER here): arguments in the
 * guest's RBX/RCX/RDX/RSI; returns the RAX result. */
uint64_t hv_ipc_hypercall(struct hv_vm *vm, uint64_t nr);
/* Oracle 6: NULL when the state is legal, else the broken invariant. */
const char *hv_ipc_check(const struct hv_ipc *ipc);

#endif
