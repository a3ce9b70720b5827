#!/usr/bin/python3
"""Helpers of run_model_tests.sh (numpy only, no image libraries).

  model_check.py random-input MODEL.onnx SHAPES OUT.npz
      Seeded uniform [0,1) float32 input for every graph input (shapes as
      in --input_shapes, e.g. [[1,3,640,640]]; "" = the model's own).
  model_check.py compare OURS.npz ORT.npz [--noise ORT_UNOPT.npz]
                         [--masked a,b]
      Prints `<outputs> <cosine> <max rel err> <rel err bound> [notes]` (the
      worst over the outputs) and exits 1 if an output is missing, differs
      in size, has cosine below 0.99999 or relative error above its bound.
      Relative error is max|ours - ort| / max|ort| over the tensor; its bound
      is 1e-4, or twice onnxruntime's own relative error between its
      unoptimized and optimized runs (--noise) when that is larger: a model
      whose float32 rounding noise exceeds 1e-4 in onnxruntime itself cannot
      be held to 1e-4.
      --masked names outputs multiplied by a local-maximum mask (value ==
      MaxPool(value)): where two neighbours are tied to float32 rounding,
      the engines may keep different ones. Up to 0.01% of their elements (at
      least 1) may be such flips, where one engine has 0; the relative error
      is taken over the other elements.
  model_check.py yolo OURS.npz ORT.npz
      Decodes YOLOv5's 1x25200x85 output of both engines (score = obj x best
      class score > 0.25, class-aware NMS at IoU 0.45, top 10) and exits 1
      unless both give the same detections: same class ids, boxes within
      0.5 px.
"""
import argparse
import json
import sys

import numpy as np

MIN_COSINE = 0.99999
MAX_REL_ERR = 1e-4


def random_input(model_path, shapes_text, out_path):
    import onnx

    model = onnx.load(model_path, load_external_data=False)
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in initializers]
    shapes = json.loads(shapes_text) if shapes_text else []
    rng = np.random.default_rng(20240601)
    arrays = {}
    for index, value in enumerate(inputs):
        if index < len(shapes):
            shape = shapes[index]
        else:
            dims = value.type.tensor_type.shape.dim
            shape = [d.dim_value for d in dims]
            if any(d <= 0 for d in shape):
                sys.exit(f"input '{value.name}' has a dynamic shape; give "
                         "--input_shapes for this model")
        arrays[value.name] = rng.random(shape, dtype=np.float32)
    np.savez(out_path, **arrays)


def relative_error(got, ref):
    scale = np.abs(ref).max() if ref.size else 0.0
    diff = np.abs(got - ref).max() if ref.size else 0.0
    rel = float(diff / scale) if scale > 0 else float(diff)
    return rel if np.isfinite(rel) else float("inf")


def compare(args):
    parser = argparse.ArgumentParser(prog="model_check.py compare")
    parser.add_argument("ours")
    parser.add_argument("ort")
    parser.add_argument("--noise", default="")
    parser.add_argument("--masked", default="")
    opts = parser.parse_args(args)
    ours = np.load(opts.ours)
    ort = np.load(opts.ort)
    noise = np.load(opts.noise) if opts.noise else None
    masked = set(filter(None, opts.masked.split(",")))
    worst_cos, worst_rel, worst_bound = 1.0, 0.0, MAX_REL_ERR
    problems, notes = [], []
    for name in ort.files:
        ref = ort[name].astype(np.float64).ravel()
        if name not in ours.files:
            problems.append(f"output '{name}' missing from ours")
            continue
        got = ours[name].astype(np.float64).ravel()
        if got.size != ref.size:
            problems.append(f"output '{name}': {got.size} elements, "
                            f"onnxruntime {ref.size}")
            continue
        norms = np.linalg.norm(got) * np.linalg.norm(ref)
        cos = float(got @ ref / norms) if norms > 0 else float(
            np.array_equal(got, ref))
        if not np.isfinite(cos):
            cos = 0.0
        keep = np.ones(ref.size, bool)
        if name in masked and ref.size:
            scale = np.abs(ref).max()
            flips = (np.abs(got - ref) > MAX_REL_ERR * scale) & (
                (got == 0) | (ref == 0))
            allowed = max(1, int(ref.size * 1e-4))
            if flips.sum() > allowed:
                problems.append(f"output '{name}': {flips.sum()} mask flips "
                                f"(at most {allowed} allowed)")
            elif flips.any():
                notes.append(f"{name}: {flips.sum()} of {ref.size} "
                             "local-max mask flips")
            keep = ~flips
        rel = relative_error(got[keep], ref[keep])
        bound = MAX_REL_ERR
        if noise is not None and name in noise.files:
            other = noise[name].astype(np.float64).ravel()
            if other.size == ref.size:
                bound = max(bound, 2 * relative_error(other[keep], ref[keep]))
        if cos < MIN_COSINE or rel > bound:
            problems.append(f"output '{name}': cosine {cos:.7f}, "
                            f"max rel err {rel:.2e} (bound {bound:.2e})")
        worst_cos, worst_rel = min(worst_cos, cos), max(worst_rel, rel)
        worst_bound = max(worst_bound, bound)
    print(f"{len(ort.files)} {worst_cos:.7f} {worst_rel:.2e} "
          f"{worst_bound:.2e} " + "; ".join(notes))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def iou(box, boxes):
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[2], boxes[:, 2])
    y2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def yolo_detections(pred, conf=0.25, iou_limit=0.45, top=10):
    pred = pred.reshape(-1, pred.shape[-1]).astype(np.float64)
    cls = pred[:, 5:].argmax(1)
    score = pred[:, 4] * pred[np.arange(len(pred)), 5 + cls]
    keep = score > conf
    xywh, cls, score = pred[keep, :4], cls[keep], score[keep]
    boxes = np.stack([xywh[:, 0] - xywh[:, 2] / 2, xywh[:, 1] - xywh[:, 3] / 2,
                      xywh[:, 0] + xywh[:, 2] / 2, xywh[:, 1] + xywh[:, 3] / 2],
                     1)
    order = np.argsort(-score, kind="stable")
    chosen = []
    while order.size and len(chosen) < top:
        best = order[0]
        chosen.append(best)
        rest = order[1:]
        same = cls[rest] == cls[best]
        overlap = iou(boxes[best], boxes[rest]) > iou_limit
        order = rest[~(same & overlap)]
    return [(int(cls[i]), boxes[i], float(score[i])) for i in chosen]


def yolo(ours_path, ort_path):
    ours = np.load(ours_path)
    ort = np.load(ort_path)
    name = ort.files[0]
    mine = yolo_detections(ours[name])
    theirs = yolo_detections(ort[name])
    problems = []
    if not theirs:
        problems.append("onnxruntime finds no detection on the test image")
    if len(mine) != len(theirs):
        problems.append(f"{len(mine)} detections, onnxruntime {len(theirs)}")
    unmatched = list(range(len(mine)))
    worst = 0.0
    for cls, box, _ in theirs:
        match = None
        for i in unmatched:
            dist = np.abs(mine[i][1] - box).max()
            if mine[i][0] == cls and dist <= 0.5:
                match = i
                worst = max(worst, dist)
                break
        if match is None:
            problems.append(f"no detection of class {cls} within 0.5 px of "
                            f"{np.round(box, 1).tolist()}")
        else:
            unmatched.remove(match)
    classes = ",".join(str(c) for c, _, _ in theirs)
    print(f"{len(theirs)} detections (classes {classes}); "
          f"max box difference {worst:.3f} px")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "random-input":
        random_input(*sys.argv[2:])
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "compare":
        return compare(sys.argv[2:])
    if len(sys.argv) == 4 and sys.argv[1] == "yolo":
        return yolo(*sys.argv[2:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
