/* training-step@2 verifier: mirrors prover/training2.c's transcript (verifier/training2.h). */
#include <stdlib.h>
#include <string.h>

#include "verifier/training2.h"
#include "zk/infer2_int.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

#define T2_D ZKR_TRAIN2_DEGREE
#define T2_MAXT (64u + ZKR_HPCS_MAX_BLIND_VARS)

typedef struct {
    const zkr_params *p; /* the statement's set: the public checks */
    zkr_params pq;       /* every opening's (zkr_train2_params) */
    const zkr_train2_public *pub;
    const zkr_train2_shape *s;
    zkr_transcript t;
    zkr_hpcs_commitment v, c, rec[ZKR_TRAIN_MAX_BATCH];
    zkr_train2_chal ch;
    zkr_train2_rowchal rc;
    zkr_ext r[ZKR_TRAIN2_MAX_SC], vals[ZKR_TRAIN2_MAX_COLS], recv[ZKR_TRAIN_MAX_BATCH], gr;
    zkr_ext rA[T2_MAXT], u[ZKR_HPCS_MAX_MIXED], gA; /* version 5: V, h, phi, m, records */
    zkr_zkrange_deferred zr; /* version 5: the range proof's deferred claims */
    unsigned ncols, ta;      /* ta: V's n + e */
    unsigned TA, nm, rn, rtot; /* the reduction's variables, records joining it, their n, n + e */
    unsigned off;            /* test builds: checks switched off (zkr_verify_train2_off) */
} t2v;

static zkr_err check_public(t2v *c, zkr_diag *d)
{
    const zkr_train2_public *pub = c->pub;
    const zkr_train2_shape *s = c->s;

    for (uint32_t l = 0; l < s->n_layers; l++)
        for (size_t i = 0; i < (size_t)s->out[l] * (s->in[l] + 1); i++)
            if (pub->parent[l][i] <= -(1 << 20) || pub->parent[l][i] >= (1 << 20) ||
                pub->child[l][i] <= -(1 << 20) || pub->child[l][i] >= (1 << 20))
                return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                                "statement: layer %u weight %zu at or past 2^20", l, i);
    for (uint32_t b = 0; b < s->batch; b++) {
        zkr_record_commitment rc;
        uint8_t leaf[ZKR_DIGEST_BYTES];
        if (pub->indices[b] >= pub->n_records)
            return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "batch position %u: index %llu past the "
                            "dataset", b, (unsigned long long)pub->indices[b]);
        for (uint32_t q = 0; q < b; q++)
            if (pub->indices[q] == pub->indices[b])
                return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "batch positions %u and %u: another "
                                "batch index repeated", q, b);
        if (zkr_record_commitment_decode(c->p, pub->rec_commit[b], ZKR_RECORD_COMMIT_BYTES, &rc) !=
                ZKR_OK ||
            rc.len != s->in[0] + 1)
            return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "batch position %u: the record commitment "
                            "is not of a %u-byte record", b, s->in[0] + 1);
        if (rc.comm.n_vars + rc.comm.blind_vars !=
            (b ? c->rec[0].n_vars + c->rec[0].blind_vars : rc.comm.n_vars + rc.comm.blind_vars))
            return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "batch position %u: the record commitment's "
                            "blinding differs from position 0's", b);
        c->rec[b] = rc.comm;
        zkr_infer2_record_leaf(pub->rec_commit[b], leaf);
        if (zkr_merkle_inclusion_verify(leaf, pub->indices[b], pub->n_records, pub->paths[b],
                                        pub->path_len[b], pub->root) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "batch position %u: the record is not "
                            "included in the dataset commitment", b);
    }
    return ZKR_OK;
}

static zkr_err commitments(t2v *c, zkr_dec *dec, zkr_diag *d)
{
    const uint8_t *vr, *cr;
    uint32_t version;

    c->ch.N = c->s->lb ? c->s->lb : 1;
    if (zkr_dec_u32(dec, &version) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: version truncated");
    if (version != ZKR_TRAIN2_VERSION)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "training-step@2 version %u proof refused (this "
                        "verifier reads version %u only; prove again)", version,
                        ZKR_TRAIN2_VERSION);
    zkr_train2_params(c->p, c->s, c->rec[0].n_vars + c->rec[0].blind_vars, &c->pq);
    if (zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &vr) != ZKR_OK ||
        zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &cr) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: commitments truncated");
    memcpy(c->v.root, vr, ZKR_DIGEST_BYTES);
    c->v.n_vars = c->s->n_v;
    c->v.blind_vars = zkr_hpcs_blind_vars(&c->pq, c->s->n_v, zkr_train2_v_budget(c->s));
    c->ta = c->s->n_v + c->v.blind_vars;
    c->rn = c->rec[0].n_vars;
    c->rtot = c->rec[0].n_vars + c->rec[0].blind_vars;
    c->nm = zkr_train2_mixed_recs(&c->pq, c->s, c->ta, c->rtot);
    c->TA = zkr_train2_red_vars(c->ta, c->rtot, c->nm);
    memcpy(c->c.root, cr, ZKR_DIGEST_BYTES);
    c->c.n_vars = ZKR_TRAIN2_LC_VARS(c->ch.N, c->TA, zkr_zkrange_sc_vars(c->s->n_v));
    c->c.blind_vars = zkr_hpcs_blind_vars(&c->pq, c->c.n_vars, 1);
    if (!c->v.blind_vars || !c->c.blind_vars || c->TA > T2_MAXT || c->s->n_v > 64)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "proof: the witness is too large to blind");
    zkr_ts_absorb(&c->t, "t2-v-root", c->v.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_u64(&c->t, "t2-v-blind", c->v.blind_vars);
    zkr_ts_absorb(&c->t, "t2-c-root", c->c.root, ZKR_DIGEST_BYTES);
    return ZKR_OK;
}

static zkr_err range_lin(t2v *c, zkr_dec *dec, zkr_diag *d)
{
    const int32_t *const *w = c->pub->parent;
    zkr_zkrange_table bytes = {0, 256};
    zkr_train2_linctx lctx = {c->s, w, &c->rc};
    zkr_zkrange_lin lin = {zkr_ext_from(0), NULL, zkr_train2_lin_cb, &lctx};
    zkr_err r;

    c->rc.n_row_vars = zkr_train2_row_vars(c->s, w);
    if (c->rc.n_row_vars > 40)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "statement: too many rows");
    zkr_ts_challenge_exts(&c->t, "t2-rows", c->rc.z, c->rc.n_row_vars);
    if ((r = zkr_train2_lin_claim(c->s, w, &c->rc, &lin.claim)) != ZKR_OK)
        return r;
    /* version 5: deferred, its four claims join the reduction, g_R(r_R) C's linear claim */
    r = zkr_zkrange_verify_defer_lin(&c->pq, &c->t, &c->v, &bytes, &lin, &c->zr, dec);
    if (r == ZKR_ERR_VERIFY)
        return zkr_fail(d, r, "proof: the range and linear relations fail");
    if (r != ZKR_OK && r != ZKR_ERR_NOMEM)
        return zkr_fail(d, r, "proof: range section malformed");
    return r;
}

static zkr_err products(t2v *c, zkr_dec *dec, zkr_diag *d)
{
    unsigned N = c->ch.N;
    zkr_ext gamma, rho, fin, msgs[ZKR_TRAIN2_MAX_SC * T2_D], rec = zkr_ext_from(0), f;

    zkr_train2_draw(&c->t, c->s, &c->ch);
    c->ncols = zkr_train2_n_cols(c->s);
    if (zkr_dec_ext(dec, &gamma) != ZKR_OK || zkr_dec_exts(dec, msgs, (size_t)N * T2_D) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: product sumcheck truncated");
    zkr_ts_absorb_ext(&c->t, "t2-gamma", &gamma, 1);
    rho = zkr_ts_challenge_ext(&c->t, "t2-rho");
    zkr_sumcheck_verify(&c->t, N, T2_D,
                        zkr_ext_add(zkr_train2_claim(c->pub, &c->ch), zkr_ext_mul(rho, gamma)),
                        msgs, c->r, &fin);
    if (zkr_dec_exts(dec, c->vals, c->ncols) != ZKR_OK ||
        zkr_dec_exts(dec, c->recv, c->s->batch) != ZKR_OK || zkr_dec_ext(dec, &c->gr) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: revealed values truncated");
    zkr_ts_absorb_ext(&c->t, "t2-values", c->vals, c->ncols);
    zkr_ts_absorb_ext(&c->t, "t2-records", c->recv, c->s->batch);
    zkr_ts_absorb_ext(&c->t, "t2-gr", &c->gr, 1);
    for (uint32_t b = 0; b < c->s->batch; b++) {
        zkr_ext e = zkr_ext_from(1);
        for (unsigned i = 0; i < N; i++)
            e = zkr_ext_mul(e, ((b >> i) & 1) ? c->r[i] : zkr_ext_sub(zkr_ext_from(1), c->r[i]));
        rec = zkr_ext_add(rec, zkr_ext_mul(e, c->recv[b]));
    }
    f = zkr_train2_f(c->s, &c->ch, c->r, c->vals, rec);
    if (!zkr_ext_eq(fin, zkr_ext_add(f, zkr_ext_mul(rho, c->gr))))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: the gradient, update and record relations fail");
    return ZKR_OK;
}

/*
 * The claim reduction (version 5): the column values, the range proof's
 * four and the joining records' values become one claim per polynomial
 * (V, h, phi, m, records 0..nm-1) at the suffixes of rA.
 */
static zkr_err reduce(t2v *c, zkr_dec *dec, zkr_diag *d)
{
    unsigned nc = c->ncols, np = ZKR_TRAIN2_MIX_FIXED + c->nm;
    zkr_ext beta[ZKR_TRAIN2_MAX_COLS + ZKR_HPCS_MAX_MIXED], gamma, rho, claim = zkr_ext_from(0);
    zkr_ext msgs[T2_MAXT * T2_D], fin, e;

    zkr_ts_challenge_exts(&c->t, "t2-red-beta", beta, nc + np);
    for (unsigned q = 0; q < nc; q++)
        claim = zkr_ext_add(claim, zkr_ext_mul(beta[q], c->vals[q]));
    for (unsigned i = 0; i < ZKR_TRAIN2_MIX_FIXED; i++) /* a^, h^, phi^, m^ */
        claim = zkr_ext_add(claim, zkr_ext_mul(beta[nc + i], c->zr.vals[i]));
    for (unsigned b = 0; b < c->nm; b++)
        claim = zkr_ext_add(claim, zkr_ext_mul(beta[nc + 4 + b], c->recv[b]));
    if (zkr_dec_ext(dec, &gamma) != ZKR_OK ||
        zkr_dec_exts(dec, msgs, (size_t)c->TA * T2_D) != ZKR_OK ||
        zkr_dec_exts(dec, c->u, np) != ZKR_OK || zkr_dec_ext(dec, &c->gA) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: claim reduction truncated");
    zkr_ts_absorb_ext(&c->t, "inf2-red-gamma", &gamma, 1);
    rho = zkr_ts_challenge_ext(&c->t, "inf2-red-rho");
    zkr_sumcheck_verify(&c->t, c->TA, T2_D, zkr_ext_add(claim, zkr_ext_mul(rho, gamma)), msgs,
                        c->rA, &fin);
    zkr_ts_absorb_ext(&c->t, "t2-red-values", c->u, np);
    zkr_ts_absorb_ext(&c->t, "t2-red-gr", &c->gA, 1);
    e = zkr_train2_red_final(c->s, &c->ch, c->r, c->ta, c->zr.zf, c->nm, c->rn, c->rtot, c->TA,
                             beta, c->rA, c->u);
#if ZKR_TEST_BUILD
    if (c->off & ZKR_T2_OFF_RED)
        return ZKR_OK;
#endif
    if (!zkr_ext_eq(fin, zkr_ext_add(e, zkr_ext_mul(rho, c->gA))))
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: the claim reduction of the column, range and "
                        "record values fails");
    return ZKR_OK;
}

/*
 * Version 5: the one mixed opening at rA of V, h, phi, m and records
 * 0..nm-1, then records nm.. in batched openings at their full point.
 */
static zkr_err openings(t2v *c, zkr_dec *dec, zkr_diag *d)
{
    const zkr_train2_shape *s = c->s;
    unsigned np = ZKR_TRAIN2_MIX_FIXED + c->nm;
    zkr_hpcs_commitment f[ZKR_HPCS_MAX_MIXED];
    zkr_ext zf[T2_MAXT];
    zkr_err r;

    f[0] = c->v;
    for (unsigned i = 1; i < ZKR_TRAIN2_MIX_FIXED; i++)
        f[i] = c->zr.comm[i];
    for (unsigned b = 0; b < c->nm; b++)
        f[ZKR_TRAIN2_MIX_FIXED + b] = c->rec[b];
#if ZKR_TEST_BUILD
    if (c->off >> 8)
        r = zkr_hpcs_verify_mixed_off(&c->pq, &c->t, f, np, c->rA, c->u, c->off >> 8, dec);
    else
#endif
        r = zkr_hpcs_verify_mixed(&c->pq, &c->t, f, np, c->rA, c->u, dec);
    if (r == ZKR_ERR_VERIFY || r == ZKR_ERR_USAGE)
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: the mixed opening of the witness, the range "
                        "helpers and the records fails");
    if (r != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                        "proof: the mixed opening is malformed");
    if (c->rtot > T2_MAXT)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE, "proof: record commitment too large");
    for (uint32_t b0 = c->nm; b0 < s->batch; b0 += ZKR_HPCS_MAX_BATCH) {
        size_t k = s->batch - b0 < ZKR_HPCS_MAX_BATCH ? s->batch - b0 : ZKR_HPCS_MAX_BATCH;
        zkr_train2_rec_full_point(&c->ch, c->r, c->rn, c->rtot, zf);
#if ZKR_TEST_BUILD
        if (c->off >> 8)
            r = zkr_hpcs_verify_batch_off(&c->pq, &c->t, c->rec + b0, k, zf, c->recv + b0,
                                          c->off >> 8, dec);
        else
#endif
            r = zkr_hpcs_verify_batch(&c->pq, &c->t, c->rec + b0, k, zf, c->recv + b0, dec);
        if (r == ZKR_ERR_VERIFY || r == ZKR_ERR_USAGE)
            return zkr_fail(d, ZKR_ERR_VERIFY, "proof: the batch records' opening fails");
        if (r != ZKR_OK)
            return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                            "proof: the batch records' opening is malformed");
    }
    return ZKR_OK;
}

static zkr_err coef(t2v *c, zkr_dec *dec, zkr_diag *d)
{
    const zkr_hpcs_commitment *cc = &c->c;
    unsigned lc = cc->n_vars;
    const uint8_t *root;
    zkr_ext csigma, cv, rho, fin, lv, rc[64], cmsgs[128], xi;
    zkr_ext *lam = NULL;
    zkr_hpcs_proof *pf = NULL;
    zkr_err r;

    if (2 * lc > 128 || zkr_dec_raw(dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK ||
        zkr_dec_ext(dec, &csigma) != ZKR_OK || zkr_dec_exts(dec, cmsgs, 2 * (size_t)lc) != ZKR_OK ||
        zkr_dec_ext(dec, &cv) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: coefficient section truncated");
    if ((r = zkr_hpcs_proof_parse_f(&c->pq, lc + cc->blind_vars, 0, dec, &pf)) != ZKR_OK)
        return zkr_fail(d, r == ZKR_ERR_NOMEM ? r : ZKR_ERR_MALFORMED,
                        "proof: coefficient opening malformed");
    if (zkr_dec_finish(dec) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: trailing bytes");
        goto out;
    }
    if (!(lam = malloc(((size_t)1 << lc) * sizeof *lam))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    xi = zkr_ts_challenge_ext(&c->t, "t2-xi-c");
    zkr_infer2_lambda5(c->r, c->ch.N, c->rA, c->TA, c->zr.r, c->zr.N, xi, lc, lam);
    zkr_ts_absorb(&c->t, "t2-cmask-root", root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_ext(&c->t, "t2-csigma", &csigma, 1);
    rho = zkr_ts_challenge_ext(&c->t, "t2-crho");
    zkr_sumcheck_verify(&c->t, lc, 2,
                        zkr_ext_add(zkr_ext_add(c->gr, zkr_ext_mul(xi, zkr_ext_add(c->gA,
                                                       zkr_ext_mul(xi, c->zr.vals[4])))),
                                    zkr_ext_mul(rho, csigma)),
                        cmsgs, rc, &fin);
    if ((r = zkr_mle_eval_ext(lam, lc, rc, &lv)) != ZKR_OK)
        goto out;
#if ZKR_TEST_BUILD
    if (c->off & ZKR_T2_OFF_COEF)
        fin = zkr_ext_mul(cv, lv);
#endif
    if (!zkr_ext_eq(fin, zkr_ext_mul(cv, lv))) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "proof: the mask's linear sumcheck fails");
        goto out;
    }
    zkr_ts_absorb_ext(&c->t, "t2-cv", &cv, 1);
    r = zkr_hpcs_verify(&c->pq, &c->t, cc, root, rho, rc, cv, pf);
    if (r == ZKR_ERR_VERIFY || r == ZKR_ERR_USAGE)
        r = zkr_fail(d, ZKR_ERR_VERIFY, "proof: the mask coefficients' opening fails");
out:
    free(lam);
    zkr_hpcs_proof_free(pf);
    return r;
}

static zkr_err verify(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                      const zkr_train2_public *pub, const uint8_t *proof, size_t len,
                      zkr_train2_vpoints *pts, unsigned off, zkr_diag *d)
{
    t2v *c;
    zkr_dec dec;
    zkr_err r;

    /* its relations and blinding are analysed over F_p^3 only (adversarial review, stop 52) */
    if (p->mixed_ext6)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "training-step@2: parameter set %s runs "
                        "inference@2 only (its mixed opening over F_p^6)",
                        zkr_params_name(p->id) ? zkr_params_name(p->id) : "?");
    if (!(c = calloc(1, sizeof *c)))
        return ZKR_ERR_NOMEM;
    c->p = p, c->pub = pub, c->s = &pub->s, c->off = off;
    zkr_dec_init(&dec, proof, len);
    if ((r = check_public(c, d)) != ZKR_OK)
        goto out;
    zkr_train2_transcript(&c->t, p, statement_id, pub);
    if ((r = commitments(c, &dec, d)) != ZKR_OK || (r = range_lin(c, &dec, d)) != ZKR_OK ||
        (r = products(c, &dec, d)) != ZKR_OK || (r = reduce(c, &dec, d)) != ZKR_OK ||
        (r = openings(c, &dec, d)) != ZKR_OK)
        goto out;
    r = coef(c, &dec, d);
out:
    if (pts && r == ZKR_OK) {
        /* what the checks ran on: the product sumcheck's challenges, r and its revealed values */
        pts->ch = c->ch;
        memcpy(pts->r, c->r, sizeof pts->r);
        memcpy(pts->vals, c->vals, sizeof pts->vals);
        memcpy(pts->recv, c->recv, sizeof pts->recv);
        pts->ncols = c->ncols;
    }
    free(c);
    return r;
}

zkr_err zkr_verify_train2(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                          const zkr_train2_public *pub, const uint8_t *proof, size_t len,
                          zkr_diag *d)
{
    return verify(p, statement_id, pub, proof, len, NULL, 0, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_verify_train2_points(const zkr_params *p,
                                 const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                 const zkr_train2_public *pub, const uint8_t *proof, size_t len,
                                 zkr_train2_vpoints *pts, zkr_diag *d)
{
    memset(pts, 0, sizeof *pts);
    return verify(p, statement_id, pub, proof, len, pts, 0, d);
}

zkr_err zkr_verify_train2_off(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                              const zkr_train2_public *pub, const uint8_t *proof, size_t len,
                              unsigned off, zkr_diag *d)
{
    return verify(p, statement_id, pub, proof, len, NULL, off, d);
}
#endif
