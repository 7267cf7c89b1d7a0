/* Resolving a semantic scenario record the way a processor in VMX non-root operation would (DESIGN §4).
 *
 * Given what the guest does next ("executes OUT DX, AL with port 0x3f8") and the VM's *current* VMCS (the
 * field array the sim keeps in the VMCS region, sim_vmcs.h) with the bitmaps it points to, decide:
 *   - whether the event causes a VM exit (SDM Vol. 3 §26.1 unconditional exits, §26.2 conditional ones),
 *     and if so the exit information the processor records (§28.2.1 qualifications, §28.2.5 instruction
 *     length, §28.2.2 interruption information);
 *   - if not, the instruction's architectural effect, which the sim applies itself (RIP advances, RDTSC
 *     loads the offset TSC, a MOV to CR0 the mask lets through changes guest CR0, ...). An instruction that
 *     faults instead (RDTSCP with "enable RDTSCP" 0: #UD; a MOV to CR0 with an illegal value: #GP) becomes
 *     an exception event, resolved again against the exception bitmap.
 * The guest-register side of an event (CPUID reads EAX/ECX, OUT writes AL/AX/EAX, ...) is loaded first in
 * both cases, so the core's handler and the no-exit path see the same registers.
 *
 * Nothing here trusts the VMCS: it is read as the core left it, and a bitmap address that is not memory
 * is treated as "every bit set" (the entry checks would refuse such a VMCS anyway). */
#ifndef HVS_RESOLVE_H
#define HVS_RESOLVE_H

#include "scenario.h"
#include "sim_machine.h"

#include <hv/vm.h>
#include <stdbool.h>
#include <stdint.h>

struct hvs_resolution {
    bool exits;           /* a VM exit happens: exit holds what the processor records */
    struct sim_exit exit;
    bool handled_in_guest; /* no exit: the guest took an exception/interrupt through its own IDT */
    uint8_t fault_vector;  /* the exception the instruction raised instead of completing (when faulted) */
    bool faulted;
    const char *note;      /* for the no-exit trace: which control let it through */
    const char *ept_rule;  /* mem-access that exits 49: the misconfiguration rule the sim's walker found */
};

/* The state a resolution works on. f is the VM's current VMCS (by HV_VMCS_ORD_*); tsc is the simulated
 * time-stamp counter the guest would read (before the TSC offset). */
struct hvs_resolve_ctx {
    struct sim_machine *m;
    struct hv_arch_cpu *cpu;
    struct hv_vm *vm;
    uint64_t *f;
    uint64_t tsc;
};

/* true when r is a semantic record this file resolves (HVS_CPUID .. HVS_MEM_INSN). mem-access goes
 * through the sim's EPT walker (sim_ept.h): a translation with the right permission reaches the host page
 * with no exit (a write stores the value, a read loads RAX, RIP advances by instr_len); a violation exits 48
 * with the qualification and the GPA, a misconfiguration 49 with the GPA. */
bool hvs_is_semantic(uint8_t type);

/* Decide whether r exits (pure: changes nothing). */
void hvs_resolve(const struct hvs_resolve_ctx *c, const struct hvs_record *r, struct hvs_resolution *out);

/* Load the registers the instruction reads (into vm->gprs and the VMCS guest RSP), before the exit or the
 * effect. */
void hvs_load_operands(const struct hvs_resolve_ctx *c, const struct hvs_record *r);

/* Apply the architectural effect of r when it did not exit (out from hvs_resolve with exits == false). */
void hvs_apply_no_exit(const struct hvs_resolve_ctx *c, const struct hvs_record *r,
                       const struct hvs_resolution *res);

/* Controls as the processor reads them: secondary controls only count when primary bit 31 is 1 (SDM Vol. 3
 * §25.6.2). */
uint32_t hvs_proc2(const uint64_t *f);

/* Write a GPR by the SDM's register number (0-15, Table 28-3), RSP going to the VMCS guest RSP. */
void hvs_set_gpr(struct hv_vm *vm, uint64_t *f, unsigned reg, uint64_t value);
uint64_t hvs_get_gpr(const struct hv_vm *vm, const uint64_t *f, unsigned reg);

/* Instruction bytes (mem-insn; mem-access that reaches an MMIO region, where the core decodes the
 * instruction at RIP). hvs_insn_mode: the guest's code size (16, 32, 64) from the VMCS. hvs_insn_len: the
 * decoded length of bytes[0..n) in that mode (hv/decode.h), 0 when it does not decode; *rep_string when it is
 * a REP MOVS/STOS (which may stop with RIP unchanged and RCX not 0). hvs_place_insn: write the bytes at
 * guest CS:RIP through the guest's paging and the EPT (false when RIP's page is not mapped or not RAM).
 * hvs_mem_access_insn: the MOV a mem-access record stands for, as bytes of length instr_len where an
 * encoding of that length exists. */
unsigned hvs_insn_mode(const uint64_t *f);
unsigned hvs_insn_len(const uint64_t *f, const uint8_t *bytes, size_t n, bool *rep_string);
/* Read up to 15 bytes at the guest's CS:RIP, as the core's instruction fetch will; returns how many. */
size_t hvs_read_insn(const struct hvs_resolve_ctx *c, uint8_t out[15]);
bool hvs_place_insn(const struct hvs_resolve_ctx *c, const uint8_t *bytes, size_t n);
size_t hvs_mem_access_insn(const uint64_t *f, const struct hvs_record *r, uint8_t out[15]);

#endif
