/*
 * training-step@2 cheating provers (docs/soundness.md, "training-step@2"):
 * each attack keeps every entry of V a byte (what the range proof
 * enforces) and is refused with ZKR_ERR_VERIFY by the verifier:
 *   relu_mask_wrapped   m flipped 1 -> 0, s1 = 65535 m - h wrapped mod 2^16 (with
 *                       no active unit: m flipped 0 -> 1, s3 = h - m wrapped)
 *   delta_mask_zero     delta = dq where m = 0, the big-M slacks wrapped
 *   label_lie           the one-hot target on another unit
 *   out_rem_wrapped     o - 1 and r + 4096 (the forward row still holds over
 *                       the integers): r_hi = 16, its copy 16 r_hi wraps to 0
 *   update_ru_wrapped   a child weight one unit lower with ru + 2^S and the
 *                       copy 2^(16-S) ru wrapped mod 2^16
 *   child_off           a child one unit off, the honest witness
 *   record_copy         a record byte changed in V's copy
 *   record_value_fit    a record's revealed value + 1 with g(r) refitted so
 *                       the sumcheck passes: only the records' opening refuses
 *   other_record        the step trained (and V built) on another record
 *                       than the committed one, the child that step gives:
 *                       every linear row holds, only the record link refuses
 *   column_value_fit    a revealed column value of V + 1 with g(r) refitted so
 *                       the product sumcheck passes: only the claim reduction
 *                       (version 2) refuses
 *   update_ru_wrapped_s16  S = 16 (no update copy in V): a child one lower with
 *                       ru + 2^16 wrapped mod 2^16 to ru's own two bytes
 *   reduced_value_fit   the reduction run on V + 1 at an entry no claim weighs
 *                       (every reduction check passes): only V's opening at
 *                       rA refuses
 * Version 5's new paths (the records join the mixed opening only at the
 * full parameter set: with the test set's small record commitments they
 * keep batched openings), each refused and with its teeth (accepted by
 * zkr_verify_train2_off with the check that catches it switched off):
 *   rec_reduced_value   the reduction run on record 0's table changed at two
 *                       entries (every claim's weighted sum kept): its
 *                       reduced value is false; the mixed opening's final
 *                       equation and factorisation check refuse
 *   range_claim_lie     the deferred range proof's h^ + 1 with m^ moved so
 *                       that its final check holds: the claim reduction's
 *                       final equation refuses
 *   rec_leaves_swapped  record 1's part played by record 0's polynomial
 *                       (the step trained on record 0 at position 1, the
 *                       child that step gives; record 0's leaves opened in
 *                       record 1's place in the mixed opening): the joining
 *                       member's Merkle check refuses
 * The test parameter set (8 queries, no grinding) keeps the others fast:
 * every verdict comes from the algebra, not from the query phase.
 */
#include <stdlib.h>
#include <string.h>

#include "prover/training2.h"
#include "tap.h"
#include "verifier/training2.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

#include "../zk/test_train2_fx.h"

typedef struct {
    int which;
    int done;
} atk;

static void setb(const zkr_train2_shape *s, uint8_t *v, uint32_t l, unsigned slot, unsigned n,
                 uint32_t b, uint32_t j, int64_t x)
{
    for (unsigned q = 0; q < n; q++)
        v[zkr_train2_gidx(s, l, slot + q, b, j)] = (uint8_t)((uint64_t)x >> (8 * q));
}

static int64_t getb(const zkr_train2_shape *s, const uint8_t *v, uint32_t l, unsigned slot,
                    unsigned n, uint32_t b, uint32_t j)
{
    int64_t x = 0;

    for (unsigned q = 0; q < n; q++)
        x |= (int64_t)v[zkr_train2_gidx(s, l, slot + q, b, j)] << (8 * q);
    return x;
}

static void tamper(const zkr_train2_shape *s, uint8_t *v, void *arg)
{
    atk *a = arg;
    uint32_t L = s->n_layers;

    switch (a->which) {
    case 0: /* the first active unit of any hidden layer (layer 0 alone has none for some seeds) */
        for (uint32_t l = 0; l + 1 < L && !a->done; l++)
            for (uint32_t b = 0; b < s->batch && !a->done; b++)
                for (uint32_t j = 0; j < s->out[l] && !a->done; j++)
                    if (getb(s, v, l, ZKR_T2H_M, 1, b, j)) {
                        int64_t h = getb(s, v, l, ZKR_T2H_H, 2, b, j);
                        int64_t n = getb(s, v, l, ZKR_T2H_N, 4, b, j);
                        setb(s, v, l, ZKR_T2H_M, 1, b, j, 0);
                        setb(s, v, l, ZKR_T2H_MC, 1, b, j, 0);
                        setb(s, v, l, ZKR_T2H_S1, 2, b, j, -h);
                        setb(s, v, l, ZKR_T2H_S2, 4, b, j, (((int64_t)1 << 32) - 1) - n);
                        setb(s, v, l, ZKR_T2H_S3, 2, b, j, h);
                        a->done = 1;
                    }
        /* no active unit at all: flip an inactive one to m = 1, s3 = h - m wrapped mod 2^16 */
        for (uint32_t b = 0; b < s->batch && !a->done; b++) {
            int64_t h = getb(s, v, 0, ZKR_T2H_H, 2, b, 0);
            int64_t n = getb(s, v, 0, ZKR_T2H_N, 4, b, 0);
            setb(s, v, 0, ZKR_T2H_M, 1, b, 0, 1);
            setb(s, v, 0, ZKR_T2H_MC, 1, b, 0, 128);
            setb(s, v, 0, ZKR_T2H_S1, 2, b, 0, 65535 - h);
            setb(s, v, 0, ZKR_T2H_S2, 4, b, 0, -n);
            setb(s, v, 0, ZKR_T2H_S3, 2, b, 0, h - 1);
            a->done = 1;
        }
        break;
    case 1:
        for (uint32_t l = 0; l + 1 < s->n_layers && !a->done; l++)
            for (uint32_t b = 0; b < s->batch && !a->done; b++)
                for (uint32_t j = 0; j < s->out[l] && !a->done; j++) {
                    int64_t dq = getb(s, v, l, ZKR_T2H_DQ, 3, b, j) - ((int64_t)1 << 23);
                    if (!getb(s, v, l, ZKR_T2H_M, 1, b, j) && dq != 0) {
                        setb(s, v, l, ZKR_T2H_DL, 3, b, j, dq + ((int64_t)1 << 23));
                        setb(s, v, l, ZKR_T2H_T1, 4, b, j, -dq);
                        setb(s, v, l, ZKR_T2H_T2, 3, b, j, dq);
                        setb(s, v, l, ZKR_T2H_T3, 4, b, j, (int64_t)1 << 24);
                        setb(s, v, l, ZKR_T2H_T4, 4, b, j, (int64_t)1 << 24);
                        a->done = 1;
                    }
                }
        break;
    case 2:
        for (uint32_t j = 0; j < s->out[L - 1] && !a->done; j++)
            if (getb(s, v, L - 1, ZKR_T2O_T, 1, 0, j)) {
                uint32_t o = (j + 1) % s->out[L - 1];
                setb(s, v, L - 1, ZKR_T2O_T, 1, 0, j, 0);
                setb(s, v, L - 1, ZKR_T2O_TC, 1, 0, j, 0);
                setb(s, v, L - 1, ZKR_T2O_T, 1, 0, o, 1);
                setb(s, v, L - 1, ZKR_T2O_TC, 1, 0, o, 128);
                a->done = 1;
            }
        break;
    case 3: {
        int64_t o = getb(s, v, L - 1, ZKR_T2O_O, 3, 0, 0), r = getb(s, v, L - 1, ZKR_T2O_R, 2, 0, 0);
        setb(s, v, L - 1, ZKR_T2O_O, 3, 0, 0, o - 1);
        setb(s, v, L - 1, ZKR_T2O_R, 2, 0, 0, r + 4096);
        setb(s, v, L - 1, ZKR_T2O_RC, 1, 0, 0, 16 * ((r + 4096) >> 8)); /* wraps mod 256 */
        a->done = 1;
        break;
    }
    case 4: { /* with the public child's W'(0, 0) one lower: ru + 2^S, copy wrapped */
        uint64_t i0 = zkr_train2_uidx(s, 0, ZKR_T2U_RU, 0, 0);
        uint64_t i1 = zkr_train2_uidx(s, 0, ZKR_T2U_RU + 1, 0, 0);
        int64_t ru = (v[i0] | (int64_t)v[i1] << 8) + ((int64_t)1 << s->shift);
        int64_t ruc = ru << (16 - s->shift);
        v[i0] = (uint8_t)ru;
        v[i1] = (uint8_t)(ru >> 8);
        v[zkr_train2_uidx(s, 0, ZKR_T2U_RUC, 0, 0)] = (uint8_t)ruc;
        v[zkr_train2_uidx(s, 0, ZKR_T2U_RUC + 1, 0, 0)] = (uint8_t)(ruc >> 8);
        a->done = ru < 65536;
        break;
    }
    case 6:
        v[zkr_train2_ridx(s, 1, 2)] ^= 0x21;
        a->done = 1;
        break;
    default:
        a->done = 1;
        break;
    }
}

/* Batch position 1 gets another record; the public child becomes that step's. */
static uint8_t other_recs[ZKR_TRAIN_MAX_BATCH * 64];

static int retrain(t2fx *f, const uint32_t *dims, size_t nd, uint32_t batch,
                   zkr_train2_cheat *ch);

static int other_child(t2fx *f, const uint32_t *dims, size_t nd, uint32_t batch,
                       zkr_train2_cheat *ch)
{
    uint32_t in0 = dims[0];

    memcpy(other_recs, f->batch_recs, (size_t)batch * (in0 + 1));
    other_recs[(size_t)1 * (in0 + 1) + 2] ^= 0x5a;
    return retrain(f, dims, nd, batch, ch);
}

/* The step on other_recs: the public child becomes its; V is built from them. */
static int retrain(t2fx *f, const uint32_t *dims, size_t nd, uint32_t batch, zkr_train2_cheat *ch)
{
    uint32_t in0 = dims[0];
    uint8_t in[ZKR_TRAIN_MAX_BATCH * 64], lab[ZKR_TRAIN_MAX_BATCH];
    zkr_ml_tstep_params sp = {.lr = 8, .shift = 12};
    zkr_buf cb = {0};
    zkr_ml_tmodel *cm = NULL;
    int ok;

    for (uint32_t b = 0; b < batch; b++) {
        memcpy(in + (size_t)b * in0, other_recs + (size_t)b * (in0 + 1), in0);
        lab[b] = other_recs[(size_t)b * (in0 + 1) + in0];
    }
    ok = zkr_ml_train_step(f->parent, in, (size_t)batch * in0, lab, batch, &sp, &cb, NULL,
                           NULL) == ZKR_OK &&
         zkr_ml_tmodel_decode(cb.p, cb.len, &cm, NULL) == ZKR_OK;
    for (uint32_t l = 0; ok && l + 1 < nd; l++)
        memcpy(f->cw[l], zkr_ml_tmodel_weights(cm, l),
               (size_t)dims[l + 1] * (dims[l] + 1) * sizeof(int32_t));
    ch->witness_records = other_recs;
    zkr_ml_tmodel_free(cm);
    zkr_buf_free(&cb);
    return ok;
}

/* Batch position 1 holds record 0's bytes; the public child becomes that step's. */
static int swap_child(t2fx *f, const uint32_t *dims, size_t nd, uint32_t batch,
                      zkr_train2_cheat *ch)
{
    uint32_t in0 = dims[0];

    memcpy(other_recs, f->batch_recs, (size_t)batch * (in0 + 1));
    memcpy(other_recs + (in0 + 1), f->batch_recs, in0 + 1);
    return retrain(f, dims, nd, batch, ch);
}

static void attack(zkr_tap *t, int which, const char *name)
{
    static const uint32_t dims[] = {6, 4, 4, 3};
    t2fx f;
    atk a = {which, 0};
    zkr_train2_cheat ch = {tamper, &a, which == 4 || which == 5 || which == 11 || which == 14,
                           which == 7, NULL, 0, which == 9 ? 1 : which == 10 ? 2 : which == 12 ? 3 : 0,
                           which == 13, which == 14, 0, 0};
    /* version 5's record paths need the full set (the records join the mixed opening) */
    int fast = which != 12 && which != 14;
    unsigned off = which == 12   ? (ZKR_HM_OFF_FINAL | ZKR_HM_OFF_FACTOR) << 8
                   : which == 13 ? ZKR_T2_OFF_RED
                   : which == 14 ? ZKR_HM_OFF_JOINMT << 8
                                 : 0;
    zkr_err teeth = ZKR_ERR_INTERNAL;
    zkr_buf pf = {0};
    zkr_diag d = {0};
    uint8_t seed[32] = {8};
    zkr_err pr = ZKR_ERR_INTERNAL, vr = ZKR_ERR_INTERNAL;

    if (which >= 12)
        a.done = 1; /* no witness edit */
    if (t2fx_setup_sh(t, &f, dims, 4, 3, fast, 0, 0, which == 11 ? 16 : 12)) {
        if (which == 11) /* S = 16: ru + 2^16 wraps to ru's own two bytes, V unchanged */
            f.cw[0][0] -= 1;
        if (which == 4 || which == 5)
            f.cw[0][0] += which == 4 ? -1 : 1;
        if (which == 8 && !other_child(&f, dims, 4, 3, &ch))
            goto out;
        if (which == 14 && !swap_child(&f, dims, 4, 3, &ch))
            goto out;
        pr = zkr_prover_train2_cheat(&f.p, f.sid, &f.pub, &f.sec, &ch, seed, sizeof seed, &pf, &d);
        if (pr == ZKR_OK)
            vr = zkr_verify_train2(&f.p, f.sid, &f.pub, pf.p, pf.len, &d);
        if (pr == ZKR_OK && off) {
            zkr_diag d2 = {0};
            teeth = zkr_verify_train2_off(&f.p, f.sid, &f.pub, pf.p, pf.len, off, &d2);
            zkr_tap_ok(t, teeth == ZKR_OK, "%s: teeth: accepted with the check off (%s)", name,
                       d2.msg);
        }
    }
out:
    zkr_tap_ok(t, pr == ZKR_OK && a.done, "%s: the cheating prover produced a proof", name);
    zkr_tap_ok(t, vr == ZKR_ERR_VERIFY, "%s: refused with VERIFY (%s)", name, d.msg);
    zkr_buf_free(&pf);
    t2fx_free(&f);
}

int main(int argc, char **argv)
{
    static const char *names[] = {"relu_mask_wrapped", "delta_mask_zero",   "label_lie",
                                  "out_rem_wrapped",   "update_ru_wrapped", "child_off",
                                  "record_copy",       "record_value_fit",  "other_record",
                                  "column_value_fit",  "reduced_value_fit",
                                  "update_ru_wrapped_s16", "rec_reduced_value",
                                  "range_claim_lie",   "rec_leaves_swapped"};
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    for (int i = 0; i < 15; i++)
        attack(&t, i, names[i]);
    return zkr_tap_done(&t);
}
