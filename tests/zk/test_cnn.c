/*
 * CNN relations (docs/proof-system.md, "CNN relations"): convolution
 * (groups 1 and depthwise, stride, padding, dilation) through the im2col
 * view, max and average pooling, lookup activations, residual ADD and the
 * combination of two claims on one tensor. Each honest instance verifies
 * and its claims hold; the witness builders agree with a direct
 * computation of docs/quantization.md 7.1; every bit flip and truncation
 * of a proof is refused; proofs are deterministic.
 */
#include "tests/tap.h"
#include "tests/zk/cnn_rel.h"

static void rnd_i8(zkr_tap *t, int8_t *x, size_t n, int lo, int hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (int8_t)(lo + (int)(zkr_tap_rand(t) % (uint64_t)(hi - lo + 1)));
}

static int64_t gl_to_i64(zkr_gl v)
{
    return v > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - v) : (int64_t)v;
}

/* Honest proof verifies, claims agree on both sides, bit flips and truncations are refused. */
static void check_rel(zkr_tap *t, rel *r, const char *name)
{
    zkr_buf pf = {0}, pf2 = {0};
    zkr_cnn_claims pc, vc, pc2;
    zkr_diag d = {0};
    zkr_err e = rel_prove(r, &pf, &pc);
    int flips_ok = 1, same;

    zkr_tap_ok(t, e == ZKR_OK, "%s: prover succeeds (%d)", name, (int)e);
    if (e != ZKR_OK)
        goto out;
    e = rel_verify_raw(r, pf.p, pf.len, &vc, &d);
    same = e == ZKR_OK && vc.n == pc.n && memcmp(&vc, &pc, sizeof vc) == 0;
    zkr_tap_ok(t, e == ZKR_OK && rel_discharge(r, &vc), "%s: verifies, %zu claims hold (%zu bytes)",
               name, vc.n, pf.len);
    zkr_tap_ok(t, same, "%s: prover and verifier derive the same claims", name);
    for (unsigned k = 0; k < 24; k++) {
        size_t pos = (size_t)(zkr_tap_rand(t) % pf.len);
        uint8_t bit = (uint8_t)(1u << (zkr_tap_rand(t) % 8));
        pf.p[pos] ^= bit;
        if (rel_verify(r, pf.p, pf.len, &d) == ZKR_OK)
            flips_ok = 0;
        pf.p[pos] ^= bit;
    }
    zkr_tap_ok(t, flips_ok, "%s: 24 single bit flips are refused", name);
    zkr_tap_ok(t, rel_verify(r, pf.p, pf.len - 1, &d) != ZKR_OK &&
                      rel_verify(r, pf.p, pf.len / 2, &d) == ZKR_ERR_MALFORMED,
               "%s: truncated proofs are refused", name);
    {
        uint8_t *ext = malloc(pf.len + 1);
        memcpy(ext, pf.p, pf.len);
        ext[pf.len] = 0;
        zkr_tap_ok(t, rel_verify(r, ext, pf.len + 1, &d) == ZKR_ERR_MALFORMED,
                   "%s: a trailing byte is refused", name);
        free(ext);
    }
    e = rel_prove(r, &pf2, &pc2);
    zkr_tap_ok(t, e == ZKR_OK && pf2.len == pf.len && memcmp(pf.p, pf2.p, pf.len) == 0,
               "%s: deterministic proof bytes", name);
out:
    zkr_buf_free(&pf);
    zkr_buf_free(&pf2);
}

static void test_conv(zkr_tap *t)
{
    static const struct {
        uint32_t c, h, w, cout, k, s, dil, pad;
        int dw;
        const char *name;
    } cs[] = {
        {3, 9, 9, 4, 3, 2, 1, 1, 0, "conv 3x9x9 -> 4, 3x3, stride 2, pad 1"},
        {2, 8, 7, 3, 3, 1, 2, 2, 0, "conv 2x8x7 -> 3, 3x3, dilation 2, pad 2"},
        {1, 12, 12, 6, 5, 1, 1, 2, 0, "conv 1x12x12 -> 6, 5x5, pad 2 (LeNet's first)"},
        {4, 6, 6, 4, 3, 1, 1, 1, 1, "depthwise 4x6x6, 3x3, pad 1"},
        {3, 7, 5, 3, 2, 2, 2, 1, 1, "depthwise 3x7x5, 2x2, stride 2, dilation 2, pad 1"},
        {3, 6, 6, 6, 3, 1, 1, 1, 1, "depthwise 3x6x6 -> 6 (multiplier 2), 3x3, pad 1"},
        {5, 7, 7, 15, 3, 2, 1, 1, 1, "depthwise 5x7x7 -> 15 (multiplier 3), 3x3, stride 2, pad 1"},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        rel r;
        size_t nx = (size_t)cs[i].c * cs[i].h * cs[i].w;
        size_t nw = (size_t)cs[i].cout * (cs[i].dw ? 1 : cs[i].c) * cs[i].k * cs[i].k;
        int8_t *x = malloc(nx);
        int64_t *w = malloc(nw * sizeof *w);
        for (size_t j = 0; j < nw; j++)
            w[j] = (int64_t)(zkr_tap_rand(t) % 255) - 127;
        zkr_err e;
        rnd_i8(t, x, nx, -128, 127);
        e = rel_conv(&r, x, w, cs[i].c, cs[i].h, cs[i].w, cs[i].cout, cs[i].k, cs[i].s, cs[i].dil,
                     cs[i].pad, cs[i].dw);
        zkr_tap_ok(t, e == ZKR_OK, "%s: shape accepted (%ux%u out)", cs[i].name, r.g.oh, r.g.ow);
        check_rel(t, &r, cs[i].name);
        if (i == 0) {
            /* A false output claim: y + 1 at one position. */
            zkr_buf pf = {0};
            zkr_cnn_claims cl;
            zkr_diag d = {0};
            if (rel_prove(&r, &pf, &cl) == ZKR_OK) {
                r.yconv[0] = zkr_gl_add(r.yconv[0], 1);
                zkr_tap_ok(t, rel_verify(&r, pf.p, pf.len, &d) == ZKR_ERR_VERIFY,
                           "conv: a claimed output off by one is refused");
                r.yconv[0] = zkr_gl_sub(r.yconv[0], 1);
                /* Weights other than the committed ones: the W claim fails. */
                r.tabs[ZKR_CNN_POLY_W][1] = zkr_gl_add(r.tabs[ZKR_CNN_POLY_W][1], 1);
                zkr_tap_ok(t, rel_verify(&r, pf.p, pf.len, &d) != ZKR_OK,
                           "conv: the proof does not hold for other weights");
            }
            zkr_buf_free(&pf);
        }
        rel_free(&r);
        free(x);
        free(w);
    }
}

static void test_pool(zkr_tap *t)
{
    static const struct {
        int kind;
        uint32_t c, h, w, kh, kw, s, pad;
        const char *name;
    } cs[] = {
        {REL_MAXPOOL, 3, 8, 8, 2, 2, 2, 0, "maxpool 3x8x8, 2x2 stride 2"},
        {REL_MAXPOOL, 2, 7, 7, 3, 3, 2, 1, "maxpool 2x7x7, 3x3 stride 2 pad 1"},
        {REL_AVGPOOL, 3, 8, 8, 2, 2, 2, 0, "avgpool 3x8x8, 2x2 stride 2"},
        {REL_AVGPOOL, 2, 7, 7, 3, 3, 2, 1, "avgpool 2x7x7, 3x3 stride 2 pad 1"},
        {REL_AVGPOOL, 3, 5, 5, 5, 5, 1, 0, "global avgpool 3x5x5 (k 25)"},
        {REL_AVGPOOL, 1, 20, 20, 20, 20, 1, 0, "global avgpool 1x20x20 (k 400: two limbs)"},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        rel r;
        const uint32_t pads[4] = {cs[i].pad, cs[i].pad, cs[i].pad, cs[i].pad};
        size_t nx = (size_t)cs[i].c * cs[i].h * cs[i].w;
        int8_t *x = malloc(nx);
        int ok = 1;
        rnd_i8(t, x, nx, -128, 127);
        zkr_tap_ok(t, rel_pool(&r, cs[i].kind, x, cs[i].c, cs[i].h, cs[i].w, cs[i].kh, cs[i].kw,
                               cs[i].s, pads) == ZKR_OK,
                   "%s: witness built", cs[i].name);
        /* The witness's output is docs/quantization.md 7.1's. */
        for (uint32_t c = 0; c < cs[i].c; c++)
            for (uint32_t oy = 0; oy < r.g.oh; oy++)
                for (uint32_t ox = 0; ox < r.g.ow; ox++) {
                    int64_t best = -128, sum = 0, k = (int64_t)cs[i].kh * cs[i].kw, want;
                    for (uint32_t a = 0; a < cs[i].kh; a++)
                        for (uint32_t b = 0; b < cs[i].kw; b++) {
                            int64_t yy = (int64_t)oy * cs[i].s - cs[i].pad + a;
                            int64_t xx = (int64_t)ox * cs[i].s - cs[i].pad + b;
                            int64_t v = (yy < 0 || xx < 0 || yy >= cs[i].h || xx >= cs[i].w)
                                            ? (cs[i].kind == REL_MAXPOOL ? -128 : 0)
                                            : x[((size_t)c * cs[i].h + yy) * cs[i].w + xx];
                            best = v > best ? v : best;
                            sum += v;
                        }
                    sum += k / 2;
                    want = cs[i].kind == REL_MAXPOOL
                               ? best
                               : (sum >= 0 ? sum / k : -((-sum + k - 1) / k));
                    ok &= gl_to_i64(r.tabs[ZKR_CNN_POLY_Y][((size_t)c << (r.g.loh + r.g.low)) |
                                                           ((size_t)oy << r.g.low) | ox]) == want;
                }
        zkr_tap_ok(t, ok, "%s: output as specified", cs[i].name);
        check_rel(t, &r, cs[i].name);
        rel_free(&r);
        free(x);
    }
}

static void test_lut(zkr_tap *t)
{
    int8_t tab[256], x[3 * 5 * 7];
    rel r;

    /* A sigmoid-like table with T[0] != 0, so the padding's pair matters. */
    for (int i = 0; i < 256; i++) {
        int v = (i - 128) / 3 + 40;
        tab[i] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
    }
    rnd_i8(t, x, sizeof x, -128, 127);
    x[0] = -128;
    x[1] = 127;
    zkr_tap_ok(t, rel_lut(&r, x, 3, 5, 7, tab) == ZKR_OK, "lookup 3x5x7: instance built");
    check_rel(t, &r, "lookup 3x5x7");
    rel_free(&r);
}

static void test_add(zkr_tap *t)
{
    static const struct {
        int64_t ma, mb;
        uint32_t s;
        int relu;
        const char *name;
    } cs[] = {
        {3, 5, 3, 0, "add Ma 3 Mb 5 s 3 (clamps both ways)"},
        {1 << 20, 3 << 19, 21, 1, "add s 21, ReLU"},
        {(1u << 31) - 1, 1u << 30, 42, 0, "add Ma 2^31-1, s 42 (six r limbs)"},
        {7, 9, 1, 0, "add s 1 (six g limbs)"},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        int8_t a[37], b[37], y[37];
        rel r;
        int ok = 1;
        rnd_i8(t, a, sizeof a, -128, 127);
        rnd_i8(t, b, sizeof b, -128, 127);
        a[0] = b[0] = 127;
        a[1] = b[1] = -128;
        zkr_tap_ok(t, rel_add(&r, a, b, sizeof a, cs[i].ma, cs[i].mb, cs[i].s, cs[i].relu, y) ==
                          ZKR_OK,
                   "%s: witness built", cs[i].name);
        for (size_t j = 0; j < sizeof a; j++) {
            int64_t tt = a[j] * cs[i].ma + b[j] * cs[i].mb + ((int64_t)1 << (cs[i].s - 1));
            int64_t q = tt >> cs[i].s, lo = cs[i].relu ? 0 : -128;
            ok &= y[j] == (q > 127 ? 127 : q < lo ? lo : q);
        }
        zkr_tap_ok(t, ok, "%s: output as specified", cs[i].name);
        check_rel(t, &r, cs[i].name);
        rel_free(&r);
    }
    {
        zkr_cnn_add ad;
        zkr_tap_ok(t, zkr_cnn_add_init(&ad, 1, 1, 49, 0) == ZKR_ERR_MALFORMED &&
                          zkr_cnn_add_init(&ad, -1, 1, 8, 0) == ZKR_ERR_MALFORMED &&
                          zkr_cnn_add_init(&ad, (int64_t)1 << 31, 1, 8, 0) == ZKR_ERR_MALFORMED,
                   "add: shift 49, a negative or 2^31 multiplier refused");
    }
}

/* Per-channel requantization of CONV / DENSE accumulators (|acc| < 2^31, M < 2^31). */
static void test_requant(zkr_tap *t)
{
    static const uint32_t shifts[3] = {1, 24, 48};
    for (unsigned k = 0; k < 3; k++) {
        int64_t acc[21], m[21];
        int8_t y[21];
        rel r;
        int ok = 1;
        char name[64];
        for (unsigned i = 0; i < 21; i++) {
            acc[i] = (int64_t)(zkr_tap_rand(t) % ((uint64_t)1 << 32)) - ((int64_t)1 << 31) + 1;
            m[i] = (int64_t)(zkr_tap_rand(t) % ((uint64_t)1 << 31));
        }
        acc[0] = ((int64_t)1 << 31) - 1, m[0] = ((int64_t)1 << 31) - 1;
        acc[1] = -acc[0], m[1] = m[0];
        snprintf(name, sizeof name, "requant acc M, s %u", shifts[k]);
        zkr_tap_ok(t, rel_rq(&r, acc, m, 21, shifts[k], k == 1, y) == ZKR_OK, "%s: witness built",
                   name);
        for (unsigned i = 0; i < 21; i++) {
            int64_t q = (acc[i] * m[i] + ((int64_t)1 << (shifts[k] - 1))) >> shifts[k];
            int64_t lo = k == 1 ? 0 : -128;
            ok &= y[i] == (q > 127 ? 127 : q < lo ? lo : q);
        }
        zkr_tap_ok(t, ok, "%s: output as specified", name);
        check_rel(t, &r, name);
        rel_free(&r);
    }
}

/* Two claims on one tensor (a residual's input) become one. */
static void test_combine(zkr_tap *t)
{
    unsigned n = 7;
    zkr_gl x[128];
    zkr_cnn_claim cs[3], res, res2;
    zkr_transcript tp, tv;
    zkr_buf pf = {0};
    zkr_dec dec;
    zkr_diag d = {0};
    zkr_ext v;
    zkr_err e;

    for (size_t i = 0; i < 128; i++)
        x[i] = zkr_gl_from_i64((int64_t)(zkr_tap_rand(t) % 256) - 128);
    memset(cs, 0, sizeof cs);
    rel_seed(&tp);
    for (unsigned k = 0; k < 3; k++) {
        cs[k].poly = ZKR_CNN_POLY_X;
        cs[k].n = n;
        zkr_ts_challenge_exts(&tp, "test-pt", cs[k].pt, n);
        if (zkr_mle_eval_base(x, n, cs[k].pt, &cs[k].val) != ZKR_OK)
            abort();
    }
    tv = tp;
    e = zkr_prover_cnn_combine(&tp, x, n, cs, 3, 1, &pf, &res);
    zkr_dec_init(&dec, pf.p, pf.len);
    e = e == ZKR_OK ? zkr_verify_cnn_combine(&tv, n, cs, 3, &dec, &res2, &d) : e;
    zkr_tap_ok(t, e == ZKR_OK && zkr_dec_finish(&dec) == ZKR_OK &&
                      zkr_mle_eval_base(x, n, res2.pt, &v) == ZKR_OK && zkr_ext_eq(v, res2.val) &&
                      memcmp(&res, &res2, sizeof res) == 0,
               "combine: three claims on a tensor reduce to one that holds");
    /* One false claim among them: the combined sum is off. */
    cs[1].val = zkr_ext_add(cs[1].val, zkr_ext_from(1));
    rel_seed(&tv);
    for (unsigned k = 0; k < 3; k++) {
        zkr_ext tmp[ZKR_CNN_MAX_PT];
        zkr_ts_challenge_exts(&tv, "test-pt", tmp, n);
    }
    zkr_dec_init(&dec, pf.p, pf.len);
    e = zkr_verify_cnn_combine(&tv, n, cs, 3, &dec, &res2, &d);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "combine: a false claim on the shared tensor is refused");
    zkr_buf_free(&pf);
}

static void test_shapes(zkr_tap *t)
{
    zkr_cnn_win g;
    const uint32_t p0[4] = {0, 0, 0, 0}, p3[4] = {3, 3, 3, 3};

    zkr_tap_ok(t, zkr_cnn_win_init(&g, 1, 4, 4, 5, 5, 1, 1, 1, 1, p0) == ZKR_ERR_MALFORMED,
               "window: a kernel larger than the input refused");
    zkr_tap_ok(t, zkr_cnn_win_init(&g, 1, 8, 8, 3, 3, 1, 1, 1, 1, p3) == ZKR_ERR_MALFORMED,
               "window: padding as large as the kernel refused");
    zkr_tap_ok(t, zkr_cnn_win_init(&g, 1, 8, 8, 3, 3, 0, 1, 1, 1, p0) == ZKR_ERR_MALFORMED &&
                      zkr_cnn_win_init(&g, 0, 8, 8, 3, 3, 1, 1, 1, 1, p0) == ZKR_ERR_MALFORMED &&
                      zkr_cnn_win_init(&g, 1, 8, 8, 33, 3, 1, 1, 1, 1, p0) == ZKR_ERR_MALFORMED,
               "window: stride 0, no channels, a 33-wide kernel refused");
}

/* The relations' random-challenge error at the largest tables they take. */
static void test_error_bits(zkr_tap *t)
{
    unsigned v = ZKR_CNN_MAX_VARS;
    double mp = zkr_cnn_relation_error_bits(2 * v, 3, v + v, 2, v, 8);
    double lut = zkr_cnn_relation_error_bits(v, 2, 0, 0, v, ZKR_CNN_LUT_LOG);
    double add = zkr_cnn_relation_error_bits(2 * v, 3, v + 4, 4, v, 8);

    zkr_tap_ok(t, mp > 160 && lut > 160 && add > 160,
               "relation errors at 2^%u entries: maxpool %.1f, lookup %.1f, add %.1f bits "
               "(openings: 128.56)", v, mp, lut, add);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_shapes(&t);
    test_conv(&t);
    test_pool(&t);
    test_lut(&t);
    test_add(&t);
    test_requant(&t);
    test_combine(&t);
    test_error_bits(&t);
    return zkr_tap_done(&t);
}
