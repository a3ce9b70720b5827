"""ONNX importer test models of neural network and elementwise ops:
convolutions, matmuls, pools, norms, activations, arithmetic, comparisons
and logic.
"""
import numpy as np
from onnx import TensorProto

from frontend_builders import F32, i64, init, model, node, rand, save, vi
from frontend_refs import (conv2d, conv_transpose2d, erf, max_pool_indices,
                           pool2d, sigmoid, softmax, softplus)


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
