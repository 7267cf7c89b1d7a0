/* The core's internal API: what the files of hv-core/src share. Nothing here is for users (see hv/vm.h). */
#ifndef HV_CORE_H
#define HV_CORE_H

#include <hv/arch.h>
#include <hv/vm.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define HV_PAGE_SIZE 4096u

/* ---- freestanding helpers (fmt.c) ---------------------------------------------------------------------- */
void hv_memset(void *dst, int c, size_t n);
void hv_memcpy(void *dst, const void *src, size_t n);
size_t hv_strlen(const char *s);
/* printf subset: %s %c %d %u %x %lx %llx %lu %llu %ld %lld, with optional 0-padding width (%08x). Always
 * NUL-terminates; returns the length it would have written. */
int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- VMCS access (vmcs_access.c) ------------------------------------------------------------------------
 * VMREAD/VMWRITE of the VM's VMCS (current on vm->cpu). A failure of either on a field the core chose is a
 * core bug: the VM is killed naming the field and the SDM error, and a read returns 0. */
uint64_t hv_vmread(struct hv_vm *vm, uint32_t encoding);
void hv_vmwrite(struct hv_vm *vm, uint32_t encoding, uint64_t value);
/* "VMfailValid(12): VMREAD/VMWRITE from/to unsupported VMCS component" and the like. */
void hv_describe_vmx_result(char *buf, size_t size, const char *insn, struct hv_vmx_result r);

/* ---- a VM exit as the handlers see it -------------------------------------------------------------------- */
struct hv_exit {
    uint32_t reason_field;  /* the exit-reason field (SDM Vol. 3 §25.9.1) */
    uint32_t basic;         /* bits 15:0 */
    uint64_t qualification; /* SDM Vol. 3 §28.2.1 */
    uint32_t instr_len;     /* VM-exit instruction length, where the SDM defines it (§28.2.5) */
};

/* exit.c: the dispatch table (indexed by basic exit reason, SDM Vol. 3 Appendix C). */
enum hv_exit_action hv_exit_dispatch(struct hv_vm *vm, const struct hv_exit *e);
/* After an emulated instruction: guest RIP += VM-exit instruction length (SDM Vol. 3 §28.2.5), and the
 * interruptibility state's STI/MOV-SS blocking cleared, as retiring an instruction does. */
void hv_guest_advance_rip(struct hv_vm *vm, const struct hv_exit *e);

/* inject.c: event injection through the VM-entry interruption-information field (SDM Vol. 3 §27.6). */
void hv_inject_exception(struct hv_vm *vm, uint8_t vector, bool has_error_code, uint32_t error_code);
void hv_inject_ud(struct hv_vm *vm);
void hv_inject_gp0(struct hv_vm *vm);

/* msr policy (msr_virt.c): fill the 4-KiB MSR bitmap (SDM Vol. 3 §25.6.9): 1 = exit. */
void hv_msr_bitmap_fill(struct hv_vm *vm, uint8_t *bitmap);
/* Once the MSR-switch areas are filled (vmcs_setup.c): let the guest access the MSRs they switch directly. */
void hv_msr_bitmap_pass_switched(struct hv_vm *vm);

/* ---- pages the VM owns (vm.c) ---------------------------------------------------------------------------- */
hv_paddr_t hv_vm_page_alloc(struct hv_vm *vm); /* zeroed; counted in vm->pages_owned; 0 on failure */
void hv_vm_page_free(struct hv_vm *vm, hv_paddr_t pa);
void *hv_vm_page_ptr(struct hv_vm *vm, hv_paddr_t pa);

#endif
