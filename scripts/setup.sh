#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build Tally: OpenBLAS, LAPACKE and zlib.
# Swift 6.1 or later must already be on PATH (https://swift.org/install).
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: swift is not on PATH; install Swift 6.1+ first" >&2
  exit 1
fi

need=()
pkg-config --exists openblas 2>/dev/null || need+=(libopenblas-dev)
[ -f /usr/include/lapacke.h ] || need+=(liblapacke-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v gzip >/dev/null 2>&1 || need+=(gzip)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
