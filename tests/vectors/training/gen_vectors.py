#!/usr/bin/env python3
"""Training test vectors, computed from docs/training.md alone.

This is an independent reference for the fixed-point training arithmetic of
zkreg (docs/training.md): Python integers (exact, floor division with //),
its own ChaCha20 (RFC 8439, self-checked against the RFC's block test
vector), hashlib's BLAKE2b and SHA-256, and its own encoder of the program
and training-model file. It shares no code with the C implementation.

    python3 tests/vectors/training/gen_vectors.py > tests/vectors/training/vectors.txt

Output: one `name value...` line per quantity (integers in decimal, digests
and seeds in hex); lines starting with '#' are comments. tests/ml/test_train.c
reads this file and checks the C implementation against it.
"""
import hashlib
import struct

# ---------------------------------------------------------------- constants (graph.h)
ONE = 256
TARGET = 4096
HIDDEN_SHIFT = 16
OUT_SHIFT = 12
BACK_SHIFT = 16
WEIGHT_BOUND = 1 << 20
HIDDEN_BOUND = 1 << 16
NEG_BOUND = 1 << 32
OUT_BOUND = 1 << 23
DELTA_BOUND = 1 << 23


class Undefined(Exception):
    """A value left its bound: the step is not defined."""


def rnd(v, s):
    """v + 2^(s-1) = q 2^s + r with 0 <= r < 2^s (Python // is floor)."""
    v = v + (1 << (s - 1))
    q = v // (1 << s)
    return q, v - q * (1 << s)


# ---------------------------------------------------------------- formats
def program_bytes(dims):
    """Canonical FIXED program: magic | u32 version | u8 enc | u32 in | u8 32 | u8 16 | u32 L | layers."""
    L = len(dims) - 1
    b = b"ZKRPROG\x01" + struct.pack(">IBIBBI", 1, 1, dims[0], 32, 16, L)
    for l in range(L):
        act = 1 if l + 1 < L else 0
        b += struct.pack(">BBII", 1, act, dims[l], dims[l + 1])
    return b


def tmodel_bytes(dims, W):
    prog = program_bytes(dims)
    b = b"ZKRTMOD\x01" + struct.pack(">I", 1) + hashlib.sha256(prog).digest()
    b += struct.pack(">I", len(prog)) + prog
    for l, Wl in enumerate(W):
        assert len(Wl) == dims[l + 1] and all(len(row) == dims[l] + 1 for row in Wl)
        for row in Wl:
            for w in row:
                assert -WEIGHT_BOUND < w < WEIGHT_BOUND
                b += struct.pack(">i", w)
    return b


# ---------------------------------------------------------------- ChaCha20 (RFC 8439)
M32 = 0xFFFFFFFF


def _rotl(v, c):
    return ((v << c) & M32) | (v >> (32 - c))


def _qr(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & M32; s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & M32; s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & M32; s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & M32; s[b] = _rotl(s[b] ^ s[c], 7)


def chacha20_block(key, counter, nonce):
    st = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    st += list(struct.unpack("<8I", key)) + [counter] + list(struct.unpack("<3I", nonce))
    w = st[:]
    for _ in range(10):
        _qr(w, 0, 4, 8, 12); _qr(w, 1, 5, 9, 13); _qr(w, 2, 6, 10, 14); _qr(w, 3, 7, 11, 15)
        _qr(w, 0, 5, 10, 15); _qr(w, 1, 6, 11, 12); _qr(w, 2, 7, 8, 13); _qr(w, 3, 4, 9, 14)
    return struct.pack("<16I", *[(w[i] + st[i]) & M32 for i in range(16)])


def _chacha_selftest():
    # RFC 8439 section 2.3.2.
    key = bytes(range(32))
    nonce = bytes.fromhex("000000090000004a00000000")
    out = chacha20_block(key, 1, nonce)
    assert out[:16].hex() == "10f1e7e4d13b5915500fdd1fa32071c4", out.hex()
    assert out[-4:].hex() == "a2503c4e"


def isqrt(x):
    """floor(sqrt(x)) by Newton's method on integers (no floats)."""
    if x == 0:
        return 0
    r = 1 << ((x.bit_length() + 1) // 2)
    while True:
        s = (r + x // r) // 2
        if s >= r:
            return r
        r = s


def init_model(dims, seed):
    """docs/training.md "Initial model"."""
    W = []
    for l in range(len(dims) - 1):
        fan_in, out = dims[l], dims[l + 1]
        A = isqrt((6 << 32) // fan_in)
        n = 2 * A + 1
        limit = (1 << 32) - ((1 << 32) % n)
        key = hashlib.blake2b(seed + struct.pack(">I", l), digest_size=32, person=b"zkr/tinit").digest()
        stream = bytearray()
        counter = 0
        pos = 0
        rows = []
        for _ in range(out):
            row = []
            for _ in range(fan_in):
                while True:
                    if pos + 4 > len(stream):
                        stream += chacha20_block(key, counter, bytes(12))
                        counter += 1
                    x = struct.unpack(">I", stream[pos:pos + 4])[0]
                    pos += 4
                    if x < limit:
                        break
                row.append(x % n - A)
            row.append(0)
            rows.append(row)
        W.append(rows)
    return W


# ---------------------------------------------------------------- one SGD step
def train_step(dims, W, records, labels, lr, S):
    """Returns (trace dict of lists, child weights). Raises Undefined on a bound."""
    L = len(dims) - 1
    B = len(records)
    T = {}
    a = [list(x) for x in records]  # layer input, B x in
    acts = [a]
    for l in range(L):
        out = dims[l + 1]
        z = [[sum(W[l][j][k] * a[b][k] for k in range(dims[l])) + W[l][j][dims[l]] * ONE
              for j in range(out)] for b in range(B)]
        T[f"z{l}"] = z
        if l + 1 < L:
            q, r, h, n, m = [], [], [], [], []
            for b in range(B):
                qq, rr = zip(*[rnd(v, HIDDEN_SHIFT) for v in z[b]])
                q.append(list(qq)); r.append(list(rr))
                h.append([max(v, 0) for v in qq]); n.append([max(-v, 0) for v in qq])
                m.append([1 if v > 0 else 0 for v in qq])
                for j, v in enumerate(qq):
                    if max(v, 0) >= HIDDEN_BOUND or max(-v, 0) >= NEG_BOUND:
                        raise Undefined(f"hidden layer {l} record {b} unit {j}: q = {v}")
            T[f"q{l}"], T[f"r{l}"], T[f"h{l}"], T[f"n{l}"], T[f"m{l}"] = q, r, h, n, m
            a = h
            acts.append(a)
        else:
            q, r = [], []
            for b in range(B):
                qq, rr = zip(*[rnd(v, OUT_SHIFT) for v in z[b]])
                for j, v in enumerate(qq):
                    if not -OUT_BOUND <= v < OUT_BOUND:
                        raise Undefined(f"output record {b} unit {j}: o = {v}")
                q.append(list(qq)); r.append(list(rr))
            T[f"q{l}"], T[f"r{l}"] = q, r
    delta = [None] * L
    delta[L - 1] = [[T[f"q{L-1}"][b][j] - (TARGET if j == labels[b] else 0)
                     for j in range(dims[L])] for b in range(B)]
    for l in range(L - 2, -1, -1):
        out, nxt = dims[l + 1], dims[l + 2]
        p = [[sum(delta[l + 1][b][j] * W[l + 1][j][k] for j in range(nxt)) for k in range(out)]
             for b in range(B)]
        dq, rb = [], []
        for b in range(B):
            qq, rr = zip(*[rnd(v, BACK_SHIFT) for v in p[b]])
            for k, v in enumerate(qq):
                if not -DELTA_BOUND <= v < DELTA_BOUND:
                    raise Undefined(f"backward layer {l} record {b} unit {k}: dq = {v}")
            dq.append(list(qq)); rb.append(list(rr))
        delta[l] = [[dq[b][k] * T[f"m{l}"][b][k] for k in range(out)] for b in range(B)]
        T[f"p{l}"], T[f"dq{l}"], T[f"rb{l}"] = p, dq, rb
    child = []
    for l in range(L):
        T[f"delta{l}"] = delta[l]
        inn, out = dims[l], dims[l + 1]
        g = [[sum(delta[l][b][j] * (acts[l][b][k] if k < inn else ONE) for b in range(B))
              for k in range(inn + 1)] for j in range(out)]
        u, ru, Wc = [], [], []
        for j in range(out):
            uu, rr = zip(*[rnd(lr * v, S) for v in g[j]])
            u.append(list(uu)); ru.append(list(rr))
            row = [W[l][j][k] - uu[k] for k in range(inn + 1)]
            for k, v in enumerate(row):
                if not -WEIGHT_BOUND < v < WEIGHT_BOUND:
                    raise Undefined(f"child layer {l} row {j} column {k}: {v}")
            Wc.append(row)
        T[f"g{l}"], T[f"u{l}"], T[f"ru{l}"] = g, u, ru
        child.append(Wc)
    return T, child


def fedavg(children):
    k = len(children)
    return [[[(2 * sum(c[l][j][i] for c in children) + k) // (2 * k)
              for i in range(len(children[0][l][j]))]
             for j in range(len(children[0][l]))] for l in range(len(children[0]))]


# ---------------------------------------------------------------- output
def flat(x):
    if isinstance(x, list):
        return [v for e in x for v in flat(e)]
    return [x]


def emit(name, values):
    print(name, " ".join(str(v) for v in flat(values)))


def emit_step(prefix, dims, W, records, labels, lr, S, comment):
    print(f"# {comment}")
    T, child = train_step(dims, W, records, labels, lr, S)
    emit(f"{prefix}.dims", dims)
    emit(f"{prefix}.lr", [lr])
    emit(f"{prefix}.shift", [S])
    emit(f"{prefix}.input", records)
    emit(f"{prefix}.labels", labels)
    for l in range(len(W)):
        emit(f"{prefix}.W{l}", W[l])
    order = ["z", "q", "r", "h", "n", "m", "p", "dq", "rb", "delta", "g", "u", "ru"]
    for l in range(len(W)):
        for k in order:
            if f"{k}{l}" in T:
                emit(f"{prefix}.{k}{l}", T[f"{k}{l}"])
    for l in range(len(W)):
        emit(f"{prefix}.child{l}", child[l])
    print(f"{prefix}.parent_sha256", hashlib.sha256(tmodel_bytes(dims, W)).hexdigest())
    print(f"{prefix}.child_sha256", hashlib.sha256(tmodel_bytes(dims, child)).hexdigest())


class Lcg:
    """Only to pick the explicit weights of vector B (they are printed, not re-derived)."""

    def __init__(self, s):
        self.s = s

    def next(self, lo, hi):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return lo + (self.s >> 33) % (hi - lo + 1)


def main():
    _chacha_selftest()
    print("# zkreg training vectors, computed by hand from docs/training.md with")
    print("# tests/vectors/training/gen_vectors.py (Python integers; shares no code with the C).")

    # Vector A: 4-3-2, two records, printed in full in docs/training.md.
    dims = [4, 3, 2]
    W = [[[20000, -15000, 8000, 30000, -5000],
          [-25000, 12000, -30000, 5000, 40000],
          [7000, 9000, -4000, -12000, 1000]],
         [[30000, -20000, 50000, 700],
          [-10000, 40000, 25000, -900]]]
    emit_step("a", dims, W, [[0, 128, 255, 17], [200, 3, 99, 54]], [1, 0], 5, 14,
              "vector A: 4-3-2, batch 2, lr 5, shift 14 (docs/training.md, Test vectors)")

    # Vector B: 3-4-3-2 (two hidden layers), batch 3, weights from a fixed LCG.
    dims = [3, 4, 3, 2]
    g = Lcg(2034)
    W = [[[g.next(-60000, 60000) for _ in range(dims[l] + 1)] for _ in range(dims[l + 1])]
         for l in range(len(dims) - 1)]
    recs = [[g.next(0, 255) for _ in range(3)] for _ in range(3)]
    emit_step("b", dims, W, recs, [0, 1, 1], 7, 13,
              "vector B: 3-4-3-2, batch 3, lr 7, shift 13 (two hidden layers)")

    # Initial models.
    print("# initial model of 4-3-2 from seed 00 01 .. 1f")
    seed = bytes(range(32))
    Wi = init_model([4, 3, 2], seed)
    print("init.seed", seed.hex())
    emit("init.dims", [4, 3, 2])
    for l in range(2):
        emit(f"init.W{l}", Wi[l])
    print("init.sha256", hashlib.sha256(tmodel_bytes([4, 3, 2], Wi)).hexdigest())
    print("# initial model of 784-128-10 from the all-zero seed: file digest and first row heads")
    Wz = init_model([784, 128, 10], bytes(32))
    emit("init784.A", [isqrt((6 << 32) // 784), isqrt((6 << 32) // 128)])
    emit("init784.W0head", Wz[0][0][:8])
    emit("init784.W1head", Wz[1][0][:8])
    print("init784.sha256", hashlib.sha256(tmodel_bytes([784, 128, 10], Wz)).hexdigest())

    # Federated averaging: program 2-2 (rows of 3), k = 2 and k = 3, negatives and halves.
    print("# fedavg over program 2-2: avg = floor((2 sum + k) / (2 k))")
    kids = [[[[3, -3, 7], [-1, 0, 1048575]]],
            [[[4, -4, 8], [-2, 1, 1048575]]],
            [[[-6, 5, -1048575], [2, -2, 0]]]]
    for i, c in enumerate(kids):
        emit(f"fedavg.c{i}", c)
    emit("fedavg.avg2", fedavg(kids[:2]))
    emit("fedavg.avg3", fedavg(kids))


if __name__ == "__main__":
    main()
