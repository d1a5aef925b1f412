/*
 * Dataset files (common/dataset.c): IDX images + labels (raw or gzip) and
 * line files, as register-dataset reads them. zkr_dataset_open takes a
 * path (the labels file is found beside the images file by name), so each
 * input is written to files in a fresh temporary folder that is removed
 * again. Input layout:
 *   'L' || line file
 *   'I' || images_len u32 LE || images file || labels file
 * Inputs are capped at 64 KiB so a gzip member cannot inflate past ~64 MiB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "fuzz.h"

#define FZ_DATASET_MAX_INPUT ((size_t)64 << 10)

static int put(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL)
        return 0;
    ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

static void walk(const char *path)
{
    zkr_dataset *ds = NULL;
    const uint8_t *p;
    uint32_t rows, cols;
    size_t len;
    uint64_t n;
    volatile uint8_t sink = 0;

    if (zkr_dataset_open(path, &ds, NULL) != ZKR_OK)
        return;
    n = zkr_dataset_count(ds);
    zkr_dataset_shape(ds, &rows, &cols);
    for (uint64_t i = 0; i < n; i++)
        if (zkr_dataset_record(ds, i, &p, &len) != ZKR_OK ||
            (zkr_dataset_format_of(ds) == ZKR_DATASET_IDX && len != (size_t)rows * cols + 1))
            abort(); /* a record the dataset counted must be there, whole */
        else
            for (size_t j = 0; j < len; j++)
                sink ^= p[j]; /* every byte readable (ASan) */
    if (zkr_dataset_record(ds, n, &p, &len) != ZKR_ERR_NOT_FOUND)
        abort();
    zkr_dataset_free(ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    char dir[64], a[96], b[96];
    uint32_t il;

    if (size < 1 || size > FZ_DATASET_MAX_INPUT)
        return 0;
    snprintf(dir, sizeof dir, "%s/zkr-fuzz-ds-XXXXXX", base);
    if (mkdtemp(dir) == NULL)
        return 0;
    a[0] = b[0] = '\0';
    if (data[0] == 'I' && size >= 5) {
        il = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
             (uint32_t)data[4] << 24;
        if (il <= size - 5) {
            snprintf(a, sizeof a, "%s/t-images-idx3-ubyte", dir);
            snprintf(b, sizeof b, "%s/t-labels-idx1-ubyte", dir);
            if (put(a, data + 5, il) && put(b, data + 5 + il, size - 5 - il))
                walk(a);
        }
    } else if (data[0] == 'L') {
        snprintf(a, sizeof a, "%s/lines.txt", dir);
        if (put(a, data + 1, size - 1))
            walk(a);
    }
    if (a[0] != '\0')
        (void)unlink(a);
    if (b[0] != '\0')
        (void)unlink(b);
    (void)rmdir(dir);
    return 0;
}
