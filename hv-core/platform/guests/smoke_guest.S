/* The smoke guest: 64-bit code run as "program in VM" (HV_GUEST_PROGRAM64) at SMOKE_CODE_GPA with the page
 * tables, GDT and TSS the core builds. Linked into the kernel as bytes only (a read-only data section, never
 * executed by the host); main/smoke.c copies [hvkit_guest_smoke_start, hvkit_guest_smoke_end) into the VM.
 * Position-independent: every address it uses is an immediate GPA from smoke_layout.h.
 *
 * Expected exits, in order (what main/smoke.c checks):
 *   CPUID (10)            leaf 40000000H, the hypervisor's signature leaf (hv/hypercall.h): EBX = "hvki"
 *   I/O instruction (30)  OUT DX, EAX of that EBX to SMOKE_PORT (4 bytes)
 *   EPT violation (48)    first write to SMOKE_LAZY_GPA; the core backs the page and the write re-executes
 *   EPT misconfig (49)    a 4-byte store of SMOKE_MMIO_VALUE into the MMIO hole; the core decodes and
 *                         emulates it through the region's handler
 *   VMCALL (18)           RAX = 0, HV_HC_VERSION (hv/hypercall.h): RAX becomes HV_HC_ABI_VERSION
 *   HLT (12)              with RFLAGS.IF = 0 and no devices nothing can wake it: the run ends halted */
#include "smoke_layout.h"

#define HV_CPUID_LEAF_SIGNATURE 0x40000000 /* hv/hypercall.h */
#define HV_HC_VERSION 0                    /* hv/hypercall.h */

    .section .rodata.hvkit_guest_smoke, "a"
    .code64
    .globl hvkit_guest_smoke_start
    .globl hvkit_guest_smoke_end
hvkit_guest_smoke_start:
    mov $HV_CPUID_LEAF_SIGNATURE, %eax
    xor %ecx, %ecx
    cpuid                               /* CPUID exits unconditionally in VMX non-root (SDM Vol. 3 §26.1.2) */
    mov %ebx, %eax
    mov $SMOKE_PORT, %edx
    out %eax, %dx                       /* exits: the core's I/O bitmaps intercept every port */
    mov $SMOKE_LAZY_GPA, %edi
    movl $SMOKE_LAZY_VALUE, (%rdi)      /* EPT violation on the unbacked page, then retried */
    mov $SMOKE_MMIO_GPA, %esi
    movl $SMOKE_MMIO_VALUE, (%rsi)      /* EPT misconfiguration: C7 06 imm32, decoded by the core */
    mov $HV_HC_VERSION, %eax
    vmcall                              /* VMCALL exits unconditionally (SDM Vol. 3 §26.1.2) */
    hlt                                 /* "HLT exiting" is set by the core */
1:  jmp 1b                              /* never reached: the run ends at HLT */
hvkit_guest_smoke_end:

    .section .note.GNU-stack, "", @progbits
