#!/usr/bin/python3
"""Writes the tiny ONNX models of the ONNX importer's lit tests.

    /usr/bin/python3 python/onnx_models/gen_frontend_tests.py [OUT_DIR]

OUT_DIR defaults to test/Frontend/Onnx/Inputs. For each model NAME it writes
NAME.onnx, NAME_in.npz (the inputs) and NAME_ref.npz (the outputs computed
with numpy, in float64 then rounded to float32). The results are checked
in; rerunning the script reproduces them byte for byte.

Models cover the opset forms the importer must read (attributes that became
inputs, changed defaults), IR 3 initializers listed as graph inputs,
Constant nodes, shape subgraphs, external data, a dynamic input dim,
integer and float16/bfloat16 element types and unsupported ops.

The models are built in frontend_format_models.py, frontend_nn_models.py and
frontend_tensor_models.py, from the helpers of frontend_builders.py and the
numpy references of frontend_refs.py.
"""
import os
import sys

from frontend_format_models import (constants, dynamic, external_data,
                                    ir3_initializers, opset18_forms,
                                    opset_forms, unsupported)
from frontend_nn_models import elementwise_ops, nn_ops
from frontend_tensor_models import resize_modes, shape_ops, typed_ops

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "test", "Frontend", "Onnx", "Inputs")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else OUT_DIR
    os.makedirs(out_dir, exist_ok=True)
    for gen in (ir3_initializers, constants, opset_forms, opset18_forms,
                external_data, unsupported, dynamic, nn_ops, elementwise_ops,
                shape_ops, resize_modes, typed_ops):
        gen(out_dir)


if __name__ == "__main__":
    main()
