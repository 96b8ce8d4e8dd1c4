#!/bin/bash
# run.sh - the fast path of parser/xt.c against iptables' full option loop.
#
# Usage: run.sh IPTSIM SRCDIR [SHAREDDIR]
#
# parser/xt.c reads the common shape of rule line (generic options, then
# -m segments, then the target) without getopt_long, and reuses the blobs of
# segments met earlier in the file. IPTSIM_FULL_LOOP=1 turns that off. For
# every file below, `iptsim check --format json` (every diagnostic) and
# `iptsim dump -c` (every blob, through the extensions' own save()) must
# print the same bytes and exit the same way both ways:
#   - FASTPATH_FILES (default 300) files of gen.py (seed FASTPATH_SEED): lines of the fast shape
#     and lines that must fall back (options of an earlier extension,
#     abbreviations, '!' anywhere, repeated extensions, bad values), half of
#     the files valid, lines repeated so that reused segments are tested;
#   - generated kube-proxy-like and flat files (bench/), valid;
#   - rulesets/, tests/corpus, tests/roundtrip, tests/fuzz/regress,
#     tests/e2e's rule files, tests/fastpath/family (files whose family
#     shows late, mixed, after errors, in quotes, CRLF, cut lines),
#     tests/fastpath/words*.rules (-s/-d numbers and -p words, good and
#     bad, that the fast path reads itself) and the shared corpus when
#     present.
# The same files with IPTSIM_SNIFF_FIRST=1 (the family of a file found in
# a pass of its own over every word before the parse, not by the quick
# pass that judges only the lines that might show IPv6) and with
# IPTSIM_SNIFF_FOLD=1 (the sniff as the parse reads the lines) must print
# the same bytes too.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 IPTSIM SRCDIR [SHAREDDIR]" >&2
	exit 2
fi
iptsim=$1
srcdir=$2
shared=${3:-}
count=${FASTPATH_FILES:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }

mkdir "$tmp/gen"
python3 "$srcdir/tests/fastpath/gen.py" "${FASTPATH_SEED:-1060}" "$count" "$tmp/gen"
python3 "$srcdir/bench/gen_kube.py" -s 300 -o "$tmp/gen/kube.rules"
python3 "$srcdir/bench/gen_flat.py" -n 5000 -o "$tmp/gen/flat.rules"

files=("$tmp"/gen/*.rules "$srcdir"/rulesets/*.rules "$srcdir"/rulesets/*.v4
       "$srcdir"/tests/corpus/valid/*.rules "$srcdir"/tests/corpus/invalid/*.rules
       "$srcdir"/tests/roundtrip/cases/*.rules "$srcdir"/tests/roundtrip/corpus/*.save
       "$srcdir"/rulesets/*.v6 "$srcdir"/tests/fuzz/regress/*
       "$srcdir"/tests/fastpath/family/*.rules "$srcdir"/tests/fastpath/*.rules)
while IFS= read -r f; do
	files+=("$f")
done < <(find "$srcdir/tests/e2e" -type f \( -name '*.rules' -o -name '*.v6' \) | sort)
if [ -n "$shared" ] && [ -d "$shared/corpus" ]; then
	while IFS= read -r f; do
		files+=("$f")
	done < <(find "$shared/corpus" -type f ! -name '*.md' ! -name '*.tsv' | sort)
else
	echo "note: no shared corpus (${shared:-unset}/corpus): its files are not compared"
fi

# run NAME ARGS...: stdout and exit code of iptsim, both ways.
run() {
	local name=$1 rc
	shift
	rc=0
	NO_COLOR=1 "$iptsim" "$@" > "$tmp/$name.fast" 2>&1 < /dev/null || rc=$?
	echo "rc $rc" >> "$tmp/$name.fast"
	rc=0
	IPTSIM_FULL_LOOP=1 NO_COLOR=1 "$iptsim" "$@" > "$tmp/$name.full" 2>&1 \
		< /dev/null || rc=$?
	echo "rc $rc" >> "$tmp/$name.full"
	rc=0
	IPTSIM_SNIFF_FIRST=1 NO_COLOR=1 "$iptsim" "$@" > "$tmp/$name.sniff" \
		2>&1 < /dev/null || rc=$?
	echo "rc $rc" >> "$tmp/$name.sniff"
	rc=0
	IPTSIM_SNIFF_FOLD=1 NO_COLOR=1 "$iptsim" "$@" > "$tmp/$name.fold" \
		2>&1 < /dev/null || rc=$?
	echo "rc $rc" >> "$tmp/$name.fold"
	cmp -s "$tmp/$name.fast" "$tmp/$name.full" &&
		cmp -s "$tmp/$name.fast" "$tmp/$name.sniff" &&
		cmp -s "$tmp/$name.fast" "$tmp/$name.fold"
}

pass=0 fail=0 valid=0
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	ok=1
	for cmd in "check --format json" "dump -c"; do
		# shellcheck disable=SC2086
		if ! run one $cmd "$f"; then
			ok=0
			echo "FAIL: iptsim $cmd $f differs with IPTSIM_FULL_LOOP=1, IPTSIM_SNIFF_FIRST=1 or IPTSIM_SNIFF_FOLD=1:"
			diff "$tmp/one.full" "$tmp/one.fast" | head -n 20
			diff "$tmp/one.sniff" "$tmp/one.fast" | head -n 20
			diff "$tmp/one.fold" "$tmp/one.fast" | head -n 20
		fi
	done
	if [ "$ok" = 1 ]; then
		pass=$((pass + 1))
		grep -q '^rc 0$' "$tmp/one.fast" && valid=$((valid + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "fastpath: $pass files agree ($valid of them valid), $fail differ"
[ "$fail" -eq 0 ]
