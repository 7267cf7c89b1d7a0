/* EPT violations (exit 48) and EPT misconfigurations (exit 49).
 *
 * Both report the guest-physical address in the VMCS field 0x2400 (SDM Vol. 3 §28.2.1 and §25.9.4); it is
 * whatever the "hardware" says, so it is only ever classified against the VM's map (mmio.c) and looked up
 * through the VM's own EPT, never used as an address.
 *
 * Violation qualification (SDM Vol. 3 §28.2.1, Table 28-7): bit 0 data read, bit 1 data write, bit 2
 * instruction fetch, bits 3/4/5 whether the translation allowed read/write/execute, bit 7 guest-linear
 * address valid, bit 8 (when bit 7 is set) the access was to the translated linear address (1) or to a
 * paging-structure entry of the guest (0), bit 12 NMI unblocking due to IRET (§28.2.3).
 *
 * Policy:
 *   RAM not backed yet     back it (quota), INVEPT, resume WITHOUT advancing RIP: the instruction re-executes
 *   RAM already backed     a stale translation (the access is allowed now): INVEPT and resume
 *   MMIO_NP / MMIO region  the MMIO path (mmio.c)
 *   write to ROM           kill ("EPT violation: write to ROM at GPA ..."): there is no write to emulate and
 *                          injecting a fault would invent an architectural event the guest cannot expect
 *   anything else          kill naming the GPA and the access
 * Resuming without advancing RIP also re-delivers an event whose delivery caused the violation: when the
 * IDT-vectoring information is valid (§28.2.4) it is injected again (§27.6.1), or it would be lost.
 *
 * Misconfiguration: the qualification is undefined (§28.2.1). Inside an MMIO region the core made the hole
 * deliberately: the MMIO path. Anywhere else the core built a bad entry: a core bug, so the VM is killed and
 * the entry of each level is logged. */
#include "../guest_mem.h"
#include "exits.h"

#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>

#define EPTQ_READ (1ull << 0)
#define EPTQ_WRITE (1ull << 1)
#define EPTQ_FETCH (1ull << 2)
#define EPTQ_READABLE (1ull << 3)
#define EPTQ_WRITABLE (1ull << 4)
#define EPTQ_EXECUTABLE (1ull << 5)
#define EPTQ_GLA_VALID (1ull << 7)
#define EPTQ_GLA_TRANSLATED (1ull << 8)
#define EPTQ_NMI_UNBLOCKING (1ull << 12)

static const char *access_name(enum hv_access a)
{
    if (a & HV_ACCESS_WRITE)
        return "write";
    if (a & HV_ACCESS_FETCH)
        return "instruction fetch";
    if (a & HV_ACCESS_READ)
        return "read";
    return "access";
}

/* Before re-executing the faulting instruction: the event being delivered goes again, and NMI blocking that
 * an IRET lifted comes back (the IRET re-executes and lifts it again). */
static void prepare_reexecute(struct hv_vm *vm, uint64_t qual)
{
    uint32_t idt = (uint32_t)hv_vmread(vm, VMCS_IDT_VECTORING_INFO);
    if (idt & INTR_INFO_VALID) {
        /* §28.2.4: bits 7:0 vector, 10:8 type, 11 error code valid, 31 valid; bit 12 is undefined there and
         * reserved in the VM-entry field (§25.8.3), hence the mask. Bit 12 of the qualification is
         * undefined in this case too (§28.2.3). */
        uint32_t err = (idt & INTR_INFO_DELIVER_ERROR_CODE) ? (uint32_t)hv_vmread(vm, VMCS_IDT_VECTORING_ERROR_CODE) : 0;
        uint32_t len = (uint32_t)hv_vmread(vm, VMCS_VM_EXIT_INSTRUCTION_LENGTH);
        hv_inject_event(vm, idt & 0x80000fffu, err, len);
        return;
    }
    /* §28.2.3: bit 12 set means the faulting access came from an IRET that unblocked NMIs; the VMM must set
     * "blocking by NMI" (interruptibility bit 3, §25.4.2 Table 25-3) before re-executing it. */
    if (qual & EPTQ_NMI_UNBLOCKING) {
        uint32_t intr = (uint32_t)hv_vmread(vm, VMCS_GUEST_INTERRUPTIBILITY_STATE);
        hv_vmwrite(vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, intr | INTERRUPTIBILITY_NMI);
    }
}

enum hv_exit_action hv_exit_ept_violation(struct hv_vm *vm, const struct hv_exit *e)
{
    uint64_t q = e->qualification;
    uint64_t gpa = hv_vmread(vm, VMCS_GUEST_PHYSICAL_ADDRESS);
    vm->stats.ept_violations++;
    if (vm->dead)
        return HV_EXIT_KILL;
    unsigned acc = ((q & EPTQ_READ) ? HV_ACCESS_READ : 0) | ((q & EPTQ_WRITE) ? HV_ACCESS_WRITE : 0) |
                   ((q & EPTQ_FETCH) ? HV_ACCESS_FETCH : 0);
    enum hv_access access = (enum hv_access)acc;
    const struct hv_region *r;
    enum hv_gpa_kind kind = hv_gpa_classify(vm, gpa, &r);

    switch (kind) {
    case HV_GPA_RAM: {
        if (!acc)
            return hv_vm_kill(vm, "EPT violation at GPA 0x%llx reports no access (qualification 0x%llx, SDM Vol. 3 "
                              "§28.2.1 Table 28-7)", (unsigned long long)gpa, (unsigned long long)q);
        bool was_backed = hv_ept_lookup(vm, gpa) != 0;
        hv_paddr_t pa;
        switch (hv_guest_ram_back(vm, gpa, &pa)) {
        case HV_RAM_BACKED:
            if (was_backed) {
                /* Mapped RWX already: the translation the processor used was stale. Invalidate and retry. */
                hv_ept_invalidate(vm);
            } else {
                vm->stats.pages_faulted++;
            }
            if (vm->dead)
                return HV_EXIT_KILL;
            prepare_reexecute(vm, q); /* RIP stays: the instruction re-executes */
            return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
        case HV_RAM_QUOTA:
            return hv_vm_kill(vm, "memory quota exceeded: guest %s at GPA 0x%llx needs a page beyond the quota "
                              "(%llu pages)", access_name(access), (unsigned long long)gpa,
                              (unsigned long long)vm->ram_quota);
        case HV_RAM_NO_MEMORY:
            return hv_vm_kill(vm, "host out of pages backing guest %s at GPA 0x%llx", access_name(access),
                              (unsigned long long)gpa);
        default:
            return hv_vm_kill(vm, "EPT violation: %s to GPA 0x%llx that is not RAM", access_name(access),
                              (unsigned long long)gpa);
        }
    }
    case HV_GPA_ROM:
        if (acc & HV_ACCESS_WRITE)
            return hv_vm_kill(vm, "EPT violation: write to ROM at GPA 0x%llx (region %s)", (unsigned long long)gpa,
                              r && r->name ? r->name : "(unnamed)");
        if (acc && hv_ept_lookup(vm, gpa)) {
            hv_ept_invalidate(vm); /* read/fetch of a mapped R-X page: stale translation, retry */
            if (vm->dead)
                return HV_EXIT_KILL;
            prepare_reexecute(vm, q);
            return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
        }
        return hv_vm_kill(vm, "EPT violation: %s of ROM at GPA 0x%llx that is not mapped (qualification 0x%llx)",
                          access_name(access), (unsigned long long)gpa, (unsigned long long)q);
    case HV_GPA_MMIO:
    case HV_GPA_MMIO_NP:
        return hv_mmio_dispatch(vm, r, gpa, access);
    default:
        return hv_vm_kill(vm, "EPT violation: %s to unmapped GPA 0x%llx", access_name(access),
                          (unsigned long long)gpa);
    }
}

enum hv_exit_action hv_exit_ept_misconfig(struct hv_vm *vm, const struct hv_exit *e)
{
    (void)e; /* the qualification of exit 49 is undefined (SDM Vol. 3 §28.2.1) */
    uint64_t gpa = hv_vmread(vm, VMCS_GUEST_PHYSICAL_ADDRESS);
    vm->stats.ept_misconfigs++;
    if (vm->dead)
        return HV_EXIT_KILL;
    const struct hv_region *r;
    if (hv_gpa_classify(vm, gpa, &r) == HV_GPA_MMIO)
        return hv_mmio_dispatch(vm, r, gpa, HV_ACCESS_UNKNOWN);

    uint64_t ent[5] = {0, 0, 0, 0, 0};
    unsigned n = hv_ept_walk(vm, gpa, ent);
    char line[HV_MESSAGE_MAX * 2];
    hv_snprintf(line, sizeof line,
                "EPT misconfiguration at GPA 0x%llx outside any MMIO region (%u-level walk, root first): "
                "0x%llx 0x%llx 0x%llx 0x%llx 0x%llx (%u read)",
                (unsigned long long)gpa, vm->ept_levels, (unsigned long long)ent[0], (unsigned long long)ent[1],
                (unsigned long long)ent[2], (unsigned long long)ent[3], (unsigned long long)ent[4], n);
    hv_arch_log(vm->cpu->arch, line);
    return hv_vm_kill(vm, "EPT misconfiguration at GPA 0x%llx not in an MMIO region (core bug); EPT entries %llx %llx "
                      "%llx %llx %llx", (unsigned long long)gpa, (unsigned long long)ent[0],
                      (unsigned long long)ent[1], (unsigned long long)ent[2], (unsigned long long)ent[3],
                      (unsigned long long)ent[4]);
}
