/*
 * app-g2-add: the CLI's model commit path of a graph model with ADD nodes
 * (`zkreg model commit` -> zkr_app_g2_commit, app/ginfer2_core.h) on the
 * residual CNN of zk-ginfer2-add (tests/zk/ginfer2_res_fx.h; no ONNX
 * exporter needed: the quantized graph-model file is encoded directly).
 * The commitment carries both ADD nodes' entries (shift, Ma, Mb: the
 * model's), counts the three CONV / DENSE nodes as layers, names the
 * program, fits the program (zkr_app_g2_mc_check_program, as register-model
 * --commitment does), reopens with its opening (the prover worker's path)
 * and is byte-identical from the same seed; a model whose ADD multiplier
 * differs gives another commitment digest.
 */
#include "app/ginfer2_core.h"
#include "tests/tap.h"
#include "tests/zk/ginfer2_res_fx.h"
#include "zk/ginfer2_mc.h"

/* The residual model's file bytes (Ma = ma) into out. */
static zkr_err model_file(g2n_fx *f, int64_t ma, zkr_buf *out, zkr_ml_gmodel **m)
{
    const uint8_t *p;
    size_t len;
    zkr_err r;

    if ((r = g2n_fx_residual(f, 9, ma)) != ZKR_OK || (r = g2n_fx_gmodel(f, m)) != ZKR_OK)
        return r;
    zkr_ml_gmodel_bytes(*m, &p, &len);
    out->len = 0;
    return zkr_buf_append(out, p, len);
}

int main(int argc, char **argv)
{
    static const uint8_t seed[32] = {1, 2, 3};
    zkr_tap t;
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_ml_gmodel *m = NULL, *m2 = NULL;
    zkr_buf file = {0}, file2 = {0}, enc = {0}, enc2 = {0}, prog = {0};
    uint8_t op[ZKR_APP_G2_OPENING_BYTES], op2[ZKR_APP_G2_OPENING_BYTES];
    uint8_t pd[ZKR_DIGEST_BYTES], want[ZKR_DIGEST_BYTES], d1[ZKR_DIGEST_BYTES], d2[ZKR_DIGEST_BYTES];
    uint32_t proofs = 0, layers = 0, left = 0;
    zkr_ginf2_mc mc;
    zkr_params p;
    zkr_diag dg;
    zkr_err e;

    zkr_tap_init(&t, argc, argv);
    memset(&mc, 0, sizeof mc);
    zkr_diag_clear(&dg);
    e = f ? model_file(f, 30000, &file, &m) : ZKR_ERR_NOMEM;
    if (e == ZKR_OK)
        e = zkr_app_g2_commit(file.p, file.len, 2, seed, sizeof seed, &enc, op, &proofs, &layers,
                              pd, &dg);
    zkr_tap_ok(&t, e == ZKR_OK && proofs == 2 && layers == 3,
               "model commit of a graph model with two ADDs: 2 proofs, 3 weight layers (%d: %s)",
               (int)e, dg.msg);
    if (e != ZKR_OK)
        goto out;
    e = zkr_ml_gprog_digest(&f->g, want, NULL);
    zkr_tap_ok(&t, e == ZKR_OK && memcmp(pd, want, sizeof pd) == 0, "it names the program");
    e = zkr_params_get(ZKR_PARAM_SET_128, &p);
    if (e == ZKR_OK)
        e = zkr_ginf2_mc_decode(&p, enc.p, enc.len, &mc);
    zkr_tap_ok(&t, e == ZKR_OK && mc.op[3] == ZKR_ML_GOP_ADD && mc.op[5] == ZKR_ML_GOP_ADD &&
                       mc.add_m[3][0] == 30000 && mc.add_m[3][1] == 21003 &&
                       mc.add_m[5][0] == 30000 && mc.add_m[5][1] == 21005 && mc.shift[3] == 15 &&
                       mc.shift[5] == 15 && !mc.op[4] && zkr_ginf2_mc_has_w(&mc, 1) &&
                       zkr_ginf2_mc_has_w(&mc, 2) && zkr_ginf2_mc_has_w(&mc, 6),
               "the commitment carries both ADDs' entries (shift 15, Ma, Mb) and the weights' (%d)",
               (int)e);
    zkr_ginf2_mc_clear(&mc);
    zkr_diag_clear(&dg);
    e = zkr_ml_gprog_encode(&f->g, &prog, NULL);
    if (e == ZKR_OK)
        e = zkr_app_g2_mc_check_program(enc.p, enc.len, prog.p, prog.len, "gmc.bin", &dg);
    zkr_tap_ok(&t, e == ZKR_OK, "it fits the program (register-model --commitment's check) (%d: %s)",
               (int)e, dg.msg);
    zkr_diag_clear(&dg);
    e = zkr_app_g2_proofs_left(m, &enc, op, &left, &dg);
    zkr_tap_ok(&t, e == ZKR_OK && left == 2, "it reopens from the model and its opening (%d: %s)",
               (int)e, dg.msg);
    e = zkr_app_g2_commit(file.p, file.len, 2, seed, sizeof seed, &enc2, op2, &proofs, &layers,
                          pd, NULL);
    zkr_tap_ok(&t, e == ZKR_OK && enc2.len == enc.len && memcmp(enc.p, enc2.p, enc.len) == 0 &&
                       memcmp(op, op2, sizeof op) == 0,
               "the same seed gives the same commitment and opening");
    g2n_fx_free(f);
    enc2.len = 0;
    e = model_file(f, 30001, &file2, &m2);
    if (e == ZKR_OK)
        e = zkr_app_g2_commit(file2.p, file2.len, 2, seed, sizeof seed, &enc2, op2, &proofs,
                              &layers, pd, NULL);
    zkr_app_g2_mc_digest(enc.p, enc.len, d1);
    zkr_app_g2_mc_digest(enc2.p, enc2.len, d2);
    zkr_tap_ok(&t, e == ZKR_OK && memcmp(d1, d2, sizeof d1) != 0,
               "another ADD multiplier Ma gives another commitment digest");
out:
    zkr_ml_gmodel_free(m), zkr_ml_gmodel_free(m2);
    zkr_buf_free(&file), zkr_buf_free(&file2), zkr_buf_free(&enc), zkr_buf_free(&enc2);
    zkr_buf_free(&prog);
    if (f)
        g2n_fx_free(f);
    free(f);
    return zkr_tap_done(&t);
}
