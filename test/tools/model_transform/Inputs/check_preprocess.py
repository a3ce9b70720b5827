"""Checks a preprocessed test input against a numpy model of tpu-mlir's
reference preprocessing (resize or letterbox, HWC->CHW, centre crop, float32,
rgb reorder, (x - mean) * scale, nhwc, batch repeat).

    check_preprocess.py ACTUAL.npz TENSOR IMAGE --shape 1,3,4,4
        [--pixel_format rgb] [--channel_format nchw] [--keep_aspect_ratio]
        [--resize_dims h,w] [--mean m,..] [--scale s,..] [--tol T]

Prints "OK" when every element is within T (default 0: exact) of the
expectation, otherwise the differences, and exits 1.
"""
import argparse
import sys

import numpy as np

from images import test_image


def floats(text):
    return [float(v) for v in text.split(",")] if text else []


def ints(text):
    return [int(v) for v in text.split(",")] if text else []


def resize_linear(img, h, w):
    """cv2.resize(INTER_LINEAR) in float: half-pixel centres, edge clamp."""
    def taps(out_size, in_size):
        x = (np.arange(out_size) + 0.5) * (in_size / out_size) - 0.5
        x0 = np.floor(x).astype(int)
        frac = x - x0
        low = x0 < 0
        x0[low], frac[low] = 0, 0
        high = x0 >= in_size - 1
        x0[high], frac[high] = in_size - 1, 0
        return x0, np.minimum(x0 + 1, in_size - 1), frac

    y0, y1, fy = taps(h, img.shape[0])
    x0, x1, fx = taps(w, img.shape[1])
    img = img.astype(np.float64)
    if img.ndim == 2:
        img = img[:, :, None]
    fx = fx[None, :, None]
    top = img[y0][:, x0] * (1 - fx) + img[y0][:, x1] * fx
    bottom = img[y1][:, x0] * (1 - fx) + img[y1][:, x1] * fx
    out = top * (1 - fy[:, None, None]) + bottom * fy[:, None, None]
    return np.clip(np.floor(out + 0.5), 0, 255).astype(np.uint8)


def letterbox(img, h, w):
    ih, iw = img.shape[:2]
    scale = min(w / iw, h / ih)
    rw, rh = int(iw * scale), int(ih * scale)
    resized = resize_linear(img, rh, rw)
    canvas = np.zeros((h, w, resized.shape[2]), np.uint8)
    top, left = (h - rh) // 2, (w - rw) // 2
    canvas[top:top + rh, left:left + rw] = resized
    return canvas


def expected(args):
    pixels = np.asarray(test_image(args.image), np.uint8)
    if args.pixel_format == "gray":
        assert pixels.ndim == 2, "gray tests use gray images"
        image = pixels
    elif args.pixel_format == "rgba":
        image = pixels  # read as BGRA, converted back to RGBA
    else:
        image = pixels[:, :, ::-1]  # cv2.imread gives BGR
    shape = ints(args.shape)
    nhwc = args.channel_format == "nhwc"
    net_h, net_w = shape[-3:-1] if nhwc else shape[-2:]
    rh, rw = ints(args.resize_dims) or [net_h, net_w]
    if args.keep_aspect_ratio:
        x = letterbox(image, rh, rw)
    else:
        x = resize_linear(image, rh, rw)
    x = np.transpose(x, (2, 0, 1))
    top, left = rh // 2 - net_h // 2, rw // 2 - net_w // 2
    x = x[:, top:top + net_h, left:left + net_w].astype(np.float32)
    if args.pixel_format == "rgb":
        x = x[[2, 1, 0]]
    channels = x.shape[0]
    mean = np.array(floats(args.mean) or [0.0], np.float32)
    scale = np.array(floats(args.scale) or [1.0], np.float32)
    mean = np.broadcast_to(mean, (channels,))[:, None, None]
    scale = np.broadcast_to(scale, (channels,))[:, None, None]
    x = (x - mean) * scale
    if nhwc:
        x = np.transpose(x, (1, 2, 0))
    if len(shape) == 4:
        x = np.repeat(x[None], shape[0], axis=0)
    return x


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("actual")
    parser.add_argument("tensor")
    parser.add_argument("image")
    parser.add_argument("--shape", required=True)
    parser.add_argument("--pixel_format", default="bgr")
    parser.add_argument("--channel_format", default="nchw")
    parser.add_argument("--keep_aspect_ratio", action="store_true")
    parser.add_argument("--resize_dims", default="")
    parser.add_argument("--mean", default="")
    parser.add_argument("--scale", default="")
    parser.add_argument("--tol", type=float, default=0.0)
    args = parser.parse_args()
    actual = np.load(args.actual)[args.tensor]
    want = expected(args)
    if actual.dtype != np.float32 or actual.shape != want.shape:
        print("FAIL: got %s %s, want float32 %s" %
              (actual.dtype, actual.shape, want.shape))
        sys.exit(1)
    diff = np.abs(actual - want)
    if diff.max() > args.tol:
        print("FAIL: max diff %g at %s" %
              (diff.max(), np.unravel_index(diff.argmax(), diff.shape)))
        print("got\n%s\nwant\n%s" % (actual, want))
        sys.exit(1)
    print("OK")


main()
