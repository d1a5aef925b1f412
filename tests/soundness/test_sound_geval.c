/*
 * Cheating provers against evaluation-graph@1 (docs/soundness.md,
 * "evaluation-graph@1"), on the small LeNet-shaped program of tests/zk
 * over 4 of 9 records, its last layer's outputs 0 and 1 tied and saturated
 * (127) for every record, so that the argmax is 0 by the tie rule. Each
 * attack is refused by the check named, and accepted with that check
 * switched off (ZKR_GEVAL_OFF_*, test builds):
 *   count off by one                    - the count sumcheck (OFF_COUNT)
 *   a wrong label (prover)              - the same: Lm is the verifier's labels (OFF_COUNT)
 *   a padding record counted            - the same: Lm is 0 on the padding (OFF_COUNT)
 *   a wrong label (records)             - the records' membership (OFF_MEMBER)
 *   a record outside range              - the relations' claims on the records (OFF_INPUT)
 *   a non-maximal logit claimed, its
 *   negative differences wrapped        - A's byte LogUp (OFF_AMRANGE, the cheater skipping it)
 *   the tie broken to index 1, D wrapped - the same
 *   the tie broken to index 1, index
 *   0's key kept (D in range)           - the argmax zero-check (OFF_ARGMAX)
 *   the indicator on a wrong label      - the argmax zero-check (OFF_ARGMAX)
 * Adversarial review (inference@2 v5 / evaluation-graph@1 round), each refused:
 *   an extra boundary hash      - the range root uses every hash once (OFF_MEMBER);
 *                                 one fewer: the records' membership
 *   the next range's boundary   - the records' membership (OFF_MEMBER)
 *   a range past the dataset    - the output section's decoder (no switch: MALFORMED),
 *                                 or, with n raised to fit, the dataset commitment
 *   a label outside 0..ne-1     - the count check (OFF_COUNT): label argmax + ne is
 *                                 never a prediction, even where argmax mod ne would be
 *   an output tie               - the argmax relation (the tie cases above); native
 *                                 inference and zkr_geval_argmax both take the first maximum
 */
#include <stdio.h>
#include <string.h>

#include "ml/ml_int.h"
#include "tests/tap.h"
#include "tests/zk/geval_fixture.h"
#include "verifier/geval.h"

#define N_DS 9u
#define FIRST 2u
#define COUNT 4u

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
    gx_statement(&f->md, f->sid, &f->comm, f->dc, b, recs, f->rl, st);
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

/* The output section of pf (a copy) with binding b re-encoded (it carries no outputs). */
static int rebind(const zkr_buf *pf, size_t ne, const zkr_geval_binding *b, zkr_buf *out)
{
    zkr_proof_view v;
    zkr_geval_binding old;
    zkr_buf sec = {0};
    size_t off;
    int ok = 0;

    if (zkr_proof_parse(pf->p, pf->len, &v, NULL) != ZKR_OK ||
        zkr_geval_output_decode(v.body[0], v.len[0], (uint32_t)ne, &old) != ZKR_OK ||
        zkr_geval_output_encode(b, (uint32_t)1 << zkr_geval_lb((uint32_t)old.count),
                                (uint32_t)ne, &sec) != ZKR_OK || sec.len != v.len[0])
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

/* ---- edits of the argmax block A (zk/ginfer.h: slot-major, record b's output j at b 2^c + j) ---- */

enum { CH_NONMAX_WRAP, CH_TIE_WRAP, CH_TIE_KEY_OF_0, CH_LABEL, CH_PADDING };

typedef struct {
    int kind;
    uint64_t rec;         /* the record edited */
    const uint8_t *recs;  /* the records' labels (rl stride) */
    size_t rl, ne0;
    int skip_range;       /* the cheater leaves A's LogUp out */
    int done;
} cheat_ctx;

static zkr_gl *a_at(zkr_ginf_cheat_view *w, unsigned slot, uint64_t b, uint32_t j)
{
    const zkr_eval_am_dims *m = &w->s->amd;

    return w->v + w->s->am.off + ((size_t)slot << (m->c + m->lb)) + (b << m->c) + j;
}

/* K(j) = 2^c (y_j + 128) + J - 1 - j of record b, from the honest outputs. */
static uint64_t key(const zkr_ginf_cheat_view *w, uint64_t b, uint32_t j)
{
    const zkr_eval_am_dims *m = &w->s->amd;
    int64_t y = w->out[b * m->out_dim + j];

    return ((uint64_t)(y - m->lo) << m->c) + ((1u << m->c) - 1 - j);
}

/* Record b's block claiming index j with key ka: D = ka - K(jj) in F, a value off the bytes in one limb. */
static void claim(zkr_ginf_cheat_view *w, uint64_t b, uint32_t j, uint64_t ka)
{
    const zkr_eval_am_dims *m = &w->s->amd;

    for (uint32_t jj = 0; jj < (1u << m->c); jj++) {
        zkr_gl dd = jj < m->out_dim ? zkr_gl_sub((zkr_gl)ka, (zkr_gl)key(w, b, jj)) : 0;
        int bytes = dd < ((zkr_gl)1 << (8 * m->nd));
        *a_at(w, ZKR_EVAL_ASLOT_E, b, jj) = jj == j;
        for (unsigned k = 0; k < m->nd; k++) {
            *a_at(w, ZKR_EVAL_ASLOT_D0 + k, b, jj) = bytes ? (dd >> (8 * k)) & 0xff : k ? 0 : dd;
            *a_at(w, ZKR_EVAL_ASLOT_D0 + m->nd + k, b, jj) = (ka >> (8 * k)) & 0xff;
        }
    }
}

static void cheat(void *vctx, zkr_ginf_cheat_view *w)
{
    cheat_ctx *c = vctx;
    uint64_t b = c->rec;
    uint8_t label = c->recs[b * c->rl + c->ne0];

    w->skip_am_range = c->skip_range;
    c->done = 1;
    switch (c->kind) {
    case CH_NONMAX_WRAP: /* the label's logit (not maximal) claimed with its own key */
        claim(w, b, label, key(w, b, label));
        break;
    case CH_TIE_WRAP: /* the tie broken high: index 1 with its own key, D(0) = -1 */
        claim(w, b, 1, key(w, b, 1));
        break;
    case CH_TIE_KEY_OF_0: /* index 1 claimed, index 0's key kept: every D in range */
        claim(w, b, 1, key(w, b, 0));
        break;
    case CH_LABEL: /* the indicator on the label, the honest key kept */
        claim(w, b, label, key(w, b, 0));
        break;
    case CH_PADDING: /* the first padding record counted with its own prediction (0) as label */
        w->labels[w->lm_count] = 0;
        w->lm_count++;
        break;
    }
}

/* Proves the attack `kind` on record rec with the count `correct` claimed. */
static zkr_err prove_attack(fx *f, const zkr_geval_binding *b, const uint8_t *recs, int kind,
                            uint64_t rec, int skip, zkr_buf *pf)
{
    cheat_ctx c = {kind, rec, recs, f->rl, f->ne0, skip, 0};
    zkr_err e = prove_cheat(f, b, recs, cheat, &c, pf);

    return e == ZKR_OK && !c.done ? ZKR_ERR_INTERNAL : e;
}

/*
 * A range attack: refused by A's LogUp ("argmax range check"); its teeth
 * are the same edit by a cheater leaving the LogUp out, accepted with
 * ZKR_GEVAL_OFF_AMRANGE alone and refused without it.
 */
static void range_attack(zkr_tap *t, fx *f, const char *what, const zkr_geval_binding *c,
                         const uint8_t *range, int kind, uint64_t rec,
                         zkr_verifier_geval_statement *st, zkr_buf *pf)
{
    zkr_diag d = {0};
    zkr_err e;

    if (prove_attack(f, c, range, kind, rec, 0, pf) != ZKR_OK) {
        zkr_tap_ok(t, 0, "%s: proves", what);
        return;
    }
    st->off = 0;
    e = zkr_verify_geval(pf->p, pf->len, st, &d);
    zkr_tap_ok(t, e == ZKR_ERR_VERIFY && strstr(d.msg, "argmax range check"), "%s: refused (%s)",
               what, d.msg);
    if (prove_attack(f, c, range, kind, rec, 1, pf) != ZKR_OK) {
        zkr_tap_ok(t, 0, "%s: proves without A's LogUp", what);
        return;
    }
    memset(&d, 0, sizeof d);
    zkr_tap_ok(t, zkr_verify_geval(pf->p, pf->len, st, &d) != ZKR_OK,
               "%s, A's LogUp left out: refused with every check on (%s)", what, d.msg);
    st->off = ZKR_GEVAL_OFF_AMRANGE;
    memset(&d, 0, sizeof d);
    e = zkr_verify_geval(pf->p, pf->len, st, &d);
    zkr_tap_ok(t, e == ZKR_OK, "%s: teeth: accepted without A's range check (%d %s)", what,
               (int)e, d.msg);
    st->off = 0;
}

/* Outputs 0 and 1 of the last layer: one row, one bias, one multiplier, saturated at 127. */
static void tie_outputs(gx_model *md)
{
    uint32_t L = md->g.n_nodes - 1, fan = zkr_ml_gprog_fanin(&md->g, L);

    memcpy(md->w[L] + fan, md->w[L], fan);
    md->b[L][0] = md->b[L][1] = (int64_t)1 << 26;
    md->m[L][1] = md->m[L][0];
    zkr_ginf_params_bound(&md->in, &md->mp);
}

/*
 * CONCAT over a batch with a padding record (adversary review,
 * docs/soundness.md "CONCAT"): gx_concat's program whose last node is
 * CONCAT(DENSE 6, DENSE 4) (10 of 16 channels real) over 3 records padded
 * to 4. evaluation-graph@1 has no output claim and the argmax's rows j >=
 * 10 are off its selector, so only CONCAT's identity pins the last node's
 * padded channels: the cheater sets channel 12 of record `rec` (3: the
 * padding record) to 50 in V; refused by the identity, accepted with it
 * off (ZKR_GEVAL_OFF_CAT), the count unchanged either way.
 */
typedef struct {
    uint64_t rec;
} cat_pad_ctx;

static void cat_pad_edit(void *vctx, zkr_ginf_cheat_view *w)
{
    const cat_pad_ctx *c = vctx;
    const zkr_ginf_shape *s = w->s;
    uint32_t last = s->n_nodes - 1;

    w->v[s->v[last][ZKR_GB_Y].off + ((c->rec << zkr_ginf_lp(s, last)) | 12)] = zkr_gl_from_i64(50);
}

static void cat_batch(zkr_tap *t)
{
    fx *f = calloc(1, sizeof *f);
    zkr_geval_binding *b = calloc(1, sizeof *b);
    zkr_verifier_geval_statement st;
    zkr_buf pf = {0};
    zkr_diag d = {0};
    const uint8_t *range;

    if (!f || !b || zkr_params_get(ZKR_PARAM_SET_128, &f->p) != ZKR_OK)
        abort();
    memset(f->sid, 0x5c, sizeof f->sid);
    gx_concat(&f->md.g, 1);
    gx_model_init(&f->md, zkr_tap_rand_cb, t);
    if (zkr_prover_ginf_commit(&f->p, &f->md.in, 1, &f->gm, &f->comm, &d) != ZKR_OK)
        abort();
    f->ne0 = zkr_ml_gprog_elems(&f->md.g, 0);
    f->rl = f->ne0 + 1;
    f->ds = gx_dataset(&f->md, zkr_tap_rand_cb, t, N_DS);
    range = f->ds + FIRST * f->rl;
    gx_binding(&f->md, f->ds, N_DS, FIRST, 3, ZKR_EVAL_MODE_EXACT, 0, b, f->dc);
    b->correct = b->value = count_with(f, range, range, 3);
    statement(f, b, range, &st);
    zkr_tap_ok(t, prove_raw(f, b, range, &pf) == ZKR_OK &&
                      zkr_verify_geval(pf.p, pf.len, &st, &d) == ZKR_OK,
               "cat-batch: control: the honest proof over 3 records verifies (%s)", d.msg);
    for (uint64_t rec = 0; rec < 4; rec += 3) {
        cat_pad_ctx c = {rec};
        char what[96];
        zkr_buf_free(&pf);
        snprintf(what, sizeof what, "cat-batch: last CONCAT's padded channel 12 of record %llu",
                 (unsigned long long)rec);
        if (prove_cheat(f, b, range, cat_pad_edit, &c, &pf) != ZKR_OK) {
            zkr_tap_ok(t, 0, "%s: proves", what);
            continue;
        }
        memset(&d, 0, sizeof d);
        st.off = 0;
        zkr_tap_ok(t, zkr_verify_geval(pf.p, pf.len, &st, &d) == ZKR_ERR_VERIFY &&
                          strstr(d.msg, "concat output is not its inputs"),
                   "%s: refused by CONCAT's identity (%s)", what, d.msg);
        teeth(t, what, &pf, &st, ZKR_GEVAL_OFF_CAT, ZKR_ERR_VERIFY);
    }
    zkr_buf_free(&pf);
    zkr_ginf_model_free(f->gm);
    gx_model_free(&f->md);
    free(f->ds);
    free(f);
    free(b);
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
    gx_model_init(&f->md, zkr_tap_rand_cb, &t);
    tie_outputs(&f->md);
    if (zkr_prover_ginf_commit(&f->p, &f->md.in, 1, &f->gm, &f->comm, &d) != ZKR_OK)
        abort();
    f->ne0 = zkr_ml_gprog_elems(&f->md.g, 0);
    f->rl = f->ne0 + 1;
    f->ds = gx_dataset(&f->md, zkr_tap_rand_cb, &t, N_DS);
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

    /* The argmax relation: every record predicts 0 (tied with 1, the lowest index wins). */
    {
        uint64_t wr = COUNT, lab1 = COUNT;
        for (uint64_t k = 0; k < COUNT; k++) {
            uint8_t l = range[k * f->rl + f->ne0];
            if (l != 0 && wr == COUNT)
                wr = k; /* a wrongly predicted record */
            if (l == 1 && lab1 == COUNT)
                lab1 = k;
        }
        zkr_tap_ok(&t, b->correct < COUNT && wr < COUNT, "a wrongly predicted record (%llu)",
                   (unsigned long long)wr);
        wr = wr < COUNT ? wr : 0;
        *c = *b;
        c->correct = c->value = b->correct + 1;
        statement(f, c, range, &st);
        range_attack(&t, f, "a non-maximal logit (the label's) claimed, D wrapped", c, range,
                     CH_NONMAX_WRAP, wr, &st, &pf);
        if (prove_attack(f, c, range, CH_LABEL, wr, 0, &pf) == ZKR_OK)
            teeth(&t, "the indicator on a wrong label", &pf, &st, ZKR_GEVAL_OFF_ARGMAX,
                  ZKR_ERR_VERIFY);
        else
            zkr_tap_ok(&t, 0, "the indicator on a wrong label: proves");
        /* The tie broken high: the count moves by [label = 1] - [label = 0] on that record. */
        {
            uint64_t k = lab1 < COUNT ? lab1 : 0;
            uint8_t l = range[k * f->rl + f->ne0];
            size_t ne = zkr_ml_gprog_elems(&f->md.g, f->md.g.n_nodes - 1);
            int8_t y[64];
            zkr_tap_ok(&t, zkr_ginf_native(&f->md.in, range + k * f->rl, y, ne) == ZKR_OK &&
                               y[0] == y[1] && zkr_geval_argmax(y, (uint32_t)ne) == 0,
                       "record %llu: outputs 0 and 1 tie at the maximum (%d)",
                       (unsigned long long)k, y[0]);
            *c = *b;
            c->correct = c->value = b->correct + (l == 1) - (l == 0);
            statement(f, c, range, &st);
            range_attack(&t, f, "the tie broken to index 1, D(0) wrapped", c, range, CH_TIE_WRAP,
                         k, &st, &pf);
            if (prove_attack(f, c, range, CH_TIE_KEY_OF_0, k, 0, &pf) == ZKR_OK)
                teeth(&t, "the tie broken to index 1 under index 0's key", &pf, &st,
                      ZKR_GEVAL_OFF_ARGMAX, ZKR_ERR_VERIFY);
            else
                zkr_tap_ok(&t, 0, "the tie broken high: proves");
        }
        /* A padding record counted: 3 records, padded to 4, the fourth counted with label 0. */
        gx_binding(&f->md, f->ds, N_DS, FIRST, COUNT - 1, ZKR_EVAL_MODE_EXACT, 0, c, f->dc);
        c->correct = c->value = count_with(f, range, range, COUNT - 1) + 1;
        statement(f, c, range, &st);
        if (prove_attack(f, c, range, CH_PADDING, 0, 0, &pf) == ZKR_OK)
            teeth(&t, "a padding record counted", &pf, &st, ZKR_GEVAL_OFF_COUNT, ZKR_ERR_VERIFY);
        else
            zkr_tap_ok(&t, 0, "a padding record counted: proves");
    }

    adversarial(&t, f, b, range, &pf);

    zkr_ginf_model_free(f->gm);
    gx_model_free(&f->md);
    zkr_buf_free(&pf);
    free(f->ds);
    free(recs);
    free(f);
    free(b);
    free(c);
    cat_batch(&t);
    return zkr_tap_done(&t);
}
