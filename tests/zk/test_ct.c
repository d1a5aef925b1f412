/*
 * Constant-time check of the field arithmetic: inputs are marked undefined
 * for memcheck, so any branch or memory index that depends on them is
 * reported (run under `valgrind --error-exitcode=1`). Without valgrind the
 * client requests are no-ops and the program only checks results.
 */
#include <valgrind/memcheck.h>

#include "tests/tap.h"
#include "zk/zk.h"

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_gl a, b, r[8];
    zkr_ext x, y, e;

    zkr_tap_init(&t, argc, argv);
    for (int i = 0; i < 64; i++) {
        a = zkr_tap_rand(&t) % ZKR_GL_P;
        b = i % 4 == 0 ? ZKR_GL_P - 1 : zkr_tap_rand(&t) % ZKR_GL_P;
        VALGRIND_MAKE_MEM_UNDEFINED(&a, sizeof a);
        VALGRIND_MAKE_MEM_UNDEFINED(&b, sizeof b);
        r[0] = zkr_gl_add(a, b);
        r[1] = zkr_gl_sub(a, b);
        r[2] = zkr_gl_mul(a, b);
        r[3] = zkr_gl_neg(a);
        r[4] = zkr_gl_reduce128(a, b);
        r[5] = zkr_gl_inv(a);
        r[6] = zkr_gl_from_i64((int64_t)a);
        r[7] = zkr_gl_canon(b);
        x = (zkr_ext){{a, b, a}};
        y = (zkr_ext){{b, a, b}};
        e = zkr_ext_mul(x, y);
        e = zkr_ext_add(e, zkr_ext_sub(x, zkr_ext_mul_base(y, a)));
        /* Declassify only the outputs, to check them. */
        VALGRIND_MAKE_MEM_DEFINED(r, sizeof r);
        VALGRIND_MAKE_MEM_DEFINED(&e, sizeof e);
        VALGRIND_MAKE_MEM_DEFINED(&a, sizeof a);
        VALGRIND_MAKE_MEM_DEFINED(&b, sizeof b);
        if (r[2] != (zkr_gl)(((unsigned __int128)a * b) % ZKR_GL_P) || r[0] >= ZKR_GL_P ||
            r[1] >= ZKR_GL_P || (a && zkr_gl_mul(r[5], a) != 1) || e.c[0] >= ZKR_GL_P) {
            zkr_tap_ok(&t, 0, "results at iteration %d", i);
            return zkr_tap_done(&t);
        }
    }
    zkr_tap_ok(&t, 1, "field ops on secret-marked inputs: results correct (valgrind checks branches)");
    return zkr_tap_done(&t);
}
