/* The BSP's C entry: bring up, in the order each step needs the previous ones, the console, the descriptor
 * tables (so any fault from here on prints a HVKIT-CRASH line), the boot information, the identity map and
 * page allocator, time, and the other processors; print HVKIT-BOOT; then hand over to hvkit_main. The
 * platform's own tests (hvkit.test=selftest, selftest-crash, selftest-crash-ap, selftest-hang) run here, so they work whichever hvkit_main is
 * linked. */
#include "boot.h"

void kmain(uint32_t magic, uint64_t info) {
    con_init();
    struct hv_arch_cpu *bsp = cpu_slot(0);
    bsp->index = 0;
    bsp->stack_top = cpu_stack_top(0);
    idt_init();
    cpu_tables_load(bsp);
    bsp->online = true;

    if (!mb2_parse(magic, info))
        platform_exit(PLATFORM_FAIL);
    uint64_t highest = 0;
    for (unsigned i = 0; i < mb2_mmap_count(); i++) {
        const struct mb2_mmap_entry *e = mb2_mmap(i);
        if (e->type == MB2_MEM_AVAILABLE && e->base + e->length > highest)
            highest = e->base + e->length;
    }
    paging_extend(highest);
    if (!pmm_init())
        platform_exit(PLATFORM_FAIL);
    time_init();
    smp_init();

    con_printf("hvkit: bootable hypervisor, %u CPU(s), %lu pages free, TSC %lu kHz\n", platform_cpu_count(),
               (uint64_t)pmm_free_pages(), time_tsc_hz() / 1000);
    con_printf("HVKIT-BOOT cpus=%u mem_mib=%lu cmdline=\"%s\"\n", platform_cpu_count(), mb2_usable_bytes() >> 20,
               boot_cmdline());

    if (boot_cmdline_has_test("selftest-hang")) { /* for the runners' timeout path (ci/tests/boot_runners.sh) */
        con_puts("hvkit: selftest-hang: stopping here without HVKIT-END; the runner must time out");
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    if (boot_cmdline_has_test("selftest-crash"))
        boot_selftest_crash();
    if (boot_cmdline_has_test("selftest-crash-ap"))
        boot_selftest_crash_ap();
    if (boot_cmdline_has_test("selftest"))
        boot_selftest_run();
    hvkit_main();
    con_puts("hvkit: hvkit_main returned");
    platform_exit(PLATFORM_FAIL);
}
