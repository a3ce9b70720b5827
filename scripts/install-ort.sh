#!/usr/bin/env bash
# Installs onnxruntime-node (the tests' reference engine) from npm into a
# cache folder, once. Its install script is skipped: it would try to fetch
# GPU files; the CPU binaries ship inside the package.
set -euo pipefail
cache="${TPUC_CACHE:-$HOME/.cache/tpuc}/node"
if [ -f "$cache/node_modules/onnxruntime-node/package.json" ]; then
  echo "$cache/node_modules"
  exit 0
fi
mkdir -p "$cache"
(cd "$cache" && npm install --ignore-scripts --no-audit --no-fund \
  onnxruntime-node@1.30.0 >&2)
echo "$cache/node_modules"
