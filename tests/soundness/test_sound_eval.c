/*
 * evaluation@1 soundness attacks (docs/soundness.md, "evaluation@1"): a
 * cheating prover (zkr_prover_evaluation_cheat, test builds only) edits the
 * honest witness so that one relation holds mod p but not over the
 * integers, or leaves its range, or breaks, and the verifier must refuse
 * with ZKR_ERR_VERIFY naming the check. Each TAP line names the attack; a
 * control (no edit) verifies.
 */
#include <math.h>
#include <unistd.h>

#include "prover/cnn.h"
#include "tests/infer/eval_fixture.h"
#include "verifier/evaluation_int.h"
#include "zk/cnn.h"
#include "zkr_config.h"

static char tmpdir[256];

/* ---- witness access (layouts: prover/prover.h, zkr_eval_cheat_view) ---- */

static uint32_t last_l(const zkr_eval_cheat_view *w) { return w->shape->inf.n_layers - 1; }

static zkr_gl *a_at(zkr_eval_cheat_view *w, unsigned slot, uint64_t b, uint64_t j)
{
    const zkr_eval_shape *s = w->shape;
    return &w->a[((((uint64_t)slot << s->lb) + b) << s->c) | j];
}

static zkr_gl *v_at(zkr_eval_cheat_view *w, uint32_t l, unsigned slot, uint64_t b, uint64_t j)
{
    const zkr_eval_shape *s = w->shape;
    unsigned lm = s->inf.layer[l].lm;
    return &w->v[l][((((uint64_t)slot << s->lb) + b) << lm) | j];
}

static uint32_t out_dim(const zkr_eval_cheat_view *w) { return w->shape->inf.layer[last_l(w)].out_dim; }

/* K'(j) = 2^c (y_j - lo) + (2^c - 1 - j), from the committed last-layer Y. */
static uint64_t key(zkr_eval_cheat_view *w, uint64_t b, uint64_t j)
{
    uint64_t J = (uint64_t)1 << w->shape->c;
    return (*v_at(w, last_l(w), w->shape->ysl[last_l(w)], b, j) << w->shape->c) + (J - 1 - j);
}

/*
 * Stores a field value as nd limbs (bytes; format version 4: 15 bits): low
 * limbs its canonical limbs, the top one solved in F.
 */
static void set_limbs(zkr_eval_cheat_view *w, unsigned slot0, uint64_t b, uint64_t j, zkr_gl v)
{
    unsigned nd = w->shape->nd, bits = w->shape->version >= 4 ? ZKR_EVAL_LIMB4 : 8;
    zkr_gl low = 0, scale = 1;

    for (unsigned i = 0; i + 1 < nd; i++) {
        zkr_gl byte = (v >> (bits * i)) & (((zkr_gl)1 << bits) - 1);
        *a_at(w, slot0 + i, b, j) = byte;
        low = zkr_gl_add(low, zkr_gl_mul(byte, scale));
        scale = zkr_gl_mul(scale, (zkr_gl)1 << bits);
    }
    *a_at(w, slot0 + nd - 1, b, j) = zkr_gl_mul(zkr_gl_sub(v, low), zkr_gl_inv(scale));
}

static uint64_t argmax_of(zkr_eval_cheat_view *w, uint64_t b)
{
    uint64_t best = 0;
    for (uint64_t j = 1; j < out_dim(w); j++)
        if (key(w, b, j) > key(w, b, best))
            best = j;
    return best;
}

static uint64_t argmin_of(zkr_eval_cheat_view *w, uint64_t b)
{
    uint64_t lo = 0;
    for (uint64_t j = 1; j < out_dim(w); j++)
        if (key(w, b, j) < key(w, b, lo))
            lo = j;
    return lo;
}

/* Record b's argmax block rewritten to claim `pick`: E one-hot there, KA = K(pick), D = KA - K(j) in F. */
static void claim_argmax(zkr_eval_cheat_view *w, uint64_t b, uint64_t pick)
{
    uint64_t J = (uint64_t)1 << w->shape->c;
    unsigned nd = w->shape->nd;
    zkr_gl ka = key(w, b, pick);

    for (uint64_t j = 0; j < J; j++) {
        *a_at(w, ZKR_EVAL_ASLOT_E, b, j) = j == pick;
        set_limbs(w, ZKR_EVAL_ASLOT_D0 + nd, b, j, ka);
        set_limbs(w, ZKR_EVAL_ASLOT_D0, b, j,
                  j < out_dim(w) ? zkr_gl_sub(ka, key(w, b, j)) : 0);
    }
}

/* ---- the attacks ---- */

typedef struct {
    const char *name;
    zkr_err (*edit)(void *ctx, zkr_eval_cheat_view *w);
    int tie;          /* last layer rows 0 and 1 equal */
    uint32_t out;     /* last layer width */
    const char *want; /* substring of the verifier's message */
    int wit;          /* 1: witness records swapped; 2: a record from outside the range */
    uint32_t classes; /* labels drawn in 0..classes-1; 0: the last layer width */
    int thr;          /* threshold mode, tau = the honest number correct + 1 */
    uint64_t count;   /* records 2..2+count; 0: 7 (format version 3 splits 5 as 4 + 1) */
} attack;

static zkr_err e_none(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    (void)w;
    return ZKR_OK;
}

static zkr_err e_count_plus(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    w->correct += 1;
    w->set_correct = 1;
    return ZKR_OK;
}

static zkr_err e_count_minus(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    if (w->correct == 0)
        return ZKR_ERR_USAGE;
    w->correct -= 1;
    w->set_correct = 1;
    return ZKR_OK;
}

/* The smallest logit claimed as the argmax; its negative differences wrap (top limb solved in F). */
static zkr_err e_wrong_argmax_wrapped(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    if (argmin_of(w, 0) == argmax_of(w, 0))
        return ZKR_ERR_USAGE;
    claim_argmax(w, 0, argmin_of(w, 0));
    return ZKR_OK;
}

/* The wrong argmax with the differences' magnitudes stored (in range, sign dropped). */
static zkr_err e_wrong_argmax_abs(void *ctx, zkr_eval_cheat_view *w)
{
    uint64_t pick = argmin_of(w, 0);
    zkr_gl ka;

    (void)ctx;
    if (pick == argmax_of(w, 0))
        return ZKR_ERR_USAGE;
    claim_argmax(w, 0, pick);
    ka = key(w, 0, pick);
    for (uint64_t j = 0; j < out_dim(w); j++) {
        uint64_t kj = key(w, 0, j);
        set_limbs(w, ZKR_EVAL_ASLOT_D0, 0, j, kj > ka ? kj - ka : ka - kj);
    }
    return ZKR_OK;
}

/* Two tied logits (rows 0 and 1 equal): index 1 claimed, D(0) = -1 wraps to p - 1. */
static zkr_err e_tie_wrong_wrapped(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    if (argmax_of(w, 0) != 0)
        return ZKR_ERR_USAGE;
    claim_argmax(w, 0, 1);
    return ZKR_OK;
}

/* The same with KA = the shared logit's key of index 0, so D(1) = 1 and D(0) = 0 stay in range. */
static zkr_err e_tie_wrong_in_range(void *ctx, zkr_eval_cheat_view *w)
{
    uint64_t J = (uint64_t)1 << w->shape->c;

    (void)ctx;
    if (argmax_of(w, 0) != 0)
        return ZKR_ERR_USAGE;
    claim_argmax(w, 0, 0);
    for (uint64_t j = 0; j < J; j++)
        *a_at(w, ZKR_EVAL_ASLOT_E, 0, j) = j == 1;
    return ZKR_OK;
}

/* The claimed count stays the honest one: a sum over E = 2 or p - 1 would not encode. */
static zkr_err e_indicator_two(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    *a_at(w, ZKR_EVAL_ASLOT_E, 0, argmax_of(w, 0)) = 2;
    w->set_correct = 1;
    return ZKR_OK;
}

/* E = 2 at the argmax and p - 1 elsewhere: the one-hot sum stays 1. */
static zkr_err e_indicator_two_minus_one(void *ctx, zkr_eval_cheat_view *w)
{
    uint64_t a = argmax_of(w, 0);

    (void)ctx;
    *a_at(w, ZKR_EVAL_ASLOT_E, 0, a) = 2;
    *a_at(w, ZKR_EVAL_ASLOT_E, 0, a == 0 ? 1 : 0) = ZKR_GL_P - 1;
    w->set_correct = 1;
    return ZKR_OK;
}

static zkr_err e_indicator_two_ones(void *ctx, zkr_eval_cheat_view *w)
{
    uint64_t a = argmax_of(w, 0);

    (void)ctx;
    *a_at(w, ZKR_EVAL_ASLOT_E, 0, a == 0 ? 1 : 0) = 1;
    return ZKR_OK;
}

static zkr_err e_no_argmax(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    *a_at(w, ZKR_EVAL_ASLOT_E, 0, argmax_of(w, 0)) = 0;
    return ZKR_OK;
}

/* The argmax placed on a padding row (out_dim 3: row 3 exists, sel = 0), KA above every key. */
static zkr_err e_argmax_on_padding(void *ctx, zkr_eval_cheat_view *w)
{
    uint64_t J = (uint64_t)1 << w->shape->c, top = key(w, 0, argmax_of(w, 0));

    (void)ctx;
    if (out_dim(w) == J)
        return ZKR_ERR_USAGE;
    claim_argmax(w, 0, argmax_of(w, 0));
    for (uint64_t j = 0; j < J; j++) {
        *a_at(w, ZKR_EVAL_ASLOT_E, 0, j) = j == out_dim(w);
        set_limbs(w, ZKR_EVAL_ASLOT_D0 + w->shape->nd, 0, j, top);
    }
    return ZKR_OK;
}

/*
 * A record whose label is out_dim (out_dim 3, label 3: a padding row of
 * the 2^c rows) counted as correct: E moved onto padding row 3, KA above
 * every key so that every difference stays a byte, and the claim raised
 * by one (the verifier's label table drops labels >= out_dim, so only the
 * padding-row constraint (1 - sel) E = 0 and the count check stand between).
 */
static zkr_err e_label_on_padding_counted(void *ctx, zkr_eval_cheat_view *w)
{
    const ev_fixture *f = ctx;
    uint64_t J = (uint64_t)1 << w->shape->c, od = out_dim(w);

    if (od == J)
        return ZKR_ERR_USAGE;
    for (uint64_t b = 0; b < f->bt.count; b++) {
        uint64_t top;
        if (f->records[(b + 1) * f->bt.rec_len - 1] != od)
            continue;
        top = key(w, b, argmax_of(w, b));
        claim_argmax(w, b, argmax_of(w, b));
        for (uint64_t j = 0; j < J; j++) {
            *a_at(w, ZKR_EVAL_ASLOT_E, b, j) = j == od;
            set_limbs(w, ZKR_EVAL_ASLOT_D0 + w->shape->nd, b, j, top);
        }
        w->correct += 1;
        w->set_correct = 1;
        return ZKR_OK;
    }
    return ZKR_ERR_USAGE; /* no record labelled out_dim in the range: draw again */
}

/* A wrong argmax with KA(j) = max(K(j), K(a')) per row: every D >= 0, KA not one value per record. */
static zkr_err e_ka_not_broadcast(void *ctx, zkr_eval_cheat_view *w)
{
    uint64_t pick = argmin_of(w, 0), J = (uint64_t)1 << w->shape->c;
    unsigned nd = w->shape->nd;

    (void)ctx;
    if (pick == argmax_of(w, 0))
        return ZKR_ERR_USAGE;
    claim_argmax(w, 0, pick);
    for (uint64_t j = 0; j < J; j++) {
        uint64_t kj = j < out_dim(w) ? key(w, 0, j) : 0, ka = key(w, 0, pick);
        uint64_t v = kj > ka ? kj : ka;
        set_limbs(w, ZKR_EVAL_ASLOT_D0 + nd, 0, j, v);
        set_limbs(w, ZKR_EVAL_ASLOT_D0, 0, j, j < out_dim(w) ? v - kj : 0);
    }
    return ZKR_OK;
}

/* A difference's low limb + 256, the next limb - 1 (integer sum kept, limb out of range). */
static zkr_err e_difference_limb_borrow(void *ctx, zkr_eval_cheat_view *w)
{
    uint64_t a = argmax_of(w, 0), j = a == 0 ? 1 : 0;

    (void)ctx;
    *a_at(w, ZKR_EVAL_ASLOT_D0, 0, j) += 256;
    *a_at(w, ZKR_EVAL_ASLOT_D0 + 1, 0, j) =
        zkr_gl_sub(*a_at(w, ZKR_EVAL_ASLOT_D0 + 1, 0, j), 1);
    return ZKR_OK;
}

/* The last layer's committed logit raised above the maximum (YC kept consistent), A rebuilt. */
static zkr_err e_logit_raised(void *ctx, zkr_eval_cheat_view *w)
{
    uint64_t pick = argmin_of(w, 0);
    zkr_gl *y = v_at(w, last_l(w), ZKR_INFER_SLOT_Y, 0, pick);
    zkr_gl *yc = v_at(w, last_l(w), ZKR_INFER_SLOT_YC, 0, pick);
    zkr_gl top = *v_at(w, last_l(w), ZKR_INFER_SLOT_Y, 0, argmax_of(w, 0)), old = *y;

    (void)ctx;
    if (pick == argmax_of(w, 0) || top + 1 > 255 || *yc < top + 1 - old)
        return ZKR_ERR_USAGE;
    *y = top + 1;
    *yc -= top + 1 - old;
    claim_argmax(w, 0, pick);
    return ZKR_OK;
}

/* ---- format version 3's split batch (5 records: chunks of 4 and 1) ---- */

static zkr_err e_split_control(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    return w->shape->split && w->shape->lb_b == 0 ? ZKR_OK : ZKR_ERR_INTERNAL;
}

/* Record b's layer-0 remainder limb moved by one: the requantization no longer holds there. */
static void bump_r0(zkr_eval_cheat_view *w, uint64_t b)
{
    int v4 = w->shape->version >= 4;
    zkr_gl *r0 = v_at(w, 0, v4 ? 0 : ZKR_INFER_SLOT_R0, b, 0); /* v4: r's limbs come first */
    *r0 = *r0 < (v4 ? 0x7ffeu : 255u) ? *r0 + 1 : *r0 - 1;
}

/* The selector: the prover's zero-check weight drops the last real record, whose row is false. */
static zkr_err e_split_mask_short(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    if (!w->shape->split)
        return ZKR_ERR_INTERNAL;
    bump_r0(w, 4);
    w->mask_records = 4;
    return ZKR_OK;
}

/* The chunks: committed V_0 differs from the one the sumchecks read (second chunk, record 4). */
static zkr_err e_split_chunk_b_edited(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    if (!w->shape->split)
        return ZKR_ERR_INTERNAL;
    bump_r0(w, 4);
    w->chunks_only = 1;
    return ZKR_OK;
}

/* As above in the first chunk (record 1). */
static zkr_err e_split_chunk_a_edited(void *ctx, zkr_eval_cheat_view *w)
{
    (void)ctx;
    if (!w->shape->split)
        return ZKR_ERR_INTERNAL;
    bump_r0(w, 1);
    w->chunks_only = 1;
    return ZKR_OK;
}

static const attack attacks[] = {
    {"control_no_edit", e_none, 0, 4, NULL, 0, 0, 0, 0},
    {"count_plus_one", e_count_plus, 0, 4, "count check", 0, 0, 0, 0},
    {"count_minus_one", e_count_minus, 0, 4, "count check", 0, 0, 0, 0},
    {"wrong_argmax_wrapped_difference", e_wrong_argmax_wrapped, 0, 4, "range checks", 0, 0, 0, 0},
    {"wrong_argmax_difference_sign_dropped", e_wrong_argmax_abs, 0, 4, "argmax check", 0, 0, 0, 0},
    {"tie_broken_high_wrapped_difference", e_tie_wrong_wrapped, 1, 2, "range checks", 0, 0, 0, 0},
    {"tie_broken_high_key_of_low_index", e_tie_wrong_in_range, 1, 2, "argmax check", 0, 0, 0, 0},
    {"indicator_two", e_indicator_two, 0, 4, "argmax", 0, 0, 0, 0},
    {"indicator_two_and_p_minus_1", e_indicator_two_minus_one, 0, 4, "range checks", 0, 0, 0, 0},
    {"indicator_two_ones", e_indicator_two_ones, 0, 4, "argmax", 0, 0, 0, 0},
    {"indicator_all_zero", e_no_argmax, 0, 4, "one-hot", 0, 0, 0, 0},
    {"argmax_on_padding_row", e_argmax_on_padding, 0, 3, "argmax check", 0, 0, 0, 0},
    {"argmax_key_not_one_per_record", e_ka_not_broadcast, 0, 4, "key differs", 0, 0, 0, 0},
    {"difference_limb_borrow_256", e_difference_limb_borrow, 0, 4, "range checks", 0, 0, 0, 0},
    {"last_layer_logit_raised", e_logit_raised, 0, 4, "requantization", 0, 0, 0, 0},
    {"record_swapped", e_none, 0, 4, "check fails", 1, 0, 0, 0},
    {"record_outside_the_range", e_none, 0, 4, "check fails", 2, 0, 0, 0},
    {"control_labels_beyond_out_dim", e_none, 0, 3, NULL, 0, 4, 0, 0},
    {"label_beyond_out_dim_counted_on_padding_row", e_label_on_padding_counted, 0, 3,
     "argmax check", 0, 4, 0, 0},
    {"threshold_above_the_count", e_none, 0, 4, "below the threshold", 0, 0, 1, 0},
    {"threshold_met_by_a_raised_count", e_count_plus, 0, 4, "count check", 0, 0, 1, 0},
    {"control_split_batch", e_split_control, 0, 4, NULL, 0, 0, 0, 5},
    {"split_zero_check_weight_drops_a_real_record", e_split_mask_short, 0, 4,
     "layer 0 requantization", 0, 0, 0, 5},
    {"split_second_chunk_not_the_v0_proven", e_split_chunk_b_edited, 0, 4, "do not combine", 0, 0,
     0, 5},
    {"split_first_chunk_not_the_v0_proven", e_split_chunk_a_edited, 0, 4, "do not combine", 0, 0,
     0, 5},
};

static void run_attack(zkr_tap *t, const attack *a)
{
    uint32_t dims[3] = {10, 8, a->out};
    ev_fixture f;
    uint32_t classes = a->classes ? a->classes : a->out;
    uint64_t count = a->count ? a->count : 7;
    zkr_dataset *ds = ev_dataset_make(t, tmpdir, "s", 10, 12, classes);
    zkr_buf proof = {0}, out = {0};
    uint8_t *wit = NULL;
    zkr_diag d = {0}, vd = {0};
    zkr_err r = ZKR_ERR_INTERNAL, v = ZKR_ERR_INTERNAL;
    int tries = 0;
    uint64_t tau = 0;

    memset(&f, 0, sizeof f);
    for (;;) {
        ev_rmodel_make(t, &f.rm, dims, 2, 0, a->tie);
        f.rm.g.layers[0].act = 1;
        f.rm.g.layers[1].act = 0;
        if (ev_fixture_setup(t, &f, ds, 2, count, 1) != ZKR_OK)
            break;
        if (a->wit) {
            const zkr_dataset *src = ds;
            const uint8_t *p;
            size_t len;
            wit = malloc(count * f.bt.rec_len);
            memcpy(wit, f.records, count * f.bt.rec_len);
            if (a->wit == 1) {
                memcpy(wit, f.records + f.bt.rec_len, f.bt.rec_len);
                memcpy(wit + f.bt.rec_len, f.records, f.bt.rec_len);
            } else if (zkr_dataset_record(src, 11, &p, &len) == ZKR_OK) {
                memcpy(wit, p, len); /* record 11 is outside 2..8 */
            }
        }
        if (a->thr) {
            /* tau one above what the model gets: learnt from an honest run first. */
            unsigned m;
            uint64_t cnt, honest = 0;
            r = zkr_prover_evaluation_cheat_version(&f.p, f.st.statement_id, f.im, &f.bt, NULL,
                                                    ZKR_EVAL_MODE_EXACT, 0, 3, 0, e_none, &f, &proof,
                                                    &out, &d);
            if (r == ZKR_OK && zkr_eval_output_decode(out.p, out.len, &m, &cnt, &honest) == ZKR_OK &&
                honest + 1 <= cnt)
                tau = honest + 1;
            else
                r = ZKR_ERR_USAGE;
            zkr_buf_free(&proof);
            zkr_buf_free(&out);
        }
        if (!a->thr || r == ZKR_OK)
            r = zkr_prover_evaluation_cheat_version(
                &f.p, f.st.statement_id, f.im, &f.bt, wit,
                a->thr ? ZKR_EVAL_MODE_THRESHOLD : ZKR_EVAL_MODE_EXACT, tau, 3, 0, a->edit, &f, &proof,
                &out, &d);
        free(wit);
        wit = NULL;
        if (r != ZKR_ERR_USAGE || ++tries > 40)
            break;
        /* The edit needs another instance (e.g. a record whose logits all tie): draw again. */
        ev_fixture_free(&f);
        memset(&f, 0, sizeof f);
        zkr_dataset_free(ds);
        ds = ev_dataset_make(t, tmpdir, "s", 10, 12, classes);
    }
    if (r == ZKR_OK) {
        zkr_verifier_evaluation_statement st = f.st;
        st.output = out.p; /* the statement claims what the cheater claims */
        st.output_len = out.len;
        v = zkr_verify_evaluation(proof.p, proof.len, &st, NULL, &vd);
    }
    if (!a->want)
        zkr_tap_ok(t, r == ZKR_OK && v == ZKR_OK, "%s: the unedited cheating prover verifies "
                   "(prove %d, verify %d %s)", a->name, r, v, vd.msg);
    else
        zkr_tap_ok(t, r == ZKR_OK && v == ZKR_ERR_VERIFY && strstr(vd.msg, a->want),
                   "%s: ZKR_ERR_VERIFY naming \"%s\" (prove %d %s, verify %d: %s)", a->name,
                   a->want, r, d.msg, v, vd.msg);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
}

/* ---- format version 4: narrow requantization, A in 15-bit limbs (docs/soundness.md) ---- */

/* The edits' context: the fixture, and whether this run is the teeth (every LogUp left out). */
typedef struct {
    ev_fixture *f;
    int skip;
} v4_ctx;

/* The last layer's requantization of record 0's row j: its slots (layer 1: s = 24, lo = -128). */
typedef struct {
    zkr_gl *y, *r0, *r1, *gh, *gl;
} v4_row;

static int v4_row_at(zkr_eval_cheat_view *w, uint64_t j, v4_row *o)
{
    uint32_t l = last_l(w);
    zkr_cnn_rqn a;

    if (zkr_eval_rqn(w->shape, l, &a) != ZKR_OK || a.nr != 2 || a.ngh != 1 || a.ngl != 1)
        return 0;
    o->y = v_at(w, l, w->shape->ysl[l], 0, j);
    o->r0 = v_at(w, l, 0, 0, j);
    o->r1 = v_at(w, l, 1, 0, j);
    o->gh = v_at(w, l, a.slot_gh, 0, j);
    o->gl = v_at(w, l, a.slot_gl, 0, j);
    return 1;
}

/* The first real row of record 0 with no clamp and Y (= y + 128) strictly between lo_y and hi_y. */
static int v4_pick(zkr_eval_cheat_view *w, zkr_gl lo_y, zkr_gl hi_y, v4_row *o)
{
    for (uint64_t j = 0; j < out_dim(w); j++)
        if (v4_row_at(w, j, o) && *o->gh == 0 && *o->gl == 0 && *o->y > lo_y && *o->y < hi_y)
            return 1;
    return 0;
}

/* y + 1, r - 2^24: r0 = r0 - 2^24 wraps mod p (the argmax rebuilt on the raised logit). */
static zkr_err e4_r0_wrapped(void *ctx, zkr_eval_cheat_view *w)
{
    v4_row o;

    w->skip_range = ((v4_ctx *)ctx)->skip ? 2 : 0; /* LogUp 1: V_1 */
    if (!v4_pick(w, 0, 255, &o))
        return ZKR_ERR_USAGE;
    *o.y += 1;
    *o.r0 = zkr_gl_sub(*o.r0, (zkr_gl)1 << 24);
    claim_argmax(w, 0, argmax_of(w, 0));
    return ZKR_OK;
}

/* y - 1, r + 2^24: r1 + 2^9 stays a 15-bit limb (< 2^10); only 2^6 r1 < 2^15 refuses it. */
static zkr_err e4_r1_top(void *ctx, zkr_eval_cheat_view *w)
{
    v4_row o;

    w->skip_range = ((v4_ctx *)ctx)->skip ? 2 : 0; /* LogUp 1: V_1 */
    if (!v4_pick(w, 0, 255, &o) || *o.r1 + (1u << 9) >= (1u << ZKR_EVAL_LIMB4))
        return ZKR_ERR_USAGE;
    *o.y -= 1;
    *o.r1 += 1u << 9;
    claim_argmax(w, 0, argmax_of(w, 0));
    return ZKR_OK;
}

/* Clamped to 127 with gh = q - 127 < 0 wrapped mod p (q unclamped below 127). */
static zkr_err e4_gh_wrapped(void *ctx, zkr_eval_cheat_view *w)
{
    v4_row o;

    w->skip_range = ((v4_ctx *)ctx)->skip ? 2 : 0; /* LogUp 1: V_1 */
    if (!v4_pick(w, 0, 255, &o))
        return ZKR_ERR_USAGE;
    /* q = y = Y - 128; claimed y = 127 (Y = 255), gh = q - 127. */
    *o.gh = zkr_gl_from_i64((int64_t)*o.y - 128 - 127);
    *o.y = 255;
    claim_argmax(w, 0, argmax_of(w, 0));
    return ZKR_OK;
}

/* Clamped to -128 with gl = -128 - q < 0 wrapped mod p (q unclamped above -128). */
static zkr_err e4_gl_wrapped(void *ctx, zkr_eval_cheat_view *w)
{
    v4_row o;

    w->skip_range = ((v4_ctx *)ctx)->skip ? 2 : 0; /* LogUp 1: V_1 */
    if (!v4_pick(w, 0, 256, &o))
        return ZKR_ERR_USAGE;
    *o.gl = zkr_gl_from_i64(-((int64_t)*o.y)); /* -128 - q = -Y */
    *o.y = 0;
    claim_argmax(w, 0, argmax_of(w, 0));
    return ZKR_OK;
}

/*
 * The uncommitted entry column: the r0 wrap of e4_r0_wrapped committed in
 * V_1, but every LogUp proves its column with the out-of-table entries
 * replaced by 0 (MU counted on that column); the slot values sent are V's.
 */
static zkr_err e4_column_not_the_entries(void *ctx, zkr_eval_cheat_view *w)
{
    zkr_err r = e4_r0_wrapped(ctx, w);

    w->clamp_columns = 1;
    return r;
}

/* A's D limb at 2^15 on the padding row (out_dim 3: row 3, sel = 0): only its range entry refuses it. */
static zkr_err e4_d_limb_2_15(void *ctx, zkr_eval_cheat_view *w)
{
    uint64_t J = (uint64_t)1 << w->shape->c;

    w->skip_range = ((v4_ctx *)ctx)->skip ? 3 : 0; /* LogUp 2: A */
    if (out_dim(w) == J || w->shape->nd != 1)
        return ZKR_ERR_USAGE;
    *a_at(w, ZKR_EVAL_ASLOT_D0, 0, out_dim(w)) = (zkr_gl)1 << ZKR_EVAL_LIMB4;
    return ZKR_OK;
}

/* The smallest logit claimed as the argmax: its negative differences wrap (15-bit limbs). */
static zkr_err e4_wrong_argmax_wrapped(void *ctx, zkr_eval_cheat_view *w)
{
    w->skip_range = ((v4_ctx *)ctx)->skip ? 3 : 0; /* LogUp 2: A */
    return e_wrong_argmax_wrapped(NULL, w);
}

/* The smallest logit raised above the maximum, A rebuilt on it, nothing else: the requantization refuses. */
static zkr_err e4_logit_raised(void *ctx, zkr_eval_cheat_view *w)
{
    uint64_t pick = argmin_of(w, 0);
    uint32_t l = last_l(w);
    zkr_gl top = *v_at(w, l, w->shape->ysl[l], 0, argmax_of(w, 0));

    (void)ctx;
    if (pick == argmax_of(w, 0) || top + 1 > 255)
        return ZKR_ERR_USAGE;
    *v_at(w, l, w->shape->ysl[l], 0, pick) = top + 1;
    claim_argmax(w, 0, pick);
    return ZKR_OK;
}

/*
 * Record 0's last-layer rows recomputed after its layer-0 output at row k
 * moved by dy: acc_1 += W_1(j, k) dy, then the narrow requantization's
 * limbs and Y (zkr_cnn_rqn_elem, the declared widths), A rebuilt on the new
 * logits. 0 when a row no longer fits the declared widths (draw again).
 */
static int v4_redo_last(const ev_fixture *f, zkr_eval_cheat_view *w, uint64_t k, int64_t dy)
{
    const zkr_eval_shape *s = w->shape;
    const zkr_infer_layer *L1 = &s->inf.layer[1];
    size_t plen = (size_t)1 << (L1->lm + s->lb);
    zkr_cnn_rqn a;

    if (s->inf.n_layers != 2 || zkr_eval_rqn(s, 1, &a) != ZKR_OK)
        return 0;
    for (uint64_t j = 0; j < L1->out_dim; j++) {
        int8_t y;
        w->acc[1][j] += (int64_t)f->rm.w[1][j * L1->in_dim + k] * dy;
        if (zkr_cnn_rqn_elem(&a, w->acc[1][j] * (int64_t)f->rm.mult[1][j], w->v[1], plen, j, &y,
                             NULL) != ZKR_OK)
            return 0;
        *v_at(w, 1, s->ysl[1], 0, j) = (zkr_gl)((int64_t)y - a.lo);
    }
    claim_argmax(w, 0, argmax_of(w, 0));
    return 1;
}

/* Layer 0 (hidden, ReLU: lo = 0) of record 0: the first row with no clamp and lo_y < y < hi_y. */
static int v4_hidden_pick(zkr_eval_cheat_view *w, int64_t lo_y, int64_t hi_y, zkr_cnn_rqn *a,
                          uint64_t *k)
{
    const zkr_eval_shape *s = w->shape;

    if (zkr_eval_rqn(s, 0, a) != ZKR_OK || a->lo != 0 || a->ngh < 1 || a->ngl < 1)
        return 0;
    for (uint64_t j = 0; j < s->inf.layer[0].out_dim; j++) {
        int64_t y = (int64_t)*v_at(w, 0, s->ysl[0], 0, j);
        if (*v_at(w, 0, a->slot_gh, 0, j) == 0 && *v_at(w, 0, a->slot_gl, 0, j) == 0 && y > lo_y &&
            y < hi_y) {
            *k = j;
            return 1;
        }
    }
    return 0;
}

/* A hidden ReLU output y = q > 0 claimed 0 with gl = -q wrapped mod p (gl y = 0 holds); layer 1 and A follow. */
static zkr_err e4_hidden_gl_wrapped(void *ctx, zkr_eval_cheat_view *w)
{
    v4_ctx *c = ctx;
    zkr_cnn_rqn a;
    uint64_t k;
    zkr_gl y;

    w->skip_range = c->skip ? 1 : 0; /* LogUp 0: V_0 */
    if (!v4_hidden_pick(w, 0, 128, &a, &k))
        return ZKR_ERR_USAGE;
    y = *v_at(w, 0, w->shape->ysl[0], 0, k);
    *v_at(w, 0, w->shape->ysl[0], 0, k) = 0;
    *v_at(w, 0, a.slot_gl, 0, k) = zkr_gl_from_i64(-(int64_t)y);
    return v4_redo_last(c->f, w, k, -(int64_t)y) ? ZKR_OK : ZKR_ERR_USAGE;
}

/* A hidden ReLU output y = q < 127 claimed 127 with gh = q - 127 wrapped (gh (127 - y) = 0 holds). */
static zkr_err e4_hidden_gh_wrapped(void *ctx, zkr_eval_cheat_view *w)
{
    v4_ctx *c = ctx;
    zkr_cnn_rqn a;
    uint64_t k;
    zkr_gl y;

    w->skip_range = c->skip ? 1 : 0; /* LogUp 0: V_0 */
    if (!v4_hidden_pick(w, -1, 127, &a, &k))
        return ZKR_ERR_USAGE;
    y = *v_at(w, 0, w->shape->ysl[0], 0, k);
    *v_at(w, 0, w->shape->ysl[0], 0, k) = 127;
    *v_at(w, 0, a.slot_gh, 0, k) = zkr_gl_from_i64((int64_t)y - 127);
    return v4_redo_last(c->f, w, k, 127 - (int64_t)y) ? ZKR_OK : ZKR_ERR_USAGE;
}

/* A hidden output y + 1 with r - 2^s: r's low limb wraps mod p (the top limb kept). */
static zkr_err e4_hidden_r_wrapped(void *ctx, zkr_eval_cheat_view *w)
{
    v4_ctx *c = ctx;
    zkr_cnn_rqn a;
    uint64_t k;
    zkr_gl *r0;

    w->skip_range = c->skip ? 1 : 0; /* LogUp 0: V_0 */
    if (!v4_hidden_pick(w, -1, 127, &a, &k))
        return ZKR_ERR_USAGE;
    *v_at(w, 0, w->shape->ysl[0], 0, k) += 1;
    r0 = v_at(w, 0, 0, 0, k);
    *r0 = zkr_gl_sub(*r0, (zkr_gl)1 << a.shift);
    return v4_redo_last(c->f, w, k, 1) ? ZKR_OK : ZKR_ERR_USAGE;
}

/* Two tied logits: index 1 claimed, D(0) = -1 wraps (15-bit limbs). */
static zkr_err e4_tie_wrong_wrapped(void *ctx, zkr_eval_cheat_view *w)
{
    w->skip_range = ((v4_ctx *)ctx)->skip ? 3 : 0; /* LogUp 2: A */
    return e_tie_wrong_wrapped(NULL, w);
}

typedef struct {
    const char *name;
    zkr_err (*edit)(void *ctx, zkr_eval_cheat_view *w);
    uint32_t out;     /* last layer width */
    const char *want; /* substring of the verifier's message; NULL: a control */
    int teeth;        /* a range attack on LogUp teeth - 1: proven again with that LogUp left
                       * out, accepted with ZKR_EVAL_OFF_RANGE0 << (teeth - 1) only */
    uint64_t count;   /* records 2..2+count; 0: 7 */
    unsigned off;     /* nonzero: the same proof is accepted with these checks off (teeth) */
    int tie;          /* last layer rows 0 and 1 equal */
} attack4;

static const attack4 attacks4[] = {
    {"v4_control_no_edit", e_none, 4, NULL, 0, 0, 0, 0},
    {"v4_control_split_batch", e_split_control, 4, NULL, 0, 5, 0, 0},
    {"v4_r0_wrapped_mod_p", e4_r0_wrapped, 4, "range checks of layer 1", 2, 0, 0, 0},
    {"v4_r1_over_2^9_caught_by_the_scaled_entry", e4_r1_top, 4, "range checks of layer 1", 2, 0,
     0, 0},
    {"v4_gh_wrapped_below_0", e4_gh_wrapped, 4, "range checks of layer 1", 2, 0, 0, 0},
    {"v4_gl_wrapped_below_0", e4_gl_wrapped, 4, "range checks of layer 1", 2, 0, 0, 0},
    {"v4_a_d_limb_at_2^15", e4_d_limb_2_15, 3, "range checks of argmax", 3, 0, 0, 0},
    {"v4_wrong_argmax_wrapped_difference", e4_wrong_argmax_wrapped, 4, "range checks of argmax", 3,
     0, 0, 0},
    {"v4_count_plus_one", e_count_plus, 4, "count check", 0, 0, ZKR_EVAL_AM_OFF_COUNT, 0},
    {"v4_last_layer_logit_raised", e4_logit_raised, 4, "layer 1 requantization", 0, 0,
     ZKR_EVAL_OFF_REQUANT, 0},
    {"v4_wrong_argmax_difference_sign_dropped", e_wrong_argmax_abs, 4, "argmax check", 0, 0,
     ZKR_EVAL_AM_OFF_ARGMAX, 0},
    {"v4_indicator_two_and_p_minus_1", e_indicator_two_minus_one, 4, "argmax", 0, 0, 0, 0},
    {"v4_indicator_all_zero", e_no_argmax, 4, "one-hot", 0, 0, ZKR_EVAL_AM_OFF_ONEHOT, 0},
    {"v4_argmax_key_not_one_per_record", e_ka_not_broadcast, 4, "key differs", 0, 0,
     ZKR_EVAL_AM_OFF_KEY, 0},
    {"v4_split_zero_check_weight_drops_a_real_record", e_split_mask_short, 4,
     "layer 0 requantization", 0, 5, ZKR_EVAL_OFF_REQUANT, 0},
    {"v4_split_second_chunk_not_the_v0_proven", e_split_chunk_b_edited, 4, "do not combine", 0, 5,
     0, 0},
    {"v4_logup_proves_a_clamped_column_not_the_entries", e4_column_not_the_entries, 4,
     "entries do not match the slots", 0, 0, ZKR_EVAL_OFF_ENTRIES, 0},
    {"v4_hidden_relu_gl_wrapped_below_0", e4_hidden_gl_wrapped, 4, "range checks of layer 0", 1,
     0, 0, 0},
    {"v4_hidden_relu_gh_wrapped_below_0", e4_hidden_gh_wrapped, 4, "range checks of layer 0", 1,
     0, 0, 0},
    {"v4_hidden_relu_r_wrapped_mod_p", e4_hidden_r_wrapped, 4, "range checks of layer 0", 1, 0, 0,
     0},
    {"v4_tie_broken_high_wrapped_difference", e4_tie_wrong_wrapped, 2, "range checks of argmax", 3,
     0, 0, 1},
    {"v4_tie_broken_high_key_of_low_index", e_tie_wrong_in_range, 2, "argmax check", 0, 0,
     ZKR_EVAL_AM_OFF_ARGMAX, 1},
    {"v4_argmax_on_padding_row", e_argmax_on_padding, 3, "argmax check", 0, 0,
     ZKR_EVAL_AM_OFF_ARGMAX, 0},
    {"v4_indicator_two_ones", e_indicator_two_ones, 4, "argmax", 0, 0, 0, 0},
};

/* Records 2..2+count of a fresh dataset under a 10-8-out model, layer 1 at shift 24 (two r limbs). */
static zkr_err v4_setup(zkr_tap *t, ev_fixture *f, zkr_dataset **ds, uint32_t out, uint64_t count,
                        int tie)
{
    uint32_t dims[3] = {10, 8, out};

    memset(f, 0, sizeof *f);
    *ds = ev_dataset_make(t, tmpdir, "s4", 10, 12, out);
    ev_rmodel_make(t, &f->rm, dims, 2, 0, tie);
    f->rm.g.layers[0].act = 1;
    f->rm.g.layers[1].act = 0;
    f->rm.q[1].shift = 24;
    for (uint32_t j = 0; j < out; j++)
        f->rm.mult[1][j] = (uint32_t)ev_rnd(t, 1, 1 << 14);
    if (tie)
        f->rm.mult[1][1] = f->rm.mult[1][0]; /* rows 0 and 1 stay equal */
    return ev_fixture_setup(t, f, *ds, 2, count, 1);
}

static zkr_err v4_prove(ev_fixture *f, const attack4 *a, int skip, zkr_buf *proof, zkr_buf *out,
                        zkr_diag *d)
{
    v4_ctx c = {f, skip};

    zkr_buf_free(proof);
    zkr_buf_free(out);
    return zkr_prover_evaluation_cheat_version(&f->p, f->st.statement_id, f->im, &f->bt, NULL,
                                               ZKR_EVAL_MODE_EXACT, 0, 4, ZKR_EVAL_LIMB4, a->edit,
                                               &c, proof, out, d);
}

static void run_attack4(zkr_tap *t, const attack4 *a)
{
    ev_fixture f;
    zkr_dataset *ds = NULL;
    zkr_buf proof = {0}, out = {0};
    zkr_diag d = {0}, vd = {0};
    zkr_verifier_evaluation_statement st;
    zkr_err r = ZKR_ERR_INTERNAL, v = ZKR_ERR_INTERNAL;

    for (int tries = 0; tries < 40; tries++) {
        if (v4_setup(t, &f, &ds, a->out, a->count ? a->count : 7, a->tie) == ZKR_OK)
            r = v4_prove(&f, a, 0, &proof, &out, &d);
        if (r != ZKR_ERR_USAGE)
            break;
        /* The edit needs another instance (no unclamped row to edit): draw again. */
        ev_fixture_free(&f);
        zkr_dataset_free(ds);
        ds = NULL;
    }
    st = f.st;
    st.output = out.p; /* the statement claims what the cheater claims */
    st.output_len = out.len;
    if (r == ZKR_OK)
        v = zkr_verify_evaluation(proof.p, proof.len, &st, NULL, &vd);
    if (!a->want)
        zkr_tap_ok(t, r == ZKR_OK && v == ZKR_OK,
                   "%s: the unedited cheating prover verifies (prove %d %s, verify %d %s)",
                   a->name, r, d.msg, v, vd.msg);
    else
        zkr_tap_ok(t, r == ZKR_OK && v == ZKR_ERR_VERIFY && strstr(vd.msg, a->want),
                   "%s: ZKR_ERR_VERIFY naming \"%s\" (prove %d %s, verify %d: %s)", a->name,
                   a->want, r, d.msg, v, vd.msg);
    if (a->off) {
        zkr_diag d1 = {0};
        zkr_err v1 = r == ZKR_OK ? zkr_verify_evaluation_off(proof.p, proof.len, &st, a->off,
                                                             NULL, &d1)
                                 : r;
        zkr_tap_ok(t, v1 == ZKR_OK, "%s: teeth: accepted with that check off (%d %s)", a->name,
                   v1, d1.msg);
    }
    if (a->teeth) {
        /* The teeth: the same edit, the LogUps left out; every other relation holds. */
        zkr_err v0 = ZKR_ERR_INTERNAL, v1 = ZKR_ERR_INTERNAL;
        zkr_diag d1 = {0};
        memset(&vd, 0, sizeof vd);
        r = r == ZKR_OK ? v4_prove(&f, a, 1, &proof, &out, &d) : r;
        st.output = out.p;
        st.output_len = out.len;
        if (r == ZKR_OK) {
            v0 = zkr_verify_evaluation(proof.p, proof.len, &st, NULL, &vd);
            v1 = zkr_verify_evaluation_off(proof.p, proof.len, &st,
                                           ZKR_EVAL_OFF_RANGE0 << (a->teeth - 1), NULL, &d1);
        }
        zkr_tap_ok(t, r == ZKR_OK && v0 != ZKR_OK && v1 == ZKR_OK,
                   "%s: teeth: with its LogUp left out, refused with every check on (%d %s) and "
                   "accepted with that range check off (%d %s; prove %d %s)", a->name, v0, vd.msg,
                   v1, d1.msg, r, d.msg);
    }
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
}

/*
 * The statement binding in format version 4: the witness built on other
 * records (records 0 and 1 swapped; record 0 replaced by record 11, outside
 * the range 2..8) than the statement's, proven honestly otherwise: the
 * layer-0 matmul reads the statement's records, so it refuses.
 */
static void run_records4(zkr_tap *t)
{
    static const attack4 none = {"v4_records", e_none, 4, NULL, 0, 0, 0, 0};

    for (int mode = 1; mode <= 2; mode++) {
        ev_fixture f;
        zkr_dataset *ds = NULL;
        zkr_buf proof = {0}, out = {0};
        zkr_diag d = {0}, vd = {0};
        zkr_err r, v = ZKR_ERR_INTERNAL;
        uint8_t *wit = NULL;
        v4_ctx c = {&f, 0};

        r = v4_setup(t, &f, &ds, 4, 7, 0);
        if (r == ZKR_OK && !(wit = malloc(7 * f.bt.rec_len)))
            r = ZKR_ERR_NOMEM;
        if (r == ZKR_OK) {
            const uint8_t *p;
            size_t len;
            memcpy(wit, f.records, 7 * f.bt.rec_len);
            if (mode == 1) {
                memcpy(wit, f.records + f.bt.rec_len, f.bt.rec_len);
                memcpy(wit + f.bt.rec_len, f.records, f.bt.rec_len);
            } else if (zkr_dataset_record(ds, 11, &p, &len) == ZKR_OK && len == f.bt.rec_len) {
                memcpy(wit, p, len);
            } else {
                r = ZKR_ERR_INTERNAL;
            }
        }
        if (r == ZKR_OK)
            r = zkr_prover_evaluation_cheat_version(&f.p, f.st.statement_id, f.im, &f.bt, wit,
                                                    ZKR_EVAL_MODE_EXACT, 0, 4, ZKR_EVAL_LIMB4,
                                                    none.edit, &c, &proof, &out, &d);
        if (r == ZKR_OK) {
            zkr_verifier_evaluation_statement st = f.st;
            st.output = out.p;
            st.output_len = out.len;
            v = zkr_verify_evaluation(proof.p, proof.len, &st, NULL, &vd);
        }
        zkr_tap_ok(t, r == ZKR_OK && v == ZKR_ERR_VERIFY && strstr(vd.msg, "check fails"),
                   "v4_%s: ZKR_ERR_VERIFY (prove %d %s, verify %d: %s)",
                   mode == 1 ? "record_swapped" : "record_outside_the_range", r, d.msg, v, vd.msg);
        free(wit);
        zkr_buf_free(&proof);
        zkr_buf_free(&out);
        ev_fixture_free(&f);
        zkr_dataset_free(ds);
    }
}

/*
 * A declared clamp width of 64 - s (layer 1: 40 bits at s = 24) in an honest
 * proof's roots section: refused by name (MALFORMED), and still refused with
 * that check off (zkr_eval_shape_v4 holds the same bound through
 * zkr_cnn_rqn_init). Its teeth are arithmetic: at 64 - s bits a gh exists
 * with 2^s (127 + gh) + r + 1 = 2^s q + r mod p for q = -100, a clamp to
 * 127 of a value far below it, which 63 - s bits rule out (gh >= 2^(63-s)).
 */
static void run_width4(zkr_tap *t)
{
    static const attack4 none = {"v4_width", e_none, 4, NULL, 0, 0, 0, 0};
    ev_fixture f;
    zkr_dataset *ds = NULL;
    zkr_buf proof = {0}, out = {0};
    zkr_proof_view pv;
    zkr_diag d = {0}, vd = {0}, vd1 = {0};
    zkr_err r, v = ZKR_ERR_INTERNAL, v1 = ZKR_ERR_INTERNAL, v2 = ZKR_ERR_INTERNAL;

    r = v4_setup(t, &f, &ds, 4, 7, 0);
    if (r == ZKR_OK)
        r = v4_prove(&f, &none, 0, &proof, &out, &d);
    if (r == ZKR_OK && zkr_proof_parse(proof.p, proof.len, &pv, &d) == ZKR_OK) {
        zkr_verifier_evaluation_statement st = f.st;
        size_t off = (size_t)(pv.body[1] - proof.p) + 4 + 8 * 1; /* layer 1's ghb */
        st.output = out.p;
        st.output_len = out.len;
        v2 = zkr_verify_evaluation(proof.p, proof.len, &st, NULL, &vd);
        {
            /* Each declared width moved to another legal value after proving (same limbs where
             * whole-limb widening applies): the widths are absorbed, so the transcript fails. */
            size_t w0 = (size_t)(pv.body[1] - proof.p) + 4;
            unsigned refused = 0, tried = 0;
            uint8_t *cp = malloc(proof.len);
            for (unsigned i = 0; cp && i < 4; i++) {
                size_t o = w0 + 4 * i;
                uint32_t was = zkr_load_be32(proof.p + o), sh = f.rm.q[i / 2].shift;
                zkr_diag de = {0};
                memcpy(cp, proof.p, proof.len);
                zkr_store_be32(cp + o, was > 0 ? was - 1 : was + 1);
                if (was > 63 - sh)
                    continue;
                tried++;
                refused += zkr_verify_evaluation(cp, proof.len, &st, NULL, &de) != ZKR_OK;
            }
            free(cp);
            zkr_tap_ok(t, tried == 4 && refused == 4,
                       "v4_declared_width_moved_after_proving: %u of %u edits refused", refused,
                       tried);
        }
        proof.p[off] = 0, proof.p[off + 1] = 0, proof.p[off + 2] = 0, proof.p[off + 3] = 64 - 24;
        v = zkr_verify_evaluation(proof.p, proof.len, &st, NULL, &vd);
        v1 = zkr_verify_evaluation_off(proof.p, proof.len, &st, ZKR_EVAL_OFF_WIDTH, NULL, &vd1);
    }
    zkr_tap_ok(t, r == ZKR_OK && v2 == ZKR_OK && v == ZKR_ERR_MALFORMED &&
                      strstr(vd.msg, "clamp widths") && v1 == ZKR_ERR_MALFORMED,
               "v4_declared_width_64_minus_s: refused by name (%d: %s), with the check off still "
               "refused by the shape (%d: %s); unedited %d", v, vd.msg, v1, vd1.msg, v2);
    {
        const unsigned s = 24;
        int64_t q = -100;
        uint64_t k = (uint64_t)((int64_t)1 << (32 - s)) + 127 + 100, gh; /* 2^(32-s) + 127 - q */
        zkr_gl lhs, rhs;
        gh = ((uint64_t)1 << (64 - s)) - k;
        lhs = zkr_gl_mul(zkr_gl_from_i64(q), (zkr_gl)1 << s);           /* 2^s q + r, r = 0 */
        rhs = zkr_gl_add(zkr_gl_mul(zkr_gl_add(127, zkr_gl_canon(gh)), (zkr_gl)1 << s), 1);
        zkr_tap_ok(t, lhs == rhs && gh < ((uint64_t)1 << (64 - s)) &&
                          gh >= ((uint64_t)1 << (63 - s)),
                   "v4_width_64_minus_s_teeth: gh = 2^40 - %llu (40 bits) clamps q = -100 to 127 "
                   "mod p; 39 bits cannot hold it", (unsigned long long)k);
    }
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    ev_fixture_free(&f);
    zkr_dataset_free(ds);
}

/*
 * The entry columns against the soundness rows, for every shift the verifier
 * accepts (1..48), both layer kinds (hidden ReLU lo = 0, last lo = -128, and
 * the other way round) and every declared width 0..63 - s on one side with
 * 63 - s on the other: from the verifier's own entries (zkr_eval_entries) the
 * integer interval each slot's table checks allow (a slot pinned by a +-1
 * entry to an integer window of 2^15, then every scaled entry intersected:
 * all products stay below 2^30, no wrap), so r, gh, gl and Y as the
 * zero-check recombines them, and |L - R| of the requantization with |acc|,
 * M < 2^31. Each must give 0 <= r < 2^s, gh, gl < 2^(63-s), 0 <= Y <= 127 -
 * lo, every used slot pinned, |L - R| < p. The teeth: the same bound at
 * 64 - s bits reaches p for every s (v4_width_64_minus_s_teeth computes one
 * such wrap).
 */
typedef struct {
    int64_t lo, hi;
    int pinned;
} bd_iv;

static int64_t bd_signed(zkr_gl v)
{
    v = zkr_gl_canon(v);
    return v > ZKR_GL_P / 2 ? -(int64_t)(ZKR_GL_P - v) : (int64_t)v;
}

static int64_t bd_floor(int64_t a, int64_t b) /* b > 0 */
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int64_t bd_ceil(int64_t a, int64_t b) /* b > 0 */
{
    return -bd_floor(-a, b);
}

/* Slot k's interval from the entries (pinned when some entry has coefficient +-1). */
static bd_iv bd_slot(const zkr_eval_entry *ent, unsigned ne, unsigned k)
{
    const int64_t T = ((int64_t)1 << ZKR_EVAL_LIMB4) - 1;
    bd_iv iv = {INT64_MIN / 4, INT64_MAX / 4, 0};

    for (unsigned e = 0; e < ne; e++) {
        int64_t c = bd_signed(ent[e].coef), d = bd_signed(ent[e].cst), lo, hi;
        if (ent[e].src != k)
            continue;
        if (c == 1 || c == -1)
            iv.pinned = 1;
        if (c == 0 || c > ((int64_t)1 << 14) || c < -((int64_t)1 << 14))
            return (bd_iv){0, -1, 0}; /* not an entry the argument covers */
        /* 0 <= c v + d <= T over the integers: c > 0: -d / c <= v <= (T - d) / c, else reversed. */
        if (c > 0) {
            lo = bd_ceil(-d, c);
            hi = bd_floor(T - d, c);
        } else {
            lo = bd_ceil(d - T, -c);
            hi = bd_floor(d, -c);
        }
        iv.lo = lo > iv.lo ? lo : iv.lo;
        iv.hi = hi < iv.hi ? hi : iv.hi;
    }
    return iv;
}

/* sum_i 2^(15 i) over n limbs from first: the least and greatest values. */
static int bd_value(const zkr_eval_entry *ent, unsigned ne, unsigned first, unsigned n,
                    __int128 *mn, __int128 *mx)
{
    *mn = 0, *mx = 0;
    for (unsigned i = n; i-- > 0;) {
        bd_iv iv = bd_slot(ent, ne, first + i);
        if (!iv.pinned || iv.lo > iv.hi)
            return 0;
        *mn = *mn * ((__int128)1 << ZKR_EVAL_LIMB4) + iv.lo;
        *mx = *mx * ((__int128)1 << ZKR_EVAL_LIMB4) + iv.hi;
    }
    return 1;
}

/* |L - R| at most, L = acc M + 2^(s-1) (|acc| < 2^31, 0 <= M < 2^31), R = 2^s (Y + lo + gh - gl) + r. */
static __int128 bd_gap(unsigned s, int64_t lo, __int128 ymx, __int128 ghmx, __int128 glmx,
                       __int128 rmx)
{
    __int128 am = ((__int128)1 << 31) - 1, lmax = am * am + ((__int128)1 << (s - 1)),
             lmin = -am * am + ((__int128)1 << (s - 1));
    __int128 rmax = ((__int128)1 << s) * (ymx + lo + ghmx) + rmx,
             rmin = ((__int128)1 << s) * (lo - glmx);
    __int128 a = lmax - rmin, b = rmax - lmin;
    return a > b ? a : b;
}

static int bd_layer(const zkr_eval_shape *es, uint32_t l, __int128 *gap)
{
    const zkr_infer_layer *L = &es->inf.layer[l];
    zkr_eval_entry ent[ZKR_EVAL_MAX_ENTRIES];
    unsigned elog, ne = zkr_eval_entries(es, l, ent, &elog);
    zkr_cnn_rqn a;
    __int128 rmn, rmx, hmn, hmx, gmn, gmx, top = (__int128)1 << (63 - L->shift);
    bd_iv y;

    if (zkr_eval_rqn(es, l, &a) != ZKR_OK || !bd_value(ent, ne, 0, a.nr, &rmn, &rmx) ||
        !bd_value(ent, ne, a.slot_gh, a.ngh, &hmn, &hmx) ||
        !bd_value(ent, ne, a.slot_gl, a.ngl, &gmn, &gmx))
        return 0;
    y = bd_slot(ent, ne, es->ysl[l]);
    for (unsigned k = 0; k < es->nsl[l]; k++)
        if (!bd_slot(ent, ne, k).pinned)
            return 0; /* a used slot no table check reads */
    if (!y.pinned || y.lo != 0 || y.hi != 127 - L->lo || rmn != 0 ||
        rmx != ((__int128)1 << L->shift) - 1 || hmn != 0 || hmx >= top || gmn != 0 || gmx >= top ||
        hmx >= (__int128)1 << a.ghb || gmx >= (__int128)1 << a.glb)
        return 0;
    *gap = bd_gap(L->shift, L->lo, y.hi, hmx, gmx, rmx);
    return *gap < (__int128)ZKR_GL_P;
}

static void run_bounds4(zkr_tap *t)
{
    static const uint32_t in[2] = {10, 8}, out[2] = {8, 3};
    unsigned cases = 0, bad = 0, teeth = 0, bad_s = 0, a_ok = 1;
    __int128 worst = 0;

    for (unsigned s = 1; s <= 48; s++) {
        for (int kind = 0; kind < 2; kind++) {
            const int relu[2] = {kind == 0, kind != 0};
            const uint32_t sh[2] = {s, s};
            for (unsigned w = 0; w <= 63 - s; w++) {
                for (int side = 0; side < 2; side++) {
                    unsigned gh[2], gl[2];
                    zkr_eval_shape es;
                    for (int l = 0; l < 2; l++) {
                        gh[l] = side ? w : 63 - s;
                        gl[l] = side ? 63 - s : w;
                    }
                    cases++;
                    if (zkr_eval_shape_init(&es, 10, 2, in, out, relu, sh, 7, 26) != ZKR_OK ||
                        zkr_eval_shape_v4(&es, gh, gl, 26) != ZKR_OK) {
                        bad++;
                        continue;
                    }
                    for (uint32_t l = 0; l < 2; l++) {
                        __int128 g = 0;
                        if (!bd_layer(&es, l, &g))
                            bad++;
                        worst = g > worst ? g : worst;
                    }
                    if (w == 63 - s && side == 0) {
                        /* A: D and KA limbs in 0..2^15-1, K < 2^(c+8): |KA - K - D| < 2^17. */
                        zkr_eval_entry ent[ZKR_EVAL_MAX_ENTRIES];
                        unsigned elog, ne = zkr_eval_entries(&es, 2, ent, &elog);
                        __int128 mn, mx;
                        a_ok &= ne == 2 * es.nd && es.c + 8 <= ZKR_EVAL_LIMB4 * es.nd &&
                                bd_value(ent, ne, ZKR_EVAL_ASLOT_D0, es.nd, &mn, &mx) &&
                                mn == 0 && mx == ((__int128)1 << (ZKR_EVAL_LIMB4 * es.nd)) - 1 &&
                                bd_value(ent, ne, ZKR_EVAL_ASLOT_D0 + es.nd, es.nd, &mn, &mx) &&
                                mn == 0;
                    }
                }
            }
            /* Width 64 - s on either side, the same bound: it reaches p (and the verifier refuses it). */
            {
                __int128 g = bd_gap(s, kind ? -128 : 0, kind ? 255 : 127,
                                    ((__int128)1 << (64 - s)) - 1, 0, ((__int128)1 << s) - 1);
                unsigned gh[2] = {64 - s, 64 - s}, gl[2] = {0, 0};
                zkr_eval_shape es;
                teeth += g >= (__int128)ZKR_GL_P;
                if (zkr_eval_shape_init(&es, 10, 2, in, out, relu, sh, 7, 26) != ZKR_OK ||
                    zkr_eval_shape_v4(&es, gh, gl, 26) != ZKR_ERR_MALFORMED)
                    bad_s++;
            }
        }
    }
    zkr_tap_ok(t, bad == 0 && cases > 4000,
               "v4_entries_imply_the_soundness_rows: s = 1..48, hidden and last layer (lo 0 and "
               "-128), widths 0..63 - s: %u cases, %u off (r < 2^s, gh, gl < 2^(63-s), Y in 0..127 "
               "- lo, every used slot read); largest |L - R| = p - %.4g", cases, bad,
               (double)((__int128)ZKR_GL_P - worst));
    zkr_tap_ok(t, teeth == 96 && bad_s == 0,
               "v4_entries_teeth: at 64 - s bits the same bound reaches p for %u of 96 (s, kind), "
               "and zkr_eval_shape_v4 refuses every one (%u accepted)", teeth, bad_s);
    zkr_tap_ok(t, a_ok, "v4_argmax_entries: D and KA limbs are 15-bit entries, c + 8 <= 15 nd");
    {
        /* The sweep's own teeth: r's scaled top-limb entry dropped (s = 24) lets r reach 2^30 - 1. */
        const int relu[2] = {1, 0};
        const uint32_t sh[2] = {24, 24};
        const unsigned gw[2] = {15, 15};
        zkr_eval_shape es;
        zkr_eval_entry ent[ZKR_EVAL_MAX_ENTRIES], kept[ZKR_EVAL_MAX_ENTRIES];
        unsigned elog, ne = 0, nk = 0;
        __int128 mn = 0, mx = 0;
        if (zkr_eval_shape_init(&es, 10, 2, in, out, relu, sh, 7, 26) == ZKR_OK &&
            zkr_eval_shape_v4(&es, gw, gw, 26) == ZKR_OK)
            ne = zkr_eval_entries(&es, 1, ent, &elog);
        for (unsigned e = 0; e < ne; e++)
            if (!(ent[e].src == 1 && ent[e].coef != 1))
                kept[nk++] = ent[e];
        zkr_tap_ok(t, nk + 1 == ne && bd_value(kept, nk, 0, 2, &mn, &mx) &&
                          mx == ((__int128)1 << 30) - 1,
                   "v4_entries_sweep_teeth: without the 2^6 r1 entry (s = 24) r reaches 2^30 - 1 "
                   "(%u of %u entries kept)", nk, ne);
    }
}

/* ---- the mixed-size opening of format version 2 (docs/soundness.md) ---- */

typedef struct {
    zkr_params p;
    zkr_pcs_poly *poly[4];
    zkr_pcs_commitment comm[4];
    zkr_gl *ev[4];
    unsigned nv[4];
    zkr_ext pt[4][16], val[4];
    zkr_pcs_claim cl[4];
} mx_fix;

static void mx_ts(zkr_transcript *t)
{
    uint8_t pd[ZKR_DIGEST_BYTES] = {1}, sid[ZKR_DIGEST_BYTES] = {2};
    zkr_ts_init(t, "zkreg/test-mixed", 1, 1, 1, pd, sid);
}

/* Polys of 13, 13, 11 and 10 variables (two join the fold), one claim each. */
static int mx_setup(mx_fix *f)
{
    static const unsigned nv[4] = {13, 13, 11, 10};
    uint64_t x = 0x9e3779b97f4a7c15ull;

    memset(f, 0, sizeof *f);
    if (zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK)
        return -1;
    for (unsigned k = 0; k < 4; k++) {
        size_t len = (size_t)1 << nv[k];
        f->nv[k] = nv[k];
        if (!(f->ev[k] = malloc(len * sizeof(zkr_gl))))
            return -1;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            f->ev[k][i] = x % 256;
        }
        if (zkr_prover_commit(&f->p, f->ev[k], nv[k], 1, &f->poly[k], &f->comm[k]) != ZKR_OK)
            return -1;
        for (unsigned i = 0; i < nv[k]; i++)
            f->pt[k][i] = zkr_ext_from(7 * k + 3 * i + 5);
        if (zkr_mle_eval_base(f->ev[k], nv[k], f->pt[k], &f->val[k]) != ZKR_OK)
            return -1;
        f->cl[k].comm = k;
        f->cl[k].point = f->pt[k];
        f->cl[k].value = f->val[k];
    }
    return 0;
}

static void mx_free(mx_fix *f)
{
    for (unsigned k = 0; k < 4; k++) {
        zkr_pcs_poly_free(f->poly[k]);
        free(f->ev[k]);
    }
}

/* Proves with the claims of f (possibly edited), verifies against comms/nv. */
static zkr_err mx_run(mx_fix *f, const zkr_pcs_claim *pcl, const zkr_pcs_claim *vcl,
                      const zkr_pcs_commitment *comms, int flip)
{
    zkr_transcript tp, tv;
    zkr_buf b = {0};
    zkr_dec dec;
    zkr_pcs_proof *pf = NULL;
    unsigned nv[4];
    zkr_err r;

    mx_ts(&tp);
    if ((r = zkr_prover_open_mixed(&f->p, &tp, f->poly, 4, pcl, 4, 1, &b)) != ZKR_OK)
        goto out;
    if (flip >= 0)
        b.p[(size_t)flip % b.len] ^= 0x01;
    for (unsigned k = 0; k < 4; k++)
        nv[k] = comms[k].n_vars;
    mx_ts(&tv);
    zkr_dec_init(&dec, b.p, b.len);
    if ((r = zkr_pcs_proof_parse_mixed(&f->p, nv, 4, 4, &dec, &pf)) == ZKR_OK &&
        (r = zkr_dec_finish(&dec)) == ZKR_OK)
        r = zkr_pcs_verify_mixed(&f->p, &tv, comms, 4, vcl, 4, pf);
out:
    zkr_pcs_proof_free(pf);
    zkr_buf_free(&b);
    return r;
}

static void run_mixed(zkr_tap *t)
{
    mx_fix f;
    zkr_pcs_claim cl[4];
    zkr_pcs_commitment comms[4];
    zkr_err r;

    if (mx_setup(&f) != 0) {
        zkr_tap_ok(t, 0, "mixed-size opening: setup");
        mx_free(&f);
        return;
    }
    r = mx_run(&f, f.cl, f.cl, f.comm, -1);
    zkr_tap_ok(t, r == ZKR_OK, "mixed_opening_control: 13, 13, 11, 10 variables verify (%d)", r);
    /* A cheating prover: a false value on a poly that joins the fold (the
     * honest algorithm runs on it; nothing else is changed). */
    memcpy(cl, f.cl, sizeof cl);
    cl[3].value = zkr_ext_add(cl[3].value, zkr_ext_from(1));
    r = mx_run(&f, cl, cl, f.comm, -1);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "mixed_opening_joined_value_off_by_one: refused (%d)", r);
    memcpy(cl, f.cl, sizeof cl);
    cl[2].value = zkr_ext_add(cl[2].value, zkr_ext_from(ZKR_GL_P - 1));
    r = mx_run(&f, cl, cl, f.comm, -1);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "mixed_opening_joined_value_minus_one: refused (%d)", r);
    memcpy(cl, f.cl, sizeof cl);
    cl[0].value = zkr_ext_add(cl[0].value, zkr_ext_from(1));
    r = mx_run(&f, cl, cl, f.comm, -1);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "mixed_opening_top_value_off_by_one: refused (%d)", r);
    /* The honest proof, checked against another claim on a joined poly. */
    memcpy(cl, f.cl, sizeof cl);
    cl[3].value = zkr_ext_add(cl[3].value, zkr_ext_from(1));
    r = mx_run(&f, f.cl, cl, f.comm, -1);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "mixed_opening_verifier_claim_differs: refused (%d)", r);
    /* A joined poly's commitment swapped for another of the same size. */
    memcpy(comms, f.comm, sizeof comms);
    memcpy(comms[3].root, f.comm[2].root, ZKR_DIGEST_BYTES);
    r = mx_run(&f, f.cl, f.cl, comms, -1);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "mixed_opening_joined_root_swapped: refused (%d)", r);
    /* A cheating prover opens another 10-variable poly B under A's root: every value and
     * fold is consistent with B and the claims are B's, only the joined tree's Merkle
     * check against A's root can tell. */
    {
        zkr_pcs_poly *a = f.poly[3], *bpoly = NULL;
        zkr_pcs_commitment bc;
        zkr_gl *bev = malloc(((size_t)1 << 10) * sizeof *bev);
        r = ZKR_ERR_INTERNAL;
        if (bev) {
            for (size_t i = 0; i < ((size_t)1 << 10); i++)
                bev[i] = (f.ev[3][i] + 1) % 256;
            if (zkr_prover_commit(&f.p, bev, 10, 1, &bpoly, &bc) == ZKR_OK) {
                memcpy(cl, f.cl, sizeof cl);
                if (zkr_mle_eval_base(bev, 10, f.pt[3], &cl[3].value) == ZKR_OK) {
                    zkr_pcs_poly_set_root_for_test(bpoly, f.comm[3].root);
                    f.poly[3] = bpoly;
                    r = mx_run(&f, cl, cl, f.comm, -1);
                    f.poly[3] = a;
                }
            }
        }
        zkr_tap_ok(t, r == ZKR_ERR_VERIFY,
                   "mixed_opening_joined_tree_of_another_poly: refused by the Merkle check (%d)", r);
        zkr_pcs_poly_free(bpoly);
        free(bev);
    }
    /* Adversary (claims moved): the honest proof checked with claim 0 attributed to the
     * other 13-variable poly (same size, same point and value), and a joined poly's claim
     * checked at another point with the same value. */
    memcpy(cl, f.cl, sizeof cl);
    cl[0].comm = 1, cl[1].comm = 0;
    r = mx_run(&f, f.cl, cl, f.comm, -1);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "adv mixed_opening_claims_swapped_between_top_polys: "
               "refused (%d)", r);
    {
        zkr_ext pt2[16];
        memcpy(cl, f.cl, sizeof cl);
        memcpy(pt2, f.pt[2], sizeof pt2);
        pt2[0] = zkr_ext_add(pt2[0], zkr_ext_from(1));
        cl[2].point = pt2;
        r = mx_run(&f, f.cl, cl, f.comm, -1);
        zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "adv mixed_opening_joined_claim_moved_to_another_point:"
                   " refused (%d)", r);
        /* A cheating prover: the true value at pt2 proven, the verifier told it is at pt. */
        memcpy(cl, f.cl, sizeof cl);
        cl[2].point = pt2;
        if (zkr_mle_eval_base(f.ev[2], 11, pt2, &cl[2].value) == ZKR_OK) {
            zkr_pcs_claim vc[4];
            memcpy(vc, f.cl, sizeof vc);
            vc[2].value = cl[2].value;
            r = mx_run(&f, cl, vc, f.comm, -1);
        } else {
            r = ZKR_ERR_INTERNAL;
        }
        zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "adv mixed_opening_true_value_of_another_point: "
                   "refused (%d)", r);
    }
    /* Two claims on one joined poly, one true and one false (poly 2 left unclaimed). */
    memcpy(cl, f.cl, sizeof cl);
    cl[2] = f.cl[3];
    cl[2].value = zkr_ext_add(cl[2].value, zkr_ext_from(1));
    r = mx_run(&f, cl, cl, f.comm, -1);
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY, "adv mixed_opening_true_and_false_claim_same_poly: "
               "refused (%d)", r);
    /* The mixed bytes read as a one-size opening of the two top polys (v2 read as v1). */
    {
        zkr_transcript tp, tv;
        zkr_buf b = {0};
        zkr_dec dec;
        zkr_pcs_proof *pf = NULL;
        r = ZKR_ERR_INTERNAL;
        mx_ts(&tp);
        if (zkr_prover_open_mixed(&f.p, &tp, f.poly, 4, f.cl, 4, 1, &b) == ZKR_OK) {
            mx_ts(&tv);
            zkr_dec_init(&dec, b.p, b.len);
            if ((r = zkr_pcs_proof_parse(&f.p, 13, 2, 2, &dec, &pf)) == ZKR_OK &&
                (r = zkr_dec_finish(&dec)) == ZKR_OK)
                r = zkr_pcs_verify(&f.p, &tv, f.comm, 2, f.cl, 2, pf);
        }
        zkr_tap_ok(t, r != ZKR_OK, "adv mixed_opening_read_as_one_size_opening: refused (%d)", r);
        zkr_pcs_proof_free(pf);
        zkr_buf_free(&b);
    }
    /* Sizes other than the committed ones: the layout changes, nothing parses or verifies. */
    memcpy(comms, f.comm, sizeof comms);
    comms[2].n_vars = 12;
    r = mx_run(&f, f.cl, f.cl, comms, -1);
    zkr_tap_ok(t, r != ZKR_OK, "mixed_opening_size_misstated: refused (%d)", r);
    /* Byte flips through the joined trees' openings (the proof's tail). */
    {
        int all = 1;
        for (int k = 1; k <= 6; k++) {
            zkr_transcript tp;
            zkr_buf b = {0};
            size_t len = 0;
            mx_ts(&tp);
            if (zkr_prover_open_mixed(&f.p, &tp, f.poly, 4, f.cl, 4, 1, &b) == ZKR_OK)
                len = b.len;
            zkr_buf_free(&b);
            r = len ? mx_run(&f, f.cl, f.cl, f.comm, (int)(len - (size_t)k * 997)) : ZKR_OK;
            all &= r != ZKR_OK;
        }
        zkr_tap_ok(t, all, "mixed_opening_tail_byte_flips: all refused");
    }
    /* A poly too small to join (9 < final_vars + fold_arity) is refused on both sides. */
    {
        unsigned nv9[4] = {13, 13, 11, 9};
        zkr_pcs_proof *pf = NULL;
        zkr_dec dec;
        zkr_dec_init(&dec, (const uint8_t *)"", 0);
        r = zkr_pcs_proof_parse_mixed(&f.p, nv9, 4, 4, &dec, &pf);
        zkr_tap_ok(t, r == ZKR_ERR_UNSUPPORTED, "mixed_opening_size_9_cannot_join (%d)", r);
        zkr_pcs_proof_free(pf);
    }
    /* The figure docs/soundness.md states: 784-128-10, 10,000 records, one mixed opening of
     * 2^25 (six polys, four of which join, each counted once more), its claims. */
    {
        zkr_soundness sb = zkr_params_soundness_open(&f.p, 25, 6 + 4, ZKR_EVAL_MAX_CLAIMS, 0, 2);
        zkr_tap_ok(t, sb.provable_bits >= 128.0,
                   "mixed_opening_soundness_bits: %.2f provable bits (>= 128)", sb.provable_bits);
    }
    /* Format version 3 at 10,000 records: V_0 as 2^24 + 2^22 chunks; every poly of the mixed
     * opening counted twice (an upper bound on the joins). */
    {
        static const uint32_t in[2] = {784, 128}, out[2] = {128, 10}, sh[2] = {24, 24};
        static const int relu[2] = {1, 0};
        zkr_eval_shape es;
        zkr_eval_groups g;
        uint8_t mixed[ZKR_EVAL_MAX_POLYS];
        unsigned k = 0, top = 0;
        zkr_soundness sb;
        int ok = zkr_eval_shape_init(&es, 784, 2, in, out, relu, sh, 10000, f.p.max_vars) ==
                     ZKR_OK &&
                 zkr_eval_shape_split(&es, f.p.max_vars) == ZKR_OK && es.split;
        if (ok) {
            k = zkr_eval_open_plan(&es, &f.p, mixed, &g);
            for (unsigned id = 0; id < zkr_eval_n_polys(&es); id++)
                if (zkr_eval_poly_vars(&es, id) > top)
                    top = zkr_eval_poly_vars(&es, id);
        }
        sb = zkr_params_soundness_open(&f.p, top, 2 * (size_t)k, ZKR_EVAL_MAX_CLAIMS, 0, 2);
        zkr_tap_ok(t, ok && top == 24 && g.n_groups == 0 && sb.provable_bits >= 128.0,
                   "split_batch_soundness_bits: 10,000 records, V_0 2^24 + 2^22, %u polys in one "
                   "opening of 2^%u: %.2f provable bits (>= 128)", k, top, sb.provable_bits);
    }
    /* Format version 4 at 10,000 records (784-128-10, clamp widths of one limb): V_a 2^23. */
    {
        static const uint32_t in[2] = {784, 128}, out[2] = {128, 10}, sh[2] = {24, 24};
        static const unsigned gw[2] = {15, 15};
        static const int relu[2] = {1, 0};
        zkr_eval_shape es;
        zkr_eval_groups g;
        uint8_t mixed[ZKR_EVAL_MAX_POLYS];
        unsigned k = 0, top = 0;
        zkr_soundness sb;
        int ok = zkr_eval_shape_init(&es, 784, 2, in, out, relu, sh, 10000, f.p.max_vars) ==
                     ZKR_OK &&
                 zkr_eval_shape_split(&es, f.p.max_vars) == ZKR_OK &&
                 zkr_eval_shape_v4(&es, gw, gw, f.p.max_vars) == ZKR_OK && es.split;
        if (ok) {
            k = zkr_eval_open_plan(&es, &f.p, mixed, &g);
            for (unsigned id = 0; id < zkr_eval_n_polys(&es); id++)
                if (zkr_eval_poly_vars(&es, id) > top)
                    top = zkr_eval_poly_vars(&es, id);
        }
        sb = zkr_params_soundness_open(&f.p, top, 2 * (size_t)k, ZKR_EVAL_MAX_CLAIMS, 0, 2);
        zkr_tap_ok(t, ok && top == 23 && g.n_groups == 0 && es.vlog[0] == 3 && es.alog == 2 &&
                          sb.provable_bits >= 128.0,
                   "v4_soundness_bits: 10,000 records, V_l in 2^3 slots, A in 2^2, %u polys in "
                   "one opening of 2^%u: %.2f provable bits (>= 128)", k, top, sb.provable_bits);
        {
            /*
             * Each LogUp's own error (zkr_cnn_relation_error_bits: its column of 2^na
             * entries, na = the element variables + elog, against the 2^15 table;
             * the recombination's (nvp + elog) / |F| is below its 3 na^2 term),
             * added to the opening's.
             */
            uint32_t L = es.inf.n_layers;
            double err = exp2(-sb.provable_bits), worst = 1e9;
            unsigned na_max = 0;
            for (uint32_t i = 0; ok && i <= L + (es.split ? 1 : 0); i++) {
                zkr_eval_entry ent[ZKR_EVAL_MAX_ENTRIES];
                unsigned elog, pid = i <= L ? L + i : 2 * L + 2;
                unsigned slog = i == L ? es.alog : es.vlog[i < L ? i : 0], na;
                double b;
                (void)zkr_eval_entries(&es, i, ent, &elog);
                na = zkr_eval_poly_vars(&es, pid) - slog + elog;
                b = zkr_cnn_relation_error_bits(0, 0, 0, 0, na, es.tlog);
                err += exp2(-b);
                na_max = na > na_max ? na : na_max;
                worst = b < worst ? b : worst;
            }
            zkr_tap_ok(t, ok && es.tlog == ZKR_EVAL_LIMB4 && na_max == 23 && -log2(err) >= 128.0,
                       "v4_soundness_bits_with_logups: %u LogUps against 2^%u, columns up to "
                       "2^%u entries (weakest %.1f bits): %.2f bits with the opening's", L + 1 +
                       (es.split ? 1 : 0), es.tlog, na_max, worst, -log2(err));
        }
    }
    mx_free(&f);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char cmd[300];
    int rc;

    zkr_tap_init(&t, argc, argv);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zkr-test-sound-eval-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
        run_attack(&t, &attacks[i]);
    for (size_t i = 0; i < sizeof attacks4 / sizeof attacks4[0]; i++)
        run_attack4(&t, &attacks4[i]);
    run_width4(&t);
    run_records4(&t);
    run_bounds4(&t);
    run_mixed(&t);
    rc = zkr_tap_done(&t);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
