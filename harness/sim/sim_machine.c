/* The simulated machine: CPUs, the physical-memory arena, the page pool and fault injection
 * (sim_machine.h). */
#include "sim_machine.h"

#include <stdlib.h>
#include <string.h>

struct sim_vmx_injection {
    bool armed;
    enum sim_insn insn;
    enum hv_vmx_status status;
    uint32_t error;
};

struct sim_machine {
    const struct sim_profile *prof;
    /* What the profile answers, resolved once at creation because VMLAUNCH/VMRESUME and VMREAD/VMWRITE ask
     * on every exit (a profile never changes): the entry checks' capabilities, and which VMCS fields exist. */
    struct ec_caps caps;
    uint64_t has_field[(HV_VMCS_FIELD_COUNT + 63) / 64]; /* bit i: sim_profile_has_vmcs_field(prof, i) */
    bool entry_checks; /* sim_machine_set_entry_checks */
    unsigned ncpus;
    struct hv_arch_cpu cpu[SIM_MAX_CPUS];
    /* physical memory */
    uint8_t *mem;
    size_t npages;
    /* page pool: a stack of free page indices, and an owner tag per page (SIM_OWNER_FREE when free) */
    uint32_t *free_stack;
    size_t nfree;
    uint32_t *owner;
    uint32_t alloc_owner;
    uint64_t bad_frees;
    /* fault injection */
    bool alloc_fail_armed;
    unsigned alloc_fail_after;
    struct sim_vmx_injection vmx_inj;
    /* machine-wide count of VMXONs: gives each VMX session of each CPU its own number */
    uint32_t vmx_sessions;
    sim_log_fn log;
    void *log_opaque;
};

static const char *const insn_names[SIM_INSN_COUNT] = {
    [SIM_INSN_ANY] = "any",         [SIM_INSN_VMXON] = "VMXON",       [SIM_INSN_VMXOFF] = "VMXOFF",
    [SIM_INSN_VMCLEAR] = "VMCLEAR", [SIM_INSN_VMPTRLD] = "VMPTRLD",   [SIM_INSN_VMPTRST] = "VMPTRST",
    [SIM_INSN_VMREAD] = "VMREAD",   [SIM_INSN_VMWRITE] = "VMWRITE",   [SIM_INSN_VMLAUNCH] = "VMLAUNCH",
    [SIM_INSN_VMRESUME] = "VMRESUME", [SIM_INSN_INVEPT] = "INVEPT",   [SIM_INSN_INVVPID] = "INVVPID",
    [SIM_INSN_MOV_CR] = "MOV CR",   [SIM_INSN_WRMSR] = "WRMSR",
};

const char *sim_insn_name(enum sim_insn insn)
{
    return (unsigned)insn < SIM_INSN_COUNT ? insn_names[insn] : "?";
}

static void cpu_reset(struct sim_machine *m, unsigned i)
{
    struct hv_arch_cpu *c = &m->cpu[i];
    memset(c, 0, sizeof *c);
    c->m = m;
    c->id = i;
    c->cr0 = SIM_RESET_CR0;
    c->cr4 = SIM_RESET_CR4;
    c->efer = SIM_RESET_EFER;
    c->feature_control = m->prof->feature_control;
    c->current_vmcs = SIM_NO_VMCS;
    c->vmxon_ptr = SIM_NO_VMCS;
}

static unsigned addr_width(const struct sim_profile *p)
{
    /* A profile is meant to be sane (sim_profile_invariant_violation); be safe anyway: the architectural
     * maximum is 52 bits (SDM Vol. 1 §3.3.7.1 / CPUID.80000008H). */
    unsigned w = p->maxphyaddr;
    return (w == 0 || w > 52) ? 52 : w;
}

struct sim_machine *sim_machine_create(const struct sim_profile *prof, size_t pages, unsigned ncpus)
{
    if (!prof || pages == 0 || pages > SIM_MAX_PAGES || ncpus == 0 || ncpus > SIM_MAX_CPUS)
        return NULL;
    /* Every page must be addressable under the profile's physical-address width. */
    uint64_t top = SIM_PHYS_BASE + (uint64_t)pages * SIM_PAGE_SIZE;
    if (addr_width(prof) < 64 && (top - 1) >> addr_width(prof))
        return NULL;
    struct sim_machine *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->prof = prof;
    ec_caps_init(&m->caps, prof);
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++)
        if (sim_profile_has_vmcs_field(prof, i))
            m->has_field[i / 64] |= 1ull << (i % 64);
    m->entry_checks = true;
    m->ncpus = ncpus;
    m->npages = pages;
    m->mem = aligned_alloc(SIM_PAGE_SIZE, pages * SIM_PAGE_SIZE);
    m->free_stack = calloc(pages, sizeof *m->free_stack);
    m->owner = calloc(pages, sizeof *m->owner);
    if (!m->mem || !m->free_stack || !m->owner) {
        sim_machine_destroy(m);
        return NULL;
    }
    /* Memory starts as all-zero, like the pool's pages; the lowest page is handed out first. */
    memset(m->mem, 0, pages * SIM_PAGE_SIZE);
    for (size_t i = 0; i < pages; i++)
        m->free_stack[i] = (uint32_t)(pages - 1 - i);
    m->nfree = pages;
    m->alloc_owner = SIM_OWNER_HOST;
    for (unsigned i = 0; i < ncpus; i++)
        cpu_reset(m, i);
    return m;
}

void sim_machine_destroy(struct sim_machine *m)
{
    if (!m)
        return;
    free(m->mem);
    free(m->free_stack);
    free(m->owner);
    free(m);
}

const struct sim_profile *sim_machine_profile(const struct sim_machine *m) { return m->prof; }
const struct ec_caps *sim_machine_ec_caps(const struct sim_machine *m) { return &m->caps; }

bool sim_machine_has_vmcs_field(const struct sim_machine *m, int field_ordinal)
{
    if (field_ordinal < 0 || field_ordinal >= HV_VMCS_FIELD_COUNT)
        return false;
    return (m->has_field[field_ordinal / 64] >> (field_ordinal % 64)) & 1;
}

void sim_machine_set_entry_checks(struct sim_machine *m, bool on) { m->entry_checks = on; }
bool sim_machine_entry_checks(const struct sim_machine *m) { return m->entry_checks; }
unsigned sim_machine_ncpus(const struct sim_machine *m) { return m->ncpus; }

struct hv_arch_cpu *sim_machine_cpu(struct sim_machine *m, unsigned i)
{
    return i < m->ncpus ? &m->cpu[i] : NULL;
}

unsigned sim_machine_phys_width(const struct sim_machine *m) { return addr_width(m->prof); }

unsigned sim_machine_vmx_addr_width(const struct sim_machine *m)
{
    /* SDM Vol. 3 §A.1: IA32_VMX_BASIC bit 48 = 1 limits the VMXON region, VMCS and the structures VMCS
     * fields point to to 32-bit physical addresses. */
    if (sim_profile_vmx_msr(m->prof, MSR_IA32_VMX_BASIC) & (1ull << 48))
        return 32;
    return addr_width(m->prof);
}

/* ---- physical memory ---- */

void *sim_phys_ptr(struct sim_machine *m, uint64_t pa, size_t len)
{
    uint64_t size = (uint64_t)m->npages * SIM_PAGE_SIZE;
    if (len == 0)
        len = 1;
    /* Written so that no sum can wrap: pa and len are hostile. */
    if (pa < SIM_PHYS_BASE || len > size || pa - SIM_PHYS_BASE > size - len)
        return NULL;
    return m->mem + (pa - SIM_PHYS_BASE);
}

bool sim_phys_read(struct sim_machine *m, uint64_t pa, void *buf, size_t len)
{
    void *p = sim_phys_ptr(m, pa, len);
    if (!p)
        return false;
    if (len)
        memcpy(buf, p, len);
    return true;
}

bool sim_phys_write(struct sim_machine *m, uint64_t pa, const void *buf, size_t len)
{
    void *p = sim_phys_ptr(m, pa, len);
    if (!p)
        return false;
    if (len)
        memcpy(p, buf, len);
    return true;
}

bool sim_phys_read_cb(void *machine, uint64_t pa, void *buf, size_t len)
{
    const void *p = sim_phys_ptr(machine, pa, len);
    if (!p)
        return false;
    memcpy(buf, p, len); /* len may be 0 */
    return true;
}

struct ec_memory sim_machine_ec_memory(struct sim_machine *m)
{
    return (struct ec_memory){.read = sim_phys_read_cb, .opaque = m};
}

/* ---- page pool ---- */

/* Index of the page at pa, or -1 when pa is not the start of an arena page. */
static long page_index(const struct sim_machine *m, hv_paddr_t pa)
{
    if (pa < SIM_PHYS_BASE || (pa & (SIM_PAGE_SIZE - 1)))
        return -1;
    uint64_t i = (pa - SIM_PHYS_BASE) / SIM_PAGE_SIZE;
    return i < m->npages ? (long)i : -1;
}

hv_paddr_t sim_page_alloc(struct sim_machine *m)
{
    if (m->alloc_fail_armed) {
        if (m->alloc_fail_after == 0) {
            m->alloc_fail_armed = false;
            return 0;
        }
        m->alloc_fail_after--;
    }
    if (m->nfree == 0)
        return 0;
    uint32_t i = m->free_stack[--m->nfree];
    m->owner[i] = m->alloc_owner;
    memset(m->mem + (size_t)i * SIM_PAGE_SIZE, 0, SIM_PAGE_SIZE);
    return SIM_PHYS_BASE + (uint64_t)i * SIM_PAGE_SIZE;
}

void sim_page_free(struct sim_machine *m, hv_paddr_t pa)
{
    long i = page_index(m, pa);
    if (i < 0 || m->owner[i] == SIM_OWNER_FREE) {
        m->bad_frees++;
        return;
    }
    m->owner[i] = SIM_OWNER_FREE;
    m->free_stack[m->nfree++] = (uint32_t)i;
}

size_t sim_pages_in_use(const struct sim_machine *m) { return m->npages - m->nfree; }
size_t sim_pages_total(const struct sim_machine *m) { return m->npages; }
uint64_t sim_bad_frees(const struct sim_machine *m) { return m->bad_frees; }

uint32_t sim_page_owner(const struct sim_machine *m, hv_paddr_t pa)
{
    long i = page_index(m, pa & ~(uint64_t)(SIM_PAGE_SIZE - 1));
    return i < 0 ? SIM_OWNER_NONE : m->owner[i];
}

void sim_page_set_owner(struct sim_machine *m, hv_paddr_t pa, uint32_t owner)
{
    long i = page_index(m, pa & ~(uint64_t)(SIM_PAGE_SIZE - 1));
    /* Tagging is for allocated pages: a free page stays free, and SIM_OWNER_FREE is not a tag to give. */
    if (i >= 0 && m->owner[i] != SIM_OWNER_FREE && owner != SIM_OWNER_FREE)
        m->owner[i] = owner;
}

uint32_t sim_machine_set_alloc_owner(struct sim_machine *m, uint32_t owner)
{
    uint32_t old = m->alloc_owner;
    if (owner != SIM_OWNER_FREE && owner != SIM_OWNER_NONE)
        m->alloc_owner = owner;
    return old;
}

/* ---- fault injection ---- */

void sim_inject_page_alloc_failure(struct sim_machine *m, unsigned after)
{
    m->alloc_fail_armed = true;
    m->alloc_fail_after = after;
}

void sim_inject_vmx_failure(struct sim_machine *m, enum sim_insn insn, enum hv_vmx_status status,
                            uint32_t error)
{
    m->vmx_inj = (struct sim_vmx_injection){
        .armed = true,
        .insn = (unsigned)insn < SIM_INSN_COUNT ? insn : SIM_INSN_ANY,
        .status = status == HV_VMFAIL_VALID ? HV_VMFAIL_VALID : HV_VMFAIL_INVALID,
        .error = status == HV_VMFAIL_VALID ? error : 0,
    };
}

void sim_inject_clear(struct sim_machine *m)
{
    m->alloc_fail_armed = false;
    m->vmx_inj.armed = false;
}

bool sim_vmx_injection_armed(const struct sim_machine *m)
{
    return m->vmx_inj.armed;
}

bool sim_take_vmx_injection(struct sim_machine *m, enum sim_insn insn, struct hv_vmx_result *out)
{
    if (!m->vmx_inj.armed || (m->vmx_inj.insn != SIM_INSN_ANY && m->vmx_inj.insn != insn))
        return false;
    m->vmx_inj.armed = false;
    *out = (struct hv_vmx_result){.status = m->vmx_inj.status, .error = m->vmx_inj.error};
    return true;
}

uint32_t sim_machine_next_vmx_session(struct sim_machine *m)
{
    /* Session 0 is never handed out, so a zeroed VMCS region never matches a live session. */
    if (++m->vmx_sessions == 0)
        ++m->vmx_sessions;
    return m->vmx_sessions;
}

/* ---- per-CPU ---- */

const struct sim_fault *sim_cpu_last_fault(const struct hv_arch_cpu *cpu) { return &cpu->fault; }
uint64_t sim_cpu_fault_count(const struct hv_arch_cpu *cpu) { return cpu->fault_count; }

void sim_cpu_raise(struct hv_arch_cpu *cpu, enum sim_insn insn, uint8_t vector, const char *reason)
{
    cpu->fault = (struct sim_fault){.raised = true, .vector = vector, .insn = insn, .reason = reason};
    cpu->fault_count++;
}

void sim_cpu_set_next_exit(struct hv_arch_cpu *cpu, uint32_t reason, uint64_t qualification, uint32_t instr_len)
{
    struct sim_exit e = {.reason = reason, .qualification = qualification, .instr_len = instr_len};
    sim_cpu_set_next_exit_full(cpu, &e);
}

void sim_cpu_set_next_exit_full(struct hv_arch_cpu *cpu, const struct sim_exit *exit)
{
    cpu->next_exit = *exit;
    cpu->next_exit_pending = true;
}

void sim_cpu_set_guest(struct hv_arch_cpu *cpu, sim_guest_fn fn, void *opaque)
{
    cpu->guest = fn;
    cpu->guest_opaque = opaque;
}

void sim_cpu_set_mov_ss_blocking(struct hv_arch_cpu *cpu, bool on) { cpu->blocking_mov_ss = on; }

const struct ec_outcome *sim_cpu_last_entry_check(const struct hv_arch_cpu *cpu) { return &cpu->last_entry; }

void sim_machine_set_log(struct sim_machine *m, sim_log_fn fn, void *opaque)
{
    m->log = fn;
    m->log_opaque = opaque;
}

void sim_machine_log(struct sim_machine *m, unsigned cpu, const char *line)
{
    if (m->log && line)
        m->log(m->log_opaque, cpu, line);
}
