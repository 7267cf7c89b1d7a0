/* XSETBV (exit reason 55; always exits, SDM Vol. 3 §26.1.2). ECX selects the XCR, EDX:EAX is the value.
 *
 * Checks (SDM Vol. 2 XSETBV; Vol. 1 §13.3): the faults that take priority over the exit (§26.1.1) — #UD when
 * CR4.OSXSAVE = 0, #GP(0) at CPL > 0 — in case a report ignores them; then #GP(0) when ECX != 0 (only XCR0
 * exists), when bit 0 (x87) is 0, when a bit the processor does not support is set (supported bits:
 * CPUID.(EAX=0DH,ECX=0):EDX:EAX), when AVX (bit 2) is set without SSE (bit 1), when the AVX-512 bits 7:5 are
 * not all equal or are set without AVX, when BNDREG/BNDCSR (bits 4:3) differ, when AMX TILECFG/TILEDATA
 * (bits 17, 18) differ. A valid value is stored in vm->xcr0 (the guest's XCR0, which the platform loads
 * around the guest's run) and the instruction retires. */
#include "exits.h"

#include <hv/x86.h>

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_BNDREG (1ull << 3)
#define XCR0_BNDCSR (1ull << 4)
#define XCR0_AVX512 (7ull << 5)
#define XCR0_TILECFG (1ull << 17)
#define XCR0_TILEDATA (1ull << 18)

static bool both_or_neither(uint64_t v, uint64_t bits)
{
    return (v & bits) == 0 || (v & bits) == bits;
}

static bool xcr0_valid(struct hv_vm *vm, uint64_t v)
{
    struct hv_cpuid_regs r = {0};
    hv_arch_cpuid(vm->cpu->arch, 0, 0, &r);
    uint64_t supported = 0;
    if (r.eax >= 0xd) {
        hv_arch_cpuid(vm->cpu->arch, 0xd, 0, &r);
        supported = ((uint64_t)r.edx << 32) | r.eax;
    }
    if (!(v & XCR0_X87) || (v & ~supported))
        return false;
    if ((v & XCR0_AVX) && !(v & XCR0_SSE))
        return false;
    if (!both_or_neither(v, XCR0_AVX512) || ((v & XCR0_AVX512) && !(v & XCR0_AVX)))
        return false;
    return both_or_neither(v, XCR0_BNDREG | XCR0_BNDCSR) && both_or_neither(v, XCR0_TILECFG | XCR0_TILEDATA);
}

enum hv_exit_action hv_exit_xsetbv(struct hv_vm *vm, const struct hv_exit *e)
{
    if (!(hv_guest_cr4_view(vm) & CR4_OSXSAVE)) {
        hv_inject_ud(vm);
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
    }
    uint64_t v = (vm->gprs.rdx << 32) | (vm->gprs.rax & 0xffffffffull);
    if (hv_guest_cpl(vm) != 0 || (uint32_t)vm->gprs.rcx != 0 || !xcr0_valid(vm, v)) {
        hv_inject_gp0(vm);
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
    }
    vm->xcr0 = v;
    hv_guest_advance_rip(vm, e);
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}
