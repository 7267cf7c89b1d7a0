/* The virtual framebuffer (hv-core/src/devices/framebuffer.c): attachment and its configuration checks,
 * pixel writes of every size reaching the host sink at the right (x, y), reads, partial and out-of-range
 * accesses, fetches refused. The decoded MOV stores through the MMIO path are the replay acceptance's
 * (tests/test_devices_replay.c). */
#include "core.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "testlib.h"

#include <string.h>

#define FB 0x200000ull

struct env {
    struct sim_machine *m;
    struct hv_arch_cpu *a;
    struct hv_cpu cpu;
    struct hv_vm vm;
    uint32_t px[16][16];
    unsigned npx;
};

static void sink(void *opaque, uint32_t x, uint32_t y, uint32_t pixel)
{
    struct env *e = opaque;
    CHECK(x < 16 && y < 16);
    if (x < 16 && y < 16)
        e->px[y][x] = pixel;
    e->npx++;
}

static enum hv_err make(struct env *e, uint64_t gpa, uint32_t w, uint32_t h)
{
    memset(e, 0, sizeof *e);
    e->m = sim_machine_create(sim_profile_find("bochs-haswell"), 2048, 1);
    e->a = sim_machine_cpu(e->m, 0);
    CHECK_EQ_U64(hv_cpu_init(&e->cpu, e->a), HV_OK);
    struct hv_vm_config cfg = {.memory_size = 1ull << 20, .mode = HV_GUEST_PROGRAM64, .entry = 0x1000, .stack = 0x8000,
                               .devices = HV_DEV_FB, .fb_gpa = gpa, .fb_width = w, .fb_height = h,
                               .fb_sink = sink, .fb_opaque = e};
    return hv_vm_create(&e->vm, &e->cpu, &cfg);
}

static void down(struct env *e)
{
    CHECK(hv_fb_check(&e->vm.dev.fb) == NULL);
    hv_vm_destroy(&e->vm);
    hv_cpu_fini(&e->cpu);
    CHECK_EQ_U64(sim_pages_in_use(e->m), 0);
    sim_machine_destroy(e->m);
}

static bool xfer(struct env *e, uint64_t gpa, enum hv_access acc, unsigned size, uint64_t value, uint64_t *out)
{
    struct hv_mmio_access a = {.gpa = gpa, .access = acc, .size = size, .value = value};
    bool ok = hv_fb_mmio(NULL, &e->vm, &a);
    if (out)
        *out = a.value;
    return ok;
}

static struct env E;

TEST_CASE(fb_attach_adds_mmio_region)
{
    CHECK_EQ_U64(make(&E, FB, 16, 16), HV_OK);
    CHECK(E.vm.dev.fb.attached);
    CHECK_EQ_U64(E.vm.dev.fb.bytes, 16 * 16 * 4);
    bool found = false;
    for (unsigned i = 0; i < E.vm.nregions; i++)
        if (E.vm.regions[i].gpa == FB && E.vm.regions[i].size == 4096 && E.vm.regions[i].type == HV_REGION_MMIO)
            found = true;
    CHECK(found);
    CHECK(!hv_gpa_is_ram(&E.vm, FB, 4));
    down(&E);
}

TEST_CASE(fb_bad_geometry_fails_creation_cleanly)
{
    CHECK_EQ_U64(make(&E, FB, 0, 16), HV_ERR_BAD_CONFIG);
    CHECK(strstr(E.vm.message, "framebuffer") != NULL);
    down(&E);
    CHECK_EQ_U64(make(&E, FB, 16, 4097), HV_ERR_BAD_CONFIG);
    down(&E);
    CHECK_EQ_U64(make(&E, FB + 4, 16, 16), HV_ERR_BAD_CONFIG); /* not page-aligned: add_region refuses */
    CHECK(strstr(E.vm.message, "framebuffer at") != NULL);
    down(&E);
}

TEST_CASE(fb_pixel_writes_reach_sink)
{
    CHECK_EQ_U64(make(&E, FB, 16, 16), HV_OK);
    CHECK(xfer(&E, FB, HV_ACCESS_WRITE, 4, 0x00ff0000, NULL));
    CHECK_EQ_U64(E.px[0][0], 0x00ff0000);
    CHECK(xfer(&E, FB + (3 * 16 + 5) * 4, HV_ACCESS_WRITE, 4, 0x0000ff00, NULL));
    CHECK_EQ_U64(E.px[3][5], 0x0000ff00);
    /* 8 bytes: two pixels, low dword first; across a row end */
    CHECK(xfer(&E, FB + (16 + 15) * 4, HV_ACCESS_WRITE, 8, 0x0000000200000001ull, NULL));
    CHECK_EQ_U64(E.px[1][15], 1);
    CHECK_EQ_U64(E.px[2][0], 2);
    CHECK_EQ_U64(E.npx, 4);
    CHECK_EQ_U64(E.vm.dev.fb.pixels_written, 4);
    down(&E);
}

TEST_CASE(fb_partial_and_out_of_range_dropped)
{
    CHECK_EQ_U64(make(&E, FB, 10, 10), HV_OK); /* 400 bytes in a 4-KiB region */
    CHECK(xfer(&E, FB, HV_ACCESS_WRITE, 1, 0xff, NULL));
    CHECK(xfer(&E, FB + 2, HV_ACCESS_WRITE, 2, 0xffff, NULL));
    CHECK(xfer(&E, FB + 2, HV_ACCESS_WRITE, 4, 0xffffffff, NULL)); /* misaligned */
    CHECK_EQ_U64(E.vm.dev.fb.partial_writes, 3);
    CHECK(xfer(&E, FB + 400, HV_ACCESS_WRITE, 4, 1, NULL));
    CHECK(xfer(&E, FB + 396, HV_ACCESS_WRITE, 8, 1, NULL)); /* half inside: dropped whole */
    CHECK(xfer(&E, FB + 4092, HV_ACCESS_WRITE, 4, 1, NULL));
    CHECK_EQ_U64(E.vm.dev.fb.out_of_range, 3);
    CHECK_EQ_U64(E.npx, 0);
    down(&E);
}

TEST_CASE(fb_reads_return_zero_fetch_refused)
{
    CHECK_EQ_U64(make(&E, FB, 16, 16), HV_OK);
    xfer(&E, FB, HV_ACCESS_WRITE, 4, 0x123456, NULL);
    uint64_t v = 77;
    CHECK(xfer(&E, FB, HV_ACCESS_READ, 4, 0, &v));
    CHECK_EQ_U64(v, 0);
    CHECK_EQ_U64(E.vm.dev.fb.reads, 1);
    CHECK(!xfer(&E, FB, HV_ACCESS_FETCH, 4, 0, NULL));
    CHECK(!xfer(&E, FB, HV_ACCESS_WRITE, 3, 0, NULL)); /* a size the MMIO path never gives */
    CHECK(!xfer(&E, FB - 4, HV_ACCESS_WRITE, 4, 0, NULL));
    down(&E);
}

TEST_CASE(fb_invariant_trips_on_planted_state)
{
    CHECK_EQ_U64(make(&E, FB, 16, 16), HV_OK);
    E.vm.dev.fb.bytes = 5;
    CHECK(hv_fb_check(&E.vm.dev.fb) != NULL);
    E.vm.dev.fb.bytes = 16 * 16 * 4;
    E.vm.dev.fb.width = 0;
    CHECK(hv_fb_check(&E.vm.dev.fb) != NULL);
    E.vm.dev.fb.width = 16;
    down(&E);
}
