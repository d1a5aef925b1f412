/*
 * zk-ginfer2-avg-net: the whole graph-inference@2 proof of a small CNN
 * with average pooling (1 x 8 x 8 record -> conv 4 3x3 pad 1 ReLU -> max
 * pool 2x2/2 -> average pool 3x3/1 pad 1 -> conv 4 3x3 pad 1 -> global
 * average pool 4x4 -> dense 3): an AVGPOOL reads a max pooling's V, a conv
 * reads an AVGPOOL's V, a GAP reads a requantization's V (no ReLU: in_off
 * -128), a dense reads the GAP's V; version 3: the record one of a hiding
 * dataset, the model behind its commitment (tests/zk/ginfer2_net_fx.h;
 * AVGPOOL nodes have no entry). On the tests' reduced set (both builds):
 * proven and verifies against native inference's logits (ml/ginfer.c's
 * zkr_ml_ginfer on the encoded model), byte-identical proofs from the same
 * seeds, 16 bit flips and a truncation refused; a program ending in an
 * average pooling and one pooling the record are refused before the proof
 * is read. With --production (zk-ginfer2-avg-net-prod, plain build only), at the
 * production parameters: the proof verifies, its logits equal native
 * inference, a bit flip and another expected output are refused, the
 * composed soundness reaches the target.
 */
#include <math.h>

#include "tests/tap.h"
#include "tests/zk/ginfer2_avg_net_fx.h"

static zkr_err seeded(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "ginfer2 avg net", NULL, 0);
}

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

static zkr_err verify(const g2n_fx *f, const uint8_t *pf, size_t len)
{
    zkr_verifier_ginf2_statement st;

    g2n_fx_statement(f, &st);
    return zkr_verify_ginfer2(pf, len, &st, NULL, 0, NULL, NULL);
}

static void production(zkr_tap *t)
{
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_buf pf = {0}, out = {0};
    zkr_verifier_ginf2_statement st;
    unsigned we[ZKR_GINF2_NET_MAX_NODES] = {0};
    int8_t y[16], other[16];
    uint32_t ny = 0;
    zkr_err e = ZKR_ERR_NOMEM;

    if (f && (e = g2an_fx_init(f, 1)) == ZKR_OK)
        e = commit_prove(f, 1, &pf, &out);
    zkr_tap_ok(t, e == ZKR_OK && f->net.n_rel == 9 && f->net.share == 10,
               "production parameters: the CNN with AVGPOOL and GAP proven (%d, %zu bytes; conv, "
               "requant, maxpool, avgpool, conv, requant, GAP, dense, requant)", (int)e, pf.len);
    if (e != ZKR_OK)
        goto out;
    g2n_fx_statement(f, &st);
    st.output = NULL;
    e = zkr_verify_ginfer2(pf.p, pf.len, &st, y, sizeof y, &ny, NULL);
    zkr_tap_ok(t, e == ZKR_OK && ny == 3 && memcmp(y, f->logits, ny) == 0,
               "verifies; the proven logits equal native inference (zkr_ml_ginfer) (%d: %d %d %d)",
               (int)e, y[0], y[1], y[2]);
    pf.p[pf.len - 333] ^= 8;
    zkr_tap_ok(t, verify(f, pf.p, pf.len) != ZKR_OK, "a bit flip is refused");
    pf.p[pf.len - 333] ^= 8;
    g2n_fx_statement(f, &st);
    memcpy(other, f->logits, 3), other[2] = (int8_t)(other[2] ^ 1);
    st.output = other;
    zkr_tap_ok(t, zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL) ==
                      ZKR_ERR_MISMATCH_OUTPUT,
               "another expected output is refused");
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

static void refused_first(zkr_tap *t, const g2n_fx *f)
{
    static const uint8_t junk[3] = {0xde, 0xad, 0x00};
    zkr_verifier_ginf2_statement st;
    zkr_ml_gprog g = f->g;
    zkr_diag dg;
    zkr_err e;

    g.n_nodes = 6; /* ... conv, GAP: the last node an average pooling */
    g2n_fx_statement(f, &st);
    st.g = &g;
    zkr_diag_clear(&dg);
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "last node"),
               "a program ending in an average pooling is refused before the proof is read "
               "(%d: %s)", (int)e, dg.msg);
    g = f->g;
    g.nodes[1] = f->g.nodes[3], g.nodes[1].in[0] = 0; /* an average pooling over the record */
    zkr_diag_clear(&dg);
    e = zkr_verify_ginfer2(junk, sizeof junk, &st, NULL, 0, NULL, &dg);
    zkr_tap_ok(t, e == ZKR_ERR_UNSUPPORTED && strstr(dg.msg, "over the record"),
               "an average pooling over the record is refused before the proof is read (%d: %s)",
               (int)e, dg.msg);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    g2n_fx f;
    zkr_buf pf = {0}, out = {0}, pf2 = {0}, out2 = {0};
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    if (zkr_tap_flag(argc, argv, "--production")) { /* zk-ginfer2-avg-net-prod, plain build */
        production(&t);
        return zkr_tap_done(&t);
    }
    if (g2an_fx_init(&f, 2) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    g2n_fx_reduce(&f);
    e = commit_prove(&f, 3, &pf, &out);
    zkr_tap_ok(&t, e == ZKR_OK && verify(&f, pf.p, pf.len) == ZKR_OK,
               "reduced set: proven and verifies against native inference's logits (%d, %zu "
               "bytes)", (int)e, pf.len);
    e = commit_prove(&f, 3, &pf2, &out2);
    zkr_tap_ok(&t, e == ZKR_OK && pf2.len == pf.len && memcmp(pf.p, pf2.p, pf.len) == 0,
               "the same seeds give byte-identical proofs");
    {
        int flips = 1;
        for (size_t k = 0; k < 16 && pf.len; k++) {
            size_t at = (k * 104729u + 17u) % pf.len;
            pf.p[at] ^= (uint8_t)(1u << (k % 8));
            flips &= verify(&f, pf.p, pf.len) != ZKR_OK;
            pf.p[at] ^= (uint8_t)(1u << (k % 8));
        }
        zkr_tap_ok(&t, flips && verify(&f, pf.p, pf.len - 1) == ZKR_ERR_MALFORMED,
                   "16 bit flips and a truncation are refused");
    }
    refused_first(&t, &f);
    zkr_buf_free(&pf), zkr_buf_free(&out), zkr_buf_free(&pf2), zkr_buf_free(&out2);
    g2n_fx_free(&f);
    return zkr_tap_done(&t);
}
