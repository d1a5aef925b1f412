/*
 * Fuzz target: the worker→parent reply frame (the parent's trust boundary
 * with a compromised worker) and the request frame, docs/ipc.md.
 * Link with sandbox_dep; sandbox/sandbox_int.h declares the decoders.
 * Invariant checked: an accepted reply re-encodes to exactly the input.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sandbox/sandbox_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_sandbox_reply rp;
    const uint8_t *payload;
    size_t plen;
    zkr_buf again = {0};

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    if (zkr_sandbox_rep_decode(data, size, (size_t)1 << 20, &rp, NULL) == ZKR_OK) {
        if (zkr_sandbox_rep_encode(rp.status, rp.confinement, rp.landlock_abi,
                                   rp.msg[0] ? rp.msg : NULL, rp.payload, rp.payload_len,
                                   &again) != ZKR_OK ||
            again.len != size || memcmp(again.p, data, size) != 0)
            abort();
        zkr_buf_free(&again);
    }
    /* Any verdict is fine; the decoder must only stay in bounds. A decoded payload lies inside the input. */
    if (zkr_sandbox_req_decode(data, size, "verify", (size_t)1 << 20, &payload, &plen, NULL) ==
            ZKR_OK &&
        (payload < data || plen > size || (size_t)(payload - data) > size - plen))
        abort();
    return 0;
}
