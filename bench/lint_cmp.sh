#!/bin/bash
# lint_cmp.sh - iptsim lint beside iptsim check, instructions and wall, for
# one or two builds: the figures of README's lint table (issue 18: lint
# within 2x of check).
#
# Usage: bench/lint_cmp.sh NEW [OLD]
#
# Generates the flat file (gen_flat.py, 100,000 rules, seed 7), the
# kube-proxy-like file (gen_kube.py, 5,000 services) and the four files
# gen_lintdefeat.py builds against lint's index, then for each prints
# check's and lint's instructions (valgrind --tool=cachegrind
# --cache-sim=no: the machine is shared and wall times move by a third)
# and the fastest wall of LINT_REPEAT runs (default 5), each binary run
# one after the other; with OLD, OLD's lint beside NEW's, and whether the
# two lints wrote the same bytes (text, JSON and SARIF). Needs python3 and
# valgrind; builds nothing; not a test.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
new=${1:?usage: lint_cmp.sh NEW [OLD]}
old=${2:-}
repeat=${LINT_REPEAT:-5}
command -v valgrind >/dev/null || { echo "lint_cmp.sh: valgrind is needed" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 "$here/gen_flat.py" -n 100000 --seed 7 -o "$tmp/flat.rules"
python3 "$here/gen_kube.py" -s 5000 -o "$tmp/kube.rules"
for kind in expand jumps addronly ranges; do
	python3 "$here/gen_lintdefeat.py" --kind "$kind" -o "$tmp/$kind.rules"
done

# instr CMD...: the instructions CMD runs (stdout discarded)
instr() {
	# lint exits 1 on findings: not a failure here
	{ valgrind --tool=cachegrind --cache-sim=no \
		--cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } |
		awk '/I *refs:/ { gsub(",", "", $NF); print $NF }'
}
# wall CMD...: the fastest of $repeat runs, in seconds
wall() {
	local i a b best=""
	for ((i = 0; i < repeat; i++)); do
		a=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		b=$(date +%s%N)
		best=$(awk -v a="$a" -v b="$b" -v m="$best" 'BEGIN {
			t = (b - a) / 1e9; print (m == "" || t < m) ? t : m }')
	done
	printf '%.3f' "$best"
}
mi() { awk -v a="$1" 'BEGIN { printf "%.0f", a / 1e6 }'; }
rt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

echo "load average $(cut -d' ' -f1-3 /proc/loadavg); instructions in millions, wall in seconds (fastest of $repeat)"
if [ -n "$old" ]; then
	printf '%-10s %8s %8s %8s %7s %7s | %6s %6s %6s %s\n' file check "lint old" "lint new" \
		"old/ck" "new/ck" "w:ck" "w:old" "w:new" same
else
	printf '%-10s %8s %8s %7s | %6s %6s\n' file check lint "lint/ck" "w:ck" "w:lint"
fi
for name in flat kube expand jumps addronly ranges; do
	f=$tmp/$name.rules
	c=$(instr "$new" check "$f")
	n=$(instr "$new" lint --color never "$f")
	wc=$(wall "$new" check "$f")
	wn=$(wall "$new" lint --color never "$f")
	if [ -n "$old" ]; then
		o=$(instr "$old" lint --color never "$f")
		wo=$(wall "$old" lint --color never "$f")
		same=yes
		for fmt in text json sarif; do
			cmp -s <("$old" lint --color never --format "$fmt" "$f" 2>&1) \
				<("$new" lint --color never --format "$fmt" "$f" 2>&1) || same=no
		done
		printf '%-10s %8s %8s %8s %7s %7s | %6s %6s %6s %s\n' "$name" "$(mi "$c")" \
			"$(mi "$o")" "$(mi "$n")" "$(rt "$o" "$c")" "$(rt "$n" "$c")" \
			"$wc" "$wo" "$wn" "$same"
	else
		printf '%-10s %8s %8s %7s | %6s %6s\n' "$name" "$(mi "$c")" "$(mi "$n")" \
			"$(rt "$n" "$c")" "$wc" "$wn"
	fi
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
