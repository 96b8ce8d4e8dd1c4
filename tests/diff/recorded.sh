#!/bin/bash
# recorded.sh - iptsim against every recorded kernel answer (no root needed).
#
# For each tests/kernel/facts/NAME and tests/diff/cases/NAME (NAME.rules,
# NAME.args = the oracle's options, NAME.expect.json = the kernel's answer
# recorded by tests/kernel/oracle.py --stable), run
#   iptsim trace NAME.rules ARGS --format json
# with the same options (translated by compare.py --iptsim-args) and compare
# with compare.py: outcome, and per packet name, trace lines and tuples.
# A case whose .rules has a line "# diff: undetermined" may be answered
# undetermined as long as the kernel's outcome is among the possible ones.
#
# Usage: recorded.sh IPTSIM [SRCDIR [SHAREDDIR]]   (ctest's arguments)
# Environment: CASES="a b" runs only the cases with these names.
# Prints each disagreement and a last line "N passed, N failed".
# Exit: 0 all agree, 1 a disagreement, 77 no python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
iptsim=${1:-}
src=${2:-$(cd "$here/../.." && pwd)}
if [ -z "$iptsim" ] || [ ! -x "$iptsim" ]; then
	echo "usage: recorded.sh IPTSIM [SRCDIR [SHAREDDIR]]" >&2
	exit 2
fi
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}
if [ -z "$python" ]; then
	echo "SKIP: needs python3"
	exit 77
fi
compare=$here/compare.py

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

# compare.py must see a difference where there is one: the seed case with
# its outcome, then one trace line, then one tuple changed, then a kernel
# that refused the file, must each disagree.
seed=$src/tests/kernel/facts/seed_input_drop
if [ -f "$seed.rules" ]; then
	"$iptsim" trace "$seed.rules" --format json >"$tmp/seed.json" || true
	for change in outcome trace tuple load; do
		"$python" - "$seed.expect.json" "$change" >"$tmp/bad.json" <<-'EOF'
		import json, sys
		d = json.load(open(sys.argv[1]))
		c = sys.argv[2]
		p = d["packets"][0]
		if c == "outcome": d["outcome"] = "connected"
		if c == "trace": p["trace"][-1] = "filter:INPUT:rule:2"
		if c == "tuple": p["tuples"][0] = "127.0.0.1:1>127.0.0.1:2"
		if c == "load": d["load"]["ok"] = False
		json.dump(d, sys.stdout)
		EOF
		if "$python" "$compare" --rc 1 "$tmp/seed.json" "$tmp/bad.json" \
			>/dev/null 2>&1; then
			echo "FAIL compare.py: a changed $change goes unnoticed"
			failed=$((failed + 1))
		else
			passed=$((passed + 1))
		fi
	done
fi

for dir in "$src/tests/kernel/facts" "$src/tests/diff/cases"; do
	[ -d "$dir" ] || continue
	for rules in "$dir"/*.rules; do
		[ -e "$rules" ] || continue
		name=$(basename "$rules" .rules)
		if [ -n "${CASES:-}" ] && [[ " $CASES " != *" $name "* ]]; then
			continue
		fi
		expect=$dir/$name.expect.json
		if [ ! -f "$expect" ]; then
			echo "FAIL $name: no $name.expect.json"
			failed=$((failed + 1))
			continue
		fi
		oargs=$(cat "$dir/$name.args" 2>/dev/null || true)
		# shellcheck disable=SC2086 # the .args line is a word list
		read -r -a args <<<"$("$python" "$compare" --iptsim-args $oargs)"
		flags=()
		if grep -q '^# diff: undetermined' "$rules"; then
			flags+=(--undetermined-ok)
		fi
		rc=0
		"$iptsim" trace "$rules" ${args[@]+"${args[@]}"} --format json \
			>"$tmp/out.json" 2>"$tmp/err" || rc=$?
		if "$python" "$compare" ${flags[@]+"${flags[@]}"} --rc "$rc" \
			"$tmp/out.json" "$expect" >"$tmp/diff" 2>&1; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			rel=${rules#"$src"/}
			echo "FAIL $name ($rel${oargs:+, oracle args: $oargs}):"
			sed 's/^/    /' "$tmp/diff"
			if [ "$rc" = 2 ] && [ -s "$tmp/err" ]; then
				sed 's/^/    iptsim: /' "$tmp/err" | head -5
			fi
		fi
	done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
