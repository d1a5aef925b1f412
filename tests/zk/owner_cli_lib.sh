# Shared by the owners' CLI tests (cli_private.sh, cli_rate.sh): sourced
# after the script has set Z (the zkreg binary) and moved into its own
# temporary directory. TAP counters n and failed start at 0.
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

# The registry and its store, hashed: a refusal must leave it unchanged.
# sort -S 1M: meson test's MALLOC_PERTURB_ makes sort fill its whole default
# buffer (8 MiB), about 2,000 page faults a call, for a few lines of input.
state() { { cat r.db r.db-wal 2>/dev/null | sha256sum
            find r.db.d -type f 2>/dev/null | sort -S 1M | xargs -r sha256sum; } | sha256sum | cut -d' ' -f1; }
# run EXPECTED_EXIT WORD_IN_STDERR DESCRIPTION -- zkreg args...
run() {
  local want=$1 word=$2 what=$3; shift 4
  local before after rc
  before=$(state)
  "$Z" "$@" >out.txt 2>err.txt; rc=$?
  after=$(state)
  if [ "$rc" = "$want" ] && grep -qF -- "$word" err.txt && { [ "$want" = 0 ] || [ "$before" = "$after" ]; }; then
    ok 0 "$what (exit $rc)"
  else
    ok 1 "$what: want exit $want naming '$word', got $rc: $(head -c 300 err.txt)"
  fi
}
# flip SRC OFFSET DST: DST is SRC with the low bit of byte OFFSET flipped.
flip() { cp "$1" "$3"; local b; b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf '%03o' $(( b ^ 1 )))" | dd of="$3" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@" 2>/dev/null; }
# u32at FILE OFFSET: the big-endian u32 there.
u32at() { od -An -tu1 -j"$2" -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}'; }

# A tiny dense int8 program (4 -> 3 relu -> 2) and its quantized models
# (m.bin, m-other.bin: other weights); a second program of other dimensions
# (4 -> 2, m2.bin); 3 records of 2x2 IDX (4 bytes + label).
tiny_models() {
  python3 - <<'PY'
import hashlib, struct
def prog(layers, din):
    b = b"ZKRPROG\x01" + struct.pack(">IBIBBI", 1, 1, din, 8, 8, len(layers))
    for (i, o, act) in layers:
        b += struct.pack(">BBII", 1, act, i, o)
    return b
def model(p, layers, seed):
    b = b"ZKRQMOD\x01" + struct.pack(">I", 1) + hashlib.sha256(p).digest() + struct.pack(">I", len(p)) + p
    for li, (i, o, act) in enumerate(layers):
        b += struct.pack(">B", 8)
        b += b"".join(struct.pack(">I", 64 + li) for _ in range(o))
        b += b"".join(struct.pack(">i", (7 * j + seed) % 50 - 25) for j in range(o))
        b += bytes(((5 * k + 3 * seed) % 61 - 30) & 0xff for k in range(o * i))
    return b
L1 = [(4, 3, 1), (3, 2, 0)]
L2 = [(4, 2, 0)]
p1, p2 = prog(L1, 4), prog(L2, 4)
open("prog.bin", "wb").write(p1); open("prog2.bin", "wb").write(p2)
open("m.bin", "wb").write(model(p1, L1, 1)); open("m-other.bin", "wb").write(model(p1, L1, 2))
open("m2.bin", "wb").write(model(p2, L2, 1))
open("d-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, 3, 2, 2) + bytes([9, 200, 31, 77, 0, 13, 255, 64, 120, 5, 6, 250]))
open("d-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, 3) + b"\x01\x00\x01")
PY
}
