/*
 * train_run.c: `zkreg train` without the command line (app/train.h): every
 * child model is registered together with its lineage event (one
 * transaction), so the log explains every model a run produced.
 */
#include <stdio.h>
#include <string.h>

#include "app/store.h"
#include "app/train.h"

typedef struct {
    zkr_registry *reg;
    zkr_artifact parent_a, dataset_a;
    char base[ZKR_NAME_MAX + 1]; /* the children's base name */
    uint64_t depth;              /* the parent's lineage depth */
    zkr_ml_tmodel *parent;
    zkr_app_train_data td;
    zkr_buf inputs, child_bytes, ev, proof;
} train_run;

static void train_run_free(train_run *t)
{
    zkr_ml_tmodel_free(t->parent);
    zkr_app_train_data_free(&t->td);
    zkr_buf_free(&t->inputs);
    zkr_buf_free(&t->child_bytes);
    zkr_buf_free(&t->ev);
    zkr_buf_free(&t->proof);
    zkr_registry_close(t->reg);
}

/*
 * --prove: the schema's parameter set before the first step, so that a schema
 * pinning another set than goldilocks-128 registers no child and no statement
 * (adversarial review).
 */
static zkr_err prove_schema_set(zkr_app *app, zkr_registry *reg, const char *sref)
{
    zkr_schema sc;
    uint32_t set;
    zkr_err r;

    if ((r = zkr_registry_schema_get(reg, sref, &sc, &app->diag)) != ZKR_OK)
        return r;
    return zkr_app_param_set_of(app, &sc, &set);
}

static zkr_err prove_step(zkr_app *app, const zkr_app_train_opts *a, train_run *t,
                          const zkr_ml_tmodel *child, const uint8_t child_sha[32],
                          const uint64_t *idx, const char *proof_name)
{
    zkr_statement st;
    zkr_app_train_params tp;
    char path[4096];
    zkr_err r;

    memset(&st, 0, sizeof st);
    if ((r = zkr_app_train_statement(app, t->reg, a->schema, &t->parent_a, &t->dataset_a, child_sha,
                                     &a->sp, idx, a->batch, &st)) != ZKR_OK ||
        (r = zkr_app_train_params_of(app, &st, &tp)) != ZKR_OK ||
        (r = zkr_app_train_prove(app, &st, t->parent, child, &t->td, &tp, a->no_sandbox,
                                 &t->proof)) != ZKR_OK)
        goto out;
    if (snprintf(path, sizeof path, "%s/%s", a->out_dir, proof_name) >= (int)sizeof path) {
        r = zkr_fail(&app->diag, ZKR_ERR_USAGE, "%s: path too long", a->out_dir);
        goto out;
    }
    if ((r = zkr_file_write_atomic(path, t->proof.p, t->proof.len, 0644, &app->diag)) != ZKR_OK)
        goto out;
    if (a->on_proof != NULL)
        a->on_proof(a->ctx, st.statement_id, path, t->proof.len);
out:
    zkr_statement_free(&st);
    return r;
}

/* Whether step's child keeps its bytes in the store. */
static int keeps_bytes(const zkr_app_train_opts *a, uint32_t step)
{
    if (a->prove || step + 1 == a->steps)
        return 1;
    return a->keep_every > 0 && (step + 1) % a->keep_every == 0;
}

/*
 * "BASE-step-D", BASE cut at a UTF-8 character boundary so that the name
 * fits ZKR_NAME_MAX with its suffix.
 */
static void child_name(const train_run *t, char out[ZKR_NAME_MAX + 1])
{
    char suffix[32];
    size_t n = strlen(t->base), room;

    snprintf(suffix, sizeof suffix, "-step-%llu", (unsigned long long)(t->depth + 1));
    room = ZKR_NAME_MAX - strlen(suffix);
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)t->base[n] & 0xc0) == 0x80)
            n--;
    }
    snprintf(out, ZKR_NAME_MAX + 1, "%.*s%s", (int)n, t->base, suffix);
}

/* --name, else the parent's name without a trailing "-step-N" (the run continues its count). */
static void base_name(const char *given, const char *parent, char out[ZKR_NAME_MAX + 1])
{
    const char *s = given != NULL ? given : parent, *cut = NULL, *p = s;
    size_t n;

    while (given == NULL && (p = strstr(p, "-step-")) != NULL) {
        size_t digits = strspn(p + 6, "0123456789");
        if (digits > 0 && p[6 + digits] == '\0')
            cut = p;
        p += 6;
    }
    n = cut != NULL ? (size_t)(cut - s) : strlen(s);
    if (n == 0) { /* a parent named only "-step-N" */
        s = parent;
        n = strlen(s);
    }
    snprintf(out, ZKR_NAME_MAX + 1, "%.*s", (int)(n > ZKR_NAME_MAX ? ZKR_NAME_MAX : n), s);
}

/* One step: train, register the child with its lineage, optionally prove. */
static zkr_err train_step(zkr_app *app, const zkr_app_train_opts *a, train_run *t, uint32_t step,
                          zkr_artifact *child_a)
{
    const zkr_ml_graph *g = zkr_ml_tmodel_graph(t->parent);
    uint64_t idx[ZKR_ML_T_MAX_BATCH];
    uint8_t labels[ZKR_ML_T_MAX_BATCH], comm[32], sha[32];
    zkr_ml_tmodel *child = NULL;
    char prog[32], name[ZKR_NAME_MAX + 1];
    zkr_binding bound[2];
    zkr_app_store_undo u = {NULL, 0, 0};
    uint64_t ev_index;
    int keep = keeps_bytes(a, step), own = 0;
    zkr_err r;

    if ((r = zkr_ml_train_batch_indices(a->first, step, a->batch, t->td.n, idx)) != ZKR_OK ||
        (r = zkr_app_train_batch(app, &t->td, g->input_dim, idx, a->batch, &t->inputs, labels)) !=
            ZKR_OK ||
        (r = zkr_ml_train_step(t->parent, t->inputs.p, t->inputs.len, labels, a->batch, &a->sp,
                               &t->child_bytes, NULL, &app->diag)) != ZKR_OK ||
        (r = zkr_ml_tmodel_decode(t->child_bytes.p, t->child_bytes.len, &child, &app->diag)) !=
            ZKR_OK)
        goto out;
    /*
     * The child's bytes go to the store before the transaction that registers
     * it, recorded: a step the registry refuses (a revoked parent or dataset)
     * removes them again (docs/transactions.md).
     */
    own = zkr_app_store_undo_begin(app, &u);
    if ((r = (keep ? zkr_app_train_commit_store(app, child, comm)
                   : zkr_app_train_commit(app, child, comm))) != ZKR_OK)
        goto out;
    zkr_ml_tmodel_digest(child, sha);
    if ((r = zkr_app_lineage_payload(&t->parent_a, sha, comm, &t->dataset_a, &a->sp, idx,
                                     a->batch, &t->ev)) != ZKR_OK)
        goto out;
    snprintf(prog, sizeof prog, "%lld", (long long)t->parent_a.program_id);
    child_name(t, name);
    /* The parent and the dataset must not be revoked, checked in the transaction that writes. */
    bound[0].kind = ZKR_KIND_MODEL;
    memcpy(bound[0].digest, t->parent_a.sha256, ZKR_DIGEST_BYTES);
    bound[1].kind = ZKR_KIND_DATASET;
    memcpy(bound[1].digest, t->dataset_a.sha256, ZKR_DIGEST_BYTES);
    if ((r = zkr_registry_model_add_event_bound(t->reg, name, prog, t->child_bytes.p,
                                                t->child_bytes.len, comm, "lineage", t->ev.p,
                                                t->ev.len, bound, 2, child_a, &ev_index,
                                                &app->diag)) != ZKR_OK)
        goto out;
    zkr_app_store_undo_end(app, &u, own, 1); /* committed: the bytes stay */
    own = 0;
    if (a->on_step != NULL)
        a->on_step(a->ctx, step, child_a, &t->parent_a, keep);
    if (a->prove) {
        char pn[64];
        snprintf(pn, sizeof pn, "step-%u.zkp", step);
        if ((r = prove_step(app, a, t, child, sha, idx, pn)) != ZKR_OK)
            goto out;
    }
    zkr_ml_tmodel_free(t->parent);
    t->parent = child;
    child = NULL;
    t->parent_a = *child_a;
    t->depth++;
out:
    zkr_app_store_undo_end(app, &u, own, 0);
    zkr_ml_tmodel_free(child);
    return r;
}

/* The parent's lineage depth: the children's names continue its step count. */
static zkr_err parent_depth(zkr_app *app, train_run *t)
{
    zkr_lineage_index *ix = NULL;
    zkr_err r = zkr_registry_lineage_index(t->reg, &ix, &app->diag);

    if (r == ZKR_OK)
        t->depth = zkr_lineage_index_depth(ix, t->parent_a.sha256);
    zkr_lineage_index_free(ix);
    return r;
}

static zkr_err train_eval(zkr_app *app, train_run *t, const char *ref, zkr_app_train_result *res)
{
    zkr_app_train_data td;
    zkr_artifact a;
    zkr_err r;

    if ((r = zkr_app_train_data_open(app, t->reg, ref, &a, &td)) != ZKR_OK)
        return r;
    if ((r = zkr_ml_tmodel_eval(t->parent, td.ds, 0, 0, &res->eval, &app->diag)) == ZKR_OK) {
        res->evaluated = 1;
        res->eval_dataset_id = a.id;
    }
    zkr_app_train_data_free(&td);
    return r;
}

zkr_err zkr_app_train_run(zkr_app *app, const zkr_app_train_opts *a, zkr_app_train_result *res)
{
    train_run t;
    zkr_artifact child_a;
    zkr_err r;

    memset(&t, 0, sizeof t);
    memset(res, 0, sizeof *res);
    if ((r = zkr_app_registry_open(app, &t.reg)) != ZKR_OK ||
        (r = zkr_app_train_load_model(app, t.reg, a->model, &t.parent_a, &t.parent)) != ZKR_OK ||
        (r = zkr_app_train_data_open(app, t.reg, a->dataset, &t.dataset_a, &t.td)) != ZKR_OK)
        goto out;
    if ((r = parent_depth(app, &t)) != ZKR_OK)
        goto out;
    base_name(a->name, t.parent_a.name, t.base);
    if (a->batch > t.td.n) {
        r = zkr_fail(&app->diag, ZKR_ERR_USAGE, "--batch-size %u: the dataset has %llu records "
                     "and a batch is distinct records (docs/training.md section 7)", a->batch,
                     (unsigned long long)t.td.n);
        goto out;
    }
    if (a->prove && ((r = prove_schema_set(app, t.reg, a->schema)) != ZKR_OK ||
                     (r = zkr_app_train_provable(app, t.parent, a->batch)) != ZKR_OK ||
                     (r = zkr_app_make_dir(app, a->out_dir)) != ZKR_OK))
        goto out;
    for (uint32_t s = 0; s < a->steps; s++)
        if ((r = train_step(app, a, &t, s, &child_a)) != ZKR_OK)
            goto out;
    res->last = t.parent_a;
    if (a->eval && (r = train_eval(app, &t, a->eval, res)) != ZKR_OK)
        goto out;
out:
    train_run_free(&t);
    return r;
}
