/* Record mode: the exits a VM takes, written as a scenario that replays them on the sim (DESIGN §4, issue 9).
 *
 * With hv_vm_config.record pointing at a struct hv_record, the core writes, through hv_arch_log (the serial
 * console on the bootable build, the machine's log callback on the sim), one line per scenario record in the
 * text form (docs/scenario-format.md, "Recording"), each prefixed "HVREC ":
 *   - at the first VM entry, a header: "# begin recording", profile, memory-pages, mode, entry, stack, then
 *     config-quota / config-devices / mmio-region records for what the VM was configured with;
 *   - for every exit, BEFORE its handler runs: "# exit N: ..." (N counts from 1 per VM, as the trace does),
 *     set-gpr records for the guest state the replay needs (RIP and RFLAGS always, other registers as the
 *     exit needs them), then the record that makes the sim take the same exit: a semantic one (cpuid,
 *     port-out, mem-insn with the instruction bytes at RIP, ...) when its fields determine the recorded exit
 *     qualification, else force-exit with the recorded reason, qualification, length and instruction
 *     information;
 *   - "# unrecordable exit N (reason R): why" where a record cannot reproduce the exit faithfully (the best
 *     record available still follows). `hvkit import-record --expect-from-log` reports every one.
 * Every line is bounded (HV_RECORD_LINE_MAX): guest values are printed as fixed-width numbers, instruction
 * bytes are at most 15, and nothing a guest controls is printed as text.
 *
 * `hvkit import-record LOG -o FILE` turns the HVREC lines of a console log back into a scenario. */
#ifndef HV_RECORD_H
#define HV_RECORD_H

#include <stdbool.h>
#include <stdint.h>

/* The prefix of every recorded line, and the longest line (prefix included, without the line end). */
#define HV_RECORD_PREFIX "HVREC "
#define HV_RECORD_LINE_MAX 160

/* The recorder of one VM. The caller zeroes it and sets profile; the rest is the core's bookkeeping. */
struct hv_record {
    /* The sim CPU profile that corresponds to this machine (`hvkit profiles`), written into the header:
     * printable ASCII without '#' or spaces, 1-32 characters. NULL (or an unusable name): no profile line,
     * the text form's default (bochs-haswell) applies, and a comment says so. */
    const char *profile;
    /* the core's: */
    bool started;          /* the header is written */
    uint64_t lines;        /* HVREC lines written */
    uint64_t unrecordable; /* exits recorded with an "unrecordable" comment */
    /* An EPT misconfiguration (MMIO) the core resumed without moving RIP and without an event to deliver: a
     * REP string cut after its per-exit limit, which the guest executes again. A replay restarts such an access
     * once by itself, so the one EPT misconfiguration right after it at the same RIP is the restart, not a new
     * record. */
    bool ept_restart_due;
    uint64_t ept_rip;
};

struct hv_vm;
struct hv_exit;
/* The run loop's hooks (vcpu.c); both do nothing when cfg.record is NULL. Before each VM entry, with the
 * VM's VMCS current: the header at the first one. */
void hv_record_before_entry(struct hv_vm *vm);
/* After the exit is read and counted, before the handler: the exit's records. */
void hv_record_exit(struct hv_vm *vm, const struct hv_exit *e);

#endif
