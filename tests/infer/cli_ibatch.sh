#!/bin/bash
# inference-batch@1 through the real zkreg binary and a real SQLite
# registry, on 40-record IDX datasets cut from Fashion-MNIST t10k and the
# shipped 784-128-10 ONNX fixture: `infer --first --count --output-file`
# writes the batch output, register-statement --public-output-from-model
# binds the same bytes (and prints them), prove -> verify ok with the
# amortised time per inference, deterministic bytes; refused: one output
# byte changed (prove writes nothing, verify exit 1), records 0..7
# presented for 0..15, another dataset, another model, a tampered and a
# truncated proof, malformed batch-output files and outputs over a range
# or a logit count other than the ones prove/verify read (registry unchanged);
# attest, gate (the batch attestation passes the existing rules) and
# export/import. TAP. Usage: cli_ibatch.sh zkreg
set -u
ZKREG=$1
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
FM=/usr/share/datasets/fashion-mnist
T=$(mktemp -d /tmp/zkr-ibatch-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ZKREG_REGISTRY="$T/reg.db"
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
expect() {
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -eq "$want" ]; ok $? "$what (exit $got, want $want)"
  [ "$got" -eq "$want" ] || sed 's/^/# /' "$T/err"
}
refuse() { # refused and the registry file byte-identical
  want=$1; what=$2; shift 2
  before=$(sha256sum <"$T/reg.db")
  expect "$want" "$what" "$@"
  [ "$(sha256sum <"$T/reg.db")" = "$before" ]; ok $? "... the registry file is unchanged"
}
be32() { printf "\\$(printf %03o $(( ($1 >> 24) & 255 )))\\$(printf %03o $(( ($1 >> 16) & 255 )))\\$(printf %03o $(( ($1 >> 8) & 255 )))\\$(printf %03o $(( $1 & 255 )))"; }
cut_idx() { # first count name -> $T/name-{images-idx3,labels-idx1}-ubyte
  { printf '\000\000\010\003'; be32 "$2"; be32 28; be32 28
    zcat "$FM/t10k-images-idx3-ubyte.gz" | tail -c +$((17 + $1 * 784)) | head -c $(($2 * 784)); } \
    >"$T/$3-images-idx3-ubyte"
  { printf '\000\000\010\001'; be32 "$2"
    zcat "$FM/t10k-labels-idx1-ubyte.gz" | tail -c +$((9 + $1)) | head -c "$2"; } \
    >"$T/$3-labels-idx1-ubyte"
}
hex() { od -An -tx1 "$1" | tr -d ' \n'; }
cut_idx 0 40 small
cut_idx 40 40 other

(umask 077; echo "ibatch-test-passphrase" >"$T/pass"; echo "ibatch-key-pass" >"$T/keypass")
R="--registry-passphrase-file $T/pass"
expect 0 "init" "$ZKREG" init --passphrase-file "$T/pass" --kdf interactive
expect 0 "register-program" "$ZKREG" register-program "$FIX"
expect 0 "register-model (calibrated on the small set)" "$ZKREG" register-model "$FIX" \
  --program 1 --calibrate "$T/small-images-idx3-ubyte"
expect 0 "register-dataset small (40 records)" "$ZKREG" register-dataset "$T/small-images-idx3-ubyte"
expect 0 "register-dataset other (40 records)" "$ZKREG" register-dataset "$T/other-images-idx3-ubyte"
expect 0 "register-model (calibrated on the other set: another model)" "$ZKREG" register-model \
  "$FIX" --program 1 --calibrate "$T/other-images-idx3-ubyte"
printf '{"name":"ib","version":1,"proof_kind":"inference-batch@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"0.2.0","public_output":true,"fields":[{"name":"record_first","type":"u64"},{"name":"record_count","type":"u64"}]}\n' >"$T/ib.json"
expect 0 "register-schema ib@1 (inference-batch@1)" "$ZKREG" register-schema "$T/ib.json"
stmt() { # model dataset first count [extra...] -> statement id on stdout
  m=$1 d=$2 f=$3 c=$4; shift 4
  "$ZKREG" register-statement --schema ib@1 --program 1 --model "$m" --dataset "$d" \
    --param record_first="$f" --param record_count="$c" "$@"
}

# ---- the batch output ----------------------------------------------------
expect 0 "infer --first 0 --count 8 --output-file" "$ZKREG" infer --model 2 --dataset 3 \
  --first 0 --count 8 --output-file "$T/o8.bin"
[ "$(wc -c <"$T/o8.bin")" -eq $((25 + 80)) ] && [ "$(head -c 5 "$T/o8.bin" | od -An -tx1 | tr -d ' ')" = "5a4b494201" ]
ok $? "... 25 + 8 x 10 bytes, magic ZKIB, version 1"
"$ZKREG" infer --model 2 --dataset 3 --record 5 --output-file "$T/i5.bin" >/dev/null
[ "$(tail -c +$((26 + 50)) "$T/o8.bin" | head -c 10 | od -An -tx1)" = "$(tail -c +5 "$T/i5.bin" | head -c 10 | od -An -tx1)" ]
ok $? "... record 5's logits equal infer --record 5's"
expect 2 "infer --first without --count" "$ZKREG" infer --model 2 --dataset 3 --first 0
expect 2 "infer --record with --first" "$ZKREG" infer --model 2 --dataset 3 --record 1 --first 0 \
  --count 2
expect 3 "infer --first 35 --count 10 (past the end)" "$ZKREG" infer --model 2 --dataset 3 \
  --first 35 --count 10 --output-file "$T/none.bin"
[ ! -e "$T/none.bin" ]; ok $? "... writes no file"

# ---- register-statement ------------------------------------------------
expect 0 "register-statement --public-output-from-model (records 0..7)" stmt 2 3 0 8 \
  --public-output-from-model
S8=$(tail -1 "$T/out")
grep -q "bound public output $(hex "$T/o8.bin")" "$T/err" && grep -q "records 0..7: 8 x 10 logits" "$T/err"
ok $? "... prints what it bound: infer --output-file's bytes"
expect 0 "register-statement --public-output FILE (records 0..15)" "$ZKREG" infer --model 2 \
  --dataset 3 --first 0 --count 16 --output-file "$T/o16.bin"
S16=$(stmt 2 3 0 16 --public-output "$T/o16.bin" 2>/dev/null | tail -1)
SD=$(stmt 2 4 0 8 --public-output-from-model 2>/dev/null | tail -1)
SM=$(stmt 5 3 0 8 --public-output-from-model 2>/dev/null | tail -1)
[ ${#S8} -eq 64 ] && [ ${#S16} -eq 64 ] && [ ${#SD} -eq 64 ] && [ ${#SM} -eq 64 ]
ok $? "statements for 0..15, another dataset and another model registered"
cp "$T/o8.bin" "$T/o8x.bin"; printf '\177' | dd of="$T/o8x.bin" bs=1 seek=40 conv=notrunc 2>/dev/null
cmp -s "$T/o8.bin" "$T/o8x.bin" && printf '\176' | dd of="$T/o8x.bin" bs=1 seek=40 conv=notrunc 2>/dev/null
SX=$(stmt 2 3 0 8 --public-output "$T/o8x.bin" 2>/dev/null | tail -1)
[ ${#SX} -eq 64 ]; ok $? "a statement with one output byte changed registers (well-formed)"
head -c 60 "$T/o8.bin" >"$T/short.bin"
refuse 3 "a truncated batch-output file is refused" stmt 2 3 0 8 --public-output "$T/short.bin"
grep -q "not a batch public output" "$T/err"; ok $? "... with a clear error"
{ cat "$T/o8.bin"; printf 'x'; } >"$T/long.bin"
refuse 3 "a batch-output file with a trailing byte is refused" stmt 2 3 0 8 --public-output "$T/long.bin"
{ printf 'ZKIB\002'; tail -c +6 "$T/o8.bin"; } >"$T/v2.bin"
refuse 3 "a batch-output file of version 2 is refused" stmt 2 3 0 8 --public-output "$T/v2.bin"
"$ZKREG" infer --model 2 --dataset 3 --record 0 --output-file "$T/i0.bin" >/dev/null
refuse 3 "an inference@1 output for a batch schema is refused" stmt 2 3 0 1 --public-output "$T/i0.bin"
refuse 3 "the 0..7 output for a statement of records 0..15 is refused" stmt 2 3 0 16 \
  --public-output "$T/o8.bin"
grep -q "covers records 0..+8" "$T/err"; ok $? "... naming both ranges"
refuse 3 "--public-output-from-model past the end" stmt 2 3 35 10 --public-output-from-model
# The range prove/verify read: record_count absent means to the dataset's end; inside the dataset.
sed 's/"name":"ib"/"name":"ibf"/; s/,{"name":"record_count","type":"u64"}//' "$T/ib.json" >"$T/ibf.json"
expect 0 "register-schema ibf@1 (inference-batch@1, record_first only: to the end)" \
  "$ZKREG" register-schema "$T/ibf.json"
refuse 3 "the 0..7 output for record_first 0 without record_count (records 0..39) is refused" \
  "$ZKREG" register-statement --schema ibf@1 --program 1 --model 2 --dataset 3 \
  --param record_first=0 --public-output "$T/o8.bin"
grep -q "of dataset 3's 40 records" "$T/err"; ok $? "... naming the dataset's records"
cp "$T/o8.bin" "$T/o35.bin"; printf '\043' | dd of="$T/o35.bin" bs=1 seek=12 conv=notrunc 2>/dev/null
refuse 3 "an output stating records 35..42 of a 40-record dataset is refused" stmt 2 3 35 8 \
  --public-output "$T/o35.bin"
{ printf 'ZKIB\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\020\000\000\000\005'
  tail -c 80 "$T/o8.bin"; } >"$T/od5.bin"
refuse 3 "an output of 16 records x 5 logits for a 10-logit program is refused" stmt 2 3 0 16 \
  --public-output "$T/od5.bin"
grep -q "states 5 logits per record, the program's last layer has 10" "$T/err"; ok $? "... naming both"
"$ZKREG" infer --model 2 --dataset 3 --first 32 --count 8 --output-file "$T/o32.bin" >/dev/null
expect 0 "the 32..39 output for record_first 32 without record_count registers" \
  "$ZKREG" register-statement --schema ibf@1 --program 1 --model 2 --dataset 3 \
  --param record_first=32 --public-output "$T/o32.bin"
S32=$(tail -1 "$T/out")
expect 0 "... and proves" "$ZKREG" prove --statement "$S32" -o "$T/p32"
expect 0 "... and verifies (prove/verify read the range as register-statement did)" \
  "$ZKREG" verify --statement "$S32" "$T/p32"

# ---- prove / verify ----------------------------------------------------
expect 0 "prove records 0..7" "$ZKREG" --json prove --statement "$S8" -o "$T/p8"
grep -q '"records":8' "$T/out" && grep -q '"seconds_per_inference"' "$T/out"
ok $? "... reports 8 records and the amortised time per inference"
expect 0 "verify it" "$ZKREG" --json verify --statement "$S8" "$T/p8"
grep -q '"kind":"inference-batch@1"' "$T/out"; ok $? "... verify names inference-batch@1"
expect 0 "prove again" "$ZKREG" prove --statement "$S8" -o "$T/p8b"
cmp -s "$T/p8" "$T/p8b"; ok $? "the proof bytes are identical on a second run"
expect 1 "one output byte changed: the prover refuses" "$ZKREG" prove --statement "$SX" -o "$T/px"
grep -q "differ from the statement's public output" "$T/err"; ok $? "... naming the output"
[ ! -e "$T/px" ]; ok $? "... and writes no proof"
expect 1 "the honest proof presented for the changed output" "$ZKREG" verify --statement "$SX" "$T/p8"
grep -q "statement\|output" "$T/err"; ok $? "... names the mismatch (the proof names another statement)"
expect 1 "the proof of records 0..7 presented for 0..15" "$ZKREG" verify --statement "$S16" "$T/p8"
expect 1 "... for another dataset" "$ZKREG" verify --statement "$SD" "$T/p8"
expect 1 "... for another model" "$ZKREG" verify --statement "$SM" "$T/p8"
cp "$T/p8" "$T/bad"; printf 'Z' | dd of="$T/bad" bs=1 seek=40000 conv=notrunc 2>/dev/null
expect 1 "a tampered proof is rejected" "$ZKREG" verify --statement "$S8" "$T/bad"
head -c 5000 "$T/p8" >"$T/trunc"
expect 3 "a truncated proof is malformed" "$ZKREG" verify --statement "$S8" "$T/trunc"

# ---- attest, gate, export/import ---------------------------------------
expect 0 "key generate ed25519" "$ZKREG" key generate --type ed25519 -o "$T/ed.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key register" "$ZKREG" key register "file:$T/ed.key"
ED_PUB=$("$ZKREG" key public "file:$T/ed.key" | head -1)
expect 0 "attest the verified batch" "$ZKREG" attest --statement "$S8" --proof "$T/p8" \
  --key "file:$T/ed.key" -o "$T/b.att" --passphrase-file "$T/keypass" $R
expect 1 "attest refuses the proof laundered to records 0..15" "$ZKREG" attest \
  --statement "$S16" --proof "$T/p8" --key "file:$T/ed.key" -o "$T/l.att" \
  --passphrase-file "$T/keypass" $R
expect 1 "attest refuses the proof for the changed output" "$ZKREG" attest --statement "$SX" \
  --proof "$T/p8" --key "file:$T/ed.key" -o "$T/l.att" --passphrase-file "$T/keypass" $R
grep -q "output mismatch" "$T/err"; ok $? "... with reason 'output mismatch'"
[ ! -e "$T/l.att" ]; ok $? "... and no attestation file exists"
printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["ib@*"],"max_age_seconds":100000000,"require_log_inclusion":true,"check_revocation":true}\n' \
  "$ED_PUB" >"$T/policy.json"
expect 0 "gate passes the batch attestation" "$ZKREG" gate --policy "$T/policy.json" "$T/b.att"
sed 's/"ib@\*"/"other@*"/' "$T/policy.json" >"$T/policy2.json"
expect 1 "gate refuses it under a policy without its schema" "$ZKREG" gate \
  --policy "$T/policy2.json" "$T/b.att"
expect 0 "export the batch statement" "$ZKREG" export --statement "$S8" -o "$T/one.zkb"
VKEY=$("$ZKREG" log key)
expect 0 "another appliance" "$ZKREG" --registry "$T/air.db" init --passphrase-file "$T/pass" \
  --kdf interactive
expect 0 "import the bundle there" "$ZKREG" --registry "$T/air.db" import "$T/one.zkb" \
  --trusted-key "$VKEY"
"$ZKREG" --registry "$T/air.db" --json show statement "$S8" >"$T/show" 2>&1
grep -q "$(sha256sum "$T/o8.bin" | cut -c1-64)" "$T/show"; ok $? "... the imported statement binds the same output"
echo "1..$n"
exit $fail
