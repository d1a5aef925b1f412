/*
 * inference-batch@1 prover (docs/proof-system.md, "inference-batch@1"):
 * evaluation@1's per-layer driver (prover/evaluation_int.h) over the batch,
 * L LogUps of V_0..V_{L-1} against 0..255, and the output binding: one
 * degree-2 sumcheck tying the last layer's Y slot of every real record
 * (padding rows included) to the public logits.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/evaluation_int.h"
#include "prover/inference_batch.h"
#include "zkr_config.h"

typedef struct {
    zkr_ibatch_cheat_fn fn;
    void *ctx;
} ib_cheat;

/* MU block l: the multiplicities of V_l's in-table entries (strict: all must be). */
static zkr_err ib_mult(zkr_ev_wit *w, int strict)
{
    const zkr_eval_shape *s = &w->sh;
    uint32_t L = s->inf.n_layers;

    memset(w->mu, 0, ((size_t)1 << s->mu_log) * sizeof *w->mu);
    for (uint32_t l = 0; l < L; l++) {
        const zkr_gl *v = w->v[l];
        size_t n = (size_t)1 << zkr_ibatch_poly_vars(s, L + l);
        zkr_gl *m = w->mu + 256 * (size_t)l;
        for (size_t k = 0; k < n; k++) {
            if (v[k] > 255) {
                if (strict)
                    return ZKR_ERR_INTERNAL;
                continue;
            }
            m[v[k]]++;
        }
    }
    return ZKR_OK;
}

/* The last layer's logits of the real records, from V_{L-1}'s Y slot. */
static void ib_logits(const zkr_ev_wit *w, int8_t *y)
{
    const zkr_eval_shape *s = &w->sh;
    const zkr_infer_layer *LL = &s->inf.layer[s->inf.n_layers - 1];
    const zkr_gl *ys = w->v[s->inf.n_layers - 1] + ZKR_INFER_SLOT_Y * ((size_t)1 << (s->c + s->lb));

    for (uint64_t b = 0; b < s->count; b++)
        for (uint32_t j = 0; j < LL->out_dim; j++)
            y[b * LL->out_dim + j] = (int8_t)((int64_t)ys[(b << s->c) | j] + LL->lo);
}

/*
 * evaluation@1's witness with the batch layout: MU resized for L LogUps and
 * recounted over V_0..V_{L-1}; the argmax block is not part of this proof.
 */
static zkr_err ib_witness(const zkr_infer_model_parts *mp, const zkr_eval_batch *bt,
                          const uint8_t *wit_records, unsigned threads, zkr_ev_wit *w,
                          zkr_diag *d)
{
    const zkr_infer_shape *is = mp->shape;
    uint32_t in[ZKR_INFER_MAX_LAYERS], out[ZKR_INFER_MAX_LAYERS];
    int relu[ZKR_INFER_MAX_LAYERS];
    zkr_eval_shape sh;
    zkr_err r;

    for (uint32_t l = 0; l < is->n_layers; l++) {
        in[l] = is->layer[l].in_dim;
        out[l] = is->layer[l].out_dim;
        relu[l] = is->layer[l].relu;
    }
    if (zkr_ibatch_shape_init(&sh, is->input_dim, is->n_layers, in, out, relu, mp->shifts,
                              bt->count, mp->params->max_vars) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE,
                        "prover: %llu records of this model exceed the parameter set",
                        (unsigned long long)bt->count);
    if ((r = zkr_ev_witness(mp, bt, wit_records, threads, w, d)) != ZKR_OK)
        return r;
    free(w->a);
    w->a = NULL;
    free(w->mu);
    w->sh.mu_log = sh.mu_log;
    if (!(w->mu = calloc((size_t)1 << sh.mu_log, sizeof *w->mu))) {
        zkr_ev_wit_free(w);
        return ZKR_ERR_NOMEM;
    }
    return ib_mult(w, 1);
}

/* The statement section (docs/proof-system.md, inference-batch@1). */
static zkr_err ib_statement(const zkr_infer_model_parts *mp, const zkr_eval_batch *bt,
                            const zkr_buf *output, zkr_buf *b)
{
    const zkr_infer_shape *is = mp->shape;
    zkr_err r;

    if ((r = zkr_enc_bytes(b, mp->program, mp->program_len)) != ZKR_OK ||
        (r = zkr_enc_u32(b, is->n_layers)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < is->n_layers; l++)
        if ((r = zkr_enc_u32(b, mp->shifts[l])) != ZKR_OK ||
            (r = zkr_enc_u32(b, mp->comm[l].n_vars)) != ZKR_OK ||
            (r = zkr_buf_append(b, mp->comm[l].root, ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    if ((r = zkr_enc_u64(b, bt->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(b, bt->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(b, bt->first)) != ZKR_OK || (r = zkr_enc_u64(b, bt->count)) != ZKR_OK ||
        (r = zkr_enc_u32(b, (uint32_t)bt->n_bound)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < bt->n_bound; i++)
        if ((r = zkr_buf_append(b, bt->bound[i], ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    return zkr_enc_bytes(b, output->p, output->len);
}

/*
 * Output binding: r drawn over (row, record); degree-2 sumcheck of
 * sum_x [eq(r, x) sel(x)] Y(x), sel = real records. The verifier computes
 * the claim from the public logits and [eq sel]~ at the end point itself;
 * Y~ there is a claim on V_{L-1}'s Y slot.
 */
static zkr_err ib_output(zkr_ev_ctx *c)
{
    const zkr_eval_shape *s = &c->w->sh;
    uint32_t L = s->inf.n_layers;
    unsigned nv = s->c + s->lb;
    size_t n = (size_t)1 << nv, real = (size_t)s->count << s->c;
    const zkr_gl *ys = c->w->v[L - 1] + ZKR_INFER_SLOT_Y * n;
    zkr_ext *tab[2] = {NULL, NULL}, r[ZKR_EV_MAX_PT], rho[ZKR_EV_MAX_PT];
    zkr_ext msgs[2 * ZKR_EV_MAX_ROUNDS], yv;
    zkr_ev_claim *yc;
    zkr_err e = ZKR_OK;

    tab[0] = calloc(n, sizeof(zkr_ext));
    tab[1] = calloc(n, sizeof(zkr_ext));
    if (!tab[0] || !tab[1]) {
        e = ZKR_ERR_NOMEM;
        goto out;
    }
    zkr_ts_challenge_exts(c->t, "ib-out-r", r, nv);
    zkr_mle_eq_table_mt(r, nv, c->threads, tab[0]);
    for (size_t i = real; i < n; i++)
        tab[0][i] = zkr_ext_from(0); /* padding records: forced by the layers, not stated */
    for (size_t i = 0; i < n; i++)
        tab[1][i] = zkr_ext_from(ys[i]);
    {
        zkr_sc_term term = {zkr_ext_from(1), 2, {0, 1}};
        zkr_sc_poly f = {tab, 2, &term, 1, 2, NULL};
        zkr_prover_sumcheck(&f, nv, c->t, c->threads, msgs, rho);
    }
    yv = tab[1][0];
    zkr_ts_absorb_ext(c->t, "ib-out-y", &yv, 1);
    if ((e = zkr_enc_exts(c->sec, msgs, 2 * (size_t)nv)) != ZKR_OK ||
        (e = zkr_enc_ext(c->sec, yv)) != ZKR_OK)
        goto out;
    if (!(yc = zkr_ev_claim_new(c->cl, L + L - 1))) {
        e = ZKR_ERR_INTERNAL;
        goto out;
    }
    memcpy(yc->pt, rho, nv * sizeof *rho);
    zkr_ev_bits(yc->pt + nv, ZKR_INFER_SLOTS_LOG, ZKR_INFER_SLOT_Y);
    yc->val = yv;
out:
    free(tab[0]);
    free(tab[1]);
    return e;
}

/* L LogUps (V_0..V_{L-1}) against 0..255, multiplicities in MU's blocks. */
static zkr_err ib_logups(zkr_ev_ctx *c, zkr_buf *lg)
{
    const zkr_eval_shape *s = &c->w->sh;
    uint32_t L = s->inf.n_layers;
    zkr_gl table[256];
    zkr_err r = ZKR_OK;

    for (unsigned i = 0; i < 256; i++)
        table[i] = i;
    for (uint32_t l = 0; l < L; l++) {
        const zkr_gl *v = c->w->v[l];
        unsigned na = zkr_ibatch_poly_vars(s, L + l);
        zkr_logup_claims lc;
        zkr_ev_claim *ac, *mc;
#if ZKR_TEST_BUILD
        if (c->cheat)
            r = zkr_prover_logup_cheat(c->t, v, na, table, c->w->mu + 256 * (size_t)l,
                                       ZKR_INFER_TABLE_LOG, c->threads, lg, &lc);
        else
#endif
            r = zkr_prover_logup(c->t, v, na, table, c->w->mu + 256 * (size_t)l,
                                 ZKR_INFER_TABLE_LOG, c->threads, lg, &lc);
        if (r != ZKR_OK)
            return r;
        ac = zkr_ev_claim_new(c->cl, L + l);
        mc = zkr_ev_claim_new(c->cl, 2 * L);
        if (!ac || !mc)
            return ZKR_ERR_INTERNAL;
        memcpy(ac->pt, lc.ra, na * sizeof(zkr_ext));
        ac->val = lc.a_at_ra;
        memcpy(mc->pt, lc.rt, ZKR_INFER_TABLE_LOG * sizeof(zkr_ext));
        zkr_ev_bits(mc->pt + ZKR_INFER_TABLE_LOG, s->mu_log - ZKR_INFER_TABLE_LOG, l);
        mc->val = lc.m_at_rt;
    }
    return ZKR_OK;
}

/* One batched Basefold opening per group (zkr_ibatch_groups_of). */
static zkr_err ib_open(zkr_ev_ctx *c, zkr_pcs_poly **wpoly, zkr_buf *out)
{
    const zkr_eval_shape *s = &c->w->sh;
    uint32_t L = s->inf.n_layers;
    zkr_eval_groups g;
    zkr_pcs_claim *cls;
    zkr_err r = ZKR_OK;

    if (!(cls = calloc(ZKR_EVAL_MAX_CLAIMS, sizeof *cls)))
        return ZKR_ERR_NOMEM;
    zkr_ibatch_groups_of(s, &g);
    for (unsigned gi = 0; gi < g.n_groups && r == ZKR_OK; gi++) {
        zkr_pcs_poly *polys[ZKR_EVAL_GROUP_MAX];
        size_t nc = 0;
        for (unsigned i = 0; i < g.n_polys[gi]; i++) {
            unsigned id = g.poly[gi][i];
            polys[i] = id < L ? c->mp->poly[id] : wpoly[id - L];
            for (size_t k = 0; k < c->cl->n; k++)
                if (c->cl->c[k].poly == id) {
                    cls[nc].comm = i;
                    cls[nc].point = c->cl->c[k].pt;
                    cls[nc].value = c->cl->c[k].val;
                    nc++;
                }
        }
        r = zkr_prover_open(c->mp->params, c->t, polys, g.n_polys[gi], cls, nc, c->threads, out);
    }
    free(cls);
    return r;
}

static zkr_err ib_body(zkr_ev_ctx *c, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                       const zkr_buf *stmt, const uint8_t *wit_records, zkr_buf *proof)
{
    const zkr_eval_shape *s = &c->w->sh;
    uint32_t L = s->inf.n_layers;
    zkr_pcs_poly *wpoly[ZKR_INFER_MAX_LAYERS + 1] = {0};
    zkr_pcs_commitment wc;
    zkr_buf roots = {0}, lg = {0}, pcs = {0};
    zkr_err r = ZKR_OK;

    zkr_ibatch_transcript(c->t, c->mp->params, statement_id, stmt->p, stmt->len);
    for (uint32_t i = 0; i <= L && r == ZKR_OK; i++) {
        const zkr_gl *v = i < L ? c->w->v[i] : c->w->mu;
        if ((r = zkr_prover_commit(c->mp->params, v, zkr_ibatch_poly_vars(s, L + i), c->threads,
                                   &wpoly[i], &wc)) != ZKR_OK)
            break;
        zkr_ts_absorb(c->t, "ib-witness-root", wc.root, ZKR_DIGEST_BYTES);
        r = zkr_buf_append(&roots, wc.root, ZKR_DIGEST_BYTES);
    }
    if (r != ZKR_OK || (r = ib_logups(c, &lg)) != ZKR_OK || (r = ib_output(c)) != ZKR_OK)
        goto out;
    for (uint32_t l = L; l-- > 0;) {
        zkr_ext rho[ZKR_EV_MAX_PT];
        if ((r = zkr_ev_zerocheck(c, l, rho)) != ZKR_OK ||
            (r = zkr_ev_matmul(c, l, rho, wit_records)) != ZKR_OK)
            goto out;
    }
    if ((r = ib_open(c, wpoly, &pcs)) != ZKR_OK)
        goto out;
    if ((r = zkr_proof_begin(proof, c->mp->params->id, ZKR_KIND_INFERENCE_BATCH1, statement_id,
                             5)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_STATEMENT, stmt->p, stmt->len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_IBATCH_ROOTS, roots.p, roots.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_IBATCH_LOGUP, lg.p, lg.len)) != ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_IBATCH_BODY, c->sec->p, c->sec->len)) !=
            ZKR_OK ||
        (r = zkr_proof_add_section(proof, ZKR_SEC_PCS, pcs.p, pcs.len)) != ZKR_OK)
        goto out;
out:
    for (uint32_t i = 0; i <= L; i++)
        zkr_pcs_poly_free(wpoly[i]);
    zkr_buf_free(&roots);
    zkr_buf_free(&lg);
    zkr_buf_free(&pcs);
    return r;
}

#if ZKR_TEST_BUILD
static zkr_err ib_apply_cheat(zkr_ev_wit *w, int8_t *y, const ib_cheat *ch)
{
    zkr_ibatch_cheat_view view;
    zkr_err r;

    memset(&view, 0, sizeof view);
    view.shape = &w->sh;
    for (uint32_t l = 0; l < w->sh.inf.n_layers; l++) {
        view.v[l] = w->v[l];
        view.acc[l] = w->acc[l];
    }
    view.y = y;
    if ((r = ch->fn(ch->ctx, &view)) != ZKR_OK)
        return r;
    if (!view.keep_mult)
        (void)ib_mult(w, 0);
    return ZKR_OK;
}
#endif

static zkr_err ib_prove(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                        const zkr_infer_model *im, const zkr_eval_batch *bt,
                        const uint8_t *wit_records, unsigned threads, const ib_cheat *cheat,
                        zkr_buf *proof, zkr_buf *output, zkr_diag *d)
{
    zkr_infer_model_parts mp;
    zkr_ev_wit w;
    zkr_ev_claims *cl = NULL;
    zkr_buf stmt = {0}, sec = {0};
    zkr_transcript t;
    int8_t *y = NULL;
    uint32_t od;
    const uint8_t *wr = wit_records ? wit_records : bt->records;
    zkr_err r;

    proof->len = 0;
    output->len = 0;
    memset(&w, 0, sizeof w);
    zkr_infer_model_parts_of(im, &mp);
    if (p->id != mp.params->id)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "prover: model committed under set %u, not %u",
                        mp.params->id, p->id);
    if (bt->rec_len != (size_t)mp.shape->input_dim + 1 || bt->n_bound > ZKR_EVAL_MAX_BOUNDARY ||
        !bt->records)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED,
                        "dataset: records of %zu bytes, the model wants %u input bytes + label",
                        bt->rec_len, mp.shape->input_dim);
    od = mp.shape->layer[mp.shape->n_layers - 1].out_dim;
    if (bt->count * od > ZKR_IBATCH_OUTPUT_MAX - ZKR_IBATCH_OUTPUT_HEADER)
        return zkr_fail(d, ZKR_ERR_TOO_LARGE,
                        "prover: %llu records of %u logits exceed the %zu-byte public output",
                        (unsigned long long)bt->count, od, ZKR_IBATCH_OUTPUT_MAX);
    if ((r = ib_witness(&mp, bt, wit_records, threads ? threads : 1, &w, d)) != ZKR_OK)
        return r;
    if (!(y = malloc((size_t)bt->count * od)) || !(cl = calloc(1, sizeof *cl))) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    ib_logits(&w, y);
#if ZKR_TEST_BUILD
    if (cheat && (r = ib_apply_cheat(&w, y, cheat)) != ZKR_OK)
        goto out;
#else
    (void)cheat;
#endif
    if ((r = zkr_ibatch_output_encode(bt->first, bt->count, od, y, output)) != ZKR_OK ||
        (r = ib_statement(&mp, bt, output, &stmt)) != ZKR_OK)
        goto out;
    {
        zkr_ev_ctx c = {&mp, &w, bt, &t, threads ? threads : 1, &sec, cl, cheat != NULL};
        r = ib_body(&c, statement_id, &stmt, wr, proof);
    }
out:
    if (r != ZKR_OK) {
        proof->len = 0;
        output->len = 0;
    }
    zkr_ev_wit_free(&w);
    free(y);
    free(cl);
    zkr_buf_free(&stmt);
    zkr_buf_free(&sec);
    return r;
}

zkr_err zkr_prover_inference_batch(const zkr_params *p,
                                   const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                   const zkr_infer_model *im, const zkr_eval_batch *batch,
                                   unsigned threads, zkr_buf *proof, zkr_buf *output,
                                   zkr_diag *d)
{
    if (!p || !statement_id || !im || !batch || !proof || !output)
        return ZKR_ERR_USAGE;
    return ib_prove(p, statement_id, im, batch, NULL, threads, NULL, proof, output, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_prover_inference_batch_cheat(const zkr_params *p,
                                         const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                         const zkr_infer_model *im, const zkr_eval_batch *batch,
                                         const uint8_t *wit_records, zkr_ibatch_cheat_fn edit,
                                         void *ctx, zkr_buf *proof, zkr_buf *output, zkr_diag *d)
{
    ib_cheat ch = {edit, ctx};

    if (!edit)
        return ZKR_ERR_USAGE;
    return ib_prove(p, statement_id, im, batch, wit_records, 1, &ch, proof, output, d);
}
#endif
