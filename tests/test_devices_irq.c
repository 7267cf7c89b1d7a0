/* The PIC, PIT and i8042 (hv-core/src/devices) and the interrupt plumbing (irq.c, exits/window.c, exits/hlt.c):
 * every register of each device through the VM's port bus (hv_port_in / hv_port_out, and through forced I/O
 * exits), hostile sequences and floods with the oracle-6 invariants checked, and the injection policy driven
 * through the core on the sim. A guest model records what each VM entry carried (the VM-entry
 * interruption-information field and the activity state, before the exit clears the valid bit) and then
 * produces the exit the test planned. */
#include "core.h"
#include "devices/devices.h"
#include "exits/exits.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "sim_time.h"
#include "sim_vmcs.h"
#include "testlib.h"

#include <hv/exit_reasons.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <string.h>

#define ENTRY 0x1000ull
#define IOQ(port, sizeenc, in) (((uint64_t)(port) << 16) | (sizeenc) | ((in) ? 8u : 0u))
#define EXT(vec) (INTR_INFO_VALID | (INTR_TYPE_EXTERNAL << 8) | (vec))
#define MASTER_BASE 0x20u
#define SLAVE_BASE 0x28u

struct env {
    struct sim_machine *m;
    struct hv_arch_cpu *a;
    struct hv_cpu cpu;
    struct hv_vm vm;
    /* the guest model */
    struct sim_exit next;      /* the exit the guest causes */
    bool sti_during_run;       /* the guest sets IF during the run (STI and beyond) */
    bool eoi_on_interrupt;     /* timer loop: an injected interrupt makes the guest OUT 0x20, 0x20 */
    uint32_t entry_info;       /* what the last entry injected */
    uint64_t entry_activity;
    unsigned entries, injections;
    uint32_t vectors[64];
};

static void guest(struct hv_arch_cpu *cpu, struct hv_guest_gprs *gprs, struct sim_exit *exit, void *opaque)
{
    struct env *e = opaque;
    uint64_t *f = sim_vmcs_fields(cpu->m, cpu->current_vmcs);
    e->entry_info = (uint32_t)f[HV_VMCS_ORD_VM_ENTRY_INTERRUPTION_INFO];
    e->entry_activity = f[HV_VMCS_ORD_GUEST_ACTIVITY_STATE];
    e->entries++;
    if (e->entry_info & INTR_INFO_VALID) {
        if (e->injections < 64)
            e->vectors[e->injections] = e->entry_info;
        e->injections++;
    }
    if (e->sti_during_run)
        f[HV_VMCS_ORD_GUEST_RFLAGS] |= RFLAGS_IF;
    if (e->eoi_on_interrupt && (e->entry_info & INTR_INFO_VALID)) {
        gprs->rax = 0x20; /* non-specific EOI */
        *exit = (struct sim_exit){.reason = HV_EXIT_IO_INSTRUCTION, .qualification = IOQ(0x20, 0, 0), .instr_len = 1};
        return;
    }
    *exit = e->next;
}

static struct env *up_profile(const char *profile)
{
    static struct env e;
    memset(&e, 0, sizeof e);
    e.m = sim_machine_create(sim_profile_find(profile), 2048, 1);
    CHECK(e.m != NULL);
    e.a = sim_machine_cpu(e.m, 0);
    CHECK_EQ_U64(hv_cpu_init(&e.cpu, e.a), HV_OK);
    struct hv_vm_config cfg = {.memory_size = 1ull << 20, .mode = HV_GUEST_PROGRAM64, .entry = ENTRY, .stack = 0x8000};
    CHECK_EQ_U64(hv_vm_create(&e.vm, &e.cpu, &cfg), HV_OK);
    CHECK(hv_pic_attach(&e.vm));
    CHECK(hv_pit_attach(&e.vm));
    CHECK(hv_i8042_attach(&e.vm));
    sim_cpu_set_guest(e.a, guest, &e);
    e.next = (struct sim_exit){.reason = HV_EXIT_CPUID, .instr_len = 2};
    return &e;
}

static struct env *up(void)
{
    return up_profile("bochs-haswell");
}

static void check_invariants(struct env *e)
{
    CHECK(hv_pic_invariant(&e->vm) == NULL);
    CHECK(hv_pit_invariant(&e->vm) == NULL);
    CHECK(hv_i8042_invariant(&e->vm) == NULL);
}

static void down(struct env *e)
{
    check_invariants(e);
    hv_vm_destroy(&e->vm);
    hv_cpu_fini(&e->cpu);
    CHECK_EQ_U64(sim_pages_in_use(e->m), 0);
    CHECK_EQ_U64(sim_cpu_fault_count(e->a), 0);
    sim_machine_destroy(e->m);
}

static void out8(struct env *e, uint16_t port, uint8_t v)
{
    hv_port_out(&e->vm, port, 1, v);
}

static uint8_t in8(struct env *e, uint16_t port)
{
    return (uint8_t)hv_port_in(&e->vm, port, 1);
}

/* One entry and exit; every entry must pass the sim's VM-entry checks (injected events included). */
static enum hv_step_result step(struct env *e)
{
    enum hv_step_result r = hv_vcpu_step(&e->vm);
    if (e->a->last_entry.rule)
        fprintf(stderr, "entry check failed: %s\n", e->a->last_entry.rule->name);
    CHECK(e->a->last_entry.rule == NULL);
    return r;
}

static void set_rflags(struct env *e, uint64_t v)
{
    hv_vmwrite(&e->vm, VMCS_GUEST_RFLAGS, v);
}

/* The PC BIOS programming: master base 0x20, slave 0x28, cascade on IR2, 8086 mode; IMRs as given. */
static void pic_init(struct env *e, uint8_t master_imr, uint8_t slave_imr, uint8_t icw4)
{
    out8(e, 0x20, 0x11);
    out8(e, 0x21, MASTER_BASE);
    out8(e, 0x21, 0x04);
    out8(e, 0x21, icw4);
    out8(e, 0xa0, 0x11);
    out8(e, 0xa1, SLAVE_BASE);
    out8(e, 0xa1, 0x02);
    out8(e, 0xa1, icw4);
    out8(e, 0x21, master_imr);
    out8(e, 0xa1, slave_imr);
}

static uint8_t read_irr(struct env *e, uint16_t port)
{
    out8(e, port, 0x0a);
    return in8(e, port);
}

static uint8_t read_isr(struct env *e, uint16_t port)
{
    out8(e, port, 0x0b);
    return in8(e, port);
}

/* ---- sim clock ------------------------------------------------------------------------------------------ */

TEST_CASE(sim_clock_is_virtual_and_monotonic)
{
    struct env *e = up();
    CHECK_EQ_U64(hv_arch_time_ns(e->a), 0);
    step(e);
    CHECK_EQ_U64(hv_arch_time_ns(e->a), 0); /* entries and exits do not move it */
    sim_cpu_advance_time_ns(e->a, 1500);
    CHECK_EQ_U64(hv_arch_time_ns(e->a), 1500);
    CHECK(!sim_cpu_set_time_ns(e->a, 1000)); /* never back */
    CHECK_EQ_U64(hv_arch_time_ns(e->a), 1500);
    CHECK(sim_cpu_set_time_ns(e->a, 5000));
    sim_cpu_advance_time_ns(e->a, UINT64_MAX);
    CHECK_EQ_U64(hv_arch_time_ns(e->a), UINT64_MAX);
    down(e);
}

/* ---- 8259A ---------------------------------------------------------------------------------------------- */

TEST_CASE(pic_reset_state_delivers_nothing)
{
    struct env *e = up();
    CHECK_EQ_U64(in8(e, 0x21), 0xff);
    CHECK_EQ_U64(in8(e, 0xa1), 0xff);
    out8(e, 0x21, 0x00); /* OCW1 on an uninitialized chip: stored, but no ICW sequence yet */
    hv_irq_raise(&e->vm, 1);
    CHECK(!hv_pic_int_asserted(&e->vm));
    set_rflags(e, 0x202);
    step(e);
    CHECK_EQ_U64(e->injections, 0);
    down(e);
}

TEST_CASE(pic_init_sequence_vector_base_irr_isr_eoi)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    CHECK_EQ_U64(in8(e, 0x21), 0x00);
    CHECK_EQ_U64(e->vm.dev.pic.chip[0].vector_base, 0x20);
    CHECK_EQ_U64(e->vm.dev.pic.chip[1].vector_base, 0x28);
    hv_irq_raise(&e->vm, 3);
    CHECK_EQ_U64(read_irr(e, 0x20), 0x08);
    CHECK(hv_pic_int_asserted(&e->vm));
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x23);
    CHECK_EQ_U64(read_isr(e, 0x20), 0x08);
    CHECK_EQ_U64(read_irr(e, 0x20), 0x00);
    out8(e, 0x20, 0x20); /* non-specific EOI */
    CHECK_EQ_U64(read_isr(e, 0x20), 0x00);
    /* ICW2's low three bits are not part of the base (8086 mode) */
    out8(e, 0x20, 0x11);
    out8(e, 0x21, 0x37);
    out8(e, 0x21, 0x04);
    out8(e, 0x21, 0x01);
    CHECK_EQ_U64(e->vm.dev.pic.chip[0].vector_base, 0x30);
    CHECK_EQ_U64(in8(e, 0x21), 0x00); /* ICW1 cleared the IMR */
    down(e);
}

TEST_CASE(pic_imr_masks_and_reads_back)
{
    struct env *e = up();
    pic_init(e, 0xa5, 0x5a, 0x01);
    CHECK_EQ_U64(in8(e, 0x21), 0xa5);
    CHECK_EQ_U64(in8(e, 0xa1), 0x5a);
    hv_irq_raise(&e->vm, 0); /* masked */
    CHECK(!hv_pic_int_asserted(&e->vm));
    CHECK_EQ_U64(read_irr(e, 0x20) & 1, 1); /* requested, but masked */
    out8(e, 0x21, 0xa4);
    CHECK(hv_pic_int_asserted(&e->vm));
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x20);
    /* a 16-bit access covers both ports: IMR at 0x21 is the high byte of an IN AX, 0x20 */
    out8(e, 0x20, 0x0b);
    CHECK_EQ_U64(hv_port_in(&e->vm, 0x20, 2), 0xa401);
    down(e);
}

TEST_CASE(pic_fixed_priority_and_nesting)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    hv_irq_raise(&e->vm, 5);
    hv_irq_raise(&e->vm, 1);
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x21); /* IR1 before IR5 */
    CHECK(!hv_pic_int_asserted(&e->vm));    /* IR5 waits behind IR1 in service */
    hv_irq_raise(&e->vm, 0);
    CHECK(hv_pic_int_asserted(&e->vm));     /* IR0 is higher: it nests */
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x20);
    CHECK_EQ_U64(read_isr(e, 0x20), 0x03);
    out8(e, 0x20, 0x20); /* non-specific EOI clears the highest: IR0 */
    CHECK_EQ_U64(read_isr(e, 0x20), 0x02);
    out8(e, 0x20, 0x61); /* specific EOI IR1 */
    CHECK_EQ_U64(read_isr(e, 0x20), 0x00);
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x25);
    down(e);
}

TEST_CASE(pic_rotation_and_set_priority)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    hv_irq_raise(&e->vm, 4);
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x24);
    out8(e, 0x20, 0xa0); /* rotate on non-specific EOI: IR4 becomes the lowest */
    CHECK_EQ_U64(e->vm.dev.pic.chip[0].lowest, 4);
    hv_irq_raise(&e->vm, 3);
    hv_irq_raise(&e->vm, 6);
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x26); /* IR5 is now highest, then 6 .. 3 */
    out8(e, 0x20, 0xe6); /* rotate on specific EOI IR6 */
    CHECK_EQ_U64(read_isr(e, 0x20), 0);
    CHECK_EQ_U64(e->vm.dev.pic.chip[0].lowest, 6);
    out8(e, 0x20, 0xc2); /* set priority: IR2 lowest, IR3 highest */
    CHECK_EQ_U64(e->vm.dev.pic.chip[0].lowest, 2);
    out8(e, 0x20, 0x40); /* no operation */
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x23);
    out8(e, 0x20, 0x80); /* set rotate in auto-EOI; 0x00 clears it */
    CHECK(e->vm.dev.pic.chip[0].rotate_on_aeoi);
    out8(e, 0x20, 0x00);
    CHECK(!e->vm.dev.pic.chip[0].rotate_on_aeoi);
    down(e);
}

TEST_CASE(pic_auto_eoi_sets_no_isr)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x03);
    hv_irq_raise(&e->vm, 1);
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x21);
    CHECK_EQ_U64(read_isr(e, 0x20), 0);
    hv_irq_lower(&e->vm, 1);
    hv_irq_raise(&e->vm, 1);
    CHECK(hv_pic_int_asserted(&e->vm)); /* nothing in service blocks the next one */
    down(e);
}

TEST_CASE(pic_cascade_slave_irq)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    hv_irq_raise(&e->vm, 10);
    CHECK(hv_pic_int_asserted(&e->vm));
    CHECK_EQ_U64(read_irr(e, 0x20), 0x04); /* master sees the slave on IR2 */
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x2a);
    CHECK_EQ_U64(read_isr(e, 0x20), 0x04);
    CHECK_EQ_U64(read_isr(e, 0xa0), 0x04);
    out8(e, 0xa0, 0x20);
    out8(e, 0x20, 0x20);
    CHECK_EQ_U64(read_isr(e, 0x20) | read_isr(e, 0xa0), 0);
    /* masking IR2 on the master hides every slave request; IRQ 2 itself is IRQ 9 on the AT bus */
    out8(e, 0x21, 0x04);
    hv_irq_raise(&e->vm, 2);
    CHECK(!hv_pic_int_asserted(&e->vm));
    CHECK_EQ_U64(read_irr(e, 0xa0) & 0x02, 0x02);
    down(e);
}

TEST_CASE(pic_spurious_irq7_and_irq15)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    hv_irq_raise(&e->vm, 1); /* latched ... */
    hv_irq_lower(&e->vm, 1); /* ... and gone before the acknowledge */
    CHECK(hv_pic_int_asserted(&e->vm));
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x27);
    CHECK_EQ_U64(read_isr(e, 0x20), 0); /* no ISR bit for a spurious IR7 */
    CHECK_EQ_U64(e->vm.dev.pic.spurious, 1);
    CHECK(!hv_pic_int_asserted(&e->vm));
    hv_irq_raise(&e->vm, 12);
    hv_irq_lower(&e->vm, 12);
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x2f); /* the slave's IR7: IRQ 15 */
    CHECK_EQ_U64(read_isr(e, 0xa0), 0);
    CHECK_EQ_U64(read_isr(e, 0x20), 0x04); /* the master did acknowledge its IR2 */
    CHECK_EQ_U64(e->vm.dev.pic.spurious, 2);
    down(e);
}

TEST_CASE(pic_level_triggered_follows_the_line)
{
    struct env *e = up();
    out8(e, 0x20, 0x19); /* ICW1 with LTIM */
    out8(e, 0x21, 0x20);
    out8(e, 0x21, 0x04);
    out8(e, 0x21, 0x01);
    out8(e, 0x21, 0x00);
    hv_irq_raise(&e->vm, 3);
    CHECK_EQ_U64(read_irr(e, 0x20), 0x08);
    hv_irq_lower(&e->vm, 3);
    CHECK_EQ_U64(read_irr(e, 0x20), 0x00);
    CHECK(!hv_pic_int_asserted(&e->vm));
    down(e);
}

TEST_CASE(pic_poll_mode)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    out8(e, 0x20, 0x0c);
    CHECK_EQ_U64(in8(e, 0x20), 0x00); /* no request */
    hv_irq_raise(&e->vm, 6);
    out8(e, 0x20, 0x0c);
    CHECK_EQ_U64(in8(e, 0x20), 0x86);
    CHECK_EQ_U64(read_isr(e, 0x20), 0x40); /* the poll acknowledged it */
    CHECK_EQ_U64(e->vm.dev.pic.delivered, 1);
    down(e);
}

TEST_CASE(pic_special_mask_mode)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    hv_irq_raise(&e->vm, 0);
    CHECK_EQ_U64(hv_pic_ack(&e->vm), 0x20);
    out8(e, 0x21, 0x01);      /* mask the level in service */
    hv_irq_raise(&e->vm, 3);
    CHECK(!hv_pic_int_asserted(&e->vm)); /* fully nested: IR0 in service blocks IR3 */
    out8(e, 0x20, 0x68);      /* set special mask mode */
    CHECK(hv_pic_int_asserted(&e->vm));
    out8(e, 0x20, 0x48);      /* reset special mask mode */
    CHECK(!hv_pic_int_asserted(&e->vm));
    down(e);
}

TEST_CASE(pic_8080_mode_refused_cleanly)
{
    struct env *e = up();
    out8(e, 0x20, 0x10); /* ICW1 without IC4: MCS-80/85 mode */
    out8(e, 0x21, 0x20);
    CHECK_EQ_U64(e->vm.dev.pic.chip[0].init_step, HV_PIC_WANT_ICW3);
    out8(e, 0x21, 0x04);
    CHECK_EQ_U64(e->vm.dev.pic.chip[0].init_step, HV_PIC_READY);
    CHECK(!e->vm.dev.pic.chip[0].initialized);
    CHECK_EQ_U64(e->vm.dev.pic.refused, 1);
    out8(e, 0x21, 0x00);
    hv_irq_raise(&e->vm, 1);
    CHECK(!hv_pic_int_asserted(&e->vm));
    out8(e, 0xa0, 0x13); /* single mode with ICW4, uPM = 0 */
    out8(e, 0xa1, 0x28);
    CHECK_EQ_U64(e->vm.dev.pic.chip[1].init_step, HV_PIC_WANT_ICW4);
    out8(e, 0xa1, 0x00);
    CHECK(!e->vm.dev.pic.chip[1].initialized);
    CHECK_EQ_U64(e->vm.dev.pic.refused, 2);
    down(e);
}

static uint64_t xs(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

TEST_CASE(pic_flood_100k_writes_reads_and_lines)
{
    struct env *e = up();
    static const uint16_t ports[] = {0x20, 0x21, 0xa0, 0xa1};
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < 100000; i++) {
        uint64_t r = xs(&s);
        uint16_t port = ports[r & 3];
        switch ((r >> 2) & 7) {
        case 0: case 1: case 2: out8(e, port, (uint8_t)(r >> 8)); break;
        case 3: case 4: (void)in8(e, port); break;
        case 5: hv_irq_raise(&e->vm, (unsigned)(r >> 16) & 31); break; /* 16..31: ignored */
        case 6: hv_irq_lower(&e->vm, (unsigned)(r >> 16) & 15); break;
        default:
            if (hv_pic_int_asserted(&e->vm))
                (void)hv_pic_ack(&e->vm);
            break;
        }
        if (i % 97 == 0) {
            const char *bad = hv_pic_invariant(&e->vm);
            if (bad)
                fprintf(stderr, "after %u: %s\n", i, bad);
            CHECK(bad == NULL);
        }
    }
    down(e);
}

/* ---- 8254 ----------------------------------------------------------------------------------------------- */

#define NS_PER_TICK_X1000 838096ull /* 1e12 / 1193182: ns per tick times 1000 */

static uint64_t ticks_ns(uint64_t ticks)
{
    return (ticks * 1000000000ull + HV_PIT_HZ - 1) / HV_PIT_HZ;
}

TEST_CASE(pit_control_word_lohi_flipflops_and_latch)
{
    struct env *e = up();
    out8(e, 0x43, 0x34); /* counter 0, lo/hi, mode 2, binary */
    out8(e, 0x40, 0x34);
    out8(e, 0x40, 0x12);
    CHECK_EQ_U64(e->vm.dev.pit.ch[0].count_reg, 0x1234);
    CHECK_EQ_U64(e->vm.dev.pit.ch[0].mode, 2);
    /* at time 0 the count reads as loaded, LSB then MSB */
    CHECK_EQ_U64(in8(e, 0x40), 0x34);
    CHECK_EQ_U64(in8(e, 0x40), 0x12);
    sim_cpu_advance_time_ns(e->a, ticks_ns(0x100));
    out8(e, 0x43, 0x00); /* counter latch */
    sim_cpu_advance_time_ns(e->a, ticks_ns(0x10));
    out8(e, 0x43, 0x00); /* ignored: a latched count is unread */
    CHECK_EQ_U64(in8(e, 0x40), 0x34);
    CHECK_EQ_U64(in8(e, 0x40), 0x11); /* 0x1234 - 0x100 */
    /* unlatched, the live count moved on */
    uint8_t lo = in8(e, 0x40), hi = in8(e, 0x40);
    uint16_t live = (uint16_t)(lo | hi << 8);
    CHECK_EQ_U64(live, 0x1234 - 0x110);
    CHECK_EQ_U64(in8(e, 0x43), 0xff); /* the control word register cannot be read */
    down(e);
}

TEST_CASE(pit_lobyte_hibyte_modes_and_mode_aliases)
{
    struct env *e = up();
    out8(e, 0x43, 0x50 | (3 << 1)); /* counter 1, LSB only, mode 3 */
    out8(e, 0x41, 0x80);
    CHECK_EQ_U64(e->vm.dev.pit.ch[1].count_reg, 0x80);
    CHECK_EQ_U64(in8(e, 0x41), 0x80);
    out8(e, 0x43, 0xa0 | (6 << 1)); /* counter 2, MSB only, mode "6" = 2 */
    out8(e, 0x42, 0x12);
    CHECK_EQ_U64(e->vm.dev.pit.ch[2].count_reg, 0x1200);
    CHECK_EQ_U64(e->vm.dev.pit.ch[2].mode, 2);
    CHECK_EQ_U64(in8(e, 0x42), 0x12);
    out8(e, 0x43, 0xa0 | (7 << 1)); /* "7" = 3 */
    CHECK_EQ_U64(e->vm.dev.pit.ch[2].mode, 3);
    down(e);
}

TEST_CASE(pit_read_back_status_and_count)
{
    struct env *e = up();
    out8(e, 0x43, 0x30); /* counter 0, lo/hi, mode 0 */
    out8(e, 0x43, 0xe2); /* read-back status of counter 0 (count not latched) */
    CHECK_EQ_U64(in8(e, 0x40), 0x70); /* OUT low, NULL COUNT, RW = 3, mode 0, binary */
    out8(e, 0x40, 0x10);
    out8(e, 0x40, 0x00);
    out8(e, 0x43, 0xc2); /* read-back count and status */
    CHECK_EQ_U64(in8(e, 0x40), 0x30); /* status first: count loaded, OUT still low */
    CHECK_EQ_U64(in8(e, 0x40), 0x10);
    CHECK_EQ_U64(in8(e, 0x40), 0x00);
    sim_cpu_advance_time_ns(e->a, ticks_ns(0x10));
    out8(e, 0x43, 0xe2);
    CHECK_EQ_U64(in8(e, 0x40) & 0x80, 0x80); /* terminal count reached: OUT high */
    uint64_t refused = e->vm.dev.pit.refused;
    out8(e, 0x43, 0xc3); /* read-back with D0 = 1: reserved, refused */
    CHECK_EQ_U64(e->vm.dev.pit.refused, refused + 1);
    CHECK(!e->vm.dev.pit.ch[0].count_latched);
    down(e);
}

TEST_CASE(pit_bcd_counting)
{
    struct env *e = up();
    out8(e, 0x43, 0x35); /* counter 0, lo/hi, mode 2, BCD */
    out8(e, 0x40, 0x00);
    out8(e, 0x40, 0x10); /* 1000 decimal */
    sim_cpu_advance_time_ns(e->a, ticks_ns(1));
    out8(e, 0x43, 0x00);
    CHECK_EQ_U64(in8(e, 0x40), 0x99);
    CHECK_EQ_U64(in8(e, 0x40), 0x09); /* 0999 */
    down(e);
}

TEST_CASE(pit_flood_100k_and_invariants)
{
    struct env *e = up();
    uint64_t s = 0x123456789abcdefull;
    for (unsigned i = 0; i < 100000; i++) {
        uint64_t r = xs(&s);
        uint16_t port = (uint16_t)(0x40 + (r & 3));
        if (r & 4)
            out8(e, port, (uint8_t)(r >> 8));
        else
            (void)in8(e, port);
        if ((r >> 20 & 15) == 0)
            sim_cpu_advance_time_ns(e->a, r >> 40);
        if ((r >> 24 & 7) == 0)
            hv_pit_tick(&e->vm, hv_arch_time_ns(e->a));
        if (i % 89 == 0) {
            const char *bad = hv_pit_invariant(&e->vm);
            if (bad)
                fprintf(stderr, "after %u: %s\n", i, bad);
            CHECK(bad == NULL);
        }
    }
    down(e);
}

TEST_CASE(pit_deadline_none_until_programmed)
{
    struct env *e = up();
    CHECK_EQ_U64(hv_vm_next_deadline_ns(&e->vm), UINT64_MAX);
    out8(e, 0x43, 0x34);
    CHECK_EQ_U64(hv_vm_next_deadline_ns(&e->vm), UINT64_MAX); /* no count yet */
    out8(e, 0x40, 0xa9);
    out8(e, 0x40, 0x04); /* 1193: ~1 ms */
    CHECK_EQ_U64(hv_vm_next_deadline_ns(&e->vm), ticks_ns(1193));
    out8(e, 0x43, 0x32); /* mode 1: never triggered (gate) */
    out8(e, 0x40, 0x10);
    out8(e, 0x40, 0x00);
    CHECK_EQ_U64(hv_vm_next_deadline_ns(&e->vm), UINT64_MAX);
    down(e);
}

/* ---- i8042 ---------------------------------------------------------------------------------------------- */

TEST_CASE(i8042_status_and_command_byte)
{
    struct env *e = up();
    CHECK_EQ_U64(in8(e, 0x64), 0x14); /* SYS, not inhibited, buffer empty */
    out8(e, 0x64, 0x20);
    CHECK_EQ_U64(in8(e, 0x64) & 0x09, 0x09); /* OBF, last write was a command */
    CHECK_EQ_U64(in8(e, 0x60), 0x65);
    out8(e, 0x64, 0x60);
    out8(e, 0x60, 0x20); /* no IRQ, no SYS, no translation */
    out8(e, 0x64, 0x20);
    CHECK_EQ_U64(in8(e, 0x60), 0x20);
    CHECK_EQ_U64(in8(e, 0x64) & 0x04, 0);
    CHECK_EQ_U64(in8(e, 0x60), 0x20); /* empty: the register keeps its last byte */
    down(e);
}

TEST_CASE(i8042_controller_commands)
{
    struct env *e = up();
    out8(e, 0x64, 0xaa);
    CHECK_EQ_U64(in8(e, 0x60), 0x55);
    out8(e, 0x64, 0xab);
    CHECK_EQ_U64(in8(e, 0x60), 0x00);
    out8(e, 0x64, 0xad);
    hv_vm_key_event(&e->vm, 0x1e);
    CHECK_EQ_U64(in8(e, 0x64) & 1, 0); /* disabled interface: the key is not delivered */
    CHECK_EQ_U64(e->vm.dev.kbd.keys_ignored, 1);
    out8(e, 0x64, 0xae);
    hv_vm_key_event(&e->vm, 0x1e);
    CHECK_EQ_U64(in8(e, 0x60), 0x1e);
    out8(e, 0x64, 0xa8); /* aux: refused */
    out8(e, 0x64, 0xa9);
    CHECK_EQ_U64(e->vm.dev.kbd.refused, 2);
    CHECK_EQ_U64(in8(e, 0x64) & 1, 0);
    out8(e, 0x64, 0xd4);
    out8(e, 0x60, 0xff); /* to the (absent) mouse: swallowed, the keyboard does not reset */
    CHECK_EQ_U64(in8(e, 0x64) & 1, 0);
    out8(e, 0x64, 0xd0);
    CHECK_EQ_U64(in8(e, 0x60), 0x03);
    out8(e, 0x64, 0xdd); /* A20 off */
    out8(e, 0x64, 0xd0);
    CHECK_EQ_U64(in8(e, 0x60), 0x01);
    out8(e, 0x64, 0xd1);
    out8(e, 0x60, 0x03);
    out8(e, 0x64, 0xd0);
    CHECK_EQ_U64(in8(e, 0x60), 0x03);
    out8(e, 0x64, 0xd2);
    out8(e, 0x60, 0x77);
    CHECK_EQ_U64(in8(e, 0x60), 0x77);
    out8(e, 0x64, 0xff); /* pulse nothing */
    CHECK(!e->vm.dead);
    down(e);
}

TEST_CASE(i8042_reset_pulse_kills_with_reason)
{
    struct env *e = up();
    out8(e, 0x64, 0xfe);
    CHECK(e->vm.dead);
    CHECK(strstr(e->vm.message, "reset") != NULL);
    down(e);
}

TEST_CASE(i8042_keyboard_commands)
{
    struct env *e = up();
    out8(e, 0x60, 0xff);
    CHECK_EQ_U64(in8(e, 0x60), 0xfa);
    CHECK_EQ_U64(in8(e, 0x60), 0xaa);
    out8(e, 0x60, 0xee);
    CHECK_EQ_U64(in8(e, 0x60), 0xee);
    out8(e, 0x60, 0xf2);
    CHECK_EQ_U64(in8(e, 0x60), 0xfa);
    CHECK_EQ_U64(in8(e, 0x60), 0xab);
    CHECK_EQ_U64(in8(e, 0x60), 0x41); /* translated 0x83 */
    out8(e, 0x60, 0xf0);
    out8(e, 0x60, 0x00);
    CHECK_EQ_U64(in8(e, 0x60), 0xfa);
    CHECK_EQ_U64(in8(e, 0x60), 0xfa);
    CHECK_EQ_U64(in8(e, 0x60), 0x41); /* set 2, translated */
    out8(e, 0x60, 0xf0);
    out8(e, 0x60, 0x03); /* set 3: refused */
    CHECK_EQ_U64(in8(e, 0x60), 0xfa);
    CHECK_EQ_U64(in8(e, 0x60), 0xfe);
    out8(e, 0x60, 0xed);
    out8(e, 0x60, 0x07);
    CHECK_EQ_U64(e->vm.dev.kbd.leds, 7);
    out8(e, 0x60, 0xf5);
    hv_vm_key_event(&e->vm, 0x1e);
    CHECK_EQ_U64(e->vm.dev.kbd.keys_ignored, 1);
    out8(e, 0x60, 0xf4);
    out8(e, 0x60, 0x12); /* not a command */
    while (in8(e, 0x64) & 1)
        (void)in8(e, 0x60);
    CHECK_EQ_U64(e->vm.dev.kbd.last_read, 0xfe);
    down(e);
}

TEST_CASE(i8042_set2_without_translation_and_ascii)
{
    struct env *e = up();
    out8(e, 0x64, 0x60);
    out8(e, 0x60, 0x01); /* IRQ on, translation off */
    hv_vm_key_event(&e->vm, 0x1e);
    hv_vm_key_event(&e->vm, 0x9e);
    CHECK_EQ_U64(in8(e, 0x60), 0x1c); /* set 2 'A' */
    CHECK_EQ_U64(in8(e, 0x60), 0xf0);
    CHECK_EQ_U64(in8(e, 0x60), 0x1c);
    out8(e, 0x60, 0xf0);
    out8(e, 0x60, 0x01);
    CHECK_EQ_U64(in8(e, 0x60), 0xfa);
    CHECK_EQ_U64(in8(e, 0x60), 0xfa);
    hv_vm_key_event(&e->vm, 0x1e);
    CHECK_EQ_U64(in8(e, 0x60), 0x1e); /* set 1 as is */
    uint8_t sc[4];
    CHECK_EQ_U64(hv_ascii_to_set1('a', sc), 2);
    CHECK_EQ_U64(sc[0], 0x1e);
    CHECK_EQ_U64(sc[1], 0x9e);
    CHECK_EQ_U64(hv_ascii_to_set1('?', sc), 4);
    CHECK_EQ_U64(sc[0], 0x2a);
    CHECK_EQ_U64(sc[1], 0x35);
    CHECK_EQ_U64(sc[2], 0xb5);
    CHECK_EQ_U64(sc[3], 0xaa);
    CHECK_EQ_U64(hv_ascii_to_set1('\n', sc), 2);
    CHECK_EQ_U64(sc[0], 0x1c);
    CHECK_EQ_U64(hv_ascii_to_set1(' ', sc), 2);
    CHECK_EQ_U64(sc[0], 0x39);
    CHECK_EQ_U64(hv_ascii_to_set1('\x7f', sc), 0);
    down(e);
}

TEST_CASE(i8042_key_flood_overflows_and_counts)
{
    struct env *e = up();
    for (unsigned i = 0; i < 100000; i++)
        hv_vm_key_event(&e->vm, (uint8_t)(i & 0xff));
    CHECK_EQ_U64(e->vm.dev.kbd.count, HV_I8042_FIFO);
    CHECK_EQ_U64(e->vm.dev.kbd.dropped, 100000 - HV_I8042_FIFO);
    CHECK(hv_i8042_invariant(&e->vm) == NULL);
    for (unsigned i = 0; i < HV_I8042_FIFO; i++)
        CHECK_EQ_U64(in8(e, 0x60), i);
    CHECK_EQ_U64(in8(e, 0x64) & 1, 0);
    /* and 100k random port accesses keep every invariant */
    uint64_t s = 0xfeedfacecafebeefull;
    for (unsigned i = 0; i < 100000 && !e->vm.dead; i++) {
        uint64_t r = xs(&s);
        uint16_t port = (r & 1) ? 0x64 : 0x60;
        uint8_t v = (uint8_t)(r >> 8);
        if (port == 0x64 && v >= 0xf0)
            v = 0xff; /* not the reset pulse */
        if (port == 0x64 && v == 0xd1)
            v = 0xd0; /* not an output-port write that could reset */
        if (r & 2)
            out8(e, port, v);
        else
            (void)in8(e, port);
        if (i % 101 == 0) {
            const char *bad = hv_i8042_invariant(&e->vm);
            if (bad)
                fprintf(stderr, "after %u: %s\n", i, bad);
            CHECK(bad == NULL);
        }
    }
    CHECK(!e->vm.dead);
    down(e);
}

TEST_CASE(invariants_name_a_broken_state)
{
    struct env *e = up();
    e->vm.dev.kbd.count = HV_I8042_FIFO + 1;
    CHECK_STREQ(hv_i8042_invariant(&e->vm), "i8042.fifo.count");
    e->vm.dev.kbd.count = 0;
    e->vm.dev.pit.ch[1].mode = 6;
    CHECK_STREQ(hv_pit_invariant(&e->vm), "pit.mode.range");
    e->vm.dev.pit.ch[1].mode = 0;
    e->vm.dev.pic.chip[0].init_step = 9;
    CHECK_STREQ(hv_pic_invariant(&e->vm), "pic.init_step.range");
    e->vm.dev.pic.chip[0].init_step = 0;
    e->vm.dev.pic.chip[1].isr = 1; /* in service on a chip that was never initialized */
    CHECK_STREQ(hv_pic_invariant(&e->vm), "pic.isr.uninitialized_chip_in_service");
    e->vm.dev.pic.chip[1].isr = 0;
    down(e);
}

/* ---- injection policy through the core ------------------------------------------------------------------ */

TEST_CASE(inject_if0_arms_window_then_exit7_injects)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    set_rflags(e, 0x2);
    hv_vm_key_event(&e->vm, 0x1e);
    CHECK_EQ_U64(step(e), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->entry_info & INTR_INFO_VALID, 0); /* IF = 0: nothing injected ... */
    CHECK(hv_vmread(&e->vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_INTERRUPT_WINDOW_EXITING);
    /* ... the guest executes STI; the processor exits as soon as it can take the interrupt */
    e->sti_during_run = true;
    e->next = (struct sim_exit){.reason = HV_EXIT_INTERRUPT_WINDOW};
    CHECK_EQ_U64(step(e), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->entry_info & INTR_INFO_VALID, 0);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_INTERRUPT_WINDOW_EXITING, 0);
    e->sti_during_run = false;
    e->next = (struct sim_exit){.reason = HV_EXIT_IO_INSTRUCTION, .qualification = IOQ(0x60, 0, 1), .instr_len = 1};
    CHECK_EQ_U64(step(e), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->entry_info, EXT(0x21)); /* IRQ 1 through the master at base 0x20 */
    CHECK_EQ_U64(e->vm.gprs.rax & 0xff, 0x1e); /* the handler reads the scancode */
    CHECK_EQ_U64(read_isr(e, 0x20), 0x02);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_INTERRUPT_WINDOW_EXITING, 0);
    down(e);
}

TEST_CASE(inject_blocked_by_sti)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    set_rflags(e, 0x202);
    hv_vmwrite(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_STI);
    hv_irq_raise(&e->vm, 4);
    step(e);
    CHECK_EQ_U64(e->entry_info & INTR_INFO_VALID, 0);
    CHECK(hv_vmread(&e->vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_INTERRUPT_WINDOW_EXITING);
    CHECK_EQ_U64(read_irr(e, 0x20), 0x10); /* still requested, not acknowledged */
    /* the CPUID exit retired an instruction: STI blocking is over, the next entry injects */
    step(e);
    CHECK_EQ_U64(e->entry_info, EXT(0x24));
    down(e);
}

TEST_CASE(inject_blocked_by_mov_ss)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    set_rflags(e, 0x202);
    hv_vmwrite(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_MOV_SS);
    hv_irq_raise(&e->vm, 0);
    e->next = (struct sim_exit){.reason = HV_EXIT_INTERRUPT_WINDOW};
    step(e);
    CHECK_EQ_U64(e->entry_info & INTR_INFO_VALID, 0);
    CHECK_EQ_U64(e->vm.stats.exits_by_reason[HV_EXIT_INTERRUPT_WINDOW], 1);
    hv_vmwrite(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, 0); /* the window opened */
    step(e);
    CHECK_EQ_U64(e->entry_info, EXT(0x20));
    down(e);
}

TEST_CASE(inject_pending_exception_has_priority)
{
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    set_rflags(e, 0x202);
    hv_irq_raise(&e->vm, 1);
    /* the guest executes VMXON: the handler injects #UD for the next entry */
    e->next = (struct sim_exit){.reason = HV_EXIT_VMXON, .instr_len = 4};
    step(e); /* this entry injects IRQ 1 already (the guest could take it) */
    CHECK_EQ_U64(e->entry_info, EXT(0x21));
    out8(e, 0x20, 0x20);
    hv_irq_raise(&e->vm, 3);
    e->next = (struct sim_exit){.reason = HV_EXIT_CPUID, .instr_len = 2};
    step(e); /* the #UD from the VMXON exit goes first */
    CHECK_EQ_U64(e->entry_info, INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << 8) | VEC_UD);
    CHECK_EQ_U64(read_irr(e, 0x20) & 0x08, 0x08); /* IRQ 3 kept pending */
    CHECK(hv_vmread(&e->vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_INTERRUPT_WINDOW_EXITING);
    step(e);
    CHECK_EQ_U64(e->entry_info, EXT(0x23));
    down(e);
}

TEST_CASE(inject_nmi_when_not_blocked)
{
    struct env *e = up();
    hv_vmwrite(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_NMI);
    hv_vm_nmi(&e->vm);
    step(e);
    CHECK_EQ_U64(e->entry_info & INTR_INFO_VALID, 0); /* blocked by NMI: kept pending */
    CHECK(e->vm.dev.pic.nmi_pending);
    hv_vmwrite(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, 0); /* the guest's IRET unblocked NMIs */
    step(e);
    CHECK_EQ_U64(e->entry_info, INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | 2);
    CHECK(!e->vm.dev.pic.nmi_pending);
    CHECK_EQ_U64(e->vm.dev.pic.nmis_injected, 1);
    down(e);
}

/* With virtual NMIs (the core enables them where allowed), an NMI the guest blocks arms NMI-window exiting
 * (SDM Vol. 3 §25.6.2); the NMI-window exit then lets the next entry inject it. */
TEST_CASE(blocked_nmi_arms_nmi_window_then_injects)
{
    struct env *e = up();
    CHECK(e->vm.pin & PIN_VIRTUAL_NMIS);
    hv_vmwrite(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_NMI);
    hv_vm_nmi(&e->vm);
    step(e);
    CHECK_EQ_U64(e->entry_info & INTR_INFO_VALID, 0);
    CHECK(hv_vmread(&e->vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_NMI_WINDOW_EXITING);
    /* the guest's IRET unblocks NMIs; the processor exits at once (reason 8) */
    hv_vmwrite(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, 0);
    e->next = (struct sim_exit){.reason = HV_EXIT_NMI_WINDOW};
    CHECK_EQ_U64(step(e), HV_STEP_CONTINUE);
    CHECK_EQ_U64(e->entry_info, INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | 2);
    CHECK(!(hv_vmread(&e->vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_NMI_WINDOW_EXITING));
    down(e);
}

TEST_CASE(window_exits_without_request_are_harmless)
{
    struct env *e = up();
    e->next = (struct sim_exit){.reason = HV_EXIT_INTERRUPT_WINDOW};
    CHECK_EQ_U64(step(e), HV_STEP_CONTINUE);
    e->next = (struct sim_exit){.reason = HV_EXIT_NMI_WINDOW};
    CHECK_EQ_U64(step(e), HV_STEP_CONTINUE);
    CHECK(!e->vm.dead);
    CHECK_EQ_U64(e->injections, 0);
    down(e);
}

/* ---- HLT and the timer ---------------------------------------------------------------------------------- */

/* PIT counter 0 in mode 2 with reload n, IRQ 0 unmasked, guest IF = 1. */
static void timer_setup(struct env *e, uint16_t n)
{
    pic_init(e, 0xfe, 0xff, 0x01);
    out8(e, 0x43, 0x34);
    out8(e, 0x40, (uint8_t)n);
    out8(e, 0x40, (uint8_t)(n >> 8));
    set_rflags(e, 0x202);
}

TEST_CASE(hlt_with_running_pit_waits_in_hlt_state_then_irq0)
{
    struct env *e = up();
    timer_setup(e, 11932); /* ~10 ms */
    e->next = (struct sim_exit){.reason = HV_EXIT_HLT, .instr_len = 1};
    CHECK_EQ_U64(step(e), HV_STEP_CONTINUE);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_GUEST_ACTIVITY_STATE), ACTIVITY_HLT);
    uint64_t d = hv_vm_next_deadline_ns(&e->vm);
    CHECK_EQ_U64(d, ticks_ns(11932));
    sim_cpu_set_time_ns(e->a, d - 1);
    step(e); /* before the deadline: still nothing */
    CHECK_EQ_U64(e->entry_info & INTR_INFO_VALID, 0);
    CHECK_EQ_U64(e->entry_activity, ACTIVITY_HLT);
    sim_cpu_set_time_ns(e->a, d);
    step(e);
    CHECK_EQ_U64(e->entry_info, EXT(0x20));
    CHECK_EQ_U64(e->entry_activity, ACTIVITY_ACTIVE); /* the injection woke it */
    down(e);
}

TEST_CASE(hlt_with_if0_or_no_wake_source_halts)
{
    struct env *e = up();
    timer_setup(e, 1000);
    set_rflags(e, 0x2);
    e->next = (struct sim_exit){.reason = HV_EXIT_HLT, .instr_len = 1};
    CHECK_EQ_U64(step(e), HV_STEP_HALTED);
    down(e);
    e = up();
    pic_init(e, 0x00, 0x00, 0x01); /* a PIC, but nothing that will ever raise a line */
    set_rflags(e, 0x202);
    e->next = (struct sim_exit){.reason = HV_EXIT_HLT, .instr_len = 1};
    CHECK_EQ_U64(step(e), HV_STEP_HALTED);
    down(e);
    e = up();
    timer_setup(e, 1000);
    out8(e, 0x21, 0xff); /* the timer runs but IRQ 0 is masked */
    e->next = (struct sim_exit){.reason = HV_EXIT_HLT, .instr_len = 1};
    CHECK_EQ_U64(step(e), HV_STEP_HALTED);
    down(e);
}

TEST_CASE(timer_interrupts_at_programmed_rate_in_virtual_time)
{
    struct env *e = up();
    const uint16_t n = 1193; /* ~1 kHz */
    timer_setup(e, n);
    e->eoi_on_interrupt = true;
    e->next = (struct sim_exit){.reason = HV_EXIT_HLT, .instr_len = 1};
    const unsigned k = 40;
    uint64_t end = ticks_ns((uint64_t)k * n);
    /* the clock moves a quarter period between entries; an interrupt's entry is followed by its EOI exit */
    while (hv_arch_time_ns(e->a) < end) {
        sim_cpu_advance_time_ns(e->a, ticks_ns(n) / 4);
        if (hv_arch_time_ns(e->a) > end)
            sim_cpu_set_time_ns(e->a, end);
        CHECK_EQ_U64(step(e), HV_STEP_CONTINUE);
        if (e->vm.dev.pic.chip[0].isr)
            CHECK_EQ_U64(step(e), HV_STEP_CONTINUE); /* the EOI */
    }
    step(e);
    CHECK_EQ_U64(e->injections, k);
    for (unsigned i = 0; i < k && i < 64; i++)
        CHECK_EQ_U64(e->vectors[i], EXT(0x20));
    CHECK_EQ_U64(e->vm.dev.pit.missed_ticks, 0);
    /* Five periods in one jump: one interrupt, four coalesced (counted as missed). */
    sim_cpu_advance_time_ns(e->a, ticks_ns(5ull * n));
    step(e);
    step(e);
    CHECK_EQ_U64(e->injections, k + 1);
    CHECK_EQ_U64(e->vm.dev.pit.missed_ticks, 4);
    down(e);
}

TEST_CASE(key_event_reaches_guest_as_irq1_with_scancode)
{
    struct env *e = up();
    pic_init(e, 0xfd, 0xff, 0x01); /* only IRQ 1 */
    set_rflags(e, 0x202);
    uint8_t sc[4];
    CHECK_EQ_U64(hv_ascii_to_set1('k', sc), 2);
    hv_vm_key_event(&e->vm, sc[0]);
    e->next = (struct sim_exit){.reason = HV_EXIT_IO_INSTRUCTION, .qualification = IOQ(0x60, 0, 1), .instr_len = 2};
    step(e);
    CHECK_EQ_U64(e->entry_info, EXT(0x21));
    CHECK_EQ_U64(e->vm.gprs.rax & 0xff, 0x25); /* 'k' make code, set 1 */
    CHECK_EQ_U64(in8(e, 0x64) & 1, 0);
    down(e);
}

TEST_CASE(polled_key_with_if0_gives_spurious_irq7_on_sti)
{
    /* A guest that reads the keyboard by polling with IF = 0: IRQ 1 was latched, the read dropped the line,
     * and when the guest enables interrupts the acknowledge finds no request: the spurious IRQ 7 vector. */
    struct env *e = up();
    pic_init(e, 0x00, 0x00, 0x01);
    set_rflags(e, 0x2);
    hv_vm_key_event(&e->vm, 0x10);
    step(e);
    CHECK(hv_vmread(&e->vm, VMCS_PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_INTERRUPT_WINDOW_EXITING);
    CHECK_EQ_U64(in8(e, 0x60), 0x10);
    set_rflags(e, 0x202);
    step(e);
    CHECK_EQ_U64(e->entry_info, EXT(0x27));
    CHECK_EQ_U64(read_isr(e, 0x20), 0);
    CHECK_EQ_U64(e->vm.dev.pic.spurious, 1);
    down(e);
}
