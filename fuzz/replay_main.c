/*
 * Replays files through a harness: each argument is a file or a directory
 * whose regular files are replayed in name order. Prints one TAP line per
 * file; a crash or sanitizer report aborts the process, which the test
 * runner reports as a failure.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "common/common.h"
#include "fuzz.h"

/* Each harness caps its own input; replay reads up to the largest cap (inference@2 proofs). */
#define ZKR_FUZZ_REPLAY_MAX ((size_t)1 << 23)

static int replay_file(const char *path, int *n)
{
    zkr_buf b = {0};
    zkr_err r = zkr_file_read(path, ZKR_FUZZ_REPLAY_MAX, &b, NULL);

    if (r != ZKR_OK) {
        printf("not ok %d - %s: unreadable (%s)\n", ++*n, path, zkr_strerror(r));
        return 1;
    }
    (void)LLVMFuzzerTestOneInput(b.p != NULL ? b.p : (const uint8_t *)"", b.len);
    printf("ok %d - %s (%zu bytes)\n", ++*n, path, b.len);
    fflush(stdout);
    zkr_buf_free(&b);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, int *n)
{
    struct dirent *e;
    char **names = NULL, path[4096];
    size_t count = 0, cap = 0;
    int failed = 0;
    DIR *d = opendir(dir);

    if (d == NULL)
        return 0; /* an absent regress folder just has nothing to replay */
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        if (count == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (nn == NULL) {
                failed = 1; /* never pass with files left unreplayed */
                break;
            }
            names = nn;
        }
        if ((names[count] = strdup(e->d_name)) == NULL) {
            failed = 1;
            break;
        }
        count++;
    }
    closedir(d);
    if (count > 0) /* qsort(NULL, 0, ...) is undefined (an empty folder) */
        qsort(names, count, sizeof *names, cmp_names);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (names[i] != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            failed |= replay_file(path, n);
        free(names[i]);
    }
    free(names);
    return failed;
}

int main(int argc, char **argv)
{
    struct stat st;
    int n = 0, failed = 0;

    if (sodium_init() < 0)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            failed |= replay_dir(argv[i], &n);
        else if (stat(argv[i], &st) == 0)
            failed |= replay_file(argv[i], &n);
    }
    /* The empty input is always replayed: every decoder must refuse it cleanly. */
    (void)LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    n++;
    printf("ok %d - empty input\n1..%d\n", n, n);
    return failed;
}
