/*
 * evaluation@1 pieces shared by the prover and the verifier: the batch
 * layout, the polynomial groups of the openings, the public output, the
 * RFC 6962 range proof binding a record range to the dataset root, and
 * the transcript seed (docs/proof-system.md, "evaluation@1").
 */
#include <string.h>

#include "zk/cnn.h"
#include "zk/zk.h"
#include "zk/zk_int.h"

/* MU's variables: 256 per LogUp, grown to the next size some other polynomial has (one opening fewer). */
static void zkr_eval_mu_size(zkr_eval_shape *s)
{
    uint32_t L = s->inf.n_layers;
    unsigned best = 0, n = zkr_eval_n_polys(s);

    s->mu_log = s->tlog + zkr_log2_ceil((uint64_t)L + 1 + s->split);
    for (unsigned id = 0; id < n; id++) {
        unsigned v;
        if (id == 2 * L + 1)
            continue;
        v = zkr_eval_poly_vars(s, id);
        if (v >= s->mu_log && (best == 0 || v < best))
            best = v;
    }
    if (best)
        s->mu_log = best;
}

static zkr_err zkr_eval_fits(const zkr_eval_shape *s, unsigned max_vars)
{
    for (unsigned id = 0; id < zkr_eval_n_polys(s); id++)
        if (zkr_eval_poly_vars(s, id) > max_vars)
            return ZKR_ERR_TOO_LARGE;
    return ZKR_OK;
}

zkr_err zkr_eval_shape_init(zkr_eval_shape *s, uint32_t input_dim, uint32_t n_layers,
                            const uint32_t *in_dims, const uint32_t *out_dims, const int *relu,
                            const uint32_t *shifts, uint64_t count, unsigned max_vars)
{
    zkr_err r;

    memset(s, 0, sizeof *s);
    if ((r = zkr_infer_shape_init(&s->inf, input_dim, n_layers, in_dims, out_dims, relu,
                                  shifts)) != ZKR_OK)
        return r;
    if (count < 1 || count > ((uint64_t)1 << ZKR_EVAL_MAX_LB))
        return ZKR_ERR_TOO_LARGE;
    s->count = count;
    s->lb = zkr_log2_ceil(count);
    s->c = s->inf.layer[n_layers - 1].lm;
    s->nd = (s->c + 8 + 7) / 8;
    for (uint32_t l = 0; l < n_layers; l++) {
        s->vlog[l] = ZKR_INFER_SLOTS_LOG;
        s->ysl[l] = ZKR_INFER_SLOT_Y;
        s->nsl[l] = ZKR_INFER_SLOTS;
    }
    s->alog = ZKR_EVAL_ASLOTS_LOG;
    s->anu = ZKR_EVAL_ASLOTS;
    s->tlog = ZKR_INFER_TABLE_LOG;
    zkr_eval_mu_size(s);
    return zkr_eval_fits(s, max_vars);
}

zkr_err zkr_eval_shape_split(zkr_eval_shape *s, unsigned max_vars)
{
    uint64_t half, rem;

    if (s->split || s->lb < 2)
        return ZKR_OK;
    half = (uint64_t)1 << (s->lb - 1);
    rem = s->count - half; /* count > half: lb = ceil(log2 count) */
    if (rem == half || rem > half / 2)
        return ZKR_OK; /* a power of two, or padding at most a quarter */
    s->split = 1;
    s->lb_b = zkr_log2_ceil(rem);
    zkr_eval_mu_size(s);
    return zkr_eval_fits(s, max_vars);
}

unsigned zkr_eval_n_polys(const zkr_eval_shape *s)
{
    return ZKR_EVAL_N_POLYS(s->inf.n_layers) + (s->split ? 1u : 0u);
}

uint64_t zkr_eval_v0_records(const zkr_eval_shape *s)
{
    if (!s->split)
        return (uint64_t)1 << s->lb;
    return ((uint64_t)1 << (s->lb - 1)) + ((uint64_t)1 << s->lb_b);
}

void zkr_eval_v0_split_point(const zkr_eval_shape *s, const zkr_ext *pt, zkr_ext *pa,
                             zkr_ext *pb, zkr_ext *ca, zkr_ext *cb)
{
    unsigned lm = s->inf.layer[0].lm, top = lm + s->lb - 1;
    zkr_ext one = zkr_ext_from(1);

    /* pa: rows, records 0..lb-2, slots; pb: rows, records 0..lb_b-1, slots. */
    memcpy(pa, pt, top * sizeof *pt);
    memcpy(pa + top, pt + top + 1, s->vlog[0] * sizeof *pt);
    memcpy(pb, pt, (lm + s->lb_b) * sizeof *pt);
    memcpy(pb + lm + s->lb_b, pt + top + 1, s->vlog[0] * sizeof *pt);
    *ca = zkr_ext_sub(one, pt[top]);
    *cb = pt[top];
    for (unsigned i = lm + s->lb_b; i < top; i++)
        *cb = zkr_ext_mul(*cb, zkr_ext_sub(one, pt[i]));
}

zkr_ext zkr_eval_v0_masked_eq(const zkr_eval_shape *s, const zkr_ext *z, const zkr_ext *rho)
{
    unsigned lm = s->inf.layer[0].lm, lb = s->lb, top = lm + lb - 1;
    zkr_ext one = zkr_ext_from(1), low, full, mid = one, a0, a1;

    if (!s->split)
        return zkr_mle_eq_eval(z, rho, lm + lb);
    /* Rows and the second chunk's record bits: plain eq. */
    low = zkr_mle_eq_eval(z, rho, lm + s->lb_b);
    full = low;
    for (unsigned i = lm + s->lb_b; i < top; i++) {
        zkr_ext oo = zkr_ext_mul(zkr_ext_sub(one, z[i]), zkr_ext_sub(one, rho[i]));
        mid = zkr_ext_mul(mid, oo);
        full = zkr_ext_mul(full, zkr_ext_add(zkr_ext_mul(z[i], rho[i]), oo));
    }
    /* Records below 2^(lb-1) (top bit 0, the rest free), then the second chunk (top bit 1, bits lb_b..lb-2 zero). */
    a0 = zkr_ext_mul(zkr_ext_mul(zkr_ext_sub(one, z[top]), zkr_ext_sub(one, rho[top])), full);
    a1 = zkr_ext_mul(zkr_ext_mul(z[top], rho[top]), zkr_ext_mul(mid, low));
    return zkr_ext_add(a0, a1);
}

zkr_ext zkr_eval_v0_sel(const zkr_eval_shape *s, const zkr_ext *rho_b)
{
    zkr_ext one = zkr_ext_from(1), mid = one;

    if (!s->split)
        return one;
    for (unsigned i = s->lb_b; i + 1 < s->lb; i++)
        mid = zkr_ext_mul(mid, zkr_ext_sub(one, rho_b[i]));
    return zkr_ext_add(zkr_ext_sub(one, rho_b[s->lb - 1]), zkr_ext_mul(rho_b[s->lb - 1], mid));
}

unsigned zkr_eval_poly_vars(const zkr_eval_shape *s, unsigned id)
{
    uint32_t L = s->inf.n_layers;

    if (s->split && id == L)
        return s->inf.layer[0].lm + s->lb - 1 + s->vlog[0];
    if (s->split && id == 2 * L + 2)
        return s->inf.layer[0].lm + s->lb_b + s->vlog[0];
    if (id < L)
        return s->inf.layer[id].lm + s->inf.layer[id].lk;
    if (id < 2 * L)
        return s->inf.layer[id - L].lm + s->lb + s->vlog[id - L];
    if (id == 2 * L)
        return s->c + s->lb + s->alog;
    return s->mu_log;
}

zkr_err zkr_eval_rqn(const zkr_eval_shape *s, uint32_t l, zkr_cnn_rqn *a)
{
    const zkr_infer_layer *L = &s->inf.layer[l];

    return zkr_cnn_rqn_init(a, 1, 0, 0, L->shift, L->relu, s->ghb[l], s->glb[l]);
}

zkr_err zkr_eval_shape_v4(zkr_eval_shape *s, const unsigned *ghb, const unsigned *glb,
                          unsigned max_vars)
{
    zkr_cnn_rqn a;

    s->version = 4;
    for (uint32_t l = 0; l < s->inf.n_layers; l++) {
        if (ghb[l] > 63 || glb[l] > 63)
            return ZKR_ERR_MALFORMED; /* before the sum with the shift can wrap */
        s->ghb[l] = ghb[l];
        s->glb[l] = glb[l];
        /* A width over 63 - s lets 2^s (y + gh - gl) wrap mod p: refused here, on both sides. */
        if (zkr_eval_rqn(s, l, &a) != ZKR_OK || a.nsl + 1 > ZKR_CNN_RQN_MAX_SLOTS)
            return ZKR_ERR_MALFORMED;
        s->nsl[l] = a.nsl + 1;
        s->ysl[l] = a.nsl;
        s->vlog[l] = zkr_log2_ceil(a.nsl + 1);
    }
    s->nd = (s->c + 8 + ZKR_EVAL_LIMB4 - 1) / ZKR_EVAL_LIMB4;
    s->anu = 1 + 2 * s->nd;
    s->alog = zkr_log2_ceil(s->anu);
    s->tlog = ZKR_EVAL_LIMB4;
    zkr_eval_mu_size(s);
    return zkr_eval_fits(s, max_vars);
}

unsigned zkr_eval_entries(const zkr_eval_shape *s, unsigned i, zkr_eval_entry *ent,
                          unsigned *elog)
{
    uint32_t L = s->inf.n_layers, l = i < L ? i : 0;
    unsigned n = 0;
    zkr_cnn_rqn a;

    if (i == L) {
        /* A: the limbs of D and KA (E is boolean by the argmax zero-check). */
        for (unsigned k = 0; k < 2 * s->nd; k++)
            ent[n++] = (zkr_eval_entry){ZKR_EVAL_ASLOT_D0 + k, 1, 0};
    } else if (zkr_eval_rqn(s, l, &a) == ZKR_OK) {
        /* zkr_cnn_rqn's entries over V_l's slots: y = Y + lo. */
        for (unsigned k = 0; k < a.n_ent && n < ZKR_EVAL_MAX_ENTRIES; k++) {
            const zkr_cnn_rqn_entry *e = &a.ent[k];
            zkr_gl coef = zkr_gl_from_i64((int64_t)e->scale * e->sign);
            if (e->src == ZKR_CNN_RQN_SRC_Y)
                ent[n++] = (zkr_eval_entry){
                    s->ysl[l], coef,
                    zkr_gl_add(zkr_gl_from_i64(e->cst), zkr_gl_mul(coef, zkr_gl_from_i64(a.lo)))};
            else
                ent[n++] = (zkr_eval_entry){e->src, coef, zkr_gl_from_i64(e->cst)};
        }
    }
    *elog = zkr_log2_ceil(n ? n : 1);
    return n;
}

unsigned zkr_eval_am_slog(const zkr_eval_am_dims *m)
{
    return m->slog ? m->slog : ZKR_EVAL_ASLOTS_LOG;
}

unsigned zkr_eval_am_limb(const zkr_eval_am_dims *m)
{
    return m->limb ? m->limb : 8;
}

zkr_eval_am_dims zkr_eval_am_of(const zkr_eval_shape *s)
{
    const zkr_infer_layer *L = &s->inf.layer[s->inf.n_layers - 1];
    zkr_eval_am_dims m = {s->c, s->lb, s->nd, L->out_dim, L->lo, 0, 0};

    if (s->version >= 4) {
        m.slog = s->alog;
        m.limb = ZKR_EVAL_LIMB4;
    }
    return m;
}

/* Groups by size the ids with skip[id] == 0 (skip may be NULL). */
static void zkr_eval_group_rest(const zkr_eval_shape *s, const uint8_t *skip, zkr_eval_groups *g)
{
    unsigned n = zkr_eval_n_polys(s);

    memset(g, 0, sizeof *g);
    for (unsigned v = 0; v <= 64; v++)
        for (unsigned id = 0; id < n; id++) {
            unsigned k;
            if (zkr_eval_poly_vars(s, id) != v || (skip && skip[id]))
                continue;
            k = g->n_groups;
            if (k == 0 || g->n_vars[k - 1] != v || g->n_polys[k - 1] == ZKR_EVAL_GROUP_MAX) {
                g->n_vars[k] = v;
                g->n_groups++;
            } else {
                k--;
            }
            g->poly[k][g->n_polys[k]++] = id;
        }
}

unsigned zkr_eval_open_plan(const zkr_eval_shape *s, const zkr_params *p,
                            uint8_t mixed[ZKR_EVAL_MAX_POLYS], zkr_eval_groups *g)
{
    unsigned n = zkr_eval_n_polys(s), top = 0, k = 0;

    memset(mixed, 0, ZKR_EVAL_MAX_POLYS);
    for (unsigned id = 0; id < n; id++)
        if (zkr_eval_poly_vars(s, id) > top)
            top = zkr_eval_poly_vars(s, id);
    for (unsigned id = 0; id < n; id++)
        if (zkr_pcs_mixed_ok(p, top, zkr_eval_poly_vars(s, id))) {
            mixed[id] = 1;
            k++;
        }
    zkr_eval_group_rest(s, mixed, g);
    return k;
}

void zkr_eval_groups_of(const zkr_eval_shape *s, zkr_eval_groups *g)
{
    unsigned n = zkr_eval_n_polys(s);

    memset(g, 0, sizeof *g);
    for (unsigned v = 0; v <= 64; v++)
        for (unsigned id = 0; id < n; id++) {
            unsigned k;
            if (zkr_eval_poly_vars(s, id) != v)
                continue;
            k = g->n_groups;
            if (k == 0 || g->n_vars[k - 1] != v || g->n_polys[k - 1] == ZKR_EVAL_GROUP_MAX) {
                g->n_vars[k] = v;
                g->n_groups++;
            } else {
                k--;
            }
            g->poly[k][g->n_polys[k]++] = id;
        }
}

zkr_err zkr_eval_output_encode(unsigned mode, uint64_t count, uint64_t value, zkr_buf *out)
{
    zkr_err r;

    if (mode > ZKR_EVAL_MODE_THRESHOLD || value > count)
        return ZKR_ERR_USAGE;
    if ((r = zkr_enc_u8(out, (uint8_t)mode)) != ZKR_OK || (r = zkr_enc_u64(out, count)) != ZKR_OK)
        return r;
    return zkr_enc_u64(out, value);
}

zkr_err zkr_eval_output_decode(const uint8_t *p, size_t len, unsigned *mode, uint64_t *count,
                               uint64_t *value)
{
    zkr_dec d;
    uint8_t m;

    zkr_dec_init(&d, p, len);
    if (zkr_dec_u8(&d, &m) != ZKR_OK || zkr_dec_u64(&d, count) != ZKR_OK ||
        zkr_dec_u64(&d, value) != ZKR_OK || zkr_dec_finish(&d) != ZKR_OK ||
        m > ZKR_EVAL_MODE_THRESHOLD || *value > *count)
        return ZKR_ERR_MALFORMED;
    *mode = m;
    return ZKR_OK;
}

/* Largest power of two strictly below n (n >= 2): RFC 6962's split. */
static uint64_t zkr_eval_split(uint64_t n)
{
    uint64_t k = 1;

    while (k << 1 < n)
        k <<= 1;
    return k;
}

/*
 * One walk for both sides: a node wholly outside [lo, hi) is a boundary
 * hash (the prover computes it from all leaves, the verifier takes the next
 * one given), a node wholly inside is computed from the range's leaves.
 */
typedef struct {
    const uint8_t (*all)[ZKR_DIGEST_BYTES];   /* prover: every leaf; verifier: NULL */
    const uint8_t (*range)[ZKR_DIGEST_BYTES]; /* the range's leaves */
    uint64_t lo, hi;
    uint8_t (*out)[ZKR_DIGEST_BYTES];         /* prover: boundary hashes written */
    const uint8_t (*bound)[ZKR_DIGEST_BYTES]; /* verifier: boundary hashes read */
    size_t n_bound, used;
} zkr_eval_walk;

static zkr_err zkr_eval_walk_node(zkr_eval_walk *w, uint64_t a, uint64_t b,
                                  uint8_t h[ZKR_DIGEST_BYTES])
{
    uint8_t l[ZKR_DIGEST_BYTES], r[ZKR_DIGEST_BYTES];
    uint64_t k;
    zkr_err e;

    if (b <= w->lo || a >= w->hi) {
        if (w->used >= ZKR_EVAL_MAX_BOUNDARY)
            return ZKR_ERR_VERIFY;
        if (w->all) {
            if ((e = zkr_merkle_root(w->all + a, b - a, h)) != ZKR_OK)
                return e;
            memcpy(w->out[w->used++], h, ZKR_DIGEST_BYTES);
            return ZKR_OK;
        }
        if (w->used >= w->n_bound)
            return ZKR_ERR_VERIFY;
        memcpy(h, w->bound[w->used++], ZKR_DIGEST_BYTES);
        return ZKR_OK;
    }
    if (w->lo <= a && b <= w->hi)
        return zkr_merkle_root(w->range + (a - w->lo), b - a, h);
    k = zkr_eval_split(b - a);
    if ((e = zkr_eval_walk_node(w, a, a + k, l)) != ZKR_OK ||
        (e = zkr_eval_walk_node(w, a + k, b, r)) != ZKR_OK)
        return e;
    zkr_merkle_node_hash(l, r, h);
    return ZKR_OK;
}

zkr_err zkr_eval_range_proof(const uint8_t (*leaves)[ZKR_DIGEST_BYTES], uint64_t n,
                             uint64_t first, uint64_t count,
                             uint8_t out[ZKR_EVAL_MAX_BOUNDARY][ZKR_DIGEST_BYTES], size_t *n_out)
{
    zkr_eval_walk w;
    uint8_t root[ZKR_DIGEST_BYTES];
    zkr_err r;

    *n_out = 0;
    if (count == 0 || first >= n || count > n - first)
        return ZKR_ERR_USAGE;
    memset(&w, 0, sizeof w);
    w.all = leaves;
    w.range = leaves + first;
    w.lo = first;
    w.hi = first + count;
    w.out = out;
    if ((r = zkr_eval_walk_node(&w, 0, n, root)) != ZKR_OK)
        return r == ZKR_ERR_VERIFY ? ZKR_ERR_INTERNAL : r;
    *n_out = w.used;
    return ZKR_OK;
}

zkr_err zkr_eval_range_root(const uint8_t (*range_leaves)[ZKR_DIGEST_BYTES], uint64_t n,
                            uint64_t first, uint64_t count,
                            const uint8_t (*bound)[ZKR_DIGEST_BYTES], size_t n_bound,
                            uint8_t root[ZKR_DIGEST_BYTES])
{
    zkr_eval_walk w;
    zkr_err r;

    if (count == 0 || first >= n || count > n - first)
        return ZKR_ERR_USAGE;
    memset(&w, 0, sizeof w);
    w.range = range_leaves;
    w.lo = first;
    w.hi = first + count;
    w.bound = bound;
    w.n_bound = n_bound;
    if ((r = zkr_eval_walk_node(&w, 0, n, root)) != ZKR_OK)
        return r;
    return w.used == n_bound ? ZKR_OK : ZKR_ERR_VERIFY;
}

void zkr_eval_transcript_v(zkr_transcript *t, const zkr_params *p, unsigned version,
                           const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                           size_t stmt_len)
{
    uint8_t pd[ZKR_DIGEST_BYTES];

    zkr_params_digest(p, pd);
    zkr_ts_init(t, ZKR_EVAL_PROTOCOL, version, ZKR_PROOF_SYSTEM_ID, p->id, pd, statement_id);
    zkr_ts_absorb(t, "ev-statement", stmt, stmt_len);
}

void zkr_eval_transcript(zkr_transcript *t, const zkr_params *p,
                         const uint8_t statement_id[ZKR_DIGEST_BYTES], const uint8_t *stmt,
                         size_t stmt_len)
{
    zkr_eval_transcript_v(t, p, 1, statement_id, stmt, stmt_len);
}

static void zkr_eval_am_slot_bits(const zkr_eval_am_dims *m, zkr_ext *pt, unsigned slot)
{
    for (unsigned i = 0; i < zkr_eval_am_slog(m); i++)
        pt[i] = zkr_ext_from((slot >> i) & 1);
}

void zkr_eval_am_onehot_pt(const zkr_eval_am_dims *m, const zkr_ext *rho, zkr_ext *pt)
{
    zkr_ext half = zkr_ext_from(zkr_gl_inv(2));

    for (unsigned i = 0; i < m->c; i++)
        pt[i] = half;
    memcpy(pt + m->c, rho + m->c, m->lb * sizeof *rho);
    zkr_eval_am_slot_bits(m, pt + m->c + m->lb, ZKR_EVAL_ASLOT_E);
}

void zkr_eval_am_key_pt(const zkr_eval_am_dims *m, const zkr_ext *rho, unsigned k, zkr_ext *pt)
{
    for (unsigned i = 0; i < m->c; i++)
        pt[i] = zkr_ext_from(0);
    memcpy(pt + m->c, rho + m->c, m->lb * sizeof *rho);
    zkr_eval_am_slot_bits(m, pt + m->c + m->lb, ZKR_EVAL_ASLOT_D0 + m->nd + k);
}
