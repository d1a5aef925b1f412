/*
 * The list-decoding (Johnson bound, JBR) figure of one hiding opening, from
 * [H24] Theorems 1 and 4 as stated in zk/ldr.h, beside the unique-decoding
 * one; the better of the two is the opening's figure.
 */
#include <math.h>

#include "zk/ldr.h"
#include "zk/zk_int.h"

/*
 * zkr_ldr_eps's factors that depend on (log_blowup, m) only: a bound's
 * terms are summed over every fold and join at one m, and pow dominated the
 * soundness scans. Each is the same expression, so the sums are bit for bit
 * those of zkr_ldr_eps.
 */
typedef struct {
    double a6;    /* (m + 1/2)^6 / (3 rho) */
    double mr;    /* (m + 1/2) / sqrt(rho) */
    double inv_f; /* 1 / |F|, the opening's challenge field */
} zkr_ldr_eps_k;

static zkr_ldr_eps_k zkr_ldr_eps_k_of(unsigned log_blowup, unsigned m, double log2_field)
{
    double rho = ldexp(1.0, -(int)log_blowup), sr = sqrt(rho), mh = (double)m + 0.5;

    return (zkr_ldr_eps_k){pow(mh, 6.0) / (3.0 * rho), mh / sr, exp2(-log2_field)};
}

static double zkr_ldr_eps_at(const zkr_ldr_eps_k *k, unsigned log_dom, double M, double B)
{
    double dom = ldexp(1.0, (int)log_dom);
    double a = k->a6 * dom * dom, b = 2.0 * (B * dom + 1.0);

    return M * k->inv_f * k->mr * (a > b ? a : b);
}

double zkr_ldr_eps(unsigned log_dom, unsigned log_blowup, double M, double B, unsigned m)
{
    zkr_ldr_eps_k k = zkr_ldr_eps_k_of(log_blowup, m, ZKR_LOG2_EXT_FIELD);

    return zkr_ldr_eps_at(&k, log_dom, M, B);
}

double zkr_ldr_query_bits(unsigned log_blowup, unsigned m)
{
    double sr = sqrt(ldexp(1.0, -(int)log_blowup));

    return -log2(sr * (1.0 + 1.0 / (2.0 * (double)m)));
}

/* The JBR bound at m over a field of 2^lf, its terms in out (out->m, t_*, jbr_err). */
static void zkr_ldr_at(const zkr_params *p, const zkr_pcs_layout *l, double lf, unsigned words,
                       const zkr_ldr_join *joins, size_t n_joins, unsigned m, zkr_ldr_fig *out)
{
    unsigned lb = p->log_blowup, ld0 = l->log_len[0];
    zkr_ldr_eps_k k = zkr_ldr_eps_k_of(lb, m, lf);
    double inv_f = k.inv_f;

    out->m = m;
    out->t_batch = zkr_ldr_eps_at(&k, ld0, (double)words - 1.0, 1.0);
    out->t_folds = 0;
    for (unsigned i = 1; i <= l->folds_total; i++)
        out->t_folds += inv_f + zkr_ldr_eps_at(&k, ld0 - i, 1.0, ldexp(1.0, (int)i));
    out->t_joins = 0;
    for (size_t j = 0; j < n_joins; j++) {
        unsigned d = joins[j].round;
        /* a join past the last fold has no round to join: counted at the last */
        if (d > l->folds_total)
            d = l->folds_total;
        out->t_joins += (double)joins[j].words *
                        (inv_f + zkr_ldr_eps_at(&k, ld0 - d, 1.0, ldexp(1.0, (int)d)));
    }
    out->t_query = exp2(-((double)p->queries * zkr_ldr_query_bits(lb, m) + p->pow_bits));
    out->jbr_err = out->t_batch + out->t_folds + out->t_joins + out->t_query + out->t_alg;
}

/*
 * One opening's figure on schedule l, over a challenge field of 2^lf: every
 * opening's is F_p^3's (zkr_ldr_open); only the mixed opening's may be
 * F_p^6's (zkr_hpcs_mixed_fig, p->mixed_ext6).
 */
static void zkr_ldr_open_on(const zkr_params *p, const zkr_pcs_layout *l, double lf,
                            unsigned words, const zkr_ldr_join *joins, size_t n_joins,
                            double ud_commit, zkr_ldr_fig *out)
{
    zkr_ldr_fig best, cur;
    double rho = ldexp(1.0, -(int)p->log_blowup);

    cur = (zkr_ldr_fig){0};
    /* The folding sumcheck (degree 2, 2 per round) and the value's scalars
     * (beta, rho), as the UD figure counts them. */
    cur.t_alg = (4.0 * l->n_vars + 2.0) * exp2(-lf);
    cur.ud_err = ud_commit + exp2(-((double)p->queries * -log2((1.0 + rho) / 2.0) +
                                    p->pow_bits));
    best = cur;
    best.jbr_err = 1.0;
    for (unsigned m = ZKR_LDR_M_MIN; m <= ZKR_LDR_M_MAX; m++) {
        zkr_ldr_at(p, l, lf, words, joins, n_joins, m, &cur);
        if (cur.jbr_err < best.jbr_err)
            best = cur;
    }
    best.regime = best.jbr_err < best.ud_err ? ZKR_LDR_JBR : ZKR_LDR_UD;
    best.err = best.regime == ZKR_LDR_JBR ? best.jbr_err : best.ud_err;
    *out = best;
}

void zkr_ldr_open(const zkr_params *p, unsigned total_vars, unsigned words,
                  const zkr_ldr_join *joins, size_t n_joins, double ud_commit, zkr_ldr_fig *out)
{
    zkr_pcs_layout l;

    zkr_hpcs_layout_of(p, total_vars, &l);
    zkr_ldr_open_on(p, &l, ZKR_LOG2_EXT_FIELD, words, joins, n_joins, ud_commit, out);
}

void zkr_ldr_open_mixed(const zkr_params *p, unsigned total_vars, unsigned words,
                        const zkr_ldr_join *joins, size_t n_joins, double ud_commit,
                        zkr_ldr_fig *out)
{
    zkr_pcs_layout l;

    zkr_hpcs_mixed_layout_of(p, total_vars, &l);
    zkr_ldr_open_on(p, &l, zkr_params_log2_field(p), words, joins, n_joins, ud_commit, out);
}

double zkr_ldr_open_err(const zkr_params *p, unsigned total_vars, unsigned words,
                        double ud_commit)
{
    zkr_ldr_fig f;

    zkr_ldr_open(p, total_vars, words, NULL, 0, ud_commit, &f);
    return f.err;
}

unsigned zkr_ldr_q_floor(const zkr_params *p)
{
    double per = (double)p->log_blowup / 2.0; /* -log2 sqrt(rho) */
    double need = (double)p->target_bits - p->pow_bits;

    return need <= 0 ? 1u : (unsigned)ceil(need / per);
}

unsigned zkr_ldr_q_start(const zkr_params *p)
{
    unsigned f = zkr_ldr_q_floor(p);

    /* a test set whose queries cannot reach its target keeps its search range */
    return f < p->queries ? f : p->queries;
}

int zkr_hpcs_round_factored(const zkr_ext msg[2], zkr_ext claim, zkr_ext z)
{
    /* q(0) = msg[0], q(1) = claim - q(0), q(2) = msg[1]; with q = a + bX + cX^2,
     * c2 = 2c, b2 = 2b, and w = 1 - 2z, u = 1 - z (X0 = u / w):
     * 2 w^2 q(X0) = 2a w^2 + b2 u w + c2 u^2. At w = 0 (u = 1/2) it is c2 / 4:
     * zero exactly when q has degree <= 1. */
    zkr_ext q0 = msg[0], q1 = zkr_ext_sub(claim, msg[0]), q2 = msg[1];
    zkr_ext c2 = zkr_ext_add(zkr_ext_sub(q2, zkr_ext_add(q1, q1)), q0);
    zkr_ext d = zkr_ext_sub(q1, q0);
    zkr_ext b2 = zkr_ext_sub(zkr_ext_add(d, d), c2);
    zkr_ext one = zkr_ext_from(1);
    zkr_ext u = zkr_ext_sub(one, z), w = zkr_ext_sub(u, z);
    zkr_ext e = zkr_ext_mul(zkr_ext_add(q0, q0), zkr_ext_mul(w, w));

    e = zkr_ext_add(e, zkr_ext_mul(b2, zkr_ext_mul(u, w)));
    e = zkr_ext_add(e, zkr_ext_mul(c2, zkr_ext_mul(u, u)));
    return zkr_ext_eq(e, zkr_ext_from(0));
}

int zkr_hpcs_round_factored6(const zkr_ext6 msg[2], zkr_ext6 claim, zkr_ext z)
{
    /* zkr_hpcs_round_factored's identity with q over F_p^6 and z in F_p^3 */
    zkr_ext6 q0 = msg[0], q1 = zkr_ext6_sub(claim, msg[0]), q2 = msg[1];
    zkr_ext6 c2 = zkr_ext6_add(zkr_ext6_sub(q2, zkr_ext6_add(q1, q1)), q0);
    zkr_ext6 d = zkr_ext6_sub(q1, q0);
    zkr_ext6 b2 = zkr_ext6_sub(zkr_ext6_add(d, d), c2);
    zkr_ext u = zkr_ext_sub(zkr_ext_from(1), z), w = zkr_ext_sub(u, z);
    zkr_ext6 e = zkr_ext6_mul_ext(zkr_ext6_add(q0, q0), zkr_ext_mul(w, w));

    e = zkr_ext6_add(e, zkr_ext6_mul_ext(b2, zkr_ext_mul(u, w)));
    e = zkr_ext6_add(e, zkr_ext6_mul_ext(c2, zkr_ext_mul(u, u)));
    return zkr_ext6_eq(e, zkr_ext6_from_ext(zkr_ext_from(0)));
}

/* zkr_zkrange_alg_error's commit-phase term of one opening (total variables, words). */
static double zkr_ldr_ud_commit(const zkr_params *p, unsigned total, double words)
{
    zkr_pcs_layout l;
    double dom;

    zkr_pcs_layout_of(p, total, &l);
    dom = ldexp(1.0, (int)l.log_len[0]);
    return ((double)l.folds_total * dom + 4.0 * total + words * dom + 1.0) *
           exp2(-ZKR_LOG2_EXT_FIELD);
}

double zkr_ldr_zkrange_err(const zkr_params *p, unsigned n_vars, unsigned a_blind_vars)
{
    unsigned lc = zkr_zkrange_coef_vars(n_vars);
    unsigned ta = n_vars + a_blind_vars, tc = lc + zkr_hpcs_blind_vars(p, lc, 1);

    return zkr_ldr_open_err(p, ta, 5, zkr_ldr_ud_commit(p, ta, 5.0)) +
           zkr_ldr_open_err(p, tc, 2, zkr_ldr_ud_commit(p, tc, 2.0));
}

zkr_soundness zkr_ldr_hsoundness(const zkr_params *p, unsigned n_vars, unsigned extra_rounds,
                                 unsigned max_degree)
{
    zkr_soundness s = zkr_params_soundness(p, n_vars, extra_rounds, max_degree);
    zkr_ldr_fig f;
    double jbr;

    zkr_ldr_open(p, n_vars, ZKR_HPCS_MAX_BATCH + 1, NULL, 0, exp2(-s.provable_bits), &f);
    jbr = -log2(f.jbr_err + (double)extra_rounds * max_degree * exp2(-ZKR_LOG2_EXT_FIELD));
    if (jbr > s.provable_bits)
        s.provable_bits = jbr;
    return s;
}
