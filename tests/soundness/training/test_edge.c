/*
 * training-step@1 soundness, the parts of V that carry no value: the group
 * slots past the used ones and the child's padding columns. A prover that
 * writes anything there (in range, so the LogUp holds) must be refused.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ml/graph.h"
#include "ml/ml_int.h"

/* 3-4-out, batch 2, zkr_ml_tmodel_init (seed 7), lr 200, shift 12 (as test_attacks.c). */
static int fx_out(hx_fixture *f, uint32_t out)
{
    const uint32_t dims[] = {3, 4, out};
    uint8_t r[8][HX_MAX_IN + 1];
    uint64_t idx[] = {1, 5};

    for (uint32_t i = 0; i < 8; i++) {
        for (uint32_t k = 0; k < 3; k++)
            r[i][k] = (uint8_t)(37 * i + 11 * k + 5);
        r[i][3] = (uint8_t)(i % out);
    }
    return hx_setup(f, dims, 2, NULL, 7, (const uint8_t(*)[HX_MAX_IN + 1])r, 8, idx, 2, 200, 12);
}

static int fx_small(hx_fixture *f)
{
    return fx_out(f, 2);
}

typedef struct {
    uint32_t l, sl, b, j;
    zkr_gl v;
} slot_set;

static zkr_err cheat_slot(zkr_train_witness *w, void *arg)
{
    const slot_set *a = arg;

    *hx_slot(w, a->l, a->sl, a->b, a->j) = a->v;
    return ZKR_OK;
}

/*
 * The group slots past the used ones carry nothing; the verifier combines
 * them as 0 into the group's claim, so a prover that writes anything there
 * (in range, so the LogUp holds) fails the opening of V.
 */
static void test_unused_slots(zkr_tap *t)
{
    hx_fixture f;
    slot_set a;

    if (!zkr_tap_ok(t, fx_small(&f), "small fixture"))
        return;
    hx_honest(t, &f, "honest step of the small fixture verifies");
    for (unsigned sl = ZKR_TS_HIDDEN_USED; sl < (1u << ZKR_TS_HIDDEN_LOG); sl++) {
        a = (slot_set){0, sl, 1, 2, 7};
        hx_attack(t, &f, cheat_slot, &a, "opening", 1, sl == ZKR_TS_HIDDEN_USED ?
                  "hidden_unused_slot_first_set_7" : "hidden_unused_slot_set_7");
    }
    for (unsigned sl = ZKR_TS_OUT_USED; sl < (1u << ZKR_TS_OUT_LOG); sl++) {
        a = (slot_set){1, sl, 0, 1, 1};
        hx_attack(t, &f, cheat_slot, &a, "opening", 1, "output_unused_slot_set_1");
    }
    hx_free(&f);
}

/* ru of one update entry := v, rus := 2^(16-S) v (field). */
typedef struct {
    uint32_t l, j, k;
    zkr_gl ru;
} ru_set;

static zkr_err cheat_ru(zkr_train_witness *w, void *arg)
{
    const ru_set *a = arg;

    *hx_upd(w, a->l, ZKR_TU_RU, a->j, a->k) = a->ru;
    *hx_upd(w, a->l, ZKR_TU_RUS, a->j, a->k) = zkr_gl_mul(a->ru, hx_pow2(16 - w->shift));
    return ZKR_OK;
}

/*
 * The child's padding columns (k > in, no input, g = 0) must stay 0: a child
 * committed with W' = -1 in a padding column of layer 1 is refused, with the
 * honest ru (the update equation fails) and with ru solved for it over the
 * field (ru = -2^(S-1) leaves 0..65535).
 */
static void test_child_padding(zkr_tap *t)
{
    hx_fixture f;
    zkr_gl *cw[ZKR_TRAIN_MAX_LAYERS] = {0};
    zkr_train_shape s;
    ru_set a = {1, 0, 6, 0};

    if (!zkr_tap_ok(t, fx_small(&f), "small fixture"))
        return;
    if (zkr_tap_ok(t, hx_shape(&f, &s) && s.lk[1] == 3 && hx_child_field(&f, cw),
                   "layer 1 has padding columns 5..7")) {
        cw[1][(size_t)a.j * 8 + a.k] = hx_f(-1);
        if (zkr_tap_ok(t, hx_set_child_raw(&f, cw), "child with W'[1][0][6] = -1")) {
            hx_attack(t, &f, NULL, NULL, "update", 1, "update_child_padding_column_minus_1");
            a.ru = hx_f(-(1 << 11));
            hx_attack(t, &f, cheat_ru, &a, "LogUp range", 1,
                      "update_child_padding_column_minus_1_ru_solved");
        }
    }
    for (uint32_t l = 0; l < ZKR_TRAIN_MAX_LAYERS; l++)
        free(cw[l]), cw[l] = NULL;
    hx_free(&f);
    /* 3 outputs: row 3 of the last layer is padding (o = 0 there, so g = 0). */
    a = (ru_set){1, 3, 0, 0};
    if (!zkr_tap_ok(t, fx_out(&f, 3), "3-4-3 fixture"))
        return;
    if (zkr_tap_ok(t, hx_shape(&f, &s) && s.lm[1] == 2 && s.lk[1] == 3 && hx_child_field(&f, cw),
                   "layer 1 has padding row 3")) {
        cw[1][(size_t)a.j * 8 + a.k] = hx_f(-1);
        if (zkr_tap_ok(t, hx_set_child_raw(&f, cw), "child with W'[1][3][0] = -1")) {
            hx_attack(t, &f, NULL, NULL, "update", 1, "update_child_padding_row_minus_1");
            a.ru = hx_f(-(1 << 11));
            hx_attack(t, &f, cheat_ru, &a, "LogUp range", 1,
                      "update_child_padding_row_minus_1_ru_solved");
        }
    }
    for (uint32_t l = 0; l < ZKR_TRAIN_MAX_LAYERS; l++)
        free(cw[l]);
    hx_free(&f);
}

/*
 * Re-labels the fixture's program: hidden layer 0 without its ReLU (or the
 * last layer with one), same weights. training-step@1 proves a ReLU step;
 * a program whose activations differ is not a training program
 * (zkr_ml_tprogram_check) and its statement must be refused.
 */
static int relabel_program(hx_fixture *f, uint32_t l, uint8_t act)
{
    zkr_buf prog = {0};
    zkr_diag d;
    uint8_t pcomm[ZKR_DIGEST_BYTES];
    zkr_gl *cw[ZKR_TRAIN_MAX_LAYERS] = {0};
    int ok;

    f->parent->g.layers[l].act = act;
    ok = zkr_ml_graph_encode(&f->parent->g, &prog, &d) == ZKR_OK;
    if (ok)
        zkr_sha256(prog.p, prog.len, f->parent->program_digest);
    zkr_buf_free(&prog);
    zkr_train_model_free(f->tp);
    f->tp = NULL;
    ok = ok && zkr_prover_train_commit(&f->p, f->parent, 1, &f->tp, pcomm, NULL) == ZKR_OK;
    if (ok) {
        memcpy(f->st.program_digest, f->parent->program_digest, ZKR_DIGEST_BYTES);
        memcpy(f->st.parent_commitment, pcomm, ZKR_DIGEST_BYTES);
    }
    ok = ok && hx_child_field(f, cw) && hx_set_child_raw(f, cw);
    for (uint32_t i = 0; i < ZKR_TRAIN_MAX_LAYERS; i++)
        free(cw[i]);
    return ok;
}

static void test_program_activations(zkr_tap *t)
{
    static const struct {
        uint32_t l;
        uint8_t act;
        const char *name;
    } cases[] = {{0, ZKR_ML_ACT_NONE, "program_hidden_layer_without_relu"},
                 {1, ZKR_ML_ACT_RELU, "program_last_layer_with_relu"}};

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hx_fixture f;
        zkr_buf proof = {0};
        zkr_diag d;
        zkr_err pr, vr = ZKR_OK;

        if (!zkr_tap_ok(t, fx_small(&f), "small fixture"))
            return;
        if (zkr_tap_ok(t, relabel_program(&f, cases[i].l, cases[i].act), "%s: relabelled",
                       cases[i].name)) {
            memset(&d, 0, sizeof d);
            pr = zkr_prover_train_step_cheat(&f.p, f.st.statement_id, f.tp, f.tc, f.rec, f.batch,
                                             &f.sp, &f.tr, NULL, NULL, &proof, &d);
            if (pr == ZKR_OK) {
                memset(&d, 0, sizeof d);
                vr = zkr_verify_train_step(&f.p, &f.st, proof.p, proof.len, &d);
            }
            zkr_tap_ok(t, pr == ZKR_OK && vr == ZKR_ERR_UNSUPPORTED,
                       "%s: refused as not a training program (prover %d, verifier %d: %s)",
                       cases[i].name, (int)pr, (int)vr, d.msg);
            zkr_buf_free(&proof);
        }
        hx_free(&f);
    }
}

/*
 * A non-canonical word (>= p) where the body carries a field element (the
 * LogUp root numerator, right after the V and M roots) is malformed, never
 * read modulo p: otherwise one value would have two encodings and the
 * transcript (which absorbs the words) would not bind the proof bytes.
 */
static void test_noncanonical(zkr_tap *t)
{
    hx_fixture f;
    zkr_buf proof = {0};
    zkr_proof_view v;
    zkr_diag d;
    zkr_err r = ZKR_ERR_INTERNAL;

    if (!zkr_tap_ok(t, fx_small(&f), "small fixture"))
        return;
    memset(&d, 0, sizeof d);
    if (zkr_prover_train_step_cheat(&f.p, f.st.statement_id, f.tp, f.tc, f.rec, f.batch, &f.sp,
                                    &f.tr, NULL, NULL, &proof, &d) == ZKR_OK &&
        zkr_proof_parse(proof.p, proof.len, &v, &d) == ZKR_OK && v.n_sections == 2 &&
        v.len[1] > 2 * ZKR_DIGEST_BYTES + 8) {
        size_t at = (size_t)(v.body[1] - proof.p) + 2 * ZKR_DIGEST_BYTES;
        uint64_t w = zkr_load_le64(proof.p + at);
        /* w + p when it fits (the same element), else the largest word. */
        zkr_store_le64(proof.p + at, w < UINT64_MAX - ZKR_GL_P ? w + ZKR_GL_P : UINT64_MAX);
        memset(&d, 0, sizeof d);
        r = zkr_verify_train_step(&f.p, &f.st, proof.p, proof.len, &d);
    }
    zkr_tap_ok(t, r == ZKR_ERR_MALFORMED, "body_word_not_canonical: MALFORMED (%d: %s)", (int)r,
               d.msg);
    zkr_buf_free(&proof);
    hx_free(&f);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_unused_slots(&t);
    test_child_padding(&t);
    test_program_activations(&t);
    test_noncanonical(&t);
    return zkr_tap_done(&t);
}
