#!/bin/sh
# The verifier must never include prover code (docs/DESIGN.md section 2).
root=${ZKR_SOURCE_ROOT:-.}
echo "1..2"
if grep -rn '"prover/' "$root/verifier" "$root/zk" >/dev/null 2>&1; then
  echo "not ok 1 - verifier/ or zk/ includes prover/"; grep -rn '"prover/' "$root/verifier" "$root/zk"
else
  echo "ok 1 - verifier/ and zk/ include nothing from prover/"
fi
if grep -n "prover" "$root/verifier/meson.build" | grep -v '^[0-9]*:#' | grep -q prover_dep; then
  echo "not ok 2 - verifier links prover_dep"
else
  echo "ok 2 - verifier does not link prover"
fi
