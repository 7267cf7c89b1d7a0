/* The replay's side of the virtual hardware (issue 6): the VM's device configuration from a scenario's
 * config-devices record, the host sinks (COM1 bytes and framebuffer pixels to the caller or the trace), the
 * host events (key, serial-in, host-msg, wait), the halted guest waiting for its timer, and the trace of
 * injected events. replay.c calls these; the decisions are documented at the top of replay_devices.c. */
#ifndef HVS_REPLAY_DEVICES_H
#define HVS_REPLAY_DEVICES_H

#include "replay.h"
#include "scenario.h"
#include "sim_machine.h"

#include <hv/vm.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Host interrupts the replay forces (a host timer or device interrupt: external-interrupt exit, reason 1)
 * carry this vector in the VM-exit interruption information. */
#define HVS_HOST_IRQ_VECTOR 0xecu
/* Bound on forced host-timer exits per record (a `wait` or a halted guest): bounded work per record. */
#define HVS_MAX_TIMER_EXITS_PER_RECORD 100000u

struct hvs_devrt {
    const struct hvs_replay_options *o;
    FILE *trace;
    struct sim_machine *m;
    struct hv_arch_cpu *cpu;
    struct hv_vm *vm;
    size_t record;               /* the record being run (for trace lines) */
    uint64_t injections;         /* events seen in the VM-entry interruption information at an entry */
    uint32_t fb_width, fb_height;
};

/* Fill the device part of the VM configuration from the scenario's leading config-devices record (the
 * last one wins; none: no devices) and point the sinks at d. */
void hvs_dev_configure(struct hvs_devrt *d, const struct hvs_scenario *s, struct hv_vm_config *cfg);
/* The guest model at each successful VM entry: an event in the VM-entry interruption information is traced
 * ({"event":"inject",...}) and taken: a halted guest becomes active (the delivery wakes it). f: the VMCS. */
void hvs_dev_on_entry(struct hvs_devrt *d, uint64_t *f);
/* Whether a record type is a host event this file runs. */
bool hvs_dev_is_host_event(uint8_t type);
/* Run a host event. step runs one VM entry with x as the guest's exit (replay.c's step: false ends the run). */
typedef bool (*hvs_step_fn)(void *opaque, const struct sim_exit *x);
bool hvs_dev_host_event(struct hvs_devrt *d, const struct hvs_record *rec, hvs_step_fn step, void *opaque);
/* After a step: while the core left the guest in the HLT activity state, move the sim's clock to the
 * devices' next deadline and force a host timer interrupt, so the core ticks the devices and injects.
 * Returns false when the run ended. */
bool hvs_dev_after_step(struct hvs_devrt *d, uint64_t *f, hvs_step_fn step, void *opaque);

#endif
