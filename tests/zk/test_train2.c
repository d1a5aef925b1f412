/*
 * training-step@2's witness and linear relation system (zk/train2.c,
 * prover/training2.c): the byte witness of a real native step satisfies
 * every row over the integers and mod p (12-8-3 at batch 3, 10-8-4-3 at
 * batch 5, so hidden-to-hidden backward rows are exercised); cheating
 * witnesses that keep every entry a byte are refused: a one-hot target on
 * another unit (a lie about the label), a flipped ReLU mask with the
 * big-M slacks wrapped to bytes, delta = dq where the mask is 0, an update
 * remainder past 2^S with its copy wrapped, a changed record byte; and the
 * no-wrap audit: at the largest shape (784-128-10, batch 64) with |W| =
 * 2^20 - 1 every row's terms stay below 2^62. The verifier's linear
 * evaluation (zkr_train2_lin_eval, whose pre-activations are one 128-bit
 * dot product each) equals the term-by-term weights (zkr_train2_lin_weights)
 * against eq(r, .), at random int32 weights of either sign.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/training2.h"
#include "tap.h"

typedef struct {
    zkr_train2_shape s;
    zkr_ml_tmodel *parent;
    const int32_t *w[ZKR_TRAIN_MAX_LAYERS];
    uint8_t *v;
    zkr_ml_tstep_trace tr;
} fx;

static int setup_sh(zkr_tap *t, fx *f, const uint32_t *dims, size_t nd, uint32_t batch,
                    uint32_t shift)
{
    zkr_ml_graph g;
    zkr_buf b = {0}, child = {0};
    uint8_t seed[32] = {9}, recs[8 * 64], in[8 * 64], lab[8];
    zkr_ml_tstep_params sp = {.lr = 8, .shift = shift};
    zkr_diag dg = {0};
    int ok = 1;

    memset(f, 0, sizeof *f);
    for (uint32_t r = 0; r < batch; r++) {
        for (uint32_t k = 0; k < dims[0]; k++)
            recs[r * (dims[0] + 1) + k] = in[r * dims[0] + k] = (uint8_t)zkr_tap_rand(t);
        recs[r * (dims[0] + 1) + dims[0]] = lab[r] = (uint8_t)(zkr_tap_rand(t) % dims[nd - 1]);
    }
    ok &= zkr_ml_tprogram_make(dims, nd, &g, NULL) == ZKR_OK;
    ok &= zkr_ml_tmodel_init(&g, seed, &b, NULL) == ZKR_OK;
    ok &= zkr_ml_tmodel_decode(b.p, b.len, &f->parent, NULL) == ZKR_OK;
    ok &= zkr_ml_train_step(f->parent, in, (size_t)batch * dims[0], lab, batch, &sp, &child,
                            &f->tr, &dg) == ZKR_OK;
    ok &= zkr_train2_shape_of((uint32_t)nd - 1, dims, batch, sp.lr, sp.shift, 28, &f->s, NULL) ==
          ZKR_OK;
    for (uint32_t l = 0; ok && l + 1 < nd; l++)
        f->w[l] = zkr_ml_tmodel_weights(f->parent, l);
    if (ok && (f->v = malloc((size_t)1 << f->s.n_v)) != NULL)
        ok &= zkr_prover_train2_witness(&f->s, &f->tr, recs, f->v, &dg) == ZKR_OK;
    else
        ok = 0;
    if (!ok)
        zkr_tap_diag("setup: %s", dg.msg);
    zkr_buf_free(&b);
    zkr_buf_free(&child);
    return ok;
}

static void teardown(fx *f)
{
    free(f->v);
    zkr_ml_tstep_trace_free(&f->tr);
    zkr_ml_tmodel_free(f->parent);
}

/* Writes value into n byte slots (wrapped mod 2^(8n): a cheater keeps every entry a byte). */
static void set_g(fx *f, uint32_t l, unsigned slot, unsigned n, uint32_t b, uint32_t j,
                  int64_t value)
{
    for (unsigned q = 0; q < n; q++)
        f->v[zkr_train2_gidx(&f->s, l, slot + q, b, j)] = (uint8_t)((uint64_t)value >> (8 * q));
}

static int64_t get_g(const fx *f, uint32_t l, unsigned slot, unsigned n, uint32_t b, uint32_t j)
{
    int64_t x = 0;

    for (unsigned q = 0; q < n; q++)
        x |= (int64_t)f->v[zkr_train2_gidx(&f->s, l, slot + q, b, j)] << (8 * q);
    return x;
}

static int setup(zkr_tap *t, fx *f, const uint32_t *dims, size_t nd, uint32_t batch)
{
    return setup_sh(t, f, dims, nd, batch, 12);
}

static void honest(zkr_tap *t, const uint32_t *dims, size_t nd, uint32_t batch, uint32_t shift)
{
    fx f;
    uint64_t row = 0;
    int ok = setup_sh(t, &f, dims, nd, batch, shift);

    zkr_tap_ok(t, ok, "%zu-layer program at batch %u, S = %u: native step and witness (update "
               "slots 2^%u)", nd - 1, batch, shift, f.s.ulog);
    if (ok)
        zkr_tap_ok(t, zkr_train2_check(&f.s, f.w, f.v, &row) == ZKR_OK,
                   "honest witness: every row holds over the integers (first bad %llu)",
                   (unsigned long long)row);
    teardown(&f);
}

/* Each attack on a fresh honest witness of 10-8-4-3, batch 5. */
static void attack(zkr_tap *t, int which, const char *what)
{
    static const uint32_t dims[] = {10, 8, 4, 3};
    fx f;
    int ok = setup(t, &f, dims, 4, 5), done = 0;
    uint32_t L = 3;

    if (!ok) {
        zkr_tap_ok(t, 0, "%s: setup", what);
        return;
    }
    switch (which) {
    case 0: /* the one-hot target on another unit: claims another label */
        for (uint32_t j = 0; j < f.s.out[L - 1] && !done; j++)
            if (get_g(&f, L - 1, ZKR_T2O_T, 1, 1, j)) {
                uint32_t o = (j + 1) % f.s.out[L - 1];
                set_g(&f, L - 1, ZKR_T2O_T, 1, 1, j, 0);
                set_g(&f, L - 1, ZKR_T2O_TC, 1, 1, j, 0);
                set_g(&f, L - 1, ZKR_T2O_T, 1, 1, o, 1);
                set_g(&f, L - 1, ZKR_T2O_TC, 1, 1, o, 128);
                done = 1;
            }
        break;
    case 1: /* a ReLU mask flipped 1 -> 0 with every slack recomputed and wrapped to bytes */
        for (uint32_t b = 0; b < f.s.batch && !done; b++)
            for (uint32_t j = 0; j < f.s.out[0] && !done; j++)
                if (get_g(&f, 0, ZKR_T2H_M, 1, b, j)) {
                    int64_t h = get_g(&f, 0, ZKR_T2H_H, 2, b, j);
                    int64_t n = get_g(&f, 0, ZKR_T2H_N, 4, b, j);
                    set_g(&f, 0, ZKR_T2H_M, 1, b, j, 0);
                    set_g(&f, 0, ZKR_T2H_MC, 1, b, j, 0);
                    set_g(&f, 0, ZKR_T2H_S1, 2, b, j, -h);
                    set_g(&f, 0, ZKR_T2H_S2, 4, b, j, (((int64_t)1 << 32) - 1) - n);
                    set_g(&f, 0, ZKR_T2H_S3, 2, b, j, h);
                    done = 1;
                }
        break;
    case 2: /* delta = dq where the mask is 0 (the slacks t1..t4 recomputed, wrapped) */
        for (uint32_t b = 0; b < f.s.batch && !done; b++)
            for (uint32_t j = 0; j < f.s.out[1] && !done; j++) {
                int64_t dq = get_g(&f, 1, ZKR_T2H_DQ, 3, b, j) - ((int64_t)1 << 23);
                if (!get_g(&f, 1, ZKR_T2H_M, 1, b, j) && dq != 0) {
                    set_g(&f, 1, ZKR_T2H_DL, 3, b, j, dq + ((int64_t)1 << 23));
                    set_g(&f, 1, ZKR_T2H_T1, 4, b, j, -dq);
                    set_g(&f, 1, ZKR_T2H_T2, 3, b, j, dq);
                    set_g(&f, 1, ZKR_T2H_T3, 4, b, j, (int64_t)1 << 24);
                    set_g(&f, 1, ZKR_T2H_T4, 4, b, j, (int64_t)1 << 24);
                    done = 1;
                }
            }
        break;
    case 3: { /* ru + 2^S (true mod 2^16 in the copy, false over the integers) */
        uint64_t i = zkr_train2_uidx(&f.s, 0, ZKR_T2U_RU, 2, 3);
        uint64_t i1 = zkr_train2_uidx(&f.s, 0, ZKR_T2U_RU + 1, 2, 3);
        int64_t ru = f.v[i] | (int64_t)f.v[i1] << 8;
        ru += (int64_t)1 << f.s.shift;
        f.v[i] = (uint8_t)ru;
        f.v[i1] = (uint8_t)(ru >> 8);
        done = 1;
        break;
    }
    default: /* a record byte changed in V's copy */
        f.v[zkr_train2_ridx(&f.s, 2, 4)] ^= 0x41;
        done = 1;
        break;
    }
    zkr_tap_ok(t, done, "%s: an entry to attack exists", what);
    zkr_tap_ok(t, zkr_train2_check(&f.s, f.w, f.v, NULL) == ZKR_ERR_VERIFY, "%s: refused", what);
    teardown(&f);
}

/* No-wrap audit at the largest shape with the largest weights. */
static void audit(zkr_tap *t)
{
    static const uint32_t dims[] = {784, 128, 10};
    zkr_train2_shape s;
    int32_t *w[2] = {malloc(128 * 785 * sizeof(int32_t)), malloc(10 * 129 * sizeof(int32_t))};
    const int32_t *cw[2] = {w[0], w[1]};
    uint8_t *v = NULL;
    uint64_t row = 0;
    zkr_err r = ZKR_ERR_NOMEM;

    if (zkr_train2_shape_of(2, dims, 64, 65535, 1, 28, &s, NULL) == ZKR_OK && w[0] && w[1] &&
        (v = calloc((size_t)1 << s.n_v, 1)) != NULL) {
        for (size_t i = 0; i < 128 * 785; i++)
            w[0][i] = (i & 1) ? (1 << 20) - 1 : -((1 << 20) - 1);
        for (size_t i = 0; i < 10 * 129; i++)
            w[1][i] = -((1 << 20) - 1);
        r = zkr_train2_check(&s, cw, v, &row);
    }
    zkr_tap_ok(t, r == ZKR_ERR_VERIFY,
               "784-128-10 batch 64, |W| = 2^20 - 1: every row's bound below 2^62 (zero V "
               "fails a row, never the bound: %d at row %llu)", (int)r, (unsigned long long)row);
    free(v);
    free(w[0]);
    free(w[1]);
}

/* lin_eval(r) = sum_var lin_weights[var] eq(r, var) at random weights, z and r. */
static void lin_agree(zkr_tap *t, const uint32_t *dims, size_t nd, uint32_t batch, uint32_t shift)
{
    zkr_train2_shape s;
    zkr_train2_rowchal rc;
    int32_t *w[ZKR_TRAIN_MAX_LAYERS] = {0};
    const int32_t *cw[ZKR_TRAIN_MAX_LAYERS] = {0};
    zkr_ext r[40], got = zkr_ext_from(0), want = zkr_ext_from(0), *wt = NULL, *eq = NULL;
    int ok = zkr_train2_shape_of((uint32_t)nd - 1, dims, batch, 8, shift, 28, &s, NULL) == ZKR_OK;

    for (size_t l = 0; ok && l + 1 < nd; l++) {
        size_t n = (size_t)dims[l + 1] * (dims[l] + 1);
        ok = (w[l] = malloc(n * sizeof *w[l])) != NULL;
        for (size_t i = 0; ok && i < n; i++)
            w[l][i] = (int32_t)(uint32_t)zkr_tap_rand(t); /* full int32 range, either sign */
        cw[l] = w[l];
    }
    if (ok) {
        rc.n_row_vars = zkr_train2_row_vars(&s, cw);
        for (unsigned i = 0; i < 40; i++) {
            rc.z[i] = zkr_ext_from(zkr_tap_rand(t) % ZKR_GL_P);
            rc.z[i].c[1] = zkr_tap_rand(t) % ZKR_GL_P;
            r[i] = zkr_ext_from(zkr_tap_rand(t) % ZKR_GL_P);
            r[i].c[2] = zkr_tap_rand(t) % ZKR_GL_P;
        }
        wt = calloc((size_t)1 << s.n_v, sizeof *wt);
        eq = calloc((size_t)1 << s.n_v, sizeof *eq);
        ok = wt && eq && s.n_v <= 40 && zkr_train2_lin_weights(&s, cw, &rc, wt) == ZKR_OK &&
             zkr_train2_lin_eval(&s, cw, &rc, r, &got) == ZKR_OK;
    }
    if (ok) {
        zkr_mle_eq_table(r, s.n_v, eq);
        for (size_t i = 0; i < ((size_t)1 << s.n_v); i++)
            want = zkr_ext_add(want, zkr_ext_mul(wt[i], eq[i]));
    }
    zkr_tap_ok(t, ok && zkr_ext_eq(got, want),
               "%zu-layer program at batch %u, S = %u: lin_eval = lin_weights . eq(r)", nd - 1,
               batch, shift);
    for (size_t l = 0; l < ZKR_TRAIN_MAX_LAYERS; l++)
        free(w[l]);
    free(wt);
    free(eq);
}

int main(int argc, char **argv)
{
    static const uint32_t d2[] = {12, 8, 3}, d3[] = {10, 8, 4, 3};
    static const char *names[] = {"one-hot target on another unit", "ReLU mask flipped",
                                  "delta = dq with mask 0", "ru + 2^S", "record byte changed"};
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    honest(&t, d2, 3, 3, 12);
    honest(&t, d3, 4, 5, 12);
    honest(&t, d2, 3, 3, 16); /* no update copy: ru's two bytes bound it */
    for (int i = 0; i < 5; i++)
        attack(&t, i, names[i]);
    audit(&t);
    lin_agree(&t, d2, 3, 3, 12);
    lin_agree(&t, d3, 4, 5, 12);
    lin_agree(&t, d2, 3, 1, 16);
    return zkr_tap_done(&t);
}
