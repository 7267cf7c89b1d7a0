/* The scenario writer (docs/scenario-format.md): the exact inverse of hvs_parse for every scenario
 * hvs_validate accepts, so write(parse(bytes)) == bytes and parse(write(s)) == s. */
#include "records.h"

#include <stdlib.h>
#include <string.h>

static uint8_t *put(uint8_t *p, uint64_t v, unsigned width)
{
    for (unsigned i = 0; i < width; i++, v >>= 8)
        *p++ = (uint8_t)v;
    return p;
}

uint8_t *hvs_write(const struct hvs_scenario *s, size_t *len)
{
    const struct hvs_header *h = &s->header;
    size_t plen = hvs_profile_len(h);
    size_t total = hvs_header_size(h);
    for (size_t k = 0; k < s->nrecords; k++)
        total += hvs_record_size(&s->records[k]);
    uint8_t *buf = malloc(total ? total : 1), *p = buf;
    if (!buf)
        return NULL;
    p = put(p, HVS_VERSION, 1);
    memcpy(p, "HVS", 3);
    p += 3;
    p = put(p, plen, 1);
    memcpy(p, h->profile, plen);
    p += plen;
    p = put(p, h->memory_pages, 4);
    p = put(p, h->guest_mode, 1);
    p = put(p, h->entry, 8);
    p = put(p, h->stack, 8);
    for (size_t k = 0; k < s->nrecords; k++) {
        const struct hvs_record *r = &s->records[k];
        const struct hvs_record_desc *d = hvs_record_desc(r->type);
        size_t payload = hvs_record_size(r) - HVS_RECORD_PREFIX;
        p = put(p, r->type, 1);
        p = put(p, payload, 2);
        if (!d)
            continue; /* an unknown type is written empty; hvs_validate reports it */
        for (unsigned i = 0; i < d->nfields; i++)
            p = put(p, hvs_record_field_get(r, i), d->fields[i].width);
        if (d->has_bytes && r->nbytes) {
            if (r->bytes)
                memcpy(p, r->bytes, r->nbytes);
            else
                memset(p, 0, r->nbytes); /* hvs_validate reports it; never read through NULL */
            p += r->nbytes;
        }
    }
    *len = (size_t)(p - buf);
    return buf;
}
