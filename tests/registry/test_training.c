/*
 * The training-event codecs (lineage, round-open/outcome/close): round
 * trips, every truncation and a trailing byte refused, each bound refused
 * (a shard range past 2^64 - 1 among them); the log_event_key lookup
 * against a real registry (its SQL offset is the leaf layout); a repeated
 * round digest refused; and the bundle size bound.
 */
#include <sodium.h>

#include "registry/registry_int.h"
#include "reg_test.h"

typedef zkr_err (*decode_fn)(const uint8_t *p, size_t len, void *out);

static zkr_err dec_open(const uint8_t *p, size_t len, void *o) { return zkr_round_open_decode(p, len, o); }
static zkr_err dec_outcome(const uint8_t *p, size_t len, void *o) { return zkr_round_outcome_decode(p, len, o); }
static zkr_err dec_close(const uint8_t *p, size_t len, void *o) { return zkr_round_close_decode(p, len, o); }
static zkr_err dec_lineage(const uint8_t *p, size_t len, void *o) { return zkr_lineage_decode(p, len, o); }

/* Every proper prefix and one trailing byte are refused. */
static void strictness(zkr_tap *t, const char *what, const zkr_buf *b, decode_fn dec, void *scratch)
{
    zkr_buf more = {0};
    int bad = 0;

    for (size_t n = 0; n < b->len; n++)
        if (dec(b->p, n, scratch) != ZKR_ERR_MALFORMED)
            bad++;
    zkr_tap_ok(t, bad == 0, "%s: every truncation refused (%d accepted)", what, bad);
    if (zkr_buf_append(&more, b->p, b->len) == ZKR_OK && zkr_enc_u8(&more, 0) == ZKR_OK)
        zkr_tap_ok(t, dec(more.p, more.len, scratch) == ZKR_ERR_MALFORMED, "%s: trailing byte refused",
                   what);
    zkr_buf_free(&more);
}

static void sample_open(zkr_round_open *o)
{
    memset(o, 0, sizeof *o);
    o->version = 2;
    memset(o->nonce, 0x5a, sizeof o->nonce);
    strcpy(o->origin, "zkreg/test");
    memset(o->parent, 1, 32);
    memset(o->parent_commitment, 2, 32);
    memset(o->dataset, 3, 32);
    memset(o->schema, 4, 32);
    o->workers = 3;
    o->per_worker = 4;
    o->first = 100;
    o->lr = 3;
    o->shift = 16;
}

/* Encodes o, flips field `patch` to a bad value in the bytes, checks it is refused. */
static void test_open(zkr_tap *t)
{
    zkr_round_open o, back;
    zkr_buf b = {0};

    sample_open(&o);
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_OK, "round-open v2 encodes");
    zkr_tap_ok(t, zkr_round_open_decode(b.p, b.len, &back) == ZKR_OK && back.version == 2 &&
                      memcmp(back.nonce, o.nonce, 32) == 0 && strcmp(back.origin, o.origin) == 0 &&
                      back.first == 100 && back.workers == 3 && back.per_worker == 4,
               "... and decodes to the same round");
    zkr_tap_ok(t, memcmp(b.p + 4, o.nonce, 32) == 0, "... its nonce is payload bytes 4..35 (the lookup key)");
    strictness(t, "round-open", &b, dec_open, &back);
    b.len = 0;
    o.first = UINT64_MAX - 11; /* 3 x 4 records: the last is 2^64 - 1, fine */
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_OK, "a shard range ending at 2^64 - 1 encodes");
    b.len = 0;
    o.first = UINT64_MAX - 10; /* one record past: would wrap */
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_ERR_MALFORMED,
               "a shard range past 2^64 - 1 is refused");
    o.first = 100;
    o.workers = 0;
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_ERR_MALFORMED, "0 workers refused");
    o.workers = 65;
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_ERR_MALFORMED, "65 workers refused");
    o.workers = 3;
    o.shift = 17;
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_ERR_MALFORMED, "shift 17 refused");
    o.shift = 16;
    strcpy(o.origin, "bad origin");
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_ERR_MALFORMED, "an origin with a space refused");
    strcpy(o.origin, "zkreg/test");
    o.version = 1;
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_ERR_MALFORMED, "version 1 is read, never written");
    /* A version-1 payload (no nonce, no origin) still decodes; a wrapping one does not. */
    b.len = 0;
    if (zkr_enc_u32(&b, 1) == ZKR_OK && zkr_buf_append(&b, o.parent, 32) == ZKR_OK &&
        zkr_buf_append(&b, o.parent_commitment, 32) == ZKR_OK &&
        zkr_buf_append(&b, o.dataset, 32) == ZKR_OK && zkr_buf_append(&b, o.schema, 32) == ZKR_OK &&
        zkr_enc_u32(&b, 2) == ZKR_OK && zkr_enc_u64(&b, UINT64_MAX - 3) == ZKR_OK &&
        zkr_enc_u32(&b, 4) == ZKR_OK && zkr_enc_u32(&b, 3) == ZKR_OK && zkr_enc_u32(&b, 16) == ZKR_OK) {
        zkr_tap_ok(t, zkr_round_open_decode(b.p, b.len, &back) == ZKR_ERR_MALFORMED,
                   "a version-1 round whose shards wrap (the issue's 2^64 - 4) is refused");
        zkr_store_be64(b.p + 4 + 128 + 4, 100);
        zkr_tap_ok(t, zkr_round_open_decode(b.p, b.len, &back) == ZKR_OK && back.version == 1,
                   "a version-1 round decodes");
    }
    zkr_buf_free(&b);
}

/* Version 3 (issue 15): the evaluation gate round-trips; a gate without a dataset, schema or K is refused. */
static void test_open_v3(zkr_tap *t)
{
    zkr_round_open o, back;
    zkr_buf b = {0}, v2 = {0};

    sample_open(&o);
    if (zkr_round_open_encode(&o, &v2) != ZKR_OK)
        zkr_tap_ok(t, 0, "round-open v2 encodes");
    o.version = 3;
    memset(o.eval_dataset, 5, 32);
    memset(o.eval_schema, 6, 32);
    o.min_correct = 17;
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_OK && b.len == v2.len + 72 &&
                      memcmp(b.p + 4, v2.p + 4, v2.len - 4) == 0,
               "round-open v3 encodes: v2's fields, then dataset, schema, K");
    zkr_tap_ok(t, zkr_round_open_decode(b.p, b.len, &back) == ZKR_OK && back.version == 3 &&
                      memcmp(back.eval_dataset, o.eval_dataset, 32) == 0 &&
                      memcmp(back.eval_schema, o.eval_schema, 32) == 0 && back.min_correct == 17,
               "... and decodes to the same gate");
    strictness(t, "round-open v3", &b, dec_open, &back);
    zkr_store_be64(b.p + b.len - 8, 0);
    zkr_tap_ok(t, zkr_round_open_decode(b.p, b.len, &back) == ZKR_ERR_MALFORMED,
               "a v3 payload with K = 0 is refused");
    zkr_tap_ok(t, zkr_round_open_decode(b.p, b.len - 72, &back) == ZKR_ERR_MALFORMED,
               "a v3 payload without its gate is refused");
    zkr_tap_ok(t, zkr_round_open_decode(v2.p, v2.len, &back) == ZKR_OK && back.version == 2 &&
                      back.min_correct == 0, "a v2 payload still decodes, ungated");
    b.len = 0;
    memset(o.eval_schema, 0, 32);
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_ERR_MALFORMED,
               "a gate without a schema is not encoded");
    memset(o.eval_schema, 6, 32);
    memset(o.eval_dataset, 0, 32);
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_ERR_MALFORMED,
               "a gate without a dataset is not encoded");
    o.version = 4;
    memset(o.eval_dataset, 5, 32);
    zkr_tap_ok(t, zkr_round_open_encode(&o, &b) == ZKR_ERR_MALFORMED, "version 4 is not written");
    zkr_buf_free(&b);
    zkr_buf_free(&v2);
}

static void test_outcome_close_lineage(zkr_tap *t)
{
    zkr_round_outcome oc, oback;
    zkr_round_close c, cback;
    zkr_lineage l, lback;
    zkr_buf b = {0};

    memset(&oc, 0, sizeof oc);
    memset(oc.round, 7, 32);
    oc.worker = 2;
    oc.accepted = 1;
    memset(oc.child, 8, 32);
    memset(oc.statement, 9, 32);
    memset(oc.proof, 10, 32);
    strcpy(oc.reason, "proof verified for shard 108..111");
    zkr_tap_ok(t, zkr_round_outcome_encode(&oc, &b) == ZKR_OK &&
                      zkr_round_outcome_decode(b.p, b.len, &oback) == ZKR_OK &&
                      memcmp(&oc, &oback, sizeof oc) == 0, "round-outcome round trip");
    strictness(t, "round-outcome", &b, dec_outcome, &oback);
    b.p[4 + 32 + 4] = 2;
    zkr_tap_ok(t, zkr_round_outcome_decode(b.p, b.len, &oback) == ZKR_ERR_MALFORMED,
               "accepted = 2 refused");
    b.len = 0;
    memset(oc.statement, 0, 32);
    zkr_tap_ok(t, zkr_round_outcome_encode(&oc, &b) == ZKR_ERR_MALFORMED,
               "an accepted outcome without a statement refused");
    memset(oc.statement, 9, 32);
    strcpy(oc.reason, "bad\001reason");
    zkr_tap_ok(t, zkr_round_outcome_encode(&oc, &b) == ZKR_ERR_MALFORMED,
               "a reason with a control character refused");

    memset(&c, 0, sizeof c);
    memset(c.round, 7, 32);
    memset(c.result, 11, 32);
    memset(c.result_commitment, 12, 32);
    c.k = 2;
    memset(c.children[0], 8, 32);
    memset(c.children[1], 13, 32);
    b.len = 0;
    zkr_tap_ok(t, zkr_round_close_encode(&c, &b) == ZKR_OK &&
                      zkr_round_close_decode(b.p, b.len, &cback) == ZKR_OK &&
                      memcmp(&c, &cback, sizeof c) == 0, "round-close round trip");
    strictness(t, "round-close", &b, dec_close, &cback);
    c.k = 0;
    zkr_tap_ok(t, zkr_round_close_encode(&c, &b) == ZKR_ERR_MALFORMED,
               "a close with no child but a result refused");
    c.k = 65;
    zkr_tap_ok(t, zkr_round_close_encode(&c, &b) == ZKR_ERR_MALFORMED, "a close of 65 children refused");

    memset(&l, 0, sizeof l);
    memset(l.child, 1, 32);
    memset(l.parent, 2, 32);
    l.lr = 3;
    l.shift = 16;
    l.batch = 2;
    l.indices[0] = 5;
    l.indices[1] = 6;
    b.len = 0;
    zkr_tap_ok(t, zkr_lineage_encode(&l, &b) == ZKR_OK &&
                      zkr_lineage_decode(b.p, b.len, &lback) == ZKR_OK &&
                      memcmp(&l, &lback, sizeof l) == 0, "lineage round trip");
    strictness(t, "lineage", &b, dec_lineage, &lback);
    b.p[b.len - 1] = 1; /* the reserved worker field */
    zkr_tap_ok(t, zkr_lineage_decode(b.p, b.len, &lback) == ZKR_ERR_MALFORMED,
               "a lineage with a nonzero reserved worker refused");
    zkr_buf_free(&b);
}

/* Events by key on a real registry, and a repeated round digest refused. */
static void test_registry_lookups(zkr_tap *t, const char *dir)
{
    zkr_registry *reg = NULL;
    zkr_round_outcome oc;
    zkr_round_open o;
    zkr_secret pass;
    zkr_buf b = {0};
    uint64_t *idx = NULL, li = 0, li2 = 0, ri = 0;
    uint8_t key[32], digest[32];
    size_t n = 0;
    char path[512];
    zkr_diag d;

    zkr_diag_clear(&d);
    rt_path(path, dir, "train.db");
    rt_pass(&pass, "x");
    if (zkr_registry_create(path, &pass, NULL, 1, &d) != ZKR_OK ||
        zkr_registry_open(path, &reg, &d) != ZKR_OK) {
        zkr_tap_ok(t, 0, "registry: %s", d.msg);
        rt_pass_free(&pass);
        return;
    }
    memset(&oc, 0, sizeof oc);
    memset(oc.round, 0x42, 32);
    strcpy(oc.reason, "no update submitted");
    zkr_tap_ok(t, zkr_round_outcome_encode(&oc, &b) == ZKR_OK &&
                      zkr_registry_event_append(reg, "round-outcome", b.p, b.len, &li, &d) ==
                          ZKR_ERR_USAGE,
               "a round-outcome cannot be appended as a plain event: %s", d.msg);
    zkr_diag_clear(&d);
    sample_open(&o);
    o.workers = 2;
    zkr_tap_ok(t, zkr_registry_round_open(reg, &o, &ri, digest, &d) == ZKR_OK, "a round opens (%s)", d.msg);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_round_open(reg, &o, &li, digest, &d) == ZKR_ERR_CONFLICT &&
                      strstr(d.msg, "already open") != NULL,
               "the same round-open payload again is refused: %s", d.msg);
    zkr_diag_clear(&d);
    o.nonce[0] ^= 1;
    zkr_tap_ok(t, zkr_registry_round_open(reg, &o, &li2, key, &d) == ZKR_OK && li2 != ri,
               "with another nonce it is another round");
    /* The round's parent is not registered here: the close is refused, nothing written. */
    {
        zkr_round_write ow[2], cw;
        zkr_buf e0 = {0}, e1 = {0}, ec = {0};
        zkr_round_close c;
        uint64_t size0 = 0, size1 = 1;
        memset(ow, 0, sizeof ow);
        memset(&cw, 0, sizeof cw);
        memset(&c, 0, sizeof c);
        memcpy(oc.round, digest, 32);
        memcpy(c.round, digest, 32);
        oc.worker = 0;
        if (zkr_round_outcome_encode(&oc, &e0) == ZKR_OK && (oc.worker = 1) &&
            zkr_round_outcome_encode(&oc, &e1) == ZKR_OK && zkr_round_close_encode(&c, &ec) == ZKR_OK &&
            zkr_registry_log_size(reg, &size0) == ZKR_OK) {
            ow[0].event = e0.p;
            ow[0].event_len = e0.len;
            ow[1].event = e1.p;
            ow[1].event_len = e1.len;
            cw.event = ec.p;
            cw.event_len = ec.len;
            zkr_diag_clear(&d);
            zkr_tap_ok(t, zkr_registry_round_close(reg, ri, ow, 2, &cw, &d) == ZKR_ERR_NOT_FOUND &&
                              zkr_registry_log_size(reg, &size1) == ZKR_OK && size1 == size0,
                       "a close whose parent is not held is refused, nothing written: %s", d.msg);
            zkr_diag_clear(&d);
            zkr_tap_ok(t, zkr_registry_round_close(reg, ri, ow, 1, &cw, &d) != ZKR_OK &&
                              zkr_registry_log_size(reg, &size1) == ZKR_OK && size1 == size0,
                       "a close with one outcome for two workers is refused: %s", d.msg);
        }
        zkr_buf_free(&e0);
        zkr_buf_free(&e1);
        zkr_buf_free(&ec);
    }
    if (zkr_registry_events_by_key(reg, "round-open", o.nonce, &idx, &n, &d) == ZKR_OK)
        zkr_tap_ok(t, n == 1 && idx[0] == li2, "events_by_key finds a round-open by its nonce (%zu hits)", n);
    free(idx);
    idx = NULL;
    o.nonce[5] ^= 1;
    if (zkr_registry_events_by_key(reg, "round-open", o.nonce, &idx, &n, &d) == ZKR_OK)
        zkr_tap_ok(t, n == 0, "... and nothing for another nonce");
    free(idx);
    zkr_buf_free(&b);
    zkr_registry_close(reg);
    rt_pass_free(&pass);
}

/* Appends a raw event, as an insider with the file (or an older zkreg) could. */
static uint64_t raw(zkr_registry *reg, const char *type, const zkr_buf *p)
{
    uint64_t li = 0;

    if (zkr_registry_begin(reg, NULL) != ZKR_OK ||
        zkr_registry_log_append_tx(reg, type, 1, p->p, p->len, &li, NULL) != ZKR_OK ||
        zkr_registry_commit(reg, NULL) != ZKR_OK) {
        fprintf(stderr, "# raw append failed\n");
        exit(2);
    }
    return li;
}

typedef struct {
    zkr_registry *reg;
    uint64_t id;
    uint8_t digest[32];
    uint8_t nonce;
} raw_round;

static void raw_open(raw_round *rr, uint8_t nonce)
{
    zkr_round_open o;
    zkr_buf b = {0};

    sample_open(&o);
    o.workers = 2;
    memset(o.nonce, nonce, 32);
    if (zkr_round_open_encode(&o, &b) != ZKR_OK)
        exit(2);
    zkr_sha256(b.p, b.len, rr->digest);
    rr->id = raw(rr->reg, "round-open", &b);
    zkr_buf_free(&b);
}

static void raw_outcome(raw_round *rr, uint32_t w, int accepted, uint8_t child)
{
    zkr_round_outcome oc;
    zkr_buf b = {0};

    memset(&oc, 0, sizeof oc);
    memcpy(oc.round, rr->digest, 32);
    oc.worker = w;
    oc.accepted = (uint8_t)accepted;
    if (accepted) {
        memset(oc.child, child, 32);
        memset(oc.statement, 1, 32);
        memset(oc.proof, 1, 32);
    }
    strcpy(oc.reason, accepted ? "proof verified" : "no update submitted");
    if (zkr_round_outcome_encode(&oc, &b) != ZKR_OK)
        exit(2);
    (void)raw(rr->reg, "round-outcome", &b);
    zkr_buf_free(&b);
}

static void raw_close(raw_round *rr, uint32_t k, uint8_t child)
{
    zkr_round_close c;
    zkr_buf b = {0};

    memset(&c, 0, sizeof c);
    memcpy(c.round, rr->digest, 32);
    c.k = k;
    if (k > 0) {
        memset(c.result, 0x77, 32);
        memset(c.result_commitment, 0x78, 32);
        memset(c.children[0], child, 32);
    }
    if (zkr_round_close_encode(&c, &b) != ZKR_OK)
        exit(2);
    (void)raw(rr->reg, "round-close", &b);
    zkr_buf_free(&b);
}

static void expect_state(zkr_tap *t, raw_round *rr, zkr_err want, const char *needle,
                         const char *what)
{
    zkr_round_state *st = calloc(1, sizeof *st);
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    r = st ? zkr_registry_round_get(rr->reg, rr->id, st, &d) : ZKR_ERR_NOMEM;
    zkr_tap_ok(t, r == want && (needle == NULL || strstr(d.msg, needle) != NULL), "%s: %s", what,
               r == ZKR_OK ? "ok" : d.msg);
    free(st);
}

/* zkr_registry_round_get refuses every impossible round an insider could write into the log. */
static void test_round_states(zkr_tap *t, const char *dir)
{
    zkr_secret pass;
    raw_round rr;
    char path[512];

    rt_path(path, dir, "states.db");
    rt_pass(&pass, "x");
    memset(&rr, 0, sizeof rr);
    if (zkr_registry_create(path, &pass, NULL, 1, NULL) != ZKR_OK ||
        zkr_registry_open(path, &rr.reg, NULL) != ZKR_OK) {
        zkr_tap_ok(t, 0, "states registry");
        rt_pass_free(&pass);
        return;
    }
    raw_open(&rr, 1);
    raw_outcome(&rr, 0, 0, 0);
    raw_outcome(&rr, 1, 1, 0xa1);
    raw_close(&rr, 1, 0xa1);
    expect_state(t, &rr, ZKR_OK, NULL, "a consistent closed round reads");
    raw_open(&rr, 2);
    raw_outcome(&rr, 0, 0, 0);
    raw_outcome(&rr, 0, 1, 0xa2);
    expect_state(t, &rr, ZKR_ERR_VERIFY, "two outcomes", "two outcomes of worker 0");
    raw_open(&rr, 3);
    raw_outcome(&rr, 5, 0, 0);
    expect_state(t, &rr, ZKR_ERR_VERIFY, "outside", "an outcome for worker 5 of 2");
    raw_open(&rr, 4);
    raw_outcome(&rr, 0, 0, 0);
    raw_close(&rr, 0, 0);
    expect_state(t, &rr, ZKR_ERR_VERIFY, "without an outcome for worker 1", "a close missing an outcome");
    raw_open(&rr, 5);
    raw_outcome(&rr, 0, 0, 0);
    raw_close(&rr, 0, 0);
    raw_outcome(&rr, 1, 0, 0);
    expect_state(t, &rr, ZKR_ERR_VERIFY, "after the close", "an outcome after the close");
    raw_open(&rr, 6);
    raw_outcome(&rr, 0, 1, 0xa6);
    raw_outcome(&rr, 1, 0, 0);
    raw_close(&rr, 1, 0xb6);
    expect_state(t, &rr, ZKR_ERR_VERIFY, "does not list", "a close listing another child");
    raw_open(&rr, 7);
    raw_outcome(&rr, 0, 1, 0xa7);
    raw_outcome(&rr, 1, 0, 0);
    raw_close(&rr, 0, 0);
    expect_state(t, &rr, ZKR_ERR_VERIFY, "does not list", "a close of no child after an accepted one");
    raw_open(&rr, 8);
    raw_outcome(&rr, 0, 0, 0);
    raw_outcome(&rr, 1, 0, 0);
    raw_close(&rr, 0, 0);
    raw_close(&rr, 0, 0);
    expect_state(t, &rr, ZKR_ERR_VERIFY, "closed 2 times", "two closes");
    raw_open(&rr, 9);
    raw_open(&rr, 9);
    expect_state(t, &rr, ZKR_ERR_VERIFY, "same digest", "a second round-open with the same digest");
    zkr_registry_close(rr.reg);
    rt_pass_free(&pass);
}

static void test_bundle_bound(zkr_tap *t)
{
    /* calloc'ed pages are never touched: the size is refused before any byte is read. */
    uint8_t *big = calloc(1, ZKR_BUNDLE_MAX_BYTES + 1);
    zkr_import_summary sum;
    zkr_diag d;

    zkr_diag_clear(&d);
    if (big == NULL) {
        zkr_tap_ok(t, 0, "allocate a bundle over the bound");
        return;
    }
    zkr_tap_ok(t, zkr_bundle_check(big, ZKR_BUNDLE_MAX_BYTES + 1, "k+1+AQ", &sum, &d) ==
                          ZKR_ERR_TOO_LARGE && strstr(d.msg, "over the limit") != NULL,
               "a bundle over %zu bytes is refused by its size: %s", ZKR_BUNDLE_MAX_BYTES, d.msg);
    free(big);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char dir[256];

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0)
        return 2;
    rt_tmpdir(dir);
    test_open(&t);
    test_open_v3(&t);
    test_outcome_close_lineage(&t);
    test_registry_lookups(&t, dir);
    test_round_states(&t, dir);
    test_bundle_bound(&t);
    rt_cleanup(dir);
    return zkr_tap_done(&t);
}
