/*
 * Cheating provers against evaluation-graph@1's binding (docs/soundness.md,
 * "evaluation-graph@1"), on the small LeNet-shaped program of tests/zk
 * over 4 of 9 records. Each attack is refused by the check named, and
 * accepted with that check switched off (ZKR_GEVAL_OFF_*, test builds):
 *   count off by one        - the count recomputed from the proven outputs (OFF_COUNT)
 *   a wrong label (prover)  - the same check: the labels are the verifier's (OFF_COUNT)
 *   a wrong label (records) - the records' membership in the dataset root (OFF_MEMBER)
 *   a record outside range  - the relations' claims on the records (OFF_INPUT)
 * Adversarial review (inference@2 v5 / evaluation-graph@1 round), each refused:
 *   an extra boundary hash      - the range root uses every hash once (OFF_MEMBER);
 *                                 one fewer: the records' membership
 *   the next range's boundary   - the records' membership (OFF_MEMBER)
 *   a range past the dataset    - the output section's decoder (no switch: MALFORMED),
 *                                 or, with n raised to fit, the dataset commitment
 *   a label outside 0..ne-1     - the count check (OFF_COUNT): label argmax + ne is
 *                                 never a prediction, even where argmax mod ne would be
 *   an output tie               - the verifier's argmax is native's (the first maximum)
 */
#include <stdio.h>

#include "ml/ml_int.h"
#include "tests/tap.h"
#include "tests/zk/geval_fixture.h"
#include "verifier/geval.h"

#define N_DS 9u
#define FIRST 2u
#define COUNT 4u

static uint64_t rnd(void *ctx)
{
    return zkr_tap_rand(ctx);
}

typedef struct {
    zkr_params p;
    gx_model md;
    zkr_ginf_model *gm;
    zkr_pcs_commitment comm;
    uint8_t sid[ZKR_DIGEST_BYTES], dc[ZKR_DIGEST_BYTES];
    uint8_t *ds;
    size_t rl, ne0;
} fx;

static void statement(const fx *f, const zkr_geval_binding *b, const uint8_t *recs,
                      zkr_verifier_geval_statement *st)
{
    memset(st, 0, sizeof *st);
    memcpy(st->statement_id, f->sid, sizeof f->sid);
    st->param_set = ZKR_PARAM_SET_128;
    st->g = &f->md.g;
    st->mp = &f->md.mp;
    st->model = f->comm;
    memcpy(st->dataset, f->dc, ZKR_DIGEST_BYTES);
    st->first = b->first;
    st->count = b->count;
    st->records = recs;
    st->records_len = b->count * f->rl;
    st->mode = b->mode;
    st->value = b->value;
}

static uint8_t *inputs_of(const fx *f, const uint8_t *recs, uint64_t n)
{
    uint8_t *in = malloc(n * f->ne0);

    if (!in)
        abort();
    for (uint64_t k = 0; k < n; k++)
        memcpy(in + k * f->ne0, recs + k * f->rl, f->ne0);
    return in;
}

/* Proves the inputs of records `recs` (count of them) under binding b, taken as it is. */
static zkr_err prove_raw(fx *f, const zkr_geval_binding *b, const uint8_t *recs, zkr_buf *pf)
{
    uint8_t *in = inputs_of(f, recs, b->count);
    zkr_diag d = {0};
    zkr_err e = zkr_prover_ginf_batch(&f->p, f->sid, f->gm, b, in, b->count * f->ne0, 1, NULL,
                                      NULL, pf, &d);

    free(in);
    return e;
}

/* The attack is refused with `want` with every check on, and accepted with `off` alone off. */
static void teeth(zkr_tap *t, const char *what, const zkr_buf *pf,
                  zkr_verifier_geval_statement *st, unsigned off, zkr_err want)
{
    zkr_diag d = {0};
    zkr_err e;

    st->off = 0;
    e = zkr_verify_geval(pf->p, pf->len, st, &d);
    zkr_tap_ok(t, e == want, "%s: refused (%d: %s)", what, (int)e, d.msg);
    st->off = off;
    memset(&d, 0, sizeof d);
    e = zkr_verify_geval(pf->p, pf->len, st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: teeth: accepted with the check off (%d %s)", what, (int)e,
               d.msg);
    st->off = 0;
}

/* Correct records among recs' outputs (native) against the labels of lab. */
static uint64_t count_with(const fx *f, const uint8_t *recs, const uint8_t *lab, uint64_t n)
{
    size_t ne = zkr_ml_gprog_elems(&f->md.g, f->md.g.n_nodes - 1);
    int8_t y[64];
    uint64_t c = 0;

    for (uint64_t k = 0; k < n; k++)
        if (zkr_ginf_native(&f->md.in, recs + k * f->rl, y, ne) == ZKR_OK)
            c += zkr_geval_argmax(y, (uint32_t)ne) == lab[k * f->rl + f->ne0];
    return c;
}

/* The output section of pf (a copy) with binding b re-encoded over the same outputs. */
static int rebind(const zkr_buf *pf, size_t ne, const zkr_geval_binding *b, zkr_buf *out)
{
    zkr_proof_view v;
    zkr_geval_binding old;
    const int8_t *y;
    zkr_buf sec = {0};
    size_t off;
    int ok = 0;

    if (zkr_proof_parse(pf->p, pf->len, &v, NULL) != ZKR_OK ||
        zkr_geval_output_decode(v.body[0], v.len[0], (uint32_t)ne, &old, &y) != ZKR_OK ||
        zkr_geval_output_encode(b, (uint32_t)1 << zkr_geval_lb((uint32_t)old.count),
                                (uint32_t)ne, y, &sec) != ZKR_OK || sec.len != v.len[0])
        goto out;
    off = (size_t)(v.body[0] - pf->p);
    out->len = 0;
    if (zkr_buf_append(out, pf->p, pf->len) != ZKR_OK)
        goto out;
    memcpy(out->p + off, sec.p, sec.len);
    ok = 1;
out:
    zkr_buf_free(&sec);
    return ok;
}

/*
 * Adversarial review: the binding's boundary hashes, a range past the
 * dataset's end, a label outside the classes, the argmax's tie rule.
 */
static void adversarial(zkr_tap *t, fx *f, const zkr_geval_binding *b, const uint8_t *range,
                        zkr_buf *pf)
{
    size_t ne = zkr_ml_gprog_elems(&f->md.g, f->md.g.n_nodes - 1);
    zkr_geval_binding *c = calloc(1, sizeof *c), *nx = calloc(1, sizeof *nx);
    zkr_verifier_geval_statement st;
    uint8_t dc2[ZKR_DIGEST_BYTES], *ds2 = malloc(N_DS * f->rl);
    zkr_buf ed = {0};
    zkr_diag d = {0};

    if (!c || !nx || !ds2)
        abort();
    /* An extra boundary hash (the last one twice): the range root must use each once. */
    *c = *b;
    memcpy(c->bound[c->n_bound], c->bound[c->n_bound - 1], ZKR_DIGEST_BYTES);
    c->n_bound++;
    statement(f, c, range, &st);
    if (prove_raw(f, c, range, pf) == ZKR_OK)
        teeth(t, "an extra boundary hash", pf, &st, ZKR_GEVAL_OFF_MEMBER, ZKR_ERR_MISMATCH_INPUT);
    else
        zkr_tap_ok(t, 0, "an extra boundary hash: proves");

    /* One boundary hash fewer (the last dropped). */
    *c = *b;
    c->n_bound--;
    statement(f, c, range, &st);
    if (prove_raw(f, c, range, pf) == ZKR_OK)
        teeth(t, "one boundary hash fewer", pf, &st, ZKR_GEVAL_OFF_MEMBER, ZKR_ERR_MISMATCH_INPUT);
    else
        zkr_tap_ok(t, 0, "one boundary hash fewer: proves");

    /* The boundary hashes of the range one record on, with this range's records. */
    gx_binding(&f->md, f->ds, N_DS, FIRST + 1, COUNT, b->mode, b->value, nx, dc2);
    *c = *b;
    c->n_bound = nx->n_bound;
    memcpy(c->bound, nx->bound, sizeof c->bound);
    statement(f, c, range, &st);
    if (prove_raw(f, c, range, pf) == ZKR_OK)
        teeth(t, "the next range's boundary hashes", pf, &st, ZKR_GEVAL_OFF_MEMBER,
              ZKR_ERR_MISMATCH_INPUT);
    else
        zkr_tap_ok(t, 0, "the next range's boundary hashes: proves");

    /* A range past the dataset's end (the output section edited; refused before the math). */
    if (prove_raw(f, b, range, pf) != ZKR_OK)
        abort();
    *c = *b;
    c->first = N_DS - COUNT + 1;
    statement(f, c, range, &st);
    {
        zkr_err e = rebind(pf, ne, c, &ed) ? zkr_verify_geval(ed.p, ed.len, &st, &d)
                                           : ZKR_ERR_INTERNAL;
        zkr_tap_ok(t, e == ZKR_ERR_MALFORMED, "records %u..%u of %u: refused (%d: %s)",
                   (unsigned)c->first, (unsigned)(c->first + COUNT - 1), N_DS, (int)e, d.msg);
        /* n raised to fit the range: another dataset commitment than the statement's */
        c->n = N_DS + 1;
        memset(&d, 0, sizeof d);
        e = rebind(pf, ne, c, &ed) ? zkr_verify_geval(ed.p, ed.len, &st, &d) : ZKR_ERR_INTERNAL;
        zkr_tap_ok(t, e == ZKR_ERR_MISMATCH_DATASET, "n raised to %u to fit: refused (%d: %s)",
                   N_DS + 1, (int)e, d.msg);
    }

    /*
     * A label outside 0..ne-1 in the registered dataset: record FIRST + 1's label (its
     * prediction, gx_dataset) made prediction + ne; the prover counts it still correct.
     */
    memcpy(ds2, f->ds, N_DS * f->rl);
    {
        uint8_t *lab = ds2 + (FIRST + 1) * f->rl + f->ne0;
        int8_t y[64];
        if (zkr_ginf_native(&f->md.in, ds2 + (FIRST + 1) * f->rl, y, ne) != ZKR_OK)
            abort();
        zkr_tap_ok(t, *lab == zkr_geval_argmax(y, (uint32_t)ne) && *lab + ne < 256,
                   "label outside the classes: record %u is predicted (label %u)", FIRST + 1,
                   (unsigned)*lab);
        *lab = (uint8_t)(*lab + ne);
    }
    gx_binding(&f->md, ds2, N_DS, FIRST, COUNT, b->mode, b->value, c, dc2);
    c->correct = c->value = b->correct; /* the record still counted */
    statement(f, c, ds2 + FIRST * f->rl, &st);
    memcpy(st.dataset, dc2, ZKR_DIGEST_BYTES);
    if (prove_raw(f, c, ds2 + FIRST * f->rl, pf) == ZKR_OK)
        teeth(t, "a label outside 0..ne-1 counted correct", pf, &st, ZKR_GEVAL_OFF_COUNT,
              ZKR_ERR_VERIFY);
    else
        zkr_tap_ok(t, 0, "a label outside 0..ne-1: proves");

    /* An output tie: the verifier's argmax is native inference's (the first maximum). */
    {
        static const int8_t ties[4][4] = {{5, 5, 1, 0}, {-3, 7, 7, 7}, {0, 0, 0, 0},
                                          {-128, -128, 127, 127}};
        static const uint32_t first[4] = {0, 1, 0, 2};
        int ok = 1;
        for (unsigned k = 0; k < 4; k++)
            ok &= zkr_geval_argmax(ties[k], 4) == first[k] &&
                  zkr_ml_argmax_i8(ties[k], 4) == first[k];
        zkr_tap_ok(t, ok, "an output tie: the verifier's argmax and native's take the first "
                   "maximum");
    }
    zkr_buf_free(&ed);
    free(ds2);
    free(c);
    free(nx);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    fx *f = calloc(1, sizeof *f);
    zkr_geval_binding *b = calloc(1, sizeof *b), *c = calloc(1, sizeof *c);
    zkr_verifier_geval_statement st;
    zkr_buf pf = {0};
    zkr_diag d = {0};
    const uint8_t *range;
    uint8_t *recs;

    zkr_tap_init(&t, argc, argv);
    if (!f || !b || !c || zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK)
        abort();
    memset(f->sid, 0x4d, sizeof f->sid);
    gx_lenet(&f->md.g, 1);
    gx_model_init(&f->md, rnd, &t);
    if (zkr_prover_ginf_commit(&f->p, &f->md.in, 1, &f->gm, &f->comm, &d) != ZKR_OK)
        abort();
    f->ne0 = zkr_ml_gprog_elems(&f->md.g, 0);
    f->rl = f->ne0 + 1;
    f->ds = gx_dataset(&f->md, rnd, &t, N_DS);
    range = f->ds + FIRST * f->rl;
    recs = malloc(COUNT * f->rl);
    gx_binding(&f->md, f->ds, N_DS, FIRST, COUNT, ZKR_EVAL_MODE_EXACT, 0, b, f->dc);
    b->correct = b->value = count_with(f, range, range, COUNT);

    /* The honest proof through the same raw prover verifies. */
    zkr_tap_ok(&t, prove_raw(f, b, range, &pf) == ZKR_OK, "honest: proves");
    statement(f, b, range, &st);
    zkr_tap_ok(&t, zkr_verify_geval(pf.p, pf.len, &st, &d) == ZKR_OK, "honest: verifies %s",
               d.msg);

    /* Count off by one: the output states one more correct record than there are. */
    *c = *b;
    c->correct = c->value = (b->correct + 1) % (COUNT + 1);
    statement(f, c, range, &st);
    if (prove_raw(f, c, range, &pf) == ZKR_OK)
        teeth(&t, "count off by one", &pf, &st, ZKR_GEVAL_OFF_COUNT, ZKR_ERR_VERIFY);
    else
        zkr_tap_ok(&t, 0, "count off by one: proves");

    /* A wrong label, prover side: the first record's label made its prediction (or not). */
    memcpy(recs, range, COUNT * f->rl);
    {
        size_t ne = zkr_ml_gprog_elems(&f->md.g, f->md.g.n_nodes - 1);
        int8_t y[64];
        if (zkr_ginf_native(&f->md.in, recs, y, ne) != ZKR_OK)
            abort();
        recs[f->ne0] = (uint8_t)(zkr_geval_argmax(y, (uint32_t)ne) == recs[f->ne0]
                                     ? (recs[f->ne0] + 1) % ne
                                     : zkr_geval_argmax(y, (uint32_t)ne));
    }
    *c = *b;
    c->correct = c->value = count_with(f, recs, recs, COUNT);
    zkr_tap_ok(&t, c->correct != b->correct, "wrong label: it changes the count (%llu, not %llu)",
               (unsigned long long)c->correct, (unsigned long long)b->correct);
    statement(f, c, range, &st); /* the verifier's records: the dataset's */
    if (prove_raw(f, c, recs, &pf) == ZKR_OK) {
        teeth(&t, "wrong label (prover's count)", &pf, &st, ZKR_GEVAL_OFF_COUNT, ZKR_ERR_VERIFY);
        /* The same proof against records whose label was edited in the file. */
        statement(f, c, recs, &st);
        teeth(&t, "wrong label (edited records)", &pf, &st, ZKR_GEVAL_OFF_MEMBER,
              ZKR_ERR_MISMATCH_INPUT);
    } else {
        zkr_tap_ok(&t, 0, "wrong label: proves");
    }

    /*
     * A record outside the range: records FIRST+1..FIRST+COUNT proven as FIRST..FIRST+COUNT-1
     * (the transcript absorbs the range's inputs, the witness runs on the shifted ones).
     */
    *c = *b;
    c->correct = c->value = count_with(f, range + f->rl, range, COUNT); /* passes the count check */
    statement(f, c, range, &st);
    {
        uint8_t *in = inputs_of(f, range, COUNT), *win = inputs_of(f, range + f->rl, COUNT);
        zkr_err e = zkr_prover_ginf_batch_cheat_input(&f->p, f->sid, f->gm, c, in, win,
                                                      COUNT * f->ne0, &pf, &d);
        free(in);
        free(win);
        if (e != ZKR_OK)
            zkr_tap_ok(&t, 0, "a record outside the range: proves (%s)", d.msg);
    }
    if (pf.len)
        teeth(&t, "a record outside the range", &pf, &st, ZKR_GEVAL_OFF_INPUT, ZKR_ERR_VERIFY);
    else
        zkr_tap_ok(&t, 0, "a record outside the range: proves");

    adversarial(&t, f, b, range, &pf);

    zkr_ginf_model_free(f->gm);
    gx_model_free(&f->md);
    zkr_buf_free(&pf);
    free(f->ds);
    free(recs);
    free(f);
    free(b);
    free(c);
    return zkr_tap_done(&t);
}
