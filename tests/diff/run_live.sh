#!/bin/bash
# run_live.sh - differential test: iptsim against the running kernel on
# random rulesets.
#
# gen.py writes DIFF_CASES seeded random cases (ruleset + query); each is
# loaded into a throwaway network namespace by tests/kernel/oracle.py, which
# makes the real connection and reports the kernel's answer; `iptsim trace`
# answers the same query; compare.py says whether outcome and per-packet
# paths agree. A disagreement is retried once with the kernel (a capture can
# be disturbed by other traffic on the host) before it counts.
# Files `iptsim check` refuses are shown to the kernel too (at most
# DIFF_REFUSED_MAX of them): a file only one side refuses is a disagreement.
#
# Usage: run_live.sh [IPTSIM [SRCDIR [SHAREDDIR]]]   (ctest's arguments)
# Environment:
#   DIFF_CASES=N         number of generated cases (default 300)
#   DIFF_V6_CASES=N      then N IPv6 cases over ::1 (gen.py --family ipv6,
#                        default 40)
#   DIFF_SEED=S          replay the cases of seed S (default: a fresh seed,
#                        printed first; with CI=true the fixed seed 44790043)
#   DIFF_JOBS=N          cases run at once (default 2; the oracle serialises
#                        its namespace work with a lock)
#   DIFF_SAVE=DIR        copy each disagreeing case to DIR as NAME.rules,
#                        NAME.args, NAME.expect.json (the kernel's answer):
#                        the form of tests/diff/cases/
#   DIFF_REFUSED_MAX=N   refused files shown to the kernel (default 20)
#   DIFF_WITHOUT=a,b     ingredients gen.py leaves out (see gen.py --help),
#                        to look past a disagreement already known
#   IPTSIM_REQUIRE_KERNEL=1   a skip (no root, no netns) is a failure
# Prints every disagreement with its seed and case, and a last line
# "N passed, N failed". Exit: 0 all agree, 1 a disagreement, 77 skipped.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${2:-$(cd "$here/../.." && pwd)}
iptsim=${1:-}
oracle=$src/tests/kernel/oracle.py
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}

# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$here/../lib/kernel.sh"

if [ -z "$iptsim" ] || [ ! -x "$iptsim" ]; then
	echo "usage: run_live.sh IPTSIM [SRCDIR [SHAREDDIR]]" >&2
	exit 2
fi
ipts_require_kernel iptables-legacy-restore iptables-legacy-save nft ip
[ -n "$python" ] || ipts_kernel_skip "needs python3"

cases=${DIFF_CASES:-300}
# and IPv6 ones over ::1 (gen.py --family ipv6), after them
cases6=${DIFF_V6_CASES:-40}
jobs=${DIFF_JOBS:-2}
refused_max=${DIFF_REFUSED_MAX:-20}
# CI (CI=true) replays a fixed seed, so that its verdict is the code's and
# not the draw's; a developer's run draws a fresh one, which is how new
# disagreements are found (and then kept in tests/diff/cases/).
if [ -n "${DIFF_SEED:-}" ]; then
	seed=$DIFF_SEED
elif [ "${CI:-}" = true ]; then
	seed=44790043
else
	seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fi
without=${DIFF_WITHOUT:-}
replay="DIFF_SEED=$seed DIFF_CASES=$cases DIFF_V6_CASES=$cases6${without:+ DIFF_WITHOUT=$without}"
echo "seed $seed, $cases cases and $cases6 IPv6 ones (replay: $replay)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cases" "$tmp/res"
"$python" "$here/gen.py" --seed "$seed" --count "$cases" \
	--out "$tmp/cases" --iptsim "$iptsim" --without "$without" \
	2>"$tmp/refused.txt"
if [ "$cases6" -gt 0 ]; then
	"$python" "$here/gen.py" --seed "$seed" --count "$cases6" \
		--family ipv6 --out "$tmp/cases" --iptsim "$iptsim" \
		--without "$without" 2>>"$tmp/refused.txt"
fi

# One case: NAME.rules/NAME.args in $tmp/cases -> $tmp/res/NAME.{pass,fail}.
# $3 is "refused" for a file iptsim check refused.
one() {
	local dir=$1 name=$2 kind=${3:-}
	local rules=$dir/$name.rules oargs sargs rc try res=$tmp/res/$name
	local ok=()
	# a case marked so (gen.py: a limit or hashlimit whose bucket
	# iptsim may not bound) may be undetermined if the kernel's
	# outcome is among the possible ones, as in recorded.sh
	! grep -q '^# diff: undetermined' "$rules" || ok=(--undetermined-ok)
	oargs=$(cat "$dir/$name.args")
	# shellcheck disable=SC2086 # the .args line is a word list
	sargs=$("$python" "$here/compare.py" --iptsim-args $oargs)
	rc=0
	# shellcheck disable=SC2086
	"$iptsim" trace "$rules" $sargs --format json >"$res.sim.json" \
		2>"$res.sim.err" || rc=$?
	for try in 1 2; do
		# shellcheck disable=SC2086
		if ! "$python" "$oracle" --stable "$rules" $oargs \
			>"$res.kernel.json" 2>"$res.kernel.err"; then
			[ "$try" = 2 ] || continue
			{
				echo "oracle failed:"
				sed 's/^/    /' "$res.kernel.err" | tail -5
			} >"$res.diff"
			mv "$res.diff" "$res.fail"
			return 0
		fi
		if "$python" "$here/compare.py" "${ok[@]}" --rc "$rc" \
			"$res.sim.json" \
			"$res.kernel.json" >"$res.diff" 2>&1; then
			: >"$res.pass"
			return 0
		fi
		# iptsim's answer may come with a resent SYN later than the
		# oracle watches (nth, limit, recent over the client's
		# retries): ask the kernel again for long enough to see it
		# shellcheck disable=SC2086
		oargs=$("$python" "$here/compare.py" --watch-resends \
			"$res.sim.json" $oargs)
	done
	[ "$kind" != refused ] || echo "iptsim check refuses the file:" \
		"$(grep -m1 'error:' "$res.sim.err" || true)" >>"$res.diff"
	mv "$res.diff" "$res.fail"
	if [ -n "${DIFF_SAVE:-}" ]; then
		mkdir -p "$DIFF_SAVE"
		cp "$rules" "$DIFF_SAVE/$name.rules"
		cp "$dir/$name.args" "$DIFF_SAVE/$name.args"
		cp "$res.kernel.json" "$DIFF_SAVE/$name.expect.json"
	fi
}
export -f one
export tmp python here iptsim oracle
export DIFF_SAVE=${DIFF_SAVE:-}

mkdir "$tmp/refused"
n=0
while read -r _ path; do
	[ "$n" -lt "$refused_max" ] || break
	base=$(basename "$path" .rules)
	cp "$path" "$tmp/refused/$base.rules"
	cp "${path%.rules}.args" "$tmp/refused/$base.args"
	n=$((n + 1))
done <"$tmp/refused.txt"

start=$(date +%s)
{
	for f in "$tmp/cases"/*.rules; do
		case $f in *.refused.rules) continue ;; esac
		echo "$tmp/cases $(basename "$f" .rules)"
	done
	for f in "$tmp/refused"/*.rules; do
		[ -e "$f" ] || continue
		echo "$tmp/refused $(basename "$f" .rules) refused"
	done
} | xargs -P "$jobs" -L 1 bash -c 'one "$@"' _

passed=0
failed=0
for f in "$tmp/res"/*.pass; do
	[ -e "$f" ] && passed=$((passed + 1))
done
for f in "$tmp/res"/*.fail; do
	[ -e "$f" ] || continue
	failed=$((failed + 1))
	name=$(basename "$f" .fail)
	dir=$tmp/cases
	[ -e "$dir/$name.rules" ] || dir=$tmp/refused
	fam=
	case $name in g6-*) fam=" --family ipv6" ;; esac
	echo "FAIL $name ($replay; gen.py --seed $seed --first ${name##*-}" \
		"--count 1$fam${without:+ --without $without};" \
		"oracle args: $(cat "$dir/$name.args")):"
	sed 's/^/    /' "$f"
	echo "    rules:"
	grep -v '^#' "$dir/$name.rules" | sed 's/^/      /'
done
echo "$(($(date +%s) - start)) s for $((passed + failed)) cases" \
	"($(wc -l <"$tmp/refused.txt") generated files refused by iptsim check)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
