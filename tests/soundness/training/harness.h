/*
 * The cheating-prover harness of the training-step@1 soundness suite (test
 * builds only). A fixture is a training program with explicit weights, a
 * committed dataset and a batch; its trace is computed here from
 * docs/training.md section 5 without any bound check, so a step native
 * training refuses still has a witness. Attacks substitute entries of the
 * witness V through zkr_prover_train_step_cheat, which recomputes
 * everything the prover derives (delta and inputs for the sumchecks,
 * multiplicities, commitments) and proves; the verifier must refuse.
 */
#ifndef ZKR_TEST_SOUND_TRAIN_HARNESS_H
#define ZKR_TEST_SOUND_TRAIN_HARNESS_H

#include "prover/prover.h"
#include "tap.h"
#include "verifier/verifier.h"

#define HX_MAX_REC 64u
#define HX_MAX_IN 16u

typedef struct {
    zkr_params p;
    uint32_t dims[ZKR_TRAIN_MAX_LAYERS + 1];
    uint32_t n_layers;
    int32_t *w[ZKR_TRAIN_MAX_LAYERS]; /* the parent, out x (in + 1) per layer */
    uint32_t n_rec;
    uint8_t recs[HX_MAX_REC][HX_MAX_IN + 1];
    uint8_t leaves[HX_MAX_REC][ZKR_DIGEST_BYTES];
    uint8_t root[ZKR_DIGEST_BYTES];
    uint8_t paths[ZKR_TRAIN_MAX_BATCH][ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_infer_record rec[ZKR_TRAIN_MAX_BATCH];
    uint64_t idx[ZKR_TRAIN_MAX_BATCH];
    uint32_t batch;
    zkr_ml_tstep_params sp;
    zkr_ml_tmodel *parent;
    zkr_train_model *tp, *tc;
    zkr_ml_tstep_trace tr; /* the reference trace (no bound checked) */
    int defined;           /* every bound of docs/training.md section 5 holds */
    int child_is_parent;   /* some |W - u| >= 2^20: the claimed child is the parent itself */
    zkr_train_statement st;
} hx_fixture;

/*
 * Builds a fixture: program dims[0..n_layers], parent weights w (NULL:
 * zkr_ml_tmodel_init with seed byte `seed`), records recs[0..n_rec) of
 * dims[0] bytes and a label, batch of records idx[0..batch), lr, shift.
 * The claimed child is the reference step's W - u, or the parent itself
 * when some W - u breaks the weight bound (the forgery).
 * Returns 1 on success.
 */
int hx_setup(hx_fixture *f, const uint32_t *dims, uint32_t n_layers, const int32_t *const *w,
             uint8_t seed, const uint8_t (*recs)[HX_MAX_IN + 1], uint32_t n_rec, const uint64_t *idx,
             uint32_t batch, uint32_t lr, uint32_t shift);
void hx_free(hx_fixture *f);

/* Replaces the claimed child by raw field elements (layer l: 2^(lm + lk) entries). */
int hx_set_child_raw(hx_fixture *f, zkr_gl *const *w);
/* The claimed child's layers as field elements (caller frees each). */
int hx_child_field(const hx_fixture *f, zkr_gl **w);

/* Entries of V. */
zkr_gl *hx_slot(const zkr_train_witness *w, uint32_t l, unsigned sl, uint32_t b, uint32_t j);
zkr_gl *hx_upd(const zkr_train_witness *w, uint32_t l, unsigned u, uint32_t j, uint32_t k);
/* The shape of f (as the prover lays V out). */
int hx_shape(const hx_fixture *f, zkr_train_shape *s);

/* Writes v + 2^23 into the limb slots lo, hi, hs (hi = high bits, hs = hi 2^8), as field elements. */
void hx_limbs24(zkr_gl v_plus, zkr_gl *lo, zkr_gl *hi, zkr_gl *hs);

/*
 * Proves with cheat(arg) and verifies. want_exact: the verifier's
 * "failed: ..." list must be exactly `want`; else it must contain it.
 * Reports one TAP line named `name`. Returns 1 when refused as wanted.
 */
int hx_attack(zkr_tap *t, hx_fixture *f, zkr_train_cheat_fn cheat, void *arg, const char *want,
              int want_exact, const char *name);
/* Proves honestly from the reference trace and verifies: must be accepted. */
int hx_honest(zkr_tap *t, hx_fixture *f, const char *name);

/* Field helpers for attacks. */
static inline zkr_gl hx_f(int64_t v) { return zkr_gl_from_i64(v); }
static inline zkr_gl hx_pow2(unsigned e) { return zkr_train_pow2(e); }

#endif
