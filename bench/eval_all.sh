#!/bin/sh
# eval_all.sh: issue 15's evaluation rows in one run, one table per proof
# kind: evaluation@1 of 784-128-10 over 1,000 and 10,000 Fashion-MNIST test
# records at 1 and 2 threads (bench/eval_bench), then evaluation-graph@1 of
# LeNet-5 over 64 and 256 records at 1 and 2 threads (bench/geval_bench).
# Every row runs in its own process (its own peak RSS). Prove, verify,
# proof size, peak RSS and the amortized prove time per inference beside
# EZKL's published 2.66 s for one 784-56-10 inference; the load average
# before and after, since the machine may be shared.
#
#   meson setup build-rel -Dbuildtype=release -Dtest_hooks=false
#   ninja -C build-rel bench/eval_bench bench/geval_bench
#   bench/eval_all.sh [BUILD_DIR]            # default build-rel
#
# EVAL_COUNTS and GEVAL_COUNTS (space-separated) override the record counts.
set -eu
B=${1:-build-rel}
for t in eval_bench geval_bench; do
  if [ ! -x "$B/bench/$t" ]; then
    echo "eval_all.sh: $B/bench/$t is missing (ninja -C $B bench/$t)" >&2
    exit 2
  fi
done
echo "# evaluation rows, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
ZKR_BENCH_CPU=1 "$B/bench/eval_bench" 1,2 ${EVAL_COUNTS:-1000 10000}
echo
echo "evaluation-graph@1, LeNet-5 (random weights; EZKL: 2.66 s for one 784-56-10 inference, published)"
echo
for th in 1 2; do
  # shellcheck disable=SC2086
  ZKR_BENCH_CPU=1 "$B/bench/geval_bench" "$th" ${GEVAL_COUNTS:-64 256} |
    awk '{ print } /per inference/ { split($0, a, "CPU-ms per"); n = split(a[1], b, " ");
           ms = b[n]; if (ms > 0) printf "  (EZKL 2.66 s / ours: %.0fx per inference, CPU)\n", 2660 / ms }'
done
echo
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
