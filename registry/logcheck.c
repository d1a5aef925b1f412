/*
 * Rows checked against the log (docs/threat-model.md, "insider with the
 * registry file"). The signed, append-only log is the registry's truth; the
 * SQLite rows are an index over it that an insider holding the file can
 * edit once the append-only triggers are dropped. Every decision that
 * relies on a row (attest, the registry-backed gate and verify-attestation,
 * every revocation check) re-reads the leaf that registered it here: the
 * leaf must re-hash to its stored hash and carry exactly the row's bytes,
 * and revocation state is taken from the revocation leaves, not the rows.
 */
#include <stdio.h>
#include <string.h>

#include "registry_int.h"

#define VERIFIER_TAG "zkreg/verifier/v1"

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
static zkr_err anchored(zkr_registry *reg, const char *row, uint64_t index,
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

zkr_err zkr_registry_leaf_backs(zkr_registry *reg, const char *row, uint64_t index,
                                const char *type, int64_t created, const zkr_buf *payload,
                                zkr_diag *d)
{
    zkr_log_entry e;
    uint8_t h[ZKR_DIGEST_BYTES];
    zkr_diag quiet = {0};
    zkr_err r;

    if ((r = zkr_registry_log_entry(reg, index, &e, &quiet)) == ZKR_ERR_NOT_FOUND)
        return zkr_fail(d, ZKR_ERR_REGISTRY,
                        "%s: %s names log entry %llu, which does not exist (row and log "
                        "disagree)",
                        reg->path, row, (unsigned long long)index);
    if (r != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_REGISTRY, "%s: %s: %s", reg->path,
                        row, quiet.msg);
    zkr_merkle_leaf_hash(e.leaf.p, e.leaf.len, h);
    if (memcmp(h, e.leaf_hash, ZKR_DIGEST_BYTES) != 0)
        r = zkr_fail(d, ZKR_ERR_REGISTRY,
                     "%s: log entry %llu (registering %s) does not hash to its stored leaf hash",
                     reg->path, (unsigned long long)index, row);
    else if (strcmp(e.type, type) != 0 || e.time != created || e.payload_len != payload->len ||
             memcmp(e.payload, payload->p, payload->len) != 0)
        r = zkr_fail(d, ZKR_ERR_REGISTRY,
                     "%s: %s differs from log entry %llu, the '%s' leaf that registered it",
                     reg->path, row, (unsigned long long)index, e.type);
    else
        r = anchored(reg, row, index, h, d);
    zkr_log_entry_free(&e);
    return r;
}

static zkr_err artifact_backed(zkr_registry *reg, const zkr_artifact *a, zkr_diag *d)
{
    zkr_buf b = {0};
    char row[64];
    zkr_err r;

    snprintf(row, sizeof row, "%s row %lld", zkr_kind_name(a->kind), (long long)a->id);
    if ((r = zkr_artifact_encode(a, &b)) == ZKR_OK)
        r = zkr_registry_leaf_backs(reg, row, a->log_index, zkr_kind_name(a->kind), a->created,
                                    &b, d);
    zkr_buf_free(&b);
    return r;
}

zkr_err zkr_registry_statement_check_log(zkr_registry *reg, const zkr_statement *st, zkr_diag *d)
{
    zkr_buf b = {0};
    char row[64];
    zkr_err r;

    snprintf(row, sizeof row, "statement row %lld", (long long)st->id);
    if ((r = zkr_statement_event_payload(st, &b)) != ZKR_OK ||
        (r = zkr_registry_leaf_backs(reg, row, st->log_index, "statement", st->created, &b, d)) !=
            ZKR_OK)
        goto out;
    b.len = 0;
    snprintf(row, sizeof row, "schema row %lld", (long long)st->schema.id);
    if ((r = zkr_schema_encode(&st->schema, &b)) != ZKR_OK ||
        (r = zkr_registry_leaf_backs(reg, row, st->schema.log_index, "schema", st->schema.created,
                                     &b, d)) != ZKR_OK)
        goto out;
    if ((r = artifact_backed(reg, &st->program, d)) != ZKR_OK ||
        (r = artifact_backed(reg, &st->model, d)) != ZKR_OK)
        goto out;
    r = artifact_backed(reg, &st->dataset, d);
out:
    zkr_buf_free(&b);
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
    if (rl == ZKR_OK && (rl = anchored(reg, what, leaf.log_index, h, d)) != ZKR_OK)
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
