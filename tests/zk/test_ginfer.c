/*
 * graph-inference@1 (proof kind 10) end to end in the library: a
 * LeNet-5-shaped program (conv 5x5 pad 2, max pool, conv, max pool, three
 * dense layers, random weights from the seed) and a residual program with
 * every proven op (depthwise conv, ADD, LOOKUP, AVGPOOL, a padded MAXPOOL,
 * a tensor read twice) and three CONCAT programs (tests/zk/geval_fixture.h
 * gx_concat: three inputs of 3, 5, 3 and of 6, 11, 33 channels, the 33 a
 * depthwise conv with a channel multiplier of 3; one with a CONCAT as its
 * last node; gx_concat4: four inputs of 1, 4, 1, 2 channels). Each proves,
 * its output is native inference's, the verifier accepts; bit flips,
 * truncation, another output, input or model are refused; proofs are
 * deterministic.
 */
#include <stdio.h>
#include <time.h>

#include "prover/ginfer.h"
#include "tests/tap.h"
#include "tests/zk/geval_fixture.h"
#include "verifier/ginfer.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void run(zkr_tap *t, gx_model *md, const char *name)
{
    zkr_params p;
    zkr_ginf_model *gm = NULL;
    zkr_pcs_commitment comm;
    zkr_verifier_ginf_statement st;
    zkr_buf proof = {0}, out = {0}, proof2 = {0}, out2 = {0};
    zkr_diag d = {0};
    size_t ni = (size_t)md->g.nodes[0].c * md->g.nodes[0].h * md->g.nodes[0].w;
    const zkr_ml_gnode *last = &md->g.nodes[md->g.n_nodes - 1];
    uint32_t no = last->c * last->h * last->w;
    uint8_t *input = malloc(ni), sid[ZKR_DIGEST_BYTES];
    int8_t y[64], yn[64];
    double t0, t1, t2;
    zkr_err e;
    int flips = 1, nonconst = 0;

    memset(sid, 0x5a, sizeof sid);
    for (size_t k = 0; k < ni; k++)
        input[k] = (uint8_t)zkr_tap_rand(t);
    if (zkr_params_get(ZKR_PARAM_SET_128, &p) != ZKR_OK)
        abort();
    e = zkr_prover_ginf_commit(&p, &md->in, 1, &gm, &comm, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: model committed (2^%u values) %s", name, comm.n_vars, d.msg);
    if (e != ZKR_OK)
        goto out;
    t0 = now_s();
    e = zkr_prover_ginf(&p, sid, gm, input, ni, 1, &proof, &out, &d);
    t1 = now_s();
    zkr_tap_ok(t, e == ZKR_OK, "%s: proves (%d %s)", name, (int)e, d.msg);
    if (e != ZKR_OK)
        goto out;
    {
        uint32_t n, am;
        e = zkr_infer_output_decode(out.p, out.len, y, 64, &n, &am);
        zkr_tap_ok(t, e == ZKR_OK && n == no && zkr_ginf_native(&md->in, input, yn, 64) == ZKR_OK &&
                          memcmp(y, yn, no) == 0,
                   "%s: the proven output is native inference's", name);
        for (uint32_t k = 1; k < no; k++)
            nonconst |= y[k] != y[0];
        zkr_tap_ok(t, nonconst, "%s: the logits are not all equal (the weights are not degenerate)",
                   name);
    }
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, sid, sizeof sid);
    st.param_set = ZKR_PARAM_SET_128;
    st.g = &md->g;
    st.mp = &md->mp;
    st.model = comm;
    st.input = input;
    st.input_len = ni;
    st.output = y;
    st.output_n = no;
    t2 = now_s();
    e = zkr_verify_ginf(proof.p, proof.len, &st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: verifies (%s); prove %.3f s, verify %.3f s, %zu bytes", name,
               e == ZKR_OK ? "ok" : d.msg, t1 - t0, now_s() - t2, proof.len);
    for (unsigned k = 0; k < 16; k++) {
        size_t pos = (size_t)(zkr_tap_rand(t) % proof.len);
        uint8_t bit = (uint8_t)(1u << (zkr_tap_rand(t) % 8));
        proof.p[pos] ^= bit;
        if (zkr_verify_ginf(proof.p, proof.len, &st, &d) == ZKR_OK)
            flips = 0;
        proof.p[pos] ^= bit;
    }
    zkr_tap_ok(t, flips, "%s: 16 random bit flips are refused", name);
    zkr_tap_ok(t, zkr_verify_ginf(proof.p, proof.len - 1, &st, &d) != ZKR_OK &&
                      zkr_verify_ginf(proof.p, proof.len / 2, &st, &d) != ZKR_OK,
               "%s: truncated proofs are refused", name);
    y[0] ^= 1;
    zkr_tap_ok(t, zkr_verify_ginf(proof.p, proof.len, &st, &d) == ZKR_ERR_MISMATCH_OUTPUT,
               "%s: another output in the statement is refused", name);
    y[0] ^= 1;
    input[ni / 2] ^= 1;
    zkr_tap_ok(t, zkr_verify_ginf(proof.p, proof.len, &st, &d) == ZKR_ERR_VERIFY,
               "%s: another input in the statement is refused (%s)", name, d.msg);
    input[ni / 2] ^= 1;
    st.model.root[0] ^= 1;
    zkr_tap_ok(t, zkr_verify_ginf(proof.p, proof.len, &st, &d) == ZKR_ERR_VERIFY,
               "%s: another model commitment is refused", name);
    st.model.root[0] ^= 1;
    st.statement_id[3] ^= 1;
    zkr_tap_ok(t, zkr_verify_ginf(proof.p, proof.len, &st, &d) == ZKR_ERR_MISMATCH_STATEMENT,
               "%s: another statement id is refused", name);
    st.statement_id[3] ^= 1;
    e = zkr_prover_ginf(&p, sid, gm, input, ni, 2, &proof2, &out2, &d);
    zkr_tap_ok(t, e == ZKR_OK && proof2.len == proof.len &&
                      memcmp(proof.p, proof2.p, proof.len) == 0,
               "%s: deterministic (1 and 2 threads give the same bytes)", name);
out:
    zkr_ginf_model_free(gm);
    zkr_buf_free(&proof);
    zkr_buf_free(&proof2);
    zkr_buf_free(&out);
    zkr_buf_free(&out2);
    free(input);
}

static zkr_err read_all(const char *path, zkr_buf *b)
{
    FILE *f = fopen(path, "rb");
    uint8_t tmp[4096];
    size_t n;
    zkr_err r = ZKR_OK;

    if (!f)
        return ZKR_ERR_NOT_FOUND;
    while (r == ZKR_OK && (n = fread(tmp, 1, sizeof tmp, f)) > 0)
        r = zkr_buf_append(b, tmp, n);
    fclose(f);
    return r;
}

/*
 * The LeNet-5 fixture through ml/'s ONNX import and calibrated
 * quantization (a graph-model file): the proven output is what
 * zkr_ml_ginfer (ml/'s exact inference) computes, and it verifies.
 */
static void fixture(zkr_tap *t)
{
    const char *root = getenv("ZKR_SOURCE_ROOT");
    char path[4096];
    zkr_buf onnx = {0}, qm = {0}, proof = {0}, out = {0};
    zkr_ml_fmodel *f = NULL;
    zkr_ml_gfmodel *gf = NULL;
    zkr_ml_gmodel *gm = NULL;
    zkr_ginf_model *pm = NULL;
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = calloc(1, sizeof *mp);
    zkr_ml_gtrace tr;
    zkr_pcs_commitment comm;
    zkr_params p;
    zkr_diag d = {0};
    int64_t *store = NULL;
    uint8_t cal[20 * 784], sid[ZKR_DIGEST_BYTES] = {7};
    int ok;

    memset(&tr, 0, sizeof tr);
    snprintf(path, sizeof path, "%s/tests/fixtures/lenet5.onnx", root ? root : ".");
    for (size_t k = 0; k < sizeof cal; k++)
        cal[k] = (uint8_t)zkr_tap_rand(t);
    ok = read_all(path, &onnx) == ZKR_OK &&
         zkr_ml_onnx_import_any(onnx.p, onnx.len, "lenet5.onnx", &f, &gf, &d) == ZKR_OK && gf &&
         zkr_ml_gquantize_inputs(gf, cal, sizeof cal, 20, &qm, &d) == ZKR_OK &&
         zkr_ml_gmodel_decode(qm.p, qm.len, &gm, &d) == ZKR_OK;
    zkr_tap_ok(t, ok, "fixture: lenet5.onnx imported and quantized (%s)", d.msg);
    if (!ok)
        goto out;
    ok = zkr_ginf_from_gmodel(gm, &in, mp, &store) == ZKR_OK &&
         zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
         zkr_prover_ginf_commit(&p, &in, 1, &pm, &comm, &d) == ZKR_OK &&
         zkr_prover_ginf(&p, sid, pm, cal, 784, 1, &proof, &out, &d) == ZKR_OK;
    zkr_tap_ok(t, ok, "fixture: proves (%s)", d.msg);
    if (!ok)
        goto out;
    {
        const zkr_ml_gprog *g = zkr_ml_gmodel_prog(gm);
        uint32_t last = g->n_nodes - 1, no = zkr_ml_gprog_elems(g, last), n, am;
        int8_t y[64];
        zkr_verifier_ginf_statement st;
        ok = zkr_ml_gtrace_init(&tr, g) == ZKR_OK &&
             zkr_ml_ginfer(gm, cal, 784, &tr, &d) == ZKR_OK &&
             zkr_infer_output_decode(out.p, out.len, y, 64, &n, &am) == ZKR_OK && n == no &&
             memcmp(y, tr.y[last], no) == 0 && am == tr.argmax;
        zkr_tap_ok(t, ok, "fixture: the proven output and argmax are zkr_ml_ginfer's");
        memset(&st, 0, sizeof st);
        memcpy(st.statement_id, sid, sizeof sid);
        st.param_set = ZKR_PARAM_SET_128;
        st.g = g;
        st.mp = mp;
        st.model = comm;
        st.input = cal;
        st.input_len = 784;
        st.output = y;
        st.output_n = no;
        zkr_tap_ok(t, zkr_verify_ginf(proof.p, proof.len, &st, &d) == ZKR_OK,
                   "fixture: verifies (%zu bytes) %s", proof.len, d.msg);
    }
out:
    zkr_ml_gtrace_free(&tr);
    zkr_ginf_model_free(pm);
    zkr_ml_gmodel_free(gm);
    zkr_ml_gfmodel_free(gf);
    zkr_ml_fmodel_free(f);
    zkr_buf_free(&onnx);
    zkr_buf_free(&qm);
    zkr_buf_free(&proof);
    zkr_buf_free(&out);
    free(store);
    free(mp);
}

static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * A (statement, proof) tuple in fuzz/fuzz_ginfer_proof.h's layout,
 * verified as the ginf-verify worker does; d gets the verifier's message.
 */
static zkr_err verify_tuple(const char *rel, zkr_diag *d)
{
    const char *root = getenv("ZKR_SOURCE_ROOT");
    char path[4096];
    zkr_buf b = {0};
    zkr_verifier_ginf_statement st;
    zkr_ginf_model_in in;
    zkr_ginf_params *mp = calloc(1, sizeof *mp);
    zkr_ml_gmodel *gm = NULL;
    int64_t *store = NULL;
    int8_t y[64];
    uint32_t ml, il, ol, n, am;
    size_t off = 2 * 32 + 4 * 4;
    zkr_err r = ZKR_ERR_INTERNAL;

    snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    if (!mp || read_all(path, &b) != ZKR_OK || b.len < off)
        goto out;
    memset(&st, 0, sizeof st);
    memcpy(st.statement_id, b.p, 32);
    memcpy(st.model.root, b.p + 32, 32);
    st.model.n_vars = ld32(b.p + 64);
    ml = ld32(b.p + 68), il = ld32(b.p + 72), ol = ld32(b.p + 76);
    if ((size_t)ml + il + ol > b.len - off ||
        zkr_ml_gmodel_decode(b.p + off, ml, &gm, NULL) != ZKR_OK ||
        zkr_infer_output_decode(b.p + off + ml + il, ol, y, 64, &n, &am) != ZKR_OK ||
        zkr_ginf_from_gmodel(gm, &in, mp, &store) != ZKR_OK)
        goto out;
    st.param_set = ZKR_PARAM_SET_128;
    st.g = zkr_ml_gmodel_prog(gm);
    st.mp = mp;
    st.input = b.p + off + ml;
    st.input_len = il;
    st.output = y;
    st.output_n = n;
    off += (size_t)ml + il + ol;
    r = zkr_verify_ginf(b.p + off, b.len - off, &st, d);
out:
    zkr_ml_gmodel_free(gm);
    zkr_buf_free(&b);
    free(store);
    free(mp);
    return r;
}

/*
 * Protocol version 5 refuses a version 3 and a version 4 proof (kept from
 * the fuzz seeds of those releases) as malformed, naming the version it
 * reads; version 5 proofs of the same program verify in run().
 */
static void old_version(zkr_tap *t)
{
    static const char *const old[] = {"tests/fixtures/ginfer_v3_resid.bin",
                                      "tests/fixtures/ginfer_v4_resid.bin"};

    for (unsigned k = 0; k < 2; k++) {
        zkr_diag d = {0};
        zkr_err e = verify_tuple(old[k], &d);
        zkr_tap_ok(t, e == ZKR_ERR_MALFORMED && strstr(d.msg, "protocol version 5") != NULL,
                   "a version %u proof is refused as malformed (%d: %s)", k + 3, (int)e, d.msg);
    }
}

int main(int argc, char **argv)
{
    zkr_tap t;
    gx_model *md = calloc(1, sizeof *md);

    zkr_tap_init(&t, argc, argv);
    gx_resid(&md->g, 1);
    zkr_tap_ok(&t, zkr_ml_gprog_check(&md->g, NULL) == ZKR_OK, "residual program checks");
    gx_model_fill(md, zkr_tap_rand_cb, &t);
    run(&t, md, "residual");
    gx_model_free(md);
    for (int lc = 0; lc < 3; lc++) {
        const char *name = lc == 2 ? "concat of 4 (1 + 4 + 1 + 2 channels)"
                           : lc    ? "concat (last node a CONCAT)"
                                   : "concat";
        if (lc == 2)
            gx_concat4(&md->g);
        else
            gx_concat(&md->g, lc);
        zkr_tap_ok(&t, zkr_ml_gprog_check(&md->g, NULL) == ZKR_OK, "%s program checks", name);
        gx_model_init(md, zkr_tap_rand_cb, &t);
        run(&t, md, name);
        gx_model_free(md);
    }
    gx_lenet(&md->g, 0);
    zkr_tap_ok(&t, zkr_ml_gprog_check(&md->g, NULL) == ZKR_OK, "LeNet-5 program checks");
    gx_model_fill(md, zkr_tap_rand_cb, &t);
    {
        /* Version 5: DENSE 120's 2^17 weights split along kw (2^16 + 2^14), P 2^17. */
        zkr_ginf_shape *sh = malloc(sizeof *sh);
        zkr_params p;
        int ok = sh && zkr_params_get(ZKR_PARAM_SET_128, &p) == ZKR_OK &&
                 zkr_ginf_shape_init(sh, &md->g, &md->mp, p.max_vars, NULL) == ZKR_OK;
        unsigned nsplit = 0;
        for (uint32_t i = 1; ok && i < sh->n_nodes; i++)
            nsplit += sh->n_wsub[i] > 0;
        zkr_tap_ok(&t, ok && nsplit == 1 && sh->n_m == 17,
                   "LeNet-5: one split weight block, P 2^%u", ok ? sh->n_m : 0);
        free(sh);
    }
    run(&t, md, "LeNet-5");
    gx_model_free(md);
    free(md);
    fixture(&t);
    old_version(&t);
    return zkr_tap_done(&t);
}
