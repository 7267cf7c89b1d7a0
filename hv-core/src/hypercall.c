/* The hypercall ABI (hv/hypercall.h): number in RAX, arguments in RBX, RCX, RDX, RSI, result in RAX.
 * Everything here is guest-controlled: every number is answered, unknown ones with HV_HC_ENOSYS. Only the
 * IPC calls take guest-physical addresses, and devices/ipc.c validates them (inside RAM, page-aligned, sizes
 * bounded) before any use. */
#include "exits/exits.h"

#include <hv/hypercall.h>

/* The debug console: one byte per hypercall to the host log, as a line "guest console: 'c' (0xNN)". A
 * non-printable byte is shown by its number only, so a guest cannot put control characters in the log. */
static void console_putchar(struct hv_vm *vm, uint8_t c)
{
    char line[48];
    if (c >= 0x20 && c < 0x7f)
        hv_snprintf(line, sizeof line, "guest console: '%c' (0x%02x)", c, c);
    else
        hv_snprintf(line, sizeof line, "guest console: (0x%02x)", c);
    hv_arch_log(vm->cpu->arch, line);
}

/* HV_HC_QUERY: one fact of the ABI per selector; an unknown selector is an error, not 0 (a guest must be
 * able to tell "no" from "not asked about"). */
static uint64_t query(struct hv_vm *vm, uint64_t what)
{
    switch (what) {
    case HV_HC_QUERY_ABI_VERSION: return HV_HC_ABI_VERSION;
    case HV_HC_QUERY_COUNT: return HV_HC_COUNT;
    case HV_HC_QUERY_IPC: return vm->dev.ipc.attached ? 1 : 0;
    case HV_HC_QUERY_IPC_PAGES: return HV_IPC_MAX_PAGES;
    case HV_HC_QUERY_IPC_MSG_MAX: return HV_IPC_MSG_MAX;
    default: return HV_HC_EINVAL;
    }
}

enum hv_exit_action hv_hypercall(struct hv_vm *vm)
{
    uint64_t nr = vm->gprs.rax;
    if (hv_guest_cpl(vm) != 0) {
        vm->gprs.rax = HV_HC_EPERM;
        return HV_EXIT_RESUME;
    }
    switch (nr) {
    case HV_HC_VERSION:
        vm->gprs.rax = HV_HC_ABI_VERSION;
        return HV_EXIT_RESUME;
    case HV_HC_PUTCHAR:
        console_putchar(vm, (uint8_t)vm->gprs.rbx);
        vm->gprs.rax = 0;
        return HV_EXIT_RESUME;
    case HV_HC_QUERY:
        vm->gprs.rax = query(vm, vm->gprs.rbx);
        return HV_EXIT_RESUME;
    case HV_HC_IPC_REGISTER:
    case HV_HC_IPC_NOTIFY:
    case HV_HC_IPC_UNREGISTER:
        /* devices/ipc.c: rings in guest RAM, validated there */
        vm->gprs.rax = hv_ipc_hypercall(vm, nr);
        return HV_EXIT_RESUME;
    case HV_HC_SHUTDOWN:
        vm->gprs.rax = 0;
        hv_arch_log(vm->cpu->arch, "guest requested shutdown (HV_HC_SHUTDOWN)");
        return HV_EXIT_HALT;
    default:
        vm->gprs.rax = HV_HC_ENOSYS;
        return HV_EXIT_RESUME;
    }
}
