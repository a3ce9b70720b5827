"""Writes the inputs of the model_deploy tests.

    gen.py model OUT.onnx     a small detector-like CNN (1x3x32x32 input):
                              Conv/SiLU stages, a residual Add, MaxPool,
                              nearest Resize and Concat, two outputs
    gen.py images DIR N       N 40x30 RGB PNGs of smooth random patterns

Seeded, so every run writes the same files. Opset 13, IR version 7.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper
from onnx_fixture import conv_block, save_model, write_wave_images

rng = np.random.default_rng(7)


def conv(nodes, inits, name, x, cin, cout, k, stride=1, silu=True):
    return conv_block(nodes, inits, rng, name, x, cin, cout, k, stride, silu)


def model(path):
    nodes, inits = [], []
    a = conv(nodes, inits, "stem", "images", 3, 8, 3, stride=2)   # 16x16
    b = conv(nodes, inits, "c1", a, 8, 8, 3)
    nodes.append(helper.make_node("Add", [a, b], ["res"], name="res"))
    nodes.append(helper.make_node("MaxPool", ["res"], ["pool"], name="pool",
                                  kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    c = conv(nodes, inits, "down", "pool", 8, 16, 3, stride=2)    # 8x8
    up_scales = numpy_helper.from_array(
        np.array([1, 1, 2, 2], np.float32), "up_scales")
    inits.append(up_scales)
    nodes.append(helper.make_node("Resize", [c, "", "up_scales"], ["up"],
                                  name="up", mode="nearest"))
    nodes.append(helper.make_node("Concat", ["up", "res"], ["cat"], name="cat",
                                  axis=1))
    conv(nodes, inits, "head0", "cat", 24, 12, 1, silu=False)
    conv(nodes, inits, "head1", c, 16, 12, 1, silu=False)
    graph = helper.make_graph(
        nodes, "tiny_det",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT,
                                       [1, 3, 32, 32])],
        [helper.make_tensor_value_info("head0_conv", TensorProto.FLOAT,
                                       [1, 12, 16, 16]),
         helper.make_tensor_value_info("head1_conv", TensorProto.FLOAT,
                                       [1, 12, 8, 8])],
        inits)
    save_model(graph, path)


def images(directory, count):
    write_wave_images(directory, count, rng, 0.3, 0.1)


if __name__ == "__main__":
    if sys.argv[1] == "model":
        model(sys.argv[2])
    else:
        images(sys.argv[2], int(sys.argv[3]))
