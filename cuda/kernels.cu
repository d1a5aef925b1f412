/*
 * The CUDA kernels of the prover backend. Every kernel runs a body from
 * cuda/body.h per element (the host build of the same bodies is what
 * tests/cuda checks against the CPU prover in every CI run); this file adds
 * only the launch geometry, device memory and reductions. Reductions sum
 * field elements, which is exact and order-free, so results equal the CPU's.
 *
 * Runtime: static cudart, never the driver API (-lcuda): the binary starts
 * where no driver is installed and zkr_cuda_dev_probe reports why there is
 * no device (docs/cuda.md).
 */
#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/body.h"
#include "cuda/dev.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "digests are copied as little-endian words: little-endian hosts only"
#endif

struct zkr_cuda_ctx {
    int device;
    cudaStream_t s;
};

#define ZKR_CK(call)                                                                               \
    do {                                                                                           \
        if ((call) != cudaSuccess) {                                                               \
            (void)cudaGetLastError();                                                              \
            rc = ZKR_DEV_EDEVICE;                                                                  \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

static const unsigned zkr_tpb = 256;

static unsigned zkr_grid(size_t n)
{
    size_t g = (n + zkr_tpb - 1) / zkr_tpb;
    return (unsigned)(g < 65535u * 16u ? (g ? g : 1) : 65535u * 16u);
}

/* ---------------- probe ---------------- */
extern "C" void zkr_cuda_dev_probe(zkr_cuda_info *out, int memory)
{
    int n = 0, v = 0;
    cudaError_t e;

    memset(out, 0, sizeof *out);
    out->built = 1;
    if (cudaRuntimeGetVersion(&v) == cudaSuccess)
        out->runtime_version = v;
    v = 0;
    if (cudaDriverGetVersion(&v) != cudaSuccess)
        v = 0;
    out->driver_version = v; /* 0 when no driver is installed */
    /* Without a driver the count is left untouched and an error returned. */
    e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        (void)snprintf(out->why, sizeof out->why, "%s (cudaGetDeviceCount: %s)",
                       v == 0 ? "no CUDA driver" : "no usable device", cudaGetErrorString(e));
        return;
    }
    out->n_devices = n;
    if (n < 1) {
        (void)snprintf(out->why, sizeof out->why, "the driver reports no CUDA device");
        return;
    }
    cudaDeviceProp p;
    size_t fr = 0, tot = 0;
    if (cudaGetDeviceProperties(&p, 0) == cudaSuccess) {
        (void)snprintf(out->name, sizeof out->name, "%s", p.name);
        out->cc_major = p.major;
        out->cc_minor = p.minor;
        out->mem_total = p.totalGlobalMem;
    }
    if (memory && cudaSetDevice(0) == cudaSuccess && cudaMemGetInfo(&fr, &tot) == cudaSuccess) {
        out->mem_free = fr;
        out->mem_total = tot;
    }
    (void)cudaGetLastError();
}

extern "C" int zkr_cuda_dev_init(void)
{
    int n = 0;

    if (cudaGetDeviceCount(&n) != cudaSuccess || n < 1) {
        (void)cudaGetLastError();
        return ZKR_DEV_ENODEV;
    }
    /* cudaFree(0): the documented way to create the context now, not at first use. */
    if (cudaSetDevice(0) != cudaSuccess || cudaFree(0) != cudaSuccess) {
        (void)cudaGetLastError();
        return ZKR_DEV_EDEVICE;
    }
    return ZKR_DEV_OK;
}

extern "C" int zkr_cuda_dev_open(void **ctx)
{
    zkr_cuda_ctx *c;
    int n = 0;

    *ctx = NULL;
    if (cudaGetDeviceCount(&n) != cudaSuccess || n < 1) {
        (void)cudaGetLastError();
        return ZKR_DEV_ENODEV;
    }
    c = (zkr_cuda_ctx *)calloc(1, sizeof *c);
    if (!c)
        return ZKR_DEV_ENOMEM;
    if (cudaSetDevice(0) != cudaSuccess || cudaStreamCreate(&c->s) != cudaSuccess) {
        (void)cudaGetLastError();
        free(c);
        return ZKR_DEV_EDEVICE;
    }
    *ctx = c;
    return ZKR_DEV_OK;
}

extern "C" void zkr_cuda_dev_close(void *ctx)
{
    zkr_cuda_ctx *c = (zkr_cuda_ctx *)ctx;

    if (!c)
        return;
    (void)cudaStreamDestroy(c->s);
    free(c);
}

/* ---------------- NTT / LDE ---------------- */
__global__ void zkr_k_pow_table(uint64_t *tw, uint64_t w, size_t half)
{
    for (size_t j = blockIdx.x * (size_t)blockDim.x + threadIdx.x; j < half;
         j += (size_t)gridDim.x * blockDim.x)
        tw[j] = zkr_b_pow(w, j);
}

__global__ void zkr_k_lde_scale(uint64_t *blk, const uint64_t *c, uint64_t step, size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        blk[i] = zkr_b_lde_scale(c[i], step, i);
}

/* One DIF stage of half-size 2^s from global memory. */
__global__ void zkr_k_ntt_stage(uint64_t *a, const uint64_t *tw, unsigned log_n, unsigned s,
                                size_t nb)
{
    for (size_t t = blockIdx.x * (size_t)blockDim.x + threadIdx.x; t < nb;
         t += (size_t)gridDim.x * blockDim.x)
        zkr_b_ntt_butterfly(a, tw, log_n, s, t, 1);
}

/* The last stages s_top-1 .. 0 of a DIF in shared memory, one tile of 2^s_top per block. */
#define ZKR_TILE_LOG 11
__global__ void zkr_k_ntt_tile(uint64_t *a, const uint64_t *tw, unsigned log_n, unsigned s_top)
{
    __shared__ uint64_t sh[1u << ZKR_TILE_LOG];
    size_t tile = (size_t)1 << s_top, base = blockIdx.x * tile;

    for (size_t i = threadIdx.x; i < tile; i += blockDim.x)
        sh[i] = a[base + i];
    __syncthreads();
    for (unsigned k = 0; k < s_top; k++) {
        for (size_t t = threadIdx.x; t < tile / 2; t += blockDim.x)
            zkr_b_ntt_butterfly(sh, tw, log_n, s_top - 1 - k, t, 1);
        __syncthreads();
    }
    for (size_t i = threadIdx.x; i < tile; i += blockDim.x)
        a[base + i] = sh[i];
}

static void zkr_dif(uint64_t *d_a, const uint64_t *d_tw, unsigned log_n, cudaStream_t s)
{
    unsigned s_top = log_n < ZKR_TILE_LOG ? log_n : ZKR_TILE_LOG;
    size_t nb = log_n ? (size_t)1 << (log_n - 1) : 0;

    for (unsigned st = log_n; st-- > s_top;)
        zkr_k_ntt_stage<<<zkr_grid(nb), zkr_tpb, 0, s>>>(d_a, d_tw, log_n, st, nb);
    if (s_top > 0)
        zkr_k_ntt_tile<<<(unsigned)((size_t)1 << (log_n - s_top)), 512, 0, s>>>(d_a, d_tw, log_n,
                                                                               s_top);
}

extern "C" int zkr_cuda_dev_lde(void *ctx, const uint64_t *coeffs, unsigned log_n,
                                unsigned log_blowup, const uint64_t *step, uint64_t w,
                                uint64_t *out)
{
    zkr_cuda_ctx *c = (zkr_cuda_ctx *)ctx;
    size_t n = (size_t)1 << log_n, half = n / 2, nblk = (size_t)1 << log_blowup;
    uint64_t *d_c = NULL, *d_out = NULL, *d_tw = NULL;
    int rc = ZKR_DEV_OK;

    if (log_n + log_blowup > 32)
        return ZKR_DEV_EUSAGE;
    ZKR_CK(cudaMalloc(&d_c, n * sizeof *d_c));
    ZKR_CK(cudaMalloc(&d_out, n * nblk * sizeof *d_out));
    ZKR_CK(cudaMalloc(&d_tw, (half ? half : 1) * sizeof *d_tw));
    ZKR_CK(cudaMemcpyAsync(d_c, coeffs, n * sizeof *d_c, cudaMemcpyHostToDevice, c->s));
    if (half)
        zkr_k_pow_table<<<zkr_grid(half), zkr_tpb, 0, c->s>>>(d_tw, w, half);
    for (size_t t = 0; t < nblk; t++) {
        zkr_k_lde_scale<<<zkr_grid(n), zkr_tpb, 0, c->s>>>(d_out + t * n, d_c, step[t], n);
        zkr_dif(d_out + t * n, d_tw, log_n, c->s);
    }
    ZKR_CK(cudaGetLastError());
    ZKR_CK(cudaMemcpyAsync(out, d_out, n * nblk * sizeof *out, cudaMemcpyDeviceToHost, c->s));
    ZKR_CK(cudaStreamSynchronize(c->s));
out:
    /* The coefficients are the witness (a model's weights): wipe before freeing. */
    if (d_c && cudaMemset(d_c, 0, n * sizeof *d_c) != cudaSuccess)
        (void)cudaGetLastError();
    cudaFree(d_c);
    cudaFree(d_out);
    cudaFree(d_tw);
    return rc;
}

/* ---------------- Merkle trees ---------------- */
struct zkr_seed {
    uint8_t b[32];
};

__global__ void zkr_k_leaves(const uint64_t *words, uint64_t n_leaves, size_t lw, zkr_seed seed,
                             uint64_t *nodes)
{
    for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < n_leaves;
         i += (uint64_t)gridDim.x * blockDim.x) {
        uint64_t salt[2];
        zkr_b_leaf_salt(seed.b, i, salt);
        zkr_b_leaf_hash(salt, words + i * lw, lw, nodes + 4 * (n_leaves + i));
    }
}

__global__ void zkr_k_level(uint64_t *nodes, uint64_t base)
{
    for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < base;
         i += (uint64_t)gridDim.x * blockDim.x) {
        uint64_t k = base + i;
        zkr_b_node_hash(nodes + 8 * k, nodes + 8 * k + 4, nodes + 4 * k);
    }
}

extern "C" int zkr_cuda_dev_mtree(void *ctx, const uint64_t *words, uint64_t n_leaves,
                                  size_t leaf_words, const uint8_t seed[32], uint8_t (*nodes)[32])
{
    zkr_cuda_ctx *c = (zkr_cuda_ctx *)ctx;
    uint64_t *d_w = NULL, *d_n = NULL;
    zkr_seed sd;
    int rc = ZKR_DEV_OK;

    memcpy(sd.b, seed, 32);
    ZKR_CK(cudaMalloc(&d_w, n_leaves * leaf_words * sizeof *d_w));
    ZKR_CK(cudaMalloc(&d_n, 2 * n_leaves * 32));
    ZKR_CK(cudaMemsetAsync(d_n, 0, 32, c->s));
    ZKR_CK(cudaMemcpyAsync(d_w, words, n_leaves * leaf_words * sizeof *d_w, cudaMemcpyHostToDevice,
                           c->s));
    zkr_k_leaves<<<zkr_grid(n_leaves), 128, 0, c->s>>>(d_w, n_leaves, leaf_words, sd, d_n);
    for (uint64_t half = n_leaves / 2; half >= 1; half /= 2)
        zkr_k_level<<<zkr_grid(half), 128, 0, c->s>>>(d_n, half);
    ZKR_CK(cudaGetLastError());
    ZKR_CK(cudaMemcpyAsync(nodes, d_n, 2 * n_leaves * 32, cudaMemcpyDeviceToHost, c->s));
    ZKR_CK(cudaStreamSynchronize(c->s));
out:
    memset(&sd, 0, sizeof sd);
    cudaFree(d_w);
    cudaFree(d_n);
    return rc;
}

/* ---------------- folding, sumcheck, LogUp ---------------- */
__global__ void zkr_k_fold(const zkr_b_ext *in, size_t half, zkr_b_ext r, zkr_b_ext *out)
{
    for (size_t v = blockIdx.x * (size_t)blockDim.x + threadIdx.x; v < half;
         v += (size_t)gridDim.x * blockDim.x)
        out[v] = zkr_b_fold_coef(r, in[2 * v], in[2 * v + 1]);
}

extern "C" int zkr_cuda_dev_fold(void *ctx, const uint64_t *in, size_t half, const uint64_t r[3],
                                 uint64_t *out)
{
    zkr_cuda_ctx *c = (zkr_cuda_ctx *)ctx;
    zkr_b_ext *d_in = NULL, *d_out = NULL, rr = {{r[0], r[1], r[2]}};
    int rc = ZKR_DEV_OK;

    ZKR_CK(cudaMalloc(&d_in, 2 * half * sizeof *d_in));
    ZKR_CK(cudaMalloc(&d_out, half * sizeof *d_out));
    ZKR_CK(cudaMemcpyAsync(d_in, in, 2 * half * sizeof *d_in, cudaMemcpyHostToDevice, c->s));
    zkr_k_fold<<<zkr_grid(half), zkr_tpb, 0, c->s>>>(d_in, half, rr, d_out);
    ZKR_CK(cudaGetLastError());
    ZKR_CK(cudaMemcpyAsync(out, d_out, half * sizeof *d_out, cudaMemcpyDeviceToHost, c->s));
    ZKR_CK(cudaStreamSynchronize(c->s));
out:
    cudaFree(d_in);
    cudaFree(d_out);
    return rc;
}

struct zkr_facs {
    const zkr_b_ext *f[ZKR_B_SC_MAX_FACTORS];
};

#define ZKR_SC_TPB 64
/* Per-block partial sums of the round values; the host adds the partials. */
__global__ void zkr_k_sc_term(zkr_facs fac, unsigned n_fac, unsigned d, size_t half,
                              zkr_b_ext *partial)
{
    __shared__ zkr_b_ext red[ZKR_SC_TPB][ZKR_B_SC_MAX_DEGREE];
    zkr_b_ext acc[ZKR_B_SC_MAX_DEGREE], v[ZKR_B_SC_MAX_DEGREE];

    for (unsigned x = 0; x < d; x++)
        acc[x] = zkr_b_ext_from(0);
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < half;
         i += (size_t)gridDim.x * blockDim.x) {
        zkr_b_sc_term_pair(fac.f, n_fac, d, i, v);
        for (unsigned x = 0; x < d; x++)
            acc[x] = zkr_b_ext_add(acc[x], v[x]);
    }
    for (unsigned x = 0; x < d; x++)
        red[threadIdx.x][x] = acc[x];
    __syncthreads();
    for (unsigned w = blockDim.x / 2; w > 0; w /= 2) {
        if (threadIdx.x < w)
            for (unsigned x = 0; x < d; x++)
                red[threadIdx.x][x] = zkr_b_ext_add(red[threadIdx.x][x], red[threadIdx.x + w][x]);
        __syncthreads();
    }
    if (threadIdx.x == 0)
        for (unsigned x = 0; x < d; x++)
            partial[blockIdx.x * ZKR_B_SC_MAX_DEGREE + x] = red[0][x];
}

extern "C" int zkr_cuda_dev_sc_term(void *ctx, const uint64_t *const *fac, unsigned n_fac,
                                    unsigned d, size_t half, uint64_t *sums)
{
    zkr_cuda_ctx *c = (zkr_cuda_ctx *)ctx;
    zkr_facs df;
    zkr_b_ext *d_part = NULL, *part = NULL, acc[ZKR_B_SC_MAX_DEGREE];
    unsigned grid = (unsigned)((half + ZKR_SC_TPB - 1) / ZKR_SC_TPB);
    int rc = ZKR_DEV_OK;

    if (n_fac < 1 || n_fac > ZKR_B_SC_MAX_FACTORS || d < 1 || d > ZKR_B_SC_MAX_DEGREE)
        return ZKR_DEV_EUSAGE;
    if (grid > 4096)
        grid = 4096;
    if (grid == 0)
        grid = 1;
    memset(&df, 0, sizeof df);
    for (unsigned k = 0; k < n_fac; k++) {
        zkr_b_ext *p = NULL;
        ZKR_CK(cudaMalloc(&p, 2 * half * sizeof *p));
        df.f[k] = p;
        ZKR_CK(cudaMemcpyAsync(p, fac[k], 2 * half * sizeof *p, cudaMemcpyHostToDevice, c->s));
    }
    ZKR_CK(cudaMalloc(&d_part, (size_t)grid * ZKR_B_SC_MAX_DEGREE * sizeof *d_part));
    part = (zkr_b_ext *)malloc((size_t)grid * ZKR_B_SC_MAX_DEGREE * sizeof *part);
    if (!part) {
        rc = ZKR_DEV_ENOMEM;
        goto out;
    }
    zkr_k_sc_term<<<grid, ZKR_SC_TPB, 0, c->s>>>(df, n_fac, d, half, d_part);
    ZKR_CK(cudaGetLastError());
    ZKR_CK(cudaMemcpyAsync(part, d_part, (size_t)grid * ZKR_B_SC_MAX_DEGREE * sizeof *part,
                           cudaMemcpyDeviceToHost, c->s));
    ZKR_CK(cudaStreamSynchronize(c->s));
    for (unsigned x = 0; x < d; x++) {
        acc[x] = zkr_b_ext_from(0);
        for (unsigned b = 0; b < grid; b++)
            acc[x] = zkr_b_ext_add(acc[x], part[(size_t)b * ZKR_B_SC_MAX_DEGREE + x]);
    }
    memcpy(sums, acc, d * sizeof *acc);
out:
    for (unsigned k = 0; k < ZKR_B_SC_MAX_FACTORS; k++)
        cudaFree((void *)df.f[k]);
    cudaFree(d_part);
    free(part);
    return rc;
}

__global__ void zkr_k_frac(const zkr_b_ext *p, const zkr_b_ext *q, size_t h, zkr_b_ext *po,
                           zkr_b_ext *qo)
{
    for (size_t x = blockIdx.x * (size_t)blockDim.x + threadIdx.x; x < h;
         x += (size_t)gridDim.x * blockDim.x)
        zkr_b_frac_parent(p, q, h, x, po + x, qo + x);
}

extern "C" int zkr_cuda_dev_frac_layer(void *ctx, const uint64_t *p, const uint64_t *q, size_t h,
                                       uint64_t *po, uint64_t *qo)
{
    zkr_cuda_ctx *c = (zkr_cuda_ctx *)ctx;
    zkr_b_ext *d_p = NULL, *d_q = NULL, *d_po = NULL, *d_qo = NULL;
    int rc = ZKR_DEV_OK;

    ZKR_CK(cudaMalloc(&d_p, 2 * h * sizeof *d_p));
    ZKR_CK(cudaMalloc(&d_q, 2 * h * sizeof *d_q));
    ZKR_CK(cudaMalloc(&d_po, h * sizeof *d_po));
    ZKR_CK(cudaMalloc(&d_qo, h * sizeof *d_qo));
    ZKR_CK(cudaMemcpyAsync(d_p, p, 2 * h * sizeof *d_p, cudaMemcpyHostToDevice, c->s));
    ZKR_CK(cudaMemcpyAsync(d_q, q, 2 * h * sizeof *d_q, cudaMemcpyHostToDevice, c->s));
    zkr_k_frac<<<zkr_grid(h), zkr_tpb, 0, c->s>>>(d_p, d_q, h, d_po, d_qo);
    ZKR_CK(cudaGetLastError());
    ZKR_CK(cudaMemcpyAsync(po, d_po, h * sizeof *d_po, cudaMemcpyDeviceToHost, c->s));
    ZKR_CK(cudaMemcpyAsync(qo, d_qo, h * sizeof *d_qo, cudaMemcpyDeviceToHost, c->s));
    ZKR_CK(cudaStreamSynchronize(c->s));
out:
    cudaFree(d_p);
    cudaFree(d_q);
    cudaFree(d_po);
    cudaFree(d_qo);
    return rc;
}

/* ---------------- the prover's folds, eq rounds and sumcheck rounds ---------------- */
/*
 * Witness-derived values (a model's weights flow through every table) are
 * wiped on the device before the memory goes back to the allocator.
 */
static void zkr_wipe_free(void *p, size_t bytes)
{
    if (p && cudaMemset(p, 0, bytes) != cudaSuccess)
        (void)cudaGetLastError();
    cudaFree(p);
}

__global__ void zkr_k_fold_any(const uint64_t *in, unsigned flags, size_t half, zkr_b_ext r,
                               zkr_b_ext *out)
{
    int eval = (flags & ZKR_DEV_FOLD_EVAL) != 0, base = (flags & ZKR_DEV_FOLD_BASE) != 0;
    const zkr_b_ext *ie = (const zkr_b_ext *)in;

    for (size_t v = blockIdx.x * (size_t)blockDim.x + threadIdx.x; v < half;
         v += (size_t)gridDim.x * blockDim.x) {
        if (base)
            out[v] = eval ? zkr_b_fold_eval_base(r, in[2 * v], in[2 * v + 1])
                          : zkr_b_fold_coef_base(r, in[2 * v], in[2 * v + 1]);
        else
            out[v] = eval ? zkr_b_fold_eval(r, ie[2 * v], ie[2 * v + 1])
                          : zkr_b_fold_coef(r, ie[2 * v], ie[2 * v + 1]);
    }
}

extern "C" int zkr_cuda_dev_fold_any(void *ctx, unsigned flags, const uint64_t *in, size_t half,
                                     const uint64_t r[3], uint64_t *out)
{
    zkr_cuda_ctx *c = (zkr_cuda_ctx *)ctx;
    size_t in_words = 2 * half * ((flags & ZKR_DEV_FOLD_BASE) ? 1 : 3);
    uint64_t *d_in = NULL;
    zkr_b_ext *d_out = NULL, rr = {{r[0], r[1], r[2]}};
    int rc = ZKR_DEV_OK;

    ZKR_CK(cudaMalloc(&d_in, in_words * sizeof *d_in));
    ZKR_CK(cudaMalloc(&d_out, (half ? half : 1) * sizeof *d_out));
    ZKR_CK(cudaMemcpyAsync(d_in, in, in_words * sizeof *d_in, cudaMemcpyHostToDevice, c->s));
    zkr_k_fold_any<<<zkr_grid(half), zkr_tpb, 0, c->s>>>(d_in, flags, half, rr, d_out);
    ZKR_CK(cudaGetLastError());
    ZKR_CK(cudaMemcpyAsync(out, d_out, half * sizeof *d_out, cudaMemcpyDeviceToHost, c->s));
    ZKR_CK(cudaStreamSynchronize(c->s));
out:
    zkr_wipe_free(d_in, in_words * sizeof *d_in);
    zkr_wipe_free(d_out, (half ? half : 1) * sizeof *d_out);
    return rc;
}

#define ZKR_EQ_TPB 128
/* Per-block partial sums (q0, q1) of the eq round; the host adds the partials. */
__global__ void zkr_k_eq_q(const zkr_b_ext *s, const uint64_t *g, int base, size_t half,
                           zkr_b_ext *partial)
{
    __shared__ zkr_b_ext red[ZKR_EQ_TPB][2];
    zkr_b_ext acc[2] = {zkr_b_ext_from(0), zkr_b_ext_from(0)}, v[2];

    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < half;
         i += (size_t)gridDim.x * blockDim.x) {
        if (base)
            zkr_b_eq_q_pair_base(s, g, i, v);
        else
            zkr_b_eq_q_pair(s, (const zkr_b_ext *)g, i, v);
        acc[0] = zkr_b_ext_add(acc[0], v[0]);
        acc[1] = zkr_b_ext_add(acc[1], v[1]);
    }
    red[threadIdx.x][0] = acc[0];
    red[threadIdx.x][1] = acc[1];
    __syncthreads();
    for (unsigned w = blockDim.x / 2; w > 0; w /= 2) {
        if (threadIdx.x < w)
            for (int x = 0; x < 2; x++)
                red[threadIdx.x][x] = zkr_b_ext_add(red[threadIdx.x][x], red[threadIdx.x + w][x]);
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        partial[2 * blockIdx.x] = red[0][0];
        partial[2 * blockIdx.x + 1] = red[0][1];
    }
}

extern "C" int zkr_cuda_dev_eq_q(void *ctx, const uint64_t *s, const uint64_t *g, int base,
                                 size_t half, uint64_t q[6])
{
    zkr_cuda_ctx *c = (zkr_cuda_ctx *)ctx;
    size_t g_words = 2 * half * (base ? 1 : 3);
    unsigned grid = (unsigned)((half + ZKR_EQ_TPB - 1) / ZKR_EQ_TPB);
    zkr_b_ext *d_s = NULL, *d_part = NULL, *part = NULL, acc[2];
    uint64_t *d_g = NULL;
    int rc = ZKR_DEV_OK;

    grid = grid > 4096 ? 4096 : grid == 0 ? 1 : grid;
    ZKR_CK(cudaMalloc(&d_s, (half ? half : 1) * sizeof *d_s));
    ZKR_CK(cudaMalloc(&d_g, (g_words ? g_words : 1) * sizeof *d_g));
    ZKR_CK(cudaMalloc(&d_part, 2 * (size_t)grid * sizeof *d_part));
    part = (zkr_b_ext *)malloc(2 * (size_t)grid * sizeof *part);
    if (!part) {
        rc = ZKR_DEV_ENOMEM;
        goto out;
    }
    ZKR_CK(cudaMemcpyAsync(d_s, s, half * sizeof *d_s, cudaMemcpyHostToDevice, c->s));
    ZKR_CK(cudaMemcpyAsync(d_g, g, g_words * sizeof *d_g, cudaMemcpyHostToDevice, c->s));
    zkr_k_eq_q<<<grid, ZKR_EQ_TPB, 0, c->s>>>(d_s, d_g, base, half, d_part);
    ZKR_CK(cudaGetLastError());
    ZKR_CK(cudaMemcpyAsync(part, d_part, 2 * (size_t)grid * sizeof *part, cudaMemcpyDeviceToHost,
                           c->s));
    ZKR_CK(cudaStreamSynchronize(c->s));
    acc[0] = acc[1] = zkr_b_ext_from(0);
    for (unsigned b = 0; b < grid; b++) {
        acc[0] = zkr_b_ext_add(acc[0], part[2 * b]);
        acc[1] = zkr_b_ext_add(acc[1], part[2 * b + 1]);
    }
    memcpy(q, acc[0].c, sizeof acc[0].c);
    memcpy(q + 3, acc[1].c, sizeof acc[1].c);
out:
    zkr_wipe_free(d_s, (half ? half : 1) * sizeof *d_s);
    zkr_wipe_free(d_g, (g_words ? g_words : 1) * sizeof *d_g);
    cudaFree(d_part);
    free(part);
    return rc;
}

extern "C" int zkr_cuda_dev_sc_round(void *ctx, const uint64_t *const *tables, unsigned n_tables,
                                     const unsigned *idx, const unsigned *n_fac, unsigned n_terms,
                                     unsigned d, size_t half, uint64_t *sums)
{
    zkr_cuda_ctx *c = (zkr_cuda_ctx *)ctx;
    zkr_b_ext *d_tab[16] = {NULL}, *d_part = NULL, *part = NULL;
    unsigned grid = (unsigned)((half + ZKR_SC_TPB - 1) / ZKR_SC_TPB);
    size_t tab_bytes = 2 * (half ? half : 1) * sizeof(zkr_b_ext);
    int rc = ZKR_DEV_OK;

    if (n_tables > 16 || d < 1 || d > ZKR_B_SC_MAX_DEGREE)
        return ZKR_DEV_EUSAGE;
    for (unsigned k = 0; k < n_terms; k++) {
        if (n_fac[k] < 1 || n_fac[k] > ZKR_B_SC_MAX_FACTORS)
            return ZKR_DEV_EUSAGE;
        for (unsigned q = 0; q < n_fac[k]; q++)
            if (idx[ZKR_B_SC_MAX_FACTORS * k + q] >= n_tables)
                return ZKR_DEV_EUSAGE;
    }
    grid = grid > 4096 ? 4096 : grid == 0 ? 1 : grid;
    for (unsigned t = 0; t < n_tables; t++) {
        ZKR_CK(cudaMalloc(&d_tab[t], tab_bytes));
        ZKR_CK(cudaMemcpyAsync(d_tab[t], tables[t], 2 * half * sizeof(zkr_b_ext),
                               cudaMemcpyHostToDevice, c->s));
    }
    ZKR_CK(cudaMalloc(&d_part, (size_t)grid * ZKR_B_SC_MAX_DEGREE * sizeof *d_part));
    part = (zkr_b_ext *)malloc((size_t)grid * ZKR_B_SC_MAX_DEGREE * sizeof *part);
    if (!part) {
        rc = ZKR_DEV_ENOMEM;
        goto out;
    }
    for (unsigned k = 0; k < n_terms; k++) {
        zkr_facs df;
        zkr_b_ext acc[ZKR_B_SC_MAX_DEGREE];
        memset(&df, 0, sizeof df);
        for (unsigned q = 0; q < n_fac[k]; q++)
            df.f[q] = d_tab[idx[ZKR_B_SC_MAX_FACTORS * k + q]];
        zkr_k_sc_term<<<grid, ZKR_SC_TPB, 0, c->s>>>(df, n_fac[k], d, half, d_part);
        ZKR_CK(cudaGetLastError());
        ZKR_CK(cudaMemcpyAsync(part, d_part, (size_t)grid * ZKR_B_SC_MAX_DEGREE * sizeof *part,
                               cudaMemcpyDeviceToHost, c->s));
        ZKR_CK(cudaStreamSynchronize(c->s));
        for (unsigned x = 0; x < d; x++) {
            acc[x] = zkr_b_ext_from(0);
            for (unsigned b = 0; b < grid; b++)
                acc[x] = zkr_b_ext_add(acc[x], part[(size_t)b * ZKR_B_SC_MAX_DEGREE + x]);
        }
        memcpy(sums + (size_t)3 * d * k, acc, d * sizeof *acc);
    }
out:
    for (unsigned t = 0; t < n_tables; t++)
        zkr_wipe_free(d_tab[t], tab_bytes);
    cudaFree(d_part);
    free(part);
    return rc;
}
