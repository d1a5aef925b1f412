/*
 * cmd_attest.c: `zkreg attest`, verify-before-sign (DESIGN.md sections 4
 * and 8, docs/signing.md). The proof is verified in the confined "verify"
 * worker with every binding taken from the registry; the binding rules are
 * then checked here again from the registry; only then is anything signed.
 * Every refusal is appended to the registry log ("attest-refusal": who,
 * what, why) and writes no attestation; every attestation is logged too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/attest.h"
#include "sign_cli.h"
#include "registry_cli.h"
#include "verifier/verifier.h"
#include "workers.h"
#include "zkr_config.h"

/* Seconds an imported request may be dated ahead of this clock (as the gate allows). */
#define ATTEST_IMPORT_SKEW 300

static zkr_err open_signer(zkr_app *app, const zkr_app_attest_opts *a, zkr_signer **s)
{
    zkr_signer_opts o = {.passphrase_path = a->pass_file, .eth_address = a->address,
                         .registry_path = app->registry_path};
    zkr_secret pass = {0};
    zkr_err r;

    if (a->pass_fd >= 0) {
        if ((r = zkr_app_read_pass_fd(app, a->pass_fd, &pass)) != ZKR_OK)
            return r;
        o.passphrase = &pass;
    }
    r = zkr_signer_open(a->key, &o, s, &app->diag);
    zkr_secret_free(&pass);
    return r;
}

/* The key's public half: from the key file without the passphrase, else by opening it. */
static zkr_err who(zkr_app *app, const zkr_app_attest_opts *a, zkr_pubkey *pub, zkr_signer **s)
{
    zkr_buf file = {0};
    zkr_err r;

    if (a->key == NULL) /* --eip712-json: nobody signs */
        return ZKR_OK;
    if (strncmp(a->key, "file:", 5) == 0) {
        if ((r = zkr_file_read(a->key + 5, ZKR_KEYFILE_MAX, &file, &app->diag)) == ZKR_OK)
            r = zkr_keyfile_public(file.p, file.len, pub, &app->diag);
        zkr_buf_free(&file);
        return r;
    }
    if ((r = open_signer(app, a, s)) != ZKR_OK)
        return r;
    *pub = *zkr_signer_pubkey(*s);
    return ZKR_OK;
}


/* An attestation the log does not show is not handed out: removed when nothing committed. */
static void made_free(const zkr_app_attest_opts *a, zkr_app_attest_made *m, int committed)
{
    if (m->written && !committed)
        (void)remove(a->out);
    if (!committed)
        zkr_buf_free(&m->out);
}

/* Writes m->out to a->out (not stdout) before the commit, so a failed write logs nothing. */
static zkr_err write_before_commit(zkr_app *app, const zkr_app_attest_opts *a, zkr_app_attest_made *m)
{
    zkr_err r;

    if (a->out == NULL || strcmp(a->out, "-") == 0)
        return ZKR_OK; /* stdout: reported after the commit */
    if ((r = zkr_file_write_atomic(a->out, m->out.p, m->out.len, 0644, &app->diag)) == ZKR_OK)
        m->written = 1;
    return r;
}

/*
 * Inside the write transaction, after every check held: sign (or make the
 * wallet request / typed data), write it, and log the attestation. The
 * signer is already open, so the write lock waits for no passphrase.
 */
static zkr_err attest_sign(zkr_app *app, zkr_registry *reg, const zkr_app_attest_opts *a,
                           const zkr_attest_facts *f, const zkr_pubkey *key, zkr_signer *s,
                           zkr_app_attest_made *m)
{
    zkr_eip712_domain dom;
    uint8_t addr[ZKR_ETH_ADDR_BYTES];
    int has_dom = a->domain != NULL;
    zkr_err r;

    if (has_dom && (r = zkr_eip712_domain_load(a->domain, &dom, &app->diag)) != ZKR_OK)
        return r;
    if (a->eip712_json) {
        if ((r = zkr_attest_eip712_json(f, &dom, &m->out, &app->diag)) != ZKR_OK ||
            (r = zkr_buf_append(&m->out, (const uint8_t *)"\n", 1)) != ZKR_OK)
            return r;
        return write_before_commit(app, a, m);
    }
    if (zkr_signer_pubkey(s)->pub_len != key->pub_len ||
        memcmp(zkr_signer_pubkey(s)->pub, key->pub, key->pub_len) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_KEY, "%s: the opened key is not the key checked",
                        a->key);
    if (zkr_signer_is_external(s)) {
        if (!has_dom)
            return zkr_fail(&app->diag, ZKR_ERR_USAGE, "external:eip712 needs --eip712-domain FILE");
        memcpy(addr, key->pub, sizeof addr);
        m->what = "request";
        if ((r = zkr_attest_eip712_request(f, &dom, addr, &m->out, &app->diag)) != ZKR_OK)
            return r;
        return write_before_commit(app, a, m);
    }
    m->what = "attestation";
    if ((r = zkr_attest_sign(s, f, has_dom ? &dom : NULL, &m->out, &app->diag)) != ZKR_OK ||
        (r = zkr_file_write_atomic(a->out, m->out.p, m->out.len, 0644, &app->diag)) != ZKR_OK)
        return r;
    m->written = 1;
    if ((r = zkr_app_attest_log(app, reg, key, f, &m->out, &m->att_idx)) == ZKR_OK)
        m->logged = 1;
    return r;
}

/*
 * --import-signature checks, inside the write transaction: the request's
 * address is a registered, unrevoked key (ecrecover gave exactly it), the
 * statement and every row behind it agree with the log, nothing is revoked,
 * and the facts' proof record is in this log.
 */
static zkr_err import_checks(zkr_app *app, zkr_registry *reg, const zkr_attest_facts *f,
                             const zkr_pubkey *key)
{
    zkr_attest_registry cb;
    uint64_t kidx;
    int64_t now;
    zkr_err r;

    /* The request file is the holder's to edit and the wallet signs what it is shown: a time
     * this appliance never gave (dated ahead, so it stays "fresh" for max_age later) must not
     * be logged as this appliance's attestation. */
    if ((r = zkr_app_attest_time(app, &now)) != ZKR_OK)
        return r;
    if (f->time > now + ATTEST_IMPORT_SKEW)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED,
                        "signing request: the attestation is dated %lld s in the future (this "
                        "appliance dates requests when it writes them)",
                        (long long)(f->time - now));
    zkr_app_attest_registry(reg, &cb);
    if ((r = cb.revoked(cb.ctx, f, key, &app->diag)) != ZKR_OK ||
        (r = cb.statement(cb.ctx, f, &app->diag)) != ZKR_OK ||
        (r = cb.inclusion(cb.ctx, f, &app->diag)) != ZKR_OK)
        return r;
    r = zkr_app_key_lookup(reg, key, &kidx, &app->diag);
    if (r == ZKR_ERR_NOT_FOUND)
        return zkr_fail(&app->diag, ZKR_ERR_KEY,
                        "the request's wallet address is not a registered signer key");
    return r;
}

/* The request's "address": the only signer ecrecover may give. */
static zkr_err request_address(zkr_app *app, const zkr_app_attest_opts *a, const zkr_buf *req,
                               zkr_pubkey *key)
{
    json_error_t je;
    json_t *j = json_loadb((const char *)req->p, req->len, JSON_REJECT_DUPLICATES, &je);
    const char *addr = j ? json_string_value(json_object_get(j, "address")) : NULL;
    zkr_err r;

    memset(key, 0, sizeof *key);
    key->type = ZKR_KEY_ETH;
    key->pub_len = ZKR_ETH_ADDR_BYTES;
    r = addr ? zkr_eth_address_parse(addr, key->pub) : ZKR_ERR_MALFORMED;
    json_decref(j);
    if (r != ZKR_OK)
        return zkr_fail(&app->diag, ZKR_ERR_MALFORMED, "%s: address missing or malformed",
                        a->request);
    return ZKR_OK;
}

/* --import-signature: the wallet's signature over a request this command wrote. */
static zkr_err attest_import(zkr_app *app, zkr_registry *reg, const zkr_app_attest_opts *a,
                             zkr_app_attest_made *mp)
{
    zkr_buf req = {0};
    zkr_envelope env;
    zkr_attest_facts f;
    zkr_pubkey key;
    zkr_app_attest_made m;
    int committed = 0;
    zkr_err r;

    memset(&env, 0, sizeof env);
    memset(&m, 0, sizeof m);
    m.what = "attestation";
    if (a->request == NULL || a->out == NULL)
        return zkr_fail(&app->diag, ZKR_ERR_USAGE,
                        "--import-signature needs --request REQUEST and -o ATTESTATION");
    if ((r = zkr_file_read(a->request, ZKR_DSSE_MAX_BYTES, &req, &app->diag)) != ZKR_OK ||
        (r = request_address(app, a, &req, &key)) != ZKR_OK ||
        (r = zkr_attest_import_signature(req.p, req.len, a->import_sig, key.pub, &m.out,
                                         &app->diag)) != ZKR_OK ||
        (r = zkr_envelope_parse(m.out.p, m.out.len, &env, &app->diag)) != ZKR_OK ||
        (r = zkr_attest_payload_parse(env.payload.p, env.payload.len, &f, &app->diag)) != ZKR_OK)
        goto out;
    /* Checks, file and log entry under one write lock: a revocation either committed before
     * the checks (and is seen) or waits until the attestation is logged. */
    if ((r = zkr_registry_write_begin(reg, &app->diag)) != ZKR_OK ||
        (r = import_checks(app, reg, &f, &key)) != ZKR_OK ||
        (r = zkr_file_write_atomic(a->out, m.out.p, m.out.len, 0644, &app->diag)) != ZKR_OK)
        goto out;
    m.written = 1;
    if ((r = zkr_app_attest_log(app, reg, &key, &f, &m.out, &m.att_idx)) != ZKR_OK ||
        (r = zkr_registry_write_commit(reg, &app->diag)) != ZKR_OK)
        goto out;
    committed = 1;
    m.logged = 1;
    m.committed = 1;
    m.has_key = 1;
    m.key = key;
    m.proof_idx = f.log_index;
out:
    zkr_registry_end(reg);
    made_free(a, &m, committed);
    *mp = m;
    zkr_envelope_free(&env);
    zkr_buf_free(&req);
    return r;
}

/*
 * The statement, the rows behind it and the registry rules, before the
 * confined verification (to refuse early) and again inside the write
 * transaction (what counts).
 */
static zkr_err load_and_check(zkr_app *app, zkr_registry *reg, const zkr_app_attest_opts *a,
                              zkr_statement *st, const zkr_pubkey *key)
{
    zkr_err r;

    zkr_statement_free(st);
    if ((r = zkr_registry_statement_get(reg, a->statement, st, &app->diag)) != ZKR_OK ||
        (r = zkr_registry_statement_check_log(reg, st, &app->diag)) != ZKR_OK)
        return r;
    return zkr_app_attest_rules(app, reg, st, a->key != NULL ? key : NULL);
}

/*
 * Under the write lock (BEGIN IMMEDIATE): re-check everything the registry
 * decides, so a revocation that committed while the verifier worker ran is
 * seen; record the verification; sign; log the attestation; commit. A
 * revocation that arrives later waits for the commit, and the log orders it
 * after the attestation. The lock is held for the checks, one checkpoint
 * signature and one attestation signature, never for the verification.
 */
static zkr_err attest_locked(zkr_app *app, zkr_registry *reg, const zkr_app_attest_opts *a,
                             zkr_statement *st, const zkr_buf *proof, const zkr_pubkey *key,
                             zkr_signer *s, const zkr_appliance_key *ak, int *refusable,
                             zkr_app_attest_made *m, uint64_t *proof_idx)
{
    zkr_attest_facts f;
    uint8_t sid[ZKR_DIGEST_BYTES];
    zkr_err r;

    memcpy(sid, st->statement_id, sizeof sid);
    if ((r = zkr_registry_write_begin(reg, &app->diag)) != ZKR_OK)
        return r;
    *refusable = a->key != NULL; /* the re-checks refuse as the first checks did */
    if ((r = load_and_check(app, reg, a, st, key)) != ZKR_OK)
        return r;
    if (memcmp(sid, st->statement_id, sizeof sid) != 0)
        return zkr_fail(&app->diag, ZKR_ERR_REGISTRY, "statement %s changed under attest",
                        a->statement);
    *refusable = 0; /* everything held; later failures are errors, not refusals */
    if ((r = zkr_app_attest_fill_facts(app, reg, ak, st, proof, &f)) != ZKR_OK ||
        (r = attest_sign(app, reg, a, &f, key, s, m)) != ZKR_OK)
        return r;
    *proof_idx = f.log_index;
    return zkr_registry_write_commit(reg, &app->diag);
}

zkr_err zkr_app_attest(zkr_app *app, const zkr_app_attest_opts *o, zkr_app_attest_made *made)
{
    const zkr_app_attest_opts a = *o;
    zkr_registry *reg = NULL;
    zkr_signer *s = NULL;
    zkr_appliance_key *ak = NULL;
    zkr_statement st;
    zkr_pubkey key;
    zkr_buf proof = {0};
    zkr_app_attest_made m;
    uint64_t proof_idx = 0;
    int refusable = 0, committed = 0;
    zkr_err r;

    memset(&st, 0, sizeof st);
    memset(&key, 0, sizeof key);
    memset(&m, 0, sizeof m);
    memset(made, 0, sizeof *made);
    if ((r = zkr_app_registry_open(app, &reg)) != ZKR_OK)
        goto out;
    if (a.import_sig != NULL) {
        r = attest_import(app, reg, &a, made);
        goto out;
    }
    if ((r = who(app, &a, &key, &s)) != ZKR_OK)
        goto out;
    refusable = a.key != NULL; /* from here on a refusal is logged with who signed nothing */
    if ((r = zkr_file_read(a.proof, ZKR_PROOF_MAX_BYTES, &proof, &app->diag)) != ZKR_OK ||
        (r = load_and_check(app, reg, &a, &st, &key)) != ZKR_OK ||
        (r = zkr_app_attest_check_proof(app, reg, &st, &proof)) != ZKR_OK)
        goto out;
    /* Open the signer and the appliance key now (passphrases, token login, Argon2id) so the
     * write lock never waits for them; failing here is an error, not a refusal. */
    refusable = 0;
    if ((a.key != NULL && s == NULL && (r = open_signer(app, &a, &s)) != ZKR_OK) ||
        (r = zkr_app_attest_appliance_key(app, reg, a.reg_pass_file, &st, &proof, &ak)) != ZKR_OK)
        goto out;
    if ((r = zkr_app_attest_test_pause(app)) != ZKR_OK ||
        (r = attest_locked(app, reg, &a, &st, &proof, &key, s, ak, &refusable, &m,
                           &proof_idx)) != ZKR_OK)
        goto out;
    committed = 1;
    m.committed = 1;
    m.proof_idx = proof_idx;
    m.has_key = a.key != NULL;
    m.key = key;
out:
    zkr_registry_end(reg); /* rolls back an attest_locked that failed; before the refusal log */
    if (a.import_sig == NULL) {
        made_free(&a, &m, committed);
        *made = m;
    }
    if (r != ZKR_OK && refusable)
        zkr_app_attest_log_refusal(app, reg, &key, a.statement, &st, &proof, r);
    zkr_appliance_key_free(ak);
    zkr_signer_free(s);
    zkr_statement_free(&st);
    zkr_buf_free(&proof);
    zkr_registry_close(reg);
    return r;
}

void zkr_app_attest_made_free(zkr_app_attest_made *m)
{
    zkr_buf_free(&m->out);
}

/* ------------------------------------------------------------------ */
/* The command: arguments in, the workflow above, the result printed    */
/* ------------------------------------------------------------------ */

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
