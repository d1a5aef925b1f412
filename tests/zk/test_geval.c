/*
 * evaluation-graph@1 (proof kind 12) end to end in the library, on a small
 * LeNet-shaped program (conv, max pool, conv, max pool, two dense layers)
 * over a dataset of 12 records: records 3..7 (5 records, padded to 8) and
 * record 9 alone (threshold 1) prove, as do 3 records of the residual
 * program without its LOOKUP (depthwise conv, ADD, average and padded max
 * pooling over a batch), the count is native evaluation's, the output
 * section publishes no output, the verifier accepts exact and threshold
 * statements; bit flips, truncation, another
 * dataset, range, record, label, count, threshold, model or statement id
 * are refused, as are a graph-inference@1 proof in its place and a
 * relabelled protocol version; proofs are deterministic (1 and 2
 * threads); a batch over the limit and a LOOKUP program are refused; the
 * soundness bits (zkr_geval_soundness) of every batch layout the program
 * takes (2^0..2^9 records) are at least 128.
 */
#include <stdio.h>

#include "tests/tap.h"
#include "tests/zk/geval_fixture.h"
#include "verifier/geval.h"
#include "zkr_config.h"

#define N_DS 12u

typedef struct {
    zkr_params p;
    gx_model md;
    zkr_ginf_model *gm;
    zkr_pcs_commitment comm;
    uint8_t sid[ZKR_DIGEST_BYTES];
    uint8_t *ds;
    size_t rl;
} fx;

static void statement(const fx *f, const zkr_geval_binding *b, const uint8_t dc[ZKR_DIGEST_BYTES],
                      uint8_t *recs, zkr_verifier_geval_statement *st)
{
    gx_statement(&f->md, f->sid, &f->comm, dc, b, recs, f->rl, st);
}

/* Diagnostics start empty for every call (zkr_fail keeps the first message). */
static zkr_err vfy(const zkr_buf *pf, const zkr_verifier_geval_statement *st, zkr_diag *d)
{
    memset(d, 0, sizeof *d);
    return zkr_verify_geval(pf->p, pf->len, st, d);
}

static void refusals(zkr_tap *t, fx *f, zkr_geval_binding *b, const uint8_t dc[ZKR_DIGEST_BYTES],
                     zkr_buf *pf)
{
    zkr_verifier_geval_statement st;
    uint8_t *recs = malloc(b->count * f->rl), dc2[ZKR_DIGEST_BYTES];
    size_t ne0 = f->rl - 1;
    zkr_diag d = {0};
    int flips = 1;

    memcpy(recs, f->ds + b->first * f->rl, b->count * f->rl);
    statement(f, b, dc, recs, &st);
    for (unsigned k = 0; k < 12; k++) {
        size_t pos = (size_t)(zkr_tap_rand(t) % pf->len);
        uint8_t bit = (uint8_t)(1u << (zkr_tap_rand(t) % 8));
        pf->p[pos] ^= bit;
        flips &= vfy(pf, &st, &d) != ZKR_OK;
        pf->p[pos] ^= bit;
    }
    zkr_tap_ok(t, flips, "12 random bit flips are refused");
    zkr_tap_ok(t, zkr_verify_geval(pf->p, pf->len - 1, &st, &d) != ZKR_OK &&
                      zkr_verify_geval(pf->p, pf->len / 2, &st, &d) != ZKR_OK,
               "truncated proofs are refused");
    st.dataset[0] ^= 1;
    zkr_tap_ok(t, vfy(pf, &st, &d) == ZKR_ERR_MISMATCH_DATASET, "another dataset: %s", d.msg);
    st.dataset[0] ^= 1;
    st.first++;
    zkr_tap_ok(t, vfy(pf, &st, &d) == ZKR_ERR_MISMATCH_INPUT, "another range: %s", d.msg);
    st.first--;
    recs[(b->count - 1) * f->rl + ne0 / 2] ^= 1;
    zkr_tap_ok(t, vfy(pf, &st, &d) == ZKR_ERR_MISMATCH_INPUT, "another last record: %s", d.msg);
    recs[(b->count - 1) * f->rl + ne0 / 2] ^= 1;
    recs[ne0] ^= 1;
    zkr_tap_ok(t, vfy(pf, &st, &d) == ZKR_ERR_MISMATCH_INPUT, "another label: %s", d.msg);
    recs[ne0] ^= 1;
    st.value ^= 1;
    zkr_tap_ok(t, vfy(pf, &st, &d) == ZKR_ERR_MISMATCH_OUTPUT, "another count: %s", d.msg);
    st.value ^= 1;
    st.mode ^= 1;
    zkr_tap_ok(t, vfy(pf, &st, &d) == ZKR_ERR_MISMATCH_OUTPUT, "another mode: %s", d.msg);
    st.mode ^= 1;
    st.model.root[0] ^= 1;
    zkr_tap_ok(t, vfy(pf, &st, &d) == ZKR_ERR_VERIFY, "another model commitment: %s", d.msg);
    st.model.root[0] ^= 1;
    st.statement_id[3] ^= 1;
    zkr_tap_ok(t, vfy(pf, &st, &d) == ZKR_ERR_MISMATCH_STATEMENT, "another statement id: %s",
               d.msg);
    st.statement_id[3] ^= 1;
    st.off = ZKR_GEVAL_OFF_COUNT | ZKR_GEVAL_OFF_MEMBER | ZKR_GEVAL_OFF_INPUT |
             ZKR_GEVAL_OFF_ARGMAX | ZKR_GEVAL_OFF_ONEHOT;
    zkr_tap_ok(t, vfy(pf, &st, &d) == ZKR_OK, "the honest proof verifies with the checks off");
    st.off = 0;
    {
        /* The output section is the binding and the sizes: no record's output is published. */
        zkr_proof_view v;
        zkr_buf head = {0};
        uint32_t ne = (uint32_t)zkr_ml_gprog_elems(&f->md.g, f->md.g.n_nodes - 1);
        int ok = zkr_proof_parse(pf->p, pf->len, &v, &d) == ZKR_OK &&
                 zkr_geval_output_encode(b, 1u << zkr_geval_lb((uint32_t)b->count), ne, &head) ==
                     ZKR_OK &&
                 v.len[0] == head.len && memcmp(v.body[0], head.p, head.len) == 0;
        zkr_tap_ok(t, ok, "the output section holds no outputs (%zu bytes)", head.len);
        zkr_buf_free(&head);
    }
    {
        /* The body's version field relabelled. */
        zkr_proof_view v;
        if (zkr_proof_parse(pf->p, pf->len, &v, &d) == ZKR_OK) {
            uint8_t *ver = (uint8_t *)v.body[1] + 3;
            *ver ^= 3;
            zkr_tap_ok(t, vfy(pf, &st, &d) == ZKR_ERR_UNSUPPORTED,
                       "a relabelled protocol version is refused as such: %s", d.msg);
            *ver ^= 3;
        } else {
            zkr_tap_ok(t, 0, "the proof parses");
        }
    }
    (void)dc2;
    free(recs);
}

static int prove_verify(zkr_tap *t, fx *f, zkr_geval_binding *b, const uint8_t *dc, unsigned thr,
                        zkr_buf *pf)
{
    zkr_verifier_geval_statement st;
    zkr_diag d = {0};
    uint64_t want;
    zkr_err e = zkr_prover_geval(&f->p, f->sid, f->gm, b, f->ds + b->first * f->rl,
                                 b->count * f->rl, thr, pf, &d);

    zkr_tap_ok(t, e == ZKR_OK, "records %llu+%llu: proves (%d %s)", (unsigned long long)b->first,
               (unsigned long long)b->count, (int)e, d.msg);
    if (e != ZKR_OK)
        return 0;
    zkr_tap_ok(t, zkr_geval_count(&f->md.in, f->ds + b->first * f->rl, b->count * f->rl, b->count,
                                  &want) == ZKR_OK &&
                      b->correct == want && (b->mode || b->value == want),
               "the proven count is native evaluation's (%llu of %llu)",
               (unsigned long long)b->correct, (unsigned long long)b->count);
    statement(f, b, dc, f->ds + b->first * f->rl, &st);
    e = vfy(pf, &st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "verifies (%s), %zu bytes", e ? d.msg : "ok", pf->len);
    return e == ZKR_OK;
}

/*
 * Every other op over a batch: 3 records (padded to 4) of the residual
 * program, or (cat) of gx_concat's program whose last node is a CONCAT.
 */
static void batch_program(zkr_tap *t, const fx *f, int cat)
{
    const char *nm = cat ? "concat" : "residual";
    zkr_diag d = {0};
    fx *r = calloc(1, sizeof *r);
    zkr_geval_binding *rb = calloc(1, sizeof *rb);
    uint8_t rdc[ZKR_DIGEST_BYTES];
    zkr_buf rpf = {0};

    if (!r || !rb)
        abort();
    r->p = f->p;
    memcpy(r->sid, f->sid, sizeof r->sid);
    if (cat)
        gx_concat(&r->md.g, 1);
    else
        gx_resid(&r->md.g, 0);
    zkr_tap_ok(t, zkr_ml_gprog_check(&r->md.g, NULL) == ZKR_OK, "%s program checks", nm);
    gx_model_init(&r->md, zkr_tap_rand_cb, t);
    {
        /* Its P has a split weight block (graph-inference@1 v5): the batch prover reads it. */
        zkr_ginf_shape *sh = malloc(sizeof *sh);
        unsigned nsplit = 0;
        if (sh && zkr_ginf_shape_init(sh, &r->md.g, r->md.in.mp, r->p.max_vars, &d) == ZKR_OK)
            for (uint32_t i = 1; i < sh->n_nodes; i++)
                nsplit += sh->n_wsub[i] > 0;
        if (!cat)
            zkr_tap_ok(t, nsplit > 0, "residual: %u split weight block(s) in P", nsplit);
        free(sh);
    }
    memset(&d, 0, sizeof d);
    zkr_tap_ok(t, zkr_prover_ginf_commit(&r->p, &r->md.in, 1, &r->gm, &r->comm, &d) == ZKR_OK,
               "%s: model committed %s", nm, d.msg);
    r->rl = zkr_ml_gprog_elems(&r->md.g, 0) + 1;
    r->ds = gx_dataset(&r->md, zkr_tap_rand_cb, t, 5);
    gx_binding(&r->md, r->ds, 5, 1, 3, ZKR_EVAL_MODE_EXACT, 0, rb, rdc);
    if (prove_verify(t, r, rb, rdc, 1, &rpf)) {
        zkr_verifier_geval_statement rs;
        statement(r, rb, rdc, r->ds + r->rl, &rs);
        r->ds[3 * r->rl - 2] ^= 1; /* the last record's last input byte */
#if ZKR_TEST_BUILD
        zkr_tap_ok(t, (rs.off = ZKR_GEVAL_OFF_MEMBER, vfy(&rpf, &rs, &d) == ZKR_ERR_VERIFY),
                   "%s: another record is refused by the relations: %s", nm, d.msg);
#else
        /* No switch outside test builds: the membership refuses it first. */
        zkr_tap_ok(t, vfy(&rpf, &rs, &d) == ZKR_ERR_MISMATCH_INPUT,
                   "%s: another record is refused by the membership: %s", nm, d.msg);
#endif
    }
    zkr_ginf_model_free(r->gm);
    gx_model_free(&r->md);
    zkr_buf_free(&rpf);
    free(r->ds);
    free(r);
    free(rb);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    fx *f = calloc(1, sizeof *f);
    zkr_geval_binding *b = calloc(1, sizeof *b), *b1 = calloc(1, sizeof *b1);
    uint8_t dc[ZKR_DIGEST_BYTES];
    zkr_buf pf = {0}, pf2 = {0}, out = {0};
    zkr_diag d = {0};
    zkr_verifier_geval_statement st;

    zkr_tap_init(&t, argc, argv);
    if (!f || !b || !b1 || zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK)
        abort();
    memset(f->sid, 0x3c, sizeof f->sid);
    gx_lenet(&f->md.g, 1);
    zkr_tap_ok(&t, zkr_ml_gprog_check(&f->md.g, NULL) == ZKR_OK, "small LeNet program checks");
    gx_model_init(&f->md, zkr_tap_rand_cb, &t);
    zkr_tap_ok(&t, zkr_prover_ginf_commit(&f->p, &f->md.in, 1, &f->gm, &f->comm, &d) == ZKR_OK,
               "model committed (graph-inference@1's commitment) %s", d.msg);
    f->rl = zkr_ml_gprog_elems(&f->md.g, 0) + 1;
    f->ds = gx_dataset(&f->md, zkr_tap_rand_cb, &t, N_DS);
    gx_binding(&f->md, f->ds, N_DS, 3, 5, ZKR_EVAL_MODE_EXACT, 0, b, dc);
    if (prove_verify(&t, f, b, dc, 1, &pf))
        refusals(&t, f, b, dc, &pf);
    *b1 = *b;
    zkr_tap_ok(&t, zkr_prover_geval(&f->p, f->sid, f->gm, b1, f->ds + 3 * f->rl, 5 * f->rl, 2,
                                    &pf2, &d) == ZKR_OK &&
                       pf2.len == pf.len && memcmp(pf.p, pf2.p, pf.len) == 0,
               "deterministic (1 and 2 threads give the same bytes)");
    /* A threshold statement: tau = correct verifies, tau = correct + 1 is refused by the prover. */
    gx_binding(&f->md, f->ds, N_DS, 9, 1, ZKR_EVAL_MODE_THRESHOLD, 1, b1, dc);
    (void)prove_verify(&t, f, b1, dc, 1, &pf2);
    gx_binding(&f->md, f->ds, N_DS, 3, 5, ZKR_EVAL_MODE_THRESHOLD, b->correct + 1, b1, dc);
    zkr_tap_ok(&t, zkr_prover_geval(&f->p, f->sid, f->gm, b1, f->ds + 3 * f->rl, 5 * f->rl, 1,
                                    &pf2, &d) == ZKR_ERR_MISMATCH_OUTPUT,
               "a threshold above the count is not proven: %s", d.msg);
    /* A graph-inference@1 proof of record 0 is not an evaluation-graph@1 proof. */
    statement(f, b, dc, f->ds + 3 * f->rl, &st);
    zkr_tap_ok(&t, zkr_prover_ginf(&f->p, f->sid, f->gm, f->ds, f->rl - 1, 1, &pf2, &out, &d) ==
                           ZKR_OK &&
                       vfy(&pf2, &st, &d) == ZKR_ERR_MISMATCH_PARAMS,
               "a graph-inference@1 proof is refused by kind: %s", d.msg);
    b1->count = ZKR_GEVAL_MAX_RECORDS + 1;
    memset(&d, 0, sizeof d);
    zkr_tap_ok(&t, zkr_prover_geval(&f->p, f->sid, f->gm, b1, f->ds, 0, 1, &pf2, &d) ==
                       ZKR_ERR_TOO_LARGE,
               "%u records are refused: %s", ZKR_GEVAL_MAX_RECORDS + 1, d.msg);
    st.count = ZKR_GEVAL_MAX_RECORDS + 1;
    zkr_tap_ok(&t, vfy(&pf, &st, &d) == ZKR_ERR_TOO_LARGE, "and by the verifier: %s", d.msg);
    gx_binding(&f->md, f->ds, N_DS, 3, 5, ZKR_EVAL_MODE_EXACT, 0, b1, dc);
    memset(&d, 0, sizeof d);
    zkr_tap_ok(&t, zkr_prover_geval(&f->p, f->sid, f->gm, b1, f->ds, 5 * f->rl - 1, 1, &pf2, &d) ==
                       ZKR_ERR_MISMATCH_INPUT,
               "records of the wrong length are refused");
    batch_program(&t, f, 0);
    batch_program(&t, f, 1);
    {
        /* Soundness bits, computed from the parameters, for every batch layout the program takes. */
        zkr_ginf_shape *s = malloc(sizeof *s);
        double lo = 1e9, hi = 0.0;
        unsigned n_ok = 0, top = 0;
        int good = s != NULL;
        for (unsigned lb = 0; s && lb <= ZKR_GEVAL_MAX_LB; lb++) {
            zkr_soundness sb;
            if (zkr_ginf_shape_init_batch(s, &f->md.g, &f->md.mp, lb, f->p.max_vars, &d) != ZKR_OK)
                continue;
            sb = zkr_geval_soundness(&f->p, s, &f->md.g);
            good &= sb.provable_bits >= 128.0 && sb.provable_bits < 200.0 &&
                    sb.conjectured_bits >= sb.provable_bits;
            lo = sb.provable_bits < lo ? sb.provable_bits : lo;
            hi = sb.provable_bits > hi ? sb.provable_bits : hi;
            n_ok++, top = lb;
        }
        zkr_tap_ok(&t, good && n_ok >= 4,
                   "soundness: %.2f..%.2f provable bits over %u batch layouts (2^0..2^%u records)",
                   lo, hi, n_ok, top);
        free(s);
    }
    {
        zkr_ml_gprog g2 = f->md.g;
        zkr_ginf_shape *s = malloc(sizeof *s);
        g2.nodes[g2.n_nodes] = (zkr_ml_gnode){.op = ZKR_ML_GOP_LOOKUP, .n_in = 1,
                                              .in = {g2.n_nodes - 1}};
        g2.n_nodes++;
        if (zkr_ml_gprog_set_shape(&g2, g2.n_nodes - 1, NULL) != ZKR_OK)
            g2.n_nodes--;
        memset(&d, 0, sizeof d);
        zkr_tap_ok(&t, s && zkr_ginf_shape_init_batch(s, &g2, &f->md.mp, 3, f->p.max_vars, &d) ==
                                ZKR_ERR_UNSUPPORTED,
                   "a LOOKUP node over a batch is refused: %s", d.msg);
        free(s);
    }
    zkr_ginf_model_free(f->gm);
    gx_model_free(&f->md);
    zkr_buf_free(&pf);
    zkr_buf_free(&pf2);
    zkr_buf_free(&out);
    free(f->ds);
    free(f);
    free(b);
    free(b1);
    return zkr_tap_done(&t);
}
