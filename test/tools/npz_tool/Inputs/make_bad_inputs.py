"""Writes broken archives for errors.test into the directory argv[1]."""

import io
import os
import sys
import zipfile

import numpy as np

out = sys.argv[1]


def npy(array, **kwargs):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, **kwargs)
    return buf.getvalue()


four = npy(np.arange(4, dtype="<f4"))
with zipfile.ZipFile(os.path.join(out, "members.npz"), "w") as z:
    z.writestr("good.npy", four)
    z.writestr("short.npy", four[:-4])
    z.writestr("long.npy", four + b"\0\0\0\0")
    z.writestr("magic.npy", b"NOTNUMPY" + four[8:])
    z.writestr("bigend.npy", npy(np.arange(4, dtype=">f4")))
    z.writestr("fortran.npy",
               npy(np.asfortranarray(np.zeros((2, 3), "<f4"))))
    z.writestr("complex.npy", npy(np.zeros(2, np.complex64)))

good = open(os.path.join(out, "members.npz"), "rb").read()
with open(os.path.join(out, "truncated.npz"), "wb") as f:
    f.write(good[: len(good) // 2])
with open(os.path.join(out, "text.npz"), "w") as f:
    f.write("this is not a zip archive\n")

# A stored member whose data no longer matches its CRC.
stored = io.BytesIO()
with zipfile.ZipFile(stored, "w") as z:
    z.writestr("x.npy", four)
data = bytearray(stored.getvalue())
at = data.index(four) + len(four) - 1
data[at] ^= 0x40
with open(os.path.join(out, "crc.npz"), "wb") as f:
    f.write(data)
