/* The replay driver of every fuzz target (<target>_replay): runs LLVMFuzzerTestOneInput over each file given,
 * or over every regular file of a directory given, printing one line per file. A crash (an oracle's abort,
 * a sanitizer report) kills the process, which is the failure signal; a file that cannot be read exits 2.
 * Built in every preset with plain main(), so corpora replay under gcc's sanitizers in ctest. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return 2;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "%s: out of memory\n", path);
        return 2;
    }
    printf("%s: %zu bytes ... ", path, len);
    fflush(stdout);
    LLVMFuzzerTestOneInput(buf, len);
    printf("ok\n");
    fflush(stdout);
    free(buf);
    return 0;
}

/* Every regular file of a directory, in name order (deterministic output). */
static int run_dir(const char *dir, unsigned *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return 2;
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char **nv = realloc(names, (nn + 1) * sizeof *names);
        if (!nv)
            break;
        names = nv;
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        names[nn] = malloc(l);
        if (!names[nn])
            break;
        snprintf(names[nn++], l, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < nn; i++) {
        struct stat st;
        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            rc = run_file(names[i]);
            ++*count;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    unsigned count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: no such file or directory\n", argv[i]);
            return 2;
        }
        int rc = S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) : (count++, run_file(argv[i]));
        if (rc)
            return rc;
    }
    printf("replayed %u inputs, no crash\n", count);
    return 0;
}
