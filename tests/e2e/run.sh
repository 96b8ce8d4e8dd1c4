#!/usr/bin/env bash
# End-to-end CLI cases: tests/e2e/<command>/<case>.args holds one line of
# arguments, where the word FILE stands for <case>.rules; .out and .err are
# the expected stdout and stderr (both always compared: a case without its
# .err fails), .rc the expected exit code. Run in the case's directory, so
# file names in the output are relative. IPTSIM_UPDATE_GOLDEN=1 rewrites the
# expectations (and writes those of a new case): review that diff like code.
set -euo pipefail

iptsim=$1
srcdir=$2
cd "$srcdir/tests/e2e"

pass=0
fail=0
for args_file in */*.args; do
	dir=$(dirname "$args_file")
	case_name=$(basename "$args_file" .args)
	read -r line < "$args_file" || true
	line=${line//FILE/$case_name.rules}
	out=$(mktemp) err=$(mktemp)
	rc=0
	# shellcheck disable=SC2086
	(cd "$dir" && NO_COLOR=1 "$iptsim" $line > "$out" 2> "$err" < /dev/null) || rc=$?
	base="$dir/$case_name"
	if [ "${IPTSIM_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$out" "$base.out"
		echo "$rc" > "$base.rc"
		cp "$err" "$base.err"
	fi
	ok=1
	if ! diff -u "$base.out" "$out" > /dev/null; then
		echo "FAIL $base: stdout differs"
		diff -u "$base.out" "$out" | head -40 || true
		ok=0
	fi
	if [ ! -f "$base.err" ]; then
		echo "FAIL $base: no $base.err (IPTSIM_UPDATE_GOLDEN=1 writes it)"
		ok=0
	elif ! diff -u "$base.err" "$err" > /dev/null; then
		echo "FAIL $base: stderr differs"
		diff -u "$base.err" "$err" | head -40 || true
		ok=0
	fi
	want_rc=$(cat "$base.rc")
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL $base: exit code $rc, expected $want_rc"
		ok=0
	fi
	rm -f "$out" "$err"
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
