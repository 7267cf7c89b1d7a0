/* Issue 6's acceptance through scenarios (harness/scenario/examples/devices/): the replay of each, with
 * a hook that watches the VM after every step, asserting exact outcomes — timer interrupts at the PIT's
 * rate in virtual time, the key's scancodes on port 0x60 after IRQ 1, COM1 bytes at the host, the frame the
 * guest drew, the IPC round trip — and oracle 6 (device invariants) tripping on a planted violation. */
#include "core.h"
#include "oracle.h"
#include "replay.h"
#include "scenario.h"
#include "sim_machine.h"
#include "testlib.h"
#include "text.h"

#include <hv/exit_reasons.h>
#include <hv/hypercall.h>
#include <hv/vm.h>
#include <hv/vmcs_fields.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS 256

struct watch {
    unsigned steps;
    uint64_t rax[MAX_STEPS];      /* guest RAX after each step */
    uint32_t reason[MAX_STEPS];   /* the exit of each step */
    uint64_t injected_irq;        /* PIC deliveries seen at the end */
    char serial[256];
    unsigned nserial;
    uint32_t frame[64 * 64];
    unsigned pixels;
    /* the IPC ring as the guest sees it at the end */
    uint8_t ring[80];
    uint64_t ipc_interrupts;
    bool plant_uart; /* oracle test: corrupt the UART's FIFO count after the first step */
};

static void after_step(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    (void)m;
    (void)record;
    struct watch *w = opaque;
    if (w->steps < MAX_STEPS) {
        w->rax[w->steps] = vm->gprs.rax;
        w->reason[w->steps] = (uint32_t)hv_vmread(vm, VMCS_EXIT_REASON) & 0xffffu;
    }
    w->steps++;
    w->injected_irq = vm->dev.pic.delivered;
    w->ipc_interrupts = vm->dev.ipc.interrupts;
    if (vm->dev.ipc.registered)
        hv_gpa_read(vm, vm->dev.ipc.rx_gpa, w->ring, sizeof w->ring);
    if (w->plant_uart)
        vm->dev.uart.rx_count = 200;
}

static void serial(void *opaque, uint8_t b)
{
    struct watch *w = opaque;
    if (w->nserial < sizeof w->serial - 1)
        w->serial[w->nserial++] = (char)b;
}

static void pixel(void *opaque, uint32_t x, uint32_t y, uint32_t p)
{
    struct watch *w = opaque;
    if (x < 64 && y < 64)
        w->frame[y * 64 + x] = p;
    w->pixels++;
}

static enum hvs_status run_text(const char *name, const char *text, size_t n, struct watch *w, FILE *trace,
                                struct hvs_replay_result *r)
{
    struct hvs_scenario s;
    char err[256];
    int rc = hvs_asm(&s, text, n, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "%s: %s\n", name, err);
    CHECK(rc == 0);
    struct hvs_replay_options o = {.trace = trace, .serial = serial, .fb_pixel = pixel, .dev_opaque = w};
    struct hvs_replay_hooks h = {.after_step = after_step, .opaque = w};
    enum hvs_status st = hvs_replay_hooked(&s, &o, &h, r);
    if (st != HVS_OK)
        fprintf(stderr, "%s: status %d: %s\n", name, (int)st, r->message);
    hvs_free(&s);
    return st;
}

static enum hvs_status run_file(const char *name, struct watch *w, FILE *trace, struct hvs_replay_result *r)
{
    /* the examples: <repo>/harness/scenario/examples/devices, found from this file's place in <repo>/tests */
    char path[512];
    const char *me = __FILE__, *slash = strrchr(me, '/');
    int dir = slash ? (int)(slash - me) : 1;
    snprintf(path, sizeof path, "%.*s/../harness/scenario/examples/devices/%s", dir, slash ? me : ".", name);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    static char text[1 << 20];
    size_t n = f ? fread(text, 1, sizeof text, f) : 0;
    if (f)
        fclose(f);
    return run_text(name, text, n, w, trace, r);
}

/* The trace's {"event":"inject",...} lines: vectors and times. */
struct injects {
    unsigned n;
    unsigned vector[64];
    unsigned long long time[64];
};

static void read_injects(FILE *t, struct injects *in)
{
    memset(in, 0, sizeof *in);
    rewind(t);
    char line[1024];
    while (fgets(line, sizeof line, t)) {
        unsigned v;
        unsigned long long ns;
        if (sscanf(line, "{\"event\":\"inject\",\"vector\":%u,\"type\":\"external\",\"time_ns\":%llu}", &v, &ns) == 2 &&
            in->n < 64) {
            in->vector[in->n] = v;
            in->time[in->n++] = ns;
        }
    }
}

static struct watch W;

/* Acceptance 1: PIC + PIT mode 2 at 1193 (1000.15 Hz), IF set, HLT; the ISR sends EOI and halts again. */
TEST_CASE(timer_interrupts_at_the_programmed_rate)
{
    memset(&W, 0, sizeof W);
    struct hvs_replay_result r;
    FILE *t = tmpfile();
    CHECK_EQ_U64(run_file("timer.hvt", &W, t, &r), HVS_OK);
    struct injects in;
    read_injects(t, &in);
    fclose(t);
    CHECK_EQ_U64(in.n, 10);
    CHECK_EQ_U64(W.injected_irq, 10);
    for (unsigned i = 0; i < in.n; i++) {
        CHECK_EQ_U64(in.vector[i], 32); /* ICW2 0x20 + IRQ 0 */
        /* expiry k at ceil(k * 1193 / 1193182 s): 999,847.6 ns apart */
        unsigned long long want = ((unsigned long long)(i + 1) * 1193ull * 1000000000ull + 1193181ull) / 1193182ull;
        CHECK(in.time[i] >= want - 1 && in.time[i] <= want + 1);
    }
    CHECK(in.time[9] <= 10000000ull); /* ten within the first 10 ms */
}

/* Acceptance 2: a host key event ('a': make 0x1e, break 0x9e) becomes IRQ 1 (vector 0x21) and port 0x60. */
TEST_CASE(key_event_reaches_guest_as_irq1_and_scancode)
{
    memset(&W, 0, sizeof W);
    struct hvs_replay_result r;
    FILE *t = tmpfile();
    CHECK_EQ_U64(run_file("keyboard.hvt", &W, t, &r), HVS_OK);
    struct injects in;
    read_injects(t, &in);
    fclose(t);
    CHECK(in.n >= 1);
    CHECK_EQ_U64(in.vector[0], 0x21);
    /* steps: 10 port-outs, the host interrupt (10), IN 0x64 (11), IN 0x60 (12, 13), the EOI (14) */
    CHECK_EQ_U64(W.steps, 15);
    CHECK_EQ_U64(W.reason[10], HV_EXIT_EXTERNAL_INTERRUPT);
    CHECK_EQ_U64(W.rax[11] & 1, 1); /* status: output buffer full */
    CHECK_EQ_U64(W.rax[12] & 0xff, 0x1e);
    CHECK_EQ_U64(W.rax[13] & 0xff, 0x9e);
}

/* Acceptance 3: COM1 bytes reach the host (hvkit run prints them). */
TEST_CASE(serial_bytes_reach_host)
{
    memset(&W, 0, sizeof W);
    struct hvs_replay_result r;
    CHECK_EQ_U64(run_file("serial.hvt", &W, NULL, &r), HVS_OK);
    CHECK_STREQ(W.serial, "Hi!\n");
}

/* Acceptance 4: the frame the guest drew with REP MOVSD and MOV stores. */
TEST_CASE(framebuffer_frame_is_the_pattern)
{
    memset(&W, 0, sizeof W);
    struct hvs_replay_result r;
    CHECK_EQ_U64(run_file("framebuffer.hvt", &W, NULL, &r), HVS_OK);
    CHECK_EQ_U64(W.pixels, 4096 + 64);
    CHECK_EQ_U64(W.frame[0], 0xffffff);                       /* the diagonal */
    CHECK_EQ_U64(W.frame[1], 0x040080);                       /* gradient: red 4x, green 8y, blue 0x80 */
    CHECK_EQ_U64(W.frame[10 * 64 + 20], (80u << 16) | (80u << 8) | 0x80);
    CHECK_EQ_U64(W.frame[40 * 64 + 1], 0xffffff);             /* bars: white, yellow, ... black */
    CHECK_EQ_U64(W.frame[40 * 64 + 9], 0xffff00);
    CHECK_EQ_U64(W.frame[40 * 64 + 50], 0x0000ff);
    CHECK_EQ_U64(W.frame[63 * 64 + 62], 0x000000);
    CHECK_EQ_U64(W.frame[63 * 64 + 63], 0xffffff);
}

/* Acceptance 5: register, host message, interrupt, the guest reads it and notifies. */
TEST_CASE(ipc_round_trip)
{
    memset(&W, 0, sizeof W);
    struct hvs_replay_result r;
    FILE *t = tmpfile();
    CHECK_EQ_U64(run_file("ipc.hvt", &W, t, &r), HVS_OK);
    struct injects in;
    read_injects(t, &in);
    rewind(t);
    char all[8192] = {0};
    size_t got = fread(all, 1, sizeof all - 1, t);
    fclose(t);
    CHECK(got > 0);
    CHECK_EQ_U64(W.rax[0], 1);            /* QUERY: the IPC device is there */
    CHECK_EQ_U64(W.rax[1], HV_HC_EINVAL); /* a receive ring past RAM */
    CHECK_EQ_U64(W.rax[2], 0);            /* registered */
    CHECK_EQ_U64(in.n, 1);
    CHECK_EQ_U64(in.vector[0], 0x40);
    CHECK_EQ_U64(W.ipc_interrupts, 1);
    uint32_t head, tail, magic, len;
    memcpy(&head, W.ring + 0, 4);
    memcpy(&tail, W.ring + 4, 4);
    memcpy(&magic, W.ring + 12, 4);
    memcpy(&len, W.ring + 64, 4);
    CHECK_EQ_U64(head, 16); /* the guest consumed the entry */
    CHECK_EQ_U64(tail, 16);
    CHECK_EQ_U64(magic, HV_IPC_RING_MAGIC);
    CHECK_EQ_U64(len, 5);
    CHECK(memcmp(W.ring + 72, "hello", 5) == 0);
    CHECK(strstr(all, "{\"event\":\"notify\",\"value\":\"0x1\"}") != NULL);
}

static const char wait_text[] =
    "profile bochs-haswell\nmemory 1M\n"
    "config-devices devices=0x06 fb_gpa=0 fb_width=0 fb_height=0\n"
    /* PIC with auto-EOI (ICW4 0x03): every expiry can interrupt without an EOI */
    "port-out port=0x20 size=1 value=0x11\nport-out port=0x21 size=1 value=0x20\n"
    "port-out port=0x21 size=1 value=0x04\nport-out port=0x21 size=1 value=0x03\n"
    "port-out port=0x21 size=1 value=0xfe\n"
    "port-out port=0x43 size=1 value=0x34\nport-out port=0x40 size=1 value=0xa9\nport-out port=0x40 size=1 value=0x04\n"
    "set-gpr reg=rflags value=0x202\n"
    "wait ns=5500000\n"
    "cpuid eax=0 ecx=0\n";

/* `wait`: virtual time passes while the guest runs; each PIT expiry inside it is one interrupt. */
TEST_CASE(wait_delivers_timer_interrupts_in_time)
{
    memset(&W, 0, sizeof W);
    struct hvs_replay_result r;
    FILE *t = tmpfile();
    CHECK_EQ_U64(run_text("wait", wait_text, sizeof wait_text - 1, &W, t, &r), HVS_OK);
    struct injects in;
    read_injects(t, &in);
    fclose(t);
    CHECK_EQ_U64(in.n, 5); /* expiries at 1..5 ms; the 6th is after 5.5 ms */
    CHECK_EQ_U64(in.time[4], 4999238);
}

static const char serial_in_text[] =
    "profile bochs-haswell\nmemory 1M\n"
    "config-devices devices=0x03 fb_gpa=0 fb_width=0 fb_height=0\n"
    "port-out port=0x20 size=1 value=0x11\nport-out port=0x21 size=1 value=0x20\n"
    "port-out port=0x21 size=1 value=0x04\nport-out port=0x21 size=1 value=0x01\n"
    "port-out port=0x21 size=1 value=0xef\n"       /* IRQ 4 unmasked */
    "port-out port=0x3f9 size=1 value=0x01\n"      /* IER: received data */
    "port-out port=0x3fc size=1 value=0x08\n"      /* MCR: OUT2 (the PC's IRQ enable) */
    "set-gpr reg=rflags value=0x202\n"
    "serial-in byte=0x41\n"
    "port-in port=0x3fa size=1\n"                  /* IIR: received data available */
    "port-in port=0x3f8 size=1\n";                 /* RBR: 'A' */

/* `serial-in`: a host byte on COM1 becomes IRQ 4 (vector 0x24) and reads back from RBR. */
TEST_CASE(serial_input_interrupts_and_reads_back)
{
    memset(&W, 0, sizeof W);
    struct hvs_replay_result r;
    FILE *t = tmpfile();
    CHECK_EQ_U64(run_text("serial-in", serial_in_text, sizeof serial_in_text - 1, &W, t, &r), HVS_OK);
    struct injects in;
    read_injects(t, &in);
    fclose(t);
    CHECK_EQ_U64(in.n, 1);
    CHECK_EQ_U64(in.vector[0], 0x24);
    CHECK_EQ_U64(W.steps, 10);
    CHECK_EQ_U64(W.rax[8] & 0xff, 0x04);
    CHECK_EQ_U64(W.rax[9] & 0xff, 0x41);
}

/* Oracle 6 trips on a planted device-state violation (a UART FIFO count past its capacity). */
TEST_CASE(oracle_devices_trips_on_planted_uart_state)
{
    memset(&W, 0, sizeof W);
    W.plant_uart = true;
    struct hvs_replay_result r;
    CHECK_EQ_U64(run_file("serial.hvt", &W, NULL, &r), HVS_ORACLE);
    CHECK(strstr(r.message, "oracle devices: uart") != NULL);
    CHECK_EQ_U64(W.steps, 1); /* found after the first step */
}
