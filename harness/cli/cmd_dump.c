/* hvkit dump FILE: a scenario as JSON lines — one object for the header, then one per record with its byte
 * offset, type and named fields (docs/scenario-format.md, "hvkit dump"). Names come from the record table,
 * so the dump follows the format without a list of its own; hvscapy's dissection is compared against it. */
#include "cli.h"
#include "json.h"
#include "records.h"
#include "scenario.h"

#include <stdio.h>
#include <string.h>

static void dump(const struct hvs_scenario *s)
{
    const struct hvs_header *h = &s->header;
    const char *mode = hvs_guest_mode_name(h->guest_mode);
    printf("{\"offset\":0,\"kind\":\"header\",\"length\":%zu,\"version\":%u,\"magic\":\"HVS\",\"profile\":",
           hvs_header_size(h), h->version);
    json_print_string(stdout, h->profile);
    printf(",\"memory_pages\":%u,\"guest_mode\":%u,\"guest_mode_name\":\"%s\",\"entry\":%llu,\"stack\":%llu,"
           "\"records\":%zu}\n",
           h->memory_pages, h->guest_mode, mode ? mode : "?", (unsigned long long)h->entry,
           (unsigned long long)h->stack, s->nrecords);
    size_t off = hvs_header_size(h);
    for (size_t k = 0; k < s->nrecords; k++) {
        const struct hvs_record *r = &s->records[k];
        const struct hvs_record_desc *d = hvs_record_desc(r->type);
        size_t size = hvs_record_size(r);
        printf("{\"offset\":%zu,\"kind\":\"record\",\"index\":%zu,\"type\":%u,\"name\":\"%s\",\"length\":%zu,"
               "\"fields\":{",
               off, k, r->type, d ? d->name : "?", size - HVS_RECORD_PREFIX);
        for (unsigned i = 0; d && i < d->nfields; i++)
            printf("%s\"%s\":%llu", i ? "," : "", d->fields[i].name,
                   (unsigned long long)hvs_record_field_get(r, i));
        if (d && d->has_bytes) {
            printf("%s\"bytes\":\"", d->nfields ? "," : "");
            for (size_t i = 0; i < r->nbytes; i++)
                printf("%02x", r->bytes[i]);
            printf("\"");
        }
        printf("}}\n");
        off += size;
    }
}

int cmd_dump(int argc, char **argv)
{
    if (argc != 1 || (argv[0][0] == '-' && argv[0][1]))
        cli_bad_input("dump", "usage: hvkit dump FILE (.hvs, or text .hvt/.txt; - is stdin)");
    struct hvs_scenario s;
    cli_load_scenario(argv[0], &s);
    dump(&s);
    hvs_free(&s);
    return HVKIT_EXIT_OK;
}
