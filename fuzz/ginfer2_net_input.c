/*
 * fuzz_ginfer2_net's reader (fuzz_ginfer2_net.h): the statement's
 * model commitment, dataset commitment and record index from the input,
 * the fixed small CNN, zkr_verify_ginfer2.
 */
#include "fuzz_ginfer2_net.h"
#include "tests/zk/ginfer2_net_fx.h"

static uint64_t g2n_get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (unsigned k = 0; k < 8; k++)
        v |= (uint64_t)p[k] << (8 * k);
    return v;
}

zkr_err zkr_fuzz_ginfer2_net_verify(const uint8_t *data, size_t size, int *skip)
{
    g2n_fx *f = NULL;
    zkr_verifier_ginf2_statement st;
    zkr_err r;

    *skip = 1;
    if (size < ZKR_FUZZ_G2N_HEADER)
        return ZKR_OK;
    if (!(f = calloc(1, sizeof *f)))
        return ZKR_ERR_NOMEM;
    *skip = 0;
    if ((r = g2n_fx_init(f, 0, 1)) == ZKR_OK) {
        g2n_fx_statement(f, &st);
        st.statement_id = data;
        st.model_commitment = data + 32;
        st.dataset_commitment = data + 64;
        st.record_index = g2n_get64(data + 96);
        st.output = NULL;
        r = zkr_verify_ginfer2(data + ZKR_FUZZ_G2N_HEADER, size - ZKR_FUZZ_G2N_HEADER, &st, NULL,
                               0, NULL, NULL);
    }
    g2n_fx_free(f);
    free(f);
    return r;
}
