/*
 * The device half of the CUDA backend (cuda/kernels.cu, compiled by nvcc)
 * and its host twin (cuda/host.c, the same kernel bodies run on the CPU).
 * Plain C types only, so that C and CUDA C++ both include it. Every
 * function returns 0 or a ZKR_DEV_E* code; cuda/accel.c maps them to
 * zkr_err. Element arrays are Goldilocks words (canonical, < p); an
 * extension element is 3 consecutive words. Lengths are powers of two.
 */
#ifndef ZKR_CUDA_DEV_H
#define ZKR_CUDA_DEV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZKR_DEV_OK 0
#define ZKR_DEV_ENOMEM 1   /* host or device allocation failed */
#define ZKR_DEV_EDEVICE 2  /* a CUDA call or kernel failed */
#define ZKR_DEV_ENODEV 3   /* not built with CUDA, no driver or no device */
#define ZKR_DEV_EUSAGE 4   /* sizes out of range */

/* What the CUDA runtime reports; all zero/empty where not built or no driver. */
typedef struct {
    int built;            /* compiled with nvcc into this binary */
    int runtime_version;  /* e.g. 13000 */
    int driver_version;   /* 0: no driver */
    int n_devices;
    char name[256];
    int cc_major, cc_minor;
    uint64_t mem_total, mem_free;
    char why[160];        /* why there is no usable device */
} zkr_cuda_info;

/*
 * Probes without failing: no driver or no device is reported in *out.
 * With memory, also binds device 0 for its free/total memory, which
 * creates the CUDA context (slow, and memory); without, counts only.
 */
void zkr_cuda_dev_probe(zkr_cuda_info *out, int memory);
/* Binds device 0 and creates its primary context (cudaFree(0)); ZKR_DEV_ENODEV when none. */
int zkr_cuda_dev_init(void);
/* Binds device 0 and creates the stream; ZKR_DEV_ENODEV when none. */
int zkr_cuda_dev_open(void **ctx);
void zkr_cuda_dev_close(void *ctx);

/*
 * Coset LDE as zkr_ntt_lde: block t (of 2^log_blowup) of out is the DIF
 * NTT (bit-reversed output) of coeffs[i] * step[t]^i; w is a primitive
 * 2^log_n-th root of unity (the caller derives step and w with zk/).
 */
int zkr_cuda_dev_lde(void *ctx, const uint64_t *coeffs, unsigned log_n, unsigned log_blowup,
                     const uint64_t *step, uint64_t w, uint64_t *out);
int zkr_host_lde(const uint64_t *coeffs, unsigned log_n, unsigned log_blowup,
                 const uint64_t *step, uint64_t w, uint64_t *out);

/*
 * The salted Merkle tree of zk/merkle.c: nodes gets 2 n_leaves digests in
 * heap order ([1] root, [n_leaves + i] leaf i; [0] zero), 32 bytes each.
 */
int zkr_cuda_dev_mtree(void *ctx, const uint64_t *words, uint64_t n_leaves, size_t leaf_words,
                       const uint8_t seed[32], uint8_t (*nodes)[32]);
int zkr_host_mtree(const uint64_t *words, uint64_t n_leaves, size_t leaf_words,
                   const uint8_t seed[32], uint8_t (*nodes)[32]);

/* Basefold coefficient fold: out[v] = in[2v] + r in[2v+1] (ext), v < half. */
int zkr_cuda_dev_fold(void *ctx, const uint64_t *in, size_t half, const uint64_t r[3],
                      uint64_t *out);
int zkr_host_fold(const uint64_t *in, size_t half, const uint64_t r[3], uint64_t *out);

/*
 * One sumcheck round of a product term: the sums over i < half of the
 * product of the n_fac factor tables (ext, 2 half entries each) on the
 * line through pairs (2i, 2i+1), at X = 0, 2, .., d (d values into sums).
 */
int zkr_cuda_dev_sc_term(void *ctx, const uint64_t *const *fac, unsigned n_fac, unsigned d,
                         size_t half, uint64_t *sums);
int zkr_host_sc_term(const uint64_t *const *fac, unsigned n_fac, unsigned d, size_t half,
                     uint64_t *sums);

/*
 * Any of the four folds, out[v] (ext) for v < half: the coefficient fold
 * in[2v] + r in[2v+1], or with ZKR_DEV_FOLD_EVAL the evaluation fold
 * in[2v] + r (in[2v+1] - in[2v]); in is extension elements, or with
 * ZKR_DEV_FOLD_BASE base-field words. out may equal in (ext input only).
 */
#define ZKR_DEV_FOLD_EVAL 1u
#define ZKR_DEV_FOLD_BASE 2u
int zkr_cuda_dev_fold_any(void *ctx, unsigned flags, const uint64_t *in, size_t half,
                          const uint64_t r[3], uint64_t *out);
int zkr_host_fold_any(unsigned flags, const uint64_t *in, size_t half, const uint64_t r[3],
                      uint64_t *out);

/*
 * Basefold's eq round: q[0..3) = sum_i s[i] g[2i], q[3..6) = sum_i s[i]
 * g[2i+1] over i < half; s is half ext elements, g 2 half ext elements or,
 * with base, base-field words.
 */
int zkr_cuda_dev_eq_q(void *ctx, const uint64_t *s, const uint64_t *g, int base, size_t half,
                      uint64_t q[6]);
int zkr_host_eq_q(const uint64_t *s, const uint64_t *g, int base, size_t half, uint64_t q[6]);

/*
 * A sumcheck round of a sum of product terms over n_tables tables (ext,
 * 2 half entries each): term k multiplies tables idx[4k .. 4k + n_fac[k]);
 * sums[3 d k ..] gets its d values (as zkr_cuda_dev_sc_term). The device
 * copies each table once per round, whatever the number of terms using it.
 */
int zkr_cuda_dev_sc_round(void *ctx, const uint64_t *const *tables, unsigned n_tables,
                          const unsigned *idx, const unsigned *n_fac, unsigned n_terms,
                          unsigned d, size_t half, uint64_t *sums);
int zkr_host_sc_round(const uint64_t *const *tables, unsigned n_tables, const unsigned *idx,
                      const unsigned *n_fac, unsigned n_terms, unsigned d, size_t half,
                      uint64_t *sums);

/* One LogUp fraction-tree layer: 2h children (p, q) to h parents. */
int zkr_cuda_dev_frac_layer(void *ctx, const uint64_t *p, const uint64_t *q, size_t h,
                            uint64_t *po, uint64_t *qo);
int zkr_host_frac_layer(const uint64_t *p, const uint64_t *q, size_t h, uint64_t *po,
                        uint64_t *qo);

#ifdef __cplusplus
}
#endif

#endif
