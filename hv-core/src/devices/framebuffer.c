/* The virtual framebuffer (hv/dev_fb.h): an MMIO region whose pixel writes go to the host sink.
 *
 * The MMIO path (mmio.c) hands over one data transfer at a time with its GPA, size and value; everything
 * in it is the guest's choice, so offsets are checked against the pixel array before any pixel is formed,
 * and the work per transfer is at most two pixels. */
#include "../core.h"

void hv_fb_init(struct hv_fb *fb, uint64_t gpa, uint32_t width, uint32_t height)
{
    hv_memset(fb, 0, sizeof *fb);
    fb->gpa = gpa;
    fb->width = width;
    fb->height = height;
    fb->bytes = (uint64_t)width * height * 4u;
}

static void put_pixel(struct hv_vm *vm, uint64_t index, uint32_t pixel)
{
    struct hv_fb *fb = &vm->dev.fb;
    uint32_t x = (uint32_t)(index % fb->width), y = (uint32_t)(index / fb->width);
    if (vm->cfg.fb_sink)
        vm->cfg.fb_sink(vm->cfg.fb_opaque, x, y, pixel);
    fb->pixels_written++;
}

bool hv_fb_mmio(void *opaque, struct hv_vm *vm, struct hv_mmio_access *a)
{
    (void)opaque;
    struct hv_fb *fb = &vm->dev.fb;
    if (!fb->attached || a->gpa < fb->gpa)
        return false; /* not ours: the core kills the VM naming the access */
    uint64_t off = a->gpa - fb->gpa;
    unsigned size = a->size;
    if (size != 1 && size != 2 && size != 4 && size != 8)
        return false; /* the MMIO path promises 1, 2, 4 or 8; anything else is a core bug, not a pixel */
    if (a->access == HV_ACCESS_READ) {
        a->value = 0;
        fb->reads++;
        if (off >= fb->bytes || size > fb->bytes - off)
            fb->out_of_range++;
        return true;
    }
    if (a->access != HV_ACCESS_WRITE)
        return false; /* executing the framebuffer: refuse (the VM is killed) */
    if (off >= fb->bytes || size > fb->bytes - off) {
        fb->out_of_range++;
        return true;
    }
    if ((off & 3u) || size < 4) {
        fb->partial_writes++; /* cannot merge with a pixel the core does not keep */
        return true;
    }
    put_pixel(vm, off / 4, (uint32_t)a->value);
    if (size == 8)
        put_pixel(vm, off / 4 + 1, (uint32_t)(a->value >> 32));
    return true;
}

const char *hv_fb_check(const struct hv_fb *fb)
{
    if (!fb->attached)
        return NULL;
    if (!fb->width || !fb->height || fb->width > HV_FB_MAX_DIM || fb->height > HV_FB_MAX_DIM)
        return "framebuffer: geometry outside 1..4096";
    if (fb->bytes != (uint64_t)fb->width * fb->height * 4u)
        return "framebuffer: byte size differs from width * height * 4";
    if (fb->gpa & 0xfffu)
        return "framebuffer: GPA not page-aligned";
    return NULL;
}
