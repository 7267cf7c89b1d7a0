/* The real-mode guest's guest-physical layout, shared by the guest program (realmode_guest.S) and the test
 * that runs it (main/realmode.c). Plain integer literals only (no C suffixes), so the assembler can use them
 * too.
 *
 * A HV_GUEST_REAL_MODE VM of RM_MEMORY bytes, no system pages (the core builds no tables for real mode):
 *   0x000500  in page 0 (the real-mode IVT and BIOS data area), unbacked until the guest writes the IN's value
 *             there: the EPT violation the core answers by backing the page (hv-core/src/exits/ept.c)
 *   0x000502  where the guest stores AX after VMCALL (page 0 is backed by then: no exit)
 *   0x007c00  the code, IP at entry with CS = 0 (where a BIOS loads a boot sector); SP starts here too, below
 *             the code as boot sectors do (the guest never pushes)
 *   0x0b8000  the VGA text buffer, B800:0000, an MMIO region (EPT misconfiguration, SDM Vol. 3 §29.3.3.1)
 * The guest runs with DS = 0, so its offsets are these GPAs. */
#ifndef HVKIT_REALMODE_LAYOUT_H
#define HVKIT_REALMODE_LAYOUT_H

#define RM_MEMORY 0x100000       /* 1 MiB: all real mode can address (without A20 wrap-around) */
#define RM_QUOTA_PAGES 8         /* the code page and page 0, with room to spare */
#define RM_CODE_GPA 0x7c00
#define RM_STACK_TOP 0x7c00
#define RM_PORT 0x520            /* a port no PC device claims; the test claims it with hv_vm_add_ports */
#define RM_IN_VALUE 0x1234       /* what the port handler answers the guest's IN AX, DX */
#define RM_LAZY_GPA 0x500        /* DS = 0: also the guest's offset */
#define RM_RESULT_GPA 0x502      /* DS = 0: also the guest's offset */
#define RM_MMIO_SEGMENT 0xb800   /* real mode: ES base = selector << 4 (SDM Vol. 3 §20.1.1) */
#define RM_MMIO_GPA 0xb8000      /* RM_MMIO_SEGMENT << 4 (main/realmode.c checks) */
#define RM_MMIO_SIZE 0x1000
#define RM_MMIO_VALUE 0x0748     /* 'H', light grey on black */

#endif
