/* hvkit repro FILE: dissect a scenario (its text form, every line with its byte offset), replay it with the
 * trace on, and end with a verdict line naming the kill reason or the oracle. Exit status as hvkit run. */
#include "cli.h"
#include "records.h"
#include "scenario.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

int cmd_repro(int argc, char **argv)
{
    const char *file = NULL, *profile = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--profile") == 0) {
            if (i + 1 >= argc)
                cli_bad_input("repro", "--profile needs a profile name");
            profile = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1])
            cli_bad_input("repro", "unknown option '%s' (usage: hvkit repro FILE [--profile NAME])", argv[i]);
        else if (file)
            cli_bad_input("repro", "more than one FILE ('%s', '%s')", file, argv[i]);
        else
            file = argv[i];
    }
    if (!file)
        cli_bad_input("repro", "no FILE (usage: hvkit repro FILE [--profile NAME])");
    cli_check_profile(profile);
    struct hvs_scenario s;
    cli_load_scenario(file, &s);
    size_t bytes = hvs_header_size(&s.header);
    for (size_t k = 0; k < s.nrecords; k++)
        bytes += hvs_record_size(&s.records[k]);
    printf("# %s: scenario version %u, %zu bytes, %zu records%s\n", file, s.header.version, bytes, s.nrecords,
           profile ? " (profile overridden by --profile)" : "");
    hvs_disasm_ex(&s, stdout, true);
    printf("# replay (trace: one JSON line per exit and lifecycle event)\n");
    int rc = cli_replay(file, &s, profile, true, true);
    hvs_free(&s);
    return rc;
}
