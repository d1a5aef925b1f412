/*
 * Dataset readers (common/dataset.c): the real Fashion-MNIST files from
 * Debian's dataset-fashion-mnist, and synthetic IDX / line files with every
 * kind of damage: wrong magic, truncation at every length, mismatched
 * counts, trailing bytes, corrupt and truncated gzip, bad lines.
 */
#include <sodium.h>
#include <zlib.h>

#include "reg_test.h"

#define FMNIST "/usr/share/datasets/fashion-mnist/"

static void test_fashion_mnist(zkr_tap *t)
{
    static const uint8_t first_labels[10] = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
    zkr_dataset *ds = NULL;
    zkr_diag d;
    const uint8_t *p;
    size_t len;
    uint32_t rows, cols;
    int labels_ok = 1;
    unsigned sum = 0;
    zkr_err r;

    zkr_diag_clear(&d);
    r = zkr_dataset_open(FMNIST "t10k-images-idx3-ubyte.gz", &ds, &d);
    if (!zkr_tap_ok(t, r == ZKR_OK, "Fashion-MNIST t10k opens (%s)", d.msg))
        return;
    zkr_dataset_shape(ds, &rows, &cols);
    zkr_tap_ok(t, zkr_dataset_count(ds) == 10000 && rows == 28 && cols == 28 &&
                      zkr_dataset_format_of(ds) == ZKR_DATASET_IDX,
               "t10k: 10000 records of 28x28");
    for (int i = 0; i < 10; i++) {
        labels_ok &= zkr_dataset_record(ds, (uint64_t)i, &p, &len) == ZKR_OK && len == 785 &&
                     p[784] == first_labels[i];
    }
    zkr_tap_ok(t, labels_ok, "t10k: records are image || label, first labels 9 2 1 1 6 1 4 6 5 7");
    if (zkr_dataset_record(ds, 0, &p, &len) == ZKR_OK)
        for (size_t i = 0; i < 784; i++)
            sum += p[i];
    zkr_tap_ok(t, sum == 33456, "t10k: record 0's pixels sum to 33456 (as Python's gzip reads)");
    zkr_tap_ok(t, zkr_dataset_record(ds, 10000, &p, &len) == ZKR_ERR_NOT_FOUND && p == NULL,
               "t10k: record 10000 is past the end");
    zkr_dataset_free(ds);
    ds = NULL;
    r = zkr_dataset_open(FMNIST "train-images-idx3-ubyte.gz", &ds, &d);
    zkr_tap_ok(t, r == ZKR_OK && zkr_dataset_count(ds) == 60000, "train: 60000 records");
    if (r == ZKR_OK && zkr_dataset_record(ds, 3, &p, &len) == ZKR_OK)
        zkr_tap_ok(t, p[784] == 3, "train: record 3's label is 3");
    zkr_dataset_free(ds);
    zkr_diag_clear(&d);
    r = zkr_dataset_open(FMNIST "t10k-labels-idx1-ubyte.gz", &ds, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "t10k-labels") && strstr(d.msg, "magic"),
               "a labels file given as the dataset is refused naming the file: %s", d.msg);
}

/* Builds a small IDX pair: n images of 2x3 and n labels. */
static void make_idx(uint8_t *img, size_t *img_len, uint8_t *lab, size_t *lab_len, uint32_t n)
{
    zkr_store_be32(img, 0x803);
    zkr_store_be32(img + 4, n);
    zkr_store_be32(img + 8, 2);
    zkr_store_be32(img + 12, 3);
    for (uint32_t i = 0; i < n * 6; i++)
        img[16 + i] = (uint8_t)(i * 7 + 1);
    *img_len = 16 + (size_t)n * 6;
    zkr_store_be32(lab, 0x801);
    zkr_store_be32(lab + 4, n);
    for (uint32_t i = 0; i < n; i++)
        lab[8 + i] = (uint8_t)(i % 10);
    *lab_len = 8 + n;
}

static void write_gz(const char *path, const uint8_t *p, size_t len)
{
    gzFile g = gzopen(path, "wb");

    if (g == NULL || gzwrite(g, p, (unsigned)len) != (int)len || gzclose(g) != Z_OK) {
        fprintf(stderr, "gz write %s failed\n", path);
        exit(2);
    }
}

static zkr_err try_open(const char *path, zkr_diag *d)
{
    zkr_dataset *ds = NULL;
    zkr_err r;

    zkr_diag_clear(d);
    r = zkr_dataset_open(path, &ds, d);
    zkr_dataset_free(ds);
    return r;
}

static void test_idx_synthetic(zkr_tap *t, const char *dir)
{
    uint8_t img[16 + 5 * 6], lab[8 + 5], bad[64];
    size_t il, ll;
    char ip[512], lp[512], gip[512], glp[512];
    zkr_dataset *ds = NULL;
    const uint8_t *p;
    size_t len;
    zkr_diag d;
    int all;
    zkr_err r;

    make_idx(img, &il, lab, &ll, 5);
    rt_path(ip, dir, "s-images-idx3-ubyte");
    rt_path(lp, dir, "s-labels-idx1-ubyte");
    rt_write(ip, img, il);
    rt_write(lp, lab, ll);
    zkr_diag_clear(&d);
    r = zkr_dataset_open(ip, &ds, &d);
    zkr_tap_ok(t, r == ZKR_OK && zkr_dataset_count(ds) == 5, "raw IDX pair opens (%s)", d.msg);
    if (r == ZKR_OK && zkr_dataset_record(ds, 4, &p, &len) == ZKR_OK)
        zkr_tap_ok(t, len == 7 && memcmp(p, img + 16 + 24, 6) == 0 && p[6] == 4,
                   "raw IDX record 4 is its 6 pixels and label 4");
    zkr_dataset_free(ds);
    ds = NULL;

    rt_path(gip, dir, "g-images-idx3-ubyte.gz");
    rt_path(glp, dir, "g-labels-idx1-ubyte.gz");
    write_gz(gip, img, il);
    write_gz(glp, lab, ll);
    zkr_tap_ok(t, try_open(gip, &d) == ZKR_OK, "gzip IDX pair opens (%s)", d.msg);

    /* Reject twins: wrong magic in each file. */
    memcpy(bad, img, il);
    bad[3] = 0x02;
    rt_write(ip, bad, il);
    r = try_open(ip, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, ip) && strstr(d.msg, "magic"),
               "wrong images magic refused naming the file: %s", d.msg);
    rt_write(ip, img, il);
    memcpy(bad, lab, ll);
    bad[2] = 0x09;
    rt_write(lp, bad, ll);
    r = try_open(ip, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, lp) && strstr(d.msg, "magic"),
               "wrong labels magic refused naming the labels file: %s", d.msg);

    /* Mismatched counts. */
    memcpy(bad, lab, ll);
    zkr_store_be32(bad + 4, 4);
    rt_write(lp, bad, ll - 1);
    r = try_open(ip, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED && strstr(d.msg, "4 labels"),
               "4 labels for 5 images refused: %s", d.msg);

    /* Truncation at every length, and one trailing byte, for both files. */
    rt_write(lp, lab, ll);
    all = 1;
    for (size_t n = 0; n < il; n++) {
        rt_write(ip, img, n);
        all &= try_open(ip, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, ip) != NULL;
    }
    zkr_tap_ok(t, all, "images truncated at each of %zu lengths: refused, file named", il);
    memcpy(bad, img, il);
    bad[il] = 0;
    rt_write(ip, bad, il + 1);
    zkr_tap_ok(t, try_open(ip, &d) == ZKR_ERR_MALFORMED, "images with a trailing byte refused");
    rt_write(ip, img, il);
    all = 1;
    for (size_t n = 0; n < ll; n++) {
        rt_write(lp, lab, n);
        all &= try_open(ip, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, lp) != NULL;
    }
    zkr_tap_ok(t, all, "labels truncated at each of %zu lengths: refused, file named", ll);

    /* Dimensions zero, count zero. */
    rt_write(lp, lab, ll);
    memcpy(bad, img, il);
    zkr_store_be32(bad + 8, 0);
    rt_write(ip, bad, il);
    zkr_tap_ok(t, try_open(ip, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, "dimensions"),
               "zero rows refused: %s", d.msg);

    /* Missing labels file, and a name that does not say where it is. */
    rt_write(ip, img, il);
    unlink(lp);
    r = try_open(ip, &d);
    zkr_tap_ok(t, r == ZKR_ERR_NOT_FOUND && strstr(d.msg, "s-labels-idx1-ubyte"),
               "missing labels file: not found, named: %s", d.msg);
    rt_path(ip, dir, "weird-idx3.bin");
    rt_write(ip, img, il);
    zkr_tap_ok(t, try_open(ip, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, "images-idx3"),
               "IDX name without images-idx3 refused: %s", d.msg);
}

/* 1 when the file is refused, or opens with exactly the original records. */
static int same_or_refused(const char *path, const uint8_t *pixels)
{
    zkr_dataset *ds = NULL;
    const uint8_t *p;
    size_t len;
    int ok = 1;

    if (zkr_dataset_open(path, &ds, NULL) != ZKR_OK)
        return 1;
    ok = zkr_dataset_count(ds) == 5;
    for (uint64_t i = 0; ok && i < 5; i++)
        ok = zkr_dataset_record(ds, i, &p, &len) == ZKR_OK && len == 7 &&
             memcmp(p, pixels + i * 6, 6) == 0 && p[6] == i % 10;
    zkr_dataset_free(ds);
    return ok;
}

static void test_gzip_damage(zkr_tap *t, const char *dir)
{
    uint8_t img[16 + 5 * 6], lab[8 + 5];
    size_t il, ll;
    char gip[512], glp[512];
    zkr_buf gz = {0}, bad = {0};
    zkr_diag d;
    int all_trunc = 1, flips_bad = 0, flips = 0;

    make_idx(img, &il, lab, &ll, 5);
    rt_path(gip, dir, "d-images-idx3-ubyte.gz");
    rt_path(glp, dir, "d-labels-idx1-ubyte.gz");
    write_gz(gip, img, il);
    write_gz(glp, lab, ll);
    if (zkr_file_read(gip, 1 << 20, &gz, NULL) != ZKR_OK)
        return;
    for (size_t n = 2; n < gz.len; n++) {
        rt_write(gip, gz.p, n);
        all_trunc &= try_open(gip, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, gip) != NULL;
    }
    zkr_tap_ok(t, all_trunc, "gzip truncated at each of %zu lengths: refused", gz.len - 2);
    /* A bit flip in the deflate data or CRC must never give a dataset back. */
    for (size_t i = 10; i < gz.len; i++) {
        bad.len = 0;
        if (zkr_buf_append(&bad, gz.p, gz.len) != ZKR_OK)
            break;
        bad.p[i] ^= 0x10;
        rt_write(gip, bad.p, bad.len);
        flips++;
        flips_bad += same_or_refused(gip, img + 16);
    }
    /* Deflate ignores the pad bits of its last byte: such a flip gives the same data. */
    zkr_tap_ok(t, flips_bad == flips,
               "%d of %d bit flips in gzip body/trailer refused or harmless", flips_bad, flips);
    bad.len = 0;
    if (zkr_buf_append(&bad, gz.p, gz.len) == ZKR_OK && zkr_buf_append(&bad, "x", 1) == ZKR_OK) {
        rt_write(gip, bad.p, bad.len);
        zkr_tap_ok(t, try_open(gip, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, "after the end"),
                   "bytes after the gzip stream refused: %s", d.msg);
    }
    zkr_buf_free(&gz);
    zkr_buf_free(&bad);
}

static void test_lines(zkr_tap *t, const char *dir)
{
    char lp[512];
    zkr_dataset *ds = NULL;
    const uint8_t *p;
    size_t len;
    zkr_diag d;
    zkr_err r;

    rt_path(lp, dir, "records.txt");
    rt_write(lp, "alpha\nbeta gamma\n\xc3\xa9t\xc3\xa9\n", 23);
    zkr_diag_clear(&d);
    r = zkr_dataset_open(lp, &ds, &d);
    zkr_tap_ok(t, r == ZKR_OK && zkr_dataset_count(ds) == 3 &&
                      zkr_dataset_format_of(ds) == ZKR_DATASET_LINES,
               "line file with 3 records opens (%s)", d.msg);
    if (r == ZKR_OK && zkr_dataset_record(ds, 1, &p, &len) == ZKR_OK)
        zkr_tap_ok(t, len == 10 && memcmp(p, "beta gamma", 10) == 0,
                   "record 1 is the line without its newline");
    zkr_dataset_free(ds);
    ds = NULL;
    rt_write(lp, "alpha\nbeta", 10);
    r = zkr_dataset_open(lp, &ds, &d);
    zkr_tap_ok(t, r == ZKR_OK && zkr_dataset_count(ds) == 2, "last newline optional");
    zkr_dataset_free(ds);
    rt_write(lp, "alpha\n\nbeta\n", 12);
    zkr_tap_ok(t, try_open(lp, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, "line 2") &&
                      strstr(d.msg, lp),
               "empty line refused naming file and line: %s", d.msg);
    rt_write(lp, "alpha\nbe\xff" "ta\n", 12);
    zkr_tap_ok(t, try_open(lp, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, "line 2"),
               "non-UTF-8 line refused: %s", d.msg);
    rt_write(lp, "alpha\r\nbeta\n", 12);
    zkr_tap_ok(t, try_open(lp, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, "line 1"),
               "CR (control character) refused: %s", d.msg);
    rt_write(lp, "", 0);
    zkr_tap_ok(t, try_open(lp, &d) == ZKR_ERR_MALFORMED && strstr(d.msg, "empty"),
               "empty file refused: %s", d.msg);
    rt_path(lp, dir, "absent.txt");
    zkr_tap_ok(t, try_open(lp, &d) == ZKR_ERR_NOT_FOUND && strstr(d.msg, "absent.txt"),
               "missing file: not found, named: %s", d.msg);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char dir[256];

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0)
        return 2;
    rt_tmpdir(dir);
    test_fashion_mnist(&t);
    test_idx_synthetic(&t, dir);
    test_gzip_damage(&t, dir);
    test_lines(&t, dir);
    rt_cleanup(dir);
    return zkr_tap_done(&t);
}
