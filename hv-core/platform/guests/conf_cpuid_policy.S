/* conf-cpuid-policy guest: what the guest sees for the leaves the core virtualizes (exits/cpuid.c). Each
 * CPUID starts with junk in bits 63:32 of RAX/RBX/RCX/RDX, which the result must clear (a 32-bit register
 * write zero-extends, SDM Vol. 1 §3.4.1.1); each stores EAX, EBX, ECX, EDX as 64-bit result slots:
 *   slots 0-3    leaf 0            the processor's (vendor, max leaf)
 *   slots 4-7    leaf 1            ECX: VMX (5), x2APIC (21) clear, hypervisor (31) set, OSXSAVE (27) = guest
 *                                  CR4.OSXSAVE (0 here: the core's CR4 for a PROGRAM64 guest has it clear)
 *   slots 8-11   leaf 40000000H    EAX 40000001H, "hvkithvkithv" (hv/hypercall.h)
 *   slots 12-15  leaf 40000001H    EAX the ABI version, EBX the hypercall count, ECX = EDX = 0
 *   slots 16-19  leaf 400000FFH    an unused hypervisor leaf: all 0
 * Every CPUID exits (SDM Vol. 3 §26.1.2), 2 bytes (0F A2): 5 exits, then HLT. */
#include "conf1_layout.h"

#define JUNK 0xdead000000000000

    .macro LEAF leaf, after
    mov $JUNK, %rax
    mov %rax, %rbx
    mov %rax, %rcx
    mov %rax, %rdx
    or $\leaf, %rax
    cpuid
    AT(\after)
    RESULT(%rax)
    RESULT(%rbx)
    RESULT(%rcx)
    RESULT(%rdx)
    .endm

    .section .rodata.hvkit_guest_conf_cpuid_policy, "a"
    .code64
    .globl hvkit_guest_conf_cpuid_policy_start
    .globl hvkit_guest_conf_cpuid_policy_end
hvkit_guest_conf_cpuid_policy_start:
    RESULTS_INIT
    LEAF 0, conf_cpuid_after0
    LEAF 1, conf_cpuid_after1
    LEAF 0x40000000, conf_cpuid_after2
    LEAF 0x40000001, conf_cpuid_after3
    LEAF 0x400000ff, conf_cpuid_after4
    hlt
1:  jmp 1b
hvkit_guest_conf_cpuid_policy_end:

    .section .note.GNU-stack, "", @progbits
