/* CPUID (exit reason 10; always exits in VMX non-root operation, SDM Vol. 3 §26.1.2). The answer is the
 * processor's (hv_arch_cpuid: the profile on the sim) with the hypervisor's edits:
 *   leaf 1 ECX: VMX (bit 5) cleared — the guest gets no nested VMX; x2APIC (bit 21) cleared — the x2APIC
 *               MSRs #GP (msr_virt.c); hypervisor-present (bit 31) set; OSXSAVE (bit 27) = guest CR4.OSXSAVE
 *               (the bit mirrors the CR4 of whoever executes CPUID, SDM Vol. 2 CPUID, and the guest's CR4
 *               is not the host's).
 *   leaves 0x40000000-0x400000FF: the hvkit leaves of hv/hypercall.h; unused ones return 0s.
 * Results go to RAX/RBX/RCX/RDX zero-extended (a 32-bit write clears bits 63:32, SDM Vol. 1 §3.4.1.1). */
#include "exits.h"

#include <hv/hypercall.h>
#include <hv/vmcs_fields.h>

#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_HYPERVISOR (1u << 31)

enum hv_exit_action hv_exit_cpuid(struct hv_vm *vm, const struct hv_exit *e)
{
    uint32_t leaf = (uint32_t)vm->gprs.rax, subleaf = (uint32_t)vm->gprs.rcx;
    struct hv_cpuid_regs r = {0};

    if (leaf >= 0x40000000u && leaf <= 0x400000ffu) {
        if (leaf == HV_CPUID_LEAF_SIGNATURE) {
            r.eax = HV_CPUID_LEAF_MAX;
            r.ebx = HV_CPUID_SIGNATURE_EBX;
            r.ecx = HV_CPUID_SIGNATURE_ECX;
            r.edx = HV_CPUID_SIGNATURE_EDX;
        } else if (leaf == HV_CPUID_LEAF_ABI) {
            r.eax = HV_HC_ABI_VERSION;
            r.ebx = HV_HC_COUNT;
        }
    } else {
        /* Any leaf, however large: the processor (profile) defines what an out-of-range leaf returns. */
        hv_arch_cpuid(vm->cpu->arch, leaf, subleaf, &r);
        if (leaf == 1) {
            r.ecx &= ~(CPUID1_ECX_VMX | CPUID1_ECX_X2APIC | CPUID1_ECX_OSXSAVE);
            r.ecx |= CPUID1_ECX_HYPERVISOR;
            if (hv_guest_cr4_view(vm) & CR4_OSXSAVE)
                r.ecx |= CPUID1_ECX_OSXSAVE;
        }
    }
    vm->gprs.rax = r.eax;
    vm->gprs.rbx = r.ebx;
    vm->gprs.rcx = r.ecx;
    vm->gprs.rdx = r.edx;
    hv_guest_advance_rip(vm, e);
    return HV_EXIT_RESUME;
}
