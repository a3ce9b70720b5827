"""numpy references for the ONNX importer's test models.

Computed in float64; gen_frontend_tests.py rounds the outputs to float32.
"""
import math

import numpy as np
from onnx.backend.test.case.node.resize import (interpolate_nd, linear_coeffs,
                                                nearest_coeffs)


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
