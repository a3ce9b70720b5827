#!/usr/bin/python3
"""Writes the tiny ONNX models of the ONNX importer's lit tests.

    /usr/bin/python3 python/onnx_models/gen_frontend_tests.py [OUT_DIR]

OUT_DIR defaults to test/Frontend/Onnx/Inputs. For each model NAME it writes
NAME.onnx, NAME_in.npz (the inputs) and NAME_ref.npz (the outputs computed
with numpy, in float64 then rounded to float32). The results are checked
in; rerunning the script reproduces them byte for byte.

Models cover the opset forms the importer must read (attributes that became
inputs, changed defaults), IR 3 initializers listed as graph inputs,
Constant nodes, shape subgraphs, external data, a dynamic input dim,
integer and float16/bfloat16 element types and unsupported ops.
"""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.backend.test.case.node.resize import (interpolate_nd, linear_coeffs,
                                                nearest_coeffs)

F32 = TensorProto.FLOAT
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "test", "Frontend", "Onnx", "Inputs")


def rng(seed):
    return np.random.RandomState(seed)


def rand(seed, *shape, low=-1.0, high=1.0):
    return rng(seed).uniform(low, high, shape).astype(np.float32)


def vi(name, shape, elem=F32):
    return helper.make_tensor_value_info(name, elem, shape)


def init(name, array, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(array, dtype), name)


def i64(name, values):
    return init(name, values, np.int64)


def node(op, inputs, outputs, name=None, **attrs):
    return helper.make_node(op, inputs, outputs, name=name or outputs[0],
                            **attrs)


def model(graph_nodes, inputs, outputs, inits, opset, ir=None, check=True):
    """Outputs given without a shape get the reference's in save()."""
    graph = helper.make_graph(graph_nodes, "g", inputs, outputs, inits)
    m = helper.make_model(graph, producer_name="tpuc-tests",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = ir if ir is not None else (7 if opset <= 13 else 8)
    # onnx 1.12 knows opsets up to 17.
    m.doc_string = "check" if check and opset <= 17 else ""
    return m


def save(name, m, inputs, refs, out_dir, **save_args):
    for out in m.graph.output:
        if not out.type.tensor_type.HasField("shape") and out.name in refs:
            for d in np.shape(refs[out.name]):
                out.type.tensor_type.shape.dim.add().dim_value = d
    if m.doc_string == "check":
        onnx.checker.check_model(m)
    m.doc_string = ""
    onnx.save_model(m, os.path.join(out_dir, name + ".onnx"), **save_args)
    np.savez(os.path.join(out_dir, name + "_in.npz"),
             **{k: v.astype(np.float32) for k, v in inputs.items()})
    if refs is not None:
        np.savez(os.path.join(out_dir, name + "_ref.npz"),
                 **{k: np.asarray(v).astype(np.float32)
                    for k, v in refs.items()})


#===-----------------------------------------------------------------------===#
# numpy references
#===-----------------------------------------------------------------------===#

def conv2d(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0), dil=(1, 1),
           group=1):
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (h + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (wd + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((n, m, oh, ow))
    mg = m // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                r0, c0 = i * dil[0], j * dil[1]
                patch = xp[:, g * cg:(g + 1) * cg,
                           r0:r0 + strides[0] * (oh - 1) + 1:strides[0],
                           c0:c0 + strides[1] * (ow - 1) + 1:strides[1]]
                out[:, g * mg:(g + 1) * mg] += np.einsum(
                    "nchw,mc->nmhw", patch, w[g * mg:(g + 1) * mg, :, i, j])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def conv_transpose2d(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0),
                     dil=(1, 1), output_padding=(0, 0), group=1):
    n, c, h, wd = x.shape
    _, mg, kh, kw = w.shape
    cg = c // group
    full_h = (h - 1) * strides[0] + dil[0] * (kh - 1) + 1 + output_padding[0]
    full_w = (wd - 1) * strides[1] + dil[1] * (kw - 1) + 1 + output_padding[1]
    full = np.zeros((n, mg * group, full_h, full_w))
    for g in range(group):
        xs = x[:, g * cg:(g + 1) * cg].astype(np.float64)
        ws = w[g * cg:(g + 1) * cg].astype(np.float64)
        for i in range(kh):
            for j in range(kw):
                contrib = np.einsum("nchw,cm->nmhw", xs, ws[:, :, i, j])
                r0, c0 = i * dil[0], j * dil[1]
                full[:, g * mg:(g + 1) * mg,
                     r0:r0 + strides[0] * (h - 1) + 1:strides[0],
                     c0:c0 + strides[1] * (wd - 1) + 1:strides[1]] += contrib
    out = full[:, :, pads[0]:full_h - pads[2], pads[1]:full_w - pads[3]]
    if b is not None:
        out = out + b.reshape(1, -1, 1, 1)
    return out


def pool2d(x, kind, kernel, strides, pads, ceil_mode=False,
           count_include_pad=False):
    n, c, h, w = x.shape
    sizes = []
    for d, (size, k, s) in enumerate(zip((h, w), kernel, strides)):
        span = size + pads[d] + pads[d + 2] - k
        if ceil_mode:
            o = -(-span // s) + 1
            if (o - 1) * s >= size + pads[d]:
                o -= 1
        else:
            o = span // s + 1
        sizes.append(o)
    out = np.zeros((n, c, sizes[0], sizes[1]))
    for oy in range(sizes[0]):
        for ox in range(sizes[1]):
            y0, x0 = oy * strides[0] - pads[0], ox * strides[1] - pads[1]
            y1, x1 = y0 + kernel[0], x0 + kernel[1]
            win = x[:, :, max(y0, 0):min(y1, h), max(x0, 0):min(x1, w)]
            if kind == "max":
                out[:, :, oy, ox] = win.max(axis=(2, 3))
            else:
                if count_include_pad:
                    count = ((min(y1, h + pads[2]) - y0) *
                             (min(x1, w + pads[3]) - x0))
                else:
                    count = win.shape[2] * win.shape[3]
                out[:, :, oy, ox] = win.sum(axis=(2, 3)) / count
    return out


def max_pool_indices(x, kernel, strides, pads, dil=(1, 1),
                     column_major=False):
    """Max pooling with ONNX's Indices output: the flat index of each
    maximum in x (first one on ties), padding not counted."""
    n, c, h, w = x.shape
    oh = (h + pads[0] + pads[2] - dil[0] * (kernel[0] - 1) - 1) // strides[0] + 1
    ow = (w + pads[1] + pads[3] - dil[1] * (kernel[1] - 1) - 1) // strides[1] + 1
    out = np.zeros((n, c, oh, ow), np.float32)
    idx = np.zeros((n, c, oh, ow), np.int64)
    for b in range(n):
        for ch in range(c):
            for oy in range(oh):
                for ox in range(ow):
                    best, at = None, -1
                    for ky in range(kernel[0]):
                        y = oy * strides[0] - pads[0] + ky * dil[0]
                        for kx in range(kernel[1]):
                            xx = ox * strides[1] - pads[1] + kx * dil[1]
                            if not (0 <= y < h and 0 <= xx < w):
                                continue
                            v = x[b, ch, y, xx]
                            if best is None or v > best:
                                best = v
                                at = xx * h + y if column_major else y * w + xx
                    out[b, ch, oy, ox] = best
                    idx[b, ch, oy, ox] = (b * c + ch) * h * w + at
    return out, idx


def round_to_bf16(x):
    """float32 to the nearest bfloat16 (ties to even), as float32."""
    bits = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_2d(x, axis):
    """Softmax before opset 13: over all dims from `axis` on."""
    shape = x.shape
    flat = x.reshape(int(np.prod(shape[:axis])), -1)
    return softmax(flat, 1).reshape(shape)


def resize(x, mode, coord, nearest="round_prefer_floor", scales=None,
           sizes=None):
    if mode == "nearest":
        coeffs = lambda ratio, _=None: nearest_coeffs(ratio, mode=nearest)
    else:
        coeffs = lambda ratio, _=None: linear_coeffs(ratio)
    return interpolate_nd(x.astype(np.float64), coeffs, output_size=sizes,
                          scale_factors=scales,
                          coordinate_transformation_mode=coord)


def nearest_tf_half_pixel(x, size):
    """Nearest resize of the last two dims with ONNX's tf_half_pixel_for_nn
    (x_original = (x + 0.5) / scale) and round_prefer_floor; onnx's own
    reference does not implement that coordinate mode."""
    def index_map(in_len, out_len):
        scale = out_len / in_len
        idx = []
        for o in range(out_len):
            src = (o + 0.5) / scale
            r = math.floor(src) if src - math.floor(src) == 0.5 else round(src)
            idx.append(min(max(int(r), 0), in_len - 1))
        return idx
    rows = index_map(x.shape[-2], size[0])
    cols = index_map(x.shape[-1], size[1])
    return np.ascontiguousarray(x[..., rows, :][..., cols])


erf = np.vectorize(math.erf)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softplus(x):
    return np.log1p(np.exp(x))


def depth_to_space(x, b, mode):
    n, c, h, w = x.shape
    if mode == "DCR":
        t = x.reshape(n, b, b, c // (b * b), h, w).transpose(0, 3, 4, 1, 5, 2)
    else:
        t = x.reshape(n, c // (b * b), b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
    return t.reshape(n, c // (b * b), h * b, w * b)


def space_to_depth(x, b):
    n, c, h, w = x.shape
    t = x.reshape(n, c, h // b, b, w // b, b).transpose(0, 3, 5, 1, 2, 4)
    return t.reshape(n, c * b * b, h // b, w // b)


#===-----------------------------------------------------------------------===#
# Models
#===-----------------------------------------------------------------------===#

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


def nn_ops(out_dir):
    """Convolutions, matmuls, pools and norms."""
    x = rand(71, 1, 4, 6, 6)
    dw = rand(72, 4, 1, 3, 3)
    ct_w, ct_b = rand(73, 4, 3, 3, 3), rand(74, 3)
    gemm_a = rand(75, 3, 4)
    gemm_b, gemm_c = rand(76, 5, 4), rand(77, 5)
    mm_b = rand(78, 6, 7)
    in_s, in_b = rand(79, 4), rand(80, 4)
    ln_s, ln_b = rand(81, 6), rand(82, 6)
    slope = rand(83, 4, 1, 1)
    inits = [init("dw", dw), init("ct_w", ct_w), init("ct_b", ct_b),
             init("gemm_b", gemm_b), init("gemm_c", gemm_c),
             init("mm_b", mm_b), init("in_s", in_s), init("in_b", in_b),
             init("ln_s", ln_s), init("ln_b", ln_b), init("slope", slope),
             i64("axis1", [1])]
    nodes = [
        # Depthwise, dilated, SAME_LOWER.
        node("Conv", ["x", "dw"], ["dwconv"], group=4, dilations=[2, 2],
             auto_pad="SAME_LOWER"),
        node("ConvTranspose", ["x", "ct_w", "ct_b"], ["deconv"],
             strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1]),
        node("ConvTranspose", ["x", "ct_w"], ["deconv_same"], strides=[2, 2],
             auto_pad="SAME_UPPER"),
        node("Gemm", ["a", "gemm_b", "gemm_c"], ["gemm"], transB=1,
             alpha=0.75, beta=0.5),
        # Both operands computed at run time: alpha and beta scale there.
        node("ReduceSum", ["a", "axis1"], ["a_rows"]),
        node("Gemm", ["a", "a", "a_rows"], ["gemm_rt"], transB=1, alpha=0.5,
             beta=2.0),
        node("MatMul", ["x", "mm_b"], ["matmul"]),
        node("InstanceNormalization", ["x", "in_s", "in_b"], ["inorm"],
             epsilon=1e-4),
        node("LayerNormalization", ["x", "ln_s", "ln_b"], ["lnorm"], axis=-1),
        node("AveragePool", ["x"], ["avg_ceil"], kernel_shape=[3, 3],
             strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1,
             count_include_pad=1),
        node("AveragePool", ["x"], ["avg_same"], kernel_shape=[2, 2],
             auto_pad="SAME_UPPER"),
        node("MaxPool", ["x"], ["max_ceil"], kernel_shape=[2, 2],
             strides=[2, 2], ceil_mode=1, pads=[0, 0, 1, 1]),
        # Dilated windows; the Indices output row- and column-major.
        node("MaxPool", ["x"], ["max_dil"], kernel_shape=[2, 2],
             dilations=[2, 3], pads=[1, 1, 0, 1]),
        node("MaxPool", ["x"], ["max_val", "max_idx"], kernel_shape=[3, 3],
             strides=[2, 2], pads=[1, 1, 1, 1]),
        node("MaxPool", ["x"], ["max_col_unused", "max_idx_col"], kernel_shape=[2, 2],
             strides=[1, 2], storage_order=1),
        node("GlobalAveragePool", ["x"], ["gap"]),
        node("GlobalMaxPool", ["x"], ["gmp"]),
        node("PRelu", ["x", "slope"], ["prelu"]),
        node("LogSoftmax", ["x"], ["logsoft"], axis=2),
        # The training outputs of LayerNormalization.
        node("LayerNormalization", ["x", "ln_s2"],
             ["lnorm2", "ln_mean", "ln_invstd"], axis=2, epsilon=1e-3),
        node("LayerNormalization", ["x", "ln_s2"],
             ["lnorm_unused", "", "ln_invstd2"],
             axis=-2),
    ]
    outputs = ["dwconv", "deconv", "deconv_same", "gemm", "gemm_rt", "matmul",
               "inorm",
               "lnorm", "avg_ceil", "avg_same", "max_ceil", "max_dil",
               "max_val", "max_idx", "max_idx_col", "gap", "gmp", "prelu",
               "logsoft", "lnorm2", "ln_mean", "ln_invstd", "ln_invstd2"]
    elems = {"max_idx": TensorProto.INT64, "max_idx_col": TensorProto.INT64}
    ln_s2 = rand(84, 6, 6)
    inits.append(init("ln_s2", ln_s2))
    m = model(nodes, [vi("x", [1, 4, 6, 6]), vi("a", [3, 4])],
              [vi(o, None, elems.get(o, F32)) for o in outputs], inits, 17)
    xd = x.astype(np.float64)
    mean = xd.mean(axis=(2, 3), keepdims=True)
    var = xd.var(axis=(2, 3), keepdims=True)
    lmean = xd.mean(axis=-1, keepdims=True)
    lvar = xd.var(axis=-1, keepdims=True)
    lmean2 = xd.mean(axis=(2, 3), keepdims=True)
    lvar2 = xd.var(axis=(2, 3), keepdims=True)
    max_val, max_idx = max_pool_indices(x, (3, 3), (2, 2), (1, 1, 1, 1))
    _, max_idx_col = max_pool_indices(x, (2, 2), (1, 2), (0, 0, 0, 0),
                                      column_major=True)
    # SAME_UPPER deconv: output 12, total padding 3*... computed by ONNX's
    # rule: total = 2*5 + 3 - 12 = 1 -> begin 0, end 1.
    refs = {
        "dwconv": conv2d(x, dw, pads=(2, 2, 2, 2), dil=(2, 2), group=4),
        "deconv": conv_transpose2d(x, ct_w, ct_b, strides=(2, 2),
                                   pads=(1, 1, 1, 1), output_padding=(1, 1)),
        "deconv_same": conv_transpose2d(x, ct_w, strides=(2, 2),
                                        pads=(0, 0, 1, 1)),
        "gemm": 0.75 * gemm_a.astype(np.float64) @ gemm_b.T + 0.5 * gemm_c,
        "gemm_rt": 0.5 * gemm_a.astype(np.float64) @ gemm_a.T +
        2.0 * gemm_a.astype(np.float64).sum(axis=1, keepdims=True),
        "matmul": xd @ mm_b,
        "inorm": (xd - mean) / np.sqrt(var + 1e-4) *
        in_s.reshape(1, -1, 1, 1) + in_b.reshape(1, -1, 1, 1),
        "lnorm": (xd - lmean) / np.sqrt(lvar + 1e-5) * ln_s + ln_b,
        "avg_ceil": pool2d(x, "avg", (3, 3), (2, 2), (1, 1, 1, 1), True, True),
        "avg_same": pool2d(x, "avg", (2, 2), (1, 1), (0, 0, 1, 1)),
        "max_ceil": pool2d(x, "max", (2, 2), (2, 2), (0, 0, 1, 1), True),
        "max_dil": max_pool_indices(x, (2, 2), (1, 1), (1, 1, 0, 1),
                                    dil=(2, 3))[0],
        "max_val": max_val, "max_idx": max_idx, "max_idx_col": max_idx_col,
        "lnorm2": (xd - lmean2) / np.sqrt(lvar2 + 1e-3) * ln_s2,
        "ln_mean": lmean2, "ln_invstd": 1 / np.sqrt(lvar2 + 1e-3),
        "ln_invstd2": 1 / np.sqrt(lvar2 + 1e-5),
        "gap": xd.mean(axis=(2, 3), keepdims=True),
        "gmp": xd.max(axis=(2, 3), keepdims=True),
        "prelu": np.where(x >= 0, x, x * slope),
        "logsoft": np.log(softmax(xd, 2)),
    }
    save("nn_ops", m, {"x": x, "a": gemm_a}, refs, out_dir)


def elementwise_ops(out_dir):
    """Activations, arithmetic with constants, comparisons and logic."""
    x = rand(91, 1, 3, 4, 4)
    z = rand(92, 1, 3, 4, 4)
    row = rand(93, 4)
    inits = [init("two", 2.0), init("three", [3.0]), init("row", row),
             init("cmp", 0.1)]
    nodes = [
        node("LeakyRelu", ["x"], ["leaky"], alpha=0.2),
        node("HardSigmoid", ["x"], ["hsig"], alpha=0.3, beta=0.4),
        node("HardSwish", ["x"], ["hswish"]),
        node("Tanh", ["x"], ["tanh"]),
        node("Sigmoid", ["x"], ["sig"]),
        node("Softplus", ["x"], ["softplus"]),
        node("Elu", ["x"], ["elu"], alpha=0.7),
        node("Erf", ["x"], ["erf"]),
        node("Exp", ["x"], ["exp"]),
        node("Abs", ["x"], ["abs"]),
        node("Add", ["abs", "three"], ["abs3"]),
        node("Log", ["abs3"], ["log"]),
        node("Sqrt", ["abs"], ["sqrt"]),
        node("Reciprocal", ["abs3"], ["recip"]),
        node("Pow", ["x", "two"], ["pow"]),
        node("Neg", ["x"], ["neg"]),
        node("Sub", ["three", "x"], ["rsub"]),
        node("Div", ["x", "three"], ["div"]),
        node("Mul", ["x", "row"], ["mulrow"]),
        node("Max", ["x", "z", "row"], ["max3"]),
        node("Min", ["x", "z"], ["min2"]),
        node("Sum", ["x", "z", "row"], ["sum3"]),
        node("Mean", ["x", "z"], ["mean2"]),
        node("Greater", ["x", "cmp"], ["gt"]),
        node("Less", ["x", "z"], ["lt"]),
        node("Equal", ["gt", "lt"], ["eq"]),
        node("Cast", ["lt"], ["lt_f"], to=F32),
        node("Not", ["gt"], ["not"]),
        node("And", ["gt", "lt"], ["and"]),
        node("Where", ["gt", "x", "z"], ["where"]),
        node("Cast", ["where"], ["where_i"], to=TensorProto.INT32),
        node("Identity", ["where_i"], ["ident"]),
        node("Dropout", ["ident"], ["drop"]),
        node("Clip", ["x", "", "cmp"], ["clip_max"]),
    ]
    outputs = ["leaky", "hsig", "hswish", "tanh", "sig", "softplus", "elu",
               "erf", "exp", "log", "sqrt", "recip", "pow", "neg", "rsub",
               "div", "mulrow", "max3", "min2", "sum3", "mean2", "gt", "lt_f",
               "eq", "not", "and", "drop", "clip_max"]
    elems = {"gt": TensorProto.BOOL, "eq": TensorProto.BOOL,
             "not": TensorProto.BOOL, "and": TensorProto.BOOL,
             "drop": TensorProto.INT32}
    m = model(nodes, [vi("x", [1, 3, 4, 4]), vi("z", [1, 3, 4, 4])],
              [vi(o, None, elems.get(o, F32)) for o in outputs], inits, 14)
    xd = x.astype(np.float64)
    gt, lt = x > np.float32(0.1), x < z
    a3 = np.abs(x) + np.float32(3.0)
    where = np.where(gt, x, z)
    refs = {
        "leaky": np.where(xd >= 0, xd, 0.2 * xd),
        "hsig": np.clip(0.3 * xd + 0.4, 0, 1),
        "hswish": xd * np.clip(xd / 6 + 0.5, 0, 1),
        "tanh": np.tanh(xd), "sig": sigmoid(xd), "softplus": softplus(xd),
        "elu": np.where(xd > 0, xd, 0.7 * (np.exp(xd) - 1)),
        "erf": erf(xd), "exp": np.exp(xd), "log": np.log(a3),
        "sqrt": np.sqrt(np.abs(xd)), "recip": 1 / a3.astype(np.float64),
        "pow": xd ** 2, "neg": -xd, "rsub": 3 - xd, "div": xd / 3,
        "mulrow": xd * row, "max3": np.maximum(np.maximum(x, z), row),
        "min2": np.minimum(x, z), "sum3": xd + z + row, "mean2": (xd + z) / 2,
        "gt": gt, "lt_f": lt, "eq": gt == lt, "not": ~gt, "and": gt & lt,
        "drop": np.trunc(where), "clip_max": np.minimum(x, np.float32(0.1)),
    }
    save("elementwise_ops", m, {"x": x, "z": z}, refs, out_dir)


def shape_ops(out_dir):
    """Data movement, reductions, ArgMax and Gather."""
    x = rand(101, 1, 8, 2, 3)
    inits = [i64("eshape", [2, 1, 8, 2, 3]), i64("reps", [1, 1, 2, 2]),
             i64("idx", [2, -1, 0]), i64("idx0", 1),
             init("cat_w", rand(102, 1, 2, 2, 3))]
    nodes = [
        node("Transpose", ["x"], ["perm"], perm=[0, 2, 3, 1]),
        node("Flatten", ["x"], ["flat2"], axis=2),
        node("Flatten", ["x"], ["flat1"], axis=1),
        node("Expand", ["x", "eshape"], ["expand"]),
        node("Tile", ["x", "reps"], ["tile"]),
        node("DepthToSpace", ["x"], ["d2s_dcr"], blocksize=2),
        node("DepthToSpace", ["x"], ["d2s_crd"], blocksize=2, mode="CRD"),
        node("SpaceToDepth", ["d2s_dcr"], ["s2d"], blocksize=2),
        node("ReduceMean", ["x"], ["rmean"], axes=[1], keepdims=0),
        node("ReduceMax", ["x"], ["rmax"], axes=[2, 3]),
        node("ReduceMin", ["x"], ["rmin"], axes=[-1]),
        node("ReduceProd", ["x"], ["rprod"], axes=[2]),
        node("ReduceL2", ["x"], ["rl2"], axes=[1]),
        node("ReduceL1", ["x"], ["rl1"], axes=[1]),
        node("ReduceSumSquare", ["x"], ["rss"], axes=[3]),
        node("ArgMax", ["x"], ["argmax"], axis=1),
        node("ArgMin", ["x"], ["argmin"], axis=-1, keepdims=0,
             select_last_index=1),
        node("Gather", ["x", "idx"], ["gather"], axis=1),
        node("Gather", ["x", "idx0"], ["gather0"], axis=3),
        node("Concat", ["x", "cat_w"], ["concat"], axis=1),
    ]
    outputs = ["perm", "flat2", "flat1", "expand", "tile", "d2s_dcr",
               "d2s_crd", "s2d", "rmean", "rmax", "rmin", "rprod", "rl2",
               "rl1", "rss", "argmax", "argmin", "gather", "gather0",
               "concat"]
    elems = {"argmax": TensorProto.INT64, "argmin": TensorProto.INT64}
    m = model(nodes, [vi("x", [1, 8, 2, 3])],
              [vi(o, None, elems.get(o, F32)) for o in outputs], inits, 13)
    xd = x.astype(np.float64)
    cat_w = numpy_helper.to_array(inits[-1])
    refs = {
        "perm": x.transpose(0, 2, 3, 1), "flat2": x.reshape(8, 6),
        "flat1": x.reshape(1, 48),
        "expand": np.broadcast_to(x, (2, 1, 8, 2, 3)),
        "tile": np.tile(x, (1, 1, 2, 2)),
        "d2s_dcr": depth_to_space(x, 2, "DCR"),
        "d2s_crd": depth_to_space(x, 2, "CRD"),
        "s2d": space_to_depth(depth_to_space(x, 2, "DCR"), 2),
        "rmean": xd.mean(axis=1), "rmax": x.max(axis=(2, 3), keepdims=True),
        "rmin": x.min(axis=-1, keepdims=True),
        "rprod": xd.prod(axis=2, keepdims=True),
        "rl2": np.sqrt((xd ** 2).sum(axis=1, keepdims=True)),
        "rl1": np.abs(xd).sum(axis=1, keepdims=True),
        "rss": (xd ** 2).sum(axis=3, keepdims=True),
        "argmax": x.argmax(axis=1)[:, None],
        "argmin": 2 - x[..., ::-1].argmin(axis=-1),
        "gather": x[:, [2, 7, 0]], "gather0": x[:, :, :, 1],
        "concat": np.concatenate([x, cat_w], axis=1),
    }
    save("shape_ops", m, {"x": x}, refs, out_dir)


def resize_modes(out_dir):
    """Resize modes mapped to Upsample or Interp."""
    x = rand(111, 1, 2, 3, 4)
    inits = [init("roi", np.zeros(0)), init("s2", [1.0, 1.0, 2.0, 2.0]),
             init("s15", [1.0, 1.0, 1.5, 1.5]), i64("sizes", [1, 2, 5, 7])]
    nodes = [
        # Integer factor, asymmetric floor: top.Upsample.
        node("Resize", ["x", "roi", "s2"], ["up_floor"], mode="nearest",
             coordinate_transformation_mode="asymmetric",
             nearest_mode="floor"),
        # Integer factor 2, half_pixel round_prefer_floor reads the same
        # indices as floor(x / 2): also top.Upsample.
        node("Resize", ["x", "roi", "s2"], ["up_half"], mode="nearest"),
        # round_prefer_ceil differs from Interp's rounding only at .5,
        # which half_pixel never gives for factor 2: top.Upsample again.
        node("Resize", ["x", "roi", "s2"], ["up2_ceil"], mode="nearest",
             nearest_mode="round_prefer_ceil"),
        node("Resize", ["x", "roi", "s15"], ["near15"], mode="nearest"),
        node("Resize", ["x", "roi", "s15"], ["near15_asym"], mode="nearest",
             coordinate_transformation_mode="asymmetric",
             nearest_mode="floor"),
        node("Resize", ["x", "roi", "", "sizes"], ["lin_align"],
             mode="linear", coordinate_transformation_mode="align_corners"),
        node("Resize", ["x", "roi", "s15"], ["lin_half"], mode="linear"),
        node("Resize", ["x", "roi", "", "sizes"], ["lin_pytorch"],
             mode="linear",
             coordinate_transformation_mode="pytorch_half_pixel"),
        node("Resize", ["x", "roi", "s2"], ["lin_asym"], mode="linear",
             coordinate_transformation_mode="asymmetric"),
        # Every nearest_mode: top.Interp takes it as it is, or reads the
        # same indices with another coordinate mode (tf_half_pixel_for_nn
        # with round_prefer_floor is half_pixel with ceil).
        node("Resize", ["x", "roi", "", "sizes"], ["near_ceil"],
             mode="nearest", nearest_mode="ceil"),
        node("Resize", ["x", "roi", "s15"], ["near_rpc_asym"],
             mode="nearest", coordinate_transformation_mode="asymmetric",
             nearest_mode="round_prefer_ceil"),
        node("Resize", ["x", "roi", "", "sizes"], ["near_floor_align"],
             mode="nearest", coordinate_transformation_mode="align_corners",
             nearest_mode="floor"),
        node("Resize", ["x", "roi", "", "down"], ["near_tf_nn"],
             mode="nearest",
             coordinate_transformation_mode="tf_half_pixel_for_nn"),
    ]
    outputs = ["up_floor", "up_half", "up2_ceil", "near15", "near15_asym",
               "lin_align",
               "lin_half", "lin_pytorch", "lin_asym", "near_ceil",
               "near_rpc_asym", "near_floor_align", "near_tf_nn"]
    inits.append(i64("down", [1, 2, 2, 3]))
    m = model(nodes, [vi("x", [1, 2, 3, 4])], [vi(o, None) for o in outputs],
              inits, 13)
    s2, s15 = [1, 1, 2, 2], [1, 1, 1.5, 1.5]
    sizes = [1, 2, 5, 7]
    refs = {
        "up_floor": resize(x, "nearest", "asymmetric", "floor", scales=s2),
        "up_half": resize(x, "nearest", "half_pixel", scales=s2),
        "up2_ceil": resize(x, "nearest", "half_pixel", "round_prefer_ceil",
                           scales=s2),
        "near15": resize(x, "nearest", "half_pixel", scales=s15),
        "near15_asym": resize(x, "nearest", "asymmetric", "floor",
                              scales=s15),
        "lin_align": resize(x, "linear", "align_corners", sizes=sizes),
        "lin_half": resize(x, "linear", "half_pixel", scales=s15),
        "lin_pytorch": resize(x, "linear", "pytorch_half_pixel", sizes=sizes),
        "lin_asym": resize(x, "linear", "asymmetric", scales=s2),
        "near_ceil": resize(x, "nearest", "half_pixel", "ceil", sizes=sizes),
        "near_rpc_asym": resize(x, "nearest", "asymmetric",
                                "round_prefer_ceil", scales=s15),
        "near_floor_align": resize(x, "nearest", "align_corners", "floor",
                                   sizes=sizes),
        "near_tf_nn": nearest_tf_half_pixel(x, (2, 3)),
    }
    save("resize_modes", m, {"x": x}, refs, out_dir)


def typed_ops(out_dir):
    """Integer Div and Pow, tensor exponents, casts to float16/bfloat16,
    CastLike and Dropout's mask."""
    r = rng(121)
    a = r.randint(-20, 21, (2, 6)).astype(np.int32)
    b = np.array([3, -4, 5, 7, -2, 6], np.int32)
    e = np.array([2, 3, 0, 1, -1, 2], np.int32)
    # Magnitudes up to float16's largest value 65504, which 65519 rounds to;
    # 1 + 2^-11 and 1 + 2^-8 lie halfway between two float16 and two
    # bfloat16 values and round to the even one.
    x = rand(122, 2, 6, low=-60000.0, high=60000.0)
    x[0, :4] = [0.1, -1.00048828125, 65519.0, 1.00390625]
    inits = [init("e", e, np.int32), init("half", 0.5),
             init("like_f16", np.zeros(1), np.float16),
             init("fexp", [0.5, 2.0, -1.0, 1.5, 3.0, 0.0])]
    I32, F16, BF16 = TensorProto.INT32, TensorProto.FLOAT16, TensorProto.BFLOAT16
    nodes = [
        # Integer division truncates toward zero.
        node("Div", ["a", "b"], ["div_int"]),
        node("Pow", ["a", "e"], ["pow_int"]),
        node("Abs", ["a"], ["aabs"]),
        node("Pow", ["aabs", "half"], ["pow_int_scalar"]),
        node("Abs", ["x"], ["xabs"]),
        node("Div", ["xabs", "x_scale"], ["xs"]),
        node("Pow", ["xs", "fexp"], ["pow_float"]),
        node("Pow", ["xs", "b"], ["pow_float_int"]),
        node("Cast", ["x"], ["x_f16"], to=F16),
        node("Cast", ["x"], ["x_bf16"], to=BF16),
        node("CastLike", ["x", "like_f16"], ["x_like"]),
        node("Dropout", ["x"], ["drop", "mask"]),
    ]
    inits.append(init("x_scale", 40000.0))
    outputs = {"div_int": I32, "pow_int": I32, "pow_int_scalar": I32,
               "pow_float": F32, "pow_float_int": F32, "x_f16": F16,
               "x_bf16": BF16, "x_like": F16, "drop": F32,
               "mask": TensorProto.BOOL}
    m = model(nodes, [vi("a", [2, 6], I32), vi("b", [6], I32),
                      vi("x", [2, 6])],
              [vi(o, None, t) for o, t in outputs.items()], inits, 15)
    ad, xs = a.astype(np.float64), np.abs(x) / np.float32(40000.0)
    refs = {
        "div_int": np.trunc(ad / b), "pow_int": np.trunc(ad ** e.astype(
            np.float64)),
        "pow_int_scalar": np.trunc(np.sqrt(np.abs(ad))),
        "pow_float": xs.astype(np.float64) ** numpy_helper.to_array(
            inits[3]),
        "pow_float_int": xs.astype(np.float64) ** b.astype(np.float64),
        "x_f16": x.astype(np.float16), "x_bf16": round_to_bf16(x),
        "x_like": x.astype(np.float16), "drop": x,
        "mask": np.ones(x.shape, bool),
    }
    save("typed_ops", m, {"a": a, "b": b, "x": x}, refs, out_dir)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else OUT_DIR
    os.makedirs(out_dir, exist_ok=True)
    for gen in (ir3_initializers, constants, opset_forms, opset18_forms,
                external_data, unsupported, dynamic, nn_ops, elementwise_ops,
                shape_ops, resize_modes, typed_ops):
        gen(out_dir)


if __name__ == "__main__":
    main()
