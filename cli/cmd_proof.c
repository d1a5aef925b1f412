/*
 * cmd_proof.c: `zkreg prove` and `zkreg verify` for inference@1 statements.
 *
 * The parent opens the registry and every file, recomputes every binding
 * from the registry (DESIGN.md section 4) and hands bytes to a confined
 * worker ("prove" / "verify", cli/workers.c); the worker never opens a file.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cuda/cuda.h"
#include "infer_glue.h"
#include "train_glue.h"
#include "registry_cli.h"
#include "workers.h"
#include "prover/prover.h"
#include "zkr_config.h"

#define ZKR_CLI_PROOF_MAX ZKR_PROOF_MAX_BYTES

static const char prove_help[] =
    "usage: zkreg prove --statement ID -o PROOF [--dataset-file PATH] [--threads N]\n"
    "                   [--backend auto|cpu|cuda] [--no-sandbox]\n"
    "\n"
    "Proves an inference@1 statement: the registered model (its quantized bytes\n"
    "kept beside the registry at register-model) run on record I of the\n"
    "registered dataset gives the statement's public output. The dataset file is\n"
    "the one given at register-dataset (or --dataset-file) and must still have\n"
    "the registered commitment. The proving runs in a confined worker;\n"
    "--no-sandbox runs it in this process (debugging only, with a warning).\n"
    "--backend (default auto): cuda proves on the GPU, bit-identical to the CPU;\n"
    "auto uses the GPU when one is usable and the CPU otherwise; with no usable\n"
    "device --backend cuda is refused (exit 3). The confined worker has no GPU\n"
    "policy yet: the GPU is used only with --no-sandbox (docs/cuda.md).\n"
    "Prints the proof's SHA-256 and size; progress goes to stderr on a TTY.\n" ZKR_CLI_EXIT_HELP;

static const char verify_help[] =
    "usage: zkreg verify --statement ID PROOF [--no-sandbox]\n"
    "\n"
    "Verifies PROOF (inference@1 or training-step@1) against the registered\n"
    "statement ID. Every binding is taken\n"
    "from the registry, never from the proof: schema (proof kind, pinned\n"
    "verifier version, parameter set), program digest, model commitment, dataset\n"
    "commitment, record index, public output, and revocations. A mismatch is\n"
    "named (exit 1); an invalid proof fails with exit 1 too. A verified proof is\n"
    "recorded in the registry log ('proof'), after the revocations (statement,\n"
    "artifacts, schema, verifier version) are checked again under the write lock\n"
    "(exit 6). --no-sandbox verifies in this process (debugging only) and is\n"
    "logged as 'verify-unconfined', which no gate or attestation accepts.\n" ZKR_CLI_EXIT_HELP;

typedef struct {
    zkr_statement st;
    uint32_t param_set;
    uint64_t record_index;
} zkr_proof_stmt;

/* A phase line for a person at a terminal: never with --json, never into a file or pipe. */
static void zkr_proof_note(const zkr_cli *cli, const char *msg)
{
    if (!cli->json && isatty(2))
        fprintf(stderr, "zkreg: %s\n", msg);
}

/* Maps the schema's proof-system and parameter-set names to the ids they pin. */
zkr_err zkr_cli_param_set_of(zkr_cli *cli, const zkr_schema *s, uint32_t *set)
{
    static const char *systems[] = {"zkreg-sumcheck-basefold", "zkr-sumcheck-basefold-gl3/1", "1"};
    static const char *sets[] = {"goldilocks-128", "1"};
    int ok = 0;

    for (size_t i = 0; i < sizeof systems / sizeof *systems; i++)
        ok |= strcmp(s->proof_system, systems[i]) == 0;
    if (!ok)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_PARAMS,
                        "schema %s@%llu: proof system '%s' is not this verifier's", s->name,
                        (unsigned long long)s->version, s->proof_system);
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        if (strcmp(s->param_set, sets[i]) == 0) {
            *set = ZKR_PARAM_SET_128;
            return ZKR_OK;
        }
    return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_PARAMS,
                    "schema %s@%llu: parameter set '%s' unknown", s->name,
                    (unsigned long long)s->version, s->param_set);
}

static zkr_err zkr_check_revoked(zkr_cli *cli, zkr_registry *reg, const zkr_statement *s)
{
    zkr_err r;

    if ((r = zkr_registry_statement_check_log(reg, s, &cli->diag)) != ZKR_OK ||
        (r = zkr_registry_verifier_revoked(reg, s->schema.proof_kind, s->schema.verifier_version,
                                           &cli->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_STATEMENT, s->statement_id, NULL,
                                        &cli->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_SCHEMA, s->schema.digest, NULL,
                                        &cli->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_PROGRAM, s->program.sha256, NULL,
                                        &cli->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_MODEL, s->model.sha256, NULL,
                                        &cli->diag)) != ZKR_OK ||
        (r = zkr_registry_check_revoked(reg, ZKR_KIND_DATASET, s->dataset.sha256, NULL,
                                        &cli->diag)) != ZKR_OK)
        return r;
    return ZKR_OK;
}

/* "verify-unconfined" payload: the "proof" payload's fields (docs/formats.md). */
#define ZKR_EVENT_UNCONFINED "verify-unconfined"

/*
 * Records a verification. A confined one appends the "proof" leaf and row
 * under the write lock, after re-checking every revocation there, so a
 * revocation that landed while the worker ran is not followed by a proof
 * record. An unconfined one (--no-sandbox) is logged as "verify-unconfined",
 * a type that no trust decision (the gate's log-inclusion rule, attest
 * --import-signature, export) accepts as "verified here".
 */
static zkr_err zkr_record_verification(zkr_cli *cli, zkr_registry *reg, const zkr_statement *st,
                                       const uint8_t sha[ZKR_DIGEST_BYTES], int no_sandbox,
                                       uint64_t *log_index)
{
    zkr_buf ev = {0};
    zkr_err r;

    if (no_sandbox) {
        if ((r = zkr_enc_bytes(&ev, st->statement_id, ZKR_DIGEST_BYTES)) == ZKR_OK &&
            (r = zkr_enc_bytes(&ev, sha, ZKR_DIGEST_BYTES)) == ZKR_OK &&
            (r = zkr_enc_str(&ev, ZKR_VERSION)) == ZKR_OK)
            r = zkr_registry_event_append(reg, ZKR_EVENT_UNCONFINED, ev.p, ev.len, log_index,
                                          &cli->diag);
        zkr_buf_free(&ev);
        return r;
    }
    if ((r = zkr_registry_write_begin(reg, &cli->diag)) != ZKR_OK)
        return r;
    if ((r = zkr_check_revoked(cli, reg, st)) == ZKR_OK &&
        (r = zkr_registry_proof_record(reg, st->statement_id, sha, ZKR_VERSION, log_index,
                                       &cli->diag)) == ZKR_OK)
        r = zkr_registry_write_commit(reg, &cli->diag);
    zkr_registry_end(reg);
    return r;
}

/* Loads statement ref and checks what the registry itself must agree on. */
static zkr_err zkr_load_stmt(zkr_cli *cli, zkr_registry *reg, const char *ref, int verifying,
                             zkr_proof_stmt *ps)
{
    const zkr_schema *sc = &ps->st.schema;
    const zkr_param *idx = NULL;
    zkr_err r;

    if ((r = zkr_registry_statement_get(reg, ref, &ps->st, &cli->diag)) != ZKR_OK)
        return r;
    if (strcmp(sc->proof_kind, "inference@1") != 0)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: proof kind '%s', this command proves inference@1",
                        sc->name, (unsigned long long)sc->version, sc->proof_kind);
    if (verifying && strcmp(sc->verifier_version, ZKR_VERSION) != 0)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_VERIFIER,
                        "schema %s@%llu pins verifier %s, this is %s", sc->name,
                        (unsigned long long)sc->version, sc->verifier_version, ZKR_VERSION);
    if ((r = zkr_cli_param_set_of(cli, sc, &ps->param_set)) != ZKR_OK ||
        (r = zkr_check_revoked(cli, reg, &ps->st)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < ps->st.n_params; i++)
        if (strcmp(ps->st.params[i].name, "record_index") == 0 ||
            strcmp(ps->st.params[i].name, "record") == 0)
            idx = &ps->st.params[i];
    if (!idx || idx->type != ZKR_PARAM_U64 ||
        zkr_cli_parse_u64(cli, "record_index", idx->text, &ps->record_index) != ZKR_OK)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_SCHEMA,
                        "schema %s@%llu: inference@1 needs a u64 field 'record_index'", sc->name,
                        (unsigned long long)sc->version);
    if (!ps->st.has_public_output || ps->st.public_output.len == 0)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "statement has no public output to prove");
    if (!ps->st.model.has_commitment)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_MODEL,
                        "model %lld has no commitment (register it from ONNX or a quantized model)",
                        (long long)ps->st.model.id);
    if (!ps->st.dataset.has_commitment)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_DATASET, "dataset %lld has no commitment",
                        (long long)ps->st.dataset.id);
    return ZKR_OK;
}

typedef struct {
    const char *statement, *out, *dataset_file, *proof, *backend;
    uint64_t threads;
    int no_sandbox;
} zkr_proof_args;

static zkr_err zkr_proof_parse_args(zkr_cli *cli, int argc, char **argv, int proving,
                                    zkr_proof_args *a, int *done)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"statement", required_argument, NULL, 's'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"dataset-file", required_argument, NULL, 'D'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"no-sandbox", no_argument, NULL, 'n'},
                                         {"backend", required_argument, NULL, 'B'},
                                         {NULL, 0, NULL, 0}};
    int c;
    zkr_err r;

    memset(a, 0, sizeof a[0]);
    a->threads = 2;
    a->backend = "auto";
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, proving ? prove_help : verify_help, done)) {
            if (*done)
                return ZKR_OK;
            continue;
        }
        if (c == 's')
            a->statement = optarg;
        else if (c == 'o' && proving)
            a->out = optarg;
        else if (c == 'D' && proving)
            a->dataset_file = optarg;
        else if (c == 't' && proving) {
            if ((r = zkr_cli_parse_u64(cli, "--threads", optarg, &a->threads)) != ZKR_OK)
                return r;
            if (a->threads < 1 || a->threads > 16)
                return zkr_cli_usage(cli, "--threads must be 1..16");
        } else if (c == 'B' && proving)
            a->backend = optarg;
        else if (c == 'n')
            a->no_sandbox = 1;
        else
            return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (!a->statement)
        return zkr_cli_usage(cli, "--statement ID is required");
    if (proving && (!a->out || optind != argc))
        return zkr_cli_usage(cli, "expected -o PROOF and no other argument");
    if (!proving) {
        if (optind + 1 != argc)
            return zkr_cli_usage(cli, "expected exactly one PROOF argument");
        a->proof = argv[optind];
    }
    return ZKR_OK;
}

/* Reads the stored model bytes and checks them against the registered sha256. */
static zkr_err zkr_load_model(zkr_cli *cli, const zkr_artifact *m, zkr_buf *out)
{
    char path[4096];
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    if ((r = zkr_cli_infer_store_path(cli, "models", m->sha256, "", path, sizeof path)) != ZKR_OK ||
        (r = zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, out, &cli->diag)) != ZKR_OK)
        return r;
    zkr_sha256(out->p, out->len, sha);
    if (sodium_memcmp(sha, m->sha256, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_MODEL,
                        "%s: stored model bytes differ from the registered sha256", path);
    return ZKR_OK;
}

/* Opens the dataset, recomputes its commitment and record index's path. */
static zkr_err zkr_load_record(zkr_cli *cli, const zkr_proof_stmt *ps, const char *file,
                               zkr_dataset **ds, zkr_infer_record *rec,
                               uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES])
{
    char sp[4096];
    zkr_buf stored = {0};
    uint8_t comm[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (!file) {
        if ((r = zkr_cli_infer_store_path(cli, "datasets", ps->st.dataset.sha256, ".path", sp,
                                          sizeof sp)) != ZKR_OK ||
            (r = zkr_file_read(sp, 4095, &stored, &cli->diag)) != ZKR_OK)
            return zkr_fail(&cli->diag, r == ZKR_OK ? ZKR_ERR_NOT_FOUND : r,
                            "dataset %lld: its file is unknown here; pass --dataset-file PATH",
                            (long long)ps->st.dataset.id);
        memcpy(sp, stored.p, stored.len);
        sp[stored.len] = '\0';
        zkr_buf_free(&stored);
        file = sp;
    }
    if ((r = zkr_dataset_open(file, ds, &cli->diag)) != ZKR_OK)
        return r;
    memset(rec, 0, sizeof *rec);
    rec->index = ps->record_index;
    rec->n_records = zkr_dataset_count(*ds);
    if (rec->index >= rec->n_records)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_INPUT, "record %llu past the end (%llu)",
                        (unsigned long long)rec->index, (unsigned long long)rec->n_records);
    if ((r = zkr_infer_dataset_commit(*ds, rec->index, rec->root, comm, path, &rec->path_len)) !=
            ZKR_OK ||
        (r = zkr_dataset_record(*ds, rec->index, &rec->record, &rec->record_len)) != ZKR_OK)
        return zkr_fail(&cli->diag, r, "%s: cannot read record %llu", file,
                        (unsigned long long)rec->index);
    rec->path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    if (sodium_memcmp(comm, ps->st.dataset.commitment, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_DATASET,
                        "%s: its commitment differs from dataset %lld's registered commitment",
                        file, (long long)ps->st.dataset.id);
    return ZKR_OK;
}

static zkr_err zkr_prove_request(const zkr_proof_stmt *ps, const zkr_buf *model, uint32_t threads,
                                 uint32_t use_cuda, const zkr_infer_record *rec, zkr_buf *req)
{
    zkr_err r;

    if ((r = zkr_enc_u32(req, 1)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, ps->param_set)) != ZKR_OK || (r = zkr_enc_u32(req, threads)) != ZKR_OK ||
        (r = zkr_enc_u32(req, use_cuda)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, model->p, model->len)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, rec->index)) != ZKR_OK || (r = zkr_enc_u64(req, rec->n_records)) != ZKR_OK ||
        (r = zkr_buf_append(req, rec->root, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, rec->record, rec->record_len)) != ZKR_OK ||
        (r = zkr_enc_u32(req, (uint32_t)rec->path_len)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < rec->path_len; i++)
        if ((r = zkr_buf_append(req, rec->path[i], ZKR_DIGEST_BYTES)) != ZKR_OK)
            return r;
    return ZKR_OK;
}

static double zkr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static zkr_err zkr_prove_finish(zkr_cli *cli, const zkr_proof_stmt *ps, const zkr_buf *reply,
                                const char *out, double secs)
{
    zkr_dec dec;
    const uint8_t *proof, *output;
    size_t proof_len, output_len;
    uint8_t sha[ZKR_DIGEST_BYTES];
    char hex[65];
    zkr_err r;

    zkr_dec_init(&dec, reply->p, reply->len);
    if (zkr_dec_bytes(&dec, ZKR_CLI_PROOF_MAX, &proof, &proof_len) != ZKR_OK ||
        zkr_dec_bytes(&dec, (size_t)1 << 20, &output, &output_len) != ZKR_OK ||
        zkr_dec_finish(&dec) != ZKR_OK)
        return zkr_fail(&cli->diag, ZKR_ERR_INTERNAL, "prover worker reply malformed");
    if (output_len != ps->st.public_output.len ||
        memcmp(output, ps->st.public_output.p, output_len) != 0)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "the model's output on record %llu differs from the statement's public "
                        "output; no proof written", (unsigned long long)ps->record_index);
    if ((r = zkr_file_write_atomic(out, proof, proof_len, 0644, &cli->diag)) != ZKR_OK)
        return r;
    zkr_sha256(proof, proof_len, sha);
    zkr_cli_hex32(sha, hex);
    if (cli->json) {
        printf("{\"ok\":true,\"proof\":");
        zkr_cli_json_string(stdout, out);
        printf(",\"sha256\":\"%s\",\"bytes\":%zu,\"seconds\":%.3f}\n", hex, proof_len, secs);
    } else {
        printf("proof:     %s\nsha256:    %s\nbytes:     %zu\nseconds:   %.3f\n", out, hex,
               proof_len, secs);
    }
    return ZKR_OK;
}

/*
 * Where the prover runs (docs/cuda.md), decided before any work: the CPU;
 * the GPU when asked or when auto finds one and the worker may use it; a
 * refusal when cuda was asked for and cannot be had.
 */
static zkr_err zkr_prove_backend(zkr_cli *cli, const zkr_proof_args *a, uint32_t *use_cuda)
{
    zkr_backend b;
    zkr_cuda_info info;
    zkr_err r;

    *use_cuda = 0;
    if ((r = zkr_backend_parse(a->backend, &b, &cli->diag)) != ZKR_OK)
        return r;
    if (b == ZKR_BACKEND_CPU)
        return ZKR_OK;
    zkr_cuda_probe_count(&info); /* no context in the parent unless it proves itself */
    if (info.n_devices < 1) {
        if (b == ZKR_BACKEND_AUTO)
            return ZKR_OK;
        return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED,
                        "--backend cuda: no usable CUDA device: %s (--backend cpu or auto proves "
                        "on the CPU)", info.why);
    }
    if (!a->no_sandbox) {
        /* The worker's seccomp policy has no GPU variant yet: never loosen it silently. */
        if (b == ZKR_BACKEND_AUTO) {
            zkr_proof_note(cli, "a CUDA device is present, but the confined worker cannot use it yet: "
                         "proving on the CPU");
            return ZKR_OK;
        }
        return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED,
                        "--backend cuda: the confined prover worker has no GPU policy yet "
                        "(docs/sandbox.md); --no-sandbox proves on %s in this process", info.name);
    }
    *use_cuda = 1;
    return ZKR_OK;
}

zkr_err zkr_cmd_prove(zkr_cli *cli, int argc, char **argv)
{
    zkr_proof_args a;
    zkr_proof_stmt ps;
    zkr_registry *reg = NULL;
    zkr_dataset *ds = NULL;
    zkr_infer_record rec;
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_buf model = {0}, req = {0}, reply = {0};
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result res;
    int done = 0;
    uint32_t use_cuda;
    double t0;
    zkr_err r;

    memset(&ps, 0, sizeof ps);
    if ((r = zkr_proof_parse_args(cli, argc, argv, 1, &a, &done)) != ZKR_OK || done)
        return r;
    if ((r = zkr_prove_backend(cli, &a, &use_cuda)) != ZKR_OK)
        return r;
    so.no_sandbox = a.no_sandbox;
    if ((r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK ||
        (r = zkr_load_stmt(cli, reg, a.statement, 0, &ps)) != ZKR_OK)
        goto out;
    zkr_proof_note(cli, "loading the model and the record");
    if ((r = zkr_load_model(cli, &ps.st.model, &model)) != ZKR_OK ||
        (r = zkr_load_record(cli, &ps, a.dataset_file, &ds, &rec, path)) != ZKR_OK ||
        (r = zkr_prove_request(&ps, &model, (uint32_t)a.threads, use_cuda, &rec, &req)) != ZKR_OK)
        goto out;
    zkr_proof_note(cli, "proving in the confined worker");
    t0 = zkr_now();
    r = zkr_sandbox_call(zkr_cli_workers, "prove", &so, req.p, req.len, &reply, &res, &cli->diag);
    if (r != ZKR_OK)
        goto out;
    r = zkr_prove_finish(cli, &ps, &reply, a.out, zkr_now() - t0);
out:
    zkr_buf_free(&model);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    zkr_dataset_free(ds);
    zkr_statement_free(&ps.st);
    zkr_registry_close(reg);
    return r;
}

static zkr_err zkr_verify_request(const zkr_proof_stmt *ps, const zkr_buf *proof, zkr_buf *req)
{
    zkr_err r;

    if ((r = zkr_enc_u32(req, 1)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.statement_id, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u32(req, ps->param_set)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.program.sha256, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.model.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_buf_append(req, ps->st.dataset.commitment, ZKR_DIGEST_BYTES)) != ZKR_OK ||
        (r = zkr_enc_u64(req, ps->record_index)) != ZKR_OK ||
        (r = zkr_enc_bytes(req, ps->st.public_output.p, ps->st.public_output.len)) != ZKR_OK)
        return r;
    return zkr_enc_bytes(req, proof->p, proof->len);
}

/* training-step@1 statements: every binding value from the registry (cli/train_glue.c). */
static zkr_err zkr_verify_training(zkr_cli *cli, zkr_registry *reg, const zkr_proof_args *a,
                                   const zkr_statement *st)
{
    zkr_buf proof = {0};
    uint8_t sha[ZKR_DIGEST_BYTES];
    char hex[65], sid[65];
    uint64_t log_index = 0;
    double t0 = zkr_now(), secs;
    zkr_err r;

    if ((r = zkr_file_read(a->proof, ZKR_CLI_PROOF_MAX, &proof, &cli->diag)) != ZKR_OK)
        goto out;
    zkr_proof_note(cli, "verifying in the confined worker");
    if ((r = zkr_cli_train_verify(cli, reg, st, NULL, proof.p, proof.len, a->no_sandbox)) !=
        ZKR_OK)
        goto out;
    secs = zkr_now() - t0;
    zkr_sha256(proof.p, proof.len, sha);
    if ((r = zkr_record_verification(cli, reg, st, sha, a->no_sandbox, &log_index)) != ZKR_OK)
        goto out;
    zkr_cli_hex32(sha, hex);
    zkr_cli_hex32(st->statement_id, sid);
    if (cli->json)
        printf("{\"ok\":true,\"verified\":true,\"statement\":\"%s\",\"proof_sha256\":\"%s\","
               "\"kind\":\"training-step@1\",\"log_index\":%llu,\"seconds\":%.3f}\n",
               sid, hex, (unsigned long long)log_index, secs);
    else
        printf("verified:  statement %s (training-step@1)\nproof:     %s\nlog index: %llu\n"
               "seconds:   %.3f\n", sid, hex, (unsigned long long)log_index, secs);
out:
    zkr_buf_free(&proof);
    return r;
}

/* Returns 1 when statement ref exists and is a training-step@1 statement (loaded into *st). */
static int zkr_is_training(zkr_registry *reg, const char *ref, zkr_statement *st)
{
    zkr_diag scratch = {0};

    if (zkr_registry_statement_get(reg, ref, st, &scratch) != ZKR_OK)
        return 0;
    return strcmp(st->schema.proof_kind, "training-step@1") == 0;
}

zkr_err zkr_cmd_verify(zkr_cli *cli, int argc, char **argv)
{
    zkr_proof_args a;
    zkr_proof_stmt ps;
    zkr_registry *reg = NULL;
    zkr_buf proof = {0}, req = {0}, reply = {0};
    zkr_sandbox_opts so = {NULL, NULL, 0};
    zkr_sandbox_result res;
    uint8_t sha[ZKR_DIGEST_BYTES];
    char hex[65], sid[65];
    uint64_t log_index = 0;
    int done = 0;
    double t0, secs;
    zkr_err r;

    memset(&ps, 0, sizeof ps);
    if ((r = zkr_proof_parse_args(cli, argc, argv, 0, &a, &done)) != ZKR_OK || done)
        return r;
    so.no_sandbox = a.no_sandbox;
    if ((r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK)
        goto out;
    if (zkr_is_training(reg, a.statement, &ps.st)) {
        r = zkr_verify_training(cli, reg, &a, &ps.st);
        goto out;
    }
    zkr_statement_free(&ps.st);
    memset(&ps, 0, sizeof ps);
    if ((r = zkr_load_stmt(cli, reg, a.statement, 1, &ps)) != ZKR_OK ||
        (r = zkr_file_read(a.proof, ZKR_CLI_PROOF_MAX, &proof, &cli->diag)) != ZKR_OK ||
        (r = zkr_verify_request(&ps, &proof, &req)) != ZKR_OK)
        goto out;
    zkr_proof_note(cli, "verifying in the confined worker");
    t0 = zkr_now();
    r = zkr_sandbox_call(zkr_cli_workers, "verify", &so, req.p, req.len, &reply, &res, &cli->diag);
    secs = zkr_now() - t0;
    if (r != ZKR_OK)
        goto out;
    zkr_sha256(proof.p, proof.len, sha);
    if ((r = zkr_record_verification(cli, reg, &ps.st, sha, a.no_sandbox, &log_index)) != ZKR_OK)
        goto out;
    zkr_cli_hex32(sha, hex);
    zkr_cli_hex32(ps.st.statement_id, sid);
    if (cli->json)
        printf("{\"ok\":true,\"verified\":true,\"statement\":\"%s\",\"proof_sha256\":\"%s\","
               "\"kind\":\"inference@1\",\"log_index\":%llu,\"seconds\":%.3f}\n",
               sid, hex, (unsigned long long)log_index, secs);
    else
        printf("verified:  statement %s (inference@1)\nproof:     %s\nlog index: %llu\n"
               "seconds:   %.3f\n", sid, hex, (unsigned long long)log_index, secs);
out:
    zkr_buf_free(&proof);
    zkr_buf_free(&req);
    zkr_buf_free(&reply);
    zkr_statement_free(&ps.st);
    zkr_registry_close(reg);
    return r;
}
