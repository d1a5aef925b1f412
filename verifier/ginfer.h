/*
 * verifier/ginfer: graph-inference@1 (proof kind 10) verification
 * (docs/proof-system.md, "graph-inference@1"). Error contract as
 * verifier/verifier.h.
 */
#ifndef ZKR_VERIFIER_GINFER_H
#define ZKR_VERIFIER_GINFER_H

#include "verifier/cnn.h"
#include "zk/ginfer.h"

/* Checks a test build may switch off (the soundness tests' teeth; ignored elsewhere). */
#define ZKR_GINF_OFF_WSUB 1u /* a split weight claim against its sub-blocks' values */
#define ZKR_GINF_OFF_CAT 2u  /* CONCAT's identity Y~(z) = sum of its inputs' shares */

/* What the caller takes from the registry, never from the proof. */
typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint32_t param_set;
    const zkr_ml_gprog *g;       /* the registered program (checked) */
    const zkr_ginf_params *mp;   /* the model's public parameters */
    zkr_pcs_commitment model;    /* P's commitment */
    const uint8_t *input;        /* node 0's bytes */
    size_t input_len;
    const int8_t *output;        /* the claimed output (the last node, flattened) */
    uint32_t output_n;
    unsigned off;                /* ZKR_GINF_OFF_* (test builds; 0 elsewhere) */
} zkr_verifier_ginf_statement;

/*
 * Verifies a graph-inference@1 proof. ZKR_OK, ZKR_ERR_MALFORMED /
 * TOO_LARGE / UNSUPPORTED (bytes or a program the kind does not take),
 * ZKR_ERR_MISMATCH_{PARAMS, STATEMENT, MODEL, INPUT, OUTPUT},
 * ZKR_ERR_VERIFY, ZKR_ERR_NOMEM.
 */
zkr_err zkr_verify_ginf(const uint8_t *proof, size_t len, const zkr_verifier_ginf_statement *st,
                        zkr_diag *d) ZKR_WUR;

#endif
