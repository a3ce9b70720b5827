#!/usr/bin/python3
"""Writes the numpy-made fixtures that the tests in test/unit/Support read.

Run with Debian's python3 (it has numpy):
    /usr/bin/python3 python/gen_npz_fixtures.py [output-dir]
The values here are mirrored by hand in NpzTestUtils.cpp; keep the two in sync.
The outputs are checked in, so the tests do not depend on numpy at run time.
"""

import io
import os
import sys
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "test", "unit", "Support", "Inputs")

# One array per supported dtype, chosen to hit the representable extremes.
PER_DTYPE = {
    "f32": np.array([[0.0, -0.0, 1.5, -2.25, 3.4028235e38],
                     [1.1754944e-38, 1e-45, np.inf, -np.inf, np.nan]],
                    dtype="<f4"),
    "f64": np.array([0.0, -1.5, 1e300, 5e-324, np.pi], dtype="<f8"),
    "f16": np.array([0.0, 1.0, -2.0, 65504.0, 2.0**-14, 2.0**-24, np.inf,
                     np.nan], dtype="<f2"),
    "i8": np.array([-128, -1, 0, 1, 127], dtype="|i1"),
    "u8": np.array([[0, 1], [128, 255]], dtype="|u1"),
    "i16": np.array([-32768, -1, 0, 32767], dtype="<i2"),
    "u16": np.array([0, 1, 65535], dtype="<u2"),
    "i32": np.array([[-2147483648], [0], [2147483647]], dtype="<i4"),
    "i64": np.array([-9223372036854775808, 0, 9223372036854775807,
                     1234567890123], dtype="<i8"),
    "bool": np.array([True, False, True], dtype="|b1"),
}


def archive_arrays():
    return {
        "conv1/weight": np.arange(6, dtype="<f4").reshape(2, 3) / 4,
        "ids": np.array([3, -1, 7, 1 << 40], dtype="<i8"),
        "mask": np.array([[True, False], [False, True]]),
        "scalar": np.float32(3.5),
        "empty": np.zeros((0, 4), dtype="<f4"),
        "half": np.array([0.5, -1.0, 1024.0], dtype="<f2"),
        "ramp": np.arange(64, dtype="<i2"),
    }


def save_npy(path, array, version=None):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, np.asanyarray(array), version=version,
                                  allow_pickle=False)


def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out, exist_ok=True)
    for name, array in PER_DTYPE.items():
        save_npy(os.path.join(out, name + ".npy"), array)
    # The newer header versions differ only in the length field and encoding.
    save_npy(os.path.join(out, "f32_v2.npy"), PER_DTYPE["f32"], (2, 0))
    save_npy(os.path.join(out, "f32_v3.npy"), PER_DTYPE["f32"], (3, 0))
    # Layouts the reader must refuse.
    save_npy(os.path.join(out, "big_endian.npy"),
             np.array([1.0, 2.0], dtype=">f4"))
    save_npy(os.path.join(out, "fortran.npy"),
             np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))

    np.savez(os.path.join(out, "stored.npz"), **archive_arrays())
    np.savez_compressed(os.path.join(out, "deflated.npz"), **archive_arrays())

    # An archive with a member that is not an array, which readers skip.
    good = npy_bytes(np.array([1, 2], dtype="<i4"))
    with zipfile.ZipFile(os.path.join(out, "extra_member.npz"), "w") as z:
        z.writestr("a.npy", good)
        z.writestr("notes.txt", "not an array\n")

    # Well-formed zip, broken arrays: each member must fail on its own.
    four = npy_bytes(np.arange(4, dtype="<f4"))
    with zipfile.ZipFile(os.path.join(out, "bad_members.npz"), "w") as z:
        z.writestr("good.npy", good)
        z.writestr("short.npy", four[:-8])
        z.writestr("long.npy", four + b"\0" * 4)
        z.writestr("badmagic.npy", b"NOTNUMPY" + four[8:])
        z.writestr("bigend.npy", npy_bytes(np.array([1, 2], dtype=">i4")))
        # A zero-length header dict followed by data bytes.
        z.writestr("tiny.npy", b"\x93NUMPY\x01\x00\x00\x00" + four[-8:])


if __name__ == "__main__":
    main()
