/*
 * round.c: federated training rounds (app/round.h): open, a worker's step,
 * accept and audit.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/eval.h"
#include "app/round.h"
#include "app/store.h"
#include "app/train.h"
#include "app/train2.h"
#include "zk/eval_fixed.h"
#include "zkr_config.h"

#define ROUND_MAX_WORKERS ZKR_ROUND_MAX_WORKERS
#define REASON_MAX (ZKR_ROUND_REASON_MAX + 1u)
#define ROUND_EVAL_STORE ZKR_APP_ROUND_EVAL_STORE /* REGISTRY.d/round-eval/HEX(statement id).zkp */

_Static_assert(ZKR_ROUND_MAX_PER_WORKER == ZKR_ML_T_MAX_BATCH, "a shard is one training batch");
_Static_assert(ZKR_TRAIN_LR_MAX == ZKR_ML_T_LR_MAX && ZKR_TRAIN_SHIFT_MAX == ZKR_ML_T_SHIFT_MAX &&
                   ZKR_ML_T_SHIFT_MIN == 1,
               "the registry's training bounds are training-step@1's");

typedef zkr_app_round_info round_info;

/* Reads round `id` (the index of its round-open leaf) and every event naming it. */
zkr_err zkr_app_round_load(zkr_app *app, zkr_registry *reg, uint64_t id, round_info *ri)
{
    zkr_err r;

    memset(ri, 0, sizeof *ri);
    if ((r = zkr_registry_round_get(reg, id, &ri->st, &app->diag)) != ZKR_OK)
        return r;
    ri->sp.lr = ri->st.open.lr;
    ri->sp.shift = ri->st.open.shift;
    return ZKR_OK;
}

/*
 * The shard of worker w: records first + w*R .. first + (w+1)*R - 1. The
 * decoder refused a round whose range passes 2^64 - 1, so nothing wraps.
 */
static void shard_indices(const round_info *ri, uint32_t w, uint64_t *idx)
{
    for (uint32_t i = 0; i < ri->st.open.per_worker; i++)
        idx[i] = ri->st.open.first + (uint64_t)w * ri->st.open.per_worker + i;
}

/*
 * Whether round schema `sref` (a reference the registry resolves) is
 * training-step@2: a round on private shards (version 3 dataset), whose
 * records the appliance never reads. Any other kind but training-step@1
 * is refused.
 */
static zkr_err round_kind(zkr_app *app, zkr_registry *reg, const char *sref, int *priv)
{
    zkr_schema sc;
    zkr_err r;

    *priv = 0;
    if ((r = zkr_registry_schema_get(reg, sref, &sc, &app->diag)) != ZKR_OK)
        return r;
    /* goldilocks-128 only: a round at another set would train, reserve and prove for
     * statements no verifier accepts (adversarial review). */
    if (strcmp(sc.proof_kind, ZKR_APP_TRAIN2_KIND) == 0 ||
        strcmp(sc.proof_kind, "training-step@1") == 0) {
        uint32_t set;
        if ((r = zkr_app_param_set_of(app, &sc, &set)) != ZKR_OK)
            return r;
    }
    if (strcmp(sc.proof_kind, ZKR_APP_TRAIN2_KIND) == 0) {
        *priv = 1;
        return ZKR_OK;
    }
    if (strcmp(sc.proof_kind, "training-step@1") != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA, "schema %s: proof kind '%s', "
                        "expected training-step@1 or training-step@2", sref, sc.proof_kind);
    return ZKR_OK;
}

/* A private round's dataset: registered, version 3 (its count is all the appliance knows). */
static zkr_err round_private_dataset(zkr_app *app, zkr_registry *reg, const char *ref,
                                     zkr_artifact *ds)
{
    zkr_err r;

    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, ref, ds, &app->diag)) != ZKR_OK)
        return r;
    if (zkr_registry_dataset_version(ds) != 3)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "dataset %lld has a version %d commitment; a training-step@2 round "
                        "trains on private shards: a version 3 dataset (`zkreg dataset commit "
                        "--hiding-records`, then `register-dataset --commitment`)",
                        (long long)ds->id, zkr_registry_dataset_version(ds));
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* round open                                                          */
/* ------------------------------------------------------------------ */

/*
 * The round's nonce: fresh randomness, so two rounds opened with the same
 * parameters have different digests. Test builds may fix it
 * ($ZKREG_TEST_ROUND_NONCE, 64 hex digits) to show a repeated digest refused.
 */
static zkr_err round_nonce(zkr_app *app, uint8_t nonce[ZKR_ROUND_NONCE_BYTES])
{
#if ZKR_TEST_BUILD
    const char *fixed = getenv("ZKREG_TEST_ROUND_NONCE");

    if (fixed != NULL) {
        if (strlen(fixed) != 2 * ZKR_ROUND_NONCE_BYTES ||
            zkr_hex_decode_exact(fixed, nonce, ZKR_ROUND_NONCE_BYTES) != ZKR_OK)
            return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                            "ZKREG_TEST_ROUND_NONCE: expected 64 hex digits");
        return ZKR_OK;
    }
#endif
    (void)app;
    randombytes_buf(nonce, ZKR_ROUND_NONCE_BYTES);
    return ZKR_OK;
}

static zkr_err round_open_args(zkr_app *app, const zkr_app_round_open_opts *a)
{
    if (!a->model || !a->dataset || !a->schema || !a->workers || !a->per || !a->lr || !a->shift)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "round open needs --model --dataset --workers "
                                  "--records-per-worker --lr --shift --schema (and --first-record)");
    if (a->workers > ROUND_MAX_WORKERS || a->per > ZKR_ML_T_MAX_BATCH || a->lr > ZKR_ML_T_LR_MAX ||
        a->shift < ZKR_ML_T_SHIFT_MIN || a->shift > ZKR_ML_T_SHIFT_MAX)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "--workers <= %u, --records-per-worker <= %u, --lr <= %u, "
                                  "--shift %u..%u", ROUND_MAX_WORKERS, ZKR_ML_T_MAX_BATCH,
                             ZKR_ML_T_LR_MAX, ZKR_ML_T_SHIFT_MIN, ZKR_ML_T_SHIFT_MAX);
    if ((a->eval_dataset != NULL) != (a->eval_schema != NULL) ||
        (a->eval_dataset != NULL) != (a->min_correct != 0))
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "an evaluation gate needs --eval-dataset, "
                        "--eval-schema and --min-correct K >= 1 together");
    /* workers * per <= 4096; first + that must not wrap (it once named records 0..3). */
    if (a->first > UINT64_MAX - a->workers * a->per + 1)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "--first-record %llu + %llu workers x %llu records passes the "
                             "last record index 2^64-1", (unsigned long long)a->first,
                             (unsigned long long)a->workers, (unsigned long long)a->per);
    return ZKR_OK;
}

/*
 * The evaluation gate of a round being opened: an evaluation-fixed@1 schema
 * pinning this verifier, an evaluation dataset of at least K records, and
 * a parent whose program the circuit takes over that many records.
 */
static zkr_err round_gate(zkr_app *app, zkr_registry *reg, const zkr_app_round_open_opts *a,
                          const zkr_ml_tmodel *m, zkr_round_open *o)
{
    const zkr_ml_graph *g = zkr_ml_tmodel_graph(m);
    uint32_t dims[ZKR_ML_MAX_LAYERS + 1];
    zkr_evalf_shape sh;
    zkr_artifact eds;
    zkr_schema esc;
    zkr_params p;
    uint32_t set;
    zkr_err r;

    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, a->eval_dataset, &eds,
                                       &app->diag)) != ZKR_OK ||
        (r = zkr_registry_schema_get(reg, a->eval_schema, &esc, &app->diag)) != ZKR_OK)
        return r;
    if (strcmp(esc.proof_kind, ZKR_EVALF_NAME) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA, "--eval-schema %s: proof kind '%s', "
                        "expected " ZKR_EVALF_NAME, a->eval_schema, esc.proof_kind);
    if (strcmp(esc.verifier_version, ZKR_VERSION) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_VERIFIER, "--eval-schema %s pins verifier "
                        "%s, this is %s", a->eval_schema, esc.verifier_version, ZKR_VERSION);
    /*
     * The gate proves the public child's accuracy over public records:
     * evaluation-fixed@1 reads every record from the registered file. A
     * version 2 or 3 dataset (a commitment only; hiding records) has none
     * here, whatever the training shards are.
     */
    if (zkr_registry_dataset_version(&eds) != 1)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "--eval-dataset %s: dataset %lld has a version %d commitment; the "
                        "evaluation gate needs public records, a version 1 dataset "
                        "(`register-dataset PATH`): evaluation-fixed@1 proves the child's "
                        "count over every record the appliance holds",
                        a->eval_dataset, (long long)eds.id, zkr_registry_dataset_version(&eds));
    if (!eds.has_commitment)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET, "--eval-dataset %s has no "
                        "commitment", a->eval_dataset);
    if (a->min_correct > eds.record_count)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "--min-correct %llu: the evaluation dataset "
                        "has %llu records", (unsigned long long)a->min_correct,
                        (unsigned long long)eds.record_count);
    dims[0] = g->input_dim;
    for (uint32_t l = 0; l < g->n_layers; l++)
        dims[l + 1] = g->layers[l].out_dim;
    if ((r = zkr_app_param_set_of(app, &esc, &set)) != ZKR_OK ||
        zkr_params_get(set, &p) != ZKR_OK ||
        (r = zkr_evalf_shape_of(g->n_layers, dims, eds.record_count, p.max_vars, &sh,
                                &app->diag)) != ZKR_OK)
        return r == ZKR_OK ? ZKR_ERR_MISMATCH_PARAMS : r;
    o->version = 3;
    memcpy(o->eval_dataset, eds.sha256, 32);
    memcpy(o->eval_schema, esc.digest, 32);
    o->min_correct = a->min_correct;
    return ZKR_OK;
}

zkr_err zkr_app_round_open(zkr_app *app, const zkr_app_round_open_opts *a,
                           zkr_app_round_opened *res)
{
    zkr_registry *reg = NULL;
    zkr_artifact parent, ds;
    zkr_schema sc;
    zkr_ml_tmodel *m = NULL;
    zkr_app_train_data td;
    zkr_round_open o;
    uint64_t end, n;
    int priv = 0;
    zkr_err r;

    memset(&td, 0, sizeof td);
    memset(&o, 0, sizeof o);
    memset(res, 0, sizeof *res);
    if ((r = round_open_args(app, a)) != ZKR_OK)
        return r;
    end = a->first + a->workers * a->per; /* <= 2^64 - 1 + 1: checked above, may be 0 only at 2^64 */
    if ((r = zkr_app_registry_open(app, &reg)) != ZKR_OK ||
        (r = zkr_app_train_load_model(app, reg, a->model, &parent, &m)) != ZKR_OK ||
        (r = zkr_registry_schema_get(reg, a->schema, &sc, &app->diag)) != ZKR_OK ||
        (r = round_kind(app, reg, a->schema, &priv)) != ZKR_OK)
        goto out;
    if (priv) {
        /* Private shards: the appliance holds only the version 3 commitment. */
        if ((r = round_private_dataset(app, reg, a->dataset, &ds)) != ZKR_OK ||
            (r = zkr_app_train2_provable(app, m, (uint32_t)a->per, (uint32_t)a->lr,
                                         (uint32_t)a->shift)) != ZKR_OK)
            goto out;
        n = ds.record_count;
    } else {
        if ((r = zkr_app_train_data_open(app, reg, a->dataset, &ds, &td)) != ZKR_OK ||
            (r = zkr_app_train_provable(app, m, (uint32_t)a->per)) != ZKR_OK)
            goto out;
        n = td.n;
    }
    if (end == 0 || end > n) {
        r = zkr_fail(&app->diag, ZKR_ERR_NOT_FOUND, "shards end past record %llu, the "
                     "dataset's last of %llu records", (unsigned long long)(end - 1),
                     (unsigned long long)n);
        goto out;
    }
    o.version = 2;
    memcpy(o.parent, parent.sha256, 32);
    memcpy(o.parent_commitment, parent.commitment, 32);
    memcpy(o.dataset, ds.sha256, 32);
    memcpy(o.schema, sc.digest, 32);
    o.workers = (uint32_t)a->workers;
    o.first = a->first;
    o.per_worker = (uint32_t)a->per;
    o.lr = (uint32_t)a->lr;
    o.shift = (uint32_t)a->shift;
    if (a->eval_dataset != NULL && (r = round_gate(app, reg, a, m, &o)) != ZKR_OK)
        goto out;
    if ((r = round_nonce(app, o.nonce)) != ZKR_OK ||
        (r = zkr_registry_origin(reg, o.origin, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_round_open(reg, &o, &res->round, res->digest, &app->diag)) != ZKR_OK)
        goto out;
    res->model_id = parent.id;
    res->dataset_id = ds.id;
out:
    zkr_ml_tmodel_free(m);
    zkr_app_train_data_free(&td);
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* The evaluation gate's statement                                     */
/* ------------------------------------------------------------------ */

static int round_gated(const round_info *ri)
{
    return ri->st.open.version == 3;
}

/*
 * The evaluation statement a gated round derives for a child (never
 * registered: the round names it): the gate's evaluation-fixed@1 schema,
 * the parent's program, the child (its sha256 and commitment), every
 * record of the evaluation dataset and the public output "at least K
 * correct" (threshold mode). Its id hashes all of these and the round's
 * digest, so a proof made for another child, another round or another
 * threshold binds another id and is refused.
 */
static zkr_err gate_statement(zkr_app *app, zkr_registry *reg, const round_info *ri,
                              const uint8_t child_sha[32], const uint8_t child_comm[32],
                              zkr_statement *st)
{
    static const char tag[] = "zkreg/round-evaluation/v1";
    char ref[65];
    zkr_artifact parent;
    zkr_sha256_ctx h;
    zkr_err r;

    memset(st, 0, sizeof *st);
    zkr_app_hex32(ri->st.open.eval_schema, ref);
    if ((r = zkr_registry_schema_get(reg, ref, &st->schema, &app->diag)) != ZKR_OK)
        return r;
    zkr_app_hex32(ri->st.open.eval_dataset, ref);
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, ref, &st->dataset, &app->diag)) !=
        ZKR_OK)
        return r;
    zkr_app_hex32(ri->st.open.parent, ref);
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, ref, &parent, &app->diag)) != ZKR_OK)
        return r;
    snprintf(ref, sizeof ref, "%lld", (long long)parent.program_id);
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, ref, &st->program, &app->diag)) !=
        ZKR_OK)
        return r;
    st->model.kind = ZKR_KIND_MODEL;
    st->model.program_id = parent.program_id;
    memcpy(st->model.program_sha256, parent.program_sha256, 32);
    memcpy(st->model.sha256, child_sha, 32);
    memcpy(st->model.commitment, child_comm, 32);
    st->model.has_commitment = 1;
    if ((r = zkr_eval_output_encode(ZKR_EVAL_MODE_THRESHOLD, st->dataset.record_count,
                                    ri->st.open.min_correct, &st->public_output)) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_OUTPUT, "the round's K %llu exceeds the "
                        "evaluation dataset's %llu records",
                        (unsigned long long)ri->st.open.min_correct,
                        (unsigned long long)st->dataset.record_count);
    st->has_public_output = 1;
    zkr_sha256(st->public_output.p, st->public_output.len, st->public_output_sha256);
    zkr_sha256_init(&h);
    zkr_sha256_update(&h, (const uint8_t *)tag, sizeof tag);
    zkr_sha256_update(&h, ri->st.digest, 32);
    zkr_sha256_update(&h, st->schema.digest, 32);
    zkr_sha256_update(&h, st->program.sha256, 32);
    zkr_sha256_update(&h, child_sha, 32);
    zkr_sha256_update(&h, child_comm, 32);
    zkr_sha256_update(&h, st->dataset.sha256, 32);
    zkr_sha256_update(&h, st->public_output.p, st->public_output.len);
    zkr_sha256_final(&h, st->statement_id);
    return ZKR_OK;
}

zkr_err zkr_app_round_gate_statement(zkr_app *app, zkr_registry *reg, const zkr_round_open *open,
                                     const uint8_t digest[ZKR_DIGEST_BYTES],
                                     const uint8_t child_sha[ZKR_DIGEST_BYTES],
                                     const uint8_t child_comm[ZKR_DIGEST_BYTES], zkr_statement *st)
{
    round_info *ri = calloc(1, sizeof *ri);
    zkr_err r;

    memset(st, 0, sizeof *st);
    if (ri == NULL)
        return ZKR_ERR_NOMEM;
    ri->st.open = *open;
    memcpy(ri->st.digest, digest, ZKR_DIGEST_BYTES);
    if (!round_gated(ri))
        r = zkr_fail(&app->diag, ZKR_ERR_VERIFY, "the round is not gated (round-open version %u)",
                     open->version);
    else
        r = gate_statement(app, reg, ri, child_sha, child_comm, st);
    free(ri);
    return r;
}

/* ------------------------------------------------------------------ */
/* A worker                                                            */
/* ------------------------------------------------------------------ */

static zkr_err write_out(zkr_app *app, const char *dir, const char *name, uint32_t w,
                         const uint8_t *p, size_t len, char *path, size_t cap)
{
    if (snprintf(path, cap, "%s/worker-%u.%s", dir, w, name) >= (int)cap)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "%s: path too long", dir);
    return zkr_file_write_atomic(path, p, len, 0644, &app->diag);
}

static zkr_err refs_of(const round_info *ri, char parent[65], char ds[65], char schema[65])
{
    zkr_app_hex32(ri->st.open.parent, parent);
    zkr_app_hex32(ri->st.open.dataset, ds);
    zkr_app_hex32(ri->st.open.schema, schema);
    return ZKR_OK;
}

/*
 * A gated round's worker also proves its child's evaluation (threshold K
 * over the whole evaluation dataset) into DIR/worker-I.eval.zkp. A child
 * below K gets no proof: ZKR_ERR_MISMATCH_OUTPUT naming its count (on
 * public shards its model and training proof are written, round accept
 * will reject it; on private shards work_private calls this first, so
 * nothing else is written and no record opening reserved).
 */
static zkr_err work_gate(zkr_app *app, zkr_registry *reg, const round_info *ri,
                         const zkr_app_round_work_opts *a, const zkr_ml_tmodel *child,
                         const zkr_buf *child_bytes, int priv, zkr_app_round_work_result *res)
{
    zkr_statement st;
    zkr_buf proof = {0};
    uint8_t sha[32], comm[32];
    zkr_err r;

    memset(&st, 0, sizeof st);
    zkr_ml_tmodel_digest(child, sha);
    if ((r = zkr_app_train_commit(app, child, comm)) != ZKR_OK ||
        (r = gate_statement(app, reg, ri, sha, comm, &st)) != ZKR_OK)
        goto out;
    r = zkr_app_eval_prove_model(app, &st, child_bytes->p, child_bytes->len, 1, a->no_sandbox,
                                 &proof, &res->eval_correct);
    if (r == ZKR_ERR_MISMATCH_OUTPUT) {
        char why[sizeof app->diag.msg];
        snprintf(why, sizeof why, "%s", app->diag.msg);
        memset(&app->diag, 0, sizeof app->diag);
        r = zkr_fail(&app->diag, r, "worker %u: the child is below the round's %llu correct of "
                     "%llu evaluation records (%s): no evaluation proof; %s", a->worker,
                     (unsigned long long)ri->st.open.min_correct,
                     (unsigned long long)st.dataset.record_count, why,
                     priv
                         ? "no training proof made, no record opening reserved"
                         : "its model and training proof are written, round accept will reject "
                           "it");
        goto out;
    }
    if (r != ZKR_OK ||
        (r = write_out(app, a->out_dir, "eval.zkp", a->worker, proof.p, proof.len,
                       res->eval_proof_path, sizeof res->eval_proof_path)) != ZKR_OK)
        goto out;
    res->eval_proof_bytes = proof.len;
out:
    zkr_statement_free(&st);
    zkr_buf_free(&proof);
    return r;
}

/* The native step on the owner's shard file (its records never leave this process but to the prover). */
static zkr_err private_child(zkr_app *app, const zkr_app_round_work_opts *a,
                             const zkr_ml_tmodel *parent, const round_info *ri,
                             const uint64_t *idx, zkr_buf *child)
{
    uint32_t in0 = zkr_ml_tmodel_graph(parent)->input_dim, b = ri->st.open.per_worker;
    uint8_t labels[ZKR_ML_T_MAX_BATCH];
    zkr_dataset *ds = NULL;
    zkr_buf in = {0};
    const uint8_t *x;
    zkr_err r;

    if ((r = zkr_dataset_open(a->dataset_file, &ds, &app->diag)) != ZKR_OK)
        return r;
    for (uint32_t i = 0; i < b && r == ZKR_OK; i++)
        if ((r = zkr_ml_record_input(ds, idx[i], in0, &x, &labels[i], &app->diag)) == ZKR_OK)
            r = zkr_buf_append(&in, x, in0);
    if (r == ZKR_OK)
        r = zkr_ml_train_step(parent, in.p, in.len, labels, b, &ri->sp, child, NULL, &app->diag);
    if (in.p != NULL)
        sodium_memzero(in.p, in.len); /* the shard's records */
    sodium_memzero(labels, sizeof labels);
    zkr_buf_free(&in);
    zkr_dataset_free(ds);
    return r;
}

/*
 * A training-step@2 round's worker: the child from the owner's shard; in a
 * gated round, first the child's evaluation proof (work_gate: the child is
 * public, so a child below K is refused before any record opening is
 * reserved or the statement registered); then the statement registered and
 * the proof made by zkr_app_train2_prove (which checks the shard against
 * the registered commitment and the child against the statement before
 * reserving anything).
 */
static zkr_err work_private(zkr_app *app, zkr_registry *reg, const round_info *ri,
                            const zkr_app_round_work_opts *a, const char *pref, const char *dref,
                            const char *sref, const uint64_t *idx, zkr_app_round_work_result *res)
{
    zkr_app_train2_opts to;
    zkr_app_prove_result pres;
    zkr_artifact parent_a, ds_a;
    zkr_ml_tmodel *parent = NULL, *cm = NULL;
    zkr_statement st;
    zkr_buf child = {0};
    uint8_t sha[32];
    zkr_err r;

    memset(&st, 0, sizeof st);
    memset(&pres, 0, sizeof pres);
    if (a->dataset_file == NULL || a->dataset_secrets == NULL)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "round %llu trains on private shards "
                        "(training-step@2): give the worker's --dataset-file and "
                        "--dataset-secrets", (unsigned long long)ri->st.index);
    if (snprintf(res->proof_path, sizeof res->proof_path, "%s/worker-%u.zkp", a->out_dir,
                 a->worker) >= (int)sizeof res->proof_path)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "%s: path too long", a->out_dir);
    if ((r = zkr_app_train_load_model(app, reg, pref, &parent_a, &parent)) != ZKR_OK ||
        (r = round_private_dataset(app, reg, dref, &ds_a)) != ZKR_OK ||
        (r = private_child(app, a, parent, ri, idx, &child)) != ZKR_OK)
        goto out;
    /*
     * The gate before the step: a child below K would be rejected by round
     * accept, and its step proof would spend an opening of every batch
     * record's commitment for nothing (found in adversarial review).
     */
    if (round_gated(ri) &&
        ((r = zkr_ml_tmodel_decode(child.p, child.len, &cm, &app->diag)) != ZKR_OK ||
         (r = work_gate(app, reg, ri, a, cm, &child, 1, res)) != ZKR_OK))
        goto out;
    /* The proof's path before the statement is derived and the batch's openings reserved. */
    if ((r = zkr_app_out_probe(app, res->proof_path, "a proof")) != ZKR_OK)
        goto out;
    zkr_sha256(child.p, child.len, sha);
    to = (zkr_app_train2_opts){.out = res->proof_path, .dataset_file = a->dataset_file,
                               .dataset_secrets = a->dataset_secrets, .pass = a->pass,
                               .zk_seed = a->zk_seed, .zk_seed_len = a->zk_seed_len,
                               .threads = 1, .no_sandbox = a->no_sandbox};
    if ((r = zkr_app_train_statement(app, reg, sref, &parent_a, &ds_a, sha, &ri->sp, idx,
                                     ri->st.open.per_worker, &st)) != ZKR_OK ||
        (r = zkr_app_train2_prove(app, reg, &st, &to, &pres)) != ZKR_OK ||
        (r = write_out(app, a->out_dir, "zkrtm", a->worker, child.p, child.len,
                       res->model_path, sizeof res->model_path)) != ZKR_OK)
        goto out;
    res->proof_bytes = pres.bytes;
    memcpy(res->statement_id, st.statement_id, 32);
out:
    zkr_statement_free(&st);
    zkr_buf_free(&child);
    zkr_ml_tmodel_free(parent);
    zkr_ml_tmodel_free(cm);
    return r;
}

zkr_err zkr_app_round_work(zkr_app *app, const zkr_app_round_work_opts *a,
                           zkr_app_round_work_result *res)
{
    zkr_registry *reg = NULL;
    round_info ri;
    zkr_artifact parent_a, ds_a;
    zkr_ml_tmodel *parent = NULL, *child = NULL;
    zkr_app_train_data td;
    zkr_app_train_params tp;
    zkr_statement st;
    zkr_buf inputs = {0}, child_bytes = {0}, proof = {0};
    uint64_t idx[ZKR_ML_T_MAX_BATCH];
    uint8_t labels[ZKR_ML_T_MAX_BATCH], sha[32];
    char pref[65], dref[65], sref[65];
    int priv = 0;
    zkr_err r;

    memset(&td, 0, sizeof td);
    memset(&st, 0, sizeof st);
    memset(res, 0, sizeof *res);
    if ((r = zkr_app_registry_open(app, &reg)) != ZKR_OK ||
        (r = zkr_app_round_load(app, reg, a->round, &ri)) != ZKR_OK)
        goto out;
    if (ri.st.closed) {
        r = zkr_fail(&app->diag, ZKR_ERR_CONFLICT, "round %llu was closed (log %llu)",
                     (unsigned long long)ri.st.index, (unsigned long long)ri.st.close_index);
        goto out;
    }
    if (a->worker >= ri.st.open.workers) {
        r = zkr_fail(&app->diag, ZKR_ERR_USAGE, "--worker %u: round %llu has workers 0..%u",
                     a->worker, (unsigned long long)ri.st.index, ri.st.open.workers - 1);
        goto out;
    }
    (void)refs_of(&ri, pref, dref, sref);
    shard_indices(&ri, a->worker, idx);
    if ((r = round_kind(app, reg, sref, &priv)) != ZKR_OK)
        goto out;
    if (priv) {
        r = work_private(app, reg, &ri, a, pref, dref, sref, idx, res);
        goto out;
    }
    if ((r = zkr_app_train_load_model(app, reg, pref, &parent_a, &parent)) != ZKR_OK ||
        (r = zkr_app_train_data_open(app, reg, dref, &ds_a, &td)) != ZKR_OK ||
        (r = zkr_app_train_batch(app, &td, zkr_ml_tmodel_graph(parent)->input_dim, idx,
                                 ri.st.open.per_worker, &inputs, labels)) != ZKR_OK ||
        (r = zkr_ml_train_step(parent, inputs.p, inputs.len, labels, ri.st.open.per_worker, &ri.sp,
                               &child_bytes, NULL, &app->diag)) != ZKR_OK ||
        (r = zkr_ml_tmodel_decode(child_bytes.p, child_bytes.len, &child, &app->diag)) != ZKR_OK)
        goto out;
    zkr_ml_tmodel_digest(child, sha);
    if ((r = zkr_app_train_statement(app, reg, sref, &parent_a, &ds_a, sha, &ri.sp, idx,
                                     ri.st.open.per_worker, &st)) != ZKR_OK ||
        (r = zkr_app_train_params_of(app, &st, &tp)) != ZKR_OK ||
        (r = zkr_app_train_prove(app, &st, parent, child, &td, &tp, a->no_sandbox, &proof)) !=
            ZKR_OK ||
        (r = write_out(app, a->out_dir, "zkrtm", a->worker, child_bytes.p, child_bytes.len,
                       res->model_path, sizeof res->model_path)) != ZKR_OK ||
        (r = write_out(app, a->out_dir, "zkp", a->worker, proof.p, proof.len, res->proof_path,
                       sizeof res->proof_path)) != ZKR_OK)
        goto out;
    res->proof_bytes = proof.len;
    memcpy(res->statement_id, st.statement_id, 32);
    if (round_gated(&ri))
        r = work_gate(app, reg, &ri, a, child, &child_bytes, 0, res);
out:
    zkr_statement_free(&st);
    zkr_buf_free(&inputs);
    zkr_buf_free(&child_bytes);
    zkr_buf_free(&proof);
    zkr_ml_tmodel_free(parent);
    zkr_ml_tmodel_free(child);
    zkr_app_train_data_free(&td);
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* round accept                                                        */
/* ------------------------------------------------------------------ */

typedef struct {
    zkr_registry *reg;
    round_info ri;
    zkr_artifact parent_a, ds_a;
    char pref[65], dref[65], sref[65];
    zkr_ml_tmodel *children[ROUND_MAX_WORKERS];
    uint8_t child_sha[ROUND_MAX_WORKERS][32];
    uint8_t child_comm[ROUND_MAX_WORKERS][32];
    uint8_t sid[ROUND_MAX_WORKERS][32];
    uint8_t proof_sha[ROUND_MAX_WORKERS][32];
    char reason[ROUND_MAX_WORKERS][REASON_MAX];
    int accepted[ROUND_MAX_WORKERS];
    int priv; /* training-step@2: private shards, verified without any record */
} accept_ctx;

/* Splits "MODEL[,PROOF[,EVAL_PROOF]]" into the paths (NULL when absent). */
static void split_sub(const char *s, char *model, char *proof, size_t cap, const char **eval)
{
    const char *c1 = strchr(s, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    size_t n = c1 ? (size_t)(c1 - s) : strlen(s);

    if (n >= cap)
        n = cap - 1;
    memcpy(model, s, n);
    model[n] = '\0';
    proof[0] = '\0';
    if (c1) {
        n = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
        if (n >= cap)
            n = cap - 1;
        memcpy(proof, c1 + 1, n);
        proof[n] = '\0';
    }
    *eval = c2 ? c2 + 1 : NULL;
}

/*
 * The evaluation gate for worker w's child: an evaluation proof that
 * verifies, in the confined verifier, for the statement the round derives
 * (this child, every record of the evaluation dataset, at least K
 * correct). Fills the reason; *ok set when the gate passes.
 */
static zkr_err judge_gate(zkr_app *app, accept_ctx *c, uint32_t w, const char *eval_path,
                          int no_sandbox, int *ok)
{
    zkr_statement st;
    zkr_buf pb = {0};
    uint64_t correct = 0;
    zkr_err r = ZKR_OK, v;

    *ok = 0;
    memset(&st, 0, sizeof st);
    if (eval_path == NULL || *eval_path == '\0') {
        snprintf(c->reason[w], REASON_MAX, "no evaluation proof submitted (the round requires "
                 "at least %llu correct on its evaluation dataset)",
                 (unsigned long long)c->ri.st.open.min_correct);
        goto out;
    }
    if ((v = zkr_file_read(eval_path, ZKR_PROOF_MAX_BYTES, &pb, &app->diag)) != ZKR_OK) {
        snprintf(c->reason[w], REASON_MAX, "evaluation proof unreadable: %s", app->diag.msg);
        goto out;
    }
    if ((r = gate_statement(app, c->reg, &c->ri, c->child_sha[w], c->child_comm[w], &st)) !=
        ZKR_OK)
        goto out;
    v = zkr_app_eval_verify_derived(app, &st, pb.p, pb.len, no_sandbox, &correct);
    if (v != ZKR_OK) {
        snprintf(c->reason[w], REASON_MAX, "evaluation proof rejected (%s): %s", zkr_strerror(v),
                 app->diag.msg);
        goto out;
    }
    /*
     * Kept for `round audit`, named by the derived statement (round, child,
     * commitment, K): a concurrent accept of the same round can only write
     * a proof of the same statement there. Written before the registry's
     * transaction, like the children's bytes; a failed write fails the accept.
     */
    if ((r = zkr_app_store_write(app, ROUND_EVAL_STORE, st.statement_id, ".zkp", pb.p, pb.len)) !=
        ZKR_OK)
        goto out;
    *ok = 1;
    snprintf(c->reason[w], REASON_MAX, "%llu of %llu evaluation records correct (at least %llu "
             "required), proven", (unsigned long long)correct,
             (unsigned long long)st.dataset.record_count,
             (unsigned long long)c->ri.st.open.min_correct);
out:
    zkr_statement_free(&st);
    zkr_buf_free(&pb);
    return r;
}

/*
 * A reason is logged as UTF-8 text without control characters; a message
 * that is not (a file name's bytes, a cut multi-byte character) is kept
 * as printable ASCII.
 */
static void reason_clean(char *s)
{
    if (zkr_utf8_check((const uint8_t *)s, strlen(s)) == ZKR_OK)
        return;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '?';
}

/* Judges worker w; on rejection fills the reason and returns ZKR_OK (not an error). */
static zkr_err judge(zkr_app *app, accept_ctx *c, uint32_t w, const char *sub, int no_sandbox)
{
    char model_path[4096], proof_buf[4096], gate_reason[REASON_MAX];
    const char *proof_path, *eval_path;
    int gate_ok = 1;
    zkr_buf mb = {0}, pb = {0};
    zkr_statement st;
    uint64_t idx[ZKR_ML_T_MAX_BATCH];
    uint8_t pd[32];
    zkr_diag saved = app->diag;
    zkr_err r = ZKR_OK, v;

    memset(&st, 0, sizeof st);
    memset(&app->diag, 0, sizeof app->diag);
    if (sub == NULL) {
        snprintf(c->reason[w], REASON_MAX, "no update submitted");
        goto out;
    }
    split_sub(sub, model_path, proof_buf, sizeof model_path, &eval_path);
    proof_path = proof_buf[0] ? proof_buf : NULL;
    if ((v = zkr_file_read(model_path, ZKR_ML_MODEL_MAX_BYTES, &mb, &app->diag)) != ZKR_OK ||
        (v = zkr_ml_tmodel_decode(mb.p, mb.len, &c->children[w], &app->diag)) != ZKR_OK) {
        snprintf(c->reason[w], REASON_MAX, "model file unusable: %s", app->diag.msg);
        goto out;
    }
    zkr_ml_tmodel_program_digest(c->children[w], pd);
    zkr_ml_tmodel_digest(c->children[w], c->child_sha[w]);
    if (memcmp(pd, c->parent_a.program_sha256, 32) != 0) {
        snprintf(c->reason[w], REASON_MAX, "model of another program");
        goto out;
    }
    if (proof_path == NULL) {
        snprintf(c->reason[w], REASON_MAX, "unproven update: no proof submitted");
        goto out;
    }
    if ((v = zkr_file_read(proof_path, ZKR_PROOF_MAX_BYTES, &pb, &app->diag)) != ZKR_OK) {
        snprintf(c->reason[w], REASON_MAX, "proof unreadable: %s", app->diag.msg);
        goto out;
    }
    zkr_sha256(pb.p, pb.len, c->proof_sha[w]);
    shard_indices(&c->ri, w, idx);
    /* Committed here, stored by round_write only if accepted: a rejected update leaves no file. */
    if ((r = zkr_app_train_commit(app, c->children[w], c->child_comm[w])) != ZKR_OK ||
        (r = zkr_app_train_statement(app, c->reg, c->sref, &c->parent_a, &c->ds_a,
                                     c->child_sha[w], &c->ri.sp, idx, c->ri.st.open.per_worker,
                                     &st)) !=
            ZKR_OK)
        goto out;
    memcpy(c->sid[w], st.statement_id, 32);
    if (c->priv)
        v = zkr_app_train2_verify(app, c->reg, &st, mb.p, mb.len, pb.p, pb.len, no_sandbox);
    else
        v = zkr_app_train_verify(app, c->reg, &st, c->child_comm[w], pb.p, pb.len, no_sandbox);
    if (v != ZKR_OK) {
        snprintf(c->reason[w], REASON_MAX, "proof rejected (%s): %s", zkr_strerror(v),
                 app->diag.msg);
        goto out;
    }
    if (round_gated(&c->ri)) {
        if ((r = judge_gate(app, c, w, eval_path, no_sandbox, &gate_ok)) != ZKR_OK || !gate_ok)
            goto out;
        memcpy(gate_reason, c->reason[w], REASON_MAX);
    }
    c->accepted[w] = 1;
    snprintf(c->reason[w], REASON_MAX, "proof verified for shard %llu..%llu%s%s",
             (unsigned long long)idx[0], (unsigned long long)idx[c->ri.st.open.per_worker - 1],
             round_gated(&c->ri) ? "; " : "", round_gated(&c->ri) ? gate_reason : "");
out:
    reason_clean(c->reason[w]);
    if (!c->accepted[w]) {
        zkr_ml_tmodel_free(c->children[w]);
        c->children[w] = NULL;
    }
    if (r == ZKR_OK)
        app->diag = saved;
    zkr_statement_free(&st);
    zkr_buf_free(&mb);
    zkr_buf_free(&pb);
    return r;
}

static zkr_err outcome_payload(const accept_ctx *c, uint32_t w, zkr_buf *out)
{
    zkr_round_outcome o;

    memset(&o, 0, sizeof o);
    memcpy(o.round, c->ri.st.digest, 32);
    o.worker = w;
    o.accepted = (uint8_t)c->accepted[w];
    memcpy(o.child, c->child_sha[w], 32);
    memcpy(o.statement, c->sid[w], 32);
    memcpy(o.proof, c->proof_sha[w], 32);
    snprintf(o.reason, sizeof o.reason, "%s", c->reason[w]);
    return zkr_round_outcome_encode(&o, out);
}

/* The accepted children's average (none when k = 0), committed and stored. */
static zkr_err round_average(zkr_app *app, accept_ctx *c, zkr_buf *avg_bytes, uint8_t sha[32],
                             uint8_t comm[32], size_t *k)
{
    const zkr_ml_tmodel *acc[ROUND_MAX_WORKERS];
    zkr_ml_tmodel *avg = NULL;
    zkr_err r;

    *k = 0;
    memset(sha, 0, 32);
    memset(comm, 0, 32);
    for (uint32_t w = 0; w < c->ri.st.open.workers; w++)
        if (c->accepted[w])
            acc[(*k)++] = c->children[w];
    if (*k == 0)
        return ZKR_OK;
    if ((r = zkr_ml_fedavg(acc, *k, avg_bytes, &app->diag)) == ZKR_OK &&
        (r = zkr_ml_tmodel_decode(avg_bytes->p, avg_bytes->len, &avg, &app->diag)) == ZKR_OK &&
        (r = zkr_app_train_commit_store(app, avg, comm)) == ZKR_OK)
        zkr_ml_tmodel_digest(avg, sha);
    zkr_ml_tmodel_free(avg);
    return r;
}

static zkr_err close_payload(const accept_ctx *c, const uint8_t sha[32], const uint8_t comm[32],
                             zkr_buf *out)
{
    zkr_round_close rc;

    memset(&rc, 0, sizeof rc);
    memcpy(rc.round, c->ri.st.digest, 32);
    memcpy(rc.result, sha, 32);
    memcpy(rc.result_commitment, comm, 32);
    for (uint32_t w = 0; w < c->ri.st.open.workers; w++)
        if (c->accepted[w])
            memcpy(rc.children[rc.k++], c->child_sha[w], 32);
    return zkr_round_close_encode(&rc, out);
}

/*
 * Writes every outcome, the accepted children, the average and the close
 * in one registry transaction that re-checks the round is still open
 * (zkr_registry_round_close): of two concurrent accepts, one closes the
 * round and the other gets ZKR_ERR_CONFLICT with nothing written.
 */
static zkr_err round_write(zkr_app *app, accept_ctx *c, zkr_artifact *res, size_t *k)
{
    zkr_round_write ow[ROUND_MAX_WORKERS], cw;
    zkr_buf ev[ROUND_MAX_WORKERS], cev = {0}, avg = {0};
    uint8_t sha[32], comm[32];
    uint32_t n = c->ri.st.open.workers;
    zkr_err r;

    memset(ow, 0, sizeof ow);
    memset(ev, 0, sizeof ev);
    memset(&cw, 0, sizeof cw);
    memset(res, 0, sizeof *res);
    if ((r = round_average(app, c, &avg, sha, comm, k)) != ZKR_OK)
        goto out;
    for (uint32_t w = 0; w < n; w++) {
        if ((r = outcome_payload(c, w, &ev[w])) != ZKR_OK)
            goto out;
        ow[w].event = ev[w].p;
        ow[w].event_len = ev[w].len;
        if (c->accepted[w]) {
            zkr_ml_tmodel_bytes(c->children[w], &ow[w].model, &ow[w].model_len);
            ow[w].commitment = c->child_comm[w];
            if ((r = zkr_app_train_store(app, c->children[w])) != ZKR_OK)
                goto out;
        }
    }
    if ((r = close_payload(c, sha, comm, &cev)) != ZKR_OK)
        goto out;
    cw.event = cev.p;
    cw.event_len = cev.len;
    if (*k > 0) {
        cw.model = avg.p;
        cw.model_len = avg.len;
        cw.commitment = comm;
    }
    if ((r = zkr_registry_round_close(c->reg, c->ri.st.index, ow, n, &cw, &app->diag)) != ZKR_OK)
        goto out;
    *res = cw.model_out;
out:
    for (uint32_t w = 0; w < ROUND_MAX_WORKERS; w++)
        zkr_buf_free(&ev[w]);
    zkr_buf_free(&cev);
    zkr_buf_free(&avg);
    return r;
}

#if ZKR_TEST_BUILD
/*
 * Test builds: after judging and before writing, wait for the file named
 * by $ZKREG_TEST_ROUND_PAUSE (a fifo) to be opened for writing and closed,
 * so a test can hold two accepts of one round at this point.
 */
static void test_pause(void)
{
    const char *path = getenv("ZKREG_TEST_ROUND_PAUSE");
    char b[64];
    int fd;

    if (path == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return;
    while (read(fd, b, sizeof b) > 0)
        ;
    close(fd);
}
#endif

/* A round that may still be accepted: no close, no outcome, submissions inside it. */
static zkr_err accept_check(zkr_app *app, const accept_ctx *c, const zkr_app_round_accept_opts *a)
{
    const zkr_round_state *st = &c->ri.st;

    if (st->closed)
        return zkr_fail(&app->diag, ZKR_ERR_CONFLICT, "round %llu was already closed (log %llu)",
                        (unsigned long long)a->round, (unsigned long long)st->close_index);
    if (st->n_outcomes > 0)
        return zkr_fail(&app->diag, ZKR_ERR_CONFLICT, "round %llu has %u outcome(s) but no close "
                        "(written by an older zkreg); it cannot be closed again",
                        (unsigned long long)a->round, st->n_outcomes);
    for (uint32_t w = st->open.workers; w < ROUND_MAX_WORKERS; w++)
        if (a->sub[w])
            return zkr_fail(&app->diag, ZKR_ERR_USAGE, "--submission %u: round %llu has workers "
                            "0..%u", w, (unsigned long long)a->round, st->open.workers - 1);
    return ZKR_OK;
}

/* The outcomes of a round this accept closed, for the caller to show. */
static void accept_result(const accept_ctx *c, const zkr_artifact *res, size_t k,
                          zkr_app_round_accept_result *out)
{
    out->closed = 1;
    out->round = c->ri.st.index;
    out->workers = c->ri.st.open.workers;
    out->k = k;
    out->result = *res;
    for (uint32_t w = 0; w < c->ri.st.open.workers; w++) {
        out->accepted[w] = c->accepted[w];
        memcpy(out->reason[w], c->reason[w], REASON_MAX);
    }
}

zkr_err zkr_app_round_accept(zkr_app *app, const zkr_app_round_accept_opts *a,
                             zkr_app_round_accept_result *out)
{
    accept_ctx *c = calloc(1, sizeof *c);
    zkr_ml_tmodel *parent = NULL;
    zkr_app_train_data td;
    zkr_app_store_undo u = {NULL, 0, 0};
    zkr_artifact res;
    size_t k = 0;
    int own = 0;
    zkr_err r;

    memset(&td, 0, sizeof td);
    memset(out, 0, sizeof *out);
    out->round = a->round;
    if (c == NULL)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_app_registry_open(app, &c->reg)) != ZKR_OK ||
        (r = zkr_app_round_load(app, c->reg, a->round, &c->ri)) != ZKR_OK ||
        (r = accept_check(app, c, a)) != ZKR_OK)
        goto out;
    (void)refs_of(&c->ri, c->pref, c->dref, c->sref);
    if ((r = round_kind(app, c->reg, c->sref, &c->priv)) != ZKR_OK ||
        (r = zkr_app_train_load_model(app, c->reg, c->pref, &c->parent_a, &parent)) != ZKR_OK ||
        (r = (c->priv ? round_private_dataset(app, c->reg, c->dref, &c->ds_a)
                      : zkr_app_train_data_open(app, c->reg, c->dref, &c->ds_a, &td))) != ZKR_OK)
        goto out;
    /*
     * The store files of the accept (kept evaluation proofs, accepted children,
     * the average) are written before the close transaction, recorded: a close
     * that does not commit removes them again (docs/transactions.md).
     */
    own = zkr_app_store_undo_begin(app, &u);
    for (uint32_t w = 0; w < c->ri.st.open.workers; w++)
        if ((r = judge(app, c, w, a->sub[w], a->no_sandbox)) != ZKR_OK)
            goto out;
#if ZKR_TEST_BUILD
    test_pause();
#endif
    if ((r = round_write(app, c, &res, &k)) != ZKR_OK)
        goto out;
    zkr_app_store_undo_end(app, &u, own, 1); /* the close committed */
    own = 0;
    accept_result(c, &res, k, out);
    if (k == 0)
        r = zkr_fail(&app->diag, ZKR_ERR_VERIFY, "round %llu: no update was accepted",
                     (unsigned long long)a->round);
out:
    zkr_app_store_undo_end(app, &u, own, 0);
    for (uint32_t w = 0; w < ROUND_MAX_WORKERS; w++)
        zkr_ml_tmodel_free(c->children[w]);
    zkr_ml_tmodel_free(parent);
    zkr_app_train_data_free(&td);
    zkr_registry_close(c->reg);
    free(c);
    return r;
}

/* ------------------------------------------------------------------ */
/* round show / audit                                                  */
/* ------------------------------------------------------------------ */

/* An accepted outcome's statement is the one the round derives for that worker. */
static zkr_err audit_statement(zkr_app *app, zkr_registry *reg, const round_info *ri, uint32_t w)
{
    const zkr_round_outcome *o = &ri->st.outcome[w];
    zkr_app_train_params tp;
    zkr_statement st;
    uint64_t idx[ZKR_ML_T_MAX_BATCH];
    char hex[65];
    zkr_err r;

    memset(&st, 0, sizeof st);
    zkr_app_hex32(o->statement, hex);
    shard_indices(ri, w, idx);
    if ((r = zkr_registry_statement_get(reg, hex, &st, &app->diag)) != ZKR_OK)
        goto out;
    if ((r = strcmp(st.schema.proof_kind, ZKR_APP_TRAIN2_KIND) == 0
                 ? zkr_app_train2_params_of(app, &st, &tp)
                 : zkr_app_train_params_of(app, &st, &tp)) != ZKR_OK)
        goto out;
    if (memcmp(st.schema.digest, ri->st.open.schema, 32) != 0 ||
        memcmp(st.model.sha256, ri->st.open.parent, 32) != 0 ||
        memcmp(st.dataset.sha256, ri->st.open.dataset, 32) != 0 ||
        memcmp(tp.child, o->child, 32) != 0 || tp.lr != ri->st.open.lr ||
        tp.shift != ri->st.open.shift || tp.steps != 1 || tp.batch != ri->st.open.per_worker ||
        memcmp(tp.indices, idx, (size_t)tp.batch * sizeof idx[0]) != 0)
        r = zkr_fail(&app->diag, ZKR_ERR_VERIFY, "round %llu: worker %u's statement %s is not "
                     "the one the round derives for its shard", (unsigned long long)ri->st.index,
                     w, hex);
out:
    zkr_statement_free(&st);
    return r;
}

/* A registered model row of the round's program whose commitment recomputes from its bytes. */
static zkr_err audit_model(zkr_app *app, zkr_registry *reg, const zkr_artifact *parent,
                           const uint8_t sha[32], const uint8_t *want_comm, zkr_ml_tmodel **m,
                           uint8_t *comm_out)
{
    zkr_artifact a;
    uint8_t comm[32];
    char hex[65];
    zkr_err r;

    zkr_app_hex32(sha, hex);
    if ((r = zkr_app_train_load_model(app, reg, hex, &a, m)) != ZKR_OK ||
        (r = zkr_app_train_commit(app, *m, comm)) != ZKR_OK)
        return r;
    if (a.program_id != parent->program_id)
        return zkr_fail(&app->diag, ZKR_ERR_VERIFY, "model %s belongs to another program", hex);
    if (sodium_memcmp(comm, a.commitment, 32) != 0 ||
        (want_comm != NULL && sodium_memcmp(comm, want_comm, 32) != 0))
        return zkr_fail(&app->diag, ZKR_ERR_VERIFY, "model %s: its commitment does not "
                        "recompute to the %s one", hex, sodium_memcmp(comm, a.commitment, 32)
                                                           ? "registered" : "round-close's");
    if (comm_out != NULL)
        memcpy(comm_out, comm, 32);
    return ZKR_OK;
}

/*
 * Cross-checks a closed round: each accepted outcome's statement and child
 * row, then the average of the children against the close's result, its
 * commitment and the result's row. zkr_registry_round_get already tied the
 * close to its outcomes (one per worker, exactly the accepted children).
 */
static zkr_err audit_round(zkr_app *app, zkr_registry *reg, const round_info *ri,
                           zkr_ml_tmodel **kids, uint8_t comm[][32], uint8_t avg_sha[32])
{
    const zkr_round_state *st = &ri->st;
    zkr_ml_tmodel *res = NULL;
    zkr_artifact parent;
    zkr_buf b = {0};
    uint32_t k = 0;
    char hex[65];
    zkr_err r;

    zkr_app_hex32(st->open.parent, hex);
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, hex, &parent, &app->diag)) != ZKR_OK)
        return r;
    for (uint32_t w = 0; w < st->open.workers; w++) {
        if (!st->outcome[w].accepted)
            continue;
        if ((r = audit_statement(app, reg, ri, w)) != ZKR_OK ||
            (r = audit_model(app, reg, &parent, st->outcome[w].child, NULL, &kids[k++],
                             comm[w])) != ZKR_OK)
            return r;
    }
    if (k == 0)
        return ZKR_OK;
    if ((r = zkr_ml_fedavg((const zkr_ml_tmodel *const *)kids, k, &b, &app->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(b.p, b.len, avg_sha);
    zkr_app_hex32(avg_sha, hex);
    if (sodium_memcmp(avg_sha, st->close.result, 32) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_VERIFY, "round %llu: the average of its %u children is "
                     "%s, not the registered result", (unsigned long long)st->index, k, hex);
        goto out;
    }
    r = audit_model(app, reg, &parent, st->close.result, st->close.result_commitment, &res, NULL);
out:
    zkr_ml_tmodel_free(res);
    zkr_buf_free(&b);
    return r;
}

/*
 * Re-verifies, in the confined evalf-verify worker, the evaluation proof
 * accept kept for accepted worker w of a gated round, against the
 * statement the round derives for its registered child. Fills res's line
 * for w; a missing or failing proof, or a revoked evaluation verifier
 * version, sets *bad (not an error: every worker is audited). Registry
 * and I/O errors other than a missing file return.
 */
static zkr_err audit_eval(zkr_app *app, zkr_registry *reg, const round_info *ri, uint32_t w,
                          const uint8_t comm[32], int no_sandbox,
                          zkr_app_round_audit_result *res, int *bad)
{
    zkr_statement st;
    zkr_buf pb = {0};
    char path[4096];
    uint64_t correct = 0;
    zkr_err r, v;

    memset(&st, 0, sizeof st);
    if ((r = gate_statement(app, reg, ri, ri->st.outcome[w].child, comm, &st)) != ZKR_OK ||
        (r = zkr_app_store_path(app, ROUND_EVAL_STORE, st.statement_id, ".zkp", path,
                                sizeof path)) != ZKR_OK)
        goto out;
    /* A revoked verifier's verdict re-verifies nothing (accept would refuse it now). */
    if ((v = zkr_registry_verifier_revoked(reg, st.schema.proof_kind, st.schema.verifier_version,
                                           &app->diag)) != ZKR_OK) {
        if (v != ZKR_ERR_REVOKED) {
            r = v;
            goto out;
        }
        snprintf(res->eval[w], sizeof res->eval[w], "evaluation proof not re-verified: %s",
                 app->diag.msg);
        zkr_diag_clear(&app->diag);
        *bad = 1;
        goto out;
    }
    if ((v = zkr_file_read(path, ZKR_PROOF_MAX_BYTES, &pb, &app->diag)) != ZKR_OK) {
        if (v == ZKR_ERR_NOMEM) {
            r = v;
            goto out;
        }
        snprintf(res->eval[w], sizeof res->eval[w], "evaluation proof %s: %s",
                 v == ZKR_ERR_NOT_FOUND ? "missing" : "unreadable", app->diag.msg);
        zkr_diag_clear(&app->diag); /* kept in res; audit_evals names the first */
        *bad = 1;
        goto out;
    }
    v = zkr_app_eval_verify_derived(app, &st, pb.p, pb.len, no_sandbox, &correct);
    if (v != ZKR_OK) {
        snprintf(res->eval[w], sizeof res->eval[w], "evaluation proof no longer verifies (%s): %s",
                 zkr_strerror(v), app->diag.msg);
        zkr_diag_clear(&app->diag);
        *bad = 1;
        goto out;
    }
    res->eval_ok[w] = 1;
    snprintf(res->eval[w], sizeof res->eval[w], "evaluation proof re-verified: %llu of %llu "
             "correct (at least %llu required)", (unsigned long long)correct,
             (unsigned long long)st.dataset.record_count,
             (unsigned long long)ri->st.open.min_correct);
out:
    reason_clean(res->eval[w]);
    zkr_statement_free(&st);
    zkr_buf_free(&pb);
    return r;
}

/* Every accepted update's evaluation proof in a gated round; ZKR_ERR_VERIFY naming the first bad one. */
static zkr_err audit_evals(zkr_app *app, zkr_registry *reg, const round_info *ri,
                           uint8_t comm[][32], int no_sandbox, zkr_app_round_audit_result *res)
{
    uint32_t first_bad = UINT32_MAX, n_bad = 0;
    zkr_err r;

    for (uint32_t w = 0; w < ri->st.open.workers; w++) {
        int bad = 0;

        if (!ri->st.outcome[w].accepted)
            continue;
        if ((r = audit_eval(app, reg, ri, w, comm[w], no_sandbox, res, &bad)) != ZKR_OK)
            return r;
        if (bad && n_bad++ == 0)
            first_bad = w;
    }
    if (n_bad == 0)
        return ZKR_OK;
    return zkr_fail(&app->diag, ZKR_ERR_VERIFY, "round %llu: %u accepted update(s) without an "
                    "evaluation proof that verifies now; worker %u: %s",
                    (unsigned long long)ri->st.index, n_bad, first_bad, res->eval[first_bad]);
}

zkr_err zkr_app_round_audit(zkr_app *app, zkr_registry *reg, uint64_t round, int no_sandbox,
                            zkr_app_round_audit_result *res)
{
    zkr_ml_tmodel *kids[ROUND_MAX_WORKERS] = {0};
    uint8_t (*comm)[32] = calloc(ROUND_MAX_WORKERS, 32);
    round_info *ri = calloc(1, sizeof *ri);
    zkr_err r;

    memset(res, 0, sizeof *res);
    if (ri == NULL || comm == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_app_round_load(app, reg, round, ri)) != ZKR_OK)
        goto out;
    if (!ri->st.closed) {
        r = zkr_fail(&app->diag, ZKR_ERR_NOT_FOUND, "round %llu is not closed",
                     (unsigned long long)round);
        goto out;
    }
    if ((r = audit_round(app, reg, ri, kids, comm, res->avg_sha)) != ZKR_OK)
        goto out;
    res->k = ri->st.close.k;
    res->workers = ri->st.open.workers;
    res->gated = round_gated(ri);
    for (uint32_t w = 0; w < res->workers; w++)
        res->accepted[w] = ri->st.outcome[w].accepted;
    if (res->gated)
        r = audit_evals(app, reg, ri, comm, no_sandbox, res);
out:
    for (uint32_t i = 0; i < ROUND_MAX_WORKERS; i++)
        zkr_ml_tmodel_free(kids[i]);
    free(comm);
    free(ri);
    return r;
}
