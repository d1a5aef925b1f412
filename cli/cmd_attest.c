/*
 * cmd_attest.c: `zkreg attest`, verify-before-sign (DESIGN.md sections 4
 * and 8, docs/signing.md): the arguments, the workflow of app/attest.h and
 * what it made, reported after its transaction committed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/attest.h"
#include "registry_cli.h"


static const char attest_help[] =
    "usage: zkreg attest --statement ID --proof PROOF --key URI -o ATTESTATION\n"
    "                    [--passphrase-file F | --passphrase-fd N]\n"
    "                    [--registry-passphrase-file F] [--eip712-domain FILE]\n"
    "       zkreg attest --statement ID --proof PROOF --eip712-json --eip712-domain FILE [-o F]\n"
    "       zkreg attest --statement ID --proof PROOF --key external:eip712 --address 0x..\n"
    "                    --eip712-domain FILE -o REQUEST\n"
    "       zkreg attest --import-signature 0xSIG --request REQUEST -o ATTESTATION\n"
    "       zkreg attest --batch FILE --key URI [--out-dir DIR] [--passphrase-file F |\n"
    "                    --passphrase-fd N] [--registry-passphrase-file F] [--eip712-domain FILE]\n"
    "\n"
    "Verifies PROOF in the confined verifier against the registered statement ID,\n"
    "checks every binding of DESIGN.md section 4 from the registry (proof header's\n"
    "statement, proof system and parameter set; program, model, dataset digests and\n"
    "commitments; record and public output; schema version allowed and the verifier\n"
    "version equal to the schema's pin; nothing revoked, the signing key included;\n"
    "the key registered with `zkreg key register`), records the verification in the\n"
    "log, and only then signs a DSSE/in-toto attestation (docs/signing.md). Every\n"
    "refusal is logged as an 'attest-refusal' event and writes nothing.\n"
    "--eip712-domain adds the EIP-712 companion for secp256k1 keys; --eip712-json\n"
    "prints the typed data a wallet signs instead of signing. external:eip712 writes\n"
    "a signing request; --import-signature completes it after ecrecover gives the\n"
    "registered address. The registry passphrase (for a new checkpoint) comes from\n"
    "--registry-passphrase-file or $ZKREG_PASSPHRASE_FILE. --no-sandbox is refused.\n"
    "--batch FILE (JSON lines {\"statement\": ID, \"proof\": PATH[, \"out\": PATH]}; default\n"
    "out DIR/attestation-LINE.json) attests each line with the key opened once, each\n"
    "proof verified in a fresh confined worker; a refused line is logged and skipped.\n"
    "Exit 0 when every line was attested, 1 when any was refused.\n"
    "\nexit codes: 0 signed, 1 verification failed or a binding mismatch, 2 usage,\n"
    "  3 malformed input, 4 not found, 6 revoked, 7 key or HSM error (unregistered key),\n"
    "  8 sandbox violation, 9 registry or I/O error, 10 internal\n";

static zkr_err parse_args(zkr_cli *cli, int argc, char **argv, zkr_app_attest_opts *a,
                         const char **batch, const char **out_dir, int *done)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"statement", required_argument, NULL, 's'},
                                         {"proof", required_argument, NULL, 'P'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"passphrase-fd", required_argument, NULL, 'f'},
                                         {"registry-passphrase-file", required_argument, NULL, 'R'},
                                         {"eip712-domain", required_argument, NULL, 'D'},
                                         {"eip712-json", no_argument, NULL, 'J'},
                                         {"address", required_argument, NULL, 'a'},
                                         {"import-signature", required_argument, NULL, 'I'},
                                         {"request", required_argument, NULL, 'q'},
                                         {"no-sandbox", no_argument, NULL, 'n'},
                                         {"batch", required_argument, NULL, 'B'},
                                         {"out-dir", required_argument, NULL, 'O'},
                                         {NULL, 0, NULL, 0}};
    uint64_t v;
    int c;

    memset(a, 0, sizeof *a);
    a->pass_fd = -1;
    *batch = *out_dir = NULL;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, attest_help, done)) {
            if (*done)
                return ZKR_OK;
            continue;
        }
        switch (c) {
        case 's': a->statement = optarg; break;
        case 'P': a->proof = optarg; break;
        case 'k': a->key = optarg; break;
        case 'o': a->out = optarg; break;
        case 'p': a->pass_file = optarg; break;
        case 'R': a->reg_pass_file = optarg; break;
        case 'D': a->domain = optarg; break;
        case 'J': a->eip712_json = 1; break;
        case 'a': a->address = optarg; break;
        case 'I': a->import_sig = optarg; break;
        case 'q': a->request = optarg; break;
        case 'B': *batch = optarg; break;
        case 'O': *out_dir = optarg; break;
        case 'f':
            if (zkr_cli_parse_u64(cli, "--passphrase-fd", optarg, &v) != ZKR_OK || v == 1 ||
                v == 2 || v > 1024)
                return zkr_cli_usage(cli, "--passphrase-fd must be 0 or 3..1024");
            a->pass_fd = (int)v;
            break;
        case 'n':
            return zkr_cli_usage(cli, "attest always verifies in the sandbox; --no-sandbox is "
                                      "refused");
        default:
            return zkr_cli_usage(cli, "unknown option (see --help)");
        }
    }
    if (optind != argc)
        return zkr_cli_usage(cli, "unexpected argument '%s'", argv[optind]);
    if (*batch != NULL)
        return a->statement || a->proof || a->out || a->eip712_json || a->import_sig ||
                       a->request || a->address || !a->key
                   ? zkr_cli_usage(cli, "--batch takes --key URI and no --statement, --proof, "
                                        "-o, --eip712-json, --address or --import-signature")
                   : ZKR_OK;
    if (*out_dir != NULL)
        return zkr_cli_usage(cli, "--out-dir goes with --batch");
    if (a->import_sig != NULL)
        return ZKR_OK;
    if (a->statement == NULL || a->proof == NULL)
        return zkr_cli_usage(cli, "attest needs --statement ID and --proof PROOF");
    if (a->key != NULL && strncmp(a->key, "external:", 9) == 0 &&
        (a->domain == NULL || a->address == NULL))
        return zkr_cli_usage(cli, "external:eip712 needs --address 0x.. and --eip712-domain FILE");
    if (a->eip712_json ? a->domain == NULL : (a->key == NULL || a->out == NULL))
        return zkr_cli_usage(cli, a->eip712_json ? "--eip712-json needs --eip712-domain FILE"
                                                 : "attest needs --key URI and -o ATTESTATION");
    return ZKR_OK;
}

/* After the commit: typed data or a request to stdout, or the summary of what was written. */
static zkr_err report(zkr_cli *cli, const zkr_app_attest_opts *a, const zkr_app_attest_made *m)
{
    const zkr_pubkey *key = m->has_key ? &m->key : NULL;
    uint64_t proof_idx = m->proof_idx;
    char kid[ZKR_KEYID_HEX + 1] = "";

    if (!m->written)
        return zkr_cli_write_out(cli, NULL, m->out.p, m->out.len);
    if (m->what == NULL) /* typed data written to a->out: nothing more to say */
        return ZKR_OK;
    if (key != NULL)
        zkr_pubkey_keyid(key, kid);
    if (cli->json) {
        printf("{\"ok\":true,\"%s\":", m->what);
        zkr_cli_json_string(stdout, a->out);
        printf(",\"keyid\":\"%s\",\"proof_log_index\":%llu", kid, (unsigned long long)proof_idx);
        if (m->logged)
            printf(",\"log_index\":%llu", (unsigned long long)m->att_idx);
        printf("}\n");
    } else {
        printf("%s: %s\nkeyid: %s\nproof log index: %llu\n", m->what, a->out, kid,
               (unsigned long long)proof_idx);
        if (m->logged)
            printf("log index: %llu\n", (unsigned long long)m->att_idx);
    }
    return ZKR_OK;
}

/* attest --batch output: one line (or JSON item) per entry, and the progress line. */
typedef struct {
    zkr_cli *cli;
    zkr_progress pg;
    int stdout_tty;
    json_t *items; /* --json */
} batch_out;

static void print_line(void *ctx, const zkr_app_attest_line *l, size_t done, size_t total)
{
    batch_out *o = ctx;

    (void)total;
    if (o->items != NULL) {
        json_t *it = json_pack("{s:I, s:s, s:b}", "line", (json_int_t)l->line, "statement",
                               l->statement, "attested", l->attested);
        if (it != NULL && l->attested) {
            json_object_set_new(it, "attestation", json_string(l->out));
            json_object_set_new(it, "log_index", json_integer((json_int_t)l->att_idx));
            json_object_set_new(it, "proof_log_index", json_integer((json_int_t)l->proof_idx));
        } else if (it != NULL) {
            json_object_set_new(it, "exit_code", json_integer(zkr_err_exit_code(l->why)));
            json_object_set_new(it, "reason", json_string(zkr_strerror(l->why)));
            json_object_set_new(it, "message", json_string(l->message));
        }
        json_array_append_new(o->items, it);
    } else {
        if (o->stdout_tty)
            zkr_progress_end(&o->pg);
        if (l->attested)
            printf("line %llu: attested %s -> %s (log index %llu)\n",
                   (unsigned long long)l->line, l->statement, l->out,
                   (unsigned long long)l->att_idx);
        else
            printf("line %llu: REFUSED %s (exit %d, %s): %s\n", (unsigned long long)l->line,
                   l->statement, zkr_err_exit_code(l->why), zkr_strerror(l->why), l->message);
        fflush(stdout);
    }
    zkr_progress_step(&o->pg, done);
}

static zkr_err attest_batch(zkr_cli *cli, const zkr_app_attest_opts *a, const char *batch,
                            const char *out_dir)
{
    zkr_app_attest_batch_opts o = {.batch = batch, .out_dir = out_dir, .key = a->key,
                                   .pass_file = a->pass_file, .reg_pass_file = a->reg_pass_file,
                                   .domain = a->domain, .pass_fd = a->pass_fd,
                                   .on_line = print_line};
    zkr_app_attest_batch_result res;
    batch_out out = {.cli = cli, .stdout_tty = isatty(STDOUT_FILENO)};
    json_t *obj;
    zkr_err r;

    if (cli->json && (out.items = json_array()) == NULL)
        return ZKR_ERR_NOMEM;
    o.ctx = &out;
    zkr_cli_progress_init(cli, &out.pg);
    zkr_progress_phase(&out.pg, "attesting", 0);
    r = zkr_app_attest_batch(cli, &o, &res);
    zkr_progress_end(&out.pg);
    if (res.lines == 0 || (r != ZKR_OK && r != ZKR_ERR_VERIFY)) {
        json_decref(out.items); /* nothing attested or refused yet: the error alone */
        return r;
    }
    if (!cli->json) {
        printf("attested %zu of %zu; refused %zu\n", res.attested, res.lines, res.refused);
        return r;
    }
    obj = json_pack("{s:b, s:I, s:I, s:I, s:o}", "ok", r == ZKR_OK, "lines",
                    (json_int_t)res.lines, "attested", (json_int_t)res.attested, "refused",
                    (json_int_t)res.refused, "results", out.items);
    if (obj != NULL && r != ZKR_OK)
        json_object_set_new(obj, "exit_code", json_integer(zkr_err_exit_code(r)));
    if (obj != NULL) {
        char *txt = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        if (txt != NULL)
            puts(txt);
        free(txt);
        cli->json_printed = 1; /* the refusals are in it: no second, error-only object */
    }
    json_decref(obj);
    return r;
}

zkr_err zkr_cmd_attest(zkr_cli *cli, int argc, char **argv)
{
    zkr_app_attest_opts a;
    zkr_app_attest_made m;
    const char *batch, *out_dir;
    int done = 0;
    zkr_err r;

    if ((r = parse_args(cli, argc, argv, &a, &batch, &out_dir, &done)) != ZKR_OK || done)
        return r;
    if (batch != NULL)
        return attest_batch(cli, &a, batch, out_dir);
    r = zkr_app_attest(cli, &a, &m);
    if (r == ZKR_OK && m.committed)
        r = report(cli, &a, &m);
    zkr_app_attest_made_free(&m);
    return r;
}
