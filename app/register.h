/*
 * Registrations (app/register.c), one each, exactly as the single
 * register-* commands make them and as `register-batch` makes them inside
 * its one transaction: the file read and decoded, ONNX imported and
 * quantized, commitments computed, model and program bytes kept in the
 * store beside the registry, then the registry's *_add.
 */
#ifndef ZKR_APP_REGISTER_H
#define ZKR_APP_REGISTER_H

#include "app/app.h"
#include "ml/ml.h"
#include "registry/registry.h"

/*
 * register-program FILE: an ONNX file is imported to its canonical program
 * (graph) and a canonical program is checked; either is kept in the store
 * (programs/<sha256>) so that register-model knows the program is one
 * zkreg understands. Any other file is an opaque program, recorded by
 * digest. NAME NULL: the file's base name. *out is the new or existing row
 * (existed set). Returns the reader's, importer's and registry's errors.
 */
zkr_err zkr_app_register_program(zkr_app *app, zkr_registry *reg, const char *file,
                                 const char *name, zkr_artifact *out) ZKR_WUR;

/*
 * register-model FILE --program REF [--calibrate DATASET]: the model must
 * decode as a model of the program when zkreg understands the program (an
 * ONNX/graph or training program): bytes that decode as no model are
 * ZKR_ERR_MALFORMED (exit 3), a model of another program
 * ZKR_ERR_MISMATCH_PROGRAM (exit 1). Opaque models are accepted only for
 * opaque programs. `calibrate` (ONNX models) is an IDX file path or a
 * registered dataset (a row id or 64-hex sha256: its remembered file,
 * checked against the registered sha256: ZKR_ERR_NOT_FOUND unknown,
 * ZKR_ERR_MISMATCH_DATASET changed).
 */
zkr_err zkr_app_register_model(zkr_app *app, zkr_registry *reg, const char *file,
                               const char *name, const char *program_ref, const char *calibrate,
                               zkr_artifact *out) ZKR_WUR;

/* register-dataset PATH; phases drawn on pg (NULL: none). */
zkr_err zkr_app_register_dataset(zkr_app *app, zkr_registry *reg, const char *file,
                                 const char *name, zkr_progress *pg, zkr_artifact *out) ZKR_WUR;

/* register-schema FILE. */
zkr_err zkr_app_register_schema(zkr_app *app, zkr_registry *reg, const char *file,
                                zkr_schema *out) ZKR_WUR;

/* register-statement; *out must be freed with zkr_statement_free (also on failure). */
zkr_err zkr_app_register_statement(zkr_app *app, zkr_registry *reg, const char *schema,
                                   const char *program, const char *model, const char *dataset,
                                   const zkr_kv *kv, size_t nkv, const char *public_output_file,
                                   zkr_statement *out) ZKR_WUR;

/* What --public-output-from-model is asked for beyond the statement's fields. */
typedef struct {
    int has_threshold; /* evaluation@1: bind "correct >= threshold" instead of the count */
    uint64_t threshold;
} zkr_app_output_opts;

/*
 * register-statement --public-output-from-model: computes the public
 * output the statement (schema, program, model, dataset, params kv) binds,
 * natively, from the model bytes in the store and the dataset's remembered
 * file, each checked against its registered sha256. inference@1: the int8
 * output of record_index (as `zkreg infer --output-file`); evaluation@1:
 * the 17-byte output over record_first/record_count (default: all records),
 * exact count, or with o->has_threshold "correct >= threshold" (as `zkreg
 * eval --output-file [--threshold]`); inference-batch@1: the batch output
 * (every record's logits over record_first/record_count, as `zkreg infer
 * --first F --count C --output-file`). *out gets the bytes, line a human
 * summary. Writes nothing.
 * Returns ZKR_OK; ZKR_ERR_NOT_FOUND (schema, artifact, stored model or
 * dataset file unknown); ZKR_ERR_REVOKED (schema, program, model or
 * dataset); ZKR_ERR_MALFORMED (schema without public output, bad or
 * missing parameter, range outside the dataset, threshold above the
 * range); ZKR_ERR_UNSUPPORTED (another proof kind); ZKR_ERR_USAGE
 * (threshold for inference@1); ZKR_ERR_MISMATCH_PROGRAM (model of another
 * program); ZKR_ERR_MISMATCH_MODEL/DATASET (stored bytes changed);
 * ZKR_ERR_MISMATCH_OUTPUT (fewer correct than the threshold); the model
 * and dataset readers' errors.
 */
/*
 * The inference-batch@1 public output of m over records first..first+count-1
 * of ds, computed natively (docs/formats.md, "Batch public output"),
 * appended to *out. Returns ZKR_OK; ZKR_ERR_MALFORMED (an empty range, one
 * outside the dataset, or over the batch output's bounds); the model and
 * dataset readers' errors; ZKR_ERR_NOMEM.
 */
zkr_err zkr_app_batch_output(zkr_app *app, const zkr_ml_model *m, const zkr_dataset *ds,
                             uint64_t first, uint64_t count, zkr_buf *out) ZKR_WUR;

zkr_err zkr_app_output_from_model(zkr_app *app, zkr_registry *reg, const char *schema,
                                  const char *program, const char *model, const char *dataset,
                                  const zkr_kv *kv, size_t nkv, const zkr_app_output_opts *o,
                                  zkr_buf *out, char *line, size_t line_len) ZKR_WUR;

/*
 * register-statement with the public output given as bytes (po NULL: none),
 * as zkr_app_register_statement otherwise.
 */
zkr_err zkr_app_register_statement_bytes(zkr_app *app, zkr_registry *reg, const char *schema,
                                         const char *program, const char *model,
                                         const char *dataset, const zkr_kv *kv, size_t nkv,
                                         const uint8_t *po, size_t po_len,
                                         zkr_statement *out) ZKR_WUR;

/*
 * Whether `ref` names a registered dataset rather than a file: a decimal
 * row id or 64 hex digits (a file with such a name is given as ./NAME).
 */
int zkr_app_is_dataset_ref(const char *ref);

/*
 * Opens registered dataset `ref` from the file remembered at
 * register-dataset and checks it against the registered sha256 before
 * anything uses it. Returns ZKR_OK, ZKR_ERR_NOT_FOUND (unknown dataset, no
 * remembered file), ZKR_ERR_MISMATCH_DATASET (the file changed), the
 * reader's errors. *ds is freed with zkr_dataset_free.
 */
zkr_err zkr_app_dataset_open_registered(zkr_app *app, zkr_registry *reg, const char *ref,
                                        zkr_artifact *a, zkr_dataset **ds) ZKR_WUR;

/*
 * `zkreg register-batch FILE`: every line of FILE (JSON lines; the record
 * format is in docs/cli.md) registered by the functions above, in ONE
 * write transaction: all or nothing. "@N" references name the object line
 * N registered. On failure nothing is registered, *out is empty and the
 * diag names the line (and the field). pg (may be NULL) counts lines.
 * Returns the failing line's error (ZKR_ERR_MALFORMED for a line that does
 * not parse, else its registration's), ZKR_ERR_TOO_LARGE (over 1,000,000
 * lines or 256 MiB), registry errors. Free *out with zkr_app_batch_free.
 */
typedef enum {
    ZKR_APP_BATCH_PROGRAM,
    ZKR_APP_BATCH_MODEL,
    ZKR_APP_BATCH_DATASET,
    ZKR_APP_BATCH_SCHEMA,
    ZKR_APP_BATCH_STATEMENT,
} zkr_app_batch_kind;

/* What one line registered, kept compact (a batch may hold a million lines). */
typedef struct {
    uint64_t line;
    zkr_app_batch_kind type;
    int existed;
    int64_t id;
    uint64_t version;
    uint8_t digest[ZKR_DIGEST_BYTES]; /* sha256, schema digest or statement_id */
    char *name;                       /* artifacts and schemas; NULL for statements */
} zkr_app_batch_result;

typedef struct {
    zkr_app_batch_result *res;
    size_t n, cap;
    size_t n_new; /* results that were not registered before */
} zkr_app_batch;

zkr_err zkr_app_register_batch(zkr_app *app, const char *file, zkr_progress *pg,
                               zkr_app_batch *out) ZKR_WUR;
void zkr_app_batch_free(zkr_app_batch *b);
/* "program", "model", "dataset", "schema" or "statement". */
const char *zkr_app_batch_kind_name(zkr_app_batch_kind k);

#endif
