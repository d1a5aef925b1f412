/*
 * zk-ginfer2-net: the whole graph-inference@2 proof (version 3) of a small
 * CNN (1 x 6 x 6 record -> conv 3x3 ReLU -> max pool 2x2 -> dense 3,
 * public logits), its record one of a hiding dataset of three (inference@2's
 * record commitments, the flat layout and a label), its model behind a
 * model commitment (zk/ginfer2_mc.h). At the production parameters, once:
 * the proof verifies, the proven logits equal the reference inference, a
 * bit flip is refused, the soundness figure is >= the target. On the
 * tests' reduced set (g2n_fx_reduce: no grinding, 16 queries, rate 1/2,
 * prover and verifier alike; the same checks), over one honest proof: the
 * same seeds give byte-identical proofs; 24 bit flips, a truncation, a
 * trailing byte, versions 2 and 1 relabelled, another statement id,
 * another expected output and a flipped logit in the proof are refused;
 * the record binding's twins (another record index, another record of the
 * same dataset, another dataset, a path for another dataset, a record
 * commitment not in the dataset) and the model's (another model's
 * commitment, one root named for two nodes, two nodes' roots swapped,
 * another model's commitment carried) are refused; a second proof over
 * commitments made for one is refused (budget); the model commitment's
 * decoder is strict (and admits one reading per program: a max pooling
 * entry, a node twice, entries out of order, another node count, M, b,
 * shift, blinding, tensor size, program digest or output count altered
 * are refused by the decoder or the fit, and by the verifier with the
 * altered encoding's digest named), and a graph model committed from a seed reopens (and
 * another key, or a budget needing other blinding sizes, does not), and a
 * proof made through it verifies.
 */
#include <math.h>

#include "tests/tap.h"
#include "tests/zk/ginfer2_net_fx.h"

static zkr_err verify(const g2n_fx *f, const uint8_t *pf, size_t len)
{
    zkr_verifier_ginf2_statement st;

    g2n_fx_statement(f, &st);
    return zkr_verify_ginfer2(pf, len, &st, NULL, 0, NULL, NULL);
}

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 net", NULL, 0);
}

/* Commits f (seed tag) for one proof and proves it (seed tag + 1). */
static zkr_err commit_prove(g2n_fx *f, uint8_t tag, zkr_buf *pf, zkr_buf *out)
{
    zkr_zkrng g;
    zkr_err r;

    pf->len = out->len = 0;
    if ((r = seeded(&g, tag)) != ZKR_OK || (r = g2n_fx_commit(f, 1, &g)) != ZKR_OK)
        goto out;
    zkr_zkrng_wipe(&g);
    if ((r = seeded(&g, (uint8_t)(tag + 1))) == ZKR_OK)
        r = g2n_fx_prove(f, &g, pf, out);
out:
    zkr_zkrng_wipe(&g);
    return r;
}

/* The offset of section `tag`'s body in a container (header 8+4*4+32+4, entries tag|len). */
static size_t section_at(const uint8_t *pf, size_t len, uint32_t tag)
{
    zkr_proof_view v;

    if (zkr_proof_parse(pf, len, &v, NULL) != ZKR_OK)
        return 0;
    for (uint32_t k = 0; k < v.n_sections; k++)
        if (v.tag[k] == tag)
            return (size_t)(v.body[k] - pf);
    return 0;
}

/* The production run: proven, the logits read back, one bit flip, the figure. */
static void production(zkr_tap *t)
{
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_buf pf = {0}, out = {0};
    zkr_verifier_ginf2_statement st;
    unsigned we[ZKR_GINF2_NET_MAX_NODES] = {0};
    int8_t y[16];
    uint32_t ny = 0;
    zkr_err e = ZKR_ERR_NOMEM;

    if (f && (e = g2n_fx_init(f, 0, 1)) == ZKR_OK)
        e = commit_prove(f, 1, &pf, &out);
    zkr_tap_ok(t, e == ZKR_OK && f->net.n_rel == 5 && f->net.share == 6,
               "production parameters: the small CNN proven (%d, %zu bytes; conv, requant, "
               "pool, dense, requant)", (int)e, pf.len);
    if (e != ZKR_OK)
        goto out;
    g2n_fx_statement(f, &st);
    st.output = NULL;
    e = zkr_verify_ginfer2(pf.p, pf.len, &st, y, sizeof y, &ny, NULL);
    zkr_tap_ok(t, e == ZKR_OK && ny == f->n_logits && memcmp(y, f->logits, ny) == 0,
               "verifies; the proven logits equal the reference inference (%d: %d %d %d)",
               (int)e, y[0], y[1], y[2]);
    pf.p[pf.len - 333] ^= 8;
    zkr_tap_ok(t, verify(f, pf.p, pf.len) != ZKR_OK, "a bit flip is refused");
    pf.p[pf.len - 333] ^= 8;
    for (uint32_t i = 1; i < f->net.n; i++)
        we[i] = f->wc[i].blind_vars;
    {
        double bits = zkr_ginf2_net_soundness(&f->p, &f->net, f->xc.blind_vars, we);
        double base = zkr_ginf2_net_soundness_base(&f->p, &f->net, f->xc.blind_vars, we);
        zkr_tap_ok(t, bits >= (double)f->p.target_bits,
                   "soundness %.2f bits (union of %u relations and the output claim; %.2f "
                   "without the extra grinding)", bits, f->net.n_rel, base);
    }
out:
    zkr_buf_free(&pf), zkr_buf_free(&out);
    if (f)
        g2n_fx_free(f);
    free(f);
}

/*
 * A refused program or statement is refused before any proof byte is
 * read: against 3 garbage bytes (MALFORMED had the container been parsed
 * first) the refusal is the program's or the statement's own.
 */
static void refused_first(zkr_tap *t, const g2n_fx *f)
{
    static const uint8_t junk[3] = {0xde, 0xad, 0x00};
    zkr_verifier_ginf2_statement st;
    zkr_ml_gprog g = f->g;
    zkr_diag dg;
    zkr_err e;

    g.n_nodes = 3; /* input, conv, max pool: the last node a pooling */
    g2n_fx_statement(f, &st);
    st.g = &g;
    zkr_diag_clear(&dg);
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "last node"),
               "a program ending in a max pooling is refused before the proof is read (%d: %s)",
               (int)e, dg.msg);
    g = f->g;
    /* every op has its relation now (LOOKUP, CONCAT too): an INPUT past node 0 has none */
    g.nodes[2].op = ZKR_ML_GOP_INPUT;
    zkr_diag_clear(&dg);
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "no zero-knowledge relation"),
               "a node without a relation (an INPUT past node 0) is refused before the proof is "
               "read (%d: %s)", (int)e, dg.msg);
    g = f->g;
    g.nodes[3].in[0] = 0; /* the dense reads the record too (a DAG, but two readers of it) */
    zkr_diag_clear(&dg);
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "read by 2 nodes"),
               "a record read by two nodes is refused before the proof is read (%d: %s)", (int)e,
               dg.msg);
    g = f->g;
    g.nodes[1].groups = 2;
    zkr_diag_clear(&dg);
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "grouped conv"),
               "a grouped conv is refused before the proof is read (%d: %s)", (int)e, dg.msg);
    g = f->g;
    g.nodes[1] = f->g.nodes[2], g.nodes[1].in[0] = 0; /* a max pooling over the record */
    zkr_diag_clear(&dg);
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "reads a CONV / DENSE"),
               "a max pooling over the record is refused before the proof is read (%d: %s)",
               (int)e, dg.msg);
    g2n_fx_statement(f, &st);
    st.model_commitment = NULL;
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, NULL);
    zkr_tap_ok(t, e == ZKR_ERR_USAGE,
               "a statement without a model commitment is refused before the proof is read (%d)",
               (int)e);
}

/* Section 31's binding in pf: the model commitment's bytes (*mc, *mc_len) and the record's at *rb. */
static int bind_of(const zkr_buf *pf, size_t *mc, size_t *mc_len, size_t *rb)
{
    size_t at = section_at(pf->p, pf->len, ZKR_SEC_GINF2_ROOTS);

    if (!at)
        return 0;
    *mc = at + 8;
    *mc_len = zkr_load_be32(pf->p + at + 4);
    *rb = *mc + *mc_len; /* u64 n | root | u64 index | rc | u32 path_len | path */
    return 1;
}

/* Verifies a copy of pf with f's statement changed by (idx, dsc, mcd) (NULL: f's). */
static zkr_err verify_st(const g2n_fx *f, const zkr_buf *pf, uint64_t idx, const uint8_t *dsc,
                         const uint8_t *mcd, zkr_diag *dg)
{
    zkr_verifier_ginf2_statement st;

    g2n_fx_statement(f, &st);
    st.record_index = idx;
    if (dsc)
        st.dataset_commitment = dsc;
    if (mcd)
        st.model_commitment = mcd;
    zkr_diag_clear(dg);
    return zkr_verify_ginfer2(pf->p, pf->len, &st, NULL, 0, NULL, dg);
}

/* The record binding's reject twins. */
static void record_twins(zkr_tap *t, const g2n_fx *f, const g2n_fx *f2, const zkr_buf *pf0)
{
    zkr_buf pf = {0};
    size_t mc, mcl, rb;
    uint8_t leaves[G2N_FX_RECS][ZKR_DIGEST_BYTES], path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    size_t plen = 0;
    zkr_diag dg;
    zkr_err e;

    if (zkr_buf_append(&pf, pf0->p, pf0->len) != ZKR_OK || !bind_of(&pf, &mc, &mcl, &rb))
        return (void)zkr_tap_ok(t, 0, "record twins: the proof's section 31");
    e = verify_st(f, &pf, 0, NULL, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_MISMATCH_INPUT, "another record index is refused (%d: %s)", (int)e,
               dg.msg);
    e = verify_st(f, &pf, G2N_FX_INDEX, f2->dsc, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_MISMATCH_DATASET, "another dataset is refused (%d: %s)", (int)e,
               dg.msg);
    /* another record of the same dataset: record 0's commitment, index and path */
    for (uint32_t k = 0; k < G2N_FX_RECS; k++)
        zkr_infer2_record_leaf(f->rc[k], leaves[k]);
    e = zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, G2N_FX_RECS, 0,
                                   path, &plen);
    if (e == ZKR_OK && plen == f->path_len) {
        zkr_store_be64(pf.p + rb + 40, 0);
        memcpy(pf.p + rb + 48, f->rc[0], ZKR_RECORD_COMMIT_BYTES);
        memcpy(pf.p + rb + 100, path, plen * ZKR_DIGEST_BYTES);
        e = verify_st(f, &pf, 0, NULL, NULL, &dg);
    } else {
        e = ZKR_ERR_USAGE;
    }
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY,
               "another record of the same dataset (its commitment, index, path) is refused by "
               "the relations (%d: %s)", (int)e, dg.msg);
    memcpy(pf.p, pf0->p, pf.len);
    /* a path for another dataset: f2's root carried, f2's dataset named */
    memcpy(pf.p + rb + 8, f2->root, ZKR_DIGEST_BYTES);
    e = verify_st(f, &pf, G2N_FX_INDEX, f2->dsc, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_MISMATCH_INPUT, "a path for another dataset is refused (%d: %s)",
               (int)e, dg.msg);
    memcpy(pf.p, pf0->p, pf.len);
    memcpy(pf.p + rb + 48, f2->rc[G2N_FX_INDEX], ZKR_RECORD_COMMIT_BYTES);
    e = verify_st(f, &pf, G2N_FX_INDEX, NULL, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_MISMATCH_INPUT,
               "a record commitment not in the dataset is refused (%d: %s)", (int)e, dg.msg);
    zkr_buf_free(&pf);
}

/* The model commitment's reject twins (the encoding in the proof replaced, same length). */
static void model_twins(zkr_tap *t, const g2n_fx *f, const g2n_fx *f2, const zkr_buf *pf0)
{
    zkr_buf pf = {0}, enc = {0};
    size_t mc, mcl, rb;
    uint8_t dg2[ZKR_DIGEST_BYTES];
    const zkr_hpcs_commitment *dup[G2N_FX_MAX] = {0}, *swap[G2N_FX_MAX] = {0};
    zkr_diag dg;
    zkr_err e;

    if (zkr_buf_append(&pf, pf0->p, pf0->len) != ZKR_OK || !bind_of(&pf, &mc, &mcl, &rb))
        return (void)zkr_tap_ok(t, 0, "model twins: the proof's section 31");
    e = verify_st(f, &pf, G2N_FX_INDEX, NULL, f2->mcd, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_MISMATCH_MODEL,
               "another model's commitment named is refused (%d: %s)", (int)e, dg.msg);
    memcpy(pf.p + mc, f2->mc.p, mcl);
    e = f2->mc.len == mcl ? verify_st(f, &pf, G2N_FX_INDEX, NULL, f2->mcd, &dg) : ZKR_ERR_USAGE;
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY,
               "another model's commitment carried and named is refused by the relations (%d)",
               (int)e);
    dup[3] = &f->wc[1]; /* the dense named with the conv's root (both 2^5 values) */
    e = g2n_fx_mc(f, dup, &enc);
    if (e == ZKR_OK && enc.len == mcl) {
        memcpy(pf.p + mc, enc.p, mcl);
        zkr_ginf2_mc_digest(enc.p, enc.len, dg2);
        e = verify_st(f, &pf, G2N_FX_INDEX, NULL, dg2, &dg);
    }
    zkr_tap_ok(t, e == ZKR_ERR_MISMATCH_MODEL && strstr(dg.msg, "one root"),
               "one root named for two nodes is refused (%d: %s)", (int)e, dg.msg);
    swap[1] = &f->wc[3], swap[3] = &f->wc[1];
    e = g2n_fx_mc(f, swap, &enc);
    if (e == ZKR_OK && enc.len == mcl) {
        memcpy(pf.p + mc, enc.p, mcl);
        zkr_ginf2_mc_digest(enc.p, enc.len, dg2);
        e = verify_st(f, &pf, G2N_FX_INDEX, NULL, dg2, &dg);
    }
    zkr_tap_ok(t, f->wc[1].n_vars == f->wc[3].n_vars && e == ZKR_ERR_VERIFY,
               "the conv's and the dense's W swapped (same size) are refused (%d)", (int)e);
    zkr_buf_free(&pf), zkr_buf_free(&enc);
}


/*
 * Adversarial review (graph-inference@2 through the product): the model
 * commitment ZKRGM2 admits one reading per program. Each altered encoding
 * below (f's, two entries: node 1 the conv, node 3 the dense) is refused
 * by the strict decoder or by the fit to the program, and, carried in an
 * honest proof with its own digest named as the registered one (what a
 * registry that took it would bind), by the verifier before any relation
 * (MISMATCH_MODEL, never VERIFY): an entry for the max pooling, a node
 * named twice, entries out of order, another node count, a multiplier past
 * 2^31-1, a bias past 2^30, shift 0 and 49, no blinding variable, a weight
 * tensor of another size, another program's digest, another output count.
 */
/* the small CNN's layout: entries u32 node | u32 op | payload (shift, cout, M[2], b[2], n, e, root) */
enum { MC_HDR = 52, MC_E1 = 52, MC_E3 = 124, MC_LEN = 204 };

static void mc_put(zkr_buf *b, const zkr_buf *src, size_t at, uint32_t v)
{
    b->len = 0;
    if (zkr_buf_append(b, src->p, src->len) == ZKR_OK && at + 4 <= b->len)
        zkr_store_be32(b->p + at, v);
}

/* enc refused by decode (want_dec) or by the fit, and in a proof with its digest named. */
static void mc_refused(zkr_tap *t, const g2n_fx *f, const zkr_buf *pf0, const zkr_buf *enc,
                       int want_dec, const char *what)
{
    zkr_buf pf = {0};
    zkr_ginf2_mc mc;
    zkr_ginf2_pub mp;
    uint8_t dg2[ZKR_DIGEST_BYTES];
    size_t at, mcl, rb;
    zkr_err ed, ef = ZKR_OK, ev = ZKR_ERR_USAGE;
    zkr_diag dg;

    ed = zkr_ginf2_mc_decode(&f->p, enc->p, enc->len, &mc);
    if (ed == ZKR_OK)
        ef = zkr_ginf2_mc_fit(&f->g, &mc, &mp, NULL), zkr_ginf2_mc_clear(&mc);
    zkr_diag_clear(&dg);
    if (zkr_buf_append(&pf, pf0->p, pf0->len) == ZKR_OK && bind_of(&pf, &at, &mcl, &rb) &&
        mcl == enc->len) {
        memcpy(pf.p + at, enc->p, mcl);
        zkr_ginf2_mc_digest(enc->p, enc->len, dg2);
        ev = verify_st(f, &pf, G2N_FX_INDEX, NULL, dg2, &dg);
    }
    zkr_tap_ok(t, (want_dec ? ed == ZKR_ERR_MALFORMED : ed == ZKR_OK && ef == ZKR_ERR_MISMATCH_MODEL) &&
                      ev == ZKR_ERR_MISMATCH_MODEL,
               "model commitment: %s is refused by the %s and the verifier (%d %d %d: %s)", what,
               want_dec ? "decoder" : "fit", (int)ed, (int)ef, (int)ev, dg.msg);
    zkr_buf_free(&pf);
}

static void mc_canonical(zkr_tap *t, const g2n_fx *f, const zkr_buf *pf0)
{
    const zkr_buf *mc = &f->mc;
    zkr_buf b = {0};

    if (!zkr_tap_ok(t, mc->len == MC_LEN && zkr_load_be32(mc->p + MC_E1) == 1 &&
                           zkr_load_be32(mc->p + MC_E3) == 3 &&
                           zkr_load_be32(mc->p + MC_E3 + 12) == 3,
                    "model commitment: the small CNN's layout (%zu bytes)", mc->len))
        return;
    mc_put(&b, mc, MC_E3, 2);
    mc_refused(t, f, pf0, &b, 0, "an entry for the max pooling node");
    mc_put(&b, mc, MC_E3, 1);
    mc_refused(t, f, pf0, &b, 1, "node 1 named twice");
    /* entries out of order: the dense's, then the conv's */
    b.len = 0;
    if (zkr_buf_append(&b, mc->p, MC_HDR) == ZKR_OK &&
        zkr_buf_append(&b, mc->p + MC_E3, MC_LEN - MC_E3) == ZKR_OK)
        (void)!zkr_buf_append(&b, mc->p + MC_E1, MC_E3 - MC_E1);
    mc_refused(t, f, pf0, &b, 1, "entries out of order");
    mc_put(&b, mc, 44, 5);
    mc_refused(t, f, pf0, &b, 0, "a node count of 5");
    mc_put(&b, mc, MC_E1 + 16, 0x80000000u);
    mc_refused(t, f, pf0, &b, 1, "a multiplier of 2^31");
    mc_put(&b, mc, MC_E1 + 24, (1u << 30) + 1u);
    mc_refused(t, f, pf0, &b, 1, "a bias of 2^30 + 1");
    mc_put(&b, mc, MC_E1 + 8, 0);
    mc_refused(t, f, pf0, &b, 1, "shift 0");
    mc_put(&b, mc, MC_E1 + 8, 49);
    mc_refused(t, f, pf0, &b, 1, "shift 49");
    mc_put(&b, mc, MC_E1 + 36, 0);
    mc_refused(t, f, pf0, &b, 1, "a weight commitment without blinding");
    mc_put(&b, mc, MC_E1 + 32, zkr_load_be32(mc->p + MC_E1 + 32) + 1u);
    mc_refused(t, f, pf0, &b, 0, "a weight tensor of twice the size");
    mc_put(&b, mc, 12, zkr_load_be32(mc->p + 12) ^ 1u);
    mc_refused(t, f, pf0, &b, 0, "another program's digest");
    mc_put(&b, mc, MC_E3 + 12, 2);
    mc_refused(t, f, pf0, &b, 1, "the dense's output count 3 read as 2 (bytes left over)");
    zkr_buf_free(&b);
}

/* f's model as a quantized graph model file, decoded (ml/ml.h). */
static zkr_err fx_gmodel(const g2n_fx *f, zkr_ml_gmodel **gm)
{
    zkr_ml_gparams pr[G2N_FX_MAX];
    uint32_t mult[G2N_FX_MAX][4];
    int32_t bias[G2N_FX_MAX][4];
    zkr_buf b = {0};
    zkr_err r;

    memset(pr, 0, sizeof pr);
    for (uint32_t i = 1; i < f->g.n_nodes; i++) {
        if (!f->m[i])
            continue;
        for (uint32_t c = 0; c < f->g.nodes[i].c && c < 4; c++)
            mult[i][c] = (uint32_t)f->m[i][c], bias[i][c] = (int32_t)f->b[i][c];
        pr[i].w = f->w[i], pr[i].mult = mult[i], pr[i].bias = bias[i], pr[i].shift = 16;
    }
    if ((r = zkr_ml_gmodel_encode(&f->g, pr, &b, NULL)) == ZKR_OK)
        r = zkr_ml_gmodel_decode(b.p, b.len, gm, NULL);
    zkr_buf_free(&b);
    return r;
}

/*
 * The model commitment from a graph model (zkr_prover_ginfer2_commit): the
 * same seed gives the same bytes, it reopens (another key or budget does
 * not), its encoding decodes strictly and fits the program, and a proof
 * made through zkr_ginf2_model_input over f2's dataset verifies.
 */
static void model_commit(zkr_tap *t, g2n_fx *f2)
{
    static const uint8_t seed[32] = {5, 4, 3};
    zkr_ml_gmodel *m = NULL;
    zkr_ginf2_model *gm = NULL, *gm2 = NULL;
    zkr_buf enc = {0}, enc2 = {0}, pf = {0}, out = {0};
    uint8_t op[ZKR_GINF2_OPENING_BYTES], op2[ZKR_GINF2_OPENING_BYTES], dg[ZKR_DIGEST_BYTES];
    zkr_ginf2_mc mc;
    zkr_ginf2_pub mp;
    zkr_err e;

    e = fx_gmodel(f2, &m);
    if (e == ZKR_OK)
        e = zkr_prover_ginfer2_commit(&f2->p, m, 2, seed, sizeof seed, 1, &gm, &enc, op, NULL);
    if (e == ZKR_OK)
        e = zkr_prover_ginfer2_commit(&f2->p, m, 2, seed, sizeof seed, 1, &gm2, &enc2, op2, NULL);
    zkr_tap_ok(t, e == ZKR_OK && enc.len == enc2.len && memcmp(enc.p, enc2.p, enc.len) == 0 &&
                      memcmp(op, op2, sizeof op) == 0 && zkr_ginf2_model_proofs_left(gm) == 2,
               "model commitment: committed from a graph model; the same seed gives the same "
               "bytes (%d, %zu bytes)", (int)e, enc.len);
    if (e != ZKR_OK)
        goto out;
    zkr_ginf2_model_free(gm2), gm2 = NULL;
    e = zkr_prover_ginfer2_reopen(&f2->p, m, enc.p, enc.len, op, 1, &gm2, NULL);
    zkr_tap_ok(t, e == ZKR_OK, "model commitment: reopens from the model and the opening (%d)",
               (int)e);
    zkr_ginf2_model_free(gm2), gm2 = NULL;
    op[20] ^= 1;
    e = zkr_prover_ginfer2_reopen(&f2->p, m, enc.p, enc.len, op, 1, &gm2, NULL);
    op[20] ^= 1;
    zkr_tap_ok(t, e == ZKR_ERR_MISMATCH_MODEL, "model commitment: another key is refused (%d)",
               (int)e);
    op[6] = 7; /* budget 2 -> 1794: other blinding sizes (the budget is bound through them) */
    e = zkr_prover_ginfer2_reopen(&f2->p, m, enc.p, enc.len, op, 1, &gm2, NULL);
    op[6] = 0;
    zkr_tap_ok(t, e == ZKR_ERR_MISMATCH_MODEL,
               "model commitment: a budget needing more blinding is refused (%d)", (int)e);
    e = zkr_ginf2_mc_decode(&f2->p, enc.p, enc.len, &mc);
    if (e == ZKR_OK)
        e = zkr_ginf2_mc_fit(&f2->g, &mc, &mp, NULL);
    zkr_tap_ok(t, e == ZKR_OK && zkr_ginf2_mc_has_w(&mc, 1) && zkr_ginf2_mc_has_w(&mc, 3) &&
                      !mc.op[2] && mp.shift[3] == 16 &&
                      mp.m[1][1] == f2->m[1][1] && mp.b[3][2] == f2->b[3][2],
               "model commitment: decodes and fits the program (M, b, shift public) (%d)", (int)e);
    zkr_ginf2_mc_clear(&mc);
    {
        int strict = 1;
        strict &= zkr_ginf2_mc_decode(&f2->p, enc.p, enc.len - 1, &mc) == ZKR_ERR_MALFORMED;
        (void)!zkr_buf_append(&enc2, "", 1);
        strict &= zkr_ginf2_mc_decode(&f2->p, enc2.p, enc2.len, &mc) == ZKR_ERR_MALFORMED;
        enc.p[11] = 1; /* version 2 -> 1 */
        strict &= zkr_ginf2_mc_decode(&f2->p, enc.p, enc.len, &mc) == ZKR_ERR_MALFORMED;
        enc.p[11] = 2;
        enc.p[5] ^= 1; /* the magic */
        strict &= zkr_ginf2_mc_decode(&f2->p, enc.p, enc.len, &mc) == ZKR_ERR_MALFORMED;
        enc.p[5] ^= 1;
        zkr_tap_ok(t, strict, "model commitment: truncation, a trailing byte, version 1, another "
                              "magic are refused");
    }
    {
        zkr_prover_ginf2_in in;
        zkr_verifier_ginf2_statement st;
        zkr_ginf2_popts o = {1, ZKR_GINF2_OFF_GRIND, 0, 0, 0, 0};
        zkr_zkrng g;
        memset(&in, 0, sizeof in);
        zkr_ginf2_model_input(gm, &in);
        in.statement_id = f2->sid, in.rec = &f2->rec, in.x = f2->xp;
        e = seeded(&g, 31);
        if (e == ZKR_OK)
            e = zkr_prover_ginfer2(&f2->p, &in, &o, &g, &pf, &out, NULL);
        zkr_zkrng_wipe(&g);
        zkr_ginf2_mc_digest(enc.p, enc.len, dg);
        g2n_fx_statement(f2, &st);
        st.model_commitment = dg;
        if (e == ZKR_OK)
            e = zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL);
        zkr_tap_ok(t, e == ZKR_OK && zkr_ginf2_model_proofs_left(gm) == 1,
                   "a proof through the committed graph model verifies against its digest (%d)",
                   (int)e);
    }
out:
    zkr_ginf2_model_free(gm), zkr_ginf2_model_free(gm2);
    zkr_ml_gmodel_free(m);
    zkr_buf_free(&enc), zkr_buf_free(&enc2), zkr_buf_free(&pf), zkr_buf_free(&out);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    g2n_fx f, f2;
    zkr_buf pf = {0}, out = {0}, pf2 = {0}, out2 = {0};
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    production(&t);
    if (g2n_fx_init(&f, 0, 1) != ZKR_OK || g2n_fx_init(&f2, 0, 2) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    g2n_fx_reduce(&f), g2n_fx_reduce(&f2);
    e = commit_prove(&f, 1, &pf, &out);
    zkr_tap_ok(&t, e == ZKR_OK && verify(&f, pf.p, pf.len) == ZKR_OK,
               "reduced set: proven and verifies against the expected output (%d, %zu bytes)",
               (int)e, pf.len);
    e = commit_prove(&f, 1, &pf2, &out2);
    zkr_tap_ok(&t, e == ZKR_OK && pf2.len == pf.len && memcmp(pf.p, pf2.p, pf.len) == 0,
               "the same seeds give byte-identical proofs");
    refused_first(&t, &f);
    {
        int flips = 1;
        for (size_t k = 0; k < 24 && pf.len; k++) {
            size_t at = (k * 104729u + 11u) % pf.len;
            pf.p[at] ^= (uint8_t)(1u << (k % 8));
            flips &= verify(&f, pf.p, pf.len) != ZKR_OK;
            pf.p[at] ^= (uint8_t)(1u << (k % 8));
        }
        zkr_tap_ok(&t, flips, "24 bit flips are refused");
    }
    zkr_tap_ok(&t, verify(&f, pf.p, pf.len - 1) == ZKR_ERR_MALFORMED,
               "a truncated proof is refused (malformed)");
    {
        uint8_t *big = malloc(pf.len + 1);
        if (big) {
            memcpy(big, pf.p, pf.len), big[pf.len] = 0;
            zkr_tap_ok(&t, verify(&f, big, pf.len + 1) == ZKR_ERR_MALFORMED,
                       "a trailing byte is refused (malformed)");
            free(big);
        }
    }
    {
        size_t at = section_at(pf.p, pf.len, ZKR_SEC_GINF2_ROOTS);
        zkr_diag dg;
        zkr_verifier_ginf2_statement st;
        zkr_diag_clear(&dg);
        g2n_fx_statement(&f, &st);
        for (uint32_t ver = 1; ver < ZKR_GINFER2_VERSION; ver++) { /* 3: the UD figure's grinding */
            char want[64];
            pf.p[at + 3] = (uint8_t)ver; /* the version word, big-endian: 4 -> 3, 2, 1 */
            zkr_diag_clear(&dg);
            e = zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, &dg);
            pf.p[at + 3] = ZKR_GINFER2_VERSION;
            snprintf(want, sizeof want, "version %u proof refused", ver);
            zkr_tap_ok(&t, at && e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, want),
                       "an older version is refused by name (%d: %s)", (int)e, dg.msg);
        }
    }
    {
        zkr_verifier_ginf2_statement st;
        uint8_t sid[ZKR_DIGEST_BYTES];
        int8_t other[16];
        g2n_fx_statement(&f, &st);
        memcpy(sid, f.sid, sizeof sid), sid[0] ^= 1;
        st.statement_id = sid;
        zkr_tap_ok(&t, zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL) ==
                           ZKR_ERR_MISMATCH_STATEMENT,
                   "another statement id is refused");
        g2n_fx_statement(&f, &st);
        memcpy(other, f.logits, f.n_logits), other[1] = (int8_t)(other[1] ^ 1);
        st.output = other;
        zkr_tap_ok(&t, zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL) ==
                           ZKR_ERR_MISMATCH_OUTPUT,
                   "another expected output is refused");
    }
    {
        /* the proof's own output section changed (its argmax kept consistent) */
        size_t at = section_at(pf.p, pf.len, ZKR_SEC_GINF2_OUTPUT);
        zkr_verifier_ginf2_statement st;
        g2n_fx_statement(&f, &st);
        st.output = NULL;
        pf.p[at + 4 + 1] ^= 1; /* u32 n, then the logits: logit 1 */
        e = zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL);
        pf.p[at + 4 + 1] ^= 1;
        zkr_tap_ok(&t, at && e != ZKR_OK, "a logit changed in the proof is refused (%d)", (int)e);
    }
    {
        zkr_zkrng g;
        int ok = seeded(&g, 9) == ZKR_OK && g2n_fx_commit(&f2, 1, &g) == ZKR_OK;
        zkr_zkrng_wipe(&g);
        zkr_tap_ok(&t, ok, "a second model and dataset committed");
        record_twins(&t, &f, &f2, &pf);
        model_twins(&t, &f, &f2, &pf);
        mc_canonical(&t, &f, &pf);
        model_commit(&t, &f2);
        {
            zkr_verifier_ginf2_statement st;
            g2n_fx_statement(&f, &st);
            st.param_set = 7;
            zkr_tap_ok(&t, zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL) ==
                               ZKR_ERR_MISMATCH_PARAMS,
                       "an unknown parameter set is refused");
        }
    }
    {
        zkr_zkrng g;
        zkr_buf p3 = {0}, o3 = {0};
        e = seeded(&g, 11) == ZKR_OK ? g2n_fx_prove(&f, &g, &p3, &o3) : ZKR_ERR_USAGE;
        zkr_zkrng_wipe(&g);
        zkr_tap_ok(&t, e == ZKR_ERR_USAGE,
                   "a second proof over commitments made for one is refused (budget; %d)", (int)e);
        zkr_buf_free(&p3), zkr_buf_free(&o3);
    }
    zkr_buf_free(&pf), zkr_buf_free(&out), zkr_buf_free(&pf2), zkr_buf_free(&out2);
    g2n_fx_free(&f), g2n_fx_free(&f2);
    return zkr_tap_done(&t);
}
