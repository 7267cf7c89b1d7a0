/* Event injection through the VM-entry interruption-information field (SDM Vol. 3 §25.8.3, Table 25-17):
 * the next VM entry delivers the event through the guest's IDT as if it had happened in the guest
 * (§27.6). A fault leaves guest RIP where it is (the faulting instruction restarts), so no handler that
 * injects a fault advances RIP. */
#include "exits/exits.h"

#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>

#define VEC_DE 0u
#define VEC_NMI 2u
#define VEC_DF 8u
#define VEC_TS 10u
#define VEC_NP 11u
#define VEC_SS 12u
#define VEC_AC 17u
#define VEC_CP 21u

bool hv_exception_has_error_code(uint8_t vector)
{
    /* SDM Vol. 3 §6.3.1 Table 6-1 ("Error Code" column) and the VM-entry check of §27.2.1.3: #DF(8),
     * #TS(10), #NP(11), #SS(12), #GP(13), #PF(14), #AC(17), #CP(21). */
    return vector == VEC_DF || (vector >= VEC_TS && vector <= VEC_PF) || vector == VEC_AC || vector == VEC_CP;
}

/* Exception classes for the double-fault rules (SDM Vol. 3 §6.15, Table 6-4 / 6-5). */
enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE_FAULT, EXC_DOUBLE_FAULT };

static enum exc_class exc_class(uint32_t vector)
{
    switch (vector) {
    case VEC_DE: case VEC_TS: case VEC_NP: case VEC_SS: case VEC_GP:
        return EXC_CONTRIBUTORY;
    case VEC_PF:
        return EXC_PAGE_FAULT;
    case VEC_DF:
        return EXC_DOUBLE_FAULT;
    default:
        return EXC_BENIGN;
    }
}

void hv_inject_event(struct hv_vm *vm, uint32_t info, uint32_t error_code, uint32_t instr_len)
{
    uint32_t type = INTR_INFO_TYPE(info);
    uint32_t vector = INTR_INFO_VECTOR(info);

    /* Two events for one entry: the field holds one. If an exception is already pending (a handler, or a
     * re-injected event, got there first), combine as the processor would when a second exception occurs
     * while delivering the first (SDM Vol. 3 §6.15 Table 6-5): contributory+contributory and #PF+(#PF or
     * contributory) become #DF(0); anything on top of #DF is a triple fault (shutdown); otherwise the first
     * event stands (benign exceptions are handled serially, and the later one recurs when the first returns). */
    uint32_t pending = (uint32_t)hv_vmread(vm, VMCS_VM_ENTRY_INTERRUPTION_INFO);
    if ((pending & INTR_INFO_VALID) && INTR_INFO_TYPE(pending) == INTR_TYPE_HW_EXCEPTION &&
        type == INTR_TYPE_HW_EXCEPTION) {
        enum exc_class first = exc_class(INTR_INFO_VECTOR(pending)), second = exc_class(vector);
        if (first == EXC_DOUBLE_FAULT && second != EXC_BENIGN) {
            hv_vm_kill(vm, "triple fault: exception %u while delivering #DF (SDM Vol. 3 §6.15)", vector);
            return;
        }
        if ((first == EXC_CONTRIBUTORY && second == EXC_CONTRIBUTORY) ||
            (first == EXC_PAGE_FAULT && second != EXC_BENIGN)) {
            info = INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << 8) | INTR_INFO_DELIVER_ERROR_CODE | VEC_DF;
            error_code = 0; /* #DF's error code is always 0 (SDM Vol. 3 §6.15, "Interrupt 8") */
        } else {
            return;
        }
    }

    hv_vmwrite(vm, VMCS_VM_ENTRY_INTERRUPTION_INFO, info | INTR_INFO_VALID);
    if (info & INTR_INFO_DELIVER_ERROR_CODE)
        hv_vmwrite(vm, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
    /* Software interrupts and software/privileged software exceptions push the address of the next
     * instruction, which the entry computes from the VM-entry instruction length (SDM Vol. 3 §25.8.3,
     * §27.6.1.1). */
    if (type == INTR_TYPE_SW_INTERRUPT || type == INTR_TYPE_PRIV_SW_EXCEPTION || type == INTR_TYPE_SW_EXCEPTION)
        hv_vmwrite(vm, VMCS_VM_ENTRY_INSTRUCTION_LENGTH, instr_len);
    if (type == INTR_TYPE_HW_EXCEPTION || type == INTR_TYPE_SW_EXCEPTION || type == INTR_TYPE_PRIV_SW_EXCEPTION)
        vm->stats.injected_exceptions++;
}

void hv_inject_exception(struct hv_vm *vm, uint8_t vector, bool has_error_code, uint32_t error_code)
{
    (void)has_error_code; /* the vector decides: see below */
    if (vector > 31) {
        hv_vm_kill(vm, "core bug: injecting hardware exception with vector %u (must be 0..31, SDM Vol. 3 §27.2.1.3)",
                   vector);
        return;
    }
    /* NMI has its own interruption type (SDM Vol. 3 §25.8.3 Table 25-17: type 2 for vector 2). */
    uint32_t type = vector == VEC_NMI ? INTR_TYPE_NMI : INTR_TYPE_HW_EXCEPTION;
    uint32_t info = INTR_INFO_VALID | (type << 8) | vector;
    /* "Deliver error code" must be 1 exactly for the vectors that push one, and only when the guest is in
     * protected mode (CR0.PE = 1) — VM entry checks both (SDM Vol. 3 §27.2.1.3); a real-mode guest
     * (unrestricted guest) gets no error code. The caller's flag is not trusted to agree. */
    bool pe = (hv_vmread(vm, VMCS_GUEST_CR0) & CR0_PE) != 0;
    if (type == INTR_TYPE_HW_EXCEPTION && pe && hv_exception_has_error_code(vector))
        info |= INTR_INFO_DELIVER_ERROR_CODE;
    hv_inject_event(vm, info, error_code, 0);
}

void hv_inject_ud(struct hv_vm *vm)
{
    hv_inject_exception(vm, VEC_UD, false, 0);
}

void hv_inject_gp0(struct hv_vm *vm)
{
    hv_inject_exception(vm, VEC_GP, true, 0);
}
