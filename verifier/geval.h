/*
 * verifier/geval: evaluation-graph@1 verification (zk/geval.h;
 * docs/proof-system.md, "evaluation-graph@1"): the statement's binding
 * (dataset, record range, records' membership, public output), then the
 * argmax and count relations of evaluation@1 against the records' labels
 * and graph-inference@1's relations and opening over the batch
 * (verifier/ginfer.c).
 */
#ifndef ZKR_VERIFIER_GEVAL_H
#define ZKR_VERIFIER_GEVAL_H

#include "verifier/ginfer.h"
#include "zk/geval.h"

/* Checks a test build may switch off (the soundness tests' teeth; ignored elsewhere). */
#define ZKR_GEVAL_OFF_COUNT 1u   /* the count sumcheck's final equation (sum E Lm = correct) */
#define ZKR_GEVAL_OFF_MEMBER 2u  /* the records' membership in the dataset root */
#define ZKR_GEVAL_OFF_INPUT 4u   /* the relations' claims on the records (node 0) */
#define ZKR_GEVAL_OFF_ARGMAX 8u  /* the argmax zero-check's final equation */
#define ZKR_GEVAL_OFF_ONEHOT 16u /* sum_j E(j, b) = 1 */
/*
 * A's byte LogUp: not read at all, for a cheater that skipped it
 * (zkr_ginf_cheat_view.skip_am_range): a LogUp refused midway leaves the
 * transcripts apart, so its teeth are its absence on both sides.
 */
#define ZKR_GEVAL_OFF_AMRANGE 32u
/* CONCAT's identity (graph-inference@1's ZKR_GINF_OFF_CAT, passed on). */
#define ZKR_GEVAL_OFF_CAT 64u

/* What the caller takes from the registry and the dataset file, never from the proof. */
typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint32_t param_set;
    const zkr_ml_gprog *g;       /* the registered program (checked) */
    const zkr_ginf_params *mp;   /* the model's public parameters */
    zkr_pcs_commitment model;    /* P's commitment (graph-inference@1's) */
    uint8_t dataset[ZKR_DIGEST_BYTES]; /* the dataset commitment (zkr_infer_dataset_commitment) */
    uint64_t first, count;       /* the record range; 1 <= count <= ZKR_GEVAL_MAX_RECORDS */
    const uint8_t *records;      /* the range's records: C H W input bytes, then the label */
    size_t records_len;
    uint8_t mode;                /* ZKR_EVAL_MODE_EXACT or ZKR_EVAL_MODE_THRESHOLD */
    uint64_t value;              /* the number correct, or tau */
    unsigned off;                /* ZKR_GEVAL_OFF_* (test builds) */
} zkr_verifier_geval_statement;

/*
 * Verifies an evaluation-graph@1 proof against st. Checks, in order: st
 * (USAGE; TOO_LARGE for a count over ZKR_GEVAL_MAX_RECORDS), the parameter
 * set (MISMATCH_PARAMS), the bytes (MALFORMED / TOO_LARGE), kind
 * (MISMATCH_PARAMS), statement_id (MISMATCH_STATEMENT), the output section
 * (MALFORMED), the dataset commitment (MISMATCH_DATASET), the record range,
 * the records' length and membership (MISMATCH_INPUT), the public output
 * (MISMATCH_OUTPUT), a threshold against the proof's count (VERIFY), then
 * the layout (UNSUPPORTED), the model commitment's size (MISMATCH_MODEL),
 * the protocol version (UNSUPPORTED) and the mathematics (VERIFY): the
 * argmax, the count against the records' labels, A's byte range, every
 * node's relations, the opening.
 */
zkr_err zkr_verify_geval(const uint8_t *proof, size_t len, const zkr_verifier_geval_statement *st,
                         zkr_diag *d) ZKR_WUR;

/*
 * The relations and the opening (verifier/ginfer.c) of a bound proof view:
 * gs->input the padded batch's inputs (gs->output unused), the count
 * records' labels at labels[b stride], correct the proof's count. off:
 * ZKR_GEVAL_OFF_* (test builds only).
 */
zkr_err zkr_verify_ginf_batch(const zkr_params *p, const zkr_proof_view *v,
                              const zkr_verifier_ginf_statement *gs, uint32_t count,
                              const uint8_t *labels, size_t stride, uint64_t correct,
                              unsigned off, zkr_diag *d) ZKR_WUR;

#endif
