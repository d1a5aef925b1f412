/* cmd_registry.c: placeholder until its issue lands; see docs/cli.md. */
#include "cli.h"

zkr_err zkr_cmd_init(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_register_program(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_register_model(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_register_dataset(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_register_schema(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_register_statement(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_show(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_list(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_revoke(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_dataset(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_log(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_export(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

zkr_err zkr_cmd_import(zkr_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return zkr_fail(&cli->diag, ZKR_ERR_UNSUPPORTED, "'%s' is not available in this build yet",
                    cli->command);
}

