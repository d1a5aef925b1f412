/*
 * Training events (docs/formats.md): the lineage of a native step and the
 * three events of a decentralized round, their strict codecs, and the two
 * writes that must be atomic with their checks: opening a round (its
 * digest is unique) and closing it (every outcome and the close in one
 * transaction that re-checks the round is still open).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "registry_int.h"

#define OPEN_V1 1u
#define OPEN_V2 2u
#define OPEN_V3 3u /* v2 + the evaluation gate */

static int is_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

static zkr_err dec32(zkr_dec *d, uint8_t out[ZKR_DIGEST_BYTES])
{
    const uint8_t *p;

    if (zkr_dec_raw(d, ZKR_DIGEST_BYTES, &p) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(out, p, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

/* Printable ASCII without spaces or '+', as `zkreg init --origin` accepts. */
static int origin_ok(const char *s, size_t n)
{
    if (n == 0 || n > ZKR_ORIGIN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '+')
            return 0;
    return 1;
}

static int lr_shift_ok(uint32_t lr, uint32_t shift)
{
    return lr >= 1 && lr <= ZKR_TRAIN_LR_MAX && shift >= 1 && shift <= ZKR_TRAIN_SHIFT_MAX;
}

/* The shard range first .. first + workers*per - 1 must not pass 2^64 - 1. */
static int open_bounds_ok(const zkr_round_open *o)
{
    uint64_t span;

    if (o->workers < 1 || o->workers > ZKR_ROUND_MAX_WORKERS || o->per_worker < 1 ||
        o->per_worker > ZKR_ROUND_MAX_PER_WORKER || !lr_shift_ok(o->lr, o->shift))
        return 0;
    span = (uint64_t)o->workers * o->per_worker; /* <= 4096, cannot wrap */
    return o->first <= UINT64_MAX - span + 1;
}

/* A gate names an evaluation dataset and schema; min_correct 0 would gate nothing. */
static int gate_ok(const zkr_round_open *o)
{
    return !is_zero(o->eval_dataset, 32) && !is_zero(o->eval_schema, 32) && o->min_correct >= 1;
}

/* ------------------------------------------------------------------ */
/* round-open                                                          */
/* ------------------------------------------------------------------ */

zkr_err zkr_round_open_encode(const zkr_round_open *o, zkr_buf *out)
{
    zkr_err r;

    if ((o->version != OPEN_V2 && o->version != OPEN_V3) || !open_bounds_ok(o) ||
        !origin_ok(o->origin, strlen(o->origin)) || (o->version == OPEN_V3 && !gate_ok(o)))
        return ZKR_ERR_MALFORMED;
    if ((r = zkr_enc_u32(out, o->version)) != ZKR_OK ||
        (r = zkr_buf_append(out, o->nonce, ZKR_ROUND_NONCE_BYTES)) != ZKR_OK ||
        (r = zkr_enc_str(out, o->origin)) != ZKR_OK ||
        (r = zkr_buf_append(out, o->parent, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, o->parent_commitment, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, o->dataset, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, o->schema, 32)) != ZKR_OK ||
        (r = zkr_enc_u32(out, o->workers)) != ZKR_OK || (r = zkr_enc_u64(out, o->first)) != ZKR_OK ||
        (r = zkr_enc_u32(out, o->per_worker)) != ZKR_OK || (r = zkr_enc_u32(out, o->lr)) != ZKR_OK ||
        (r = zkr_enc_u32(out, o->shift)) != ZKR_OK)
        return r;
    if (o->version != OPEN_V3)
        return ZKR_OK;
    if ((r = zkr_buf_append(out, o->eval_dataset, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, o->eval_schema, 32)) != ZKR_OK)
        return r;
    return zkr_enc_u64(out, o->min_correct);
}

zkr_err zkr_round_open_decode(const uint8_t *p, size_t len, zkr_round_open *o)
{
    const uint8_t *s;
    size_t n;
    zkr_dec d;

    memset(o, 0, sizeof *o);
    zkr_dec_init(&d, p, len);
    if (zkr_dec_u32(&d, &o->version) != ZKR_OK || o->version < OPEN_V1 || o->version > OPEN_V3)
        return ZKR_ERR_MALFORMED;
    if (o->version >= OPEN_V2) {
        if (dec32(&d, o->nonce) != ZKR_OK || zkr_dec_bytes(&d, ZKR_ORIGIN_MAX, &s, &n) != ZKR_OK ||
            !origin_ok((const char *)s, n))
            return ZKR_ERR_MALFORMED;
        memcpy(o->origin, s, n);
    }
    if (dec32(&d, o->parent) != ZKR_OK || dec32(&d, o->parent_commitment) != ZKR_OK ||
        dec32(&d, o->dataset) != ZKR_OK || dec32(&d, o->schema) != ZKR_OK ||
        zkr_dec_u32(&d, &o->workers) != ZKR_OK || zkr_dec_u64(&d, &o->first) != ZKR_OK ||
        zkr_dec_u32(&d, &o->per_worker) != ZKR_OK || zkr_dec_u32(&d, &o->lr) != ZKR_OK ||
        zkr_dec_u32(&d, &o->shift) != ZKR_OK || !open_bounds_ok(o))
        return ZKR_ERR_MALFORMED;
    if (o->version == OPEN_V3 &&
        (dec32(&d, o->eval_dataset) != ZKR_OK || dec32(&d, o->eval_schema) != ZKR_OK ||
         zkr_dec_u64(&d, &o->min_correct) != ZKR_OK || !gate_ok(o)))
        return ZKR_ERR_MALFORMED;
    return zkr_dec_finish(&d) == ZKR_OK ? ZKR_OK : ZKR_ERR_MALFORMED;
}

/* ------------------------------------------------------------------ */
/* round-outcome, round-close, lineage                                  */
/* ------------------------------------------------------------------ */

static int outcome_ok(const zkr_round_outcome *o, size_t reason_len)
{
    if (o->worker >= ZKR_ROUND_MAX_WORKERS || o->accepted > 1 ||
        reason_len > ZKR_ROUND_REASON_MAX ||
        zkr_utf8_check((const uint8_t *)o->reason, reason_len) != ZKR_OK)
        return 0;
    /* An accepted update names its child, the statement it was proven for and the proof. */
    return !o->accepted || (!is_zero(o->child, 32) && !is_zero(o->statement, 32) &&
                            !is_zero(o->proof, 32));
}

zkr_err zkr_round_outcome_encode(const zkr_round_outcome *o, zkr_buf *out)
{
    size_t rl = strnlen(o->reason, sizeof o->reason);
    zkr_err r;

    if (rl == sizeof o->reason || !outcome_ok(o, rl))
        return ZKR_ERR_MALFORMED;
    if ((r = zkr_enc_u32(out, 1)) != ZKR_OK || (r = zkr_buf_append(out, o->round, 32)) != ZKR_OK ||
        (r = zkr_enc_u32(out, o->worker)) != ZKR_OK || (r = zkr_enc_u8(out, o->accepted)) != ZKR_OK ||
        (r = zkr_buf_append(out, o->child, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, o->statement, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, o->proof, 32)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(out, (const uint8_t *)o->reason, rl);
}

zkr_err zkr_round_outcome_decode(const uint8_t *p, size_t len, zkr_round_outcome *o)
{
    const uint8_t *s;
    uint32_t ver;
    size_t n;
    zkr_dec d;

    memset(o, 0, sizeof *o);
    zkr_dec_init(&d, p, len);
    if (zkr_dec_u32(&d, &ver) != ZKR_OK || ver != 1 || dec32(&d, o->round) != ZKR_OK ||
        zkr_dec_u32(&d, &o->worker) != ZKR_OK || zkr_dec_u8(&d, &o->accepted) != ZKR_OK ||
        dec32(&d, o->child) != ZKR_OK || dec32(&d, o->statement) != ZKR_OK ||
        dec32(&d, o->proof) != ZKR_OK || zkr_dec_bytes(&d, ZKR_ROUND_REASON_MAX, &s, &n) != ZKR_OK ||
        zkr_dec_finish(&d) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(o->reason, s, n);
    return outcome_ok(o, n) ? ZKR_OK : ZKR_ERR_MALFORMED;
}

static int close_ok(const zkr_round_close *c)
{
    if (c->k > ZKR_ROUND_MAX_WORKERS)
        return 0;
    for (uint32_t i = 0; i < c->k; i++)
        if (is_zero(c->children[i], 32))
            return 0;
    /* No accepted child: no result; else a result and its commitment. */
    if (c->k == 0)
        return is_zero(c->result, 32) && is_zero(c->result_commitment, 32);
    return !is_zero(c->result, 32) && !is_zero(c->result_commitment, 32);
}

zkr_err zkr_round_close_encode(const zkr_round_close *c, zkr_buf *out)
{
    zkr_err r;

    if (!close_ok(c))
        return ZKR_ERR_MALFORMED;
    if ((r = zkr_enc_u32(out, 1)) != ZKR_OK || (r = zkr_buf_append(out, c->round, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, c->result, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, c->result_commitment, 32)) != ZKR_OK ||
        (r = zkr_enc_u32(out, c->k)) != ZKR_OK)
        return r;
    return zkr_buf_append(out, c->children, (size_t)c->k * 32);
}

zkr_err zkr_round_close_decode(const uint8_t *p, size_t len, zkr_round_close *c)
{
    uint32_t ver;
    zkr_dec d;

    memset(c, 0, sizeof *c);
    zkr_dec_init(&d, p, len);
    if (zkr_dec_u32(&d, &ver) != ZKR_OK || ver != 1 || dec32(&d, c->round) != ZKR_OK ||
        dec32(&d, c->result) != ZKR_OK || dec32(&d, c->result_commitment) != ZKR_OK ||
        zkr_dec_u32(&d, &c->k) != ZKR_OK || c->k > ZKR_ROUND_MAX_WORKERS)
        return ZKR_ERR_MALFORMED;
    for (uint32_t i = 0; i < c->k; i++)
        if (dec32(&d, c->children[i]) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
    if (zkr_dec_finish(&d) != ZKR_OK || !close_ok(c))
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

zkr_err zkr_lineage_encode(const zkr_lineage *l, zkr_buf *out)
{
    zkr_err r;

    if (l->batch < 1 || l->batch > ZKR_ROUND_MAX_PER_WORKER || !lr_shift_ok(l->lr, l->shift))
        return ZKR_ERR_MALFORMED;
    if ((r = zkr_enc_u32(out, 1)) != ZKR_OK || (r = zkr_buf_append(out, l->child, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, l->child_commitment, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, l->parent, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, l->parent_commitment, 32)) != ZKR_OK ||
        (r = zkr_buf_append(out, l->dataset, 32)) != ZKR_OK ||
        (r = zkr_enc_u32(out, l->lr)) != ZKR_OK || (r = zkr_enc_u32(out, l->shift)) != ZKR_OK ||
        (r = zkr_enc_u32(out, l->batch)) != ZKR_OK)
        return r;
    for (uint32_t i = 0; i < l->batch; i++)
        if ((r = zkr_enc_u64(out, l->indices[i])) != ZKR_OK)
            return r;
    /* Reserved round and worker fields: always 0 (a round's children have outcomes instead). */
    if ((r = zkr_enc_u64(out, 0)) != ZKR_OK)
        return r;
    return zkr_enc_u32(out, 0);
}

zkr_err zkr_lineage_decode(const uint8_t *p, size_t len, zkr_lineage *l)
{
    uint64_t round;
    uint32_t ver, worker;
    zkr_dec d;

    memset(l, 0, sizeof *l);
    zkr_dec_init(&d, p, len);
    if (zkr_dec_u32(&d, &ver) != ZKR_OK || ver != 1 || dec32(&d, l->child) != ZKR_OK ||
        dec32(&d, l->child_commitment) != ZKR_OK || dec32(&d, l->parent) != ZKR_OK ||
        dec32(&d, l->parent_commitment) != ZKR_OK || dec32(&d, l->dataset) != ZKR_OK ||
        zkr_dec_u32(&d, &l->lr) != ZKR_OK || zkr_dec_u32(&d, &l->shift) != ZKR_OK ||
        zkr_dec_u32(&d, &l->batch) != ZKR_OK || l->batch < 1 ||
        l->batch > ZKR_ROUND_MAX_PER_WORKER || !lr_shift_ok(l->lr, l->shift))
        return ZKR_ERR_MALFORMED;
    for (uint32_t i = 0; i < l->batch; i++)
        if (zkr_dec_u64(&d, &l->indices[i]) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
    if (zkr_dec_u64(&d, &round) != ZKR_OK || zkr_dec_u32(&d, &worker) != ZKR_OK || round != 0 ||
        worker != 0 || zkr_dec_finish(&d) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */
/* ------------------------------------------------------------------ */

/*
 * A leaf is str "zkreg/log/v1" (4 + 12 bytes) | str type (4 + len) | u64
 * time | bytes payload (u32 length first): payload byte 4 is leaf byte
 * 36 + len(type), SQLite's substr position 37 + length(type). The
 * expression must stay identical to the log_event_key index (db.c).
 */
#define KEY_SQL                                                                                  \
    "SELECT idx, leaf FROM log WHERE type = ?1 AND substr(leaf, 37 + length(type), 32) = ?2"     \
    " ORDER BY idx"

zkr_err zkr_registry_events_by_key(zkr_registry *reg, const char *type,
                                   const uint8_t key[ZKR_DIGEST_BYTES], uint64_t **idx,
                                   size_t *n, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    uint64_t *v = NULL;
    size_t cap = 0, count = 0;
    zkr_err r;
    int rc;

    *idx = NULL;
    *n = 0;
    if ((r = zkr_registry_prepare(reg, KEY_SQL, &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, key, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char t[ZKR_IDENT_MAX + 1];
        int64_t time;
        const uint8_t *pl;
        size_t pl_len;
        /* The index only narrows the search: each hit is decoded and its key compared. */
        if (zkr_log_leaf_decode(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), t,
                                &time, &pl, &pl_len) != ZKR_OK ||
            strcmp(t, type) != 0 || pl_len < 36 || memcmp(pl + 4, key, 32) != 0) {
            r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: log entry %lld does not decode as its '%s' row",
                         reg->path, (long long)sqlite3_column_int64(st, 0), type);
            goto out;
        }
        if ((r = zkr_registry_grow((void **)&v, &cap, count, sizeof *v)) != ZKR_OK)
            goto out;
        v[count++] = (uint64_t)sqlite3_column_int64(st, 0);
    }
    if (rc != SQLITE_DONE) {
        r = zkr_registry_sql_err(reg, rc, "looking up events", d);
        goto out;
    }
    *idx = v;
    *n = count;
    v = NULL;
out:
    free(v);
    sqlite3_finalize(st);
    return r;
}

zkr_err zkr_registry_origin(zkr_registry *reg, char out[ZKR_ORIGIN_MAX + 1], zkr_diag *d)
{
    zkr_buf b = {0};
    zkr_err r;

    out[0] = '\0';
    if ((r = zkr_registry_meta_get(reg, "log_origin", &b, d)) != ZKR_OK)
        goto out;
    if (b.len == 0 || b.len > ZKR_ORIGIN_MAX) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: log origin out of bounds", reg->path);
        goto out;
    }
    memcpy(out, b.p, b.len);
    out[b.len] = '\0';
out:
    zkr_buf_free(&b);
    return r;
}

/*
 * The round-open leaves other than `self` whose payload hashes to digest;
 * `payload` is one such payload (its bytes 4..35 are the lookup key).
 */
static zkr_err open_twin(zkr_registry *reg, const uint8_t *payload, size_t len,
                         const uint8_t digest[ZKR_DIGEST_BYTES], uint64_t self, int *found,
                         uint64_t *at, zkr_diag *d)
{
    uint64_t *idx = NULL;
    size_t n = 0;
    zkr_err r;

    *found = 0;
    if (len < 36)
        return ZKR_ERR_MALFORMED;
    if ((r = zkr_registry_events_by_key(reg, "round-open", payload + 4, &idx, &n, d)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < n && !*found; i++) {
        zkr_log_entry e;
        uint8_t h[ZKR_DIGEST_BYTES];
        if (idx[i] == self)
            continue;
        if ((r = zkr_registry_log_entry(reg, idx[i], &e, d)) != ZKR_OK)
            break;
        zkr_sha256(e.payload, e.payload_len, h);
        if (memcmp(h, digest, ZKR_DIGEST_BYTES) == 0) {
            *found = 1;
            *at = idx[i];
        }
        zkr_log_entry_free(&e);
    }
    free(idx);
    return r;
}

/*
 * The verifier version a schema of the round pins is not revoked: round
 * accept takes the training-step and evaluation verdicts of that version.
 * A schema not held here has no row to read (as the parent below).
 */
static zkr_err schema_verifier_not_revoked(zkr_registry *reg, const uint8_t digest[32],
                                           zkr_diag *d)
{
    zkr_schema sc;
    zkr_diag quiet = {0};
    char hex[65];
    zkr_err r;

    zkr_registry_hex(digest, 32, hex, sizeof hex);
    r = zkr_registry_schema_get(reg, hex, &sc, &quiet);
    if (r == ZKR_ERR_NOT_FOUND)
        return ZKR_OK;
    if (r != ZKR_OK)
        return zkr_fail(d, r, "round-open: reading a schema: %s", quiet.msg);
    return zkr_registry_verifier_revoked(reg, sc.proof_kind, sc.verifier_version, d);
}

/*
 * Nothing the round binds is revoked, nor the verifier versions its
 * schemas pin. Called inside the write transaction, so a revocation cannot
 * land between this check and the write.
 */
static zkr_err round_not_revoked(zkr_registry *reg, const zkr_round_open *o, zkr_diag *d)
{
    zkr_artifact parent, prog;
    zkr_err r;

    /*
     * The parent's program too: train, round close and import refuse a
     * revoked one. A parent not held here has no program row to check; the
     * CLI and import always hold it, and round close refuses it.
     */
    r = zkr_registry_artifact_find(reg, ZKR_KIND_MODEL, o->parent, NULL, &parent);
    if (r != ZKR_OK && r != ZKR_ERR_NOT_FOUND)
        return zkr_fail(d, r, "round-open: reading the parent model");
    if (r == ZKR_OK &&
        ((r = zkr_registry_artifact_by_id(reg, parent.program_id, &prog, d)) != ZKR_OK ||
         (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, prog.sha256, NULL, d)) != ZKR_OK))
        return r;
    if ((r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, o->parent, NULL, d)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_DATASET, o->dataset, NULL, d)) != ZKR_OK)
        return r;
    if (o->version == OPEN_V3 &&
        ((r = zkr_registry_check_revoked(reg, ZKR_KIND_DATASET, o->eval_dataset, NULL, d)) !=
             ZKR_OK ||
         (r = zkr_registry_check_revoked(reg, ZKR_KIND_SCHEMA, o->eval_schema, NULL, d)) != ZKR_OK ||
         (r = schema_verifier_not_revoked(reg, o->eval_schema, d)) != ZKR_OK))
        return r;
    if ((r = zkr_registry_check_revoked(reg, ZKR_KIND_SCHEMA, o->schema, NULL, d)) != ZKR_OK)
        return r;
    return schema_verifier_not_revoked(reg, o->schema, d);
}

zkr_err zkr_registry_round_open(zkr_registry *reg, const zkr_round_open *o, uint64_t *index,
                                uint8_t digest[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    zkr_buf ev = {0};
    uint64_t at = 0;
    int found = 0;
    zkr_err r;

    *index = 0;
    memset(digest, 0, ZKR_DIGEST_BYTES);
    if (zkr_round_open_encode(o, &ev) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "round-open: a value is out of its bounds");
        goto out;
    }
    zkr_sha256(ev.p, ev.len, digest);
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        goto out;
    if ((r = open_twin(reg, ev.p, ev.len, digest, UINT64_MAX, &found, &at, d)) != ZKR_OK ||
        (r = round_not_revoked(reg, o, d)) != ZKR_OK)
        goto out;
    if (found) {
        char hex[65];
        zkr_registry_hex(digest, 32, hex, sizeof hex);
        r = zkr_fail(d, ZKR_ERR_CONFLICT, "a round with digest %s is already open (round %llu)",
                     hex, (unsigned long long)at);
        goto out;
    }
    if ((r = zkr_registry_log_append_tx(reg, "round-open", zkr_registry_now(), ev.p, ev.len,
                                        index, d)) != ZKR_OK ||
        (r = zkr_registry_commit(reg, d)) != ZKR_OK)
        goto out;
out:
    zkr_registry_rollback(reg);
    zkr_buf_free(&ev);
    return r;
}

/* ------------------------------------------------------------------ */
/* A round's state                                                     */
/* ------------------------------------------------------------------ */

/*
 * The round-open leaf re-hashes to its stored leaf hash and is in the tree
 * the latest signed checkpoint commits to: a leaf edited in the file (a
 * version-3 open rewritten as version 2, dropping the evaluation gate) is
 * refused before any round command relies on it.
 */
static zkr_err open_backed(zkr_registry *reg, const zkr_log_entry *e, zkr_diag *d)
{
    uint8_t h[ZKR_DIGEST_BYTES];

    zkr_merkle_leaf_hash(e->leaf.p, e->leaf.len, h);
    if (memcmp(h, e->leaf_hash, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_REGISTRY, "%s: log entry %llu (round-open) does not hash to "
                        "its stored leaf hash", reg->path, (unsigned long long)e->index);
    return zkr_registry_leaf_anchored(reg, "round-open", e->index, h, d);
}

static zkr_err load_open(zkr_registry *reg, uint64_t index, zkr_round_state *s, zkr_diag *d)
{
    zkr_log_entry e;
    uint64_t at = 0;
    int twin = 0;
    zkr_err r;

    if (zkr_registry_log_entry(reg, index, &e, NULL) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "round %llu not found", (unsigned long long)index);
    if (strcmp(e.type, "round-open") != 0)
        r = zkr_fail(d, ZKR_ERR_NOT_FOUND, "log entry %llu is a '%s' event, not a round",
                     (unsigned long long)index, e.type);
    else if (zkr_round_open_decode(e.payload, e.payload_len, &s->open) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "round %llu: malformed round-open event",
                     (unsigned long long)index);
    else if ((r = open_backed(reg, &e, d)) == ZKR_OK) {
        zkr_sha256(e.payload, e.payload_len, s->digest);
        r = open_twin(reg, e.payload, e.payload_len, s->digest, index, &twin, &at, d);
    }
    zkr_log_entry_free(&e);
    if (r == ZKR_OK && twin)
        r = zkr_fail(d, ZKR_ERR_VERIFY,
                     "round %llu: log entry %llu opens a round with the same digest; the "
                     "outcomes of the two cannot be told apart",
                     (unsigned long long)index, (unsigned long long)at);
    return r;
}

static zkr_err load_outcomes(zkr_registry *reg, zkr_round_state *s, zkr_diag *d)
{
    uint64_t *idx = NULL;
    size_t n = 0;
    zkr_err r;

    if ((r = zkr_registry_events_by_key(reg, "round-outcome", s->digest, &idx, &n, d)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < n && r == ZKR_OK; i++) {
        zkr_round_outcome o;
        zkr_log_entry e;
        if ((r = zkr_registry_log_entry(reg, idx[i], &e, d)) != ZKR_OK)
            break;
        if (zkr_round_outcome_decode(e.payload, e.payload_len, &o) != ZKR_OK)
            r = zkr_fail(d, ZKR_ERR_REGISTRY, "log entry %llu: malformed round-outcome",
                         (unsigned long long)idx[i]);
        else if (o.worker >= s->open.workers)
            r = zkr_fail(d, ZKR_ERR_VERIFY, "round %llu: log entry %llu is an outcome for worker "
                         "%u, outside its %u workers", (unsigned long long)s->index,
                         (unsigned long long)idx[i], o.worker, s->open.workers);
        else if (s->has_outcome[o.worker])
            r = zkr_fail(d, ZKR_ERR_VERIFY, "round %llu: worker %u has two outcomes (log %llu "
                         "and %llu)", (unsigned long long)s->index, o.worker,
                         (unsigned long long)s->outcome_index[o.worker],
                         (unsigned long long)idx[i]);
        else {
            s->has_outcome[o.worker] = 1;
            s->outcome_index[o.worker] = idx[i];
            s->outcome[o.worker] = o;
            s->n_outcomes++;
        }
        zkr_log_entry_free(&e);
    }
    free(idx);
    return r;
}

static zkr_err load_close(zkr_registry *reg, zkr_round_state *s, zkr_diag *d)
{
    uint64_t *idx = NULL;
    size_t n = 0;
    zkr_log_entry e;
    zkr_err r;

    if ((r = zkr_registry_events_by_key(reg, "round-close", s->digest, &idx, &n, d)) != ZKR_OK)
        return r;
    if (n > 1) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "round %llu was closed %zu times (log %llu and %llu): "
                     "the log holds two verdicts for one round",
                     (unsigned long long)s->index, n, (unsigned long long)idx[0],
                     (unsigned long long)idx[1]);
        goto out;
    }
    if (n == 0)
        goto out;
    if ((r = zkr_registry_log_entry(reg, idx[0], &e, d)) != ZKR_OK)
        goto out;
    if (zkr_round_close_decode(e.payload, e.payload_len, &s->close) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "log entry %llu: malformed round-close",
                     (unsigned long long)idx[0]);
    zkr_log_entry_free(&e);
    s->closed = 1;
    s->close_index = idx[0];
out:
    free(idx);
    return r;
}

/* The close lists the accepted children in worker order, and follows every outcome. */
static zkr_err check_close(const zkr_round_state *s, zkr_diag *d)
{
    uint32_t k = 0;

    for (uint32_t w = 0; w < s->open.workers; w++) {
        if (!s->has_outcome[w])
            return zkr_fail(d, ZKR_ERR_VERIFY, "round %llu: closed (log %llu) without an "
                            "outcome for worker %u", (unsigned long long)s->index,
                            (unsigned long long)s->close_index, w);
        if (s->outcome_index[w] > s->close_index)
            return zkr_fail(d, ZKR_ERR_VERIFY, "round %llu: outcome of worker %u (log %llu) "
                            "comes after the close", (unsigned long long)s->index, w,
                            (unsigned long long)s->outcome_index[w]);
        if (!s->outcome[w].accepted)
            continue;
        if (k >= s->close.k || memcmp(s->close.children[k], s->outcome[w].child, 32) != 0)
            return zkr_fail(d, ZKR_ERR_VERIFY, "round %llu: the close (log %llu) does not list "
                            "worker %u's accepted child", (unsigned long long)s->index,
                            (unsigned long long)s->close_index, w);
        k++;
    }
    if (k != s->close.k)
        return zkr_fail(d, ZKR_ERR_VERIFY, "round %llu: the close (log %llu) averages %u "
                        "children, the outcomes accept %u", (unsigned long long)s->index,
                        (unsigned long long)s->close_index, s->close.k, k);
    return ZKR_OK;
}

static zkr_err round_get_tx(zkr_registry *reg, uint64_t index, zkr_round_state *s, zkr_diag *d)
{
    zkr_err r;

    memset(s, 0, sizeof *s);
    s->index = index;
    if ((r = load_open(reg, index, s, d)) != ZKR_OK || (r = load_outcomes(reg, s, d)) != ZKR_OK ||
        (r = load_close(reg, s, d)) != ZKR_OK)
        return r;
    return s->closed ? check_close(s, d) : ZKR_OK;
}

zkr_err zkr_registry_round_get(zkr_registry *reg, uint64_t index, zkr_round_state *out,
                               zkr_diag *d)
{
    int began = sqlite3_get_autocommit(reg->db);
    zkr_err r;

    /* One read transaction: a concurrent close cannot show up half-way through. */
    if (began && (r = zkr_registry_exec(reg, "BEGIN", d)) != ZKR_OK)
        return r;
    r = round_get_tx(reg, index, out, d);
    if (began)
        zkr_registry_rollback(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* Closing a round                                                      */
/* ------------------------------------------------------------------ */

static zkr_err check_outcome_write(zkr_registry *reg, const zkr_round_state *s, uint32_t w,
                                   const zkr_round_write *o, zkr_diag *d)
{
    zkr_err r;
    zkr_round_outcome oc;
    uint8_t sha[ZKR_DIGEST_BYTES];

    if (zkr_round_outcome_decode(o->event, o->event_len, &oc) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "round %llu: outcome %u does not decode",
                        (unsigned long long)s->index, w);
    if (memcmp(oc.round, s->digest, 32) != 0 || oc.worker != w)
        return zkr_fail(d, ZKR_ERR_USAGE, "round %llu: outcome %u names another round or worker",
                        (unsigned long long)s->index, w);
    if (oc.accepted != (o->model != NULL))
        return zkr_fail(d, ZKR_ERR_USAGE, "round %llu: outcome %u %s a model",
                        (unsigned long long)s->index, w,
                        oc.accepted ? "is accepted without" : "is rejected but comes with");
    if (o->model == NULL)
        return ZKR_OK;
    zkr_sha256(o->model, o->model_len, sha);
    if (memcmp(sha, oc.child, 32) != 0 || o->commitment == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "round %llu: outcome %u names another child",
                        (unsigned long long)s->index, w);
    /* Verified before the write lock was taken: a revocation since then wins. */
    if ((r = zkr_registry_check_revoked(reg, ZKR_KIND_STATEMENT, oc.statement, NULL, d)) != ZKR_OK)
        return r;
    return zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, oc.child, NULL, d);
}

static zkr_err check_close_write(const zkr_round_state *s, const zkr_round_write *outcome,
                                 const zkr_round_write *c, zkr_diag *d)
{
    zkr_round_close rc;
    uint8_t sha[ZKR_DIGEST_BYTES];
    uint32_t k = 0;

    if (zkr_round_close_decode(c->event, c->event_len, &rc) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "round %llu: the close does not decode",
                        (unsigned long long)s->index);
    if (memcmp(rc.round, s->digest, 32) != 0)
        return zkr_fail(d, ZKR_ERR_USAGE, "round %llu: the close names another round",
                        (unsigned long long)s->index);
    for (uint32_t w = 0; w < s->open.workers; w++) {
        if (outcome[w].model == NULL)
            continue;
        zkr_sha256(outcome[w].model, outcome[w].model_len, sha);
        if (k >= rc.k || memcmp(rc.children[k], sha, 32) != 0)
            return zkr_fail(d, ZKR_ERR_USAGE, "round %llu: the close does not list worker %u's "
                            "accepted child", (unsigned long long)s->index, w);
        k++;
    }
    if (k != rc.k || (rc.k > 0) != (c->model != NULL))
        return zkr_fail(d, ZKR_ERR_USAGE, "round %llu: the close does not list exactly the "
                        "accepted children", (unsigned long long)s->index);
    if (c->model == NULL)
        return ZKR_OK;
    zkr_sha256(c->model, c->model_len, sha);
    if (memcmp(sha, rc.result, 32) != 0 || c->commitment == NULL ||
        memcmp(c->commitment, rc.result_commitment, 32) != 0)
        return zkr_fail(d, ZKR_ERR_USAGE, "round %llu: the close names another result",
                        (unsigned long long)s->index);
    return ZKR_OK;
}

/* Registers w's model (if any) and appends its event, inside the transaction. */
static zkr_err write_one(zkr_registry *reg, const zkr_artifact *parent, const zkr_artifact *prog,
                         const char *type, zkr_round_write *w, zkr_diag *d)
{
    zkr_err r;

    memset(&w->model_out, 0, sizeof w->model_out);
    if (w->model != NULL &&
        (r = zkr_registry_model_insert_tx(reg, parent->name, prog, w->model, w->model_len,
                                          w->commitment, &w->model_out, d)) != ZKR_OK)
        return r;
    return zkr_registry_log_append_tx(reg, type, zkr_registry_now(), w->event, w->event_len,
                                      &w->log_index, d);
}

static zkr_err close_tx(zkr_registry *reg, zkr_round_state *s, zkr_round_write *outcome,
                        size_t n, zkr_round_write *close, zkr_diag *d)
{
    zkr_artifact parent, prog;
    char hex[65];
    zkr_err r;

    /* Re-read under the write lock: whoever judged concurrently has written by now, or not at all. */
    if ((r = round_get_tx(reg, s->index, s, d)) != ZKR_OK)
        return r;
    if (s->closed)
        return zkr_fail(d, ZKR_ERR_CONFLICT, "round %llu was already closed (log %llu)",
                        (unsigned long long)s->index, (unsigned long long)s->close_index);
    if (s->n_outcomes > 0)
        return zkr_fail(d, ZKR_ERR_CONFLICT, "round %llu already has %u outcome(s) but no close "
                        "(written by an older zkreg); it cannot be closed again",
                        (unsigned long long)s->index, s->n_outcomes);
    if (n != s->open.workers)
        return zkr_fail(d, ZKR_ERR_USAGE, "round %llu has %u workers, %zu outcomes given",
                        (unsigned long long)s->index, s->open.workers, n);
    zkr_registry_hex(s->open.parent, 32, hex, sizeof hex);
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, hex, &parent, d)) != ZKR_OK ||
        (r = zkr_registry_artifact_by_id(reg, parent.program_id, &prog, d)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, prog.sha256, NULL, d)) != ZKR_OK ||
        (r = round_not_revoked(reg, &s->open, d)) != ZKR_OK)
        return r;
    for (uint32_t w = 0; w < s->open.workers; w++)
        if ((r = check_outcome_write(reg, s, w, &outcome[w], d)) != ZKR_OK)
            return r;
    if ((r = check_close_write(s, outcome, close, d)) != ZKR_OK)
        return r;
    for (uint32_t w = 0; w < s->open.workers; w++)
        if ((r = write_one(reg, &parent, &prog, "round-outcome", &outcome[w], d)) != ZKR_OK)
            return r;
    return write_one(reg, &parent, &prog, "round-close", close, d);
}

zkr_err zkr_registry_round_close(zkr_registry *reg, uint64_t round, zkr_round_write *outcome,
                                 size_t n, zkr_round_write *close, zkr_diag *d)
{
    zkr_round_state *s = calloc(1, sizeof *s);
    zkr_err r;

    if (s == NULL)
        return ZKR_ERR_NOMEM;
    s->index = round;
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        goto out;
    if ((r = close_tx(reg, s, outcome, n, close, d)) != ZKR_OK)
        goto out;
#if ZKR_TEST_BUILD
    /* A close that fails after every check: the accept must undo its store files (round-gate-cli). */
    if (getenv("ZKR_TEST_ROUND_FAIL_COMMIT") != NULL) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "round close: commit failure injected (test build)");
        goto out;
    }
#endif
    r = zkr_registry_commit(reg, d);
out:
    zkr_registry_rollback(reg);
    free(s);
    return r;
}
