"""Graph builders and the writer of the ONNX importer's test models.

Shared by the frontend_*_models modules; see gen_frontend_tests.py.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32 = TensorProto.FLOAT


def rng(seed):
    return np.random.RandomState(seed)


def rand(seed, *shape, low=-1.0, high=1.0):
    return rng(seed).uniform(low, high, shape).astype(np.float32)


def vi(name, shape, elem=F32):
    return helper.make_tensor_value_info(name, elem, shape)


def init(name, array, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(array, dtype), name)


def i64(name, values):
    return init(name, values, np.int64)


def node(op, inputs, outputs, name=None, **attrs):
    return helper.make_node(op, inputs, outputs, name=name or outputs[0],
                            **attrs)


def model(graph_nodes, inputs, outputs, inits, opset, ir=None, check=True):
    """Outputs given without a shape get the reference's in save()."""
    graph = helper.make_graph(graph_nodes, "g", inputs, outputs, inits)
    m = helper.make_model(graph, producer_name="tpuc-tests",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = ir if ir is not None else (7 if opset <= 13 else 8)
    # onnx 1.12 knows opsets up to 17.
    m.doc_string = "check" if check and opset <= 17 else ""
    return m


def save(name, m, inputs, refs, out_dir, **save_args):
    for out in m.graph.output:
        if not out.type.tensor_type.HasField("shape") and out.name in refs:
            for d in np.shape(refs[out.name]):
                out.type.tensor_type.shape.dim.add().dim_value = d
    if m.doc_string == "check":
        onnx.checker.check_model(m)
    m.doc_string = ""
    onnx.save_model(m, os.path.join(out_dir, name + ".onnx"), **save_args)
    np.savez(os.path.join(out_dir, name + "_in.npz"),
             **{k: v.astype(np.float32) for k, v in inputs.items()})
    if refs is not None:
        np.savez(os.path.join(out_dir, name + "_ref.npz"),
                 **{k: np.asarray(v).astype(np.float32)
                    for k, v in refs.items()})
