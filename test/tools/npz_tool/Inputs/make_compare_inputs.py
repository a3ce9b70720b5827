"""Writes <prefix>.a.npz and <prefix>.b.npz for compare.test."""

import sys

import numpy as np

prefix = sys.argv[1]
f32 = np.float32
a = {
    "same": np.arange(8, dtype=f32).reshape(2, 4),
    "close": np.array([1, 2, 3, 4], f32),
    "far": np.array([1, 2, 3, 4], f32),
    "shape": np.zeros((2, 3), f32),
    "asint": np.array([1, 2, 3], np.int8),
    "onlya": np.ones(2, f32),
    "nan": np.array([1, np.nan], f32),
}
b = {
    "far": np.array([4, 3, 2, 1], f32),
    "same": np.arange(8, dtype=f32).reshape(8),
    "close": np.array([1, 2, 3, 4.01], f32),
    "shape": np.zeros(4, f32),
    "asint": np.array([1, 2, 3], f32),
    "onlyb": np.ones(2, f32),
    "nan": np.array([1, 2], f32),
}
np.savez(prefix + ".a.npz", **a)
np.savez_compressed(prefix + ".b.npz", **b)
