#!/usr/bin/env bash
# Builds the given targets in ./build while holding a lock, so that parallel
# developers on a 2-core machine never run two builds at once.
# Usage: scripts/locked-build.sh [ninja targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/tpuc-build.lock
flock 9
if [ ! -f build/build.ninja ]; then
  cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C build "$@"
