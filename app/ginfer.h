/*
 * graph-inference@1 (proof kind 10) through the product (app/ginfer.c):
 * the graph model's registry commitment, register-statement's kind checks,
 * prove and verify in the confined "ginf-prove" / "ginf-verify" workers,
 * and the request attest sends to the same verifier worker.
 *
 * The parent opens every file and registry row and recomputes every
 * binding (DESIGN.md section 4); the workers read nothing but their
 * request and trust nothing in it beyond the mathematics: the prover
 * recomputes the model commitment from the model bytes and refuses another
 * one, the verifier recomputes it from the model's public parameters and
 * P's root and checks the record's inclusion in the registered dataset.
 */
#ifndef ZKR_APP_GINFER_H
#define ZKR_APP_GINFER_H

#include "app/app.h"
#include "app/proof.h"
#include "ml/ml.h"
#include "prover/ginfer.h"
#include "zk/ginfer.h"
#include "zk/zk.h"

/* The schema proof_kind of graph inference; the proof header's kind is 10. */
#define ZKR_APP_GINF_KIND "graph-inference@1"

/* 1 when kind is "graph-inference@1". */
int zkr_app_ginf_kind_is(const char *kind);

/*
 * 1 when the model's stored bytes (beside the registry) are a graph-model
 * file (ZKRQMOD version 2). Only the header is read; a missing file is 0.
 */
int zkr_app_model_is_graph(const zkr_app *app, const zkr_artifact *m);

/*
 * The registry's commitment of a graph model:
 * SHA-256("zkreg/graph-model-commitment/v1\0" || program digest ||
 * u32 n_nodes || per node 1..n-1 (u32 shift | u64 Ma | u64 Mb | 256 table
 * bytes, zero where the op has none) || u32 P's n_vars || P's root),
 * big-endian. P is the model polynomial zkr_prover_ginf_commit builds from
 * the model file (zero padding, laid out by the program): the appliance
 * computes it, never a prover. ZKR_OK, ZKR_ERR_NOMEM.
 */
zkr_err zkr_app_ginf_commitment(const zkr_ml_gmodel *gm, const zkr_pcs_commitment *pc,
                                uint8_t out[ZKR_DIGEST_BYTES]) ZKR_WUR;

/*
 * register-model of a graph model (decoded, of the registered program):
 * commits to P here (threads 2) and writes the commitment and P's root
 * into the store beside the registry (models/<sha256>.gpcs, a cache the
 * verifier re-derives the commitment from). A program graph-inference@1
 * does not prove (a shape over the relation bounds) gets no commitment
 * (*has 0): infer runs it, prove refuses it. ZKR_OK, ZKR_ERR_MALFORMED,
 * ZKR_ERR_NOMEM, I/O errors.
 */
zkr_err zkr_app_ginf_register_commit(zkr_app *app, const zkr_ml_gmodel *gm,
                                     const uint8_t sha[ZKR_DIGEST_BYTES],
                                     uint8_t commitment[ZKR_DIGEST_BYTES], int *has) ZKR_WUR;

/*
 * register-statement: the schema's proof kind and the model must agree. A
 * graph model under any other kind and a model that is no graph model
 * under graph-inference@1 are ZKR_ERR_MISMATCH_MODEL, naming both; unknown
 * references are left to the registration (ZKR_OK).
 */
zkr_err zkr_app_ginf_statement_check(zkr_app *app, zkr_registry *reg, const char *schema,
                                     const char *model) ZKR_WUR;

/* 1 when statement ref exists and is a graph-inference@1 statement (loaded into *st). */
int zkr_app_ginf_is(zkr_registry *reg, const char *ref, zkr_statement *st);

/*
 * Proves graph-inference@1 statement st (revocations, pins, commitments
 * checked) in the confined "ginf-prove" worker on its record of the
 * registered dataset (the file's commitment recomputed and compared).
 * Writes out only when the proven output is the statement's public output.
 * ZKR_OK, ZKR_ERR_MISMATCH_* (which binding), ZKR_ERR_UNSUPPORTED (a model
 * without commitment), ZKR_ERR_NOT_FOUND, ZKR_ERR_REVOKED, sandbox, I/O
 * and registry errors.
 */
zkr_err zkr_app_ginf_prove(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                           const char *dataset_file, uint32_t threads, int no_sandbox,
                           const char *out, zkr_app_prove_result *res) ZKR_WUR;

/*
 * Verifies proof (len bytes) against graph-inference@1 statement st in the
 * confined "ginf-verify" worker, every binding from the registry and the
 * store (no_sandbox: in this process). ZKR_OK, ZKR_ERR_VERIFY,
 * ZKR_ERR_MISMATCH_*, ZKR_ERR_MALFORMED, ZKR_ERR_NOT_FOUND, sandbox, I/O.
 */
zkr_err zkr_app_ginf_verify(zkr_app *app, zkr_registry *reg, const zkr_statement *st,
                            const uint8_t *proof, size_t len, int no_sandbox) ZKR_WUR;

/*
 * The "ginf-verify" request for st and proof (attest's verifier table):
 * the model bytes and P's root from the store (the model's sha256 checked),
 * the record and its inclusion path from the dataset's remembered file
 * (its commitment checked). Errors as zkr_app_ginf_verify before the worker.
 */
zkr_err zkr_app_ginf_verify_request(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                                    const zkr_buf *proof, zkr_buf *req) ZKR_WUR;

/*
 * P's root and size, as the verifier workers take them (36 bytes: root,
 * u32 n_vars big-endian): the store's cache beside the registry, else
 * recomputed from the model bytes. Never trusted: the worker re-derives
 * the registered commitment from it (evaluation-graph@1 shares it).
 */
#define ZKR_APP_GINF_PCS_BYTES 36u
zkr_err zkr_app_ginf_pcs(zkr_app *app, const zkr_statement *st, const zkr_buf *model,
                         uint8_t enc[ZKR_APP_GINF_PCS_BYTES]) ZKR_WUR;

/*
 * A verifier worker's check of the model it was handed (graph-inference@1,
 * evaluation-graph@1): model (model_len bytes) hashes to the registered
 * sha, decodes (into *gm, the caller frees it, on failure too) as a model
 * of program digest prog, and P's root and size pcs (into *pc) re-derive
 * the registered commitment mc. ZKR_ERR_MISMATCH_MODEL,
 * ZKR_ERR_MISMATCH_PROGRAM, the decoder's errors.
 */
zkr_err zkr_app_ginf_check_model(const uint8_t *model, size_t model_len,
                                 const uint8_t sha[ZKR_DIGEST_BYTES],
                                 const uint8_t prog[ZKR_DIGEST_BYTES],
                                 const uint8_t pcs[ZKR_APP_GINF_PCS_BYTES],
                                 const uint8_t mc[ZKR_DIGEST_BYTES], zkr_ml_gmodel **gm,
                                 zkr_pcs_commitment *pc, zkr_diag *d) ZKR_WUR;

/*
 * Commits to P from a decoded graph model at parameter set 1 (the
 * appliance's own computation, as register-model's): *pm, *pc, and the
 * public parameters *mp and *store (both freed by the caller after *pm).
 */
zkr_err zkr_app_ginf_commit_model(const zkr_ml_gmodel *gm, unsigned threads, zkr_ginf_model **pm,
                                  zkr_pcs_commitment *pc, zkr_ginf_params **mp, int64_t **store,
                                  zkr_diag *d) ZKR_WUR;

/* The confined workers (app/workers.c): prover and verifier policies. */
zkr_err zkr_app_worker_ginf_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                  zkr_diag *d) ZKR_WUR;
zkr_err zkr_app_worker_ginf_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d) ZKR_WUR;

#endif
