/*
 * graph-inference@2's core calls as the product makes them (app/ginfer2_core.c):
 * the private graph model's commitment (its encoding, digest and
 * reopening), the whole-network prover and verifier on a record of a
 * version 3 dataset. app/ginfer2.c builds the inputs from the registry and
 * the owners' files; the workers call these on their decoded request.
 */
#ifndef ZKR_APP_GINFER2_CORE_H
#define ZKR_APP_GINFER2_CORE_H

#include "ml/ml.h"
#include "prover/ginfer2.h"
#include "prover/prover.h"
#include "zk/ginfer2_mc.h"
#include "zk/zk.h"

/* The largest private graph model commitment and its secret opening's size. */
#define ZKR_APP_G2_MC_MAX_BYTES ZKR_GINFER2_MC_MAX_BYTES
#define ZKR_APP_G2_OPENING_BYTES ZKR_GINF2_OPENING_BYTES
/* The most proofs a private graph model is committed for (each opens every W twice). */
#define ZKR_APP_G2_BUDGET_MAX (ZKR_HPCS_MAX_BUDGET / ZKR_GINF2_W_OPENINGS)

/* 1 when enc (len bytes) decodes as a private graph model commitment. */
int zkr_app_g2_mc_is_graph(const uint8_t *enc, size_t len);

/* The commitment digest the registry binds for the encoding enc (len bytes). */
void zkr_app_g2_mc_digest(const uint8_t *enc, size_t len, uint8_t *out);

/*
 * `model commit` of a graph model file (model, len bytes; ZKRQMOD version
 * 2): the private graph model commitment blinded for `budget` proofs
 * (1..ZKR_APP_G2_BUDGET_MAX, else ZKR_ERR_USAGE; seed NULL:
 * the OS CSPRNG, else derived from it), its encoding into *enc, its opening
 * (ZKR_APP_G2_OPENING_BYTES, secret) into opening, the proofs the budget
 * allows, the CONV / DENSE nodes committed and the program digest.
 * ZKR_ERR_MALFORMED (a weight outside -127..127), UNSUPPORTED (a program
 * graph-inference@2 does not prove), NOMEM.
 */
zkr_err zkr_app_g2_commit(const uint8_t *model, size_t len, uint32_t budget, const uint8_t *seed,
                          size_t seed_len, zkr_buf *enc, uint8_t *opening, uint32_t *proofs,
                          uint32_t *n_layers, uint8_t program[ZKR_DIGEST_BYTES],
                          zkr_diag *d) ZKR_WUR;

/*
 * register-model --commitment: enc is a commitment for the graph program
 * whose stored bytes are prog (its digest and every weight tensor's
 * shape); file names it in messages. ZKR_ERR_MISMATCH_PROGRAM.
 */
zkr_err zkr_app_g2_mc_check_program(const uint8_t *enc, size_t len, const uint8_t *prog,
                                    size_t prog_len, const char *file, zkr_diag *d) ZKR_WUR;

/*
 * Reopens enc with opening for the model gm (its weights must be the
 * committed ones) and gives the proofs its budget allows (the ledger's
 * cap). ZKR_ERR_MISMATCH_MODEL, ZKR_ERR_MALFORMED, ZKR_ERR_UNSUPPORTED.
 */
zkr_err zkr_app_g2_proofs_left(const zkr_ml_gmodel *gm, const zkr_buf *enc,
                               const uint8_t *opening, uint32_t *proofs, zkr_diag *d) ZKR_WUR;

/* The prover worker's decoded request. */
typedef struct {
    const uint8_t *sid; /* ZKR_DIGEST_BYTES */
    uint32_t param_set, threads;
    const uint8_t *model, *enc, *opening; /* the model file, its commitment, the opening */
    size_t model_len, enc_len;
    zkr_infer2_record rec; /* the record and its commitment, opening and path */
    const uint8_t *seed;   /* seed_len 0: the OS CSPRNG */
    size_t seed_len;
} zkr_app_g2_prove_in;

/*
 * The whole proof: the model reopened, the record's commitment rebuilt,
 * the proof into *proof and the public output (zkr_infer_output_encode)
 * into *out. The prover's errors.
 */
zkr_err zkr_app_g2_prove(const zkr_app_g2_prove_in *in, zkr_buf *proof, zkr_buf *out,
                         zkr_diag *d) ZKR_WUR;

/* The verifier worker's decoded request: every binding from the registry. */
typedef struct {
    const uint8_t *sid, *mc_digest, *root; /* ZKR_DIGEST_BYTES each */
    uint32_t param_set;
    const uint8_t *program, *output; /* the registered program's bytes, the public output */
    size_t program_len, output_len;
    uint64_t n_records, index;
} zkr_app_g2_verify_in;

/* Verifies proof against in. ZKR_OK, the verifier's errors. */
zkr_err zkr_app_g2_verify(const zkr_app_g2_verify_in *in, const uint8_t *proof, size_t len,
                          zkr_diag *d) ZKR_WUR;

#endif
