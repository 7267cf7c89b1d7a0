/* Shared pieces of the hvkit command-line tool. Exit codes (DESIGN §6): 0 ok, 1 VM killed / check failed,
 * 2 oracle violation (a bug), 3 bad input or usage. */
#ifndef HVKIT_CLI_H
#define HVKIT_CLI_H

#include <stdbool.h>
#include <stddef.h>

#define HVKIT_EXIT_OK 0
#define HVKIT_EXIT_FAILED 1
#define HVKIT_EXIT_ORACLE 2
#define HVKIT_EXIT_BAD_INPUT 3

/* Print "hvkit: <where>: <message>" on stderr and exit 3. */
_Noreturn void cli_bad_input(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read a whole file ("-" is stdin), at most max bytes; bad input (exit 3) when unreadable or too large. */
char *cli_read_file(const char *path, size_t max, size_t *len);

/* Scenarios (cmd_run.c). A FILE ending in .hvt or .txt is the text form, anything else the binary format;
 * a malformed one is bad input: "hvkit: FILE: byte N: reason" or "hvkit: FILE:LINE:COLUMN: reason", exit 3. */
struct hvs_scenario;
bool cli_is_text_scenario(const char *path);
void cli_load_scenario(const char *path, struct hvs_scenario *s);
void cli_load_scenario_text(const char *path, struct hvs_scenario *s);
/* Bad input (exit 3) unless name is NULL or a known profile. */
void cli_check_profile(const char *name);
/* Replay s (trace lines on stdout when trace), print the one-line summary on stderr (and, with verdict, a
 * "verdict: ..." line on stdout); returns the exit status: the replay status (0 ok, 1 killed, 2 oracle,
 * 3 cannot run). */
/* Write s in the binary form to out ("-": stdout). Never replaces an existing file unless force; when out
 * exists, the one-line error is "<out>: exists; <exists_hint>". Returns the bytes written; exits 3 on any
 * failure (where names the input for "out of memory"). */
size_t cli_write_scenario(const char *where, const char *out, const struct hvs_scenario *s, bool force,
                          const char *exists_hint);
int cli_replay(const char *path, const struct hvs_scenario *s, const char *profile, bool trace, bool verdict);

int cmd_profiles(int argc, char **argv);
int cmd_entry_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_repro(int argc, char **argv);
int cmd_asm(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_import_record(int argc, char **argv);

#endif
