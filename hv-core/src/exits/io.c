/* I/O instructions (exit reason 30; SDM Vol. 3 §26.1.3 "unconditional I/O exiting" / "use I/O bitmaps").
 *
 * Exit qualification (SDM Vol. 3 §28.2.1, Table 28-5):
 *   bits 2:0   size of access: 0 = 1 byte, 1 = 2 bytes, 3 = 4 bytes (other values are not used)
 *   bit 3      direction: 0 = OUT, 1 = IN
 *   bit 4      string instruction (INS/OUTS)
 *   bit 5      REP prefixed
 *   bit 6      operand encoding: 0 = DX, 1 = immediate
 *   bits 15:7  not currently defined (0); bits 31:16 port number; bits 63:32 not currently defined (0)
 * A size encoding the SDM does not use, or undefined bits set, cannot come from a processor: the VM is
 * killed (the report is hostile or broken, and guessing a size would read or write the wrong bytes).
 *
 * Non-string IN/OUT go through the port bus (port_bus.c). IN writes AL / AX (upper RAX bits kept) or EAX
 * (zero-extended into RAX: a 32-bit register write clears bits 63:32, SDM Vol. 1 §3.4.1.1).
 *
 * String I/O (INS/OUTS, with or without REP) is not emulated in this issue: decoding it needs the
 * VM-exit instruction-information field, guest linear-to-physical translation and segment checks. The VM
 * is killed with "string I/O not supported" — a clear stop, rather than a #UD the guest would take as a
 * CPU bug, or a silent no-op that corrupts its data. */
#include "exits.h"

#define IOQ_SIZE(q) ((unsigned)(q)&7u)
#define IOQ_IN (1ull << 3)
#define IOQ_STRING (1ull << 4)
#define IOQ_REP (1ull << 5)
#define IOQ_PORT(q) ((uint16_t)((q) >> 16))
#define IOQ_UNDEFINED 0xffffffff0000ff80ull /* bits 63:32 and 15:7 */

enum hv_exit_action hv_exit_io(struct hv_vm *vm, const struct hv_exit *e)
{
    uint64_t q = e->qualification;
    if (q & IOQ_UNDEFINED)
        return hv_vm_kill(vm, "I/O exit qualification 0x%llx sets undefined bits (SDM Vol. 3 §28.2.1 Table 28-5)",
                          (unsigned long long)q);
    unsigned size;
    switch (IOQ_SIZE(q)) {
    case 0: size = 1; break;
    case 1: size = 2; break;
    case 3: size = 4; break;
    default:
        return hv_vm_kill(vm, "I/O exit with invalid size encoding %u (SDM Vol. 3 §28.2.1 Table 28-5: 0, 1 or 3)",
                          IOQ_SIZE(q));
    }
    uint16_t port = IOQ_PORT(q);
    if (q & IOQ_STRING)
        return hv_vm_kill(vm, "string I/O not supported (%s%s port 0x%x, %u bytes)", q & IOQ_REP ? "REP " : "",
                          q & IOQ_IN ? "INS" : "OUTS", port, size);

    if (q & IOQ_IN) {
        uint32_t v = hv_port_in(vm, port, size);
        if (size == 4)
            vm->gprs.rax = v;
        else if (size == 2)
            vm->gprs.rax = (vm->gprs.rax & ~0xffffull) | (v & 0xffffu);
        else
            vm->gprs.rax = (vm->gprs.rax & ~0xffull) | (v & 0xffu);
    } else {
        uint32_t mask = size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
        hv_port_out(vm, port, size, (uint32_t)vm->gprs.rax & mask);
    }
    if (vm->dead)
        return HV_EXIT_KILL;
    hv_guest_advance_rip(vm, e);
    return HV_EXIT_RESUME;
}
