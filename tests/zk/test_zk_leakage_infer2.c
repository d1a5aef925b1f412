/*
 * zk-leakage-infer2: an empirical check that inference@2 reveals nothing
 * about the model, the record or the intermediate values
 * (docs/proof-system.md, "inference@2", "Leakage test").
 *
 * Every field element a proof (version 2) reveals is extracted
 * structurally, in a fixed order of positions: the batched sumcheck's
 * gamma, messages, revealed values and g(r); the claim reduction's
 * gamma_A, messages, reduced values u and g_A(r_A); for every hiding
 * opening (the range proof's two, one batched opening per size class, the
 * record's, the mask coefficients') the mask value b, the folding
 * messages, the final polynomial and the first J opened leaves of every
 * tree; the range proof's and the linear sumcheck's values. Roots, counts,
 * salts, nonces, the version and the statement echo are not sampled.
 *
 * The program is 4-4-2 (ReLU, none). Each proof gets its own model and
 * record commitment randomness (each commitment blinded for one proof, as
 * the budget argument covers reuse) and its own proof randomness, seeded
 * from the tap generator (--seed reproduces a run); the statement_id, the
 * weights, the record and every intermediate value are fixed.
 * 1. Vary the randomness only: 200 proofs; every position takes >= 190
 *    distinct values and passes a chi-square test of its top byte against
 *    uniform (family significance 0.001, Bonferroni); the pooled top bytes
 *    pass at 0.001; no proof contains the record's bytes or field images or
 *    a weight row (int8 bytes with the next row's, le64 or be64 images).
 * 2. Vary the secret only: a second model (other weights in layer 0) with
 *    the same public output; 100 proofs; per-position two-sample
 *    chi-square tests (Bonferroni 0.001) and the pooled one find no
 *    difference.
 * 3. Teeth: the test hook that turns masking off (all randomness 0; only
 *    the field masks 0, salts random) must be reported as leaking by the
 *    same detector, while its proofs verify.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>

#include "tests/zk/infer2_fixture.h"
#include "zk/infer2_int.h"

#define N_MAX 200
#define J_LEAVES 4
#define MAX_POS 40000

typedef struct {
    size_t n_pos;
    int n;           /* proofs */
    uint64_t *v;     /* n_pos x N_MAX, position-major */
    int witness_bytes;
    int verify_fail;
    int shape_fail;
} samples;

/* ---------------- statistics ---------------- */

/* Upper-tail standard normal quantile by bisection on erfc. */
static double z_upper(double alpha)
{
    double lo = 0, hi = 40;

    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (0.5 * erfc(mid / sqrt(2.0)) > alpha)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/* Chi-square critical value (Wilson-Hilferty). */
static double chi2_crit(double df, double alpha)
{
    double a = 2.0 / (9.0 * df), z = z_upper(alpha);
    double c = 1 - a + z * sqrt(a);
    return df * c * c * c;
}

static double chi2_uniform(const unsigned *h, unsigned bins, double n)
{
    double e = n / bins, s = 0;

    for (unsigned i = 0; i < bins; i++)
        s += (h[i] - e) * (h[i] - e) / e;
    return s;
}

/* Two-sample (homogeneity) statistic for sample sizes na, nb; *df set. */
static double chi2_two(const unsigned *a, const unsigned *b, unsigned bins, double na, double nb,
                       double *df)
{
    double s = 0, ka = sqrt(nb / na), kb = sqrt(na / nb);
    unsigned used = 0;

    for (unsigned i = 0; i < bins; i++)
        if (a[i] + b[i] > 0) {
            double d = (double)a[i] * ka - (double)b[i] * kb;
            s += d * d / (a[i] + b[i]);
            used++;
        }
    *df = used > 1 ? used - 1 : 1;
    return s;
}

/* ---------------- extraction ---------------- */

typedef struct {
    uint64_t *out;
    size_t n, cap;
} vec;

static int put(vec *v, uint64_t x)
{
    if (v->n == v->cap)
        return 0;
    v->out[v->n++] = x;
    return 1;
}

static int put_exts(vec *v, zkr_dec *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        zkr_ext e;
        if (zkr_dec_ext(d, &e) != ZKR_OK)
            return 0;
        for (int c = 0; c < 3; c++)
            if (!put(v, e.c[c]))
                return 0;
    }
    return 1;
}

/* One tree's opening: the first j leaves' words; the rest skipped. */
static int put_tree(vec *v, zkr_dec *d, size_t words, uint32_t j)
{
    uint32_t n_open, n_sib;
    const uint8_t *raw;

    if (zkr_dec_u32(d, &n_open) != ZKR_OK || zkr_dec_u32(d, &n_sib) != ZKR_OK || n_open < j)
        return 0;
    for (uint32_t i = 0; i < n_open; i++) {
        if (zkr_dec_raw(d, ZKR_SALT_BYTES, &raw) != ZKR_OK ||
            zkr_dec_raw(d, 8 * words, &raw) != ZKR_OK)
            return 0;
        if (i < j)
            for (size_t w = 0; w < words; w++)
                if (!put(v, zkr_load_le64(raw + 8 * w)))
                    return 0;
    }
    return zkr_dec_raw(d, (size_t)n_sib * ZKR_DIGEST_BYTES, &raw) == ZKR_OK;
}

/* A hiding opening of a total-variable commitment (F base or extension-valued). */
static int put_hpcs_skip(vec *v, zkr_dec *d, const zkr_params *p, unsigned total, int f_ext,
                         uint32_t j, uint64_t ones)
{
    zkr_pcs_layout l;
    const uint8_t *raw;
    uint64_t nonce;

    zkr_hpcs_layout_of(p, total, &l);
    for (unsigned i = 0; i < l.folds_total; i++) {
        /*
         * Round i of eq(z, x) G(x) with a public z_i = 1 has h(0) = 0 for
         * every G: determined by the statement, not sampled.
         */
        zkr_ext h0;
        if ((ones >> i) & 1) {
            if (zkr_dec_ext(d, &h0) != ZKR_OK || !put_exts(v, d, 1))
                return 0;
        } else if (!put_exts(v, d, 2)) {
            return 0;
        }
    }
    if (l.n_layers > 1 && zkr_dec_raw(d, (size_t)(l.n_layers - 1) * ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return 0;
    if (!put_exts(v, d, (size_t)1 << l.final_vars) || zkr_dec_u64(d, &nonce) != ZKR_OK)
        return 0;
    for (unsigned layer = 0; layer < l.n_layers; layer++) {
        if (layer == 0 && !put_tree(v, d, (size_t)(f_ext ? 3 : 1) << l.folds[0], j))
            return 0;
        if (!put_tree(v, d, (size_t)3 << l.folds[layer], j))
            return 0;
    }
    return 1;
}

static int put_hpcs(vec *v, zkr_dec *d, const zkr_params *p, unsigned total, int f_ext,
                    uint32_t j)
{
    return put_hpcs_skip(v, d, p, total, f_ext, j, 0);
}

/* A batched hiding opening (component 3b): k F trees (f_ext[i]: extension words), then Z's. */
static int put_hpcs_batch(vec *v, zkr_dec *d, const zkr_params *p, unsigned total, size_t k,
                          const int *f_ext, uint32_t j)
{
    zkr_pcs_layout l;
    const uint8_t *raw;
    uint64_t nonce;

    zkr_hpcs_layout_of(p, total, &l);
    if (!put_exts(v, d, 2 * (size_t)l.folds_total))
        return 0;
    if (l.n_layers > 1 && zkr_dec_raw(d, (size_t)(l.n_layers - 1) * ZKR_DIGEST_BYTES, &raw) != ZKR_OK)
        return 0;
    if (!put_exts(v, d, (size_t)1 << l.final_vars) || zkr_dec_u64(d, &nonce) != ZKR_OK)
        return 0;
    for (unsigned layer = 0; layer < l.n_layers; layer++) {
        for (size_t i = 0; layer == 0 && i < k; i++)
            if (!put_tree(v, d, (size_t)(f_ext[i] ? 3 : 1) << l.folds[0], j))
                return 0;
        if (!put_tree(v, d, (size_t)3 << l.folds[layer], j))
            return 0;
    }
    return 1;
}

/*
 * The range proof's section (the batched layout since matmul@2 version 3):
 * gamma, the degree-7 messages, the five revealed values, the mask's value
 * b and the one batched opening of a, h, phi, m at a's size, the linear
 * sumcheck's sigma, messages and final value and C's opening (roots skipped).
 */
static int put_range(vec *v, zkr_dec *d, const zkr_params *p, unsigned n, unsigned e)
{
    static const int batch_ext[4] = {0, 1, 1, 0};
    static const int c_ext[1] = {0};
    unsigned N = zkr_zkrange_sc_vars(n), lc = zkr_zkrange_coef_vars(n);
    const uint8_t *raw;

    if (zkr_dec_raw(d, 4 * ZKR_DIGEST_BYTES, &raw) != ZKR_OK ||
        !put_exts(v, d, 1 + (size_t)N * ZKR_ZKRANGE_DEGREE + 5) ||
        zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK || !put_exts(v, d, 1) ||
        !put_hpcs_batch(v, d, p, n + e, 4, batch_ext, J_LEAVES))
        return 0;
    if (zkr_dec_raw(d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK || !put_exts(v, d, 2 + 2 * (size_t)lc))
        return 0;
    return put_hpcs_batch(v, d, p, lc + zkr_hpcs_blind_vars(p, lc, 1), 1, c_ext, J_LEAVES) &&
           zkr_dec_finish(d) == ZKR_OK;
}

/*
 * Every revealed field element of an inference@2 proof (version 2), in
 * position order. The record's opening runs at the parameter set's query
 * count, every other opening at zkr_infer2_params' raised one.
 */
static int extract(const i2case *c, const zkr_buf *pf, int pub, vec *v)
{
    const zkr_params *p0 = &c->p;
    zkr_params pq;
    const zkr_params *p = &pq;
    static const int base4[ZKR_HPCS_MAX_BATCH] = {0};
    zkr_infer2_red red;
    zkr_infer2_groups gr;
    unsigned wt[3];
    zkr_proof_view pv;
    zkr_dec d;
    const uint8_t *raw;
    zkr_infer2_model_commitment mc;
    zkr_record_commitment rc;
    uint32_t in[3], out[3], sh[3];
    int relu[3];
    zkr_infer2_shape s;
    unsigned nvals = 0, ev, lc, ec;

    if (zkr_proof_parse(pf->p, pf->len, &pv, NULL) != ZKR_OK || pv.n_sections != 6 ||
        zkr_infer2_mc_decode(p0, c->mc.p, c->mc.len, &mc) != ZKR_OK ||
        zkr_record_commitment_decode(p0, c->r.commitment, ZKR_RECORD_COMMIT_BYTES, &rc) != ZKR_OK)
        return 0;
    if (!pub)
        return 0; /* the leakage test proves public outputs */
    zkr_infer2_params(p0, &mc, c->dims[0], c->dims + 1, pub, &pq);
    for (uint32_t l = 0; l < c->n_layers; l++) {
        in[l] = c->dims[l];
        out[l] = c->dims[l + 1];
        relu[l] = c->g.layers[l].act == ZKR_ML_ACT_RELU;
        sh[l] = mc.shifts[l];
    }
    if (zkr_infer2_shape_init(&s, c->dims[0], c->n_layers, in, out, relu, sh) != ZKR_OK)
        return 0;
    ev = zkr_hpcs_blind_vars(p, s.n_v, zkr_infer2_v_budget(c->n_layers));
    for (uint32_t l = 0; l < c->n_layers; l++)
        wt[l] = mc.w[l].n_vars + mc.w[l].blind_vars;
    zkr_infer2_red_init(&s, wt, s.n_v + ev, 0, &red);
    zkr_infer2_groups_of(&red, &gr);
    lc = zkr_infer2_lc_vars(s.N, red.TA);
    ec = zkr_hpcs_blind_vars(p, lc, 1);
    zkr_dec_init(&d, pv.body[2], pv.len[2]);
    if (!put_range(v, &d, p, s.n_v, ev))
        return 0;
    for (uint32_t l = 0; l < c->n_layers; l++)
        nvals += (!pub && l + 1 == c->n_layers) ? 20 : 19;
    nvals += 1; /* version 3: V's copy of the record at r */
    zkr_dec_init(&d, pv.body[3], pv.len[3]);
    if (!put_exts(v, &d, 1 + (size_t)ZKR_INFER2_DEGREE * s.N + nvals + 1) ||
        zkr_dec_finish(&d) != ZKR_OK)
        return 0;
    /*
     * Section 28: the claim reduction's gamma_A, messages, values u and
     * g_A(r_A); each size class's batched opening at the random r_A (mask
     * root skipped, b sampled); the record's own opening at its point (no
     * public boolean coordinate).
     */
    zkr_dec_init(&d, pv.body[4], pv.len[4]);
    if (!put_exts(v, &d, 1 + (size_t)ZKR_INFER2_DEGREE * red.TA + red.n_polys + 1))
        return 0;
    for (unsigned g = 0; g < gr.n_groups; g++)
        if (zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK || !put_exts(v, &d, 1) ||
            !put_hpcs_batch(v, &d, p, red.tv[gr.members[g][0]], gr.n_members[g], base4,
                            J_LEAVES))
            return 0;
    if (zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK || !put_exts(v, &d, 1) ||
        !put_hpcs_skip(v, &d, p0, rc.comm.n_vars + rc.comm.blind_vars, 0, J_LEAVES, 0) ||
        zkr_dec_finish(&d) != ZKR_OK)
        return 0;
    zkr_dec_init(&d, pv.body[5], pv.len[5]);
    if (zkr_dec_raw(&d, ZKR_DIGEST_BYTES, &raw) != ZKR_OK || !put_exts(v, &d, 2 + 2 * (size_t)lc) ||
        !put_hpcs(v, &d, p, lc + ec, 0, J_LEAVES))
        return 0;
    return zkr_dec_finish(&d) == ZKR_OK;
}

static int find(const zkr_buf *pf, const uint8_t *pat, size_t n)
{
    for (size_t at = 0; at + n <= pf->len; at++)
        if (memcmp(pf->p + at, pat, n) == 0)
            return 1;
    return 0;
}

/* The record's bytes or field images, or a weight row (int8 with the next row, le64, be64). */
static int has_witness_bytes(const zkr_buf *pf, const i2case *c)
{
    uint8_t le[8 * 8], be[8 * 8], i8[16];
    size_t rl = c->r.record_len;

    for (size_t k = 0; k < rl; k++) {
        zkr_store_le64(le + 8 * k, c->r.record[k]);
        zkr_store_be64(be + 8 * k, c->r.record[k]);
    }
    if (find(pf, c->r.record, rl) || find(pf, le, 8 * rl) || find(pf, be, 8 * rl))
        return 1;
    for (uint32_t l = 0; l < c->n_layers; l++) {
        uint32_t K = c->dims[l], M = c->dims[l + 1];
        for (uint32_t r = 0; r < M; r++) {
            for (uint32_t k = 0; k < K; k++) {
                uint64_t img = zkr_gl_from_i64(c->w[l][r * K + k]);
                zkr_store_le64(le + 8 * k, img);
                zkr_store_be64(be + 8 * k, img);
                i8[k] = (uint8_t)c->w[l][r * K + k];
                i8[K + k] = (uint8_t)c->w[l][((r + 1) % M) * K + k];
            }
            /* layer 1's rows are all zero (its output is its bias): images of 0 are everywhere */
            if (l == 1)
                continue;
            if (find(pf, le, 8 * K) || find(pf, be, 8 * K) || find(pf, i8, 2 * K))
                return 1;
        }
    }
    return 0;
}

/* n proofs of variant's model, mode 0 honest, 1 or 2 the broken generators. */
static int run(zkr_tap *t, int variant, int mode, int n, samples *s)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->v = malloc((size_t)MAX_POS * N_MAX * sizeof *s->v);
    if (!s->v)
        return 0;
    for (int i = 0; i < n; i++) {
        i2case c;
        zkr_buf pf = {0};
        uint8_t seed[32];
        uint64_t *tmp = malloc(MAX_POS * sizeof *tmp);
        vec v = {tmp, 0, MAX_POS};
        zkr_infer2_cheat ch = {.unmasked = mode};
        zkr_diag d = {0};
        zkr_err r;

        for (int b = 0; b < 32; b++)
            seed[b] = (uint8_t)zkr_tap_rand(t);
        if (!tmp || !i2case_init(&c, 1, variant, 2, seed)) {
            free(tmp);
            zkr_tap_ok(t, 0, "proof %d: fixture", i);
            return 0;
        }
        i2case_mode(&c, 1);
        r = zkr_prover_inference2_cheat(&c.p, c.st.statement_id, c.im, &c.r, 1, NULL, NULL, seed,
                                        32, &ch, &pf, &d);
        if (r != ZKR_OK) {
            zkr_tap_ok(t, 0, "proof %d (mode %d): %s", i, mode, d.msg);
            free(tmp);
            i2case_free(&c);
            return 0;
        }
        s->verify_fail += zkr_verify_inference2(pf.p, pf.len, &c.st, NULL) != ZKR_OK;
        if (!extract(&c, &pf, 1, &v) || (i > 0 && v.n != s->n_pos))
            s->shape_fail++;
        s->n_pos = v.n;
        for (size_t k = 0; k < v.n; k++)
            s->v[k * N_MAX + i] = tmp[k];
        s->witness_bytes += has_witness_bytes(&pf, &c);
        free(tmp);
        zkr_buf_free(&pf);
        i2case_free(&c);
    }
    return 1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

typedef struct {
    size_t few_distinct, chi_fail;
    int pooled_fail;
    int leak;
} verdict;

/* Distinct values (>= 95 % of the proofs), top-byte chi-square per position and pooled. */
static verdict detect(const samples *s)
{
    verdict vd;
    double crit = chi2_crit(255, 0.001 / (double)s->n_pos), pooled_crit = chi2_crit(255, 0.001);
    unsigned *pool = calloc(256, sizeof *pool);
    uint64_t sorted[N_MAX];
    int need = (s->n * 95) / 100;
    double worst = 0;
    size_t worst_at = 0;

    memset(&vd, 0, sizeof vd);
    for (size_t k = 0; k < s->n_pos && pool; k++) {
        unsigned h[256] = {0};
        int distinct = 1;
        memcpy(sorted, s->v + k * N_MAX, (size_t)s->n * sizeof *sorted);
        qsort(sorted, (size_t)s->n, sizeof *sorted, cmp_u64);
        for (int i = 1; i < s->n; i++)
            distinct += sorted[i] != sorted[i - 1];
        for (int i = 0; i < s->n; i++) {
            unsigned tb = (unsigned)(sorted[i] >> 56);
            h[tb]++;
            pool[tb]++;
        }
        if ((distinct < need || chi2_uniform(h, 256, s->n) > crit) &&
            vd.few_distinct + vd.chi_fail < 6 && s->n == N_MAX)
            printf("# position %zu: %d distinct\n", k, distinct);
        vd.few_distinct += distinct < need;
        vd.chi_fail += chi2_uniform(h, 256, s->n) > crit;
        if (chi2_uniform(h, 256, s->n) > worst) {
            worst = chi2_uniform(h, 256, s->n);
            worst_at = k;
        }
    }
    vd.pooled_fail = !pool || chi2_uniform(pool, 256, (double)s->n_pos * s->n) > pooled_crit;
    if (vd.pooled_fail && pool)
        printf("# pooled chi-square %.1f (crit %.1f); the worst position %zu: %.1f\n",
               chi2_uniform(pool, 256, (double)s->n_pos * s->n), pooled_crit, worst_at, worst);
    free(pool);
    vd.leak = vd.few_distinct || vd.chi_fail || vd.pooled_fail || s->witness_bytes ||
              s->shape_fail;
    printf("# %d proofs, %zu positions: %zu with < %d distinct values, %zu failing chi-square "
           "(crit %.1f), pooled %s, witness bytes in %d proofs\n",
           s->n, s->n_pos, vd.few_distinct, need, vd.chi_fail, crit,
           vd.pooled_fail ? "FAIL" : "ok", s->witness_bytes);
    return vd;
}

static int indistinguishable(const samples *a, const samples *b)
{
    size_t fails = 0;
    unsigned pa[256] = {0}, pb[256] = {0};
    double df, crit_pool, st;

    if (a->n_pos != b->n_pos)
        return 0;
    for (size_t k = 0; k < a->n_pos; k++) {
        unsigned ha[256] = {0}, hb[256] = {0};
        for (int i = 0; i < a->n; i++) {
            ha[a->v[k * N_MAX + i] >> 56]++;
            pa[a->v[k * N_MAX + i] >> 56]++;
        }
        for (int i = 0; i < b->n; i++) {
            hb[b->v[k * N_MAX + i] >> 56]++;
            pb[b->v[k * N_MAX + i] >> 56]++;
        }
        st = chi2_two(ha, hb, 256, a->n, b->n, &df);
        fails += st > chi2_crit(df, 0.001 / (double)a->n_pos);
    }
    st = chi2_two(pa, pb, 256, (double)a->n * a->n_pos, (double)b->n * b->n_pos, &df);
    crit_pool = chi2_crit(df, 0.001);
    printf("# two models: %zu of %zu positions differ; pooled %.1f (crit %.1f)\n", fails,
           a->n_pos, st, crit_pool);
    return fails == 0 && st <= crit_pool;
}

int main(int argc, char **argv)
{
    zkr_tap t;
    samples sa, sb, s1, s2;
    verdict va, v1, v2;

    if (sodium_init() < 0)
        return 1;
    zkr_tap_init(&t, argc, argv);
    {
        i2case a, b;
        int ok = i2case_init(&a, 1, 0, 2, NULL) && i2case_init(&b, 1, 1, 2, NULL) &&
                 a.plain.len == b.plain.len && memcmp(a.plain.p, b.plain.p, a.plain.len) == 0 &&
                 memcmp(a.w, b.w, sizeof a.w) != 0;
        zkr_tap_ok(&t, ok, "two different models behind one public output");
        i2case_free(&a);
        i2case_free(&b);
    }
    if (!run(&t, 0, 0, N_MAX, &sa) || !run(&t, 1, 0, N_MAX / 2, &sb))
        return zkr_tap_done(&t);
    zkr_tap_ok(&t, sa.verify_fail == 0 && sb.verify_fail == 0 && sa.shape_fail == 0 &&
                       sb.shape_fail == 0,
               "every proof verifies (%zu revealed elements each)", sa.n_pos);
    va = detect(&sa);
    /*
     * With 200 draws over 256 bins (0.78 expected a bin) the statistic's
     * upper tail is heavier than the chi-square law's: at the Bonferroni
     * level over ~7,800 positions a uniform sample fails about one run in
     * 250 (2,000,000 simulated samples: P(stat > 389.1) ~ 5e-7). A sample
     * that fails the chi-square alone (every position still takes >= 190
     * distinct values, the pooled test passes, no witness bytes) is judged
     * again on 200 fresh proofs, which must pass every check: a real leak
     * fails again, a fluke does not.
     */
    if (va.leak && va.chi_fail > 0 && va.few_distinct == 0 && !va.pooled_fail &&
        sa.witness_bytes == 0) {
        samples sr;
        printf("# %zu position(s) failed the chi-square alone: a fresh sample of %d proofs\n",
               va.chi_fail, N_MAX);
        if (!run(&t, 0, 0, N_MAX, &sr))
            return zkr_tap_done(&t);
        va = detect(&sr);
        va.leak |= sr.verify_fail != 0 || sr.shape_fail != 0;
        free(sr.v);
    }
    zkr_tap_ok(&t, !va.leak && sa.n_pos > 1000, "vary the randomness: every revealed element "
               "looks uniform, no record or weight bytes");
    zkr_tap_ok(&t, indistinguishable(&sa, &sb),
               "vary the secret: the two models' proofs are indistinguishable");
    /* Teeth: masking off must be caught. */
    if (!run(&t, 0, 1, 12, &s1) || !run(&t, 0, 2, 12, &s2))
        return zkr_tap_done(&t);
    zkr_tap_ok(&t, s1.verify_fail == 0 && s2.verify_fail == 0,
               "the broken builds' proofs still verify (the leak is not an invalid proof)");
    v1 = detect(&s1);
    zkr_tap_ok(&t, v1.leak && v1.few_distinct > 0, "the hook with all randomness 0 is detected");
    v2 = detect(&s2);
    zkr_tap_ok(&t, v2.leak && v2.few_distinct > 0,
               "the hook with only the masks 0 (salts random) is detected");
    free(sa.v);
    free(sb.v);
    free(s1.v);
    free(s2.v);
    return zkr_tap_done(&t);
}
