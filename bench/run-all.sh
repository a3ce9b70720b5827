#!/usr/bin/env bash
# Runs every benchmark; each prints its ratio against a peer measured in the
# same run on the same machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../build}" && pwd)"
/usr/bin/python3 "$here/interp_vs_numpy.py" "$build"
bash "$here/interp_vs_ort.sh" "$build"
bash "$here/calibration.sh" "$build"
bash "$here/tpu_vs_top.sh" "$build"
bash "$here/qtable_search.sh" "$build"
