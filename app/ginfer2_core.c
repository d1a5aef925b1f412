/*
 * graph-inference@2's core calls (app/ginfer2_core.h). Until the record
 * bound to a version 3 dataset and the graph model commitment (branch
 * g2-record) are in, every call refuses (ZKR_ERR_UNSUPPORTED).
 */
#include "app/ginfer2_core.h"

int zkr_app_g2_mc_is_graph(const uint8_t *enc, size_t len)
{
    (void)enc;
    (void)len;
    return 0;
}

void zkr_app_g2_mc_digest(const uint8_t *enc, size_t len, uint8_t *out)
{
    zkr_sha256(enc, len, out);
}

zkr_err zkr_app_g2_proofs_left(const zkr_ml_gmodel *gm, const zkr_buf *enc,
                               const uint8_t *opening, uint32_t *proofs, zkr_diag *d)
{
    (void)gm;
    (void)enc;
    (void)opening;
    *proofs = 0;
    return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "graph-inference@2 private graph models: not yet");
}

zkr_err zkr_app_g2_prove(const zkr_app_g2_prove_in *in, zkr_buf *proof, zkr_buf *out,
                         zkr_diag *d)
{
    (void)in;
    (void)proof;
    (void)out;
    return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "graph-inference@2 proofs: not yet");
}

zkr_err zkr_app_g2_verify(const zkr_app_g2_verify_in *in, const uint8_t *proof, size_t len,
                          zkr_diag *d)
{
    (void)in;
    (void)proof;
    (void)len;
    return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "graph-inference@2 proofs: not yet");
}

zkr_err zkr_app_g2_commit(const uint8_t *model, size_t len, uint32_t budget, const uint8_t *seed,
                          size_t seed_len, zkr_buf *enc, uint8_t *opening, uint32_t *proofs,
                          uint32_t *n_layers, uint8_t program[ZKR_DIGEST_BYTES], zkr_diag *d)
{
    (void)model, (void)len, (void)budget, (void)seed, (void)seed_len, (void)enc, (void)opening;
    (void)proofs, (void)n_layers, (void)program;
    return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "private graph models: not yet");
}

zkr_err zkr_app_g2_mc_check_program(const uint8_t *enc, size_t len, const uint8_t *prog,
                                    size_t prog_len, const char *file, zkr_diag *d)
{
    (void)enc, (void)len, (void)prog, (void)prog_len;
    return zkr_fail(d, ZKR_ERR_UNSUPPORTED, "%s: private graph models: not yet", file);
}
