"""Helpers shared by the test-input generators: saving small ONNX models
and writing smooth synthetic photos. lit puts this folder on PYTHONPATH."""
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper

from png_writer import write_png


def save_model(graph, path, opset=13):
    """Checks and saves `graph` as an IR-7 model (what onnxruntime and
    libonnx both read) importing the default domain at `opset`."""
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def write_wave_images(directory, count, rng, max_freq, row_phase):
    """COUNT 40x30 RGB PNGs img00.png ... of sine waves, one random
    frequency (up to `max_freq`) and phase per channel, each channel's
    phase also drifting `row_phase * channel` per row: smooth like photos,
    different from each other, and the same for the same `rng`."""
    os.makedirs(directory, exist_ok=True)
    yy, xx = np.mgrid[0:30, 0:40]
    for i in range(count):
        f = rng.uniform(0.05, max_freq, 3)
        p = rng.uniform(0, 6.3, 3)
        rgb = np.stack([127 + 120 * np.sin(f[c] * xx + p[c] +
                                           row_phase * c * yy)
                        for c in range(3)], axis=-1)
        write_png(os.path.join(directory, "img%02d.png" % i), rgb)


def conv_block(nodes, inits, rng, name, x, cin, cout, k, stride=1, silu=True,
               gain=1.0):
    """Appends a k x k Conv (random He-like weights times `gain`, "same"
    padding) named `name` reading `x`, followed by SiLU spelled as
    x * Sigmoid(x) when `silu`, as exporters write it. Returns the output
    name."""
    w = rng.normal(0, gain / np.sqrt(cin * k * k), (cout, cin, k, k))
    b = rng.normal(0, 0.1, cout)
    inits += [numpy_helper.from_array(w.astype(np.float32), name + ".w"),
              numpy_helper.from_array(b.astype(np.float32), name + ".b")]
    out = name + "_conv"
    nodes.append(helper.make_node("Conv", [x, name + ".w", name + ".b"], [out],
                                  name=name, kernel_shape=[k, k],
                                  strides=[stride, stride],
                                  pads=[k // 2] * 4))
    if not silu:
        return out
    nodes.append(helper.make_node("Sigmoid", [out], [name + "_sig"],
                                  name=name + "_sig"))
    nodes.append(helper.make_node("Mul", [out, name + "_sig"], [name + "_act"],
                                  name=name + "_act"))
    return name + "_act"
