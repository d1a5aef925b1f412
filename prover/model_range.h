/*
 * The private model's range proof, prover side (zk/model_range.h; the
 * model owner runs it at `zkreg model commit`).
 */
#ifndef ZKR_PROVER_MODEL_RANGE_H
#define ZKR_PROVER_MODEL_RANGE_H

#include "prover/prover.h"
#include "zk/model_range.h"

/*
 * Appends the model range proof file (zk/model_range.h) for the version 2
 * model commitment mc_enc whose layer l's W' is w[l] (the committer's
 * polynomials, with their blinding), the program's dimensions dims. The
 * randomness comes from the OS CSPRNG, or (seed, 16..64 bytes) from the
 * seed and the commitment's digest, so that one seed and one commitment
 * give byte-identical proofs. Consumes one opening of every w[l]'s budget.
 * ZKR_OK; ZKR_ERR_USAGE (an entry of W' outside its range, named in the
 * diag; a spent budget; a bad seed), ZKR_ERR_MISMATCH_PROGRAM (shapes),
 * ZKR_ERR_TOO_LARGE, ZKR_ERR_NOMEM. Nothing is appended on error.
 */
zkr_err zkr_prover_mrange(const zkr_params *p, const uint8_t *mc_enc, size_t mc_len,
                          const zkr_mrange_dims *dims, zkr_hpcs_poly *const *w,
                          const uint8_t *seed, size_t seed_len, unsigned threads, zkr_buf *out,
                          zkr_diag *d) ZKR_WUR;

/*
 * Test builds only (ZKR_TEST_BUILD): a cheating committer's range prover
 * for W' entries outside their ranges. force: each such entry's limbs are
 * its low bytes with the rest as a field element in the top limb (the
 * decomposition holds mod p), counted in no multiplicity; clip: its limbs
 * are the bytes of the nearest value in range (the limbs are bytes, the
 * decomposition is false). Either way the verifier must refuse.
 * grind_short: an honest witness whose openings grind only the parameter
 * set's pow_bits (version 2's), not zkr_mrange_grind_bits more. seed
 * (seed_len bytes, may be NULL: OS randomness) as zkr_prover_mrange's.
 */
typedef struct {
    int force;
    int clip;
    int grind_short;
    const uint8_t *seed;
    size_t seed_len;
} zkr_mrange_cheat;
zkr_err zkr_prover_mrange_cheat(const zkr_params *p, const uint8_t *mc_enc, size_t mc_len,
                                const zkr_mrange_dims *dims, zkr_hpcs_poly *const *w,
                                const zkr_mrange_cheat *cheat, zkr_buf *out,
                                zkr_diag *d) ZKR_WUR;

#endif
