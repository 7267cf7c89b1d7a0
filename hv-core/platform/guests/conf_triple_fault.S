/* conf-triple-fault guest: UD2 with the core's empty guest IDT (no present gate): #UD cannot be delivered
 * (#NP/#GP on the gate), the #GP cannot either, so #DF, whose delivery fails too: a triple fault, which in
 * VMX non-root operation is a VM exit, reason 2 (SDM Vol. 3 §26.2, §6.15 "Interrupt 8"). */
    .section .rodata.hvkit_guest_conf_triple_fault, "a"
    .code64
    .globl hvkit_guest_conf_triple_fault_start
    .globl hvkit_guest_conf_triple_fault_end
hvkit_guest_conf_triple_fault_start:
    ud2
1:  jmp 1b
hvkit_guest_conf_triple_fault_end:

    .section .note.GNU-stack, "", @progbits
