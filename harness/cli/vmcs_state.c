/* Reading and writing hvkit's VMCS-state JSON (vmcs_state.h). */
#include "vmcs_state.h"

#include "cli.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "0x..." -> value; false when not a hex string of at most 16 digits. */
static bool parse_hex(const char *s, uint64_t *out)
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
        return false;
    uint64_t v = 0;
    size_t digits = 0;
    for (const char *q = s + 2; *q; q++) {
        int h;
        if (*q >= '0' && *q <= '9')
            h = *q - '0';
        else if (*q >= 'a' && *q <= 'f')
            h = *q - 'a' + 10;
        else if (*q >= 'A' && *q <= 'F')
            h = *q - 'A' + 10;
        else
            return false;
        if (v == 0 && h == 0)
            continue; /* leading zeros do not count towards the width */
        if (++digits > 16)
            return false;
        v = v << 4 | (uint64_t)h;
    }
    *out = v;
    return true;
}

static uint8_t *page_for(struct vmcs_state *st, const char *where, uint64_t pa, size_t at)
{
    uint64_t base = pa & ~0xfffull;
    for (size_t i = 0; i < st->npages; i++)
        if (st->page_pa[i] == base)
            return st->page[i];
    if (st->npages == VMCS_STATE_MAX_PAGES)
        cli_bad_input(where, "byte %zu: memory: more than %d distinct pages", at, VMCS_STATE_MAX_PAGES);
    if (!st->page) {
        st->page = calloc(VMCS_STATE_MAX_PAGES, 4096);
        if (!st->page)
            cli_bad_input(where, "out of memory");
    }
    st->page_pa[st->npages] = base;
    return st->page[st->npages++];
}

static void parse_fields(struct vmcs_state *st, const char *where, const struct json_value *fields)
{
    bool seen[HV_VMCS_FIELD_COUNT][2] = {{false}};
    for (size_t i = 0; i < fields->count; i++) {
        const char *key = fields->keys[i];
        size_t at = fields->key_offsets[i];
        uint64_t enc, value;
        if (!parse_hex(key, &enc) || enc > 0xffffffffu)
            cli_bad_input(where, "byte %zu: fields: key \"%s\" is not a hex VMCS encoding like \"0x4000\"", at, key);
        int high = 0;
        int ord = hv_vmcs_field_lookup((uint32_t)enc, &high);
        if (ord < 0)
            cli_bad_input(where, "byte %zu: fields: unknown VMCS field encoding %s (SDM Vol. 3 Appendix B)", at, key);
        const struct hv_vmcs_field *fd = &hv_vmcs_field_table[ord];
        if (!sim_profile_has_vmcs_field(st->prof, ord))
            cli_bad_input(where, "byte %zu: fields: %s (%s) does not exist on profile %s (VMWRITE would fail with "
                          "error 12)", at, key, fd->name, st->prof->name);
        if (seen[ord][high])
            cli_bad_input(where, "byte %zu: fields: %s (%s) given twice", at, key, fd->name);
        seen[ord][high] = true;
        const struct json_value *v = fields->items[i];
        if (v->type != JSON_STRING || !parse_hex(v->str, &value))
            cli_bad_input(where, "byte %zu: fields: value of %s (%s) must be a hex string like \"0x1f\"", v->offset,
                          key, fd->name);
        unsigned bits = high ? 32 : hv_vmcs_width_bits(fd->width);
        if (bits < 64 && (value >> bits))
            cli_bad_input(where, "byte %zu: fields: value %s is too wide for %u-bit field %s (%s)", v->offset, v->str,
                          bits, key, fd->name);
        if (high)
            st->f[ord] = (st->f[ord] & 0xffffffffull) | (value << 32);
        else if (fd->width == HV_VMCS_W64 && seen[ord][1])
            st->f[ord] = (st->f[ord] & ~0xffffffffull) | (value & 0xffffffffull); /* full after high: keep high */
        else
            st->f[ord] = value;
    }
}

static void parse_memory(struct vmcs_state *st, const char *where, const struct json_value *mem)
{
    for (size_t i = 0; i < mem->count; i++) {
        uint64_t pa;
        size_t at = mem->key_offsets[i];
        if (!parse_hex(mem->keys[i], &pa) || pa >= (1ull << 52))
            cli_bad_input(where, "byte %zu: memory: key \"%s\" is not a hex physical address below 2^52", at,
                          mem->keys[i]);
        const struct json_value *v = mem->items[i];
        if (v->type != JSON_STRING || v->str_len % 2)
            cli_bad_input(where, "byte %zu: memory: value at %s must be a string of hex byte pairs", v->offset,
                          mem->keys[i]);
        for (size_t b = 0; b < v->str_len / 2; b++) {
            char pair[3] = {v->str[2 * b], v->str[2 * b + 1], 0};
            char *end;
            unsigned long byte = strtoul(pair, &end, 16);
            if (*end || pair[0] == '-' || pair[0] == '+' || pair[0] == ' ')
                cli_bad_input(where, "byte %zu: memory: \"%s\" at %s is not a hex byte", v->offset + 1 + 2 * b, pair,
                              mem->keys[i]);
            uint64_t a = pa + b;
            page_for(st, where, a, at)[a & 0xfff] = (uint8_t)byte;
        }
    }
}

void vmcs_state_parse(struct vmcs_state *st, const char *where, const char *text, size_t len)
{
    memset(st, 0, sizeof *st);
    char err[256];
    struct json_value *root = json_parse(text, len, err, sizeof err);
    if (!root)
        cli_bad_input(where, "%s", err);
    if (root->type != JSON_OBJECT)
        cli_bad_input(where, "byte %zu: expected a JSON object", root->offset);
    for (size_t i = 0; i < root->count; i++)
        if (strcmp(root->keys[i], "profile") && strcmp(root->keys[i], "fields") && strcmp(root->keys[i], "memory"))
            cli_bad_input(where, "byte %zu: unknown key \"%s\" (expected profile, fields, memory)",
                          root->key_offsets[i], root->keys[i]);
    const struct json_value *prof = json_get(root, "profile");
    if (!prof || prof->type != JSON_STRING)
        cli_bad_input(where, "byte %zu: \"profile\" must be given as a string (see hvkit profiles)",
                      prof ? prof->offset : 0);
    st->prof = sim_profile_find(prof->str);
    if (!st->prof)
        cli_bad_input(where, "byte %zu: unknown profile \"%s\" (see hvkit profiles)", prof->offset, prof->str);
    const struct json_value *fields = json_get(root, "fields");
    if (fields && fields->type != JSON_OBJECT)
        cli_bad_input(where, "byte %zu: \"fields\" must be an object", fields->offset);
    if (fields)
        parse_fields(st, where, fields);
    const struct json_value *mem = json_get(root, "memory");
    if (mem && mem->type != JSON_OBJECT)
        cli_bad_input(where, "byte %zu: \"memory\" must be an object", mem->offset);
    if (mem)
        parse_memory(st, where, mem);
    json_free(root);
}

void vmcs_state_free(struct vmcs_state *st)
{
    free(st->page);
    st->page = NULL;
}

static bool state_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
    struct vmcs_state *st = opaque;
    uint8_t *d = buf;
    for (size_t i = 0; i < len; i++) {
        uint64_t a = pa + i;
        size_t p = 0;
        while (p < st->npages && st->page_pa[p] != (a & ~0xfffull))
            p++;
        if (p == st->npages)
            return false;
        d[i] = st->page[p][a & 0xfff];
    }
    return true;
}

struct ec_memory vmcs_state_memory(struct vmcs_state *st)
{
    return (struct ec_memory){.read = state_read, .opaque = st};
}

void vmcs_state_print(const struct sim_profile *p, const uint64_t f[HV_VMCS_FIELD_COUNT])
{
    printf("{\"profile\":");
    json_print_string(stdout, p->name);
    printf(",\"fields\":{");
    int first = 1;
    for (int i = 0; i < HV_VMCS_FIELD_COUNT; i++) {
        const struct hv_vmcs_field *fd = &hv_vmcs_field_table[i];
        /* VM-exit information fields are outputs of the processor, not part of the state software sets. */
        if (fd->type == HV_VMCS_TRO || !sim_profile_has_vmcs_field(p, i))
            continue;
        printf("%s\n  \"0x%04x\":\"0x%llx\"", first ? "" : ",", fd->encoding, (unsigned long long)f[i]);
        first = 0;
    }
    printf("\n}}\n");
}
