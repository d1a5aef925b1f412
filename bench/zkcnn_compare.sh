#!/bin/sh
# zkCNN and zkreg side by side on LeNet-5 (issue 14): runs zkCNN's LeNet demo
# (TAMUCrypto/zkCNN, built outside this repository) and our
# bench/ginfer_bench (graph-inference@1, proof kind 10) on this machine, one
# after the other in this script, and prints one table: prove, verify and
# proof size for both. Nothing is downloaded and no zkCNN code is kept here.
#
#   bench/zkcnn_compare.sh ZKCNN_TREE [ZKREG_BUILD_DIR]      (default build dir: build)
#   bench/zkcnn_compare.sh - [ZKREG_BUILD_DIR]               zkreg's half only
#   ZKR_COMPARE_RUNS=3 bench/zkcnn_compare.sh ...            zkCNN runs, best kept (default 3)
#
# zkreg's half always runs. Where ZKCNN_TREE is "-" the zkCNN row says it was
# not requested (exit 0); where it is missing or unbuilt the script says
# which file is missing, prints zkreg's half and a zkCNN row "not run", and
# exits 1 (the comparison is incomplete).
# ZKCNN_TREE is a zkCNN checkout with its submodules (3rd/hyrax-bls12-381 and
# its 3rd/mcl), built with
#   cmake -S ZKCNN_TREE -B ZKCNN_TREE/cmake-build-release -DCMAKE_BUILD_TYPE=Release
#   make -C ZKCNN_TREE/cmake-build-release demo_lenet_run
# (libgmp-dev from Debian). docs/bench.md says how it was built here.
#
# zkCNN's sample data archive (data.tar.gz) is not available offline, so its
# demo reads seeded random values of LeNet-5's shapes (one 32x32 image, then
# the 61,706 weights and biases, in the order its reader takes them); proving
# time does not depend on the values. Its LeNet takes 32x32 inputs unpadded,
# ours 28x28 with conv1 padded by 2: the same layer shapes from conv1's
# 6x28x28 output on. zkCNN's figures are its printed totals (GKR plus Hyrax
# polynomial commitment); its verify time leaves out the evaluation of the
# circuit's wiring predicates (../shared/docs/PLATFORM.md). Ours: prove
# excludes the one-time model commitment, shown in its own column.
set -eu
usage() { echo "usage: $0 ZKCNN_TREE|- [ZKREG_BUILD_DIR]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
TREE=$1
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${2:-$SRC/build}
RUNS=${ZKR_COMPARE_RUNS:-3}
case $RUNS in '' | *[!0-9]* | 0) echo "$0: ZKR_COMPARE_RUNS must be a positive integer" >&2; exit 2 ;; esac
GB=$BUILD/bench/ginfer_bench
if [ ! -x "$GB" ]; then
  echo "$0: '$GB' is missing (ninja -C $BUILD bench/ginfer_bench)" >&2
  exit 1
fi
# zkCNN's half: why it cannot run, or empty.
DEMO=$TREE/cmake-build-release/src/demo_lenet_run
absent=
if [ "$TREE" = - ]; then
  absent="not requested (ZKCNN_TREE -)"
elif [ ! -d "$TREE" ]; then
  absent="zkCNN tree '$TREE' does not exist (build TAMUCrypto/zkCNN outside this repository first; see docs/bench.md)"
elif [ ! -x "$DEMO" ]; then
  absent="'$DEMO' is missing: '$TREE' is not a built zkCNN tree (make -C $TREE/cmake-build-release demo_lenet_run)"
fi
[ -z "$absent" ] || [ "$TREE" = - ] || echo "$0: zkCNN not run: $absent" >&2
T=$(mktemp -d /tmp/zkr-zkcnn.XXXXXX)
trap 'rm -rf "$T"' EXIT

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
best_pt= best_vt= best_cpu= ps=
if [ -z "$absent" ]; then
  # One 32x32 image in [0, 1), then weights and biases in [-0.5, 0.5) (seeded).
  awk 'BEGIN { srand(14); for (i = 0; i < 1024; i++) printf "%.6f\n", rand();
               for (i = 0; i < 61706; i++) printf "%.6f\n", rand() - 0.5 }' >"$T/in.csv"
  : >"$T/conf.csv"
  i=0
  while [ $i -lt "$RUNS" ]; do
    i=$((i + 1))
    /usr/bin/time -f '%U %S' -o "$T/zk.cpu" "$DEMO" "$T/in.csv" "$T/conf.csv" "$T/out.csv" 1 \
      >"$T/zk.out" 2>"$T/zk.err" || {
      echo "$0: zkCNN's demo_lenet_run failed:" >&2; cat "$T/zk.err" >&2; exit 1; }
    # The demo prints one line of 16 comma-separated fields; 13-15 (0-based) are
    # total prove s, total verify s, total proof KiB.
    line=$(grep -m1 '^lenet' "$T/zk.out") || { echo "$0: no result line from zkCNN" >&2; cat "$T/zk.out" >&2; exit 1; }
    pt=$(echo "$line" | awk -F', *' '{ print $14 }')
    vt=$(echo "$line" | awk -F', *' '{ print $15 }')
    ps=$(echo "$line" | awk -F', *' '{ print $16 }')
    best_pt=$(awk -v a="$pt" -v b="${best_pt:-$pt}" 'BEGIN { print (a < b ? a : b) }')
    best_vt=$(awk -v a="$vt" -v b="${best_vt:-$vt}" 'BEGIN { print (a < b ? a : b) }')
    cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$T/zk.cpu")
    best_cpu=$(awk -v a="$cpu" -v b="${best_cpu:-$cpu}" 'BEGIN { print (a < b ? a : b) }')
    echo "# zkCNN run $i: prove $pt s, verify $vt s, proof $ps KiB; whole process $cpu s of CPU"
  done
fi

# ginfer_bench 1 lenet5 prints a header and one row; each time is "CPU / wall":
# | LeNet-5 (0.06M) | 1 | native ms | commit, once s | prove s | verify ms | proof KiB |
#   peak RSS MiB | prove incl. commit s |
"$GB" 1 lenet5 >"$T/gb.out" 2>"$T/gb.err" || { echo "$0: ginfer_bench failed:" >&2; cat "$T/gb.err" >&2; exit 1; }
sed 's/^/# ginfer_bench: /' "$T/gb.out"
row=$(grep -m1 '^| LeNet-5 (' "$T/gb.out") || { echo "$0: no LeNet-5 row from ginfer_bench" >&2; exit 1; }
# col N: field N of the row (1-based after the leading |), part 1 (CPU) or 2 (wall) of "a / b unit".
col() {
  echo "$row" | awk -F'|' -v f="$(($1 + 1))" -v k="$2" '{
    v = $f; gsub(/^ +| +$/, "", v); n = split(v, a, " / ");
    if (n == 1) { print v; exit }
    u = a[2]; sub(/^[-0-9.]+ */, "", u); x = a[k]; sub(/ .*$/, "", x); print x " " u }'
}
commit=$(col 4 2) prove=$(col 5 2) verify=$(col 6 2) proof=$(col 7 1) rss=$(col 8 1)
commit_cpu=$(col 4 1) prove_cpu=$(col 5 1) verify_cpu=$(col 6 1)
for v in "$commit" "$prove" "$verify" "$proof" "$commit_cpu" "$prove_cpu" "$verify_cpu"; do
  case $v in [0-9]*) ;; *) echo "$0: cannot read ginfer_bench's row: $row" >&2; exit 1 ;; esac
done

echo
echo "| LeNet-5, 1 image, wall clock | prove | verify | proof size | one-time commitment |"
echo "|---|---|---|---|---|"
if [ -z "$absent" ]; then
  printf '| zkCNN (demo_lenet_run, best of %s) | %.3f s | %.1f ms | %.1f KiB | none (Hyrax commits per proof, inside prove) |\n' \
    "$RUNS" "$best_pt" "$(awk -v v="$best_vt" 'BEGIN { print v * 1000 }')" "$ps"
else
  echo "| zkCNN | not run: $absent | | | |"
fi
printf '| zkreg graph-inference@1 (ginfer_bench, best of 5, 1 thread) | %s | %s | %s | %s |\n' \
  "$prove" "$verify" "$proof" "$commit"
echo
if [ -z "$absent" ]; then
  echo "Process CPU seconds (the stable figure on a loaded machine): zkCNN's whole demo run"
  echo "(reading the CSV, building the circuit, prove and verify) $best_cpu s; zkreg's prove"
else
  echo "Process CPU seconds (the stable figure on a loaded machine): zkreg's prove"
fi
echo "$prove_cpu, verify $verify_cpu, one-time commitment $commit_cpu (ginfer_bench's CPU"
echo "column, all threads summed); zkreg's peak RSS $rss."
[ -z "$absent" ] || [ "$TREE" = - ] || exit 1
