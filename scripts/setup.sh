#!/usr/bin/env bash
# setup.sh: make sure the Debian 12 packages libopt needs are installed (idempotent).
#
#   scripts/setup.sh          run it, or
#   . scripts/setup.sh        source it (test.sh, demo.sh and bench.sh run it)
#
# Required: build-essential cmake pkg-config libopenblas-dev liblapacke-dev libsuitesparse-dev check
# Optional: dataset-fashion-mnist (Fashion-MNIST IDX files in /usr/share/datasets/fashion-mnist/
#           for the real-data bench/example); if apt cannot provide it, a warning and we go on.
#
# Each package is checked with dpkg-query. Only when something is missing: as root, one
# `apt-get update` and one `apt-get install`; not as root, the missing packages and the command to
# run are printed and the status is 1 (a missing *optional* package alone only warns).
# Everything is printed on stderr, so a caller's stdout (bench.sh --json) stays clean; when all is
# present the one line is "setup: all packages present".

LOPT_SETUP_REQUIRED=(build-essential cmake pkg-config libopenblas-dev liblapacke-dev
                     libsuitesparse-dev check)
LOPT_SETUP_OPTIONAL=(dataset-fashion-mnist)

# Installed (also when on hold), as opposed to unknown, removed or only config files left.
lopt_setup_installed() {
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [[ $status == *" ok installed" ]]
}

# apt knows an installable version of the package (after apt-get update).
lopt_setup_available() {
  local candidate
  candidate=$(LC_ALL=C apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
  [[ -n $candidate && $candidate != "(none)" ]]
}

lopt_setup() {
  local p
  local -a missing_req=() missing_opt=() missing=() install=() still=()
  for p in "${LOPT_SETUP_REQUIRED[@]}"; do
    lopt_setup_installed "$p" || missing_req+=("$p")
  done
  for p in "${LOPT_SETUP_OPTIONAL[@]}"; do
    lopt_setup_installed "$p" || missing_opt+=("$p")
  done
  missing=("${missing_req[@]}" "${missing_opt[@]}")
  if (( ${#missing[@]} == 0 )); then
    echo "setup: all packages present" >&2
    return 0
  fi

  if (( EUID != 0 )); then
    local cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y"
    cmd+=" --no-install-recommends ${missing[*]}"
    if (( ${#missing_req[@]} > 0 )); then
      echo "setup: missing required packages: ${missing_req[*]}" >&2
      (( ${#missing_opt[@]} == 0 )) || echo "setup: missing optional packages: ${missing_opt[*]}" >&2
      echo "setup: not root, so not installing; as root run:" >&2
      echo "  $cmd" >&2
      return 1
    fi
    echo "setup: warning: optional package not installed: ${missing_opt[*]} (real-data runs are" \
         "skipped); as root run:" >&2
    echo "  $cmd" >&2
    return 0
  fi

  echo "setup: installing: ${missing[*]}" >&2
  if ! apt-get update -qq >&2; then
    echo "setup: warning: apt-get update failed; trying the install with the package lists at hand" >&2
  fi
  install=("${missing_req[@]}")
  for p in "${missing_opt[@]}"; do
    if lopt_setup_available "$p"; then
      install+=("$p")
    else
      echo "setup: warning: optional package $p is not available from apt; going on without it" >&2
    fi
  done
  if (( ${#install[@]} > 0 )); then
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
         -o DPkg::Lock::Timeout=300 "${install[@]}" >&2; then
      # An optional package must not block the required ones: retry with those alone.
      if (( ${#missing_req[@]} > 0 && ${#install[@]} > ${#missing_req[@]} )); then
        echo "setup: warning: install failed; retrying with the required packages only" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
          -o DPkg::Lock::Timeout=300 "${missing_req[@]}" >&2 || true
      fi
    fi
  fi

  for p in "${missing_req[@]}"; do
    lopt_setup_installed "$p" || still+=("$p")
  done
  if (( ${#still[@]} > 0 )); then
    echo "setup: error: required packages still missing: ${still[*]}" >&2
    return 1
  fi
  for p in "${missing_opt[@]}"; do
    if [[ " ${install[*]} " == *" $p "* ]] && ! lopt_setup_installed "$p"; then
      echo "setup: warning: optional package $p failed to install; going on without it" >&2
    fi
  done
  echo "setup: done" >&2
  return 0
}

# Run or sourced, the status of this last command is the script's.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
fi
lopt_setup
