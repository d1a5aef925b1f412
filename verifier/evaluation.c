/*
 * evaluation@1 verification: the bindings against the registered statement
 * first (each with its own error), then the mathematics (ZKR_ERR_VERIFY).
 * The layout is derived from the program, the committed shifts and the
 * statement's record count, never from counts in the file. Every relation
 * and its integer bound: docs/soundness.md, "evaluation@1".
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ml/graph.h"
#include "verifier/evaluation_int.h"
#include "zk/cnn.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

zkr_ve_claim *zkr_ve_claim_new(zkr_ve_claims *cs, unsigned poly)
{
    zkr_ve_claim *c;

    if (cs->n >= ZKR_EVAL_MAX_CLAIMS)
        return NULL;
    c = &cs->c[cs->n++];
    memset(c, 0, sizeof *c);
    c->poly = poly;
    return c;
}

zkr_err zkr_ve_full(zkr_diag *d)
{
    return zkr_fail(d, ZKR_ERR_INTERNAL, "verify: more evaluation claims than the verifier holds");
}

void zkr_ve_bits(zkr_ext *pt, unsigned bits, uint64_t v)
{
    for (unsigned i = 0; i < bits; i++)
        pt[i] = zkr_ext_from((v >> i) & 1);
}

/* ------------------------------------------------------------------ */
/* Bindings                                                             */
/* ------------------------------------------------------------------ */

static zkr_err zkr_ve_header(const zkr_proof_view *v, const zkr_verifier_evaluation_statement *st,
                             zkr_diag *d)
{
    static const uint32_t tags[5] = {ZKR_SEC_STATEMENT, ZKR_SEC_EVAL_ROOTS, ZKR_SEC_EVAL_LOGUP,
                                     ZKR_SEC_EVAL_BODY, ZKR_SEC_PCS};

    return zkr_proof_view_bind(v, st->param_set, ZKR_KIND_EVALUATION1, "evaluation@1", st->statement_id,
                               tags, 5, d);
}

zkr_err zkr_ve_model(zkr_dec *dec, const zkr_verifier_evaluation_statement *st,
                            zkr_ve_stmt *s, const zkr_params *p, zkr_diag *d)
{
    uint32_t n, in[ZKR_INFER_MAX_LAYERS], out[ZKR_INFER_MAX_LAYERS];
    int relu[ZKR_INFER_MAX_LAYERS];
    uint8_t mc[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (zkr_dec_u32(dec, &n) != ZKR_OK || n != s->g.n_layers)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer count differs from the program");
    for (uint32_t l = 0; l < n; l++) {
        const uint8_t *root;
        if (zkr_dec_u32(dec, &s->shifts[l]) != ZKR_OK ||
            zkr_dec_u32(dec, &s->comm[l].n_vars) != ZKR_OK ||
            zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u commitment truncated", l);
        memcpy(s->comm[l].root, root, ZKR_DIGEST_BYTES);
        in[l] = s->g.layers[l].in_dim;
        out[l] = s->g.layers[l].out_dim;
        relu[l] = s->g.layers[l].act == ZKR_ML_ACT_RELU;
    }
    zkr_infer_model_commitment(st->program_digest, n, s->shifts, s->comm, mc);
    if (sodium_memcmp(mc, st->model_commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof: model commitment differs from the registered model's");
    r = zkr_eval_shape_init(&s->sh, s->g.input_dim, n, in, out, relu, s->shifts, st->count,
                            p->max_vars);
    if (r == ZKR_ERR_TOO_LARGE)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE,
                        "statement: %llu records of this program exceed the parameter set",
                        (unsigned long long)st->count);
    if (r != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: committed shifts out of bounds");
    for (uint32_t l = 0; l < n; l++)
        if (s->comm[l].n_vars != s->sh.inf.layer[l].lm + s->sh.inf.layer[l].lk)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u commitment size", l);
    return ZKR_OK;
}

/* The range's records hash into the dataset root with the proof's boundary hashes. */
static zkr_err zkr_ve_records(const zkr_verifier_evaluation_statement *st, uint64_t n,
                              const uint8_t *root, const uint8_t *bound, uint32_t n_bound,
                              zkr_diag *d)
{
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

zkr_err zkr_ve_dataset(zkr_dec *dec, const zkr_verifier_evaluation_statement *st,
                              zkr_ve_stmt *s, zkr_diag *d)
{
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
    if (st->rec_len != (size_t)s->g.input_dim + 1)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "statement: records of %zu bytes, the program wants %u input bytes and "
                        "a label", st->rec_len, s->g.input_dim);
    return zkr_ve_records(st, n, root, bound, n_bound, d);
}

static zkr_err zkr_ve_output(zkr_dec *dec, const zkr_verifier_evaluation_statement *st,
                             zkr_ve_stmt *s, zkr_diag *d)
{
    const uint8_t *out;
    size_t out_len;
    uint64_t cnt;

    if (zkr_dec_bytes(dec, ZKR_EVAL_OUTPUT_BYTES, &out, &out_len) != ZKR_OK ||
        zkr_dec_u64(dec, &s->correct) != ZKR_OK || zkr_dec_finish(dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: output field malformed");
    if (out_len != st->output_len || sodium_memcmp(out, st->output, out_len) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "proof: public output differs from the statement's output");
    if (zkr_eval_output_decode(out, out_len, &s->mode, &cnt, &s->value) != ZKR_OK ||
        cnt != st->count)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement: output is not (mode, %llu records, value)",
                        (unsigned long long)st->count);
    if (s->correct > st->count)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: more correct than records");
    if (s->mode == ZKR_EVAL_MODE_EXACT && s->correct != s->value)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                        "proof: claims %llu correct, the statement states %llu",
                        (unsigned long long)s->correct, (unsigned long long)s->value);
    if (s->mode == ZKR_EVAL_MODE_THRESHOLD && s->correct < s->value)
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: %llu correct, below the threshold %llu",
                        (unsigned long long)s->correct, (unsigned long long)s->value);
    return ZKR_OK;
}

static zkr_err zkr_ve_statement(const zkr_proof_view *v,
                                const zkr_verifier_evaluation_statement *st, zkr_ve_stmt *s,
                                const zkr_params *p, zkr_diag *d)
{
    zkr_dec dec;
    const uint8_t *prog;
    size_t prog_len;
    uint8_t pd[ZKR_DIGEST_BYTES];
    zkr_err r;

    zkr_dec_init(&dec, v->body[0], v->len[0]);
    if (zkr_dec_bytes(&dec, ZKR_ML_GRAPH_MAX_BYTES, &prog, &prog_len) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: program field malformed");
    zkr_sha256(prog, prog_len, pd);
    if (sodium_memcmp(pd, st->program_digest, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                        "proof: program differs from the registered program");
    if ((r = zkr_ml_graph_decode(prog, prog_len, &s->g, d)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: program does not decode");
    if (s->g.arith != ZKR_ML_ARITH_INT8 || s->g.input_encoding != ZKR_ML_INPUT_U8_DIV255 ||
        s->g.n_layers > ZKR_INFER_MAX_LAYERS || s->g.n_layers < 1)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: program not supported by evaluation@1");
    for (uint32_t l = 0; l < s->g.n_layers; l++)
        if (s->g.layers[l].op != ZKR_ML_OP_DENSE)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: layer %u is not dense", l);
    if ((r = zkr_ve_model(&dec, st, s, p, d)) != ZKR_OK ||
        (r = zkr_ve_dataset(&dec, st, s, d)) != ZKR_OK)
        return r;
    return zkr_ve_output(&dec, st, s, d);
}

/* ------------------------------------------------------------------ */
/* Mathematics                                                          */
/* ------------------------------------------------------------------ */

/* sum_i 2^(bits i) slots[first + i]. */
static zkr_ext zkr_ve_limbs_b(const zkr_ext *slots, unsigned first, unsigned n, unsigned bits)
{
    zkr_ext acc = zkr_ext_from(0);

    for (unsigned i = n; i-- > 0;)
        acc = zkr_ext_add(zkr_ext_mul_base(acc, (zkr_gl)1 << bits), slots[first + i]);
    return acc;
}

static zkr_ext zkr_ve_limbs(const zkr_ext *slots, unsigned first, unsigned n)
{
    return zkr_ve_limbs_b(slots, first, n, 8);
}

static zkr_ext zkr_ve_eq_bits(const zkr_ext *r, unsigned n, uint64_t v)
{
    zkr_ext acc = zkr_ext_from(1), one = zkr_ext_from(1);

    for (unsigned i = 0; i < n; i++)
        acc = zkr_ext_mul(acc, ((v >> i) & 1) ? r[i] : zkr_ext_sub(one, r[i]));
    return acc;
}

/* A public table over the last layer's rows j (broadcast over records) at rho_j. */
static zkr_err zkr_ve_jtable(const zkr_eval_am_dims *m, int cj, const zkr_ext *rho, zkr_ext *out)
{
    size_t J = (size_t)1 << m->c;
    zkr_gl *t = calloc(J, sizeof *t);
    zkr_err r;

    if (!t)
        return ZKR_ERR_NOMEM;
    for (size_t j = 0; j < m->out_dim && j < J; j++)
        t[j] = cj ? (zkr_gl)(J - 1 - j) : 1;
    r = zkr_mle_eval_base(t, m->c, rho, out);
    free(t);
    return r;
}

/* The argmax block's dimensions for evaluation@1's shape (its version's layout). */
static zkr_eval_am_dims zkr_ve_dims(const zkr_eval_shape *s)
{
    return zkr_eval_am_of(s);
}

/* Claims on V_l: a split batch's V_0 is virtual until the split step. */
static unsigned zkr_ve_vid(const zkr_eval_shape *s, uint32_t l)
{
    return l == 0 && s->split ? ZKR_EVAL_POLY_V0 : s->inf.n_layers + l;
}

static zkr_err zkr_ve_fold_claim(zkr_ve_ctx *c, unsigned poly, const zkr_ext *rho, unsigned nv,
                                 unsigned slog, const zkr_ext *slots, zkr_diag *d)
{
    zkr_ve_claim *vc = zkr_ve_claim_new(c->cl, poly);
    zkr_ext eqt[16], acc = zkr_ext_from(0);

    if (!vc)
        return zkr_ve_full(d);
    memcpy(vc->pt, rho, nv * sizeof *rho);
    zkr_ts_challenge_exts(c->t, "ev-tau", vc->pt + nv, slog);
    zkr_mle_eq_table(vc->pt + nv, slog, eqt);
    for (unsigned sl = 0; sl < (1u << slog); sl++)
        acc = zkr_ext_add(acc, zkr_ext_mul(eqt[sl], slots[sl]));
    vc->val = acc;
    return ZKR_OK;
}

zkr_err zkr_ve_am_verify(const zkr_eval_am_dims *m, zkr_transcript *t, zkr_dec *dec,
                        unsigned off, zkr_ve_am_out *o, zkr_diag *d)
{
    unsigned nv = m->c + m->lb;
    zkr_ext z[ZKR_VE_MAX_PT], msgs[3 * ZKR_VE_MAX_ROUNDS], lam[4], eqt[ZKR_EVAL_ASLOTS];
    zkr_ext fin, sel, cj, E, KA, D, K, want;
    zkr_ext one = zkr_ext_from(1);
    zkr_gl two_c = (zkr_gl)1 << m->c;
    unsigned slog = zkr_eval_am_slog(m), nsl = 1u << slog, lbits = zkr_eval_am_limb(m);
    zkr_err r;

    if (m->nd > 3 || nv + slog > ZKR_VE_MAX_PT || nv > ZKR_VE_MAX_ROUNDS ||
        slog > ZKR_EVAL_ASLOTS_LOG || 1 + 2 * m->nd > nsl)
        return ZKR_ERR_INTERNAL;
    if (zkr_dec_exts(dec, msgs, 3 * (size_t)nv) != ZKR_OK ||
        zkr_dec_exts(dec, o->slots, nsl) != ZKR_OK || zkr_dec_ext(dec, &o->yv) != ZKR_OK ||
        zkr_dec_ext(dec, &o->e_half) != ZKR_OK || zkr_dec_exts(dec, o->ka0, m->nd) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: argmax section truncated");
    zkr_ts_challenge_exts(t, "ev-am-z", z, nv);
    lam[0] = one;
    lam[1] = zkr_ts_challenge_ext(t, "ev-am-lambda");
    lam[2] = zkr_ext_mul(lam[1], lam[1]);
    lam[3] = zkr_ext_mul(lam[2], lam[1]);
    zkr_sumcheck_verify(t, nv, 3, zkr_ext_from(0), msgs, o->rho, &fin);
    if ((r = zkr_ve_jtable(m, 0, o->rho, &sel)) != ZKR_OK ||
        (r = zkr_ve_jtable(m, 1, o->rho, &cj)) != ZKR_OK)
        return r;
    E = o->slots[ZKR_EVAL_ASLOT_E];
    D = zkr_ve_limbs_b(o->slots, ZKR_EVAL_ASLOT_D0, m->nd, lbits);
    KA = zkr_ve_limbs_b(o->slots, ZKR_EVAL_ASLOT_D0 + m->nd, m->nd, lbits);
    K = zkr_ext_add(zkr_ext_mul_base(o->yv, two_c), cj);
    want = zkr_ext_sub(zkr_ext_mul(E, E), E);
    want = zkr_ext_add(want, zkr_ext_mul(lam[1], zkr_ext_mul(zkr_ext_sub(one, sel), E)));
    want = zkr_ext_add(want, zkr_ext_mul(lam[2], zkr_ext_mul(E, zkr_ext_sub(KA, K))));
    want = zkr_ext_add(want, zkr_ext_mul(lam[3],
                                         zkr_ext_mul(sel, zkr_ext_sub(zkr_ext_sub(KA, K), D))));
    want = zkr_ext_mul(want, zkr_mle_eq_eval(z, o->rho, nv));
    if (zkr_ve_check_on(off, ZKR_EVAL_AM_OFF_ARGMAX) && !zkr_ext_eq(fin, want))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: argmax check fails");
    zkr_ts_absorb_ext(t, "ev-am-slots", o->slots, nsl);
    zkr_ts_absorb_ext(t, "ev-am-y", &o->yv, 1);
    zkr_ts_challenge_exts(t, "ev-tau", o->tau, slog);
    zkr_mle_eq_table(o->tau, slog, eqt);
    o->fold = zkr_ext_from(0);
    for (unsigned sl = 0; sl < nsl; sl++)
        o->fold = zkr_ext_add(o->fold, zkr_ext_mul(eqt[sl], o->slots[sl]));
    zkr_ts_absorb_ext(t, "ev-am-onehot", &o->e_half, 1);
    zkr_ts_absorb_ext(t, "ev-am-ka0", o->ka0, m->nd);
    /* sum_j E(j, b) = 2^c E~(1/2, .., 1/2, b) = 1 at rho_b; KA~(0, rho_b) = KA~(rho). */
    if (zkr_ve_check_on(off, ZKR_EVAL_AM_OFF_ONEHOT) &&
        !zkr_ext_eq(zkr_ext_mul_base(o->e_half, two_c), one))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: argmax indicator is not one-hot");
    if (zkr_ve_check_on(off, ZKR_EVAL_AM_OFF_KEY) &&
        !zkr_ext_eq(zkr_ve_limbs_b(o->ka0, 0, m->nd, lbits), KA))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: argmax key differs between outputs");
    return ZKR_OK;
}

static zkr_err zkr_ve_argmax(zkr_ve_ctx *c, zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    uint32_t L = s->inf.n_layers;
    zkr_eval_am_dims m = zkr_ve_dims(s);
    unsigned nv = s->c + s->lb;
    zkr_ve_am_out o;
    zkr_ve_claim *cl;
    zkr_err r;

    if ((r = zkr_ve_am_verify(&m, c->t, c->dec, c->s->off, &o, d)) != ZKR_OK)
        return r;
    if (!(cl = zkr_ve_claim_new(c->cl, 2 * L)))
        return zkr_ve_full(d);
    memcpy(cl->pt, o.rho, nv * sizeof *o.rho);
    memcpy(cl->pt + nv, o.tau, s->alog * sizeof *o.tau);
    cl->val = o.fold;
    if (!(cl = zkr_ve_claim_new(c->cl, zkr_ve_vid(s, L - 1))))
        return zkr_ve_full(d);
    memcpy(cl->pt, o.rho, nv * sizeof *o.rho);
    zkr_ve_bits(cl->pt + nv, s->vlog[L - 1], s->ysl[L - 1]);
    cl->val = o.yv;
    if (!(cl = zkr_ve_claim_new(c->cl, 2 * L)))
        return zkr_ve_full(d);
    zkr_eval_am_onehot_pt(&m, o.rho, cl->pt);
    cl->val = o.e_half;
    for (unsigned k = 0; k < s->nd; k++) {
        if (!(cl = zkr_ve_claim_new(c->cl, 2 * L)))
            return zkr_ve_full(d);
        zkr_eval_am_key_pt(&m, o.rho, k, cl->pt);
        cl->val = o.ka0[k];
    }
    return ZKR_OK;
}

/* Lm~(rs): the real records' one-hot labels (0 on the padding). */
static zkr_err zkr_ve_labels(const zkr_eval_am_dims *m, const uint8_t *labels, size_t stride,
                             uint64_t count, const zkr_ext *rs, zkr_ext *out)
{
    zkr_ext *eb = calloc((size_t)1 << m->lb, sizeof *eb), *ej = calloc((size_t)1 << m->c, sizeof *ej);
    zkr_ext acc = zkr_ext_from(0);

    if (!eb || !ej) {
        free(eb);
        free(ej);
        return ZKR_ERR_NOMEM;
    }
    zkr_mle_eq_table(rs, m->c, ej);
    zkr_mle_eq_table(rs + m->c, m->lb, eb);
    for (uint64_t b = 0; b < count && b < ((uint64_t)1 << m->lb); b++) {
        uint8_t label = labels[b * stride];
        if (label < m->out_dim)
            acc = zkr_ext_add(acc, zkr_ext_mul(eb[b], ej[label]));
    }
    *out = acc;
    free(eb);
    free(ej);
    return ZKR_OK;
}

zkr_err zkr_ve_count_verify(const zkr_eval_am_dims *m, zkr_transcript *t, zkr_dec *dec,
                            const uint8_t *labels, size_t stride, uint64_t count,
                            uint64_t correct, unsigned off, zkr_ext *rs, zkr_ext *ev, zkr_diag *d)
{
    unsigned nv = m->c + m->lb;
    zkr_ext msgs[2 * ZKR_VE_MAX_ROUNDS], fin, lm;
    zkr_err r;

    if (nv > ZKR_VE_MAX_ROUNDS)
        return ZKR_ERR_INTERNAL;
    if (zkr_dec_exts(dec, msgs, 2 * (size_t)nv) != ZKR_OK || zkr_dec_ext(dec, ev) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: count section truncated");
    zkr_sumcheck_verify(t, nv, 2, zkr_ext_from(correct), msgs, rs, &fin);
    zkr_ts_absorb_ext(t, "ev-count-e", ev, 1);
    if ((r = zkr_ve_labels(m, labels, stride, count, rs, &lm)) != ZKR_OK)
        return r;
    if (zkr_ve_check_on(off, ZKR_EVAL_AM_OFF_COUNT) && !zkr_ext_eq(fin, zkr_ext_mul(*ev, lm)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: count check fails");
    return ZKR_OK;
}

static zkr_err zkr_ve_count(zkr_ve_ctx *c, zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    zkr_eval_am_dims m = zkr_ve_dims(s);
    unsigned nv = s->c + s->lb;
    zkr_ext rs[ZKR_VE_MAX_PT], ev;
    zkr_ve_claim *ec;
    zkr_err r;

    if ((r = zkr_ve_count_verify(&m, c->t, c->dec, c->st->records + s->inf.input_dim,
                                 c->st->rec_len, s->count, c->s->correct, c->s->off, rs, &ev,
                                 d)) != ZKR_OK)
        return r;
    if (!(ec = zkr_ve_claim_new(c->cl, 2 * s->inf.n_layers)))
        return zkr_ve_full(d);
    memcpy(ec->pt, rs, nv * sizeof *rs);
    zkr_ve_bits(ec->pt + nv, s->alog, ZKR_EVAL_ASLOT_E);
    ec->val = ev;
    return ZKR_OK;
}

/*
 * Format version 4's requantization at rho (docs/soundness.md, "narrow
 * requantization"): acc M + 2^(s-1) - 2^s (Y + lo + GH - GL) - R
 * + lam GH (127 - lo - Y) + lam^2 GL Y, from the used slots.
 */
static zkr_ext zkr_ve_rqn_want(const zkr_cnn_rqn *a, const zkr_infer_layer *L, unsigned ysl,
                               const zkr_ext *slots, zkr_ext acc_v, zkr_ext m_v,
                               const zkr_ext *lam)
{
    zkr_ext Y = slots[ysl], rr = zkr_ve_limbs_b(slots, 0, a->nr, ZKR_CNN_RQN_LIMB);
    zkr_ext gh = zkr_ve_limbs_b(slots, a->slot_gh, a->ngh, ZKR_CNN_RQN_LIMB);
    zkr_ext gl = zkr_ve_limbs_b(slots, a->slot_gl, a->ngl, ZKR_CNN_RQN_LIMB);
    zkr_ext lo_l = zkr_ext_from(zkr_gl_from_i64(L->lo));
    zkr_ext q = zkr_ext_sub(zkr_ext_add(zkr_ext_add(Y, lo_l), gh), gl);
    zkr_ext e0 = zkr_ext_sub(zkr_ext_add(zkr_ext_mul(acc_v, m_v),
                                         zkr_ext_from((zkr_gl)1 << (L->shift - 1))),
                             zkr_ext_add(zkr_ext_mul_base(q, (zkr_gl)1 << L->shift), rr));
    zkr_ext e1 = zkr_ext_mul(gh, zkr_ext_sub(zkr_ext_from(zkr_gl_from_i64(127 - L->lo)), Y));
    zkr_ext e2 = zkr_ext_mul(gl, Y);

    return zkr_ext_add(e0, zkr_ext_add(zkr_ext_mul(lam[1], e1), zkr_ext_mul(lam[2], e2)));
}

/* Format version 4's layer zero-check: the used slots sent, no decomposition checks (entries). */
static zkr_err zkr_ve_zerocheck4(zkr_ve_ctx *c, uint32_t l, zkr_ext *rho, zkr_ext *acc_v,
                                 zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    const zkr_infer_layer *L = &s->inf.layer[l];
    unsigned nv = L->lm + s->lb, nu = s->nsl[l];
    zkr_ext z[ZKR_VE_MAX_PT], msgs[3 * ZKR_VE_MAX_ROUNDS], slots[16], lam[5], m_v, fin, want;
    zkr_cnn_rqn a;
    zkr_err r;

    if (zkr_eval_rqn(s, l, &a) != ZKR_OK || nu > 16)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "verify: layer %u requantization shape", l);
    memset(slots, 0, sizeof slots);
    if (zkr_dec_exts(c->dec, msgs, 3 * (size_t)nv) != ZKR_OK ||
        zkr_dec_exts(c->dec, slots, nu) != ZKR_OK || zkr_dec_ext(c->dec, acc_v) != ZKR_OK ||
        zkr_dec_ext(c->dec, &m_v) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u section truncated", l);
    zkr_ts_challenge_exts(c->t, "ev-z", z, nv);
    lam[0] = zkr_ext_from(1);
    lam[1] = zkr_ts_challenge_ext(c->t, "ev-lambda");
    for (unsigned i = 2; i < 5; i++)
        lam[i] = zkr_ext_mul(lam[i - 1], lam[1]);
    zkr_sumcheck_verify(c->t, nv, 3, zkr_ext_from(0), msgs, rho, &fin);
    want = zkr_ve_rqn_want(&a, L, s->ysl[l], slots, *acc_v, m_v, lam);
    /* Layer 0 of a split batch: the weight is zero past V_0's records. */
    want = zkr_ext_mul(want, l == 0 && s->split ? zkr_eval_v0_masked_eq(s, z, rho)
                                                : zkr_mle_eq_eval(z, rho, nv));
    if (zkr_ve_check_on(c->s->off, ZKR_EVAL_OFF_REQUANT) && !zkr_ext_eq(fin, want))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: layer %u requantization check fails", l);
    zkr_ts_absorb_ext(c->t, "ev-slots", slots, nu);
    zkr_ts_absorb_ext(c->t, "ev-acc-m", acc_v, 1);
    zkr_ts_absorb_ext(c->t, "ev-acc-m", &m_v, 1);
    if ((r = zkr_ve_fold_claim(c, zkr_ve_vid(s, l), rho, nv, s->vlog[l], slots, d)) != ZKR_OK)
        return r;
    {
        zkr_ve_claim *mc = zkr_ve_claim_new(c->cl, l);
        if (!mc)
            return zkr_ve_full(d);
        zkr_ve_bits(mc->pt, L->lk, (uint64_t)L->in_dim + 1);
        memcpy(mc->pt + L->lk, rho, L->lm * sizeof *rho);
        mc->val = m_v;
    }
    return ZKR_OK;
}

zkr_err zkr_ve_zerocheck(zkr_ve_ctx *c, uint32_t l, zkr_ext *rho, zkr_ext *acc_v,
                                zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    const zkr_infer_layer *L = &s->inf.layer[l];
    unsigned nv = L->lm + s->lb;
    zkr_ext z[ZKR_VE_MAX_PT], msgs[3 * ZKR_VE_MAX_ROUNDS], slots[16], lam[5], m_v, fin, want;
    zkr_ext one = zkr_ext_from(1), hi, lo, Y, g, rr, two_s;
    zkr_err r;

    if (s->version >= 4)
        return zkr_ve_zerocheck4(c, l, rho, acc_v, d);
    if (zkr_dec_exts(c->dec, msgs, 3 * (size_t)nv) != ZKR_OK ||
        zkr_dec_exts(c->dec, slots, 16) != ZKR_OK || zkr_dec_ext(c->dec, acc_v) != ZKR_OK ||
        zkr_dec_ext(c->dec, &m_v) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u section truncated", l);
    zkr_ts_challenge_exts(c->t, "ev-z", z, nv);
    lam[0] = one;
    lam[1] = zkr_ts_challenge_ext(c->t, "ev-lambda");
    for (unsigned i = 2; i < 5; i++)
        lam[i] = zkr_ext_mul(lam[i - 1], lam[1]);
    zkr_sumcheck_verify(c->t, nv, 3, zkr_ext_from(0), msgs, rho, &fin);
    Y = slots[ZKR_INFER_SLOT_Y];
    hi = slots[ZKR_INFER_SLOT_HI];
    lo = slots[ZKR_INFER_SLOT_LO];
    rr = zkr_ve_limbs(slots, ZKR_INFER_SLOT_R0, L->nr);
    g = zkr_ve_limbs(slots, L->slot_g0, L->ng);
    two_s = zkr_ext_from((zkr_gl)1 << L->shift);
    {
        zkr_ext lo_l = zkr_ext_from(zkr_gl_from_i64(L->lo));
        zkr_ext q = zkr_ext_add(zkr_ext_add(Y, lo_l), zkr_ext_mul(zkr_ext_sub(hi, lo), g));
        zkr_ext cst = zkr_ext_sub(zkr_ext_add(zkr_ext_mul(*acc_v, m_v),
                                              zkr_ext_from((zkr_gl)1 << (L->shift - 1))),
                                  zkr_ext_add(zkr_ext_mul(q, two_s), rr));
        zkr_ext c1 = zkr_ext_sub(zkr_ext_mul(hi, hi), hi);
        zkr_ext c2 = zkr_ext_sub(zkr_ext_mul(lo, lo), lo);
        zkr_ext c3 = zkr_ext_mul(hi, zkr_ext_sub(zkr_ext_from(zkr_gl_from_i64(127 - L->lo)), Y));
        zkr_ext c4 = zkr_ext_mul(lo, Y);
        want = zkr_ext_add(cst, zkr_ext_add(zkr_ext_mul(lam[1], c1),
                                            zkr_ext_add(zkr_ext_mul(lam[2], c2),
                                                        zkr_ext_add(zkr_ext_mul(lam[3], c3),
                                                                    zkr_ext_mul(lam[4], c4)))));
        /* Layer 0 of a split batch: the weight is zero past V_0's records. */
        want = zkr_ext_mul(want, l == 0 && s->split ? zkr_eval_v0_masked_eq(s, z, rho)
                                                    : zkr_mle_eq_eval(z, rho, nv));
    }
    if (!zkr_ext_eq(fin, want))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: layer %u requantization check fails", l);
    /* YC = 127 - lo - Y on every row V_0 holds (a split batch: zero past them). */
    if (!zkr_ext_eq(slots[ZKR_INFER_SLOT_YC],
                    zkr_ext_sub(zkr_ext_mul_base(l == 0 ? zkr_eval_v0_sel(s, rho + L->lm) : one,
                                                 zkr_gl_from_i64(127 - L->lo)),
                                Y)) ||
        !zkr_ext_eq(slots[L->slot_rtc],
                    zkr_ext_mul_base(slots[ZKR_INFER_SLOT_R0 + L->nr - 1], L->c_r)) ||
        !zkr_ext_eq(slots[L->slot_gtc], zkr_ext_mul_base(slots[L->slot_g0 + L->ng - 1], L->c_g)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: layer %u range decomposition fails", l);
    zkr_ts_absorb_ext(c->t, "ev-slots", slots, 16);
    zkr_ts_absorb_ext(c->t, "ev-acc-m", acc_v, 1);
    zkr_ts_absorb_ext(c->t, "ev-acc-m", &m_v, 1);
    if ((r = zkr_ve_fold_claim(c, zkr_ve_vid(s, l), rho, nv, ZKR_INFER_SLOTS_LOG, slots, d)) !=
        ZKR_OK)
        return r;
    {
        zkr_ve_claim *mc = zkr_ve_claim_new(c->cl, l);
        if (!mc)
            return zkr_ve_full(d);
        zkr_ve_bits(mc->pt, L->lk, (uint64_t)L->in_dim + 1);
        memcpy(mc->pt + L->lk, rho, L->lm * sizeof *rho);
        mc->val = m_v;
    }
    return ZKR_OK;
}

/* x'~(rk, rho_b) for layer 0: sum over the real records of eq(rho_b, b) rec_b~(rk), plus the bias. */
static zkr_err zkr_ve_x0(const zkr_ve_ctx *c, const zkr_infer_layer *L, const zkr_ext *rk,
                         const zkr_ext *rho_b, zkr_ext *out)
{
    const zkr_eval_shape *s = &c->s->sh;
    size_t K = (size_t)1 << L->lk;
    zkr_ext *ek = calloc(K, sizeof *ek), *eb = calloc((size_t)1 << s->lb, sizeof *eb);
    zkr_ext acc = zkr_ext_from(0);

    if (!ek || !eb) {
        free(ek);
        free(eb);
        return ZKR_ERR_NOMEM;
    }
    zkr_mle_eq_table(rk, L->lk, ek);
    zkr_mle_eq_table(rho_b, s->lb, eb);
    for (uint64_t b = 0; b < s->count; b++) {
        const uint8_t *rec = c->st->records + b * c->st->rec_len;
        zkr_ext dot;
        /* Bytes times canonical words: at most 4096 * 255 * 2^64 < 2^84, exact in 128 bits. */
        for (unsigned w = 0; w < 3; w++) {
            unsigned __int128 a = 0;
            for (size_t k = 0; k < L->in_dim; k++)
                a += (unsigned __int128)ek[k].c[w] * rec[k];
            dot.c[w] = zkr_gl_reduce128((uint64_t)a, (uint64_t)(a >> 64));
        }
        acc = zkr_ext_add(acc, zkr_ext_mul(eb[b], dot));
    }
    *out = zkr_ext_add(acc, zkr_ve_eq_bits(rk, L->lk, L->in_dim));
    free(ek);
    free(eb);
    return ZKR_OK;
}

zkr_err zkr_ve_matmul(zkr_ve_ctx *c, uint32_t l, const zkr_ext *rho, zkr_ext acc_v,
                             zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    const zkr_infer_layer *L = &s->inf.layer[l];
    zkr_ext msgs[2 * ZKR_VE_MAX_ROUNDS], rk[ZKR_VE_MAX_PT], fin, wv, xv, yprev;
    zkr_ve_claim *wc;
    zkr_err r;

    if (zkr_dec_exts(c->dec, msgs, 2 * (size_t)L->lk) != ZKR_OK ||
        zkr_dec_ext(c->dec, &wv) != ZKR_OK || (l > 0 && zkr_dec_ext(c->dec, &yprev) != ZKR_OK))
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: layer %u matmul section truncated", l);
    zkr_sumcheck_verify(c->t, L->lk, 2, acc_v, msgs, rk, &fin);
    zkr_ts_absorb_ext(c->t, "ev-mm-w", &wv, 1);
    if (!(wc = zkr_ve_claim_new(c->cl, l)))
        return zkr_ve_full(d);
    memcpy(wc->pt, rk, L->lk * sizeof *rk);
    memcpy(wc->pt + L->lk, rho, L->lm * sizeof *rho);
    wc->val = wv;
    if (l == 0) {
        if ((r = zkr_ve_x0(c, L, rk, rho + L->lm, &xv)) != ZKR_OK)
            return r;
    } else {
        const zkr_infer_layer *P = &s->inf.layer[l - 1];
        unsigned pv = P->lm + s->lb;
        zkr_ext hi0 = zkr_ext_from(1), one = zkr_ext_from(1);
        zkr_ve_claim *yc;
        for (unsigned i = P->lm; i < L->lk; i++)
            hi0 = zkr_ext_mul(hi0, zkr_ext_sub(one, rk[i]));
        zkr_ts_absorb_ext(c->t, "ev-mm-y", &yprev, 1);
        /* x = y = Y + lo where V_{l-1} holds records; 0 past a split batch's V_0 chunks. */
        xv = zkr_ext_add(
            zkr_ext_mul(hi0, zkr_ext_add(yprev, zkr_ext_mul_base(
                                                    l == 1 ? zkr_eval_v0_sel(s, rho + L->lm) : one,
                                                    zkr_gl_from_i64(P->lo)))),
            zkr_ve_eq_bits(rk, L->lk, L->in_dim));
        if (!(yc = zkr_ve_claim_new(c->cl, zkr_ve_vid(s, l - 1))))
            return zkr_ve_full(d);
        memcpy(yc->pt, rk, P->lm * sizeof *rk);
        memcpy(yc->pt + P->lm, rho + L->lm, s->lb * sizeof *rho);
        zkr_ve_bits(yc->pt + pv, s->vlog[l - 1], s->ysl[l - 1]);
        yc->val = yprev;
    }
    if (!zkr_ext_eq(fin, zkr_ext_mul(wv, xv)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: layer %u matmul sumcheck fails", l);
    return ZKR_OK;
}

/*
 * A split batch: each claim on the virtual V_0 is replaced by claims on
 * its chunks; the chunk values must combine to the claimed value
 * (zkr_eval_v0_split_point; docs/soundness.md, "chunked V_0").
 */
static zkr_err zkr_ve_split_step(zkr_ve_ctx *c, zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    uint32_t L = s->inf.n_layers;
    unsigned na = zkr_eval_poly_vars(s, L), nb = zkr_eval_poly_vars(s, 2 * L + 2);
    size_t n0 = c->cl->n;

    if (!s->split)
        return ZKR_OK;
    for (size_t k = 0; k < n0; k++) {
        zkr_ve_claim *ca = &c->cl->c[k], *cb;
        zkr_ext pa[ZKR_VE_MAX_PT], pb[ZKR_VE_MAX_PT], wa, wb, v[2];
        if (ca->poly != ZKR_EVAL_POLY_V0)
            continue;
        if (zkr_dec_exts(c->dec, v, 2) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: V_0 chunk values truncated");
        zkr_eval_v0_split_point(s, ca->pt, pa, pb, &wa, &wb);
        if (!zkr_ext_eq(ca->val, zkr_ext_add(zkr_ext_mul(wa, v[0]), zkr_ext_mul(wb, v[1]))))
            return zkr_fail(d, ZKR_ERR_VERIFY, "proof: V_0's chunk values do not combine to "
                            "its claimed value");
        zkr_ts_absorb_ext(c->t, "ev-v0-split", v, 2);
        if (!(cb = zkr_ve_claim_new(c->cl, 2 * L + 2)))
            return zkr_ve_full(d);
        ca = &c->cl->c[k];
        ca->poly = L;
        memcpy(ca->pt, pa, na * sizeof *pa);
        ca->val = v[0];
        memcpy(cb->pt, pb, nb * sizeof *pb);
        cb->val = v[1];
    }
    return ZKR_OK;
}

static zkr_err zkr_ve_open(const zkr_params *p, zkr_ve_ctx *c, const uint8_t *roots,
                           const uint8_t *pcs, size_t pcs_len, zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    uint32_t L = s->inf.n_layers;
    zkr_eval_groups g;
    zkr_dec dec;
    zkr_err r;

    zkr_eval_groups_of(s, &g);
    zkr_dec_init(&dec, pcs, pcs_len);
    for (unsigned gi = 0; gi < g.n_groups; gi++) {
        zkr_pcs_commitment comms[ZKR_EVAL_GROUP_MAX];
        zkr_pcs_claim cls[ZKR_EVAL_MAX_CLAIMS];
        zkr_pcs_proof *pf = NULL;
        size_t nc = 0;
        for (unsigned i = 0; i < g.n_polys[gi]; i++) {
            unsigned id = g.poly[gi][i];
            if (id < L) {
                comms[i] = c->s->comm[id];
            } else {
                memcpy(comms[i].root, roots + (size_t)(id - L) * ZKR_DIGEST_BYTES, ZKR_DIGEST_BYTES);
                comms[i].n_vars = zkr_eval_poly_vars(s, id);
            }
            for (size_t k = 0; k < c->cl->n; k++)
                if (c->cl->c[k].poly == id) {
                    cls[nc].comm = i;
                    cls[nc].point = c->cl->c[k].pt;
                    cls[nc].value = c->cl->c[k].val;
                    nc++;
                }
        }
        r = zkr_pcs_proof_parse(p, g.n_vars[gi], g.n_polys[gi], nc, &dec, &pf);
        if (r != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                            "proof: opening %u malformed", gi);
        r = zkr_pcs_verify(p, c->t, comms, g.n_polys[gi], cls, nc, pf);
        zkr_pcs_proof_free(pf);
        if (r != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY,
                            "proof: opening %u (2^%u values) does not verify", gi, g.n_vars[gi]);
    }
    if (zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes after the openings");
    return ZKR_OK;
}

/* The commitment of poly id: the model's W'_l, else the roots section's. */
static void zkr_ve_comm(const zkr_ve_ctx *c, const uint8_t *roots, unsigned id,
                        zkr_pcs_commitment *out)
{
    const zkr_eval_shape *s = &c->s->sh;
    uint32_t L = s->inf.n_layers;

    if (id < L) {
        *out = c->s->comm[id];
        return;
    }
    memcpy(out->root, roots + (size_t)(id - L) * ZKR_DIGEST_BYTES, ZKR_DIGEST_BYTES);
    out->n_vars = zkr_eval_poly_vars(s, id);
}

/* Format version 2: one mixed-size opening (zkr_eval_open_plan), then the size groups left. */
static zkr_err zkr_ve_open2(const zkr_params *p, zkr_ve_ctx *c, const uint8_t *roots,
                            const uint8_t *pcs, size_t pcs_len, zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    uint8_t mixed[ZKR_EVAL_MAX_POLYS];
    zkr_eval_groups g;
    zkr_pcs_commitment comms[ZKR_EVAL_MAX_POLYS];
    unsigned nv[ZKR_EVAL_MAX_POLYS];
    zkr_pcs_claim cls[ZKR_EVAL_MAX_CLAIMS];
    zkr_pcs_proof *pf = NULL;
    size_t np = 0, nc = 0;
    zkr_dec dec;
    zkr_err r;

    zkr_eval_open_plan(s, p, mixed, &g);
    for (unsigned id = 0; id < zkr_eval_n_polys(s); id++) {
        if (!mixed[id])
            continue;
        for (size_t k = 0; k < c->cl->n; k++)
            if (c->cl->c[k].poly == id) {
                cls[nc].comm = np;
                cls[nc].point = c->cl->c[k].pt;
                cls[nc].value = c->cl->c[k].val;
                nc++;
            }
        zkr_ve_comm(c, roots, id, &comms[np]);
        nv[np] = comms[np].n_vars;
        np++;
    }
    zkr_dec_init(&dec, pcs, pcs_len);
    if ((r = zkr_pcs_proof_parse_mixed(p, nv, np, nc, &dec, &pf)) != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                        "proof: mixed-size opening malformed");
    r = zkr_pcs_verify_mixed(p, c->t, comms, np, cls, nc, pf);
    zkr_pcs_proof_free(pf);
    if (r != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY,
                        "proof: mixed-size opening (%zu polynomials) does not verify", np);
    for (unsigned gi = 0; gi < g.n_groups; gi++) {
        nc = 0;
        for (unsigned i = 0; i < g.n_polys[gi]; i++) {
            unsigned id = g.poly[gi][i];
            zkr_ve_comm(c, roots, id, &comms[i]);
            for (size_t k = 0; k < c->cl->n; k++)
                if (c->cl->c[k].poly == id) {
                    cls[nc].comm = i;
                    cls[nc].point = c->cl->c[k].pt;
                    cls[nc].value = c->cl->c[k].val;
                    nc++;
                }
        }
        if ((r = zkr_pcs_proof_parse(p, g.n_vars[gi], g.n_polys[gi], nc, &dec, &pf)) != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                            "proof: opening %u malformed", gi + 1);
        r = zkr_pcs_verify(p, c->t, comms, g.n_polys[gi], cls, nc, pf);
        zkr_pcs_proof_free(pf);
        if (r != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY,
                            "proof: opening %u (2^%u values) does not verify", gi + 1,
                            g.n_vars[gi]);
    }
    if (zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes after the openings");
    return ZKR_OK;
}

/* L + 1 LogUps (V_0..V_{L-1}, A) against 0..255, multiplicities in MU's blocks. */
/*
 * Format version 4: LogUp i's column of range entries (zkr_eval_entries)
 * against 0..2^15-1; its claim recombined from the polynomial's used slots
 * at the element point (sent), which fold by tau into one claim on it.
 */
static zkr_err zkr_ve_logup4(zkr_ve_ctx *c, zkr_dec *dec, uint32_t i, zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    uint32_t L = s->inf.n_layers;
    zkr_eval_entry ent[ZKR_EVAL_MAX_ENTRIES];
    unsigned elog, ne = zkr_eval_entries(s, i, ent, &elog);
    unsigned pid = i <= L ? L + i : 2 * L + 2, slog = i == L ? s->alog : s->vlog[i < L ? i : 0];
    unsigned nvp = zkr_eval_poly_vars(s, pid) - slog, nu = i == L ? s->anu : s->nsl[i < L ? i : 0];
    zkr_ext vals[ZKR_EVAL_ASLOTS], tv = zkr_ext_from(0), col = zkr_ext_from(0), eqe[ZKR_EVAL_MAX_ENTRIES];
    zkr_logup_proof *lp = NULL;
    zkr_logup_claims lc;
    zkr_ve_claim *mc;
    zkr_err r;

    if (nu > ZKR_EVAL_ASLOTS || elog > 5)
        return zkr_fail(d, ZKR_ERR_INTERNAL, "verify: LogUp %u shape", i);
    memset(vals, 0, sizeof vals);
    if ((r = zkr_logup_proof_parse(nvp + elog, s->tlog, dec, &lp)) != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED, "proof: LogUp %u malformed",
                        i);
    r = zkr_logup_verify(c->t, nvp + elog, s->tlog, lp, &lc);
    zkr_logup_proof_free(lp);
    if (r != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY,
                        "proof: range checks of %s %u fail", i == L ? "argmax" : "layer",
                        i == L ? 0 : i < L ? i : 0);
    if (zkr_dec_exts(dec, vals, nu) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: LogUp %u slot values truncated", i);
    zkr_ts_absorb_ext(c->t, "ev-lu-slots", vals, nu);
    for (unsigned k = 0; k < s->tlog; k++)
        tv = zkr_ext_add(tv, zkr_ext_mul_base(lc.rt[k], (zkr_gl)1 << k));
    /* The column at (ra_p, ra_e): sum_e eq(ra_e, e) (coef_e slot_src(ra_p) + cst_e). */
    zkr_mle_eq_table(lc.ra + nvp, elog, eqe);
    for (unsigned e = 0; e < ne; e++)
        col = zkr_ext_add(col, zkr_ext_mul(eqe[e], zkr_ext_add(zkr_ext_mul_base(vals[ent[e].src],
                                                                                ent[e].coef),
                                                               zkr_ext_from(ent[e].cst))));
    if (!zkr_ext_eq(tv, lc.t_at_rt) ||
        (zkr_ve_check_on(c->s->off, ZKR_EVAL_OFF_ENTRIES) && !zkr_ext_eq(col, lc.a_at_ra)))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: range checks of %s %u: entries do not match "
                        "the slots", i == L ? "argmax" : "layer", i == L ? 0 : i < L ? i : 0);
    if ((r = zkr_ve_fold_claim(c, pid, lc.ra, nvp, slog, vals, d)) != ZKR_OK)
        return r;
    if (!(mc = zkr_ve_claim_new(c->cl, 2 * L + 1)))
        return zkr_ve_full(d);
    memcpy(mc->pt, lc.rt, s->tlog * sizeof(zkr_ext));
    zkr_ve_bits(mc->pt + s->tlog, s->mu_log - s->tlog, i);
    mc->val = lc.m_at_rt;
    return ZKR_OK;
}

static zkr_err zkr_ve_logups(zkr_ve_ctx *c, const uint8_t *lg, size_t lg_len, zkr_diag *d)
{
    const zkr_eval_shape *s = &c->s->sh;
    uint32_t L = s->inf.n_layers;
    zkr_dec dec;
    zkr_err r = ZKR_OK;

    zkr_dec_init(&dec, lg, lg_len);
    /* Test builds: the teeth of a range attack leave LogUp i out (ZKR_EVAL_OFF_RANGE0 << i). */
    for (uint32_t i = 0; s->version >= 4 && i <= L + (s->split ? 1 : 0) && r == ZKR_OK; i++)
        if (zkr_ve_check_on(c->s->off, ZKR_EVAL_OFF_RANGE0 << i))
            r = zkr_ve_logup4(c, &dec, i, d);
    if (r != ZKR_OK)
        return r;
    /* V_0 (a split batch: its first chunk), .., V_{L-1}, A, then the second chunk. */
    for (uint32_t i = 0; s->version < 4 && i <= L + (s->split ? 1 : 0) && r == ZKR_OK; i++) {
        unsigned pid = i <= L ? L + i : 2 * L + 2, na = zkr_eval_poly_vars(s, pid);
        zkr_logup_proof *lp = NULL;
        zkr_logup_claims lc;
        zkr_ext tv = zkr_ext_from(0);
        zkr_ve_claim *ac, *mc;
        if ((r = zkr_logup_proof_parse(na, ZKR_INFER_TABLE_LOG, &dec, &lp)) != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                            "proof: LogUp %u malformed", i);
        r = zkr_logup_verify(c->t, na, ZKR_INFER_TABLE_LOG, lp, &lc);
        zkr_logup_proof_free(lp);
        if (r != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_VERIFY,
                            "proof: range checks of %s %u fail",
                            i < L || i > L ? "layer" : "argmax", i > L ? 0 : i);
        for (unsigned k = 0; k < ZKR_INFER_TABLE_LOG; k++)
            tv = zkr_ext_add(tv, zkr_ext_mul_base(lc.rt[k], (zkr_gl)1 << k));
        if (!zkr_ext_eq(tv, lc.t_at_rt))
            return zkr_fail(d, ZKR_ERR_VERIFY, "proof: LogUp %u table claim fails", i);
        ac = zkr_ve_claim_new(c->cl, pid);
        mc = zkr_ve_claim_new(c->cl, 2 * L + 1);
        if (!ac || !mc)
            return zkr_ve_full(d);
        memcpy(ac->pt, lc.ra, na * sizeof(zkr_ext));
        ac->val = lc.a_at_ra;
        memcpy(mc->pt, lc.rt, ZKR_INFER_TABLE_LOG * sizeof(zkr_ext));
        zkr_ve_bits(mc->pt + ZKR_INFER_TABLE_LOG, s->mu_log - ZKR_INFER_TABLE_LOG, i);
        mc->val = lc.m_at_rt;
    }
    if (zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes after the LogUps");
    return ZKR_OK;
}

/*
 * Format version 4's declared clamp widths (after the version word): each
 * at most 63 - s (docs/soundness.md, "narrow requantization": 2^s (y + gh -
 * gl) cannot wrap mod p), then the shape (zkr_eval_shape_v4).
 */
static zkr_err zkr_ve_widths(zkr_dec *vd, const zkr_params *p, zkr_ve_stmt *s, zkr_diag *d)
{
    uint32_t L = s->sh.inf.n_layers;
    unsigned ghb[ZKR_INFER_MAX_LAYERS], glb[ZKR_INFER_MAX_LAYERS];
    zkr_err r;

    for (uint32_t l = 0; l < L; l++) {
        uint32_t gh, gl, sh = s->sh.inf.layer[l].shift;
        if (zkr_dec_u32(vd, &gh) != ZKR_OK || zkr_dec_u32(vd, &gl) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: roots section malformed");
        if (zkr_ve_check_on(s->off, ZKR_EVAL_OFF_WIDTH) && (gh > 63 - sh || gl > 63 - sh))
            return zkr_fail(d, ZKR_ERR_MALFORMED,
                            "proof: layer %u declares clamp widths %u, %u bits (at most 63 - s = "
                            "%u)", l, gh, gl, 63 - sh);
        ghb[l] = gh;
        glb[l] = gl;
    }
    r = zkr_eval_shape_v4(&s->sh, ghb, glb, p->max_vars);
    if (r == ZKR_ERR_TOO_LARGE)
        return zkr_fail(d, r, "statement: batch exceeds the parameter set");
    if (r != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: declared clamp widths refused");
    return ZKR_OK;
}

static zkr_err zkr_ve_math(const zkr_params *p, const zkr_proof_view *v,
                           const zkr_verifier_evaluation_statement *st, zkr_ve_stmt *s,
                           zkr_diag *d)
{
    uint32_t L = s->sh.inf.n_layers, n_roots = L + 2;
    zkr_transcript t;
    zkr_dec bdec;
    zkr_ve_claims *cl;
    const uint8_t *roots = v->body[1];
    uint32_t version = 1;
    zkr_err r;

    /*
     * Version 1: the roots alone; version 2 and later: u32 version, then the
     * roots (version 3: one more for a split batch's second V_0 chunk;
     * version 4: the declared clamp widths, u32 ghb | u32 glb per layer,
     * before the roots).
     */
    if (v->len[1] != (size_t)n_roots * ZKR_DIGEST_BYTES) {
        zkr_dec vd;
        size_t wlen;
        zkr_dec_init(&vd, v->body[1], v->len[1]);
        if (zkr_dec_u32(&vd, &version) != ZKR_OK || version < 2)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: roots section malformed");
        if (version > ZKR_EVAL_VERSION)
            return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                            "proof: evaluation@1 format version %u proof refused (this verifier "
                            "reads versions 1..%u only)", version, ZKR_EVAL_VERSION);
        if (version >= 3 && zkr_eval_shape_split(&s->sh, p->max_vars) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_TOO_LARGE, "statement: batch exceeds the parameter set");
        if (version >= 4 && (r = zkr_ve_widths(&vd, p, s, d)) != ZKR_OK)
            return r;
        wlen = version >= 4 ? 8 * (size_t)L : 0;
        n_roots += s->sh.split ? 1 : 0;
        if (v->len[1] != (size_t)n_roots * ZKR_DIGEST_BYTES + 4 + wlen)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: roots section is not %u roots",
                            n_roots);
        roots += 4 + wlen;
    }
    if (!(cl = calloc(1, sizeof *cl)))
        return ZKR_ERR_NOMEM;
    zkr_eval_transcript_v(&t, p, version, st->statement_id, v->body[0], v->len[0]);
    if (version >= 4)
        zkr_ts_absorb(&t, "ev-widths", v->body[1] + 4, 8 * (size_t)L);
    for (uint32_t i = 0; i < n_roots; i++)
        zkr_ts_absorb(&t, "ev-witness-root", roots + (size_t)i * ZKR_DIGEST_BYTES,
                      ZKR_DIGEST_BYTES);
    zkr_dec_init(&bdec, v->body[3], v->len[3]);
    {
        zkr_ve_ctx c = {s, st, &t, &bdec, cl};
        if ((r = zkr_ve_logups(&c, v->body[2], v->len[2], d)) != ZKR_OK ||
            (r = zkr_ve_argmax(&c, d)) != ZKR_OK || (r = zkr_ve_count(&c, d)) != ZKR_OK)
            goto out;
        for (uint32_t l = L; l-- > 0;) {
            zkr_ext rho[ZKR_VE_MAX_PT], acc_v;
            if ((r = zkr_ve_zerocheck(&c, l, rho, &acc_v, d)) != ZKR_OK ||
                (r = zkr_ve_matmul(&c, l, rho, acc_v, d)) != ZKR_OK)
                goto out;
        }
        if ((r = zkr_ve_split_step(&c, d)) != ZKR_OK)
            goto out;
        if (zkr_dec_finish(&bdec) != ZKR_OK) {
            r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes in the body section");
            goto out;
        }
        r = version >= 2 ? zkr_ve_open2(p, &c, roots, v->body[4], v->len[4], d)
                         : zkr_ve_open(p, &c, roots, v->body[4], v->len[4], d);
    }
out:
    free(cl);
    return r;
}

static zkr_err zkr_ve_verify(const uint8_t *proof, size_t len,
                             const zkr_verifier_evaluation_statement *st, unsigned off,
                             uint64_t *correct, zkr_diag *d);

zkr_err zkr_verify_evaluation(const uint8_t *proof, size_t len,
                              const zkr_verifier_evaluation_statement *st, uint64_t *correct,
                              zkr_diag *d)
{
    return zkr_ve_verify(proof, len, st, 0, correct, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_verify_evaluation_off(const uint8_t *proof, size_t len,
                                  const zkr_verifier_evaluation_statement *st, unsigned off,
                                  uint64_t *correct, zkr_diag *d)
{
    return zkr_ve_verify(proof, len, st, off, correct, d);
}
#endif

static zkr_err zkr_ve_verify(const uint8_t *proof, size_t len,
                             const zkr_verifier_evaluation_statement *st, unsigned off,
                             uint64_t *correct, zkr_diag *d)
{
    zkr_proof_view v;
    zkr_params p;
    zkr_ve_stmt *s;
    zkr_err r;

    if (correct)
        *correct = 0;
    if (!proof || !st || (!st->output && st->output_len) || (!st->records && st->count))
        return zkr_fail(d, ZKR_ERR_USAGE, "verify: missing proof or statement");
    if (st->count < 1 || st->count > ((uint64_t)1 << ZKR_EVAL_MAX_LB))
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "statement: %llu records outside 1..2^%u",
                        (unsigned long long)st->count, ZKR_EVAL_MAX_LB);
    if (zkr_params_get(st->param_set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "statement: unknown parameter set %u",
                        st->param_set);
    if ((r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK)
        return r;
    if ((r = zkr_ve_header(&v, st, d)) != ZKR_OK)
        return r;
    if (!(s = calloc(1, sizeof *s)))
        return ZKR_ERR_NOMEM;
    s->off = ZKR_TEST_BUILD ? off : 0;
    if ((r = zkr_ve_statement(&v, st, s, &p, d)) == ZKR_OK)
        r = zkr_ve_math(&p, &v, st, s, d);
    if (r == ZKR_OK && correct)
        *correct = s->correct;
    free(s);
    return r;
}
