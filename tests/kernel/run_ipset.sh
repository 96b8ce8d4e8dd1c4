#!/bin/bash
# run_ipset.sh - -m set against the kernel: each tests/kernel/ipset/NAME
# case (NAME.ipsets restored with `ipset restore`, NAME.rules loaded with
# iptables-legacy-restore, one local connection with the oracle options of
# NAME.args) must give iptsim trace --ipsets the outcome NAME.expect holds.
#
#   run_ipset.sh IPTSIM [SRCDIR SHAREDDIR]   (ctest's arguments)
# Environment:
#   IPTS_IPSET_MODE=recorded  iptsim against NAME.expect, no root (default)
#   IPTS_IPSET_MODE=live      the kernel (oracle.py --ipsets) against
#                             NAME.expect and iptsim, as root
#   IPTSIM_UPDATE_GOLDEN=1    (live) rewrite NAME.expect from the kernel
#   IPTSIM_REQUIRE_KERNEL=1   a skip (no root, no netns) is a failure
#   IPTS_IPSET_CASES=DIR      the cases (default tests/kernel/ipset); in
#                             live mode a case without NAME.expect is
#                             judged by the kernel's answer of this run
#                             (outcome and sets after), as the random
#                             cases of run_ipset_random.sh are
# Exit: 0 all agree, 1 a difference, 77 skipped (live without root).
set -euo pipefail

iptsim=$1
mode=${IPTS_IPSET_MODE:-recorded}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cases=${IPTS_IPSET_CASES:-$here/ipset}
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}

if [ "$mode" = live ]; then
	# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
	. "$here/../lib/kernel.sh"
	ipts_require_kernel iptables-legacy-restore ipset nft ip
	[ -n "$python" ] || ipts_kernel_skip "needs python3"
fi

outcome_of() {
	"$python" -c 'import json, sys; print(json.load(sys.stdin)["outcome"])'
}

# The sets' elements after the connection, one `add` line each, sorted,
# without timeouts and counters (they tick): from the kernel's ipset save
# (oracle's ipsets_after), or from the capture with iptsim's changed sets
# (ipsets_after.save) put in their place.
sets_after() {
	"$python" -c '
import json, re, sys
def norm(lines):
	out = []
	for l in lines:
		if not l.startswith("add "):
			continue
		l = re.sub(r" (timeout|packets|bytes) [0-9]+", "", l)
		out.append(l.strip())
	return sorted(out)
d = json.load(sys.stdin)
if sys.argv[1] == "kernel":
	lines = d.get("ipsets_after", "").splitlines()
else:
	after = (d.get("ipsets_after") or {}).get("save") or ""
	changed = set(l.split()[1] for l in after.splitlines()
		      if l.startswith("create "))
	lines = [l for l in open(sys.argv[2]).read().splitlines()
		 if len(l.split()) > 1 and l.split()[1] not in changed]
	lines += after.splitlines()
print("\n".join(norm(lines)))
' "$@"
}

fail=0 n=0
for rules in "$cases"/*.rules; do
	name=$(basename "$rules" .rules)
	args=()
	read -r -a args < "$cases/$name.args" || true
	json=$("$iptsim" trace --format json --ipsets "$cases/$name.ipsets" \
		"${args[@]}" "$rules") || true
	got=$(outcome_of <<< "$json") || true
	want=$(cat "$cases/$name.expect" 2> /dev/null || echo none)
	if [ "$mode" = live ]; then
		kjson=$("$python" "$here/oracle.py" --stable --ipsets \
			"$cases/$name.ipsets" "${args[@]}" "$rules")
		kernel=$(outcome_of <<< "$kjson")
		if [ ! -f "$cases/$name.expect" ]; then
			# a random case: this run's kernel is the judge
			want=$kernel
			if grep -q -- '-j SET' "$rules" &&
				! diff -u <(sets_after kernel <<< "$kjson") \
					<(sets_after iptsim "$cases/$name.ipsets" \
						<<< "$json"); then
				echo "FAIL $name: iptsim's sets after differ" \
					"from the kernel's"
				fail=1
			fi
		fi
		if [ "${IPTSIM_UPDATE_GOLDEN:-}" = 1 ]; then
			echo "$kernel" > "$cases/$name.expect"
			want=$kernel
			if grep -q -- '-j SET' "$rules"; then
				sets_after kernel <<< "$kjson" \
					> "$cases/$name.after"
			fi
		fi
		if [ -f "$cases/$name.after" ] &&
			! diff -u "$cases/$name.after" \
				<(sets_after kernel <<< "$kjson"); then
			echo "FAIL $name: the kernel's sets after differ from" \
				"the recorded ones"
			fail=1
		fi
		if [ "$kernel" != "$want" ]; then
			echo "FAIL $name: the kernel says $kernel, recorded $want"
			fail=1
		fi
	fi
	if [ "$got" != "$want" ]; then
		echo "FAIL $name: iptsim says $got, the kernel $want"
		fail=1
	fi
	if [ -f "$cases/$name.after" ] &&
		! diff -u "$cases/$name.after" <(sets_after iptsim \
			"$cases/$name.ipsets" <<< "$json"); then
		echo "FAIL $name: iptsim's sets after differ from the kernel's"
		fail=1
	fi
	n=$((n + 1))
done
echo "$n ipset cases ($mode)"
exit $fail
