#!/bin/sh
# zkreg attest end to end (verify-before-sign, DESIGN.md sections 4 and 8),
# run under tests/hsm/softhsm-setup.sh (a real SoftHSM2 token). One real
# inference@1 proof of statement A (Fashion-MNIST record 7) is presented for
# statements B that differ from A in one binding each: every attempt must be
# refused with its reason and exit code, logged in the registry as an
# "attest-refusal" event, and leave no attestation. Then the accepted paths:
# file Ed25519, file secp256k1 (+EIP-712), PKCS#11 (SoftHSM) and an offline
# wallet (external:eip712) -- each verified with verify-attestation against
# the registry and passed through a gate; byte-identical output for the same
# inputs; revoked statement / artifact / key refused last.
# TAP. Usage: cli_attest.sh ZKREG WALLET
set -u
ZKREG=$1
WALLET=$2
SRC=${ZKR_SOURCE_ROOT:-.}
FIX=$SRC/tests/fixtures/mlp_784_128_10.onnx
DATA=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
MOD=/usr/lib/softhsm/libsofthsm2.so
T=$(mktemp -d /tmp/zkr-attest-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ZKREG_REGISTRY="$T/reg.db"
export ZKREG_ATTEST_TIME=1795000000   # test builds only: a fixed predicate time
unset ZKREG_PASSPHRASE_FILE
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
expect() {
  want=$1; what=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -eq "$want" ]; ok $? "$what (exit $got, want $want)"
  [ "$got" -eq "$want" ] || sed 's/^/# /' "$T/err" "$T/out"
}
sql() { sqlite3 -readonly "$ZKREG_REGISTRY" "$1"; }
count() { sql "select count(*) from log where type='$1'"; }
jget() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2"; }
output_bytes() {
  logits=$(sed -n 's/.*"logits":\[\([^]]*\)\].*/\1/p' "$1")
  arg=$(sed -n 's/.*"argmax":\([0-9]*\).*/\1/p' "$1")
  cnt=$(echo "$logits" | tr ',' '\n' | wc -l)
  printf '\000\000\000'; printf "\\$(printf %03o "$cnt")"
  for v in $(echo "$logits" | tr ',' ' '); do printf "\\$(printf %03o $(( (v + 256) % 256 )))"; done
  printf '\000\000\000'; printf "\\$(printf %03o "$arg")"
}
schema() { # name version verifier
  printf '{"name":"%s","version":%s,"proof_kind":"inference@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"%s","public_output":true,"fields":[{"name":"record_index","type":"u64"}]}\n' "$1" "$2" "$3" >"$T/schema-$2.json"
  # Another verifier's pin is refused by register-schema; the test hook places it as an
  # import from an older registry would bring it.
  if [ "$3" = 0.2.0 ]; then "$ZKREG" register-schema "$T/schema-$2.json" >/dev/null
  else ZKREG_TEST_REGISTER_ANY_SET=1 "$ZKREG" register-schema "$T/schema-$2.json" >/dev/null; fi
}
stmt() { # schema program model dataset record output -> prints statement id
  "$ZKREG" --json register-statement --schema "$1" --program "$2" --model "$3" --dataset "$4" \
    --param record_index="$5" --public-output "$6" | jget statement_id /dev/stdin
}

# ------------------------------------------------------------ the registry
(umask 077; echo "attest-registry-pass" >"$T/regpass"; echo "attest-key-pass" >"$T/keypass")
R="--registry-passphrase-file $T/regpass"
expect 0 "init" "$ZKREG" init --passphrase-file "$T/regpass" --kdf interactive
expect 0 "register-program (ONNX)" "$ZKREG" register-program "$FIX"
expect 0 "register-model (ONNX, calibrated)" "$ZKREG" --json register-model "$FIX" --program 1 \
  --calibrate "$DATA"
MODEL_SHA=$(jget sha256 "$T/out")
expect 0 "register-dataset" "$ZKREG" register-dataset "$DATA"
schema fmnist 1 0.2.0; schema fmnist 2 0.2.0; schema fmnist 3 0.0.9
"$ZKREG" --json infer --model-file "$T/reg.db.d/models/$MODEL_SHA" --dataset-file "$DATA" \
  --record 7 >"$T/infer7.json" 2>/dev/null
output_bytes "$T/infer7.json" >"$T/out7.bin"
cp "$T/out7.bin" "$T/wrong.bin"; printf '\001' | dd of="$T/wrong.bin" bs=1 seek=6 conv=notrunc 2>/dev/null
printf 'another program\n' >"$T/prog2"; printf 'another model\n' >"$T/model2"
printf 'a\nb\nc\n' >"$T/ds2.txt"
P2=$("$ZKREG" --json register-program "$T/prog2" | jget id /dev/stdin)
M2=$("$ZKREG" --json register-model "$T/model2" --program "$P2" | jget id /dev/stdin)
# Another model of program 1 (register-model refuses bytes that are no model of an ONNX
# program): the same ONNX calibrated on other records quantizes to other weights.
M3=$("$ZKREG" --json register-model "$FIX" --program 1 \
  --calibrate /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz | jget id /dev/stdin)
"$ZKREG" --json register-dataset "$T/ds2.txt" >"$T/d2.json" 2>"$T/err"
D2=$(jget id "$T/d2.json")
A=$(stmt fmnist@1 1 2 3 7 "$T/out7.bin")
[ ${#A} -eq 64 ]; ok $? "statement A registered"
expect 0 "prove A" "$ZKREG" prove --statement "$A" -o "$T/pA"

# ------------------------------------------------------------ keys
expect 0 "key generate ed25519" "$ZKREG" key generate --type ed25519 -o "$T/ed.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key generate secp256k1" "$ZKREG" key generate --type secp256k1 -o "$T/k1.key" \
  --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key generate (an unregistered key)" "$ZKREG" key generate --type ed25519 \
  -o "$T/stranger.key" --passphrase-file "$T/keypass" --kdf interactive
expect 0 "key register file ed25519" "$ZKREG" --json key register "file:$T/ed.key"
ED_ID=$(jget keyid "$T/out")
expect 0 "key register again is idempotent" "$ZKREG" --json key register "file:$T/ed.key"
grep -q '"existed":true' "$T/out"; ok $? "... and says it existed"
expect 0 "key register file secp256k1" "$ZKREG" --json key register "file:$T/k1.key"
HSMURI="pkcs11:token=zkr-test;object=k1?module-path=$MOD&pin-source=$ZKR_HSM_DIR/pin"
HSMED="pkcs11:token=zkr-test;object=ed?module-path=$MOD&pin-source=$ZKR_HSM_DIR/pin"
expect 0 "key register pkcs11 secp256k1" "$ZKREG" --json key register "$HSMURI"
expect 0 "key register pkcs11 ed25519" "$ZKREG" --json key register "$HSMED"
WADDR=$("$WALLET" address)
expect 0 "key register a wallet address" "$ZKREG" --json key register "eth:$WADDR"
[ "$(count signer-key)" -eq 5 ]; ok $? "the log holds 5 signer-key events"
ED_PUB=$("$ZKREG" key public "file:$T/ed.key" | head -1)
K1_PUB=$("$ZKREG" key public "file:$T/k1.key" | head -1)
HSM_PUB=$("$ZKREG" key public "$HSMURI" | head -1)
HSMED_PUB=$("$ZKREG" key public "$HSMED" | head -1)
printf '{"chainId":11155111,"verifyingContract":"0x5FbDB2315678afecb367f032d93F642f64180aa3"}\n' >"$T/domain.json"

attest() { # key out [more]
  k=$1; o=$2; shift 2
  "$ZKREG" attest --statement "$STMT" --proof "$T/pA" --key "$k" -o "$o" \
    --passphrase-file "$T/keypass" $R "$@"
}

# ------------------------------------------------------------ laundering
refused() { # want-exit word what statement
  rwant=$1; rword=$2; rwhat=$3; STMT=$4
  before=$(count attest-refusal)
  [ ${#STMT} -eq 64 ]; ok $? "statement B differing in $rwhat registered"
  expect "$rwant" "A's proof presented for B differing in $rwhat is refused" \
    attest "file:$T/ed.key" "$T/laundered.att"
  grep -q "^zkreg attest: $rword: " "$T/err"; ok $? "... with reason '$rword'"
  [ "$(count attest-refusal)" -eq $((before + 1)) ]; ok $? "... logged as a refused attempt"
  [ ! -e "$T/laundered.att" ]; ok $? "... and no attestation file exists"
}
B_PROG=$(stmt fmnist@1 "$P2" "$M2" 3 7 "$T/out7.bin")
B_MODEL=$(stmt fmnist@1 1 "$M3" 3 7 "$T/out7.bin")
B_DATA=$(stmt fmnist@1 1 2 "$D2" 7 "$T/out7.bin")
B_REC=$(stmt fmnist@1 1 2 3 8 "$T/out7.bin")
B_OUT=$(stmt fmnist@1 1 2 3 7 "$T/wrong.bin")
B_SCHEMA=$(stmt fmnist@2 1 2 3 7 "$T/out7.bin")
B_VER=$(stmt fmnist@3 1 2 3 7 "$T/out7.bin")
refused 1 "program mismatch" "program" "$B_PROG"
refused 1 "model mismatch" "model" "$B_MODEL"
refused 1 "dataset mismatch" "dataset" "$B_DATA"
refused 1 "input mismatch" "record/input" "$B_REC"
refused 1 "output mismatch" "public output" "$B_OUT"
refused 1 "schema mismatch" "schema version" "$B_SCHEMA"
refused 1 "verifier version mismatch" "verifier version" "$B_VER"
# Rule 2: rewriting the header to name B does not launder (the transcript was seeded with A).
cp "$T/pA" "$T/prw"
printf '%s' "$B_REC" | xxd -r -p | dd of="$T/prw" bs=1 seek=24 conv=notrunc 2>/dev/null
before=$(count attest-refusal)
expect 1 "A's proof with its header rewritten to name B is refused" "$ZKREG" attest \
  --statement "$B_REC" --proof "$T/prw" --key "file:$T/ed.key" -o "$T/laundered.att" \
  --passphrase-file "$T/keypass" $R
[ "$(count attest-refusal)" -eq $((before + 1)) ] && [ ! -e "$T/laundered.att" ]
ok $? "... logged, no attestation"
cp "$T/pA" "$T/pps"; printf '\002' | dd of="$T/pps" bs=1 seek=19 conv=notrunc 2>/dev/null
expect 1 "a proof whose header names another parameter set is refused" "$ZKREG" attest \
  --statement "$A" --proof "$T/pps" --key "file:$T/ed.key" -o "$T/laundered.att" \
  --passphrase-file "$T/keypass" $R
grep -q "parameter set mismatch" "$T/err"; ok $? "... as a parameter-set mismatch"
sql "select hex(leaf) from log where type='attest-refusal' order by idx desc limit 1" >"$T/leaf"
kidhex=$(printf '%s' "$ED_ID" | xxd -p | tr -d '\n' | tr a-f A-F)
grep -q "$kidhex" "$T/leaf"; ok $? "the refusal event records who (the key id)"
STMT=$A
cp "$T/pA" "$T/pbad"; printf 'Z' | dd of="$T/pbad" bs=1 seek=40000 conv=notrunc 2>/dev/null
expect 1 "a tampered proof is refused" "$ZKREG" attest --statement "$A" --proof "$T/pbad" \
  --key "file:$T/ed.key" -o "$T/bad.att" --passphrase-file "$T/keypass" $R
[ ! -e "$T/bad.att" ]; ok $? "... no attestation"
head -c 3000 "$T/pA" >"$T/ptrunc"
expect 3 "a truncated proof is refused as malformed" "$ZKREG" attest --statement "$A" \
  --proof "$T/ptrunc" --key "file:$T/ed.key" -o "$T/bad.att" --passphrase-file "$T/keypass" $R
expect 7 "an unregistered key is refused" attest "file:$T/stranger.key" "$T/bad.att"
grep -q "not registered" "$T/err"; ok $? "... saying so"
[ ! -e "$T/bad.att" ]; ok $? "... no attestation"
expect 4 "an unknown statement" "$ZKREG" attest --statement 999 --proof "$T/pA" \
  --key "file:$T/ed.key" -o "$T/bad.att" --passphrase-file "$T/keypass" $R
expect 2 "--no-sandbox is refused" attest "file:$T/ed.key" "$T/bad.att" --no-sandbox
[ "$(count attestation)" -eq 0 ]; ok $? "no attestation event after the refusals"

# ------------------------------------------------------------ accepted
policy() { # threshold keys...
  th=$1; shift; ks=$(printf '"%s",' "$@"); ks=${ks%,}
  printf '{"format":"zkreg-policy/v1","trusted_keys":[%s],"threshold":%s,"schemas":["fmnist@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":true}\n' "$ks" "$th" >"$T/policy.json"
}
expect 0 "attest with the file Ed25519 key" attest "file:$T/ed.key" "$T/ed.att"
[ "$(count attestation)" -eq 1 ]; ok $? "the attestation is in the log"
expect 0 "verify-attestation (registry-backed)" "$ZKREG" verify-attestation "$T/ed.att" \
  --trusted-key "$ED_PUB"
grep -q "registry" "$T/out"; ok $? "... checked against the registry"
expect 1 "verify-attestation with the wrong trusted key" "$ZKREG" verify-attestation \
  "$T/ed.att" --trusted-key "$K1_PUB"
expect 0 "a second, unrelated registry" "$ZKREG" --registry "$T/other.db" init \
  --passphrase-file "$T/regpass" --kdf interactive
expect 4 "verify-attestation against a registry without the statement" "$ZKREG" \
  --registry "$T/other.db" verify-attestation "$T/ed.att" --trusted-key "$ED_PUB"
policy 1 "$ED_PUB"
expect 0 "gate 1-of-1 passes" "$ZKREG" gate --policy "$T/policy.json" "$T/ed.att"
expect 0 "attest again with the same inputs" attest "file:$T/ed.key" "$T/ed2.att"
cmp -s "$T/ed.att" "$T/ed2.att"; ok $? "byte-identical attestation for the same inputs"
# A failure after the attestation file was written (test-build hook): the file goes, and a
# file of the caller's it replaced comes back byte for byte; nothing is logged.
printf 'the caller kept this here\n' >"$T/mine.txt"; cp "$T/mine.txt" "$T/mine.orig"
natt=$(count attestation)
expect 9 "attest failing after writing over the caller's file (injected)" \
  env ZKR_TEST_ATTEST_FAIL_COMMIT=1 "$ZKREG" attest --statement "$STMT" --proof "$T/pA" \
  --key "file:$T/ed.key" -o "$T/mine.txt" --passphrase-file "$T/keypass" $R
cmp -s "$T/mine.txt" "$T/mine.orig" && [ -z "$(ls "$T" | grep zkreg-prev)" ]
ok $? "... the caller's file is back, no backup left"
expect 9 "attest failing after writing a new file (injected)" \
  env ZKR_TEST_ATTEST_FAIL_COMMIT=1 "$ZKREG" attest --statement "$STMT" --proof "$T/pA" \
  --key "file:$T/ed.key" -o "$T/new.att" --passphrase-file "$T/keypass" $R
[ ! -e "$T/new.att" ] && [ "$(count attestation)" -eq "$natt" ]
ok $? "... no attestation file, none logged"
expect 0 "attest over an existing file" attest "file:$T/ed.key" "$T/mine.txt"
cmp -s "$T/mine.txt" "$T/ed.att" && [ -z "$(ls "$T" | grep zkreg-prev)" ]
ok $? "... replaced by the attestation, no backup left"
expect 0 "attest with the file secp256k1 key and EIP-712" attest "file:$T/k1.key" "$T/k1.att" \
  --eip712-domain "$T/domain.json"
grep -q '"eip712":{"address":"0x' "$T/k1.att"; ok $? "... carries the EIP-712 companion"
expect 0 "verify-attestation secp256k1" "$ZKREG" verify-attestation "$T/k1.att" \
  --trusted-key "$K1_PUB"
expect 0 "attest --eip712-json prints the typed data" "$ZKREG" attest --statement "$A" \
  --proof "$T/pA" --eip712-json --eip712-domain "$T/domain.json" $R
grep -q '"primaryType":"ZkregAttestation"' "$T/out"; ok $? "... for ZkregAttestation"
grep -q '"checkpointOrigin":"' "$T/out" && grep -q '"version":"2"' "$T/out"
ok $? "... domain version 2, binding the checkpoint origin"
printf '{"chainId":11155111,"verifyingContract":"0x5FbDB2315678afecb367f032d93F642f64180aa3","version":"1"}\n' \
  >"$T/domain-v1.json"
expect 3 "a domain file asking for the version-1 struct is refused" attest "file:$T/k1.key" \
  "$T/k1v1.att" --eip712-domain "$T/domain-v1.json"
[ ! -e "$T/k1v1.att" ]; ok $? "... no attestation"
expect 0 "attest with the PKCS#11 secp256k1 key" attest "$HSMURI" "$T/hsm.att" \
  --eip712-domain "$T/domain.json"
expect 0 "verify-attestation PKCS#11" "$ZKREG" verify-attestation "$T/hsm.att" \
  --trusted-key "$HSM_PUB"
expect 0 "attest with the PKCS#11 Ed25519 key" attest "$HSMED" "$T/hsmed.att"
expect 0 "verify-attestation PKCS#11 Ed25519" "$ZKREG" verify-attestation "$T/hsmed.att" \
  --trusted-key "$HSMED_PUB"
policy 2 "$ED_PUB" "$K1_PUB" "$HSM_PUB"
expect 0 "gate 2-of-3 passes with two keys" "$ZKREG" gate --policy "$T/policy.json" \
  "$T/ed.att" "$T/hsm.att"
expect 1 "gate 2-of-3 with one key twice fails" "$ZKREG" gate --policy "$T/policy.json" \
  "$T/ed.att" "$T/ed2.att"
expect 0 "external:eip712 writes a signing request" "$ZKREG" attest --statement "$A" \
  --proof "$T/pA" --key external:eip712 --address "$WADDR" --eip712-domain "$T/domain.json" \
  -o "$T/req.json" $R
SIG=$("$WALLET" sign "$T/req.json")
expect 0 "attest --import-signature" "$ZKREG" attest --import-signature "$SIG" \
  --request "$T/req.json" -o "$T/wallet.att"
expect 0 "verify-attestation of the wallet attestation" "$ZKREG" verify-attestation \
  "$T/wallet.att" --trusted-key "eth:$WADDR"
policy 1 "eth:$WADDR"
expect 0 "gate passes the wallet attestation" "$ZKREG" gate --policy "$T/policy.json" \
  "$T/wallet.att"
BADSIG=$(printf '%s' "$SIG" | sed 's/^0x1/0x2/; t; s/^0x./0x1/')
expect 1 "a wrong wallet signature is refused" "$ZKREG" attest --import-signature "$BADSIG" \
  --request "$T/req.json" -o "$T/wallet2.att"
[ ! -e "$T/wallet2.att" ]; ok $? "... no attestation"
[ "$(count attestation)" -eq 7 ]; ok $? "seven attestations in the log"

# ------------------------------------------------------------ revocations
policy 1 "$ED_PUB"
expect 0 "revoke the ed25519 key" "$ZKREG" revoke key "$ED_ID" --reason "test: key retired"
expect 6 "attest with the revoked key" attest "file:$T/ed.key" "$T/rk.att"
[ ! -e "$T/rk.att" ]; ok $? "... no attestation"
expect 6 "verify-attestation sees the revoked key" "$ZKREG" verify-attestation "$T/ed.att" \
  --trusted-key "$ED_PUB"
expect 6 "the gate fails on the revoked key" "$ZKREG" gate --policy "$T/policy.json" "$T/ed.att"
expect 0 "revoke the dataset" "$ZKREG" revoke dataset 3 --reason "test: dataset withdrawn"
expect 6 "attest over a revoked artifact" attest "file:$T/k1.key" "$T/rd.att"
[ ! -e "$T/rd.att" ]; ok $? "... no attestation"
expect 0 "revoke statement A" "$ZKREG" revoke statement "$A" --reason "test: claim withdrawn"
expect 6 "attest a revoked statement" attest "file:$T/k1.key" "$T/rs.att"
[ ! -e "$T/rs.att" ]; ok $? "... no attestation"
[ "$(count attestation)" -eq 7 ]; ok $? "still seven attestations in the log"
expect 0 "the log audits clean" "$ZKREG" log verify
echo "1..$n"
exit $fail
