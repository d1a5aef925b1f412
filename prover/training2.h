/*
 * training-step@2 prover pieces (docs/proof-system.md, "training-step@2").
 * Built so far: the byte witness V from the native step's trace.
 */
#ifndef ZKR_PROVER_TRAINING2_H
#define ZKR_PROVER_TRAINING2_H

#include "ml/ml.h"
#include "zk/train2.h"

/*
 * Fills the byte witness v (2^s->n_v bytes, zeroed first) of one step from
 * its native trace tr (zkr_ml_train_step on the batch) and the batch's
 * records (s->batch records of in_0 + 1 bytes, the label last, as the
 * dataset stores them). Padding entries stay 0. ZKR_OK;
 * ZKR_ERR_USAGE (tr's shape or a label differs from s and the records);
 * ZKR_ERR_UNSUPPORTED (a value outside its bytes: the native step's
 * bounds were not met, which zkr_ml_train_step refuses).
 */
zkr_err zkr_prover_train2_witness(const zkr_train2_shape *s, const zkr_ml_tstep_trace *tr,
                                  const uint8_t *records, uint8_t *v, zkr_diag *d) ZKR_WUR;


#include "prover/prover.h"

/*
 * A cheating prover's deviations (test builds; zero when honest):
 * tamper edits the byte witness after it is built (before commitment);
 * skip_child lets the prover go on when the public child is not the
 * native step's; fit_rec adds 1 to the first record value it reveals and
 * refits g(r) so that the sumcheck's final check passes (only the record
 * opening can refuse); witness_records runs the step and builds V from
 * other records than the committed ones (only the record link can refuse).
 */
typedef struct {
    void (*tamper)(const zkr_train2_shape *s, uint8_t *v, void *arg);
    void *arg;
    int skip_child;
    int fit_rec;
    const uint8_t *witness_records; /* the step and V from these records, not the committed ones */
    int unmasked; /* zkr_zkrng_zero_for_test's mode for every proof draw (the leakage test's teeth) */
    /*
     * The claim reduction (version 2): 1 sends column 0's value plus 1 with
     * g(r) refitted (the product sumcheck passes; only the reduction can
     * refuse); 2 runs the reduction on V plus 1 at an entry no claim weighs
     * (every reduction check passes; only V's opening at rA can refuse).
     */
    int reduce;
    /*
     * Version 5: reduce 3 runs the reduction on record 0 plus 1 at an entry
     * no claim weighs (only the mixed opening can refuse); range_lie sends
     * the deferred range proof's h^ + 1 with m^ moved to keep its final
     * check (only the reduction can refuse); rec_swap plays record 1's
     * part (tables, reduction, the mixed opening's leaves) with record 0's
     * polynomial (with witness_records holding record 0 at position 1: only
     * the mixed opening's Merkle check of record 1's leaves can refuse).
     */
    int range_lie;
    int rec_swap;
    /*
     * shift_rec = k > 0: record k-1's revealed value + 1 and record k's
     * moved so that sum_b eq(b, r) S_b, the product sumcheck's record term,
     * is unchanged (g(r) honest): only the records' binding (the claim
     * reduction and the mixed opening, or a batched opening) can refuse.
     */
    int shift_rec;
    /*
     * range_off: V's last entry committed as 256 (off the byte table),
     * counted in no multiplicity, the range proof's rounds honest on the
     * false LogUp sum and g_R(r_R) absorbing the gap (zkr_zkrange_cheat's
     * force and fit_g): only C's linear sumcheck (g_R's block) can refuse.
     */
    int range_off;
} zkr_train2_cheat;

/*
 * The secrets of one step: the parent model (its weights are pub->parent),
 * the batch records (batch x (in_0 + 1) bytes, label last) and each
 * record's 40-byte hiding opening.
 */
typedef struct {
    const zkr_ml_tmodel *parent;
    const uint8_t *records;
    const uint8_t (*openings)[ZKR_RECORD_OPENING_BYTES];
} zkr_train2_secret;

/*
 * Proves one training step (docs/proof-system.md, "training-step@2"):
 * runs the native step on the records, refuses (ZKR_ERR_MISMATCH_MODEL)
 * when its child is not pub->child, rebuilds each record commitment from
 * its record and opening (ZKR_ERR_MISMATCH_INPUT otherwise) and writes
 * the proof body into out. Randomness from the OS, or (seed, 16..64
 * bytes) derived from the seed and the transcript after the statement.
 * ZKR_ERR_UNSUPPORTED (native bounds), ZKR_ERR_TOO_LARGE, NOMEM.
 */
zkr_err zkr_prover_train2(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                          const zkr_train2_public *pub, const zkr_train2_secret *sec,
                          const uint8_t *seed, size_t seed_len, unsigned threads, zkr_buf *out,
                          zkr_diag *d) ZKR_WUR;
/* Test builds only: the same with cheat's deviations. */
zkr_err zkr_prover_train2_cheat(const zkr_params *p,
                                const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                const zkr_train2_public *pub, const zkr_train2_secret *sec,
                                const zkr_train2_cheat *cheat, const uint8_t *seed,
                                size_t seed_len, zkr_buf *out, zkr_diag *d) ZKR_WUR;

#endif
