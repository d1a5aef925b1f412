/* matmul@2 (hiding matrix product) definitions shared by the prover and the verifier. */
#include <math.h>
#include <string.h>

#include "zk/ldr.h"
#include "zk/zk.h"
#include "zk/zk_int.h"

zkr_err zkr_matmul2_check_shape(const zkr_params *p, const zkr_matmul2_public *pub)
{
    zkr_err r;

    if ((r = zkr_matmul_check_dims(pub->m, pub->k, pub->b)) != ZKR_OK)
        return r;
    if (pub->w.n_vars != zkr_log2_ceil(pub->m) + zkr_log2_ceil(pub->k))
        return ZKR_ERR_USAGE;
    if (pub->w.blind_vars == 0 || pub->w.blind_vars > ZKR_HPCS_MAX_BLIND_VARS ||
        pub->w.n_vars + pub->w.blind_vars > p->max_vars)
        return ZKR_ERR_TOO_LARGE;
    return ZKR_OK;
}

void zkr_matmul2_transcript(zkr_transcript *t, const zkr_params *p,
                            const uint8_t statement_id[ZKR_DIGEST_BYTES],
                            const zkr_matmul2_public *pub)
{
    uint8_t pd[ZKR_DIGEST_BYTES], dx[ZKR_DIGEST_BYTES], dy[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_MATMUL2_PROTOCOL, ZKR_MATMUL2_VERSION, ZKR_PROOF_SYSTEM_ID, p->id, pd,
                statement_id);
    zkr_ts_absorb_u64(t, "m", pub->m);
    zkr_ts_absorb_u64(t, "k", pub->k);
    zkr_ts_absorb_u64(t, "b", pub->b);
    zkr_ts_absorb(t, "w-commitment", pub->w.root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb_u64(t, "w-vars", pub->w.n_vars);
    zkr_ts_absorb_u64(t, "w-blind-vars", pub->w.blind_vars);
    zkr_matrix_digest(pub->x, (size_t)pub->k * pub->b, dx);
    zkr_matrix_digest(pub->y, (size_t)pub->m * pub->b, dy);
    zkr_ts_absorb(t, "x", dx, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "y", dy, ZKR_DIGEST_BYTES);
}

/* The figure at q queries (version 5: each opening the better of UD and JBR, zk/ldr.h). */
static zkr_soundness zkr_mm2_sound_q(const zkr_params *p, unsigned q, uint32_t m, uint32_t k,
                                     uint32_t b, unsigned blind_vars)
{
    unsigned lm = zkr_log2_ceil(m), lk = zkr_log2_ceil(k), lb = zkr_log2_ceil(b);
    double lf = ZKR_LOG2_EXT_FIELD;
    zkr_params pq = *p;
    zkr_soundness s;
    double qc, alg, e, ec;

    pq.queries = q;
    /* query_bits: the query phase of one opening (parameters only, UD). */
    s = zkr_params_soundness_open(&pq, lm + lk + blind_vars, 2, 1, 0, 1);
    qc = (double)q * p->log_blowup + p->pow_bits;
    /*
     * The random point (rb, ri) of y~ = (W x)~ (lm + lb); the range proof's
     * algebra, which carries the linear claim (nu), with the commit phases
     * of its two openings (zkr_zkrange_alg_error); each of the two openings'
     * whole figure, the better regime's (zkr_ldr_zkrange_err: its UD
     * commit terms counted twice, an upper bound).
     */
    alg = zkr_zkrange_alg_error(&pq, lm + lk, blind_vars) + (lm + lb) * exp2(-lf);
    e = alg + zkr_ldr_zkrange_err(&pq, lm + lk, blind_vars);
    ec = alg + ZKR_ZKRANGE_OPENINGS * exp2(-qc);
    s.provable_bits = -log2(e);
    s.conjectured_bits = -log2(ec);
    return s;
}

void zkr_matmul2_params(const zkr_params *p, uint32_t m, uint32_t k, uint32_t b,
                        unsigned blind_vars, zkr_params *out)
{
    unsigned q = zkr_ldr_q_start(p);

    while (q < 2 * p->queries &&
           zkr_mm2_sound_q(p, q, m, k, b, blind_vars).provable_bits < (double)p->target_bits)
        q++;
    *out = *p;
    out->queries = q;
}

zkr_soundness zkr_matmul2_soundness(const zkr_params *p, uint32_t m, uint32_t k, uint32_t b,
                                    unsigned blind_vars)
{
    zkr_params pq;

    zkr_matmul2_params(p, m, k, b, blind_vars, &pq);
    return zkr_mm2_sound_q(p, pq.queries, m, k, b, blind_vars);
}
