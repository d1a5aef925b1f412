#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli.h"

int zkr_cli_common_option(zkr_cli *cli, int c, const char *help, int *done)
{
    *done = 0;
    switch (c) {
    case 0x100:
        cli->registry_path = optarg;
        return 1;
    case 0x101:
        cli->json = 1;
        return 1;
    case 'h':
        fputs(help, stdout);
        *done = 1;
        return 1;
    default:
        return 0;
    }
}

zkr_err zkr_cli_usage(zkr_cli *cli, const char *fmt, ...)
{
    va_list ap;

    if (cli->diag.msg[0] == '\0') {
        va_start(ap, fmt);
        (void)vsnprintf(cli->diag.msg, sizeof cli->diag.msg, fmt, ap);
        va_end(ap);
    }
    return ZKR_ERR_USAGE;
}

zkr_err zkr_cli_parse_u64(zkr_cli *cli, const char *what, const char *s, uint64_t *out)
{
    return zkr_app_parse_u64(cli, what, s, out);
}

void zkr_cli_progress_init(const zkr_cli *cli, zkr_progress *p)
{
    char prefix[48];

    (void)snprintf(prefix, sizeof prefix, "zkreg %s", cli->command ? cli->command : "");
    zkr_progress_init(p, STDERR_FILENO, !cli->json, prefix);
}

void zkr_cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

int zkr_cli_finish(zkr_cli *cli, zkr_err r)
{
    int code = zkr_err_exit_code(r);
    const char *msg = cli->diag.msg[0] != '\0' ? cli->diag.msg : zkr_strerror(r);

    if (r == ZKR_OK)
        return 0;
    if (cli->json && !cli->json_printed) {
        printf("{\"ok\":false,\"error\":{\"exit_code\":%d,\"class\":", code);
        zkr_cli_json_string(stdout, zkr_err_class(r));
        printf(",\"code\":%d,\"reason\":", (int)r);
        zkr_cli_json_string(stdout, zkr_strerror(r));
        printf(",\"message\":");
        zkr_cli_json_string(stdout, msg);
        printf("}}\n");
    }
    /* Without a command (an unknown one) the prefix is "zkreg" alone. */
    if (cli->command != NULL)
        fprintf(stderr, "zkreg %s: %s: %s\n", cli->command, zkr_strerror(r), msg);
    else
        fprintf(stderr, "zkreg: %s: %s\n", zkr_strerror(r), msg);
    if (r == ZKR_ERR_USAGE)
        fprintf(stderr, "(see zkreg%s%s --help)\n", cli->command ? " " : "",
                cli->command ? cli->command : "");
    return code;
}
