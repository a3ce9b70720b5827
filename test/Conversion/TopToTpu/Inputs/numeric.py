"""Helpers of the numeric lowering tests (run with Debian's python3).

  numeric.py input OUT.npz NAME:D0xD1x...[:LO:HI] ...
      Seeded uniform random inputs (seed = the argument index), so every run
      gives the same data.
  numeric.py weights OUT.npz NAME:D0xD1x...[:LO:HI] ...
      The same for a weight file (other seeds).
  numeric.py table TOP.npz OUT.table
      A calibration table from the float reference's tensors: threshold =
      max |x|, min and max as measured (what run_calibration's max method
      gives for one sample).
  numeric.py check A.npz B.npz NAME MAX_ABS
      Fails unless tensor NAME differs by at most MAX_ABS between A and B
      (NAME may be NAME_IN_A=NAME_IN_B).
  numeric.py mismatches A.npz B.npz NAME MAX_COUNT
      Fails if more than MAX_COUNT elements of NAME differ at all.
"""
import sys

import numpy as np


def make_inputs(out, specs, seed=1000):
    arrays = {}
    for index, spec in enumerate(specs):
        parts = spec.split(":")
        name = parts[0]
        shape = [int(d) for d in parts[1].split("x")]
        lo, hi = (float(parts[2]), float(parts[3])) if len(parts) > 2 else (-1.0, 1.0)
        rng = np.random.default_rng(seed + index)
        arrays[name] = rng.uniform(lo, hi, shape).astype(np.float32)
    np.savez(out, **arrays)


def make_table(top, out):
    data = np.load(top)
    lines = ["# numeric test table (max |x| of one sample)", "###",
             "# op_name    threshold    min    max"]
    for name in data.files:
        values = data[name].astype(np.float64)
        if values.dtype.kind != "f" or values.size == 0:
            continue
        lo, hi = float(values.min()), float(values.max())
        th = max(abs(lo), abs(hi), 1e-5)
        lines.append("%s %.7f %.7f %.7f" % (name, th, lo, hi))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def check(a, b, name, max_abs):
    name_a, _, name_b = name.partition("=")
    x = np.load(a)[name_a].astype(np.float64).ravel()
    y = np.load(b)[name_b or name_a].astype(np.float64).ravel()
    diff = float(np.abs(x - y).max())
    print("%s max_abs_diff %g" % (name, diff))
    if not diff <= float(max_abs):
        sys.exit("%s differs by %g > %s" % (name, diff, max_abs))


def mismatches(a, b, name, max_count):
    x = np.load(a)[name].ravel()
    y = np.load(b)[name].ravel()
    count = int((x != y).sum())
    print("%s mismatches %d of %d" % (name, count, x.size))
    if count > int(max_count):
        sys.exit("%s: %d elements differ (at most %s allowed)" %
                 (name, count, max_count))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "input":
        make_inputs(sys.argv[2], sys.argv[3:])
    elif command == "weights":
        make_inputs(sys.argv[2], sys.argv[3:], seed=2000)
    elif command == "table":
        make_table(sys.argv[2], sys.argv[3])
    elif command == "check":
        check(*sys.argv[2:6])
    elif command == "mismatches":
        mismatches(*sys.argv[2:6])
    else:
        sys.exit("unknown command " + command)
