/*
 * Soundness attacks on the private model's range proof (docs/soundness.md,
 * "Private model range proof"; zk/model_range.h). A cheating committer puts
 * a W' entry outside its range and tries the test-build cheating prover
 * zkr_prover_mrange_cheat: "force" keeps the decomposition true mod p with
 * a top limb that is a field element (the LogUp must refuse), "clip" keeps
 * every limb a byte with the decomposition false (the zero-check must
 * refuse). Each is refused with ZKR_ERR_VERIFY; the honest prover refuses
 * to prove (ZKR_ERR_USAGE); the boundary values verify (reject twins).
 * (The wrapped-bias backdoor model of the former KNOWN GAP is refused in
 * soundness-infer2.) Also: a proof for another commitment, a wrong program, truncated,
 * trailing and tampered files, determinism with a seed, and the soundness
 * figure computed from the parameters.
 */
#include "prover/model_range.h"
#include "tests/zk/infer2_fixture.h"

/* A one-layer in x out "model" committed from a raw W' table (any field values). */
typedef struct {
    zkr_hpcs_poly *w;
    zkr_buf mc;
    zkr_mrange_dims dims;
} raw_model;

static int raw_init(raw_model *m, const zkr_params *p, uint32_t in, uint32_t out,
                    const zkr_gl *tab, size_t tab_len)
{
    static const uint8_t key[32] = {0x42};
    zkr_infer2_model_commitment mc;
    zkr_mrange_layer_shape s;
    zkr_gl ev[64];
    zkr_zkrng rng;
    int ok;

    memset(m, 0, sizeof *m);
    memset(&mc, 0, sizeof mc);
    if (zkr_mrange_layer_shape_of(p, in, out, &s) != ZKR_OK || ((size_t)1 << s.n) > 64 ||
        tab_len != ((size_t)1 << s.n))
        return 0;
    memcpy(ev, tab, tab_len * sizeof *ev);
    zkr_zkrng_from_key(&rng, key);
    memset(mc.program_digest, 0x5a, sizeof mc.program_digest);
    mc.n_layers = 1;
    mc.shifts[0] = 8;
    ok = zkr_prover_hcommit(p, ev, s.n, 8, &rng, 1, &m->w, &mc.w[0]) == ZKR_OK &&
         zkr_infer2_mc_encode(&mc, &m->mc) == ZKR_OK;
    zkr_zkrng_wipe(&rng);
    m->dims.n_layers = 1;
    m->dims.in_dim[0] = in;
    m->dims.out_dim[0] = out;
    return ok;
}

static void raw_free(raw_model *m)
{
    zkr_hpcs_poly_free(m->w);
    zkr_buf_free(&m->mc);
}

/* 2 inputs, 2 outputs: W'(k, j) at j * 4 + k; k = 2 the bias, k = 3 M. A valid table. */
static void table_2x2(zkr_gl *t)
{
    static const int64_t v[8] = {-127, 127, (int64_t)1 << 30, ((int64_t)1 << 31) - 1,
                                 5, -3, -((int64_t)1 << 30), 0};
    for (int i = 0; i < 8; i++)
        t[i] = zkr_gl_from_i64(v[i]);
}

static zkr_err verify_raw(const zkr_params *p, const raw_model *m, const zkr_buf *pf)
{
    zkr_diag d = {0};
    zkr_err r = zkr_mrange_verify(p, m->mc.p, m->mc.len, &m->dims, pf->p, pf->len, &d);

    if (r != ZKR_OK)
        zkr_tap_diag("verify: %s", d.msg);
    return r;
}

/*
 * One out-of-range entry: honest refuses, force and clip are refused by the
 * verifier. at < 8: the 2x2 table; at >= 8: a 3x3 layer (K = 8, 4 rows)
 * whose entry at - 8 is set (padding when k >= 5 or j = 3).
 */
static void out_of_range(zkr_tap *t, const zkr_params *p, unsigned at, zkr_gl value,
                         unsigned modes, const char *what)
{
    raw_model m;
    zkr_gl tab[32];
    zkr_buf pf = {0};
    zkr_diag d = {0};
    zkr_err hr, fr = ZKR_ERR_INTERNAL, cr = ZKR_ERR_INTERNAL;
    int big = at >= 8;

    memset(tab, 0, sizeof tab);
    if (!big)
        table_2x2(tab);
    tab[big ? at - 8 : at] = value;
    if (!zkr_tap_ok(t, raw_init(&m, p, big ? 3 : 2, big ? 3 : 2, tab, big ? 32 : 8),
                    "%s: committed", what))
        return;
    hr = zkr_prover_mrange(p, m.mc.p, m.mc.len, &m.dims, &m.w, NULL, 0, 1, &pf, &d);
    ZKR_TAP_EQ(t, hr, ZKR_ERR_USAGE, "%s: the honest prover refuses (%s)", what, d.msg);
    for (int mode = 0; mode < 2; mode++) {
        zkr_mrange_cheat ch = {mode == 0, mode == 1, 0, NULL, 0};
        if (!(modes & (1u << mode)))
            continue;
        zkr_buf_free(&pf);
        if (zkr_prover_mrange_cheat(p, m.mc.p, m.mc.len, &m.dims, &m.w, &ch, &pf, &d) != ZKR_OK) {
            zkr_tap_diag("cheat: %s", d.msg);
            continue;
        }
        *(mode == 0 ? &fr : &cr) = verify_raw(p, &m, &pf);
    }
    if (modes & 1)
        ZKR_TAP_EQ(t, fr, ZKR_ERR_VERIFY,
                   "%s: limbs true mod p with a field-element top limb: VERIFY", what);
    if (modes & 2)
        ZKR_TAP_EQ(t, cr, ZKR_ERR_VERIFY,
                   "%s: limbs clipped to bytes (decomposition false): VERIFY", what);
    zkr_buf_free(&pf);
    raw_free(&m);
}

/* Versions 1 and 2 (before the extra grinding) are refused by name, never misread. */
static void version_cases(zkr_tap *t, const zkr_params *p, const raw_model *m, const zkr_buf *pf)
{
    zkr_buf old = {0};
    zkr_diag d = {0};
    char want[64];

    if (zkr_buf_append(&old, pf->p, pf->len) != ZKR_OK)
        return;
    for (uint32_t v = 1; v < ZKR_MRANGE_VERSION; v++) {
        zkr_err r;
        zkr_store_be32(old.p + 8, v);
        d.msg[0] = '\0';
        r = zkr_mrange_verify(p, m->mc.p, m->mc.len, &m->dims, old.p, old.len, &d);
        (void)snprintf(want, sizeof want, "model range proof version %u proof refused", v);
        zkr_tap_ok(t, r == ZKR_ERR_UNSUPPORTED && strstr(d.msg, want) != NULL,
                   "a version %u file: UNSUPPORTED (exit 3), named (%s)", v, d.msg);
    }
    zkr_store_be32(old.p + 8, ZKR_MRANGE_VERSION + 1);
    ZKR_TAP_EQ(t, zkr_mrange_verify(p, m->mc.p, m->mc.len, &m->dims, old.p, old.len, &d),
               ZKR_ERR_MALFORMED, "a version %u file: MALFORMED", ZKR_MRANGE_VERSION + 1);
    zkr_buf_free(&old);
}

/*
 * Version 3's grinding: a proof of an honest witness whose openings grind
 * only the parameter set's pow_bits (version 2's) is refused; the teeth: the
 * same proof verifies when the verifier checks the openings at 0 extra bits.
 * Version 4: a 2x2 model reaches the target unground at q' < the set's
 * queries (checked here), so the grinding is exercised under a set of 100
 * queries (below the JBR floor: q' = 100, the rest ground).
 */
static void grind_cases(zkr_tap *t, const zkr_params *p0, const raw_model *m)
{
    zkr_params ps = *p0, *p = &ps, pq, pl;
    zkr_infer2_model_commitment mc0;

    if (zkr_infer2_mc_decode(p0, m->mc.p, m->mc.len, &mc0) == ZKR_OK) {
        zkr_mrange_open_params(p0, &mc0, &pq);
        pl = *p0;
        pl.queries = pq.queries - 1;
        zkr_tap_ok(t, pq.pow_bits == p0->pow_bits && pq.queries < p0->queries &&
                          zkr_mrange_soundness(p0, &mc0, NULL).provable_bits >= p0->target_bits &&
                          zkr_mrange_soundness_at(&pl, &mc0, 0, NULL).provable_bits <
                              p0->target_bits,
                   "2x2 at the set's parameters: q' = %u (of %u), no extra grinding, %.2f "
                   "provable bits; q' - 1 falls short", pq.queries, p0->queries,
                   zkr_mrange_soundness(p0, &mc0, NULL).provable_bits);
    }
    ps.queries = 100;
    static const uint8_t seed[32] = {7, 7, 7};
    zkr_mrange_cheat ch = {0, 0, 1, seed, sizeof seed};
    zkr_infer2_model_commitment mc;
    zkr_buf pf = {0};
    zkr_diag d = {0};
    unsigned g;

    if (!zkr_tap_ok(t, zkr_infer2_mc_decode(p, m->mc.p, m->mc.len, &mc) == ZKR_OK,
                    "2x2: commitment decodes"))
        return;
    g = zkr_mrange_grind_bits(p, &mc);
    zkr_tap_ok(t, g >= 1 && zkr_mrange_soundness_at(p, &mc, g - 1, NULL).provable_bits <
                                (double)p->target_bits,
               "2x2: %u extra grinding bits, the fewest that reach %u provable bits", g,
               p->target_bits);
    if (!zkr_tap_ok(t, zkr_prover_mrange_cheat(p, m->mc.p, m->mc.len, &m->dims, &m->w, &ch, &pf,
                                               &d) == ZKR_OK,
                    "a range proof grinding %u bits (no extra) made %s", p->pow_bits, d.msg))
        return;
    ZKR_TAP_EQ(t, zkr_mrange_verify(p, m->mc.p, m->mc.len, &m->dims, pf.p, pf.len, &d),
               ZKR_ERR_VERIFY, "too little grinding (%u bits, %u wanted): VERIFY", p->pow_bits,
               p->pow_bits + g);
    ZKR_TAP_EQ(t, zkr_mrange_verify_at(p, 0, m->mc.p, m->mc.len, &m->dims, pf.p, pf.len, &d),
               ZKR_OK, "teeth: the same proof verifies with the extra grinding check off");
    zkr_buf_free(&pf);
}

static void raw_cases(zkr_tap *t, const zkr_params *p)
{
    raw_model m, o;
    zkr_gl tab[8];
    zkr_buf pf = {0}, pf2 = {0}, bad = {0};
    zkr_diag d = {0};
    zkr_mrange_dims dims;
    static const uint8_t seed[32] = {1, 2, 3};

    table_2x2(tab);
    if (!zkr_tap_ok(t, raw_init(&m, p, 2, 2, tab, 8), "2x2: committed"))
        return;
    ZKR_TAP_EQ(t, zkr_prover_mrange(p, m.mc.p, m.mc.len, &m.dims, &m.w, seed, 32, 1, &pf, &d),
               ZKR_OK, "2x2 at every bound (W +-127, b +-2^30, M 2^31 - 1, padding 0): proven %s",
               d.msg);
    ZKR_TAP_EQ(t, verify_raw(p, &m, &pf), ZKR_OK, "... and verified (reject twins' control)");
    zkr_tap_diag("2x2 range proof: %zu bytes", pf.len);
    ZKR_TAP_EQ(t, zkr_prover_mrange(p, m.mc.p, m.mc.len, &m.dims, &m.w, seed, 32, 1, &pf2, &d),
               ZKR_OK, "proven again with the same seed");
    zkr_tap_ok(t, pf.len == pf2.len && memcmp(pf.p, pf2.p, pf.len) == 0,
               "same commitment and seed: byte-identical range proofs");
    zkr_buf_free(&pf2);
    ZKR_TAP_EQ(t, zkr_prover_mrange(p, m.mc.p, m.mc.len, &m.dims, &m.w, NULL, 0, 1, &pf2, &d),
               ZKR_OK, "proven with OS randomness");
    zkr_tap_ok(t, pf.len != pf2.len || memcmp(pf.p, pf2.p, pf.len) != 0,
               "OS randomness: another proof");
    /* another commitment (one weight changed, still in range) */
    tab[1] = zkr_gl_from_i64(126);
    if (raw_init(&o, p, 2, 2, tab, 8)) {
        ZKR_TAP_EQ(t, zkr_mrange_verify(p, o.mc.p, o.mc.len, &o.dims, pf.p, pf.len, &d),
                   ZKR_ERR_MISMATCH_MODEL, "a range proof for another commitment: MISMATCH_MODEL");
        zkr_buf_free(&bad);
        if (zkr_buf_append(&bad, pf.p, pf.len) != ZKR_OK)
            return;
        zkr_infer2_mc_digest(o.mc.p, o.mc.len, bad.p + 16);
        ZKR_TAP_EQ(t, zkr_mrange_verify(p, o.mc.p, o.mc.len, &o.dims, bad.p, bad.len, &d),
                   ZKR_ERR_VERIFY, "... relabelled with the other commitment's digest: VERIFY");
        raw_free(&o);
    }
    dims = m.dims;
    dims.in_dim[0] = 1; /* the bias and M columns move: the program is another */
    ZKR_TAP_EQ(t, zkr_mrange_verify(p, m.mc.p, m.mc.len, &dims, pf.p, pf.len, &d),
               ZKR_ERR_VERIFY, "checked against a 1-input program of the same W' size: VERIFY");
    dims.in_dim[0] = 8;
    ZKR_TAP_EQ(t, zkr_mrange_verify(p, m.mc.p, m.mc.len, &dims, pf.p, pf.len, &d),
               ZKR_ERR_MISMATCH_PROGRAM, "against a program of another W' size: MISMATCH_PROGRAM");
    ZKR_TAP_EQ(t, zkr_mrange_verify(p, m.mc.p, m.mc.len, &m.dims, pf.p, pf.len - 1, &d),
               ZKR_ERR_MALFORMED, "truncated by one byte: MALFORMED");
    zkr_buf_free(&bad);
    if (zkr_buf_append(&bad, pf.p, pf.len) != ZKR_OK || zkr_buf_append(&bad, "", 1) != ZKR_OK)
        return;
    ZKR_TAP_EQ(t, zkr_mrange_verify(p, m.mc.p, m.mc.len, &m.dims, bad.p, bad.len, &d),
               ZKR_ERR_MALFORMED, "a trailing byte: MALFORMED");
    {
        /* one flipped byte at 24 places spread over the file: never accepted */
        int all = 1;
        unsigned n = 0;
        for (size_t at = 8; at < pf.len; at += pf.len / 24 + 1) {
            zkr_err r;
            memcpy(bad.p, pf.p, pf.len);
            bad.len = pf.len;
            bad.p[at] ^= 0x10;
            r = zkr_mrange_verify(p, m.mc.p, m.mc.len, &m.dims, bad.p, bad.len, &d);
            all &= r != ZKR_OK;
            n++;
        }
        zkr_tap_ok(t, all, "%u files with one flipped byte: every one refused", n);
    }
    version_cases(t, p, &m, &pf);
    grind_cases(t, p, &m);
    zkr_buf_free(&bad);
    zkr_buf_free(&pf);
    zkr_buf_free(&pf2);
    raw_free(&m);
    /* modes: 1 force, 2 clip (each cheat costs a proof: CI time) */
    out_of_range(t, p, 2, zkr_gl_from_i64(((int64_t)1 << 30) + 1), 3, "bias 2^30 + 1 (just outside)");
    out_of_range(t, p, 6, zkr_gl_from_i64(-((int64_t)1 << 30) - 1), 2, "bias -2^30 - 1");
    out_of_range(t, p, 3, (zkr_gl)1 << 31, 1, "M = 2^31 (just outside)");
    out_of_range(t, p, 3, ZKR_GL_P - 1, 3, "M = -1 (p - 1, wrapped)");
    out_of_range(t, p, 0, zkr_gl_from_i64(-128), 2, "weight -128");
    out_of_range(t, p, 1, 128, 1, "weight 128");
    out_of_range(t, p, 1, (ZKR_GL_P + 1) / 2, 1, "weight (p + 1)/2 (2 W = 1 mod p)");
    out_of_range(t, p, 8 + 6, 1, 1, "a padding column entry of 1 (k = 6 > in_dim + 1)");
    out_of_range(t, p, 8 + 3 * 8 + 1, 1, 2, "a padding row entry of 1 (j = 3 >= out_dim)");
}

int main(int argc, char **argv)
{
    zkr_tap t;
    i2case c;
    zkr_params p;

    zkr_tap_init(&t, argc, argv);
    if (!zkr_tap_ok(&t, zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK, "parameters"))
        return zkr_tap_done(&t);
    raw_cases(&t, &p);
    if (!zkr_tap_ok(&t, i2case_init(&c, 0, 0, 12, NULL), "fixture: 4-8-4-2 model committed"))
        return zkr_tap_done(&t);
    {
        zkr_hpcs_poly *w[ZKR_INFER_MAX_LAYERS];
        zkr_mrange_dims dims;
        zkr_buf pf = {0};
        zkr_diag d = {0};
        dims.n_layers = c.n_layers;
        for (uint32_t l = 0; l < c.n_layers; l++) {
            dims.in_dim[l] = c.dims[l];
            dims.out_dim[l] = c.dims[l + 1];
            w[l] = zkr_infer2_model_layer_poly(c.im, l);
        }
        ZKR_TAP_EQ(&t, zkr_prover_mrange(&p, c.mc.p, c.mc.len, &dims, w, NULL, 0, 1, &pf, &d),
                   ZKR_OK, "4-8-4-2 (b = 2^30, M = 2^31 - 1 rows): range proof %s", d.msg);
        ZKR_TAP_EQ(&t, zkr_mrange_verify(&p, c.mc.p, c.mc.len, &dims, pf.p, pf.len, &d), ZKR_OK,
                   "... verifies %s", d.msg);
        zkr_tap_diag("4-8-4-2 range proof: %zu bytes", pf.len);
        /*
         * Adversary (a claim moved to another polynomial): layers 0 (4x8) and 1
         * (8x4) both have 6-variable W'. Their per-layer records (D root and
         * proof) swapped in the file, and the honest file checked against the
         * program with those two layers' dims swapped, must both be refused.
         */
        {
            zkr_dec dec;
            const uint8_t *hd, *rec[3];
            size_t rl[3] = {0};
            uint32_t n;
            zkr_buf sw = {0};
            zkr_mrange_dims d2 = dims;
            zkr_err a1 = ZKR_ERR_INTERNAL, a2;
            zkr_dec_init(&dec, pf.p, pf.len);
            if (c.n_layers == 3 && zkr_dec_raw(&dec, 52, &hd) == ZKR_OK) {
                int ok = 1;
                for (int l = 0; l < 3 && ok; l++) {
                    const uint8_t *x;
                    rec[l] = dec.p + dec.pos;
                    ok = zkr_dec_raw(&dec, ZKR_DIGEST_BYTES, &x) == ZKR_OK &&
                         zkr_dec_u32(&dec, &n) == ZKR_OK && zkr_dec_raw(&dec, n, &x) == ZKR_OK;
                    rl[l] = (size_t)(dec.p + dec.pos - rec[l]);
                }
                if (ok && zkr_buf_append(&sw, pf.p, 52) == ZKR_OK &&
                    zkr_buf_append(&sw, rec[1], rl[1]) == ZKR_OK &&
                    zkr_buf_append(&sw, rec[0], rl[0]) == ZKR_OK &&
                    zkr_buf_append(&sw, rec[2], rl[2]) == ZKR_OK)
                    a1 = zkr_mrange_verify(&p, c.mc.p, c.mc.len, &dims, sw.p, sw.len, &d);
            }
            zkr_tap_ok(&t, a1 == ZKR_ERR_VERIFY,
                       "adv layers 0 and 1's range records swapped (both 6-variable W'): "
                       "VERIFY (%d)", a1);
            d2.in_dim[0] = dims.in_dim[1], d2.out_dim[0] = dims.out_dim[1];
            d2.in_dim[1] = dims.in_dim[0], d2.out_dim[1] = dims.out_dim[0];
            a2 = zkr_mrange_verify(&p, c.mc.p, c.mc.len, &d2, pf.p, pf.len, &d);
            zkr_tap_ok(&t, a2 != ZKR_OK, "adv checked against the program with layers 0 and 1's "
                       "dims swapped: refused (%d)", a2);
            zkr_buf_free(&sw);
        }
        zkr_buf_free(&pf);
    }
    {
        zkr_infer2_model_commitment mc;
        unsigned n_open = 0;
        zkr_soundness s;
        int ok = zkr_infer2_mc_decode(&p, c.mc.p, c.mc.len, &mc) == ZKR_OK;
        s = zkr_mrange_soundness(&p, &mc, &n_open);
        zkr_tap_diag("model range proof soundness (4-8-4-2): %.2f provable bits, %.1f "
                     "conjectured, %u hiding openings", s.provable_bits, s.conjectured_bits,
                     n_open);
        ok &= s.provable_bits >= (double)p.target_bits;
        zkr_tap_diag("(4-8-4-2: %u extra grinding bits; version 2, none: %.2f provable bits)",
                     zkr_mrange_grind_bits(&p, &mc),
                     zkr_mrange_soundness_at(&p, &mc, 0, NULL).provable_bits);
        /* 784-128-10 blinded for 65 openings a layer */
        mc.n_layers = 2;
        mc.w[0].n_vars = 10 + 7;
        mc.w[1].n_vars = 8 + 4;
        for (int l = 0; l < 2; l++)
            mc.w[l].blind_vars = zkr_hpcs_blind_vars(&p, mc.w[l].n_vars, 65);
        s = zkr_mrange_soundness(&p, &mc, &n_open);
        zkr_tap_diag("model range proof soundness (784-128-10): %.2f provable bits, %.1f "
                     "conjectured, %u hiding openings", s.provable_bits, s.conjectured_bits,
                     n_open);
        zkr_tap_diag("(784-128-10: %u extra grinding bits; version 2, none: %.2f provable bits)",
                     zkr_mrange_grind_bits(&p, &mc),
                     zkr_mrange_soundness_at(&p, &mc, 0, NULL).provable_bits);
        zkr_tap_ok(&t, ok && s.provable_bits >= (double)p.target_bits,
                   "soundness >= %u provable bits (the target), computed", p.target_bits);
    }
    i2case_free(&c);
    return zkr_tap_done(&t);
}
