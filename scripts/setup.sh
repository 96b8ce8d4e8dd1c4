#!/usr/bin/env bash
# Install every dependency on Debian 12 (apt) and build iptsim in build/.
#
#   setup.sh [--deps-only] [--if-needed]
#
# --deps-only installs the packages and builds nothing; --if-needed skips
# apt-get when every package is installed already (scripts/test.sh uses
# both, so that running the tests again does not reinstall anything).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
packages=(build-essential cmake pkg-config flex bison
	libxtables-dev libcmocka-dev libjson-c-dev iptables iproute2 nftables kmod
	clang libclang-rt-14-dev llvm valgrind python3 procps time netbase
	util-linux diffutils pre-commit git cppcheck shellcheck clang-format
	graphviz ipset)
deps_only=0 if_needed=0
for arg in "$@"; do
	case $arg in
	--deps-only) deps_only=1 ;;
	--if-needed) if_needed=1 ;;
	*) echo "usage: $0 [--deps-only] [--if-needed]" >&2; exit 2 ;;
	esac
done

installed() {
	local p
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || return 1
	done
}

if [ $if_needed = 0 ] || ! installed; then
	$SUDO apt-get update
	$SUDO apt-get install -y --no-install-recommends "${packages[@]}"
fi
[ $deps_only = 1 ] && exit 0
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
