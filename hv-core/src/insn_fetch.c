/* Fetching the faulting instruction's bytes from the guest (guest_walk.h, struct hv_fetch).
 *
 * On an EPT violation or misconfiguration the SDM leaves the VM-exit instruction length undefined
 * (Vol. 3 §28.2.5), and the instruction bytes are nowhere in the VMCS, so the core reads them as the
 * processor fetched them: CS:RIP -> linear (CS base + RIP; in 64-bit mode the CS base is treated as 0,
 * Vol. 3 §3.4.4; outside it the address is 32 bits, Vol. 3 §3.4) -> guest paging (a fetch at the guest's CPL)
 * -> guest-physical -> the VM's EPT (hv_gpa_read). At most 15 bytes (Vol. 2 §2.3.11). The bytes on the
 * first page are read at once; a second page is walked only when the 15-byte window reaches it, and a fault
 * there is recorded, not raised (see hv_fetch_raise): the processor would raise it only if the instruction
 * really extends into that page. CS limit checks are not made: every mode the core runs guests in (64-bit;
 * flat 32-bit; real mode at reset) has instructions far from the limit, and the processor already fetched
 * this very instruction without a fault. */
#include "guest_walk.h"

#include "exits/exits.h"

#include <hv/decode.h>
#include <hv/vmcs_fields.h>
#include <hv/x86.h>

static unsigned fetch_mode(struct hv_vm *vm)
{
    if (hv_guest_in_64bit_mode(vm))
        return HV_MODE_64;
    /* Outside 64-bit mode the default operand/address size is CS.D (SDM Vol. 3 §3.4.5 "D/B flag"); real mode
     * (CR0.PE = 0) is 16-bit whatever the cached attributes say (§20.1). */
    if (!(hv_vmread(vm, VMCS_GUEST_CR0) & CR0_PE))
        return HV_MODE_16;
    return (hv_vmread(vm, VMCS_GUEST_CS_AR_BYTES) & AR_DB) ? HV_MODE_32 : HV_MODE_16;
}

/* Read bytes [la, la + want) that lie on one page whose translation is w; returns how many were read (a
 * page that is not RAM/ROM of the VM reads none). */
static unsigned read_page(struct hv_vm *vm, const struct hv_walk *w, uint8_t *dst, unsigned want)
{
    if (hv_gpa_read(vm, w->gpa, dst, want))
        return want;
    /* Part of the range may still be readable (a 2-MiB guest page over RAM then MMIO): byte by byte, at
     * most 15 reads. */
    unsigned n = 0;
    while (n < want && hv_gpa_read(vm, w->gpa + n, dst + n, 1))
        n++;
    return n;
}

enum hv_walk_result hv_insn_fetch(struct hv_vm *vm, struct hv_fetch *f)
{
    hv_memset(f, 0, sizeof *f);
    f->mode = fetch_mode(vm);
    f->rip = hv_vmread(vm, VMCS_GUEST_RIP);
    uint64_t la = hv_guest_seg_base(vm, HV_SEG_CS) + f->rip;
    uint64_t wrap = f->mode == HV_MODE_64 ? ~0ull : 0xffffffffull;
    la &= wrap;
    f->la = la;
    unsigned cpl = hv_guest_cpl(vm);

    while (f->n < HV_INSN_MAX_LEN) {
        struct hv_walk w;
        uint64_t cur = (la + f->n) & wrap;
        enum hv_walk_result r = hv_guest_translate(vm, cur, HV_WALK_FETCH, cpl, &w);
        if (r != HV_WALK_OK) {
            f->stop = r;
            f->stop_la = cur;
            f->stop_error = w.error_code;
            return f->n == 0 ? r : HV_WALK_OK;
        }
        uint64_t room = (w.page_end_la - cur) & wrap;
        if (room == 0 || room > HV_INSN_MAX_LEN)
            room = HV_INSN_MAX_LEN; /* a page end that wrapped to 0 still leaves the whole window */
        unsigned want = HV_INSN_MAX_LEN - f->n;
        if (want > room)
            want = (unsigned)room;
        unsigned got = read_page(vm, &w, f->bytes + f->n, want);
        f->n += got;
        if (got < want) {
            f->stop = HV_WALK_OK; /* not RAM/ROM (an instruction running into MMIO): nothing to raise */
            f->stop_la = (la + f->n) & wrap;
            return HV_WALK_OK;
        }
    }
    return HV_WALK_OK;
}

bool hv_fetch_raise(struct hv_vm *vm, const struct hv_fetch *f)
{
    switch (f->stop) {
    case HV_WALK_PF:
        hv_guest_inject_pf(vm, f->stop_la, f->stop_error);
        return true;
    case HV_WALK_GP:
        hv_inject_gp0(vm);
        return true;
    default:
        return false;
    }
}
