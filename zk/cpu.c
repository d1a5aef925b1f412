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
#include <cpuid.h>

/* CPUID leaf 7 EBX bit 16 (AVX512F), and the OS saving the opmask and ZMM
 * state (XCR0 bits 1, 2, 5, 6, 7; leaf 1 ECX bit 27 OSXSAVE for XGETBV). */
int zkr_cpu_avx512f(void)
{
    unsigned a, b, c, d, lo, hi;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)))
        return 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 0xe6u) != 0xe6u)
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b & (1u << 16)) != 0 && !zkr_simd_env_off();
}

/* Leaf 1 ECX bits 27 (OSXSAVE) and 28 (AVX), XCR0 bits 1 and 2 (SSE and
 * YMM state), leaf 7 EBX bit 5 (AVX2). */
int zkr_cpu_avx2(void)
{
    unsigned a, b, c, d, lo, hi;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)) || !(c & (1u << 28)))
        return 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 0x6u) != 0x6u)
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b & (1u << 5)) != 0 && !zkr_simd_env_off();
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
