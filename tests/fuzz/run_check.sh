#!/usr/bin/env bash
# fuzz/run's guard against seeds AFL++ would cut (its 1 MiB input limit):
# a target with a seed past it is refused, one without is taken; on a
# scratch corpus (FUZZ_CORPUS) with one seed of exactly 1 MiB and one a
# byte over, and on the committed corpus (ginfer2_net's 4.6 MiB seed).
# TAP output. Needs neither afl++ nor a build: "check" and the refusal
# stop before fuzz/run builds anything.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
run="$root/fuzz/run"
work=$(mktemp -d /tmp/zkreg-fuzzrun.XXXXXX)
trap 'rm -rf "$work"' EXIT
n=0; failed=0
check() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi; }

mkdir -p "$work/c/proof"
head -c $((1024 * 1024)) /dev/zero >"$work/c/proof/at-limit"
FUZZ_CORPUS="$work/c" bash "$run" check proof >"$work/o1" 2>"$work/e1"; rc=$?
check "a seed of exactly 1 MiB is taken (exit 0)" '[ $rc -eq 0 ] && grep -q "takes every seed" "$work/o1"'
head -c $((1024 * 1024 + 1)) /dev/zero >"$work/c/proof/over-limit"
FUZZ_CORPUS="$work/c" bash "$run" check proof >"$work/o2" 2>"$work/e2"; rc=$?
check "a seed one byte past 1 MiB is refused (exit 2)" '[ $rc -eq 2 ]'
check "the refusal names the seed, its size and libFuzzer" \
  'grep -q "over-limit is 1048577 bytes" "$work/e2" && grep -q libFuzzer "$work/e2"'
FUZZ_CORPUS="$work/c" bash "$run" proof 5 >"$work/o3" 2>"$work/e3"; rc=$?
check "a campaign on that target is refused too (exit 2, the same reason)" \
  '[ $rc -eq 2 ] && grep -q "past AFL++" "$work/e3"'
bash "$run" check ginfer2_net >/dev/null 2>"$work/e4"; rc=$?
check "the committed ginfer2_net seed (4.6 MiB) is refused" '[ $rc -eq 2 ] && grep -q gen-small-cnn "$work/e4"'
bash "$run" check proof >"$work/o5" 2>/dev/null; rc=$?
check "the committed proof seeds are taken" '[ $rc -eq 0 ]'
FUZZ_CORPUS="$work/missing" bash "$run" check proof >/dev/null 2>"$work/e7"; rc=$?
check "a FUZZ_CORPUS that is not a folder is a usage error (exit 2), not an empty campaign" \
  '[ $rc -eq 2 ] && grep -q "is not a folder" "$work/e7"'
bash "$run" check no_such_target >/dev/null 2>"$work/e6"; rc=$?
check "an unknown target is a usage error (exit 2)" '[ $rc -eq 2 ] && grep -q "unknown target" "$work/e6"'
echo "1..$n"
exit $failed
