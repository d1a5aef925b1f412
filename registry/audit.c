/*
 * Full audit of a registry: recomputes the log from its leaves and checks
 * that every row is backed by exactly the leaf that registered it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_int.h"

typedef uint8_t digest_t[ZKR_DIGEST_BYTES];

static zkr_err bad(zkr_registry *reg, zkr_diag *d, const char *what, uint64_t i)
{
    return zkr_fail(d, ZKR_ERR_VERIFY, "%s: log audit failed: %s (entry or row %llu)", reg->path,
                    what, (unsigned long long)i);
}

/* Leaves: contiguous, hashes right, decodable, columns equal to the leaf's fields. */
static zkr_err audit_leaves(zkr_registry *reg, digest_t **out, uint64_t *n, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    digest_t *v = NULL;
    size_t cap = 0;
    uint64_t i = 0;
    zkr_err r;
    int rc;

    *out = NULL;
    *n = 0;
    if ((r = zkr_registry_prepare(reg, "SELECT idx, type, time, leaf, leaf_hash FROM log ORDER BY idx",
                                  &st, d)) != ZKR_OK)
        return r;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const uint8_t *leaf = sqlite3_column_blob(st, 3);
        size_t len = (size_t)sqlite3_column_bytes(st, 3);
        const unsigned char *type = sqlite3_column_text(st, 1);
        char dtype[ZKR_IDENT_MAX + 1];
        const uint8_t *pl;
        size_t pl_len;
        int64_t t;
        digest_t h;

        if ((r = zkr_registry_grow((void **)&v, &cap, i, sizeof *v)) != ZKR_OK)
            goto out;
        if ((uint64_t)sqlite3_column_int64(st, 0) != i) {
            r = bad(reg, d, "log indices are not contiguous", i);
            goto out;
        }
        zkr_merkle_leaf_hash(leaf ? leaf : (const uint8_t *)"", len, h);
        if (zkr_registry_col_digest(st, 4, v[i]) != ZKR_OK || memcmp(h, v[i], 32) != 0) {
            r = bad(reg, d, "stored leaf hash differs from the leaf", i);
            goto out;
        }
        if (leaf == NULL || zkr_log_leaf_decode(leaf, len, dtype, &t, &pl, &pl_len) != ZKR_OK ||
            type == NULL || strcmp((const char *)type, dtype) != 0 ||
            t != sqlite3_column_int64(st, 2)) {
            r = bad(reg, d, "leaf does not decode or disagrees with its columns", i);
            goto out;
        }
        i++;
    }
    if (rc != SQLITE_DONE) {
        r = zkr_registry_sql_err(reg, rc, "reading the log", d);
        goto out;
    }
    *out = v;
    *n = i;
    v = NULL;
out:
    free(v);
    sqlite3_finalize(st);
    return r;
}

/* The cached perfect-subtree nodes, recomputed level by level. */
static zkr_err audit_nodes(zkr_registry *reg, const digest_t *leaves, uint64_t n, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    digest_t *cur = NULL;
    uint64_t width = n, seen = 0, expected = 0, idx = 0;
    unsigned level = 0;
    zkr_err r;
    int rc;

    for (uint64_t w = n; w > 0; w >>= 1)
        expected += w;
    if (n > 0 && (cur = malloc((size_t)n * sizeof *cur)) == NULL)
        return ZKR_ERR_NOMEM;
    if (n > 0)
        memcpy(cur, leaves, (size_t)n * sizeof *cur);
    if ((r = zkr_registry_prepare(reg, "SELECT level, idx, hash FROM log_node ORDER BY level, idx",
                                  &st, d)) != ZKR_OK)
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        digest_t h;
        while (idx == width && width > 0) {
            for (uint64_t j = 0; j < width / 2; j++)
                zkr_merkle_node_hash(cur[2 * j], cur[2 * j + 1], cur[j]);
            width /= 2;
            level++;
            idx = 0;
        }
        if (idx >= width) {
            r = bad(reg, d, "cached tree has nodes past its complete subtrees", seen);
            goto out;
        }
        if ((unsigned)sqlite3_column_int(st, 0) != level ||
            (uint64_t)sqlite3_column_int64(st, 1) != idx ||
            zkr_registry_col_digest(st, 2, h) != ZKR_OK || memcmp(h, cur[idx], 32) != 0) {
            r = bad(reg, d, "cached tree node differs from the recomputed tree", seen);
            goto out;
        }
        idx++;
        seen++;
    }
    if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "reading the log tree", d);
    else if (seen != expected)
        r = bad(reg, d, "cached tree has the wrong number of nodes", seen);
out:
    free(cur);
    sqlite3_finalize(st);
    return r;
}

static zkr_err audit_checkpoints(zkr_registry *reg, const digest_t *leaves, uint64_t n,
                                 zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_buf vk = {0};
    zkr_err r;
    int rc;

    if ((r = zkr_registry_verifier_key(reg, &vk)) != ZKR_OK ||
        (r = zkr_registry_prepare(reg, "SELECT id, size, root, note FROM checkpoint ORDER BY id",
                                  &st, d)) != ZKR_OK)
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t id = (uint64_t)sqlite3_column_int64(st, 0);
        zkr_checkpoint cp;
        digest_t root;
        if (zkr_checkpoint_verify(sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3),
                                  (const char *)vk.p, &cp, NULL) != ZKR_OK) {
            r = bad(reg, d, "stored checkpoint signature does not verify", id);
            goto out;
        }
        if (cp.size > n || cp.size != (uint64_t)sqlite3_column_int64(st, 1)) {
            r = bad(reg, d, "stored checkpoint is past the end of the log", id);
            goto out;
        }
        if ((r = zkr_merkle_root(leaves, cp.size, root)) != ZKR_OK)
            goto out;
        if (memcmp(root, cp.root, 32) != 0) {
            r = bad(reg, d, "stored checkpoint root is not the log's root at its size", id);
            goto out;
        }
        if (cp.has_revocations) {
            uint64_t cnt = 0;
            digest_t dg;
            if ((r = zkr_registry_revocation_set(reg, cp.size, &cnt, dg, d)) != ZKR_OK)
                goto out;
            if (cnt != cp.revocation_count || memcmp(dg, cp.revocation_digest, 32) != 0) {
                r = bad(reg, d, "stored checkpoint's revocation set is not the log's", id);
                goto out;
            }
        }
    }
    if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "reading checkpoints", d);
out:
    sqlite3_finalize(st);
    zkr_buf_free(&vk);
    return r;
}

/* Checks that the leaf at `index` has `type`, time `created` and exactly `payload`. */
static zkr_err backed(zkr_registry *reg, uint64_t index, const char *type, int64_t created,
                      const zkr_buf *payload, zkr_diag *d)
{
    zkr_log_entry e;
    zkr_err r;

    if ((r = zkr_registry_log_entry(reg, index, &e, d)) != ZKR_OK)
        return bad(reg, d, "a row names a log entry that does not exist", index);
    if (strcmp(e.type, type) != 0 || e.time != created || e.payload_len != payload->len ||
        memcmp(e.payload, payload->p, payload->len) != 0)
        r = bad(reg, d, "a row differs from the log entry that registered it", index);
    zkr_log_entry_free(&e);
    return r;
}

static zkr_err audit_rows(zkr_registry *reg, zkr_diag *d)
{
    zkr_artifact *a = NULL;
    zkr_schema *s = NULL;
    zkr_revocation *rv = NULL;
    uint8_t(*sids)[ZKR_DIGEST_BYTES] = NULL;
    int64_t *ids = NULL;
    size_t na = 0, ns = 0, nr = 0, nst = 0;
    zkr_buf b = {0};
    zkr_err r;

    if ((r = zkr_registry_artifact_list(reg, 0, &a, &na)) != ZKR_OK ||
        (r = zkr_registry_schema_list(reg, &s, &ns)) != ZKR_OK ||
        (r = zkr_registry_revocation_list(reg, &rv, &nr)) != ZKR_OK ||
        (r = zkr_registry_statement_list(reg, &sids, &ids, &nst)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < na && r == ZKR_OK; i++) {
        b.len = 0;
        if ((r = zkr_artifact_encode(&a[i], &b)) == ZKR_OK)
            r = backed(reg, a[i].log_index, zkr_kind_name(a[i].kind), a[i].created, &b, d);
    }
    for (size_t i = 0; i < ns && r == ZKR_OK; i++) {
        b.len = 0;
        if ((r = zkr_schema_encode(&s[i], &b)) == ZKR_OK)
            r = backed(reg, s[i].log_index, "schema", s[i].created, &b, d);
    }
    for (size_t i = 0; i < nr && r == ZKR_OK; i++) {
        b.len = 0;
        if ((r = zkr_revocation_encode(&rv[i], &b)) == ZKR_OK)
            r = backed(reg, rv[i].log_index, "revocation", rv[i].created, &b, d);
    }
    for (size_t i = 0; i < nst && r == ZKR_OK; i++) {
        zkr_statement st;
        char ref[24];
        snprintf(ref, sizeof ref, "%lld", (long long)ids[i]);
        b.len = 0;
        if ((r = zkr_registry_statement_get(reg, ref, &st, d)) == ZKR_OK &&
            (r = zkr_statement_event_payload(&st, &b)) == ZKR_OK)
            r = backed(reg, st.log_index, "statement", st.created, &b, d);
        zkr_statement_free(&st);
    }
out:
    free(a);
    free(s);
    free(rv);
    free(sids);
    free(ids);
    zkr_buf_free(&b);
    return r;
}

/* Every recorded verification: its row carries exactly its "proof" leaf's fields. */
static zkr_err audit_proofs(zkr_registry *reg, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_buf b = {0};
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare(reg,
                                  "SELECT id, statement_id, proof_digest, verifier_version,"
                                  " created, log_index FROM proof ORDER BY id",
                                  &st, d)) != ZKR_OK)
        return r;
    while (r == ZKR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t sid[ZKR_DIGEST_BYTES], pd[ZKR_DIGEST_BYTES];
        const unsigned char *vv = sqlite3_column_text(st, 3);
        char row[48];

        snprintf(row, sizeof row, "proof row %lld", (long long)sqlite3_column_int64(st, 0));
        b.len = 0;
        if (zkr_registry_col_digest(st, 1, sid) != ZKR_OK ||
            zkr_registry_col_digest(st, 2, pd) != ZKR_OK || vv == NULL ||
            !zkr_registry_ident_ok((const char *)vv, 0)) {
            r = bad(reg, d, "a proof row is corrupt", (uint64_t)sqlite3_column_int64(st, 0));
            break;
        }
        if ((r = zkr_proof_event_encode(sid, pd, (const char *)vv, &b)) == ZKR_OK &&
            zkr_registry_leaf_backs(reg, row, (uint64_t)sqlite3_column_int64(st, 5), "proof",
                                    sqlite3_column_int64(st, 4), &b, d) != ZKR_OK) {
            char why[ZKR_DIAG_BYTES];
            snprintf(why, sizeof why, "%s", d ? d->msg : "");
            r = zkr_fail(d, ZKR_ERR_VERIFY, "log audit failed: %s", why);
        }
    }
    if (r == ZKR_OK && rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "reading proofs", d);
    sqlite3_finalize(st);
    zkr_buf_free(&b);
    return r;
}

/* Every registry-typed leaf has its row: counts per table equal counts per type. */
static zkr_err audit_counts(zkr_registry *reg, zkr_diag *d)
{
    static const char *const q[] = {
        "SELECT (SELECT count(*) FROM log WHERE type IN ('program', 'model', 'dataset'))"
        " = (SELECT count(*) FROM artifact)",
        "SELECT (SELECT count(*) FROM log WHERE type = 'schema') = (SELECT count(*) FROM schema)",
        "SELECT (SELECT count(*) FROM log WHERE type = 'statement')"
        " = (SELECT count(*) FROM statement)",
        "SELECT (SELECT count(*) FROM log WHERE type = 'revocation')"
        " = (SELECT count(*) FROM revocation)",
        "SELECT (SELECT count(*) FROM log WHERE type = 'proof') = (SELECT count(*) FROM proof)",
    };
    zkr_err r = ZKR_OK;

    for (size_t i = 0; i < sizeof q / sizeof q[0] && r == ZKR_OK; i++) {
        sqlite3_stmt *st = NULL;
        if ((r = zkr_registry_prepare(reg, q[i], &st, d)) != ZKR_OK)
            return r;
        if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 1)
            r = bad(reg, d, "a log entry has no row, or a row no log entry", i);
        sqlite3_finalize(st);
    }
    return r;
}

/*
 * Revocation order: no entry binds an object whose revocation has a lower
 * log index. Each query yields (binding entry, revocation entry, kind,
 * target) for a violation: a model of a revoked program, a statement over
 * a revoked schema, program, model or dataset, a proof of a revoked
 * statement or of one that binds a revoked object.
 */
#define STMT_BINDS(s, r)                                                                       \
    " JOIN schema sc ON sc.id = " s ".schema_id JOIN artifact p ON p.id = " s ".program_id"   \
    " JOIN artifact m ON m.id = " s ".model_id JOIN artifact ds ON ds.id = " s ".dataset_id"  \
    " JOIN revocation " r " ON (" r ".kind = 'schema' AND " r ".target = sc.digest)"         \
    " OR (" r ".kind = 'program' AND " r ".target = p.sha256)"                                \
    " OR (" r ".kind = 'model' AND " r ".target = m.sha256)"                                  \
    " OR (" r ".kind = 'dataset' AND " r ".target = ds.sha256)"                               \
    " OR (" r ".kind = 'statement' AND " r ".target = " s ".statement_id)"

static const char *const revocation_order_queries[] = {
    "SELECT a.log_index, r.log_index, r.kind, lower(hex(r.target)) FROM artifact a"
    " JOIN artifact p ON p.id = a.program_id"
    " JOIN revocation r ON r.kind = 'program' AND r.target = p.sha256"
    " WHERE a.kind = 'model' AND r.log_index < a.log_index",
    "SELECT s.log_index, r.log_index, r.kind, lower(hex(r.target)) FROM statement s" STMT_BINDS("s", "r")
    " WHERE r.log_index < s.log_index AND r.kind <> 'statement'",
    "SELECT pr.log_index, r.log_index, r.kind, lower(hex(r.target)) FROM proof pr"
    " JOIN statement s ON s.statement_id = pr.statement_id" STMT_BINDS("s", "r")
    " WHERE r.log_index < pr.log_index",
};

static zkr_err audit_revocation_order(zkr_registry *reg, zkr_diag *d)
{
    zkr_err r = ZKR_OK;

    for (size_t i = 0; i < sizeof revocation_order_queries / sizeof revocation_order_queries[0];
         i++) {
        sqlite3_stmt *st = NULL;
        char sql[2048];
        int rc;
        snprintf(sql, sizeof sql, "%s ORDER BY 1 LIMIT 1", revocation_order_queries[i]);
        if ((r = zkr_registry_prepare(reg, sql, &st, d)) != ZKR_OK)
            return r;
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            r = zkr_fail(d, ZKR_ERR_VERIFY,
                         "%s: log audit failed: entry %lld binds %s %.16s... whose revocation is "
                         "the earlier entry %lld (a revoked object must bind nothing after its "
                         "revocation)",
                         reg->path, (long long)sqlite3_column_int64(st, 0),
                         (const char *)sqlite3_column_text(st, 2),
                         (const char *)sqlite3_column_text(st, 3),
                         (long long)sqlite3_column_int64(st, 1));
        else if (rc != SQLITE_DONE)
            r = zkr_registry_sql_err(reg, rc, "checking the revocation order", d);
        sqlite3_finalize(st);
        if (r != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

/*
 * Revocation order for the training events, which have no rows: a lineage
 * or round-open must not bind a parent model, that model's program, a
 * dataset or (round-open) a schema whose revocation is an earlier entry.
 * Sets *at to that revocation's index when there is one.
 */
static zkr_err revoked_before(zkr_registry *reg, const char *kind,
                              const uint8_t target[ZKR_DIGEST_BYTES], uint64_t index, int64_t *at,
                              zkr_diag *d)
{
    static const char *const q[] = {
        "SELECT log_index FROM revocation WHERE kind = ?1 AND target = ?2 AND log_index < ?3"
        " ORDER BY log_index LIMIT 1",
        "SELECT r.log_index FROM artifact m JOIN artifact p ON p.id = m.program_id"
        " JOIN revocation r ON r.kind = 'program' AND r.target = p.sha256"
        " WHERE m.kind = 'model' AND m.sha256 = ?2 AND r.log_index < ?3 AND ?1 IS NOT NULL"
        " ORDER BY r.log_index LIMIT 1",
    };
    int program = strcmp(kind, "program-of-model") == 0;
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    *at = -1;
    if ((r = zkr_registry_prepare(reg, q[program], &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, target, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)index);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *at = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "checking the revocation order", d);
    sqlite3_finalize(st);
    return r;
}

/* The objects a lineage or round-open entry binds: kinds and digests, up to six. */
static zkr_err training_binds(const zkr_log_entry *e, const char *kind[6],
                              uint8_t target[6][ZKR_DIGEST_BYTES], size_t *n)
{
    zkr_lineage l;
    zkr_round_open o;

    *n = 0;
    if (strcmp(e->type, "lineage") == 0) {
        if (zkr_lineage_decode(e->payload, e->payload_len, &l) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        kind[0] = "model", kind[1] = "program-of-model", kind[2] = "dataset";
        memcpy(target[0], l.parent, 32), memcpy(target[1], l.parent, 32);
        memcpy(target[2], l.dataset, 32);
        *n = 3;
        return ZKR_OK;
    }
    if (zkr_round_open_decode(e->payload, e->payload_len, &o) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    kind[0] = "model", kind[1] = "program-of-model", kind[2] = "dataset", kind[3] = "schema";
    memcpy(target[0], o.parent, 32), memcpy(target[1], o.parent, 32);
    memcpy(target[2], o.dataset, 32), memcpy(target[3], o.schema, 32);
    *n = 4;
    if (o.version == 3) { /* the evaluation gate's dataset and schema */
        kind[4] = "dataset", kind[5] = "schema";
        memcpy(target[4], o.eval_dataset, 32), memcpy(target[5], o.eval_schema, 32);
        *n = 6;
    }
    return ZKR_OK;
}

static zkr_err audit_training_order_one(zkr_registry *reg, uint64_t index, zkr_diag *d)
{
    const char *kind[6];
    uint8_t target[6][ZKR_DIGEST_BYTES];
    char hex[17];
    zkr_log_entry e;
    int64_t at = -1;
    size_t n = 0;
    zkr_err r;

    if ((r = zkr_registry_log_entry(reg, index, &e, d)) != ZKR_OK)
        return r;
    if (training_binds(&e, kind, target, &n) != ZKR_OK)
        r = bad(reg, d, "a training event does not decode", index);
    for (size_t i = 0; i < n && r == ZKR_OK && at < 0; i++) {
        if ((r = revoked_before(reg, kind[i], target[i], index, &at, d)) == ZKR_OK && at >= 0) {
            zkr_registry_hex(target[i], 8, hex, sizeof hex);
            r = zkr_fail(d, ZKR_ERR_VERIFY,
                         "%s: log audit failed: %s entry %llu binds %s %s... whose revocation "
                         "is the earlier entry %lld (a revoked object must bind nothing after "
                         "its revocation)",
                         reg->path, e.type, (unsigned long long)index,
                         strcmp(kind[i], "program-of-model") == 0 ? "the program of model"
                                                                  : kind[i],
                         hex, (long long)at);
        }
    }
    zkr_log_entry_free(&e);
    return r;
}

static zkr_err audit_training_order(zkr_registry *reg, zkr_diag *d)
{
    static const char *const types[] = {"lineage", "round-open"};
    zkr_err r = ZKR_OK;

    for (size_t t = 0; t < 2 && r == ZKR_OK; t++) {
        uint64_t *idx = NULL;
        size_t n = 0;
        if ((r = zkr_registry_events_of_type(reg, types[t], &idx, &n, d)) != ZKR_OK)
            return r;
        for (size_t i = 0; i < n && r == ZKR_OK; i++)
            r = audit_training_order_one(reg, idx[i], d);
        free(idx);
    }
    return r;
}

zkr_err zkr_registry_log_audit(zkr_registry *reg, uint64_t *size, zkr_diag *d)
{
    digest_t *leaves = NULL;
    digest_t root, cached;
    uint64_t n = 0;
    zkr_err r;

    *size = 0;
    if ((r = zkr_registry_begin_read(reg, d)) != ZKR_OK)
        return r;
    if ((r = audit_leaves(reg, &leaves, &n, d)) != ZKR_OK ||
        (r = audit_nodes(reg, (const digest_t *)leaves, n, d)) != ZKR_OK ||
        (r = zkr_merkle_root((const digest_t *)leaves, n, root)) != ZKR_OK ||
        (r = zkr_registry_log_root(reg, n, cached, d)) != ZKR_OK)
        goto out;
    if (memcmp(root, cached, 32) != 0) {
        r = bad(reg, d, "cached root differs from the recomputed root", n);
        goto out;
    }
    if ((r = audit_checkpoints(reg, (const digest_t *)leaves, n, d)) != ZKR_OK ||
        (r = audit_counts(reg, d)) != ZKR_OK || (r = audit_rows(reg, d)) != ZKR_OK ||
        (r = audit_proofs(reg, d)) != ZKR_OK ||
        (r = zkr_registry_signer_keys_audit(reg, d)) != ZKR_OK ||
        (r = audit_revocation_order(reg, d)) != ZKR_OK ||
        (r = audit_training_order(reg, d)) != ZKR_OK)
        goto out;
    *size = n;
out:
    free(leaves);
    zkr_registry_rollback(reg);
    return r;
}
