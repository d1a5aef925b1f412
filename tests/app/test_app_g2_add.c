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
 * differs gives another commitment digest. The same path on a graph model
 * with LOOKUP nodes (zk-ginfer2-net-lut's DAG, tests/zk/ginfer2_net_lut_fx.h)
 * carries each LOOKUP's entry (the model's 256-entry table), which fits
 * the program and reopens; another table entry gives another digest;
 * every prefix of the encoding and a trailing byte are refused by the
 * strict decoder; a LOOKUP without its entry and a LOOKUP entry on the
 * AVGPOOL are refused by the fit. On
 * zk-ginfer2-dw-net's mixed CNN (a depthwise conv, CONCATs, an AVGPOOL)
 * the depthwise conv carries a CONV entry whose weight commitment has the
 * depthwise layout's variables; CONCAT and AVGPOOL carry none; it fits.
 */
#include "app/ginfer2_core.h"
#include "tests/tap.h"
#include "tests/zk/ginfer2_net_lut_fx.h"
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

/* f's model committed through the CLI's path into enc; fits f's program and reopens. */
static zkr_err commit_fit(zkr_tap *t, const g2n_fx *f, const char *what, zkr_buf *enc)
{
    static const uint8_t seed[32] = {4, 5, 6};
    zkr_ml_gmodel *m = NULL;
    zkr_buf prog = {0};
    const uint8_t *fb;
    size_t fl;
    uint8_t op[ZKR_APP_G2_OPENING_BYTES], pd[ZKR_DIGEST_BYTES];
    uint32_t proofs = 0, layers = 0, left = 0;
    zkr_diag dg;
    zkr_err e;

    zkr_diag_clear(&dg);
    enc->len = 0;
    if ((e = g2n_fx_gmodel(f, &m)) == ZKR_OK) {
        zkr_ml_gmodel_bytes(m, &fb, &fl);
        e = zkr_app_g2_commit(fb, fl, 1, seed, sizeof seed, enc, op, &proofs, &layers, pd, &dg);
    }
    if (e == ZKR_OK && (e = zkr_ml_gprog_encode(&f->g, &prog, NULL)) == ZKR_OK)
        e = zkr_app_g2_mc_check_program(enc->p, enc->len, prog.p, prog.len, "gmc.bin", &dg);
    if (e == ZKR_OK)
        e = zkr_app_g2_proofs_left(m, enc, op, &left, &dg);
    zkr_tap_ok(t, e == ZKR_OK && left == 1,
               "%s: model commit, fits the program, reopens (%d: %s)", what, (int)e, dg.msg);
    zkr_ml_gmodel_free(m);
    zkr_buf_free(&prog);
    return e;
}

/*
 * mc (x's commitment, decoded) with LOOKUP node 4's entry dropped, or a
 * LOOKUP entry put on the AVGPOOL (node 6): encodes, decodes, and
 * zkr_ginf2_mc_fit refuses it (MISMATCH_MODEL).
 */
static void fit_refusals(zkr_tap *t, const g2nl_fx *x, const zkr_params *p, zkr_ginf2_mc *mc)
{
    static const char *const nm[2] = {"a LOOKUP without its entry",
                                      "a LOOKUP entry on the AVGPOOL"};
    for (int k = 0; k < 2; k++) {
        zkr_buf enc = {0};
        zkr_ginf2_mc m2;
        zkr_ginf2_pub mp;
        zkr_err e;
        memset(&m2, 0, sizeof m2);
        if (k == 0) {
            mc->op[4] = 0;
        } else {
            mc->op[6] = ZKR_ML_GOP_LOOKUP;
            memcpy(mc->t[6], mc->t[2], sizeof mc->t[6]);
        }
        e = zkr_ginf2_mc_encode(mc, &enc);
        if (e == ZKR_OK && (e = zkr_ginf2_mc_decode(p, enc.p, enc.len, &m2)) == ZKR_OK)
            e = zkr_ginf2_mc_fit(&x->f.g, &m2, &mp, NULL);
        zkr_tap_ok(t, e == ZKR_ERR_MISMATCH_MODEL, "%s: refused by the fit (%d)", nm[k], (int)e);
        mc->op[4] = ZKR_ML_GOP_LOOKUP, mc->op[6] = 0;
        zkr_ginf2_mc_clear(&m2);
        zkr_buf_free(&enc);
    }
}

/* LOOKUP entries through the CLI's commit path (zk-ginfer2-net-lut's DAG). */
static void lookup(zkr_tap *t)
{
    static const uint32_t luts[3] = {2, 4, 7};
    g2nl_fx *x = calloc(1, sizeof *x);
    zkr_buf enc = {0}, enc2 = {0};
    zkr_ginf2_mc mc;
    zkr_params p;
    uint8_t d1[ZKR_DIGEST_BYTES], d2[ZKR_DIGEST_BYTES];
    int same = 1;
    zkr_err e = ZKR_ERR_NOMEM;

    memset(&mc, 0, sizeof mc);
    if (x && (e = g2nl_init(x, 6, G2NL_DAG)) == ZKR_OK)
        e = commit_fit(t, &x->f, "LOOKUP DAG", &enc);
    if (e == ZKR_OK && (e = zkr_params_get(ZKR_PARAM_SET_128, &p)) == ZKR_OK)
        e = zkr_ginf2_mc_decode(&p, enc.p, enc.len, &mc);
    for (unsigned j = 0; j < 3 && e == ZKR_OK; j++) {
        same &= mc.op[luts[j]] == ZKR_ML_GOP_LOOKUP;
        for (unsigned k = 0; k < 256; k++)
            same &= mc.t[luts[j]][k] == x->t[k];
    }
    zkr_tap_ok(t, e == ZKR_OK && same && mc.op[3] == ZKR_ML_GOP_ADD && !mc.op[6],
               "each LOOKUP carries the model's table (nodes 2, 4, 7), the AVGPOOL none (%d)",
               (int)e);
    if (e == ZKR_OK)
        fit_refusals(t, x, &p, &mc);
    zkr_ginf2_mc_clear(&mc);
    if (e == ZKR_OK) {
        int cut = 1;
        for (size_t n = 0; n < enc.len && cut; n++) { /* every prefix, LOOKUP entries' too */
            cut = zkr_ginf2_mc_decode(&p, enc.p, n, &mc) == ZKR_ERR_MALFORMED && !mc.op[2];
            zkr_ginf2_mc_clear(&mc);
        }
        e = zkr_buf_append(&enc, (const uint8_t *)"", 1);
        zkr_tap_ok(t, cut && e == ZKR_OK &&
                          zkr_ginf2_mc_decode(&p, enc.p, enc.len, &mc) == ZKR_ERR_MALFORMED,
                   "every prefix of the encoding and a trailing byte are refused (strict)");
        enc.len--;
        x->t[200] = x->t[200] == 127 ? 126 : x->t[200] + 1; /* f->mp.t points at x->t */
        e = commit_fit(t, &x->f, "LOOKUP DAG, another table", &enc2);
        zkr_app_g2_mc_digest(enc.p, enc.len, d1);
        zkr_app_g2_mc_digest(enc2.p, enc2.len, d2);
        zkr_tap_ok(t, e == ZKR_OK && memcmp(d1, d2, sizeof d1) != 0,
                   "another table entry gives another commitment digest");
    }
    zkr_buf_free(&enc), zkr_buf_free(&enc2);
    if (x)
        g2n_fx_free(&x->f);
    free(x);
}

/* A depthwise conv's CONV entry (zk-ginfer2-dw-net's mixed CNN, node 2 depthwise). */
static void depthwise(zkr_tap *t)
{
    g2n_fx *f = calloc(1, sizeof *f);
    zkr_buf enc = {0};
    zkr_ginf2_mc mc;
    zkr_params p;
    zkr_err e = ZKR_ERR_NOMEM;

    memset(&mc, 0, sizeof mc);
    if (f && (e = g2n_fx_dag(f, 4, 19000, g2n_fx_mix_prog)) == ZKR_OK)
        e = commit_fit(t, f, "mixed CNN (depthwise, CONCAT, AVGPOOL)", &enc);
    if (e == ZKR_OK && (e = zkr_params_get(ZKR_PARAM_SET_128, &p)) == ZKR_OK)
        e = zkr_ginf2_mc_decode(&p, enc.p, enc.len, &mc);
    zkr_tap_ok(t, e == ZKR_OK && f->net.conv[2].depthwise && mc.op[2] == ZKR_ML_GOP_CONV &&
                      mc.cout[2] == 2 &&
                      mc.w[2].n_vars == zkr_cnn_conv_w_vars(&f->net.conv[2]) && !mc.op[4] &&
                      !mc.op[5] &&
                      !mc.op[6] && mc.op[3] == ZKR_ML_GOP_ADD,
               "the depthwise conv's CONV entry: its weights over 2^%u (the depthwise layout); "
               "AVGPOOL and CONCATs carry none (%d)", e == ZKR_OK ? mc.w[2].n_vars : 0, (int)e);
    zkr_ginf2_mc_clear(&mc);
    zkr_buf_free(&enc);
    if (f)
        g2n_fx_free(f);
    free(f);
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
    lookup(&t);
    depthwise(&t);
out:
    zkr_ml_gmodel_free(m), zkr_ml_gmodel_free(m2);
    zkr_buf_free(&file), zkr_buf_free(&file2), zkr_buf_free(&enc), zkr_buf_free(&enc2);
    zkr_buf_free(&prog);
    if (f)
        g2n_fx_free(f);
    free(f);
    return zkr_tap_done(&t);
}
