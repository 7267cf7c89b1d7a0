/* The processors, from ACPI: RSDP (the multiboot2 tag's copy) -> XSDT or RSDT -> MADT ("APIC"), whose
 * Processor Local APIC entries name every CPU (ACPI 6.x §5.2.5, §5.2.7, §5.2.8, §5.2.12). Firmware tables
 * are input we did not write: every checksum is verified, every length is bounded by its table and by the
 * identity map, and a table that fails gets a message and is not used. */
#include "boot.h"

#define SDT_HEADER_LEN 36u
#define SDT_MAX_LEN (1u << 20)
#define MADT_FIXED_LEN 44u /* header + local APIC address u32 + flags u32 */
#define MADT_LOCAL_APIC 0
#define MADT_LAPIC_OVERRIDE 5
#define MADT_LOCAL_X2APIC 9
#define MADT_CPU_ENABLED 1u
#define MADT_CPU_ONLINE_CAPABLE 2u

static uint32_t rd32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static bool checksum_ok(const uint8_t *p, size_t len) {
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum == 0;
}

/* A system description table at pa with the given signature, or NULL with a message. */
static const uint8_t *map_sdt(uint64_t pa, const char *sig, bool quiet) {
    uint64_t limit = paging_identity_limit();
    if (pa == 0 || pa >= limit || limit - pa < SDT_HEADER_LEN) {
        if (!quiet)
            con_printf("hvkit: acpi: %s at 0x%lx is outside mapped memory\n", sig, pa);
        return NULL;
    }
    const uint8_t *t = (const uint8_t *)(uintptr_t)pa;
    if (memcmp(t, sig, 4) != 0) {
        if (!quiet)
            con_printf("hvkit: acpi: table at 0x%lx is not %s\n", pa, sig);
        return NULL;
    }
    uint32_t len = rd32(t + 4);
    if (len < SDT_HEADER_LEN || len > SDT_MAX_LEN || limit - pa < len) {
        con_printf("hvkit: acpi: %s at 0x%lx has bad length %u\n", sig, pa, len);
        return NULL;
    }
    if (!checksum_ok(t, len)) {
        con_printf("hvkit: acpi: %s at 0x%lx fails its checksum\n", sig, pa);
        return NULL;
    }
    return t;
}

static const uint8_t *find_madt(void) {
    size_t rlen;
    const uint8_t *rsdp = mb2_rsdp(&rlen);
    if (!rsdp) {
        con_puts("hvkit: acpi: GRUB passed no RSDP (no ACPI tag)");
        return NULL;
    }
    /* RSDP: "RSD PTR ", checksum over the first 20 bytes; revision >= 2 adds a length, the XSDT address and
     * an extended checksum over that length (ACPI §5.2.5.3). */
    if (rlen < 20 || memcmp(rsdp, "RSD PTR ", 8) != 0 || !checksum_ok(rsdp, 20)) {
        con_puts("hvkit: acpi: the RSDP is malformed or fails its checksum");
        return NULL;
    }
    uint64_t root;
    unsigned entry_size;
    const char *root_sig;
    uint32_t xlen = rlen >= 36 ? rd32(rsdp + 20) : 0;
    if (rsdp[15] >= 2 && rlen >= 36 && xlen >= 36 && xlen <= rlen && checksum_ok(rsdp, xlen) && rd64(rsdp + 24)) {
        root = rd64(rsdp + 24), entry_size = 8, root_sig = "XSDT";
    } else {
        root = rd32(rsdp + 16), entry_size = 4, root_sig = "RSDT";
    }
    const uint8_t *rt = map_sdt(root, root_sig, false);
    if (!rt)
        return NULL;
    uint32_t n = (rd32(rt + 4) - SDT_HEADER_LEN) / entry_size;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = rt + SDT_HEADER_LEN + (size_t)i * entry_size;
        uint64_t pa = entry_size == 8 ? rd64(e) : rd32(e);
        uint64_t limit = paging_identity_limit();
        if (pa == 0 || pa >= limit || limit - pa < SDT_HEADER_LEN)
            continue;
        if (memcmp((const uint8_t *)(uintptr_t)pa, "APIC", 4) == 0)
            return map_sdt(pa, "APIC", false);
    }
    con_printf("hvkit: acpi: the %s lists no MADT\n", root_sig);
    return NULL;
}

bool acpi_find_cpus(struct acpi_cpus *out) {
    const uint8_t *madt = find_madt();
    out->count = 0;
    if (!madt)
        return false;
    uint32_t len = rd32(madt + 4);
    if (len < MADT_FIXED_LEN) {
        con_printf("hvkit: acpi: MADT of %u bytes is too short\n", len);
        return false;
    }
    out->lapic_base = rd32(madt + 36);
    unsigned skipped = 0;
    for (uint32_t off = MADT_FIXED_LEN; off + 2 <= len;) {
        const uint8_t *e = madt + off;
        uint8_t type = e[0], elen = e[1];
        if (elen < 2 || elen > len - off) {
            con_printf("hvkit: acpi: MADT entry at offset %u has bad length %u\n", off, elen);
            break;
        }
        if (type == MADT_LOCAL_APIC && elen >= 8) {
            uint32_t flags = rd32(e + 4);
            if (flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE)) {
                if (out->count < PLATFORM_MAX_CPUS)
                    out->apic_id[out->count++] = e[3];
                else
                    skipped++;
            }
        } else if (type == MADT_LAPIC_OVERRIDE && elen >= 12) {
            out->lapic_base = rd64(e + 4);
        } else if (type == MADT_LOCAL_X2APIC && elen >= 16) {
            skipped++; /* x2APIC IDs > 255 cannot be started through the xAPIC this platform drives */
        }
        off += elen;
    }
    if (skipped)
        con_printf("hvkit: acpi: %u processors not used (over %u, or x2APIC-only)\n", skipped, PLATFORM_MAX_CPUS);
    return out->count > 0;
}
