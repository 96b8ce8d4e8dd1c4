#!/bin/bash
# run_facts.sh - re-check every recorded kernel fact against the running kernel.
#
# Each tests/kernel/facts/NAME.rules is loaded by oracle.py with the options in
# NAME.args; its --stable output must equal NAME.expect.json. A mismatch is
# retried once (a capture can be disturbed by other traffic on the host).
#
# Usage: run_facts.sh [IPTSIM SRCDIR SHAREDDIR]   (ctest's arguments, unused)
# Environment:
#   FACTS="a b"               run only these cases
#   IPTSIM_UPDATE_GOLDEN=1    rewrite NAME.expect.json from the kernel
#   IPTSIM_REQUIRE_KERNEL=1   a skip (no root, no netns) is a failure
# Exit: 0 all agree, 1 a difference, 77 skipped.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
facts=$here/facts
oracle=$here/oracle.py
# The distribution's interpreter starts faster than version-manager shims.
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}

# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$here/../lib/kernel.sh"

ipts_require_kernel iptables-legacy-restore iptables-legacy-save nft ip
[ -n "$python" ] || ipts_kernel_skip "needs python3"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_case NAME OUT: the oracle's stable answer for one case.
run_case() {
	local name=$1 out=$2 args=()
	read -r -a args < "$facts/$name.args" || true
	"$python" "$oracle" --stable "${args[@]}" "$facts/$name.rules" > "$out"
}

if [ -n "${FACTS:-}" ]; then
	read -r -a names <<< "$FACTS"
else
	names=()
	for f in "$facts"/*.rules; do
		n=${f##*/}
		names+=("${n%.rules}")
	done
fi

pass=0 fail=0 retried=0
start=$SECONDS
for name in "${names[@]}"; do
	out=$tmp/$name.json
	rc=0
	run_case "$name" "$out" || rc=$?
	if [ "$rc" = 77 ]; then
		skip "needs root and network namespaces"
	elif [ "$rc" != 0 ]; then
		echo "FAIL: $name: oracle exited $rc"
		fail=$((fail + 1))
		continue
	fi
	if [ "${IPTSIM_UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$out" "$facts/$name.expect.json"
		echo "updated: $name"
		pass=$((pass + 1))
		continue
	fi
	if ! cmp -s "$out" "$facts/$name.expect.json"; then
		retried=$((retried + 1))
		echo "retry: $name"
		diff -u "$facts/$name.expect.json" "$out" | sed 's/^/retry: /' || true
		run_case "$name" "$out" || true
	fi
	if cmp -s "$out" "$facts/$name.expect.json"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $name: the kernel disagrees with $name.expect.json"
		diff -u "$facts/$name.expect.json" "$out" || true
		fail=$((fail + 1))
	fi
done
echo "kernel facts: $pass agree, $fail differ, $retried retried," \
	"$((SECONDS - start)) s"
[ "$fail" = 0 ]
