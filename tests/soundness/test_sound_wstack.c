/*
 * soundness-wstack: inference@2 version 14 with a version 4 (stacked)
 * model commitment: W'_0..W'_{L-1} one tree, each leaf one salt then every
 * layer's 2^a0 entries (docs/soundness.md, "stacked W'"; the opening-level
 * checks are tests/zk/test_zk_hmixed.c's test_stack_group: two layers'
 * entries swapped in every opened leaf, a group of another width told, a
 * cut leaf). Here, end to end, each accept with its reject twins:
 *  1. a new commitment is version 4 (one root) and its proof verifies;
 *     another statement, and the proof against the version 3 commitment
 *     of the same model, are refused;
 *  2. a version 2 / 3 commitment (one tree a layer, made as before) still
 *     proves and verifies at version 14; its proof against the version 4
 *     statement is refused;
 *  3. the version 4 proof with its embedded model commitment swapped for
 *     the version 3 one (statement naming that one): refused, and the
 *     version 3 proof with the version 4 one likewise;
 *  4. the decoder: version 4 with one layer, with layers of two sizes, a
 *     group wider than ZKR_MT_MAX_LEAF_WORDS, cut in its root: MALFORMED;
 *     the encoder refuses two roots or sizes (USAGE); version 4 at set 1
 *     names its set;
 *  5. the model range proof of a version 4 commitment verifies, each
 *     layer blinded for budget + L - 1 openings with L - 1 charged when
 *     the model object is built, its own by the proof; verified against
 *     the version 3 commitment: refused;
 *  6. (adversarial review) decoder version confusion at set 2; a second
 *     model range proof from one version 4 object (refused: it showed
 *     every layer past its blinding).
 */
#include <sodium.h>
#include <string.h>

#include "prover/model_range.h"
#include "tests/zk/infer2_fixture.h"

static zkr_err verify(const zkr_buf *pf, const zkr_verifier_inference2_statement *st)
{
    zkr_diag d = {0};

    return zkr_verify_inference2(pf->p, pf->len, st, &d);
}

/*
 * pf with its embedded model commitment (the first occurrence of `from`,
 * after its u32 length) replaced by `to`, sections rebuilt: 1 on success.
 */
static int splice_mc(const zkr_buf *pf, const zkr_buf *from, const zkr_buf *to,
                     const uint8_t sid[ZKR_DIGEST_BYTES], zkr_buf *out)
{
    zkr_proof_view v;
    zkr_diag d = {0};
    zkr_buf body = {0};
    int ok, done = 0;

    ok = zkr_proof_parse(pf->p, pf->len, &v, &d) == ZKR_OK &&
         zkr_proof_begin(out, v.param_set, v.kind, sid, v.n_sections) == ZKR_OK;
    for (uint32_t i = 0; ok && i < v.n_sections; i++) {
        const uint8_t *b = v.body[i];
        size_t n = v.len[i], at = 0;
        while (!done && at + from->len <= n && memcmp(b + at, from->p, from->len) != 0)
            at++;
        if (done || at < 4 || at + from->len > n || zkr_load_be32(b + at - 4) != from->len) {
            ok = zkr_proof_add_section(out, v.tag[i], b, n) == ZKR_OK;
            continue;
        }
        {
            uint8_t len4[4];
            zkr_store_be32(len4, (uint32_t)to->len);
            body.len = 0;
            ok = zkr_buf_append(&body, b, at - 4) == ZKR_OK &&
                 zkr_buf_append(&body, len4, 4) == ZKR_OK &&
                 zkr_buf_append(&body, to->p, to->len) == ZKR_OK &&
                 zkr_buf_append(&body, b + at + from->len, n - at - from->len) == ZKR_OK &&
                 zkr_proof_add_section(out, v.tag[i], body.p, body.len) == ZKR_OK;
            done = 1;
        }
    }
    zkr_buf_free(&body);
    return ok && done;
}

/* c with its model recommitted one tree a layer (version 2 / 3), the statement following. */
static int unstacked(i2case *c, const uint8_t *seed)
{
    zkr_diag d = {0};

    zkr_infer2_model_free(c->im);
    c->im = NULL;
    c->mc.len = 0;
    if (zkr_prover_infer2_commit_unstacked_for_test(&c->p, c->m, 2, seed, 32, &c->im, &c->mc,
                                                    c->mopen, &d) != ZKR_OK) {
        zkr_tap_diag("unstacked commit: %s", d.msg);
        return 0;
    }
    zkr_infer2_mc_digest(c->mc.p, c->mc.len, c->st.model_commitment);
    return 1;
}

static void test_end_to_end(zkr_tap *t)
{
    static const uint8_t seed[32] = {4, 14};
    i2case c4, c3;
    zkr_infer2_model_commitment m4, m3;
    zkr_buf p4 = {0}, p3 = {0}, s = {0};
    zkr_verifier_inference2_statement st;
    zkr_err r4 = ZKR_ERR_INTERNAL, r3 = ZKR_ERR_INTERNAL, x43 = ZKR_ERR_INTERNAL,
            x34 = ZKR_ERR_INTERNAL, other = ZKR_ERR_INTERNAL, sp43 = ZKR_ERR_INTERNAL,
            sp34 = ZKR_ERR_INTERNAL;
    int v4 = 0, v3 = 0, spliced = 0;

    if (!i2case_init(&c4, 1, 0, 2, seed) || !i2case_init(&c3, 1, 0, 2, seed) ||
        !unstacked(&c3, seed)) {
        zkr_tap_ok(t, 0, "fixture: 4-4-2 committed stacked and unstacked");
        return;
    }
    i2case_mode(&c4, 1);
    i2case_mode(&c3, 1);
    v4 = zkr_infer2_mc_decode(&c4.p, c4.mc.p, c4.mc.len, &m4) == ZKR_OK && m4.stacked &&
         zkr_load_be32(c4.mc.p + 8) == ZKR_INFER2_MC_VERSION_STACK &&
         memcmp(m4.w[0].root, m4.w[1].root, ZKR_DIGEST_BYTES) == 0;
    v3 = zkr_infer2_mc_decode(&c3.p, c3.mc.p, c3.mc.len, &m3) == ZKR_OK && !m3.stacked &&
         zkr_load_be32(c3.mc.p + 8) != ZKR_INFER2_MC_VERSION_STACK &&
         memcmp(m3.w[0].root, m3.w[1].root, ZKR_DIGEST_BYTES) != 0;
    if (i2case_prove(&c4, 1, seed, &p4) == ZKR_OK) {
        r4 = verify(&p4, &c4.st);
        st = c4.st;
        st.statement_id[3] ^= 1;
        other = verify(&p4, &st);
        x43 = verify(&p4, &c3.st);
        if (splice_mc(&p4, &c4.mc, &c3.mc, c3.st.statement_id, &s)) {
            spliced++;
            sp43 = verify(&s, &c3.st);
        }
        zkr_buf_free(&s);
    }
    if (i2case_prove(&c3, 1, seed, &p3) == ZKR_OK) {
        r3 = verify(&p3, &c3.st);
        x34 = verify(&p3, &c4.st);
        if (splice_mc(&p3, &c3.mc, &c4.mc, c4.st.statement_id, &s)) {
            spliced++;
            sp34 = verify(&s, &c4.st);
        }
        zkr_buf_free(&s);
    }
    zkr_tap_ok(t, v4 && r4 == ZKR_OK,
               "a new commitment is version 4, one root for both layers (%d); its version %u "
               "proof verifies (%d, %zu bytes)", v4, ZKR_INFER2_VERSION, r4, p4.len);
    zkr_tap_ok(t, other != ZKR_OK && x43 == ZKR_ERR_MISMATCH_MODEL,
               "... its twins: another statement (%d), the version 3 commitment's statement "
               "(%d): refused", other, x43);
    zkr_tap_ok(t, v3 && r3 == ZKR_OK && p3.len > p4.len,
               "a version 2 / 3 commitment (one tree a layer) still proves and verifies at "
               "version %u (%d; %zu bytes, the stacked %zu)", ZKR_INFER2_VERSION, r3, p3.len,
               p4.len);
    zkr_tap_ok(t, x34 == ZKR_ERR_MISMATCH_MODEL,
               "... its twin: against the version 4 commitment's statement: refused (%d)", x34);
    zkr_tap_ok(t, spliced == 2 && sp43 != ZKR_OK && sp34 != ZKR_OK,
               "the embedded model commitment swapped, the statement naming the swapped one: "
               "the stacked proof as version 3's (%d), the unstacked one as version 4's (%d): "
               "refused", sp43, sp34);
    zkr_buf_free(&p4);
    zkr_buf_free(&p3);
    i2case_free(&c4);
    i2case_free(&c3);
}

/* The version 4 encoding of m (stacked) appended to out, raw (no encoder checks). */
static int raw_v4(const zkr_infer2_model_commitment *m, uint32_t set, zkr_buf *out)
{
    int ok = zkr_buf_append(out, "ZKRMC2\0\0", 8) == ZKR_OK &&
             zkr_enc_u32(out, ZKR_INFER2_MC_VERSION_STACK) == ZKR_OK &&
             zkr_enc_u32(out, set) == ZKR_OK &&
             zkr_buf_append(out, m->program_digest, ZKR_DIGEST_BYTES) == ZKR_OK &&
             zkr_enc_u32(out, m->n_layers) == ZKR_OK;
    for (uint32_t l = 0; ok && l < m->n_layers; l++)
        ok = zkr_enc_u32(out, m->shifts[l]) == ZKR_OK &&
             zkr_enc_u32(out, m->w[l].n_vars) == ZKR_OK &&
             zkr_enc_u32(out, m->w[l].blind_vars) == ZKR_OK;
    return ok && zkr_buf_append(out, m->w[0].root, ZKR_DIGEST_BYTES) == ZKR_OK;
}

static void test_codec(zkr_tap *t)
{
    const char *ps = getenv("ZKR_TEST_PARAM_SET");
    uint32_t set = ps ? (uint32_t)strtoul(ps, NULL, 10) : ZKR_PARAM_SET_128;
    zkr_params p;
    zkr_infer2_model_commitment m, back;
    zkr_buf b = {0};
    zkr_err good = ZKR_ERR_INTERNAL, one = ZKR_ERR_INTERNAL, sizes = ZKR_ERR_INTERNAL,
            wide = ZKR_ERR_INTERNAL, cut = ZKR_ERR_INTERNAL, e_roots = ZKR_ERR_INTERNAL,
            e_sizes = ZKR_ERR_INTERNAL, e_good = ZKR_ERR_INTERNAL;
    unsigned Tw = 0;

    if (zkr_params_get(set, &p) != ZKR_OK)
        return;
    memset(&m, 0, sizeof m);
    m.param_set = set;
    m.stacked = 1;
    m.n_layers = 2;
    memset(m.program_digest, 7, ZKR_DIGEST_BYTES);
    for (uint32_t l = 0; l < ZKR_INFER_MAX_LAYERS; l++) {
        m.shifts[l] = 8;
        m.w[l].n_vars = 10 - l % 3;
        m.w[l].blind_vars = 16 - m.w[l].n_vars;
        memset(m.w[l].root, 0x5c, ZKR_DIGEST_BYTES);
    }
    e_good = zkr_infer2_mc_encode(&m, &b);
    good = e_good == ZKR_OK ? zkr_infer2_mc_decode(&p, b.p, b.len, &back) : e_good;
    if (good == ZKR_OK && (!back.stacked || back.n_layers != 2 ||
                           memcmp(back.w[1].root, m.w[0].root, ZKR_DIGEST_BYTES) != 0 ||
                           zkr_load_be32(b.p + 12) != set))
        good = ZKR_ERR_INTERNAL;
    cut = zkr_infer2_mc_decode(&p, b.p, b.len - 1, &back);
    b.len = 0;
    m.n_layers = 1;
    one = raw_v4(&m, set, &b) ? zkr_infer2_mc_decode(&p, b.p, b.len, &back) : ZKR_ERR_INTERNAL;
    b.len = 0;
    m.n_layers = 2;
    m.w[1].blind_vars++;
    sizes = raw_v4(&m, set, &b) ? zkr_infer2_mc_decode(&p, b.p, b.len, &back) : ZKR_ERR_INTERNAL;
    e_sizes = zkr_infer2_mc_encode(&m, &b);
    m.w[1].blind_vars--;
    m.w[1].root[0] ^= 1;
    e_roots = zkr_infer2_mc_encode(&m, &b);
    m.w[1].root[0] ^= 1;
    /* 16 layers at a size whose layout's leaves hold more than 16 entries: too wide a group */
    for (unsigned T = 2; T <= p.max_vars && !Tw; T++)
        if (!zkr_infer2_mc_stack_fits(&p, ZKR_INFER_MAX_LAYERS, T) &&
            zkr_infer2_mc_stack_fits(&p, 2, T))
            Tw = T;
    if (Tw) {
        b.len = 0;
        m.n_layers = ZKR_INFER_MAX_LAYERS;
        for (uint32_t l = 0; l < m.n_layers; l++) {
            m.w[l].n_vars = Tw - 1;
            m.w[l].blind_vars = 1;
        }
        wide = raw_v4(&m, set, &b) ? zkr_infer2_mc_decode(&p, b.p, b.len, &back)
                                   : ZKR_ERR_INTERNAL;
    }
    zkr_tap_ok(t, good == ZKR_OK,
               "version 4 (two layers of one size, one root) encodes and decodes, naming its "
               "set %u (%d)", set, good);
    zkr_tap_ok(t, one == ZKR_ERR_MALFORMED && sizes == ZKR_ERR_MALFORMED &&
                      cut == ZKR_ERR_MALFORMED && (!Tw || wide == ZKR_ERR_MALFORMED),
               "... its twins: one layer (%d), two sizes (%d), cut in its root (%d), 16 layers "
               "whose group leaf passes ZKR_MT_MAX_LEAF_WORDS at T = %u (%d): MALFORMED", one,
               sizes, cut, Tw, wide);
    zkr_tap_ok(t, e_sizes == ZKR_ERR_USAGE && e_roots == ZKR_ERR_USAGE,
               "the encoder refuses a stacked commitment of two sizes (%d) or two roots (%d)",
               e_sizes, e_roots);
    zkr_buf_free(&b);
}

/*
 * (adversarial review) Version confusion in the decoder, at set 2 (where
 * versions 3 and 4 both exist): a version 3 encoding (one root a layer, the
 * roots all equal) relabelled version 4; a version 4 encoding relabelled
 * version 3; version 4 with a second root appended (per-layer roots cut
 * short); version 4 naming an unknown set, or set 1 decoded at set 2; a
 * version 2 (set 1) encoding relabelled 4 (its digest read as the set):
 * each MALFORMED or MISMATCH_PARAMS, never a commitment.
 */
static void test_codec_confusion(zkr_tap *t)
{
    zkr_params p2, p1;
    zkr_infer2_model_commitment m, back;
    zkr_buf v3 = {0}, v4 = {0}, v2 = {0}, x = {0};
    zkr_err r[7];

    for (int i = 0; i < 7; i++)
        r[i] = ZKR_ERR_INTERNAL;
    if (zkr_params_get(ZKR_PARAM_SET_128_R8, &p2) != ZKR_OK ||
        zkr_params_get(ZKR_PARAM_SET_128, &p1) != ZKR_OK)
        return;
    memset(&m, 0, sizeof m);
    m.param_set = ZKR_PARAM_SET_128_R8;
    m.n_layers = 2;
    memset(m.program_digest, 7, ZKR_DIGEST_BYTES);
    for (uint32_t l = 0; l < 2; l++) {
        m.shifts[l] = 8;
        m.w[l].n_vars = 10 - l;
        m.w[l].blind_vars = 6 + l;
        memset(m.w[l].root, 0x5c, ZKR_DIGEST_BYTES);
    }
    if (zkr_infer2_mc_encode(&m, &v3) == ZKR_OK) {
        m.stacked = 1;
        if (zkr_infer2_mc_encode(&m, &v4) == ZKR_OK) {
            m.stacked = 0;
            m.param_set = ZKR_PARAM_SET_128;
            if (zkr_infer2_mc_encode(&m, &v2) != ZKR_OK)
                v2.len = 0;
        }
    }
    if (v3.len && v4.len && v2.len && zkr_load_be32(v3.p + 8) == 3 &&
        zkr_load_be32(v4.p + 8) == 4 && zkr_load_be32(v2.p + 8) == 2 &&
        zkr_infer2_mc_decode(&p2, v4.p, v4.len, &back) == ZKR_OK &&
        zkr_infer2_mc_decode(&p2, v3.p, v3.len, &back) == ZKR_OK) {
        zkr_store_be32(v3.p + 8, 4);
        r[0] = zkr_infer2_mc_decode(&p2, v3.p, v3.len, &back);
        zkr_store_be32(v3.p + 8, 3);
        zkr_store_be32(v4.p + 8, 3);
        r[1] = zkr_infer2_mc_decode(&p2, v4.p, v4.len, &back);
        zkr_store_be32(v4.p + 8, 4);
        if (zkr_buf_append(&x, v4.p, v4.len) == ZKR_OK &&
            zkr_buf_append(&x, v4.p + v4.len - ZKR_DIGEST_BYTES, ZKR_DIGEST_BYTES) == ZKR_OK)
            r[2] = zkr_infer2_mc_decode(&p2, x.p, x.len, &back);
        zkr_store_be32(v4.p + 12, 9);
        r[3] = zkr_infer2_mc_decode(&p2, v4.p, v4.len, &back);
        zkr_store_be32(v4.p + 12, ZKR_PARAM_SET_128);
        r[4] = zkr_infer2_mc_decode(&p2, v4.p, v4.len, &back);
        r[5] = zkr_infer2_mc_decode(&p1, v4.p, v4.len, &back); /* set 1 at set 1: its own */
        zkr_store_be32(v2.p + 8, 4);
        r[6] = zkr_infer2_mc_decode(&p1, v2.p, v2.len, &back);
    }
    zkr_tap_ok(t, r[0] == ZKR_ERR_MALFORMED && r[1] == ZKR_ERR_MALFORMED &&
                      r[2] == ZKR_ERR_MALFORMED && r[3] == ZKR_ERR_MALFORMED &&
                      r[4] == ZKR_ERR_MISMATCH_PARAMS && r[5] == ZKR_OK &&
                      r[6] == ZKR_ERR_MALFORMED,
               "decoder version confusion: version 3 relabelled 4 (%d), 4 relabelled 3 (%d), "
               "version 4 with per-layer roots (%d), naming set 9 (%d): MALFORMED; naming set 1 "
               "at set 2: MISMATCH_PARAMS (%d; %d at set 1); version 2 relabelled 4 (%d): "
               "MALFORMED", r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
    zkr_buf_free(&v3);
    zkr_buf_free(&v4);
    zkr_buf_free(&v2);
    zkr_buf_free(&x);
}

static void test_mrange(zkr_tap *t)
{
    static const uint8_t seed[32] = {5, 14};
    i2case c4, c3;
    zkr_mrange_dims dims;
    zkr_buf p4 = {0}, p3 = {0};
    zkr_diag d = {0};
    zkr_err r4 = ZKR_ERR_INTERNAL, r3 = ZKR_ERR_INTERNAL, x = ZKR_ERR_INTERNAL;
    uint32_t left[2] = {0, 0}, before[2] = {0, 0}, total[2] = {0, 0};

    if (!i2case_init(&c4, 1, 0, 2, seed) || !i2case_init(&c3, 1, 0, 2, seed) ||
        !unstacked(&c3, seed)) {
        zkr_tap_ok(t, 0, "fixture: 4-4-2 committed stacked and unstacked");
        return;
    }
    memset(&dims, 0, sizeof dims);
    dims.n_layers = 2;
    for (uint32_t l = 0; l < 2; l++) {
        dims.in_dim[l] = c4.dims[l];
        dims.out_dim[l] = c4.dims[l + 1];
    }
    {
        zkr_hpcs_poly *w[2] = {zkr_infer2_model_layer_poly(c4.im, 0),
                               zkr_infer2_model_layer_poly(c4.im, 1)};
        for (int l = 0; l < 2; l++) {
            before[l] = zkr_hpcs_budget_left(w[l]);
            total[l] = zkr_hpcs_budget_total(w[l]);
        }
        if (zkr_prover_mrange(&c4.p, c4.mc.p, c4.mc.len, &dims, w, seed, 32, 1, &p4, &d) ==
            ZKR_OK) {
            r4 = zkr_mrange_verify(&c4.p, c4.mc.p, c4.mc.len, &dims, p4.p, p4.len, &d);
            x = zkr_mrange_verify(&c4.p, c3.mc.p, c3.mc.len, &dims, p4.p, p4.len, &d);
        }
        for (int l = 0; l < 2; l++)
            left[l] = zkr_hpcs_budget_left(w[l]);
    }
    {
        zkr_hpcs_poly *w[2] = {zkr_infer2_model_layer_poly(c3.im, 0),
                               zkr_infer2_model_layer_poly(c3.im, 1)};
        if (zkr_prover_mrange(&c3.p, c3.mc.p, c3.mc.len, &dims, w, seed, 32, 1, &p3, &d) ==
            ZKR_OK)
            r3 = zkr_mrange_verify(&c3.p, c3.mc.p, c3.mc.len, &dims, p3.p, p3.len, &d);
    }
    zkr_tap_ok(t, r4 == ZKR_OK && total[0] == 3 && total[1] == 3 && before[0] == 2 &&
                      before[1] == 2 && left[0] == 1 && left[1] == 1,
               "the model range proof of a version 4 commitment verifies (%d, %zu bytes); each "
               "layer blinded for budget + L - 1 = %u and %u openings, the other layer's range "
               "opening charged at commit (left %u, %u: the budget), its own by the proof "
               "(left %u, %u)", r4, p4.len, total[0], total[1], before[0], before[1], left[0],
               left[1]);
    zkr_tap_ok(t, x != ZKR_OK && r3 == ZKR_OK,
               "... its twin: verified against the version 3 commitment of the same model: "
               "refused (%d); the version 3 commitment's own range proof verifies (%d, %zu "
               "bytes)", x, r3, p3.len);
    zkr_buf_free(&p4);
    zkr_buf_free(&p3);
    i2case_free(&c4);
    i2case_free(&c3);
}

/*
 * (adversarial review) A second model range proof from one version 4
 * model object. Each layer's opening of the group's tree shows every
 * layer's codeword entries at its positions; the object pre-charges each
 * layer L - 1 openings for ONE range proof's other openings. A second
 * range proof from the same object charged each layer only its own
 * opening while showing L: with budget 2 (blinded for 2 + L - 1 = 3
 * openings, L = 2) two range proofs showed each layer's entries at 2 x 2
 * = 4 openings' positions, past its blinding. A member of a stacked group
 * opens alone at most once an object: the second range proof is refused,
 * each layer's budget untouched; the first still verifies.
 */
static void test_mrange_twice(zkr_tap *t)
{
    static const uint8_t seed[32] = {6, 14};
    i2case c;
    zkr_mrange_dims dims;
    zkr_buf p1 = {0}, p2 = {0};
    zkr_diag d = {0};
    zkr_err r1 = ZKR_ERR_INTERNAL, v1 = ZKR_ERR_INTERNAL, r2 = ZKR_ERR_INTERNAL;
    uint32_t total[2] = {0, 0}, mid[2] = {0, 0}, after[2] = {0, 0}, shown[2] = {0, 0};

    if (!i2case_init(&c, 1, 0, 2, seed)) {
        zkr_tap_ok(t, 0, "fixture: 4-4-2 committed stacked");
        return;
    }
    memset(&dims, 0, sizeof dims);
    dims.n_layers = 2;
    for (uint32_t l = 0; l < 2; l++) {
        dims.in_dim[l] = c.dims[l];
        dims.out_dim[l] = c.dims[l + 1];
    }
    {
        zkr_hpcs_poly *w[2] = {zkr_infer2_model_layer_poly(c.im, 0),
                               zkr_infer2_model_layer_poly(c.im, 1)};
        r1 = zkr_prover_mrange(&c.p, c.mc.p, c.mc.len, &dims, w, seed, 32, 1, &p1, &d);
        if (r1 == ZKR_OK)
            v1 = zkr_mrange_verify(&c.p, c.mc.p, c.mc.len, &dims, p1.p, p1.len, &d);
        for (int l = 0; l < 2; l++) {
            total[l] = zkr_hpcs_budget_total(w[l]);
            mid[l] = zkr_hpcs_budget_left(w[l]);
        }
        r2 = zkr_prover_mrange(&c.p, c.mc.p, c.mc.len, &dims, w, seed, 32, 1, &p2, &d);
        for (int l = 0; l < 2; l++) {
            after[l] = zkr_hpcs_budget_left(w[l]);
            /* each range proof made shows every layer at L = 2 openings' positions */
            shown[l] = 2 * ((r1 == ZKR_OK) + (r2 == ZKR_OK));
        }
    }
    zkr_tap_ok(t, r1 == ZKR_OK && v1 == ZKR_OK && r2 != ZKR_OK && p2.len == 0 &&
                      after[0] == mid[0] && after[1] == mid[1] && shown[0] <= total[0] &&
                      shown[1] <= total[1],
               "a second model range proof from one version 4 object is refused (%d, %zu "
               "bytes; the first %d, verified %d): no layer shown at more openings than its "
               "blinding (%u, %u shown of %u, %u), budgets untouched (%u, %u left, %u, %u "
               "before)", r2, p2.len, r1, v1, shown[0], shown[1], total[0], total[1], after[0],
               after[1], mid[0], mid[1]);
    zkr_buf_free(&p1);
    zkr_buf_free(&p2);
    i2case_free(&c);
}

/*
 * (adversarial review) A two-layer model (512-64-2, 2^16 entries in W'_0,
 * 2^8 in W'_1 blinded up to W'_0's size) whose W' stack into one group of
 * full-size members beside the joiner pairs (h-phi, V-m) in one mixed
 * opening (the diagnostic says whether its mask also nests: at these
 * sizes V joins in layer 0, so it does not). Proves and verifies with
 * public and hidden outputs; its twins (another record index, a flipped
 * byte in the opening) are refused.
 */
static void test_group_and_nest(zkr_tap *t)
{
    static const uint8_t seed[32] = {7, 14};
    zkr_infer2_model_commitment mc;
    i2case c;
    zkr_buf pp = {0}, ph = {0};
    zkr_err rp = ZKR_ERR_INTERNAL, rh = ZKR_ERR_INTERNAL, vp = ZKR_ERR_INTERNAL,
            vh = ZKR_ERR_INTERNAL, other = ZKR_ERR_INTERNAL, flip = ZKR_ERR_INTERNAL;
    int stacked = 0, nests = 0;

    if (!i2case_init(&c, 5, 0, 4, seed)) {
        zkr_tap_ok(t, 0, "fixture: 512-64-2 committed");
        return;
    }
    stacked = zkr_infer2_mc_decode(&c.p, c.mc.p, c.mc.len, &mc) == ZKR_OK && mc.stacked;
    nests = i2case_nests(&c, 1);
    i2case_mode(&c, 1);
    if ((rp = i2case_prove(&c, 1, seed, &pp)) == ZKR_OK) {
        zkr_verifier_inference2_statement st = c.st;
        vp = verify(&pp, &c.st);
        st.record_index = 0;
        other = verify(&pp, &st);
        pp.p[pp.len - pp.len / 8] ^= 0x10;
        flip = verify(&pp, &c.st);
        pp.p[pp.len - pp.len / 8] ^= 0x10;
    }
    i2case_mode(&c, 0);
    if ((rh = i2case_prove(&c, 0, seed, &ph)) == ZKR_OK)
        vh = verify(&ph, &c.st);
    zkr_tap_ok(t, stacked && rp == ZKR_OK && vp == ZKR_OK && rh == ZKR_OK && vh == ZKR_OK &&
                      other != ZKR_OK && flip != ZKR_OK,
               "512-64-2: a version 4 commitment (%d) whose group opens beside the joiner "
               "pairs (%s nested mask) proves and verifies, public output (%d, %d) and "
               "hidden (%d, %d); another record index (%d), a flipped byte (%d): refused", stacked,
               nests ? "a" : "no", rp, vp, rh, vh, other, flip);
    zkr_buf_free(&pp);
    zkr_buf_free(&ph);
    i2case_free(&c);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0)
        return 1;
    test_codec(&t);
    test_codec_confusion(&t);
    test_end_to_end(&t);
    test_mrange(&t);
    test_mrange_twice(&t);
    test_group_and_nest(&t);
    return zkr_tap_done(&t);
}
