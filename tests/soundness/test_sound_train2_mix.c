/*
 * training-step@2 version 5's mixed opening at its member cap and past it
 * (docs/soundness.md, "training-step@2", version 5's attacks), at the full
 * parameter set (the records join the mixed opening only there), on a
 * 32-record dataset (the shared fixture's 8 cannot fill a batch of 20):
 *   cap_20              batch 20: V, h, phi, m and 20 records, 24 members
 *                       (ZKR_HPCS_MAX_MIXED): the honest proof accepted;
 *                       every truncation (61 cuts) and a trailing byte
 *                       MALFORMED
 *   cap_20 lie 18-19    record 18's revealed value + 1 and record 19's moved
 *                       so that sum_b eq(b, r) S_b is unchanged (the product
 *                       sumcheck passes with g(r) honest): the claim
 *                       reduction refuses; teeth: accepted with its final
 *                       equation off (the mixed opening binds the u_i, not
 *                       the records' claims)
 *   cap_22 lie 20-21    batch 22: records 20 and 21 past the cap keep a
 *                       batched opening; the same lie on them: refused by
 *                       that opening, and still refused with the reduction's
 *                       final equation off (they are not in the reduction);
 *                       accepted with the batched opening's factorisation and
 *                       final checks off as well (teeth)
 *   blind_mixed         record 1 committed with another budget (another
 *                       blinding size e) in the dataset: the statement is
 *                       refused (MISMATCH_INPUT) before the proof is read
 *   budget_edge         (zero knowledge; the test set) batch 1, the record
 *                       recommitted at the first budget B whose random
 *                       entries cover B (positions(q') + 1) but not
 *                       B (positions(q') + 2): refused by the prover; the
 *                       last budget below it that covers both proves
 *   range_off           V's last entry committed as 256 (off the byte table,
 *                       in no linear row), counted in no multiplicity, the
 *                       range proof's rounds honest on the false LogUp sum
 *                       and g_R(r_R) absorbing the gap: its final check and
 *                       the reduction pass; C's linear sumcheck (g_R's
 *                       block, version 5) refuses; teeth: accepted with it
 *                       off
 */
#include <stdlib.h>
#include <string.h>

#include "prover/training2.h"
#include "tap.h"
#include "verifier/training2.h"
#include "zk/zk_int.h"
#include "zkr_config.h"

#define T2FX_NREC 32u
#include "../zk/test_train2_fx.h"

static const uint32_t dims[] = {6, 4, 4, 3};

static zkr_err prove(t2fx *f, int shift_rec, zkr_buf *pf, zkr_diag *d)
{
    zkr_train2_cheat ch;
    uint8_t seed[32] = {9};

    memset(&ch, 0, sizeof ch);
    ch.shift_rec = shift_rec;
    return zkr_prover_train2_cheat(&f->p, f->sid, &f->pub, &f->sec, &ch, seed, sizeof seed, pf, d);
}

/* Every truncation MALFORMED (never accepted), and one trailing byte. */
static void malformed(zkr_tap *t, t2fx *f, const zkr_buf *pf)
{
    size_t step = pf->len / 61 + 1, bad = 0, n = 0;
    uint8_t *ext = malloc(pf->len + 1);

    for (size_t cut = 0; cut < pf->len; cut += step, n++)
        if (zkr_verify_train2(&f->p, f->sid, &f->pub, pf->p, cut, NULL) != ZKR_ERR_MALFORMED)
            bad++;
    zkr_tap_ok(t, bad == 0, "cap_20: %zu truncations, %zu not MALFORMED", n, bad);
    if (ext) {
        memcpy(ext, pf->p, pf->len);
        ext[pf->len] = 0;
    }
    zkr_tap_ok(t, ext && zkr_verify_train2(&f->p, f->sid, &f->pub, ext, pf->len + 1, NULL) ==
                             ZKR_ERR_MALFORMED,
               "cap_20: a trailing byte: MALFORMED");
    free(ext);
}

/*
 * Batch B at the full set: the honest proof accepted, then record lie - 1's
 * value + 1 and lie's moved (zkr_train2_cheat.shift_rec); want names the check that must refuse it, teeth whether the
 * reduction's final equation off lets it through.
 */
static void cap(zkr_tap *t, uint32_t batch, uint32_t lie, const char *want, int teeth)
{
    t2fx f;
    zkr_buf pf = {0}, pc = {0};
    zkr_diag d = {0}, d2 = {0};
    zkr_err vr = ZKR_ERR_INTERNAL, off = ZKR_ERR_INTERNAL;
    int ok = t2fx_setup_sh(t, &f, dims, 4, batch, 0, 0, 0, 12);

    ok = ok && prove(&f, 0, &pf, &d) == ZKR_OK;
    zkr_tap_ok(t, ok && zkr_verify_train2(&f.p, f.sid, &f.pub, pf.p, pf.len, &d) == ZKR_OK,
               "cap_%u: the honest proof accepted (%zu bytes; %s)", batch, pf.len, d.msg);
    if (ok && batch == ZKR_HPCS_MAX_MIXED - 4)
        malformed(t, &f, &pf);
    ok = ok && prove(&f, (int)lie, &pc, &d) == ZKR_OK;
    zkr_tap_ok(t, ok, "cap_%u: lie on records %u-%u: the cheating prover produced a proof", batch,
               lie - 1, lie);
    if (ok) {
        memset(&d, 0, sizeof d);
        vr = zkr_verify_train2(&f.p, f.sid, &f.pub, pc.p, pc.len, &d);
        off = zkr_verify_train2_off(&f.p, f.sid, &f.pub, pc.p, pc.len, ZKR_T2_OFF_RED, &d2);
    }
    zkr_tap_ok(t, vr == ZKR_ERR_VERIFY && strstr(d.msg, want) != NULL,
               "cap_%u: lie on records %u-%u: refused (%s)", batch, lie - 1, lie, d.msg);
    zkr_tap_ok(t, teeth ? off == ZKR_OK : off == ZKR_ERR_VERIFY && strstr(d2.msg, want) != NULL,
               "cap_%u: lie on records %u-%u: with the reduction's final equation off: %s (%s)",
               batch, lie - 1, lie, teeth ? "accepted (teeth)" : "still refused", d2.msg);
    if (!teeth) {
        /* past the cap the batched opening's claim checks are what refuse it */
        unsigned bo = (ZKR_HM_OFF_FACTOR | ZKR_HM_OFF_FINAL) << 8;
        memset(&d2, 0, sizeof d2);
        off = ok ? zkr_verify_train2_off(&f.p, f.sid, &f.pub, pc.p, pc.len, ZKR_T2_OFF_RED | bo, &d2)
                 : ZKR_ERR_INTERNAL;
        zkr_tap_ok(t, off == ZKR_OK,
                   "cap_%u: lie on records %u-%u: with the batched opening's factorisation and "
                   "final checks off: accepted (teeth) (%s)",
                   batch, lie - 1, lie, d2.msg);
    }
    zkr_buf_free(&pf);
    zkr_buf_free(&pc);
    t2fx_free(&f);
}

/* Record 1 recommitted at another budget (another e); the dataset rebuilt around it. */
static void blind_mixed(zkr_tap *t)
{
    t2fx f;
    zkr_buf pf = {0};
    zkr_diag d = {0};
    zkr_record_commitment a, b;
    uint8_t rs[32] = {0x77}, root[ZKR_DIGEST_BYTES];
    int ok = t2fx_setup_sh(t, &f, dims, 4, 3, 0, 0, 0, 12);
    uint64_t i1 = f.idx[1];

    ok = ok && prove(&f, 0, &pf, &d) == ZKR_OK;
    ok = ok && zkr_prover_record_commit(&f.p, f.recs[i1], dims[0] + 1, 64, rs, sizeof rs, 1,
                                        f.allc[i1], f.allo[i1]) == ZKR_OK;
    ok = ok && zkr_record_commitment_decode(&f.p, f.allc[i1], ZKR_RECORD_COMMIT_BYTES, &b) ==
                   ZKR_OK &&
         zkr_record_commitment_decode(&f.p, f.rc[0], ZKR_RECORD_COMMIT_BYTES, &a) == ZKR_OK;
    zkr_tap_ok(t, ok && a.comm.blind_vars != b.comm.blind_vars,
               "blind_mixed: record 1 recommitted with e = %u (record 0: e = %u)",
               ok ? b.comm.blind_vars : 0, ok ? a.comm.blind_vars : 0);
    zkr_infer2_record_leaf(f.allc[i1], f.leaves[i1]);
    ok = ok && zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])f.leaves, T2FX_NREC, root) ==
                   ZKR_OK;
    memcpy(f.pub.root, root, sizeof root);
    for (uint32_t q = 0; ok && q < 3; q++) {
        ok = zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])f.leaves, T2FX_NREC,
                                        f.idx[q], f.paths[q], &f.plen[q]) == ZKR_OK;
        memcpy(f.rc[q], f.allc[f.idx[q]], ZKR_RECORD_COMMIT_BYTES);
        memcpy(f.ro[q], f.allo[f.idx[q]], ZKR_RECORD_OPENING_BYTES);
    }
    memset(&d, 0, sizeof d);
    zkr_tap_ok(t, ok && zkr_verify_train2(&f.p, f.sid, &f.pub, pf.p, pf.len, &d) ==
                            ZKR_ERR_MISMATCH_INPUT && strstr(d.msg, "blinding") != NULL,
               "blind_mixed: the statement refused (%s)", d.msg);
    zkr_buf_free(&pf);
    t2fx_free(&f);
}

/* V's last entry 256, the range proof's LogUp gap absorbed by g_R(r_R) (zkr_train2_cheat.range_off). */
static void range_off(zkr_tap *t)
{
    t2fx f;
    zkr_buf pf = {0};
    zkr_diag d = {0}, d2 = {0};
    zkr_train2_cheat ch;
    uint8_t seed[32] = {9};
    zkr_err vr = ZKR_ERR_INTERNAL, off = ZKR_ERR_INTERNAL;
    int ok = t2fx_setup_sh(t, &f, dims, 4, 3, 0, 0, 0, 12);

    memset(&ch, 0, sizeof ch);
    ch.range_off = 1;
    ok = ok && zkr_prover_train2_cheat(&f.p, f.sid, &f.pub, &f.sec, &ch, seed, sizeof seed, &pf,
                                       &d) == ZKR_OK;
    zkr_tap_ok(t, ok, "range_off: the cheating prover produced a proof (%s)", ok ? "" : d.msg);
    if (ok) {
        vr = zkr_verify_train2(&f.p, f.sid, &f.pub, pf.p, pf.len, &d);
        off = zkr_verify_train2_off(&f.p, f.sid, &f.pub, pf.p, pf.len, ZKR_T2_OFF_COEF, &d2);
    }
    zkr_tap_ok(t, vr == ZKR_ERR_VERIFY && strstr(d.msg, "linear sumcheck") != NULL,
               "range_off: refused (%s)", d.msg);
    zkr_tap_ok(t, off == ZKR_OK, "range_off: teeth: accepted with C's linear sumcheck off (%s)",
               d2.msg);
    zkr_buf_free(&pf);
    t2fx_free(&f);
}

/* The dataset rebuilt around record idx[0] recommitted at budget B (batch 1). */
static int recommit(t2fx *f, uint32_t budget)
{
    uint8_t rs[32] = {0x78, (uint8_t)budget, (uint8_t)(budget >> 8)}, root[ZKR_DIGEST_BYTES];
    uint64_t i0 = f->idx[0];

    if (zkr_prover_record_commit(&f->p, f->recs[i0], dims[0] + 1, budget, rs, sizeof rs, 1,
                                 f->allc[i0], f->allo[i0]) != ZKR_OK)
        return 0;
    zkr_infer2_record_leaf(f->allc[i0], f->leaves[i0]);
    if (zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])f->leaves, T2FX_NREC, root) != ZKR_OK ||
        zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])f->leaves, T2FX_NREC, i0,
                                   f->paths[0], &f->plen[0]) != ZKR_OK)
        return 0;
    memcpy(f->pub.root, root, sizeof root);
    memcpy(f->rc[0], f->allc[i0], ZKR_RECORD_COMMIT_BYTES);
    memcpy(f->ro[0], f->allo[i0], ZKR_RECORD_OPENING_BYTES);
    return 1;
}

/*
 * The zero-knowledge side (version 5: a record reveals its positions and
 * two values per proof): the first budget B whose record commitment's
 * random entries 2^n (2^e - 1) (e its owner's, for the set's count) lie in
 * [B (positions(q') + 1), B (positions(q') + 2)), which one value per
 * proof would pass, is refused by the prover (UNSUPPORTED); the last
 * budget below it that two values take proves and verifies. The test set: such a window holds a 2^n (2^e - 1) only
 * once B ~ positions, a record of ~2 log2(positions) variables (seconds at
 * the full set's count, milliseconds here).
 */
static void budget_edge(zkr_tap *t)
{
    t2fx f;
    zkr_diag d = {0};
    zkr_buf pf = {0};
    uint8_t seed[32] = {9};
    uint32_t bad = 0, good = 0, n = zkr_log2_ceil(dims[0] + 1);
    unsigned e0 = 0;
    unsigned __int128 pos = 0;
    int ok = t2fx_setup_sh(t, &f, dims, 4, 1, 1, 0, 0, 12), ok2;

    for (uint32_t b = 1; ok && b <= ZKR_HPCS_MAX_BUDGET && !bad; b++) {
        unsigned e = zkr_hpcs_blind_vars(&f.p, n, b);
        unsigned __int128 rnd = (((unsigned __int128)1 << e) - 1) << n;
        if (e == 0)
            break;
        if (e != e0) { /* q' depends on the records' n + e only (the shape fixed) */
            zkr_params pq;
            zkr_train2_params(&f.p, &f.pub.s, n + e, &pq);
            pos = zkr_hpcs_positions_per_open(&pq, n + e);
            e0 = e;
        }
        if (rnd >= (unsigned __int128)b * (pos + 1) && rnd < (unsigned __int128)b * (pos + 2))
            bad = b;
        else if (rnd >= (unsigned __int128)b * (pos + 2))
            good = b; /* the last budget below bad that two values per proof take */
    }
    zkr_tap_ok(t, bad > 1 && good > 0,
               "budget_edge: B = %u: one value per proof would pass, two do not (B = %u: both)",
               bad, good);
    ok = ok && bad > 1 && good > 0;
    ok2 = ok && recommit(&f, good) &&
          zkr_prover_train2(&f.p, f.sid, &f.pub, &f.sec, seed, sizeof seed, 1, &pf, &d) == ZKR_OK;
    zkr_tap_ok(t, ok2 && zkr_verify_train2(&f.p, f.sid, &f.pub, pf.p, pf.len, &d) == ZKR_OK,
               "budget_edge: B = %u proves and verifies (%s)", good, d.msg);
    zkr_buf_free(&pf);
    memset(&d, 0, sizeof d);
    ok = ok && recommit(&f, bad);
    zkr_tap_ok(t, ok && zkr_prover_train2(&f.p, f.sid, &f.pub, &f.sec, seed, sizeof seed, 1, &pf,
                                          &d) == ZKR_ERR_UNSUPPORTED &&
                      strstr(d.msg, "does not cover its budget") != NULL,
               "budget_edge: B = %u refused by the prover (%s)", bad, d.msg);
    zkr_buf_free(&pf);
    t2fx_free(&f);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    cap(&t, ZKR_HPCS_MAX_MIXED - 4, ZKR_HPCS_MAX_MIXED - 5, "claim reduction", 1);
    cap(&t, ZKR_HPCS_MAX_MIXED - 2, ZKR_HPCS_MAX_MIXED - 3, "batch records' opening", 0);
    blind_mixed(&t);
    range_off(&t);
    budget_edge(&t);
    return zkr_tap_done(&t);
}
