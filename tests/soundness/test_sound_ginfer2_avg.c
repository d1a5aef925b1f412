/*
 * Soundness attacks on graph-inference@2's zero-knowledge average pooling
 * (docs/soundness.md, "graph-inference@2", "Average pooling"). Each cheating
 * prover edits the honest witness V so that both rows hold in the field
 * (A0: sum + floor(k/2) + 128 k = k Yb + r; A1: r + rc = k - 1) with one
 * value off its byte range, false over the integers, and proves it with
 * the honest code path (o->force_range lets the prover carry an off-table
 * entry); the verifier refuses it. The same attack with V's byte range
 * proof switched off on both sides (ZKR_GINF2_OFF_RANGE, test builds only:
 * the rows by plain masked linear sumchecks) verifies: that check is what
 * stops it (the teeth).
 *   remainder below 0: Y + 1, r - k (r0 wraps mod p), rc + k;
 *   remainder >= k:    Y - 1, r + k (bytes), rc - k (rc0 wraps mod p);
 *   wrapped Y:         Yb + 256 (off the byte), r - 256 k (wraps), rc + 256 k.
 * A V that is the honest witness of another X (every value a byte, A0
 * false) is refused with the range proof on or off (no switch: the rows).
 * Grinding: a nonce ground short of the relation's extra bits verifies
 * with ZKR_GINF2_OFF_GRIND only. Windows: 2x2 stride 2 (k 4) and global
 * average pooling over 7x7 (k 49).
 * Chained X (isl 3, block 5, in_off -128, as a pooling's V is read; 3x3/1
 * pad 1 over 2 x 6 x 6 in an 8 x 8 table): X's padded rows, columns and
 * channels and its other blocks hold random bytes. The honest V verifies
 * (the selector reads real positions of its own block only); a V whose
 * windows read the padded rows and columns as input ("X's padding read",
 * every value a byte, A0 false) is refused with the range proof on or off
 * (no switch: the rows); a V of block 0 proven as block 5 ("another
 * block") likewise, and a proof over block 0 verifies as one and is
 * refused as a proof over block 5 (the teeth: the verifier's block).
 * Whole network (zk-ginfer2-avg-net's CNN on the tests' reduced set): the
 * "remainder below 0" cheat on every real output of one AVGPOOL node (the
 * 3x3/1 pad 1 one reading the max pooling's V at block Yb << le = 16, or
 * the GAP whose V carries 9 slot variables, which the dense then reads:
 * ZKR_GINF2_MAX_ISL above 8), every later node run honestly on the moved
 * output, so the published logits differ from native inference's on the
 * committed record and model: refused (V's range proof), verifies with
 * the range proofs off (the teeth); the same on a CNN whose GAP reads a
 * 2x2/2 AVGPOOL reading a ReLU conv (an AVGPOOL reading an AVGPOOL,
 * in_off 0), its honest proof with native logits. A program whose AVGPOOL
 * declares a larger output than its window computes (a reader would read
 * the pooling's free padded outputs) is refused by the layout and the
 * verifier (MALFORMED; the verifier does not run zkr_ml_gprog_check
 * itself; the layout accepted it before adv-avg's check).
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_avg_fx.h"
#include "tests/zk/ginfer2_avg_net_fx.h"
#include "zkr_config.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 avg soundness", NULL, 0);
}

static zkr_err run_at(g2av *r, const zkr_ginf2_popts *o, unsigned voff, uint8_t tag)
{
    zkr_zkrng g;
    zkr_buf pf = {0};
    zkr_err e;

    if ((e = seeded(&g, tag)) != ZKR_OK || (e = g2av_commit(r, &g)) != ZKR_OK ||
        (e = g2av_prove(r, o, &g, &pf)) != ZKR_OK)
        goto out;
    e = g2av_verify(r, NULL, NULL, voff, pf.p, pf.len);
out:
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf);
    return e;
}

static zkr_err run(g2av *r, const zkr_ginf2_popts *o, uint8_t tag)
{
    return run_at(r, o, o->off, tag);
}

static zkr_gl fgl(int64_t v)
{
    return v < 0 ? ZKR_GL_P - (uint64_t)-v : (uint64_t)v;
}

/* Both rows in the field on every real output (the cheat keeps them: only a range breaks). */
static int rows_hold(const g2av *a)
{
    const zkr_ginf2_avg *q = &a->q;
    const zkr_cnn_win *g = &q->g;
    zkr_gl k = q->k;

    for (size_t p = 0; p < ((size_t)1 << q->lp); p++) {
        uint32_t ox = (uint32_t)(p & ((1u << g->low) - 1)), oy, c;
        zkr_gl s0 = 0, s1;
        const zkr_gl *v = a->vt;
        if (!zkr_ginf2_avg_real(q, p))
            continue;
        oy = (uint32_t)((p >> g->low) & ((1u << g->loh) - 1)), c = (uint32_t)(p >> (g->low + g->loh));
        for (uint32_t i = 0; i < g->kh; i++)
            for (uint32_t j = 0; j < g->kw; j++) {
                int64_t yy = (int64_t)oy * g->sh + i - g->pt, xx = (int64_t)ox * g->sw + j - g->pl;
                if (yy >= 0 && xx >= 0 && yy < g->h && xx < g->w)
                    s0 = zkr_gl_add(s0, a->xt[((size_t)c << (g->lh + g->lw)) |
                                              ((size_t)yy << g->lw) | (size_t)xx]);
            }
#define AT(slot) v[((size_t)(slot) << q->lp) | p]
        s0 = zkr_gl_add(s0, k / 2 + 128 * k);
        s0 = zkr_gl_sub(s0, zkr_gl_mul(k, AT(ZKR_G2A_YB)));
        s0 = zkr_gl_sub(s0, zkr_gl_add(AT(ZKR_G2A_R0), zkr_gl_mul(256, AT(ZKR_G2A_R1))));
        s1 = zkr_gl_add(zkr_gl_add(AT(ZKR_G2A_R0), zkr_gl_mul(256, AT(ZKR_G2A_R1))),
                        zkr_gl_add(AT(ZKR_G2A_RC0), zkr_gl_mul(256, AT(ZKR_G2A_RC1))));
        s1 = zkr_gl_sub(s1, k - 1);
#undef AT
        if (s0 != 0 || s1 != 0)
            return 0;
    }
    return 1;
}

enum { CHEAT_NEG = 0, CHEAT_BIG = 1, CHEAT_WRAP = 2 };

/* Output 0's slots moved by the attack (dy to Y, r and rc moved to keep both rows in the field). */
static int cheat(g2av *a, int kind)
{
    const zkr_ginf2_avg *q = &a->q;
    int64_t k = q->k, dy = kind == CHEAT_NEG ? 1 : kind == CHEAT_BIG ? -1 : 256;
    int64_t yb, rr, rc;

#define AT(slot) a->vt[((size_t)(slot) << q->lp)]
    yb = (int64_t)AT(ZKR_G2A_YB), rr = (int64_t)(AT(ZKR_G2A_R0) + 256 * AT(ZKR_G2A_R1));
    rc = (int64_t)(AT(ZKR_G2A_RC0) + 256 * AT(ZKR_G2A_RC1));
    if (yb + dy < 0 || (kind != CHEAT_WRAP && yb + dy > 255))
        return 0;
    yb += dy, rr -= dy * k, rc += dy * k;
    AT(ZKR_G2A_YB) = (zkr_gl)yb;
    /* a value in 0..2^16 stays in two byte limbs; a negative one wraps in the low limb */
    AT(ZKR_G2A_R0) = rr < 0 ? fgl(rr) : (zkr_gl)(rr & 255), AT(ZKR_G2A_R1) = rr < 0 ? 0 : (zkr_gl)(rr >> 8);
    AT(ZKR_G2A_RC0) = rc < 0 ? fgl(rc) : (zkr_gl)(rc & 255), AT(ZKR_G2A_RC1) = rc < 0 ? 0 : (zkr_gl)(rc >> 8);
#undef AT
    return rows_hold(a);
}

static const char *const cheat_name[3] = {"remainder below 0 (Y + 1, r - k)",
                                          "remainder >= k (Y - 1, r + k)",
                                          "wrapped Y (Yb + 256, r - 256 k)"};

static void attacks(zkr_tap *t, uint32_t c, uint32_t h, uint32_t k, uint32_t st, const char *nm,
                    uint8_t tag)
{
    zkr_ginf2_popts on = {1, 0, 1, 0, 1, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 1, 0};
    zkr_err e;

    for (int kind = 0; kind < 3; kind++) {
        g2av a;
        if (g2av_init(&a, c, h, k, st, 0, tag) != ZKR_OK) {
            zkr_tap_ok(t, 0, "avgpool %s: fixture", nm);
            g2av_free(&a);
            return;
        }
        zkr_tap_ok(t, rows_hold(&a) && cheat(&a, kind),
                   "avgpool %s, %s: both rows hold mod p", nm, cheat_name[kind]);
        e = run(&a, &off, (uint8_t)(tag + 10 * kind));
        zkr_tap_ok(t, e == ZKR_OK, "avgpool %s, %s: verifies with the range proof off (teeth; %d)",
                   nm, cheat_name[kind], (int)e);
        e = run(&a, &on, (uint8_t)(tag + 10 * kind + 1));
        zkr_tap_ok(t, e == ZKR_ERR_VERIFY,
                   "avgpool %s, %s: refused by V's byte range proof (%d)", nm, cheat_name[kind],
                   (int)e);
        g2av_free(&a);
    }
}

/*
 * A chained X as above (block `block` of 2^isl, in_off -128): every entry of
 * X's table a random byte but the real ones of the block, x + 128; V the
 * honest witness.
 */
static zkr_err chained_init(g2av *r, unsigned isl, uint32_t block, uint64_t seed)
{
    uint32_t pads[4] = {1, 1, 1, 1}, c = 2, h = 6;
    zkr_cnn_win g;
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 7;
    size_t nx;
    zkr_err e;

    memset(r, 0, sizeof *r);
    if ((e = zkr_params_get(ZKR_PARAM_SET_128, &r->p)) != ZKR_OK ||
        (e = zkr_cnn_win_init(&g, c, h, h, 3, 3, 1, 1, 1, 1, pads)) != ZKR_OK ||
        (e = zkr_ginf2_avg_init(&r->q, &g, isl, block, -128)) != ZKR_OK)
        return e;
    for (size_t i = 0; i < sizeof r->sid; i++)
        r->sid[i] = (uint8_t)(seed + 7 * i);
    nx = (size_t)1 << zkr_ginf2_avg_x_vars(&r->q);
    r->xt = calloc(nx, sizeof *r->xt);
    r->vt = calloc((size_t)1 << zkr_ginf2_avg_v_vars(&r->q), sizeof *r->vt);
    if (!r->xt || !r->vt)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < nx; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        r->xt[i] = (zkr_gl)(s >> 56);
    }
    for (uint32_t ch = 0; ch < c; ch++)
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < h; x++) {
                size_t at = ((size_t)ch * h + y) * h + x;
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                r->x[at] = (int8_t)(s >> 56);
                r->xt[((size_t)block << zkr_cnn_in_vars(&g)) | ((size_t)ch << (g.lh + g.lw)) |
                      ((size_t)y << g.lw) | x] = (zkr_gl)(r->x[at] + 128);
            }
    zkr_ginf2_avg_witness(&r->q, r->xt, r->vt);
    return ZKR_OK;
}

/* "X's padding read": every window reads X's padded rows and columns (below 2^lh, 2^lw) too. */
static int padding_read(g2av *a)
{
    const zkr_ginf2_avg *q = &a->q;
    const zkr_cnn_win *g = &q->g;
    size_t base = (size_t)q->block << zkr_cnn_in_vars(g);
    int64_t k = q->k;
    int moved = 0;

    for (uint32_t c = 0; c < g->c; c++)
        for (uint32_t oy = 0; oy < g->oh; oy++)
            for (uint32_t ox = 0; ox < g->ow; ox++) {
                size_t p = ((size_t)c << (g->loh + g->low)) | ((size_t)oy << g->low) | ox;
                int64_t sum = 0, y, rem;
                for (uint32_t i = 0; i < g->kh; i++)
                    for (uint32_t j = 0; j < g->kw; j++) {
                        int64_t yy = (int64_t)oy * g->sh + i - g->pt;
                        int64_t xx = (int64_t)ox * g->sw + j - g->pl;
                        if (yy < 0 || xx < 0 || yy >= (1 << g->lh) || xx >= (1 << g->lw))
                            continue;
                        sum += (int64_t)a->xt[base | ((size_t)c << (g->lh + g->lw)) |
                                              ((size_t)yy << g->lw) | (size_t)xx] -
                               128;
                    }
                y = sum + k / 2 >= 0 ? (sum + k / 2) / k : -((-(sum + k / 2) + k - 1) / k);
                rem = sum + k / 2 - y * k;
#define AT(slot) a->vt[((size_t)(slot) << q->lp) | p]
                moved |= AT(ZKR_G2A_YB) != (zkr_gl)(y + 128);
                AT(ZKR_G2A_YB) = (zkr_gl)(y + 128);
                AT(ZKR_G2A_R0) = (zkr_gl)(rem & 255), AT(ZKR_G2A_R1) = (zkr_gl)(rem >> 8);
                AT(ZKR_G2A_RC0) = (zkr_gl)((k - 1 - rem) & 255);
                AT(ZKR_G2A_RC1) = (zkr_gl)((k - 1 - rem) >> 8);
#undef AT
            }
    return moved;
}

/* Proves a with o (its own q), verifies against q (a's when NULL). */
static zkr_err run_q(g2av *a, const zkr_ginf2_popts *o, const zkr_ginf2_avg *q, uint8_t tag)
{
    zkr_zkrng g;
    zkr_buf pf = {0};
    zkr_transcript t;
    zkr_dec d;
    zkr_err e;

    if ((e = seeded(&g, tag)) != ZKR_OK || (e = g2av_commit(a, &g)) != ZKR_OK ||
        (e = g2av_prove(a, o, &g, &pf)) != ZKR_OK)
        goto out;
    g2av_transcript(a, &a->xc, &a->vc, &t);
    zkr_dec_init(&d, pf.p, pf.len);
    if ((e = zkr_verify_ginf2_avg(&a->p, &t, q ? q : &a->q, &a->xc, &a->vc, o->off, 1, &d)) ==
        ZKR_OK)
        e = zkr_dec_finish(&d);
out:
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf);
    return e;
}

static void chained_attacks(zkr_tap *t)
{
    zkr_ginf2_popts on = {1, 0, 0, 0, 1, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 1, 0};
    g2av a;
    zkr_ginf2_avg q5;
    zkr_err e;

    if (chained_init(&a, 3, 5, 21) != ZKR_OK) {
        zkr_tap_ok(t, 0, "chained X: fixture");
        g2av_free(&a);
        return;
    }
    e = run_q(&a, &on, NULL, 100);
    zkr_tap_ok(t, e == ZKR_OK, "chained X (block 5 of 8, padding random): honest verifies (%d)",
               (int)e);
    zkr_tap_ok(t, padding_read(&a), "chained X, padding read: the outputs move");
    e = run_q(&a, &on, NULL, 101);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "chained X, padding read: refused, range on (%d)", (int)e);
    e = run_q(&a, &off, NULL, 102);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "chained X, padding read: refused, range off (%d)", (int)e);
    q5 = a.q;
    a.q.block = 0; /* V of block 0 */
    zkr_ginf2_avg_witness(&a.q, a.xt, a.vt);
    e = run_q(&a, &on, NULL, 103);
    zkr_tap_ok(t, e == ZKR_OK, "chained X: block 0's V verifies as block 0 (teeth; %d)", (int)e);
    e = run_q(&a, &on, &q5, 104);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "chained X: block 0's proof refused as block 5 (%d)",
               (int)e);
    a.q = q5; /* block 0's V proven as block 5 */
    e = run_q(&a, &on, NULL, 105);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "chained X, another block: refused, range on (%d)",
               (int)e);
    e = run_q(&a, &off, NULL, 106);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "chained X, another block: refused, range off (%d)",
               (int)e);
    g2av_free(&a);
}

/*
 * zk-ginfer2-avg-net's CNN proven with AVGPOOL node `node`'s outputs moved by
 * delta (zkr_prover_ginf2_in.avg_delta), verified with voff against the
 * output the proof publishes (for program vg when not NULL); *moved: that
 * output differs from native inference's (a false statement).
 */
static zkr_err net_run(g2n_fx *f, int delta, uint32_t node, const zkr_ginf2_popts *po,
                       unsigned voff, uint8_t tag, int *moved, const zkr_ml_gprog *vg)
{
    zkr_zkrng g;
    zkr_buf pf = {0}, out = {0};
    zkr_prover_ginf2_in in;
    zkr_verifier_ginf2_statement st;
    zkr_ginf2_popts o = *po;
    zkr_err r;

    *moved = 0;
    o.off |= ZKR_GINF2_OFF_GRIND; /* the reduced set: no grinding (g2n_fx_prove_o) */
    if ((r = seeded(&g, tag)) != ZKR_OK || (r = g2n_fx_commit(f, 1, &g)) != ZKR_OK)
        goto out;
    memset(&in, 0, sizeof in);
    in.g = &f->g, in.net = &f->net, in.statement_id = f->sid;
    in.rec = &f->rec, in.x = f->xp, in.mc = f->mc.p, in.mc_len = f->mc.len;
    for (uint32_t i = 1; i < f->g.n_nodes; i++)
        in.wp[i] = f->wp[i], in.wc[i] = &f->wc[i];
    in.avg_delta = delta, in.avg_node = node;
    if ((r = zkr_prover_ginfer2(&f->p, &in, &o, &g, &pf, &out, NULL)) != ZKR_OK)
        goto out;
    *moved = out.len != 4 + f->n_logits + 4 || memcmp(out.p + 4, f->logits, f->n_logits) != 0;
    g2n_fx_statement(f, &st);
    st.output = NULL, st.off |= voff, st.g = vg ? vg : st.g;
    r = zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL);
out:
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf), zkr_buf_free(&out);
    return r;
}

static void net_attacks(zkr_tap *t)
{
    zkr_ginf2_popts on = {1, 0, 1, 0, 0, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 0, 0};
    static const uint32_t nodes[2] = {3, 5}; /* AVGPOOL 3x3/1 pad 1 over the max pool; GAP */
    static const char *const nm[2] = {"AVGPOOL reading a max pooling", "GAP"};
    g2n_fx f;
    zkr_err e;
    int moved;

    if (g2an_fx_init(&f, 3) != ZKR_OK) {
        zkr_tap_ok(t, 0, "net: fixture");
        g2n_fx_free(&f);
        return;
    }
    g2n_fx_reduce(&f);
    for (unsigned a = 0; a < 2; a++) {
        zkr_tap_ok(t, f.g.nodes[nodes[a]].op == ZKR_ML_GOP_AVGPOOL, "net: node %u is the %s",
                   nodes[a], nm[a]);
        zkr_tap_ok(t, a == 0 ? f.net.avg[nodes[a]].block != 0 : f.net.cin[nodes[a] + 1].isl > 8,
                   "net: %s (%s)", nm[a],
                   a == 0 ? "X at a nonzero block" : "its reader over more than 8 slot variables");
        e = net_run(&f, 1, nodes[a], &on, 0, (uint8_t)(80 + 2 * a), &moved, NULL);
        zkr_tap_ok(t, moved, "net, %s's outputs + 1: the published logits are not the model's",
                   nm[a]);
        zkr_tap_ok(t, e == ZKR_ERR_VERIFY, "net, %s's outputs + 1 (r - k): refused (%d)", nm[a],
                   (int)e);
        e = net_run(&f, 1, nodes[a], &off, ZKR_GINF2_OFF_RANGE, (uint8_t)(81 + 2 * a), &moved,
                    NULL);
        zkr_tap_ok(t, e == ZKR_OK && moved,
                   "net, %s's outputs + 1: verifies with the range proofs off (teeth; %d)", nm[a],
                   (int)e);
    }
    e = net_run(&f, 0, 0, &on, 0, 90, &moved, NULL);
    zkr_tap_ok(t, e == ZKR_OK && !moved, "net: the honest proof verifies, native logits (%d)",
               (int)e);
    {
        /* node 3 without its bottom and right pads: a 3x3 output, still declared 4x4 */
        zkr_ml_gprog g2 = f.g;
        zkr_ginf2_net *n2 = malloc(sizeof *n2);
        g2.nodes[3].pb = g2.nodes[3].pr = 0;
        zkr_tap_ok(t, zkr_ml_gprog_check(&g2, NULL) == ZKR_ERR_MALFORMED,
                   "net: an AVGPOOL declaring 4x4 for its 3x3 window: not a valid program");
        e = n2 ? zkr_ginf2_net_init(n2, &g2, &f.mp, NULL) : ZKR_ERR_NOMEM;
        zkr_tap_ok(t, e == ZKR_ERR_MALFORMED,
                   "net: its layout refused (the conv would read the pooling's free row 3; %d)",
                   (int)e);
        e = net_run(&f, 0, 0, &on, 0, 91, &moved, &g2);
        zkr_tap_ok(t, e == ZKR_ERR_MALFORMED,
                   "net: a proof verified against it: refused (MALFORMED; %d)",
                   (int)e);
        free(n2);
    }
    g2n_fx_free(&f);
    /* an AVGPOOL reading an AVGPOOL (g2an_fx_prog_avg2: nodes 2 and 3) */
    if (g2an_fx_init_g(&f, 4, g2an_fx_prog_avg2) != ZKR_OK) {
        zkr_tap_ok(t, 0, "net avg2: fixture");
        g2n_fx_free(&f);
        return;
    }
    g2n_fx_reduce(&f);
    zkr_tap_ok(t, f.net.op[3] == ZKR_ML_GOP_AVGPOOL && f.net.op[2] == ZKR_ML_GOP_AVGPOOL &&
                      f.net.avg[2].in_off == 0 && f.net.avg[3].in_off == -128,
               "net avg2: the GAP reads the 2x2 pooling's V, that one the ReLU conv's (in_off 0)");
    e = net_run(&f, 0, 0, &on, 0, 92, &moved, NULL);
    zkr_tap_ok(t, e == ZKR_OK && !moved, "net avg2: honest verifies, native logits (%d)", (int)e);
    for (uint32_t node = 2; node <= 3; node++) {
        e = net_run(&f, 1, node, &on, 0, (uint8_t)(93 + 2 * node), &moved, NULL);
        zkr_tap_ok(t, e == ZKR_ERR_VERIFY && moved,
                   "net avg2, node %u's outputs + 1: false logits refused (%d)", node, (int)e);
        e = net_run(&f, 1, node, &off, ZKR_GINF2_OFF_RANGE, (uint8_t)(94 + 2 * node), &moved,
                    NULL);
        zkr_tap_ok(t, e == ZKR_OK && moved,
                   "net avg2, node %u's outputs + 1: verifies with the range proofs off (teeth; "
                   "%d)", node, (int)e);
    }
    g2n_fx_free(&f);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    if (!ZKR_TEST_BUILD)
        return zkr_tap_ok(&t, 0, "a test build (the checks' switches)"), zkr_tap_done(&t);
    attacks(&t, 2, 6, 2, 2, "2x2/2", 1);
    attacks(&t, 3, 7, 7, 1, "GAP 7x7", 2);
    {
        g2av a, b;
        zkr_ginf2_popts on = {1, 0, 0, 0, 1, 0}, off = {1, ZKR_GINF2_OFF_RANGE, 0, 0, 1, 0};
        zkr_ginf2_popts sh = {1, ZKR_GINF2_OFF_GRIND, 0, 0, 1, 0};
        if (g2av_init(&a, 2, 6, 3, 1, 1, 5) != ZKR_OK || g2av_init(&b, 2, 6, 3, 1, 1, 6) != ZKR_OK) {
            zkr_tap_ok(&t, 0, "avgpool 3x3/1 pad 1: fixture");
        } else {
            e = run(&a, &off, 60);
            zkr_tap_ok(&t, e == ZKR_OK, "avgpool 3x3/1 pad 1: honest, range off, verifies (%d)",
                       (int)e);
            e = run_at(&a, &sh, ZKR_GINF2_OFF_GRIND, 61);
            zkr_tap_ok(&t, e == ZKR_OK,
                       "avgpool: too little grinding verifies with the check off (teeth; %d)",
                       (int)e);
            e = run_at(&a, &sh, 0, 61);
            zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                       "avgpool: a nonce ground short of its extra bits is refused (%d)", (int)e);
            memcpy(a.vt, b.vt, ((size_t)1 << zkr_ginf2_avg_v_vars(&a.q)) * sizeof *a.vt);
            zkr_tap_ok(&t, !rows_hold(&a), "avgpool: another X's witness (bytes, row A0 false)");
            e = run(&a, &on, 62);
            zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                       "avgpool: another X's witness refused with the range proof on (%d)",
                       (int)e);
            e = run(&a, &off, 63);
            zkr_tap_ok(&t, e == ZKR_ERR_VERIFY,
                       "avgpool: another X's witness refused with the range proof off (%d)",
                       (int)e);
        }
        g2av_free(&a), g2av_free(&b);
    }
    chained_attacks(&t);
    net_attacks(&t);
    return zkr_tap_done(&t);
}
