/*
 * matmul@2 verification (protocol version ZKR_MATMUL2_VERSION, 4): bindings first, then the
 * hiding range proof, which carries y = W x as a linear claim on W.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "verifier/verifier.h"
#include "zkr_config.h"

static zkr_err zkr_vm2_bind(const zkr_proof_view *v, const zkr_verifier_matmul2_statement *st,
                            zkr_diag *d)
{
    const zkr_matmul2_public *pub = &st->pub;
    zkr_dec dec;
    uint32_t m, k, b, nv, ev;
    const uint8_t *root, *dx, *dy;
    uint8_t ex[ZKR_DIGEST_BYTES], ey[ZKR_DIGEST_BYTES];
    static const uint32_t tags[2] = {ZKR_SEC_STATEMENT, ZKR_SEC_ZK_RANGE};
    zkr_err r;

    /* Version 2's layout (a separate masked sumcheck and W opening): name it, do not guess. */
    if (v->kind == ZKR_KIND_MATMUL2 && v->n_sections == 4 && v->tag[1] == ZKR_SEC_ZK_SUMCHECK &&
        v->tag[2] == ZKR_SEC_HPCS)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "proof: matmul@2 protocol version 2 (sections 1, "
                        "11, 12, 13) is no longer accepted; this verifier accepts version %u only "
                        "(re-prove)", ZKR_MATMUL2_VERSION);
    if ((r = zkr_proof_view_bind(v, st->param_set, ZKR_KIND_MATMUL2, "matmul@2", st->statement_id,
                                 tags, 2, d)) != ZKR_OK)
        return r;
    zkr_dec_init(&dec, v->body[0], v->len[0]);
    if (zkr_dec_u32(&dec, &m) != ZKR_OK || zkr_dec_u32(&dec, &k) != ZKR_OK ||
        zkr_dec_u32(&dec, &b) != ZKR_OK || zkr_dec_u32(&dec, &nv) != ZKR_OK ||
        zkr_dec_u32(&dec, &ev) != ZKR_OK || zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &root) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &dx) != ZKR_OK ||
        zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &dy) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: statement section malformed");
    if (nv != pub->w.n_vars || ev != pub->w.blind_vars ||
        sodium_memcmp(root, pub->w.root, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "proof: W's hiding commitment differs from the registered one");
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

static zkr_err zkr_vm2_eval(const int64_t *v, size_t rows, size_t cols, unsigned lr, unsigned lc,
                            const zkr_ext *pt, zkr_ext *out)
{
    size_t C = (size_t)1 << lc;
    zkr_gl *t = calloc(((size_t)1 << lr) * C, sizeof *t);
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

/* The linear claim's weights at r: x~(rb, r_<lk) eq(ri, r_lk..). */
typedef struct {
    const zkr_matmul2_public *pub;
    zkr_ext pt[64]; /* (rb, ri) */
} zkr_vm2_lin;

static zkr_err zkr_vm2_weights_at(const void *ctx, const zkr_ext *r, zkr_ext *out)
{
    const zkr_vm2_lin *c = ctx;
    const zkr_matmul2_public *pub = c->pub;
    unsigned lm = zkr_log2_ceil(pub->m), lk = zkr_log2_ceil(pub->k), lb = zkr_log2_ceil(pub->b);
    zkr_ext xpt[64], xv;
    zkr_err rc;

    memcpy(xpt, c->pt, lb * sizeof *xpt);
    memcpy(xpt + lb, r, lk * sizeof *xpt);
    if ((rc = zkr_vm2_eval(pub->x, pub->k, pub->b, lk, lb, xpt, &xv)) != ZKR_OK)
        return rc;
    *out = zkr_ext_mul(xv, zkr_mle_eq_eval(c->pt + lb, r + lk, lm));
    return ZKR_OK;
}

static zkr_err zkr_vm2_math(const zkr_params *p, const zkr_proof_view *v,
                            const zkr_verifier_matmul2_statement *st, zkr_diag *d)
{
    const zkr_matmul2_public *pub = &st->pub;
    const zkr_zkrange_table tab = ZKR_ZKRANGE_INT8;
    unsigned lm = zkr_log2_ceil(pub->m), lb = zkr_log2_ceil(pub->b);
    zkr_transcript t;
    zkr_vm2_lin lc;
    zkr_zkrange_lin lin;
    zkr_dec dec;
    zkr_err r;

    zkr_matmul2_transcript(&t, p, st->statement_id, pub);
    memset(&lc, 0, sizeof lc);
    memset(&lin, 0, sizeof lin);
    lc.pub = pub;
    zkr_ts_challenge_exts(&t, "mm-rb", lc.pt, lb);
    zkr_ts_challenge_exts(&t, "mm-ri", lc.pt + lb, lm);
    if ((r = zkr_vm2_eval(pub->y, pub->m, pub->b, lm, lb, lc.pt, &lin.claim)) != ZKR_OK)
        return r;
    lin.eval = zkr_vm2_weights_at;
    lin.ctx = &lc;
    /* |W| <= 127 and y~(rb, ri) = sum W~(ri, j) x~(j, rb), one proof (section 13). */
    zkr_dec_init(&dec, v->body[1], v->len[1]);
    r = zkr_zkrange_verify_lin(p, &t, &pub->w, &tab, &lin, &dec);
    if (r == ZKR_OK && zkr_dec_finish(&dec) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    if (r == ZKR_ERR_MALFORMED)
        return zkr_fail(d, r, "proof: range proof section malformed");
    if (r == ZKR_ERR_VERIFY)
        return zkr_fail(d, r, "proof: the range proof of |W| <= 127 carrying y = W x does not "
                        "verify");
    if (r != ZKR_OK)
        return zkr_fail(d, r, "proof: range proof refused");
    return ZKR_OK;
}

/* queries: 0, the shape's q' (zkr_matmul2_params); else that count (test builds only). */
static zkr_err zkr_vm2_verify(const uint8_t *proof, size_t len,
                              const zkr_verifier_matmul2_statement *st, unsigned queries,
                              zkr_diag *d)
{
    zkr_proof_view v;
    zkr_params p, pq;
    zkr_matmul_public mp;
    const char *what;
    zkr_err r;

    if (!proof || !st || !st->pub.x || !st->pub.y)
        return zkr_fail(d, ZKR_ERR_USAGE, "verify: missing proof or statement");
    if (zkr_params_get(st->param_set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "statement: unknown parameter set %u",
                        st->param_set);
    if ((r = zkr_matmul_check_dims(st->pub.m, st->pub.k, st->pub.b)) != ZKR_OK)
        return zkr_fail(d, r, "statement: matmul dimensions out of bounds");
    if (zkr_matmul2_check_shape(&p, &st->pub) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                        "statement: W's hiding commitment size or blinding does not fit");
    if ((r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK)
        return r;
    if ((r = zkr_vm2_bind(&v, st, d)) != ZKR_OK)
        return r;
    memset(&mp, 0, sizeof mp);
    mp.m = st->pub.m, mp.k = st->pub.k, mp.b = st->pub.b;
    /* The bound the range proof establishes, not the registered one (never proven). */
    mp.x = st->pub.x, mp.y = st->pub.y, mp.w_max_abs = ZKR_MATMUL2_W_MAX;
    if (zkr_matmul_check_integer(&mp, &what) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_VERIFY, "statement: %s, so the field equation would not "
                        "imply the integer one", what);
    /* version 5: every opening at the shape's query count (zkr_matmul2_params) */
    zkr_matmul2_params(&p, st->pub.m, st->pub.k, st->pub.b, st->pub.w.blind_vars, &pq);
    if (queries)
        pq.queries = queries;
    return zkr_vm2_math(&pq, &v, st, d);
}

zkr_err zkr_verify_matmul2(const uint8_t *proof, size_t len,
                           const zkr_verifier_matmul2_statement *st, zkr_diag *d)
{
    return zkr_vm2_verify(proof, len, st, 0, d);
}

#if ZKR_TEST_BUILD
zkr_err zkr_verify_matmul2_at_queries(const uint8_t *proof, size_t len,
                                      const zkr_verifier_matmul2_statement *st, unsigned queries,
                                      zkr_diag *d)
{
    return zkr_vm2_verify(proof, len, st, queries, d);
}
#endif
