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
    if ((r = zkr_revocation_reason_check(reason, d)) != ZKR_OK)
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
