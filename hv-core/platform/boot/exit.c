/* Ending a run (platform.h): the HVKIT-END line, then every way out we know, in an order where each one is
 * harmless on the machines where it does nothing. */
#include "boot.h"

#define QEMU_DEBUG_EXIT_PORT 0xF4 /* -device isa-debug-exit,iobase=0xf4,iosize=0x04: exits (v << 1) | 1 */

void platform_exit(enum platform_status status) {
    con_printf("HVKIT-END status=%u\n", (unsigned)status);
    con_flush();
    outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
    /* Bochs' magic breakpoint (magic_break: enabled=1) stops in the debugger, whose rc file says "quit". */
    __asm__ volatile("xchg %%bx, %%bx" ::: "memory");
    for (;;)
        __asm__ volatile("cli; hlt");
}
