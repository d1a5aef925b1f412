/* The cheating-prover harness (harness.h). */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define BOUND (INT64_C(1) << 20)

/* floor(v / 2^s) for any sign. */
static int64_t fshift(int64_t v, unsigned s)
{
    int64_t d = INT64_C(1) << s;
    return v >= 0 ? v / d : -((-v + d - 1) / d);
}

static int64_t *arr(size_t n)
{
    return calloc(n ? n : 1, sizeof(int64_t));
}

/* a_l[b][k] (k < in_l): the record bytes for l = 0, h_{l-1} after. */
static int64_t act(const hx_fixture *f, uint32_t l, uint32_t b, uint32_t k)
{
    return l == 0 ? f->recs[f->idx[b]][k] : f->tr.h[l - 1][(size_t)b * f->dims[l] + k];
}

static void forward(hx_fixture *f, uint32_t l)
{
    zkr_ml_tstep_trace *t = &f->tr;
    uint32_t in = f->dims[l], out = f->dims[l + 1], B = f->batch;
    int hidden = l + 1 < f->n_layers;
    unsigned s = hidden ? 16 : 12;

    for (uint32_t b = 0; b < B; b++)
        for (uint32_t j = 0; j < out; j++) {
            size_t e = (size_t)b * out + j;
            int64_t z = (int64_t)f->w[l][(size_t)j * (in + 1) + in] * ZKR_ML_T_ONE;
            for (uint32_t k = 0; k < in; k++)
                z += (int64_t)f->w[l][(size_t)j * (in + 1) + k] * act(f, l, b, k);
            t->z[l][e] = z;
            t->q[l][e] = fshift(z + (INT64_C(1) << (s - 1)), s);
            t->r[l][e] = z + (INT64_C(1) << (s - 1)) - t->q[l][e] * (INT64_C(1) << s);
            if (hidden) {
                t->h[l][e] = t->q[l][e] > 0 ? t->q[l][e] : 0;
                t->n[l][e] = t->q[l][e] < 0 ? -t->q[l][e] : 0;
                t->m[l][e] = t->h[l][e] > 0;
                f->defined &= t->h[l][e] < (INT64_C(1) << 16) && t->n[l][e] < (INT64_C(1) << 32);
            } else {
                f->defined &= t->q[l][e] >= -(INT64_C(1) << 23) && t->q[l][e] < (INT64_C(1) << 23);
            }
        }
}

static void backward(hx_fixture *f, uint32_t l)
{
    zkr_ml_tstep_trace *t = &f->tr;
    uint32_t out = f->dims[l + 1], out1 = f->dims[l + 2], B = f->batch;

    for (uint32_t b = 0; b < B; b++)
        for (uint32_t k = 0; k < out; k++) {
            size_t e = (size_t)b * out + k;
            int64_t p = 0;
            for (uint32_t j = 0; j < out1; j++)
                p += t->delta[l + 1][(size_t)b * out1 + j] *
                     f->w[l + 1][(size_t)j * (out + 1) + k];
            t->p[l][e] = p;
            t->dq[l][e] = fshift(p + (INT64_C(1) << 15), 16);
            t->rb[l][e] = p + (INT64_C(1) << 15) - t->dq[l][e] * (INT64_C(1) << 16);
            t->delta[l][e] = t->dq[l][e] * t->m[l][e];
            f->defined &= t->dq[l][e] >= -(INT64_C(1) << 23) && t->dq[l][e] < (INT64_C(1) << 23);
        }
}

static void update(hx_fixture *f, uint32_t l)
{
    zkr_ml_tstep_trace *t = &f->tr;
    uint32_t in = f->dims[l], out = f->dims[l + 1], B = f->batch, S = f->sp.shift;

    for (uint32_t j = 0; j < out; j++)
        for (uint32_t k = 0; k <= in; k++) {
            size_t i = (size_t)j * (in + 1) + k;
            __int128 v;
            int64_t g = 0;
            for (uint32_t b = 0; b < B; b++)
                g += t->delta[l][(size_t)b * out + j] * (k < in ? act(f, l, b, k) : ZKR_ML_T_ONE);
            t->g[l][i] = g;
            v = (__int128)f->sp.lr * g + ((__int128)1 << (S - 1));
            t->u[l][i] = (int64_t)(v >= 0 ? v >> S : -((-v + ((__int128)1 << S) - 1) >> S));
            t->ru[l][i] = (int64_t)(v - (__int128)t->u[l][i] * ((__int128)1 << S));
            if (f->w[l][i] - t->u[l][i] <= -BOUND || f->w[l][i] - t->u[l][i] >= BOUND)
                f->defined = 0, f->child_is_parent = 1;
        }
}

static int ref_trace(hx_fixture *f)
{
    zkr_ml_tstep_trace *t = &f->tr;
    uint32_t L = f->n_layers, B = f->batch;

    memset(t, 0, sizeof *t);
    t->n_layers = L;
    t->batch = B;
    t->input = calloc((size_t)B * f->dims[0] + 1, 1);
    t->labels = calloc(B, 1);
    if (!t->input || !t->labels)
        return 0;
    for (uint32_t l = 0; l < L; l++) {
        size_t bo = (size_t)B * f->dims[l + 1], w = (size_t)f->dims[l + 1] * (f->dims[l] + 1);
        t->in_dim[l] = f->dims[l];
        t->out_dim[l] = f->dims[l + 1];
        if (!(t->z[l] = arr(bo)) || !(t->q[l] = arr(bo)) || !(t->r[l] = arr(bo)) ||
            !(t->delta[l] = arr(bo)) || !(t->g[l] = arr(w)) || !(t->u[l] = arr(w)) ||
            !(t->ru[l] = arr(w)))
            return 0;
        if (l + 1 < L && (!(t->h[l] = arr(bo)) || !(t->n[l] = arr(bo)) || !(t->m[l] = arr(bo)) ||
                          !(t->p[l] = arr(bo)) || !(t->dq[l] = arr(bo)) || !(t->rb[l] = arr(bo))))
            return 0;
    }
    for (uint32_t b = 0; b < B; b++) {
        memcpy(t->input + (size_t)b * f->dims[0], f->recs[f->idx[b]], f->dims[0]);
        t->labels[b] = f->recs[f->idx[b]][f->dims[0]];
    }
    f->defined = 1;
    for (uint32_t l = 0; l < L; l++)
        forward(f, l);
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t j = 0; j < f->dims[L]; j++) {
            size_t e = (size_t)b * f->dims[L] + j;
            t->delta[L - 1][e] = t->q[L - 1][e] - (j == t->labels[b] ? ZKR_ML_T_TARGET : 0);
        }
    for (uint32_t l = L - 1; l-- > 0;)
        backward(f, l);
    for (uint32_t l = 0; l < L; l++)
        update(f, l);
    return 1;
}

static int make_batch(hx_fixture *f)
{
    size_t len = (size_t)f->dims[0] + 1;

    for (uint32_t i = 0; i < f->n_rec; i++)
        zkr_infer_record_commitment(f->recs[i], len, f->leaves[i]);
    if (zkr_merkle_root((const uint8_t(*)[ZKR_DIGEST_BYTES])f->leaves, f->n_rec, f->root) != ZKR_OK)
        return 0;
    for (uint32_t i = 0; i < f->batch; i++) {
        zkr_infer_record *r = &f->rec[i];
        size_t pl = 0;
        if (zkr_merkle_inclusion_proof((const uint8_t(*)[ZKR_DIGEST_BYTES])f->leaves, f->n_rec,
                                       f->idx[i], f->paths[i], &pl) != ZKR_OK)
            return 0;
        memset(r, 0, sizeof *r);
        r->index = f->idx[i];
        r->n_records = f->n_rec;
        memcpy(r->root, f->root, ZKR_DIGEST_BYTES);
        r->record = f->recs[f->idx[i]];
        r->record_len = len;
        r->path = (const uint8_t(*)[ZKR_DIGEST_BYTES])f->paths[i];
        r->path_len = pl;
    }
    return 1;
}

static int make_parent(hx_fixture *f, const int32_t *const *w, uint8_t seed)
{
    zkr_ml_graph g;
    zkr_buf b = {0};
    uint8_t sd[32] = {seed};
    int ok;

    ok = zkr_ml_tprogram_make(f->dims, f->n_layers + 1, &g, NULL) == ZKR_OK;
    if (ok && w != NULL)
        ok = zkr_ml_tmodel_encode(&g, w, &b, NULL) == ZKR_OK;
    else if (ok)
        ok = zkr_ml_tmodel_init(&g, sd, &b, NULL) == ZKR_OK;
    ok = ok && zkr_ml_tmodel_decode(b.p, b.len, &f->parent, NULL) == ZKR_OK;
    zkr_buf_free(&b);
    for (uint32_t l = 0; ok && l < f->n_layers; l++) {
        size_t n = (size_t)f->dims[l + 1] * (f->dims[l] + 1);
        ok = (f->w[l] = malloc(n * sizeof(int32_t))) != NULL;
        if (ok)
            memcpy(f->w[l], zkr_ml_tmodel_weights(f->parent, l), n * sizeof(int32_t));
    }
    return ok;
}

int hx_shape(const hx_fixture *f, zkr_train_shape *s)
{
    return zkr_train_shape_of(f->n_layers, f->dims, f->batch, f->p.max_vars, s, NULL) == ZKR_OK;
}

int hx_child_field(const hx_fixture *f, zkr_gl **w)
{
    zkr_train_shape s;

    if (!hx_shape(f, &s))
        return 0;
    for (uint32_t l = 0; l < f->n_layers; l++) {
        uint32_t in = f->dims[l];
        size_t Kp = (size_t)1 << s.lk[l];
        if ((w[l] = calloc((size_t)1 << (s.lm[l] + s.lk[l]), sizeof(zkr_gl))) == NULL)
            return 0;
        for (uint32_t j = 0; j < f->dims[l + 1]; j++)
            for (uint32_t k = 0; k <= in; k++) {
                size_t i = (size_t)j * (in + 1) + k;
                int64_t c = f->child_is_parent ? f->w[l][i] : f->w[l][i] - f->tr.u[l][i];
                w[l][j * Kp + k] = zkr_gl_from_i64(c);
            }
    }
    return 1;
}

int hx_set_child_raw(hx_fixture *f, zkr_gl *const *w)
{
    uint8_t comm[ZKR_DIGEST_BYTES];

    zkr_train_model_free(f->tc);
    f->tc = NULL;
    if (zkr_prover_train_commit_raw(&f->p, f->parent, (const zkr_gl *const *)w, &f->tc, comm,
                                    NULL) != ZKR_OK)
        return 0;
    memcpy(f->st.child_commitment, comm, ZKR_DIGEST_BYTES);
    return 1;
}

int hx_setup(hx_fixture *f, const uint32_t *dims, uint32_t n_layers, const int32_t *const *w,
             uint8_t seed, const uint8_t (*recs)[HX_MAX_IN + 1], uint32_t n_rec, const uint64_t *idx,
             uint32_t batch, uint32_t lr, uint32_t shift)
{
    zkr_gl *cw[ZKR_TRAIN_MAX_LAYERS] = {0};
    uint8_t pcomm[ZKR_DIGEST_BYTES];
    int ok;

    memset(f, 0, sizeof *f);
    if (zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK || n_layers > ZKR_TRAIN_MAX_LAYERS ||
        n_rec > HX_MAX_REC || batch > ZKR_TRAIN_MAX_BATCH || dims[0] > HX_MAX_IN)
        return 0;
    memcpy(f->dims, dims, (n_layers + 1) * sizeof *dims);
    f->n_layers = n_layers;
    f->n_rec = n_rec;
    memcpy(f->recs, recs, n_rec * sizeof *recs);
    memcpy(f->idx, idx, batch * sizeof *idx);
    f->batch = batch;
    f->sp.lr = lr;
    f->sp.shift = shift;
    ok = make_batch(f) && make_parent(f, w, seed) && ref_trace(f);
    ok = ok && zkr_prover_train_commit(&f->p, f->parent, 1, &f->tp, pcomm, NULL) == ZKR_OK;
    for (int i = 0; i < 32; i++)
        f->st.statement_id[i] = (uint8_t)(0xa0 + i);
    if (ok)
        zkr_ml_tmodel_program_digest(f->parent, f->st.program_digest);
    memcpy(f->st.parent_commitment, pcomm, ZKR_DIGEST_BYTES);
    zkr_infer_dataset_commitment(n_rec, f->root, f->st.dataset_commitment);
    f->st.indices = f->idx;
    f->st.batch = batch;
    f->st.lr = lr;
    f->st.shift = shift;
    f->st.steps = 1;
    ok = ok && hx_child_field(f, cw) && hx_set_child_raw(f, cw);
    for (uint32_t l = 0; l < ZKR_TRAIN_MAX_LAYERS; l++)
        free(cw[l]);
    return ok;
}

void hx_free(hx_fixture *f)
{
    zkr_train_model_free(f->tp);
    zkr_train_model_free(f->tc);
    zkr_ml_tmodel_free(f->parent);
    zkr_ml_tstep_trace_free(&f->tr);
    for (uint32_t l = 0; l < ZKR_TRAIN_MAX_LAYERS; l++)
        free(f->w[l]);
    memset(f, 0, sizeof *f);
}

zkr_gl *hx_slot(const zkr_train_witness *w, uint32_t l, unsigned sl, uint32_t b, uint32_t j)
{
    const zkr_train_shape *s = w->s;
    size_t n = (size_t)1 << (s->lb + s->lm[l]);

    return w->v + s->grp_off[l] + (size_t)sl * n + ((size_t)b << s->lm[l]) + j;
}

zkr_gl *hx_upd(const zkr_train_witness *w, uint32_t l, unsigned u, uint32_t j, uint32_t k)
{
    const zkr_train_shape *s = w->s;

    return w->v + s->upd_off[l][u] + ((size_t)j << s->lk[l]) + k;
}

void hx_limbs24(zkr_gl v_plus, zkr_gl *lo, zkr_gl *hi, zkr_gl *hs)
{
    *lo = v_plus & 0xffff;
    *hi = v_plus >> 16;
    *hs = zkr_gl_mul(*hi, 256);
}

/* The verifier's list of failed checks ("failed: a, b)"), or "" when none is named. */
static void failed_list(const char *msg, char *out, size_t cap)
{
    const char *a = strstr(msg, "(failed: ");
    size_t n;

    out[0] = 0;
    if (a == NULL)
        return;
    a += strlen("(failed: ");
    n = strcspn(a, ")");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, a, n);
    out[n] = 0;
}

int hx_attack(zkr_tap *t, hx_fixture *f, zkr_train_cheat_fn cheat, void *arg, const char *want,
              int want_exact, const char *name)
{
    zkr_buf proof = {0};
    zkr_diag d;
    zkr_err pr, vr = ZKR_OK;
    char got[256];
    int ok;

    memset(&d, 0, sizeof d);
    pr = zkr_prover_train_step_cheat(&f->p, f->st.statement_id, f->tp, f->tc, f->rec, f->batch,
                                     &f->sp, &f->tr, cheat, arg, &proof, &d);
    if (pr == ZKR_OK) {
        memset(&d, 0, sizeof d);
        vr = zkr_verify_train_step(&f->p, &f->st, proof.p, proof.len, &d);
    }
    failed_list(d.msg, got, sizeof got);
    /*
     * The verifier lists failed checks by kind, the LogUp (checked first) first. A
     * failed LogUp leaves the replayed GKR messages out of step with the
     * prover's, so every later check fails as well: for a range attack
     * "exactly" means the LogUp is the first to fail.
     */
    if (want_exact && strcmp(want, "LogUp range") == 0)
        ok = strncmp(got, want, strlen(want)) == 0;
    else
        ok = want_exact ? strcmp(got, want) == 0 : strstr(got, want) != NULL;
    ok = ok && pr == ZKR_OK && vr == ZKR_ERR_VERIFY;
    zkr_tap_ok(t, ok, "%s: VERIFY, failed %s'%s' (prover %d, verifier %d, failed '%s')", name,
               want_exact ? "exactly " : "includes ", want, (int)pr, (int)vr, got);
    zkr_buf_free(&proof);
    return ok;
}

int hx_honest(zkr_tap *t, hx_fixture *f, const char *name)
{
    zkr_buf proof = {0};
    zkr_diag d;
    zkr_err pr, vr = ZKR_OK;

    memset(&d, 0, sizeof d);
    pr = zkr_prover_train_step_cheat(&f->p, f->st.statement_id, f->tp, f->tc, f->rec, f->batch,
                                     &f->sp, &f->tr, NULL, NULL, &proof, &d);
    if (pr == ZKR_OK)
        vr = zkr_verify_train_step(&f->p, &f->st, proof.p, proof.len, &d);
    zkr_tap_ok(t, f->defined && pr == ZKR_OK && vr == ZKR_OK, "%s: the honest proof verifies (%d, %d%s%s)",
               name, (int)pr, (int)vr, d.msg[0] ? ": " : "", d.msg);
    zkr_buf_free(&proof);
    return vr == ZKR_OK;
}
