/*
 * graph-inference@2 (proof kind 11) through the product (app/ginfer2.c):
 * the zero-knowledge CNN proof of one record of a registered version 3
 * dataset under a private graph model, its logits public. The owners'
 * side (model file and sealed opening, records and sealed seed, the
 * reveal-budget ledger) is inference@2's (app/infer2_int.h); the proof is
 * made in the confined "ginfer2-prove" worker and verified in the
 * "ginfer2-verify" worker, every binding taken from the registry.
 * Hidden outputs (schema public_output false) are out of scope: the
 * registry refuses such statements (ZKR_ERR_UNSUPPORTED, exit 3).
 */
#ifndef ZKR_APP_GINFER2_H
#define ZKR_APP_GINFER2_H

#include "app/app.h"
#include "app/infer2.h"
#include "app/proof.h"
#include "zk/ginfer2.h"
#include "zk/zk.h"

/* The schema proof_kind; the proof header's kind is 11. */
#define ZKR_APP_GINF2_KIND "graph-inference@2"
/* The ledger kind of a private graph model's commitment (zkr_zkledger_id). */
#define ZKR_APP_GINF2_LEDGER_KIND "gmodel@2"

/* 1 when kind is "graph-inference@2". */
int zkr_app_ginf2_kind_is(const char *kind);

/* 1 when statement ref exists and is a graph-inference@2 statement (loaded into *st). */
int zkr_app_ginf2_is(zkr_registry *reg, const char *ref, zkr_statement *st);

/*
 * register-statement: a graph-inference@2 schema needs a private model
 * whose stored commitment is a graph model commitment, and an inference@2
 * schema a private model whose commitment is not one (ZKR_ERR_MISMATCH_MODEL
 * naming both). Unknown references and public models are left to the
 * registry's own rules (ZKR_OK).
 */
zkr_err zkr_app_ginf2_statement_check(zkr_app *app, zkr_registry *reg, const char *schema,
                                      const char *model) ZKR_WUR;

/*
 * Proves graph-inference@2 statement st (revocations checked by the
 * caller) with the owners' files o (o->output_secrets must be NULL): the
 * model file against its sealed secrets and the registered private graph
 * model, record `record_index` rebuilt from the data and the seed and
 * checked against the registered version 3 dataset, the model's logits on
 * it against the statement's public output (before any reservation), one
 * proof of the model's and the record's commitment reserved in the
 * registry's ledger, then the proof made in the confined "ginfer2-prove"
 * worker and written to o->out (0644, atomic). A refusal before the
 * reservation spends nothing. Errors as zkr_app_infer2_prove.
 */
zkr_err zkr_app_ginf2_prove(zkr_app *app, const zkr_statement *st, const zkr_app_infer2_opts *o,
                            zkr_app_prove_result *res) ZKR_WUR;

/*
 * Verifies proof (len bytes) against graph-inference@2 statement st in the
 * confined "ginfer2-verify" worker (no_sandbox: in this process).
 * ZKR_ERR_VERIFY, ZKR_ERR_MALFORMED, ZKR_ERR_UNSUPPORTED (another version),
 * ZKR_ERR_MISMATCH_*, sandbox and I/O errors.
 */
zkr_err zkr_app_ginf2_verify(zkr_app *app, const zkr_statement *st, const uint8_t *proof,
                             size_t len, int no_sandbox) ZKR_WUR;

/*
 * The "ginfer2-verify" request for st and proof (attest's verifier table):
 * the program's bytes from the store (checked against its registered
 * sha256), the private model's commitment digest, the version 3 dataset's
 * count and root, the record index and the public output from the
 * registry; never anything from the proof. ZKR_ERR_MISMATCH_SCHEMA /
 * _PARAMS / _OUTPUT, ZKR_ERR_REGISTRY (the store differs), I/O, NOMEM.
 */
zkr_err zkr_app_ginf2_verify_request(zkr_app *app, const zkr_statement *st, uint32_t param_set,
                                     const zkr_buf *proof, zkr_buf *req) ZKR_WUR;

/* The confined workers (app/workers.c): prover and verifier policies. */
zkr_err zkr_app_worker_ginf2_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                   zkr_diag *d) ZKR_WUR;
zkr_err zkr_app_worker_ginf2_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                    zkr_diag *d) ZKR_WUR;

#endif
