#!/usr/bin/env python3
"""Reads a TensorBoardLogger folder with the real `tensorboard` package and prints what it finds.

Usage: python3 read_tensorboard.py LOGDIR [--expect-scalars N] [--expect-histograms N]

Prints every scalar tag with its (step, value) pairs, the histogram tags, and the hparams plugin's
session start/end and experiment, as TensorBoard's own EventAccumulator decodes them; exits
non-zero when the files cannot be read or hold fewer scalars/histograms than expected.
Needs `pip install tensorboard` (no TensorFlow). Not run on the development machines, which have
no tensorboard package.
"""
import argparse
import json
import sys

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.plugins.hparams import plugin_data_pb2


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("logdir")
    parser.add_argument("--expect-scalars", type=int, default=1)
    parser.add_argument("--expect-histograms", type=int, default=0)
    args = parser.parse_args()

    acc = event_accumulator.EventAccumulator(args.logdir, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0})
    acc.Reload()
    tags = acc.Tags()
    scalars = {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in tags["scalars"]}
    histograms = {tag: [(e.step, e.histogram_value.num) for e in acc.Histograms(tag)] for tag in tags["histograms"]}
    hparams = {}
    for tag, metadata in acc.summary_metadata.items():
        if metadata.plugin_data.plugin_name == "hparams":
            data = plugin_data_pb2.HParamsPluginData.FromString(metadata.plugin_data.content)
            hparams[tag] = data.WhichOneof("data")
    print(json.dumps({"scalars": scalars, "histograms": histograms, "hparams": hparams}, indent=1))
    count_scalars = sum(len(v) for v in scalars.values())
    count_histograms = sum(len(v) for v in histograms.values())
    if count_scalars < args.expect_scalars or count_histograms < args.expect_histograms:
        print(f"expected at least {args.expect_scalars} scalars and {args.expect_histograms} histograms, got {count_scalars} and {count_histograms}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
