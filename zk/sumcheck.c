/* Sumcheck, verifier side: replay rounds and reduce the claim. */
#include "zk/zk.h"

/* Lagrange interpolation through h(0..d) at r (nodes are small integers). */
zkr_ext zkr_sumcheck_round_eval(const zkr_ext *msg, unsigned d, zkr_ext claim, zkr_ext r)
{
    zkr_ext v[9], acc = zkr_ext_from(0);

    if (d < 1 || d > 8)
        return acc;
    v[0] = msg[0];
    v[1] = zkr_ext_sub(claim, msg[0]);
    for (unsigned i = 2; i <= d; i++)
        v[i] = msg[i - 1];
    for (unsigned i = 0; i <= d; i++) {
        zkr_ext num = zkr_ext_from(1);
        zkr_gl den = 1;
        for (unsigned j = 0; j <= d; j++) {
            if (j == i)
                continue;
            num = zkr_ext_mul(num, zkr_ext_sub(r, zkr_ext_from(j)));
            den = zkr_gl_mul(den, zkr_gl_sub(i, j));
        }
        acc = zkr_ext_add(acc, zkr_ext_mul(v[i], zkr_ext_mul_base(num, zkr_gl_inv(den))));
    }
    return acc;
}

void zkr_sumcheck_verify(zkr_transcript *t, unsigned n, unsigned d, zkr_ext claim,
                         const zkr_ext *msgs, zkr_ext *r, zkr_ext *final)
{
    for (unsigned i = 0; i < n; i++) {
        zkr_ts_absorb_ext(t, "sc-round", msgs + (size_t)i * d, d);
        r[i] = zkr_ts_challenge_ext(t, "sc-challenge");
        claim = zkr_sumcheck_round_eval(msgs + (size_t)i * d, d, claim, r[i]);
    }
    *final = claim;
}
