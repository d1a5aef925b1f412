/*
 * Hiding dataset commitments (common/dscommit.c), TAP: the commitment file
 * decoder against every truncation and every single-bit flip, the sealed
 * secrets file against truncation, a wrong passphrase and flips, openings of
 * every record with reject twins (wrong salt, index, record, path), and the
 * hiding property that matters to callers: a v2 leaf is not the v1 leaf
 * and changes with the salt.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/common.h"
#include "tap.h"

static zkr_dataset *lines_dataset(zkr_tap *t, const char *text, char *path, size_t cap)
{
    zkr_dataset *ds = NULL;
    zkr_diag d;
    FILE *f;
    int fd;

    snprintf(path, cap, "%s/zkr-dsc-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fd = mkstemp(path);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
        return NULL;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_dataset_open(path, &ds, &d) == ZKR_OK, "opened the lines dataset (%s)", d.msg);
    return ds;
}

static void test_commitment_file(zkr_tap *t, const zkr_dscommit *c)
{
    uint8_t f[ZKR_DSCOMMIT_FILE_BYTES + 1], g[ZKR_DSCOMMIT_FILE_BYTES + 1];
    zkr_dscommit back;
    int all = 1;

    zkr_tap_ok(t, zkr_dscommit_encode(c, f) == ZKR_OK, "commitment encodes");
    zkr_tap_ok(t, zkr_dscommit_decode(f, ZKR_DSCOMMIT_FILE_BYTES, "c", &back, NULL) == ZKR_OK &&
                      memcmp(&back, c, sizeof back) == 0,
               "commitment decodes to itself");
    for (size_t n = 0; n < ZKR_DSCOMMIT_FILE_BYTES; n++)
        all &= zkr_dscommit_decode(f, n, "c", &back, NULL) != ZKR_OK;
    zkr_tap_ok(t, all, "every truncation (0..84 bytes) is refused");
    f[ZKR_DSCOMMIT_FILE_BYTES] = 0;
    zkr_tap_ok(t, zkr_dscommit_decode(f, ZKR_DSCOMMIT_FILE_BYTES + 1, "c", &back, NULL) ==
                      ZKR_ERR_MALFORMED,
               "a trailing byte is refused");
    all = 1;
    for (size_t bit = 0; bit < 8 * ZKR_DSCOMMIT_FILE_BYTES; bit++) {
        memcpy(g, f, ZKR_DSCOMMIT_FILE_BYTES);
        g[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        all &= zkr_dscommit_decode(g, ZKR_DSCOMMIT_FILE_BYTES, "c", &back, NULL) != ZKR_OK;
    }
    zkr_tap_ok(t, all, "every single-bit flip of the commitment is refused");
}

static void test_secrets(zkr_tap *t, const zkr_dscommit_secrets *s)
{
    static const uint8_t pass[] = "pw", wrong[] = "pv";
    zkr_dscommit_secrets back = {0};
    zkr_buf f = {0};
    zkr_diag d;
    int all = 1;

    zkr_tap_ok(t, zkr_dscommit_secrets_seal(s, pass, 2, 1, &f) == ZKR_OK, "secrets seal");
    zkr_tap_ok(t, zkr_dscommit_secrets_open(f.p, f.len, pass, 2, "s", &back, NULL) == ZKR_OK &&
                      back.count == s->count &&
                      memcmp(back.salts, s->salts, s->count * ZKR_DSCOMMIT_SALT_BYTES) == 0 &&
                      memcmp(back.digest, s->digest, 32) == 0,
               "secrets open to the same salts and digest");
    zkr_dscommit_secrets_free(&back);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_dscommit_secrets_open(f.p, f.len, wrong, 2, "s", &back, &d) ==
                          ZKR_ERR_PASSPHRASE && back.salts == NULL,
               "a wrong passphrase is refused, nothing returned (%s)", d.msg);
    /* Every truncation is refused by length before any KDF runs. */
    for (size_t n = 0; n < f.len; n++)
        all &= zkr_dscommit_secrets_open(f.p, n, pass, 2, "s", &back, NULL) == ZKR_ERR_MALFORMED;
    zkr_tap_ok(t, all, "every truncation of the secrets file is refused as malformed");
    /* A flip in the header, the sealed key, the nonce and the salts. */
    {
        const size_t at[] = {12, 44, 60, 56 + 112, f.len - 17, f.len - 1};
        all = 1;
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            f.p[at[i]] ^= 1;
            all &= zkr_dscommit_secrets_open(f.p, f.len, pass, 2, "s", &back, NULL) != ZKR_OK;
            f.p[at[i]] ^= 1;
        }
        zkr_tap_ok(t, all, "flips in the digest, count, sealed key, nonce and salts are refused");
    }
    zkr_buf_free(&f);
}

static void test_openings(zkr_tap *t, const zkr_dataset *ds, const zkr_dscommit *c,
                          zkr_dscommit_secrets *s)
{
    zkr_dscommit c2;
    zkr_dscommit_opening o;
    uint8_t bad[ZKR_DSCOMMIT_SALT_BYTES], v1[32];
    int all = 1;

    for (uint64_t i = 0; i < c->count; i++) {
        all &= zkr_dscommit_open_record(ds, s, i, &c2, &o, NULL) == ZKR_OK &&
               memcmp(&c2, c, sizeof c2) == 0 &&
               zkr_dscommit_verify_record(c->root, c->count, i, o.record, o.record_len, o.salt,
                                          (const uint8_t(*)[32])o.path, o.path_len) == ZKR_OK;
    }
    zkr_tap_ok(t, all, "every record opens and verifies");
    zkr_tap_ok(t, zkr_dscommit_open_record(ds, s, 2, &c2, &o, NULL) == ZKR_OK, "open record 2");
    memcpy(bad, o.salt, sizeof bad);
    bad[0] ^= 1;
    zkr_tap_ok(t, zkr_dscommit_verify_record(c->root, c->count, 2, o.record, o.record_len, bad,
                                             (const uint8_t(*)[32])o.path, o.path_len) ==
                      ZKR_ERR_VERIFY,
               "wrong salt: refused");
    zkr_tap_ok(t, zkr_dscommit_verify_record(c->root, c->count, 1, o.record, o.record_len, o.salt,
                                             (const uint8_t(*)[32])o.path, o.path_len) != ZKR_OK,
               "wrong index: refused");
    zkr_tap_ok(t, zkr_dscommit_verify_record(c->root, c->count, 2, o.record, o.record_len - 1,
                                             o.salt, (const uint8_t(*)[32])o.path,
                                             o.path_len) == ZKR_ERR_VERIFY,
               "other record bytes: refused");
    o.path[0][3] ^= 1;
    zkr_tap_ok(t, zkr_dscommit_verify_record(c->root, c->count, 2, o.record, o.record_len, o.salt,
                                             (const uint8_t(*)[32])o.path, o.path_len) ==
                      ZKR_ERR_VERIFY,
               "flipped path: refused");
    zkr_merkle_leaf_hash(o.record, o.record_len, v1);
    zkr_tap_ok(t, memcmp(v1, o.leaf, 32) != 0, "the v2 leaf is not the public v1 leaf");
    zkr_dscommit_leaf(o.record, o.record_len, bad, v1);
    zkr_tap_ok(t, memcmp(v1, o.leaf, 32) != 0, "the leaf changes with the salt");
    zkr_tap_ok(t, zkr_dscommit_open_record(ds, s, c->count, &c2, &o, NULL) == ZKR_ERR_NOT_FOUND,
               "index past the end: not found");
    s->salts[0][0] ^= 1; /* the secrets of "another dataset" */
    zkr_tap_ok(t, zkr_dscommit_open_record(ds, s, 1, &c2, &o, NULL) == ZKR_ERR_MISMATCH_DATASET,
               "salts that do not give the committed digest: dataset mismatch");
    s->salts[0][0] ^= 1;
    sodium_memzero(&o, sizeof o);
}

int main(int argc, char **argv)
{
    char path[256];
    zkr_dscommit c, c2;
    zkr_dscommit_secrets s = {0}, s2 = {0};
    zkr_dataset *ds;
    zkr_tap t;

    if (sodium_init() < 0)
        return 1;
    zkr_tap_init(&t, argc, argv);
    unsetenv("ZKREG_TEST_DATASET_SALTS");
    ds = lines_dataset(&t, "r0\nrecord one\nr2\nthird\tline\nr4\n", path, sizeof path);
    if (ds == NULL)
        return 1;
    zkr_tap_ok(&t, zkr_dscommit_build(ds, &c, &s, NULL) == ZKR_OK && c.count == 5 &&
                       c.version == 2 && memcmp(s.digest, c.digest, 32) == 0,
               "build: 5 records, version 2, secrets bound to the digest");
    zkr_tap_ok(&t, zkr_dscommit_build(ds, &c2, &s2, NULL) == ZKR_OK &&
                       memcmp(c.root, c2.root, 32) != 0,
               "a second build draws other salts: another root");
    test_commitment_file(&t, &c);
    test_secrets(&t, &s);
    test_openings(&t, ds, &c, &s);
    zkr_dscommit_secrets_free(&s);
    zkr_dscommit_secrets_free(&s2);
    zkr_tap_ok(&t, s.salts == NULL && s.count == 0, "secrets free leaves nothing");
    zkr_dataset_free(ds);
    unlink(path);
    return zkr_tap_done(&t);
}
