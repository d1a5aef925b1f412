/*
 * matmul@1 attacks and the systematic search (docs/soundness.md).
 *
 * Attacks: statements whose relation y = W x holds mod p but not over the
 * integers, proven by the test-build cheating matmul prover (it proves the
 * field relation for whatever the statement says): aliased int64 entries
 * (v and v - p), a W bound times sum |x| that reaches p (k 2^16 weights on
 * values near 2^48, sums near 2^63). The verifier must say ZKR_ERR_VERIFY.
 *
 * Search: for small shapes and every linear relation a verifier checks
 * (inference@1's requantization and slot relations, matmul@1's row
 * equation), take honest and edge-valued assignments, perturb one slot
 * within its range, solve each other slot over the field, and check: when
 * the solution lies in that slot's proven range (and the verifier's
 * statement checks pass), the integer relation must hold. Any hit fails.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

typedef __int128 i128;

static int64_t lift(zkr_gl v)
{
    return v <= (ZKR_GL_P - 1) / 2 ? (int64_t)v : -(int64_t)(ZKR_GL_P - v);
}

/* ---------------- matmul@1 attacks ---------------- */

static zkr_err mm_run(const zkr_params *p, const int64_t *w, uint32_t m, uint32_t k,
                      const int64_t *x_prove, const int64_t *y_prove, const int64_t *x_claim,
                      const int64_t *y_claim, uint64_t w_max, int cheat, zkr_err *prove)
{
    zkr_pcs_poly *poly = NULL;
    zkr_verifier_matmul_statement st;
    zkr_buf pf = {0};
    zkr_diag d = {0};
    zkr_err v = ZKR_ERR_INTERNAL;

    memset(&st, 0, sizeof st);
    memset(st.statement_id, 0x42, sizeof st.statement_id);
    st.param_set = p->id;
    st.pub.m = m, st.pub.k = k, st.pub.b = 1;
    st.pub.w_max_abs = w_max;
    st.pub.x = x_prove;
    st.pub.y = y_prove;
    *prove = zkr_prover_matmul_commit(p, w, m, k, 1, &poly, &st.pub.w);
    if (*prove == ZKR_OK)
        *prove = cheat ? zkr_prover_matmul_cheat(p, st.statement_id, &st.pub, w, poly, &pf, &d)
                       : zkr_prover_matmul(p, st.statement_id, &st.pub, w, poly, 1, &pf, &d);
    if (*prove == ZKR_OK) {
        st.pub.x = x_claim;
        st.pub.y = y_claim;
        v = zkr_verify_matmul(pf.p, pf.len, &st, &d);
        if (v != ZKR_OK)
            zkr_tap_diag("verifier: %s", d.msg);
    }
    zkr_buf_free(&pf);
    zkr_pcs_poly_free(poly);
    return v;
}

static void test_matmul_attacks(zkr_tap *t, const zkr_params *p)
{
    const int64_t half = (int64_t)((ZKR_GL_P - 1) / 2); /* 2^63 - 2^31 */
    zkr_err pr, v;

    {
        /* Honest: x = (p-1)/2, y = x, W = 1 (the largest entry the domain has). */
        int64_t w[1] = {1}, x[1] = {half}, y[1] = {half};
        /* The same field images as int64 values v - p: another integer statement. */
        int64_t xa[1] = {(int64_t)((uint64_t)half - ZKR_GL_P)}, ya[1] = {xa[0]};
        int64_t yb[1] = {(int64_t)((uint64_t)half - ZKR_GL_P)};
        v = mm_run(p, w, 1, 1, x, y, x, y, 1, 0, &pr);
        zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_OK, "matmul: x = y = (p-1)/2, W = 1 verifies");
        v = mm_run(p, w, 1, 1, x, y, xa, ya, 1, 0, &pr);
        zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                   "matmul: that proof presented for x' = y' = x - p (%lld, the same field image, "
                   "another integer): ZKR_ERR_VERIFY (%d)", (long long)xa[0], v);
        v = mm_run(p, w, 1, 1, x, y, x, yb, 1, 0, &pr);
        zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                   "matmul: that proof presented for y' = y - p alone: ZKR_ERR_VERIFY (%d)", v);
    }
    {
        static const struct {
            const char *what;
            uint32_t k;
            int64_t w[2], x[2], y;
            uint64_t w_max;
        } a[] = {
            /* 2 * (-(p-1)/2) = -(p-1) = 1 mod p */
            {"W = 2, x = -(p-1)/2, y = 1 (x solved by the field inverse of 2)", 1,
             {2, 0}, {-(int64_t)((ZKR_GL_P - 1) / 2), 0}, 1, 2},
            /* 2^16 (2^48 - 1) = 2^64 - 2^16 = 2^32 - 2^16 - 1 mod p */
            {"W = 2^16, x = 2^48 - 1, y = 2^32 - 2^16 - 1 (a k 2^16 weight wraps near 2^64)", 1,
             {65536, 0}, {((int64_t)1 << 48) - 1, 0}, ((int64_t)1 << 32) - 65537, 65536},
            /* 2^62 + 2^62 = 2^63 = 2^63 - p mod p */
            {"W = (1, 1), x = (2^62, 2^62), y = 2^63 - p (a sum near 2^63 wraps)", 2,
             {1, 1}, {(int64_t)1 << 62, (int64_t)1 << 62}, 0, 1},
            /* 3 * lift(1/3) = 1 mod p, but not over the integers */
            {"W = 3, x = lift(1/3), y = 1 (x solved by the field inverse of 3)", 1,
             {3, 0}, {0, 0}, 1, 3},
        };
        for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
            int64_t x[2] = {a[i].x[0], a[i].x[1]}, y[1] = {a[i].y};
            if (i == 2)
                y[0] = (int64_t)(((uint64_t)1 << 63) - ZKR_GL_P);
            if (i == 3)
                x[0] = lift(zkr_gl_inv(3));
            v = mm_run(p, a[i].w, 1, a[i].k, x, y, x, y, a[i].w_max, 1, &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                       "matmul: %s, true mod p only, cheating prover: ZKR_ERR_VERIFY (%d)",
                       a[i].what, v);
        }
    }
}

/* ---------------- the search ---------------- */

typedef struct {
    unsigned long checks, in_range, hits;
} tally;

/* inference@1 requantization: acc M + 2^(s-1) = (y + (hi - lo_f) g) 2^s + r. */
typedef struct {
    int64_t acc, m, y, hi, lof, g, r;
} req;

enum { V_ACC, V_M, V_Y, V_HI, V_LOF, V_G, V_R, V_N };

static int req_int(const req *x, unsigned s)
{
    i128 lhs = (i128)x->acc * x->m + ((i128)1 << (s - 1));
    i128 rhs = ((i128)x->y + (i128)(x->hi - x->lof) * x->g) * ((i128)1 << s) + x->r;
    return lhs == rhs;
}

static int req_in_range(const req *x, unsigned s, int64_t lo)
{
    return x->acc > -((int64_t)1 << 31) && x->acc < ((int64_t)1 << 31) && x->m >= 0 &&
           x->m < ((int64_t)1 << 31) && x->y >= lo && x->y <= 127 && (x->hi == 0 || x->hi == 1) &&
           (x->lof == 0 || x->lof == 1) && x->g >= 0 && (uint64_t)x->g < ((uint64_t)1 << (63 - s)) &&
           x->r >= 0 && (uint64_t)x->r < ((uint64_t)1 << s);
}

static zkr_gl F(int64_t v)
{
    return zkr_gl_from_i64(v);
}

/* Solves slot `v` of x over the field from the others; 0 when its coefficient is 0. */
static int req_solve(req *x, unsigned s, unsigned v)
{
    zkr_gl two_s = (zkr_gl)1 << s, half = (zkr_gl)1 << (s - 1);
    zkr_gl lhs = zkr_gl_add(zkr_gl_mul(F(x->acc), F(x->m)), half);
    zkr_gl d = zkr_gl_sub(F(x->hi), F(x->lof));
    zkr_gl q = zkr_gl_add(F(x->y), zkr_gl_mul(d, F(x->g)));
    zkr_gl rhs = zkr_gl_add(zkr_gl_mul(q, two_s), F(x->r));
    zkr_gl sol;

    switch (v) {
    case V_R:
        sol = zkr_gl_sub(lhs, zkr_gl_mul(q, two_s));
        x->r = lift(sol);
        return 1;
    case V_Y:
        sol = zkr_gl_sub(zkr_gl_mul(zkr_gl_sub(lhs, F(x->r)), zkr_gl_inv(two_s)),
                         zkr_gl_mul(d, F(x->g)));
        x->y = lift(sol);
        return 1;
    case V_G:
        if (d == 0)
            return 0;
        sol = zkr_gl_mul(zkr_gl_sub(zkr_gl_mul(zkr_gl_sub(lhs, F(x->r)), zkr_gl_inv(two_s)),
                                    F(x->y)),
                         zkr_gl_inv(d));
        x->g = lift(sol);
        return 1;
    case V_ACC:
        if (x->m == 0)
            return 0;
        sol = zkr_gl_mul(zkr_gl_sub(rhs, half), zkr_gl_inv(F(x->m)));
        x->acc = lift(sol);
        return 1;
    case V_M:
        if (x->acc == 0)
            return 0;
        sol = zkr_gl_mul(zkr_gl_sub(rhs, half), zkr_gl_inv(F(x->acc)));
        x->m = lift(sol);
        return 1;
    case V_HI:
    case V_LOF:
        if (x->g == 0)
            return 0;
        {
            /* (hi - lo_f) g = (lhs - r) / 2^s - y */
            zkr_gl dd = zkr_gl_mul(zkr_gl_sub(zkr_gl_mul(zkr_gl_sub(lhs, F(x->r)), zkr_gl_inv(two_s)),
                                              F(x->y)),
                                   zkr_gl_inv(F(x->g)));
            if (v == V_HI)
                x->hi = lift(zkr_gl_add(dd, F(x->lof)));
            else
                x->lof = lift(zkr_gl_sub(F(x->hi), dd));
        }
        return 1;
    }
    return 0;
}

static int64_t *req_slot(req *x, unsigned v)
{
    int64_t *f[V_N] = {&x->acc, &x->m, &x->y, &x->hi, &x->lof, &x->g, &x->r};
    return f[v];
}

/* The honest row for acc, M (floor division, clamp). */
static req req_honest(int64_t acc, int64_t m, unsigned s, int64_t lo)
{
    i128 t = (i128)acc * m + ((i128)1 << (s - 1)), two = (i128)1 << s;
    i128 r = ((t % two) + two) % two, q = (t - r) / two;
    i128 y = q > 127 ? 127 : q < lo ? lo : q;
    req x = {acc, m, (int64_t)y, q > 127, q < lo, (int64_t)(q > y ? q - y : y - q), (int64_t)r};
    return x;
}

static void search_requant(zkr_tap *t, tally *ty)
{
    static const unsigned shifts[] = {1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 47, 48};
    static const int64_t accs[] = {-2147483647, -1073741824, -65536, -257, -1, 0, 1, 255, 65536,
                                   1073741824, 2147483647};
    static const int64_t ms[] = {0, 1, 2, 255, 65535, 1 << 30, 2147483647};

    for (size_t si = 0; si < sizeof shifts / sizeof shifts[0]; si++)
        for (int lo_i = 0; lo_i < 2; lo_i++) {
            unsigned s = shifts[si];
            int64_t lo = lo_i ? -128 : 0;
            int64_t gmax = (int64_t)(((uint64_t)1 << (63 - s)) - 1), rmax = ((int64_t)1 << s) - 1;
            for (size_t ai = 0; ai < sizeof accs / sizeof accs[0] + 4; ai++)
                for (size_t mi = 0; mi < sizeof ms / sizeof ms[0] + 2; mi++) {
                    int64_t acc = ai < sizeof accs / sizeof accs[0]
                                      ? accs[ai]
                                      : (int64_t)(zkr_tap_rand(t) % ((uint64_t)1 << 32)) - ((int64_t)1 << 31) + 1;
                    int64_t m = mi < sizeof ms / sizeof ms[0]
                                    ? ms[mi]
                                    : (int64_t)(zkr_tap_rand(t) % ((uint64_t)1 << 31));
                    req h = req_honest(acc, m, s, lo);
                    /* Perturbations of one slot within its range (edges and the honest value). */
                    int64_t pert[V_N][6] = {
                        {acc, acc + 1, acc - 1, -2147483647, 2147483647, 0},
                        {m, m + 1, 0, 1, 2147483647, m ? m - 1 : 2},
                        {h.y, lo, 127, h.y < 127 ? h.y + 1 : lo, 0, -1},
                        {h.hi, 1 - h.hi, 0, 1, 0, 1},
                        {h.lof, 1 - h.lof, 0, 1, 0, 1},
                        {h.g, h.g + 1, 0, gmax, gmax ? gmax - 1 : 0, 1},
                        {h.r, 0, rmax, h.r < rmax ? h.r + 1 : 0, (int64_t)1 << (s - 1), 1},
                    };
                    for (unsigned pv = 0; pv < V_N; pv++)
                        for (int pi = 0; pi < 6; pi++)
                            for (unsigned tv = 0; tv < V_N; tv++) {
                                req x = h;
                                if (tv == pv)
                                    continue;
                                *req_slot(&x, pv) = pert[pv][pi];
                                if (!req_in_range(&x, s, lo))
                                    continue; /* the perturbation itself must be in range */
                                if (!req_solve(&x, s, tv))
                                    continue;
                                ty->checks++;
                                if (!req_in_range(&x, s, lo))
                                    continue;
                                ty->in_range++;
                                if (!req_int(&x, s)) {
                                    if (ty->hits++ < 5)
                                        zkr_tap_diag("HIT s=%u lo=%lld: acc=%lld M=%lld y=%lld hi=%lld "
                                                     "lo=%lld g=%lld r=%lld (solved slot %u)",
                                                     s, (long long)lo, (long long)x.acc,
                                                     (long long)x.m, (long long)x.y,
                                                     (long long)x.hi, (long long)x.lof,
                                                     (long long)x.g, (long long)x.r, tv);
                                }
                            }
                }
        }
}

/*
 * Slot relations of inference@1, a = c b + k with every slot a byte:
 * YC = (127 - lo) - Y (c = -1) and the scaled top limbs rtc = c_r r_top,
 * gtc = c_g g_top (c a power of two up to 128). Solve either side.
 */
static void search_slots(tally *ty)
{
    static const int64_t cs[][2] = {{-1, 127}, {-1, 255}, {1, 0}, {2, 0}, {16, 0}, {64, 0}, {128, 0}};

    for (size_t ci = 0; ci < sizeof cs / sizeof cs[0]; ci++) {
        int64_t c = cs[ci][0], k = cs[ci][1];
        zkr_gl cinv = zkr_gl_inv(F(c));
        for (int64_t b = 0; b < 256; b++)
            for (int64_t a = 0; a < 256; a += 1) {
                /* solve a from b */
                zkr_gl sa = zkr_gl_add(zkr_gl_mul(F(c), F(b)), F(k));
                int64_t av = lift(sa);
                ty->checks++;
                if (av >= 0 && av < 256) {
                    ty->in_range++;
                    ty->hits += av != c * b + k;
                }
                /* solve b from a */
                {
                    int64_t bv = lift(zkr_gl_mul(zkr_gl_sub(F(a), F(k)), cinv));
                    ty->checks++;
                    if (bv >= 0 && bv < 256) {
                        ty->in_range++;
                        ty->hits += a != c * bv + k;
                    }
                }
            }
    }
}

/*
 * matmul@1 rows y = sum_j W_j x_j (k = 1..3): W within the registered
 * bound B, x and y within +-(p-1)/2, and the verifier's statement check
 * (B sum |x| + |y| < p). Solve y, one x_j or one W_j over the field.
 */
static void search_matmul(zkr_tap *t, tally *ty)
{
    const int64_t half = (int64_t)((ZKR_GL_P - 1) / 2);
    static const uint64_t bounds[] = {1, 2, 127, 65536, (uint64_t)1 << 31, (uint64_t)1 << 40};
    const int64_t xs[] = {0, 1, -1, 2, 255, -128, (int64_t)1 << 31, (int64_t)1 << 47,
                          ((int64_t)1 << 48) - 1, (int64_t)1 << 62, half, -half, half - 1};

    for (size_t bi = 0; bi < sizeof bounds / sizeof bounds[0]; bi++)
        for (uint32_t k = 1; k <= 3; k++)
            for (int trial = 0; trial < 400; trial++) {
                int64_t w[3], x[3];
                uint64_t B = bounds[bi];
                zkr_matmul_public pub;
                for (uint32_t j = 0; j < k; j++) {
                    uint64_t r = zkr_tap_rand(t);
                    w[j] = (int64_t)(r % (2 * B + 1)) - (int64_t)B;
                    if (r % 7 == 0)
                        w[j] = (r & 8) ? (int64_t)B : -(int64_t)B;
                    x[j] = (r >> 8) % 3 == 0 ? xs[(r >> 16) % (sizeof xs / sizeof xs[0])]
                                              : lift(zkr_tap_rand(t) % ZKR_GL_P) >> ((r >> 24) % 64);
                }
                for (unsigned target = 0; target <= 2 * k; target++) {
                    int64_t W[3], X[3], Y;
                    zkr_gl acc = 0;
                    i128 exact = 0;
                    memcpy(W, w, sizeof W);
                    memcpy(X, x, sizeof X);
                    if (target == 0) { /* y from W, x */
                        for (uint32_t j = 0; j < k; j++)
                            acc = zkr_gl_add(acc, zkr_gl_mul(F(W[j]), F(X[j])));
                        Y = lift(acc);
                    } else {
                        unsigned j0 = (target - 1) % k;
                        int solve_w = target > k;
                        zkr_gl rest = 0, coef;
                        Y = lift(zkr_tap_rand(t) % ZKR_GL_P) >> (zkr_tap_rand(t) % 64);
                        for (uint32_t j = 0; j < k; j++)
                            if (j != j0)
                                rest = zkr_gl_add(rest, zkr_gl_mul(F(W[j]), F(X[j])));
                        coef = solve_w ? F(X[j0]) : F(W[j0]);
                        if (coef == 0)
                            continue;
                        if (solve_w)
                            W[j0] = lift(zkr_gl_mul(zkr_gl_sub(F(Y), rest), zkr_gl_inv(coef)));
                        else
                            X[j0] = lift(zkr_gl_mul(zkr_gl_sub(F(Y), rest), zkr_gl_inv(coef)));
                    }
                    ty->checks++;
                    {
                        int in = 1;
                        for (uint32_t j = 0; j < k; j++)
                            in &= (uint64_t)(W[j] < 0 ? -(i128)W[j] : W[j]) <= B;
                        memset(&pub, 0, sizeof pub);
                        pub.m = 1, pub.k = k, pub.b = 1, pub.x = X, pub.y = &Y, pub.w_max_abs = B;
                        if (!in || zkr_matmul_check_integer(&pub, NULL) != ZKR_OK)
                            continue;
                    }
                    ty->in_range++;
                    for (uint32_t j = 0; j < k; j++)
                        exact += (i128)W[j] * X[j];
                    if (exact != Y && ty->hits++ < 5)
                        zkr_tap_diag("HIT matmul k=%u B=%llu W0=%lld X0=%lld Y=%lld", k,
                                     (unsigned long long)B, (long long)W[0], (long long)X[0],
                                     (long long)Y);
                }
            }
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p;
    tally a = {0, 0, 0}, b = {0, 0, 0}, c = {0, 0, 0};

    zkr_tap_init(&t, argc, argv);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 1;
    test_matmul_attacks(&t, &p);
    search_requant(&t, &a);
    zkr_tap_ok(&t, a.hits == 0 && a.in_range > 1000, "search, inference@1 requantization: "
               "%lu field solutions, %lu in range, %lu false over the integers", a.checks,
               a.in_range, a.hits);
    search_slots(&b);
    zkr_tap_ok(&t, b.hits == 0 && b.in_range > 1000, "search, inference@1 slot relations (YC, scaled "
               "top limbs): %lu field solutions, %lu in range, %lu false over the integers",
               b.checks, b.in_range, b.hits);
    search_matmul(&t, &c);
    zkr_tap_ok(&t, c.hits == 0 && c.in_range > 1000, "search, matmul@1 rows (k = 1..3, W bounds 1 "
               "to 2^40): %lu field solutions, %lu pass the statement checks, %lu false over the "
               "integers", c.checks, c.in_range, c.hits);
    return zkr_tap_done(&t);
}
