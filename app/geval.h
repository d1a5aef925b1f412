/*
 * evaluation-graph@1 (proof kind 12) through the product (app/geval.c): a
 * graph (CNN) model's accuracy over a record range of a registered
 * dataset, in one proof. register-statement's checks, prove and verify in
 * the confined "geval-prove" / "geval-verify" workers, the request attest
 * sends to the same verifier worker, and the native count
 * --public-output-from-model binds.
 *
 * A statement binds a graph program (register-program, as for
 * graph-inference@1), a graph model with graph-inference@1's commitment
 * (the same commitment serves both kinds), a dataset, the u64 parameters
 * record_first (default 0) and record_count (default: to the last record)
 * and evaluation@1's 17-byte public output (mode, count, value:
 * docs/formats.md), whose count is the range's.
 *
 * The parent opens every file and registry row and recomputes every
 * binding (DESIGN.md section 4); the workers read nothing but their
 * request: the prover recomputes the model commitment from the model bytes
 * and refuses another, the verifier re-derives it from the model's public
 * parameters and P's root and checks the records' membership in the
 * registered dataset from the proof's boundary hashes.
 */
#ifndef ZKR_APP_GEVAL_H
#define ZKR_APP_GEVAL_H

#include "app/app.h"
#include "app/proof.h"
#include "registry/registry.h"

/* The schema proof_kind; the proof header's kind is 12 (ZKR_KIND_GEVAL1). */
#define ZKR_APP_GEVAL_KIND "evaluation-graph@1"

/* 1 when kind is "evaluation-graph@1". */
int zkr_app_geval_kind_is(const char *kind);

/* 1 when statement ref exists and is an evaluation-graph@1 statement (loaded into *st). */
int zkr_app_geval_is(zkr_registry *reg, const char *ref, zkr_statement *st);

/*
 * register-statement of an evaluation-graph@1 schema (other kinds: ZKR_OK,
 * nothing read): the range (record_first / record_count from kv, u64) must
 * lie in the dataset (ZKR_ERR_MALFORMED) and hold at most
 * ZKR_GEVAL_MAX_RECORDS = 1,024 records (ZKR_ERR_TOO_LARGE, naming the
 * limit); the model must be a graph model with a commitment
 * (ZKR_ERR_MISMATCH_MODEL / ZKR_ERR_UNSUPPORTED) whose program the batch
 * layout takes at that many records (ZKR_ERR_UNSUPPORTED, the layout's
 * reason: a LOOKUP node, a last node that is no vector, V over max_vars, a
 * pooling node's channels); a public output, when given (po non-NULL),
 * must be an evaluation output over exactly the range's count
 * (ZKR_ERR_MALFORMED). Unknown references are left to the registration.
 */
zkr_err zkr_app_geval_statement_check(zkr_app *app, zkr_registry *reg, const char *schema,
                                      const char *model, const char *dataset, const zkr_kv *kv,
                                      size_t nkv, const uint8_t *po, size_t po_len) ZKR_WUR;

/*
 * --public-output-from-model: the number of records of [first, first +
 * count) of ds whose native argmax under the graph model (model bytes,
 * checked by the caller) equals their label (zkr_geval_count, the
 * prover's own count). ZKR_ERR_TOO_LARGE (count over 1,024),
 * ZKR_ERR_MALFORMED, ZKR_ERR_NOMEM.
 */
zkr_err zkr_app_geval_count(zkr_app *app, const uint8_t *model, size_t model_len,
                            const zkr_dataset *ds, uint64_t first, uint64_t count,
                            uint64_t *correct) ZKR_WUR;

/*
 * Proves evaluation-graph@1 statement st (revocations, pins, commitments
 * checked) in the confined "geval-prove" worker over its records of the
 * registered dataset (dataset_file overrides the remembered path; its
 * commitment is recomputed and compared). Writes out only when the proven
 * count meets the statement's output (else ZKR_ERR_MISMATCH_OUTPUT, no
 * proof). res gets the digest, size, time, records and count.
 */
zkr_err zkr_app_geval_prove(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                            const char *dataset_file, uint32_t threads, int no_sandbox,
                            const char *out, zkr_app_prove_result *res) ZKR_WUR;

/*
 * Verifies proof against evaluation-graph@1 statement st in the confined
 * "geval-verify" worker (no_sandbox: in this process), every binding from
 * the registry, the store and the dataset file. *correct gets the
 * statement's value (the proven count in exact mode, tau in threshold
 * mode). ZKR_ERR_VERIFY, ZKR_ERR_MISMATCH_*, ZKR_ERR_MALFORMED, ...
 */
zkr_err zkr_app_geval_verify(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                             const uint8_t *proof, size_t len, int no_sandbox,
                             uint64_t *correct) ZKR_WUR;

/* The "geval-verify" request for st and proof (attest's verifier table). */
zkr_err zkr_app_geval_verify_request(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                                     const zkr_buf *proof, zkr_buf *req) ZKR_WUR;

/* The confined workers (app/workers.c): prover and verifier policies. */
zkr_err zkr_app_worker_geval_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d) ZKR_WUR;
zkr_err zkr_app_worker_geval_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d) ZKR_WUR;

#endif
