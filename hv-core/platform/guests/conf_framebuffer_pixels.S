/* conf-framebuffer-pixels: stores into the 16 x 16 framebuffer at CONF_FB_GPA reach the host's sink as
 * pixels (hv/dev_fb.h): 4-byte stores one pixel each, an 8-byte store two, a 2-byte store is dropped (a
 * partial pixel), a read returns 0 (reported), a store past the pixel array (inside the page) is dropped.
 * Pixel (x, y) is at byte (y * 16 + x) * 4. */
#include "conf_dev_layout.h"
#include "conf_dev_guest.h"

    .section .rodata.hvkit_guest_conf_framebuffer_pixels, "a"
    .code64
    .globl hvkit_guest_conf_framebuffer_pixels_start
    .globl hvkit_guest_conf_framebuffer_pixels_end
hvkit_guest_conf_framebuffer_pixels_start:
    mov $CONF_REPORT_GPA, %edi
    mov $CONF_FB_GPA, %esi
    movl $0x00ff0000, (%rsi)        /* (0, 0) red */
    movl $0x0000ff00, 60(%rsi)      /* (15, 0) green */
    movl $0x000000ff, 960(%rsi)     /* (0, 15) blue */
    movl $0x00123456, 468(%rsi)     /* (5, 7) */
    mov $0x00abcdef00fedcba, %rax
    mov %rax, 200(%rsi)             /* (2, 3) = 0xfedcba, (3, 3) = 0xabcdef */
    movw $0x1234, 8(%rsi)           /* half a pixel: dropped */
    mov 12(%rsi), %eax              /* a read: 0 */
    REPORT_EAX
    movl $0x00ffffff, 1024(%rsi)    /* pixel 256: past the 16 x 16 array, dropped */
    hlt
hvkit_guest_conf_framebuffer_pixels_end:

    .section .note.GNU-stack, "", @progbits
