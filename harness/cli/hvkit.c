/* hvkit: the command-line tool (DESIGN §6). One subcommand per file; this file only dispatches. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} commands[] = {
    {"profiles", cmd_profiles, "profiles [--json]                 list the simulated CPU profiles"},
    {"entry-check", cmd_entry_check,
     "entry-check FILE | --template PROFILE | --list-rules   apply the VM-entry checks to a VMCS state (FILE - is stdin)"},
    {"run", cmd_run, "run FILE [--trace] [--record] [--profile NAME]   replay a scenario (.hvs, or text .hvt/.txt) "
                     "on the sim (--record: the core's HVREC recording on stdout)"},
    {"repro", cmd_repro, "repro FILE [--profile NAME]         dissect a scenario, replay it traced, name the verdict"},
    {"asm", cmd_asm, "asm TEXT -o FILE.hvs                assemble a text scenario (never overwrites FILE)"},
    {"dump", cmd_dump, "dump FILE                           a scenario as JSON lines: header, then each record"},
    {"decode", cmd_decode, "decode HEX [--mode 16|32|64]        decode one instruction as the MMIO path does (JSON)"},
    {"import-record", cmd_import_record,
     "import-record LOG -o FILE [--force] [--recording K] [--expect-from-log]   a console log's HVREC recording "
     "as a scenario; with --expect-from-log, check its replay against the log's HVKIT-EXIT lines (4: the log is "
     "cut inside a line)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: hvkit COMMAND [ARGS]\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  hvkit %s\n", commands[i].usage);
    fprintf(f, "exit status: 0 ok, 1 VM killed or check failed, 2 oracle violation, 3 bad input or usage\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return HVKIT_EXIT_BAD_INPUT;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return HVKIT_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "hvkit: unknown command '%s' (try hvkit --help)\n", argv[1]);
    return HVKIT_EXIT_BAD_INPUT;
}
