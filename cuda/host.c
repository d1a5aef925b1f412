/*
 * The host build of the kernel bodies (cuda/body.h): each function here is
 * the loop a kernel launch runs, one iteration per device thread, in the
 * same order of stages. tests/cuda runs these against zk/ and prover/;
 * the "host-bodies" accelerator (cuda/accel.c) proves through them.
 */
#include <stdlib.h>
#include <string.h>

#include "cuda/body.h"
#include "cuda/dev.h"

static void zkr_host_ntt_dif(uint64_t *a, const uint64_t *tw, unsigned log_n)
{
    size_t nb = log_n ? (size_t)1 << (log_n - 1) : 0;

    for (unsigned k = 0; k < log_n; k++)
        for (size_t t = 0; t < nb; t++)
            zkr_b_ntt_butterfly(a, tw, log_n, log_n - 1 - k, t, 1);
}

int zkr_host_lde(const uint64_t *coeffs, unsigned log_n, unsigned log_blowup,
                 const uint64_t *step, uint64_t w, uint64_t *out)
{
    size_t n = (size_t)1 << log_n, half = n / 2;
    uint64_t *tw;

    if (log_n + log_blowup > 32)
        return ZKR_DEV_EUSAGE;
    tw = malloc((half ? half : 1) * sizeof *tw);
    if (!tw)
        return ZKR_DEV_ENOMEM;
    for (size_t j = 0; j < half; j++)
        tw[j] = zkr_b_pow(w, j);
    for (size_t t = 0; t < ((size_t)1 << log_blowup); t++) {
        uint64_t *blk = out + t * n;
        for (size_t i = 0; i < n; i++)
            blk[i] = zkr_b_lde_scale(coeffs[i], step[t], i);
        zkr_host_ntt_dif(blk, tw, log_n);
    }
    free(tw);
    return ZKR_DEV_OK;
}

static void zkr_host_put_digest(uint8_t out[32], const uint64_t h[4])
{
    for (int k = 0; k < 4; k++)
        for (int b = 0; b < 8; b++)
            out[8 * k + b] = (uint8_t)(h[k] >> (8 * b));
}

int zkr_host_mtree(const uint64_t *words, uint64_t n_leaves, size_t leaf_words,
                   const uint8_t seed[32], uint8_t (*nodes)[32])
{
    memset(nodes[0], 0, 32);
    for (uint64_t i = 0; i < n_leaves; i++) {
        uint64_t salt[2], h[4];
        zkr_b_leaf_salt(seed, i, salt);
        zkr_b_leaf_hash(salt, words + i * leaf_words, leaf_words, h);
        zkr_host_put_digest(nodes[n_leaves + i], h);
    }
    for (uint64_t k = n_leaves; k-- > 1;) {
        uint64_t l[4], r[4], h[4];
        for (int q = 0; q < 4; q++) {
            l[q] = zkr_b_ld64(nodes[2 * k] + 8 * q);
            r[q] = zkr_b_ld64(nodes[2 * k + 1] + 8 * q);
        }
        zkr_b_node_hash(l, r, h);
        zkr_host_put_digest(nodes[k], h);
    }
    return ZKR_DEV_OK;
}

static zkr_b_ext zkr_host_ext_at(const uint64_t *a, size_t i)
{
    zkr_b_ext e = {{a[3 * i], a[3 * i + 1], a[3 * i + 2]}};
    return e;
}

int zkr_host_fold(const uint64_t *in, size_t half, const uint64_t r[3], uint64_t *out)
{
    zkr_b_ext rr = {{r[0], r[1], r[2]}};

    for (size_t v = 0; v < half; v++) {
        zkr_b_ext o = zkr_b_fold_coef(rr, zkr_host_ext_at(in, 2 * v), zkr_host_ext_at(in, 2 * v + 1));
        memcpy(out + 3 * v, o.c, sizeof o.c);
    }
    return ZKR_DEV_OK;
}

int zkr_host_sc_term(const uint64_t *const *fac, unsigned n_fac, unsigned d, size_t half,
                     uint64_t *sums)
{
    const zkr_b_ext *f[ZKR_B_SC_MAX_FACTORS];
    zkr_b_ext acc[ZKR_B_SC_MAX_DEGREE], v[ZKR_B_SC_MAX_DEGREE];

    if (n_fac < 1 || n_fac > ZKR_B_SC_MAX_FACTORS || d < 1 || d > ZKR_B_SC_MAX_DEGREE)
        return ZKR_DEV_EUSAGE;
    for (unsigned k = 0; k < n_fac; k++)
        f[k] = (const zkr_b_ext *)(const void *)fac[k];
    for (unsigned x = 0; x < d; x++)
        acc[x] = zkr_b_ext_from(0);
    for (size_t i = 0; i < half; i++) {
        zkr_b_sc_term_pair(f, n_fac, d, i, v);
        for (unsigned x = 0; x < d; x++)
            acc[x] = zkr_b_ext_add(acc[x], v[x]);
    }
    memcpy(sums, acc, d * sizeof *acc);
    return ZKR_DEV_OK;
}

int zkr_host_frac_layer(const uint64_t *p, const uint64_t *q, size_t h, uint64_t *po,
                        uint64_t *qo)
{
    const zkr_b_ext *pe = (const zkr_b_ext *)(const void *)p, *qe = (const zkr_b_ext *)(const void *)q;

    for (size_t x = 0; x < h; x++)
        zkr_b_frac_parent(pe, qe, h, x, (zkr_b_ext *)(void *)po + x, (zkr_b_ext *)(void *)qo + x);
    return ZKR_DEV_OK;
}

int zkr_host_fold_any(unsigned flags, const uint64_t *in, size_t half, const uint64_t r[3],
                      uint64_t *out)
{
    zkr_b_ext rr = {{r[0], r[1], r[2]}};
    int eval = (flags & ZKR_DEV_FOLD_EVAL) != 0, base = (flags & ZKR_DEV_FOLD_BASE) != 0;

    /* Ascending v reads entries 2v, 2v+1 >= v before out[v] is written: in place is safe. */
    for (size_t v = 0; v < half; v++) {
        zkr_b_ext o;
        if (base)
            o = eval ? zkr_b_fold_eval_base(rr, in[2 * v], in[2 * v + 1])
                     : zkr_b_fold_coef_base(rr, in[2 * v], in[2 * v + 1]);
        else
            o = eval ? zkr_b_fold_eval(rr, zkr_host_ext_at(in, 2 * v), zkr_host_ext_at(in, 2 * v + 1))
                     : zkr_b_fold_coef(rr, zkr_host_ext_at(in, 2 * v), zkr_host_ext_at(in, 2 * v + 1));
        memcpy(out + 3 * v, o.c, sizeof o.c);
    }
    return ZKR_DEV_OK;
}

int zkr_host_eq_q(const uint64_t *s, const uint64_t *g, int base, size_t half, uint64_t q[6])
{
    const zkr_b_ext *se = (const zkr_b_ext *)(const void *)s;
    zkr_b_ext acc[2] = {zkr_b_ext_from(0), zkr_b_ext_from(0)}, v[2];

    for (size_t i = 0; i < half; i++) {
        if (base)
            zkr_b_eq_q_pair_base(se, g, i, v);
        else
            zkr_b_eq_q_pair(se, (const zkr_b_ext *)(const void *)g, i, v);
        acc[0] = zkr_b_ext_add(acc[0], v[0]);
        acc[1] = zkr_b_ext_add(acc[1], v[1]);
    }
    memcpy(q, acc[0].c, sizeof acc[0].c);
    memcpy(q + 3, acc[1].c, sizeof acc[1].c);
    return ZKR_DEV_OK;
}

int zkr_host_sc_round(const uint64_t *const *tables, unsigned n_tables, const unsigned *idx,
                      const unsigned *n_fac, unsigned n_terms, unsigned d, size_t half,
                      uint64_t *sums)
{
    for (unsigned k = 0; k < n_terms; k++) {
        const uint64_t *fac[ZKR_B_SC_MAX_FACTORS];
        int e;
        if (n_fac[k] < 1 || n_fac[k] > ZKR_B_SC_MAX_FACTORS)
            return ZKR_DEV_EUSAGE;
        for (unsigned q = 0; q < n_fac[k]; q++) {
            if (idx[ZKR_B_SC_MAX_FACTORS * k + q] >= n_tables)
                return ZKR_DEV_EUSAGE;
            fac[q] = tables[idx[ZKR_B_SC_MAX_FACTORS * k + q]];
        }
        if ((e = zkr_host_sc_term(fac, n_fac[k], d, half, sums + (size_t)3 * d * k)) != ZKR_DEV_OK)
            return e;
    }
    return ZKR_DEV_OK;
}
