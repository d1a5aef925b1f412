#!/bin/sh
# verify_speed.sh: inference@2 and training-step@2 verification time, a base
# commit against the working tree, interleaved in one run (docs/bench.md,
# "Verifier speed"). Both sides are release builds (-Dtest_hooks=false) and
# run the benches' verify-only mode (ZKR_BENCH_VERIFY=N: each proof made
# once, zkr_verify_* run N times, the best printed; CPU time with
# ZKR_BENCH_CPU=1). The base side is `git archive BASE` with this tree's
# bench/infer2_bench.c and bench/train2_bench.c (the verify-only mode) put
# in, built once under BASE_DIR.
#
#   bench/verify_speed.sh [BASE [N [ROUNDS]]]     # defaults 3ef2388 20 3
#
# NEW_BUILD (default build-rel) is the tree's release build; BASE_DIR
# (default /tmp/zkr-verify-base-BASE) holds the base source and build.
set -eu

base=${1:-3ef2388}
n=${2:-20}
rounds=${3:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
new=${NEW_BUILD:-$root/build-rel}
bdir=${BASE_DIR:-/tmp/zkr-verify-base-$base}

if [ ! -x "$bdir/build/bench/train2_bench" ]; then
    mkdir -p "$bdir/src"
    git -C "$root" archive "$base" | tar -x -C "$bdir/src"
    cp "$root/bench/infer2_bench.c" "$root/bench/train2_bench.c" "$bdir/src/bench/"
    meson setup "$bdir/build" "$bdir/src" -Dbuildtype=release -Dtest_hooks=false >/dev/null
    nice ninja -C "$bdir/build" bench/infer2_bench bench/train2_bench >/dev/null
fi
if [ ! -d "$new" ]; then
    meson setup "$new" "$root" -Dbuildtype=release -Dtest_hooks=false >/dev/null
fi
nice ninja -C "$new" bench/infer2_bench bench/train2_bench >/dev/null

echo "# verify ms (process CPU, best of $n per run), base $base vs $(git -C "$root" rev-parse --short HEAD)"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ "$r" -le "$rounds" ]; do
    for side in base new; do
        if [ "$side" = base ]; then b=$bdir/build/bench; else b=$new/bench; fi
        ZKR_BENCH_CPU=1 ZKR_BENCH_VERIFY=$n "$b/infer2_bench" 1 |
            awk -v s="$side" -v r="$r" '
                /^\| 784/ { shape = $2 }
                /^\| inference@2/ { split($0, f, "|"); printf "round %s %-4s %-15s %-27s verify %7s ms  proof %8s KiB  bits %s\n", r, s, shape, f[2], f[5], f[6], f[7] }
                /^peak RSS/ { printf "round %s %-4s infer2_bench %s\n", r, s, $0 }'
        ZKR_BENCH_CPU=1 ZKR_BENCH_VERIFY=$n "$b/train2_bench" 1 |
            awk -v s="$side" -v r="$r" '
                /^\| training-step@2/ { split($0, f, "|"); printf "round %s %-4s 784-128-10 b16   %-27s verify %7s ms  proof %8s KiB\n", r, s, "training-step@2", f[4], f[5] }
                /provable bits/ { printf "round %s %-4s training-step@2 %s\n", r, s, $0 }
                /^peak RSS/ { printf "round %s %-4s train2_bench %s\n", r, s, $0 }'
    done
    r=$((r + 1))
done
