/* conf-ept-misconfig guest: a MOV store into the MMIO region (the core's intentional EPT misconfiguration:
 * emulated), then a load from the scratch page, whose EPT entry the host side made write-only (RWX = 010, a
 * misconfiguration, SDM Vol. 3 §29.3.3.1) outside any MMIO region: the core kills the VM. */
#include "conf1_layout.h"

    .section .rodata.hvkit_guest_conf_ept_misconfig, "a"
    .code64
    .globl hvkit_guest_conf_ept_misconfig_start
    .globl hvkit_guest_conf_ept_misconfig_end
hvkit_guest_conf_ept_misconfig_start:
    RESULTS_INIT
    mov $CONF1_MMIO_GPA, %esi
    movl $0x1234, (%rsi)
AT(conf_emc_1)
    mov (CONF1_SCRATCH_GPA), %eax
    hlt
1:  jmp 1b
hvkit_guest_conf_ept_misconfig_end:

    .section .note.GNU-stack, "", @progbits
