#!/usr/bin/python3
"""Train a small MLP on Fashion-MNIST and export it to ONNX for zkreg.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx):

    /usr/bin/python3 ml/train_mlp.py -o mlp.onnx            # 784-128-10
    /usr/bin/python3 ml/train_mlp.py --hidden 512,512 -o big.onnx

The input the model expects is the raw image scaled to [0, 1] (pixel / 255),
shape [1, 1, 28, 28]; that is the input encoding zkreg's quantizer assumes
(docs/quantization.md). The export is Flatten, Gemm (transB=1), Relu at
opset 13, with a fixed batch of one (zkreg refuses dynamic shapes).

Determinism: fixed seeds, one thread, deterministic algorithms and a seeded
shuffle, so the same command on the same machine writes the same bytes.
"""
import argparse
import gzip
import os
import sys
import time

import torch
from torch import nn

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path, magic, header):
    """Reads a gzip IDX file, checking its magic; returns the payload bytes."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if int.from_bytes(raw[0:4], "big") != magic:
        sys.exit(f"{path}: bad IDX magic")
    return raw[header:]


def load(data_dir, split):
    imgs = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"), 0x803, 16)
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"), 0x801, 8)
    x = torch.frombuffer(bytearray(imgs), dtype=torch.uint8).reshape(-1, 1, 28, 28)
    y = torch.frombuffer(bytearray(labels), dtype=torch.uint8).to(torch.long)
    if x.shape[0] != y.shape[0]:
        sys.exit(f"{split}: image and label counts differ")
    return x.to(torch.float32) / 255.0, y


def build(hidden):
    layers = [nn.Flatten()]
    width = 28 * 28
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", required=True, help="ONNX file to write")
    ap.add_argument("--hidden", default="128", help="comma-separated hidden widths (default 128)")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=DATA_DIR)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    hidden = [int(h) for h in args.hidden.split(",") if h]

    t0 = time.time()
    xtr, ytr = load(args.data, "train")
    xte, yte = load(args.data, "t10k")
    model = build(hidden)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    # Halving the step each epoch settles the weights; the last epoch decides the export.
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(args.seed)
    batch = 128
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(xtr.shape[0], generator=gen)
        for i in range(0, xtr.shape[0], batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f} "
              f"test accuracy {100 * accuracy(model, xte, yte):.2f} %", flush=True)

    model.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(model, dummy, args.output, opset_version=13,
                      input_names=["image"], output_names=["logits"],
                      do_constant_folding=True)
    print(f"float test accuracy {100 * accuracy(model, xte, yte):.2f} % "
          f"({time.time() - t0:.1f} s), wrote {args.output}")


if __name__ == "__main__":
    main()
