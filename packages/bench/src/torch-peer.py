"""PyTorch side of Cairn's peer benchmarks: a worker that answers one JSON command per line.

Started once by torch-peer.ts and kept alive, so each timed command measures the work alone (not
Python start-up or `import torch`), and runs alternate with Cairn's in the same ABBA pairs.
Commands: {"cmd": "info"}, {"cmd": "train", "model": "mlp" | "conv", "steps": n},
{"cmd": "save", "path": p, "blocks": k}, {"cmd": "load", "path": p, "blocks": k}.
"""
import json
import os
import sys
import time

import torch
from torch import nn

BLOCK = 1024


class BigState(nn.Module):
    """The checkpoint benchmarks' state: `blocks` float32 parameters of 1024x1024 (as BigStateModule)."""

    def __init__(self, blocks):
        super().__init__()
        self.weights = nn.ParameterList([nn.Parameter(torch.randn(BLOCK, BLOCK)) for _ in range(blocks)])

    def loss(self):
        return sum(torch.mean(w * w) for w in self.weights)


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)), (128, 784)


def conv():
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, stride=2), nn.ReLU(), nn.Flatten(), nn.Linear(32 * 6 * 6, 10),
    )
    return net, (64, 1, 28, 28)


class Trainer:
    def __init__(self, build):
        self.net, shape = build()
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        self.x = torch.randn(*shape)
        self.y = torch.randint(0, 10, (shape[0],))
        self.loss = nn.CrossEntropyLoss()
        self.steps(2)  # warm-up: first calls allocate Adam's slots and pick kernels

    def steps(self, n):
        for _ in range(n):
            self.optimizer.zero_grad()
            loss = self.loss(self.net(self.x), self.y)
            loss.backward()
            self.optimizer.step()
            loss.item()  # the value read back, as Cairn's trainer reads its loss


trainers = {}
states = {}


def trained_state(blocks):
    if blocks not in states:
        module = BigState(blocks)
        optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
        for _ in range(2):
            optimizer.zero_grad()
            module.loss().backward()
            optimizer.step()
        states[blocks] = {"model": module.state_dict(), "optimizer": optimizer.state_dict()}
    return states[blocks]


def handle(command):
    cmd = command["cmd"]
    if cmd == "info":
        return {"version": torch.__version__, "threads": torch.get_num_threads()}
    if cmd == "train":
        name = command["model"]
        if name not in trainers:
            trainers[name] = Trainer(mlp if name == "mlp" else conv)
        start = time.perf_counter()
        trainers[name].steps(command["steps"])
        return {"seconds": time.perf_counter() - start}
    if cmd == "save":
        state = trained_state(command["blocks"])
        start = time.perf_counter()
        with open(command["path"], "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        return {"seconds": time.perf_counter() - start, "bytes": os.path.getsize(command["path"])}
    if cmd == "load":
        # What a user pays to get a module back: build it, read the file, load both state dicts.
        start = time.perf_counter()
        module = BigState(command["blocks"])
        optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
        state = torch.load(command["path"])
        module.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        return {"seconds": time.perf_counter() - start}
    raise ValueError(f"unknown command {cmd!r}")


for line in sys.stdin:
    try:
        reply = handle(json.loads(line))
    except Exception as error:  # reported to the caller, which fails the benchmark with it
        reply = {"error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
