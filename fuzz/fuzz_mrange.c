/*
 * The private model's range proof (zk/model_range.h, docs/formats.md "Model
 * range proof"): what `register-model --commitment` and `attest` hand the
 * "mrange-verify" worker. Input (big-endian): u32 mc_len | model commitment
 * v2, 3 or 4 bytes | u8 n_layers | n_layers x (u32 in_dim | u32 out_dim) | the range
 * proof file. The verifier must never crash and must answer the same twice.
 */
#include <string.h>

#include "fuzz.h"
#include "zk/model_range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_mrange_dims dims;
    zkr_params p;
    size_t mc_len, at;
    zkr_err a, b;

    if (size > ZKR_FUZZ_MAX_INPUT || size < 5 || zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 0;
    mc_len = zkr_load_be32(data);
    if (mc_len > size - 5)
        return 0;
    at = 4 + mc_len;
    memset(&dims, 0, sizeof dims);
    dims.n_layers = data[at++];
    if (dims.n_layers > ZKR_INFER_MAX_LAYERS || size - at < 8 * (size_t)dims.n_layers)
        return 0;
    for (uint32_t l = 0; l < dims.n_layers; l++, at += 8) {
        dims.in_dim[l] = zkr_load_be32(data + at);
        dims.out_dim[l] = zkr_load_be32(data + at + 4);
    }
    a = zkr_mrange_verify(&p, data + 4, mc_len, &dims, data + at, size - at, NULL);
    if (a == ZKR_OK) {
        b = zkr_mrange_verify(&p, data + 4, mc_len, &dims, data + at, size - at, NULL);
        if (b != a)
            __builtin_trap();
    }
    return 0;
}
