/* The text form of scenarios (docs/scenario-format.md, "Text form"): one record per line, the same names
 * and fields as the binary table (records.c), `#` comments, header lines first. People and tests write
 * scenarios in it (`hvkit asm`), and `hvkit repro` shows crash files in it. */
#ifndef HVS_TEXT_H
#define HVS_TEXT_H

#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Defaults of header lines a text omits. */
#define HVS_TEXT_DEFAULT_PROFILE "bochs-haswell"
#define HVS_TEXT_DEFAULT_PAGES 1024u /* 4 MiB */
#define HVS_TEXT_DEFAULT_ENTRY 0x1000u
#define HVS_TEXT_DEFAULT_STACK 0x8000u

/* Assemble text[0..len) into s (records get the offsets hvs_write will give them). On error returns -1,
 * leaves s empty and writes "LINE:COLUMN: reason" (both 1-based) into err. */
int hvs_asm(struct hvs_scenario *s, const char *text, size_t len, char *err, size_t errlen);

/* Write s as text that hvs_asm reads back to s. With offsets, every line ends in "# byte N", the offset of
 * its header or record in the binary file. */
void hvs_disasm(const struct hvs_scenario *s, FILE *f);
void hvs_disasm_ex(const struct hvs_scenario *s, FILE *f, bool offsets);
/* One record as one line of text, without the newline. */
void hvs_disasm_record(const struct hvs_record *r, FILE *f);

#endif
