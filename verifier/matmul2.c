/* matmul@2 verification: bindings first, then the masked sumcheck and the hiding opening. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "verifier/verifier.h"

static zkr_err zkr_vm2_bind(const zkr_proof_view *v, const zkr_verifier_matmul2_statement *st,
                            zkr_diag *d)
{
    const zkr_matmul2_public *pub = &st->pub;
    zkr_dec dec;
    uint32_t m, k, b, nv, ev;
    const uint8_t *root, *dx, *dy;
    uint8_t ex[ZKR_DIGEST_BYTES], ey[ZKR_DIGEST_BYTES];
    static const uint32_t tags[4] = {ZKR_SEC_STATEMENT, ZKR_SEC_ZK_SUMCHECK, ZKR_SEC_HPCS,
                                     ZKR_SEC_ZK_RANGE};
    zkr_err r;

    if ((r = zkr_proof_view_bind(v, st->param_set, ZKR_KIND_MATMUL2, "matmul@2", st->statement_id,
                                 tags, 4, d)) != ZKR_OK)
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

typedef struct {
    const uint8_t *zroot;
    zkr_ext sigma, v;
    zkr_ext *msgs;
    zkr_hpcs_proof *pf;
} zkr_vm2_parsed;

static zkr_err zkr_vm2_parse(const zkr_params *p, const zkr_proof_view *v,
                             const zkr_matmul2_public *pub, unsigned lk, zkr_vm2_parsed *o,
                             zkr_diag *d)
{
    zkr_dec dec;
    zkr_err r;

    o->msgs = calloc(2 * (size_t)lk + 1, sizeof *o->msgs);
    if (!o->msgs)
        return ZKR_ERR_NOMEM;
    zkr_dec_init(&dec, v->body[1], v->len[1]);
    if (zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &o->zroot) != ZKR_OK ||
        zkr_dec_ext(&dec, &o->sigma) != ZKR_OK || zkr_dec_exts(&dec, o->msgs, 2 * (size_t)lk) != ZKR_OK ||
        zkr_dec_ext(&dec, &o->v) != ZKR_OK || zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "proof: masked sumcheck section malformed");
    zkr_dec_init(&dec, v->body[2], v->len[2]);
    r = zkr_hpcs_proof_parse(p, pub->w.n_vars + pub->w.blind_vars, &dec, &o->pf);
    if (r == ZKR_OK && zkr_dec_finish(&dec) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    if (r != ZKR_OK)
        return zkr_fail(d, r, "proof: hiding opening section malformed");
    return ZKR_OK;
}

/* |W| <= 127 by the hiding range proof (section 13, consumed exactly). */
static zkr_err zkr_vm2_range(const zkr_params *p, const zkr_proof_view *v, zkr_transcript *t,
                             const zkr_matmul2_public *pub, zkr_diag *d)
{
    const zkr_zkrange_table tab = ZKR_ZKRANGE_INT8;
    zkr_dec dec;
    zkr_err r;

    zkr_dec_init(&dec, v->body[3], v->len[3]);
    r = zkr_zkrange_verify(p, t, &pub->w, &tab, &dec);
    if (r == ZKR_OK && zkr_dec_finish(&dec) != ZKR_OK)
        r = ZKR_ERR_MALFORMED;
    if (r == ZKR_ERR_MALFORMED)
        return zkr_fail(d, r, "proof: range proof section malformed");
    if (r == ZKR_ERR_VERIFY)
        return zkr_fail(d, r, "proof: the range proof of |W| <= 127 does not verify");
    if (r != ZKR_OK)
        return zkr_fail(d, r, "proof: range proof refused");
    return ZKR_OK;
}

static zkr_err zkr_vm2_math(const zkr_params *p, const zkr_proof_view *v,
                            const zkr_verifier_matmul2_statement *st, zkr_diag *d)
{
    const zkr_matmul2_public *pub = &st->pub;
    unsigned lm = zkr_log2_ceil(pub->m), lk = zkr_log2_ceil(pub->k), lb = zkr_log2_ceil(pub->b);
    zkr_transcript t;
    zkr_vm2_parsed o;
    zkr_ext pt[64], wpt[64], xpt[64], claim, fin, xv, rho;
    zkr_err r;

    memset(&o, 0, sizeof o);
    if ((r = zkr_vm2_parse(p, v, pub, lk, &o, d)) != ZKR_OK)
        goto out;
    zkr_matmul2_transcript(&t, p, st->statement_id, pub);
    zkr_ts_absorb(&t, "mm2-mask-root", o.zroot, ZKR_DIGEST_BYTES);
    zkr_ts_challenge_exts(&t, "mm-rb", pt, lb);
    zkr_ts_challenge_exts(&t, "mm-ri", pt + lb, lm);
    if ((r = zkr_vm2_eval(pub->y, pub->m, pub->b, lm, lb, pt, &claim)) != ZKR_OK)
        goto out;
    zkr_ts_absorb_ext(&t, "mm2-sigma", &o.sigma, 1);
    rho = zkr_ts_challenge_ext(&t, "mm2-rho");
    /* The masked claim: y~(rb, ri) + rho sigma = sum_j (A_W + rho A_Z)(j) x~(j, rb). */
    claim = zkr_ext_add(claim, zkr_ext_mul(rho, o.sigma));
    zkr_sumcheck_verify(&t, lk, 2, claim, o.msgs, wpt, &fin);
    memcpy(xpt, pt, lb * sizeof *xpt);
    memcpy(xpt + lb, wpt, lk * sizeof *xpt);
    if ((r = zkr_vm2_eval(pub->x, pub->k, pub->b, lk, lb, xpt, &xv)) != ZKR_OK)
        goto out;
    if (!zkr_ext_eq(fin, zkr_ext_mul(o.v, xv))) {
        r = zkr_fail(d, ZKR_ERR_VERIFY, "proof: masked sumcheck does not reduce to G~ x~");
        goto out;
    }
    zkr_ts_absorb_ext(&t, "mm2-v", &o.v, 1);
    memcpy(wpt + lk, pt + lb, lm * sizeof *wpt);
    r = zkr_hpcs_verify(p, &t, &pub->w, o.zroot, rho, wpt, o.v, o.pf);
    if (r == ZKR_ERR_VERIFY)
        zkr_fail(d, r, "proof: hiding opening of W + rho Z does not verify");
    if (r == ZKR_OK)
        r = zkr_vm2_range(p, v, &t, pub, d);
out:
    zkr_hpcs_proof_free(o.pf);
    free(o.msgs);
    return r;
}

zkr_err zkr_verify_matmul2(const uint8_t *proof, size_t len,
                           const zkr_verifier_matmul2_statement *st, zkr_diag *d)
{
    zkr_proof_view v;
    zkr_params p;
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
    return zkr_vm2_math(&p, &v, st, d);
}
