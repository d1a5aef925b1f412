/*
 * evaluation-graph@1 verification (verifier/geval.h): the binding as
 * evaluation@1 checks it (dataset commitment, RFC 6962 range root over the
 * records' commitments, public output), then the batch's relations, the
 * argmax and count against the records' labels among them.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "verifier/evaluation_int.h"
#include "verifier/geval.h"
#include "zkr_config.h"

/* The records' membership: their commitments and the boundary hashes give R. */
static zkr_err zkr_vv_member(const zkr_verifier_geval_statement *st, const zkr_geval_binding *b,
                             size_t rl, zkr_diag *d)
{
    uint8_t (*leaves)[ZKR_DIGEST_BYTES] = malloc(b->count * sizeof *leaves), root[ZKR_DIGEST_BYTES];
    zkr_err r;

    if (!leaves)
        return ZKR_ERR_NOMEM;
    for (uint64_t k = 0; k < b->count; k++)
        zkr_infer_record_commitment(st->records + k * rl, rl, leaves[k]);
    r = zkr_eval_range_root((const uint8_t(*)[ZKR_DIGEST_BYTES])leaves, b->n, b->first, b->count,
                            (const uint8_t(*)[ZKR_DIGEST_BYTES])b->bound, b->n_bound, root);
    if (r == ZKR_ERR_NOMEM)
        goto out;
    if (r != ZKR_OK || sodium_memcmp(root, b->root, ZKR_DIGEST_BYTES) != 0)
        r = zkr_fail(d, ZKR_ERR_MISMATCH_INPUT,
                     "statement: records %llu..%llu are not the dataset's",
                     (unsigned long long)b->first, (unsigned long long)(b->first + b->count - 1));
out:
    free(leaves);
    return r;
}

/* The binding against the statement (the count is the relations'). */
static zkr_err zkr_vv_binding(const zkr_verifier_geval_statement *st, const zkr_geval_binding *b,
                              size_t ne0, zkr_diag *d)
{
    uint8_t dc[ZKR_DIGEST_BYTES];
    zkr_err r;

    zkr_infer_dataset_commitment(b->n, b->root, dc);
    if (sodium_memcmp(dc, st->dataset, ZKR_DIGEST_BYTES) != 0)
        return zkr_fail(d, ZKR_ERR_MISMATCH_DATASET, "proof: another dataset than the statement's");
    if (b->first != st->first || b->count != st->count)
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "proof: records %llu+%llu, the statement's "
                        "%llu+%llu", (unsigned long long)b->first, (unsigned long long)b->count,
                        (unsigned long long)st->first, (unsigned long long)st->count);
    if (st->records_len != st->count * (ne0 + 1))
        return zkr_fail(d, ZKR_ERR_MISMATCH_INPUT, "statement: records of %zu bytes",
                        st->records_len);
    if (zkr_ve_check_on(st->off, ZKR_GEVAL_OFF_MEMBER) &&
        (r = zkr_vv_member(st, b, ne0 + 1, d)) != ZKR_OK)
        return r;
    if (b->mode != st->mode || b->value != st->value)
        return zkr_fail(d, ZKR_ERR_MISMATCH_OUTPUT, "proof: public output differs from the "
                        "statement's");
    if (b->mode == ZKR_EVAL_MODE_THRESHOLD && b->correct < b->value)
        return zkr_fail(d, ZKR_ERR_VERIFY, "proof: %llu correct, below the threshold %llu",
                        (unsigned long long)b->correct, (unsigned long long)b->value);
    return ZKR_OK;
}

zkr_err zkr_verify_geval(const uint8_t *proof, size_t len, const zkr_verifier_geval_statement *st,
                         zkr_diag *d)
{
    static const uint32_t tags[3] = {ZKR_SEC_GEVAL_OUTPUT, ZKR_SEC_GEVAL_BODY, ZKR_SEC_GEVAL_PCS};
    zkr_proof_view v;
    zkr_params p;
    zkr_geval_binding *b = NULL;
    uint8_t *in = NULL;
    zkr_verifier_ginf_statement gs;
    size_t ne0, nb;
    uint32_t ne;
    zkr_err r;

    if (!proof || !st || !st->g || !st->mp || !st->records)
        return zkr_fail(d, ZKR_ERR_USAGE, "verify: missing proof or statement");
    if (st->count == 0 || st->count > ZKR_GEVAL_MAX_RECORDS)
        return zkr_fail(d, st->count ? ZKR_ERR_TOO_LARGE : ZKR_ERR_USAGE,
                        "records: %llu, evaluation-graph@1 proves 1..%u records",
                        (unsigned long long)st->count, ZKR_GEVAL_MAX_RECORDS);
    if (zkr_params_get(st->param_set, &p) != ZKR_OK)
        return zkr_fail(d, ZKR_ERR_MISMATCH_PARAMS, "statement: unknown parameter set %u",
                        st->param_set);
    if ((r = zkr_proof_parse(proof, len, &v, d)) != ZKR_OK ||
        (r = zkr_proof_view_bind(&v, st->param_set, ZKR_KIND_GEVAL1, "evaluation-graph@1",
                                 st->statement_id, tags, 3, d)) != ZKR_OK)
        return r;
    ne0 = zkr_ml_gprog_elems(st->g, 0);
    ne = zkr_ml_gprog_elems(st->g, st->g->n_nodes - 1);
    if (!(b = malloc(sizeof *b)))
        return ZKR_ERR_NOMEM;
    if (zkr_geval_output_decode(v.body[0], v.len[0], ne, b) != ZKR_OK) {
        r = zkr_fail(d, ZKR_ERR_MALFORMED, "proof: output section malformed");
        goto out;
    }
    if ((r = zkr_vv_binding(st, b, ne0, d)) != ZKR_OK)
        goto out;
    nb = (size_t)1 << zkr_geval_lb((uint32_t)st->count);
    if (!(in = calloc(nb * ne0, 1))) { /* the padding: all-zero inputs */
        r = ZKR_ERR_NOMEM;
        goto out;
    }
    for (uint64_t k = 0; k < st->count; k++)
        memcpy(in + k * ne0, st->records + k * (ne0 + 1), ne0);
    memset(&gs, 0, sizeof gs);
    memcpy(gs.statement_id, st->statement_id, ZKR_DIGEST_BYTES);
    gs.param_set = st->param_set;
    gs.g = st->g;
    gs.mp = st->mp;
    gs.model = st->model;
    gs.off = st->off & ZKR_GEVAL_OFF_CAT ? ZKR_GINF_OFF_CAT : 0; /* test builds only */
    gs.input = in;
    gs.input_len = nb * ne0;
    r = zkr_verify_ginf_batch(&p, &v, &gs, (uint32_t)st->count, st->records + ne0, ne0 + 1,
                              b->correct, st->off, d);
out:
    free(b);
    free(in);
    return r;
}
