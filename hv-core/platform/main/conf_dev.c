/* The shared host side of the device/interrupt conformance cases (conf_dev.h): VM set-up with the report
 * region and sinks, the step loop with the local APIC timer standing in for the host timer the platform
 * lacks, and the checks and result line. */
#include "conf_dev.h"

#include <hv/exit_reasons.h>
#include <hv/vmx_controls.h>

/* ---- the local APIC timer (SDM Vol. 3 §11.5.4, register offsets Table 11-1) ---- */
#define MSR_IA32_APIC_BASE 0x1bu       /* SDM Vol. 3 §11.4.4: bits 51:12 the xAPIC page, bit 10 x2APIC */
#define APIC_BASE_X2APIC (1ull << 10)
#define LAPIC_EOI 0xb0u
#define LAPIC_ISR 0x100u               /* 8 registers of 32 bits, 16 bytes apart (§11.8.4) */
#define LAPIC_LVT_TIMER 0x320u         /* bits 7:0 vector, bit 16 mask, bits 18:17 mode (00 one-shot) */
#define LAPIC_TIMER_INITIAL 0x380u     /* writing it starts the count; 0 stops the timer */
#define LAPIC_TIMER_CURRENT 0x390u
#define LAPIC_TIMER_DIVIDE 0x3e0u      /* 1011b: divide by 1 (Figure 11-10) */
#define LVT_MASKED (1u << 16)
#define CONF_TIMER_VECTOR 0xecu        /* the vector the sim's forced host interrupts carry too */
#define CONF_TIMER_MAX_NS 5000000ull   /* never sleep longer than 5 ms: a late wake only costs an exit */

static volatile uint32_t *lapic;
static uint64_t lapic_ticks_per_ms;
static bool lapic_tried;

static inline uint64_t rd_msr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static uint32_t lapic_rd(unsigned off) { return lapic[off / 4]; }
static void lapic_wr(unsigned off, uint32_t v) { lapic[off / 4] = v; }

/* Once per boot: find the xAPIC page (boot/lapic.c enabled it) and count timer ticks over 1 ms of the
 * platform clock. */
static bool lapic_timer_ready(void)
{
    if (lapic_tried)
        return lapic_ticks_per_ms != 0;
    lapic_tried = true;
    uint64_t msr = rd_msr(MSR_IA32_APIC_BASE);
    if (msr & APIC_BASE_X2APIC)
        return false;
    lapic = (volatile uint32_t *)(uintptr_t)(msr & 0xffffff000ull);
    lapic_wr(LAPIC_TIMER_DIVIDE, 0xbu);
    lapic_wr(LAPIC_LVT_TIMER, LVT_MASKED | CONF_TIMER_VECTOR);
    lapic_wr(LAPIC_TIMER_INITIAL, 0xffffffffu);
    uint64_t t0 = platform_time_ns();
    while (platform_time_ns() - t0 < 1000000u)
        __asm__ volatile("pause");
    uint32_t left = lapic_rd(LAPIC_TIMER_CURRENT);
    lapic_wr(LAPIC_TIMER_INITIAL, 0);
    lapic_ticks_per_ms = 0xffffffffull - left;
    return lapic_ticks_per_ms != 0;
}

/* One-shot at the device deadline (or not at all when none is due). */
static bool lapic_timer_arm(struct hv_vm *vm)
{
    uint64_t deadline = hv_vm_next_deadline_ns(vm);
    if (deadline == UINT64_MAX || !lapic_timer_ready())
        return false;
    uint64_t now = platform_time_ns();
    uint64_t ns = deadline > now ? deadline - now : 1000u;
    if (ns > CONF_TIMER_MAX_NS)
        ns = CONF_TIMER_MAX_NS;
    uint64_t ticks = ns * lapic_ticks_per_ms / 1000000u + 1u;
    if (ticks > 0x7fffffffu)
        ticks = 0x7fffffffu;
    lapic_wr(LAPIC_LVT_TIMER, CONF_TIMER_VECTOR); /* unmasked, one-shot */
    lapic_wr(LAPIC_TIMER_INITIAL, (uint32_t)ticks);
    return true;
}

/* Stop the timer; when "acknowledge interrupt on exit" took its interrupt (SDM Vol. 3 §28.2.2), it is in
 * service: end it with an EOI (§11.8.5). */
static void lapic_timer_disarm(void)
{
    if (!lapic)
        return;
    lapic_wr(LAPIC_TIMER_INITIAL, 0);
    lapic_wr(LAPIC_LVT_TIMER, LVT_MASKED | CONF_TIMER_VECTOR);
    if (lapic_rd(LAPIC_ISR + (CONF_TIMER_VECTOR / 32u) * 0x10u) & (1u << (CONF_TIMER_VECTOR % 32u)))
        lapic_wr(LAPIC_EOI, 0);
}

/* ---- sinks and the report region ---- */
static bool report_mmio(void *opaque, struct hv_vm *v, struct hv_mmio_access *a)
{
    struct conf_dev *c = opaque;
    (void)v;
    if (a->access == HV_ACCESS_READ) {
        a->value = 0;
        c->report_reads++;
        return true;
    }
    if (c->nreports < CONF_REPORTS_MAX) {
        c->report[c->nreports] = a->value;
        c->report_size[c->nreports] = a->size;
        c->report_ns[c->nreports] = platform_time_ns();
    }
    c->nreports++;
    return true;
}

static void serial_sink(void *opaque, uint8_t byte)
{
    struct conf_dev *c = opaque;
    if (c->nserial < CONF_SERIAL_MAX)
        c->serial[c->nserial] = byte;
    c->nserial++;
}

static void fb_sink(void *opaque, uint32_t x, uint32_t y, uint32_t pixel)
{
    struct conf_dev *c = opaque;
    if (c->npx < CONF_PIXELS_MAX)
        c->px[c->npx] = (struct conf_pixel){x, y, pixel};
    c->npx++;
}

static void notify_sink(void *opaque, uint64_t value)
{
    struct conf_dev *c = opaque;
    if (c->nnotify < CONF_NOTIFY_MAX)
        c->notify[c->nnotify] = value;
    c->nnotify++;
}

/* The VM's trace callback: exit_trace (the HVKIT-EXIT line and the log of the first EXIT_LOG_MAX exits),
 * plus what the run loop and the checks need over all exits: counts per basic reason, and whether the guest
 * waits in the HLT activity state -- its last exits were an HLT the core resumed (hlt.c puts it in that
 * state when something can wake it) and, since then, only host interrupts. Only then is the host timer
 * armed: a running guest exits by itself, and a timer armed for a deadline that has passed (IRQ 0 masked)
 * would interrupt every entry before the guest ran an instruction. */
static void conf_trace(void *opaque, const struct hv_trace_event *ev)
{
    struct conf_dev *c = opaque;
    exit_trace(&c->t.log, ev);
    if (ev->kind != HV_TRACE_EXIT)
        return;
    uint32_t basic = ev->exit_reason & 0xffffu;
    bool failure = (ev->exit_reason >> 31) != 0;
    if (!failure && basic < CONF_REASONS)
        c->exits_by_reason[basic]++;
    if (basic == HV_EXIT_EXTERNAL_INTERRUPT && !failure)
        return;
    c->waits_in_hlt = !failure && basic == HV_EXIT_HLT && ev->action == HV_EXIT_RESUME;
}

enum test_outcome conf_dev_start(struct conf_dev *c, const char *test, const struct conf_dev_config *cfg,
                                 unsigned vm_index, const struct test_options *opt)
{
    enum test_outcome out;
    struct hvkit_cpu *cpu = test_need_vmx(test, &out);
    if (!cpu)
        return out;
    c->test = test;
    c->nreports = c->report_reads = c->nserial = c->npx = c->nnotify = c->steps = c->timer_arms = 0;
    c->waits_in_hlt = false;
    for (unsigned i = 0; i < CONF_REASONS; i++)
        c->exits_by_reason[i] = 0;
    const struct test_guest g = {
        .cfg = {
            .memory_size = CONF_MEMORY,
            .memory_quota_pages = CONF_QUOTA_PAGES,
            .mode = HV_GUEST_PROGRAM64,
            .entry = CONF_CODE_GPA,
            .stack = CONF_STACK_TOP,
            .devices = cfg->devices,
            .serial_sink = serial_sink,
            .serial_opaque = c,
            .fb_gpa = (cfg->devices & HV_DEV_FB) ? CONF_FB_GPA : 0,
            .fb_width = cfg->fb_width,
            .fb_height = cfg->fb_height,
            .fb_sink = fb_sink,
            .fb_opaque = c,
            .notify = notify_sink,
            .notify_opaque = c,
        },
        .code = cfg->code,
        .code_end = cfg->code_end,
    };
    out = test_vm_start(&c->t, test, cpu, &g, vm_index, opt);
    if (out != TEST_PASS)
        return out;
    static const uint8_t zero_page[PLATFORM_PAGE_SIZE];
    const struct hv_region report = {
        .gpa = CONF_REPORT_GPA, .size = PLATFORM_PAGE_SIZE, .type = HV_REGION_MMIO, .mmio = report_mmio,
        .opaque = c, .name = "report",
    };
    if (!hv_gpa_write(&c->t.vm, CONF_STACK_PAGE, zero_page, sizeof zero_page))
        test_vm_fail(&c->t, "backing the stack page at 0x%x failed", CONF_STACK_PAGE);
    else if (hv_vm_add_region(&c->t.vm, &report) != HV_OK)
        test_vm_fail(&c->t, "adding the report region: %s", c->t.vm.message);
    /* After creation: the core calls vm->cfg.trace for every exit (vcpu.c). */
    c->t.vm.cfg.trace = conf_trace;
    c->t.vm.cfg.trace_opaque = c;
    if (c->t.why[0]) {
        test_vm_finish(&c->t);
        test_result(test, "FAIL", "%s", c->t.why);
        return TEST_FAIL;
    }
    return TEST_PASS;
}

enum hv_step_result conf_dev_run(struct conf_dev *c, unsigned max_exits, conf_dev_hook hook, void *arg)
{
    enum hv_step_result r = HV_STEP_CONTINUE;
    uint64_t t0 = platform_time_ns();
    while (r == HV_STEP_CONTINUE && c->steps < max_exits) {
        if (c->waits_in_hlt && lapic_timer_arm(&c->t.vm))
            c->timer_arms++;
        r = hv_vcpu_step(&c->t.vm);
        lapic_timer_disarm();
        c->steps++;
        if (hook && r == HV_STEP_CONTINUE)
            hook(c, arg);
    }
    c->t.us = (platform_time_ns() - t0) / 1000u;
    if (r == HV_STEP_CONTINUE)
        test_vm_fail(&c->t, "still running after %u exits", c->steps);
    return r;
}

bool conf_dev_expect_reports(struct conf_dev *c, const struct conf_expect *want, unsigned n)
{
    unsigned have = c->nreports < CONF_REPORTS_MAX ? c->nreports : CONF_REPORTS_MAX;
    for (unsigned i = 0; i < n && i < have; i++)
        if (c->report[i] != want[i].value)
            return test_vm_fail(&c->t, "report %u (%s) = 0x%llx, expected 0x%llx", i, want[i].what,
                                (unsigned long long)c->report[i], (unsigned long long)want[i].value);
    if (c->nreports != n)
        return test_vm_fail(&c->t, "%u reports, expected %u (next expected: %s)", c->nreports, n,
                            c->nreports < n ? want[c->nreports].what : "none");
    return true;
}

bool conf_dev_expect_delivered(struct conf_dev *c, uint64_t n)
{
    if (c->t.vm.dev.pic.delivered != n)
        return test_vm_fail(&c->t, "%llu interrupts delivered, expected %llu",
                            (unsigned long long)c->t.vm.dev.pic.delivered, (unsigned long long)n);
    return true;
}

unsigned conf_dev_count_exits(const struct conf_dev *c, uint32_t reason)
{
    return reason < CONF_REASONS ? c->exits_by_reason[reason] : 0;
}

uint64_t conf_dev_guest_addr(const struct conf_dev_config *cfg, const uint8_t *label)
{
    return CONF_CODE_GPA + (uint64_t)(label - cfg->code);
}

enum test_outcome conf_dev_finish(struct conf_dev *c, bool ok, const char *fmt, ...)
{
    ok = test_vm_finish(&c->t) && ok;
    if (!ok) {
        /* The first reports, for whoever reads the failure. */
        char seen[160];
        int at = 0;
        unsigned n = c->nreports < 12u ? c->nreports : 12u;
        for (unsigned i = 0; i < n && at < (int)sizeof seen; i++)
            at += ksnprintf(seen + at, sizeof seen - (size_t)at, "%s0x%llx", i ? "," : "",
                            (unsigned long long)c->report[i]);
        if (at == 0)
            seen[0] = '\0';
        test_result(c->test, "FAIL", "%s (reports: %s)", c->t.why[0] ? c->t.why : "(no reason recorded)", seen);
        return TEST_FAIL;
    }
    char detail[300];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    test_result(c->test, "PASS", "%s exits=%u", detail, c->t.log.n);
    return TEST_PASS;
}
