/* The virtual framebuffer: a linear array of width x height pixels of 32 bits (0x00RRGGBB, little-endian in
 * memory: byte 0 blue, 1 green, 2 red, 3 ignored), row after row, at a guest-physical address of the VM's
 * configuration (hv_vm_config.fb_gpa / fb_width / fb_height). It is an MMIO region (HV_REGION_MMIO: an
 * intentional EPT misconfiguration), so every guest access exits and is decoded by the MMIO path (mmio.c);
 * the seed's "virtual framebuffer ... at vm exit we examine this instruction".
 *
 * The core keeps no pixel buffer (a 1024x768 frame would be 768 pages the VM never asked for); the host
 * sink (hv_vm_config.fb_sink) receives every pixel written and owns the picture. Therefore:
 *   - a write of 4 bytes at a 4-byte-aligned offset is one pixel, 8 bytes at a 4-byte-aligned offset two;
 *   - a write that covers part of a pixel (1 or 2 bytes, or a misaligned one) cannot be merged without the
 *     old value: it is dropped and counted (partial_writes);
 *   - reads return 0 and are counted (guests draw; they do not read the frame back);
 *   - the region is rounded up to whole pages: bytes past width * height * 4 read 0 and drop writes
 *     (counted in out_of_range);
 *   - an instruction fetch from the framebuffer kills the VM (the handler refuses it).
 * None of this ever faults the guest: a framebuffer is plain memory to it. */
#ifndef HV_DEV_FB_H
#define HV_DEV_FB_H

#include <stdbool.h>
#include <stdint.h>

#define HV_FB_MAX_DIM 4096u /* width and height each 1..4096 */

struct hv_fb {
    bool attached;
    uint64_t gpa, bytes;       /* the pixel array: width * height * 4 bytes from gpa */
    uint32_t width, height;
    uint64_t pixels_written;   /* pixels delivered to the sink (or dropped there for want of one) */
    uint64_t partial_writes;   /* sub-pixel or misaligned writes (dropped) */
    uint64_t out_of_range;     /* accesses past the pixel array, inside the region's last page */
    uint64_t reads;            /* reads (answered 0) */
};

struct hv_vm;
struct hv_mmio_access;
/* Record the configured geometry; devices.c adds the MMIO region. */
void hv_fb_init(struct hv_fb *fb, uint64_t gpa, uint32_t width, uint32_t height);
/* The region's handler (hv_mmio_fn); opaque unused (the state is vm->dev.fb). */
bool hv_fb_mmio(void *opaque, struct hv_vm *vm, struct hv_mmio_access *a);
/* Oracle 6: NULL when the state is legal, else the broken invariant. */
const char *hv_fb_check(const struct hv_fb *fb);

#endif
