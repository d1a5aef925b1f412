/* Artifacts: programs, models and datasets, recorded by digest. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "registry_int.h"

#define ARTIFACT_COLUMNS                                                                         \
    "a.id, a.kind, a.name, a.version, a.sha256, a.size, a.created, a.program_id, p.sha256,"     \
    " a.commitment, a.record_count, a.records_root, a.dataset_format, a.log_index"
#define ARTIFACT_FROM " FROM artifact a LEFT JOIN artifact p ON p.id = a.program_id"

static int is_artifact_kind(zkr_kind k)
{
    return k == ZKR_KIND_PROGRAM || k == ZKR_KIND_MODEL || k == ZKR_KIND_DATASET;
}

zkr_err zkr_artifact_encode(const zkr_artifact *a, zkr_buf *out)
{
    int model = a->kind == ZKR_KIND_MODEL, ds = a->kind == ZKR_KIND_DATASET;
    int fmt = ds || (model && a->dataset_format[0] != '\0'); /* a private model's "mc@2" */
    zkr_err r;

    if ((r = zkr_enc_str(out, zkr_kind_name(a->kind))) != ZKR_OK ||
        (r = zkr_enc_str(out, a->name)) != ZKR_OK || (r = zkr_enc_u64(out, a->version)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, a->sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(out, a->size)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, a->program_sha256, model ? ZKR_DIGEST_BYTES : 0)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, a->commitment, a->has_commitment ? ZKR_DIGEST_BYTES : 0)) !=
            ZKR_OK ||
        (r = zkr_enc_u64(out, ds ? a->record_count : 0)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, a->records_root, ds ? ZKR_DIGEST_BYTES : 0)) != ZKR_OK ||
        (r = zkr_enc_str(out, fmt ? a->dataset_format : "")) != ZKR_OK)
        return r;
    return ZKR_OK;
}

/* Reads a length-prefixed string into a NUL-terminated buffer of cap bytes. */
static zkr_err dec_cstr(zkr_dec *dec, char *out, size_t cap)
{
    const uint8_t *p;
    size_t n;
    zkr_err r;

    out[0] = '\0';
    if ((r = zkr_dec_bytes(dec, cap - 1, &p, &n)) != ZKR_OK)
        return r;
    if (memchr(p, 0, n) != NULL)
        return ZKR_ERR_MALFORMED;
    memcpy(out, p, n);
    out[n] = '\0';
    return ZKR_OK;
}

/* Reads a byte string that must be exactly 32 bytes, or empty when `optional`. */
static zkr_err dec_digest(zkr_dec *dec, int optional, int *present, uint8_t out[ZKR_DIGEST_BYTES])
{
    const uint8_t *p;
    size_t n;
    zkr_err r;

    *present = 0;
    if ((r = zkr_dec_bytes(dec, ZKR_DIGEST_BYTES, &p, &n)) != ZKR_OK)
        return r;
    if (n == 0 && optional)
        return ZKR_OK;
    if (n != ZKR_DIGEST_BYTES)
        return ZKR_ERR_MALFORMED;
    memcpy(out, p, n);
    *present = 1;
    return ZKR_OK;
}

/*
 * A version 2 dataset's sha256 is the digest of its own commitment fields
 * (docs/formats.md), so an event must carry exactly that digest: otherwise a
 * bundle could register a "v2 dataset" under any identity (a v1 dataset's
 * sha256 included) with a root and count that are not its commitment's.
 * Version 1 events pass unchanged (their sha256 is a file hash).
 */
static int v2_fields_consistent(const zkr_artifact *a)
{
    uint8_t dig[ZKR_DIGEST_BYTES];
    zkr_dscommit c;

    int v = zkr_registry_dataset_version(a);

    if (v != 2 && v != 3)
        return 1;
    if (a->has_commitment || a->size != ZKR_DSCOMMIT_FILE_BYTES || a->record_count == 0 ||
        a->record_count > ZKR_DATASET_MAX_RECORDS)
        return 0;
    memset(&c, 0, sizeof c);
    c.version = v == 2 ? ZKR_DSCOMMIT_VERSION : ZKR_DSCOMMIT_VERSION_HPC;
    c.format = a->dataset_format[0] == 'i' ? ZKR_DATASET_IDX : ZKR_DATASET_LINES;
    c.count = a->record_count;
    memcpy(c.root, a->records_root, ZKR_DIGEST_BYTES);
    return zkr_dscommit_digest(&c, dig) == ZKR_OK &&
           memcmp(dig, a->sha256, ZKR_DIGEST_BYTES) == 0;
}

zkr_err zkr_artifact_decode(const uint8_t *p, size_t len, zkr_artifact *a, zkr_diag *d)
{
    char kind[16];
    int has = 0;
    zkr_dec dec;
    zkr_err r;

    memset(a, 0, sizeof *a);
    zkr_dec_init(&dec, p, len);
    if ((r = dec_cstr(&dec, kind, sizeof kind)) != ZKR_OK ||
        zkr_kind_parse(kind, &a->kind, NULL) != ZKR_OK || !is_artifact_kind(a->kind) ||
        (r = dec_cstr(&dec, a->name, sizeof a->name)) != ZKR_OK ||
        (r = zkr_dec_u64(&dec, &a->version)) != ZKR_OK ||
        (r = dec_digest(&dec, 0, &has, a->sha256)) != ZKR_OK ||
        (r = zkr_dec_u64(&dec, &a->size)) != ZKR_OK ||
        (r = dec_digest(&dec, a->kind != ZKR_KIND_MODEL, &has, a->program_sha256)) != ZKR_OK ||
        (has && a->kind != ZKR_KIND_MODEL) ||
        (r = dec_digest(&dec, 1, &a->has_commitment, a->commitment)) != ZKR_OK ||
        (r = zkr_dec_u64(&dec, &a->record_count)) != ZKR_OK ||
        (r = dec_digest(&dec, a->kind != ZKR_KIND_DATASET, &has, a->records_root)) != ZKR_OK ||
        (has && a->kind != ZKR_KIND_DATASET) ||
        (r = dec_cstr(&dec, a->dataset_format, sizeof a->dataset_format)) != ZKR_OK ||
        (r = zkr_dec_finish(&dec)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "artifact event does not decode");
    if (a->version == 0 || a->version > INT64_MAX || a->size > INT64_MAX ||
        a->record_count > INT64_MAX ||
        zkr_utf8_check((const uint8_t *)a->name, strlen(a->name)) != ZKR_OK || a->name[0] == 0 ||
        (a->kind == ZKR_KIND_DATASET && a->dataset_format[0] == '\0') ||
        (a->kind == ZKR_KIND_PROGRAM && a->dataset_format[0] != '\0') ||
        (a->kind == ZKR_KIND_MODEL && a->dataset_format[0] != '\0' &&
         (strcmp(a->dataset_format, ZKR_MODEL_FORMAT_PRIVATE) != 0 || !a->has_commitment)) ||
        (a->kind == ZKR_KIND_DATASET && zkr_registry_dataset_version(a) == 0) ||
        !v2_fields_consistent(a) ||
        (a->kind != ZKR_KIND_DATASET && a->record_count != 0))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "artifact event for '%s' has invalid fields",
                        a->name);
    return ZKR_OK;
}

static zkr_err row_to_artifact(zkr_registry *reg, sqlite3_stmt *st, zkr_artifact *a,
                               zkr_diag *d)
{
    const unsigned char *kind = sqlite3_column_text(st, 1), *name = sqlite3_column_text(st, 2);
    const unsigned char *fmt = sqlite3_column_text(st, 12);
    zkr_err r = ZKR_OK;

    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    if (kind == NULL || zkr_kind_parse((const char *)kind, &a->kind, NULL) != ZKR_OK ||
        name == NULL || strlen((const char *)name) > ZKR_NAME_MAX)
        return zkr_fail(d, ZKR_ERR_REGISTRY, "%s: artifact row %lld is corrupt", reg->path,
                        (long long)a->id);
    strcpy(a->name, (const char *)name);
    a->version = (uint64_t)sqlite3_column_int64(st, 3);
    if ((r = zkr_registry_col_digest(st, 4, a->sha256)) != ZKR_OK)
        goto out;
    a->size = (uint64_t)sqlite3_column_int64(st, 5);
    a->created = sqlite3_column_int64(st, 6);
    a->program_id = sqlite3_column_int64(st, 7);
    if (a->kind == ZKR_KIND_MODEL && (r = zkr_registry_col_digest(st, 8, a->program_sha256)) != ZKR_OK)
        goto out;
    if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
        if ((r = zkr_registry_col_digest(st, 9, a->commitment)) != ZKR_OK)
            goto out;
        a->has_commitment = 1;
    }
    if (a->kind == ZKR_KIND_DATASET) {
        a->record_count = (uint64_t)sqlite3_column_int64(st, 10);
        if ((r = zkr_registry_col_digest(st, 11, a->records_root)) != ZKR_OK)
            goto out;
        if (fmt == NULL || strlen((const char *)fmt) >= sizeof a->dataset_format) {
            r = ZKR_ERR_REGISTRY;
            goto out;
        }
        strcpy(a->dataset_format, (const char *)fmt);
    }
    if (a->kind == ZKR_KIND_MODEL && fmt != NULL) {
        /* A private model (register-model --commitment): its format, "mc@2". */
        if (strcmp((const char *)fmt, ZKR_MODEL_FORMAT_PRIVATE) != 0) {
            r = ZKR_ERR_REGISTRY;
            goto out;
        }
        strcpy(a->dataset_format, (const char *)fmt);
    }
    a->log_index = (uint64_t)sqlite3_column_int64(st, 13);
out:
    if (r != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: artifact row %lld is corrupt", reg->path,
                     (long long)a->id);
    return r;
}

/* Runs a one-row artifact query; ZKR_ERR_NOT_FOUND when it yields nothing. */
static zkr_err query_one(zkr_registry *reg, sqlite3_stmt *st, zkr_artifact *out, zkr_diag *d)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        return row_to_artifact(reg, st, out, d);
    if (rc == SQLITE_DONE)
        return ZKR_ERR_NOT_FOUND;
    return zkr_registry_sql_err(reg, rc, "reading artifacts", d);
}

zkr_err zkr_registry_artifact_by_id(zkr_registry *reg, int64_t id, zkr_artifact *out,
                                    zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_registry_prepare_cached(reg, "SELECT " ARTIFACT_COLUMNS ARTIFACT_FROM " WHERE a.id = ?",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_int64(st, 1, id);
    r = query_one(reg, st, out, d);
    zkr_registry_release(reg, st);
    return r;
}

zkr_err zkr_registry_artifact_find(zkr_registry *reg, zkr_kind kind,
                                   const uint8_t sha256[ZKR_DIGEST_BYTES],
                                   const uint8_t *program_sha256, zkr_artifact *out)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_registry_prepare_cached(reg,
                                  "SELECT " ARTIFACT_COLUMNS ARTIFACT_FROM
                                  " WHERE a.kind = ? AND a.sha256 = ?"
                                  " AND (?3 IS NULL OR p.sha256 = ?3) ORDER BY a.id LIMIT 1",
                                  &st, NULL)) != ZKR_OK)
        return r;
    sqlite3_bind_text(st, 1, zkr_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, sha256, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    if (program_sha256 != NULL)
        sqlite3_bind_blob(st, 3, program_sha256, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    r = query_one(reg, st, out, NULL);
    zkr_registry_release(reg, st);
    return r;
}

zkr_err zkr_registry_artifact_get(zkr_registry *reg, zkr_kind kind, const char *ref,
                                  zkr_artifact *out, zkr_diag *d)
{
    const char *what = kind ? zkr_kind_name(kind) : "artifact";
    sqlite3_stmt *st = NULL;
    zkr_ref rf;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_registry_parse_ref(what, ref, &rf, d)) != ZKR_OK)
        return r;
    if ((r = zkr_registry_prepare_cached(reg,
                                  rf.is_id ? "SELECT " ARTIFACT_COLUMNS ARTIFACT_FROM
                                             " WHERE a.id = ?"
                                           : "SELECT " ARTIFACT_COLUMNS ARTIFACT_FROM
                                             " WHERE a.sha256 = ? AND (?2 IS NULL OR a.kind = ?2)"
                                             " ORDER BY a.id LIMIT 1",
                                  &st, d)) != ZKR_OK)
        return r;
    if (rf.is_id) {
        sqlite3_bind_int64(st, 1, rf.id);
    } else {
        sqlite3_bind_blob(st, 1, rf.digest, ZKR_DIGEST_BYTES, SQLITE_STATIC);
        if (kind)
            sqlite3_bind_text(st, 2, zkr_kind_name(kind), -1, SQLITE_STATIC);
    }
    r = query_one(reg, st, out, d);
    zkr_registry_release(reg, st);
    if (r == ZKR_ERR_NOT_FOUND)
        return zkr_fail(d, r, "%s %s not found in %s", what, ref, reg->path);
    if (r == ZKR_OK && kind && out->kind != kind) {
        r = zkr_fail(d, ZKR_ERR_NOT_FOUND, "%s %s not found: id %s is a %s", what, ref, ref,
                     zkr_kind_name(out->kind));
        memset(out, 0, sizeof *out);
    }
    return r;
}

zkr_err zkr_registry_program_has_committed_model(zkr_registry *reg, int64_t program_id, int *yes,
                                                 zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    *yes = 0;
    if ((r = zkr_registry_prepare(reg,
                                  "SELECT 1 FROM artifact WHERE kind = 'model' AND program_id = ?"
                                  " AND commitment IS NOT NULL LIMIT 1",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_int64(st, 1, program_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *yes = 1;
    else if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "reading models", d);
    sqlite3_finalize(st);
    return r;
}

static zkr_err artifact_item(zkr_registry *reg, sqlite3_stmt *st, void *item)
{
    return row_to_artifact(reg, st, item, NULL);
}

zkr_err zkr_registry_artifact_list(zkr_registry *reg, zkr_kind kind, zkr_artifact **out,
                                   size_t *n)
{
    sqlite3_stmt *st = NULL;
    void *items = NULL;
    zkr_err r;

    *out = NULL;
    *n = 0;
    if ((r = zkr_registry_prepare(reg,
                                  "SELECT " ARTIFACT_COLUMNS ARTIFACT_FROM
                                  " WHERE ?1 IS NULL OR a.kind = ?1 ORDER BY a.id",
                                  &st, NULL)) != ZKR_OK)
        return r;
    if (kind)
        sqlite3_bind_text(st, 1, zkr_kind_name(kind), -1, SQLITE_STATIC);
    r = zkr_registry_rows(reg, st, sizeof **out, artifact_item, "listing artifacts", &items, n);
    *out = items;
    sqlite3_finalize(st);
    return r;
}

static zkr_err insert_row(zkr_registry *reg, const zkr_artifact *a, const char *source,
                          zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    int ds = a->kind == ZKR_KIND_DATASET;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare_cached(
             reg,
             "INSERT INTO artifact(kind, name, version, sha256, size, created, program_id,"
             " commitment, record_count, records_root, dataset_format, source, log_index)"
             " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_text(st, 1, zkr_kind_name(a->kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)a->version);
    sqlite3_bind_blob(st, 4, a->sha256, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)a->size);
    sqlite3_bind_int64(st, 6, a->created);
    if (a->kind == ZKR_KIND_MODEL)
        sqlite3_bind_int64(st, 7, a->program_id);
    if (a->has_commitment)
        sqlite3_bind_blob(st, 8, a->commitment, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    if (ds) {
        sqlite3_bind_int64(st, 9, (sqlite3_int64)a->record_count);
        sqlite3_bind_blob(st, 10, a->records_root, ZKR_DIGEST_BYTES, SQLITE_STATIC);
        sqlite3_bind_text(st, 11, a->dataset_format, -1, SQLITE_STATIC);
    }
    if (a->kind == ZKR_KIND_MODEL && a->dataset_format[0] != '\0')
        sqlite3_bind_text(st, 11, a->dataset_format, -1, SQLITE_STATIC);
    if (source != NULL)
        sqlite3_bind_text(st, 12, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 13, (sqlite3_int64)a->log_index);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "inserting the artifact", d);
    zkr_registry_release(reg, st);
    return r;
}

static zkr_err insert_leaves(zkr_registry *reg, int64_t id,
                             const uint8_t (*leaves)[ZKR_DIGEST_BYTES], uint64_t n, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if (n > INT32_MAX / ZKR_DIGEST_BYTES)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "too many records to store their hashes");
    if ((r = zkr_registry_prepare(reg, "INSERT INTO dataset_leaves(artifact_id, hashes) VALUES(?, ?)",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_blob(st, 2, leaves, (int)(n * ZKR_DIGEST_BYTES), SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "storing record hashes", d);
    sqlite3_finalize(st);
    return r;
}

zkr_err zkr_registry_artifact_insert_tx(zkr_registry *reg, zkr_artifact *a,
                                        const uint8_t (*leaves)[ZKR_DIGEST_BYTES],
                                        const char *source, zkr_diag *d)
{
    zkr_buf payload = {0};
    zkr_err r;

    if ((r = zkr_artifact_encode(a, &payload)) != ZKR_OK ||
        (r = zkr_registry_log_append_tx(reg, zkr_kind_name(a->kind), a->created, payload.p,
                                        payload.len, &a->log_index, d)) != ZKR_OK ||
        (r = insert_row(reg, a, source, d)) != ZKR_OK)
        goto out;
    a->id = sqlite3_last_insert_rowid(reg->db);
    if (leaves != NULL)
        r = insert_leaves(reg, a->id, leaves, a->record_count, d);
out:
    zkr_buf_free(&payload);
    return r;
}

static zkr_err check_name(const char *name, zkr_diag *d)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "name: empty");
    if (n > ZKR_NAME_MAX)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "name: %zu bytes, over the limit of %d", n,
                        ZKR_NAME_MAX);
    if (zkr_utf8_check((const uint8_t *)name, n) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "name: not valid UTF-8 text (or contains control characters)");
    return ZKR_OK;
}

static zkr_err next_version(zkr_registry *reg, zkr_kind kind, const char *name, uint64_t *v,
                            zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    if ((r = zkr_registry_prepare_cached(reg,
                                  "SELECT coalesce(max(version), 0) + 1 FROM artifact"
                                  " WHERE kind = ? AND name = ?",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_text(st, 1, zkr_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *v = (uint64_t)sqlite3_column_int64(st, 0);
    else
        r = zkr_registry_sql_err(reg, rc, "reading versions", d);
    zkr_registry_release(reg, st);
    return r;
}

/*
 * The shared tail of every *_add: inside one IMMEDIATE transaction, return
 * the existing artifact if the content is already registered, else assign
 * the next version, append the log leaf and insert the row.
 */
/* An optional log event written in the artifact's transaction. */
typedef struct {
    const char *type;
    const uint8_t *payload;
    size_t len;
    uint64_t *index;
    const zkr_binding *bound; /* objects the event binds: none may be revoked */
    size_t n_bound;
} extra_event;

/* The event's bound objects, checked for revocation inside the writing transaction. */
static zkr_err event_bound_tx(zkr_registry *reg, const extra_event *ev, zkr_diag *d)
{
    zkr_err r;

    for (size_t i = 0; ev != NULL && i < ev->n_bound; i++)
        if ((r = zkr_registry_check_revoked(reg, ev->bound[i].kind, ev->bound[i].digest, NULL, d)) !=
            ZKR_OK)
            return r;
    return ZKR_OK;
}

/*
 * A model's program: resolved and checked for revocation inside the
 * transaction that registers the model, so a concurrent `revoke program`
 * is either seen here or ordered after the model.
 */
static zkr_err model_program_tx(zkr_registry *reg, const char *program_ref, zkr_artifact *a,
                                zkr_diag *d)
{
    zkr_artifact prog;
    zkr_err r;

    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, program_ref, &prog, d)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, prog.sha256, NULL, d)) != ZKR_OK)
        return r;
    a->program_id = prog.id;
    memcpy(a->program_sha256, prog.sha256, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

static zkr_err add_artifact(zkr_registry *reg, zkr_artifact *a,
                            const uint8_t (*leaves)[ZKR_DIGEST_BYTES], const char *source,
                            const char *program_ref, const extra_event *ev, zkr_artifact *out,
                            zkr_diag *d)
{
    zkr_err r;

    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        return r;
    if ((a->kind == ZKR_KIND_MODEL && (r = model_program_tx(reg, program_ref, a, d)) != ZKR_OK) ||
        (r = event_bound_tx(reg, ev, d)) != ZKR_OK)
        goto out;
    r = zkr_registry_artifact_find(reg, a->kind, a->sha256,
                                   a->kind == ZKR_KIND_MODEL ? a->program_sha256 : NULL, out);
    if (r == ZKR_OK) {
        out->existed = 1;
        /* The event still happened (a step re-run, a round whose average is a child). */
        if (ev != NULL &&
            ((r = zkr_registry_log_append_tx(reg, ev->type, zkr_registry_now(), ev->payload, ev->len,
                                             ev->index, d)) != ZKR_OK ||
             (r = zkr_registry_commit(reg, d)) != ZKR_OK))
            goto out;
        goto out;
    }
    if (r != ZKR_ERR_NOT_FOUND)
        goto out;
    a->created = zkr_registry_now();
    if ((r = next_version(reg, a->kind, a->name, &a->version, d)) != ZKR_OK ||
        (r = zkr_registry_artifact_insert_tx(reg, a, leaves, source, d)) != ZKR_OK)
        goto out;
    if (ev != NULL && (r = zkr_registry_log_append_tx(reg, ev->type, zkr_registry_now(), ev->payload,
                                                      ev->len, ev->index, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_registry_commit(reg, d)) != ZKR_OK)
        goto out;
    *out = *a;
out:
    zkr_registry_rollback(reg);
    return r;
}

zkr_err zkr_registry_program_add(zkr_registry *reg, const char *name, const uint8_t *p,
                                 size_t len, zkr_artifact *out, zkr_diag *d)
{
    zkr_artifact a;
    zkr_err r;

    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    if ((r = check_name(name, d)) != ZKR_OK)
        return r;
    a.kind = ZKR_KIND_PROGRAM;
    strcpy(a.name, name);
    zkr_sha256(p, len, a.sha256);
    a.size = len;
    return add_artifact(reg, &a, NULL, NULL, NULL, NULL, out, d);
}

static zkr_err model_add(zkr_registry *reg, const char *name, const char *program_ref,
                         const uint8_t *p, size_t len, const uint8_t commitment[ZKR_DIGEST_BYTES],
                         const extra_event *ev, zkr_artifact *out, zkr_diag *d)
{
    zkr_artifact a;
    zkr_err r;

    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    if ((r = check_name(name, d)) != ZKR_OK)
        return r;
    a.kind = ZKR_KIND_MODEL;
    strcpy(a.name, name);
    zkr_sha256(p, len, a.sha256);
    a.size = len;
    if (commitment != NULL) {
        memcpy(a.commitment, commitment, ZKR_DIGEST_BYTES);
        a.has_commitment = 1;
    }
    return add_artifact(reg, &a, NULL, NULL, program_ref, ev, out, d);
}

zkr_err zkr_registry_name_check(const char *name, zkr_diag *d)
{
    return check_name(name, d);
}

zkr_err zkr_registry_model_add_private(zkr_registry *reg, const char *name,
                                      const char *program_ref, const uint8_t *enc, size_t len,
                                      const uint8_t commitment[ZKR_DIGEST_BYTES],
                                      zkr_artifact *out, zkr_diag *d)
{
    zkr_artifact a;
    zkr_err r;

    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    if (enc == NULL || len == 0 || commitment == NULL)
        return zkr_fail(d, ZKR_ERR_USAGE, "a private model needs its commitment");
    if ((r = check_name(name, d)) != ZKR_OK)
        return r;
    a.kind = ZKR_KIND_MODEL;
    strcpy(a.name, name);
    strcpy(a.dataset_format, ZKR_MODEL_FORMAT_PRIVATE);
    zkr_sha256(enc, len, a.sha256);
    a.size = len;
    memcpy(a.commitment, commitment, ZKR_DIGEST_BYTES);
    a.has_commitment = 1;
    return add_artifact(reg, &a, NULL, NULL, program_ref, NULL, out, d);
}

int zkr_registry_model_private(const zkr_artifact *a)
{
    return a->kind == ZKR_KIND_MODEL && strcmp(a->dataset_format, ZKR_MODEL_FORMAT_PRIVATE) == 0;
}

zkr_err zkr_registry_model_add(zkr_registry *reg, const char *name, const char *program_ref,
                               const uint8_t *p, size_t len,
                               const uint8_t commitment[ZKR_DIGEST_BYTES], zkr_artifact *out,
                               zkr_diag *d)
{
    return model_add(reg, name, program_ref, p, len, commitment, NULL, out, d);
}

zkr_err zkr_registry_model_add_event(zkr_registry *reg, const char *name, const char *program_ref,
                                     const uint8_t *p, size_t len,
                                     const uint8_t commitment[ZKR_DIGEST_BYTES],
                                     const char *ev_type, const uint8_t *ev, size_t ev_len,
                                     zkr_artifact *out, uint64_t *ev_index, zkr_diag *d)
{
    return zkr_registry_model_add_event_bound(reg, name, program_ref, p, len, commitment, ev_type,
                                              ev, ev_len, NULL, 0, out, ev_index, d);
}

zkr_err zkr_registry_model_add_event_bound(zkr_registry *reg, const char *name,
                                           const char *program_ref, const uint8_t *p, size_t len,
                                           const uint8_t commitment[ZKR_DIGEST_BYTES],
                                           const char *ev_type, const uint8_t *ev, size_t ev_len,
                                           const zkr_binding *bound, size_t n_bound,
                                           zkr_artifact *out, uint64_t *ev_index, zkr_diag *d)
{
    extra_event e = {ev_type, ev, ev_len, ev_index, bound, n_bound};

    *ev_index = 0;
    if (!zkr_registry_event_type_ok(ev_type))
        return zkr_fail(d, ZKR_ERR_USAGE,
                        "log event type '%s' is reserved or not an identifier ([a-z0-9._-])",
                        ev_type ? ev_type : "");
    if (ev_len > ((size_t)1 << 20))
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "log event '%s': payload over 1 MiB", ev_type);
    return model_add(reg, name, program_ref, p, len, commitment, &e, out, d);
}

zkr_err zkr_registry_dataset_digest(const zkr_dataset *ds, uint8_t out[ZKR_DIGEST_BYTES],
                                    uint64_t *size)
{
    zkr_sha256_ctx c;
    zkr_err r = ZKR_OK;
    uint64_t total = 0;

    zkr_sha256_init(&c);
    for (uint64_t i = 0; i < zkr_dataset_count(ds); i++) {
        const uint8_t *rec;
        size_t rlen;
        uint8_t be[4];
        if ((r = zkr_dataset_record(ds, i, &rec, &rlen)) != ZKR_OK)
            break;
        zkr_store_be32(be, (uint32_t)rlen);
        zkr_sha256_update(&c, be, 4);
        zkr_sha256_update(&c, rec, rlen);
        total += 4 + (uint64_t)rlen;
    }
    zkr_sha256_final(&c, out);
    if (size != NULL)
        *size = total;
    return r;
}

zkr_err zkr_registry_dataset_add(zkr_registry *reg, const char *name, const zkr_dataset *ds,
                                 const char *source_path,
                                 const uint8_t commitment[ZKR_DIGEST_BYTES], zkr_artifact *out,
                                 zkr_diag *d)
{
    uint8_t (*leaves)[ZKR_DIGEST_BYTES] = NULL;
    uint64_t n = zkr_dataset_count(ds);
    zkr_artifact a;
    zkr_err r;

    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    if ((r = check_name(name, d)) != ZKR_OK)
        return r;
    leaves = calloc((size_t)n, sizeof *leaves);
    if (leaves == NULL)
        return ZKR_ERR_NOMEM;
    a.kind = ZKR_KIND_DATASET;
    strcpy(a.name, name);
    strcpy(a.dataset_format, zkr_dataset_format_of(ds) == ZKR_DATASET_IDX ? "idx" : "lines");
    if ((r = zkr_registry_dataset_digest(ds, a.sha256, &a.size)) != ZKR_OK)
        goto out;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *rec;
        size_t rlen;
        if ((r = zkr_dataset_record(ds, i, &rec, &rlen)) != ZKR_OK)
            goto out;
        zkr_merkle_leaf_hash(rec, rlen, leaves[i]);
    }
    a.record_count = n;
    if (commitment != NULL) {
        memcpy(a.commitment, commitment, ZKR_DIGEST_BYTES);
        a.has_commitment = 1;
    }
    if ((r = zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n, a.records_root)) !=
        ZKR_OK)
        goto out;
    r = add_artifact(reg, &a, (const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, source_path, NULL, NULL,
                     out, d);
out:
    free(leaves);
    return r;
}

int zkr_registry_dataset_version(const zkr_artifact *a)
{
    static const struct {
        const char *format;
        int version;
    } known[] = {{"idx", 1},   {"lines", 1},   {"idx@2", 2},
                 {"lines@2", 2}, {"idx@3", 3}, {"lines@3", 3}};

    if (a->kind != ZKR_KIND_DATASET)
        return 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(a->dataset_format, known[i].format) == 0)
            return known[i].version;
    return 0;
}

int zkr_registry_kind_hiding(const char *proof_kind)
{
    return proof_kind != NULL &&
           (strcmp(proof_kind, "inference@2") == 0 || strcmp(proof_kind, "training-step@2") == 0 ||
            strcmp(proof_kind, "graph-inference@2") == 0);
}

zkr_err zkr_registry_dataset_add_commitment(zkr_registry *reg, const char *name,
                                            const zkr_dscommit *c, const char *source_path,
                                            zkr_artifact *out, zkr_diag *d)
{
    uint8_t dig[ZKR_DIGEST_BYTES];
    zkr_artifact a;
    zkr_err r;

    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    if ((r = check_name(name, d)) != ZKR_OK)
        return r;
    /* The caller decoded c; a c whose digest is not its own is a programming error. */
    if (zkr_dscommit_digest(c, dig) != ZKR_OK || memcmp(dig, c->digest, ZKR_DIGEST_BYTES) != 0 ||
        c->count == 0 || c->count > ZKR_DATASET_MAX_RECORDS)
        return zkr_fail(d, ZKR_ERR_USAGE, "not a valid version 2 or 3 dataset commitment");
    a.kind = ZKR_KIND_DATASET;
    strcpy(a.name, name);
    (void)snprintf(a.dataset_format, sizeof a.dataset_format, "%s@%u",
                   c->format == ZKR_DATASET_IDX ? "idx" : "lines", (unsigned)c->version);
    memcpy(a.sha256, c->digest, ZKR_DIGEST_BYTES);
    a.size = ZKR_DSCOMMIT_FILE_BYTES;
    a.record_count = c->count;
    memcpy(a.records_root, c->root, ZKR_DIGEST_BYTES);
    return add_artifact(reg, &a, NULL, source_path, NULL, NULL, out, d);
}

zkr_err zkr_registry_dataset_record_proof(zkr_registry *reg, const char *ref, uint64_t index,
                                          zkr_artifact *ds_out,
                                          uint8_t leaf_hash[ZKR_DIGEST_BYTES],
                                          uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                          size_t *path_len, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    const uint8_t(*leaves)[ZKR_DIGEST_BYTES];
    uint8_t root[ZKR_DIGEST_BYTES];
    zkr_err r;
    int rc;

    *path_len = 0;
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, ref, ds_out, d)) != ZKR_OK)
        return r;
    if (zkr_registry_dataset_version(ds_out) == 2)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "dataset %s is a version 2 (hiding) commitment: the registry holds no "
                        "record hashes; open its records on the owner's machine with "
                        "`zkreg dataset prove-record INDEX --data PATH --secrets FILE`", ref);
    if (zkr_registry_dataset_version(ds_out) == 3)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "dataset %s is a version 3 (hiding record commitments) dataset: its "
                        "records are never opened, only proven about (inference@2)", ref);
    if (index >= ds_out->record_count)
        return zkr_fail(d, ZKR_ERR_NOT_FOUND, "dataset %s has %llu records; index %llu is past "
                        "the end", ref, (unsigned long long)ds_out->record_count,
                        (unsigned long long)index);
    if ((r = zkr_registry_prepare(reg, "SELECT hashes FROM dataset_leaves WHERE artifact_id = ?",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_int64(st, 1, ds_out->id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        r = rc == SQLITE_DONE
                ? zkr_fail(d, ZKR_ERR_NOT_FOUND,
                           "dataset %s: record hashes are not held here (imported?); register "
                           "the dataset files to prove records", ref)
                : zkr_registry_sql_err(reg, rc, "reading record hashes", d);
        goto out;
    }
    if ((uint64_t)sqlite3_column_bytes(st, 0) != ds_out->record_count * ZKR_DIGEST_BYTES) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: record hashes of dataset %s are corrupt",
                     reg->path, ref);
        goto out;
    }
    leaves = sqlite3_column_blob(st, 0);
    /* Recomputed root must be the registered one: the stored hashes are not trusted blindly. */
    if ((r = zkr_merkle_root(leaves, ds_out->record_count, root)) != ZKR_OK)
        goto out;
    if (memcmp(root, ds_out->records_root, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: record hashes of dataset %s do not give its root",
                     reg->path, ref);
        goto out;
    }
    memcpy(leaf_hash, leaves[index], ZKR_DIGEST_BYTES);
    r = zkr_merkle_inclusion_proof(leaves, ds_out->record_count, index, path, path_len);
out:
    sqlite3_finalize(st);
    return r;
}

zkr_err zkr_registry_model_insert_tx(zkr_registry *reg, const char *name, const zkr_artifact *prog,
                                     const uint8_t *p, size_t len,
                                     const uint8_t commitment[ZKR_DIGEST_BYTES],
                                     zkr_artifact *out, zkr_diag *d)
{
    zkr_artifact a;
    zkr_err r;

    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    if ((r = check_name(name, d)) != ZKR_OK)
        return r;
    a.kind = ZKR_KIND_MODEL;
    strcpy(a.name, name);
    zkr_sha256(p, len, a.sha256);
    a.size = len;
    a.program_id = prog->id;
    memcpy(a.program_sha256, prog->sha256, ZKR_DIGEST_BYTES);
    memcpy(a.commitment, commitment, ZKR_DIGEST_BYTES);
    a.has_commitment = 1;
    r = zkr_registry_artifact_find(reg, a.kind, a.sha256, a.program_sha256, out);
    if (r == ZKR_OK) {
        out->existed = 1;
        return ZKR_OK;
    }
    if (r != ZKR_ERR_NOT_FOUND)
        return r;
    a.created = zkr_registry_now();
    if ((r = next_version(reg, a.kind, a.name, &a.version, d)) != ZKR_OK ||
        (r = zkr_registry_artifact_insert_tx(reg, &a, NULL, NULL, d)) != ZKR_OK)
        return r;
    *out = a;
    return ZKR_OK;
}
