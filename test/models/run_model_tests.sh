#!/usr/bin/env bash
# Runs every ONNX model of ../shared/models through tpuc (import, then the
# interpreter via model_runner) and onnxruntime on the same input, and checks
# every output: cosine >= 0.99999 and max relative error <= 1e-4, where the
# relative error is max|ours - ort| / max|ort| over the tensor. The 1e-4
# bound rises to twice onnxruntime's own error (unoptimized against
# optimized run) on models where that is larger; see model_check.py.
# YOLOv5n must also give the same top detections on a COCO image.
#
# Usage: test/models/run_model_tests.sh [BUILD_DIR]
# Exits 77 (ctest's skip) when ../shared/models or onnxruntime is missing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
bin="$build/bin"
models="$root/../shared/models"
images="$root/../shared/datasets/coco128-train/images"
python=/usr/bin/python3
check="$here/model_check.py"

if [ ! -d "$models" ]; then
  echo "SKIPPED: ../shared/models not found (looked in $models)"
  exit 77
fi
if ! NODE_PATH="$("$root/scripts/install-ort.sh" 2>/dev/null)"; then
  echo "SKIPPED: onnxruntime-node could not be installed (scripts/install-ort.sh)"
  exit 77
fi
export NODE_PATH
for tool in model_runner; do
  [ -x "$bin/$tool" ] || { echo "error: $bin/$tool not built" >&2; exit 1; }
done
# model_transform preprocesses real images; tpuc-onnx-import is the fallback
# (random inputs then).
if [ -x "$bin/model_transform" ]; then
  importer=model_transform
elif [ -x "$bin/tpuc-onnx-import" ]; then
  importer=tpuc-onnx-import
else
  echo "error: neither model_transform nor tpuc-onnx-import is built" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Input shapes and image preprocessing (model_transform flags) per model.
# Models not listed run on random inputs with their own static shapes.
model_config() {
  masked=''
  image="$images/000000000074.jpg" # people, a dog, a bicycle
  case "$1" in
  yolov5n-coco-640-op12.onnx)
    shapes='[[1,3,640,640]]'
    pre=(--pixel_format rgb --mean 0,0,0 --keep_aspect_ratio
         --scale 0.0039216,0.0039216,0.0039216) ;;
  ulfd-version-RFB-320.onnx)
    shapes='[[1,3,240,320]]'
    pre=(--pixel_format rgb --mean 127,127,127
         --scale 0.0078125,0.0078125,0.0078125) ;;
  ch_PP-OCRv4_det_infer.onnx)
    # An image with lettering: on one without, the probability map is ~1e-7
    # everywhere, below onnxruntime's own sigmoid error.
    image="$images/000000000034.jpg"
    shapes='[[1,3,640,640]]'
    pre=(--pixel_format bgr --mean 103.53,116.28,123.675
         --scale 0.017429,0.017507,0.017125) ;;
  ch_ppocr_mobile_v2.0_cls_infer.onnx)
    shapes='[[1,3,48,192]]'
    pre=(--pixel_format bgr --mean 127.5,127.5,127.5
         --scale 0.0078431,0.0078431,0.0078431) ;;
  mlsd_320x320_tiny.onnx)
    # RGB plus a constant channel (alpha 255 -> 1), NHWC. `scores` is
    # sigmoid * (sigmoid == maxpool3x3(sigmoid)): near-tied neighbours can
    # flip the mask under float32 rounding (see model_check.py).
    shapes='[[1,320,320,4]]'
    masked=scores
    pre=(--pixel_format rgba --channel_format nhwc
         --mean 127.5,127.5,127.5,127.5
         --scale 0.0078431,0.0078431,0.0078431,0.0078431) ;;
  *)
    shapes=''
    pre=() ;;
  esac
}

# Seconds, with millisecond resolution, that "$@" takes.
timed() {
  local start end
  start=$(date +%s%N)
  "$@"
  end=$(date +%s%N)
  elapsed=$(( (end - start) / 1000000 ))
}

failures=0
rows=()
shopt -s nullglob
onnx_files=("$models"/*.onnx)
if [ ${#onnx_files[@]} -eq 0 ]; then
  echo "SKIPPED: no .onnx files in $models"
  exit 77
fi
for model in "${onnx_files[@]}"; do
  file="$(basename "$model")"
  name="${file%.onnx}"
  dir="$work/$name"
  mkdir -p "$dir"
  model_config "$file"
  [ -f "$image" ] || image=""
  log="$dir/log.txt"
  input="$dir/input.npz"
  status=PASS
  reason=""

  # 1. Import (with the preprocessed image as input when possible).
  if [ "$importer" = model_transform ]; then
    args=(--model_name "$name" --model_def "$model" --mlir "$dir/$name.mlir")
    [ -n "$shapes" ] && args+=(--input_shapes "$shapes")
    if [ ${#pre[@]} -gt 0 ] && [ -n "$image" ]; then
      args+=("${pre[@]}" --test_input "$image"
             --test_result "$dir/transform_outputs.npz")
    fi
    if "$bin/model_transform" "${args[@]}" >"$log" 2>&1; then
      if [ -f "$dir/${name}_in_f32.npz" ]; then
        input="$dir/${name}_in_f32.npz"
        rm -f "$dir/transform_outputs.npz"
      fi
    else
      status=FAIL
      reason="model_transform: $(grep -m1 error "$log" || tail -n1 "$log")"
    fi
  else
    args=("$model" -o "$dir/$name.mlir" --weights "$dir/${name}_weights.npz")
    [ -n "$shapes" ] && args+=(--input-shapes "$shapes")
    if ! "$bin/tpuc-onnx-import" "${args[@]}" >"$log" 2>&1; then
      status=FAIL
      reason="tpuc-onnx-import: $(grep -m1 error "$log" || tail -n1 "$log")"
    fi
  fi
  if [ "$status" = PASS ] && [ ! -f "$dir/${name}_in_f32.npz" ]; then
    if ! "$python" "$check" random-input "$model" "$shapes" "$input" \
        >>"$log" 2>&1; then
      status=FAIL
      reason="input: $(tail -n1 "$log")"
    fi
  fi

  # 2. Run both engines on the same input (wall time of each process).
  ours_ms=- ort_ms=- outputs=- cosine=- relerr=- bound=- note=
  if [ "$status" = PASS ]; then
    if timed "$bin/model_runner" --model "$dir/$name.mlir" --input "$input" \
        --output "$dir/ours.npz" >>"$log" 2>&1; then
      ours_ms=$elapsed
    else
      status=FAIL
      reason="model_runner: $(grep -m1 error "$log" || tail -n1 "$log")"
    fi
  fi
  if [ "$status" = PASS ]; then
    if timed node "$root/tools/ort_runner/ort_run.js" "$model" "$input" \
        "$dir/ort.npz" --threads 2 >>"$log" 2>&1; then
      ort_ms=$elapsed
    else
      status=FAIL
      reason="onnxruntime: $(tail -n1 "$log")"
    fi
  fi
  if [ "$status" = PASS ] && ! node "$here/ort_unoptimized.js" "$model" \
      "$input" "$dir/ort_unoptimized.npz" >>"$log" 2>&1; then
    status=FAIL
    reason="onnxruntime (unoptimized): $(tail -n1 "$log")"
  fi

  # 3. Compare every output.
  if [ "$status" = PASS ]; then
    if metrics=$("$python" "$check" compare "$dir/ours.npz" "$dir/ort.npz" \
        --noise "$dir/ort_unoptimized.npz" --masked "$masked" \
        2>"$dir/compare.txt"); then
      :
    else
      status=FAIL
      reason="$(head -n1 "$dir/compare.txt")"
    fi
    read -r outputs cosine relerr bound note <<<"${metrics:-- - - -}"
  fi
  if [ "$status" = PASS ] && [ "$file" = yolov5n-coco-640-op12.onnx ]; then
    if [ -z "$image" ] || [ "$input" = "$dir/input.npz" ]; then
      status=FAIL
      reason="no COCO image input for the detection check"
    elif detections=$("$python" "$check" yolo "$dir/ours.npz" "$dir/ort.npz" \
        2>"$dir/yolo.txt"); then
      echo "$name: $detections"
    else
      status=FAIL
      reason="detections differ: $(head -n1 "$dir/yolo.txt")"
    fi
  fi

  [ "$status" = PASS ] || failures=$((failures + 1))
  rows+=("$(printf '%-4s %-32s %7s %10s %11s %9s %8s %7s' "$status" \
    "$name" "$outputs" "$cosine" "$relerr" "$bound" "$ours_ms" "$ort_ms")")
  [ -z "$reason" ] || rows+=("     $reason")
  [ -z "$note" ] || rows+=("     note: $note")
done

echo
echo "Outputs compared with onnxruntime (inputs: model_transform-preprocessed"
echo "COCO image where configured, else seeded random [0,1)); cosine and max"
echo "relative error (max|ours-ort| / max|ort|) are the worst over the"
echo "outputs, bound = max(1e-4, 2 x onnxruntime's unoptimized-vs-optimized"
echo "error); times are process wall times (start-up and loading included)."
printf '%-4s %-32s %7s %10s %11s %9s %8s %7s\n' "" model outputs cosine \
  "max rel err" bound "ours ms" "ort ms"
printf '%s\n' "${rows[@]}"
echo
echo "$(( ${#onnx_files[@]} - failures )) of ${#onnx_files[@]} models match onnxruntime"
[ "$failures" -eq 0 ]
