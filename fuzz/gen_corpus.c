/*
 * fuzz_gen_corpus OUTDIR [REGISTRY]: writes seed inputs made by the
 * project's own APIs (run by fuzz/make-corpus, which adds the seeds made
 * by the zkreg command itself), so the corpora follow format changes:
 *   proof/     the real prover's proof for fuzz_proof's fixed statement
 *   verifier/  (statement, proof) pairs of several shapes, and mismatches
 *   matmul2/   matmul@2 (statement, proof) pairs (seeded: reproducible)
 *   keyfile/   key files sealed under cheap Argon2id limits, and one
 *              made by zkr_keyfile_generate
 *   ipc_frame/ request and reply frames from the sandbox's encoders
 *   statement/ canonical encodings of REGISTRY's statements
 *   ginfer2_rel/ graph-inference@2 relation proofs (conv, requant, maxpool, avgpool;
 *              seeded: reproducible), each checked to verify in the harness
 *   ginfer2_net/ a whole graph-inference@2 proof of the small CNN (seeded),
 *              checked to verify in the harness
 *   infer2_proof/ inference@2 proofs of the 4-4-2 model (sets 1 and 3) and
 *              of the 512-64 one (set 3, its mask nested), seeded
 *   mrange/    a model range proof of a one-layer 2x2 commitment
 * Deterministic apart from the key files (random salts and keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/common.h"
#include "fuzz_eval_proof.h"
#include "fuzz_geval_proof.h"
#include "fuzz_ginfer_proof.h"
#include "fuzz_infer2_proof.h"
#include "fuzz_train2_proof.h"
#include "fuzz_keyfile.h"
#include "fuzz_matmul2.h"
#include "fuzz_ginfer2_rel.h"
#include "fuzz_ginfer2_net.h"
#include "tests/zk/ginfer2_net_fx.h"
#include "prover/model_range.h"
#include "zkr_config.h"
#include "fuzz_proof.h"
#include "prover/prover.h"
#include "fuzz_verifier.h"
#include "ml/ml.h"
#include "prover/geval.h"
#include "prover/ginfer.h"
#include "prover/inference_batch.h"
#include "registry/registry_int.h"
#include "verifier/geval.h"
#include "verifier/ginfer.h"
#include "sandbox/sandbox_int.h"
#include "signer/signer_int.h"
#include "verifier/inference_batch.h"
#include "tests/zk/infer2_fixture.h"
#include "prover/training2.h"
#include "verifier/training2.h"
#include "tests/zk/test_train2_fx.h"
#include "tests/zk/ginfer2_fx.h"
#include "tests/zk/ginfer2_avg_fx.h"

static int failed;

static void emit(const char *dir, const char *sub, const char *name, const uint8_t *p, size_t n)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "fuzz_gen_corpus: cannot write %s\n", path);
        failed = 1;
    }
}

static void gen_proof(const char *dir)
{
    zkr_verifier_matmul_statement st;
    zkr_pcs_commitment w;
    zkr_pcs_poly *poly = NULL;
    zkr_params p;
    zkr_buf pf = {0};

    zkr_fuzz_proof_statement(&st);
    if (zkr_params_get(st.param_set, &p) != ZKR_OK ||
        zkr_prover_matmul_commit(&p, zkr_fuzz_proof_w(), st.pub.m, st.pub.k, 1, &poly, &w) !=
            ZKR_OK) {
        fprintf(stderr, "fuzz_gen_corpus: proof seed: W does not commit\n");
        failed = 1;
        return;
    }
    if (memcmp(w.root, st.pub.w.root, sizeof w.root) != 0 || w.n_vars != st.pub.w.n_vars) {
        /* the seeds would be made for a statement the harness no longer uses */
        fprintf(stderr, "fuzz_gen_corpus: fuzz/fuzz_proof.c's W root is stale; the prover's is ");
        for (size_t i = 0; i < sizeof w.root; i++)
            fprintf(stderr, "%02x", w.root[i]);
        fprintf(stderr, " (n_vars %u)\n", w.n_vars);
        failed = 1;
    } else if (zkr_prover_matmul(&p, st.statement_id, &st.pub, zkr_fuzz_proof_w(), poly, 1, &pf,
                                 NULL) != ZKR_OK ||
        zkr_verify_matmul(pf.p, pf.len, &st, NULL) != ZKR_OK) {
        fprintf(stderr, "fuzz_gen_corpus: proof seed failed\n");
        failed = 1;
    } else {
        emit(dir, "proof", "gen-valid.zkp", pf.p, pf.len);
        emit(dir, "proof", "gen-half.zkp", pf.p, pf.len / 2);
    }
    zkr_buf_free(&pf);
    zkr_pcs_poly_free(poly);
}

static void put32(zkr_buf *b, uint32_t v)
{
    uint8_t q[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    (void)!zkr_buf_append(b, q, 4);
}

static void put64s(zkr_buf *b, const int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t q[8];
        zkr_store_le64(q, (uint64_t)v[i]);
        (void)!zkr_buf_append(b, q, 8);
    }
}

/* One fuzz_verifier input: the statement the signer would pass, then the proof. */
static void verifier_input(zkr_buf *b, const zkr_verifier_matmul_statement *st,
                           const uint8_t *pf, size_t pf_len)
{
    const zkr_matmul_public *u = &st->pub;

    (void)!zkr_buf_append(b, st->statement_id, 32);
    put32(b, st->param_set);
    put32(b, u->m), put32(b, u->k), put32(b, u->b);
    (void)!zkr_buf_append(b, u->w.root, 32);
    put32(b, u->w.n_vars);
    put64s(b, u->x, (size_t)u->k * u->b);
    put64s(b, u->y, (size_t)u->m * u->b);
    (void)!zkr_buf_append(b, pf, pf_len);
}

static void gen_verifier_shape(const char *dir, uint32_t m, uint32_t k, uint32_t bt,
                               uint32_t seed)
{
    zkr_verifier_matmul_statement st;
    int64_t *w = calloc((size_t)m * k, sizeof *w), *x = calloc((size_t)k * bt, sizeof *x);
    int64_t *y = calloc((size_t)m * bt, sizeof *y);
    zkr_pcs_poly *poly = NULL;
    zkr_buf pf = {0}, in = {0};
    zkr_params p;
    char name[64];

    memset(&st, 0, sizeof st);
    if (w == NULL || x == NULL || y == NULL || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        goto fail;
    for (size_t i = 0; i < (size_t)m * k; i++)
        w[i] = (int64_t)((seed + i * 2654435761u) % 255) - 127;
    for (size_t i = 0; i < (size_t)k * bt; i++)
        x[i] = (int64_t)((seed * 7 + i * 40503u) % 4001) - 2000;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++)
            for (size_t q = 0; q < bt; q++)
                y[i * bt + q] += w[i * k + j] * x[j * bt + q];
    if (zkr_prover_matmul_commit(&p, w, m, k, 1, &poly, &st.pub.w) != ZKR_OK)
        goto fail;
    for (int i = 0; i < 32; i++)
        st.statement_id[i] = (uint8_t)(seed * 31 + (uint32_t)i);
    st.param_set = p.id;
    st.pub.m = m, st.pub.k = k, st.pub.b = bt;
    st.pub.w_max_abs = ZKR_FUZZ_VERIFIER_W_MAX;
    st.pub.x = x, st.pub.y = y;
    if (zkr_prover_matmul(&p, st.statement_id, &st.pub, w, poly, 1, &pf, NULL) != ZKR_OK ||
        zkr_verify_matmul(pf.p, pf.len, &st, NULL) != ZKR_OK)
        goto fail;
    verifier_input(&in, &st, pf.p, pf.len);
    snprintf(name, sizeof name, "gen-%ux%ux%u", m, k, bt);
    emit(dir, "verifier", name, in.p, in.len);
    /* The same proof against a statement with another output: a binding mismatch. */
    y[0] += 1;
    in.len = 0;
    verifier_input(&in, &st, pf.p, pf.len);
    snprintf(name, sizeof name, "gen-%ux%ux%u-other-y", m, k, bt);
    emit(dir, "verifier", name, in.p, in.len);
    goto out;
fail:
    fprintf(stderr, "fuzz_gen_corpus: verifier seed %ux%ux%u failed\n", m, k, bt);
    failed = 1;
out:
    zkr_buf_free(&pf);
    zkr_buf_free(&in);
    zkr_pcs_poly_free(poly);
    free(w), free(x), free(y);
}

/* A key file as zkr_keyfile_generate writes it, but sealed with cheap KDF limits. */
static void cheap_keyfile(const char *dir, zkr_key_type t, const char *name)
{
    static const char pass[] = ZKR_FUZZ_KEYFILE_PASS, label[] = ZKR_SIGNER_KEY_LABEL;
    uint8_t header[64], secret[33], key[32], ct[33 + 16];
    unsigned long long clen = 0;
    zkr_buf ad = {0}, blob = {0}, b64 = {0}, file = {0};
    zkr_pubkey pub;
    char pubs[160];

    secret[0] = (uint8_t)t;
    randombytes_buf(secret + 1, 32);
    if (t == ZKR_KEY_SECP256K1)
        secret[1] &= 0x7f; /* below the group order */
    memcpy(header, ZKR_SEAL_MAGIC, 8);
    zkr_store_be64(header + 8, 1);
    zkr_store_be64(header + 16, 8192);
    randombytes_buf(header + 24, 16 + 24);
    if (zkr_signer_pub_from_secret(t, secret + 1, &pub) != ZKR_OK ||
        zkr_pubkey_format(&pub, pubs, sizeof pubs) != ZKR_OK ||
        crypto_pwhash(key, sizeof key, pass, sizeof pass - 1, header + 24, 1, 8192,
                      crypto_pwhash_ALG_ARGON2ID13) != 0 ||
        zkr_buf_append(&ad, header, 64) != ZKR_OK || zkr_enc_str(&ad, label) != ZKR_OK) {
        failed = 1;
        goto out;
    }
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, secret, sizeof secret, ad.p, ad.len,
                                               NULL, header + 40, key);
    if (zkr_buf_append(&blob, header, 64) != ZKR_OK ||
        zkr_buf_append(&blob, ct, (size_t)clen) != ZKR_OK ||
        zkr_base64_encode(blob.p, blob.len, &b64) != ZKR_OK ||
        zkr_buf_append_str(&file, "{\"format\":\"zkreg-key/v1\",\"public\":\"") != ZKR_OK ||
        zkr_buf_append_str(&file, pubs) != ZKR_OK ||
        zkr_buf_append_str(&file, "\",\"sealed\":\"") != ZKR_OK ||
        zkr_buf_append(&file, b64.p, strlen((const char *)b64.p)) != ZKR_OK ||
        zkr_buf_append_str(&file, "\"}\n") != ZKR_OK) {
        failed = 1;
        goto out;
    }
    {
        uint8_t *sec = sodium_malloc(32);
        zkr_pubkey got;
        if (sec == NULL || zkr_signer_keyfile_open(file.p, file.len, (const uint8_t *)pass,
                                                   sizeof pass - 1, &got, sec, NULL) != ZKR_OK) {
            fprintf(stderr, "fuzz_gen_corpus: %s does not open\n", name);
            failed = 1;
        }
        sodium_free(sec);
    }
    emit(dir, "keyfile", name, file.p, file.len);
out:
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(key, sizeof key);
    zkr_buf_free(&ad), zkr_buf_free(&blob), zkr_buf_free(&b64), zkr_buf_free(&file);
}

static void gen_keyfile(const char *dir)
{
    static const char pass[] = ZKR_FUZZ_KEYFILE_PASS;
    zkr_buf file = {0};
    zkr_pubkey pub;

    cheap_keyfile(dir, ZKR_KEY_ED25519, "gen-ed25519-cheap.key");
    cheap_keyfile(dir, ZKR_KEY_SECP256K1, "gen-secp256k1-cheap.key");
    /* The real generator (INTERACTIVE limits: only the public half is read). */
    if (zkr_keyfile_generate(ZKR_KEY_ED25519, (const uint8_t *)pass, sizeof pass - 1, 1, &file,
                             &pub, NULL) == ZKR_OK)
        emit(dir, "keyfile", "gen-ed25519-interactive.key", file.p, file.len);
    else
        failed = 1;
    zkr_buf_free(&file);
}

static void gen_ipc(const char *dir)
{
    static const uint8_t pl[] = "payload bytes";
    zkr_buf b = {0};

    if (zkr_sandbox_req_encode("verify", pl, sizeof pl - 1, &b) == ZKR_OK)
        emit(dir, "ipc_frame", "gen-request-verify", b.p, b.len);
    b.len = 0;
    if (zkr_sandbox_rep_encode(0, 3, 4, NULL, pl, sizeof pl - 1, &b) == ZKR_OK)
        emit(dir, "ipc_frame", "gen-reply-ok", b.p, b.len);
    b.len = 0;
    if (zkr_sandbox_rep_encode(-3, 1, 0, "field 'x' malformed", NULL, 0, &b) == ZKR_OK)
        emit(dir, "ipc_frame", "gen-reply-error", b.p, b.len);
    zkr_buf_free(&b);
}

static void gen_statements(const char *dir, const char *db)
{
    zkr_registry *reg = NULL;
    uint8_t (*ids)[ZKR_DIGEST_BYTES] = NULL;
    int64_t *rows = NULL;
    size_t n = 0;

    if (zkr_registry_open(db, &reg, NULL) != ZKR_OK ||
        zkr_registry_statement_list(reg, &ids, &rows, &n) != ZKR_OK || n == 0) {
        fprintf(stderr, "fuzz_gen_corpus: no statements in %s\n", db);
        failed = 1;
    }
    for (size_t i = 0; i < n; i++) {
        zkr_statement s;
        char ref[32], name[64];
        snprintf(ref, sizeof ref, "%lld", (long long)rows[i]);
        if (zkr_registry_statement_get(reg, ref, &s, NULL) == ZKR_OK) {
            snprintf(name, sizeof name, "gen-statement-%zu", i);
            emit(dir, "statement", name, s.canonical.p, s.canonical.len);
        } else {
            failed = 1;
        }
        zkr_statement_free(&s);
    }
    free(ids);
    free(rows);
    zkr_registry_close(reg);
}

/* ---- training-step@1 (fuzz_train_proof.h layout) ---- */

/* v's n low bytes, little-endian (a failure marks the run failed). */
static void put_le(zkr_buf *b, uint64_t v, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        if (zkr_enc_u8(b, (uint8_t)(v >> (8 * k))) != ZKR_OK)
            failed = 1;
}

static void put_le32(zkr_buf *b, uint32_t v)
{
    put_le(b, v, 4);
}

static void gen_train_shape(const char *dir, const uint32_t *dims, size_t n_dims, uint32_t batch,
                            const char *name)
{
    enum { N = 16 };
    uint8_t recs[N][32], leaves[N][32], root[32], paths[4][ZKR_MERKLE_MAX_DEPTH][32];
    uint8_t seed[32] = {3}, sid[32] = {9}, pc[32], cc[32], dc[32], pd[32];
    uint8_t inputs[4 * 32], labels[4];
    uint32_t in = dims[0];
    uint64_t idx[4];
    zkr_infer_record rec[4];
    zkr_ml_graph g;
    zkr_params p;
    zkr_ml_tstep_params sp = {100, 12};
    zkr_buf mb = {0}, cb = {0}, proof = {0}, out = {0};
    zkr_ml_tmodel *parent = NULL, *child = NULL;
    zkr_train_model *tp = NULL, *tc = NULL;

    for (uint32_t i = 0; i < N; i++) {
        for (uint32_t k = 0; k < in; k++)
            recs[i][k] = (uint8_t)(37 * i + 11 * k + 5);
        recs[i][in] = (uint8_t)(i % dims[n_dims - 1]);
        zkr_infer_record_commitment(recs[i], in + 1, leaves[i]);
    }
    if (zkr_merkle_root((const uint8_t(*)[32])leaves, N, root) != ZKR_OK ||
        zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        goto fail;
    for (uint32_t i = 0; i < batch; i++) {
        size_t pl = 0;
        idx[i] = 2 + 3 * (uint64_t)i;
        memcpy(inputs + i * in, recs[idx[i]], in);
        labels[i] = recs[idx[i]][in];
        if (zkr_merkle_inclusion_proof((const uint8_t(*)[32])leaves, N, idx[i], paths[i], &pl) !=
            ZKR_OK)
            goto fail;
        rec[i] = (zkr_infer_record){idx[i], N, {0}, recs[idx[i]], in + 1,
                                    (const uint8_t(*)[32])paths[i], pl};
        memcpy(rec[i].root, root, 32);
    }
    if (zkr_ml_tprogram_make(dims, n_dims, &g, NULL) != ZKR_OK ||
        zkr_ml_tmodel_init(&g, seed, &mb, NULL) != ZKR_OK ||
        zkr_ml_tmodel_decode(mb.p, mb.len, &parent, NULL) != ZKR_OK ||
        zkr_ml_train_step(parent, inputs, (size_t)batch * in, labels, batch, &sp, &cb, NULL, NULL) !=
            ZKR_OK ||
        zkr_ml_tmodel_decode(cb.p, cb.len, &child, NULL) != ZKR_OK ||
        zkr_prover_train_commit(&p, parent, 1, &tp, pc, NULL) != ZKR_OK ||
        zkr_prover_train_commit(&p, child, 1, &tc, cc, NULL) != ZKR_OK ||
        zkr_prover_train_step(&p, sid, tp, tc, rec, batch, &sp, 1, &proof, NULL) != ZKR_OK)
        goto fail;
    zkr_ml_tmodel_program_digest(parent, pd);
    zkr_infer_dataset_commitment(N, root, dc);
    if (zkr_buf_append(&out, sid, 32) != ZKR_OK || zkr_buf_append(&out, pd, 32) != ZKR_OK ||
        zkr_buf_append(&out, pc, 32) != ZKR_OK || zkr_buf_append(&out, cc, 32) != ZKR_OK ||
        zkr_buf_append(&out, dc, 32) != ZKR_OK)
        goto fail;
    put_le32(&out, sp.lr);
    put_le32(&out, sp.shift);
    put_le32(&out, 1);
    put_le32(&out, batch);
    for (uint32_t i = 0; i < batch; i++) {
        uint8_t le[8];
        for (int k = 0; k < 8; k++)
            le[k] = (uint8_t)(idx[i] >> (8 * k));
        if (zkr_buf_append(&out, le, 8) != ZKR_OK)
            goto fail;
    }
    if (zkr_buf_append(&out, proof.p, proof.len) != ZKR_OK)
        goto fail;
    emit(dir, "train_proof", name, out.p, out.len);
    goto done;
fail:
    fprintf(stderr, "fuzz_gen_corpus: cannot make the training proof seed %s\n", name);
    failed = 1;
done:
    zkr_train_model_free(tp);
    zkr_train_model_free(tc);
    zkr_ml_tmodel_free(parent);
    zkr_ml_tmodel_free(child);
    zkr_buf_free(&mb);
    zkr_buf_free(&cb);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
}

/* One fuzz_matmul2 input: the registered statement, then the proof. */
static void matmul2_input(zkr_buf *b, const zkr_verifier_matmul2_statement *st,
                          const uint8_t *pf, size_t pf_len)
{
    const zkr_matmul2_public *u = &st->pub;

    (void)!zkr_buf_append(b, st->statement_id, 32);
    put32(b, st->param_set);
    put32(b, u->m), put32(b, u->k), put32(b, u->b);
    (void)!zkr_buf_append(b, u->w.root, 32);
    put32(b, u->w.n_vars);
    put32(b, u->w.blind_vars);
    put64s(b, u->x, (size_t)u->k * u->b);
    put64s(b, u->y, (size_t)u->m * u->b);
    (void)!zkr_buf_append(b, pf, pf_len);
}

/* A seeded (reproducible) matmul@2 proof of shape m x k, b; W blinded for one opening. */
static void gen_matmul2_shape(const char *dir, uint32_t m, uint32_t k, uint32_t bt,
                              uint32_t seed)
{
    zkr_verifier_matmul2_statement st;
    int64_t w[ZKR_FUZZ_MATMUL2_MAX_DIM * ZKR_FUZZ_MATMUL2_MAX_DIM] = {0};
    int64_t x[ZKR_FUZZ_MATMUL2_MAX_DIM * ZKR_FUZZ_MATMUL2_MAX_DIM] = {0};
    int64_t y[ZKR_FUZZ_MATMUL2_MAX_DIM * ZKR_FUZZ_MATMUL2_MAX_DIM] = {0};
    uint8_t zs[32];
    zkr_hpcs_poly *poly = NULL;
    zkr_buf pf = {0}, in = {0};
    zkr_params p;
    char name[64];

    memset(&st, 0, sizeof st);
    memset(zs, (int)seed, sizeof zs);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        goto fail;
    for (size_t i = 0; i < (size_t)m * k; i++)
        w[i] = (int64_t)((seed + i * 2654435761u) % 255) - 127;
    for (size_t i = 0; i < (size_t)k * bt; i++)
        x[i] = (int64_t)((seed * 7 + i * 40503u) % 4001) - 2000;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++)
            for (size_t q = 0; q < bt; q++)
                y[i * bt + q] += w[i * k + j] * x[j * bt + q];
    if (zkr_prover_matmul2_commit(&p, w, m, k, ZKR_MATMUL2_OPENINGS, zs, sizeof zs, 1, &poly,
                                  &st.pub.w) != ZKR_OK)
        goto fail;
    for (int i = 0; i < 32; i++)
        st.statement_id[i] = (uint8_t)(seed * 37 + (uint32_t)i);
    st.param_set = p.id;
    st.pub.m = m, st.pub.k = k, st.pub.b = bt;
    st.pub.w_max_abs = ZKR_FUZZ_MATMUL2_W_MAX;
    st.pub.x = x, st.pub.y = y;
    if (zkr_prover_matmul2(&p, st.statement_id, &st.pub, w, poly, zs, sizeof zs, 1, &pf, NULL) !=
            ZKR_OK ||
        zkr_verify_matmul2(pf.p, pf.len, &st, NULL) != ZKR_OK)
        goto fail;
    matmul2_input(&in, &st, pf.p, pf.len);
    snprintf(name, sizeof name, "gen-%ux%ux%u", m, k, bt);
    emit(dir, "matmul2", name, in.p, in.len);
    goto out;
fail:
    fprintf(stderr, "fuzz_gen_corpus: matmul2 seed %ux%ux%u failed\n", m, k, bt);
    failed = 1;
out:
    zkr_buf_free(&pf);
    zkr_buf_free(&in);
    zkr_hpcs_poly_free(poly);
}

/* ---- evaluation@1 (fuzz_eval_proof.h layout) ---- */

/*
 * batch: 1 for an inference-batch@1 seed for fuzz_batch_proof instead of
 * evaluation@1's; 2 (3) for an evaluation@1 seed in format version 1 (2)
 * (test builds: older proofs keep verifying, so their decoders stay fuzzed).
 */
static void gen_eval_shape(const char *dir, const uint32_t *dims, uint32_t n_layers,
                           uint64_t first, uint32_t count, const char *name, int batch)
{
    enum { N = 12 };
    uint32_t in = dims[0];
    uint8_t *recs = NULL, leaves[N][32], bound[ZKR_EVAL_MAX_BOUNDARY][32], sid[32] = {7};
    uint8_t mc[32], dc[32], pd[32];
    int8_t *w[ZKR_ML_MAX_LAYERS] = {0};
    int32_t *bias[ZKR_ML_MAX_LAYERS] = {0};
    uint32_t *mult[ZKR_ML_MAX_LAYERS] = {0};
    zkr_ml_qlayer q[ZKR_ML_MAX_LAYERS];
    zkr_ml_graph g;
    zkr_params p;
    zkr_eval_batch bt;
    zkr_buf mb = {0}, proof = {0}, output = {0}, out = {0};
    zkr_ml_model *m = NULL;
    zkr_infer_model *im = NULL;
    uint8_t le[8];

    memset(&g, 0, sizeof g);
    memset(q, 0, sizeof q);
    memset(&bt, 0, sizeof bt);
    g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g.input_dim = in;
    g.n_layers = n_layers;
    for (uint32_t l = 0; l < n_layers; l++) {
        zkr_ml_layer_desc *L = &g.layers[l];
        L->op = ZKR_ML_OP_DENSE;
        L->act = l + 1 < n_layers;
        L->in_dim = dims[l];
        L->out_dim = dims[l + 1];
        w[l] = malloc((size_t)L->in_dim * L->out_dim);
        bias[l] = malloc(L->out_dim * sizeof(int32_t));
        mult[l] = malloc(L->out_dim * sizeof(uint32_t));
        if (!w[l] || !bias[l] || !mult[l])
            goto fail;
        for (size_t i = 0; i < (size_t)L->in_dim * L->out_dim; i++)
            w[l][i] = (int8_t)((int)((i * 53 + l * 17) % 255) - 127);
        for (uint32_t j = 0; j < L->out_dim; j++) {
            bias[l][j] = (int32_t)(j * 97) - 300;
            mult[l][j] = 3 + j;
        }
        q[l].shift = 14;
        q[l].w = w[l];
        q[l].bias = bias[l];
        q[l].mult = mult[l];
    }
    if (!(recs = malloc((size_t)N * (in + 1))))
        goto fail;
    for (uint32_t i = 0; i < N; i++) {
        for (uint32_t k = 0; k < in; k++)
            recs[i * (in + 1) + k] = (uint8_t)(41 * i + 13 * k + 1);
        recs[i * (in + 1) + in] = (uint8_t)(i % dims[n_layers]);
        zkr_infer_record_commitment(recs + i * (in + 1), in + 1, leaves[i]);
    }
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_merkle_root((const uint8_t(*)[32])leaves, N, bt.root) != ZKR_OK ||
        zkr_eval_range_proof((const uint8_t(*)[32])leaves, N, first, count, bound, &bt.n_bound) !=
            ZKR_OK ||
        zkr_ml_model_encode(&g, q, &mb, NULL) != ZKR_OK ||
        zkr_ml_model_decode(mb.p, mb.len, &m, NULL) != ZKR_OK ||
        zkr_prover_infer_commit(&p, m, 1, &im, mc, NULL) != ZKR_OK)
        goto fail;
    bt.n_records = N;
    bt.first = first;
    bt.count = count;
    bt.records = recs + first * (in + 1);
    bt.rec_len = in + 1;
    bt.bound = (const uint8_t(*)[32])bound;
    if (batch >= 2) {
#if ZKR_TEST_BUILD
        if (zkr_prover_evaluation_version(&p, sid, im, &bt, ZKR_EVAL_MODE_EXACT, 0, 1,
                                          (unsigned)batch - 1, &proof, &output, NULL) != ZKR_OK)
            goto fail;
        batch = 0;
#else
        goto done;
#endif
    } else if (batch ? zkr_prover_inference_batch(&p, sid, im, &bt, 1, &proof, &output, NULL) !=
                           ZKR_OK
                     : zkr_prover_evaluation(&p, sid, im, &bt, ZKR_EVAL_MODE_EXACT, 0, 1, &proof,
                                             &output, NULL, NULL) != ZKR_OK) {
        goto fail;
    }
    zkr_ml_model_program_digest(m, pd);
    zkr_infer_dataset_commitment(N, bt.root, dc);
    {
        /* A seed must be a valid triple, so that mutations start from acceptance. */
        zkr_verifier_evaluation_statement st;
        memset(&st, 0, sizeof st);
        memcpy(st.statement_id, sid, 32);
        st.param_set = ZKR_PARAM_SET_128;
        memcpy(st.program_digest, pd, 32);
        memcpy(st.model_commitment, mc, 32);
        memcpy(st.dataset_commitment, dc, 32);
        st.first = first;
        st.count = count;
        st.records = bt.records;
        st.rec_len = bt.rec_len;
        st.output = output.p;
        st.output_len = output.len;
        if ((batch ? zkr_verify_inference_batch(proof.p, proof.len, &st, NULL)
                   : zkr_verify_evaluation(proof.p, proof.len, &st, NULL, NULL)) != ZKR_OK)
            goto fail;
    }
    if (zkr_buf_append(&out, sid, 32) != ZKR_OK || zkr_buf_append(&out, pd, 32) != ZKR_OK ||
        zkr_buf_append(&out, mc, 32) != ZKR_OK || zkr_buf_append(&out, dc, 32) != ZKR_OK)
        goto fail;
    zkr_store_le64(le, first);
    if (zkr_buf_append(&out, le, 8) != ZKR_OK)
        goto fail;
    put_le32(&out, count);
    put_le32(&out, in + 1);
    put_le32(&out, (uint32_t)output.len);
    if (zkr_buf_append(&out, bt.records, (size_t)count * (in + 1)) != ZKR_OK ||
        zkr_buf_append(&out, output.p, output.len) != ZKR_OK ||
        zkr_buf_append(&out, proof.p, proof.len) != ZKR_OK)
        goto fail;
    emit(dir, batch ? "batch_proof" : "eval_proof", name, out.p, out.len);
    goto done;
fail:
    fprintf(stderr, "fuzz_gen_corpus: cannot make the evaluation proof seed %s\n", name);
    failed = 1;
done:
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        free(w[l]);
        free(bias[l]);
        free(mult[l]);
    }
    free(recs);
    zkr_infer_model_free(im);
    zkr_ml_model_free(m);
    zkr_buf_free(&mb);
    zkr_buf_free(&proof);
    zkr_buf_free(&output);
    zkr_buf_free(&out);
}

/* ---- graph-inference@1 (fuzz_ginfer_proof.h layout) ---- */

static uint32_t gen_gnode(zkr_ml_gprog *g, zkr_ml_gnode n)
{
    uint32_t i = g->n_nodes++;

    g->nodes[i] = n;
    if (zkr_ml_gprog_set_shape(g, i, NULL) != ZKR_OK)
        g->nodes[i].c = 0;
    return i;
}

/* Every op graph-inference@1 proves, on small shapes: fast to verify, so fast to fuzz. */
static void gen_gprog(zkr_ml_gprog *g)
{
    uint32_t c1, c2, a, l, ap, mp, a2;

    memset(g, 0, sizeof *g);
    g->input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g->nodes[0] = (zkr_ml_gnode){.op = ZKR_ML_GOP_INPUT, .c = 2, .h = 6, .w = 6};
    g->n_nodes = 1;
    c1 = gen_gnode(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .act = ZKR_ML_ACT_RELU, .n_in = 1,
                                     .c = 3, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1,
                                     .pl = 1, .pb = 1, .pr = 1, .dh = 1, .dw = 1, .groups = 1});
    c2 = gen_gnode(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_CONV, .n_in = 1, .in = {c1}, .c = 3,
                                     .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 2, .pl = 2,
                                     .pb = 2, .pr = 2, .dh = 2, .dw = 2, .groups = 3});
    a = gen_gnode(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .act = ZKR_ML_ACT_RELU, .n_in = 2,
                                    .in = {c1, c2}});
    l = gen_gnode(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1, .in = {a}});
    ap = gen_gnode(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_AVGPOOL, .n_in = 1, .in = {l}, .kh = 2,
                                     .kw = 2, .sh = 2, .sw = 2});
    mp = gen_gnode(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_MAXPOOL, .n_in = 1, .in = {ap}, .kh = 3,
                                     .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1,
                                     .pr = 1});
    a2 = gen_gnode(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_ADD, .n_in = 2, .in = {mp, ap}});
    (void)gen_gnode(g, (zkr_ml_gnode){.op = ZKR_ML_GOP_DENSE, .n_in = 1, .in = {a2}, .c = 10});
}

/* The graph-model file of gen_gprog with deterministic parameters. */
static zkr_err gen_gmodel(const zkr_ml_gprog *g, zkr_buf *out)
{
    zkr_ml_gparams prm[ZKR_ML_G_MAX_NODES];
    int8_t *w[ZKR_ML_G_MAX_NODES] = {0}, table[256];
    int32_t *b[ZKR_ML_G_MAX_NODES] = {0};
    uint32_t *m[ZKR_ML_G_MAX_NODES] = {0};
    zkr_err r = ZKR_OK;

    memset(prm, 0, sizeof prm);
    for (int j = 0; j < 256; j++)
        table[j] = (int8_t)((j - 128) / 2 + (j % 7) - 3);
    for (uint32_t i = 1; i < g->n_nodes && r == ZKR_OK; i++) {
        const zkr_ml_gnode *n = &g->nodes[i];
        const zkr_ml_gnode *x = &g->nodes[n->in[0]];
        size_t fan = n->op == ZKR_ML_GOP_CONV ? (size_t)(x->c / n->groups) * n->kh * n->kw
                                               : (size_t)x->c * x->h * x->w;
        if (n->op == ZKR_ML_GOP_ADD)
            prm[i].shift = 8, prm[i].ma = 100, prm[i].mb = 140;
        else if (n->op == ZKR_ML_GOP_LOOKUP)
            prm[i].table = table;
        if (n->op != ZKR_ML_GOP_CONV && n->op != ZKR_ML_GOP_DENSE)
            continue;
        w[i] = malloc((size_t)n->c * fan);
        b[i] = malloc(n->c * sizeof **b);
        m[i] = malloc(n->c * sizeof **m);
        if (!w[i] || !b[i] || !m[i]) {
            r = ZKR_ERR_NOMEM;
            break;
        }
        for (size_t k = 0; k < (size_t)n->c * fan; k++)
            w[i][k] = (int8_t)((int)((k * 37 + i * 11) % 201) - 100);
        for (uint32_t c = 0; c < n->c; c++) {
            b[i][c] = (int32_t)(c * 131) - 200;
            m[i][c] = (uint32_t)(60000 / fan) + c;
        }
        prm[i].w = w[i], prm[i].bias = b[i], prm[i].mult = m[i], prm[i].shift = 16;
    }
    if (r == ZKR_OK)
        r = zkr_ml_gmodel_encode(g, prm, out, NULL);
    for (uint32_t i = 0; i < ZKR_ML_G_MAX_NODES; i++) {
        free(w[i]);
        free(b[i]);
        free(m[i]);
    }
    return r;
}

/* ---- evaluation-graph@1 (fuzz_geval_proof.h layout) ---- */

/*
 * gen_gprog without its LOOKUP (refused over a batch), records 1..3 of a
 * 5-record dataset (3 records, padded to 4): every other op over a batch.
 */
static void gen_geval(const char *dir, uint8_t mode, const char *name)
{
    zkr_ml_gprog g;
    zkr_ml_gmodel *gm = NULL;
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = calloc(1, sizeof *mp);
    zkr_ginf_model *pm = NULL;
    zkr_geval_binding *bd = calloc(1, sizeof *bd);
    zkr_pcs_commitment pc;
    zkr_params p;
    zkr_buf mb = {0}, proof = {0}, out = {0};
    int64_t *store = NULL;
    enum { NREC = 5, RL = 2 * 6 * 6 + 1 };
    uint8_t ds[NREC * RL], sid[32], dc[32], leaves[NREC][32];
    size_t nb = 0;

    memset(sid, 0x5e ^ mode, sizeof sid);
    for (size_t k = 0; k < sizeof ds; k++)
        ds[k] = (uint8_t)(k * 41 + mode * 13 + 3);
    for (size_t k = 0; k < NREC; k++) {
        ds[k * RL + RL - 1] = (uint8_t)(k % 10); /* the labels */
        zkr_infer_record_commitment(ds + k * RL, RL, leaves[k]);
    }
    gen_gprog(&g);
    /* Drop node 4 (LOOKUP): the average pool reads the ADD before it. */
    memmove(&g.nodes[4], &g.nodes[5], (g.n_nodes - 5) * sizeof g.nodes[0]);
    g.n_nodes--;
    for (uint32_t i = 4; i < g.n_nodes; i++)
        for (uint32_t k = 0; k < g.nodes[i].n_in; k++)
            g.nodes[i].in[k] -= g.nodes[i].in[k] >= 4;
    if (!mp || !bd || zkr_ml_gprog_check(&g, NULL) != ZKR_OK || gen_gmodel(&g, &mb) != ZKR_OK ||
        zkr_ml_gmodel_decode(mb.p, mb.len, &gm, NULL) != ZKR_OK ||
        zkr_ginf_from_gmodel(gm, &in, mp, &store) != ZKR_OK ||
        zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_prover_ginf_commit(&p, &in, 1, &pm, &pc, NULL) != ZKR_OK ||
        zkr_eval_range_root((const uint8_t(*)[32])leaves, NREC, 0, NREC, NULL, 0, bd->root) !=
            ZKR_OK ||
        zkr_eval_range_proof((const uint8_t(*)[32])leaves, NREC, 1, 3, bd->bound, &nb) != ZKR_OK)
        goto fail;
    bd->n = NREC;
    bd->first = 1;
    bd->count = 3;
    bd->n_bound = (uint32_t)nb;
    bd->mode = mode;
    bd->value = 0;
    zkr_infer_dataset_commitment(NREC, bd->root, dc);
    if (zkr_prover_geval(&p, sid, pm, bd, ds + RL, 3 * RL, 1, &proof, NULL) != ZKR_OK)
        goto fail;
    {
        /* A seed must be a valid tuple, so that mutations start from acceptance. */
        zkr_verifier_geval_statement st;
        memset(&st, 0, sizeof st);
        memcpy(st.statement_id, sid, 32);
        st.param_set = ZKR_PARAM_SET_128;
        st.g = zkr_ml_gmodel_prog(gm);
        st.mp = mp;
        st.model = pc;
        memcpy(st.dataset, dc, 32);
        st.first = 1;
        st.count = 3;
        st.records = ds + RL;
        st.records_len = 3 * RL;
        st.mode = mode;
        st.value = bd->value;
        if (zkr_verify_geval(proof.p, proof.len, &st, NULL) != ZKR_OK)
            goto fail;
    }
    if (zkr_buf_append(&out, sid, 32) != ZKR_OK || zkr_buf_append(&out, pc.root, 32) != ZKR_OK)
        goto fail;
    put_le(&out, pc.n_vars, 4);
    if (zkr_buf_append(&out, dc, 32) != ZKR_OK)
        goto fail;
    put_le(&out, 1, 8);
    put_le(&out, 3, 8);
    put_le(&out, mode, 1);
    put_le(&out, bd->value, 8);
    put_le(&out, (uint32_t)mb.len, 4);
    put_le(&out, 3 * RL, 4);
    if (zkr_buf_append(&out, mb.p, mb.len) != ZKR_OK ||
        zkr_buf_append(&out, ds + RL, 3 * RL) != ZKR_OK ||
        zkr_buf_append(&out, proof.p, proof.len) != ZKR_OK)
        goto fail;
    emit(dir, "geval_proof", name, out.p, out.len);
    goto done;
fail:
    fprintf(stderr, "fuzz_gen_corpus: cannot make the evaluation-graph seed %s\n", name);
    failed = 1;
done:
    zkr_ginf_model_free(pm);
    zkr_ml_gmodel_free(gm);
    free(store);
    free(mp);
    free(bd);
    zkr_buf_free(&mb);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
}

static void gen_ginfer(const char *dir, uint8_t seed, const char *name)
{
    zkr_ml_gprog g;
    zkr_ml_gmodel *gm = NULL;
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = calloc(1, sizeof *mp);
    zkr_ginf_model *pm = NULL;
    zkr_pcs_commitment pc;
    zkr_params p;
    zkr_buf mb = {0}, proof = {0}, output = {0}, out = {0};
    int64_t *store = NULL;
    uint8_t input[2 * 6 * 6], sid[32];
    int8_t y[64];
    uint32_t n, am;

    memset(sid, 0x6a ^ seed, sizeof sid);
    for (size_t k = 0; k < sizeof input; k++)
        input[k] = (uint8_t)(k * 29 + seed * 71 + 5);
    gen_gprog(&g);
    if (!mp || gen_gmodel(&g, &mb) != ZKR_OK ||
        zkr_ml_gmodel_decode(mb.p, mb.len, &gm, NULL) != ZKR_OK ||
        zkr_ginf_from_gmodel(gm, &in, mp, &store) != ZKR_OK ||
        zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK ||
        zkr_prover_ginf_commit(&p, &in, 1, &pm, &pc, NULL) != ZKR_OK ||
        zkr_prover_ginf(&p, sid, pm, input, sizeof input, 1, &proof, &output, NULL) != ZKR_OK ||
        zkr_infer_output_decode(output.p, output.len, y, 64, &n, &am) != ZKR_OK)
        goto fail;
    {
        /* A seed must be a valid tuple, so that mutations start from acceptance. */
        zkr_verifier_ginf_statement st;
        memset(&st, 0, sizeof st);
        memcpy(st.statement_id, sid, 32);
        st.param_set = ZKR_PARAM_SET_128;
        st.g = zkr_ml_gmodel_prog(gm);
        st.mp = mp;
        st.model = pc;
        st.input = input;
        st.input_len = sizeof input;
        st.output = y;
        st.output_n = n;
        if (zkr_verify_ginf(proof.p, proof.len, &st, NULL) != ZKR_OK)
            goto fail;
    }
    if (zkr_buf_append(&out, sid, 32) != ZKR_OK || zkr_buf_append(&out, pc.root, 32) != ZKR_OK)
        goto fail;
    put_le32(&out, pc.n_vars);
    put_le32(&out, (uint32_t)mb.len);
    put_le32(&out, (uint32_t)sizeof input);
    put_le32(&out, (uint32_t)output.len);
    if (zkr_buf_append(&out, mb.p, mb.len) != ZKR_OK ||
        zkr_buf_append(&out, input, sizeof input) != ZKR_OK ||
        zkr_buf_append(&out, output.p, output.len) != ZKR_OK ||
        zkr_buf_append(&out, proof.p, proof.len) != ZKR_OK)
        goto fail;
    emit(dir, "ginfer_proof", name, out.p, out.len);
    goto done;
fail:
    fprintf(stderr, "fuzz_gen_corpus: cannot make the graph-inference seed %s\n", name);
    failed = 1;
done:
    zkr_ginf_model_free(pm);
    zkr_ml_gmodel_free(gm);
    free(store);
    free(mp);
    zkr_buf_free(&mb);
    zkr_buf_free(&proof);
    zkr_buf_free(&output);
    zkr_buf_free(&out);
}

/*
 * One fuzz_infer2_proof input: the registered statement, then a real
 * inference@2 proof of the fixture's shape (tests/zk/infer2_fixture.h: 1
 * the 4-4-2 model, a version 4 stacked commitment; 4 the one-layer 512-64,
 * whose mixed opening nests its mask, checked) at model budget `budget`.
 */
static void gen_infer2(const char *dir, int shape, uint32_t budget, int pub, uint32_t set,
                       const char *name)
{
    static const uint8_t seed[32] = {'f', 'u', 'z', 'z', '-', 'i', '2'};
    i2case c;
    zkr_buf pf = {0}, in = {0};
    uint8_t le[8];
    int ok;

    memset(&c, 0, sizeof c);
    ok = i2case_init_set(&c, shape, 0, budget, seed, set) && (shape != 4 || i2case_nests(&c, pub));
    if (ok) {
        i2case_mode(&c, pub);
        ok = i2case_prove(&c, pub, seed, &pf) == ZKR_OK &&
             zkr_verify_inference2(pf.p, pf.len, &c.st, NULL) == ZKR_OK;
    }
    if (ok) {
        for (int i = 0; i < 8; i++)
            le[i] = (uint8_t)(c.st.record_index >> (8 * i));
        ok = zkr_buf_append(&in, c.st.statement_id, 32) == ZKR_OK &&
             zkr_buf_append(&in, (const uint8_t[4]){(uint8_t)c.st.param_set, 0, 0, 0}, 4) == ZKR_OK &&
             zkr_buf_append(&in, c.st.program_digest, 32) == ZKR_OK &&
             zkr_buf_append(&in, c.st.model_commitment, 32) == ZKR_OK &&
             zkr_buf_append(&in, c.st.dataset_commitment, 32) == ZKR_OK &&
             zkr_buf_append(&in, le, 8) == ZKR_OK &&
             zkr_buf_append(&in, (const uint8_t[4]){(uint8_t)pub, 0, 0, 0}, 4) == ZKR_OK &&
             zkr_buf_append(&in, (const uint8_t[4]){(uint8_t)c.st.output_len,
                                                    (uint8_t)(c.st.output_len >> 8), 0, 0},
                            4) == ZKR_OK &&
             zkr_buf_append(&in, c.st.output, c.st.output_len) == ZKR_OK &&
             zkr_buf_append(&in, pf.p, pf.len) == ZKR_OK && in.len <= ZKR_FUZZ_INFER2_MAX_INPUT;
    }
    if (ok)
        emit(dir, "infer2_proof", name, in.p, in.len);
    else {
        fprintf(stderr, "fuzz_gen_corpus: infer2 seed %s failed\n", name);
        failed = 1;
    }
    zkr_buf_free(&pf);
    zkr_buf_free(&in);
    i2case_free(&c);
}

/* One fuzz_mrange input: a one-layer 2x2 model commitment at its bounds and its range proof. */
static void gen_mrange(const char *dir)
{
    static const int64_t v[8] = {-127, 127, (int64_t)1 << 30, ((int64_t)1 << 31) - 1,
                                 5, -3, -((int64_t)1 << 30), 0};
    static const uint8_t key[32] = {0x42}, seed[32] = {0x17};
    zkr_infer2_model_commitment mc;
    zkr_mrange_dims dims = {1, {2}, {2}};
    zkr_hpcs_poly *w = NULL;
    zkr_buf enc = {0}, pf = {0}, in = {0};
    zkr_gl ev[8];
    zkr_zkrng rng;
    zkr_params p;
    static const uint8_t nl = 1, dimb[8] = {0, 0, 0, 2, 0, 0, 0, 2};
    int ok;

    memset(&mc, 0, sizeof mc);
    for (int i = 0; i < 8; i++)
        ev[i] = zkr_gl_from_i64(v[i]);
    memset(mc.program_digest, 0x5a, sizeof mc.program_digest);
    mc.n_layers = 1;
    mc.shifts[0] = 8;
    zkr_zkrng_from_key(&rng, key);
    ok = zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
         zkr_prover_hcommit(&p, ev, 3, 8, &rng, 1, &w, &mc.w[0]) == ZKR_OK &&
         zkr_infer2_mc_encode(&mc, &enc) == ZKR_OK &&
         zkr_prover_mrange(&p, enc.p, enc.len, &dims, &w, seed, sizeof seed, 1, &pf, NULL) ==
             ZKR_OK &&
         zkr_mrange_verify(&p, enc.p, enc.len, &dims, pf.p, pf.len, NULL) == ZKR_OK;
    zkr_zkrng_wipe(&rng);
    if (ok) {
        uint8_t l[4];
        zkr_store_be32(l, (uint32_t)enc.len);
        ok = zkr_buf_append(&in, l, 4) == ZKR_OK && zkr_buf_append(&in, enc.p, enc.len) == ZKR_OK &&
             zkr_buf_append(&in, &nl, 1) == ZKR_OK && zkr_buf_append(&in, dimb, 8) == ZKR_OK &&
             zkr_buf_append(&in, pf.p, pf.len) == ZKR_OK;
    }
    if (ok) {
        emit(dir, "mrange", "gen-2x2-bounds", in.p, in.len);
    } else {
        fprintf(stderr, "fuzz_gen_corpus: cannot make the model range proof seed\n");
        failed = 1;
    }
    zkr_hpcs_poly_free(w);
    zkr_buf_free(&enc);
    zkr_buf_free(&pf);
    zkr_buf_free(&in);
}

/*
 * A fuzz_mrange input over a version 4 (stacked) model commitment: two 2x2
 * layers' W' in one group (zkr_prover_hcommit_stack_pool), each layer's
 * range opening the group's tree (zkr_hpcs_verify_batch_stacked).
 */
static void gen_mrange_stacked(const char *dir)
{
    static const int64_t v[2][8] = {{-127, 127, (int64_t)1 << 30, 7, 5, -3, 1, 0},
                                    {3, -127, 9, ((int64_t)1 << 31) - 1, 127, 0, 2, 1}};
    static const uint8_t key[32] = {0x44}, seed[32] = {0x18};
    static const uint8_t nl = 2, dimb[16] = {0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2};
    zkr_infer2_model_commitment mc;
    zkr_mrange_dims dims = {2, {2, 2}, {2, 2}};
    zkr_hpcs_poly *w[2] = {NULL, NULL};
    zkr_hpcs_pair_member ms[2];
    zkr_buf enc = {0}, pf = {0}, in = {0};
    zkr_gl ev[2][8];
    zkr_zkrng rng;
    zkr_params p;
    int ok;

    memset(&mc, 0, sizeof mc);
    for (int l = 0; l < 2; l++) {
        for (int i = 0; i < 8; i++)
            ev[l][i] = zkr_gl_from_i64(v[l][i]);
        ms[l] = (zkr_hpcs_pair_member){ev[l], 3, 2};
        mc.shifts[l] = 8;
    }
    memset(mc.program_digest, 0x5b, sizeof mc.program_digest);
    mc.n_layers = 2;
    mc.stacked = 1;
    zkr_zkrng_from_key(&rng, key);
    ok = zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK;
    if (ok) {
        /* one size for both: blinded for their budget of 2 */
        zkr_err r = zkr_prover_hcommit_stack_pool(&p, ms, 2, 3 + zkr_hpcs_blind_vars(&p, 3, 2),
                                                  NULL, &rng, 1, w, mc.w);
        if (r != ZKR_OK)
            fprintf(stderr, "fuzz_gen_corpus: stacked commit: %s\n", zkr_strerror(r));
        ok = r == ZKR_OK;
    }
    ok = ok &&
         zkr_infer2_mc_encode(&mc, &enc) == ZKR_OK &&
         zkr_prover_mrange(&p, enc.p, enc.len, &dims, w, seed, sizeof seed, 1, &pf, NULL) ==
             ZKR_OK &&
         zkr_mrange_verify(&p, enc.p, enc.len, &dims, pf.p, pf.len, NULL) == ZKR_OK;
    zkr_zkrng_wipe(&rng);
    if (ok) {
        uint8_t l[4];
        zkr_store_be32(l, (uint32_t)enc.len);
        ok = zkr_buf_append(&in, l, 4) == ZKR_OK && zkr_buf_append(&in, enc.p, enc.len) == ZKR_OK &&
             zkr_buf_append(&in, &nl, 1) == ZKR_OK && zkr_buf_append(&in, dimb, 16) == ZKR_OK &&
             zkr_buf_append(&in, pf.p, pf.len) == ZKR_OK && in.len <= ((size_t)1 << 20);
    }
    if (ok) {
        emit(dir, "mrange", "gen-2x2x2-stacked", in.p, in.len);
    } else {
        fprintf(stderr, "fuzz_gen_corpus: cannot make the stacked model range proof seed\n");
        failed = 1;
    }
    zkr_hpcs_poly_free(w[1]);
    zkr_hpcs_poly_free(w[0]);
    zkr_buf_free(&enc);
    zkr_buf_free(&pf);
    zkr_buf_free(&in);
}

static int t2put32(zkr_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return zkr_buf_append(b, x, 4) == ZKR_OK;
}

static int t2put64(zkr_buf *b, uint64_t v)
{
    return t2put32(b, (uint32_t)v) && t2put32(b, (uint32_t)(v >> 32));
}

/* One fuzz_train2_proof input: the public inputs, then a real training-step@2 body. */
static void gen_train2(const char *dir, const uint32_t *dims, size_t nd, uint32_t batch,
                       const char *name)
{
    static const uint8_t seed[32] = {'f', 'u', 'z', 'z', '-', 't', '2'};
    zkr_tap t;
    t2fx f;
    zkr_buf pf = {0}, in = {0};
    const zkr_train2_shape *s = &f.pub.s;
    char *argv0[] = {(char *)"gen", (char *)"--seed", (char *)"7", NULL};
    int ok;

    zkr_tap_init(&t, 3, argv0);
    ok = t2fx_setup_s(&t, &f, dims, nd, batch, 1, 7, 1) &&
         zkr_prover_train2(&f.p, f.sid, &f.pub, &f.sec, seed, sizeof seed, 1, &pf, NULL) ==
             ZKR_OK &&
         zkr_verify_train2(&f.p, f.sid, &f.pub, pf.p, pf.len, NULL) == ZKR_OK;
    ok = ok && t2put32(&in, f.p.queries) && t2put32(&in, f.p.pow_bits) &&
         zkr_buf_append(&in, f.sid, 32) == ZKR_OK && t2put32(&in, s->n_layers);
    for (uint32_t l = 0; ok && l <= s->n_layers; l++)
        ok = t2put32(&in, dims[l]);
    ok = ok && t2put32(&in, batch) && t2put32(&in, s->lr) && t2put32(&in, s->shift);
    for (int which = 0; which < 2 && ok; which++)
        for (uint32_t l = 0; ok && l < s->n_layers; l++)
            for (size_t i = 0; ok && i < (size_t)s->out[l] * (s->in[l] + 1); i++)
                ok = t2put32(&in, (uint32_t)(which ? f.cw[l][i] : f.pw[l][i]));
    ok = ok && t2put64(&in, f.pub.n_records) && zkr_buf_append(&in, f.pub.root, 32) == ZKR_OK;
    for (uint32_t i = 0; ok && i < batch; i++)
        ok = t2put64(&in, f.idx[i]) &&
             zkr_buf_append(&in, f.rc[i], ZKR_RECORD_COMMIT_BYTES) == ZKR_OK &&
             t2put32(&in, (uint32_t)f.plen[i]) &&
             zkr_buf_append(&in, (const uint8_t *)f.paths[i], f.plen[i] * 32) == ZKR_OK;
    ok = ok && zkr_buf_append(&in, pf.p, pf.len) == ZKR_OK && in.len <= ZKR_FUZZ_TRAIN2_MAX_INPUT;
    if (ok)
        emit(dir, "train2_proof", name, in.p, in.len);
    else {
        fprintf(stderr, "fuzz_gen_corpus: train2 seed %s failed\n", name);
        failed = 1;
    }
    zkr_buf_free(&pf);
    zkr_buf_free(&in);
    t2fx_free(&f);
}

/* ---------------- graph-inference@2 relations (fuzz_ginfer2_rel.h) ---------------- */
static void g2_commit_put(zkr_buf *b, const zkr_hpcs_commitment *c)
{
    (void)!zkr_buf_append(b, c->root, 32);
    put32(b, c->n_vars);
    put32(b, c->blind_vars);
}

/* One fuzz_ginfer2_rel input; c[2] may be NULL (written as zeros). */
static void g2_input(zkr_buf *b, uint8_t rel, const zkr_params *p, const uint8_t *sid,
                     const uint32_t *shape, const zkr_hpcs_commitment *const *c, const zkr_buf *pf)
{
    static const zkr_hpcs_commitment none;

    (void)!zkr_buf_append(b, (const uint8_t[2]){rel, 1}, 2);
    put32(b, p->queries);
    put32(b, p->pow_bits);
    (void)!zkr_buf_append(b, sid, 32);
    for (unsigned i = 0; i < ZKR_FUZZ_GINF2_SHAPE_WORDS; i++)
        put32(b, shape[i]);
    for (unsigned i = 0; i < 3; i++)
        g2_commit_put(b, c[i] ? c[i] : &none);
    (void)!zkr_buf_append(b, pf->p, pf->len);
}

/*
 * Writes the seed once the honest proof verifies directly (direct) and
 * through the harness's own reader (ZKR_OK, not skipped), and the input
 * cut by one byte is refused there (the reader reached the verifier).
 */
static void g2_emit(const char *dir, const char *name, uint8_t rel, const zkr_params *p,
                    const uint8_t *sid, const uint32_t *shape,
                    const zkr_hpcs_commitment *const *c, const zkr_buf *pf, zkr_err direct)
{
    zkr_buf in = {0};
    zkr_err h = ZKR_ERR_NOMEM, cut = ZKR_OK;
    int skip = 1, skip_cut = 1;

    g2_input(&in, rel, p, sid, shape, c, pf);
    if (in.len > ZKR_FUZZ_GINF2_HEADER) { /* else an append failed */
        h = zkr_fuzz_ginfer2_rel_verify(in.p, in.len, &skip);
        cut = zkr_fuzz_ginfer2_rel_verify(in.p, in.len - 1, &skip_cut);
    }
    if (direct != ZKR_OK || h != ZKR_OK || skip || cut == ZKR_OK || skip_cut) {
        fprintf(stderr, "fuzz_gen_corpus: ginfer2_rel %s: direct %d, harness %d/%d, cut %d\n",
                name, (int)direct, (int)h, skip, (int)cut);
        failed = 1;
    } else
        emit(dir, "ginfer2_rel", name, in.p, in.len);
    zkr_buf_free(&in);
}

static zkr_err g2_rng(zkr_zkrng *g, uint8_t tag)
{
    uint8_t seed[32];

    memset(seed, tag, sizeof seed);
    return zkr_zkrng_seeded(g, seed, sizeof seed, "fuzz ginfer2_rel", NULL, 0);
}

/*
 * One honest proof per relation at tests/zk/ginfer2_fx.h's shapes (conv
 * 1 x 6 x 6 by two 3 x 3 kernels; requant of its 2 x 4 x 4 accumulator;
 * 3 x 3 stride 2 pad 1 maxpool of a 2 x 5 x 5 input; tests/zk/ginfer2_avg_fx.h's
 * 3 x 3 stride 1 pad 1 avgpool of a 2 x 6 x 6 input), on the 128-bit
 * parameter set itself: reduced ones are refused (UNSUPPORTED), since the
 * relations' extra grinding cannot lift them to the target.
 */
static void gen_ginfer2(const char *dir)
{
    zkr_ginf2_popts o = {1, 0, 0, 0, 1, 0};
    zkr_buf pf = {0};
    zkr_zkrng g;
    g2fx f;
    g2rq rq;
    g2pl pl;
    zkr_err e;
    uint32_t cs[ZKR_FUZZ_GINF2_SHAPE_WORDS] = {G2FX_C, G2FX_H, G2FX_H, G2FX_K, G2FX_K, 1, 1, 1, 1,
                                               0, 0, 0, 0, G2FX_CO};
    uint32_t qs[ZKR_FUZZ_GINF2_SHAPE_WORDS] = {G2FX_CO, G2FX_O, G2FX_O, G2RQ_M, G2RQ_SHIFT, 1,
                                               G2RQ_ACC_BITS};
    uint32_t ps[ZKR_FUZZ_GINF2_SHAPE_WORDS] = {2, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0};
    uint32_t as[ZKR_FUZZ_GINF2_SHAPE_WORDS] = {2, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    g2av av;

    memset(&rq, 0, sizeof rq), memset(&pl, 0, sizeof pl), memset(&av, 0, sizeof av);
    if ((e = g2fx_init(&f, 1)) != ZKR_OK)
        goto out;
    if ((e = g2_rng(&g, 1)) != ZKR_OK || (e = g2fx_commit(&f, &g)) != ZKR_OK ||
        (e = g2fx_prove(&f, &o, &g, &pf)) != ZKR_OK)
        goto out;
    g2_emit(dir, "gen-conv-1x6x6-k3-co2", 0, &f.p, f.sid, cs,
            (const zkr_hpcs_commitment *const[3]){&f.xc, &f.wc, &f.yc}, &pf,
            g2fx_verify(&f, NULL, NULL, NULL, 0, pf.p, pf.len));
    pf.len = 0;
    if ((e = g2rq_init(&rq, &f, 1)) != ZKR_OK || (e = g2rq_commit(&rq, &g)) != ZKR_OK ||
        (e = g2rq_prove(&rq, &o, &g, &pf)) != ZKR_OK)
        goto out;
    g2_emit(dir, "gen-requant-2x4x4-relu", 1, &rq.p, rq.sid, qs,
            (const zkr_hpcs_commitment *const[3]){&rq.ac, &rq.vc, NULL}, &pf,
            g2rq_verify(&rq, NULL, NULL, 0, pf.p, pf.len));
    pf.len = 0;
    if ((e = g2pl_init(&pl, &f, 3, 2, 1, 5)) != ZKR_OK || (e = g2pl_commit(&pl, &g)) != ZKR_OK ||
        (e = g2pl_prove(&pl, &o, &g, &pf)) != ZKR_OK)
        goto out;
    g2_emit(dir, "gen-pool-2x5x5-k3s2p1", 2, &pl.p, pl.sid, ps,
            (const zkr_hpcs_commitment *const[3]){&pl.xc, &pl.vc, NULL}, &pf,
            g2pl_verify(&pl, NULL, NULL, 0, pf.p, pf.len));
    pf.len = 0;
    if ((e = g2av_init(&av, 2, 6, 3, 1, 1, 7)) != ZKR_OK || (e = g2av_commit(&av, &g)) != ZKR_OK ||
        (e = g2av_prove(&av, &o, &g, &pf)) != ZKR_OK)
        goto out;
    g2_emit(dir, "gen-avg-2x6x6-k3s1p1", 3, &av.p, av.sid, as,
            (const zkr_hpcs_commitment *const[3]){&av.xc, &av.vc, NULL}, &pf,
            g2av_verify(&av, NULL, NULL, 0, pf.p, pf.len));
out:
    if (e != ZKR_OK) {
        fprintf(stderr, "fuzz_gen_corpus: ginfer2_rel seed failed (%d)\n", (int)e);
        failed = 1;
    }
    zkr_buf_free(&pf);
    g2av_free(&av), g2pl_free(&pl), g2rq_free(&rq), g2fx_free(&f);
}

/* ---------------- graph-inference@2 whole proofs (fuzz_ginfer2_net.h) ---------------- */
static void gen_ginfer2_net(const char *dir)
{
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_buf pf = {0}, out = {0}, in = {0};
    zkr_zkrng g;
    zkr_err e = ZKR_ERR_NOMEM, h = ZKR_ERR_NOMEM, cut = ZKR_OK;
    int skip = 1, skip_cut = 1;

    if (!f || (e = g2n_fx_init(f, 0, 1)) != ZKR_OK || (e = g2_rng(&g, 7)) != ZKR_OK)
        goto out;
    if ((e = g2n_fx_commit(f, 1, &g)) == ZKR_OK)
        e = g2n_fx_prove(f, &g, &pf, &out);
    zkr_zkrng_wipe(&g);
    if (e != ZKR_OK)
        goto out;
    {
        uint8_t idx[8];
        for (unsigned k = 0; k < 8; k++)
            idx[k] = (uint8_t)((uint64_t)G2N_FX_INDEX >> (8 * k));
        (void)!zkr_buf_append(&in, f->sid, 32);
        (void)!zkr_buf_append(&in, f->mcd, 32);
        (void)!zkr_buf_append(&in, f->dsc, 32);
        (void)!zkr_buf_append(&in, idx, sizeof idx);
    }
    (void)!zkr_buf_append(&in, pf.p, pf.len);
    if (in.len > ZKR_FUZZ_G2N_HEADER) {
        h = zkr_fuzz_ginfer2_net_verify(in.p, in.len, &skip);
        cut = zkr_fuzz_ginfer2_net_verify(in.p, in.len - 1, &skip_cut);
    }
    if (h == ZKR_OK && !skip && cut != ZKR_OK && !skip_cut)
        emit(dir, "ginfer2_net", "gen-small-cnn", in.p, in.len);
out:
    if (e != ZKR_OK || h != ZKR_OK || skip || cut == ZKR_OK || skip_cut) {
        fprintf(stderr, "fuzz_gen_corpus: ginfer2_net seed failed (%d, harness %d/%d, cut %d)\n",
                (int)e, (int)h, skip, (int)cut);
        failed = 1;
    }
    zkr_buf_free(&pf), zkr_buf_free(&out), zkr_buf_free(&in);
    if (f)
        g2n_fx_free(f);
    free(f);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: fuzz_gen_corpus OUTDIR [REGISTRY]\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    gen_proof(argv[1]);
    gen_verifier_shape(argv[1], 1, 1, 1, 1);
    gen_verifier_shape(argv[1], 2, 3, 1, 2);
    gen_verifier_shape(argv[1], 3, 2, 2, 3);
    gen_verifier_shape(argv[1], 4, 5, 3, 4);
    /* One matmul@2 seed: a version 2 proof carries seven hiding openings (~0.85 MB). */
    gen_matmul2_shape(argv[1], 1, 1, 1, 5);
    /* inference@2 seeds (public output) from the real prover: sets 1, 3 and 4. */
    gen_infer2(argv[1], 1, 4, 1, ZKR_PARAM_SET_128, "gen-4-4-2-pub");
    gen_infer2(argv[1], 1, 4, 1, ZKR_PARAM_SET_128_R16, "gen-4-4-2-pub-r16");
    gen_infer2(argv[1], 4, 4, 1, ZKR_PARAM_SET_128_R16, "gen-512-64-pub-r16");
    /* set 4: the mixed opening over F_p^6 */
    gen_infer2(argv[1], 1, 4, 1, ZKR_PARAM_SET_128_R64, "gen-4-4-2-pub-r64");
    gen_mrange(argv[1]);
    gen_mrange_stacked(argv[1]);
    gen_ginfer2(argv[1]);
    gen_ginfer2_net(argv[1]);
    {
        /* training-step@2 seeds on the tests' fast parameter set (8 queries, no grinding) */
        static const uint32_t t2a[] = {4, 4, 2}, t2b[] = {6, 4, 4, 3};
        gen_train2(argv[1], t2a, 3, 2, "gen-4-4-2-b2");
        gen_train2(argv[1], t2b, 4, 3, "gen-6-4-4-3-b3");
    }
    gen_keyfile(argv[1]);
    gen_ginfer(argv[1], 0, "gen-resid-2x6x6-a");
    gen_ginfer(argv[1], 1, "gen-resid-2x6x6-b");
    gen_geval(argv[1], ZKR_EVAL_MODE_EXACT, "gen-resid-2x6x6-r1x3");
    gen_geval(argv[1], ZKR_EVAL_MODE_THRESHOLD, "gen-resid-2x6x6-r1x3-tau");
    gen_ipc(argv[1]);
    {
        static const uint32_t two[] = {12, 8, 3}, three[] = {10, 8, 4, 3};
        gen_train_shape(argv[1], two, 3, 2, "gen-12-8-3-b2");
        gen_train_shape(argv[1], three, 4, 3, "gen-10-8-4-3-b3");
    }
    {
        static const uint32_t two[] = {6, 5, 3}, three[] = {8, 6, 4, 4};
        gen_eval_shape(argv[1], two, 2, 2, 5, "gen-6-5-3-r2x5", 0);
        gen_eval_shape(argv[1], three, 3, 0, 12, "gen-8-6-4-4-r0x12", 0);
        gen_eval_shape(argv[1], two, 2, 2, 5, "gen-6-5-3-r2x5", 1);
        gen_eval_shape(argv[1], three, 3, 0, 12, "gen-8-6-4-4-r0x12", 1);
        /* Format version 2 with polys joining the fold (V_1 and A join V_0), and version 1. */
        static const uint32_t joins[] = {12, 8, 3};
        gen_eval_shape(argv[1], joins, 2, 0, 12, "gen-12-8-3-r0x12-joins", 0);
        gen_eval_shape(argv[1], two, 2, 2, 5, "gen-6-5-3-r2x5-v1", 2);
        /* Format version 3 splits 5 records (4 + 1) and 12 (8 + 4); version 2 did not. */
        gen_eval_shape(argv[1], two, 2, 2, 5, "gen-6-5-3-r2x5-v2", 3);
        /* Format version 4 is made now; version 3 (split 4 + 1) keeps a seed of its own. */
        gen_eval_shape(argv[1], two, 2, 2, 5, "gen-6-5-3-r2x5-v3", 4);
    }
    if (argc == 3)
        gen_statements(argv[1], argv[2]);
    return failed;
}
