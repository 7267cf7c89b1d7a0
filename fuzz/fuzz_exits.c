/* fuzz_exits: bytes -> a scenario (hvs_parse; unparseable inputs are uninteresting and return 0) replayed
 * through the real core on the sim under every oracle of the replay engine: VM-entry checks before each
 * entry, RIP discipline, liveness (bounded work per exit), no VMX-instruction faults, page balance after
 * destroy, EPT (oracle 4) and the device invariants. An oracle finding aborts.
 *
 * Bounded per input: guest RAM is clamped to FZ_EXITS_MAX_PAGES and the records to FZ_EXITS_MAX_RECORDS,
 * so that one input costs at most a few milliseconds whatever its header says. */
#include "fuzz_common.h"

#define FZ_EXITS_MAX_PAGES 4096u /* 16 MiB of guest RAM (lazily backed) */
#define FZ_EXITS_MAX_RECORDS 1024u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hvs_scenario s;
    char err[128];
    if (hvs_parse(&s, data, size, err, sizeof err) != 0)
        return 0;
    if (s.header.memory_pages > FZ_EXITS_MAX_PAGES)
        s.header.memory_pages = FZ_EXITS_MAX_PAGES;
    size_t n = s.nrecords;
    if (s.nrecords > FZ_EXITS_MAX_RECORDS)
        s.nrecords = FZ_EXITS_MAX_RECORDS;
    fz_replay(&s, "fuzz_exits");
    s.nrecords = n; /* hvs_free releases every record's payload */
    hvs_free(&s);
    return 0;
}
