/* fuzz_devices: the virtual hardware (hv-core/src/devices: UART, PIC, PIT, i8042, framebuffer, IPC) of one
 * VM with every device, driven by a fuzzed sequence of guest port reads and writes (at the devices' ports and
 * around them), framebuffer MMIO accesses, hypercalls, and host events (keys, serial input, time passing,
 * host messages). The replay engine checks the device invariants (oracle.c: hvs_oracles_devices) after each
 * step, together with the entry checks, RIP and liveness oracles. A finding aborts. */
#include "fuzz_common.h"

#include <hv/vm.h>

#define FZ_FB_GPA 0x200000u /* a hole in the 4 MiB of RAM, as in examples/devices/framebuffer.hvt */

/* The device ports (and a neighbour each side through the low bits below). */
static const uint16_t ports[] = {0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x60, 0x64,
                                 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x80, 0x92, 0xcf8};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fz_scenario z;
    struct fz f = {data, size};
    fz_scenario_init(&z, "bochs-haswell", 1024);
    uint8_t cfg = fz_u8(&f);
    uint32_t w = 1 + (cfg & 63), h = 1 + fz_u8(&f) % 64;
    fz_add(&z, HVS_CONFIG_DEVICES, HV_DEV_ALL, FZ_FB_GPA, w, h, 0, NULL, 0);
    static const uint8_t sizes[3] = {1, 2, 4};
    while (f.n && z.s.nrecords < FZ_MAX_RECORDS - 2) {
        uint8_t tag = fz_u8(&f);
        switch (tag % 8) {
        case 0: case 1: { /* port write */
            uint8_t k = fz_u8(&f);
            uint16_t port = (k & 0x80) ? fz_u16(&f) : ports[k % (sizeof ports / sizeof ports[0])];
            fz_add(&z, HVS_PORT_OUT, port, sizes[(tag >> 3) % 3], fz_u32(&f), 0, 0, NULL, 0);
            break;
        }
        case 2: { /* port read */
            uint8_t k = fz_u8(&f);
            uint16_t port = (k & 0x80) ? fz_u16(&f) : ports[k % (sizeof ports / sizeof ports[0])];
            fz_add(&z, HVS_PORT_IN, port, sizes[(tag >> 3) % 3], 0, 0, 0, NULL, 0);
            break;
        }
        case 3: { /* framebuffer access: a MOV store or load inside (or just past) the frame */
            uint32_t off = fz_u16(&f) % (w * h * 4 + 64);
            static const uint8_t store[2] = {0x89, 0x07}, load[2] = {0x8b, 0x07}; /* mov [rdi],eax / eax,[rdi] */
            fz_add(&z, HVS_SET_GPR, HVS_REG_RDI, FZ_FB_GPA + off, 0, 0, 0, NULL, 0);
            bool wr = tag & 0x10;
            fz_add(&z, HVS_MEM_INSN, FZ_FB_GPA + off, wr ? 2 : 1, fz_u32(&f), 0, 0, wr ? store : load, 2);
            break;
        }
        case 4: /* host: a key (scancode or character) or a serial byte */
            if (tag & 0x10)
                fz_add(&z, HVS_SERIAL_IN, fz_u8(&f), 0, 0, 0, 0, NULL, 0);
            else
                fz_add(&z, HVS_KEY, fz_u8(&f), (tag >> 5) & 1, 0, 0, 0, NULL, 0);
            break;
        case 5: /* virtual time passes (PIT deadlines, UART timing) */
            fz_add(&z, HVS_WAIT, (uint64_t)fz_u16(&f) * 1000u, 0, 0, 0, 0, NULL, 0);
            break;
        case 6: { /* a hypercall: IPC register/notify/unregister with fuzzed arguments, or another number */
            uint8_t k = fz_u8(&f);
            fz_add(&z, HVS_VMCALL, k % 9, fz_u64(&f) & 0xffffffu, fz_u8(&f), fz_u32(&f), 0, NULL, 0);
            break;
        }
        default: { /* a host->guest message of up to 16 bytes, or an interrupt arriving */
            if (tag & 0x10) {
                uint8_t b[16];
                size_t n = fz_u8(&f) % 17;
                for (size_t i = 0; i < n; i++)
                    b[i] = fz_u8(&f);
                fz_add(&z, HVS_HOST_MSG, 0, 0, 0, 0, 0, b, n);
            } else {
                fz_add(&z, HVS_EXT_INTERRUPT, 32 + fz_u8(&f) % 224, 0, 0, 0, 0, NULL, 0);
            }
            break;
        }
        }
    }
    fz_replay(&z.s, "fuzz_devices");
    return 0;
}
