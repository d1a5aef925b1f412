/*
 * training-step@2 through the product (app/train2.h). The parent process
 * opens every file and registry row; the confined workers read nothing
 * but their request. The prover worker gets the shard's batch records and
 * their openings (the data owner's secrets) and nothing else secret; the
 * verifier worker gets only public values, every binding taken from the
 * registry, and the untrusted proof, whose statement echo it compares
 * with them before any mathematics so that a proof made for another
 * parent, child, dataset or batch is refused by name.
 *
 * The proof file (docs/formats.md, "training-step@2 proof"): the
 * container header (kind 7, parameter set 1, the statement_id), then
 *   1  STATEMENT  the statement echo (below)
 *   16 the batch's public inputs: per position the record's 48-byte
 *      hiding commitment and its RFC 6962 inclusion path
 *   17 the protocol body (zkr_prover_train2 / zkr_verify_train2, opaque)
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/dataset.h"
#include "app/store.h"
#include "app/train.h"
#include "app/train2.h"
#include "app/workers.h"
#include "ml/ml.h"
#include "prover/prover.h"
#include "prover/training2.h"
#include "verifier/training2.h"
#include "verifier/verifier.h"
#include "zk/train2.h"
#include "zk/zk.h"

#define TRAIN2_WORKER_VERSION 1u
#define TRAIN2_ECHO_VERSION 1u
#define TRAIN2_SEC_BATCH ZKR_SEC_TRAIN2_WITNESS /* tag 16: the batch's public inputs */
#define TRAIN2_SEC_BODY ZKR_SEC_TRAIN2_SUMCHECK /* tag 17: the protocol body */
#define TRAIN2_SEED_BYTES 32u                   /* a version 3 dataset's seed */

/* The public values one proof is about, in the parent and in the workers. */
typedef struct {
    uint8_t sid[ZKR_DIGEST_BYTES];
    uint8_t program[ZKR_DIGEST_BYTES];
    uint8_t parent_sha[ZKR_DIGEST_BYTES], child_sha[ZKR_DIGEST_BYTES];
    uint8_t dataset[ZKR_DIGEST_BYTES]; /* the version 3 dataset's registered digest */
    uint64_t n_records;
    uint8_t root[ZKR_DIGEST_BYTES];
    uint32_t lr, shift, steps, batch;
    uint64_t idx[ZKR_ML_T_MAX_BATCH];
} train2_facts;

/* ------------------------------------------------------------------ */
/* Statement fields                                                     */
/* ------------------------------------------------------------------ */

zkr_err zkr_app_train2_params_of(zkr_app *app, const zkr_statement *st, zkr_app_train_params *out)
{
    const zkr_param *child = zkr_app_stmt_param(st, "child_model", ZKR_PARAM_DIGEST);
    const zkr_param *idx = zkr_app_stmt_param(st, "record_indices", ZKR_PARAM_U64_LIST);
    zkr_err r;

    memset(out, 0, sizeof *out);
    if (strcmp(st->schema.proof_kind, ZKR_APP_TRAIN2_KIND) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: proof kind '%s', expected training-step@2",
                        st->schema.name, (unsigned long long)st->schema.version,
                        st->schema.proof_kind);
    if (child == NULL || idx == NULL || idx->value_len % 8 != 0 || idx->value_len == 0 ||
        idx->value_len / 8 > ZKR_ML_T_MAX_BATCH)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: training-step@2 needs fields child_model (digest) and "
                        "record_indices (u64-list of 1..%u entries)",
                        st->schema.name, (unsigned long long)st->schema.version,
                        ZKR_ML_T_MAX_BATCH);
    if ((r = zkr_app_stmt_u32(app, st, "lr", &out->lr)) != ZKR_OK ||
        (r = zkr_app_stmt_u32(app, st, "shift", &out->shift)) != ZKR_OK ||
        (r = zkr_app_stmt_u32(app, st, "steps", &out->steps)) != ZKR_OK)
        return r;
    if (out->steps != 1)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "statement: steps %u; a training-step@2 proof is one step", out->steps);
    memcpy(out->child, child->value, ZKR_DIGEST_BYTES);
    out->batch = (uint32_t)(idx->value_len / 8);
    for (uint32_t i = 0; i < out->batch; i++)
        out->indices[i] = zkr_load_be64(idx->value + 8 * (size_t)i);
    return ZKR_OK;
}

zkr_err zkr_app_train2_provable(zkr_app *app, const zkr_ml_tmodel *m, uint32_t batch, uint32_t lr,
                                uint32_t shift)
{
    const zkr_ml_graph *g = zkr_ml_tmodel_graph(m);
    uint32_t dims[ZKR_ML_MAX_LAYERS + 1];
    zkr_train2_shape s;
    zkr_params p;
    zkr_err r;

    if (g->n_layers > ZKR_TRAIN_MAX_LAYERS)
        return zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED, "training-step@2: %u layers, at most %u",
                        g->n_layers, ZKR_TRAIN_MAX_LAYERS);
    dims[0] = g->input_dim;
    for (uint32_t l = 0; l < g->n_layers; l++)
        dims[l + 1] = g->layers[l].out_dim;
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK)
        return r;
    return zkr_train2_shape_of(g->n_layers, dims, batch, lr, shift, p.max_vars, &s, &app->diag);
}

/* The facts of st from the registry rows (never from a proof). */
static zkr_err facts_of(zkr_app *app, const zkr_statement *st, train2_facts *f)
{
    zkr_app_train_params tp;
    zkr_err r;

    memset(f, 0, sizeof *f);
    if ((r = zkr_app_train2_params_of(app, st, &tp)) != ZKR_OK)
        return r;
    if (zkr_registry_dataset_version(&st->dataset) != 3)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "dataset %lld is not a version 3 (hiding record commitments) dataset",
                        (long long)st->dataset.id);
    memcpy(f->sid, st->statement_id, ZKR_DIGEST_BYTES);
    memcpy(f->program, st->program.sha256, ZKR_DIGEST_BYTES);
    memcpy(f->parent_sha, st->model.sha256, ZKR_DIGEST_BYTES);
    memcpy(f->child_sha, tp.child, ZKR_DIGEST_BYTES);
    memcpy(f->dataset, st->dataset.sha256, ZKR_DIGEST_BYTES);
    f->n_records = st->dataset.record_count;
    memcpy(f->root, st->dataset.records_root, ZKR_DIGEST_BYTES);
    f->lr = tp.lr;
    f->shift = tp.shift;
    f->steps = tp.steps;
    f->batch = tp.batch;
    memcpy(f->idx, tp.indices, (size_t)tp.batch * sizeof tp.indices[0]);
    for (uint32_t i = 0; i < f->batch; i++)
        if (f->idx[i] >= f->n_records)
            return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_INPUT,
                            "record_indices: record %llu is past the end of dataset %lld (%llu "
                            "records)", (unsigned long long)f->idx[i], (long long)st->dataset.id,
                            (unsigned long long)f->n_records);
    /* An imported or API-made statement may repeat one: refuse it before any reservation. */
    for (uint32_t i = 1; i < f->batch; i++)
        for (uint32_t j = 0; j < i; j++)
            if (f->idx[i] == f->idx[j])
                return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_INPUT,
                                "record_indices: record %llu is named twice (entries %u and %u); "
                                "a training batch is distinct records",
                                (unsigned long long)f->idx[i], j, i);
    return ZKR_OK;
}

static zkr_err facts_enc(const train2_facts *f, zkr_buf *b)
{
    zkr_err r;

    if ((r = zkr_buf_append(b, f->program, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(b, f->parent_sha, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(b, f->child_sha, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(b, f->dataset, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(b, f->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(b, f->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(b, f->lr)) != ZKR_OK || (r = zkr_enc_u32(b, f->shift)) != ZKR_OK ||
        (r = zkr_enc_u32(b, f->steps)) != ZKR_OK || (r = zkr_enc_u32(b, f->batch)) != ZKR_OK)
        return r;
    for (uint32_t i = 0; i < f->batch; i++)
        if ((r = zkr_enc_u64(b, f->idx[i])) != ZKR_OK)
            return r;
    return ZKR_OK;
}

static zkr_err dec_digest(zkr_dec *d, uint8_t out[ZKR_DIGEST_BYTES])
{
    const uint8_t *p;
    zkr_err r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &p);

    if (r == ZKR_OK)
        memcpy(out, p, ZKR_DIGEST_BYTES);
    return r;
}

static zkr_err facts_dec(zkr_dec *d, train2_facts *f)
{
    if (dec_digest(d, f->program) != ZKR_OK || dec_digest(d, f->parent_sha) != ZKR_OK ||
        dec_digest(d, f->child_sha) != ZKR_OK || dec_digest(d, f->dataset) != ZKR_OK ||
        zkr_dec_u64(d, &f->n_records) != ZKR_OK || dec_digest(d, f->root) != ZKR_OK ||
        zkr_dec_u32(d, &f->lr) != ZKR_OK || zkr_dec_u32(d, &f->shift) != ZKR_OK ||
        zkr_dec_u32(d, &f->steps) != ZKR_OK || zkr_dec_u32(d, &f->batch) != ZKR_OK ||
        f->batch == 0 || f->batch > ZKR_ML_T_MAX_BATCH)
        return ZKR_ERR_MALFORMED;
    for (uint32_t i = 0; i < f->batch; i++)
        if (zkr_dec_u64(d, &f->idx[i]) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* The public inputs of the protocol                                    */
/* ------------------------------------------------------------------ */

/* The public weights and the batch's public record inputs, pointing into decoded models. */
typedef struct {
    zkr_ml_tmodel *parent, *child;
    zkr_train2_public pub;
    uint8_t (*rc)[ZKR_RECORD_COMMIT_BYTES];
    const uint8_t (*paths[ZKR_ML_T_MAX_BATCH])[ZKR_DIGEST_BYTES];
    size_t plen[ZKR_ML_T_MAX_BATCH];
} train2_pub;

static void pub_free(train2_pub *t)
{
    zkr_ml_tmodel_free(t->parent);
    zkr_ml_tmodel_free(t->child);
    free(t->rc);
    memset(t, 0, sizeof *t);
}

/*
 * Decodes both models (the child's program must be the parent's), the
 * shape at (batch, lr, shift) and the public part of pub (weights, n,
 * root, indices). The record inputs are the caller's.
 */
static zkr_err pub_models(const zkr_params *p, const train2_facts *f, const uint8_t *pb,
                          size_t pl, const uint8_t *cb, size_t cl, train2_pub *t, zkr_diag *d)
{
    uint32_t dims[ZKR_ML_MAX_LAYERS + 1];
    uint8_t a[ZKR_DIGEST_BYTES], b[ZKR_DIGEST_BYTES];
    const zkr_ml_graph *g;
    zkr_err r;

    if ((r = zkr_ml_tmodel_decode(pb, pl, &t->parent, d)) != ZKR_OK ||
        (r = zkr_ml_tmodel_decode(cb, cl, &t->child, d)) != ZKR_OK)
        return r;
    zkr_ml_tmodel_program_digest(t->parent, a);
    zkr_ml_tmodel_program_digest(t->child, b);
    if (memcmp(a, f->program, ZKR_DIGEST_BYTES) != 0 || memcmp(b, f->program, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                        "the parent or the child model is not of the statement's program");
    g = zkr_ml_tmodel_graph(t->parent);
    if (g->n_layers > ZKR_TRAIN_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@2: %u layers, at most %u",
                        g->n_layers, ZKR_TRAIN_MAX_LAYERS);
    dims[0] = g->input_dim;
    for (uint32_t l = 0; l < g->n_layers; l++)
        dims[l + 1] = g->layers[l].out_dim;
    if ((r = zkr_train2_shape_of(g->n_layers, dims, f->batch, f->lr, f->shift, p->max_vars,
                                 &t->pub.s, d)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        t->pub.parent[l] = zkr_ml_tmodel_weights(t->parent, l);
        t->pub.child[l] = zkr_ml_tmodel_weights(t->child, l);
    }
    t->pub.n_records = f->n_records;
    memcpy(t->pub.root, f->root, ZKR_DIGEST_BYTES);
    t->pub.indices = f->idx;
    if ((t->rc = calloc(f->batch, sizeof *t->rc)) == NULL)
        return ZKR_ERR_NOMEM;
    t->pub.rec_commit = (const uint8_t(*)[ZKR_RECORD_COMMIT_BYTES])t->rc;
    t->pub.paths = t->paths;
    t->pub.path_len = t->plen;
    return ZKR_OK;
}

/* Section 16: per position the record commitment and its inclusion path (pointing into p). */
static zkr_err batch_dec(const uint8_t *p, size_t len, uint32_t batch, train2_pub *t)
{
    zkr_dec dec;
    const uint8_t *raw;
    uint32_t pl;

    zkr_dec_init(&dec, p, len);
    for (uint32_t i = 0; i < batch; i++) {
        if (zkr_dec_raw(&dec, ZKR_RECORD_COMMIT_BYTES, &raw) != ZKR_OK ||
            zkr_dec_u32(&dec, &pl) != ZKR_OK || pl > ZKR_MERKLE_MAX_DEPTH)
            return ZKR_ERR_MALFORMED;
        memcpy(t->rc[i], raw, ZKR_RECORD_COMMIT_BYTES);
        if (zkr_dec_raw(&dec, (size_t)pl * ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
            return ZKR_ERR_MALFORMED;
        t->paths[i] = (const uint8_t(*)[ZKR_DIGEST_BYTES])raw;
        t->plen[i] = pl;
    }
    return zkr_dec_finish(&dec);
}

/* ------------------------------------------------------------------ */
/* The prover worker                                                    */
/* ------------------------------------------------------------------ */

/*
 * Request: u32 version | statement_id[32] | u32 set | u32 threads | facts |
 * bytes parent | bytes child | batch x (bytes record | opening[40]) |
 * section 16's bytes | bytes seed. Reply: bytes body.
 */
zkr_err zkr_app_worker_train2_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d)
{
    const uint8_t *sid, *pb, *cb, *sec16, *seed, *rec, *op;
    size_t pl, cl, sec16_len, seed_len, rl;
    uint32_t ver, set, threads, in0 = 0;
    train2_facts f;
    train2_pub t;
    zkr_train2_secret sec;
    uint8_t *records = NULL, (*openings)[ZKR_RECORD_OPENING_BYTES] = NULL;
    zkr_params p;
    zkr_buf body = {0};
    zkr_dec dec;
    zkr_err r;

    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != TRAIN2_WORKER_VERSION ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &sid) != ZKR_OK || zkr_dec_u32(&dec, &set) != ZKR_OK ||
        zkr_dec_u32(&dec, &threads) != ZKR_OK || threads < 1 || threads > 16 ||
        facts_dec(&dec, &f) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &pb, &pl) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &cb, &cl) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "train2-prove request malformed");
    if (zkr_params_get(set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "unknown parameter set %u", set);
    if ((r = pub_models(&p, &f, pb, pl, cb, cl, &t, d)) != ZKR_OK)
        goto out;
    in0 = t.pub.s.in[0];
    /* Plain heap, wiped before free: sodium_malloc's mlock/madvise are not in the policy. */
    records = calloc(f.batch, (size_t)in0 + 1);
    openings = calloc(f.batch, ZKR_RECORD_OPENING_BYTES);
    if (records == NULL || openings == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < f.batch; i++) {
        if (zkr_dec_bytes(&dec, (size_t)in0 + 1, &rec, &rl) != ZKR_OK || rl != (size_t)in0 + 1 ||
            zkr_dec_raw(&dec, ZKR_RECORD_OPENING_BYTES, &op) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "train2-prove request malformed");
            goto out;
        }
        memcpy(records + (size_t)i * (in0 + 1), rec, rl);
        memcpy(openings[i], op, ZKR_RECORD_OPENING_BYTES);
    }
    if (zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &sec16, &sec16_len) != ZKR_OK ||
        batch_dec(sec16, sec16_len, f.batch, &t) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ZK_SEED_MAX, &seed, &seed_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "train2-prove request malformed");
        goto out;
    }
    sec.parent = t.parent;
    sec.records = records;
    sec.openings = (const uint8_t(*)[ZKR_RECORD_OPENING_BYTES])openings;
    if ((r = zkr_prover_train2(&p, sid, &t.pub, &sec, seed_len ? seed : NULL, seed_len, threads,
                               &body, d)) != ZKR_OK)
        goto out;
    r = zkr_enc_bytes(reply, body.p, body.len);
out:
    if (records != NULL)
        sodium_memzero(records, (size_t)f.batch * (in0 + 1));
    if (openings != NULL)
        sodium_memzero(openings, (size_t)f.batch * ZKR_RECORD_OPENING_BYTES);
    free(records);
    free(openings);
    zkr_buf_free(&body);
    pub_free(&t);
    return r;
}

/* ------------------------------------------------------------------ */
/* Proving (the parent)                                                 */
/* ------------------------------------------------------------------ */

/* The shard opened: the batch's records, commitments, openings and paths. */
typedef struct {
    zkr_dataset *ds;
    uint32_t in0;
    uint8_t *records;                               /* batch x (in0 + 1), secret */
    uint8_t (*openings)[ZKR_RECORD_OPENING_BYTES];  /* batch, secret */
    uint8_t (*rc)[ZKR_RECORD_COMMIT_BYTES];         /* batch */
    zkr_buf sec16;                                  /* the batch section */
} train2_shard;

static void shard_free(train2_shard *s)
{
    zkr_dataset_free(s->ds);
    sodium_free(s->records);
    sodium_free(s->openings);
    free(s->rc);
    zkr_buf_free(&s->sec16);
    memset(s, 0, sizeof *s);
}

/*
 * Commits every record of the shard as `dataset commit --hiding-records`
 * did (record i's key derived from the dataset seed and i, exactly
 * zkr_prover_infer2_dataset_commit's rule), keeping the leaves and the
 * batch positions' commitments and openings. O(shard) hiding commitments.
 */
static zkr_err shard_commit(const zkr_params *p, const train2_facts *f,
                            const zkr_app_dscommit3_secrets *dsec, train2_shard *s,
                            uint8_t (*leaves)[ZKR_DIGEST_BYTES], uint64_t n, zkr_diag *d)
{
    uint8_t c[ZKR_RECORD_COMMIT_BYTES], o[ZKR_RECORD_OPENING_BYTES], rs[32], ib[8];
    const uint8_t *rec;
    size_t len;
    zkr_err r = ZKR_OK;

    for (uint64_t i = 0; i < n && r == ZKR_OK; i++) {
        if ((r = zkr_dataset_record(s->ds, i, &rec, &len)) != ZKR_OK)
            break;
        zkr_store_be64(ib, i);
        crypto_generichash(rs, sizeof rs, ib, sizeof ib, dsec->seed, TRAIN2_SEED_BYTES);
        r = zkr_prover_record_commit(p, rec, len, dsec->budget, rs, sizeof rs, 1, c, o);
        if (r == ZKR_OK) {
            zkr_infer2_record_leaf(c, leaves[i]);
            for (uint32_t b = 0; b < f->batch; b++) {
                if (f->idx[b] != i)
                    continue;
                if (len != (size_t)s->in0 + 1) {
                    r = zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                                 "record %llu has %zu bytes; the program takes %u input bytes "
                                 "and a label", (unsigned long long)i, len, s->in0);
                    break;
                }
                memcpy(s->records + (size_t)b * len, rec, len);
                memcpy(s->rc[b], c, sizeof c);
                memcpy(s->openings[b], o, sizeof o);
            }
        }
    }
    sodium_memzero(o, sizeof o);
    sodium_memzero(rs, sizeof rs);
    return r;
}

/* Opens the owner's shard under the secrets; checks it is the registered dataset. */
static zkr_err shard_open(zkr_app *app, const zkr_statement *st, const train2_facts *f,
                          const zkr_app_train2_opts *o, const zkr_app_dscommit3_secrets *dsec,
                          uint32_t in0, train2_shard *s)
{
    uint8_t (*leaves)[ZKR_DIGEST_BYTES] = NULL;
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    size_t path_len;
    zkr_dscommit c;
    zkr_params p;
    uint64_t n;
    zkr_err r;

    s->in0 = in0;
    if (sodium_memcmp(dsec->digest, st->dataset.sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: the secrets of another dataset than dataset %lld",
                        o->dataset_secrets, (long long)st->dataset.id);
    if ((r = zkr_dataset_open(o->dataset_file, &s->ds, &app->diag)) != ZKR_OK ||
        (r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK)
        return r;
    n = zkr_dataset_count(s->ds);
    if (n != f->n_records)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: %llu records, dataset %lld has %llu", o->dataset_file,
                        (unsigned long long)n, (long long)st->dataset.id,
                        (unsigned long long)f->n_records);
    s->records = sodium_malloc((size_t)f->batch * (in0 + 1));
    s->openings = sodium_malloc((size_t)f->batch * ZKR_RECORD_OPENING_BYTES);
    s->rc = calloc(f->batch, sizeof *s->rc);
    leaves = malloc((size_t)n * ZKR_DIGEST_BYTES);
    if (s->records == NULL || s->openings == NULL || s->rc == NULL || leaves == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = shard_commit(&p, f, dsec, s, leaves, n, &app->diag)) != ZKR_OK)
        goto out;
    memset(&c, 0, sizeof c);
    c.version = ZKR_DSCOMMIT_VERSION_HPC;
    c.format = zkr_dataset_format_of(s->ds);
    c.count = n;
    if ((r = zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n, c.root)) != ZKR_OK ||
        (r = zkr_dscommit_digest(&c, c.digest)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(c.digest, st->dataset.sha256, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_DATASET,
                     "%s: these records under these secrets do not give dataset %lld's "
                     "commitment (other data, or changed since the commit)", o->dataset_file,
                     (long long)st->dataset.id);
        goto out;
    }
    for (uint32_t b = 0; b < f->batch; b++) {
        if ((r = zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, n,
                                            f->idx[b], path, &path_len)) != ZKR_OK ||
            (r = zkr_buf_append(&s->sec16, s->rc[b], ZKR_RECORD_COMMIT_BYTES)) != ZKR_OK ||
            (r = zkr_enc_u32(&s->sec16, (uint32_t)path_len)) != ZKR_OK ||
            (r = zkr_buf_append(&s->sec16, (const uint8_t *)path,
                                path_len * ZKR_DIGEST_BYTES)) != ZKR_OK)
            goto out;
    }
out:
    free(leaves);
    return r;
}

/* The native step on the batch: it must give the statement's child (checked before any reservation). */
static zkr_err native_child(zkr_app *app, const zkr_ml_tmodel *parent, const train2_facts *f,
                            const train2_shard *s, zkr_buf *child)
{
    zkr_ml_tstep_params sp = {.lr = f->lr, .shift = f->shift};
    uint8_t *in = NULL, labels[ZKR_ML_T_MAX_BATCH], sha[ZKR_DIGEST_BYTES];
    char want[65];
    zkr_err r;

    if ((in = sodium_malloc((size_t)f->batch * s->in0)) == NULL)
        return ZKR_ERR_NOMEM;
    for (uint32_t b = 0; b < f->batch; b++) {
        memcpy(in + (size_t)b * s->in0, s->records + (size_t)b * (s->in0 + 1), s->in0);
        labels[b] = s->records[(size_t)b * (s->in0 + 1) + s->in0];
    }
    r = zkr_ml_train_step(parent, in, (size_t)f->batch * s->in0, labels, f->batch, &sp, child,
                          NULL, &app->diag);
    sodium_free(in); /* wipes */
    sodium_memzero(labels, sizeof labels);
    if (r != ZKR_OK)
        return r;
    zkr_sha256(child->p, child->len, sha);
    zkr_app_hex32(f->child_sha, want);
    if (memcmp(sha, f->child_sha, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "the step on these records does not give the statement's child model "
                        "%.16s...; nothing reserved, no proof written", want);
    return ZKR_OK;
}

/* One opening of each batch record's commitment, all or none (the registry's ledger). */
static zkr_err reserve(zkr_app *app, const zkr_app_train2_opts *o, const train2_facts *f,
                       const train2_shard *s, uint32_t budget)
{
    zkr_zkledger_req q[ZKR_ML_T_MAX_BATCH];
    char what[ZKR_ML_T_MAX_BATCH][48], ledger[4200];
    zkr_err r;

    _Static_assert(ZKR_ZKLEDGER_MAX_REQS >= ZKR_ML_T_MAX_BATCH,
                   "a training batch's records are reserved at once");
    memset(q, 0, sizeof q);
    if ((r = zkr_app_ledger_path(app, ledger, sizeof ledger)) != ZKR_OK)
        return r;
    for (uint32_t b = 0; b < f->batch; b++) {
        (void)snprintf(what[b], sizeof what[b], "record %llu commitment",
                       (unsigned long long)f->idx[b]);
        /* One ledger for every commitment; the secrets' old ledger is imported. */
        q[b].ledger = ledger;
        q[b].legacy = o->dataset_secrets;
        q[b].what = what[b];
        /* The ledger kind inference@2 uses: one record commitment, one budget, whatever proves. */
        zkr_zkledger_id("record@1", s->rc[b], ZKR_RECORD_COMMIT_BYTES, q[b].id);
        q[b].budget = budget;
        q[b].reveal_cap = budget;
        q[b].openings = 1;
        q[b].reveals = 1;
    }
    return zkr_zkledger_reserve(q, f->batch, &app->diag);
}

static zkr_err prove_request(const train2_facts *f, const zkr_app_train2_opts *o,
                             const zkr_ml_tmodel *parent, const zkr_buf *child,
                             const train2_shard *s, zkr_buf *req)
{
    const uint8_t *pb;
    size_t pl;
    zkr_err r;

    zkr_ml_tmodel_bytes(parent, &pb, &pl);
    if ((r = zkr_enc_u32(req, TRAIN2_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, f->sid, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, ZKR_PARAM_SET_128)) != ZKR_OK ||
        (r = zkr_enc_u32(req, o->threads ? o->threads : 1)) != ZKR_OK ||
        (r = facts_enc(f, req)) != ZKR_OK || (r = zkr_enc_bytes(req, pb, pl)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, child->p, child->len)) != ZKR_OK)
        return r;
    for (uint32_t b = 0; b < f->batch; b++)
        if ((r = zkr_enc_bytes(req, s->records + (size_t)b * (s->in0 + 1), s->in0 + 1)) !=
                ZKR_OK ||
            (r = zkr_buf_append(req, s->openings[b], ZKR_RECORD_OPENING_BYTES)) != ZKR_OK)
            return r;
    if ((r = zkr_enc_bytes(req, s->sec16.p, s->sec16.len)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(req, o->zk_seed, o->zk_seed ? o->zk_seed_len : 0);
}

/* The proof file: the container around the echo, the batch section and the body. */
static zkr_err proof_file(const train2_facts *f, const train2_shard *s, const uint8_t *body,
                          size_t body_len, zkr_buf *out)
{
    zkr_buf echo = {0};
    zkr_err r;

    if ((r = zkr_enc_u32(&echo, TRAIN2_ECHO_VERSION)) == ZKR_OK &&
        (r = facts_enc(f, &echo)) == ZKR_OK &&
        (r = zkr_proof_begin(out, ZKR_PARAM_SET_128, ZKR_KIND_TRAIN2, f->sid, 3)) == ZKR_OK &&
        (r = zkr_proof_add_section(out, ZKR_SEC_STATEMENT, echo.p, echo.len)) == ZKR_OK &&
        (r = zkr_proof_add_section(out, TRAIN2_SEC_BATCH, s->sec16.p, s->sec16.len)) == ZKR_OK)
        r = zkr_proof_add_section(out, TRAIN2_SEC_BODY, body, body_len);
    zkr_buf_free(&echo);
    return r;
}

zkr_err zkr_app_train2_prove(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                             const zkr_app_train2_opts *o, zkr_app_prove_result *res)
{
    zkr_app_dscommit3_secrets dsec;
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result sres;
    zkr_ml_tmodel *parent = NULL;
    zkr_artifact pa;
    zkr_buf child = {0}, req = {0}, reply = {0}, file = {0};
    train2_facts f;
    train2_shard s;
    char ref[32];
    struct timespec t0, t1;
    const uint8_t *body;
    size_t body_len;
    zkr_dec dec;
    uint32_t set;
    zkr_err r;

    memset(&dsec, 0, sizeof dsec);
    memset(&s, 0, sizeof s);
    /* goldilocks-128 only: another set's statement would spend the batch's openings on a
     * proof no verifier accepts (adversarial review). */
    if ((r = zkr_app_param_set_of(app, &st->schema, &set)) != ZKR_OK)
        return r;
    if (o->dataset_file == NULL || o->dataset_secrets == NULL)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "a training-step@2 proof needs --dataset-file and --dataset-secrets (the "
                        "data owner's shard and its sealed secrets)");
    if (o->zk_seed != NULL && o->zk_seed_len != ZKR_ZK_SEED_BYTES)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "--zk-seed: %zu bytes, %d expected",
                        o->zk_seed_len, ZKR_ZK_SEED_BYTES);
    /* The batch's openings are reserved before the proof is written: an output path that
     * cannot be written (prove -o, a round worker's --out-dir) would spend them for nothing
     * (found in adversarial review). */
    if ((r = zkr_app_out_probe(app, o->out, "a proof")) != ZKR_OK)
        return r;
    so.no_sandbox = o->no_sandbox;
    (void)snprintf(ref, sizeof ref, "%lld", (long long)st->model.id);
    if ((r = facts_of(app, st, &f)) != ZKR_OK ||
        (r = zkr_app_train_load_model(app, reg, ref, &pa, &parent)) != ZKR_OK ||
        (r = zkr_app_dscommit3_secrets_load(app, o->dataset_secrets, o->pass, &dsec)) != ZKR_OK ||
        (r = shard_open(app, st, &f, o, &dsec, zkr_ml_tmodel_graph(parent)->input_dim, &s)) !=
            ZKR_OK ||
        (r = native_child(app, parent, &f, &s, &child)) != ZKR_OK)
        goto out;
    {
        /* The shape is checked before the reservation too: an unprovable one spends nothing. */
        train2_pub t;
        zkr_params p;
        memset(&t, 0, sizeof t);
        if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) == ZKR_OK) {
            const uint8_t *pb;
            size_t pl;
            zkr_ml_tmodel_bytes(parent, &pb, &pl);
            r = pub_models(&p, &f, pb, pl, child.p, child.len, &t, &app->diag);
        }
        pub_free(&t);
        if (r != ZKR_OK)
            goto out;
    }
    if ((r = reserve(app, o, &f, &s, dsec.budget)) != ZKR_OK ||
        (r = prove_request(&f, o, parent, &child, &s, &req)) != ZKR_OK)
        goto out;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = zkr_sandbox_call(zkr_app_workers, "train2-prove", &so, req.p, req.len, &reply, &sres,
                         &app->diag);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (r != ZKR_OK)
        goto out;
    zkr_dec_init(&dec, reply.p, reply.len);
    if (zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &body, &body_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK) {
        r = zkr_fail(&app->diag, ZKR_ERR_INTERNAL, "train2-prove worker reply malformed");
        goto out;
    }
    if ((r = proof_file(&f, &s, body, body_len, &file)) != ZKR_OK ||
        (r = zkr_file_write_atomic(o->out, file.p, file.len, 0644, &app->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(file.p, file.len, res->sha256);
    res->bytes = file.len;
out:
    if (req.p != NULL)
        sodium_memzero(req.p, req.len); /* it carried the records and their openings */
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    zkr_buf_free(&file);
    zkr_buf_free(&child);
    zkr_ml_tmodel_free(parent);
    shard_free(&s);
    zkr_app_dscommit3_secrets_free(&dsec);
    return r;
}

/* ------------------------------------------------------------------ */
/* Verifying                                                            */
/* ------------------------------------------------------------------ */

/* The echo against the registry's facts: the first difference named. */
static zkr_err echo_check(const uint8_t *p, size_t len, const train2_facts *want, zkr_diag *d)
{
    train2_facts got;
    uint32_t ver;
    zkr_dec dec;

    memset(&got, 0, sizeof got);
    zkr_dec_init(&dec, p, len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != TRAIN2_ECHO_VERSION ||
        facts_dec(&dec, &got) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: the statement section is malformed");
    if (memcmp(got.program, want->program, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM, "proof is for another program");
    if (memcmp(got.parent_sha, want->parent_sha, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof is for another parent model than the statement's");
    if (memcmp(got.child_sha, want->child_sha, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof is for another child model than the statement's");
    if (memcmp(got.dataset, want->dataset, ZKR_DIGEST_BYTES) != 0 ||
        got.n_records != want->n_records || memcmp(got.root, want->root, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_DATASET,
                        "proof is for another dataset commitment than the statement's");
    if (got.batch != want->batch || memcmp(got.idx, want->idx, sizeof got.idx) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "proof is for another batch (record indices) than the statement's");
    if (got.lr != want->lr || got.shift != want->shift || got.steps != want->steps)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "proof is for other step parameters (lr %u, shift %u, steps %u) than the "
                        "statement's (%u, %u, %u)", got.lr, got.shift, got.steps, want->lr,
                        want->shift, want->steps);
    return ZKR_OK;
}

/*
 * Request: u32 version | statement_id[32] | u32 set | facts | bytes parent
 * | bytes child | bytes proof. Every value but the proof is the registry's.
 */
zkr_err zkr_app_worker_train2_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                     zkr_diag *d)
{
    static const uint32_t tags[3] = {ZKR_SEC_STATEMENT, TRAIN2_SEC_BATCH, TRAIN2_SEC_BODY};
    const uint8_t *sid, *pb, *cb, *proof;
    size_t pl, cl, proof_len;
    uint8_t sha[ZKR_DIGEST_BYTES];
    uint32_t ver, set;
    train2_facts f;
    train2_pub t;
    zkr_proof_view v;
    zkr_params p;
    zkr_dec dec;
    zkr_err r;

    (void)reply;
    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != TRAIN2_WORKER_VERSION ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &sid) != ZKR_OK || zkr_dec_u32(&dec, &set) != ZKR_OK ||
        facts_dec(&dec, &f) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &pb, &pl) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &cb, &cl) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "train2-verify request malformed");
    memcpy(f.sid, sid, ZKR_DIGEST_BYTES);
    /* The models are the registry's: their bytes must hash to the bound digests. */
    zkr_sha256(pb, pl, sha);
    if (memcmp(sha, f.parent_sha, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "the parent's bytes are not the registered ones");
    zkr_sha256(cb, cl, sha);
    if (memcmp(sha, f.child_sha, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "the child's bytes are not the statement's");
    if (zkr_params_get(set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "unknown parameter set %u", set);
    if ((r = zkr_proof_parse(proof, proof_len, &v, d)) != ZKR_OK)
        return r;
    if (v.kind != ZKR_KIND_TRAIN2)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS,
                        "proof kind %u is not training-step@2 (kind %u)", v.kind,
                        ZKR_KIND_TRAIN2);
    if (v.n_sections != 3 || v.tag[0] != ZKR_SEC_STATEMENT)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: not the sections of a training-step@2 proof");
    if ((r = echo_check(v.body[0], v.len[0], &f, d)) != ZKR_OK ||
        (r = zkr_proof_view_bind(&v, set, ZKR_KIND_TRAIN2, ZKR_APP_TRAIN2_KIND, f.sid, tags, 3,
                                 d)) != ZKR_OK ||
        (r = pub_models(&p, &f, pb, pl, cb, cl, &t, d)) != ZKR_OK)
        goto out;
    if (batch_dec(v.body[1], v.len[1], f.batch, &t) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: the batch section is malformed");
        goto out;
    }
    r = zkr_verify_train2(&p, f.sid, &t.pub, v.body[2], v.len[2], d);
out:
    pub_free(&t);
    return r;
}

/* A model's bytes from the store, checked against its registered sha256. */
static zkr_err store_model(zkr_app *app, const zkr_artifact *a, zkr_buf *out)
{
    uint8_t sha[ZKR_DIGEST_BYTES];
    char path[4096];
    zkr_err r;

    if ((r = zkr_app_store_path(app, "models", a->sha256, "", path, sizeof path)) != ZKR_OK)
        return r;
    if ((r = zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, out, &app->diag)) != ZKR_OK) {
        zkr_diag_clear(&app->diag);
        return zkr_fail(&app->diag, r, "model %lld: its bytes are not in the store beside the "
                        "registry (%s)", (long long)a->id, path);
    }
    zkr_sha256(out->p, out->len, sha);
    if (sodium_memcmp(sha, a->sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                        "%s: stored bytes differ from model %lld's registered sha256", path,
                        (long long)a->id);
    return ZKR_OK;
}

zkr_err zkr_app_train2_verify_request(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                                      const uint8_t *child, size_t child_len,
                                      const uint8_t *proof, size_t proof_len, zkr_buf *req)
{
    zkr_artifact ca;
    zkr_buf pb = {0}, cb = {0};
    uint8_t sha[ZKR_DIGEST_BYTES];
    uint32_t set;
    train2_facts f;
    char hex[65];
    zkr_err r;

    if ((r = facts_of(app, st, &f)) != ZKR_OK ||
        (r = zkr_app_param_set_of(app, &st->schema, &set)) != ZKR_OK)
        return r;
    if ((r = zkr_app_verifier_pinned(app, &st->schema)) != ZKR_OK)
        return r;
    zkr_app_hex32(f.child_sha, hex);
    if (child == NULL) {
        if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, hex, &ca, &app->diag)) != ZKR_OK)
            return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                            "the statement's child model %.16s... is not registered", hex);
        if (ca.program_id != st->program.id)
            return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM,
                            "child model %lld belongs to another program", (long long)ca.id);
        if ((r = store_model(app, &ca, &cb)) != ZKR_OK)
            goto out;
    } else {
        zkr_sha256(child, child_len, sha);
        if (memcmp(sha, f.child_sha, ZKR_DIGEST_BYTES) != 0)
            return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_MODEL,
                            "the submitted child is not the statement's child model %.16s...",
                            hex);
        if ((r = zkr_buf_append(&cb, child, child_len)) != ZKR_OK)
            goto out;
    }
    /* Every row the statement names, the child included (round accept has no other check). */
    if ((r = zkr_registry_check_revoked(reg, ZKR_KIND_STATEMENT, st->statement_id, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_SCHEMA, st->schema.digest, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, st->program.sha256, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, st->model.sha256, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, f.child_sha, NULL, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_DATASET, st->dataset.sha256, NULL,
                                        &app->diag)) != ZKR_OK ||
        (r = store_model(app, &st->model, &pb)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_u32(req, TRAIN2_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_buf_append(req, f.sid, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, set)) != ZKR_OK || (r = facts_enc(&f, req)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, pb.p, pb.len)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, cb.p, cb.len)) != ZKR_OK)
        goto out;
    r = zkr_enc_bytes(req, proof, proof_len);
out:
    zkr_buf_free(&pb);
    zkr_buf_free(&cb);
    return r;
}

zkr_err zkr_app_train2_verify(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                              const uint8_t *child, size_t child_len, const uint8_t *proof,
                              size_t proof_len, int no_sandbox)
{
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result res;
    zkr_buf req = {0}, reply = {0};
    zkr_err r;

    so.no_sandbox = no_sandbox;
    if ((r = zkr_app_train2_verify_request(app, reg, st, child, child_len, proof, proof_len,
                                           &req)) == ZKR_OK)
        r = zkr_sandbox_call(zkr_app_workers, "train2-verify", &so, req.p, req.len, &reply, &res,
                             &app->diag);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}
