"""Writes the tiny ONNX models of the model_transform tests.

    models.py OUT.onnx NAME [SHAPE]

NAME is one of the functions below; SHAPE (e.g. 1,3,4,4) sets the input
shape of the single-input element-wise models. Opset 13, IR version 7.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def value_info(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def weight(name, array):
    return numpy_helper.from_array(np.asarray(array, np.float32), name)


def sigmoid(shape):
    """x -> Sigmoid -> y: the output is a pure function of the input."""
    nodes = [helper.make_node("Sigmoid", ["x"], ["y"], name="sig")]
    return nodes, [value_info("x", shape)], [value_info("y", shape)], []


def dynamic(shape):
    """sigmoid with a dynamic batch, height and width."""
    nodes = [helper.make_node("Sigmoid", ["x"], ["y"], name="sig")]
    return (nodes, [value_info("x", ["N", 3, "H", "W"])],
            [value_info("y", ["N", 3, "H", "W"])], [])


def conv(shape):
    """1x1 Conv (3 -> 2 channels) with bias, then Relu."""
    w = (np.arange(6).reshape(2, 3, 1, 1) - 2.5) * 0.25
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["conv1"], name="conv1",
                         kernel_shape=[1, 1]),
        helper.make_node("Relu", ["conv1"], ["y"], name="relu"),
    ]
    return (nodes, [value_info("x", [1, 3, 4, 4])],
            [value_info("y", [1, 2, 4, 4])],
            [weight("w", w), weight("b", [0.5, -0.5])])


def conv_bn(shape):
    """Conv, BatchNormalization (folded away by canonicalization), Relu."""
    w = (np.arange(54).reshape(2, 3, 3, 3) % 7 - 3) * 0.125
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["conv1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization",
                         ["conv1", "bn_scale", "bn_bias", "bn_mean", "bn_var"],
                         ["bn1"], name="bn1", epsilon=1e-5),
        helper.make_node("Relu", ["bn1"], ["y"], name="relu"),
    ]
    inits = [weight("w", w), weight("bn_scale", [1.5, 0.5]),
             weight("bn_bias", [0.25, -0.25]), weight("bn_mean", [0.1, -0.2]),
             weight("bn_var", [2.0, 0.5])]
    return (nodes, [value_info("x", [1, 3, 4, 4])],
            [value_info("y", [1, 2, 4, 4])], inits)


def two_inputs(shape):
    """a + b * 2."""
    nodes = [
        helper.make_node("Mul", ["b", "two"], ["b2"], name="mul"),
        helper.make_node("Add", ["a", "b2"], ["y"], name="add"),
    ]
    return (nodes, [value_info("a", [1, 3, 2, 2]), value_info("b", [1, 2])],
            [value_info("y", [1, 3, 2, 2])],
            [weight("two", np.full((1, 2), 2.0))])


def named(shape):
    """Conv -> Sigmoid -> Mul with tensor names as exported by PyTorch."""
    conv_out = "/model.0/conv/Conv_output_0"
    act_out = "/model.0/act/Sigmoid_output_0"
    w = (np.arange(12).reshape(4, 3, 1, 1) - 6) * 0.1
    nodes = [
        helper.make_node("Conv", ["images", "model.0.conv.weight"],
                         [conv_out], name="/model.0/conv/Conv",
                         kernel_shape=[1, 1]),
        helper.make_node("Sigmoid", [conv_out], [act_out],
                         name="/model.0/act/Sigmoid"),
        helper.make_node("Mul", [conv_out, act_out], ["output"],
                         name="/model.0/act/Mul"),
    ]
    return (nodes, [value_info("images", [1, 3, 4, 4])],
            [value_info("output", [1, 4, 4, 4])],
            [weight("model.0.conv.weight", w)])


def main():
    path, name = sys.argv[1], sys.argv[2]
    shape = ([int(d) for d in sys.argv[3].split(",")]
             if len(sys.argv) > 3 else [1, 3, 4, 4])
    nodes, inputs, outputs, inits = globals()[name](shape)
    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    model = helper.make_model(graph, producer_name="tpuc-tests",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


main()
