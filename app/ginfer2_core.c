/*
 * graph-inference@2's core calls (app/ginfer2_core.h) on the record-bound
 * API (prover/ginfer2.h "the model commitment", zk/ginfer2_mc.h): the
 * private graph model commitment is zkr_prover_ginfer2_commit's encoding,
 * its registry digest zkr_ginf2_mc_digest; the record is the version 3
 * dataset's record commitment (the flat layout), opened with the data
 * owner's opening; the verifier reads every binding from its statement.
 */
#include <stdlib.h>
#include <string.h>

#include "app/ginfer2_core.h"
#include "prover/ginfer2.h"
#include "verifier/ginfer2.h"
#include "zk/ginfer2_mc.h"

/* The most logits a proof's output may carry (the worker's output cap). */
#define G2_OUTPUT_CAP ((uint32_t)1 << 16)

_Static_assert(ZKR_APP_G2_OPENING_BYTES == ZKR_GINF2_OPENING_BYTES,
               "a private graph model's opening is sealed as a dense one's");

int zkr_app_g2_mc_is_graph(const uint8_t *enc, size_t len)
{
    zkr_ginf2_mc mc;
    zkr_params p;
    int ok;

    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        return 0;
    ok = zkr_ginf2_mc_decode(&p, enc, len, &mc) == ZKR_OK;
    if (ok)
        zkr_ginf2_mc_clear(&mc);
    return ok;
}

void zkr_app_g2_mc_digest(const uint8_t *enc, size_t len, uint8_t *out)
{
    zkr_ginf2_mc_digest(enc, len, out);
}

zkr_err zkr_app_g2_commit(const uint8_t *model, size_t len, uint32_t budget, const uint8_t *seed,
                          size_t seed_len, zkr_buf *enc, uint8_t *opening, uint32_t *proofs,
                          uint32_t *n_layers, uint8_t program[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    zkr_ml_gmodel *m = NULL;
    zkr_ginf2_model *gm = NULL;
    zkr_ginf2_mc mc;
    zkr_params p;
    zkr_err r;

    memset(&mc, 0, sizeof mc);
    if (budget < 1 || budget > ZKR_APP_G2_BUDGET_MAX)
        return zkr_fail(d, ZKR_ERR_USAGE, "--budget: a graph model is committed for 1..%u proofs",
                        ZKR_APP_G2_BUDGET_MAX);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK ||
        (r = zkr_ml_gmodel_decode(model, len, &m, d)) != ZKR_OK)
        goto out;
    r = zkr_prover_ginfer2_commit(&p, m, budget, seed, seed_len, 2, &gm, enc, opening, d);
    if (r == ZKR_ERR_USAGE) /* a weight of -128: no model this kind proves */
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "%s", d && d->msg[0] ? d->msg : "model refused");
    if (r != ZKR_OK || (r = zkr_ginf2_mc_decode(&p, enc->p, enc->len, &mc)) != ZKR_OK)
        goto out;
    *proofs = zkr_ginf2_model_proofs_left(gm);
    *n_layers = 0;
    for (uint32_t i = 0; i < ZKR_GINF2_NET_MAX_NODES; i++)
        *n_layers += (uint32_t)zkr_ginf2_mc_has_w(&mc, i);
    memcpy(program, mc.program_digest, ZKR_DIGEST_BYTES);
out:
    zkr_ginf2_mc_clear(&mc);
    zkr_ginf2_model_free(gm);
    zkr_ml_gmodel_free(m);
    return r;
}

zkr_err zkr_app_g2_mc_check_program(const uint8_t *enc, size_t len, const uint8_t *prog,
                                    size_t prog_len, const char *file, zkr_diag *d)
{
    zkr_ml_gprog g;
    zkr_ginf2_mc mc;
    zkr_ginf2_pub mp;
    zkr_params p;
    zkr_diag why = {{0}};
    zkr_err r;

    memset(&mc, 0, sizeof mc);
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK)
        return r;
    if (zkr_ml_gprog_decode(prog, prog_len, &g, NULL) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                        "%s: a private graph model commitment; the program is no graph program",
                        file);
    if ((r = zkr_ginf2_mc_decode(&p, enc, len, &mc)) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MALFORMED, "%s: not a graph model commitment", file);
    if (zkr_ginf2_mc_fit(&g, &mc, &mp, &why) != ZKR_OK)
        r = zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM,
                     "%s: the graph model commitment is not for this program (%s)", file,
                     why.msg);
    zkr_ginf2_mc_clear(&mc);
    return r;
}

zkr_err zkr_app_g2_proofs_left(const zkr_ml_gmodel *gm, const zkr_buf *enc,
                               const uint8_t *opening, uint32_t *proofs, zkr_diag *d)
{
    zkr_ginf2_model *m = NULL;
    zkr_params p;
    zkr_err r;

    *proofs = 0;
    if ((r = zkr_params_get(ZKR_PARAM_SET_128, &p)) != ZKR_OK ||
        (r = zkr_prover_ginfer2_reopen(&p, gm, enc->p, enc->len, opening, 2, &m, d)) != ZKR_OK)
        return r;
    *proofs = zkr_ginf2_model_proofs_left(m);
    zkr_ginf2_model_free(m);
    return ZKR_OK;
}

zkr_err zkr_app_g2_prove(const zkr_app_g2_prove_in *in, zkr_buf *proof, zkr_buf *out,
                         zkr_diag *d)
{
    zkr_ml_gmodel *m = NULL;
    zkr_ginf2_model *gm = NULL;
    zkr_hpcs_poly *x = NULL;
    zkr_prover_ginf2_in pin;
    zkr_ginf2_popts o;
    zkr_zkrng rng;
    zkr_params p;
    unsigned threads = in->threads ? in->threads : 1;
    zkr_err r;

    memset(&pin, 0, sizeof pin);
    memset(&o, 0, sizeof o);
    o.threads = threads;
    if (zkr_params_get(in->param_set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "unknown parameter set %u", in->param_set);
    if (in->seed_len)
        r = zkr_zkrng_seeded(&rng, in->seed, in->seed_len, "graph-inference@2", in->sid,
                             ZKR_DIGEST_BYTES);
    else
        zkr_zkrng_os(&rng), r = ZKR_OK;
    if (r != ZKR_OK)
        return zkr_fail(d, r, "--zk-seed: %zu bytes", in->seed_len);
    if ((r = zkr_ml_gmodel_decode(in->model, in->model_len, &m, d)) != ZKR_OK ||
        (r = zkr_prover_ginfer2_reopen(&p, m, in->enc, in->enc_len, in->opening, threads, &gm,
                                       d)) != ZKR_OK ||
        (r = zkr_prover_record_reopen(&p, in->rec.record, in->rec.record_len,
                                      in->rec.commitment, in->rec.opening, threads, &x)) !=
            ZKR_OK)
        goto out;
    zkr_ginf2_model_input(gm, &pin);
    pin.statement_id = in->sid;
    pin.rec = &in->rec;
    pin.x = x;
    r = zkr_prover_ginfer2(&p, &pin, &o, &rng, proof, out, d);
out:
    zkr_zkrng_wipe(&rng);
    zkr_hpcs_poly_free(x);
    zkr_ginf2_model_free(gm);
    zkr_ml_gmodel_free(m);
    return r;
}

zkr_err zkr_app_g2_verify(const zkr_app_g2_verify_in *in, const uint8_t *proof, size_t len,
                          zkr_diag *d)
{
    zkr_verifier_ginf2_statement st;
    uint8_t dc[ZKR_DIGEST_BYTES];
    zkr_ml_gprog g;
    int8_t *y = malloc(G2_OUTPUT_CAP);
    uint32_t n = 0;
    zkr_buf enc = {0};
    zkr_err r;

    if (y == NULL)
        return ZKR_ERR_NOMEM;
    if (zkr_ml_gprog_decode(in->program, in->program_len, &g, d) != ZKR_OK) {
        free(y);
        return zkr_fail(d, ZKR_ERR_MISMATCH_PROGRAM, "the registered program is no graph program");
    }
    zkr_infer2_dataset_commitment(in->n_records, in->root, dc);
    memset(&st, 0, sizeof st);
    st.param_set = in->param_set;
    st.statement_id = in->sid;
    st.g = &g;
    st.model_commitment = in->mc_digest;
    st.dataset_commitment = dc;
    st.record_index = in->index;
    if ((r = zkr_verify_ginfer2(proof, len, &st, y, G2_OUTPUT_CAP, &n, d)) != ZKR_OK) {
        free(y);
        return r;
    }
    /* The proven logits against the registered public output, byte for byte. */
    if ((r = zkr_infer_output_encode(y, n, &enc)) == ZKR_OK &&
        (enc.len != in->output_len || memcmp(enc.p, in->output, enc.len) != 0))
        r = zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT,
                     "the proven output differs from the statement's public output");
    zkr_buf_free(&enc);
    free(y);
    return r;
}
