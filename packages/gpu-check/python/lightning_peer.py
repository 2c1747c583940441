"""The Python half of Cairn's GPU check (run by run.sh after gpu-check.mjs).

1. Trains the same two models as the Cairn half (MLP 784-256-10 and the small ResNet-style net on
   32x32x3, same batch, Adam 1e-3) under PyTorch Lightning on CUDA, times steps/s and prints the
   Cairn/Lightning per-step time ratio.
2. Opens Cairn's checkpoint with the safetensors library and compares it with what Cairn recorded.
3. Reads Cairn's TensorBoard event file with the tensorboard package.

Each part needs its own package (torch + lightning, safetensors, tensorboard); a missing one skips that
part and says so. Exit status 1 when a reader finds something different from what Cairn wrote.
"""
import argparse
import json
import math
import sys
import time


def say(line):
    print(f"gpu-check (python): {line}", flush=True)


def lightning_part(results):
    try:
        import torch
        from torch import nn
    except ImportError as error:
        say(f"Lightning comparison skipped: torch is not importable ({error})")
        return None
    try:
        import lightning.pytorch as pl
    except ImportError:
        try:
            import pytorch_lightning as pl
        except ImportError as error:
            say(f"Lightning comparison skipped: pytorch_lightning is not importable ({error})")
            return None
    if not torch.cuda.is_available():
        say("Lightning comparison skipped: torch sees no CUDA device")
        return None

    class Residual(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.a = nn.Conv2d(cin, cout, 3, stride, 1)
            self.b = nn.Conv2d(cout, cout, 3, 1, 1)
            self.short = nn.Identity() if stride == 1 and cin == cout else nn.Conv2d(cin, cout, 1, stride)

        def forward(self, x):
            return torch.relu(self.b(torch.relu(self.a(x))) + self.short(x))

    def build(key):
        if key == "mlp":
            return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        return nn.Sequential(
            nn.Conv2d(3, 16, 3, 1, 1), nn.ReLU(), Residual(16, 16, 1), Residual(16, 32, 2), Residual(32, 64, 2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10),
        )

    class Classifier(pl.LightningModule):
        def __init__(self, key):
            super().__init__()
            self.net = build(key)

        def training_step(self, batch, _index):
            x, y = batch
            loss = nn.functional.cross_entropy(self.net(x), y)
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=1e-3)

    def fit_seconds(key, batch, steps):
        shape = (784,) if key == "mlp" else (3, 32, 32)
        x = torch.rand((steps * batch, *shape), device="cuda") * 2 - 1
        y = torch.randint(0, 10, (steps * batch,), device="cuda")
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=batch)
        trainer = pl.Trainer(accelerator="cuda", devices=1, max_steps=steps, logger=False, enable_checkpointing=False,
                             enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0)
        module = Classifier(key)
        torch.cuda.synchronize()
        start = time.perf_counter()
        trainer.fit(module, loader)
        torch.cuda.synchronize()
        return time.perf_counter() - start

    say(f"torch {torch.__version__}, lightning {pl.__version__}, {torch.cuda.get_device_name(0)}")
    rows = []
    for model in results["models"]:
        steps = model["timedSteps"]
        fit_seconds(model["key"], model["batch"], min(steps, 10))  # warm-up: cuDNN autotuning, allocator
        seconds = fit_seconds(model["key"], model["batch"], steps)
        lightning_step = seconds / steps
        ratio = model["secondsPerStep"] / lightning_step
        rows.append({"model": model["name"], "batch": model["batch"], "cairnStepsPerSecond": model["stepsPerSecond"],
                     "lightningStepsPerSecond": 1 / lightning_step, "cairnOverLightningStepTime": ratio})
    say("model | batch | Cairn steps/s | Lightning steps/s | Cairn/Lightning per-step time")
    for r in rows:
        say(f"{r['model']} | {r['batch']} | {r['cairnStepsPerSecond']:.2f} | {r['lightningStepsPerSecond']:.2f} | {r['cairnOverLightningStepTime']:.2f}")
    return rows


def safetensors_part(results):
    facts = results.get("checkpoint")
    try:
        from safetensors import safe_open
    except ImportError as error:
        say(f"safetensors check skipped: safetensors is not importable ({error})")
        return None
    with safe_open(facts["path"], framework="numpy") as f:
        names = list(f.keys())
        metadata = f.metadata() or {}
        values = f.get_tensor(facts["tensor"]).reshape(-1)
    first_ok = all(math.isclose(float(a), b, rel_tol=0, abs_tol=0) for a, b in zip(values[:8], facts["first"]))
    total = float(values.astype("float64").sum())
    sum_ok = math.isclose(total, facts["sum"], rel_tol=1e-5, abs_tol=1e-6)
    ok = first_ok and sum_ok and "cairn.global_step" in metadata
    say(f"safetensors opened {facts['path']}: {len(names)} tensors, {facts['tensor']} first values "
        f"{'identical' if first_ok else 'DIFFERENT'}, sum {'matches' if sum_ok else 'DIFFERS'}, "
        f"metadata keys {len(metadata)} ({'ok' if ok else 'NOT OK'})")
    return ok


def tensorboard_part(results):
    board = results["tensorboard"]
    try:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    except ImportError as error:
        say(f"TensorBoard check skipped: tensorboard is not importable ({error})")
        return None
    import glob
    import os
    files = glob.glob(os.path.join(board["dir"], "**", "events.out.tfevents.*"), recursive=True)
    if not files:
        say(f"TensorBoard check: no event file under {board['dir']} (NOT OK)")
        return False
    accumulator = EventAccumulator(os.path.dirname(files[0]))
    accumulator.Reload()
    tags = accumulator.Tags().get("scalars", [])
    points = len(accumulator.Scalars(board["tag"])) if board["tag"] in tags else 0
    ok = points == board["points"]
    say(f"TensorBoard read {files[0]}: scalar tags {tags}, {points} points of {board['tag']} "
        f"(expected {board['points']}: {'ok' if ok else 'NOT OK'})")
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--allow-software", action="store_true")
    args = parser.parse_args()
    with open(args.results) as f:
        results = json.load(f)
    rows = lightning_part(results)
    checks = [safetensors_part(results), tensorboard_part(results)]
    with open(args.results.replace("results.json", "python-results.json"), "w") as f:
        json.dump({"lightning": rows, "safetensors": checks[0], "tensorboard": checks[1]}, f, indent=2)
    if any(c is False for c in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
