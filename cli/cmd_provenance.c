/*
 * cmd_provenance.c: `zkreg provenance sign|verify`, DSSE envelopes over
 * in-toto Statement v1 documents of any predicate type (the images' SLSA
 * build provenance), and `verify-attestation --predicate-type`, which
 * routes here for every predicate type other than zkreg's own.
 *
 * A provenance envelope carries no registry facts: it says "the holder of
 * this key built these artifacts", nothing about proofs. So it is verified
 * against trusted keys, its predicate type, and the sha256 of the artifacts
 * the operator holds (--subject), never against a registry.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "app/attest.h"
#include "sign_cli.h"
#include "cli.h"
#include "signer/signer.h"

#define INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define INTOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"
#define ZKREG_PREDICATE_TYPE "https://zkreg.dev/attestation/v1"
#define STATEMENT_MAX_BYTES (1u << 20)
#define MAX_SUBJECT_FILES 16

static const char prov_help[] =
    "usage: zkreg provenance sign STATEMENT --key URI -o ENVELOPE\n"
    "                            [--passphrase-file F | --passphrase-fd N]\n"
    "       zkreg provenance verify ENVELOPE --trusted-key KEY [--trusted-key KEY]...\n"
    "                            [--predicate-type URI] [--subject FILE]...\n"
    "\n"
    "sign    checks that STATEMENT is an in-toto Statement v1 (\"_type\", a non-empty\n"
    "        \"subject\" list of {name, digest.sha256}, \"predicateType\", an object\n"
    "        \"predicate\") and writes a DSSE envelope signed by URI (file:, pkcs11:).\n"
    "verify  checks the envelope and statement strictly, every signature against the\n"
    "        trusted keys (at least one valid, none by a trusted key invalid), the\n"
    "        predicate type when given, and that each --subject FILE's sha256 is a\n"
    "        subject of the statement under that file's base name.\n"
    "        `zkreg verify-attestation --predicate-type URI` does the same.\n"
    "\n"
    "exit codes: 0 ok, 1 signature, predicate type or subject mismatch, 2 usage,\n"
    "  3 malformed input, 4 not found, 7 key or HSM error, 9 I/O, 10 internal\n";

typedef struct {
    zkr_pubkey keys[ZKR_POLICY_MAX_KEYS];
    size_t nkeys;
    const char *predicate_type;
    const char *subjects[MAX_SUBJECT_FILES];
    size_t nsubjects;
} prov_verify_args;

/* One subject: {"name": non-empty string, "digest": {"sha256": 64 lowercase hex}}. */
static zkr_err check_subject(zkr_cli *cli, size_t i, json_t *s)
{
    json_t *name = json_object_get(s, "name");
    json_t *digest = json_object_get(s, "digest");
    json_t *sha = json_is_object(digest) ? json_object_get(digest, "sha256") : NULL;
    const char *h;
    uint8_t raw[32];

    if (!json_is_object(s) || !json_is_string(name) || json_string_length(name) == 0)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "statement: subject[%zu] needs a name", i);
    if (!json_is_string(sha) || json_string_length(sha) != 64)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                        "statement: subject[%zu] needs digest.sha256 (64 hex digits)", i);
    h = json_string_value(sha);
    for (size_t k = 0; k < 64; k++)
        if (!((h[k] >= '0' && h[k] <= '9') || (h[k] >= 'a' && h[k] <= 'f')))
            return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                            "statement: subject[%zu] digest.sha256 is not lowercase hex", i);
    if (zkr_hex_decode_exact(h, raw, sizeof raw) != ZKR_OK)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "statement: subject[%zu] digest", i);
    return ZKR_OK;
}

/* Parses and checks an in-toto Statement v1; *out is the parsed document. */
static zkr_err parse_statement(zkr_cli *cli, const uint8_t *p, size_t len, json_t **out)
{
    json_error_t je;
    json_t *st, *subj, *pt;
    size_t i;
    zkr_err r = ZKR_OK;

    *out = NULL;
    st = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, &je);
    if (st == NULL)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "statement: line %d: %s", je.line, je.text);
    subj = json_object_get(st, "subject");
    pt = json_object_get(st, "predicateType");
    if (!json_is_object(st) ||
        !json_is_string(json_object_get(st, "_type")) ||
        strcmp(json_string_value(json_object_get(st, "_type")), INTOTO_STATEMENT_V1) != 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "statement: _type must be %s",
                     INTOTO_STATEMENT_V1);
    } else if (!json_is_array(subj) || json_array_size(subj) == 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "statement: subject must be a non-empty list");
    } else if (!json_is_string(pt) || json_string_length(pt) == 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "statement: predicateType missing");
    } else if (!json_is_object(json_object_get(st, "predicate"))) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "statement: predicate must be an object");
    } else {
        for (i = 0; i < json_array_size(subj) && r == ZKR_OK; i++)
            r = check_subject(cli, i, json_array_get(subj, i));
    }
    if (r == ZKR_OK)
        *out = st;
    else
        json_decref(st);
    return r;
}

static zkr_err prov_sign(zkr_cli *cli, const char *stmt_path, const char *uri,
                         const char *out_path, const char *pass_path, int pass_fd)
{
    zkr_buf stmt = {0}, pae = {0}, enc = {0};
    zkr_envelope env;
    zkr_signer *signer = NULL;
    zkr_signer_opts so = {0};
    zkr_secret pass = {0};
    json_t *st = NULL;
    zkr_err r;

    memset(&env, 0, sizeof env);
    if ((r = zkr_file_read(stmt_path, STATEMENT_MAX_BYTES, &stmt, &cli->diag)) != ZKR_OK ||
        (r = parse_statement(cli, stmt.p, stmt.len, &st)) != ZKR_OK)
        goto out;
    if (pass_fd >= 0) {
        if ((r = zkr_cli_read_pass_fd(cli, pass_fd, &pass)) != ZKR_OK)
            goto out;
        so.passphrase = &pass;
    }
    so.passphrase_path = pass_path;
    if ((r = zkr_signer_open(uri, &so, &signer, &cli->diag)) != ZKR_OK)
        goto out;
    if (zkr_signer_is_external(signer)) {
        r = zkr_fail(&cli->diag, ZKR_ERR_USAGE, "--key: an external signer cannot sign here");
        goto out;
    }
    snprintf(env.payload_type, sizeof env.payload_type, "%s", INTOTO_PAYLOAD_TYPE);
    env.nsigs = 1;
    zkr_pubkey_keyid(zkr_signer_pubkey(signer), env.sigs[0].keyid);
    env.sigs[0].sig_len = ZKR_SIG_BYTES;
    if ((r = zkr_buf_append(&env.payload, stmt.p, stmt.len)) != ZKR_OK ||
        (r = zkr_dsse_pae(INTOTO_PAYLOAD_TYPE, strlen(INTOTO_PAYLOAD_TYPE), stmt.p, stmt.len,
                          &pae)) != ZKR_OK ||
        (r = zkr_signer_sign(signer, pae.p, pae.len, env.sigs[0].sig, NULL, &cli->diag)) !=
            ZKR_OK ||
        (r = zkr_envelope_encode(&env, &enc)) != ZKR_OK ||
        (r = zkr_file_write_atomic(out_path, enc.p, enc.len, 0644, &cli->diag)) != ZKR_OK)
        goto out;
    if (cli->json)
        printf("{\"ok\":true,\"envelope\":\"%s\",\"keyid\":\"%s\"}\n", out_path, env.sigs[0].keyid);
    else
        printf("signed %s: %s (key %s)\n", stmt_path, out_path, env.sigs[0].keyid);
out:
    json_decref(st);
    zkr_signer_free(signer);
    zkr_secret_free(&pass);
    zkr_envelope_free(&env);
    zkr_buf_free(&stmt);
    zkr_buf_free(&pae);
    zkr_buf_free(&enc);
    return r;
}

/* Every signature by a trusted key must verify; at least one must exist. */
static zkr_err check_signatures(zkr_cli *cli, const zkr_envelope *env, const zkr_buf *pae,
                                const prov_verify_args *a, size_t *nvalid)
{
    char kid[ZKR_KEYID_HEX + 1];

    *nvalid = 0;
    for (size_t i = 0; i < env->nsigs; i++) {
        for (size_t k = 0; k < a->nkeys; k++) {
            zkr_pubkey_keyid(&a->keys[k], kid);
            if (strcmp(kid, env->sigs[i].keyid) != 0)
                continue;
            if (env->sigs[i].sig_len != ZKR_SIG_BYTES ||
                zkr_sig_verify(&a->keys[k], pae->p, pae->len, env->sigs[i].sig,
                               env->sigs[i].sig_len) != ZKR_OK)
                return zkr_fail(&cli->diag, ZKR_ERR_SIGNATURE,
                                "signature %zu by trusted key %s does not verify", i, kid);
            (*nvalid)++;
        }
    }
    if (*nvalid == 0)
        return zkr_fail(&cli->diag, ZKR_ERR_SIGNATURE, "no signature by a trusted key");
    return ZKR_OK;
}

/* Streams a file through SHA-256: artifacts (images) can be large. */
static zkr_err sha256_file(zkr_cli *cli, const char *path, uint8_t out[32])
{
    uint8_t chunk[1 << 16];
    zkr_sha256_ctx c;
    FILE *f = fopen(path, "rb");
    size_t n;
    zkr_err r = ZKR_OK;

    if (f == NULL)
        return zkr_fail(&cli->diag, errno == ENOENT ? ZKR_ERR_NOT_FOUND : ZKR_ERR_IO, "%s: %s",
                        path, strerror(errno));
    zkr_sha256_init(&c);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        zkr_sha256_update(&c, chunk, n);
    if (ferror(f))
        r = zkr_fail(&cli->diag, ZKR_ERR_IO, "%s: read error", path);
    zkr_sha256_final(&c, out);
    (void)fclose(f);
    return r;
}

/* The file's sha256 must be a subject's digest under the file's base name. */
static zkr_err check_subject_file(zkr_cli *cli, json_t *subjects, const char *path)
{
    uint8_t d[32];
    char hex[65];
    const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    zkr_err r;

    if ((r = sha256_file(cli, path, d)) != ZKR_OK)
        return r;
    (void)!zkr_hex_encode(d, sizeof d, hex, sizeof hex);
    for (size_t i = 0; i < json_array_size(subjects); i++) {
        json_t *s = json_array_get(subjects, i);
        if (strcmp(json_string_value(json_object_get(s, "name")), base) == 0 &&
            strcmp(json_string_value(json_object_get(json_object_get(s, "digest"), "sha256")),
                   hex) == 0)
            return ZKR_OK;
    }
    return zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                    "--subject %s: sha256 %s is not a subject named %s in the statement", path,
                    hex, base);
}

static zkr_err prov_verify(zkr_cli *cli, const char *env_path, const prov_verify_args *a)
{
    zkr_buf file = {0}, pae = {0};
    zkr_envelope env;
    json_t *st = NULL;
    const char *pt;
    size_t nvalid = 0;
    zkr_err r;

    memset(&env, 0, sizeof env);
    if ((r = zkr_file_read(env_path, ZKR_DSSE_MAX_BYTES, &file, &cli->diag)) != ZKR_OK ||
        (r = zkr_envelope_parse(file.p, file.len, &env, &cli->diag)) != ZKR_OK)
        goto out;
    if (strcmp(env.payload_type, INTOTO_PAYLOAD_TYPE) != 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "payloadType must be %s", INTOTO_PAYLOAD_TYPE);
        goto out;
    }
    if ((r = parse_statement(cli, env.payload.p, env.payload.len, &st)) != ZKR_OK ||
        (r = zkr_dsse_pae(env.payload_type, strlen(env.payload_type), env.payload.p,
                          env.payload.len, &pae)) != ZKR_OK ||
        (r = check_signatures(cli, &env, &pae, a, &nvalid)) != ZKR_OK)
        goto out;
    pt = json_string_value(json_object_get(st, "predicateType"));
    if (a->predicate_type != NULL && strcmp(pt, a->predicate_type) != 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY, "predicateType is %s, not %s", pt,
                     a->predicate_type);
        goto out;
    }
    for (size_t i = 0; i < a->nsubjects && r == ZKR_OK; i++)
        r = check_subject_file(cli, json_object_get(st, "subject"), a->subjects[i]);
    if (r != ZKR_OK)
        goto out;
    if (cli->json) {
        printf("{\"ok\":true,\"predicate_type\":");
        zkr_cli_json_string(stdout, pt);
        printf(",\"trusted_signatures\":%zu,\"subjects_checked\":%zu}\n", nvalid, a->nsubjects);
    } else {
        printf("ok: %s, %zu trusted signature(s), %zu subject file(s) checked\n", pt, nvalid,
               a->nsubjects);
    }
out:
    json_decref(st);
    zkr_envelope_free(&env);
    zkr_buf_free(&file);
    zkr_buf_free(&pae);
    return r;
}

static zkr_err add_verify_option(zkr_cli *cli, int c, prov_verify_args *a)
{
    if (c == 'k') {
        if (a->nkeys == ZKR_POLICY_MAX_KEYS)
            return zkr_cli_usage(cli, "at most %d --trusted-key", ZKR_POLICY_MAX_KEYS);
        return zkr_cli_trusted_key(cli, optarg, &a->keys[a->nkeys++]);
    }
    if (c == 't') {
        a->predicate_type = optarg;
        return ZKR_OK;
    }
    if (c == 's') {
        if (a->nsubjects == MAX_SUBJECT_FILES)
            return zkr_cli_usage(cli, "at most %d --subject", MAX_SUBJECT_FILES);
        a->subjects[a->nsubjects++] = optarg;
        return ZKR_OK;
    }
    return zkr_cli_usage(cli, "unknown option");
}

/* Parses the verify options from argv (getopt state reset by the caller). */
static zkr_err run_verify(zkr_cli *cli, int argc, char **argv, const char *help)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"trusted-key", required_argument, NULL, 'k'},
                                         {"predicate-type", required_argument, NULL, 't'},
                                         {"subject", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    prov_verify_args a;
    int c, done;
    zkr_err r;

    memset(&a, 0, sizeof a);
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if ((r = add_verify_option(cli, c, &a)) != ZKR_OK)
            return r;
    }
    if (optind + 1 != argc)
        return zkr_cli_usage(cli, "give one ENVELOPE");
    if (a.nkeys == 0)
        return zkr_cli_usage(cli, "give at least one --trusted-key");
    return prov_verify(cli, argv[optind], &a);
}

static zkr_err run_sign(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"key", required_argument, NULL, 'k'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"passphrase-fd", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const char *key = NULL, *out = NULL, *pass_path = NULL;
    uint64_t fd = 0;
    int pass_fd = -1, c, done;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, prov_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (c == 'k')
            key = optarg;
        else if (c == 'o')
            out = optarg;
        else if (c == 'p')
            pass_path = optarg;
        else if (c == 'f') {
            if ((r = zkr_cli_parse_u64(cli, "--passphrase-fd", optarg, &fd)) != ZKR_OK)
                return r;
            if (fd > 1024)
                return zkr_cli_usage(cli, "--passphrase-fd: not a descriptor");
            pass_fd = (int)fd;
        } else
            return zkr_cli_usage(cli, "unknown option");
    }
    if (optind + 1 != argc || key == NULL || out == NULL)
        return zkr_cli_usage(cli, "provenance sign takes STATEMENT, --key and -o");
    return prov_sign(cli, argv[optind], key, out, pass_path, pass_fd);
}

zkr_err zkr_cmd_provenance(zkr_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sign") == 0)
        return run_sign(cli, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
        return run_verify(cli, argc - 1, argv + 1, prov_help);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(prov_help, stdout);
        return ZKR_OK;
    }
    return zkr_cli_usage(cli, "provenance takes sign or verify");
}

/*
 * verify-attestation: with --predicate-type naming anything but zkreg's own
 * attestation type, the envelope is a plain in-toto statement (build
 * provenance) and is checked here; otherwise the attestation checks run.
 */
zkr_err zkr_cmd_verify_attestation_any(zkr_cli *cli, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--predicate-type") == 0 && i + 1 < argc)
            v = argv[i + 1];
        else if (strncmp(argv[i], "--predicate-type=", 17) == 0)
            v = argv[i] + 17;
        if (v != NULL && strcmp(v, ZKREG_PREDICATE_TYPE) != 0)
            return run_verify(cli, argc, argv, prov_help);
        if (v != NULL) {
            /* zkreg's own type: drop the option and run the attestation checks. */
            int skip = strcmp(argv[i], "--predicate-type") == 0 ? 2 : 1;
            for (int j = i; j + skip <= argc; j++)
                argv[j] = j + skip < argc ? argv[j + skip] : NULL;
            argc -= skip;
            break;
        }
    }
    return zkr_cmd_verify_attestation(cli, argc, argv);
}
