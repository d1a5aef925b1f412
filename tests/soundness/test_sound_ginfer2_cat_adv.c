/*
 * Adversary review (adv-dwcat) of graph-inference@2's CONCAT
 * (docs/soundness.md, "graph-inference@2", "CONCAT copy") on layouts
 * tests/zk/ginfer2_cat_fx.h does not reach, the tests' reduced set:
 *   K4: four inputs of 3, 1, 5, 2 channels (11 over 16), 3 x 5 (padded to
 *       4 x 8): a plain int8 tensor (in_off 0), a ReLU requantization's
 *       slot 0 of 4 at block 2 (in_off 0, values 0..127), block 5 of 8
 *       (in_off -128) and block 1 of 2 (in_off -128); every padded
 *       entry and every other block of an input's commitment holds
 *       unrelated bytes (a producer's witness leaves them free);
 *   SAME: one commitment read twice (both inputs one node, 2 + 2 channels);
 *   SLOTS: two 1 x 1 inputs (global poolings' outputs) with 10 and 4 slot
 *       variables (blocks 1 and 9), V with 8 slot variables.
 * Each cheating prover commits a V of bytes that is not the concatenation
 * and proves on the honest path; each is refused by its input's link and
 * accepted with the links off on both sides (ZKR_GINF2_OFF_LINK, teeth):
 *   "wrong offset": input 1's region written with in_off -128's
 *     formula (V = X instead of X + 128);
 *   "another block": input 2's region copied from block 4, not 5;
 *   "a padded channel": V's channel 3 (input 1's channel 0) holds X_0's
 *     padded channel 3;
 *   SAME "the second copy's channels reversed";
 *   SLOTS "another slot": input 0's region from slot 0, not block 1.
 * Not attacks: V's free region (channels 11..15, row 3, columns 5..7)
 * holding arbitrary bytes verifies, by design: only the readers' layout
 * keeps them unread; so the layout (zkr_ginf2_net_init) refuses a CONCAT
 * node declaring more channels than its inputs' sum (a conv would read
 * V's channel 5, free), which it accepted before adv-dwcat (the verifier
 * does not run zkr_ml_gprog_check), nor a LOOKUP declaring another shape
 * than its input's (its V is free off its input's real elements). An
 * honest proof checked against
 * another layout (input 1's in_off, input 2's block) is refused.
 */
#include "prover/ginfer2.h"
#include "tests/tap.h"
#include "verifier/ginfer2.h"
#include "zkr_config.h"

typedef struct {
    zkr_params p;
    zkr_ginf2_cat q;
    unsigned nx, xi[ZKR_GINF2_CAT_MAX_IN]; /* distinct X commitments; input j's */
    zkr_gl *xt[ZKR_GINF2_CAT_MAX_IN], *vt, *honest;
    zkr_hpcs_poly *xp[ZKR_GINF2_CAT_MAX_IN], *vp;
    zkr_hpcs_commitment xc[ZKR_GINF2_CAT_MAX_IN], vc;
    uint8_t sid[ZKR_DIGEST_BYTES];
} cata;

typedef struct {
    unsigned k;
    uint32_t c[ZKR_GINF2_CAT_MAX_IN], h, w;
    zkr_ginf2_cin in[ZKR_GINF2_CAT_MAX_IN];
    int same; /* every input reads commitment 0 */
} cata_shape;

static zkr_gl gl(int64_t v)
{
    return v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
}

static size_t nv(const cata *f)
{
    return (size_t)1 << zkr_ginf2_cat_v_vars(&f->q);
}

static void cata_free(cata *f)
{
    for (unsigned j = 0; j < ZKR_GINF2_CAT_MAX_IN; j++)
        zkr_hpcs_poly_free(f->xp[j]), free(f->xt[j]);
    zkr_hpcs_poly_free(f->vp);
    free(f->vt), free(f->honest);
}

/*
 * X_j's table: a plain tensor (isl 0, in_off 0) int8 everywhere; else at
 * its block's real positions entries whose value (entry + in_off) is int8
 * (0..127 when in_off is 0: a ReLU output), elsewhere unrelated bytes.
 */
static zkr_err cata_init(cata *f, const cata_shape *s, uint64_t seed)
{
    uint64_t st = seed * 0x9e3779b97f4a7c15ull + 11;
    const zkr_gl *xs[ZKR_GINF2_CAT_MAX_IN];
    zkr_err r;

    memset(f, 0, sizeof *f);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &f->p)) != ZKR_OK ||
        (r = zkr_ginf2_cat_init(&f->q, s->k, s->c, s->in, s->h, s->w)) != ZKR_OK)
        return r;
    f->p.pow_bits = 0, f->p.queries = 16, f->p.log_blowup = 1;
    f->nx = s->same ? 1 : s->k;
    for (unsigned j = 0; j < f->nx; j++) {
        const zkr_ginf2_cin *in = &s->in[j];
        unsigned lhw = f->q.lh + f->q.lw, nxv = f->q.lc[j] + lhw;
        size_t n = (size_t)1 << zkr_ginf2_cat_x_vars(&f->q, j);
        if (!(f->xt[j] = calloc(n, sizeof *f->xt[j])))
            return ZKR_ERR_NOMEM;
        for (size_t i = 0; i < n; i++) {
            size_t c = (i >> lhw) & (((size_t)1 << f->q.lc[j]) - 1);
            size_t y = (i >> f->q.lw) & (((size_t)1 << f->q.lh) - 1);
            size_t x = i & (((size_t)1 << f->q.lw) - 1);
            int real = (i >> nxv) == in->block && c < s->c[j] && y < s->h && x < s->w;
            int64_t v;
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            v = (int64_t)((st >> 40) & 255u); /* a byte */
            if (in->in_off == 0 && in->isl == 0)
                v -= 128; /* a plain int8 tensor (padding too) */
            else if (real && in->in_off == 0)
                v &= 127; /* a ReLU output */
            f->xt[j][i] = gl(v);
        }
    }
    for (unsigned j = 0; j < s->k; j++) {
        f->xi[j] = s->same ? 0 : j;
        xs[j] = f->xt[f->xi[j]];
    }
    f->vt = calloc(nv(f), sizeof *f->vt), f->honest = calloc(nv(f), sizeof *f->honest);
    if (!f->vt || !f->honest)
        return ZKR_ERR_NOMEM;
    zkr_ginf2_cat_witness(&f->q, xs, f->honest);
    memcpy(f->vt, f->honest, nv(f) * sizeof *f->vt);
    for (size_t i = 0; i < sizeof f->sid; i++)
        f->sid[i] = (uint8_t)(seed + 5 * i);
    return ZKR_OK;
}

static void cata_transcript(const cata *f, zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(&f->p, pd);
    zkr_ts_init(t, ZKR_GINFER2_PROTOCOL, ZKR_GINFER2_VERSION, ZKR_PROOF_SYSTEM_ID, f->p.id, pd,
                f->sid);
    for (unsigned j = 0; j < f->nx; j++)
        zkr_ts_absorb(t, "g2-x-root", f->xc[j].root, ZKR_DIGEST_BYTES);
    zkr_ts_absorb(t, "g2-v-root", f->vc.root, ZKR_DIGEST_BYTES);
}

/* Commits f's tables, proves on q, verifies on vq (NULL: q), both with off. */
static zkr_err run(cata *f, const zkr_ginf2_cat *vq, unsigned off, uint8_t tag)
{
    unsigned n = zkr_ginf2_cat_v_vars(&f->q), reads = f->q.k / f->nx;
    zkr_ginf2_popts o = {1, ZKR_GINF2_OFF_GRIND | off, 0, 0, 1, 0};
    zkr_hpcs_poly *xp[ZKR_GINF2_CAT_MAX_IN];
    const zkr_hpcs_commitment *xc[ZKR_GINF2_CAT_MAX_IN];
    uint8_t seed[32];
    zkr_buf pf = {0};
    zkr_transcript t;
    zkr_zkrng g;
    zkr_dec d;
    zkr_err r;

    memset(seed, tag, sizeof seed);
    if ((r = zkr_zkrng_seeded(&g, seed, sizeof seed, "ginfer2 cat adv", NULL, 0)) != ZKR_OK)
        return r;
    for (unsigned j = 0; j < f->nx && r == ZKR_OK; j++) {
        unsigned xv = zkr_ginf2_cat_x_vars(&f->q, j);
        zkr_hpcs_poly_free(f->xp[j]);
        f->xp[j] = NULL;
        r = zkr_prover_hcommit_sized(&f->p, f->xt[j], xv,
                                     xv + zkr_ginf2_range_blind(&f->p, xv, reads), reads, &g, 1,
                                     &f->xp[j], &f->xc[j]);
    }
    zkr_hpcs_poly_free(f->vp);
    f->vp = NULL;
    if (r != ZKR_OK ||
        (r = zkr_prover_hcommit_sized(&f->p, f->vt, n,
                                      n + zkr_ginf2_range_blind(&f->p, n, f->q.k), f->q.k, &g, 1,
                                      &f->vp, &f->vc)) != ZKR_OK)
        goto out;
    for (unsigned j = 0; j < f->q.k; j++)
        xp[j] = f->xp[f->xi[j]], xc[j] = &f->xc[f->xi[j]];
    cata_transcript(f, &t);
    if ((r = zkr_prover_ginf2_cat(&f->p, &t, &f->q, xp, f->vp, &o, &g, &pf)) != ZKR_OK)
        goto out;
    cata_transcript(f, &t);
    zkr_dec_init(&d, pf.p, pf.len);
    r = zkr_verify_ginf2_cat(&f->p, &t, vq ? vq : &f->q, xc, &f->vc, ZKR_GINF2_OFF_GRIND | off, 1,
                             &d);
    if (r == ZKR_OK)
        r = zkr_dec_finish(&d);
out:
    zkr_buf_free(&pf);
    return r;
}

/* V's entry (c, y, x, slot 0) and X_j's (block, c, y, x). */
static size_t vat(const cata *f, uint32_t c, uint32_t y, uint32_t x)
{
    return ((size_t)c << (f->q.lh + f->q.lw)) | ((size_t)y << f->q.lw) | x;
}
static size_t xat(const cata *f, unsigned j, uint32_t block, uint32_t c, uint32_t y, uint32_t x)
{
    unsigned lhw = f->q.lh + f->q.lw;

    return ((size_t)block << (f->q.lc[j] + lhw)) | ((size_t)c << lhw) | vat(f, 0, y, x);
}

/* Input j's region of V from X_j's block blk, channel c + cs (rev: c_j - 1 - c), plus add. */
static void rewrite(cata *f, unsigned j, uint32_t blk, int64_t add, uint32_t cs, int rev)
{
    const zkr_gl *x = f->xt[f->xi[j]];

    for (uint32_t c = 0; c < f->q.c[j]; c++)
        for (uint32_t y = 0; y < f->q.h; y++)
            for (uint32_t xx = 0; xx < f->q.w; xx++) {
                uint32_t src = rev ? f->q.c[j] - 1 - c : c + cs;
                f->vt[vat(f, f->q.off[j] + c, y, xx)] =
                    zkr_gl_add(x[xat(f, j, blk, src, y, xx)], gl(add));
            }
}

static int all_bytes(const cata *f)
{
    for (size_t i = 0; i < nv(f); i++)
        if (f->vt[i] > 255u)
            return 0;
    return 1;
}

static void attack(zkr_tap *t, cata *f, const char *name, uint8_t tag)
{
    zkr_err e;

    zkr_tap_ok(t, all_bytes(f) && memcmp(f->vt, f->honest, nv(f) * sizeof *f->vt) != 0,
               "%s: V differs from the concatenation, every entry a byte", name);
    e = run(f, NULL, ZKR_GINF2_OFF_LINK, tag);
    zkr_tap_ok(t, e == ZKR_OK, "%s: accepted with the links off (teeth; %d)", name, (int)e);
    e = run(f, NULL, 0, (uint8_t)(tag + 1));
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "%s: refused by the link (%d)", name, (int)e);
    memcpy(f->vt, f->honest, nv(f) * sizeof *f->vt);
}

static void k4(zkr_tap *t)
{
    static const cata_shape s = {4, {3, 1, 5, 2}, 3, 5,
                                 {{0, 0, 0, -128, 0}, {2, 2, 0, -128, 0}, {3, 5, -128, -128, 0},
                                  {1, 1, -128, -128, 0}}, 0};
    cata f;
    zkr_ginf2_cat vq;
    zkr_err e;

    if (cata_init(&f, &s, 3) != ZKR_OK) {
        zkr_tap_ok(t, 0, "K4: fixture");
        cata_free(&f);
        return;
    }
    zkr_tap_ok(t, f.q.lco == 4 && f.q.off[3] == 9 && f.q.lh == 2 && f.q.lw == 3,
               "K4: 11 channels over 16, 3 x 5 over 4 x 8, input 3 at channel 9");
    e = run(&f, NULL, 0, 1);
    zkr_tap_ok(t, e == ZKR_OK, "K4: the honest proof verifies (%d)", (int)e);
    for (uint32_t c = 0; c < 16; c++) /* V's free region: channels 11.., row 3, columns 5.. */
        for (uint32_t y = 0; y < 4; y++)
            for (uint32_t x = 0; x < 8; x++)
                if (c >= 11 || y >= 3 || x >= 5)
                    f.vt[vat(&f, c, y, x)] = (zkr_gl)((c * 37 + y * 11 + x * 5) & 255u);
    e = run(&f, NULL, 0, 3);
    zkr_tap_ok(t, e == ZKR_OK && memcmp(f.vt, f.honest, nv(&f) * sizeof *f.vt) != 0,
               "K4: V's padded region holding other bytes verifies: free by design, readers "
               "read c < 11 only (%d)", (int)e);
    memcpy(f.vt, f.honest, nv(&f) * sizeof *f.vt);
    rewrite(&f, 1, 2, 0, 0, 0); /* X + 0: in_off -128's formula on an in_off 0 input */
    attack(t, &f, "K4 wrong offset (input 1: V = X, not X + 128)", 10);
    rewrite(&f, 2, 4, 0, 0, 0); /* block 4, not 5 (in_off + 128 = 0) */
    attack(t, &f, "K4 another block (input 2 from block 4)", 20);
    for (uint32_t y = 0; y < f.q.h; y++) /* V(3) = X_0's padded channel 3 + 128 */
        for (uint32_t x = 0; x < f.q.w; x++)
            f.vt[vat(&f, 3, y, x)] = zkr_gl_add(f.xt[0][xat(&f, 0, 0, 3, y, x)], 128);
    attack(t, &f, "K4 a padded channel (V(3) from X_0's padded channel 3)", 30);
    vq = f.q;
    vq.in[1].in_off = -128;
    e = run(&f, &vq, 0, 40);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "K4: the honest proof against input 1 at in_off -128: "
               "refused (%d)", (int)e);
    vq = f.q;
    vq.in[2].block = 4;
    e = run(&f, &vq, 0, 41);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "K4: the honest proof against input 2 at block 4: "
               "refused (%d)", (int)e);
    cata_free(&f);
}

static void same_and_slots(zkr_tap *t)
{
    static const cata_shape same = {2, {2, 2}, 2, 3, {{1, 1, -128, -128, 0}, {1, 1, -128, -128, 0}}, 1};
    static const cata_shape slots = {2, {3, 6}, 1, 1, {{10, 1, -128, -128, 0}, {4, 9, -128, -128, 0}},
                                     0};
    cata f;
    zkr_err e;

    if (cata_init(&f, &same, 4) == ZKR_OK) {
        e = run(&f, NULL, 0, 50);
        zkr_tap_ok(t, e == ZKR_OK, "SAME: one commitment read twice verifies (%d)", (int)e);
        rewrite(&f, 1, 1, 0, 0, 1);
        attack(t, &f, "SAME the second copy's channels reversed", 52);
    } else {
        zkr_tap_ok(t, 0, "SAME: fixture");
    }
    cata_free(&f);
    if (cata_init(&f, &slots, 5) == ZKR_OK) {
        zkr_tap_ok(t, f.q.lsl == 8 && zkr_ginf2_cat_v_vars(&f.q) == 12,
                   "SLOTS: V carries 8 slot variables (X_0's 12 variables)");
        e = run(&f, NULL, 0, 60);
        zkr_tap_ok(t, e == ZKR_OK, "SLOTS: the honest proof verifies (%d)", (int)e);
        rewrite(&f, 0, 0, 0, 0, 0);
        attack(t, &f, "SLOTS another slot (input 0 from slot 0, not block 1)", 62);
    } else {
        zkr_tap_ok(t, 0, "SLOTS: fixture");
    }
    cata_free(&f);
}

/*
 * record 1 x 4 x 4 -> conv 3 -> conv 2 -> CONCAT(1, 2) -> dense 2: the
 * CONCAT declared with `cc` channels.
 */
static void program(zkr_ml_gprog *g, uint32_t cc)
{
    static const zkr_ml_gnode conv = {.op = ZKR_ML_GOP_CONV, .n_in = 1, .h = 4, .w = 4, .kh = 3,
                                      .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1,
                                      .pr = 1, .dh = 1, .dw = 1, .groups = 1};

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->n_nodes = 5;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 1, .h = 4, .w = 4};
    g->nodes[1] = conv, g->nodes[1].c = 3;
    g->nodes[2] = conv, g->nodes[2].c = 2, g->nodes[2].in[0] = 1;
    g->nodes[3] = (zkr_ml_gnode){.op = ZKR_ML_GOP_CONCAT, .n_in = 2, .in = {1, 2}, .c = cc,
                                 .h = 4, .w = 4};
    g->nodes[4] = (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {3}, .c = 2, .h = 1,
                                 .w = 1};
}

static void declared_channels(zkr_tap *t)
{
    static const int64_t m[3] = {1 << 16, 1 << 16, 1 << 16}, b[3] = {0, 0, 0};
    zkr_ml_gprog *g = malloc(sizeof *g);
    zkr_ginf2_net *net = malloc(sizeof *net);
    zkr_ginf2_pub mp;
    zkr_err e0 = ZKR_ERR_NOMEM, e1 = ZKR_ERR_NOMEM, c0 = ZKR_ERR_NOMEM, c1 = ZKR_ERR_NOMEM;

    memset(&mp, 0, sizeof mp);
    for (unsigned i = 1; i < 5; i++)
        mp.m[i] = m, mp.b[i] = b, mp.shift[i] = 16;
    if (g && net) {
        program(g, 5);
        c0 = zkr_ml_gprog_check(g, NULL);
        e0 = zkr_ginf2_net_init(net, g, &mp, NULL);
        program(g, 6);
        c1 = zkr_ml_gprog_check(g, NULL);
        e1 = zkr_ginf2_net_init(net, g, &mp, NULL);
    }
    zkr_tap_ok(t, c0 == ZKR_OK && e0 == ZKR_OK,
               "layout: CONCAT of 3 + 2 channels declared 5: a program, laid out (%d, %d)",
               (int)c0, (int)e0);
    zkr_tap_ok(t, c1 == ZKR_ERR_MALFORMED && e1 == ZKR_ERR_MALFORMED,
               "layout: the same CONCAT declared 6 (the dense would read V's free channel 5): "
               "not a program, refused by the layout (%d, %d)", (int)c1, (int)e1);
    c0 = c1 = e0 = e1 = ZKR_ERR_NOMEM;
    if (g && net) { /* node 3 a LOOKUP of node 2 (2 channels): declared 2, then 3 */
        static int64_t tab[256];
        for (unsigned v = 0; v < 256; v++)
            tab[v] = (int64_t)v - 128;
        mp.t[3] = tab;
        program(g, 2);
        g->nodes[3].op = ZKR_ML_GOP_LOOKUP, g->nodes[3].n_in = 1;
        g->nodes[3].in[0] = 2, g->nodes[3].in[1] = 0;
        c0 = zkr_ml_gprog_check(g, NULL);
        e0 = zkr_ginf2_net_init(net, g, &mp, NULL);
        g->nodes[3].c = 3;
        c1 = zkr_ml_gprog_check(g, NULL);
        e1 = zkr_ginf2_net_init(net, g, &mp, NULL);
    }
    zkr_tap_ok(t, c0 == ZKR_OK && e0 == ZKR_OK,
               "layout: a LOOKUP of 2 channels declared 2: a program, laid out (%d, %d)",
               (int)c0, (int)e0);
    zkr_tap_ok(t, c1 == ZKR_ERR_MALFORMED && e1 == ZKR_ERR_MALFORMED,
               "layout: declared 3 (the dense would read its V's free channel 2): refused by "
               "the layout (%d, %d)", (int)c1, (int)e1);
    free(g), free(net);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    if (!ZKR_TEST_BUILD)
        return zkr_tap_ok(&t, 0, "a test build"), zkr_tap_done(&t);
    k4(&t);
    same_and_slots(&t);
    declared_channels(&t);
    return zkr_tap_done(&t);
}
