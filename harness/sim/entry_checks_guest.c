/* VM-entry checks on the guest-state area (SDM Vol. 3 §27.3.1; §26.3.1 in SDMs before 2023): every failure is a
 * VM exit with basic reason 33 ("VM-entry failure due to invalid guest state") and bit 31 set; the exit
 * qualification is 0 except for the PDPTE rules (2), blocking by STI while injecting an NMI (3) and the VMCS
 * link pointer (4) (SDM Vol. 3 §27.8, Table "Exit Qualification for VM-Entry Failure").
 *
 * The rule list is EC_GUEST_RULES in entry_checks_guest.h; the predicates are in entry_checks_guest_regs.c,
 * entry_checks_guest_segments.c and entry_checks_guest_state.c. This file turns the list into the table. */
#include "entry_checks_guest.h"

const struct ec_guest_seg_fields ec_guest_segs[8] = {
    [EC_SEG_ES] = {HV_VMCS_ORD_GUEST_ES_SELECTOR, HV_VMCS_ORD_GUEST_ES_BASE, HV_VMCS_ORD_GUEST_ES_LIMIT,
                   HV_VMCS_ORD_GUEST_ES_AR_BYTES, "ES"},
    [EC_SEG_CS] = {HV_VMCS_ORD_GUEST_CS_SELECTOR, HV_VMCS_ORD_GUEST_CS_BASE, HV_VMCS_ORD_GUEST_CS_LIMIT,
                   HV_VMCS_ORD_GUEST_CS_AR_BYTES, "CS"},
    [EC_SEG_SS] = {HV_VMCS_ORD_GUEST_SS_SELECTOR, HV_VMCS_ORD_GUEST_SS_BASE, HV_VMCS_ORD_GUEST_SS_LIMIT,
                   HV_VMCS_ORD_GUEST_SS_AR_BYTES, "SS"},
    [EC_SEG_DS] = {HV_VMCS_ORD_GUEST_DS_SELECTOR, HV_VMCS_ORD_GUEST_DS_BASE, HV_VMCS_ORD_GUEST_DS_LIMIT,
                   HV_VMCS_ORD_GUEST_DS_AR_BYTES, "DS"},
    [EC_SEG_FS] = {HV_VMCS_ORD_GUEST_FS_SELECTOR, HV_VMCS_ORD_GUEST_FS_BASE, HV_VMCS_ORD_GUEST_FS_LIMIT,
                   HV_VMCS_ORD_GUEST_FS_AR_BYTES, "FS"},
    [EC_SEG_GS] = {HV_VMCS_ORD_GUEST_GS_SELECTOR, HV_VMCS_ORD_GUEST_GS_BASE, HV_VMCS_ORD_GUEST_GS_LIMIT,
                   HV_VMCS_ORD_GUEST_GS_AR_BYTES, "GS"},
    [EC_SEG_LDTR] = {HV_VMCS_ORD_GUEST_LDTR_SELECTOR, HV_VMCS_ORD_GUEST_LDTR_BASE, HV_VMCS_ORD_GUEST_LDTR_LIMIT,
                     HV_VMCS_ORD_GUEST_LDTR_AR_BYTES, "LDTR"},
    [EC_SEG_TR] = {HV_VMCS_ORD_GUEST_TR_SELECTOR, HV_VMCS_ORD_GUEST_TR_BASE, HV_VMCS_ORD_GUEST_TR_LIMIT,
                   HV_VMCS_ORD_GUEST_TR_AR_BYTES, "TR"},
};

#define EC_GUEST_ROW(fn, rname, sdmref, qual) {rname, sdmref, EC_CLASS_GUEST, qual, ec_guest_##fn},

const struct ec_rule ec_rules_guest[] = {EC_GUEST_RULES(EC_GUEST_ROW)};
const size_t ec_rules_guest_count = sizeof ec_rules_guest / sizeof ec_rules_guest[0];
