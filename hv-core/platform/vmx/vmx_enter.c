/* hv_arch_vmenter: the C side of the enter-guest routine (vmx_enter.S). */
#include "vmx_internal.h"

#include <stddef.h>

/* vmx_enter.S addresses the fields by these offsets. */
_Static_assert(offsetof(struct hv_guest_gprs, rax) == 0, "G_RAX");
_Static_assert(offsetof(struct hv_guest_gprs, rcx) == 8, "G_RCX");
_Static_assert(offsetof(struct hv_guest_gprs, rdx) == 16, "G_RDX");
_Static_assert(offsetof(struct hv_guest_gprs, rbx) == 24, "G_RBX");
_Static_assert(offsetof(struct hv_guest_gprs, rbp) == 32, "G_RBP");
_Static_assert(offsetof(struct hv_guest_gprs, rsi) == 40, "G_RSI");
_Static_assert(offsetof(struct hv_guest_gprs, rdi) == 48, "G_RDI");
_Static_assert(offsetof(struct hv_guest_gprs, r8) == 56, "G_R8");
_Static_assert(offsetof(struct hv_guest_gprs, r15) == 112, "G_R15");
_Static_assert(offsetof(struct hv_guest_gprs, cr2) == 120, "G_CR2");

static inline void vmx_lgdt(const struct vmx_dtr *d)
{
    __asm__ __volatile__("lgdt %0" : : "m"(*d) : "memory");
}
static inline void vmx_lidt(const struct vmx_dtr *d)
{
    __asm__ __volatile__("lidt %0" : : "m"(*d) : "memory");
}

struct hv_vmx_result hv_arch_vmenter(struct hv_arch_cpu *cpu, bool launch, struct hv_guest_gprs *gprs)
{
    /* A VM exit loads GDTR/IDTR bases from the VMCS but sets both limits to FFFFH (SDM Vol. 3 §28.5.2): a
     * wild host selector or vector would then read past the real tables instead of faulting. Put the exact
     * limits back after every exit. (TR's limit becomes 67H, §28.5.2; the host runs at CPL 0 and uses its TSS
     * only for RSP0/IST, which lie below 67H, so that one is left alone.) */
    struct vmx_dtr gdtr, idtr;
    vmx_sgdt(&gdtr);
    vmx_sidt(&idtr);

    int rc = hvkit_vmx_enter(gprs, launch ? 1 : 0);

    switch (rc) {
    case 0:
        vmx_lgdt(&gdtr);
        vmx_lidt(&idtr);
        return (struct hv_vmx_result){.status = HV_VMSUCCEED, .error = 0};
    case 1:
        return vmx_outcome(cpu, true, false);
    case 2:
        return vmx_outcome(cpu, false, true);
    default:
        /* Neither CF nor ZF after a fall-through: not an SDM outcome. Reported as VMfailInvalid (no error
         * number to trust) so the core kills the VM instead of reading a VMCS that did not run. */
        hv_arch_log(cpu, "VMLAUNCH/VMRESUME fell through with CF = ZF = 0 (not an SDM Vol. 3 §31.2 outcome)");
        return (struct hv_vmx_result){.status = HV_VMFAIL_INVALID, .error = 0};
    }
}
