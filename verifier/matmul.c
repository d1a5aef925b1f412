/* matmul@1 verification: bindings first, then the sumcheck and the opening. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "verifier/verifier.h"

zkr_err zkr_verify_header(const uint8_t *proof, size_t len, zkr_proof_view *out, zkr_diag *d)
{
    return zkr_proof_parse(proof, len, out, d);
}

/* Checks the header and the statement echo against the registered values. */
static zkr_err zkr_vm_bind(const zkr_proof_view *v, const zkr_verifier_matmul_statement *st,
                           zkr_diag *d)
{
    const zkr_matmul_public *pub = &st->pub;
    zkr_dec dec;
    uint32_t m, k, b, nv;
    const uint8_t *root, *dx, *dy;
    uint8_t ex[ZKR_DIGEST_BYTES], ey[ZKR_DIGEST_BYTES];
    static const uint32_t tags[3] = {ZKR_SEC_STATEMENT, ZKR_SEC_SUMCHECK, ZKR_SEC_PCS};
    zkr_err r;

    if ((r = zkr_proof_view_bind(v, st->param_set, ZKR_KIND_MATMUL1, "matmul@1", st->statement_id,
                                 tags, 3, d)) != ZKR_OK)
        return r;
    zkr_dec_init(&dec, v->body[0], v->len[0]);
    if (zkr_dec_u32(&dec, &m) != ZKR_OK || zkr_dec_u32(&dec, &k) != ZKR_OK ||
        zkr_dec_u32(&dec, &b) != ZKR_OK || zkr_dec_u32(&dec, &nv) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &dx) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &dy) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: statement section malformed");
    if (nv != pub->w.n_vars || sodium_memcmp(root, pub->w.root, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof: W commitment differs from the registered model commitment");
    if (m != pub->m || k != pub->k || b != pub->b)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                        "proof: dimensions %ux%u b=%u, statement has %ux%u b=%u", m, k, b,
                        pub->m, pub->k, pub->b);
    zkr_matrix_digest(pub->x, (size_t)pub->k * pub->b, ex);
    zkr_matrix_digest(pub->y, (size_t)pub->m * pub->b, ey);
    if (sodium_memcmp(dx, ex, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "proof: x differs from the statement's input");
    if (sodium_memcmp(dy, ey, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT, "proof: y differs from the statement's output");
    return ZKR_OK;
}

/*
 * The proof shows y = W x mod p. That is the integer equation only when
 * |y - W x| < p: an entry outside +-(p-1)/2 shares its field image with
 * v -+ p, and a W bound times sum |x| reaching p lets W x wrap. Both are
 * properties of the registered statement, checked here (docs/soundness.md).
 */
static zkr_err zkr_vm_domain(const zkr_matmul_public *pub, zkr_diag *d)
{
    const char *what;

    if (zkr_matmul_check_integer(pub, &what) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_VERIFY, "statement: %s, so the field equation would not "
                        "imply the integer one", what);
    return ZKR_OK;
}

/* Evaluates the public matrix v (rows x cols, padded to 2^lr x 2^lc) at (pt_cols, pt_rows). */
static zkr_err zkr_vm_eval(const int64_t *v, size_t rows, size_t cols, unsigned lr, unsigned lc,
                           const zkr_ext *pt, zkr_ext *out)
{
    size_t C = (size_t)1 << lc, len = ((size_t)1 << lr) * C;
    zkr_gl *t = calloc(len, sizeof *t);
    zkr_err r;

    if (!t)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < rows; i++)
        for (size_t c = 0; c < cols; c++)
            t[i * C + c] = zkr_gl_from_i64(v[i * cols + c]);
    r = zkr_mle_eval_base(t, lr + lc, pt, out);
    free(t);
    return r;
}

static zkr_err zkr_vm_math(const zkr_params *p, const zkr_proof_view *v,
                           const zkr_verifier_matmul_statement *st, zkr_diag *d)
{
    const zkr_matmul_public *pub = &st->pub;
    unsigned lm = zkr_log2_ceil(pub->m), lk = zkr_log2_ceil(pub->k), lb = zkr_log2_ceil(pub->b);
    zkr_transcript t;
    zkr_dec dec;
    zkr_ext *msgs = NULL, *pt = NULL, *wpt = NULL, claim, fin, a_final, xv;
    zkr_pcs_proof *pf = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    msgs = calloc(2 * (size_t)lk + 1, sizeof *msgs);
    pt = calloc((size_t)lm + lb + 1, sizeof *pt);
    wpt = calloc((size_t)lm + lk + lb + 1, sizeof *wpt);
    if (!msgs || !pt || !wpt)
        goto out;
    zkr_dec_init(&dec, v->body[1], v->len[1]);
    if (zkr_dec_exts(&dec, msgs, 2 * (size_t)lk) != ZKR_OK || zkr_dec_ext(&dec, &a_final) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: sumcheck section malformed");
        goto out;
    }
    zkr_dec_init(&dec, v->body[2], v->len[2]);
    r = zkr_pcs_proof_parse(p, lm + lk, 1, 1, &dec, &pf);
    if (r == ZKR_OK && zkr_dec_finish(&dec) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    if (r != ZKR_OK) {
        r = zkr_fail(d, r, "proof: opening section malformed");
        goto out;
    }
    zkr_matmul_transcript(&t, p, st->statement_id, pub);
    zkr_ts_challenge_exts(&t, "mm-rb", pt, lb);
    zkr_ts_challenge_exts(&t, "mm-ri", pt + lb, lm);
    if ((r = zkr_vm_eval(pub->y, pub->m, pub->b, lm, lb, pt, &claim)) != ZKR_OK)
        goto out;
    zkr_sumcheck_verify(&t, lk, 2, claim, msgs, wpt, &fin);
    /* x~ at (rb, rj): x is k x b, so its point is (rb low, rj high). */
    {
        zkr_ext xpt[64];
        memcpy(xpt, pt, lb * sizeof *xpt);
        memcpy(xpt + lb, wpt, lk * sizeof *xpt);
        if ((r = zkr_vm_eval(pub->x, pub->k, pub->b, lk, lb, xpt, &xv)) != ZKR_OK)
            goto out;
    }
    if (!zkr_ext_eq(fin, zkr_ext_mul(a_final, xv))) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "proof: matmul sumcheck does not reduce to W~ x~");
        goto out;
    }
    zkr_ts_absorb_ext(&t, "mm-a-final", &a_final, 1);
    memcpy(wpt + lk, pt + lb, lm * sizeof *wpt);
    {
        zkr_pcs_claim cl = {0, wpt, a_final};
        r = zkr_pcs_verify(p, &t, &pub->w, 1, &cl, 1, pf);
        if (r == ZKR_ERR_VERIFY)
            zkr_fail(d, r, "proof: opening of W does not verify");
    }
out:
    zkr_pcs_proof_free(pf);
    free(msgs);
    free(pt);
    free(wpt);
    return r;
}

zkr_err zkr_verify_matmul(const uint8_t *proof, size_t len,
                          const zkr_verifier_matmul_statement *st, zkr_diag *d)
{
    zkr_proof_view v;
    zkr_params p;
    zkr_err r;

    if (!proof || !st || !st->pub.x || !st->pub.y)
        return zkr_fail(d, ZKR_ERR_USAGE, "verify: missing proof or statement");
    if ((r = zkr_matmul_check_dims(st->pub.m, st->pub.k, st->pub.b)) != ZKR_OK)
        return zkr_fail(d, r, "statement: matmul dimensions out of bounds");
    if (zkr_params_get(st->param_set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "statement: unknown parameter set %u",
                        st->param_set);
    if (st->pub.w.n_vars != zkr_log2_ceil(st->pub.m) + zkr_log2_ceil(st->pub.k))
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL, "statement: W commitment size != dimensions");
    if ((r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK)
        return r;
    if ((r = zkr_vm_bind(&v, st, d)) != ZKR_OK)
        return r;
    if ((r = zkr_vm_domain(&st->pub, d)) != ZKR_OK)
        return r;
    return zkr_vm_math(&p, &v, st, d);
}
