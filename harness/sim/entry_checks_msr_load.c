/* VM-entry MSR loading (SDM Vol. 3 §27.4 "Loading MSRs"). After the guest state is loaded, each entry of the
 * VM-entry MSR-load area (VM_ENTRY_MSR_LOAD_COUNT entries of 16 bytes at VM_ENTRY_MSR_LOAD_ADDR: MSR index
 * in bits 31:0, reserved bits 63:32, data in bits 127:64) is processed in order as a WRMSR. The first entry
 * whose processing fails ends the VM entry: VM exit with basic reason 34 ("VM-entry failure due to MSR
 * loading") and bit 31 set, the exit qualification being that entry's number counted from 1 (§27.8).
 *
 * Each rule is one way an entry's processing can fail. Because the hardware reports the FIRST failing entry,
 * every rule looks at the same in-order scan (first_failure) and fails only when the first failing entry failed
 * for its reason; within one entry the reasons are tested in the order of the table (the SDM's bullet order).
 * So the outcome is the hardware's whatever order the runner evaluates the rules in. The scan runs once per
 * ec_run (its result kept in the run's memo, struct ec_memo) and the nine rules read it.
 *
 * Decisions (documented because the SDM leaves them open):
 * - Unreadable memory: an entry the sim's physical memory cannot supply reads as all ones, as reads of
 *   nonexistent memory do on the bus. Index FFFFFFFFH with bits 63:32 all ones fails on "msr_load.reserved".
 * - Count limit: IA32_VMX_MISC bits 27:25 (N) recommend at most 512 * (N + 1) entries; the SDM (§A.6) says
 *   exceeding it gives undefined behaviour "including a machine check during the VMX transition". The sim
 *   makes it deterministic the way KVM does: entry number 512 * (N + 1) + 1 fails (reason 34) with rule
 *   "msr_load.count.max". A machine-check VM-entry failure (reason 41) would need an outcome class the
 *   framework does not have. This also bounds the work of a scan whatever count a fuzzer writes.
 * - Machine state: the sim's processor state at MSR-loading time is the guest's just loaded (§27.3.2): CR0 from
 *   the guest CR0 field; IA32_EFER from the guest IA32_EFER field when "load IA32_EFER" is 1, otherwise LMA =
 *   "IA-32e mode guest" and, when guest CR0.PG = 1, LME = "IA-32e mode guest" (with PG = 0 LME does not matter:
 *   WRMSR may change it). The only MSR write whose validity depends on state is IA32_EFER (LME cannot change
 *   while CR0.PG = 1), and the scan applies earlier EFER entries before checking later ones. */
#include "entry_check.h"
#include "sim_msr.h"

#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <string.h>

enum msr_failure {
    MF_NONE = 0,
    MF_COUNT,          /* beyond the IA32_VMX_MISC recommended maximum */
    MF_FS_GS_BASE,     /* index C0000100H or C0000101H */
    MF_X2APIC,         /* index bits 31:8 = 000008H */
    MF_SMM_ONLY,       /* an MSR writable only in SMM; VM entry did not start in SMM */
    MF_MODEL_SPECIFIC, /* an MSR VM entry cannot load for model-specific reasons */
    MF_RESERVED,       /* bits 63:32 not 0 */
    MF_UNKNOWN,        /* WRMSR #GP: the processor does not implement the MSR */
    MF_VALUE,          /* WRMSR #GP: reserved bits, non-canonical address, invalid memory type */
    MF_EFER_LME,       /* WRMSR #GP: IA32_EFER.LME changed while CR0.PG = 1 */
};

/* The recommended maximum number of entries: 512 * (IA32_VMX_MISC[27:25] + 1) (SDM Vol. 3 §A.6). */
static uint64_t max_entries(const struct ec_ctx *c)
{
    uint64_t misc = sim_profile_vmx_msr(c->prof, MSR_IA32_VMX_MISC);
    return 512u * (((misc >> 25) & 7) + 1);
}

/* One 8-byte half of an entry; memory the sim does not have reads as all ones. */
static uint64_t read64(const struct ec_ctx *c, uint64_t pa)
{
    uint8_t b[8];
    uint64_t v;
    if (!c->mem.read || !c->mem.read(c->mem.opaque, pa, b, sizeof b))
        return ~0ull;
    memcpy(&v, b, sizeof v); /* the area is little-endian, like the host the sim runs on */
    return v;
}

/* Entry i's two halves (bits 63:0 in e[0], 127:64 in e[1]): one read of all 16 bytes when memory has them;
 * otherwise each half on its own, so that an entry straddling the end of memory reads as it always did (the
 * half memory has, and all ones for the other). */
static void read_entry(const struct ec_ctx *c, uint64_t pa, uint64_t e[2])
{
    uint8_t b[16];
    if (c->mem.read && pa <= UINT64_MAX - 15 && c->mem.read(c->mem.opaque, pa, b, sizeof b)) {
        memcpy(e, b, sizeof b);
        return;
    }
    e[0] = read64(c, pa);
    e[1] = read64(c, pa + 8);
}

/* MSRs whose loading the sim's processor refuses for model-specific reasons (SDM Vol. 3 §27.4 bullet 4, Vol. 4
 * Chapter 2): the microcode-update trigger and signature, as KVM refuses them. */
static bool model_specific_refused(uint32_t index)
{
    return index == MSR_IA32_BIOS_UPDT_TRIG || index == MSR_IA32_BIOS_SIGN_ID;
}

static enum msr_failure entry_failure(const struct ec_ctx *c, uint64_t lo, uint64_t data, uint64_t cr0,
                                      uint64_t *efer)
{
    uint32_t index = (uint32_t)lo;
    if (index == MSR_IA32_FS_BASE || index == MSR_IA32_GS_BASE)
        return MF_FS_GS_BASE;
    if ((index >> 8) == 0x000008u)
        return MF_X2APIC;
    if (index == MSR_IA32_SMM_MONITOR_CTL)
        return MF_SMM_ONLY;
    if (model_specific_refused(index))
        return MF_MODEL_SPECIFIC;
    if (lo >> 32)
        return MF_RESERVED;
    /* sim_msr_write_allowed (for IA32_EFER sim_msr_efer_write_allowed_in), one part at a time: each part is
     * its own rule */
    if (!sim_msr_implemented(c->prof, index))
        return MF_UNKNOWN;
    if (!sim_msr_value_allowed(c->prof, index, data))
        return MF_VALUE;
    if (index == MSR_IA32_EFER) {
        if (!sim_msr_efer_lme_change_allowed(cr0, *efer, data))
            return MF_EFER_LME;
        *efer = (data & ~EFER_LMA) | (*efer & EFER_LMA); /* LMA is read-only */
    }
    return MF_NONE;
}

/* The first failing entry (its number from 1 in *entry) and why, or MF_NONE. */
static enum msr_failure first_failure(const struct ec_ctx *c, uint64_t *entry)
{
    uint64_t count = (uint32_t)EC_F(c, VM_ENTRY_MSR_LOAD_COUNT);
    uint64_t base = EC_F(c, VM_ENTRY_MSR_LOAD_ADDR);
    uint64_t limit = max_entries(c);

    uint64_t cr0 = EC_F(c, GUEST_CR0);
    uint64_t efer;
    if (c->entry_ctls & ENTRY_LOAD_IA32_EFER)
        efer = EC_F(c, GUEST_IA32_EFER);
    else
        efer = (c->entry_ctls & ENTRY_IA32E_MODE_GUEST) ? (EFER_LMA | EFER_LME) : 0;

    for (uint64_t i = 0; i < count; i++) {
        *entry = i + 1;
        if (i >= limit)
            return MF_COUNT;
        uint64_t e[2];
        read_entry(c, base + 16 * i, e);
        enum msr_failure f = entry_failure(c, e[0], e[1], cr0, &efer);
        if (f != MF_NONE)
            return f;
    }
    *entry = 0;
    return MF_NONE;
}

/* first_failure, once per run: the run's memo keeps it for the other eight rules. */
static enum msr_failure first_failure_memo(const struct ec_ctx *c, uint64_t *entry)
{
    struct ec_memo *m = c->memo;
    if (!m)
        return first_failure(c, entry);
    if (!m->msr_load_scanned) {
        m->msr_load_failure = (uint8_t)first_failure(c, &m->msr_load_entry);
        m->msr_load_scanned = true;
    }
    *entry = m->msr_load_entry;
    return (enum msr_failure)m->msr_load_failure;
}

static bool passes(const struct ec_ctx *c, uint64_t *detail, enum msr_failure mine)
{
    uint64_t entry = 0;
    if (first_failure_memo(c, &entry) != mine)
        return true;
    *detail = entry;
    return false;
}

/* §27.4 / §A.6: the number of entries must not exceed 512 * (IA32_VMX_MISC[27:25] + 1) (sim decision above).
 * Bochs 2.7: no limit; it processes every entry. */
static bool count_max(const struct ec_ctx *c, uint64_t *d)
{
    return passes(c, d, MF_COUNT);
}

/* §27.4: processing of an entry fails if bits 31:0 are C0000100H (IA32_FS_BASE) or C0000101H (IA32_GS_BASE). */
static bool fs_gs_base(const struct ec_ctx *c, uint64_t *d)
{
    return passes(c, d, MF_FS_GS_BASE);
}

/* §27.4: processing of an entry fails if bits 31:8 are 000008H (an x2APIC MSR).
 * Bochs 2.7: refuses this range only when its CPU model supports x2APIC. Otherwise it writes the MSR, and with
 * Bochs' default ignore_bad_msrs=1 an unknown MSR is logged and ignored, so the entry succeeds (measured by the
 * VM-entry differential on Sandy Bridge: conformance/entry_diff/deviations.tsv). */
static bool x2apic(const struct ec_ctx *c, uint64_t *d)
{
    return passes(c, d, MF_X2APIC);
}

/* §27.4: processing of an entry fails if bits 31:0 indicate an MSR that can be written only in SMM and the VM
 * entry did not commence in SMM (IA32_SMM_MONITOR_CTL, 9BH; the sim never runs in SMM).
 * Bochs 2.7: has no such rule; IA32_SMM_MONITOR_CTL is an unknown MSR there, and with Bochs' default
 * ignore_bad_msrs=1 its WRMSR is logged and ignored, so the entry succeeds (measured by the VM-entry
 * differential: conformance/entry_diff/deviations.tsv). */
static bool smm_only(const struct ec_ctx *c, uint64_t *d)
{
    return passes(c, d, MF_SMM_ONLY);
}

/* §27.4: processing of an entry fails if bits 31:0 indicate an MSR that cannot be loaded on VM entries for
 * model-specific reasons: the sim refuses IA32_BIOS_UPDT_TRIG (79H) and IA32_BIOS_SIGN_ID (8BH), as KVM does. */
static bool model_specific(const struct ec_ctx *c, uint64_t *d)
{
    return passes(c, d, MF_MODEL_SPECIFIC);
}

/* §27.4: processing of an entry fails if bits 63:32 are not all 0. */
static bool reserved(const struct ec_ctx *c, uint64_t *d)
{
    return passes(c, d, MF_RESERVED);
}

/* §27.4: processing of an entry fails if WRMSR of bits 127:64 to the MSR would #GP at CPL 0: here because the
 * processor does not implement the MSR (sim_msr.c lists the ones it does). */
static bool unknown_msr(const struct ec_ctx *c, uint64_t *d)
{
    return passes(c, d, MF_UNKNOWN);
}

/* §27.4: processing of an entry fails if WRMSR of bits 127:64 to the MSR would #GP at CPL 0: here because of
 * the value (reserved bits, a non-canonical address, an invalid memory type; sim_msr_write_allowed). */
static bool value(const struct ec_ctx *c, uint64_t *d)
{
    return passes(c, d, MF_VALUE);
}

/* §27.4: processing of an entry fails if WRMSR would #GP at CPL 0: IA32_EFER with LME different from the
 * current EFER.LME while CR0.PG = 1 (the guest's CR0 and EFER, just loaded). Bochs 2.7 and KVM apply the same
 * WRMSR rule during MSR loading. */
static bool efer_lme_paging(const struct ec_ctx *c, uint64_t *d)
{
    return passes(c, d, MF_EFER_LME);
}

#define MSR_LOAD(name, sdm, fn) {"msr_load." name, "Vol. 3 §27.4: " sdm, EC_CLASS_MSR_LOAD, 0, fn}

const struct ec_rule ec_rules_msr_load[] = {
    MSR_LOAD("count.max", "more than 512 * (IA32_VMX_MISC[27:25] + 1) entries (§A.6: undefined; the sim fails)",
             count_max),
    MSR_LOAD("fs_gs_base", "entry index C0000100H (IA32_FS_BASE) or C0000101H (IA32_GS_BASE)", fs_gs_base),
    MSR_LOAD("x2apic", "entry index bits 31:8 are 000008H (x2APIC MSR)", x2apic),
    MSR_LOAD("smm_only", "entry index is an MSR writable only in SMM (IA32_SMM_MONITOR_CTL)", smm_only),
    MSR_LOAD("model_specific", "entry index is an MSR VM entry cannot load for model-specific reasons",
             model_specific),
    MSR_LOAD("reserved", "entry bits 63:32 are not all 0", reserved),
    MSR_LOAD("unknown_msr", "WRMSR to the entry's MSR would #GP: MSR not implemented", unknown_msr),
    MSR_LOAD("value", "WRMSR of the entry's data would #GP: reserved bits, non-canonical or invalid value", value),
    MSR_LOAD("efer.lme_paging", "WRMSR of IA32_EFER would #GP: LME changed while CR0.PG = 1", efer_lme_paging),
};
const size_t ec_rules_msr_load_count = sizeof ec_rules_msr_load / sizeof ec_rules_msr_load[0];
