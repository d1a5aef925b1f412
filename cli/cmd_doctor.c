/*
 * zkreg doctor: what confinement this machine really gives. Everything is
 * measured (kernel probes, a live worker self-test), nothing assumed.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <jansson.h>

#include "cli.h"
#include "hsm/hsm.h"
#include "cuda/cuda.h"
#include "workers.h"

static const char doctor_help[] =
    "usage: zkreg doctor [--json]\n"
    "Reports seccomp (and which actions the kernel offers), namespaces, the\n"
    "Landlock ABI, the rlimits in force here and those applied to each worker,\n"
    "each worker policy's syscall allowlist, and runs a confined self-test\n"
    "(a SHA-256 and an RFC 6962 Merkle root computed inside the worker and\n"
    "compared with the same computation in this process). It starts the\n"
    "PKCS#11 helper, has it confine itself as for a module (loading none),\n"
    "and reports what /proc shows of it: seccomp mode, no_new_privs,\n"
    "capabilities, threads, namespaces, environment and descriptors. It also\n"
    "reports the CUDA backend: whether it is built in, the driver, the device\n"
    "and its memory.\n"
    "\nexit codes: 0 confinement works, 8 seccomp missing, the self-test failed or\n"
    "            the installed PKCS#11 helper is not confined as it must be,\n"
    "            2 usage, 10 internal\n";

#define DOCTOR_MAX_RULES 160

static const zkr_sandbox_policy doctor_policies[] = {
    ZKR_SANDBOX_POLICY_VERIFIER, ZKR_SANDBOX_POLICY_PROVER, ZKR_SANDBOX_POLICY_PKCS11};

typedef struct {
    int ok;
    uint32_t confinement;
    uint32_t landlock_abi;
    uint64_t wall_us;
    char error[ZKR_DIAG_BYTES];
} doctor_selftest;

/* The PKCS#11 helper, live: what it reports and what /proc shows of it. */
typedef struct {
    int installed;
    int ok;
    zkr_hsm_probe_info info;
    char error[ZKR_DIAG_BYTES];
} doctor_helper;

static const char *doctor_ns_word(int v)
{
    return v == 1 ? "own" : v == 0 ? "shared" : "unknown";
}

/* What a confined helper must show from outside; "" when it does. */
static const char *doctor_helper_fault(const zkr_hsm_probe_info *i)
{
    if ((i->confinement & ZKR_SANDBOX_C_SECCOMP) == 0)
        return "it reports no seccomp filter";
    if (!i->measured)
        return "";
    if (i->seccomp_mode != 2)
        return "/proc shows no seccomp filter";
    if (i->no_new_privs != 1)
        return "/proc shows no no_new_privs";
    if (i->cap_eff != 0)
        return "/proc shows effective capabilities";
    if (i->threads != 1)
        return "/proc shows more than one thread";
    if (i->ns_pid == 0 || i->ns_net == 0 || i->ns_mnt == 0 || i->ns_ipc == 0)
        return "/proc shows it sharing zkreg's PID, network, mount or IPC namespace";
    return "";
}

static void doctor_helper_run(zkr_cli *cli, doctor_helper *h)
{
    char path[PATH_MAX];
    const char *fault;
    zkr_diag d;

    memset(h, 0, sizeof *h);
    if (zkr_hsm_helper_path(path, sizeof path) != ZKR_OK) {
        (void)snprintf(h->error, sizeof h->error, "zkreg-pkcs11-helper is not installed");
        return;
    }
    h->installed = 1;
    zkr_diag_clear(&d);
    if (zkr_hsm_probe(NULL, cli->registry_path, &h->info, &d) != ZKR_OK) {
        (void)snprintf(h->error, sizeof h->error, "%s", d.msg);
        return;
    }
    fault = doctor_helper_fault(&h->info);
    h->ok = fault[0] == '\0';
    (void)snprintf(h->error, sizeof h->error, "%s", fault);
}

static json_t *doctor_helper_json(const doctor_helper *h)
{
    const zkr_hsm_probe_info *i = &h->info;
    char conf[200], capeff[24], capbnd[24];
    json_t *env = json_null();

    zkr_sandbox_confinement_str(i->confinement, conf, sizeof conf);
    (void)snprintf(capeff, sizeof capeff, "0x%016llx", i->cap_eff);
    (void)snprintf(capbnd, sizeof capbnd, "0x%016llx", i->cap_bnd);
    if (i->env_count >= 0) {
        const char *p = i->env_names;
        env = json_array();
        while (*p != '\0') {
            size_t n = strcspn(p, ",");
            json_array_append_new(env, json_stringn(p, n));
            p += n + (p[n] == ',');
        }
    }
    return json_pack("{s:b,s:b,s:s,s:{s:s,s:i},s:{s:b,s:i,s:i,s:s,s:s,s:i,"
                     "s:{s:s,s:s,s:s,s:s,s:s},s:o,s:i}}",
                     "installed", h->installed, "ok", h->ok, "error", h->error, "reported",
                     "confinement", conf, "landlock_abi", (int)i->landlock_abi, "measured",
                     "from_proc", i->measured, "seccomp_mode", i->seccomp_mode, "no_new_privs",
                     i->no_new_privs, "cap_eff", capeff, "cap_bnd", capbnd, "threads",
                     i->threads, "namespaces", "user", doctor_ns_word(i->ns_user), "pid",
                     doctor_ns_word(i->ns_pid), "net", doctor_ns_word(i->ns_net), "ipc",
                     doctor_ns_word(i->ns_ipc), "mount", doctor_ns_word(i->ns_mnt),
                     "environment", env, "fds", i->fd_count);
}

static void doctor_helper_print(const doctor_helper *h)
{
    const zkr_hsm_probe_info *i = &h->info;
    char conf[200];

    if (!h->installed) {
        printf("pkcs11-helper: %s\n", h->error);
        return;
    }
    zkr_sandbox_confinement_str(i->confinement, conf, sizeof conf);
    printf("pkcs11-helper (live, no module loaded): %s%s%s\n", h->ok ? "ok" : "FAILED",
           h->error[0] ? ": " : "", h->error);
    printf("  reported: %s; landlock ABI %u\n", conf, (unsigned)i->landlock_abi);
    if (!i->measured) {
        printf("  measured: /proc of the helper not readable\n");
        return;
    }
    printf("  measured: seccomp mode %d, no_new_privs %d, CapEff 0x%llx, CapBnd 0x%llx, "
           "%d thread(s), %d fd(s)\n",
           i->seccomp_mode, i->no_new_privs, i->cap_eff, i->cap_bnd, i->threads, i->fd_count);
    printf("  namespaces: user %s, pid %s, net %s, ipc %s, mount %s\n", doctor_ns_word(i->ns_user),
           doctor_ns_word(i->ns_pid), doctor_ns_word(i->ns_net), doctor_ns_word(i->ns_ipc),
           doctor_ns_word(i->ns_mnt));
    if (i->env_count >= 0)
        printf("  environment: %d variable(s)%s%s\n", i->env_count, i->env_count ? ": " : "",
               i->env_names);
    else
        printf("  environment: not readable\n");
}

static json_t *doctor_rlimit(int res)
{
    struct rlimit rl;

    if (getrlimit(res, &rl) != 0)
        return json_null();
    return json_pack("{s:o,s:o}", "soft",
                     rl.rlim_cur == RLIM_INFINITY ? json_string("unlimited")
                                                  : json_integer((json_int_t)rl.rlim_cur),
                     "hard",
                     rl.rlim_max == RLIM_INFINITY ? json_string("unlimited")
                                                  : json_integer((json_int_t)rl.rlim_max));
}

static json_t *doctor_limits(zkr_sandbox_policy p)
{
    zkr_sandbox_limits l;

    zkr_sandbox_limits_default(p, &l);
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:i,s:I,s:I,s:I}", "as_bytes", (json_int_t)l.as_bytes,
                     "cpu_seconds", (json_int_t)l.cpu_seconds, "nofile", (json_int_t)l.nofile,
                     "nproc", (json_int_t)l.nproc, "fsize_bytes", (json_int_t)l.fsize_bytes,
                     "core_bytes", 0, "timeout_ms", (json_int_t)l.timeout_ms, "max_request",
                     (json_int_t)l.max_request, "max_reply", (json_int_t)l.max_reply);
}

static json_t *doctor_policy(zkr_sandbox_policy p)
{
    zkr_sandbox_rule_info rules[DOCTOR_MAX_RULES];
    size_t n = 0;
    json_t *a = json_array();

    if (zkr_sandbox_policy_rules(p, rules, DOCTOR_MAX_RULES, &n) != ZKR_OK)
        n = 0;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, rules[i].condition[0]
                                     ? json_pack("{s:s,s:s}", "syscall", rules[i].name, "only",
                                                 rules[i].condition)
                                     : json_pack("{s:s}", "syscall", rules[i].name));
    return json_pack("{s:s,s:s,s:s,s:I,s:o,s:o}", "name", zkr_sandbox_policy_name(p),
                     "default_action", "kill_process", "foreign_arch_action", "kill_process",
                     "rule_count", (json_int_t)n, "rules", a, "limits", doctor_limits(p));
}

/* Runs kind on input confined and in-process; both must give the same bytes. */
static void doctor_selftest_run(const char *kind, const uint8_t *in, size_t in_len,
                                doctor_selftest *t)
{
    zkr_buf a = {0}, b = {0};
    zkr_sandbox_result res;
    zkr_diag d;
    zkr_err r;
    const zkr_worker_kind *k;

    memset(t, 0, sizeof *t);
    zkr_diag_clear(&d);
    r = zkr_sandbox_call(zkr_app_workers, kind, NULL, in, in_len, &a, &res, &d);
    t->confinement = res.confinement;
    t->landlock_abi = res.landlock_abi;
    t->wall_us = res.wall_us;
    if (r != ZKR_OK) {
        (void)snprintf(t->error, sizeof t->error, "%.60s: %.400s", zkr_strerror(r), d.msg);
        goto out;
    }
    /* the reference runs the same function directly (no --no-sandbox warning here) */
    for (k = zkr_app_workers; k->kind != NULL && strcmp(k->kind, kind) != 0; k++)
        ;
    if (k->fn == NULL || k->fn(in, in_len, &b, &d) != ZKR_OK || a.len != b.len ||
        memcmp(a.p, b.p, a.len) != 0) {
        (void)snprintf(t->error, sizeof t->error, "confined and in-process results differ");
        goto out;
    }
    t->ok = 1;
out:
    zkr_buf_free(&a);
    zkr_buf_free(&b);
}

static json_t *doctor_selftest_json(const char *kind, const doctor_selftest *t)
{
    char conf[160];

    zkr_sandbox_confinement_str(t->confinement, conf, sizeof conf);
    return json_pack("{s:s,s:s,s:b,s:s,s:i,s:I,s:s}", "kind", kind, "policy", "verifier", "ok",
                     t->ok, "confinement", conf, "landlock_abi", (int)t->landlock_abi, "wall_us",
                     (json_int_t)t->wall_us, "error", t->error);
}

static json_t *doctor_report(const zkr_sandbox_caps *c, const doctor_selftest *t1,
                             const doctor_selftest *t2)
{
    static const struct {
        const char *name;
        int res;
    } rl[] = {{"RLIMIT_AS", RLIMIT_AS},       {"RLIMIT_CPU", RLIMIT_CPU},
              {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_NPROC", RLIMIT_NPROC},
              {"RLIMIT_FSIZE", RLIMIT_FSIZE}, {"RLIMIT_CORE", RLIMIT_CORE}};
    json_t *rlimits = json_object(), *pol = json_array();

    for (size_t i = 0; i < sizeof rl / sizeof rl[0]; i++)
        json_object_set_new(rlimits, rl[i].name, doctor_rlimit(rl[i].res));
    for (size_t i = 0; i < sizeof doctor_policies / sizeof doctor_policies[0]; i++)
        json_array_append_new(pol, doctor_policy(doctor_policies[i]));
    return json_pack(
        "{s:b,s:s,s:b,s:{s:b,s:i,s:{s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b}},"
        "s:{s:b,s:b,s:b,s:b,s:b},s:{s:i,s:i},s:o,s:o,s:[o,o]}",
        "ok", c->seccomp_filter && t1->ok && t2->ok, "version", ZKR_VERSION, "sanitizer_build",
        c->sanitizer_build, "seccomp", "filter", c->seccomp_filter, "libseccomp_api",
        (int)c->libseccomp_api, "actions", "kill_process", c->act_kill_process, "kill_thread",
        c->act_kill_thread, "trap", c->act_trap, "errno", c->act_errno, "user_notif",
        c->act_user_notif, "trace", c->act_trace, "log", c->act_log, "allow", c->act_allow,
        "namespaces", "user", c->userns, "net", c->netns, "ipc", c->ipcns, "mount", c->mntns,
        "pid", c->pidns, "landlock", "abi", c->landlock_abi, "errata", c->landlock_errata,
        "rlimits_in_force", rlimits, "policies", pol, "self_test",
        doctor_selftest_json("sha256", t1), doctor_selftest_json("merkle-root", t2));
}

/* The CUDA backend as this process finds it (docs/cuda.md); informational. */
static json_t *doctor_cuda(const zkr_cuda_info *ci)
{
    return json_pack("{s:b,s:i,s:i,s:i,s:s,s:i,s:I,s:I,s:s}", "built", ci->built, "runtime_version",
                     ci->runtime_version, "driver_version", ci->driver_version, "devices",
                     ci->n_devices, "device", ci->name, "compute_capability",
                     ci->cc_major * 10 + ci->cc_minor,
                     "mem_total", (json_int_t)ci->mem_total, "mem_free", (json_int_t)ci->mem_free,
                     "why_none", ci->why);
}

static void doctor_print_cuda(const zkr_cuda_info *ci)
{
    if (!ci->built) {
        printf("cuda: backend not built into this zkreg (%s); prove runs on the CPU\n", ci->why);
        return;
    }
    printf("cuda: backend built (runtime %d.%d), driver %s", ci->runtime_version / 1000,
           ci->runtime_version % 1000 / 10, ci->driver_version ? "" : "none");
    if (ci->driver_version)
        printf("%d.%d", ci->driver_version / 1000, ci->driver_version % 1000 / 10);
    if (ci->n_devices > 0)
        printf(", %d device(s): %s (sm_%d%d), %llu MiB, %llu MiB free\n", ci->n_devices, ci->name,
               ci->cc_major, ci->cc_minor, (unsigned long long)(ci->mem_total >> 20),
               (unsigned long long)(ci->mem_free >> 20));
    else
        printf(", no device (%s): --backend auto proves on the CPU, cuda is refused\n", ci->why);
}

static const char *yn(int v)
{
    return v ? "yes" : "no";
}

static void doctor_print_text(json_t *j, const zkr_sandbox_caps *c)
{
    json_t *pol = json_object_get(j, "policies"), *p, *rule;
    size_t i, k;
    const char *key;
    json_t *v;

    printf("zkreg %s doctor%s\n", ZKR_VERSION,
           c->sanitizer_build ? " (sanitizer build: RLIMIT_AS = in-use + budget)" : "");
    printf("seccomp: filter mode %s, libseccomp API level %u\n",
           c->seccomp_filter ? "available" : "NOT AVAILABLE", c->libseccomp_api);
    printf("  actions: kill_process %s, kill_thread %s, trap %s, errno %s, user_notif %s, "
           "trace %s, log %s, allow %s\n", yn(c->act_kill_process), yn(c->act_kill_thread),
           yn(c->act_trap), yn(c->act_errno), yn(c->act_user_notif), yn(c->act_trace),
           yn(c->act_log), yn(c->act_allow));
    printf("namespaces: user %s, net %s, ipc %s, mount %s, pid %s\n", yn(c->userns),
           yn(c->netns), yn(c->ipcns), yn(c->mntns), yn(c->pidns));
    if (c->landlock_abi > 0)
        printf("landlock: ABI %d (errata 0x%x)\n", c->landlock_abi, (unsigned)c->landlock_errata);
    else
        printf("landlock: not available\n");
    printf("rlimits in force (this process):");
    json_object_foreach(json_object_get(j, "rlimits_in_force"), key, v) {
        json_t *s = json_object_get(v, "soft");
        if (json_is_string(s))
            printf(" %s=%s", key + 7, json_string_value(s));
        else
            printf(" %s=%lld", key + 7, (long long)json_integer_value(s));
    }
    printf("\n");
    json_array_foreach(pol, i, p) {
        json_t *l = json_object_get(p, "limits");
        printf("policy %s: default kill_process, foreign arch kill_process, %lld rules\n",
               json_string_value(json_object_get(p, "name")),
               (long long)json_integer_value(json_object_get(p, "rule_count")));
        printf("  limits: AS %lld MiB, CPU %lld s, NOFILE %lld, NPROC %lld, FSIZE %lld, CORE 0",
               (long long)json_integer_value(json_object_get(l, "as_bytes")) >> 20,
               (long long)json_integer_value(json_object_get(l, "cpu_seconds")),
               (long long)json_integer_value(json_object_get(l, "nofile")),
               (long long)json_integer_value(json_object_get(l, "nproc")),
               (long long)json_integer_value(json_object_get(l, "fsize_bytes")));
        if (json_integer_value(json_object_get(l, "timeout_ms")) > 0)
            printf(", wall %lld ms", (long long)json_integer_value(json_object_get(l, "timeout_ms")));
        printf("\n  allow:");
        json_array_foreach(json_object_get(p, "rules"), k, rule) {
            json_t *only = json_object_get(rule, "only");
            printf(" %s%s%s%s", json_string_value(json_object_get(rule, "syscall")),
                   only ? " [" : "", only ? json_string_value(only) : "", only ? "]" : "");
        }
        printf("\n");
    }
    json_array_foreach(json_object_get(j, "self_test"), i, p) {
        int ok = json_is_true(json_object_get(p, "ok"));
        printf("self-test %s (verifier policy): %s in %.1f ms; confinement %s; landlock ABI %lld%s%s\n",
               json_string_value(json_object_get(p, "kind")), ok ? "ok" : "FAILED",
               (double)json_integer_value(json_object_get(p, "wall_us")) / 1000.0,
               json_string_value(json_object_get(p, "confinement")),
               (long long)json_integer_value(json_object_get(p, "landlock_abi")), ok ? "" : ": ",
               json_string_value(json_object_get(p, "error")));
    }
}

zkr_err zkr_cmd_doctor(zkr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {ZKR_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    static const uint8_t sample[] = "zkreg doctor self-test";
    uint8_t records[3 * (4 + 5) + 8];
    zkr_sandbox_caps caps;
    zkr_cuda_info cuda;
    doctor_selftest t1, t2;
    doctor_helper helper;
    json_t *j = NULL;
    int c, done;
    zkr_err r;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (zkr_cli_common_option(cli, c, doctor_help, &done)) {
            if (done)
                return ZKR_OK;
            continue;
        }
        return zkr_cli_usage(cli, "unknown option");
    }
    if (optind != argc)
        return zkr_cli_usage(cli, "doctor takes no arguments");
    if ((r = zkr_sandbox_caps_probe(&caps)) != ZKR_OK)
        return zkr_fail(&cli->diag, r, "probing the kernel failed");
    /* three 5-byte records, canonical encoding: u64 count, then u32 length + bytes */
    zkr_store_be64(records, 3);
    for (int i = 0; i < 3; i++) {
        zkr_store_be32(records + 8 + i * 9, 5);
        memcpy(records + 8 + i * 9 + 4, i == 0 ? "alpha" : i == 1 ? "bravo" : "delta", 5);
    }
    doctor_selftest_run("sha256", sample, sizeof sample - 1, &t1);
    doctor_selftest_run("merkle-root", records, sizeof records, &t2);
    doctor_helper_run(cli, &helper);
    zkr_cuda_probe(&cuda);
    j = doctor_report(&caps, &t1, &t2);
    if (j == NULL || json_object_set_new(j, "cuda", doctor_cuda(&cuda)) != 0) {
        json_decref(j);
        return zkr_fail(&cli->diag, ZKR_ERR_NOMEM, "building the report");
    }
    json_object_set_new(j, "pkcs11_helper", doctor_helper_json(&helper));
    if (helper.installed && !helper.ok)
        json_object_set_new(j, "ok", json_false());
    if (cli->json) {
        char *s = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
        if (s != NULL)
            printf("%s\n", s);
        free(s);
    } else {
        doctor_print_text(j, &caps);
        doctor_helper_print(&helper);
        doctor_print_cuda(&cuda);
    }
    json_decref(j);
    if (!caps.seccomp_filter)
        return zkr_fail(&cli->diag, ZKR_ERR_SANDBOX, "seccomp filters are not available");
    if (!t1.ok || !t2.ok)
        return zkr_fail(&cli->diag, ZKR_ERR_SANDBOX, "sandbox self-test failed: %s",
                        t1.ok ? t2.error : t1.error);
    if (helper.installed && !helper.ok)
        return zkr_fail(&cli->diag, ZKR_ERR_SANDBOX, "the PKCS#11 helper is not confined: %s",
                        helper.error);
    return ZKR_OK;
}
