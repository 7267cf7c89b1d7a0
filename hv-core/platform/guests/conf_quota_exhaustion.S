/* conf-quota-exhaustion guest: writes one lazy RAM page after another (4 KiB apart from CONF1_LAZY_GPA)
 * until the VM's RAM quota is spent: each write is an EPT violation the core answers by backing the page
 * (exits/ept.c) while the quota lasts; the first one beyond it kills the VM ("memory quota exceeded"). */
#include "conf1_layout.h"

    .section .rodata.hvkit_guest_conf_quota_exhaustion, "a"
    .code64
    .globl hvkit_guest_conf_quota_exhaustion_start
    .globl hvkit_guest_conf_quota_exhaustion_end
hvkit_guest_conf_quota_exhaustion_start:
    mov $CONF1_LAZY_GPA, %esi
AT(conf_quota_at_store)
1:  mov %rsi, (%rsi)
    add $0x1000, %rsi
    jmp 1b
hvkit_guest_conf_quota_exhaustion_end:

    .section .note.GNU-stack, "", @progbits
