/*
 * cmd_eth.c: the on-chain side (docs/onchain.md). `zkreg attest-root` runs
 * verify-before-sign for every (statement, proof) pair, then signs one
 * EIP-712 ZkregBatch over the RFC 6962 (keccak256) root of the attestations'
 * struct hashes. `zkreg eth calldata` prints the ABI-encoded call of
 * ZkregAttestationRegistry (submit, submitBatch, proveIncluded) for a wallet
 * or a pipeline to send: zkreg never talks to a network.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/attest.h"
#include "registry_cli.h"

#define BATCH_FORMAT "zkreg-batch/v1"
#define EVENT_BATCH "attestation-batch"
#define BATCH_FILE_MAX (64u << 20)

static const char root_help[] =
    "usage: zkreg attest-root --statement ID --proof PROOF [--statement ID --proof PROOF]...\n"
    "                         --key URI [--key URI]... --eip712-domain FILE -o BATCH\n"
    "                         [--passphrase-file F] [--registry-passphrase-file F]\n"
    "\n"
    "For every (statement, proof) pair, in order, runs the checks of `zkreg attest`\n"
    "(revocations, registered keys, verifier pin, the proof verified in the confined\n"
    "worker) and records the verification; any refusal stops the batch, exit as attest.\n"
    "Then signs, with each secp256k1 key, the EIP-712 ZkregBatch(bytes32 root,uint64\n"
    "count,uint64 time) over the RFC 6962 keccak256 root of the attestations'\n"
    "ZkregAttestation struct hashes, writes BATCH (zkreg-batch/v1, docs/onchain.md)\n"
    "and logs an 'attestation-batch' event.\n"
    "\nexit codes: as zkreg attest (0 signed, 1, 2, 3, 4, 6, 7, 8, 9, 10)\n";

static const char eth_help[] =
    "usage: zkreg eth calldata ATTESTATION... [-o FILE]           submit(a, sigs)\n"
    "       zkreg eth calldata --batch BATCH [-o FILE]            submitBatch(b, sigs)\n"
    "       zkreg eth calldata --batch BATCH --index I [-o FILE]  proveIncluded(a, root, I, path)\n"
    "\n"
    "Prints 0x-hex calldata for ZkregAttestationRegistry (contracts/). For submit the\n"
    "attestations must carry the same payload; every EIP-712 signature (companion or\n"
    "wallet) must recover its address under one domain, and each address is used once.\n"
    "A batch's root is recomputed from its payloads and its signatures recovered.\n"
    "--json prints {function, to, chainId, data}. Nothing is sent anywhere.\n"
    "\nexit codes: 0 printed, 1 a signature or the root does not check, 2 usage,\n"
    "  3 malformed input or no EIP-712 signature, 4 not found, 9 I/O error\n";

/* ------------------------------------------------------------------ */
/* attest-root                                                         */
/* ------------------------------------------------------------------ */

typedef struct {
    const char **stmts, **proofs, *keys[ZKR_DSSE_MAX_SIGS];
    size_t npairs, nproofs, nkeys;
    const char *domain, *out, *pass_file, *reg_pass_file;
} root_args;

static zkr_err root_parse(zkr_cli *cli, int argc, char **argv, root_args *a, int *done)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"statement", required_argument, NULL, 's'},
                                         {"proof", required_argument, NULL, 'P'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"registry-passphrase-file", required_argument, NULL, 'R'},
                                         {"eip712-domain", required_argument, NULL, 'D'},
                                         {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, root_help, done)) {
            if (*done)
                return ZKR_OK;
            continue;
        }
        switch (c) {
        case 's':
            if (a->npairs >= ZKR_BATCH_MAX)
                return zkr_cli_usage(cli, "at most %d statements in a batch", ZKR_BATCH_MAX);
            a->stmts[a->npairs++] = optarg;
            break;
        case 'P':
            if (a->nproofs >= ZKR_BATCH_MAX)
                return zkr_cli_usage(cli, "at most %d proofs in a batch", ZKR_BATCH_MAX);
            a->proofs[a->nproofs++] = optarg;
            break;
        case 'k':
            if (a->nkeys >= ZKR_DSSE_MAX_SIGS)
                return zkr_cli_usage(cli, "at most %d keys", ZKR_DSSE_MAX_SIGS);
            a->keys[a->nkeys++] = optarg;
            break;
        case 'o': a->out = optarg; break;
        case 'p': a->pass_file = optarg; break;
        case 'R': a->reg_pass_file = optarg; break;
        case 'D': a->domain = optarg; break;
        default: return zkr_cli_usage(cli, "unknown option (see --help)");
        }
    }
    if (optind != argc)
        return zkr_cli_usage(cli, "unexpected argument '%s'", argv[optind]);
    if (a->npairs == 0 || a->npairs != a->nproofs)
        return zkr_cli_usage(cli, "attest-root needs --statement ID --proof PROOF pairs");
    if (a->nkeys == 0 || a->domain == NULL || a->out == NULL)
        return zkr_cli_usage(cli, "attest-root needs --key URI, --eip712-domain FILE and -o BATCH");
    return ZKR_OK;
}

/* Opens key i (file keys ask their passphrase here) and requires a secp256k1 key. */
static zkr_err root_signer(zkr_cli *cli, const root_args *a, size_t i, zkr_signer **s,
                           zkr_pubkey *pub)
{
    zkr_signer_opts o = {.passphrase_path = a->pass_file};
    zkr_err r;

    if ((r = zkr_signer_open(a->keys[i], &o, s, &cli->diag)) != ZKR_OK)
        return r;
    *pub = *zkr_signer_pubkey(*s);
    if (pub->type != ZKR_KEY_SECP256K1)
        return zkr_fail(&cli->diag, ZKR_ERR_KEY,
                        "%s: attest-root signs EIP-712 batches with secp256k1 keys only",
                        a->keys[i]);
    return ZKR_OK;
}

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char s[2 + 2 * ZKR_ETH_SIG_BYTES + 1] = "0x";
    (void)!zkr_hex_encode(p, n, s + 2, sizeof s - 2);
    return json_string(s);
}

static json_t *domain_obj(const zkr_eip712_domain *dom)
{
    char addr[43];
    zkr_eth_address_format(dom->verifying_contract, addr);
    return json_pack("{s:I, s:s, s:s, s:s}", "chainId", (json_int_t)dom->chain_id, "name",
                     dom->name, "verifyingContract", addr, "version", dom->version);
}

/* The batch file: canonical JSON, one line. */
static zkr_err batch_json(const zkr_eth_batch *b, const zkr_eip712_domain *dom,
                          const zkr_attest_facts *facts, size_t n,
                          const uint8_t (*sigs)[ZKR_ETH_SIG_BYTES],
                          const uint8_t (*addrs)[ZKR_ETH_ADDR_BYTES], size_t nsigs, zkr_buf *out)
{
    json_t *j, *pl = json_array(), *sa = json_array();
    zkr_buf p = {0}, b64 = {0};
    char addr[43], *txt = NULL;
    zkr_err r = ZKR_ERR_NOMEM;

    for (size_t i = 0; i < n; i++) {
        if ((r = zkr_attest_payload(&facts[i], &p, NULL)) != ZKR_OK ||
            (r = zkr_base64_encode(p.p, p.len, &b64)) != ZKR_OK)
            goto out;
        (void)json_array_append_new(pl, json_stringn((const char *)b64.p, b64.len));
        p.len = b64.len = 0;
    }
    for (size_t i = 0; i < nsigs; i++) {
        zkr_eth_address_format(addrs[i], addr);
        (void)json_array_append_new(sa, json_pack("{s:s, s:o}", "address", addr, "signature",
                                                  hex_json(sigs[i], ZKR_ETH_SIG_BYTES)));
    }
    j = json_pack("{s:{s:I, s:o, s:I}, s:o, s:s, s:O, s:O}", "batch", "count",
                  (json_int_t)b->count, "root", hex_json(b->root, 32), "time", (json_int_t)b->time,
                  "domain", domain_obj(dom), "format", BATCH_FORMAT, "payloads", pl, "signatures",
                  sa);
    r = ZKR_ERR_NOMEM;
    if (j != NULL && (txt = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT)) != NULL) {
        out->len = 0;
        if ((r = zkr_buf_append(out, txt, strlen(txt))) == ZKR_OK)
            r = zkr_buf_append(out, "\n", 1);
    }
    free(txt);
    json_decref(j);
out:
    json_decref(pl);
    json_decref(sa);
    zkr_buf_free(&p);
    zkr_buf_free(&b64);
    return r;
}

/* "attestation-batch": u32 1 | bytes root | u64 count | u64 time | u32 n, str keyid... | bytes
 * SHA-256 of the batch file. */
static zkr_err log_batch(zkr_cli *cli, zkr_registry *reg, const zkr_eth_batch *b,
                         const zkr_pubkey *keys, size_t nkeys, const zkr_buf *file, uint64_t *idx)
{
    zkr_buf ev = {0};
    char kid[ZKR_KEYID_HEX + 1];
    uint8_t sha[32];
    zkr_err r;

    zkr_sha256(file->p, file->len, sha);
    if ((r = zkr_enc_u32(&ev, 1)) == ZKR_OK && (r = zkr_enc_bytes(&ev, b->root, 32)) == ZKR_OK &&
        (r = zkr_enc_u64(&ev, b->count)) == ZKR_OK && (r = zkr_enc_u64(&ev, b->time)) == ZKR_OK &&
        (r = zkr_enc_u32(&ev, (uint32_t)nkeys)) == ZKR_OK)
        for (size_t i = 0; i < nkeys && r == ZKR_OK; i++) {
            zkr_pubkey_keyid(&keys[i], kid);
            r = zkr_enc_str(&ev, kid);
        }
    if (r == ZKR_OK && (r = zkr_enc_bytes(&ev, sha, 32)) == ZKR_OK)
        r = zkr_registry_event_append(reg, EVENT_BATCH, ev.p, ev.len, idx, &cli->diag);
    zkr_buf_free(&ev);
    return r;
}

/* Public keys without passphrases where the key file allows it (as attest's "who"). */
static zkr_err root_pubkeys(zkr_cli *cli, const root_args *a, zkr_pubkey *keys)
{
    zkr_buf file = {0};
    zkr_signer *s = NULL;
    zkr_err r = ZKR_OK;

    for (size_t i = 0; i < a->nkeys && r == ZKR_OK; i++) {
        if (strncmp(a->keys[i], "file:", 5) == 0) {
            if ((r = zkr_file_read(a->keys[i] + 5, ZKR_KEYFILE_MAX, &file, &cli->diag)) == ZKR_OK)
                r = zkr_keyfile_public(file.p, file.len, &keys[i], &cli->diag);
            zkr_buf_free(&file);
        } else if ((r = root_signer(cli, a, i, &s, &keys[i])) == ZKR_OK) {
            zkr_signer_free(s);
            s = NULL;
        }
        if (r == ZKR_OK && keys[i].type != ZKR_KEY_SECP256K1)
            r = zkr_fail(&cli->diag, ZKR_ERR_KEY,
                         "%s: attest-root signs EIP-712 batches with secp256k1 keys only",
                         a->keys[i]);
        for (size_t j = 0; j < i && r == ZKR_OK; j++)
            if (keys[j].pub_len == keys[i].pub_len &&
                memcmp(keys[j].pub, keys[i].pub, keys[i].pub_len) == 0)
                r = zkr_cli_usage(cli, "key %s given twice", a->keys[i]);
    }
    return r;
}

/* Signs the batch digest with every key; the opened key must be the one checked. */
static zkr_err root_sign(zkr_cli *cli, const root_args *a, const zkr_pubkey *keys,
                         const uint8_t digest[32], uint8_t (*sigs)[ZKR_ETH_SIG_BYTES],
                         uint8_t (*addrs)[ZKR_ETH_ADDR_BYTES])
{
    zkr_signer *s = NULL;
    zkr_pubkey pub;
    zkr_err r = ZKR_OK;

    for (size_t i = 0; i < a->nkeys && r == ZKR_OK; i++) {
        if ((r = root_signer(cli, a, i, &s, &pub)) == ZKR_OK) {
            if (pub.pub_len != keys[i].pub_len || memcmp(pub.pub, keys[i].pub, pub.pub_len) != 0)
                r = zkr_fail(&cli->diag, ZKR_ERR_KEY, "%s: the opened key is not the key checked",
                             a->keys[i]);
            else if ((r = zkr_signer_sign_eth(s, digest, sigs[i], &cli->diag)) == ZKR_OK)
                r = zkr_pubkey_eth_address(&pub, addrs[i]);
        }
        zkr_signer_free(s);
        s = NULL;
    }
    return r;
}

static zkr_err root_facts(zkr_cli *cli, zkr_registry *reg, const root_args *a,
                          const zkr_pubkey *keys, const zkr_eip712_domain *dom,
                          zkr_attest_facts *facts, uint8_t (*leaves)[32], zkr_eth_batch *b)
{
    zkr_err r;

    memset(b, 0, sizeof *b);
    for (size_t i = 0; i < a->npairs; i++) {
        if ((r = zkr_app_attest_facts(cli, reg, a->stmts[i], a->proofs[i], keys, a->nkeys,
                                      a->reg_pass_file, &facts[i])) != ZKR_OK)
            return r;
        for (size_t j = 0; j < i; j++)
            if (memcmp(facts[j].statement_id, facts[i].statement_id, 32) == 0)
                return zkr_cli_usage(cli, "statement %s is in the batch twice", a->stmts[i]);
        if ((r = zkr_attest_struct_hash(&facts[i], dom, leaves[i], &cli->diag)) != ZKR_OK)
            return r;
        if ((uint64_t)facts[i].time > b->time)
            b->time = (uint64_t)facts[i].time;
    }
    b->count = a->npairs;
    return zkr_eth_merkle_root((const uint8_t (*)[32])leaves, a->npairs, b->root);
}

/*
 * Under the write lock: every statement and key re-checked (a revocation
 * that landed while the proofs were verified or the root signed refuses
 * the batch), the file written, the batch logged, then the commit. A batch
 * the log does not show is never handed out.
 */
static zkr_err root_commit(zkr_cli *cli, zkr_registry *reg, const root_args *a,
                           const zkr_pubkey *keys, const zkr_attest_facts *facts,
                           const zkr_eth_batch *b, const zkr_buf *file, uint64_t *idx)
{
    int written = 0;
    zkr_err r;

    if ((r = zkr_registry_write_begin(reg, &cli->diag)) != ZKR_OK)
        goto out;
    for (size_t i = 0; i < a->npairs && r == ZKR_OK; i++)
        r = zkr_app_attest_recheck(cli, reg, a->stmts[i], facts[i].statement_id, keys, a->nkeys);
    if (r != ZKR_OK ||
        (r = zkr_file_write_atomic(a->out, file->p, file->len, 0644, &cli->diag)) != ZKR_OK)
        goto out;
    written = 1;
    if ((r = log_batch(cli, reg, b, keys, a->nkeys, file, idx)) == ZKR_OK)
        r = zkr_registry_write_commit(reg, &cli->diag);
out:
    zkr_registry_end(reg);
    if (r != ZKR_OK && written)
        (void)remove(a->out);
    return r;
}

zkr_err zkr_cmd_attest_root(zkr_cli *cli, int argc, char **argv)
{
    root_args a;
    zkr_registry *reg = NULL;
    zkr_eip712_domain dom;
    zkr_pubkey keys[ZKR_DSSE_MAX_SIGS];
    zkr_attest_facts *facts = NULL;
    uint8_t (*leaves)[32] = NULL, digest[32], sigs[ZKR_DSSE_MAX_SIGS][ZKR_ETH_SIG_BYTES];
    uint8_t addrs[ZKR_DSSE_MAX_SIGS][ZKR_ETH_ADDR_BYTES];
    zkr_eth_batch b;
    zkr_buf file = {0};
    uint64_t idx = 0;
    char root[65];
    int done = 0;
    zkr_err r;

    memset(&a, 0, sizeof a);
    a.stmts = calloc(ZKR_BATCH_MAX, sizeof *a.stmts);
    a.proofs = calloc(ZKR_BATCH_MAX, sizeof *a.proofs);
    if (a.stmts == NULL || a.proofs == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = root_parse(cli, argc, argv, &a, &done)) != ZKR_OK || done ||
        (r = zkr_eip712_domain_load(a.domain, &dom, &cli->diag)) != ZKR_OK ||
        (r = zkr_cli_registry_open(cli, &reg)) != ZKR_OK ||
        (r = root_pubkeys(cli, &a, keys)) != ZKR_OK)
        goto out;
    facts = calloc(a.npairs, sizeof *facts);
    leaves = calloc(a.npairs, sizeof *leaves);
    if (facts == NULL || leaves == NULL) {
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    if ((r = root_facts(cli, reg, &a, keys, &dom, facts, leaves, &b)) != ZKR_OK ||
        (r = zkr_eth_batch_digest(&b, &dom, digest, &cli->diag)) != ZKR_OK ||
        (r = root_sign(cli, &a, keys, digest, sigs, addrs)) != ZKR_OK ||
        (r = batch_json(&b, &dom, facts, a.npairs, (const uint8_t (*)[ZKR_ETH_SIG_BYTES])sigs,
                        (const uint8_t (*)[ZKR_ETH_ADDR_BYTES])addrs, a.nkeys, &file)) != ZKR_OK)
        goto out;
    if ((r = root_commit(cli, reg, &a, keys, facts, &b, &file, &idx)) != ZKR_OK)
        goto out;
    zkr_cli_hex32(b.root, root);
    if (cli->json)
        printf("{\"ok\":true,\"batch\":\"%s\",\"root\":\"0x%s\",\"count\":%llu,\"log_index\":%llu}\n",
               a.out, root, (unsigned long long)b.count, (unsigned long long)idx);
    else
        printf("batch: %s\nroot: 0x%s\ncount: %llu\nlog index: %llu\n", a.out, root,
               (unsigned long long)b.count, (unsigned long long)idx);
out:
    free(a.stmts);
    free(a.proofs);
    free(facts);
    free(leaves);
    zkr_buf_free(&file);
    zkr_registry_close(reg);
    return r;
}

/* ------------------------------------------------------------------ */
/* eth calldata                                                        */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *batch, *out;
    int has_index;
    uint64_t index;
} eth_args;

static int domain_equal(const zkr_eip712_domain *x, const zkr_eip712_domain *y)
{
    return strcmp(x->name, y->name) == 0 && strcmp(x->version, y->version) == 0 &&
           x->chain_id == y->chain_id &&
           memcmp(x->verifying_contract, y->verifying_contract, ZKR_ETH_ADDR_BYTES) == 0;
}

/* Adds signature sig by addr unless addr already signed; refuses a full set. */
static zkr_err add_sig(zkr_cli *cli, const uint8_t sig[ZKR_ETH_SIG_BYTES],
                       const uint8_t addr[ZKR_ETH_ADDR_BYTES],
                       uint8_t (*sigs)[ZKR_ETH_SIG_BYTES], uint8_t (*addrs)[ZKR_ETH_ADDR_BYTES],
                       size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        if (memcmp(addrs[i], addr, ZKR_ETH_ADDR_BYTES) == 0)
            return ZKR_OK;
    if (*n >= ZKR_DSSE_MAX_SIGS)
        return zkr_fail(&cli->diag, ZKR_ERR_TOO_LARGE, "more than %d signers", ZKR_DSSE_MAX_SIGS);
    memcpy(sigs[*n], sig, ZKR_ETH_SIG_BYTES);
    memcpy(addrs[(*n)++], addr, ZKR_ETH_ADDR_BYTES);
    return ZKR_OK;
}

/* The EIP-712 signatures of one attestation file, each checked by recovery. */
static zkr_err collect_attestation(zkr_cli *cli, const char *path, zkr_buf *payload,
                                   zkr_attest_facts *f, zkr_eip712_domain *dom, int *has_dom,
                                   uint8_t (*sigs)[ZKR_ETH_SIG_BYTES],
                                   uint8_t (*addrs)[ZKR_ETH_ADDR_BYTES], size_t *n)
{
    zkr_buf file = {0};
    zkr_envelope e;
    uint8_t digest[32], rec[ZKR_ETH_ADDR_BYTES];
    zkr_err r;

    memset(&e, 0, sizeof e);
    if ((r = zkr_file_read(path, ZKR_DSSE_MAX_BYTES, &file, &cli->diag)) != ZKR_OK ||
        (r = zkr_envelope_parse(file.p, file.len, &e, &cli->diag)) != ZKR_OK)
        goto out;
    if (payload->len == 0) {
        if ((r = zkr_attest_payload_parse(e.payload.p, e.payload.len, f, &cli->diag)) != ZKR_OK ||
            (r = zkr_buf_append(payload, e.payload.p, e.payload.len)) != ZKR_OK)
            goto out;
    } else if (payload->len != e.payload.len || memcmp(payload->p, e.payload.p, payload->len) != 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: another payload than the first file's",
                     path);
        goto out;
    }
    for (size_t i = 0; i < e.nsigs && r == ZKR_OK; i++) {
        const zkr_dsse_sig *s = &e.sigs[i];
        if (!s->has_eip712)
            continue;
        if (*has_dom && !domain_equal(dom, &s->domain)) {
            r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                         "%s: signature %zu is for another EIP-712 domain", path, i);
            break;
        }
        *dom = s->domain;
        *has_dom = 1;
        if ((r = zkr_attest_eip712_digest(f, dom, digest, &cli->diag)) != ZKR_OK)
            break;
        if (zkr_eth_recover(digest, s->eth_sig, rec) != ZKR_OK ||
            memcmp(rec, s->eth_address, ZKR_ETH_ADDR_BYTES) != 0) {
            r = zkr_fail(&cli->diag, ZKR_ERR_SIGNATURE,
                         "%s: EIP-712 signature %zu does not recover its address", path, i);
            break;
        }
        r = add_sig(cli, s->eth_sig, rec, sigs, addrs, n);
    }
out:
    zkr_envelope_free(&e);
    zkr_buf_free(&file);
    return r;
}

static zkr_err calldata_submit(zkr_cli *cli, char **files, int nfiles, zkr_buf *data,
                               zkr_eip712_domain *dom)
{
    zkr_buf payload = {0};
    zkr_attest_facts f;
    uint8_t sigs[ZKR_DSSE_MAX_SIGS][ZKR_ETH_SIG_BYTES], addrs[ZKR_DSSE_MAX_SIGS][ZKR_ETH_ADDR_BYTES];
    size_t n = 0;
    int has_dom = 0;
    zkr_err r = ZKR_OK;

    for (int i = 0; i < nfiles && r == ZKR_OK; i++)
        r = collect_attestation(cli, files[i], &payload, &f, dom, &has_dom, sigs, addrs, &n);
    if (r == ZKR_OK && n == 0)
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED,
                     "no EIP-712 signature (sign with a secp256k1 key and --eip712-domain, or a "
                     "wallet)");
    if (r == ZKR_OK)
        r = zkr_eth_calldata_submit(&f, (const uint8_t (*)[ZKR_ETH_SIG_BYTES])sigs, n, data,
                                    &cli->diag);
    zkr_buf_free(&payload);
    return r;
}

/* A parsed batch file: facts and leaves recomputed, root and signatures checked. */
typedef struct {
    zkr_eth_batch b;
    zkr_eip712_domain dom;
    size_t n, nsigs;
    zkr_attest_facts *facts;
    uint8_t (*leaves)[32];
    uint8_t sigs[ZKR_DSSE_MAX_SIGS][ZKR_ETH_SIG_BYTES];
    uint8_t addrs[ZKR_DSSE_MAX_SIGS][ZKR_ETH_ADDR_BYTES];
} batch_file;

static zkr_err batch_hex(zkr_cli *cli, const json_t *v, const char *what, uint8_t *out, size_t n)
{
    const char *s = json_string_value(v);
    if (s == NULL || strncmp(s, "0x", 2) != 0 || strlen(s) != 2 + 2 * n ||
        zkr_hex_decode_exact(s + 2, out, n) != ZKR_OK)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "batch: %s is not 0x + %zu hex digits",
                        what, 2 * n);
    return ZKR_OK;
}

static zkr_err batch_sigs(zkr_cli *cli, const json_t *sa, batch_file *bf)
{
    uint8_t digest[32], addr[ZKR_ETH_ADDR_BYTES], rec[ZKR_ETH_ADDR_BYTES];
    const json_t *s;
    size_t i;
    zkr_err r;

    if (!json_is_array(sa) || json_array_size(sa) == 0 || json_array_size(sa) > ZKR_DSSE_MAX_SIGS)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "batch: signatures must be 1 to %d",
                        ZKR_DSSE_MAX_SIGS);
    if ((r = zkr_eth_batch_digest(&bf->b, &bf->dom, digest, &cli->diag)) != ZKR_OK)
        return r;
    json_array_foreach(sa, i, s) {
        const char *a = json_string_value(json_object_get(s, "address"));
        if (json_object_size(s) != 2 || a == NULL || zkr_eth_address_parse(a, addr) != ZKR_OK)
            return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "batch: signature %zu malformed", i);
        if ((r = batch_hex(cli, json_object_get(s, "signature"), "signature", bf->sigs[i],
                           ZKR_ETH_SIG_BYTES)) != ZKR_OK)
            return r;
        if (zkr_eth_recover(digest, bf->sigs[i], rec) != ZKR_OK || memcmp(rec, addr, 20) != 0)
            return zkr_fail(&cli->diag, ZKR_ERR_SIGNATURE,
                            "batch: signature %zu does not recover %s", i, a);
        memcpy(bf->addrs[i], addr, ZKR_ETH_ADDR_BYTES);
        for (size_t k = 0; k < i; k++)
            if (memcmp(bf->addrs[k], addr, ZKR_ETH_ADDR_BYTES) == 0)
                return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "batch: %s signed twice", a);
    }
    bf->nsigs = json_array_size(sa);
    return ZKR_OK;
}

static zkr_err batch_payloads(zkr_cli *cli, const json_t *pl, batch_file *bf)
{
    zkr_buf raw = {0};
    const json_t *v;
    size_t i;
    zkr_err r = ZKR_OK;

    bf->n = json_array_size(pl);
    if (bf->n == 0 || bf->n > ZKR_BATCH_MAX || bf->n != bf->b.count)
        return zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "batch: payloads must be count (1 to %d)",
                        ZKR_BATCH_MAX);
    bf->facts = calloc(bf->n, sizeof *bf->facts);
    bf->leaves = calloc(bf->n, sizeof *bf->leaves);
    if (bf->facts == NULL || bf->leaves == NULL)
        return ZKR_ERR_NOMEM;
    json_array_foreach(pl, i, v) {
        const char *s = json_string_value(v);
        raw.len = 0;
        if (s == NULL || zkr_base64_decode(s, strlen(s), &raw) != ZKR_OK) {
            r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "batch: payload %zu is not base64", i);
            break;
        }
        if ((r = zkr_attest_payload_parse(raw.p, raw.len, &bf->facts[i], &cli->diag)) != ZKR_OK ||
            (r = zkr_attest_struct_hash(&bf->facts[i], &bf->dom, bf->leaves[i], &cli->diag)) !=
                ZKR_OK)
            break;
    }
    zkr_buf_free(&raw);
    return r;
}

static zkr_err batch_domain(zkr_cli *cli, const json_t *o, const char *path,
                            zkr_eip712_domain *dom)
{
    char *txt = json_is_object(o) ? json_dumps(o, JSON_COMPACT) : NULL;
    zkr_err r = txt == NULL ? zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: no domain", path)
                            : zkr_eip712_domain_parse(txt, strlen(txt), path, dom, &cli->diag);
    free(txt);
    return r;
}

static zkr_err batch_load(zkr_cli *cli, const char *path, batch_file *bf)
{
    static const char *const top[] = {"batch", "domain", "format", "payloads", "signatures"};
    zkr_buf file = {0};
    json_t *j = NULL, *b;
    json_error_t je;
    const char *fmt;
    uint8_t root[32];
    zkr_err r;

    if ((r = zkr_file_read(path, BATCH_FILE_MAX, &file, &cli->diag)) != ZKR_OK)
        goto out;
    j = json_loadb((const char *)file.p, file.len, JSON_REJECT_DUPLICATES, &je);
    b = json_object_get(j, "batch");
    fmt = json_string_value(json_object_get(j, "format"));
    if (j == NULL || json_object_size(j) != 5 || fmt == NULL || strcmp(fmt, BATCH_FORMAT) != 0 ||
        json_integer_value(json_object_get(b, "count")) <= 0 ||
        json_integer_value(json_object_get(b, "time")) < 0 ||
        !json_is_integer(json_object_get(b, "time")) || json_object_size(b) != 3) {
        r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: not a %s file", path, BATCH_FORMAT);
        goto out;
    }
    for (size_t i = 0; i < 5; i++)
        if (json_object_get(j, top[i]) == NULL) {
            r = zkr_fail(&cli->diag, ZKR_ERR_MALFORMED, "%s: no '%s'", path, top[i]);
            goto out;
        }
    bf->b.count = (uint64_t)json_integer_value(json_object_get(b, "count"));
    bf->b.time = (uint64_t)json_integer_value(json_object_get(b, "time"));
    if ((r = batch_hex(cli, json_object_get(b, "root"), "root", bf->b.root, 32)) != ZKR_OK ||
        (r = batch_domain(cli, json_object_get(j, "domain"), path, &bf->dom)) != ZKR_OK ||
        (r = batch_payloads(cli, json_object_get(j, "payloads"), bf)) != ZKR_OK ||
        (r = zkr_eth_merkle_root((const uint8_t (*)[32])bf->leaves, bf->n, root)) != ZKR_OK)
        goto out;
    if (memcmp(root, bf->b.root, 32) != 0) {
        r = zkr_fail(&cli->diag, ZKR_ERR_VERIFY, "%s: the root is not the payloads' root", path);
        goto out;
    }
    r = batch_sigs(cli, json_object_get(j, "signatures"), bf);
out:
    json_decref(j);
    zkr_buf_free(&file);
    return r;
}

static zkr_err calldata_batch(zkr_cli *cli, const eth_args *a, zkr_buf *data,
                              zkr_eip712_domain *dom, const char **fn)
{
    batch_file bf;
    uint8_t path[ZKR_MERKLE_MAX_PATH][32];
    size_t plen = 0;
    zkr_err r;

    memset(&bf, 0, sizeof bf);
    if ((r = batch_load(cli, a->batch, &bf)) != ZKR_OK)
        goto out;
    *dom = bf.dom;
    if (!a->has_index) {
        *fn = "submitBatch";
        r = zkr_eth_calldata_submit_batch(&bf.b, (const uint8_t (*)[ZKR_ETH_SIG_BYTES])bf.sigs,
                                          bf.nsigs, data, &cli->diag);
        goto out;
    }
    *fn = "proveIncluded";
    if (a->index >= bf.n) {
        r = zkr_cli_usage(cli, "--index %llu: the batch has %zu attestations",
                          (unsigned long long)a->index, bf.n);
        goto out;
    }
    if ((r = zkr_eth_merkle_path((const uint8_t (*)[32])bf.leaves, bf.n, a->index, path, &plen)) ==
        ZKR_OK)
        r = zkr_eth_calldata_prove_included(&bf.facts[a->index], bf.b.root, a->index,
                                            (const uint8_t (*)[32])path, plen, data, &cli->diag);
out:
    free(bf.facts);
    free(bf.leaves);
    return r;
}

static zkr_err eth_print(zkr_cli *cli, const eth_args *a, const char *fn,
                         const zkr_eip712_domain *dom, const zkr_buf *data)
{
    zkr_buf hex = {0}, line = {0};
    char to[43];
    zkr_err r;

    zkr_eth_address_format(dom->verifying_contract, to);
    if ((r = zkr_buf_reserve(&hex, 2 * data->len + 1)) != ZKR_OK ||
        (r = zkr_hex_encode(data->p, data->len, (char *)hex.p, hex.cap)) != ZKR_OK)
        goto out;
    if (cli->json)
        r = zkr_buf_printf(&line, "{\"chainId\":%llu,\"data\":\"0x%s\",\"function\":\"%s\",\"to\":\"%s\"}\n",
                           (unsigned long long)dom->chain_id, (const char *)hex.p, fn, to);
    else
        r = zkr_buf_printf(&line, "0x%s\n", (const char *)hex.p);
    if (r == ZKR_OK)
        r = zkr_cli_write_out(cli, a->out, line.p, line.len);
out:
    zkr_buf_free(&hex);
    zkr_buf_free(&line);
    return r;
}

zkr_err zkr_cmd_eth(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"batch", required_argument, NULL, 'b'},
                                         {"index", required_argument, NULL, 'i'},
                                         {"output", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    eth_args a = {0};
    zkr_eip712_domain dom;
    zkr_buf data = {0};
    const char *fn = "submit";
    int c, done = 0;
    zkr_err r;

    memset(&dom, 0, sizeof dom);
    if (argc >= 2 && strcmp(argv[1], "calldata") == 0) {
        argc--;
        argv++;
    } else if (argc < 2 || (strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0)) {
        return zkr_cli_usage(cli, "zkreg eth calldata ... (see --help)");
    }
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, eth_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        switch (c) {
        case 'b': a.batch = optarg; break;
        case 'o': a.out = optarg; break;
        case 'i':
            if (zkr_cli_parse_u64(cli, "--index", optarg, &a.index) != ZKR_OK)
                return ZKR_ERR_USAGE;
            a.has_index = 1;
            break;
        default: return zkr_cli_usage(cli, "unknown option (see --help)");
        }
    }
    if (a.batch != NULL ? optind != argc : optind == argc)
        return zkr_cli_usage(cli, "eth calldata needs ATTESTATION... or --batch BATCH");
    if (a.has_index && a.batch == NULL)
        return zkr_cli_usage(cli, "--index needs --batch BATCH");
    r = a.batch != NULL ? calldata_batch(cli, &a, &data, &dom, &fn)
                        : calldata_submit(cli, argv + optind, argc - optind, &data, &dom);
    if (r == ZKR_OK)
        r = eth_print(cli, &a, fn, &dom, &data);
    zkr_buf_free(&data);
    return r;
}
