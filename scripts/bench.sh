#!/usr/bin/env bash
# bench.sh [--quick] [--json] [SUITE...]: run the bench harness build/release/bench/lopt_bench,
# configuring and building build/release first when needed.
#
# Arguments go to the harness unchanged; it parses --quick, --json and suite names (no suite: all).
# Without --json it prints a readable table. With --json each case is one JSON object per line
# on stdout (JSON Lines), so this script keeps stdout for the harness alone: setup messages and
# build output go to stderr (the build log only when the build fails).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=build/release

if [[ ! -f $build/CMakeCache.txt ]]; then
  scripts/setup.sh >&2
  echo "bench: configuring $build" >&2
  log=$(mktemp)
  if ! cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "bench: configuring $build failed" >&2
    exit 1
  fi
  rm -f "$log"
fi

# Incremental: quick when nothing changed.
log=$(mktemp)
if ! cmake --build "$build" -j"$(nproc)" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "bench: building $build failed" >&2
  exit 1
fi
rm -f "$log"

if [[ ! -x $build/bench/lopt_bench ]]; then
  echo "bench: $build/bench/lopt_bench was not built (is LOPT_BUILD_BENCH off in $build?)" >&2
  exit 1
fi
exec "$build/bench/lopt_bench" "$@"
