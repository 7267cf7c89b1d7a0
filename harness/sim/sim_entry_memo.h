/* Remembering that the §27.2 checks passed (controls and host state), per logical processor.
 *
 * Hardware checks every VMX control and host-state field on every VM entry. Their inputs change rarely
 * between exits, while the guest state changes every time, so the sim keeps a copy of the inputs of the last
 * §27.2 run that passed and, when they are bit-for-bit the same, starts the checks at §27.3. The outcome is
 * identical by construction: those rules read only control and host-state fields, guest CR0 (the
 * event-injection error-code rule of §27.2.1.3), the profile, and whether the processor is in IA-32e mode —
 * and, with "use TPR shadow", the virtual-APIC page in memory, which is why a VMCS using it is never
 * remembered. The comparison reads the region itself, so any change, through VMWRITE or not, is seen. */
#ifndef SIM_ENTRY_MEMO_H
#define SIM_ENTRY_MEMO_H

#include <hv/vmcs_fields.h>
#include <stdbool.h>
#include <stdint.h>

struct sim_entry_memo {
    bool valid;
    bool host_ia32e;
    uint64_t inputs[HV_VMCS_FIELD_COUNT]; /* only the §27.2 inputs are compared and kept */
};

/* True when fields and host_ia32e are the inputs of the last passing §27.2 run. */
bool sim_entry_memo_hit(const struct sim_entry_memo *m, const uint64_t *fields, bool host_ia32e);
/* Remember fields/host_ia32e as inputs that passed §27.2 (not when the VMCS uses a TPR shadow). */
void sim_entry_memo_store(struct sim_entry_memo *m, const uint64_t *fields, bool host_ia32e);

#endif
