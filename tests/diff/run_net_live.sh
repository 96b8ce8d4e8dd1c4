#!/bin/bash
# run_net_live.sh - differential test on hosts with interfaces: iptsim
# against the running kernel on random host cases.
#
# gen_net.py writes NET_LIVE_CASES seeded random cases (interfaces, routes,
# sysctls, a ruleset, one connection: inbound, forwarded, port-forwarded or
# outbound); tests/kernel/oracle_net.py builds each host in throwaway network
# namespaces, makes the real connection and reports the kernel's answer;
# `iptsim trace` answers the same query (net_compare.py --iptsim-args gives
# its options); net_compare.py judges the answer: agree, disagree, refused
# (iptsim does not answer such a query yet: exit 2), crashed. A disagreement
# is asked of the kernel once more (a capture can be disturbed by other
# traffic) before it counts.
#
# Usage: run_net_live.sh [IPTSIM [SRCDIR [SHAREDDIR]]]   (ctest's arguments)
# Environment:
#   NET_LIVE_CASES=N     number of generated cases (default 40)
#   NET_LIVE_SEED=S      replay the cases of seed S (default: a fresh seed,
#                        printed first; with CI=true the fixed seed 20261202)
#   NET_LIVE_KINDS=a,b   connection kinds only (gen_net.py --kinds)
#   NET_LIVE_SAVE=DIR    copy each disagreeing case to DIR as NAME.rules,
#                        NAME.args, NAME.expect.json (the kernel's answer):
#                        the form of tests/diff/net-cases/
#   NET_LIVE_STRICT=1    a refused case fails too (by default refusals are
#                        counted and shown, grouped by reason, and pass:
#                        iptsim does not simulate every host path yet)
#   IPTSIM_REQUIRE_KERNEL=1   a skip (no root, no netns) is a failure
# Prints the seed, every disagreement with its replay command, oracle
# options, differences and rules; the refusals grouped by reason; then
# "N cases: N agree, N disagree, N refused, N crashed, N oracle failed" and
# the time. Exit: 0 no disagreement, crash or oracle failure (nor refusal
# with NET_LIVE_STRICT=1), 1 otherwise, 77 skipped.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${2:-$(cd "$here/../.." && pwd)}
iptsim=${1:-}
oracle=$src/tests/kernel/oracle_net.py
netcmp=$here/net_compare.py
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}

# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$here/../lib/kernel.sh"

if [ -z "$iptsim" ] || [ ! -x "$iptsim" ]; then
	echo "usage: run_net_live.sh IPTSIM [SRCDIR [SHAREDDIR]]" >&2
	exit 2
fi
ipts_require_kernel iptables-legacy-restore iptables-legacy-save nft ip
[ -n "$python" ] || ipts_kernel_skip "needs python3"

cases=${NET_LIVE_CASES:-40}
kinds=${NET_LIVE_KINDS:-}
if [ -n "${NET_LIVE_SEED:-}" ]; then
	seed=$NET_LIVE_SEED
elif [ "${CI:-}" = true ]; then
	seed=20261202
else
	seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fi
replay="NET_LIVE_SEED=$seed NET_LIVE_CASES=$cases${kinds:+ NET_LIVE_KINDS=$kinds}"
echo "seed $seed, $cases cases (replay: $replay)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen=("$python" "$here/gen_net.py" --seed "$seed" --count "$cases"
	--out "$tmp/cases")
[ -z "$kinds" ] || gen+=(--kinds "$kinds")
"${gen[@]}"

# ask_kernel RULES OUT ARGS...: the oracle's stable answer, one retry.
ask_kernel() {
	local rules=$1 out=$2 try
	shift 2
	for try in 1 2; do
		if "$python" "$oracle" --stable "$rules" "$@" >"$out" \
			2>"$out.err"; then
			return 0
		fi
		[ "$try" = 2 ] || sleep 0.2
	done
	return 1
}

agree=0 disagree=0 refused=0 crashed=0 oracle_failed=0
: >"$tmp/refusals"
start=$(date +%s)
for rules in "$tmp/cases"/*.rules; do
	name=$(basename "$rules" .rules)
	index=${name##*-}
	mapfile -t oargs <"$tmp/cases/$name.args"
	mapfile -t args < <("$python" "$netcmp" --iptsim-args "${oargs[@]}")
	rc=0
	"$iptsim" trace "$rules" --format json "${args[@]}" >"$tmp/sim.json" \
		2>"$tmp/sim.err" </dev/null || rc=$?
	vrc=0
	for try in 1 2; do
		if ! ask_kernel "$rules" "$tmp/kernel.json" "${oargs[@]}"; then
			# a retry that fails keeps the first disagreement
			[ "$try" = 2 ] || vrc=oracle
			break
		fi
		vrc=0
		"$python" "$netcmp" --rc "$rc" --stderr "$tmp/sim.err" \
			"$tmp/sim.json" "$tmp/kernel.json" >"$tmp/verdict" \
			2>&1 || vrc=$?
		[ "$vrc" = 1 ] || break
	done
	how="gen_net.py --seed $seed --first $index --count 1${kinds:+ --kinds $kinds}"
	case $vrc in
	0)
		agree=$((agree + 1))
		continue
		;;
	3)
		refused=$((refused + 1))
		sed -n '2s/^ *//p' "$tmp/verdict" | cut -c1-120 >>"$tmp/refusals"
		[ "${NET_LIVE_STRICT:-0}" = 1 ] || continue
		echo "FAIL $name refused ($how):"
		;;
	1)
		disagree=$((disagree + 1))
		echo "FAIL $name disagrees ($how):"
		;;
	4)
		crashed=$((crashed + 1))
		echo "FAIL $name: iptsim crashed ($how):"
		;;
	oracle)
		oracle_failed=$((oracle_failed + 1))
		echo "FAIL $name: oracle_net.py failed ($how):"
		sed 's/^/    /' "$tmp/kernel.json.err" | tail -5
		;;
	*)
		oracle_failed=$((oracle_failed + 1))
		echo "FAIL $name: net_compare.py failed (exit $vrc) ($how):"
		;;
	esac
	[ "$vrc" = oracle ] || sed 's/^/    /' "$tmp/verdict"
	echo "    oracle args: $(paste -sd' ' "$tmp/cases/$name.args")"
	echo "    rules:"
	grep -v '^#' "$rules" | sed 's/^/      /'
	if [ -n "${NET_LIVE_SAVE:-}" ] && [ "$vrc" != oracle ]; then
		mkdir -p "$NET_LIVE_SAVE"
		cp "$rules" "$NET_LIVE_SAVE/$name.rules"
		cp "$tmp/cases/$name.args" "$NET_LIVE_SAVE/$name.args"
		cp "$tmp/kernel.json" "$NET_LIVE_SAVE/$name.expect.json"
	fi
done
if [ -s "$tmp/refusals" ]; then
	echo "refused, by reason:"
	sort "$tmp/refusals" | uniq -c | sort -rn | sed 's/^/  /'
fi
n=$((agree + disagree + refused + crashed + oracle_failed))
echo "$(($(date +%s) - start)) s for $n cases"
echo "$n cases: $agree agree, $disagree disagree, $refused refused," \
	"$crashed crashed, $oracle_failed oracle failed"
bad=$((disagree + crashed + oracle_failed))
[ "${NET_LIVE_STRICT:-0}" != 1 ] || bad=$((bad + refused))
[ "$bad" = 0 ]
