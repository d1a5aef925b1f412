/*
 * Shared by cmd_train.c and cmd_round.c: the train command's arguments and
 * the round worker's entry point (the lineage payload and the statement of
 * one training step are in app/train.h).
 */
#ifndef ZKR_CLI_TRAIN_CLI_H
#define ZKR_CLI_TRAIN_CLI_H

#include "cli.h"
#include "zk_cli.h"
#include "ml/ml.h"
#include "registry/registry.h"

typedef struct {
    const char *model, *dataset, *schema, *out_dir, *eval, *name;
    uint32_t batch, steps, keep_every;
    uint64_t first;
    zkr_ml_tstep_params sp;
    int prove, no_sandbox, has_round, has_worker;
    uint64_t round;
    uint32_t worker;
    /* A training-step@2 round's worker: its private shard, sealed secrets, optional seed. */
    const char *dataset_file, *dataset_secrets, *zk_seed;
    zkr_cli_pass_opts pass;
} zkr_cli_train_args;

/* A "lineage" log event (registry codec) and the leaf it was read from. */
typedef struct {
    zkr_lineage l;
    uint64_t log_index;
} zkr_cli_lineage;

/* `zkreg train --round R --worker I --out-dir DIR` (cmd_round.c). */
zkr_err zkr_cli_round_work(zkr_cli *cli, const zkr_cli_train_args *a) ZKR_WUR;

#endif
