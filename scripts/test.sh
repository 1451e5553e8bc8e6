#!/usr/bin/env bash
# test.sh: everything CI checks, in order:
#   1. setup (scripts/setup.sh)
#   2. build/release: Release, -Werror; build; ctest
#   3. build/asan: Debug, -Werror, AddressSanitizer + UndefinedBehaviorSanitizer; build; ctest with
#      leak detection, aborting on the first error
#   4. install check on build/release (scripts/install_check.sh): the installed package is used by
#      a consumer through CMake and through pkg-config
# A failed configure or build stops at once. Failed tests do not: the later stages still run, and
# the exit status is non-zero at the end. The last line, when every stage's counts could be read,
# is "test.sh: N passed, M failed" (ctest tests of both builds plus the two install checks).
# ctest logs are kept in build/<name>/ctest.log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

trap 'echo "test.sh: stopped: \"$BASH_COMMAND\" failed (line $LINENO)" >&2' ERR

scripts/setup.sh

jobs=$(nproc)
total_passed=0
total_failed=0
counts_ok=1      # every stage reported counts we could read
any_failed=0

stage() {
  printf '\n==== %s ====\n' "$*"
}

# run_ctest DIR [VAR=VALUE...]: run the tests of a build directory and add up ctest's counts.
run_ctest() {
  local dir=$1 rc=0 line failed total
  shift
  env "$@" ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 2>&1 |
    tee "$dir/ctest.log" || rc=$?
  # ctest's own summary: "100% tests passed, 0 tests failed out of 12"
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+$' "$dir/ctest.log" |
         tail -n 1 || true)
  if [[ -n $line ]]; then
    failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+)$/\1/' <<<"$line")
    total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+)$/\2/' <<<"$line")
    total_passed=$((total_passed + total - failed))
    total_failed=$((total_failed + failed))
    # A non-zero exit with no failed test (e.g. a ctest error) makes the counts untrustworthy.
    if (( rc != 0 && failed == 0 )); then counts_ok=0; fi
  else
    counts_ok=0
  fi
  if (( rc != 0 )); then
    any_failed=1
    echo "test.sh: ctest failed in $dir (exit $rc)" >&2
  fi
}

stage "release build (build/release)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DLOPT_WERROR=ON -DLOPT_SANITIZE=OFF
cmake --build build/release -j"$jobs"

stage "release tests"
run_ctest build/release

stage "sanitizer build (build/asan)"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DLOPT_WERROR=ON -DLOPT_SANITIZE=ON
cmake --build build/asan -j"$jobs"

stage "sanitizer tests"
run_ctest build/asan \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  OMP_NUM_THREADS=2

stage "install check (build/release)"
install_rc=0
scripts/install_check.sh build/release 2>&1 | tee build/release/install_check.log || install_rc=$?
line=$(grep -E '^install_check: [0-9]+ passed, [0-9]+ failed$' build/release/install_check.log |
       tail -n 1 || true)
if [[ -n $line ]]; then
  read -r _ p _ f _ <<<"$line"
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  if (( install_rc != 0 && f == 0 )); then counts_ok=0; fi
else
  counts_ok=0
fi
if (( install_rc != 0 )); then
  any_failed=1
  echo "test.sh: install check failed (exit $install_rc)" >&2
fi

echo
if (( counts_ok )); then
  echo "test.sh: $total_passed passed, $total_failed failed"
fi
if (( any_failed || total_failed )); then
  exit 1
fi
