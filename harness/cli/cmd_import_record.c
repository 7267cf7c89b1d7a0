/* hvkit import-record LOG -o FILE [--force] [--recording K] [--expect-from-log]: the core's record mode
 * (hv/record.h) back into a scenario (docs/scenario-format.md, "Recording").
 *
 * LOG is a console log: the "HVREC <text-form line>" lines are the recording, every other line is ignored,
 * line ends may be CRLF. A recording begins at "HVREC # begin recording"; a log may hold several (one per VM
 * the run recorded), and --recording K picks one (needed when there are several). The chosen recording's
 * lines are assembled as the text form and written as a binary scenario to FILE, which is never overwritten
 * unless --force is given.
 *
 * --expect-from-log then replays FILE on the sim and checks that the replay's exits equal the recording's
 * HVKIT-EXIT lines (the bootable build's console: "HVKIT-EXIT vm=V n=N reason=R name=... qual=0xQ len=L
 * action=A"), those between the recording's begin and the next one: basic reason, qualification and action,
 * in order. The first difference is printed. Every exit the recorder marked unrecordable is reported, and
 * fails the check even when the traces agree: a recording that could not say what happened proves nothing.
 *
 * Exit status: 0 imported (and, with --expect-from-log, equal); 1 the check found a difference or an
 * unrecordable exit (or the replay killed the VM where the log did not); 2 the replay tripped an oracle;
 * 3 bad input or usage (no HVREC lines, a line the text form rejects, an existing FILE); 4 the log ends inside
 * an HVREC or HVKIT-EXIT line (a capture cut short: a timeout, a crash).
 */
#include "cli.h"
#include "replay.h"
#include "scenario.h"
#include "text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_EXIT_TRUNCATED 4
#define IMPORT_LOG_MAX (1u << 30) /* a console log larger than 1 GiB is not one run's */

static const char usage_line[] =
    "usage: hvkit import-record LOG -o FILE [--force] [--recording K] [--expect-from-log]";

/* One line of the log: [start, start + len) without its line end. */
struct log_line {
    const char *start;
    size_t len;
    size_t number;   /* 1-based */
    bool terminated; /* a line end follows */
};

static bool has_prefix(const struct log_line *l, const char *p)
{
    size_t n = strlen(p);
    return l->len >= n && memcmp(l->start, p, n) == 0;
}

/* The HVREC prefix of hv/record.h (kept literal: the CLI does not include the core's headers). */
#define REC_PREFIX "HVREC"
static bool is_hvrec(const struct log_line *l)
{
    return has_prefix(l, REC_PREFIX) && (l->len == 5 || l->start[5] == ' ');
}

static const char *rec_text(const struct log_line *l, size_t *len)
{
    size_t skip = l->len > 5 ? 6 : 5;
    *len = l->len - skip;
    return l->start + skip;
}

static bool is_begin(const struct log_line *l)
{
    static const char begin[] = "HVREC # begin recording";
    return has_prefix(l, begin);
}

/* Split data into lines (LF ends a line; a CR before it is dropped). */
static struct log_line *split_lines(const char *path, const char *data, size_t len, size_t *count)
{
    size_t cap = 1024, n = 0;
    struct log_line *v = malloc(cap * sizeof *v);
    for (size_t pos = 0; pos < len;) {
        if (!v)
            cli_bad_input(path, "out of memory");
        if (n == cap) {
            cap *= 2;
            struct log_line *w = realloc(v, cap * sizeof *v);
            if (!w)
                free(v);
            v = w;
            continue;
        }
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        struct log_line l = {.start = data + pos, .len = end - pos, .number = n + 1, .terminated = nl != NULL};
        if (l.len && l.start[l.len - 1] == '\r')
            l.len--;
        v[n++] = l;
        pos = nl ? end + 1 : len;
    }
    *count = n;
    return v;
}

/* ---- the exits the log says happened ------------------------------------------------------------------- */

struct exit_line {
    size_t line;
    uint64_t vm, n, reason, qual;
    char action[8];
};

static bool field_u64(const char *s, size_t len, const char *key, int base, uint64_t *v)
{
    char buf[512];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = 0;
    const char *p = strstr(buf, key);
    if (!p)
        return false;
    p += strlen(key);
    char *end;
    errno = 0;
    unsigned long long x = strtoull(p, &end, base);
    if (end == p || errno || (*end && *end != ' '))
        return false;
    *v = x;
    return true;
}

/* "HVKIT-EXIT vm=V n=N reason=R name=... qual=0xQ len=L action=A" (the name may hold spaces: keys are found
 * by " key="). */
static bool parse_exit_line(const struct log_line *l, struct exit_line *x)
{
    char buf[512];
    size_t len = l->len < sizeof buf - 2 ? l->len : sizeof buf - 2;
    buf[0] = ' '; /* so that every key, the first too, is " key=" */
    memcpy(buf + 1, l->start, len);
    buf[len + 1] = 0;
    x->line = l->number;
    if (!field_u64(buf, len + 1, " vm=", 10, &x->vm) || !field_u64(buf, len + 1, " n=", 10, &x->n) ||
        !field_u64(buf, len + 1, " reason=", 10, &x->reason) || !field_u64(buf, len + 1, " qual=0x", 16, &x->qual))
        return false;
    const char *a = strstr(buf, " action=");
    if (!a)
        return false;
    a += 8;
    size_t k = strcspn(a, " ");
    if (k == 0 || k >= sizeof x->action)
        return false;
    memcpy(x->action, a, k);
    x->action[k] = 0;
    return strcmp(x->action, "resume") == 0 || strcmp(x->action, "halt") == 0 || strcmp(x->action, "kill") == 0;
}

/* ---- the replay's exits -------------------------------------------------------------------------------- */

struct replay_exit {
    uint64_t reason, qual;
    char action[8];
};

/* {"exit":N,"reason":"...","number":R,...,"qualification":"0xQ","instr_len":L,"outcome":"A"...} */
static bool parse_trace_exit(const char *s, struct replay_exit *x)
{
    const char *p = strstr(s, "\"number\":"), *q = strstr(s, "\"qualification\":\"0x");
    const char *o = strstr(s, "\"outcome\":\"");
    if (!p || !q || !o)
        return false;
    x->reason = strtoull(p + 9, NULL, 10);
    x->qual = strtoull(q + 19, NULL, 16);
    o += 11;
    size_t k = strcspn(o, "\"");
    if (k == 0 || k >= sizeof x->action)
        return false;
    memcpy(x->action, o, k);
    x->action[k] = 0;
    return true;
}

/* Replay s traced into memory; returns the exits (malloc'd) and the replay's status. */
static struct replay_exit *replay_exits(const char *path, const struct hvs_scenario *s, size_t *count,
                                        struct hvs_replay_result *r)
{
    FILE *t = tmpfile();
    if (!t)
        cli_bad_input(path, "cannot create a temporary file for the replay's trace: %s", strerror(errno));
    struct hvs_replay_options o = {.trace = t};
    hvs_replay(s, &o, r);
    rewind(t);
    size_t cap = 64, n = 0;
    struct replay_exit *v = malloc(cap * sizeof *v);
    char line[4096];
    while (v && fgets(line, sizeof line, t)) {
        if (strncmp(line, "{\"exit\":", 8) != 0)
            continue;
        if (n == cap) {
            cap *= 2;
            struct replay_exit *w = realloc(v, cap * sizeof *v);
            if (!w)
                free(v);
            v = w;
            if (!v)
                break;
        }
        if (parse_trace_exit(line, &v[n]))
            n++;
    }
    fclose(t);
    if (!v)
        cli_bad_input(path, "out of memory");
    *count = n;
    return v;
}

/* ---- the command --------------------------------------------------------------------------------------- */

struct recording {
    size_t first, end; /* lines [first, end) of the log: from its begin to the next one */
    size_t nrec;       /* HVREC lines */
    size_t exits;      /* "# exit N" comments: the exits it recorded */
};

static size_t find_recordings(const struct log_line *lines, size_t n, struct recording *out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_hvrec(&lines[i]))
            continue;
        if (is_begin(&lines[i]) || k == 0) { /* HVREC lines before any begin form a recording of their own */
            if (k == max)
                return k + 1; /* the caller says "too many" */
            if (k)
                out[k - 1].end = i;
            out[k++] = (struct recording){.first = i, .end = n};
        }
        out[k - 1].nrec++;
        if (has_prefix(&lines[i], "HVREC # exit "))
            out[k - 1].exits++;
    }
    return k;
}

static int check_against_log(const char *log, const char *file, const struct log_line *lines,
                             const struct recording *rec, const struct hvs_scenario *s)
{
    /* what the log says */
    size_t nlog = 0, unrecordable = 0;
    struct exit_line *want = calloc(rec->end - rec->first + 1, sizeof *want);
    if (!want)
        cli_bad_input(log, "out of memory");
    for (size_t i = rec->first; i < rec->end; i++) {
        const struct log_line *l = &lines[i];
        if (has_prefix(l, "HVKIT-EXIT ")) {
            if (!parse_exit_line(l, &want[nlog])) {
                free(want);
                cli_bad_input(log, "line %zu: an HVKIT-EXIT line without vm=, n=, reason=, qual=0x and action= "
                                   "(resume|halt|kill): %.*s", l->number, (int)(l->len > 120 ? 120 : l->len), l->start);
            }
            if (nlog && want[nlog].vm != want[0].vm)
                fprintf(stderr, "hvkit: %s:%zu: note: an exit of vm=%" PRIu64 " inside the recording of vm=%" PRIu64
                                " (the comparison takes the lines in log order)\n", log, l->number, want[nlog].vm,
                        want[0].vm);
            nlog++;
        } else if (has_prefix(l, "HVREC # unrecordable ")) {
            fprintf(stderr, "hvkit: %s:%zu: %.*s\n", log, l->number, (int)(l->len - 8), l->start + 8);
            unrecordable++;
        }
    }
    /* what the replay does */
    struct hvs_replay_result r;
    memset(&r, 0, sizeof r);
    size_t nrep;
    struct replay_exit *got = replay_exits(file, s, &nrep, &r);
    r.message[sizeof r.message - 1] = 0;
    int rc = HVKIT_EXIT_OK;
    size_t same = 0;
    while (same < nlog && same < nrep && want[same].reason == got[same].reason && want[same].qual == got[same].qual &&
           strcmp(want[same].action, got[same].action) == 0)
        same++;
    if (same < nlog && same < nrep) {
        const struct exit_line *w = &want[same];
        const struct replay_exit *g = &got[same];
        fprintf(stderr, "hvkit: %s:%zu: exit %zu differs: log reason=%" PRIu64 " qual=0x%" PRIx64 " action=%s, "
                        "replay of %s reason=%" PRIu64 " qual=0x%" PRIx64 " action=%s\n", log, w->line, same + 1,
                w->reason, w->qual, w->action, file, g->reason, g->qual, g->action);
        rc = HVKIT_EXIT_FAILED;
    } else if (nlog != nrep) {
        if (nlog > nrep)
            fprintf(stderr, "hvkit: %s:%zu: exit %zu (reason=%" PRIu64 " qual=0x%" PRIx64 " action=%s) is missing "
                            "from the replay of %s, which took %zu exits and ended: %s\n", log, want[nrep].line,
                    nrep + 1, want[nrep].reason, want[nrep].qual, want[nrep].action, file, nrep, r.message);
        else
            fprintf(stderr, "hvkit: %s: the log has %zu HVKIT-EXIT lines for this recording, the replay of %s took "
                            "%zu exits (the next: reason=%" PRIu64 " qual=0x%" PRIx64 " action=%s)\n", log, nlog, file,
                    nrep, got[nlog].reason, got[nlog].qual, got[nlog].action);
        rc = HVKIT_EXIT_FAILED;
    } else if (r.status == HVS_ORACLE) {
        fprintf(stderr, "hvkit: %s: the replay of %s tripped an oracle: %s\n", log, file, r.message);
        rc = HVKIT_EXIT_ORACLE;
    } else if (unrecordable) {
        fprintf(stderr, "hvkit: %s: the %zu exits agree, but %zu %s marked unrecordable (above)\n", log, nlog,
                unrecordable, unrecordable == 1 ? "is" : "are");
        rc = HVKIT_EXIT_FAILED;
    } else {
        fprintf(stderr, "hvkit: %s: the replay of %s takes the log's %zu exits (reason, qualification, action)\n", log,
                file, nlog);
    }
    if (r.status == HVS_ORACLE && rc != HVKIT_EXIT_ORACLE) {
        fprintf(stderr, "hvkit: %s: the replay of %s also tripped an oracle: %s\n", log, file, r.message);
        rc = HVKIT_EXIT_ORACLE;
    }
    free(want);
    free(got);
    return rc;
}

/* Recordings are evidence: never replaced without --force (the error says so). */
static void write_scenario(const char *log, const char *out, bool force, const struct hvs_scenario *s)
{
    (void)cli_write_scenario(log, out, s, force, "hvkit import-record does not overwrite a file without --force");
}

int cmd_import_record(int argc, char **argv)
{
    const char *log = NULL, *out = NULL;
    bool force = false, expect = false;
    unsigned long which = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0) {
            if (i + 1 >= argc)
                cli_bad_input("import-record", "-o needs an output file");
            out = argv[++i];
        } else if (strcmp(argv[i], "--force") == 0) {
            force = true;
        } else if (strcmp(argv[i], "--expect-from-log") == 0) {
            expect = true;
        } else if (strcmp(argv[i], "--recording") == 0) {
            char *end;
            if (i + 1 >= argc || (which = strtoul(argv[i + 1], &end, 10)) == 0 || *end)
                cli_bad_input("import-record", "--recording needs a number from 1");
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_bad_input("import-record", "unknown option '%s' (%s)", argv[i], usage_line);
        } else if (log) {
            cli_bad_input("import-record", "more than one LOG ('%s', '%s')", log, argv[i]);
        } else {
            log = argv[i];
        }
    }
    if (!log || !out)
        cli_bad_input("import-record", "%s (LOG - is stdin, FILE - is stdout)", usage_line);

    size_t len, nlines;
    char *data = cli_read_file(log, IMPORT_LOG_MAX, &len);
    struct log_line *lines = split_lines(log, data, len, &nlines);
    if (nlines && !lines[nlines - 1].terminated &&
        (is_hvrec(&lines[nlines - 1]) || (expect && has_prefix(&lines[nlines - 1], "HVKIT-EXIT")))) {
        fprintf(stderr, "hvkit: %s:%zu: the log ends inside this line (no line end): a truncated capture\n", log,
                nlines);
        exit(IMPORT_EXIT_TRUNCATED);
    }
    struct recording recs[256];
    size_t nrecs = find_recordings(lines, nlines, recs, sizeof recs / sizeof recs[0]);
    if (nrecs == 0)
        cli_bad_input(log, "no HVREC lines (record mode: hvkit.record=1 on the bootable build, hvkit run --record "
                           "on the sim)");
    if (nrecs > sizeof recs / sizeof recs[0])
        cli_bad_input(log, "more than %zu recordings", sizeof recs / sizeof recs[0]);
    if (which == 0 && nrecs > 1)
        cli_bad_input(log, "%zu recordings (one per VM): choose one with --recording 1..%zu", nrecs, nrecs);
    if (which > nrecs)
        cli_bad_input(log, "--recording %lu: the log holds %zu", which, nrecs);
    const struct recording *rec = &recs[which ? which - 1 : 0];

    /* The recording's lines as one text, and where each came from. */
    size_t *origin = malloc((rec->nrec + 1) * sizeof *origin);
    char *text = malloc(len + 1);
    if (!origin || !text)
        cli_bad_input(log, "out of memory");
    size_t tlen = 0, k = 0;
    for (size_t i = rec->first; i < rec->end; i++) {
        if (!is_hvrec(&lines[i]))
            continue;
        size_t n;
        const char *t = rec_text(&lines[i], &n);
        memcpy(text + tlen, t, n);
        tlen += n;
        text[tlen++] = '\n';
        origin[k++] = lines[i].number;
    }
    struct hvs_scenario s;
    char err[256];
    if (hvs_asm(&s, text, tlen, err, sizeof err) < 0) {
        /* "LINE:COLUMN: reason" of the text -> the log's line, the column counted in the log line */
        size_t tl = 0, col = 0;
        int used = 0;
        if (sscanf(err, "%zu:%zu: %n", &tl, &col, &used) == 2 && tl >= 1 && tl <= k)
            cli_bad_input(log, "line %zu, column %zu: %s", origin[tl - 1], col + 6, err + used);
        cli_bad_input(log, "%s", err);
    }
    free(text);
    free(origin);
    write_scenario(log, out, force, &s);
    fprintf(stderr,
            "hvkit: %s: recording %zu of %zu (log lines %zu-%zu): %zu exits, %zu HVREC lines, %zu records -> %s\n",
            log, which ? (size_t)which : 1u, nrecs, lines[rec->first].number, lines[rec->end - 1].number, rec->exits,
            rec->nrec, s.nrecords, out);
    int rc = HVKIT_EXIT_OK;
    if (expect)
        rc = check_against_log(log, out, lines, rec, &s);
    hvs_free(&s);
    free(lines);
    free(data);
    return rc;
}
