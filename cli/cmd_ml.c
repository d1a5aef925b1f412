/*
 * cmd_ml.c: `zkreg infer` and `zkreg eval` (docs/cli.md).
 *
 * For now both take files (the offline form): a quantized model file and
 * a dataset file. The registry form (--model ID --dataset ID) is accepted
 * by the parser and refused with ZKR_ERR_UNSUPPORTED until the registry
 * module is wired in.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "app/infer.h"
#include "app/eval.h"
#include "app/register.h"
#include "app/store.h"
#include "registry/registry.h"
#include "ml/ml.h"
#include "zk/infer_batch.h"
#include "zk/zk.h"

#define CALIB_DEFAULT 1000u

static const char infer_help[] =
    "usage: zkreg infer --model ID --dataset ID --record I [--output-file F] [--json]\n"
    "       zkreg infer --model-file Q --dataset-file PATH --record I [--output-file F]\n"
    "                   [--json]\n"
    "       zkreg infer (--model ID | --model-file Q) (--dataset ID | --dataset-file P)\n"
    "                   --first F --count C [--output-file F] [--json]\n"
    "\n"
    "Runs the quantized model natively on record I and prints the int8 logits\n"
    "and their argmax. With registry IDs, the model bytes stored beside the\n"
    "registry and the dataset file remembered at register-dataset are used,\n"
    "each checked against its registered sha256 first (exit 1 on a mismatch).\n"
    "\n"
    "  --model ID         registered model (row id or sha256)\n"
    "  --dataset ID       registered dataset (row id or sha256)\n"
    "  --model-file Q     quantized model file (docs/quantization.md)\n"
    "  --dataset-file P   IDX images file (gzip or raw); labels beside it\n"
    "  --record I         record index, from 0\n"
    "  --output-file F    also write the inference@1 public output a statement\n"
    "                     binds (u32 n | n int8 logits | u32 argmax)\n"
    "  --first F, --count C  the batch form: records F..F+C-1; --output-file\n"
    "                     writes the inference-batch@1 public output (\"ZKIB\",\n"
    "                     first, count, out_dim, every record's logits;\n"
    "                     docs/formats.md)\n"
    "  --json             print one JSON object\n"
    "\n"
    "exit codes: 0 ok, 1 stored file differs from its registered digest, 2 usage,\n"
    "            3 malformed or unsupported input, 4 not found, 9 I/O or registry\n"
    "            error, 10 internal\n";

static const char eval_help[] =
    "usage: zkreg eval --model ID --dataset ID [--first I] [--count N]\n"
    "                  [--output-file F [--threshold TAU]] [--json]\n"
    "       zkreg eval --dataset-file TEST [--onnx M.onnx] [--model-file Q]\n"
    "                  [--calibrate-file CAL [--calibrate-first I] [--calibrate-count N]]\n"
    "                  [--write-model OUT] [--first I] [--count N] [--json]\n"
    "\n"
    "Prints float vs quantized accuracy and their argmax agreement over the\n"
    "dataset's records (offline form: files instead of registry IDs).\n"
    "With --onnx and no --model-file, the ONNX model is quantized with\n"
    "calibration records of CAL (default: its first 1000) and, with\n"
    "--write-model, the canonical quantized model is written to OUT.\n"
    "\n"
    "  --onnx M           float model (ONNX); adds float accuracy and agreement\n"
    "  --model-file Q     quantized model file to evaluate\n"
    "  --calibrate-file   IDX dataset for calibration (when quantizing)\n"
    "  --first, --count   record range (default: all)\n"
    "  --output-file F    also write the evaluation@1 public output a statement\n"
    "                     for the range binds (u8 mode | u64 count | u64 value)\n"
    "  --threshold TAU    ... in threshold form \"correct >= TAU\" (exit 1, no\n"
    "                     file, when fewer are correct)\n"
    "\n"
    "exit codes: 0 ok, 1 float and quantized models have different programs, a\n"
    "            stored file differs from its registered digest, or fewer than\n"
    "            TAU correct, 2 usage, 3 malformed or unsupported input, 4 not found,\n"
    "            9 I/O error, 10 internal\n";

enum { OPT_MODEL_FILE = 0x200, OPT_DATASET_FILE, OPT_RECORD, OPT_MODEL_ID, OPT_DATASET_ID,
       OPT_ONNX, OPT_CALIB_FILE, OPT_CALIB_FIRST, OPT_CALIB_COUNT, OPT_WRITE_MODEL, OPT_FIRST,
       OPT_COUNT, OPT_OUTPUT_FILE, OPT_THRESHOLD };

static void print_hex(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        printf("%02x", p[i]);
}

static void print_infer(const zkr_cli *cli, const zkr_ml_model *m, const zkr_ml_trace *t,
                        uint64_t record, uint8_t label)
{
    uint8_t md[ZKR_DIGEST_BYTES], pd[ZKR_DIGEST_BYTES];
    const int8_t *y = t->y[t->n_layers - 1];
    uint32_t n = t->dims[t->n_layers - 1];

    zkr_ml_model_digest(m, md);
    zkr_ml_model_program_digest(m, pd);
    if (cli->json) {
        printf("{\"ok\":true,\"record\":%llu,\"label\":%u,\"logits\":[", (unsigned long long)record,
               (unsigned)label);
        for (uint32_t j = 0; j < n; j++)
            printf("%s%d", j ? "," : "", (int)y[j]);
        printf("],\"argmax\":%u,\"model_digest\":\"", (unsigned)t->argmax);
        print_hex(md, sizeof md);
        printf("\",\"program_digest\":\"");
        print_hex(pd, sizeof pd);
        printf("\"}\n");
        return;
    }
    printf("record %llu (label %u)\nlogits", (unsigned long long)record, (unsigned)label);
    for (uint32_t j = 0; j < n; j++)
        printf(" %d", (int)y[j]);
    printf("\nargmax %u\nmodel  ", (unsigned)t->argmax);
    print_hex(md, sizeof md);
    printf("\n");
}

/*
 * Registry-ID form: finds the registered model's stored bytes and the
 * dataset's remembered file, and checks both against the registered
 * sha256 before anything runs on them (the files beside the registry are
 * not trusted more than any other file).
 */
typedef struct {
    char model[4096];
    char dataset[4096];
} registered_paths;

static zkr_err check_model_file(zkr_cli *cli, const zkr_artifact *m, const char *path)
{
    zkr_buf b = {0};
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    if ((r = zkr_file_read(path, ZKR_ML_MODEL_MAX_BYTES, &b, &cli->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(b.p, b.len, sha);
    if (sodium_memcmp(sha, m->sha256, ZKR_DIGEST_BYTES) != 0)
        r = zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_MODEL,
                     "%s: stored bytes differ from model %lld's registered sha256", path,
                     (long long)m->id);
out:
    zkr_buf_free(&b);
    return r;
}

static zkr_err check_dataset_file(zkr_cli *cli, const zkr_artifact *a, const char *path)
{
    zkr_dataset *ds = NULL;
    uint8_t sha[ZKR_DIGEST_BYTES];
    zkr_err r;

    if ((r = zkr_dataset_open(path, &ds, &cli->diag)) != ZKR_OK ||
        (r = zkr_registry_dataset_digest(ds, sha, NULL)) != ZKR_OK)
        goto out;
    if (sodium_memcmp(sha, a->sha256, ZKR_DIGEST_BYTES) != 0)
        r = zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_DATASET,
                     "%s: contents differ from dataset %lld's registered sha256", path,
                     (long long)a->id);
out:
    zkr_dataset_free(ds);
    return r;
}

static zkr_err resolve_registered(zkr_cli *cli, const char *model_ref, const char *ds_ref,
                                  registered_paths *out)
{
    zkr_registry *reg = NULL;
    zkr_artifact m, a;
    zkr_buf stored = {0};
    zkr_err r;

    memset(out, 0, sizeof *out);
    if ((r = zkr_registry_open(cli->registry_path, &reg, &cli->diag)) != ZKR_OK)
        goto out;
    if (model_ref != NULL &&
        ((r = zkr_registry_artifact_get(reg, ZKR_KIND_MODEL, model_ref, &m, &cli->diag)) != ZKR_OK ||
         (r = zkr_app_store_path(cli, "models", m.sha256, "", out->model,
                                       sizeof out->model)) != ZKR_OK ||
         (r = check_model_file(cli, &m, out->model)) != ZKR_OK))
        goto out;
    if (ds_ref == NULL)
        goto out;
    if ((r = zkr_registry_artifact_get(reg, ZKR_KIND_DATASET, ds_ref, &a, &cli->diag)) != ZKR_OK ||
        (r = zkr_app_store_path(cli, "datasets", a.sha256, ".path", out->dataset,
                                      sizeof out->dataset)) != ZKR_OK)
        goto out;
    if ((r = zkr_file_read(out->dataset, sizeof out->dataset - 1, &stored, &cli->diag)) != ZKR_OK) {
        r = zkr_fail(&cli->diag, ZKR_ERR_NOT_FOUND,
                     "dataset %lld: its file is not known beside this registry; use --dataset-file",
                     (long long)a.id);
        goto out;
    }
    memcpy(out->dataset, stored.p, stored.len);
    out->dataset[stored.len] = '\0';
    r = check_dataset_file(cli, &a, out->dataset);
out:
    zkr_buf_free(&stored);
    zkr_registry_close(reg);
    return r;
}

/* The inference@1 public output of the trace's last layer (zk/infer.c), written atomically. */
static zkr_err infer_write_output(zkr_cli *cli, const zkr_ml_trace *t, const char *path)
{
    zkr_buf ob = {0};
    zkr_err r = zkr_infer_output_encode(t->y[t->n_layers - 1], t->dims[t->n_layers - 1], &ob);

    if (r == ZKR_OK)
        r = zkr_file_write_atomic(path, ob.p, ob.len, 0644, &cli->diag);
    zkr_buf_free(&ob);
    return r;
}

/* Whether the file at path is a graph-model file (version 2); any error reads as "no". */
static int model_is_graph(const char *path)
{
    uint8_t head[ZKR_ML_MODEL_MAGIC_BYTES + 4];
    FILE *fp = fopen(path, "rb");
    size_t n = 0;

    if (fp != NULL) {
        n = fread(head, 1, sizeof head, fp);
        fclose(fp);
    }
    return zkr_ml_model_file_version(head, n) == ZKR_ML_GMODEL_VERSION;
}

static void print_ginfer(const zkr_cli *cli, const zkr_ml_gmodel *m, const zkr_ml_gtrace *t,
                         uint64_t record, uint8_t label)
{
    uint8_t md[ZKR_DIGEST_BYTES], pd[ZKR_DIGEST_BYTES];
    uint32_t last = t->n_nodes - 1, n = zkr_ml_gprog_elems(zkr_ml_gmodel_prog(m), last);
    const int8_t *y = t->y[last];

    zkr_ml_gmodel_digest(m, md);
    zkr_ml_gmodel_program_digest(m, pd);
    if (cli->json) {
        printf("{\"ok\":true,\"record\":%llu,\"label\":%u,\"logits\":[",
               (unsigned long long)record, (unsigned)label);
        for (uint32_t j = 0; j < n; j++)
            printf("%s%d", j ? "," : "", (int)y[j]);
        printf("],\"argmax\":%u,\"model_digest\":\"", (unsigned)t->argmax);
        print_hex(md, sizeof md);
        printf("\",\"program_digest\":\"");
        print_hex(pd, sizeof pd);
        printf("\"}\n");
        return;
    }
    printf("record %llu (label %u)\nlogits", (unsigned long long)record, (unsigned)label);
    for (uint32_t j = 0; j < n; j++)
        printf(" %d", (int)y[j]);
    printf("\nargmax %u\nmodel  ", (unsigned)t->argmax);
    print_hex(md, sizeof md);
    printf("\n");
}

/* `zkreg infer` on a graph model (program version 2). */
static zkr_err ginfer_run(zkr_cli *cli, const char *model_path, const char *ds_path, uint64_t rec,
                          const char *out_file)
{
    zkr_ml_gmodel *m = NULL;
    zkr_dataset *ds = NULL;
    zkr_ml_gtrace t = {0};
    zkr_buf ob = {0};
    const uint8_t *x;
    uint32_t n0, last;
    uint8_t label;
    zkr_err r;

    if ((r = zkr_ml_gmodel_read_file(model_path, &m, &cli->diag)) != ZKR_OK ||
        (r = zkr_dataset_open(ds_path, &ds, &cli->diag)) != ZKR_OK)
        goto out;
    n0 = zkr_ml_gprog_elems(zkr_ml_gmodel_prog(m), 0);
    last = zkr_ml_gmodel_prog(m)->n_nodes - 1;
    if ((r = zkr_ml_record_input(ds, rec, n0, &x, &label, &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_gtrace_init(&t, zkr_ml_gmodel_prog(m))) != ZKR_OK ||
        (r = zkr_ml_ginfer(m, x, n0, &t, &cli->diag)) != ZKR_OK)
        goto out;
    if (out_file != NULL &&
        ((r = zkr_infer_output_encode(t.y[last], zkr_ml_gprog_elems(zkr_ml_gmodel_prog(m), last),
                                      &ob)) != ZKR_OK ||
         (r = zkr_file_write_atomic(out_file, ob.p, ob.len, 0644, &cli->diag)) != ZKR_OK))
        goto out;
    print_ginfer(cli, m, &t, rec, label);
out:
    zkr_buf_free(&ob);
    zkr_ml_gtrace_free(&t);
    zkr_dataset_free(ds);
    zkr_ml_gmodel_free(m);
    return r;
}

/* `zkreg infer --first F --count C`: every record's logits, the batch output. */
static zkr_err infer_batch_run(zkr_cli *cli, const char *model_path, const char *ds_path,
                               const char *first_s, const char *count_s, const char *out_file)
{
    zkr_ml_model *m = NULL;
    zkr_dataset *ds = NULL;
    zkr_buf ob = {0};
    uint64_t first = 0, count = 0, f2, c2;
    uint32_t od;
    const int8_t *y;
    uint8_t sha[32];
    char hex[65];
    zkr_err r;

    if (first_s == NULL || count_s == NULL)
        return zkr_cli_usage(cli, "infer: the batch form needs both --first and --count");
    if ((r = zkr_cli_parse_u64(cli, "--first", first_s, &first)) != ZKR_OK ||
        (r = zkr_cli_parse_u64(cli, "--count", count_s, &count)) != ZKR_OK)
        return r;
    if (model_is_graph(model_path))
        return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED,
                        "infer: %s is a graph model; the batch form takes dense (version 1) "
                        "models, as inference-batch@1 proves", model_path);
    if ((r = zkr_ml_model_read_file(model_path, &m, &cli->diag)) != ZKR_OK ||
        (r = zkr_dataset_open(ds_path, &ds, &cli->diag)) != ZKR_OK ||
        (r = zkr_app_batch_output(cli, m, ds, first, count, &ob)) != ZKR_OK ||
        (r = zkr_ibatch_output_decode(ob.p, ob.len, &f2, &c2, &od, &y)) != ZKR_OK)
        goto out;
    if (out_file != NULL &&
        (r = zkr_file_write_atomic(out_file, ob.p, ob.len, 0644, &cli->diag)) != ZKR_OK)
        goto out;
    zkr_sha256(ob.p, ob.len, sha);
    zkr_app_hex32(sha, hex);
    if (cli->json) {
        printf("{\"ok\":true,\"first\":%llu,\"count\":%llu,\"out_dim\":%u,\"bytes\":%zu,"
               "\"output_sha256\":\"%s\"}\n",
               (unsigned long long)first, (unsigned long long)count, od, ob.len, hex);
    } else {
        printf("records %llu..%llu: %llu x %u logits\n", (unsigned long long)first,
               (unsigned long long)(first + count - 1), (unsigned long long)count, od);
        printf("output  %zu bytes, sha256 %s\n", ob.len, hex);
    }
out:
    zkr_buf_free(&ob);
    zkr_dataset_free(ds);
    zkr_ml_model_free(m);
    return r;
}

zkr_err zkr_cmd_infer(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        ZKR_CLI_COMMON_LONGOPTS,
        {"model-file", required_argument, NULL, OPT_MODEL_FILE},
        {"dataset-file", required_argument, NULL, OPT_DATASET_FILE},
        {"record", required_argument, NULL, OPT_RECORD},
        {"model", required_argument, NULL, OPT_MODEL_ID},
        {"dataset", required_argument, NULL, OPT_DATASET_ID},
        {"output-file", required_argument, NULL, OPT_OUTPUT_FILE},
        {"first", required_argument, NULL, OPT_FIRST},
        {"count", required_argument, NULL, OPT_COUNT},
        {NULL, 0, NULL, 0}};
    const char *model_path = NULL, *ds_path = NULL, *rec_s = NULL, *out_file = NULL;
    const char *first_s = NULL, *count_s = NULL;
    const char *model_ref = NULL, *ds_ref = NULL;
    registered_paths reg_paths;
    zkr_ml_model *m = NULL;
    zkr_dataset *ds = NULL;
    zkr_ml_trace t = {0};
    const uint8_t *x;
    uint64_t rec = 0;
    uint8_t label;
    int c, done, ids = 0;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, infer_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        switch (c) {
        case OPT_MODEL_FILE: model_path = optarg; break;
        case OPT_DATASET_FILE: ds_path = optarg; break;
        case OPT_RECORD: rec_s = optarg; break;
        case OPT_MODEL_ID: model_ref = optarg; ids = 1; break;
        case OPT_DATASET_ID: ds_ref = optarg; ids = 1; break;
        case OPT_OUTPUT_FILE: out_file = optarg; break;
        case OPT_FIRST: first_s = optarg; break;
        case OPT_COUNT: count_s = optarg; break;
        default: return zkr_cli_usage(cli, "infer: unknown option (see zkreg infer --help)");
        }
    }
    if ((model_ref && model_path) || (ds_ref && ds_path))
        return zkr_cli_usage(cli, "infer: give --model or --model-file, --dataset or --dataset-file, not both");
    if (ids) {
        if ((r = resolve_registered(cli, model_ref, ds_ref, &reg_paths)) != ZKR_OK)
            return r;
        if (model_ref)
            model_path = reg_paths.model;
        if (ds_ref)
            ds_path = reg_paths.dataset;
    }
    {
        /* The output is renamed into place: never over the model or dataset infer reads. */
        const char *const in[] = {model_path, ds_path};
        if ((r = zkr_app_out_guard(cli, out_file, "an inference output", in, 2)) != ZKR_OK)
            return r;
    }
    if ((first_s || count_s) && rec_s)
        return zkr_cli_usage(cli, "infer: give --record, or --first and --count, not both");
    if (optind == argc && model_path != NULL && ds_path != NULL && (first_s || count_s))
        return infer_batch_run(cli, model_path, ds_path, first_s, count_s, out_file);
    if (optind != argc || model_path == NULL || ds_path == NULL || rec_s == NULL)
        return zkr_cli_usage(cli, "infer: needs --model-file, --dataset-file and --record");
    if ((r = zkr_cli_parse_u64(cli, "--record", rec_s, &rec)) != ZKR_OK)
        return r;
    if (model_is_graph(model_path))
        return ginfer_run(cli, model_path, ds_path, rec, out_file);
    if ((r = zkr_ml_model_read_file(model_path, &m, &cli->diag)) != ZKR_OK ||
        (r = zkr_dataset_open(ds_path, &ds, &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_record_input(ds, rec, zkr_ml_model_graph(m)->input_dim, &x, &label,
                                 &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_trace_init(&t, zkr_ml_model_graph(m))) != ZKR_OK ||
        (r = zkr_ml_infer(m, x, zkr_ml_model_graph(m)->input_dim, &t, &cli->diag)) != ZKR_OK)
        goto out;
    if (out_file != NULL && (r = infer_write_output(cli, &t, out_file)) != ZKR_OK)
        goto out;
    print_infer(cli, m, &t, rec, label);
out:
    zkr_ml_trace_free(&t);
    zkr_dataset_free(ds);
    zkr_ml_model_free(m);
    return r;
}

typedef struct {
    const char *onnx, *model, *dataset, *calib, *write;
    uint64_t calib_first, calib_count, first, count;
    const char *output_file; /* the evaluation@1 public output, when set */
    uint64_t tau;
    int has_tau;
} eval_args;

/* The evaluation@1 public output of res (zk/eval.c), written only on success. */
static zkr_err eval_write_output(zkr_cli *cli, const eval_args *a, const zkr_ml_eval_result *res)
{
    zkr_buf ob = {0};
    zkr_err r;

    if (a->has_tau && res->quant_correct < a->tau)
        return zkr_fail(&cli->diag, ZKR_ERR_MISMATCH_OUTPUT,
                        "eval: %llu of %llu correct, below the threshold %llu",
                        (unsigned long long)res->quant_correct, (unsigned long long)res->n,
                        (unsigned long long)a->tau);
    r = zkr_eval_output_encode(a->has_tau ? ZKR_EVAL_MODE_THRESHOLD : ZKR_EVAL_MODE_EXACT, res->n,
                               a->has_tau ? a->tau : res->quant_correct, &ob);
    if (r == ZKR_OK)
        r = zkr_file_write_atomic(a->output_file, ob.p, ob.len, 0644, &cli->diag);
    else
        r = zkr_fail(&cli->diag, ZKR_ERR_USAGE, "eval: --threshold above the record count");
    zkr_buf_free(&ob);
    return r;
}

static void print_eval(const zkr_cli *cli, const zkr_ml_eval_result *res, int have_float)
{
    double n = res->n ? (double)res->n : 1.0;

    if (cli->json) {
        printf("{\"ok\":true,\"records\":%llu,\"quantized_correct\":%llu,\"quantized_accuracy\":%.4f",
               (unsigned long long)res->n, (unsigned long long)res->quant_correct,
               100.0 * (double)res->quant_correct / n);
        if (have_float)
            printf(",\"float_correct\":%llu,\"float_accuracy\":%.4f,\"agreement\":%.4f",
                   (unsigned long long)res->float_correct, 100.0 * (double)res->float_correct / n,
                   100.0 * (double)res->agree / n);
        printf("}\n");
        return;
    }
    printf("records            %llu\n", (unsigned long long)res->n);
    if (have_float)
        printf("float accuracy     %.2f %% (%llu)\n", 100.0 * (double)res->float_correct / n,
               (unsigned long long)res->float_correct);
    printf("quantized accuracy %.2f %% (%llu)\n", 100.0 * (double)res->quant_correct / n,
           (unsigned long long)res->quant_correct);
    if (have_float)
        printf("agreement          %.2f %% (%llu)\n", 100.0 * (double)res->agree / n,
               (unsigned long long)res->agree);
}

/* Loads or makes the quantized model (quantizing f with calibration records into *q). */
static zkr_err eval_model(zkr_cli *cli, const eval_args *a, const zkr_ml_fmodel *f, zkr_buf *q,
                          zkr_ml_model **m)
{
    zkr_dataset *cal = NULL;
    zkr_err r;

    if (a->model != NULL)
        return zkr_ml_model_read_file(a->model, m, &cli->diag);
    if ((r = zkr_dataset_open(a->calib, &cal, &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_quantize(f, cal, a->calib_first, a->calib_count, q, &cli->diag)) != ZKR_OK)
        goto out;
    r = zkr_ml_model_decode(q->p, q->len, m, &cli->diag);
out:
    zkr_dataset_free(cal);
    return r;
}

/* `zkreg eval` for graph models: the ONNX import gave gf, or --model-file is a graph model. */
static zkr_err geval_run(zkr_cli *cli, const eval_args *a, const zkr_ml_gfmodel *gf)
{
    zkr_ml_gmodel *m = NULL;
    zkr_dataset *ds = NULL, *cal = NULL;
    zkr_ml_eval_result res;
    zkr_buf q = {0};
    zkr_err r;

    if (a->output_file != NULL)
        return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED,
                        "eval: --output-file: evaluation proofs cover dense (version 1) programs only");
    if (a->model != NULL)
        r = zkr_ml_gmodel_read_file(a->model, &m, &cli->diag);
    else if ((r = zkr_dataset_open(a->calib, &cal, &cli->diag)) == ZKR_OK &&
             (r = zkr_ml_gquantize(gf, cal, a->calib_first, a->calib_count, &q, &cli->diag)) == ZKR_OK)
        r = zkr_ml_gmodel_decode(q.p, q.len, &m, &cli->diag);
    if (r != ZKR_OK ||
        (r = zkr_dataset_open(a->dataset, &ds, &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_geval(gf, m, ds, a->first, a->count, &res, &cli->diag)) != ZKR_OK)
        goto out;
    if (a->write != NULL &&
        (r = zkr_file_write_atomic(a->write, q.p, q.len, 0644, &cli->diag)) != ZKR_OK)
        goto out;
    print_eval(cli, &res, gf != NULL);
out:
    zkr_buf_free(&q);
    zkr_dataset_free(cal);
    zkr_dataset_free(ds);
    zkr_ml_gmodel_free(m);
    return r;
}

/* Imports --onnx as either kind; a graph model is evaluated by geval_run. */
static zkr_err eval_import(zkr_cli *cli, const eval_args *a, zkr_ml_fmodel **f, int *graph_done)
{
    zkr_ml_gfmodel *gf = NULL;
    zkr_buf b = {0};
    zkr_err r;

    *graph_done = 0;
    if (a->onnx == NULL) {
        if (a->model != NULL && model_is_graph(a->model)) {
            *graph_done = 1;
            return geval_run(cli, a, NULL);
        }
        return ZKR_OK;
    }
    if ((r = zkr_file_read(a->onnx, ZKR_ML_ONNX_MAX_BYTES, &b, &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_onnx_import_any(b.p, b.len, a->onnx, f, &gf, &cli->diag)) != ZKR_OK)
        goto out;
    if (gf != NULL) {
        *graph_done = 1;
        r = geval_run(cli, a, gf);
    }
out:
    zkr_ml_gfmodel_free(gf);
    zkr_buf_free(&b);
    return r;
}

static zkr_err eval_run(zkr_cli *cli, const eval_args *a)
{
    zkr_ml_fmodel *f = NULL;
    zkr_ml_model *m = NULL;
    zkr_dataset *ds = NULL;
    zkr_ml_eval_result res;
    zkr_buf q = {0};
    zkr_err r;

    int graph_done;

    if ((r = eval_import(cli, a, &f, &graph_done)) != ZKR_OK || graph_done)
        goto out;
    if ((r = eval_model(cli, a, f, &q, &m)) != ZKR_OK ||
        (r = zkr_dataset_open(a->dataset, &ds, &cli->diag)) != ZKR_OK ||
        (r = zkr_ml_eval(f, m, ds, a->first, a->count, &res, &cli->diag)) != ZKR_OK)
        goto out;
    if (res.n == 0) {
        /* --first at the end with no --count: no record, and no statement could be proven. */
        r = zkr_fail(&cli->diag, ZKR_ERR_NOT_FOUND,
                     "eval: records %llu..: an empty range (the dataset has %llu records)",
                     (unsigned long long)a->first, (unsigned long long)zkr_dataset_count(ds));
        goto out;
    }
    /* Written only once everything succeeded: a failed run leaves no file behind. */
    if (a->write != NULL &&
        (r = zkr_file_write_atomic(a->write, q.p, q.len, 0644, &cli->diag)) != ZKR_OK)
        goto out;
    if (a->output_file != NULL && (r = eval_write_output(cli, a, &res)) != ZKR_OK)
        goto out;
    print_eval(cli, &res, f != NULL);
out:
    zkr_buf_free(&q);
    zkr_dataset_free(ds);
    zkr_ml_model_free(m);
    zkr_ml_fmodel_free(f);
    return r;
}

zkr_err zkr_cmd_eval(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        ZKR_CLI_COMMON_LONGOPTS,
        {"onnx", required_argument, NULL, OPT_ONNX},
        {"model-file", required_argument, NULL, OPT_MODEL_FILE},
        {"dataset-file", required_argument, NULL, OPT_DATASET_FILE},
        {"calibrate-file", required_argument, NULL, OPT_CALIB_FILE},
        {"calibrate-first", required_argument, NULL, OPT_CALIB_FIRST},
        {"calibrate-count", required_argument, NULL, OPT_CALIB_COUNT},
        {"write-model", required_argument, NULL, OPT_WRITE_MODEL},
        {"first", required_argument, NULL, OPT_FIRST},
        {"count", required_argument, NULL, OPT_COUNT},
        {"model", required_argument, NULL, OPT_MODEL_ID},
        {"dataset", required_argument, NULL, OPT_DATASET_ID},
        {"output-file", required_argument, NULL, OPT_OUTPUT_FILE},
        {"threshold", required_argument, NULL, OPT_THRESHOLD},
        {NULL, 0, NULL, 0}};
    eval_args a = {NULL, NULL, NULL, NULL, NULL, 0, CALIB_DEFAULT, 0, 0, NULL, 0, 0};
    const char *model_ref = NULL, *ds_ref = NULL;
    registered_paths reg_paths;
    int c, done, ids = 0;
    zkr_err r = ZKR_OK;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, eval_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        switch (c) {
        case OPT_ONNX: a.onnx = optarg; break;
        case OPT_MODEL_FILE: a.model = optarg; break;
        case OPT_DATASET_FILE: a.dataset = optarg; break;
        case OPT_CALIB_FILE: a.calib = optarg; break;
        case OPT_WRITE_MODEL: a.write = optarg; break;
        case OPT_CALIB_FIRST: r = zkr_cli_parse_u64(cli, "--calibrate-first", optarg, &a.calib_first); break;
        case OPT_CALIB_COUNT: r = zkr_cli_parse_u64(cli, "--calibrate-count", optarg, &a.calib_count); break;
        case OPT_FIRST: r = zkr_cli_parse_u64(cli, "--first", optarg, &a.first); break;
        case OPT_COUNT: r = zkr_cli_parse_u64(cli, "--count", optarg, &a.count); break;
        case OPT_MODEL_ID: model_ref = optarg; ids = 1; break;
        case OPT_DATASET_ID: ds_ref = optarg; ids = 1; break;
        case OPT_OUTPUT_FILE: a.output_file = optarg; break;
        case OPT_THRESHOLD: r = zkr_cli_parse_u64(cli, "--threshold", optarg, &a.tau); a.has_tau = 1; break;
        default: return zkr_cli_usage(cli, "eval: unknown option (see zkreg eval --help)");
        }
        if (r != ZKR_OK)
            return r;
    }
    if ((model_ref && a.model) || (ds_ref && a.dataset))
        return zkr_cli_usage(cli, "eval: give --model or --model-file, --dataset or --dataset-file, not both");
    if (ids) {
        if ((r = resolve_registered(cli, model_ref, ds_ref, &reg_paths)) != ZKR_OK)
            return r;
        if (model_ref)
            a.model = reg_paths.model;
        if (ds_ref)
            a.dataset = reg_paths.dataset;
    }
    if (optind != argc || a.dataset == NULL)
        return zkr_cli_usage(cli, "eval: needs --dataset-file");
    if (a.model == NULL && (a.onnx == NULL || a.calib == NULL))
        return zkr_cli_usage(cli, "eval: needs --model-file, or --onnx with --calibrate-file");
    if (a.has_tau && a.output_file == NULL)
        return zkr_cli_usage(cli, "eval: --threshold needs --output-file");
    if (a.has_tau && a.tau == 0)
        return zkr_cli_usage(cli, "eval: --" ZKR_APP_EVAL_VACUOUS);
    if (a.model != NULL && (a.calib != NULL || a.write != NULL))
        return zkr_cli_usage(cli, "eval: --calibrate-file and --write-model need --onnx without --model-file");
    {
        /* Both outputs are renamed into place: never over a file eval reads. */
        const char *const in[] = {a.onnx, a.model, a.dataset, a.calib};
        if ((r = zkr_app_out_guard(cli, a.write, "a model", in, 4)) != ZKR_OK ||
            (r = zkr_app_out_guard(cli, a.output_file, "an evaluation output", in, 4)) != ZKR_OK)
            return r;
    }
    return eval_run(cli, &a);
}
