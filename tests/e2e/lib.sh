# shellcheck shell=bash
# lib.sh - sourced by the e2e scripts (bash, set -euo pipefail): what
# each of them needs before its own checks.

# Skip the test (exit 77, which ctest counts as skipped) unless the
# command @1 is installed.
e2e_need() {
	if ! command -v "$1" > /dev/null; then
		echo "SKIP: needs $1"
		exit 77
	fi
}

# A private temporary directory in $tmp, removed when the script exits.
e2e_tmpdir() {
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
}
