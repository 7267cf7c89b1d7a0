/* fuzz_ept: the EPT code (ept.c, mmio.c, guest_mem.c) driven by a fuzzed sequence of operations on one VM:
 * MMIO region adds (misconfiguration or not-present kind, at fuzzed GPAs and sizes, inside or outside RAM,
 * overlapping or not), guest memory accesses and instructions at fuzzed GPAs (lazy backing, MMIO emulation,
 * holes), host writes to guest memory, and a RAM quota. The replay engine checks oracle 4 (every EPT entry
 * the core wrote is well-formed, maps only pages the VM owns, and MMIO ranges are not backed) together with
 * the sim's EPT walker (misconfigurations it finds must be the intentional MMIO ones) after the memory
 * operations and at teardown, and the page balance after destroy. A finding aborts.
 *
 * Input: byte 0 selects the quota (0: none, else 1..255 pages); then ops of one tag byte and fields. */
#include "fuzz_common.h"

#define FZ_EPT_PAGES 1024u /* 4 MiB of guest RAM */

/* A fuzzed GPA: mostly near RAM's end and the 4-GiB boundary, sometimes anywhere below 2^48. */
static uint64_t fuzz_gpa(struct fz *f)
{
    uint8_t sel = fz_u8(f);
    switch (sel & 3) {
    case 0: return (uint64_t)fz_u16(f) << 6;                                  /* first 4 MiB, 64-byte steps */
    case 1: return ((uint64_t)FZ_EPT_PAGES << 12) - 0x8000 + (fz_u16(f) & 0xffff); /* around RAM's end */
    case 2: return 0xfec00000ull + ((uint64_t)fz_u32(f) & 0x3fffff);          /* below 4 GiB (APIC, BIOS) */
    default: return fz_u64(f) & 0xffffffffffffull;                            /* anywhere */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fz_scenario z;
    struct fz f = {data, size};
    fz_scenario_init(&z, "bochs-haswell", FZ_EPT_PAGES);
    uint8_t quota = fz_u8(&f);
    if (quota)
        fz_add(&z, HVS_CONFIG_QUOTA, quota, 0, 0, 0, 0, NULL, 0);
    while (f.n) {
        uint8_t tag = fz_u8(&f);
        static const uint8_t sizes[4] = {1, 2, 4, 8};
        static const uint8_t accesses[3] = {1, 2, 4};
        switch (tag % 5) {
        case 0: { /* an MMIO region: page-aligned GPA, 1..16 pages (sometimes unaligned to test refusal) */
            uint64_t gpa = fuzz_gpa(&f);
            uint8_t pages = fz_u8(&f);
            if (!(pages & 0x80))
                gpa &= ~0xfffull;
            uint64_t len = (uint64_t)((pages & 15) + 1) << 12;
            if (pages & 0x40)
                len = (uint64_t)fz_u32(&f) << 12; /* huge or zero */
            fz_add(&z, HVS_MMIO_REGION, gpa, len, (pages & 0x20) ? 3 : 2, 0, 0, NULL, 0);
            break;
        }
        case 1: { /* a guest memory access */
            uint64_t gpa = fuzz_gpa(&f);
            uint8_t k = fz_u8(&f);
            fz_add(&z, HVS_MEM_ACCESS, gpa, accesses[k % 3], sizes[(k >> 2) & 3], fz_u64(&f), 1 + (k >> 4) % 15,
                   NULL, 0);
            break;
        }
        case 2: { /* a guest instruction accessing memory: bytes from the input. Unless bit 3 of k says to
                   * keep the registers as they are, RDI and RSI point at the GPA (the guest's identity map
                   * makes it the operand of [rdi] and of string instructions) and RCX is 1 (one REP pass). */
            uint64_t gpa = fuzz_gpa(&f);
            uint8_t k = fz_u8(&f);
            if (!(k & 8)) {
                fz_add(&z, HVS_SET_GPR, HVS_REG_RDI, gpa, 0, 0, 0, NULL, 0);
                fz_add(&z, HVS_SET_GPR, HVS_REG_RSI, gpa, 0, 0, 0, NULL, 0);
                fz_add(&z, HVS_SET_GPR, HVS_REG_RCX, 1, 0, 0, 0, NULL, 0);
            }
            uint8_t b[15];
            size_t n = 1 + (k >> 4) % 15;
            for (size_t i = 0; i < n; i++)
                b[i] = fz_u8(&f);
            fz_add(&z, HVS_MEM_INSN, gpa, accesses[k % 3], fz_u64(&f), 0, 0, b, n);
            break;
        }
        case 3: { /* the host writes guest memory */
            uint64_t gpa = fuzz_gpa(&f);
            uint8_t b[8];
            for (int i = 0; i < 8; i++)
                b[i] = fz_u8(&f);
            fz_add(&z, HVS_SET_MEM, gpa, 0, 0, 0, 0, b, 8);
            break;
        }
        default: { /* a forced EPT violation / misconfiguration with fuzzed qualification (hostile hardware) */
            uint8_t k = fz_u8(&f);
            uint64_t q = fz_u64(&f);
            fz_add(&z, HVS_SET_GPR, HVS_REG_RAX, fuzz_gpa(&f), 0, 0, 0, NULL, 0);
            fz_add(&z, HVS_FORCE_EXIT, (k & 1) ? 49 : 48, q, 1 + (k >> 1) % 15, 0, 0, NULL, 0);
            break;
        }
        }
        if (z.s.nrecords >= FZ_MAX_RECORDS - 4)
            break;
    }
    fz_replay(&z.s, "fuzz_ept");
    return 0;
}
