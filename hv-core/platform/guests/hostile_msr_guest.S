/* The hostile-msr guest: tries to change a host MSR that no VMCS field or MSR area switches,
 * IA32_MTRR_DEF_TYPE (2FFH, SDM Vol. 3 §13.11.2.1): writing 0 would turn the MTRRs off and make all of the
 * host's memory uncacheable. Whether WRMSR exits is the MSR bitmap's choice (SDM Vol. 3 §25.6.9); either way
 * the host's value must be the same after the run (main/hostile_msr.c checks). Then HLT ends the run (or,
 * if the core answered the WRMSR with #GP, the guest has no IDT and triple-faults: the VM is killed, which
 * is also fine). Linked as bytes only, like smoke_guest.S. */
#define MSR_IA32_MTRR_DEF_TYPE 0x2ff

    .section .rodata.hvkit_guest_hostile_msr, "a"
    .code64
    .globl hvkit_guest_hostile_msr_start
    .globl hvkit_guest_hostile_msr_end
hvkit_guest_hostile_msr_start:
    mov $MSR_IA32_MTRR_DEF_TYPE, %ecx
    xor %eax, %eax
    xor %edx, %edx
    wrmsr
    hlt
1:  jmp 1b
hvkit_guest_hostile_msr_end:

    .section .note.GNU-stack, "", @progbits
