/* The multiboot2 boot information (Multiboot2 spec §3.6): a u32 total size, a reserved u32, then tags, each
 * 8-byte aligned with a u32 type and u32 size, ending with type 0. GRUB wrote it, but we still bound every
 * length by the total size so a malformed block gives a message, not a wild read. What boot/ needs is copied
 * out (command line, memory map, module list, RSDP), so nothing depends on the block after parsing except
 * the module strings, which pmm never hands out. */
#include "boot.h"

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14 /* a copy of the ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW 15 /* a copy of the ACPI 2.0+ RSDP */
#define MB2_INFO_MAX (1u << 20)
#define CMDLINE_MAX 1024u
#define RSDP_MAX 64u

static char cmdline[CMDLINE_MAX];
static struct mb2_mmap_entry mmap_entries[MB2_MMAP_MAX];
static unsigned mmap_n;
static struct boot_module modules[MB2_MODULES_MAX];
static unsigned modules_n;
static uint8_t rsdp_new[RSDP_MAX], rsdp_old[RSDP_MAX];
static size_t rsdp_new_len, rsdp_old_len;
static uint64_t info_start, info_end;

static uint32_t rd32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void copy_string(char *dst, size_t size, const uint8_t *src, size_t max) {
    size_t i = 0;
    for (; i + 1 < size && i < max && src[i]; i++)
        dst[i] = (char)src[i];
    dst[i] = '\0';
}

static void parse_mmap(const uint8_t *tag, uint32_t size) {
    if (size < 16)
        return;
    uint32_t entry_size = rd32(tag + 8); /* at least 24: base u64, length u64, type u32, reserved u32 */
    if (entry_size < 24 || entry_size > size)
        return;
    for (uint32_t off = 16; off + entry_size <= size && mmap_n < MB2_MMAP_MAX; off += entry_size) {
        const uint8_t *e = tag + off;
        mmap_entries[mmap_n++] = (struct mb2_mmap_entry){rd64(e), rd64(e + 8), rd32(e + 16)};
    }
}

static void parse_module(const uint8_t *tag, uint32_t size) {
    if (size < 16 || modules_n >= MB2_MODULES_MAX)
        return;
    uint64_t start = rd32(tag + 8), end = rd32(tag + 12);
    if (end < start)
        return;
    /* The string must be NUL-terminated inside the tag; a module whose string runs past it is ignored. */
    if (tag[size - 1] != '\0')
        return;
    modules[modules_n++] = (struct boot_module){start, end, (const char *)(tag + 16)};
}

static void copy_rsdp(uint8_t *dst, size_t *len, const uint8_t *tag, uint32_t size) {
    size_t n = size - 8;
    if (n > RSDP_MAX)
        n = RSDP_MAX;
    for (size_t i = 0; i < n; i++)
        dst[i] = tag[8 + i];
    *len = n;
}

bool mb2_parse(uint32_t magic, uint64_t info) {
    if (magic != MB2_BOOTLOADER_MAGIC) {
        con_printf("hvkit: not started by a multiboot2 loader (EAX=0x%x, expected 0x%x)\n", magic,
                   MB2_BOOTLOADER_MAGIC);
        return false;
    }
    if (info == 0 || (info & 7)) {
        con_printf("hvkit: multiboot2 information at 0x%lx is not 8-byte aligned\n", info);
        return false;
    }
    const uint8_t *base = (const uint8_t *)(uintptr_t)info;
    uint32_t total = rd32(base);
    /* entry.S identity-maps only the first 4 GiB so far: the block must lie there to be read at all. */
    if (total < 16 || total > MB2_INFO_MAX || info + total > ((uint64_t)BOOT_IDENTITY_BOOT_GIB << 30)) {
        con_printf("hvkit: multiboot2 information size %u is out of range\n", total);
        return false;
    }
    info_start = info;
    info_end = info + total;
    bool ended = false;
    for (uint32_t off = 8; off + 8 <= total;) {
        const uint8_t *tag = base + off;
        uint32_t type = rd32(tag), size = rd32(tag + 4);
        if (size < 8 || size > total - off) {
            con_printf("hvkit: multiboot2 tag type %u at offset %u has bad size %u\n", type, off, size);
            return false;
        }
        switch (type) {
        case MB2_TAG_END:
            ended = true;
            break;
        case MB2_TAG_CMDLINE:
            copy_string(cmdline, sizeof cmdline, tag + 8, size - 8);
            break;
        case MB2_TAG_MODULE:
            parse_module(tag, size);
            break;
        case MB2_TAG_MMAP:
            parse_mmap(tag, size);
            break;
        case MB2_TAG_ACPI_OLD:
            copy_rsdp(rsdp_old, &rsdp_old_len, tag, size);
            break;
        case MB2_TAG_ACPI_NEW:
            copy_rsdp(rsdp_new, &rsdp_new_len, tag, size);
            break;
        default:
            break;
        }
        if (ended)
            break;
        off += (size + 7) & ~7u;
    }
    if (mmap_n == 0) {
        con_puts("hvkit: the multiboot2 information has no memory map");
        return false;
    }
    return true;
}

unsigned mb2_mmap_count(void) { return mmap_n; }
const struct mb2_mmap_entry *mb2_mmap(unsigned i) { return i < mmap_n ? &mmap_entries[i] : NULL; }
uint64_t mb2_info_start(void) { return info_start; }
uint64_t mb2_info_end(void) { return info_end; }
unsigned boot_module_count(void) { return modules_n; }
const struct boot_module *boot_module(unsigned i) { return i < modules_n ? &modules[i] : NULL; }

const uint8_t *mb2_rsdp(size_t *len) {
    if (rsdp_new_len) {
        *len = rsdp_new_len;
        return rsdp_new;
    }
    *len = rsdp_old_len;
    return rsdp_old_len ? rsdp_old : NULL;
}

uint64_t mb2_usable_bytes(void) {
    uint64_t total = 0;
    for (unsigned i = 0; i < mmap_n; i++)
        if (mmap_entries[i].type == MB2_MEM_AVAILABLE)
            total += mmap_entries[i].length;
    return total;
}

const char *boot_cmdline(void) { return cmdline; }

const char *boot_cmdline_get(const char *key, char *buf, size_t size) {
    size_t klen = kstrlen(key);
    const char *p = cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *word = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - word) > klen && memcmp(word, key, klen) == 0 && word[klen] == '=') {
            const char *v = word + klen + 1;
            size_t n = (size_t)(p - v), i = 0;
            if (size == 0)
                return buf;
            for (; i < n && i + 1 < size; i++)
                buf[i] = v[i];
            buf[i] = '\0';
            return buf;
        }
    }
    return NULL;
}
