/* Revocations (new rows, never deletions) and recorded verified proofs. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "registry_int.h"

zkr_err zkr_registry_resolve(zkr_registry *reg, zkr_kind kind, const char *ref,
                             uint8_t target[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    zkr_artifact a;
    zkr_schema sc;
    zkr_statement st;
    zkr_err r;

    memset(target, 0, ZKR_DIGEST_BYTES);
    switch (kind) {
    case ZKR_KIND_PROGRAM:
    case ZKR_KIND_MODEL:
    case ZKR_KIND_DATASET:
        if ((r = zkr_registry_artifact_get(reg, kind, ref, &a, d)) == ZKR_OK)
            memcpy(target, a.sha256, ZKR_DIGEST_BYTES);
        return r;
    case ZKR_KIND_SCHEMA:
        if ((r = zkr_registry_schema_get(reg, ref, &sc, d)) == ZKR_OK)
            memcpy(target, sc.digest, ZKR_DIGEST_BYTES);
        return r;
    case ZKR_KIND_STATEMENT:
        r = zkr_registry_statement_get(reg, ref, &st, d);
        if (r == ZKR_OK)
            memcpy(target, st.statement_id, ZKR_DIGEST_BYTES);
        zkr_statement_free(&st);
        return r;
    case ZKR_KIND_VERIFIER: {
        /* "KIND@VERSION": the kind itself holds an '@' (inference@1), the version none. */
        char kind_s[ZKR_IDENT_MAX + 1];
        const char *at = ref ? strrchr(ref, '@') : NULL;
        if (at == NULL || (size_t)(at - ref) > ZKR_IDENT_MAX)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "verifier: '%s' is not KIND@VERSION",
                            ref ? ref : "");
        memcpy(kind_s, ref, (size_t)(at - ref));
        kind_s[at - ref] = '\0';
        return zkr_registry_verifier_target(kind_s, at + 1, target, d);
    }
    case ZKR_KIND_KEY:
        if (ref == NULL || zkr_hex_decode_exact(ref, target, ZKR_DIGEST_BYTES) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "key: '%s' is not a 64-digit hex key fingerprint", ref ? ref : "");
        return ZKR_OK;
    }
    return zkr_fail(d, ZKR_ERR_USAGE, "unknown kind");
}

zkr_err zkr_revocation_encode(const zkr_revocation *rv, zkr_buf *out)
{
    zkr_err r;

    if ((r = zkr_enc_str(out, zkr_kind_name(rv->kind))) != ZKR_OK ||
        (r = zkr_enc_bytes(out, rv->target, ZKR_DIGEST_BYTES)) != ZKR_OK)
        return r;
    return zkr_enc_str(out, rv->reason);
}

static zkr_err check_reason(const char *reason, zkr_diag *d)
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
    if (strlen(rv->reason) != n || check_reason(rv->reason, NULL) != ZKR_OK)
        goto bad;
    return ZKR_OK;
bad:
    memset(rv, 0, sizeof *rv);
    return zkr_fail(d, ZKR_ERR_MALFORMED, "revocation event does not decode");
}

#define REVOCATION_COLUMNS "id, kind, target, reason, created, log_index"

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

zkr_err zkr_registry_revocation_insert_tx(zkr_registry *reg, zkr_revocation *rv, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_buf payload = {0};
    zkr_err r;
    int rc;

    if ((r = zkr_revocation_encode(rv, &payload)) != ZKR_OK ||
        (r = zkr_registry_log_append_tx(reg, "revocation", rv->created, payload.p, payload.len,
                                        &rv->log_index, d)) != ZKR_OK ||
        (r = zkr_registry_prepare(reg,
                                  "INSERT INTO revocation(kind, target, reason, created, log_index)"
                                  " VALUES(?, ?, ?, ?, ?)",
                                  &st, d)) != ZKR_OK)
        goto out;
    sqlite3_bind_text(st, 1, zkr_kind_name(rv->kind), -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, rv->target, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, rv->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, rv->created);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)rv->log_index);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "inserting the revocation", d);
    else
        rv->id = sqlite3_last_insert_rowid(reg->db);
out:
    sqlite3_finalize(st);
    zkr_buf_free(&payload);
    return r;
}

/* Writes the revocation of `target` (resolved from `ref` when non-NULL) in one transaction. */
static zkr_err revoke_tx(zkr_registry *reg, zkr_kind kind, const char *ref,
                         const uint8_t target_in[ZKR_DIGEST_BYTES], const char *reason,
                         zkr_revocation *out, zkr_diag *d)
{
    uint8_t target[ZKR_DIGEST_BYTES];
    zkr_err r;

    memset(out, 0, sizeof *out);
    if (zkr_kind_name(kind) == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "unknown kind");
    if ((r = check_reason(reason, d)) != ZKR_OK)
        return r;
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        return r;
    /* The object's existence is checked in the transaction that revokes it. */
    if (ref != NULL)
        r = zkr_registry_resolve(reg, kind, ref, target, d);
    else
        memcpy(target, target_in, ZKR_DIGEST_BYTES);
    if (r != ZKR_OK)
        goto out;
    r = zkr_registry_revocation_from_log(reg, kind, target, out, d);
    if (r == ZKR_OK) {
        out->existed = 1;
        goto out;
    }
    if (r != ZKR_ERR_NOT_FOUND)
        goto out;
    zkr_test_pause("revoke"); /* test builds: held between the read and the write */
    out->kind = kind;
    memcpy(out->target, target, ZKR_DIGEST_BYTES);
    strcpy(out->reason, reason);
    out->created = zkr_registry_now();
    if ((r = zkr_registry_revocation_insert_tx(reg, out, d)) != ZKR_OK ||
        (r = zkr_registry_commit(reg, d)) != ZKR_OK)
        memset(out, 0, sizeof *out);
out:
    zkr_registry_rollback(reg);
    return r;
}

zkr_err zkr_registry_revoke(zkr_registry *reg, zkr_kind kind,
                            const uint8_t target[ZKR_DIGEST_BYTES], const char *reason,
                            zkr_revocation *out, zkr_diag *d)
{
    return revoke_tx(reg, kind, NULL, target, reason, out, d);
}

zkr_err zkr_registry_revoke_ref(zkr_registry *reg, zkr_kind kind, const char *ref,
                                const char *reason, zkr_revocation *out, zkr_diag *d)
{
    if (ref == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "revoke: no object named");
    return revoke_tx(reg, kind, ref, NULL, reason, out, d);
}

zkr_err zkr_registry_revocation_list(zkr_registry *reg, zkr_revocation **out, size_t *n)
{
    sqlite3_stmt *st = NULL;
    zkr_revocation *v = NULL, *nv;
    size_t cap = 0, len = 0;
    zkr_err r;
    int rc;

    *out = NULL;
    *n = 0;
    if ((r = zkr_registry_prepare(reg, "SELECT " REVOCATION_COLUMNS " FROM revocation ORDER BY id",
                                  &st, NULL)) != ZKR_OK)
        return r;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8;
            nv = realloc(v, cap * sizeof *v);
            if (nv == NULL) {
                r = ZKR_ERR_NOMEM;
                goto out;
            }
            v = nv;
        }
        if ((r = row_to_revocation(reg, st, &v[len])) != ZKR_OK)
            goto out;
        len++;
    }
    if (rc != SQLITE_DONE) {
        r = zkr_registry_sql_err(reg, rc, "listing revocations", NULL);
        goto out;
    }
    *out = v;
    *n = len;
    v = NULL;
out:
    free(v);
    sqlite3_finalize(st);
    return r;
}

zkr_err zkr_proof_event_encode(const uint8_t sid[ZKR_DIGEST_BYTES],
                               const uint8_t pd[ZKR_DIGEST_BYTES], const char *vv, zkr_buf *out)
{
    zkr_err r;

    if ((r = zkr_enc_bytes(out, sid, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, pd, ZKR_DIGEST_BYTES)) != ZKR_OK)
        return r;
    return zkr_enc_str(out, vv);
}

zkr_err zkr_proof_event_decode(const uint8_t *p, size_t len, uint8_t sid[ZKR_DIGEST_BYTES],
                               uint8_t pd[ZKR_DIGEST_BYTES], char vv[ZKR_IDENT_MAX + 1],
                               zkr_diag *d)
{
    const uint8_t *b;
    size_t n;
    zkr_dec dec;

    zkr_dec_init(&dec, p, len);
    if (zkr_dec_bytes(&dec, 32, &b, &n) != ZKR_OK || n != 32)
        goto bad;
    memcpy(sid, b, 32);
    if (zkr_dec_bytes(&dec, 32, &b, &n) != ZKR_OK || n != 32)
        goto bad;
    memcpy(pd, b, 32);
    if (zkr_dec_bytes(&dec, ZKR_IDENT_MAX, &b, &n) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        goto bad;
    memcpy(vv, b, n);
    vv[n] = '\0';
    if (strlen(vv) != n || !zkr_registry_ident_ok(vv, 0))
        goto bad;
    return ZKR_OK;
bad:
    return zkr_fail(d, ZKR_ERR_MALFORMED, "proof event does not decode");
}

zkr_err zkr_registry_proof_insert_tx(zkr_registry *reg, const uint8_t sid[ZKR_DIGEST_BYTES],
                                     const uint8_t pd[ZKR_DIGEST_BYTES], const char *vv,
                                     int64_t time, uint64_t *log_index, int *existed,
                                     zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_buf payload = {0};
    zkr_err r;
    int rc;

    *existed = 0;
    if ((r = zkr_registry_prepare(reg,
                                  "SELECT log_index FROM proof WHERE statement_id = ? AND"
                                  " proof_digest = ?",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_blob(st, 1, sid, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, pd, 32, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *log_index = (uint64_t)sqlite3_column_int64(st, 0);
        *existed = 1;
        goto out;
    }
    if (rc != SQLITE_DONE) {
        r = zkr_registry_sql_err(reg, rc, "reading proofs", d);
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((r = zkr_proof_event_encode(sid, pd, vv, &payload)) != ZKR_OK ||
        (r = zkr_registry_log_append_tx(reg, "proof", time, payload.p, payload.len, log_index,
                                        d)) != ZKR_OK ||
        (r = zkr_registry_prepare(reg,
                                  "INSERT INTO proof(statement_id, proof_digest, verifier_version,"
                                  " created, log_index) VALUES(?, ?, ?, ?, ?)",
                                  &st, d)) != ZKR_OK)
        goto out;
    sqlite3_bind_blob(st, 1, sid, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, pd, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, vv, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, time);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)*log_index);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "recording the proof", d);
out:
    sqlite3_finalize(st);
    zkr_buf_free(&payload);
    return r;
}

zkr_err zkr_registry_proof_find(zkr_registry *reg, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                const uint8_t proof_digest[ZKR_DIGEST_BYTES],
                                uint64_t *log_index, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    *log_index = 0;
    if ((r = zkr_registry_prepare(reg,
                                  "SELECT log_index FROM proof WHERE statement_id = ? AND"
                                  " proof_digest = ?",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_blob(st, 1, statement_id, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, proof_digest, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *log_index = (uint64_t)sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        r = ZKR_ERR_NOT_FOUND;
    else
        r = zkr_registry_sql_err(reg, rc, "reading proofs", d);
    sqlite3_finalize(st);
    return r;
}

zkr_err zkr_registry_proof_record(zkr_registry *reg,
                                  const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                  const uint8_t proof_digest[ZKR_DIGEST_BYTES],
                                  const char *verifier_version, uint64_t *log_index,
                                  zkr_diag *d)
{
    char hex[65];
    int existed = 0;
    zkr_statement s;
    zkr_err r;

    *log_index = 0;
    memset(&s, 0, sizeof s);
    if (verifier_version == NULL || !zkr_registry_ident_ok(verifier_version, 0))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "verifier version '%s' is not an identifier",
                        verifier_version ? verifier_version : "");
    zkr_registry_hex(statement_id, 32, hex, sizeof hex);
    /* The statement and its revocations are read in the transaction that records the proof. */
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        return r;
    if ((r = zkr_registry_statement_get(reg, hex, &s, d)) != ZKR_OK ||
        (r = zkr_registry_statement_check_revoked(reg, &s, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_registry_proof_insert_tx(reg, statement_id, proof_digest, verifier_version,
                                          zkr_registry_now(), log_index, &existed, d)) == ZKR_OK &&
        !existed)
        r = zkr_registry_commit(reg, d);
out:
    zkr_statement_free(&s);
    zkr_registry_rollback(reg);
    return r;
}
