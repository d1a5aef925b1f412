/*
 * Backend selection and the accelerators behind prover/accel.h: the CUDA
 * device (cuda/kernels.cu) and the host build of its kernel bodies. Both
 * take the scalars the kernels need (block steps, roots of unity) from
 * zk/, so that only per-element work runs in the bodies.
 */
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "cuda/cuda.h"

typedef struct {
    int device;   /* 1: cuda/kernels.cu, 0: cuda/host.c */
    void *dev;    /* device context */
    unsigned long fallbacks; /* optional calls that failed and ran on the CPU (accel.h) */
    zkr_accel a;
} zkr_accel_impl;

static zkr_err zkr_dev_err(int e)
{
    switch (e) {
    case ZKR_DEV_OK: return ZKR_OK;
    case ZKR_DEV_ENOMEM: return ZKR_ERR_NOMEM;
    case ZKR_DEV_EUSAGE: return ZKR_ERR_USAGE;
    case ZKR_DEV_ENODEV: return ZKR_ERR_UNSUPPORTED;
    default: return ZKR_ERR_INTERNAL;
    }
}

zkr_err zkr_backend_parse(const char *s, zkr_backend *out, zkr_diag *d)
{
    static const char *names[] = {"auto", "cpu", "cuda"};

    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (zkr_backend)i;
            return ZKR_OK;
        }
    return zkr_fail(d, ZKR_ERR_USAGE, "--backend '%s': expected auto, cpu or cuda", s);
}

const char *zkr_backend_name(zkr_backend b)
{
    return b == ZKR_BACKEND_CPU ? "cpu" : b == ZKR_BACKEND_CUDA ? "cuda" : "auto";
}

void zkr_cuda_probe(zkr_cuda_info *out) { zkr_cuda_dev_probe(out, 1); }

void zkr_cuda_probe_count(zkr_cuda_info *out) { zkr_cuda_dev_probe(out, 0); }

int zkr_cuda_built(void)
{
    zkr_cuda_info i;

    zkr_cuda_dev_probe(&i, 0);
    return i.built;
}

static zkr_err zkr_accel_lde(void *ctx, const zkr_gl *coeffs, unsigned log_n, unsigned log_blowup,
                             zkr_gl shift, zkr_gl *out)
{
    zkr_accel_impl *im = ctx;
    size_t nblk = (size_t)1 << log_blowup;
    uint64_t *step;
    zkr_gl wb;
    int e;

    if (log_n + log_blowup > ZKR_GL_TWO_ADICITY || log_blowup > 16)
        return ZKR_ERR_USAGE;
    step = malloc(nblk * sizeof *step);
    if (!step)
        return ZKR_ERR_NOMEM;
    /* Block t evaluates on the coset shift * w_big^bitrev(t) * <w_n> (zkr_ntt_lde). */
    wb = zkr_gl_root_of_unity(log_n + log_blowup);
    for (size_t t = 0; t < nblk; t++)
        step[t] = zkr_gl_mul(shift, zkr_gl_pow(wb, zkr_bitrev(t, log_blowup)));
    e = im->device ? zkr_cuda_dev_lde(im->dev, coeffs, log_n, log_blowup, step,
                                      zkr_gl_root_of_unity(log_n), out)
                   : zkr_host_lde(coeffs, log_n, log_blowup, step, zkr_gl_root_of_unity(log_n), out);
    free(step);
    return zkr_dev_err(e);
}

static zkr_err zkr_accel_mtree(void *ctx, const uint64_t *words, uint64_t n_leaves,
                               size_t leaf_words, const uint8_t salt_seed[32], zkr_mtree *out)
{
    zkr_accel_impl *im = ctx;
    int e;

    memset(out, 0, sizeof *out);
    /* The same refusals as zkr_mtree_build. */
    if (n_leaves == 0 || (n_leaves & (n_leaves - 1)) != 0 || leaf_words == 0 ||
        leaf_words > ZKR_MT_MAX_LEAF_WORDS || n_leaves > ((uint64_t)1 << 40))
        return ZKR_ERR_USAGE;
    out->nodes = malloc(2 * n_leaves * sizeof *out->nodes);
    if (!out->nodes)
        return ZKR_ERR_NOMEM;
    out->n_leaves = n_leaves;
    out->depth = zkr_log2_ceil(n_leaves);
    out->leaf_words = leaf_words;
    memcpy(out->salt_seed, salt_seed, 32);
    e = im->device ? zkr_cuda_dev_mtree(im->dev, words, n_leaves, leaf_words, salt_seed, out->nodes)
                   : zkr_host_mtree(words, n_leaves, leaf_words, salt_seed, out->nodes);
    if (e != ZKR_DEV_OK)
        zkr_mtree_free(out);
    return zkr_dev_err(e);
}

/* The optional calls: a failure is counted, the prover then runs its CPU code. */
static zkr_err zkr_accel_note(zkr_accel_impl *im, int e)
{
    if (e != ZKR_DEV_OK)
        im->fallbacks++;
    return zkr_dev_err(e);
}

static zkr_err zkr_accel_sc_round(void *ctx, const zkr_sc_poly *f, unsigned n_cur, zkr_ext *msg)
{
    zkr_accel_impl *im = ctx;
    const uint64_t *tabs[ZKR_SC_MAX_TABLES];
    unsigned idx[ZKR_SC_MAX_TERMS * ZKR_SC_MAX_FACTORS], nf[ZKR_SC_MAX_TERMS];
    size_t half;
    unsigned d = f->degree;
    zkr_ext *sums;
    int e;

    if (n_cur < 1 || n_cur > 40 || f->n_tables > ZKR_SC_MAX_TABLES ||
        f->n_terms > ZKR_SC_MAX_TERMS || d < 1 || d > ZKR_SC_MAX_DEGREE)
        return zkr_accel_note(im, ZKR_DEV_EUSAGE);
    half = (size_t)1 << (n_cur - 1);
    sums = malloc((f->n_terms ? f->n_terms : 1) * d * sizeof *sums);
    if (!sums)
        return zkr_accel_note(im, ZKR_DEV_ENOMEM);
    for (size_t k = 0; k < f->n_tables; k++)
        tabs[k] = (const uint64_t *)(const void *)f->tables[k];
    for (size_t k = 0; k < f->n_terms; k++) {
        nf[k] = f->terms[k].n_factors;
        for (unsigned q = 0; q < ZKR_SC_MAX_FACTORS; q++)
            idx[ZKR_SC_MAX_FACTORS * k + q] = q < nf[k] ? f->terms[k].idx[q] : 0;
    }
    e = im->device ? zkr_cuda_dev_sc_round(im->dev, tabs, (unsigned)f->n_tables, idx, nf,
                                           (unsigned)f->n_terms, d, half, (uint64_t *)(void *)sums)
                   : zkr_host_sc_round(tabs, (unsigned)f->n_tables, idx, nf, (unsigned)f->n_terms,
                                       d, half, (uint64_t *)(void *)sums);
    if (e == ZKR_DEV_OK) {
        /* As the CPU: each term's sums times its coefficient, added (exact, order-free). */
        for (unsigned x = 0; x < d; x++) {
            zkr_ext s = zkr_ext_from(0);
            for (size_t k = 0; k < f->n_terms; k++)
                s = zkr_ext_add(s, zkr_ext_mul(f->terms[k].coef, sums[k * d + x]));
            msg[x] = s;
        }
    }
    free(sums);
    return zkr_accel_note(im, e);
}

static int zkr_accel_fold_words(zkr_accel_impl *im, unsigned flags, const uint64_t *in,
                                size_t half, zkr_ext r, zkr_ext *out)
{
    return im->device ? zkr_cuda_dev_fold_any(im->dev, flags, in, half, r.c, out->c)
                      : zkr_host_fold_any(flags, in, half, r.c, out->c);
}

/* Every table folds into scratch first, so that a failure leaves all of them as they were. */
static zkr_err zkr_accel_sc_fold(void *ctx, const zkr_sc_poly *f, unsigned n_cur, zkr_ext r)
{
    zkr_accel_impl *im = ctx;
    size_t half;
    zkr_ext *tmp;
    int e = ZKR_DEV_OK;

    if (n_cur < 1 || n_cur > 40 || f->n_tables == 0)
        return zkr_accel_note(im, f->n_tables == 0 && n_cur >= 1 ? ZKR_DEV_OK : ZKR_DEV_EUSAGE);
    half = (size_t)1 << (n_cur - 1);
    tmp = malloc(f->n_tables * half * sizeof *tmp);
    if (!tmp)
        return zkr_accel_note(im, ZKR_DEV_ENOMEM);
    for (size_t k = 0; e == ZKR_DEV_OK && k < f->n_tables; k++)
        e = zkr_accel_fold_words(im, ZKR_DEV_FOLD_EVAL,
                                 (const uint64_t *)(const void *)f->tables[k], half, r,
                                 tmp + k * half);
    for (size_t k = 0; e == ZKR_DEV_OK && k < f->n_tables; k++)
        memcpy(f->tables[k], tmp + k * half, half * sizeof *tmp);
    sodium_memzero(tmp, f->n_tables * half * sizeof *tmp); /* witness-derived */
    free(tmp);
    return zkr_accel_note(im, e);
}

static zkr_err zkr_accel_fold(zkr_accel_impl *im, unsigned flags, const zkr_gl *base_in,
                              const zkr_ext *in, size_t half, zkr_ext r, zkr_ext *out)
{
    const uint64_t *w = base_in ? base_in : (const uint64_t *)(const void *)in;

    if ((base_in == NULL) == (in == NULL))
        return zkr_accel_note(im, ZKR_DEV_EUSAGE);
    return zkr_accel_note(im, zkr_accel_fold_words(im, flags | (base_in ? ZKR_DEV_FOLD_BASE : 0u),
                                                   w, half, r, out));
}

static zkr_err zkr_accel_fold_coef(void *ctx, const zkr_gl *base_in, const zkr_ext *in,
                                   size_t half, zkr_ext r, zkr_ext *out)
{
    return zkr_accel_fold(ctx, 0, base_in, in, half, r, out);
}

static zkr_err zkr_accel_fold_eval(void *ctx, const zkr_gl *base_in, const zkr_ext *in,
                                   size_t half, zkr_ext r, zkr_ext *out)
{
    return zkr_accel_fold(ctx, ZKR_DEV_FOLD_EVAL, base_in, in, half, r, out);
}

static zkr_err zkr_accel_eq_q(void *ctx, const zkr_ext *s, const zkr_gl *gb, const zkr_ext *g,
                              size_t half, zkr_ext q[2])
{
    zkr_accel_impl *im = ctx;
    const uint64_t *w = gb ? gb : (const uint64_t *)(const void *)g;
    uint64_t out[6];
    int e;

    if ((gb == NULL) == (g == NULL))
        return zkr_accel_note(im, ZKR_DEV_EUSAGE);
    e = im->device ? zkr_cuda_dev_eq_q(im->dev, s[0].c, w, gb != NULL, half, out)
                   : zkr_host_eq_q(s[0].c, w, gb != NULL, half, out);
    if (e == ZKR_DEV_OK)
        for (int k = 0; k < 3; k++) {
            q[0].c[k] = out[k];
            q[1].c[k] = out[3 + k];
        }
    return zkr_accel_note(im, e);
}

static zkr_err zkr_accel_frac(void *ctx, const zkr_ext *p, const zkr_ext *q, size_t h,
                              zkr_ext *po, zkr_ext *qo)
{
    zkr_accel_impl *im = ctx;

    return zkr_accel_note(im, im->device ? zkr_cuda_dev_frac_layer(im->dev, p[0].c, q[0].c, h,
                                                                   po[0].c, qo[0].c)
                                         : zkr_host_frac_layer(p[0].c, q[0].c, h, po[0].c,
                                                               qo[0].c));
}

unsigned long zkr_accel_fallbacks(const zkr_accel *a)
{
    return a ? ((const zkr_accel_impl *)a->ctx)->fallbacks : 0;
}

static zkr_err zkr_accel_make(int device, void *dev, zkr_accel **out)
{
    zkr_accel_impl *im = calloc(1, sizeof *im);

    *out = NULL;
    if (!im)
        return ZKR_ERR_NOMEM;
    im->device = device;
    im->dev = dev;
    im->a.name = device ? "cuda" : "host-bodies";
    im->a.ctx = im;
    im->a.lde = zkr_accel_lde;
    im->a.mtree_build = zkr_accel_mtree;
    im->a.sc_round = zkr_accel_sc_round;
    im->a.sc_fold = zkr_accel_sc_fold;
    im->a.fold_coef = zkr_accel_fold_coef;
    im->a.fold_eval = zkr_accel_fold_eval;
    im->a.eq_q = zkr_accel_eq_q;
    im->a.frac_layer = zkr_accel_frac;
    *out = &im->a;
    return ZKR_OK;
}

zkr_err zkr_accel_host_new(zkr_accel **out) { return zkr_accel_make(0, NULL, out); }

zkr_err zkr_accel_open(zkr_backend b, zkr_accel **out, zkr_diag *d)
{
    zkr_cuda_info info;
    void *dev = NULL;
    zkr_err r;

    *out = NULL;
    if (b == ZKR_BACKEND_CPU)
        return ZKR_OK;
    zkr_cuda_dev_probe(&info, 0);
    if (info.n_devices < 1 || zkr_cuda_dev_open(&dev) != ZKR_DEV_OK) {
        if (b == ZKR_BACKEND_AUTO)
            return ZKR_OK; /* the CPU, silently */
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "--backend cuda: no usable CUDA device (%s)",
                        info.why[0] ? info.why : "device could not be opened");
    }
    if ((r = zkr_accel_make(1, dev, out)) != ZKR_OK)
        zkr_cuda_dev_close(dev);
    return r;
}

zkr_err zkr_cuda_prepare(zkr_diag *d)
{
    zkr_cuda_info info;
    int e;

    /* Before the runtime's first call: every kernel is loaded with the
       context, so nothing is mapped executable once seccomp is on. */
    if (setenv("CUDA_MODULE_LOADING", "EAGER", 1) != 0)
        return zkr_fail(d, ZKR_ERR_NOMEM, "setenv CUDA_MODULE_LOADING");
    zkr_cuda_dev_probe(&info, 0);
    if (info.n_devices < 1)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "--backend cuda: no usable CUDA device (%s)",
                        info.why[0] ? info.why : "none found");
    e = zkr_cuda_dev_init();
    if (e != ZKR_DEV_OK)
        return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "--backend cuda: no usable CUDA device (%s: "
                                                "its context could not be created)", info.name);
    return ZKR_OK;
}

void zkr_accel_free(zkr_accel *a)
{
    zkr_accel_impl *im;

    if (!a)
        return;
    im = a->ctx;
    if (im->device)
        zkr_cuda_dev_close(im->dev);
    free(im);
}
