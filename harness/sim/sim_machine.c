/* The simulated machine: CPUs, the physical-memory arena, the page pool and fault injection
 * (sim_machine.h). */
#define _DEFAULT_SOURCE /* mmap's MAP_ANONYMOUS and MAP_NORESERVE under -std=c11 */
#include "sim_machine.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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
    unsigned ncpus;
    /* physical memory: `capacity` pages mapped, of which the first `npages` are this machine's memory (the
     * rest exist only so that sim_machine_reset can grow nothing) */
    uint8_t *mem;
    size_t capacity;
    /* Everything from here to `log_opaque` is the machine's resettable state: sim_machine_snapshot copies
     * it as one block (struct sim_state). */
    struct sim_state {
        size_t npages;
        /* page pool: pages [0, bump) have been handed out at least once, pages [bump, npages) never; freed
         * pages wait on a stack and are handed out again first, most recently freed first. This is the order
         * a stack of all pages with the lowest on top gives, without touching every page at creation. */
        size_t bump;
        size_t nfreed;
        uint32_t alloc_owner;
        uint64_t bad_frees;
        /* fault injection */
        bool alloc_fail_armed;
        unsigned alloc_fail_after;
        struct sim_vmx_injection vmx_inj;
        /* machine-wide count of VMXONs: gives each VMX session of each CPU its own number */
        uint32_t vmx_sessions;
        bool entry_checks; /* sim_machine_set_entry_checks */
        struct hv_arch_cpu cpu[SIM_MAX_CPUS];
    } st;
    uint32_t *freed;      /* the stack of freed page indices (capacity entries) */
    uint32_t *owner;      /* owner tag per page (SIM_OWNER_FREE when free) */
    /* Dirty tracking (sim_machine_reset / sim_machine_restore): every page whose bytes may differ from what
     * the last checkpoint left there. Two checkpoints: the fresh machine (all zero) and the snapshot. Each
     * set is a bitmap for the test and a list for the undo, so undoing costs what was dirtied, not what is
     * configured. A page is marked when a host pointer to it is handed out (sim_phys_ptr, which every access
     * to simulated memory goes through) or when it is allocated. */
    struct sim_dirty {
        uint64_t *bits;
        uint32_t *list;
        size_t n;
    } dirty_fresh, dirty_snap;
    size_t bump_high; /* the highest bump since the last reset (owner tags above it are all FREE) */
    struct sim_snapshot *snap;
    struct sim_eptp_memo eptp_memo;
    sim_log_fn log;
    void *log_opaque;
};

/* What sim_machine_snapshot keeps: the resettable state, the freed stack and owner tags of the pages handed
 * out so far, and the bytes of every page that differed from zero. */
struct sim_snapshot {
    struct sim_state st;
    uint32_t *freed;
    uint32_t *owner;  /* owner tags of pages [0, st.bump) */
    size_t npages;    /* pages saved */
    uint32_t *index;  /* their indices */
    uint8_t *bytes;   /* their contents, npages * SIM_PAGE_SIZE */
    size_t bump_high;
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
    struct hv_arch_cpu *c = &m->st.cpu[i];
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

static bool fits_phys_width(const struct sim_profile *prof, size_t pages)
{
    /* Every page must be addressable under the profile's physical-address width. */
    uint64_t top = SIM_PHYS_BASE + (uint64_t)pages * SIM_PAGE_SIZE;
    return !(addr_width(prof) < 64 && (top - 1) >> addr_width(prof));
}

static bool dirty_init(struct sim_dirty *d, size_t capacity)
{
    d->bits = calloc((capacity + 63) / 64, sizeof *d->bits);
    d->list = calloc(capacity, sizeof *d->list);
    d->n = 0;
    return d->bits && d->list;
}

static void dirty_fini(struct sim_dirty *d)
{
    free(d->bits);
    free(d->list);
}

static inline void dirty_mark(struct sim_dirty *d, size_t i)
{
    uint64_t bit = 1ull << (i % 64);
    if (!(d->bits[i / 64] & bit)) {
        d->bits[i / 64] |= bit;
        d->list[d->n++] = (uint32_t)i;
    }
}

static void dirty_clear(struct sim_dirty *d)
{
    for (size_t k = 0; k < d->n; k++)
        d->bits[d->list[k] / 64] = 0; /* a whole word: every page of it that is set is on the list too */
    d->n = 0;
}

/* On every access to simulated memory (VMREAD/VMWRITE included), so the common case is one bit test: a page
 * dirty since the snapshot is dirty since the fresh machine too (dirty_snap is a subset of dirty_fresh: only
 * snapshot and restore clear dirty_snap alone). */
static void mark_pages(struct sim_machine *m, size_t first, size_t last)
{
    for (size_t i = first; i <= last; i++) {
        if (m->dirty_snap.bits[i / 64] & (1ull << (i % 64)))
            continue;
        dirty_mark(&m->dirty_snap, i);
        dirty_mark(&m->dirty_fresh, i);
    }
}

static void snapshot_free(struct sim_snapshot *s)
{
    if (!s)
        return;
    free(s->freed);
    free(s->owner);
    free(s->index);
    free(s->bytes);
    free(s);
}

/* The state sim_machine_create gives, for `pages` pages of memory. */
static void state_reset(struct sim_machine *m, size_t pages)
{
    memset(&m->st, 0, sizeof m->st);
    m->st.npages = pages;
    m->st.entry_checks = true;
    m->st.alloc_owner = SIM_OWNER_HOST;
    for (unsigned i = 0; i < m->ncpus; i++)
        cpu_reset(m, i);
}

struct sim_machine *sim_machine_create(const struct sim_profile *prof, size_t pages, unsigned ncpus)
{
    if (!prof || pages == 0 || pages > SIM_MAX_PAGES || ncpus == 0 || ncpus > SIM_MAX_CPUS ||
        !fits_phys_width(prof, pages))
        return NULL;
    struct sim_machine *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->prof = prof;
    ec_caps_init(&m->caps, prof);
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++)
        if (sim_profile_has_vmcs_field(prof, i))
            m->has_field[i / 64] |= 1ull << (i % 64);
    m->ncpus = ncpus;
    m->capacity = pages;
    /* Anonymous memory reads as zero and costs nothing until touched, so creating a large machine is as
     * cheap as a small one; the pool zeroes a page again when it hands it out. */
    void *mem = mmap(NULL, pages * SIM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    m->mem = mem == MAP_FAILED ? NULL : mem;
    m->freed = calloc(pages, sizeof *m->freed);
    m->owner = calloc(pages, sizeof *m->owner);
    bool dirty_ok = dirty_init(&m->dirty_fresh, pages) && dirty_init(&m->dirty_snap, pages);
    if (!m->mem || !m->freed || !m->owner || !dirty_ok) {
        sim_machine_destroy(m);
        return NULL;
    }
    state_reset(m, pages);
    return m;
}

void sim_machine_destroy(struct sim_machine *m)
{
    if (!m)
        return;
    if (m->mem)
        munmap(m->mem, m->capacity * SIM_PAGE_SIZE);
    free(m->freed);
    free(m->owner);
    dirty_fini(&m->dirty_fresh);
    dirty_fini(&m->dirty_snap);
    snapshot_free(m->snap);
    free(m);
}

size_t sim_machine_capacity(const struct sim_machine *m) { return m->capacity; }
struct sim_eptp_memo *sim_machine_eptp_memo(struct sim_machine *m) { return &m->eptp_memo; }

bool sim_machine_reset(struct sim_machine *m, size_t pages)
{
    if (pages == 0 || pages > m->capacity || !fits_phys_width(m->prof, pages))
        return false;
    for (size_t k = 0; k < m->dirty_fresh.n; k++)
        memset(m->mem + (size_t)m->dirty_fresh.list[k] * SIM_PAGE_SIZE, 0, SIM_PAGE_SIZE);
    dirty_clear(&m->dirty_fresh);
    dirty_clear(&m->dirty_snap);
    for (size_t i = 0; i < m->bump_high; i++)
        m->owner[i] = SIM_OWNER_FREE;
    m->bump_high = 0;
    snapshot_free(m->snap);
    m->snap = NULL;
    m->log = NULL;
    m->log_opaque = NULL;
    state_reset(m, pages);
    return true;
}

bool sim_machine_snapshot(struct sim_machine *m)
{
    snapshot_free(m->snap);
    m->snap = NULL;
    struct sim_snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return false;
    s->st = m->st;
    s->bump_high = m->bump_high;
    s->npages = m->dirty_fresh.n; /* every page that may differ from zero */
    s->freed = malloc((m->st.nfreed ? m->st.nfreed : 1) * sizeof *s->freed);
    s->owner = malloc((m->st.bump ? m->st.bump : 1) * sizeof *s->owner);
    s->index = malloc((s->npages ? s->npages : 1) * sizeof *s->index);
    s->bytes = malloc((s->npages ? s->npages : 1) * (size_t)SIM_PAGE_SIZE);
    if (!s->freed || !s->owner || !s->index || !s->bytes) {
        snapshot_free(s);
        return false;
    }
    memcpy(s->freed, m->freed, m->st.nfreed * sizeof *s->freed);
    memcpy(s->owner, m->owner, m->st.bump * sizeof *s->owner);
    for (size_t k = 0; k < s->npages; k++) {
        s->index[k] = m->dirty_fresh.list[k];
        memcpy(s->bytes + k * SIM_PAGE_SIZE, m->mem + (size_t)s->index[k] * SIM_PAGE_SIZE, SIM_PAGE_SIZE);
    }
    /* From here a page differs from the snapshot only if it is dirtied again. */
    dirty_clear(&m->dirty_snap);
    m->snap = s;
    return true;
}

bool sim_machine_has_snapshot(const struct sim_machine *m) { return m->snap != NULL; }

/* The saved copy of page i, or NULL when the snapshot holds it as zero. The saved pages are listed in the
 * order dirty_fresh listed them, which is not sorted: search the (short) list. */
static const uint8_t *snapshot_page(const struct sim_snapshot *s, uint32_t i)
{
    for (size_t k = 0; k < s->npages; k++)
        if (s->index[k] == i)
            return s->bytes + k * SIM_PAGE_SIZE;
    return NULL;
}

bool sim_machine_restore(struct sim_machine *m)
{
    const struct sim_snapshot *s = m->snap;
    if (!s)
        return false;
    for (size_t k = 0; k < m->dirty_snap.n; k++) {
        uint32_t i = m->dirty_snap.list[k];
        const uint8_t *saved = snapshot_page(s, i);
        uint8_t *p = m->mem + (size_t)i * SIM_PAGE_SIZE;
        if (saved)
            memcpy(p, saved, SIM_PAGE_SIZE);
        else
            memset(p, 0, SIM_PAGE_SIZE);
    }
    dirty_clear(&m->dirty_snap);
    /* Owner tags: as saved below the snapshot's bump, free above it. */
    memcpy(m->owner, s->owner, s->st.bump * sizeof *m->owner);
    for (size_t i = s->st.bump; i < m->bump_high; i++)
        m->owner[i] = SIM_OWNER_FREE;
    m->bump_high = s->bump_high;
    memcpy(m->freed, s->freed, s->st.nfreed * sizeof *m->freed);
    m->st = s->st;
    return true;
}

const struct sim_profile *sim_machine_profile(const struct sim_machine *m) { return m->prof; }
const struct ec_caps *sim_machine_ec_caps(const struct sim_machine *m) { return &m->caps; }

bool sim_machine_has_vmcs_field(const struct sim_machine *m, int field_ordinal)
{
    if (field_ordinal < 0 || field_ordinal >= HV_VMCS_FIELD_COUNT)
        return false;
    return (m->has_field[field_ordinal / 64] >> (field_ordinal % 64)) & 1;
}

void sim_machine_set_entry_checks(struct sim_machine *m, bool on) { m->st.entry_checks = on; }
bool sim_machine_entry_checks(const struct sim_machine *m) { return m->st.entry_checks; }
unsigned sim_machine_ncpus(const struct sim_machine *m) { return m->ncpus; }

struct hv_arch_cpu *sim_machine_cpu(struct sim_machine *m, unsigned i)
{
    return i < m->ncpus ? &m->st.cpu[i] : NULL;
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
    uint64_t size = (uint64_t)m->st.npages * SIM_PAGE_SIZE;
    if (len == 0)
        len = 1;
    /* Written so that no sum can wrap: pa and len are hostile. */
    if (pa < SIM_PHYS_BASE || len > size || pa - SIM_PHYS_BASE > size - len)
        return NULL;
    uint64_t off = pa - SIM_PHYS_BASE;
    /* The caller may write through the pointer: the pages are dirty from now on (reads too, to be safe). */
    mark_pages(m, (size_t)(off / SIM_PAGE_SIZE), (size_t)((off + len - 1) / SIM_PAGE_SIZE));
    return m->mem + off;
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
    return i < m->st.npages ? (long)i : -1;
}

hv_paddr_t sim_page_alloc(struct sim_machine *m)
{
    if (m->st.alloc_fail_armed) {
        if (m->st.alloc_fail_after == 0) {
            m->st.alloc_fail_armed = false;
            return 0;
        }
        m->st.alloc_fail_after--;
    }
    uint32_t i;
    if (m->st.nfreed)
        i = m->freed[--m->st.nfreed];
    else if (m->st.bump < m->st.npages)
        i = (uint32_t)m->st.bump++;
    else
        return 0;
    if (m->st.bump > m->bump_high)
        m->bump_high = m->st.bump;
    m->owner[i] = m->st.alloc_owner;
    mark_pages(m, i, i);
    memset(m->mem + (size_t)i * SIM_PAGE_SIZE, 0, SIM_PAGE_SIZE);
    return SIM_PHYS_BASE + (uint64_t)i * SIM_PAGE_SIZE;
}

void sim_page_free(struct sim_machine *m, hv_paddr_t pa)
{
    long i = page_index(m, pa);
    if (i < 0 || m->owner[i] == SIM_OWNER_FREE) {
        m->st.bad_frees++;
        return;
    }
    m->owner[i] = SIM_OWNER_FREE;
    m->freed[m->st.nfreed++] = (uint32_t)i;
}

size_t sim_pages_in_use(const struct sim_machine *m) { return m->st.bump - m->st.nfreed; }
size_t sim_pages_total(const struct sim_machine *m) { return m->st.npages; }
uint64_t sim_bad_frees(const struct sim_machine *m) { return m->st.bad_frees; }

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
    uint32_t old = m->st.alloc_owner;
    if (owner != SIM_OWNER_FREE && owner != SIM_OWNER_NONE)
        m->st.alloc_owner = owner;
    return old;
}

/* ---- fault injection ---- */

void sim_inject_page_alloc_failure(struct sim_machine *m, unsigned after)
{
    m->st.alloc_fail_armed = true;
    m->st.alloc_fail_after = after;
}

void sim_inject_vmx_failure(struct sim_machine *m, enum sim_insn insn, enum hv_vmx_status status,
                            uint32_t error)
{
    m->st.vmx_inj = (struct sim_vmx_injection){
        .armed = true,
        .insn = (unsigned)insn < SIM_INSN_COUNT ? insn : SIM_INSN_ANY,
        .status = status == HV_VMFAIL_VALID ? HV_VMFAIL_VALID : HV_VMFAIL_INVALID,
        .error = status == HV_VMFAIL_VALID ? error : 0,
    };
}

void sim_inject_clear(struct sim_machine *m)
{
    m->st.alloc_fail_armed = false;
    m->st.vmx_inj.armed = false;
}

bool sim_vmx_injection_armed(const struct sim_machine *m)
{
    return m->st.vmx_inj.armed;
}

bool sim_take_vmx_injection(struct sim_machine *m, enum sim_insn insn, struct hv_vmx_result *out)
{
    if (!m->st.vmx_inj.armed || (m->st.vmx_inj.insn != SIM_INSN_ANY && m->st.vmx_inj.insn != insn))
        return false;
    m->st.vmx_inj.armed = false;
    *out = (struct hv_vmx_result){.status = m->st.vmx_inj.status, .error = m->st.vmx_inj.error};
    return true;
}

uint32_t sim_machine_next_vmx_session(struct sim_machine *m)
{
    /* Session 0 is never handed out, so a zeroed VMCS region never matches a live session. */
    if (++m->st.vmx_sessions == 0)
        ++m->st.vmx_sessions;
    return m->st.vmx_sessions;
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
