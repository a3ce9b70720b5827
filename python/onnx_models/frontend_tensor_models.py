"""ONNX importer test models of data movement and typed ops: shape ops,
reductions, Gather, Resize modes, integer and float16/bfloat16 types.
"""
import numpy as np
from onnx import TensorProto, numpy_helper

from frontend_builders import F32, i64, init, model, node, rand, rng, save, vi
from frontend_refs import (depth_to_space, nearest_tf_half_pixel, resize,
                           round_to_bf16, space_to_depth)


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
