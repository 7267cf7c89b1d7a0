/* Layout constants shared by the boot assembly and C (no C declarations, so .S files can include it). */
#ifndef HVKIT_BOOT_LAYOUT_H
#define HVKIT_BOOT_LAYOUT_H

#define BOOT_STACK_SIZE 0x8000      /* 32 KiB kernel stack per CPU (also the VM-exit stack) */
#define BOOT_IST_STACK_SIZE 0x1000  /* 4 KiB per IST stack: #DF, NMI, #MC each get one */

/* Selectors of the per-CPU GDT (cpu_tables.c) and the boot GDT (entry.S) alike: a VM exit reloads them
 * from the VMCS host-state area, so they must have RPL 0 and TI 0 (SDM Vol. 3 §27.2.3). */
#define BOOT_SEL_CODE64 0x08
#define BOOT_SEL_DATA 0x10
#define BOOT_SEL_TSS 0x18

/* The boot page tables identity-map the first 4 GiB with 2-MiB pages (entry.S); paging.c extends the map
 * up to this limit when the memory map has RAM above 4 GiB. */
#define BOOT_IDENTITY_BOOT_GIB 4
#define BOOT_IDENTITY_MAX_GIB 64

#define MB2_BOOTLOADER_MAGIC 0x36d76289 /* EAX at entry (Multiboot2 spec §3.3) */

#endif
