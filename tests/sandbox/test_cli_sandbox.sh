#!/usr/bin/env bash
# zkreg's sandbox through the command line: every forbidden operation and
# every misbehaving reply ends in exit 8 with a clear message, the hidden
# entries stay out of --help, --no-sandbox warns, doctor reports.
# Usage: test_cli_sandbox.sh /path/to/zkreg   (TAP on stdout)
set -u
Z=${1:?usage: $0 ZKREG}
n=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail+1)); fi; }
expect_rc() { # want-rc description cmd...
  local want=$1 what=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  [ $rc = "$want" ]; ok $? "$what (exit $rc, want $want): $(head -c 160 "$tmp/err" | tr '\n' ' ')"
}

"$Z" --help >"$tmp/help"
! grep -q '__' "$tmp/help"; ok $? "--help hides the internal worker entries"
expect_rc 2 "__worker without its arguments refuses (no crash)" "$Z" __worker
[ "$(tail -c 200 "$tmp/err")" != "" ]; ok $? "__worker explains itself"

# every probe under the verifier policy; the prover's own list through the C test, and here
# the operations its extra rules (threads) might be thought to open: fork, execve, ptrace
for probe in openat read-passwd write-file socket connect execve fork ptrace \
             p:fork p:execve p:ptrace; do
  pol=v; case $probe in p:*) pol=p; probe=${probe#p:};; esac
  expect_rc 8 "probe $probe ($pol policy)" "$Z" __sandbox-test "test-probe-$pol" "$probe"
  grep -q 'SIGSYS' "$tmp/err"; ok $? "probe $probe ($pol): message names the seccomp kill"
done
[ ! -e /tmp/zkr-sandbox-probe-write ]; ok $? "the write-file probe created nothing"
# madvise: only the advice the code needs (DONTNEED, what free() uses)
for pol in v p; do
  expect_rc 8 "madvise(MADV_DONTFORK) is killed ($pol policy)" "$Z" __sandbox-test "test-probe-$pol" madvise-dontfork
  grep -q 'SIGSYS' "$tmp/err"; ok $? "madvise-dontfork ($pol): message names the seccomp kill"
  expect_rc 0 "madvise(MADV_DONTNEED) stays allowed ($pol policy)" "$Z" __sandbox-test "test-probe-$pol" madvise-dontneed
done
expect_rc 8 "probe memory over RLIMIT_AS" "$Z" __sandbox-test test-probe-v memory --as-mib 256
grep -q 'RLIMIT_AS' "$tmp/err"; ok $? "memory: message names RLIMIT_AS"
expect_rc 8 "probe cpu over RLIMIT_CPU" "$Z" __sandbox-test test-probe-v cpu --cpu 1 --timeout-ms 20000
grep -q 'CPU limit' "$tmp/err"; ok $? "cpu: message names the CPU limit"
expect_rc 8 "CPU limit holds even when zkreg inherits SIGXCPU ignored" \
  bash -c 'trap "" XCPU; exec "$0" __sandbox-test test-probe-v cpu --cpu 1 --timeout-ms 20000' "$Z"
grep -q 'SIGXCPU' "$tmp/err"; ok $? "inherited SIG_IGN is reset: the worker dies of SIGXCPU"
expect_rc 8 "threads under the verifier policy" "$Z" __sandbox-test test-threads-v x
expect_rc 0 "threads under the prover policy" "$Z" __sandbox-test test-threads-p x

for m in garbage oversize truncated short no-reply exit-3 bad-status bad-msg bad-conf stream crash; do
  expect_rc 8 "misbehaving worker '$m' is rejected" "$Z" __sandbox-test test-misbehave "$m" --timeout-ms 30000
done
expect_rc 8 "a hanging worker is killed at the timeout" "$Z" --json __sandbox-test test-misbehave hang --timeout-ms 300
grep -q '"code":-81' "$tmp/out"; ok $? "hang: --json says ZKR_ERR_TIMEOUT (-81)"
expect_rc 8 "--json on a seccomp kill" "$Z" --json __sandbox-test test-probe-v ptrace
grep -q '"exit_code":8,"class":"sandbox","code":-80' "$tmp/out"; ok $? "--json carries exit 8 / -80: $(cat "$tmp/out")"

want=$(printf 'zkreg' | sha256sum | cut -c1-64)
expect_rc 0 "sha256 worker confined" "$Z" __sandbox-test sha256 zkreg
grep -q "reply: $want" "$tmp/out"; ok $? "confined sha256 equals sha256sum"
grep -q 'confinement: .*seccomp' "$tmp/out"; ok $? "worker reports seccomp confinement"
expect_rc 0 "sha256 worker with --no-sandbox" "$Z" __sandbox-test sha256 zkreg --no-sandbox
grep -q "reply: $want" "$tmp/out"; ok $? "--no-sandbox gives the same bytes"
grep -q 'WARNING: --no-sandbox' "$tmp/err"; ok $? "--no-sandbox prints a warning"
expect_rc 2 "unknown worker kind" "$Z" __sandbox-test no-such-kind
expect_rc 3 "registered kind without code in this build" "$Z" __sandbox-test verify

expect_rc 0 "doctor" "$Z" doctor
grep -q 'self-test sha256 (verifier policy): ok' "$tmp/out"; ok $? "doctor: confined self-test passes"
grep -q 'policy verifier: default kill_process' "$tmp/out"; ok $? "doctor: lists the verifier policy"
expect_rc 0 "doctor --json" "$Z" doctor --json
python3 - "$tmp/out" <<'PY'; ok $? "doctor --json: seccomp, namespaces, landlock, rlimits, policies, self-test"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is True
assert j["seccomp"]["filter"] and j["seccomp"]["actions"]["kill_process"]
assert set(j["namespaces"]) == {"user", "net", "ipc", "mount", "pid"}
assert isinstance(j["landlock"]["abi"], int)
assert j["rlimits_in_force"]["RLIMIT_CORE"]["soft"] == 0
names = [p["name"] for p in j["policies"]]
assert names == ["verifier", "prover", "pkcs11-helper", "prover-cuda"], names
v = {r["syscall"] for r in j["policies"][0]["rules"]}
p = {r["syscall"] for r in j["policies"][1]["rules"]}
g = {r["syscall"] for r in j["policies"][3]["rules"]}
assert v < p and "clone" in p and not ({"openat", "execve", "socket", "ptrace"} & (v | p))
assert p < g and {"openat", "ioctl"} <= g and not ({"execve", "socket", "ptrace"} & g)
assert j["policies"][3]["limits"]["nofile"] == 64, j["policies"][3]["limits"]
assert all(t["ok"] and "seccomp" in t["confinement"] for t in j["self_test"])
assert all("caps-dropped" in t["confinement"] for t in j["self_test"])
PY
# the PKCS#11 helper, live, measured from /proc (zkreg inherits a named socket here)
SSH_AUTH_SOCK=$tmp/agent.sock expect_rc 0 "doctor --json with the helper" "$Z" doctor --json
python3 - "$tmp/out" <<'PY'; ok $? "doctor --json: the live helper is confined (seccomp 2, no caps, one thread, own namespaces, allowlisted environment)"
import json, sys
h = json.load(open(sys.argv[1]))["pkcs11_helper"]
assert h["installed"] and h["ok"], h
for b in ("seccomp", "pidns", "netns", "mntns", "fs-view", "caps-dropped", "no-new-privs"):
    assert b in h["reported"]["confinement"].split(","), (b, h)
m = h["measured"]
assert m["from_proc"] and m["seccomp_mode"] == 2 and m["no_new_privs"] == 1, m
assert m["cap_eff"] == "0x0000000000000000" and m["threads"] == 1, m
assert all(m["namespaces"][k] != "shared" for k in ("pid", "net", "mount", "ipc")), m
assert m["environment"] is None or "SSH_AUTH_SOCK" not in m["environment"], m
PY
ZKREG_PKCS11_RW_PATHS=$tmp expect_rc 8 "doctor: a writable helper path exposing the registry fails" \
  "$Z" --registry "$tmp/zkreg.db" doctor
grep -q 'expose the registry' "$tmp/err"; ok $? "doctor names the exposed registry"
echo "1..$n"
[ $fail = 0 ]
