/*
 * evaluation-fixed@1 verifier (docs/proof-system.md, docs/soundness.md).
 * Every binding value comes from the caller's statement (the registry):
 * the proof's program, layer roots, dataset root and range are accepted
 * only after they hash to the registered digests and match the statement;
 * the records are the caller's, hashed into the dataset root with the
 * proof's RFC 6962 range proof. The body is read in one pass in transcript
 * order; every count comes from the statement and nothing may trail.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/graph.h"
#include "verifier/evaluation_fixed.h"

#define MAX_CLAIMS ZKR_EVALF_MAX_CLAIMS
#define MAX_PT ZKR_EVALF_MAX_PT

enum {
    CK_RANGE,    /* LogUp of V against 0..65535 */
    CK_ZERO,     /* hidden zero-check: m^2 = m, (1 - m) h = 0, h n = 0 */
    CK_HID_LINK, /* h - m */
    CK_FORWARD,  /* z + 2^15 = (h - n) 2^16 + r / z + 2^11 = o 2^12 + r */
    CK_OUT_LINK, /* the output remainder and o's top limb vs their scaled copies */
    CK_ARGMAX,   /* the argmax zero-check */
    CK_ONEHOT,   /* one argmax per record */
    CK_COUNT,    /* the number correct */
    CK_OPENING,  /* a Basefold opening */
    CK_N
};
static const char *const ck_name[CK_N] = {"LogUp range",     "hidden zero-check", "hidden limbs",
                                          "forward product", "output limbs",      "argmax",
                                          "one-hot",         "count",             "opening"};

typedef struct {
    unsigned poly;
    zkr_ext pt[MAX_PT];
    zkr_ext val;
} vclaim;

typedef struct {
    const zkr_verifier_evaluation_statement *st;
    zkr_params p;
    zkr_transcript t;
    zkr_evalf_shape s;
    zkr_ml_graph g;
    uint32_t dims[ZKR_EVALF_MAX_LAYERS + 1];
    zkr_pcs_commitment w[ZKR_EVALF_MAX_LAYERS], vcm, mcm;
    unsigned mode;
    uint64_t value, correct;
    zkr_dec dec;
    vclaim cl[MAX_CLAIMS], scratch;
    size_t n_cl;
    int bad;
    unsigned failed;
    int overflow;
} vctx;

/* ------------------------------------------------------------------ */
/* The statement section                                               */
/* ------------------------------------------------------------------ */

static int training_acts(const zkr_ml_graph *g)
{
    for (uint32_t l = 0; l < g->n_layers; l++)
        if (g->layers[l].op != ZKR_ML_OP_DENSE ||
            g->layers[l].act != (l + 1 < g->n_layers ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE))
            return 0;
    return 1;
}

static zkr_err check_program(vctx *c, zkr_dec *dec, zkr_diag *d)
{
    const uint8_t *prog;
    size_t prog_len;
    uint32_t L;
    uint8_t pd[ZKR_DIGEST_BYTES];

    if (zkr_dec_u32(dec, &L) != ZKR_OK ||
        zkr_dec_bytes(dec, ZKR_ML_GRAPH_MAX_BYTES, &prog, &prog_len) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: program field malformed");
    zkr_sha256(prog, prog_len, pd);
    if (sodium_memcmp(pd, c->st->program_digest, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                        "proof: program differs from the registered program");
    if (zkr_ml_graph_decode(prog, prog_len, &c->g, d) != ZKR_OK ||
        c->g.arith != ZKR_ML_ARITH_FIXED || c->g.input_encoding != ZKR_ML_INPUT_U8_DIV255 ||
        c->g.n_layers != L || L < 2 || L > ZKR_EVALF_MAX_LAYERS || !training_acts(&c->g))
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: program is not a training program "
                        ZKR_EVALF_NAME " supports (FIXED arithmetic, 2..%u dense layers, hidden "
                        "ReLU, last layer none)", ZKR_EVALF_MAX_LAYERS);
    c->dims[0] = c->g.input_dim;
    for (uint32_t l = 0; l < L; l++)
        c->dims[l + 1] = c->g.layers[l].out_dim;
    return ZKR_OK;
}

static zkr_err check_model(vctx *c, zkr_dec *dec, zkr_diag *d)
{
    uint32_t L = c->g.n_layers;
    uint8_t comm[ZKR_DIGEST_BYTES];
    const uint8_t *root;

    for (uint32_t l = 0; l < L; l++) {
        if (zkr_dec_u32(dec, &c->w[l].n_vars) != ZKR_OK ||
            zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u root truncated", l);
        memcpy(c->w[l].root, root, ZKR_DIGEST_BYTES);
    }
    zkr_train_model_commitment(c->st->program_digest, L, c->w, comm);
    if (sodium_memcmp(comm, c->st->model_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof: the model commitment differs from the registered model's");
    return ZKR_OK;
}

/* The range's records hash, with the proof's boundary hashes, to the dataset root. */
static zkr_err check_records(const vctx *c, uint64_t n, const uint8_t *root,
                             const uint8_t *bound, uint32_t n_bound, zkr_diag *d)
{
    const zkr_verifier_evaluation_statement *st = c->st;
    uint8_t(*lv)[ZKR_DIGEST_BYTES];
    uint8_t got[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (!(lv = malloc((size_t)st->count * ZKR_DIGEST_BYTES)))
        return ZKR_ERR_NOMEM;
    for (uint64_t i = 0; i < st->count; i++)
        zkr_infer_record_commitment(st->records + i * st->rec_len, st->rec_len, lv[i]);
    r = zkr_eval_range_root((const uint8_t(*)[ZKR_DIGEST_BYTES])lv, n, st->first, st->count,
                            (const uint8_t(*)[ZKR_DIGEST_BYTES])bound, n_bound, got);
    free(lv);
    if (r == ZKR_ERR_NOMEM)
        return r;
    if (r != ZKR_OK || sodium_memcmp(got, root, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "proof: the records are not records %llu..%llu of the committed dataset",
                        (unsigned long long)st->first,
                        (unsigned long long)(st->first + st->count - 1));
    return ZKR_OK;
}

static zkr_err check_dataset(vctx *c, zkr_dec *dec, zkr_diag *d)
{
    const zkr_verifier_evaluation_statement *st = c->st;
    uint64_t n, first, count;
    const uint8_t *root, *bound;
    uint32_t n_bound;
    uint8_t dc[ZKR_DIGEST_BYTES];

    if (zkr_dec_u64(dec, &n) != ZKR_OK || zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: dataset commitment truncated");
    zkr_infer_dataset_commitment(n, root, dc);
    if (sodium_memcmp(dc, st->dataset_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_DATASET,
                        "proof: dataset commitment differs from the registered dataset's");
    if (zkr_dec_u64(dec, &first) != ZKR_OK || zkr_dec_u64(dec, &count) != ZKR_OK ||
        zkr_dec_u32(dec, &n_bound) != ZKR_OK || n_bound > ZKR_EVAL_MAX_BOUNDARY ||
        zkr_dec_raw(dec, (size_t)n_bound * ZKR_DIGEST_BYTES, &bound) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: record range malformed");
    if (first != st->first || count != st->count)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "proof: records %llu..+%llu, the statement names %llu..+%llu",
                        (unsigned long long)first, (unsigned long long)count,
                        (unsigned long long)st->first, (unsigned long long)st->count);
    if (st->rec_len != (size_t)c->dims[0] + 1)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "statement: records of %zu bytes, the program wants %u input bytes and "
                        "a label", st->rec_len, c->dims[0]);
    return check_records(c, n, root, bound, n_bound, d);
}

static zkr_err check_output(vctx *c, zkr_dec *dec, zkr_diag *d)
{
    const zkr_verifier_evaluation_statement *st = c->st;
    const uint8_t *out;
    size_t out_len;
    uint64_t cnt;

    if (zkr_dec_bytes(dec, ZKR_EVAL_OUTPUT_BYTES, &out, &out_len) != ZKR_OK ||
        zkr_dec_u64(dec, &c->correct) != ZKR_OK || zkr_dec_finish(dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: output field malformed");
    if (out_len != st->output_len || sodium_memcmp(out, st->output, out_len) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "proof: public output differs from the statement's output");
    if (zkr_eval_output_decode(out, out_len, &c->mode, &cnt, &c->value) != ZKR_OK ||
        cnt != st->count)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement: output is not (mode, %llu records, value)",
                        (unsigned long long)st->count);
    if (c->correct > st->count)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: more correct than records");
    if (c->mode == ZKR_EVAL_MODE_EXACT && c->correct != c->value)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "proof: claims %llu correct, the statement states %llu",
                        (unsigned long long)c->correct, (unsigned long long)c->value);
    if (c->mode == ZKR_EVAL_MODE_THRESHOLD && c->correct < c->value)
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: %llu correct, below the threshold %llu",
                        (unsigned long long)c->correct, (unsigned long long)c->value);
    return ZKR_OK;
}

static zkr_err check_statement(vctx *c, const zkr_proof_view *v, zkr_diag *d)
{
    zkr_dec dec;
    zkr_err r;

    zkr_dec_init(&dec, v->body[0], v->len[0]);
    if ((r = check_program(c, &dec, d)) != ZKR_OK || (r = check_model(c, &dec, d)) != ZKR_OK ||
        (r = check_dataset(c, &dec, d)) != ZKR_OK || (r = check_output(c, &dec, d)) != ZKR_OK)
        return r;
    if ((r = zkr_evalf_shape_of(c->g.n_layers, c->dims, c->st->count, c->p.max_vars, &c->s, d)) !=
        ZKR_OK)
        return r;
    for (uint32_t l = 0; l < c->g.n_layers; l++)
        if (c->w[l].n_vars != c->s.lm[l] + c->s.lk[l])
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u has %u variables, its shape "
                            "%u", l, c->w[l].n_vars, c->s.lm[l] + c->s.lk[l]);
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
    zkr_ts_absorb_ext(&c->t, "ef-value", &v, 1);
    return v;
}

static void check(vctx *c, unsigned what, int ok)
{
    if (!ok)
        c->failed |= 1u << what;
}

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

static unsigned vpoly_id(const vctx *c)
{
    return c->s.n_layers;
}

/* Receives slot sl of a block (nb variables at pt) and records the claim on V. */
static zkr_ext recv_block_slot(vctx *c, unsigned nb, uint64_t off, unsigned blog, unsigned sl,
                               const zkr_ext *pt)
{
    vclaim *k = new_claim(c, vpoly_id(c));

    memcpy(k->pt, pt, nb * sizeof *pt);
    for (unsigned i = nb; i < blog; i++)
        k->pt[i] = zkr_ext_from((sl >> (i - nb)) & 1);
    zkr_evalf_block_point(&c->s, off, blog, k->pt);
    k->val = recv(c);
    return k->val;
}

static zkr_ext recv_slot(vctx *c, uint32_t l, unsigned sl, const zkr_ext *pt)
{
    return recv_block_slot(c, c->s.lb + c->s.lm[l], c->s.grp_off[l], c->s.grp_log[l], sl, pt);
}

/* Receives `used` slots at rho (nb variables) and one tau-combined claim on the block. */
static void recv_group(vctx *c, unsigned nb, unsigned sg, unsigned used, uint64_t off,
                       unsigned blog, const zkr_ext *rho, zkr_ext *vals)
{
    zkr_ext eqt[16], acc = zkr_ext_from(0);
    vclaim *k;

    for (unsigned sl = 0; sl < 16; sl++)
        vals[sl] = sl < used ? recv(c) : zkr_ext_from(0);
    k = new_claim(c, vpoly_id(c));
    memcpy(k->pt, rho, nb * sizeof *rho);
    zkr_ts_challenge_exts(&c->t, "ef-tau", k->pt + nb, sg);
    zkr_mle_eq_table(k->pt + nb, sg, eqt);
    for (unsigned sl = 0; sl < (1u << sg); sl++)
        acc = zkr_ext_add(acc, zkr_ext_mul(eqt[sl], vals[sl]));
    k->val = acc;
    zkr_evalf_block_point(&c->s, off, blog, k->pt);
}

static void sumcheck(vctx *c, unsigned n, unsigned deg, zkr_ext claim, zkr_ext *r, zkr_ext *fin)
{
    zkr_ext msgs[3 * MAX_PT];

    if (zkr_dec_exts(&c->dec, msgs, (size_t)n * deg) != ZKR_OK) {
        c->bad = 1;
        memset(msgs, 0, sizeof msgs);
    }
    zkr_sumcheck_verify(&c->t, n, deg, claim, msgs, r, fin);
}

static zkr_ext pow2(unsigned e)
{
    return zkr_ext_from(zkr_train_pow2(e));
}

/* scaled == 2^e v (both below 2^16: 2^e v < 2^32 < p, so equal as integers). */
static int scaled(zkr_ext v, unsigned e, zkr_ext scaled_v)
{
    return zkr_ext_eq(scaled_v, zkr_ext_mul_base(v, zkr_train_pow2(e)));
}

/* lo + 2^16 a + 2^32 b. */
static zkr_ext limbs48(zkr_ext lo, zkr_ext mid, zkr_ext hi)
{
    return zkr_ext_add(lo, zkr_ext_add(zkr_ext_mul_base(mid, zkr_train_pow2(16)),
                                       zkr_ext_mul_base(hi, zkr_train_pow2(32))));
}

/* sum_{b < count} eq(bpt, b) f(b) with f = 1: the real records (they carry ONE). */
static zkr_err real_rows(const vctx *c, const zkr_ext *bpt, zkr_ext *out)
{
    zkr_ext *eqb = calloc((size_t)1 << c->s.lb, sizeof(zkr_ext)), acc = zkr_ext_from(0);

    if (eqb == NULL)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table(bpt, c->s.lb, eqb);
    for (uint64_t b = 0; b < c->s.count; b++)
        acc = zkr_ext_add(acc, eqb[b]);
    free(eqb);
    *out = acc;
    return ZKR_OK;
}

/* eq(pt, bits of v) over n variables. */
static zkr_ext eq_bits(const zkr_ext *pt, unsigned n, uint64_t v)
{
    zkr_ext acc = zkr_ext_from(1), one = zkr_ext_from(1);

    for (unsigned i = 0; i < n; i++)
        acc = zkr_ext_mul(acc, (v >> i) & 1 ? pt[i] : zkr_ext_sub(one, pt[i]));
    return acc;
}

/* A~_0(kpt, bpt) from the public records: bytes, then ONE in column in_0, for b < count. */
static zkr_err input0(const vctx *c, const zkr_ext *kpt, const zkr_ext *bpt, zkr_ext *out)
{
    const zkr_verifier_evaluation_statement *st = c->st;
    unsigned lk = c->s.lk[0];
    uint32_t in0 = c->s.in[0];
    zkr_ext *eqk = calloc((size_t)1 << lk, sizeof(zkr_ext));
    zkr_ext *eqb = calloc((size_t)1 << c->s.lb, sizeof(zkr_ext)), acc = zkr_ext_from(0);
    zkr_err r = ZKR_ERR_NOMEM;

    if (eqk == NULL || eqb == NULL)
        goto out;
    zkr_mle_eq_table(kpt, lk, eqk);
    zkr_mle_eq_table(bpt, c->s.lb, eqb);
    for (uint64_t b = 0; b < st->count; b++) {
        const uint8_t *rec = st->records + b * st->rec_len;
        zkr_ext row = zkr_ext_mul_base(eqk[in0], ZKR_ML_T_ONE);
        for (uint32_t k = 0; k < in0; k++)
            if (rec[k])
                row = zkr_ext_add(row, zkr_ext_mul_base(eqk[k], rec[k]));
        acc = zkr_ext_add(acc, zkr_ext_mul(row, eqb[b]));
    }
    *out = acc;
    r = ZKR_OK;
out:
    free(eqk);
    free(eqb);
    return r;
}

/* A~_l(kpt, bpt): the records for l = 0, else [h_{l-1} | ONE] from a received h. */
static zkr_err recv_input(vctx *c, uint32_t l, const zkr_ext *kpt, const zkr_ext *bpt,
                          zkr_ext *out)
{
    zkr_ext pt[MAX_PT], h, rows;
    unsigned lo;
    zkr_err r;

    if (l == 0)
        return input0(c, kpt, bpt, out);
    lo = c->s.lm[l - 1];
    memcpy(pt, kpt, lo * sizeof *pt);
    memcpy(pt + lo, bpt, c->s.lb * sizeof *pt);
    h = recv_slot(c, l - 1, ZKR_EF_H, pt);
    if ((r = real_rows(c, bpt, &rows)) != ZKR_OK)
        return r;
    /* in_l = 2^lm_{l-1}: column k < in_l has top bit 0, the ONE column is exactly in_l. */
    *out = zkr_ext_add(zkr_ext_mul(zkr_ext_sub(zkr_ext_from(1), kpt[lo]), h),
                       zkr_ext_mul_base(zkr_ext_mul(eq_bits(kpt, c->s.lk[l], c->s.in[l]), rows),
                                        ZKR_ML_T_ONE));
    return ZKR_OK;
}

/* ------------------------------------------------------------------ */
/* The protocol (mirroring prover/evaluation_fixed.c)                   */
/* ------------------------------------------------------------------ */

static zkr_err verify_forward(vctx *c, uint32_t l, const zkr_ext *rho, zkr_ext claim)
{
    unsigned lk = c->s.lk[l], lm = c->s.lm[l];
    zkr_ext kap[MAX_PT], fin, w, av;
    vclaim *k;
    zkr_err r;

    sumcheck(c, lk, 2, claim, kap, &fin);
    k = new_claim(c, l);
    memcpy(k->pt, kap, lk * sizeof *kap);
    memcpy(k->pt + lk, rho, lm * sizeof *rho);
    w = k->val = recv(c);
    if ((r = recv_input(c, l, kap, rho + lm, &av)) != ZKR_OK)
        return r;
    check(c, CK_FORWARD, zkr_ext_eq(fin, zkr_ext_mul(av, w)));
    return ZKR_OK;
}

static zkr_err verify_hidden(vctx *c, uint32_t l)
{
    unsigned nb = c->s.lb + c->s.lm[l];
    zkr_ext z[MAX_PT], rho[MAX_PT], v[16], lam, fin, n, m, h, bracket, zc;
    zkr_ext one = zkr_ext_from(1);

    zkr_ts_challenge_exts(&c->t, "ef-z", z, nb);
    lam = zkr_ts_challenge_ext(&c->t, "ef-lambda");
    sumcheck(c, nb, 3, zkr_ext_from(0), rho, &fin);
    recv_group(c, nb, ZKR_EF_HIDDEN_LOG, ZKR_EF_HIDDEN_USED, c->s.grp_off[l], c->s.grp_log[l],
               rho, v);
    m = v[ZKR_EF_M];
    h = v[ZKR_EF_H];
    n = zkr_ext_add(v[ZKR_EF_NLO], zkr_ext_mul_base(v[ZKR_EF_NHI], zkr_train_pow2(16)));
    bracket = zkr_ext_add(zkr_ext_sub(zkr_ext_mul(m, m), m),
                          zkr_ext_mul(lam, zkr_ext_add(zkr_ext_mul(h, zkr_ext_sub(one, m)),
                                                       zkr_ext_mul(lam, zkr_ext_mul(h, n)))));
    check(c, CK_ZERO, zkr_ext_eq(fin, zkr_ext_mul(zkr_mle_eq_eval(z, rho, nb), bracket)));
    check(c, CK_HID_LINK, zkr_ext_eq(v[ZKR_EF_HM], zkr_ext_sub(h, m)));
    /* z + 2^15 = (h - n) 2^16 + r at rho. */
    zc = zkr_ext_add(zkr_ext_mul_base(zkr_ext_sub(h, n), zkr_train_pow2(16)), v[ZKR_EF_R]);
    zc = zkr_ext_sub(zc, pow2(15));
    return verify_forward(c, l, rho, zc);
}

static zkr_err verify_output(vctx *c)
{
    uint32_t l = c->s.n_layers - 1;
    unsigned nb = c->s.lb + c->s.lm[l];
    zkr_ext rho[MAX_PT], v[16], o, zc;

    zkr_ts_challenge_exts(&c->t, "ef-rho", rho, nb);
    recv_group(c, nb, ZKR_EF_OUT_LOG, ZKR_TS_OUT_USED, c->s.grp_off[l], c->s.grp_log[l], rho, v);
    o = zkr_ext_sub(zkr_ext_add(v[ZKR_TS_OLO], zkr_ext_mul_base(v[ZKR_TS_OHI], zkr_train_pow2(16))),
                    pow2(23));
    check(c, CK_OUT_LINK, scaled(v[ZKR_TS_OR], 4, v[ZKR_TS_OR16]));
    check(c, CK_OUT_LINK, scaled(v[ZKR_TS_OHI], 8, v[ZKR_TS_OHS]));
    /* z + 2^11 = o 2^12 + r at rho. */
    zc = zkr_ext_add(zkr_ext_mul_base(o, zkr_train_pow2(12)), v[ZKR_TS_OR]);
    zc = zkr_ext_sub(zc, pow2(11));
    return verify_forward(c, l, rho, zc);
}

/* sel~(jpt) = sum_{j < out} eq(jpt, j): the real outputs. */
static zkr_err sel_at(const vctx *c, const zkr_ext *jpt, zkr_ext *sel)
{
    size_t J = (size_t)1 << c->s.c;
    zkr_ext *eqj = calloc(J, sizeof(zkr_ext));

    if (eqj == NULL)
        return ZKR_ERR_NOMEM;
    zkr_mle_eq_table(jpt, c->s.c, eqj);
    *sel = zkr_ext_from(0);
    for (size_t j = 0; j < c->s.out[c->s.n_layers - 1]; j++)
        *sel = zkr_ext_add(*sel, eqj[j]);
    free(eqj);
    return ZKR_OK;
}

/* Lm~(pt): [b < count and j = label_b] at pt = (j, b). */
static zkr_err labels_at(const vctx *c, const zkr_ext *pt, zkr_ext *out)
{
    const zkr_verifier_evaluation_statement *st = c->st;
    unsigned cb = c->s.c;
    zkr_ext *eqb = calloc((size_t)1 << c->s.lb, sizeof(zkr_ext));
    zkr_ext *eqj = calloc((size_t)1 << cb, sizeof(zkr_ext)), acc = zkr_ext_from(0);
    zkr_err r = ZKR_ERR_NOMEM;

    if (eqb == NULL || eqj == NULL)
        goto out;
    zkr_mle_eq_table(pt, cb, eqj);
    zkr_mle_eq_table(pt + cb, c->s.lb, eqb);
    for (uint64_t b = 0; b < st->count; b++) {
        uint8_t lab = st->records[b * st->rec_len + st->rec_len - 1];
        if (lab < ((uint64_t)1 << cb))
            acc = zkr_ext_add(acc, zkr_ext_mul(eqb[b], eqj[lab]));
    }
    *out = acc;
    r = ZKR_OK;
out:
    free(eqb);
    free(eqj);
    return r;
}

static zkr_err verify_argmax(vctx *c)
{
    uint32_t L = c->s.n_layers;
    unsigned cb = c->s.c, nb = c->s.lb + cb;
    zkr_ext z[MAX_PT], rho[MAX_PT], lam, fin, am[16], kv[16], olo, ohi, sel, cj, e, dd, ka;
    zkr_ext one = zkr_ext_from(1), bracket, lm, beta[MAX_PT];
    zkr_err r;

    zkr_ts_challenge_exts(&c->t, "ef-am-z", z, nb);
    lam = zkr_ts_challenge_ext(&c->t, "ef-am-lambda");
    sumcheck(c, nb, 3, zkr_ext_from(0), rho, &fin);
    recv_group(c, nb, ZKR_EF_AM_LOG, ZKR_EF_AM_USED, c->s.am_off, c->s.am_log, rho, am);
    olo = recv_slot(c, L - 1, ZKR_TS_OLO, rho);
    ohi = recv_slot(c, L - 1, ZKR_TS_OHI, rho);
    recv_group(c, c->s.lb, ZKR_EF_KA_LOG, ZKR_EF_KA_USED, c->s.ka_off, c->s.ka_log, rho + cb, kv);
    if ((r = sel_at(c, rho, &sel)) != ZKR_OK)
        return r;
    /* cj~(rho_j) = 2^c - 1 - sum_i 2^i rho_i (the MLE of a linear function of the bits). */
    cj = zkr_ext_sub(pow2(cb), one);
    for (unsigned i = 0; i < cb; i++)
        cj = zkr_ext_sub(cj, zkr_ext_mul_base(rho[i], zkr_train_pow2(i)));
    e = am[ZKR_EF_E];
    dd = limbs48(am[ZKR_EF_D0], am[ZKR_EF_D1], am[ZKR_EF_D2]);
    ka = limbs48(kv[0], kv[1], kv[2]);
    /* K = 2^c (o + 2^23) + cj with o + 2^23 = olo + 2^16 ohi. */
    {
        zkr_ext ob = zkr_ext_add(olo, zkr_ext_mul_base(ohi, zkr_train_pow2(16)));
        zkr_ext kc = zkr_ext_mul_base(ob, zkr_train_pow2(cb));
        zkr_ext t1 = zkr_ext_sub(zkr_ext_mul(e, e), e);
        zkr_ext t2 = zkr_ext_sub(e, zkr_ext_mul(e, sel));
        zkr_ext t3 = zkr_ext_mul(e, zkr_ext_sub(ka, zkr_ext_add(kc, cj)));
        zkr_ext t4 = zkr_ext_sub(zkr_ext_mul(sel, zkr_ext_sub(ka, zkr_ext_add(kc, cj))), dd);
        bracket = zkr_ext_add(t1, zkr_ext_mul(lam, zkr_ext_add(t2, zkr_ext_mul(lam,
                              zkr_ext_add(t3, zkr_ext_mul(lam, t4))))));
        check(c, CK_ARGMAX, zkr_ext_eq(fin, zkr_ext_mul(zkr_mle_eq_eval(z, rho, nb), bracket)));
    }
    {
        zkr_ext pt[MAX_PT], half = zkr_ext_from(zkr_gl_inv(2)), eh;
        for (unsigned i = 0; i < cb; i++)
            pt[i] = half;
        memcpy(pt + cb, rho + cb, c->s.lb * sizeof *pt);
        eh = recv_block_slot(c, nb, c->s.am_off, c->s.am_log, ZKR_EF_E, pt);
        check(c, CK_ONEHOT, zkr_ext_eq(zkr_ext_mul_base(eh, zkr_train_pow2(cb)), one));
    }
    sumcheck(c, nb, 2, zkr_ext_from(zkr_gl_from_i64((int64_t)c->correct)), beta, &fin);
    e = recv_block_slot(c, nb, c->s.am_off, c->s.am_log, ZKR_EF_E, beta);
    if ((r = labels_at(c, beta, &lm)) != ZKR_OK)
        return r;
    check(c, CK_COUNT, zkr_ext_eq(fin, zkr_ext_mul(e, lm)));
    return ZKR_OK;
}

static zkr_err verify_openings(vctx *c)
{
    uint32_t L = c->s.n_layers;
    unsigned nid = ZKR_EVALF_N_POLYS(L);
    zkr_err r = ZKR_OK;

    for (unsigned v = 0; v <= 64 && r == ZKR_OK; v++) {
        unsigned ids[ZKR_EVALF_N_POLYS(ZKR_EVALF_MAX_LAYERS)], n_ids = 0;
        for (unsigned id = 0; id < nid; id++)
            if (zkr_evalf_poly_vars(&c->s, id) == v)
                ids[n_ids++] = id;
        for (unsigned at = 0; at < n_ids && r == ZKR_OK; at += ZKR_EVALF_GROUP_MAX) {
            zkr_pcs_commitment comms[ZKR_EVALF_GROUP_MAX];
            zkr_pcs_claim cls[MAX_CLAIMS];
            zkr_pcs_proof *pf = NULL;
            size_t np = 0, nc = 0;
            for (unsigned i = at; i < n_ids && i < at + ZKR_EVALF_GROUP_MAX; i++) {
                unsigned id = ids[i];
                comms[np] = id < L ? c->w[id] : id == L ? c->vcm : c->mcm;
                for (size_t k = 0; k < c->n_cl; k++)
                    if (c->cl[k].poly == id) {
                        cls[nc].comm = np;
                        cls[nc].point = c->cl[k].pt;
                        cls[nc].value = c->cl[k].val;
                        nc++;
                    }
                np++;
            }
            if (zkr_pcs_proof_parse(&c->p, v, np, nc, &c->dec, &pf) != ZKR_OK) {
                c->bad = 1;
                return ZKR_OK;
            }
            r = zkr_pcs_verify(&c->p, &c->t, comms, np, cls, nc, pf);
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
    zkr_ts_absorb(&c->t, "ef-witness-root", c->vcm.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(&c->t, "ef-mult-root", c->mcm.root, ZKR_DIGEST_BYTES);
    if (zkr_logup_proof_parse(c->s.n_v, ZKR_TRAIN_TABLE_LOG, &c->dec, &lp) != ZKR_OK)
        return c->bad = 1, ZKR_OK;
    if (zkr_logup_verify(&c->t, c->s.n_v, ZKR_TRAIN_TABLE_LOG, lp, &lc) != ZKR_OK)
        check(c, CK_RANGE, 0);
    zkr_logup_proof_free(lp);
    for (unsigned i = 0; i < ZKR_TRAIN_TABLE_LOG; i++)
        tv = zkr_ext_add(tv, zkr_ext_mul_base(lc.rt[i], zkr_train_pow2(i)));
    check(c, CK_RANGE, zkr_ext_eq(tv, lc.t_at_rt));
    {
        vclaim *a = new_claim(c, vpoly_id(c)), *m = new_claim(c, vpoly_id(c) + 1);
        memcpy(a->pt, lc.ra, c->s.n_v * sizeof(zkr_ext));
        a->val = lc.a_at_ra;
        memcpy(m->pt, lc.rt, ZKR_TRAIN_TABLE_LOG * sizeof(zkr_ext));
        m->val = lc.m_at_rt;
    }
    for (uint32_t l = 0; l + 1 < c->s.n_layers && r == ZKR_OK; l++)
        r = verify_hidden(c, l);
    if (r == ZKR_OK)
        r = verify_output(c);
    if (r == ZKR_OK)
        r = verify_argmax(c);
    if (r == ZKR_OK && !c->bad && c->n_cl != zkr_evalf_n_claims(&c->s))
        c->overflow = 1;
    if (r == ZKR_OK && !c->bad && !c->overflow)
        r = verify_openings(c);
    return r;
}

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
    return zkr_fail(d, ZKR_ERR_VERIFY, "proof: the evaluation does not verify (failed: %s)",
                    what);
}

zkr_err zkr_verify_evaluation_fixed(const uint8_t *proof, size_t len,
                                    const zkr_verifier_evaluation_statement *st,
                                    uint64_t *correct, zkr_diag *d)
{
    static const uint32_t tags[2] = {ZKR_SEC_STATEMENT, ZKR_SEC_EVALF_BODY};
    zkr_proof_view v;
    vctx *c;
    zkr_err r;

    if (correct)
        *correct = 0;
    if (!proof || !st || (!st->output && st->output_len) || !st->records)
        return zkr_fail(d, ZKR_ERR_USAGE, "verify: missing proof or statement");
    if (st->count < 1 || st->count > ((uint64_t)1 << ZKR_EVALF_MAX_LB))
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "statement: %llu records outside 1..2^%u",
                        (unsigned long long)st->count, ZKR_EVALF_MAX_LB);
    if ((r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK)
        return r;
    if ((r = zkr_proof_view_bind(&v, st->param_set, ZKR_KIND_EVAL_FIXED, ZKR_EVALF_NAME,
                                 st->statement_id, tags, 2, d)) != ZKR_OK)
        return r;
    if ((c = calloc(1, sizeof *c)) == NULL)
        return ZKR_ERR_NOMEM;
    c->st = st;
    if (zkr_params_get(st->param_set, &c->p) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "statement: unknown parameter set %u",
                     st->param_set);
        goto out;
    }
    if ((r = check_statement(c, &v, d)) != ZKR_OK)
        goto out;
    zkr_evalf_transcript(&c->t, &c->p, st->statement_id, v.body[0], v.len[0]);
    zkr_dec_init(&c->dec, v.body[1], v.len[1]);
    if ((r = verify_body(c)) != ZKR_OK)
        goto out;
    if (c->overflow)
        r = zkr_fail(d, ZKR_ERR_INTERNAL, ZKR_EVALF_NAME ": %zu evaluation claims, the shape has "
                     "%zu, capacity %u (no verdict)", c->n_cl, zkr_evalf_n_claims(&c->s),
                     MAX_CLAIMS);
    else if (c->bad || zkr_dec_finish(&c->dec) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: " ZKR_EVALF_NAME " body malformed or truncated");
    else if (c->failed)
        r = fail_verify(c, d);
    else if (correct)
        *correct = c->correct;
out:
    free(c);
    return r;
}
