/*
 * Statements: validation against the schema, the canonical encoding that
 * statement_id hashes (docs/formats.md), storage and lookup.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_int.h"

#define STATEMENT_TAG "zkreg/statement/v1"
#define STRING_PARAM_MAX 1024
#define LIST_PARAM_MAX 4096

void zkr_statement_free(zkr_statement *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < ZKR_SCHEMA_MAX_FIELDS; i++) {
        free(s->params[i].value);
        free(s->params[i].text);
    }
    zkr_buf_free(&s->public_output);
    zkr_buf_free(&s->canonical);
    memset(s, 0, sizeof *s);
}

/* Canonical decimal: "0" or no leading zero, at most 20 digits, no overflow. */
static int parse_u64(const char *s, size_t n, uint64_t *v)
{
    uint64_t x = 0;

    if (n == 0 || n > 20 || (s[0] == '0' && n > 1))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        if (x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return 0;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return 1;
}

static zkr_err put_u64(zkr_param *p, uint64_t v, size_t at)
{
    zkr_store_be64(p->value + at, v);
    return ZKR_OK;
}

/* Parses a --param value of `type` into its canonical value bytes. */
static zkr_err parse_value(const char *key, zkr_param_type type, const char *text, zkr_param *p,
                           zkr_diag *d)
{
    size_t n = strlen(text);
    uint64_t v = 0;

    switch (type) {
    case ZKR_PARAM_U64:
    case ZKR_PARAM_I64: {
        int neg = type == ZKR_PARAM_I64 && text[0] == '-';
        if (!parse_u64(text + neg, n - (size_t)neg, &v) || (neg && v == 0) ||
            (type == ZKR_PARAM_I64 && v > (uint64_t)INT64_MAX + (uint64_t)neg))
            return zkr_fail(d, ZKR_ERR_MALFORMED, "--param %s: '%s' is not a canonical %s", key,
                            text, zkr_param_type_name(type));
        if ((p->value = malloc(8)) == NULL)
            return ZKR_ERR_NOMEM;
        p->value_len = 8;
        return put_u64(p, neg ? (uint64_t)0 - v : v, 0);
    }
    case ZKR_PARAM_STRING:
        if (n > STRING_PARAM_MAX)
            return zkr_fail(d, ZKR_ERR_TOO_LARGE, "--param %s: %zu bytes, over %d", key, n,
                            STRING_PARAM_MAX);
        if (zkr_utf8_check((const uint8_t *)text, n) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "--param %s: not UTF-8 text", key);
        if ((p->value = malloc(n ? n : 1)) == NULL)
            return ZKR_ERR_NOMEM;
        memcpy(p->value, text, n);
        p->value_len = n;
        return ZKR_OK;
    case ZKR_PARAM_DIGEST:
        if ((p->value = malloc(ZKR_DIGEST_BYTES)) == NULL)
            return ZKR_ERR_NOMEM;
        p->value_len = ZKR_DIGEST_BYTES;
        if (zkr_hex_decode_exact(text, p->value, ZKR_DIGEST_BYTES) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "--param %s: digest must be 64 hex digits, got %zu characters", key,
                            n);
        return ZKR_OK;
    case ZKR_PARAM_U64_LIST: {
        size_t count = 1, at = 0;
        const char *s = text;
        for (size_t i = 0; i < n; i++)
            count += text[i] == ',';
        if (count > LIST_PARAM_MAX)
            return zkr_fail(d, ZKR_ERR_TOO_LARGE, "--param %s: %zu entries, over %d", key, count,
                            LIST_PARAM_MAX);
        if ((p->value = malloc(count * 8)) == NULL)
            return ZKR_ERR_NOMEM;
        p->value_len = count * 8;
        for (size_t i = 0; i < count; i++) {
            const char *e = strchr(s, ',');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            if (!parse_u64(s, len, &v))
                return zkr_fail(d, ZKR_ERR_MALFORMED,
                                "--param %s: entry %zu of '%s' is not a canonical u64", key,
                                i + 1, text);
            (void)put_u64(p, v, at);
            at += 8;
            s = e ? e + 1 : s + len;
        }
        return ZKR_OK;
    }
    }
    return zkr_fail(d, ZKR_ERR_INTERNAL, "--param %s: unknown type", key);
}

/* Checks stored value bytes against the type and renders them as text. */
static zkr_err value_text(zkr_param *p)
{
    zkr_buf b = {0};
    zkr_err r = ZKR_OK;

    switch (p->type) {
    case ZKR_PARAM_U64:
    case ZKR_PARAM_I64:
        if (p->value_len != 8)
            return ZKR_ERR_MALFORMED;
        if (p->type == ZKR_PARAM_U64)
            r = zkr_buf_printf(&b, "%" PRIu64, zkr_load_be64(p->value));
        else
            r = zkr_buf_printf(&b, "%" PRId64, (int64_t)zkr_load_be64(p->value));
        break;
    case ZKR_PARAM_STRING:
        if (p->value_len > STRING_PARAM_MAX || zkr_utf8_check(p->value, p->value_len) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        r = zkr_buf_append(&b, p->value, p->value_len);
        break;
    case ZKR_PARAM_DIGEST:
        if (p->value_len != ZKR_DIGEST_BYTES)
            return ZKR_ERR_MALFORMED;
        if ((r = zkr_buf_reserve(&b, 65)) == ZKR_OK &&
            (r = zkr_hex_encode(p->value, 32, (char *)b.p, 65)) == ZKR_OK)
            b.len = 64;
        break;
    case ZKR_PARAM_U64_LIST:
        if (p->value_len == 0 || p->value_len % 8 != 0 || p->value_len / 8 > LIST_PARAM_MAX)
            return ZKR_ERR_MALFORMED;
        for (size_t i = 0; i < p->value_len && r == ZKR_OK; i += 8)
            r = zkr_buf_printf(&b, "%s%" PRIu64, i ? "," : "", zkr_load_be64(p->value + i));
        break;
    default:
        return ZKR_ERR_MALFORMED;
    }
    if (r == ZKR_OK && (r = zkr_buf_terminate(&b)) == ZKR_OK) {
        p->text = (char *)b.p;
        return ZKR_OK;
    }
    zkr_buf_free(&b);
    return r;
}

zkr_err zkr_statement_encode(const zkr_statement *s, zkr_buf *out)
{
    const zkr_artifact *m = &s->model, *ds = &s->dataset;
    zkr_err r;

    if ((r = zkr_enc_str(out, s->schema.name)) != ZKR_OK ||
        (r = zkr_enc_u64(out, s->schema.version)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, s->schema.digest, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, s->program.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, m->sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, m->commitment, m->has_commitment ? ZKR_DIGEST_BYTES : 0)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, ds->sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(out, ds->record_count)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, ds->records_root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(out, ds->commitment, ds->has_commitment ? ZKR_DIGEST_BYTES : 0)) != ZKR_OK ||
        (r = zkr_enc_u32(out, (uint32_t)s->n_params)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < s->n_params; i++)
        if ((r = zkr_enc_str(out, s->params[i].name)) != ZKR_OK ||
            (r = zkr_enc_str(out, zkr_param_type_name(s->params[i].type))) != ZKR_OK ||
            (r = zkr_enc_bytes(out, s->params[i].value, s->params[i].value_len)) != ZKR_OK)
            return r;
    return zkr_enc_bytes(out, s->public_output_sha256,
                         s->has_public_output ? ZKR_DIGEST_BYTES : 0);
}

zkr_err zkr_statement_event_payload(const zkr_statement *s, zkr_buf *out)
{
    zkr_err r;

    if ((r = zkr_enc_bytes(out, s->canonical.p, s->canonical.len)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(out, s->public_output.p, s->public_output.len);
}

static zkr_err finish_id(zkr_statement *s)
{
    zkr_err r;

    zkr_buf_free(&s->canonical);
    if ((r = zkr_statement_encode(s, &s->canonical)) != ZKR_OK)
        return r;
    zkr_sha256_tagged(STATEMENT_TAG, s->canonical.p, s->canonical.len, s->statement_id);
    return ZKR_OK;
}

/* Every schema field exactly once, nothing else; values of the field's type. */
static zkr_err bind_params(const zkr_schema *sc, const zkr_kv *kv, size_t n, zkr_statement *s,
                           zkr_diag *d)
{
    zkr_err r;

    for (size_t i = 0; i < n; i++) {
        size_t f;
        for (f = 0; f < sc->n_fields; f++)
            if (strcmp(sc->fields[f].name, kv[i].key) == 0)
                break;
        if (f == sc->n_fields)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "--param %s: schema %s@%llu has no field '%s'",
                            kv[i].key, sc->name, (unsigned long long)sc->version, kv[i].key);
        for (size_t j = 0; j < i; j++)
            if (strcmp(kv[j].key, kv[i].key) == 0)
                return zkr_fail(d, ZKR_ERR_MALFORMED, "--param %s: given twice", kv[i].key);
    }
    for (size_t f = 0; f < sc->n_fields; f++) {
        const zkr_kv *hit = NULL;
        zkr_param *p = &s->params[f];
        for (size_t i = 0; i < n; i++)
            if (strcmp(sc->fields[f].name, kv[i].key) == 0)
                hit = &kv[i];
        if (hit == NULL)
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "--param %s: required by schema %s@%llu (type %s) but not given",
                            sc->fields[f].name, sc->name, (unsigned long long)sc->version,
                            zkr_param_type_name(sc->fields[f].type));
        strcpy(p->name, sc->fields[f].name);
        p->type = sc->fields[f].type;
        if ((r = parse_value(p->name, p->type, hit->value, p, d)) != ZKR_OK ||
            (r = value_text(p)) != ZKR_OK)
            return r;
        s->n_params = f + 1;
    }
    s->n_params = sc->n_fields;
    return ZKR_OK;
}

/*
 * Kind-specific field rules. training-step@1 and @2: record_indices names distinct
 * records (docs/training.md section 7; the verifier refuses a repeat too).
 */
static zkr_err check_kind_params(const zkr_statement *s, zkr_diag *d)
{
    /* Hidden outputs of graph-inference@2 are out of scope this round (docs/cli.md). */
    if (strcmp(s->schema.proof_kind, "graph-inference@2") == 0 && !s->schema.public_output)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "schema %s@%llu: graph-inference@2 with a hidden output (public_output "
                        "false) is not supported; its logits are public",
                        s->schema.name, (unsigned long long)s->schema.version);
    if (strcmp(s->schema.proof_kind, "training-step@1") != 0 &&
        strcmp(s->schema.proof_kind, "training-step@2") != 0)
        return ZKR_OK;
    for (size_t f = 0; f < s->n_params; f++) {
        const zkr_param *p = &s->params[f];
        if (strcmp(p->name, "record_indices") != 0 || p->type != ZKR_PARAM_U64_LIST)
            continue;
        for (size_t i = 8; i + 8 <= p->value_len; i += 8)
            for (size_t j = 0; j < i; j += 8)
                if (memcmp(p->value + i, p->value + j, 8) == 0)
                    return zkr_fail(d, ZKR_ERR_MALFORMED, "--param record_indices: record %llu "
                                    "is named twice (entries %zu and %zu); a training batch is "
                                    "distinct records", (unsigned long long)zkr_load_be64(p->value + i),
                                    j / 8, i / 8);
    }
    return ZKR_OK;
}

/*
 * A hiding kind needs a hiding (version 2) dataset, and an @1 kind, which
 * reads its records in the clear, needs a version 1 dataset: either mix
 * would make a statement that no proof of its kind can honour.
 */
int zkr_registry_kind_dataset_version(const char *proof_kind)
{
    if (proof_kind != NULL && (strcmp(proof_kind, "inference@2") == 0 ||
                               strcmp(proof_kind, "training-step@2") == 0 ||
                               strcmp(proof_kind, "graph-inference@2") == 0))
        return 3;
    return zkr_registry_kind_hiding(proof_kind) ? 2 : 1;
}

static zkr_err check_dataset_version(const zkr_statement *s, zkr_diag *d)
{
    int want = zkr_registry_kind_dataset_version(s->schema.proof_kind);
    int v = zkr_registry_dataset_version(&s->dataset);

    if (v == want)
        return ZKR_OK;
    return zkr_fail(d, ZKR_ERR_MISMATCH_DATASET,
                    "--dataset %lld has a version %d commitment, but proof kind %s (schema "
                    "%s@%llu) needs a version %d dataset (%s)",
                    (long long)s->dataset.id, v, s->schema.proof_kind, s->schema.name,
                    (unsigned long long)s->schema.version, want,
                    want == 3 ? "hiding record commitments: `zkreg dataset commit "
                                "--hiding-records` then `register-dataset --commitment`"
                    : want == 2 ? "hiding: `zkreg dataset commit` then `register-dataset "
                                  "--commitment`"
                                : "records in the clear: `register-dataset PATH`");
}

/*
 * inference@2 needs a private model (the registry holds only its hiding
 * commitment, and the proof opens nothing else), and every other kind,
 * which reads the weights, needs a public one: either mix could never be
 * proven. training-step@2 hides the batch, not the weights (docs/proof-
 * system.md, "Decision: public weights, private shard").
 */
static zkr_err check_model_privacy(const zkr_statement *s, zkr_diag *d)
{
    int hiding = strcmp(s->schema.proof_kind, "inference@2") == 0 ||
                 strcmp(s->schema.proof_kind, "graph-inference@2") == 0;

    if (zkr_registry_model_private(&s->model) == hiding)
        return ZKR_OK;
    return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                    "--model %lld is a %s model, but proof kind %s (schema %s@%llu) needs a %s "
                    "model (%s)",
                    (long long)s->model.id, hiding ? "public (v1)" : "private (v2)",
                    s->schema.proof_kind, s->schema.name, (unsigned long long)s->schema.version,
                    hiding ? "private" : "public",
                    hiding ? "`zkreg model commit` then `register-model --commitment`"
                           : "weights in the registry: `register-model FILE`");
}

int zkr_registry_schema_output_hidden(const zkr_schema *s)
{
    return !s->public_output && strcmp(s->proof_kind, "inference@2") == 0;
}

int zkr_registry_schema_binds_output(const zkr_schema *s)
{
    return s->public_output || zkr_registry_schema_output_hidden(s);
}

/* Referenced objects: right kinds, model of this program, none revoked. */
static zkr_err bind_refs(zkr_registry *reg, zkr_statement *s, zkr_diag *d)
{
    zkr_err r;

    if ((r = check_dataset_version(s, d)) != ZKR_OK || (r = check_model_privacy(s, d)) != ZKR_OK)
        return r;

    if (s->model.program_id != s->program.id) {
        char ph[17];
        zkr_registry_hex(s->model.program_sha256, 8, ph, sizeof ph);
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                        "--model %lld belongs to program %lld (%s...), not to --program %lld",
                        (long long)s->model.id, (long long)s->model.program_id, ph,
                        (long long)s->program.id);
    }
    if ((r = zkr_registry_check_revoked(reg, ZKR_KIND_SCHEMA, s->schema.digest, NULL, d)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, s->program.sha256, NULL, d)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, s->model.sha256, NULL, d)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_DATASET, s->dataset.sha256, NULL, d)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

zkr_err zkr_registry_statement_check_revoked(zkr_registry *reg, const zkr_statement *s,
                                             zkr_diag *d)
{
    zkr_err r;

    if ((r = zkr_registry_check_revoked(reg, ZKR_KIND_STATEMENT, s->statement_id, NULL, d)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_SCHEMA, s->schema.digest, NULL, d)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, s->program.sha256, NULL, d)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, s->model.sha256, NULL, d)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_DATASET, s->dataset.sha256, NULL, d)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

zkr_err zkr_registry_statement_insert_tx(zkr_registry *reg, zkr_statement *s, zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_buf payload = {0};
    zkr_err r;
    int rc;

    if ((r = zkr_statement_event_payload(s, &payload)) != ZKR_OK ||
        (r = zkr_registry_log_append_tx(reg, "statement", s->created, payload.p, payload.len,
                                        &s->log_index, d)) != ZKR_OK ||
        (r = zkr_registry_prepare_cached(
             reg,
             "INSERT INTO statement(statement_id, schema_id, program_id, model_id, dataset_id,"
             " public_output, canonical, created, log_index) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
             &st, d)) != ZKR_OK)
        goto out;
    sqlite3_bind_blob(st, 1, s->statement_id, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, s->schema.id);
    sqlite3_bind_int64(st, 3, s->program.id);
    sqlite3_bind_int64(st, 4, s->model.id);
    sqlite3_bind_int64(st, 5, s->dataset.id);
    if ((s->has_public_output &&
         (r = zkr_registry_bind_blob(st, 6, s->public_output.p ? s->public_output.p : (uint8_t *)"",
                                     s->public_output.len)) != ZKR_OK) ||
        (r = zkr_registry_bind_blob(st, 7, s->canonical.p, s->canonical.len)) != ZKR_OK)
        goto out;
    sqlite3_bind_int64(st, 8, s->created);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)s->log_index);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        r = zkr_registry_sql_err(reg, rc, "inserting the statement", d);
    else
        s->id = sqlite3_last_insert_rowid(reg->db);
out:
    zkr_registry_release(reg, st);
    zkr_buf_free(&payload);
    return r;
}

static zkr_err find_existing(zkr_registry *reg, const uint8_t sid[ZKR_DIGEST_BYTES], int64_t *id,
                             zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_err r;
    int rc;

    *id = 0;
    if ((r = zkr_registry_prepare_cached(reg, "SELECT id FROM statement WHERE statement_id = ?", &st, d)) !=
        ZKR_OK)
        return r;
    sqlite3_bind_blob(st, 1, sid, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        r = ZKR_ERR_NOT_FOUND;
    else
        r = zkr_registry_sql_err(reg, rc, "reading statements", d);
    zkr_registry_release(reg, st);
    return r;
}

/* Everything statement_add reads and checks; runs inside its write transaction. */
static zkr_err statement_prepare(zkr_registry *reg, const char *schema_ref,
                                 const char *program_ref, const char *model_ref,
                                 const char *dataset_ref, const zkr_kv *params, size_t n_params,
                                 const uint8_t *public_output, size_t public_output_len,
                                 zkr_statement *out, zkr_diag *d)
{
    int hidden;
    zkr_err r;

    if ((r = zkr_registry_schema_get(reg, schema_ref, &out->schema, d)) != ZKR_OK ||
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, program_ref, &out->program, d)) != ZKR_OK ||
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, model_ref, &out->model, d)) != ZKR_OK ||
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, dataset_ref, &out->dataset, d)) != ZKR_OK)
        return r;
    /* The same weights may be registered under several programs: by digest, take this program's. */
    if (out->model.program_id != out->program.id && strlen(model_ref) == 2 * ZKR_DIGEST_BYTES) {
        zkr_artifact m;
        if (zkr_registry_artifact_find(reg, ZKR_KIND_MODEL, out->model.sha256,
                                       out->program.sha256, &m) == ZKR_OK)
            out->model = m;
    }
    if ((r = bind_refs(reg, out, d)) != ZKR_OK ||
        (r = bind_params(&out->schema, params, n_params, out, d)) != ZKR_OK ||
        (r = check_kind_params(out, d)) != ZKR_OK)
        return r;
    hidden = zkr_registry_schema_output_hidden(&out->schema);
    if (zkr_registry_schema_binds_output(&out->schema) && public_output == NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: required by schema %s@%llu but not given",
                        hidden ? "--output-commitment" : "--public-output", out->schema.name,
                        (unsigned long long)out->schema.version);
    if (!zkr_registry_schema_binds_output(&out->schema) && public_output != NULL)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "--public-output: schema %s@%llu declares no public output",
                        out->schema.name, (unsigned long long)out->schema.version);
    if (hidden && public_output_len != ZKR_OUTPUT_COMMIT_BYTES)
        return zkr_fail(d, ZKR_ERR_MALFORMED,
                        "--output-commitment: %zu bytes; an inference@2 output commitment is "
                        "exactly %d", public_output_len, ZKR_OUTPUT_COMMIT_BYTES);
    if (public_output != NULL) {
        if (public_output_len > ZKR_PUBLIC_OUTPUT_MAX)
            return zkr_fail(d, ZKR_ERR_TOO_LARGE, "--public-output: %zu bytes, over %zu",
                            public_output_len, ZKR_PUBLIC_OUTPUT_MAX);
        out->has_public_output = 1;
        zkr_sha256(public_output, public_output_len, out->public_output_sha256);
        if ((r = zkr_buf_append(&out->public_output, public_output, public_output_len)) != ZKR_OK)
            return r;
    }
    return finish_id(out);
}

zkr_err zkr_registry_statement_add(zkr_registry *reg, const char *schema_ref,
                                   const char *program_ref, const char *model_ref,
                                   const char *dataset_ref, const zkr_kv *params,
                                   size_t n_params, const uint8_t *public_output,
                                   size_t public_output_len, zkr_statement *out, zkr_diag *d)
{
    int64_t existing = 0;
    zkr_err r;

    memset(out, 0, sizeof *out);
    /*
     * Every reference, revocation and existence check runs inside the
     * IMMEDIATE transaction that writes: a revocation committed by another
     * process is either seen here or ordered after this statement.
     */
    if ((r = zkr_registry_begin(reg, d)) != ZKR_OK)
        return r;
    if ((r = statement_prepare(reg, schema_ref, program_ref, model_ref, dataset_ref, params,
                               n_params, public_output, public_output_len, out, d)) != ZKR_OK)
        goto out;
    r = find_existing(reg, out->statement_id, &existing, d);
    if (r == ZKR_OK) {
        out->existed = 1;
        out->id = existing;
        goto out;
    }
    if (r != ZKR_ERR_NOT_FOUND)
        goto out;
    out->created = zkr_registry_now();
    if ((r = zkr_registry_statement_insert_tx(reg, out, d)) != ZKR_OK ||
        (r = zkr_registry_commit(reg, d)) != ZKR_OK)
        goto out;
out:
    zkr_registry_rollback(reg);
    return r;
}

/* Decodes the canonical encoding into s (digests only; references unresolved). */
static zkr_err decode_canonical(const uint8_t *p, size_t len, zkr_statement *s)
{
    const uint8_t *b;
    size_t n;
    uint32_t np;
    zkr_dec dec;

    zkr_dec_init(&dec, p, len);
#define BYTES_EXACT(dst, want)                                                                   \
    do {                                                                                         \
        if (zkr_dec_bytes(&dec, ZKR_DIGEST_BYTES, &b, &n) != ZKR_OK || n != (want))             \
            return ZKR_ERR_MALFORMED;                                                            \
        memcpy((dst), b, n);                                                                     \
    } while (0)
#define BYTES_OPT(dst, flag)                                                                     \
    do {                                                                                         \
        if (zkr_dec_bytes(&dec, ZKR_DIGEST_BYTES, &b, &n) != ZKR_OK ||                          \
            (n != 0 && n != ZKR_DIGEST_BYTES))                                                   \
            return ZKR_ERR_MALFORMED;                                                            \
        memcpy((dst), b, n);                                                                     \
        (flag) = n != 0;                                                                         \
    } while (0)
    if (zkr_dec_bytes(&dec, ZKR_IDENT_MAX, &b, &n) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    memcpy(s->schema.name, b, n);
    s->schema.name[n] = '\0';
    if (strlen(s->schema.name) != n || zkr_dec_u64(&dec, &s->schema.version) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    BYTES_EXACT(s->schema.digest, ZKR_DIGEST_BYTES);
    BYTES_EXACT(s->program.sha256, ZKR_DIGEST_BYTES);
    BYTES_EXACT(s->model.sha256, ZKR_DIGEST_BYTES);
    BYTES_OPT(s->model.commitment, s->model.has_commitment);
    BYTES_EXACT(s->dataset.sha256, ZKR_DIGEST_BYTES);
    if (zkr_dec_u64(&dec, &s->dataset.record_count) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    BYTES_EXACT(s->dataset.records_root, ZKR_DIGEST_BYTES);
    BYTES_OPT(s->dataset.commitment, s->dataset.has_commitment);
    if (zkr_dec_u32(&dec, &np) != ZKR_OK || np > ZKR_SCHEMA_MAX_FIELDS)
        return ZKR_ERR_MALFORMED;
    for (uint32_t i = 0; i < np; i++) {
        zkr_param *pp = &s->params[i];
        char type[ZKR_IDENT_MAX + 1];
        int t;
        if (zkr_dec_bytes(&dec, ZKR_IDENT_MAX, &b, &n) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        memcpy(pp->name, b, n);
        pp->name[n] = '\0';
        /* Canonical: names strictly increasing (schema field order), so one
         * statement has one encoding and one statement_id. */
        if (strlen(pp->name) != n || (i > 0 && strcmp(s->params[i - 1].name, pp->name) >= 0) ||
            zkr_dec_bytes(&dec, ZKR_IDENT_MAX, &b, &n) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        memcpy(type, b, n);
        type[n] = '\0';
        /* A NUL inside would let "u64\0junk" name the type "u64": two encodings of one claim. */
        if (strlen(type) != n)
            return ZKR_ERR_MALFORMED;
        for (t = ZKR_PARAM_U64; t <= ZKR_PARAM_U64_LIST; t++)
            if (strcmp(type, zkr_param_type_name((zkr_param_type)t)) == 0)
                break;
        if (t > ZKR_PARAM_U64_LIST || zkr_dec_bytes(&dec, ZKR_PARAM_MAX_BYTES, &b, &n) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        pp->type = (zkr_param_type)t;
        if ((pp->value = malloc(n ? n : 1)) == NULL)
            return ZKR_ERR_NOMEM;
        memcpy(pp->value, b, n);
        pp->value_len = n;
        if (value_text(pp) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        s->n_params = i + 1;
    }
    BYTES_OPT(s->public_output_sha256, s->has_public_output);
#undef BYTES_EXACT
#undef BYTES_OPT
    return zkr_dec_finish(&dec);
}

/*
 * The decoded digests must be exactly those of the resolved objects, and
 * the parameters exactly the schema's fields with their types.
 */
static zkr_err check_decoded(const zkr_statement *dec, const zkr_statement *s)
{
    if (strcmp(dec->schema.name, s->schema.name) != 0 || dec->schema.version != s->schema.version ||
        memcmp(dec->schema.digest, s->schema.digest, 32) != 0 ||
        memcmp(dec->program.sha256, s->program.sha256, 32) != 0 ||
        memcmp(dec->model.sha256, s->model.sha256, 32) != 0 ||
        dec->model.has_commitment != s->model.has_commitment ||
        (s->model.has_commitment && memcmp(dec->model.commitment, s->model.commitment, 32) != 0) ||
        memcmp(dec->dataset.sha256, s->dataset.sha256, 32) != 0 ||
        dec->dataset.record_count != s->dataset.record_count ||
        memcmp(dec->dataset.records_root, s->dataset.records_root, 32) != 0 ||
        dec->dataset.has_commitment != s->dataset.has_commitment ||
        (s->dataset.has_commitment &&
         memcmp(dec->dataset.commitment, s->dataset.commitment, 32) != 0) ||
        dec->n_params != s->schema.n_fields)
        return ZKR_ERR_MALFORMED;
    for (size_t i = 0; i < dec->n_params; i++)
        if (strcmp(dec->params[i].name, s->schema.fields[i].name) != 0 ||
            dec->params[i].type != s->schema.fields[i].type)
            return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

/* Moves decoded params and public-output digest into s. */
static void take_params(zkr_statement *dec, zkr_statement *s)
{
    memcpy(s->params, dec->params, sizeof s->params);
    s->n_params = dec->n_params;
    memset(dec->params, 0, sizeof dec->params);
    s->has_public_output = dec->has_public_output;
    memcpy(s->public_output_sha256, dec->public_output_sha256, ZKR_DIGEST_BYTES);
}

static zkr_err resolve_decoded(zkr_registry *reg, zkr_statement *dec, zkr_statement *s,
                               zkr_diag *d)
{
    char hex[65];
    zkr_err r;

    if ((r = zkr_registry_schema_find_digest(reg, dec->schema.digest, &s->schema)) != ZKR_OK) {
        zkr_registry_hex(dec->schema.digest, 32, hex, sizeof hex);
        return zkr_fail(d, r, "statement references schema %s@%llu (digest %s), not held",
                        dec->schema.name, (unsigned long long)dec->schema.version, hex);
    }
    if ((r = zkr_registry_artifact_find(reg, ZKR_KIND_PROGRAM, dec->program.sha256, NULL,
                                        &s->program)) != ZKR_OK ||
        (r = zkr_registry_artifact_find(reg, ZKR_KIND_MODEL, dec->model.sha256,
                                        dec->program.sha256, &s->model)) != ZKR_OK ||
        (r = zkr_registry_artifact_find(reg, ZKR_KIND_DATASET, dec->dataset.sha256, NULL,
                                        &s->dataset)) != ZKR_OK)
        return zkr_fail(d, r, "statement references a program, model or dataset not held");
    return ZKR_OK;
}

zkr_err zkr_registry_statement_from_event(zkr_registry *reg, const uint8_t *p, size_t len,
                                          zkr_statement *out, zkr_diag *d)
{
    zkr_statement dec;
    const uint8_t *canon, *po;
    size_t canon_len, po_len;
    zkr_dec dd;
    zkr_err r;

    memset(out, 0, sizeof *out);
    memset(&dec, 0, sizeof dec);
    zkr_dec_init(&dd, p, len);
    if (zkr_dec_bytes(&dd, ZKR_LOG_PAYLOAD_MAX, &canon, &canon_len) != ZKR_OK ||
        zkr_dec_bytes(&dd, ZKR_PUBLIC_OUTPUT_MAX, &po, &po_len) != ZKR_OK ||
        zkr_dec_finish(&dd) != ZKR_OK || decode_canonical(canon, canon_len, &dec) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "statement event does not decode");
        goto out;
    }
    if ((r = resolve_decoded(reg, &dec, out, d)) != ZKR_OK)
        goto out;
    /* An imported statement meets the rule a local registration does (bind_refs). */
    if (check_dataset_version(out, NULL) != ZKR_OK) {
        char hex[65];
        zkr_registry_hex(out->dataset.sha256, 32, hex, sizeof hex);
        r = zkr_fail(d, ZKR_ERR_MALFORMED,
                     "statement event binds dataset %s (commitment version %d) to proof kind %s, "
                     "which needs a version %d dataset",
                     hex, zkr_registry_dataset_version(&out->dataset), out->schema.proof_kind,
                     zkr_registry_kind_dataset_version(out->schema.proof_kind));
        goto out;
    }
    if (check_model_privacy(out, NULL) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED,
                     "statement event binds a %s model to proof kind %s, which needs a %s one",
                     zkr_registry_model_private(&out->model) ? "private" : "public",
                     out->schema.proof_kind,
                     zkr_registry_model_private(&out->model) ? "public" : "private");
        goto out;
    }
    if (check_decoded(&dec, out) != ZKR_OK || out->model.program_id != out->program.id ||
        (dec.has_public_output != zkr_registry_schema_binds_output(&out->schema)) ||
        (zkr_registry_schema_output_hidden(&out->schema) &&
         po_len != ZKR_OUTPUT_COMMIT_BYTES)) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "statement event does not match its schema or objects");
        goto out;
    }
    take_params(&dec, out);
    /* The kind's field rules too (a local registration's check_kind_params). */
    if (check_kind_params(out, NULL) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "statement event: proof kind %s's field rules refuse "
                     "it (a record named twice in record_indices, or a hidden graph-inference@2 "
                     "output)", out->schema.proof_kind);
        goto out;
    }
    if (out->has_public_output) {
        uint8_t h[ZKR_DIGEST_BYTES];
        zkr_sha256(po, po_len, h);
        if (memcmp(h, out->public_output_sha256, 32) != 0) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "statement event: public output digest differs");
            goto out;
        }
        if ((r = zkr_buf_append(&out->public_output, po, po_len)) != ZKR_OK)
            goto out;
    } else if (po_len != 0) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "statement event: public output without a digest");
        goto out;
    }
    if ((r = finish_id(out)) != ZKR_OK)
        goto out;
    /* Re-encoding must give back exactly the bytes received. */
    if (out->canonical.len != canon_len || memcmp(out->canonical.p, canon, canon_len) != 0)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "statement event is not in canonical form");
out:
    zkr_statement_free(&dec);
    return r;
}

static zkr_err load_row(zkr_registry *reg, sqlite3_stmt *st, zkr_statement *s, zkr_diag *d)
{
    zkr_statement dec;
    const void *canon = sqlite3_column_blob(st, 7);
    size_t canon_len = (size_t)sqlite3_column_bytes(st, 7);
    int64_t id = sqlite3_column_int64(st, 0);
    zkr_err r;

    memset(&dec, 0, sizeof dec);
    s->id = id;
    if ((r = zkr_registry_col_digest(st, 1, s->statement_id)) != ZKR_OK)
        goto corrupt;
    if ((r = zkr_registry_artifact_by_id(reg, sqlite3_column_int64(st, 3), &s->program, d)) != ZKR_OK ||
        (r = zkr_registry_artifact_by_id(reg, sqlite3_column_int64(st, 4), &s->model, d)) != ZKR_OK ||
        (r = zkr_registry_artifact_by_id(reg, sqlite3_column_int64(st, 5), &s->dataset, d)) != ZKR_OK)
        goto corrupt;
    {
        char ref[24];
        snprintf(ref, sizeof ref, "%lld", (long long)sqlite3_column_int64(st, 2));
        if ((r = zkr_registry_schema_get(reg, ref, &s->schema, d)) != ZKR_OK)
            goto corrupt;
    }
    if (canon == NULL || decode_canonical(canon, canon_len, &dec) != ZKR_OK ||
        check_decoded(&dec, s) != ZKR_OK)
        goto corrupt;
    take_params(&dec, s);
    if (sqlite3_column_type(st, 6) != SQLITE_NULL &&
        (r = zkr_buf_append(&s->public_output, sqlite3_column_blob(st, 6),
                            (size_t)sqlite3_column_bytes(st, 6))) != ZKR_OK)
        goto out;
    if ((r = zkr_buf_append(&s->canonical, canon, canon_len)) != ZKR_OK)
        goto out;
    /* The column is not covered by statement_id; the digest in the canonical encoding is. */
    if ((sqlite3_column_type(st, 6) != SQLITE_NULL) != s->has_public_output) {
        r = zkr_fail(d, ZKR_ERR_REGISTRY,
                     "%s: statement row %lld: public_output is %s, but its canonical encoding "
                     "binds %s",
                     reg->path, (long long)id, s->has_public_output ? "NULL" : "set",
                     s->has_public_output ? "an output digest" : "no public output");
        goto out;
    }
    if (s->has_public_output) {
        uint8_t h[ZKR_DIGEST_BYTES];
        zkr_sha256(s->public_output.p, s->public_output.len, h);
        if (memcmp(h, s->public_output_sha256, ZKR_DIGEST_BYTES) != 0) {
            r = zkr_fail(d, ZKR_ERR_REGISTRY,
                         "%s: statement row %lld: public_output does not hash to the output "
                         "digest its canonical encoding (statement_id) binds",
                         reg->path, (long long)id);
            goto out;
        }
    }
    {
        uint8_t sid[ZKR_DIGEST_BYTES];
        zkr_sha256_tagged(STATEMENT_TAG, canon, canon_len, sid);
        if (memcmp(sid, s->statement_id, 32) != 0)
            goto corrupt;
    }
    s->created = sqlite3_column_int64(st, 8);
    s->log_index = (uint64_t)sqlite3_column_int64(st, 9);
    r = ZKR_OK;
    goto out;
corrupt:
    r = zkr_fail(d, ZKR_ERR_REGISTRY, "%s: statement row %lld is corrupt", reg->path,
                 (long long)id);
out:
    zkr_statement_free(&dec);
    return r;
}

zkr_err zkr_registry_statement_get(zkr_registry *reg, const char *ref, zkr_statement *out,
                                   zkr_diag *d)
{
    sqlite3_stmt *st = NULL;
    zkr_ref rf;
    zkr_err r;
    int rc;

    memset(out, 0, sizeof *out);
    if ((r = zkr_registry_parse_ref("statement", ref, &rf, d)) != ZKR_OK)
        return r;
    if ((r = zkr_registry_prepare(reg,
                                  "SELECT id, statement_id, schema_id, program_id, model_id,"
                                  " dataset_id, public_output, canonical, created, log_index"
                                  " FROM statement WHERE id = ?1 OR statement_id = ?2",
                                  &st, d)) != ZKR_OK)
        return r;
    if (rf.is_id)
        sqlite3_bind_int64(st, 1, rf.id);
    else
        sqlite3_bind_blob(st, 2, rf.digest, ZKR_DIGEST_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        r = load_row(reg, st, out, d);
    else if (rc == SQLITE_DONE)
        r = zkr_fail(d, ZKR_ERR_NOT_FOUND, "statement %s not found in %s", ref, reg->path);
    else
        r = zkr_registry_sql_err(reg, rc, "reading statements", d);
    sqlite3_finalize(st);
    if (r != ZKR_OK)
        zkr_statement_free(out); /* a row refused half-way: nothing handed out, nothing leaked */
    return r;
}

zkr_err zkr_registry_statement_list(zkr_registry *reg, uint8_t (**out)[ZKR_DIGEST_BYTES],
                                    int64_t **ids, size_t *n)
{
    sqlite3_stmt *st = NULL;
    uint8_t(*v)[ZKR_DIGEST_BYTES] = NULL;
    int64_t *iv = NULL;
    size_t cap = 0, icap = 0, len = 0;
    zkr_err r;
    int rc;

    *out = NULL;
    *ids = NULL;
    *n = 0;
    if ((r = zkr_registry_prepare(reg, "SELECT id, statement_id FROM statement ORDER BY id", &st,
                                  NULL)) != ZKR_OK)
        return r;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((r = zkr_registry_grow((void **)&v, &cap, len, sizeof *v)) != ZKR_OK ||
            (r = zkr_registry_grow((void **)&iv, &icap, len, sizeof *iv)) != ZKR_OK)
            goto out;
        iv[len] = sqlite3_column_int64(st, 0);
        if ((r = zkr_registry_col_digest(st, 1, v[len])) != ZKR_OK)
            goto out;
        len++;
    }
    if (rc != SQLITE_DONE) {
        r = zkr_registry_sql_err(reg, rc, "listing statements", NULL);
        goto out;
    }
    *out = v;
    *ids = iv;
    *n = len;
    v = NULL;
    iv = NULL;
out:
    free(v);
    free(iv);
    sqlite3_finalize(st);
    return r;
}

zkr_err zkr_statement_decode_canonical(const uint8_t *p, size_t len, zkr_statement *out)
{
    zkr_err r;

    memset(out, 0, sizeof *out);
    r = decode_canonical(p, len, out);
    if (r != ZKR_OK)
        zkr_statement_free(out);
    return r;
}
