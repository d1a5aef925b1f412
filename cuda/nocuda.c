/*
 * The device half when the binary is built without CUDA (meson option
 * cuda disabled, or auto without nvcc): every device call reports "no
 * device", so --backend auto runs on the CPU and --backend cuda refuses.
 */
#include <stdio.h>
#include <string.h>

#include "cuda/dev.h"

void zkr_cuda_dev_probe(zkr_cuda_info *out, int memory)
{
    (void)memory;
    memset(out, 0, sizeof *out);
    (void)snprintf(out->why, sizeof out->why, "this zkreg was built without the CUDA backend");
}

int zkr_cuda_dev_init(void) { return ZKR_DEV_ENODEV; }

int zkr_cuda_dev_open(void **ctx)
{
    *ctx = NULL;
    return ZKR_DEV_ENODEV;
}

void zkr_cuda_dev_close(void *ctx) { (void)ctx; }

int zkr_cuda_dev_lde(void *ctx, const uint64_t *coeffs, unsigned log_n, unsigned log_blowup,
                     const uint64_t *step, uint64_t w, uint64_t *out)
{
    (void)ctx, (void)coeffs, (void)log_n, (void)log_blowup, (void)step, (void)w, (void)out;
    return ZKR_DEV_ENODEV;
}

int zkr_cuda_dev_mtree(void *ctx, const uint64_t *words, uint64_t n_leaves, size_t leaf_words,
                       const uint8_t seed[32], uint8_t (*nodes)[32])
{
    (void)ctx, (void)words, (void)n_leaves, (void)leaf_words, (void)seed, (void)nodes;
    return ZKR_DEV_ENODEV;
}

int zkr_cuda_dev_fold(void *ctx, const uint64_t *in, size_t half, const uint64_t r[3],
                      uint64_t *out)
{
    (void)ctx, (void)in, (void)half, (void)r, (void)out;
    return ZKR_DEV_ENODEV;
}

int zkr_cuda_dev_sc_term(void *ctx, const uint64_t *const *fac, unsigned n_fac, unsigned d,
                         size_t half, uint64_t *sums)
{
    (void)ctx, (void)fac, (void)n_fac, (void)d, (void)half, (void)sums;
    return ZKR_DEV_ENODEV;
}

int zkr_cuda_dev_frac_layer(void *ctx, const uint64_t *p, const uint64_t *q, size_t h,
                            uint64_t *po, uint64_t *qo)
{
    (void)ctx, (void)p, (void)q, (void)h, (void)po, (void)qo;
    return ZKR_DEV_ENODEV;
}

int zkr_cuda_dev_fold_any(void *ctx, unsigned flags, const uint64_t *in, size_t half,
                          const uint64_t r[3], uint64_t *out)
{
    (void)ctx, (void)flags, (void)in, (void)half, (void)r, (void)out;
    return ZKR_DEV_ENODEV;
}

int zkr_cuda_dev_eq_q(void *ctx, const uint64_t *s, const uint64_t *g, int base, size_t half,
                      uint64_t q[6])
{
    (void)ctx, (void)s, (void)g, (void)base, (void)half, (void)q;
    return ZKR_DEV_ENODEV;
}

int zkr_cuda_dev_sc_round(void *ctx, const uint64_t *const *tables, unsigned n_tables,
                          const unsigned *idx, const unsigned *n_fac, unsigned n_terms,
                          unsigned d, size_t half, uint64_t *sums)
{
    (void)ctx, (void)tables, (void)n_tables, (void)idx, (void)n_fac, (void)n_terms, (void)d,
        (void)half, (void)sums;
    return ZKR_DEV_ENODEV;
}
