/*
 * inference@2 (docs/proof-system.md, "inference@2"): completeness with a
 * public and with a hidden output, every binding's reject twin (model,
 * dataset, index, output, output commitment, output mode), a tampered byte
 * in each section, truncations, the mixed opening's section (V's and the
 * range helpers' fitted leaves, version 8) flipped and cut, determinism
 * under a seed and fresh randomness without one, the model's opening
 * budget, reopening, and the soundness figure; version 9's adversarial
 * review: h and phi in two trees where V is of T_A's size, and one seed's
 * proofs byte-identical at 1 and 3 threads.
 */
#include <math.h>

#include "tests/zk/infer2_fixture.h"
#include "tests/zk/infer2_sweep_fx.h"
#include "zk/infer2_int.h"

static zkr_err verify(const i2case *c, const zkr_buf *pf, const zkr_verifier_inference2_statement *st)
{
    zkr_diag d = {0};
    (void)c;
    return zkr_verify_inference2(pf->p, pf->len, st, &d);
}

/* The offset and length of section i's body in a proof. */
static int section(const zkr_buf *pf, unsigned i, size_t *off, size_t *len)
{
    zkr_proof_view v;
    zkr_diag d = {0};

    if (zkr_proof_parse(pf->p, pf->len, &v, &d) != ZKR_OK || i >= v.n_sections)
        return 0;
    *off = (size_t)(v.body[i] - pf->p);
    *len = v.len[i];
    return 1;
}

/*
 * Version 1 proofs (section 14 = the two roots, no version field), version
 * 2 proofs (the record's bytes not range-proven), version 3 proofs (the old
 * hiding fold schedule), version 4 proofs (the range proof's own two
 * openings), version 5 proofs (one opening per size class and the
 * record's own), version 6 proofs (the mixed opening's full-size mask),
 * version 7 proofs (V's and the range helpers' 16-value leaves), version 8
 * proofs (h and phi in two trees), version 9 proofs (V and m in two
 * trees), version 10 proofs (C's mask in a tree of its own), version 11
 * proofs (C's opening folding 4 rounds a layer), version 12 proofs (the
 * mixed opening's mask in a tree of its own), version 13 proofs (W' one
 * tree a layer for a stacked model commitment), version 14 proofs (every
 * folded-layer value sent) and a section 14 naming a later version are
 * refused by name (UNSUPPORTED, "(this verifier reads version 15 only)"),
 * before any mathematics.
 */
static void test_version(zkr_tap *t, i2case *c, const zkr_buf *pf)
{
    static const char *what[15] = {"a version 1 proof (64-byte section 14)",
                                  "a version 2 proof (record bytes not range-proven)",
                                  "a version 3 proof (the old hiding fold schedule)",
                                  "a version 4 proof (the range proof's own openings)",
                                  "a version 5 proof (openings per size class, the record's own)",
                                  "a version 6 proof (the mixed opening's full-size mask)",
                                  "a version 7 proof (V's and the helpers' 16-value leaves)",
                                  "a version 8 proof (h and phi in two trees)",
                                  "a version 9 proof (V and m in two trees)",
                                  "a version 10 proof (C's mask in a tree of its own)",
                                  "a version 11 proof (C's opening folding 4 rounds a layer)",
                                  "a version 12 proof (the mixed opening's mask in its own tree)",
                                  "a version 13 proof (W' one tree a layer)",
                                  "a version 14 proof (every folded-layer value sent)",
                                  "a proof naming a later version"};

    for (int mode = 0; mode < 15; mode++) {
        uint32_t named = mode == 0 ? 1u : mode == 14 ? ZKR_INFER2_VERSION + 1 : (uint32_t)mode + 1;
        char want[64];
        zkr_proof_view v;
        zkr_buf b = {0};
        zkr_diag d = {0};
        uint8_t w[4 + 2 * ZKR_DIGEST_BYTES];
        int ok = zkr_proof_parse(pf->p, pf->len, &v, &d) == ZKR_OK && v.len[1] == sizeof w &&
                 zkr_proof_begin(&b, v.param_set, ZKR_KIND_INFERENCE2, c->st.statement_id,
                                 v.n_sections) == ZKR_OK;
        for (uint32_t i = 0; ok && i < v.n_sections; i++) {
            if (i != 1) {
                ok = zkr_proof_add_section(&b, v.tag[i], v.body[i], v.len[i]) == ZKR_OK;
                continue;
            }
            memcpy(w, v.body[1], sizeof w);
            zkr_store_be32(w, named);
            ok = mode == 0 ? zkr_proof_add_section(&b, v.tag[1], w + 4, sizeof w - 4) == ZKR_OK
                           : zkr_proof_add_section(&b, v.tag[1], w, sizeof w) == ZKR_OK;
        }
        snprintf(want, sizeof want, "version %u proof refused", named);
        ok = ok && zkr_verify_inference2(b.p, b.len, &c->st, &d) == ZKR_ERR_UNSUPPORTED &&
             strstr(d.msg, want) && strstr(d.msg, "reads version 15 only");
        zkr_tap_ok(t, ok, "%s is refused by name (%s)", what[mode], want);
        zkr_buf_free(&b);
    }
}

/*
 * Whether section 29's body (sigma, C's 2 lc rounds, v, then C's masked
 * hiding opening) reads whole at pc for lc variables, C blinded for one
 * opening at pc (the verifier's reading).
 */
static int sec29_reads(const uint8_t *body, size_t len, const zkr_params *pc, unsigned lc)
{
    unsigned e = zkr_hpcs_blind_vars(pc, lc, 1);
    zkr_hpcs_proof *hp = NULL;
    zkr_ext x;
    zkr_dec d;
    int ok = e != 0;

    zkr_dec_init(&d, body, len);
    for (size_t i = 0; ok && i < 2 + 2 * (size_t)lc; i++)
        ok = zkr_dec_ext(&d, &x) == ZKR_OK;
    ok = ok && zkr_hpcs_proof_parse_masked(pc, lc + e, &d, &hp) == ZKR_OK &&
         zkr_dec_finish(&d) == ZKR_OK;
    zkr_hpcs_proof_free(hp);
    return ok;
}

/*
 * Version 12 (adversarial review): an honest proof's section 29 is C's
 * opening folding ZKR_INFER2_C_FOLD_ARITY rounds at layer 0 (leaves of 8
 * values). Tried at every lc C may have, it reads whole at exactly one lc
 * at zkr_infer2_c_params' pc, and at none with pc's arity set back to the
 * set's (version 11's 16-value leaves): the layout is pinned by the
 * constant, not by whatever both sides happen to share. At that lc the
 * verifier's schedule opens 2^3-value leaves and C's blinding outnumbers
 * the q 2^3 layer-0 values the opening reveals (+ 1).
 */
static void test_c_layout(zkr_tap *t, i2case *c, const zkr_buf *pf)
{
    size_t off, len;
    unsigned hits = 0, hits11 = 0, at = 0;
    int ok = section(pf, 5, &off, &len);

    for (unsigned lc = 1; ok && lc <= c->p.max_vars; lc++) {
        zkr_params pc, pc11;
        zkr_infer2_c_params(&c->p, lc, &pc);
        pc11 = pc;
        pc11.fold_arity = c->p.fold_arity;
        if (sec29_reads(pf->p + off, len, &pc, lc)) {
            hits++;
            at = lc;
        }
        hits11 += sec29_reads(pf->p + off, len, &pc11, lc) != 0;
    }
    zkr_tap_ok(t, ok && hits == 1 && hits11 == 0 && c->p.fold_arity != ZKR_INFER2_C_FOLD_ARITY,
               "version 12: section 29 (%zu bytes) reads whole at C's own parameters for one lc "
               "(%u, lc %u) and at version 11's arity %u for none (%u)", len, hits, at,
               c->p.fold_arity, hits11);
    if (hits == 1) {
        zkr_params pc;
        zkr_pcs_layout l;
        unsigned e;
        zkr_infer2_c_params(&c->p, at, &pc);
        e = zkr_hpcs_blind_vars(&pc, at, 1);
        zkr_hpcs_layout_of(&pc, at + e, &l);
        zkr_tap_ok(t, l.folds[0] == ZKR_INFER2_C_FOLD_ARITY &&
                          ldexp(1.0, (int)at) * (ldexp(1.0, (int)e) - 1.0) >=
                              (double)pc.queries * ldexp(1.0, ZKR_INFER2_C_FOLD_ARITY) + 1.0,
                   "version 12: C's layer-0 leaves hold 2^%u values and its %u blinding "
                   "variables cover the %u x 2^%u values its opening reveals",
                   l.folds[0], e, pc.queries, ZKR_INFER2_C_FOLD_ARITY);
    }
}

static void test_bindings(zkr_tap *t, i2case *c, const zkr_buf *pf, int pub)
{
    zkr_verifier_inference2_statement st = c->st;
    uint8_t other[ZKR_INFER2_OUTPUT_COMMIT_BYTES];
    zkr_buf ob = {0};

    ZKR_TAP_EQ(t, verify(c, pf, &c->st), ZKR_OK, "%s output: the honest proof verifies",
               pub ? "public" : "hidden");
    st.model_commitment[3] ^= 1;
    ZKR_TAP_EQ(t, verify(c, pf, &st), ZKR_ERR_MISMATCH_MODEL, "wrong model commitment");
    st = c->st;
    st.dataset_commitment[0] ^= 1;
    ZKR_TAP_EQ(t, verify(c, pf, &st), ZKR_ERR_MISMATCH_DATASET, "wrong dataset");
    st = c->st;
    st.record_index = 2;
    ZKR_TAP_EQ(t, verify(c, pf, &st), ZKR_ERR_MISMATCH_INPUT, "wrong record index");
    st = c->st;
    st.statement_id[5] ^= 1;
    ZKR_TAP_EQ(t, verify(c, pf, &st), ZKR_ERR_MISMATCH_STATEMENT, "wrong statement_id");
    st = c->st;
    st.program_digest[0] ^= 1;
    ZKR_TAP_EQ(t, verify(c, pf, &st), ZKR_ERR_MISMATCH_PROGRAM, "wrong program");
    st = c->st;
    st.public_output = !pub;
    ZKR_TAP_EQ(t, verify(c, pf, &st), ZKR_ERR_MISMATCH_OUTPUT, "wrong output mode");
    st = c->st;
    if (pub) {
        int8_t y[2] = {1, 1};
        if (zkr_infer_output_encode(y, 2, &ob) != ZKR_OK)
            return;
        st.output = ob.p;
        st.output_len = ob.len;
        ZKR_TAP_EQ(t, verify(c, pf, &st), ZKR_ERR_MISMATCH_OUTPUT, "wrong public output");
    } else {
        memcpy(other, c->oc, sizeof other);
        other[20] ^= 1;
        st.output = other;
        ZKR_TAP_EQ(t, verify(c, pf, &st), ZKR_ERR_MISMATCH_OUTPUT, "wrong output commitment");
    }
    zkr_buf_free(&ob);
}

/*
 * Version 10 (adversarial review): V and m one stacked pair, so section
 * 13's first root (m's) is section 14's V root; a proof whose m root is
 * another (the bytes otherwise honest) is refused: VERIFY.
 */
static void test_stacked_v_m(zkr_tap *t, i2case *c, const zkr_buf *pf)
{
    size_t voff, vlen, moff, mlen;
    zkr_buf b = {0};
    int same = section(pf, 1, &voff, &vlen) && vlen >= 4 + ZKR_DIGEST_BYTES &&
               section(pf, 2, &moff, &mlen) && mlen >= ZKR_DIGEST_BYTES &&
               memcmp(pf->p + voff + 4, pf->p + moff, ZKR_DIGEST_BYTES) == 0;
    zkr_err r = ZKR_ERR_INTERNAL;

    zkr_tap_ok(t, same, "section 13 names the stacked V-m pair's root (section 14's V root) as m's");
    if (same && zkr_buf_append(&b, pf->p, pf->len) == ZKR_OK) {
        b.p[moff] ^= 0x01;
        r = verify(c, &b, &c->st);
    }
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "an m root other than the V-m pair's: VERIFY (%d)", r);
    zkr_buf_free(&b);
}

/*
 * Version 9: h and phi are one stacked pair, so section 13 (the range
 * proof's, deferred: m's, h's and phi's roots) names the pair's root twice;
 * a proof whose phi root is another (the bytes otherwise honest) is
 * refused: the mixed opening reads the pair under one root.
 */
static void test_stacked_roots(zkr_tap *t, i2case *c, const zkr_buf *pf)
{
    size_t off, len;
    zkr_buf b = {0};
    int same = section(pf, 2, &off, &len) && len > 3 * ZKR_DIGEST_BYTES &&
               memcmp(pf->p + off + ZKR_DIGEST_BYTES, pf->p + off + 2 * ZKR_DIGEST_BYTES,
                      ZKR_DIGEST_BYTES) == 0;
    zkr_err r = ZKR_ERR_INTERNAL;

    zkr_tap_ok(t, same, "section 13 names the stacked h-phi pair's root twice");
    if (same && zkr_buf_append(&b, pf->p, pf->len) == ZKR_OK) {
        b.p[off + 2 * ZKR_DIGEST_BYTES] ^= 0x01;
        r = verify(c, &b, &c->st);
    }
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "a phi root other than the pair's: VERIFY (%d)", r);
    zkr_buf_free(&b);
    test_stacked_v_m(t, c, pf);
}

static void test_tamper(zkr_tap *t, i2case *c, const zkr_buf *pf)
{
    zkr_buf b = {0};
    int all = 1;

    if (zkr_buf_append(&b, pf->p, pf->len) != ZKR_OK)
        return;
    for (unsigned s = 0; s < 6; s++) {
        size_t off, len;
        int bad = 1;
        if (!section(pf, s, &off, &len))
            break;
        /* three positions per section: first, middle and last byte */
        for (int k = 0; k < 3; k++) {
            size_t at = off + (k == 0 ? 0 : k == 1 ? len / 2 : len - 1);
            zkr_err r;
            b.p[at] ^= 0x10;
            r = verify(c, &b, &c->st);
            b.p[at] ^= 0x10;
            if (r == ZKR_OK)
                bad = 0;
        }
        all &= zkr_tap_ok(t, bad, "a tampered byte in section %u (of %zu bytes) is refused", s,
                          len);
    }
    (void)all;
    for (size_t cut = 0; cut < pf->len; cut += pf->len / 7 + 1) {
        zkr_buf tr = {0};
        int ok = zkr_buf_append(&tr, pf->p, cut) == ZKR_OK && verify(c, &tr, &c->st) != ZKR_OK;
        zkr_tap_ok(t, ok, "truncated to %zu bytes: refused", cut);
        zkr_buf_free(&tr);
    }
    {
        zkr_buf tr = {0};
        int ok = zkr_buf_append(&tr, pf->p, pf->len - 1) == ZKR_OK &&
                 verify(c, &tr, &c->st) == ZKR_ERR_MALFORMED;
        zkr_tap_ok(t, ok, "one byte short: malformed");
        zkr_buf_free(&tr);
    }
    zkr_buf_free(&b);
}

/* pf with section `sec`'s body cut to `keep` bytes, or one zero byte longer (keep > its length). */
static int resection(const i2case *c, const zkr_buf *pf, unsigned sec, size_t keep, zkr_buf *b)
{
    zkr_proof_view v;
    zkr_diag d = {0};
    uint8_t *body;
    int ok = zkr_proof_parse(pf->p, pf->len, &v, &d) == ZKR_OK && sec < v.n_sections &&
             zkr_proof_begin(b, v.param_set, ZKR_KIND_INFERENCE2, c->st.statement_id,
                             v.n_sections) == ZKR_OK;

    for (uint32_t i = 0; ok && i < v.n_sections; i++) {
        if (i != sec) {
            ok = zkr_proof_add_section(b, v.tag[i], v.body[i], v.len[i]) == ZKR_OK;
            continue;
        }
        if (!(body = calloc(1, v.len[i] + 1)))
            return 0;
        memcpy(body, v.body[i], v.len[i]);
        ok = zkr_proof_add_section(b, v.tag[i], body, keep > v.len[i] ? v.len[i] + 1 : keep) ==
             ZKR_OK;
        free(body);
    }
    return ok;
}

/*
 * Adversarial review of version 8 (V and the range helpers with fitted
 * leaves in the mixed opening, section 4; in this shape V's class joins
 * layer 0 at step 2 or 3: 2- or 1-value leaves): a bit flipped at 160
 * spread positions of section 4, the section cut at eight lengths and one
 * byte longer. None verifies; every refusal is VERIFY or MALFORMED (the
 * sanitizer build: no read out of bounds).
 */
static void test_opening_mutations(zkr_tap *t, i2case *c, const zkr_buf *pf)
{
    zkr_buf b = {0};
    size_t off, len;
    unsigned tried = 0, accepted = 0, odd = 0;

    if (!section(pf, 4, &off, &len) || zkr_buf_append(&b, pf->p, pf->len) != ZKR_OK) {
        zkr_tap_ok(t, 0, "section 4 of the proof");
        return;
    }
    for (unsigned k = 0; k < 160 + 9; k++) {
        zkr_buf cut = {0};
        const zkr_buf *in = &b;
        size_t at = off + (len - 1) * k / 159;
        zkr_err r;
        if (k < 160) {
            b.p[at] ^= (uint8_t)(1u << (k % 8));
        } else if (resection(c, pf, 4, (len * (k - 160)) / 8 + (k == 168 ? 1 : 0), &cut)) {
            in = &cut; /* k = 168: one byte past the section */
        } else {
            odd++;
        }
        r = verify(c, in, &c->st);
        if (k < 160)
            b.p[at] ^= (uint8_t)(1u << (k % 8));
        tried++;
        accepted += r == ZKR_OK;
        odd += r != ZKR_OK && r != ZKR_ERR_VERIFY && r != ZKR_ERR_MALFORMED;
        zkr_buf_free(&cut);
    }
    zkr_tap_ok(t, accepted == 0 && odd == 0,
               "section 4 (the mixed opening, %zu bytes, V and h, phi, m fitted) flipped or cut "
               "%u times: %u accepted, %u refused other than VERIFY / MALFORMED", len, tried,
               accepted, odd);
    zkr_buf_free(&b);
}

/* One run of the claim reduction's rounds on copies of E, P at `threads`. */
static int red_run(const zkr_infer2_red *red, const zkr_ext *ga, zkr_ext *const *E0,
                   zkr_ext *const *P0, unsigned threads, zkr_ext **E, zkr_ext **P, zkr_ext *rA,
                   zkr_ext *u, zkr_buf *out)
{
    static const uint8_t z32[ZKR_DIGEST_BYTES] = {7};
    zkr_transcript tr;

    for (unsigned i = 0; i < red->n_polys; i++) {
        size_t len = (size_t)1 << red->tv[i];
        memcpy(E[i], E0[i], len * sizeof(zkr_ext));
        memcpy(P[i], P0[i], len * sizeof(zkr_ext));
    }
    zkr_ts_init(&tr, "red-threads-test", 1, 1, 1, z32, z32);
    out->len = 0;
    return zkr_prover_infer2_red_rounds(&tr, red, ga, E, P, rA, u, NULL, threads, out) == ZKR_OK;
}

/*
 * The reduction's rounds (threaded sums and folds, prover/inference2.c) give
 * the same messages, challenges, values and folded tables at 1, 2 and 3
 * threads, with tables large enough (2^15, 2^13) that the work is shared
 * out, in both layouts (version 6's suffix rounds and the prefix ones).
 */
static void test_red_threads(zkr_tap *t)
{
    zkr_infer2_red red;
    zkr_ext ga[1 + ZKR_INFER2_DEGREE * 15], rA[2][15], u[2][2];
    zkr_ext *E0[2] = {0}, *P0[2] = {0}, *E[2][2] = {{0}}, *P[2][2] = {{0}};
    zkr_buf out[2] = {{0}, {0}};
    uint64_t x = 0x2545f4914f6cdd1dull;
    int ok = 1;

    memset(&red, 0, sizeof red);
    red.n_polys = 2, red.tv[0] = 15, red.tv[1] = 13, red.TA = 15;
    for (unsigned i = 0; i < 2; i++) {
        size_t len = (size_t)1 << red.tv[i];
        E0[i] = malloc(len * sizeof(zkr_ext)), P0[i] = malloc(len * sizeof(zkr_ext));
        for (int k = 0; k < 2; k++)
            E[k][i] = malloc(len * sizeof(zkr_ext)), P[k][i] = malloc(len * sizeof(zkr_ext));
        ok = ok && E0[i] && P0[i] && E[0][i] && P[0][i] && E[1][i] && P[1][i];
        for (size_t y = 0; ok && y < len; y++)
            for (unsigned c = 0; c < 3; c++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                E0[i][y].c[c] = zkr_gl_from_i64((int64_t)(x >> 2));
                P0[i][y].c[c] = zkr_gl_from_i64((int64_t)(x >> 34));
            }
    }
    for (size_t k = 0; k < sizeof ga / sizeof ga[0]; k++)
        ga[k] = zkr_ext_from(zkr_gl_from_i64((int64_t)(k * 977 + 5)));
    for (int suffix = 0; ok && suffix < 2; suffix++) {
        red.suffix = suffix;
        ok = red_run(&red, ga, E0, P0, 1, E[0], P[0], rA[0], u[0], &out[0]);
        for (unsigned th = 2; ok && th <= 3; th++) {
            ok = red_run(&red, ga, E0, P0, th, E[1], P[1], rA[1], u[1], &out[1]) &&
                 out[0].len == out[1].len && memcmp(out[0].p, out[1].p, out[0].len) == 0 &&
                 memcmp(rA[0], rA[1], sizeof rA[0]) == 0 && memcmp(u[0], u[1], sizeof u[0]) == 0;
            for (unsigned i = 0; ok && i < 2; i++)
                ok = memcmp(E[0][i], E[1][i], ((size_t)1 << red.tv[i]) * sizeof(zkr_ext)) == 0 &&
                     memcmp(P[0][i], P[1][i], ((size_t)1 << red.tv[i]) * sizeof(zkr_ext)) == 0;
        }
    }
    zkr_tap_ok(t, ok, "claim reduction rounds: the same bytes and tables at 1, 2 and 3 threads "
               "(prefix and suffix layouts)");
    for (unsigned i = 0; i < 2; i++) {
        free(E0[i]), free(P0[i]);
        for (int k = 0; k < 2; k++)
            free(E[k][i]), free(P[k][i]);
    }
    zkr_buf_free(&out[0]);
    zkr_buf_free(&out[1]);
}

/*
 * The parameter sets (goldilocks-128, -r8, -r16): names and ids, the model
 * commitment's version 2 / 3 heads, and every mix of sets refused. pf is a
 * proof of c at c's set (the suite runs at set 1 and, as zk-infer2-r16, 3).
 */
static void param_sets(zkr_tap *t, i2case *c, const zkr_buf *pf)
{
    static const char *const names[4] = {"goldilocks-128", "goldilocks-128-r8",
                                         "goldilocks-128-r16", "goldilocks-128-r64"};
    static const unsigned log_blowup[4] = {2, 3, 4, 6};
    uint32_t other_id = c->p.id == ZKR_PARAM_SET_128 ? ZKR_PARAM_SET_128_R16 : ZKR_PARAM_SET_128;
    uint32_t id = 0, set = 0;
    zkr_params other, q;
    zkr_infer2_model_commitment mc;
    zkr_infer2_model *im = NULL;
    zkr_verifier_inference2_statement st = c->st;
    zkr_buf b = {0};
    zkr_diag d = {0};
    int ok = 1;

    for (uint32_t i = 0; i < 4; i++)
        ok &= zkr_params_id_of(names[i], &id) == ZKR_OK && id == i + 1 &&
              strcmp(zkr_params_name(i + 1), names[i]) == 0 && zkr_params_get(i + 1, &q) == ZKR_OK &&
              q.log_blowup == log_blowup[i] && q.max_vars + q.log_blowup == 28 &&
              q.mixed_ext6 == (i == 3);
    zkr_tap_ok(t, ok, "four sets: rates 1/4, 1/8, 1/16, 1/64 (its mixed opening over F_p^6), "
                      "each codeword at most 2^28 entries");
    ZKR_TAP_EQ(t, zkr_params_id_of("goldilocks-128-r32", &id), ZKR_ERR_MISMATCH_PARAMS,
               "an unknown set name is refused");
    ZKR_TAP_EQ(t, zkr_params_id_of(NULL, &id), ZKR_ERR_MISMATCH_PARAMS, "... and NULL");
    zkr_tap_ok(t, zkr_params_name(5) == NULL && zkr_params_get(5, &q) != ZKR_OK,
               "set 5 does not exist");
    if (zkr_params_get(other_id, &other) != ZKR_OK)
        return;
    /* version 4 (stacked) wherever the layers stack (every multi-layer case here), else 2 or 3 */
    ok = zkr_infer2_mc_param_set(c->mc.p, c->mc.len, &set) == ZKR_OK && set == c->p.id &&
         (zkr_load_be32(c->mc.p + 8) == ZKR_INFER2_MC_VERSION_STACK ||
          zkr_load_be32(c->mc.p + 8) == (c->p.id == ZKR_PARAM_SET_128 ? 2u : 3u)) &&
         (zkr_load_be32(c->mc.p + 8) == 2u || zkr_load_be32(c->mc.p + 12) == c->p.id);
    zkr_tap_ok(t, ok, "the model commitment names set %u (version %u)", set,
               zkr_load_be32(c->mc.p + 8));
    ZKR_TAP_EQ(t, zkr_infer2_mc_decode(&other, c->mc.p, c->mc.len, &mc), ZKR_ERR_MISMATCH_PARAMS,
               "decoded at set %u: refused as a mismatch, not as garbage", other_id);
    zkr_tap_ok(t, mc.param_set == c->p.id, "... and the decoder says which set it names");
    ZKR_TAP_EQ(t, zkr_prover_infer2_reopen(&other, c->m, c->mc.p, c->mc.len, c->mopen, 1, &im, &d),
               ZKR_ERR_MISMATCH_PARAMS, "reopen at set %u: refused (%s)", other_id, d.msg);
    zkr_infer2_model_free(im);
    /* version 3 naming set 1, an unknown set, a head cut short */
    {
        uint8_t head[16];
        memcpy(head, c->mc.p, 8);
        zkr_store_be32(head + 8, 3);
        zkr_store_be32(head + 12, 1);
        size_t hl = zkr_load_be32(c->mc.p + 8) == 2u ? 12 : 16;
        ok = zkr_buf_append(&b, head, 16) == ZKR_OK &&
             zkr_buf_append(&b, c->mc.p + hl, c->mc.len - hl) == ZKR_OK;
        ok &= zkr_infer2_mc_param_set(b.p, b.len, &set) == ZKR_ERR_MALFORMED;
        zkr_store_be32(b.p + 12, 9);
        ok &= zkr_infer2_mc_param_set(b.p, b.len, &set) == ZKR_ERR_MALFORMED;
        zkr_store_be32(b.p + 12, ZKR_PARAM_SET_128_R8);
        ok &= zkr_infer2_mc_decode(&other, b.p, b.len, &mc) != ZKR_OK;
        ok &= zkr_infer2_mc_param_set(b.p, 14, &set) == ZKR_ERR_MALFORMED;
        zkr_tap_ok(t, ok, "version 3 naming set 1 or set 9, or cut in its head: malformed");
        zkr_buf_free(&b);
    }
    st.param_set = other_id;
    memset(&d, 0, sizeof d);
    ZKR_TAP_EQ(t, zkr_verify_inference2(pf->p, pf->len, &st, &d), ZKR_ERR_MISMATCH_PARAMS,
               "a set-%u proof verified for a statement pinning set %u: refused (%s)", c->p.id,
               other_id, d.msg);
    ZKR_TAP_EQ(t, zkr_verify_inference2(pf->p, pf->len, &c->st, &d), ZKR_OK,
               "... and verifies at its own set (the twin)");
}

/*
 * Adversarial review of the sets: one zk seed at two sets must not blind
 * two commitments of one model (or one record) with one mask. Each
 * commitment has its own budget in the reveal-budget ledger (keyed by its
 * bytes, which differ between the sets), so the same mask at two rates
 * would reveal up to twice what it was sized for. The key a commitment is
 * built under (its opening's last 32 bytes) differs between the sets; the
 * same set twice gives the same key (determinism, the twin).
 */
static void seed_per_set(zkr_tap *t, i2case *c, const uint8_t seed[32])
{
    static const uint8_t rec[5] = {9, 200, 31, 77, 1};
    uint8_t rc[ZKR_RECORD_COMMIT_BYTES], ro[3][ZKR_RECORD_OPENING_BYTES];
    uint8_t mo[ZKR_INFER2_OPENING_BYTES];
    int same_model = 0, same_rec = 0, ok = 1;

    for (uint32_t set = ZKR_PARAM_SET_128; set <= ZKR_PARAM_SET_128_R16; set++) {
        zkr_params q;
        zkr_infer2_model *im = NULL;
        zkr_buf mc = {0};
        zkr_diag d = {0};
        ok &= zkr_params_get(set, &q) == ZKR_OK &&
              zkr_prover_infer2_commit(&q, c->m, 10, seed, 32, 1, &im, &mc, mo, &d) == ZKR_OK &&
              zkr_prover_record_commit(&q, rec, sizeof rec, 4, seed, 32, 1, rc, ro[set - 1]) ==
                  ZKR_OK;
        if (set == c->p.id)
            ok &= memcmp(mo + 8, c->mopen + 8, 32) == 0;
        else
            same_model |= memcmp(mo + 8, c->mopen + 8, 32) == 0;
        zkr_infer2_model_free(im);
        zkr_buf_free(&mc);
    }
    same_rec = memcmp(ro[0] + 8, ro[1] + 8, 32) == 0 ||
               memcmp(ro[0] + 8, ro[2] + 8, 32) == 0 ||
               memcmp(ro[1] + 8, ro[2] + 8, 32) == 0;
    zkr_tap_ok(t, ok, "the same seed and set give the fixture's model key again (the twin)");
    zkr_tap_ok(t, ok && !same_model, "one seed, the model at another set: another key");
    zkr_tap_ok(t, ok && !same_rec, "one seed, a record at the three sets: three keys");
}

/*
 * The query cap (adversarial review of stop 36): at a target no count up to
 * twice the set's reaches (200 bits; the algebraic terms alone exceed
 * 2^-200), zkr_prover_infer2_queries, the check `zkreg prove` makes before
 * it reserves the ledger's openings, and the prover itself refuse
 * (MISMATCH_PARAMS): no proof bytes, none of the model's budget spent. At
 * the set's own target both give one count, below the cap.
 */
static void query_cap(zkr_tap *t, i2case *c)
{
    const zkr_params keep = c->p;
    unsigned left = zkr_infer2_proofs_left(c->im);
    zkr_params pq;
    zkr_buf pf = {0};
    zkr_diag d = {0};
    zkr_err r;

    for (int pub = 0; pub <= 1; pub++) {
        r = zkr_prover_infer2_queries(&c->p, c->im, &c->r, pub, &pq, &d);
        zkr_tap_ok(t, r == ZKR_OK && pq.queries < 2 * c->p.queries,
                   "query count at the set's target (%s output): q' %u below the cap %u",
                   pub ? "public" : "hidden", pq.queries, 2 * c->p.queries);
    }
    c->p.target_bits = 200;
    r = zkr_prover_infer2_queries(&c->p, c->im, &c->r, 0, &pq, &d);
    zkr_tap_ok(t, r == ZKR_ERR_MISMATCH_PARAMS && pq.queries == 2 * c->p.queries,
               "an unreachable target (200 bits): refused before any proof, at the cap %u (%s)",
               pq.queries, d.msg);
    ZKR_TAP_EQ(t, zkr_prover_inference2(&c->p, c->st.statement_id, c->im, &c->r, 0, c->oc, c->oco,
                                        NULL, 0, 1, &pf, &d),
               ZKR_ERR_MISMATCH_PARAMS, "... and by the prover, not run below the target");
    zkr_tap_ok(t, pf.len == 0 && zkr_infer2_proofs_left(c->im) == left,
               "... no proof bytes, the model's budget unspent (%u proofs left)", left);
    c->p = keep;
    {
        /* the record commitment's n + e is read by its strict decoder */
        const uint8_t *rc = c->r.commitment;
        uint8_t bad[ZKR_RECORD_COMMIT_BYTES];
        memcpy(bad, rc, sizeof bad);
        bad[3] ^= 3; /* version 1 -> 2 */
        c->r.commitment = bad;
        ZKR_TAP_EQ(t, zkr_prover_infer2_queries(&c->p, c->im, &c->r, 1, &pq, &d),
                   ZKR_ERR_MALFORMED, "query count: a record commitment of another version");
        c->r.commitment = rc;
    }
    zkr_buf_free(&pf);
}


/*
 * Adversarial review of version 9: where V (so h and phi) is of T_A's size
 * (shape 3, 4-256 at a model budget of 2), h and phi are full-size members
 * of the mixed opening, which stacks joiners only. Version 9 as first
 * merged stacked them anyway: the prover's gate refused its own pair
 * (USAGE, no proof) and the verifier's stack mask named a full-size
 * member. Now they are two trees (section 13's h and phi roots differ) and
 * the proof verifies at every parameter set, each output mode; its twins: a
 * flipped byte in section 13's phi root, a flipped byte of the mixed
 * opening (section 28) and another statement are refused.
 */
static void test_full_size_helpers(zkr_tap *t)
{
    static const uint8_t seed[32] = {7, 1};

    for (uint32_t set = ZKR_PARAM_SET_128; set <= ZKR_PARAM_SET_128_R16; set++)
        for (int pub = 0; pub < 2; pub++) {
            zkr_verifier_inference2_statement st;
            zkr_buf pf = {0}, b = {0};
            size_t off = 0, len = 0, moff = 0, mlen = 0, voff = 0, vlen = 0;
            zkr_err rp = ZKR_ERR_INTERNAL, rv = ZKR_ERR_INTERNAL, rr = ZKR_ERR_INTERNAL,
                    rm = ZKR_ERR_INTERNAL, rs = ZKR_ERR_INTERNAL;
            int two = 0;
            i2case c;
            if (!i2case_init_set(&c, 3, 0, 2, seed, set)) {
                zkr_tap_ok(t, 0, "fixture: 4-256 model committed at set %u", set);
                continue;
            }
            i2case_mode(&c, pub);
            st = c.st;
            rp = i2case_prove(&c, pub, seed, &pf);
            if (rp == ZKR_OK) {
                rv = verify(&c, &pf, &c.st);
                two = section(&pf, 2, &off, &len) && len > 3 * ZKR_DIGEST_BYTES &&
                      memcmp(pf.p + off + ZKR_DIGEST_BYTES, pf.p + off + 2 * ZKR_DIGEST_BYTES,
                             ZKR_DIGEST_BYTES) != 0;
                /* version 10: V a full-size member, so m keeps its own tree (another root) */
                two = two && section(&pf, 1, &voff, &vlen) && vlen >= 4 + ZKR_DIGEST_BYTES &&
                      memcmp(pf.p + voff + 4, pf.p + off, ZKR_DIGEST_BYTES) != 0;
                if (two && zkr_buf_append(&b, pf.p, pf.len) == ZKR_OK) {
                    b.p[off + 2 * ZKR_DIGEST_BYTES] ^= 0x01;
                    rr = verify(&c, &b, &c.st);
                    b.p[off + 2 * ZKR_DIGEST_BYTES] ^= 0x01;
                    if (section(&pf, 4, &moff, &mlen) && mlen > 0) {
                        b.p[moff + mlen / 2] ^= 0x10;
                        rm = verify(&c, &b, &c.st);
                    }
                }
                st.statement_id[0] ^= 1;
                rs = verify(&c, &pf, &st);
            }
            zkr_tap_ok(t, rp == ZKR_OK && rv == ZKR_OK && two,
                       "set %u, %s output, V of T_A's size: h and phi, V and m in two trees each, the proof "
                       "verifies (prove %d, verify %d, %zu bytes)", set, pub ? "public" : "hidden",
                       rp, rv, pf.len);
            zkr_tap_ok(t, rr == ZKR_ERR_VERIFY && rm != ZKR_OK && rs != ZKR_OK,
                       "... its twins: phi's root flipped (%d), a mixed-opening byte flipped "
                       "(%d), another statement (%d): refused", rr, rm, rs);
            zkr_buf_free(&b);
            zkr_buf_free(&pf);
            i2case_free(&c);
        }
}

/*
 * Version 9's pair tree is built on the prover's threads: one seed gives
 * byte-identical proofs at 1 and 3 threads (hidden output, shape 1, where
 * h and phi stack), and the 3-thread proof verifies.
 */
static void test_threads_identical(zkr_tap *t)
{
    static const uint8_t seed[32] = {9, 9};
    zkr_buf a = {0}, b = {0};
    zkr_diag d = {0};
    zkr_err ra = ZKR_ERR_INTERNAL, rb = ZKR_ERR_INTERNAL;
    i2case c;

    if (!i2case_init(&c, 1, 0, 4, seed)) {
        zkr_tap_ok(t, 0, "fixture: 4-4-2 model committed (budget 4)");
        return;
    }
    i2case_mode(&c, 0);
    ra = zkr_prover_inference2(&c.p, c.st.statement_id, c.im, &c.r, 0, c.oc, c.oco, seed, 32, 1,
                               &a, &d);
    rb = zkr_prover_inference2(&c.p, c.st.statement_id, c.im, &c.r, 0, c.oc, c.oco, seed, 32, 3,
                               &b, &d);
    zkr_tap_ok(t, ra == ZKR_OK && rb == ZKR_OK && a.len == b.len && memcmp(a.p, b.p, a.len) == 0 &&
                      verify(&c, &b, &c.st) == ZKR_OK,
               "one seed at 1 and 3 threads: byte-identical proofs (%d, %d), verified", ra, rb);
    zkr_buf_free(&a);
    zkr_buf_free(&b);
    i2case_free(&c);
}

/*
 * One one-layer shape's sizes (W', V, the record's n + e; a hidden output
 * of 4 or none) for test_stack_sweep: -1 where version 8's members (no
 * stack mask) fail zkr_hpcs_verify_mixed_fit's shape checks or the prover
 * refuses before V, else 1 where the stack mask breaks them (USAGE, not
 * MALFORMED, on an empty proof) or the prover's zkr_infer2_stacks_h_phi /
 * zkr_infer2_stacks_v_m (version 10) disagree with the mask's bits, 0
 * where they agree (*stacked: the mask is set). Version 13: where the
 * prover nests the mask (zkr_infer2_nest_member names V), the verifier's
 * shape checks take that carrier too (*nested set), else 1. Members in
 * zkr_infer2_open_order's order.
 */
static int stack_case(const zkr_params *p, unsigned tw, unsigned tv, unsigned tr, int out,
                      int *stacked, int *nested)
{
    static const zkr_ext zz[64], zv[4];
    zkr_infer2_red red;
    zkr_hpcs_commitment f[ZKR_HPCS_MAX_MIXED];
    zkr_transcript t0, t1, t2;
    zkr_dec d;
    uint32_t mask, fit, want = 0;
    unsigned order[ZKR_INFER2_RED_MAX_POLYS];
    size_t nest;

    if (!i2sweep_members(p, tw, tv, tr, out, &red, order, f, NULL))
        return -1;
    for (unsigned j = 0; j < red.n_polys; j++) {
        unsigned i = order[j];
        if (i == red.zr_poly + 1 && zkr_infer2_stacks_h_phi(p, &red, 1))
            want |= (uint32_t)1 << j;
        if (i == red.zr_poly + 2 && zkr_infer2_stacks_v_m(p, &red, 1))
            want |= (uint32_t)1 << j;
    }
    mask = zkr_infer2_stack_mask(p, &red, 1);
    fit = zkr_infer2_fit_mask(&red, 1);
    *stacked = mask != 0;
    nest = zkr_infer2_nest_member(p, &red, 1);
    *nested = nest < red.n_polys;
    zkr_ts_init(&t0, "stack-sweep", 1, 1, 1, f[0].root, f[0].root);
    t1 = t2 = t0;
    zkr_dec_init(&d, NULL, 0);
    if (zkr_hpcs_verify_mixed_fit(p, &t0, f, red.n_polys, fit, 0, zz, zv, &d) !=
        ZKR_ERR_MALFORMED)
        return -1;
    zkr_dec_init(&d, NULL, 0);
    /* m (member 2, right after V) stacks on V exactly where the prover commits them so */
    if (zkr_hpcs_verify_mixed_fit(p, &t1, f, red.n_polys, fit, mask, zz, zv, &d) !=
            ZKR_ERR_MALFORMED ||
        mask != want || (order[2] != red.zr_poly + 2))
        return 1;
    zkr_dec_init(&d, NULL, 0);
    return *nested && (order[nest] != 1 || zkr_hpcs_verify_mixed_nest(p, &t2, f, red.n_polys, fit,
                                                                       mask, nest, zz, zv, &d) !=
                                               ZKR_ERR_MALFORMED);
}

/*
 * The stack rules agree for every size: at the test's parameter set
 * ($ZKR_TEST_PARAM_SET; meson reruns the suite at 2 and 3), over every
 * one-layer shape's sizes (2..max_vars each, hidden output or not), the
 * stack mask never breaks a shape version 8 could open and the prover
 * stacks exactly where the verifier's mask is set (stack_case). Before
 * the review, V of T_A's size named a full-size pair (USAGE).
 */
static void test_stack_sweep(zkr_tap *t)
{
    const char *ps = getenv("ZKR_TEST_PARAM_SET");
    uint32_t set = ps ? (uint32_t)strtoul(ps, NULL, 10) : ZKR_PARAM_SET_128;
    unsigned tried = 0, stacked = 0, nested = 0, bad = 0, first[3] = {0, 0, 0};
    zkr_params p;

    if (zkr_params_get(set, &p) != ZKR_OK)
        p.max_vars = 0; /* nothing tried: the check below fails */
    for (unsigned tw = 2; tw <= p.max_vars; tw++)
        for (unsigned tv = 2; tv <= p.max_vars; tv++)
            for (unsigned tr = 2; tr <= p.max_vars; tr++)
                for (int out = 0; out < 2; out++) {
                    int st = 0, ne = 0, r = stack_case(&p, tw, tv, tr, out, &st, &ne);
                    if (r < 0)
                        continue;
                    tried++;
                    stacked += st;
                    nested += ne;
                    if (r && !bad++)
                        first[0] = tw, first[1] = tv, first[2] = tr;
                }
    /* an F_p^6 opening's mask keeps its own tree (set 4): nothing nests there */
    zkr_tap_ok(t, tried > 1000 && stacked > 0 && stacked < tried &&
                      (p.mixed_ext6 ? nested == 0 : nested > 0 && nested < stacked) && bad == 0,
               "stack rules over every one-layer size at set %u: %u verifiable shapes, %u "
               "stacked, %u with the mask nested, %u where the masks break the opening or the "
               "prover disagrees (first: W' %u, V %u, record %u)", set, tried, stacked, nested,
               bad, first[0], first[1], first[2]);
}

/*
 * Version 10 (adversarial review): the member order (m right after V) and
 * the V-m stack agree between prover and verifier end to end, over every
 * fixture shape (4-8-4-2, 4-4-2, 4-2, 4-256, 512-64: three, two and one
 * layers; version 13: 512-64's mask nests under the V-m pair's leaves),
 * model budgets 2 and 12 (W's blinding, so T_A, differs) and both output
 * modes, at the test's parameter set: each proof verifies, stacked (m's
 * root V's) or not (V of T_A's size), and its twin with m's root flipped
 * is refused. Both kinds must occur.
 */
static void test_v_m_shapes(zkr_tap *t)
{
    static const uint8_t seed[32] = {10, 3};
    static const uint32_t budgets[2] = {2, 12};
    unsigned cases = 0, good = 0, stacked = 0, twins = 0, nested = 0;
    const char *ps = getenv("ZKR_TEST_PARAM_SET");
    zkr_params p0;
    int c0_ext6 = zkr_params_get(ps ? (uint32_t)strtoul(ps, NULL, 10) : ZKR_PARAM_SET_128, &p0) ==
                      ZKR_OK &&
                  p0.mixed_ext6;

    for (int shape = 0; shape <= 4; shape++)
        for (unsigned bi = 0; bi < 2; bi++)
            for (int pub = 0; pub < 2; pub++) {
                size_t voff, vlen, moff, mlen;
                zkr_buf pf = {0}, b = {0};
                i2case c;
                cases++;
                if (!i2case_init(&c, shape, 0, budgets[bi], seed))
                    continue;
                i2case_mode(&c, pub);
                if (i2case_prove(&c, pub, seed, &pf) == ZKR_OK && verify(&c, &pf, &c.st) == ZKR_OK &&
                    section(&pf, 1, &voff, &vlen) && vlen >= 4 + ZKR_DIGEST_BYTES &&
                    section(&pf, 2, &moff, &mlen) && mlen >= ZKR_DIGEST_BYTES) {
                    good++;
                    stacked += memcmp(pf.p + voff + 4, pf.p + moff, ZKR_DIGEST_BYTES) == 0;
                    nested += i2case_nests(&c, pub);
                    if (zkr_buf_append(&b, pf.p, pf.len) == ZKR_OK) {
                        b.p[moff + 5] ^= 0x20;
                        twins += verify(&c, &b, &c.st) == ZKR_ERR_VERIFY;
                    }
                } else {
                    zkr_tap_diag("shape %d budget %u %s output: no verified proof", shape,
                                 budgets[bi], pub ? "public" : "hidden");
                }
                zkr_buf_free(&b);
                zkr_buf_free(&pf);
                i2case_free(&c);
            }
    /* an F_p^6 opening's mask keeps its own tree (set 4): nothing nests there */
    zkr_tap_ok(t, good == cases && twins == cases && stacked > 0 && stacked < cases &&
                      (c0_ext6 ? nested == 0 : nested > 0 && nested < stacked),
               "V-m stack over every fixture shape, budgets 2 and 12, both output modes: %u of %u "
               "proofs verify (%u with V and m stacked, %u of them with the mask nested), %u "
               "refused with m's root flipped", good, cases, stacked, nested, twins);
}

#if !defined(__SANITIZE_ADDRESS__)
typedef struct {
    i2case *c;
    const uint8_t *seed;
} heap_case;

static int heap_prove(void *ctx, zkr_buf *out)
{
    heap_case *h = ctx;

    return i2case_prove(h->c, 1, h->seed, out) == ZKR_OK;
}

/* A public-output proof under two heap fills (tap.h, zkr_tap_heap_fills). */
static void test_heap_contents(zkr_tap *t)
{
    static const uint8_t seed[32] = {5, 7};
    zkr_buf ref = {0};
    i2case c;
    heap_case h = {&c, seed};

    if (!i2case_init(&c, 1, 0, 6, seed)) { /* three proofs, two W' openings each */
        zkr_tap_ok(t, 0, "fixture: 4-4-2 model committed (budget 6)");
        return;
    }
    i2case_mode(&c, 1);
    if (zkr_tap_ok(t, heap_prove(&h, &ref), "heap fills: the seeded proof"))
        zkr_tap_heap_fills(t, heap_prove, &h, &ref);
    zkr_buf_free(&ref);
    i2case_free(&c);
}
#endif

int main(int argc, char **argv)
{
    zkr_tap t;
    i2case c;
    zkr_buf pf = {0}, pf2 = {0};
    static const uint8_t seed[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    zkr_tap_init(&t, argc, argv);
    test_red_threads(&t);
    test_full_size_helpers(&t);
    test_threads_identical(&t);
#if !defined(__SANITIZE_ADDRESS__)
    test_heap_contents(&t);
#endif
    test_stack_sweep(&t);
    test_v_m_shapes(&t);
    if (!zkr_tap_ok(&t, i2case_init(&c, 1, 0, 10, seed), "fixture: 4-4-2 model committed"))
        return zkr_tap_done(&t);
    /* public output */
    i2case_mode(&c, 1);
    ZKR_TAP_EQ(&t, i2case_prove(&c, 1, seed, &pf), ZKR_OK, "prove (public output)");
    zkr_tap_diag("proof: %zu bytes", pf.len);
    test_bindings(&t, &c, &pf, 1);
    test_tamper(&t, &c, &pf);
    test_opening_mutations(&t, &c, &pf);
    test_version(&t, &c, &pf);
    test_c_layout(&t, &c, &pf);
    test_stacked_roots(&t, &c, &pf);
    ZKR_TAP_EQ(&t, i2case_prove(&c, 1, seed, &pf2), ZKR_OK, "prove again with the same seed");
    zkr_tap_ok(&t, pf.len == pf2.len && memcmp(pf.p, pf2.p, pf.len) == 0,
               "same seed and statement: byte-identical proofs");
    ZKR_TAP_EQ(&t, i2case_prove(&c, 1, NULL, &pf2), ZKR_OK, "prove without a seed");
    zkr_tap_ok(&t, pf.len != pf2.len || memcmp(pf.p, pf2.p, pf.len) != 0,
               "without a seed two proofs differ");
    ZKR_TAP_EQ(&t, verify(&c, &pf2, &c.st), ZKR_OK, "and the unseeded proof verifies");
    /* hidden output */
    i2case_mode(&c, 0);
    ZKR_TAP_EQ(&t, i2case_prove(&c, 0, seed, &pf), ZKR_OK, "prove (hidden output)");
    test_bindings(&t, &c, &pf, 0);
    {
        uint8_t bad[ZKR_INFER2_OUTPUT_COMMIT_BYTES];
        zkr_diag d = {0};
        memcpy(bad, c.oc, sizeof bad);
        bad[40] ^= 1;
        ZKR_TAP_EQ(&t, zkr_prover_inference2(&c.p, c.st.statement_id, c.im, &c.r, 0, bad, c.oco,
                                             seed, 32, 1, &pf2, &d),
                   ZKR_ERR_MISMATCH_OUTPUT, "the prover refuses an output commitment that does "
                   "not open to the model's output");
    }
    /* the pre-proof check `zkreg prove` runs before it reserves any budget */
    {
        uint8_t oc[ZKR_INFER2_OUTPUT_COMMIT_BYTES], oco[ZKR_RECORD_OPENING_BYTES];
        zkr_diag d = {0};
        ZKR_TAP_EQ(&t, zkr_prover_infer2_output_check(&c.p, c.im, &c.r, c.oc, c.oco, 1, &d),
                   ZKR_OK, "output check: the opening opens the commitment to the model's output");
        memcpy(oco, c.oco, sizeof oco);
        oco[20] ^= 1;
        ZKR_TAP_EQ(&t, zkr_prover_infer2_output_check(&c.p, c.im, &c.r, c.oc, oco, 1, &d),
                   ZKR_ERR_MISMATCH_OUTPUT, "output check: another key is refused");
        memcpy(oc, c.oc, sizeof oc);
        oc[40] ^= 1;
        ZKR_TAP_EQ(&t, zkr_prover_infer2_output_check(&c.p, c.im, &c.r, oc, c.oco, 1, &d),
                   ZKR_ERR_MISMATCH_OUTPUT, "output check: another commitment is refused");
        memcpy(oco, c.oco, sizeof oco);
        oco[7] ^= 1;
        ZKR_TAP_EQ(&t, zkr_prover_infer2_output_check(&c.p, c.im, &c.r, c.oc, oco, 1, &d),
                   ZKR_ERR_MALFORMED, "output check: an opening of another budget is malformed");
    }
    query_cap(&t, &c);
    /* the budget: 10 openings per layer, 2 per proof; 4 proofs made so far */
    {
        unsigned left = zkr_infer2_proofs_left(c.im), made = 0;
        while (zkr_infer2_proofs_left(c.im) > 0 && i2case_prove(&c, 0, seed, &pf2) == ZKR_OK)
            made++;
        zkr_tap_ok(&t, made == left && left == 1, "the model proves %u more times (%u left)", made,
                   left);
        ZKR_TAP_EQ(&t, i2case_prove(&c, 0, seed, &pf2), ZKR_ERR_USAGE,
                   "the prover object refuses a proof past the budget");
    }
    /* reopen */
    {
        zkr_infer2_model *im2 = NULL;
        zkr_diag d = {0};
        ZKR_TAP_EQ(&t, zkr_prover_infer2_reopen(&c.p, c.m, c.mc.p, c.mc.len, c.mopen, 1, &im2, &d),
                   ZKR_OK, "reopen: the model and its opening rebuild the commitment");
        zkr_infer2_model_free(im2);
        c.mopen[20] ^= 1;
        ZKR_TAP_EQ(&t, zkr_prover_infer2_reopen(&c.p, c.m, c.mc.p, c.mc.len, c.mopen, 1, &im2, &d),
                   ZKR_ERR_MISMATCH_MODEL, "reopen: another key is refused");
        c.mopen[20] ^= 1;
    }
    {
        unsigned n_open = 0;
        zkr_infer2_model_commitment mc;
        zkr_soundness s;
        int ok = zkr_infer2_mc_decode(&c.p, c.mc.p, c.mc.len, &mc) == ZKR_OK;
        s = zkr_infer2_soundness(&c.p, &mc, c.dims[0], c.dims + 1, 0, 0, &n_open);
        zkr_tap_diag("soundness: %.2f provable bits, %.1f conjectured, %u openings",
                     s.provable_bits, s.conjectured_bits, n_open);
        zkr_tap_ok(&t, ok && s.provable_bits >= 128.0, "soundness >= 128 bits (%.2f)",
                   s.provable_bits);
    }
    param_sets(&t, &c, &pf);
    seed_per_set(&t, &c, seed);
    zkr_buf_free(&pf);
    zkr_buf_free(&pf2);
    i2case_free(&c);
    return zkr_tap_done(&t);
}
