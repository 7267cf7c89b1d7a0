/* INVD (exit reason 13; always exits, SDM Vol. 3 §26.1.2) and WBINVD/WBNOINVD (exit reason 54; with
 * "WBINVD exiting", §26.1.3).
 *
 * Both retire as no-ops. Guest memory is ordinary write-back host memory kept coherent by the processor, so
 * a guest's cache flush has nothing of its own to flush; and INVD must never run for real — it would drop
 * dirty lines of the host and of other VMs. (A guest doing device DMA with non-coherent memory types would
 * need a real WBINVD; no such device exists here.) */
#include "exits.h"

enum hv_exit_action hv_exit_invd(struct hv_vm *vm, const struct hv_exit *e)
{
    hv_guest_advance_rip(vm, e);
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}

enum hv_exit_action hv_exit_wbinvd(struct hv_vm *vm, const struct hv_exit *e)
{
    hv_guest_advance_rip(vm, e);
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}
