/* The 16550A UART at COM1 (hv-core/src/devices/uart16550.c): every register, through the VM's port bus (and
 * once through a real I/O exit), with the host sink and host input, and hostile sequences: writes to the
 * read-only LSR/MSR, DLAB flips mid-transfer, FIFO floods, wide accesses, a random storm under the device
 * invariant (oracle 6). */
#include "core.h"
#include "exits/exits.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "testlib.h"

#include <hv/exit_reasons.h>
#include <hv/vmcs_fields.h>
#include <string.h>

struct env {
    struct sim_machine *m;
    struct hv_arch_cpu *a;
    struct hv_cpu cpu;
    struct hv_vm vm;
    char out[256];
    unsigned nout;
};

static void sink(void *opaque, uint8_t byte)
{
    struct env *e = opaque;
    if (e->nout < sizeof e->out - 1)
        e->out[e->nout++] = (char)byte;
}

static struct env *up_with(uint32_t devices)
{
    static struct env e;
    memset(&e, 0, sizeof e);
    e.m = sim_machine_create(sim_profile_find("bochs-haswell"), 2048, 1);
    CHECK(e.m != NULL);
    e.a = sim_machine_cpu(e.m, 0);
    CHECK_EQ_U64(hv_cpu_init(&e.cpu, e.a), HV_OK);
    struct hv_vm_config cfg = {.memory_size = 1ull << 20, .mode = HV_GUEST_PROGRAM64, .entry = 0x1000,
                               .stack = 0x8000, .devices = devices, .serial_sink = sink, .serial_opaque = &e};
    enum hv_err err = hv_vm_create(&e.vm, &e.cpu, &cfg);
    if (err)
        fprintf(stderr, "hv_vm_create: %s\n", e.vm.message);
    CHECK_EQ_U64(err, HV_OK);
    return &e;
}

static struct env *up(void)
{
    return up_with(HV_DEV_UART);
}

static void down(struct env *e)
{
    CHECK(hv_uart_check(&e->vm.dev.uart) == NULL);
    hv_vm_destroy(&e->vm);
    hv_cpu_fini(&e->cpu);
    CHECK_EQ_U64(sim_pages_in_use(e->m), 0);
    sim_machine_destroy(e->m);
}

static uint8_t rd(struct env *e, unsigned off)
{
    return (uint8_t)hv_port_in(&e->vm, (uint16_t)(0x3f8 + off), 1);
}

static void wr(struct env *e, unsigned off, uint8_t v)
{
    hv_port_out(&e->vm, (uint16_t)(0x3f8 + off), 1, v);
}

TEST_CASE(uart_reset_state)
{
    struct env *e = up();
    CHECK_EQ_U64(rd(e, HV_UART_IER), 0);
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_NONE);
    CHECK_EQ_U64(rd(e, HV_UART_LCR), 0);
    CHECK_EQ_U64(rd(e, HV_UART_MCR), 0);
    CHECK_EQ_U64(rd(e, HV_UART_LSR), HV_UART_LSR_THRE | HV_UART_LSR_TEMT);
    CHECK_EQ_U64(rd(e, HV_UART_MSR), HV_UART_MSR_CTS | HV_UART_MSR_DSR | HV_UART_MSR_DCD); /* no deltas */
    CHECK_EQ_U64(rd(e, HV_UART_SCR), 0);
    CHECK_EQ_U64(rd(e, HV_UART_RBR), 0); /* nothing received */
    CHECK(!e->vm.dev.uart.irq_line);
    down(e);
}

TEST_CASE(uart_thr_reaches_sink)
{
    struct env *e = up();
    wr(e, HV_UART_THR, 'H');
    wr(e, HV_UART_THR, 'i');
    CHECK_STREQ(e->out, "Hi");
    CHECK_EQ_U64(e->vm.dev.uart.tx_bytes, 2);
    CHECK_EQ_U64(rd(e, HV_UART_LSR) & (HV_UART_LSR_THRE | HV_UART_LSR_TEMT), HV_UART_LSR_THRE | HV_UART_LSR_TEMT);
    down(e);
}

TEST_CASE(uart_io_exit_reaches_sink)
{
    struct env *e = up();
    uint64_t rip = hv_vmread(&e->vm, VMCS_GUEST_RIP);
    e->vm.gprs.rax = 0x1234567841ull; /* AL = 'A' */
    struct sim_exit x = {.reason = HV_EXIT_IO_INSTRUCTION, .qualification = 0x3f8ull << 16, .instr_len = 1};
    sim_cpu_set_next_exit_full(e->a, &x);
    CHECK_EQ_U64(hv_vcpu_step(&e->vm), HV_STEP_CONTINUE);
    CHECK_STREQ(e->out, "A");
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_RIP), rip + 1);
    CHECK_EQ_U64(e->vm.stats.unclaimed_port_out, 0);
    down(e);
}

TEST_CASE(uart_absent_without_config)
{
    struct env *e = up_with(0);
    CHECK_EQ_U64(hv_port_in(&e->vm, 0x3fd, 1), 0xff); /* unclaimed: all ones */
    hv_port_out(&e->vm, 0x3f8, 1, 'A');
    CHECK_EQ_U64(e->vm.stats.unclaimed_port_out, 1);
    CHECK_EQ_U64(e->nout, 0);
    hv_vm_serial_input(&e->vm, 'x'); /* ignored: no UART */
    CHECK_EQ_U64(e->vm.dev.uart.rx_count, 0);
    down(e);
}

TEST_CASE(uart_scr_roundtrip)
{
    struct env *e = up();
    for (unsigned v = 0; v < 256; v += 51) {
        wr(e, HV_UART_SCR, (uint8_t)v);
        CHECK_EQ_U64(rd(e, HV_UART_SCR), v);
    }
    down(e);
}

TEST_CASE(uart_ier_keeps_low_nibble_lcr_keeps_all)
{
    struct env *e = up();
    wr(e, HV_UART_IER, 0xff);
    CHECK_EQ_U64(rd(e, HV_UART_IER), 0x0f);
    wr(e, HV_UART_LCR, 0x7f);
    CHECK_EQ_U64(rd(e, HV_UART_LCR), 0x7f);
    wr(e, HV_UART_MCR, 0xff);
    CHECK_EQ_U64(rd(e, HV_UART_MCR), 0x1f);
    down(e);
}

TEST_CASE(uart_dlab_divisor_latch)
{
    struct env *e = up();
    wr(e, HV_UART_IER, 0x05);
    wr(e, HV_UART_LCR, HV_UART_LCR_DLAB | 0x03);
    wr(e, HV_UART_DLL, 0x0c); /* 9600 baud */
    wr(e, HV_UART_DLM, 0x00);
    CHECK_EQ_U64(rd(e, HV_UART_DLL), 0x0c);
    CHECK_EQ_U64(rd(e, HV_UART_DLM), 0x00);
    CHECK_EQ_U64(e->nout, 0);             /* offset 0 with DLAB is the latch, not THR */
    wr(e, HV_UART_LCR, 0x03);
    CHECK_EQ_U64(rd(e, HV_UART_IER), 0x05); /* IER was not touched by the DLM write */
    CHECK_EQ_U64(e->vm.dev.uart.dll, 0x0c);
    wr(e, HV_UART_THR, 'z');
    CHECK_STREQ(e->out, "z");
    down(e);
}

TEST_CASE(uart_dlab_flip_mid_transfer)
{
    struct env *e = up();
    wr(e, HV_UART_FCR, HV_UART_FCR_ENABLE);
    hv_vm_serial_input(&e->vm, 'a');
    hv_vm_serial_input(&e->vm, 'b');
    wr(e, HV_UART_LCR, HV_UART_LCR_DLAB);
    wr(e, HV_UART_DLL, 0x01);
    CHECK_EQ_U64(rd(e, HV_UART_DLL), 0x01); /* the latch, not the FIFO */
    wr(e, HV_UART_THR, 'X');                  /* a latch write, not a transmission */
    CHECK_EQ_U64(e->nout, 0);
    CHECK_EQ_U64(e->vm.dev.uart.rx_count, 2);
    wr(e, HV_UART_LCR, 0);
    CHECK_EQ_U64(rd(e, HV_UART_RBR), 'a');
    wr(e, HV_UART_LCR, HV_UART_LCR_DLAB);      /* flip again between the two bytes */
    CHECK_EQ_U64(rd(e, HV_UART_RBR), 'X'); /* DLL, as the THR-offset write above set it */
    wr(e, HV_UART_LCR, 0);
    CHECK_EQ_U64(rd(e, HV_UART_RBR), 'b');
    CHECK_EQ_U64(rd(e, HV_UART_LSR) & HV_UART_LSR_DR, 0);
    down(e);
}

TEST_CASE(uart_receive_sets_dr)
{
    struct env *e = up();
    hv_vm_serial_input(&e->vm, 'x');
    CHECK_EQ_U64(rd(e, HV_UART_LSR), HV_UART_LSR_DR | HV_UART_LSR_THRE | HV_UART_LSR_TEMT);
    CHECK_EQ_U64(rd(e, HV_UART_RBR), 'x');
    CHECK_EQ_U64(rd(e, HV_UART_LSR) & HV_UART_LSR_DR, 0);
    down(e);
}

TEST_CASE(uart_fifo_flood_overrun)
{
    struct env *e = up();
    wr(e, HV_UART_FCR, HV_UART_FCR_ENABLE | 0xc0);
    for (unsigned i = 0; i < 20; i++)
        hv_vm_serial_input(&e->vm, (uint8_t)('a' + i));
    CHECK_EQ_U64(e->vm.dev.uart.rx_count, 16);
    CHECK_EQ_U64(e->vm.dev.uart.overruns, 4);
    CHECK(hv_uart_check(&e->vm.dev.uart) == NULL);
    CHECK_EQ_U64(rd(e, HV_UART_LSR), HV_UART_LSR_DR | HV_UART_LSR_OE | HV_UART_LSR_THRE | HV_UART_LSR_TEMT);
    CHECK_EQ_U64(rd(e, HV_UART_LSR) & HV_UART_LSR_OE, 0); /* cleared by the read */
    for (unsigned i = 0; i < 16; i++)
        CHECK_EQ_U64(rd(e, HV_UART_RBR), 'a' + i); /* the FIFO kept the first 16, in order */
    CHECK_EQ_U64(rd(e, HV_UART_LSR) & HV_UART_LSR_DR, 0);
    down(e);
}

TEST_CASE(uart_non_fifo_overrun_overwrites)
{
    struct env *e = up();
    hv_vm_serial_input(&e->vm, 'a');
    hv_vm_serial_input(&e->vm, 'b'); /* 16450 mode: one holding register */
    CHECK_EQ_U64(e->vm.dev.uart.rx_count, 1);
    CHECK_EQ_U64(rd(e, HV_UART_LSR) & HV_UART_LSR_OE, HV_UART_LSR_OE);
    CHECK_EQ_U64(rd(e, HV_UART_RBR), 'b');
    down(e);
}

TEST_CASE(uart_fcr_clear_trigger_and_disable)
{
    struct env *e = up();
    wr(e, HV_UART_IER, HV_UART_IER_ERBFI);
    wr(e, HV_UART_FCR, HV_UART_FCR_ENABLE | 0x80); /* trigger level 8 */
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_FIFO | HV_UART_IIR_NONE);
    for (unsigned i = 0; i < 4; i++)
        hv_vm_serial_input(&e->vm, (uint8_t)i);
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_FIFO | HV_UART_IIR_TIMEOUT); /* below the trigger */
    for (unsigned i = 0; i < 4; i++)
        hv_vm_serial_input(&e->vm, (uint8_t)i);
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_FIFO | HV_UART_IIR_RDA);
    wr(e, HV_UART_FCR, HV_UART_FCR_ENABLE | HV_UART_FCR_CLEAR_RX | HV_UART_FCR_CLEAR_TX | 0x80);
    CHECK_EQ_U64(e->vm.dev.uart.rx_count, 0);
    CHECK_EQ_U64(e->vm.dev.uart.fcr, HV_UART_FCR_ENABLE | 0x80); /* the clear bits self-clear */
    hv_vm_serial_input(&e->vm, 1);
    hv_vm_serial_input(&e->vm, 2);
    /* FCR0 = 0 with other bits: FIFOs off and cleared, the other bits not programmed */
    wr(e, HV_UART_FCR, 0xc8);
    CHECK_EQ_U64(e->vm.dev.uart.fcr, 0);
    CHECK_EQ_U64(e->vm.dev.uart.rx_count, 0);
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_NONE); /* bits 7:6 = 00 without FIFOs */
    down(e);
}

TEST_CASE(uart_iir_priority_order)
{
    struct env *e = up();
    wr(e, HV_UART_IER, 0x0f);
    wr(e, HV_UART_MCR, HV_UART_MCR_LOOP); /* the lines change: CTS, DSR, DCD drop -> modem-status deltas */
    wr(e, HV_UART_MCR, 0);                /* back: deltas stay latched */
    hv_vm_serial_input(&e->vm, 'a');
    hv_vm_serial_input(&e->vm, 'b');      /* overrun (no FIFO): line status */
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_RLS);
    rd(e, HV_UART_LSR);
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_RDA);
    rd(e, HV_UART_RBR);
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_THRE); /* from enabling ETBEI with THR empty */
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_MSR);  /* the IIR read cleared THRE */
    CHECK_EQ_U64(rd(e, HV_UART_MSR) & 0x0f, HV_UART_MSR_DCTS | HV_UART_MSR_DDSR | HV_UART_MSR_DDCD);
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_NONE);
    wr(e, HV_UART_THR, '!');                            /* THR empties again at once */
    CHECK_EQ_U64(rd(e, HV_UART_IIR), HV_UART_IIR_THRE);
    down(e);
}

TEST_CASE(uart_irq_line_gated_by_out2)
{
    struct env *e = up();
    wr(e, HV_UART_IER, HV_UART_IER_ERBFI);
    hv_vm_serial_input(&e->vm, 'k');
    CHECK(!e->vm.dev.uart.irq_line); /* OUT2 = 0: the PC's IRQ driver is off */
    wr(e, HV_UART_MCR, HV_UART_MCR_OUT2);
    CHECK(e->vm.dev.uart.irq_line);
    CHECK(hv_uart_check(&e->vm.dev.uart) == NULL);
    rd(e, HV_UART_RBR);
    CHECK(!e->vm.dev.uart.irq_line); /* the only source is gone */
    down(e);
}

TEST_CASE(uart_loopback)
{
    struct env *e = up();
    wr(e, HV_UART_FCR, HV_UART_FCR_ENABLE);
    wr(e, HV_UART_MCR, HV_UART_MCR_LOOP | HV_UART_MCR_RTS | HV_UART_MCR_DTR | HV_UART_MCR_OUT1 | HV_UART_MCR_OUT2);
    CHECK_EQ_U64(rd(e, HV_UART_MSR) & 0xf0, HV_UART_MSR_CTS | HV_UART_MSR_DSR | HV_UART_MSR_RI | HV_UART_MSR_DCD);
    wr(e, HV_UART_THR, 'L');
    CHECK_EQ_U64(e->nout, 0); /* not to the host */
    hv_vm_serial_input(&e->vm, 'H'); /* the serial input is disconnected */
    CHECK_EQ_U64(e->vm.dev.uart.dropped_input, 1);
    CHECK_EQ_U64(rd(e, HV_UART_RBR), 'L');
    wr(e, HV_UART_MCR, HV_UART_MCR_LOOP); /* RI falls: trailing edge */
    CHECK_EQ_U64(rd(e, HV_UART_MSR) & HV_UART_MSR_TERI, HV_UART_MSR_TERI);
    down(e);
}

TEST_CASE(uart_read_only_lsr_msr_writes_ignored)
{
    struct env *e = up();
    wr(e, HV_UART_LSR, 0xff);
    wr(e, HV_UART_MSR, 0xff);
    CHECK_EQ_U64(rd(e, HV_UART_LSR), HV_UART_LSR_THRE | HV_UART_LSR_TEMT);
    CHECK_EQ_U64(rd(e, HV_UART_MSR), HV_UART_MSR_CTS | HV_UART_MSR_DSR | HV_UART_MSR_DCD);
    CHECK_EQ_U64(e->vm.dev.uart.ignored_writes, 2);
    down(e);
}

TEST_CASE(uart_wide_accesses_split_into_bytes)
{
    struct env *e = up();
    /* OUT dword at 0x3f8: THR = 'w', IER = 0x01, FCR = 0x01, LCR = 0x03 */
    hv_port_out(&e->vm, 0x3f8, 4, 0x03010177u);
    CHECK_STREQ(e->out, "w");
    CHECK_EQ_U64(rd(e, HV_UART_IER), 0x01);
    CHECK_EQ_U64(e->vm.dev.uart.fcr, HV_UART_FCR_ENABLE);
    CHECK_EQ_U64(rd(e, HV_UART_LCR), 0x03);
    wr(e, HV_UART_SCR, 0x5a);
    CHECK_EQ_U64(hv_port_in(&e->vm, 0x3fe, 2), 0x5ab0u); /* MSR, then SCR */
    CHECK_EQ_U64(hv_port_in(&e->vm, 0x3fe, 4), 0xffffffffu); /* straddles the range: unclaimed */
    down(e);
}

/* A deterministic storm of random register writes, reads and host input: the invariant holds after every
 * access and the FIFO never exceeds its bounds. */
TEST_CASE(uart_random_storm_keeps_invariant)
{
    struct env *e = up();
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned off = (unsigned)(x & 7), what = (unsigned)((x >> 3) & 3);
        uint8_t v = (uint8_t)(x >> 8);
        if (what == 0)
            wr(e, off, v);
        else if (what == 1)
            rd(e, off);
        else
            hv_vm_serial_input(&e->vm, v);
        const char *bad = hv_uart_check(&e->vm.dev.uart);
        if (bad)
            fprintf(stderr, "step %u: %s\n", i, bad);
        if (bad)
            CHECK(bad == NULL);
    }
    CHECK(e->vm.dev.uart.rx_bytes > 0);
    down(e);
}

TEST_CASE(uart_invariant_trips_on_planted_state)
{
    struct env *e = up();
    struct hv_uart *u = &e->vm.dev.uart;
    u->rx_count = 2; /* FIFOs disabled: capacity 1 */
    CHECK(hv_uart_check(u) != NULL);
    u->rx_count = 0;
    u->ier = 0xf0;
    CHECK(hv_uart_check(u) != NULL);
    u->ier = HV_UART_IER_ETBEI;
    u->thre_pending = true;
    u->mcr = HV_UART_MCR_OUT2; /* the line should be high now, but nothing raised it */
    CHECK(hv_uart_check(u) != NULL);
    hv_uart_init(u);
    u->attached = true;
    CHECK(hv_uart_check(u) == NULL);
    down(e);
}
