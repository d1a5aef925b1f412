/*
 * cmd_attest.c: `zkreg attest`, verify-before-sign (DESIGN.md sections 4
 * and 8, docs/signing.md): the arguments, the workflow of app/attest.h and
 * what it made, reported after its transaction committed.
 */
#include <stdlib.h>
#include <string.h>

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
    "\nexit codes: 0 signed, 1 verification failed or a binding mismatch, 2 usage,\n"
    "  3 malformed input, 4 not found, 6 revoked, 7 key or HSM error (unregistered key),\n"
    "  8 sandbox violation, 9 registry or I/O error, 10 internal\n";

static zkr_err parse_args(zkr_cli *cli, int argc, char **argv, zkr_app_attest_opts *a, int *done)
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
                                         {NULL, 0, NULL, 0}};
    uint64_t v;
    int c;

    memset(a, 0, sizeof *a);
    a->pass_fd = -1;
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

zkr_err zkr_cmd_attest(zkr_cli *cli, int argc, char **argv)
{
    zkr_app_attest_opts a;
    zkr_app_attest_made m;
    int done = 0;
    zkr_err r;

    if ((r = parse_args(cli, argc, argv, &a, &done)) != ZKR_OK || done)
        return r;
    r = zkr_app_attest(cli, &a, &m);
    if (r == ZKR_OK && m.committed)
        r = report(cli, &a, &m);
    zkr_app_attest_made_free(&m);
    return r;
}
