/* The smoke guest's guest-physical layout, shared by the guest program (smoke_guest.S) and the test that runs
 * it (main/smoke.c). Plain integer literals only (no C suffixes), so the assembler can use them too.
 *
 * A PROGRAM64 VM of SMOKE_MEMORY bytes: the core identity-maps the first min(memory, 1 GiB) with 2-MiB pages
 * and puts its five system pages (PML4, PDPT, PD, GDT+IDT, TSS) at the top of RAM (hv-core/src/guest_mem.h:
 * [SMOKE_MEMORY - 5 pages, SMOKE_MEMORY) = [0x3fb000, 0x400000)). Everything below is the program's:
 *   0x001000  code (copied in with hv_gpa_write, so its page is backed before the first entry)
 *   0x008000  initial RSP (the program never touches the stack; its page stays unbacked)
 *   0x200000  the lazily mapped page: never written by the host, so the first guest write is an EPT violation
 *             the core answers by backing the page (hv-core/src/exits/ept.c)
 *   0x300000  the MMIO hole (HV_REGION_MMIO over RAM: EPT misconfiguration, SDM Vol. 3 §29.3.3.1), one page
 * All of them lie inside the guest's own identity map (the first 4 MiB), so no guest #PF is possible. */
#ifndef HVKIT_SMOKE_LAYOUT_H
#define HVKIT_SMOKE_LAYOUT_H

#define SMOKE_MEMORY 0x400000       /* 4 MiB of guest RAM */
#define SMOKE_QUOTA_PAGES 16        /* 5 system pages + code + the lazy page, with room to spare */
#define SMOKE_CODE_GPA 0x1000
#define SMOKE_STACK_TOP 0x8000
#define SMOKE_LAZY_GPA 0x200000
#define SMOKE_MMIO_GPA 0x300000
#define SMOKE_MMIO_SIZE 0x1000
#define SMOKE_PORT 0x510            /* a port no PC device claims; the test claims it with hv_vm_add_ports */
#define SMOKE_LAZY_VALUE 0x5a5a1234 /* what the guest writes into the lazy page */
#define SMOKE_MMIO_VALUE 0xc0ffee11 /* what the guest writes into the MMIO hole */

#endif
