"""Prints the cosine of the box columns and of the score columns of the
tiny head's [1, 256, 7] output: `parts.py ref.npz ref_name out.npz
out_name`. One cosine of the whole output cannot tell them apart."""
import sys

import numpy as np


def cos(a, b):
    den = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / den) if den else 0.0


ref = np.load(sys.argv[1])[sys.argv[2]].reshape(-1, 7).astype(np.float64)
out = np.load(sys.argv[3])[sys.argv[4]].reshape(-1, 7).astype(np.float64)
print("boxes %.4f scores %.4f" % (cos(ref[:, :4], out[:, :4]),
                                   cos(ref[:, 4:], out[:, 4:])))
