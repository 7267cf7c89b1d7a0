/* hvkit run FILE [--trace] [--profile NAME]: replay a scenario on the sim through the real core, under the
 * oracles (harness/scenario/replay.h). Also the scenario loading and replay shared by repro, asm and dump. */
#include "cli.h"
#include "records.h"
#include "replay.h"
#include "scenario.h"
#include "sim_profile.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool cli_is_text_scenario(const char *path)
{
    return ends_with(path, ".hvt") || ends_with(path, ".txt");
}

static void load(const char *path, struct hvs_scenario *s, bool text)
{
    size_t len;
    char err[256];
    /* A valid binary file is at most HVS_MAX_FILE_BYTES; a text form of it about three times that. */
    char *data = cli_read_file(path, text ? 3 * HVS_MAX_FILE_BYTES : HVS_MAX_FILE_BYTES, &len);
    int rc = text ? hvs_asm(s, data, len, err, sizeof err) : hvs_parse(s, (const uint8_t *)data, len, err, sizeof err);
    free(data);
    if (rc < 0) {
        if (text) { /* "FILE:LINE:COLUMN: reason", as compilers say it */
            fprintf(stderr, "hvkit: %s:%s\n", path, err);
            exit(HVKIT_EXIT_BAD_INPUT);
        }
        cli_bad_input(path, "%s", err);
    }
}

void cli_load_scenario(const char *path, struct hvs_scenario *s)
{
    load(path, s, cli_is_text_scenario(path));
}

void cli_load_scenario_text(const char *path, struct hvs_scenario *s)
{
    load(path, s, true);
}

void cli_check_profile(const char *name)
{
    if (name && !sim_profile_find(name))
        cli_bad_input("--profile", "unknown profile '%s' (hvkit profiles lists them)", name);
}

static const char *status_word(enum hvs_status st)
{
    switch (st) {
    case HVS_OK: return "ok";
    case HVS_KILLED: return "VM killed";
    case HVS_ORACLE: return "oracle violation";
    default: return "cannot run";
    }
}

int cli_replay(const char *path, const struct hvs_scenario *s, const char *profile, bool trace, bool verdict)
{
    struct hvs_replay_options o = {.profile = profile, .trace = trace ? stdout : NULL, .no_oracles = false};
    struct hvs_replay_result r;
    memset(&r, 0, sizeof r);
    enum hvs_status st = hvs_replay(s, &o, &r);
    fflush(stdout);
    if ((unsigned)st > HVS_BAD_INPUT) { /* the engine broke its own contract: report, do not guess */
        fprintf(stderr, "hvkit: %s: replay returned unknown status %d\n", path, (int)st);
        return HVKIT_EXIT_ORACLE;
    }
    r.message[sizeof r.message - 1] = 0;
    const char *msg = r.message[0] ? r.message : (st == HVS_OK ? "the scenario ran to its end" : "no message");
    /* the engine's message may already say "VM killed: ..."; do not say it twice */
    const char *word = status_word(st);
    const char *sep = ": ";
    if (strncmp(msg, word, strlen(word)) == 0)
        word = sep = "";
    if (verdict)
        printf("verdict: %s%s%s (%llu exits, %zu of %zu records run)\n", word, sep, msg,
               (unsigned long long)r.exits, r.records_run, s->nrecords);
    fprintf(stderr, "hvkit: %s: %s%s%s (%llu exits, %zu of %zu records run)\n", path, word, sep, msg,
            (unsigned long long)r.exits, r.records_run, s->nrecords);
    /* replay statuses are hvkit's exit codes (DESIGN §6) */
    return st == HVS_OK ? HVKIT_EXIT_OK
           : st == HVS_KILLED ? HVKIT_EXIT_FAILED
           : st == HVS_ORACLE ? HVKIT_EXIT_ORACLE
                              : HVKIT_EXIT_BAD_INPUT;
}

int cmd_run(int argc, char **argv)
{
    const char *file = NULL, *profile = NULL;
    bool trace = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--trace") == 0)
            trace = true;
        else if (strcmp(argv[i], "--profile") == 0) {
            if (i + 1 >= argc)
                cli_bad_input("run", "--profile needs a profile name");
            profile = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1])
            cli_bad_input("run", "unknown option '%s' (usage: hvkit run FILE [--trace] [--profile NAME])", argv[i]);
        else if (file)
            cli_bad_input("run", "more than one FILE ('%s', '%s')", file, argv[i]);
        else
            file = argv[i];
    }
    if (!file)
        cli_bad_input("run", "no FILE (usage: hvkit run FILE [--trace] [--profile NAME])");
    cli_check_profile(profile);
    struct hvs_scenario s;
    cli_load_scenario(file, &s);
    int rc = cli_replay(file, &s, profile, trace, false);
    hvs_free(&s);
    return rc;
}
