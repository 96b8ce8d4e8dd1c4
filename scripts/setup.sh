#!/usr/bin/env bash
# Install every dependency on Debian 12 (apt) and build iptsim in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
	build-essential cmake pkg-config flex bison \
	libxtables-dev libcmocka-dev iptables iproute2 nftables kmod \
	clang libclang-rt-14-dev valgrind python3 procps time netbase \
	util-linux diffutils pre-commit git
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
