/* The VM's guest-physical regions (ROM, MMIO holes, not-present MMIO) and the MMIO path.
 *
 * Regions live in vm->regions (public, so the sim's oracles can read the map). The most recently added
 * region containing a GPA decides what it is; RAM [0, memory_size) and "unmapped" are what no region covers.
 * Adding a region rewrites the EPT over its range at once (ept.c): ROM is backed (zeroed, R-X), MMIO becomes
 * a hole (misconfiguration, SDM Vol. 3 §29.3.3.1), MMIO_NP becomes not present (violation, §29.3.3.2);
 * whatever frames were there (RAM punched by the region, an older ROM) go back to the allocator, and a large
 * leaf straddling the edge is split.
 *
 * The MMIO path: until the instruction decoder exists (the MMIO issue), the core knows only the GPA and, for
 * a violation, the access type. The region's handler gets both; returning true means it completed the
 * access (it owns guest state, e.g. RIP); false, or no handler, kills the VM: resuming would re-execute the
 * instruction and exit again forever. */
#include "exits/exits.h"
#include "guest_mem.h"

enum hv_gpa_kind hv_gpa_classify(struct hv_vm *vm, uint64_t gpa, const struct hv_region **region)
{
    if (region)
        *region = NULL;
    for (unsigned i = vm->nregions < HV_REGIONS_MAX ? vm->nregions : HV_REGIONS_MAX; i-- > 0;) {
        const struct hv_region *r = &vm->regions[i];
        if (gpa >= r->gpa && gpa - r->gpa < r->size) {
            if (region)
                *region = r;
            switch (r->type) {
            case HV_REGION_ROM: return HV_GPA_ROM;
            case HV_REGION_MMIO: return HV_GPA_MMIO;
            case HV_REGION_MMIO_NP: return HV_GPA_MMIO_NP;
            default: return HV_GPA_UNMAPPED; /* hv_vm_add_region admits no other type */
            }
        }
    }
    return gpa < vm->cfg.memory_size ? HV_GPA_RAM : HV_GPA_UNMAPPED;
}

static enum hv_err region_fail(struct hv_vm *vm, enum hv_err err, const char *what, const struct hv_region *r)
{
    hv_snprintf(vm->message, sizeof vm->message, "region %s [0x%llx, +0x%llx): %s", r->name ? r->name : "(unnamed)",
                (unsigned long long)r->gpa, (unsigned long long)r->size, what);
    return err;
}

enum hv_err hv_vm_add_region(struct hv_vm *vm, const struct hv_region *r)
{
    if (!vm || !r)
        return HV_ERR_BAD_CONFIG;
    if (!vm->created || vm->dead) {
        hv_snprintf(vm->message, sizeof vm->message, "hv_vm_add_region: the VM is not created or is dead");
        return HV_ERR_STATE;
    }
    if (vm->nregions >= HV_REGIONS_MAX)
        return region_fail(vm, HV_ERR_BAD_CONFIG, "too many regions (HV_REGIONS_MAX)", r);
    if (r->size == 0 || ((r->gpa | r->size) & (HV_PAGE_SIZE - 1)) || r->gpa + r->size < r->gpa)
        return region_fail(vm, HV_ERR_BAD_CONFIG, "gpa and size must be 4-KiB aligned, size > 0, no wrap", r);
    if (r->type != HV_REGION_ROM && r->type != HV_REGION_MMIO && r->type != HV_REGION_MMIO_NP)
        return region_fail(vm, HV_ERR_BAD_CONFIG, "unknown region type", r);
    if (r->type != HV_REGION_ROM && !r->mmio)
        return region_fail(vm, HV_ERR_BAD_CONFIG, "an MMIO region needs a handler", r);
    /* Guest-physical addresses are MAXPHYADDR bits wide (CPUID.80000008H:EAX[7:0]); an EPT entry's address
     * bits above it are reserved (SDM Vol. 3 §29.3.2), and no guest access can reach beyond it. */
    unsigned width = hv_cpu_addr_width(vm, false);
    if (width < 64 && r->gpa + r->size > (1ull << width))
        return region_fail(vm, HV_ERR_BAD_CONFIG, "beyond the guest-physical address width (MAXPHYADDR)", r);
    unsigned levels = hv_ept_levels_needed(vm, r->gpa + r->size);
    if (levels == 0)
        return region_fail(vm, HV_ERR_BAD_CONFIG,
                           "above 2^48 and the processor has no 5-level EPT (IA32_VMX_EPT_VPID_CAP bit 7)", r);
    if (levels > vm->ept_levels && !hv_ept_grow_to_5(vm))
        return region_fail(vm, HV_ERR_NO_MEMORY, "out of pages for the 5-level EPT root", r);

    bool ok;
    switch (r->type) {
    case HV_REGION_ROM:
        /* Free what is there first (RAM punched, an older region), then zeroed R-X frames. */
        ok = hv_ept_set_range(vm, r->gpa, r->size, 0) && hv_ept_back_range(vm, r->gpa, r->size, EPTE_LEAF_ROM);
        if (!ok)
            hv_ept_set_range(vm, r->gpa, r->size, 0); /* give the partial ROM back; the range is not present */
        break;
    case HV_REGION_MMIO:
        ok = hv_ept_set_range(vm, r->gpa, r->size, EPTE_HOLE);
        break;
    default:
        ok = hv_ept_set_range(vm, r->gpa, r->size, 0);
        break;
    }
    hv_ept_invalidate(vm); /* present entries changed or vanished (SDM Vol. 3 §29.4.3.1) */
    if (!ok)
        return region_fail(vm, HV_ERR_NO_MEMORY, "out of pages for its EPT entries or ROM frames", r);
    if (vm->dead)
        return HV_ERR_STATE;
    vm->regions[vm->nregions++] = *r;
    return HV_OK;
}

enum hv_exit_action hv_mmio_dispatch(struct hv_vm *vm, const struct hv_region *r, uint64_t gpa,
                                     enum hv_access access)
{
    struct hv_mmio_access a = {.gpa = gpa, .access = access, .size = 0, .value = 0};
    const char *name = r->name ? r->name : "(unnamed)";
    vm->stats.mmio_accesses++;
    if (r->mmio && r->mmio(r->opaque, vm, &a))
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
    if (vm->dead)
        return HV_EXIT_KILL;
    return hv_vm_kill(vm, "MMIO access to region %s at GPA 0x%llx: the instruction cannot be emulated yet (no decoder)",
                      name, (unsigned long long)gpa);
}
