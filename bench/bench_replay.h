/* Timing a scenario replay, shared by the benchmarks that measure the core on the sim. */
#ifndef HVKIT_BENCH_REPLAY_H
#define HVKIT_BENCH_REPLAY_H

#include "bench_util.h"
#include "replay.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Replay s `runs` times with options o and return the median wall time in seconds; *exits gets the exits of
 * a run. A run that does not end with HVS_OK, or (want_exits != 0) with another exit count, ends the
 * program with status 1 naming `who`: a benchmark of a failing replay measures nothing. */
static inline double bench_replay_median(const char *who, const struct hvs_scenario *s,
                                         const struct hvs_replay_options *o, size_t runs, uint64_t want_exits,
                                         uint64_t *exits)
{
    double *t = calloc(runs, sizeof *t);
    if (!t) {
        fprintf(stderr, "%s: out of memory\n", who);
        exit(4);
    }
    for (size_t r = 0; r < runs; r++) {
        struct hvs_replay_result res;
        double t0 = bench_now_seconds();
        enum hvs_status st = hvs_replay(s, o, &res);
        t[r] = bench_now_seconds() - t0;
        if (st != HVS_OK || (want_exits && res.exits != want_exits)) {
            fprintf(stderr, "%s: replay ended with status %d after %llu exits: %s\n", who, (int)st,
                    (unsigned long long)res.exits, res.message);
            exit(1);
        }
        *exits = res.exits;
    }
    double med = bench_median(t, runs);
    free(t);
    return med;
}

#endif
