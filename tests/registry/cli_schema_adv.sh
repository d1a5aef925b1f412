#!/usr/bin/env bash
# Adversarial review of register-schema's refusal of schemas no verifier
# here runs (app/register.c schema_runnable), through the real zkreg (TAP):
# - spellings that might slip past the check (case, whitespace, a unicode
#   look-alike, the set's id, a proof-kind spelling) are refused, exit 3,
#   the registry and its store byte-identical; the legacy "1" spellings of
#   set and system still register; a verifier version other than this
#   build's (older, newer, look-alike spellings) is refused likewise;
# - register-batch: store-writing lines before a refused schema line, and
#   the refused line first, leave the registry and its store unchanged;
# - a schema placed as an import from an older registry would bring it
#   (the test hook $ZKREG_TEST_REGISTER_ANY_SET), exported and imported
#   into a second registry: there register-schema and register-batch of the
#   identical document refuse it (exit 3), prove and verify refuse its
#   statement (exit 1), nothing written.
# - a build without test hooks (-Dtest_hooks=false, the Debian package's):
#   the hook is inert, the schema refused as without it.
# Usage: cli_schema_adv.sh PATH/TO/zkreg TEST_HOOKS(true|false)
set -u
Z=$(readlink -f "${1:?usage: cli_schema_adv.sh ZKREG TEST_HOOKS}")
HOOKS=${2:-false}
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-schema-adv-XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$(readlink -f "$0")")/../zk/owner_cli_lib.sh"
cd "$T"
unset ZKREG_TEST_REGISTER_ANY_SET ZKREG_TRUSTED_KEY || true

printf 'pass phrase schema adversary\n' > pass; chmod 600 pass
export ZKREG_PASSPHRASE_FILE=$T/pass
export ZKREG_REGISTRY=$T/r.db
tiny_models
"$Z" init --kdf interactive >/dev/null 2>&1; ok $? "init"

# schema NAME KIND SYSTEM SET [VERIFIER]: writes NAME.json (SET, SYSTEM and VERIFIER as JSON
# string bodies; VERIFIER defaults to this build's version)
schema() { cat > "$1.json" <<J
{"name": "$1", "version": 1, "proof_kind": "$2", "proof_system": "$3",
 "parameter_set": "$4", "verifier_version": "${5:-$VV}", "public_output": true,
 "fields": [{"name": "record_index", "type": "u64"}]}
J
}
SYS=zkreg-sumcheck-basefold
VV=$("$Z" --version | awk '{print $NF}')
listed() { "$Z" list schema 2>/dev/null | grep -q " $1@1 "; }

# --- spellings ------------------------------------------------------------------
schema up inference@2 $SYS Goldilocks-128-R16
run 3 "must be 1..64 characters of [a-z0-9._-]" "a set in capitals (Goldilocks-128-R16)" -- register-schema up.json
schema ws inference@1 $SYS "goldilocks-128 "
run 3 "must be 1..64 characters of [a-z0-9._-]" "a set with a trailing space" -- register-schema ws.json
schema uni inference@2 $SYS 'gold\u0131locks-128-r8'
run 3 "must be 1..64 characters of [a-z0-9._-]" "a set with a dotless i (U+0131)" -- register-schema uni.json
schema kcap Inference@2 $SYS goldilocks-128-r16
run 3 "must be 1..64 characters of [a-z0-9._-]" "proof_kind Inference@2 (capital)" -- register-schema kcap.json
schema kalias inference2 $SYS goldilocks-128-r16
run 3 "proof_kind 'inference2' unknown" "proof_kind inference2 (no alias of inference@2)" -- register-schema kalias.json
# The older proof-system spelling with a '/' is no identifier: no schema can hold it.
schema gl3 inference@1 zkr-sumcheck-basefold-gl3/1 goldilocks-128
run 3 "must be 1..64 characters of [a-z0-9._-]" "proof system zkr-sumcheck-basefold-gl3/1 (not an identifier)" -- register-schema gl3.json
for ps in 2 3 r16 goldilocks-128-r16.0 goldilocks-128-r4 goldilocks-128-r016; do
  schema "id${ps//[.-]/}" inference@2 $SYS "$ps"
  run 3 "parameter set '$ps' unknown" "inference@2 naming set '$ps'" -- register-schema "id${ps//[.-]/}.json"
done
# the legacy "1" under a kind that runs only at goldilocks-128 is set 1; "1" for r8 is not a thing
for k in inference-batch@1 evaluation-fixed@1 evaluation-graph@1 graph-inference@1; do
  schema "k${k//[@-]/}" "$k" $SYS goldilocks-128-r8
  run 3 "is for proof kind inference@2 only" "$k pinning goldilocks-128-r8" -- register-schema "k${k//[@-]/}.json"
done
schema sys2 inference@2 2 goldilocks-128-r8
run 3 "proof system '2' is not this verifier's" "inference@2 under proof system '2'" -- register-schema sys2.json
bad=0; for s in up ws uni kcap kalias gl3 id2 id3 idr16 idgoldilocks128r160 kinferencebatch1 sys2; do
  listed "$s" && bad=1; done
ok $bad "... none of them listed"
# A pinned verifier version other than this build's: no proof under it could be verified or
# attested here (every later use refuses it too), so registration refuses it, nothing written.
vbad=""
for v in 0.1.0 0.2 0.2.0.0 00.2.0 1 9.9.9; do
  nm="vv${v//./_}"; vbad="$vbad $nm"
  schema "$nm" inference@1 $SYS goldilocks-128 "$v"
  run 3 "pins verifier version $v, but this zkreg runs verifier $VV" \
    "inference@1 pinning verifier version '$v' (this build: $VV)" -- register-schema "$nm.json"
done
schema vvsp inference@1 $SYS goldilocks-128 "$VV "
run 3 "must be 1..64 characters of [a-z0-9._-]" "a verifier version with a trailing space" -- register-schema vvsp.json
printf '{"type": "schema", "file": "vv0_1_0.json"}\n' > vv.jsonl
run 3 "line 1: vv0_1_0.json" "... and as a register-batch line" -- register-batch vv.jsonl
bad=0; for s in $vbad vvsp; do listed "$s" && bad=1; done
ok $bad "... none of them listed"
schema vvok inference@1 $SYS goldilocks-128 "$VV"
"$Z" register-schema vvok.json >/dev/null 2>err.txt; ok $? "the same schema pinning this build's verifier $VV registers ($(head -c 200 err.txt))"
schema leg1 inference@1 1 1
"$Z" register-schema leg1.json >/dev/null 2>err.txt; ok $? "the legacy spellings: proof system '1' and set '1' for inference@1 ($(head -c 200 err.txt))"
schema r8ok inference@2 $SYS goldilocks-128-r8
"$Z" register-schema r8ok.json >/dev/null 2>err.txt; ok $? "inference@2 pinning goldilocks-128-r8 ($(head -c 200 err.txt))"

# --- register-batch ordering --------------------------------------------------------
echo "batch program bytes" > bp.bin; echo "batch weights" > bw.bin; printf 'one\ntwo\n' > bd.txt
schema good inference@1 $SYS goldilocks-128
schema bad1 inference@1 $SYS goldilocks-128-r16
cat > mixed.jsonl <<J
{"type": "program", "file": "bp.bin"}
{"type": "model", "file": "bw.bin", "program": "@1"}
{"type": "dataset", "file": "bd.txt"}
{"type": "schema", "file": "good.json"}
{"type": "schema", "file": "bad1.json"}
{"type": "statement", "schema": "@5", "program": "@1", "model": "@2", "dataset": "@3", "params": {"record_index": 0}}
J
run 3 "line 5: bad1.json: schema bad1@1: parameter set 'goldilocks-128-r16' is for proof kind inference@2 only" \
  "register-batch: program, model, dataset and a good schema, then a refused one (store unchanged)" -- register-batch mixed.jsonl
cat > first.jsonl <<J
{"type": "schema", "file": "bad1.json"}
{"type": "program", "file": "bp.bin"}
{"type": "schema", "file": "good.json"}
J
run 3 "line 1: bad1.json" "register-batch: the refused schema line first" -- register-batch first.jsonl
! listed good && ! listed bad1 && [ -z "$("$Z" list program 2>/dev/null | grep bp.bin)" ]
ok $? "... no schema or program of either batch listed"

if [ "$HOOKS" != true ]; then
  ZKREG_TEST_REGISTER_ANY_SET=1 run 3 "is for proof kind inference@2 only" \
    "no test hooks in this build: \$ZKREG_TEST_REGISTER_ANY_SET is inert" -- register-schema bad1.json
  echo "1..$n"
  [ "$failed" = 0 ]
  exit
fi

# --- a schema an older registry's import brings ---------------------------------------
P=$("$Z" --json register-program prog.bin 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
M=$("$Z" --json register-model m.bin --program "$P" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
D=$("$Z" --json register-dataset d-images-idx3-ubyte 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$Z" infer --model-file m.bin --dataset-file d-images-idx3-ubyte --record 1 --output-file o1.bin >/dev/null 2>&1
"$Z" register-schema good.json >/dev/null 2>&1
ZKREG_TEST_REGISTER_ANY_SET=1 "$Z" register-schema bad1.json >/dev/null 2>err.txt
ok $? "(test hook) an inference@1 schema pinning goldilocks-128-r16 placed ($(head -c 200 err.txt))"
SG=$("$Z" register-statement --schema good@1 --program "$P" --model "$M" --dataset "$D" --param record_index=1 --public-output o1.bin 2>/dev/null)
SB=$(ZKREG_TEST_REGISTER_ANY_SET=1 "$Z" register-statement --schema bad1@1 --program "$P" --model "$M" --dataset "$D" --param record_index=1 --public-output o1.bin 2>/dev/null)
[ ${#SG} = 64 ] && [ ${#SB} = 64 ]; ok $? "statements under both"
"$Z" prove --statement "$SG" -o pg.bin >/dev/null 2>err.txt; ok $? "a proof under the good schema ($(head -c 200 err.txt))"
"$Z" export --statement "$SB" -o bad.zkb >/dev/null 2>&1 && "$Z" log key > vkey.txt; ok $? "export of the statement under the placed schema"

export ZKREG_REGISTRY=$T/b.db
"$Z" init --kdf interactive >/dev/null 2>&1
"$Z" import bad.zkb --trusted-key-file vkey.txt >/dev/null 2>err.txt
ok $? "import into a second registry (the registry layer stores any identifier; $(head -c 200 err.txt))"
listed bad1; ok $? "... the schema is held there"
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
state() { { cat b.db b.db-wal 2>/dev/null | sha256sum
            find b.db.d -type f 2>/dev/null | sort -S 1M | xargs -r sha256sum; } | sha256sum | cut -d' ' -f1; }
"$Z" register-program prog.bin >/dev/null 2>&1; "$Z" register-model m.bin --program 1 >/dev/null 2>&1
"$Z" register-dataset d-images-idx3-ubyte >/dev/null 2>&1
run 3 "is for proof kind inference@2 only" "register-schema of the identical document refused there too" -- register-schema bad1.json
printf '{"type": "schema", "file": "bad1.json"}\n' > again.jsonl
run 3 "line 1: bad1.json" "... and as a register-batch line" -- register-batch again.jsonl
"$Z" infer --model-file m.bin --dataset-file d-images-idx3-ubyte --record 2 --output-file o2.bin >/dev/null 2>&1
run 1 "is for proof kind inference@2 only" "register-statement under the imported schema refused (never provable), nothing written" -- register-statement --schema bad1@1 --program 1 --model 1 --dataset 1 --param record_index=2 --public-output o2.bin
printf '{"type": "statement", "schema": "bad1@1", "program": 1, "model": 1, "dataset": 1, "params": {"record_index": 2}, "public_output": "o2.bin"}\n' > st.jsonl
run 1 "is for proof kind inference@2 only" "... and as a register-batch statement line" -- register-batch st.jsonl
run 1 "is for proof kind inference@2 only" "prove of the imported statement refused, no proof written" -- prove --statement "$SB" -o pb.bin
[ ! -e pb.bin ]; ok $? "... no proof file"
run 1 "is for proof kind inference@2 only" "verify of a goldilocks-128 proof against the imported statement" -- verify --statement "$SB" pg.bin

echo "1..$n"
[ "$failed" = 0 ]
