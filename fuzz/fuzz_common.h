/* Shared helpers of the fuzz targets (issue 7): the oracle abort, a byte reader, and scenario building.
 *
 * Every target defines LLVMFuzzerTestOneInput. A violated oracle prints "oracle <name>: ..." and aborts, so
 * libFuzzer, AFL++ and the replay binaries (replay_main.c) all record it as a crash. */
#ifndef HV_FUZZ_COMMON_H
#define HV_FUZZ_COMMON_H

#include "replay.h"
#include "scenario.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "oracle NAME: message" and abort: the one way a target reports a bug. */
__attribute__((noreturn, format(printf, 2, 3))) static inline void fz_oracle(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("oracle %s: ", name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    abort();
}

/* Bytes consumed front to back; reads past the end give 0 (the fuzzer's short inputs stay meaningful). */
struct fz {
    const uint8_t *p;
    size_t n;
};
static inline uint8_t fz_u8(struct fz *f)
{
    if (!f->n)
        return 0;
    f->n--;
    return *f->p++;
}
static inline uint16_t fz_u16(struct fz *f) { return (uint16_t)(fz_u8(f) | (unsigned)fz_u8(f) << 8); }
static inline uint32_t fz_u32(struct fz *f) { return fz_u16(f) | (uint32_t)fz_u16(f) << 16; }
static inline uint64_t fz_u64(struct fz *f) { return fz_u32(f) | (uint64_t)fz_u32(f) << 32; }

/* A scenario built in fixed storage (no allocation per input): up to FZ_MAX_RECORDS records. */
#define FZ_MAX_RECORDS 256
struct fz_scenario {
    struct hvs_scenario s;
    struct hvs_record rec[FZ_MAX_RECORDS];
    uint8_t bytes[FZ_MAX_RECORDS][16]; /* payloads of short SET_MEM / MEM_INSN / HOST_MSG records */
};

static inline void fz_scenario_init(struct fz_scenario *z, const char *profile, uint32_t pages)
{
    memset(&z->s, 0, sizeof z->s);
    z->s.header.version = HVS_VERSION;
    snprintf(z->s.header.profile, sizeof z->s.header.profile, "%s", profile);
    z->s.header.memory_pages = pages;
    z->s.header.guest_mode = HVS_MODE_PROGRAM64;
    z->s.header.entry = 0x1000;
    z->s.header.stack = 0x8000;
    z->s.records = z->rec;
}

/* Append a record (NULL when full). bytes (up to 16) are copied into the scenario's own storage. */
static inline struct hvs_record *fz_add(struct fz_scenario *z, uint8_t type, uint64_t a, uint64_t b, uint64_t c,
                                        uint64_t d, uint64_t e, const uint8_t *bytes, size_t nbytes)
{
    if (z->s.nrecords >= FZ_MAX_RECORDS)
        return NULL;
    size_t i = z->s.nrecords++;
    struct hvs_record *r = &z->rec[i];
    *r = (struct hvs_record){.type = type, .a = a, .b = b, .c = c, .d = d, .e = e};
    if (nbytes) {
        if (nbytes > sizeof z->bytes[i])
            nbytes = sizeof z->bytes[i];
        memcpy(z->bytes[i], bytes, nbytes);
        r->bytes = z->bytes[i];
        r->nbytes = nbytes;
    }
    return r;
}

/* Replay s through the core under every oracle; an oracle finding aborts. Returns the status otherwise. */
static inline enum hvs_status fz_replay(const struct hvs_scenario *s, const char *target)
{
    /* HVKIT_FUZZ_SCENARIO_OUT=FILE: write the scenario this input became, so `hvkit repro FILE` can dissect and
     * trace a finding of a target that builds scenarios from its own encoding. */
    const char *out = getenv("HVKIT_FUZZ_SCENARIO_OUT");
    if (out) {
        size_t n;
        uint8_t *b = hvs_write(s, &n);
        FILE *fp = b ? fopen(out, "wb") : NULL;
        if (fp) {
            fwrite(b, 1, n, fp);
            fclose(fp);
        }
        free(b);
    }
    /* One simulated machine for the whole process, reset between inputs and restored from a snapshot when the
     * configuration repeats (replay.h, hvs_replay_cache): what makes fuzz_exits fast and its speed independent
     * of the configured guest memory. HVKIT_FUZZ_NO_CACHE=1 replays every input on a fresh machine instead.
     * HVKIT_FUZZ_CHECK_CACHE=1 replays every input three times — fresh, then twice on the cache (the second
     * run is sure to start from the snapshot) — and treats any difference as a finding (ctest
     * fuzz.replay_cache.<target> runs every corpus so). */
    static struct hvs_replay_cache *cache;
    static int cache_off = -1, cache_check;
    if (cache_off < 0) {
        const char *e = getenv("HVKIT_FUZZ_NO_CACHE");
        cache_off = e && *e && strcmp(e, "0") != 0;
        e = getenv("HVKIT_FUZZ_CHECK_CACHE");
        cache_check = e && *e && strcmp(e, "0") != 0;
    }
    if (!cache && !cache_off)
        cache = hvs_replay_cache_new(); /* NULL (out of memory): fresh machines, still correct */
    struct hvs_replay_options o = {.cache = cache};
    struct hvs_replay_result r;
    if (cache_check && cache) {
        struct hvs_replay_options fresh_o = {0};
        struct hvs_replay_result fresh, again;
        hvs_replay(s, &fresh_o, &fresh);
        hvs_replay(s, &o, &r);
        hvs_replay(s, &o, &again);
        const struct hvs_replay_result *runs[2] = {&r, &again};
        for (int k = 0; k < 2; k++)
            if (runs[k]->status != fresh.status || runs[k]->exits != fresh.exits ||
                runs[k]->records_run != fresh.records_run || strcmp(runs[k]->message, fresh.message) != 0)
                fz_oracle("replay-cache",
                          "%s cached run %d differs from a fresh one: status %d/%d, exits %llu/%llu, records %zu/%zu, "
                          "\"%s\" / \"%s\"",
                          target, k + 1, runs[k]->status, fresh.status, (unsigned long long)runs[k]->exits,
                          (unsigned long long)fresh.exits, runs[k]->records_run, fresh.records_run,
                          runs[k]->message, fresh.message);
    }
    enum hvs_status st = cache_check && cache ? r.status : hvs_replay(s, &o, &r);
    if (st == HVS_ORACLE)
        fz_oracle(target, "%s (record %zu, %llu exits)", r.message, r.records_run,
                  (unsigned long long)r.exits);
    return st;
}

#endif
