/*
 * register-statement --public-output-from-model: the public output a
 * statement binds, computed natively from the registered model, program
 * and dataset (docs/cli.md). The model bytes come from the store and the
 * dataset from its remembered file, each checked against its registered
 * sha256 before anything runs on them; the result is what `zkreg infer
 * --output-file` / `zkreg eval --output-file` write for the same inputs.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/geval.h"
#include "app/ginfer.h"
#include "app/register.h"
#include "app/store.h"
#include "ml/ml.h"
#include "zk/infer_batch.h"
#include "zk/zk.h"

/* The kinds whose output is computed here. */
enum { OUT_INFER, OUT_EVAL, OUT_BATCH, OUT_GEVAL };

/* The statement parameters that select the records, as text from --param. */
typedef struct {
    uint64_t index;        /* inference@1: record_index */
    uint64_t first, count; /* evaluation@1, inference-batch@1: record_first, record_count */
    int has_index, has_count;
} out_params;

static zkr_err out_param(zkr_app *app, const zkr_kv *kv, size_t nkv, const char *name,
                         uint64_t *v, int *found)
{
    *found = 0;
    for (size_t i = 0; i < nkv; i++) {
        if (strcmp(kv[i].key, name) != 0)
            continue;
        if (*found)
            return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "--param %s given twice", name);
        if (zkr_app_parse_u64(app, name, kv[i].value, v) != ZKR_OK)
            return ZKR_ERR_MALFORMED; /* the parser named it */
        *found = 1;
    }
    return ZKR_OK;
}

/* Each bound artifact must be unrevoked before its bytes are run. */
static zkr_err out_revoked(zkr_app *app, zkr_registry *reg, const zkr_schema *sc,
                           const zkr_artifact *p, const zkr_artifact *m, const zkr_artifact *ds)
{
    zkr_err r;

    if ((r = zkr_registry_check_revoked(reg, ZKR_KIND_SCHEMA, sc->digest, NULL, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, p->sha256, NULL, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, m->sha256, NULL, &app->diag)) !=
            ZKR_OK)
        return r;
    return zkr_registry_check_revoked(reg, ZKR_KIND_DATASET, ds->sha256, NULL, &app->diag);
}

/* The stored model bytes, checked against the registered sha256 (into b). */
static zkr_err out_model_bytes(zkr_app *app, const zkr_artifact *a, zkr_buf *b);

/* The stored model bytes, checked against the registered sha256, decoded. */
static zkr_err out_model(zkr_app *app, const zkr_artifact *a, zkr_ml_model **m)
{
    zkr_buf b = {0};
    zkr_err r;

    if ((r = out_model_bytes(app, a, &b)) == ZKR_OK)
        r = zkr_ml_model_decode(b.p, b.len, m, &app->diag);
    zkr_buf_free(&b);
    return r;
}

static zkr_err out_model_bytes(zkr_app *app, const zkr_artifact *a, zkr_buf *b)
{
    char path[4096];
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    if ((r = zkr_app_store_path(app, "models", a->sha256, "", path, sizeof path)) != ZKR_OK)
        return r;
    if ((r = zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, b, &app->diag)) != ZKR_OK) {
        if (r == ZKR_ERR_NOT_FOUND)
            r = zkr_fail(&app->diag, r,
                         "model %lld: its bytes are not in the store beside this registry, so "
                         "no output can be computed from it",
                         (long long)a->id);
        return r;
    }
    zkr_sha256(b->p, b->len, sha);
    if (sodium_memcmp(sha, a->sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "%s: stored bytes differ from model %lld's registered sha256", path,
                        (long long)a->id);
    return ZKR_OK;
}

/* The dataset's remembered file, checked against the registered sha256. */
static zkr_err out_dataset(zkr_app *app, const zkr_artifact *a, zkr_dataset **ds)
{
    char path[4096];
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_buf stored = {0};
    zkr_err r;

    if ((r = zkr_app_store_path(app, "datasets", a->sha256, ".path", path, sizeof path)) != ZKR_OK)
        return r;
    if (zkr_file_read(path, sizeof path - 1, &stored, &app->diag) != ZKR_OK) {
        zkr_diag_clear(&app->diag);
        return zkr_fail(&app->diag, ZKR_ERR_NOT_FOUND,
                        "dataset %lld: its file is not known beside this registry (register it "
                        "here, or give --public-output FILE)",
                        (long long)a->id);
    }
    memcpy(path, stored.p, stored.len);
    path[stored.len] = '\0';
    zkr_buf_free(&stored);
    if ((r = zkr_dataset_open(path, ds, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_dataset_digest(*ds, sha, NULL)) != ZKR_OK)
        return r;
    if (sodium_memcmp(sha, a->sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: contents differ from dataset %lld's registered sha256", path,
                        (long long)a->id);
    return ZKR_OK;
}

static zkr_err out_inference(zkr_app *app, const zkr_ml_model *m, const zkr_dataset *ds,
                             const out_params *op, zkr_buf *out, char *line, size_t line_len)
{
    zkr_ml_trace t = {0};
    const zkr_ml_graph *g = zkr_ml_model_graph(m);
    const uint8_t *x;
    uint8_t label;
    zkr_err r;

    if ((r = zkr_ml_record_input(ds, op->index, g->input_dim, &x, &label, &app->diag)) != ZKR_OK ||
        (r = zkr_ml_trace_init(&t, g)) != ZKR_OK ||
        (r = zkr_ml_infer(m, x, g->input_dim, &t, &app->diag)) != ZKR_OK ||
        (r = zkr_infer_output_encode(t.y[t.n_layers - 1], t.dims[t.n_layers - 1], out)) != ZKR_OK)
        goto out;
    snprintf(line, line_len, "record %llu: argmax %u (label %u), %u logits",
             (unsigned long long)op->index, (unsigned)t.argmax, (unsigned)label,
             (unsigned)t.dims[t.n_layers - 1]);
out:
    zkr_ml_trace_free(&t);
    return r;
}

/* graph-inference@1: the graph model's int8 output on the record (zkreg infer's bytes). */
static zkr_err out_graph(zkr_app *app, const zkr_artifact *a, const zkr_dataset *ds,
                         const out_params *op, zkr_buf *out, char *line, size_t line_len)
{
    zkr_ml_gtrace t;
    zkr_ml_gmodel *gm = NULL;
    const zkr_ml_gprog *g;
    zkr_buf b = {0};
    const uint8_t *x;
    uint8_t label;
    uint32_t last;
    zkr_err r;

    memset(&t, 0, sizeof t);
    if ((r = out_model_bytes(app, a, &b)) != ZKR_OK ||
        (r = zkr_ml_gmodel_decode(b.p, b.len, &gm, &app->diag)) != ZKR_OK)
        goto out;
    g = zkr_ml_gmodel_prog(gm);
    last = g->n_nodes - 1;
    if ((r = zkr_ml_record_input(ds, op->index, zkr_ml_gprog_elems(g, 0), &x, &label,
                                 &app->diag)) != ZKR_OK ||
        (r = zkr_ml_gtrace_init(&t, g)) != ZKR_OK ||
        (r = zkr_ml_ginfer(gm, x, zkr_ml_gprog_elems(g, 0), &t, &app->diag)) != ZKR_OK ||
        (r = zkr_infer_output_encode(t.y[last], zkr_ml_gprog_elems(g, last), out)) != ZKR_OK)
        goto out;
    snprintf(line, line_len, "record %llu: argmax %u (label %u), %u logits",
             (unsigned long long)op->index, (unsigned)t.argmax, (unsigned)label,
             (unsigned)zkr_ml_gprog_elems(g, last));
out:
    zkr_ml_gtrace_free(&t);
    zkr_ml_gmodel_free(gm);
    zkr_buf_free(&b);
    return r;
}

/* The statement's record range (record_count absent: to the end), inside the dataset. */
static zkr_err out_range(zkr_app *app, const zkr_dataset *ds, const out_params *op,
                         uint64_t *count)
{
    uint64_t n = zkr_dataset_count(ds);

    if (op->has_count && op->count == 0)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "record_count 0: an empty range");
    *count = op->has_count ? op->count : (op->first < n ? n - op->first : 0);
    if (*count == 0 || op->first >= n || *count > n - op->first)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "records %llu..+%llu: the dataset has %llu records",
                        (unsigned long long)op->first, (unsigned long long)*count,
                        (unsigned long long)n);
    return ZKR_OK;
}

zkr_err zkr_app_batch_output(zkr_app *app, const zkr_ml_model *m, const zkr_dataset *ds,
                             uint64_t first, uint64_t count, zkr_buf *out)
{
    const zkr_ml_graph *g = zkr_ml_model_graph(m);
    zkr_ml_trace t = {0};
    uint32_t od = g->layers[g->n_layers - 1].out_dim;
    uint64_t n = zkr_dataset_count(ds);
    int8_t *y = NULL;
    zkr_err r;

    if (count == 0 || first >= n || count > n - first)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "records %llu..+%llu: the dataset has %llu records",
                        (unsigned long long)first, (unsigned long long)count,
                        (unsigned long long)n);
    if (count > (uint64_t)1 << ZKR_EVAL_MAX_LB ||
        count * od > ZKR_IBATCH_OUTPUT_MAX - ZKR_IBATCH_OUTPUT_HEADER)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "records %llu..+%llu of %u logits: over the %zu-byte batch output "
                        "(split the range)",
                        (unsigned long long)first, (unsigned long long)count, od,
                        ZKR_IBATCH_OUTPUT_MAX);
    if (!(y = malloc((size_t)count * od)))
        return ZKR_ERR_NOMEM;
    if ((r = zkr_ml_trace_init(&t, g)) != ZKR_OK)
        goto out;
    for (uint64_t b = 0; b < count; b++) {
        const uint8_t *x;
        uint8_t label;
        if ((r = zkr_ml_record_input(ds, first + b, g->input_dim, &x, &label, &app->diag)) !=
                ZKR_OK ||
            (r = zkr_ml_infer(m, x, g->input_dim, &t, &app->diag)) != ZKR_OK)
            goto out;
        memcpy(y + b * od, t.y[t.n_layers - 1], od);
    }
    r = zkr_ibatch_output_encode(first, count, od, y, out);
out:
    zkr_ml_trace_free(&t);
    free(y);
    return r;
}

/* Every record's logits over the statement's range (zkr_app_batch_output). */
static zkr_err out_batch(zkr_app *app, const zkr_ml_model *m, const zkr_dataset *ds,
                         const out_params *op, zkr_buf *out, char *line, size_t line_len)
{
    const zkr_ml_graph *g = zkr_ml_model_graph(m);
    uint64_t count = 0;
    zkr_err r;

    if ((r = out_range(app, ds, op, &count)) != ZKR_OK ||
        (r = zkr_app_batch_output(app, m, ds, op->first, count, out)) != ZKR_OK)
        return r;
    snprintf(line, line_len, "records %llu..%llu: %llu x %u logits (%zu bytes)",
             (unsigned long long)op->first, (unsigned long long)(op->first + count - 1),
             (unsigned long long)count, g->layers[g->n_layers - 1].out_dim, out->len);
    return ZKR_OK;
}

/* The evaluation output's bytes and its line, for a count computed over records first..+n. */
static zkr_err out_eval_encode(zkr_app *app, const zkr_app_output_opts *o, uint64_t first,
                               uint64_t n, uint64_t correct, zkr_buf *out, char *line,
                               size_t line_len)
{
    zkr_err r;

    if (o->has_threshold && correct < o->threshold)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "the model gets %llu of %llu right, below the threshold %llu: no "
                        "statement registered",
                        (unsigned long long)correct, (unsigned long long)n,
                        (unsigned long long)o->threshold);
    if ((r = zkr_eval_output_encode(o->has_threshold ? ZKR_EVAL_MODE_THRESHOLD
                                                     : ZKR_EVAL_MODE_EXACT,
                                    n, o->has_threshold ? o->threshold : correct, out)) != ZKR_OK)
        return zkr_fail(&app->diag, r, "evaluation output for %llu records does not encode",
                        (unsigned long long)n);
    if (o->has_threshold)
        snprintf(line, line_len, "correct >= %llu of %llu (records %llu..%llu; %llu correct, "
                 "not bound)", (unsigned long long)o->threshold, (unsigned long long)n,
                 (unsigned long long)first, (unsigned long long)(first + n - 1),
                 (unsigned long long)correct);
    else
        snprintf(line, line_len, "correct %llu of %llu (records %llu..%llu)",
                 (unsigned long long)correct, (unsigned long long)n, (unsigned long long)first,
                 (unsigned long long)(first + n - 1));
    return ZKR_OK;
}

static zkr_err out_evaluation(zkr_app *app, const zkr_ml_model *m, const zkr_dataset *ds,
                              const out_params *op, const zkr_app_output_opts *o, zkr_buf *out,
                              char *line, size_t line_len)
{
    uint64_t count = 0; /* -O3 cannot see out_range set it on success */
    zkr_ml_eval_result res;
    zkr_err r;

    if ((r = out_range(app, ds, op, &count)) != ZKR_OK)
        return r;
    if (o->has_threshold && o->threshold > count)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "--threshold %llu is above the range's %llu records",
                        (unsigned long long)o->threshold, (unsigned long long)count);
    if ((r = zkr_ml_eval(NULL, m, ds, op->first, count, &res, &app->diag)) != ZKR_OK)
        return r;
    return out_eval_encode(app, o, op->first, res.n, res.quant_correct, out, line, line_len);
}

/* evaluation-graph@1: the graph model's native count over the range (the prover's own). */
static zkr_err out_geval(zkr_app *app, const zkr_artifact *a, const zkr_dataset *ds,
                         const out_params *op, const zkr_app_output_opts *o, zkr_buf *out,
                         char *line, size_t line_len)
{
    zkr_buf b = {0};
    uint64_t count = 0, correct = 0;
    zkr_err r;

    if ((r = out_range(app, ds, op, &count)) != ZKR_OK)
        return r;
    if (o->has_threshold && o->threshold > count)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "--threshold %llu is above the range's %llu records",
                        (unsigned long long)o->threshold, (unsigned long long)count);
    if ((r = out_model_bytes(app, a, &b)) == ZKR_OK &&
        (r = zkr_app_geval_count(app, b.p, b.len, ds, op->first, count, &correct)) == ZKR_OK)
        r = out_eval_encode(app, o, op->first, count, correct, out, line, line_len);
    zkr_buf_free(&b);
    return r;
}

/*
 * The fields that select the records must be u64 as the prover reads them
 * (app/eval.c, app/attest.c): a range field of another type would let the
 * output be computed over records the statement does not name to the prover.
 */
static zkr_err out_field_types(zkr_app *app, const zkr_schema *sc, int eval)
{
    for (size_t i = 0; i < sc->n_fields; i++) {
        const char *n = sc->fields[i].name;
        int sel = eval ? strcmp(n, "record_first") == 0 || strcmp(n, "record_count") == 0
                       : strcmp(n, "record_index") == 0;
        if (sel && sc->fields[i].type != ZKR_PARAM_U64)
            return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                            "--public-output-from-model: schema %s@%llu's field '%s' is %s; "
                            "%s reads it as a u64",
                            sc->name, (unsigned long long)sc->version, n,
                            zkr_param_type_name(sc->fields[i].type), sc->proof_kind);
    }
    return ZKR_OK;
}

/* The schema's kind decides which output; everything else is refused by name. */
static zkr_err out_kind(zkr_app *app, const zkr_schema *sc, const zkr_app_output_opts *o,
                        int *kind)
{
    if (!sc->public_output)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "--public-output-from-model: schema %s@%llu binds no public output",
                        sc->name, (unsigned long long)sc->version);
    *kind = strcmp(sc->proof_kind, "evaluation@1") == 0      ? OUT_EVAL
            : zkr_app_geval_kind_is(sc->proof_kind)        ? OUT_GEVAL
            : strcmp(sc->proof_kind, ZKR_IBATCH_NAME) == 0 ? OUT_BATCH
                                                           : OUT_INFER;
    if (*kind == OUT_INFER && strcmp(sc->proof_kind, "inference@1") != 0 &&
        !zkr_app_ginf_kind_is(sc->proof_kind))
        return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                        "--public-output-from-model: schema %s@%llu is %s; only inference@1, "
                        ZKR_APP_GINF_KIND ", evaluation@1, " ZKR_APP_GEVAL_KIND " and "
                        "inference-batch@1 outputs are computed here",
                        sc->name, (unsigned long long)sc->version, sc->proof_kind);
    if (*kind != OUT_EVAL && *kind != OUT_GEVAL && o->has_threshold)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "--threshold is for evaluation@1 and " ZKR_APP_GEVAL_KIND " schemas; "
                        "%s@%llu is %s", sc->name,
                        (unsigned long long)sc->version, sc->proof_kind);
    return ZKR_OK;
}

zkr_err zkr_app_output_from_model(zkr_app *app, zkr_registry *reg, const char *schema,
                                  const char *program, const char *model, const char *dataset,
                                  const zkr_kv *kv, size_t nkv, const zkr_app_output_opts *o,
                                  zkr_buf *out, char *line, size_t line_len)
{
    zkr_schema sc;
    zkr_artifact p, m, ds;
    zkr_ml_model *mm = NULL;
    zkr_dataset *d = NULL;
    out_params op;
    int kind = OUT_INFER, eval, has_first;
    zkr_err r;

    memset(&op, 0, sizeof op);
    out->len = 0;
    line[0] = '\0';
    if ((r = zkr_registry_schema_get(reg, schema, &sc, &app->diag)) != ZKR_OK ||
        (r = out_kind(app, &sc, o, &kind)) != ZKR_OK ||
        (r = out_field_types(app, &sc, kind != OUT_INFER)) != ZKR_OK ||
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, program, &p, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, model, &m, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, dataset, &ds, &app->diag)) != ZKR_OK ||
        (r = out_revoked(app, reg, &sc, &p, &m, &ds)) != ZKR_OK)
        goto out;
    if (m.program_id != p.id) {
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM,
                     "model %lld is a model of program %lld, not of program %lld",
                     (long long)m.id, (long long)m.program_id, (long long)p.id);
        goto out;
    }
    eval = kind != OUT_INFER; /* both range kinds read record_first / record_count */
    if (eval)
        r = out_param(app, kv, nkv, "record_first", &op.first, &has_first) != ZKR_OK
                ? ZKR_ERR_MALFORMED
                : out_param(app, kv, nkv, "record_count", &op.count, &op.has_count);
    else if ((r = out_param(app, kv, nkv, "record_index", &op.index, &op.has_index)) == ZKR_OK &&
             !op.has_index)
        r = zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                     "--public-output-from-model: %s needs --param record_index=I",
                     sc.proof_kind);
    if (r == ZKR_OK && kind == OUT_GEVAL) {
        if ((r = zkr_app_ginf_statement_check(app, reg, schema, model)) == ZKR_OK &&
            (r = out_dataset(app, &ds, &d)) == ZKR_OK)
            r = out_geval(app, &m, d, &op, o, out, line, line_len);
        goto out;
    }
    if (r == ZKR_OK && zkr_app_ginf_kind_is(sc.proof_kind)) {
        if ((r = zkr_app_ginf_statement_check(app, reg, schema, model)) == ZKR_OK &&
            (r = out_dataset(app, &ds, &d)) == ZKR_OK)
            r = out_graph(app, &m, d, &op, out, line, line_len);
        goto out;
    }
    if (r != ZKR_OK || (r = zkr_app_ginf_statement_check(app, reg, schema, model)) != ZKR_OK ||
        (r = out_model(app, &m, &mm)) != ZKR_OK || (r = out_dataset(app, &ds, &d)) != ZKR_OK)
        goto out;
    if (kind == OUT_BATCH)
        r = out_batch(app, mm, d, &op, out, line, line_len);
    else
        r = eval ? out_evaluation(app, mm, d, &op, o, out, line, line_len)
                 : out_inference(app, mm, d, &op, out, line, line_len);
out:
    zkr_ml_model_free(mm);
    zkr_dataset_free(d);
    if (r != ZKR_OK)
        out->len = 0;
    return r;
}
