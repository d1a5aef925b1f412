/*
 * Dataset readers: IDX (gzip or raw; images file plus its labels file) and
 * plain text with one record per line. Everything is validated up front so
 * that a dataset that opens is exactly what docs/formats.md describes.
 */
#include <string.h>

#include <stdlib.h>
#include <zlib.h>

#include "common.h"

#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_MAX_SIDE 4096u
#define DATASET_MAX_LINE_BYTES ((size_t)1 << 20)

struct zkr_dataset {
    zkr_dataset_format format;
    uint64_t count;
    uint32_t rows, cols;
    size_t record_len;  /* IDX: fixed record length */
    zkr_buf data;       /* IDX: records back to back; lines: the file */
    size_t *offsets;    /* lines: count + 1 offsets into data (start of each line) */
    size_t *lengths;    /* lines: length of each line without its newline */
};

/* Inflates a complete gzip member; anything after it is refused. */
static zkr_err gunzip(const char *path, const zkr_buf *in, zkr_buf *out, zkr_diag *d)
{
    z_stream zs;
    zkr_err r = ZKR_OK;
    int zr;

    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return zkr_fail(d, ZKR_ERR_NOMEM, "%s: cannot start the gzip decoder", path);
    zs.next_in = in->p;
    if (in->len > UINT32_MAX) {
        r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: compressed file too large", path);
        goto out;
    }
    zs.avail_in = (uInt)in->len;
    for (;;) {
        if ((r = zkr_buf_reserve(out, (size_t)1 << 20)) != ZKR_OK)
            goto out;
        zs.next_out = out->p + out->len;
        zs.avail_out = (uInt)(out->cap - out->len > UINT32_MAX ? UINT32_MAX
                                                                 : out->cap - out->len);
        zr = inflate(&zs, Z_NO_FLUSH);
        out->len = (size_t)(zs.next_out - out->p);
        if (out->len > ZKR_DATASET_MAX_BYTES) {
            r = zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: decompresses to over %zu bytes", path,
                         ZKR_DATASET_MAX_BYTES);
            goto out;
        }
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_BUF_ERROR && zs.avail_in == 0) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "%s: gzip stream truncated", path);
            goto out;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "%s: gzip data corrupt (%s)", path,
                         zs.msg ? zs.msg : "inflate failed");
            goto out;
        }
    }
    if (zs.avail_in != 0)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "%s: %u bytes after the end of the gzip stream",
                     path, zs.avail_in);
out:
    inflateEnd(&zs);
    return r;
}

/* Reads a file and inflates it when it starts with the gzip magic. */
static zkr_err load_maybe_gzip(const char *path, zkr_buf *out, zkr_diag *d)
{
    zkr_buf raw = {0};
    zkr_err r;

    if ((r = zkr_file_read(path, ZKR_DATASET_MAX_BYTES, &raw, d)) != ZKR_OK)
        goto out;
    if (raw.len >= 2 && raw.p[0] == 0x1f && raw.p[1] == 0x8b) {
        r = gunzip(path, &raw, out, d);
        goto out;
    }
    *out = raw;
    memset(&raw, 0, sizeof raw);
out:
    zkr_buf_free(&raw);
    return r;
}

zkr_err zkr_dataset_labels_path(const char *images, zkr_buf *out, zkr_diag *d)
{
    const char *base = strrchr(images, '/');
    const char *hit;
    zkr_err r;

    base = base ? base + 1 : images;
    hit = strstr(base, "images-idx3");
    if (hit == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: IDX images file name must contain 'images-idx3' so that its "
                        "'labels-idx1' file can be found", images);
    if ((r = zkr_buf_append(out, images, (size_t)(hit - images))) != ZKR_OK ||
        (r = zkr_buf_append_str(out, "labels-idx1")) != ZKR_OK ||
        (r = zkr_buf_append_str(out, hit + strlen("images-idx3"))) != ZKR_OK)
        return r;
    return zkr_buf_terminate(out);
}

static zkr_err idx_images_header(const char *path, const zkr_buf *b, uint32_t *n,
                                 uint32_t *rows, uint32_t *cols, zkr_diag *d)
{
    uint64_t want;

    if (b->len < 16)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: IDX header truncated (%zu of 16 bytes)",
                        path, b->len);
    if (zkr_load_be32(b->p) != IDX_IMAGES_MAGIC)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: magic %08x is not an idx3 ubyte images file (want 00000803)",
                        path, zkr_load_be32(b->p));
    *n = zkr_load_be32(b->p + 4);
    *rows = zkr_load_be32(b->p + 8);
    *cols = zkr_load_be32(b->p + 12);
    if (*n == 0 || *n > ZKR_DATASET_MAX_RECORDS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: record count %u out of range 1..%llu",
                        path, *n, (unsigned long long)ZKR_DATASET_MAX_RECORDS);
    if (*rows == 0 || *cols == 0 || *rows > IDX_MAX_SIDE || *cols > IDX_MAX_SIDE)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: image dimensions %ux%u out of range", path,
                        *rows, *cols);
    want = 16 + (uint64_t)*n * *rows * *cols;
    if (want != b->len)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: size %zu bytes, but the header (%u images of %ux%u) needs %llu",
                        path, b->len, *n, *rows, *cols, (unsigned long long)want);
    return ZKR_OK;
}

static zkr_err idx_labels_header(const char *path, const zkr_buf *b, uint32_t n, zkr_diag *d)
{
    uint32_t m;

    if (b->len < 8)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: IDX header truncated (%zu of 8 bytes)", path,
                        b->len);
    if (zkr_load_be32(b->p) != IDX_LABELS_MAGIC)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: magic %08x is not an idx1 ubyte labels file (want 00000801)",
                        path, zkr_load_be32(b->p));
    m = zkr_load_be32(b->p + 4);
    if (m != n)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: %u labels, but the images file has %u",
                        path, m, n);
    if (b->len != 8 + (uint64_t)n)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: size %zu bytes, but the header (%u labels) needs %llu", path,
                        b->len, n, (unsigned long long)(8 + (uint64_t)n));
    return ZKR_OK;
}

static zkr_err open_idx(const char *path, zkr_buf *images, zkr_dataset *ds, zkr_diag *d)
{
    zkr_buf lpath = {0}, labels = {0};
    uint32_t n = 0, rows = 0, cols = 0;
    size_t img_len;
    zkr_err r;

    if ((r = idx_images_header(path, images, &n, &rows, &cols, d)) != ZKR_OK ||
        (r = zkr_dataset_labels_path(path, &lpath, d)) != ZKR_OK ||
        (r = load_maybe_gzip((const char *)lpath.p, &labels, d)) != ZKR_OK ||
        (r = idx_labels_header((const char *)lpath.p, &labels, n, d)) != ZKR_OK)
        goto out;
    img_len = (size_t)rows * cols;
    ds->format = ZKR_DATASET_IDX;
    ds->count = n;
    ds->rows = rows;
    ds->cols = cols;
    ds->record_len = img_len + 1;
    if ((r = zkr_buf_reserve(&ds->data, (size_t)n * ds->record_len)) != ZKR_OK)
        goto out;
    for (uint32_t i = 0; i < n; i++) {
        memcpy(ds->data.p + (size_t)i * ds->record_len, images->p + 16 + (size_t)i * img_len,
               img_len);
        ds->data.p[(size_t)i * ds->record_len + img_len] = labels.p[8 + i];
    }
    ds->data.len = (size_t)n * ds->record_len;
out:
    zkr_buf_free(&lpath);
    zkr_buf_free(&labels);
    return r;
}

/* One record per line: LF-terminated (the last LF optional), non-empty, UTF-8. */
static zkr_err open_lines(const char *path, zkr_buf *file, zkr_dataset *ds, zkr_diag *d)
{
    uint64_t n = 0;
    size_t pos = 0;
    zkr_err r = ZKR_OK;

    if (file->len == 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: empty dataset (no records)", path);
    for (size_t i = 0; i < file->len; i++)
        if (file->p[i] == '\n')
            n++;
    if (file->p[file->len - 1] != '\n')
        n++;
    if (n > ZKR_DATASET_MAX_RECORDS)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: %llu lines, over the limit of %llu", path,
                        (unsigned long long)n, (unsigned long long)ZKR_DATASET_MAX_RECORDS);
    ds->offsets = calloc((size_t)n, sizeof *ds->offsets);
    ds->lengths = calloc((size_t)n, sizeof *ds->lengths);
    if (ds->offsets == NULL || ds->lengths == NULL)
        return ZKR_ERR_NOMEM;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *nl = memchr(file->p + pos, '\n', file->len - pos);
        size_t len = nl ? (size_t)(nl - (file->p + pos)) : file->len - pos;
        if (len == 0)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: line %llu is empty", path,
                            (unsigned long long)i + 1);
        if (len > DATASET_MAX_LINE_BYTES)
            return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: line %llu is over %zu bytes", path,
                            (unsigned long long)i + 1, DATASET_MAX_LINE_BYTES);
        if (zkr_utf8_check(file->p + pos, len) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "%s: line %llu is not UTF-8 text (or has control characters)",
                            path, (unsigned long long)i + 1);
        ds->offsets[i] = pos;
        ds->lengths[i] = len;
        pos += len + 1;
    }
    ds->format = ZKR_DATASET_LINES;
    ds->count = n;
    ds->data = *file;
    memset(file, 0, sizeof *file);
    return r;
}

static int looks_like_idx(const char *path, const zkr_buf *b)
{
    const char *base = strrchr(path, '/');

    base = base ? base + 1 : path;
    return (b->len >= 4 && b->p[0] == 0 && b->p[1] == 0 && b->p[2] == 0x08) ||
           strstr(base, "-idx") != NULL;
}

zkr_err zkr_dataset_open(const char *path, zkr_dataset **out, zkr_diag *d)
{
    zkr_dataset *ds = NULL;
    zkr_buf file = {0};
    zkr_err r;

    *out = NULL;
    if (path == NULL)
        return ZKR_ERR_USAGE;
    ds = calloc(1, sizeof *ds);
    if (ds == NULL)
        return ZKR_ERR_NOMEM;
    if ((r = load_maybe_gzip(path, &file, d)) != ZKR_OK)
        goto out;
    if (looks_like_idx(path, &file))
        r = open_idx(path, &file, ds, d);
    else
        r = open_lines(path, &file, ds, d);
    if (r != ZKR_OK)
        goto out;
    *out = ds;
    ds = NULL;
out:
    zkr_buf_free(&file);
    zkr_dataset_free(ds);
    return r;
}

zkr_dataset_format zkr_dataset_format_of(const zkr_dataset *ds)
{
    return ds->format;
}

uint64_t zkr_dataset_count(const zkr_dataset *ds)
{
    return ds->count;
}

void zkr_dataset_shape(const zkr_dataset *ds, uint32_t *rows, uint32_t *cols)
{
    *rows = ds->rows;
    *cols = ds->cols;
}

zkr_err zkr_dataset_record(const zkr_dataset *ds, uint64_t i, const uint8_t **p, size_t *len)
{
    *p = NULL;
    *len = 0;
    if (i >= ds->count)
        return ZKR_ERR_NOT_FOUND;
    if (ds->format == ZKR_DATASET_IDX) {
        *p = ds->data.p + (size_t)i * ds->record_len;
        *len = ds->record_len;
    } else {
        *p = ds->data.p + ds->offsets[i];
        *len = ds->lengths[i];
    }
    return ZKR_OK;
}

void zkr_dataset_free(zkr_dataset *ds)
{
    if (ds == NULL)
        return;
    zkr_buf_free(&ds->data);
    free(ds->offsets);
    free(ds->lengths);
    free(ds);
}
