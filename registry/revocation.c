/*
 * Revocation state: the codec of a "revocation" leaf, the rows, and the
 * check every registration and verification makes, taken from the
 * revocation leaves and cross-checked against the rows (logcheck.c). Below
 * artifact.c, statement.c and revoke.c, which records revocations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry_int.h"

#define VERIFIER_TAG "zkreg/verifier/v1"
#define REVOCATION_COLUMNS "id, kind, target, reason, created, log_index"

zkr_err zkr_revocation_encode(const zkr_revocation *rv, zkr_buf *out)
{
    zkr_err r;

    if ((r = zkr_enc_str(out, zkr_kind_name(rv->kind))) != ZKR_OK ||
        (r = zkr_enc_bytes(out, rv->target, ZKR_DIGEST_BYTES)) != ZKR_OK)
        return r;
    return zkr_enc_str(out, rv->reason);
}

zkr_err zkr_revocation_reason_check(const char *reason, zkr_diag *d)
{
    size_t n = reason ? strlen(reason) : 0;

    if (n == 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "--reason: empty");
    if (n > ZKR_REASON_MAX)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "--reason: %zu bytes, over %d", n, ZKR_REASON_MAX);
    if (zkr_utf8_check((const uint8_t *)reason, n) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "--reason: not UTF-8 text");
    return ZKR_OK;
}

zkr_err zkr_revocation_decode(const uint8_t *p, size_t len, zkr_revocation *rv, zkr_diag *d)
{
    const uint8_t *b;
    size_t n;
    char kind[16];
    zkr_dec dec;

    memset(rv, 0, sizeof *rv);
    zkr_dec_init(&dec, p, len);
    if (zkr_dec_bytes(&dec, sizeof kind - 1, &b, &n) != ZKR_OK)
        goto bad;
    memcpy(kind, b, n);
    kind[n] = '\0';
    if (strlen(kind) != n || zkr_kind_parse(kind, &rv->kind, NULL) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_DIGEST_BYTES, &b, &n) != ZKR_OK || n != ZKR_DIGEST_BYTES)
        goto bad;
    memcpy(rv->target, b, n);
    if (zkr_dec_bytes(&dec, ZKR_REASON_MAX, &b, &n) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        goto bad;
    memcpy(rv->reason, b, n);
    rv->reason[n] = '\0';
    if (strlen(rv->reason) != n || zkr_revocation_reason_check(rv->reason, NULL) != ZKR_OK)
        goto bad;
    return ZKR_OK;
bad:
    memset(rv, 0, sizeof *rv);
    return zkr_fail(d, ZKR_ERR_MALFORMED, "revocation event does not decode");
}

static zkr_err row_to_revocation(zkr_registry *reg, sqlite3_stmt *st, zkr_revocation *rv)
{
    const unsigned char *kind = sqlite3_column_text(st, 1), *reason = sqlite3_column_text(st, 3);

    memset(rv, 0, sizeof *rv);
    rv->id = sqlite3_column_int64(st, 0);
    if (kind == NULL || zkr_kind_parse((const char *)kind, &rv->kind, NULL) != ZKR_OK ||
        zkr_registry_col_digest(st, 2, rv->target) != ZKR_OK || reason == NULL ||
        strlen((const char *)reason) > ZKR_REASON_MAX)
        return zkr_fail(NULL, ZKR_ERR_REGISTRY, "%s: revocation row corrupt", reg->path);
    strcpy(rv->reason, (const char *)reason);
    rv->created = sqlite3_column_int64(st, 4);
    rv->log_index = (uint64_t)sqlite3_column_int64(st, 5);
    return ZKR_OK;
}

zkr_err zkr_registry_revocation_row(zkr_registry *reg, zkr_kind kind,
                                    const uint8_t target[ZKR_DIGEST_BYTES], zkr_revocation *out,
                                    zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare_cached(reg,
                                  "SELECT " REVOCATION_COLUMNS " FROM revocation"
                                  " WHERE kind = ? AND target = ? ORDER BY id LIMIT 1",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_text(st, 1, zkr_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, target, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        r = row_to_revocation(reg, st, out);
    else if (rc == SQLITE_DONE)
        r = ZKR_ERR_NOT_FOUND;
    else
        r = zkr_registry_sql_err(reg, rc, "reading revocations", d);
    zkr_registry_release(reg, st);
    return r;
}

zkr_err zkr_registry_check_revoked(zkr_registry *reg, zkr_kind kind,
                                   const uint8_t target[ZKR_DIGEST_BYTES],
                                   zkr_revocation *info, zkr_diag *d)
{
    zkr_revocation rv;
    char hex[17];
    zkr_err r;

    if (info != NULL)
        memset(info, 0, sizeof *info);
    /* From the log, the truth; a row that disagrees with it is an error, never an answer. */
    r = zkr_registry_revocation_from_log(reg, kind, target, &rv, d);
    if (r == ZKR_ERR_NOT_FOUND)
        return ZKR_OK;
    if (r != ZKR_OK)
        return r;
    if (info != NULL)
        *info = rv;
    zkr_registry_hex(target, 8, hex, sizeof hex);
    {
        time_t tt = (time_t)rv.created;
        struct tm tm;
        char when[32];
        if (gmtime_r(&tt, &tm) == NULL || strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
            snprintf(when, sizeof when, "%lld", (long long)rv.created);
        return zkr_fail(d, ZKR_ERR_REVOKED, "%s %s... was revoked at %s (log entry %llu): %s",
                        zkr_kind_name(kind), hex, when, (unsigned long long)rv.log_index,
                        rv.reason);
    }
}

static zkr_err revocation_item(zkr_registry *reg, sqlite3_stmt *st, void *item)
{
    return row_to_revocation(reg, st, item);
}

zkr_err zkr_registry_revocation_list(zkr_registry *reg, zkr_revocation **out, size_t *n)
{
    sqlite3_stmt *st = NULL;
    void *items = NULL;
    zkr_err r;

    *out = NULL;
    *n = 0;
    if ((r = zkr_registry_prepare(reg, "SELECT " REVOCATION_COLUMNS " FROM revocation ORDER BY id",
                                  &st, NULL)) != ZKR_OK)
        return r;
    r = zkr_registry_rows(reg, st, sizeof **out, revocation_item, "listing revocations", &items, n);
    *out = items;
    sqlite3_finalize(st);
    return r;
}

/* The first revocation leaf of (kind, target), decoded; ZKR_ERR_NOT_FOUND when none. */
static zkr_err leaf_revocation(zkr_registry *reg, zkr_kind kind,
                               const uint8_t target[ZKR_DIGEST_BYTES], zkr_revocation *out,
                               uint8_t leaf_hash[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare_cached(reg,
                                  "SELECT idx, time, leaf, leaf_hash FROM log"
                                  " WHERE type = 'revocation'"
                                  " ORDER BY idx",
                                  &st, d)) != ZKR_OK)
        return r;
    r = ZKR_ERR_NOT_FOUND;
    while (r == ZKR_ERR_NOT_FOUND && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
        const uint8_t *leaf = sqlite3_column_blob(st, 2), *pl;
        size_t pl_len;
        char type[ZKR_IDENT_MAX + 1];
        int64_t t;
        zkr_revocation rv;
        uint8_t h[ZKR_DIGEST_BYTES], stored[ZKR_DIGEST_BYTES];

        if (leaf != NULL)
            zkr_merkle_leaf_hash(leaf, (size_t)sqlite3_column_bytes(st, 2), h);
        if (leaf == NULL || zkr_registry_col_digest(st, 3, stored) != ZKR_OK ||
            memcmp(h, stored, ZKR_DIGEST_BYTES) != 0 ||
            zkr_log_leaf_decode(leaf, (size_t)sqlite3_column_bytes(st, 2), type, &t, &pl,
                                &pl_len) != ZKR_OK ||
            strcmp(type, "revocation") != 0 || t != sqlite3_column_int64(st, 1) ||
            zkr_revocation_decode(pl, pl_len, &rv, NULL) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: log entry %llu is not a revocation leaf that hashes to its "
                         "stored leaf hash",
                         reg->path, (unsigned long long)idx);
            break;
        }
        if (rv.kind == kind && memcmp(rv.target, target, ZKR_DIGEST_BYTES) == 0) {
            rv.created = t;
            rv.log_index = idx;
            *out = rv;
            memcpy(leaf_hash, h, ZKR_DIGEST_BYTES);
            r = ZKR_OK;
        }
    }
    if (r == ZKR_ERR_NOT_FOUND && rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "reading revocation leaves", d);
    zkr_registry_release(reg, st);
    return r;
}

zkr_err zkr_registry_revocation_from_log(zkr_registry *reg, zkr_kind kind,
                                         const uint8_t target[ZKR_DIGEST_BYTES],
                                         zkr_revocation *out, zkr_diag *d)
{
    zkr_revocation leaf, row;
    uint8_t h[ZKR_DIGEST_BYTES];
    char hex[17], what[64];
    zkr_err rl, rr;

    memset(out, 0, sizeof *out);
    memset(&leaf, 0, sizeof leaf);
    zkr_registry_hex(target, 8, hex, sizeof hex);
    rl = leaf_revocation(reg, kind, target, &leaf, h, d);
    if (rl != ZKR_OK && rl != ZKR_ERR_NOT_FOUND)
        return rl;
    snprintf(what, sizeof what, "a revocation of %s %s...", zkr_kind_name(kind), hex);
    if (rl == ZKR_OK && (rl = zkr_registry_leaf_anchored(reg, what, leaf.log_index, h, d)) != ZKR_OK)
        return rl;
    rr = zkr_registry_revocation_row(reg, kind, target, &row, d);
    if (rr != ZKR_OK && rr != ZKR_ERR_NOT_FOUND)
        return rr;
    if (rl == ZKR_OK && rr == ZKR_ERR_NOT_FOUND)
        return zkr_fail(d, ZKR_ERR_REGISTRY,
                        "%s: log entry %llu revokes %s %s..., but no revocation row records it "
                        "(row deleted?)",
                        reg->path, (unsigned long long)leaf.log_index, zkr_kind_name(kind), hex);
    if (rl == ZKR_ERR_NOT_FOUND && rr == ZKR_OK)
        return zkr_fail(d, ZKR_ERR_REGISTRY,
                        "%s: revocation row %lld of %s %s... names log entry %llu, which is not "
                        "its revocation leaf",
                        reg->path, (long long)row.id, zkr_kind_name(kind), hex,
                        (unsigned long long)row.log_index);
    if (rl == ZKR_ERR_NOT_FOUND)
        return ZKR_ERR_NOT_FOUND;
    if (row.log_index != leaf.log_index || row.created != leaf.created ||
        strcmp(row.reason, leaf.reason) != 0)
        return zkr_fail(d, ZKR_ERR_REGISTRY,
                        "%s: revocation row %lld differs from log entry %llu, the leaf that "
                        "registered it",
                        reg->path, (long long)row.id, (unsigned long long)leaf.log_index);
    leaf.id = row.id;
    *out = leaf;
    return ZKR_OK;
}

zkr_err zkr_registry_verifier_target(const char *kind, const char *version,
                                     uint8_t target[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    char name[2 * ZKR_IDENT_MAX + 2];

    memset(target, 0, ZKR_DIGEST_BYTES);
    if (kind == NULL || !zkr_registry_ident_ok(kind, 1) || strchr(kind, '@') == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "verifier: proof kind '%s' is not a kind such as inference@1",
                        kind ? kind : "");
    if (version == NULL || !zkr_registry_ident_ok(version, 0))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "verifier: version '%s' is not a version such as 0.2.0",
                        version ? version : "");
    snprintf(name, sizeof name, "%s@%s", kind, version);
    zkr_sha256_tagged(VERIFIER_TAG, (const uint8_t *)name, strlen(name), target);
    return ZKR_OK;
}

/*
 * A leaf the latest signed checkpoint covers must be in the tree it signs:
 * a leaf rewritten together with its stored hash is caught here unless the
 * cached tree and the signature were forged too. Leaves past the latest
 * checkpoint are not covered yet (the next checkpoint is signed only over
 * a tree consistent with this one, registry/checkpoint.c).
 */
zkr_err zkr_registry_leaf_anchored(zkr_registry *reg, const char *row, uint64_t index,
                                   const uint8_t leaf_hash[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_buf note = {0};
    zkr_checkpoint cp;
    zkr_diag quiet = {0};
    size_t plen = 0;
    zkr_err r;

    r = zkr_registry_checkpoint_latest(reg, &note, &cp, &quiet);
    zkr_buf_free(&note);
    if (r == ZKR_ERR_NOT_FOUND)
        return ZKR_OK;
    if (r != ZKR_OK)
        return zkr_fail(d, r, "%s", quiet.msg);
    if (index >= cp.size)
        return ZKR_OK;
    if (zkr_registry_log_inclusion(reg, index, cp.size, path, &plen, &quiet) != ZKR_OK ||
        zkr_merkle_inclusion_verify(leaf_hash, index, cp.size,
                                    (const uint8_t(*)[ZKR_DIGEST_BYTES])path, plen,
                                    cp.root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_REGISTRY,
                        "%s: log entry %llu (registering %s) is not in the tree the latest signed "
                        "checkpoint (size %llu) commits to",
                        reg->path, (unsigned long long)index, row, (unsigned long long)cp.size);
    return ZKR_OK;
}

static zkr_err one_verifier(zkr_registry *reg, const char *kind, const char *version, zkr_diag *d)
{
    uint8_t target[ZKR_DIGEST_BYTES];
    zkr_revocation rv;
    zkr_err r;

    if ((r = zkr_registry_verifier_target(kind, version, target, d)) != ZKR_OK)
        return r;
    r = zkr_registry_revocation_from_log(reg, ZKR_KIND_VERIFIER, target, &rv, d);
    if (r == ZKR_ERR_NOT_FOUND)
        return ZKR_OK;
    if (r != ZKR_OK)
        return r;
    return zkr_fail(d, ZKR_ERR_REVOKED, "verifier %s@%s is revoked (log entry %llu): %s", kind,
                    version, (unsigned long long)rv.log_index, rv.reason);
}

zkr_err zkr_registry_verifier_revoked(zkr_registry *reg, const char *kind, const char *version,
                                      zkr_diag *d)
{
    const char *k;
    zkr_err r;

    if (kind != NULL)
        return one_verifier(reg, kind, version, d);
    for (size_t i = 0; (k = zkr_schema_proof_kind_at(i)) != NULL; i++)
        if ((r = one_verifier(reg, k, version, d)) != ZKR_OK)
            return r;
    return ZKR_OK;
}
