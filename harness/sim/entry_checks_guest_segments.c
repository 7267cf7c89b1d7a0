/* VM-entry checks on guest segment registers (SDM Vol. 3 §27.3.1.2) and descriptor-table registers
 * (§27.3.1.3). Failures are VM-entry failures with exit reason 33, exit qualification 0.
 *
 * Terms of §27.3.1.2: the guest is virtual-8086 when RFLAGS.VM is 1; it is IA-32e mode when the "IA-32e mode
 * guest" VM-entry control is 1; a register is usable when bit 16 of its access-rights field is 0. The access-
 * rights checks on CS/SS/DS/ES/FS/GS differ in virtual-8086 mode (a fixed value) and outside it (sub-field by
 * sub-field); each rule below applies in one of the two modes only. "Data" rules cover DS, ES, FS and GS. */
#include "entry_checks_guest.h"

static const enum ec_guest_seg v86_segs[] = {EC_SEG_CS, EC_SEG_SS, EC_SEG_DS, EC_SEG_ES, EC_SEG_FS, EC_SEG_GS};
static const enum ec_guest_seg data_segs[] = {EC_SEG_DS, EC_SEG_ES, EC_SEG_FS, EC_SEG_GS};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The protected-mode access-rights checks apply to CS always and to SS/DS/ES/FS/GS when usable, never in
 * virtual-8086 mode. */
static bool ar_checked(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return !ec_guest_v86(c) && (s == EC_SEG_CS || ec_guest_seg_usable(c, s));
}

/* "If any bit in the limit field in the range 11:0 is 0, G must be 0." */
static bool g_low_ok(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return (ec_guest_seg_limit(c, s) & 0xfff) == 0xfff || !(ec_guest_seg_ar(c, s) & AR_G);
}

/* "If any bit in the limit field in the range 31:20 is 1, G must be 1." */
static bool g_high_ok(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return (ec_guest_seg_limit(c, s) & 0xfff00000u) == 0 || (ec_guest_seg_ar(c, s) & AR_G);
}

/* A predicate on every data segment whose access rights are checked. */
static bool data_all(const struct ec_ctx *c, bool (*ok)(const struct ec_ctx *, enum ec_guest_seg))
{
    for (size_t i = 0; i < NELEM(data_segs); i++) {
        enum ec_guest_seg s = data_segs[i];
        if (ar_checked(c, s) && !ok(c, s))
            return false;
    }
    return true;
}

/* --- selectors ---------------------------------------------------------------------------------------- */

/* "TR. The TI flag (bit 2) must be 0." */
EC_GUEST_RULE(tr_ti)
{
    return (ec_guest_seg_sel(c, EC_SEG_TR) & 4) == 0;
}

/* "LDTR. If LDTR is usable, the TI flag (bit 2) must be 0." */
EC_GUEST_RULE(ldtr_ti)
{
    return !ec_guest_seg_usable(c, EC_SEG_LDTR) || (ec_guest_seg_sel(c, EC_SEG_LDTR) & 4) == 0;
}

/* "SS. If the guest will not be virtual-8086 and the "unrestricted guest" VM-execution control is 0, the RPL
 * (bits 1:0) must equal the RPL of the selector field for CS." */
EC_GUEST_RULE(ss_rpl)
{
    if (ec_guest_v86(c) || ec_guest_ug(c))
        return true;
    return (ec_guest_seg_sel(c, EC_SEG_SS) & 3) == (ec_guest_seg_sel(c, EC_SEG_CS) & 3);
}

/* --- base addresses ----------------------------------------------------------------------------------- */

/* "CS, SS, DS, ES, FS, GS. If the guest will be virtual-8086, the address must be the selector field shifted
 * left 4 bits (multiplied by 16)." */
EC_GUEST_RULE(v86_base)
{
    if (!ec_guest_v86(c))
        return true;
    for (size_t i = 0; i < NELEM(v86_segs); i++) {
        enum ec_guest_seg s = v86_segs[i];
        if (ec_guest_seg_base(c, s) != (ec_guest_seg_sel(c, s) & 0xffff) << 4)
            return false;
    }
    return true;
}

/* "TR, FS, GS. The address must be canonical." This rule: TR. */
EC_GUEST_RULE(tr_base)
{
    return ec_guest_canonical(c, ec_guest_seg_base(c, EC_SEG_TR));
}

/* Same bullet: FS and GS (whether usable or not: their bases are always loaded).
 * Bochs 2.7: skips this check in virtual-8086 mode (where the base is the selector times 16 anyway). */
EC_GUEST_RULE(fs_gs_base)
{
    return ec_guest_canonical(c, ec_guest_seg_base(c, EC_SEG_FS)) &&
           ec_guest_canonical(c, ec_guest_seg_base(c, EC_SEG_GS));
}

/* "LDTR. If LDTR is usable, the address must be canonical." */
EC_GUEST_RULE(ldtr_base)
{
    return !ec_guest_seg_usable(c, EC_SEG_LDTR) || ec_guest_canonical(c, ec_guest_seg_base(c, EC_SEG_LDTR));
}

/* "CS. Bits 63:32 of the address must be zero." */
EC_GUEST_RULE(cs_base)
{
    return (ec_guest_seg_base(c, EC_SEG_CS) >> 32) == 0;
}

/* "SS, DS, ES. If the register is usable, bits 63:32 of the address must be zero." This rule: SS. */
EC_GUEST_RULE(ss_base)
{
    return !ec_guest_seg_usable(c, EC_SEG_SS) || (ec_guest_seg_base(c, EC_SEG_SS) >> 32) == 0;
}

/* Same bullet: DS and ES. */
EC_GUEST_RULE(ds_es_base)
{
    static const enum ec_guest_seg ds_es[] = {EC_SEG_DS, EC_SEG_ES};
    for (size_t i = 0; i < NELEM(ds_es); i++) {
        enum ec_guest_seg s = ds_es[i];
        if (ec_guest_seg_usable(c, s) && (ec_guest_seg_base(c, s) >> 32) != 0)
            return false;
    }
    return true;
}

/* --- virtual-8086 limits and access rights ------------------------------------------------------------ */

/* "Limit fields for CS, SS, DS, ES, FS, GS. If the guest will be virtual-8086, the field must be 0000FFFFH." */
EC_GUEST_RULE(v86_limit)
{
    if (!ec_guest_v86(c))
        return true;
    for (size_t i = 0; i < NELEM(v86_segs); i++) {
        enum ec_guest_seg s = v86_segs[i];
        if (ec_guest_seg_limit(c, s) != 0xffff)
            return false;
    }
    return true;
}

/* "CS, SS, DS, ES, FS, GS. If the guest will be virtual-8086, the [access-rights] field must be 000000F3H." */
EC_GUEST_RULE(v86_ar)
{
    if (!ec_guest_v86(c))
        return true;
    for (size_t i = 0; i < NELEM(v86_segs); i++) {
        enum ec_guest_seg s = v86_segs[i];
        if (ec_guest_seg_ar(c, s) != 0xf3)
            return false;
    }
    return true;
}

/* --- access rights outside virtual-8086 mode: Type (bits 3:0) ----------------------------------------- */

/* "CS. ... If the ["unrestricted guest"] control is 0, the Type must be 9, 11, 13, or 15 (accessed code segment).
 * If the control is 1, the Type must be either 3 (read/write accessed expand-up data segment) or one of 9, 11,
 * 13, and 15." */
EC_GUEST_RULE(cs_type)
{
    if (ec_guest_v86(c))
        return true;
    uint32_t t = AR_TYPE(ec_guest_seg_ar(c, EC_SEG_CS));
    return t == 9 || t == 11 || t == 13 || t == 15 || (t == 3 && ec_guest_ug(c));
}

/* "SS. If SS is usable, the Type must be 3 or 7 (read/write, accessed data segment)."
 * Bochs 2.7: skips every SS access-rights check when the SS selector's RPL is 0 in a 64-bit guest (CS.L = 1). */
EC_GUEST_RULE(ss_type)
{
    if (!ar_checked(c, EC_SEG_SS))
        return true;
    uint32_t t = AR_TYPE(ec_guest_seg_ar(c, EC_SEG_SS));
    return t == 3 || t == 7;
}

static bool accessed_ok(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return (AR_TYPE(ec_guest_seg_ar(c, s)) & 1) != 0;
}

/* "DS, ES, FS, GS. The following checks apply if the register is usable: Bit 0 of the Type must be 1
 * (accessed)." */
EC_GUEST_RULE(data_accessed)
{
    return data_all(c, accessed_ok);
}

static bool readable_ok(const struct ec_ctx *c, enum ec_guest_seg s)
{
    uint32_t t = AR_TYPE(ec_guest_seg_ar(c, s));
    return !(t & 8) || (t & 2);
}

/* "If bit 3 of the Type is 1 (code segment), then bit 1 of the Type must be 1 (readable)." */
EC_GUEST_RULE(data_readable)
{
    return data_all(c, readable_ok);
}

/* --- S (bit 4) ---------------------------------------------------------------------------------------- */

static bool s_ok(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return (ec_guest_seg_ar(c, s) & AR_S) != 0;
}

/* "Bit 4 (S). If the register is CS or if the register is usable, S must be 1." This rule: CS. */
EC_GUEST_RULE(cs_s)
{
    return !ar_checked(c, EC_SEG_CS) || s_ok(c, EC_SEG_CS);
}

/* Same bullet: SS. */
EC_GUEST_RULE(ss_s)
{
    return !ar_checked(c, EC_SEG_SS) || s_ok(c, EC_SEG_SS);
}

/* Same bullet: DS, ES, FS, GS. */
EC_GUEST_RULE(data_s)
{
    return data_all(c, s_ok);
}

/* --- DPL (bits 6:5) ----------------------------------------------------------------------------------- */

/* "CS. If the Type is 3 (read/write accessed expand-up data segment), the DPL must be 0. The Type can be 3 only
 * if the "unrestricted guest" VM-execution control is 1." */
EC_GUEST_RULE(cs_dpl_data)
{
    uint32_t ar = ec_guest_seg_ar(c, EC_SEG_CS);
    return ec_guest_v86(c) || AR_TYPE(ar) != 3 || AR_DPL(ar) == 0;
}

/* "If the Type is 9 or 11 (non-conforming code segment), the DPL must equal the DPL in the access-rights field
 * for SS." */
EC_GUEST_RULE(cs_dpl_nonconforming)
{
    uint32_t ar = ec_guest_seg_ar(c, EC_SEG_CS);
    if (ec_guest_v86(c) || (AR_TYPE(ar) != 9 && AR_TYPE(ar) != 11))
        return true;
    return AR_DPL(ar) == AR_DPL(ec_guest_seg_ar(c, EC_SEG_SS));
}

/* "If the Type is 13 or 15 (conforming code segment), the DPL cannot be greater than the DPL in the
 * access-rights field for SS." */
EC_GUEST_RULE(cs_dpl_conforming)
{
    uint32_t ar = ec_guest_seg_ar(c, EC_SEG_CS);
    if (ec_guest_v86(c) || (AR_TYPE(ar) != 13 && AR_TYPE(ar) != 15))
        return true;
    return AR_DPL(ar) <= AR_DPL(ec_guest_seg_ar(c, EC_SEG_SS));
}

/* "SS. If the "unrestricted guest" VM-execution control is 0, the DPL must equal the RPL from the selector
 * field." (Whether or not SS is usable: SS.DPL is always loaded, it becomes the CPL.) */
EC_GUEST_RULE(ss_dpl_rpl)
{
    if (ec_guest_v86(c) || ec_guest_ug(c))
        return true;
    return AR_DPL(ec_guest_seg_ar(c, EC_SEG_SS)) == (ec_guest_seg_sel(c, EC_SEG_SS) & 3);
}

/* "The DPL must be 0 either if the Type in the access-rights field for CS is 3 (read/write accessed expand-up
 * data segment) or if bit 0 in the CR0 field (corresponding to CR0.PE) is 0." */
EC_GUEST_RULE(ss_dpl_zero)
{
    if (ec_guest_v86(c))
        return true;
    bool cs_data = AR_TYPE(ec_guest_seg_ar(c, EC_SEG_CS)) == 3;
    bool real = !(EC_F(c, GUEST_CR0) & CR0_PE);
    return !(cs_data || real) || AR_DPL(ec_guest_seg_ar(c, EC_SEG_SS)) == 0;
}

static bool data_dpl_ok(const struct ec_ctx *c, enum ec_guest_seg s)
{
    uint32_t ar = ec_guest_seg_ar(c, s);
    return AR_TYPE(ar) > 11 || AR_DPL(ar) >= (ec_guest_seg_sel(c, s) & 3);
}

/* "DS, ES, FS, GS. The DPL cannot be less than the RPL in the selector field if (1) the "unrestricted guest"
 * VM-execution control is 0; (2) the register is usable; and (3) the Type in the access-rights field is in the
 * range 0 – 11 (data segment or non-conforming code segment)." */
EC_GUEST_RULE(data_dpl)
{
    return ec_guest_ug(c) || data_all(c, data_dpl_ok);
}

/* --- P (bit 7) ---------------------------------------------------------------------------------------- */

static bool p_ok(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return (ec_guest_seg_ar(c, s) & AR_P) != 0;
}

/* "Bit 7 (P). If the register is CS or if the register is usable, P must be 1." This rule: CS. */
EC_GUEST_RULE(cs_p)
{
    return !ar_checked(c, EC_SEG_CS) || p_ok(c, EC_SEG_CS);
}

/* Same bullet: SS. */
EC_GUEST_RULE(ss_p)
{
    return !ar_checked(c, EC_SEG_SS) || p_ok(c, EC_SEG_SS);
}

/* Same bullet: DS, ES, FS, GS. */
EC_GUEST_RULE(data_p)
{
    return data_all(c, p_ok);
}

/* --- reserved bits 11:8 ------------------------------------------------------------------------------- */

static bool rsvd_11_8_ok(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return (ec_guest_seg_ar(c, s) & AR_RSVD_11_8) == 0;
}

/* "Bits 11:8 (reserved). If the register is CS or if the register is usable, these bits must all be 0." CS. */
EC_GUEST_RULE(cs_rsvd_11_8)
{
    return !ar_checked(c, EC_SEG_CS) || rsvd_11_8_ok(c, EC_SEG_CS);
}

/* Same bullet: SS. */
EC_GUEST_RULE(ss_rsvd_11_8)
{
    return !ar_checked(c, EC_SEG_SS) || rsvd_11_8_ok(c, EC_SEG_SS);
}

/* Same bullet: DS, ES, FS, GS. */
EC_GUEST_RULE(data_rsvd_11_8)
{
    return data_all(c, rsvd_11_8_ok);
}

/* --- D/B (bit 14) ------------------------------------------------------------------------------------- */

/* "Bit 14 (D/B). For CS, D/B must be 0 if the guest will be IA-32e mode and the L bit (bit 13) in the
 * access-rights field is 1." */
EC_GUEST_RULE(cs_db)
{
    uint32_t ar = ec_guest_seg_ar(c, EC_SEG_CS);
    return ec_guest_v86(c) || !ec_guest_ia32e(c) || !(ar & AR_L) || !(ar & AR_DB);
}

/* --- G (bit 15) --------------------------------------------------------------------------------------- */

/* "Bit 15 (G). The following checks apply if the register is CS or if the register is usable: If any bit in the
 * limit field in the range 11:0 is 0, G must be 0." CS. */
EC_GUEST_RULE(cs_g_low)
{
    return !ar_checked(c, EC_SEG_CS) || g_low_ok(c, EC_SEG_CS);
}

/* "If any bit in the limit field in the range 31:20 is 1, G must be 1." CS. */
EC_GUEST_RULE(cs_g_high)
{
    return !ar_checked(c, EC_SEG_CS) || g_high_ok(c, EC_SEG_CS);
}

/* G with limit bits 11:0, SS. */
EC_GUEST_RULE(ss_g_low)
{
    return !ar_checked(c, EC_SEG_SS) || g_low_ok(c, EC_SEG_SS);
}

/* G with limit bits 31:20, SS. */
EC_GUEST_RULE(ss_g_high)
{
    return !ar_checked(c, EC_SEG_SS) || g_high_ok(c, EC_SEG_SS);
}

/* G with limit bits 11:0, DS/ES/FS/GS. */
EC_GUEST_RULE(data_g_low)
{
    return data_all(c, g_low_ok);
}

/* G with limit bits 31:20, DS/ES/FS/GS. */
EC_GUEST_RULE(data_g_high)
{
    return data_all(c, g_high_ok);
}

/* --- reserved bits 31:17 ------------------------------------------------------------------------------ */

static bool rsvd_31_17_ok(const struct ec_ctx *c, enum ec_guest_seg s)
{
    return (ec_guest_seg_ar(c, s) & AR_RSVD_31_17) == 0;
}

/* "Bits 31:17 (reserved). If the register is CS or if the register is usable, these bits must all be 0." CS. */
EC_GUEST_RULE(cs_rsvd_31_17)
{
    return !ar_checked(c, EC_SEG_CS) || rsvd_31_17_ok(c, EC_SEG_CS);
}

/* Same bullet: SS. */
EC_GUEST_RULE(ss_rsvd_31_17)
{
    return !ar_checked(c, EC_SEG_SS) || rsvd_31_17_ok(c, EC_SEG_SS);
}

/* Same bullet: DS, ES, FS, GS. */
EC_GUEST_RULE(data_rsvd_31_17)
{
    return data_all(c, rsvd_31_17_ok);
}

/* --- TR (checked in every mode) ----------------------------------------------------------------------- */

/* "TR. Bits 3:0 (Type). If the guest will not be IA-32e mode, the Type must be 3 (16-bit busy TSS) or 11 (32-bit
 * busy TSS)." */
EC_GUEST_RULE(tr_type_legacy)
{
    uint32_t t = AR_TYPE(ec_guest_seg_ar(c, EC_SEG_TR));
    return ec_guest_ia32e(c) || t == 3 || t == 11;
}

/* "If the guest will be IA-32e mode, the Type must be 11 (64-bit busy TSS)." */
EC_GUEST_RULE(tr_type_ia32e)
{
    return !ec_guest_ia32e(c) || AR_TYPE(ec_guest_seg_ar(c, EC_SEG_TR)) == 11;
}

/* "Bit 4 (S). S must be 0." */
EC_GUEST_RULE(tr_s)
{
    return !s_ok(c, EC_SEG_TR);
}

/* "Bit 7 (P). P must be 1." */
EC_GUEST_RULE(tr_p)
{
    return p_ok(c, EC_SEG_TR);
}

/* "Bits 11:8 (reserved). These bits must all be 0." */
EC_GUEST_RULE(tr_rsvd_11_8)
{
    return rsvd_11_8_ok(c, EC_SEG_TR);
}

/* "Bit 15 (G). If any bit in the limit field in the range 11:0 is 0, G must be 0." */
EC_GUEST_RULE(tr_g_low)
{
    return g_low_ok(c, EC_SEG_TR);
}

/* "If any bit in the limit field in the range 31:20 is 1, G must be 1." */
EC_GUEST_RULE(tr_g_high)
{
    return g_high_ok(c, EC_SEG_TR);
}

/* "Bit 16 (Unusable). The unusable bit must be 0." */
EC_GUEST_RULE(tr_usable)
{
    return ec_guest_seg_usable(c, EC_SEG_TR);
}

/* "Bits 31:17 (reserved). These bits must all be 0." */
EC_GUEST_RULE(tr_rsvd_31_17)
{
    return rsvd_31_17_ok(c, EC_SEG_TR);
}

/* --- LDTR (checked only when usable) ------------------------------------------------------------------ */

/* "LDTR. The following checks on the different sub-fields apply only if LDTR is usable: Bits 3:0 (Type). The
 * Type must be 2 (LDT)." */
EC_GUEST_RULE(ldtr_type)
{
    return !ec_guest_seg_usable(c, EC_SEG_LDTR) || AR_TYPE(ec_guest_seg_ar(c, EC_SEG_LDTR)) == 2;
}

/* "Bit 4 (S). S must be 0." */
EC_GUEST_RULE(ldtr_s)
{
    return !ec_guest_seg_usable(c, EC_SEG_LDTR) || !s_ok(c, EC_SEG_LDTR);
}

/* "Bit 7 (P). P must be 1." */
EC_GUEST_RULE(ldtr_p)
{
    return !ec_guest_seg_usable(c, EC_SEG_LDTR) || p_ok(c, EC_SEG_LDTR);
}

/* "Bits 11:8 (reserved). These bits must all be 0." */
EC_GUEST_RULE(ldtr_rsvd_11_8)
{
    return !ec_guest_seg_usable(c, EC_SEG_LDTR) || rsvd_11_8_ok(c, EC_SEG_LDTR);
}

/* "Bit 15 (G). If any bit in the limit field in the range 11:0 is 0, G must be 0." */
EC_GUEST_RULE(ldtr_g_low)
{
    return !ec_guest_seg_usable(c, EC_SEG_LDTR) || g_low_ok(c, EC_SEG_LDTR);
}

/* "If any bit in the limit field in the range 31:20 is 1, G must be 1." */
EC_GUEST_RULE(ldtr_g_high)
{
    return !ec_guest_seg_usable(c, EC_SEG_LDTR) || g_high_ok(c, EC_SEG_LDTR);
}

/* "Bits 31:17 (reserved). These bits must all be 0." */
EC_GUEST_RULE(ldtr_rsvd_31_17)
{
    return !ec_guest_seg_usable(c, EC_SEG_LDTR) || rsvd_31_17_ok(c, EC_SEG_LDTR);
}

/* --- §27.3.1.3 descriptor-table registers ------------------------------------------------------------- */

/* "On processors that support Intel 64 architecture, the base-address fields must contain canonical
 * addresses." GDTR. */
EC_GUEST_RULE(gdtr_base)
{
    return ec_guest_canonical(c, EC_F(c, GUEST_GDTR_BASE));
}

/* Same bullet: IDTR. */
EC_GUEST_RULE(idtr_base)
{
    return ec_guest_canonical(c, EC_F(c, GUEST_IDTR_BASE));
}

/* "Bits 31:16 of each limit field must be 0." GDTR. */
EC_GUEST_RULE(gdtr_limit)
{
    return (EC_F(c, GUEST_GDTR_LIMIT) & 0xffff0000u) == 0;
}

/* Same bullet: IDTR. */
EC_GUEST_RULE(idtr_limit)
{
    return (EC_F(c, GUEST_IDTR_LIMIT) & 0xffff0000u) == 0;
}
