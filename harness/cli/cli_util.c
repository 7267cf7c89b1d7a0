/* Input and output helpers shared by hvkit's subcommands. */
#include "cli.h"
#include "scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void cli_bad_input(const char *where, const char *fmt, ...)
{
    fprintf(stderr, "hvkit: %s: ", where);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(HVKIT_EXIT_BAD_INPUT);
}

char *cli_read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        cli_bad_input(path, "cannot open: %s", strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            cli_bad_input(path, "out of memory");
        if (n == cap) {
            if (cap > max)
                break;
            cap *= 2;
            buf = realloc(buf, cap);
            continue;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (err)
        cli_bad_input(path, "read error");
    if (n > max)
        cli_bad_input(path, "larger than %zu bytes", max);
    *len = n;
    return buf;
}

size_t cli_write_scenario(const char *where, const char *out, const struct hvs_scenario *s, bool force,
                          const char *exists_hint)
{
    size_t len;
    uint8_t *bin = hvs_write(s, &len);
    if (!bin)
        cli_bad_input(where, "out of memory");
    FILE *f = stdout;
    if (strcmp(out, "-") != 0) {
        /* "x": create, fail if it exists (C11 §7.21.5.3) — no window between a check and the open */
        f = fopen(out, force ? "wb" : "wbx");
        if (!f) {
            free(bin);
            if (errno == EEXIST)
                cli_bad_input(out, "exists; %s", exists_hint);
            cli_bad_input(out, "cannot create: %s", strerror(errno));
        }
    }
    bool ok = fwrite(bin, 1, len, f) == len;
    ok = (f == stdout ? fflush(f) == 0 : fclose(f) == 0) && ok;
    free(bin);
    if (!ok) {
        if (f != stdout)
            remove(out); /* we created (or were told to replace) it: do not leave half a scenario behind */
        cli_bad_input(out, "write error");
    }
    return len;
}
