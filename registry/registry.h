/*
 * registry: the SQLite registry of programs, models, datasets, statement
 * schemas, statements, revocations and verified proofs, with its RFC 6962
 * transparency log and C2SP signed-note checkpoints.
 *
 * Storage rules (DESIGN.md section 3, docs/formats.md):
 * - one SQLite file in WAL mode, synchronous=FULL, foreign keys on, a busy
 *   timeout, `PRAGMA user_version` migrations; a registry newer than this
 *   binary is refused (ZKR_ERR_REGISTRY_VERSION) before anything is written;
 * - every table is append-only, enforced by SQL triggers;
 * - every registration, revocation and recorded event appends one log leaf
 *   in the same transaction as its row, so a crash leaves both or neither;
 * - a failed call leaves the file unchanged.
 *
 * Objects are named by a REF string: the decimal row id shown by `list`,
 * or the full 64-digit hex digest (artifact sha256, schema digest,
 * statement_id). Schemas are also named "NAME@VERSION".
 *
 * Thread safety: a zkr_registry handle is used by one thread at a time;
 * separate handles (in threads or processes) may share one file.
 * Identical re-registration is idempotent: it returns the existing object
 * with `existed` set, and writes nothing.
 */
#ifndef ZKR_REGISTRY_H
#define ZKR_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* The schema version of the registry file this code writes. */
#define ZKR_REGISTRY_SCHEMA_VERSION 4

#define ZKR_NAME_MAX 256          /* artifact names, bytes of UTF-8 */
#define ZKR_IDENT_MAX 64          /* schema names, field names, proof-system ids */
#define ZKR_SCHEMA_MAX_FIELDS 64
#define ZKR_PARAM_MAX_BYTES 32768 /* one canonical parameter value */
#define ZKR_PUBLIC_OUTPUT_MAX ((size_t)1 << 20)
#define ZKR_REASON_MAX 1024
#define ZKR_ORIGIN_MAX 128

typedef struct zkr_registry zkr_registry;

/* Kinds of registered object (revocations name one of them). */
typedef enum {
    ZKR_KIND_PROGRAM = 1,
    ZKR_KIND_MODEL = 2,
    ZKR_KIND_DATASET = 3,
    ZKR_KIND_SCHEMA = 4,
    ZKR_KIND_STATEMENT = 5,
    ZKR_KIND_KEY = 6, /* a signer key, named by its 32-byte fingerprint */
    ZKR_KIND_VERIFIER = 7, /* a verifier version of one proof kind, "KIND@VERSION"; revocations
                              name it by zkr_registry_verifier_target() */
} zkr_kind;

/* "program", "model", ...; NULL for an unknown value. */
const char *zkr_kind_name(zkr_kind k);
/* Parses a kind name. Returns ZKR_ERR_USAGE naming the word otherwise. */
zkr_err zkr_kind_parse(const char *s, zkr_kind *out, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Opening                                                             */
/* ------------------------------------------------------------------ */

/*
 * Creates a new registry at `path` (which must not exist) with a fresh
 * Ed25519 appliance key, sealed under `pass` (Argon2id; INTERACTIVE limits
 * when fast_kdf, else MODERATE). `origin` names the log in checkpoints
 * (NULL: "zkreg/<first 16 hex digits of SHA-256(public key)>").
 * Returns ZKR_ERR_EXISTS (path exists), ZKR_ERR_MALFORMED (origin),
 * ZKR_ERR_REGISTRY / ZKR_ERR_IO, ZKR_ERR_NOMEM.
 * Secret: pass; the private key never leaves sodium_malloc'ed memory
 * unsealed and is wiped.
 */
zkr_err zkr_registry_create(const char *path, const zkr_secret *pass, const char *origin,
                            int fast_kdf, zkr_diag *d) ZKR_WUR;

/*
 * Opens an existing registry read-write, migrating an older file.
 * Returns ZKR_ERR_NOT_FOUND (no file), ZKR_ERR_REGISTRY (not a zkreg
 * registry, unreadable, corrupt), ZKR_ERR_REGISTRY_VERSION (newer than
 * this binary), ZKR_ERR_NOMEM. The diag names the path.
 */
zkr_err zkr_registry_open(const char *path, zkr_registry **out, zkr_diag *d) ZKR_WUR;

/*
 * Opens an existing registry read-only: nothing is ever written, not even
 * a migration. When the medium cannot hold SQLite's shared WAL index
 * (read-only or full) the file is opened with immutable=1 instead, unless
 * its `-wal` holds changes the file lacks (then ZKR_ERR_REGISTRY, naming
 * `zkreg archive`). Returns as zkr_registry_open, plus
 * ZKR_ERR_REGISTRY_VERSION for a registry older than this binary.
 * Write calls on the handle fail with ZKR_ERR_INTERNAL.
 */
zkr_err zkr_registry_open_readonly(const char *path, zkr_registry **out, zkr_diag *d) ZKR_WUR;

/* 1 when the handle fell back to immutable=1 (writers elsewhere are not seen). */
int zkr_registry_is_immutable(const zkr_registry *reg);

/*
 * Writes a self-contained copy of the registry to `out_path` (which must
 * not exist): one consistent snapshot (VACUUM INTO, write-ahead log
 * included), in rollback-journal mode (journal_mode=DELETE) so that it
 * is readable from read-only media, checked with PRAGMA integrity_check,
 * fsynced and linked into place. Works on a read-only handle.
 * Returns ZKR_ERR_EXISTS, ZKR_ERR_IO (naming the file system),
 * ZKR_ERR_REGISTRY; nothing is left at out_path on failure.
 */
zkr_err zkr_registry_archive(zkr_registry *reg, const char *out_path, zkr_diag *d) ZKR_WUR;

/* Closes. Accepts NULL. */
void zkr_registry_close(zkr_registry *reg);

/* The registry's file path (valid while open). */
const char *zkr_registry_path(const zkr_registry *reg);

/*
 * Transactions that span several calls, for commands whose checks must
 * hold at the moment they write (attest: re-check revocations, record the
 * verification, sign, log the attestation, all under one write lock).
 * zkr_registry_write_begin takes the write lock (BEGIN IMMEDIATE, waiting
 * up to the busy timeout for other writers); every registry call made
 * before zkr_registry_write_commit or zkr_registry_end joins it, and only
 * that commit makes their writes durable. zkr_registry_read_begin opens a
 * snapshot: every read until zkr_registry_end sees one state of the file.
 * zkr_registry_end rolls back whatever is still open (accepts NULL or no
 * transaction). One transaction per handle at a time.
 * Returns ZKR_OK, ZKR_ERR_INTERNAL (one is already open / none to commit),
 * ZKR_ERR_REGISTRY (busy past the timeout, I/O); a failed commit rolls back.
 */
zkr_err zkr_registry_write_begin(zkr_registry *reg, zkr_diag *d) ZKR_WUR;
zkr_err zkr_registry_read_begin(zkr_registry *reg, zkr_diag *d) ZKR_WUR;
zkr_err zkr_registry_write_commit(zkr_registry *reg, zkr_diag *d) ZKR_WUR;
void zkr_registry_end(zkr_registry *reg);

/* ------------------------------------------------------------------ */
/* Artifacts: programs, models, datasets                               */
/* ------------------------------------------------------------------ */

typedef struct {
    int64_t id;                      /* row id, the short REF */
    zkr_kind kind;
    char name[ZKR_NAME_MAX + 1];
    uint64_t version;                /* 1, 2, ... per (kind, name) */
    uint8_t sha256[ZKR_DIGEST_BYTES]; /* of the canonical bytes */
    uint64_t size;                   /* canonical bytes */
    int64_t created;                 /* unix seconds */
    /* model */
    int64_t program_id;
    uint8_t program_sha256[ZKR_DIGEST_BYTES];
    int has_commitment;              /* model or dataset polynomial commitment */
    uint8_t commitment[ZKR_DIGEST_BYTES];
    /* dataset */
    uint64_t record_count;
    uint8_t records_root[ZKR_DIGEST_BYTES]; /* RFC 6962 over record leaf hashes */
    char dataset_format[8];          /* "idx" or "lines" (commitment version 1);
                                        "idx@2" or "lines@2" (version 2, hiding);
                                        a model: "" or "mc@2" (private) */
    uint64_t log_index;
    int existed;                     /* set by *_add when it was already registered */
} zkr_artifact;

/*
 * Registers a program: `name` (UTF-8, 1..ZKR_NAME_MAX bytes) and its
 * canonical bytes. The version is the next free one for the name.
 * Returns ZKR_OK (existed set when the same bytes were already a program),
 * ZKR_ERR_MALFORMED / ZKR_ERR_TOO_LARGE (name), ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_program_add(zkr_registry *reg, const char *name, const uint8_t *p,
                                 size_t len, zkr_artifact *out, zkr_diag *d) ZKR_WUR;

/*
 * Registers a model of program `program_ref`. `commitment` is the
 * polynomial commitment of the weights, or NULL until the proof system
 * provides one. Returns as program_add, plus ZKR_ERR_NOT_FOUND (program),
 * ZKR_ERR_REVOKED (program revoked).
 */
zkr_err zkr_registry_model_add(zkr_registry *reg, const char *name, const char *program_ref,
                               const uint8_t *p, size_t len,
                               const uint8_t commitment[ZKR_DIGEST_BYTES], zkr_artifact *out,
                               zkr_diag *d) ZKR_WUR;

/*
 * The rule every artifact name meets (UTF-8 without control characters,
 * 1..ZKR_NAME_MAX bytes), for callers that write files before registering:
 * ZKR_OK, or ZKR_ERR_MALFORMED / ZKR_ERR_TOO_LARGE naming the fault.
 */
zkr_err zkr_registry_name_check(const char *name, zkr_diag *d) ZKR_WUR;

/*
 * A private model (register-model --commitment): the registry holds only its
 * public hiding commitment, never a weight. `enc` is the model commitment
 * version 2, 3 or 4 encoding (zk/zk.h, zkr_infer2_mc_encode; the caller decoded it
 * and checked it against the program), `commitment` its zkr_infer2_mc_digest.
 * The row's sha256 is SHA-256 of enc, its size len, its format
 * ZKR_MODEL_FORMAT_PRIVATE. Returns as zkr_registry_model_add.
 */
#define ZKR_MODEL_FORMAT_PRIVATE "mc@2"
zkr_err zkr_registry_model_add_private(zkr_registry *reg, const char *name,
                                      const char *program_ref, const uint8_t *enc, size_t len,
                                      const uint8_t commitment[ZKR_DIGEST_BYTES],
                                      zkr_artifact *out, zkr_diag *d) ZKR_WUR;

/* Whether a is a private model (its weights never reached the registry). */
int zkr_registry_model_private(const zkr_artifact *a);

/*
 * As zkr_registry_model_add, and in the same transaction appends the log
 * event `ev_type` with payload `ev` (rules of zkr_registry_event_append),
 * so that a model and the event that explains it (its lineage, the round
 * that averaged it) are both registered or neither is. When the model is
 * already registered (out->existed set) only the event is appended.
 * Returns as zkr_registry_model_add, plus ZKR_ERR_USAGE (event type),
 * ZKR_ERR_TOO_LARGE (payload).
 */
zkr_err zkr_registry_model_add_event(zkr_registry *reg, const char *name, const char *program_ref,
                                     const uint8_t *p, size_t len,
                                     const uint8_t commitment[ZKR_DIGEST_BYTES],
                                     const char *ev_type, const uint8_t *ev, size_t ev_len,
                                     zkr_artifact *out, uint64_t *ev_index, zkr_diag *d) ZKR_WUR;

/* An object an event binds, by the identity revocations name. */
typedef struct {
    zkr_kind kind;
    uint8_t digest[ZKR_DIGEST_BYTES];
} zkr_binding;

/*
 * As zkr_registry_model_add_event, and inside the same transaction checks
 * that none of the `n_bound` objects the event binds (a lineage's parent
 * model and dataset, ...) is revoked: a concurrent revocation is either
 * seen (ZKR_ERR_REVOKED, nothing written) or ordered after the event.
 */
zkr_err zkr_registry_model_add_event_bound(zkr_registry *reg, const char *name,
                                           const char *program_ref, const uint8_t *p, size_t len,
                                           const uint8_t commitment[ZKR_DIGEST_BYTES],
                                           const char *ev_type, const uint8_t *ev, size_t ev_len,
                                           const zkr_binding *bound, size_t n_bound,
                                           zkr_artifact *out, uint64_t *ev_index,
                                           zkr_diag *d) ZKR_WUR;

/*
 * The dataset's registered digest: SHA-256 over its canonical bytes, each
 * record as u32 BE length || bytes (docs/formats.md). Lets a caller check a
 * dataset file against its registration without the registry open.
 * Returns ZKR_OK, or what zkr_dataset_record returns. Thread safe.
 */
zkr_err zkr_registry_dataset_digest(const zkr_dataset *ds, uint8_t out[ZKR_DIGEST_BYTES],
                                    uint64_t *size) ZKR_WUR;

/*
 * Registers a dataset: its digest (docs/formats.md), record count, RFC
 * 6962 root over record leaf hashes (kept for prove-record), the path it
 * came from (informational), and `commitment`, the Merkle root over
 * per-record polynomial commitments (DESIGN.md section 5), or NULL until
 * the proof system computes one. Returns as program_add.
 */
zkr_err zkr_registry_dataset_add(zkr_registry *reg, const char *name, const zkr_dataset *ds,
                                 const char *source_path,
                                 const uint8_t commitment[ZKR_DIGEST_BYTES], zkr_artifact *out,
                                 zkr_diag *d) ZKR_WUR;

/*
 * A dataset's commitment version, read from its dataset_format: 1 (public
 * leaves SHA-256(0x00 || record), "idx"/"lines"), 2 (hiding, salted
 * leaves, "idx@2"/"lines@2", common/ zkr_dscommit_*), 3 (hiding record
 * commitments for inference@2, "idx@3"/"lines@3"), or 0 when `a` is not a
 * dataset or its format is unknown. Thread safe; nothing secret.
 */
int zkr_registry_dataset_version(const zkr_artifact *a);

/*
 * Registers a version 2 (hiding) dataset from its public commitment alone
 * (`zkreg register-dataset --commitment`): digest, record count, root and
 * format from c (decoded and checked by zkr_dscommit_decode); size is the
 * commitment file's 85 bytes; no record hashes are held (records are
 * opened on the owner's machine). Re-registering the same commitment is
 * idempotent (existed set, nothing written), as for version 1.
 * Returns as program_add, and ZKR_ERR_USAGE for a c that is not version 2.
 */
zkr_err zkr_registry_dataset_add_commitment(zkr_registry *reg, const char *name,
                                            const zkr_dscommit *c, const char *source_path,
                                            zkr_artifact *out, zkr_diag *d) ZKR_WUR;

/*
 * Whether a proof kind ("inference@2", ...) is a hiding (zero-knowledge)
 * kind: its statements bind version 2 or 3 datasets
 * (zkr_registry_kind_dataset_version), and `zkreg prove` takes
 * --zk-seed for it. Every @1 kind is not. Thread safe.
 */
int zkr_registry_kind_hiding(const char *proof_kind);
/*
 * The dataset commitment version statements of proof_kind must bind: 3
 * (hiding record commitments) for inference@2, 2 (salted, hiding) for the
 * other hiding kinds, 1 (records in the clear) for the @1 kinds.
 */
int zkr_registry_kind_dataset_version(const char *proof_kind);

/*
 * Looks an artifact up by REF (row id or sha256 hex). kind 0 accepts any
 * artifact kind. Returns ZKR_ERR_NOT_FOUND (also for an object of another
 * kind, with the diag naming the kind found), ZKR_ERR_USAGE (REF neither
 * an id nor hex), ZKR_ERR_MALFORMED (hex of the wrong length).
 */
zkr_err zkr_registry_artifact_get(zkr_registry *reg, zkr_kind kind, const char *ref,
                                  zkr_artifact *out, zkr_diag *d) ZKR_WUR;

/*
 * Whether program `program_id` has a model with a commitment (a model
 * zkreg decoded and committed for it): register-model then knows the
 * program is one zkreg understands even when its bytes are not in the
 * store (registered before they were kept). Returns ZKR_OK (*yes set) or
 * ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_program_has_committed_model(zkr_registry *reg, int64_t program_id, int *yes,
                                                 zkr_diag *d) ZKR_WUR;

/* Lists artifacts of `kind` (0: all) in id order; *out is malloc'ed. */
zkr_err zkr_registry_artifact_list(zkr_registry *reg, zkr_kind kind, zkr_artifact **out,
                                   size_t *n) ZKR_WUR;

/*
 * Inclusion proof that record `index` belongs to dataset `ref`: the leaf
 * hash and the audit path against the dataset's records_root.
 * Returns ZKR_ERR_NOT_FOUND (dataset, index, or record hashes not held,
 * e.g. for an imported dataset), ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_dataset_record_proof(zkr_registry *reg, const char *ref, uint64_t index,
                                          zkr_artifact *ds_out,
                                          uint8_t leaf_hash[ZKR_DIGEST_BYTES],
                                          uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                          size_t *path_len, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Schemas                                                             */
/* ------------------------------------------------------------------ */

/* Statement parameter types a schema may declare. */
typedef enum {
    ZKR_PARAM_U64 = 1,     /* decimal, no sign, no leading zeros */
    ZKR_PARAM_I64 = 2,     /* decimal with optional '-' */
    ZKR_PARAM_STRING = 3,  /* UTF-8, at most 1024 bytes */
    ZKR_PARAM_DIGEST = 4,  /* 64 hex digits (32 bytes) */
    ZKR_PARAM_U64_LIST = 5 /* comma-separated u64, 1..4096 entries */
} zkr_param_type;

const char *zkr_param_type_name(zkr_param_type t);

typedef struct {
    char name[ZKR_IDENT_MAX + 1];
    zkr_param_type type;
} zkr_schema_field;

typedef struct {
    int64_t id;
    char name[ZKR_IDENT_MAX + 1];
    uint64_t version;
    uint8_t digest[ZKR_DIGEST_BYTES]; /* SHA-256("zkreg/schema/v1\0" || canonical) */
    char proof_kind[ZKR_IDENT_MAX + 1];    /* "inference@1", ... */
    char proof_system[ZKR_IDENT_MAX + 1];  /* proof-system id */
    char param_set[ZKR_IDENT_MAX + 1];     /* parameter-set id */
    char verifier_version[ZKR_IDENT_MAX + 1]; /* pinned verifier version */
    int public_output;                     /* 1: statements must bind one */
    size_t n_fields;
    zkr_schema_field fields[ZKR_SCHEMA_MAX_FIELDS]; /* sorted by name */
    int64_t created;
    uint64_t log_index;
    int existed;
} zkr_schema;

/*
 * Statement outputs. An inference@2 schema without a public output still
 * binds one: the 48-byte hiding commitment to the output (zk/zk.h,
 * zkr_infer2_oc_encode), in the statement's output slot, never the bytes.
 */
#define ZKR_OUTPUT_COMMIT_BYTES 48
int zkr_registry_schema_output_hidden(const zkr_schema *s);
/* Whether statements of s bind an output: a public one, or a hidden one (above). */
int zkr_registry_schema_binds_output(const zkr_schema *s);

/*
 * Parses and validates a schema document (JSON, docs/formats.md): every
 * key known, types right, identifiers in their alphabet, no duplicate
 * field names. `src` names the input in messages. Fills name..fields and
 * digest. Returns ZKR_ERR_MALFORMED, ZKR_ERR_TOO_LARGE, ZKR_ERR_UNSUPPORTED
 * (unknown proof kind or field type), each naming the field.
 */
zkr_err zkr_schema_parse(const char *src, const uint8_t *json, size_t len, zkr_schema *out,
                         zkr_diag *d) ZKR_WUR;

/* Appends the canonical encoding of a schema (docs/formats.md). */
zkr_err zkr_schema_encode(const zkr_schema *s, zkr_buf *out) ZKR_WUR;

/* Strictly decodes a canonical schema encoding and recomputes its digest. */
zkr_err zkr_schema_decode(const uint8_t *p, size_t len, zkr_schema *out, zkr_diag *d) ZKR_WUR;

/* The i-th proof kind a schema may name ("inference@1", ...); NULL past the last. */
const char *zkr_schema_proof_kind_at(size_t i);

/*
 * Registers a parsed schema. Returns ZKR_OK (existed set when the same
 * name@version with the same digest exists), ZKR_ERR_CONFLICT (same
 * name@version, other content), ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_schema_add(zkr_registry *reg, const zkr_schema *s, zkr_schema *out,
                                zkr_diag *d) ZKR_WUR;

/* Looks a schema up by "NAME@VERSION", row id or digest hex. ZKR_ERR_NOT_FOUND. */
zkr_err zkr_registry_schema_get(zkr_registry *reg, const char *ref, zkr_schema *out,
                                zkr_diag *d) ZKR_WUR;

/* Lists schemas in id order; *out is malloc'ed. */
zkr_err zkr_registry_schema_list(zkr_registry *reg, zkr_schema **out, size_t *n) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *key;
    const char *value;
} zkr_kv;

typedef struct {
    char name[ZKR_IDENT_MAX + 1];
    zkr_param_type type;
    uint8_t *value;   /* canonical value bytes (malloc'ed) */
    size_t value_len;
    char *text;       /* the value as text, for display (malloc'ed) */
} zkr_param;

/*
 * A statement with every value it binds (DESIGN.md sections 3 and 4).
 * Free with zkr_statement_free.
 */
typedef struct {
    int64_t id;
    uint8_t statement_id[ZKR_DIGEST_BYTES];
    zkr_schema schema;
    zkr_artifact program, model, dataset;
    size_t n_params;
    zkr_param params[ZKR_SCHEMA_MAX_FIELDS]; /* sorted by name */
    int has_public_output;
    uint8_t public_output_sha256[ZKR_DIGEST_BYTES];
    zkr_buf public_output;                   /* the bytes, when held */
    zkr_buf canonical;                       /* the encoding statement_id hashes */
    int64_t created;
    uint64_t log_index;
    int existed;
} zkr_statement;

void zkr_statement_free(zkr_statement *s);

/*
 * Validates and registers a statement: the schema (REF), program, model
 * and dataset exist with the right kinds and are not revoked, the model
 * belongs to the program, every schema field is given exactly once with a
 * value of its type and nothing else is given, and the public output is
 * present exactly when the schema asks for one. Computes statement_id =
 * SHA-256("zkreg/statement/v1\0" || canonical encoding).
 * Returns ZKR_OK (existed set when already registered), ZKR_ERR_NOT_FOUND
 * (schema or artifact, or an artifact of another kind), ZKR_ERR_MALFORMED
 * (unknown, missing, duplicate or ill-typed parameter; public output
 * missing or unexpected), ZKR_ERR_TOO_LARGE, ZKR_ERR_MISMATCH_PROGRAM (the
 * model belongs to another program), ZKR_ERR_REVOKED, ZKR_ERR_REGISTRY; the
 * diag names the field.
 * `out` must be freed with zkr_statement_free even on failure.
 */
zkr_err zkr_registry_statement_add(zkr_registry *reg, const char *schema_ref,
                                   const char *program_ref, const char *model_ref,
                                   const char *dataset_ref, const zkr_kv *params,
                                   size_t n_params, const uint8_t *public_output,
                                   size_t public_output_len, zkr_statement *out,
                                   zkr_diag *d) ZKR_WUR;

/*
 * Looks a statement up by statement_id hex (or row id) with everything it
 * binds: schema name@version and digest, proof system, parameter set and
 * verifier version, program/model/dataset digests and commitments, the
 * parameters, the public output and its digest. Free with
 * zkr_statement_free. Returns ZKR_ERR_NOT_FOUND, ZKR_ERR_REGISTRY (out
 * empty on any failure: nothing to free).
 */
zkr_err zkr_registry_statement_get(zkr_registry *reg, const char *ref, zkr_statement *out,
                                   zkr_diag *d) ZKR_WUR;

/* Lists statement ids and row ids in id order; *out is malloc'ed (32 bytes each). */
zkr_err zkr_registry_statement_list(zkr_registry *reg, uint8_t (**out)[ZKR_DIGEST_BYTES],
                                    int64_t **ids, size_t *n) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Revocations, recorded proofs and other events                       */
/* ------------------------------------------------------------------ */

typedef struct {
    int64_t id;
    zkr_kind kind;
    uint8_t target[ZKR_DIGEST_BYTES];
    char reason[ZKR_REASON_MAX + 1];
    int64_t created;
    uint64_t log_index;
    int existed;
} zkr_revocation;

/*
 * Resolves a REF of `kind` to the 32-byte identity that revocations name
 * (artifact sha256, schema digest, statement_id; for keys, 64 hex digits).
 */
zkr_err zkr_registry_resolve(zkr_registry *reg, zkr_kind kind, const char *ref,
                             uint8_t target[ZKR_DIGEST_BYTES], zkr_diag *d) ZKR_WUR;

/*
 * Records a revocation (a new row and a log leaf; nothing is deleted).
 * Revoking twice returns the first revocation with existed set.
 * Returns ZKR_ERR_MALFORMED (reason empty, not UTF-8, over ZKR_REASON_MAX),
 * ZKR_ERR_NOT_FOUND (no such object; keys are not checked), ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_revoke(zkr_registry *reg, zkr_kind kind,
                            const uint8_t target[ZKR_DIGEST_BYTES], const char *reason,
                            zkr_revocation *out, zkr_diag *d) ZKR_WUR;

/*
 * As zkr_registry_revoke, with the object named by REF (zkr_registry_resolve)
 * and resolved inside the transaction that revokes it.
 */
zkr_err zkr_registry_revoke_ref(zkr_registry *reg, zkr_kind kind, const char *ref,
                                const char *reason, zkr_revocation *out, zkr_diag *d) ZKR_WUR;

/*
 * ZKR_OK when (kind, target) is not revoked; ZKR_ERR_REVOKED (with *info
 * filled when non-NULL and the diag naming reason and time) when it is.
 * The answer comes from the log's revocation leaves, not the rows: a
 * revocation row that was deleted or edited (or a row without its leaf)
 * gives ZKR_ERR_REGISTRY naming the row and the leaf.
 */
zkr_err zkr_registry_check_revoked(zkr_registry *reg, zkr_kind kind,
                                   const uint8_t target[ZKR_DIGEST_BYTES],
                                   zkr_revocation *info, zkr_diag *d) ZKR_WUR;

/*
 * The identity a verifier revocation names: SHA-256 tagged
 * "zkreg/verifier/v1" of "KIND@VERSION" (docs/formats.md), e.g. kind
 * "inference@1", version "0.2.0". Returns ZKR_OK, ZKR_ERR_MALFORMED (kind
 * without '@' or not an identifier, version not an identifier). Thread safe.
 */
zkr_err zkr_registry_verifier_target(const char *kind, const char *version,
                                     uint8_t target[ZKR_DIGEST_BYTES], zkr_diag *d) ZKR_WUR;

/*
 * Checks the rows a decision about statement `st` relies on (the statement,
 * its schema, program, model and dataset, as loaded by
 * zkr_registry_statement_get) against the log leaves that registered them:
 * each leaf re-hashes to its stored hash and carries exactly the row's
 * encoding. Returns ZKR_OK or ZKR_ERR_REGISTRY naming the row and the leaf.
 */
zkr_err zkr_registry_statement_check_log(zkr_registry *reg, const zkr_statement *st,
                                         zkr_diag *d) ZKR_WUR;

/*
 * ZKR_OK when verifier `version` of proof kind `kind` is not revoked;
 * kind NULL (not known to the caller) checks every proof kind at that
 * version and fails closed. ZKR_ERR_REVOKED names "KIND@VERSION", the log
 * entry and the reason; ZKR_ERR_REGISTRY as zkr_registry_check_revoked.
 */
zkr_err zkr_registry_verifier_revoked(zkr_registry *reg, const char *kind, const char *version,
                                      zkr_diag *d) ZKR_WUR;

/* Lists revocations in id order; *out is malloc'ed. */
zkr_err zkr_registry_revocation_list(zkr_registry *reg, zkr_revocation **out,
                                     size_t *n) ZKR_WUR;

/*
 * Records that a proof with digest `proof_digest` verified for statement
 * `statement_id` under verifier `verifier_version`; appends a log leaf.
 * Idempotent per (statement, proof digest). *log_index gets its leaf.
 * The statement and the revocations of it and of what it binds are read
 * inside the transaction that writes. Returns ZKR_ERR_NOT_FOUND
 * (statement), ZKR_ERR_REVOKED, ZKR_ERR_MALFORMED, ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_proof_record(zkr_registry *reg,
                                  const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                  const uint8_t proof_digest[ZKR_DIGEST_BYTES],
                                  const char *verifier_version, uint64_t *log_index,
                                  zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Signer keys                                                         */
/* ------------------------------------------------------------------ */

#define ZKR_EVENT_SIGNER_KEY "signer-key"

/*
 * A registered signer public key (`zkreg key register`): one row per
 * signer identity (common.h zkr_signer_identity), backed by its
 * "signer-key" log leaf (u32 1 | bytes keyid | str type | bytes key).
 */
typedef struct {
    int64_t id;
    uint8_t keyid[ZKR_DIGEST_BYTES];
    uint8_t identity[ZKR_DIGEST_BYTES];
    char type[16]; /* "ed25519", "secp256k1", "p256", "eth" */
    uint8_t pub[ZKR_KEY_PUB_MAX];
    size_t pub_len;
    int64_t created;
    uint64_t log_index;
    int existed; /* register: it was registered already (nothing written) */
} zkr_signer_key;

/*
 * Registers a signer key in one BEGIN IMMEDIATE transaction: the
 * revocation check (by key id, identity and the registered name of that
 * identity), the lookup and the write (leaf and row) cannot be separated
 * by another writer. Idempotent: the same key again gives its row with
 * existed set and writes nothing.
 * Returns ZKR_OK; ZKR_ERR_REVOKED (either name of the signer is revoked);
 * ZKR_ERR_CONFLICT (the signer is registered under its other name);
 * ZKR_ERR_MALFORMED (type or key); ZKR_ERR_REGISTRY.
 * Test builds pause at point "key-register" between reads and write
 * ($ZKREG_TEST_PAUSE_AT, $ZKREG_TEST_PAUSE_FIFO).
 */
zkr_err zkr_registry_signer_key_register(zkr_registry *reg, const char *type,
                                         const uint8_t *pub, size_t pub_len,
                                         zkr_signer_key *out, zkr_diag *d) ZKR_WUR;

/*
 * The registered key whose key id, or else whose identity, is `id`.
 * Returns ZKR_OK, ZKR_ERR_NOT_FOUND, ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_signer_key_find(zkr_registry *reg, const uint8_t id[ZKR_DIGEST_BYTES],
                                     zkr_signer_key *out, zkr_diag *d) ZKR_WUR;

/*
 * Whether a signer key is revoked under any of its names: a key
 * revocation whose target is `keyid`, `identity`, or the key id of the
 * registered key with that identity. Returns ZKR_OK (not revoked),
 * ZKR_ERR_REVOKED (info filled when non-NULL, diag names reason and
 * time), ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_key_check_revoked(zkr_registry *reg,
                                       const uint8_t keyid[ZKR_DIGEST_BYTES],
                                       const uint8_t identity[ZKR_DIGEST_BYTES],
                                       zkr_revocation *info, zkr_diag *d) ZKR_WUR;

/*
 * The log index of the recorded verification of (statement_id,
 * proof_digest). Returns ZKR_OK, ZKR_ERR_NOT_FOUND, ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_proof_find(zkr_registry *reg, const uint8_t statement_id[ZKR_DIGEST_BYTES],
                                const uint8_t proof_digest[ZKR_DIGEST_BYTES],
                                uint64_t *log_index, zkr_diag *d) ZKR_WUR;

/*
 * Appends an event of another module (attestation, refusal, key, ...) to
 * the log. `type` is an identifier ([a-z0-9._-], 1..64 bytes) other than
 * the registry's own (program, model, dataset, schema, statement,
 * revocation, proof, import, signer-key, and a round's round-open,
 * round-outcome and round-close, which only zkr_registry_round_open and
 * zkr_registry_round_close write); `payload` is its canonical encoding, at most
 * 1 MiB. Returns ZKR_ERR_USAGE (reserved or bad type), ZKR_ERR_TOO_LARGE,
 * ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_event_append(zkr_registry *reg, const char *type, const uint8_t *payload,
                                  size_t len, uint64_t *log_index, zkr_diag *d) ZKR_WUR;

/*
 * As zkr_registry_event_append, and inside the same transaction checks
 * that none of the `n_bound` objects the event binds (an attestation's
 * statement, artifacts, schema and key; a signer-key's key) is revoked:
 * a concurrent revocation is either seen (ZKR_ERR_REVOKED, nothing
 * written) or ordered after the event.
 */
zkr_err zkr_registry_event_append_bound(zkr_registry *reg, const char *type,
                                        const uint8_t *payload, size_t len,
                                        const zkr_binding *bound, size_t n_bound,
                                        uint64_t *log_index, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Transparency log                                                    */
/* ------------------------------------------------------------------ */

typedef struct {
    uint64_t index;
    char type[ZKR_IDENT_MAX + 1];
    int64_t time;
    uint8_t leaf_hash[ZKR_DIGEST_BYTES];
    zkr_buf leaf;     /* the leaf bytes (docs/formats.md) */
    const uint8_t *payload; /* points into leaf */
    size_t payload_len;
} zkr_log_entry;

void zkr_log_entry_free(zkr_log_entry *e);

/*
 * Decodes a log leaf: "zkreg/log/v1", type, time, payload (strict).
 * payload points into p. Returns ZKR_ERR_MALFORMED.
 */
zkr_err zkr_log_leaf_decode(const uint8_t *p, size_t len, char type[ZKR_IDENT_MAX + 1],
                            int64_t *time, const uint8_t **payload, size_t *payload_len) ZKR_WUR;

/*
 * The indices of every log leaf of event type `type`, ascending, in *idx
 * (malloc'ed, free()) and their count in *n. Returns ZKR_OK (possibly
 * none), ZKR_ERR_REGISTRY, ZKR_ERR_NOMEM.
 */
zkr_err zkr_registry_events_of_type(zkr_registry *reg, const char *type, uint64_t **idx,
                                    size_t *n, zkr_diag *d) ZKR_WUR;

/* The number of leaves. */
zkr_err zkr_registry_log_size(zkr_registry *reg, uint64_t *n) ZKR_WUR;

/* Entry `index`. ZKR_ERR_NOT_FOUND past the end. Free with zkr_log_entry_free. */
zkr_err zkr_registry_log_entry(zkr_registry *reg, uint64_t index, zkr_log_entry *out,
                               zkr_diag *d) ZKR_WUR;

/* The RFC 6962 root of the first `size` leaves (size <= log size). */
zkr_err zkr_registry_log_root(zkr_registry *reg, uint64_t size,
                              uint8_t root[ZKR_DIGEST_BYTES], zkr_diag *d) ZKR_WUR;

/* Inclusion proof of leaf `index` in the tree of the first `size` leaves. */
zkr_err zkr_registry_log_inclusion(zkr_registry *reg, uint64_t index, uint64_t size,
                                   uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES],
                                   size_t *path_len, zkr_diag *d) ZKR_WUR;

/* Consistency proof between the trees of the first m and n leaves (0 < m <= n). */
zkr_err zkr_registry_log_consistency(zkr_registry *reg, uint64_t m, uint64_t n,
                                     uint8_t path[ZKR_MERKLE_MAX_DEPTH * 2][ZKR_DIGEST_BYTES],
                                     size_t *path_len, zkr_diag *d) ZKR_WUR;

/*
 * Audits the whole log: every leaf re-hashed and decoded, indices
 * contiguous, the cached tree equal to a root recomputed from the leaves,
 * every stored checkpoint's signature valid and its root equal to the
 * tree at its size, every registered row backed by a leaf whose payload
 * matches it, and the revocation order: no model, statement or proof
 * binds an object (program; schema, program, model, dataset; statement)
 * whose revocation has a lower log index. Returns ZKR_OK or ZKR_ERR_VERIFY naming the first
 * fault; *size gets the number of leaves.
 */
zkr_err zkr_registry_log_audit(zkr_registry *reg, uint64_t *size, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Checkpoints (C2SP signed notes)                                     */
/* ------------------------------------------------------------------ */

typedef struct {
    char origin[ZKR_ORIGIN_MAX + 1];
    uint64_t size;
    uint8_t root[ZKR_DIGEST_BYTES];
    /*
     * The signed revocation-set commitment (extension line
     * "zkreg-revocations COUNT BASE64(DIGEST)", common.h zkr_revset): the
     * number and digest of the "revocation" leaves below `size`. Notes
     * signed before it existed have none (has_revocations 0); completeness
     * checks refuse them.
     */
    int has_revocations;
    uint64_t revocation_count;
    uint8_t revocation_digest[ZKR_DIGEST_BYTES];
} zkr_checkpoint;

/*
 * The revocation set of this registry's log below tree size `size`, from
 * the log leaves (not the revocation rows). Returns ZKR_OK,
 * ZKR_ERR_REGISTRY, ZKR_ERR_NOT_FOUND (size past the log).
 */
zkr_err zkr_registry_revocation_set(zkr_registry *reg, uint64_t size, uint64_t *count,
                                    uint8_t digest[ZKR_DIGEST_BYTES], zkr_diag *d) ZKR_WUR;

/* The appliance's note verifier key: "<name>+<key id hex>+<base64(0x01||pk)>". */
zkr_err zkr_registry_verifier_key(zkr_registry *reg, zkr_buf *out) ZKR_WUR;

/*
 * Signs a checkpoint of the current tree with the appliance key (unsealed
 * with `pass`), stores it, and appends the note text to *note. Only a tree
 * consistent with the latest stored checkpoint is signed.
 * Returns ZKR_ERR_PASSPHRASE, ZKR_ERR_KEY, ZKR_ERR_REGISTRY (also: the tree
 * does not extend the latest checkpoint).
 * Secret: pass and the unsealed key, wiped before returning.
 */
zkr_err zkr_registry_checkpoint_sign(zkr_registry *reg, const zkr_secret *pass, zkr_buf *note,
                                     zkr_diag *d) ZKR_WUR;

/*
 * The same in two steps, so a caller can pay for the Argon2id unseal before
 * it takes the write lock (attest): open the appliance key (sealed under
 * `pass`), then sign with it. Returns as zkr_registry_checkpoint_sign.
 * Secret: the unsealed key, in sodium_malloc'ed memory wiped by
 * zkr_appliance_key_free (accepts NULL).
 */
typedef struct zkr_appliance_key zkr_appliance_key;
zkr_err zkr_registry_appliance_key_open(zkr_registry *reg, const zkr_secret *pass,
                                        zkr_appliance_key **out, zkr_diag *d) ZKR_WUR;
zkr_err zkr_registry_checkpoint_sign_key(zkr_registry *reg, const zkr_appliance_key *k,
                                         zkr_buf *note, zkr_diag *d) ZKR_WUR;
void zkr_appliance_key_free(zkr_appliance_key *k);

/*
 * As zkr_registry_checkpoint_sign, but stores nothing: the note of the
 * tree as it is (read in one snapshot) is appended to *note, for a caller
 * that stores it with zkr_registry_checkpoint_store only after its other
 * writes succeeded. Returns as zkr_registry_checkpoint_sign.
 */
zkr_err zkr_registry_checkpoint_make(zkr_registry *reg, const zkr_secret *pass, zkr_buf *note,
                                     zkr_diag *d) ZKR_WUR;

/*
 * Stores a checkpoint note made by this registry's key whose tree is a
 * prefix of this log (idempotent). Returns ZKR_ERR_MALFORMED /
 * ZKR_ERR_SIGNATURE (not this appliance's note), ZKR_ERR_VERIFY (not this
 * log), ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_checkpoint_store(zkr_registry *reg, const uint8_t *note, size_t len,
                                      zkr_diag *d) ZKR_WUR;

/* The most recent stored checkpoint note. ZKR_ERR_NOT_FOUND when none. */
zkr_err zkr_registry_checkpoint_latest(zkr_registry *reg, zkr_buf *note, zkr_checkpoint *cp,
                                       zkr_diag *d) ZKR_WUR;

/*
 * Parses a signed note strictly and checks a signature by the key `vkey`
 * (the verifier-key string). Returns ZKR_ERR_MALFORMED (note or key),
 * ZKR_ERR_SIGNATURE (no valid signature by that key).
 */
zkr_err zkr_checkpoint_verify(const uint8_t *note, size_t len, const char *vkey,
                              zkr_checkpoint *out, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Training events: lineage and rounds (docs/formats.md)               */
/* ------------------------------------------------------------------ */

#define ZKR_ROUND_MAX_WORKERS 64
#define ZKR_ROUND_MAX_PER_WORKER 64 /* records per worker: training-step@1's largest batch */
#define ZKR_ROUND_REASON_MAX 399    /* bytes of an outcome's reason */
#define ZKR_ROUND_NONCE_BYTES 32
#define ZKR_TRAIN_LR_MAX 65535u     /* lr and shift bounds of training-step@1 (docs/training.md) */
#define ZKR_TRAIN_SHIFT_MAX 16u

/*
 * A "round-open" payload. Version 2 carries a fresh random nonce and the
 * opening registry's log origin, so two rounds never share a digest;
 * version 3 (written for a gated round, `round open --eval-dataset`) adds
 * the evaluation gate: the evaluation dataset, the evaluation-fixed@1
 * schema and the number of records a child must get right. Version 1 (no
 * nonce, no origin) and 2 are still read.
 */
typedef struct {
    uint32_t version;
    uint8_t nonce[ZKR_ROUND_NONCE_BYTES];      /* versions 2, 3 */
    char origin[ZKR_ORIGIN_MAX + 1];           /* versions 2, 3 */
    uint8_t parent[ZKR_DIGEST_BYTES], parent_commitment[ZKR_DIGEST_BYTES];
    uint8_t dataset[ZKR_DIGEST_BYTES], schema[ZKR_DIGEST_BYTES];
    uint32_t workers, per_worker, lr, shift;
    uint64_t first; /* worker w's shard: first + w*per_worker .. + per_worker - 1 */
    /* Version 3: the gate. The child's evaluation over every record of eval_dataset, >= min_correct. */
    uint8_t eval_dataset[ZKR_DIGEST_BYTES], eval_schema[ZKR_DIGEST_BYTES];
    uint64_t min_correct;
} zkr_round_open;

/* A "round-outcome" payload: one worker's verdict. */
typedef struct {
    uint8_t round[ZKR_DIGEST_BYTES]; /* SHA-256 of the round-open payload */
    uint32_t worker;
    uint8_t accepted;
    uint8_t child[ZKR_DIGEST_BYTES], statement[ZKR_DIGEST_BYTES], proof[ZKR_DIGEST_BYTES];
    char reason[ZKR_ROUND_REASON_MAX + 1];
} zkr_round_outcome;

/* A "round-close" payload: the average of the accepted children, in worker order. */
typedef struct {
    uint8_t round[ZKR_DIGEST_BYTES];
    uint8_t result[ZKR_DIGEST_BYTES], result_commitment[ZKR_DIGEST_BYTES]; /* zero when k = 0 */
    uint32_t k;
    uint8_t children[ZKR_ROUND_MAX_WORKERS][ZKR_DIGEST_BYTES];
} zkr_round_close;

/* A "lineage" payload: one native training step. */
typedef struct {
    uint8_t child[ZKR_DIGEST_BYTES], child_commitment[ZKR_DIGEST_BYTES];
    uint8_t parent[ZKR_DIGEST_BYTES], parent_commitment[ZKR_DIGEST_BYTES];
    uint8_t dataset[ZKR_DIGEST_BYTES];
    uint32_t lr, shift, batch;
    uint64_t indices[ZKR_ROUND_MAX_PER_WORKER];
} zkr_lineage;

/*
 * Canonical encoders (docs/formats.md) and strict decoders of the training
 * events. A decoder refuses trailing bytes, counts or values out of their
 * bounds (workers and records per worker 1..64, a shard range that would
 * pass 2^64, lr 1..65535, shift 1..16, accepted not 0/1, an accepted
 * outcome without child, statement or proof, a close whose k does not
 * match its result, a reason that is not UTF-8 text, a lineage round or
 * worker other than 0): ZKR_ERR_MALFORMED. Encoders return
 * ZKR_ERR_MALFORMED for a value its decoder would refuse, else ZKR_OK or
 * ZKR_ERR_NOMEM. Thread safe; nothing secret.
 */
zkr_err zkr_round_open_encode(const zkr_round_open *o, zkr_buf *out) ZKR_WUR;
zkr_err zkr_round_open_decode(const uint8_t *p, size_t len, zkr_round_open *out) ZKR_WUR;
zkr_err zkr_round_outcome_encode(const zkr_round_outcome *o, zkr_buf *out) ZKR_WUR;
zkr_err zkr_round_outcome_decode(const uint8_t *p, size_t len, zkr_round_outcome *out) ZKR_WUR;
zkr_err zkr_round_close_encode(const zkr_round_close *c, zkr_buf *out) ZKR_WUR;
zkr_err zkr_round_close_decode(const uint8_t *p, size_t len, zkr_round_close *out) ZKR_WUR;
zkr_err zkr_lineage_encode(const zkr_lineage *l, zkr_buf *out) ZKR_WUR;
zkr_err zkr_lineage_decode(const uint8_t *p, size_t len, zkr_lineage *out) ZKR_WUR;

/*
 * The indices, ascending, of the log events of `type` whose payload bytes
 * 4..35 equal `key`: the round digest of a round-outcome or round-close,
 * the nonce of a version-2 round-open. Indexed (log_event_key), so the cost
 * does not grow with the log. *idx is malloc'ed (free()).
 * Returns ZKR_ERR_REGISTRY, ZKR_ERR_NOMEM.
 */
zkr_err zkr_registry_events_by_key(zkr_registry *reg, const char *type,
                                   const uint8_t key[ZKR_DIGEST_BYTES], uint64_t **idx,
                                   size_t *n, zkr_diag *d) ZKR_WUR;

/*
 * The lineage index: the (child, parent) link of every `lineage` event,
 * read in one query and sorted, so ancestry and depth need no log scan per
 * step. Built from the events, not the rows: children that were not stored
 * (`train --keep-every`) still link their parents to their children. The
 * leaves are decoded strictly but not re-hashed here (`log verify` does).
 * zkr_registry_lineage_index returns ZKR_ERR_REGISTRY (a malformed
 * lineage leaf, SQL), ZKR_ERR_NOMEM. zkr_lineage_index_parent: the newest
 * event whose child is `child`, or NULL. zkr_lineage_index_depth: the
 * number of steps from `model` back to a model no event produced (0 for
 * an initial model or a round's result), bounded by the number of events
 * (a forged cycle cannot loop). Free accepts NULL. One thread at a time.
 */
typedef struct {
    uint8_t child[ZKR_DIGEST_BYTES], parent[ZKR_DIGEST_BYTES];
    uint64_t log_index;
} zkr_lineage_link;
typedef struct zkr_lineage_index zkr_lineage_index;
zkr_err zkr_registry_lineage_index(zkr_registry *reg, zkr_lineage_index **out,
                                   zkr_diag *d) ZKR_WUR;
const zkr_lineage_link *zkr_lineage_index_parent(const zkr_lineage_index *ix,
                                                 const uint8_t child[ZKR_DIGEST_BYTES]);
uint64_t zkr_lineage_index_depth(const zkr_lineage_index *ix,
                                 const uint8_t model[ZKR_DIGEST_BYTES]);
size_t zkr_lineage_index_count(const zkr_lineage_index *ix);
void zkr_lineage_index_free(zkr_lineage_index *ix);

/* The registry's log origin (its checkpoints' first line). */
zkr_err zkr_registry_origin(zkr_registry *reg, char out[ZKR_ORIGIN_MAX + 1], zkr_diag *d) ZKR_WUR;

/*
 * Opens a round: appends its "round-open" event after checking, in the
 * same write transaction, that no round with the same digest (SHA-256 of
 * the payload) is logged. *index gets the round id (the leaf's index),
 * digest the round's digest.
 * Returns ZKR_ERR_MALFORMED (o out of bounds), ZKR_ERR_CONFLICT (a round
 * with this digest exists, the diag names its index), ZKR_ERR_REVOKED (the
 * parent model, dataset or schema, checked in the same transaction),
 * ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_round_open(zkr_registry *reg, const zkr_round_open *o, uint64_t *index,
                                uint8_t digest[ZKR_DIGEST_BYTES], zkr_diag *d) ZKR_WUR;

/* A round and every event that names it, as read from the log. */
typedef struct {
    uint64_t index;                  /* the round id: its round-open leaf */
    uint8_t digest[ZKR_DIGEST_BYTES];
    zkr_round_open open;
    int closed;
    uint64_t close_index;
    zkr_round_close close;
    uint32_t n_outcomes;             /* outcomes logged, at most one per worker */
    uint64_t outcome_index[ZKR_ROUND_MAX_WORKERS]; /* by worker; valid when has_outcome */
    uint8_t has_outcome[ZKR_ROUND_MAX_WORKERS];
    zkr_round_outcome outcome[ZKR_ROUND_MAX_WORKERS];
} zkr_round_state;

/*
 * Reads round `index` and its events, and refuses a round the log shows
 * in an impossible state: ZKR_ERR_VERIFY (naming the leaves) for another
 * round-open with the same digest, more than one round-close, two
 * outcomes of one worker, an outcome for a worker outside the round, a
 * close with a missing outcome, or a close whose children are not exactly
 * the accepted outcomes' children in worker order; ZKR_ERR_NOT_FOUND (no
 * such leaf, or not a round-open); ZKR_ERR_REGISTRY (an event that does
 * not decode). out is large (about 40 KiB): allocate it.
 */
zkr_err zkr_registry_round_get(zkr_registry *reg, uint64_t index, zkr_round_state *out,
                               zkr_diag *d) ZKR_WUR;

/* One event of a round's closing write, with the model it registers (or none). */
typedef struct {
    const uint8_t *model;      /* a model's canonical bytes; NULL: no model */
    size_t model_len;
    const uint8_t *commitment; /* the model's commitment (32 bytes) */
    const uint8_t *event;      /* round-outcome or round-close payload */
    size_t event_len;
    zkr_artifact model_out;    /* out: the model row (existed set when already registered) */
    uint64_t log_index;        /* out: the event's leaf */
} zkr_round_write;

/*
 * Closes round `round` in one BEGIN IMMEDIATE transaction: re-checks there
 * that the round is still unique, has no outcome and no close, then
 * registers each accepted child (a model of the parent's program, named as
 * the parent) with its "round-outcome" event, outcome[w] for worker w, and
 * the average with the "round-close" event. Every payload is decoded and
 * must name this round, its worker and the model it comes with, and the
 * close must list exactly the accepted children. All or nothing: a crash
 * or a failure leaves no outcome behind.
 * Returns ZKR_ERR_CONFLICT (the round already has a close or outcomes; the
 * diag names the leaf), ZKR_ERR_MALFORMED / ZKR_ERR_USAGE (payloads that
 * do not fit the round), ZKR_ERR_REVOKED (the program, parent model,
 * dataset or schema, an accepted child or its statement: checked inside the
 * transaction, so a revocation that lands after judging wins), ZKR_ERR_NOT_FOUND,
 * ZKR_ERR_VERIFY (as zkr_registry_round_get), ZKR_ERR_REGISTRY.
 */
zkr_err zkr_registry_round_close(zkr_registry *reg, uint64_t round, zkr_round_write *outcome,
                                 size_t n, zkr_round_write *close, zkr_diag *d) ZKR_WUR;

/* ------------------------------------------------------------------ */
/* Export and import (crossing the air gap)                             */
/* ------------------------------------------------------------------ */

/*
 * Writes a bundle (docs/formats.md): the verifier key, a checkpoint, and
 * the log leaves of the selected objects with their inclusion proofs.
 * With n_statements == 0 every registration, revocation and proof record
 * is exported; otherwise those statements and what they bind. The
 * latest stored checkpoint is used when it covers the exported leaves;
 * else one is signed when `pass` is non-NULL, else ZKR_ERR_USAGE. The
 * bytes depend only on the registry's contents (deterministic). Writes
 * format version 2 with no evaluation proofs (zkr_registry_export_evals
 * carries them).
 */
zkr_err zkr_registry_export(zkr_registry *reg, const uint8_t (*statements)[ZKR_DIGEST_BYTES],
                            size_t n_statements, const zkr_secret *pass, zkr_buf *out,
                            zkr_diag *d) ZKR_WUR;

/*
 * The largest bundle export writes and import reads: import holds every
 * entry in memory and writes them in one transaction, so the total is
 * bounded (ZKR_ERR_TOO_LARGE, exit 3, naming the size and the limit).
 */
#define ZKR_BUNDLE_MAX_BYTES ((size_t)256 << 20)
/* The largest evaluation proof a bundle carries: a proof file's bound (ZKR_PROOF_MAX_BYTES). */
#define ZKR_BUNDLE_EVAL_PROOF_MAX ((size_t)64 << 20)

/*
 * As zkr_registry_export, but a checkpoint signed for the bundle is not
 * stored: its note is put in *pending (empty when the stored one was
 * used), for the caller to store with zkr_registry_checkpoint_store once
 * the bundle is written, so that a failure to write the bundle leaves the
 * registry unchanged.
 */
zkr_err zkr_registry_export_staged(zkr_registry *reg,
                                   const uint8_t (*statements)[ZKR_DIGEST_BYTES],
                                   size_t n_statements, const zkr_secret *pass, zkr_buf *out,
                                   zkr_buf *pending, zkr_diag *d) ZKR_WUR;

/*
 * A gated round's evaluation proof as a bundle carries it (format version
 * 2, docs/formats.md section 8): the accepted round-outcome it belongs to
 * and the statement the round derives for that worker's child. The
 * registry knows the events; deriving the statement, reading the kept
 * proof and verifying it are the application's (the hooks below).
 */
typedef struct {
    const zkr_round_open *open;         /* version 3 (gated) */
    const uint8_t *round;               /* the round's digest, 32 bytes */
    const zkr_round_outcome *outcome;   /* accepted */
    const uint8_t *child_commitment;    /* the child's registered commitment, 32 bytes */
    uint64_t outcome_index;             /* the outcome's log index (the exporter's) */
} zkr_bundle_eval_ref;

typedef struct {
    void *ctx;
    /*
     * Export: the proof kept for `ref` and the derived statement id, into
     * sid and proof; *found = 0 (ZKR_OK) when none is kept. Called inside
     * export's read snapshot, once per accepted outcome of a gated round.
     */
    zkr_err (*fetch)(void *ctx, zkr_registry *reg, const zkr_bundle_eval_ref *ref,
                     uint8_t sid[ZKR_DIGEST_BYTES], zkr_buf *proof, int *found, zkr_diag *d);
    /*
     * Import: binds the carried proof (statement id `sid` as the bundle
     * names it) to the statement the round derives for ref's child, and
     * verifies it, inside the import's write transaction, after every
     * entry was checked. A refusal returns its error; nothing is written.
     */
    zkr_err (*bind)(void *ctx, zkr_registry *reg, const zkr_bundle_eval_ref *ref,
                    const uint8_t sid[ZKR_DIGEST_BYTES], const uint8_t *proof, size_t len,
                    zkr_diag *d);
    /* Import: called once after every bind and before the commit (the store's files). */
    zkr_err (*stage)(void *ctx, zkr_diag *d);
} zkr_bundle_eval_hooks;

/* As zkr_registry_export_staged, carrying the evaluation proofs `hooks` fetches (NULL: none). */
zkr_err zkr_registry_export_evals(zkr_registry *reg,
                                  const uint8_t (*statements)[ZKR_DIGEST_BYTES],
                                  size_t n_statements, const zkr_secret *pass,
                                  const zkr_bundle_eval_hooks *hooks, zkr_buf *out,
                                  zkr_buf *pending, zkr_diag *d) ZKR_WUR;

typedef struct {
    uint64_t entries;   /* leaves in the bundle */
    uint64_t added;     /* objects newly written */
    uint64_t present;   /* objects already held */
    uint64_t evals;     /* evaluation proofs the bundle carries (format version 2) */
    uint32_t version;   /* the bundle's format version */
    zkr_checkpoint checkpoint;
} zkr_import_summary;

/*
 * Checks a bundle completely (structure, the checkpoint's signature by
 * `trusted_vkey` or, when NULL, by this registry's own appliance key,
 * every inclusion proof, every event, every reference and conflict) and
 * only then writes its objects in one transaction, with an "import" log
 * leaf. Returns ZKR_ERR_MALFORMED, ZKR_ERR_SIGNATURE, ZKR_ERR_VERIFY,
 * ZKR_ERR_CONFLICT, ZKR_ERR_NOT_FOUND (dangling reference),
 * ZKR_ERR_REGISTRY; nothing is written on any failure.
 */
zkr_err zkr_registry_import(zkr_registry *reg, const uint8_t *bundle, size_t len,
                            const char *trusted_vkey, zkr_import_summary *out,
                            zkr_diag *d) ZKR_WUR;

/*
 * As zkr_registry_import, with the evaluation proofs a version 2 bundle
 * carries: each must name an accepted round-outcome entry of this bundle
 * whose round is gated (else ZKR_ERR_VERIFY; one naming no such entry,
 * ZKR_ERR_MALFORMED) and is then handed to hooks->bind, inside the
 * transaction; hooks->stage runs before the commit. With hooks NULL a
 * bundle carrying any proof is refused (ZKR_ERR_UNSUPPORTED). Nothing is
 * written on any failure.
 */
zkr_err zkr_registry_import_evals(zkr_registry *reg, const uint8_t *bundle, size_t len,
                                  const char *trusted_vkey, const zkr_bundle_eval_hooks *hooks,
                                  zkr_import_summary *out, zkr_diag *d) ZKR_WUR;

/*
 * The registry-free part of import: parses a bundle strictly and checks
 * the trusted key, the checkpoint's signature, every inclusion proof and
 * that every leaf decodes. Writes nothing; out gets entries and checkpoint.
 * Returns as zkr_registry_import, less the reference and conflict checks.
 * Thread safe; used by the fuzz harness.
 */
zkr_err zkr_bundle_check(const uint8_t *bundle, size_t len, const char *trusted_vkey,
                         zkr_import_summary *out, zkr_diag *d) ZKR_WUR;

#endif /* ZKR_REGISTRY_H */
