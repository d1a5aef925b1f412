/*
 * zk-ginfer2-lenet (suite zk-slow, about 80 CPU-s): the whole
 * graph-inference@2 proof of LeNet-5 (tests/zk/geval_fixture.h's program,
 * random model and record): it verifies against the reference inference's
 * logits (tests/zk/ginfer2_net_fx.h), a bit flip in the body, a truncation
 * and another expected output are refused, the figure is >= the target.
 */
#include "tests/tap.h"
#include "tests/zk/ginfer2_net_fx.h"

int main(int argc, char **argv)
{
    zkr_tap t;
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_buf pf = {0}, out = {0};
    zkr_verifier_ginf2_statement st;
    unsigned we[ZKR_GINF2_NET_MAX_NODES] = {0};
    uint8_t seed[32] = {3};
    zkr_zkrng g;
    int8_t other[16];
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    if (!f || g2n_fx_init(f, 1, 1) != ZKR_OK ||
        zkr_zkrng_seeded(&g, seed, sizeof seed, "ginfer2 lenet", NULL, 0) != ZKR_OK)
        return zkr_tap_ok(&t, 0, "fixture"), zkr_tap_done(&t);
    e = g2n_fx_commit(f, 1, &g);
    if (e == ZKR_OK)
        e = g2n_fx_prove(f, &g, &pf, &out);
    zkr_tap_ok(&t, e == ZKR_OK && f->net.n_rel == 12, "LeNet-5 proven (%d, %zu bytes)", (int)e,
               pf.len);
    g2n_fx_statement(f, &st);
    e = zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL);
    zkr_tap_ok(&t, e == ZKR_OK, "verifies: the proven logits are the reference inference's (%d)",
               (int)e);
    if (pf.len > 1000) {
        pf.p[pf.len - 777] ^= 4;
        zkr_tap_ok(&t, zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL) != ZKR_OK,
                   "a bit flip in the body is refused");
        pf.p[pf.len - 777] ^= 4;
    }
    zkr_tap_ok(&t, zkr_verify_ginfer2(pf.p, pf.len - 1, &st, NULL, 0, NULL, NULL) ==
                       ZKR_ERR_MALFORMED,
               "a truncated proof is refused");
    memcpy(other, f->logits, f->n_logits);
    other[9] = (int8_t)(other[9] ^ 1);
    st.output = other;
    zkr_tap_ok(&t, zkr_verify_ginfer2(pf.p, pf.len, &st, NULL, 0, NULL, NULL) ==
                       ZKR_ERR_MISMATCH_OUTPUT,
               "another expected output is refused");
    for (uint32_t i = 1; i < f->net.n; i++)
        we[i] = f->wc[i].blind_vars;
    {
        double bits = zkr_ginf2_net_soundness(&f->p, &f->net, f->xc.blind_vars, we);
        zkr_tap_ok(&t, bits >= (double)f->p.target_bits, "soundness %.2f bits", bits);
    }
    zkr_zkrng_wipe(&g);
    zkr_buf_free(&pf), zkr_buf_free(&out);
    g2n_fx_free(f);
    free(f);
    return zkr_tap_done(&t);
}
