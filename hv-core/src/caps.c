/* Controls fitted to the capability MSRs: what the core requires, what it takes when offered, and the
 * policy when a processor lacks something.
 *
 * Required (creation fails with HV_ERR_CONTROL_UNSUPPORTED naming the control):
 *   pin    external-interrupt exiting (host interrupts must reach the host), NMI exiting (§25.6.1)
 *   proc   HLT exiting (the run loop's idle), use I/O bitmaps (the port bus), use MSR bitmaps (MSR policy),
 *          activate secondary controls (needed for EPT) (§25.6.2)
 *   proc2  enable EPT; unrestricted guest for HV_GUEST_REAL_MODE (§25.6.2, Table 25-7)
 *   exit   host address-space size (the host is 64-bit, §25.7.1)
 *   entry  IA-32e mode guest for HV_GUEST_PROGRAM64 (§25.8.1)
 *   EPT    4-level walks and the WB paging-structure memory type (IA32_VMX_EPT_VPID_CAP bits 6 and 14, §A.10).
 *          The rest of IA32_VMX_EPT_VPID_CAP is used where offered, kept in vm->ept_vpid_cap (ept.c): 5-level
 *          walks (bit 7) only once a region lies at or above 2^48 (RAM never does: HV_VM_MAX_MEMORY is 1 TiB);
 *          2-MiB / 1-GiB leaves (bits 16 / 17); INVEPT single-context (bit 25), else all-context (bit 26),
 *          none without INVEPT (bit 20). A/D flags (bit 21) are not enabled.
 * Optional (taken when allowed): enable VPID, enable RDTSCP, enable INVPCID, enable XSAVES/XRSTORS (guests use
 *   them: a guest executing RDTSCP/INVPCID/XSAVES with the control 0 gets #UD, seed 003), acknowledge
 *   interrupt on exit, save/load IA32_EFER, save/load IA32_PAT.
 *
 * Policy without EPT (bochs-penryn, minimal): refuse. hvkit runs guests only behind EPT: without it
 * guest-physical = host-physical, so the guest's paging would reach host memory, and shadow paging is not
 * something this core does.
 * Policy without unrestricted guest: HV_GUEST_REAL_MODE is refused (VM entry requires CR0.PE = PG = 1
 * otherwise, §27.3.1.1; emulating real mode in virtual-8086 mode is not done).
 * Without "load IA32_EFER" (entry) / "save/load IA32_EFER" (exit): VM entry still sets EFER.LMA/LME from
 * "IA-32e mode guest" and VM exit from "host address-space size" (§27.3.2.1, §28.5.1), so the only
 * difference is that the guest runs with the host's SCE/NXE and the host gets the guest's back on exit.
 * The core does not then put EFER in the MSR-switch areas (WRMSR of EFER.LME with CR0.PG = 1 would #GP
 * in the entry's MSR loading, §27.4); it accepts that difference and documents it here.
 *
 * Bits that "must be 1" are always set (they may include CR3-load/store exiting on processors without
 * TRUE_* MSRs; the CR-access handler copes), bits the processor forbids are never set: the result always
 * passes the control checks of §27.2.1.1. */
#include "caps.h"

#include <hv/msr.h>
#include <hv/vmx_controls.h>

static bool rd(struct hv_arch_cpu *arch, uint32_t msr, uint64_t *v, char *msg, size_t msg_size)
{
    if (hv_arch_rdmsr(arch, msr, v))
        return true;
    hv_snprintf(msg, msg_size, "RDMSR 0x%x (VMX capability MSR, SDM Vol. 3 Appendix A) failed", msr);
    return false;
}

bool hv_caps_read(struct hv_arch_cpu *arch, struct hv_caps *caps, char *msg, size_t msg_size)
{
    hv_memset(caps, 0, sizeof *caps);
    if (!rd(arch, MSR_IA32_VMX_BASIC, &caps->basic, msg, msg_size))
        return false;
    /* §A.2: with IA32_VMX_BASIC[55] = 1 the TRUE_* MSRs report which default-1 controls may be 0. */
    bool tru = (caps->basic & VMX_BASIC_TRUE_CTLS) != 0;
    if (!rd(arch, tru ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS, &caps->pin, msg, msg_size) ||
        !rd(arch, tru ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS, &caps->proc, msg,
            msg_size) ||
        !rd(arch, tru ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS, &caps->exit, msg, msg_size) ||
        !rd(arch, tru ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS, &caps->entry, msg, msg_size) ||
        !rd(arch, MSR_IA32_VMX_MISC, &caps->misc, msg, msg_size) ||
        !rd(arch, MSR_IA32_VMX_CR0_FIXED0, &caps->cr0_fixed0, msg, msg_size) ||
        !rd(arch, MSR_IA32_VMX_CR0_FIXED1, &caps->cr0_fixed1, msg, msg_size) ||
        !rd(arch, MSR_IA32_VMX_CR4_FIXED0, &caps->cr4_fixed0, msg, msg_size) ||
        !rd(arch, MSR_IA32_VMX_CR4_FIXED1, &caps->cr4_fixed1, msg, msg_size))
        return false;
    /* §A.3.3: IA32_VMX_PROCBASED_CTLS2 exists only when "activate secondary controls" may be 1; §A.10:
     * IA32_VMX_EPT_VPID_CAP only when "enable EPT" or "enable VPID" may be 1. A missing MSR means "none". */
    if ((caps->proc >> 32) & PROC_ACTIVATE_SECONDARY_CONTROLS) {
        if (!hv_arch_rdmsr(arch, MSR_IA32_VMX_PROCBASED_CTLS2, &caps->proc2))
            caps->proc2 = 0;
        if (((caps->proc2 >> 32) & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID)) &&
            !hv_arch_rdmsr(arch, MSR_IA32_VMX_EPT_VPID_CAP, &caps->ept_vpid))
            caps->ept_vpid = 0;
    }
    return true;
}

uint32_t hv_adjust_controls(uint64_t cap, uint32_t required, uint32_t optional, uint32_t *out)
{
    uint32_t must_be_1 = (uint32_t)cap;        /* allowed-0 settings, bits 31:0 (§A.3.1) */
    uint32_t may_be_1 = (uint32_t)(cap >> 32); /* allowed-1 settings, bits 63:32 */
    *out = ((required | optional) & may_be_1) | must_be_1;
    return required & ~may_be_1;
}

struct named_bit {
    uint32_t bit;
    const char *name;
};

/* The name and SDM section of the lowest missing bit of a control word. */
static const char *missing_name(const struct named_bit *tab, size_t n, uint32_t missing)
{
    for (size_t i = 0; i < n; i++)
        if (missing & tab[i].bit)
            return tab[i].name;
    return "a required control";
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct named_bit pin_names[] = {
    {PIN_EXTERNAL_INTERRUPT_EXITING, "pin-based 'external-interrupt exiting' (SDM Vol. 3 §25.6.1)"},
    {PIN_NMI_EXITING, "pin-based 'NMI exiting' (SDM Vol. 3 §25.6.1)"},
};
static const struct named_bit proc_names[] = {
    {PROC_HLT_EXITING, "'HLT exiting' (SDM Vol. 3 §25.6.2)"},
    {PROC_USE_IO_BITMAPS, "'use I/O bitmaps' (SDM Vol. 3 §25.6.2)"},
    {PROC_USE_MSR_BITMAPS, "'use MSR bitmaps' (SDM Vol. 3 §25.6.2)"},
    {PROC_CR8_LOAD_EXITING, "'CR8-load exiting' (SDM Vol. 3 §25.6.2)"},
    {PROC_CR8_STORE_EXITING, "'CR8-store exiting' (SDM Vol. 3 §25.6.2)"},
};
static const struct named_bit exit_names[] = {
    {EXIT_HOST_ADDRESS_SPACE_SIZE, "VM-exit 'host address-space size' (SDM Vol. 3 §25.7.1)"},
};
static const struct named_bit entry_names[] = {
    {ENTRY_IA32E_MODE_GUEST, "VM-entry 'IA-32e mode guest' (SDM Vol. 3 §25.8.1)"},
};

static enum hv_err refuse(char *msg, size_t msg_size, const char *what, const char *why)
{
    hv_snprintf(msg, msg_size, "profile lacks %s: %s", what, why);
    return HV_ERR_CONTROL_UNSUPPORTED;
}

static const char no_ept_why[] = "hvkit runs guests only behind EPT, since without it guest-physical = "
                                 "host-physical would expose host memory";

enum hv_err hv_caps_fit(const struct hv_caps *caps, enum hv_guest_mode mode, struct hv_controls *out, char *msg,
                        size_t msg_size)
{
    hv_memset(out, 0, sizeof *out);
    uint32_t miss;
    /* EPT first: it is the policy that decides whether this processor can run guests at all, so a processor
     * lacking it (and perhaps more) is refused for that reason. Without secondary controls there is no EPT
     * (§25.6.2: "activate secondary controls" = 0 means all secondary controls are 0). */
    if (!((caps->proc >> 32) & PROC_ACTIVATE_SECONDARY_CONTROLS) || !((caps->proc2 >> 32) & PROC2_ENABLE_EPT))
        return refuse(msg, msg_size, "'enable EPT' (SDM Vol. 3 §25.6.2)", no_ept_why);

    /* Virtual NMIs where allowed: the core then tracks the guest's NMI blocking itself and can ask for an
     * NMI window (§25.6.1; "NMI-window exiting" requires "virtual NMIs", §27.2.1.1), so an NMI the guest
     * cannot take yet is delivered as soon as it can rather than at some later exit. */
    miss = hv_adjust_controls(caps->pin, PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING, PIN_VIRTUAL_NMIS,
                              &out->pin);
    if (miss)
        return refuse(msg, msg_size, missing_name(pin_names, N(pin_names), miss), "the host must keep its interrupts");
    /* CR8 exiting: the core uses no TPR shadow, and without one a guest MOV to/from CR8 reaches the
     * processor's own TPR (SDM Vol. 3 §26.3, "use TPR shadow" = 0), i.e. the host's interrupt priority. */
    miss = hv_adjust_controls(caps->proc,
                              PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
                                  PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | PROC_ACTIVATE_SECONDARY_CONTROLS,
                              /* "use TSC offsetting" where the processor has it: a guest WRMSR to the TSC
                               * sets the offset, never the host's TSC (SDM Vol. 3 §26.3, msr_virt.c). */
                              PROC_USE_TSC_OFFSETTING, &out->proc);
    if (miss)
        return refuse(msg, msg_size, missing_name(proc_names, N(proc_names), miss), "the core intercepts through it");
    /* CR3-load/store exiting are default-1 (§A.3.2); with EPT the core has no use for them: clear them when
     * the (TRUE) capability allows 0. */
    out->proc &= ~((PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING) & ~(uint32_t)caps->proc);

    uint32_t req2 = PROC2_ENABLE_EPT | (mode == HV_GUEST_REAL_MODE ? PROC2_UNRESTRICTED_GUEST : 0);
    uint32_t opt2 = PROC2_ENABLE_VPID | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID | PROC2_ENABLE_XSAVES_XRSTORS;
    miss = hv_adjust_controls(caps->proc2, req2, opt2, &out->proc2);
    if (miss & PROC2_ENABLE_EPT)
        return refuse(msg, msg_size, "'enable EPT' (SDM Vol. 3 §25.6.2)", no_ept_why);
    if (miss & PROC2_UNRESTRICTED_GUEST)
        return refuse(msg, msg_size, "'unrestricted guest' (SDM Vol. 3 §25.6.2)",
                      "a real-mode guest needs it, since VM entry otherwise requires CR0.PE = PG = 1 "
                      "(SDM Vol. 3 §27.3.1.1)");
    /* EPT structures the core builds: 4-level walk and WB paging structures (§A.10 bits 6 and 14;
     * EPTP checks §27.2.1.1). */
    if (!(caps->ept_vpid & EPT_CAP_WALK_LENGTH_4) || !(caps->ept_vpid & EPT_CAP_MEMTYPE_WB))
        return refuse(msg, msg_size,
                      "EPT with a 4-level walk and write-back paging structures (IA32_VMX_EPT_VPID_CAP bits 6 "
                      "and 14, SDM Vol. 3 §A.10)",
                      "the core builds only such EPTs");
    miss = hv_adjust_controls(caps->exit, EXIT_HOST_ADDRESS_SPACE_SIZE,
                              EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT | EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER |
                                  EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT,
                              &out->exit);
    if (miss)
        return refuse(msg, msg_size, missing_name(exit_names, N(exit_names), miss), "the host is 64-bit");

    uint32_t req_entry = mode == HV_GUEST_PROGRAM64 ? ENTRY_IA32E_MODE_GUEST : 0;
    miss = hv_adjust_controls(caps->entry, req_entry, ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT, &out->entry);
    if (miss)
        return refuse(msg, msg_size, missing_name(entry_names, N(entry_names), miss),
                      "a 64-bit guest needs it");
    /* A real-mode guest is not in IA-32e mode: the control must be 0 (§27.3.1.1 ties it to EFER.LMA). */
    if (mode == HV_GUEST_REAL_MODE && ((uint32_t)caps->entry & ENTRY_IA32E_MODE_GUEST))
        return refuse(msg, msg_size, "'IA-32e mode guest' = 0 (SDM Vol. 3 §25.8.1)", "a real-mode guest needs it");
    return HV_OK;
}
