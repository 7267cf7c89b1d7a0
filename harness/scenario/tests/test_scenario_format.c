#define _POSIX_C_SOURCE 200809L /* open_memstream */
/* Scenario format v1 (docs/scenario-format.md): the parser's rejections with their exact byte offsets,
 * round trips of the binary form (fixed and generated scenarios), and the text form. */
#include "testlib.h"

#include "records.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* ---- building files by hand ---- */

struct buf {
    uint8_t b[300000];
    size_t n;
};

static void put(struct buf *b, uint64_t v, unsigned width)
{
    for (unsigned i = 0; i < width; i++, v >>= 8)
        b->b[b->n++] = (uint8_t)v;
}

static void put_str(struct buf *b, const char *s)
{
    memcpy(b->b + b->n, s, strlen(s));
    b->n += strlen(s);
}

/* The header of "bochs-haswell" (13 bytes): 5 + 13 + 21 = 39 bytes; records start at byte 39. */
#define HDR_LEN 39u
static void header(struct buf *b)
{
    b->n = 0;
    put(b, 1, 1);
    put_str(b, "HVS");
    put(b, 13, 1);
    put_str(b, "bochs-haswell");
    put(b, 1024, 4);
    put(b, 0, 1);
    put(b, 0x1000, 8);
    put(b, 0x8000, 8);
}

static void rec(struct buf *b, uint8_t type, size_t plen)
{
    put(b, type, 1);
    put(b, plen, 2);
}

static char err[256];

/* Parse b; expect rejection with exactly `want` as the message. */
static void expect_reject(const struct buf *b, const char *want)
{
    struct hvs_scenario s;
    memset(&s, 0x5a, sizeof s);
    CHECK_EQ_U64(hvs_parse(&s, b->b, b->n, err, sizeof err), (uint64_t)-1);
    CHECK_STREQ(err, want);
    CHECK_EQ_U64(s.nrecords, 0);
    CHECK(s.records == NULL);
}

static struct buf B;

TEST_CASE(minimal_header_parses)
{
    header(&B);
    CHECK_EQ_U64(B.n, HDR_LEN);
    struct hvs_scenario s;
    CHECK_EQ_U64(hvs_parse(&s, B.b, B.n, err, sizeof err), 0);
    CHECK_EQ_U64(s.header.version, 1);
    CHECK_STREQ(s.header.profile, "bochs-haswell");
    CHECK_EQ_U64(s.header.memory_pages, 1024);
    CHECK_EQ_U64(s.header.guest_mode, HVS_MODE_PROGRAM64);
    CHECK_EQ_U64(s.header.entry, 0x1000);
    CHECK_EQ_U64(s.header.stack, 0x8000);
    CHECK_EQ_U64(s.nrecords, 0);
    hvs_free(&s);
}

TEST_CASE(records_decode_little_endian)
{
    header(&B);
    rec(&B, HVS_PORT_OUT, 7);
    put(&B, 0x3f8, 2);
    put(&B, 1, 1);
    put(&B, 0x41, 4);
    rec(&B, HVS_SET_MEM, 11);
    put(&B, 0x123456789abcdef0ull, 8);
    put(&B, 0x909090, 3);
    rec(&B, HVS_HLT, 0);
    struct hvs_scenario s;
    CHECK_EQ_U64(hvs_parse(&s, B.b, B.n, err, sizeof err), 0);
    CHECK_EQ_U64(s.nrecords, 3);
    CHECK_EQ_U64(s.records[0].type, HVS_PORT_OUT);
    CHECK_EQ_U64(s.records[0].offset, HDR_LEN);
    CHECK_EQ_U64(s.records[0].a, 0x3f8);
    CHECK_EQ_U64(s.records[0].b, 1);
    CHECK_EQ_U64(s.records[0].c, 0x41);
    CHECK_EQ_U64(s.records[1].offset, HDR_LEN + 10);
    CHECK_EQ_U64(s.records[1].a, 0x123456789abcdef0ull);
    CHECK_EQ_U64(s.records[1].nbytes, 3);
    CHECK(memcmp(s.records[1].bytes, "\x90\x90\x90", 3) == 0);
    CHECK_EQ_U64(s.records[2].type, HVS_HLT);
    CHECK_EQ_U64(s.records[2].offset, HDR_LEN + 10 + 14);
    hvs_free(&s);
}

/* ---- every malformed case, with its offset ---- */

TEST_CASE(empty_file_is_truncated_header)
{
    B.n = 0;
    expect_reject(&B, "byte 0: truncated header: empty file (a scenario starts with its version byte)");
}

TEST_CASE(wrong_version)
{
    header(&B);
    B.b[0] = 7;
    expect_reject(&B, "byte 0: version 7 not supported (this hvkit reads version 1)");
    B.b[0] = 0;
    expect_reject(&B, "byte 0: version 0 not supported (this hvkit reads version 1)");
}

TEST_CASE(bad_magic)
{
    header(&B);
    B.b[2] = 'X';
    expect_reject(&B, "byte 2: bad magic: 0x58, expected 'V' (the magic is \"HVS\")");
}

TEST_CASE(truncated_magic)
{
    header(&B);
    B.n = 3;
    expect_reject(&B, "byte 3: truncated header: magic \"HVS\" ends early");
}

TEST_CASE(truncated_before_profile_length)
{
    header(&B);
    B.n = 4;
    expect_reject(&B, "byte 4: truncated header: no profile name length");
}

TEST_CASE(truncated_profile_name)
{
    header(&B);
    B.n = 10;
    expect_reject(&B, "byte 5: truncated header: profile name of 13 bytes, 5 left");
}

TEST_CASE(profile_name_too_long)
{
    B.n = 0;
    put(&B, 1, 1);
    put_str(&B, "HVS");
    put(&B, 33, 1);
    for (int i = 0; i < 33; i++)
        put(&B, 'a', 1);
    put(&B, 0, 21);
    expect_reject(&B, "byte 4: profile name of 33 bytes is too long (at most 32)");
}

TEST_CASE(profile_name_not_printable)
{
    header(&B);
    B.b[5 + 5] = ' ';
    expect_reject(&B, "byte 5: profile name byte 5 is 0x20, not printable ASCII");
    header(&B);
    B.b[5] = 0;
    expect_reject(&B, "byte 5: profile name byte 0 is 0x00, not printable ASCII");
}

TEST_CASE(profile_name_empty)
{
    B.n = 0;
    put(&B, 1, 1);
    put_str(&B, "HVS");
    put(&B, 0, 1);
    put(&B, 1, 4);
    put(&B, 0, 17);
    expect_reject(&B, "byte 5: profile name is empty");
}

TEST_CASE(truncated_vm_configuration)
{
    header(&B);
    B.n = HDR_LEN - 1;
    expect_reject(&B, "byte 18: truncated header: 21 bytes of VM configuration expected, 20 left");
}

TEST_CASE(memory_pages_out_of_range)
{
    header(&B);
    B.b[18] = 0, B.b[19] = 0;
    expect_reject(&B, "byte 18: memory pages 0 out of range (1-4194304)");
    header(&B);
    B.b[18] = 1, B.b[19] = 0, B.b[20] = 0x40;
    expect_reject(&B, "byte 18: memory pages 4194305 out of range (1-4194304)");
    B.b[21] = 0xff;
    expect_reject(&B, "byte 18: memory pages 4282384385 out of range (1-4194304)");
}

TEST_CASE(guest_mode_unknown)
{
    header(&B);
    B.b[22] = 2;
    expect_reject(&B, "byte 22: guest mode 2 unknown (0 program64, 1 real)");
}

TEST_CASE(truncated_record_prefix)
{
    header(&B);
    rec(&B, HVS_HLT, 0);
    put(&B, HVS_HLT, 1);
    put(&B, 0, 1);
    expect_reject(&B, "byte 42: truncated record: 2 bytes left, a record starts with type and length (3 bytes)");
    B.n--;
    expect_reject(&B, "byte 42: truncated record: 1 byte left, a record starts with type and length (3 bytes)");
}

TEST_CASE(truncated_record_payload)
{
    header(&B);
    rec(&B, HVS_CPUID, 8);
    put(&B, 0, 4);
    expect_reject(&B, "byte 39: truncated record: cpuid payload of 8 bytes, 4 left");
}

TEST_CASE(unknown_record_type)
{
    header(&B);
    rec(&B, HVS_HLT, 0);
    rec(&B, 0x3f, 0);
    expect_reject(&B, "byte 42: unknown record type 0x3f");
    header(&B);
    rec(&B, 0, 0);
    expect_reject(&B, "byte 39: unknown record type 0x00");
    header(&B);
    rec(&B, 0xff, 0);
    expect_reject(&B, "byte 39: unknown record type 0xff");
}

TEST_CASE(payload_length_not_matching_type)
{
    header(&B);
    rec(&B, HVS_CPUID, 7);
    put(&B, 0, 7);
    expect_reject(&B, "byte 40: cpuid payload length 7, expected 8");
    header(&B);
    rec(&B, HVS_HLT, 1);
    put(&B, 0, 1);
    expect_reject(&B, "byte 40: hlt payload length 1, expected 0");
    header(&B);
    rec(&B, HVS_SET_MEM, 7);
    put(&B, 0, 7);
    expect_reject(&B, "byte 40: set-mem payload length 7, expected at least 8");
}

TEST_CASE(set_mem_longer_than_max)
{
    header(&B);
    rec(&B, HVS_SET_MEM, 8 + HVS_MAX_MEM_BYTES + 1);
    put(&B, 0, 8 + HVS_MAX_MEM_BYTES + 1);
    expect_reject(&B, "byte 40: set-mem of 4097 bytes is longer than 4096 (HVS_MAX_MEM_BYTES)");
    /* exactly the maximum is fine */
    header(&B);
    rec(&B, HVS_SET_MEM, 8 + HVS_MAX_MEM_BYTES);
    put(&B, 0, 8 + HVS_MAX_MEM_BYTES);
    struct hvs_scenario s;
    CHECK_EQ_U64(hvs_parse(&s, B.b, B.n, err, sizeof err), 0);
    CHECK_EQ_U64(s.records[0].nbytes, HVS_MAX_MEM_BYTES);
    hvs_free(&s);
}

TEST_CASE(more_than_max_records)
{
    header(&B);
    for (int i = 0; i < HVS_MAX_RECORDS; i++)
        rec(&B, HVS_HLT, 0);
    struct hvs_scenario s;
    CHECK_EQ_U64(hvs_parse(&s, B.b, B.n, err, sizeof err), 0);
    CHECK_EQ_U64(s.nrecords, HVS_MAX_RECORDS);
    hvs_free(&s);
    rec(&B, HVS_HLT, 0);
    expect_reject(&B, "byte 196647: more than 65536 records"); /* 39 + 65536 * 3 */
}

TEST_CASE(port_size_not_1_2_4)
{
    header(&B);
    rec(&B, HVS_PORT_OUT, 7);
    put(&B, 0x3f8, 2);
    put(&B, 3, 1);
    put(&B, 0, 4);
    expect_reject(&B, "byte 44: port-out: port size 3 (must be 1, 2 or 4)");
    header(&B);
    rec(&B, HVS_PORT_IN, 3);
    put(&B, 0x60, 2);
    put(&B, 0, 1);
    expect_reject(&B, "byte 44: port-in: port size 0 (must be 1, 2 or 4)");
}

TEST_CASE(register_number_out_of_range)
{
    header(&B);
    rec(&B, HVS_SET_GPR, 9);
    put(&B, 18, 1);
    put(&B, 0, 8);
    expect_reject(&B, "byte 42: set-gpr: register number 18 out of range (0-17)");
    header(&B);
    rec(&B, HVS_MOV_TO_CR, 10);
    put(&B, 0, 1);
    put(&B, 16, 1);
    put(&B, 0, 8);
    expect_reject(&B, "byte 43: mov-to-cr: register number 16 out of range (0-15)");
}

TEST_CASE(other_field_values_out_of_range)
{
    header(&B);
    rec(&B, HVS_MOV_FROM_CR, 2);
    put(&B, 2, 1);
    put(&B, 0, 1);
    expect_reject(&B, "byte 42: mov-from-cr: control register 2 (must be 0, 3, 4 or 8)");
    header(&B);
    rec(&B, HVS_EXCEPTION, 6);
    put(&B, 32, 1);
    put(&B, 0, 5);
    expect_reject(&B, "byte 42: exception: exception vector 32 out of range (0-31)");
    header(&B);
    rec(&B, HVS_EXCEPTION, 6);
    put(&B, 13, 1);
    put(&B, 2, 1);
    put(&B, 0, 4);
    expect_reject(&B, "byte 43: exception: has_error 2 (must be 0 or 1)");
    header(&B);
    rec(&B, HVS_VMX_INSN, 2);
    put(&B, 18, 2);
    expect_reject(&B, "byte 42: vmx-insn: exit 18 is not a VMX-instruction exit reason (19-27, 50, 53, 59)");
    header(&B);
    rec(&B, HVS_FAIL_VMX, 6);
    put(&B, 14, 1);
    put(&B, 2, 1);
    put(&B, 7, 4);
    expect_reject(&B, "byte 42: fail-vmx: VMX instruction 14 unknown (0-13)");
    header(&B);
    rec(&B, HVS_FAIL_VMX, 6);
    put(&B, 9, 1);
    put(&B, 3, 1);
    put(&B, 7, 4);
    expect_reject(&B, "byte 43: fail-vmx: status 3 (must be 1 VMfailInvalid or 2 VMfailValid)");
}

/* Every proper prefix of a valid file is rejected, names an offset inside the file, and never crashes. */
TEST_CASE(every_truncation_is_rejected_in_bounds)
{
    header(&B);
    rec(&B, HVS_CPUID, 8);
    put(&B, 0, 8);
    rec(&B, HVS_SET_MEM, 10);
    put(&B, 0x1000, 8);
    put(&B, 0xf4f4, 2);
    rec(&B, HVS_HLT, 0);
    size_t full = B.n;
    static uint8_t copy[256];
    for (size_t n = 0; n < full; n++) {
        memcpy(copy, B.b, n); /* an exact-size copy, so ASan catches any read past the end */
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, copy, n);
        struct hvs_scenario s;
        int rc = hvs_parse(&s, p, n, err, sizeof err);
        free(p);
        if (n == HDR_LEN || n == HDR_LEN + 11 || n == HDR_LEN + 11 + 13) {
            CHECK_EQ_U64(rc, 0); /* ends on a record boundary: a shorter valid scenario */
            hvs_free(&s);
            continue;
        }
        CHECK_EQ_U64(rc, (uint64_t)-1);
        unsigned long at = 0;
        CHECK(sscanf(err, "byte %lu:", &at) == 1);
        CHECK(at <= n);
        CHECK(strstr(err, "truncated") != NULL);
    }
}

/* Random bytes and random mutations of a valid file: the parser returns 0 or -1 with a message, never
 * crashes (ASan/UBSan), and whatever it accepts writes back to the same bytes. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

TEST_CASE(hostile_bytes_never_crash)
{
    unsigned accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        header(&B);
        int nrec = (int)(rnd() % 6);
        for (int k = 0; k < nrec; k++) {
            uint8_t t = (uint8_t)(rnd() % 0x50);
            size_t pl = rnd() % 24;
            rec(&B, t, pl);
            for (size_t i = 0; i < pl; i++)
                put(&B, rnd() % 4 ? rnd() % 5 : rnd(), 1);
        }
        int flips = (int)(rnd() % 4);
        for (int f = 0; f < flips && B.n; f++)
            B.b[rnd() % B.n] = (uint8_t)rnd();
        size_t n = B.n - (rnd() % 8 == 0 ? rnd() % (B.n + 1) : 0);
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, B.b, n);
        struct hvs_scenario s;
        err[0] = 0;
        if (hvs_parse(&s, p, n, err, sizeof err) == 0) {
            accepted++;
            size_t wl;
            uint8_t *w = hvs_write(&s, &wl);
            CHECK(w && wl == n && memcmp(w, p, n) == 0);
            free(w);
            hvs_free(&s);
        } else {
            CHECK(strncmp(err, "byte ", 5) == 0);
        }
        free(p);
    }
    CHECK(accepted > 100); /* the generator does reach valid files */
}

/* ---- round trips ---- */

static void random_scenario(struct hvs_scenario *s)
{
    size_t ntypes;
    const struct hvs_record_desc *tab = hvs_record_table(&ntypes);
    memset(s, 0, sizeof *s);
    s->header.version = 1;
    const char *profiles[] = {"bochs-haswell", "minimal", "max", "x", "abcdefghijklmnopqrstuvwxyz012345"};
    strcpy(s->header.profile, profiles[rnd() % 5]);
    s->header.memory_pages = (uint32_t)(1 + rnd() % HVS_MAX_MEMORY_PAGES);
    s->header.guest_mode = (uint8_t)(rnd() % 2);
    s->header.entry = rnd();
    s->header.stack = rnd();
    s->nrecords = rnd() % 40;
    s->records = calloc(s->nrecords ? s->nrecords : 1, sizeof *s->records);
    for (size_t k = 0; k < s->nrecords; k++) {
        struct hvs_record *r = &s->records[k];
        const struct hvs_record_desc *d = &tab[rnd() % ntypes];
        r->type = d->type;
        for (unsigned i = 0; i < d->nfields; i++) {
            const struct hvs_field *f = &d->fields[i];
            uint64_t v;
            char why[160];
            do { /* draw until legal: small values often, full-width ones too */
                v = rnd() % 2 ? rnd() % 64 : rnd();
                if (f->width < 8)
                    v &= (1ull << (8 * f->width)) - 1;
            } while (!hvs_field_check(f, v, why, sizeof why));
            *hvs_record_field(r, i) = v;
        }
        if (d->has_bytes) {
            r->nbytes = rnd() % 3 == 0 ? 0 : rnd() % (HVS_MAX_MEM_BYTES + 1);
            r->bytes = r->nbytes ? malloc(r->nbytes) : NULL;
            for (size_t i = 0; i < r->nbytes; i++)
                r->bytes[i] = (uint8_t)rnd();
        }
    }
}

static bool same(const struct hvs_scenario *x, const struct hvs_scenario *y)
{
    if (memcmp(&x->header, &y->header, sizeof x->header) != 0 &&
        !(x->header.version == y->header.version && strcmp(x->header.profile, y->header.profile) == 0 &&
          x->header.memory_pages == y->header.memory_pages && x->header.guest_mode == y->header.guest_mode &&
          x->header.entry == y->header.entry && x->header.stack == y->header.stack))
        return false;
    if (x->nrecords != y->nrecords)
        return false;
    for (size_t k = 0; k < x->nrecords; k++) {
        const struct hvs_record *a = &x->records[k], *b = &y->records[k];
        if (a->type != b->type || a->a != b->a || a->b != b->b || a->c != b->c || a->d != b->d || a->e != b->e ||
            a->nbytes != b->nbytes || (a->nbytes && memcmp(a->bytes, b->bytes, a->nbytes) != 0))
            return false;
    }
    return true;
}

TEST_CASE(round_trip_random_valid_scenarios)
{
    for (int iter = 0; iter < 300; iter++) {
        struct hvs_scenario s, p;
        random_scenario(&s);
        CHECK_EQ_U64(hvs_validate(&s, err, sizeof err), 0);
        size_t len;
        uint8_t *w = hvs_write(&s, &len);
        CHECK(w != NULL);
        CHECK_EQ_U64(hvs_parse(&p, w, len, err, sizeof err), 0);
        CHECK(same(&s, &p)); /* parse(write(s)) == s */
        size_t off = hvs_header_size(&s.header);
        for (size_t k = 0; k < p.nrecords; k++) {
            CHECK_EQ_U64(p.records[k].offset, off);
            off += hvs_record_size(&p.records[k]);
        }
        CHECK_EQ_U64(off, len);
        size_t len2;
        uint8_t *w2 = hvs_write(&p, &len2); /* write(parse(bytes)) == bytes */
        CHECK(w2 && len2 == len && memcmp(w, w2, len) == 0);
        free(w);
        free(w2);
        hvs_free(&s);
        hvs_free(&p);
    }
}

TEST_CASE(validate_rejects_what_the_parser_would)
{
    struct hvs_record r[1] = {{.type = HVS_PORT_OUT, .a = 0x3f8, .b = 3}};
    struct hvs_scenario s = {.header = {.version = 1, .profile = "max", .memory_pages = 16}, .nrecords = 1,
                             .records = r};
    CHECK_EQ_U64(hvs_validate(&s, err, sizeof err), (uint64_t)-1);
    CHECK_STREQ(err, "record 0 (port-out): port size 3 (must be 1, 2 or 4)");
    r[0].b = 1;
    r[0].d = 5; /* port-out has 3 fields */
    CHECK_EQ_U64(hvs_validate(&s, err, sizeof err), (uint64_t)-1);
    r[0].d = 0;
    r[0].a = 0x10000; /* the port is 16 bits */
    CHECK_EQ_U64(hvs_validate(&s, err, sizeof err), (uint64_t)-1);
    CHECK_STREQ(err, "record 0 (port-out): port 0x10000 does not fit in 2 bytes");
    r[0].a = 0x3f8;
    CHECK_EQ_U64(hvs_validate(&s, err, sizeof err), 0);
    s.header.memory_pages = 0;
    CHECK_EQ_U64(hvs_validate(&s, err, sizeof err), (uint64_t)-1);
    CHECK_STREQ(err, "header: memory pages 0 out of range (1-4194304)");
}

TEST_CASE(record_table_is_consistent)
{
    size_t n;
    const struct hvs_record_desc *tab = hvs_record_table(&n);
    CHECK(n >= 27);
    for (size_t i = 0; i < n; i++) {
        CHECK_STREQ(hvs_record_name(tab[i].type), tab[i].name);
        CHECK(hvs_record_desc_by_name(tab[i].name, strlen(tab[i].name)) == &tab[i]);
        CHECK(tab[i].nfields <= HVS_MAX_FIELDS);
        CHECK(hvs_record_fixed_len(&tab[i]) + (tab[i].has_bytes ? HVS_MAX_MEM_BYTES : 0) <= 0xffff);
        for (unsigned f = 0; f < tab[i].nfields; f++) {
            unsigned w = tab[i].fields[f].width;
            CHECK(w == 1 || w == 2 || w == 4 || w == 8);
        }
        for (size_t j = 0; j < i; j++)
            CHECK(tab[j].type != tab[i].type);
    }
    CHECK(hvs_record_name(0x3f) == NULL);
    CHECK_STREQ(hvs_record_name(HVS_PORT_OUT), "port-out");
}

/* ---- text form ---- */

static const char acceptance[] = "# issue 3 acceptance\n"
                                 "profile bochs-haswell\n"
                                 "memory 4M\n"
                                 "mode program64\n"
                                 "entry 0x1000\n"
                                 "stack 0x8000\n"
                                 "cpuid eax=0 ecx=0\n"
                                 "port-out port=0x3f8 size=1 value='A'   # serial\n"
                                 "vmcall rax=0 rbx=0 rcx=0 rdx=0 rsi=0\n"
                                 "hlt\n";

static int asm_str(struct hvs_scenario *s, const char *t)
{
    return hvs_asm(s, t, strlen(t), err, sizeof err);
}

TEST_CASE(text_acceptance_scenario)
{
    struct hvs_scenario s;
    CHECK_EQ_U64(asm_str(&s, acceptance), 0);
    CHECK_STREQ(s.header.profile, "bochs-haswell");
    CHECK_EQ_U64(s.header.memory_pages, 1024);
    CHECK_EQ_U64(s.nrecords, 4);
    CHECK_EQ_U64(s.records[0].type, HVS_CPUID);
    CHECK_EQ_U64(s.records[1].type, HVS_PORT_OUT);
    CHECK_EQ_U64(s.records[1].a, 0x3f8);
    CHECK_EQ_U64(s.records[1].c, 'A');
    CHECK_EQ_U64(s.records[2].type, HVS_VMCALL);
    CHECK_EQ_U64(s.records[3].type, HVS_HLT);
    CHECK_EQ_U64(s.records[0].offset, HDR_LEN);
    CHECK_EQ_U64(s.records[3].offset, HDR_LEN + 11 + 10 + 43);
    hvs_free(&s);
}

TEST_CASE(text_symbols_defaults_and_forms)
{
    struct hvs_scenario s;
    CHECK_EQ_U64(asm_str(&s, "memory-pages 300\nmode real\n"
                             "fail-vmx insn=vmresume status=valid error=5\n"
                             "set-gpr reg=rflags value=0x2\n"
                             "mov-to-cr cr=4 gpr=r15 value=0x2000\n"
                             "vmx-insn exit=vmptrld\n"
                             "set-mem gpa=0x1000 bytes=90909090f4\n"
                             "set-mem gpa=0x2000 bytes=\n"
                             "wrmsr msr=0xc0000080 value=18446744073709551615\n"
                             "port-in port=0x60 size=4\r\n"),
                   0);
    CHECK_STREQ(s.header.profile, "bochs-haswell"); /* default */
    CHECK_EQ_U64(s.header.memory_pages, 300);
    CHECK_EQ_U64(s.header.guest_mode, HVS_MODE_REAL);
    CHECK_EQ_U64(s.header.entry, HVS_TEXT_DEFAULT_ENTRY);
    CHECK_EQ_U64(s.nrecords, 8);
    CHECK_EQ_U64(s.records[0].a, 9); /* SIM_INSN_VMRESUME */
    CHECK_EQ_U64(s.records[0].b, 2);
    CHECK_EQ_U64(s.records[0].c, 5);
    CHECK_EQ_U64(s.records[1].a, HVS_REG_RFLAGS);
    CHECK_EQ_U64(s.records[2].b, 15);
    CHECK_EQ_U64(s.records[3].a, 21);
    CHECK_EQ_U64(s.records[4].nbytes, 5);
    CHECK_EQ_U64(s.records[4].bytes[4], 0xf4);
    CHECK_EQ_U64(s.records[5].nbytes, 0);
    CHECK_EQ_U64(s.records[6].b, UINT64_MAX);
    CHECK_EQ_U64(s.records[7].b, 4);
    hvs_free(&s);
}

static void expect_asm_error(const char *text, const char *want)
{
    struct hvs_scenario s;
    CHECK_EQ_U64(asm_str(&s, text), (uint64_t)-1);
    CHECK_STREQ(err, want);
    CHECK_EQ_U64(s.nrecords, 0);
}

TEST_CASE(text_errors_name_line_and_column)
{
    expect_asm_error("cpuid eax=0\nbogus x=1\n", "2:1: unknown record or header line 'bogus'");
    expect_asm_error("port-out port=0x3f8 size=3 value=1\n", "1:26: port size 3 (must be 1, 2 or 4)");
    expect_asm_error("port-out port=0x3f8 value=1\n", "1:1: port-out needs field 'size' (port size 0 (must be 1, 2 or 4))");
    expect_asm_error("  cpuid eax=1 edx=2\n", "1:15: cpuid has no field 'edx' (fields: eax ecx)");
    expect_asm_error("cpuid eax=1 eax=2\n", "1:13: field 'eax' given twice");
    expect_asm_error("cpuid eax\n", "1:7: expected NAME=VALUE, got 'eax'");
    expect_asm_error("cpuid eax=0x1g\n", "1:11: eax: '0x1g': not a number");
    expect_asm_error("cpuid eax=0x100000000\n", "1:11: eax 0x100000000 does not fit in 4 bytes");
    expect_asm_error("wrmsr value=18446744073709551616\n", "1:13: value: '18446744073709551616': number does not fit in 64 bits");
    expect_asm_error("set-mem gpa=0 bytes=909\n", "1:21: bytes: odd number of hex digits (3)");
    expect_asm_error("set-mem gpa=0 bytes=90zz\n", "1:23: bytes: 'z' is not a hex digit");
    expect_asm_error("set-gpr reg=rip2 value=0\n", "1:13: reg: 'rip2': not a number");
    expect_asm_error("set-gpr reg=18 value=0\n", "1:13: register number 18 out of range (0-17)");
    expect_asm_error("hlt\nprofile max\n", "2:1: header line 'profile' after the first record");
    expect_asm_error("memory 4M\nmemory-pages 2\n", "2:1: header line 'memory-pages' given twice");
    expect_asm_error("memory 4097\n", "1:8: memory size 4097 is not a whole number of 4-KiB pages");
    expect_asm_error("memory 32G\n", "1:8: memory pages 8388608 out of range (1-4194304)");
    expect_asm_error("mode long\n", "1:6: guest mode 'long' unknown (program64 or real)");
    expect_asm_error("profile\n", "1:1: 'profile' takes one value");
    expect_asm_error("profile abcdefghijklmnopqrstuvwxyz0123456\n",
                     "1:9: profile name of 33 bytes is too long (at most 32)");
    expect_asm_error("hlt x=1\n", "1:5: hlt has no field 'x' (fields: none)");
}

TEST_CASE(text_large_set_mem_is_bounded)
{
    size_t n = 2 * (HVS_MAX_MEM_BYTES + 1);
    char *t = malloc(n + 32);
    strcpy(t, "set-mem gpa=0 bytes=");
    memset(t + strlen(t), 'a', n);
    t[20 + n] = 0;
    expect_asm_error(t, "1:21: set-mem of 4097 bytes is longer than 4096 (HVS_MAX_MEM_BYTES)");
    free(t);
}

TEST_CASE(text_disasm_reads_back)
{
    for (int iter = 0; iter < 200; iter++) {
        struct hvs_scenario s, t;
        random_scenario(&s);
        char *text = NULL;
        size_t tlen = 0;
        FILE *f = open_memstream(&text, &tlen);
        hvs_disasm_ex(&s, f, iter % 2 == 0);
        fclose(f);
        int rc = hvs_asm(&t, text, tlen, err, sizeof err);
        if (rc != 0)
            printf("asm failed: %s\n", err);
        CHECK_EQ_U64(rc, 0);
        CHECK(same(&s, &t));
        free(text);
        hvs_free(&s);
        hvs_free(&t);
    }
}

TEST_CASE(text_disasm_with_offsets)
{
    struct hvs_scenario s;
    CHECK_EQ_U64(asm_str(&s, acceptance), 0);
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    hvs_disasm_ex(&s, f, true);
    fclose(f);
    CHECK(strstr(text, "# byte 0: header (version 1, 39 bytes)\n") != NULL);
    CHECK(strstr(text, "cpuid eax=0x0 ecx=0x0  # byte 39, record 0\n") != NULL);
    CHECK(strstr(text, "port-out port=0x3f8 size=1 value=0x41  # byte 50, record 1\n") != NULL);
    CHECK(strstr(text, "hlt  # byte 103, record 3\n") != NULL);
    free(text);
    hvs_free(&s);
}

TEST_CASE(examples_assemble)
{
    const char *names[] = {"acceptance.hvt", "vmlaunch_fallback.hvt", "invalid_controls.hvt"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", HVS_EXAMPLES_DIR, names[i]);
        FILE *f = fopen(path, "rb");
        CHECK(f != NULL);
        static char text[65536];
        size_t n = fread(text, 1, sizeof text, f);
        fclose(f);
        struct hvs_scenario s;
        int rc = hvs_asm(&s, text, n, err, sizeof err);
        if (rc)
            printf("%s: %s\n", names[i], err);
        CHECK_EQ_U64(rc, 0);
        CHECK(s.nrecords >= 3);
        CHECK_EQ_U64(s.records[s.nrecords - 1].type, HVS_HLT);
        hvs_free(&s);
    }
}
