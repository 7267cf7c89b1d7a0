/* The port bus: I/O port ranges a VM's devices claim, and what an IN or OUT to a port does.
 *
 * At most HV_PORT_RANGES_MAX ranges per VM, none overlapping, so a port has at most one owner and a lookup
 * is a bounded scan. An access belongs to a range only when all its bytes (port .. port+size-1) are inside
 * it; anything else — unclaimed, or straddling a range's edge — is unclaimed: an IN reads all ones of the
 * access size (what an ISA bus with nothing driving it returns), an OUT is dropped; both are counted in
 * vm->stats. Claiming a range also sets its bits in the I/O bitmaps (SDM Vol. 3 §25.6.4: bitmap A covers
 * ports 0000H-7FFFH, B 8000H-FFFFH; bit = 1 means the access exits) so the device sees every access. */
#include "exits/exits.h"

static bool range_has(const struct hv_port_range *r, uint16_t port, unsigned size)
{
    uint32_t last = (uint32_t)port + size - 1;
    return port >= r->first && last <= r->last;
}

static const struct hv_port_range *lookup(const struct hv_vm *vm, uint16_t port, unsigned size)
{
    unsigned n = vm->nports < HV_PORT_RANGES_MAX ? vm->nports : HV_PORT_RANGES_MAX;
    for (unsigned i = 0; i < n; i++)
        if (range_has(&vm->ports[i], port, size))
            return &vm->ports[i];
    return NULL;
}

static void intercept(struct hv_vm *vm, uint16_t first, uint16_t last)
{
    uint8_t *a = vm->io_bitmap_a ? hv_vm_page_ptr(vm, vm->io_bitmap_a) : NULL;
    uint8_t *b = vm->io_bitmap_b ? hv_vm_page_ptr(vm, vm->io_bitmap_b) : NULL;
    for (uint32_t p = first; p <= last; p++) {
        uint8_t *bm = p < 0x8000u ? a : b;
        uint32_t bit = p & 0x7fffu;
        if (bm)
            bm[bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
}

enum hv_err hv_vm_add_ports(struct hv_vm *vm, const struct hv_port_range *range)
{
    if (!vm || !range || range->first > range->last || (!range->in && !range->out))
        return HV_ERR_BAD_CONFIG;
    if (vm->nports >= HV_PORT_RANGES_MAX)
        return HV_ERR_BAD_CONFIG;
    for (unsigned i = 0; i < vm->nports; i++)
        if (range->first <= vm->ports[i].last && vm->ports[i].first <= range->last)
            return HV_ERR_BAD_CONFIG; /* overlaps a claimed range */
    vm->ports[vm->nports++] = *range;
    intercept(vm, range->first, range->last);
    return HV_OK;
}

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1u;
}

uint32_t hv_port_in(struct hv_vm *vm, uint16_t port, unsigned size)
{
    const struct hv_port_range *r = lookup(vm, port, size);
    if (!r || !r->in) {
        vm->stats.unclaimed_port_in++;
        return size_mask(size);
    }
    return r->in(r->opaque, port, size) & size_mask(size);
}

void hv_port_out(struct hv_vm *vm, uint16_t port, unsigned size, uint32_t value)
{
    const struct hv_port_range *r = lookup(vm, port, size);
    if (!r || !r->out) {
        vm->stats.unclaimed_port_out++;
        return;
    }
    r->out(r->opaque, port, size, value & size_mask(size));
}
