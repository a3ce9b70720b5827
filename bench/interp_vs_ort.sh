#!/usr/bin/env bash
# Median latency of tpuc's interpreter against onnxruntime on YOLOv5n 640x640
# (../shared/models), same machine, same input, 2 threads each. Both sides
# time the inference call alone, after loading and one warm-up run
# (tpuc-interp-bench, bench/ort_bench.js). Prints the ratio tpuc / ort.
# Usage: bench/interp_vs_ort.sh [BUILD_DIR] [RUNS] [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
runs="${2:-10}"
rounds="${3:-3}"
bin="$build/bin"
model="$root/../shared/models/yolov5n-coco-640-op12.onnx"
image="$root/../shared/datasets/coco128-train/images/000000000074.jpg"
threads=2

if [ ! -f "$model" ]; then
  echo "interp_vs_ort: skipped, $model not found"
  exit 0
fi
if ! NODE_PATH="$("$root/scripts/install-ort.sh" 2>/dev/null)"; then
  echo "interp_vs_ort: skipped, onnxruntime-node could not be installed"
  exit 0
fi
export NODE_PATH
[ -x "$bin/tpuc-interp-bench" ] || {
  echo "interp_vs_ort: error: $bin/tpuc-interp-bench is not built" >&2
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mlir="$work/yolov5n.mlir"
input="$work/yolov5n_in_f32.npz"
log="$work/log.txt"
if [ -x "$bin/model_transform" ] && [ -f "$image" ]; then
  "$bin/model_transform" --model_name yolov5n --model_def "$model" \
    --input_shapes '[[1,3,640,640]]' --pixel_format rgb --mean 0,0,0 \
    --scale 0.0039216,0.0039216,0.0039216 --keep_aspect_ratio \
    --test_input "$image" --test_result "$work/all.npz" --mlir "$mlir" \
    >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  rm -f "$work/all.npz"
else
  "$bin/tpuc-onnx-import" "$model" --input-shapes '[[1,3,640,640]]' \
    --weights "$work/weights.npz" -o "$mlir" >"$log" 2>&1 ||
    { cat "$log" >&2; exit 1; }
  /usr/bin/python3 "$root/test/models/model_check.py" random-input "$model" \
    '[[1,3,640,640]]' "$input"
fi

# Share of the last 10 s in which runnable tasks waited for a CPU (Linux
# PSI), or "n/a".
cpu_pressure() {
  sed -nE 's/^some avg10=([0-9.]+).*/\1/p' /proc/pressure/cpu 2>/dev/null ||
    true
}
pressure_before=$(cpu_pressure)

# Alternate rounds of the two so that load drifts on the machine (other
# processes) affect both alike; the result is the median of the rounds'
# medians.
median_of() { sed -E 's/^median ([0-9.]+) ms.*/\1/'; }
ours_all=() ort_all=()
for round in $(seq "$rounds"); do
  line=$(OMP_NUM_THREADS=$threads "$bin/tpuc-interp-bench" --model "$mlir" \
    --input "$input" --runs "$runs")
  echo "  round $round tpuc interpreter: $line"
  ours_all+=("$(median_of <<<"$line")")
  line=$(node "$here/ort_bench.js" "$model" "$input" --runs "$runs" \
    --threads "$threads")
  echo "  round $round onnxruntime:      $line"
  ort_all+=("$(median_of <<<"$line")")
done
middle() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
  END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ours_ms=$(middle "${ours_all[@]}")
ort_ms=$(middle "${ort_all[@]}")
echo "interp_vs_ort: YOLOv5n 640x640, $threads threads, $rounds rounds of" \
  "$runs runs: tpuc $ours_ms ms, onnxruntime $ort_ms ms (medians)"
awk -v a="$ours_ms" -v b="$ort_ms" \
  'BEGIN { printf "interp_vs_ort: ratio tpuc/onnxruntime = %.2f\n", a / b }'
# Other processes competing for the CPUs slow libgomp's spinning threads far
# more than onnxruntime's pool (docs/Interpreter.md, Threads): say so.
pressure_after=$(cpu_pressure)
if [ -n "$pressure_before" ] && [ -n "$pressure_after" ]; then
  echo "interp_vs_ort: CPU pressure (some avg10) ${pressure_before}% before," \
    "${pressure_after}% after"
  if awk -v a="$pressure_before" -v b="$pressure_after" \
    'BEGIN { exit !(a > 25 || b > 25) }'; then
    echo "interp_vs_ort: warning: other processes loaded the CPUs; repeat" \
      "when the machine is idle"
  fi
fi
