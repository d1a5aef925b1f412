/*
 * inference@1 glue: model/program bytes from ONNX at registration, the
 * store beside the registry, and the confined "prove"/"verify" workers.
 * The workers read nothing but their request (the parent opened every
 * file and registry row) and never trust anything in it beyond the math.
 */
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/ginfer.h"
#include "app/infer.h"
#include "app/register.h"
#include "app/store.h"
#include "app/train.h"
#include "cuda/cuda.h"
#include "ml/ml.h"
#include "prover/prover.h"
#include "verifier/verifier.h"

#define ZKR_APP_CALIB_COUNT 1000u
#define ZKR_APP_WORKER_VERSION 1u

static int zkr_app_has_magic(const zkr_buf *b, const char *magic, size_t n)
{
    return b->len >= n && memcmp(b->p, magic, n) == 0;
}

zkr_err zkr_app_infer_program_bytes(zkr_app *app, const char *file, zkr_buf *data,
                                    int *is_program)
{
    zkr_ml_fmodel *f = NULL;
    zkr_ml_gfmodel *gf = NULL;
    zkr_ml_graph g;
    zkr_diag scratch = {0};
    zkr_buf enc = {0};
    zkr_err r;

    *is_program = 0;
    if (zkr_app_has_magic(data, ZKR_ML_GRAPH_MAGIC, ZKR_ML_GRAPH_MAGIC_BYTES)) {
        if (zkr_ml_program_version(data->p, data->len) == ZKR_ML_GRAPH_VERSION_G) {
            zkr_ml_gprog *gp = malloc(sizeof *gp);
            r = gp ? zkr_ml_gprog_decode(data->p, data->len, gp, &app->diag) : ZKR_ERR_NOMEM;
            free(gp);
        } else {
            r = zkr_ml_graph_decode(data->p, data->len, &g, &app->diag);
        }
        *is_program = r == ZKR_OK;
        return r;
    }
    r = zkr_ml_onnx_import_any(data->p, data->len, file, &f, &gf, &scratch);
    if (r == ZKR_ERR_MALFORMED && data->len > 0 && data->p[0] != 0x08)
        return ZKR_OK; /* not protobuf at all: an opaque program file */
    if (r != ZKR_OK) {
        app->diag = scratch;
        return r;
    }
    if (gf != NULL)
        r = zkr_ml_gprog_encode(zkr_ml_gfmodel_prog(gf), &enc, &app->diag);
    else
        r = zkr_ml_graph_encode(zkr_ml_fmodel_graph(f), &enc, &app->diag);
    if (r == ZKR_OK) {
        zkr_buf_free(data);
        *data = enc;
        enc.p = NULL;
        *is_program = 1;
    }
    zkr_buf_free(&enc);
    zkr_ml_fmodel_free(f);
    zkr_ml_gfmodel_free(gf);
    return r;
}

/*
 * The calibration records: an IDX file, or a registered dataset (a row id
 * or 64-hex sha256), whose remembered file must still hash to its
 * registered sha256.
 */
static zkr_err zkr_app_calibration(zkr_app *app, zkr_registry *reg, const char *calibrate,
                                   zkr_dataset **cal)
{
    zkr_artifact a;

    if (zkr_app_is_dataset_ref(calibrate))
        return zkr_app_dataset_open_registered(app, reg, calibrate, &a, cal);
    return zkr_dataset_open(calibrate, cal, &app->diag);
}

/* ONNX -> canonical quantized model with calibration records of `calibrate`. */
static zkr_err zkr_app_quantize(zkr_app *app, zkr_registry *reg, const char *file,
                                const char *calibrate, zkr_buf *data)
{
    zkr_ml_fmodel *f = NULL;
    zkr_ml_gfmodel *gf = NULL;
    zkr_dataset *cal = NULL;
    zkr_buf q = {0};
    uint64_t n;
    zkr_err r;

    if ((r = zkr_ml_onnx_import_any(data->p, data->len, file, &f, &gf, &app->diag)) != ZKR_OK)
        return r;
    if (!calibrate) {
        r = zkr_fail(&app->diag, ZKR_ERR_USAGE,
                     "%s: an ONNX model needs --calibrate DATASET (an IDX file or a registered "
                     "dataset ID) to quantize", file);
        goto out;
    }
    if ((r = zkr_app_calibration(app, reg, calibrate, &cal)) != ZKR_OK)
        goto out;
    n = zkr_dataset_count(cal);
    n = n < ZKR_APP_CALIB_COUNT ? n : ZKR_APP_CALIB_COUNT;
    if ((r = gf ? zkr_ml_gquantize(gf, cal, 0, n, &q, &app->diag)
                : zkr_ml_quantize(f, cal, 0, n, &q, &app->diag)) != ZKR_OK)
        goto out;
    zkr_buf_free(data);
    *data = q;
    q.p = NULL;
out:
    zkr_buf_free(&q);
    zkr_dataset_free(cal);
    zkr_ml_fmodel_free(f);
    zkr_ml_gfmodel_free(gf);
    return r;
}

/*
 * Bytes that decode as no model: acceptable only for an opaque program.
 * A program zkreg understands is known by its bytes in the store
 * (register-program keeps them) or, for one registered before they were
 * kept, by a model of it that zkreg committed.
 */
static zkr_err zkr_app_opaque_model_ok(zkr_app *app, zkr_registry *reg, const char *file,
                                       const char *program_ref)
{
    zkr_artifact prog;
    char path[4096];
    zkr_buf b = {0};
    zkr_ml_graph g;
    uint8_t sha[ZKR_DIGEST_BYTES];
    int known = 0;
    zkr_err r;

    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, program_ref, &prog, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_app_store_path(app, "programs", prog.sha256, "", path, sizeof path)) != ZKR_OK)
        return r;
    if (zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, &b, NULL) == ZKR_OK) {
        zkr_sha256(b.p, b.len, sha);
        /* Only register-program writes this file, with exactly these bytes: other bytes under
         * the program's digest are a damaged store, not an opaque program (fail closed). */
        if (sodium_memcmp(sha, prog.sha256, ZKR_DIGEST_BYTES) != 0) {
            zkr_buf_free(&b);
            return zkr_fail(&app->diag, ZKR_ERR_REGISTRY,
                            "%s: the stored bytes of program %lld differ from its registered "
                            "sha256 (the store beside the registry was changed); no model is "
                            "registered for it", path, (long long)prog.id);
        }
        known = zkr_ml_graph_decode(b.p, b.len, &g, NULL) == ZKR_OK ||
                zkr_ml_program_version(b.p, b.len) == ZKR_ML_GRAPH_VERSION_G;
    }
    zkr_buf_free(&b);
    if (!known &&
        (r = zkr_registry_program_has_committed_model(reg, prog.id, &known, &app->diag)) != ZKR_OK)
        return r;
    if (known)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "%s: not a model of program %s: program %lld (%s v%llu) is a program "
                        "zkreg understands, and the file decodes as no model of it (neither a "
                        "quantized model, a training model nor ONNX)",
                        file, program_ref, (long long)prog.id, prog.name,
                        (unsigned long long)prog.version);
    return ZKR_OK;
}

/*
 * A graph model (program version 2): decoded strictly, its program must be
 * the registered one, and its bytes are stored for `zkreg infer --model`
 * and the graph-inference@1 prover. Its commitment is computed here from
 * the decoded model (app/ginfer.c), never taken from a prover.
 */
static zkr_err zkr_app_graph_model_bytes(zkr_app *app, zkr_registry *reg, const char *file,
                                         const char *program_ref, const zkr_buf *data,
                                         uint8_t commitment[ZKR_DIGEST_BYTES],
                                         int *has_commitment)
{
    zkr_ml_gmodel *m = NULL;
    zkr_artifact prog;
    uint8_t pd[ZKR_DIGEST_BYTES], sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    if ((r = zkr_ml_gmodel_decode(data->p, data->len, &m, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, program_ref, &prog, &app->diag)) !=
            ZKR_OK)
        goto out;
    zkr_ml_gmodel_program_digest(m, pd);
    if (sodium_memcmp(pd, prog.sha256, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM,
                     "%s: the model's program is not program %s (register-program the same ONNX "
                     "file first)", file, program_ref);
        goto out;
    }
    zkr_sha256(data->p, data->len, sha);
    if ((r = zkr_app_ginf_register_commit(app, m, sha, commitment, has_commitment)) != ZKR_OK)
        goto out;
    r = zkr_app_store_write(app, "models", sha, "", data->p, data->len);
out:
    zkr_ml_gmodel_free(m);
    return r;
}

zkr_err zkr_app_infer_model_bytes(zkr_app *app, zkr_registry *reg, const char *file,
                                  const char *program_ref, const char *calibrate, zkr_buf *data,
                                  uint8_t commitment[ZKR_DIGEST_BYTES], int *has_commitment)
{
    zkr_ml_model *m = NULL;
    zkr_infer_model *im = NULL;
    zkr_artifact prog;
    zkr_params p;
    uint8_t pd[ZKR_DIGEST_BYTES], sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    *has_commitment = 0;
    memset(commitment, 0, ZKR_DIGEST_BYTES);
    if (zkr_app_has_magic(data, ZKR_ML_TMODEL_MAGIC, ZKR_ML_TMODEL_MAGIC_BYTES)) {
        r = zkr_app_train_model_bytes(app, reg, file, program_ref, data, commitment);
        *has_commitment = r == ZKR_OK;
        return r;
    }
    if (!zkr_app_has_magic(data, ZKR_ML_MODEL_MAGIC, ZKR_ML_MODEL_MAGIC_BYTES)) {
        zkr_ml_fmodel *probe = NULL;
        zkr_ml_gfmodel *gprobe = NULL;
        zkr_diag scratch = {0};
        r = zkr_ml_onnx_import_any(data->p, data->len, file, &probe, &gprobe, &scratch);
        zkr_ml_fmodel_free(probe);
        zkr_ml_gfmodel_free(gprobe);
        if (r == ZKR_ERR_MALFORMED && data->len > 0 && data->p[0] != 0x08)
            /* neither ONNX nor a quantized model: recorded by digest only, for opaque programs */
            return zkr_app_opaque_model_ok(app, reg, file, program_ref);
        if ((r = zkr_app_quantize(app, reg, file, calibrate, data)) != ZKR_OK)
            return r;
    }
    if (zkr_ml_model_file_version(data->p, data->len) == ZKR_ML_GMODEL_VERSION)
        return zkr_app_graph_model_bytes(app, reg, file, program_ref, data, commitment,
                                         has_commitment);
    if ((r = zkr_ml_model_decode(data->p, data->len, &m, &app->diag)) != ZKR_OK)
        return r;
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, program_ref, &prog, &app->diag)) !=
        ZKR_OK)
        goto out;
    zkr_ml_model_program_digest(m, pd);
    if (sodium_memcmp(pd, prog.sha256, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM,
                     "%s: the model's program is not program %s (register-program the same ONNX "
                     "file first)", file, program_ref);
        goto out;
    }
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK ||
        (r = zkr_prover_infer_commit(&p, m, 2, &im, commitment, &app->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(data->p, data->len, sha);
    if ((r = zkr_app_store_write(app, "models", sha, "", data->p, data->len)) != ZKR_OK)
        goto out;
    *has_commitment = 1;
out:
    zkr_infer_model_free(im);
    zkr_ml_model_free(m);
    return r;
}

zkr_err zkr_app_infer_dataset_commitment(zkr_app *app, const zkr_dataset *ds,
                                         uint8_t out[ZKR_DIGEST_BYTES])
{
    uint8_t root[ZKR_DIGEST_BYTES];
    zkr_err r = zkr_infer_dataset_commit(ds, 0, root, out, NULL, NULL);

    if (r != ZKR_OK)
        return zkr_fail(&app->diag, r, "dataset: cannot compute its commitment");
    return ZKR_OK;
}

zkr_err zkr_app_infer_dataset_remember(zkr_app *app, const uint8_t sha[ZKR_DIGEST_BYTES],
                                        const char *path)
{
    char abs[4096];

    if (!realpath(path, abs))
        return zkr_fail(&app->diag, ZKR_ERR_IO, "%s: %s", path, strerror(errno));
    return zkr_app_store_write(app, "datasets", sha, ".path", (const uint8_t *)abs, strlen(abs));
}

/* ------------------------------------------------------------------ */
/* Workers                                                              */
/* ------------------------------------------------------------------ */

static zkr_err zkr_app_dec_digest(zkr_dec *d, uint8_t out[ZKR_DIGEST_BYTES])
{
    const uint8_t *p;
    zkr_err r = zkr_dec_raw(d, ZKR_DIGEST_BYTES, &p);

    if (r == ZKR_OK)
        memcpy(out, p, ZKR_DIGEST_BYTES);
    return r;
}

/* want_cuda: the kind ("prove-cuda" 1, "prove" 0) must match the request's backend byte. */
static zkr_err zkr_app_worker_prove_on(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                       uint32_t want_cuda, zkr_diag *d)
{
    zkr_dec dec;
    uint32_t ver, set, threads, use_cuda, path_len;
    zkr_accel *acc = NULL;
    uint8_t sid[ZKR_DIGEST_BYTES], want_mc[ZKR_DIGEST_BYTES], mc[ZKR_DIGEST_BYTES];
    const uint8_t *model, *path;
    size_t model_len;
    zkr_infer_record rec;
    zkr_ml_model *m = NULL;
    zkr_infer_model *im = NULL;
    zkr_params p;
    zkr_buf proof = {0}, out = {0};
    zkr_err r;

    memset(&rec, 0, sizeof rec);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != ZKR_APP_WORKER_VERSION ||
        zkr_app_dec_digest(&dec, sid) != ZKR_OK || zkr_dec_u32(&dec, &set) != ZKR_OK ||
        zkr_dec_u32(&dec, &threads) != ZKR_OK || zkr_dec_u32(&dec, &use_cuda) != ZKR_OK ||
        use_cuda > 1 || zkr_dec_bytes(&dec, ZKR_ML_MODEL_MAX_BYTES, &model, &model_len) != ZKR_OK ||
        zkr_app_dec_digest(&dec, want_mc) != ZKR_OK || zkr_dec_u64(&dec, &rec.index) != ZKR_OK ||
        zkr_dec_u64(&dec, &rec.n_records) != ZKR_OK || zkr_app_dec_digest(&dec, rec.root) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_INFER_MAX_RECORD, &rec.record, &rec.record_len) != ZKR_OK ||
        zkr_dec_u32(&dec, &path_len) != ZKR_OK || path_len > ZKR_MERKLE_MAX_DEPTH ||
        zkr_dec_raw(&dec, (size_t)path_len * ZKR_DIGEST_BYTES, &path) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "prove request malformed");
    /* The CPU worker never starts the CUDA runtime: its policy would kill the
       driver's first open(); only prove-cuda, prepared before seccomp, may. */
    if (use_cuda != want_cuda)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "prove request for the %s backend sent to the %s "
                                              "worker", use_cuda ? "cuda" : "cpu",
                        want_cuda ? "prove-cuda" : "prove");
    rec.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    rec.path_len = path_len;
    if (zkr_params_get(set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "unknown parameter set %u", set);
    if (use_cuda && (r = zkr_accel_open(ZKR_BACKEND_CUDA, &acc, d)) != ZKR_OK)
        return r;
    p.accel = acc;
    if ((r = zkr_ml_model_decode(model, model_len, &m, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_prover_infer_commit(&p, m, threads, &im, mc, d)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(mc, want_mc, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(d, ZKR_ERR_MISMATCH_MODEL,
                     "the stored model's commitment differs from the registered commitment");
        goto out;
    }
    if ((r = zkr_prover_inference_record(&p, sid, im, &rec, threads, &proof, &out, d)) != ZKR_OK)
        goto out;
    if ((r = zkr_enc_bytes(reply, proof.p, proof.len)) != ZKR_OK ||
        (r = zkr_enc_bytes(reply, out.p, out.len)) != ZKR_OK)
        goto out;
out:
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    zkr_infer_model_free(im);
    zkr_ml_model_free(m);
    zkr_accel_free(acc); /* after im, whose parameters point at it */
    return r;
}

zkr_err zkr_app_worker_prove(const uint8_t *req, size_t req_len, zkr_buf *reply, zkr_diag *d)
{
    return zkr_app_worker_prove_on(req, req_len, reply, 0, d);
}

zkr_err zkr_app_worker_prove_cuda(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                  zkr_diag *d)
{
    return zkr_app_worker_prove_on(req, req_len, reply, 1, d);
}

zkr_err zkr_app_worker_cuda_prepare(zkr_diag *d) { return zkr_cuda_prepare(d); }

zkr_err zkr_app_worker_verify(const uint8_t *req, size_t req_len, zkr_buf *reply, zkr_diag *d)
{
    zkr_verifier_inference_statement st;
    zkr_dec dec;
    uint32_t ver;
    const uint8_t *proof;
    size_t proof_len;

    (void)reply;
    memset(&st, 0, sizeof st);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != ZKR_APP_WORKER_VERSION ||
        zkr_app_dec_digest(&dec, st.statement_id) != ZKR_OK ||
        zkr_dec_u32(&dec, &st.param_set) != ZKR_OK ||
        zkr_app_dec_digest(&dec, st.program_digest) != ZKR_OK ||
        zkr_app_dec_digest(&dec, st.model_commitment) != ZKR_OK ||
        zkr_app_dec_digest(&dec, st.dataset_commitment) != ZKR_OK ||
        zkr_dec_u64(&dec, &st.record_index) != ZKR_OK ||
        zkr_dec_bytes(&dec, (size_t)1 << 20, &st.output, &st.output_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, ZKR_PROOF_MAX_BYTES, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "verify request malformed");
    return zkr_verify_inference(proof, proof_len, &st, d);
}
