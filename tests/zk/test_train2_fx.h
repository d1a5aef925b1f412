/* A training-step@2 fixture: a tiny program, a hiding dataset commitment, a batch. */
#ifndef ZKR_TEST_TRAIN2_FX_H
#define ZKR_TEST_TRAIN2_FX_H

#ifndef T2FX_NREC /* a test may define a larger dataset before including */
#define T2FX_NREC 8u
#endif

typedef struct {
    zkr_params p;
    uint8_t sid[ZKR_DIGEST_BYTES];
    uint8_t recs[T2FX_NREC][64];
    uint8_t allc[T2FX_NREC][ZKR_RECORD_COMMIT_BYTES];
    uint8_t allo[T2FX_NREC][ZKR_RECORD_OPENING_BYTES];
    uint8_t leaves[T2FX_NREC][ZKR_DIGEST_BYTES];
    uint8_t paths[ZKR_TRAIN_MAX_BATCH][ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    const uint8_t (*pathp[ZKR_TRAIN_MAX_BATCH])[ZKR_DIGEST_BYTES];
    size_t plen[ZKR_TRAIN_MAX_BATCH];
    uint64_t idx[ZKR_TRAIN_MAX_BATCH];
    uint8_t rc[ZKR_TRAIN_MAX_BATCH][ZKR_RECORD_COMMIT_BYTES];
    uint8_t ro[ZKR_TRAIN_MAX_BATCH][ZKR_RECORD_OPENING_BYTES];
    uint8_t batch_recs[ZKR_TRAIN_MAX_BATCH * 64];
    zkr_ml_tmodel *parent;
    int32_t *pw[ZKR_TRAIN_MAX_LAYERS], *cw[ZKR_TRAIN_MAX_LAYERS];
    zkr_train2_public pub;
    zkr_train2_secret sec;
} t2fx;

static inline void t2fx_free(t2fx *f)
{
    for (uint32_t l = 0; l < ZKR_TRAIN_MAX_LAYERS; l++) {
        free(f->pw[l]);
        free(f->cw[l]);
    }
    zkr_ml_tmodel_free(f->parent);
}

/*
 * lr 8, shift 12; random records and labels (fixed_records: record i's
 * bytes a fixed function of i, or of perm[i] when perm is given: the same
 * records in another order); weights from seed 3. fast:
 * a test-only parameter set (8 queries, no grinding) for tests whose
 * verdicts come from the algebra, not from the query phase's soundness
 * (the cheating provers and the leakage test); the transcript binds it.
 */
static inline int t2fx_setup_perm(zkr_tap *t, t2fx *f, const uint32_t *dims, size_t nd,
                                  uint32_t batch, int fast, uint32_t salt, int fixed_records,
                                  uint32_t shift, const uint32_t *perm)
{
    zkr_ml_graph g;
    zkr_buf b = {0}, child = {0};
    zkr_ml_tmodel *cm = NULL;
    uint8_t seed[32] = {3}, root[ZKR_DIGEST_BYTES], in[ZKR_TRAIN_MAX_BATCH * 64];
    uint8_t lab[ZKR_TRAIN_MAX_BATCH];
    uint32_t in0 = dims[0], L = (uint32_t)nd - 1;
    zkr_ml_tstep_params sp = {.lr = 8, .shift = shift};
    int ok = 1;

    memset(f, 0, sizeof *f);
    ok &= zkr_params_get(ZKR_PARAM_SET_128, &f->p) == ZKR_OK;
    if (fast) {
        f->p.queries = 8;
        f->p.pow_bits = 0;
    }
    for (int i = 0; i < 32; i++)
        f->sid[i] = (uint8_t)(0x20 + i);
    for (uint32_t i = 0; ok && i < T2FX_NREC; i++) {
        uint8_t rs[32] = {(uint8_t)i, 0x55, (uint8_t)salt, (uint8_t)(salt >> 8),
                          (uint8_t)(salt >> 16), (uint8_t)(salt >> 24)};
        uint32_t src = perm ? perm[i] : i; /* the fixed record this position holds */
        for (uint32_t k = 0; k < in0; k++)
            f->recs[i][k] = fixed_records ? (uint8_t)(37 * src + 11 * k + 5)
                                          : (uint8_t)zkr_tap_rand(t);
        f->recs[i][in0] = (uint8_t)((fixed_records ? src : zkr_tap_rand(t)) % dims[nd - 1]);
        ok &= zkr_prover_record_commit(&f->p, f->recs[i], in0 + 1, 1, rs, sizeof rs, 1,
                                       f->allc[i], f->allo[i]) == ZKR_OK;
        zkr_infer2_record_leaf(f->allc[i], f->leaves[i]);
    }
    ok &= ok && zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])f->leaves, T2FX_NREC, root) ==
                    ZKR_OK;
    for (uint32_t q = 0; ok && q < batch; q++) {
        f->idx[q] = (1 + 3 * (uint64_t)q) % T2FX_NREC;
        ok &= zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])f->leaves, T2FX_NREC,
                                         f->idx[q], f->paths[q], &f->plen[q]) == ZKR_OK;
        f->pathp[q] = (const uint8_t(*)[ZKR_DIGEST_BYTES])f->paths[q];
        memcpy(f->rc[q], f->allc[f->idx[q]], ZKR_RECORD_COMMIT_BYTES);
        memcpy(f->ro[q], f->allo[f->idx[q]], ZKR_RECORD_OPENING_BYTES);
        memcpy(f->batch_recs + (size_t)q * (in0 + 1), f->recs[f->idx[q]], in0 + 1);
        memcpy(in + (size_t)q * in0, f->recs[f->idx[q]], in0);
        lab[q] = f->recs[f->idx[q]][in0];
    }
    ok &= ok && zkr_ml_tprogram_make(dims, nd, &g, NULL) == ZKR_OK;
    ok &= ok && zkr_ml_tmodel_init(&g, seed, &b, NULL) == ZKR_OK;
    ok &= ok && zkr_ml_tmodel_decode(b.p, b.len, &f->parent, NULL) == ZKR_OK;
    ok &= ok && zkr_ml_train_step(f->parent, in, (size_t)batch * in0, lab, batch, &sp, &child,
                                  NULL, NULL) == ZKR_OK;
    ok &= ok && zkr_ml_tmodel_decode(child.p, child.len, &cm, NULL) == ZKR_OK;
    ok &= ok && zkr_train2_shape_of(L, dims, batch, sp.lr, sp.shift, f->p.max_vars, &f->pub.s,
                                    NULL) == ZKR_OK;
    for (uint32_t l = 0; ok && l < L; l++) {
        size_t n = (size_t)dims[l + 1] * (dims[l] + 1);
        f->pw[l] = malloc(n * sizeof(int32_t));
        f->cw[l] = malloc(n * sizeof(int32_t));
        if (!f->pw[l] || !f->cw[l]) {
            ok = 0;
            break;
        }
        memcpy(f->pw[l], zkr_ml_tmodel_weights(f->parent, l), n * sizeof(int32_t));
        memcpy(f->cw[l], zkr_ml_tmodel_weights(cm, l), n * sizeof(int32_t));
        f->pub.parent[l] = f->pw[l];
        f->pub.child[l] = f->cw[l];
    }
    f->pub.n_records = T2FX_NREC;
    memcpy(f->pub.root, root, sizeof root);
    f->pub.indices = f->idx;
    f->pub.rec_commit = (const uint8_t(*)[ZKR_RECORD_COMMIT_BYTES])f->rc;
    f->pub.paths = f->pathp;
    f->pub.path_len = f->plen;
    f->sec.parent = f->parent;
    f->sec.records = f->batch_recs;
    f->sec.openings = (const uint8_t(*)[ZKR_RECORD_OPENING_BYTES])f->ro;
    zkr_ml_tmodel_free(cm);
    zkr_buf_free(&b);
    zkr_buf_free(&child);
    return ok;
}

/* The shard in its fixed order (perm NULL: position i holds fixed record i). */
static inline int t2fx_setup_sh(zkr_tap *t, t2fx *f, const uint32_t *dims, size_t nd,
                                uint32_t batch, int fast, uint32_t salt, int fixed_records,
                                uint32_t shift)
{
    return t2fx_setup_perm(t, f, dims, nd, batch, fast, salt, fixed_records, shift, NULL);
}

/* lr 8, shift 12 (the update copy 2^(16-S) ru in V). */
static inline int t2fx_setup_s(zkr_tap *t, t2fx *f, const uint32_t *dims, size_t nd,
                               uint32_t batch, int fast, uint32_t salt, int fixed_records)
{
    return t2fx_setup_sh(t, f, dims, nd, batch, fast, salt, fixed_records, 12);
}

static inline int t2fx_setup_p(zkr_tap *t, t2fx *f, const uint32_t *dims, size_t nd,
                               uint32_t batch, int fast)
{
    return t2fx_setup_s(t, f, dims, nd, batch, fast, 0, 0);
}

static inline int t2fx_setup(zkr_tap *t, t2fx *f, const uint32_t *dims, size_t nd, uint32_t batch)
{
    return t2fx_setup_p(t, f, dims, nd, batch, 0);
}

#endif
