#!/bin/bash
# run_net.sh - re-ask the kernel every recorded host-with-interfaces case,
# or record them.
#
# Each tests/diff/net-cases/NAME.rules is given to oracle_net.py with the
# options in NAME.args (one option a line, --opt=value, no quoting); its
# --stable output must equal NAME.expect.json (a port NAT draws at random
# masked, see same()). A mismatch is retried once (a
# capture can be disturbed by other traffic on the host).
#
# Usage: run_net.sh [IPTSIM SRCDIR SHAREDDIR]   (ctest's arguments, unused)
# Environment:
#   NET_CASES="a b"           run only these cases
#   IPTSIM_UPDATE_GOLDEN=1    record: (re)write NAME.expect.json from the
#                             kernel (a case without one is always recorded)
#   IPTSIM_REQUIRE_KERNEL=1   a skip (no root, no netns) is a failure
# Exit: 0 all agree, 1 a difference, 77 skipped.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cases=$here/../diff/net-cases
oracle=$here/oracle_net.py
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}

# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$here/../lib/kernel.sh"

ipts_require_kernel iptables-legacy-restore iptables-legacy-save nft ip
[ -n "$python" ] || ipts_kernel_skip "needs python3"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# same OUT EXPECT NAME: the answers agree. A case whose rules ask NAT for
# a random port (--random, --random-fully) is compared with every port
# that is not the query's (--sport, --dport, 40000) masked: the kernel
# draws it anew each run.
same() {
	if ! grep -q -e '--random' "$cases/$3.rules"; then
		cmp -s "$1" "$2"
		return
	fi
	"$python" - "$1" "$2" "$cases/$3.args" <<'PY'
import re, sys
keep = {"40000"}
for line in open(sys.argv[3]):
	m = re.match(r"--[sd]port=(\d+)", line.strip())
	if m:
		keep.add(m.group(1))
def mask(path):
	return re.sub(r"(\d+\.\d+\.\d+\.\d+):(\d+)",
		      lambda m: m.group(0) if m.group(2) in keep
		      else m.group(1) + ":*", open(path).read())
sys.exit(0 if mask(sys.argv[1]) == mask(sys.argv[2]) else 1)
PY
}

# run_case NAME OUT: the oracle's stable answer for one case.
run_case() {
	local name=$1 out=$2 args=()
	mapfile -t args < "$cases/$name.args"
	timeout 120 "$python" "$oracle" --stable ${args[@]+"${args[@]}"} \
		"$cases/$name.rules" > "$out"
}

if [ -n "${NET_CASES:-}" ]; then
	read -r -a names <<< "$NET_CASES"
else
	names=()
	for f in "$cases"/*.rules; do
		n=${f##*/}
		names+=("${n%.rules}")
	done
fi

pass=0 fail=0 retried=0 recorded=0
start=$SECONDS
for name in "${names[@]}"; do
	out=$tmp/$name.json
	expect=$cases/$name.expect.json
	rc=0
	run_case "$name" "$out" || rc=$?
	if [ "$rc" = 77 ]; then
		ipts_kernel_skip "needs root and network namespaces"
	elif [ "$rc" != 0 ]; then
		echo "FAIL: $name: oracle_net.py exited $rc"
		fail=$((fail + 1))
		continue
	fi
	if [ "${IPTSIM_UPDATE_GOLDEN:-0}" = 1 ] || [ ! -f "$expect" ]; then
		cp "$out" "$expect"
		echo "recorded: $name"
		recorded=$((recorded + 1))
		continue
	fi
	if ! same "$out" "$expect" "$name"; then
		retried=$((retried + 1))
		echo "retry: $name"
		diff -u "$expect" "$out" | sed 's/^/retry: /' || true
		run_case "$name" "$out" || true
	fi
	if same "$out" "$expect" "$name"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $name: the kernel disagrees with $name.expect.json"
		diff -u "$expect" "$out" || true
		fail=$((fail + 1))
	fi
done
echo "kernel net cases: $pass agree, $fail differ, $retried retried," \
	"$recorded recorded, $((SECONDS - start)) s"
[ "$fail" = 0 ]
