/* The record table of scenario format v1 (docs/scenario-format.md) and the value checks of its fields.
 * Everything that reads or writes scenarios walks this table; adding a record type is adding one row. */
#include "records.h"

#include "sim_machine.h"

#include <stdio.h>
#include <string.h>

#define F(n, w, k) {n, w, HVS_FK_##k}

static const struct hvs_record_desc table[] = {
    /* semantic events */
    {HVS_CPUID, "cpuid", 2, {F("eax", 4, NUM), F("ecx", 4, NUM)}, false},
    {HVS_PORT_OUT, "port-out", 3, {F("port", 2, NUM), F("size", 1, PORT_SIZE), F("value", 4, NUM)}, false},
    {HVS_PORT_IN, "port-in", 2, {F("port", 2, NUM), F("size", 1, PORT_SIZE)}, false},
    {HVS_RDMSR, "rdmsr", 1, {F("msr", 4, NUM)}, false},
    {HVS_WRMSR, "wrmsr", 2, {F("msr", 4, NUM), F("value", 8, NUM)}, false},
    {HVS_VMCALL, "vmcall", 5,
     {F("rax", 8, NUM), F("rbx", 8, NUM), F("rcx", 8, NUM), F("rdx", 8, NUM), F("rsi", 8, NUM)}, false},
    {HVS_HLT, "hlt", 0, {{0}}, false},
    {HVS_EXT_INTERRUPT, "ext-interrupt", 1, {F("vector", 1, NUM)}, false},
    {HVS_MOV_TO_CR, "mov-to-cr", 3, {F("cr", 1, CR), F("gpr", 1, GPR), F("value", 8, NUM)}, false},
    {HVS_MOV_FROM_CR, "mov-from-cr", 2, {F("cr", 1, CR), F("gpr", 1, GPR)}, false},
    {HVS_CLTS, "clts", 0, {{0}}, false},
    {HVS_LMSW, "lmsw", 1, {F("value", 2, NUM)}, false},
    {HVS_XSETBV, "xsetbv", 2, {F("ecx", 4, NUM), F("value", 8, NUM)}, false},
    {HVS_INVD, "invd", 0, {{0}}, false},
    {HVS_WBINVD, "wbinvd", 0, {{0}}, false},
    {HVS_RDTSC, "rdtsc", 0, {{0}}, false},
    {HVS_RDTSCP, "rdtscp", 0, {{0}}, false},
    {HVS_VMX_INSN, "vmx-insn", 1, {F("exit", 2, VMX_EXIT)}, false},
    {HVS_EXCEPTION, "exception", 3, {F("vector", 1, EXC_VECTOR), F("has_error", 1, BOOL), F("error", 4, NUM)},
     false},
    {HVS_TRIPLE_FAULT, "triple-fault", 0, {{0}}, false},
    {HVS_PREEMPTION_TIMER, "preemption-timer", 0, {{0}}, false},
    {HVS_NMI, "nmi", 0, {{0}}, false},
    {HVS_MEM_ACCESS, "mem-access", 5,
     {F("gpa", 8, NUM), F("access", 1, ACCESS), F("size", 1, MEM_SIZE), F("value", 8, NUM),
      F("instr_len", 1, INSTR_LEN)},
     false},
    {HVS_MEM_INSN, "mem-insn", 3, {F("gpa", 8, NUM), F("access", 1, ACCESS), F("value", 8, NUM)}, true},
    /* host events */
    {HVS_KEY, "key", 2, {F("code", 1, NUM), F("ascii", 1, BOOL)}, false},
    {HVS_SERIAL_IN, "serial-in", 1, {F("byte", 1, NUM)}, false},
    {HVS_WAIT, "wait", 1, {F("ns", 8, NUM)}, false},
    {HVS_HOST_MSG, "host-msg", 0, {{0}}, true},
    /* raw events */
    {HVS_SET_GPR, "set-gpr", 2, {F("reg", 1, REG), F("value", 8, NUM)}, false},
    {HVS_SET_MEM, "set-mem", 1, {F("gpa", 8, NUM)}, true},
    {HVS_FORCE_EXIT, "force-exit", 4,
     {F("reason", 4, NUM), F("qualification", 8, NUM), F("instr_len", 4, NUM), F("instr_info", 4, NUM)}, false},
    {HVS_FAIL_ALLOC, "fail-alloc", 1, {F("after", 4, NUM)}, false},
    {HVS_FAIL_VMX, "fail-vmx", 3, {F("insn", 1, INSN), F("status", 1, VMX_STATUS), F("error", 4, NUM)}, false},
    {HVS_CONFIG_QUOTA, "config-quota", 1, {F("pages", 4, QUOTA)}, false},
    {HVS_CONFIG_DEVICES, "config-devices", 4,
     {F("devices", 1, DEVICES), F("fb_gpa", 8, NUM), F("fb_width", 2, FB_DIM), F("fb_height", 2, FB_DIM)}, false},
    {HVS_MMIO_REGION, "mmio-region", 3, {F("gpa", 8, NUM), F("size", 8, NUM), F("kind", 1, REGION_KIND)}, false},
};

const struct hvs_record_desc *hvs_record_desc(uint8_t type)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].type == type)
            return &table[i];
    return NULL;
}

const struct hvs_record_desc *hvs_record_desc_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
            return &table[i];
    return NULL;
}

const struct hvs_record_desc *hvs_record_table(size_t *count)
{
    *count = sizeof table / sizeof table[0];
    return table;
}

const char *hvs_record_name(uint8_t type)
{
    const struct hvs_record_desc *d = hvs_record_desc(type);
    return d ? d->name : NULL;
}

bool hvs_is_setup_record(uint8_t type)
{
    return type == HVS_CONFIG_QUOTA || type == HVS_CONFIG_DEVICES || type == HVS_FAIL_ALLOC || type == HVS_FAIL_VMX;
}

size_t hvs_record_fixed_len(const struct hvs_record_desc *d)
{
    size_t n = 0;
    for (unsigned i = 0; i < d->nfields; i++)
        n += d->fields[i].width;
    return n;
}

uint64_t *hvs_record_field(struct hvs_record *r, unsigned i)
{
    uint64_t *const f[HVS_MAX_FIELDS] = {&r->a, &r->b, &r->c, &r->d, &r->e};
    return f[i < HVS_MAX_FIELDS ? i : 0];
}

uint64_t hvs_record_field_get(const struct hvs_record *r, unsigned i)
{
    const uint64_t v[HVS_MAX_FIELDS] = {r->a, r->b, r->c, r->d, r->e};
    return i < HVS_MAX_FIELDS ? v[i] : 0;
}

/* Symbol tables of the text form. */
static const char *const reg_names[HVS_REG_COUNT] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8",  "r9",
    "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags",
};

/* Lower-case names of enum sim_insn, in its order (harness/sim/sim_machine.h). */
static const char *const insn_names[] = {
    "any",     "vmxon",    "vmxoff", "vmclear", "vmptrld", "vmptrst", "vmread",
    "vmwrite", "vmlaunch", "vmresume", "invept", "invvpid", "mov-cr",  "wrmsr",
};
_Static_assert(sizeof insn_names / sizeof insn_names[0] == SIM_INSN_COUNT, "insn_names follows enum sim_insn");

/* The VMX-instruction basic exit reasons (SDM Vol. 3 Appendix C, Table C-1). */
static const struct {
    uint16_t reason;
    const char *name;
} vmx_exits[] = {
    {19, "vmclear"}, {20, "vmlaunch"}, {21, "vmptrld"}, {22, "vmptrst"}, {23, "vmread"}, {24, "vmresume"},
    {25, "vmwrite"}, {26, "vmxoff"},   {27, "vmxon"},   {50, "invept"},  {53, "invvpid"}, {59, "vmfunc"},
};

/* VM-instruction outcomes (SDM Vol. 3 §31.2): VMfailInvalid, VMfailValid. */
static const char *const status_names[3] = {NULL, "invalid", "valid"};

/* mem-access types (the bits of the EPT-violation qualification, SDM Vol. 3 §28.2.1 Table 28-7). */
static const char *const access_names[5] = {NULL, "read", "write", NULL, "fetch"};

/* mmio-region kinds: enum hv_region_type's MMIO values (hv/vm.h). */
static const char *const region_kind_names[4] = {NULL, NULL, "mmio", "mmio-np"};

static bool fits(uint64_t v, unsigned width)
{
    return width >= 8 || v >> (8 * width) == 0;
}

bool hvs_field_check(const struct hvs_field *f, uint64_t v, char *why, size_t whylen)
{
    if (!fits(v, f->width)) {
        snprintf(why, whylen, "%s 0x%llx does not fit in %u byte%s", f->name, (unsigned long long)v, f->width,
                 f->width == 1 ? "" : "s");
        return false;
    }
    switch (f->kind) {
    case HVS_FK_PORT_SIZE:
        if (v == 1 || v == 2 || v == 4)
            return true;
        snprintf(why, whylen, "port size %llu (must be 1, 2 or 4)", (unsigned long long)v);
        return false;
    case HVS_FK_GPR:
        if (v < 16)
            return true;
        snprintf(why, whylen, "register number %llu out of range (0-15)", (unsigned long long)v);
        return false;
    case HVS_FK_REG:
        if (v < HVS_REG_COUNT)
            return true;
        snprintf(why, whylen, "register number %llu out of range (0-%d)", (unsigned long long)v,
                 HVS_REG_COUNT - 1);
        return false;
    case HVS_FK_CR:
        if (v == 0 || v == 3 || v == 4 || v == 8)
            return true;
        snprintf(why, whylen, "control register %llu (must be 0, 3, 4 or 8)", (unsigned long long)v);
        return false;
    case HVS_FK_BOOL:
        if (v <= 1)
            return true;
        snprintf(why, whylen, "%s %llu (must be 0 or 1)", f->name, (unsigned long long)v);
        return false;
    case HVS_FK_EXC_VECTOR:
        if (v < 32)
            return true;
        snprintf(why, whylen, "exception vector %llu out of range (0-31)", (unsigned long long)v);
        return false;
    case HVS_FK_VMX_EXIT:
        if (hvs_field_symbol(f, v))
            return true;
        snprintf(why, whylen, "exit %llu is not a VMX-instruction exit reason (19-27, 50, 53, 59)",
                 (unsigned long long)v);
        return false;
    case HVS_FK_INSN:
        if (v < SIM_INSN_COUNT)
            return true;
        snprintf(why, whylen, "VMX instruction %llu unknown (0-%d)", (unsigned long long)v, SIM_INSN_COUNT - 1);
        return false;
    case HVS_FK_VMX_STATUS:
        if (v == 1 || v == 2)
            return true;
        snprintf(why, whylen, "status %llu (must be 1 VMfailInvalid or 2 VMfailValid)", (unsigned long long)v);
        return false;
    case HVS_FK_ACCESS:
        if (v == 1 || v == 2 || v == 4)
            return true;
        snprintf(why, whylen, "access %llu (must be 1 read, 2 write or 4 fetch)", (unsigned long long)v);
        return false;
    case HVS_FK_MEM_SIZE:
        if (v == 1 || v == 2 || v == 4 || v == 8)
            return true;
        snprintf(why, whylen, "access size %llu (must be 1, 2, 4 or 8)", (unsigned long long)v);
        return false;
    case HVS_FK_INSTR_LEN:
        if (v >= 1 && v <= 15) /* SDM Vol. 2 §2.3.11: an instruction is at most 15 bytes */
            return true;
        snprintf(why, whylen, "instruction length %llu out of range (1-15)", (unsigned long long)v);
        return false;
    case HVS_FK_QUOTA:
        if (v >= 1 && v <= HVS_MAX_MEMORY_PAGES)
            return true;
        snprintf(why, whylen, "quota of %llu pages out of range (1-%u)", (unsigned long long)v, HVS_MAX_MEMORY_PAGES);
        return false;
    case HVS_FK_REGION_KIND:
        if (v == 2 || v == 3)
            return true;
        snprintf(why, whylen, "region kind %llu (must be 2 mmio or 3 mmio-np)", (unsigned long long)v);
        return false;
    case HVS_FK_DEVICES:
        if (v <= 0x3f)
            return true;
        snprintf(why, whylen, "devices 0x%llx (HV_DEV_* bits: 0x01 uart, 0x02 pic, 0x04 pit, 0x08 kbd, 0x10 fb, "
                 "0x20 ipc)", (unsigned long long)v);
        return false;
    case HVS_FK_FB_DIM:
        if (v <= 4096)
            return true;
        snprintf(why, whylen, "%s %llu out of range (0-4096)", f->name, (unsigned long long)v);
        return false;
    default:
        return true;
    }
}

const char *hvs_field_symbol(const struct hvs_field *f, uint64_t v)
{
    switch (f->kind) {
    case HVS_FK_GPR:
        return v < 16 ? reg_names[v] : NULL;
    case HVS_FK_REG:
        return v < HVS_REG_COUNT ? reg_names[v] : NULL;
    case HVS_FK_INSN:
        return v < SIM_INSN_COUNT ? insn_names[v] : NULL;
    case HVS_FK_VMX_STATUS:
        return v < 3 ? status_names[v] : NULL;
    case HVS_FK_ACCESS:
        return v < 5 ? access_names[v] : NULL;
    case HVS_FK_REGION_KIND:
        return v < 4 ? region_kind_names[v] : NULL;
    case HVS_FK_VMX_EXIT:
        for (size_t i = 0; i < sizeof vmx_exits / sizeof vmx_exits[0]; i++)
            if (vmx_exits[i].reason == v)
                return vmx_exits[i].name;
        return NULL;
    default:
        return NULL;
    }
}

bool hvs_field_parse_symbol(const struct hvs_field *f, const char *name, size_t len, uint64_t *v)
{
    /* Every symbol maps to a small number; try them all through hvs_field_symbol so the two directions
     * cannot disagree. */
    for (uint64_t i = 0; i < 64; i++) {
        const char *s = hvs_field_symbol(f, i);
        if (s && strlen(s) == len && memcmp(s, name, len) == 0) {
            *v = i;
            return true;
        }
    }
    return false;
}

bool hvs_profile_name_ok(const char *name, size_t len, char *why, size_t whylen)
{
    if (len == 0) {
        snprintf(why, whylen, "profile name is empty");
        return false;
    }
    if (len > HVS_PROFILE_MAX) {
        snprintf(why, whylen, "profile name of %zu bytes is too long (at most %d)", len, HVS_PROFILE_MAX);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x21 || c > 0x7e) {
            snprintf(why, whylen, "profile name byte %zu is 0x%02x, not printable ASCII", i, c);
            return false;
        }
        /* '#' starts a comment in the text form, so a name holding it could not be written there (found by
         * fuzz_scenario: disassembled text that hvs_asm rejected). */
        if (c == '#') {
            snprintf(why, whylen, "profile name byte %zu is '#', which the text form reserves for comments", i);
            return false;
        }
    }
    return true;
}

bool hvs_memory_pages_ok(uint64_t pages, char *why, size_t whylen)
{
    if (pages >= 1 && pages <= HVS_MAX_MEMORY_PAGES)
        return true;
    snprintf(why, whylen, "memory pages %llu out of range (1-%u)", (unsigned long long)pages,
             HVS_MAX_MEMORY_PAGES);
    return false;
}

const char *hvs_guest_mode_name(uint8_t mode)
{
    return mode == HVS_MODE_PROGRAM64 ? "program64" : mode == HVS_MODE_REAL ? "real" : NULL;
}

bool hvs_guest_mode_ok(uint64_t mode, char *why, size_t whylen)
{
    if (mode <= 0xff && hvs_guest_mode_name((uint8_t)mode))
        return true;
    snprintf(why, whylen, "guest mode %llu unknown (0 program64, 1 real)", (unsigned long long)mode);
    return false;
}

size_t hvs_record_size(const struct hvs_record *r)
{
    const struct hvs_record_desc *d = hvs_record_desc(r->type);
    size_t n = d ? hvs_record_fixed_len(d) : 0;
    if (d && d->has_bytes)
        n += r->nbytes;
    return HVS_RECORD_PREFIX + n;
}

size_t hvs_profile_len(const struct hvs_header *h)
{
    size_t n = 0;
    while (n < HVS_PROFILE_MAX && h->profile[n])
        n++;
    return n;
}

size_t hvs_header_size(const struct hvs_header *h)
{
    return HVS_HEADER_PREFIX + hvs_profile_len(h) + HVS_HEADER_SUFFIX;
}

int hvs_validate(const struct hvs_scenario *s, char *err, size_t errlen)
{
    char why[160];
    const struct hvs_header *h = &s->header;
    if (h->version != HVS_VERSION) {
        snprintf(err, errlen, "header: version %u not supported (this hvkit writes version %d)", h->version,
                 HVS_VERSION);
        return -1;
    }
    if (!hvs_profile_name_ok(h->profile, hvs_profile_len(h), why, sizeof why) ||
        !hvs_memory_pages_ok(h->memory_pages, why, sizeof why) || !hvs_guest_mode_ok(h->guest_mode, why, sizeof why)) {
        snprintf(err, errlen, "header: %s", why);
        return -1;
    }
    if (s->nrecords > HVS_MAX_RECORDS) {
        snprintf(err, errlen, "%zu records (at most %d)", s->nrecords, HVS_MAX_RECORDS);
        return -1;
    }
    for (size_t k = 0; k < s->nrecords; k++) {
        const struct hvs_record *r = &s->records[k];
        const struct hvs_record_desc *d = hvs_record_desc(r->type);
        if (!d) {
            snprintf(err, errlen, "record %zu: unknown record type 0x%02x", k, r->type);
            return -1;
        }
        for (unsigned i = 0; i < HVS_MAX_FIELDS; i++) {
            uint64_t v = hvs_record_field_get(r, i);
            if (i < d->nfields ? !hvs_field_check(&d->fields[i], v, why, sizeof why) : v != 0) {
                if (i >= d->nfields)
                    snprintf(why, sizeof why, "%s has %u fields, value 0x%llx in field %u", d->name, d->nfields,
                             (unsigned long long)v, i);
                snprintf(err, errlen, "record %zu (%s): %s", k, d->name, why);
                return -1;
            }
        }
        if (d->has_bytes ? (r->nbytes > HVS_MAX_MEM_BYTES || (r->nbytes && !r->bytes)) : r->nbytes != 0) {
            if (d->has_bytes)
                snprintf(err, errlen, "record %zu (%s): %zu bytes (at most %d)", k, d->name, r->nbytes,
                         HVS_MAX_MEM_BYTES);
            else
                snprintf(err, errlen, "record %zu (%s): %zu bytes (takes none)", k, d->name, r->nbytes);
            return -1;
        }
    }
    return 0;
}
