#!/bin/bash
# net_cases.sh - the recorded host-with-interfaces cases are well formed (no
# root, no iptsim): every tests/diff/net-cases/NAME has NAME.rules whose
# first line says what it shows ("# ..."), NAME.args that oracle_net.py
# accepts (one option a line), and NAME.expect.json, an oracle_net.py
# --stable answer (outcome, packets with trace/tuples/reached, counters).
# The directory holds nothing else but PENDING (read by net_recorded.sh).
# The kernel itself re-checks them: tests/kernel/run_net.sh (ctest
# kernel_net, as root).
#
# Usage: net_cases.sh [IPTSIM SRCDIR SHAREDDIR]   (ctest's arguments, unused)
# Exit: 0 all well formed, 1 not, 77 no python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cases=$here/net-cases
oracle=$here/../kernel/oracle_net.py
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}
if [ -z "$python" ]; then
	echo "SKIP: needs python3"
	exit 77
fi

pass=0 fail=0
bad() {
	echo "FAIL $1: $2"
	fail=$((fail + 1))
}
for rules in "$cases"/*.rules; do
	name=$(basename "$rules" .rules)
	if ! head -1 "$rules" | grep -q '^# .'; then
		bad "$name" "first line of $name.rules does not say what it shows"
		continue
	fi
	if [ ! -f "$cases/$name.args" ] || [ ! -f "$cases/$name.expect.json" ]; then
		bad "$name" "needs $name.args and $name.expect.json"
		continue
	fi
	mapfile -t args < "$cases/$name.args"
	if ! err=$("$python" "$oracle" --check-args ${args[@]+"${args[@]}"} \
		"$rules" 2>&1); then
		bad "$name" "oracle_net.py refuses $name.args: $err"
		continue
	fi
	if ! err=$("$python" - "$cases/$name.expect.json" 2>&1 <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	for k in ("outcome", "packets", "counters", "load", "listeners",
		  "client"):
	    assert k in d, "no %s" % k
	for p in d["packets"]:
	    for k in ("name", "trace", "tuples", "reached"):
	        assert k in p, "packet without %s" % k
	    assert len(p["trace"]) == len(p["tuples"]), "trace/tuples"
	    assert "attempts" not in p, "not --stable"
	assert "elapsed_ms" not in d, "not --stable"
	EOF
	); then
		bad "$name" "$name.expect.json: ${err##*$'\n'}"
		continue
	fi
	pass=$((pass + 1))
done
for f in "$cases"/*; do
	# PENDING: the cases iptsim does not answer yet (net_recorded.sh)
	[ "${f##*/}" != PENDING ] || continue
	base=${f%.*}
	[ "${f%.expect.json}" != "$f" ] && base=${f%.expect.json}
	[ -f "$base.rules" ] || bad "${f##*/}" "no ${base##*/}.rules beside it"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
