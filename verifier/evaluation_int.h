/*
 * evaluation@1 verifier internals shared with the kinds built on its
 * per-layer driver (verifier/inference_batch.c). Not a public interface:
 * the contracts are those of verifier/evaluation.c.
 */
#ifndef ZKR_VERIFIER_EVALUATION_INT_H
#define ZKR_VERIFIER_EVALUATION_INT_H

#include "ml/graph.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

#define ZKR_VE_MAX_PT 64
#define ZKR_VE_MAX_ROUNDS 48

/*
 * Whether a check runs: test builds (ZKR_TEST_BUILD) may switch checks off through a
 * statement's `off` bits (the teeth tests); production builds always run every check.
 */
static inline int zkr_ve_check_on(unsigned off, unsigned check)
{
#if ZKR_TEST_BUILD
    return !(off & check);
#else
    (void)off;
    (void)check;
    return 1;
#endif
}

/* What the statement section gave: program, layout, layer commitments, output. */
typedef struct {
    zkr_ml_graph g;
    zkr_eval_shape sh;
    zkr_pcs_commitment comm[ZKR_INFER_MAX_LAYERS];
    uint32_t shifts[ZKR_INFER_MAX_LAYERS];
    unsigned mode;
    uint64_t value, correct;
    unsigned off; /* test builds (zkr_verify_evaluation_off): checks skipped, ZKR_EVAL_OFF_* */
} zkr_ve_stmt;

typedef struct {
    unsigned poly;
    zkr_ext pt[ZKR_VE_MAX_PT];
    zkr_ext val;
} zkr_ve_claim;

typedef struct {
    zkr_ve_claim c[ZKR_EVAL_MAX_CLAIMS];
    size_t n;
} zkr_ve_claims;

typedef struct {
    const zkr_ve_stmt *s;
    const zkr_verifier_evaluation_statement *st;
    zkr_transcript *t;
    zkr_dec *dec;
    zkr_ve_claims *cl;
} zkr_ve_ctx;

/* A new claim on poly, or NULL when the list is full (then fail with zkr_ve_full). */
zkr_ve_claim *zkr_ve_claim_new(zkr_ve_claims *cs, unsigned poly);
zkr_err zkr_ve_full(zkr_diag *d) ZKR_WUR;
/* pt[0..bits) = the bits of v. */
void zkr_ve_bits(zkr_ext *pt, unsigned bits, uint64_t v);
/*
 * The statement section's layer commitments (after the program, decoded
 * into s->g): MISMATCH_MODEL against st's model commitment, s->sh from
 * zkr_eval_shape_init (TOO_LARGE, MALFORMED).
 */
zkr_err zkr_ve_model(zkr_dec *dec, const zkr_verifier_evaluation_statement *st, zkr_ve_stmt *s,
                     const zkr_params *p, zkr_diag *d) ZKR_WUR;
/* The dataset commitment and the record range (MISMATCH_DATASET, MISMATCH_INPUT, MALFORMED). */
zkr_err zkr_ve_dataset(zkr_dec *dec, const zkr_verifier_evaluation_statement *st, zkr_ve_stmt *s,
                       zkr_diag *d) ZKR_WUR;
/* Layer l's zero-check (rho, acc~(rho) out) and matmul sumcheck; VERIFY, MALFORMED. */
zkr_err zkr_ve_zerocheck(zkr_ve_ctx *c, uint32_t l, zkr_ext *rho, zkr_ext *acc_v,
                         zkr_diag *d) ZKR_WUR;
zkr_err zkr_ve_matmul(zkr_ve_ctx *c, uint32_t l, const zkr_ext *rho, zkr_ext acc_v,
                      zkr_diag *d) ZKR_WUR;

/*
 * The argmax and count relations shared with evaluation-graph@1
 * (verifier/ginfer.c): zkr_ve_am_verify reads zkr_ev_am_prove's section
 * part, checks the zero-check, one-hot and broadcast key and leaves the
 * values the caller claims on A and Y (as zkr_ev_am_out, prover side);
 * zkr_ve_count_verify checks sum E Lm = correct with Lm from labels[b
 * stride] for b < count (0 on the padding) and leaves E~(rs) = ev.
 * off (test builds only, ZKR_EVAL_AM_OFF_*): checks skipped for the
 * soundness tests' teeth. ZKR_ERR_MALFORMED, ZKR_ERR_VERIFY, ZKR_ERR_NOMEM.
 */
#define ZKR_EVAL_AM_OFF_ARGMAX 1u /* the zero-check's final equation */
#define ZKR_EVAL_AM_OFF_ONEHOT 2u
#define ZKR_EVAL_AM_OFF_KEY 4u
#define ZKR_EVAL_AM_OFF_COUNT 8u  /* the count sumcheck's final equation */
/* Format version 4's checks (zkr_verify_evaluation_off). */
#define ZKR_EVAL_OFF_WIDTH 16u  /* the declared clamp widths <= 63 - s */
#define ZKR_EVAL_OFF_RANGE0 32u /* << i: LogUp i (V_i, A at L) of the range entries */
#define ZKR_EVAL_OFF_REQUANT (1u << 30) /* version 4: the layer zero-checks' final equation */
#define ZKR_EVAL_OFF_ENTRIES (1u << 29) /* version 4: a LogUp's column equals the entries of the slots */
typedef struct {
    zkr_ext rho[ZKR_VE_MAX_PT];
    zkr_ext tau[ZKR_EVAL_ASLOTS_LOG];
    zkr_ext slots[ZKR_EVAL_ASLOTS], fold;
    zkr_ext yv;
    zkr_ext e_half, ka0[3];
} zkr_ve_am_out;
zkr_err zkr_ve_am_verify(const zkr_eval_am_dims *m, zkr_transcript *t, zkr_dec *dec,
                        unsigned off, zkr_ve_am_out *o, zkr_diag *d) ZKR_WUR;
zkr_err zkr_ve_count_verify(const zkr_eval_am_dims *m, zkr_transcript *t, zkr_dec *dec,
                            const uint8_t *labels, size_t stride, uint64_t count,
                            uint64_t correct, unsigned off, zkr_ext *rs, zkr_ext *ev,
                            zkr_diag *d) ZKR_WUR;

#endif
