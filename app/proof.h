/*
 * The prove and verify workflows (app/proof.c): `zkreg prove` for
 * inference@1 statements and `zkreg verify` for inference@1 and
 * training-step@1 statements, without the command line.
 *
 * Every binding is recomputed from the registry (DESIGN.md section 4) and
 * the mathematics runs in a confined worker ("prove" / "verify",
 * app/workers.c) that never opens a file.
 */
#ifndef ZKR_APP_PROOF_H
#define ZKR_APP_PROOF_H

#include "app/app.h"

/* Told about each step of a long workflow (e.g. printed on a TTY); may be NULL. */
typedef void (*zkr_app_progress_fn)(const char *msg);

typedef struct {
    const char *statement;    /* statement reference (id, as the registry resolves it) */
    const char *out;          /* the proof file, written atomically (0644) */
    const char *dataset_file; /* NULL: the file remembered at register-dataset */
    const char *backend;      /* "auto", "cpu" or "cuda" (docs/cuda.md) */
    uint32_t threads;         /* prover threads, 1..16 */
    int no_sandbox;           /* prove in this process (debugging only) */
    zkr_app_progress_fn progress;
    /*
     * --zk-seed: the unsealed seed (app/dataset.h zkr_app_zk_seed_load),
     * borrowed, or NULL. Only hiding kinds take one; an @1 statement with a
     * seed is refused (ZKR_ERR_USAGE) before anything runs.
     */
    const uint8_t *zk_seed;
    size_t zk_seed_len;
    /* inference@2 (app/infer2.c): the owners' files, and the passphrase unsealing the secrets. */
    const char *model_file, *model_secrets, *dataset_secrets;
    const char *output_secrets; /* a hidden output's (`zkreg output commit`), or NULL */
    const zkr_secret *pass;
} zkr_app_prove_opts;

typedef struct {
    uint8_t sha256[ZKR_DIGEST_BYTES]; /* of the proof written */
    size_t bytes;
    double seconds; /* spent in the prover */
    int evaluation;   /* 1 for an evaluation@1 statement: records and correct are set */
    int batch;        /* 1 for an inference-batch@1 statement: records is set */
    uint64_t records; /* records of the evaluated range */
    uint64_t correct; /* how many the model gets right */
} zkr_app_prove_result;

/*
 * Proves inference@1 or evaluation@1 statement o->statement (an
 * evaluation, app/eval.c, runs on the CPU over the statement's record
 * range): the registered model (its
 * bytes from the store, checked against the registered sha256) on the
 * statement's record of the registered dataset (the file's commitment
 * recomputed and compared). Writes o->out only when the model's output is
 * the statement's public output.
 * Returns ZKR_OK, ZKR_ERR_NOT_FOUND, ZKR_ERR_MISMATCH_* (which binding),
 * ZKR_ERR_REVOKED, ZKR_ERR_UNSUPPORTED (--backend cuda unusable; a hiding
 * kind, which this command does not prove yet), ZKR_ERR_USAGE (a seed for
 * an @1 kind, or one not ZKR_ZK_SEED_BYTES long), sandbox, I/O and
 * registry errors.
 */
zkr_err zkr_app_prove(zkr_app *app, const zkr_app_prove_opts *o, zkr_app_prove_result *res) ZKR_WUR;

typedef struct {
    const char *statement; /* statement reference */
    const char *proof;     /* the proof file */
    int no_sandbox;        /* verify in this process; logged as "verify-unconfined" */
    zkr_app_progress_fn progress;
} zkr_app_verify_opts;

typedef struct {
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    uint8_t proof_sha256[ZKR_DIGEST_BYTES];
    const char *kind;   /* "inference@1", "training-step@1", "evaluation@1", ... (static string) */
    int has_correct;    /* evaluation@1: correct is the proven number correct */
    uint64_t correct;
    uint64_t log_index; /* of the "proof" (or "verify-unconfined") log entry */
    double seconds;
} zkr_app_verify_result;

/*
 * Verifies proof file o->proof against registered statement o->statement,
 * every binding taken from the registry, never from the proof. A verified
 * proof is recorded in the log ("proof") after the revocations are checked
 * again under the write lock.
 * Returns ZKR_OK, ZKR_ERR_VERIFY (invalid proof), ZKR_ERR_MISMATCH_*,
 * ZKR_ERR_REVOKED, ZKR_ERR_NOT_FOUND, sandbox, I/O and registry errors.
 */
zkr_err zkr_app_verify(zkr_app *app, const zkr_app_verify_opts *o,
                       zkr_app_verify_result *res) ZKR_WUR;

/*
 * Refuses a statement whose binding was revoked, or whose registration is
 * not in the log: the statement's log entry, its kind's pinned verifier
 * version, then the statement, schema, program, model and dataset, in that
 * order; the first refusal's error (ZKR_ERR_REVOKED, ...) and diag.
 */
zkr_err zkr_app_statement_revoked(zkr_app *app, zkr_registry *reg, const zkr_statement *s) ZKR_WUR;

#endif
