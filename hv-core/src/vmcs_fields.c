/* The VMCS field table (SDM Vol. 3 Appendix B), generated from HV_VMCS_FIELDS. */
#include <hv/vmcs_fields.h>

const struct hv_vmcs_field hv_vmcs_field_table[HV_VMCS_FIELD_COUNT] = {
#define HV_VMCS_ROW(name, enc, w, t, feat, sdm)                                                              \
    [HV_VMCS_ORD_##name] = {#name, sdm, (enc), HV_VMCS_##w, HV_VMCS_##t, HV_VMCS_FEAT_##feat},
    HV_VMCS_FIELDS(HV_VMCS_ROW)
#undef HV_VMCS_ROW
};

/* Every field of Appendix B has an index below 64, so (width, type, index[5:0]) is a dense 10-bit slot; the
 * lookup is one load. The table stores ordinal + 1 so that 0 means "no such field". */
#define HV_VMCS_SLOT(enc) ((HV_VMCS_ENC_WIDTH(enc) << 8) | (HV_VMCS_ENC_TYPE(enc) << 6) | HV_VMCS_ENC_INDEX(enc))

static const uint16_t slot_to_ordinal[1024] = {
#define HV_VMCS_SLOT_ROW(name, enc, w, t, feat, sdm) [HV_VMCS_SLOT(enc)] = HV_VMCS_ORD_##name + 1,
    HV_VMCS_FIELDS(HV_VMCS_SLOT_ROW)
#undef HV_VMCS_SLOT_ROW
};

int hv_vmcs_field_lookup(uint32_t encoding, int *high)
{
    if (encoding & HV_VMCS_ENC_RESERVED_MASK)
        return -1;
    if (HV_VMCS_ENC_INDEX(encoding) >= 64)
        return -1;
    int ord = (int)slot_to_ordinal[HV_VMCS_SLOT(encoding)] - 1;
    if (ord < 0)
        return -1;
    int is_high = (int)HV_VMCS_ENC_ACCESS_HIGH(encoding);
    /* Only 64-bit fields have a "high" access (SDM Vol. 3 §25.11.2). */
    if (is_high && hv_vmcs_field_table[ord].width != HV_VMCS_W64)
        return -1;
    if (high)
        *high = is_high;
    return ord;
}

unsigned hv_vmcs_width_bits(unsigned width)
{
    switch (width) {
    case HV_VMCS_W16:
        return 16;
    case HV_VMCS_W32:
        return 32;
    default:
        return 64;
    }
}
