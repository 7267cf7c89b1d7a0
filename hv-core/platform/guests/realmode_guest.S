/* The real-mode guest: 16-bit code run as a "booted machine" (HV_GUEST_REAL_MODE, needs unrestricted guest)
 * from the state the core gives it (hv-core/src/vmcs_setup.c): CR0.PE = PG = 0, every segment selector and
 * base 0 with a 64-KiB limit, IP = cfg.entry, SP = cfg.stack, RFLAGS.IF = 0. main/realmode.c loads it at
 * 0000:7C00 (where a BIOS loads a boot sector) and runs it. Linked into the kernel as bytes only (a read-only
 * section, never executed by the host). Position-independent: every address is an immediate.
 *
 * The guest-physical layout is realmode_layout.h (main/realmode.c checks every effect against it).
 *
 * Expected exits, in order (what main/realmode.c checks; lengths are the encodings gas emits for .code16):
 *   CPUID (10)            leaf 40000000H (66 B8 imm32 sets EAX; 0F A2, 2 bytes): EBX = "hvki"
 *   I/O instruction (30)  OUT DX, EAX of that EBX to RM_PORT (66 EF, 2 bytes: the operand-size prefix
 *                         makes the 16-bit default 32 bits, SDM Vol. 1 §3.6)
 *   I/O instruction (30)  IN AX, DX from RM_PORT (ED, 1 byte): the test's handler answers RM_IN_VALUE
 *   EPT violation (48)    MOV [RM_LAZY_GPA], AX (A3 disp16): the first write to page 0 (the real-mode IVT
 *                         and BIOS data area), which nothing backed: the core backs it, the write re-executes
 *   EPT misconfig (49)    MOV WORD ES:[0], RM_MMIO_VALUE with ES = B800H (26 C7 06 00 00 imm16): a character
 *                         cell of the VGA text buffer at GPA B8000H, an MMIO region; the core decodes the
 *                         16-bit instruction (segment override, 16-bit ModRM) and emulates it
 *   VMCALL (18)           EAX = 0, HV_HC_VERSION (0F 01 C1): EAX becomes HV_HC_ABI_VERSION, stored to
 *                         RM_RESULT_GPA (page 0 is backed now: no exit)
 *   HLT (12)              IF = 0 and no devices: the run ends halted */
#include "realmode_layout.h"

#define HV_CPUID_LEAF_SIGNATURE 0x40000000 /* hv/hypercall.h */
#define HV_HC_VERSION 0                    /* hv/hypercall.h */

    .section .rodata.hvkit_guest_realmode, "a"
    .code16
    .globl hvkit_guest_realmode_start
    .globl hvkit_guest_realmode_end
hvkit_guest_realmode_start:
    mov $HV_CPUID_LEAF_SIGNATURE, %eax
    xor %ecx, %ecx
    cpuid                               /* CPUID exits unconditionally in VMX non-root (SDM Vol. 3 §26.1.2) */
    mov %ebx, %eax
    mov $RM_PORT, %dx
    out %eax, %dx                       /* the core's I/O bitmaps intercept every port (SDM Vol. 3 §26.1.3) */
    in %dx, %ax
    mov %ax, RM_LAZY_GPA                /* DS = 0: GPA 500H, an unbacked page: EPT violation, then retried */
    mov $RM_MMIO_SEGMENT, %ax
    mov %ax, %es                        /* real mode: ES base = selector << 4 (SDM Vol. 3 §20.1.1) */
    movw $RM_MMIO_VALUE, %es:0          /* EPT misconfiguration (SDM Vol. 3 §29.3.3.1) */
    xor %eax, %eax                      /* HV_HC_VERSION */
    vmcall                              /* VMCALL exits unconditionally in VMX non-root (SDM Vol. 3 §26.1.2) */
    mov %ax, RM_RESULT_GPA
    hlt                                 /* "HLT exiting" is set by the core */
1:  jmp 1b                              /* never reached: the run ends at HLT */
hvkit_guest_realmode_end:

    .section .note.GNU-stack, "", @progbits
