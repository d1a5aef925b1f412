/*
 * training-step@1 soundness, systematic search. Every linear relation the
 * verifier checks (docs/soundness.md, training-step@1) is written as
 * sum_i c_i x_i + c_0 = 0 with each x_i in the integer domain its range
 * check proves. For base assignments taken from honest steps of small
 * shapes (every entry) and from random points of the domains, with one
 * other variable moved to a boundary or a random value of its domain, the
 * search solves each variable in turn over the field and asks whether the
 * solution has a representative inside that variable's domain while the
 * integer relation fails. Any such hit is a forgery of that relation and
 * fails the test. A control runs the same search on the relation the old
 * verifier used (ru recovered as slot * 2^-(16-S)) at the instance
 * and must find the forgery there.
 */
#include <string.h>

#include "harness.h"

#define MAXV 8

typedef struct {
    const char *name;
    int64_t lo, hi; /* the proven integer domain, inclusive */
} dom;

typedef struct {
    const char *name;
    unsigned n;
    dom d[MAXV];
    zkr_gl cf[MAXV]; /* coefficients as field elements */
    __int128 ci[MAXV]; /* the same as integers (the old relation's has no integer form) */
    __int128 c0;
    int has_int; /* ci is the coefficient vector of the integer relation */
} rel;

typedef struct {
    uint64_t trials, in_range, hits;
} tally;

#define P128 ((__int128)ZKR_GL_P)
#define POW(e) ((int64_t)1 << (e))

static zkr_gl f128(__int128 v)
{
    __int128 m = v % P128;
    return (zkr_gl)(m < 0 ? m + P128 : m);
}

static void set(rel *r, unsigned i, const char *name, int64_t lo, int64_t hi, __int128 c)
{
    r->d[i] = (dom){name, lo, hi};
    r->ci[i] = c;
    r->cf[i] = f128(c);
    if (i + 1 > r->n)
        r->n = i + 1;
}

/* Solves variable t of r over the field with the others at x; checks the domain and the integers. */
static void solve(const rel *r, unsigned t, const int64_t *x, tally *ty, zkr_tap *tp)
{
    zkr_gl acc = f128(r->c0), sol;
    __int128 cand, sum = r->c0;
    int64_t y[MAXV];

    for (unsigned i = 0; i < r->n; i++)
        if (i != t)
            acc = zkr_gl_add(acc, zkr_gl_mul(r->cf[i], zkr_gl_from_i64(x[i])));
    if (r->cf[t] == 0)
        return;
    sol = zkr_gl_mul(zkr_gl_neg(acc), zkr_gl_inv(r->cf[t]));
    ty->trials++;
    cand = sol;
    if (cand > r->d[t].hi)
        cand -= P128;
    if (cand < r->d[t].lo || cand > r->d[t].hi)
        return;
    ty->in_range++;
    memcpy(y, x, sizeof y);
    y[t] = (int64_t)cand;
    if (!r->has_int) {
        ty->hits++;
        return;
    }
    for (unsigned i = 0; i < r->n; i++)
        sum += r->ci[i] * y[i];
    if (sum != 0) {
        ty->hits++;
        if (ty->hits <= 3)
            zkr_tap_diag("HIT %s: %s = %lld", r->name, r->d[t].name, (long long)y[t]);
    }
    (void)tp;
}

static int64_t pick(zkr_tap *t, const dom *d, unsigned k)
{
    uint64_t w = (uint64_t)(d->hi - d->lo) + 1;

    switch (k) {
    case 0: return d->lo;
    case 1: return d->lo + (d->hi > d->lo);
    case 2: return d->hi;
    case 3: return d->hi - (d->hi > d->lo);
    case 4: return d->lo + (int64_t)(w / 2);
    default: return d->lo + (int64_t)(zkr_tap_rand(t) % (w ? w : 1));
    }
}

/* From base x: every target, every other variable at 8 values of its domain. */
static void search_at(zkr_tap *tp, const rel *r, const int64_t *x, tally *ty)
{
    int64_t y[MAXV];

    for (unsigned t = 0; t < r->n; t++) {
        solve(r, t, x, ty, tp);
        for (unsigned o = 0; o < r->n; o++) {
            if (o == t)
                continue;
            for (unsigned k = 0; k < 8; k++) {
                memcpy(y, x, sizeof y);
                y[o] = pick(tp, &r->d[o], k);
                solve(r, t, y, ty, tp);
            }
        }
    }
}

static void search_random(zkr_tap *tp, const rel *r, unsigned n, tally *ty)
{
    int64_t x[MAXV] = {0};

    for (unsigned i = 0; i < n; i++) {
        for (unsigned v = 0; v < r->n; v++)
            x[v] = pick(tp, &r->d[v], 5 + (i % 3 == 0 ? v % 5 : 5));
        search_at(tp, r, x, ty);
    }
}

/* ------------------------------------------------------------------ */
/* The relations with the domains docs/soundness.md proves              */
/* ------------------------------------------------------------------ */

static const int64_t ZMAX = 4096 * ((POW(20) - 1) * (POW(16) - 1)) + (POW(20) - 1) * 256;
static const int64_t PMAX = 4096 * (POW(23) + POW(12)) * (POW(20) - 1);
static const int64_t GMAX = 64 * (POW(23) + POW(12)) * (POW(16) - 1);
#define T16 0, POW(16) - 1

/* z + 2^15 = (h - n_lo - 2^16 n_hi) 2^16 + r */
static rel r_forward(void)
{
    rel r = {"hidden forward", 0, {{0}}, {0}, {0}, POW(15), 1};
    set(&r, 0, "z", -ZMAX, ZMAX, 1);
    set(&r, 1, "h", T16, -POW(16));
    set(&r, 2, "n_lo", T16, POW(16));
    set(&r, 3, "n_hi", T16, POW(32));
    set(&r, 4, "r", T16, -1);
    return r;
}

/* p + 2^15 = (dq_lo + 2^16 dq_hi - 2^23) 2^16 + rb */
static rel r_backward(void)
{
    rel r = {"backward", 0, {{0}}, {0}, {0}, POW(15) + POW(39), 1};
    set(&r, 0, "p", -PMAX, PMAX, 1);
    set(&r, 1, "dq_lo", T16, -POW(16));
    set(&r, 2, "dq_hi", 0, 255, -POW(32));
    set(&r, 3, "rb", T16, -1);
    return r;
}

/* z + 2^11 = (o_lo + 2^16 o_hi - 2^23) 2^12 + r */
static rel r_output(void)
{
    rel r = {"output forward", 0, {{0}}, {0}, {0}, POW(11) + POW(35), 1};
    set(&r, 0, "z", -ZMAX, ZMAX, 1);
    set(&r, 1, "o_lo", T16, -POW(12));
    set(&r, 2, "o_hi", 0, 255, -POW(28));
    set(&r, 3, "r", 0, POW(12) - 1, -1);
    return r;
}

/* lr g + 2^(S-1) = 2^S (W - (w_lo + 2^16 w_hi - 2^20)) + ru */
static rel r_update(uint32_t lr, unsigned S)
{
    rel r = {"update", 0, {{0}}, {0}, {0}, POW(S - 1) - POW(S + 20), 1};
    set(&r, 0, "g", -GMAX, GMAX, lr);
    set(&r, 1, "W", -(POW(20) - 1), POW(20) - 1, -POW(S));
    set(&r, 2, "w_lo", T16, POW(S));
    set(&r, 3, "w_hi", 0, 31, (__int128)POW(S) << 16);
    set(&r, 4, "ru", 0, POW(S) - 1, -1);
    return r;
}

/* copy = 2^e v, both only known to be in the 16-bit table */
static rel r_copy(const char *name, unsigned e)
{
    rel r = {name, 0, {{0}}, {0}, {0}, 0, 1};
    set(&r, 0, "v", T16, POW(e));
    set(&r, 1, "copy", T16, -1);
    return r;
}

/* h - m = hm (m in {0, 1} by the zero-check) */
static rel r_hm(void)
{
    rel r = {"h - m", 0, {{0}}, {0}, {0}, 0, 1};
    set(&r, 0, "h", T16, 1);
    set(&r, 1, "m", 0, 1, -1);
    set(&r, 2, "hm", T16, -1);
    return r;
}

/* delta = dq m with m = 1: dl_lo + 2^16 dl_hi = dq_lo + 2^16 dq_hi */
static rel r_delta(void)
{
    rel r = {"delta = dq (m = 1)", 0, {{0}}, {0}, {0}, 0, 1};
    set(&r, 0, "dl_lo", T16, 1);
    set(&r, 1, "dl_hi", 0, 255, POW(16));
    set(&r, 2, "dq_lo", T16, -1);
    set(&r, 3, "dq_hi", 0, 255, -POW(16));
    return r;
}

/* W' = w_lo + 2^16 w_hi - 2^20 (the child's committed weight vs its limbs) */
static rel r_child(void)
{
    rel r = {"child limbs", 0, {{0}}, {0}, {0}, -POW(20), 1};
    set(&r, 0, "W'", -(POW(20) - 1), POW(20) - 1, -1);
    set(&r, 1, "w_lo", T16, 1);
    set(&r, 2, "w_hi", 0, 31, POW(16));
    return r;
}

static void report(zkr_tap *t, const rel *r, const tally *ty, const char *what)
{
    zkr_tap_ok(t, ty->hits == 0,
               "search %s (%s): %llu field solutions, %llu in the domain, %llu integer failures",
               r->name, what, (unsigned long long)ty->trials, (unsigned long long)ty->in_range,
               (unsigned long long)ty->hits);
}

/* ------------------------------------------------------------------ */
/* Bases from honest steps of small shapes                              */
/* ------------------------------------------------------------------ */

static void records(uint8_t (*r)[HX_MAX_IN + 1], uint32_t n, uint32_t in, uint32_t nout, uint64_t x)
{
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t k = 0; k <= in; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            r[i][k] = (uint8_t)x;
        }
        r[i][in] = (uint8_t)(r[i][in] % nout);
    }
}

static void search_shape(zkr_tap *t, const uint32_t *dims, uint32_t L, uint32_t batch,
                         uint32_t lr, uint32_t S)
{
    uint8_t rc[16][HX_MAX_IN + 1];
    uint64_t idx[16];
    hx_fixture f;
    rel rf = r_forward(), rb = r_backward(), ro = r_output(), ru = r_update(lr, S);
    rel rhm = r_hm(), rdl = r_delta(), rch = r_child();
    tally tf = {0}, tb = {0}, to = {0}, tu = {0}, th = {0}, td = {0}, tc = {0};
    char what[96];

    records(rc, 16, dims[0], dims[L], 0x9e3779b97f4a7c15ULL ^ lr);
    for (uint32_t i = 0; i < batch; i++)
        idx[i] = (5 * i + 1) % 16;
    if (!zkr_tap_ok(t, hx_setup(&f, dims, L, NULL, (uint8_t)S, (const uint8_t(*)[HX_MAX_IN + 1])rc,
                                16, idx, batch, lr, S) && f.defined,
                    "shape %u layers, batch %u, lr %u, S %u: an honest step", L, batch, lr, S))
        return;
    for (uint32_t l = 0; l < L; l++) {
        uint32_t in = dims[l], out = dims[l + 1];
        for (uint32_t b = 0; b < batch; b++)
            for (uint32_t j = 0; j < out; j++) {
                size_t e = (size_t)b * out + j;
                if (l + 1 < L) {
                    int64_t n = f.tr.n[l][e], h = f.tr.h[l][e], dq = f.tr.dq[l][e] + POW(23);
                    int64_t dl = f.tr.delta[l][e] + POW(23);
                    int64_t xf[MAXV] = {f.tr.z[l][e], h, n & 0xffff, n >> 16, f.tr.r[l][e]};
                    int64_t xb[MAXV] = {f.tr.p[l][e], dq & 0xffff, dq >> 16, f.tr.rb[l][e]};
                    int64_t xh[MAXV] = {h, f.tr.m[l][e], h - f.tr.m[l][e]};
                    int64_t xd[MAXV] = {dl & 0xffff, dl >> 16, dq & 0xffff, dq >> 16};
                    search_at(t, &rf, xf, &tf);
                    search_at(t, &rb, xb, &tb);
                    search_at(t, &rhm, xh, &th);
                    if (f.tr.m[l][e])
                        search_at(t, &rdl, xd, &td);
                } else {
                    int64_t o = f.tr.q[l][e] + POW(23);
                    int64_t xo[MAXV] = {f.tr.z[l][e], o & 0xffff, o >> 16, f.tr.r[l][e]};
                    search_at(t, &ro, xo, &to);
                }
            }
        for (uint32_t j = 0; j < out; j++)
            for (uint32_t k = 0; k <= in; k++) {
                size_t i = (size_t)j * (in + 1) + k;
                int64_t wc = f.w[l][i] - f.tr.u[l][i] + POW(20);
                int64_t xu[MAXV] = {f.tr.g[l][i], f.w[l][i], wc & 0xffff, wc >> 16, f.tr.ru[l][i]};
                int64_t xc[MAXV] = {wc - POW(20), wc & 0xffff, wc >> 16};
                search_at(t, &ru, xu, &tu);
                search_at(t, &rch, xc, &tc);
            }
    }
    snprintf(what, sizeof what, "%u layers, batch %u, lr %u, S %u", L, batch, lr, S);
    report(t, &rf, &tf, what);
    report(t, &rb, &tb, what);
    report(t, &ro, &to, what);
    report(t, &ru, &tu, what);
    report(t, &rhm, &th, what);
    report(t, &rdl, &td, what);
    report(t, &rch, &tc, what);
    hx_free(&f);
}

static void search_domains(zkr_tap *t)
{
    static const uint32_t lrs[] = {1, 200, 65535}, Ss[] = {1, 8, 12, 16};
    rel rs[] = {r_forward(), r_backward(), r_output(), r_hm(), r_delta(), r_child(),
                r_copy("ru copy (S = 1)", 15), r_copy("ru copy (S = 12)", 4),
                r_copy("8-bit top limb copy", 8), r_copy("5-bit top limb copy", 11),
                r_copy("output remainder copy", 4)};

    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++) {
        tally ty = {0};
        search_random(t, &rs[i], 400, &ty);
        report(t, &rs[i], &ty, "random points of the domains");
    }
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 4; b++) {
            rel r = r_update(lrs[a], Ss[b]);
            tally ty = {0};
            char what[64];
            search_random(t, &r, 300, &ty);
            snprintf(what, sizeof what, "random points, lr %u, S %u", lrs[a], Ss[b]);
            report(t, &r, &ty, what);
        }
}

/*
 * Control: the old update relation, lr g + 2^(S-1) = 2^S D + slot 2^-(16-S)
 * with slot in the table, at the instance (g of its four entries,
 * D = W - W' = 0): the search must find an in-range slot there.
 */
static void control_old_update(zkr_tap *t)
{
    static const int64_t g[] = {(int64_t)4194368 * 64 * 32, 4194368 * (int64_t)64 * 256,
                                524296 * (int64_t)64 * 4096, 524296 * (int64_t)64 * 256};
    rel r = {"old update (slot 2^-(16-S))", 0, {{0}}, {0}, {0}, 1, 0};
    tally ty = {0};

    set(&r, 0, "g", -GMAX, GMAX, 65535);
    set(&r, 1, "D", -(POW(21) - 2), POW(21) - 2, -2);
    set(&r, 2, "slot", T16, 0);
    r.cf[2] = zkr_gl_neg(zkr_gl_inv(hx_pow2(15)));
    for (unsigned i = 0; i < 4; i++) {
        int64_t x[MAXV] = {g[i], 0, 0};
        solve(&r, 2, x, &ty, t);
    }
    zkr_tap_ok(t, ty.hits == 4, "control: the old update relation has an in-range forgery at each "
               "of the issue's 4 entries (%llu found)", (unsigned long long)ty.hits);
}

int main(int argc, char **argv)
{
    static const uint32_t d1[] = {3, 4, 2}, d2[] = {5, 4, 4, 3}, d3[] = {2, 2, 2, 2, 2};
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    control_old_update(&t);
    search_shape(&t, d1, 2, 2, 200, 12);
    search_shape(&t, d1, 2, 3, 65535, 16);
    search_shape(&t, d2, 3, 3, 5, 14);
    search_shape(&t, d3, 4, 4, 1, 16);
    search_domains(&t);
    return zkr_tap_done(&t);
}
