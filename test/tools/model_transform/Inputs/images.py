"""Writes small 8-bit PNG images for the model_transform tests.

    images.py OUT.png NAME    writes one of the test images below

PNGs are written with zlib only (no imaging library is installed). Channel
order in the file is RGB(A); OpenCV reads it back as BGR(A).
"""
import sys

import numpy as np
from png_writer import write_png


def test_image(name):
    """The RGB(A) pixels of a named test image, as stored in the file."""
    if name == "wide":  # 2 rows x 4 columns, distinct values per channel
        r = np.arange(8).reshape(2, 4) * 10 + 10
        return np.stack([r, r + 1, r + 2], axis=-1)
    if name == "square2":  # 2x2, multiples of 16 so bilinear x2 is exact
        r = np.array([[0, 64], [128, 192]])
        return np.stack([r, r + 16, r + 32], axis=-1)
    if name == "square6":  # 6x6, for resize_dims 6,6 cropped to 4x4
        r = np.arange(36).reshape(6, 6) * 7
        return np.stack([r, 255 - r, (r * 3) % 256], axis=-1)
    if name == "rgba":  # 2x3 with an alpha channel
        r = np.arange(6).reshape(2, 3) * 40
        return np.stack([r, r + 1, r + 2, 255 - r], axis=-1)
    if name == "gray":  # 3x3 single channel
        return np.arange(9).reshape(3, 3) * 25
    raise SystemExit("unknown test image " + name)


if __name__ == "__main__":
    write_png(sys.argv[1], test_image(sys.argv[2]))
