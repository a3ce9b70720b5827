#!/usr/bin/python3
"""Generates examples/tiny_cnn: a small Top-dialect classifier, its weights,
an input and the expected output computed independently with numpy.

Run with Debian's python3 (it has numpy):  /usr/bin/python3 python/gen_example_model.py
The .mlir leaves most result dims unknown (`?`) so that `--shape-infer` has
work to do, and has a Conv→BatchNorm→Relu chain and x*sigmoid(x) for
`--canonicalize` to fuse.
"""
import os
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")
rng = np.random.default_rng(20261122)


def conv2d(x, w, b, stride, pad):
    n, c, h, wd = x.shape
    oc, ic, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (wd + 2 * pad - kw) // stride + 1
    y = np.zeros((n, oc, oh, ow), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return y + b.reshape(1, -1, 1, 1)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def forward(x, weights):
    """Reference forward pass in float64."""
    f = {k: v.astype(np.float64) for k, v in weights.items()}
    y = conv2d(x.astype(np.float64), f["conv1_w"], f["conv1_b"], 1, 1)
    y = (y - f["bn1_mean"].reshape(1, -1, 1, 1)) / np.sqrt(
        f["bn1_var"].reshape(1, -1, 1, 1) + 1e-5)
    y = y * f["bn1_gamma"].reshape(1, -1, 1, 1) + f["bn1_beta"].reshape(1, -1, 1, 1)
    y = np.maximum(y, 0)
    y = y.reshape(1, 8, 16, 2, 16, 2).max(axis=(3, 5))  # MaxPool 2x2 stride 2
    y = conv2d(y, f["conv2_w"], f["conv2_b"], 2, 1)
    y = y * sigmoid(y)
    y = y.mean(axis=(2, 3))  # GlobalAvgPool + Flatten
    y = y @ f["fc_w"] + f["fc_b"]
    e = np.exp(y - y.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main():
    x = rng.uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32)
    w = {
        "conv1_w": rng.normal(0, 0.3, (8, 3, 3, 3)),
        "conv1_b": rng.normal(0, 0.1, (8,)),
        "bn1_mean": rng.normal(0, 0.1, (8,)),
        "bn1_var": rng.uniform(0.5, 1.5, (8,)),
        "bn1_gamma": rng.uniform(0.5, 1.5, (8,)),
        "bn1_beta": rng.normal(0, 0.1, (8,)),
        "conv2_w": rng.normal(0, 0.2, (16, 8, 3, 3)),
        "conv2_b": rng.normal(0, 0.1, (16,)),
        "fc_w": rng.normal(0, 0.3, (16, 10)),
        "fc_b": rng.normal(0, 0.1, (10,)),
    }
    w = {k: v.astype(np.float32) for k, v in w.items()}

    prob = forward(x, w)

    np.savez(os.path.join(OUT, "tiny_cnn_weight.npz"), **w)
    np.savez(os.path.join(OUT, "tiny_cnn_input.npz"), input=x)
    np.savez(os.path.join(OUT, "tiny_cnn_reference.npz"),
             prob=prob.astype(np.float32))


if __name__ == "__main__":
    main()
