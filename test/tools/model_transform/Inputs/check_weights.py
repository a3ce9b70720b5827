"""Checks that a .mlir's weight file holds exactly the tensors of its
file-backed top.Weight ops, with matching element counts.

    check_weights.py MODEL.mlir

Prints "OK <count>" or the differences (and exits 1).
"""
import os
import re
import sys

import numpy as np

text = open(sys.argv[1]).read()
weight_file = re.search(r'top\.weight_file = "([^"]*)"', text).group(1)
wanted = {}
for line in text.splitlines():
    if "top.Weight" in line and "value =" not in line:
        name = re.search(r'loc\("([^"]*)"\)', line).group(1)
        dims = re.search(r"-> tensor<([0-9x]*)x?[a-z]+[0-9]*>", line).group(1)
        wanted[name] = int(np.prod([int(d) for d in dims.split("x") if d]))
path = os.path.join(os.path.dirname(sys.argv[1]), weight_file)
arrays = np.load(path)
have = {name: arrays[name].size for name in arrays.files}
if have != wanted:
    print("FAIL: %s has %s, the module uses %s" % (path, have, wanted))
    sys.exit(1)
print("OK %d" % len(have))
