/* cmd_doctor.c: placeholder until its issue lands; see docs/cli.md. */
#include "cli.h"

zkr_err zkr_cmd_doctor(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

