/* fuzz_exits: bytes -> a scenario (hvs_parse; unparseable inputs are uninteresting and return 0) replayed
 * through the real core on the sim under every oracle of the replay engine: VM-entry checks before each
 * entry, RIP discipline, liveness (bounded work per exit), no VMX-instruction faults, page balance after
 * destroy, EPT (oracle 4) and the device invariants. An oracle finding aborts.
 *
 * Bounded per input, whatever the header says: the records to FZ_EXITS_MAX_RECORDS, and what the core may
 * back to FZ_EXITS_MAX_BACKED pages — a leading config-quota record above it is lowered, and a scenario
 * without one gets one — so that one input costs at most a few milliseconds. The configured guest memory
 * itself is left as the input gives it (up to the core's 1 TiB): a 1 GiB VM costs no more than a 4 MiB one,
 * because RAM is reserved, not backed, and the replay reuses one machine (fuzz_common.h). */
#include "fuzz_common.h"

#define FZ_EXITS_MAX_BACKED 4096u /* 16 MiB of guest RAM backed at most */
#define FZ_EXITS_MAX_RECORDS 1024u

/* Lower every leading config-quota record to the bound; true when there was one. */
static bool clamp_quota(struct hvs_scenario *s)
{
    bool found = false;
    for (size_t i = 0; i < s->nrecords; i++) {
        struct hvs_record *r = &s->records[i];
        if (!hvs_is_setup_record(r->type))
            break; /* the leading records configure the VM */
        if (r->type == HVS_CONFIG_QUOTA) {
            found = true;
            if (r->a == 0 || r->a > FZ_EXITS_MAX_BACKED)
                r->a = FZ_EXITS_MAX_BACKED;
        }
    }
    return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hvs_scenario s;
    char err[128];
    if (hvs_parse(&s, data, size, err, sizeof err) != 0)
        return 0;
    size_t n = s.nrecords;
    struct hvs_record *records = s.records;
    if (s.nrecords > FZ_EXITS_MAX_RECORDS)
        s.nrecords = FZ_EXITS_MAX_RECORDS;
    struct hvs_record *with_quota = NULL;
    if (!clamp_quota(&s) && s.header.memory_pages > FZ_EXITS_MAX_BACKED) {
        with_quota = malloc((s.nrecords + 1) * sizeof *with_quota);
        if (!with_quota) {
            hvs_free(&s);
            return 0;
        }
        with_quota[0] = (struct hvs_record){.type = HVS_CONFIG_QUOTA, .a = FZ_EXITS_MAX_BACKED};
        if (s.nrecords) /* a scenario may have no records: then s.records is NULL */
            memcpy(with_quota + 1, s.records, s.nrecords * sizeof *with_quota);
        s.records = with_quota;
        s.nrecords++;
    }
    fz_replay(&s, "fuzz_exits");
    free(with_quota);
    s.records = records;
    s.nrecords = n; /* hvs_free releases every record's payload */
    hvs_free(&s);
    return 0;
}
