#!/usr/bin/env bash
# install_check.sh BUILD_DIR: install a configured, built libopt tree into a temporary prefix and
# build tests/install/consumer.c against the installed package two ways, running each result:
#   1. CMake:      find_package(libopt) + libopt::libopt (tests/install/CMakeLists.txt)
#   2. pkg-config: cc consumer.c $(pkg-config --cflags --libs libopt)
# Also checks that each program loads libopt from the temporary prefix, not from somewhere else.
# Last line: "install_check: N passed, M failed"; exit status 0 only if both passed.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" && pwd)
if [[ ! -f $build/CMakeCache.txt ]]; then
  echo "install_check: $build is not a configured CMake build directory" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/libopt-install-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
consumer_src=$root/tests/install
passed=0
failed=0

summary() {
  echo "install_check: $passed passed, $failed failed"
  (( failed == 0 ))
}

# Print a log file (indented) after a failure.
show_log() {
  sed 's/^/    /' "$1" >&2
}

# The program must load libopt.so from the temporary prefix.
loads_installed_lib() {
  local exe=$1 lib
  lib=$(LD_LIBRARY_PATH=$libdir ldd "$exe" | awk '$1 ~ /^libopt\.so/ { print $3 }')
  if [[ $lib != "$prefix"/* ]]; then
    echo "install_check: $exe loads libopt from '${lib:-nowhere}', not from $prefix" >&2
    return 1
  fi
}

check_cmake() {
  local dir=$work/cmake-consumer log=$work/cmake-consumer.log
  if ! cmake -S "$consumer_src" -B "$dir" -DCMAKE_BUILD_TYPE=Release \
         -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON >"$log" 2>&1 ||
     ! cmake --build "$dir" >>"$log" 2>&1; then
    echo "install_check: building the consumer with find_package(libopt) failed:" >&2
    show_log "$log"
    return 1
  fi
  loads_installed_lib "$dir/consumer" || return 1
  LD_LIBRARY_PATH=$libdir "$dir/consumer"
}

check_pkgconfig() {
  local pcdir log=$work/pkgconfig-consumer.log exe=$work/consumer-pkgconfig flags pcprefix
  local -a args
  pcdir=$(dirname "$pcfile")
  pcprefix=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=prefix libopt)
  if [[ $(realpath -m "$pcprefix") != "$(realpath -m "$prefix")" ]]; then
    echo "install_check: libopt.pc says prefix=$pcprefix but it was installed under $prefix" \
         "(the .pc file is not relocatable: derive prefix from \${pcfiledir})" >&2
  fi
  if ! flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs libopt 2>"$log"); then
    echo "install_check: pkg-config --cflags --libs libopt failed:" >&2
    show_log "$log"
    return 1
  fi
  read -r -a args <<<"$flags"
  if ! "${CC:-cc}" -std=c11 -Wall -Wextra -Werror "$consumer_src/consumer.c" "${args[@]}" -lm \
         -o "$exe" >"$log" 2>&1; then
    echo "install_check: building the consumer with pkg-config failed (flags: $flags):" >&2
    show_log "$log"
    return 1
  fi
  loads_installed_lib "$exe" || return 1
  LD_LIBRARY_PATH=$libdir "$exe"
}

echo "install_check: cmake --install $build --prefix $prefix"
if ! cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1; then
  echo "install_check: cmake --install failed:" >&2
  show_log "$work/install.log"
  failed=2
  summary
  exit 1
fi
libfile=$(find "$prefix" -name 'libopt.so*' -print -quit)
pcfile=$(find "$prefix" -path '*/pkgconfig/libopt.pc' -print -quit)
if [[ -z $libfile ]]; then
  echo "install_check: no libopt.so* was installed under $prefix" >&2
  failed=2
  summary
  exit 1
fi
libdir=$(dirname "$libfile")

if check_cmake; then
  echo "install_check: CMake package (find_package + libopt::libopt): ok"
  passed=$((passed + 1))
else
  echo "install_check: CMake package (find_package + libopt::libopt): FAILED"
  failed=$((failed + 1))
fi

if [[ -z $pcfile ]]; then
  echo "install_check: no lib*/pkgconfig/libopt.pc was installed under $prefix" >&2
  echo "install_check: pkg-config: FAILED"
  failed=$((failed + 1))
elif check_pkgconfig; then
  echo "install_check: pkg-config: ok"
  passed=$((passed + 1))
else
  echo "install_check: pkg-config: FAILED"
  failed=$((failed + 1))
fi

summary
