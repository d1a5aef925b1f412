/*
 * evaluation-fixed@1 soundness attacks (docs/soundness.md,
 * "evaluation-fixed@1"): the cheating prover (test builds only) edits the
 * honest witness V so that a relation holds mod p but not over the
 * integers, or a value leaves its range, and the verifier must refuse with
 * ZKR_ERR_VERIFY naming the check. Controls (no edit) verify; the proof's
 * bindings (kind, model, range, output) are refused with the mismatch named.
 */
#include <unistd.h>

#include "prover/evaluation_fixed.h"
#include "tests/infer/eval_fixture.h"
#include "verifier/evaluation_fixed.h"
#include "zkr_config.h"

#define N_REC 24u
#define OUT 5u

static char tmpdir[256];
static const uint32_t dims[] = {12, 8, OUT};

typedef struct {
    zkr_ml_tmodel *m;
    zkr_train_model *tm;
    zkr_params p;
    uint8_t *records;
    uint8_t bound[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES];
    zkr_eval_batch bt;
    zkr_verifier_evaluation_statement st;
    zkr_buf proof, output;
    uint64_t correct;
} fx;

/* A training model of 12-8-5 from a seed; tie: the last layer's rows 0 and 1 equal. */
static zkr_ml_tmodel *make_model(uint8_t seed, int tie)
{
    zkr_ml_graph g;
    zkr_buf b = {0}, e = {0};
    zkr_ml_tmodel *m = NULL, *t = NULL;
    uint8_t sd[32] = {seed};
    int32_t *w[2] = {0};

    if (zkr_ml_tprogram_make(dims, 3, &g, NULL) != ZKR_OK ||
        zkr_ml_tmodel_init(&g, sd, &b, NULL) != ZKR_OK ||
        zkr_ml_tmodel_decode(b.p, b.len, &m, NULL) != ZKR_OK)
        goto out;
    for (uint32_t l = 0; l < 2; l++) {
        size_t n = (size_t)dims[l + 1] * (dims[l] + 1);
        if (!(w[l] = malloc(n * sizeof(int32_t))))
            goto out;
        memcpy(w[l], zkr_ml_tmodel_weights(m, l), n * sizeof(int32_t));
    }
    /* A positive bias on the hidden layer so that ReLU masks are mixed. */
    for (uint32_t j = 0; j < dims[1]; j++)
        w[0][j * (dims[0] + 1) + dims[0]] = (int32_t)(j % 2 ? 3000 : -3000);
    if (tie)
        memcpy(w[1] + (dims[1] + 1), w[1], (dims[1] + 1) * sizeof(int32_t));
    if (zkr_ml_tmodel_encode(&g, (const int32_t *const *)w, &e, NULL) == ZKR_OK &&
        zkr_ml_tmodel_decode(e.p, e.len, &t, NULL) != ZKR_OK)
        t = NULL;
out:
    zkr_ml_tmodel_free(m);
    free(w[0]);
    free(w[1]);
    zkr_buf_free(&b);
    zkr_buf_free(&e);
    return t;
}

static void fx_free(fx *f)
{
    zkr_train_model_free(f->tm);
    zkr_ml_tmodel_free(f->m);
    free(f->records);
    zkr_buf_free(&f->proof);
    zkr_buf_free(&f->output);
    memset(f, 0, sizeof *f);
}

static int fx_setup(zkr_tap *t, fx *f, const zkr_dataset *ds, uint64_t first, uint64_t count,
                    int tie)
{
    uint8_t root[32];
    zkr_diag d = {0};

    if (zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK || !(f->m = make_model(7, tie)) ||
        zkr_prover_train_commit(&f->p, f->m, 1, &f->tm, f->st.model_commitment, &d) != ZKR_OK ||
        zkr_infer_dataset_commit(ds, 0, root, f->st.dataset_commitment, NULL, NULL) != ZKR_OK ||
        zkr_eval_batch_of(ds, first, count, &f->records, f->bound, &f->bt, &d) != ZKR_OK) {
        zkr_tap_diag("setup: %s", d.msg);
        return 0;
    }
    for (int i = 0; i < 32; i++)
        f->st.statement_id[i] = (uint8_t)zkr_tap_rand(t);
    f->st.param_set = ZKR_PARAM_SET_128;
    zkr_ml_tmodel_program_digest(f->m, f->st.program_digest);
    f->st.first = first;
    f->st.count = count;
    f->st.records = f->records;
    f->st.rec_len = f->bt.rec_len;
    return 1;
}

static zkr_err fx_prove(fx *f, unsigned mode, uint64_t tau)
{
    zkr_diag d = {0};
    zkr_err r = zkr_prover_evaluation_fixed(&f->p, f->st.statement_id, f->tm, &f->bt, mode, tau,
                                            1, &f->proof, &f->output, &f->correct, &d);

    if (r != ZKR_OK && getenv("ZKR_TEST_VERBOSE"))
        zkr_tap_diag("prove: %s", d.msg);
    f->st.output = f->output.p;
    f->st.output_len = f->output.len;
    return r;
}

static zkr_err fx_verify(const fx *f, const zkr_buf *proof, const zkr_verifier_evaluation_statement *st,
                         char *msg, size_t cap)
{
    zkr_diag d = {0};
    zkr_err r = zkr_verify_evaluation_fixed(proof->p, proof->len, st ? st : &f->st, NULL, &d);

    if (msg)
        snprintf(msg, cap, "%s", d.msg);
    if (r != ZKR_OK && getenv("ZKR_TEST_VERBOSE"))
        zkr_tap_diag("verify: %s", d.msg);
    return r;
}

/* ---- witness access (zk/eval_fixed.h layout) ---- */

static zkr_gl *out_at(zkr_evalf_cheat_view *w, unsigned sl, uint64_t b, uint64_t j)
{
    const zkr_evalf_shape *s = w->s;
    uint32_t l = s->n_layers - 1;
    return &w->v[s->grp_off[l] + ((((uint64_t)sl << s->lb) + b) << s->lm[l]) + j];
}

static zkr_gl *hid_at(zkr_evalf_cheat_view *w, unsigned sl, uint64_t b, uint64_t j)
{
    const zkr_evalf_shape *s = w->s;
    return &w->v[s->grp_off[0] + ((((uint64_t)sl << s->lb) + b) << s->lm[0]) + j];
}

static zkr_gl *am_at(zkr_evalf_cheat_view *w, unsigned sl, uint64_t b, uint64_t j)
{
    const zkr_evalf_shape *s = w->s;
    return &w->v[s->am_off + ((((uint64_t)sl << s->lb) + b) << s->c) + j];
}

static zkr_gl *ka_at(zkr_evalf_cheat_view *w, unsigned sl, uint64_t b)
{
    return &w->v[w->s->ka_off + ((uint64_t)sl << w->s->lb) + b];
}

/* K_j = 2^c (o + 2^23) + 2^c - 1 - j from the committed limbs. */
static uint64_t key(zkr_evalf_cheat_view *w, uint64_t b, uint64_t j)
{
    uint64_t J = (uint64_t)1 << w->s->c;
    uint64_t ob = *out_at(w, ZKR_TS_OLO, b, j) + (*out_at(w, ZKR_TS_OHI, b, j) << 16);
    return (ob << w->s->c) + (J - 1 - j);
}

/* Stores v (a field element) as three limbs: the low two canonical, the top solved in F. */
static void set48(zkr_gl *l0, zkr_gl *l1, zkr_gl *l2, zkr_gl v)
{
    zkr_gl low;

    *l0 = v & 0xffff;
    *l1 = (v >> 16) & 0xffff;
    low = zkr_gl_add(*l0, zkr_gl_mul(*l1, 1u << 16));
    *l2 = zkr_gl_mul(zkr_gl_sub(v, low), zkr_gl_inv(zkr_train_pow2(32)));
}

/* Record b's argmax block claims `pick` with key ka: E there, D_j = ka - K_j in F. */
static void claim_argmax(zkr_evalf_cheat_view *w, uint64_t b, uint64_t pick, zkr_gl ka)
{
    uint64_t J = (uint64_t)1 << w->s->c;

    for (uint64_t j = 0; j < J; j++) {
        *am_at(w, ZKR_EF_E, b, j) = j == pick;
        set48(am_at(w, ZKR_EF_D0, b, j), am_at(w, ZKR_EF_D1, b, j), am_at(w, ZKR_EF_D2, b, j),
              j < OUT ? zkr_gl_sub(ka, key(w, b, j)) : 0);
    }
    set48(ka_at(w, 0, b), ka_at(w, 1, b), ka_at(w, 2, b), ka);
}

static uint64_t argmax_of(zkr_evalf_cheat_view *w, uint64_t b, int lowest)
{
    uint64_t best = 0;
    for (uint64_t j = 1; j < OUT; j++)
        if (lowest ? key(w, b, j) < key(w, b, best) : key(w, b, j) > key(w, b, best))
            best = j;
    return best;
}

static uint8_t label_of(zkr_evalf_cheat_view *w, uint64_t b, const uint8_t *records)
{
    (void)w;
    return records[b * (dims[0] + 1) + dims[0]];
}

/* ---- attacks ---- */

static const uint8_t *g_records; /* the batch's records, for label-aware edits */

static zkr_err e_count_plus(void *ctx, zkr_evalf_cheat_view *w)
{
    (void)ctx;
    w->correct += 1;
    w->set_correct = 1;
    return ZKR_OK;
}

/*
 * The stated count one below the true one; when no record is right (the
 * random records of some seeds) one above, since 0 - 1 is no count.
 */
static zkr_err e_count_minus(void *ctx, zkr_evalf_cheat_view *w)
{
    (void)ctx;
    w->correct = w->correct > 0 ? w->correct - 1 : 1;
    w->set_correct = 1;
    return ZKR_OK;
}

/* The first wrongly predicted record claims its label: D wraps (top limb solved in F). */
static zkr_err e_wrapped_difference(void *ctx, zkr_evalf_cheat_view *w)
{
    (void)ctx;
    for (uint64_t b = 0; b < N_REC; b++) {
        uint8_t lab = label_of(w, b, g_records);
        if (lab < OUT && argmax_of(w, b, 0) != lab) {
            claim_argmax(w, b, lab, key(w, b, lab));
            return ZKR_OK;
        }
    }
    return ZKR_ERR_INTERNAL;
}

/* Tied outputs 0 and 1: index 1 claimed with its own key (D_0 = -1 wraps). */
static zkr_err e_tie_high_wrapped(void *ctx, zkr_evalf_cheat_view *w)
{
    (void)ctx;
    claim_argmax(w, 0, 1, key(w, 0, 1));
    return ZKR_OK;
}

/* Tied outputs: index 1 claimed with index 0's key (every D >= 0; E (KA - K_1) = 1). */
static zkr_err e_tie_high_key_of_low(void *ctx, zkr_evalf_cheat_view *w)
{
    (void)ctx;
    claim_argmax(w, 0, 1, key(w, 0, 0));
    return ZKR_OK;
}

/* The argmax moved to a padding output (j = OUT), KA above every key: sel blocks it. */
static zkr_err e_argmax_on_padding(void *ctx, zkr_evalf_cheat_view *w)
{
    zkr_gl ka = key(w, 0, argmax_of(w, 0, 0)) + 1;
    (void)ctx;
    claim_argmax(w, 0, OUT, ka);
    return ZKR_OK;
}

/* Record 0 claims no argmax (all E zero): the one-hot check. */
static zkr_err e_no_argmax(void *ctx, zkr_evalf_cheat_view *w)
{
    (void)ctx;
    for (uint64_t j = 0; j < ((uint64_t)1 << w->s->c); j++)
        *am_at(w, ZKR_EF_E, 0, j) = 0;
    return ZKR_OK;
}

/*
 * o' = o - k, r' = r + k 2^12 at record 0's label row (o's limbs and the
 * argmax rebuilt honestly): z + 2^11 = o' 2^12 + r' holds over the
 * integers, r' leaves 0..2^12 - 1. k = 1: r' < 2^16 passes the table, its
 * scaled copy 16 r' does not (or the copy is kept: the link). k = -1: r' < 0.
 */
static int64_t g_k;
static int g_keep_copy;
static zkr_err e_output_shift(void *ctx, zkr_evalf_cheat_view *w)
{
    uint64_t b = 0, j = 0;
    zkr_gl r = *out_at(w, ZKR_TS_OR, b, j);
    uint64_t ob = *out_at(w, ZKR_TS_OLO, b, j) + (*out_at(w, ZKR_TS_OHI, b, j) << 16);

    (void)ctx;
    ob = (uint64_t)((int64_t)ob - g_k);
    r = zkr_gl_add(r, zkr_gl_from_i64(g_k * 4096));
    *out_at(w, ZKR_TS_OR, b, j) = r;
    if (!g_keep_copy)
        *out_at(w, ZKR_TS_OR16, b, j) = zkr_gl_mul(r, 16);
    *out_at(w, ZKR_TS_OLO, b, j) = ob & 0xffff;
    *out_at(w, ZKR_TS_OHI, b, j) = ob >> 16;
    *out_at(w, ZKR_TS_OHS, b, j) = (ob >> 16) << 8;
    claim_argmax(w, b, argmax_of(w, b, 0), key(w, b, argmax_of(w, b, 0)));
    return ZKR_OK;
}

/* Hidden activation h' = h + 1 with r' = r - 2^16 (wraps mod p): z is unchanged in F. */
static zkr_err e_hidden_wrapped(void *ctx, zkr_evalf_cheat_view *w)
{
    (void)ctx;
    for (uint64_t j = 0; j < dims[1]; j++)
        if (*hid_at(w, ZKR_EF_H, 0, j) > 0) {
            *hid_at(w, ZKR_EF_H, 0, j) += 1;
            *hid_at(w, ZKR_EF_HM, 0, j) += 1;
            *hid_at(w, ZKR_EF_R, 0, j) = zkr_gl_sub(*hid_at(w, ZKR_EF_R, 0, j), 1u << 16);
            return ZKR_OK;
        }
    return ZKR_ERR_INTERNAL;
}

/* ReLU mask 0 on an active unit with h kept: (1 - m) h = 0 fails. */
static zkr_err e_mask_dropped(void *ctx, zkr_evalf_cheat_view *w)
{
    (void)ctx;
    for (uint64_t j = 0; j < dims[1]; j++)
        if (*hid_at(w, ZKR_EF_M, 0, j) == 1) {
            *hid_at(w, ZKR_EF_M, 0, j) = 0;
            *hid_at(w, ZKR_EF_HM, 0, j) += 1;
            return ZKR_OK;
        }
    return ZKR_ERR_INTERNAL;
}

typedef struct {
    const char *name;
    zkr_evalf_cheat_fn edit;
    int tie;
    int wit_other; /* the witness built on records outside the statement's range */
    int64_t k;
    int keep_copy;
    const char *want;
} attack;

static void run_attack(zkr_tap *t, const zkr_dataset *ds, fx *f, const attack *a)
{
    zkr_buf proof = {0}, output = {0};
    zkr_diag d = {0};
    char msg[512] = "";
    zkr_err r;
    uint8_t *other = NULL, ob[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES];
    zkr_eval_batch obt;

    g_records = f->records;
    g_k = a->k;
    g_keep_copy = a->keep_copy;
    if (a->wit_other &&
        zkr_eval_batch_of(ds, N_REC, N_REC, &other, ob, &obt, &d) != ZKR_OK) {
        zkr_tap_ok(t, 0, "%s: other records", a->name);
        return;
    }
    r = zkr_prover_evaluation_fixed_cheat(&f->p, f->st.statement_id, f->tm, &f->bt, other,
                                          ZKR_EVAL_MODE_EXACT, 0, a->edit, NULL, &proof, &output,
                                          &d);
    if (r != ZKR_OK) {
        zkr_tap_ok(t, 0, "%s: the cheating prover ran (%s)", a->name, d.msg);
    } else {
        zkr_verifier_evaluation_statement st = f->st;
        st.output = output.p;
        st.output_len = output.len;
        r = fx_verify(f, &proof, &st, msg, sizeof msg);
        zkr_tap_ok(t, r == ZKR_ERR_VERIFY && strstr(msg, a->want) != NULL,
                   "%s: refused (%s)", a->name, msg);
    }
    free(other);
    zkr_buf_free(&proof);
    zkr_buf_free(&output);
}

static void test_controls(zkr_tap *t, const zkr_dataset *ds)
{
    fx f;
    zkr_buf p2 = {0}, o2 = {0}, pe = {0}, oe = {0};
    zkr_ml_eval_result res;
    zkr_diag d = {0};
    uint64_t correct = 0;
    uint64_t got = 0;
    char msg[512];

    memset(&f, 0, sizeof f);
    if (!fx_setup(t, &f, ds, 0, N_REC, 0)) {
        zkr_tap_ok(t, 0, "control setup");
        return;
    }
    zkr_tap_ok(t, fx_prove(&f, ZKR_EVAL_MODE_EXACT, 0) == ZKR_OK, "honest proof of %u records",
               N_REC);
    zkr_tap_ok(t, zkr_verify_evaluation_fixed(f.proof.p, f.proof.len, &f.st, &got, &d) == ZKR_OK &&
                      got == f.correct, "honest proof verifies (%llu correct) %s",
               (unsigned long long)got, d.msg);
    zkr_tap_ok(t, zkr_ml_tmodel_eval(f.m, ds, 0, N_REC, &res, NULL) == ZKR_OK &&
                      res.quant_correct == f.correct,
               "the proven count is native evaluation's (%llu)", (unsigned long long)f.correct);
    zkr_tap_ok(t, zkr_prover_evaluation_fixed(&f.p, f.st.statement_id, f.tm, &f.bt,
                                              ZKR_EVAL_MODE_EXACT, 0, 2, &p2, &o2, &correct,
                                              NULL) == ZKR_OK &&
                      p2.len == f.proof.len && memcmp(p2.p, f.proof.p, p2.len) == 0,
               "deterministic: 2 threads give the same bytes");
    /* Bindings. */
    {
        zkr_verifier_evaluation_statement st = f.st;
        st.model_commitment[0] ^= 1;
        zkr_tap_ok(t, fx_verify(&f, &f.proof, &st, msg, sizeof msg) == ZKR_ERR_MISMATCH_MODEL,
                   "another model's commitment: %s", msg);
        st = f.st;
        st.count = N_REC - 1;
        zkr_tap_ok(t, fx_verify(&f, &f.proof, &st, msg, sizeof msg) == ZKR_ERR_MISMATCH_INPUT,
                   "records 0..%u for 0..%u: %s", N_REC - 1, N_REC - 2, msg);
        st = f.st;
        st.dataset_commitment[3] ^= 1;
        zkr_tap_ok(t, fx_verify(&f, &f.proof, &st, msg, sizeof msg) == ZKR_ERR_MISMATCH_DATASET,
                   "another dataset: %s", msg);
        st = f.st;
        st.program_digest[0] ^= 1;
        zkr_tap_ok(t, fx_verify(&f, &f.proof, &st, msg, sizeof msg) == ZKR_ERR_MISMATCH_PROGRAM,
                   "another program: %s", msg);
        {
            uint8_t *rec = malloc((size_t)N_REC * f.bt.rec_len);
            memcpy(rec, f.records, (size_t)N_REC * f.bt.rec_len);
            rec[f.bt.rec_len - 1] ^= 1; /* record 0's label */
            st = f.st;
            st.records = rec;
            zkr_tap_ok(t, fx_verify(&f, &f.proof, &st, msg, sizeof msg) == ZKR_ERR_MISMATCH_INPUT,
                       "a label changed: %s", msg);
            free(rec);
        }
        {
            uint8_t out[ZKR_EVAL_OUTPUT_BYTES];
            memcpy(out, f.output.p, sizeof out);
            out[16] ^= 1;
            st = f.st;
            st.output = out;
            zkr_tap_ok(t, fx_verify(&f, &f.proof, &st, msg, sizeof msg) ==
                              ZKR_ERR_MISMATCH_OUTPUT, "the count changed in the statement: %s",
                       msg);
        }
        zkr_tap_ok(t, zkr_verify_evaluation(f.proof.p, f.proof.len, &f.st, NULL, &d) ==
                          ZKR_ERR_MISMATCH_PARAMS,
                   "evaluation@1's verifier refuses kind 9: %s", d.msg);
    }
    /* Threshold. */
    zkr_tap_ok(t, zkr_prover_evaluation_fixed(&f.p, f.st.statement_id, f.tm, &f.bt,
                                              ZKR_EVAL_MODE_THRESHOLD, f.correct, 1, &pe, &oe,
                                              NULL, NULL) == ZKR_OK,
               "threshold tau = correct proves");
    {
        zkr_verifier_evaluation_statement st = f.st;
        st.output = oe.p;
        st.output_len = oe.len;
        zkr_tap_ok(t, fx_verify(&f, &pe, &st, msg, sizeof msg) == ZKR_OK,
                   "threshold proof verifies %s", msg);
        zkr_tap_ok(t, fx_verify(&f, &pe, NULL, msg, sizeof msg) == ZKR_ERR_MISMATCH_OUTPUT,
                   "threshold proof against the exact statement: %s", msg);
    }
    memset(&d, 0, sizeof d);
    zkr_tap_ok(t, zkr_prover_evaluation_fixed(&f.p, f.st.statement_id, f.tm, &f.bt,
                                              ZKR_EVAL_MODE_THRESHOLD, f.correct + 1, 1, &pe, &oe,
                                              NULL, &d) == ZKR_ERR_MISMATCH_OUTPUT,
               "threshold tau = correct + 1: the prover refuses (%s)", d.msg);
    zkr_buf_free(&p2);
    zkr_buf_free(&o2);
    zkr_buf_free(&pe);
    zkr_buf_free(&oe);
    fx_free(&f);
}

int main(int argc, char **argv)
{
    static const attack attacks[] = {
        {"count_plus_one", e_count_plus, 0, 0, 0, 0, "count"},
        {"count_minus_one", e_count_minus, 0, 0, 0, 0, "count"},
        {"wrong_argmax_wrapped_difference", e_wrapped_difference, 0, 0, 0, 0, "LogUp range"},
        {"tie_broken_high_wrapped_difference", e_tie_high_wrapped, 1, 0, 0, 0, "LogUp range"},
        {"tie_broken_high_key_of_low_index", e_tie_high_key_of_low, 1, 0, 0, 0, "argmax"},
        {"argmax_on_padding_output", e_argmax_on_padding, 0, 0, 0, 0, "argmax"},
        {"no_argmax", e_no_argmax, 0, 0, 0, 0, "one-hot"},
        {"output_minus_one_remainder_plus_2^12", e_output_shift, 0, 0, 1, 0, "LogUp range"},
        {"output_minus_one_scaled_copy_kept", e_output_shift, 0, 0, 1, 1, "output limbs"},
        {"output_plus_one_remainder_negative", e_output_shift, 0, 0, -1, 0, "LogUp range"},
        {"hidden_activation_wrapped", e_hidden_wrapped, 0, 0, 0, 0, "LogUp range"},
        {"relu_mask_dropped", e_mask_dropped, 0, 0, 0, 0, "hidden zero-check"},
        {"record_outside_the_range", NULL, 0, 1, 0, 0, "forward product"},
    };
    zkr_tap t;
    zkr_dataset *ds;

    zkr_tap_init(&t, argc, argv);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zkr-sound-evalf-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    /* Labels 0..OUT: some beyond the output width (they count 0). */
    if (!(ds = ev_dataset_make(&t, tmpdir, "ef", dims[0], 2 * N_REC, OUT + 1))) {
        zkr_tap_ok(&t, 0, "dataset");
        return zkr_tap_done(&t);
    }
    test_controls(&t, ds);
    for (int tie = 0; tie < 2; tie++) {
        fx f;
        memset(&f, 0, sizeof f);
        if (!fx_setup(&t, &f, ds, 0, N_REC, tie)) {
            zkr_tap_ok(&t, 0, "attack setup");
            continue;
        }
        for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
            if (attacks[i].tie == tie)
                run_attack(&t, ds, &f, &attacks[i]);
        fx_free(&f);
    }
    zkr_dataset_free(ds);
    {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            zkr_tap_diag("cleanup failed");
    }
    return zkr_tap_done(&t);
}
