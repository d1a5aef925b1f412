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
T=$(mktemp -d "${TMPDIR:-/tmp}/zkr-media-XXXXXX")
MOUNTS=""
BG=""
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
    if [ "$rc" != 0 ]; then bad=1; echo "# $where: zkreg $c: exit $rc: $(head -c 300 err.txt)"; fi
    if [ "$want" = 1 ] && ! grep -q "immutable=1" err.txt; then bad=1; echo "# $where: zkreg $c: no notice"; fi
    if [ "$want" = 0 ] && grep -q "immutable=1" err.txt; then bad=1; echo "# $where: zkreg $c: unexpected notice"; fi
  done
  return $bad
}

mkdir src
populate "$T/src/r.db"; ok $? "a registry to put on read-only media"
before=$(sha256sum src/r.db | cut -d' ' -f1)

# ---- read-only bind mount ----
ro_mount "$T/src" "$T/ro"; ok $? "read-only bind mount"
check_reads "$T/ro/r.db" 1 "read-only mount"; ok $? "read-only commands work from a read-only medium, with a notice"
"$Z" --registry "$T/ro/r.db" register-program "$T/w" >out.txt 2>err.txt; rc=$?
[ "$rc" = 9 ] && grep -q "mounted at $T/ro " err.txt && grep -q "is read-only" err.txt
ok $? "a write on a read-only medium: exit 9 naming the file system (got $rc: $(head -c 300 err.txt))"
"$Z" --registry "$T/ro/r.db" archive -o "$T/arch.db" >out.txt 2>err.txt; ok $? "archive from a read-only medium: $(head -c 200 err.txt)"
[ "$(sha256sum src/r.db | cut -d' ' -f1)" = "$before" ]; ok $? "the registry is unchanged"
ls src | grep -q -e '\.tmp\.' -e '\.init-' ; [ $? = 1 ]; ok $? "no temporary files beside it"

# The archive: rollback-journal mode, served in place from read-only media (no notice).
mkdir adir && mv arch.db adir/
[ "$(head -c 20 adir/arch.db | tail -c 2 | od -An -tu1 | tr -d ' ')" = 11 ]; ok $? "the archive is in rollback-journal mode (header bytes 18-19 = 1)"
ro_mount "$T/adir" "$T/ro2"; ok $? "archive on a read-only bind mount"
check_reads "$T/ro2/arch.db" 0 "archive"; ok $? "read-only commands work on the archive in place, without immutable=1"
"$Z" --registry "$T/ro2/arch.db" archive -o "$T/ro2/again.db" >out.txt 2>err.txt; rc=$?
[ "$rc" = 9 ] && grep -q "$T/ro2" err.txt; ok $? "archive onto a read-only medium: exit 9 naming it (got $rc: $(head -c 200 err.txt))"

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
ok $? "read-only medium with -wal and -shm: the commit is read, or exit 9 naming zkreg archive, never stale data (got $rc: $(head -c 300 err.txt))"
# The file and its -wal copied without the -shm: immutable=1 would miss the commit, so it is refused.
mkdir walcopy && cp src/r.db src/r.db-wal walcopy/
ro_mount "$T/walcopy" "$T/ro3"; ok $? "a copy with its -wal on a read-only bind mount"
"$Z" --registry "$T/ro3/r.db" list program >out.txt 2>err.txt; rc=$?
[ "$rc" = 9 ] && grep -q "zkreg archive" err.txt && grep -q -- "-wal" err.txt
ok $? "read-only medium, -wal holding changes, no -shm: exit 9 naming zkreg archive (got $rc: $(head -c 300 err.txt))"
"$Z" --registry "$T/src/r.db" list program | grep -q p2; ok $? "on writable media the commit is there"

# ---- full disk: a small tmpfs ----
mkdir full
mount -t tmpfs -o size=3m tmpfs "$T/full" && MOUNTS="$T/full $MOUNTS"; ok $? "a 3 MiB tmpfs"
populate "$T/full/r.db"; ok $? "a registry on it"
dd if=/dev/zero of="$T/full/fill" bs=4k >/dev/null 2>&1
df_free=$(df --output=avail "$T/full" | tail -1 | tr -d ' ')
[ "$df_free" = 0 ]; ok $? "the file system is full ($df_free KiB free)"
before=$(sha256sum full/r.db | cut -d' ' -f1)
head -c 200000 /dev/urandom > big.bin
"$Z" --registry "$T/full/r.db" register-program big.bin >out.txt 2>err.txt; rc=$?
[ "$rc" = 9 ] && grep -q "mounted at $T/full" err.txt && grep -q "is full" err.txt
ok $? "a registration on a full disk: exit 9 naming the file system (got $rc: $(head -c 300 err.txt))"
check_reads "$T/full/r.db" any "full disk"; ok $? "read-only commands work on a full disk"
"$Z" --registry "$T/full/r.db" archive -o "$T/full/a.db" >out.txt 2>err.txt; rc=$?
[ "$rc" = 9 ] && grep -q "$T/full" err.txt && ! ls full | grep -q 'a\.db'
ok $? "archive onto a full disk: exit 9 naming it, nothing left (got $rc: $(head -c 200 err.txt))"
[ "$(sha256sum full/r.db | cut -d' ' -f1)" = "$before" ]; ok $? "the registry is unchanged"
rm -f full/fill
"$Z" --registry "$T/full/r.db" register-program big.bin >/dev/null 2>err.txt &&
  "$Z" --registry "$T/full/r.db" log verify >/dev/null 2>&1
ok $? "with space again the next command works and the log verifies: $(head -c 200 err.txt)"

echo "1..$n"
[ "$failed" = 0 ]
