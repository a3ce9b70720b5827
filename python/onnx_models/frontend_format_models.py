"""ONNX importer test models of file and opset forms: IR 3 initializers,
Constant nodes and shape subgraphs, the opset 7/11/13 and 18+ forms of ops,
external data, unsupported ops and a dynamic input shape.
"""
import math
import os

import numpy as np
from onnx import numpy_helper

from frontend_builders import i64, init, model, node, rand, save, vi
from frontend_refs import conv2d, erf, pool2d, softmax, softmax_2d, softplus


def ir3_initializers(out_dir):
    """IR 3 / opset 7: every initializer is also listed as a graph input."""
    x = rand(1, 1, 3, 8, 8)
    w = rand(2, 4, 3, 3, 3) * 0.5
    b = rand(3, 4)
    scale, bias = rand(4, 4, low=0.5, high=1.5), rand(5, 4)
    mean, var = rand(6, 4), rand(7, 4, low=0.5, high=2.0)
    fc_w, fc_b = rand(8, 5, 36), rand(9, 5)
    inits = [init("conv.w", w), init("conv.b", b), init("bn.scale", scale),
             init("bn.bias", bias), init("bn.mean", mean), init("bn.var", var),
             init("fc.w", fc_w), init("fc.b", fc_b)]
    nodes = [
        node("Conv", ["x", "conv.w", "conv.b"], ["conv"], kernel_shape=[3, 3],
             pads=[1, 1, 1, 1]),
        node("BatchNormalization",
             ["conv", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["bn"],
             epsilon=1e-3),
        node("Relu", ["bn"], ["relu"]),
        node("MaxPool", ["relu"], ["pool"], kernel_shape=[3, 3],
             strides=[3, 3], pads=[1, 1, 1, 1]),
        node("Flatten", ["pool"], ["flat"]),
        node("Gemm", ["flat", "fc.w", "fc.b"], ["fc"], transB=1, alpha=0.5,
             beta=2.0),
        node("Softmax", ["fc"], ["prob"]),
    ]
    graph_inputs = [vi("x", [1, 3, 8, 8])] + [
        vi(t.name, list(t.dims)) for t in inits]
    m = model(nodes, graph_inputs, [vi("prob", [1, 5])], inits, 7, ir=3)

    conv = conv2d(x, w, b, pads=(1, 1, 1, 1))
    bn = ((conv - mean.reshape(1, -1, 1, 1)) /
          np.sqrt(var.reshape(1, -1, 1, 1) + 1e-3) * scale.reshape(1, -1, 1, 1)
          + bias.reshape(1, -1, 1, 1))
    pool = pool2d(np.maximum(bn, 0), "max", (3, 3), (3, 3), (1, 1, 1, 1))
    fc = 0.5 * pool.reshape(1, -1) @ fc_w.T.astype(np.float64) + 2.0 * fc_b
    save("ir3_initializers", m, {"x": x}, {"prob": softmax(fc, 1)}, out_dir)


def constants(out_dir):
    """Constant nodes and a shape subgraph feeding Reshape."""
    x = rand(11, 2, 3, 4, 5)
    cvals = rand(12, 5)
    const = lambda name, **kw: node("Constant", [], [name], **kw)
    nodes = [
        const("c_scale", value_float=0.5),
        const("c_bias", value=numpy_helper.from_array(cvals, "c_bias_t")),
        const("c_idx", value_int=0),
        const("axes0", value_ints=[0]),
        const("c_minus1", value=numpy_helper.from_array(
            np.array([-1], np.int64), "c_minus1_t")),
        const("c_sub", value=numpy_helper.from_array(
            np.array(0.25, np.float32), "c_sub_t")),
        const("c_div", value=numpy_helper.from_array(
            np.array([3.0], np.float32), "c_div_t")),
        node("Mul", ["x", "c_scale"], ["scaled"]),
        node("Add", ["scaled", "c_bias"], ["biased"]),
        node("Sub", ["biased", "c_sub"], ["shifted"]),
        node("Div", ["shifted", "c_div"], ["divided"]),
        # Reshape to [batch, -1] with the batch read from the shape.
        node("Shape", ["divided"], ["shape"]),
        node("Gather", ["shape", "c_idx"], ["batch"], axis=0),
        node("Unsqueeze", ["batch", "axes0"], ["batch1"]),
        node("Concat", ["batch1", "c_minus1"], ["new_shape"], axis=0),
        node("Reshape", ["divided", "new_shape"], ["y"]),
    ]
    m = model(nodes, [vi("x", [2, 3, 4, 5])], [vi("y", [2, 60])], [], 13)
    y = ((x * 0.5 + cvals) - 0.25) / 3.0
    save("constants", m, {"x": x}, {"y": y.reshape(2, 60)}, out_dir)


def opset_forms(out_dir):
    """Clip, Split, Squeeze, Unsqueeze, Pad, Slice, ReduceSum, Softmax and
    Resize/Upsample in their opset 7, 11 and 13 forms."""
    x = rand(21, 1, 4, 6, 6)
    clip = np.clip(x, -0.5, 0.5)
    relu = np.maximum(x, 0)
    s0, s1 = x[:, :1], x[:, 1:]
    unsq = s0[:, 0][None]
    pad_reflect = np.pad(x, ((0, 0), (0, 0), (1, 2), (2, 1)), mode="reflect")
    pad_const = np.pad(s1, ((0, 0), (1, 0), (0, 0), (0, 1)),
                       constant_values=0.5)
    up = x.repeat(2, axis=2).repeat(2, axis=3)
    sliced = x[:, 1:3, ::2, -1:-5:-1]
    rsum = x.sum(axis=(1, 3), keepdims=True)
    soft3 = x.reshape(1, 4, 36)
    for opset in (7, 11, 13):
        nodes, inits = [], []
        if opset < 11:
            nodes += [node("Clip", ["x"], ["clip"], min=-0.5, max=0.5),
                      node("Clip", ["x"], ["relu"], min=0.0)]
        else:
            inits += [init("lo", -0.5), init("hi", 0.5), init("zero", 0.0)]
            nodes += [node("Clip", ["x", "lo", "hi"], ["clip"]),
                      node("Clip", ["x", "zero"], ["relu"])]
        if opset < 13:
            nodes += [node("Split", ["x"], ["s0", "s1"], axis=1, split=[1, 3]),
                      node("Squeeze", ["s0"], ["sq"], axes=[1]),
                      node("Unsqueeze", ["sq"], ["unsq"], axes=[0]),
                      node("ReduceSum", ["x"], ["rsum"], axes=[1, -1])]
        else:
            inits += [i64("split", [1, 3]), i64("ax1", [1]), i64("ax0", [0]),
                      i64("rax", [1, -1])]
            nodes += [node("Split", ["x", "split"], ["s0", "s1"], axis=1),
                      node("Squeeze", ["s0", "ax1"], ["sq"]),
                      node("Unsqueeze", ["sq", "ax0"], ["unsq"]),
                      node("ReduceSum", ["x", "rax"], ["rsum"])]
        if opset < 11:
            nodes += [
                node("Pad", ["x"], ["pad_reflect"], mode="reflect",
                     pads=[0, 0, 1, 2, 0, 0, 2, 1]),
                node("Pad", ["s1"], ["pad_const"], value=0.5,
                     pads=[0, 1, 0, 0, 0, 0, 0, 1]),
                node("Upsample", ["x"], ["up"], mode="nearest",
                     scales=[1.0, 1.0, 2.0, 2.0]),
                # Slice attributes have no steps: slice then reverse with a
                # second Slice is not possible, so take a forward slice.
                node("Slice", ["x"], ["sliced"], starts=[1, 0, 2],
                     ends=[3, 100, -1], axes=[1, 2, 3]),
            ]
        else:
            inits += [i64("pads_r", [0, 0, 1, 2, 0, 0, 2, 1]),
                      i64("pads_c", [0, 1, 0, 0, 0, 0, 0, 1]),
                      init("pad_val", 0.5), init("roi", np.zeros(0)),
                      init("scales", [1.0, 1.0, 2.0, 2.0]),
                      i64("starts", [1, 0, -1]), i64("ends", [3, 100, -5]),
                      i64("axes", [1, 2, 3]), i64("steps", [1, 2, -1])]
            nodes += [
                node("Pad", ["x", "pads_r"], ["pad_reflect"], mode="reflect"),
                node("Pad", ["s1", "pads_c", "pad_val"], ["pad_const"]),
                node("Resize", ["x", "roi", "scales"], ["up"], mode="nearest",
                     coordinate_transformation_mode="asymmetric",
                     nearest_mode="floor"),
                node("Slice", ["x", "starts", "ends", "axes", "steps"],
                     ["sliced"]),
            ]
        nodes += [node("Reshape", ["x", "shape3"], ["x3"]),
                  node("Softmax", ["x3"], ["soft"], axis=1)]
        inits += [i64("shape3", [1, 4, 36])]
        outputs = ["clip", "relu", "s1", "unsq", "pad_reflect", "pad_const",
                   "up", "sliced", "rsum", "soft"]
        refs = {"clip": clip, "relu": relu, "s1": s1, "unsq": unsq,
                "pad_reflect": pad_reflect, "pad_const": pad_const, "up": up,
                "sliced": sliced if opset >= 11 else x[:, 1:3, 0:100, 2:-1],
                "rsum": rsum,
                "soft": softmax_2d(soft3, 1) if opset < 13 else
                softmax(soft3, 1)}
        m = model(nodes, [vi("x", [1, 4, 6, 6])],
                  [vi(o, None) for o in outputs], inits, opset)
        save("forms_op%d" % opset, m, {"x": x}, refs, out_dir)


def opset18_forms(out_dir):
    """Opset 18+ forms: Split num_outputs, Reduce* axes inputs, Pad axes,
    Mish, and Gelu (opset 20)."""
    x = rand(31, 1, 5, 4, 4)
    inits = [i64("axes_r", [2, 3]), i64("pad_axes", [3]),
             i64("pads", [1, 2])]
    nodes = [
        node("Split", ["x"], ["p0", "p1", "p2"], axis=1, num_outputs=3),
        node("ReduceMean", ["x", "axes_r"], ["rmean"], keepdims=0),
        node("ReduceMax", ["x"], ["rmax_all"], keepdims=1),
        node("ReduceMin", ["x", "empty_axes"], ["rmin_noop"],
             noop_with_empty_axes=1),
        node("Pad", ["x", "pads", "", "pad_axes"], ["padded"], mode="edge"),
        node("Mish", ["x"], ["mish"]),
        node("Gelu", ["x"], ["gelu"]),
        node("Gelu", ["x"], ["gelu_tanh"], approximate="tanh"),
    ]
    inits.append(i64("empty_axes", np.zeros(0)))
    outputs = ["p0", "p1", "p2", "rmean", "rmax_all", "rmin_noop", "padded",
               "mish", "gelu", "gelu_tanh"]
    m = model(nodes, [vi("x", [1, 5, 4, 4])], [vi(o, None) for o in outputs],
              inits, 20, ir=9, check=False)
    xd = x.astype(np.float64)
    refs = {
        "p0": x[:, :2], "p1": x[:, 2:4], "p2": x[:, 4:],
        "rmean": x.mean(axis=(2, 3)),
        "rmax_all": x.max(keepdims=True),
        "rmin_noop": x,
        "padded": np.pad(x, ((0, 0), (0, 0), (0, 0), (1, 2)), mode="edge"),
        "mish": xd * np.tanh(softplus(xd)),
        "gelu": 0.5 * xd * (1 + erf(xd / math.sqrt(2))),
        "gelu_tanh": 0.5 * xd * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                             (xd + 0.044715 * xd ** 3))),
    }
    save("forms_op18", m, {"x": x}, refs, out_dir)


def external_data(out_dir):
    """Weights stored next to the model in x.bin."""
    x = rand(41, 1, 2, 5, 5)
    w = rand(42, 3, 2, 3, 3)
    b = rand(43, 3)
    nodes = [node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3],
                  strides=[2, 2], auto_pad="SAME_UPPER")]
    m = model(nodes, [vi("x", [1, 2, 5, 5])], [vi("y", [1, 3, 3, 3])],
              [init("w", w), init("b", b)], 13)
    # SAME_UPPER with stride 2 on 5: output 3, total padding 2 -> 1 and 1.
    y = conv2d(x, w, b, strides=(2, 2), pads=(1, 1, 1, 1))
    # onnx appends to an existing data file.
    data_file = os.path.join(out_dir, "x.bin")
    if os.path.exists(data_file):
        os.remove(data_file)
    save("external_data", m, {"x": x}, {"y": y}, out_dir,
         save_as_external_data=True, all_tensors_to_one_file=True,
         location="x.bin", size_threshold=0)


def unsupported(out_dir):
    """Unsupported ops and attribute values after a supported prefix."""
    nodes = [
        node("Relu", ["x"], ["relu"]),
        node("TopK", ["relu", "k"], ["v1", "i1"], name="topk1", axis=3),
        node("TopK", ["relu", "k"], ["v2", "i2"], name="topk2", axis=2),
        node("Resize", ["relu", "", "scales"], ["r"], name="resize3",
             mode="cubic"),
        node("Resize", ["relu", "", "s3"], ["r4"], name="resize4",
             mode="linear",
             coordinate_transformation_mode="tf_crop_and_resize"),
        node("Add", ["v1", "v2"], ["s"]),
        # Downstream of an unsupported op: never converted, but its
        # attributes are still checked.
        node("Resize", ["s", "", "scales"], ["r5"], name="resize5",
             mode="cubic"),
        node("Add", ["r5", "r"], ["sr"]),
        node("ReduceSum", ["r4"], ["r4sum"], keepdims=0),
        node("Add", ["sr", "r4sum"], ["y"]),
    ]
    inits = [i64("k", [2]), init("scales", [1.0, 1.0, 1.0, 1.0]),
             init("s3", [1.0, 1.0, 3.0, 3.0])]
    m = model(nodes, [vi("x", [1, 2, 4, 4])], [vi("y", None)], inits, 13,
              check=False)
    x = rand(51, 1, 2, 4, 4)
    save("unsupported", m, {"x": x}, {"relu": np.maximum(x, 0)}, out_dir)


def dynamic(out_dir):
    """A dynamic batch and spatial size, fixed by --input-shapes."""
    x = rand(61, 2, 3, 4, 6)
    nodes = [node("GlobalAveragePool", ["x"], ["gap"]),
             node("Flatten", ["gap"], ["y"])]
    m = model(nodes, [vi("x", ["N", 3, "H", "W"])], [vi("y", ["N", 3])], [],
              13)
    save("dynamic", m, {"x": x}, {"y": x.mean(axis=(2, 3))}, out_dir)
