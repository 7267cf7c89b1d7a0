/* The oracles the replay engine runs around every step of the core (DESIGN §5; issue 3 item 7).
 *
 * A violation is a bug in the core, never in the scenario: the replay stops with HVS_ORACLE and a message
 * that begins "oracle <name>: ". The oracles:
 *   entry-checks  (§5.2) every simulated VM entry runs the full VM-entry checks (the sim does so in
 *                 VMLAUNCH/VMRESUME); a VMCS the core handed over that fails one is reported with the rule
 *                 and its SDM bullet. An injected VMX-instruction failure (FAIL_VMX) skips the checks in the
 *                 sim, so it never counts here.
 *   rip           (§5.3) after an exit the core handled with "resume": an instruction exit with no event
 *                 pending in the VM-entry interruption-information field advanced RIP by exactly the VM-exit
 *                 instruction length; an injected hardware exception (type 3) left RIP alone; a
 *                 non-instruction exit (exception/NMI, interrupt, triple fault, preemption timer, EPT,
 *                 windows, MTF) left RIP alone.
 *   liveness      (§5.5) bounded work per step: the sim's VM-entry and VM-exit counters may grow by at most
 *                 the work limit per hv_vcpu_step (one entry and one exit make 2; a core that re-enters the
 *                 guest inside one step is caught). See the report of issue 3 for the finer VMX-instruction
 *                 counter the sim does not have yet.
 *   vmx-fault     a VMX instruction (or MOV CR/WRMSR) the core executed faulted (#UD/#GP): on hardware that
 *                 crashes the host. Checked after every step and at the end.
 *   page-balance  (§5.4) after hv_vm_destroy and hv_cpu_fini every page is back in the pool and no
 *                 free was of a page not allocated.
 *   ept           (§5.4, issue 4 item 6) the EPT the VMCS's EPTP names, walked with the sim's walker
 *                 (sim_ept_for_each): every table frame and every frame a present leaf maps carries the VM's
 *                 owner tag in the sim's pool (pages allocated while the VM exists are tagged HVS_VM_OWNER by
 *                 the replay); no leaf maps one of the VM's own control structures (an EPT table, the VMCS,
 *                 its bitmaps or MSR areas), which would hand the guest the keys; no leaf grants access inside
 *                 an MMIO region (holes are never backed; the region that decides a GPA is the last one
 *                 added that contains it, as hv_vm_add_region says); the RAM pages leaves back, 4-KiB
 *                 pages of [0, memory_size) outside regions, never exceed the quota (memory_quota_pages, or
 *                 all RAM). Checked after a step whose exit was an EPT violation or misconfiguration, or that
 *                 changed the pool's page count or the EPTP (or after every step when a test hook is
 *                 installed), and once on the final EPT before the VM is destroyed: the walk costs a few
 *                 microseconds per thousand mapped pages, too much for every CPUID exit of a benchmark, and
 *                 a mapping changes only by the core's EPT code, which runs on those occasions.
 *   devices       (§5.6, issue 6 item 8) after every step, each device's invariant function (UART, framebuffer,
 *                 IPC, and the attached PIC, PIT, i8042): registers within their legal values, FIFO counts
 *                 within bounds, ISR/IRR consistent; "oracle devices: <device>: <invariant>".
 */
#ifndef HVS_ORACLE_H
#define HVS_ORACLE_H

#include "replay.h"
#include "sim_machine.h"

#include <hv/vm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HVS_WORK_LIMIT_DEFAULT 4u /* VM entries + VM exits per step (a step is 1 + 1; 2 spare) */
/* VMX instructions per step: a handled exit takes a few dozen VMREAD/VMWRITEs; 1024 means a loop. */
#define HVS_VMX_INSN_LIMIT 1024u
/* The sim pool's owner tag of the pages of the replay's VM (sim_machine_set_alloc_owner). */
#define HVS_VM_OWNER 0x100u

struct hvs_oracles {
    bool enabled;
    struct sim_machine *m;
    struct hv_arch_cpu *cpu;
    uint64_t work_limit;
    /* at the start of the run */
    size_t pages_at_start;
    uint64_t bad_frees_at_start;
    uint64_t faults_at_start;
    /* at the start of the current step */
    uint64_t rip_before;
    uint64_t instructions_before, entries_before, exits_before;
    /* RIP moved by a device of the harness that completed an MMIO access during this step (replay.c) */
    uint64_t device_rip_advance;
    /* the ept oracle: the VM, its pages' owner tag, and when the EPT was last checked */
    const struct hv_vm *vm;
    uint32_t vm_owner;
    bool ept_every_step;
    size_t ept_pages_checked;
    uint64_t ept_eptp_checked;
};

/* Before hv_cpu_init: remember the pool and fault counters. */
void hvs_oracles_start(struct hvs_oracles *o, bool enabled, struct sim_machine *m, struct hv_arch_cpu *cpu,
                       uint64_t work_limit);
/* Before hv_vcpu_step: f is the VM's VMCS fields (NULL when there is none). */
void hvs_oracles_before_step(struct hvs_oracles *o, const uint64_t *f);
/* After hv_vcpu_step. Returns false and writes "oracle <name>: ..." into msg on a violation. */
bool hvs_oracles_after_step(struct hvs_oracles *o, const uint64_t *f, enum hv_step_result step, char *msg,
                            size_t msglen);
/* Oracle 6 alone (hvs_oracles_after_step runs it): the VM's device invariants. */
bool hvs_oracles_devices(struct hvs_oracles *o, char *msg, size_t msglen);
/* After hv_vm_destroy and hv_cpu_fini. */
bool hvs_oracles_finish(struct hvs_oracles *o, char *msg, size_t msglen);
/* The VM whose EPT the ept oracle checks, and the owner tag of its pages. */
void hvs_oracles_set_vm(struct hvs_oracles *o, const struct hv_vm *vm, uint32_t owner);
/* The ept oracle now, on the EPTP in the VMCS fields f (true when f is NULL or oracles are off). */
bool hvs_oracles_ept(struct hvs_oracles *o, const uint64_t *f, char *msg, size_t msglen);

/* Whether a basic exit reason is caused by an instruction (the VM-exit instruction length is defined for
 * it, SDM Vol. 3 §28.2.5) and the core emulates that instruction when it resumes the guest. */
bool hvs_exit_is_instruction(uint32_t basic);

/* ---- test hooks ------------------------------------------------------------------------------------------
 * Tests plant violations through these (a corrupted RIP, a bad VMCS field, a leaked page) to prove each
 * oracle can fail. after_step runs after every hv_vcpu_step, before the oracles look. work_limit 0 means
 * HVS_WORK_LIMIT_DEFAULT. */
struct hvs_replay_hooks {
    void (*after_step)(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record);
    void *opaque;
    uint64_t work_limit;
};
enum hvs_status hvs_replay_hooked(const struct hvs_scenario *s, const struct hvs_replay_options *o,
                                  const struct hvs_replay_hooks *hooks, struct hvs_replay_result *r);

#endif
