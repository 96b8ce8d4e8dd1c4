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
# the page faults of one run (perf stat; '-' without perf) and the
# fastest wall of LINT_REPEAT runs (default 7), each binary run one after
# the other; with OLD, OLD's lint beside NEW's, and whether the two lints
# wrote the same bytes (text, JSON and SARIF). Needs python3 and valgrind;
# builds nothing; not a test.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
new=${1:?usage: lint_cmp.sh NEW [OLD]}
old=${2:-}
repeat=${LINT_REPEAT:-7}
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
# faults CMD...: the page faults of one run of CMD
faults() {
	command -v perf >/dev/null || { printf -- -; return; }
	{ perf stat -x, -e page-faults "$@" 2>&1 >/dev/null || true; } |
		awk -F, '/page-faults/ { print $1 }'
}
# once CMD...: the wall of one run, in seconds
once() {
	local a b
	a=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	b=$(date +%s%N)
	awk -v a="$a" -v b="$b" 'BEGIN { print (b - a) / 1e9 }'
}
# least A B: the smaller (B when A is empty)
least() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
# (walls: the fastest of $repeat rounds of check, NEW's lint and OLD's,
# the three in turn in each round: a load that comes and goes falls on
# all three)
mi() { awk -v a="$1" 'BEGIN { printf "%.0f", a / 1e6 }'; }
rt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

echo "load average $(cut -d' ' -f1-3 /proc/loadavg); instructions in millions, page faults, wall in seconds (fastest of $repeat)"
if [ -n "$old" ]; then
	printf '%-10s %8s %8s %8s %7s %7s | %6s %6s %6s | %6s %6s %6s %6s %s\n' file check \
		"lint old" "lint new" "old/ck" "new/ck" "pf:ck" "pf:old" "pf:new" \
		"w:ck" "w:old" "w:new" "new/ck" same
else
	printf '%-10s %8s %8s %7s | %6s %6s | %6s %6s %6s\n' file check lint "lint/ck" \
		"pf:ck" "pf:lint" "w:ck" "w:lint" "lint/ck"
fi
for name in flat kube expand jumps addronly ranges; do
	f=$tmp/$name.rules
	c=$(instr "$new" check "$f")
	n=$(instr "$new" lint --color never "$f")
	pc=$(faults "$new" check "$f")
	pn=$(faults "$new" lint --color never "$f")
	wc="" wn="" wo=""
	for ((i = 0; i < repeat; i++)); do
		wc=$(least "$wc" "$(once "$new" check "$f")")
		wn=$(least "$wn" "$(once "$new" lint --color never "$f")")
		[ -z "$old" ] || wo=$(least "$wo" "$(once "$old" lint --color never "$f")")
	done
	wc=$(printf '%.3f' "$wc") wn=$(printf '%.3f' "$wn")
	if [ -n "$old" ]; then
		wo=$(printf '%.3f' "$wo")
		o=$(instr "$old" lint --color never "$f")
		po=$(faults "$old" lint --color never "$f")
		same=yes
		for fmt in text json sarif; do
			cmp -s <("$old" lint --color never --format "$fmt" "$f" 2>&1) \
				<("$new" lint --color never --format "$fmt" "$f" 2>&1) || same=no
		done
		printf '%-10s %8s %8s %8s %7s %7s | %6s %6s %6s | %6s %6s %6s %6s %s\n' "$name" \
			"$(mi "$c")" "$(mi "$o")" "$(mi "$n")" "$(rt "$o" "$c")" \
			"$(rt "$n" "$c")" "$pc" "$po" "$pn" "$wc" "$wo" "$wn" \
			"$(rt "$wn" "$wc")" "$same"
	else
		printf '%-10s %8s %8s %7s | %6s %6s | %6s %6s %6s\n' "$name" "$(mi "$c")" \
			"$(mi "$n")" "$(rt "$n" "$c")" "$pc" "$pn" "$wc" "$wn" "$(rt "$wn" "$wc")"
	fi
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
