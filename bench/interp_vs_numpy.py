#!/usr/bin/python3
"""Median wall time of `model_runner` on examples/tiny_cnn against the numpy
forward pass of the same network (python/gen_example_model.py), both on the
same input. model_runner's time includes process start-up, parsing and
weight loading, so this bounds the interpreter's overhead on small models;
the onnxruntime comparison on YOLOv5n comes with the ONNX frontend.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
import gen_example_model as ref  # noqa: E402

RUNS = 15


def median_time(fn):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    bin_dir = os.path.join(build, "bin")
    ex = os.path.join(ROOT, "examples")
    with tempfile.TemporaryDirectory() as tmp:
        shaped = os.path.join(tmp, "tiny_cnn.mlir")
        subprocess.run([os.path.join(bin_dir, "tpuc-opt"),
                        os.path.join(ex, "tiny_cnn.mlir"), "--shape-infer",
                        "--canonicalize", "--save-weights=file=" +
                        os.path.join(tmp, "w.npz"), "-o", shaped], check=True)
        cmd = [os.path.join(bin_dir, "model_runner"), "--model", shaped,
               "--input", os.path.join(ex, "tiny_cnn_input.npz"),
               "--output", os.path.join(tmp, "out.npz")]
        ours = median_time(lambda: subprocess.run(cmd, check=True))

    weights = dict(np.load(os.path.join(ex, "tiny_cnn_weight.npz")))
    x = np.load(os.path.join(ex, "tiny_cnn_input.npz"))["input"]
    peer = median_time(lambda: ref.forward(x, weights))
    print(f"tiny_cnn  model_runner (whole process) {ours * 1e3:8.2f} ms   "
          f"numpy forward {peer * 1e3:8.2f} ms   ratio {ours / peer:6.2f}")


if __name__ == "__main__":
    main()
