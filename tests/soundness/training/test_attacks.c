/*
 * training-step@1 soundness: a cheating prover against every relation the
 * verifier checks (docs/soundness.md, section training-step@1). Each attack
 * substitutes witness entries so that the attacked relation still holds
 * modulo p but not over the integers, or so that a value leaves its range
 * (p - 1, 2^16, k 2^16, near 2^47..2^63), and must get ZKR_ERR_VERIFY
 * naming the check that stops it. The test names below are the ones
 * docs/soundness.md cites.
 */
#include <string.h>

#include "harness.h"

#define RANGE "LogUp range"
#define UPD_LINK "update limbs"
#define UPDATE "update"
#define ZERO "hidden zero-check"
#define HID_LINK "hidden limbs"
#define FORWARD "forward product"
#define BACKWARD "backward product"
#define OUT_LINK "output limbs"

/* Where an attack applies: layer, batch row, unit (or weight row j, column k). */
typedef struct {
    uint32_t l, b, j, k;
    int64_t delta;
    const hx_fixture *f;
} at;

static zkr_gl fadd(zkr_gl a, zkr_gl b) { return zkr_gl_add(a, b); }
static zkr_gl fsub(zkr_gl a, zkr_gl b) { return zkr_gl_sub(a, b); }
static zkr_gl fmul(zkr_gl a, zkr_gl b) { return zkr_gl_mul(a, b); }
/* The test may divide in the field: it is the attacker. */
static zkr_gl fdiv(zkr_gl a, zkr_gl b) { return zkr_gl_mul(a, zkr_gl_inv(b)); }

/* ------------------------------------------------------------------ */
/* Fixtures                                                             */
/* ------------------------------------------------------------------ */

static void records(uint8_t (*r)[HX_MAX_IN + 1], uint32_t n, uint32_t in, uint32_t nout)
{
    uint64_t x = 0x2545f4914f6cdd1dULL;

    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t k = 0; k <= in; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            r[i][k] = (uint8_t)x;
        }
        r[i][in] = (uint8_t)(r[i][in] % nout);
    }
}

/* 3-4-2, batch 2, zkr_ml_tmodel_init (seed 7), lr 200, shift S. */
static int fx_small(hx_fixture *f, uint32_t shift, const int32_t *const *w)
{
    static const uint32_t dims[] = {3, 4, 2};
    uint8_t r[8][HX_MAX_IN + 1];
    uint64_t idx[] = {1, 5};

    records(r, 8, 3, 2);
    return hx_setup(f, dims, 2, w, 7, (const uint8_t(*)[HX_MAX_IN + 1])r, 8, idx, 2, 200, shift);
}

/* The instance: 1-1-1, W0 = [8, 2^20 - 1], W1 = [2^19, 65664], 64 records (32, label 0). */
static int fx_forgery(hx_fixture *f)
{
    static const uint32_t dims[] = {1, 1, 1};
    static const int32_t w0[] = {8, (1 << 20) - 1}, w1[] = {1 << 19, 65664};
    const int32_t *w[] = {w0, w1};
    uint8_t r[64][HX_MAX_IN + 1];
    uint64_t idx[64];

    memset(r, 0, sizeof r);
    for (uint32_t i = 0; i < 64; i++) {
        r[i][0] = 32;
        idx[i] = i;
    }
    return hx_setup(f, dims, 2, w, 0, (const uint8_t(*)[HX_MAX_IN + 1])r, 64, idx, 64, 65535, 1);
}

/*
 * 1-1-32 with the hidden unit dead and every output driven by its bias so
 * that p = sum_j delta_j 2^19 = (2^23 + 104) 2^16: dq = 2^23 + 104, one
 * past the bound, in the sliver an 8-bit top limb scaled by 2^8 let
 * through (lo + 2^8 hi <= 2^24 + 2^16 - 257).
 */
static int fx_dq_sliver(hx_fixture *f)
{
    static const uint32_t dims[] = {1, 1, 32};
    static int32_t w0[] = {0, -(1 << 19)}, w1[32 * 2];
    const int32_t *w[] = {w0, w1};
    uint8_t r[1][HX_MAX_IN + 1] = {{0, 0}};
    uint64_t idx[] = {0};

    for (uint32_t j = 0; j < 32; j++) {
        w1[2 * j] = 1 << 19;
        w1[2 * j + 1] = 16 * (j < 31 ? 32896 : 32909); /* sum_j o_j = 2^20 + 4109 */
    }
    return hx_setup(f, dims, 2, w, 0, (const uint8_t(*)[HX_MAX_IN + 1])r, 1, idx, 1, 1, 16);
}

/* A unit of hidden layer 0 of f: dead (h = 0) or live (h >= 2). */
static int find_unit(const hx_fixture *f, int dead, at *a)
{
    const zkr_ml_tstep_trace *t = &f->tr;

    for (uint32_t b = 0; b < f->batch; b++)
        for (uint32_t j = 0; j < f->dims[1]; j++) {
            int64_t h = t->h[0][(size_t)b * f->dims[1] + j];
            if (dead ? h == 0 : h >= 2) {
                memset(a, 0, sizeof *a);
                a->b = b;
                a->j = j;
                a->f = f;
                return 1;
            }
        }
    return 0;
}

/* The small fixture with layer 1's column of a dead unit zeroed: that unit's dq is 0. */
static int fx_free_unit(hx_fixture *f, at *a)
{
    hx_fixture g;
    int32_t *w[2] = {NULL, NULL};
    int ok;

    if (!fx_small(&g, 12, NULL) || !find_unit(&g, 1, a)) {
        hx_free(&g);
        return 0;
    }
    w[0] = g.w[0];
    w[1] = g.w[1];
    for (uint32_t j = 0; j < g.dims[2]; j++)
        w[1][j * (g.dims[1] + 1) + a->j] = 0;
    ok = fx_small(f, 12, (const int32_t *const *)w);
    hx_free(&g);
    ok = ok && find_unit(f, 1, a) && f->tr.dq[0][(size_t)a->b * f->dims[1] + a->j] == 0;
    a->f = f;
    return ok;
}

/* ------------------------------------------------------------------ */
/* The update: lr g + 2^(S-1) = 2^S (W - W') + ru, ru < 2^S, |W'| < 2^20 */
/* ------------------------------------------------------------------ */

/* Every entry's ru := lr g + 2^(S-1) - 2^S (W - W') as a field element (the prover). */
static zkr_err cheat_forgery(zkr_train_witness *w, void *arg)
{
    const hx_fixture *f = arg;

    for (uint32_t l = 0; l < f->n_layers; l++) {
        uint32_t in = f->dims[l];
        for (uint32_t j = 0; j < f->dims[l + 1]; j++)
            for (uint32_t k = 0; k <= in; k++) {
                size_t i = (size_t)j * (in + 1) + k;
                zkr_gl wp = zkr_gl_from_i64(f->w[l][i]);
                zkr_gl wc = fsub(fadd(*hx_upd(w, l, ZKR_TU_WLO, j, k),
                                      fmul(*hx_upd(w, l, ZKR_TU_WHI, j, k), hx_pow2(16))),
                                 hx_pow2(20));
                zkr_gl lhs = fadd(fmul(w->lr, zkr_gl_from_i64(f->tr.g[l][i])),
                                  hx_pow2(w->shift - 1));
                zkr_gl ru = fsub(lhs, fmul(hx_pow2(w->shift), fsub(wp, wc)));
                *hx_upd(w, l, ZKR_TU_RU, j, k) = ru;
                *hx_upd(w, l, ZKR_TU_RUS, j, k) = fmul(ru, hx_pow2(16 - w->shift));
            }
    }
    return ZKR_OK;
}

static void test_forgery(zkr_tap *t)
{
    hx_fixture f;
    int in_range = 1;
    uint64_t idx_rep[64];
    zkr_train_statement st;
    zkr_buf proof = {0};
    zkr_diag d;

    if (!zkr_tap_ok(t, fx_forgery(&f), "forgery fixture"))
        return;
    zkr_tap_ok(t, !f.defined && f.child_is_parent && f.tr.q[1][0] == 528392 &&
                      f.tr.h[0][0] == 4096 && f.tr.dq[0][0] == 4194368,
               "the issue's instance: native training refuses it (o 528392, h 4096, dq 4194368)");
    /* What made it a forgery: 2^(16-S)(lr g + 2^(S-1)) mod p is a valid 16-bit slot. */
    for (uint32_t l = 0; l < 2; l++)
        for (uint32_t i = 0; i < 2; i++) {
            zkr_gl v = fmul(fadd(fmul(65535, zkr_gl_from_i64(f.tr.g[l][i])), 1), hx_pow2(15));
            in_range &= v < 65536;
        }
    zkr_tap_ok(t, in_range, "the issue's instance: the old scaled ru slot of every entry is in 0..65535");
    hx_attack(t, &f, cheat_forgery, &f, RANGE, 1, "update_forgery_issue_instance");
    /* The same batch as 64 copies of one record of a one-record dataset: refused by name. */
    for (uint32_t i = 0; i < 64; i++)
        idx_rep[i] = 0;
    st = f.st;
    st.indices = idx_rep;
    memset(&d, 0, sizeof d);
    if (zkr_prover_train_step_cheat(&f.p, f.st.statement_id, f.tp, f.tc, f.rec, f.batch, &f.sp,
                                    &f.tr, cheat_forgery, &f, &proof, NULL) == ZKR_OK)
        zkr_tap_ok(t, zkr_verify_train_step(&f.p, &st, proof.p, proof.len, &d) ==
                              ZKR_ERR_MISMATCH_INPUT && strstr(d.msg, "both name record 0"),
                   "batch_repeated_index: a statement repeating a record is refused (%s)", d.msg);
    else
        zkr_tap_ok(t, 0, "batch_repeated_index: prover");
    zkr_buf_free(&proof);
    {
        zkr_infer_record rec[64];
        memcpy(rec, f.rec, sizeof rec);
        rec[1] = rec[0];
        zkr_tap_ok(t, zkr_prover_train_step(&f.p, f.st.statement_id, f.tp, f.tc, rec, f.batch,
                                            &f.sp, 1, &proof, NULL) == ZKR_ERR_USAGE,
                   "batch_repeated_index: the prover refuses a batch repeating a record");
    }
    zkr_buf_free(&proof);
    hx_free(&f);
}

static zkr_err cheat_rus(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    zkr_gl *rus = hx_upd(w, a->l, ZKR_TU_RUS, a->j, a->k);

    *rus = fadd(*rus, zkr_gl_from_i64(a->delta));
    return ZKR_OK;
}

/* ru := ru + 2^S with the child's weight one higher: true over the integers, rus >= 2^16. */
static zkr_err cheat_ru_wrap(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    zkr_gl ru = fadd(*hx_upd(w, a->l, ZKR_TU_RU, a->j, a->k), hx_pow2(w->shift));

    *hx_upd(w, a->l, ZKR_TU_RU, a->j, a->k) = ru;
    *hx_upd(w, a->l, ZKR_TU_RUS, a->j, a->k) = fmul(ru, hx_pow2(16 - w->shift));
    return ZKR_OK;
}

/* Sets ru of one entry to a->delta (an in-range value) with its scaled copy. */
static zkr_err cheat_ru_set(zkr_train_witness *w, void *arg)
{
    const at *a = arg;

    *hx_upd(w, a->l, ZKR_TU_RU, a->j, a->k) = zkr_gl_from_i64(a->delta);
    *hx_upd(w, a->l, ZKR_TU_RUS, a->j, a->k) =
        fmul(zkr_gl_from_i64(a->delta), hx_pow2(16 - w->shift));
    return ZKR_OK;
}

static zkr_err cheat_upd_add(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    zkr_gl *v = hx_upd(w, a->l, (unsigned)a->b, a->j, a->k); /* b names the block here */

    *v = fadd(*v, zkr_gl_from_i64(a->delta));
    return ZKR_OK;
}

/* Replaces one weight of the claimed child by the field element c. */
static int child_entry(hx_fixture *f, uint32_t l, uint32_t j, uint32_t k, zkr_gl c)
{
    zkr_gl *w[ZKR_TRAIN_MAX_LAYERS] = {0};
    zkr_train_shape s;
    int ok = hx_shape(f, &s) && hx_child_field(f, w);

    if (ok)
        w[l][((size_t)j << s.lk[l]) + k] = c;
    ok = ok && hx_set_child_raw(f, w);
    for (uint32_t i = 0; i < ZKR_TRAIN_MAX_LAYERS; i++)
        free(w[i]);
    return ok;
}

static void test_update(zkr_tap *t)
{
    hx_fixture f;
    at a = {0};
    int64_t ru, wc;
    uint32_t S;

    if (!zkr_tap_ok(t, fx_small(&f, 12, NULL), "small fixture (S = 12)"))
        return;
    hx_honest(t, &f, "small S = 12");
    a.delta = 1;
    hx_attack(t, &f, cheat_rus, &a, UPD_LINK, 1, "update_rus_plus_1");
    a.delta = -1;
    hx_attack(t, &f, cheat_rus, &a, UPD_LINK, 1, "update_rus_minus_1");
    /* ru + 1 with a consistent copy: the relation itself fails. */
    ru = f.tr.ru[0][0];
    a.delta = ru + 1 < 4096 ? ru + 1 : ru - 1;
    hx_attack(t, &f, cheat_ru_set, &a, UPDATE, 1, "update_ru_off_by_one");
    a.b = ZKR_TU_WLO;
    a.delta = 1;
    hx_attack(t, &f, cheat_upd_add, &a, UPD_LINK, 1, "update_child_low_limb_plus_1");
    a.b = ZKR_TU_WHS;
    hx_attack(t, &f, cheat_upd_add, &a, UPD_LINK, 1, "update_child_top_limb_copy_plus_1");
    a.b = 0;

    /*
     * A top limb that wraps: W'_new = W' + E with 2^S E = ru' - ru mod p, so
     * the update holds mod p with an in-range ru'; W'_new + 2^20 >= 2^63, its
     * top limb (W'_new + 2^20) >> 16 >= 2^(63-16) and 2^16 times it wraps.
     */
    S = f.sp.shift;
    ru = f.tr.ru[0][0];
    wc = f.w[0][0] - f.tr.u[0][0];
    for (int64_t r2 = 0; r2 < ((int64_t)1 << S); r2++) {
        zkr_gl e = fdiv(fsub(zkr_gl_from_i64(r2), zkr_gl_from_i64(ru)), hx_pow2(S));
        zkr_gl c = fadd(zkr_gl_from_i64(wc), e);
        if (r2 == ru || fadd(c, hx_pow2(20)) < ((uint64_t)1 << 63))
            continue;
        a.delta = r2;
        if (zkr_tap_ok(t, child_entry(&f, 0, 0, 0, c), "child with W'+2^20 = %llu",
                       (unsigned long long)fadd(c, hx_pow2(20))))
            hx_attack(t, &f, cheat_ru_set, &a, RANGE, 1, "update_top_limb_wraps");
        break;
    }
    hx_free(&f);

    /* ru + 2^S (in 0..65535 for S = 8) with W' + 1: true over the integers, 2^8 ru >= 2^16. */
    if (!zkr_tap_ok(t, fx_small(&f, 8, NULL), "small fixture (S = 8)"))
        return;
    a = (at){0};
    wc = f.w[0][0] - f.tr.u[0][0];
    if (child_entry(&f, 0, 0, 0, zkr_gl_from_i64(wc + 1)))
        hx_attack(t, &f, cheat_ru_wrap, &a, RANGE, 1, "update_ru_plus_2S_child_plus_1");
    hx_free(&f);
}

/* ------------------------------------------------------------------ */
/* Hidden layers                                                        */
/* ------------------------------------------------------------------ */

static zkr_err cheat_slot_add(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    zkr_gl *v = hx_slot(w, 0, (unsigned)a->k, a->b, a->j); /* k names the slot here */

    *v = fadd(*v, zkr_gl_from_i64(a->delta));
    return ZKR_OK;
}

/* r + 2^16 with n + 1 (q - 1) on a dead unit: true over the integers, r >= 2^16. */
static zkr_err cheat_r_wrap(zkr_train_witness *w, void *arg)
{
    const at *a = arg;

    *hx_slot(w, 0, ZKR_TS_R, a->b, a->j) = fadd(*hx_slot(w, 0, ZKR_TS_R, a->b, a->j), hx_pow2(16));
    *hx_slot(w, 0, ZKR_TS_NLO, a->b, a->j) = fadd(*hx_slot(w, 0, ZKR_TS_NLO, a->b, a->j), 1);
    return ZKR_OK;
}

/* r' = r + 1 and n's top limb solved over the field: n + 2^-16 (mod p). */
static zkr_err cheat_r_solve(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    zkr_gl *r = hx_slot(w, 0, ZKR_TS_R, a->b, a->j), *nhi = hx_slot(w, 0, ZKR_TS_NHI, a->b, a->j);
    zkr_gl r2 = (*r + 1) & 0xffff;

    *nhi = fadd(*nhi, fdiv(fsub(r2, *r), hx_pow2(32)));
    *r = r2;
    return ZKR_OK;
}

/* n's limbs as (n_lo + 2^16, -1): the same n, both limbs out of range (one is p - 1). */
static zkr_err cheat_n_borrow(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    zkr_gl *lo = hx_slot(w, 0, ZKR_TS_NLO, a->b, a->j), *hi = hx_slot(w, 0, ZKR_TS_NHI, a->b, a->j);

    *lo = fadd(*lo, hx_pow2(16));
    *hi = fsub(*hi, 1);
    return ZKR_OK;
}

static zkr_err cheat_mask_off(zkr_train_witness *w, void *arg)
{
    const at *a = arg;

    *hx_slot(w, 0, ZKR_TS_M, a->b, a->j) = 0;
    *hx_slot(w, 0, ZKR_TS_HM, a->b, a->j) = *hx_slot(w, 0, ZKR_TS_H, a->b, a->j);
    return ZKR_OK;
}

static zkr_err cheat_mask_two(zkr_train_witness *w, void *arg)
{
    const at *a = arg;

    *hx_slot(w, 0, ZKR_TS_M, a->b, a->j) = 2;
    *hx_slot(w, 0, ZKR_TS_HM, a->b, a->j) = fsub(*hx_slot(w, 0, ZKR_TS_H, a->b, a->j), 2);
    return ZKR_OK;
}

/* h + 1 and n + 1: q = h - n unchanged, h n != 0. */
static zkr_err cheat_hn(zkr_train_witness *w, void *arg)
{
    const at *a = arg;

    *hx_slot(w, 0, ZKR_TS_H, a->b, a->j) = fadd(*hx_slot(w, 0, ZKR_TS_H, a->b, a->j), 1);
    *hx_slot(w, 0, ZKR_TS_HM, a->b, a->j) = fadd(*hx_slot(w, 0, ZKR_TS_HM, a->b, a->j), 1);
    *hx_slot(w, 0, ZKR_TS_NLO, a->b, a->j) = fadd(*hx_slot(w, 0, ZKR_TS_NLO, a->b, a->j), 1);
    return ZKR_OK;
}

/* m = 1 on a dead unit (h = 0): h - m = p - 1. */
static zkr_err cheat_mask_on_dead(zkr_train_witness *w, void *arg)
{
    const at *a = arg;

    *hx_slot(w, 0, ZKR_TS_M, a->b, a->j) = 1;
    *hx_slot(w, 0, ZKR_TS_HM, a->b, a->j) = ZKR_GL_P - 1;
    return ZKR_OK;
}

/* rb + 2^16 with dq - 1 on a dead unit (delta = 0 either way): rb >= 2^16. */
static zkr_err cheat_rb_wrap(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    int64_t dq = a->f->tr.dq[0][(size_t)a->b * a->f->dims[1] + a->j] - 1;

    *hx_slot(w, 0, ZKR_TS_RB, a->b, a->j) = fadd(*hx_slot(w, 0, ZKR_TS_RB, a->b, a->j), hx_pow2(16));
    hx_limbs24(zkr_gl_from_i64(dq + (1 << 23)), hx_slot(w, 0, ZKR_TS_DQLO, a->b, a->j),
               hx_slot(w, 0, ZKR_TS_DQHI, a->b, a->j), hx_slot(w, 0, ZKR_TS_DQHS, a->b, a->j));
    return ZKR_OK;
}

/* rb' = rb + delta and dq's top limb solved over the field (>= 2^47 when a->k says so). */
static zkr_err cheat_dq_top(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    zkr_gl *rb = hx_slot(w, 0, ZKR_TS_RB, a->b, a->j), *hi = hx_slot(w, 0, ZKR_TS_DQHI, a->b, a->j);
    zkr_gl rb2 = (*rb + (zkr_gl)a->delta) & 0xffff;

    *hi = fsub(*hi, fdiv(fsub(rb2, *rb), hx_pow2(32)));
    *rb = rb2;
    *hx_slot(w, 0, ZKR_TS_DQHS, a->b, a->j) = fmul(*hi, 256);
    return ZKR_OK;
}

static void test_hidden(zkr_tap *t)
{
    hx_fixture f;
    at dead, live, a;
    size_t e;

    if (!zkr_tap_ok(t, fx_small(&f, 12, NULL), "small fixture") ||
        !zkr_tap_ok(t, find_unit(&f, 1, &dead) && find_unit(&f, 0, &live),
                    "a dead and a live unit of hidden layer 0"))
        return;
    e = (size_t)dead.b * f.dims[1] + dead.j;
    zkr_tap_diag("dead unit (%u, %u): r %lld n %lld rb %lld dq %lld", dead.b, dead.j,
                 (long long)f.tr.r[0][e], (long long)f.tr.n[0][e], (long long)f.tr.rb[0][e],
                 (long long)f.tr.dq[0][e]);
    hx_attack(t, &f, cheat_r_wrap, &dead, RANGE, 1, "hidden_forward_r_plus_2^16");
    hx_attack(t, &f, cheat_r_solve, &dead, RANGE, 1, "hidden_forward_solve_n_over_field");
    hx_attack(t, &f, cheat_n_borrow, &dead, RANGE, 1, "hidden_n_limbs_borrow_p_minus_1");
    a = live;
    a.k = ZKR_TS_R;
    a.delta = f.tr.r[0][(size_t)live.b * f.dims[1] + live.j] < 65535 ? 1 : -1;
    hx_attack(t, &f, cheat_slot_add, &a, FORWARD, 1, "hidden_forward_r_off_by_one");
    hx_attack(t, &f, cheat_mask_off, &live, ZERO, 1, "hidden_mask_flipped_off");
    hx_attack(t, &f, cheat_mask_two, &live, ZERO, 1, "hidden_mask_two");
    hx_attack(t, &f, cheat_hn, &live, ZERO, 0, "hidden_h_and_n_both_positive");
    a = live;
    a.k = ZKR_TS_HM;
    a.delta = 1;
    hx_attack(t, &f, cheat_slot_add, &a, HID_LINK, 1, "hidden_hm_plus_1");
    a.k = ZKR_TS_DQHS;
    hx_attack(t, &f, cheat_slot_add, &a, HID_LINK, 1, "hidden_dq_top_copy_plus_1");
    a.k = ZKR_TS_DLHS;
    hx_attack(t, &f, cheat_slot_add, &a, HID_LINK, 1, "hidden_delta_top_copy_plus_1");
    hx_attack(t, &f, cheat_rb_wrap, &dead, RANGE, 1, "backward_rb_plus_2^16");
    a = dead;
    a.k = ZKR_TS_RB;
    a.delta = f.tr.rb[0][e] < 65535 ? 1 : -1;
    hx_attack(t, &f, cheat_slot_add, &a, BACKWARD, 1, "backward_rb_off_by_one");
    /* dq's top limb solved over the field, chosen >= 2^47 so 2^16 times it wraps. */
    a = dead;
    for (int64_t dl = 1; dl < 65536; dl++) {
        zkr_gl rb = (zkr_gl)f.tr.rb[0][e], rb2 = (rb + (zkr_gl)dl) & 0xffff;
        zkr_gl hi = fsub((zkr_gl)((f.tr.dq[0][e] + (1 << 23)) >> 16), fdiv(fsub(rb2, rb), hx_pow2(32)));
        if (hi >= ((uint64_t)1 << 47) && hi < ((uint64_t)1 << 48)) {
            a.delta = dl;
            zkr_tap_diag("dq top limb %llu", (unsigned long long)hi);
            break;
        }
    }
    hx_attack(t, &f, cheat_dq_top, &a, RANGE, 1, "backward_top_limb_wraps");
    hx_free(&f);

    if (zkr_tap_ok(t, fx_free_unit(&f, &a), "a dead unit whose dq is 0"))
        hx_attack(t, &f, cheat_mask_on_dead, &a, RANGE, 1, "hidden_mask_on_dead_unit_hm_p_minus_1");
    hx_free(&f);

    if (zkr_tap_ok(t, fx_dq_sliver(&f), "dq sliver fixture")) {
        zkr_tap_ok(t, !f.defined && f.tr.dq[0][0] == (1 << 23) + 104 && f.tr.m[0][0] == 0,
                   "dq = 2^23 + 104 on a dead unit: native training refuses it");
        hx_attack(t, &f, NULL, NULL, RANGE, 1, "hidden_dq_2^23_sliver_top_copy_65536");
    }
    hx_free(&f);
}

/* ------------------------------------------------------------------ */
/* The output layer                                                     */
/* ------------------------------------------------------------------ */

static zkr_err cheat_out_add(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    zkr_gl *v = hx_slot(w, 1, (unsigned)a->k, a->b, a->j);

    *v = fadd(*v, zkr_gl_from_i64(a->delta));
    return ZKR_OK;
}

/* r + 2^12 with o - 1: true over the integers, 16 r >= 2^16. */
static zkr_err cheat_or_wrap(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    int64_t o = a->f->tr.q[1][(size_t)a->b * a->f->dims[2] + a->j] - 1;
    zkr_gl r = fadd(*hx_slot(w, 1, ZKR_TS_OR, a->b, a->j), 4096);

    *hx_slot(w, 1, ZKR_TS_OR, a->b, a->j) = r;
    *hx_slot(w, 1, ZKR_TS_OR16, a->b, a->j) = fmul(r, 16);
    hx_limbs24(zkr_gl_from_i64(o + (1 << 23)), hx_slot(w, 1, ZKR_TS_OLO, a->b, a->j),
               hx_slot(w, 1, ZKR_TS_OHI, a->b, a->j), hx_slot(w, 1, ZKR_TS_OHS, a->b, a->j));
    return ZKR_OK;
}

static zkr_err cheat_or_step(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    zkr_gl r = fadd(*hx_slot(w, 1, ZKR_TS_OR, a->b, a->j), zkr_gl_from_i64(a->delta));

    *hx_slot(w, 1, ZKR_TS_OR, a->b, a->j) = r;
    *hx_slot(w, 1, ZKR_TS_OR16, a->b, a->j) = fmul(r, 16);
    return ZKR_OK;
}

/* r' = r + 1 with o's top limb solved over the field (the old r = r16 / 16). */
static zkr_err cheat_or_solve(zkr_train_witness *w, void *arg)
{
    const at *a = arg;
    zkr_gl *r = hx_slot(w, 1, ZKR_TS_OR, a->b, a->j), *hi = hx_slot(w, 1, ZKR_TS_OHI, a->b, a->j);
    zkr_gl r2 = (*r + 1) & 0xfff;

    *hi = fsub(*hi, fdiv(fsub(r2, *r), hx_pow2(28)));
    *r = r2;
    *hx_slot(w, 1, ZKR_TS_OR16, a->b, a->j) = fmul(r2, 16);
    *hx_slot(w, 1, ZKR_TS_OHS, a->b, a->j) = fmul(*hi, 256);
    return ZKR_OK;
}

static void test_output(zkr_tap *t)
{
    hx_fixture f;
    at a = {0};

    if (!zkr_tap_ok(t, fx_small(&f, 12, NULL), "small fixture"))
        return;
    a.f = &f;
    a.k = ZKR_TS_OR16;
    a.delta = 1;
    hx_attack(t, &f, cheat_out_add, &a, OUT_LINK, 1, "output_r16_plus_1");
    a.k = ZKR_TS_OHS;
    hx_attack(t, &f, cheat_out_add, &a, OUT_LINK, 1, "output_top_copy_plus_1");
    /* r + 1 with 16 r + 16: the copy agrees, the forward relation fails. */
    a.k = ZKR_TS_OR;
    a.delta = f.tr.r[1][0] < 4095 ? 1 : -1;
    hx_attack(t, &f, cheat_or_step, &a, FORWARD, 1, "output_forward_r_off_by_one");
    /* The forward relation kept mod p: o's top limb absorbs 2^-12 (r + 1 - r). */
    hx_attack(t, &f, cheat_or_solve, &a, RANGE, 0, "output_solve_o_top_limb_over_field");
    hx_attack(t, &f, cheat_or_wrap, &a, RANGE, 0, "output_r_plus_2^12");
    hx_free(&f);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    test_forgery(&t);
    test_update(&t);
    test_hidden(&t);
    test_output(&t);
    return zkr_tap_done(&t);
}
