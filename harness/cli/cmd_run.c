/* hvkit run FILE [--trace] [--record] [--profile NAME] [--framebuffer OUT.png]: replay a scenario on the sim
 * through the real core, under the oracles (harness/scenario/replay.h). Also the scenario loading and replay
 * shared by repro, asm and dump.
 *
 * The guest's COM1 output (issue 6): without --trace its raw bytes go to stdout as the guest sends them;
 * with --trace they are {"event":"serial","text":"A"} lines of the trace, so stdout stays JSON lines. The
 * summary line is on stderr either way. --framebuffer keeps the guest's frame (pixels start black) and
 * writes it as a PNG after the run, whatever the run's status. --record turns the core's record mode on
 * (hv/record.h) and prints the core's log lines, the HVREC recording among them, on stdout (issue 9). */
#include "cli.h"
#include "png.h"
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

struct run_devices {
    uint32_t width, height;
    uint32_t *frame; /* width * height pixels, or NULL without --framebuffer */
};

/* Whether stdout is at the start of a line: a --record log line must start one, even after a guest's serial
 * bytes without a newline (import-record reads HVREC lines from their first column). */
static bool stdout_at_line_start = true;

static void serial_to_stdout(void *opaque, uint8_t byte)
{
    (void)opaque;
    fputc(byte, stdout);
    stdout_at_line_start = byte == '\n';
}

/* --record: the core's log lines (the HVREC recording among them) on stdout, as a console would show them. */
static void log_to_stdout(void *opaque, unsigned cpu, const char *line)
{
    (void)opaque;
    (void)cpu;
    if (!stdout_at_line_start)
        fputc('\n', stdout);
    fputs(line, stdout);
    fputc('\n', stdout);
    stdout_at_line_start = true;
}

static void keep_pixel(void *opaque, uint32_t x, uint32_t y, uint32_t pixel)
{
    struct run_devices *d = opaque;
    if (d->frame && x < d->width && y < d->height)
        d->frame[(size_t)y * d->width + x] = pixel;
}

static int replay_with(const char *path, const struct hvs_scenario *s, const char *profile, bool trace, bool verdict,
                       struct run_devices *dev, bool record)
{
    struct hvs_replay_options o = {.profile = profile, .trace = trace ? stdout : NULL, .no_oracles = false};
    if (record) {
        o.record = true;
        o.log = log_to_stdout;
    }
    if (dev) {
        o.serial = trace ? NULL : serial_to_stdout;
        o.fb_pixel = keep_pixel;
        o.dev_opaque = dev;
    }
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

int cli_replay(const char *path, const struct hvs_scenario *s, const char *profile, bool trace, bool verdict)
{
    return replay_with(path, s, profile, trace, verdict, NULL, false);
}

/* The framebuffer geometry of the scenario's leading config-devices record (0 x 0 when none has one). */
static void scenario_fb(const struct hvs_scenario *s, uint32_t *w, uint32_t *h)
{
    *w = *h = 0;
    for (size_t i = 0; i < s->nrecords; i++) {
        const struct hvs_record *r = &s->records[i];
        if (r->type == HVS_CONFIG_DEVICES) {
            bool fb = (r->a & 0x10u) != 0; /* HV_DEV_FB */
            *w = fb ? (uint32_t)r->c : 0;
            *h = fb ? (uint32_t)r->d : 0;
        } else if (!hvs_is_setup_record(r->type)) {
            break;
        }
    }
}

static void write_png(const char *out, const struct run_devices *d)
{
    size_t len;
    uint8_t *png = png_encode(d->width, d->height, d->frame, &len);
    if (!png)
        cli_bad_input(out, "cannot encode a %ux%u PNG", d->width, d->height);
    FILE *f = fopen(out, "wb");
    bool ok = f && fwrite(png, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    free(png);
    if (!ok)
        cli_bad_input(out, "cannot write the framebuffer PNG");
}

int cmd_run(int argc, char **argv)
{
    const char *file = NULL, *profile = NULL, *fb_out = NULL;
    bool trace = false, record = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--trace") == 0)
            trace = true;
        else if (strcmp(argv[i], "--record") == 0)
            record = true;
        else if (strcmp(argv[i], "--profile") == 0) {
            if (i + 1 >= argc)
                cli_bad_input("run", "--profile needs a profile name");
            profile = argv[++i];
        } else if (strcmp(argv[i], "--framebuffer") == 0) {
            if (i + 1 >= argc)
                cli_bad_input("run", "--framebuffer needs an output file (OUT.png)");
            fb_out = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1])
            cli_bad_input("run", "unknown option '%s' (usage: hvkit run FILE [--trace] [--record] [--profile NAME] "
                                 "[--framebuffer OUT.png])", argv[i]);
        else if (file)
            cli_bad_input("run", "more than one FILE ('%s', '%s')", file, argv[i]);
        else
            file = argv[i];
    }
    if (!file)
        cli_bad_input("run", "no FILE (usage: hvkit run FILE [--trace] [--record] [--profile NAME] "
                             "[--framebuffer OUT.png])");
    cli_check_profile(profile);
    struct hvs_scenario s;
    cli_load_scenario(file, &s);
    struct run_devices dev = {0};
    if (fb_out) {
        scenario_fb(&s, &dev.width, &dev.height);
        if (!dev.width || !dev.height)
            cli_bad_input(file, "--framebuffer: the scenario configures no framebuffer (a config-devices record "
                                "with the fb device and its size)");
        dev.frame = calloc((size_t)dev.width * dev.height, sizeof *dev.frame);
        if (!dev.frame)
            cli_bad_input(file, "--framebuffer: out of memory for %ux%u pixels", dev.width, dev.height);
    }
    int rc = replay_with(file, &s, profile, trace, false, &dev, record);
    if (fb_out)
        write_png(fb_out, &dev);
    free(dev.frame);
    hvs_free(&s);
    return rc;
}
