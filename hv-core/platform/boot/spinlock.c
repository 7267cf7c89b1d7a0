/* A test-and-test-and-set spinlock that remembers which CPU holds it (index + 1), so the crash handler can
 * recognise a lock its own CPU took before faulting. Interrupts are always off in the hypervisor, so no
 * handler can re-enter a lock except the exception path, which uses con_break_lock_for_crash. */
#include "boot.h"

static uint32_t my_tag(void) {
    struct hv_arch_cpu *self = platform_this_cpu();
    return self ? self->index + 1 : 1;
}

void spin_lock(struct spinlock *l) {
    uint32_t tag = my_tag();
    for (;;) {
        uint32_t expected = 0;
        if (__atomic_compare_exchange_n(&l->owner, &expected, tag, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
        while (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != 0)
            cpu_relax();
    }
}

void spin_unlock(struct spinlock *l) { __atomic_store_n(&l->owner, 0, __ATOMIC_RELEASE); }
