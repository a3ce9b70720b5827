"""Checks a calibration table written by run_calibration.

    check_table.py format TABLE
        every body line is `name threshold min max` with 7 decimals, the
        header ends with `###` and 0 < threshold <= max(|min|, |max|);
        prints "ok N" (N entries) or the first problem
    check_table.py max TABLE SAMPLE...
        for a convnet table made with --cali_method max from .npy samples:
        min, max and threshold of every tensor numpy can compute match;
        prints "ok" or the mismatches
"""
import re
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from gen import reference  # noqa: E402

LINE = re.compile(r"^(\S+) (-?\d+\.\d{7}) (-?\d+\.\d{7}) (-?\d+\.\d{7})$")


def read(path):
    header, body, seen = [], [], False
    for line in open(path).read().split("\n"):
        if not line:
            continue
        if line == "###":
            seen = True
            continue
        if line.startswith("#"):
            if not seen:
                header.append(line)
            continue
        body.append(line)
    return header, body, seen


def check_format(path):
    header, body, seen = read(path)
    if not seen:
        return "no ### separator"
    for line in body:
        m = LINE.match(line)
        if not m:
            return "malformed line: " + line
        th, lo, hi = (float(v) for v in m.groups()[1:])
        if not (0 < th <= max(abs(lo), abs(hi)) + 1e-7):
            return "threshold out of range: " + line
    return "ok %d" % len(body)


def check_max(path, samples):
    values = {}
    for sample in samples:
        for name, array in reference(np.load(sample)).items():
            values.setdefault(name, []).append(array.ravel())
    _, body, _ = read(path)
    problems, checked = [], 0
    for line in body:
        name, th, lo, hi = line.split()
        if name not in values:
            continue
        data = np.concatenate(values[name])
        want = (np.abs(data).max(), data.min(), data.max())
        got = (float(th), float(lo), float(hi))
        if not np.allclose(got, want, rtol=0, atol=2e-7):
            problems.append("%s: %s vs numpy %s" % (name, got, want))
        checked += 1
    if checked < 3:
        problems.append("only %d tensors checked" % checked)
    return "ok" if not problems else "; ".join(problems)


if __name__ == "__main__":
    if sys.argv[1] == "format":
        print(check_format(sys.argv[2]))
    else:
        print(check_max(sys.argv[2], sys.argv[3:]))
