/* The platform's self-tests and the weak default hvkit_main (replaced by main/'s when it is linked).
 *   pmm:  allocate up to SELFTEST_PAGES pages: each page-aligned, at or above 1 MiB, outside the kernel and
 *         the multiboot2 information, zeroed; each gets its own tag, and after all allocations every tag is
 *         still intact (a page handed out twice would have been zeroed again); all freed, count restored.
 *   time: platform_time_ns moves forward and never back over a 1-ms busy wait.
 *   smp:  every AP runs a function on its own CPU (GS base = its struct) and reports back.
 * selftest-crash (ud2 on the BSP) and selftest-crash-ap (ud2 on CPU 1) prove the exception path per CPU.
 * Each prints a "hvkit: selftest ..." line; the verdict is one HVKIT-RESULT selftest line. */
#include "boot.h"

#define SELFTEST_PAGES 2048u
#define PAGE_TAG 0x68766b6974706d6dull /* "hvkitpmm" */

bool boot_cmdline_has_test(const char *name) {
    char list[256];
    if (!boot_cmdline_get("hvkit.test", list, sizeof list))
        return false;
    size_t nlen = kstrlen(name);
    for (const char *p = list; *p;) {
        const char *item = p;
        while (*p && *p != ',')
            p++;
        if ((size_t)(p - item) == nlen && memcmp(item, name, nlen) == 0)
            return true;
        if (*p == ',')
            p++;
    }
    return false;
}

static bool selftest_pmm(char *detail, size_t size) {
    size_t before = pmm_free_pages();
    uint64_t kstart = (uintptr_t)_kernel_start, kend = (uintptr_t)_kernel_end;
    uint64_t head = 0; /* allocated pages form a list through their second word */
    unsigned n = 0;
    const char *why = NULL;
    for (; n < SELFTEST_PAGES; n++) {
        hv_paddr_t pa = pmm_alloc_page();
        if (!pa)
            break;
        uint64_t *p = platform_phys_to_virt(pa);
        if (pa & (PLATFORM_PAGE_SIZE - 1))
            why = "unaligned page";
        else if (pa < (1u << 20))
            why = "page below 1 MiB";
        else if (pa < kend && pa + PLATFORM_PAGE_SIZE > kstart)
            why = "page inside the kernel image";
        else if (pa < mb2_info_end() && pa + PLATFORM_PAGE_SIZE > mb2_info_start())
            why = "page inside the multiboot2 information";
        else if (!p)
            why = "page not identity-mapped";
        if (why) {
            ksnprintf(detail, size, "pmm: %s: 0x%lx", why, pa);
            return false;
        }
        for (unsigned w = 0; w < PLATFORM_PAGE_SIZE / 8; w += 64)
            if (p[w] != 0) {
                ksnprintf(detail, size, "pmm: page 0x%lx not zeroed", pa);
                return false;
            }
        p[0] = PAGE_TAG ^ pa;
        p[1] = head;
        head = pa;
    }
    if (n == 0) {
        ksnprintf(detail, size, "pmm: no page to allocate");
        return false;
    }
    if (pmm_free_pages() != before - n) {
        ksnprintf(detail, size, "pmm: free count %zu after %u allocations from %zu", pmm_free_pages(), n, before);
        return false;
    }
    bool dup = false;
    for (uint64_t pa = head; pa;) {
        uint64_t *p = platform_phys_to_virt(pa);
        if (p[0] != (PAGE_TAG ^ pa))
            dup = true;
        uint64_t next = p[1];
        pmm_free_page(pa);
        pa = next;
    }
    if (dup) {
        ksnprintf(detail, size, "pmm: a page was handed out twice");
        return false;
    }
    if (pmm_free_pages() != before) {
        ksnprintf(detail, size, "pmm: free count %zu after freeing, %zu before", pmm_free_pages(), before);
        return false;
    }
    con_printf("hvkit: selftest pmm: %u pages allocated, checked and freed; %zu of %zu free\n", n,
               pmm_free_pages(), pmm_total_pages());
    return true;
}

static bool selftest_time(char *detail, size_t size) {
    uint64_t t0 = platform_time_ns(), prev = t0, now = t0;
    for (unsigned long spins = 0; now - t0 < 1000000 && spins < 100000000ul; spins++) {
        now = platform_time_ns();
        if (now < prev) {
            ksnprintf(detail, size, "time: went back from %lu to %lu ns", prev, now);
            return false;
        }
        prev = now;
    }
    if (now - t0 < 1000000) {
        ksnprintf(detail, size, "time: only %lu ns passed in a long busy wait", now - t0);
        return false;
    }
    con_printf("hvkit: selftest time: 1 ms busy wait measured %lu ns (TSC %lu Hz)\n", now - t0, time_tsc_hz());
    return true;
}

static volatile uint32_t ap_ran[PLATFORM_MAX_CPUS];

static void ap_probe(struct hv_arch_cpu *cpu, void *arg) {
    (void)arg;
    /* 1 when the AP sees itself through its GS base, 2 when it does not: both are reported. */
    ap_ran[cpu->index] = platform_this_cpu() == cpu && lapic_id() == cpu->apic_id ? 1 : 2;
}

static bool selftest_smp(char *detail, size_t size) {
    unsigned n = platform_cpu_count();
    platform_run_on_aps(ap_probe, NULL);
    for (unsigned i = 1; i < n; i++) {
        if (ap_ran[i] != 1) {
            ksnprintf(detail, size, "smp: cpu %u %s", i, ap_ran[i] ? "ran on the wrong CPU" : "did not run");
            return false;
        }
    }
    con_printf("hvkit: selftest smp: %u CPU(s) online, %u AP(s) ran a function\n", n, n - 1);
    return true;
}

void boot_selftest_run(void) {
    char detail[160] = "";
    bool ok = selftest_pmm(detail, sizeof detail) && selftest_time(detail, sizeof detail) &&
              selftest_smp(detail, sizeof detail);
    if (!ok) {
        con_printf("HVKIT-RESULT selftest FAIL %s\n", detail);
        platform_exit(PLATFORM_FAIL);
    }
    con_printf("HVKIT-RESULT selftest PASS cpus=%u free_pages=%zu tsc_khz=%lu\n", platform_cpu_count(),
               pmm_free_pages(), time_tsc_hz() / 1000);
    platform_exit(PLATFORM_PASS);
}

void boot_selftest_crash(void) {
    con_puts("hvkit: selftest-crash: executing ud2; expect HVKIT-CRASH vector=6 and status 4");
    __asm__ volatile("ud2");
    __builtin_unreachable();
}

static void ap_crash(struct hv_arch_cpu *cpu, void *arg) {
    (void)arg;
    if (cpu->index == 1)
        __asm__ volatile("ud2");
}

void boot_selftest_crash_ap(void) {
    if (platform_cpu_count() < 2) {
        con_puts("HVKIT-RESULT selftest-crash-ap SKIP one CPU only");
        platform_exit(PLATFORM_PASS);
    }
    con_puts("hvkit: selftest-crash-ap: ud2 on CPU 1; expect HVKIT-CRASH cpu=1 vector=6 and status 4");
    platform_run_on_aps(ap_crash, NULL); /* CPU 1's crash handler ends the run; this never returns */
    con_puts("HVKIT-RESULT selftest-crash-ap FAIL the AP did not crash");
    platform_exit(PLATFORM_FAIL);
}

/* The default program when main/ provides none: banner and the self-tests. */
__attribute__((weak)) void hvkit_main(void) {
    con_puts("hvkit: default hvkit_main (boot/ only): platform self-tests");
    boot_selftest_run();
}
