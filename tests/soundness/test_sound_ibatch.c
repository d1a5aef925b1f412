/*
 * inference-batch@1 soundness attacks (docs/soundness.md,
 * "inference-batch@1"): a cheating prover (zkr_prover_inference_batch_cheat,
 * test builds only) states logits other than the computed ones, or edits
 * the honest witness so that the output binding holds mod p but not over
 * the integers, or hides a wrong value in a padding row or record; the
 * verifier must refuse with ZKR_ERR_VERIFY naming the check. A control (no
 * edit) verifies.
 */
#include <unistd.h>

#include "prover/inference_batch.h"
#include "tests/infer/eval_fixture.h"
#include "verifier/inference_batch.h"
#include "zkr_config.h"

static char tmpdir[256];

static uint32_t last_l(const zkr_ibatch_cheat_view *w) { return w->shape->inf.n_layers - 1; }

static zkr_gl *v_at(zkr_ibatch_cheat_view *w, uint32_t l, unsigned slot, uint64_t b, uint64_t j)
{
    const zkr_eval_shape *s = w->shape;
    unsigned lm = s->inf.layer[l].lm;
    return &w->v[l][((((uint64_t)slot << s->lb) + b) << lm) | j];
}

static uint32_t out_dim(const zkr_ibatch_cheat_view *w)
{
    return w->shape->inf.layer[last_l(w)].out_dim;
}

/* Sets the last layer's y at (b, j) to y (Y = y - lo, YC = 127 - y, in F). */
static void set_y(zkr_ibatch_cheat_view *w, uint64_t b, uint64_t j, int64_t y)
{
    int64_t lo = w->shape->inf.layer[last_l(w)].lo;

    *v_at(w, last_l(w), ZKR_INFER_SLOT_Y, b, j) = zkr_gl_from_i64(y - lo);
    *v_at(w, last_l(w), ZKR_INFER_SLOT_YC, b, j) = zkr_gl_from_i64(127 - y);
}

static int64_t get_y(zkr_ibatch_cheat_view *w, uint64_t b, uint64_t j)
{
    return (int64_t)*v_at(w, last_l(w), ZKR_INFER_SLOT_Y, b, j) +
           w->shape->inf.layer[last_l(w)].lo;
}

typedef struct {
    const char *name;
    zkr_err (*edit)(void *ctx, zkr_ibatch_cheat_view *w);
    int relu_last;    /* the last layer has ReLU (lo = 0) */
    uint64_t count;   /* records proven (of 9) */
    const char *want; /* substring of the verifier's message; NULL: must verify */
    uint64_t first;   /* the range's first record (default 0) */
} attack;

static zkr_err e_none(void *ctx, zkr_ibatch_cheat_view *w)
{
    (void)ctx;
    (void)w;
    return ZKR_OK;
}

/* The witness is honest; the statement states one logit off by one. */
static zkr_err e_logit_first(void *ctx, zkr_ibatch_cheat_view *w)
{
    (void)ctx;
    w->y[0] = (int8_t)(w->y[0] == 127 ? 126 : w->y[0] + 1);
    return ZKR_OK;
}

static zkr_err e_logit_last(void *ctx, zkr_ibatch_cheat_view *w)
{
    size_t k = (size_t)w->shape->count * out_dim(w) - 1;
    (void)ctx;
    w->y[k] = (int8_t)(w->y[k] == -128 ? -127 : w->y[k] - 1);
    return ZKR_OK;
}

/*
 * Two records' stated logits swapped (each a valid output of the model, for
 * the other record): the first record whose logits differ from record 0's.
 * When every proven record has record 0's logits (some seeds' random
 * records), two different logits of record 0 are swapped instead, so the
 * statement always differs from the computed one.
 */
static zkr_err e_swap_records(void *ctx, zkr_ibatch_cheat_view *w)
{
    uint32_t od = out_dim(w);
    uint64_t n = w->shape->count, b = 1;
    (void)ctx;
    while (b < n && memcmp(w->y, w->y + b * od, od) == 0)
        b++;
    if (b < n) {
        for (uint32_t j = 0; j < od; j++) {
            int8_t t = w->y[j];
            w->y[j] = w->y[b * od + j];
            w->y[b * od + j] = t;
        }
        return ZKR_OK;
    }
    for (uint32_t j = 1; j < od; j++)
        if (w->y[j] != w->y[0]) {
            int8_t t = w->y[0];
            w->y[0] = w->y[j];
            w->y[j] = t;
            return ZKR_OK;
        }
    return ZKR_ERR_INTERNAL; /* one value everywhere: nothing to swap */
}

/* A padding row (j = out_dim, a real record) carrying 1 instead of the forced 0. */
static zkr_err e_padding_row(void *ctx, zkr_ibatch_cheat_view *w)
{
    (void)ctx;
    set_y(w, 0, out_dim(w), 1);
    return ZKR_OK;
}

/*
 * The wrong logit moved into the witness too: the stated and committed y
 * agree (the output binding holds), the requantization of that row breaks.
 */
static zkr_err e_consistent_lie(void *ctx, zkr_ibatch_cheat_view *w)
{
    int64_t y = get_y(w, 1, 0), ny = y == 127 ? 126 : y + 1;
    (void)ctx;
    set_y(w, 1, 0, ny);
    w->y[out_dim(w)] = (int8_t)ny;
    return ZKR_OK;
}

/* A padding row (j = out_dim) of the last real record carrying 1. */
static zkr_err e_padding_row_last(void *ctx, zkr_ibatch_cheat_view *w)
{
    (void)ctx;
    set_y(w, w->shape->count - 1, out_dim(w), 1);
    return ZKR_OK;
}

/* Two logits of one record moved by +1 and -1: their sum (an unweighted check) is unchanged. */
static zkr_err e_sum_kept(void *ctx, zkr_ibatch_cheat_view *w)
{
    uint32_t od = out_dim(w), up = 0, down = 1;
    (void)ctx;
    for (uint32_t j = 0; j < od; j++) /* one logit that can go up, another that can go down */
        if (w->y[j] < 127)
            up = j;
    for (uint32_t j = 0; j < od; j++)
        if (j != up && w->y[j] > -128)
            down = j;
    w->y[up]++;
    w->y[down]--;
    return ZKR_OK;
}

/* A padding row of a padding record (j = out_dim, b = count): neither stated nor checked by the binding. */
static zkr_err e_padding_both(void *ctx, zkr_ibatch_cheat_view *w)
{
    (void)ctx;
    set_y(w, w->shape->count, out_dim(w), 1);
    return ZKR_OK;
}

/* A padding record (b = count) with another output: not stated, forced by the layers. */
static zkr_err e_padding_record(void *ctx, zkr_ibatch_cheat_view *w)
{
    int64_t y = get_y(w, w->shape->count, 0);
    (void)ctx;
    set_y(w, w->shape->count, 0, y == 127 ? 126 : y + 1);
    return ZKR_OK;
}

/*
 * Off by p: a ReLU last layer (lo = 0) stating -1. The committed Y slot
 * p - 1 is -1 mod p, so Y - lo - ypub = 0 in F, false over the integers
 * (Y must be y - lo in 0..255); the LogUp range check refuses it.
 */
static zkr_err e_off_by_p(void *ctx, zkr_ibatch_cheat_view *w)
{
    (void)ctx;
    set_y(w, 0, 0, -1);
    w->y[0] = -1;
    return ZKR_OK;
}

static const attack attacks[] = {
    {"control: no edit", e_none, 0, 5, NULL, 0},
    {"control, ReLU last layer: no edit", e_none, 1, 5, NULL, 0},
    {"the first stated logit off by one", e_logit_first, 0, 5, "output binding", 0},
    {"the last stated logit off by one", e_logit_last, 0, 8, "output binding", 0},
    {"two records' stated logits swapped", e_swap_records, 0, 5, "output binding", 0},
    {"a padding row carrying 1 (the forced value is 0)", e_padding_row, 0, 5, "output binding", 0},
    {"a padding row carrying 1, ReLU last layer", e_padding_row, 1, 3, "output binding", 0},
    {"a wrong logit committed and stated alike", e_consistent_lie, 0, 5, "requantization", 0},
    {"a padding record with another output", e_padding_record, 0, 5, "requantization", 0},
    {"an output off by p (-1 stated for a ReLU layer, Y = p - 1)", e_off_by_p, 1, 5,
     "range checks", 0},
    /* Edges: one record (no batch variables), a range ending at the dataset's last record. */
    {"control: records 4..8 (the dataset's last record)", e_none, 0, 5, NULL, 4},
    {"one record: its first logit off by one", e_logit_first, 0, 1, "output binding", 0},
    {"records 4..8: the last stated logit off by one", e_logit_last, 0, 5, "output binding", 4},
    {"a padding row of the last record carrying 1", e_padding_row_last, 0, 5, "output binding", 0},
    {"two logits moved by +1 and -1 (sum kept)", e_sum_kept, 0, 5, "output binding", 0},
    {"a padding row of a padding record carrying 1", e_padding_both, 0, 5, "requantization", 0},
};

static void run_attack(zkr_tap *t, const attack *a)
{
    static const uint32_t dims[] = {12, 9, 5}; /* 5 logits: rows 5..7 of the last layer pad */
    ev_fixture f;
    zkr_dataset *ds;
    zkr_diag d = {0};
    zkr_err r, v = ZKR_ERR_INTERNAL;

    memset(&f, 0, sizeof f);
    ds = ev_dataset_make(t, tmpdir, "s", 12, 9, 5);
    ev_rmodel_make(t, &f.rm, dims, 2, 0, 0);
    f.rm.g.layers[1].act = a->relu_last ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE;
    if ((r = ev_fixture_setup(t, &f, ds, a->first, a->count, 1)) == ZKR_OK)
        r = zkr_prover_inference_batch_cheat(&f.p, f.st.statement_id, f.im, &f.bt, NULL, a->edit,
                                             NULL, &f.proof, &f.output, &d);
    if (r == ZKR_OK) {
        f.st.output = f.output.p;
        f.st.output_len = f.output.len;
        zkr_diag_clear(&d);
        v = zkr_verify_inference_batch(f.proof.p, f.proof.len, &f.st, &d);
    }
    if (!a->want)
        zkr_tap_ok(t, r == ZKR_OK && v == ZKR_OK, "%s: verifies (%s)", a->name,
                   v == ZKR_OK ? "ok" : d.msg);
    else
        zkr_tap_ok(t, r == ZKR_OK && v == ZKR_ERR_VERIFY && strstr(d.msg, a->want) != NULL,
                   "%s: refused, %s (prove %d, verify %d: %s)", a->name, a->want, r, v, d.msg);
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char cmd[300];
    int rc;

    zkr_tap_init(&t, argc, argv);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zkr-sound-ibatch-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
        run_attack(&t, &attacks[i]);
    rc = zkr_tap_done(&t);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
