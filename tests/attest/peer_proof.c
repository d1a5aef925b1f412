/*
 * zkr-test-peer-proof: writes the "proof" record a bundle import brings from
 * a peer appliance on another release (test-only): statement STATEMENT_ID,
 * proof digest PROOF_SHA256, verified under VERSION, through the registry
 * API that bundle import and verify use. Prints the record's log index.
 *   zkr-test-peer-proof REGISTRY STATEMENT_ID PROOF_SHA256 VERSION
 * The zkreg CLI never writes such a record itself (verify records this
 * release's version); this stands in for building a second release.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/common.h"
#include "registry/registry.h"

static int hex32(const char *s, uint8_t out[32])
{
    size_t n = 0;

    return strlen(s) == 64 && sodium_hex2bin(out, 32, s, 64, NULL, &n, NULL) == 0 && n == 32;
}

int main(int argc, char **argv)
{
    zkr_registry *reg = NULL;
    zkr_diag d = {0};
    uint8_t sid[32], pd[32];
    uint64_t idx = 0;
    zkr_err r;

    if (argc != 5 || !hex32(argv[2], sid) || !hex32(argv[3], pd)) {
        fprintf(stderr, "usage: zkr-test-peer-proof REGISTRY STATEMENT_ID PROOF_SHA256 VERSION\n");
        return 2;
    }
    if ((r = zkr_registry_open(argv[1], &reg, &d)) == ZKR_OK)
        r = zkr_registry_proof_record(reg, sid, pd, argv[4], &idx, &d);
    zkr_registry_close(reg);
    if (r != ZKR_OK) {
        fprintf(stderr, "zkr-test-peer-proof: %s\n", d.msg);
        return 1;
    }
    printf("%llu\n", (unsigned long long)idx);
    return 0;
}
