/* zkreg: entry point and command dispatch. */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <sodium.h>

#include "cli.h"
#include "common.h"
#include "zkr_config.h"

static const char usage_text[] =
    "usage: zkreg [--registry PATH] [--json] COMMAND [ARGS]\n"
    "       zkreg COMMAND --help\n"
    "\n"
    "zkreg registers programs, models, datasets, statement schemas and\n"
    "statements, proves and verifies computations over them, and signs an\n"
    "attestation only after the proof verifies against the registered statement.\n";

static const char exit_codes_text[] =
    "\nexit codes:\n"
    "   0 ok                          6 revoked or expired\n"
    "   1 verification failed or      7 key or HSM error\n"
    "     binding mismatch refused    8 sandbox violation\n"
    "   2 usage                       9 registry or I/O error\n"
    "   3 malformed input            10 internal\n"
    "   4 not found\n"
    "   5 conflict or already exists\n"
    "\nregistry: --registry PATH, else $ZKREG_REGISTRY, else ./zkreg.db\n";

static void print_usage(FILE *f)
{
    fputs(usage_text, f);
    fputs("\ncommands:\n", f);
    for (const zkr_cli_command *c = zkr_cli_commands; c->name != NULL; c++)
        if (c->name[0] != '_') /* internal entries stay out of --help */
            fprintf(f, "  %-20s %s\n", c->name, c->summary);
    fputs(exit_codes_text, f);
}

/* Keys pass through this process: no core dumps, no ptrace by peers. */
static void harden_process(void)
{
    struct rlimit rl = {0, 0};

    (void)setrlimit(RLIMIT_CORE, &rl);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Global options may precede the command; they are moved to its cli. */
static int take_global_options(zkr_cli *cli, int *argc, char ***argv)
{
    while (*argc > 1) {
        char *a = (*argv)[1];
        if (strcmp(a, "--json") == 0) {
            cli->json = 1;
        } else if (strcmp(a, "--registry") == 0 && *argc > 2) {
            cli->registry_path = (*argv)[2];
            (*argc)--;
            (*argv)++;
        } else if (strncmp(a, "--registry=", 11) == 0) {
            cli->registry_path = a + 11;
        } else {
            break;
        }
        (*argc)--;
        (*argv)++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    zkr_cli cli;
    const char *env;

    harden_process();
    zkr_heap_tune(); /* the sandboxed worker runs this main() too */
    memset(&cli, 0, sizeof cli);
    if (sodium_init() < 0) {
        fputs("zkreg: libsodium failed to initialise\n", stderr);
        return 10;
    }
    env = getenv("ZKREG_REGISTRY");
    cli.registry_path = (env != NULL && env[0] != '\0') ? env : "./zkreg.db";
    (void)take_global_options(&cli, &argc, &argv);
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("zkreg %s\n", ZKR_VERSION);
        return 0;
    }
    for (const zkr_cli_command *c = zkr_cli_commands; c->name != NULL; c++) {
        if (strcmp(c->name, argv[1]) == 0) {
            cli.command = c->name;
            optind = 1;
            return zkr_cli_finish(&cli, c->run(&cli, argc - 1, argv + 1));
        }
    }
    /* No command: zkr_cli_finish() then names only "zkreg" (not "zkreg zkreg"). */
    cli.command = NULL;
    return zkr_cli_finish(&cli, zkr_cli_usage(&cli, "unknown command '%s'", argv[1]));
}
