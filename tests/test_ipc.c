/* Host<->guest data exchange (hv-core/src/devices/ipc.c, hypercall.c): the hypercalls through real VMCALL
 * exits (query, register with every malformed argument, notify, unregister), host->guest messages written
 * into the guest's receive ring with the layout of hv/hypercall.h and announced on the guest's vector
 * through the VM-entry interruption information (checked by the sim's entry checks), guest->host messages
 * read from the transmit ring, and a guest that corrupts its rings. */
#include "core.h"
#include "exits/exits.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "testlib.h"

#include <hv/exit_reasons.h>
#include <hv/hypercall.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <string.h>

#define TX 0x10000ull
#define RX 0x20000ull

struct env {
    struct sim_machine *m;
    struct hv_arch_cpu *a;
    struct hv_cpu cpu;
    struct hv_vm vm;
    uint64_t notified[8];
    unsigned nnotified;
};

static void notify(void *opaque, uint64_t v)
{
    struct env *e = opaque;
    if (e->nnotified < 8)
        e->notified[e->nnotified++] = v;
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
                               .stack = 0x8000, .devices = devices, .notify = notify, .notify_opaque = &e};
    CHECK_EQ_U64(hv_vm_create(&e.vm, &e.cpu, &cfg), HV_OK);
    return &e;
}

static struct env *up(void)
{
    return up_with(HV_DEV_IPC);
}

static void down(struct env *e)
{
    CHECK(hv_ipc_check(&e->vm.dev.ipc) == NULL);
    hv_vm_destroy(&e->vm);
    hv_cpu_fini(&e->cpu);
    CHECK_EQ_U64(sim_pages_in_use(e->m), 0);
    sim_machine_destroy(e->m);
}

static uint64_t vmcall(struct env *e, uint64_t nr, uint64_t b, uint64_t c, uint64_t d, uint64_t s)
{
    e->vm.gprs.rax = nr;
    e->vm.gprs.rbx = b;
    e->vm.gprs.rcx = c;
    e->vm.gprs.rdx = d;
    e->vm.gprs.rsi = s;
    struct sim_exit x = {.reason = HV_EXIT_VMCALL, .instr_len = 3};
    sim_cpu_set_next_exit_full(e->a, &x);
    CHECK_EQ_U64(hv_vcpu_step(&e->vm), HV_STEP_CONTINUE);
    CHECK(e->a->last_entry.rule == NULL);
    return e->vm.gprs.rax;
}

static uint32_t get32(struct env *e, uint64_t gpa)
{
    uint32_t v = 0;
    CHECK(hv_gpa_read(&e->vm, gpa, &v, 4));
    return v;
}

static void put32(struct env *e, uint64_t gpa, uint32_t v)
{
    CHECK(hv_gpa_write(&e->vm, gpa, &v, 4));
}

static void registered(struct env *e, uint64_t pages, uint64_t vector)
{
    CHECK_EQ_U64(vmcall(e, HV_HC_IPC_REGISTER, TX, RX, pages, vector), 0);
}

TEST_CASE(ipc_query_answers_every_selector)
{
    struct env *e = up();
    CHECK_EQ_U64(vmcall(e, HV_HC_QUERY, HV_HC_QUERY_ABI_VERSION, 0, 0, 0), HV_HC_ABI_VERSION);
    CHECK_EQ_U64(vmcall(e, HV_HC_QUERY, HV_HC_QUERY_COUNT, 0, 0, 0), HV_HC_COUNT);
    CHECK_EQ_U64(vmcall(e, HV_HC_QUERY, HV_HC_QUERY_IPC, 0, 0, 0), 1);
    CHECK_EQ_U64(vmcall(e, HV_HC_QUERY, HV_HC_QUERY_IPC_PAGES, 0, 0, 0), HV_IPC_MAX_PAGES);
    CHECK_EQ_U64(vmcall(e, HV_HC_QUERY, HV_HC_QUERY_IPC_MSG_MAX, 0, 0, 0), HV_IPC_MSG_MAX);
    CHECK_EQ_U64(vmcall(e, HV_HC_QUERY, 99, 0, 0, 0), HV_HC_EINVAL);
    CHECK_EQ_U64(vmcall(e, HV_HC_VERSION, 0, 0, 0, 0), 2);
    down(e);
}

TEST_CASE(ipc_without_device_is_enodev)
{
    struct env *e = up_with(0);
    CHECK_EQ_U64(vmcall(e, HV_HC_QUERY, HV_HC_QUERY_IPC, 0, 0, 0), 0);
    CHECK_EQ_U64(vmcall(e, HV_HC_IPC_REGISTER, TX, RX, 1, 0x40), HV_HC_ENODEV);
    CHECK_EQ_U64(vmcall(e, HV_HC_IPC_NOTIFY, 1, 0, 0, 0), HV_HC_ENODEV);
    CHECK_EQ_U64(hv_vm_send_message(&e->vm, "x", 1), HV_ERR_STATE);
    down(e);
}

TEST_CASE(ipc_register_writes_ring_headers)
{
    struct env *e = up();
    registered(e, 2, 0x40);
    CHECK_EQ_U64(get32(e, TX + 8), 2 * 4096 - 64);
    CHECK_EQ_U64(get32(e, RX + 12), HV_IPC_RING_MAGIC);
    CHECK_EQ_U64(get32(e, RX + 0), 0);
    CHECK_EQ_U64(get32(e, RX + 4), 0);
    CHECK_EQ_U64(vmcall(e, HV_HC_IPC_REGISTER, TX, RX, 2, 0x40), HV_HC_EBUSY);
    CHECK_EQ_U64(vmcall(e, HV_HC_IPC_UNREGISTER, 0, 0, 0, 0), 0);
    CHECK_EQ_U64(vmcall(e, HV_HC_IPC_UNREGISTER, 0, 0, 0, 0), HV_HC_ENOENT);
    registered(e, 1, 0xff);
    down(e);
}

TEST_CASE(ipc_register_rejects_malformed_arguments)
{
    struct env *e = up();
    struct { uint64_t tx, rx, pages, vec; } bad[] = {
        {TX, RX, 0, 0x40},                  /* no pages */
        {TX, RX, 17, 0x40},                 /* too many */
        {TX, RX, ~0ull, 0x40},              /* huge (pages * 4096 would wrap) */
        {TX, RX, 1, 31},                    /* an exception vector */
        {TX, RX, 1, 256},                   /* not a vector */
        {TX + 8, RX, 1, 0x40},              /* misaligned */
        {TX, RX + 0x800, 1, 0x40},
        {TX, TX + 0x8000, 16, 0x40},        /* overlap: TX's 16 pages cover RX */
        {TX, TX, 1, 0x40},                  /* the same ring twice */
        {0xff000, RX, 2, 0x40},             /* runs past the end of RAM (1 MiB) */
        {1ull << 20, RX, 1, 0x40},          /* past RAM */
        {0xfffffffffffff000ull, RX, 1, 0x40}, /* wraps */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_U64(vmcall(e, HV_HC_IPC_REGISTER, bad[i].tx, bad[i].rx, bad[i].pages, bad[i].vec), HV_HC_EINVAL);
    CHECK(!e->vm.dev.ipc.registered);
    CHECK_EQ_U64(e->vm.dev.ipc.rejected_calls, sizeof bad / sizeof bad[0]);
    CHECK_EQ_U64(vmcall(e, HV_HC_IPC_NOTIFY, 5, 0, 0, 0), HV_HC_ENOENT);
    down(e);
}

TEST_CASE(ipc_register_rejects_mmio_hole)
{
    struct env *e = up();
    struct hv_region r = {.gpa = RX, .size = 4096, .type = HV_REGION_MMIO_NP, .mmio = NULL, .name = "hole"};
    /* an MMIO region needs a handler: use the framebuffer's, which refuses everything while detached */
    r.mmio = hv_fb_mmio;
    CHECK_EQ_U64(hv_vm_add_region(&e->vm, &r), HV_OK);
    CHECK_EQ_U64(vmcall(e, HV_HC_IPC_REGISTER, TX, RX, 1, 0x40), HV_HC_EINVAL);
    down(e);
}

TEST_CASE(ipc_notify_reaches_host)
{
    struct env *e = up();
    registered(e, 1, 0x40);
    CHECK_EQ_U64(vmcall(e, HV_HC_IPC_NOTIFY, 0xfeedull, 0, 0, 0), 0);
    CHECK_EQ_U64(e->nnotified, 1);
    CHECK_EQ_U64(e->notified[0], 0xfeed);
    down(e);
}

TEST_CASE(ipc_host_message_layout_and_interrupt)
{
    struct env *e = up();
    registered(e, 1, 0x41);
    hv_vmwrite(&e->vm, VMCS_GUEST_RFLAGS, 0x202); /* IF = 1 */
    CHECK_EQ_U64(hv_vm_send_message(&e->vm, "hello", 5), HV_OK);
    CHECK_EQ_U64(get32(e, RX + 4), 16);        /* tail: 8-byte entry header + 5 bytes padded to 8 */
    CHECK_EQ_U64(get32(e, RX + 64), 5);        /* entry length */
    char got[6] = {0};
    CHECK(hv_gpa_read(&e->vm, RX + 64 + 8, got, 5));
    CHECK_STREQ(got, "hello");
    /* announced on vector 0x41 as an external interrupt */
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO), INTR_INFO_VALID | 0x41);
    CHECK(!hv_ipc_pending(&e->vm));
    /* the next entry passes the entry checks with it; the exit clears the field */
    CHECK_EQ_U64(vmcall(e, HV_HC_QUERY, 0, 0, 0, 0), HV_HC_ABI_VERSION);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO) & INTR_INFO_VALID, 0);
    CHECK_EQ_U64(e->vm.dev.ipc.interrupts, 1);
    down(e);
}

TEST_CASE(ipc_interrupt_waits_for_if)
{
    struct env *e = up();
    registered(e, 1, 0x41);
    hv_vmwrite(&e->vm, VMCS_GUEST_RFLAGS, 0x2); /* IF = 0 */
    CHECK_EQ_U64(hv_vm_send_message(&e->vm, "a", 1), HV_OK);
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO) & INTR_INFO_VALID, 0);
    CHECK(hv_ipc_pending(&e->vm));
    hv_vmwrite(&e->vm, VMCS_GUEST_RFLAGS, 0x202);
    hv_vmwrite(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_STI); /* STI shadow */
    CHECK(!hv_ipc_inject_pending(&e->vm));
    hv_vmwrite(&e->vm, VMCS_GUEST_INTERRUPTIBILITY_STATE, 0);
    CHECK(hv_ipc_inject_pending(&e->vm));
    CHECK_EQ_U64(hv_vmread(&e->vm, VMCS_VM_ENTRY_INTERRUPTION_INFO), INTR_INFO_VALID | 0x41);
    down(e);
}

TEST_CASE(ipc_ring_wraps_and_fills)
{
    struct env *e = up();
    registered(e, 1, 0x40);
    uint8_t msg[1000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)i;
    /* data area 4032 bytes; each entry 8 + 1000 = 1008; 3 fit (3024), a 4th would leave < 8 free */
    for (int i = 0; i < 3; i++)
        CHECK_EQ_U64(hv_vm_send_message(&e->vm, msg, sizeof msg), HV_OK);
    CHECK_EQ_U64(hv_vm_send_message(&e->vm, msg, sizeof msg), HV_ERR_STATE);
    CHECK(strstr(e->vm.message, "full") != NULL);
    /* the guest consumes two: head = 2016; the next entry wraps around the end of the data area */
    put32(e, RX + 0, 2016);
    CHECK_EQ_U64(hv_vm_send_message(&e->vm, msg, sizeof msg), HV_OK);
    CHECK_EQ_U64(get32(e, RX + 4), (3024 + 1008) % 4032);
    uint8_t back[1000];
    CHECK(hv_gpa_read(&e->vm, RX + 64 + 3024 + 8, back, 4032 - 3032));
    CHECK(memcmp(back, msg, 4032 - 3032) == 0);
    CHECK_EQ_U64(hv_vm_send_message(&e->vm, msg, 0), HV_ERR_BAD_CONFIG);
    CHECK_EQ_U64(hv_vm_send_message(&e->vm, msg, HV_IPC_MSG_MAX + 1), HV_ERR_BAD_CONFIG);
    CHECK(!e->vm.dead);
    down(e);
}

TEST_CASE(ipc_guest_corrupts_head_disables_pair)
{
    struct env *e = up();
    registered(e, 1, 0x40);
    put32(e, RX + 0, 4033); /* out of range and misaligned */
    CHECK_EQ_U64(hv_vm_send_message(&e->vm, "x", 1), HV_ERR_STATE);
    CHECK(e->vm.dev.ipc.broken);
    CHECK(!e->vm.dead);
    CHECK_EQ_U64(hv_vm_send_message(&e->vm, "x", 1), HV_ERR_STATE);
    /* re-registering restores it */
    CHECK_EQ_U64(vmcall(e, HV_HC_IPC_UNREGISTER, 0, 0, 0, 0), 0);
    registered(e, 1, 0x40);
    CHECK_EQ_U64(hv_vm_send_message(&e->vm, "x", 1), HV_OK);
    down(e);
}

TEST_CASE(ipc_guest_to_host_messages)
{
    struct env *e = up();
    registered(e, 1, 0x40);
    char buf[64];
    CHECK_EQ_U64(hv_vm_receive_message(&e->vm, buf, sizeof buf), 0); /* empty */
    /* the guest writes an entry "ping" and moves tail */
    uint32_t hdr[2] = {4, 0};
    CHECK(hv_gpa_write(&e->vm, TX + 64, hdr, 8));
    CHECK(hv_gpa_write(&e->vm, TX + 72, "ping", 4));
    put32(e, TX + 4, 16);
    CHECK_EQ_U64(hv_vm_receive_message(&e->vm, buf, 2), (uint64_t)-1); /* too small: nothing consumed */
    CHECK_EQ_U64(hv_vm_receive_message(&e->vm, buf, sizeof buf), 4);
    CHECK(memcmp(buf, "ping", 4) == 0);
    CHECK_EQ_U64(get32(e, TX + 0), 16); /* the core moved head */
    CHECK_EQ_U64(hv_vm_receive_message(&e->vm, buf, sizeof buf), 0);
    /* a hostile entry length larger than what the guest published */
    hdr[0] = 4000;
    CHECK(hv_gpa_write(&e->vm, TX + 64 + 16, hdr, 8));
    put32(e, TX + 4, 32);
    CHECK_EQ_U64(hv_vm_receive_message(&e->vm, buf, sizeof buf), (uint64_t)-1);
    CHECK(e->vm.dev.ipc.broken);
    down(e);
}

TEST_CASE(ipc_invariant_trips_on_planted_state)
{
    struct env *e = up();
    registered(e, 1, 0x40);
    CHECK(hv_ipc_check(&e->vm.dev.ipc) == NULL);
    e->vm.dev.ipc.rx_tail = 5;
    CHECK(hv_ipc_check(&e->vm.dev.ipc) != NULL);
    e->vm.dev.ipc.rx_tail = 0;
    e->vm.dev.ipc.vector = 3;
    CHECK(hv_ipc_check(&e->vm.dev.ipc) != NULL);
    e->vm.dev.ipc.vector = 0x40;
    down(e);
}
