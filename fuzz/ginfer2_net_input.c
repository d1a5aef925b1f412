/*
 * fuzz_ginfer2_net's reader (fuzz_ginfer2_net.h): the statement's
 * commitments from the input, the fixed small CNN, zkr_verify_ginfer2.
 */
#include "fuzz_ginfer2_net.h"
#include "tests/zk/ginfer2_net_fx.h"

static uint32_t g2n_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One commitment at p; 0 past the caps. */
static int g2n_commit(const uint8_t *p, zkr_hpcs_commitment *c)
{
    memset(c, 0, sizeof *c);
    memcpy(c->root, p, 32);
    c->n_vars = g2n_get32(p + 32);
    c->blind_vars = g2n_get32(p + 36);
    return c->n_vars <= 40 && c->blind_vars <= ZKR_HPCS_MAX_BLIND_VARS;
}

zkr_err zkr_fuzz_ginfer2_net_verify(const uint8_t *data, size_t size, int *skip)
{
    g2n_fx *f = NULL;
    zkr_verifier_ginf2_statement st;
    zkr_hpcs_commitment xc, w1, w3;
    zkr_err r;

    *skip = 1;
    if (size < ZKR_FUZZ_G2N_HEADER || !g2n_commit(data + 32, &xc) ||
        !g2n_commit(data + 72, &w1) || !g2n_commit(data + 112, &w3))
        return ZKR_OK;
    if (!(f = malloc(sizeof *f)))
        return ZKR_ERR_NOMEM;
    *skip = 0;
    if ((r = g2n_fx_init(f, 0, 1)) == ZKR_OK) {
        g2n_fx_statement(f, &xc, NULL, &st);
        st.statement_id = data;
        st.wc[1] = &w1, st.wc[3] = &w3;
        st.output = NULL;
        r = zkr_verify_ginfer2(data + ZKR_FUZZ_G2N_HEADER, size - ZKR_FUZZ_G2N_HEADER, &st, NULL,
                               0, NULL, NULL);
    }
    g2n_fx_free(f);
    free(f);
    return r;
}
