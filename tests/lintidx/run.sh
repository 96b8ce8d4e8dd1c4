#!/bin/bash
# run.sh - lint's findings on generated files, against goldens recorded
# with the pairwise search lint had before its index (analysis/lint_index.c):
# the index must find the same shadowed and redundant rules, naming the same
# earlier rules, as comparing every earlier rule did.
#
# Usage: tests/lintidx/run.sh IPTSIM SRCDIR
# The files are written by bench/'s generators with fixed seeds, small
# enough to run in a second: the flat table (IPv4 and IPv6), the
# kube-proxy-like save, and each file gen_lintdefeat.py builds to defeat
# the index. The golden of each is its diagnostic lines (the path cut), in
# tests/lintidx/NAME.findings. IPTSIM_UPDATE_GOLDEN=1 rewrites them: only
# ever with a build whose findings are known right (the old search).
set -euo pipefail

iptsim=$(realpath "${1:?usage: run.sh IPTSIM SRCDIR}")
src=${2:?usage: run.sh IPTSIM SRCDIR}
here=$src/tests/lintidx
bench=$src/bench
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gen() {
	local name=$1
	shift
	python3 "$@" -o "$tmp/$name.rules"
}

gen flat "$bench/gen_flat.py" -n 800 --seed 7
gen flat6 "$bench/gen_flat.py" -n 600 --seed 11 --family ipv6
gen kube "$bench/gen_kube.py" -s 150 --seed 7
gen expand "$bench/gen_lintdefeat.py" --kind expand -n 20 --seed 7
gen jumps "$bench/gen_lintdefeat.py" --kind jumps -n 400 --seed 7
gen addronly "$bench/gen_lintdefeat.py" --kind addronly -n 800 --seed 7
gen ranges "$bench/gen_lintdefeat.py" --kind ranges -n 400 --seed 7
# (recorded with main's lint at the lint6 branch's start: the search the
# port tree's staircases were added to)
gen nested "$bench/gen_lintdefeat.py" --kind nested -n 600 --seed 7

fail=0 pass=0
for f in "$tmp"/*.rules; do
	name=$(basename "$f" .rules)
	# the diagnostic lines, without the path; rc 1: findings
	rc=0
	(cd "$tmp" && "$iptsim" lint --color never "$name.rules") >"$tmp/out" 2>&1 ||
		rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "FAIL $name: lint exited $rc"
		sed -n 1,5p "$tmp/out"
		fail=$((fail + 1))
		continue
	fi
	grep "^$name.rules:" "$tmp/out" | sed "s/^$name.rules://" >"$tmp/got" || true
	if [ -n "${IPTSIM_UPDATE_GOLDEN:-}" ]; then
		cp "$tmp/got" "$here/$name.findings"
	fi
	if diff -u "$here/$name.findings" "$tmp/got" >"$tmp/diff"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: findings differ"
		head -40 "$tmp/diff"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
