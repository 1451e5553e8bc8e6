#!/usr/bin/env bash
# demo.sh [SUITE...]: install what is missing, build build/release, then run the quick bench of
# every suite (or of the suites named) and print its table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release
cmake --build build/release -j"$(nproc)"
echo
exec scripts/bench.sh --quick "$@"
