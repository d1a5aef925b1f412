/* CPU feature detection shared by every AVX-512 path (zk/zk_int.h): one
 * place decides, so ZKR_NO_AVX512 (zkr_simd_env_off) turns them all off. */
#include <stdlib.h>
#include <string.h>

#include "zk/zk_int.h"

/* The environment is the process's own, read-only here; getenv takes no
 * lock and makes no system call, so the seccomp-confined workers may call
 * it (their environment is empty: the AVX-512 paths stay on there). */
int zkr_simd_env_off(void)
{
    const char *v = getenv("ZKR_NO_AVX512");

    return v && v[0] && strcmp(v, "0") != 0;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/*
 * libgcc's CPU model, filled once at load: CPUID leaf 7 EBX bit 16
 * (AVX512F) counted only when XGETBV shows the OS saving the opmask and
 * ZMM state, bit 5 (AVX2) only with the YMM state saved. Read from memory
 * here because the callers ask per kernel call, and CPUID traps to the
 * hypervisor on a virtual machine (about 1 % of an inference@2 proof's CPU
 * time when this function ran CPUID itself; docs/bench.md, "Stop 51").
 */
int zkr_cpu_avx512f(void)
{
    return __builtin_cpu_supports("avx512f") && !zkr_simd_env_off();
}

int zkr_cpu_avx2(void)
{
    return __builtin_cpu_supports("avx2") && !zkr_simd_env_off();
}
#else
int zkr_cpu_avx512f(void)
{
    return 0;
}

int zkr_cpu_avx2(void)
{
    return 0;
}
#endif
