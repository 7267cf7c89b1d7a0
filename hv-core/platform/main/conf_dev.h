/* What the device/interrupt conformance cases (main/conf_<name>.c, issue 10) share: a VM with the layout of
 * guests/conf_dev_layout.h and the devices a case asks for, the report region the guest logs its
 * observations into, the host sinks (serial, framebuffer, IPC notify) kept in order, a run loop that calls
 * the case between steps (host events: keys, serial bytes, IPC messages, NMIs), and the host timer a halted
 * guest needs.
 *
 * The host timer: the core resumes a guest that executed HLT with IF = 1 and a wake source in the HLT
 * activity state and expects the host to come back by hv_vm_next_deadline_ns (hv/dev.h). The bootable
 * platform has no timer of its own (every CPU runs with interrupts off), so before each step the run loop
 * arms the local APIC timer (one-shot, SDM Vol. 3 §11.5.4) at the PIT's next deadline; its interrupt is a
 * host interrupt, so with "external-interrupt exiting" the guest exits (reason 1, SDM Vol. 3 §26.2), the
 * core ticks its devices and injects. Without it a guest halted on its timer would never run again. */
#ifndef HVKIT_CONF_DEV_H
#define HVKIT_CONF_DEV_H

#include "../guests/conf_dev_layout.h"
#include "main.h"

#ifndef VM_INDEX_CONF_BASE
#define VM_INDEX_CONF_BASE (PLATFORM_MAX_CPUS + 16u)
#endif

#define CONF_REPORTS_MAX 96u
#define CONF_SERIAL_MAX 512u
#define CONF_PIXELS_MAX 32u
#define CONF_NOTIFY_MAX 8u
#define CONF_REASONS 80u /* basic exit reasons counted */

struct conf_pixel {
    uint32_t x, y, pixel;
};

struct conf_dev {
    struct test_vm t;
    const char *test;
    /* the report region: every store, its size and the clock time it arrived */
    uint64_t report[CONF_REPORTS_MAX];
    uint64_t report_ns[CONF_REPORTS_MAX];
    unsigned report_size[CONF_REPORTS_MAX];
    unsigned nreports, report_reads;
    /* host sinks */
    uint8_t serial[CONF_SERIAL_MAX];
    unsigned nserial;
    struct conf_pixel px[CONF_PIXELS_MAX];
    unsigned npx;
    uint64_t notify[CONF_NOTIFY_MAX];
    unsigned nnotify;
    /* the run loop (conf_trace) */
    unsigned steps, timer_arms;
    bool waits_in_hlt;
    unsigned exits_by_reason[CONF_REASONS];
};

/* What a case configures beyond the shared layout. */
struct conf_dev_config {
    uint32_t devices;                 /* HV_DEV_* */
    uint32_t fb_width, fb_height;     /* HV_DEV_FB: at CONF_FB_GPA */
    const uint8_t *code, *code_end;   /* the guest program */
};

/* Creates the VM (recorded with hvkit.record=1) on the BSP, the report region, the stack page; NOVMX /
 * REFUSED / FAIL print their own HVKIT-RESULT line. */
enum test_outcome conf_dev_start(struct conf_dev *c, const char *test, const struct conf_dev_config *cfg,
                                 unsigned vm_index, const struct test_options *opt);
/* Called after every step with the result of that step; the case may raise host events. */
typedef void (*conf_dev_hook)(struct conf_dev *c, void *arg);
/* Steps until the VM halts for good, dies, or max_exits exits. */
enum hv_step_result conf_dev_run(struct conf_dev *c, unsigned max_exits, conf_dev_hook hook, void *arg);

/* One expected report: its value and what it is (for the failure message). */
struct conf_expect {
    uint64_t value;
    const char *what;
};
/* The reports are exactly want[0..n) (false, why set, otherwise). */
bool conf_dev_expect_reports(struct conf_dev *c, const struct conf_expect *want, unsigned n);
/* The PIC delivered exactly n interrupts (false, why set, otherwise). */
bool conf_dev_expect_delivered(struct conf_dev *c, uint64_t n);
/* How many exits of a basic reason the VM took (all of them, not only the logged ones). */
unsigned conf_dev_count_exits(const struct conf_dev *c, uint32_t reason);
/* The guest address of a label in a guest program loaded at CONF_CODE_GPA. */
uint64_t conf_dev_guest_addr(const struct conf_dev_config *cfg, const uint8_t *label);
/* Destroys the VM, checks the pages, prints PASS (detail from fmt) or FAIL (why) and returns the outcome. */
enum test_outcome conf_dev_finish(struct conf_dev *c, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
