/*
 * zkr-test-mkatt: makes attestations for the CLI tests from a key file,
 * with sample facts (the attest glue that reads them from the registry
 * does not exist yet). Test-only; not installed.
 *   zkr-test-mkatt KEYFILE PASSFILE OUT [AGE_SECONDS [SEED [COSIGN_IN]]]
 */
#include <time.h>

#include "test_util.h"

int main(int argc, char **argv)
{
    zkr_signer_opts o = {0};
    zkr_signer *s = NULL;
    zkr_attest_facts f;
    zkr_buf out = {0}, in = {0};
    char uri[1100];
    zkr_diag d;
    zkr_err r;

    if (argc < 4 || sodium_init() < 0) {
        fputs("usage: zkr-test-mkatt KEYFILE PASSFILE OUT [AGE [SEED [COSIGN_IN]]]\n", stderr);
        return 2;
    }
    zkr_diag_clear(&d);
    o.passphrase_path = argv[2];
    snprintf(uri, sizeof uri, "file:%s", argv[1]);
    tu_facts(&f, argc > 5 ? (uint8_t)atoi(argv[5]) : 1,
             (int64_t)time(NULL) - (argc > 4 ? atoll(argv[4]) : 0));
    if ((r = zkr_signer_open(uri, &o, &s, &d)) == ZKR_OK) {
        if (argc > 6) {
            if ((r = zkr_file_read(argv[6], 1 << 20, &in, &d)) == ZKR_OK)
                r = zkr_attest_cosign(s, in.p, in.len, NULL, &out, &d);
        } else {
            r = zkr_attest_sign(s, &f, NULL, &out, &d);
        }
    }
    if (r == ZKR_OK)
        r = zkr_file_write_atomic(argv[3], out.p, out.len, 0644, &d);
    if (r != ZKR_OK)
        fprintf(stderr, "zkr-test-mkatt: %s: %s\n", zkr_strerror(r), d.msg);
    zkr_signer_free(s);
    zkr_buf_free(&out);
    zkr_buf_free(&in);
    return r == ZKR_OK ? 0 : 1;
}
