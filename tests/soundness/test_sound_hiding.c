/*
 * Soundness attacks on the hiding layer and matmul@2 (docs/soundness.md,
 * "Zero-knowledge (hiding) layer"). Each cheat is a deviation of the
 * matmul@2 prover (zkr_prover_matmul2_cheat, test builds only); the
 * verifier must answer VERIFY, and the cheating prover with no deviation
 * must produce a proof that verifies (so the refusals come from the
 * deviation, not from the framework):
 * - the masked claim: a false y proved honestly otherwise; the mask's sum
 *   sigma lied about (true and false y);
 * - the final value: v off by one; v fitted to pass the sumcheck's final
 *   check, so that the hiding opening carries a false claim;
 * - the blinded codeword: G folded from a mask other than the committed
 *   one; G = W + (rho + 1) Z instead of W + rho Z;
 * - the soundness figure: >= 128 provable bits from the parameters.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

#define AT_SC(r) ((r) == ZKR_ERR_VERIFY && strstr(last_msg, "masked sumcheck"))
#define AT_OPEN(r) ((r) == ZKR_ERR_VERIFY && strstr(last_msg, "hiding opening"))
#define M_ 8
#define K_ 8
#define B_ 2

typedef struct {
    int64_t w[M_ * K_], x[K_ * B_], y[M_ * B_];
    zkr_hpcs_poly *poly;
    zkr_verifier_matmul2_statement st;
} cas;

static int make(zkr_tap *t, const zkr_params *p, cas *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < M_ * K_; i++)
        c->w[i] = (int64_t)(zkr_tap_rand(t) % 255) - 127;
    for (int i = 0; i < K_ * B_; i++)
        c->x[i] = (int64_t)(zkr_tap_rand(t) % 2001) - 1000;
    for (int i = 0; i < M_; i++)
        for (int j = 0; j < K_; j++)
            for (int q = 0; q < B_; q++)
                c->y[i * B_ + q] += c->w[i * K_ + j] * c->x[j * B_ + q];
    c->st.param_set = p->id;
    c->st.pub.m = M_, c->st.pub.k = K_, c->st.pub.b = B_;
    c->st.pub.x = c->x, c->st.pub.y = c->y;
    c->st.pub.w_max_abs = 127;
    memset(c->st.statement_id, 0x5a, ZKR_DIGEST_BYTES);
    return zkr_prover_matmul2_commit(p, c->w, M_, K_, 64, NULL, 0, 1, &c->poly, &c->st.pub.w) ==
           ZKR_OK;
}

/* Proves with the deviation and returns the verifier's answer (INTERNAL: no proof). */
static zkr_err attack_msg(const zkr_params *p, cas *c, const zkr_matmul2_cheat *ch,
                          char last_msg[ZKR_DIAG_BYTES])
{
    zkr_buf pf = {0};
    zkr_diag d;
    zkr_err r;

    zkr_diag_clear(&d);
    r = zkr_prover_matmul2_cheat(p, c->st.statement_id, &c->st.pub, c->w, c->poly, NULL, 0, ch,
                                 &pf, &d);
    if (r != ZKR_OK)
        return ZKR_ERR_INTERNAL;
    zkr_diag_clear(&d);
    r = zkr_verify_matmul2(pf.p, pf.len, &c->st, &d);
    memcpy(last_msg, d.msg, ZKR_DIAG_BYTES);
    zkr_buf_free(&pf);
    return r;
}

#define attack(p, c, ch) attack_msg(p, c, ch, last_msg)

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_params p;
    cas c;
    zkr_matmul2_cheat ch;
    zkr_err r;
    char last_msg[ZKR_DIAG_BYTES] = "";

    if (sodium_init() < 0)
        return 1;
    zkr_tap_init(&t, argc, argv);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK || !make(&t, &p, &c))
        return 1;
    memset(&ch, 0, sizeof ch);
    zkr_tap_ok(&t, attack(&p, &c, &ch) == ZKR_OK, "the cheating prover with no deviation verifies");
    ch.skip_checks = 1;
    zkr_tap_ok(&t, attack(&p, &c, &ch) == ZKR_OK, "skipping the integer checks on a true "
               "statement verifies");

    c.y[3]++;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_SC(r), "false y, honest otherwise: VERIFY (%d)", r);
    for (zkr_gl delta = 1; delta <= 3; delta++) {
        ch.sigma_delta = delta;
        r = attack(&p, &c, &ch);
        zkr_tap_ok(&t, AT_SC(r), "false y with the mask's sum sigma + %llu: VERIFY (%d)",
                   (unsigned long long)delta, r);
    }
    ch.sigma_delta = 0;
    ch.fit_v = 1;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_OPEN(r), "false y with v fitted to the sumcheck: the hiding "
               "opening refuses (%d)", r);
    ch.fit_v = 0;
    c.y[3]--;

    ch.sigma_delta = 1;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_SC(r), "true y, the mask's sum lied about: VERIFY (%d)", r);
    ch.fit_v = 1;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_OPEN(r), "true y, sigma lied about and v fitted: VERIFY (%d)", r);
    ch.fit_v = 0;
    ch.sigma_delta = 0;
    ch.v_delta = 1;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_SC(r), "final value v + 1: VERIFY (%d)", r);
    ch.v_delta = 0;
    ch.swap_mask = 1;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_OPEN(r), "G folded from a mask other than the committed one: "
               "VERIFY (%d)", r);
    ch.swap_mask = 0;
    ch.rho_delta = 1;
    r = attack(&p, &c, &ch);
    zkr_tap_ok(&t, AT_OPEN(r), "G = W + (rho + 1) Z: VERIFY (%d)", r);
    ch.rho_delta = 0;
    zkr_tap_ok(&t, attack(&p, &c, &ch) == ZKR_OK, "the commitment still proves honestly");

    {
        static const uint32_t sz[][3] = {{1, 1, 1}, {1024, 1024, 16}, {4096, 4096, 16},
                                         {32768, 1024, 1}};
        int ok = 1;
        for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++) {
            unsigned n = zkr_log2_ceil(sz[i][0]) + zkr_log2_ceil(sz[i][1]);
            unsigned e = zkr_hpcs_blind_vars(&p, n, ZKR_HPCS_DEFAULT_BUDGET);
            zkr_soundness s = zkr_matmul2_soundness(&p, sz[i][0], sz[i][1], sz[i][2], e);
            printf("# matmul@2 %ux%u b=%u: e=%u, %.2f provable, %.1f conjectured bits\n", sz[i][0],
                   sz[i][1], sz[i][2], e, s.provable_bits, s.conjectured_bits);
            ok &= e > 0 && s.provable_bits >= 128.0;
        }
        zkr_tap_ok(&t, ok, "matmul@2 soundness >= 128 provable bits up to 2^25 weights");
    }
    zkr_hpcs_poly_free(c.poly);
    return zkr_tap_done(&t);
}
