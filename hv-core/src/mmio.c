/* The VM's guest-physical regions (ROM, MMIO holes, not-present MMIO) and the MMIO path.
 *
 * Regions live in vm->regions (public, so the sim's oracles can read the map). The most recently added
 * region containing a GPA decides what it is; RAM [0, memory_size) and "unmapped" are what no region covers.
 * Adding a region rewrites the EPT over its range at once (ept.c): ROM is backed (zeroed, R-X), MMIO becomes
 * a hole (misconfiguration, SDM Vol. 3 §29.3.3.1), MMIO_NP becomes not present (violation, §29.3.3.2);
 * whatever frames were there (RAM punched by the region, an older ROM) go back to the allocator, and a large
 * leaf straddling the edge is split.
 *
 * The MMIO path (hv_mmio_dispatch, the rest of this file): on an EPT violation or misconfiguration inside an
 * MMIO region the core fetches the faulting instruction from the guest (insn_fetch.c, through the guest's
 * paging and the EPT), decodes it (decode.c), performs its data transfers against the region's handler
 * (struct hv_mmio_access: size and value; the handler only moves data) and completes it as the processor
 * would: registers with the partial-register rules, RFLAGS for the ALU forms, RSI/RDI/RCX for the string
 * forms, RIP advanced by the DECODED length (the exit's instruction length is undefined on EPT exits, SDM
 * Vol. 3 §28.2.5). Decisions:
 *   - the address of the MMIO operand is the exit's guest-physical address (VMCS 0x2400, SDM Vol. 3 §28.2.1):
 *     the processor translated it; the decode supplies size, register, immediate and operation. String forms
 *     compute every element's address from RSI/RDI (they move), each through the guest walk;
 *   - an instruction the decoder cannot take (truncated, invalid, unsupported) injects #UD, or kills the VM
 *     when cfg.mmio_unsupported_kills; the bytes are logged in hex either way;
 *   - a fault while fetching (the page of RIP, or the second page of an instruction that reaches it) or while
 *     walking a string operand is injected (#PF with CR2, #GP(0)) and RIP stays: the instruction restarts;
 *   - REP string forms do at most HV_MMIO_REP_MAX elements per exit; with RCX not yet 0 RIP stays and the
 *     instruction re-executes with the updated RCX/RSI/RDI, which is architecturally what an interrupted REP
 *     string instruction does (SDM Vol. 2 "REP/REPE/REPZ/REPNE/REPNZ");
 *   - a handler that returns false kills the VM (resuming would exit again forever). */
#include "exits/exits.h"
#include "guest_mem.h"
#include "guest_walk.h"

#include <hv/decode.h>
#include <hv/exit_reasons.h>
#include <hv/vmcs_fields.h>

enum hv_gpa_kind hv_gpa_classify(struct hv_vm *vm, uint64_t gpa, const struct hv_region **region)
{
    if (region)
        *region = NULL;
    for (unsigned i = vm->nregions < HV_REGIONS_MAX ? vm->nregions : HV_REGIONS_MAX; i-- > 0;) {
        const struct hv_region *r = &vm->regions[i];
        if (gpa >= r->gpa && gpa - r->gpa < r->size) {
            if (region)
                *region = r;
            switch (r->type) {
            case HV_REGION_ROM: return HV_GPA_ROM;
            case HV_REGION_MMIO: return HV_GPA_MMIO;
            case HV_REGION_MMIO_NP: return HV_GPA_MMIO_NP;
            default: return HV_GPA_UNMAPPED; /* hv_vm_add_region admits no other type */
            }
        }
    }
    return gpa < vm->cfg.memory_size ? HV_GPA_RAM : HV_GPA_UNMAPPED;
}

static enum hv_err region_fail(struct hv_vm *vm, enum hv_err err, const char *what, const struct hv_region *r)
{
    hv_snprintf(vm->message, sizeof vm->message, "region %s [0x%llx, +0x%llx): %s", r->name ? r->name : "(unnamed)",
                (unsigned long long)r->gpa, (unsigned long long)r->size, what);
    return err;
}

enum hv_err hv_vm_add_region(struct hv_vm *vm, const struct hv_region *r)
{
    if (!vm || !r)
        return HV_ERR_BAD_CONFIG;
    if (!vm->created || vm->dead) {
        hv_snprintf(vm->message, sizeof vm->message, "hv_vm_add_region: the VM is not created or is dead");
        return HV_ERR_STATE;
    }
    if (vm->nregions >= HV_REGIONS_MAX)
        return region_fail(vm, HV_ERR_BAD_CONFIG, "too many regions (HV_REGIONS_MAX)", r);
    if (r->size == 0 || ((r->gpa | r->size) & (HV_PAGE_SIZE - 1)) || r->gpa + r->size < r->gpa)
        return region_fail(vm, HV_ERR_BAD_CONFIG, "gpa and size must be 4-KiB aligned, size > 0, no wrap", r);
    if (r->type != HV_REGION_ROM && r->type != HV_REGION_MMIO && r->type != HV_REGION_MMIO_NP)
        return region_fail(vm, HV_ERR_BAD_CONFIG, "unknown region type", r);
    if (r->type != HV_REGION_ROM && !r->mmio)
        return region_fail(vm, HV_ERR_BAD_CONFIG, "an MMIO region needs a handler", r);
    /* Guest-physical addresses are MAXPHYADDR bits wide (CPUID.80000008H:EAX[7:0]); an EPT entry's address
     * bits above it are reserved (SDM Vol. 3 §29.3.2), and no guest access can reach beyond it. */
    unsigned width = hv_cpu_addr_width(vm, false);
    if (width < 64 && r->gpa + r->size > (1ull << width))
        return region_fail(vm, HV_ERR_BAD_CONFIG, "beyond the guest-physical address width (MAXPHYADDR)", r);
    unsigned levels = hv_ept_levels_needed(vm, r->gpa + r->size);
    if (levels == 0)
        return region_fail(vm, HV_ERR_BAD_CONFIG,
                           "above 2^48 and the processor has no 5-level EPT (IA32_VMX_EPT_VPID_CAP bit 7)", r);
    if (levels > vm->ept_levels && !hv_ept_grow_to_5(vm))
        return region_fail(vm, HV_ERR_NO_MEMORY, "out of pages for the 5-level EPT root", r);

    bool ok;
    switch (r->type) {
    case HV_REGION_ROM:
        /* Free what is there first (RAM punched, an older region), then zeroed R-X frames. */
        ok = hv_ept_set_range(vm, r->gpa, r->size, 0) && hv_ept_back_range(vm, r->gpa, r->size, EPTE_LEAF_ROM);
        if (!ok)
            hv_ept_set_range(vm, r->gpa, r->size, 0); /* give the partial ROM back; the range is not present */
        break;
    case HV_REGION_MMIO:
        ok = hv_ept_set_range(vm, r->gpa, r->size, EPTE_HOLE);
        break;
    default:
        ok = hv_ept_set_range(vm, r->gpa, r->size, 0);
        break;
    }
    hv_ept_invalidate(vm); /* present entries changed or vanished (SDM Vol. 3 §29.4.3.1) */
    if (!ok)
        return region_fail(vm, HV_ERR_NO_MEMORY, "out of pages for its EPT entries or ROM frames", r);
    if (vm->dead)
        return HV_ERR_STATE;
    vm->regions[vm->nregions++] = *r;
    return HV_OK;
}

/* ---- the MMIO path: emulating the faulting instruction -------------------------------------------------- */

/* Elements a REP string instruction moves per exit (bounded work per exit, DESIGN §5.5). Each element costs
 * a few VMREAD/VMWRITEs and guest walks; 64 keeps an exit well inside the liveness oracle's 1024 VMX
 * instructions. The rest re-executes with the updated RCX, as a REP instruction interrupted on hardware. */
#define HV_MMIO_REP_MAX 64u

/* RFLAGS bits (SDM Vol. 1 §3.4.3.1, §3.4.3.2). */
#define FL_CF (1ull << 0)
#define FL_PF (1ull << 2)
#define FL_AF (1ull << 4)
#define FL_ZF (1ull << 6)
#define FL_SF (1ull << 7)
#define FL_DF (1ull << 10)
#define FL_OF (1ull << 11)
#define FL_STATUS (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t sign_extend(uint64_t v, unsigned size)
{
    unsigned sh = 64 - 8 * (size >= 8 ? 8 : size);
    return (uint64_t)((int64_t)(v << sh) >> sh);
}

/* A register operand of `size` bytes (SDM Vol. 2 §2.1.5 Table 2-2, §3.1.1.1): 16-19 are AH, CH, DH, BH (bits
 * 15:8 of RAX..RBX, only encodable without REX); 0-15 the low `size` bytes. */
static uint64_t reg_read(struct hv_vm *vm, int reg, unsigned size)
{
    if (reg >= HV_REG_AH && reg <= HV_REG_BH)
        return (hv_guest_gpr_get(vm, (unsigned)(reg - HV_REG_AH)) >> 8) & 0xffu;
    if (reg < 0 || reg > 15)
        return 0;
    return hv_guest_gpr_get(vm, (unsigned)reg) & size_mask(size);
}

/* Writing a register operand (SDM Vol. 1 §3.4.1.1): 8- and 16-bit results leave the other bits alone (AH-BH
 * write bits 15:8), a 32-bit result zero-extends to 64 bits, a 64-bit one replaces the register. */
static void reg_write(struct hv_vm *vm, int reg, unsigned size, uint64_t v)
{
    if (reg >= HV_REG_AH && reg <= HV_REG_BH) {
        unsigned r = (unsigned)(reg - HV_REG_AH);
        uint64_t old = hv_guest_gpr_get(vm, r);
        hv_guest_gpr_set(vm, r, (old & ~0xff00ull) | ((v & 0xffu) << 8));
        return;
    }
    if (reg < 0 || reg > 15)
        return;
    uint64_t old = hv_guest_gpr_get(vm, (unsigned)reg);
    if (size == 4)
        hv_guest_gpr_set(vm, (unsigned)reg, v & 0xffffffffull);
    else if (size >= 8)
        hv_guest_gpr_set(vm, (unsigned)reg, v);
    else
        hv_guest_gpr_set(vm, (unsigned)reg, (old & ~size_mask(size)) | (v & size_mask(size)));
}

/* An address register (RSI, RDI, RCX) updated with the address size: 16-bit keeps bits 63:16, 32-bit
 * zero-extends (SDM Vol. 1 §3.3.7, Vol. 2 "MOVS", "REP"). */
static void addr_reg_write(struct hv_vm *vm, unsigned reg, unsigned asize, uint64_t v)
{
    reg_write(vm, (int)reg, asize, v);
}

/* One data transfer to the region that contains gpa. */
static bool mmio_xfer(struct hv_vm *vm, const struct hv_region *r, uint64_t gpa, bool write, unsigned size,
                      uint64_t *value)
{
    struct hv_mmio_access a = {.gpa = gpa, .access = write ? HV_ACCESS_WRITE : HV_ACCESS_READ, .size = size,
                               .value = write ? (*value & size_mask(size)) : 0};
    bool ok = r && r->mmio && r->mmio(r->opaque, vm, &a);
    if (vm->dead)
        return false;
    if (!ok) {
        hv_vm_kill(vm, "MMIO %s of %u bytes at GPA 0x%llx: region %s's handler failed", write ? "write" : "read",
                   size, (unsigned long long)gpa, r && r->name ? r->name : "(unnamed)");
        return false;
    }
    if (!write)
        *value = a.value & size_mask(size);
    return true;
}

/* The arithmetic flags of an ALU result (SDM Vol. 2, each instruction's "Flags Affected"; Vol. 1 §3.4.3.1):
 * ZF, SF and PF (even parity of the low byte) from the result; CF, OF, AF per operation: ADD carries out of
 * the top / signed overflow / carry out of bit 3; SUB and CMP borrow; the logic operations clear CF and OF
 * and leave AF undefined (cleared here). */
static uint64_t alu(enum hv_insn_op op, uint64_t a, uint64_t b, unsigned size, uint64_t *flags)
{
    uint64_t m = size_mask(size), sign = 1ull << (8 * size - 1), res;
    uint64_t f = 0;
    a &= m;
    b &= m;
    switch (op) {
    case HV_OP_ADD:
        res = (a + b) & m;
        if (res < a)
            f |= FL_CF;
        if ((a ^ res) & (b ^ res) & sign)
            f |= FL_OF;
        if ((a ^ b ^ res) & 0x10u)
            f |= FL_AF;
        break;
    case HV_OP_SUB:
    case HV_OP_CMP:
        res = (a - b) & m;
        if (a < b)
            f |= FL_CF;
        if ((a ^ b) & (a ^ res) & sign)
            f |= FL_OF;
        if ((a ^ b ^ res) & 0x10u)
            f |= FL_AF;
        break;
    case HV_OP_OR: res = a | b; break;
    case HV_OP_XOR: res = a ^ b; break;
    default: /* AND, TEST */
        res = a & b;
        break;
    }
    if (res == 0)
        f |= FL_ZF;
    if (res & sign)
        f |= FL_SF;
    uint8_t p = (uint8_t)res;
    p ^= p >> 4;
    p ^= p >> 2;
    p ^= p >> 1;
    if (!(p & 1))
        f |= FL_PF;
    *flags = f;
    return res;
}

static void set_status_flags(struct hv_vm *vm, uint64_t mask, uint64_t value)
{
    uint64_t rf = hv_vmread(vm, VMCS_GUEST_RFLAGS);
    hv_vmwrite(vm, VMCS_GUEST_RFLAGS, (rf & ~mask) | (value & mask));
}

static enum hv_exit_action finish_insn(struct hv_vm *vm, const struct hv_insn *in, uint32_t basic)
{
    if (vm->dead)
        return HV_EXIT_KILL;
    struct hv_exit e = {.basic = basic, .instr_len = in->len};
    hv_guest_advance_rip(vm, &e); /* RIP += decoded length, STI/MOV-SS blocking ends, TF single-step */
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}

/* MOV, MOVZX, MOVSX, MOVSXD, XCHG, the ALU forms and BT: one memory operand, the MMIO one at gpa. */
static enum hv_exit_action emulate_single(struct hv_vm *vm, const struct hv_region *r, uint64_t gpa,
                                          const struct hv_insn *in, uint32_t basic)
{
    unsigned size = in->size;
    uint64_t m = size_mask(size), v = 0, flags = 0;
    uint64_t src = in->has_imm ? ((uint64_t)in->imm & m) : reg_read(vm, in->reg, size);
    switch (in->op) {
    case HV_OP_MOV:
        if (in->dir == HV_DIR_STORE) {
            if (!mmio_xfer(vm, r, gpa, true, size, &src))
                return HV_EXIT_KILL;
        } else {
            if (!mmio_xfer(vm, r, gpa, false, size, &v))
                return HV_EXIT_KILL;
            reg_write(vm, in->reg, size, v);
        }
        break;
    case HV_OP_MOVZX:
    case HV_OP_MOVSX:
    case HV_OP_MOVSXD: {
        if (!mmio_xfer(vm, r, gpa, false, size, &v))
            return HV_EXIT_KILL;
        unsigned dst = in->dst_size ? in->dst_size : size;
        /* SDM Vol. 2 MOVZX: zero-extend; MOVSX/MOVSXD: sign-extend, to the destination size. */
        if (in->op != HV_OP_MOVZX)
            v = sign_extend(v, size);
        reg_write(vm, in->reg, dst, v & size_mask(dst));
        break;
    }
    case HV_OP_XCHG: /* SDM Vol. 2 XCHG: memory gets the register, the register the old memory value */
        if (!mmio_xfer(vm, r, gpa, false, size, &v) || !mmio_xfer(vm, r, gpa, true, size, &src))
            return HV_EXIT_KILL;
        reg_write(vm, in->reg, size, v);
        break;
    case HV_OP_BT: {
        /* SDM Vol. 2 BT: CF = the selected bit; the processor accessed the operand-sized unit that holds it
         * (its address is the exit's GPA), so the bit within it is the offset modulo the operand width. OF,
         * SF, AF, PF undefined, ZF unaffected: only CF changes here. */
        if (!mmio_xfer(vm, r, gpa, false, size, &v))
            return HV_EXIT_KILL;
        unsigned bit = (unsigned)(src & (8u * size - 1u));
        set_status_flags(vm, FL_CF, ((v >> bit) & 1u) ? FL_CF : 0);
        break;
    }
    case HV_OP_ADD: case HV_OP_OR: case HV_OP_AND: case HV_OP_SUB: case HV_OP_XOR: case HV_OP_CMP:
    case HV_OP_TEST: {
        if (!mmio_xfer(vm, r, gpa, false, size, &v))
            return HV_EXIT_KILL;
        bool writes = in->op != HV_OP_CMP && in->op != HV_OP_TEST;
        if (in->mem_is_dst || in->op == HV_OP_TEST) {
            uint64_t res = alu(in->op, v, src, size, &flags);
            if (writes && !mmio_xfer(vm, r, gpa, true, size, &res))
                return HV_EXIT_KILL;
        } else {
            uint64_t res = alu(in->op, reg_read(vm, in->reg, size), v, size, &flags);
            if (writes)
                reg_write(vm, in->reg, size, res);
        }
        set_status_flags(vm, FL_STATUS, flags);
        break;
    }
    default:
        return hv_vm_kill(vm, "MMIO: decoded operation %u has no emulation (core bug)", (unsigned)in->op);
    }
    return finish_insn(vm, in, basic);
}

/* One element of a string instruction at linear address la: MMIO through the region's handler, RAM/ROM of
 * the VM through the EPT (hv_gpa_read/write). */
enum elem_result { ELEM_OK, ELEM_FAULT, ELEM_STOP, ELEM_KILL };

static enum elem_result string_elem(struct hv_vm *vm, uint64_t la, bool write, unsigned size, uint64_t *value)
{
    struct hv_walk w;
    enum hv_walk_result wr = hv_guest_translate(vm, la, write ? HV_WALK_WRITE : HV_WALK_READ, hv_guest_cpl(vm), &w);
    if (wr == HV_WALK_PF) {
        hv_guest_inject_pf(vm, la, w.error_code);
        return ELEM_FAULT;
    }
    if (wr == HV_WALK_GP) {
        hv_inject_gp0(vm);
        return ELEM_FAULT;
    }
    if (wr != HV_WALK_OK) {
        hv_vm_kill(vm, "MMIO string instruction: the guest's paging structure at GPA 0x%llx is not RAM",
                   (unsigned long long)w.table_gpa);
        return ELEM_KILL;
    }
    /* An element that crosses a page: the processor would split it; a device register never does. */
    if (w.page_end_la - la < size)
        return ELEM_STOP;
    const struct hv_region *r;
    switch (hv_gpa_classify(vm, w.gpa, &r)) {
    case HV_GPA_MMIO:
    case HV_GPA_MMIO_NP:
        return mmio_xfer(vm, r, w.gpa, write, size, value) ? ELEM_OK : ELEM_KILL;
    case HV_GPA_RAM:
    case HV_GPA_ROM: {
        if (write && hv_gpa_classify(vm, w.gpa, NULL) == HV_GPA_ROM)
            return ELEM_STOP; /* the EPT forbids it: re-executing takes the ROM-write path of exits/ept.c */
        uint64_t v = *value;
        bool ok = write ? hv_gpa_write(vm, w.gpa, &v, size) : hv_gpa_read(vm, w.gpa, &v, size);
        if (!ok)
            return ELEM_STOP;
        if (!write)
            *value = v & size_mask(size);
        return ELEM_OK;
    }
    default:
        return ELEM_STOP;
    }
}

/* STOS and MOVS, with or without REP (SDM Vol. 2 "STOS", "MOVS", "REP"): the destination is ES:(E/R)DI (no
 * override), the MOVS source DS:(E/R)SI or the override; both step by the operand size, down when
 * RFLAGS.DF = 1; with REP, (E/R)CX counts elements, registers by the address size. */
static enum hv_exit_action emulate_string(struct hv_vm *vm, const struct hv_insn *in, uint32_t basic)
{
    unsigned size = in->size, asize = in->mem.addr_size;
    if (asize != 2 && asize != 4 && asize != 8)
        asize = 8;
    uint64_t amask = size_mask(asize);
    bool down = (hv_vmread(vm, VMCS_GUEST_RFLAGS) & FL_DF) != 0;
    uint64_t step = down ? (uint64_t)0 - size : size;
    uint64_t count = in->rep ? (hv_guest_gpr_get(vm, 1) & amask) : 1;
    uint64_t es = hv_guest_seg_base(vm, HV_SEG_ES);
    uint64_t ss = hv_guest_seg_base(vm, in->mem.seg <= HV_SEG_GS ? in->mem.seg : HV_SEG_DS);
    uint64_t lmask = hv_guest_in_64bit_mode(vm) ? ~0ull : 0xffffffffull;
    uint64_t done = 0;
    while (count > 0 && done < HV_MMIO_REP_MAX) {
        uint64_t rsi = hv_guest_gpr_get(vm, 6), rdi = hv_guest_gpr_get(vm, 7);
        uint64_t v = in->op == HV_OP_STOS ? (hv_guest_gpr_get(vm, 0) & size_mask(size)) : 0;
        enum elem_result er = ELEM_OK;
        if (in->op == HV_OP_MOVS)
            er = string_elem(vm, (ss + (rsi & amask)) & lmask, false, size, &v);
        if (er == ELEM_OK)
            er = string_elem(vm, (es + (rdi & amask)) & lmask, true, size, &v);
        if (er == ELEM_KILL || vm->dead)
            return HV_EXIT_KILL;
        if (er == ELEM_FAULT)
            return HV_EXIT_RESUME; /* registers say how far it got; RIP stays: the fault restarts it */
        if (er == ELEM_STOP) {
            if (done == 0)
                return hv_vm_kill(vm, "MMIO string instruction at RIP 0x%llx: its first element is neither MMIO "
                                  "nor writable RAM of the VM", (unsigned long long)hv_vmread(vm, VMCS_GUEST_RIP));
            return HV_EXIT_RESUME; /* the rest re-executes (and exits again where it must) */
        }
        if (in->op == HV_OP_MOVS)
            addr_reg_write(vm, 6, asize, rsi + step);
        addr_reg_write(vm, 7, asize, rdi + step);
        count--;
        done++;
        if (in->rep)
            addr_reg_write(vm, 1, asize, count);
    }
    if (count > 0)
        return HV_EXIT_RESUME; /* bounded: the instruction re-executes with the updated RCX */
    return finish_insn(vm, in, basic);
}

/* An instruction the core cannot emulate: log its bytes, then #UD or kill (cfg.mmio_unsupported_kills). */
static enum hv_exit_action cannot_emulate(struct hv_vm *vm, const struct hv_region *r, uint64_t gpa,
                                          const struct hv_fetch *f, const char *why)
{
    char hex[3 * HV_INSN_MAX_LEN + 1];
    static const char digits[] = "0123456789abcdef";
    unsigned k = 0;
    for (unsigned i = 0; i < f->n && i < HV_INSN_MAX_LEN; i++) {
        hex[k++] = digits[f->bytes[i] >> 4];
        hex[k++] = digits[f->bytes[i] & 15u];
        if (i + 1 < f->n)
            hex[k++] = ' ';
    }
    hex[k] = 0;
    const char *name = r && r->name ? r->name : "(unnamed)";
    char line[HV_MESSAGE_MAX];
    hv_snprintf(line, sizeof line, "MMIO at GPA 0x%llx (region %s): %s instruction at RIP 0x%llx, bytes [%s]",
                (unsigned long long)gpa, name, why, (unsigned long long)f->rip, hex);
    hv_arch_log(vm->cpu->arch, line);
    if (vm->cfg.mmio_unsupported_kills)
        return hv_vm_kill(vm, "%s", line);
    hv_inject_ud(vm); /* RIP stays: #UD is a fault (SDM Vol. 3 §6.15 "Interrupt 6") */
    return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
}

enum hv_exit_action hv_mmio_dispatch(struct hv_vm *vm, const struct hv_region *r, uint64_t gpa,
                                     enum hv_access access)
{
    const char *name = r && r->name ? r->name : "(unnamed)";
    vm->stats.mmio_accesses++;
    if (access & HV_ACCESS_FETCH)
        return hv_vm_kill(vm, "instruction fetch from MMIO region %s at GPA 0x%llx: code cannot run from a device",
                          name, (unsigned long long)gpa);
    struct hv_fetch f;
    enum hv_walk_result fr = hv_insn_fetch(vm, &f);
    if (fr == HV_WALK_BAD_TABLE)
        return hv_vm_kill(vm, "MMIO at GPA 0x%llx: fetching the instruction at RIP 0x%llx walks a paging structure "
                          "that is not RAM", (unsigned long long)gpa, (unsigned long long)f.rip);
    if (fr != HV_WALK_OK) {
        hv_fetch_raise(vm, &f); /* the page of RIP itself faults */
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME;
    }
    struct hv_insn in;
    enum hv_decode_error de = hv_decode(f.bytes, f.n, (enum hv_cpu_mode)f.mode, &in);
    if (de == HV_DECODE_TRUNCATED && f.n < HV_INSN_MAX_LEN && hv_fetch_raise(vm, &f))
        return vm->dead ? HV_EXIT_KILL : HV_EXIT_RESUME; /* it does extend into the faulting page */
    if (de != HV_DECODE_OK)
        return cannot_emulate(vm, r, gpa, &f,
                              de == HV_DECODE_TRUNCATED ? "truncated" : de == HV_DECODE_INVALID ? "invalid" : "unsupported");
    if (in.len < 1 || in.len > f.n || in.size == 0 || in.size > 8 || (in.size & (in.size - 1)))
        return hv_vm_kill(vm, "MMIO: decoder returned length %u / size %u for %u fetched bytes (core bug)",
                          in.len, in.size, f.n);
    uint32_t basic = access == HV_ACCESS_UNKNOWN ? HV_EXIT_EPT_MISCONFIG : HV_EXIT_EPT_VIOLATION;
    if (in.op == HV_OP_STOS || in.op == HV_OP_MOVS)
        return emulate_string(vm, &in, basic);
    return emulate_single(vm, r, gpa, &in, basic);
}
