/*
 * inference@1 glue between the registry commands, `zkreg prove/verify` and
 * the confined workers (app/infer.c).
 *
 * Storage decision: the registry keeps digests and commitments; the bytes
 * the prover needs live beside it in "<registry>.d/": the canonical
 * quantized-model file under models/<sha256 hex> (written at
 * register-model, checked against the registered sha256 when read) and the
 * dataset's source path under datasets/<sha256 hex>.path (written at
 * register-dataset; at prove time the file is re-read and its commitment
 * recomputed and compared with the registered one).
 */
#ifndef ZKR_APP_INFER_H
#define ZKR_APP_INFER_H

#include "app/app.h"
#include "app/store.h"
#include "registry/registry.h"

/*
 * register-program: when `file` is an ONNX model or a canonical program
 * encoding, replaces *data with the program bytes (the graph) and sets
 * *is_program; other files are left as read (the registry records any
 * file by digest). Returns ZKR_OK or the import's error for a file that
 * is ONNX but unsupported.
 */
zkr_err zkr_app_infer_program_bytes(zkr_app *app, const char *file, zkr_buf *data,
                                    int *is_program) ZKR_WUR;

/*
 * register-model: when `file` is ONNX (quantized with calibration records
 * from the IDX dataset `calibrate`, required then) or a canonical quantized
 * model, replaces *data with the canonical model bytes, checks that the
 * model's program is the registered program (ZKR_ERR_MISMATCH_PROGRAM),
 * computes the inference@1 model commitment and stores the bytes beside
 * the registry. *has_commitment is 0 for other files (left as read).
 */
zkr_err zkr_app_infer_model_bytes(zkr_app *app, zkr_registry *reg, const char *file,
                                  const char *program_ref, const char *calibrate, zkr_buf *data,
                                  uint8_t commitment[ZKR_DIGEST_BYTES],
                                  int *has_commitment) ZKR_WUR;

/*
 * register-dataset: the dataset commitment, and the source path kept in
 * `<registry>.d/datasets/<sha>.path`, written BEFORE the registration
 * commits (a failed write leaves the registry unchanged; a file without a
 * row is content-addressed and harmless).
 */
zkr_err zkr_app_infer_dataset_commitment(zkr_app *app, const zkr_dataset *ds,
                                         uint8_t out[ZKR_DIGEST_BYTES]) ZKR_WUR;
zkr_err zkr_app_infer_dataset_remember(zkr_app *app, const uint8_t sha[ZKR_DIGEST_BYTES],
                                       const char *path) ZKR_WUR;

/* Worker entry points ("prove", "verify"); see app/workers.c. */
zkr_err zkr_app_worker_prove(const uint8_t *req, size_t req_len, zkr_buf *reply,
                             zkr_diag *d) ZKR_WUR;
zkr_err zkr_app_worker_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                              zkr_diag *d) ZKR_WUR;

#endif
