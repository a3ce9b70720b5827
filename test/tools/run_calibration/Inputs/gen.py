"""Writes the models and samples of the run_calibration tests.

    gen.py model NAME OUT.onnx        a tiny ONNX model (see MODELS)
    gen.py images DIR COUNT           COUNT small PNG photos-to-be, of
                                      varying sizes, named img00.png ...
    gen.py npz DIR COUNT NAME...      COUNT .npz samples holding one random
                                      [1,3,6,6] array per input NAME
    gen.py npy DIR COUNT              COUNT .npy samples of shape [1,3,6,6]
    gen.py heavy DIR COUNT            COUNT .npy samples of shape [1,3,32,32]:
                                      laplace noise plus a few outliers, so
                                      KL clips and the tune step has work

Everything is seeded, so the files are the same on every run. PNGs come
from python/png_writer.py (zlib alone; no imaging library is installed).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from png_writer import write_png

SHAPE = [1, 3, 6, 6]


def tensor_info(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array, np.float32), name)


def conv_w():
    return (np.arange(9, dtype=np.float32).reshape(3, 3, 1, 1) - 4) * 0.25


def conv_b():
    return np.array([0.5, -0.25, 0.0], np.float32)


def convnet():
    """x -> Conv 1x1 (3->3, bias) -> Relu -> Add x -> y."""
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["conv"], name="conv",
                         kernel_shape=[1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"], name="relu"),
        helper.make_node("Add", ["relu", "x"], ["y"], name="add"),
    ]
    return (nodes, [tensor_info("x", SHAPE)], [tensor_info("y", SHAPE)],
            [const("w", conv_w()), const("b", conv_b())])


def two_inputs():
    """(a + b) * 0.5 -> y, both inputs [1,3,6,6]."""
    nodes = [
        helper.make_node("Add", ["a", "b"], ["sum"], name="sum"),
        helper.make_node("Mul", ["sum", "half"], ["y"], name="mul"),
    ]
    return (nodes, [tensor_info("a", SHAPE), tensor_info("b", SHAPE)],
            [tensor_info("y", SHAPE)], [const("half", [0.5])])


def yolo_heads():
    """Three YOLOv5-style raw heads of a 1x3x32x32 image: a conv with
    kernel = stride 8, 16 and 32 gives [1,21,4,4], [1,21,2,2], [1,21,1,1]
    (3 anchors, 2 classes). Biases of -12 make most values background
    logits, with the long negative tail of real heads."""
    rng = np.random.default_rng(5)
    nodes, inits, outputs = [], [], []
    for level, stride in enumerate([8, 16, 32]):
        name = "head%d" % level
        w = rng.normal(0, 4.0 / (127 * np.sqrt(3) * stride),
                       (21, 3, stride, stride))
        inits += [const(name + ".w", w), const(name + ".b", np.full(21, -12))]
        nodes.append(helper.make_node("Conv", ["x", name + ".w", name + ".b"],
                                      [name], name=name,
                                      kernel_shape=[stride, stride],
                                      strides=[stride, stride]))
        size = 32 // stride
        outputs.append(tensor_info(name, [1, 21, size, size]))
    return nodes, [tensor_info("x", [1, 3, 32, 32])], outputs, inits


MODELS = {"convnet": convnet, "two_inputs": two_inputs, "yolo": yolo_heads}


def reference(x):
    """convnet's tensors for one input, computed with numpy."""
    w = conv_w().reshape(3, 3)
    conv = np.einsum("oc,nchw->nohw", w, x) + conv_b()[None, :, None, None]
    relu = np.maximum(conv, 0)
    return {"x": x, "conv": conv, "relu": relu, "y": relu + x}


def write_model(name, path):
    nodes, inputs, outputs, inits = MODELS[name]()
    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    model = helper.make_model(graph, producer_name="tpuc-tests",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    kind = sys.argv[1]
    if kind == "model":
        write_model(sys.argv[2], sys.argv[3])
        return
    out, count = sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    for i in range(count):
        if kind == "images":
            size = (6 + i % 3, 6 + (i * 2) % 5)
            pixels = rng.integers(0, 256, size + (3,), dtype=np.uint8)
            write_png(os.path.join(out, "img%02d.png" % i), pixels)
        elif kind == "npz":
            arrays = {name: rng.normal(0, 1 + 0.2 * i, SHAPE).astype(
                np.float32) for name in sys.argv[4:]}
            np.savez(os.path.join(out, "s%02d.npz" % i), **arrays)
        elif kind == "npy":
            np.save(os.path.join(out, "s%02d.npy" % i),
                    rng.normal(0, 1 + 0.2 * i, SHAPE).astype(np.float32))
        elif kind == "heavy":
            x = rng.laplace(0, 1, (1, 3, 32, 32)).astype(np.float32)
            x.flat[rng.integers(0, x.size, 3)] = [40, -35, 30]
            np.save(os.path.join(out, "h%02d.npy" % i), x)
        else:
            raise SystemExit("unknown kind " + kind)


if __name__ == "__main__":
    main()
