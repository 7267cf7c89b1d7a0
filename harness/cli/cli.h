/* Shared pieces of the hvkit command-line tool. Exit codes (DESIGN §6): 0 ok, 1 VM killed / check failed,
 * 2 oracle violation (a bug), 3 bad input or usage. */
#ifndef HVKIT_CLI_H
#define HVKIT_CLI_H

#include <stddef.h>

#define HVKIT_EXIT_OK 0
#define HVKIT_EXIT_FAILED 1
#define HVKIT_EXIT_ORACLE 2
#define HVKIT_EXIT_BAD_INPUT 3

/* Print "hvkit: <where>: <message>" on stderr and exit 3. */
_Noreturn void cli_bad_input(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read a whole file ("-" is stdin), at most max bytes; bad input (exit 3) when unreadable or too large. */
char *cli_read_file(const char *path, size_t max, size_t *len);

int cmd_profiles(int argc, char **argv);
int cmd_entry_check(int argc, char **argv);

#endif
