/*
 * Cheating provers against evaluation-graph@1's binding (docs/soundness.md,
 * "evaluation-graph@1"), on the small LeNet-shaped program of tests/zk
 * over 4 of 9 records. Each attack is refused by the check named, and
 * accepted with that check switched off (ZKR_GEVAL_OFF_*, test builds):
 *   count off by one        - the count recomputed from the proven outputs (OFF_COUNT)
 *   a wrong label (prover)  - the same check: the labels are the verifier's (OFF_COUNT)
 *   a wrong label (records) - the records' membership in the dataset root (OFF_MEMBER)
 *   a record outside range  - the relations' claims on the records (OFF_INPUT)
 */
#include <stdio.h>

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

static uint8_t *labels_of(const fx *f, const uint8_t *recs, uint64_t n)
{
    uint8_t *lab = malloc(n);

    if (!lab)
        abort();
    for (uint64_t k = 0; k < n; k++)
        lab[k] = recs[k * f->rl + f->ne0];
    return lab;
}

/*
 * Proves the inputs and labels of records `recs` (count of them) under
 * binding b, taken as it is; cheat (may be NULL) edits the witness.
 */
static zkr_err prove_cheat(fx *f, const zkr_geval_binding *b, const uint8_t *recs,
                           zkr_ginf_cheat_fn cheat, void *ctx, zkr_buf *pf)
{
    uint8_t *in = inputs_of(f, recs, b->count), *lab = labels_of(f, recs, b->count);
    zkr_diag d = {0};
    zkr_err e = zkr_prover_ginf_batch(&f->p, f->sid, f->gm, b, in, lab, b->count * f->ne0, 1,
                                      cheat, ctx, pf, &d);

    free(in);
    free(lab);
    return e;
}

static zkr_err prove_raw(fx *f, const zkr_geval_binding *b, const uint8_t *recs, zkr_buf *pf)
{
    return prove_cheat(f, b, recs, NULL, NULL, pf);
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
        uint8_t *lab = labels_of(f, range, COUNT);
        zkr_err e = zkr_prover_ginf_batch_cheat_input(&f->p, f->sid, f->gm, c, in, lab, win,
                                                      COUNT * f->ne0, &pf, &d);
        free(in);
        free(win);
        free(lab);
        if (e != ZKR_OK)
            zkr_tap_ok(&t, 0, "a record outside the range: proves (%s)", d.msg);
    }
    if (pf.len)
        teeth(&t, "a record outside the range", &pf, &st, ZKR_GEVAL_OFF_INPUT, ZKR_ERR_VERIFY);
    else
        zkr_tap_ok(&t, 0, "a record outside the range: proves");

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
