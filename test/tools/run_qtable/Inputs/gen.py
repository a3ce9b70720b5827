"""Writes the inputs of the run_qtable tests.

    gen.py model OUT.onnx     a tiny detector head (1x3x32x32 input): a
                              Conv/SiLU stem, then a box branch decoded to
                              pixels (0..256, grid added and scaled) and a
                              score branch (sigmoid, 0..1), concatenated
                              and laid out as [1, 256, 7] rows, as YOLO
                              heads are: one INT8 scale cannot hold both
    gen.py images DIR N       N 40x30 RGB PNGs of smooth random patterns

Seeded, so every run writes the same files. Opset 13, IR version 7.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper
from onnx_fixture import conv_block, save_model, write_wave_images

rng = np.random.default_rng(11)


def const(inits, name, array):
    inits.append(numpy_helper.from_array(np.asarray(array, np.float32), name))
    return name


def conv(nodes, inits, name, x, cin, cout, k, stride=1, silu=True, gain=1.0):
    return conv_block(nodes, inits, rng, name, x, cin, cout, k, stride, silu,
                      gain)


def model(path):
    nodes, inits = [], []
    a = conv(nodes, inits, "stem", "images", 3, 8, 3, stride=2)    # 16x16
    b = conv(nodes, inits, "c1", a, 8, 8, 3)
    # Boxes: sigmoid offsets plus the cell's grid position, in pixels.
    box = conv(nodes, inits, "box", b, 8, 4, 1, silu=False)
    nodes.append(helper.make_node("Sigmoid", [box], ["box_sig"],
                                  name="box_sig"))
    grid = np.zeros((1, 4, 16, 16), np.float32)
    grid[0, 0] = np.arange(16)[None, :]
    grid[0, 1] = np.arange(16)[:, None]
    grid[0, 2:] = 4
    const(inits, "grid", grid)
    nodes.append(helper.make_node("Add", ["box_sig", "grid"], ["box_grid"],
                                  name="box_grid"))
    const(inits, "stride", np.array(16, np.float32))
    nodes.append(helper.make_node("Mul", ["box_grid", "stride"], ["box_px"],
                                  name="box_px"))
    # Scores: probabilities.
    score = conv(nodes, inits, "score", b, 8, 3, 1, silu=False, gain=3.0)
    nodes.append(helper.make_node("Sigmoid", [score], ["score_sig"],
                                  name="score_sig"))
    nodes.append(helper.make_node("Concat", ["box_px", "score_sig"], ["cat"],
                                  name="cat", axis=1))
    const(inits, "rows", np.array([1, 7, 256], np.int64))
    inits[-1] = numpy_helper.from_array(np.array([1, 7, 256], np.int64),
                                        "rows")
    nodes.append(helper.make_node("Reshape", ["cat", "rows"], ["flat"],
                                  name="flat"))
    nodes.append(helper.make_node("Transpose", ["flat"], ["output"],
                                  name="output", perm=[0, 2, 1]))
    graph = helper.make_graph(
        nodes, "tiny_head",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT,
                                       [1, 3, 32, 32])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                       [1, 256, 7])],
        inits)
    save_model(graph, path)


def images(directory, count):
    write_wave_images(directory, count, rng, 0.4, 0.15)


if __name__ == "__main__":
    if sys.argv[1] == "model":
        model(sys.argv[2])
    else:
        images(sys.argv[2], int(sys.argv[3]))
