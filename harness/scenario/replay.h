/* The replay engine: a scenario run on the sim, through the real core, under the oracles (DESIGN §4, §5).
 *
 * It builds a simulated machine with the scenario's profile, brings VMX up (hv_cpu_init), creates the VM
 * (hv_vm_create), then walks the records: a raw record changes state or arms a fault; a semantic record is
 * resolved against the core's current VMCS controls, bitmaps and masks — when the processor would exit, the
 * sim's next exit is set and the core runs one step (hv_vcpu_step); when it would not, the sim applies the
 * instruction's architectural effect itself and the guest moves on. Finally the VM is destroyed and VMX
 * turned off.
 *
 * Oracles (DESIGN §5): 2 the full VM-entry checks before every entry (a VMCS the core hands to "hardware"
 * that fails them is a bug unless the core is killing that VM); 3 RIP discipline; 5 bounded work per exit;
 * and the core's bookkeeping: no VMX instruction faults, every page back in the pool after destroy. */
#ifndef HVS_REPLAY_H
#define HVS_REPLAY_H

#include "scenario.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct hvs_replay_options {
    const char *profile;  /* overrides the header's profile when not NULL */
    FILE *trace;          /* one JSON line per exit and lifecycle event when not NULL */
    bool no_oracles;      /* benchmarks: skip the oracles (the entry checks still decide VM entry) */
    /* Benchmarks only: VM entry skips the sim's VM-entry checks and lets every VMCS in
     * (sim_machine_set_entry_checks), which hardware would not; the entry-check oracle then sees nothing. Kept
     * apart from no_oracles, with which a VMCS that fails the checks still fails VM entry. */
    bool no_entry_checks;
    /* Devices (issue 6; replay_devices.c). serial: every byte the guest transmits on COM1 (NULL: with a trace,
     * one {"event":"serial"} line per byte; without, dropped). fb_pixel: every framebuffer pixel the guest
     * writes (the geometry is the scenario's config-devices record). dev_opaque is passed to both. */
    void (*serial)(void *opaque, uint8_t byte);
    void (*fb_pixel)(void *opaque, uint32_t x, uint32_t y, uint32_t pixel);
    void *dev_opaque;
    /* Record mode (issue 9, hv/record.h): the core writes every exit it handles as "HVREC" scenario lines
     * through hv_arch_log, its header naming the profile the replay runs on. log: every hv_arch_log line of
     * the run (NULL: dropped), with log_opaque. */
    bool record;
    void (*log)(void *opaque, unsigned cpu, const char *line);
    void *log_opaque;
    /* Reuse between replays (fuzzing; issue 7's cheap reset): when not NULL, the replay runs on the cache's
     * simulated machine, reset rather than re-created, and a scenario whose configuration (profile, memory,
     * mode, entry, stack, quota, devices, leading fault injections, these options) equals the previous one's
     * starts from a snapshot taken right after that one's bring-up, undoing only what the last run dirtied.
     * Results are the same as without a cache (ctest fuzz.replay_cache.* checks it on every corpus). Not used
     * with a trace, a log, record mode or test hooks: those replays do a fresh bring-up (on the cached
     * machine), because a snapshot would skip the bring-up's lines. */
    struct hvs_replay_cache *cache;
};

struct hvs_replay_cache;
struct hvs_replay_cache *hvs_replay_cache_new(void); /* NULL on out of memory */
void hvs_replay_cache_free(struct hvs_replay_cache *c);


enum hvs_status {
    HVS_OK = 0,       /* the scenario ran to its end, or the guest halted for good */
    HVS_KILLED = 1,   /* the core killed the VM (message says why) */
    HVS_ORACLE = 2,   /* an oracle found a core bug (message names the oracle) */
    HVS_BAD_INPUT = 3 /* the scenario cannot run here (unknown profile, VM config the core refuses, ...) */
};

struct hvs_replay_result {
    enum hvs_status status;
    char message[512];
    uint64_t exits;        /* VM exits the core handled */
    size_t records_run;    /* records consumed before the run ended */
};

/* Run s; fills r; returns r->status. */
enum hvs_status hvs_replay(const struct hvs_scenario *s, const struct hvs_replay_options *o,
                           struct hvs_replay_result *r);

#endif
