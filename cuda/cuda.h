/*
 * The prover backends: the CPU (zk/ and prover/ code), the CUDA backend
 * (cuda/kernels.cu, built when nvcc is found: meson option cuda) and the
 * host build of the CUDA kernel bodies (tests). docs/cuda.md.
 */
#ifndef ZKR_CUDA_H
#define ZKR_CUDA_H

#include "common/common.h"
#include "cuda/dev.h"
#include "prover/accel.h"

typedef enum {
    ZKR_BACKEND_AUTO, /* CUDA when a device is usable, else the CPU (silently) */
    ZKR_BACKEND_CPU,
    ZKR_BACKEND_CUDA  /* CUDA or a refusal */
} zkr_backend;

/* "auto", "cpu", "cuda"; ZKR_ERR_USAGE (naming the value) otherwise. */
zkr_err zkr_backend_parse(const char *s, zkr_backend *out, zkr_diag *d) ZKR_WUR;
const char *zkr_backend_name(zkr_backend b);

/* Whether the CUDA backend was compiled into this binary. */
int zkr_cuda_built(void);
/*
 * What the CUDA runtime reports (never fails; see zkr_cuda_info), free
 * memory included: this creates the device's context (doctor, benches).
 */
void zkr_cuda_probe(zkr_cuda_info *out);
/* The same without touching the device: built, versions, device count and name. */
void zkr_cuda_probe_count(zkr_cuda_info *out);

/*
 * The accelerator for b: *out NULL for the CPU (ZKR_BACKEND_CPU, or AUTO
 * without a usable device), else a CUDA accelerator bound to device 0 that
 * the caller frees with zkr_accel_free. ZKR_BACKEND_CUDA without a usable
 * device (not built, no driver, no device) is ZKR_ERR_UNSUPPORTED with the
 * reason in d. ZKR_ERR_NOMEM.
 */
zkr_err zkr_accel_open(zkr_backend b, zkr_accel **out, zkr_diag *d) ZKR_WUR;
/*
 * Starts the CUDA runtime on device 0 ahead of confinement (the prover-cuda
 * worker's preparation, docs/sandbox.md): loads the driver library, opens
 * the device nodes, creates the primary context and loads every kernel
 * eagerly (CUDA_MODULE_LOADING=EAGER, so that no code is mapped or
 * JIT-compiled later, under seccomp). A later zkr_accel_open reuses the
 * context. ZKR_ERR_UNSUPPORTED "--backend cuda: no usable CUDA device (why)".
 */
zkr_err zkr_cuda_prepare(zkr_diag *d) ZKR_WUR;
/* The host build of the kernel bodies as an accelerator (tests). ZKR_ERR_NOMEM. */
zkr_err zkr_accel_host_new(zkr_accel **out) ZKR_WUR;
/*
 * How many optional calls (sumcheck rounds and folds, Basefold folds and eq
 * rounds, LogUp layers) failed on a (device errors, memory) and ran on the
 * CPU instead, with the same values (prover/accel.h). 0 for NULL.
 */
unsigned long zkr_accel_fallbacks(const zkr_accel *a);
/* Releases the device and frees. Accepts NULL. */
void zkr_accel_free(zkr_accel *a);

#endif
