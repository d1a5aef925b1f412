/* The hidden `__worker` entry point (and the sandbox self-test in test builds). */
#include "workers.h"

zkr_err zkr_cmd_worker(zkr_cli *cli, int argc, char **argv)
{
    (void)cli;
    zkr_sandbox_worker_main(zkr_app_workers, argc, argv);
}

#if ZKR_TEST_BUILD
#include <stdlib.h>
#include <string.h>

static const char sandbox_test_help[] =
    "usage: zkreg __sandbox-test KIND [PAYLOAD] [--as-mib N] [--cpu S] [--timeout-ms N]\n"
    "                            [--no-sandbox] [--json]\n"
    "Test builds only: runs worker KIND on PAYLOAD (a string) and prints the reply in hex.\n"
    "exit codes: 0 ok, 1/3 the worker's own failure, 8 sandbox violation or timeout,\n"
    "            10 internal\n";

static void sandbox_test_print(const zkr_cli *cli, const char *kind, const zkr_buf *reply,
                               const zkr_sandbox_result *res)
{
    char conf[160];

    zkr_sandbox_confinement_str(res->confinement, conf, sizeof conf);
    if (cli->json) {
        printf("{\"ok\":true,\"kind\":");
        zkr_cli_json_string(stdout, kind);
        printf(",\"sandboxed\":%s,\"confinement\":", res->sandboxed ? "true" : "false");
        zkr_cli_json_string(stdout, conf);
        printf(",\"landlock_abi\":%u,\"wall_us\":%llu,\"reply_hex\":\"", res->landlock_abi,
               (unsigned long long)res->wall_us);
    } else {
        printf("confinement: %s\nlandlock_abi: %u\nreply: ", conf[0] ? conf : "none",
               res->landlock_abi);
    }
    for (size_t i = 0; i < reply->len; i++)
        printf("%02x", reply->p[i]);
    printf(cli->json ? "\"}\n" : "\n");
}

zkr_err zkr_cmd_sandbox_test(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS,
                                         {"as-mib", required_argument, NULL, 'a'},
                                         {"cpu", required_argument, NULL, 'c'},
                                         {"timeout-ms", required_argument, NULL, 't'},
                                         {"no-sandbox", no_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    const zkr_worker_kind *k = NULL;
    zkr_sandbox_limits lim;
    zkr_sandbox_opts so = {NULL, &lim, 0};
    zkr_sandbox_result res;
    zkr_buf reply = {0};
    const char *payload = "";
    uint64_t v;
    int c, done;
    zkr_err r;

    memset(&lim, 0, sizeof lim);
    for (int i = 1; i < argc && argv[i][0] != '-'; i++) /* the kind fixes the default limits */
        if (k == NULL)
            for (k = zkr_app_workers; k->kind != NULL && strcmp(k->kind, argv[i]) != 0; k++)
                ;
    if (k != NULL && k->kind != NULL)
        zkr_sandbox_limits_default(k->policy, &lim);
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, sandbox_test_help, &done))
            if (done)
                return ZKR_OK;
        if (c == 'a' || c == 'c' || c == 't') {
            if ((r = zkr_cli_parse_u64(cli, "option", optarg, &v)) != ZKR_OK)
                return r;
            if (c == 'a')
                lim.as_bytes = v << 20;
            else if (c == 'c')
                lim.cpu_seconds = v;
            else
                lim.timeout_ms = v;
        } else if (c == 'n') {
            so.no_sandbox = 1;
        } else if (c == '?') {
            return zkr_cli_usage(cli, "unknown option");
        }
    }
    if (optind >= argc || argc - optind > 2)
        return zkr_cli_usage(cli, "expected KIND [PAYLOAD]");
    if (argc - optind == 2)
        payload = argv[optind + 1];
    r = zkr_sandbox_call(zkr_app_workers, argv[optind], &so, (const uint8_t *)payload,
                         strlen(payload), &reply, &res, &cli->diag);
    if (r == ZKR_OK)
        sandbox_test_print(cli, argv[optind], &reply, &res);
    else if (res.log[0] != '\0')
        fprintf(stderr, "zkreg: worker stderr (start):\n%s\n", res.log);
    zkr_buf_free(&reply);
    return r;
}
#endif
