/*
 * The committed inference@2 fuzz seeds (fuzz/corpus/infer2_proof/gen-*,
 * made by fuzz/gen_corpus.c from the real prover) verify with this build's
 * verifier: a parameter or format change that forgets to regenerate them
 * fails here, not silently in a fuzz campaign that only sees refusals.
 * Each seed's twin, one bit of its proof flipped, is refused. And a proof
 * made at stop 52's goldilocks-128-r64 (16 grinding bits; stop 53's set
 * grinds 22, docs/formats.md) is refused: its parameter digest is in the
 * transcript, so nothing of it checks.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz/fuzz_infer2_proof.h"
#include "tests/tap.h"

static const char *const seeds[] = {"gen-4-4-2-pub", "gen-4-4-2-pub-r16", "gen-4-4-2-pub-r64",
                                    "gen-512-64-pub-r16"};

/* The verifier's answer to the input at path, one bit of its proof flipped where flip. */
static zkr_err run(const char *path, int flip, zkr_diag *d)
{
    zkr_buf in = {0};
    zkr_verifier_inference2_statement st;
    size_t off = 0;
    zkr_err r = zkr_file_read(path, ZKR_FUZZ_INFER2_MAX_INPUT, &in, d);

    /* a seed with no proof bytes after its statement is a broken seed: no byte to flip */
    if (r == ZKR_OK && (!zkr_fuzz_infer2_input(in.p, in.len, &st, &off) || off >= in.len))
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "%s: no statement header, or no proof after it", path);
    if (r == ZKR_OK) {
        if (flip) /* a byte in the middle of the proof: past the header and the statement */
            in.p[off + (in.len - off) / 2] ^= 0x10;
        r = zkr_verify_inference2(in.p + off, in.len - off, &st, d);
    }
    zkr_buf_free(&in);
    return r;
}

int main(int argc, char **argv)
{
    zkr_tap t;
    const char *root = getenv("ZKR_SOURCE_ROOT");
    char path[4096];
    zkr_diag d;
    zkr_err r;

    zkr_tap_init(&t, argc, argv);
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        snprintf(path, sizeof path, "%s/fuzz/corpus/infer2_proof/%s", root ? root : ".",
                 seeds[i]);
        zkr_diag_clear(&d);
        r = run(path, 0, &d);
        zkr_tap_ok(&t, r == ZKR_OK, "seed %s verifies (%s%s%s)", seeds[i], zkr_strerror(r),
                   d.msg[0] ? ": " : "", d.msg);
        zkr_diag_clear(&d);
        r = run(path, 1, &d);
        zkr_tap_ok(&t, r == ZKR_ERR_VERIFY || r == ZKR_ERR_MALFORMED,
                   "seed %s with one bit of its proof flipped: refused (%s: %s)", seeds[i],
                   zkr_strerror(r), d.msg);
    }
    snprintf(path, sizeof path, "%s/tests/fixtures/infer2_r64_stop52.bin", root ? root : ".");
    zkr_diag_clear(&d);
    r = run(path, 0, &d);
    zkr_tap_ok(&t, r == ZKR_ERR_VERIFY,
               "stop 52's goldilocks-128-r64 proof (16 grinding bits) is refused (%s: %s)",
               zkr_strerror(r), d.msg);
    return zkr_tap_done(&t);
}
