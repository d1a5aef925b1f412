/*
 * Signer keys ("signer-key" log events and the signer_key table).
 *
 * A row per signer identity (common.h zkr_signer_identity): the table's
 * UNIQUE identity column is what makes `key register` refuse the second
 * name of a registered key, and what lets a key revocation by either name
 * find the other. Registration reads (revocation, existing row) and writes
 * (leaf, row) in one BEGIN IMMEDIATE transaction, so a concurrent
 * registration or `revoke key` is serialised before or after it, never
 * between its check and its write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_int.h"

#define KEY_COLUMNS "id, keyid, identity, type, public, created, log_index"

zkr_err zkr_signer_key_event(const zkr_signer_key *k, zkr_buf *out)
{
    zkr_err r;

    if ((r = zkr_enc_u32(out, 1)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, k->keyid, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_str(out, k->type)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(out, k->pub, k->pub_len);
}

/* Fills keyid and identity from type and pub; refuses types and lengths zkreg does not know. */
static zkr_err derive(zkr_signer_key *k, zkr_diag *d)
{
    static const struct {
        const char *type;
        size_t len;
    } known[] = {{"ed25519", 32}, {"secp256k1", 33}, {"p256", 65}, {"eth", 20}};
    size_t i;

    for (i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(k->type, known[i].type) == 0 && k->pub_len == known[i].len)
            break;
    if (i == sizeof known / sizeof known[0] ||
        zkr_keyid_compute(k->type, k->pub, k->pub_len, k->keyid) != ZKR_OK ||
        zkr_signer_identity(k->type, k->pub, k->pub_len, k->identity) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "signer key: type '%.16s' with a %zu-byte key is "
                        "not a key zkreg knows", k->type, k->pub_len);
    return ZKR_OK;
}

zkr_err zkr_signer_key_event_decode(const uint8_t *p, size_t len, zkr_signer_key *out,
                                    zkr_diag *d)
{
    const uint8_t *b;
    size_t n;
    uint32_t v;
    zkr_dec dec;

    memset(out, 0, sizeof *out);
    zkr_dec_init(&dec, p, len);
    if (zkr_dec_u32(&dec, &v) != ZKR_OK || v != 1 ||
        zkr_dec_bytes(&dec, ZKR_DIGEST_BYTES, &b, &n) != ZKR_OK || n != ZKR_DIGEST_BYTES)
        goto bad;
    memcpy(out->keyid, b, n);
    if (zkr_dec_bytes(&dec, sizeof out->type - 1, &b, &n) != ZKR_OK)
        goto bad;
    memcpy(out->type, b, n);
    out->type[n] = '\0';
    if (strlen(out->type) != n || zkr_dec_bytes(&dec, ZKR_KEY_PUB_MAX, &b, &n) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        goto bad;
    memcpy(out->pub, b, n);
    out->pub_len = n;
    {
        uint8_t claimed[ZKR_DIGEST_BYTES];
        memcpy(claimed, out->keyid, sizeof claimed);
        /* The key id in the event must be the one its key gives. */
        if (derive(out, NULL) != ZKR_OK || memcmp(claimed, out->keyid, sizeof claimed) != 0)
            goto bad;
    }
    return ZKR_OK;
bad:
    memset(out, 0, sizeof *out);
    return zkr_fail(d, ZKR_ERR_MALFORMED, "signer-key event does not decode");
}

static zkr_err row_to_key(zkr_registry *reg, sqlite3_stmt *st, zkr_signer_key *k)
{
    const unsigned char *type = sqlite3_column_text(st, 3);
    const void *pub = sqlite3_column_blob(st, 4);
    int n = sqlite3_column_bytes(st, 4);

    memset(k, 0, sizeof *k);
    k->id = sqlite3_column_int64(st, 0);
    if (zkr_registry_col_digest(st, 1, k->keyid) != ZKR_OK ||
        zkr_registry_col_digest(st, 2, k->identity) != ZKR_OK || type == NULL ||
        strlen((const char *)type) >= sizeof k->type || pub == NULL || n <= 0 ||
        n > ZKR_KEY_PUB_MAX)
        return zkr_fail(NULL, ZKR_ERR_REGISTRY, "%s: signer_key row corrupt", reg->path);
    strcpy(k->type, (const char *)type);
    memcpy(k->pub, pub, (size_t)n);
    k->pub_len = (size_t)n;
    k->created = sqlite3_column_int64(st, 5);
    k->log_index = (uint64_t)sqlite3_column_int64(st, 6);
    return ZKR_OK;
}

/* The row whose keyid or identity (per `column`) is `id`. ZKR_ERR_NOT_FOUND. */
static zkr_err find_by(zkr_registry *reg, const char *column, const uint8_t id[ZKR_DIGEST_BYTES],
                       zkr_signer_key *out, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    char sql[128];
    zkr_err r;
    int rc;

    snprintf(sql, sizeof sql, "SELECT " KEY_COLUMNS " FROM signer_key WHERE %s = ?", column);
    if ((r = zkr_registry_prepare(reg, sql, &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_blob(st, 1, id, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        r = row_to_key(reg, st, out);
    else if (rc == SQLITE_DONE)
        r = ZKR_ERR_NOT_FOUND;
    else
        r = zkr_registry_sql_err(reg, rc, "reading signer keys", d);
    sqlite3_finalize(st);
    return r;
}

zkr_err zkr_registry_signer_key_find(zkr_registry *reg, const uint8_t id[ZKR_DIGEST_BYTES],
                                     zkr_signer_key *out, zkr_diag *d)
{
    zkr_err r = find_by(reg, "keyid", id, out, d);

    return r == ZKR_ERR_NOT_FOUND ? find_by(reg, "identity", id, out, d) : r;
}

zkr_err zkr_registry_key_check_revoked(zkr_registry *reg,
                                       const uint8_t keyid[ZKR_DIGEST_BYTES],
                                       const uint8_t identity[ZKR_DIGEST_BYTES],
                                       zkr_revocation *info, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    uint8_t target[ZKR_DIGEST_BYTES];
    zkr_err r;
    int rc;

    if (info != NULL)
        memset(info, 0, sizeof *info);
    /*
     * Revoked under any of its names: the identity (what `revoke key`
     * records), the key id itself, or the key id of the registered key
     * with this identity (revocations recorded by name before identities).
     */
    if ((r = zkr_registry_prepare(reg,
                                  "SELECT target FROM revocation WHERE kind = 'key' AND"
                                  " (target = ?1 OR target = ?2 OR target IN"
                                  " (SELECT keyid FROM signer_key WHERE identity = ?2))"
                                  " ORDER BY id LIMIT 1",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_blob(st, 1, keyid, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, identity, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        r = zkr_registry_col_digest(st, 0, target);
    else if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "reading revocations", d);
    sqlite3_finalize(st);
    if (r != ZKR_OK || rc == SQLITE_DONE)
        return r;
    /* The row just found, with its reason and time in the message. */
    r = zkr_registry_check_revoked(reg, ZKR_KIND_KEY, target, info, d);
    return r == ZKR_OK ? ZKR_ERR_INTERNAL : r;
}

static zkr_err insert_tx(zkr_registry *reg, zkr_signer_key *k, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_buf ev = {0};
    zkr_err r;
    int rc;

    if ((r = zkr_signer_key_event(k, &ev)) != ZKR_OK ||
        (r = zkr_registry_log_append_tx(reg, ZKR_EVENT_SIGNER_KEY, k->created, ev.p, ev.len,
                                        &k->log_index, d)) != ZKR_OK ||
        (r = zkr_registry_prepare(reg,
                                  "INSERT INTO signer_key(keyid, identity, type, public, created,"
                                  " log_index) VALUES(?, ?, ?, ?, ?, ?)",
                                  &st, d)) != ZKR_OK)
        goto out;
    sqlite3_bind_blob(st, 1, k->keyid, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, k->identity, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, k->type, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, k->pub, (int)k->pub_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, k->created);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)k->log_index);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "recording the signer key", d);
    else
        k->id = sqlite3_last_insert_rowid(reg->db);
out:
    sqlite3_finalize(st);
    zkr_buf_free(&ev);
    return r;
}

/* Inside the transaction: revoked, registered (by this or its other name), else write. */
static zkr_err register_tx(zkr_registry *reg, zkr_signer_key *k, zkr_diag *d)
{
    zkr_signer_key cur;
    char hex[17];
    zkr_err r;

    if ((r = zkr_registry_key_check_revoked(reg, k->keyid, k->identity, NULL, d)) != ZKR_OK)
        return r;
    r = find_by(reg, "identity", k->identity, &cur, d);
    if (r != ZKR_OK && r != ZKR_ERR_NOT_FOUND)
        return r;
    zkr_test_pause("key-register");
    if (r == ZKR_ERR_NOT_FOUND) {
        k->created = zkr_registry_now();
        return insert_tx(reg, k, d);
    }
    if (memcmp(cur.keyid, k->keyid, ZKR_DIGEST_BYTES) == 0) {
        cur.existed = 1;
        *k = cur;
        return ZKR_OK;
    }
    zkr_registry_hex(cur.keyid, 8, hex, sizeof hex);
    return zkr_fail(d, ZKR_ERR_CONFLICT,
                    "signer key: the same signer is already registered under its other name "
                    "(%s key %s..., log entry %llu); a secp256k1 key and its Ethereum address "
                    "are one signer and are registered once",
                    cur.type, hex, (unsigned long long)cur.log_index);
}

zkr_err zkr_registry_signer_key_register(zkr_registry *reg, const char *type,
                                         const uint8_t *pub, size_t pub_len,
                                         zkr_signer_key *out, zkr_diag *d)
{
    zkr_err r;

    memset(out, 0, sizeof *out);
    if (type == NULL || strlen(type) >= sizeof out->type || pub == NULL || pub_len == 0 ||
        pub_len > ZKR_KEY_PUB_MAX)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "signer key: bad type or public key length");
    strcpy(out->type, type);
    memcpy(out->pub, pub, pub_len);
    out->pub_len = pub_len;
    if ((r = derive(out, d)) != ZKR_OK)
        return r;
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        return r;
    if ((r = register_tx(reg, out, d)) == ZKR_OK && !out->existed)
        r = zkr_registry_commit(reg, d);
    zkr_registry_rollback(reg);
    if (r != ZKR_OK)
        memset(out, 0, sizeof *out);
    return r;
}

/* Migration to schema 2: one row per identity from the signer-key leaves, first one wins. */
zkr_err zkr_registry_signer_keys_backfill_tx(zkr_registry *reg, zkr_diag *d)
{
    sqlite3_stmt *st = NULL, *ins = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare(reg, "SELECT idx, time, leaf FROM log WHERE type = '"
                                       ZKR_EVENT_SIGNER_KEY "' ORDER BY idx",
                                  &st, d)) != ZKR_OK ||
        (r = zkr_registry_prepare(reg,
                                  "INSERT OR IGNORE INTO signer_key(keyid, identity, type, public,"
                                  " created, log_index) VALUES(?, ?, ?, ?, ?, ?)",
                                  &ins, d)) != ZKR_OK)
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
        const uint8_t *leaf = sqlite3_column_blob(st, 2), *pl;
        size_t len = (size_t)sqlite3_column_bytes(st, 2), pl_len;
        char type[ZKR_IDENT_MAX + 1];
        int64_t t;
        zkr_signer_key k;
        if (leaf == NULL || zkr_log_leaf_decode(leaf, len, type, &t, &pl, &pl_len) != ZKR_OK ||
            zkr_signer_key_event_decode(pl, pl_len, &k, NULL) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_REGISTRY,
                         "%s: migrating signer keys: log entry %llu does not decode", reg->path,
                         (unsigned long long)idx);
            goto out;
        }
        sqlite3_reset(ins);
        sqlite3_bind_blob(ins, 1, k.keyid, ZKR_DIGEST_BYTES, SQLITE_TRANSIENT);
        sqlite3_bind_blob(ins, 2, k.identity, ZKR_DIGEST_BYTES, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, k.type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(ins, 4, k.pub, (int)k.pub_len, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 5, t);
        sqlite3_bind_int64(ins, 6, (sqlite3_int64)idx);
        if ((rc = sqlite3_step(ins)) != SQLITE_DONE) {
            r = zkr_registry_sql_err(reg, rc, "migrating signer keys", d);
            goto out;
        }
    }
    if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "migrating signer keys", d);
out:
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    return r;
}

/* Audit helper: the log index from which every signer-key leaf has its own row. */
static zkr_err rows_since(zkr_registry *reg, uint64_t *since, zkr_diag *d)
{
    zkr_buf v = {0};
    char num[24];
    zkr_err r;

    *since = 0;
    if ((r = zkr_registry_meta_get(reg, "signer_key_rows_since", &v, d)) != ZKR_OK)
        return r;
    if (v.len == 0 || v.len >= sizeof num) {
        zkr_buf_free(&v);
        return zkr_fail(d, ZKR_ERR_REGISTRY, "%s: meta signer_key_rows_since corrupt", reg->path);
    }
    memcpy(num, v.p, v.len);
    num[v.len] = '\0';
    zkr_buf_free(&v);
    if (strspn(num, "0123456789") != strlen(num))
        return zkr_fail(d, ZKR_ERR_REGISTRY, "%s: meta signer_key_rows_since corrupt", reg->path);
    *since = strtoull(num, NULL, 10);
    return ZKR_OK;
}

/* A registration logged after a revocation of its signer (by any name) breaks the invariant. */
static zkr_err not_revoked_before(zkr_registry *reg, const zkr_signer_key *k, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare(reg,
                                  "SELECT log_index FROM revocation WHERE kind = 'key' AND"
                                  " (target = ?1 OR target = ?2) AND log_index < ?3 LIMIT 1",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_blob(st, 1, k->keyid, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, k->identity, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)k->log_index);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        r = zkr_fail(d, ZKR_ERR_VERIFY, "%s: log audit failed: signer-key entry %llu registers "
                     "a key revoked at entry %lld", reg->path, (unsigned long long)k->log_index,
                     (long long)sqlite3_column_int64(st, 0));
    else if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "reading revocations", d);
    sqlite3_finalize(st);
    return r;
}

/*
 * Every signer_key row equals the leaf at its log index, with keyid and
 * identity recomputed from the key; every signer-key leaf is a row's, or
 * (before the table existed) a repeat of an earlier leaf of one identity.
 */
zkr_err zkr_registry_signer_keys_audit(zkr_registry *reg, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    uint64_t since = 0;
    zkr_buf b = {0};
    zkr_err r;
    int rc;

    if ((r = rows_since(reg, &since, d)) != ZKR_OK ||
        (r = zkr_registry_prepare(reg, "SELECT idx, time, leaf FROM log WHERE type = '"
                                       ZKR_EVENT_SIGNER_KEY "' ORDER BY idx",
                                  &st, d)) != ZKR_OK)
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
        const uint8_t *leaf = sqlite3_column_blob(st, 2), *pl;
        size_t len = (size_t)sqlite3_column_bytes(st, 2), pl_len;
        char type[ZKR_IDENT_MAX + 1];
        int64_t t;
        zkr_signer_key k, row;
        if (leaf == NULL || zkr_log_leaf_decode(leaf, len, type, &t, &pl, &pl_len) != ZKR_OK ||
            zkr_signer_key_event_decode(pl, pl_len, &k, NULL) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_VERIFY, "%s: log audit failed: signer-key entry %llu does "
                         "not decode", reg->path, (unsigned long long)idx);
            goto out;
        }
        if ((r = find_by(reg, "identity", k.identity, &row, d)) != ZKR_OK) {
            if (r == ZKR_ERR_NOT_FOUND)
                r = zkr_fail(d, ZKR_ERR_VERIFY, "%s: log audit failed: signer-key entry %llu "
                             "has no signer_key row", reg->path, (unsigned long long)idx);
            goto out;
        }
        b.len = 0;
        if (row.log_index == idx) {
            if ((r = zkr_signer_key_event(&row, &b)) != ZKR_OK)
                goto out;
            if (row.created != t || b.len != pl_len || memcmp(b.p, pl, pl_len) != 0 ||
                memcmp(row.keyid, k.keyid, 32) != 0 || memcmp(row.identity, k.identity, 32) != 0) {
                r = zkr_fail(d, ZKR_ERR_VERIFY, "%s: log audit failed: signer_key row %lld "
                             "differs from log entry %llu that registered it", reg->path,
                             (long long)row.id, (unsigned long long)idx);
                goto out;
            }
            if ((r = not_revoked_before(reg, &row, d)) != ZKR_OK)
                goto out;
        } else if (!(idx < since && row.log_index < idx)) {
            r = zkr_fail(d, ZKR_ERR_VERIFY, "%s: log audit failed: signer-key entry %llu "
                         "registers a signer already registered at entry %llu", reg->path,
                         (unsigned long long)idx, (unsigned long long)row.log_index);
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        r = zkr_registry_sql_err(reg, rc, "reading the log", d);
        goto out;
    }
    sqlite3_finalize(st);
    /* And no row without its leaf. */
    if ((r = zkr_registry_prepare(reg, "SELECT id FROM signer_key WHERE log_index NOT IN"
                                       " (SELECT idx FROM log WHERE type = '"
                                       ZKR_EVENT_SIGNER_KEY "') LIMIT 1",
                                  &st, d)) != ZKR_OK)
        goto out;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        r = zkr_fail(d, ZKR_ERR_VERIFY, "%s: log audit failed: signer_key row %lld has no "
                     "signer-key log entry", reg->path, (long long)sqlite3_column_int64(st, 0));
    else if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "reading signer keys", d);
out:
    sqlite3_finalize(st);
    zkr_buf_free(&b);
    return r;
}
