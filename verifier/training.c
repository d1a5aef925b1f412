/*
 * training-step@1 verifier (docs/proof-system.md). Every binding value
 * comes from the caller's statement (the registry), never from the proof:
 * the proof's program, per-layer roots and dataset root are only accepted
 * after they hash to the registered digests and commitments. The body is
 * read in one pass in transcript order; every count is derived from the
 * statement and nothing may trail.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/graph.h"
#include "verifier/verifier.h"

#define MAX_CLAIMS ZKR_TRAIN_MAX_CLAIMS

/* The checks of docs/soundness.md (training-step@1); a failed one is named in the error. */
enum {
    CK_RANGE,    /* LogUp of V against 0..65535 and the table's MLE */
    CK_UPD_LINK, /* ru vs its scaled copy; W' vs its limbs; the 5-bit limb vs its copy */
    CK_UPDATE,   /* lr g + 2^(S-1) = 2^S (W - W') + ru: the gradient sumcheck's end */
    CK_ZERO,     /* the hidden zero-check: delta = dq m, m^2 = m, (1 - m) h = 0, h n = 0 */
    CK_HID_LINK, /* h - m; the 8-bit limbs of dq and delta vs their copies */
    CK_FORWARD,  /* z + 2^15 = (h - n) 2^16 + r / z + 2^11 = o 2^12 + r: the matmul's end */
    CK_BACKWARD, /* p + 2^15 = dq 2^16 + rb: the backward matmul's end */
    CK_OUT_LINK, /* the output remainder and o's 8-bit limb vs their copies */
    CK_OPENING,  /* a Basefold opening */
    CK_N
};
static const char *const ck_name[CK_N] = {
    "LogUp range", "update limbs", "update", "hidden zero-check", "hidden limbs",
    "forward product", "backward product", "output limbs", "opening"};

typedef struct {
    unsigned poly; /* W_l = l, W'_l = L + l, V = 2L, M = 2L + 1 */
    zkr_ext pt[ZKR_TRAIN_MAX_PT];
    zkr_ext val;
} vclaim;

typedef struct {
    const zkr_params *p;
    zkr_transcript t;
    zkr_train_shape s;
    zkr_ml_graph g;
    uint32_t dims[ZKR_TRAIN_MAX_LAYERS + 1];
    zkr_pcs_commitment wp[ZKR_TRAIN_MAX_LAYERS], wc[ZKR_TRAIN_MAX_LAYERS], vcm, mcm;
    const uint8_t *rec[ZKR_TRAIN_MAX_BATCH];
    uint32_t lr, shift;
    zkr_dec dec;
    vclaim cl[MAX_CLAIMS], scratch;
    size_t n_cl;
    int bad;      /* a read failed: the bytes are malformed */
    unsigned failed; /* checks that failed (bit CK_*): the mathematics */
    int overflow; /* more claims than the capacity: an internal error, never a verdict */
} vctx;

/* ------------------------------------------------------------------ */
/* The statement section                                               */
/* ------------------------------------------------------------------ */

/* Hidden layers ReLU, the last none: the function training-step@1's circuit computes. */
static int training_acts(const zkr_ml_graph *g)
{
    for (uint32_t l = 0; l < g->n_layers; l++)
        if (g->layers[l].act != (l + 1 < g->n_layers ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE))
            return 0;
    return 1;
}

static zkr_err check_program(vctx *c, zkr_dec *dec, const zkr_train_statement *st, zkr_diag *d)
{
    const uint8_t *prog;
    size_t prog_len;
    uint32_t L;
    uint8_t pd[ZKR_DIGEST_BYTES];

    if (zkr_dec_u32(dec, &L) != ZKR_OK ||
        zkr_dec_bytes(dec, ZKR_ML_GRAPH_MAX_BYTES, &prog, &prog_len) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: program field malformed");
    zkr_sha256(prog, prog_len, pd);
    if (sodium_memcmp(pd, st->program_digest, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                        "proof: program differs from the registered program");
    /*
     * The circuit proves a ReLU network with a linear last layer: a program
     * whose activations differ (a valid graph, not a training program) names
     * another function, so its statement is refused, not proven.
     */
    if (zkr_ml_graph_decode(prog, prog_len, &c->g, d) != ZKR_OK || c->g.arith != ZKR_ML_ARITH_FIXED ||
        c->g.n_layers != L || L < 2 || L > ZKR_TRAIN_MAX_LAYERS || !training_acts(&c->g))
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: program is not a training program "
                        "training-step@1 supports (FIXED arithmetic, 2..%u dense layers, hidden "
                        "ReLU, last layer none)", ZKR_TRAIN_MAX_LAYERS);
    c->dims[0] = c->g.input_dim;
    for (uint32_t l = 0; l < L; l++)
        c->dims[l + 1] = c->g.layers[l].out_dim;
    return ZKR_OK;
}

static zkr_err check_models(vctx *c, zkr_dec *dec, const zkr_train_statement *st, zkr_diag *d)
{
    uint32_t L = c->g.n_layers;
    uint8_t comm[ZKR_DIGEST_BYTES];
    const uint8_t *rp, *rc;

    for (uint32_t l = 0; l < L; l++) {
        uint32_t nv;
        if (zkr_dec_u32(dec, &nv) != ZKR_OK || zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &rp) != ZKR_OK ||
            zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &rc) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u roots truncated", l);
        c->wp[l].n_vars = c->wc[l].n_vars = nv;
        memcpy(c->wp[l].root, rp, ZKR_DIGEST_BYTES);
        memcpy(c->wc[l].root, rc, ZKR_DIGEST_BYTES);
    }
    zkr_train_model_commitment(st->program_digest, L, c->wp, comm);
    if (sodium_memcmp(comm, st->parent_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof: the parent model commitment differs from the registered parent's");
    zkr_train_model_commitment(st->program_digest, L, c->wc, comm);
    if (sodium_memcmp(comm, st->child_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof: the child model commitment differs from the registered child's");
    return ZKR_OK;
}

static zkr_err check_record(vctx *c, zkr_dec *dec, const zkr_train_statement *st, uint32_t i,
                            uint64_t n, const uint8_t *root, zkr_diag *d)
{
    uint64_t index;
    const uint8_t *rec, *path;
    size_t len;
    uint32_t path_len;
    uint8_t rcm[ZKR_DIGEST_BYTES];

    if (zkr_dec_u64(dec, &index) != ZKR_OK || zkr_dec_bytes(dec, 4097, &rec, &len) != ZKR_OK ||
        zkr_dec_u32(dec, &path_len) != ZKR_OK || path_len > ZKR_MERKLE_MAX_DEPTH ||
        zkr_dec_raw(dec, (size_t)path_len * ZKR_DIGEST_BYTES, &path) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: batch record %u malformed", i);
    if (index != st->indices[i])
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "proof: batch position %u is record %llu, the statement names %llu", i,
                        (unsigned long long)index, (unsigned long long)st->indices[i]);
    if (len != (size_t)c->dims[0] + 1 || rec[len - 1] >= c->dims[c->g.n_layers])
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "proof: batch record %u is not %u input "
                        "bytes and a label below %u", i, c->dims[0], c->dims[c->g.n_layers]);
    zkr_infer_record_commitment(rec, len, rcm);
    if (zkr_merkle_inclusion_verify(rcm, index, n, (const uint8_t(*)[ZKR_DIGEST_BYTES])path,
                                    path_len, root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "proof: batch position %u is not record %llu of the committed dataset", i,
                        (unsigned long long)index);
    c->rec[i] = rec;
    return ZKR_OK;
}

static zkr_err check_data_params(vctx *c, zkr_dec *dec, const zkr_train_statement *st,
                                 zkr_diag *d)
{
    uint64_t n;
    const uint8_t *root;
    uint32_t batch, lr, shift, steps;
    uint8_t dc[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (zkr_dec_u64(dec, &n) != ZKR_OK || zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK ||
        zkr_dec_u32(dec, &batch) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: dataset fields truncated");
    zkr_infer_dataset_commitment(n, root, dc);
    if (sodium_memcmp(dc, st->dataset_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_DATASET,
                        "proof: dataset commitment differs from the registered dataset's");
    if (batch != st->batch || batch == 0 || batch > ZKR_TRAIN_MAX_BATCH)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "proof: batch of %u records, the statement "
                        "names %u", batch, st->batch);
    for (uint32_t i = 0; i < batch; i++)
        for (uint32_t j = 0; j < i; j++)
            if (st->indices[i] == st->indices[j])
                return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "statement: batch positions %u and %u "
                                "both name record %llu (a batch is distinct records)", j, i,
                                (unsigned long long)st->indices[i]);
    for (uint32_t i = 0; i < batch; i++)
        if ((r = check_record(c, dec, st, i, n, root, d)) != ZKR_OK)
            return r;
    if (zkr_dec_u32(dec, &lr) != ZKR_OK || zkr_dec_u32(dec, &shift) != ZKR_OK ||
        zkr_dec_u32(dec, &steps) != ZKR_OK || zkr_dec_finish(dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: step parameters malformed");
    if (lr != st->lr)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "proof: lr %u, the statement names %u", lr,
                        st->lr);
    if (shift != st->shift)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "proof: shift %u, the statement names %u",
                        shift, st->shift);
    if (steps != st->steps || steps != 1)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "proof: %u steps, the statement names %u "
                        "(training-step@1 proves exactly 1)", steps, st->steps);
    if (lr == 0 || lr > ZKR_ML_T_LR_MAX || shift < ZKR_ML_T_SHIFT_MIN || shift > ZKR_ML_T_SHIFT_MAX)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: lr %u / shift %u out of range", lr, shift);
    c->lr = lr;
    c->shift = shift;
    return ZKR_OK;
}

static zkr_err check_statement(vctx *c, const zkr_proof_view *v, const zkr_train_statement *st,
                               zkr_diag *d)
{
    zkr_dec dec;
    zkr_err r;

    zkr_dec_init(&dec, v->body[0], v->len[0]);
    if ((r = check_program(c, &dec, st, d)) != ZKR_OK || (r = check_models(c, &dec, st, d)) != ZKR_OK ||
        (r = check_data_params(c, &dec, st, d)) != ZKR_OK)
        return r;
    if ((r = zkr_train_shape_of(c->g.n_layers, c->dims, st->batch, c->p->max_vars, &c->s, d)) !=
        ZKR_OK)
        return r;
    for (uint32_t l = 0; l < c->g.n_layers; l++)
        if (c->wp[l].n_vars != c->s.lm[l] + c->s.lk[l])
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u has %u variables, its shape "
                            "%u", l, c->wp[l].n_vars, c->s.lm[l] + c->s.lk[l]);
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* Reading and claims                                                   */
/* ------------------------------------------------------------------ */

static zkr_ext recv(vctx *c)
{
    zkr_ext v = zkr_ext_from(0);

    if (zkr_dec_ext(&c->dec, &v) != ZKR_OK)
        c->bad = 1;
    zkr_ts_absorb_ext(&c->t, "tr-value", &v, 1);
    return v;
}

static void check(vctx *c, unsigned what, int ok)
{
    if (!ok)
        c->failed |= 1u << what;
}

/* A claim slot; past the capacity a scratch one and the overflow flag (a hard error). */
static vclaim *new_claim(vctx *c, unsigned poly)
{
    static const vclaim none;
    vclaim *k;

    if (c->n_cl < MAX_CLAIMS)
        k = &c->cl[c->n_cl++];
    else {
        c->overflow = 1;
        k = &c->scratch;
    }
    *k = none;
    k->poly = poly;
    return k;
}

static unsigned slots_log(const vctx *c, uint32_t l)
{
    return l + 1 < c->s.n_layers ? ZKR_TS_HIDDEN_LOG : ZKR_TS_OUT_LOG;
}

/* Receives slot sl of layer l at pt (lm + lb values) and records the claim on V. */
static zkr_ext recv_slot(vctx *c, uint32_t l, unsigned sl, const zkr_ext *pt)
{
    unsigned nb = c->s.lb + c->s.lm[l], sg = slots_log(c, l);
    vclaim *k = new_claim(c, 2 * c->s.n_layers);

    memcpy(k->pt, pt, nb * sizeof *pt);
    for (unsigned i = 0; i < sg; i++)
        k->pt[nb + i] = zkr_ext_from((sl >> i) & 1);
    zkr_train_block_point(&c->s, c->s.grp_off[l], c->s.grp_log[l], k->pt);
    k->val = recv(c);
    return k->val;
}

static zkr_ext recv_weight(vctx *c, unsigned poly, uint32_t l, const zkr_ext *pt)
{
    vclaim *k = new_claim(c, poly);

    memcpy(k->pt, pt, (c->s.lk[l] + c->s.lm[l]) * sizeof *pt);
    k->val = recv(c);
    return k->val;
}

/* Reads n rounds of degree deg and replays them. */
static void sumcheck(vctx *c, unsigned n, unsigned deg, zkr_ext claim, zkr_ext *r, zkr_ext *fin)
{
    zkr_ext msgs[3 * ZKR_TRAIN_MAX_PT];

    if (zkr_dec_exts(&c->dec, msgs, (size_t)n * deg) != ZKR_OK) {
        c->bad = 1;
        memset(msgs, 0, sizeof msgs);
    }
    zkr_sumcheck_verify(&c->t, n, deg, claim, msgs, r, fin);
}

static zkr_ext ext_i64(int64_t v)
{
    return zkr_ext_from(zkr_gl_from_i64(v));
}

/* lo + 2^16 hi - 2^23: a 24-bit value from its limbs (hi < 2^8 by its scaled copy). */
static zkr_ext from_limbs(zkr_ext lo, zkr_ext hi)
{
    return zkr_ext_sub(zkr_ext_add(lo, zkr_ext_mul_base(hi, zkr_train_pow2(16))),
                       ext_i64((int64_t)1 << 23));
}

/* scaled == 2^e v: a limb's scaled copy (both below 2^16, so no wrap: 2^e v < 2^32 < p). */
static int scaled(zkr_ext v, unsigned e, zkr_ext scaled_v)
{
    return zkr_ext_eq(scaled_v, zkr_ext_mul_base(v, zkr_train_pow2(e)));
}

/* eq(pt, bits of v) over n variables. */
static zkr_ext eq_bits(const zkr_ext *pt, unsigned n, uint64_t v)
{
    zkr_ext acc = zkr_ext_from(1), one = zkr_ext_from(1);

    for (unsigned i = 0; i < n; i++)
        acc = zkr_ext_mul(acc, (v >> i) & 1 ? pt[i] : zkr_ext_sub(one, pt[i]));
    return acc;
}

/* sum_{b < B} eq(bpt, b): the real batch rows (they carry the constant ONE). */
static zkr_ext batch_rows(const vctx *c, const zkr_ext *bpt)
{
    zkr_ext acc = zkr_ext_from(0);

    for (uint32_t b = 0; b < c->s.batch; b++)
        acc = zkr_ext_add(acc, eq_bits(bpt, c->s.lb, b));
    return acc;
}

/* A~_0(kpt, bpt) from the public records. */
static zkr_err input0(const vctx *c, const zkr_ext *kpt, const zkr_ext *bpt, zkr_ext *out)
{
    unsigned lk = c->s.lk[0];
    zkr_ext *eqk = calloc((size_t)1 << lk, sizeof(zkr_ext)), acc = zkr_ext_from(0);

    if (eqk == NULL)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table(kpt, lk, eqk);
    for (uint32_t b = 0; b < c->s.batch; b++) {
        zkr_ext row = zkr_ext_mul_base(eqk[c->s.in[0]], ZKR_ML_T_ONE);
        for (uint32_t k = 0; k < c->s.in[0]; k++)
            row = zkr_ext_add(row, zkr_ext_mul_base(eqk[k], c->rec[b][k]));
        acc = zkr_ext_add(acc, zkr_ext_mul(row, eq_bits(bpt, c->s.lb, b)));
    }
    free(eqk);
    *out = acc;
    return ZKR_OK;
}

/* T~(jpt, bpt) of the one-hot targets (ZKR_ML_T_TARGET at each record's label). */
static zkr_ext targets(const vctx *c, const zkr_ext *jpt, const zkr_ext *bpt)
{
    uint32_t L = c->s.n_layers, in0 = c->s.in[0];
    zkr_ext acc = zkr_ext_from(0);

    for (uint32_t b = 0; b < c->s.batch; b++)
        acc = zkr_ext_add(acc, zkr_ext_mul(eq_bits(jpt, c->s.lm[L - 1], c->rec[b][in0]),
                                           eq_bits(bpt, c->s.lb, b)));
    return zkr_ext_mul_base(acc, ZKR_ML_T_TARGET);
}

/* delta~_l at (jpt, bpt) from its received limbs. */
static zkr_ext recv_delta(vctx *c, uint32_t l, const zkr_ext *jpt, const zkr_ext *bpt)
{
    int out = l + 1 == c->s.n_layers;
    zkr_ext pt[ZKR_TRAIN_MAX_PT], lo, hi, dv;

    memcpy(pt, jpt, c->s.lm[l] * sizeof *pt);
    memcpy(pt + c->s.lm[l], bpt, c->s.lb * sizeof *pt);
    lo = recv_slot(c, l, out ? ZKR_TS_OLO : ZKR_TS_DLLO, pt);
    hi = recv_slot(c, l, out ? ZKR_TS_OHI : ZKR_TS_DLHI, pt);
    dv = from_limbs(lo, hi);
    return out ? zkr_ext_sub(dv, targets(c, jpt, bpt)) : dv;
}

/* A~_l(kpt, bpt): the records for l = 0, else [h_{l-1} | ONE] from a received h. */
static zkr_err recv_input(vctx *c, uint32_t l, const zkr_ext *kpt, const zkr_ext *bpt,
                          zkr_ext *out)
{
    zkr_ext pt[ZKR_TRAIN_MAX_PT], h, one_col;
    unsigned lo;

    if (l == 0)
        return input0(c, kpt, bpt, out);
    lo = c->s.lm[l - 1];
    memcpy(pt, kpt, lo * sizeof *pt);
    memcpy(pt + lo, bpt, c->s.lb * sizeof *pt);
    h = recv_slot(c, l - 1, ZKR_TS_H, pt);
    one_col = zkr_ext_mul_base(zkr_ext_mul(eq_bits(kpt, c->s.lk[l], c->s.in[l]), batch_rows(c, bpt)),
                               ZKR_ML_T_ONE);
    *out = zkr_ext_add(zkr_ext_mul(zkr_ext_sub(zkr_ext_from(1), kpt[lo]), h), one_col);
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* The protocol's parts (mirroring prover/training.c)                   */
/* ------------------------------------------------------------------ */

/*
 * Update of layer l at a random zeta over W_l's entries: the verifier forms
 * C = 2^S (W - W') + ru - 2^(S-1) from opened values and a sumcheck over the
 * batch proves C = lr sum_b delta(j, b) A(k, b), i.e. lr g + 2^(S-1) =
 * 2^S (W - W') + ru entrywise. ru < 2^S and |W'| < 2^20 come from their
 * range-checked limbs and scaled copies; no value is divided.
 */
static zkr_err verify_update(vctx *c, uint32_t l)
{
    unsigned lk = c->s.lk[l], lm = c->s.lm[l], lb = c->s.lb;
    zkr_ext zeta[ZKR_TRAIN_MAX_PT], beta[ZKR_TRAIN_MAX_PT], u[ZKR_TU_N], w, wc, claim, fin, dv, av;
    zkr_err r;

    zkr_ts_challenge_exts(&c->t, "tr-zeta", zeta, lk + lm);
    w = recv_weight(c, l, l, zeta);
    wc = recv_weight(c, c->s.n_layers + l, l, zeta);
    for (unsigned b = 0; b < ZKR_TU_N; b++) {
        vclaim *k = new_claim(c, 2 * c->s.n_layers);
        memcpy(k->pt, zeta, (lk + lm) * sizeof *zeta);
        zkr_train_block_point(&c->s, c->s.upd_off[l][b], lk + lm, k->pt);
        u[b] = k->val = recv(c);
    }
    check(c, CK_UPD_LINK, scaled(u[ZKR_TU_RU], 16 - c->shift, u[ZKR_TU_RUS]));
    check(c, CK_UPD_LINK, scaled(u[ZKR_TU_WHI], 11, u[ZKR_TU_WHS]));
    check(c, CK_UPD_LINK, zkr_ext_eq(wc, zkr_ext_sub(zkr_ext_add(u[ZKR_TU_WLO],
                          zkr_ext_mul_base(u[ZKR_TU_WHI], zkr_train_pow2(16))),
                          zkr_ext_from(zkr_train_pow2(20)))));
    claim = zkr_ext_add(zkr_ext_mul_base(zkr_ext_sub(w, wc), zkr_train_pow2(c->shift)), u[ZKR_TU_RU]);
    claim = zkr_ext_sub(claim, zkr_ext_from(zkr_train_pow2(c->shift - 1)));
    sumcheck(c, lb, 2, claim, beta, &fin);
    dv = recv_delta(c, l, zeta + lk, beta);
    if ((r = recv_input(c, l, zeta, beta, &av)) != ZKR_OK)
        return r;
    check(c, CK_UPDATE, zkr_ext_eq(fin, zkr_ext_mul_base(zkr_ext_mul(dv, av), c->lr)));
    return ZKR_OK;
}

static zkr_err verify_forward(vctx *c, uint32_t l, const zkr_ext *rho, zkr_ext claim)
{
    unsigned lk = c->s.lk[l], lm = c->s.lm[l];
    zkr_ext kap[ZKR_TRAIN_MAX_PT], pt[ZKR_TRAIN_MAX_PT], fin, w, av;
    zkr_err r;

    sumcheck(c, lk, 2, claim, kap, &fin);
    memcpy(pt, kap, lk * sizeof *pt);
    memcpy(pt + lk, rho, lm * sizeof *pt);
    w = recv_weight(c, l, l, pt);
    if ((r = recv_input(c, l, kap, rho + lm, &av)) != ZKR_OK)
        return r;
    check(c, CK_FORWARD, zkr_ext_eq(fin, zkr_ext_mul(av, w)));
    return ZKR_OK;
}

static void verify_backward(vctx *c, uint32_t l, const zkr_ext *rho, zkr_ext claim)
{
    uint32_t n1 = l + 1;
    unsigned lm = c->s.lm[l], lk1 = c->s.lk[n1], lm1 = c->s.lm[n1];
    zkr_ext mu[ZKR_TRAIN_MAX_PT], pt[ZKR_TRAIN_MAX_PT], fin, dv, w;

    sumcheck(c, lm1, 2, claim, mu, &fin);
    dv = recv_delta(c, n1, mu, rho + lm);
    memcpy(pt, rho, lm * sizeof *pt);
    pt[lm] = zkr_ext_from(0);
    memcpy(pt + lk1, mu, lm1 * sizeof *pt);
    w = recv_weight(c, n1, n1, pt);
    check(c, CK_BACKWARD, zkr_ext_eq(fin, zkr_ext_mul(dv, w)));
}

/* Receives the used slots at rho and records one tau-combined claim on the group. */
static void recv_group(vctx *c, uint32_t l, const zkr_ext *rho, unsigned used, zkr_ext *vals)
{
    unsigned nb = c->s.lb + c->s.lm[l], sg = slots_log(c, l);
    zkr_ext eqt[16], acc = zkr_ext_from(0);
    vclaim *k;

    for (unsigned sl = 0; sl < 16; sl++)
        vals[sl] = sl < used ? recv(c) : zkr_ext_from(0);
    k = new_claim(c, 2 * c->s.n_layers);
    memcpy(k->pt, rho, nb * sizeof *rho);
    zkr_ts_challenge_exts(&c->t, "tr-tau", k->pt + nb, sg);
    zkr_mle_eq_table(k->pt + nb, sg, eqt);
    for (unsigned sl = 0; sl < (1u << sg); sl++)
        acc = zkr_ext_add(acc, zkr_ext_mul(eqt[sl], vals[sl]));
    k->val = acc;
    zkr_train_block_point(&c->s, c->s.grp_off[l], c->s.grp_log[l], k->pt);
}

static zkr_err verify_hidden(vctx *c, uint32_t l)
{
    unsigned nb = c->s.lb + c->s.lm[l];
    zkr_ext z[ZKR_TRAIN_MAX_PT], rho[ZKR_TRAIN_MAX_PT], v[16], lam, fin, dl, dq, n, bracket, zc, pc;
    zkr_ext one = zkr_ext_from(1);

    zkr_ts_challenge_exts(&c->t, "tr-z", z, nb);
    lam = zkr_ts_challenge_ext(&c->t, "tr-lambda");
    sumcheck(c, nb, 3, zkr_ext_from(0), rho, &fin);
    recv_group(c, l, rho, ZKR_TS_HIDDEN_USED, v);
    dl = from_limbs(v[ZKR_TS_DLLO], v[ZKR_TS_DLHI]);
    dq = from_limbs(v[ZKR_TS_DQLO], v[ZKR_TS_DQHI]);
    n = zkr_ext_add(v[ZKR_TS_NLO], zkr_ext_mul_base(v[ZKR_TS_NHI], zkr_train_pow2(16)));
    {
        zkr_ext m = v[ZKR_TS_M], h = v[ZKR_TS_H];
        zkr_ext c1 = zkr_ext_sub(dl, zkr_ext_mul(dq, m));
        zkr_ext c2 = zkr_ext_sub(zkr_ext_mul(m, m), m);
        zkr_ext c3 = zkr_ext_mul(h, zkr_ext_sub(one, m));
        zkr_ext c4 = zkr_ext_mul(h, n);
        bracket = zkr_ext_add(c1, zkr_ext_mul(lam, zkr_ext_add(c2, zkr_ext_mul(lam,
                              zkr_ext_add(c3, zkr_ext_mul(lam, c4))))));
        check(c, CK_ZERO, zkr_ext_eq(fin, zkr_ext_mul(zkr_mle_eq_eval(z, rho, nb), bracket)));
        check(c, CK_HID_LINK, zkr_ext_eq(v[ZKR_TS_HM], zkr_ext_sub(h, m)));
        check(c, CK_HID_LINK, scaled(v[ZKR_TS_DQHI], 8, v[ZKR_TS_DQHS]));
        check(c, CK_HID_LINK, scaled(v[ZKR_TS_DLHI], 8, v[ZKR_TS_DLHS]));
        /* z + 2^15 = (h - n) 2^16 + r and p + 2^15 = dq 2^16 + rb, at rho. */
        zc = zkr_ext_add(zkr_ext_mul_base(zkr_ext_sub(h, n), zkr_train_pow2(16)), v[ZKR_TS_R]);
        zc = zkr_ext_sub(zc, zkr_ext_from(zkr_train_pow2(15)));
        pc = zkr_ext_add(zkr_ext_mul_base(dq, zkr_train_pow2(16)), v[ZKR_TS_RB]);
        pc = zkr_ext_sub(pc, zkr_ext_from(zkr_train_pow2(15)));
    }
    {
        zkr_err r = verify_forward(c, l, rho, zc);
        if (r != ZKR_OK)
            return r;
    }
    verify_backward(c, l, rho, pc);
    return ZKR_OK;
}

static zkr_err verify_output(vctx *c)
{
    uint32_t l = c->s.n_layers - 1;
    unsigned nb = c->s.lb + c->s.lm[l];
    zkr_ext rho[ZKR_TRAIN_MAX_PT], v[16], o, rr, zc;

    zkr_ts_challenge_exts(&c->t, "tr-rho", rho, nb);
    recv_group(c, l, rho, ZKR_TS_OUT_USED, v);
    o = from_limbs(v[ZKR_TS_OLO], v[ZKR_TS_OHI]);
    rr = v[ZKR_TS_OR];
    check(c, CK_OUT_LINK, scaled(rr, 4, v[ZKR_TS_OR16]));
    check(c, CK_OUT_LINK, scaled(v[ZKR_TS_OHI], 8, v[ZKR_TS_OHS]));
    /* z + 2^11 = o 2^12 + r at rho. */
    zc = zkr_ext_add(zkr_ext_mul_base(o, zkr_train_pow2(12)), rr);
    zc = zkr_ext_sub(zc, zkr_ext_from(zkr_train_pow2(11)));
    return verify_forward(c, l, rho, zc);
}

static zkr_err verify_openings(vctx *c)
{
    uint32_t L = c->s.n_layers;
    unsigned nid = ZKR_TRAIN_N_POLYS(L);
    zkr_err r = ZKR_OK;

    for (unsigned v = 0; v <= 64 && r == ZKR_OK; v++) {
        unsigned ids[2 * ZKR_TRAIN_MAX_LAYERS + 2], n_ids = 0;
        for (unsigned id = 0; id < nid; id++)
            if (zkr_train_poly_vars(&c->s, id) == v)
                ids[n_ids++] = id;
        for (unsigned at = 0; at < n_ids && r == ZKR_OK; at += ZKR_TRAIN_GROUP_MAX) {
            zkr_pcs_commitment comms[ZKR_TRAIN_GROUP_MAX];
            zkr_pcs_claim cls[MAX_CLAIMS];
            zkr_pcs_proof *pf = NULL;
            size_t np = 0, nc = 0;
            for (unsigned i = at; i < n_ids && i < at + ZKR_TRAIN_GROUP_MAX; i++) {
                unsigned id = ids[i];
                comms[np] = id < L ? c->wp[id] : id < 2 * L ? c->wc[id - L]
                            : id == 2 * L ? c->vcm : c->mcm;
                for (size_t k = 0; k < c->n_cl; k++)
                    if (c->cl[k].poly == id) {
                        cls[nc].comm = np;
                        cls[nc].point = c->cl[k].pt;
                        cls[nc].value = c->cl[k].val;
                        nc++;
                    }
                np++;
            }
            if (zkr_pcs_proof_parse(c->p, v, np, nc, &c->dec, &pf) != ZKR_OK) {
                c->bad = 1;
                return ZKR_OK;
            }
            r = zkr_pcs_verify(c->p, &c->t, comms, np, cls, nc, pf);
            zkr_pcs_proof_free(pf);
            if (r == ZKR_ERR_VERIFY) {
                check(c, CK_OPENING, 0);
                r = ZKR_OK;
            }
        }
    }
    return r;
}

static zkr_err verify_body(vctx *c)
{
    const uint8_t *root;
    zkr_logup_proof *lp = NULL;
    zkr_logup_claims lc;
    zkr_ext tv = zkr_ext_from(0);
    zkr_err r = ZKR_OK;

    memset(&lc, 0, sizeof lc);
    c->vcm.n_vars = c->s.n_v;
    c->mcm.n_vars = ZKR_TRAIN_TABLE_LOG;
    if (zkr_dec_raw(&c->dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK)
        return c->bad = 1, ZKR_OK;
    memcpy(c->vcm.root, root, ZKR_DIGEST_BYTES);
    if (zkr_dec_raw(&c->dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK)
        return c->bad = 1, ZKR_OK;
    memcpy(c->mcm.root, root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(&c->t, "tr-witness-root", c->vcm.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(&c->t, "tr-mult-root", c->mcm.root, ZKR_DIGEST_BYTES);
    if (zkr_logup_proof_parse(c->s.n_v, ZKR_TRAIN_TABLE_LOG, &c->dec, &lp) != ZKR_OK)
        return c->bad = 1, ZKR_OK;
    if (zkr_logup_verify(&c->t, c->s.n_v, ZKR_TRAIN_TABLE_LOG, lp, &lc) != ZKR_OK)
        check(c, CK_RANGE, 0);
    zkr_logup_proof_free(lp);
    for (unsigned i = 0; i < ZKR_TRAIN_TABLE_LOG; i++)
        tv = zkr_ext_add(tv, zkr_ext_mul_base(lc.rt[i], zkr_train_pow2(i)));
    check(c, CK_RANGE, zkr_ext_eq(tv, lc.t_at_rt));
    {
        vclaim *a = new_claim(c, 2 * c->s.n_layers), *m = new_claim(c, 2 * c->s.n_layers + 1);
        memcpy(a->pt, lc.ra, c->s.n_v * sizeof(zkr_ext));
        a->val = lc.a_at_ra;
        memcpy(m->pt, lc.rt, ZKR_TRAIN_TABLE_LOG * sizeof(zkr_ext));
        m->val = lc.m_at_rt;
    }
    for (uint32_t l = 0; l < c->s.n_layers && r == ZKR_OK; l++)
        r = verify_update(c, l);
    for (uint32_t l = 0; l + 1 < c->s.n_layers && r == ZKR_OK; l++)
        r = verify_hidden(c, l);
    if (r == ZKR_OK)
        r = verify_output(c);
    if (r == ZKR_OK && !c->bad && c->n_cl != zkr_train_n_claims(&c->s))
        c->overflow = 1; /* the count docs/proof-system.md states is the capacity's basis */
    if (r == ZKR_OK && !c->bad && !c->overflow)
        r = verify_openings(c);
    return r;
}

/* ZKR_ERR_VERIFY naming every failed check. */
static zkr_err fail_verify(const vctx *c, zkr_diag *d)
{
    char what[256] = "";
    size_t at = 0;

    for (unsigned k = 0; k < CK_N; k++)
        if (c->failed & (1u << k)) {
            int n = snprintf(what + at, sizeof what - at, "%s%s", at ? ", " : "", ck_name[k]);
            if (n > 0 && (size_t)n < sizeof what - at)
                at += (size_t)n;
        }
    return zkr_fail(d, ZKR_ERR_VERIFY, "proof: the training step does not verify (failed: %s)",
                    what);
}

zkr_err zkr_verify_train_step(const zkr_params *p, const zkr_train_statement *st,
                              const uint8_t *proof, size_t len, zkr_diag *d)
{
    static const uint32_t tags[2] = {ZKR_SEC_STATEMENT, ZKR_SEC_TRAIN_BODY};
    zkr_proof_view v;
    vctx *c;
    zkr_err r;

    if ((r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK)
        return r;
    if ((r = zkr_proof_view_bind(&v, p->id, ZKR_KIND_TRAIN_STEP, "training-step@1",
                                 st->statement_id, tags, 2, d)) != ZKR_OK)
        return r;
    if (st->batch == 0 || st->batch > ZKR_TRAIN_MAX_BATCH || st->indices == NULL)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "statement: batch of %u records", st->batch);
    if ((c = calloc(1, sizeof *c)) == NULL)
        return ZKR_ERR_NOMEM;
    c->p = p;
    if ((r = check_statement(c, &v, st, d)) != ZKR_OK)
        goto out;
    zkr_train_transcript(&c->t, p, st->statement_id, v.body[0], v.len[0]);
    zkr_dec_init(&c->dec, v.body[1], v.len[1]);
    if ((r = verify_body(c)) != ZKR_OK)
        goto out;
    if (c->overflow)
        r = zkr_fail(d, ZKR_ERR_INTERNAL, "training-step@1: %zu evaluation claims, the shape "
                     "has %zu, capacity %u (no verdict)", c->n_cl, zkr_train_n_claims(&c->s),
                     MAX_CLAIMS);
    else if (c->bad || zkr_dec_finish(&c->dec) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: training-step@1 body malformed or truncated");
    else if (c->failed)
        r = fail_verify(c, d);
out:
    free(c);
    return r;
}
