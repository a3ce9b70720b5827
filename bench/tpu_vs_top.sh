#!/usr/bin/env bash
# Median latency of the Tpu interpreter (the chip's arithmetic: INT8 and
# BF16 on cv181x) against the float Top interpreter on YOLOv5n 640x640 cut
# at its head convs, same input, 2 threads. Prints the ratios Tpu / Top:
# what verifying a deployment (model_deploy, model_eval INT8, run_qtable)
# costs over the float model.
# Usage: bench/tpu_vs_top.sh [BUILD_DIR] [RUNS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
runs="${2:-10}"
bin="$build/bin"
model="$root/../shared/models/yolov5n-coco-640-op12.onnx"
images="$root/../shared/datasets/coco128-train/images"
if [ ! -f "$model" ] || [ ! -d "$images" ]; then
  echo "tpu_vs_top: skipped, $model or $images not found"
  exit 0
fi
for tool in model_transform run_calibration model_deploy tpuc-interp-bench; do
  [ -x "$bin/$tool" ] || {
    echo "tpu_vs_top: error: $bin/$tool is not built" >&2
    exit 1
  }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir cal
find "$images" -name '*.jpg' | sort >list.txt
for f in $(sed -n 1,20p list.txt); do ln -s "$f" cal/; done
"$bin/model_transform" --model_name y --model_def "$model" \
  --input_shapes '[[1,3,640,640]]' --pixel_format rgb --mean 0,0,0 \
  --scale 0.0039216,0.0039216,0.0039216 --keep_aspect_ratio --output_names \
  /model.24/m.0/Conv_output_0,/model.24/m.1/Conv_output_0,/model.24/m.2/Conv_output_0 \
  --test_input "$(sed -n 1p list.txt)" --test_result top.npz --mlir y.mlir \
  >log.txt 2>&1 || { cat log.txt >&2; exit 1; }
"$bin/run_calibration" y.mlir --dataset cal -o table >log.txt 2>&1 ||
  { cat log.txt >&2; exit 1; }
for mode in INT8 BF16; do
  "$bin/model_deploy" --mlir y.mlir --quantize "$mode" --processor cv181x \
    --calibration_table table >log.txt 2>&1 || { cat log.txt >&2; exit 1; }
done
median() {
  OMP_NUM_THREADS=2 "$bin/tpuc-interp-bench" --model "$1" --input y_in_f32.npz \
    --runs "$runs" | sed -E 's/^median ([0-9.]+) ms.*/\1/'
}
top=$(median y.mlir)
int8=$(median y_cv181x_int8_sym_tpu.mlir)
bf16=$(median y_cv181x_bf16_tpu.mlir)
echo "tpu_vs_top: YOLOv5n 640x640 cut, 2 threads, median of $runs runs:" \
  "Top F32 $top ms, cv181x INT8 $int8 ms, cv181x BF16 $bf16 ms"
awk -v t="$top" -v i="$int8" -v b="$bf16" 'BEGIN {
  printf "tpu_vs_top: ratio INT8/Top = %.2f, BF16/Top = %.2f\n", i / t, b / t }'
