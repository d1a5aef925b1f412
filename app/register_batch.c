/*
 * register-batch (app/register.h): many registrations from a JSON-lines
 * file in one write transaction. Each line is registered by the same
 * function as its single command (zkr_app_register_*), so a batch accepts
 * and refuses exactly what the single commands do; the one transaction
 * makes it all or nothing and pays one fsync instead of one per
 * registration. docs/cli.md has the record format.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app/register.h"
#include "app/store.h"

#define ZKR_BATCH_MAX_BYTES ((size_t)256 << 20)
#define ZKR_BATCH_MAX_LINES 1000000u

typedef zkr_app_batch_kind rec_type;
#define REC_PROGRAM ZKR_APP_BATCH_PROGRAM
#define REC_MODEL ZKR_APP_BATCH_MODEL
#define REC_DATASET ZKR_APP_BATCH_DATASET
#define REC_SCHEMA ZKR_APP_BATCH_SCHEMA
#define REC_STATEMENT ZKR_APP_BATCH_STATEMENT

static const char *const rec_names[] = {"program", "model", "dataset", "schema", "statement"};

const char *zkr_app_batch_kind_name(zkr_app_batch_kind k)
{
    return (unsigned)k <= REC_STATEMENT ? rec_names[k] : "?";
}

typedef zkr_app_batch_result batch_result;
typedef zkr_app_batch batch;

/* A statement's params, as KEY=VALUE text the single command would take. */
typedef struct {
    zkr_kv kv[ZKR_SCHEMA_MAX_FIELDS + 1];
    zkr_buf text[ZKR_SCHEMA_MAX_FIELDS + 1];
    size_t n;
} batch_params;

static void params_free(batch_params *bp)
{
    for (size_t i = 0; i < bp->n; i++)
        zkr_buf_free(&bp->text[i]);
    bp->n = 0;
}

static zkr_err field_fail(zkr_app *app, const char *field, const char *what)
{
    return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "field '%s': %s", field, what);
}

/* Only the fields of the record's type are allowed (a typo must not be ignored). */
static zkr_err check_fields(zkr_app *app, json_t *o, rec_type t)
{
    static const char *const allowed[][8] = {
        [REC_PROGRAM] = {"type", "file", "name", NULL},
        [REC_MODEL] = {"type", "file", "program", "name", "calibrate", NULL},
        [REC_DATASET] = {"type", "file", "name", NULL},
        [REC_SCHEMA] = {"type", "file", NULL},
        [REC_STATEMENT] = {"type", "schema", "program", "model", "dataset", "params",
                           "public_output", NULL},
    };
    const char *key;
    json_t *v;

    json_object_foreach(o, key, v) {
        int ok = 0;
        (void)v;
        for (size_t i = 0; allowed[t][i] != NULL && !ok; i++)
            ok = strcmp(allowed[t][i], key) == 0;
        if (!ok)
            return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                            "field '%s': not a field of a %s record", key, rec_names[t]);
    }
    return ZKR_OK;
}

/* A string field; NULL when absent and optional. */
static zkr_err str_field(zkr_app *app, json_t *o, const char *field, int required,
                         const char **out)
{
    json_t *v = json_object_get(o, field);

    *out = NULL;
    if (v == NULL)
        return required ? field_fail(app, field, "missing") : ZKR_OK;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return field_fail(app, field, "expected a non-empty string");
    *out = json_string_value(v);
    return ZKR_OK;
}

/*
 * A reference field: a string as the single command takes it, an integer
 * row id, or "@N" (line N of this batch, which registered an object of
 * `kind`). The resolved text goes to buf[24] when it is not the string itself.
 */
static zkr_err ref_field(zkr_app *app, const batch *b, json_t *o, const char *field,
                         rec_type kind, uint64_t line, char buf[24], const char **out)
{
    json_t *v = json_object_get(o, field);
    const char *s;
    char *end = NULL;
    unsigned long long n;

    *out = NULL;
    if (v == NULL)
        return field_fail(app, field, "missing");
    if (json_is_integer(v)) {
        if (json_integer_value(v) <= 0)
            return field_fail(app, field, "a row id is a positive integer");
        snprintf(buf, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = buf;
        return ZKR_OK;
    }
    if (!json_is_string(v) || json_string_length(v) == 0)
        return field_fail(app, field, "expected a reference (string or row id)");
    s = json_string_value(v);
    if (s[0] != '@') {
        *out = s;
        return ZKR_OK;
    }
    n = (s[1] >= '1' && s[1] <= '9') ? strtoull(s + 1, &end, 10) : 0;
    if (end == NULL || *end != '\0' || n == 0 || n >= line)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "field '%s': '%s' must name an earlier line (@1 .. @%llu)", field, s,
                        (unsigned long long)(line - 1));
    for (size_t i = 0; i < b->n; i++) {
        if (b->res[i].line != n)
            continue;
        if (b->res[i].type != kind)
            return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                            "field '%s': line %llu registered a %s, not a %s", field, n,
                            rec_names[b->res[i].type], rec_names[kind]);
        snprintf(buf, 24, "%lld", (long long)b->res[i].id);
        *out = buf;
        return ZKR_OK;
    }
    return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "field '%s': line %llu has no record", field, n);
}

/* One param value rendered as the text `--param KEY=VALUE` would carry. */
static zkr_err param_text(zkr_app *app, const char *key, json_t *v, zkr_buf *out)
{
    size_t i;
    json_t *e;

    /* zkr_buf_printf and zkr_buf_terminate leave the text NUL-terminated. */
    if (json_is_string(v)) {
        zkr_err r = zkr_buf_append(out, json_string_value(v), json_string_length(v));
        return r == ZKR_OK ? zkr_buf_terminate(out) : r;
    }
    if (json_is_integer(v))
        return zkr_buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    if (!json_is_array(v) || json_array_size(v) == 0)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "field 'params.%s': expected a string, an integer or an array of "
                        "integers", key);
    json_array_foreach(v, i, e) {
        zkr_err r;
        if (!json_is_integer(e) || json_integer_value(e) < 0)
            return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                            "field 'params.%s': entry %zu is not a non-negative integer", key,
                            i + 1);
        if ((r = zkr_buf_printf(out, "%s%" JSON_INTEGER_FORMAT, i ? "," : "",
                                json_integer_value(e))) != ZKR_OK)
            return r;
    }
    return ZKR_OK;
}

static zkr_err params_field(zkr_app *app, json_t *o, batch_params *bp)
{
    json_t *p = json_object_get(o, "params"), *v;
    const char *key;
    zkr_err r;

    if (p == NULL)
        return ZKR_OK;
    if (!json_is_object(p))
        return field_fail(app, "params", "expected an object of KEY: VALUE");
    json_object_foreach(p, key, v) {
        if (bp->n == ZKR_SCHEMA_MAX_FIELDS + 1)
            return zkr_fail(&app->diag, ZKR_ERR_TOO_LARGE, "field 'params': more than %d given",
                            ZKR_SCHEMA_MAX_FIELDS);
        memset(&bp->text[bp->n], 0, sizeof bp->text[bp->n]);
        bp->n++;
        if ((r = param_text(app, key, v, &bp->text[bp->n - 1])) != ZKR_OK)
            return r;
        bp->kv[bp->n - 1].key = key;
        bp->kv[bp->n - 1].value = (const char *)bp->text[bp->n - 1].p;
    }
    return ZKR_OK;
}

static zkr_err result_push(batch *b, const batch_result *res)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        batch_result *p = realloc(b->res, cap * sizeof *p);
        if (p == NULL)
            return ZKR_ERR_NOMEM;
        b->res = p;
        b->cap = cap;
    }
    b->res[b->n++] = *res;
    if (!res->existed)
        b->n_new++;
    return ZKR_OK;
}

static zkr_err push_artifact(batch *b, uint64_t line, rec_type t, const zkr_artifact *a)
{
    batch_result res = {line, t, a->existed, a->id, a->version, {0}, strdup(a->name)};
    zkr_err r;

    if (res.name == NULL)
        return ZKR_ERR_NOMEM;
    memcpy(res.digest, a->sha256, ZKR_DIGEST_BYTES);
    if ((r = result_push(b, &res)) != ZKR_OK)
        free(res.name);
    return r;
}

static zkr_err add_statement(zkr_app *app, zkr_registry *reg, batch *b, json_t *o,
                             uint64_t line)
{
    const char *schema, *prog, *model, *ds, *po;
    char bs[24], bp_[24], bm[24], bd[24];
    batch_params bp = {.n = 0};
    zkr_statement st;
    zkr_err r;

    memset(&st, 0, sizeof st);
    if ((r = ref_field(app, b, o, "schema", REC_SCHEMA, line, bs, &schema)) != ZKR_OK ||
        (r = ref_field(app, b, o, "program", REC_PROGRAM, line, bp_, &prog)) != ZKR_OK ||
        (r = ref_field(app, b, o, "model", REC_MODEL, line, bm, &model)) != ZKR_OK ||
        (r = ref_field(app, b, o, "dataset", REC_DATASET, line, bd, &ds)) != ZKR_OK ||
        (r = str_field(app, o, "public_output", 0, &po)) != ZKR_OK ||
        (r = params_field(app, o, &bp)) != ZKR_OK ||
        (r = zkr_app_register_statement(app, reg, schema, prog, model, ds, bp.kv, bp.n, po, &st)) !=
            ZKR_OK)
        goto out;
    {
        batch_result res = {line, REC_STATEMENT, st.existed, st.id, 0, {0}, NULL};
        memcpy(res.digest, st.statement_id, ZKR_DIGEST_BYTES);
        r = result_push(b, &res);
    }
out:
    params_free(&bp);
    zkr_statement_free(&st);
    return r;
}

static zkr_err add_record(zkr_app *app, zkr_registry *reg, batch *b, json_t *o, uint64_t line)
{
    const char *type, *file = NULL, *name = NULL, *prog = NULL, *calib = NULL;
    char buf[24];
    rec_type t;
    zkr_artifact a;
    zkr_schema s;
    zkr_err r;

    if (!json_is_object(o))
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "not a JSON object");
    if ((r = str_field(app, o, "type", 1, &type)) != ZKR_OK)
        return r;
    for (t = REC_PROGRAM; t <= REC_STATEMENT; t++)
        if (strcmp(type, rec_names[t]) == 0)
            break;
    if (t > REC_STATEMENT)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "field 'type': '%s' is not program, model, dataset, schema or statement",
                        type);
    if ((r = check_fields(app, o, t)) != ZKR_OK)
        return r;
    if (t == REC_STATEMENT)
        return add_statement(app, reg, b, o, line);
    if ((r = str_field(app, o, "file", 1, &file)) != ZKR_OK ||
        (r = str_field(app, o, "name", 0, &name)) != ZKR_OK ||
        (r = str_field(app, o, "calibrate", 0, &calib)) != ZKR_OK ||
        (t == REC_MODEL && (r = ref_field(app, b, o, "program", REC_PROGRAM, line, buf, &prog)) !=
                               ZKR_OK))
        return r;
    switch (t) {
    case REC_PROGRAM: r = zkr_app_register_program(app, reg, file, name, &a); break;
    case REC_MODEL: r = zkr_app_register_model(app, reg, file, name, prog, calib, &a); break;
    case REC_DATASET: r = zkr_app_register_dataset(app, reg, file, name, NULL, &a); break;
    default: {
        batch_result res = {line, REC_SCHEMA, 0, 0, 0, {0}, NULL};
        if ((r = zkr_app_register_schema(app, reg, file, &s)) != ZKR_OK)
            return r;
        res.existed = s.existed;
        res.id = s.id;
        res.version = s.version;
        memcpy(res.digest, s.digest, ZKR_DIGEST_BYTES);
        if ((res.name = strdup(s.name)) == NULL)
            return ZKR_ERR_NOMEM;
        if ((r = result_push(b, &res)) != ZKR_OK)
            free(res.name);
        return r;
    }
    }
    return r == ZKR_OK ? push_artifact(b, line, t, &a) : r;
}

/* Names the line (and its type when known) in front of the diagnostic. */
static zkr_err line_fail(zkr_app *app, uint64_t line, zkr_err r)
{
    char msg[sizeof app->diag.msg];

    memcpy(msg, app->diag.msg[0] ? app->diag.msg : zkr_strerror(r), sizeof msg);
    msg[sizeof msg - 1] = '\0';
    zkr_diag_clear(&app->diag);
    (void)zkr_fail(&app->diag, r, "line %llu: %s", (unsigned long long)line, msg);
    return r;
}

/* Registers every line of `doc` inside the caller's write transaction. */
static zkr_err add_lines(zkr_app *app, zkr_registry *reg, const zkr_buf *doc, zkr_progress *pg,
                         batch *b)
{
    const char *p = (const char *)doc->p, *end = p + doc->len;
    uint64_t line = 0, total = 0;
    zkr_err r = ZKR_OK;

    for (size_t i = 0; i < doc->len; i++)
        total += doc->p[i] == '\n';
    total += doc->len > 0 && doc->p[doc->len - 1] != '\n';
    zkr_progress_phase(pg, "registering line", total);
    while (p < end && r == ZKR_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_error_t je;
        json_t *o;

        if (++line > ZKR_BATCH_MAX_LINES) {
            r = zkr_fail(&app->diag, ZKR_ERR_TOO_LARGE, "more than %u lines",
                         ZKR_BATCH_MAX_LINES);
            break;
        }
        zkr_progress_step(pg, line);
        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (len == 0) {
            p = nl ? nl + 1 : end;
            continue;
        }
        o = json_loadb(p, len, JSON_REJECT_DUPLICATES, &je);
        if (o == NULL)
            r = zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "not JSON: %s (column %d)", je.text,
                         je.column);
        else
            r = add_record(app, reg, b, o, line);
        json_decref(o);
        if (r != ZKR_OK)
            r = line_fail(app, line, r);
        p = nl ? nl + 1 : end;
    }
    zkr_progress_end(pg);
    return r;
}

zkr_err zkr_app_register_batch(zkr_app *app, const char *file, zkr_progress *pg,
                               zkr_app_batch *out)
{
    zkr_registry *reg = NULL;
    zkr_buf doc = {0};
    zkr_app_store_undo u;
    int own = 0;
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_file_read(file, ZKR_BATCH_MAX_BYTES, &doc, &app->diag)) != ZKR_OK ||
        (r = zkr_app_registry_open(app, &reg)) != ZKR_OK)
        goto out;
    /* One write lock for the whole batch: every line's checks and writes, then one commit. */
    if ((r = zkr_registry_write_begin(reg, &app->diag)) != ZKR_OK)
        goto out;
    /*
     * The store files the lines write (models, .gpcs, programs, dataset
     * paths) are recorded: a batch that does not commit removes those it
     * created and gives back the old bytes of those it replaced.
     */
    own = zkr_app_store_undo_begin(app, &u);
    if ((r = add_lines(app, reg, &doc, pg, out)) != ZKR_OK) {
        zkr_registry_end(reg);
        goto out;
    }
    r = zkr_registry_write_commit(reg, &app->diag);
out:
    zkr_app_store_undo_end(app, &u, own, r == ZKR_OK);
    if (r != ZKR_OK)
        zkr_app_batch_free(out); /* nothing was registered: nothing to report */
    zkr_buf_free(&doc);
    zkr_registry_close(reg);
    return r;
}

void zkr_app_batch_free(zkr_app_batch *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; i < b->n; i++)
        free(b->res[i].name);
    free(b->res);
    memset(b, 0, sizeof *b);
}
