/* The command table: one entry per `zkreg COMMAND`, in the order --help lists them. */
#include "cli.h"
#include "workers.h"

const zkr_cli_command zkr_cli_commands[] = {
    {"init", "create a registry and the appliance key", zkr_cmd_init},
    {"register-program", "record a program (model graph)",
     zkr_cmd_register_program},
    {"register-model", "record model weights and their commitment",
     zkr_cmd_register_model},
    {"register-dataset", "record a dataset, its Merkle root and commitment", zkr_cmd_register_dataset},
    {"register-schema", "record a statement schema name@version",
     zkr_cmd_register_schema},
    {"register-statement", "record a statement and print its statement_id", zkr_cmd_register_statement},
    {"show", "show one registered object", zkr_cmd_show},
    {"list", "list registered objects of a kind", zkr_cmd_list},
    {"revoke", "record a revocation", zkr_cmd_revoke},
    {"archive", "write a self-contained registry file for read-only media", zkr_cmd_archive},
    {"dataset", "dataset record proofs (prove-record, verify-record)",
     zkr_cmd_dataset},
    {"log", "transparency log (checkpoint, inclusion, consistency, verify)",
     zkr_cmd_log},
    {"export", "write a signed bundle for crossing the air gap", zkr_cmd_export},
    {"import", "check a bundle completely, then import it", zkr_cmd_import},
    {"prove", "prove a statement (sandboxed)", zkr_cmd_prove},
    {"verify", "verify a proof against a statement (sandboxed)",
     zkr_cmd_verify},
    {"infer", "run the quantized model natively", zkr_cmd_infer},
    {"eval", "float vs quantized accuracy over a dataset", zkr_cmd_eval},
    {"train", "fixed-point SGD steps, registered as child models",
     zkr_cmd_train},
    {"train-init", "write a training program and its seeded initial model", zkr_cmd_train_init},
    {"lineage", "a model's ancestry from the lineage events", zkr_cmd_lineage},
    {"round", "decentralized training rounds that accept only proven updates", zkr_cmd_round},
    {"key", "signing keys (generate, public, list)", zkr_cmd_key},
    {"attest", "check every binding, then sign an attestation",
     zkr_cmd_attest},
    {"verify-attestation", "check an attestation",
     zkr_cmd_verify_attestation},
    {"gate", "pass or fail a release against a policy", zkr_cmd_gate},
    {"doctor", "report the environment and sandbox state", zkr_cmd_doctor},
    /* hidden (names starting with "__" are not listed): the confined worker */
    {ZKR_SANDBOX_WORKER_ARG, "confined worker process (internal)", zkr_cmd_worker},
#if ZKR_TEST_BUILD
    {"__sandbox-test", "run a worker kind (test builds only)", zkr_cmd_sandbox_test},
#endif
    {NULL, NULL, NULL},
};
