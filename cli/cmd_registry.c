/*
 * Registry commands: init, register-*, show, list, revoke (docs/cli.md).
 * The log, dataset, export and import commands are in cmd_log.c.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry_cli.h"
#include "app/model.h"
#include "zk/zk.h"
#include "app/infer.h"
#include "app/eval.h"
#include "app/register.h"
#include "app/dataset.h"
#include "app/attest.h"

/* ------------------------------------------------------------------ */
/* Shared helpers                                                      */
/* ------------------------------------------------------------------ */

zkr_err zkr_cli_registry_open(zkr_cli *cli, zkr_registry **reg)
{
    return zkr_app_registry_open(cli, reg);
}

zkr_err zkr_cli_registry_open_ro(zkr_cli *cli, zkr_registry **reg)
{
    zkr_err r = zkr_registry_open_readonly(cli->registry_path, reg, &cli->diag);

    if (r == ZKR_OK && zkr_registry_is_immutable(*reg))
        fprintf(stderr,
                "zkreg: notice: %s is on a read-only or full medium; opened with immutable=1 "
                "(changes made meanwhile by other processes are not seen)\n",
                cli->registry_path);
    return r;
}

void zkr_cli_hex32(const uint8_t in[ZKR_DIGEST_BYTES], char out[65])
{
    zkr_app_hex32(in, out);
}

void zkr_cli_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "%lld", (long long)t);
}

static json_t *hex_json(const uint8_t in[ZKR_DIGEST_BYTES])
{
    char h[65];

    zkr_cli_hex32(in, h);
    return json_string(h);
}

static json_t *time_json(int64_t t)
{
    char s[32];

    zkr_cli_time(t, s);
    return json_string(s);
}

json_t *zkr_cli_artifact_json(const zkr_artifact *a)
{
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "kind", json_string(zkr_kind_name(a->kind)));
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "name", json_string(a->name));
    json_object_set_new(o, "version", json_integer((json_int_t)a->version));
    json_object_set_new(o, "sha256", hex_json(a->sha256));
    json_object_set_new(o, "size", json_integer((json_int_t)a->size));
    json_object_set_new(o, "created", time_json(a->created));
    json_object_set_new(o, "log_index", json_integer((json_int_t)a->log_index));
    if (a->kind == ZKR_KIND_MODEL) {
        json_object_set_new(o, "program_id", json_integer(a->program_id));
        json_object_set_new(o, "program_sha256", hex_json(a->program_sha256));
        json_object_set_new(o, "private", json_boolean(zkr_registry_model_private(a)));
    }
    if (a->kind == ZKR_KIND_MODEL || a->kind == ZKR_KIND_DATASET)
        json_object_set_new(o, "commitment", a->has_commitment ? hex_json(a->commitment) : json_null());
    if (a->kind == ZKR_KIND_DATASET) {
        json_object_set_new(o, "format", json_string(a->dataset_format));
        json_object_set_new(o, "commitment_version",
                            json_integer(zkr_registry_dataset_version(a)));
        json_object_set_new(o, "record_count", json_integer((json_int_t)a->record_count));
        json_object_set_new(o, "records_root", hex_json(a->records_root));
    }
    if (a->existed)
        json_object_set_new(o, "existed", json_true());
    return o;
}

json_t *zkr_cli_schema_json(const zkr_schema *s)
{
    json_t *o = json_object(), *f = json_array();

    if (o == NULL || f == NULL) {
        json_decref(o);
        json_decref(f);
        return NULL;
    }
    for (size_t i = 0; i < s->n_fields; i++)
        json_array_append_new(f, json_pack("{s:s, s:s}", "name", s->fields[i].name, "type",
                                           zkr_param_type_name(s->fields[i].type)));
    json_object_set_new(o, "kind", json_string("schema"));
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "version", json_integer((json_int_t)s->version));
    json_object_set_new(o, "digest", hex_json(s->digest));
    json_object_set_new(o, "proof_kind", json_string(s->proof_kind));
    json_object_set_new(o, "proof_system", json_string(s->proof_system));
    json_object_set_new(o, "parameter_set", json_string(s->param_set));
    json_object_set_new(o, "verifier_version", json_string(s->verifier_version));
    json_object_set_new(o, "public_output", json_boolean(s->public_output));
    json_object_set_new(o, "fields", f);
    json_object_set_new(o, "created", time_json(s->created));
    json_object_set_new(o, "log_index", json_integer((json_int_t)s->log_index));
    if (s->existed)
        json_object_set_new(o, "existed", json_true());
    return o;
}

json_t *zkr_cli_statement_json(const zkr_statement *s)
{
    json_t *o = json_object(), *p = json_object();
    char ref[ZKR_IDENT_MAX + 24];

    if (o == NULL || p == NULL) {
        json_decref(o);
        json_decref(p);
        return NULL;
    }
    for (size_t i = 0; i < s->n_params; i++)
        json_object_set_new(p, s->params[i].name,
                            json_pack("{s:s, s:s}", "type", zkr_param_type_name(s->params[i].type),
                                      "value", s->params[i].text ? s->params[i].text : ""));
    snprintf(ref, sizeof ref, "%s@%llu", s->schema.name, (unsigned long long)s->schema.version);
    json_object_set_new(o, "kind", json_string("statement"));
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "statement_id", hex_json(s->statement_id));
    json_object_set_new(o, "schema", json_string(ref));
    json_object_set_new(o, "schema_digest", hex_json(s->schema.digest));
    json_object_set_new(o, "proof_kind", json_string(s->schema.proof_kind));
    json_object_set_new(o, "proof_system", json_string(s->schema.proof_system));
    json_object_set_new(o, "parameter_set", json_string(s->schema.param_set));
    json_object_set_new(o, "verifier_version", json_string(s->schema.verifier_version));
    json_object_set_new(o, "program", zkr_cli_artifact_json(&s->program));
    json_object_set_new(o, "model", zkr_cli_artifact_json(&s->model));
    json_object_set_new(o, "dataset", zkr_cli_artifact_json(&s->dataset));
    json_object_set_new(o, "params", p);
    json_object_set_new(o, "public_output_sha256",
                        s->has_public_output ? hex_json(s->public_output_sha256) : json_null());
    json_object_set_new(o, "created", time_json(s->created));
    json_object_set_new(o, "log_index", json_integer((json_int_t)s->log_index));
    if (s->existed)
        json_object_set_new(o, "existed", json_true());
    return o;
}

zkr_err zkr_cli_print_json(json_t *obj)
{
    char *txt;

    if (obj == NULL)
        return ZKR_ERR_NOMEM;
    if (json_is_object(obj))
        json_object_set_new(obj, "ok", json_true());
    txt = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(obj);
    if (txt == NULL)
        return ZKR_ERR_NOMEM;
    puts(txt);
    free(txt);
    return ZKR_OK;
}

zkr_err zkr_cli_passphrase(zkr_cli *cli, const char *path, zkr_secret *out)
{
    return zkr_passphrase_read(path, out, &cli->diag);
}

zkr_err zkr_cli_write_out(zkr_cli *cli, const char *path, const uint8_t *p, size_t len)
{
    return zkr_app_write_out(cli, path, p, len);
}

/* ------------------------------------------------------------------ */
/* Text output                                                         */
/* ------------------------------------------------------------------ */

static void print_artifact(const zkr_artifact *a, int verbose)
{
    char h[65], t[32];

    zkr_cli_hex32(a->sha256, h);
    zkr_cli_time(a->created, t);
    if (!verbose) {
        printf("%-8s %4lld  %s v%llu  sha256:%s\n", zkr_kind_name(a->kind), (long long)a->id,
               a->name, (unsigned long long)a->version, h);
        return;
    }
    printf("kind:          %s\nid:            %lld\nname:          %s\nversion:       %llu\n"
           "sha256:        %s\nsize:          %llu\ncreated:       %s\nlog index:     %llu\n",
           zkr_kind_name(a->kind), (long long)a->id, a->name, (unsigned long long)a->version, h,
           (unsigned long long)a->size, t, (unsigned long long)a->log_index);
    if (a->kind == ZKR_KIND_MODEL) {
        zkr_cli_hex32(a->program_sha256, h);
        printf("program:       %lld (sha256:%s)\n", (long long)a->program_id, h);
    }
    if (a->kind == ZKR_KIND_DATASET) {
        zkr_cli_hex32(a->records_root, h);
        printf("format:        %s\nrecords:       %llu\nrecords root:  %s\n", a->dataset_format,
               (unsigned long long)a->record_count, h);
        printf("commitment v.: %d%s\n", zkr_registry_dataset_version(a),
               zkr_registry_dataset_version(a) == 2 ? " (hiding: no record held here)" : "");
    }
    if (a->kind != ZKR_KIND_PROGRAM) {
        if (a->has_commitment)
            zkr_cli_hex32(a->commitment, h);
        printf("commitment:    %s\n", a->has_commitment ? h : "(none yet)");
    }
}

static void print_schema(const zkr_schema *s, int verbose)
{
    char h[65], t[32];

    zkr_cli_hex32(s->digest, h);
    if (!verbose) {
        printf("schema   %4lld  %s@%llu  %s  digest:%s\n", (long long)s->id, s->name,
               (unsigned long long)s->version, s->proof_kind, h);
        return;
    }
    zkr_cli_time(s->created, t);
    printf("kind:             schema\nid:               %lld\nname:             %s@%llu\n"
           "digest:           %s\nproof kind:       %s\nproof system:     %s\n"
           "parameter set:    %s\nverifier version: %s\npublic output:    %s\n"
           "created:          %s\nlog index:        %llu\nfields:\n",
           (long long)s->id, s->name, (unsigned long long)s->version, h, s->proof_kind,
           s->proof_system, s->param_set, s->verifier_version, s->public_output ? "yes" : "no", t,
           (unsigned long long)s->log_index);
    for (size_t i = 0; i < s->n_fields; i++)
        printf("  %s: %s\n", s->fields[i].name, zkr_param_type_name(s->fields[i].type));
}

static void print_statement(const zkr_statement *s)
{
    char h[65], t[32];

    zkr_cli_hex32(s->statement_id, h);
    zkr_cli_time(s->created, t);
    printf("statement_id:     %s\nid:               %lld\n", h, (long long)s->id);
    zkr_cli_hex32(s->schema.digest, h);
    printf("schema:           %s@%llu (digest %s)\nproof kind:       %s\n"
           "proof system:     %s / %s\nverifier version: %s\n",
           s->schema.name, (unsigned long long)s->schema.version, h, s->schema.proof_kind,
           s->schema.proof_system, s->schema.param_set, s->schema.verifier_version);
    zkr_cli_hex32(s->program.sha256, h);
    printf("program:          %lld %s v%llu sha256:%s\n", (long long)s->program.id,
           s->program.name, (unsigned long long)s->program.version, h);
    zkr_cli_hex32(s->model.sha256, h);
    printf("model:            %lld %s v%llu sha256:%s\n", (long long)s->model.id, s->model.name,
           (unsigned long long)s->model.version, h);
    zkr_cli_hex32(s->dataset.sha256, h);
    printf("dataset:          %lld %s v%llu sha256:%s (%llu records)\n", (long long)s->dataset.id,
           s->dataset.name, (unsigned long long)s->dataset.version, h,
           (unsigned long long)s->dataset.record_count);
    for (size_t i = 0; i < s->n_params; i++)
        printf("param:            %s (%s) = %s\n", s->params[i].name,
               zkr_param_type_name(s->params[i].type), s->params[i].text);
    if (s->has_public_output)
        zkr_cli_hex32(s->public_output_sha256, h);
    printf("public output:    %s\ncreated:          %s\nlog index:        %llu\n",
           s->has_public_output ? h : "(none)", t, (unsigned long long)s->log_index);
}

/* ------------------------------------------------------------------ */
/* init                                                                */
/* ------------------------------------------------------------------ */

static const char init_help[] =
    "usage: zkreg init [--passphrase-file FILE] [--origin NAME] [--kdf moderate|interactive]\n"
    "\n"
    "Creates a registry (WAL, append-only tables, empty transparency log) and the\n"
    "appliance's Ed25519 checkpoint key, sealed at rest with Argon2id and\n"
    "XChaCha20-Poly1305 under a passphrase read from --passphrase-file, else\n"
    "$ZKREG_PASSPHRASE_FILE, else the terminal (never from argv).\n"
    "\n"
    "  --passphrase-file FILE  first line of FILE (mode 0600) is the passphrase\n"
    "  --origin NAME           log origin / key name in checkpoints\n"
    "                          (default zkreg/<16 hex digits of the key's hash>)\n"
    "  --kdf moderate|interactive  Argon2id cost (default moderate; interactive\n"
    "                          is for tests and benchmarks)\n"
    "Prints the registry path and the checkpoint verifier key.\n" ZKR_CLI_EXIT_HELP;

zkr_err zkr_cmd_init(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"origin", required_argument, NULL, 'o'},
                                         {"kdf", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    const char *pf = NULL, *origin = NULL;
    zkr_secret pass = {0};
    zkr_registry *reg = NULL;
    zkr_buf vk = {0};
    int c, done, fast = 0;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, init_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (c == 'p')
            pf = optarg;
        else if (c == 'o')
            origin = optarg;
        else if (c == 'k' && (strcmp(optarg, "moderate") == 0 || strcmp(optarg, "interactive") == 0))
            fast = strcmp(optarg, "interactive") == 0;
        else
            return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind != argc)
        return zkr_cli_usage(cli, "init takes no arguments");
    if ((r = zkr_cli_passphrase(cli, pf, &pass)) != ZKR_OK)
        goto out;
    if ((r = zkr_registry_create(cli->registry_path, &pass, origin, fast, &cli->diag)) != ZKR_OK ||
        (r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK ||
        (r = zkr_registry_verifier_key(reg, &vk)) != ZKR_OK)
        goto out;
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:s, s:s}", "registry", cli->registry_path,
                                         "verifier_key", (const char *)vk.p));
    else
        printf("registry:     %s\nverifier key: %s\n", cli->registry_path, (const char *)vk.p);
out:
    zkr_secret_free(&pass);
    zkr_buf_free(&vk);
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* register-program, register-model, register-dataset                  */
/* ------------------------------------------------------------------ */

#define ARTIFACT_MAX_BYTES ((size_t)1 << 32)

static const char program_help[] =
    "usage: zkreg register-program FILE [--name NAME]\n"
    "\n"
    "Records a program and appends a log entry. An ONNX model (or a canonical\n"
    "program file) is stored as its program: the graph of layer types and\n"
    "shapes, whose SHA-256 is the program digest; any other file by its SHA-256. NAME defaults to the file's base name; each new\n"
    "content under a name gets the next version. Registering the same bytes\n"
    "again prints the existing program and changes nothing.\n" ZKR_CLI_EXIT_HELP;

static const char model_help[] =
    "usage: zkreg register-model FILE --program ID [--calibrate DATASET] [--name NAME]\n"
    "       zkreg register-model --commitment COMMITMENT --program ID [--name NAME]\n"
    "                            [--range-proof FILE | --no-range-proof]\n"
    "\n"
    "Records a model as belonging to program ID (row id or sha256). An ONNX\n"
    "FILE is quantized (int8, calibrated on the first 1000 records of the IDX\n"
    "file DATASET) into the canonical quantized-model file; that file (or a\n"
    "quantized model given directly) is checked against the program (exit 1\n"
    "if it belongs to another), committed once for inference@1 proofs (the\n"
    "commitment column) and kept beside the registry for `zkreg prove`.\n"
    "Other files are recorded by SHA-256 only. Re-registration of the same bytes for the same program prints\n"
    "the existing model.\n"
    "       zkreg register-model --commitment COMMITMENT --program ID [--name NAME]\n"
    "records a PRIVATE model from the hiding commitment `zkreg model commit` wrote\n"
    "on the owner's machine (inference@2): the registry never sees a weight. The\n"
    "file is checked completely and against the program's layers first (exit 3\n"
    "malformed, exit 1 another program, exit 6 a revoked program; nothing written).\n"
    "Its model range proof (--range-proof FILE, default COMMITMENT.range) is\n"
    "verified in the confined verifier worker and kept beside the registry; a\n"
    "missing one is exit 4, one that does not verify exit 1 (another\n"
    "commitment's: exit 1; malformed: exit 3), nothing written. attest signs\n"
    "inference@2 proofs only for a model whose stored range proof verifies.\n"
    "--no-range-proof registers an older commitment without one: its proofs\n"
    "verify but are never signed.\n"
    ZKR_CLI_EXIT_HELP;

static const char dataset_help[] =
    "usage: zkreg register-dataset PATH [--name NAME]\n"
    "       zkreg register-dataset --commitment COMMITMENT [--name NAME]\n"
    "\n"
    "Records a dataset: an IDX images file (gzip or raw; its labels-idx1 file is\n"
    "found beside it; one record = image bytes + label byte) or a text file with\n"
    "one record per line. Stores the record count, the SHA-256 of the canonical\n"
    "records and an RFC 6962 root over the record leaf hashes (version 1: the\n"
    "records are public to whoever runs the registry).\n"
    "With --commitment, records a version 2 (hiding) dataset from the file that\n"
    "`zkreg dataset commit` wrote on the data owner's machine: its record count,\n"
    "root and digest only; the registry never sees a record. NAME defaults to\n"
    "the commitment file's base name. A damaged, truncated or altered file, or\n"
    "another version, is refused (exit 3) and nothing is written.\n" ZKR_CLI_EXIT_HELP;

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static zkr_err print_artifact_result(zkr_cli *cli, const zkr_artifact *a)
{
    if (cli->json)
        return zkr_cli_print_json(zkr_cli_artifact_json(a));
    print_artifact(a, 0);
    if (a->existed)
        fprintf(stderr, "zkreg %s: already registered; nothing changed\n", cli->command);
    return ZKR_OK;
}

/*
 * Parses FILE [--name N] [--program ID] for the three artifact commands;
 * with `commitment` non-NULL (register-dataset) also --commitment F, which
 * takes the place of FILE.
 */
/* A private model's range proof options (register-model --commitment only). */
typedef struct {
    const char *path;
    int none;
} range_opt;

static zkr_err artifact_args_c(zkr_cli *cli, int argc, char **argv, const char *help,
                               int want_prog, const char **file, const char **name,
                               const char **prog, const char **calib, const char **commitment,
                               range_opt *range, int *done)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"name", required_argument, NULL, 'n'},
                                         {"program", required_argument, NULL, 'P'},
                                         {"calibrate", required_argument, NULL, 'C'},
                                         {"commitment", required_argument, NULL, 'M'},
                                         {"range-proof", required_argument, NULL, 'R'},
                                         {"no-range-proof", no_argument, NULL, 'N'},
                                         {NULL, 0, NULL, 0}};
    int c;

    *file = *name = *prog = NULL;
    if (calib)
        *calib = NULL;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, help, done)) {
            if (*done)
                return ZKR_OK;
            continue;
        }
        if (c == 'n')
            *name = optarg;
        else if (c == 'P' && want_prog)
            *prog = optarg;
        else if (c == 'C' && want_prog && calib)
            *calib = optarg;
        else if (c == 'M' && commitment)
            *commitment = optarg;
        else if (c == 'R' && range)
            range->path = optarg;
        else if (c == 'N' && range)
            range->none = 1;
        else
            return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (range != NULL && (range->path != NULL || range->none) &&
        (commitment == NULL || *commitment == NULL))
        return zkr_cli_usage(cli, "--range-proof and --no-range-proof go with --commitment");
    if (range != NULL && range->path != NULL && range->none)
        return zkr_cli_usage(cli, "--range-proof and --no-range-proof exclude each other");
    if (commitment != NULL && *commitment != NULL) {
        if (optind != argc)
            return zkr_cli_usage(cli, "--commitment takes the place of PATH: give one of them");
        if (want_prog && *prog == NULL)
            return zkr_cli_usage(cli, "--program ID is required");
        if (calib != NULL && *calib != NULL)
            return zkr_cli_usage(cli, "--calibrate does not apply to --commitment (the weights "
                                      "stay with their owner)");
        if (*name == NULL)
            *name = base_name(*commitment);
        return ZKR_OK;
    }
    if (optind + 1 != argc)
        return zkr_cli_usage(cli, "expected exactly one FILE argument");
    *file = argv[optind];
    if (want_prog && *prog == NULL)
        return zkr_cli_usage(cli, "--program ID is required");
    if (*name == NULL)
        *name = base_name(*file);
    return ZKR_OK;
}

static zkr_err register_file(zkr_cli *cli, int argc, char **argv, zkr_kind kind)
{
    const char *file, *name, *prog, *calib, *commitment = NULL;
    zkr_registry *reg = NULL;
    zkr_artifact a;
    zkr_buf enc = {0};
    uint8_t digest[ZKR_DIGEST_BYTES];
    range_opt range = {NULL, 0};
    char rdef[4096];
    int done = 0;
    zkr_err r;

    r = artifact_args_c(cli, argc, argv, kind == ZKR_KIND_PROGRAM ? program_help : model_help,
                        kind == ZKR_KIND_MODEL, &file, &name, &prog, &calib,
                        kind == ZKR_KIND_MODEL ? &commitment : NULL,
                        kind == ZKR_KIND_MODEL ? &range : NULL, &done);
    if (r != ZKR_OK || done)
        return r;
    if (commitment != NULL && range.path == NULL && !range.none) {
        int n = snprintf(rdef, sizeof rdef, "%s.range", commitment);
        if (n < 0 || (size_t)n >= sizeof rdef)
            return zkr_cli_usage(cli, "--commitment path too long");
        range.path = rdef;
    }
    /* A private model's commitment is checked before the registry is opened. */
    if (commitment != NULL &&
        (r = zkr_app_model_commitment_read(cli, commitment, &enc, digest)) != ZKR_OK)
        goto out;
    if ((r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK)
        goto out;
    if (commitment != NULL)
        r = zkr_app_register_model_commitment(cli, reg, commitment, range.path, name, prog, &a);
    else if (kind == ZKR_KIND_PROGRAM)
        r = zkr_app_register_program(cli, reg, file, name, &a);
    else
        r = zkr_app_register_model(cli, reg, file, name, prog, calib, &a);
    if (r == ZKR_OK)
        r = print_artifact_result(cli, &a);
out:
    zkr_buf_free(&enc);
    zkr_registry_close(reg);
    return r;
}

zkr_err zkr_cmd_register_program(zkr_cli *cli, int argc, char **argv)
{
    return register_file(cli, argc, argv, ZKR_KIND_PROGRAM);
}

zkr_err zkr_cmd_register_model(zkr_cli *cli, int argc, char **argv)
{
    return register_file(cli, argc, argv, ZKR_KIND_MODEL);
}

/* register-dataset --commitment FILE [--name NAME]: a version 2 dataset, no data. */
static zkr_err register_dataset_commitment(zkr_cli *cli, const char *file, const char *name)
{
    zkr_registry *reg = NULL;
    zkr_dscommit c;
    zkr_artifact a;
    zkr_err r;

    /* The file is checked before the registry is opened: a bad one touches nothing. */
    if ((r = zkr_app_dataset_commitment_read(cli, file, &c)) != ZKR_OK ||
        (r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK ||
        (r = zkr_app_register_dataset_commitment(cli, reg, file, name, &a)) != ZKR_OK)
        goto out;
    r = print_artifact_result(cli, &a);
out:
    zkr_registry_close(reg);
    return r;
}

zkr_err zkr_cmd_register_dataset(zkr_cli *cli, int argc, char **argv)
{
    const char *file, *name, *prog, *commitment = NULL;
    zkr_registry *reg = NULL;
    zkr_progress pg;
    zkr_artifact a;
    int done = 0;
    zkr_err r;

    r = artifact_args_c(cli, argc, argv, dataset_help, 0, &file, &name, &prog, NULL, &commitment,
                        NULL,
                        &done);
    if (r != ZKR_OK || done)
        return r;
    if (commitment != NULL)
        return register_dataset_commitment(cli, commitment, name);
    zkr_cli_progress_init(cli, &pg);
    if ((r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK ||
        (r = zkr_app_register_dataset(cli, reg, file, name, &pg, &a)) != ZKR_OK)
        goto out;
    r = print_artifact_result(cli, &a);
out:
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* register-schema, register-statement                                 */
/* ------------------------------------------------------------------ */

static const char schema_help[] =
    "usage: zkreg register-schema FILE\n"
    "\n"
    "Records a statement schema from a JSON document (docs/formats.md):\n"
    "  {\"name\": \"fmnist-infer\", \"version\": 1, \"proof_kind\": \"inference@1\",\n"
    "   \"proof_system\": \"zkreg-sumcheck-basefold\", \"parameter_set\": \"goldilocks-128\",\n"
    "   \"verifier_version\": \"0.2.0\", \"public_output\": true,\n"
    "   \"fields\": [{\"name\": \"record_index\", \"type\": \"u64\"}]}\n"
    "Field types: u64, i64, string, digest, u64-list. The digest is over the\n"
    "canonical binary encoding, not the JSON text. The same NAME@VERSION with\n"
    "other content is refused (exit 5); the identical document again prints the\n"
    "existing schema and changes nothing.\n" ZKR_CLI_EXIT_HELP;

static const char statement_help[] =
    "usage: zkreg register-statement --schema NAME@VER --program ID --model ID\n"
    "                                --dataset ID [--param KEY=VALUE ...]\n"
    "                                [--public-output FILE |\n"
    "                                 --public-output-from-model [--threshold T] |\n"
    "                                 --output-commitment FILE]\n"
    "\n"
    "Validates every field against the schema (types, required, artifacts exist\n"
    "with the right kinds and are not revoked, the model belongs to the program),\n"
    "computes statement_id = SHA-256(\"zkreg/statement/v1\\0\" || canonical\n"
    "encoding), records it with a log entry and prints the statement_id.\n"
    "A model of another program is refused with exit 1 (binding mismatch).\n"
    "--public-output-from-model computes the public output natively from the\n"
    "registered model and dataset (inference@1: the logits of record_index;\n"
    "evaluation@1: the number correct over the record range, or with\n"
    "--threshold T the claim \"correct >= T\") and prints what it bound on\n"
    "stderr (--json: in the object).\n"
    "inference@2 (private model, version 3 dataset): a public output is given with\n"
    "--public-output FILE; a hidden one (schema public_output false) is bound by\n"
    "its 48-byte hiding commitment, --output-commitment FILE (exit 3 if malformed).\n"
    ZKR_CLI_EXIT_HELP;

zkr_err zkr_cmd_register_schema(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    zkr_registry *reg = NULL;
    zkr_schema out;
    int c, done;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, schema_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind + 1 != argc)
        return zkr_cli_usage(cli, "expected exactly one FILE argument");
    if ((r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK ||
        (r = zkr_app_register_schema(cli, reg, argv[optind], &out)) != ZKR_OK)
        goto out;
    if (cli->json) {
        r = zkr_cli_print_json(zkr_cli_schema_json(&out));
    } else {
        print_schema(&out, 0);
        if (out.existed)
            fprintf(stderr, "zkreg %s: already registered; nothing changed\n", cli->command);
    }
out:
    zkr_registry_close(reg);
    return r;
}

/* The statement id on stdout; with bound (--public-output-from-model), what it bound. */
static zkr_err print_statement_bound(zkr_cli *cli, const zkr_statement *st, const zkr_buf *bound,
                                     const char *line)
{
    char h[65], *hex = NULL;
    json_t *o;

    if (bound != NULL && (hex = malloc(2 * bound->len + 1)) == NULL)
        return ZKR_ERR_NOMEM;
    if (bound != NULL)
        sodium_bin2hex(hex, 2 * bound->len + 1, bound->p, bound->len);
    if (cli->json) {
        o = zkr_cli_statement_json(st);
        if (o != NULL && bound != NULL) {
            json_object_set_new(o, "public_output_hex", json_string(hex));
            json_object_set_new(o, "public_output_summary", json_string(line));
        }
        free(hex);
        return zkr_cli_print_json(o);
    }
    zkr_cli_hex32(st->statement_id, h);
    printf("%s\n", h);
    if (bound != NULL)
        fprintf(stderr, "bound public output %s\n  %s\n", hex, line);
    if (st->existed)
        fprintf(stderr, "zkreg %s: already registered; nothing changed\n", cli->command);
    free(hex);
    return ZKR_OK;
}

/* An inference@2 output commitment file: exactly the 48 bytes zkr_infer2_oc_decode accepts. */
static zkr_err read_output_commitment(zkr_cli *cli, const char *file, zkr_buf *out)
{
    zkr_infer2_output_commitment oc;
    zkr_params p;
    zkr_err r;

    r = zkr_file_read(file, ZKR_INFER2_OUTPUT_COMMIT_BYTES + 1, out, &cli->diag);
    if (r == ZKR_ERR_TOO_LARGE)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                        "--output-commitment %s: over the %u bytes of an output commitment", file,
                        ZKR_INFER2_OUTPUT_COMMIT_BYTES);
    if (r != ZKR_OK || (r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK)
        return r;
    if (zkr_infer2_oc_decode(&p, out->p, out->len, &oc) != ZKR_OK)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                        "--output-commitment %s: not an inference@2 output commitment (%zu bytes; "
                        "%u expected, version 1)", file, out->len, ZKR_INFER2_OUTPUT_COMMIT_BYTES);
    return ZKR_OK;
}

zkr_err zkr_cmd_register_statement(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"schema", required_argument, NULL, 's'},
                                         {"program", required_argument, NULL, 'P'},
                                         {"model", required_argument, NULL, 'm'},
                                         {"dataset", required_argument, NULL, 'd'},
                                         {"param", required_argument, NULL, 'k'},
                                         {"public-output", required_argument, NULL, 'o'},
                                         {"public-output-from-model", no_argument, NULL, 'F'},
                                         {"threshold", required_argument, NULL, 'T'},
                                         {"output-commitment", required_argument, NULL, 'C'},
                                         {NULL, 0, NULL, 0}};
    const char *schema = NULL, *prog = NULL, *model = NULL, *dataset = NULL, *po_file = NULL;
    const char *oc_file = NULL;
    zkr_buf oc = {0};
    zkr_app_output_opts oo = {0, 0};
    zkr_buf bound = {0};
    char line[256];
    int from_model = 0;
    zkr_kv kv[ZKR_SCHEMA_MAX_FIELDS + 1];
    char *keys[ZKR_SCHEMA_MAX_FIELDS + 1] = {0};
    size_t nkv = 0;
    zkr_registry *reg = NULL;
    zkr_statement st;
    int c, done;
    zkr_err r;

    memset(&st, 0, sizeof st);
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, statement_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        switch (c) {
        case 's': schema = optarg; break;
        case 'P': prog = optarg; break;
        case 'm': model = optarg; break;
        case 'd': dataset = optarg; break;
        case 'o': po_file = optarg; break;
        case 'C': oc_file = optarg; break;
        case 'F': from_model = 1; break;
        case 'T':
            if ((r = zkr_cli_parse_u64(cli, "--threshold", optarg, &oo.threshold)) != ZKR_OK)
                goto out;
            oo.has_threshold = 1;
            break;
        case 'k': {
            char *eq = strchr(optarg, '=');
            if (eq == NULL || eq == optarg) {
                r = zkr_cli_usage(cli, "--param '%s': expected KEY=VALUE", optarg);
                goto out;
            }
            if (nkv == ZKR_SCHEMA_MAX_FIELDS + 1) {
                r = zkr_fail(&cli->diag, ZKR_ERR_TOO_LARGE, "--param: more than %d given",
                             ZKR_SCHEMA_MAX_FIELDS);
                goto out;
            }
            keys[nkv] = strndup(optarg, (size_t)(eq - optarg));
            if (keys[nkv] == NULL) {
                r = ZKR_ERR_NOMEM;
                goto out;
            }
            kv[nkv].key = keys[nkv];
            kv[nkv].value = eq + 1;
            nkv++;
            break;
        }
        default:
            r = zkr_cli_usage(cli, "bad option (see --help)");
            goto out;
        }
    }
    if (optind != argc || !schema || !prog || !model || !dataset) {
        r = zkr_cli_usage(cli, "--schema, --program, --model and --dataset are required; no "
                               "other arguments");
        goto out;
    }
    if (from_model && po_file != NULL) {
        r = zkr_cli_usage(cli, "give --public-output FILE or --public-output-from-model, not both");
        goto out;
    }
    if (oo.has_threshold && !from_model) {
        r = zkr_cli_usage(cli, "--threshold needs --public-output-from-model");
        goto out;
    }
    if (oo.has_threshold && oo.threshold == 0) {
        r = zkr_cli_usage(cli, "--" ZKR_APP_EVAL_VACUOUS);
        goto out;
    }
    if (oc_file != NULL && (from_model || po_file != NULL)) {
        r = zkr_cli_usage(cli, "--output-commitment (a hidden inference@2 output) and a public "
                               "output exclude each other");
        goto out;
    }
    /* A hidden output's commitment is checked strictly before the registry is opened. */
    if (oc_file != NULL && (r = read_output_commitment(cli, oc_file, &oc)) != ZKR_OK)
        goto out;
    if ((r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK)
        goto out;
    if (oc_file != NULL)
        r = zkr_app_register_statement_bytes(cli, reg, schema, prog, model, dataset, kv, nkv,
                                             oc.p, oc.len, &st);
    else if (from_model) {
        if ((r = zkr_app_output_from_model(cli, reg, schema, prog, model, dataset, kv, nkv, &oo,
                                           &bound, line, sizeof line)) == ZKR_OK)
            r = zkr_app_register_statement_bytes(cli, reg, schema, prog, model, dataset, kv, nkv,
                                                 bound.p ? bound.p : (const uint8_t *)"",
                                                 bound.len, &st);
    } else
        r = zkr_app_register_statement(cli, reg, schema, prog, model, dataset, kv, nkv, po_file,
                                       &st);
    if (r != ZKR_OK)
        goto out;
    r = print_statement_bound(cli, &st, from_model ? &bound : NULL, line);
out:
    for (size_t i = 0; i < nkv; i++)
        free(keys[i]);
    zkr_statement_free(&st);
    zkr_registry_close(reg);
    zkr_buf_free(&bound);
    zkr_buf_free(&oc);
    return r;
}

/* ------------------------------------------------------------------ */
/* show, list                                                          */
/* ------------------------------------------------------------------ */

static const char show_help[] =
    "usage: zkreg show KIND REF\n"
    "       zkreg show log INDEX\n"
    "       zkreg show appliance\n"
    "\n"
    "KIND is program, model, dataset, schema or statement. REF is the row id\n"
    "shown by list, the full sha256 / digest / statement_id in hex, or for\n"
    "schemas NAME@VERSION. Revocations of the object are shown with it.\n" ZKR_CLI_EXIT_HELP;

static const char list_help[] =
    "usage: zkreg list KIND\n"
    "\n"
    "KIND is program, model, dataset, schema, statement, revocation, log or\n"
    "checkpoint. One line per object (--json: a JSON array in \"items\").\n" ZKR_CLI_EXIT_HELP;

static json_t *log_entry_json(const zkr_log_entry *e)
{
    char h[65];

    zkr_cli_hex32(e->leaf_hash, h);
    return json_pack("{s:I, s:s, s:o, s:s, s:I}", "index", (json_int_t)e->index, "type", e->type,
                     "time", time_json(e->time), "leaf_hash", h, "payload_bytes",
                     (json_int_t)e->payload_len);
}

static zkr_err show_revocation_note(zkr_cli *cli, zkr_registry *reg, zkr_kind kind,
                                    const uint8_t target[32], json_t *obj)
{
    zkr_revocation rv;
    zkr_err r = zkr_registry_check_revoked(reg, kind, target, &rv, NULL);
    char t[32];

    if (r == ZKR_OK)
        return ZKR_OK;
    if (r != ZKR_ERR_REVOKED)
        return r;
    zkr_cli_time(rv.created, t);
    if (obj != NULL)
        json_object_set_new(obj, "revoked",
                            json_pack("{s:s, s:s, s:I}", "reason", rv.reason, "time", t,
                                      "log_index", (json_int_t)rv.log_index));
    else if (!cli->json)
        printf("REVOKED:       %s (at %s, log entry %llu)\n", rv.reason, t,
               (unsigned long long)rv.log_index);
    return ZKR_OK;
}

static zkr_err show_object(zkr_cli *cli, zkr_registry *reg, zkr_kind kind, const char *ref)
{
    json_t *o = NULL;
    zkr_artifact a;
    zkr_schema s;
    zkr_statement st;
    uint8_t target[32];
    zkr_err r;

    memset(&st, 0, sizeof st);
    if (kind == ZKR_KIND_SCHEMA) {
        if ((r = zkr_registry_schema_get(reg, ref, &s, &cli->diag)) != ZKR_OK)
            return r;
        memcpy(target, s.digest, 32);
        if (cli->json)
            o = zkr_cli_schema_json(&s);
        else
            print_schema(&s, 1);
    } else if (kind == ZKR_KIND_STATEMENT) {
        if ((r = zkr_registry_statement_get(reg, ref, &st, &cli->diag)) != ZKR_OK)
            goto out;
        memcpy(target, st.statement_id, 32);
        if (cli->json)
            o = zkr_cli_statement_json(&st);
        else
            print_statement(&st);
    } else {
        if ((r = zkr_registry_artifact_get(reg, kind, ref, &a, &cli->diag)) != ZKR_OK)
            return r;
        memcpy(target, a.sha256, 32);
        if (cli->json)
            o = zkr_cli_artifact_json(&a);
        else
            print_artifact(&a, 1);
    }
    if (cli->json && o == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = show_revocation_note(cli, reg, kind, target, o)) != ZKR_OK)
        goto out;
    if (o != NULL) {
        r = zkr_cli_print_json(o);
        o = NULL;
    }
out:
    json_decref(o);
    zkr_statement_free(&st);
    return r;
}

static zkr_err show_log(zkr_cli *cli, zkr_registry *reg, const char *arg)
{
    zkr_log_entry e;
    uint64_t i;
    zkr_err r;

    if ((r = zkr_cli_parse_u64(cli, "INDEX", arg, &i)) != ZKR_OK ||
        (r = zkr_registry_log_entry(reg, i, &e, &cli->diag)) != ZKR_OK)
        return r;
    if (cli->json) {
        json_t *o = log_entry_json(&e);
        zkr_buf b64 = {0};
        if (o != NULL && zkr_base64_encode(e.leaf.p, e.leaf.len, &b64) == ZKR_OK &&
            zkr_buf_terminate(&b64) == ZKR_OK)
            json_object_set_new(o, "leaf", json_string((const char *)b64.p));
        zkr_buf_free(&b64);
        r = zkr_cli_print_json(o);
    } else {
        char h[65], t[32];
        zkr_cli_hex32(e.leaf_hash, h);
        zkr_cli_time(e.time, t);
        printf("index:      %llu\ntype:       %s\ntime:       %s\nleaf hash:  %s\n"
               "leaf bytes: %zu\n",
               (unsigned long long)e.index, e.type, t, h, e.leaf.len);
    }
    zkr_log_entry_free(&e);
    return r;
}

zkr_err zkr_cmd_show(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    zkr_registry *reg = NULL;
    zkr_kind kind;
    zkr_buf vk = {0};
    int c, done;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, show_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind + 1 == argc && strcmp(argv[optind], "appliance") == 0) {
        if ((r = zkr_cli_registry_open_ro(cli, &reg)) == ZKR_OK &&
            (r = zkr_registry_verifier_key(reg, &vk)) == ZKR_OK) {
            if (cli->json)
                r = zkr_cli_print_json(json_pack("{s:s}", "verifier_key", (const char *)vk.p));
            else
                printf("verifier key: %s\n", (const char *)vk.p);
        }
        goto out;
    }
    if (optind + 2 != argc)
        return zkr_cli_usage(cli, "expected KIND REF");
    if (strcmp(argv[optind], "log") == 0) {
        if ((r = zkr_cli_registry_open_ro(cli, &reg)) == ZKR_OK)
            r = show_log(cli, reg, argv[optind + 1]);
        goto out;
    }
    if ((r = zkr_kind_parse(argv[optind], &kind, &cli->diag)) != ZKR_OK)
        return r;
    if (kind == ZKR_KIND_KEY || kind == ZKR_KIND_VERIFIER)
        return zkr_cli_usage(cli, "keys are shown by zkreg key, verifier revocations by zkreg "
                                  "list revocation");
    if ((r = zkr_cli_registry_open_ro(cli, &reg)) == ZKR_OK)
        r = show_object(cli, reg, kind, argv[optind + 1]);
out:
    zkr_buf_free(&vk);
    zkr_registry_close(reg);
    return r;
}

static zkr_err list_artifacts(zkr_cli *cli, zkr_registry *reg, zkr_kind kind, json_t *items)
{
    zkr_lineage_index *ix = NULL;
    zkr_artifact *a = NULL;
    size_t n = 0;
    zkr_err r;

    if ((r = zkr_registry_artifact_list(reg, kind, &a, &n)) != ZKR_OK)
        return r;
    /* Models show their lineage depth: how many training steps led to them. */
    if (kind == ZKR_KIND_MODEL &&
        (r = zkr_registry_lineage_index(reg, &ix, &cli->diag)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        uint64_t depth = kind == ZKR_KIND_MODEL ? zkr_lineage_index_depth(ix, a[i].sha256) : 0;
        if (cli->json) {
            json_t *o = zkr_cli_artifact_json(&a[i]);
            if (o != NULL && kind == ZKR_KIND_MODEL)
                json_object_set_new(o, "lineage_depth", json_integer((json_int_t)depth));
            json_array_append_new(items, o);
        } else if (kind == ZKR_KIND_MODEL) {
            char h[65];
            zkr_cli_hex32(a[i].sha256, h);
            printf("%-8s %4lld  %s v%llu  depth %llu  sha256:%s\n", zkr_kind_name(a[i].kind),
                   (long long)a[i].id, a[i].name, (unsigned long long)a[i].version,
                   (unsigned long long)depth, h);
        } else {
            print_artifact(&a[i], 0);
        }
    }
out:
    zkr_lineage_index_free(ix);
    free(a);
    return r;
}

static zkr_err list_schemas(zkr_cli *cli, zkr_registry *reg, json_t *items)
{
    zkr_schema *s = NULL;
    size_t n = 0;
    zkr_err r;

    if ((r = zkr_registry_schema_list(reg, &s, &n)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < n; i++) {
        if (cli->json)
            json_array_append_new(items, zkr_cli_schema_json(&s[i]));
        else
            print_schema(&s[i], 0);
    }
    free(s);
    return ZKR_OK;
}

static zkr_err list_statements(zkr_cli *cli, zkr_registry *reg, json_t *items)
{
    uint8_t(*sid)[ZKR_DIGEST_BYTES] = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    zkr_err r;

    if ((r = zkr_registry_statement_list(reg, &sid, &ids, &n)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < n && r == ZKR_OK; i++) {
        zkr_statement st;
        char h[65];
        zkr_cli_hex32(sid[i], h);
        if ((r = zkr_registry_statement_get(reg, h, &st, &cli->diag)) == ZKR_OK) {
            if (cli->json)
                json_array_append_new(items, zkr_cli_statement_json(&st));
            else
                printf("statement %4lld  %s  %s@%llu\n", (long long)ids[i], h, st.schema.name,
                       (unsigned long long)st.schema.version);
        }
        zkr_statement_free(&st);
    }
    free(sid);
    free(ids);
    return r;
}

static zkr_err list_revocations(zkr_cli *cli, zkr_registry *reg, json_t *items)
{
    zkr_revocation *rv = NULL;
    size_t n = 0;
    zkr_err r;

    if ((r = zkr_registry_revocation_list(reg, &rv, &n)) != ZKR_OK)
        return r;
    for (size_t i = 0; i < n; i++) {
        char h[65], t[32];
        zkr_cli_hex32(rv[i].target, h);
        zkr_cli_time(rv[i].created, t);
        if (cli->json)
            json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id",
                                                   (json_int_t)rv[i].id, "kind",
                                                   zkr_kind_name(rv[i].kind), "target", h,
                                                   "reason", rv[i].reason, "time", t,
                                                   "log_index", (json_int_t)rv[i].log_index));
        else
            printf("revocation %4lld  %s %s  %s  reason: %s\n", (long long)rv[i].id,
                   zkr_kind_name(rv[i].kind), h, t, rv[i].reason);
    }
    free(rv);
    return ZKR_OK;
}

static zkr_err list_log(zkr_cli *cli, zkr_registry *reg, json_t *items)
{
    uint64_t n = 0;
    zkr_err r;

    if ((r = zkr_registry_log_size(reg, &n)) != ZKR_OK)
        return r;
    for (uint64_t i = 0; i < n; i++) {
        zkr_log_entry e;
        if ((r = zkr_registry_log_entry(reg, i, &e, &cli->diag)) != ZKR_OK)
            return r;
        if (cli->json) {
            json_array_append_new(items, log_entry_json(&e));
        } else {
            char h[65], t[32];
            zkr_cli_hex32(e.leaf_hash, h);
            zkr_cli_time(e.time, t);
            printf("%6llu  %-10s  %s  %s\n", (unsigned long long)i, e.type, t, h);
        }
        zkr_log_entry_free(&e);
    }
    return ZKR_OK;
}

static zkr_err list_checkpoint(zkr_cli *cli, zkr_registry *reg, json_t *items)
{
    zkr_buf note = {0};
    zkr_checkpoint cp;
    zkr_err r = zkr_registry_checkpoint_latest(reg, &note, &cp, &cli->diag);

    if (r == ZKR_ERR_NOT_FOUND) {
        zkr_diag_clear(&cli->diag);
        r = ZKR_OK;
    } else if (r == ZKR_OK) {
        if (cli->json)
            json_array_append_new(items, json_pack("{s:s#}", "note", (const char *)note.p,
                                                   (int)note.len));
        else
            fwrite(note.p, 1, note.len, stdout);
    }
    zkr_buf_free(&note);
    return r;
}

zkr_err zkr_cmd_list(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    zkr_registry *reg = NULL;
    json_t *items = NULL;
    const char *k;
    zkr_kind kind = 0;
    int c, done;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, list_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind + 1 != argc)
        return zkr_cli_usage(cli, "expected KIND");
    k = argv[optind];
    if (strcmp(k, "revocation") != 0 && strcmp(k, "log") != 0 && strcmp(k, "checkpoint") != 0 &&
        ((r = zkr_kind_parse(k, &kind, &cli->diag)) != ZKR_OK || kind == ZKR_KIND_KEY ||
         kind == ZKR_KIND_VERIFIER))
        return zkr_cli_usage(cli, "unknown kind '%s' (program, model, dataset, schema, "
                                  "statement, revocation, log, checkpoint)", k);
    if ((r = zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK)
        return r;
    if (cli->json && (items = json_array()) == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if (strcmp(k, "revocation") == 0)
        r = list_revocations(cli, reg, items);
    else if (strcmp(k, "log") == 0)
        r = list_log(cli, reg, items);
    else if (strcmp(k, "checkpoint") == 0)
        r = list_checkpoint(cli, reg, items);
    else if (kind == ZKR_KIND_SCHEMA)
        r = list_schemas(cli, reg, items);
    else if (kind == ZKR_KIND_STATEMENT)
        r = list_statements(cli, reg, items);
    else
        r = list_artifacts(cli, reg, kind, items);
    if (r == ZKR_OK && cli->json) {
        r = zkr_cli_print_json(json_pack("{s:s, s:O}", "kind", k, "items", items));
    }
out:
    json_decref(items);
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* revoke                                                              */
/* ------------------------------------------------------------------ */

static const char revoke_help[] =
    "usage: zkreg revoke KIND ID --reason TEXT\n"
    "       zkreg revoke verifier PROOF_KIND VERSION --reason TEXT\n"
    "\n"
    "Records a revocation of a program, model, dataset, schema, statement or\n"
    "key as a new row and a log entry; nothing is deleted. A key is named by\n"
    "the key id `zkreg key public` prints (of a key registered here) or by\n"
    "TYPE:HEX; the revocation records the signer's identity, so revoking\n"
    "secp256k1:HEX also revokes its eth:ADDRESS. Revoking again prints the first revocation and changes nothing.\n"
    "Later registrations and attestations that bind a revoked object are\n"
    "refused (exit 6). 'verifier' revokes one verifier version of a proof kind\n"
    "(e.g. inference@1 0.1.0): attest refuses statements whose schema pins it,\n"
    "and verify-attestation and gate refuse attestations made under it.\n" ZKR_CLI_EXIT_HELP;

/* A key is named by key id or TYPE:HEX; the revocation records its signer identity. */
static zkr_err revoke_key(zkr_cli *cli, zkr_registry *reg, const char *ref, const char *reason,
                          zkr_revocation *rv)
{
    uint8_t target[ZKR_DIGEST_BYTES];
    zkr_err r = zkr_app_key_target(reg, ref, target, &cli->diag);

    if (r == ZKR_OK)
        r = zkr_registry_revoke(reg, ZKR_KIND_KEY, target, reason, rv, &cli->diag);
    return r;
}

zkr_err zkr_cmd_revoke(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"reason", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *reason = NULL, *ref;
    char vname[2 * ZKR_IDENT_MAX + 2];
    zkr_registry *reg = NULL;
    zkr_revocation rv;
    zkr_kind kind = 0;
    int c, done;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, revoke_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (c == 'r')
            reason = optarg;
        else
            return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind < argc && (r = zkr_kind_parse(argv[optind], &kind, &cli->diag)) != ZKR_OK)
        return r;
    if (optind < argc && kind == ZKR_KIND_VERIFIER) {
        if (optind + 3 != argc || reason == NULL)
            return zkr_cli_usage(cli, "expected verifier PROOF_KIND VERSION --reason TEXT");
        if (snprintf(vname, sizeof vname, "%s@%s", argv[optind + 1], argv[optind + 2]) >=
            (int)sizeof vname)
            return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "verifier: kind or version too long");
        ref = vname;
    } else if (optind + 2 != argc || reason == NULL) {
        return zkr_cli_usage(cli, "expected KIND ID --reason TEXT");
    } else {
        ref = argv[optind + 1];
    }
    if ((r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK ||
        (r = kind == ZKR_KIND_KEY
                 ? revoke_key(cli, reg, ref, reason, &rv)
                 : zkr_registry_revoke_ref(reg, kind, ref, reason, &rv, &cli->diag)) != ZKR_OK)
        goto out;
    if (cli->json) {
        char h[65];
        zkr_cli_hex32(rv.target, h);
        r = zkr_cli_print_json(json_pack("{s:s, s:s, s:s, s:I, s:b}", "kind", zkr_kind_name(kind),
                                         "target", h, "reason", rv.reason, "log_index",
                                         (json_int_t)rv.log_index, "existed", rv.existed));
    } else {
        printf("revoked %s %s (log entry %llu)%s\n", zkr_kind_name(kind), ref,
               (unsigned long long)rv.log_index, rv.existed ? " - already revoked earlier" : "");
    }
out:
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* archive                                                             */
/* ------------------------------------------------------------------ */

static const char archive_help[] =
    "usage: zkreg archive -o FILE\n"
    "\n"
    "Writes a self-contained copy of the registry to FILE (which must not\n"
    "exist): one consistent snapshot with the write-ahead log folded in, in\n"
    "rollback-journal mode (journal_mode=DELETE), checked with PRAGMA\n"
    "integrity_check. FILE is a registry that read-only commands open in\n"
    "place from read-only media. The model store beside the registry\n"
    "(<registry>.d/) is not copied. The registry is only read.\n" ZKR_CLI_EXIT_HELP;

zkr_err zkr_cmd_archive(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *out_path = NULL;
    zkr_registry *reg = NULL;
    int c, done;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, archive_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (c == 'o')
            out_path = optarg;
        else
            return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind != argc || out_path == NULL)
        return zkr_cli_usage(cli, "expected -o FILE");
    if ((r = zkr_cli_registry_open_ro(cli, &reg)) != ZKR_OK ||
        (r = zkr_registry_archive(reg, out_path, &cli->diag)) != ZKR_OK)
        goto out;
    if (cli->json)
        r = zkr_cli_print_json(json_pack("{s:s}", "archive", out_path));
    else
        printf("archive: %s\n", out_path);
out:
    zkr_registry_close(reg);
    return r;
}
