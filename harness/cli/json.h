/* A small strict JSON reader (RFC 8259) for hvkit's inputs: every error names the byte offset. Numbers are
 * kept as their source text; hvkit's formats carry values as hex strings. */
#ifndef HVKIT_JSON_H
#define HVKIT_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
    enum json_type type;
    size_t offset;   /* byte offset of the value in the input */
    char *str;       /* JSON_STRING: decoded text (NUL-terminated); JSON_NUMBER: source text */
    size_t str_len;  /* JSON_STRING: length (may contain NUL via \u0000) */
    int boolean;
    size_t count;    /* JSON_ARRAY / JSON_OBJECT: number of members */
    char **keys;     /* JSON_OBJECT: member names */
    size_t *key_offsets;
    struct json_value **items;
};

/* Parse text[0..len). On error returns NULL and writes "byte N: reason" into err. */
struct json_value *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(struct json_value *v);
/* Member of an object by name, or NULL. */
const struct json_value *json_get(const struct json_value *obj, const char *key);
/* Write s as a JSON string literal (with quotes) to f. */
#include <stdio.h>
void json_print_string(FILE *f, const char *s);

#endif
