#!/usr/bin/python3
"""Train a CNN on Fashion-MNIST (or make VGG-16 with random weights) and export ONNX for zkreg.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx):

    /usr/bin/python3 ml/train_cnn.py --arch lenet5 -o lenet5.onnx      # ~62k parameters
    /usr/bin/python3 ml/train_cnn.py --arch cnn264k -o cnn264k.onnx    # ~261k parameters
    /usr/bin/python3 ml/train_cnn.py --arch resnet8 -o resnet8.onnx    # residual adds, batch norm
    /usr/bin/python3 ml/train_cnn.py --arch vgg16 -o vgg16.onnx        # 3x32x32, random weights

The input the model expects is the raw image scaled to [0, 1] (byte / 255),
shape [1, C, H, W] with a fixed batch of one; that is the input encoding of
zkreg's graph programs (docs/quantization.md, section 7).

Determinism: fixed seeds, a fixed thread count (--threads, default 2), deterministic algorithms
and a seeded shuffle, so the same command on the same machine writes the
same ONNX bytes. The ResNet is exported with TrainingMode.PRESERVE, so its
BatchNormalization nodes reach zkreg, which folds them (docs/quantization.md
7.6); the others are exported as PyTorch folds them.
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


def lenet5():
    """LeNet-5 for 28x28 inputs (the first conv pads by 2, as for 32x32)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def cnn264k():
    """Three 3x3 convs and three dense layers, 261,322 parameters (DeepProve's CNN size)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 10))


class Block(nn.Module):
    """A basic residual block: two 3x3 conv+BN, a 1x1 conv+BN shortcut when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                       nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return torch.relu(y + (x if self.short is None else self.short(x)))


class ResNet8(nn.Module):
    """ResNet-8: a stem conv, three residual blocks (16, 32, 64 channels), global average pool."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU())
        self.blocks = nn.Sequential(Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        y = self.blocks(self.stem(x))
        return self.fc(y.mean((2, 3)))


def vgg16():
    """VGG-16 with CIFAR-10 shapes (3x32x32 in, 10 out): 13 convs, 5 max pools, 3 dense layers."""
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
           512, 512, 512, "M"]
    layers, cin = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU()]
            cin = v
    layers += [nn.Flatten(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
               nn.Linear(512, 10)]
    return nn.Sequential(*layers)


# (builder, epochs, learning rate, batch, training records): sized for a 2-core CPU.
# LeNet-5 sees 40,000 training records twice in large batches (estimated from 0.53 s of CPU
# per 512-record batch: about 85 s of CPU, 45 s on two idle cores; not yet timed end to end);
# the bigger nets see a prefix of it once, which is enough for the quantization
# checks (they compare quantized with float, not with the state of the art).
ARCHS = {"lenet5": (lenet5, 2, 4e-3, 512, 40000), "cnn264k": (cnn264k, 1, 2e-3, 128, 12000),
         "resnet8": (ResNet8, 1, 4e-3, 128, 12000), "vgg16": (vgg16, 0, 0, 0, 0)}


def accuracy(model, x, y):
    with torch.no_grad():
        return sum((model(x[i:i + 1000]).argmax(dim=1) == y[i:i + 1000]).sum().item()
                   for i in range(0, x.shape[0], 1000)) / x.shape[0]


def train(model, args, epochs, lr, batch, records):
    xtr, ytr = load(args.data, "train")
    xtr, ytr = xtr[:records], ytr[:records]
    xte, yte = load(args.data, "t10k")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(args.seed)
    for epoch in range(epochs):
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
    return 100 * accuracy(model, xte, yte)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", required=True, help="ONNX file to write")
    ap.add_argument("--arch", required=True, choices=sorted(ARCHS))
    ap.add_argument("--epochs", type=int, help="training epochs (default per architecture)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, help="batch size (default per architecture)")
    ap.add_argument("--lr", type=float, help="Adam learning rate, halved each epoch (default per architecture)")
    ap.add_argument("--train-records", type=int,
                    help="train on the first N training records (default per architecture)")
    ap.add_argument("--data", default=DATA_DIR)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    make, epochs, lr, batch, records = ARCHS[args.arch]
    epochs = epochs if args.epochs is None else args.epochs
    batch = batch if args.batch is None else args.batch
    lr = lr if args.lr is None else args.lr
    records = records if args.train_records is None else args.train_records
    t0 = time.time()
    model = make()
    nparams = sum(p.numel() for p in model.parameters())
    shape = (1, 3, 32, 32) if args.arch == "vgg16" else (1, 1, 28, 28)
    acc = train(model, args, epochs, lr, batch, records) if epochs > 0 else None
    model.eval()
    # PRESERVE keeps the eval-mode BatchNormalization nodes (EVAL would fuse them into the
    # convolutions), so zkreg's own folding is what runs on the ResNet.
    mode = torch.onnx.TrainingMode.PRESERVE if args.arch == "resnet8" else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(model, torch.zeros(*shape), args.output, opset_version=13,
                      input_names=["image"], output_names=["logits"], training=mode,
                      do_constant_folding=args.arch != "resnet8")
    what = f"float test accuracy {acc:.2f} %" if acc is not None else "random weights"
    print(f"{args.arch}: {nparams} parameters, {what} ({time.time() - t0:.1f} s), "
          f"wrote {args.output}")


if __name__ == "__main__":
    main()
