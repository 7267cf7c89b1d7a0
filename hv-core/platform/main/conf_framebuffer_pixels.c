/* conf-framebuffer-pixels (conformance/cases/framebuffer-pixels.case): guest stores into the framebuffer
 * (an MMIO region: every access exits as an EPT misconfiguration, SDM Vol. 3 §29.3.3.1, and is decoded)
 * land at the host's sink as (x, y, 0x00RRGGBB) pixels, pixel (x, y) at byte (y * width + x) * 4; an 8-byte
 * store is two pixels; a 2-byte store is dropped (partial_writes), a read returns 0 (reads), a store past
 * width * height is dropped (out_of_range) (hv/dev_fb.h). Guest: guests/conf_framebuffer_pixels.S.
 *   HVKIT-RESULT conf-framebuffer-pixels PASS pixels=6 exits=<n> | FAIL <first difference> */
#include "conf_dev.h"

extern const uint8_t hvkit_guest_conf_framebuffer_pixels_start[], hvkit_guest_conf_framebuffer_pixels_end[];

static struct conf_dev fb_case;

static const struct conf_pixel expected_px[] = {
    {0, 0, 0x00ff0000}, {15, 0, 0x0000ff00}, {0, 15, 0x000000ff},
    {5, 7, 0x00123456}, {2, 3, 0x00fedcba},  {3, 3, 0x00abcdef},
};
#define NPX ((unsigned)(sizeof expected_px / sizeof expected_px[0]))

static bool check_fb(struct conf_dev *c)
{
    if (c->npx != NPX)
        return test_vm_fail(&c->t, "%u pixels reached the sink, expected %u", c->npx, NPX);
    for (unsigned i = 0; i < NPX; i++)
        if (c->px[i].x != expected_px[i].x || c->px[i].y != expected_px[i].y || c->px[i].pixel != expected_px[i].pixel)
            return test_vm_fail(&c->t, "pixel %u is (%u, %u) = 0x%06x, expected (%u, %u) = 0x%06x", i, c->px[i].x,
                                c->px[i].y, c->px[i].pixel, expected_px[i].x, expected_px[i].y, expected_px[i].pixel);
    const struct hv_fb *fb = &c->t.vm.dev.fb;
    if (fb->pixels_written != NPX || fb->partial_writes != 1 || fb->reads != 1 || fb->out_of_range != 1)
        return test_vm_fail(&c->t, "framebuffer counters written=%llu partial=%llu reads=%llu out_of_range=%llu, "
                                   "expected 6 1 1 1",
                            (unsigned long long)fb->pixels_written, (unsigned long long)fb->partial_writes,
                            (unsigned long long)fb->reads, (unsigned long long)fb->out_of_range);
    return true;
}

static enum test_outcome conf_framebuffer_pixels(const struct test_options *opt)
{
    const struct conf_dev_config cfg = {
        .devices = HV_DEV_FB,
        .fb_width = 16,
        .fb_height = 16,
        .code = hvkit_guest_conf_framebuffer_pixels_start,
        .code_end = hvkit_guest_conf_framebuffer_pixels_end,
    };
    struct conf_dev *c = &fb_case;
    enum test_outcome out = conf_dev_start(c, "conf-framebuffer-pixels", &cfg, VM_INDEX_CONF_BASE + 5u, opt);
    if (out != TEST_PASS)
        return out;
    enum hv_step_result r = conf_dev_run(c, 200, (conf_dev_hook)0, (void *)0);
    static const struct conf_expect expected[] = {{0, "a framebuffer read"}};
    bool ok = test_check_halted(&c->t, r) && conf_dev_expect_reports(c, expected, 1) && check_fb(c);
    return conf_dev_finish(c, ok, "pixels=%u", c->npx);
}

HVKIT_TEST("conf-framebuffer-pixels", conf_framebuffer_pixels);
