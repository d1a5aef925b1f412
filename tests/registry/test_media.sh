#!/usr/bin/env bash
# Registries on read-only media and on a full disk, with the real zkreg
# (TAP; needs root for a read-only bind mount and a small tmpfs, as in CI).
# - read-only commands work from a read-only bind mount (immutable=1, with
#   a notice) and from a full tmpfs; writing commands fail with exit 9 and
#   a message naming the file system; nothing changes;
# - `zkreg archive` writes a self-contained file that read-only media serve
#   in place; a write-ahead log holding changes is refused by name.
# Mounts are undone on every path (trap).
# Usage: test_media.sh PATH/TO/zkreg
set -u
Z=$(readlink -f "${1:?usage: test_media.sh ZKREG}")
SRC=$(readlink -f "${ZKR_SOURCE_ROOT:-$(dirname "$0")/../..}")
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-media-XXXXXX")
MOUNTS=""
BG=""
EDPUB=""
ROUND=""
cleanup() {
  for p in $BG; do kill -9 "$p" 2>/dev/null; done
  for m in $MOUNTS; do umount -l "$m" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

printf 'pass phrase media\n' > pass; chmod 600 pass
export ZKREG_PASSPHRASE_FILE=$T/pass
unset ZKREG_REGISTRY ZKR_TEST_PAUSE_FIFO ZKR_TEST_PAUSE_AT ZKR_TEST_PAUSE_SKIP || true

ro_mount() { # SRC DST: a read-only bind mount
  mkdir -p "$2" && mount --bind "$1" "$2" && MOUNTS="$2 $MOUNTS" && mount -o remount,ro,bind "$2"
}

# A registry with one of everything the read-only commands show.
populate() {
  local r=$1
  "$Z" --registry "$r" init --kdf interactive >/dev/null 2>&1 &&
  echo "program" > "$T/p" && echo "weights" > "$T/w" && printf 'a\nb\n' > "$T/d.txt" &&
  "$Z" --registry "$r" register-program "$T/p" >/dev/null &&
  "$Z" --registry "$r" register-model "$T/w" --program 1 >/dev/null &&
  "$Z" --registry "$r" register-dataset "$T/d.txt" >/dev/null &&
  "$Z" --registry "$r" log checkpoint >/dev/null
}

# check_reads REG NOTICE(0|1) WHERE: every read-only command exits 0; the notice as expected.
check_reads() {
  local r=$1 want=$2 where=$3 c rc bad=0
  for c in "list program" "list log" "show model 2" "show log 0" "show appliance" "log verify" \
           "log key" "log inclusion 1" "lineage 2" "dataset prove-record 3 0"; do
    # shellcheck disable=SC2086
    "$Z" --registry "$r" $c >out.txt 2>err.txt; rc=$?
    if [ "$rc" != 0 ]; then bad=1; echo "# $where: zkreg $c: exit $rc: $(head -c 300 err.txt | tr "\n" " ")"; fi
    if [ "$want" = 1 ] && ! grep -q "immutable=1" err.txt; then bad=1; echo "# $where: zkreg $c: no notice"; fi
    if [ "$want" = 0 ] && grep -q "immutable=1" err.txt; then bad=1; echo "# $where: zkreg $c: unexpected notice"; fi
  done
  return $bad
}

# An attestation and a closed training round too, for verify-attestation, gate, round show/audit.
jget() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -n1; }
FM=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
populate_rich() {
  local r=$1 logits arg cnt
  export ZKREG_REGISTRY=$r ZKREG_ATTEST_TIME=1795000000
  printf 'key pass\n' > "$T/kp"; chmod 600 "$T/kp"
  "$Z" register-program "$SRC/tests/fixtures/mlp_784_128_10.onnx" &&
  "$Z" --json register-model "$SRC/tests/fixtures/mlp_784_128_10.onnx" --program 4 --calibrate "$FM" > "$T/m.json" &&
  FMID=$("$Z" --json register-dataset "$FM" | jget id /dev/stdin) &&
  printf '{"name":"fm","version":1,"proof_kind":"inference@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"0.2.0","public_output":true,"fields":[{"name":"record_index","type":"u64"}]}\n' > "$T/s.json" &&
  "$Z" register-schema "$T/s.json" &&
  "$Z" --json infer --model-file "$r.d/models/$(jget sha256 "$T/m.json")" --dataset-file "$FM" --record 7 > "$T/i7.json" || return 1
  logits=$(sed -n 's/.*"logits":\[\([^]]*\)\].*/\1/p' "$T/i7.json")
  arg=$(sed -n 's/.*"argmax":\([0-9]*\).*/\1/p' "$T/i7.json")
  cnt=$(echo "$logits" | tr ',' '\n' | wc -l)
  { printf '\000\000\000'; printf "\\$(printf %03o "$cnt")"
    for v in $(echo "$logits" | tr ',' ' '); do printf "\\$(printf %03o $(( (v + 256) % 256 )))"; done
    printf '\000\000\000'; printf "\\$(printf %03o "$arg")"; } > "$T/o7.bin"
  A=$("$Z" --json register-statement --schema fm@1 --program 4 --model "$(jget id "$T/m.json")" --dataset "$FMID" \
      --param record_index=7 --public-output "$T/o7.bin" | jget statement_id /dev/stdin) &&
  "$Z" prove --statement "$A" -o "$T/pA" &&
  "$Z" key generate --type ed25519 -o "$T/ed.key" --passphrase-file "$T/kp" --kdf interactive &&
  "$Z" key register "file:$T/ed.key" &&
  "$Z" attest --statement "$A" --proof "$T/pA" --key "file:$T/ed.key" -o "$T/att.json" \
    --passphrase-file "$T/kp" --registry-passphrase-file "$T/pass" &&
  EDPUB=$("$Z" key public "file:$T/ed.key" | head -n1) &&
  printf '{"format":"zkreg-policy/v1","trusted_keys":["%s"],"threshold":1,"schemas":["fm@1"],"max_age_seconds":100000000000,"require_log_inclusion":true,"check_revocation":true}\n' "$EDPUB" > "$T/policy.json" &&
  "$Z" train-init --dims 784,8,10 --seed-text media --out-dir "$T/tm" &&
  TP=$("$Z" --json register-program "$T/tm/program.zkrprog" | jget id /dev/stdin) &&
  TM=$("$Z" --json register-model "$T/tm/init.zkrtm" --program "$TP" | jget id /dev/stdin) &&
  printf '{"name":"tr","version":1,"proof_kind":"training-step@1","proof_system":"zkreg-sumcheck-basefold","parameter_set":"goldilocks-128","verifier_version":"0.2.0","public_output":false,"fields":[{"name":"child_model","type":"digest"},{"name":"record_indices","type":"u64-list"},{"name":"lr","type":"u64"},{"name":"shift","type":"u64"},{"name":"steps","type":"u64"}]}\n' > "$T/tr.json" &&
  "$Z" register-schema "$T/tr.json" &&
  ROUND=$("$Z" --json round open --model "$TM" --dataset "$FMID" --workers 1 --first-record 0 \
      --records-per-worker 2 --lr 3 --shift 16 --schema tr@1 | jget round /dev/stdin) &&
  mkdir -p "$T/rw" && "$Z" train --round "$ROUND" --worker 0 --out-dir "$T/rw" &&
  "$Z" round accept "$ROUND" --submission 0="$T/rw/worker-0.zkrtm","$T/rw/worker-0.zkp" &&
  "$Z" log checkpoint
  local rc=$?
  unset ZKREG_REGISTRY
  return $rc
}

# check_more REG WHERE: verify-attestation, gate, round show and audit against REG.
check_more() {
  local r=$1 where=$2 c rc bad=0
  for c in "verify-attestation $T/att.json --trusted-key $EDPUB" "gate --policy $T/policy.json $T/att.json" \
           "round show $ROUND" "round audit $ROUND"; do
    # shellcheck disable=SC2086
    "$Z" --registry "$r" $c >out.txt 2>err.txt; rc=$?
    if [ "$rc" != 0 ] || ! grep -q -e registry -e ROUND -e round -e pass -e PASS out.txt err.txt; then
      bad=1; echo "# $where: zkreg $c: exit $rc: $(head -c 300 err.txt | tr "\n" " ")"
    fi
  done
  return $bad
}

mkdir src
populate "$T/src/r.db" && populate_rich "$T/src/r.db" >setup.log 2>&1
ok $? "a registry to put on read-only media (with an attestation and a closed round): $(tail -c 200 setup.log | tr '\n' ' ')"
before=$(sha256sum src/r.db | cut -d' ' -f1)

# ---- read-only bind mount ----
ro_mount "$T/src" "$T/ro"; ok $? "read-only bind mount"
check_reads "$T/ro/r.db" 1 "read-only mount"; ok $? "read-only commands work from a read-only medium, with a notice"
# The store beside the registry (models of the round) is read from the same medium.
check_more "$T/ro/r.db" "read-only mount"; ok $? "verify-attestation, gate, round show and round audit work from a read-only medium"
"$Z" --registry "$T/ro/r.db" register-program "$T/w" >out.txt 2>err.txt; rc=$?
[ "$rc" = 9 ] && grep -q "mounted at $T/ro " err.txt && grep -q "is read-only" err.txt
ok $? "a write on a read-only medium: exit 9 naming the file system (got $rc: $(head -c 300 err.txt | tr "\n" " "))"
"$Z" --registry "$T/ro/r.db" archive -o "$T/arch.db" >out.txt 2>err.txt; ok $? "archive from a read-only medium: $(head -c 200 err.txt | tr "\n" " ")"
[ "$(sha256sum src/r.db | cut -d' ' -f1)" = "$before" ]; ok $? "the registry is unchanged"
ls src | grep -q -e '\.tmp\.' -e '\.init-' ; [ $? = 1 ]; ok $? "no temporary files beside it"

# The archive: rollback-journal mode, served in place from read-only media (no notice).
mkdir adir && mv arch.db adir/
[ "$(head -c 20 adir/arch.db | tail -c 2 | od -An -tu1 | tr -d ' ')" = 11 ]; ok $? "the archive is in rollback-journal mode (header bytes 18-19 = 1)"
ro_mount "$T/adir" "$T/ro2"; ok $? "archive on a read-only bind mount"
check_reads "$T/ro2/arch.db" 0 "archive"; ok $? "read-only commands work on the archive in place, without immutable=1"
"$Z" --registry "$T/ro2/arch.db" archive -o "$T/ro2/again.db" >out.txt 2>err.txt; rc=$?
[ "$rc" = 9 ] && grep -q "$T/ro2" err.txt; ok $? "archive onto a read-only medium: exit 9 naming it (got $rc: $(head -c 200 err.txt | tr "\n" " "))"

# A write-ahead log holding committed changes cannot be read through immutable=1: refused by name.
mkfifo fifo
ZKR_TEST_PAUSE_FIFO=$T/fifo "$Z" --registry "$T/src/r.db" register-program "$T/pass" >/dev/null 2>&1 &
H=$!; BG="$BG $H"
timeout 60 head -n1 fifo >/dev/null
echo "other program" > p2
"$Z" --registry "$T/src/r.db" register-program p2 >/dev/null; ok $? "a commit while another process holds the registry open"
kill -9 "$H"; wait "$H" 2>/dev/null
[ -s src/r.db-wal ]; ok $? "the write-ahead log holds that commit (the holder was killed)"
"$Z" --registry "$T/ro/r.db" list program >out.txt 2>err.txt; rc=$?
{ [ "$rc" = 0 ] && grep -q p2 out.txt; } || { [ "$rc" = 9 ] && grep -q "archive" err.txt; }
ok $? "read-only medium with -wal and -shm: the commit is read, or exit 9 naming zkreg archive, never stale data (got $rc: $(head -c 300 err.txt | tr "\n" " "))"
# The file and its -wal copied without the -shm: immutable=1 would miss the commit, so it is refused.
mkdir walcopy && cp src/r.db src/r.db-wal walcopy/
ro_mount "$T/walcopy" "$T/ro3"; ok $? "a copy with its -wal on a read-only bind mount"
"$Z" --registry "$T/ro3/r.db" list program >out.txt 2>err.txt; rc=$?
[ "$rc" = 9 ] && grep -q "zkreg archive" err.txt && grep -q -- "-wal" err.txt
ok $? "read-only medium, -wal holding changes, no -shm: exit 9 naming zkreg archive (got $rc: $(head -c 300 err.txt | tr "\n" " "))"
"$Z" --registry "$T/src/r.db" list program | grep -q p2; ok $? "on writable media the commit is there"

# ---- full disk: a small tmpfs ----
mkdir full
mount -t tmpfs -o size=3m tmpfs "$T/full" && MOUNTS="$T/full $MOUNTS"; ok $? "a 3 MiB tmpfs"
populate "$T/full/r.db"; ok $? "a registry on it"
dd if=/dev/zero of="$T/full/fill" bs=4k >/dev/null 2>&1
df_free=$(df --output=avail "$T/full" | tail -1 | tr -d ' ')
[ "$df_free" = 0 ]; ok $? "the file system is full ($df_free KiB free)"
before=$(sha256sum full/r.db | cut -d' ' -f1)
# Fixed bytes (seeded): a first byte of 0x08 would be read as an ONNX file and
# refused as one (exit 3) before the disk is written (random bytes did so once in 256).
python3 -c 'import random, sys; r = random.Random(13); b = bytearray(r.getrandbits(8) for _ in range(200000)); b[0] = 0x5a; sys.stdout.buffer.write(b)' > big.bin
"$Z" --registry "$T/full/r.db" register-program big.bin >out.txt 2>err.txt; rc=$?
[ "$rc" = 9 ] && grep -q "mounted at $T/full" err.txt && grep -q "is full" err.txt
ok $? "a registration on a full disk: exit 9 naming the file system (got $rc: $(head -c 300 err.txt | tr "\n" " "))"
check_reads "$T/full/r.db" any "full disk"; ok $? "read-only commands work on a full disk"
"$Z" --registry "$T/full/r.db" archive -o "$T/full/a.db" >out.txt 2>err.txt; rc=$?
[ "$rc" = 9 ] && grep -q "$T/full" err.txt && ! ls full | grep -q 'a\.db'
ok $? "archive onto a full disk: exit 9 naming it, nothing left (got $rc: $(head -c 200 err.txt | tr "\n" " "))"
[ "$(sha256sum full/r.db | cut -d' ' -f1)" = "$before" ]; ok $? "the registry is unchanged"
rm -f full/fill
"$Z" --registry "$T/full/r.db" register-program big.bin >/dev/null 2>err.txt &&
  "$Z" --registry "$T/full/r.db" log verify >/dev/null 2>&1
ok $? "with space again the next command works and the log verifies: $(head -c 200 err.txt | tr "\n" " ")"

echo "1..$n"
[ "$failed" = 0 ]
