/* hvkit asm TEXT -o FILE.hvs: assemble the text form of a scenario into the binary format. It never
 * overwrites: corpora and crash files are evidence, so an existing output file is refused (exit 3). */
#include "cli.h"
#include "scenario.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_asm(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0) {
            if (i + 1 >= argc)
                cli_bad_input("asm", "-o needs an output file");
            out = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1])
            cli_bad_input("asm", "unknown option '%s' (usage: hvkit asm TEXT -o FILE.hvs)", argv[i]);
        else if (in)
            cli_bad_input("asm", "more than one TEXT ('%s', '%s')", in, argv[i]);
        else
            in = argv[i];
    }
    if (!in || !out)
        cli_bad_input("asm", "usage: hvkit asm TEXT -o FILE.hvs (TEXT - is stdin, FILE - is stdout)");
    struct hvs_scenario s;
    cli_load_scenario_text(in, &s);
    size_t nrecords = s.nrecords;
    size_t len = cli_write_scenario(in, out, &s, false, "hvkit asm never overwrites a file (remove it or choose "
                                                         "another name)");
    hvs_free(&s);
    if (strcmp(out, "-") != 0)
        fprintf(stderr, "hvkit: %s: %zu bytes, %zu records\n", out, len, nrecords);
    return HVKIT_EXIT_OK;
}
