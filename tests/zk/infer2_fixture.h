/*
 * A small inference@2 case shared by the inference@2 tests: a quantized
 * model whose rows exercise every branch of the clamp, three records behind
 * hiding record commitments under the dataset root, and the registered
 * statement the verifier takes.
 */
#ifndef ZKR_TEST_INFER2_FIXTURE_H
#define ZKR_TEST_INFER2_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "ml/ml.h"
#include "prover/prover.h"
#include "tests/tap.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

#define I2F_MAX_L 3
typedef struct {
    uint32_t n_layers;
    uint32_t dims[I2F_MAX_L + 1];
    zkr_ml_graph g;
    int8_t w[I2F_MAX_L][32768];
    int32_t bias[I2F_MAX_L][256];
    uint32_t mult[I2F_MAX_L][256];
    zkr_ml_qlayer q[I2F_MAX_L];
    zkr_ml_model *m;
    zkr_infer2_model *im;
    zkr_buf mc; /* the model commitment v2 bytes */
    uint8_t mopen[ZKR_INFER2_OPENING_BYTES];
    zkr_params p;
    uint8_t rec[3][520];
    uint8_t rc[3][ZKR_RECORD_COMMIT_BYTES], ro[3][ZKR_RECORD_OPENING_BYTES];
    uint8_t leaves[3][ZKR_DIGEST_BYTES];
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_infer2_record r;
    zkr_buf plain; /* the public output encoding */
    uint8_t oc[ZKR_INFER2_OUTPUT_COMMIT_BYTES], oco[ZKR_RECORD_OPENING_BYTES];
    zkr_verifier_inference2_statement st;
} i2case;

/*
 * shape 0: 4-8-4-2 (ReLU, none, ReLU; shifts 8, 12, 48) with rows fixed to
 * hit each clamp branch (inference@1's soundness case); shape 1: 4-4-2
 * (ReLU, none; shifts 10, 16), the leakage test's tiny program; shape 2:
 * 4-2 (ReLU; shift 8), one layer whose row 0 is an output logit (the
 * record-bytes attack of soundness-infer2); shape 3: 4-256 (ReLU; shift 8),
 * one wide layer whose V is of T_A's size at a model budget of 2 (V, h and
 * phi full-size members of the mixed opening at every parameter set); shape
 * 4: 512-64 (ReLU; shift 8), one layer whose W' is eight times V's size or
 * more, so that V and m join at the opening's second layer and its mask
 * nests under their leaves (version 13, zkr_infer2_nest_h); shape 5:
 * 512-64-2 (ReLU, none; shifts 10, 16), two layers whose W' stack (a
 * version 4 model commitment) beside a V small enough to nest. variant
 * changes the weights of shape 1 but not layer 1's bias-only output rows:
 * the same public output from a different model.
 */
static inline int i2case_init_set(i2case *c, int shape, int variant, uint32_t budget,
                                  const uint8_t *seed, uint32_t set)
{
    static const uint32_t d0[4] = {4, 8, 4, 2}, s0[3] = {8, 12, 48};
    static const int r0[3] = {1, 0, 1};
    static const uint32_t d1[3] = {4, 4, 2}, s1[2] = {10, 16};
    static const int r1[2] = {1, 0};
    static const uint32_t d2[2] = {4, 2}, s2[1] = {8};
    static const int r2[1] = {1};
    static const uint32_t d3[2] = {4, 256}, d4[2] = {512, 64}, d5[3] = {512, 64, 2};
    const uint32_t *dims = shape == 5   ? d5
                           : shape == 4 ? d4
                           : shape == 3 ? d3
                           : shape == 2 ? d2
                           : shape      ? d1
                                        : d0;
    const uint32_t *shifts = shape == 5 ? s1 : shape >= 2 ? s2 : shape ? s1 : s0;
    const int *relu = shape == 5 ? r1 : shape >= 2 ? r2 : shape ? r1 : r0;
    zkr_diag d = {0};
    zkr_buf b = {0};
    uint8_t root[ZKR_DIGEST_BYTES], rseed[32];

    memset(c, 0, sizeof *c);
    c->n_layers = shape == 5 ? 2 : shape >= 2 ? 1 : shape ? 2 : 3;
    c->g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    c->g.input_dim = dims[0];
    c->g.n_layers = c->n_layers;
    for (uint32_t l = 0; l < c->n_layers; l++) {
        zkr_ml_layer_desc *L = &c->g.layers[l];
        L->op = ZKR_ML_OP_DENSE;
        L->act = (uint8_t)(relu[l] ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE);
        L->in_dim = dims[l];
        L->out_dim = dims[l + 1];
        for (uint32_t j = 0; j < L->out_dim; j++) {
            for (uint32_t k = 0; k < L->in_dim; k++)
                c->w[l][j * L->in_dim + k] =
                    (int8_t)(((j * 7 + k * 3 + l + 5 * (uint32_t)variant) % 11) - 5);
            c->bias[l][j] = (int32_t)(j * 37) - 60;
            c->mult[l][j] = 1 + j;
        }
        c->q[l].w = c->w[l];
        c->q[l].bias = c->bias[l];
        c->q[l].mult = c->mult[l];
        c->q[l].shift = shifts[l];
    }
    if (shape == 0) {
        static const struct {
            uint32_t l, j;
            int32_t bias;
            uint32_t mult;
        } fixed[] = {
            {0, 1, -200, 1}, {0, 2, 200 * 256, 1}, {0, 3, 50 * 256, 1},
            {1, 0, -300 * 4096, 1}, {1, 1, 300 * 4096, 1}, {1, 3, -4096, 1},
            {2, 0, 1 << 30, 0x7fffffffu},
        };
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
            uint32_t l = fixed[i].l, j = fixed[i].j, in = dims[l];
            memset(c->w[l] + j * in, 0, in);
            c->bias[l][j] = fixed[i].bias;
            c->mult[l][j] = fixed[i].mult;
        }
    } else if (shape == 1) {
        /* the output layer depends on its bias only: every variant gives the same output */
        memset(c->w[1], 0, 8);
        c->bias[1][0] = 3 << 16;
        c->bias[1][1] = -(5 << 16);
        c->mult[1][0] = c->mult[1][1] = 1;
    }
    for (uint32_t l = 0; l <= c->n_layers; l++)
        c->dims[l] = dims[l];
    if (zkr_ml_model_encode(&c->g, c->q, &b, &d) != ZKR_OK ||
        zkr_ml_model_decode(b.p, b.len, &c->m, &d) != ZKR_OK) {
        zkr_tap_diag("model: %s", d.msg);
        zkr_buf_free(&b);
        return 0;
    }
    zkr_buf_free(&b);
    if (zkr_params_get(set, &c->p) != ZKR_OK ||
        zkr_prover_infer2_commit(&c->p, c->m, budget, seed, seed ? 32 : 0, 1, &c->im, &c->mc,
                                 c->mopen, &d) != ZKR_OK) {
        zkr_tap_diag("commit: %s", d.msg);
        return 0;
    }
    for (int i = 0; i < 3; i++) {
        for (uint32_t k = 0; k < dims[0]; k++)
            c->rec[i][k] = (uint8_t)(40 * i + 50 * k + 3);
        c->rec[i][dims[0]] = (uint8_t)i; /* label */
        /* each record's commitment randomness follows the case's seed (fresh per leakage proof) */
        for (size_t q = 0; q < sizeof rseed; q++)
            rseed[q] = (uint8_t)((seed ? seed[q] : 0) ^ (0x30 + i));
        if (zkr_prover_record_commit(&c->p, c->rec[i], dims[0] + 1, 4, rseed, sizeof rseed, 1,
                                     c->rc[i], c->ro[i]) != ZKR_OK)
            return 0;
        zkr_infer2_record_leaf(c->rc[i], c->leaves[i]);
    }
    if (zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])c->leaves, 3, root) != ZKR_OK ||
        zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])c->leaves, 3, 1, c->path,
                                   &c->r.path_len) != ZKR_OK)
        return 0;
    c->r.index = 1;
    c->r.n_records = 3;
    memcpy(c->r.root, root, sizeof root);
    c->r.record = c->rec[1];
    c->r.record_len = dims[0] + 1;
    c->r.commitment = c->rc[1];
    c->r.opening = c->ro[1];
    c->r.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])c->path;
    for (size_t q = 0; q < sizeof rseed; q++)
        rseed[q] = (uint8_t)((seed ? seed[q] : 0) ^ 0x77);
    if (zkr_prover_infer2_output(&c->p, c->im, &c->r, rseed, sizeof rseed, 1, &c->plain, c->oc,
                                 c->oco, &d) != ZKR_OK) {
        zkr_tap_diag("output: %s", d.msg);
        return 0;
    }
    zkr_infer2_dataset_commitment(3, root, c->st.dataset_commitment);
    zkr_ml_model_program_digest(c->m, c->st.program_digest);
    zkr_infer2_mc_digest(c->mc.p, c->mc.len, c->st.model_commitment);
    c->st.param_set = set;
    c->st.record_index = 1;
    for (int i = 0; i < 32; i++)
        c->st.statement_id[i] = (uint8_t)(0xa0 + i);
    return 1;
}

/* Whether c's proofs (pub: public output) nest the mixed opening's mask (zkr_infer2_nest_of). */
static inline int i2case_nests(const i2case *c, int pub)
{
    zkr_infer2_model_commitment mc;
    zkr_record_commitment rcd;

    return zkr_infer2_mc_decode(&c->p, c->mc.p, c->mc.len, &mc) == ZKR_OK &&
           zkr_record_commitment_decode(&c->p, c->rc[1], sizeof c->rc[1], &rcd) == ZKR_OK &&
           zkr_infer2_nest_of(&c->p, &mc, c->dims[0], c->dims + 1, pub,
                              rcd.comm.n_vars + rcd.comm.blind_vars) != 0;
}

/* i2case_init_set at set 1, or at $ZKR_TEST_PARAM_SET (meson reruns the suites at set 3). */
static inline int i2case_init(i2case *c, int shape, int variant, uint32_t budget, const uint8_t *seed)
{
    const char *ps = getenv("ZKR_TEST_PARAM_SET");

    return i2case_init_set(c, shape, variant, budget, seed,
                           ps ? (uint32_t)strtoul(ps, NULL, 10) : ZKR_PARAM_SET_128);
}

/* Points st at the public output (pub 1) or at the output commitment (pub 0). */
static inline void i2case_mode(i2case *c, int pub)
{
    c->st.public_output = pub;
    c->st.output = pub ? c->plain.p : c->oc;
    c->st.output_len = pub ? c->plain.len : sizeof c->oc;
}

static inline zkr_err i2case_prove(i2case *c, int pub, const uint8_t *seed, zkr_buf *proof)
{
    zkr_diag d = {0};
    zkr_err r = zkr_prover_inference2(&c->p, c->st.statement_id, c->im, &c->r, pub,
                                      pub ? NULL : c->oc, pub ? NULL : c->oco, seed,
                                      seed ? 32 : 0, 1, proof, &d);
    if (r != ZKR_OK)
        zkr_tap_diag("prove: %s", d.msg);
    return r;
}

static inline void i2case_free(i2case *c)
{
    zkr_infer2_model_free(c->im);
    zkr_ml_model_free(c->m);
    zkr_buf_free(&c->mc);
    zkr_buf_free(&c->plain);
}

#endif
