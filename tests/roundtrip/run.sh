#!/bin/bash
# run.sh - `iptsim dump` and `dump -c` against the kernel's recorded answers.
#
# Usage: run.sh IPTSIM SRCDIR [SHAREDDIR]
#
# For every case of lib.sh (tests/roundtrip/cases/*.rules and
# tests/corpus/valid/*.rules), `iptsim dump FILE` must print exactly
# NAME.save and `iptsim dump -c FILE` exactly NAME.save-c, each exiting 0;
# where the kernel refused the load (NAME.refused, NAME.refused-c) dump must
# exit 1, as it must for every file of tests/corpus/invalid. The IPv6
# cases (rt_cases6, invalid6) the same with `dump -6`. A mismatch
# prints a unified diff, kernel first. No root needed:
# tests/kernel/roundtrip.sh checks the recordings against the live kernel.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 IPTSIM SRCDIR [SHAREDDIR]" >&2
	exit 2
fi
iptsim=$1
src=$2
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$src/tests/roundtrip/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# one INPUT ANSWER-PREFIX SUFFIX [-c] [-6]
one() {
	local f=$1 ans=$2 sfx=$3 c=${4:-} fam=${5:-} rc=0 name

	name=${f#"$src"/}${c:+ (dump -c)}
	timeout 60 "$iptsim" dump ${c:+"$c"} ${fam:+"$fam"} "$f" >"$tmp/out" \
		2>"$tmp/err" || rc=$?
	if [ -f "$ans.refused$sfx" ]; then
		if [ "$rc" -eq 1 ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $name: the kernel refuses it ($(head -n1 "$ans.refused$sfx")), want exit 1, got $rc"
		fi
		return
	fi
	if [ ! -f "$ans.save$sfx" ]; then
		fail=$((fail + 1))
		echo "FAIL: $name: no recorded answer ${ans#"$src"/}.save$sfx (run tests/roundtrip/record.sh)"
		return
	fi
	if [ "$rc" -ne 0 ]; then
		fail=$((fail + 1))
		echo "FAIL: $name: want exit 0, got $rc: $(grep -m1 'error:' "$tmp/out" || head -n1 "$tmp/err" || true)"
	elif ! diff -u --label "kernel ${ans#"$src"/}.save$sfx" --label "iptsim dump $c" \
			"$ans.save$sfx" "$tmp/out" >"$tmp/diff"; then
		fail=$((fail + 1))
		echo "FAIL: $name: dump differs from the kernel"
		cat "$tmp/diff"
	else
		pass=$((pass + 1))
	fi
}

while IFS=$'\t' read -r f ans; do
	one "$f" "$ans" ""
	one "$f" "$ans" "-c" -c
done < <(rt_cases "$src")
while IFS=$'\t' read -r f ans; do
	one "$f" "$ans" "" "" -6
	one "$f" "$ans" "-c" -c -6
done < <(rt_cases6 "$src")

# What the kernel refuses, dump refuses: exit 1 and nothing on stdout.
for f in "$src"/tests/corpus/invalid/*.rules "$src"/tests/corpus/invalid6/*.rules; do
	[ -e "$f" ] || continue
	fam=
	case $f in */invalid6/*) fam=-6 ;; esac
	for c in "" -c; do
		rc=0
		timeout 60 "$iptsim" dump ${c:+"$c"} ${fam:+"$fam"} "$f" \
			>"$tmp/out" 2>"$tmp/err" || rc=$?
		if [ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: ${f#"$src"/}${c:+ (dump -c)}: the kernel refuses it, want exit 1 and no output, got exit $rc and $(wc -l <"$tmp/out") lines"
		fi
	done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
