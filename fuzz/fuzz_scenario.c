/* fuzz_scenario: the scenario format's own code (parse.c, write.c, text.c). Whatever the bytes, parsing never
 * crashes; when they parse, hvs_write reproduces them exactly (the format has one encoding per scenario),
 * and the text form round-trips: disasm -> asm -> write gives the same bytes again. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "fuzz_common.h"
#include "text.h"

static void hex(const char *what, const uint8_t *b, size_t n)
{
    printf("%s (%zu bytes):", what, n);
    for (size_t i = 0; i < n && i < 256; i++)
        printf(" %02x", b[i]);
    printf("\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hvs_scenario s;
    char err[160];
    if (hvs_parse(&s, data, size, err, sizeof err) != 0)
        return 0;
    size_t wlen = 0;
    uint8_t *w = hvs_write(&s, &wlen);
    if (!w)
        fz_oracle("scenario-write", "hvs_write failed on a parsed scenario");
    if (wlen != size || memcmp(w, data, size) != 0) {
        hex("input", data, size);
        hex("written", w, wlen);
        fz_oracle("scenario-write", "hvs_write does not reproduce the parsed bytes");
    }
    /* the text form */
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    if (!f)
        abort();
    hvs_disasm(&s, f);
    fclose(f);
    struct hvs_scenario t;
    if (hvs_asm(&t, text, tlen, err, sizeof err) != 0) {
        printf("%s", text);
        fz_oracle("scenario-text", "hvs_asm rejects hvs_disasm's text: %s", err);
    }
    size_t t2len = 0;
    uint8_t *t2 = hvs_write(&t, &t2len);
    if (!t2 || t2len != wlen || memcmp(t2, w, wlen) != 0) {
        printf("%s", text);
        hex("written", w, wlen);
        if (t2)
            hex("via text", t2, t2len);
        fz_oracle("scenario-text", "disasm -> asm does not round-trip");
    }
    free(t2);
    hvs_free(&t);
    free(text);
    free(w);
    hvs_free(&s);
    return 0;
}
