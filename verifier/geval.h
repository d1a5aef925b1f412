/*
 * verifier/geval: evaluation-graph@1 verification (zk/geval.h;
 * docs/proof-system.md, "evaluation-graph@1"): the statement's binding
 * (dataset, record range, records' membership, public output, the count
 * recomputed from the proven outputs and the records' labels), then
 * graph-inference@1's relations and opening over the batch
 * (verifier/ginfer.c).
 */
#ifndef ZKR_VERIFIER_GEVAL_H
#define ZKR_VERIFIER_GEVAL_H

#include "verifier/ginfer.h"
#include "zk/geval.h"

/* Checks a test build may switch off (the soundness tests' teeth; ignored elsewhere). */
#define ZKR_GEVAL_OFF_COUNT 1u  /* the count recomputed from the outputs and labels */
#define ZKR_GEVAL_OFF_MEMBER 2u /* the records' membership in the dataset root */
#define ZKR_GEVAL_OFF_INPUT 4u  /* the relations' claims on the records (node 0) */

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
 * (MISMATCH_OUTPUT), the count against the proven outputs and the labels
 * and a threshold against it (VERIFY), then the layout (UNSUPPORTED), the
 * model commitment's size (MISMATCH_MODEL), the protocol version
 * (UNSUPPORTED) and the mathematics (VERIFY).
 */
zkr_err zkr_verify_geval(const uint8_t *proof, size_t len, const zkr_verifier_geval_statement *st,
                         zkr_diag *d) ZKR_WUR;

/*
 * The relations and the opening (verifier/ginfer.c) of a bound proof view:
 * gs->input the padded batch's inputs, gs->output every record's output
 * (the output section's). no_input: test builds only (ZKR_GEVAL_OFF_INPUT).
 */
zkr_err zkr_verify_ginf_batch(const zkr_params *p, const zkr_proof_view *v,
                              const zkr_verifier_ginf_statement *gs, uint32_t count, int no_input,
                              zkr_diag *d) ZKR_WUR;

#endif
