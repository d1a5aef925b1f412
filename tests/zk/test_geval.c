/*
 * evaluation-graph@1 (proof kind 12) end to end in the library, on a small
 * LeNet-shaped program (conv, max pool, conv, max pool, two dense layers):
 * a batch of 5 records (padded to 8) and of 1 record proves, every
 * record's proven output is native inference's, the verifier accepts;
 * bit flips, truncation, another output, record, record count, model or
 * statement id are refused, as are a graph-inference@1 proof in its place
 * and a relabelled protocol version; proofs are deterministic (1 and 2
 * threads); a batch over the limit and a LOOKUP program are refused.
 */
#include <stdio.h>

#include "tests/tap.h"
#include "tests/zk/geval_fixture.h"
#include "verifier/geval.h"

static uint64_t rnd(void *ctx)
{
    return zkr_tap_rand(ctx);
}

typedef struct {
    zkr_params p;
    gx_model md;
    zkr_ginf_model *gm;
    zkr_pcs_commitment comm;
    uint8_t sid[ZKR_DIGEST_BYTES];
} fx;

static void statement(fx *f, const uint8_t *rec, size_t ni, uint32_t n, const int8_t *y,
                      size_t no, zkr_verifier_geval_statement *st)
{
    memset(st, 0, sizeof *st);
    memcpy(st->statement_id, f->sid, sizeof f->sid);
    st->param_set = ZKR_PARAM_SET_128;
    st->g = &f->md.g;
    st->mp = &f->md.mp;
    st->model = f->comm;
    st->records = rec;
    st->records_len = (size_t)n * ni;
    st->n_records = n;
    st->output = y;
    st->output_n = (size_t)n * no;
}

/* Proves n records; checks the outputs against native inference and that the proof verifies. */
static int prove_ok(zkr_tap *t, fx *f, uint32_t n, unsigned threads, uint8_t *rec, int8_t *y,
                    zkr_buf *proof)
{
    size_t ni = zkr_ml_gprog_elems(&f->md.g, 0), no = zkr_ml_gprog_elems(&f->md.g, f->md.g.n_nodes - 1);
    zkr_buf out = {0};
    zkr_diag d = {0};
    zkr_verifier_geval_statement st;
    int ok = 1;
    zkr_err e = zkr_prover_geval(&f->p, f->sid, f->gm, rec, n * ni, n, threads, proof, &out, &d);

    zkr_tap_ok(t, e == ZKR_OK, "%u records: proves (%d %s)", n, (int)e, d.msg);
    if (e != ZKR_OK)
        return 0;
    for (uint32_t b = 0; b < n; b++) {
        int8_t yn[16];
        ok &= zkr_ginf_native(&f->md.in, rec + b * ni, yn, sizeof yn) == ZKR_OK &&
              memcmp(out.p + 12 + b * no, yn, no) == 0;
        memcpy(y + b * no, yn, no);
    }
    zkr_tap_ok(t, ok, "%u records: every proven output is native inference's", n);
    statement(f, rec, ni, n, y, no, &st);
    e = zkr_verify_geval(proof->p, proof->len, &st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%u records: verifies (%s), %zu bytes", n, e ? d.msg : "ok",
               proof->len);
    zkr_buf_free(&out);
    return e == ZKR_OK;
}

static void refusals(zkr_tap *t, fx *f, uint8_t *rec, int8_t *y, zkr_buf *proof, uint32_t n)
{
    size_t ni = zkr_ml_gprog_elems(&f->md.g, 0), no = zkr_ml_gprog_elems(&f->md.g, f->md.g.n_nodes - 1);
    zkr_verifier_geval_statement st;
    zkr_diag d = {0};
    int flips = 1;

    statement(f, rec, ni, n, y, no, &st);
    for (unsigned k = 0; k < 12; k++) {
        size_t pos = (size_t)(zkr_tap_rand(t) % proof->len);
        uint8_t bit = (uint8_t)(1u << (zkr_tap_rand(t) % 8));
        proof->p[pos] ^= bit;
        flips &= zkr_verify_geval(proof->p, proof->len, &st, &d) != ZKR_OK;
        proof->p[pos] ^= bit;
    }
    zkr_tap_ok(t, flips, "12 random bit flips are refused");
    zkr_tap_ok(t, zkr_verify_geval(proof->p, proof->len - 1, &st, &d) != ZKR_OK &&
                      zkr_verify_geval(proof->p, proof->len / 2, &st, &d) != ZKR_OK,
               "truncated proofs are refused");
    y[(n - 1) * no] ^= 1;
    zkr_tap_ok(t, zkr_verify_geval(proof->p, proof->len, &st, &d) == ZKR_ERR_MISMATCH_OUTPUT,
               "another output of the last record is refused (%s)", d.msg);
    y[(n - 1) * no] ^= 1;
    rec[(n - 1) * ni + ni / 2] ^= 1;
    zkr_tap_ok(t, zkr_verify_geval(proof->p, proof->len, &st, &d) == ZKR_ERR_VERIFY,
               "another last record is refused (%s)", d.msg);
    rec[(n - 1) * ni + ni / 2] ^= 1;
    st.n_records = n - 1;
    st.records_len -= ni;
    st.output_n -= no;
    zkr_tap_ok(t, zkr_verify_geval(proof->p, proof->len, &st, &d) != ZKR_OK,
               "the same proof for one record fewer is refused (%s)", d.msg);
    statement(f, rec, ni, n, y, no, &st);
    st.model.root[0] ^= 1;
    zkr_tap_ok(t, zkr_verify_geval(proof->p, proof->len, &st, &d) == ZKR_ERR_VERIFY,
               "another model commitment is refused");
    st.model.root[0] ^= 1;
    st.statement_id[3] ^= 1;
    zkr_tap_ok(t, zkr_verify_geval(proof->p, proof->len, &st, &d) == ZKR_ERR_MISMATCH_STATEMENT,
               "another statement id is refused");
    st.statement_id[3] ^= 1;
    {
        /* The body's version field (the section's first 4 bytes) relabelled. */
        zkr_proof_view v;
        if (zkr_proof_parse(proof->p, proof->len, &v, &d) == ZKR_OK) {
            uint8_t *ver = (uint8_t *)v.body[1] + 3;
            *ver ^= 3;
            zkr_tap_ok(t, zkr_verify_geval(proof->p, proof->len, &st, &d) == ZKR_ERR_UNSUPPORTED,
                       "a relabelled protocol version is refused as such (%s)", d.msg);
            *ver ^= 3;
        } else {
            zkr_tap_ok(t, 0, "the proof parses");
        }
    }
}

int main(int argc, char **argv)
{
    zkr_tap t;
    fx *f = calloc(1, sizeof *f);
    uint32_t n = 5;
    size_t ni, no;
    uint8_t *rec;
    int8_t *y;
    zkr_buf proof = {0}, proof2 = {0}, out = {0}, gproof = {0};
    zkr_diag d = {0};
    zkr_verifier_geval_statement st;

    zkr_tap_init(&t, argc, argv);
    if (!f || zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK)
        abort();
    memset(f->sid, 0x3c, sizeof f->sid);
    gx_lenet(&f->md.g, 1);
    zkr_tap_ok(&t, zkr_ml_gprog_check(&f->md.g, NULL) == ZKR_OK, "small LeNet program checks");
    gx_model_init(&f->md, rnd, &t);
    zkr_tap_ok(&t, zkr_prover_ginf_commit(&f->p, &f->md.in, 1, &f->gm, &f->comm, &d) == ZKR_OK,
               "model committed (graph-inference@1's commitment) %s", d.msg);
    ni = zkr_ml_gprog_elems(&f->md.g, 0);
    no = zkr_ml_gprog_elems(&f->md.g, f->md.g.n_nodes - 1);
    rec = malloc(n * ni);
    y = malloc(n * no);
    for (size_t k = 0; k < n * ni; k++)
        rec[k] = (uint8_t)zkr_tap_rand(&t);
    if (prove_ok(&t, f, n, 1, rec, y, &proof))
        refusals(&t, f, rec, y, &proof, n);
    zkr_tap_ok(&t, zkr_prover_geval(&f->p, f->sid, f->gm, rec, n * ni, n, 2, &proof2, &out, &d) ==
                           ZKR_OK &&
                       proof2.len == proof.len && memcmp(proof.p, proof2.p, proof.len) == 0,
               "deterministic (1 and 2 threads give the same bytes)");
    (void)prove_ok(&t, f, 1, 1, rec, y, &proof2);
    /* A graph-inference@1 proof of record 0 is not an evaluation-graph@1 proof. */
    statement(f, rec, ni, 1, y, no, &st);
    zkr_tap_ok(&t, zkr_prover_ginf(&f->p, f->sid, f->gm, rec, ni, 1, &gproof, &out, &d) == ZKR_OK &&
                       zkr_verify_geval(gproof.p, gproof.len, &st, &d) == ZKR_ERR_MISMATCH_PARAMS,
               "a graph-inference@1 proof is refused by kind (%s)", d.msg);
    zkr_tap_ok(&t, zkr_prover_geval(&f->p, f->sid, f->gm, rec, 0, ZKR_GEVAL_MAX_RECORDS + 1, 1,
                                    &proof2, &out, &d) == ZKR_ERR_TOO_LARGE,
               "%u records are refused: %s", ZKR_GEVAL_MAX_RECORDS + 1, d.msg);
    zkr_tap_ok(&t, zkr_prover_geval(&f->p, f->sid, f->gm, rec, n * ni - 1, n, 1, &proof2, &out,
                                    &d) == ZKR_ERR_MISMATCH_INPUT,
               "records of the wrong length are refused");
    {
        zkr_ml_gprog g2 = f->md.g;
        zkr_ginf_shape *s = malloc(sizeof *s);
        g2.nodes[g2.n_nodes] = (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1,
                                              .in = {g2.n_nodes - 1}};
        g2.n_nodes++;
        if (zkr_ml_gprog_set_shape(&g2, g2.n_nodes - 1, NULL) != ZKR_OK)
            g2.n_nodes--;
        zkr_tap_ok(&t, s && zkr_ginf_shape_init_batch(s, &g2, &f->md.mp, 3, f->p.max_vars, &d) ==
                                ZKR_ERR_UNSUPPORTED,
                   "a LOOKUP node over a batch is refused (%s)", d.msg);
        free(s);
    }
    zkr_ginf_model_free(f->gm);
    gx_model_free(&f->md);
    zkr_buf_free(&proof);
    zkr_buf_free(&proof2);
    zkr_buf_free(&gproof);
    zkr_buf_free(&out);
    free(rec);
    free(y);
    free(f);
    return zkr_tap_done(&t);
}
