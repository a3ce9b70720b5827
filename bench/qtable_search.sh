#!/usr/bin/env bash
# run_qtable's fast search against its greedy search (tpu-mlir's walk) on
# the same model, table and samples: YOLOv5n 640x640 on cv181x, once whole
# (output [1,25200,85]) and once cut at its three head convs with the heads
# decoded (--postprocess yolov5), as the seed documents deploy it. Each is
# calibrated on the first 100 images of ../shared/datasets/coco128-train
# and searched on the first 10 with the default thresholds. The two
# searches run alternately PAIRS times (default 3), so a change in the
# machine's load moves both; the ratio printed is greedy's wall time over
# fast's, per pair and their median. The issue's target is 3x.
# Both searches also run the sensitivity pass that writes the loss table;
# its time is printed apart, since it bounds the ratio.
# Usage: bench/qtable_search.sh [BUILD_DIR] [PAIRS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
pairs="${2:-3}"
bin="$build/bin"
model="$root/../shared/models/yolov5n-coco-640-op12.onnx"
dataset="$root/../shared/datasets/coco128-train"

if [ ! -f "$model" ] || [ ! -d "$dataset" ]; then
  echo "qtable_search: skipped, $model or $dataset not found"
  exit 0
fi
for tool in model_transform run_calibration run_qtable; do
  [ -x "$bin/$tool" ] || {
    echo "qtable_search: error: $bin/$tool is not built" >&2
    exit 1
  }
done
export OMP_WAIT_POLICY=passive

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log="$work/log.txt"
mkdir "$work/images"
find "$dataset" -name '*.jpg' | sort | head -100 |
  while read -r image; do ln -s "$image" "$work/images/"; done

heads=/model.24/m.0/Conv_output_0,/model.24/m.1/Conv_output_0,/model.24/m.2/Conv_output_0
transform() { # name [--output_names ...]
  local name="$1"
  shift
  "$bin/model_transform" --model_name "$name" --model_def "$model" \
    --input_shapes '[[1,3,640,640]]' --mean 0,0,0 \
    --scale 0.0039216,0.0039216,0.0039216 --keep_aspect_ratio \
    --pixel_format rgb "$@" --mlir "$work/$name.mlir" >"$log" 2>&1 ||
    { cat "$log" >&2; exit 1; }
}
transform full
transform cut --output_names "$heads"
"$bin/run_calibration" "$work/full.mlir" --dataset "$work/images" \
  --input_num 100 -o "$work/full_table" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
"$bin/run_calibration" "$work/cut.mlir" --dataset "$work/images" \
  --input_num 100 --postprocess yolov5 -o "$work/cut_table" >"$log" 2>&1 ||
  { cat "$log" >&2; exit 1; }

# search MODEL METHOD [flags...]: prints "wall sensitivity models layers".
search() {
  local name="$1" method="$2"
  shift 2
  local start end
  start=$(date +%s.%N)
  "$bin/run_qtable" "$work/$name.mlir" --dataset "$work/images" \
    --input_num 10 --calibration_table "$work/${name}_table" \
    --processor cv181x --search "$method" "$@" -o "$work/q_$method" \
    --loss_table "$work/l_$method" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  end=$(date +%s.%N)
  # "time: 11.31s (reference 1.27s, sensitivity 5.74s, search 4.30s), 9 mixed models run ..."
  local summary
  summary=$(grep '^time: ' "$log")
  awk -v a="$start" -v b="$end" -v s="$summary" \
    -v n="$(grep -vc '^#' "$work/q_$method")" 'BEGIN {
    match(s, /sensitivity [0-9.]+s/); sens = substr(s, RSTART + 12, RLENGTH - 13)
    match(s, /[0-9]+ mixed models/); models = substr(s, RSTART, RLENGTH - 13)
    printf "%.2f %s %s %s\n", b - a, sens, models, n
  }'
}

for case in "full:" "cut:--postprocess yolov5"; do
  name=${case%%:*}
  flags=${case#*:}
  ratios=()
  for ((p = 1; p <= pairs; ++p)); do
    # shellcheck disable=SC2086
    read -r gw gs gm gl <<<"$(search "$name" greedy $flags)"
    # shellcheck disable=SC2086
    read -r fw fs fm fl <<<"$(search "$name" fast $flags)"
    ratio=$(awk -v g="$gw" -v f="$fw" 'BEGIN { printf "%.2f", g / f }')
    ratios+=("$ratio")
    echo "qtable_search: YOLOv5n $name, pair $p: greedy $gw s ($gm models," \
      "$gl layers, sensitivity $gs s), fast $fw s ($fm models, $fl layers," \
      "sensitivity $fs s): ratio $ratio"
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
  echo "qtable_search: YOLOv5n $name: median ratio greedy/fast $median" \
    "(target 3x: $(awk -v m="$median" 'BEGIN { print (m >= 3 ? "met" : "MISSED") }'))"
done
