/*
 * Shared by cmd_train.c and cmd_round.c: the train command's arguments,
 * the lineage event payload, and the statement of one training step.
 */
#ifndef ZKR_CLI_TRAIN_CLI_H
#define ZKR_CLI_TRAIN_CLI_H

#include "cli.h"
#include "ml/ml.h"
#include "registry/registry.h"

typedef struct {
    const char *model, *dataset, *schema, *out_dir, *eval;
    uint32_t batch, steps;
    uint64_t first;
    zkr_ml_tstep_params sp;
    int prove, no_sandbox, has_round, has_worker;
    uint64_t round;
    uint32_t worker;
} zkr_cli_train_args;

/* A "lineage" log event (registry codec) and the leaf it was read from. */
typedef struct {
    zkr_lineage l;
    uint64_t log_index;
} zkr_cli_lineage;

/* The "lineage" event payload of one step (docs/formats.md), written into out (cleared). */
zkr_err zkr_cli_lineage_payload(const zkr_artifact *parent, const uint8_t child_sha[32],
                                const uint8_t child_comm[32], const zkr_artifact *dataset,
                                const zkr_ml_tstep_params *sp, const uint64_t *idx,
                                uint32_t batch, zkr_buf *out) ZKR_WUR;

/*
 * Registers the training-step@1 statement for one step of parent on
 * dataset producing the child with sha256 child_sha (fields child_model,
 * lr, record_indices, shift, steps = 1). st must be freed with
 * zkr_statement_free even on failure.
 */
zkr_err zkr_cli_train_statement(zkr_cli *cli, zkr_registry *reg, const char *schema,
                                const zkr_artifact *parent, const zkr_artifact *dataset,
                                const uint8_t child_sha[32], const zkr_ml_tstep_params *sp,
                                const uint64_t *idx, uint32_t batch, zkr_statement *st) ZKR_WUR;

/* `zkreg train --round R --worker I --out-dir DIR` (cmd_round.c). */
zkr_err zkr_cli_round_work(zkr_cli *cli, const zkr_cli_train_args *a) ZKR_WUR;

#endif
