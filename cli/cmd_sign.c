/* cmd_sign.c: key, attest, verify-attestation and gate (signer/ and hsm/). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/attest.h"
#include "sign_cli.h"
#include "cli.h"
#include "hsm/hsm.h"
#include "signer/signer.h"

#define EXIT_CODES_HELP                                                                           \
    "\nexit codes: 0 ok, 1 signature/policy/verification failed, 2 usage, 3 malformed input,\n"  \
    "  4 not found, 5 exists, 6 revoked or expired, 7 key or HSM error, 9 I/O, 10 internal\n"

static const char key_help[] =
    "usage: zkreg key generate --type ed25519|secp256k1 -o KEYFILE\n"
    "       zkreg key register URI|TYPE:HEX [--registry PATH]\n"
    "                          [--passphrase-file F | --passphrase-fd N] [--kdf moderate|interactive]\n"
    "       zkreg key public URI [--passphrase-file F | --passphrase-fd N] [--address 0x..]\n"
    "       zkreg key list [--module PATH]\n"
    "\n"
    "generate  make a key sealed under a passphrase (Argon2id + XChaCha20-Poly1305);\n"
    "          the passphrase comes from --passphrase-fd (first line), --passphrase-file,\n"
    "          $ZKREG_PASSPHRASE_FILE or the terminal, never from argv or an environment\n"
    "          value. --kdf interactive is weaker: tests only.\n"
    "public    print the public key TYPE:HEX (and the Ethereum address for secp256k1)\n"
    "          of file:PATH (no passphrase needed) or pkcs11:... (RFC 7512) URIs\n"
    "list      list the keys of a PKCS#11 module as URIs (default: OpenSC's module)\n"
    "register  record the public key of URI (or TYPE:HEX, e.g. eth:0x.. for a wallet) in\n"
    "          the registry as a signer key; `zkreg attest` signs only with registered,\n"
    "          unrevoked keys. Revoke with `zkreg revoke key KEYID --reason TEXT`.\n" EXIT_CODES_HELP;

zkr_err zkr_cli_read_pass_fd(zkr_cli *cli, int fd, zkr_secret *out)
{
    return zkr_app_read_pass_fd(cli, fd, out);
}

/* The passphrase: --passphrase-fd, else --passphrase-file / env / TTY. */
static zkr_err get_pass(zkr_cli *cli, int fd, const char *path, zkr_secret *out)
{
    if (fd >= 0)
        return zkr_cli_read_pass_fd(cli, fd, out);
    return zkr_passphrase_read(path, out, &cli->diag);
}

static zkr_err key_generate(zkr_cli *cli, const char *type, const char *out_path,
                            const char *pass_path, int pass_fd, int fast)
{
    zkr_key_type t;
    zkr_secret pass = {0};
    zkr_buf file = {0};
    zkr_pubkey pub;
    char pubs[160], addr[43] = "";
    uint8_t a[20];
    struct stat st;
    zkr_err r;

    if (type == NULL || out_path == NULL)
        return zkr_cli_usage(cli, "key generate needs --type and -o");
    if (strcmp(type, "ed25519") == 0)
        t = ZKR_KEY_ED25519;
    else if (strcmp(type, "secp256k1") == 0)
        t = ZKR_KEY_SECP256K1;
    else
        return zkr_cli_usage(cli, "--type must be ed25519 or secp256k1, not '%s'", type);
    /* Early, friendly refusal; the publish below is what guarantees "never overwritten". */
    if (lstat(out_path, &st) == 0)
        return zkr_fail(&cli->diag, ZKR_ERR_EXISTS, "%s exists; a key is never overwritten",
                        out_path);
    if ((r = get_pass(cli, pass_fd, pass_path, &pass)) != ZKR_OK ||
        (r = zkr_keyfile_generate(t, pass.p, pass.len, fast, &file, &pub, &cli->diag)) != ZKR_OK ||
        (r = zkr_file_publish_new(out_path, file.p, file.len, 0600, &cli->diag)) != ZKR_OK ||
        (r = zkr_pubkey_format(&pub, pubs, sizeof pubs)) != ZKR_OK)
        goto out;
    if (zkr_pubkey_eth_address(&pub, a) == ZKR_OK)
        zkr_eth_address_format(a, addr);
    if (cli->json) {
        printf("{\"ok\":true,\"file\":");
        zkr_cli_json_string(stdout, out_path);
        printf(",\"public\":\"%s\"%s%s%s}\n", pubs, addr[0] ? ",\"address\":\"" : "", addr,
               addr[0] ? "\"" : "");
    } else {
        printf("%s\n", pubs);
        if (addr[0])
            printf("address %s\n", addr);
    }
out:
    zkr_secret_free(&pass);
    zkr_buf_free(&file);
    return r;
}

/* `key register`: records the key (app/attest.h) and reports its log entry. */
static zkr_err key_registered(zkr_cli *cli, const zkr_pubkey *k)
{
    zkr_signer_key row;
    char kid[ZKR_KEYID_HEX + 1], pubs[160];
    zkr_err r;

    zkr_pubkey_keyid(k, kid);
    if ((r = zkr_pubkey_format(k, pubs, sizeof pubs)) != ZKR_OK ||
        (r = zkr_app_key_register(cli, k, &row)) != ZKR_OK)
        return r;
    if (cli->json)
        printf("{\"ok\":true,\"keyid\":\"%s\",\"public\":\"%s\",\"log_index\":%llu,"
               "\"existed\":%s}\n",
               kid, pubs, (unsigned long long)row.log_index, row.existed ? "true" : "false");
    else
        printf("%s key %s\n%s\nlog index %llu\n",
               row.existed ? "already registered:" : "registered:", kid, pubs,
               (unsigned long long)row.log_index);
    return ZKR_OK;
}

static zkr_err key_public(zkr_cli *cli, const char *uri, const char *pass_path, int pass_fd,
                          const char *address, int do_register)
{
    zkr_signer_opts o = {.passphrase_path = pass_path, .eth_address = address,
                         .registry_path = cli->registry_path};
    zkr_secret pass = {0};
    zkr_signer *s = NULL;
    zkr_buf file = {0};
    zkr_pubkey pub;
    char pubs[160], addr[43] = "", keyid[ZKR_KEYID_HEX + 1];
    uint8_t a[20];
    zkr_err r;

    if (strncmp(uri, "file:", 5) != 0 && strncmp(uri, "pkcs11:", 7) != 0 &&
        strncmp(uri, "external:", 9) != 0) {
        /* TYPE:HEX (e.g. eth:0x.. of a hardware wallet) */
        if ((r = zkr_pubkey_parse(uri, "key", &pub, &cli->diag)) != ZKR_OK)
            goto out;
    } else if (strncmp(uri, "file:", 5) == 0 && pass_path == NULL && pass_fd < 0) {
        /* The public half needs no passphrase (signing re-checks it against the secret). */
        if ((r = zkr_file_read(uri + 5, ZKR_KEYFILE_MAX, &file, &cli->diag)) != ZKR_OK ||
            (r = zkr_keyfile_public(file.p, file.len, &pub, &cli->diag)) != ZKR_OK)
            goto out;
    } else {
        if (pass_fd >= 0) {
            if ((r = zkr_cli_read_pass_fd(cli, pass_fd, &pass)) != ZKR_OK)
                goto out;
            o.passphrase = &pass;
        }
        if ((r = zkr_signer_open(uri, &o, &s, &cli->diag)) != ZKR_OK)
            goto out;
        pub = *zkr_signer_pubkey(s);
    }
    if (do_register) {
        r = key_registered(cli, &pub);
        goto out;
    }
    if ((r = zkr_pubkey_format(&pub, pubs, sizeof pubs)) != ZKR_OK)
        goto out;
    zkr_pubkey_keyid(&pub, keyid);
    if (pub.type != ZKR_KEY_ETH && zkr_pubkey_eth_address(&pub, a) == ZKR_OK)
        zkr_eth_address_format(a, addr);
    if (cli->json)
        printf("{\"ok\":true,\"public\":\"%s\",\"keyid\":\"%s\"%s%s%s}\n", pubs, keyid,
               addr[0] ? ",\"address\":\"" : "", addr, addr[0] ? "\"" : "");
    else
        printf("%s\nkeyid %s\n%s%s%s", pubs, keyid, addr[0] ? "address " : "", addr,
               addr[0] ? "\n" : "");
out:
    zkr_signer_free(s);
    zkr_secret_free(&pass);
    zkr_buf_free(&file);
    return r;
}

static zkr_err key_list(zkr_cli *cli, const char *module)
{
    zkr_hsm_list_entry *e = NULL;
    size_t n = 0;
    zkr_err r = zkr_hsm_list(module, NULL, cli->registry_path, &e, &n, &cli->diag);

    if (r != ZKR_OK)
        return r;
    if (cli->json)
        printf("{\"ok\":true,\"keys\":[");
    for (size_t i = 0; i < n; i++) {
        if (cli->json) {
            printf("%s{\"uri\":", i ? "," : "");
            zkr_cli_json_string(stdout, e[i].uri);
            printf(",\"type\":\"%s\"}", e[i].type_name);
        } else {
            printf("%s\t%s\n", e[i].uri, e[i].type_name);
        }
    }
    if (cli->json)
        printf("]}\n");
    free(e);
    return ZKR_OK;
}

zkr_err zkr_cmd_key(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"type", required_argument, NULL, 't'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"passphrase-fd", required_argument, NULL, 'f'},
                                         {"kdf", required_argument, NULL, 'k'},
                                         {"module", required_argument, NULL, 'm'},
                                         {"address", required_argument, NULL, 'a'},
                                         {NULL, 0, NULL, 0}};
    const char *type = NULL, *out = NULL, *pass = NULL, *module = NULL, *address = NULL;
    int c, done, fast = 0, pass_fd = -1;
    uint64_t fdv;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "t:o:p:m:a:h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, key_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        switch (c) {
        case 't':
            type = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'p':
            pass = optarg;
            break;
        case 'f':
            if ((r = zkr_cli_parse_u64(cli, "--passphrase-fd", optarg, &fdv)) != ZKR_OK)
                return r;
            if (fdv == 1 || fdv == 2 || fdv > 1024)
                return zkr_cli_usage(cli, "--passphrase-fd must be 0 or 3..1024 (not stdout or "
                                          "stderr)");
            pass_fd = (int)fdv;
            break;
        case 'k':
            if (strcmp(optarg, "interactive") != 0 && strcmp(optarg, "moderate") != 0)
                return zkr_cli_usage(cli, "--kdf must be moderate or interactive");
            fast = strcmp(optarg, "interactive") == 0;
            break;
        case 'm':
            module = optarg;
            break;
        case 'a':
            address = optarg;
            break;
        default:
            return zkr_cli_usage(cli, "unknown option");
        }
    }
    if (optind >= argc)
        return zkr_cli_usage(cli, "key needs a subcommand: generate, public, register or list");
    if (strcmp(argv[optind], "generate") == 0 && optind + 1 == argc)
        return key_generate(cli, type, out, pass, pass_fd, fast);
    if (strcmp(argv[optind], "public") == 0 && optind + 2 == argc)
        return key_public(cli, argv[optind + 1], pass, pass_fd, address, 0);
    if (strcmp(argv[optind], "register") == 0 && optind + 2 == argc)
        return key_public(cli, argv[optind + 1], pass, pass_fd, address, 1);
    if (strcmp(argv[optind], "list") == 0 && optind + 1 == argc)
        return key_list(cli, module);
    return zkr_cli_usage(cli, "unknown key subcommand or wrong arguments: '%s'", argv[optind]);
}

/* Reads trusted keys given as TYPE:HEX or as key files. */
zkr_err zkr_cli_trusted_key(zkr_cli *cli, const char *arg, zkr_pubkey *k)
{
    zkr_buf file = {0};
    zkr_err r;

    if (strncmp(arg, "file:", 5) != 0)
        return zkr_pubkey_parse(arg, "--trusted-key", k, &cli->diag);
    if ((r = zkr_file_read(arg + 5, ZKR_KEYFILE_MAX, &file, &cli->diag)) == ZKR_OK)
        r = zkr_keyfile_public(file.p, file.len, k, &cli->diag);
    zkr_buf_free(&file);
    return r;
}

/*
 * --log-key: the evidence's trusted checkpoint must be the one its signed
 * note states, signed by the given appliance key (so the user pins a key,
 * not checkpoint values copied into the file).
 */
static zkr_err evidence_note_check(zkr_cli *cli, const zkr_evidence *ev, const char *log_key)
{
    const uint8_t *note;
    zkr_checkpoint cp;
    zkr_diag inner;
    size_t len = 0;
    zkr_err r;

    if ((note = zkr_evidence_note(ev, &len)) == NULL)
        return zkr_fail(&cli->diag, ZKR_ERR_VERIFY,
                        "--log-key: the evidence carries no signed checkpoint note");
    zkr_diag_clear(&inner);
    if ((r = zkr_checkpoint_verify(note, len, log_key, &cp, &inner)) != ZKR_OK)
        return zkr_fail(&cli->diag, r == ZKR_ERR_MALFORMED ? r : ZKR_ERR_VERIFY,
                        "--log-key: the evidence's note: %s", inner.msg);
    return zkr_evidence_match_checkpoint(ev, cp.origin, cp.size, cp.root, cp.has_revocations,
                                         cp.revocation_count, cp.revocation_digest, &cli->diag);
}

/*
 * The checks only a registry knows: from an offline evidence file when one
 * is given, else from the registry (--registry / $ZKREG_REGISTRY / ./zkreg.db)
 * when it exists. *have is 0 when neither is available.
 */
static zkr_err load_evidence(zkr_cli *cli, const char *path, const char *log_key,
                             zkr_evidence **ev, zkr_registry **rh, zkr_attest_registry *reg,
                             int *have)
{
    zkr_buf file = {0};
    zkr_err r = ZKR_OK;

    memset(reg, 0, sizeof *reg);
    *ev = NULL;
    *rh = NULL;
    *have = 0;
    if (log_key != NULL && path == NULL)
        return zkr_cli_usage(cli, "--log-key checks the note of an --evidence FILE");
    if (path == NULL) {
        if (cli->registry_path == NULL || access(cli->registry_path, F_OK) != 0) {
            /*
             * Only the implicit ./zkreg.db may be absent (a signature-only
             * check, reported as such): a registry the user named and that
             * is not there must not silently turn its checks off.
             */
            if (cli->registry_path != NULL && strcmp(cli->registry_path, "./zkreg.db") != 0)
                return zkr_fail(&cli->diag, ZKR_ERR_NOT_FOUND,
                                "registry %s does not exist: its statement, inclusion and "
                                "revocation checks cannot run (give --evidence FILE, or no "
                                "--registry/$ZKREG_REGISTRY for a signature-only check)",
                                cli->registry_path);
            return ZKR_OK;
        }
        /* One snapshot for every check: a revocation or import that commits meanwhile is
         * either wholly seen or not at all. */
        if ((r = zkr_registry_open_readonly(cli->registry_path, rh, &cli->diag)) != ZKR_OK ||
            (r = zkr_registry_read_begin(*rh, &cli->diag)) != ZKR_OK)
            return r;
        zkr_app_attest_registry(*rh, reg);
        *have = 1;
        return ZKR_OK;
    }
    if ((r = zkr_file_read(path, 16 << 20, &file, &cli->diag)) == ZKR_OK &&
        (r = zkr_evidence_load(file.p, file.len, ev, &cli->diag)) == ZKR_OK &&
        (log_key == NULL || (r = evidence_note_check(cli, *ev, log_key)) == ZKR_OK)) {
        zkr_evidence_registry(*ev, reg);
        *have = 1;
    }
    zkr_buf_free(&file);
    return r;
}

static const char va_help[] =
    "usage: zkreg verify-attestation ATTESTATION --trusted-key KEY [--trusted-key KEY]...\n"
    "                                [--evidence FILE [--log-key VKEY]]\n"
    "\n"
    "Checks the envelope and payload strictly, then every signature against the trusted\n"
    "keys (TYPE:HEX as `zkreg key public` prints it, or file:KEYFILE). With --evidence\n"
    "(zkreg log evidence) also checks that the attestation's checkpoint is the trusted\n"
    "one or proven consistent with it, and revocation against the evidence's complete,\n"
    "signed revocation set (none: fails closed, exit 6). --log-key VKEY (zkreg log key\n"
    "of the appliance) also requires the evidence's checkpoint to be its signed note's.\n"
    "Without --evidence, when the registry (--registry, $ZKREG_REGISTRY, ./zkreg.db)\n"
    "exists, checks against it: the registered statement (exit 4 unknown, 1 differs),\n"
    "the proof's log entry included in the attestation's checkpoint, and revocation\n"
    "of the statement, its artifacts, schema and the signing keys (exit 6).\n" EXIT_CODES_HELP;

zkr_err zkr_cmd_verify_attestation(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"trusted-key", required_argument, NULL, 'k'},
                                         {"evidence", required_argument, NULL, 'e'},
                                         {"log-key", required_argument, NULL, 'L'},
                                         {NULL, 0, NULL, 0}};
    zkr_pubkey keys[ZKR_POLICY_MAX_KEYS];
    size_t nkeys = 0;
    const char *evidence = NULL, *log_key = NULL;
    zkr_evidence *ev = NULL;
    zkr_registry *rh = NULL;
    zkr_attest_registry reg;
    zkr_attest_result res;
    int have = 0;
    zkr_buf att = {0};
    char sid[65];
    int c, done;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, va_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (c == 'k') {
            if (nkeys == ZKR_POLICY_MAX_KEYS)
                return zkr_cli_usage(cli, "at most %d --trusted-key", ZKR_POLICY_MAX_KEYS);
            if ((r = zkr_cli_trusted_key(cli, optarg, &keys[nkeys++])) != ZKR_OK)
                return r;
        } else if (c == 'e') {
            evidence = optarg;
        } else if (c == 'L') {
            log_key = optarg;
        } else {
            return zkr_cli_usage(cli, "unknown option");
        }
    }
    if (optind + 1 != argc)
        return zkr_cli_usage(cli, "verify-attestation takes one ATTESTATION");
    if (nkeys == 0)
        return zkr_cli_usage(cli, "give at least one --trusted-key");
    if ((r = load_evidence(cli, evidence, log_key, &ev, &rh, &reg, &have)) != ZKR_OK ||
        (r = zkr_file_read(argv[optind], ZKR_DSSE_MAX_BYTES, &att, &cli->diag)) != ZKR_OK ||
        (r = zkr_attest_verify(att.p, att.len, keys, nkeys, have ? &reg : NULL, &res,
                               &cli->diag)) != ZKR_OK)
        goto out;
    (void)!zkr_hex_encode(res.facts.statement_id, 32, sid, sizeof sid);
    if (cli->json)
        printf("{\"ok\":true,\"statement\":\"%s\",\"schema\":\"%s@%s\",\"trusted_signatures\":%zu,"
               "\"time\":%lld,\"log_index\":%llu,\"evidence_checked\":%s}\n",
               sid, res.facts.schema_name, res.facts.schema_version, res.nvalid,
               (long long)res.facts.time, (unsigned long long)res.facts.log_index,
               have ? "true" : "false");
    else
        printf("ok: statement %s, schema %s@%s, %zu trusted signature(s)%s\n", sid,
               res.facts.schema_name, res.facts.schema_version, res.nvalid,
               rh != NULL ? ", statement, log inclusion and revocation checked in the registry"
               : ev != NULL ? ", checkpoint and revocation checked" : "");
out:
    zkr_registry_close(rh);
    zkr_evidence_free(ev);
    zkr_buf_free(&att);
    return r;
}

static const char gate_help[] =
    "usage: zkreg gate --policy POLICY [--evidence FILE [--log-key VKEY]]\n"
    "                  [--evaluation EVAL_ATTESTATION ...] ATTESTATION...\n"
    "\n"
    "Passes (exit 0) only when every rule of the policy holds, checked in this order:\n"
    "format, same-statement, threshold (M distinct trusted signers; a signer counts\n"
    "once, under either name of a secp256k1 key), schema, max-age, log-inclusion,\n"
    "revocation, statement, evaluation (with require_evaluation). Every policy\n"
    "field but revoked_verifiers and require_evaluation is required.\n"
    "Otherwise exits with the first failing rule's code. --json prints a\n"
    "machine-readable report either way.\n"
    "POLICY: {\"format\":\"zkreg-policy/v1\",\"trusted_keys\":[\"ed25519:HEX\",..],\n"
    "  \"threshold\":M,\"schemas\":[\"name@1\",\"other@*\"],\"max_age_seconds\":N,\n"
    "  \"require_log_inclusion\":true,\"check_revocation\":true,\n"
    "  \"revoked_verifiers\":[\"inference@1@0.1.0\"],\n"
    "  \"require_evaluation\":{\"dataset\":\"SHA256\",\"min_correct\":K}}\n"
    "  (revoked_verifiers and require_evaluation optional)\n"
    "require_evaluation: the gate also needs --evaluation attestations (by the\n"
    "policy's keys, passing the same rules) of an evaluation@1 or\n"
    "evaluation-graph@1 statement of the\n"
    "release's model over that dataset (all records, or record_first and\n"
    "record_count if the policy gives them) proving >= K correct (rule\n"
    "'evaluation', exit 1; checked in the registry, so not with --evidence).\n"
    "Log inclusion, revocation and the registered statement are checked against\n"
    "--evidence FILE when given (--log-key VKEY: its checkpoint must be its note's,\n"
    "signed by that key), else against the registry when it exists.\n" EXIT_CODES_HELP;

#define GATE_MAX_EVALUATIONS 16

static zkr_err gate_run(zkr_cli *cli, const char *policy_path, const char *evidence,
                        const char *log_key, int n, char **files, const char *const *efiles,
                        size_t ne)
{
    zkr_buf pfile = {0}, report = {0}, *atts = NULL, evals[GATE_MAX_EVALUATIONS];
    zkr_policy *pol = NULL;
    zkr_evidence *ev = NULL;
    zkr_registry *rh = NULL;
    zkr_attest_registry reg;
    zkr_gate_report *rep = NULL;
    int have = 0;
    zkr_err r;

    memset(evals, 0, sizeof evals);
    atts = calloc((size_t)n, sizeof *atts);
    pol = calloc(1, sizeof *pol);
    rep = calloc(1, sizeof *rep);
    if (atts == NULL || pol == NULL || rep == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = zkr_file_read(policy_path, 1 << 20, &pfile, &cli->diag)) != ZKR_OK ||
        (r = zkr_policy_parse(pfile.p, pfile.len, pol, &cli->diag)) != ZKR_OK ||
        (r = load_evidence(cli, evidence, log_key, &ev, &rh, &reg, &have)) != ZKR_OK)
        goto out;
    for (int i = 0; i < n; i++)
        if ((r = zkr_file_read(files[i], ZKR_DSSE_MAX_BYTES, &atts[i], &cli->diag)) != ZKR_OK)
            goto out;
    for (size_t i = 0; i < ne; i++)
        if ((r = zkr_file_read(efiles[i], ZKR_DSSE_MAX_BYTES, &evals[i], &cli->diag)) != ZKR_OK)
            goto out;
    if (ne > 0 && !pol->require_evaluation) {
        r = zkr_cli_usage(cli, "--evaluation: the policy has no require_evaluation, so the "
                               "evaluation attestations would be ignored");
        goto out;
    }
    r = zkr_gate_eval(pol, atts, (size_t)n, evals, ne, (int64_t)time(NULL), have ? &reg : NULL,
                      rep);
    if (r != ZKR_OK)
        (void)!zkr_fail(&cli->diag, r, "rule '%s' failed: %s",
                        zkr_gate_rule_name(rep->failed_rule), rep->message);
    if (cli->json) {
        if (zkr_gate_report_json(rep, &report) == ZKR_OK)
            fwrite(report.p, 1, report.len, stdout);
        cli->json = 0; /* the report is the JSON answer; the error goes to stderr only */
    } else if (r == ZKR_OK) {
        printf("gate passed: %zu distinct trusted key(s) of %u required\n", rep->distinct_keys,
               rep->threshold);
        if (rep->evaluated)
            printf("evaluation: %s %llu of %llu correct (records %llu..+%llu), %llu required\n",
                   rep->eval.mode == 0 ? "exactly" : "at least",
                   (unsigned long long)rep->eval.value, (unsigned long long)rep->eval.out_count,
                   (unsigned long long)rep->eval.first, (unsigned long long)rep->eval.count,
                   (unsigned long long)pol->eval_min_correct);
    }
out:
    for (int i = 0; atts != NULL && i < n; i++)
        zkr_buf_free(&atts[i]);
    for (size_t i = 0; i < ne; i++)
        zkr_buf_free(&evals[i]);
    free(atts);
    free(pol);
    free(rep);
    zkr_registry_close(rh);
    zkr_evidence_free(ev);
    zkr_buf_free(&pfile);
    zkr_buf_free(&report);
    return r;
}

zkr_err zkr_cmd_gate(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"policy", required_argument, NULL, 'p'},
                                         {"evidence", required_argument, NULL, 'e'},
                                         {"log-key", required_argument, NULL, 'L'},
                                         {"evaluation", required_argument, NULL, 'E'},
                                         {NULL, 0, NULL, 0}};
    const char *policy = NULL, *evidence = NULL, *log_key = NULL;
    const char *efiles[GATE_MAX_EVALUATIONS];
    size_t ne = 0;
    int c, done;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, gate_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        if (c == 'p')
            policy = optarg;
        else if (c == 'e')
            evidence = optarg;
        else if (c == 'L')
            log_key = optarg;
        else if (c == 'E' && ne < GATE_MAX_EVALUATIONS)
            efiles[ne++] = optarg;
        else if (c == 'E')
            return zkr_cli_usage(cli, "--evaluation: at most %d files",
                                 GATE_MAX_EVALUATIONS);
        else
            return zkr_cli_usage(cli, "unknown option");
    }
    if (policy == NULL)
        return zkr_cli_usage(cli, "gate needs --policy POLICY");
    if (optind >= argc)
        return zkr_cli_usage(cli, "gate needs at least one ATTESTATION");
    return gate_run(cli, policy, evidence, log_key, argc - optind, argv + optind, efiles, ne);
}
