/* VM objects: the pages a VM owns, and (below) creation and destruction.
 *
 * Every page a VM holds comes from hv_vm_page_alloc and is counted in vm->pages_owned, so destruction can
 * prove it returned everything (the count is back to 0) and a failed creation can unwind to exactly where it
 * started. */
#include "caps.h"
#include "devices/attach.h"
#include "guest_mem.h"

#include <hv/vmx_controls.h>

hv_paddr_t hv_vm_page_alloc(struct hv_vm *vm)
{
    if (!vm->cpu)
        return 0;
    hv_paddr_t pa = hv_arch_page_alloc(vm->cpu->arch);
    if (!pa)
        return 0;
    /* arch.h promises a zeroed page; zero again anyway: a stale page handed to the guest or used as a
     * paging structure would leak host data or map memory the VM does not own. */
    void *p = hv_arch_phys_to_virt(vm->cpu->arch, pa);
    if (!p) {
        hv_arch_page_free(vm->cpu->arch, pa);
        return 0;
    }
    hv_memset(p, 0, HV_PAGE_SIZE);
    vm->pages_owned++;
    return pa;
}

void hv_vm_page_free(struct hv_vm *vm, hv_paddr_t pa)
{
    if (!pa || !vm->cpu)
        return;
    hv_arch_page_free(vm->cpu->arch, pa);
    if (vm->pages_owned)
        vm->pages_owned--;
}

void *hv_vm_page_ptr(struct hv_vm *vm, hv_paddr_t pa)
{
    if (!pa || !vm->cpu)
        return NULL;
    return hv_arch_phys_to_virt(vm->cpu->arch, pa & ~(hv_paddr_t)(HV_PAGE_SIZE - 1));
}

/* ---- creation and destruction ---------------------------------------------------------------------------- */

static enum hv_err vm_fail(struct hv_vm *vm, enum hv_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum hv_err vm_fail(struct hv_vm *vm, enum hv_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hv_vsnprintf(vm->message, sizeof vm->message, fmt, ap);
    va_end(ap);
    vm->err = err;
    return err;
}

/* The configuration rules (vm.h): memory a multiple of 4 KiB in 1 MiB .. HV_VM_MAX_MEMORY (reserved, backed
 * lazily: see guest_mem.c); a quota that fits the system pages; a known mode;
 * entry and stack inside what the mode can address. The guest may later do anything with its registers:
 * these checks only keep the initial state sensible (and VM entry valid, e.g. a canonical RIP). */
static enum hv_err check_config(struct hv_vm *vm, const struct hv_vm_config *cfg)
{
    uint64_t size = cfg->memory_size;
    if (size == 0 || (size & (HV_PAGE_SIZE - 1)) || size < (1ull << 20) || size > HV_VM_MAX_MEMORY)
        return vm_fail(vm, HV_ERR_BAD_CONFIG,
                       "memory_size 0x%llx: must be a multiple of 4 KiB from 1 MiB to 0x%llx bytes",
                       (unsigned long long)size, (unsigned long long)HV_VM_MAX_MEMORY);
    /* The quota bounds backed RAM pages (lazy allocation, ept.c); more than RAM has pages means "all". A
     * PROGRAM64 guest needs its system pages backed at creation, so the quota must cover at least those. */
    if (cfg->mode == HV_GUEST_PROGRAM64 && cfg->memory_quota_pages && cfg->memory_quota_pages < HV_GUEST_SYS_PAGES)
        return vm_fail(vm, HV_ERR_BAD_CONFIG,
                       "memory_quota_pages %llu: a 64-bit guest needs at least %u (its page tables, GDT, IDT, TSS)",
                       (unsigned long long)cfg->memory_quota_pages, HV_GUEST_SYS_PAGES);
    switch (cfg->mode) {
    case HV_GUEST_PROGRAM64:
        /* Identity-mapped GPAs; the top HV_GUEST_SYS_PAGES pages hold the guest's page tables, GDT, IDT, TSS. */
        if (cfg->entry >= HV_GUEST_SYS_BASE(size) || cfg->stack > HV_GUEST_SYS_BASE(size))
            return vm_fail(vm, HV_ERR_BAD_CONFIG,
                           "entry 0x%llx / stack 0x%llx: must lie below 0x%llx (the guest's system pages start there)",
                           (unsigned long long)cfg->entry, (unsigned long long)cfg->stack,
                           (unsigned long long)HV_GUEST_SYS_BASE(size));
        return HV_OK;
    case HV_GUEST_REAL_MODE:
        if (cfg->entry > 0xffff || cfg->stack > 0xffff)
            return vm_fail(vm, HV_ERR_BAD_CONFIG,
                           "entry 0x%llx / stack 0x%llx: real mode runs with CS = SS = 0, so both must be 16-bit",
                           (unsigned long long)cfg->entry, (unsigned long long)cfg->stack);
        return HV_OK;
    default:
        return vm_fail(vm, HV_ERR_BAD_CONFIG, "unknown guest mode %u", (unsigned)cfg->mode);
    }
}

/* Return every page (what exists of it: also after a failure half-way through creation). */
static void release_pages(struct hv_vm *vm)
{
    hv_guest_mem_destroy(vm);
    hv_paddr_t *pages[] = {&vm->vmcs,         &vm->io_bitmap_a,    &vm->io_bitmap_b,
                           &vm->msr_bitmap,   &vm->msr_area_guest, &vm->msr_area_host};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        hv_vm_page_free(vm, *pages[i]);
        *pages[i] = 0;
    }
    vm->msr_area_count = 0;
}

static enum hv_err alloc_pages(struct hv_vm *vm)
{
    hv_paddr_t *pages[] = {&vm->vmcs,       &vm->io_bitmap_a,    &vm->io_bitmap_b,
                           &vm->msr_bitmap, &vm->msr_area_guest, &vm->msr_area_host};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        *pages[i] = hv_vm_page_alloc(vm);
        if (!*pages[i])
            return HV_ERR_NO_MEMORY;
    }
    return hv_guest_mem_create(vm);
}

enum hv_err hv_vm_create(struct hv_vm *vm, struct hv_cpu *cpu, const struct hv_vm_config *cfg)
{
    if (!vm)
        return HV_ERR_BAD_CONFIG;
    hv_memset(vm, 0, sizeof *vm);
    if (!cfg)
        return vm_fail(vm, HV_ERR_BAD_CONFIG, "no VM configuration");
    hv_memcpy(&vm->cfg, cfg, sizeof *cfg); /* not a struct assignment: clang makes large ones libc memcpy calls */
    if (!cpu || !cpu->vmx_on)
        return vm_fail(vm, HV_ERR_STATE, "the CPU is not in VMX operation (hv_cpu_init first)");
    enum hv_err err = check_config(vm, cfg);
    if (err)
        return err;
    vm->cpu = cpu;
    /* IA32_APIC_BASE at power-up: base FEE00000H, APIC global enable (bit 11), BSP (bit 8): the VM's one
     * vCPU is its bootstrap processor (SDM Vol. 3 §11.4.4). */
    vm->guest_apic_base = 0xfee00000ull | (1ull << 11) | (1ull << 8);
    uint64_t ram_pages = cfg->memory_size / HV_PAGE_SIZE;
    vm->ram_quota = cfg->memory_quota_pages && cfg->memory_quota_pages < ram_pages ? cfg->memory_quota_pages : ram_pages;

    struct hv_caps caps;
    struct hv_controls ctl;
    if (!hv_caps_read(cpu->arch, &caps, vm->message, sizeof vm->message))
        return vm_fail(vm, HV_ERR_CONTROL_UNSUPPORTED, "%s", vm->message);
    err = hv_caps_fit(&caps, cfg->mode, &ctl, vm->message, sizeof vm->message);
    if (err) {
        vm->err = err;
        return err;
    }
    vm->pin = ctl.pin;
    vm->proc = ctl.proc;
    vm->proc2 = ctl.proc2;
    vm->exit_ctls = ctl.exit;
    vm->entry_ctls = ctl.entry;
    vm->ept_vpid_cap = caps.ept_vpid;

    err = alloc_pages(vm);
    if (err) {
        uint64_t had = vm->pages_owned;
        release_pages(vm);
        return vm_fail(vm, HV_ERR_NO_MEMORY, "out of pages after %llu of them (VM structures and the EPT root; "
                       "%llu KiB of RAM reserved, backed lazily)",
                       (unsigned long long)had, (unsigned long long)(cfg->memory_size >> 10));
    }
    /* The VMCS region begins with the revision identifier (bits 30:0, bit 31 = 0: not a shadow VMCS),
     * SDM Vol. 3 §25.2. */
    uint32_t *vmcs = hv_vm_page_ptr(vm, vm->vmcs);
    vmcs[0] = cpu->vmcs_revision;
    hv_memset(hv_vm_page_ptr(vm, vm->io_bitmap_a), 0xff, HV_PAGE_SIZE);
    hv_memset(hv_vm_page_ptr(vm, vm->io_bitmap_b), 0xff, HV_PAGE_SIZE);
    hv_msr_bitmap_fill(vm, hv_vm_page_ptr(vm, vm->msr_bitmap));
    vm->eptp = hv_ept_pointer(vm); /* 4-level, WB; grows to 5 levels when a region needs it (mmio.c) */
    /* VPID (SDM Vol. 3 §29.1): nonzero (0 is the VMM's, §27.2.1.1) and distinct between live VMs so their
     * linear mappings stay apart. Derived from the VMCS frame, which no two live VMs share: frames within a
     * 65535-frame (256 MiB) window never collide; beyond that two VMs may share a VPID, which is still safe
     * because with EPT the combined mappings are also tagged by the EPTP (§29.4.1). No global counter. */
    vm->vpid = (uint16_t)(((vm->vmcs >> 12) % 0xffffu) + 1u);
    /* Writing them backs the system pages (guest_mem.c): they count against the quota. */
    if (cfg->mode == HV_GUEST_PROGRAM64 && !hv_guest_build_program64(vm)) {
        uint64_t had = vm->pages_owned;
        release_pages(vm);
        return vm_fail(vm, HV_ERR_NO_MEMORY, "out of pages after %llu of them, writing the guest's page tables, GDT, "
                       "IDT and TSS into its memory", (unsigned long long)had);
    }

    err = hv_vmcs_setup(vm, &caps, &ctl);
    if (err) {
        char why[HV_MESSAGE_MAX];
        hv_memcpy(why, vm->message, sizeof why);
        if (cpu->vmx_on)
            hv_arch_vmclear(cpu->arch, vm->vmcs);
        if (cpu->current_vmcs == vm->vmcs)
            cpu->current_vmcs = 0; /* VMCLEAR of the current VMCS leaves none current (§31.3) */
        release_pages(vm);
        vm->dead = false;
        return vm_fail(vm, err, "VMCS setup failed: %s", why);
    }
    vm->created = true;
    /* Virtual hardware (devices/devices.c): ports and the framebuffer region need the created VM. A device
     * configuration the core refuses fails the creation and returns every page. */
    err = hv_devices_attach(vm);
    if (err) {
        char why[HV_MESSAGE_MAX];
        hv_memcpy(why, vm->message, sizeof why);
        hv_vm_destroy(vm);
        return vm_fail(vm, err, "devices: %s", why);
    }
    vm->err = HV_OK;
    return HV_OK;
}

void hv_vm_destroy(struct hv_vm *vm)
{
    if (!vm || !vm->cpu)
        return;
    /* VMCLEAR first (§25.11.3): the processor may cache VMCS data; the region must be written back and the
     * VMCS not current before its page goes back. Only possible while the CPU is in VMX operation. */
    if (vm->vmcs && vm->cpu->vmx_on) {
        struct hv_vmx_result r = hv_arch_vmclear(vm->cpu->arch, vm->vmcs);
        if (r.status != HV_VMSUCCEED) {
            char what[HV_MESSAGE_MAX];
            hv_describe_vmx_result(what, sizeof what, "VMCLEAR", r);
            hv_arch_log(vm->cpu->arch, what);
        }
        if (vm->cpu->current_vmcs == vm->vmcs)
            vm->cpu->current_vmcs = 0; /* VMCLEAR of the current VMCS leaves none current (§31.3) */
    }
    release_pages(vm);
    vm->nregions = 0;
    vm->created = false;
}
