/*
 * verifier/geval: evaluation-graph@1 verification (zk/geval.h;
 * docs/proof-system.md, "evaluation-graph@1"). The relations and the
 * opening are graph-inference@1's (verifier/ginfer.c), over the batch.
 */
#ifndef ZKR_VERIFIER_GEVAL_H
#define ZKR_VERIFIER_GEVAL_H

#include "verifier/ginfer.h"
#include "zk/geval.h"

/* What the caller takes from the registry, never from the proof. */
typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint32_t param_set;
    const zkr_ml_gprog *g;       /* the registered program (checked) */
    const zkr_ginf_params *mp;   /* the model's public parameters */
    zkr_pcs_commitment model;    /* P's commitment (graph-inference@1's) */
    const uint8_t *records;      /* n_records inputs of node 0, record after record */
    size_t records_len;
    uint32_t n_records;          /* 1..ZKR_GEVAL_MAX_RECORDS */
    const int8_t *output;        /* every record's claimed output (the last node, flattened) */
    size_t output_n;             /* n_records x the last node's elements */
} zkr_verifier_geval_statement;

/*
 * Verifies an evaluation-graph@1 proof against st. Checks, in order: st
 * (USAGE; TOO_LARGE for a record count over ZKR_GEVAL_MAX_RECORDS), the
 * parameter set (MISMATCH_PARAMS), the bytes (MALFORMED / TOO_LARGE),
 * kind (MISMATCH_PARAMS), statement_id (MISMATCH_STATEMENT), the layout
 * (UNSUPPORTED), the model commitment's size (MISMATCH_MODEL), the
 * records' length (MISMATCH_INPUT), the public output (MISMATCH_OUTPUT),
 * the protocol version (UNSUPPORTED), then the mathematics (VERIFY).
 */
zkr_err zkr_verify_geval(const uint8_t *proof, size_t len, const zkr_verifier_geval_statement *st,
                         zkr_diag *d) ZKR_WUR;

#endif
