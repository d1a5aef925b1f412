/*
 * Statement schemas: the JSON document users write, its canonical binary
 * encoding (what the digest covers; never the JSON text), and storage.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "registry_int.h"

#define SCHEMA_TAG "zkreg/schema/v1"
#define SCHEMA_JSON_MAX ((size_t)1 << 20)

static const char *const param_type_names[] = {NULL, "u64", "i64", "string", "digest",
                                               "u64-list"};
static const char *const proof_kinds[] = {"inference@1", "training-step@1", "evaluation@1",
                                          "evaluation-fixed@1", "graph-inference@1",
                                          "inference-batch@1", "inference@2",
                                          "training-step@2", "evaluation-graph@1",
                                          "graph-inference@2"};

const char *zkr_schema_proof_kind_at(size_t i)
{
    return i < sizeof proof_kinds / sizeof proof_kinds[0] ? proof_kinds[i] : NULL;
}
static const char *const schema_keys[] = {"name",          "version",          "proof_kind",
                                          "proof_system",  "parameter_set",    "verifier_version",
                                          "public_output", "fields"};

const char *zkr_param_type_name(zkr_param_type t)
{
    if ((int)t < 1 || (int)t > ZKR_PARAM_U64_LIST)
        return NULL;
    return param_type_names[t];
}

static int param_type_parse(const char *s, zkr_param_type *t)
{
    for (int i = 1; i <= ZKR_PARAM_U64_LIST; i++)
        if (strcmp(s, param_type_names[i]) == 0) {
            *t = (zkr_param_type)i;
            return 1;
        }
    return 0;
}

static int proof_kind_ok(const char *s)
{
    for (size_t i = 0; i < sizeof proof_kinds / sizeof proof_kinds[0]; i++)
        if (strcmp(s, proof_kinds[i]) == 0)
            return 1;
    return 0;
}

static int field_cmp(const void *a, const void *b)
{
    return strcmp(((const zkr_schema_field *)a)->name, ((const zkr_schema_field *)b)->name);
}

/* Copies a JSON string member that must be an identifier. */
static zkr_err get_ident(const char *src, json_t *obj, const char *key, char *out, int allow_at,
                         zkr_diag *d)
{
    json_t *v = json_object_get(obj, key);
    const char *s;

    if (v == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: field '%s' is missing", src, key);
    if (!json_is_string(v))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: field '%s' must be a string", src, key);
    s = json_string_value(v);
    if (strlen(s) != json_string_length(v) || strlen(s) > ZKR_IDENT_MAX)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: field '%s' is over %d bytes or has NUL",
                        src, key, ZKR_IDENT_MAX);
    if (!zkr_registry_ident_ok(s, allow_at))
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "%s: field '%s' = '%s' must be 1..%d characters of [a-z0-9._-]", src, key,
                        s, ZKR_IDENT_MAX);
    strcpy(out, s);
    return ZKR_OK;
}

static zkr_err parse_fields(const char *src, json_t *arr, zkr_schema *s, zkr_diag *d)
{
    size_t i;
    json_t *f;

    if (!json_is_array(arr))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: field 'fields' must be an array", src);
    if (json_array_size(arr) > ZKR_SCHEMA_MAX_FIELDS)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: 'fields' has %zu entries, over %d", src,
                        json_array_size(arr), ZKR_SCHEMA_MAX_FIELDS);
    json_array_foreach(arr, i, f) {
        char where[64], type[ZKR_IDENT_MAX + 1];
        const char *k;
        json_t *v;
        zkr_err r;

        snprintf(where, sizeof where, "%s: fields[%zu]", src, i);
        if (!json_is_object(f))
            return zkr_fail(d, ZKR_ERR_MALFORMED, "%s must be an object", where);
        json_object_foreach(f, k, v) {
            (void)v;
            if (strcmp(k, "name") != 0 && strcmp(k, "type") != 0)
                return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: unknown key '%s'", where, k);
        }
        if ((r = get_ident(where, f, "name", s->fields[i].name, 0, d)) != ZKR_OK ||
            (r = get_ident(where, f, "type", type, 0, d)) != ZKR_OK)
            return r;
        if (!param_type_parse(type, &s->fields[i].type))
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "%s: type '%s' unknown (u64, i64, string, digest, u64-list)", where,
                            type);
    }
    s->n_fields = json_array_size(arr);
    qsort(s->fields, s->n_fields, sizeof s->fields[0], field_cmp);
    for (i = 1; i < s->n_fields; i++)
        if (strcmp(s->fields[i - 1].name, s->fields[i].name) == 0)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: duplicate field name '%s'", src,
                            s->fields[i].name);
    return ZKR_OK;
}

static zkr_err parse_obj(const char *src, json_t *j, zkr_schema *s, zkr_diag *d)
{
    json_t *v;
    const char *k;
    zkr_err r;

    if (!json_is_object(j))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: a schema document is a JSON object", src);
    json_object_foreach(j, k, v) {
        size_t i, known = 0;
        for (i = 0; i < sizeof schema_keys / sizeof schema_keys[0]; i++)
            known |= strcmp(k, schema_keys[i]) == 0;
        if (!known)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: unknown schema field '%s'", src, k);
    }
    if ((r = get_ident(src, j, "name", s->name, 0, d)) != ZKR_OK)
        return r;
    v = json_object_get(j, "version");
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > ((json_int_t)1 << 53))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: field 'version' must be an integer >= 1",
                        src);
    s->version = (uint64_t)json_integer_value(v);
    if ((r = get_ident(src, j, "proof_kind", s->proof_kind, 1, d)) != ZKR_OK)
        return r;
    if (!proof_kind_ok(s->proof_kind))
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "%s: proof_kind '%s' unknown (inference@1, inference@2, "
                        "training-step@1, training-step@2, evaluation@1, evaluation-fixed@1, "
                        "graph-inference@1, graph-inference@2, inference-batch@1, evaluation-graph@1)", src,
                        s->proof_kind);
    if ((r = get_ident(src, j, "proof_system", s->proof_system, 0, d)) != ZKR_OK ||
        (r = get_ident(src, j, "parameter_set", s->param_set, 0, d)) != ZKR_OK ||
        (r = get_ident(src, j, "verifier_version", s->verifier_version, 0, d)) != ZKR_OK)
        return r;
    v = json_object_get(j, "public_output");
    if (!json_is_boolean(v))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: field 'public_output' must be true or false",
                        src);
    s->public_output = json_is_true(v);
    v = json_object_get(j, "fields");
    if (v == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: field 'fields' is missing", src);
    return parse_fields(src, v, s, d);
}

static zkr_err compute_digest(zkr_schema *s)
{
    zkr_buf b = {0};
    zkr_err r;

    if ((r = zkr_schema_encode(s, &b)) == ZKR_OK)
        zkr_sha256_tagged(SCHEMA_TAG, b.p, b.len, s->digest);
    zkr_buf_free(&b);
    return r;
}

zkr_err zkr_schema_parse(const char *src, const uint8_t *json, size_t len, zkr_schema *out,
                         zkr_diag *d)
{
    json_error_t je;
    json_t *j = NULL;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if (len > SCHEMA_JSON_MAX)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "%s: schema document over %zu bytes", src,
                        SCHEMA_JSON_MAX);
    if (memchr(json, 0, len) != NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: schema document contains NUL bytes", src);
    j = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: line %d column %d: %s", src, je.line,
                        je.column, je.text);
    r = parse_obj(src, j, out, d);
    json_decref(j);
    if (r == ZKR_OK)
        r = compute_digest(out);
    if (r != ZKR_OK)
        memset(out, 0, sizeof *out);
    return r;
}

zkr_err zkr_schema_encode(const zkr_schema *s, zkr_buf *out)
{
    zkr_err r;

    if ((r = zkr_enc_str(out, s->name)) != ZKR_OK || (r = zkr_enc_u64(out, s->version)) != ZKR_OK ||
        (r = zkr_enc_str(out, s->proof_kind)) != ZKR_OK ||
        (r = zkr_enc_str(out, s->proof_system)) != ZKR_OK ||
        (r = zkr_enc_str(out, s->param_set)) != ZKR_OK ||
        (r = zkr_enc_str(out, s->verifier_version)) != ZKR_OK ||
        (r = zkr_enc_u8(out, s->public_output ? 1 : 0)) != ZKR_OK ||
        (r = zkr_enc_u32(out, (uint32_t)s->n_fields)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < s->n_fields; i++)
        if ((r = zkr_enc_str(out, s->fields[i].name)) != ZKR_OK ||
            (r = zkr_enc_str(out, zkr_param_type_name(s->fields[i].type))) != ZKR_OK)
            return r;
    return ZKR_OK;
}

static zkr_err dec_ident(zkr_dec *dec, char out[ZKR_IDENT_MAX + 1], int allow_at)
{
    const uint8_t *p;
    size_t n;

    out[0] = '\0';
    if (zkr_dec_bytes(dec, ZKR_IDENT_MAX, &p, &n) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(out, p, n);
    out[n] = '\0';
    return strlen(out) == n && zkr_registry_ident_ok(out, allow_at) ? ZKR_OK : ZKR_ERR_MALFORMED;
}

static zkr_err decode_fields(zkr_dec *dec, zkr_schema *s)
{
    uint32_t n;

    if (zkr_dec_u32(dec, &n) != ZKR_OK || n > ZKR_SCHEMA_MAX_FIELDS)
        return ZKR_ERR_MALFORMED;
    for (uint32_t i = 0; i < n; i++) {
        char type[ZKR_IDENT_MAX + 1];
        if (dec_ident(dec, s->fields[i].name, 0) != ZKR_OK || dec_ident(dec, type, 0) != ZKR_OK ||
            !param_type_parse(type, &s->fields[i].type))
            return ZKR_ERR_MALFORMED;
        /* Canonical order: strictly increasing names. */
        if (i > 0 && strcmp(s->fields[i - 1].name, s->fields[i].name) >= 0)
            return ZKR_ERR_MALFORMED;
    }
    s->n_fields = n;
    return ZKR_OK;
}

zkr_err zkr_schema_decode(const uint8_t *p, size_t len, zkr_schema *s, zkr_diag *d)
{
    uint8_t po = 0;
    zkr_dec dec;

    memset(s, 0, sizeof *s);
    zkr_dec_init(&dec, p, len);
    if (dec_ident(&dec, s->name, 0) != ZKR_OK || zkr_dec_u64(&dec, &s->version) != ZKR_OK ||
        s->version < 1 || s->version > ((uint64_t)1 << 53) ||
        dec_ident(&dec, s->proof_kind, 1) != ZKR_OK || !proof_kind_ok(s->proof_kind) ||
        dec_ident(&dec, s->proof_system, 0) != ZKR_OK || dec_ident(&dec, s->param_set, 0) != ZKR_OK ||
        dec_ident(&dec, s->verifier_version, 0) != ZKR_OK || zkr_dec_u8(&dec, &po) != ZKR_OK ||
        po > 1 || decode_fields(&dec, s) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK) {
        memset(s, 0, sizeof *s);
        return zkr_fail(d, ZKR_ERR_MALFORMED, "schema encoding does not decode");
    }
    s->public_output = po;
    zkr_sha256_tagged(SCHEMA_TAG, p, len, s->digest);
    return ZKR_OK;
}

zkr_err zkr_schema_to_json(const zkr_schema *s, zkr_buf *out)
{
    json_t *j = NULL, *fields = json_array();
    char *txt = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    if (fields == NULL)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < s->n_fields; i++)
        if (json_array_append_new(fields, json_pack("{s:s, s:s}", "name", s->fields[i].name,
                                                    "type",
                                                    zkr_param_type_name(s->fields[i].type))) != 0)
            goto out;
    j = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:b, s:O}", "name", s->name, "version",
                  (json_int_t)s->version, "proof_kind", s->proof_kind, "proof_system",
                  s->proof_system, "parameter_set", s->param_set, "verifier_version",
                  s->verifier_version, "public_output", s->public_output, "fields", fields);
    if (j == NULL)
        goto out;
    txt = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (txt == NULL)
        goto out;
    r = zkr_buf_append_str(out, txt);
out:
    free(txt);
    json_decref(j);
    json_decref(fields);
    return r;
}

#define SCHEMA_COLUMNS "id, canonical, created, log_index"

static zkr_err row_to_schema(zkr_registry *reg, sqlite3_stmt *st, zkr_schema *s, zkr_diag *d)
{
    int64_t id = sqlite3_column_int64(st, 0);
    const void *p = sqlite3_column_blob(st, 1);
    size_t n = (size_t)sqlite3_column_bytes(st, 1);

    if (p == NULL || zkr_schema_decode(p, n, s, NULL) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_REGISTRY, "%s: schema row %lld is corrupt", reg->path,
                        (long long)id);
    s->id = id;
    s->created = sqlite3_column_int64(st, 2);
    s->log_index = (uint64_t)sqlite3_column_int64(st, 3);
    return ZKR_OK;
}

static zkr_err schema_query(zkr_registry *reg, sqlite3_stmt *st, zkr_schema *out, zkr_diag *d)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        return row_to_schema(reg, st, out, d);
    if (rc == SQLITE_DONE)
        return ZKR_ERR_NOT_FOUND;
    return zkr_registry_sql_err(reg, rc, "reading schemas", d);
}

static zkr_err find_name_version(zkr_registry *reg, const char *name, uint64_t version,
                                 zkr_schema *out, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;

    if ((r = zkr_registry_prepare_cached(reg,
                                  "SELECT " SCHEMA_COLUMNS " FROM schema WHERE name = ? AND version = ?",
                                  &st, d)) != ZKR_OK)
        return r;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)version);
    r = schema_query(reg, st, out, d);
    zkr_registry_release(reg, st);
    return r;
}

zkr_err zkr_registry_schema_find_digest(zkr_registry *reg,
                                        const uint8_t digest[ZKR_DIGEST_BYTES], zkr_schema *out)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;

    if ((r = zkr_registry_prepare_cached(reg, "SELECT " SCHEMA_COLUMNS " FROM schema WHERE digest = ?",
                                  &st, NULL)) != ZKR_OK)
        return r;
    sqlite3_bind_blob(st, 1, digest, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    r = schema_query(reg, st, out, NULL);
    zkr_registry_release(reg, st);
    return r;
}

zkr_err zkr_registry_schema_get(zkr_registry *reg, const char *ref, zkr_schema *out,
                                zkr_diag *d)
{
    const char *at = ref ? strrchr(ref, '@') : NULL;
    sqlite3_stmt *st = NULL;
    zkr_ref rf;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if (at != NULL) {
        char name[ZKR_IDENT_MAX + 1];
        const char *v = at + 1;
        size_t nlen = (size_t)(at - ref);
        if (nlen == 0 || nlen > ZKR_IDENT_MAX || v[0] < '1' || v[0] > '9' ||
            strspn(v, "0123456789") != strlen(v) || strlen(v) > 15)
            return zkr_fail(d, ZKR_ERR_USAGE, "schema '%s': expected NAME@VERSION", ref);
        memcpy(name, ref, nlen);
        name[nlen] = '\0';
        r = find_name_version(reg, name, strtoull(v, NULL, 10), out, d);
    } else {
        if ((r = zkr_registry_parse_ref("schema", ref, &rf, d)) != ZKR_OK)
            return r;
        if (rf.is_id) {
            if ((r = zkr_registry_prepare_cached(reg, "SELECT " SCHEMA_COLUMNS " FROM schema WHERE id = ?",
                                          &st, d)) != ZKR_OK)
                return r;
            sqlite3_bind_int64(st, 1, rf.id);
            r = schema_query(reg, st, out, d);
            zkr_registry_release(reg, st);
        } else {
            r = zkr_registry_schema_find_digest(reg, rf.digest, out);
        }
    }
    if (r == ZKR_ERR_NOT_FOUND)
        r = zkr_fail(d, r, "schema %s not found in %s", ref, reg->path);
    return r;
}

zkr_err zkr_registry_schema_insert_tx(zkr_registry *reg, zkr_schema *s, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_buf canon = {0}, doc = {0};
    zkr_err r;
    int rc;

    if ((r = zkr_schema_encode(s, &canon)) != ZKR_OK || (r = zkr_schema_to_json(s, &doc)) != ZKR_OK ||
        (r = zkr_registry_log_append_tx(reg, "schema", s->created, canon.p, canon.len,
                                        &s->log_index, d)) != ZKR_OK ||
        (r = zkr_registry_prepare(reg,
                                  "INSERT INTO schema(name, version, digest, canonical, document,"
                                  " created, log_index) VALUES(?, ?, ?, ?, ?, ?, ?)",
                                  &st, d)) != ZKR_OK)
        goto out;
    sqlite3_bind_text(st, 1, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)s->version);
    sqlite3_bind_blob(st, 3, s->digest, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    if ((r = zkr_registry_bind_blob(st, 4, canon.p, canon.len)) != ZKR_OK)
        goto out;
    sqlite3_bind_text(st, 5, (const char *)doc.p, (int)doc.len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, s->created);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)s->log_index);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "inserting the schema", d);
    else
        s->id = sqlite3_last_insert_rowid(reg->db);
out:
    sqlite3_finalize(st);
    zkr_buf_free(&canon);
    zkr_buf_free(&doc);
    return r;
}

zkr_err zkr_registry_schema_add(zkr_registry *reg, const zkr_schema *s, zkr_schema *out,
                                zkr_diag *d)
{
    char have[2 * ZKR_DIGEST_BYTES + 1], want[2 * ZKR_DIGEST_BYTES + 1];
    zkr_schema cur;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        return r;
    r = find_name_version(reg, s->name, s->version, &cur, d);
    if (r == ZKR_OK) {
        if (memcmp(cur.digest, s->digest, ZKR_DIGEST_BYTES) == 0) {
            *out = cur;
            out->existed = 1;
            goto out;
        }
        zkr_registry_hex(cur.digest, ZKR_DIGEST_BYTES, have, sizeof have);
        zkr_registry_hex(s->digest, ZKR_DIGEST_BYTES, want, sizeof want);
        r = zkr_fail(d, ZKR_ERR_CONFLICT,
                     "schema %s@%llu is already registered with digest %s; this document has "
                     "digest %s (registered schemas never change: use a new version)",
                     s->name, (unsigned long long)s->version, have, want);
        goto out;
    }
    if (r != ZKR_ERR_NOT_FOUND)
        goto out;
    cur = *s;
    cur.created = zkr_registry_now();
    if ((r = zkr_registry_schema_insert_tx(reg, &cur, d)) != ZKR_OK ||
        (r = zkr_registry_commit(reg, d)) != ZKR_OK)
        goto out;
    *out = cur;
out:
    zkr_registry_rollback(reg);
    return r;
}

static zkr_err schema_item(zkr_registry *reg, sqlite3_stmt *st, void *item)
{
    return row_to_schema(reg, st, item, NULL);
}

zkr_err zkr_registry_schema_list(zkr_registry *reg, zkr_schema **out, size_t *n)
{
    sqlite3_stmt *st = NULL;
    void *items = NULL;
    zkr_err r;

    *out = NULL;
    *n = 0;
    if ((r = zkr_registry_prepare(reg, "SELECT " SCHEMA_COLUMNS " FROM schema ORDER BY id", &st,
                                  NULL)) != ZKR_OK)
        return r;
    r = zkr_registry_rows(reg, st, sizeof **out, schema_item, "listing schemas", &items, n);
    *out = items;
    sqlite3_finalize(st);
    return r;
}
