/* Semantic records resolved against the current VMCS, as the processor would (resolve.h). */
#include "resolve.h"

#include "sim_ept.h"
#include "sim_msr.h"
#include "sim_vmcs.h"

#include <hv/decode.h>

#include <hv/exit_reasons.h>
#include <hv/msr.h>
#include <hv/vmx_controls.h>
#include <hv/x86.h>
#include <string.h>

#define F(c, NAME) ((c)->f[HV_VMCS_ORD_##NAME])

/* VM-exit instruction lengths (SDM Vol. 3 §28.2.5: the length of the instruction that caused the exit).
 * The scenario says what the guest executes, not its bytes, so each instruction gets its shortest common
 * encoding: CPUID 0F A2, RDMSR 0F 32, WRMSR 0F 30, VMCALL 0F 01 C1, HLT F4, MOV CR 0F 22/20 /r (no REX),
 * CLTS 0F 06, LMSW 0F 01 /6, XSETBV 0F 01 D1, INVD 0F 08, WBINVD 0F 09, RDTSC 0F 31, RDTSCP 0F 01 F9,
 * VMX instructions 3 (0F 01 C2..C4 and the like), IN/OUT DX form 1 byte, immediate form 2. */
enum {
    LEN_CPUID = 2, LEN_MSR = 2, LEN_VMCALL = 3, LEN_HLT = 1, LEN_MOV_CR = 3, LEN_CLTS = 2, LEN_LMSW = 3,
    LEN_XSETBV = 3, LEN_INVD = 2, LEN_WBINVD = 2, LEN_RDTSC = 2, LEN_RDTSCP = 3, LEN_VMX = 3,
    LEN_IO_DX = 1, LEN_IO_IMM = 2, LEN_INT3 = 1,
};

bool hvs_is_semantic(uint8_t type) { return type >= HVS_CPUID && type <= HVS_MEM_INSN; }

uint32_t hvs_proc2(const uint64_t *f)
{
    /* SDM Vol. 3 §25.6.2: the secondary controls are used only when primary bit 31 is 1. */
    if (!(f[HV_VMCS_ORD_PRIMARY_PROC_BASED_VM_EXEC_CONTROL] & PROC_ACTIVATE_SECONDARY_CONTROLS))
        return 0;
    return (uint32_t)f[HV_VMCS_ORD_SECONDARY_PROC_BASED_VM_EXEC_CONTROL];
}

/* ---- registers ---------------------------------------------------------------------------------------- */

static uint64_t *gpr_slot(struct hv_vm *vm, unsigned reg)
{
    /* The SDM's register numbering (Vol. 3 §28.2.1, Table 28-3); 4 (RSP) lives in the VMCS. */
    struct hv_guest_gprs *g = &vm->gprs;
    switch (reg & 15u) {
    case 0: return &g->rax;
    case 1: return &g->rcx;
    case 2: return &g->rdx;
    case 3: return &g->rbx;
    case 5: return &g->rbp;
    case 6: return &g->rsi;
    case 7: return &g->rdi;
    case 8: return &g->r8;
    case 9: return &g->r9;
    case 10: return &g->r10;
    case 11: return &g->r11;
    case 12: return &g->r12;
    case 13: return &g->r13;
    case 14: return &g->r14;
    case 15: return &g->r15;
    default: return NULL;
    }
}

void hvs_set_gpr(struct hv_vm *vm, uint64_t *f, unsigned reg, uint64_t value)
{
    uint64_t *p = gpr_slot(vm, reg);
    if (p)
        *p = value;
    else
        f[HV_VMCS_ORD_GUEST_RSP] = value;
}

uint64_t hvs_get_gpr(const struct hv_vm *vm, const uint64_t *f, unsigned reg)
{
    uint64_t *p = gpr_slot((struct hv_vm *)vm, reg);
    return p ? *p : f[HV_VMCS_ORD_GUEST_RSP];
}

static uint64_t size_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffull : size == 2 ? 0xffffull : 0xffull;
}

/* Write the low `size` bytes of RAX as IN does: 8/16-bit writes merge, a 32-bit write zero-extends in 64-bit
 * mode (SDM Vol. 1 §3.4.1.1). */
static void set_rax_sized(struct hv_vm *vm, unsigned size, uint64_t value)
{
    if (size >= 4)
        vm->gprs.rax = value & 0xffffffffull;
    else
        vm->gprs.rax = (vm->gprs.rax & ~size_mask(size)) | (value & size_mask(size));
}

static void load_edx_eax(struct hv_vm *vm, uint64_t value)
{
    /* RDMSR/RDTSC/WRMSR/XSETBV: EDX:EAX, upper halves of RAX and RDX zero (SDM Vol. 2 RDMSR/RDTSC). */
    vm->gprs.rax = value & 0xffffffffull;
    vm->gprs.rdx = value >> 32;
}

/* mem-access: the access size (1, 2, 4, 8) and the register side of MOV RAX <-> memory. A 32-bit load
 * zero-extends into RAX in 64-bit mode, 8/16-bit ones merge (SDM Vol. 1 §3.4.1.1). */
static unsigned mem_size(const struct hvs_record *r)
{
    if (r->type == HVS_MEM_INSN)
        return 1; /* the instruction decides the size; the sim resolves the access at its first byte */
    return (r->c == 2 || r->c == 4 || r->c == 8) ? (unsigned)r->c : 1u;
}

static void set_rax_mem(struct hv_vm *vm, unsigned size, uint64_t value)
{
    if (size == 8)
        vm->gprs.rax = value;
    else
        set_rax_sized(vm, size, value);
}

static unsigned io_size(const struct hvs_record *r) { return (r->b == 2 || r->b == 4) ? (unsigned)r->b : 1u; }
static bool io_imm_form(const struct hvs_record *r) { return r->a <= 0xff; }

void hvs_load_operands(const struct hvs_resolve_ctx *c, const struct hvs_record *r)
{
    struct hv_vm *vm = c->vm;
    switch (r->type) {
    case HVS_CPUID: /* CPUID reads EAX (leaf) and ECX (subleaf) */
        vm->gprs.rax = (uint32_t)r->a;
        vm->gprs.rcx = (uint32_t)r->b;
        break;
    case HVS_PORT_OUT: /* OUT writes AL/AX/EAX; the DX form takes the port from DX */
        vm->gprs.rax = (vm->gprs.rax & ~size_mask(io_size(r))) | (r->c & size_mask(io_size(r)));
        if (!io_imm_form(r))
            vm->gprs.rdx = (vm->gprs.rdx & ~0xffffull) | (r->a & 0xffff);
        break;
    case HVS_PORT_IN:
        if (!io_imm_form(r))
            vm->gprs.rdx = (vm->gprs.rdx & ~0xffffull) | (r->a & 0xffff);
        break;
    case HVS_RDMSR:
        vm->gprs.rcx = (uint32_t)r->a;
        break;
    case HVS_WRMSR:
        vm->gprs.rcx = (uint32_t)r->a;
        load_edx_eax(vm, r->b);
        break;
    case HVS_XSETBV:
        vm->gprs.rcx = (uint32_t)r->a;
        load_edx_eax(vm, r->b);
        break;
    case HVS_VMCALL: /* the hypercall ABI: number in RAX, arguments in RBX, RCX, RDX, RSI */
        vm->gprs.rax = r->a;
        vm->gprs.rbx = r->b;
        vm->gprs.rcx = r->c;
        vm->gprs.rdx = r->d;
        vm->gprs.rsi = r->e;
        break;
    case HVS_MOV_TO_CR: /* the source GPR holds the value */
        hvs_set_gpr(vm, c->f, (unsigned)r->b, r->c);
        break;
    case HVS_MEM_INSN: /* the instruction bytes go to guest memory at CS:RIP, where the core fetches them */
        if (r->nbytes)
            (void)hvs_place_insn(c, r->bytes, r->nbytes < 15 ? r->nbytes : 15);
        break;
    case HVS_MEM_ACCESS: /* modelled as MOV between RAX and memory: a write stores RAX's low `size` bytes */
        if (r->b == SIM_EPT_WRITE)
            set_rax_mem(vm, mem_size(r), r->d);
        break;
    default:
        break;
    }
}

/* ---- exit decisions ------------------------------------------------------------------------------------ */

static void set_exit(struct hvs_resolution *o, uint32_t reason, uint64_t qual, uint32_t len)
{
    o->exits = true;
    o->exit.reason = reason;
    o->exit.qualification = qual;
    o->exit.instr_len = len;
}

static void no_exit(struct hvs_resolution *o, const char *note)
{
    o->exits = false;
    o->note = note;
}

/* Vectors whose exceptions push an error code in protected mode (SDM Vol. 3 §6.15 / Table 6-1): #DF, #TS,
 * #NP, #SS, #GP, #PF, #AC, #CP. Real mode delivers none. */
static bool exception_has_error_code(const struct hvs_resolve_ctx *c, unsigned vector)
{
    if (!(F(c, GUEST_CR0) & CR0_PE))
        return false;
    switch (vector) {
    case 8: case 10: case 11: case 12: case 13: case 14: case 17: case 21:
        return true;
    default:
        return false;
    }
}

static void resolve_nmi(const struct hvs_resolve_ctx *c, struct hvs_resolution *o)
{
    /* SDM Vol. 3 §26.2: an NMI causes a VM exit iff "NMI exiting" (pin bit 3) is 1; the exit is reason 0
     * with interruption type 2, vector 2 (§28.2.2). */
    if (F(c, PIN_BASED_VM_EXEC_CONTROL) & PIN_NMI_EXITING) {
        set_exit(o, HV_EXIT_EXCEPTION_NMI, 0, 0);
        o->exit.intr_info = INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | 2u;
        return;
    }
    o->handled_in_guest = true;
    no_exit(o, "NMI exiting is 0: the guest takes the NMI");
}

/* An exception the guest raises (or an instruction raises instead of completing). */
static void resolve_exception(const struct hvs_resolve_ctx *c, unsigned vector, uint32_t error, bool software,
                              uint32_t instr_len, struct hvs_resolution *o)
{
    if (vector == 2) {
        resolve_nmi(c, o);
        return;
    }
    bool has_error = exception_has_error_code(c, vector);
    if (vector == 8)
        error = 0; /* #DF always pushes 0 (SDM Vol. 3 §6.15) */
    uint32_t bitmap = (uint32_t)F(c, EXCEPTION_BITMAP);
    bool exits = (bitmap >> (vector & 31u)) & 1u;
    if (vector == VEC_PF) {
        /* SDM Vol. 3 §26.2 / §25.6.3: for #PF, bit 14 decides together with the error-code mask/match:
         * when (PFEC & mask) == match the exit happens iff bit 14 is 1, otherwise iff bit 14 is 0. */
        uint32_t mask = (uint32_t)F(c, PAGE_FAULT_ERROR_CODE_MASK);
        uint32_t match = (uint32_t)F(c, PAGE_FAULT_ERROR_CODE_MATCH);
        exits = ((error & mask) == match) ? exits : !exits;
    }
    if (!exits) {
        o->handled_in_guest = true;
        no_exit(o, "exception bitmap: the guest takes the exception");
        return;
    }
    /* §28.2.2: VM-exit interruption information: vector, type (3 hardware exception, 6 software exception
     * for INT3/INTO), bit 11 error code valid, bit 31 valid. Software exceptions report their length. */
    uint32_t type = software ? INTR_TYPE_SW_EXCEPTION : INTR_TYPE_HW_EXCEPTION;
    set_exit(o, HV_EXIT_EXCEPTION_NMI, 0, software ? instr_len : 0);
    o->exit.intr_info = INTR_INFO_VALID | (type << 8) | (vector & 0xffu) | (has_error ? INTR_INFO_DELIVER_ERROR_CODE : 0);
    o->exit.intr_error = has_error ? error : 0;
}

static void fault(const struct hvs_resolve_ctx *c, unsigned vector, struct hvs_resolution *o)
{
    o->faulted = true;
    o->fault_vector = (uint8_t)vector;
    resolve_exception(c, vector, 0, false, 0, o);
}

/* SDM Vol. 3 §26.2 "I/O instructions": unconditional I/O exiting unless I/O bitmaps are used; with bitmaps,
 * an exit iff the bit of any byte of the access is 1 (bitmap A ports 0-0x7fff, B 0x8000-0xffff, §25.6.4),
 * and always when the access wraps past 0xffff. */
static bool io_exits(const struct hvs_resolve_ctx *c, uint32_t port, unsigned size, const char **why)
{
    uint32_t proc = (uint32_t)F(c, PRIMARY_PROC_BASED_VM_EXEC_CONTROL);
    if (!(proc & PROC_USE_IO_BITMAPS)) {
        *why = "unconditional I/O exiting is 0 and I/O bitmaps are not used";
        return (proc & PROC_UNCONDITIONAL_IO_EXITING) != 0;
    }
    for (unsigned i = 0; i < size; i++) {
        uint32_t p = port + i;
        if (p > 0xffff)
            return true;
        uint64_t base = p < 0x8000 ? F(c, IO_BITMAP_A) : F(c, IO_BITMAP_B);
        const uint8_t *bm = sim_phys_ptr(c->m, base, SIM_PAGE_SIZE);
        if (!bm)
            return true; /* not memory: see resolve.h */
        uint32_t bit = p & 0x7fff;
        if ((bm[bit >> 3] >> (bit & 7)) & 1u)
            return true;
    }
    *why = "I/O bitmap bits clear";
    return false;
}

static void resolve_io(const struct hvs_resolve_ctx *c, const struct hvs_record *r, bool in, struct hvs_resolution *o)
{
    uint32_t port = (uint32_t)(r->a & 0xffff);
    unsigned size = io_size(r);
    const char *why = "";
    if (!io_exits(c, port, size, &why)) {
        no_exit(o, why);
        return;
    }
    /* §28.2.1 Table 28-5: bits 2:0 size - 1, bit 3 direction (1 = IN), bit 4 string, bit 5 REP, bit 6
     * operand encoding (1 = immediate), bits 31:16 port. */
    bool imm = io_imm_form(r);
    uint64_t q = (uint64_t)(size - 1) | (in ? 1u << 3 : 0) | (imm ? 1u << 6 : 0) | ((uint64_t)port << 16);
    set_exit(o, HV_EXIT_IO_INSTRUCTION, q, imm ? LEN_IO_IMM : LEN_IO_DX);
}

/* SDM Vol. 3 §26.2 "RDMSR"/"WRMSR" and §25.6.9: without MSR bitmaps every access exits; with them the bit
 * for the MSR decides (read low 0x000, read high 0x400, write low 0x800, write high 0xc00; low = 0-0x1fff,
 * high = 0xc0000000-0xc0001fff), and MSRs outside both ranges always exit. */
static bool msr_exits(const struct hvs_resolve_ctx *c, uint32_t msr, bool write)
{
    if (!(F(c, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_USE_MSR_BITMAPS))
        return true;
    uint32_t off, bit;
    if (msr <= 0x1fff) {
        off = 0x000;
        bit = msr;
    } else if (msr >= 0xc0000000u && msr <= 0xc0001fffu) {
        off = 0x400;
        bit = msr - 0xc0000000u;
    } else {
        return true;
    }
    if (write)
        off += 0x800;
    const uint8_t *bm = sim_phys_ptr(c->m, F(c, MSR_BITMAP), SIM_PAGE_SIZE);
    if (!bm)
        return true;
    return (bm[off + (bit >> 3)] >> (bit & 7)) & 1u;
}

/* The entry of msr in the VM-entry MSR-load area (the guest's value, SDM Vol. 3 §25.8.2), or NULL. */
static uint8_t *guest_msr_area_entry(const struct hvs_resolve_ctx *c, uint32_t msr)
{
    uint64_t count = F(c, VM_ENTRY_MSR_LOAD_COUNT);
    if (count > 512)
        count = 512; /* §A.6: at most 512 times (bits 27:25 + 1) entries; more would not be 16-byte entries of one page */
    uint8_t *area = sim_phys_ptr(c->m, F(c, VM_ENTRY_MSR_LOAD_ADDR), (size_t)count * 16);
    if (!area || count == 0)
        return NULL;
    for (uint64_t i = 0; i < count; i++) {
        uint32_t idx;
        memcpy(&idx, area + i * 16, 4);
        if (idx == msr)
            return area + i * 16 + 8;
    }
    return NULL;
}

static bool cr_bits_differ(uint64_t value, uint64_t mask, uint64_t shadow) { return ((value ^ shadow) & mask) != 0; }

static void resolve_mov_to_cr(const struct hvs_resolve_ctx *c, const struct hvs_record *r, struct hvs_resolution *o)
{
    unsigned cr = (unsigned)r->a, gpr = (unsigned)(r->b & 15u);
    uint64_t v = r->c;
    uint32_t proc = (uint32_t)F(c, PRIMARY_PROC_BASED_VM_EXEC_CONTROL);
    /* §28.2.1 Table 28-3: bits 3:0 CR number, 5:4 access type (0 = MOV to CR), 11:8 GPR. */
    uint64_t q = cr | ((uint64_t)gpr << 8);
    bool exits;
    switch (cr) {
    case 0: /* §26.1.3: exits iff a bit set in the CR0 guest/host mask differs between source and shadow */
        exits = cr_bits_differ(v, F(c, CR0_GUEST_HOST_MASK), F(c, CR0_READ_SHADOW));
        break;
    case 4:
        exits = cr_bits_differ(v, F(c, CR4_GUEST_HOST_MASK), F(c, CR4_READ_SHADOW));
        break;
    case 3: { /* §26.1.3: CR3-load exiting, unless the value is one of the first CR3-target-count targets */
        exits = (proc & PROC_CR3_LOAD_EXITING) != 0;
        uint64_t n = F(c, CR3_TARGET_COUNT);
        const uint64_t targets[4] = {F(c, CR3_TARGET_VALUE0), F(c, CR3_TARGET_VALUE1), F(c, CR3_TARGET_VALUE2),
                                     F(c, CR3_TARGET_VALUE3)};
        for (uint64_t i = 0; exits && i < n && i < 4; i++)
            if (targets[i] == v)
                exits = false;
        break;
    }
    case 8: /* §26.1.3: CR8-load exiting */
        exits = (proc & PROC_CR8_LOAD_EXITING) != 0;
        break;
    default: /* MOV to CR1/5-7/9-15 is #UD (SDM Vol. 2 MOV—Move to/from Control Registers) */
        fault(c, VEC_UD, o);
        return;
    }
    if (exits)
        set_exit(o, HV_EXIT_CR_ACCESS, q, LEN_MOV_CR);
    else
        no_exit(o, cr == 0 || cr == 4 ? "guest/host mask: no owned bit changes" : "CR load exiting is 0");
}

static void resolve_mov_from_cr(const struct hvs_resolve_ctx *c, const struct hvs_record *r, struct hvs_resolution *o)
{
    unsigned cr = (unsigned)r->a, gpr = (unsigned)(r->b & 15u);
    uint32_t proc = (uint32_t)F(c, PRIMARY_PROC_BASED_VM_EXEC_CONTROL);
    uint64_t q = cr | (1u << 4) | ((uint64_t)gpr << 8); /* access type 1 = MOV from CR */
    bool exits;
    switch (cr) {
    case 0: case 2: case 4: /* never exit: reads see the shadow for owned bits (§26.3) */
        exits = false;
        break;
    case 3:
        exits = (proc & PROC_CR3_STORE_EXITING) != 0;
        break;
    case 8:
        exits = (proc & PROC_CR8_STORE_EXITING) != 0;
        break;
    default:
        fault(c, VEC_UD, o);
        return;
    }
    if (exits)
        set_exit(o, HV_EXIT_CR_ACCESS, q, LEN_MOV_CR);
    else
        no_exit(o, "CR read does not exit");
}

static void resolve_rdtsc(const struct hvs_resolve_ctx *c, bool rdtscp, struct hvs_resolution *o)
{
    if (rdtscp && !(hvs_proc2(c->f) & PROC2_ENABLE_RDTSCP)) {
        /* §26.3 / §25.6.2: with "enable RDTSCP" 0, RDTSCP raises #UD */
        fault(c, VEC_UD, o);
        return;
    }
    if (F(c, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_RDTSC_EXITING)
        set_exit(o, rdtscp ? HV_EXIT_RDTSCP : HV_EXIT_RDTSC, 0, rdtscp ? LEN_RDTSCP : LEN_RDTSC);
    else
        no_exit(o, "RDTSC exiting is 0");
}

/* ---- guest-physical accesses (mem-access) ------------------------------------------------------------- */

/* Whether the guest's guest-physical addresses go through EPT ("enable EPT", secondary bit 1, §25.6.2). */
static bool ept_on(const struct hvs_resolve_ctx *c)
{
    return (hvs_proc2(c->f) & PROC2_ENABLE_EPT) != 0;
}

/* The pieces of an access: at most two, split where it crosses a 4-KiB boundary (each page is translated on
 * its own, SDM Vol. 3 §29.3.2). Returns the number of pieces. */
static unsigned mem_pieces(const struct hvs_record *r, uint64_t gpa[2], unsigned len[2])
{
    unsigned size = mem_size(r);
    unsigned first = (unsigned)(SIM_PAGE_SIZE - (r->a & (SIM_PAGE_SIZE - 1)));
    gpa[0] = r->a;
    if (first >= size) {
        len[0] = size;
        return 1;
    }
    len[0] = first;
    gpa[1] = r->a + first;
    len[1] = size - first;
    return 2;
}

static unsigned mem_access_type(const struct hvs_record *r)
{
    return (r->b == SIM_EPT_WRITE || r->b == SIM_EPT_FETCH) ? (unsigned)r->b : SIM_EPT_READ;
}

/* SDM Vol. 3 §29.3.3: an access through EPT exits with an EPT misconfiguration (49) or violation (48), else
 * reaches memory. The violation reports (§28.2.1 Table 28-7) the access, the rights of the translation,
 * bit 7 "guest linear address valid" and bit 8 "access to the translation of a linear address" (the guest's
 * own paging is identity in program64 and off in real mode, so the linear address equals the GPA); the
 * guest-physical address field holds the GPA (§28.2.4). The instruction length is given too, as Bochs fills
 * it — architecturally it is undefined for these exits and the core must not rely on it. */
/* The instruction length of a mem-access (its field) or a mem-insn (its decoded bytes). */
static uint32_t mem_instr_len(const struct hvs_resolve_ctx *c, const struct hvs_record *r)
{
    if (r->type != HVS_MEM_INSN)
        return (uint32_t)r->e;
    bool rep;
    unsigned len = hvs_insn_len(c->f, r->bytes, r->nbytes, &rep);
    return len ? len : 1u;
}

static void resolve_mem_access(const struct hvs_resolve_ctx *c, const struct hvs_record *r, struct hvs_resolution *o)
{
    if (!ept_on(c)) {
        no_exit(o, "EPT is off: guest-physical is host-physical; the sim leaves host memory alone");
        return;
    }
    struct sim_ept_caps caps = sim_ept_caps_of(c->m);
    uint64_t eptp = F(c, EPT_POINTER);
    uint64_t gpa[2];
    unsigned len[2];
    unsigned n = mem_pieces(r, gpa, len);
    unsigned access = mem_access_type(r);
    for (unsigned i = 0; i < n; i++) {
        struct sim_ept_walk w;
        sim_ept_translate(c->m, &caps, eptp, gpa[i], access, false, &w);
        if (w.outcome == SIM_EPT_OK)
            continue;
        if (w.outcome == SIM_EPT_VIOLATION) {
            set_exit(o, HV_EXIT_EPT_VIOLATION, w.qualification | SIM_EPTQ_GLA_VALID | SIM_EPTQ_GLA_TRANSLATED,
                     mem_instr_len(c, r));
            o->exit.guest_linear = gpa[i];
        } else {
            /* §28.2.1: the exit qualification of an EPT misconfiguration is not defined (0). A bad EPTP
             * cannot reach here (VM entry checks it, §27.2.1.1); were it to, the sim calls it a
             * misconfiguration rather than guess. */
            set_exit(o, HV_EXIT_EPT_MISCONFIG, 0, mem_instr_len(c, r));
        }
        o->exit.guest_phys = gpa[i];
        o->ept_rule = w.rule;
        return;
    }
    no_exit(o, "EPT maps it");
}

static void advance_rip(const struct hvs_resolve_ctx *c, unsigned len);

/* The access happens: A/D flags (§29.3.5), the bytes move between RAX and the host pages, RIP advances. */
static void apply_mem_access(const struct hvs_resolve_ctx *c, const struct hvs_record *r)
{
    if (ept_on(c)) {
        struct sim_ept_caps caps = sim_ept_caps_of(c->m);
        uint64_t gpa[2];
        unsigned len[2];
        unsigned n = mem_pieces(r, gpa, len);
        unsigned access = mem_access_type(r);
        uint8_t bytes[8];
        uint64_t v = r->d;
        memcpy(bytes, &v, sizeof bytes); /* little-endian, as the guest stores it */
        unsigned done = 0;
        for (unsigned i = 0; i < n; i++) {
            struct sim_ept_walk w;
            sim_ept_translate(c->m, &caps, F(c, EPT_POINTER), gpa[i], access, true, &w);
            uint8_t *p = w.outcome == SIM_EPT_OK ? sim_phys_ptr(c->m, w.hpa, len[i]) : NULL;
            if (p && access == SIM_EPT_WRITE)
                memcpy(p, bytes + done, len[i]);
            else if (p && access == SIM_EPT_READ)
                memcpy(bytes + done, p, len[i]);
            else if (!p && access == SIM_EPT_READ)
                memset(bytes + done, 0xff, len[i]); /* a frame that is not memory: nothing answers */
            done += len[i];
        }
        if (access == SIM_EPT_READ) {
            memcpy(&v, bytes, sizeof v);
            unsigned size = mem_size(r);
            set_rax_mem(c->vm, size, size == 8 ? v : v & ((1ull << (8 * size)) - 1));
        }
    }
    advance_rip(c, (unsigned)r->e);
}

static int nonexit_fault(const struct hvs_resolve_ctx *c, const struct hvs_record *r);

void hvs_resolve(const struct hvs_resolve_ctx *c, const struct hvs_record *r, struct hvs_resolution *o)
{
    memset(o, 0, sizeof *o);
    uint32_t proc = (uint32_t)F(c, PRIMARY_PROC_BASED_VM_EXEC_CONTROL);
    uint32_t pin = (uint32_t)F(c, PIN_BASED_VM_EXEC_CONTROL);
    switch (r->type) {
    case HVS_CPUID: /* §26.1.2: unconditional */
        set_exit(o, HV_EXIT_CPUID, 0, LEN_CPUID);
        break;
    case HVS_PORT_OUT:
        resolve_io(c, r, false, o);
        break;
    case HVS_PORT_IN:
        resolve_io(c, r, true, o);
        break;
    case HVS_RDMSR:
    case HVS_WRMSR:
        if (msr_exits(c, (uint32_t)r->a, r->type == HVS_WRMSR))
            set_exit(o, r->type == HVS_WRMSR ? HV_EXIT_WRMSR : HV_EXIT_RDMSR, 0, LEN_MSR);
        else
            no_exit(o, "MSR bitmap bit clear");
        break;
    case HVS_VMCALL: /* §26.1.2: unconditional */
        set_exit(o, HV_EXIT_VMCALL, 0, LEN_VMCALL);
        break;
    case HVS_HLT: /* §26.2: HLT exiting */
        if (proc & PROC_HLT_EXITING)
            set_exit(o, HV_EXIT_HLT, 0, LEN_HLT);
        else
            no_exit(o, "HLT exiting is 0");
        break;
    case HVS_EXT_INTERRUPT:
        /* §26.2: external-interrupt exiting (pin bit 0). With "acknowledge interrupt on exit" (exit control
         * bit 15) the vector is reported in the interruption information (§28.2.2), else it is invalid. */
        if (pin & PIN_EXTERNAL_INTERRUPT_EXITING) {
            set_exit(o, HV_EXIT_EXTERNAL_INTERRUPT, 0, 0);
            if (F(c, PRIMARY_VM_EXIT_CONTROLS) & EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT)
                o->exit.intr_info = INTR_INFO_VALID | (INTR_TYPE_EXTERNAL << 8) | (uint32_t)(r->a & 0xff);
        } else {
            o->handled_in_guest = true;
            no_exit(o, "external-interrupt exiting is 0: the guest takes (or holds pending) the interrupt");
        }
        break;
    case HVS_MOV_TO_CR:
        resolve_mov_to_cr(c, r, o);
        break;
    case HVS_MOV_FROM_CR:
        resolve_mov_from_cr(c, r, o);
        break;
    case HVS_CLTS: { /* §26.1.3: exits iff bit 3 (TS) is 1 in both the CR0 mask and the read shadow */
        uint64_t m = F(c, CR0_GUEST_HOST_MASK), s = F(c, CR0_READ_SHADOW);
        if ((m & s) & (1u << 3))
            set_exit(o, HV_EXIT_CR_ACCESS, 2u << 4, LEN_CLTS); /* access type 2 = CLTS, CR 0 */
        else
            no_exit(o, "CLTS: TS not owned, or shadow TS = 0");
        break;
    }
    case HVS_LMSW: {
        /* §26.1.3: exits iff (mask PE = 1, source PE = 1, shadow PE = 0) or, for a bit in 3:1 with mask 1,
         * source and shadow differ. Qualification: type 3 = LMSW, bit 6 operand type 0 (register), source
         * data in bits 31:16 (§28.2.1 Table 28-3). */
        uint64_t m = F(c, CR0_GUEST_HOST_MASK), s = F(c, CR0_READ_SHADOW), src = r->a & 0xffff;
        bool exits = ((m & 1u) && (src & 1u) && !(s & 1u)) || (((src ^ s) & m) & 0xeu);
        if (exits)
            set_exit(o, HV_EXIT_CR_ACCESS, (3u << 4) | (src << 16), LEN_LMSW);
        else
            no_exit(o, "LMSW: no owned bit changes");
        break;
    }
    case HVS_XSETBV: /* §26.1.2: unconditional */
        set_exit(o, HV_EXIT_XSETBV, 0, LEN_XSETBV);
        break;
    case HVS_INVD: /* §26.1.2: unconditional */
        set_exit(o, HV_EXIT_INVD, 0, LEN_INVD);
        break;
    case HVS_WBINVD: /* §26.2: "WBINVD exiting" (secondary bit 6) */
        if (hvs_proc2(c->f) & PROC2_WBINVD_EXITING)
            set_exit(o, HV_EXIT_WBINVD, 0, LEN_WBINVD);
        else
            no_exit(o, "WBINVD exiting is 0");
        break;
    case HVS_RDTSC:
        resolve_rdtsc(c, false, o);
        break;
    case HVS_RDTSCP:
        resolve_rdtsc(c, true, o);
        break;
    case HVS_VMX_INSN: {
        /* §26.1.2: INVEPT, INVVPID, VMCLEAR, VMLAUNCH, VMPTRLD, VMPTRST, VMRESUME, VMXOFF, VMXON exit
         * unconditionally; VMREAD/VMWRITE too unless VMCS shadowing lets them through (not modelled: they
         * exit). VMFUNC is #UD when "enable VM functions" is 0 (§26.3), else it exits only for an invalid
         * function (modelled as exiting). Anything else is not a VMX instruction: the record is ignored. */
        uint32_t reason = (uint32_t)r->a;
        if ((reason >= HV_EXIT_VMCLEAR && reason <= HV_EXIT_VMXON) || reason == HV_EXIT_INVEPT ||
            reason == HV_EXIT_INVVPID) {
            set_exit(o, reason, 0, LEN_VMX);
        } else if (reason == HV_EXIT_VMFUNC) {
            if (hvs_proc2(c->f) & PROC2_ENABLE_VM_FUNCTIONS)
                set_exit(o, reason, 0, LEN_VMX);
            else
                fault(c, VEC_UD, o);
        } else {
            no_exit(o, "not a VMX instruction exit reason: record ignored");
        }
        break;
    }
    case HVS_EXCEPTION: {
        unsigned vector = (unsigned)r->a;
        if (vector > 31) {
            no_exit(o, "not an exception vector (0-31): record ignored");
            break;
        }
        /* #BP and #OF come from INT3/INTO: software exceptions with an instruction length (§28.2.2). */
        bool sw = vector == 3 || vector == 4;
        resolve_exception(c, vector, (uint32_t)r->c, sw, LEN_INT3, o);
        break;
    }
    case HVS_TRIPLE_FAULT: /* §26.2: always exits */
        set_exit(o, HV_EXIT_TRIPLE_FAULT, 0, 0);
        break;
    case HVS_PREEMPTION_TIMER: /* §26.5.1: only when "activate VMX-preemption timer" (pin bit 6) is 1 */
        if (pin & PIN_ACTIVATE_PREEMPTION_TIMER)
            set_exit(o, HV_EXIT_PREEMPTION_TIMER, 0, 0);
        else
            no_exit(o, "the VMX-preemption timer is not active");
        break;
    case HVS_NMI:
        resolve_nmi(c, o);
        break;
    case HVS_MEM_ACCESS:
    case HVS_MEM_INSN:
        resolve_mem_access(c, r, o);
        break;
    default:
        no_exit(o, "not a semantic record");
        break;
    }
    if (!o->exits && !o->faulted && !o->handled_in_guest) {
        int v = nonexit_fault(c, r);
        if (v >= 0)
            fault(c, (unsigned)v, o);
    }
}

/* ---- the effect of an instruction that did not exit ---------------------------------------------------- */

static void advance_rip(const struct hvs_resolve_ctx *c, unsigned len)
{
    uint64_t rip = F(c, GUEST_RIP) + len;
    /* Outside 64-bit mode the instruction pointer is 32 bits wide (SDM Vol. 1 §3.5); RIP[63:32] must stay 0
     * for VM entry (Vol. 3 §27.3.1.4). */
    if (!(F(c, GUEST_CS_AR_BYTES) & AR_L))
        rip &= 0xffffffffull;
    F(c, GUEST_RIP) = rip;
}

static bool cr0_value_legal(const struct hvs_resolve_ctx *c, uint64_t v)
{
    const struct sim_profile *p = sim_machine_profile(c->m);
    uint64_t fixed0 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR0_FIXED0);
    uint64_t fixed1 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR0_FIXED1);
    if (hvs_proc2(c->f) & PROC2_UNRESTRICTED_GUEST)
        fixed0 &= ~(CR0_PE | CR0_PG); /* §24.8 / §A.7: unrestricted guests may clear PE and PG */
    /* MOV to CR0 #GP(0): bits 63:32 set, PG without PE, NW without CD (SDM Vol. 2 MOV CR); in VMX operation
     * a value outside IA32_VMX_CR0_FIXED0/1 (§24.8); clearing PG in IA-32e mode (§9.8.5.4). */
    if ((v >> 32) || ((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
        return false;
    if ((v & fixed0) != fixed0 || (v & ~fixed1))
        return false;
    if ((F(c, VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST) && !(v & CR0_PG))
        return false;
    /* "#GP(0) if an attempt is made to clear CR0.PG while CR4.PCIDE = 1" (SDM Vol. 2 MOV CR) */
    if (!(v & CR0_PG) && (F(c, GUEST_CR4) & CR4_PCIDE))
        return false;
    return true;
}

static bool cr4_value_legal(const struct hvs_resolve_ctx *c, uint64_t v)
{
    const struct sim_profile *p = sim_machine_profile(c->m);
    uint64_t fixed0 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR4_FIXED0);
    uint64_t fixed1 = sim_profile_vmx_msr(p, MSR_IA32_VMX_CR4_FIXED1);
    /* Reserved bits #GP; in VMX operation the fixed bits may not change (§24.8); IA-32e mode needs PAE, and
     * LA57 cannot change while in it (SDM Vol. 2 MOV CR). */
    if ((v & fixed0) != fixed0 || (v & ~fixed1))
        return false;
    if (F(c, VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST) {
        if (!(v & CR4_PAE) || ((v ^ F(c, GUEST_CR4)) & CR4_LA57))
            return false;
    }
    /* CR4.PCIDE can be set only in IA-32e mode (SDM Vol. 3 §4.10.1), and not from 0 to 1 while CR3[11:0] is
     * nonzero (SDM Vol. 2 MOV CR, #GP(0)). Found by fuzz_exits: a real-mode guest set PCIDE without an exit,
     * and the VMCS the core then entered with failed guest.cr4.pcide_not_ia32e (§27.3.1.1). */
    if (v & CR4_PCIDE) {
        if (!(F(c, VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST))
            return false;
        if (!(F(c, GUEST_CR4) & CR4_PCIDE) && (F(c, GUEST_CR3) & 0xfffu))
            return false;
    }
    return true;
}

static void no_exit_mov_to_cr(const struct hvs_resolve_ctx *c, const struct hvs_record *r)
{
    uint64_t v = r->c;
    switch (r->a) {
    case 0: { /* §26.3: bits set in the mask are not modified; the rest come from the source */
        uint64_t m = F(c, CR0_GUEST_HOST_MASK);
        uint64_t nv = (F(c, GUEST_CR0) & m) | (v & ~m);
        if (cr0_value_legal(c, nv))
            F(c, GUEST_CR0) = nv;
        break;
    }
    case 4: {
        uint64_t m = F(c, CR4_GUEST_HOST_MASK);
        uint64_t nv = (F(c, GUEST_CR4) & m) | (v & ~m);
        if (cr4_value_legal(c, nv))
            F(c, GUEST_CR4) = nv;
        break;
    }
    case 3: /* bits beyond the physical-address width #GP (§27.3.1.1 keeps them 0 for entry too) */
        if (!(v >> sim_machine_phys_width(c->m)))
            F(c, GUEST_CR3) = v;
        break;
    default: /* CR8: the task priority is not modelled */
        break;
    }
}

/* Whether a MOV to CR that did not exit would #GP (then the guest takes #GP instead of completing). */
static bool mov_to_cr_faults(const struct hvs_resolve_ctx *c, const struct hvs_record *r)
{
    uint64_t v = r->c;
    switch (r->a) {
    case 0: {
        uint64_t m = F(c, CR0_GUEST_HOST_MASK);
        return !cr0_value_legal(c, (F(c, GUEST_CR0) & m) | (v & ~m));
    }
    case 4: {
        uint64_t m = F(c, CR4_GUEST_HOST_MASK);
        return !cr4_value_legal(c, (F(c, GUEST_CR4) & m) | (v & ~m));
    }
    case 3:
        return (v >> sim_machine_phys_width(c->m)) != 0;
    case 8:
        return (v >> 4) != 0; /* CR8 bits 63:4 reserved */
    default:
        return false;
    }
}

static uint64_t guest_tsc(const struct hvs_resolve_ctx *c)
{
    /* §26.3 RDTSC: with "use TSC offsetting" the guest reads TSC + offset. */
    uint64_t t = c->tsc;
    if (F(c, PRIMARY_PROC_BASED_VM_EXEC_CONTROL) & PROC_USE_TSC_OFFSETTING)
        t += F(c, TSC_OFFSET);
    return t;
}

void hvs_apply_no_exit(const struct hvs_resolve_ctx *c, const struct hvs_record *r, const struct hvs_resolution *res)
{
    struct hv_vm *vm = c->vm;
    if (res->exits || res->faulted || res->handled_in_guest)
        return; /* an exception or interrupt the guest takes itself: its handler is not modelled */
    switch (r->type) {
    case HVS_PORT_OUT: /* OUT to a port nobody intercepts: nothing happens but the instruction retiring */
        advance_rip(c, io_imm_form(r) ? LEN_IO_IMM : LEN_IO_DX);
        break;
    case HVS_PORT_IN: /* no device answers: the bus floats, the guest reads all ones */
        set_rax_sized(vm, io_size(r), 0xffffffffull);
        advance_rip(c, io_imm_form(r) ? LEN_IO_IMM : LEN_IO_DX);
        break;
    case HVS_RDMSR: {
        /* A pass-through read: the guest value the VM-entry MSR-load area switched in, else the processor's
         * own MSR (one the processor does not have was turned into #GP by hvs_resolve). */
        uint32_t msr = (uint32_t)r->a;
        uint8_t *e = guest_msr_area_entry(c, msr);
        uint64_t v = 0;
        if (e)
            memcpy(&v, e, 8);
        else if (!hv_arch_rdmsr(c->cpu, msr, &v))
            break;
        load_edx_eax(vm, v);
        advance_rip(c, LEN_MSR);
        break;
    }
    case HVS_WRMSR: {
        uint32_t msr = (uint32_t)r->a;
        uint8_t *e = guest_msr_area_entry(c, msr);
        if (e) {
            memcpy(e, &r->b, 8);
        } else if (msr != MSR_IA32_EFER && msr != MSR_IA32_FEATURE_CONTROL &&
                   sim_msr_write_allowed(sim_machine_profile(c->m), msr, r->b)) {
            /* The guest really writes the processor's MSR: that is what passing an MSR through means. EFER
             * and IA32_FEATURE_CONTROL (mode and VMX state of the host) are left alone: not modelled. */
            hv_arch_wrmsr(c->cpu, msr, r->b);
        }
        advance_rip(c, LEN_MSR);
        break;
    }
    case HVS_HLT: /* the logical processor would wait for an event; the sim moves past the HLT */
        advance_rip(c, LEN_HLT);
        break;
    case HVS_MOV_TO_CR:
        no_exit_mov_to_cr(c, r);
        advance_rip(c, LEN_MOV_CR);
        break;
    case HVS_MOV_FROM_CR: {
        /* §26.3: MOV from CR0/CR4 returns the shadow for bits set in the mask, the guest value elsewhere. */
        uint64_t v = 0;
        switch (r->a) {
        case 0: v = (F(c, GUEST_CR0) & ~F(c, CR0_GUEST_HOST_MASK)) | (F(c, CR0_READ_SHADOW) & F(c, CR0_GUEST_HOST_MASK)); break;
        case 4: v = (F(c, GUEST_CR4) & ~F(c, CR4_GUEST_HOST_MASK)) | (F(c, CR4_READ_SHADOW) & F(c, CR4_GUEST_HOST_MASK)); break;
        case 3: v = F(c, GUEST_CR3); break;
        case 2: v = vm->gprs.cr2; break;
        default: v = 0; break; /* CR8: the task priority is not modelled */
        }
        hvs_set_gpr(vm, c->f, (unsigned)(r->b & 15u), v);
        advance_rip(c, LEN_MOV_CR);
        break;
    }
    case HVS_CLTS:
        /* TS not owned by the host: the guest's CR0.TS clears; owned (with shadow TS = 0): unchanged. */
        if (!(F(c, CR0_GUEST_HOST_MASK) & (1u << 3)))
            F(c, GUEST_CR0) &= ~(uint64_t)(1u << 3);
        advance_rip(c, LEN_CLTS);
        break;
    case HVS_LMSW: {
        /* LMSW loads CR0[3:0] (PE can be set, not cleared); bits owned by the host are not modified. */
        uint64_t m = F(c, CR0_GUEST_HOST_MASK), cr0 = F(c, GUEST_CR0), src = r->a & 0xf;
        uint64_t nv = cr0;
        nv = (nv & ~(0xeull & ~m)) | (src & 0xeull & ~m);
        if (!(m & 1u))
            nv |= src & 1u;
        if (cr0_value_legal(c, nv))
            F(c, GUEST_CR0) = nv;
        advance_rip(c, LEN_LMSW);
        break;
    }
    case HVS_WBINVD:
        advance_rip(c, LEN_WBINVD);
        break;
    case HVS_MEM_ACCESS:
        apply_mem_access(c, r);
        break;
    case HVS_MEM_INSN: {
        /* The access reaches memory. The sim does not execute the instruction's data effect (it has no
         * emulator of its own: that is the core's job on an exit); it retires it: RIP moves by its length. A
         * byte string that is no instruction the decoder knows stays where it is. */
        bool rep;
        unsigned len = hvs_insn_len(c->f, r->bytes, r->nbytes, &rep);
        if (len)
            advance_rip(c, len);
        break;
    }
    case HVS_RDTSC:
        load_edx_eax(vm, guest_tsc(c));
        advance_rip(c, LEN_RDTSC);
        break;
    case HVS_RDTSCP: {
        /* RDTSCP also loads ECX with IA32_TSC_AUX[31:0] (SDM Vol. 2 RDTSCP). */
        uint64_t aux = 0;
        uint8_t *e = guest_msr_area_entry(c, MSR_IA32_TSC_AUX);
        if (e)
            memcpy(&aux, e, 8);
        else
            (void)hv_arch_rdmsr(c->cpu, MSR_IA32_TSC_AUX, &aux);
        load_edx_eax(vm, guest_tsc(c));
        vm->gprs.rcx = aux & 0xffffffffull;
        advance_rip(c, LEN_RDTSCP);
        break;
    }
    default: /* the rest (NMI, interrupts, timers not running, ignored records) change nothing */
        break;
    }
}

/* Instructions that did not exit but whose own execution raises an exception: the replay turns these into
 * an exception event (resolved against the exception bitmap). Returns the vector, or -1. Runs before the
 * effect, so it must agree with hvs_apply_no_exit's legality tests. */
static int nonexit_fault(const struct hvs_resolve_ctx *c, const struct hvs_record *r)
{
    switch (r->type) {
    case HVS_MOV_TO_CR:
        return mov_to_cr_faults(c, r) ? (int)VEC_GP : -1;
    case HVS_RDMSR: {
        uint64_t v;
        if (guest_msr_area_entry(c, (uint32_t)r->a))
            return -1;
        return hv_arch_rdmsr(c->cpu, (uint32_t)r->a, &v) ? -1 : (int)VEC_GP;
    }
    case HVS_WRMSR:
        /* An MSR the VM-entry/exit MSR areas switch is the processor's own while the guest runs: a value
         * the processor refuses (TSC_AUX bits 63:32, a non-canonical LSTAR) is #GP(0) here too, and never
         * reaches the area (found by hvscapy gen: the area then failed the next entry's MSR loading). */
        if (guest_msr_area_entry(c, (uint32_t)r->a))
            return sim_msr_write_allowed(sim_machine_profile(c->m), (uint32_t)r->a, r->b) ? -1 : (int)VEC_GP;
        /* An MSR the processor does not have, or a value it refuses: #GP(0) (SDM Vol. 2 WRMSR). */
        return sim_msr_implemented(sim_machine_profile(c->m), (uint32_t)r->a) &&
                       (r->a == MSR_IA32_EFER || r->a == MSR_IA32_FEATURE_CONTROL ||
                        sim_msr_write_allowed(sim_machine_profile(c->m), (uint32_t)r->a, r->b))
                   ? -1
                   : (int)VEC_GP;
    default:
        return -1;
    }
}

/* ---- instruction bytes at RIP (mem-insn, and mem-access that reaches an MMIO region) ------------------- */

unsigned hvs_insn_mode(const uint64_t *f)
{
    /* 64-bit mode: IA-32e mode guest and CS.L (SDM Vol. 3 §2.2); real mode is 16-bit; else CS.D (§3.4.5). */
    if ((f[HV_VMCS_ORD_VM_ENTRY_CONTROLS] & ENTRY_IA32E_MODE_GUEST) && (f[HV_VMCS_ORD_GUEST_CS_AR_BYTES] & AR_L))
        return 64;
    if (!(f[HV_VMCS_ORD_GUEST_CR0] & CR0_PE))
        return 16;
    return (f[HV_VMCS_ORD_GUEST_CS_AR_BYTES] & AR_DB) ? 32 : 16;
}

unsigned hvs_insn_len(const uint64_t *f, const uint8_t *bytes, size_t n, bool *rep_string)
{
    struct hv_insn in;
    *rep_string = false;
    if (!bytes || !n)
        return 0;
    if (hv_decode(bytes, n < 15 ? n : 15, (enum hv_cpu_mode)hvs_insn_mode(f), &in) != HV_DECODE_OK)
        return 0;
    *rep_string = in.rep && (in.op == HV_OP_MOVS || in.op == HV_OP_STOS);
    return in.len;
}

/* Linear -> guest-physical as the guest's paging says, for placing bytes (the sim's own small walker, not
 * the core's): no paging, or 4-/5-level paging; 32-bit and PAE paging are taken as identity (the core runs
 * program64 and real-mode guests only). Not-present entries: false. */
static bool sim_linear_to_gpa(const struct hvs_resolve_ctx *c, uint64_t la, uint64_t *gpa)
{
    if (!(F(c, GUEST_CR0) & CR0_PG) || !(F(c, VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST)) {
        *gpa = la & 0xffffffffull;
        return true;
    }
    unsigned levels = (F(c, GUEST_CR4) & CR4_LA57) ? 5 : 4;
    uint64_t table = F(c, GUEST_CR3) & 0x000ffffffffff000ull;
    for (unsigned lvl = levels; lvl >= 1; lvl--) {
        unsigned shift = 12 + 9 * (lvl - 1);
        uint64_t e = 0;
        if (!hv_gpa_read(c->vm, table + (((la >> shift) & 0x1ffu) << 3), &e, 8) || !(e & 1))
            return false;
        if (lvl == 1 || (lvl <= 3 && (e & 0x80u))) {
            uint64_t page = 1ull << shift;
            *gpa = ((e & 0x000ffffffffff000ull) & ~(page - 1)) | (la & (page - 1));
            return true;
        }
        table = e & 0x000ffffffffff000ull;
    }
    return false;
}

bool hvs_place_insn(const struct hvs_resolve_ctx *c, const uint8_t *bytes, size_t n)
{
    unsigned mode = hvs_insn_mode(c->f);
    uint64_t wrap = mode == 64 ? ~0ull : 0xffffffffull;
    uint64_t la = (F(c, GUEST_CS_BASE) * (mode != 64) + F(c, GUEST_RIP)) & wrap;
    size_t done = 0;
    while (done < n) {
        uint64_t cur = (la + done) & wrap, gpa;
        size_t chunk = SIM_PAGE_SIZE - (cur & (SIM_PAGE_SIZE - 1));
        if (chunk > n - done)
            chunk = n - done;
        if (!sim_linear_to_gpa(c, cur, &gpa) || !hv_gpa_write(c->vm, gpa, bytes + done, chunk))
            return false;
        done += chunk;
    }
    return true;
}

size_t hvs_read_insn(const struct hvs_resolve_ctx *c, uint8_t out[15])
{
    /* The same linear walk as hvs_place_insn, reading: what the core's fetch will see at CS:RIP. Stops at the
     * first byte that is not readable RAM; the decoder then says "truncated", as the core's would. */
    unsigned mode = hvs_insn_mode(c->f);
    uint64_t wrap = mode == 64 ? ~0ull : 0xffffffffull;
    uint64_t la = (F(c, GUEST_CS_BASE) * (mode != 64) + F(c, GUEST_RIP)) & wrap;
    size_t n = 0;
    while (n < 15) {
        uint64_t cur = (la + n) & wrap, gpa;
        size_t chunk = SIM_PAGE_SIZE - (cur & (SIM_PAGE_SIZE - 1));
        if (chunk > 15 - n)
            chunk = 15 - n;
        if (!sim_linear_to_gpa(c, cur, &gpa) || !hv_gpa_read(c->vm, gpa, out + n, chunk))
            break;
        n += chunk;
    }
    return n;
}

size_t hvs_mem_access_insn(const uint64_t *f, const struct hvs_record *r, uint8_t out[15])
{
    /* MOV between (R/E)AX and [(R/E)DI + disp]: 88/89 store, 8A/8B load (SDM Vol. 2 MOV), ModRM reg 0 (AL/AX/
     * EAX/RAX), rm 7; 66 for the other operand size, REX.W for 8 bytes (64-bit mode only). The length is
     * brought to instr_len with a displacement (disp8: +1, disp32: +4) and DS prefixes (3E, ignored in
     * 64-bit mode, SDM Vol. 2 §2.1.1), as far as 15 bytes allow; shorter than the minimum is the minimum. The
     * address the core emulates is the exit's GPA, so the operand's registers need not point there. */
    unsigned mode = hvs_insn_mode(f);
    unsigned size = mem_size(r);
    bool store = r->b == SIM_EPT_WRITE;
    bool w = size == 8 && mode == 64;
    /* 66 selects the operand size that is not the default: 16 bits in 32/64-bit code, 32 in 16-bit code.
     * Outside 64-bit mode there is no 8-byte MOV: the 4-byte one stands in. */
    unsigned eff = size == 8 && mode != 64 ? 4 : size;
    bool opsz = (eff == 2 && mode != 16) || (eff == 4 && mode == 16);
    size_t base = 2 + (opsz ? 1 : 0) + (w ? 1 : 0);
    size_t want = r->e > 15 ? 15 : (r->e < base ? base : (size_t)r->e);
    size_t extra = want - base, disp = extra >= 4 ? 4 : extra >= 1 ? 1 : 0;
    size_t pads = extra - disp, k = 0;
    for (size_t i = 0; i < pads; i++)
        out[k++] = 0x3e;
    if (opsz)
        out[k++] = 0x66;
    if (w)
        out[k++] = 0x48;
    out[k++] = (uint8_t)((store ? 0x88 : 0x8a) | (size != 1 ? 1 : 0));
    out[k++] = (uint8_t)((disp == 4 ? 0x80 : disp == 1 ? 0x40 : 0x00) | 7u);
    for (size_t i = 0; i < disp; i++)
        out[k++] = 0;
    return k;
}
