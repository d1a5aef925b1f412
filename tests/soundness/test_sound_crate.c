/*
 * inference@2 version 10's C opening at its own rate and count
 * (zkr_infer2_c_params; adversarial review, docs/soundness.md
 * "inference@2", "Version 10: C's opening at its own rate and count").
 * For the bench shapes
 * (784-128-10, 784-512-512-10) and two small ones, at every parameter
 * set, both output modes, W' blinded at the default budget, at budget 1 and at its
 * widest, and every record size n + e a record commitment may carry (and
 * 0, the worst, for the printed figure):
 * - C's parameters are the same from the figure's side (the set's p) and
 *   the prover's and verifier's (p at q'): C's variables lc as the verifier
 *   derives them (T_A from the real sizes), pc from them;
 * - C's error at pc, recomputed here by hand from [H24]'s statements (the
 *   JBR bound scanned over m, beside the UD bound, on the fold schedule
 *   zkr_hpcs_verify reads, C's blinding from the hiding rule) equals
 *   zkr_infer2_c_err and is at most 2^-(target + 6); the codeword stays
 *   within 2^28 and pc differs from p only in rate, max_vars, count and
 *   (version 12) fold arity, ZKR_INFER2_C_FOLD_ARITY;
 * - the figure is a union bound that contains C's error at pc: 2^-figure
 *   is at least the mixed opening's error plus C's, and above it by no
 *   more than the algebraic terms (< 2^-140); and >= 128 provable bits;
 * - lc may differ between the first count the query search tries and q'
 *   (V's blinding follows the count; 1-1 and 2-2 at budget 1, sets 2 and
 *   3): the search keeps C's parameters per lc (it kept the first count's),
 *   and every case above, those included, is checked at its q'; the count
 *   of such cases is printed.
 * Nothing is typed in: every figure is computed from the parameters.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "zk/infer2_int.h"
#include "zk/ldr.h"
#include "zk/zk.h"
#include "zkr_config.h"

#define LOG2_F (3.0 * 63.99999999966)

static unsigned out_vars(uint32_t od)
{
    unsigned n = zkr_log2_ceil(od);
    return n ? n : 1;
}

/* W' blinding: big_e 1 the widest its size admits; 2 budget 1's; 0 the default budget's. */
static int mc_of(const zkr_params *p, unsigned L, const uint32_t *d, int big_e,
                 zkr_infer2_model_commitment *mc, zkr_infer2_shape *sh)
{
    uint32_t in[ZKR_INFER_MAX_LAYERS] = {0}, sft[ZKR_INFER_MAX_LAYERS] = {0};
    int relu[ZKR_INFER_MAX_LAYERS] = {0};

    for (unsigned l = 0; l < L; l++) {
        in[l] = d[l];
        relu[l] = l + 1 < L;
        sft[l] = 8;
    }
    if (zkr_infer2_shape_init(sh, d[0], L, in, d + 1, relu, sft) != ZKR_OK)
        return 0;
    memset(mc, 0, sizeof *mc);
    mc->param_set = p->id;
    mc->n_layers = L;
    for (unsigned l = 0; l < L; l++) {
        unsigned n = sh->s.layer[l].lk + sh->lm[l], room = p->max_vars - n;
        unsigned e = big_e == 1 ? (room < ZKR_HPCS_MAX_BLIND_VARS ? room : ZKR_HPCS_MAX_BLIND_VARS)
                                : zkr_hpcs_blind_vars(p, n, big_e ? 1 : ZKR_HPCS_DEFAULT_BUDGET);
        if (e == 0)
            return 0;
        mc->shifts[l] = 8;
        mc->w[l].n_vars = n;
        mc->w[l].blind_vars = e;
    }
    return 1;
}

/*
 * The reduction as the verifier builds it at pq (q'), the record's claim
 * not yet added (zkr_infer2_mixed_err's input); *lc: C's variables with the
 * record at rec_total (0: T_A at max_vars, the figure's worst case).
 */
static void red_of(const zkr_params *p, const zkr_params *pq, const zkr_infer2_shape *sh,
                   const zkr_infer2_model_commitment *mc, int pub, unsigned rec_total,
                   zkr_infer2_red *red, unsigned *lc)
{
    unsigned wt[ZKR_INFER_MAX_LAYERS], L = sh->s.n_layers, ot = 0, ta;
    unsigned ve = zkr_hpcs_blind_vars(pq, sh->n_v, zkr_infer2_v_budget(L));
    zkr_ext zz[64] = {{{0}}}, zv[4] = {{{0}}};

    for (unsigned l = 0; l < L; l++)
        wt[l] = mc->w[l].n_vars + mc->w[l].blind_vars;
    if (!pub)
        ot = out_vars(sh->s.layer[L - 1].out_dim) +
             zkr_infer2_out_blind_vars(p, sh->s.layer[L - 1].out_dim);
    zkr_infer2_red_init(sh, wt, sh->n_v + ve, ot, red);
    zkr_infer2_red_add_range(red, L, zz, zv);
    ta = rec_total ? rec_total : p->max_vars;
    *lc = zkr_infer2_lc_vars5(sh->N, red->TA > ta ? red->TA : ta, zkr_zkrange_sc_vars(sh->n_v));
}

/* [H24]'s eps(C, M, B) on |D| = 2^log_dom at rate 2^-lb, multiplicity m. */
static double eps_h24(unsigned log_dom, unsigned lb, double M, double B, unsigned m)
{
    double rho = ldexp(1.0, -(int)lb), mh = m + 0.5, dom = ldexp(1.0, (int)log_dom);
    double a = pow(mh, 7.0) / (3.0 * pow(rho, 1.5)) * dom * dom;
    double b = (mh / sqrt(rho)) * 2.0 * (B * dom + 1.0);

    return M * (a > b ? a : b) * exp2(-LOG2_F);
}

/*
 * C's opening's error at pc by hand: its blinding e (2^lc (2^e - 1) random
 * coefficients outnumber the q 2^a layer-0 positions one opening reveals,
 * + 1), then the better of UD (commit terms on the plain schedule, as
 * zkr_infer2_open_err counts them for one word and the mask) and JBR
 * (batch of C and the mask, M = 1; every fold round; the queries; the
 * sumcheck's and the value's scalars) on the schedule the verifier folds
 * with (zkr_hpcs_layout_of). 1 when no e fits.
 */
static double c_err_hand(const zkr_params *pc, unsigned lc, unsigned *tc_out)
{
    unsigned e, tc;
    zkr_pcs_layout lp, lh;
    double rho = ldexp(1.0, -(int)pc->log_blowup), inv_f = exp2(-LOG2_F), dom, ud, best = 1.0;

    for (e = 1; e <= ZKR_HPCS_MAX_BLIND_VARS && lc + e <= pc->max_vars; e++) {
        zkr_pcs_layout_of(pc, lc + e, &lp);
        if (ldexp(1.0, (int)lc) * (ldexp(1.0, (int)e) - 1.0) >=
            (double)pc->queries * ldexp(1.0, (int)lp.folds[0]) + 1.0)
            break;
    }
    if (e > ZKR_HPCS_MAX_BLIND_VARS || lc + e > pc->max_vars)
        return 1.0;
    tc = lc + e;
    *tc_out = tc;
    zkr_pcs_layout_of(pc, tc, &lp);
    zkr_hpcs_layout_of(pc, tc, &lh);
    if (lh.log_len[0] != tc + pc->log_blowup || lp.log_len[0] != lh.log_len[0])
        return 1.0;
    dom = ldexp(1.0, (int)lp.log_len[0]);
    ud = (lp.folds_total * dom + 4.0 * tc + 2.0 * dom + 2.0) * inv_f +
         exp2(-(pc->queries * -log2((1.0 + rho) / 2.0) + pc->pow_bits));
    for (unsigned m = 3; m <= 64; m++) {
        double j = eps_h24(lh.log_len[0], pc->log_blowup, 1.0, 1.0, m);
        for (unsigned i = 1; i <= lh.folds_total; i++)
            j += inv_f + eps_h24(lh.log_len[0] - i, pc->log_blowup, 1.0, ldexp(1.0, (int)i), m);
        j += pow(sqrt(rho) * (1.0 + 1.0 / (2.0 * m)), (double)pc->queries) *
             exp2(-(double)pc->pow_bits);
        j += (4.0 * tc + 2.0) * inv_f;
        if (j < best)
            best = j;
    }
    return best < ud ? best : ud;
}

typedef struct {
    unsigned cases, bad_params, bad_same, bad_hand, bad_want, bad_shape, bad_union, bad_fig;
    unsigned lc_moves;
    double worst_c, worst_fig, worst_rest;
    char worst_at[128];
} tally;

static void one_case(const zkr_params *p, unsigned L, const uint32_t *d, int big_e, int pub,
                     unsigned rt, tally *t)
{
    zkr_infer2_model_commitment mc;
    zkr_infer2_shape sh;
    zkr_infer2_red red, red0;
    zkr_params pq, p0 = *p, pc, pcf;
    zkr_soundness f;
    unsigned lc, lc0, tc = 0, nrec;
    double want = exp2(-((double)p->target_bits + ZKR_INFER2_C_MARGIN_BITS)), ce, hand, mixed;

    if (!mc_of(p, L, d, big_e, &mc, &sh))
        return;
    t->cases++;
    if (zkr_infer2_params(p, &mc, d[0], d + 1, pub, rt, &pq) != ZKR_OK) {
        t->bad_params++;
        return;
    }
    f = zkr_infer2_soundness(p, &mc, d[0], d + 1, pub, rt, NULL);
    red_of(p, &pq, &sh, &mc, pub, rt, &red, &lc);
    /* the search's first count: the same lc? (C's parameters are fixed once there) */
    p0.queries = zkr_ldr_q_start(p);
    red_of(p, &p0, &sh, &mc, pub, rt, &red0, &lc0);
    t->lc_moves += lc0 != lc;
    zkr_infer2_c_params(&pq, lc, &pc);  /* the prover's and verifier's (p at q') */
    zkr_infer2_c_params(p, lc, &pcf);   /* the figure's (the set's p) */
    if (pc.log_blowup != pcf.log_blowup || pc.max_vars != pcf.max_vars ||
        pc.queries != pcf.queries)
        t->bad_same++;
    ce = zkr_infer2_c_err(&pc, lc);
    hand = c_err_hand(&pc, lc, &tc);
    if (!(fabs(hand - ce) <= 1e-9 * hand))
        t->bad_hand++;
    if (!(hand <= want))
        t->bad_want++;
    if (pc.id != p->id || pc.fold_arity != ZKR_INFER2_C_FOLD_ARITY || pc.final_vars != p->final_vars ||
        pc.pow_bits != p->pow_bits || pc.target_bits != p->target_bits ||
        pc.log_blowup < p->log_blowup || pc.log_blowup > ZKR_INFER2_C_LOG_BLOWUP ||
        pc.max_vars + pc.log_blowup != p->max_vars + p->log_blowup || tc > pc.max_vars ||
        tc + pc.log_blowup > 28 || pc.queries == 0 || pc.queries >= 2 * p->queries)
        t->bad_shape++;
    /* the union bound holds C's error at pc, and little else beside the mixed opening's */
    nrec = sh.n_rec + 1;
    mixed = zkr_infer2_mixed_err(&pq, &red, rt ? rt : nrec, rt ? rt : p->max_vars);
    {
        double all = exp2(-f.provable_bits), rest = all - (mixed + ce);
        if (rest < -1e-12 * all || rest > exp2(-140.0))
            t->bad_union++;
        if (rest > 0 && -log2(rest) < t->worst_rest)
            t->worst_rest = -log2(rest);
    }
    if (f.provable_bits < (double)p->target_bits)
        t->bad_fig++;
    if (-log2(hand) < t->worst_c)
        t->worst_c = -log2(hand);
    if (f.provable_bits < t->worst_fig) {
        t->worst_fig = f.provable_bits;
        snprintf(t->worst_at, sizeof t->worst_at,
                 "%u-%u.. %u layers, e %s, %s, rec %u: q' %u, C at 1/%u x %u, lc %u", d[0], d[1],
                 L, big_e == 1 ? "widest" : big_e ? "budget 1" : "default",
                 pub ? "public" : "hidden", rt, pq.queries, 1u << pc.log_blowup, pc.queries, lc);
    }
}

static void scan(zkr_tap *tp, uint32_t set)
{
    static const uint32_t shp[4][5] = {{784, 128, 10}, {784, 512, 512, 10}, {1, 1}, {2, 2}};
    static const unsigned nl[4] = {2, 3, 1, 1};
    tally t = {0};
    zkr_params p;

    t.worst_c = t.worst_fig = t.worst_rest = 1e9;
    if (zkr_params_get(set, &p) != ZKR_OK) {
        zkr_tap_ok(tp, 0, "set %u", set);
        return;
    }
    for (unsigned k = 0; k < 4; k++) {
        unsigned nrec = zkr_log2_ceil((uint64_t)shp[k][0] + 1);
        for (int big_e = 0; big_e < 3; big_e++)
            for (int pub = 0; pub < 2; pub++)
                for (unsigned rt = 0; rt <= p.max_vars; rt = rt ? rt + 1 : nrec + 1)
                    one_case(&p, nl[k], shp[k], big_e, pub, rt, &t);
    }
    zkr_tap_diag("%s: %u cases; C's error at its own parameters at worst 2^-%.2f; figure at "
                 "worst %.3f (%s); the algebraic rest at most 2^-%.1f; lc moved during the "
                 "search in %u cases", zkr_params_name(set), t.cases, t.worst_c, t.worst_fig,
                 t.worst_at, t.worst_rest, t.lc_moves);
    zkr_tap_ok(tp, t.cases > 100 && t.bad_params == 0,
               "%s: every case reaches the target at its q' (%u refused)", zkr_params_name(set),
               t.bad_params);
    zkr_tap_ok(tp, t.bad_same == 0,
               "%s: C's parameters from the set (the figure's) and from q' (the prover's and "
               "verifier's) agree (%u differ)", zkr_params_name(set), t.bad_same);
    zkr_tap_ok(tp, t.bad_hand == 0 && t.bad_want == 0,
               "%s: C's error at its parameters, by hand from [H24] and the UD bound, equals "
               "zkr_infer2_c_err and is <= 2^-(%u + 6) (%u differ, %u above)",
               zkr_params_name(set), p.target_bits, t.bad_hand, t.bad_want);
    zkr_tap_ok(tp, t.bad_shape == 0,
               "%s: C's parameters: the set's but for the rate (up to 1/%u), max_vars (the "
               "longest codeword kept, <= 2^28) and a count in 1..2q-1 (%u off)",
               zkr_params_name(set), 1u << ZKR_INFER2_C_LOG_BLOWUP, t.bad_shape);
    zkr_tap_ok(tp, t.bad_union == 0 && t.bad_fig == 0,
               "%s: the figure is the union bound holding C's error at its parameters and the "
               "mixed opening's (the rest < 2^-140), >= %u provable bits (worst %.3f; %u, %u off)",
               zkr_params_name(set), p.target_bits, t.worst_fig, t.bad_union, t.bad_fig);
}

/*
 * Version 12 (adversarial review): C's opening folds ZKR_INFER2_C_FOLD_ARITY
 * rounds at layer 0, not the set's fold_arity. Over every lc C may have
 * (1 up to the set's max_vars), wherever zkr_infer2_c_params reaches C's
 * margin: pc is a set the code carries; the prover's tree (the plain
 * layout's folds[0]) and the verifier's schedule (zkr_hpcs_layout_of) both
 * open leaves of 2^a values, a = min(arity, tc - final_vars) taken from the
 * constant here, not from a layout; a masked leaf (C's word and Z's three
 * a value) fits the tree's widest; the schedule folds all of tc but the
 * final polynomial in steps of 1..ZKR_PCS_MAX_FOLD_ARITY; C's blinding,
 * recomputed from a, outnumbers the q 2^a values one opening reveals, + 1
 * (a blinding sized for a wider leaf would be counted here as the
 * verifier's and the prover's: both read zkr_hpcs_blind_vars at pc); and
 * C's error is within the margin. lc where no rate reaches it keep the
 * fallback (twice p's count, the figure refused): counted, not checked.
 */
static void scan_lc(zkr_tap *tp, uint32_t set)
{
    zkr_params p;
    double want;
    unsigned reach = 0, bad_check = 0, bad_leaf = 0, bad_sched = 0, bad_blind = 0, bad_err = 0;
    unsigned lo = 0, hi = 0;

    if (zkr_params_get(set, &p) != ZKR_OK) {
        zkr_tap_ok(tp, 0, "set %u", set);
        return;
    }
    want = exp2(-((double)p.target_bits + ZKR_INFER2_C_MARGIN_BITS));
    for (unsigned lc = 1; lc <= p.max_vars; lc++) {
        zkr_params pc;
        zkr_pcs_layout lp, lh;
        unsigned e, tc, a, sum = 0;

        zkr_infer2_c_params(&p, lc, &pc);
        if (!(zkr_infer2_c_err(&pc, lc) <= want))
            continue;
        reach++;
        if (!lo)
            lo = lc;
        hi = lc;
        e = zkr_hpcs_blind_vars(&pc, lc, 1);
        tc = lc + e;
        if (zkr_params_check(&pc) != ZKR_OK || pc.fold_arity != ZKR_INFER2_C_FOLD_ARITY ||
            e == 0 || tc > pc.max_vars) {
            bad_check++;
            continue;
        }
        a = tc - pc.final_vars < ZKR_INFER2_C_FOLD_ARITY ? tc - pc.final_vars
                                                         : ZKR_INFER2_C_FOLD_ARITY;
        zkr_pcs_layout_of(&pc, tc, &lp);
        zkr_hpcs_layout_of(&pc, tc, &lh);
        if (lp.folds[0] != a || lh.folds[0] != a || (4u << a) > ZKR_MT_MAX_LEAF_WORDS)
            bad_leaf++;
        for (unsigned l = 0; l < lh.n_layers; l++) {
            if (lh.folds[l] > ZKR_PCS_MAX_FOLD_ARITY || (l > 0 && lh.folds[l] == 0) ||
                lh.log_len[l + 1] + lh.folds[l] != lh.log_len[l])
                bad_sched++;
            sum += lh.folds[l];
        }
        if (sum != lh.folds_total || lh.folds_total + lh.final_vars != tc ||
            lh.log_len[0] != tc + pc.log_blowup)
            bad_sched++;
        if (ldexp(1.0, (int)lc) * (ldexp(1.0, (int)e) - 1.0) <
            (double)pc.queries * ldexp(1.0, (int)a) + 1.0)
            bad_blind++;
        if (!(zkr_infer2_c_err(&pc, lc) <= want))
            bad_err++;
    }
    zkr_tap_ok(tp, reach > 0 && bad_check == 0 && bad_leaf == 0 && bad_sched == 0 &&
                       bad_blind == 0 && bad_err == 0,
               "%s: version 12, every lc in %u..%u reaching C's margin (%u of 1..%u): pc carried, "
               "leaves of 2^%u values on both sides, a whole fold schedule, the blinding covering "
               "q 2^a + 1 (%u, %u, %u, %u, %u off)",
               zkr_params_name(set), lo, hi, reach, p.max_vars, ZKR_INFER2_C_FOLD_ARITY,
               bad_check, bad_leaf, bad_sched, bad_blind, bad_err);
}

int main(int argc, char **argv)
{
    zkr_tap t;

    zkr_tap_init(&t, argc, argv);
    for (uint32_t set = ZKR_PARAM_SET_128; set <= ZKR_PARAM_SET_128_R64; set++)
        scan(&t, set);
    for (uint32_t set = ZKR_PARAM_SET_128; set <= ZKR_PARAM_SET_128_R64; set++)
        scan_lc(&t, set);
    return zkr_tap_done(&t);
}
