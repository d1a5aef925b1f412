/*
 * Soundness attacks on inference@1 (docs/soundness.md, "inference@1"),
 * through the test-build cheating prover zkr_prover_inference_cheat: it
 * takes the honest witness, lets an attack substitute slots with chosen
 * field elements, recomputes what the prover derives (the limbs and scaled
 * top limbs, the layers downstream of an edited output, the public output,
 * the multiplicities, the commitments) and produces a proof. Every attack
 * keeps the relation it targets true modulo p while it is false over the
 * integers, or wraps a range; the verifier must say ZKR_ERR_VERIFY.
 * Controls: an unedited and a re-derived witness verify (the cheating
 * prover is faithful). Also: the deepest programs inference@1 supports
 * (ZKR_INFER_MAX_LAYERS layers, equal sizes so that openings split) prove
 * and verify within the verifier's claim capacity.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "tests/tap.h"
#include "verifier/verifier.h"
#include "zkr_config.h"

#define NL 3
static const uint32_t k_dims[NL + 1] = {4, 8, 4, 2};
static const uint32_t k_shift[NL] = {8, 12, 48};
static const int k_relu[NL] = {1, 0, 1};

typedef struct {
    zkr_ml_graph g;
    int8_t w[NL][64];
    int32_t bias[NL][8];
    uint32_t mult[NL][8];
    zkr_ml_qlayer q[NL];
    zkr_ml_model *m;
    zkr_infer_model *im;
    zkr_params p;
    uint8_t rec[3][5];
    uint8_t leaves[3][ZKR_DIGEST_BYTES];
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_infer_record r;
    zkr_verifier_inference_statement st;
} icase;

/*
 * The model: rows chosen so that every branch of the clamp is present
 * (W = 0 rows whose bias fixes q): layer 0 (ReLU, s = 8) q = -1, 200, 50;
 * layer 1 (no ReLU, s = 12) q = -300, 300, -1; layer 2 (ReLU, s = 48) a
 * saturated row with q near 2^13 (g near its 15-bit bound's top limb).
 */
static int icase_init(icase *c)
{
    zkr_diag d = {0};
    zkr_buf b = {0};
    uint8_t root[ZKR_DIGEST_BYTES];
    int ok;

    memset(c, 0, sizeof *c);
    c->g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    c->g.input_dim = k_dims[0];
    c->g.n_layers = NL;
    for (uint32_t l = 0; l < NL; l++) {
        zkr_ml_layer_desc *L = &c->g.layers[l];
        L->op = ZKR_ML_OP_DENSE;
        L->act = (uint8_t)(k_relu[l] ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE);
        L->in_dim = k_dims[l];
        L->out_dim = k_dims[l + 1];
        for (uint32_t j = 0; j < L->out_dim; j++) {
            for (uint32_t k = 0; k < L->in_dim; k++)
                c->w[l][j * L->in_dim + k] = (int8_t)(((j * 7 + k * 3 + l) % 11) - 5);
            c->bias[l][j] = (int32_t)(j * 37) - 60;
            c->mult[l][j] = 1 + j;
        }
        c->q[l].w = c->w[l];
        c->q[l].bias = c->bias[l];
        c->q[l].mult = c->mult[l];
        c->q[l].shift = k_shift[l];
    }
    /* Fixed rows: W = 0, M = 1, the bias sets q. */
    static const struct {
        uint32_t l, j;
        int32_t bias;
        uint32_t mult;
    } fixed[] = {
        {0, 1, -200, 1},              /* t = -72: q = -1 (ReLU: lo, g = 1) */
        {0, 2, 200 * 256, 1},         /* q = 200 (hi, g = 73) */
        {0, 3, 50 * 256, 1},          /* q = 50 */
        {1, 0, -300 * 4096, 1},       /* q = -300 (lo, g = 172) */
        {1, 1, 300 * 4096, 1},        /* q = 300 (hi, g = 173) */
        {1, 3, -4096, 1},             /* q = -1, y = -1 */
        {2, 0, 1 << 30, 0x7fffffffu}, /* q ~ 2^13 (hi) */
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        uint32_t l = fixed[i].l, j = fixed[i].j, in = k_dims[l];
        memset(c->w[l] + j * in, 0, in);
        c->bias[l][j] = fixed[i].bias;
        c->mult[l][j] = fixed[i].mult;
    }
    if (zkr_ml_model_encode(&c->g, c->q, &b, &d) != ZKR_OK ||
        zkr_ml_model_decode(b.p, b.len, &c->m, &d) != ZKR_OK) {
        zkr_tap_diag("model: %s", d.msg);
        zkr_buf_free(&b);
        return 0;
    }
    zkr_buf_free(&b);
    if (zkr_params_get(ZKR_PARAM_SET_128, &c->p) != ZKR_OK ||
        zkr_prover_infer_commit(&c->p, c->m, 1, &c->im, c->st.model_commitment, &d) != ZKR_OK) {
        zkr_tap_diag("commit: %s", d.msg);
        return 0;
    }
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 4; k++)
            c->rec[i][k] = (uint8_t)(40 * i + 50 * k + 3);
        c->rec[i][4] = (uint8_t)i; /* label */
        zkr_infer_record_commitment(c->rec[i], 5, c->leaves[i]);
    }
    ok = zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])c->leaves, 3, root) == ZKR_OK &&
         zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])c->leaves, 3, 1, c->path,
                                    &c->r.path_len) == ZKR_OK;
    c->r.index = 1;
    c->r.n_records = 3;
    memcpy(c->r.root, root, sizeof root);
    c->r.record = c->rec[1];
    c->r.record_len = 5;
    c->r.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])c->path;
    zkr_infer_dataset_commitment(3, root, c->st.dataset_commitment);
    zkr_ml_model_program_digest(c->m, c->st.program_digest);
    c->st.param_set = ZKR_PARAM_SET_128;
    c->st.record_index = 1;
    for (int i = 0; i < 32; i++)
        c->st.statement_id[i] = (uint8_t)(0xa0 + i);
    return ok;
}

static void icase_free(icase *c)
{
    zkr_infer_model_free(c->im);
    zkr_ml_model_free(c->m);
}

/* ---------------- the attack toolkit ---------------- */

typedef struct {
    const icase *c;
    int (*edit)(void *ctx, const icase *c, zkr_infer_cheat_view *w);
    void *ctx;
} attack;

static zkr_gl *slot(zkr_infer_cheat_view *w, uint32_t l, unsigned sl, size_t j)
{
    const zkr_infer_layer *L = &w->shape->layer[l];
    return &w->v[L->v_off + ((uint64_t)sl << L->lm) + j];
}

/* A row as the slots state it: field elements, before any range check. */
typedef struct {
    zkr_gl y; /* y itself (the Y slot holds y - lo) */
    zkr_gl hi, lo, g, r;
} row;

static int64_t lift(zkr_gl v)
{
    return v <= (ZKR_GL_P - 1) / 2 ? (int64_t)v : -(int64_t)(ZKR_GL_P - v);
}

/* Limbs of a field element: base-256 digits, the top limb taking the rest (it may exceed 255). */
static void put_limbs(zkr_infer_cheat_view *w, uint32_t l, size_t j, unsigned first, unsigned n,
                      unsigned top_slot, uint64_t scale, zkr_gl v)
{
    for (unsigned i = 0; i + 1 < n; i++)
        *slot(w, l, first + i, j) = (v >> (8 * i)) & 0xff;
    *slot(w, l, first + n - 1, j) = v >> (8 * (n - 1));
    *slot(w, l, top_slot, j) = zkr_gl_mul(v >> (8 * (n - 1)), scale);
}

/* Writes every slot of a row from (y, hi, lo, g, r): what the prover derives from them. */
static void put_row(zkr_infer_cheat_view *w, uint32_t l, size_t j, const row *x)
{
    const zkr_infer_layer *L = &w->shape->layer[l];

    *slot(w, l, ZKR_INFER_SLOT_Y, j) = zkr_gl_sub(x->y, zkr_gl_from_i64(L->lo));
    *slot(w, l, ZKR_INFER_SLOT_YC, j) = zkr_gl_sub(127, x->y);
    *slot(w, l, ZKR_INFER_SLOT_HI, j) = x->hi;
    *slot(w, l, ZKR_INFER_SLOT_LO, j) = x->lo;
    put_limbs(w, l, j, ZKR_INFER_SLOT_R0, L->nr, L->slot_rtc, L->c_r, x->r);
    put_limbs(w, l, j, L->slot_g0, L->ng, L->slot_gtc, L->c_g, x->g);
}

/* t = acc M + 2^(s-1) over the integers (128 bits: a cheat's acc may be large). */
static __int128 row_t(const icase *c, const zkr_infer_cheat_view *w, uint32_t l, size_t j)
{
    const zkr_infer_layer *L = &w->shape->layer[l];
    uint32_t m = j < L->out_dim ? c->mult[l][j] : 0;
    return (__int128)w->acc[l][j] * m + ((__int128)1 << (L->shift - 1));
}

/* The honest row for the accumulator in w (floor division, clamp). */
static row honest_row(const icase *c, const zkr_infer_cheat_view *w, uint32_t l, size_t j)
{
    const zkr_infer_layer *L = &w->shape->layer[l];
    __int128 t = row_t(c, w, l, j), two = (__int128)1 << L->shift;
    __int128 r = ((t % two) + two) % two, q = (t - r) / two;
    __int128 y = q > 127 ? 127 : q < L->lo ? L->lo : q;
    row x;

    x.y = zkr_gl_from_i64((int64_t)y);
    x.hi = q > 127;
    x.lo = q < L->lo;
    x.g = zkr_gl_from_i64((int64_t)(q > y ? q - y : y - q));
    x.r = (zkr_gl)r;
    return x;
}

/* y of row j as the witness states it (signed lift of Y + lo). */
static int64_t row_y(zkr_infer_cheat_view *w, uint32_t l, size_t j)
{
    return lift(zkr_gl_add(*slot(w, l, ZKR_INFER_SLOT_Y, j),
                           zkr_gl_from_i64(w->shape->layer[l].lo)));
}

/* Recomputes every layer after `from` honestly from the (edited) outputs, and the public output. */
static void redo_from(const icase *c, zkr_infer_cheat_view *w, uint32_t from)
{
    const zkr_infer_shape *s = w->shape;

    for (uint32_t l = from + 1; l < s->n_layers; l++) {
        const zkr_infer_layer *L = &s->layer[l];
        for (size_t j = 0; j < ((size_t)1 << L->lm); j++) {
            int64_t acc = 0;
            if (j < L->out_dim) {
                acc = c->bias[l][j];
                for (uint32_t k = 0; k < L->in_dim; k++)
                    acc += (int64_t)c->w[l][j * L->in_dim + k] * row_y(w, l - 1, k);
            }
            w->acc[l][j] = acc;
            row x = honest_row(c, w, l, j);
            put_row(w, l, j, &x);
        }
    }
    for (uint32_t j = 0; j < w->out_dim; j++)
        w->out[j] = (int8_t)row_y(w, s->n_layers - 1, j);
}

static zkr_err cheat_cb(void *ctx, zkr_infer_cheat_view *w)
{
    attack *a = ctx;
    return a->edit(a->ctx, a->c, w) ? ZKR_OK : ZKR_ERR_USAGE;
}

/* Proves with the attack and verifies against the statement the cheater claims. */
static zkr_err run_attack(icase *c, int (*edit)(void *, const icase *, zkr_infer_cheat_view *),
                          void *ctx, zkr_err *prove)
{
    attack a = {c, edit, ctx};
    zkr_buf proof = {0}, out = {0};
    zkr_diag d = {0};
    zkr_verifier_inference_statement st = c->st;
    zkr_err v = ZKR_ERR_INTERNAL;

    *prove = zkr_prover_inference_cheat(&c->p, c->st.statement_id, c->im, &c->r, cheat_cb, &a,
                                        &proof, &out, &d);
    if (*prove == ZKR_OK) {
        st.output = out.p;
        st.output_len = out.len;
        v = zkr_verify_inference(proof.p, proof.len, &st, &d);
        if (v != ZKR_OK)
            zkr_tap_diag("verifier: %s", d.msg);
    } else {
        zkr_tap_diag("cheating prover: %s (%d)", d.msg, *prove);
    }
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    return v;
}

/* ---------------- attacks ---------------- */

typedef struct {
    uint32_t l;
    size_t j;
    int64_t k; /* multiple of 2^s moved from q into r */
} wrap_arg;

static int edit_none(void *ctx, const icase *c, zkr_infer_cheat_view *w)
{
    (void)ctx;
    (void)c;
    (void)w;
    return 1;
}

static int edit_rederive(void *ctx, const icase *c, zkr_infer_cheat_view *w)
{
    (void)ctx;
    for (uint32_t l = 0; l < w->shape->n_layers; l++)
        for (size_t j = 0; j < ((size_t)1 << w->shape->layer[l].lm); j++) {
            row x = honest_row(c, w, l, j);
            put_row(w, l, j, &x);
        }
    redo_from(c, w, 0);
    return 1;
}

/*
 * r' = r + k 2^s, q' = q - k: acc M + 2^(s-1) = q' 2^s + r' holds over the
 * integers (and mod p); y' = clamp(q'); only r's range can refuse it.
 */
static int edit_wrap_r(void *ctx, const icase *c, zkr_infer_cheat_view *w)
{
    const wrap_arg *a = ctx;
    const zkr_infer_layer *L = &w->shape->layer[a->l];
    __int128 t = row_t(c, w, a->l, a->j), two = (__int128)1 << L->shift;
    __int128 r = ((t % two) + two) % two, q = (t - r) / two - a->k;
    __int128 y = q > 127 ? 127 : q < L->lo ? L->lo : q;
    row x;

    x.y = zkr_gl_from_i64((int64_t)y);
    x.hi = q > 127;
    x.lo = q < L->lo;
    x.g = zkr_gl_from_i64((int64_t)(q > y ? q - y : y - q));
    x.r = zkr_gl_from_i64((int64_t)(r + a->k * two));
    put_row(w, a->l, a->j, &x);
    redo_from(c, w, a->l);
    return 1;
}

typedef struct {
    uint32_t l;
    size_t j;
    int64_t y;
    int hi, lo;
} claim_arg;

/*
 * Claims output y' with flags (hi, lo) for a row: g solved over the field,
 * g' = (q - y') / (hi - lo), so the requantization equation holds mod p;
 * g' is then not below 2^(63-s) and its top limb wraps.
 */
static int edit_solve_g(void *ctx, const icase *c, zkr_infer_cheat_view *w)
{
    const claim_arg *a = ctx;
    const zkr_infer_layer *L = &w->shape->layer[a->l];
    __int128 t = row_t(c, w, a->l, a->j), two = (__int128)1 << L->shift;
    __int128 r = ((t % two) + two) % two, q = (t - r) / two;
    zkr_gl diff = zkr_gl_sub(zkr_gl_from_i64((int64_t)q), zkr_gl_from_i64(a->y));
    row x;

    if (a->hi == a->lo)
        return 0;
    x.y = zkr_gl_from_i64(a->y);
    x.hi = (zkr_gl)a->hi;
    x.lo = (zkr_gl)a->lo;
    x.g = zkr_gl_mul(diff, zkr_gl_inv(zkr_gl_sub((zkr_gl)a->hi, (zkr_gl)a->lo)));
    x.r = (zkr_gl)r;
    put_row(w, a->l, a->j, &x);
    redo_from(c, w, a->l);
    return 1;
}

/* Claims y' (no clamp flags, g = 0): r solved over the field, r' = t - y' 2^s mod p. */
static int edit_solve_r(void *ctx, const icase *c, zkr_infer_cheat_view *w)
{
    const claim_arg *a = ctx;
    const zkr_infer_layer *L = &w->shape->layer[a->l];
    __int128 t = row_t(c, w, a->l, a->j);
    zkr_gl tf = zkr_gl_from_i64((int64_t)t);
    row x;

    x.y = zkr_gl_from_i64(a->y);
    x.hi = (zkr_gl)a->hi;
    x.lo = (zkr_gl)a->lo;
    x.g = 0;
    x.r = zkr_gl_sub(tf, zkr_gl_mul(zkr_gl_from_i64(a->y), (zkr_gl)1 << L->shift));
    put_row(w, a->l, a->j, &x);
    redo_from(c, w, a->l);
    return 1;
}

/* Flags (hi, lo) forced on an honest row, g re-solved when hi != lo. */
static int edit_flags(void *ctx, const icase *c, zkr_infer_cheat_view *w)
{
    const claim_arg *a = ctx;
    row x = honest_row(c, w, a->l, a->j);
    const zkr_infer_layer *L = &w->shape->layer[a->l];
    __int128 t = row_t(c, w, a->l, a->j), two = (__int128)1 << L->shift;
    __int128 r = ((t % two) + two) % two, q = (t - r) / two;

    x.hi = (zkr_gl)a->hi;
    x.lo = (zkr_gl)a->lo;
    if (a->hi != a->lo)
        x.g = zkr_gl_mul(zkr_gl_sub(zkr_gl_from_i64((int64_t)q), x.y),
                         zkr_gl_inv(zkr_gl_sub(x.hi, x.lo)));
    put_row(w, a->l, a->j, &x);
    redo_from(c, w, a->l);
    return 1;
}

/* An unclamped y outside its range, its slots wrapping (Y = y - lo, YC = 127 - y). */
static int edit_y_out(void *ctx, const icase *c, zkr_infer_cheat_view *w)
{
    const claim_arg *a = ctx;
    row x = honest_row(c, w, a->l, a->j);

    x.y = zkr_gl_from_i64(a->y);
    x.hi = (zkr_gl)a->hi;
    x.lo = (zkr_gl)a->lo;
    x.g = 0; /* q = y': the requantization equation still holds when y' = q */
    put_row(w, a->l, a->j, &x);
    redo_from(c, w, a->l);
    return 1;
}

typedef struct {
    uint32_t l;
    size_t j;
    int64_t delta;
} acc_arg;

/* acc' = acc + delta, requantized consistently and carried downstream. */
static int edit_acc(void *ctx, const icase *c, zkr_infer_cheat_view *w)
{
    const acc_arg *a = ctx;
    row x;

    w->acc[a->l][a->j] += a->delta;
    x = honest_row(c, w, a->l, a->j);
    put_row(w, a->l, a->j, &x);
    redo_from(c, w, a->l);
    return 1;
}

/* A public output byte that is not the committed y (y + 256 wraps to the same int8). */
static int edit_y_plus_256(void *ctx, const icase *c, zkr_infer_cheat_view *w)
{
    const claim_arg *a = ctx;
    row x = honest_row(c, w, a->l, a->j);

    x.y = zkr_gl_add(x.y, 256);
    put_row(w, a->l, a->j, &x);
    (void)c;
    for (uint32_t j = 0; j < w->out_dim; j++)
        w->out[j] = (int8_t)row_y(w, w->shape->n_layers - 1, j);
    return 1;
}

/* A slot no relation reads (after gtc): only the range check covers it. */
static int edit_unused_slot(void *ctx, const icase *c, zkr_infer_cheat_view *w)
{
    const zkr_gl *val = ctx;
    const zkr_infer_layer *L = &w->shape->layer[0];

    (void)c;
    if (L->slot_gtc + 1 >= ZKR_INFER_SLOTS)
        return 0;
    *slot(w, 0, ZKR_INFER_SLOTS - 1, 0) = *val;
    return 1;
}

static void test_attacks(zkr_tap *t)
{
    icase c;
    zkr_err pr, v;

    if (!icase_init(&c)) {
        zkr_tap_ok(t, 0, "inference attack fixture");
        icase_free(&c);
        return;
    }
    v = run_attack(&c, edit_none, NULL, &pr);
    zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_OK, "control: the unedited witness verifies");
    v = run_attack(&c, edit_rederive, NULL, &pr);
    zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_OK,
               "control: every row re-derived by the attack toolkit verifies (it is faithful)");

    {
        static const wrap_arg wr[] = {
            {0, 0, 1}, {0, 3, 1}, {0, 2, -1}, {1, 2, 1}, {1, 3, 3}, {1, 0, -1}, {2, 1, 1}, {2, 0, 1},
        };
        for (size_t i = 0; i < sizeof wr / sizeof wr[0]; i++) {
            v = run_attack(&c, edit_wrap_r, (void *)&wr[i], &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                       "layer %u row %zu (s = %u): r' = r %+lld * 2^s, q' = q %+lld (the integer "
                       "equation still holds, r leaves [0, 2^s)): ZKR_ERR_VERIFY (%d)",
                       wr[i].l, wr[i].j, k_shift[wr[i].l], (long long)wr[i].k,
                       (long long)-wr[i].k, v);
        }
    }
    {
        static const claim_arg cg[] = {
            {0, 2, 0, 0, 1},      /* q = 200 claimed as clamped low: g = -200 */
            {1, 1, -128, 0, 1},   /* q = 300 claimed as clamped low: g = -428 */
            {1, 0, 127, 1, 0},    /* q = -300 claimed as clamped high: g = -427 */
            {0, 3, 127, 1, 0},    /* q = 50 claimed saturated: g = -77 */
            {2, 0, 0, 0, 1},      /* q ~ 2^13 claimed clamped low (s = 48, 15-bit g) */
            {2, 1, 127, 1, 0},    /* a small q claimed saturated at s = 48 */
        };
        for (size_t i = 0; i < sizeof cg / sizeof cg[0]; i++) {
            v = run_attack(&c, edit_solve_g, (void *)&cg[i], &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                       "layer %u row %zu: y' = %lld with hi = %d, lo = %d, g solved over the field "
                       "(g >= 2^(63-s), its top limb wraps): ZKR_ERR_VERIFY (%d)",
                       cg[i].l, cg[i].j, (long long)cg[i].y, cg[i].hi, cg[i].lo, v);
        }
    }
    {
        static const claim_arg cr[] = {
            {0, 3, 51, 0, 0}, {0, 3, 49, 0, 0}, {1, 2, 5, 0, 0}, {1, 3, 0, 0, 0}, {2, 1, 1, 0, 0},
        };
        for (size_t i = 0; i < sizeof cr / sizeof cr[0]; i++) {
            v = run_attack(&c, edit_solve_r, (void *)&cr[i], &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                       "layer %u row %zu: y' = %lld, r solved over the field (r = t - y' 2^s mod p "
                       "leaves [0, 2^s)): ZKR_ERR_VERIFY (%d)",
                       cr[i].l, cr[i].j, (long long)cr[i].y, v);
        }
    }
    {
        static const claim_arg fl[] = {
            {0, 3, 0, 1, 1}, /* hi = lo = 1 on q = 50 */
            {0, 2, 0, 1, 1}, /* hi = lo = 1 on q = 200 */
            {1, 0, 0, 1, 1}, /* hi = lo = 1 on q = -300 */
            {0, 2, 0, 2, 0}, /* hi = 2 (a byte, not a bit) with g re-solved */
            {1, 0, 0, 0, 2}, /* lo = 2 */
            {0, 3, 0, 1, 0}, /* hi = 1 on an unsaturated row */
        };
        for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++) {
            v = run_attack(&c, edit_flags, (void *)&fl[i], &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                       "layer %u row %zu: flags hi = %d, lo = %d forced (g re-solved): "
                       "ZKR_ERR_VERIFY (%d)", fl[i].l, fl[i].j, fl[i].hi, fl[i].lo, v);
        }
    }
    {
        /* y outside [lo, 127] with q = y: only the byte range of Y or YC can refuse it. */
        static const claim_arg yo[] = {
            {0, 1, -1, 0, 0},   /* ReLU row with q = -1 stated unclamped: Y = p - 1 */
            {1, 3, -1, 0, 0},   /* control of the same edit: y = q = -1 is honest here */
            {1, 1, 300, 0, 0},  /* q = 300 stated unclamped: YC = p - 173, Y = 428 */
            {1, 0, -300, 0, 0}, /* q = -300 stated unclamped: Y = p - 172 */
            {0, 2, 200, 0, 0},  /* q = 200 stated unclamped at a ReLU layer */
        };
        for (size_t i = 0; i < sizeof yo / sizeof yo[0]; i++) {
            zkr_err want = i == 1 ? ZKR_OK : ZKR_ERR_VERIFY;
            v = run_attack(&c, edit_y_out, (void *)&yo[i], &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == want,
                       "layer %u row %zu: y' = q = %lld without clamp flags, multiplicities "
                       "recounted: %s (%d)", yo[i].l, yo[i].j, (long long)yo[i].y,
                       want == ZKR_OK ? "verifies (honest control)" : "ZKR_ERR_VERIFY", v);
        }
    }
    {
        static const acc_arg ac[] = {
            {0, 0, 1}, {0, 4, 1 << 16}, {1, 2, -(1 << 16)}, {0, 5, (int64_t)1 << 40},
            {1, 2, (int64_t)1 << 62}, {2, 1, -((int64_t)1 << 48)},
        };
        for (size_t i = 0; i < sizeof ac / sizeof ac[0]; i++) {
            v = run_attack(&c, edit_acc, (void *)&ac[i], &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                       "layer %u row %zu: acc' = acc %+lld requantized and carried downstream: "
                       "ZKR_ERR_VERIFY (%d)", ac[i].l, ac[i].j, (long long)ac[i].delta, v);
        }
    }
    {
        static const zkr_gl vals[] = {256, 65536, 3 * 65536, ZKR_GL_P - 1, (zkr_gl)1 << 48,
                                      (zkr_gl)1 << 63};
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            v = run_attack(&c, edit_unused_slot, (void *)&vals[i], &pr);
            zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                       "an unread slot of V set to %llu, multiplicities recounted: "
                       "ZKR_ERR_VERIFY (%d)", (unsigned long long)vals[i], v);
        }
    }
    {
        static const claim_arg yp = {2, 1, 0, 0, 0};
        v = run_attack(&c, edit_y_plus_256, (void *)&yp, &pr);
        zkr_tap_ok(t, pr == ZKR_OK && v == ZKR_ERR_VERIFY,
                   "last layer: committed y + 256 (the same int8 in the public output): "
                   "ZKR_ERR_VERIFY (%d)", v);
    }
    icase_free(&c);
}

/* ---------------- capacity ---------------- */

static zkr_err prove_verify_deep(const uint32_t *dims, uint32_t n_layers, size_t *proof_len)
{
    zkr_ml_graph g;
    zkr_ml_qlayer q[ZKR_ML_MAX_LAYERS];
    int8_t *w[ZKR_ML_MAX_LAYERS] = {0};
    int32_t *bias[ZKR_ML_MAX_LAYERS] = {0};
    uint32_t *mult[ZKR_ML_MAX_LAYERS] = {0};
    zkr_ml_model *m = NULL;
    zkr_infer_model *im = NULL;
    zkr_verifier_inference_statement st;
    zkr_params p;
    zkr_buf b = {0}, proof = {0}, out = {0};
    zkr_diag d = {0};
    uint8_t rec[ZKR_INFER_MAX_RECORD], leaf[1][ZKR_DIGEST_BYTES], root[ZKR_DIGEST_BYTES];
    uint8_t path[ZKR_MERKLE_MAX_DEPTH][ZKR_DIGEST_BYTES];
    zkr_infer_record r;
    zkr_err e = ZKR_ERR_NOMEM;

    memset(&g, 0, sizeof g);
    memset(&st, 0, sizeof st);
    memset(&r, 0, sizeof r);
    g.input_encoding = ZKR_ML_INPUT_U8_DIV255;
    g.input_dim = dims[0];
    g.n_layers = n_layers;
    for (uint32_t l = 0; l < n_layers; l++) {
        zkr_ml_layer_desc *L = &g.layers[l];
        L->op = ZKR_ML_OP_DENSE;
        L->act = (uint8_t)(l % 2 ? ZKR_ML_ACT_RELU : ZKR_ML_ACT_NONE);
        L->in_dim = dims[l];
        L->out_dim = dims[l + 1];
        w[l] = malloc((size_t)L->in_dim * L->out_dim);
        bias[l] = malloc(L->out_dim * sizeof(int32_t));
        mult[l] = malloc(L->out_dim * sizeof(uint32_t));
        if (!w[l] || !bias[l] || !mult[l])
            goto out;
        for (size_t i = 0; i < (size_t)L->in_dim * L->out_dim; i++)
            w[l][i] = (int8_t)((i * 5 + l) % 7) - 3;
        for (uint32_t j = 0; j < L->out_dim; j++) {
            bias[l][j] = (int32_t)(j * 11) - 9;
            mult[l][j] = 3 + j;
        }
        q[l].w = w[l];
        q[l].bias = bias[l];
        q[l].mult = mult[l];
        q[l].shift = 4 + l % 5;
    }
    if ((e = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK ||
        (e = zkr_ml_model_encode(&g, q, &b, &d)) != ZKR_OK ||
        (e = zkr_ml_model_decode(b.p, b.len, &m, &d)) != ZKR_OK ||
        (e = zkr_prover_infer_commit(&p, m, 1, &im, st.model_commitment, &d)) != ZKR_OK)
        goto out;
    for (uint32_t k = 0; k < dims[0]; k++)
        rec[k] = (uint8_t)(k * 29 + 1);
    rec[dims[0]] = 0;
    zkr_infer_record_commitment(rec, dims[0] + 1, leaf[0]);
    if ((e = zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaf, 1, root)) != ZKR_OK ||
        (e = zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])leaf, 1, 0, path,
                                        &r.path_len)) != ZKR_OK)
        goto out;
    r.n_records = 1;
    memcpy(r.root, root, sizeof root);
    r.record = rec;
    r.record_len = dims[0] + 1;
    r.path = (const uint8_t(*)[ZKR_DIGEST_BYTES])path;
    zkr_infer_dataset_commitment(1, root, st.dataset_commitment);
    zkr_ml_model_program_digest(m, st.program_digest);
    st.param_set = ZKR_PARAM_SET_128;
    memset(st.statement_id, 0x3c, sizeof st.statement_id);
    if ((e = zkr_prover_inference_record(&p, st.statement_id, im, &r, 1, &proof, &out, &d)) !=
        ZKR_OK)
        goto out;
    st.output = out.p;
    st.output_len = out.len;
    *proof_len = proof.len;
    e = zkr_verify_inference(proof.p, proof.len, &st, &d);
out:
    if (e != ZKR_OK)
        zkr_tap_diag("deep program: %s (%d)", d.msg, e);
    for (uint32_t l = 0; l < ZKR_ML_MAX_LAYERS; l++) {
        free(w[l]);
        free(bias[l]);
        free(mult[l]);
    }
    zkr_infer_model_free(im);
    zkr_ml_model_free(m);
    zkr_buf_free(&b);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    return e;
}

static void test_capacity(zkr_tap *t)
{
    uint32_t eq[ZKR_INFER_MAX_LAYERS + 1], dec[ZKR_INFER_MAX_LAYERS + 1];
    size_t len = 0;
    zkr_infer_shape s;
    zkr_infer_groups g;
    uint32_t in[ZKR_INFER_MAX_LAYERS], out[ZKR_INFER_MAX_LAYERS], sh[ZKR_INFER_MAX_LAYERS];
    int relu[ZKR_INFER_MAX_LAYERS];
    unsigned most = 0;

    for (uint32_t l = 0; l <= ZKR_INFER_MAX_LAYERS; l++) {
        eq[l] = 2;
        dec[l] = 2 + (ZKR_INFER_MAX_LAYERS - l) * 3;
    }
    for (uint32_t l = 0; l < ZKR_INFER_MAX_LAYERS; l++) {
        in[l] = eq[l];
        out[l] = eq[l + 1];
        relu[l] = 0;
        sh[l] = 8;
    }
    if (zkr_infer_shape_init(&s, 2, ZKR_INFER_MAX_LAYERS, in, out, relu, sh) == ZKR_OK) {
        zkr_infer_groups_of(&s, &g);
        for (unsigned i = 0; i < g.n_groups; i++)
            most = g.n_polys[i] > most ? g.n_polys[i] : most;
    }
    zkr_tap_ok(t, most > 0 && most <= ZKR_INFER_GROUP_MAX && g.n_groups >= 2,
               "%u equal layers: %u openings of at most %u polynomials (the prover carries %u)",
               ZKR_INFER_MAX_LAYERS, g.n_groups, most, ZKR_INFER_GROUP_MAX);
    {
        zkr_err e = prove_verify_deep(eq, ZKR_INFER_MAX_LAYERS, &len);
        zkr_tap_ok(t, e == ZKR_OK,
                   "the deepest program (%u layers of width 2, %u claims for a capacity of %u): "
                   "proves and verifies (%zu bytes)", ZKR_INFER_MAX_LAYERS,
                   4 * ZKR_INFER_MAX_LAYERS + 1, 2 + 4 * ZKR_INFER_MAX_LAYERS, len);
        e = prove_verify_deep(dec, ZKR_INFER_MAX_LAYERS, &len);
        zkr_tap_ok(t, e == ZKR_OK,
                   "the deepest program with widths 50 down to 2: proves and verifies (%zu bytes)",
                   len);
    }
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_attacks(&t);
    test_capacity(&t);
    return zkr_tap_done(&t);
}
