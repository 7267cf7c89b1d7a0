/* The non-processor services of hv/arch.h, on top of boot/ (platform.h): pages, time, log. */
#include "vmx_internal.h"

/* boot/'s allocator zeroes on allocation (platform.h), as hv/arch.h requires. */
hv_paddr_t hv_arch_page_alloc(struct hv_arch_cpu *cpu)
{
    (void)cpu;
    return pmm_alloc_page();
}

void hv_arch_page_free(struct hv_arch_cpu *cpu, hv_paddr_t page)
{
    (void)cpu;
    if (page)
        pmm_free_page(page);
}

void *hv_arch_phys_to_virt(struct hv_arch_cpu *cpu, hv_paddr_t pa)
{
    (void)cpu;
    return pa ? platform_phys_to_virt(pa) : (void *)0;
}

uint64_t hv_arch_time_ns(struct hv_arch_cpu *cpu)
{
    (void)cpu;
    return platform_time_ns();
}

/* One console line per call. The core's record mode writes lines that begin "HVREC " and must reach the
 * console exactly as written (the importer parses them); every other line is the core's prose and gets the
 * prefix "hv-core: ", so nothing the core logs (guest console bytes included) can pass for a machine-readable
 * HVKIT-* line. Control characters become '?', so one call is always one line. */
#define LOG_LINE_MAX 480u

static bool starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return false;
    return true;
}

void hv_arch_log(struct hv_arch_cpu *cpu, const char *line)
{
    (void)cpu;
    char buf[LOG_LINE_MAX + 1];
    size_t n = 0;
    if (!line)
        line = "";
    bool record = starts_with(line, "HVREC ");
    for (; line[n] && n < LOG_LINE_MAX; n++) {
        unsigned char c = (unsigned char)line[n];
        buf[n] = (c < 0x20u || c == 0x7fu) ? '?' : (char)c;
    }
    buf[n] = '\0';
    const char *cut = line[n] ? "..." : "";
    if (record)
        con_printf("%s%s\n", buf, cut);
    else
        con_printf("hv-core: %s%s\n", buf, cut);
}
