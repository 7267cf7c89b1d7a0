/* The guest-physical layout every device/interrupt conformance case shares (guests/conf_<name>.S and
 * main/conf_<name>.c, through main/conf_dev.h). Plain integer literals only, so the assembler can use them.
 *
 * A PROGRAM64 VM of 4 MiB (hv-core/src/guest_mem.h: the core identity-maps it and puts PML4, PDPT, PD,
 * GDT+IDT and TSS in the top five pages, [0x3fb000, 0x400000)):
 *   0x001000  the guest program (copied in by the host)
 *   0x007000  the stack page, RSP 0x8000 at entry: backed by the host before the first entry, so the
 *             processor's pushes while delivering an interrupt never meet an unbacked page
 *   0x010000  IPC transmit ring, 0x020000 IPC receive ring (ipc-ring)
 *   0x200000  a lazily backed RAM page (intr-window-sti: an EPT violation in an interrupt shadow), or the
 *             framebuffer (framebuffer-pixels)
 *   0x300000  the report region: an MMIO page (EPT misconfiguration, SDM Vol. 3 §29.3.3.1) whose every
 *             store the host logs in order. A guest reports what it observed with MOV [RDI], AL/EAX/RAX
 *             (88 07 / 89 07 / 48 89 07) with RDI = CONF_REPORT_GPA, so both lanes see the same values: the
 *             bootable host in its handler, the sim in its `mmio` trace events.
 *   0x3fc800  the IDT the core built (128 gates, all not present): guests install their own gates there. */
#ifndef HVKIT_CONF_DEV_LAYOUT_H
#define HVKIT_CONF_DEV_LAYOUT_H

#define CONF_MEMORY 0x400000
#define CONF_QUOTA_PAGES 32
#define CONF_CODE_GPA 0x1000
#define CONF_STACK_PAGE 0x7000
#define CONF_STACK_TOP 0x8000
#define CONF_IPC_TX_GPA 0x10000
#define CONF_IPC_RX_GPA 0x20000
#define CONF_LAZY_GPA 0x200000
#define CONF_FB_GPA 0x200000
#define CONF_REPORT_GPA 0x300000
#define CONF_IDT_GPA 0x3fc800
#define CONF_SEL_CODE 0x08

/* Markers guests report around the values they observed. */
#define CONF_MARK_READY 0xaa   /* the guest is ready for the host's event */
#define CONF_MARK_RESUMED 0xbb /* the instruction after HLT / the interrupt ran */

#endif
