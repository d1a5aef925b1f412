/*
 * prover/geval: evaluation-graph@1 proofs (zk/geval.h; docs/proof-system.md,
 * "evaluation-graph@1"). The model is graph-inference@1's committed model
 * (prover/ginfer.h): the same commitment serves both kinds. Not
 * zero-knowledge.
 */
#ifndef ZKR_PROVER_GEVAL_H
#define ZKR_PROVER_GEVAL_H

#include "prover/ginfer.h"
#include "zk/geval.h"

/*
 * Proves the program's inference on each of n records (records: n x the
 * input's C H W bytes, record after record), padded to 2^zkr_geval_lb(n)
 * all-zero records: writes the proof to proof and the public output
 * (zkr_geval_output_encode: every record's output, the padding's too) to
 * output. ZKR_ERR_USAGE (n = 0), ZKR_ERR_TOO_LARGE (n over
 * ZKR_GEVAL_MAX_RECORDS), ZKR_ERR_MISMATCH_INPUT (rec_len), ZKR_ERR_UNSUPPORTED
 * (a LOOKUP node, or the batch's witness over max_vars), ZKR_ERR_NOMEM.
 * Deterministic.
 */
zkr_err zkr_prover_geval(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                         const zkr_ginf_model *m, const uint8_t *records, size_t rec_len,
                         uint32_t n, unsigned threads, zkr_buf *proof, zkr_buf *output,
                         zkr_diag *d) ZKR_WUR;

/*
 * Test builds only: as zkr_prover_geval (one thread) with fn editing the
 * honest witness before it is committed (prover/ginfer.h
 * zkr_ginf_cheat_view; out holds every record's output, record after
 * record).
 */
zkr_err zkr_prover_geval_cheat(const zkr_params *p, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                               const zkr_ginf_model *m, const uint8_t *records, size_t rec_len,
                               uint32_t n, zkr_ginf_cheat_fn fn, void *ctx, zkr_buf *proof,
                               zkr_buf *output, zkr_diag *d) ZKR_WUR;

#endif
