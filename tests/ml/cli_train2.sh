#!/usr/bin/env bash
# training-step@2 (the hiding training step on a private shard, issue 13)
# through the real zkreg on real SQLite files and the real seccomp workers
# (TAP), on a 4-4-2 training program and 2x2 IDX records cut from
# Fashion-MNIST t10k:
# - the data owner commits the shard with `dataset commit --hiding-records`
#   and computes the child on its own machine (its own registry); the
#   appliance registers only the commitment and both public models;
# - prove (train2-prove worker, the owner's shard and secrets), verify and
#   attest (train2-verify worker, every binding from the registry) accept;
# - reject twins: a tampered proof, a truncated one, the proof against a
#   statement for another child, parent, dataset or batch (the mismatch
#   named), a training-step@1 proof for the @2 statement and the @2 proof
#   for an @1 statement, a prover refused before it reserves anything
#   (another child, another dataset's secrets, no secrets); each leaves the
#   registry unchanged and signs nothing;
# - a round on private shards: round open with the @2 schema over the
#   version 3 dataset, the worker's proof accepted by round accept (no
#   record anywhere), a bad update rejected with the reason, round audit;
#   round open over a version 1 dataset with the @2 schema is refused;
# - a round on private shards gated on the public child's evaluation
#   (evaluation-fixed@1 over a version 1 dataset): a version 3 evaluation
#   dataset is refused; the worker proves its step and its child's
#   evaluation, accept verifies both and logs the count, audit re-verifies;
#   an update without an evaluation proof, and one below K carrying the
#   proof made for a lower K, are rejected with the reason logged; a worker
#   whose child is below K is refused before its step proof (no record
#   opening reserved) (the worker's own proofs in the plain build only).
# The sanitizer build passes `quick`: the round worker's own proof (a
# second proof, with --zk-seed) is made in the plain build only; accept
# then judges the proof made by `prove` (the statement the round derives
# for worker 0 is the same statement).
# Usage: cli_train2.sh PATH/TO/zkreg [full|quick]
set -u
QUICK=0; [ "${2:-full}" = quick ] && QUICK=1
Z=$(readlink -f "${1:?usage: cli_train2.sh ZKREG [full|quick]}")
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-train2-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

(umask 077; printf 'owner pass phrase\n' > pass; printf 'key pass phrase\n' > keypass)
export ZKREG_PASSPHRASE_FILE=$T/pass

# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
state() { { cat app.db app.db-wal 2>/dev/null | sha256sum
            find app.db.d -type f 2>/dev/null | sort -S 1M | xargs -r sha256sum; } | sha256sum | cut -d' ' -f1; }
# run EXPECTED_EXIT WORD_IN_STDERR DESCRIPTION -- zkreg args...: a refusal changes nothing.
run() {
  local want=$1 word=$2 what=$3; shift 4
  local before after rc
  before=$(state)
  "$Z" "$@" >out.txt 2>err.txt; rc=$?
  after=$(state)
  if [ "$rc" = "$want" ] && { [ -z "$word" ] || grep -qF -- "$word" err.txt; } &&
     { [ "$want" = 0 ] || [ "$before" = "$after" ]; }; then
    ok 0 "$what (exit $rc)"
  else
    ok 1 "$what: want exit $want naming '$word', got $rc: $(head -c 300 err.txt)"
  fi
}
flip() { cp "$1" "$3"; local b; b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf '%03o' $(( b ^ 1 )))" | dd of="$3" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
be32() { local v=$1; for s in 24 16 8 0; do printf "\\$(printf %03o $(( (v >> s) & 255 )))"; done; }
# mkidx NAME N OFFSET: N 2x2 records cut from t10k at OFFSET, labels (3i+1) mod 2.
mkidx() {
  { printf '\000\000\010\003'; be32 "$2"; be32 2; be32 2
    zcat "$DATA" | tail -c +$((17 + $3)) | head -c $(($2 * 4)); } >"$1-images-idx3-ubyte"
  { printf '\000\000\010\001'; be32 "$2"
    i=0; while [ $i -lt "$2" ]; do printf "\\$(printf %03o $(( (3 * i + 1) % 2 )))"; i=$((i + 1)); done
  } >"$1-labels-idx1-ubyte"
}
mkidx shard 4 5000
mkidx other 4 9000
SHARD=shard-images-idx3-ubyte

# --- the data owner's machine: its own registry, the records in the clear there only ---------
export ZKREG_REGISTRY=$T/owner.db
"$Z" init --kdf interactive >/dev/null 2>&1 &&
  "$Z" train-init --dims 4,4,2 --seed-text t2-cli --out-dir m >/dev/null 2>&1 &&
  "$Z" register-program m/program.zkrprog >/dev/null 2>&1 &&
  "$Z" register-model m/init.zkrtm --program 1 >/dev/null 2>&1 &&
  "$Z" register-dataset "$SHARD" >/dev/null 2>&1 &&
  "$Z" train --model 2 --dataset 3 --batch-size 1 --steps 1 --lr 64 --shift 8 --first-record 1 --name c1 >/dev/null 2>&1 &&
  "$Z" train --model 2 --dataset 3 --batch-size 1 --steps 1 --lr 64 --shift 8 --first-record 2 --name c2 >/dev/null 2>&1
ok $? "owner: the child of record 1 (and of record 2) computed on the owner's machine"
# The two children (models 4 and 5 of the owner's registry), read from its lineage.
C1=$("$Z" --json lineage 4 2>/dev/null | sed -n 's/.*"child":"\([0-9a-f]*\)".*/\1/p' | head -1)
C2=$("$Z" --json lineage 5 2>/dev/null | sed -n 's/.*"child":"\([0-9a-f]*\)".*/\1/p' | head -1)
cp "owner.db.d/models/$C1" c1.zkrtm 2>/dev/null; cp "owner.db.d/models/$C2" c2.zkrtm 2>/dev/null
[ ${#C1} = 64 ] && [ ${#C2} = 64 ] && [ "$C1" != "$C2" ] && [ -s c1.zkrtm ] && [ -s c2.zkrtm ]
ok $? "owner: the two children's files"
"$Z" dataset commit "$SHARD" -o dc.bin --secrets ds.sec --hiding-records --budget 16 --kdf interactive >/dev/null 2>&1 &&
  "$Z" dataset commit other-images-idx3-ubyte -o dc2.bin --secrets ds2.sec --hiding-records --budget 16 --kdf interactive >/dev/null 2>&1
ok $? "owner: dataset commit --hiding-records of the shard (and of another shard)"

# --- the appliance: commitments and public models only -------------------------------------
export ZKREG_REGISTRY=$T/app.db
"$Z" init --kdf interactive >/dev/null 2>&1 &&
  "$Z" register-program m/program.zkrprog >/dev/null 2>&1 &&
  "$Z" register-model m/init.zkrtm --program 1 >/dev/null 2>&1 &&  # 2: the parent
  "$Z" register-model c1.zkrtm --program 1 >/dev/null 2>&1 &&      # 3
  "$Z" register-model c2.zkrtm --program 1 >/dev/null 2>&1 &&      # 4
  "$Z" register-dataset --commitment dc.bin >/dev/null 2>&1 &&     # 5: the private shard
  "$Z" register-dataset --commitment dc2.bin >/dev/null 2>&1 &&    # 6: another shard
  "$Z" register-dataset "$SHARD" >/dev/null 2>&1                   # 7: in the clear (@1 twins)
ok $? "appliance: program, parent and children, both commitments, a version 1 dataset"
schema() { cat >"$1.json" <<JSON
{"name": "$1", "version": 1, "proof_kind": "$2",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": false,
 "fields": [{"name": "child_model", "type": "digest"},
            {"name": "record_indices", "type": "u64-list"},
            {"name": "lr", "type": "u64"}, {"name": "shift", "type": "u64"},
            {"name": "steps", "type": "u64"}]}
JSON
"$Z" register-schema "$1.json" >/dev/null 2>&1; }
schema t2 training-step@2 && schema t1 training-step@1
ok $? "register-schema training-step@2 and training-step@1"
stmt() { # stmt SCHEMA MODEL DATASET CHILD INDICES
  "$Z" register-statement --schema "$1@1" --program 1 --model "$2" --dataset "$3" \
    --param child_model="$4" --param record_indices="$5" --param lr=64 --param shift=8 \
    --param steps=1 2>err.txt | tail -1; }
S=$(stmt t2 2 5 "$C1" 1)
S_CHILD=$(stmt t2 2 5 "$C2" 1)
S_BATCH=$(stmt t2 2 5 "$C1" 2)
S_DS=$(stmt t2 2 6 "$C1" 1)
S_PARENT=$(stmt t2 4 5 "$C1" 1)
[ ${#S} = 64 ] && [ ${#S_CHILD} = 64 ] && [ ${#S_BATCH} = 64 ] && [ ${#S_DS} = 64 ] && [ ${#S_PARENT} = 64 ]
ok $? "training-step@2 statements: the step's and twins for another child, batch, dataset, parent"
run 1 "needs a version 3 dataset" "a training-step@2 statement over a version 1 dataset is refused" -- \
  register-statement --schema t2@1 --program 1 --model 2 --dataset 7 --param child_model="$C1" \
  --param record_indices=1 --param lr=64 --param shift=8 --param steps=1
run 3 "named twice" "a training-step@2 batch naming a record twice is refused" -- \
  register-statement --schema t2@1 --program 1 --model 2 --dataset 5 --param child_model="$C1" \
  --param record_indices=1,1 --param lr=64 --param shift=8 --param steps=1

# --- prove: refusals before anything is reserved ----------------------------------------------
# the registry's reveal-budget ledger (keyed by commitment, however the secrets are named)
ledger() { sha256sum app.db.d/reveal-budget.ledger 2>/dev/null | cut -c1-64; }
L0=$(ledger)
run 2 "dataset-file" "prove without the shard's files is a usage error" -- prove --statement "$S" -o x.zkp
run 1 "does not give the statement's child" "prove for a child the step does not give (nothing reserved)" -- \
  prove --statement "$S_CHILD" -o x.zkp --dataset-file "$SHARD" --dataset-secrets ds.sec
run 1 "secrets of another dataset" "prove with another shard's secrets" -- \
  prove --statement "$S" -o x.zkp --dataset-file "$SHARD" --dataset-secrets ds2.sec
run 1 "do not give dataset" "prove with other records under the shard's secrets" -- \
  prove --statement "$S" -o x.zkp --dataset-file other-images-idx3-ubyte --dataset-secrets ds.sec
run 9 "nothing reserved" "prove to an output path in a missing directory (adversarial review: it spent the batch's openings)" -- \
  prove --statement "$S" -o no-such-dir/x.zkp --dataset-file "$SHARD" --dataset-secrets ds.sec
# Adversarial review (parameter sets): goldilocks-128-r16 is inference@2's only. A training
# schema pinning it registers, but prove, train --prove and round open refuse it before anything
# is reserved, trained or registered (prove spent the batch's openings on an unverifiable proof).
for k in 2 1; do sed -e "s/\"t$k\"/\"t${k}r16\"/" -e 's/"goldilocks-128"/"goldilocks-128-r16"/' t$k.json > t${k}r16.json
  run 3 "is for proof kind inference@2 only" "register-schema of a training-step@$k schema pinning goldilocks-128-r16" -- \
    register-schema t${k}r16.json
  # the test hook places it as an import from an older registry would
  ZKREG_TEST_REGISTER_ANY_SET=1 "$Z" register-schema t${k}r16.json >/dev/null 2>&1 || echo "register-schema t${k}r16 failed"; done
S16=$(export ZKREG_TEST_REGISTER_ANY_SET=1; stmt t2r16 2 5 "$C1" 1)
[ ${#S16} = 64 ]; ok $? "a training-step@2 statement under a schema pinning goldilocks-128-r16"
run 1 "is for proof kind inference@2 only" "prove of the goldilocks-128-r16 training-step@2 statement" -- \
  prove --statement "$S16" -o x.zkp --dataset-file "$SHARD" --dataset-secrets ds.sec
run 1 "is for proof kind inference@2 only" "train --prove under a goldilocks-128-r16 training-step@1 schema" -- \
  train --model 2 --dataset 7 --batch-size 1 --steps 1 --lr 64 --shift 8 --first-record 1 \
  --prove --schema t1r16@1 --out-dir t1r16
run 1 "is for proof kind inference@2 only" "round open with a goldilocks-128-r16 training-step@2 schema" -- \
  round open --model 2 --dataset 5 --workers 2 --first-record 1 --records-per-worker 1 --lr 64 --shift 8 --schema t2r16@1
run 1 "is for proof kind inference@2 only" "round open with a goldilocks-128-r16 training-step@1 schema" -- \
  round open --model 2 --dataset 7 --workers 2 --first-record 1 --records-per-worker 1 --lr 64 --shift 8 --schema t1r16@1
[ ! -e t1r16/step-0.zkp ]; ok $? "... no training-step@1 proof written"
[ ! -e x.zkp ] && [ "$(ledger)" = "$L0" ]; ok $? "... no proof written, no opening reserved"

# --- prove, verify, attest ---------------------------------------------------------------------
"$Z" zk-seed new -o seed.bin --kdf interactive >/dev/null 2>&1
run 0 "" "prove the step in the confined train2-prove worker (--zk-seed)" -- \
  prove --statement "$S" -o p.zkp --dataset-file "$SHARD" --dataset-secrets ds.sec --threads 1 \
  --zk-seed seed.bin
[ -s p.zkp ] && [ "$(ledger)" != "$L0" ]; ok $? "... proof written, one opening reserved in the registry's ledger"
python3 - "$SHARD" p.zkp <<'PY'
import sys
d = open(sys.argv[1], "rb").read()[16:]
p = open(sys.argv[2], "rb").read()
sys.exit(1 if any(d[4 * i:4 * i + 4] in p for i in range(4) if len(set(d[4 * i:4 * i + 4])) > 1) else 0)
PY
ok $? "... no record's bytes appear in the proof file"
run 0 "" "verify in the confined train2-verify worker" -- verify --statement "$S" p.zkp
grep -q "training-step@2" out.txt; ok $? "... reported as training-step@2"
"$Z" key generate --type ed25519 -o ed.key --passphrase-file keypass --kdf interactive >/dev/null 2>&1 &&
  "$Z" key register "file:$T/ed.key" >/dev/null 2>&1
ok $? "a signing key"
run 0 "" "attest verifies in the worker, then signs" -- attest --statement "$S" --proof p.zkp \
  --key "file:$T/ed.key" -o s.att --passphrase-file keypass
K=$("$Z" key public "file:$T/ed.key" --passphrase-file keypass 2>/dev/null | head -1)
run 0 "" "the attestation verifies" -- verify-attestation s.att --trusted-key "$K"
grep -q "$S" s.att 2>/dev/null || python3 -c 'import base64,json,sys; e=json.load(open("s.att")); sys.exit(0 if sys.argv[1] in base64.b64decode(e["payload"]).decode() else 1)' "$S"
ok $? "... it names the statement"

printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["t2@1"],"max_age_seconds":3600,"require_log_inclusion":true,"check_revocation":true}\n' "$K" > policy.json
run 0 "" "gate passes the training-step@2 attestation" -- gate --policy policy.json s.att
sed 's/"t2@1"/"t1@1"/' policy.json > policy1.json
run 1 "" "gate refuses it under a policy for another schema" -- gate --policy policy1.json s.att

# --- reject twins ------------------------------------------------------------------------------
SZ=$(stat -c %s p.zkp)
flip p.zkp $((SZ - 5000)) bad.zkp
run 1 "verification failed" "a tampered proof (one bit of the body)" -- verify --statement "$S" bad.zkp
"$Z" attest --statement "$S" --proof bad.zkp --key "file:$T/ed.key" -o bad.att --passphrase-file keypass >/dev/null 2>err.txt
[ $? = 1 ] && [ ! -e bad.att ]; ok $? "attest refuses the tampered proof (exit 1, nothing signed)"
head -c $((SZ - 7)) p.zkp > trunc.zkp
run 3 "" "a truncated proof" -- verify --statement "$S" trunc.zkp
"$Z" attest --statement "$S" --proof trunc.zkp --key "file:$T/ed.key" -o t.att --passphrase-file keypass >/dev/null 2>&1
[ $? = 3 ] && [ ! -e t.att ]; ok $? "attest refuses the truncated proof (exit 3, nothing signed)"
run 1 "another child model" "the proof against the statement for another child" -- verify --statement "$S_CHILD" p.zkp
run 1 "another parent model" "the proof against the statement for another parent" -- verify --statement "$S_PARENT" p.zkp
run 1 "another dataset" "the proof against the statement for another dataset" -- verify --statement "$S_DS" p.zkp
run 1 "another batch" "the proof against the statement for another batch" -- verify --statement "$S_BATCH" p.zkp
"$Z" attest --statement "$S_CHILD" --proof p.zkp --key "file:$T/ed.key" -o l.att --passphrase-file keypass >/dev/null 2>err.txt
rc=$?
[ $rc = 1 ] && grep -q "child_model" err.txt && [ ! -e l.att ]; ok $? "attest refuses the proof for another child's statement (named, nothing signed)"
# A training-step@1 proof of the same step (records in the clear, the version 1 dataset).
"$Z" train --model 2 --dataset 7 --batch-size 1 --steps 1 --lr 64 --shift 8 --first-record 1 \
  --prove --schema t1@1 --out-dir t1 >out.txt 2>&1
S1=$(sed -n 's/^ *statement \([0-9a-f]\{64\}\).*/\1/p' out.txt | head -1)
[ -s t1/step-0.zkp ]; ok $? "a training-step@1 proof of the same step (version 1 dataset)"
run 1 "not training-step@2" "the training-step@1 proof for the training-step@2 statement" -- verify --statement "$S" t1/step-0.zkp
if [ ${#S1} = 64 ]; then
  before=$(state); "$Z" verify --statement "$S1" p.zkp >/dev/null 2>err.txt; rc=$?
  [ "$rc" != 0 ] && [ "$(state)" = "$before" ]; ok $? "the training-step@2 proof for the training-step@1 statement is refused (exit $rc)"
else
  ok 1 "the training-step@1 statement's id"
fi

# --- a round on private shards -----------------------------------------------------------------
run 1 "version 3" "round open with the @2 schema over a version 1 dataset is refused" -- \
  round open --model 2 --dataset 7 --workers 2 --first-record 1 --records-per-worker 1 --lr 64 --shift 8 --schema t2@1
"$Z" --json round open --model 2 --dataset 5 --workers 2 --first-record 1 --records-per-worker 1 \
  --lr 64 --shift 8 --schema t2@1 >out.txt 2>err.txt
R=$(sed -n 's/.*"round":\([0-9]*\).*/\1/p' out.txt)
[ -n "$R" ]; ok $? "round open on private shards (training-step@2, the version 3 dataset)"
mkdir -p w
if [ $QUICK = 0 ]; then
  run 0 "" "worker 0 proves its private shard (train --round, --zk-seed)" -- train --round "$R" --worker 0 --out-dir w \
    --dataset-file "$SHARD" --dataset-secrets ds.sec --zk-seed seed.bin
  cmp -s w/worker-0.zkrtm c1.zkrtm; ok $? "... its child is the owner's"
  cmp -s w/worker-0.zkp p.zkp; ok $? "... its proof is byte-identical to prove's (same statement, same seed)"
else
  cp c1.zkrtm w/worker-0.zkrtm; cp p.zkp w/worker-0.zkp  # the same statement: prove's proof
fi
run 2 "dataset-secrets" "a private round's worker without its shard's secrets" -- train --round "$R" --worker 1 --out-dir w \
  --dataset-file "$SHARD"
run 9 "nothing reserved" "a private round's worker with a missing --out-dir (adversarial review: it spent the batch's openings)" -- \
  train --round "$R" --worker 1 --out-dir no-such-dir --dataset-file "$SHARD" --dataset-secrets ds.sec
"$Z" --json round accept "$R" --submission 0=w/worker-0.zkrtm,w/worker-0.zkp \
  --submission 1=w/worker-0.zkrtm,w/worker-0.zkp >out.txt 2>err.txt
rc=$?
[ $rc = 0 ] && grep -q '"accepted":1' out.txt; ok $? "round accept: worker 0's update verified without any record (exit $rc)"
grep -q 'proof rejected' out.txt; ok $? "... worker 1's update (worker 0's proof for another shard) rejected with the reason"
run 0 "" "round audit" -- round audit "$R"
run 0 "" "log verify" -- log verify

# --- a gated round on private shards: the public child's evaluation --------------------------
# The gate evaluates the child, which is public: the shard stays private and
# the evaluation dataset must be public (version 1; the appliance proves over
# its records). The training proof's statement does not name the round, so
# prove's p.zkp is worker 0's training proof in every round below.
cat >ev.json <<'JSON'
{"name": "ev", "version": 1, "proof_kind": "evaluation-fixed@1",
 "proof_system": "zkreg-sumcheck-basefold", "parameter_set": "goldilocks-128",
 "verifier_version": "0.2.0", "public_output": true,
 "fields": [{"name": "record_first", "type": "u64"}, {"name": "record_count", "type": "u64"}]}
JSON
"$Z" register-schema ev.json >/dev/null 2>&1; ok $? "register-schema evaluation-fixed@1 (the gate)"
GOPEN="round open --model 2 --dataset 5 --workers 1 --first-record 1 --records-per-worker 1 --lr 64 --shift 8 --schema t2@1 --eval-schema ev@1"
run 1 "needs public records, a version 1 dataset" "a gate on a version 3 evaluation dataset is refused (named)" -- \
  $GOPEN --eval-dataset 6 --min-correct 1
gopen() { "$Z" --json $GOPEN --eval-dataset 7 --min-correct "$1" >out.txt 2>err.txt &&
          sed -n 's/.*"round":\([0-9]*\).*/\1/p' out.txt; }
RQ=$(gopen 1)
[ -n "$RQ" ]; ok $? "a gated round on private shards opens (training-step@2; K = 1 on version 1 dataset 7)"
"$Z" round show "$RQ" >out.txt 2>&1; grep -q 'gate: at least 1 correct' out.txt; ok $? "... round show names the gate"
"$Z" round accept "$RQ" --submission 0=c1.zkrtm,p.zkp >out.txt 2>err.txt; rc=$?
[ $rc = 1 ] && grep -q 'worker 0: REJECTED: no evaluation proof submitted' out.txt
ok $? "accept: the verified private step without its child's evaluation proof is rejected (exit $rc)"
"$Z" round show "$RQ" >out.txt 2>&1; grep -q 'worker 0: rejected: no evaluation proof submitted' out.txt
ok $? "... the reason is in the round-outcome event"
if [ $QUICK = 0 ]; then
  RG=$(gopen 1); mkdir -p g gh
  "$Z" --json train --round "$RG" --worker 0 --out-dir g --dataset-file "$SHARD" --dataset-secrets ds.sec >out.txt 2>err.txt; rc=$?
  CG=$(sed -n 's/.*"eval_correct":\([0-9]*\).*/\1/p' out.txt)
  [ $rc = 0 ] && [ -s g/worker-0.zkp ] && [ -s g/worker-0.eval.zkp ] && [ -n "$CG" ]
  ok $? "gated round: worker 0 proves its private step and its public child's evaluation ($CG of 4 correct, exit $rc)"
  cmp -s g/worker-0.zkrtm c1.zkrtm; ok $? "... its child is the owner's"
  "$Z" round accept "$RG" --submission 0=g/worker-0.zkrtm,g/worker-0.zkp,g/worker-0.eval.zkp >out.txt 2>err.txt; rc=$?
  [ $rc = 0 ] && grep -q "worker 0: ACCEPTED: proof verified for shard 1..1; $CG of 4 evaluation records correct" out.txt
  ok $? "accept: the step verified without any record and the child's evaluation verified (exit $rc)"
  run 0 "" "round audit re-verifies the kept evaluation proof" -- round audit "$RG"
  grep -q "^worker 0: ok: evaluation proof re-verified: $CG of 4 correct" out.txt; ok $? "... one line for worker 0"
  # Below the threshold: K one above the child's count.
  RH=$(gopen $((CG + 1)))
  [ -n "$RH" ]; ok $? "a gated round with K = $((CG + 1)), one above the child's count"
  # The gate is decided before the step (the child is public): a child below K
  # would be rejected, so no step proof spends an opening of its records
  # (found in adversarial review: the step was proven first, one opening of
  # every batch record spent on an update round accept must reject).
  LG=$(ledger)
  "$Z" train --round "$RH" --worker 0 --out-dir gh --dataset-file "$SHARD" --dataset-secrets ds.sec >out.txt 2>err.txt; rc=$?
  [ $rc = 1 ] && grep -q "below the round's $((CG + 1)) correct" err.txt && grep -q "no record opening reserved" err.txt &&
    [ ! -e gh/worker-0.zkp ] && [ ! -e gh/worker-0.eval.zkp ] && [ "$(ledger)" = "$LG" ]
  ok $? "... the worker's child is below K: refused before its step proof, no opening reserved, nothing written (exit $rc)"
  # Its update (the same child and step statement as round $RG's) with the proof made for K = 1.
  "$Z" round accept "$RH" --submission 0=g/worker-0.zkrtm,g/worker-0.zkp,g/worker-0.eval.zkp >out.txt 2>err.txt; rc=$?
  [ $rc = 1 ] && grep -q 'worker 0: REJECTED: evaluation proof rejected' out.txt
  ok $? "accept: the update below K with the evaluation proof made for K = 1 is rejected (exit $rc)"
  "$Z" round show "$RH" >out.txt 2>&1; grep -q 'worker 0: rejected: evaluation proof rejected' out.txt
  ok $? "... the reason is in the round-outcome event"
fi
run 0 "" "log verify after the gated rounds" -- log verify

# --- across the air gap: the statements, proofs and the private round --------------------------
VK=$("$Z" log key 2>/dev/null | head -1)
"$Z" export -o b.bundle >/dev/null 2>err.txt; ok $? "export"
ZKREG_REGISTRY=$T/imp.db "$Z" init --kdf interactive >/dev/null 2>&1
ZKREG_REGISTRY=$T/imp.db "$Z" import b.bundle --trusted-key "$VK" >out.txt 2>err.txt
ok $? "import into a fresh registry (the training-step@2 statements and the round on a version 3 dataset)"
ZKREG_REGISTRY=$T/imp.db "$Z" show statement "$S" >/dev/null 2>&1; ok $? "... the statement is there"
if [ $QUICK = 0 ]; then
  # The gated private round's evaluation proof travels in the bundle (format
  # version 2): an importer that knows the evaluation dataset's file verifies
  # it in the confined worker, keeps it, and round audit passes there.
  grep -q '1 evaluation proof(s) not stored' err.txt && [ ! -e imp.db.d/round-eval ]
  ok $? "... without the evaluation dataset's file the carried evaluation proof is not stored (a note says so)"
  IMP2=$T/imp2.db
  istate() { { cat "$IMP2" "$IMP2-wal" 2>/dev/null | sha256sum
               (cd "$IMP2.d" 2>/dev/null && find . | sort -S 1M && find . -type f | sort -S 1M | xargs -r sha256sum); } |
             sha256sum | cut -d' ' -f1; }
  ZKREG_REGISTRY=$IMP2 "$Z" init --kdf interactive >/dev/null 2>&1 &&
    ZKREG_REGISTRY=$IMP2 "$Z" register-dataset "$SHARD" >/dev/null 2>&1
  ok $? "a second importer, the evaluation dataset's file registered there"
  EL=$(wc -c <g/worker-0.eval.zkp); BL=$(wc -c <b.bundle)
  tail -c "$EL" b.bundle | cmp -s - g/worker-0.eval.zkp; ok $? "... the bundle ends with round $RG's evaluation proof"
  flip b.bundle $((BL - EL / 2)) x.bundle
  before=$(istate)
  ZKREG_REGISTRY=$IMP2 "$Z" import x.bundle --trusted-key "$VK" >out.txt 2>err.txt; rc=$?
  [ $rc = 1 ] && grep -q 'evaluation proof for worker 0 of round-outcome event [0-9]* does not verify' err.txt &&
    [ "$(istate)" = "$before" ]
  ok $? "import with that proof tampered is refused (exit $rc), the importer and its store unchanged"
  head -c $((BL - EL / 2)) b.bundle >x.bundle
  ZKREG_REGISTRY=$IMP2 "$Z" import x.bundle --trusted-key "$VK" >out.txt 2>err.txt; rc=$?
  [ $rc = 3 ] && grep -q 'evaluation proof 0 is truncated' err.txt && [ "$(istate)" = "$before" ]
  ok $? "import of the bundle truncated in that proof is refused (exit $rc), unchanged"
  ZKREG_REGISTRY=$IMP2 "$Z" import b.bundle --trusted-key "$VK" >out.txt 2>err.txt; rc=$?
  [ $rc = 0 ] && grep -q '1 verified and stored' out.txt && cmp -s app.db.d/round-eval/*.zkp "$IMP2.d/round-eval/"*.zkp
  ok $? "import there: the evaluation proof verified and stored, the exporter's bytes (exit $rc)"
  # round audit needs the public models' bytes (register-model of the same files places them).
  mkdir -p "$IMP2.d/models" && cp app.db.d/models/* "$IMP2.d/models/" &&
    ZKREG_REGISTRY=$IMP2 "$Z" log checkpoint >/dev/null 2>&1
  ok $? "... the models' bytes beside it, a checkpoint signed there"
  DG=$("$Z" round show "$RG" 2>/dev/null | sed -n 's/^  digest \([0-9a-f]*\),.*/\1/p')
  IRG=""
  for i in $(ZKREG_REGISTRY=$IMP2 "$Z" list log 2>/dev/null | awk '/round-open/ {print $1}'); do
    ZKREG_REGISTRY=$IMP2 "$Z" round show "$i" 2>/dev/null | grep -q "digest $DG," && IRG=$i
  done
  ZKREG_REGISTRY=$IMP2 "$Z" round audit "${IRG:-none}" >out.txt 2>err.txt; rc=$?
  [ $rc = 0 ] && grep -q "^worker 0: ok: evaluation proof re-verified: $CG of 4 correct" out.txt
  ok $? "round audit of the gated private round on the importer (round $IRG there) re-verifies it (exit $rc)"
fi

# --- revocation: the child revoked, nothing verifies or signs ----------------------------------
"$Z" revoke model 3 --reason "test: the child is withdrawn" >/dev/null 2>&1; ok $? "revoke the child model"
run 6 "revoked" "verify after the child's revocation" -- verify --statement "$S" p.zkp
"$Z" attest --statement "$S" --proof p.zkp --key "file:$T/ed.key" -o r.att --passphrase-file keypass >/dev/null 2>&1
[ $? = 6 ] && [ ! -e r.att ]; ok $? "attest after the child's revocation (exit 6, nothing signed)"

echo "1..$n"
exit $((failed > 0))
