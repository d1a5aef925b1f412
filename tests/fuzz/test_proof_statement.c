/*
 * fuzz_proof's statement stays the one its seeds were made for: W's
 * commitment, written into fuzz/fuzz_proof.c so that the harness needs no
 * prover, is the prover's; the corpus's valid seed verifies against the
 * harness's statement; and its tampered and truncated twins are refused.
 * A stale root would leave the harness fuzzing only the rejection path.
 * Argument: the corpus folder (fuzz/corpus/proof).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/common.h"
#include "fuzz_proof.h"
#include "prover/prover.h"
#include "tests/tap.h"

static void check_root(zkr_tap *t, const zkr_verifier_matmul_statement *st)
{
    zkr_pcs_commitment w;
    zkr_pcs_poly *poly = NULL;
    zkr_params p;
    int ok = zkr_params_get(st->param_set, &p) == ZKR_OK &&
             zkr_prover_matmul_commit(&p, zkr_fuzz_proof_w(), st->pub.m, st->pub.k, 1, &poly,
                                      &w) == ZKR_OK;

    zkr_tap_ok(t, ok && memcmp(w.root, st->pub.w.root, sizeof w.root) == 0 &&
                      w.n_vars == st->pub.w.n_vars,
               "fuzz_proof.c's W root and size are the prover's commitment to its W");
    zkr_pcs_poly_free(poly);
}

static void check_seed(zkr_tap *t, const zkr_verifier_matmul_statement *st, const char *dir)
{
    char path[4096];
    zkr_buf b = {0}, half = {0};
    int read_ok;
    zkr_err flipped = ZKR_OK, cut = ZKR_OK;

    snprintf(path, sizeof path, "%s/gen-valid.zkp", dir);
    read_ok = zkr_file_read(path, (size_t)1 << 20, &b, NULL) == ZKR_OK && b.len > 64;
    zkr_tap_ok(t, read_ok && zkr_verify_matmul(b.p, b.len, st, NULL) == ZKR_OK,
               "the corpus's gen-valid.zkp verifies against the harness's statement");
    snprintf(path, sizeof path, "%s/gen-half.zkp", dir);
    if (zkr_file_read(path, (size_t)1 << 20, &half, NULL) == ZKR_OK)
        cut = zkr_verify_matmul(half.p, half.len, st, NULL);
    zkr_tap_ok(t, half.len > 0 && cut != ZKR_OK, "its truncated twin gen-half.zkp is refused (%s)",
               zkr_strerror(cut));
    if (read_ok) {
        b.p[b.len - 40] ^= 0x01; /* inside the last opening's values */
        flipped = zkr_verify_matmul(b.p, b.len, st, NULL);
    }
    zkr_tap_ok(t, read_ok && flipped != ZKR_OK, "one bit flipped near its end: refused (%s)",
               zkr_strerror(flipped));
    zkr_buf_free(&b);
    zkr_buf_free(&half);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    zkr_verifier_matmul_statement st;

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0 || argc < 2) {
        printf("Bail out! usage: test_proof_statement CORPUS_DIR (and libsodium)\n");
        return 1;
    }
    zkr_fuzz_proof_statement(&st);
    check_root(&t, &st);
    check_seed(&t, &st, argv[1]);
    return zkr_tap_done(&t);
}
