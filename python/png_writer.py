"""Writes 8-bit PNG files with zlib alone (no imaging library is installed).

Shared by the test-input generators; lit puts this folder on PYTHONPATH.
Channel order in the file is RGB(A); OpenCV reads it back as BGR(A).
"""
import os
import struct
import zlib

import numpy as np


def write_png(path, pixels):
    """Writes an HxW (gray), HxWx3 (RGB) or HxWx4 (RGBA) uint8 array,
    creating the parent folder when missing."""
    pixels = np.asarray(pixels, dtype=np.uint8)
    if pixels.ndim == 2:
        color_type = 0
        pixels = pixels[:, :, None]
    else:
        color_type = {3: 2, 4: 6}[pixels.shape[2]]
    height, width = pixels.shape[:2]
    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind, data):
        body = kind + data
        return (struct.pack(">I", len(data)) + body +
                struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
