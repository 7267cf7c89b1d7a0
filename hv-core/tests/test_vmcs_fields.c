/* The VMCS field table against the encoding rules of SDM Vol. 3 §25.11.2 (Table 25-21): every encoding's
 * width, type, access-type and index bits agree with the Appendix B group the table lists it under. */
#include <hv/vmcs_fields.h>
#include <testlib.h>

TEST_CASE(every_encoding_decodes_to_its_listed_width_and_type)
{
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++) {
        const struct hv_vmcs_field *f = &hv_vmcs_field_table[i];
        CHECK_EQ_U64(HV_VMCS_ENC_WIDTH(f->encoding), f->width);
        CHECK_EQ_U64(HV_VMCS_ENC_TYPE(f->encoding), f->type);
        /* Table entries are full accesses; "high" is derived (bit 0 set). */
        CHECK_EQ_U64(HV_VMCS_ENC_ACCESS_HIGH(f->encoding), 0);
        CHECK_EQ_U64(f->encoding & HV_VMCS_ENC_RESERVED_MASK, 0);
        CHECK(f->name != 0 && f->sdm_name != 0);
    }
}

TEST_CASE(encodings_are_unique_and_indices_fit_the_lookup)
{
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++) {
        CHECK(HV_VMCS_ENC_INDEX(hv_vmcs_field_table[i].encoding) < 64);
        for (int j = i + 1; j < HV_VMCS_FIELD_COUNT; j++)
            CHECK(hv_vmcs_field_table[i].encoding != hv_vmcs_field_table[j].encoding);
    }
}

/* Appendix B numbers the fields of one (width, type) group with consecutive indices from 0; a gap is a
 * field the table forgot or a typo in an encoding. The SDM itself leaves gaps where fields were retired or
 * are reserved; those are listed here with the reason. */
static int known_gap(unsigned width, unsigned type, unsigned index)
{
    /* 64-bit controls: 0x2046/0x2048 (indices 0x23, 0x24) are not defined in Appendix B. */
    if (width == HV_VMCS_W64 && type == HV_VMCS_TCTL && (index == 0x23 || index == 0x24))
        return 1;
    /* 32-bit guest state: 0x482c (index 0x16) is not defined in Appendix B. */
    if (width == HV_VMCS_W32 && type == HV_VMCS_TGUEST && index == 0x16)
        return 1;
    return 0;
}

TEST_CASE(indices_within_each_group_are_consecutive)
{
    for (unsigned w = 0; w < 4; w++)
        for (unsigned t = 0; t < 4; t++) {
            unsigned max = 0, count = 0;
            int seen[64] = {0};
            for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++) {
                const struct hv_vmcs_field *f = &hv_vmcs_field_table[i];
                if (f->width != w || f->type != t)
                    continue;
                unsigned idx = HV_VMCS_ENC_INDEX(f->encoding);
                seen[idx] = 1;
                count++;
                if (idx > max)
                    max = idx;
            }
            if (!count)
                continue;
            for (unsigned idx = 0; idx <= max; idx++)
                CHECK(seen[idx] || known_gap(w, t, idx));
        }
}

TEST_CASE(lookup_finds_full_and_high_accesses)
{
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++) {
        const struct hv_vmcs_field *f = &hv_vmcs_field_table[i];
        int high = -1;
        CHECK_EQ_U64(hv_vmcs_field_lookup(f->encoding, &high), i);
        CHECK_EQ_U64(high, 0);
        int r = hv_vmcs_field_lookup(f->encoding | 1u, &high);
        if (f->width == HV_VMCS_W64) {
            CHECK_EQ_U64(r, i);
            CHECK_EQ_U64(high, 1);
        } else {
            /* Only 64-bit fields have a high access (SDM Vol. 3 §25.11.2). */
            CHECK(r == -1);
        }
        /* Reserved bit 12 or bits 31:15 set: no field. */
        CHECK(hv_vmcs_field_lookup(f->encoding | 0x1000u, 0) == -1);
        CHECK(hv_vmcs_field_lookup(f->encoding | 0x8000u, 0) == -1);
        CHECK(hv_vmcs_field_lookup(f->encoding | 0x80000000u, 0) == -1);
    }
    CHECK(hv_vmcs_field_lookup(0x0001, 0) == -1); /* high access of a 16-bit field */
    CHECK(hv_vmcs_field_lookup(0x487e, 0) == -1); /* index 63, undefined */
    CHECK(hv_vmcs_field_lookup(0xffffffffu, 0) == -1);
}

TEST_CASE(names_match_well_known_encodings)
{
    /* A few encodings quoted in SDM prose and in ../shared/notes/bochs.md, spelled independently. */
    CHECK_EQ_U64(VMCS_PIN_BASED_VM_EXEC_CONTROL, 0x4000);
    CHECK_EQ_U64(VMCS_GUEST_RFLAGS, 0x6820);
    CHECK_EQ_U64(VMCS_HOST_TR_SELECTOR, 0x0c0c);
    CHECK_EQ_U64(VMCS_VMCS_LINK_POINTER, 0x2800);
    CHECK_EQ_U64(VMCS_EPT_POINTER, 0x201a);
    CHECK_EQ_U64(VMCS_VM_INSTRUCTION_ERROR, 0x4400);
    CHECK_EQ_U64(VMCS_EXIT_REASON, 0x4402);
    CHECK_EQ_U64(VMCS_EXIT_QUALIFICATION, 0x6400);
    CHECK_STREQ(hv_vmcs_field_table[HV_VMCS_ORD_GUEST_RFLAGS].sdm_name, "Guest RFLAGS");
    CHECK_STREQ(hv_vmcs_field_table[HV_VMCS_ORD_GUEST_RFLAGS].name, "GUEST_RFLAGS");
    CHECK_EQ_U64(hv_vmcs_width_bits(HV_VMCS_W16), 16);
    CHECK_EQ_U64(hv_vmcs_width_bits(HV_VMCS_W32), 32);
    CHECK_EQ_U64(hv_vmcs_width_bits(HV_VMCS_W64), 64);
    CHECK_EQ_U64(hv_vmcs_width_bits(HV_VMCS_WNAT), 64);
}
