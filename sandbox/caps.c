/*
 * What the kernel offers, measured by trying it: seccomp actions through
 * SECCOMP_GET_ACTION_AVAIL, namespaces by unshare() in throw-away
 * children, Landlock by its version query.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox/sandbox_int.h"

#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_RET_LOG
#define SECCOMP_RET_LOG 0x7ffc0000U
#endif

static int zkr_caps_action(uint32_t action)
{
    return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

/* Forks a child that tries unshare(flags); 1 if it worked. */
static int zkr_caps_unshare(int flags)
{
    int st = 0;
    pid_t pid = fork();

    if (pid < 0)
        return 0;
    if (pid == 0)
        _exit(unshare(flags) == 0 ? 0 : 1);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

zkr_err zkr_sandbox_caps_probe(zkr_sandbox_caps *out)
{
    long errata;

    memset(out, 0, sizeof *out);
    /* PR_GET_SECCOMP answers 0 outside any filter; EINVAL means no seccomp at all */
    out->seccomp_filter = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 &&
                          zkr_caps_action(SECCOMP_RET_ALLOW);
    out->libseccomp_api = seccomp_api_get();
    out->act_kill_process = zkr_caps_action(SECCOMP_RET_KILL_PROCESS);
    out->act_kill_thread = zkr_caps_action(SECCOMP_RET_KILL_THREAD);
    out->act_trap = zkr_caps_action(SECCOMP_RET_TRAP);
    out->act_errno = zkr_caps_action(SECCOMP_RET_ERRNO);
    out->act_user_notif = zkr_caps_action(SECCOMP_RET_USER_NOTIF);
    out->act_trace = zkr_caps_action(SECCOMP_RET_TRACE);
    out->act_log = zkr_caps_action(SECCOMP_RET_LOG);
    out->act_allow = zkr_caps_action(SECCOMP_RET_ALLOW);
    out->userns = zkr_caps_unshare(CLONE_NEWUSER);
    out->netns = zkr_caps_unshare(CLONE_NEWUSER | CLONE_NEWNET) || zkr_caps_unshare(CLONE_NEWNET);
    out->ipcns = zkr_caps_unshare(CLONE_NEWUSER | CLONE_NEWIPC) || zkr_caps_unshare(CLONE_NEWIPC);
    out->mntns = zkr_caps_unshare(CLONE_NEWUSER | CLONE_NEWNS) || zkr_caps_unshare(CLONE_NEWNS);
    out->pidns = zkr_caps_unshare(CLONE_NEWUSER | CLONE_NEWPID) || zkr_caps_unshare(CLONE_NEWPID);
    out->landlock_abi = zkr_sandbox_landlock_abi();
    errata = out->landlock_abi > 0 ? syscall(SYS_landlock_create_ruleset, NULL, 0, 2u) : -1;
    out->landlock_errata = errata < 0 ? 0 : (int)errata;
    out->sanitizer_build = ZKR_SANDBOX_ASAN;
    return ZKR_OK;
}
