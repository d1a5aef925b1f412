/* Goldilocks and its cubic extension: the non-inline operations. */
#include <stdlib.h>

#include "zk/zk.h"

zkr_gl zkr_gl_pow(zkr_gl a, uint64_t e)
{
    zkr_gl r = 1;

    while (e) {
        if (e & 1)
            r = zkr_gl_mul(r, a);
        a = zkr_gl_mul(a, a);
        e >>= 1;
    }
    return r;
}

/* The exponent p - 2 is public and fixed, so the square-and-multiply
 * sequence does not depend on a. */
zkr_gl zkr_gl_inv(zkr_gl a) { return zkr_gl_pow(a, ZKR_GL_P - 2); }

zkr_gl zkr_gl_root_of_unity(unsigned log_n)
{
    zkr_gl g = zkr_gl_pow(ZKR_GL_GENERATOR, (ZKR_GL_P - 1) >> ZKR_GL_TWO_ADICITY);

    for (unsigned i = log_n; i < ZKR_GL_TWO_ADICITY; i++)
        g = zkr_gl_mul(g, g);
    return g;
}

zkr_err zkr_gl_batch_inv(zkr_gl *a, size_t n)
{
    zkr_gl *pre, acc = 1;

    if (n == 0)
        return ZKR_OK;
    for (size_t i = 0; i < n; i++)
        if (a[i] == 0)
            return ZKR_ERR_USAGE;
    pre = malloc(n * sizeof *pre);
    if (!pre)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        pre[i] = acc;
        acc = zkr_gl_mul(acc, a[i]);
    }
    acc = zkr_gl_inv(acc);
    for (size_t i = n; i-- > 0;) {
        zkr_gl ai = a[i];
        a[i] = zkr_gl_mul(acc, pre[i]);
        acc = zkr_gl_mul(acc, ai);
    }
    free(pre);
    return ZKR_OK;
}

/* Frobenius a -> a^p by exponentiation (64 squarings); fine for inverses. */
static zkr_ext zkr_ext_pow_p(zkr_ext a)
{
    zkr_ext r = zkr_ext_from(1);
    uint64_t e = ZKR_GL_P;

    while (e) {
        if (e & 1)
            r = zkr_ext_mul(r, a);
        a = zkr_ext_mul(a, a);
        e >>= 1;
    }
    return r;
}

zkr_ext zkr_ext_inv(zkr_ext a)
{
    zkr_ext a1 = zkr_ext_pow_p(a);
    zkr_ext a2 = zkr_ext_pow_p(a1);
    zkr_ext conj = zkr_ext_mul(a1, a2);
    zkr_ext norm = zkr_ext_mul(a, conj); /* lies in F_p: c1 = c2 = 0 */
    return zkr_ext_mul_base(conj, zkr_gl_inv(norm.c[0]));
}

zkr_err zkr_ext_batch_inv(zkr_ext *a, size_t n)
{
    zkr_ext *pre, acc = zkr_ext_from(1);

    if (n == 0)
        return ZKR_OK;
    for (size_t i = 0; i < n; i++)
        if ((a[i].c[0] | a[i].c[1] | a[i].c[2]) == 0)
            return ZKR_ERR_USAGE;
    pre = malloc(n * sizeof *pre);
    if (!pre)
        return ZKR_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        pre[i] = acc;
        acc = zkr_ext_mul(acc, a[i]);
    }
    acc = zkr_ext_inv(acc);
    for (size_t i = n; i-- > 0;) {
        zkr_ext ai = a[i];
        a[i] = zkr_ext_mul(acc, pre[i]);
        acc = zkr_ext_mul(acc, ai);
    }
    free(pre);
    return ZKR_OK;
}

unsigned zkr_log2_ceil(uint64_t v)
{
    unsigned l = 0;

    while (l < 64 && ((uint64_t)1 << l) < v)
        l++;
    return l;
}

uint64_t zkr_bitrev(uint64_t i, unsigned bits)
{
    uint64_t r = 0;

    for (unsigned b = 0; b < bits; b++)
        r |= ((i >> b) & 1) << (bits - 1 - b);
    return r;
}
