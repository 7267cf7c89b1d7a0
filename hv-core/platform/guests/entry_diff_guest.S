/* The VM-entry differential's guest (main/entry_diff.c): a successful VM entry must come back at once, so
 * the first instruction is CPUID, which exits unconditionally in VMX non-root operation (SDM Vol. 3 §26.1.2).
 * HLT and a loop follow in case a mutated state starts elsewhere; the base state also arms the VMX-preemption
 * timer (exit reason 52) when the processor has it, so a guest that never exits is cut off. Bytes only. */
    .section .rodata.hvkit_guest_entry_diff, "a"
    .code64
    .globl hvkit_guest_entry_diff_start
    .globl hvkit_guest_entry_diff_end
hvkit_guest_entry_diff_start:
    cpuid
    hlt
1:  jmp 1b
hvkit_guest_entry_diff_end:

    .section .note.GNU-stack, "", @progbits
