/* The multiboot2 header GRUB looks for in the first 32 KiB of the image, 8-byte aligned (Multiboot2 spec
 * §3.1.1). No optional tags: GRUB loads the ELF segments and jumps to the ELF entry in 32-bit protected
 * mode (§3.3), which is all entry.S needs. linker.ld keeps this section first. */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0

    .section .multiboot2, "a"
    .balign 8
mb2_header_start:
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header_start
    .long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header_start))
    /* end tag: type 0, flags 0, size 8 */
    .balign 8
    .short 0
    .short 0
    .long 8
mb2_header_end:
