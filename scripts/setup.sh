#!/usr/bin/env bash
# Installs what a fresh Debian bookworm machine lacks (apt-get), then configures and builds
# mcsim with CMake presets. Usage: scripts/setup.sh [default|asan|tsan]...  (default: default)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config ccache libpcap-dev libgtest-dev libgmock-dev libbenchmark-dev
          libyaml-cpp-dev python3 python3-pytest python3-pybind11 pybind11-dev python3-scapy python3-distributed python3-pandas tshark tcpdump frr tcpreplay
          chromium
          dpkg-dev groff-base man-db mandoc bash-completion
          clang libclang-rt-dev
          iproute2 procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(default)
for preset in "${presets[@]}"; do
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
done
