/* Input helpers shared by hvkit's subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
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
