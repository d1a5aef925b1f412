/*
 * Private models: `model commit` on the owner's machine (the hiding model
 * commitment and its sealed opening) and `register-model --commitment` on
 * the appliance (the commitment alone). The weights never reach the
 * registry; the opening never leaves the owner's sealed file unwrapped.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "app/model.h"
#include "app/ginfer2_core.h"
#include "app/store.h"
#include "app/workers.h"
#include "ml/ml.h"
#include "prover/model_range.h"
#include "prover/prover.h"
#include "zk/model_range.h"
#include "zk/zk.h"

_Static_assert(ZKR_MODEL_SECRETS_BYTES == 4 + ZKR_INFER2_OPENING_BYTES + 2 * ZKR_DIGEST_BYTES,
               "model secrets payload: version, opening, model digest, commitment digest");

/* The "mrange-verify" worker's request version (docs/ipc.md). */
#define MRANGE_WORKER_VERSION 1u

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static zkr_err must_be_absent(zkr_app *app, const char *path, const char *what)
{
    struct stat st;

    if (lstat(path, &st) == 0)
        return zkr_fail(&app->diag, ZKR_ERR_EXISTS, "%s %s exists; it is never overwritten", what,
                        path);
    return ZKR_OK;
}

/* The quantized model file, decoded; anything else is named as what it is not. */
static zkr_err read_model(zkr_app *app, const char *path, zkr_buf *bytes, zkr_ml_model **m)
{
    zkr_err r;

    if ((r = zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, bytes, &app->diag)) != ZKR_OK)
        return r;
    if (bytes->len < ZKR_ML_MODEL_MAGIC_BYTES ||
        memcmp(bytes->p, ZKR_ML_MODEL_MAGIC, ZKR_ML_MODEL_MAGIC_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "%s: not a quantized model (ZKRQMOD version 1, dense int8 layers); "
                        "quantize the ONNX model first", path);
    return zkr_ml_model_decode(bytes->p, bytes->len, m, &app->diag);
}

static zkr_err seal_secrets(zkr_app *app, const uint8_t opening[ZKR_INFER2_OPENING_BYTES],
                            const zkr_app_model_commit_info *info, const zkr_secret *pass,
                            int fast, zkr_buf *sealed)
{
    uint8_t *payload = sodium_malloc(ZKR_MODEL_SECRETS_BYTES);
    zkr_err r;

    if (payload == NULL)
        return ZKR_ERR_NOMEM;
    zkr_store_be32(payload, ZKR_MODEL_SECRETS_VERSION);
    memcpy(payload + 4, opening, ZKR_INFER2_OPENING_BYTES);
    memcpy(payload + 4 + ZKR_INFER2_OPENING_BYTES, info->model_sha256, ZKR_DIGEST_BYTES);
    memcpy(payload + 4 + ZKR_INFER2_OPENING_BYTES + ZKR_DIGEST_BYTES, info->commitment,
           ZKR_DIGEST_BYTES);
    r = zkr_seal(payload, ZKR_MODEL_SECRETS_BYTES, pass->p, pass->len, ZKR_MODEL_SECRETS_LABEL,
                 fast, sealed);
    if (r != ZKR_OK)
        r = zkr_fail(&app->diag, r, "sealing the model opening failed (%s)", zkr_strerror(r));
    sodium_free(payload); /* wipes */
    return r;
}

/* The program's layer dimensions, as the range proof checks them. */
static zkr_err dims_of(zkr_app *app, const zkr_ml_graph *g, zkr_mrange_dims *dims)
{
    memset(dims, 0, sizeof *dims);
    if (g->n_layers < 1 || g->n_layers > ZKR_INFER_MAX_LAYERS)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM, "the program has %u layers",
                        g->n_layers);
    dims->n_layers = g->n_layers;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        dims->in_dim[l] = g->layers[l].in_dim;
        dims->out_dim[l] = g->layers[l].out_dim;
    }
    return ZKR_OK;
}

/*
 * The blinding budget the commitment is made for: the model range proof
 * opens each W' once, so an even --budget N gets one more (N + 1, N/2
 * proofs) and an odd N is kept ((N - 1)/2 proofs); 4096 becomes 4095.
 */
static uint32_t commit_budget(uint32_t budget)
{
    uint32_t b = budget | 1u;

    return b > ZKR_HPCS_MAX_BUDGET ? ZKR_HPCS_MAX_BUDGET - 1 : b;
}

/* The model range proof of the freshly committed model (zk/model_range.h). */
static zkr_err prove_range(zkr_app *app, const zkr_params *p, const zkr_ml_model *m,
                           zkr_infer2_model *im, const zkr_buf *enc, const zkr_secret *seed,
                           zkr_buf *out)
{
    zkr_hpcs_poly *w[ZKR_INFER_MAX_LAYERS];
    zkr_mrange_dims dims;
    zkr_err r;

    if ((r = dims_of(app, zkr_ml_model_graph(m), &dims)) != ZKR_OK)
        return r;
    for (uint32_t l = 0; l < dims.n_layers; l++)
        w[l] = zkr_infer2_model_layer_poly(im, l);
    r = zkr_prover_mrange(p, enc->p, enc->len, &dims, w, seed ? seed->p : NULL,
                          seed ? seed->len : 0, 0, out, &app->diag);
    /* An entry outside its range: the model file is no model inference@2 can sign for. */
    return r == ZKR_ERR_USAGE ? ZKR_ERR_MALFORMED : r;
}

/*
 * model commit of a graph (CNN) model (graph-inference@2): the private
 * graph model commitment (app/ginfer2_core.h) and its sealed opening; no
 * range proof (every graph-inference@2 proof range-checks the weights).
 */
static zkr_err commit_graph(zkr_app *app, const zkr_buf *bytes, const char *commitment_path,
                            const char *secrets_path, const zkr_secret *pass, int fast,
                            const zkr_secret *seed, uint32_t budget,
                            zkr_app_model_commit_info *info)
{
    zkr_buf enc = {0}, sealed = {0};
    uint8_t *opening = sodium_malloc(ZKR_INFER2_OPENING_BYTES);
    int secrets_written = 0;
    zkr_err r;

    if (opening == NULL)
        return ZKR_ERR_NOMEM;
    if ((r = zkr_app_g2_commit(bytes->p, bytes->len, budget, seed ? seed->p : NULL,
                               seed ? seed->len : 0, &enc, opening, &info->proofs,
                               &info->n_layers, info->program, &app->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(bytes->p, bytes->len, info->model_sha256);
    zkr_app_g2_mc_digest(enc.p, enc.len, info->commitment);
    info->budget = budget;
    info->commitment_len = enc.len;
    if ((r = seal_secrets(app, opening, info, pass, fast, &sealed)) != ZKR_OK ||
        (r = zkr_file_publish_new(secrets_path, sealed.p, sealed.len, 0600, &app->diag)) != ZKR_OK)
        goto out;
    secrets_written = 1; /* first: a commitment whose opening was lost could never be proven */
    r = zkr_file_publish_new(commitment_path, enc.p, enc.len, 0644, &app->diag);
out:
    if (r != ZKR_OK && secrets_written)
        (void)unlink(secrets_path); /* ours: published by this call a moment ago */
    sodium_free(opening); /* wipes */
    zkr_buf_free(&enc);
    zkr_buf_free(&sealed);
    return r;
}

/* 1 when bytes are a graph model file (ZKRQMOD version 2). */
static int is_graph_model(const zkr_buf *bytes)
{
    return zkr_ml_model_file_version(bytes->p, bytes->len) == ZKR_ML_GMODEL_VERSION;
}

zkr_err zkr_app_model_commit(zkr_app *app, const char *model, const char *commitment_path,
                             const char *secrets_path, const char *range_path,
                             const zkr_secret *pass, int fast, const zkr_secret *seed,
                             uint32_t budget, uint32_t set, zkr_app_model_commit_info *info)
{
    zkr_buf bytes = {0}, enc = {0}, sealed = {0}, range = {0};
    zkr_ml_model *m = NULL;
    zkr_infer2_model *im = NULL;
    zkr_infer2_model_commitment mc;
    uint8_t *opening = NULL;
    zkr_params p;
    int secrets_written = 0, range_written = 0;
    zkr_err r;

    memset(info, 0, sizeof *info);
    if (strcmp(commitment_path, secrets_path) == 0)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "-o and --secrets name the same file %s",
                        secrets_path);
    if (strcmp(range_path, secrets_path) == 0 || strcmp(range_path, commitment_path) == 0)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "--range-proof names the same file as -o or --secrets (%s)", range_path);
    if (budget == 0 || budget > ZKR_MODEL_BUDGET_MAX)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "--budget must be 1..%u", ZKR_MODEL_BUDGET_MAX);
    if (zkr_params_get(set, &p) != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE, "parameter set %u unknown", set);
    /* Each file is published new (never over another), and never over what is read. */
    if ((r = zkr_app_out_guard(app, commitment_path, "a commitment", &model, 1)) != ZKR_OK ||
        (r = zkr_app_out_guard(app, secrets_path, "a secrets file", &model, 1)) != ZKR_OK ||
        (r = zkr_app_out_guard(app, range_path, "a range proof", &model, 1)) != ZKR_OK ||
        (r = must_be_absent(app, commitment_path, "commitment")) != ZKR_OK ||
        (r = must_be_absent(app, secrets_path, "secrets file")) != ZKR_OK ||
        (r = must_be_absent(app, range_path, "range proof")) != ZKR_OK)
        goto out;
    if ((r = zkr_file_read(model, ZKR_ML_MODEL_MAX_BYTES, &bytes, &app->diag)) == ZKR_OK &&
        is_graph_model(&bytes)) {
        if (set != ZKR_PARAM_SET_128) {
            r = zkr_fail(&app->diag, ZKR_ERR_USAGE,
                         "%s: a graph (CNN) model is committed at goldilocks-128 only (--param-set "
                         "%s is for dense models, inference@2)", model, zkr_params_name(set));
            goto out;
        }
        r = commit_graph(app, &bytes, commitment_path, secrets_path, pass, fast, seed, budget,
                         info);
        goto out;
    }
    zkr_buf_free(&bytes);
    if ((r = read_model(app, model, &bytes, &m)) != ZKR_OK)
        goto out;
    opening = sodium_malloc(ZKR_INFER2_OPENING_BYTES);
    if (opening == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_prover_infer2_commit(&p, m, commit_budget(budget), seed ? seed->p : NULL,
                                      seed ? seed->len : 0, 0, &im, &enc, opening, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_infer2_mc_decode(&p, enc.p, enc.len, &mc)) != ZKR_OK ||
        (r = prove_range(app, &p, m, im, &enc, seed, &range)) != ZKR_OK)
        goto out;
    zkr_sha256(bytes.p, bytes.len, info->model_sha256);
    zkr_infer2_mc_digest(enc.p, enc.len, info->commitment);
    memcpy(info->program, mc.program_digest, ZKR_DIGEST_BYTES);
    info->n_layers = mc.n_layers;
    info->budget = budget;
    info->proofs = zkr_infer2_proofs_left(im);
    info->commitment_len = enc.len;
    if ((r = seal_secrets(app, opening, info, pass, fast, &sealed)) != ZKR_OK)
        goto out;
    /* Secrets first: a commitment whose opening was lost could never be proven. */
    if ((r = zkr_file_publish_new(secrets_path, sealed.p, sealed.len, 0600, &app->diag)) != ZKR_OK)
        goto out;
    secrets_written = 1;
    if ((r = zkr_file_publish_new(range_path, range.p, range.len, 0644, &app->diag)) != ZKR_OK)
        goto out;
    range_written = 1;
    info->range_len = range.len;
    r = zkr_file_publish_new(commitment_path, enc.p, enc.len, 0644, &app->diag);
out:
    if (r != ZKR_OK && range_written)
        (void)unlink(range_path); /* ours, as below */
    if (r != ZKR_OK && secrets_written)
        (void)unlink(secrets_path); /* ours: published by this call a moment ago */
    sodium_free(opening); /* wipes */
    zkr_infer2_model_free(im);
    zkr_ml_model_free(m);
    zkr_buf_free(&bytes);
    zkr_buf_free(&enc);
    zkr_buf_free(&sealed);
    zkr_buf_free(&range);
    if (r != ZKR_OK)
        memset(info, 0, sizeof *info);
    return r;
}

/* The parameter set a dense model commitment's head names (version 2: set 1). */
static zkr_err mc_params(const uint8_t *enc, size_t len, zkr_params *p)
{
    uint32_t set;

    if (zkr_infer2_mc_param_set(enc, len, &set) != ZKR_OK || zkr_params_get(set, p) != ZKR_OK)
        return ZKR_ERR_MALFORMED;
    return ZKR_OK;
}

zkr_err zkr_app_model_commitment_read(zkr_app *app, const char *path, zkr_buf *enc,
                                      uint8_t digest[ZKR_DIGEST_BYTES])
{
    zkr_infer2_model_commitment mc;
    zkr_params p;
    zkr_err r;

    zkr_buf_free(enc);
    memset(digest, 0, ZKR_DIGEST_BYTES);
    /* One byte over the largest encoding reads in full, so trailing bytes are named as such. */
    r = zkr_file_read(path, ZKR_INFER2_MC_MAX_BYTES + 1, enc, &app->diag);
    if (r == ZKR_ERR_TOO_LARGE)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "%s: over the %u bytes of the largest model commitment", path,
                        ZKR_INFER2_MC_MAX_BYTES);
    if (r != ZKR_OK)
        return r;
    if (zkr_app_g2_mc_is_graph(enc->p, enc->len)) {
        zkr_app_g2_mc_digest(enc->p, enc->len, digest);
        return ZKR_OK;
    }
    if (mc_params(enc->p, enc->len, &p) != ZKR_OK ||
        zkr_infer2_mc_decode(&p, enc->p, enc->len, &mc) != ZKR_OK) {
        zkr_buf_free(enc);
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "%s: not a model commitment version 2, 3 or 4 (%zu bytes: truncated, "
                        "altered, trailing bytes or another version; `zkreg model commit` "
                        "writes one)",
                        path, enc->len);
    }
    zkr_infer2_mc_digest(enc->p, enc->len, digest);
    return ZKR_OK;
}

/* The program's layers, from the store (register-program kept its bytes, checked here). */
static zkr_err program_graph(zkr_app *app, const zkr_artifact *prog, zkr_ml_graph *g)
{
    uint8_t sha[ZKR_DIGEST_BYTES];
    char path[4096];
    zkr_buf b = {0};
    zkr_err r;

    if ((r = zkr_app_store_path(app, "programs", prog->sha256, "", path, sizeof path)) != ZKR_OK)
        return r;
    if ((r = zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, &b, &app->diag)) != ZKR_OK)
        return r;
    zkr_sha256(b.p, b.len, sha);
    if (sodium_memcmp(sha, prog->sha256, ZKR_DIGEST_BYTES) != 0)
        r = zkr_fail(&app->diag, ZKR_ERR_REGISTRY,
                     "%s: the stored bytes of program %lld differ from its registered sha256",
                     path, (long long)prog->id);
    else if (zkr_ml_graph_decode(b.p, b.len, g, NULL) != ZKR_OK || g->arith != ZKR_ML_ARITH_INT8)
        r = zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM,
                     "program %lld is not a dense int8 program; private models (inference@2) "
                     "need one", (long long)prog->id);
    zkr_buf_free(&b);
    return r;
}

/* The commitment's program digest and every layer's shape (inference@1's layout of W'). */
static zkr_err check_fits(zkr_app *app, const char *file, const zkr_infer2_model_commitment *mc,
                          const zkr_artifact *prog, const zkr_ml_graph *g)
{
    if (sodium_memcmp(mc->program_digest, prog->sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM,
                        "%s: the model commitment is for another program than %lld (%s v%llu)",
                        file, (long long)prog->id, prog->name, (unsigned long long)prog->version);
    if (mc->n_layers != g->n_layers)
        return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM,
                        "%s: %u committed layers; program %lld has %u", file, mc->n_layers,
                        (long long)prog->id, g->n_layers);
    for (uint32_t l = 0; l < g->n_layers; l++) {
        unsigned n = zkr_log2_ceil(g->layers[l].out_dim) +
                     zkr_log2_ceil((uint64_t)g->layers[l].in_dim + 2);
        if (mc->w[l].n_vars != n)
            return zkr_fail(&app->diag, ZKR_ERR_MISMATCH_PROGRAM,
                            "%s: layer %u is committed with %u variables; program %lld's "
                            "%ux%u layer needs %u", file, l, mc->w[l].n_vars,
                            (long long)prog->id, g->layers[l].out_dim, g->layers[l].in_dim, n);
    }
    return ZKR_OK;
}

zkr_err zkr_app_worker_mrange_verify(const uint8_t *req, size_t req_len, zkr_buf *reply,
                                     zkr_diag *d)
{
    const uint8_t *mc, *proof;
    size_t mc_len, proof_len;
    zkr_mrange_dims dims;
    zkr_params p;
    uint32_t ver;
    zkr_dec dec;

    (void)reply;
    memset(&dims, 0, sizeof dims);
    zkr_dec_init(&dec, req, req_len);
    if (zkr_dec_u32(&dec, &ver) != ZKR_OK || ver != MRANGE_WORKER_VERSION ||
        zkr_dec_bytes(&dec, ZKR_INFER2_MC_MAX_BYTES, &mc, &mc_len) != ZKR_OK ||
        zkr_dec_u32(&dec, &dims.n_layers) != ZKR_OK || dims.n_layers < 1 ||
        dims.n_layers > ZKR_INFER_MAX_LAYERS)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "mrange-verify request malformed");
    for (uint32_t l = 0; l < dims.n_layers; l++)
        if (zkr_dec_u32(&dec, &dims.in_dim[l]) != ZKR_OK ||
            zkr_dec_u32(&dec, &dims.out_dim[l]) != ZKR_OK)
            return zkr_fail(d, ZKR_ERR_MALFORMED, "mrange-verify request malformed");
    if (zkr_dec_bytes(&dec, ZKR_MRANGE_MAX_BYTES, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "mrange-verify request malformed");
    /* The range proof runs at the set the commitment names (its codewords' rate). */
    if (mc_params(mc, mc_len, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "mrange-verify: not a model commitment");
    return zkr_mrange_verify(&p, mc, mc_len, &dims, proof, proof_len, d);
}

/* The range proof checked in the confined "mrange-verify" worker. */
static zkr_err range_check_sandboxed(zkr_app *app, const zkr_buf *enc, const zkr_ml_graph *g,
                                     const uint8_t *proof, size_t proof_len)
{
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result res;
    zkr_mrange_dims dims;
    zkr_buf req = {0}, reply = {0};
    zkr_err r;

    if ((r = dims_of(app, g, &dims)) != ZKR_OK)
        return r;
    if ((r = zkr_enc_u32(&req, MRANGE_WORKER_VERSION)) != ZKR_OK ||
        (r = zkr_enc_bytes(&req, enc->p, enc->len)) != ZKR_OK ||
        (r = zkr_enc_u32(&req, dims.n_layers)) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < dims.n_layers; l++)
        if ((r = zkr_enc_u32(&req, dims.in_dim[l])) != ZKR_OK ||
            (r = zkr_enc_u32(&req, dims.out_dim[l])) != ZKR_OK)
            goto out;
    if ((r = zkr_enc_bytes(&req, proof, proof_len)) != ZKR_OK)
        goto out;
    r = zkr_sandbox_call(zkr_app_workers, "mrange-verify", &so, req.p, req.len, &reply, &res,
                         &app->diag);
out:
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    return r;
}

/* Re-raises the diag's failure as code with a prefix (zkr_fail keeps the first message). */
static zkr_err refail(zkr_app *app, zkr_err code, const char *prefix)
{
    char m[sizeof app->diag.msg];

    memcpy(m, app->diag.msg, sizeof m);
    app->diag.msg[0] = '\0';
    return zkr_fail(&app->diag, code, "%s: %s", prefix, m);
}

static int path_missing(const char *path)
{
    struct stat st;

    return lstat(path, &st) != 0 && errno == ENOENT;
}

/* Reads a model range proof file (one byte over the cap reads in full: named as too large). */
static zkr_err range_read(zkr_app *app, const char *path, zkr_buf *out)
{
    zkr_err r = zkr_file_read(path, ZKR_MRANGE_MAX_BYTES + 1, out, &app->diag);

    if (r == ZKR_ERR_TOO_LARGE || (r == ZKR_OK && out->len > ZKR_MRANGE_MAX_BYTES))
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "%s: over the %u bytes of a model range "
                        "proof", path, ZKR_MRANGE_MAX_BYTES);
    return r;
}

/*
 * register-model --commitment of a private graph model (graph-inference@2):
 * the commitment against the registered graph program, no range proof
 * (each proof range-checks the weights; one given is refused, exit 2).
 */
static zkr_err register_graph(zkr_app *app, zkr_registry *reg, const char *file,
                              const zkr_buf *enc, const uint8_t digest[ZKR_DIGEST_BYTES],
                              const char *range_path, const char *name, const char *program_ref,
                              zkr_artifact *out)
{
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_artifact prog;
    zkr_buf b = {0};
    zkr_err r;

    if (range_path && !path_missing(range_path))
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "%s: a private graph model has no model range proof (every "
                        "graph-inference@2 proof range-checks its weights); nothing registered",
                        range_path);
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, program_ref, &prog, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, prog.sha256, NULL, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_app_store_read(app, "programs", &prog, ZKR_ML_MODEL_MAX_BYTES, &b)) != ZKR_OK ||
        (r = zkr_app_g2_mc_check_program(enc->p, enc->len, b.p, b.len, file, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_registry_name_check(name ? name : base_name(file), &app->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(enc->p, enc->len, sha);
    if ((r = zkr_app_store_write(app, "models", sha, "", enc->p, enc->len)) != ZKR_OK)
        goto out;
    r = zkr_registry_model_add_private(reg, name ? name : base_name(file), program_ref, enc->p,
                                       enc->len, digest, out, &app->diag);
out:
    zkr_buf_free(&b);
    return r;
}

zkr_err zkr_app_register_model_commitment(zkr_app *app, zkr_registry *reg, const char *file,
                                          const char *range_path, const char *name,
                                          const char *program_ref, zkr_artifact *out)
{
    zkr_infer2_model_commitment mc;
    uint8_t digest[ZKR_DIGEST_BYTES], sha[ZKR_DIGEST_BYTES];
    zkr_artifact prog;
    zkr_ml_graph g;
    zkr_params p;
    zkr_buf enc = {0}, range = {0};
    zkr_app_store_undo u;
    int own = zkr_app_store_undo_begin(app, &u);
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_app_model_commitment_read(app, file, &enc, digest)) != ZKR_OK)
        goto out;
    if (zkr_app_g2_mc_is_graph(enc.p, enc.len)) {
        r = register_graph(app, reg, file, &enc, digest, range_path, name, program_ref, out);
        goto out;
    }
    if ((r = mc_params(enc.p, enc.len, &p)) != ZKR_OK ||
        (r = zkr_infer2_mc_decode(&p, enc.p, enc.len, &mc)) != ZKR_OK ||
        (r = zkr_registry_artifact_get(reg, ZKR_KIND_PROGRAM, program_ref, &prog, &app->diag)) !=
            ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, prog.sha256, NULL, &app->diag)) !=
            ZKR_OK ||
        (r = program_graph(app, &prog, &g)) != ZKR_OK ||
        (r = check_fits(app, file, &mc, &prog, &g)) != ZKR_OK)
        goto out;
    if (range_path && path_missing(range_path)) {
        r = zkr_fail(&app->diag, ZKR_ERR_NOT_FOUND,
                         "%s: no model range proof there (`zkreg model commit` writes it beside "
                         "the commitment; --range-proof FILE names another; --no-range-proof "
                         "registers a model whose proofs are never signed); nothing registered",
                         range_path);
        goto out;
    }
    if (range_path && (r = range_read(app, range_path, &range)) != ZKR_OK)
        goto out;
    if (range_path && (r = range_check_sandboxed(app, &enc, &g, range.p, range.len)) != ZKR_OK) {
        char what[4200];
        (void)snprintf(what, sizeof what, "%s: refused, nothing registered", range_path);
        r = refail(app, r, what);
        goto out;
    }
    /* Refused before any file is written: nothing registered leaves nothing in the store. */
    if ((r = zkr_registry_name_check(name ? name : base_name(file), &app->diag)) != ZKR_OK)
        goto out;
    /*
     * Kept for provers and exports; public. Written before the registration
     * commits, and undone (zkr_app_store_undo) if it does not: a failure
     * after the write (a revocation or a lock in between) must not leave a
     * range proof this call added, which would turn a --no-range-proof
     * model into a range-proven one with no log entry. (A concurrent
     * registration of the same file loses it too: fail closed.)
     */
    zkr_sha256(enc.p, enc.len, sha);
    if ((r = zkr_app_store_write(app, "models", sha, "", enc.p, enc.len)) != ZKR_OK)
        goto out;
    /* The verified range proof: attest verifies it again before it signs (never trusted as is). */
    if (range_path &&
        (r = zkr_app_store_write(app, "models", sha, ZKR_APP_MRANGE_SUFFIX, range.p, range.len)) !=
            ZKR_OK)
        goto out;
    r = zkr_registry_model_add_private(reg, name ? name : base_name(file), program_ref, enc.p,
                                       enc.len, digest, out, &app->diag);
out:
    zkr_app_store_undo_end(app, &u, own, r == ZKR_OK);
    zkr_buf_free(&enc);
    zkr_buf_free(&range);
    return r;
}

zkr_err zkr_app_model_range_check(zkr_app *app, const zkr_statement *st)
{
    zkr_ml_graph g;
    zkr_buf enc = {0}, range = {0};
    uint8_t sha[ZKR_DIGEST_BYTES], dig[ZKR_DIGEST_BYTES];
    char path[4096];
    zkr_err r;

    if ((r = zkr_app_store_path(app, "models", st->model.sha256, "", path, sizeof path)) != ZKR_OK ||
        (r = zkr_file_read(path, ZKR_INFER2_MC_MAX_BYTES, &enc, &app->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(enc.p, enc.len, sha);
    zkr_infer2_mc_digest(enc.p, enc.len, dig);
    if (sodium_memcmp(sha, st->model.sha256, ZKR_DIGEST_BYTES) != 0 ||
        sodium_memcmp(dig, st->model.commitment, ZKR_DIGEST_BYTES) != 0) {
        r = zkr_fail(&app->diag, ZKR_ERR_REGISTRY,
                     "%s: the stored commitment of model %lld differs from its registered one",
                     path, (long long)st->model.id);
        goto out;
    }
    if ((r = zkr_app_store_path(app, "models", st->model.sha256, ZKR_APP_MRANGE_SUFFIX, path,
                                sizeof path)) != ZKR_OK)
        goto out;
    if (path_missing(path)) {
        r = zkr_fail(&app->diag, ZKR_ERR_UNSUPPORTED,
                         "private model %lld has no range proof of its W', b, M (registered "
                         "with --no-range-proof, or its range proof was removed from %s), so a "
                         "model owner could make two outputs verify; inference@2 proofs on it "
                         "are never signed (zkreg verify still checks them)",
                         (long long)st->model.id, path);
        goto out;
    }
    if ((r = range_read(app, path, &range)) != ZKR_OK ||
        (r = program_graph(app, &st->program, &g)) != ZKR_OK ||
        (r = range_check_sandboxed(app, &enc, &g, range.p, range.len)) != ZKR_OK) {
        char what[4200];
        (void)snprintf(what, sizeof what, "private model %lld: its stored range proof %s does "
                       "not verify, so its inference@2 proofs are not signed",
                       (long long)st->model.id, path);
        if (r == ZKR_ERR_VERIFY || r == ZKR_ERR_MALFORMED || r == ZKR_ERR_TOO_LARGE ||
            r == ZKR_ERR_MISMATCH_MODEL || r == ZKR_ERR_MISMATCH_PROGRAM ||
            r == ZKR_ERR_UNSUPPORTED)
            r = refail(app, ZKR_ERR_UNSUPPORTED, what);
    }
out:
    zkr_buf_free(&enc);
    zkr_buf_free(&range);
    return r;
}

zkr_err zkr_app_model_secrets_load(zkr_app *app, const char *path, const zkr_secret *pass,
                                   zkr_app_model_secrets *s)
{
    uint8_t *payload = NULL;
    zkr_err r;

    memset(s, 0, sizeof *s);
    if ((r = zkr_app_secrets_unseal(app, path, pass, ZKR_MODEL_SECRETS_LABEL, "model secrets",
                                    ZKR_MODEL_SECRETS_BYTES, ZKR_MODEL_SECRETS_VERSION,
                                    &payload)) != ZKR_OK)
        goto out;
    if ((s->opening = sodium_malloc(ZKR_INFER2_OPENING_BYTES)) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    memcpy(s->opening, payload + 4, ZKR_INFER2_OPENING_BYTES);
    memcpy(s->model_sha256, payload + 4 + ZKR_INFER2_OPENING_BYTES, ZKR_DIGEST_BYTES);
    memcpy(s->commitment, payload + 4 + ZKR_INFER2_OPENING_BYTES + ZKR_DIGEST_BYTES,
           ZKR_DIGEST_BYTES);
out:
    sodium_free(payload); /* wipes; accepts NULL */
    if (r != ZKR_OK)
        zkr_app_model_secrets_free(s);
    return r;
}

void zkr_app_model_secrets_free(zkr_app_model_secrets *s)
{
    sodium_free(s->opening); /* wipes */
    memset(s, 0, sizeof *s);
}
