/*
 * register-batch: many registrations (programs, models, datasets, schemas,
 * statements) from a JSON-lines file, in one write transaction. Each line
 * is registered by the same function as its single command
 * (zkr_app_register_*), so a batch accepts and refuses exactly what the single
 * commands do; the one transaction makes it all or nothing and pays one
 * fsync instead of one per registration. docs/cli.md has the record format.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "registry_cli.h"
#include "app/register.h"

static const char batch_help[] =
    "usage: zkreg register-batch FILE\n"
    "\n"
    "Registers every record of FILE (JSON lines, one object per line; empty\n"
    "lines are skipped) in one transaction: all or nothing. Records:\n"
    "  {\"type\":\"program\",\"file\":F[,\"name\":N]}\n"
    "  {\"type\":\"model\",\"file\":F,\"program\":REF[,\"name\":N][,\"calibrate\":DATASET]}\n"
    "  {\"type\":\"dataset\",\"file\":F[,\"name\":N]}\n"
    "  {\"type\":\"schema\",\"file\":F}\n"
    "  {\"type\":\"statement\",\"schema\":REF,\"program\":REF,\"model\":REF,\n"
    "   \"dataset\":REF[,\"params\":{KEY:VALUE,...}][,\"public_output\":F]}\n"
    "REF is what the single command takes (row id, 64-hex digest, NAME@VERSION\n"
    "for schemas), an integer row id, or \"@N\": the object registered by line N\n"
    "of this file. VALUE is a string, an integer or (u64-list) an array of\n"
    "integers. Relative paths are relative to the working directory.\n"
    "Prints one line per record (--json: \"results\"); on any failure nothing is\n"
    "registered and the error names the line (and the field).\n" ZKR_CLI_EXIT_HELP;

static void print_results(const zkr_cli *cli, const zkr_app_batch *b, json_t *arr)
{
    for (size_t i = 0; i < b->n; i++) {
        const zkr_app_batch_result *res = &b->res[i];
        char h[65];

        zkr_cli_hex32(res->digest, h);
        if (arr != NULL) {
            json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:b}", "line", (json_int_t)res->line,
                                  "kind", zkr_app_batch_kind_name(res->type), "id", (json_int_t)res->id,
                                  res->type == ZKR_APP_BATCH_STATEMENT ? "statement_id"
                                  : res->type == ZKR_APP_BATCH_SCHEMA  ? "digest"
                                                             : "sha256",
                                  h, "existed", res->existed);
            if (o != NULL && res->name != NULL) {
                json_object_set_new(o, "name", json_string(res->name));
                json_object_set_new(o, "version", json_integer((json_int_t)res->version));
            }
            json_array_append_new(arr, o);
        } else if (res->type == ZKR_APP_BATCH_STATEMENT) {
            printf("line %llu: statement %lld %s%s\n", (unsigned long long)res->line,
                   (long long)res->id, h, res->existed ? " (already registered)" : "");
        } else {
            printf("line %llu: %s %lld %s v%llu %s:%s%s\n", (unsigned long long)res->line,
                   zkr_app_batch_kind_name(res->type), (long long)res->id, res->name,
                   (unsigned long long)res->version, res->type == ZKR_APP_BATCH_SCHEMA ? "digest" : "sha256",
                   h, res->existed ? " (already registered)" : "");
        }
    }
    (void)cli;
}

zkr_err zkr_cmd_register_batch(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    zkr_app_batch b;
    zkr_progress pg;
    json_t *out = NULL, *arr = NULL;
    int c, done;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, batch_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        return zkr_cli_usage(cli, "bad option (see --help)");
    }
    if (optind + 1 != argc)
        return zkr_cli_usage(cli, "expected exactly one FILE argument");
    zkr_cli_progress_init(cli, &pg);
    if ((r = zkr_app_register_batch(cli, argv[optind], &pg, &b)) != ZKR_OK)
        return r;
    if (cli->json) {
        arr = json_array();
        print_results(cli, &b, arr);
        out = json_pack("{s:I, s:I, s:I, s:o}", "count", (json_int_t)b.n, "new",
                        (json_int_t)b.n_new, "existed", (json_int_t)(b.n - b.n_new), "results",
                        arr);
        r = zkr_cli_print_json(out);
    } else {
        print_results(cli, &b, NULL);
        fprintf(stderr, "zkreg %s: %zu records, %zu new, %zu already registered\n", cli->command,
                b.n, b.n_new, b.n - b.n_new);
    }
    zkr_app_batch_free(&b);
    return r;
}
