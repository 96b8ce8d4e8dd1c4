#!/bin/bash
# net_recorded.sh - iptsim against every recorded host-with-interfaces case
# (tests/diff/net-cases/, the kernel's answers recorded by
# tests/kernel/oracle_net.py --stable); no root needed.
#
# For each NAME: run
#   iptsim trace NAME.rules --format json ARGS...
# where ARGS are NAME.args's lines (one option a line, --opt=value), as
# net_compare.py --iptsim-args translates them, and compare the answer with
# NAME.expect.json by net_compare.py: outcome (the oracle's eacces is
# iptsim's eperm), packets, TRACE lines and addresses as compare.py compares
# them, and the devices the recording shows (see net_compare.py). One line a
# case: agree, disagree (with the differences, indented), refused (iptsim
# exit 2 or no outcome: an option it does not take, a query it does not
# simulate), crashed.
#
# net-cases/PENDING lists the cases known not to agree yet, one
# "NAME reason" a line ('#' comments). The rule:
#   - a case not in PENDING must agree;
#   - a case in PENDING may disagree or be refused; if it agrees, that is a
#     failure too ("now agrees: remove it from PENDING"), so that the list
#     only shrinks;
#   - a crash (a signal, an exit status other than 0-3) always fails, and
#     so does a PENDING line naming no case.
# Before the cases, net_compare.py --self-test checks the comparison itself
# on every expectation (a perfect answer agrees, each changed one does not).
#
# Usage: net_recorded.sh IPTSIM [SRCDIR [SHAREDDIR]]   (ctest's arguments)
# Environment: NET_CASES="a b" runs only these cases (PENDING lines of
# other cases are then not checked).
# Last line: "N cases: N agree, N disagree, N refused, N crashed; N pending;
# N failed". Exit: 0 the rule holds, 1 it does not, 2 usage, 77 no python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
iptsim=${1:-}
src=${2:-$(cd "$here/../.." && pwd)}
if [ -z "$iptsim" ] || [ ! -x "$iptsim" ]; then
	echo "usage: net_recorded.sh IPTSIM [SRCDIR [SHAREDDIR]]" >&2
	exit 2
fi
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}
if [ -z "$python" ]; then
	echo "SKIP: needs python3"
	exit 77
fi
cases=$src/tests/diff/net-cases
netcmp=$src/tests/diff/net_compare.py
pending_file=$cases/PENDING

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0
fail() {
	echo "FAIL $*"
	failed=$((failed + 1))
}

# The comparison sees a difference where there is one.
if ! "$python" "$netcmp" --self-test "$cases"/*.expect.json >"$tmp/self" 2>&1; then
	cat "$tmp/self"
	fail "net_compare.py --self-test"
fi

declare -A pending=()
if [ -f "$pending_file" ]; then
	while read -r name reason; do
		case $name in '' | '#'*) continue ;; esac
		pending[$name]=${reason:-no reason given}
	done <"$pending_file"
fi
for name in "${!pending[@]}"; do
	if [ ! -f "$cases/$name.rules" ]; then
		fail "PENDING names $name, which is no case of net-cases/"
	fi
done

n=0 agree=0 disagree=0 refused=0 crashed=0 npending=0
for rules in "$cases"/*.rules; do
	[ -e "$rules" ] || continue
	name=$(basename "$rules" .rules)
	if [ -n "${NET_CASES:-}" ] && [[ " $NET_CASES " != *" $name "* ]]; then
		continue
	fi
	n=$((n + 1))
	expect=$cases/$name.expect.json
	if [ ! -f "$expect" ] || [ ! -f "$cases/$name.args" ]; then
		fail "$name: needs $name.args and $name.expect.json"
		continue
	fi
	mapfile -t oargs <"$cases/$name.args"
	mapfile -t args < <("$python" "$netcmp" --iptsim-args \
		${oargs[@]+"${oargs[@]}"})
	flags=()
	if grep -q '^# diff: undetermined' "$rules"; then
		flags+=(--undetermined-ok)
	fi
	rc=0
	"$iptsim" trace "$rules" --format json ${args[@]+"${args[@]}"} \
		>"$tmp/out.json" 2>"$tmp/err" </dev/null || rc=$?
	vrc=0
	"$python" "$netcmp" ${flags[@]+"${flags[@]}"} --rc "$rc" \
		--stderr "$tmp/err" "$tmp/out.json" "$expect" \
		>"$tmp/verdict" 2>&1 || vrc=$?
	verdict=$(head -1 "$tmp/verdict")
	tail -n +2 "$tmp/verdict" >"$tmp/diffs"
	is_pending=${pending[$name]+yes}
	[ -z "$is_pending" ] || npending=$((npending + 1))
	detail=
	case $vrc in
	0) agree=$((agree + 1)) ;;
	1) disagree=$((disagree + 1)) ;;
	3 | 4)
		if [ "$vrc" = 3 ]; then
			refused=$((refused + 1))
		else
			crashed=$((crashed + 1))
		fi
		detail=" ($(sed 's/^ *//' "$tmp/diffs" | head -1 | cut -c1-160))"
		: >"$tmp/diffs"
		;;
	*)
		fail "$name: net_compare.py failed (exit $vrc)"
		sed 's/^/    /' "$tmp/verdict"
		continue
		;;
	esac
	if [ "$vrc" = 4 ]; then
		echo "$name: $verdict$detail"
		fail "$name: iptsim crashed"
	elif [ "$vrc" = 0 ] && [ -n "$is_pending" ]; then
		echo "$name: $verdict"
		fail "$name: now agrees: remove it from PENDING"
	elif [ "$vrc" = 0 ]; then
		echo "$name: $verdict"
	elif [ -n "$is_pending" ]; then
		echo "$name: $verdict$detail; pending: ${pending[$name]}"
		head -3 "$tmp/diffs"
		if [ "$(wc -l <"$tmp/diffs")" -gt 3 ]; then
			echo "    ..."
		fi
	else
		echo "$name: $verdict$detail"
		cat "$tmp/diffs"
		if [ "$vrc" = 3 ] && [ -s "$tmp/err" ]; then
			sed 's/^/    iptsim: /' "$tmp/err" | head -3
		fi
		fail "$name: $verdict, and not in PENDING" \
			"(oracle args: $(paste -sd' ' "$cases/$name.args"))"
	fi
done
echo "$n cases: $agree agree, $disagree disagree, $refused refused," \
	"$crashed crashed; $npending pending; $failed failed"
[ "$failed" = 0 ]
