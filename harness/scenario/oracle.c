/* Oracles around the core's steps (oracle.h). */
#include "oracle.h"

#include "sim_ept.h"

#include <hv/exit_reasons.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <stdio.h>
#include <stdlib.h>

void hvs_oracles_start(struct hvs_oracles *o, bool enabled, struct sim_machine *m, struct hv_arch_cpu *cpu,
                       uint64_t work_limit)
{
    *o = (struct hvs_oracles){
        .enabled = enabled,
        .m = m,
        .cpu = cpu,
        .work_limit = work_limit ? work_limit : HVS_WORK_LIMIT_DEFAULT,
        .pages_at_start = sim_pages_in_use(m),
        .bad_frees_at_start = sim_bad_frees(m),
        .faults_at_start = sim_cpu_fault_count(cpu),
    };
}

void hvs_oracles_before_step(struct hvs_oracles *o, const uint64_t *f)
{
    o->rip_before = f ? f[HV_VMCS_ORD_GUEST_RIP] : 0;
    o->entries_before = o->cpu->vm_entries;
    o->instructions_before = o->cpu->vmx_instructions;
    o->exits_before = o->cpu->vm_exits;
    o->device_rip_advance = 0;
}

bool hvs_exit_is_instruction(uint32_t basic)
{
    /* SDM Vol. 3 §28.2.5: the VM-exit instruction-length field is defined for exits caused by executing an
     * instruction (the list there); the ones below are those the guest executes as one instruction. */
    switch (basic) {
    case HV_EXIT_CPUID: case HV_EXIT_GETSEC: case HV_EXIT_HLT: case HV_EXIT_INVD: case HV_EXIT_INVLPG:
    case HV_EXIT_RDPMC: case HV_EXIT_RDTSC: case HV_EXIT_RSM: case HV_EXIT_VMCALL: case HV_EXIT_VMCLEAR:
    case HV_EXIT_VMLAUNCH: case HV_EXIT_VMPTRLD: case HV_EXIT_VMPTRST: case HV_EXIT_VMREAD:
    case HV_EXIT_VMRESUME: case HV_EXIT_VMWRITE: case HV_EXIT_VMXOFF: case HV_EXIT_VMXON:
    case HV_EXIT_CR_ACCESS: case HV_EXIT_MOV_DR: case HV_EXIT_IO_INSTRUCTION: case HV_EXIT_RDMSR:
    case HV_EXIT_WRMSR: case HV_EXIT_MWAIT: case HV_EXIT_MONITOR: case HV_EXIT_PAUSE:
    case HV_EXIT_GDTR_IDTR_ACCESS: case HV_EXIT_LDTR_TR_ACCESS: case HV_EXIT_INVEPT: case HV_EXIT_RDTSCP:
    case HV_EXIT_INVVPID: case HV_EXIT_WBINVD: case HV_EXIT_XSETBV: case HV_EXIT_RDRAND:
    case HV_EXIT_INVPCID: case HV_EXIT_VMFUNC: case HV_EXIT_ENCLS: case HV_EXIT_RDSEED: case HV_EXIT_XSAVES:
    case HV_EXIT_XRSTORS: case HV_EXIT_PCONFIG: case HV_EXIT_UMWAIT: case HV_EXIT_TPAUSE:
    case HV_EXIT_LOADIWKEY: case HV_EXIT_ENCLV: case HV_EXIT_SEAMCALL: case HV_EXIT_TDCALL:
    case HV_EXIT_RDMSRLIST: case HV_EXIT_WRMSRLIST:
        return true;
    default:
        return false;
    }
}

/* Exits that happen between instructions or instead of one completing: the guest resumes at the same RIP. */
static bool exit_keeps_rip(uint32_t basic)
{
    switch (basic) {
    case HV_EXIT_EXCEPTION_NMI: case HV_EXIT_EXTERNAL_INTERRUPT: case HV_EXIT_TRIPLE_FAULT:
    case HV_EXIT_INTERRUPT_WINDOW: case HV_EXIT_NMI_WINDOW: case HV_EXIT_MONITOR_TRAP_FLAG:
    case HV_EXIT_EPT_VIOLATION: case HV_EXIT_EPT_MISCONFIG: case HV_EXIT_PREEMPTION_TIMER:
        return true;
    default:
        return false;
    }
}

static bool check_entry(struct hvs_oracles *o, char *msg, size_t n)
{
    /* The sim's VMLAUNCH/VMRESUME ran the VM-entry checks (SDM Vol. 3 §27.2-27.4) and recorded the outcome.
     * An injected failure returns before the checks, so a failing rule here is the core's VMCS. */
    const struct ec_outcome *e = sim_cpu_last_entry_check(o->cpu);
    if (e->kind == EC_OK || !e->rule)
        return true;
    snprintf(msg, n, "oracle entry-checks: the core handed a VMCS that fails %s (%s)", e->rule->name,
             e->rule->sdm);
    return false;
}

static bool check_rip(struct hvs_oracles *o, const uint64_t *f, char *msg, size_t n)
{
    uint32_t basic = HV_EXIT_REASON_BASIC(f[HV_VMCS_ORD_EXIT_REASON]);
    uint64_t len = f[HV_VMCS_ORD_VM_EXIT_INSTRUCTION_LENGTH];
    uint64_t inj = f[HV_VMCS_ORD_VM_ENTRY_INTERRUPTION_INFO];
    uint64_t rip = f[HV_VMCS_ORD_GUEST_RIP];
    if (f[HV_VMCS_ORD_EXIT_REASON] & HV_EXIT_REASON_ENTRY_FAILURE)
        return true;
    const char *name = hv_exit_reason_name(basic);
    if (!name)
        name = "?";
    if (inj & INTR_INFO_VALID) {
        /* An injected fault is delivered with the faulting instruction's RIP (SDM Vol. 3 §27.6.1.1: a
         * hardware exception is a fault/trap as its vector defines; the core injects faults in place of
         * the emulated instruction). Other injection types (interrupts, software exceptions) are not
         * judged here. */
        if (INTR_INFO_TYPE(inj) == INTR_TYPE_HW_EXCEPTION && rip != o->rip_before) {
            snprintf(msg, n,
                     "oracle rip: exit %u (%s) injected exception vector %u but moved RIP from 0x%llx to 0x%llx",
                     basic, name, INTR_INFO_VECTOR(inj), (unsigned long long)o->rip_before,
                     (unsigned long long)rip);
            return false;
        }
        return true;
    }
    if (hvs_exit_is_instruction(basic)) {
        /* §28.2.5: the guest resumes after the instruction, RIP + VM-exit instruction length (32-bit
         * wrap outside 64-bit mode). */
        uint64_t want = o->rip_before + len;
        uint64_t want32 = want & 0xffffffffull;
        if (rip != want && !(rip == want32 && !(f[HV_VMCS_ORD_GUEST_CS_AR_BYTES] & AR_L))) {
            snprintf(msg, n,
                     "oracle rip: exit %u (%s) with instruction length %llu resumed at RIP 0x%llx, expected 0x%llx",
                     basic, name, (unsigned long long)len, (unsigned long long)rip, (unsigned long long)want);
            return false;
        }
        return true;
    }
    /* An EPT exit that a harness device completed (replay.c's MMIO device) moves RIP by what the device
     * said; any other non-instruction exit leaves it. */
    uint64_t keep = o->rip_before;
    if (basic == HV_EXIT_EPT_VIOLATION || basic == HV_EXIT_EPT_MISCONFIG) {
        keep += o->device_rip_advance;
        if (!(f[HV_VMCS_ORD_GUEST_CS_AR_BYTES] & AR_L))
            keep &= 0xffffffffull;
    }
    if (exit_keeps_rip(basic) && rip != keep) {
        snprintf(msg, n, "oracle rip: exit %u (%s) is not an instruction but RIP moved from 0x%llx to 0x%llx",
                 basic, name, (unsigned long long)o->rip_before, (unsigned long long)rip);
        return false;
    }
    return true;
}

static bool check_work(struct hvs_oracles *o, char *msg, size_t n)
{
    uint64_t work = (o->cpu->vm_entries - o->entries_before) + (o->cpu->vm_exits - o->exits_before);
    uint64_t insns = o->cpu->vmx_instructions - o->instructions_before;
    if (work <= o->work_limit && insns <= HVS_VMX_INSN_LIMIT)
        return true;
    if (work > o->work_limit)
        snprintf(msg, n, "oracle liveness: one step did %llu VM entries + exits (limit %llu)",
                 (unsigned long long)work, (unsigned long long)o->work_limit);
    else
        snprintf(msg, n, "oracle liveness: one step executed %llu VMX instructions (limit %u)",
                 (unsigned long long)insns, HVS_VMX_INSN_LIMIT);
    return false;
}

static bool check_faults(struct hvs_oracles *o, char *msg, size_t n)
{
    if (sim_cpu_fault_count(o->cpu) == o->faults_at_start)
        return true;
    const struct sim_fault *flt = sim_cpu_last_fault(o->cpu);
    snprintf(msg, n, "oracle vmx-fault: %s raised %s in VMX root operation: %s", sim_insn_name(flt->insn),
             flt->vector == VEC_UD ? "#UD" : flt->vector == VEC_GP ? "#GP(0)" : "a fault",
             flt->reason ? flt->reason : "(no reason recorded)");
    return false;
}

/* ---- ept (oracle 4) ------------------------------------------------------------------------------------ */

void hvs_oracles_set_vm(struct hvs_oracles *o, const struct hv_vm *vm, uint32_t owner)
{
    o->vm = vm;
    o->vm_owner = owner;
    o->ept_pages_checked = (size_t)-1;
}

static bool ept_due(struct hvs_oracles *o, const uint64_t *f)
{
    if (!o->vm || !o->vm->created)
        return false;
    /* The walk costs O(backed pages), so it runs where the map can have changed: after an EPT violation
     * (where the core maps pages) and whenever the pool or the EPTP moved. An EPT misconfiguration is an
     * MMIO access the core routes without touching the map; if it did touch it, pages or EPTP show it, and
     * the walk before destroy covers the rest. */
    uint32_t basic = HV_EXIT_REASON_BASIC(f[HV_VMCS_ORD_EXIT_REASON]);
    return o->ept_every_step || basic == HV_EXIT_EPT_VIOLATION || sim_pages_in_use(o->m) != o->ept_pages_checked ||
           f[HV_VMCS_ORD_EPT_POINTER] != o->ept_eptp_checked;
}

struct ept_check {
    struct hvs_oracles *o;
    const struct hv_vm *vm;
    uint64_t *tables; /* one bit per arena page: EPT tables */
    uint64_t *mapped; /* one bit per arena page: frames leaves map (while the table set is still incomplete) */
    bool tables_complete;
    size_t npages;
    uint64_t ram_pages;
    char *msg;
    size_t msglen;
    bool bad;
};

static bool page_index(const struct ept_check *c, uint64_t pa, size_t *i)
{
    if (pa < SIM_PHYS_BASE || (pa - SIM_PHYS_BASE) / SIM_PAGE_SIZE >= c->npages)
        return false;
    *i = (size_t)((pa - SIM_PHYS_BASE) / SIM_PAGE_SIZE);
    return true;
}

static const char *owner_name(uint32_t owner)
{
    return owner == SIM_OWNER_FREE ? "a free page" : owner == SIM_OWNER_HOST ? "the host" :
           owner == SIM_OWNER_NONE ? "no memory" : "another owner";
}

static bool ept_fail(struct ept_check *c, const char *fmt, unsigned long long a, unsigned long long b,
                     const char *s)
{
    int n = snprintf(c->msg, c->msglen, "oracle ept: ");
    if (n >= 0 && (size_t)n < c->msglen)
        snprintf(c->msg + n, c->msglen - (size_t)n, fmt, a, b, s);
    c->bad = true;
    return false;
}

static bool collect_tables(void *opaque, const struct sim_ept_node *n)
{
    struct ept_check *c = opaque;
    if (n->kind != SIM_EPT_NODE_TABLE)
        return true;
    uint32_t owner = sim_page_owner(c->o->m, n->frame);
    if (owner != c->o->vm_owner)
        return ept_fail(c, "the EPT table for GPA 0x%llx is frame 0x%llx, owned by %s, not the VM", n->gpa,
                        n->frame, owner_name(owner));
    size_t i;
    if (page_index(c, n->frame, &i))
        c->tables[i >> 6] |= 1ull << (i & 63);
    return true;
}

/* The region that decides what gpa is: the last added that contains it (hv_vm_add_region), or NULL. */
static const struct hv_region *region_of(const struct hv_vm *vm, uint64_t gpa)
{
    unsigned n = vm->nregions < HV_REGIONS_MAX ? vm->nregions : HV_REGIONS_MAX;
    for (unsigned k = n; k-- > 0;) {
        const struct hv_region *r = &vm->regions[k];
        if (gpa >= r->gpa && gpa - r->gpa < r->size)
            return r;
    }
    return NULL;
}

static bool is_structure(const struct hv_vm *vm, uint64_t pa)
{
    return pa == vm->vmcs || pa == vm->io_bitmap_a || pa == vm->io_bitmap_b || pa == vm->msr_bitmap ||
           pa == vm->msr_area_guest || pa == vm->msr_area_host;
}

static bool check_leaf(void *opaque, const struct sim_ept_node *n)
{
    struct ept_check *c = opaque;
    if (n->kind != SIM_EPT_NODE_LEAF)
        return true;
    for (uint64_t off = 0; off < n->size; off += SIM_PAGE_SIZE) {
        uint64_t pa = n->frame + off, gpa = n->gpa + off;
        uint32_t owner = sim_page_owner(c->o->m, pa);
        if (owner != c->o->vm_owner)
            return ept_fail(c, "GPA 0x%llx maps frame 0x%llx, owned by %s, not the VM", gpa, pa, owner_name(owner));
        size_t i;
        bool indexed = page_index(c, pa, &i);
        if (indexed && !c->tables_complete)
            c->mapped[i >> 6] |= 1ull << (i & 63); /* compared with the tables after the walk */
        if ((indexed && c->tables_complete && ((c->tables[i >> 6] >> (i & 63)) & 1u)) || is_structure(c->vm, pa))
            return ept_fail(c, "GPA 0x%llx maps frame 0x%llx, one of the VM's own %s", gpa, pa,
                            "control structures (EPT table, VMCS, bitmap or MSR area)");
        const struct hv_region *r = region_of(c->vm, gpa);
        if (r && (r->type == HV_REGION_MMIO || r->type == HV_REGION_MMIO_NP))
            return ept_fail(c, "the MMIO hole at GPA 0x%llx is backed by frame 0x%llx (region %s)", gpa, pa,
                            r->name ? r->name : "?");
        if (!r && gpa < c->vm->cfg.memory_size)
            c->ram_pages++;
    }
    return true;
}

/* The one walk: tables are collected and leaves checked as they come. A leaf may map a table the walk has not
 * reached yet, so that check waits for the end (ept_check.mapped). */
static bool check_node(void *opaque, const struct sim_ept_node *n)
{
    return n->kind == SIM_EPT_NODE_TABLE ? collect_tables(opaque, n) : check_leaf(opaque, n);
}

bool hvs_oracles_ept(struct hvs_oracles *o, const uint64_t *f, char *msg, size_t msglen)
{
    if (!o->enabled || !f || !o->vm || !o->vm->created)
        return true;
    const struct hv_vm *vm = o->vm;
    uint64_t eptp = f[HV_VMCS_ORD_EPT_POINTER];
    o->ept_pages_checked = sim_pages_in_use(o->m);
    o->ept_eptp_checked = eptp;
    if (!(f[HV_VMCS_ORD_SECONDARY_PROC_BASED_VM_EXEC_CONTROL] & PROC2_ENABLE_EPT) || !eptp)
        return true; /* no EPT (the core refuses such VMs; nothing to check) */
    struct sim_ept_caps caps = sim_ept_caps_of(o->m);
    struct ept_check c = {.o = o, .vm = vm, .npages = sim_pages_total(o->m), .msg = msg, .msglen = msglen};
    size_t words = c.npages / 64 + 1;
    c.tables = calloc(2 * words, sizeof *c.tables);
    if (!c.tables)
        return true; /* out of host memory: no verdict rather than a false one */
    c.mapped = c.tables + words;
    sim_ept_for_each(o->m, &caps, eptp, check_node, &c);
    bool overlap = false;
    for (size_t k = 0; k < words && !c.bad && !overlap; k++)
        overlap = (c.tables[k] & c.mapped[k]) != 0;
    if (overlap) {
        /* A leaf maps an EPT table: walk the leaves again, now against the whole table set, for the message
         * that names the GPA. */
        c.tables_complete = true;
        sim_ept_for_each(o->m, &caps, eptp, check_leaf, &c);
        if (!c.bad) { /* the same tables walked twice cannot differ; say so rather than pass if they did */
            snprintf(msg, msglen, "oracle ept: a leaf maps one of the VM's EPT tables (not found again)");
            c.bad = true;
        }
    }
    free(c.tables);
    if (c.bad)
        return false;
    uint64_t quota = vm->cfg.memory_quota_pages ? vm->cfg.memory_quota_pages : vm->cfg.memory_size / SIM_PAGE_SIZE;
    if (c.ram_pages > quota) {
        snprintf(msg, msglen, "oracle ept: %llu RAM pages backed, over the quota of %llu",
                 (unsigned long long)c.ram_pages, (unsigned long long)quota);
        return false;
    }
    return true;
}

bool hvs_oracles_after_step(struct hvs_oracles *o, const uint64_t *f, enum hv_step_result step, char *msg,
                            size_t msglen)
{
    if (!o->enabled)
        return true;
    if (!check_faults(o, msg, msglen) || !check_entry(o, msg, msglen) || !check_work(o, msg, msglen))
        return false;
    if (step == HV_STEP_CONTINUE && f && !check_rip(o, f, msg, msglen))
        return false;
    if (f && ept_due(o, f) && !hvs_oracles_ept(o, f, msg, msglen))
        return false;
    if (!hvs_oracles_devices(o, msg, msglen))
        return false;
    return true;
}

/* Oracle 6 (DESIGN §5.6): every device's invariant function (hv/dev.h, the device headers) after each step:
 * registers within their legal values, FIFO counts within bounds, ISR/IRR consistent. A device that is not
 * attached keeps its reset state, which its invariant accepts. */
bool hvs_oracles_devices(struct hvs_oracles *o, char *msg, size_t msglen)
{
    if (!o->enabled || !o->vm || !o->vm->created)
        return true;
    const struct hv_vm *vm = o->vm;
    const char *bad = NULL, *dev = NULL;
    if ((bad = hv_uart_check(&vm->dev.uart)))
        dev = "uart";
    else if ((bad = hv_fb_check(&vm->dev.fb)))
        dev = "framebuffer";
    else if ((bad = hv_ipc_check(&vm->dev.ipc)))
        dev = "ipc";
    else if (vm->dev.pic.attached && (bad = hv_pic_invariant(vm)))
        dev = "pic";
    else if (vm->dev.pit.attached && (bad = hv_pit_invariant(vm)))
        dev = "pit";
    else if (vm->dev.kbd.attached && (bad = hv_i8042_invariant(vm)))
        dev = "i8042";
    if (!bad)
        return true;
    snprintf(msg, msglen, "oracle devices: %s: %s", dev, bad);
    return false;
}

bool hvs_oracles_finish(struct hvs_oracles *o, char *msg, size_t msglen)
{
    if (!o->enabled)
        return true;
    if (!check_faults(o, msg, msglen))
        return false;
    size_t in_use = sim_pages_in_use(o->m);
    if (in_use != o->pages_at_start) {
        snprintf(msg, msglen, "oracle page-balance: %zu pages in use after destroy and VMXOFF, %zu before", in_use,
                 o->pages_at_start);
        return false;
    }
    if (sim_bad_frees(o->m) != o->bad_frees_at_start) {
        snprintf(msg, msglen, "oracle page-balance: %llu frees of pages that were not allocated",
                 (unsigned long long)(sim_bad_frees(o->m) - o->bad_frees_at_start));
        return false;
    }
    return true;
}
