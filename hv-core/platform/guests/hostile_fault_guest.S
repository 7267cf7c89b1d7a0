/* The hostile-fault guest: UD2 with the IDT the core gives a PROGRAM64 guest (every gate not present). The
 * #UD cannot be delivered (#NP on the gate), that fault neither, so the processor reaches a shutdown
 * condition: a triple-fault VM exit (SDM Vol. 3 §26.2, exit reason 2), which the core answers by killing
 * the VM. main/hostile_fault.c checks that the host carries on. Linked as bytes only, like smoke_guest.S. */
    .section .rodata.hvkit_guest_hostile_fault, "a"
    .code64
    .globl hvkit_guest_hostile_fault_start
    .globl hvkit_guest_hostile_fault_end
hvkit_guest_hostile_fault_start:
    ud2
1:  jmp 1b
hvkit_guest_hostile_fault_end:

    .section .note.GNU-stack, "", @progbits
