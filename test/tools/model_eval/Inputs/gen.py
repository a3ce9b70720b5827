"""Writes the inputs of the model_eval tests.

    gen.py detector v5|v8|rows OUT.onnx
        A "detector" on a 1x3x64x64 input whose outputs do not depend on the
        image (zero-weight convolutions plus constants), so its one
        detection is known: class 1 at [26, 28, 46, 44] in input pixels.
        v5: three YOLOv5 head convs [1,21,H,W] (2 classes, 3 anchors; the
        box uses anchor (20, 16), given with --anchors); v8: box [1,64,H,W]
        and class [1,2,H,W] convs per level (DFL distances 1.25, 1, 1.25,
        1); rows: [1,2,6] rows of x1,y1,x2,y2,score,class.
    gen.py detset DIR
        DIR/images/{a,b,c,d}.png and YOLO labels DIR/labels/{a,b,d}.txt:
        a (64x48) has the object exactly where the detection lands after
        the letterbox; b (128x96) has it 9 pixels to the right (IoU 31/49);
        c has no label file; d (48x64) has only a class-0 object.
    gen.py classifier OUT.onnx
        GlobalAveragePool over a 1x3x32x32 RGB input: the class is the
        strongest channel (0 red, 1 green, 2 blue).
    gen.py clsset DIR
        DIR/{red,green,blue}/*.png solid colours; blue/b1.png is green, so
        top-1 is 4/5.

Seeded and hand-placed, so every run writes the same files. Opset 13.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper
from onnx_fixture import save_model
from png_writer import write_png

OFF = -20.0


def logit(p):
    return float(np.log(p / (1 - p)))


def constant_head(nodes, inits, name, channels, size, values):
    """Conv with zero weights (stride 64 / size) plus the constant values."""
    stride = 64 // size
    w = np.zeros((channels, 3, stride, stride), np.float32)
    inits += [numpy_helper.from_array(w, name + ".w"),
              numpy_helper.from_array(values.astype(np.float32)[None],
                                      name + ".c")]
    nodes.append(helper.make_node("Conv", ["images", name + ".w"],
                                  [name + "_zero"], name=name + "_zero",
                                  kernel_shape=[stride, stride],
                                  strides=[stride, stride]))
    nodes.append(helper.make_node("Add", [name + "_zero", name + ".c"],
                                  [name], name=name))
    return helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                         [1, channels, size, size])


def v5_heads(nodes, inits):
    outputs = []
    for level, size in enumerate([8, 4, 2]):
        v = np.full((21, size, size), OFF)
        if level == 0:
            # Anchor 0 at cell (4, 4): sigmoid 0.5 offsets -> centre
            # (36, 36); wh scale 1 -> the anchor, 20x16; objectness and
            # class 1 at sigmoid(3).
            v[0:4, 4, 4] = 0.0
            v[4, 4, 4] = 3.0
            v[6, 4, 4] = 3.0
        outputs.append(constant_head(nodes, inits, "head%d" % level, 21, size,
                                     v))
    return outputs


def v8_heads(nodes, inits):
    outputs = []
    for level, size in enumerate([8, 4, 2]):
        box = np.zeros((64, size, size))
        cls = np.full((2, size, size), OFF)
        if level == 0:
            # Anchor point (4.5, 4.5) * 8: distances l 1.25, t 1, r 1.25,
            # b 1 give [26, 28, 46, 44].
            for side, d in enumerate([1.25, 1.0, 1.25, 1.0]):
                bins = np.full(16, -50.0)
                low = int(np.floor(d))
                frac = d - low
                if frac == 0:
                    bins[low] = 0.0
                else:
                    bins[low] = np.log(1 - frac)
                    bins[low + 1] = np.log(frac)
                box[side * 16:(side + 1) * 16, 4, 4] = bins
            cls[1, 4, 4] = 3.0
        outputs.append(constant_head(nodes, inits, "box%d" % level, 64, size,
                                     box))
        outputs.append(constant_head(nodes, inits, "cls%d" % level, 2, size,
                                     cls))
    return outputs


def rows_output(nodes, inits):
    rows = np.array([[26, 28, 46, 44, 0.9, 1], [0, 0, 0, 0, 0, 0]])
    constant_head(nodes, inits, "flat", 12, 1, rows.reshape(12, 1, 1))
    inits.append(numpy_helper.from_array(np.array([1, 2, 6], np.int64),
                                         "rows_shape"))
    nodes.append(helper.make_node("Reshape", ["flat", "rows_shape"], ["rows"],
                                  name="rows"))
    return [helper.make_tensor_value_info("rows", TensorProto.FLOAT,
                                          [1, 2, 6])]


def save(nodes, inits, inputs, outputs, path):
    graph = helper.make_graph(nodes, "model_eval_test", inputs, outputs,
                              inits)
    save_model(graph, path)


def detector(kind, path):
    nodes, inits = [], []
    outputs = {"v5": v5_heads, "v8": v8_heads, "rows": rows_output}[kind](
        nodes, inits)
    inputs = [helper.make_tensor_value_info("images", TensorProto.FLOAT,
                                            [1, 3, 64, 64])]
    save(nodes, inits, inputs, outputs, path)


def classifier(path):
    nodes = [helper.make_node("GlobalAveragePool", ["images"], ["pool"],
                              name="pool"),
             helper.make_node("Flatten", ["pool"], ["scores"], name="scores")]
    inputs = [helper.make_tensor_value_info("images", TensorProto.FLOAT,
                                            [1, 3, 32, 32])]
    outputs = [helper.make_tensor_value_info("scores", TensorProto.FLOAT,
                                             [1, 3])]
    save(nodes, [], inputs, outputs, path)


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def detset(directory):
    rng = np.random.default_rng(11)
    for name, (w, h) in {"a": (64, 48), "b": (128, 96), "c": (64, 64),
                         "d": (48, 64)}.items():
        write_png(os.path.join(directory, "images", name + ".png"),
                  rng.integers(0, 256, (h, w, 3)))
    labels = os.path.join(directory, "labels")
    # a: 64x48, letterboxed with 8 rows on top: [26, 20, 46, 36].
    write_text(os.path.join(labels, "a.txt"),
               "1 0.5625 0.5833333 0.3125 0.3333333\n")
    # b: 128x96 at scale 0.5: [52, 40, 92, 72], here 9 pixels to the right.
    write_text(os.path.join(labels, "b.txt"),
               "1 0.6328125 0.5833333 0.3125 0.3333333\n")
    write_text(os.path.join(labels, "d.txt"), "0 0.5 0.5 0.5 0.5\n")


def clsset(directory):
    colours = {"red": (220, 30, 20), "green": (20, 200, 40),
               "blue": (10, 40, 230)}
    files = {"red": ["r0", "r1"], "green": ["g0"], "blue": ["b0", "b1"]}
    for folder, names in files.items():
        for name in names:
            colour = colours["green" if name == "b1" else folder]
            write_png(os.path.join(directory, folder, name + ".png"),
                      np.tile(np.array(colour, np.uint8), (24, 24, 1)))


if __name__ == "__main__":
    if sys.argv[1] == "detector":
        detector(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "classifier":
        classifier(sys.argv[2])
    elif sys.argv[1] == "detset":
        detset(sys.argv[2])
    else:
        clsset(sys.argv[2])
