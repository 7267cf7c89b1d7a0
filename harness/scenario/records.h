/* The scenario record table (docs/scenario-format.md): one row per record type, giving its text name and
 * its payload layout — the fixed-width little-endian fields, in order, with their names and the values they
 * may take. The parser, the writer, the text form (assembler and disassembler) and `hvkit dump` all walk
 * this table, so a new record type is one row in records.c and nothing else. */
#ifndef HVS_RECORDS_H
#define HVS_RECORDS_H

#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest RAM bounds of the header: at least one page, at most 16 GiB (4 Mi pages). The core reserves RAM
 * and backs it lazily (the EPT issue), so configured RAM costs the replay nothing: what the replay backs is
 * bounded by the quota (a config-quota record), see replay.c. */
#define HVS_MAX_MEMORY_PAGES (1u << 22)
/* Bytes of a header before the profile name: version, magic "HVS", profile length. */
#define HVS_HEADER_PREFIX 5u
/* Bytes of a header after the profile name: memory pages u32, guest mode u8, entry u64, stack u64. */
#define HVS_HEADER_SUFFIX 21u
/* Bytes of a record before its payload: type u8, payload length u16. */
#define HVS_RECORD_PREFIX 3u
/* Largest valid file: the biggest header and HVS_MAX_RECORDS of the biggest record (a full SET_MEM). */
#define HVS_MAX_FILE_BYTES                                                                                   \
    ((size_t)HVS_HEADER_PREFIX + HVS_PROFILE_MAX + HVS_HEADER_SUFFIX +                                       \
     (size_t)HVS_MAX_RECORDS * (HVS_RECORD_PREFIX + 8u + HVS_MAX_MEM_BYTES))

/* What values a field may hold beyond fitting its width (checked by the parser and the assembler). */
enum hvs_field_kind {
    HVS_FK_NUM,        /* any value of its width */
    HVS_FK_PORT_SIZE,  /* 1, 2 or 4 bytes */
    HVS_FK_GPR,        /* 0-15: RAX..R15 in the SDM's encoding order */
    HVS_FK_REG,        /* 0-17: GPRs, then RIP, RFLAGS (enum hvs_reg) */
    HVS_FK_CR,         /* 0, 3, 4 or 8 */
    HVS_FK_BOOL,       /* 0 or 1 */
    HVS_FK_EXC_VECTOR, /* 0-31: the exception vectors */
    HVS_FK_VMX_EXIT,   /* a VMX-instruction basic exit reason: 19-27, 50, 53, 59 */
    HVS_FK_INSN,       /* enum sim_insn */
    HVS_FK_VMX_STATUS, /* 1 VMfailInvalid, 2 VMfailValid */
    HVS_FK_ACCESS,     /* 1 read, 2 write, 4 fetch */
    HVS_FK_MEM_SIZE,   /* 1, 2, 4 or 8 bytes */
    HVS_FK_INSTR_LEN,  /* 1-15: an x86 instruction's length */
    HVS_FK_QUOTA,      /* 1 .. HVS_MAX_MEMORY_PAGES pages */
    HVS_FK_REGION_KIND,/* 2 mmio (misconfiguration), 3 mmio-np (not present) */
    HVS_FK_DEVICES,    /* HV_DEV_* bits (hv/vm.h): 0 .. 0x3f */
    HVS_FK_FB_DIM,     /* framebuffer width / height: 0 .. 4096 (0 only without the fb device) */
};

struct hvs_field {
    const char *name; /* as in the text form and in `hvkit dump` */
    uint8_t width;    /* bytes in the payload: 1, 2, 4 or 8 */
    uint8_t kind;     /* enum hvs_field_kind */
};

#define HVS_MAX_FIELDS 5

struct hvs_record_desc {
    uint8_t type;      /* enum hvs_record_type */
    const char *name;  /* text-form name */
    uint8_t nfields;   /* fields map, in order, onto hvs_record.a, .b, .c, .d, .e */
    struct hvs_field fields[HVS_MAX_FIELDS];
    bool has_bytes;    /* a variable byte string (0..HVS_MAX_MEM_BYTES) follows the fields: SET_MEM */
};

/* The row of a type, or NULL for a type the table does not know. */
const struct hvs_record_desc *hvs_record_desc(uint8_t type);
/* The row named name[0..len), or NULL. */
const struct hvs_record_desc *hvs_record_desc_by_name(const char *name, size_t len);
/* The rows, for listings (hvkit asm --help, tests). */
const struct hvs_record_desc *hvs_record_table(size_t *count);

/* Payload bytes of the fixed fields. */
size_t hvs_record_fixed_len(const struct hvs_record_desc *d);
/* Field i (0-4) of a record: &r->a ... &r->e. */
uint64_t *hvs_record_field(struct hvs_record *r, unsigned i);
uint64_t hvs_record_field_get(const struct hvs_record *r, unsigned i);

/* Whether v is a legal value of f; on failure writes the reason ("port size 3 (must be 1, 2 or 4)"). */
bool hvs_field_check(const struct hvs_field *f, uint64_t v, char *why, size_t whylen);
/* The symbolic name of v for the text form ("rax", "vmresume", "valid"), or NULL when f has none. */
const char *hvs_field_symbol(const struct hvs_field *f, uint64_t v);
/* Parse a symbolic name of f; false when f has no symbol name[0..len). */
bool hvs_field_parse_symbol(const struct hvs_field *f, const char *name, size_t len, uint64_t *v);

/* Header checks shared by the parser and the assembler; each writes the reason on failure. */
bool hvs_profile_name_ok(const char *name, size_t len, char *why, size_t whylen);
bool hvs_memory_pages_ok(uint64_t pages, char *why, size_t whylen);
bool hvs_guest_mode_ok(uint64_t mode, char *why, size_t whylen);
const char *hvs_guest_mode_name(uint8_t mode); /* "program64", "real", or NULL */

/* The size hvs_write gives a record / the header (for offsets in listings). */
size_t hvs_record_size(const struct hvs_record *r);
size_t hvs_header_size(const struct hvs_header *h);
/* Length of the header's profile name (at most HVS_PROFILE_MAX; C11 has no strnlen). */
size_t hvs_profile_len(const struct hvs_header *h);

/* Every check the parser makes, on a scenario built in memory (the assembler, tests, fuzz mutators): 0 when
 * hvs_write(s) would parse back to s; else -1 with "record K: reason" or "header: reason". */
int hvs_validate(const struct hvs_scenario *s, char *err, size_t errlen);

#endif
